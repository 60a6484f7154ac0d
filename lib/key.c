/*
 * key.c: public keys and PKCS#10 requests: what algorithm a key is, its
 * SubjectPublicKeyInfo and fingerprint, new keys for server-side key
 * generation, and CSRs in the forms real users send (reference §2.0).
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/pem.h>

#include "ra.h"
#include "domain.h"

#define CSR_MAX		16384

/*
 * The profile vocabulary for a key: rsa2048, rsa3072, rsa4096, p256,
 * p384; anything else gets a name no profile lists (rsa1024, ec-secp521r1).
 * An EC key spelling out its curve's parameters is "ec-explicit" whatever
 * curve they are: OpenSSL names the group all the same, but RFC 5480 2.1.1
 * (and the CA/B Forum's 7.1.3.1) allow only the named-curve OID, and the
 * CA copies the SubjectPublicKeyInfo as the CSR has it.
 */
void
ra_key_alg(EVP_PKEY *key, char *buf, size_t sz)
{
	char	 group[64], enc[32];

	if (EVP_PKEY_is_a(key, "RSA"))
		snprintf(buf, sz, "rsa%d", EVP_PKEY_get_bits(key));
	else if (EVP_PKEY_is_a(key, "EC") &&
	    (!EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_EC_ENCODING,
	    enc, sizeof(enc), NULL) ||
	    strcmp(enc, OSSL_PKEY_EC_ENCODING_GROUP) != 0))
		snprintf(buf, sz, "ec-explicit");
	else if (EVP_PKEY_is_a(key, "EC") &&
	    EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME,
	    group, sizeof(group), NULL)) {
		if (strcmp(group, "prime256v1") == 0)
			snprintf(buf, sz, "p256");
		else if (strcmp(group, "secp384r1") == 0)
			snprintf(buf, sz, "p384");
		else
			snprintf(buf, sz, "ec-%s", group);
	} else
		snprintf(buf, sz, "%s", EVP_PKEY_get0_type_name(key) != NULL ?
		    EVP_PKEY_get0_type_name(key) : "unknown");
}

/* A new key of profile algorithm "alg"; caller frees. */
enum ra_err
ra_key_new(const char *alg, EVP_PKEY **out)
{
	if (strcmp(alg, "rsa2048") == 0)
		*out = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
	else if (strcmp(alg, "rsa3072") == 0)
		*out = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)3072);
	else if (strcmp(alg, "rsa4096") == 0)
		*out = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)4096);
	else if (strcmp(alg, "p256") == 0)
		*out = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	else if (strcmp(alg, "p384") == 0)
		*out = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384");
	else
		return RA_EINPUT;
	return *out == NULL ? RA_ECRYPTO : RA_OK;
}

/*
 * DER SubjectPublicKeyInfo ("*der" caller frees, OPENSSL_free) and its
 * SHA-256.  From an X509_PUBKEY this is a plain re-encoding; OpenSSL 3's
 * EVP_PKEY encoders cost a hundred times more, so hot paths use this.
 */
enum ra_err
ra_pubkey_spki(const X509_PUBKEY *pub, unsigned char **der, size_t *len,
    unsigned char sha[32])
{
	int	 n;

	*der = NULL;
	if ((n = i2d_X509_PUBKEY(pub, der)) <= 0)
		return RA_ECRYPTO;
	*len = (size_t)n;
	if (EVP_Digest(*der, *len, sha, NULL, EVP_sha256(), NULL) != 1) {
		OPENSSL_free(*der);
		*der = NULL;
		return RA_ECRYPTO;
	}
	return RA_OK;
}

/* The same for a key of our own making. */
enum ra_err
ra_key_spki(EVP_PKEY *key, unsigned char **der, size_t *len,
    unsigned char sha[32])
{
	X509_PUBKEY	*pub = NULL;
	enum ra_err	 er;

	if (!X509_PUBKEY_set(&pub, key))
		return RA_ECRYPTO;
	er = ra_pubkey_spki(pub, der, len, sha);
	X509_PUBKEY_free(pub);
	return er;
}

/*
 * The base64 body of a CSR written with or without PEM armour, on one
 * line or many; whitespace dropped.  Returns a malloc'd string or NULL.
 */
static char *
csr_body(const char *s, size_t len)
{
	const char	*p = s, *end = s + len, *q;
	char		*out, *o;

	if (len >= 5 && memcmp(s, "-----", 5) == 0) {
		/* skip "-----BEGIN ...-----" */
		if ((q = memmem(s + 5, len - 5, "-----", 5)) == NULL)
			return NULL;
		p = q + 5;
		if ((q = memmem(p, (size_t)(end - p), "-----END", 8)) == NULL)
			return NULL;
		end = q;
	}
	if ((out = malloc((size_t)(end - p) + 1)) == NULL)
		return NULL;
	for (o = out; p < end; p++)
		if (!isspace((unsigned char)*p))
			*o++ = *p;
	*o = '\0';
	return out;
}

/*
 * Parse a CSR (PEM, PEM on one line, bare base64, or DER) and check its
 * signature.  On RA_OK "*out" is the caller's (X509_REQ_free); otherwise
 * "why" says what is wrong.
 */
enum ra_err
ra_csr_parse(const unsigned char *buf, size_t len, X509_REQ **out,
    char *why, size_t whysz)
{
	const unsigned char	*p;
	unsigned char		*der = NULL;
	char			*b64 = NULL;
	X509_REQ		*req = NULL;
	EVP_PKEY		*pub;
	size_t			 b64len;
	int			 n, pad = 0;
	enum ra_err		 er = RA_EINPUT;

	*out = NULL;
	if (len == 0 || len > CSR_MAX) {
		ra_msgf(why, whysz, "CSR is empty or larger than %d bytes",
		    CSR_MAX);
		return RA_EINPUT;
	}
	if (buf[0] == 0x30) {			/* DER SEQUENCE */
		p = buf;
		req = d2i_X509_REQ(NULL, &p, (long)len);
	} else {
		if ((b64 = csr_body((const char *)buf, len)) == NULL) {
			ra_msgf(why, whysz, "CSR PEM armour is broken");
			goto out;
		}
		b64len = strlen(b64);
		if (b64len == 0 || b64len % 4 != 0 ||
		    strspn(b64, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstu"
		    "vwxyz0123456789+/=") != b64len) {
			ra_msgf(why, whysz, "CSR is not base64");
			goto out;
		}
		pad = (b64[b64len - 1] == '=') + (b64[b64len - 2] == '=');
		if ((der = malloc(b64len)) == NULL) {
			er = RA_ENOMEM;
			goto out;
		}
		if ((n = EVP_DecodeBlock(der, (unsigned char *)b64,
		    (int)b64len)) < 0) {
			ra_msgf(why, whysz, "CSR is not base64");
			goto out;
		}
		p = der;
		req = d2i_X509_REQ(NULL, &p, n - pad);
	}
	if (req == NULL) {
		ra_msgf(why, whysz, "CSR is not a PKCS#10 request");
		goto out;
	}
	if ((pub = X509_REQ_get0_pubkey(req)) == NULL) {
		ra_msgf(why, whysz, "CSR public key is unreadable");
		goto out;
	}
	if (X509_REQ_verify(req, pub) != 1) {
		ra_msgf(why, whysz, "CSR signature does not verify");
		goto out;
	}
	*out = req;
	req = NULL;
	er = RA_OK;
out:
	X509_REQ_free(req);
	free(der);
	free(b64);
	return er;
}

/*
 * Whether "path" names a file directly below the configured key directory
 * "dir" or its subdirectories, spelled plainly: absolute, no "." or ".."
 * component, no empty one.  The path comes from a database row; the
 * directory from ra.conf, which only an administrator writes.
 */
int
ra_key_path_ok(const char *dir, const char *path)
{
	size_t		 n = strlen(dir);
	const char	*p;

	while (n > 1 && dir[n - 1] == '/')
		n--;
	if (dir[0] != '/' || strncmp(path, dir, n) != 0 || path[n] != '/')
		return 0;
	for (p = path + n; *p != '\0'; p++)
		if (p[0] == '/' && (p[1] == '/' || p[1] == '\0' ||
		    (p[1] == '.' && (p[2] == '/' || p[2] == '\0' ||
		    (p[2] == '.' && (p[3] == '/' || p[3] == '\0'))))))
			return 0;
	return 1;
}
