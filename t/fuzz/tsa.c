/*
 * Fuzz target "tsa": what tsa.cgi does with anyone's body: ra_tsa_reply
 * over OpenSSL's TS_RESP_create_response and ra's own reading of the
 * request for the log (imprint, nonce, policy) and of the response.  The
 * TSA is a real one (a P-256 key and a certificate with a critical
 * timeStamping EKU, made at start in a private directory); without a
 * database its serial callback refuses, so a request that passes every
 * check gets a systemFailure rejection instead of a stamp: the parsing
 * and checks are covered, the signing is not.  Promise checked: every
 * input gets a TimeStampResp that parses, with a status name.
 */
#include <openssl/ts.h>

#include <ClearSilver.h>

#include "ra.h"
#include "domain.h"
#include "fuzz.h"

#define TSA_REQUEST_MAX		16384	/* as tsa.cgi */

static struct ra_tsa	*tsa;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static const char *const subject[] = { "C", "JP", "O", "ra fuzz",
	    "CN", "ra fuzz TSA", NULL };
	const struct ra_certspec spec = {
		.subject = subject, .pathlen = -1,
		.key_usage = "critical,digitalSignature",
		.ext_key_usage = "critical,timeStamping", .days = 365,
	};
	struct ra_conf	 c;
	EVP_PKEY	*key = NULL;
	X509		*crt = NULL;
	char		 keyp[256], crtp[256];

	memset(&c, 0, sizeof(c));
	snprintf(keyp, sizeof(keyp), "%s/tsa.key", fuzz_tmpdir());
	snprintf(crtp, sizeof(crtp), "%s/tsa.crt", fuzz_tmpdir());
	if (ra_key_new("p256", &key) != RA_OK ||
	    ra_cert_make(&spec, key, NULL, NULL, &crt) != RA_OK ||
	    ra_pem_write_key(keyp, key) != RA_OK ||
	    ra_pem_write_cert(crtp, crt, 0644) != RA_OK ||
	    hdf_init(&c.hdf) != STATUS_OK ||
	    hdf_set_value(c.hdf, "Tsa.Key", keyp) != STATUS_OK ||
	    hdf_set_value(c.hdf, "Tsa.Cert", crtp) != STATUS_OK ||
	    hdf_set_value(c.hdf, "Tsa.Policy", "2.999.3161.1") != STATUS_OK ||
	    (c.path = strdup("fuzz")) == NULL ||
	    ra_tsa_open(&c, &tsa) != RA_OK) {
		fprintf(stderr, "fuzz: the TSA could not be made\n");
		exit(1);
	}
	ra_conf_free(&c);
	X509_free(crt);
	EVP_PKEY_free(key);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const unsigned char	*p;
	unsigned char		*out = NULL;
	const char		*status = NULL;
	TS_RESP			*resp;
	size_t			 len;

	if (size > TSA_REQUEST_MAX)	/* tsa.cgi answers 413 */
		return 0;
	fuzz_assert(ra_tsa_reply(tsa, NULL, data, size, &out, &len,
	    &status) == RA_OK);
	fuzz_assert(out != NULL && status != NULL);
	p = out;
	fuzz_assert((resp = d2i_TS_RESP(NULL, &p, (long)len)) != NULL);
	fuzz_assert(TS_RESP_get_token(resp) == NULL);
	TS_RESP_free(resp);
	OPENSSL_free(out);
	return 0;
}
