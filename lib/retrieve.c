/*
 * retrieve.c: a server or code-signing certificate reaches its user
 * administrator by a one-time URL (M6, queued by the worker in the
 * transaction that stores the certificate); the first download tells the
 * RA officer (M7).  While it is 取得待ち the RA officer can have a fresh
 * URL mailed in place of the old one (① and ⑪ --reissue).
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/objects.h>

#include "ra.h"
#include "domain.h"

#define DN_RULE	"　---------------------------------------------"

static const char SQL_TOKEN_ADD[] =
    "INSERT INTO ra.access_token (purpose, token_sha256, institution_id,"
    "  cert_id, expires_at)"
    " VALUES ('cert_download', $1::bytea, $2::bigint, $3::bigint,"
    "  pg_catalog.now() + interval '31 days')"
    " RETURNING to_char(expires_at AT TIME ZONE 'Asia/Tokyo',"
    "  'YYYY-MM-DD HH24:MI'),"
    "  (SELECT c.kind FROM ra.certificate c WHERE c.cert_id = $3::bigint)";

/*
 * The mails' DN block (reference §4): a full-width space and 45 hyphens,
 * one "　TYPE=value" line per RDN from CN to C, the rule again.  From RFC
 * 2253 text (CN first); caller frees.
 */
char *
ra_dn_block(const char *dn)
{
	X509_NAME	*name = NULL;
	X509_NAME_ENTRY	*ent;
	char		 why[512], *buf = NULL, *v;
	size_t		 len;
	FILE		*fp;
	int		 i;

	if (ra_dn_parse(dn, &name, why, sizeof(why)) != RA_OK)
		return strdup(dn);
	if ((fp = open_memstream(&buf, &len)) == NULL) {
		X509_NAME_free(name);
		return NULL;
	}
	fprintf(fp, "%s\n", DN_RULE);
	for (i = X509_NAME_entry_count(name) - 1; i >= 0; i--) {
		ent = X509_NAME_get_entry(name, i);
		if (ASN1_STRING_to_UTF8((unsigned char **)&v,
		    X509_NAME_ENTRY_get_data(ent)) < 0)
			continue;
		fprintf(fp, "　%s=%s\n", OBJ_nid2sn(OBJ_obj2nid(
		    X509_NAME_ENTRY_get_object(ent))), v);
		OPENSSL_free(v);
	}
	fprintf(fp, "%s", DN_RULE);
	fclose(fp);
	X509_NAME_free(name);
	return buf;
}

/*
 * M6 for URL "token" of a certificate of "kind", valid until "expires":
 * the first one, or ("reissued") one in place of an earlier URL.
 */
static enum ra_err
retrieval_queue(PGconn *db, const char *site, const char *token,
    const char *expires, const char *kind, const char *dn, const char *serial,
    const char *name, const char *mail, int reissued)
{
	struct ra_kv	 kv[6];
	char		 url[512], *block;
	enum ra_err	 er;

	if ((block = ra_dn_block(dn)) == NULL)
		return RA_ENOMEM;
	snprintf(url, sizeof(url), "%s/certget.cgi?t=%s", site, token);
	kv[0] = (struct ra_kv){ "NameJa", name };
	kv[1] = (struct ra_kv){ "URL", url };
	kv[2] = (struct ra_kv){ "Expires", expires };
	kv[3] = (struct ra_kv){ "DNBlock", block };
	kv[4] = (struct ra_kv){ "Serial", serial };
	kv[5] = (struct ra_kv){ "Reissued", reissued ? "1" : "0" };
	er = ra_mail_queue(db, strcmp(kind, "code_signing") == 0 ?
	    "codesign-cert-url" : "server-cert-url", mail, kv, 6);
	OPENSSL_cleanse(url, sizeof(url));
	free(block);
	return er;
}

/* Inside the caller's transaction: the URL and the mail (M6). */
enum ra_err
ra_retrieval_mail(PGconn *db, const char *site, int64_t cert_id,
    int64_t inst_id, const char *dn, const char *serial, const char *name,
    const char *mail)
{
	PGresult	*res = NULL;
	const char	*param[3];
	unsigned char	 sha[32];
	char		 token[RA_TOKEN_LEN + 1], inst[24], cid[24], *hex = NULL;
	enum ra_err	 er;

	if (site == NULL) {
		ra_warnx("Site.URL is not set: no retrieval mail");
		return RA_ECONF;
	}
	if ((er = ra_token_new(token, sha)) != RA_OK)
		return er;
	if ((hex = ra_bytea_hex(sha, sizeof(sha))) == NULL) {
		er = RA_ENOMEM;
		goto out;
	}
	snprintf(inst, sizeof(inst), "%lld", (long long)inst_id);
	snprintf(cid, sizeof(cid), "%lld", (long long)cert_id);
	param[0] = hex;
	param[1] = inst;
	param[2] = cid;
	if ((er = ra_db_query(db, "retrieval URL", SQL_TOKEN_ADD, 3, param,
	    &res)) != RA_OK)
		goto out;
	er = retrieval_queue(db, site, token, PQgetvalue(res, 0, 0),
	    PQgetvalue(res, 0, 1), dn, serial, name, mail, 0);
out:
	OPENSSL_cleanse(token, sizeof(token));
	PQclear(res);
	free(hex);
	return er;
}

/* The certificate a reissue names, preferring the officer's institution's. */
static const char SQL_REISSUE_CERT[] =
    "SELECT cert_id, institution_id, kind, subject_dn, serial::text"
    "  FROM ra.certificate"
    " WHERE serial = $1::numeric AND state = 'issued'"
    " ORDER BY institution_id = $2::bigint DESC, cert_id DESC LIMIT 1";
static const char SQL_REISSUE[] =
    "SELECT why, admin_name, admin_mail, expires"
    "  FROM ra.cert_url_reissue($1::bigint, $2::bigint, $3::bytea)";

/* Why a reissue is refused, by ra.cert_url_reissue's word and ours. */
static const struct {
	const char	*code, *ja, *en;
} reissue_why[] = {
	{ "serial", "シリアル番号は半角数字（10進）で入力してください。",
	    "the serial number is a decimal number" },
	{ "notfound", "この番号の証明書が存在しません。",
	    "no issued certificate has this serial number" },
	{ "kind", "この画面の種類の証明書ではありません（①はサーバ証明書、"
	    "⑪はコード署名用証明書）。", "not a certificate of this screen's kind" },
	{ "institution", "自機関の証明書ではありません。",
	    "not a certificate of your institution" },
	{ "officer", "登録担当者または機関が有効ではありません。",
	    "the officer or the institution is not active" },
	{ "permission", "この証明書の種類の画面を利用する権限がありません。",
	    "no permission for the screen of this certificate's kind" },
	{ "domain", "登録担当者のドメイン配下の証明書ではありません。",
	    "its CN is not under your domains" },
	{ "revoked", "すでに失効しています。", "revoked" },
	{ "superseded", "すでに更新されています。新しい証明書の取得URLを"
	    "再発行してください。", "renewed: reissue the new certificate's URL" },
	{ "expired", "有効期限が切れています。", "expired" },
	{ "retrieved", "取得済みです（発行済み）。証明書は②のダウンロードにも"
	    "含まれます。", "already retrieved; ② lists it with its PEM" },
	{ "noadmin", "利用管理者のメールアドレスがありません。",
	    "no user administrator's mail address" },
	{ "recent", "5分以内に証明書取得URLを送ったばかりです。メールの到着を"
	    "お待ちください。", "a URL was mailed less than 5 minutes ago: "
	    "wait for that mail" },
};

static void
reissue_refused(struct ra_reissue *out, const char *serial, const char *code)
{
	size_t	 i;

	for (i = 0; i < RA_NITEMS(reissue_why); i++)
		if (strcmp(reissue_why[i].code, code) == 0)
			break;
	if (i == RA_NITEMS(reissue_why)) {
		ra_warnx("cert_url_reissue: unknown refusal \"%s\"", code);
		i = 1;				/* notfound: says nothing more */
	}
	out->code = reissue_why[i].code;
	ra_msgf(out->why, sizeof(out->why), "%s：%s / %s", serial,
	    reissue_why[i].ja, reissue_why[i].en);
}

/*
 * Officer "officer" of institution "inst", on the screen of certificates
 * of "kind" (server, code_signing), asks for a fresh retrieval URL for
 * the certificate of decimal serial "serial": the old URLs die, a new one
 * is mailed (M6) to the user administrator, inside the caller's
 * transaction.  RA_OK with "out" saying what was mailed to whom;
 * RA_EPOLICY with out->why and out->code when refused (nothing changed).
 */
enum ra_err
ra_retrieval_reissue(PGconn *db, const char *site, int64_t officer,
    int64_t inst, const char *kind, const char *serial,
    struct ra_reissue *out)
{
	PGresult	*res = NULL, *r2 = NULL;
	unsigned char	 sha[32];
	char		 token[RA_TOKEN_LEN + 1] = "", ckind[32];
	const char	*why;
	int64_t		 cert, cinst;
	size_t		 n = strlen(serial);
	enum ra_err	 er;

	memset(out, 0, sizeof(*out));
	snprintf(out->serial, sizeof(out->serial), "%.63s", serial);
	if (site == NULL) {
		ra_warnx("Site.URL is not set: no retrieval mail");
		return RA_ECONF;
	}
	/* ra.serial is numeric(49, 0): a longer number names nothing. */
	if (n == 0 || n > 49 || strspn(serial, "0123456789") != n) {
		reissue_refused(out, serial, n > 49 &&
		    strspn(serial, "0123456789") == n ? "notfound" : "serial");
		return RA_EPOLICY;
	}
	if ((er = ra_db_run1(db, "reissue", SQL_REISSUE_CERT, &res,
	    RA_ARGS(RA_TEXT(serial), RA_INT(inst)))) == RA_ENOTFOUND) {
		reissue_refused(out, serial, "notfound");
		return RA_EPOLICY;
	}
	if (er != RA_OK ||
	    (er = ra_get_i64(res, 0, "cert_id", &cert)) != RA_OK ||
	    (er = ra_get_i64(res, 0, "institution_id", &cinst)) != RA_OK ||
	    (er = ra_get_str(res, 0, "kind", ckind, sizeof(ckind))) != RA_OK ||
	    (er = ra_get_str(res, 0, "subject_dn", out->subject_dn,
	    sizeof(out->subject_dn))) != RA_OK)
		goto out;
	/* Another institution's is that, whatever its kind. */
	if (strcmp(ckind, kind) != 0) {
		reissue_refused(out, serial, cinst != inst ? "institution" :
		    "kind");
		er = RA_EPOLICY;
		goto out;
	}
	if ((er = ra_token_new(token, sha)) != RA_OK ||
	    (er = ra_db_run1(db, "reissue", SQL_REISSUE, &r2,
	    RA_ARGS(RA_INT(officer), RA_INT(cert), RA_BYTES(sha,
	    sizeof(sha))))) != RA_OK)
		goto out;
	if (*(why = ra_get_text(r2, 0, "why")) != '\0') {
		reissue_refused(out, serial, why);
		er = RA_EPOLICY;
		goto out;
	}
	if ((er = ra_get_str(r2, 0, "admin_name", out->admin_name,
	    sizeof(out->admin_name))) != RA_OK ||
	    (er = ra_get_str(r2, 0, "admin_mail", out->admin_mail,
	    sizeof(out->admin_mail))) != RA_OK ||
	    (er = ra_get_str(r2, 0, "expires", out->expires,
	    sizeof(out->expires))) != RA_OK)
		goto out;
	er = retrieval_queue(db, site, token, out->expires, kind,
	    out->subject_dn, ra_get_text(res, 0, "serial"), out->admin_name,
	    out->admin_mail, 1);
out:
	OPENSSL_cleanse(token, sizeof(token));
	PQclear(res);
	PQclear(r2);
	return er;
}
