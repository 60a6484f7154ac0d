/*
 * pin.c: one-time URL tokens and access PINs.  Tokens carry 256 random
 * bits and are stored as SHA-256; PINs are short, so they are stored
 * under salted PBKDF2-HMAC-SHA256 with the cost kept per row, compared in
 * constant time, and guarded by a failure counter (the callers').
 */
#include <math.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "ra.h"
#include "domain.h"

/* No 0/O, 1/l/I: PINs are read off paper and typed by hand. */
static const char pin_alphabet[] =
    "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";

/* A URL token (base64url of 32 random bytes) and its SHA-256. */
enum ra_err
ra_token_new(char out[RA_TOKEN_LEN + 1], unsigned char sha[32])
{
	static const char	 b64u[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789-_";
	unsigned char		 r[32];
	unsigned int		 acc = 0, i, bits = 0, n = 0;

	if (RAND_bytes(r, sizeof(r)) != 1)
		return RA_ECRYPTO;
	for (i = 0; i < sizeof(r); i++) {
		acc = (acc << 8) | r[i];
		bits += 8;
		while (bits >= 6) {
			bits -= 6;
			out[n++] = b64u[(acc >> bits) & 0x3f];
		}
	}
	if (bits > 0)
		out[n++] = b64u[(acc << (6 - bits)) & 0x3f];
	out[n] = '\0';
	OPENSSL_cleanse(r, sizeof(r));
	return ra_token_hash(out, sha);
}

/* SHA-256 of a token as given in a URL; RA_EINPUT if it cannot be one. */
enum ra_err
ra_token_hash(const char *token, unsigned char sha[32])
{
	size_t	 n = strlen(token);

	if (n != RA_TOKEN_LEN || strspn(token, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789-_") != n)
		return RA_EINPUT;
	return EVP_Digest(token, n, sha, NULL, EVP_sha256(), NULL) == 1 ?
	    RA_OK : RA_ECRYPTO;
}

/* A PIN of "len" characters from pin_alphabet (rejection sampling). */
enum ra_err
ra_pin_new(char *out, size_t len)
{
	unsigned char	 b;
	size_t		 n = 0, k = sizeof(pin_alphabet) - 1;

	while (n < len) {
		if (RAND_bytes(&b, 1) != 1)
			return RA_ECRYPTO;
		if (b < 256 - 256 % k)
			out[n++] = pin_alphabet[b % k];
	}
	out[n] = '\0';
	return RA_OK;
}

enum ra_err
ra_pin_hash(const char *pin, const unsigned char *salt, size_t saltlen,
    int iter, unsigned char out[32])
{
	if (iter < 1 || PKCS5_PBKDF2_HMAC(pin, (int)strlen(pin), salt,
	    (int)saltlen, iter, EVP_sha256(), 32, out) != 1)
		return RA_ECRYPTO;
	return RA_OK;
}

/* 1 if "pin" matches, 0 if not, -1 on error. */
int
ra_pin_check(const char *pin, const unsigned char *salt, size_t saltlen,
    int iter, const unsigned char *hash, size_t hashlen)
{
	unsigned char	 dk[32];
	int		 match;

	if (hashlen != sizeof(dk) || strlen(pin) > 128 ||
	    ra_pin_hash(pin, salt, saltlen, iter, dk) != RA_OK)
		return -1;
	match = CRYPTO_memcmp(dk, hash, sizeof(dk)) == 0;
	OPENSSL_cleanse(dk, sizeof(dk));
	return match;
}

/*
 * The access PIN policy: 12 characters (ra_pin_new's alphabet), stored as
 * PBKDF2-HMAC-SHA256 under a random 16-byte salt with Pin.Iterations
 * (at least 10000, default 100000) iterations.  "pin" is shown once.
 */
enum ra_err
ra_pin_issue(const struct ra_conf *c, char pin[RA_PIN_LEN + 1],
    struct ra_pin_stored *st)
{
	enum ra_err	 er;

	if ((st->cost = ra_conf_int(c, "Pin.Iterations", 100000)) < 10000)
		st->cost = 10000;
	if (RAND_bytes(st->salt, sizeof(st->salt)) != 1)
		return RA_ECRYPTO;
	if ((er = ra_pin_new(pin, RA_PIN_LEN)) != RA_OK ||
	    (er = ra_pin_hash(pin, st->salt, sizeof(st->salt), st->cost,
	    st->hash)) != RA_OK)
		OPENSSL_cleanse(pin, RA_PIN_LEN + 1);
	return er;
}

/*
 * The strength credited to an access PIN someone chose (TSV column 15):
 * its length times log2 of the alphabet its character classes span
 * (digits, lower case, upper case, "-_" of base64url, other symbols).
 * A string with fewer distinct characters than half its length (aaaa,
 * abab...), or with a run of four or more neighbouring characters in
 * order (abcd, 4321), is credited nothing: it was not drawn at random
 * (such a run turns up in 22 random base64url characters about once in
 * ten thousand PINs).  22 base64url characters, as integrators generate
 * them, give 132 bits.  A guard against the obvious, not an estimator of
 * what people choose: words pass.
 */
int
ra_pin_bits(const char *pin)
{
	static const char	 b64sym[] = "-_";
	unsigned char		 seen[256];
	const unsigned char	*p;
	size_t			 n = strlen(pin), distinct = 0, i;
	int			 run, step, last = 0;
	int			 digit = 0, lower = 0, upper = 0, sym = 0,
				 other = 0, alphabet;

	memset(seen, 0, sizeof(seen));
	for (p = (const unsigned char *)pin; *p != '\0'; p++) {
		if (*p < 0x21 || *p > 0x7e)
			return 0;
		if (!seen[*p]++)
			distinct++;
		if (*p >= '0' && *p <= '9')
			digit = 1;
		else if (*p >= 'a' && *p <= 'z')
			lower = 1;
		else if (*p >= 'A' && *p <= 'Z')
			upper = 1;
		else if (strchr(b64sym, *p) != NULL)
			sym = 1;
		else
			other = 1;
	}
	if (n == 0 || 2 * distinct < n)
		return 0;
	for (run = 1, i = 1; i < n; i++) {
		step = (unsigned char)pin[i] - (unsigned char)pin[i - 1];
		run = (step == 1 || step == -1) && (run == 1 || step == last) ?
		    run + 1 : 1;
		last = step;
		if (run >= 4)
			return 0;
	}
	alphabet = 10 * digit + 26 * lower + 26 * upper + 2 * sym + 30 * other;
	return (int)((double)n * log2((double)alphabet));
}
