/*
 * Fuzz target "jws": what acme.cgi takes from a client before any
 * database sees it (lib/jws.c).  The input is lines: kty, then the
 * members (RSA: n, e; EC: crv, x, y), an alg, a signing input and a
 * base64url signature.  Promises checked: base64url decodes only
 * canonical text (encoding the bytes gives the text back); a refused key
 * says why; a key taken has a thumbprint and canonical members; a
 * verification answers good, bad or refused, nothing else.
 */
#include <openssl/evp.h>

#include "ra.h"
#include "domain.h"
#include "acme.h"
#include "fuzz.h"

#define LINES	7

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct acme_jwk	 j;
	EVP_PKEY	*key = NULL;
	unsigned char	*out = NULL, *sig = NULL, th[32];
	char		*buf, *f[LINES], *p, *enc, *json, why[256];
	size_t		 n = 0, len, siglen;
	enum ra_err	 er;

	if ((buf = malloc(size + 1)) == NULL)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	for (p = buf; n < LINES; n++) {
		f[n] = p;
		if ((p = strchr(p, '\n')) == NULL) {
			n++;
			break;
		}
		*p++ = '\0';
	}
	while (n < LINES)
		f[n++] = "";
	/* base64url of the whole first line */
	if (acme_b64u_decode(f[0], strlen(f[0]), &out, &len) == RA_OK) {
		fuzz_assert((enc = acme_b64u_encode(out, len)) != NULL);
		fuzz_assert(strcmp(enc, f[0]) == 0);
		free(enc);
		free(out);
	}
	memset(&j, 0, sizeof(j));
	snprintf(j.kty, sizeof(j.kty), "%.3s", f[0]);
	if (strcmp(j.kty, "RSA") == 0) {
		j.n = f[1];
		j.e = f[2];
	} else {
		j.crv = f[1];
		j.x = f[2];
		j.y = f[3];
	}
	why[0] = '\0';
	if ((er = acme_jwk_key(&j, &key, why, sizeof(why))) != RA_OK) {
		fuzz_assert(key == NULL);
		fuzz_assert(er != RA_EINPUT || why[0] != '\0');
		goto out;
	}
	fuzz_assert(key != NULL);
	fuzz_assert(acme_jwk_thumbprint(&j, th) == RA_OK);
	fuzz_assert((json = acme_jwk_json(&j)) != NULL);
	free(json);
	if (acme_b64u_decode(f[6], strlen(f[6]), &sig, &siglen) == RA_OK) {
		er = acme_jws_verify(key, f[4], f[5], strlen(f[5]), sig,
		    siglen, why, sizeof(why));
		fuzz_assert(er == RA_OK || er == RA_EDENIED || er == RA_EINPUT ||
		    er == RA_ECRYPTO);
		free(sig);
	}
out:
	EVP_PKEY_free(key);
	free(buf);
	return 0;
}
