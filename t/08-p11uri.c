/* A CA key in a token, by its PKCS#11 URI (RFC 7512): what ra accepts. */
#include <stdio.h>
#include <string.h>

#include "ra.h"
#include "domain.h"
#include "tap.h"

static const struct {
	const char	*uri;
	int		 ok;
	const char	*what;
} cases[] = {
	{ "pkcs11:token=ra-demo;object=server-ca;type=private", 1,
	    "token, object and type" },
	{ "pkcs11:id=%01%47", 1, "an id alone, %-escaped" },
	{ "pkcs11:id=%00%47", 1, "an id with a zero byte (an id is bytes)" },
	{ "pkcs11:model=SoftHSM%20v2;manufacturer=SoftHSM%20project;"
	    "serial=1a2b;token=ra;object=ca%20g2", 1,
	    "the token's model, manufacturer and serial" },
	{ "pkcs11:token=ra;object=ca;type=private?pin-value=1234", 0,
	    "a pin-value" },
	{ "pkcs11:token=ra;object=ca;pin-value=1234", 0,
	    "a pin-value among the path attributes" },
	{ "pkcs11:token=ra;object=ca?pin-source=file:/etc/pin", 0,
	    "a pin-source" },
	{ "pkcs11:token=ra;object=ca?module-path=/tmp/evil.so", 0,
	    "a query (module-path)" },
	{ "pkcs11:token=ra", 0, "no object and no id" },
	{ "pkcs11:token=ra;object=ca;type=cert", 0, "a certificate, not a key" },
	{ "pkcs11:token=ra;object=ca;type=privatekey", 0,
	    "a type that only begins with private" },
	{ "pkcs11:token=ra demo;object=ca", 0, "a space" },
	{ "pkcs11:token=ra;object=ca%4", 0, "a cut %-escape" },
	{ "pkcs11:token=ra;object=ca%zz", 0, "a %-escape that is not hex" },
	{ "pkcs11:token=ra;object=ca%00-g2", 0,
	    "a NUL by %-escape (libp11 would name object \"ca\")" },
	{ "pkcs11:token=ra;object=a;object=b", 0, "an attribute twice" },
	{ "pkcs11:token=ra;label=ca", 0, "an unknown attribute" },
	{ "pkcs11:token=ra;object=", 0, "an empty value" },
	{ "pkcs11:token=ra;;object=ca", 0, "an empty attribute" },
	{ "pkcs11:token=ra;object=ca\n", 0, "a newline" },
	{ "PKCS11:object=ca", 0, "another scheme spelling" },
	{ "/var/lib/ra/pki/private/ca.key", 0, "a file" },
};

int
main(void)
{
	char	 why[160], big[1200];
	size_t	 i;

	for (i = 0; i < RA_NITEMS(cases); i++)
		ok(ra_p11uri_ok(cases[i].uri, why, sizeof(why)) == cases[i].ok,
		    "%s: %s", cases[i].ok ? "taken" : "refused", cases[i].what);
	ok(!ra_p11uri_ok("pkcs11:object=x?pin-value=1", why, sizeof(why)) &&
	    strstr(why, "Worker.TokenPinFile") != NULL,
	    "a PIN's refusal says where the PIN belongs");
	snprintf(big, sizeof(big), "pkcs11:object=%01090d", 0);
	ok(!ra_p11uri_ok(big, why, sizeof(why)), "refused: over 1024 bytes");
	return tap_done();
}
