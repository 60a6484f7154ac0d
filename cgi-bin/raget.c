/*
 * raget.cgi: the RA officer fetches their RA certificate from the one-time
 * URL mailed by the desk (manual 2-3-1-1):
 *
 *	GET  ?t=TOKEN			STEP1: the access PIN form (for a
 *					renewal URL, 2-3-1-2: the current RA
 *					certificate instead, then the P12
 *					password and the 【発行】 button)
 *	POST t, pin, step=pin		the PIN is checked (failures counted,
 *					the URL locked after Pin.MaxFailures);
 *					STEP2: the 【発行】 button
 *	POST t, s, step=issue		the certificate is requested once,
 *					however often this is sent; STEP3
 *					shows the P12 password once
 *	POST t, s, pass, format,	the PKCS#12 (modern or legacy); the
 *	     step=download		URL is used up
 *
 * "s" is the step nonce handed out after the right PIN: only its hash is
 * stored, it expires, and it is the forms' CSRF token.  Every attempt is
 * audited.  From a shell it answers like a GET without a token.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "ra.h"

#define P12_PASS_LEN	16

enum field {
	F_TOKEN, F_PIN, F_STEP, F_NONCE, F_PASS, F_FORMAT, F__MAX
};

static const struct ra_field fields[F__MAX] = {
	[F_TOKEN]	= { "t",	RA_TOKEN_LEN,	ra_valid_token },
	[F_PIN]		= { "pin",	64,		ra_valid_secret },
	[F_STEP]	= { "step",	16,		ra_valid_word },
	[F_NONCE]	= { "s",	RA_TOKEN_LEN,	ra_valid_token },
	[F_PASS]	= { "pass",	128,		ra_valid_secret },
	[F_FORMAT]	= { "format",	16,		ra_valid_word },
};

static const char SQL_TOKEN[] =
    "SELECT t.token_id, t.officer_id, t.institution_id, t.pin_salt,"
    "       t.pin_hash, coalesce(t.pin_cost, 0), t.failures,"
    "       t.locked_at IS NOT NULL, t.expires_at <= pg_catalog.now(),"
    "       t.used_at IS NOT NULL, coalesce(t.request_id, 0), t.step_sha256,"
    "       coalesce(t.step_expires_at <= pg_catalog.now(), true),"
    "       o.name_ja, o.name_romaji, i.name_ja, i.name_en,"
    "       o.status = 'active' AND i.status = 'active', t.purpose,"
    "       coalesce(t.cert_id, 0)"
    "  FROM ra.access_token t"
    "  JOIN ra.officer o ON o.officer_id = t.officer_id"
    "  JOIN ra.institution i ON i.institution_id = t.institution_id"
    " WHERE t.token_sha256 = $1::bytea"
    "   AND t.purpose IN ('ra_cert', 'ra_renew')"
    "   FOR UPDATE OF t";
enum {
	T_ID, T_OFFICER, T_INST, T_SALT, T_HASH, T_COST, T_FAILURES, T_LOCKED,
	T_EXPIRED, T_USED, T_REQUEST, T_STEP, T_STEP_EXPIRED, T_NAME_JA,
	T_ROMAJI, T_INST_JA, T_INST_EN, T_ACTIVE, T_PURPOSE, T_CERT
};
static const char SQL_PIN_FAILED[] =
    "UPDATE ra.access_token SET failures = failures + 1,"
    "       locked_at = CASE WHEN failures + 1 >= $2::integer"
    "                        THEN pg_catalog.now() END"
    " WHERE token_id = $1::bigint RETURNING failures, locked_at IS NOT NULL";
static const char SQL_STEP_SET[] =
    "UPDATE ra.access_token SET step_sha256 = $2::bytea,"
    "       step_expires_at = pg_catalog.now() + interval '30 minutes'"
    " WHERE token_id = $1::bigint";
static const char SQL_REQUESTED[] =
    "UPDATE ra.access_token SET request_id = $2::bigint"
    " WHERE token_id = $1::bigint";
static const char SQL_USED[] =
    "UPDATE ra.access_token SET used_at = pg_catalog.now(),"
    "       step_sha256 = NULL, step_expires_at = NULL"
    " WHERE token_id = $1::bigint";
static const char SQL_SERIAL[] =
    "SELECT serial::text FROM ra.certificate WHERE request_id = $1::bigint";

struct screen {
	struct ra_req	*r;
	const char	*f[F__MAX];
	PGresult	*tok;		/* the token row, locked */
	unsigned char	 sha[32];
};

/* One audit row for this screen: event, outcome and a short detail. */
static enum ra_err
audit(struct screen *sc, const char *event, const char *outcome,
    const char *detail)
{
	struct ra_event	 ev;
	char		 actor[40];

	memset(&ev, 0, sizeof(ev));
	snprintf(actor, sizeof(actor), "officer:%s", sc->tok != NULL ?
	    PQgetvalue(sc->tok, 0, T_OFFICER) : "?");
	ev.event = event;
	ev.outcome = outcome;
	ev.actor = actor;
	if (sc->tok != NULL) {
		ev.institution_id = strtoll(PQgetvalue(sc->tok, 0, T_INST),
		    NULL, 10);
		ev.officer_id = strtoll(PQgetvalue(sc->tok, 0, T_OFFICER),
		    NULL, 10);
	}
	ev.source_ip = ra_req_env("REMOTE_ADDR");
	ev.detail = detail;
	return ra_audit(sc->r->db, &ev);
}

/* Render a step; the page is told which one and what it needs. */
static enum ra_err
show(struct screen *sc, int status, const char *step)
{
	hdf_set_value(sc->r->page, "Get.Step", step);
	if (sc->f[F_TOKEN] != NULL)
		hdf_set_value(sc->r->page, "Get.Token", sc->f[F_TOKEN]);
	if (sc->tok != NULL) {
		hdf_set_value(sc->r->page, "Get.NameJa",
		    PQgetvalue(sc->tok, 0, T_NAME_JA));
		hdf_set_value(sc->r->page, "Get.InstitutionJa",
		    PQgetvalue(sc->tok, 0, T_INST_JA));
	}
	return ra_render(sc->r, status, "raget.cs");
}

/*
 * Find and lock the token; "why" names a state that ends here (unknown,
 * used, expired, locked), NULL when the URL is good.
 */
static enum ra_err
token_load(struct screen *sc, const char **why)
{
	const char	*param[1];
	char		*hex;
	enum ra_err	 er;

	*why = "invalid";
	if (sc->f[F_TOKEN] == NULL ||
	    ra_token_hash(sc->f[F_TOKEN], sc->sha) != RA_OK)
		return RA_OK;
	if ((hex = ra_bytea_hex(sc->sha, sizeof(sc->sha))) == NULL)
		return RA_ENOMEM;
	param[0] = hex;
	er = ra_db_query(sc->r->db, "token", SQL_TOKEN, 1, param, &sc->tok);
	free(hex);
	if (er != RA_OK)
		return er;
	if (PQntuples(sc->tok) != 1) {
		PQclear(sc->tok);
		sc->tok = NULL;
		return RA_OK;
	}
	if (strcmp(PQgetvalue(sc->tok, 0, T_USED), "t") == 0 ||
	    strcmp(PQgetvalue(sc->tok, 0, T_EXPIRED), "t") == 0 ||
	    strcmp(PQgetvalue(sc->tok, 0, T_ACTIVE), "t") != 0)
		*why = "invalid";
	else if (strcmp(PQgetvalue(sc->tok, 0, T_LOCKED), "t") == 0)
		*why = "locked";
	else
		*why = NULL;
	return RA_OK;
}

/* Whether the form's step nonce is the one handed out and still fresh. */
static int
nonce_ok(struct screen *sc)
{
	unsigned char	 sha[32], *want = NULL;
	size_t		 len = 0;
	int		 ok;

	if (sc->f[F_NONCE] == NULL ||
	    ra_token_hash(sc->f[F_NONCE], sha) != RA_OK ||
	    strcmp(PQgetvalue(sc->tok, 0, T_STEP_EXPIRED), "f") != 0 ||
	    ra_bytea_get(sc->tok, 0, T_STEP, &want, &len) != RA_OK)
		return 0;
	ok = len == sizeof(sha) && CRYPTO_memcmp(sha, want, len) == 0;
	PQfreemem(want);
	return ok;
}

/* A new step nonce for this URL; "nonce" gets the value for the form. */
static enum ra_err
nonce_new(struct screen *sc, char nonce[RA_TOKEN_LEN + 1])
{
	unsigned char	 sha[32];
	const char	*param[2];
	char		*hex;
	enum ra_err	 er;

	if ((er = ra_token_new(nonce, sha)) != RA_OK)
		return er;
	if ((hex = ra_bytea_hex(sha, sizeof(sha))) == NULL)
		return RA_ENOMEM;
	param[0] = PQgetvalue(sc->tok, 0, T_ID);
	param[1] = hex;
	er = ra_db_command(sc->r->db, "step", SQL_STEP_SET, 2, param);
	free(hex);
	return er;
}

static int
is_renewal(const struct screen *sc)
{
	return strcmp(PQgetvalue(sc->tok, 0, T_PURPOSE), "ra_renew") == 0;
}

/* Whether 発行 was pressed for this URL already. */
static int
requested(const struct screen *sc)
{
	return strcmp(PQgetvalue(sc->tok, 0, T_REQUEST), "0") != 0;
}

/*
 * The page before 【発行】, for a new RA certificate (after the PIN) or a
 * renewal (after the certificate check): a fresh step nonce, and the P12
 * password made now and shown before 【発行】 (manual 2-3-1-2), which the
 * 【発行】 form carries back, so whichever answer to a double click the
 * browser keeps shows the password the key is under.  Once 発行 was
 * pressed no new password is made: STEP3 asks for the one noted then.
 */
static enum ra_err
before_issue(struct screen *sc, const char *event, const char *step)
{
	char		 pass[P12_PASS_LEN + 1] = "", nonce[RA_TOKEN_LEN + 1];
	int		 again = requested(sc);
	enum ra_err	 er;

	if ((!again && (er = ra_pin_new(pass, P12_PASS_LEN)) != RA_OK) ||
	    (er = nonce_new(sc, nonce)) != RA_OK ||
	    (er = audit(sc, event, "ok", NULL)) != RA_OK ||
	    (er = ra_db_commit(sc->r->db)) != RA_OK)
		goto out;
	hdf_set_value(sc->r->page, "Get.Nonce", nonce);
	if (!again)
		hdf_set_value(sc->r->page, "Get.Pass", pass);
	er = show(sc, 200, again ? "again" : step);
out:
	OPENSSL_cleanse(pass, sizeof(pass));
	OPENSSL_cleanse(nonce, sizeof(nonce));
	return er;
}

/* A renewal URL opened with the current RA certificate. */
static enum ra_err
step_renew(struct screen *sc)
{
	return before_issue(sc, "ra_cert.renew", "renew");
}

/* STEP1 posted: count a wrong PIN, or hand out the step nonce. */
static enum ra_err
step_pin(struct screen *sc)
{
	PGresult	*res = NULL;
	unsigned char	*salt = NULL, *hash = NULL;
	size_t		 saltlen, hashlen;
	const char	*param[2];
	char		 max[16], left[16];
	int		 match, maxf;
	enum ra_err	 er;

	if (PQgetisnull(sc->tok, 0, T_HASH)) {
		if ((er = audit(sc, "pin.attempt", "refused",
		    "{\"why\": \"no PIN issued yet\"}")) != RA_OK ||
		    (er = ra_db_commit(sc->r->db)) != RA_OK)
			return er;
		return show(sc, 403, "nopin");
	}
	if ((er = ra_bytea_get(sc->tok, 0, T_SALT, &salt, &saltlen)) != RA_OK ||
	    (er = ra_bytea_get(sc->tok, 0, T_HASH, &hash, &hashlen)) != RA_OK)
		goto out;
	match = sc->f[F_PIN] != NULL && ra_pin_check(sc->f[F_PIN], salt,
	    saltlen, atoi(PQgetvalue(sc->tok, 0, T_COST)), hash, hashlen) == 1;
	if (!match) {
		if ((maxf = ra_conf_int(&sc->r->conf, "Pin.MaxFailures", 5)) < 1)
			maxf = 1;
		snprintf(max, sizeof(max), "%d", maxf);
		param[0] = PQgetvalue(sc->tok, 0, T_ID);
		param[1] = max;
		if ((er = ra_db_query(sc->r->db, "PIN failed", SQL_PIN_FAILED,
		    2, param, &res)) != RA_OK ||
		    (er = audit(sc, "pin.attempt", "fail", NULL)) != RA_OK ||
		    (er = ra_db_commit(sc->r->db)) != RA_OK)
			goto out;
		if (strcmp(PQgetvalue(res, 0, 1), "t") == 0) {
			er = show(sc, 403, "locked");
			goto out;
		}
		snprintf(left, sizeof(left), "%d",
		    maxf - atoi(PQgetvalue(res, 0, 0)));
		hdf_set_value(sc->r->page, "Get.Left", left);
		er = show(sc, 403, "badpin");
		goto out;
	}
	er = before_issue(sc, "pin.attempt", "issue");
out:
	PQclear(res);
	PQfreemem(salt);
	PQfreemem(hash);
	return er;
}

/* The RA certificate's subject: C, O, the RA marker, CN = romaji name. */
static enum ra_err
ra_subject(struct screen *sc, X509_NAME **out, char *why, size_t whysz)
{
	const char	*marker = ra_conf_get(&sc->r->conf, "Ra.Marker");
	char		 dn[512];

	snprintf(dn, sizeof(dn), "CN=%s,%s,O=%s,C=JP",
	    PQgetvalue(sc->tok, 0, T_ROMAJI),
	    marker != NULL ? marker : "L=Academe-ops",
	    PQgetvalue(sc->tok, 0, T_INST_EN));
	return ra_dn_parse(dn, out, why, whysz);
}

/* STEP2 posted: request the certificate unless this URL already did. */
static enum ra_err
step_issue(struct screen *sc)
{
	struct ra_newreq	 rq;
	X509_NAME		*subject = NULL;
	const char		*param[2];
	char			 pass[P12_PASS_LEN + 1], why[256], rid[24],
				 state[16] = "", err[256] = "";
	int64_t			 id;
	enum ra_err		 er;

	/* The password shown with the 【発行】 button comes back. */
	if (sc->f[F_PASS] == NULL || strlen(sc->f[F_PASS]) != P12_PASS_LEN)
		return RA_EINPUT;
	snprintf(pass, sizeof(pass), "%s", sc->f[F_PASS]);
	if (requested(sc)) {
		/*
		 * 発行 pressed again, a reload, or back: nothing new, and the
		 * same STEP3 as the first answer, with the password this
		 * form carried (the one shown before 【発行】).
		 */
		if ((er = audit(sc, "ra_cert.request", "refused",
		    "{\"why\": \"already requested\"}")) != RA_OK ||
		    (er = ra_db_commit(sc->r->db)) != RA_OK)
			goto out;
		id = strtoll(PQgetvalue(sc->tok, 0, T_REQUEST), NULL, 10);
		goto shown;
	}
	memset(&rq, 0, sizeof(rq));
	if (is_renewal(sc))
		rq.target_cert_id = strtoll(PQgetvalue(sc->tok, 0, T_CERT),
		    NULL, 10);
	if ((er = ra_subject(sc, &subject, why, sizeof(why))) != RA_OK)
		goto out;
	rq.institution_id = strtoll(PQgetvalue(sc->tok, 0, T_INST), NULL, 10);
	rq.officer_id = strtoll(PQgetvalue(sc->tok, 0, T_OFFICER), NULL, 10);
	rq.profile_id = ra_conf_int(&sc->r->conf, "Ra.Profile", 1);
	rq.subject = subject;
	rq.key_secret = pass;
	if ((er = ra_request_add(sc->r->db, &rq, &id, why, sizeof(why))) !=
	    RA_OK) {
		ra_warnx("RA certificate refused: %s", why);
		goto out;
	}
	snprintf(rid, sizeof(rid), "%lld", (long long)id);
	param[0] = PQgetvalue(sc->tok, 0, T_ID);
	param[1] = rid;
	if ((er = ra_db_command(sc->r->db, "requested", SQL_REQUESTED, 2,
	    param)) != RA_OK ||
	    (er = ra_queue_notify(sc->r->db)) != RA_OK ||
	    (er = audit(sc, "ra_cert.request", "ok", NULL)) != RA_OK ||
	    (er = ra_db_commit(sc->r->db)) != RA_OK)
		goto out;
shown:
	/* A few seconds for the worker; the download waits if need be. */
	(void)ra_request_wait(sc->r->db, id, 1000L * ra_conf_int(&sc->r->conf,
	    "Web.WaitSeconds", 5), state, sizeof(state), err, sizeof(err));
	hdf_set_value(sc->r->page, "Get.Issued", strcmp(state, "done") == 0 ?
	    "1" : "0");
	hdf_set_value(sc->r->page, "Get.Pass", pass);
	hdf_set_value(sc->r->page, "Get.Nonce", sc->f[F_NONCE]);
	er = show(sc, 200, "done");
out:
	OPENSSL_cleanse(pass, sizeof(pass));
	X509_NAME_free(subject);
	return er;
}

/* STEP3: the PKCS#12, built now in the format asked for. */
static enum ra_err
step_download(struct screen *sc)
{
	PGresult	*res = NULL;
	unsigned char	*der = NULL;
	size_t		 len = 0;
	const char	*param[1];
	int		 prof;
	enum ra_err	 er;

	hdf_set_value(sc->r->page, "Get.Nonce", sc->f[F_NONCE]);
	if (strcmp(PQgetvalue(sc->tok, 0, T_REQUEST), "0") == 0 ||
	    sc->f[F_PASS] == NULL)
		return show(sc, 400, "issue");
	prof = ra_p12_profile(sc->f[F_FORMAT] != NULL ? sc->f[F_FORMAT] :
	    "modern");
	if (prof < 0)
		return RA_EINPUT;
	/* The token row stays locked: one download at a time. */
	er = ra_p12_take(sc->r->db, strtoll(PQgetvalue(sc->tok, 0, T_REQUEST),
	    NULL, 10), sc->f[F_PASS], prof, "raget", &der, &len);
	if (er == RA_ENOTFOUND || er == RA_EDENIED) {
		/* ra_p12_take rolled back; record the attempt on its own. */
		if ((er = ra_db_begin(sc->r->db)) == RA_OK &&
		    (er = audit(sc, "ra_cert.download", "fail", NULL)) == RA_OK)
			er = ra_db_commit(sc->r->db);
		if (er != RA_OK)
			return er;
		return show(sc, 409, "notyet");
	}
	if (er != RA_OK)
		return er;
	param[0] = PQgetvalue(sc->tok, 0, T_ID);
	if ((er = ra_db_command(sc->r->db, "URL used", SQL_USED, 1, param)) !=
	    RA_OK ||
	    (er = audit(sc, "ra_cert.download", "ok", NULL)) != RA_OK)
		goto out;
	param[0] = PQgetvalue(sc->tok, 0, T_REQUEST);
	if ((er = ra_db_query(sc->r->db, "serial", SQL_SERIAL, 1, param,
	    &res)) != RA_OK)
		goto out;
	if (PQntuples(res) != 1) {
		er = RA_ENOTFOUND;
		goto out;
	}
	printf("Status: 200\r\nContent-Type: application/x-pkcs12\r\n"
	    "Content-Disposition: attachment; filename=\"ra-officer-%s.p12\"\r\n"
	    "Content-Length: %zu\r\nCache-Control: no-store\r\n\r\n",
	    PQgetvalue(res, 0, 0), len);
	if (fwrite(der, 1, len, stdout) != len || fflush(stdout) != 0) {
		er = RA_ESYS;
		goto out;
	}
	er = ra_db_commit(sc->r->db);
out:
	ra_db_rollback(sc->r->db);
	PQclear(res);
	OPENSSL_clear_free(der, len);
	return er;
}

static enum ra_err
screen_run(struct screen *sc)
{
	const char	*method = ra_req_method(sc->r), *why, *step;
	enum ra_err	 er;

	if ((er = ra_form_get(sc->r, fields, F__MAX, sc->f)) != RA_OK ||
	    (er = ra_req_db(sc->r, RA_DB_WEB)) != RA_OK ||
	    (er = ra_db_begin(sc->r->db)) != RA_OK ||
	    (er = token_load(sc, &why)) != RA_OK)
		return er;
	if (why != NULL) {
		if (sc->tok != NULL && (er = audit(sc, "ra_cert.url",
		    "refused", strcmp(why, "locked") == 0 ?
		    "{\"why\": \"locked\"}" : "{\"why\": \"invalid\"}")) !=
		    RA_OK)
			return er;
		if ((er = ra_db_commit(sc->r->db)) != RA_OK)
			return er;
		return show(sc, strcmp(why, "locked") == 0 ? 403 : 404, why);
	}
	step = sc->f[F_STEP] != NULL ? sc->f[F_STEP] : "";
	if (is_renewal(sc) && ra_client_cert_is(sc->r, strtoll(PQgetvalue(
	    sc->tok, 0, T_CERT), NULL, 10)) != RA_OK) {
		/* The renewal URL needs the certificate it renews. */
		if ((er = audit(sc, "ra_cert.renew", "refused",
		    "{\"why\": \"not the current RA certificate\"}")) != RA_OK ||
		    (er = ra_db_commit(sc->r->db)) != RA_OK)
			return er;
		return show(sc, 403, "renewcert");
	}
	if (strcmp(method, "POST") != 0) {
		if (is_renewal(sc))
			return step_renew(sc);
		ra_db_rollback(sc->r->db);
		return show(sc, 200, "pin");		/* STEP1 */
	}
	if (strcmp(step, "pin") == 0 && !is_renewal(sc))
		return step_pin(sc);
	if (!nonce_ok(sc)) {
		/* No, stale or forged step nonce: a CSRF or an old page. */
		if ((er = audit(sc, "ra_cert.step", "refused",
		    "{\"why\": \"step nonce\"}")) != RA_OK ||
		    (er = ra_db_commit(sc->r->db)) != RA_OK)
			return er;
		return show(sc, 403, "stale");
	}
	if (strcmp(step, "issue") == 0)
		return step_issue(sc);
	if (strcmp(step, "download") == 0)
		return step_download(sc);
	return RA_EINPUT;
}

static enum ra_err
raget(struct ra_req *r)
{
	struct screen	 sc;
	enum ra_err	 er;

	memset(&sc, 0, sizeof(sc));
	sc.r = r;
	er = screen_run(&sc);
	PQclear(sc.tok);
	return er;
}

int
main(int argc, char *argv[])
{
	static const struct ra_screen sc = { fields, F__MAX, raget };

	return ra_web_main(argc, argv, &sc);
}
