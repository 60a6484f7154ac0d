/*
 * The crypto of ACME's JWS (lib/jws.c) with keys OpenSSL makes here:
 * strict base64url, keys from JWK members, RFC 7638 thumbprints, RS256
 * and ES256 signatures good and bad, algorithms that do not fit, short
 * RSA keys, and the EAB's HS256.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rsa.h>

#include "ra.h"
#include "domain.h"
#include "acme.h"
#include "tap.h"

static int
dec_ok(const char *s, const char *want, size_t wantlen)
{
	unsigned char	*out;
	size_t		 len;
	int		 ok;

	if (acme_b64u_decode(s, strlen(s), &out, &len) != RA_OK)
		return 0;
	ok = len == wantlen && memcmp(out, want, len) == 0;
	free(out);
	return ok;
}

static int
dec_bad(const char *s)
{
	unsigned char	*out = NULL;
	size_t		 len;
	enum ra_err	 er = acme_b64u_decode(s, strlen(s), &out, &len);

	free(out);
	return er == RA_EINPUT;
}

/* The JWK of "k" as members; the strings in m[] (caller frees). */
static void
jwk_of(EVP_PKEY *k, struct acme_jwk *j, char *m[3])
{
	memset(j, 0, sizeof(*j));
	if (acme_jwk_of_key(k, &m[0], &m[1], &m[2]) != RA_OK)
		return;
	if (m[2] == NULL) {
		snprintf(j->kty, sizeof(j->kty), "RSA");
		j->n = m[0];
		j->e = m[1];
	} else {
		snprintf(j->kty, sizeof(j->kty), "EC");
		j->crv = m[2];
		j->x = m[0];
		j->y = m[1];
	}
}

/* A JWS signature of "in" by "k": RS256, or ES256 as raw r||s. */
static unsigned char *
sign(EVP_PKEY *k, const char *in, size_t *len)
{
	EVP_MD_CTX		*md = EVP_MD_CTX_new();
	unsigned char		*sig = NULL, *raw;
	const unsigned char	*p;
	ECDSA_SIG		*es;
	size_t			 n = 0;

	if (EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, k) != 1 ||
	    EVP_DigestSign(md, NULL, &n, (const unsigned char *)in,
	    strlen(in)) != 1 || (sig = malloc(n)) == NULL ||
	    EVP_DigestSign(md, sig, &n, (const unsigned char *)in,
	    strlen(in)) != 1) {
		EVP_MD_CTX_free(md);
		free(sig);
		return NULL;
	}
	EVP_MD_CTX_free(md);
	*len = n;
	if (!EVP_PKEY_is_a(k, "EC"))
		return sig;
	p = sig;
	es = d2i_ECDSA_SIG(NULL, &p, (long)n);
	raw = malloc(64);
	BN_bn2binpad(ECDSA_SIG_get0_r(es), raw, 32);
	BN_bn2binpad(ECDSA_SIG_get0_s(es), raw + 32, 32);
	ECDSA_SIG_free(es);
	free(sig);
	*len = 64;
	return raw;
}

static void
mfree(char *m[3])
{
	free(m[0]);
	free(m[1]);
	free(m[2]);
	m[0] = m[1] = m[2] = NULL;
}

int
main(void)
{
	static const char in[] = "eyJhbGciOiJSUzI1NiJ9.e30";
	EVP_PKEY	*rsa, *ec, *small, *k = NULL, *k2 = NULL;
	struct acme_jwk	 j, bad;
	unsigned char	 th[32], *sig, mac[32], key[32];
	unsigned int	 maclen;
	char		*m[3] = { NULL }, *s, why[256];
	size_t		 siglen;

	/* base64url: strict */
	ok(dec_ok("", "", 0), "base64url: empty");
	ok(dec_ok("Zm9vYg", "foob", 4), "base64url: no padding");
	ok(dec_ok("-_8", "\xfb\xff", 2), "base64url: - and _");
	ok(dec_bad("Zm9vYg=="), "base64url: padding refused");
	ok(dec_bad("+/8"), "base64url: + and / refused");
	ok(dec_bad("Zm9v YQ"), "base64url: a space refused");
	ok(dec_bad("Zm9vY"), "base64url: a length of 4n+1 refused");
	ok(dec_bad("Zm9vYh"), "base64url: non-zero trailing bits refused");
	s = acme_b64u_encode((const unsigned char *)"\xfb\xff", 2);
	ok(s != NULL && strcmp(s, "-_8") == 0, "base64url encode: -_8");
	free(s);

	rsa = EVP_RSA_gen(2048);
	ec = EVP_EC_gen("P-256");
	small = EVP_RSA_gen(1024);
	ok(rsa != NULL && ec != NULL && small != NULL, "keys made by OpenSSL");

	/* RS256 */
	jwk_of(rsa, &j, m);
	ok(acme_jwk_key(&j, &k, why, sizeof(why)) == RA_OK && k != NULL &&
	    EVP_PKEY_eq(k, rsa) == 1, "RSA JWK members give the same key");
	ok((s = acme_jwk_json(&j)) != NULL && strncmp(s, "{\"e\":\"AQAB\","
	    "\"kty\":\"RSA\",\"n\":\"", 25) == 0, "RFC 7638 member order for RSA");
	free(s);
	ok(acme_jwk_thumbprint(&j, th) == RA_OK, "an RSA thumbprint");
	sig = sign(rsa, in, &siglen);
	ok(acme_jws_verify(k, "RS256", in, strlen(in), sig, siglen, why,
	    sizeof(why)) == RA_OK, "RS256: a good signature verifies");
	sig[10] ^= 1;
	ok(acme_jws_verify(k, "RS256", in, strlen(in), sig, siglen, why,
	    sizeof(why)) == RA_EDENIED, "RS256: a changed signature does not");
	ok(acme_jws_verify(k, "ES256", in, strlen(in), sig, siglen, why,
	    sizeof(why)) == RA_EINPUT, "ES256 claimed with an RSA key: refused");
	ok(acme_jws_verify(k, "none", in, strlen(in), sig, 0, why,
	    sizeof(why)) == RA_EINPUT, "alg none: refused");
	ok(acme_jws_verify(k, "HS256", in, strlen(in), sig, siglen, why,
	    sizeof(why)) == RA_EINPUT, "alg HS256 for a JWS: refused");
	free(sig);
	EVP_PKEY_free(k);
	k = NULL;
	bad = j;
	bad.e = "AQAB=";
	ok(acme_jwk_key(&bad, &k, why, sizeof(why)) == RA_EINPUT,
	    "an RSA e with padding: refused");
	bad = j;
	bad.n = "AAEC";
	ok(acme_jwk_key(&bad, &k, why, sizeof(why)) == RA_EINPUT,
	    "an RSA n with a leading zero: refused");
	mfree(m);

	jwk_of(small, &j, m);
	ok(acme_jwk_key(&j, &k, why, sizeof(why)) == RA_EINPUT && k == NULL &&
	    strstr(why, "2048") != NULL, "an RSA-1024 JWK: refused (%s)", why);
	sig = sign(small, in, &siglen);
	ok(acme_jws_verify(small, "RS256", in, strlen(in), sig, siglen, why,
	    sizeof(why)) == RA_EINPUT, "RS256 with an RSA-1024 key: refused");
	free(sig);
	mfree(m);

	/* ES256 */
	jwk_of(ec, &j, m);
	ok(acme_jwk_key(&j, &k2, why, sizeof(why)) == RA_OK && k2 != NULL &&
	    EVP_PKEY_eq(k2, ec) == 1, "EC JWK members give the same key");
	ok(strlen(j.x) == 43 && strlen(j.y) == 43, "x and y: 32 bytes each");
	ok((s = acme_jwk_json(&j)) != NULL && strncmp(s, "{\"crv\":\"P-256\","
	    "\"kty\":\"EC\",\"x\":\"", 30) == 0, "RFC 7638 member order for EC");
	free(s);
	sig = sign(ec, in, &siglen);
	ok(siglen == 64 && acme_jws_verify(k2, "ES256", in, strlen(in), sig,
	    siglen, why, sizeof(why)) == RA_OK, "ES256: a raw r||s verifies");
	sig[40] ^= 1;
	ok(acme_jws_verify(k2, "ES256", in, strlen(in), sig, siglen, why,
	    sizeof(why)) == RA_EDENIED, "ES256: a changed signature does not");
	ok(acme_jws_verify(k2, "ES256", in, strlen(in), sig, 63, why,
	    sizeof(why)) == RA_EDENIED, "ES256: 63 bytes do not");
	ok(acme_jws_verify(k2, "RS256", in, strlen(in), sig, siglen, why,
	    sizeof(why)) == RA_EINPUT, "RS256 claimed with an EC key: refused");
	free(sig);
	bad = j;
	bad.crv = "P-384";
	ok(acme_jwk_key(&bad, &k, why, sizeof(why)) == RA_EINPUT,
	    "an EC key on P-384: refused");
	bad = j;
	bad.y = bad.x;
	ok(acme_jwk_key(&bad, &k, why, sizeof(why)) == RA_EINPUT && k == NULL,
	    "a point not on the curve: refused");
	bad = j;
	bad.x = "AAAA";
	ok(acme_jwk_key(&bad, &k, why, sizeof(why)) == RA_EINPUT,
	    "an x of 3 bytes: refused");
	snprintf(bad.kty, sizeof(bad.kty), "oct");
	ok(acme_jwk_key(&bad, &k, why, sizeof(why)) == RA_EINPUT,
	    "kty oct: refused");
	bad = j;
	bad.x = "a\"b";
	ok(acme_jwk_json(&bad) == NULL, "no canonical JSON of a member that "
	    "is not base64url");
	mfree(m);

	/* RFC 7638 3.1's example thumbprint */
	memset(&j, 0, sizeof(j));
	snprintf(j.kty, sizeof(j.kty), "RSA");
	j.e = "AQAB";
	j.n = "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1"
	    "RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n"
	    "9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZ"
	    "gnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6W"
	    "eZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqD"
	    "Kgw";
	ok(acme_jwk_thumbprint(&j, th) == RA_OK &&
	    (s = acme_b64u_encode(th, 32)) != NULL &&
	    strcmp(s, "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs") == 0,
	    "RFC 7638's example thumbprint");
	free(s);

	/* HS256 (EAB) */
	memset(key, 7, sizeof(key));
	HMAC(EVP_sha256(), key, sizeof(key), (const unsigned char *)in,
	    strlen(in), mac, &maclen);
	ok(acme_hs256_ok(key, sizeof(key), in, strlen(in), mac, maclen),
	    "HS256: the right MAC");
	mac[0] ^= 1;
	ok(!acme_hs256_ok(key, sizeof(key), in, strlen(in), mac, maclen),
	    "HS256: a wrong MAC");
	ok(!acme_hs256_ok(key, sizeof(key), in, strlen(in), mac, 31),
	    "HS256: a short MAC");

	EVP_PKEY_free(k);
	EVP_PKEY_free(k2);
	EVP_PKEY_free(rsa);
	EVP_PKEY_free(ec);
	EVP_PKEY_free(small);
	return tap_done();
}
