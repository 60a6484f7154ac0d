/*
 * desk.cgi: the service desk (サービス窓口), from a shell.
 *
 *	desk.cgi institution-add --code C --name-ja J --name-en E --st S
 *	    --l L --from DATE --until DATE [--status active|review]
 *	desk.cgi domain-add --institution C --domain D
 *	desk.cgi ou-add --domain D --ou OU
 *	desk.cgi officer-add --institution C --name-ja J --romaji R
 *	    --mail M --phone P --domains D1,D2 --interfaces 1,2,10
 *	desk.cgi url-reissue --officer ID	(new or lost certificate)
 *	desk.cgi pin-issue --officer ID [--letter FILE]
 *	desk.cgi pin-reset --officer ID
 *	desk.cgi renew-notify [--days N]	(cron, default Ra.RenewDays 30)
 *
 * Registering an officer mails them the certificate retrieval URL
 * (登録担当者用証明書発行受付通知); after the identity check out of band,
 * pin-issue prints the access PIN once (and a printable letter).  Every
 * action is audited.  Under Apache: 403.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/pem.h>
#include <openssl/rand.h>

#include "ra.h"

#define PIN_LEN		12
#define SALT_LEN	16

struct desk_opts {
	const char	*code, *name_ja, *name_en, *st, *l, *from, *until,
			*status, *institution, *domain, *ou, *romaji, *mail,
			*phone, *domains, *interfaces, *letter;
	long long	 officer, days;
	FILE		*out;		/* what to tell the desk */
	const char	*actor;		/* "desk:<who>" in the audit log */
	enum ra_db_role	 role;		/* the desk zone's (ra_desk) */
	const char	*cert;		/* operator-add: a PEM file */
	char		 actor_buf[96];
};

static const char SQL_INSTITUTION_ADD[] =
    "INSERT INTO ra.institution (code, name_ja, name_en, st, l, status,"
    "  usage_from, usage_until)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7::date, $8::date)"
    " RETURNING institution_id";
static const char SQL_DOMAIN_ADD[] =
    "INSERT INTO ra.domain (institution_id, name)"
    " SELECT institution_id, pg_catalog.lower($2) FROM ra.institution"
    "  WHERE code = $1 RETURNING institution_id";
static const char SQL_OU_ADD[] =
    "INSERT INTO ra.domain_ou (domain_id, ou)"
    " SELECT domain_id, $2 FROM ra.domain WHERE name = pg_catalog.lower($1)"
    " RETURNING (SELECT institution_id FROM ra.domain WHERE name ="
    "  pg_catalog.lower($1))";
/* Who gets a retrieval URL: the columns officer_url() reads, in order. */
enum { U_OFFICER, U_INST, U_INST_JA, U_NAME_JA, U_ROMAJI, U_MAIL };
static const char SQL_OFFICER_ADD[] =
    "INSERT INTO ra.officer (institution_id, name_ja, name_romaji, mail, phone)"
    " SELECT institution_id, $2, $3, $4, $5 FROM ra.institution WHERE code = $1"
    " RETURNING officer_id, institution_id,"
    "  (SELECT name_ja FROM ra.institution WHERE code = $1),"
    "  name_ja, name_romaji, mail";
static const char SQL_OFFICER_OF[] =
    "SELECT o.officer_id, o.institution_id, i.name_ja, o.name_ja,"
    "       o.name_romaji, o.mail"
    "  FROM ra.officer o JOIN ra.institution i USING (institution_id)"
    " WHERE o.officer_id = $1::bigint AND o.status = 'active'";
static const char SQL_URL_SUPERSEDE[] =
    "UPDATE ra.access_token SET used_at = pg_catalog.now()"
    " WHERE officer_id = $1::bigint AND purpose = 'ra_cert'"
    "   AND used_at IS NULL";
static const char SQL_OFFICER_DOMAINS[] =
    "INSERT INTO ra.officer_domain (institution_id, officer_id, domain_id)"
    " SELECT institution_id, $2::bigint, domain_id FROM ra.domain"
    "  WHERE institution_id = $1::bigint"
    "    AND name = ANY (pg_catalog.string_to_array(pg_catalog.lower($3), ','))";
static const char SQL_OFFICER_PERMS[] =
    "INSERT INTO ra.officer_permission (officer_id, interface)"
    " SELECT $1::bigint, i::smallint"
    "   FROM pg_catalog.unnest(pg_catalog.string_to_array($2, ',')) AS i";
static const char SQL_TOKEN_ADD[] =
    "INSERT INTO ra.access_token (purpose, token_sha256, institution_id,"
    "  officer_id, expires_at)"
    " VALUES ('ra_cert', $1::bytea, $2::bigint, $3::bigint,"
    "  pg_catalog.now() + pg_catalog.make_interval(days => $4::integer))"
    " RETURNING to_char(expires_at AT TIME ZONE 'Asia/Tokyo',"
    "  'YYYY-MM-DD HH24:MI')";
static const char SQL_TOKEN_OF[] =
    "SELECT t.token_id, o.institution_id, o.name_ja, o.name_romaji,"
    "       i.name_ja, to_char(t.expires_at AT TIME ZONE 'Asia/Tokyo',"
    "       'YYYY-MM-DD HH24:MI'), t.locked_at IS NOT NULL"
    "  FROM ra.access_token t"
    "  JOIN ra.officer o ON o.officer_id = t.officer_id"
    "  JOIN ra.institution i ON i.institution_id = o.institution_id"
    " WHERE t.officer_id = $1::bigint AND t.purpose = 'ra_cert'"
    "   AND t.used_at IS NULL AND t.expires_at > pg_catalog.now()"
    "   FOR UPDATE OF t";
static const char SQL_PIN_SET[] =
    "UPDATE ra.access_token SET pin_kdf = 'pbkdf2-sha256',"
    "       pin_salt = $2::bytea, pin_hash = $3::bytea,"
    "       pin_cost = $4::integer, pin_set_at = pg_catalog.now()"
    " WHERE token_id = $1::bigint";
static const char SQL_PIN_RESET[] =
    "UPDATE ra.access_token SET pin_kdf = NULL, pin_salt = NULL,"
    "       pin_hash = NULL, pin_cost = NULL, pin_set_at = NULL,"
    "       failures = 0, locked_at = NULL"
    " WHERE token_id = $1::bigint";

/* RA certificates near expiry whose officer has no live renewal URL. */
static const char SQL_EXPIRING[] =
    "SELECT c.cert_id, c.officer_id, c.institution_id, o.name_ja, o.mail,"
    "       i.name_ja, to_char(c.not_after AT TIME ZONE 'Asia/Tokyo',"
    "       'YYYY-MM-DD'), o.name_romaji"
    "  FROM ra.certificate c"
    "  JOIN ra.officer o ON o.officer_id = c.officer_id"
    "  JOIN ra.institution i ON i.institution_id = c.institution_id"
    " WHERE c.kind = 'ra_officer' AND c.state = 'issued'"
    "   AND c.not_after BETWEEN pg_catalog.now()"
    "       AND pg_catalog.now() + pg_catalog.make_interval(days => $1::integer)"
    "   AND o.status = 'active' AND i.status = 'active'"
    "   AND NOT EXISTS (SELECT 1 FROM ra.revocation r"
    "                    WHERE r.cert_id = c.cert_id)"
    "   AND c.cert_id = (SELECT max(c2.cert_id) FROM ra.certificate c2"
    "                     WHERE c2.officer_id = c.officer_id"
    "                       AND c2.state = 'issued')"
    "   AND NOT EXISTS (SELECT 1 FROM ra.access_token t"
    "                    WHERE t.officer_id = c.officer_id"
    "                      AND t.purpose = 'ra_renew' AND t.used_at IS NULL"
    "                      AND t.expires_at > pg_catalog.now())";
/* An older, expired renewal URL gives way to the new one. */
static const char SQL_RENEW_SUPERSEDE[] =
    "UPDATE ra.access_token SET used_at = pg_catalog.now()"
    " WHERE officer_id = $1::bigint AND purpose = 'ra_renew'"
    "   AND used_at IS NULL";
static const char SQL_RENEW_TOKEN[] =
    "INSERT INTO ra.access_token (purpose, token_sha256, institution_id,"
    "  officer_id, cert_id, expires_at)"
    " SELECT 'ra_renew', $1::bytea, $2::bigint, $3::bigint, $4::bigint,"
    "        least(not_after, pg_catalog.now() +"
    "              pg_catalog.make_interval(days => $5::integer))"
    "   FROM ra.certificate WHERE cert_id = $4::bigint"
    " RETURNING to_char(expires_at AT TIME ZONE 'Asia/Tokyo',"
    "  'YYYY-MM-DD HH24:MI')";

static enum ra_err
desk_audit(PGconn *db, const struct desk_opts *o, const char *event,
    int64_t inst, int64_t officer, const char *detail)
{
	struct ra_event	 ev;

	memset(&ev, 0, sizeof(ev));
	ev.event = event;
	ev.outcome = "ok";
	ev.actor = o->actor;
	ev.source_ip = ra_req_env("REMOTE_ADDR");
	ev.institution_id = inst;
	ev.officer_id = officer;
	ev.detail = detail;
	return ra_audit(db, &ev);
}

/* Run one INSERT ... RETURNING in a transaction with its audit row. */
static enum ra_err
desk_insert(struct ra_req *r, const struct desk_opts *o, const char *what,
    const char *sql, int n, const char *const *param, const char *event,
    const char *notfound)
{
	PGresult	*res = NULL;
	enum ra_err	 er;

	if ((er = ra_req_db(r, o->role)) != RA_OK ||
	    (er = ra_db_begin(r->db)) != RA_OK)
		return er;
	if ((er = ra_db_query(r->db, what, sql, n, param, &res)) != RA_OK)
		goto out;
	if (PQntuples(res) != 1) {
		ra_warnx("%s", notfound);
		er = RA_EINPUT;
		goto out;
	}
	if ((er = desk_audit(r->db, o, event, strtoll(PQgetvalue(res, 0, 0), NULL,
	    10), 0, NULL)) == RA_OK &&
	    (er = ra_db_commit(r->db)) == RA_OK)
		fprintf(o->out, "%s registered\n", what);
out:
	PQclear(res);
	ra_db_rollback(r->db);
	if (er == RA_EDUP)
		ra_warnx("%s: already registered", what);
	return er;
}

static enum ra_err
cmd_institution_add(struct ra_req *r, const struct desk_opts *o)
{
	const char	*param[8];

	if (o->code == NULL || o->name_ja == NULL || o->name_en == NULL ||
	    o->st == NULL || o->l == NULL || o->from == NULL ||
	    o->until == NULL)
		return RA_EUSAGE;
	param[0] = o->code;
	param[1] = o->name_ja;
	param[2] = o->name_en;
	param[3] = o->st;
	param[4] = o->l;
	param[5] = o->status != NULL ? o->status : "active";
	param[6] = o->from;
	param[7] = o->until;
	return desk_insert(r, o, "institution", SQL_INSTITUTION_ADD, 8, param,
	    "desk.institution.add", "institution not added");
}

static enum ra_err
cmd_domain_add(struct ra_req *r, const struct desk_opts *o)
{
	const char	*param[2];

	if (o->institution == NULL || o->domain == NULL)
		return RA_EUSAGE;
	param[0] = o->institution;
	param[1] = o->domain;
	return desk_insert(r, o, "domain", SQL_DOMAIN_ADD, 2, param,
	    "desk.domain.add", "no institution has that code");
}

static enum ra_err
cmd_ou_add(struct ra_req *r, const struct desk_opts *o)
{
	const char	*param[2];

	if (o->domain == NULL || o->ou == NULL)
		return RA_EUSAGE;
	param[0] = o->domain;
	param[1] = o->ou;
	return desk_insert(r, o, "OU allow list", SQL_OU_ADD, 2, param,
	    "desk.ou.add", "that domain is not registered");
}

/* Days a retrieval URL lives (Pin.UrlDays, at least 1). */
static int
url_days(const struct ra_req *r)
{
	int	 d = ra_conf_int(&r->conf, "Pin.UrlDays", 31);

	return d < 1 ? 1 : d;
}

/*
 * Inside a transaction: a new certificate retrieval URL for the officer,
 * and the mail that carries it (登録担当者用証明書発行受付通知).  The URL
 * itself is never shown to the desk.
 */
static enum ra_err
officer_url(struct ra_req *r, PGresult *who)
{
	struct ra_kv	 kv[5];
	PGresult	*tok = NULL;
	const char	*param[4], *base;
	unsigned char	 sha[32];
	char		 token[RA_TOKEN_LEN + 1], url[512], days[16],
			*hex = NULL;
	enum ra_err	 er;

	if ((base = ra_conf_get(&r->conf, "Site.URL")) == NULL) {
		ra_warnx("config %s: Site.URL is not set", r->conf.path);
		return RA_ECONF;
	}
	if ((er = ra_token_new(token, sha)) != RA_OK ||
	    (hex = ra_bytea_hex(sha, sizeof(sha))) == NULL) {
		er = er != RA_OK ? er : RA_ENOMEM;
		goto out;
	}
	snprintf(days, sizeof(days), "%d", url_days(r));
	param[0] = hex;
	param[1] = PQgetvalue(who, 0, U_INST);
	param[2] = PQgetvalue(who, 0, U_OFFICER);
	param[3] = days;
	if ((er = ra_db_query(r->db, "retrieval URL", SQL_TOKEN_ADD, 4, param,
	    &tok)) != RA_OK)
		goto out;
	snprintf(url, sizeof(url), "%s/raget.cgi?t=%s", base, token);
	kv[0] = (struct ra_kv){ "NameJa", PQgetvalue(who, 0, U_NAME_JA) };
	kv[1] = (struct ra_kv){ "NameRomaji", PQgetvalue(who, 0, U_ROMAJI) };
	kv[2] = (struct ra_kv){ "InstitutionJa", PQgetvalue(who, 0, U_INST_JA) };
	kv[3] = (struct ra_kv){ "URL", url };
	kv[4] = (struct ra_kv){ "Expires", PQgetvalue(tok, 0, 0) };
	er = ra_mail_queue(r->db, "ra-cert-url", PQgetvalue(who, 0, U_MAIL), kv,
	    5);
out:
	OPENSSL_cleanse(token, sizeof(token));
	OPENSSL_cleanse(url, sizeof(url));
	PQclear(tok);
	free(hex);
	return er;
}

/*
 * Register an RA officer with domains and interfaces, make their
 * retrieval URL and queue the mail that carries it: one transaction.
 */
static enum ra_err
cmd_officer_add(struct ra_req *r, const struct desk_opts *o)
{
	PGresult	*res = NULL, *dom = NULL;
	const char	*param[5], *p;
	size_t		 ndom;
	enum ra_err	 er;

	if (o->institution == NULL || o->name_ja == NULL || o->romaji == NULL ||
	    o->mail == NULL || o->phone == NULL || o->domains == NULL ||
	    o->interfaces == NULL)
		return RA_EUSAGE;
	if ((er = ra_req_db(r, o->role)) != RA_OK ||
	    (er = ra_db_begin(r->db)) != RA_OK)
		return er;
	param[0] = o->institution;
	param[1] = o->name_ja;
	param[2] = o->romaji;
	param[3] = o->mail;
	param[4] = o->phone;
	if ((er = ra_db_query(r->db, "officer", SQL_OFFICER_ADD, 5, param,
	    &res)) != RA_OK)
		goto out;
	if (PQntuples(res) != 1) {
		ra_warnx("no institution has code %s", o->institution);
		er = RA_EINPUT;
		goto out;
	}
	for (ndom = 1, p = o->domains; *p != '\0'; p++)
		ndom += *p == ',';
	param[0] = PQgetvalue(res, 0, U_INST);
	param[1] = PQgetvalue(res, 0, U_OFFICER);
	param[2] = o->domains;
	if ((er = ra_db_query(r->db, "officer domains", SQL_OFFICER_DOMAINS, 3,
	    param, &dom)) != RA_OK)
		goto out;
	if (strtoul(PQcmdTuples(dom), NULL, 10) != ndom) {
		ra_warnx("%s: every domain must be registered for institution "
		    "%s", o->domains, o->institution);
		er = RA_EINPUT;
		goto out;
	}
	param[0] = PQgetvalue(res, 0, U_OFFICER);
	param[1] = o->interfaces;
	if ((er = ra_db_command(r->db, "officer interfaces", SQL_OFFICER_PERMS,
	    2, param)) != RA_OK ||
	    (er = officer_url(r, res)) != RA_OK ||
	    (er = desk_audit(r->db, o, "desk.officer.add",
	    strtoll(PQgetvalue(res, 0, U_INST), NULL, 10),
	    strtoll(PQgetvalue(res, 0, U_OFFICER), NULL, 10), NULL)) != RA_OK ||
	    (er = ra_db_commit(r->db)) != RA_OK)
		goto out;
	fprintf(o->out, "officer %s registered; the retrieval URL is mailed to "
	    "%s\n", PQgetvalue(res, 0, U_OFFICER), o->mail);
out:
	ra_db_rollback(r->db);
	PQclear(res);
	PQclear(dom);
	if (er == RA_EDUP)
		ra_warnx("an officer with mail %s is already registered there",
		    o->mail);
	return er;
}

/*
 * A new retrieval URL for a registered officer (new or lost certificate,
 * or the old URL expired unused): the old ones stop working.
 */
static enum ra_err
cmd_url_reissue(struct ra_req *r, const struct desk_opts *o)
{
	PGresult	*res = NULL;
	const char	*param[1];
	char		 off[24];
	enum ra_err	 er;

	if (o->officer <= 0)
		return RA_EUSAGE;
	snprintf(off, sizeof(off), "%lld", o->officer);
	if ((er = ra_req_db(r, o->role)) != RA_OK ||
	    (er = ra_db_begin(r->db)) != RA_OK)
		return er;
	param[0] = off;
	if ((er = ra_db_query(r->db, "officer", SQL_OFFICER_OF, 1, param,
	    &res)) != RA_OK)
		goto out;
	if (PQntuples(res) != 1) {
		ra_warnx("officer %s is not registered or not active", off);
		er = RA_EINPUT;
		goto out;
	}
	if ((er = ra_db_command(r->db, "old URLs", SQL_URL_SUPERSEDE, 1,
	    param)) != RA_OK ||
	    (er = officer_url(r, res)) != RA_OK ||
	    (er = desk_audit(r->db, o, "desk.url.reissue",
	    strtoll(PQgetvalue(res, 0, U_INST), NULL, 10), o->officer,
	    NULL)) != RA_OK ||
	    (er = ra_db_commit(r->db)) != RA_OK)
		goto out;
	fprintf(o->out, "a new retrieval URL for officer %s is mailed to %s\n",
	    off, PQgetvalue(res, 0, U_MAIL));
out:
	ra_db_rollback(r->db);
	PQclear(res);
	return er;
}

/*
 * The printable PIN letter (HTML), written only for its owner to read;
 * "-" writes it on standard output (once the PIN is stored: "*html" is
 * then the caller's).  The program runs as ra-desk: a file must be in a
 * directory that user may write.
 */
static enum ra_err
pin_letter(struct ra_req *r, PGresult *res, const char *pin, const char *path,
    char **stdout_html)
{
	char		*html = NULL;
	enum ra_err	 er;

	hdf_set_value(r->page, "Letter.InstitutionJa", PQgetvalue(res, 0, 4));
	hdf_set_value(r->page, "Letter.NameJa", PQgetvalue(res, 0, 2));
	hdf_set_value(r->page, "Letter.NameRomaji", PQgetvalue(res, 0, 3));
	hdf_set_value(r->page, "Letter.Expires", PQgetvalue(res, 0, 5));
	hdf_set_value(r->page, "Letter.PIN", pin);
	if ((er = ra_render_buf(r->page, ra_conf_get(&r->conf,
	    "Paths.Templates"), "pin-letter.cs", &html)) != RA_OK)
		return er;
	hdf_set_value(r->page, "Letter.PIN", "");
	if (strcmp(path, "-") == 0) {
		*stdout_html = html;
		return RA_OK;
	}
	er = ra_write_atomic(path, html, strlen(html), 0600);
	OPENSSL_cleanse(html, strlen(html));
	free(html);
	return er;
}

/*
 * Give the officer's live retrieval URL a new access PIN (after the desk
 * checked who they are).  The PIN is printed once and stored hashed.
 */
static enum ra_err
cmd_pin_issue(struct ra_req *r, const struct desk_opts *o)
{
	PGresult	*res = NULL;
	unsigned char	 salt[SALT_LEN], hash[32];
	const char	*param[4];
	char		 pin[PIN_LEN + 1], off[24], cost[16], *salthex = NULL,
			*hashhex = NULL, *letter = NULL;
	int		 iter;
	enum ra_err	 er;

	if (o->officer <= 0)
		return RA_EUSAGE;
	if ((iter = ra_conf_int(&r->conf, "Pin.Iterations", 100000)) < 10000)
		iter = 10000;
	snprintf(off, sizeof(off), "%lld", o->officer);
	snprintf(cost, sizeof(cost), "%d", iter);
	if ((er = ra_req_db(r, o->role)) != RA_OK ||
	    (er = ra_db_begin(r->db)) != RA_OK)
		return er;
	param[0] = off;
	if ((er = ra_db_query(r->db, "retrieval URL", SQL_TOKEN_OF, 1, param,
	    &res)) != RA_OK)
		goto out;
	if (PQntuples(res) != 1) {
		ra_warnx("officer %s has no live retrieval URL", off);
		er = RA_EINPUT;
		goto out;
	}
	/* Unlocking is its own, deliberate step (pin-reset). */
	if (strcmp(PQgetvalue(res, 0, 6), "t") == 0) {
		ra_warnx("officer %s: the retrieval URL is locked after wrong "
		    "PINs; check who is calling, then pin-reset", off);
		er = RA_EDENIED;
		goto out;
	}
	if (RAND_bytes(salt, sizeof(salt)) != 1 ||
	    (er = ra_pin_new(pin, PIN_LEN)) != RA_OK ||
	    (er = ra_pin_hash(pin, salt, sizeof(salt), iter, hash)) != RA_OK ||
	    (salthex = ra_bytea_hex(salt, sizeof(salt))) == NULL ||
	    (hashhex = ra_bytea_hex(hash, sizeof(hash))) == NULL) {
		er = er != RA_OK ? er : RA_ECRYPTO;
		goto out;
	}
	param[0] = PQgetvalue(res, 0, 0);
	param[1] = salthex;
	param[2] = hashhex;
	param[3] = cost;
	if ((er = ra_db_command(r->db, "set PIN", SQL_PIN_SET, 4, param)) !=
	    RA_OK ||
	    (er = desk_audit(r->db, o, "desk.pin.issue", strtoll(PQgetvalue(res, 0,
	    1), NULL, 10), o->officer, NULL)) != RA_OK)
		goto out;
	if (o->letter != NULL && (er = pin_letter(r, res, pin, o->letter,
	    &letter)) != RA_OK)
		goto out;
	if ((er = ra_db_commit(r->db)) != RA_OK)
		goto out;
	/* With the letter on standard output, the line goes to the desk. */
	fprintf(letter != NULL ? stderr : o->out,
	    "access PIN for officer %s (%s): %s\n", off, PQgetvalue(res, 0, 3),
	    pin);
	if (letter != NULL && (fputs(letter, stdout) == EOF ||
	    fflush(stdout) != 0))
		er = RA_ESYS;
out:
	if (letter != NULL) {
		OPENSSL_cleanse(letter, strlen(letter));
		free(letter);
	}
	OPENSSL_cleanse(pin, sizeof(pin));
	ra_db_rollback(r->db);
	PQclear(res);
	free(salthex);
	free(hashhex);
	return er;
}

/* Unlock a locked retrieval URL; the old PIN is void, issue a new one. */
static enum ra_err
cmd_pin_reset(struct ra_req *r, const struct desk_opts *o)
{
	PGresult	*res = NULL;
	const char	*param[1];
	char		 off[24];
	enum ra_err	 er;

	if (o->officer <= 0)
		return RA_EUSAGE;
	snprintf(off, sizeof(off), "%lld", o->officer);
	if ((er = ra_req_db(r, o->role)) != RA_OK ||
	    (er = ra_db_begin(r->db)) != RA_OK)
		return er;
	param[0] = off;
	if ((er = ra_db_query(r->db, "retrieval URL", SQL_TOKEN_OF, 1, param,
	    &res)) != RA_OK)
		goto out;
	if (PQntuples(res) != 1) {
		ra_warnx("officer %s has no live retrieval URL", off);
		er = RA_EINPUT;
		goto out;
	}
	param[0] = PQgetvalue(res, 0, 0);
	if ((er = ra_db_command(r->db, "reset PIN", SQL_PIN_RESET, 1, param)) ==
	    RA_OK &&
	    (er = desk_audit(r->db, o, "desk.pin.reset", strtoll(PQgetvalue(res, 0,
	    1), NULL, 10), o->officer, NULL)) == RA_OK &&
	    (er = ra_db_commit(r->db)) == RA_OK)
		fprintf(o->out, "retrieval URL of officer %s unlocked; issue a new "
		    "PIN with pin-issue\n", off);
out:
	ra_db_rollback(r->db);
	PQclear(res);
	return er;
}

/*
 * Cron: mail each officer whose RA certificate expires within --days (or
 * Ra.RenewDays) a renewal URL that authenticates with that certificate.
 * One transaction per officer, so one failure does not stop the rest.
 */
static enum ra_err
cmd_renew_notify(struct ra_req *r, const struct desk_opts *o)
{
	struct ra_kv	 kv[6];
	PGresult	*res = NULL, *tok = NULL;
	const char	*param[5], *base;
	unsigned char	 sha[32];
	char		 days[24], urldays[16], token[RA_TOKEN_LEN + 1],
			 url[512], *hex = NULL;
	int		 i, sent = 0;
	enum ra_err	 er, first = RA_OK;

	if ((base = ra_conf_get(&r->conf, "Site.URL")) == NULL) {
		ra_warnx("config %s: Site.URL is not set", r->conf.path);
		return RA_ECONF;
	}
	snprintf(days, sizeof(days), "%lld", o->days > 0 ? o->days :
	    (long long)ra_conf_int(&r->conf, "Ra.RenewDays", 30));
	snprintf(urldays, sizeof(urldays), "%d", url_days(r));
	if ((er = ra_req_db(r, o->role)) != RA_OK)
		return er;
	param[0] = days;
	if ((er = ra_db_query(r->db, "expiring", SQL_EXPIRING, 1, param,
	    &res)) != RA_OK)
		return er;
	for (i = 0; i < PQntuples(res); i++) {
		free(hex);
		hex = NULL;
		if ((er = ra_token_new(token, sha)) != RA_OK ||
		    (hex = ra_bytea_hex(sha, sizeof(sha))) == NULL ||
		    (er = ra_db_begin(r->db)) != RA_OK)
			break;
		param[0] = PQgetvalue(res, i, 1);
		if ((er = ra_db_command(r->db, "supersede", SQL_RENEW_SUPERSEDE,
		    1, param)) != RA_OK)
			goto next;
		param[0] = hex;
		param[1] = PQgetvalue(res, i, 2);
		param[2] = PQgetvalue(res, i, 1);
		param[3] = PQgetvalue(res, i, 0);
		param[4] = urldays;
		if ((er = ra_db_query(r->db, "renewal URL", SQL_RENEW_TOKEN, 5,
		    param, &tok)) != RA_OK)
			goto next;
		snprintf(url, sizeof(url), "%s/raget.cgi?t=%s", base, token);
		kv[0] = (struct ra_kv){ "NameJa", PQgetvalue(res, i, 3) };
		kv[1] = (struct ra_kv){ "NameRomaji", PQgetvalue(res, i, 7) };
		kv[2] = (struct ra_kv){ "InstitutionJa", PQgetvalue(res, i, 5) };
		kv[3] = (struct ra_kv){ "URL", url };
		kv[4] = (struct ra_kv){ "Expires", PQgetvalue(tok, 0, 0) };
		kv[5] = (struct ra_kv){ "NotAfter", PQgetvalue(res, i, 6) };
		if ((er = ra_mail_queue(r->db, "ra-renew-url",
		    PQgetvalue(res, i, 4), kv, 6)) == RA_OK &&
		    (er = desk_audit(r->db, o, "desk.renew.notify",
		    strtoll(PQgetvalue(res, i, 2), NULL, 10),
		    strtoll(PQgetvalue(res, i, 1), NULL, 10), NULL)) == RA_OK &&
		    (er = ra_db_commit(r->db)) == RA_OK)
			sent++;
next:
		ra_db_rollback(r->db);
		PQclear(tok);
		tok = NULL;
		OPENSSL_cleanse(token, sizeof(token));
		OPENSSL_cleanse(url, sizeof(url));
		if (er != RA_OK) {
			ra_warnx("officer %s: renewal notice failed",
			    PQgetvalue(res, i, 1));
			if (first == RA_OK)
				first = er;
		}
	}
	fprintf(o->out, "%d renewal notice(s) queued\n", sent);
	PQclear(res);
	free(hex);
	return er != RA_OK ? er : first;
}

static const char SQL_OPERATOR_ADD[] =
    "INSERT INTO ra.desk_operator (name, cert_sha256) VALUES ($1, $2::bytea)"
    " RETURNING 0";
/*
 * The operator of a certificate, whether ra issued that certificate (so
 * its revocation is known here) and whether ra revoked it.
 */
static const char SQL_OPERATOR[] =
    "SELECT d.name,"
    "       EXISTS (SELECT 1 FROM ra.certificate c"
    "                WHERE c.der = $2::bytea AND c.state = 'issued'),"
    "       EXISTS (SELECT 1 FROM ra.certificate c"
    "                 JOIN ra.revocation v ON v.cert_id = c.cert_id"
    "                WHERE c.der = $2::bytea)"
    "  FROM ra.desk_operator d"
    " WHERE d.cert_sha256 = $1::bytea AND d.active";

/* SHA-256 of a certificate's DER, as bytea text; caller frees. */
static char *
cert_sha256_hex(X509 *crt)
{
	unsigned char	 md[32];
	unsigned int	 n;

	if (!X509_digest(crt, EVP_sha256(), md, &n) || n != sizeof(md))
		return NULL;
	return ra_bytea_hex(md, sizeof(md));
}

/* Register a desk operator by their client certificate (a shell only). */
static enum ra_err
cmd_operator_add(struct ra_req *r, const struct desk_opts *o)
{
	const char	*param[2];
	X509		*crt;
	char		*hex;
	enum ra_err	 er;

	if (o->name_ja == NULL || o->cert == NULL || r->is_cgi)
		return RA_EUSAGE;
	if ((crt = ra_pem_read_cert(o->cert)) == NULL)
		return RA_EINPUT;
	hex = cert_sha256_hex(crt);
	X509_free(crt);
	if (hex == NULL)
		return RA_ECRYPTO;
	param[0] = o->name_ja;
	param[1] = hex;
	er = desk_insert(r, o, "desk operator", SQL_OPERATOR_ADD, 2, param,
	    "desk.operator.add", "desk operator not added");
	free(hex);
	return er;
}

static enum ra_err
opts_parse(int argc, char *argv[], const char *caller, struct desk_opts *o)
{
	static const struct option lopts[] = {
		{ "code", required_argument, NULL, 'c' },
		{ "name-ja", required_argument, NULL, 'j' },
		{ "name-en", required_argument, NULL, 'e' },
		{ "st", required_argument, NULL, 's' },
		{ "l", required_argument, NULL, 'l' },
		{ "from", required_argument, NULL, 'f' },
		{ "until", required_argument, NULL, 'u' },
		{ "status", required_argument, NULL, 'S' },
		{ "institution", required_argument, NULL, 'i' },
		{ "domain", required_argument, NULL, 'd' },
		{ "ou", required_argument, NULL, 'o' },
		{ "romaji", required_argument, NULL, 'r' },
		{ "mail", required_argument, NULL, 'm' },
		{ "phone", required_argument, NULL, 'p' },
		{ "domains", required_argument, NULL, 'D' },
		{ "interfaces", required_argument, NULL, 'I' },
		{ "officer", required_argument, NULL, 'O' },
		{ "letter", required_argument, NULL, 'L' },
		{ "days", required_argument, NULL, 'n' },
		{ "name", required_argument, NULL, 'N' },
		{ "cert", required_argument, NULL, 'C' },
		{ NULL, 0, NULL, 0 }
	};
	char	*end;
	int	 ch;

	memset(o, 0, sizeof(*o));
	o->out = stdout;
	o->role = RA_DB_DESK;		/* the desk's zone, shell or screen */
	snprintf(o->actor_buf, sizeof(o->actor_buf), "desk:%s", caller);
	o->actor = o->actor_buf;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "", lopts, NULL)) != -1)
		switch (ch) {
		case 'c': o->code = optarg; break;
		case 'j': o->name_ja = optarg; break;
		case 'e': o->name_en = optarg; break;
		case 's': o->st = optarg; break;
		case 'l': o->l = optarg; break;
		case 'f': o->from = optarg; break;
		case 'u': o->until = optarg; break;
		case 'S': o->status = optarg; break;
		case 'i': o->institution = optarg; break;
		case 'd': o->domain = optarg; break;
		case 'o': o->ou = optarg; break;
		case 'r': o->romaji = optarg; break;
		case 'm': o->mail = optarg; break;
		case 'p': o->phone = optarg; break;
		case 'D': o->domains = optarg; break;
		case 'I': o->interfaces = optarg; break;
		case 'L': o->letter = optarg; break;
		case 'N': o->name_ja = optarg; break;
		case 'C': o->cert = optarg; break;
		case 'n':
			o->days = strtoll(optarg, &end, 10);
			if (*end != '\0' || o->days <= 0 || o->days > 400)
				return RA_EUSAGE;
			break;
		case 'O':
			o->officer = strtoll(optarg, &end, 10);
			if (*end != '\0' || o->officer <= 0)
				return RA_EUSAGE;
			break;
		default:
			return RA_EUSAGE;
		}
	return optind == argc ? RA_OK : RA_EUSAGE;
}

static enum ra_err
with_opts(struct ra_req *r, enum ra_err (*run)(struct ra_req *,
    const struct desk_opts *))
{
	struct desk_opts	 o;
	enum ra_err		 er;

	if ((er = opts_parse(r->argc, r->argv, r->caller, &o)) != RA_OK)
		return er;
	return run(r, &o);
}

#define DESK_COMMAND(name)						\
static enum ra_err							\
desk_##name(struct ra_req *r)						\
{									\
	return with_opts(r, cmd_##name);				\
}
DESK_COMMAND(institution_add)
DESK_COMMAND(domain_add)
DESK_COMMAND(ou_add)
DESK_COMMAND(officer_add)
DESK_COMMAND(pin_issue)
DESK_COMMAND(pin_reset)
DESK_COMMAND(renew_notify)
DESK_COMMAND(operator_add)
DESK_COMMAND(url_reissue)

static const struct ra_cmd commands[] = {
	{ "institution-add",	-1,	desk_institution_add },
	{ "domain-add",		-1,	desk_domain_add },
	{ "ou-add",		-1,	desk_ou_add },
	{ "officer-add",	-1,	desk_officer_add },
	{ "pin-issue",		-1,	desk_pin_issue },
	{ "pin-reset",		-1,	desk_pin_reset },
	{ "renew-notify",	-1,	desk_renew_notify },
	{ "operator-add",	-1,	desk_operator_add },
	{ "url-reissue",	-1,	desk_url_reissue },
};

/* ---- the desk screen ------------------------------------------------- */

enum desk_field {
	W_STEP, W_CODE, W_NAME_JA, W_NAME_EN, W_ST, W_L, W_FROM, W_UNTIL,
	W_INSTITUTION, W_DOMAIN, W_OU, W_ROMAJI, W_MAIL, W_PHONE, W_DOMAINS,
	W_INTERFACES, W_OFFICER, W__MAX
};

/* No control characters; the database checks each value's own rules. */
static int
valid_text(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 0;
	return 1;
}

static const struct ra_field desk_fields[W__MAX] = {
	[W_STEP]	= { "step",		16,	ra_valid_word },
	[W_CODE]	= { "code",		32,	valid_text },
	[W_NAME_JA]	= { "name_ja",		512,	valid_text },
	[W_NAME_EN]	= { "name_en",		64,	valid_text },
	[W_ST]		= { "st",		64,	valid_text },
	[W_L]		= { "l",		64,	valid_text },
	[W_FROM]	= { "from",		10,	valid_text },
	[W_UNTIL]	= { "until",		10,	valid_text },
	[W_INSTITUTION]	= { "institution",	32,	valid_text },
	[W_DOMAIN]	= { "domain",		253,	valid_text },
	[W_OU]		= { "ou",		64,	valid_text },
	[W_ROMAJI]	= { "romaji",		64,	valid_text },
	[W_MAIL]	= { "mail",		254,	valid_text },
	[W_PHONE]	= { "phone",		32,	valid_text },
	[W_DOMAINS]	= { "domains",		1024,	valid_text },
	[W_INTERFACES]	= { "interfaces",	32,	valid_text },
	[W_OFFICER]	= { "officer",		18,	ra_valid_digits },
};

static const struct {
	const char	*step;
	enum ra_err	(*run)(struct ra_req *, const struct desk_opts *);
} desk_steps[] = {
	{ "institution", cmd_institution_add },
	{ "domain",	cmd_domain_add },
	{ "ou",		cmd_ou_add },
	{ "officer",	cmd_officer_add },
	{ "pin",	cmd_pin_issue },
	{ "reset",	cmd_pin_reset },
	{ "reissue",	cmd_url_reissue },
};

static const char SQL_OVERVIEW[] =
    "SELECT i.code, i.name_ja, i.name_en, i.status,"
    "       coalesce((SELECT string_agg(d.name, ', ' ORDER BY d.name)"
    "                   FROM ra.domain d"
    "                  WHERE d.institution_id = i.institution_id), ''),"
    "       coalesce((SELECT string_agg(o.officer_id || ' ' || o.name_ja ||"
    "                   ' <' || o.mail || '>', '; ' ORDER BY o.officer_id)"
    "                   FROM ra.officer o"
    "                  WHERE o.institution_id = i.institution_id), '')"
    "  FROM ra.institution i ORDER BY i.code LIMIT 500";

/* The client certificate mod_ssl verified, or NULL; caller frees. */
static X509 *
presented_cert(void)
{
	const char	*verify = ra_req_env("SSL_CLIENT_VERIFY");
	const char	*pem = ra_req_env("SSL_CLIENT_CERT");
	BIO		*bio;
	X509		*crt;

	if (verify == NULL || strcmp(verify, "SUCCESS") != 0 || pem == NULL ||
	    (bio = BIO_new_mem_buf(pem, -1)) == NULL)
		return NULL;
	crt = PEM_read_bio_X509(bio, NULL, NULL, NULL);
	BIO_free(bio);
	return crt;
}

/* POSTs must come from our own pages: Origin (or Referer) is our site. */
static int
same_origin(struct ra_req *r)
{
	const char	*site = ra_conf_get(&r->conf, "Site.URL");
	const char	*origin = ra_req_env("HTTP_ORIGIN");
	const char	*referer = ra_req_env("HTTP_REFERER");
	size_t		 n;

	if (site == NULL)
		return 0;
	/* "https://host:port" of Site.URL */
	n = strcspn(site + (strncmp(site, "https://", 8) == 0 ? 8 : 0), "/") +
	    (strncmp(site, "https://", 8) == 0 ? 8 : 0);
	if (origin != NULL)
		return strlen(origin) == n && strncmp(origin, site, n) == 0;
	return referer != NULL && strncmp(referer, site, n) == 0 &&
	    (referer[n] == '/' || referer[n] == '\0');
}

/* Run one desk action for the screen, capturing what it says. */
static enum ra_err
desk_web_action(struct ra_req *r, const char **f, const char *operator,
    char **said)
{
	struct desk_opts	 o;
	size_t			 len, i;
	char			*buf = NULL;
	FILE			*err;
	int64_t			 id;
	int			 saved;
	enum ra_err		 er = RA_EINPUT;

	memset(&o, 0, sizeof(o));
	o.role = r->zone;
	snprintf(o.actor_buf, sizeof(o.actor_buf), "desk:%s", operator);
	o.actor = o.actor_buf;
	o.code = f[W_CODE];
	o.name_ja = f[W_NAME_JA];
	o.name_en = f[W_NAME_EN];
	o.st = f[W_ST];
	o.l = f[W_L];
	o.from = f[W_FROM];
	o.until = f[W_UNTIL];
	o.institution = f[W_INSTITUTION];
	o.domain = f[W_DOMAIN];
	o.ou = f[W_OU];
	o.romaji = f[W_ROMAJI];
	o.mail = f[W_MAIL];
	o.phone = f[W_PHONE];
	o.domains = f[W_DOMAINS];
	o.interfaces = f[W_INTERFACES];
	if (f[W_OFFICER] != NULL) {
		if (!ra_field_i64(f[W_OFFICER], 1, INT64_MAX, &id))
			return RA_EINPUT;
		o.officer = id;
	}
	if ((o.out = open_memstream(&buf, &len)) == NULL)
		return RA_ENOMEM;
	/* What the action logs is also what the desk must read. */
	fflush(stderr);
	saved = dup(2);
	if ((err = tmpfile()) != NULL && saved != -1)
		dup2(fileno(err), 2);
	for (i = 0; i < RA_NITEMS(desk_steps); i++)
		if (f[W_STEP] != NULL && strcmp(f[W_STEP], desk_steps[i].step) == 0)
			er = desk_steps[i].run(r, &o);
	if (er == RA_EUSAGE)
		fprintf(o.out, "入力されていない項目があります "
		    "(a required field is empty)\n");
	fflush(stderr);
	if (saved != -1) {
		dup2(saved, 2);
		close(saved);
	}
	if (err != NULL) {
		rewind(err);
		while ((saved = fgetc(err)) != EOF) {
			fputc(saved, o.out);
			fputc(saved, stderr);	/* and the error log */
		}
		fclose(err);
	}
	fclose(o.out);
	*said = buf;
	return er == RA_EUSAGE ? RA_EINPUT : er;
}

static enum ra_err
desk_web(struct ra_req *r)
{
	X509			*crt = NULL;
	PGresult		*res = NULL;
	const char		*f[W__MAX], *param[2];
	unsigned char		*der = NULL;
	char			 key[64], *hex = NULL, *said = NULL, operator[80];
	char			*derhex = NULL;
	int			 derlen;
	int			 i;
	enum ra_err		 er;

	if ((er = ra_form_get(r, desk_fields, W__MAX, f)) != RA_OK ||
	    (er = ra_req_db(r, r->zone)) != RA_OK)
		return er;
	/*
	 * Desk operators only: their certificate, registered by hash, within
	 * its validity and not revoked.  Apache checks no CRL (the officer
	 * screens check PostgreSQL instead), so revocation is checked here.
	 */
	er = RA_EDENIED;
	if ((crt = presented_cert()) == NULL) {
		r->refusal = "no verified client certificate";
		goto out;
	}
	if (X509_cmp_current_time(X509_get0_notBefore(crt)) >= 0 ||
	    X509_cmp_current_time(X509_get0_notAfter(crt)) <= 0) {
		r->refusal = "desk operator certificate not valid now (expired)";
		goto out;
	}
	if ((hex = cert_sha256_hex(crt)) == NULL ||
	    (derlen = i2d_X509(crt, &der)) <= 0 ||
	    (derhex = ra_bytea_hex(der, (size_t)derlen)) == NULL) {
		er = RA_ENOMEM;
		goto out;
	}
	param[0] = hex;
	param[1] = derhex;
	if ((er = ra_db_query(r->db, "desk operator", SQL_OPERATOR, 2, param,
	    &res)) != RA_OK)
		goto out;
	er = RA_EDENIED;
	if (PQntuples(res) != 1) {
		r->refusal = "not a registered desk operator";
		goto out;
	}
	if (strcmp(PQgetvalue(res, 0, 1), "t") != 0) {
		/* Apache checks no CRL: a certificate of another CA could be
		 * revoked without our knowing. */
		r->refusal = "desk operator certificate not issued by ra";
		goto out;
	}
	if (strcmp(PQgetvalue(res, 0, 2), "t") == 0) {
		r->refusal = "desk operator certificate revoked";
		goto out;
	}
	snprintf(operator, sizeof(operator), "%s", PQgetvalue(res, 0, 0));
	PQclear(res);
	res = NULL;
	hdf_set_value(r->page, "Desk.Operator", operator);
	if (strcmp(ra_req_method(r), "POST") == 0) {
		if (!same_origin(r)) {
			r->refusal = "cross-site POST (Origin is not Site.URL)";
			er = RA_EDENIED;
			goto out;
		}
		er = desk_web_action(r, f, operator, &said);
		hdf_set_value(r->page, "Desk.Said", said != NULL ? said : "");
		hdf_set_value(r->page, "Desk.Ok", er == RA_OK ? "1" : "0");
		if (er != RA_OK && er != RA_EINPUT && er != RA_EDUP &&
		    er != RA_EDB && er != RA_EDENIED)
			goto out;
	}
	if ((er = ra_db_query(r->db, "overview", SQL_OVERVIEW, 0, NULL,
	    &res)) != RA_OK)
		goto out;
	for (i = 0; i < PQntuples(res); i++) {
		static const char *const cols[] = { "Code", "NameJa", "NameEn",
		    "Status", "Domains", "Officers" };
		size_t	 c;

		for (c = 0; c < RA_NITEMS(cols); c++) {
			snprintf(key, sizeof(key), "Desk.Inst.%d.%s", i, cols[c]);
			hdf_set_value(r->page, key, PQgetvalue(res, i, (int)c));
		}
	}
	er = ra_render(r, 200, "desk.cs");
out:
	PQclear(res);
	X509_free(crt);
	OPENSSL_free(der);
	free(hex);
	free(derhex);
	free(said);
	return er;
}

int
main(int argc, char *argv[])
{
	if (ra_req_env("GATEWAY_INTERFACE") == NULL)
		return ra_shell_main(argc, argv, commands, RA_NITEMS(commands),
	    "desk.cgi institution-add|domain-add|ou-add|officer-add|"
	    "url-reissue|pin-issue|pin-reset|renew-notify|operator-add [options]");
	static const struct ra_screen sc = { desk_fields, W__MAX, desk_web,
	    RA_DB_DESK };

	return ra_web_main(argc, argv, &sc);
}
