/*
 * p11uri.c: the syntax of a PKCS#11 URI (RFC 7512) naming a CA key in a
 * token.  ca.cgi checks it at import and the worker before it opens the
 * key; neither this file nor ca.cgi ever opens a token.  The PIN is not
 * part of a key's name: it lives in Worker.TokenPinFile, readable by the
 * worker's user only, so pin-value and pin-source are refused here.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "ra.h"
#include "domain.h"

#define P11URI_MAX	1024

/* RFC 7512 section 2.3, the path attributes ra accepts. */
static const char *const path_attrs[] = {
	"id", "library-description", "library-manufacturer", "library-version",
	"manufacturer", "model", "object", "serial", "slot-description",
	"slot-id", "slot-manufacturer", "token", "type",
};

/*
 * A character a path attribute's value may hold as it is (RFC 7512
 * pk11-pchar without "&" and "=", which are rarely meant there):
 * unreserved and a few sub-delims; anything else is pct-encoded, whose two
 * hex digits the caller checks.
 */
static int
pchar(int c)
{
	return isalnum(c) || strchr("-._~:[]@!$'()*+,", c) != NULL;
}

/* One "name=value": a known name, once, and a well-formed value. */
static int
attr_ok(const char *a, size_t len, unsigned int *seen, int *has_key,
    char *why, size_t whysz)
{
	const char	*eq = memchr(a, '=', len), *v;
	size_t		 nlen, vlen, i, k;

	if (eq == NULL || eq == a) {
		snprintf(why, whysz, "\"%.*s\" is not name=value", (int)len, a);
		return 0;
	}
	nlen = (size_t)(eq - a);
	v = eq + 1;
	vlen = len - nlen - 1;
	for (i = 0; i < RA_NITEMS(path_attrs); i++)
		if (strlen(path_attrs[i]) == nlen &&
		    strncmp(path_attrs[i], a, nlen) == 0)
			break;
	if (i == RA_NITEMS(path_attrs)) {
		snprintf(why, whysz, "unknown attribute \"%.*s\"", (int)nlen, a);
		return 0;
	}
	if (*seen & (1u << i)) {
		snprintf(why, whysz, "attribute \"%.*s\" twice", (int)nlen, a);
		return 0;
	}
	*seen |= 1u << i;
	for (k = 0; k < vlen; k++) {
		if (v[k] == '%') {
			if (k + 2 >= vlen) {
				snprintf(why, whysz, "a cut %%-escape in "
				    "\"%.*s\"", (int)nlen, a);
				return 0;
			}
			if (!isxdigit((unsigned char)v[k + 1]) ||
			    !isxdigit((unsigned char)v[k + 2])) {
				snprintf(why, whysz, "a bad %%-escape in "
				    "\"%.*s\"", (int)nlen, a);
				return 0;
			}
			/* libp11 takes a label up to a NUL: "ca%00x" is "ca". */
			if (v[k + 1] == '0' && v[k + 2] == '0' &&
			    strcmp(path_attrs[i], "id") != 0) {
				snprintf(why, whysz, "a NUL (%%00) in \"%.*s\"",
				    (int)nlen, a);
				return 0;
			}
			k += 2;
		} else if (!pchar((unsigned char)v[k])) {
			snprintf(why, whysz, "character %#x not allowed in "
			    "\"%.*s\"", (unsigned char)v[k], (int)nlen, a);
			return 0;
		}
	}
	if (vlen == 0) {
		snprintf(why, whysz, "\"%.*s\" is empty", (int)nlen, a);
		return 0;
	}
	if (strcmp(path_attrs[i], "object") == 0 ||
	    strcmp(path_attrs[i], "id") == 0)
		*has_key = 1;
	if (strcmp(path_attrs[i], "type") == 0 &&
	    (vlen != 7 || strncmp(v, "private", 7) != 0)) {
		snprintf(why, whysz, "type must be \"private\" (a CA key)");
		return 0;
	}
	return 1;
}

/*
 * Whether "uri" names one private key in a token: "pkcs11:" and path
 * attributes, an object or an id among them, no query (a PIN in the URI
 * would be stored in ra.ca and logged).  On failure "why" says what.
 */
int
ra_p11uri_ok(const char *uri, char *why, size_t whysz)
{
	const char	*p, *end;
	unsigned int	 seen = 0;
	int		 has_key = 0;

	if (strncmp(uri, "pkcs11:", 7) != 0) {
		snprintf(why, whysz, "not a pkcs11: URI");
		return 0;
	}
	if (strlen(uri) > P11URI_MAX) {
		snprintf(why, whysz, "longer than %d bytes", P11URI_MAX);
		return 0;
	}
	if (strstr(uri, "pin-value") != NULL ||
	    strstr(uri, "pin-source") != NULL) {
		snprintf(why, whysz, "it carries a PIN (pin-value or "
		    "pin-source); the PIN belongs in Worker.TokenPinFile");
		return 0;
	}
	if (strchr(uri, '?') != NULL) {
		snprintf(why, whysz, "query attributes (after \"?\") are not "
		    "accepted");
		return 0;
	}
	for (p = uri + 7; *p != '\0'; p = *end == ';' ? end + 1 : end) {
		end = p + strcspn(p, ";");
		if (!attr_ok(p, (size_t)(end - p), &seen, &has_key, why, whysz))
			return 0;
	}
	if (!has_key) {
		snprintf(why, whysz, "it names no key (object= or id=)");
		return 0;
	}
	return 1;
}
