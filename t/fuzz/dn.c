/*
 * Fuzz target "dn": a subject DN as users write it in the TSV's first
 * column ("CN=...,OU=...,O=...,L=...,ST=...,C=JP"), through ra_dn_parse
 * and every check an upload row makes of a parsed name without the
 * database: order, spaces, the profile's attributes, the OUs, the mails'
 * DN block, the RFC 2253 text.  Promise checked: a refusal says why.
 */
#include <openssl/objects.h>

#include "ra.h"
#include "domain.h"
#include "upload.h"
#include "fuzz.h"

static const int nids[] = {
	NID_commonName, NID_organizationalUnitName, NID_organizationName,
	NID_localityName, NID_stateOrProvinceName, NID_countryName,
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ra_profile	 prof;
	X509_NAME		*name = NULL;
	char			*s, *v, why[256], ous[512];
	size_t			 i;
	enum ra_err		 er;

	if (size > 4096)	/* a TSV field is 250 characters at most */
		return 0;
	s = fuzz_str(data, size);
	why[0] = '\0';
	if ((er = ra_dn_parse(s, &name, why, sizeof(why))) != RA_OK) {
		fuzz_assert(name == NULL);
		fuzz_assert(er != RA_EINPUT || why[0] != '\0');
		goto out;
	}
	fuzz_assert(name != NULL && X509_NAME_entry_count(name) > 0);
	free(ra_dn_text(name));
	for (i = 0; i < RA_NITEMS(nids); i++)
		free(ra_dn_get(name, nids[i]));
	ra_dn_ous(name, ous, sizeof(ous));
	fuzz_assert(strlen(ous) < sizeof(ous));
	(void)ra_upload_dn_order_ok(name);
	(void)ra_upload_spaces_ok(name);
	(void)ra_upload_value_is(name, NID_countryName, "JP");
	memset(&prof, 0, sizeof(prof));
	snprintf(prof.subject_attrs, sizeof(prof.subject_attrs),
	    "C,ST,L,O,OU,CN");
	snprintf(prof.subject_required, sizeof(prof.subject_required),
	    "C,ST,L,O,CN");
	(void)ra_profile_check_subject(&prof, name, why, sizeof(why));
	if ((v = ra_dn_block(s)) != NULL)
		free(v);
out:
	X509_NAME_free(name);
	free(s);
	return 0;
}
