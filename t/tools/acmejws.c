/*
 * acmejws: a small ACME client's JWS for t/78-acme-server.sh (not a TAP
 * test: the Makefile builds t/tools/ as tools).  It signs with a PEM key
 * (RSA: RS256, P-256: ES256) and prints a flattened JWS:
 *
 *	acmejws sign -k KEY -u URL [-n NONCE] [-K KID] [-p PAYLOAD]
 *	    [-a ALG] [-x]	-a: the alg header to claim; -x: spoil the
 *				signature; without -K the key goes as jwk
 *	acmejws eab -k KEY -u URL -K EABKID -m HMACB64U [-x]
 *				the externalAccountBinding object
 *	acmejws jwk -k KEY	the key's JWK;  acmejws thumb -k KEY  its
 *				RFC 7638 thumbprint, base64url
 *	acmejws raw -k KEY -H HEADER [-p PAYLOAD] [-E] [-x]
 *				any protected header, signed as given (t/82's
 *				hostile JWSs); -E: HEADER and PAYLOAD are the
 *				base64url texts to sign, used as they are
 *
 * The JSON it writes is fixed-format: base64url and the caller's URLs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>

#include "ra.h"
#include "domain.h"
#include "acme.h"

static EVP_PKEY *
key_load(const char *path)
{
	FILE		*f;
	EVP_PKEY	*k;

	if ((f = fopen(path, "r")) == NULL)
		return NULL;
	k = PEM_read_PrivateKey(f, NULL, NULL, NULL);
	fclose(f);
	return k;
}

/* The JWK as a client sends it; caller frees. */
static char *
jwk_text(EVP_PKEY *k, struct acme_jwk *j, char **m)
{
	char	*s = NULL;

	memset(j, 0, sizeof(*j));
	if (acme_jwk_of_key(k, &m[0], &m[1], &m[2]) != RA_OK)
		return NULL;
	if (m[2] == NULL) {
		snprintf(j->kty, sizeof(j->kty), "RSA");
		j->n = m[0];
		j->e = m[1];
		if (asprintf(&s, "{\"kty\":\"RSA\",\"n\":\"%s\",\"e\":\"%s\"}",
		    m[0], m[1]) < 0)
			s = NULL;
	} else {
		snprintf(j->kty, sizeof(j->kty), "EC");
		j->crv = m[2];
		j->x = m[0];
		j->y = m[1];
		if (asprintf(&s, "{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"%s\","
		    "\"y\":\"%s\"}", m[0], m[1]) < 0)
			s = NULL;
	}
	return s;
}

/* Sign "in" with "k" as RS256 or ES256 (raw r||s); caller frees. */
static unsigned char *
sign(EVP_PKEY *k, const char *in, size_t *len)
{
	EVP_MD_CTX		*md = EVP_MD_CTX_new();
	unsigned char		*sig = NULL, *raw = NULL;
	const unsigned char	*p;
	ECDSA_SIG		*es;
	size_t			 n = 0;
	int			 w;

	if (md == NULL || EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL,
	    k) != 1 || EVP_DigestSign(md, NULL, &n, (const unsigned char *)in,
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
	w = (EVP_PKEY_get_bits(k) + 7) / 8;	/* 32 for P-256, 48 for P-384 */
	if ((es = d2i_ECDSA_SIG(NULL, &p, (long)n)) == NULL ||
	    (raw = malloc((size_t)w * 2)) == NULL ||
	    BN_bn2binpad(ECDSA_SIG_get0_r(es), raw, w) != w ||
	    BN_bn2binpad(ECDSA_SIG_get0_s(es), raw + w, w) != w) {
		free(raw);
		raw = NULL;
	}
	ECDSA_SIG_free(es);
	free(sig);
	*len = (size_t)w * 2;
	return raw;
}

static char *
b64s(const char *s)
{
	return acme_b64u_encode((const unsigned char *)s, strlen(s));
}

int
main(int argc, char *argv[])
{
	EVP_PKEY	*k = NULL;
	struct acme_jwk	 j;
	unsigned char	*sig = NULL, th[32], *mac = NULL, hm[32];
	unsigned int	 hmlen = 0;
	char		*m[3] = { NULL, NULL, NULL }, *jwk = NULL, *hdr = NULL,
			*ph = NULL, *pp = NULL, *ps = NULL, *in = NULL, *t;
	const char	*cmd, *keyf = NULL, *url = NULL, *nonce = NULL,
			*kid = NULL, *payload = "", *alg = NULL, *hmac = NULL,
			*rawhdr = NULL;
	size_t		 siglen = 0, maclen;
	int		 c, spoil = 0, enc = 0, rc = 1;

	if (argc < 2)
		goto usage;
	cmd = argv[1];
	optind = 2;
	while ((c = getopt(argc, argv, "k:u:n:K:p:a:m:H:Ex")) != -1)
		switch (c) {
		case 'k': keyf = optarg; break;
		case 'u': url = optarg; break;
		case 'n': nonce = optarg; break;
		case 'K': kid = optarg; break;
		case 'p': payload = optarg; break;
		case 'a': alg = optarg; break;
		case 'm': hmac = optarg; break;
		case 'x': spoil = 1; break;
		case 'H': rawhdr = optarg; break;
		case 'E': enc = 1; break;
		default: goto usage;
		}
	if (strcmp(cmd, "raw") == 0) {
		/* Any key openssl reads (P-384 too): no JWK of it is made. */
		if (keyf == NULL || (k = key_load(keyf)) == NULL ||
		    rawhdr == NULL)
			goto usage;
		if (enc) {
			ph = strdup(rawhdr);
			pp = strdup(payload);
		} else {
			ph = b64s(rawhdr);
			pp = b64s(payload);
		}
		if (ph == NULL || pp == NULL ||
		    asprintf(&in, "%s.%s", ph, pp) < 0 ||
		    (sig = sign(k, in, &siglen)) == NULL)
			goto out;
		sig[siglen / 2] ^= (unsigned char)spoil;
		if ((ps = acme_b64u_encode(sig, siglen)) == NULL)
			goto out;
		printf("{\"protected\":\"%s\",\"payload\":\"%s\",\"signature\":"
		    "\"%s\"}", ph, pp, ps);
		rc = 0;
		goto out;
	}
	if (keyf == NULL || (k = key_load(keyf)) == NULL ||
	    (jwk = jwk_text(k, &j, m)) == NULL) {
		fprintf(stderr, "acmejws: no key\n");
		goto out;
	}
	if (strcmp(cmd, "jwk") == 0) {
		printf("%s\n", jwk);
		rc = 0;
	} else if (strcmp(cmd, "thumb") == 0) {
		if (acme_jwk_thumbprint(&j, th) != RA_OK ||
		    (t = acme_b64u_encode(th, 32)) == NULL)
			goto out;
		printf("%s\n", t);
		free(t);
		rc = 0;
	} else if (strcmp(cmd, "eab") == 0) {
		if (url == NULL || kid == NULL || hmac == NULL ||
		    acme_b64u_decode(hmac, strlen(hmac), &mac, &maclen) != RA_OK)
			goto usage;
		if (asprintf(&hdr, "{\"alg\":\"HS256\",\"kid\":\"%s\",\"url\":"
		    "\"%s\"}", kid, url) < 0 || (ph = b64s(hdr)) == NULL ||
		    (pp = b64s(jwk)) == NULL ||
		    asprintf(&in, "%s.%s", ph, pp) < 0 ||
		    HMAC(EVP_sha256(), mac, (int)maclen, (unsigned char *)in,
		    strlen(in), hm, &hmlen) == NULL)
			goto out;
		hm[0] ^= (unsigned char)spoil;
		if ((ps = acme_b64u_encode(hm, hmlen)) == NULL)
			goto out;
		printf("{\"protected\":\"%s\",\"payload\":\"%s\",\"signature\":"
		    "\"%s\"}", ph, pp, ps);
		rc = 0;
	} else if (strcmp(cmd, "sign") == 0) {
		if (url == NULL)
			goto usage;
		if (alg == NULL)
			alg = EVP_PKEY_is_a(k, "EC") ? "ES256" : "RS256";
		if (asprintf(&hdr, "{\"alg\":\"%s\",%s%s%s\"url\":\"%s\"%s%s%s}",
		    alg, nonce != NULL ? "\"nonce\":\"" : "",
		    nonce != NULL ? nonce : "", nonce != NULL ? "\"," : "", url,
		    kid != NULL ? ",\"kid\":\"" : ",\"jwk\":",
		    kid != NULL ? kid : jwk, kid != NULL ? "\"" : "") < 0 ||
		    (ph = b64s(hdr)) == NULL || (pp = b64s(payload)) == NULL ||
		    asprintf(&in, "%s.%s", ph, pp) < 0 ||
		    (sig = sign(k, in, &siglen)) == NULL)
			goto out;
		sig[siglen / 2] ^= (unsigned char)spoil;
		if ((ps = acme_b64u_encode(sig, siglen)) == NULL)
			goto out;
		printf("{\"protected\":\"%s\",\"payload\":\"%s\",\"signature\":"
		    "\"%s\"}", ph, pp, ps);
		rc = 0;
	} else
		goto usage;
	goto out;
usage:
	fprintf(stderr, "usage: acmejws sign|eab|jwk|thumb|raw -k KEY [-u URL] "
	    "[-n NONCE] [-K KID] [-p PAYLOAD] [-a ALG] [-m HMAC] [-H HDR] "
	    "[-E] [-x]\n");
	rc = 2;
out:
	EVP_PKEY_free(k);
	free(m[0]);
	free(m[1]);
	free(m[2]);
	free(jwk);
	free(hdr);
	free(ph);
	free(pp);
	free(ps);
	free(in);
	free(sig);
	free(mac);
	return rc;
}
