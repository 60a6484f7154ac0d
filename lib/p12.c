/*
 * p12.c: server-made keys at rest (PKCS#8, PBES2) and the PKCS#12 the
 * user downloads, built at download time in the profile they pick:
 * modern (AES-256-CBC, PBKDF2, SHA-256 MAC) or legacy (3DES, SHA-1 MAC)
 * for older Windows, macOS, Java and Android.
 */
#include <string.h>

#include <openssl/pem.h>
#include <openssl/pkcs12.h>

#include "ra.h"
#include "domain.h"

/*
 * PBKDF2 and MAC iterations.  A client PKCS#12 is under its access PIN,
 * a random secret of 112 bits at least (checked at upload): iterations
 * could only slow a guess that cannot be made, so it gets the PKCS#12
 * default, 2048 (NIST SP 800-132 asks for 1000), and a P12一括 ZIP of a
 * thousand files is built in seconds.  A shorter password (an RA
 * certificate's 16 characters, an operator's for ca.cgi) keeps 10000.
 */
#define P12_ITER	10000	/* modern, short passwords */
#define P12_ITER_PIN	PKCS12_DEFAULT_ITER	/* modern, access PINs */
#define P12_ITER_LEGACY	PKCS12_DEFAULT_ITER	/* what old importers expect */

static const struct {
	const char	*name;
	int		 key_nid, cert_nid;	/* PBE algorithms */
	int		 iter;
	const char	*mac_md;
} p12_profiles[] = {
	[RA_P12_MODERN] = { "modern", NID_aes_256_cbc, NID_aes_256_cbc,
	    P12_ITER, "SHA256" },
	[RA_P12_LEGACY] = { "legacy", NID_pbe_WithSHA1And3_Key_TripleDES_CBC,
	    NID_pbe_WithSHA1And3_Key_TripleDES_CBC, P12_ITER_LEGACY, "SHA1" },
};
_Static_assert(RA_NITEMS(p12_profiles) == RA_P12__MAX,
    "p12_profiles[] out of sync with enum ra_p12_profile");

/* "modern" or "legacy"; -1 for anything else. */
int
ra_p12_profile(const char *name)
{
	size_t	 i;

	for (i = 0; i < RA_NITEMS(p12_profiles); i++)
		if (strcmp(name, p12_profiles[i].name) == 0)
			return (int)i;
	return -1;
}

/* PKCS#8 EncryptedPrivateKeyInfo, AES-256-CBC under PBKDF2; caller frees. */
enum ra_err
ra_key_encrypt(EVP_PKEY *key, const char *pass, unsigned char **der,
    size_t *len)
{
	BIO		*bio;
	char		*p;
	long		 n;
	enum ra_err	 er = RA_ECRYPTO;

	*der = NULL;
	if ((bio = BIO_new(BIO_s_secmem())) == NULL)
		return RA_ENOMEM;
	if (i2d_PKCS8PrivateKey_bio(bio, key, EVP_aes_256_cbc(), NULL, 0, NULL,
	    (void *)pass) && (n = BIO_get_mem_data(bio, &p)) > 0 &&
	    (*der = OPENSSL_memdup(p, (size_t)n)) != NULL) {
		*len = (size_t)n;
		er = RA_OK;
	}
	BIO_free(bio);
	return er;
}

/* The key back; RA_EDENIED for a wrong password.  Caller frees. */
enum ra_err
ra_key_decrypt(const unsigned char *der, size_t len, const char *pass,
    EVP_PKEY **out)
{
	BIO	*bio;

	if ((bio = BIO_new_mem_buf(der, (int)len)) == NULL)
		return RA_ENOMEM;
	*out = d2i_PKCS8PrivateKey_bio(bio, NULL, NULL, (void *)pass);
	BIO_free(bio);
	return *out == NULL ? RA_EDENIED : RA_OK;
}

/*
 * PKCS#12 of "key", "crt" and the CA chain under "pass".  On RA_OK
 * "*der" (OPENSSL_free) is the caller's.
 */
enum ra_err
ra_p12_build(EVP_PKEY *key, X509 *crt, STACK_OF(X509) *chain,
    const char *name, const char *pass, enum ra_p12_profile prof,
    unsigned char **der, size_t *len)
{
	PKCS12		*p12 = NULL;
	EVP_MD		*md = NULL;
	int		 n, iter = p12_profiles[prof].iter;
	enum ra_err	 er = RA_ECRYPTO;

	*der = NULL;
	if (prof == RA_P12_MODERN && strlen(pass) >= RA_CLIENT_PIN_LEN)
		iter = P12_ITER_PIN;
	/* mac_iter -1: no MAC here, so that the digest is set explicitly below. */
	if ((p12 = PKCS12_create_ex(pass, name, key, crt, chain,
	    p12_profiles[prof].key_nid, p12_profiles[prof].cert_nid,
	    iter, -1, 0, NULL, NULL)) == NULL ||
	    (md = EVP_MD_fetch(NULL, p12_profiles[prof].mac_md, NULL)) == NULL ||
	    !PKCS12_set_mac(p12, pass, -1, NULL, 0, iter, md) ||
	    (n = i2d_PKCS12(p12, der)) <= 0)
		goto out;
	*len = (size_t)n;
	er = RA_OK;
out:
	if (er != RA_OK)
		ra_warnx("PKCS#12 (%s) could not be built",
		    p12_profiles[prof].name);
	EVP_MD_free(md);
	PKCS12_free(p12);
	return er;
}
