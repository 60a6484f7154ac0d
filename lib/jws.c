/*
 * jws.c: the crypto of ACME's JWS (RFC 7515, 7518, 7638), no JSON
 * parsing: PostgreSQL parses the JSON, these functions take its members
 * as strings.  A key from JWK members (RSA n, e of at least 2048 bits;
 * EC P-256 x, y), its RFC 7638 thumbprint over the canonical members,
 * RS256 and ES256 signatures, HS256 for the external account binding,
 * and strict base64url (no padding, its alphabet only, canonical).
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/hmac.h>
#include <openssl/param_build.h>
#include <openssl/sha.h>

#include "ra.h"
#include "domain.h"
#include "acme.h"

#define RSA_MIN_BITS	2048
#define RSA_MAX_BITS	8192
#define P256_LEN	32

static const char b64u_alpha[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/* base64url without padding; NULL on allocation failure.  Caller frees. */
char *
acme_b64u_encode(const unsigned char *in, size_t len)
{
	char	*out, *o;
	size_t	 i;
	uint32_t v;

	if (len > SIZE_MAX / 2 || (out = malloc(len / 3 * 4 + 5)) == NULL)
		return NULL;
	o = out;
	for (i = 0; i + 2 < len; i += 3) {
		v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
		*o++ = b64u_alpha[v >> 18 & 63];
		*o++ = b64u_alpha[v >> 12 & 63];
		*o++ = b64u_alpha[v >> 6 & 63];
		*o++ = b64u_alpha[v & 63];
	}
	if (len - i == 1) {
		v = (uint32_t)in[i] << 16;
		*o++ = b64u_alpha[v >> 18 & 63];
		*o++ = b64u_alpha[v >> 12 & 63];
	} else if (len - i == 2) {
		v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8;
		*o++ = b64u_alpha[v >> 18 & 63];
		*o++ = b64u_alpha[v >> 12 & 63];
		*o++ = b64u_alpha[v >> 6 & 63];
	}
	*o = '\0';
	return out;
}

static int
b64u_value(unsigned char c)
{
	const char	*p;

	if (c == '\0' || (p = strchr(b64u_alpha, c)) == NULL)
		return -1;
	return (int)(p - b64u_alpha);
}

/*
 * Decode base64url "s" of "len" characters: no padding, nothing outside
 * the alphabet, unused trailing bits zero (one text per value).  The
 * result is NUL-terminated for convenience (not counted); caller frees.
 * RA_EINPUT when it is not such a text.
 */
enum ra_err
acme_b64u_decode(const char *s, size_t len, unsigned char **out, size_t *outlen)
{
	unsigned char	*buf, *o;
	size_t		 i;
	uint32_t	 v = 0;
	int		 bits = 0, d;

	*out = NULL;
	*outlen = 0;
	if (len % 4 == 1 || len > 4 * 1024 * 1024)
		return RA_EINPUT;
	if ((buf = malloc(len / 4 * 3 + 3)) == NULL)
		return RA_ENOMEM;
	o = buf;
	for (i = 0; i < len; i++) {
		if ((d = b64u_value((unsigned char)s[i])) < 0) {
			free(buf);
			return RA_EINPUT;
		}
		v = (v << 6 | (uint32_t)d) & 0xffffff;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			*o++ = (unsigned char)(v >> bits);
		}
	}
	/* Leftover bits must be zero: "AB" and "AC" may not both be 0x00. */
	if (bits > 0 && (v & ((1u << bits) - 1)) != 0) {
		free(buf);
		return RA_EINPUT;
	}
	*o = '\0';
	*out = buf;
	*outlen = (size_t)(o - buf);
	return RA_OK;
}

/* A member decoded, 1..max bytes; caller frees. */
static enum ra_err
member(const char *s, size_t max, unsigned char **out, size_t *len)
{
	enum ra_err	 er;

	if (s == NULL || strlen(s) > ACME_B64U_MAX)
		return RA_EINPUT;
	if ((er = acme_b64u_decode(s, strlen(s), out, len)) != RA_OK)
		return er;
	if (*len == 0 || *len > max) {
		free(*out);
		*out = NULL;
		return RA_EINPUT;
	}
	return RA_OK;
}

static enum ra_err
rsa_key(const struct acme_jwk *j, EVP_PKEY **out, char *why, size_t whysz)
{
	OSSL_PARAM_BLD	*bld = NULL;
	OSSL_PARAM	*par = NULL;
	EVP_PKEY_CTX	*ctx = NULL;
	BIGNUM		*n = NULL, *e = NULL;
	unsigned char	*nb = NULL, *eb = NULL;
	size_t		 nl, el;
	enum ra_err	 er = RA_EINPUT;

	if (member(j->n, RSA_MAX_BITS / 8, &nb, &nl) != RA_OK ||
	    member(j->e, 8, &eb, &el) != RA_OK || nb[0] == 0 || eb[0] == 0) {
		snprintf(why, whysz, "the RSA key's n or e is not base64url "
		    "of an unsigned integer without leading zeros");
		goto out;
	}
	if (nl * 8 < RSA_MIN_BITS) {
		snprintf(why, whysz, "RSA keys of less than %d bits are refused",
		    RSA_MIN_BITS);
		goto out;
	}
	er = RA_ECRYPTO;
	if ((n = BN_bin2bn(nb, (int)nl, NULL)) == NULL ||
	    (e = BN_bin2bn(eb, (int)el, NULL)) == NULL)
		goto out;
	if (BN_num_bits(n) < RSA_MIN_BITS || !BN_is_odd(e) || BN_is_one(e)) {
		snprintf(why, whysz, "RSA keys of less than %d bits or with an "
		    "even exponent are refused", RSA_MIN_BITS);
		er = RA_EINPUT;
		goto out;
	}
	if ((bld = OSSL_PARAM_BLD_new()) == NULL ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e) ||
	    (par = OSSL_PARAM_BLD_to_param(bld)) == NULL ||
	    (ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL)) == NULL ||
	    EVP_PKEY_fromdata_init(ctx) != 1 ||
	    EVP_PKEY_fromdata(ctx, out, EVP_PKEY_PUBLIC_KEY, par) != 1)
		goto out;
	er = RA_OK;
out:
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(par);
	OSSL_PARAM_BLD_free(bld);
	BN_free(n);
	BN_free(e);
	free(nb);
	free(eb);
	return er;
}

static enum ra_err
ec_key(const struct acme_jwk *j, EVP_PKEY **out, char *why, size_t whysz)
{
	OSSL_PARAM_BLD	*bld = NULL;
	OSSL_PARAM	*par = NULL;
	EVP_PKEY_CTX	*ctx = NULL, *chk = NULL;
	unsigned char	*xb = NULL, *yb = NULL, pt[1 + 2 * P256_LEN];
	size_t		 xl, yl;
	enum ra_err	 er = RA_EINPUT;

	if (j->crv == NULL || strcmp(j->crv, "P-256") != 0) {
		snprintf(why, whysz, "EC keys must be on P-256 (ES256)");
		goto out;
	}
	if (member(j->x, P256_LEN, &xb, &xl) != RA_OK ||
	    member(j->y, P256_LEN, &yb, &yl) != RA_OK ||
	    xl != P256_LEN || yl != P256_LEN) {
		snprintf(why, whysz, "the EC key's x and y must be base64url "
		    "of 32 bytes each");
		goto out;
	}
	pt[0] = 0x04;
	memcpy(pt + 1, xb, P256_LEN);
	memcpy(pt + 1 + P256_LEN, yb, P256_LEN);
	er = RA_ECRYPTO;
	if ((bld = OSSL_PARAM_BLD_new()) == NULL ||
	    !OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME,
	    "prime256v1", 0) ||
	    !OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, pt,
	    sizeof(pt)) ||
	    (par = OSSL_PARAM_BLD_to_param(bld)) == NULL ||
	    (ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL)) == NULL ||
	    EVP_PKEY_fromdata_init(ctx) != 1)
		goto out;
	if (EVP_PKEY_fromdata(ctx, out, EVP_PKEY_PUBLIC_KEY, par) != 1 ||
	    (chk = EVP_PKEY_CTX_new_from_pkey(NULL, *out, NULL)) == NULL ||
	    EVP_PKEY_public_check(chk) != 1) {
		snprintf(why, whysz, "the EC key's point is not on P-256");
		EVP_PKEY_free(*out);
		*out = NULL;
		er = RA_EINPUT;
		goto out;
	}
	er = RA_OK;
out:
	EVP_PKEY_CTX_free(chk);
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(par);
	OSSL_PARAM_BLD_free(bld);
	free(xb);
	free(yb);
	return er;
}

/*
 * The public key of JWK members "j"; "*out" the caller's (EVP_PKEY_free).
 * RA_EINPUT with "why" for a key we do not take.
 */
enum ra_err
acme_jwk_key(const struct acme_jwk *j, EVP_PKEY **out, char *why, size_t whysz)
{
	*out = NULL;
	*why = '\0';
	if (strcmp(j->kty, "RSA") == 0)
		return rsa_key(j, out, why, whysz);
	if (strcmp(j->kty, "EC") == 0)
		return ec_key(j, out, why, whysz);
	snprintf(why, whysz, "only RSA and EC keys are taken");
	return RA_EINPUT;
}

/* Members as sent, checked again: base64url only, so no escaping. */
static int
b64u_text(const char *s)
{
	return s != NULL && *s != '\0' && strlen(s) <= ACME_B64U_MAX &&
	    strspn(s, b64u_alpha) == strlen(s);
}

/*
 * The canonical JSON of the required members (RFC 7638 3.2: sorted, no
 * white space), what the thumbprint hashes and ra.acme_account.jwk keeps.
 * NULL if a member is not base64url.  Caller frees.
 */
char *
acme_jwk_json(const struct acme_jwk *j)
{
	char	*s = NULL;
	int	 n;

	if (strcmp(j->kty, "RSA") == 0 && b64u_text(j->n) && b64u_text(j->e))
		n = asprintf(&s, "{\"e\":\"%s\",\"kty\":\"RSA\",\"n\":\"%s\"}",
		    j->e, j->n);
	else if (strcmp(j->kty, "EC") == 0 && j->crv != NULL &&
	    strcmp(j->crv, "P-256") == 0 && b64u_text(j->x) && b64u_text(j->y))
		n = asprintf(&s, "{\"crv\":\"P-256\",\"kty\":\"EC\",\"x\":\"%s\","
		    "\"y\":\"%s\"}", j->x, j->y);
	else
		return NULL;
	return n < 0 ? NULL : s;
}

/* RFC 7638: SHA-256 of the canonical members. */
enum ra_err
acme_jwk_thumbprint(const struct acme_jwk *j, unsigned char out[32])
{
	char	*s;

	if ((s = acme_jwk_json(j)) == NULL)
		return RA_EINPUT;
	SHA256((const unsigned char *)s, strlen(s), out);
	free(s);
	return RA_OK;
}

static char *
bn_b64u(const BIGNUM *bn, int width)
{
	unsigned char	*buf;
	char		*s;
	int		 n = width > 0 ? width : BN_num_bytes(bn);

	if ((buf = malloc((size_t)n + 1)) == NULL)
		return NULL;
	if (BN_bn2binpad(bn, buf, n) != n) {
		free(buf);
		return NULL;
	}
	s = acme_b64u_encode(buf, (size_t)n);
	free(buf);
	return s;
}

/*
 * The JWK members of a public key (RSA: a = n, b = e; EC P-256: a = x,
 * b = y, *crv "P-256"): what a client puts in its "jwk".  Caller frees
 * the strings.
 */
enum ra_err
acme_jwk_of_key(EVP_PKEY *key, char **a, char **b, char **crv)
{
	BIGNUM		*p = NULL, *q = NULL;
	char		 grp[32];
	enum ra_err	 er = RA_ECRYPTO;

	*a = *b = *crv = NULL;
	if (EVP_PKEY_is_a(key, "RSA")) {
		if (!EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_RSA_N, &p) ||
		    !EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_RSA_E, &q))
			goto out;
		*a = bn_b64u(p, 0);
		*b = bn_b64u(q, 0);
	} else if (EVP_PKEY_is_a(key, "EC")) {
		if (!EVP_PKEY_get_utf8_string_param(key,
		    OSSL_PKEY_PARAM_GROUP_NAME, grp, sizeof(grp), NULL) ||
		    strcmp(grp, "prime256v1") != 0 ||
		    !EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_EC_PUB_X, &p) ||
		    !EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_EC_PUB_Y, &q))
			goto out;
		*a = bn_b64u(p, P256_LEN);
		*b = bn_b64u(q, P256_LEN);
		*crv = strdup("P-256");
		if (*crv == NULL)
			goto out;
	} else
		goto out;
	if (*a != NULL && *b != NULL)
		er = RA_OK;
out:
	if (er != RA_OK) {
		free(*a);
		free(*b);
		free(*crv);
		*a = *b = *crv = NULL;
	}
	BN_free(p);
	BN_free(q);
	return er;
}

/* ES256's raw r||s as the DER ECDSA-Sig-Value OpenSSL verifies; caller frees. */
static unsigned char *
es256_der(const unsigned char *sig, size_t len, int *derlen)
{
	ECDSA_SIG	*es = NULL;
	BIGNUM		*r = NULL, *s = NULL;
	unsigned char	*der = NULL;

	*derlen = 0;
	if (len != 2 * P256_LEN)
		return NULL;
	if ((es = ECDSA_SIG_new()) == NULL ||
	    (r = BN_bin2bn(sig, P256_LEN, NULL)) == NULL ||
	    (s = BN_bin2bn(sig + P256_LEN, P256_LEN, NULL)) == NULL) {
		BN_free(r);
		BN_free(s);
		ECDSA_SIG_free(es);
		return NULL;
	}
	ECDSA_SIG_set0(es, r, s);	/* es owns r and s now */
	if ((*derlen = i2d_ECDSA_SIG(es, &der)) <= 0) {
		der = NULL;
		*derlen = 0;
	}
	ECDSA_SIG_free(es);
	return der;
}

/*
 * Verify signature "sig" of "alg" (RS256 or ES256) over "in" with "key".
 * RA_OK good; RA_EDENIED a bad signature; RA_EINPUT an algorithm that
 * is not one of those or does not fit the key (with "why").
 */
enum ra_err
acme_jws_verify(EVP_PKEY *key, const char *alg, const char *in, size_t inlen,
    const unsigned char *sig, size_t siglen, char *why, size_t whysz)
{
	EVP_MD_CTX		*md = NULL;
	unsigned char		*der = NULL;
	const unsigned char	*s = sig;
	int			 derlen = 0, rc;
	enum ra_err		 er = RA_EINPUT;

	*why = '\0';
	if (strcmp(alg, "RS256") == 0) {
		if (!EVP_PKEY_is_a(key, "RSA") ||
		    EVP_PKEY_get_bits(key) < RSA_MIN_BITS) {
			snprintf(why, whysz, "RS256 needs an RSA key of at "
			    "least %d bits", RSA_MIN_BITS);
			return RA_EINPUT;
		}
	} else if (strcmp(alg, "ES256") == 0) {
		if (!EVP_PKEY_is_a(key, "EC") || EVP_PKEY_get_bits(key) != 256) {
			snprintf(why, whysz, "ES256 needs a P-256 key");
			return RA_EINPUT;
		}
		if ((der = es256_der(sig, siglen, &derlen)) == NULL) {
			snprintf(why, whysz, "an ES256 signature is 64 bytes");
			return RA_EDENIED;
		}
		s = der;
		siglen = (size_t)derlen;
	} else {
		snprintf(why, whysz, "only RS256 and ES256 are taken");
		return RA_EINPUT;
	}
	er = RA_ECRYPTO;
	if ((md = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, key) != 1)
		goto out;
	rc = EVP_DigestVerify(md, s, siglen, (const unsigned char *)in, inlen);
	if (rc == 1)
		er = RA_OK;
	else {
		snprintf(why, whysz, "the JWS signature does not verify");
		er = RA_EDENIED;
	}
out:
	EVP_MD_CTX_free(md);
	OPENSSL_free(der);
	return er;
}

/* HS256 (the external account binding): 1 when "mac" is the HMAC. */
int
acme_hs256_ok(const unsigned char *key, size_t keylen, const char *in,
    size_t inlen, const unsigned char *mac, size_t maclen)
{
	unsigned char	 want[EVP_MAX_MD_SIZE];
	unsigned int	 wantlen = 0;
	int		 ok;

	if (keylen == 0 || keylen > INT32_MAX || maclen != 32 ||
	    HMAC(EVP_sha256(), key, (int)keylen, (const unsigned char *)in,
	    inlen, want, &wantlen) == NULL || wantlen != 32)
		return 0;
	ok = CRYPTO_memcmp(want, mac, 32) == 0;
	OPENSSL_cleanse(want, sizeof(want));
	return ok;
}
