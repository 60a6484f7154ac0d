/*
 * openssl-init.c: OpenSSL for the short-lived programs of the web zones.
 * OpenSSL 3 reads and parses openssl.cnf at its first use unless told
 * not to.  None of these programs takes anything from that file (they
 * make no TLS connection and load no provider or engine; the worker's
 * token is set up in lib/token.c, which is not called from here), and a
 * CGI would pay for the read on every request.
 */
#include <openssl/crypto.h>
#include <openssl/err.h>

#include "ra.h"
#include "web.h"

enum ra_err
ra_openssl_init_lean(void)
{
	const char	*why;

	if (OPENSSL_init_crypto(OPENSSL_INIT_NO_LOAD_CONFIG, NULL) != 1) {
		why = ERR_reason_error_string(ERR_get_error());
		ra_warnx("openssl: cannot initialise: %s",
		    why != NULL ? why : "no reason given");
		return RA_ESYS;
	}
	return RA_OK;
}
