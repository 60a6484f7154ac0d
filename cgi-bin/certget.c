/*
 * certget.cgi: the user administrator's one-time URL for a server
 * certificate (M6): the certificate as PEM, with its chain, or as PKCS#7.
 * The first download marks the certificate retrieved (取得待ち ->
 * 発行済み) and tells the RA officer (M7, for a renewal with the
 * revocation TSV of the old certificate); the URL then lasts an hour, so
 * the chain can be fetched too, and dies.
 *
 *	GET ?t=TOKEN		what the URL holds
 *	GET ?t=TOKEN&f=FORMAT	pem, chain or p7b
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/pem.h>
#include <openssl/pkcs7.h>

#include "ra.h"

static int
valid_format(const char *s)
{
	return strcmp(s, "pem") == 0 || strcmp(s, "chain") == 0 ||
	    strcmp(s, "p7b") == 0;
}

enum { F_TOKEN, F_FORMAT, F__MAX };
static const struct ra_field fields[F__MAX] = {
	[F_TOKEN]	= { "t",	RA_TOKEN_LEN,	ra_valid_token },
	[F_FORMAT]	= { "f",	5,		valid_format },
};

static const char SQL_TOKEN[] =
    "SELECT t.token_id, c.cert_id, c.der, c.ca_id, c.subject_dn,"
    "       c.serial::text,"
    "       to_char(c.not_after AT TIME ZONE 'Asia/Tokyo', 'YYYY-MM-DD'),"
    "       t.used_at IS NULL, coalesce(o.name_ja, ''), coalesce(o.mail, ''),"
    "       coalesce(old.subject_dn, ''), coalesce(old.serial::text, ''),"
    "       old.cert_id IS NOT NULL AND NOT EXISTS (SELECT 1"
    "         FROM ra.revocation v WHERE v.cert_id = old.cert_id),"
    "       coalesce(r.admin_mail, ''), c.institution_id, r.officer_id"
    "  FROM ra.access_token t"
    "  JOIN ra.certificate c ON c.cert_id = t.cert_id"
    "  JOIN ra.request r ON r.request_id = c.request_id"
    "  LEFT JOIN ra.officer o ON o.officer_id = r.officer_id"
    "  LEFT JOIN ra.certificate old ON old.cert_id = r.target_cert_id"
    " WHERE t.token_sha256 = $1::bytea AND t.purpose = 'cert_download'"
    "   AND t.expires_at > pg_catalog.now()"
    "   AND (t.used_at IS NULL"
    "        OR t.used_at > pg_catalog.now() - interval '1 hour')"
    "   FOR UPDATE OF t";
enum { T_ID, T_CERT, T_DER, T_CA, T_DN, T_SERIAL, T_NOTAFTER, T_FIRST,
    T_OFF_NAME, T_OFF_MAIL, T_OLD_DN, T_OLD_SERIAL, T_OLD_LIVE, T_ADMIN,
    T_INST, T_OFFICER };
static const char SQL_USED[] =
    "UPDATE ra.access_token SET used_at = pg_catalog.now()"
    " WHERE token_id = $1::bigint";
static const char SQL_RETRIEVED[] =
    "UPDATE ra.certificate SET retrieved_at = pg_catalog.now()"
    " WHERE cert_id = $1::bigint AND retrieved_at IS NULL";

/* PKCS#7 certs-only (no signer): the certificate and its chain. */
static int
p7_certs(BIO *out, X509 *crt, STACK_OF(X509) *chain)
{
	PKCS7	*p7;
	int	 i, ok = 0;

	if ((p7 = PKCS7_new()) == NULL ||
	    !PKCS7_set_type(p7, NID_pkcs7_signed) ||
	    !PKCS7_content_new(p7, NID_pkcs7_data) ||
	    !PKCS7_add_certificate(p7, crt))
		goto out;
	for (i = 0; i < sk_X509_num(chain); i++)
		if (!PKCS7_add_certificate(p7, sk_X509_value(chain, i)))
			goto out;
	ok = i2d_PKCS7_bio(out, p7);
out:
	PKCS7_free(p7);
	return ok;
}

/* The first download: retrieved, the officer told (M7). */
static enum ra_err
first_download(struct ra_req *r, PGresult *res)
{
	struct ra_kv	 kv[4];
	const char	*param[1];
	char		*block = NULL, *revoke = NULL;
	size_t		 n = 0;
	enum ra_err	 er;

	param[0] = PQgetvalue(res, 0, T_ID);
	if ((er = ra_db_command(r->db, "URL used", SQL_USED, 1, param)) !=
	    RA_OK)
		return er;
	param[0] = PQgetvalue(res, 0, T_CERT);
	if ((er = ra_db_command(r->db, "retrieved", SQL_RETRIEVED, 1, param)) !=
	    RA_OK)
		return er;
	if (*PQgetvalue(res, 0, T_OFF_MAIL) == '\0')
		return RA_OK;
	if ((block = ra_dn_block(PQgetvalue(res, 0, T_DN))) == NULL)
		return RA_ENOMEM;
	kv[n++] = (struct ra_kv){ "NameJa", PQgetvalue(res, 0, T_OFF_NAME) };
	kv[n++] = (struct ra_kv){ "DNBlock", block };
	kv[n++] = (struct ra_kv){ "Serial", PQgetvalue(res, 0, T_SERIAL) };
	/* A renewal: the old certificate's revocation TSV, ready (M8). */
	if (strcmp(PQgetvalue(res, 0, T_OLD_LIVE), "t") == 0) {
		if (asprintf(&revoke, "%s\t\t\t%s\t4\t\t\t\t\t%s",
		    PQgetvalue(res, 0, T_OLD_DN), PQgetvalue(res, 0,
		    T_OLD_SERIAL), PQgetvalue(res, 0, T_ADMIN)) < 0) {
			free(block);
			return RA_ENOMEM;
		}
		kv[n++] = (struct ra_kv){ "RevokeTSV", revoke };
	}
	er = ra_mail_queue(r->db, "server-cert-retrieved",
	    PQgetvalue(res, 0, T_OFF_MAIL), kv, n);
	free(block);
	free(revoke);
	return er;
}

/* Every download, the first and any later one, in the same transaction. */
static enum ra_err
audit_download(struct ra_req *r, PGresult *res, const char *format)
{
	struct ra_event	 ev;
	char		 detail[80];

	snprintf(detail, sizeof(detail), "{\"format\": \"%s\", \"first\": %s}",
	    format, strcmp(PQgetvalue(res, 0, T_FIRST), "t") == 0 ? "true" :
	    "false");
	memset(&ev, 0, sizeof(ev));
	ev.event = "cert.download";
	ev.outcome = "ok";
	ev.actor = "user-administrator";
	ev.institution_id = strtoll(PQgetvalue(res, 0, T_INST), NULL, 10);
	ev.source_ip = ra_req_env("REMOTE_ADDR");
	ev.cert_serial = PQgetvalue(res, 0, T_SERIAL);
	ev.cert_subject = PQgetvalue(res, 0, T_DN);
	ev.detail = detail;
	return ra_audit(r->db, &ev);
}

static enum ra_err
certget(struct ra_req *r)
{
	const char		*f[F__MAX], *param[1];
	const unsigned char	*p;
	PGresult		*res = NULL;
	STACK_OF(X509)		*chain = NULL;
	unsigned char		 sha[32], *der = NULL;
	size_t			 len;
	X509			*crt = NULL;
	BIO			*out = NULL;
	char			*hex = NULL, *body;
	long			 n;
	int			 i, ok;
	enum ra_err		 er;

	if ((er = ra_form_get(r, fields, F__MAX, f)) != RA_OK)
		return er;
	if (f[F_TOKEN] == NULL || ra_token_hash(f[F_TOKEN], sha) != RA_OK)
		return RA_ENOTFOUND;
	if ((hex = ra_bytea_hex(sha, sizeof(sha))) == NULL)
		return RA_ENOMEM;
	param[0] = hex;
	if ((er = ra_req_db(r, RA_DB_WEB)) != RA_OK ||
	    (er = ra_db_begin(r->db)) != RA_OK ||
	    (er = ra_db_query(r->db, "retrieval URL", SQL_TOKEN, 1, param,
	    &res)) != RA_OK)
		goto out;
	if (PQntuples(res) != 1) {
		hdf_set_value(r->page, "Get.Invalid", "1");
		er = ra_render(r, 404, "certget.cs");
		goto out;
	}
	if (f[F_FORMAT] == NULL) {
		hdf_set_value(r->page, "Get.Token", f[F_TOKEN]);
		hdf_set_value(r->page, "Get.Subject", PQgetvalue(res, 0, T_DN));
		hdf_set_value(r->page, "Get.Serial", PQgetvalue(res, 0, T_SERIAL));
		hdf_set_value(r->page, "Get.NotAfter",
		    PQgetvalue(res, 0, T_NOTAFTER));
		er = ra_render(r, 200, "certget.cs");
		goto out;
	}
	if ((er = ra_bytea_get(res, 0, T_DER, &der, &len)) != RA_OK ||
	    (er = ra_chain_load(r->db, strtoll(PQgetvalue(res, 0, T_CA), NULL,
	    10), &chain)) != RA_OK)
		goto out;
	p = der;
	if ((crt = d2i_X509(NULL, &p, (long)len)) == NULL ||
	    (out = BIO_new(BIO_s_mem())) == NULL) {
		er = RA_ECRYPTO;
		goto out;
	}
	if (strcmp(f[F_FORMAT], "p7b") == 0)
		ok = p7_certs(out, crt, chain);
	else {
		ok = PEM_write_bio_X509(out, crt);
		for (i = 0; ok && strcmp(f[F_FORMAT], "chain") == 0 &&
		    i < sk_X509_num(chain); i++)
			ok = PEM_write_bio_X509(out, sk_X509_value(chain, i));
	}
	if (!ok || (n = BIO_get_mem_data(out, &body)) <= 0) {
		er = RA_ECRYPTO;
		goto out;
	}
	if ((er = audit_download(r, res, strcmp(f[F_FORMAT], "p7b") == 0 ?
	    "p7b" : strcmp(f[F_FORMAT], "chain") == 0 ? "chain" : "pem")) !=
	    RA_OK || (strcmp(PQgetvalue(res, 0, T_FIRST), "t") == 0 &&
	    (er = first_download(r, res)) != RA_OK))
		goto out;
	if ((er = ra_db_commit(r->db)) != RA_OK)
		goto out;
	printf("Status: 200\r\nContent-Type: %s\r\nContent-Disposition: "
	    "attachment; filename=\"%s.%s\"\r\nCache-Control: no-store\r\n\r\n",
	    strcmp(f[F_FORMAT], "p7b") == 0 ? "application/pkcs7-mime" :
	    "application/x-pem-file", PQgetvalue(res, 0, T_SERIAL),
	    strcmp(f[F_FORMAT], "p7b") == 0 ? "p7b" : "pem");
	fwrite(body, 1, (size_t)n, stdout);
out:
	ra_db_rollback(r->db);
	BIO_free(out);
	X509_free(crt);
	sk_X509_pop_free(chain, X509_free);
	PQfreemem(der);
	PQclear(res);
	free(hex);
	return er;
}

int
main(int argc, char *argv[])
{
	static const struct ra_screen sc = { fields, F__MAX, certget };

	return ra_web_main(argc, argv, &sc);
}
