/*
 * ocsp-get.c: the request of an OCSP GET (RFC 6960 A.1), the DER
 * OCSPRequest base64- then URL-encoded in the path after /ocsp/.  Apache
 * leaves %2F as it is under AllowEncodedSlashes NoDecode, so the path is
 * URL-decoded here, then base64-decoded.  Apart from ocsp.cgi so the
 * fuzz target (t/fuzz/ocsp.c) reaches it as the web does.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "ra.h"
#include "domain.h"

static int
hexval(int ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	ch = tolower(ch);
	return ch >= 'a' && ch <= 'f' ? ch - 'a' + 10 : -1;
}

/*
 * The DER request in "path" (leading slashes skipped) of at most "max"
 * bytes into "*out" (caller frees) and "*len".  RA_EINPUT for a path
 * that is not one.
 */
enum ra_err
ra_ocsp_path_der(const char *path, size_t max, unsigned char **out,
    size_t *len)
{
	char		*b64 = NULL, *o;
	const char	*s;
	unsigned char	*der = NULL;
	size_t		 n, pad = 0;
	int		 hi, lo, got;
	enum ra_err	 er = RA_EINPUT;

	*out = NULL;
	*len = 0;
	while (*path == '/')
		path++;
	if ((n = strlen(path)) == 0 || n > max * 2)
		return RA_EINPUT;
	if ((b64 = malloc(n + 1)) == NULL)
		return RA_ENOMEM;
	for (s = path, o = b64; *s != '\0'; s++) {
		if (*s == '%') {
			if ((hi = hexval(s[1])) < 0 || (lo = hexval(s[2])) < 0)
				goto out;
			*o++ = (char)(hi * 16 + lo);
			s += 2;
		} else
			*o++ = *s;
	}
	*o = '\0';
	n = (size_t)(o - b64);
	if (n == 0 || n % 4 != 0 || strspn(b64, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789+/=") != n)
		goto out;
	pad = (b64[n - 1] == '=') + (n > 1 && b64[n - 2] == '=');
	if ((der = malloc(n / 4 * 3 + 1)) == NULL) {
		er = RA_ENOMEM;
		goto out;
	}
	if ((got = EVP_DecodeBlock(der, (unsigned char *)b64, (int)n)) < 0 ||
	    (size_t)got < pad)
		goto out;
	*out = der;
	*len = (size_t)got - pad;
	der = NULL;
	er = RA_OK;
out:
	free(der);
	free(b64);
	return er;
}
