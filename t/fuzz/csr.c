/*
 * Fuzz target "csr": a CSR in each form real users send (PEM, PEM on one
 * line as the TSV tool writes it, bare base64, DER) through
 * ra_csr_parse, then what an upload row does with a request that parsed:
 * its key's algorithm against a profile, its SubjectPublicKeyInfo and
 * fingerprint, its subject's text and checks.  Promise checked: a
 * refusal says why.
 */
#include <openssl/x509.h>

#include "ra.h"
#include "domain.h"
#include "upload.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ra_profile	 prof;
	X509_REQ		*req = NULL;
	X509_NAME		*name;
	EVP_PKEY		*pub;
	unsigned char		*der = NULL, sha[32];
	char			 why[256], alg[64];
	size_t			 len;
	enum ra_err		 er;

	why[0] = '\0';
	if ((er = ra_csr_parse(data, size, &req, why, sizeof(why))) != RA_OK) {
		fuzz_assert(req == NULL);
		fuzz_assert(er != RA_EINPUT || why[0] != '\0');
		return 0;
	}
	fuzz_assert(req != NULL);
	pub = X509_REQ_get0_pubkey(req);
	fuzz_assert(pub != NULL);
	ra_key_alg(pub, alg, sizeof(alg));
	memset(&prof, 0, sizeof(prof));
	snprintf(prof.key_algs, sizeof(prof.key_algs), "rsa2048,rsa3072,p256");
	snprintf(prof.subject_attrs, sizeof(prof.subject_attrs),
	    "C,ST,L,O,OU,CN");
	(void)ra_profile_check_key(&prof, pub, why, sizeof(why));
	if (ra_pubkey_spki(X509_REQ_get_X509_PUBKEY(req), &der, &len, sha) ==
	    RA_OK)
		OPENSSL_free(der);
	name = X509_REQ_get_subject_name(req);
	free(ra_dn_text(name));
	(void)ra_upload_dn_order_ok(name);
	(void)ra_upload_spaces_ok(name);
	(void)ra_profile_check_subject(&prof, name, why, sizeof(why));
	X509_REQ_free(req);
	return 0;
}
