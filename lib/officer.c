/*
 * officer.c: who an RA officer is on the web.  Login accepts a client
 * certificate only when Apache verified it, it comes from an RA-officer CA
 * (any of them: CA rollover), it carries the RA marker, and PostgreSQL has
 * this very certificate as an issued, unexpired, unrevoked RA certificate
 * of an active officer of an institution whose status lets its officers
 * in (schema 022: active or suspended).  The session that follows
 * is bound to that certificate and re-checked on every request, so a
 * revocation takes effect at once without touching Apache.
 */
#include <stdlib.h>
#include <string.h>

#include <cgi/cgi.h>
#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include "ra.h"
#include "web.h"

#define COOKIE		"ra_session"

static const char SQL_RA_CA[] =
    "SELECT c.ca_id FROM ra.ca c JOIN ra.ca_kind k ON k.ca_id = c.ca_id"
    " WHERE k.kind = 'ra_officer' AND c.ski = $1::bytea";
static const char SQL_RA_CERT[] =
    "SELECT c.cert_id, c.officer_id, c.institution_id"
    "  FROM ra.certificate c"
    "  JOIN ra.officer o ON o.officer_id = c.officer_id"
    "  JOIN ra.institution i ON i.institution_id = c.institution_id"
    " WHERE c.ca_id = $1::bigint AND c.serial = $2::numeric"
    "   AND c.der = $3::bytea AND c.kind = 'ra_officer'"
    "   AND c.state = 'issued' AND c.not_after > pg_catalog.now()"
    "   AND NOT EXISTS (SELECT 1 FROM ra.revocation r"
    "                    WHERE r.cert_id = c.cert_id)"
    "   AND o.status = 'active' AND i.status IN"
    "       (SELECT status FROM ra.institution_state WHERE logins)"
    "   AND current_date BETWEEN i.usage_from AND i.usage_until";
static const char SQL_SESSION_ADD[] =
    "INSERT INTO ra.session (session_sha256, officer_id, cert_id,"
    "  csrf_token, source_ip)"
    " VALUES ($1::bytea, $2::bigint, $3::bigint, $4::bytea, $5::inet)";
static const char SQL_SESSION[] =
    "SELECT s.officer_id, s.cert_id, s.csrf_token, o.institution_id,"
    "       o.name_ja, i.name_ja,"
    "       s.ended_at IS NULL AND s.last_seen_at > pg_catalog.now() -"
    "         pg_catalog.make_interval(mins => $2::integer)"
    "         AND s.created_at > pg_catalog.now() -"
    "         pg_catalog.make_interval(mins => $4::integer),"
    "       c.der = $3::bytea,"
    "       c.state = 'issued' AND c.not_after > pg_catalog.now()"
    "         AND NOT EXISTS (SELECT 1 FROM ra.revocation r"
    "                          WHERE r.cert_id = c.cert_id)"
    "         AND o.status = 'active' AND i.status IN"
    "           (SELECT status FROM ra.institution_state WHERE logins),"
    "       current_date BETWEEN i.usage_from AND i.usage_until, i.status,"
    "       o.name_romaji, i.name_en"
    "  FROM ra.session s"
    "  JOIN ra.certificate c ON c.cert_id = s.cert_id"
    "  JOIN ra.officer o ON o.officer_id = s.officer_id"
    "  JOIN ra.institution i ON i.institution_id = o.institution_id"
    " WHERE s.session_sha256 = $1::bytea";
enum { S_OFFICER, S_CERT, S_CSRF, S_INST, S_NAME, S_INST_JA, S_FRESH,
    S_SAMECERT, S_VALID, S_IN_USE, S_INST_STATUS, S_ROMAJI, S_INST_EN };
static const char SQL_SEEN[] =
    "UPDATE ra.session SET last_seen_at = pg_catalog.now()"
    " WHERE session_sha256 = $1::bytea";
static const char SQL_END[] =
    "UPDATE ra.session SET ended_at = pg_catalog.now()"
    " WHERE session_sha256 = $1::bytea AND ended_at IS NULL";
static const char SQL_PERMS[] =
    "SELECT interface FROM ra.officer_permission WHERE officer_id = $1::bigint";

static void
cert_clear(struct ra_clientcert *cc)
{
	X509_free(cc->crt);
	free(cc->der_hex);
	free(cc->subject);
	free(cc->issuer);
	memset(cc, 0, sizeof(*cc));
}

/*
 * The certificate mod_ssl verified for this request (SSLOptions
 * +ExportCertData), or RA_EDENIED when there is none.
 */
static enum ra_err
client_cert(struct ra_clientcert *cc)
{
	const char	*verify = ra_req_env("SSL_CLIENT_VERIFY");
	const char	*pem = ra_req_env("SSL_CLIENT_CERT");
	BIO		*bio;
	BIGNUM		*bn = NULL;
	unsigned char	*der = NULL;
	char		*dec;
	int		 n;

	memset(cc, 0, sizeof(*cc));
	if (verify == NULL || strcmp(verify, "SUCCESS") != 0 || pem == NULL)
		return RA_EDENIED;
	if ((bio = BIO_new_mem_buf(pem, -1)) == NULL)
		return RA_ENOMEM;
	cc->crt = PEM_read_bio_X509(bio, NULL, NULL, NULL);
	BIO_free(bio);
	if (cc->crt == NULL)
		return RA_EDENIED;
	if ((bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(cc->crt), NULL)) ==
	    NULL || (dec = BN_bn2dec(bn)) == NULL) {
		BN_free(bn);
		return RA_ECRYPTO;
	}
	snprintf(cc->serial, sizeof(cc->serial), "%s", dec);
	OPENSSL_free(dec);
	BN_free(bn);
	if ((n = i2d_X509(cc->crt, &der)) <= 0)
		return RA_ECRYPTO;
	cc->der_hex = ra_bytea_hex(der, (size_t)n);
	OPENSSL_free(der);
	cc->subject = ra_dn_text(X509_get_subject_name(cc->crt));
	cc->issuer = ra_dn_text(X509_get_issuer_name(cc->crt));
	if (cc->der_hex == NULL || cc->subject == NULL || cc->issuer == NULL)
		return RA_ENOMEM;
	return RA_OK;
}

/* Whether "name" carries the marker, "TYPE=value" (default L=Academe-ops). */
static int
has_marker(const X509_NAME *name, const char *marker)
{
	char		 type[16];
	const char	*eq = strchr(marker, '=');
	char		*v;
	int		 nid, i = -1, found = 0;

	if (eq == NULL || (size_t)(eq - marker) >= sizeof(type))
		return 0;
	snprintf(type, sizeof(type), "%.*s", (int)(eq - marker), marker);
	if ((nid = OBJ_txt2nid(type)) == NID_undef)
		return 0;
	while (!found && (i = X509_NAME_get_index_by_NID(name, nid, i)) >= 0) {
		if (ASN1_STRING_to_UTF8((unsigned char **)&v,
		    X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, i))) < 0)
			continue;
		found = strcmp(v, eq + 1) == 0;
		OPENSSL_free(v);
	}
	return found;
}

static void
audit_login(PGconn *db, const struct ra_clientcert *cc, const char *outcome,
    int64_t officer, int64_t inst, const char *why)
{
	struct ra_event	 ev;
	char		 detail[96];

	memset(&ev, 0, sizeof(ev));
	if (why != NULL)
		snprintf(detail, sizeof(detail), "{\"why\": \"%s\"}", why);
	ev.event = "login";
	ev.outcome = outcome;
	ev.actor = officer != 0 ? NULL : "anonymous";
	ev.officer_id = officer;
	ev.institution_id = inst;
	ev.source_ip = ra_req_env("REMOTE_ADDR");
	ev.cert_issuer = cc->issuer;
	ev.cert_serial = cc->serial[0] != '\0' ? cc->serial : NULL;
	ev.cert_subject = cc->subject;
	ev.detail = why != NULL ? detail : NULL;
	(void)ra_audit(db, &ev);
}

/*
 * Log in with the presented certificate.  On RA_OK "cookie" holds the new
 * session's cookie value.  On RA_EDENIED "why" is "other" (not an RA
 * certificate: a personal one chosen by mistake) or "invalid" (revoked,
 * expired, unknown, or its officer is not active).  Both are audited.
 */
enum ra_err
ra_login(struct ra_req *r, char cookie[RA_TOKEN_LEN + 1], const char **why)
{
	struct ra_clientcert	 cc;
	const ASN1_OCTET_STRING	*aki;
	PGresult		*res = NULL;
	const char		*param[5], *marker;
	unsigned char		 sha[32], csrf[32];
	char			*akihex = NULL, *shahex = NULL, *csrfhex = NULL;
	char			 caid[24];
	enum ra_err		 er;

	*why = "invalid";
	cookie[0] = '\0';
	if ((er = client_cert(&cc)) != RA_OK)
		goto out;
	if ((marker = ra_conf_get(&r->conf, "Ra.Marker")) == NULL)
		marker = "L=Academe-ops";
	aki = X509_get0_authority_key_id(cc.crt);
	if (aki == NULL || !has_marker(X509_get_subject_name(cc.crt), marker)) {
		*why = "other";
		er = RA_EDENIED;
		goto out;
	}
	if ((akihex = ra_bytea_hex(ASN1_STRING_get0_data(aki),
	    (size_t)ASN1_STRING_length(aki))) == NULL) {
		er = RA_ENOMEM;
		goto out;
	}
	param[0] = akihex;
	if ((er = ra_db_query(r->db, "RA CA", SQL_RA_CA, 1, param, &res)) !=
	    RA_OK)
		goto out;
	if (PQntuples(res) != 1) {
		*why = "other";
		er = RA_EDENIED;
		goto out;
	}
	/* The CA id outlives the result it came in. */
	snprintf(caid, sizeof(caid), "%s", PQgetvalue(res, 0, 0));
	PQclear(res);
	res = NULL;
	param[0] = caid;
	param[1] = cc.serial;
	param[2] = cc.der_hex;
	if ((er = ra_db_query(r->db, "RA certificate", SQL_RA_CERT, 3, param,
	    &res)) != RA_OK)
		goto out;
	if (PQntuples(res) != 1) {
		er = RA_EDENIED;
		goto out;
	}
	if ((er = ra_token_new(cookie, sha)) != RA_OK ||
	    RAND_bytes(csrf, sizeof(csrf)) != 1 ||
	    (shahex = ra_bytea_hex(sha, sizeof(sha))) == NULL ||
	    (csrfhex = ra_bytea_hex(csrf, sizeof(csrf))) == NULL) {
		er = er != RA_OK ? er : RA_ENOMEM;
		goto out;
	}
	param[0] = shahex;
	param[1] = PQgetvalue(res, 0, 1);
	param[2] = PQgetvalue(res, 0, 0);
	param[3] = csrfhex;
	param[4] = ra_req_env("REMOTE_ADDR");
	if ((er = ra_db_command(r->db, "session", SQL_SESSION_ADD, 5,
	    param)) != RA_OK)
		goto out;
	audit_login(r->db, &cc, "ok", strtoll(PQgetvalue(res, 0, 1), NULL, 10),
	    strtoll(PQgetvalue(res, 0, 2), NULL, 10), NULL);
	*why = NULL;
out:
	if (er == RA_EDENIED)
		audit_login(r->db, &cc, "refused", 0, 0, *why);
	if (er != RA_OK)
		OPENSSL_cleanse(cookie, RA_TOKEN_LEN + 1);
	PQclear(res);
	cert_clear(&cc);
	free(akihex);
	free(shahex);
	free(csrfhex);
	return er;
}

/* The session cookie's hash, hex for SQL; NULL when there is none. */
static char *
session_hash(struct ra_req *r)
{
	const char	*v;
	unsigned char	 sha[32];

	v = r->cgi != NULL ? hdf_get_value(r->cgi->hdf, "Cookie." COOKIE,
	    NULL) : NULL;
	if (v == NULL || ra_token_hash(v, sha) != RA_OK)
		return NULL;
	return ra_bytea_hex(sha, sizeof(sha));
}

/*
 * The officer behind this request: a live session (idle timeout
 * Session.IdleMinutes, lifetime Session.MaxMinutes), presented with the
 * very certificate that opened it, which must still be valid, of an
 * institution within its usage period.  RA_EDENIED otherwise (the session is
 * ended if the certificate changed or was revoked).
 */
enum ra_err
ra_officer_get(struct ra_req *r, struct ra_officer *o)
{
	struct ra_clientcert	 cc;
	PGresult		*res = NULL, *pr = NULL;
	unsigned char		*csrf = NULL;
	size_t			 len;
	const char		*param[4];
	char			 idle[16], life[16], *hash = NULL;
	int			 i, k;
	enum ra_err		 er;

	memset(o, 0, sizeof(*o));
	if ((hash = session_hash(r)) == NULL)
		return RA_EDENIED;
	if ((er = client_cert(&cc)) != RA_OK)
		goto out;
	snprintf(idle, sizeof(idle), "%d", ra_conf_int(&r->conf,
	    "Session.IdleMinutes", 30));
	snprintf(life, sizeof(life), "%d", ra_conf_int(&r->conf,
	    "Session.MaxMinutes", 480));
	param[0] = hash;
	param[1] = idle;
	param[2] = cc.der_hex;
	param[3] = life;
	if ((er = ra_db_query(r->db, "session", SQL_SESSION, 4, param,
	    &res)) != RA_OK)
		goto out;
	er = RA_EDENIED;
	if (PQntuples(res) != 1 || strcmp(PQgetvalue(res, 0, S_FRESH), "t") != 0) {
		r->refusal = "no live session (idle or past its lifetime)";
		goto out;
	}
	if (strcmp(PQgetvalue(res, 0, S_SAMECERT), "t") != 0 ||
	    strcmp(PQgetvalue(res, 0, S_VALID), "t") != 0 ||
	    strcmp(PQgetvalue(res, 0, S_IN_USE), "t") != 0) {
		/*
		 * Another certificate, this one revoked, or the institution's
		 * usage period over: the session ends, nothing more is read.
		 */
		if (strcmp(PQgetvalue(res, 0, S_IN_USE), "t") != 0) {
			r->refusal = "the institution's usage period has ended";
			hdf_set_value(r->page, "Login.Why", "usage");
		} else
			r->refusal = "session certificate changed or no longer "
			    "valid";
		(void)ra_db_command(r->db, "end session", SQL_END, 1, param);
		goto out;
	}
	if ((er = ra_db_command(r->db, "session seen", SQL_SEEN, 1, param)) !=
	    RA_OK)
		goto out;
	o->officer_id = strtoll(PQgetvalue(res, 0, S_OFFICER), NULL, 10);
	o->institution_id = strtoll(PQgetvalue(res, 0, S_INST), NULL, 10);
	snprintf(o->name_ja, sizeof(o->name_ja), "%s",
	    PQgetvalue(res, 0, S_NAME));
	snprintf(o->institution_ja, sizeof(o->institution_ja), "%s",
	    PQgetvalue(res, 0, S_INST_JA));
	snprintf(o->institution_status, sizeof(o->institution_status), "%s",
	    PQgetvalue(res, 0, S_INST_STATUS));
	snprintf(o->name_romaji, sizeof(o->name_romaji), "%s",
	    PQgetvalue(res, 0, S_ROMAJI));
	snprintf(o->institution_en, sizeof(o->institution_en), "%s",
	    PQgetvalue(res, 0, S_INST_EN));
	snprintf(o->session_hex, sizeof(o->session_hex), "%s", hash);
	if ((er = ra_bytea_get(res, 0, S_CSRF, &csrf, &len)) != RA_OK)
		goto out;
	for (i = 0; i < (int)len && i < 32; i++)
		snprintf(o->csrf + 2 * i, 3, "%02x", csrf[i]);
	param[0] = PQgetvalue(res, 0, S_OFFICER);
	if ((er = ra_db_query(r->db, "permissions", SQL_PERMS, 1, param,
	    &pr)) != RA_OK)
		goto out;
	for (i = 0; i < PQntuples(pr); i++)
		if ((k = atoi(PQgetvalue(pr, i, 0))) > 0 && k < RA_INTERFACES)
			o->perm[k] = 1;
	er = RA_OK;
out:
	PQclear(res);
	PQclear(pr);
	PQfreemem(csrf);
	cert_clear(&cc);
	free(hash);
	return er;
}

static const char SQL_CERT_IS[] =
    "SELECT 1 FROM ra.certificate c"
    " WHERE c.cert_id = $1::bigint AND c.der = $2::bytea"
    "   AND c.state = 'issued' AND c.not_after > pg_catalog.now()"
    "   AND NOT EXISTS (SELECT 1 FROM ra.revocation r"
    "                    WHERE r.cert_id = c.cert_id)";

/*
 * Whether the presented client certificate is certificate "cert_id", still
 * valid (the renewal URL authenticates with the current RA certificate).
 * RA_EDENIED if not.
 */
enum ra_err
ra_client_cert_is(struct ra_req *r, int64_t cert_id)
{
	struct ra_clientcert	 cc;
	PGresult		*res = NULL;
	const char		*param[2];
	char			 id[24];
	enum ra_err		 er;

	if ((er = client_cert(&cc)) == RA_OK) {
		snprintf(id, sizeof(id), "%lld", (long long)cert_id);
		param[0] = id;
		param[1] = cc.der_hex;
		if ((er = ra_db_query(r->db, "client certificate", SQL_CERT_IS,
		    2, param, &res)) == RA_OK && PQntuples(res) != 1)
			er = RA_EDENIED;
	}
	PQclear(res);
	cert_clear(&cc);
	return er;
}

/*
 * What the menu says about the officer's RA certificates.  "revoked":
 * the older ones revoked as superseded since this session began (its
 * login's doing, lib/supersede.c), with when.  "newer": this session's
 * certificate is older than a delivered, live one, which will revoke it
 * at its first login or on the day "at" (its issue date plus $2 days,
 * the daily sweep's rule) at the latest.
 */
static const char SQL_CERT_NOTICES[] =
    "SELECT 'revoked' AS kind, c.serial::text AS serial,"
    "       to_char(v.revoked_at AT TIME ZONE 'Asia/Tokyo',"
    "         'YYYY-MM-DD HH24:MI') AS at,"
    "       to_char(v.revoked_at AT TIME ZONE 'Asia/Tokyo',"
    "         'YYYY\"年\"FMMM\"月\"FMDD\"日\" HH24:MI') AS at_ja"
    "  FROM ra.session s"
    "  JOIN ra.certificate c ON c.officer_id = s.officer_id"
    "  JOIN ra.revocation v ON v.cert_id = c.cert_id"
    " WHERE s.session_sha256 = $1::bytea AND c.cert_id <> s.cert_id"
    "   AND c.kind = 'ra_officer' AND v.reason = 4"
    "   AND v.revoked_at >= s.created_at"
    " UNION ALL"
    " (SELECT 'newer', n.serial::text,"
    "         to_char((n.issued_at AT TIME ZONE 'Asia/Tokyo')::date +"
    "           greatest($2::integer, 0), 'YYYY-MM-DD'),"
    "         to_char((n.issued_at AT TIME ZONE 'Asia/Tokyo')::date +"
    "           greatest($2::integer, 0), 'YYYY\"年\"FMMM\"月\"FMDD\"日\"')"
    "    FROM ra.session s"
    "    JOIN ra.certificate c ON c.cert_id = s.cert_id"
    "    JOIN ra.certificate n ON n.officer_id = s.officer_id"
    "   WHERE s.session_sha256 = $1::bytea AND n.kind = 'ra_officer'"
    "     AND n.state = 'issued' AND n.retrieved_at IS NOT NULL"
    "     AND n.not_after > pg_catalog.now()"
    "     AND n.cert_id > c.cert_id"
    "     AND NOT EXISTS (SELECT 1 FROM ra.revocation x"
    "                      WHERE x.cert_id = n.cert_id)"
    "   ORDER BY n.cert_id LIMIT 1)"
    " ORDER BY kind, serial";

/*
 * The menu's notices on the officer's RA certificates (rows of kind,
 * serial, at, at_ja; see SQL_CERT_NOTICES), "grace" the days an older
 * certificate outlives a newer one.  The caller frees "*res".
 */
enum ra_err
ra_officer_cert_notices(struct ra_req *r, const struct ra_officer *o,
    int grace, PGresult **res)
{
	return ra_db_run(r->db, "certificate notices", SQL_CERT_NOTICES, res,
	    RA_ARGS(RA_TEXT(o->session_hex), RA_INT(grace)));
}

/*
 * For the officer's screens: the database and the officer, or the failure
 * screen (403, login.cs) already sent and RA_EDONE.
 */
enum ra_err
ra_officer_open(struct ra_req *r, struct ra_officer *o)
{
	enum ra_err	 er;

	if ((er = ra_req_db(r, r->zone)) != RA_OK)
		return er;
	if ((er = ra_officer_get(r, o)) != RA_EDENIED)
		return er;
	if (r->refusal == NULL)
		r->refusal = "no officer session for this certificate";
	if ((er = ra_render(r, 403, "login.cs")) != RA_OK)
		return er;
	return RA_EDONE;
}

/* Whether the form's csrf field is the session's token. */
int
ra_officer_csrf_ok(struct ra_req *r, const struct ra_officer *o)
{
	const char	*v;

	v = r->cgi != NULL ? hdf_get_value(r->cgi->hdf, "Query.csrf", NULL) :
	    NULL;
	return v != NULL && o->csrf[0] != '\0' && strlen(v) == strlen(o->csrf) &&
	    CRYPTO_memcmp(v, o->csrf, strlen(v)) == 0;
}

/* End the session (logout). */
enum ra_err
ra_officer_logout(struct ra_req *r, const struct ra_officer *o)
{
	const char	*param[1] = { o->session_hex };

	return ra_db_command(r->db, "logout", SQL_END, 1, param);
}

/* The Set-Cookie header value: the session, or its removal. */
void
ra_officer_cookie(char *buf, size_t sz, const char *value)
{
	snprintf(buf, sz, COOKIE "=%s; Path=/ra/lra/; Secure; HttpOnly; "
	    "SameSite=Strict%s", value != NULL ? value : "",
	    value != NULL ? "" : "; Max-Age=0");
}

static const char SQL_OFFICER_INSTITUTION[] =
    "SELECT institution_id FROM ra.officer"
    " WHERE officer_id = $1::bigint AND status = 'active'";

/* The institution of an active officer; RA_ENOTFOUND for any other. */
enum ra_err
ra_officer_institution(PGconn *db, int64_t officer, int64_t *inst)
{
	return ra_db_run_i64(db, "officer", SQL_OFFICER_INSTITUTION,
	    "institution_id", inst, RA_ARGS(RA_INT(officer)));
}

/*
 * A shell twin's "--officer ID": the zone's database opened and the
 * institution of officer "officer"; RA_EINPUT, said on standard error,
 * when the officer is not registered or not active.
 */
enum ra_err
ra_officer_shell(struct ra_req *r, int64_t officer, int64_t *inst)
{
	enum ra_err	 er;

	if ((er = ra_req_db(r, r->zone)) != RA_OK)
		return er;
	if ((er = ra_officer_institution(r->db, officer, inst)) ==
	    RA_ENOTFOUND) {
		ra_warnx("officer %lld is not registered or not active",
		    (long long)officer);
		return RA_EINPUT;
	}
	return er;
}

/*
 * The officer as every screen of theirs shows them: names in both
 * languages (the page picks), the institution's state, the form token.
 */
void
ra_officer_page(struct ra_req *r, const struct ra_officer *o)
{
	hdf_set_value(r->page, "Officer.NameJa", o->name_ja);
	hdf_set_value(r->page, "Officer.NameEn", o->name_romaji);
	hdf_set_value(r->page, "Officer.InstitutionJa", o->institution_ja);
	hdf_set_value(r->page, "Officer.InstitutionEn", o->institution_en);
	hdf_set_value(r->page, "Officer.InstitutionStatus",
	    o->institution_status);
	hdf_set_value(r->page, "Officer.Csrf", o->csrf);
}
