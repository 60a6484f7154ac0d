/*
 * client.c: how a client or S/MIME certificate reaches its user
 * (reference §1.4, §3.5, §4 M1–M4, §10.4).  For each request, or for
 * the rows of a P12一括 upload per user administrator, two one-time URLs:
 * the access PIN's (to the user administrator, M1) and the
 * certificate's (to the user, M2; for P12一括 to the user administrator),
 * which opens only once the PIN URL was used.  The PIN is kept sealed
 * under the token of each URL that needs it (seal.c), the key under the
 * PIN (p12.c); the clear PIN lives in the request only while its key is
 * being made.
 *
 * The URLs are made by the worker when the certificate is stored
 * (P12個別), when the last row of an upload is stored (P12一括), or by
 * the upload itself (ブラウザ個別, whose key is made only at 【発行】).
 */
#include <iconv.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "ra.h"
#include "domain.h"

/* The worker's own inserts; the officer zone goes through client_url_add. */
static const char SQL_TOKEN_ADD[] =
    "INSERT INTO ra.access_token (purpose, token_sha256, institution_id,"
    "  request_id, batch_id, after_token_id, pin_kdf, pin_salt, pin_hash,"
    "  pin_cost, pin_set_at, expires_at)"
    " VALUES ($1, $2::bytea, $3::bigint, nullif($4::bigint, 0),"
    "  nullif($5::bigint, 0), nullif($6::bigint, 0),"
    "  CASE WHEN $8::bytea IS NOT NULL THEN 'pbkdf2-sha256' END,"
    "  $7::bytea, $8::bytea, nullif($9::integer, 0),"
    "  CASE WHEN $8::bytea IS NOT NULL THEN pg_catalog.now() END,"
    "  pg_catalog.now() + pg_catalog.make_interval(days => $10::integer))"
    " RETURNING token_id";
static const char SQL_SEAL_ADD[] =
    "INSERT INTO ra.pin_seal (token_id, request_id, sealed)"
    " VALUES ($1::bigint, $2::bigint, $3::bytea)";
static const char SQL_URL_ADD_OFFICER[] =
    "SELECT ra.client_url_add($1, $2::bytea, $3::bigint,"
    "  nullif($4::bigint, 0), $5::integer, $6::bytea, $7::bytea,"
    "  $8::integer, $9::bytea) AS token_id";
static const char SQL_EXPIRES[] =
    "SELECT to_char((pg_catalog.now() + pg_catalog.make_interval("
    "  days => $1::integer)) AT TIME ZONE 'Asia/Tokyo',"
    "  'YYYY-MM-DD HH24:MI') AS expires";

/* A waiting key lives as long as the URL that hands it out. */
static const char SQL_KEY_KEEP[] =
    "UPDATE ra.p12_pending p SET expires_at = GREATEST("
    "       p.expires_at, pg_catalog.now() +"
    "       pg_catalog.make_interval(days => $2::integer))"
    "  FROM ra.certificate c"
    " WHERE p.cert_id = c.cert_id AND (c.request_id = $1::bigint"
    "    OR c.request_id IN (SELECT request_id FROM ra.request"
    "         WHERE batch_id = $3::bigint AND download_method = 2))";

/* What the worker needs of the client requests it just stored. */
static const char SQL_ISSUED[] =
    "SELECT r.request_id, r.institution_id, coalesce(r.batch_id, 0) AS batch_id,"
    "       r.download_method, coalesce(r.key_secret, '') AS pin,"
    "       r.action, coalesce(r.admin_name, '') AS admin_name,"
    "       coalesce(r.admin_mail, '') AS admin_mail,"
    "       coalesce(r.user_name, '') AS user_name,"
    "       coalesce(r.user_mail, '') AS user_mail,"
    "       c.subject_dn, c.serial::text AS serial,"
    "       coalesce(old.serial::text, '') AS old_serial,"
    "       coalesce(o.name_ja, '') AS officer_name,"
    "       coalesce(o.mail, '') AS officer_mail"
    "  FROM ra.request r"
    "  JOIN ra.certificate c ON c.request_id = r.request_id"
    "  LEFT JOIN ra.certificate old ON old.cert_id = r.target_cert_id"
    "  LEFT JOIN ra.officer o ON o.officer_id = r.officer_id"
    " WHERE r.request_id = ANY ($1::bigint[])"
    "   AND r.kind IN ('client', 'smime') AND r.download_method IS NOT NULL"
    " ORDER BY r.request_id";

/* P12一括: the upload is complete when none of its rows is still open. */
static const char SQL_BULK_BATCHES[] =
    "SELECT DISTINCT batch_id FROM ra.request"
    " WHERE request_id = ANY ($1::bigint[]) AND download_method = 2"
    "   AND batch_id IS NOT NULL";
static const char SQL_BATCH_LOCK[] =
    "SELECT pg_catalog.pg_advisory_xact_lock(7263,"
    "  ($1::bigint % 2147483647)::integer)";
static const char SQL_BATCH_OPEN[] =
    "SELECT (EXISTS (SELECT 1 FROM ra.request WHERE batch_id = $1::bigint"
    "          AND download_method = 2 AND state IN ('waiting', 'queued'))"
    "     OR EXISTS (SELECT 1 FROM ra.access_token WHERE batch_id = $1::bigint))"
    "    AS open";
static const char SQL_BATCH_ROWS[] =
    "SELECT r.request_id, r.institution_id, r.key_secret AS pin,"
    "       coalesce(r.admin_name, '') AS admin_name, r.admin_mail"
    "  FROM ra.request r"
    " WHERE r.batch_id = $1::bigint AND r.state = 'done'"
    "   AND r.download_method = 2 AND r.key_secret IS NOT NULL"
    " ORDER BY lower(r.admin_mail), r.seq";
static const char SQL_BATCH_FORGET[] =
    "UPDATE ra.request SET key_secret = NULL"
    " WHERE batch_id = $1::bigint AND download_method = 2"
    "   AND key_secret IS NOT NULL";

void
ra_client_cfg(const struct ra_conf *c, struct ra_client_cfg *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->site = ra_conf_get(c, "Site.URL");
	if ((cfg->days = ra_conf_int(c, "Pin.UrlDays", 31)) < 1)
		cfg->days = 1;
	if ((cfg->cost = ra_conf_int(c, "Pin.Iterations", 100000)) < 10000)
		cfg->cost = 10000;
}

/* One new URL: its token, and the id of its row. */
struct url_new {
	char		 token[RA_TOKEN_LEN + 1];
	unsigned char	 sha[32];
	int64_t		 id;
};

/*
 * Insert URL "purpose" for request "request_id" or batch "batch_id",
 * opening after URL "after" (0: at once), with the PIN's hash when "pin"
 * is given, and the PIN sealed under it when "seal" is set.
 */
static enum ra_err
url_add(PGconn *db, const struct ra_client_cfg *cfg, int officer_zone,
    const char *purpose, int64_t inst, int64_t request_id, int64_t batch_id,
    int64_t after, const char *pin, int hash, struct url_new *u)
{
	struct ra_pin_stored	 st;
	PGresult		*res = NULL;
	unsigned char		*seal = NULL;
	size_t			 seallen = 0;
	int			 hashed = hash && pin != NULL;
	enum ra_err		 er;

	memset(&st, 0, sizeof(st));
	if ((er = ra_token_new(u->token, u->sha)) != RA_OK)
		return er;
	if (hashed && (RAND_bytes(st.salt, sizeof(st.salt)) != 1 ||
	    ra_pin_hash(pin, st.salt, sizeof(st.salt), cfg->cost, st.hash) !=
	    RA_OK))
		return RA_ECRYPTO;
	if (officer_zone && !hash && pin != NULL &&
	    (er = ra_seal(u->token, request_id, pin, &seal, &seallen)) != RA_OK)
		return er;
	if (officer_zone)
		er = ra_db_run1(db, "client URL", SQL_URL_ADD_OFFICER, &res,
		    RA_ARGS(RA_TEXT(purpose), RA_BYTES(u->sha, sizeof(u->sha)),
		    RA_INT(request_id), RA_INT(after), RA_INT(cfg->days),
		    RA_BYTES(hashed ? st.salt : NULL, hashed ? sizeof(st.salt) : 0),
		    RA_BYTES(hashed ? st.hash : NULL, hashed ? sizeof(st.hash) : 0),
		    RA_INT(hashed ? cfg->cost : 0), RA_BYTES(seal, seallen)));
	else
		er = ra_db_run1(db, "client URL", SQL_TOKEN_ADD, &res,
		    RA_ARGS(RA_TEXT(purpose), RA_BYTES(u->sha, sizeof(u->sha)),
		    RA_INT(inst), RA_INT(request_id), RA_INT(batch_id),
		    RA_INT(after),
		    RA_BYTES(hashed ? st.salt : NULL, hashed ? sizeof(st.salt) : 0),
		    RA_BYTES(hashed ? st.hash : NULL, hashed ? sizeof(st.hash) : 0),
		    RA_INT(hashed ? cfg->cost : 0), RA_INT(cfg->days)));
	if (er == RA_OK)
		er = ra_get_i64(res, 0, "token_id", &u->id);
	OPENSSL_cleanse(&st, sizeof(st));
	OPENSSL_free(seal);
	PQclear(res);
	return er;
}

/* "pin" sealed under URL "u" for request "request_id" (the worker's). */
static enum ra_err
seal_add(PGconn *db, const struct url_new *u, int64_t request_id,
    const char *pin)
{
	unsigned char	*seal = NULL;
	size_t		 len;
	enum ra_err	 er;

	if ((er = ra_seal(u->token, request_id, pin, &seal, &len)) != RA_OK)
		return er;
	er = ra_db_run(db, "seal", SQL_SEAL_ADD, NULL, RA_ARGS(RA_INT(u->id),
	    RA_INT(request_id), RA_BYTES(seal, len)));
	OPENSSL_free(seal);
	return er;
}

/* A URL of "script" as the mails give it. */
static void
url_text(const struct ra_client_cfg *cfg, const char *script,
    const struct url_new *u, char *buf, size_t sz)
{
	snprintf(buf, sz, "%s/%s?t=%s", cfg->site, script, u->token);
}

static enum ra_err
expires_text(PGconn *db, const struct ra_client_cfg *cfg, char *buf,
    size_t sz)
{
	PGresult	*res = NULL;
	enum ra_err	 er;

	if ((er = ra_db_run1(db, "expiry", SQL_EXPIRES, &res,
	    RA_ARGS(RA_INT(cfg->days)))) == RA_OK)
		er = ra_get_str(res, 0, "expires", buf, sz);
	PQclear(res);
	return er;
}

/*
 * The two URLs of one request (P12個別, ブラウザ個別) and their mails:
 * M1 to the user administrator, M2 to the user.  From the officer zone
 * (ブラウザ個別, at upload) through ra.client_url_add, else directly.
 */
enum ra_err
ra_client_urls(PGconn *db, const struct ra_client_cfg *cfg,
    const struct ra_client_row *row, int officer_zone)
{
	struct url_new	 pin, crt;
	struct ra_kv	 kv[4];
	char		 url[512], expires[32];
	enum ra_err	 er;

	memset(&pin, 0, sizeof(pin));
	memset(&crt, 0, sizeof(crt));
	if (cfg->site == NULL) {
		ra_warnx("Site.URL is not set: no client certificate URLs");
		return RA_ECONF;
	}
	if ((er = expires_text(db, cfg, expires, sizeof(expires))) != RA_OK ||
	    (er = url_add(db, cfg, officer_zone, "pin_download",
	    row->institution_id, row->request_id, 0, 0, row->pin, 0,
	    &pin)) != RA_OK ||
	    (!officer_zone && (er = seal_add(db, &pin, row->request_id,
	    row->pin)) != RA_OK) ||
	    (er = url_add(db, cfg, officer_zone, "p12_download",
	    row->institution_id, row->request_id, 0, pin.id, row->pin, 1,
	    &crt)) != RA_OK ||
	    (!officer_zone && (er = ra_db_run(db, "keep key", SQL_KEY_KEEP,
	    NULL, RA_ARGS(RA_INT(row->request_id), RA_INT(cfg->days),
	    RA_INT(0)))) != RA_OK))
		goto out;
	url_text(cfg, "pinget.cgi", &pin, url, sizeof(url));
	kv[0] = (struct ra_kv){ "NameJa", row->admin_name };
	kv[1] = (struct ra_kv){ "URL", url };
	kv[2] = (struct ra_kv){ "Expires", expires };
	if ((er = ra_mail_queue(db, "client-pin", row->admin_mail, kv, 3)) !=
	    RA_OK)
		goto out;
	url_text(cfg, "cliget.cgi", &crt, url, sizeof(url));
	kv[0] = (struct ra_kv){ "NameJa", row->user_name };
	kv[3] = (struct ra_kv){ "Bulk", "0" };
	er = ra_mail_queue(db, "client-cert-url", row->user_mail, kv, 4);
out:
	OPENSSL_cleanse(&pin, sizeof(pin));
	OPENSSL_cleanse(&crt, sizeof(crt));
	OPENSSL_cleanse(url, sizeof(url));
	return er;
}

/* M4: a renewal issued, to the RA officer and the user administrator. */
static enum ra_err
renewed_mail(PGconn *db, const PGresult *res, int i)
{
	struct ra_kv	 kv[4];
	char		 to[600], *block;
	const char	*admin = ra_get_text(res, i, "admin_mail");
	enum ra_err	 er;

	if ((block = ra_dn_block(ra_get_text(res, i, "subject_dn"))) == NULL)
		return RA_ENOMEM;
	snprintf(to, sizeof(to), "%s", ra_get_text(res, i, "officer_mail"));
	if (*admin != '\0' && !ra_list_has(to, admin))
		snprintf(to + strlen(to), sizeof(to) - strlen(to), "%s%s",
		    *to != '\0' ? "," : "", admin);
	kv[0] = (struct ra_kv){ "NameJa", ra_get_text(res, i, "officer_name") };
	kv[1] = (struct ra_kv){ "DNBlock", block };
	kv[2] = (struct ra_kv){ "Serial", ra_get_text(res, i, "serial") };
	kv[3] = (struct ra_kv){ "OldSerial", ra_get_text(res, i, "old_serial") };
	er = *to == '\0' ? RA_OK :
	    ra_mail_queue(db, "client-cert-renewed", to, kv, 4);
	free(block);
	return er;
}

/*
 * The worker stored certificates of requests "ids" (a PostgreSQL array),
 * inside its transaction, before the requests are closed: the URLs and
 * mails of each P12個別 one, M4 for each client renewal.
 */
enum ra_err
ra_client_issued(PGconn *db, const struct ra_client_cfg *cfg, const char *ids)
{
	struct ra_client_row	 row;
	PGresult		*res = NULL;
	int			 i, method;
	enum ra_err		 er;

	if ((er = ra_db_run(db, "client requests", SQL_ISSUED, &res,
	    RA_ARGS(RA_TEXT(ids)))) != RA_OK)
		return er;
	for (i = 0; i < PQntuples(res); i++) {
		memset(&row, 0, sizeof(row));
		if ((er = ra_get_i64(res, i, "request_id", &row.request_id)) !=
		    RA_OK ||
		    (er = ra_get_i64(res, i, "institution_id",
		    &row.institution_id)) != RA_OK ||
		    (er = ra_get_int(res, i, "download_method", &method)) !=
		    RA_OK)
			goto out;
		if (strcmp(ra_get_text(res, i, "action"), "renew") == 0 &&
		    (er = renewed_mail(db, res, i)) != RA_OK)
			goto out;
		if (method != 1)
			continue;	/* 2: per upload; 3: URLs made at upload */
		row.pin = ra_get_text(res, i, "pin");
		row.admin_name = ra_get_text(res, i, "admin_name");
		row.admin_mail = ra_get_text(res, i, "admin_mail");
		row.user_name = ra_get_text(res, i, "user_name");
		row.user_mail = ra_get_text(res, i, "user_mail");
		if (*row.pin == '\0') {
			ra_warnx("request %lld: no access PIN to seal",
			    (long long)row.request_id);
			er = RA_EINPUT;
			goto out;
		}
		if ((er = ra_client_urls(db, cfg, &row, 0)) != RA_OK)
			goto out;
	}
out:
	PQclear(res);
	return er;
}

/*
 * P12一括, upload "batch" complete: per user administrator one PIN URL and
 * one bulk URL covering their rows, each PIN sealed under both; then the
 * clear PINs are forgotten.  Serialised per upload, and done once.
 */
static enum ra_err
batch_done(PGconn *db, const struct ra_client_cfg *cfg, int64_t batch)
{
	struct url_new	 pin, bulk;
	struct ra_kv	 kv[4];
	PGresult	*res = NULL;
	const char	*mail, *name;
	char		 url[512], expires[32];
	int64_t		 rid, inst;
	int		 i, k, open;
	enum ra_err	 er;

	memset(&pin, 0, sizeof(pin));
	memset(&bulk, 0, sizeof(bulk));
	if ((er = ra_db_run(db, "batch lock", SQL_BATCH_LOCK, NULL,
	    RA_ARGS(RA_INT(batch)))) != RA_OK ||
	    (er = ra_db_run1(db, "batch open", SQL_BATCH_OPEN, &res,
	    RA_ARGS(RA_INT(batch)))) != RA_OK ||
	    (er = ra_get_bool(res, 0, "open", &open)) != RA_OK || open)
		goto out;
	PQclear(res);
	if ((er = ra_db_run(db, "batch rows", SQL_BATCH_ROWS, &res,
	    RA_ARGS(RA_INT(batch)))) != RA_OK ||
	    (er = expires_text(db, cfg, expires, sizeof(expires))) != RA_OK)
		goto out;
	if (cfg->site == NULL && PQntuples(res) > 0) {
		ra_warnx("Site.URL is not set: no client certificate URLs");
		er = RA_ECONF;
		goto out;
	}
	for (i = 0; i < PQntuples(res); i = k) {
		mail = ra_get_text(res, i, "admin_mail");
		name = ra_get_text(res, i, "admin_name");
		if ((er = ra_get_i64(res, i, "institution_id", &inst)) !=
		    RA_OK ||
		    (er = url_add(db, cfg, 0, "pin_download", inst, 0, batch, 0,
		    NULL, 0, &pin)) != RA_OK ||
		    (er = url_add(db, cfg, 0, "p12_bulk", inst, 0, batch,
		    pin.id, NULL, 0, &bulk)) != RA_OK)
			goto out;
		/* One mailbox, however the rows spell it. */
		for (k = i; k < PQntuples(res) &&
		    strcasecmp(ra_get_text(res, k, "admin_mail"), mail) == 0; k++)
			if ((er = ra_get_i64(res, k, "request_id", &rid)) !=
			    RA_OK ||
			    (er = seal_add(db, &pin, rid, ra_get_text(res, k,
			    "pin"))) != RA_OK ||
			    (er = seal_add(db, &bulk, rid, ra_get_text(res, k,
			    "pin"))) != RA_OK)
				goto out;
		url_text(cfg, "pinget.cgi", &pin, url, sizeof(url));
		kv[0] = (struct ra_kv){ "NameJa", name };
		kv[1] = (struct ra_kv){ "URL", url };
		kv[2] = (struct ra_kv){ "Expires", expires };
		if ((er = ra_mail_queue(db, "client-pin", mail, kv, 3)) != RA_OK)
			goto out;
		url_text(cfg, "cliget.cgi", &bulk, url, sizeof(url));
		kv[3] = (struct ra_kv){ "Bulk", "1" };
		if ((er = ra_mail_queue(db, "client-cert-url", mail, kv, 4)) !=
		    RA_OK)
			goto out;
	}
	if ((er = ra_db_run(db, "keep keys", SQL_KEY_KEEP, NULL,
	    RA_ARGS(RA_INT(0), RA_INT(cfg->days), RA_INT(batch)))) == RA_OK)
		er = ra_db_run(db, "forget PINs", SQL_BATCH_FORGET, NULL,
		    RA_ARGS(RA_INT(batch)));
out:
	OPENSSL_cleanse(&pin, sizeof(pin));
	OPENSSL_cleanse(&bulk, sizeof(bulk));
	OPENSSL_cleanse(url, sizeof(url));
	PQclear(res);
	return er;
}

/*
 * After requests "ids" were closed (issued, refused or failed): finish
 * each P12一括 upload among them whose last row this was.
 */
enum ra_err
ra_client_batches_done(PGconn *db, const struct ra_client_cfg *cfg,
    const char *ids)
{
	PGresult	*res = NULL;
	int64_t		 batch;
	int		 i;
	enum ra_err	 er;

	if ((er = ra_db_run(db, "bulk uploads", SQL_BULK_BATCHES, &res,
	    RA_ARGS(RA_TEXT(ids)))) != RA_OK)
		return er;
	for (i = 0; i < PQntuples(res) && er == RA_OK; i++)
		if ((er = ra_get_i64(res, i, "batch_id", &batch)) == RA_OK)
			er = batch_done(db, cfg, batch);
	PQclear(res);
	return er;
}

static const char SQL_REISSUE_FIND[] =
    "SELECT r.request_id, coalesce(r.user_name, '') AS user_name,"
    "       r.user_mail, coalesce(c.subject_dn, r.subject_dn) AS subject_dn"
    "  FROM ra.request r"
    "  LEFT JOIN ra.certificate c ON c.request_id = r.request_id"
    " WHERE r.institution_id = $1::bigint AND r.download_method IN (1, 3)"
    "   AND r.state IN ('waiting', 'queued', 'done')"
    "   AND (c.serial::text = $2 OR lower(r.user_mail) = lower($2))"
    /* A mailbox is the officer's only under one of their domains. */
    "   AND (r.kind <> 'smime' OR EXISTS (SELECT 1"
    "        FROM ra.officer_domain od JOIN ra.domain d USING (domain_id)"
    "       WHERE od.officer_id = $3::bigint"
    "         AND (lower(split_part(r.user_mail, '@', 2)) = d.name"
    "              OR right(lower(split_part(r.user_mail, '@', 2)),"
    "                       length(d.name) + 1) = '.' || d.name)))"
    " ORDER BY r.request_id DESC LIMIT 1";
static const char SQL_REISSUE[] =
    "SELECT ra.client_url_reissue($1::bigint, $2::bigint, $3::bytea,"
    "  $4::integer) AS why";

/*
 * The RA officer gives a user a fresh certificate URL (M2 again): the
 * certificate named by its decimal serial, or the newest P12個別 or
 * ブラウザ個別 request for that user mail.  RA_EPOLICY with "why" when it
 * cannot be done; "dn" gets the certificate's subject.
 */
enum ra_err
ra_client_reissue(PGconn *db, const struct ra_client_cfg *cfg,
    int64_t officer_id, int64_t institution_id, const char *which,
    char *dn, size_t dnsz, char *why, size_t whysz)
{
	struct url_new	 u;
	struct ra_kv	 kv[4];
	PGresult	*res = NULL, *r2 = NULL;
	const char	*w;
	char		 url[512], expires[32];
	int64_t		 rid;
	enum ra_err	 er;

	*why = *dn = '\0';
	memset(&u, 0, sizeof(u));
	if (cfg->site == NULL) {
		ra_msgf(why, whysz, "Site.URL is not set");
		return RA_ECONF;
	}
	if ((er = ra_db_run1(db, "reissue", SQL_REISSUE_FIND, &res,
	    RA_ARGS(RA_INT(institution_id), RA_TEXT(which),
	    RA_INT(officer_id)))) == RA_ENOTFOUND) {
		ra_msgf(why, whysz, "%sの証明書（P12個別・ブラウザ個別）が見つかり"
		    "ません / no such certificate of your institution", which);
		return RA_EPOLICY;
	}
	if (er != RA_OK ||
	    (er = ra_get_i64(res, 0, "request_id", &rid)) != RA_OK ||
	    (er = ra_token_new(u.token, u.sha)) != RA_OK ||
	    (er = ra_db_run1(db, "reissue", SQL_REISSUE, &r2,
	    RA_ARGS(RA_INT(rid), RA_INT(officer_id), RA_BYTES(u.sha,
	    sizeof(u.sha)), RA_INT(cfg->days)))) != RA_OK)
		goto out;
	snprintf(dn, dnsz, "%s", ra_get_text(res, 0, "subject_dn"));
	if (*(w = ra_get_text(r2, 0, "why")) != '\0') {
		ra_msgf(why, whysz, "%s", strcmp(w, "pin") == 0 ?
		    "アクセスPINが取得されないまま期限切れです。更新（再発行）して"
		    "ください / the access PIN was never fetched and expired: "
		    "renew the certificate" : strcmp(w, "key") == 0 ?
		    "ダウンロード済み、または鍵の保管期限切れです。更新してください"
		    " / already downloaded, or its key expired: renew it" :
		    strcmp(w, "notyet") == 0 ? "まだ発行されていません / not issued"
		    " yet" : "対象外です / not a certificate of yours");
		er = RA_EPOLICY;
		goto out;
	}
	if ((er = expires_text(db, cfg, expires, sizeof(expires))) != RA_OK)
		goto out;
	url_text(cfg, "cliget.cgi", &u, url, sizeof(url));
	kv[0] = (struct ra_kv){ "NameJa", ra_get_text(res, 0, "user_name") };
	kv[1] = (struct ra_kv){ "URL", url };
	kv[2] = (struct ra_kv){ "Expires", expires };
	kv[3] = (struct ra_kv){ "Bulk", "0" };
	er = ra_mail_queue(db, "client-cert-url", ra_get_text(res, 0,
	    "user_mail"), kv, 4);
out:
	OPENSSL_cleanse(&u, sizeof(u));
	OPENSSL_cleanse(url, sizeof(url));
	PQclear(res);
	PQclear(r2);
	return er;
}

static const char SQL_EXPIRE[] =
    "WITH s AS ("
    "  DELETE FROM ra.pin_seal p USING ra.access_token t"
    "   WHERE p.token_id = t.token_id AND t.expires_at <= pg_catalog.now()"
    "  RETURNING 1),"
    " c AS ("
    "  UPDATE ra.request q SET state = 'cancelled',"
    "         done_at = pg_catalog.now(),"
    "         error = 'the certificate URL expired before 【発行】'"
    "   WHERE q.state = 'waiting' AND NOT EXISTS (SELECT 1"
    "         FROM ra.access_token t WHERE t.request_id = q.request_id"
    "          AND t.purpose = 'p12_download' AND t.used_at IS NULL"
    "          AND t.expires_at > pg_catalog.now())"
    "  RETURNING 1)"
    " SELECT (SELECT count(*) FROM s) AS seals,"
    "        (SELECT count(*) FROM c) AS cancelled";

/*
 * Cron: sealed PINs whose URL expired are deleted, and ブラウザ個別
 * requests whose certificate URL expired before 【発行】 are cancelled.
 */
enum ra_err
ra_client_expire(PGconn *db, int64_t *seals, int64_t *cancelled)
{
	PGresult	*res = NULL;
	enum ra_err	 er;

	*seals = *cancelled = 0;
	if ((er = ra_db_run1(db, "client expiry", SQL_EXPIRE, &res,
	    NULL, 0)) == RA_OK &&
	    (er = ra_get_i64(res, 0, "seals", seals)) == RA_OK)
		er = ra_get_i64(res, 0, "cancelled", cancelled);
	PQclear(res);
	return er;
}

static const char SQL_SECRET[] =
    "SELECT r.download_method, t.pin_salt, t.pin_hash,"
    "       coalesce(t.pin_cost, 0) AS pin_cost"
    "  FROM ra.request r"
    "  LEFT JOIN ra.access_token t ON t.request_id = r.request_id"
    "       AND t.purpose = 'p12_download' AND t.pin_hash IS NOT NULL"
    " WHERE r.request_id = $1::bigint"
    " ORDER BY t.token_id DESC LIMIT 1";

/*
 * The worker, before it makes the key of a ブラウザ個別 request: the
 * password it was queued with must be the access PIN of the request's
 * URL (its hash is there), whoever queued it.  RA_OK for the other
 * methods; RA_EDENIED when it is not the PIN.
 */
enum ra_err
ra_client_secret_ok(PGconn *db, int64_t request_id, const char *secret)
{
	PGresult	*res = NULL;
	unsigned char	*salt = NULL, *hash = NULL;
	size_t		 saltlen = 0, hashlen = 0;
	int		 method = 0, cost = 0;
	enum ra_err	 er;

	if ((er = ra_db_run1(db, "key password", SQL_SECRET, &res,
	    RA_ARGS(RA_INT(request_id)))) != RA_OK)
		goto out;
	if (PQgetisnull(res, 0, PQfnumber(res, "download_method")) ||
	    (er = ra_get_int(res, 0, "download_method", &method)) != RA_OK ||
	    method != 3)
		goto out;		/* not a browser request: nothing to check */
	er = RA_EDENIED;
	if (secret == NULL ||
	    ra_get_bytea(res, 0, "pin_salt", &salt, &saltlen) != RA_OK ||
	    ra_get_bytea(res, 0, "pin_hash", &hash, &hashlen) != RA_OK ||
	    ra_get_int(res, 0, "pin_cost", &cost) != RA_OK)
		goto out;
	if (ra_pin_check(secret, salt, saltlen, cost, hash, hashlen) == 1)
		er = RA_OK;
out:
	PQfreemem(salt);
	PQfreemem(hash);
	PQclear(res);
	return er;
}
