/*
 * Fuzz target "ocsp": what ocsp.cgi does with an anonymous client's
 * request before it needs the database: the POST body (DER) through
 * ra_ocsp_answer, and the same bytes as a GET path (ra_ocsp_path_der:
 * URL- then base64-decoding) and what that decodes to.  Without a
 * database the answer to a well-formed request is tryLater, so this
 * covers the parsing and its checks (one DER value, no trailing bytes,
 * 1..16 CertIDs), not the status lookup or signing.  Promise checked:
 * every input gets an OCSPResponse that parses, and never a signed one.
 */
#include <openssl/ocsp.h>

#include <ClearSilver.h>

#include "ra.h"
#include "domain.h"
#include "fuzz.h"

#define OCSP_REQUEST_MAX	16384	/* as ocsp.cgi */

static struct ra_conf	 conf;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	if (hdf_init(&conf.hdf) != STATUS_OK)
		exit(1);
	conf.path = strdup("fuzz");
	return 0;
}

static void
answer(const unsigned char *in, size_t len)
{
	OCSP_RESPONSE		*resp;
	const unsigned char	*p;
	unsigned char		*out = NULL;
	size_t			 outlen;
	long			 maxage;
	int			 st;

	fuzz_assert(ra_ocsp_answer(&conf, NULL, in, len, &out, &outlen,
	    &maxage) == RA_OK);
	fuzz_assert(out != NULL && maxage == 0);
	p = out;
	fuzz_assert((resp = d2i_OCSP_RESPONSE(NULL, &p, (long)outlen)) !=
	    NULL);
	st = OCSP_response_status(resp);
	fuzz_assert(st == OCSP_RESPONSE_STATUS_MALFORMEDREQUEST ||
	    st == OCSP_RESPONSE_STATUS_TRYLATER);
	OCSP_RESPONSE_free(resp);
	OPENSSL_free(out);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned char	*der;
	char		*path;
	size_t		 len;

	if (size > OCSP_REQUEST_MAX)	/* ocsp.cgi answers 413 */
		return 0;
	answer(data, size);
	path = fuzz_str(data, size);
	if (ra_ocsp_path_der(path, OCSP_REQUEST_MAX, &der, &len) == RA_OK) {
		fuzz_assert(der != NULL);
		answer(der, len);
		free(der);
	} else
		fuzz_assert(der == NULL);
	free(path);
	return 0;
}
