/*
 * url.c: the one-time URLs' whole life.  The desk side makes them (a new
 * or lost RA certificate, a renewal), with the mail that carries them,
 * and sets or clears their access PIN; the public side finds them.  The public zone
 * has no right on ra.access_token: it finds a URL by the hash of the token
 * it was given and changes it through the functions of 011-zones.sql,
 * which take that hash too, so one URL cannot reach another.  The row
 * stays locked (FOR UPDATE) until the caller's transaction ends: one
 * answer at a time per URL, whatever a browser sends at once.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "ra.h"
#include "domain.h"

/* The officer's earlier URLs of a purpose give way to a new one. */
static const char SQL_URL_SUPERSEDE[] =
    "UPDATE ra.access_token SET used_at = pg_catalog.now()"
    " WHERE officer_id = $1::bigint AND purpose = $2 AND used_at IS NULL";
/* A renewal URL ($5: the RA certificate) lives no longer than it. */
static const char SQL_URL_ADD[] =
    "INSERT INTO ra.access_token (purpose, token_sha256, institution_id,"
    "  officer_id, cert_id, expires_at)"
    " VALUES ($1, $2::bytea, $3::bigint, $4::bigint, nullif($5::bigint, 0),"
    "  least(pg_catalog.now() + pg_catalog.make_interval(days => $6::integer),"
    "        (SELECT not_after FROM ra.certificate"
    "          WHERE cert_id = nullif($5::bigint, 0))))"
    " RETURNING to_char(expires_at AT TIME ZONE 'Asia/Tokyo',"
    "  'YYYY-MM-DD HH24:MI') AS expires";
static const char SQL_OFFICER_URL[] =
    "SELECT t.token_id, o.institution_id, o.name_ja, o.name_romaji,"
    "       i.name_ja AS institution_ja,"
    "       to_char(t.expires_at AT TIME ZONE 'Asia/Tokyo',"
    "       'YYYY-MM-DD HH24:MI') AS expires, t.locked_at IS NOT NULL AS locked"
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

static const char SQL_RA_URL[] =
    "SELECT * FROM ra.ra_url_open($1)";
static const char SQL_CERT_URL[] =
    "SELECT * FROM ra.cert_url_open($1)";
/* Certificates are public documents: every zone reads ra.certificate. */
static const char SQL_CERT_KIND[] =
    "SELECT kind FROM ra.certificate WHERE cert_id = $1::bigint";
static const char SQL_PIN_FAILED[] =
    "SELECT * FROM ra.url_pin_failed($1, $2::integer)";
static const char SQL_STEP_SET[] =
    "SELECT ra.url_step_set($1, $2::bytea)";
static const char SQL_REQUESTED[] =
    "SELECT ra.url_requested($1, $2::bigint)";
static const char SQL_USED[] =
    "SELECT ra.url_used($1)";
/* The URL's sealed P12 password: $2 kept if it has none, what it has back. */
static const char SQL_PASS_KEEP[] =
    "SELECT ra.ra_url_pass_keep($1, $2::bytea) AS sealed";

/* Run one of the URL functions that answer true when they changed it. */
static enum ra_err
url_call(PGconn *db, const char *what, const char *sql,
    const struct ra_arg *args, size_t nargs)
{
	PGresult	*res = NULL;
	enum ra_err	 er;

	er = ra_db_run1(db, what, sql, &res, args, nargs);
	if (er == RA_OK && strcmp(PQgetvalue(res, 0, 0), "t") != 0)
		er = RA_ENOTFOUND;
	PQclear(res);
	return er;
}

/*
 * Find and lock a URL by its token: "sql" names the kind of URL.  The
 * token itself goes to the database, which hashes it: the stored hash is
 * no credential.  "copy" keeps it for the calls that follow.
 */
static enum ra_err
url_find(PGconn *db, const char *what, const char *sql, const char *token,
    char copy[RA_TOKEN_LEN + 1], PGresult **res)
{
	unsigned char	 sha[32];

	*res = NULL;
	if (token == NULL || ra_token_hash(token, sha) != RA_OK)
		return RA_ENOTFOUND;
	snprintf(copy, RA_TOKEN_LEN + 1, "%s", token);
	return ra_db_run1(db, what, sql, res, RA_ARGS(RA_TEXT(copy)));
}

/* The PIN's salt or hash: NULL until the desk issues the PIN. */
static enum ra_err
pin_column(const PGresult *res, const char *name, unsigned char **out,
    size_t *len)
{
	enum ra_err	 er = ra_get_bytea(res, 0, name, out, len);

	return er == RA_ENOTFOUND ? RA_OK : er;
}

/*
 * An RA officer's retrieval URL (new certificate or renewal), locked.
 * RA_ENOTFOUND when the token names none.
 */
enum ra_err
ra_url_open(PGconn *db, const char *token, struct ra_url *u)
{
	PGresult	*res;
	char		 purpose[16];
	enum ra_err	 er;

	memset(u, 0, sizeof(*u));
	if ((er = url_find(db, "retrieval URL", SQL_RA_URL, token, u->token,
	    &res)) != RA_OK)
		return er;
	if ((er = ra_get_i64(res, 0, "token_id", &u->token_id)) != RA_OK ||
	    (er = ra_get_i64(res, 0, "officer_id", &u->officer_id)) != RA_OK ||
	    (er = ra_get_i64(res, 0, "institution_id", &u->institution_id)) !=
	    RA_OK ||
	    (er = ra_get_i64(res, 0, "request_id", &u->request_id)) != RA_OK ||
	    (er = ra_get_i64(res, 0, "cert_id", &u->cert_id)) != RA_OK ||
	    (er = pin_column(res, "pin_salt", &u->pin_salt,
	    &u->pin_saltlen)) != RA_OK ||
	    (er = pin_column(res, "pin_hash", &u->pin_hash,
	    &u->pin_hashlen)) != RA_OK ||
	    (er = ra_get_int(res, 0, "pin_cost", &u->pin_cost)) != RA_OK ||
	    (er = ra_get_int(res, 0, "failures", &u->failures)) != RA_OK ||
	    (er = ra_get_bool(res, 0, "locked", &u->locked)) != RA_OK ||
	    (er = ra_get_bool(res, 0, "expired", &u->expired)) != RA_OK ||
	    (er = ra_get_bool(res, 0, "used", &u->used)) != RA_OK ||
	    (er = ra_get_bool(res, 0, "active", &u->active)) != RA_OK ||
	    (er = ra_get_hash(res, 0, "step_sha256", u->step, sizeof(u->step),
	    &u->has_step)) != RA_OK ||
	    (er = ra_get_bool(res, 0, "step_expired", &u->step_expired)) !=
	    RA_OK ||
	    (er = ra_get_str(res, 0, "name_ja", u->name_ja,
	    sizeof(u->name_ja))) != RA_OK ||
	    (er = ra_get_str(res, 0, "name_romaji", u->name_romaji,
	    sizeof(u->name_romaji))) != RA_OK ||
	    (er = ra_get_str(res, 0, "institution_ja", u->institution_ja,
	    sizeof(u->institution_ja))) != RA_OK ||
	    (er = ra_get_str(res, 0, "institution_en", u->institution_en,
	    sizeof(u->institution_en))) != RA_OK ||
	    (er = ra_get_str(res, 0, "purpose", purpose, sizeof(purpose))) !=
	    RA_OK)
		goto out;
	u->renewal = strcmp(purpose, "ra_renew") == 0;
	u->found = 1;
out:
	PQclear(res);
	if (er != RA_OK)
		ra_url_free(u);
	return er;
}

void
ra_url_free(struct ra_url *u)
{
	PQfreemem(u->pin_salt);
	PQfreemem(u->pin_hash);
	u->pin_salt = u->pin_hash = NULL;
	u->found = 0;
}

/*
 * The access PIN given for this URL: RA_OK when right; RA_EDENIED when
 * wrong, counted, with "*left" tries left (0: the URL is now locked).
 */
enum ra_err
ra_url_pin_check(PGconn *db, struct ra_url *u, const char *pin,
    int max_failures, int *left)
{
	PGresult	*res = NULL;
	int		 failures, locked;
	enum ra_err	 er;

	*left = 0;
	if (u->pin_hash == NULL)
		return RA_ENOTFOUND;
	if (pin != NULL && ra_pin_check(pin, u->pin_salt, u->pin_saltlen,
	    u->pin_cost, u->pin_hash, u->pin_hashlen) == 1)
		return RA_OK;
	if (max_failures < 1)
		max_failures = 1;
	if ((er = ra_db_run1(db, "PIN failed", SQL_PIN_FAILED, &res,
	    RA_ARGS(RA_TEXT(u->token), RA_INT(max_failures)))) !=
	    RA_OK ||
	    (er = ra_get_int(res, 0, "failures", &failures)) != RA_OK ||
	    (er = ra_get_bool(res, 0, "locked", &locked)) != RA_OK)
		goto out;
	u->failures = failures;
	u->locked = locked;
	*left = locked ? 0 : max_failures - failures;
	er = RA_EDENIED;
out:
	PQclear(res);
	return er;
}

/* Whether "nonce" is the step nonce handed out for this URL, still fresh. */
int
ra_url_step_ok(const struct ra_url *u, const char *nonce)
{
	unsigned char	 sha[32];

	return nonce != NULL && u->has_step && !u->step_expired &&
	    ra_token_hash(nonce, sha) == RA_OK &&
	    CRYPTO_memcmp(sha, u->step, sizeof(sha)) == 0;
}

/* A new step nonce for this URL; "nonce" gets the value for the form. */
enum ra_err
ra_url_step_new(PGconn *db, const struct ra_url *u,
    char nonce[RA_TOKEN_LEN + 1])
{
	unsigned char	 sha[32];
	enum ra_err	 er;

	if ((er = ra_token_new(nonce, sha)) != RA_OK)
		return er;
	return url_call(db, "step", SQL_STEP_SET, RA_ARGS(RA_TEXT(u->token),
	    RA_BYTES(sha, sizeof(sha))));
}

/* 【発行】 was pressed: the URL's one request. */
enum ra_err
ra_url_requested(PGconn *db, struct ra_url *u, int64_t request_id)
{
	enum ra_err	 er;

	if ((er = url_call(db, "requested", SQL_REQUESTED, RA_ARGS(RA_TEXT(
	    u->token), RA_INT(request_id)))) == RA_OK)
		u->request_id = request_id;
	return er;
}

/*
 * The P12 password of this URL (an RA officer's), into "pass" (size
 * "passsz"): the one kept for it or, when it has none yet and "make" is
 * not 0, a new one of "make" characters, kept now.  It is kept sealed
 * under the URL's token (seal.c), which only the caller holds, and is
 * gone once the URL is used up.  However often the page is opened,
 * in however many tabs, one password: the URL's row is locked and the
 * database keeps the first seal it is given.  RA_ENOTFOUND when the URL
 * keeps none (and "make" is 0) or is not live.
 */
enum ra_err
ra_url_pass(PGconn *db, const struct ra_url *u, size_t make, char *pass,
    size_t passsz)
{
	PGresult	*res = NULL;
	unsigned char	*mine = NULL, *kept = NULL;
	size_t		 minelen = 0, keptlen = 0;
	char		 fresh[65] = "";
	enum ra_err	 er;

	*pass = '\0';
	if (make >= sizeof(fresh) || make >= passsz)
		return RA_EINPUT;
	if (make > 0 && ((er = ra_pin_new(fresh, make)) != RA_OK ||
	    (er = ra_seal_pass(u->token, u->token_id, fresh, &mine,
	    &minelen)) != RA_OK))
		goto out;
	if ((er = ra_db_run1(db, "P12 password", SQL_PASS_KEEP, &res,
	    RA_ARGS(RA_TEXT(u->token), RA_BYTES(mine, minelen)))) != RA_OK ||
	    (er = ra_get_bytea(res, 0, "sealed", &kept, &keptlen)) != RA_OK)
		goto out;
	/* Not this URL's seal, or changed: refuse rather than show it. */
	if ((er = ra_unseal_pass(u->token, u->token_id, kept, keptlen, pass,
	    passsz)) != RA_OK) {
		ra_warnx("retrieval URL %lld: its P12 password does not unseal",
		    (long long)u->token_id);
		er = RA_ECRYPTO;
	}
out:
	OPENSSL_cleanse(fresh, sizeof(fresh));
	OPENSSL_free(mine);
	PQfreemem(kept);
	PQclear(res);
	return er;
}

/* The URL is used up (the first use counts; later calls change nothing). */
enum ra_err
ra_url_used(PGconn *db, const char *token)
{
	return url_call(db, "URL used", SQL_USED, RA_ARGS(RA_TEXT(token)));
}

/*
 * A user administrator's certificate URL (M6), locked; live until an hour
 * after its first use.  RA_ENOTFOUND when the token names none.
 */
enum ra_err
ra_cert_url_open(PGconn *db, const char *token, struct ra_cert_url *u)
{
	PGresult	*res;
	enum ra_err	 er;

	memset(u, 0, sizeof(*u));
	if ((er = url_find(db, "certificate URL", SQL_CERT_URL, token, u->token,
	    &res)) != RA_OK)
		return er;
	if ((er = ra_get_i64(res, 0, "cert_id", &u->cert_id)) != RA_OK ||
	    (er = ra_get_i64(res, 0, "ca_id", &u->ca_id)) != RA_OK ||
	    (er = ra_get_i64(res, 0, "institution_id", &u->institution_id)) !=
	    RA_OK ||
	    (er = ra_get_i64(res, 0, "officer_id", &u->officer_id)) != RA_OK ||
	    (er = ra_get_bytea(res, 0, "der", &u->der, &u->derlen)) != RA_OK ||
	    (er = ra_get_bool(res, 0, "first", &u->first)) != RA_OK ||
	    (er = ra_get_bool(res, 0, "old_live", &u->old_live)) != RA_OK ||
	    (er = ra_get_str(res, 0, "subject_dn", u->subject_dn,
	    sizeof(u->subject_dn))) != RA_OK ||
	    (er = ra_get_str(res, 0, "serial", u->serial,
	    sizeof(u->serial))) != RA_OK ||
	    (er = ra_get_str(res, 0, "not_after", u->not_after,
	    sizeof(u->not_after))) != RA_OK ||
	    (er = ra_get_str(res, 0, "officer_name", u->officer_name,
	    sizeof(u->officer_name))) != RA_OK ||
	    (er = ra_get_str(res, 0, "officer_mail", u->officer_mail,
	    sizeof(u->officer_mail))) != RA_OK ||
	    (er = ra_get_str(res, 0, "old_subject_dn", u->old_subject_dn,
	    sizeof(u->old_subject_dn))) != RA_OK ||
	    (er = ra_get_str(res, 0, "old_serial", u->old_serial,
	    sizeof(u->old_serial))) != RA_OK ||
	    (er = ra_get_str(res, 0, "admin_mail", u->admin_mail,
	    sizeof(u->admin_mail))) != RA_OK)
		goto out;
	PQclear(res);
	res = NULL;
	/* Server or code signing: the page's and the mails' wording. */
	if ((er = ra_db_run1(db, "certificate kind", SQL_CERT_KIND, &res,
	    RA_ARGS(RA_INT(u->cert_id)))) == RA_OK)
		er = ra_get_str(res, 0, "kind", u->kind, sizeof(u->kind));
out:
	if (er != RA_OK)
		ra_cert_url_free(u);
	PQclear(res);
	return er;
}

void
ra_cert_url_free(struct ra_cert_url *u)
{
	PQfreemem(u->der);
	u->der = NULL;
	u->derlen = 0;
}

/* ---- the desk side ---------------------------------------------------- */

/* Days a retrieval URL lives (Pin.UrlDays, at least 1). */
static int
url_days(const struct ra_conf *c)
{
	int	 n = ra_conf_int(c, "Pin.UrlDays", 31);

	return n < 1 ? 1 : n;
}

/*
 * Mail the URL of token "token" to the officer of "who" (template "tmpl"
 * with the URL's expiry "expires"): the URL itself is never shown.
 */
static enum ra_err
url_mail(PGconn *db, const struct ra_conf *c, const char *tmpl,
    const struct ra_url_who *who, const char *token, const char *expires)
{
	struct ra_kv	 kv[8];
	const char	*base = ra_conf_get(c, "Site.URL");
	char		 url[512], grace[16];
	size_t		 n = 0;
	enum ra_err	 er;

	if (base == NULL) {
		ra_warnx("config %s: Site.URL is not set", c->path);
		return RA_ECONF;
	}
	snprintf(url, sizeof(url), "%s/raget.cgi?t=%s", base, token);
	kv[n++] = (struct ra_kv){ "NameJa", who->name_ja };
	kv[n++] = (struct ra_kv){ "NameRomaji", who->name_romaji };
	kv[n++] = (struct ra_kv){ "InstitutionJa", who->institution_ja };
	kv[n++] = (struct ra_kv){ "URL", url };
	kv[n++] = (struct ra_kv){ "Expires", expires };
	if (who->not_after != NULL) {
		/* A renewal: when the certificate it renews is revoked. */
		snprintf(grace, sizeof(grace), "%d", ra_supersede_grace(c));
		kv[n++] = (struct ra_kv){ "NotAfter", who->not_after };
		kv[n++] = (struct ra_kv){ "GraceDays", grace };
	}
	if (who->why != NULL)
		kv[n++] = (struct ra_kv){ "Why", who->why };
	er = ra_mail_queue(db, tmpl, who->mail, kv, n);
	OPENSSL_cleanse(url, sizeof(url));
	return er;
}

/*
 * Inside a transaction: a new URL of "purpose" for the officer (the ones
 * before it stop working) and the mail "tmpl" that carries it.
 */
static enum ra_err
url_new(PGconn *db, const struct ra_conf *c, const struct ra_url_who *who,
    const char *purpose, const char *tmpl)
{
	PGresult	*res = NULL;
	unsigned char	 sha[32];
	char		 token[RA_TOKEN_LEN + 1];
	enum ra_err	 er;

	if ((er = ra_token_new(token, sha)) != RA_OK)
		return er;
	if ((er = ra_db_run(db, "old URLs", SQL_URL_SUPERSEDE, NULL,
	    RA_ARGS(RA_INT(who->officer_id), RA_TEXT(purpose)))) == RA_OK &&
	    (er = ra_db_run1(db, "retrieval URL", SQL_URL_ADD, &res,
	    RA_ARGS(RA_TEXT(purpose), RA_BYTES(sha, sizeof(sha)),
	    RA_INT(who->institution_id), RA_INT(who->officer_id),
	    RA_INT(who->cert_id), RA_INT(url_days(c))))) == RA_OK)
		er = url_mail(db, c, tmpl, who, token,
		    ra_get_text(res, 0, "expires"));
	OPENSSL_cleanse(token, sizeof(token));
	PQclear(res);
	return er;
}

/* A new or lost RA certificate's URL (登録担当者用証明書発行受付通知). */
enum ra_err
ra_url_ra_cert_new(PGconn *db, const struct ra_conf *c,
    const struct ra_url_who *who)
{
	return url_new(db, c, who, "ra_cert", "ra-cert-url");
}

/* A renewal URL for the officer's RA certificate who->cert_id. */
enum ra_err
ra_url_renewal_new(PGconn *db, const struct ra_conf *c,
    const struct ra_url_who *who)
{
	return url_new(db, c, who, "ra_renew", "ra-renew-url");
}

/* The officer's live certificate retrieval URL, locked; RA_ENOTFOUND. */
enum ra_err
ra_url_of_officer(PGconn *db, int64_t officer, struct ra_officer_url *u)
{
	PGresult	*res = NULL;
	enum ra_err	 er;

	memset(u, 0, sizeof(*u));
	if ((er = ra_db_run1(db, "retrieval URL", SQL_OFFICER_URL, &res,
	    RA_ARGS(RA_INT(officer)))) == RA_OK &&
	    (er = ra_get_i64(res, 0, "token_id", &u->token_id)) == RA_OK &&
	    (er = ra_get_i64(res, 0, "institution_id", &u->institution_id)) ==
	    RA_OK &&
	    (er = ra_get_bool(res, 0, "locked", &u->locked)) == RA_OK &&
	    (er = ra_get_str(res, 0, "name_ja", u->name_ja,
	    sizeof(u->name_ja))) == RA_OK &&
	    (er = ra_get_str(res, 0, "name_romaji", u->name_romaji,
	    sizeof(u->name_romaji))) == RA_OK &&
	    (er = ra_get_str(res, 0, "institution_ja", u->institution_ja,
	    sizeof(u->institution_ja))) == RA_OK)
		er = ra_get_str(res, 0, "expires", u->expires,
		    sizeof(u->expires));
	PQclear(res);
	return er;
}

/* A new access PIN for the URL (only its hash is kept). */
enum ra_err
ra_url_pin_store(PGconn *db, int64_t token_id, const struct ra_pin_stored *st)
{
	return ra_db_run(db, "set PIN", SQL_PIN_SET, NULL,
	    RA_ARGS(RA_INT(token_id), RA_BYTES(st->salt, sizeof(st->salt)),
	    RA_BYTES(st->hash, sizeof(st->hash)), RA_INT(st->cost)));
}

/* Unlock the URL: its PIN and failure count cleared. */
enum ra_err
ra_url_pin_clear(PGconn *db, int64_t token_id)
{
	return ra_db_run(db, "reset PIN", SQL_PIN_RESET, NULL,
	    RA_ARGS(RA_INT(token_id)));
}
