/*
 * x509.c: keys and certificates through the OpenSSL 3 APIs.  For now it
 * builds the demo hierarchy (ops.cgi demo-pki); the issuance worker will
 * build on the same calls.  Nothing here shells out to openssl(1).
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/bn.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "ra.h"
#include "domain.h"

#define SERIAL_BITS	159	/* positive, 20 DER bytes at most */

enum ra_err
ra_key_new_rsa(int bits, EVP_PKEY **out)
{
	*out = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)bits);
	return *out == NULL ? RA_ECRYPTO : RA_OK;
}

/* Type/value pairs, in order, into "name". */
static int
name_build(X509_NAME *name, const char *const *rdn)
{
	for (; rdn[0] != NULL && rdn[1] != NULL; rdn += 2)
		if (!X509_NAME_add_entry_by_txt(name, rdn[0], MBSTRING_UTF8,
		    (const unsigned char *)rdn[1], -1, -1, 0))
			return 0;
	return rdn[0] == NULL;
}

static int
add_ext(X509 *crt, X509V3_CTX *ctx, int nid, const char *value)
{
	X509_EXTENSION	*ext;
	int		 ok;

	if (value == NULL)
		return 1;
	if ((ext = X509V3_EXT_conf_nid(NULL, ctx, nid, value)) == NULL)
		return 0;
	ok = X509_add_ext(crt, ext, -1);	/* copies */
	X509_EXTENSION_free(ext);
	return ok;
}

static int
serial_random(X509 *crt)
{
	BIGNUM		*bn = NULL;
	ASN1_INTEGER	*ai = NULL;
	int		 ok = 0;

	if ((bn = BN_new()) == NULL ||
	    !BN_rand(bn, SERIAL_BITS, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) ||
	    BN_is_zero(bn) ||
	    (ai = BN_to_ASN1_INTEGER(bn, NULL)) == NULL)
		goto out;
	ok = X509_set_serialNumber(crt, ai);	/* copies */
out:
	ASN1_INTEGER_free(ai);
	BN_free(bn);
	return ok;
}

/* The last value of a type/value list, for messages (the CN, usually). */
static const char *
last_value(const char *const *rdn)
{
	const char	*v = "?";

	for (; rdn[0] != NULL && rdn[1] != NULL; rdn += 2)
		v = rdn[1];
	return v;
}

/*
 * Certificate for "key" per "spec", signed by "issuer_key" with
 * "issuer" (NULL: self-signed with "key").  On RA_OK "*out" is the
 * caller's (X509_free).
 */
enum ra_err
ra_cert_make(const struct ra_certspec *spec, EVP_PKEY *key, X509 *issuer,
    EVP_PKEY *issuer_key, X509 **out)
{
	X509		*crt = NULL;
	X509_NAME	*name = NULL;
	X509V3_CTX	 ctx;
	char		 bc[64], crlbuf[600];
	const char	*crldp = NULL;
	enum ra_err	 er = RA_ECRYPTO;

	*out = NULL;
	if (issuer == NULL)
		issuer_key = key;
	if (spec->crl_url != NULL && spec->crl_url[0] != '\0') {
		/* One URI; a comma would start another value in the syntax. */
		if (strchr(spec->crl_url, ',') != NULL ||
		    (size_t)snprintf(crlbuf, sizeof(crlbuf), "URI:%s",
		    spec->crl_url) >= sizeof(crlbuf))
			return RA_EINPUT;
		crldp = crlbuf;
	}
	if ((crt = X509_new()) == NULL || (name = X509_NAME_new()) == NULL)
		goto out;
	if (!X509_set_version(crt, X509_VERSION_3) || !serial_random(crt))
		goto out;
	if (!name_build(name, spec->subject)) {
		er = RA_EINPUT;
		goto out;
	}
	if (!X509_set_subject_name(crt, name) ||
	    !X509_set_issuer_name(crt, issuer != NULL ?
	    X509_get_subject_name(issuer) : name) ||
	    X509_gmtime_adj(X509_getm_notBefore(crt), 0) == NULL ||
	    X509_time_adj_ex(X509_getm_notAfter(crt), spec->days, 0, NULL) ==
	    NULL ||
	    !X509_set_pubkey(crt, key))
		goto out;
	if (spec->is_ca && spec->pathlen >= 0)
		snprintf(bc, sizeof(bc), "critical,CA:TRUE,pathlen:%d",
		    spec->pathlen);
	else
		snprintf(bc, sizeof(bc), "critical,CA:%s",
		    spec->is_ca ? "TRUE" : "FALSE");
	X509V3_set_ctx(&ctx, issuer != NULL ? issuer : crt, crt, NULL, NULL,
	    0);
	if (!add_ext(crt, &ctx, NID_basic_constraints, bc) ||
	    !add_ext(crt, &ctx, NID_key_usage, spec->key_usage) ||
	    !add_ext(crt, &ctx, NID_ext_key_usage, spec->ext_key_usage) ||
	    !add_ext(crt, &ctx, NID_subject_key_identifier, "hash") ||
	    !add_ext(crt, &ctx, NID_authority_key_identifier, "keyid:always") ||
	    !add_ext(crt, &ctx, NID_subject_alt_name, spec->san) ||
	    !add_ext(crt, &ctx, NID_crl_distribution_points, crldp))
		goto out;
	if (X509_sign(crt, issuer_key, EVP_sha256()) <= 0)
		goto out;
	*out = crt;
	crt = NULL;
	er = RA_OK;
out:
	if (er != RA_OK)
		ra_warnx("certificate CN=%s: could not be made", last_value(spec->subject));
	X509_NAME_free(name);
	X509_free(crt);
	return er;
}

/* PEM through a memory BIO, then one atomic write. */
static enum ra_err
bio_to_file(BIO *bio, const char *path, unsigned mode)
{
	char	*data;
	long	 n;

	if ((n = BIO_get_mem_data(bio, &data)) <= 0)
		return RA_ECRYPTO;
	return ra_write_atomic(path, data, (size_t)n, mode);
}

enum ra_err
ra_pem_write_cert(const char *path, X509 *crt, int mode)
{
	BIO		*bio;
	enum ra_err	 er = RA_ECRYPTO;

	if ((bio = BIO_new(BIO_s_mem())) == NULL)
		return RA_ENOMEM;
	if (PEM_write_bio_X509(bio, crt))
		er = bio_to_file(bio, path, (unsigned)mode);
	BIO_free(bio);
	return er;
}

/* Private keys are written 0600: readable by their owner only. */
enum ra_err
ra_pem_write_key(const char *path, EVP_PKEY *key)
{
	BIO		*bio;
	enum ra_err	 er = RA_ECRYPTO;

	if ((bio = BIO_new(BIO_s_secmem())) == NULL)
		return RA_ENOMEM;
	if (PEM_write_bio_PrivateKey(bio, key, NULL, NULL, 0, NULL, NULL))
		er = bio_to_file(bio, path, 0600);
	BIO_free(bio);
	return er;
}

/* DER encoding; "*der" is the caller's (OPENSSL_free). */
enum ra_err
ra_cert_der(X509 *crt, unsigned char **der, size_t *sz)
{
	int	 n;

	*der = NULL;
	if ((n = i2d_X509(crt, der)) <= 0)
		return RA_ECRYPTO;
	*sz = (size_t)n;
	return RA_OK;
}

/* Caller frees (X509_free); NULL after logging when unreadable. */
X509 *
ra_pem_read_cert(const char *path)
{
	FILE	*fp;
	X509	*crt;

	if ((fp = fopen(path, "r")) == NULL) {
		ra_warnx("%s: cannot open", path);
		return NULL;
	}
	crt = PEM_read_X509(fp, NULL, NULL, NULL);
	fclose(fp);
	if (crt == NULL)
		ra_warnx("%s: not a PEM certificate", path);
	return crt;
}

static int
time_text(const ASN1_TIME *t, char *buf, size_t sz)
{
	struct tm	 tm;

	if (!ASN1_TIME_to_tm(t, &tm))
		return 0;
	return strftime(buf, sz, "%Y-%m-%d %H:%M:%S+00", &tm) > 0;
}

enum ra_err
ra_certinfo_get(X509 *crt, struct ra_certinfo *ci)
{
	const ASN1_OCTET_STRING	*ski;
	unsigned char		*der = NULL;
	size_t			 dersz;
	BIO			*bio = NULL;
	char			*p;
	long			 n;
	enum ra_err		 er = RA_ECRYPTO;

	memset(ci, 0, sizeof(*ci));
	if ((bio = BIO_new(BIO_s_mem())) == NULL ||
	    X509_NAME_print_ex(bio, X509_get_subject_name(crt), 0,
	    XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB) < 0 ||
	    (n = BIO_get_mem_data(bio, &p)) < 0)
		goto out;
	if ((ci->subject = strndup(p, (size_t)n)) == NULL)
		goto nomem;
	if ((ski = X509_get0_subject_key_id(crt)) == NULL)
		goto out;
	if ((ci->ski_hex = ra_bytea_hex(ASN1_STRING_get0_data(ski),
	    (size_t)ASN1_STRING_length(ski))) == NULL)
		goto nomem;
	if (ra_cert_der(crt, &der, &dersz) != RA_OK)
		goto out;
	if ((ci->der_hex = ra_bytea_hex(der, dersz)) == NULL)
		goto nomem;
	if (!time_text(X509_get0_notBefore(crt), ci->not_before,
	    sizeof(ci->not_before)) ||
	    !time_text(X509_get0_notAfter(crt), ci->not_after,
	    sizeof(ci->not_after)))
		goto out;
	er = RA_OK;
	goto out;
nomem:
	er = RA_ENOMEM;
out:
	OPENSSL_free(der);
	BIO_free(bio);
	if (er != RA_OK)
		ra_certinfo_free(ci);
	return er;
}

void
ra_certinfo_free(struct ra_certinfo *ci)
{
	free(ci->subject);
	free(ci->der_hex);
	free(ci->ski_hex);
	ci->subject = ci->der_hex = ci->ski_hex = NULL;
}
