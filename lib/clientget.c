/*
 * clientget.c: the public side of a client certificate's URLs (reference
 * §1.4, §3.5, §7.2).  A URL is found by its token's hash and locked for
 * the transaction (011/012 functions); what it covers is read through
 * the same token, and its sealed PINs are opened with the token itself,
 * which only the mail carried.
 *
 *	PIN ZIP		accesspin.txt: 氏名 メールアドレス アクセスPIN 主体者DN
 *	bulk ZIP	client.txt: シリアル番号 氏名 メールアドレス 主体者DN
 *			P12ファイル名, and <column 12>.p12 per row, each
 *			encrypted with its row's access PIN
 *
 * Both text files are CP932 with CRLF and a header line, as the
 * integrators' readers expect.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "ra.h"
#include "domain.h"

static const char SQL_OPEN[] =
    "SELECT * FROM ra.client_url_open($1)";
static const char SQL_ROWS[] =
    "SELECT * FROM ra.client_url_rows($1)";
static const char SQL_USED[] =
    "SELECT ra.client_url_used($1) AS used";
static const char SQL_ISSUE[] =
    "SELECT ra.client_url_issue($1, $2) AS queued";

#define PIN_MAX		129	/* TSV column 15: 128 characters */

/*
 * A client URL, locked.  RA_ENOTFOUND when the token names none; the
 * caller looks at used, expired, locked, gate_open.
 */
enum ra_err
ra_client_url_open(PGconn *db, const char *token, struct ra_client_url *c)
{
	struct ra_url	*u = &c->u;
	PGresult	*res = NULL;
	enum ra_err	 er;

	unsigned char	 sha[32];

	memset(c, 0, sizeof(*c));
	if (token == NULL || ra_token_hash(token, sha) != RA_OK)
		return RA_ENOTFOUND;
	snprintf(u->token, sizeof(u->token), "%s", token);
	if ((er = ra_db_run1(db, "client URL", SQL_OPEN, &res,
	    RA_ARGS(RA_TEXT(u->token)))) != RA_OK)
		return er;
	if ((er = ra_get_i64(res, 0, "token_id", &u->token_id)) != RA_OK ||
	    (er = ra_get_i64(res, 0, "request_id", &u->request_id)) != RA_OK ||
	    (er = ra_get_i64(res, 0, "batch_id", &c->batch_id)) != RA_OK ||
	    (er = ra_get_i64(res, 0, "institution_id", &u->institution_id)) !=
	    RA_OK ||
	    (er = ra_get_i64(res, 0, "cert_id", &c->cert_id)) != RA_OK ||
	    (er = ra_get_int(res, 0, "pin_cost", &u->pin_cost)) != RA_OK ||
	    (er = ra_get_int(res, 0, "failures", &u->failures)) != RA_OK ||
	    (er = ra_get_int(res, 0, "download_method", &c->method)) != RA_OK ||
	    (er = ra_get_bool(res, 0, "locked", &u->locked)) != RA_OK ||
	    (er = ra_get_bool(res, 0, "expired", &u->expired)) != RA_OK ||
	    (er = ra_get_bool(res, 0, "used", &u->used)) != RA_OK ||
	    (er = ra_get_bool(res, 0, "active", &u->active)) != RA_OK ||
	    (er = ra_get_bool(res, 0, "gate_open", &c->gate_open)) != RA_OK ||
	    (er = ra_get_bool(res, 0, "step_expired", &u->step_expired)) !=
	    RA_OK ||
	    (er = ra_get_hash(res, 0, "step_sha256", u->step, sizeof(u->step),
	    &u->has_step)) != RA_OK ||
	    (er = ra_get_str(res, 0, "purpose", c->purpose,
	    sizeof(c->purpose))) != RA_OK ||
	    (er = ra_get_str(res, 0, "state", c->state, sizeof(c->state))) !=
	    RA_OK ||
	    (er = ra_get_str(res, 0, "action", c->action, sizeof(c->action))) !=
	    RA_OK ||
	    (er = ra_get_str(res, 0, "user_name", c->user_name,
	    sizeof(c->user_name))) != RA_OK ||
	    (er = ra_get_str(res, 0, "user_mail", c->user_mail,
	    sizeof(c->user_mail))) != RA_OK ||
	    (er = ra_get_str(res, 0, "admin_name", c->admin_name,
	    sizeof(c->admin_name))) != RA_OK ||
	    (er = ra_get_str(res, 0, "admin_mail", c->admin_mail,
	    sizeof(c->admin_mail))) != RA_OK ||
	    (er = ra_get_str(res, 0, "officer_name", c->officer_name,
	    sizeof(c->officer_name))) != RA_OK ||
	    (er = ra_get_str(res, 0, "officer_mail", c->officer_mail,
	    sizeof(c->officer_mail))) != RA_OK ||
	    (er = ra_get_str(res, 0, "institution_ja", u->institution_ja,
	    sizeof(u->institution_ja))) != RA_OK ||
	    (er = ra_get_str(res, 0, "serial", c->serial, sizeof(c->serial))) !=
	    RA_OK ||
	    (er = ra_get_str(res, 0, "subject_dn", c->subject_dn,
	    sizeof(c->subject_dn))) != RA_OK ||
	    (er = ra_get_str(res, 0, "p12_name", c->p12_name,
	    sizeof(c->p12_name))) != RA_OK)
		goto out;
	er = ra_get_bytea(res, 0, "pin_salt", &u->pin_salt, &u->pin_saltlen);
	if (er == RA_OK)
		er = ra_get_bytea(res, 0, "pin_hash", &u->pin_hash,
		    &u->pin_hashlen);
	if (er == RA_ENOTFOUND)
		er = RA_OK;		/* a PIN or bulk URL has no PIN itself */
	if (er != RA_OK)
		goto out;
	u->found = 1;
out:
	PQclear(res);
	if (er != RA_OK)
		ra_url_free(u);
	return er;
}

/* The URL used up, its sealed PINs deleted, in the caller's transaction. */
enum ra_err
ra_client_url_used(PGconn *db, const char *token)
{
	PGresult	*res = NULL;
	int		 used = 0;
	enum ra_err	 er;

	if ((er = ra_db_run1(db, "client URL used", SQL_USED, &res,
	    RA_ARGS(RA_TEXT(token)))) == RA_OK &&
	    (er = ra_get_bool(res, 0, "used", &used)) == RA_OK && !used)
		er = RA_ENOTFOUND;
	PQclear(res);
	return er;
}

/*
 * 【発行】 on a ブラウザ個別 URL: its request queued with "pin" to encrypt
 * the new key.  RA_EDUP when it was queued before (a second click).
 */
enum ra_err
ra_client_issue(PGconn *db, const char *token, const char *pin)
{
	PGresult	*res = NULL;
	int		 queued = 0;
	enum ra_err	 er;

	if ((er = ra_db_run1(db, "issue", SQL_ISSUE, &res,
	    RA_ARGS(RA_TEXT(token), RA_TEXT(pin)))) == RA_OK &&
	    (er = ra_get_bool(res, 0, "queued", &queued)) == RA_OK && !queued)
		er = RA_EDUP;
	PQclear(res);
	return er;
}

/* Row "i" of the URL's rows: its request and its PIN, unsealed. */
static enum ra_err
row_pin(const PGresult *res, int i, const char *token, int64_t *rid,
    char *pin, size_t pinsz)
{
	unsigned char	*sealed = NULL;
	size_t		 len;
	enum ra_err	 er;

	if ((er = ra_get_i64(res, i, "request_id", rid)) == RA_OK &&
	    (er = ra_get_bytea(res, i, "sealed", &sealed, &len)) == RA_OK)
		er = ra_unseal(token, *rid, sealed, len, pin, pinsz);
	PQfreemem(sealed);
	return er;
}

/* One line of a ZIP's text file, "fields" joined by TABs, CRLF. */
static int
text_line(FILE *fp, const char *const *fields, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if (fprintf(fp, "%s%s", i > 0 ? "\t" : "", fields[i]) < 0)
			return 0;
	return fputs("\r\n", fp) >= 0;
}

/* The text file "utf8" as CP932, into the ZIP as "name". */
static enum ra_err
zip_text(struct ra_zip *z, const char *name, const char *utf8)
{
	char		*sjis;
	enum ra_err	 er;

	if ((sjis = ra_recode(utf8, "CP932")) == NULL) {
		ra_warnx("%s: a character has no CP932 encoding", name);
		return RA_EINPUT;
	}
	er = ra_zip_add(z, name, sjis, strlen(sjis));
	free(sjis);
	return er;
}

/*
 * The PIN ZIP of the URL "token" (locked by ra_client_url_open): every
 * row it covers with its PIN, opened with the token.  "*zip" (free) is
 * the caller's.
 */
enum ra_err
ra_client_pin_zip(PGconn *db, const char *token, unsigned char **zip,
    size_t *ziplen)
{
	struct ra_zip	*z = NULL;
	PGresult	*res = NULL;
	const char	*f[4];
	char		 pin[PIN_MAX], *text = NULL;
	size_t		 textlen = 0;
	int64_t		 rid;
	FILE		*fp = NULL;
	int		 i;
	enum ra_err	 er;

	*zip = NULL;
	if ((er = ra_db_run(db, "PIN rows", SQL_ROWS, &res,
	    RA_ARGS(RA_TEXT(token)))) != RA_OK)
		return er;
	if (PQntuples(res) == 0) {
		er = RA_ENOTFOUND;
		goto out;
	}
	if ((fp = open_memstream(&text, &textlen)) == NULL) {
		er = RA_ENOMEM;
		goto out;
	}
	f[0] = "氏名";
	f[1] = "メールアドレス";
	f[2] = "アクセスPIN";
	f[3] = "主体者DN";
	if (!text_line(fp, f, 4)) {
		er = RA_ESYS;
		goto out;
	}
	for (i = 0; i < PQntuples(res); i++) {
		if ((er = row_pin(res, i, token, &rid, pin, sizeof(pin))) !=
		    RA_OK)
			goto out;
		f[0] = ra_get_text(res, i, "user_name");
		f[1] = ra_get_text(res, i, "user_mail");
		f[2] = pin;
		f[3] = ra_get_text(res, i, "subject_dn");
		if (!text_line(fp, f, 4)) {
			er = RA_ESYS;
			goto out;
		}
	}
	if (fclose(fp) != 0) {
		fp = NULL;
		er = RA_ESYS;
		goto out;
	}
	fp = NULL;
	if ((z = ra_zip_new()) == NULL) {
		er = RA_ENOMEM;
		goto out;
	}
	if ((er = zip_text(z, "accesspin.txt", text)) != RA_OK)
		goto out;
	er = ra_zip_finish(z, zip, ziplen);
	z = NULL;
out:
	if (fp != NULL)
		fclose(fp);
	ra_zip_free(z);
	OPENSSL_cleanse(pin, sizeof(pin));
	if (text != NULL)
		OPENSSL_cleanse(text, textlen);
	free(text);
	PQclear(res);
	return er;
}

/*
 * The bulk ZIP of the URL "token": client.txt and each row's PKCS#12,
 * built now in "prof" under the row's PIN (opened with the token); every
 * waiting key is taken in the caller's transaction.  "first_dn" and
 * "first_serial" get the first row's, for M3.  On an error the
 * transaction is rolled back.
 */
enum ra_err
ra_client_bulk_zip(PGconn *db, const char *token, enum ra_p12_profile prof,
    unsigned char **zip, size_t *ziplen,
    char *first_dn, size_t dnsz, char first_serial[64])
{
	struct ra_zip	*z = NULL;
	PGresult	*res = NULL;
	unsigned char	*p12 = NULL;
	const char	*f[5];
	char		 pin[PIN_MAX], serial[64], name[80], *text = NULL;
	size_t		 textlen = 0, p12len = 0;
	int64_t		 rid;
	FILE		*fp = NULL;
	int		 i, n, waiting;
	enum ra_err	 er;

	*zip = NULL;
	*first_dn = *first_serial = '\0';
	if ((er = ra_db_run(db, "bulk rows", SQL_ROWS, &res,
	    RA_ARGS(RA_TEXT(token)))) != RA_OK)
		goto out;
	if (PQntuples(res) == 0) {
		er = RA_ENOTFOUND;
		goto out;
	}
	if ((z = ra_zip_new()) == NULL ||
	    (fp = open_memstream(&text, &textlen)) == NULL) {
		er = RA_ENOMEM;
		goto out;
	}
	f[0] = "シリアル番号";
	f[1] = "氏名";
	f[2] = "メールアドレス";
	f[3] = "主体者DN";
	f[4] = "P12ファイル名";
	if (!text_line(fp, f, 5)) {
		er = RA_ESYS;
		goto out;
	}
	for (n = 0, i = 0; i < PQntuples(res); i++) {
		/*
		 * A row whose key is gone (its time is over) is left out, not
		 * the whole ZIP refused: the others are still the user
		 * administrator's to hand out.
		 */
		if ((er = ra_get_bool(res, i, "key_waiting", &waiting)) != RA_OK)
			goto out;
		if (!waiting)
			continue;
		if ((er = row_pin(res, i, token, &rid, pin, sizeof(pin))) !=
		    RA_OK)
			goto out;
		if ((er = ra_p12_take_url(db, token, rid, pin, prof, "cliget",
		    &p12, &p12len, serial)) != RA_OK)
			goto out;		/* rolled back */
		snprintf(name, sizeof(name), "%s.p12",
		    ra_get_text(res, i, "p12_name"));
		er = ra_zip_add(z, name, p12, p12len);
		OPENSSL_clear_free(p12, p12len);
		p12 = NULL;
		if (er != RA_OK)
			goto out;
		f[0] = serial;
		f[1] = ra_get_text(res, i, "user_name");
		f[2] = ra_get_text(res, i, "user_mail");
		f[3] = ra_get_text(res, i, "subject_dn");
		f[4] = name;
		if (!text_line(fp, f, 5)) {
			er = RA_ESYS;
			goto out;
		}
		if (n++ == 0) {
			snprintf(first_dn, dnsz, "%s", f[3]);
			snprintf(first_serial, 64, "%s", serial);
		}
	}
	if (n == 0) {
		er = RA_ENOTFOUND;	/* every key's time is over */
		goto out;
	}
	if (fclose(fp) != 0) {
		fp = NULL;
		er = RA_ESYS;
		goto out;
	}
	fp = NULL;
	if ((er = zip_text(z, "client.txt", text)) != RA_OK)
		goto out;
	er = ra_zip_finish(z, zip, ziplen);
	z = NULL;
out:
	if (er != RA_OK)
		ra_db_rollback(db);
	if (fp != NULL)
		fclose(fp);
	ra_zip_free(z);
	OPENSSL_cleanse(pin, sizeof(pin));
	free(text);
	PQclear(res);
	return er;
}

/*
 * M3: a user fetched a client certificate (for a bulk ZIP, "dn" and
 * "serial" are the first row's): to the RA officer and the user
 * administrator.
 */
enum ra_err
ra_client_retrieved_mail(PGconn *db, const struct ra_client_url *c,
    const char *dn, const char *serial)
{
	struct ra_kv	 kv[4];
	char		 to[600], *block;
	enum ra_err	 er;

	snprintf(to, sizeof(to), "%s", c->officer_mail);
	if (*c->admin_mail != '\0' && !ra_list_has(to, c->admin_mail))
		snprintf(to + strlen(to), sizeof(to) - strlen(to), "%s%s",
		    *to != '\0' ? "," : "", c->admin_mail);
	if (*to == '\0')
		return RA_OK;
	if ((block = ra_dn_block(dn)) == NULL)
		return RA_ENOMEM;
	kv[0] = (struct ra_kv){ "NameJa", c->officer_name };
	kv[1] = (struct ra_kv){ "DNBlock", block };
	kv[2] = (struct ra_kv){ "Serial", serial };
	kv[3] = (struct ra_kv){ "AdminName", c->admin_name };
	er = ra_mail_queue(db, "client-cert-retrieved", to, kv, 4);
	free(block);
	return er;
}

/*
 * An audit detail of a client URL: which URL, request and upload, then
 * "extra" (a JSON object, or NULL) merged in, so that every download or
 * refusal can be tied to what it was for.
 */
void
ra_client_audit_detail(const struct ra_url *u, int64_t batch_id,
    const char *extra, char *buf, size_t sz)
{
	snprintf(buf, sz, "{\"token_id\": %lld, \"request_id\": %lld, "
	    "\"batch_id\": %lld%s%s", (long long)u->token_id,
	    (long long)u->request_id, (long long)batch_id,
	    extra != NULL && *extra == '{' && extra[1] != '}' ? ", " : "}",
	    extra != NULL && *extra == '{' && extra[1] != '}' ? extra + 1 : "");
}
