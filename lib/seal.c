/*
 * seal.c: an access PIN sealed under the URL token that hands it out, and
 * the P12 password of an RA officer's retrieval URL under that URL's.
 * The key is SHA-256 of a label and the token (the database keeps
 * SHA-256 of the token alone, so what it holds is not the key); the seal
 * is AES-256-GCM, random 96-bit IV, bound to the row it belongs to (the
 * request, or the URL, as associated data), so a seal cannot be moved to
 * another row, nor a PIN's seal taken for a password's:
 *
 *	IV (12) || ciphertext || tag (16)
 */
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "ra.h"
#include "domain.h"

#define SEAL_IV		12
#define SEAL_TAG	16
#define SEAL_LABEL	"ra access-PIN seal v1\n"

static int
seal_key(const char *token, unsigned char key[32])
{
	EVP_MD_CTX	*md;
	int		 ok;

	if ((md = EVP_MD_CTX_new()) == NULL)
		return 0;
	ok = EVP_DigestInit_ex(md, EVP_sha256(), NULL) &&
	    EVP_DigestUpdate(md, SEAL_LABEL, strlen(SEAL_LABEL)) &&
	    EVP_DigestUpdate(md, token, strlen(token)) &&
	    EVP_DigestFinal_ex(md, key, NULL);
	EVP_MD_CTX_free(md);
	return ok;
}

/* "pin" sealed under "token", bound to "aad"; caller frees. */
static enum ra_err
seal(const char *token, const char *aad, const char *pin,
    unsigned char **out, size_t *outlen)
{
	EVP_CIPHER_CTX	*cx = NULL;
	unsigned char	 key[32], *p = NULL;
	size_t		 n = strlen(pin);
	int		 len;
	enum ra_err	 er = RA_ECRYPTO;

	*out = NULL;
	if ((p = OPENSSL_malloc(SEAL_IV + n + SEAL_TAG)) == NULL)
		return RA_ENOMEM;
	if (!seal_key(token, key) || RAND_bytes(p, SEAL_IV) != 1 ||
	    (cx = EVP_CIPHER_CTX_new()) == NULL ||
	    !EVP_EncryptInit_ex(cx, EVP_aes_256_gcm(), NULL, key, p) ||
	    !EVP_EncryptUpdate(cx, NULL, &len, (const unsigned char *)aad,
	    (int)strlen(aad)) ||
	    !EVP_EncryptUpdate(cx, p + SEAL_IV, &len, (const unsigned char *)pin,
	    (int)n) ||
	    !EVP_EncryptFinal_ex(cx, p + SEAL_IV + len, &len) ||
	    !EVP_CIPHER_CTX_ctrl(cx, EVP_CTRL_GCM_GET_TAG, SEAL_TAG,
	    p + SEAL_IV + n))
		goto out;
	*out = p;
	*outlen = SEAL_IV + n + SEAL_TAG;
	p = NULL;
	er = RA_OK;
out:
	OPENSSL_cleanse(key, sizeof(key));
	EVP_CIPHER_CTX_free(cx);
	OPENSSL_free(p);
	return er;
}

/*
 * The PIN back, into "pin" (at most "pinsz" - 1 characters).  RA_EDENIED
 * when the seal is not this token's, or not bound to "aad", or changed.
 */
static enum ra_err
unseal(const char *token, const char *aad, const unsigned char *in,
    size_t inlen, char *pin, size_t pinsz)
{
	EVP_CIPHER_CTX	*cx = NULL;
	unsigned char	 key[32];
	size_t		 n;
	int		 len;
	enum ra_err	 er = RA_EDENIED;

	*pin = '\0';
	if (inlen <= SEAL_IV + SEAL_TAG || (n = inlen - SEAL_IV - SEAL_TAG) >=
	    pinsz)
		return RA_EDENIED;
	if (!seal_key(token, key) || (cx = EVP_CIPHER_CTX_new()) == NULL ||
	    !EVP_DecryptInit_ex(cx, EVP_aes_256_gcm(), NULL, key, in) ||
	    !EVP_DecryptUpdate(cx, NULL, &len, (const unsigned char *)aad,
	    (int)strlen(aad)) ||
	    !EVP_DecryptUpdate(cx, (unsigned char *)pin, &len, in + SEAL_IV,
	    (int)n) ||
	    !EVP_CIPHER_CTX_ctrl(cx, EVP_CTRL_GCM_SET_TAG, SEAL_TAG,
	    (void *)(in + SEAL_IV + n)) ||
	    EVP_DecryptFinal_ex(cx, (unsigned char *)pin + len, &len) <= 0) {
		OPENSSL_cleanse(pin, pinsz);
		*pin = '\0';
		goto out;
	}
	pin[n] = '\0';
	er = RA_OK;
out:
	OPENSSL_cleanse(key, sizeof(key));
	EVP_CIPHER_CTX_free(cx);
	return er;
}

/* "pin" sealed for request "request_id" under "token"; caller frees. */
enum ra_err
ra_seal(const char *token, int64_t request_id, const char *pin,
    unsigned char **out, size_t *outlen)
{
	char	 aad[32];

	snprintf(aad, sizeof(aad), "request:%lld", (long long)request_id);
	return seal(token, aad, pin, out, outlen);
}

/* The PIN sealed for request "request_id" back (see unseal). */
enum ra_err
ra_unseal(const char *token, int64_t request_id, const unsigned char *in,
    size_t inlen, char *pin, size_t pinsz)
{
	char	 aad[32];

	snprintf(aad, sizeof(aad), "request:%lld", (long long)request_id);
	return unseal(token, aad, in, inlen, pin, pinsz);
}

/* The P12 password of retrieval URL "token_id", sealed under its token. */
enum ra_err
ra_seal_pass(const char *token, int64_t token_id, const char *pass,
    unsigned char **out, size_t *outlen)
{
	char	 aad[40];

	snprintf(aad, sizeof(aad), "ra-url-pass:%lld", (long long)token_id);
	return seal(token, aad, pass, out, outlen);
}

/* And back (see unseal). */
enum ra_err
ra_unseal_pass(const char *token, int64_t token_id, const unsigned char *in,
    size_t inlen, char *pass, size_t passsz)
{
	char	 aad[40];

	snprintf(aad, sizeof(aad), "ra-url-pass:%lld", (long long)token_id);
	return unseal(token, aad, in, inlen, pass, passsz);
}
