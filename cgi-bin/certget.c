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
#include "web.h"

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
first_download(struct ra_req *r, const struct ra_cert_url *u)
{
	struct ra_kv	 kv[4];
	char		*block = NULL, *revoke = NULL;
	size_t		 n = 0;
	enum ra_err	 er;

	if ((er = ra_url_used(r->db, u->token)) != RA_OK ||
	    (er = ra_cert_retrieved(r->db, u->cert_id)) != RA_OK)
		return er;
	if (*u->officer_mail == '\0')
		return RA_OK;
	if ((block = ra_dn_block(u->subject_dn)) == NULL)
		return RA_ENOMEM;
	kv[n++] = (struct ra_kv){ "NameJa", u->officer_name };
	kv[n++] = (struct ra_kv){ "DNBlock", block };
	kv[n++] = (struct ra_kv){ "Serial", u->serial };
	/* A renewal: the old certificate's revocation TSV, ready (M8). */
	if (u->old_live) {
		if (asprintf(&revoke, "%s\t\t\t%s\t4\t\t\t\t\t%s",
		    u->old_subject_dn, u->old_serial, u->admin_mail) < 0) {
			free(block);
			return RA_ENOMEM;
		}
		kv[n++] = (struct ra_kv){ "RevokeTSV", revoke };
	}
	er = ra_mail_queue(r->db, strcmp(u->kind, "code_signing") == 0 ?
	    "codesign-cert-retrieved" : "server-cert-retrieved",
	    u->officer_mail, kv, n);
	free(block);
	free(revoke);
	return er;
}

/* Every download, the first and any later one, in the same transaction. */
static enum ra_err
audit_download(struct ra_req *r, const struct ra_cert_url *u,
    const char *format)
{
	struct ra_event	 ev;
	char		 detail[80];

	snprintf(detail, sizeof(detail), "{\"format\": \"%s\", \"first\": %s}",
	    format, u->first ? "true" : "false");
	memset(&ev, 0, sizeof(ev));
	ev.event = "cert.download";
	ev.outcome = "ok";
	ev.actor = "user-administrator";
	ev.institution_id = u->institution_id;
	ev.source_ip = ra_req_env("REMOTE_ADDR");
	ev.cert_serial = u->serial;
	ev.cert_subject = u->subject_dn;
	ev.detail = detail;
	return ra_audit(r->db, &ev);
}

static enum ra_err
certget(struct ra_req *r)
{
	struct ra_cert_url	 u;
	const char		*f[F__MAX];
	const unsigned char	*p;
	STACK_OF(X509)		*chain = NULL;
	X509			*crt = NULL;
	BIO			*out = NULL;
	char			*body;
	long			 n;
	int			 i, ok;
	enum ra_err		 er;

	memset(&u, 0, sizeof(u));
	if ((er = ra_form_get(r, fields, F__MAX, f)) != RA_OK ||
	    (er = ra_req_db(r, r->zone)) != RA_OK ||
	    (er = ra_db_begin(r->db)) != RA_OK)
		return er;
	if ((er = ra_cert_url_open(r->db, f[F_TOKEN], &u)) == RA_ENOTFOUND) {
		hdf_set_value(r->page, "Get.Invalid", "1");
		er = ra_render(r, 404, "certget.cs");
		goto out;
	}
	if (er != RA_OK)
		goto out;
	if (f[F_FORMAT] == NULL) {
		hdf_set_value(r->page, "Get.Token", f[F_TOKEN]);
		hdf_set_value(r->page, "Get.Subject", u.subject_dn);
		hdf_set_value(r->page, "Get.Serial", u.serial);
		hdf_set_value(r->page, "Get.NotAfter", u.not_after);
		hdf_set_value(r->page, "Get.Kind", u.kind);
		er = ra_render(r, 200, "certget.cs");
		goto out;
	}
	if ((er = ra_chain_load(r->db, u.ca_id, &chain)) != RA_OK)
		goto out;
	p = u.der;
	if ((crt = d2i_X509(NULL, &p, (long)u.derlen)) == NULL ||
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
	if ((er = audit_download(r, &u, strcmp(f[F_FORMAT], "p7b") == 0 ?
	    "p7b" : strcmp(f[F_FORMAT], "chain") == 0 ? "chain" : "pem")) !=
	    RA_OK || (u.first && (er = first_download(r, &u)) != RA_OK))
		goto out;
	if ((er = ra_db_commit(r->db)) != RA_OK)
		goto out;
	printf("Status: 200\r\nContent-Type: %s\r\nContent-Disposition: "
	    "attachment; filename=\"%s.%s\"\r\nCache-Control: no-store\r\n\r\n",
	    strcmp(f[F_FORMAT], "p7b") == 0 ? "application/pkcs7-mime" :
	    "application/x-pem-file", u.serial,
	    strcmp(f[F_FORMAT], "p7b") == 0 ? "p7b" : "pem");
	fwrite(body, 1, (size_t)n, stdout);
out:
	ra_db_rollback(r->db);
	BIO_free(out);
	X509_free(crt);
	sk_X509_pop_free(chain, X509_free);
	ra_cert_url_free(&u);
	return er;
}

int
main(int argc, char *argv[])
{
	static const struct ra_screen sc = { fields, F__MAX, certget,
	    RA_DB_PUBLIC };

	return ra_web_main(argc, argv, &sc);
}
