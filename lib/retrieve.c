/*
 * retrieve.c: a server or code-signing certificate reaches its user
 * administrator by a one-time URL (M6, queued by the worker in the
 * transaction that stores the certificate); the first download tells the
 * RA officer (M7).
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
	char		 why[128], *buf = NULL, *v;
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

/* Inside the caller's transaction: the URL and the mail (M6). */
enum ra_err
ra_retrieval_mail(PGconn *db, const char *site, int64_t cert_id,
    int64_t inst_id, const char *dn, const char *serial, const char *name,
    const char *mail)
{
	struct ra_kv	 kv[5];
	PGresult	*res = NULL;
	const char	*param[3];
	unsigned char	 sha[32];
	char		 token[RA_TOKEN_LEN + 1], url[512], inst[24], cid[24],
			*hex = NULL, *block = NULL;
	enum ra_err	 er;

	if (site == NULL) {
		ra_warnx("Site.URL is not set: no retrieval mail");
		return RA_ECONF;
	}
	if ((er = ra_token_new(token, sha)) != RA_OK)
		return er;
	if ((hex = ra_bytea_hex(sha, sizeof(sha))) == NULL ||
	    (block = ra_dn_block(dn)) == NULL) {
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
	snprintf(url, sizeof(url), "%s/certget.cgi?t=%s", site, token);
	kv[0] = (struct ra_kv){ "NameJa", name };
	kv[1] = (struct ra_kv){ "URL", url };
	kv[2] = (struct ra_kv){ "Expires", PQgetvalue(res, 0, 0) };
	kv[3] = (struct ra_kv){ "DNBlock", block };
	kv[4] = (struct ra_kv){ "Serial", serial };
	er = ra_mail_queue(db, strcmp(PQgetvalue(res, 0, 1), "code_signing") ==
	    0 ? "codesign-cert-url" : "server-cert-url", mail, kv, 5);
out:
	OPENSSL_cleanse(token, sizeof(token));
	OPENSSL_cleanse(url, sizeof(url));
	PQclear(res);
	free(hex);
	free(block);
	return er;
}
