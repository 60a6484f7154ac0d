/*
 * lint.c: pre-issuance linting (TLS BR 4.3.1.2 since 2025-03-15, S/MIME
 * BR since 2025-09-15).  One declared table: each lint has an id, a
 * level, the kinds it applies to, the rule it comes from and a check over
 * the X509.  The worker lints a DER copy of the finished, not yet signed
 * certificate (every TBS field is final then; the signature is not part
 * of any lint), so nothing is signed with a throwaway key and the
 * worker's own X509 keeps no extension cache from before its signature.
 * ca.cgi lint runs the same table over any PEM certificate.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <openssl/bn.h>
#include <openssl/objects.h>
#include <openssl/x509v3.h>

#include "ra.h"
#include "domain.h"
#include "lint.h"

enum {
	K_SERVER = 1 << 0,
	K_SMIME = 1 << 1,
	K_CLIENT = 1 << 2,
	K_RA = 1 << 3,
	K_CS = 1 << 4,
	K_ALL = K_SERVER | K_SMIME | K_CLIENT | K_RA | K_CS
};

static const struct {
	const char	*name;
	int		 bit;
	long		 max_days;	/* ra's limit, see ra_lint_max_days */
} kinds[] = {
	{ "server",		K_SERVER,	198 },	/* SC-081: 200 from 2026-03-15 */
	{ "smime",		K_SMIME,	825 },	/* S/MIME BR 6.3.2 */
	{ "client",		K_CLIENT,	1461 },	/* profile 5: 48 months */
	{ "ra_officer",		K_RA,		762 },	/* profile 1: 25 months */
	{ "code_signing",	K_CS,		460 },	/* CS BR 6.3.2 */
};

static int
kind_bit(const char *kind)
{
	size_t	 i;

	for (i = 0; i < RA_NITEMS(kinds); i++)
		if (strcmp(kinds[i].name, kind) == 0)
			return kinds[i].bit;
	return 0;
}

int
ra_lint_kind_ok(const char *kind)
{
	return kind != NULL && kind_bit(kind) != 0;
}

/*
 * The longest validity of a kind issued at "nb", in days.  One function,
 * so a dated schedule (200 -> 100 -> 47 days) can replace the table.
 */
long
ra_lint_max_days(const char *kind, time_t nb)
{
	size_t	 i;

	(void)nb;
	for (i = 0; i < RA_NITEMS(kinds); i++)
		if (strcmp(kinds[i].name, kind) == 0)
			return kinds[i].max_days;
	return 0;
}

/* A foreign certificate's kind, from its EKU (ra_officer looks like client). */
const char *
ra_lint_kind_guess(X509 *crt)
{
	uint32_t	 xku;

	X509_check_purpose(crt, -1, 0);
	xku = X509_get_extended_key_usage(crt);
	if (xku == UINT32_MAX)
		return "client";
	if (xku & XKU_SSL_SERVER)
		return "server";
	if (xku & XKU_CODE_SIGN)
		return "code_signing";
	if (xku & XKU_SMIME)
		return "smime";
	return "client";
}

#define CHECK(name)							\
static int name(X509 *, const struct ra_lint_ctx *, char *, size_t)

CHECK(lint_validity);
CHECK(lint_serial_positive);
CHECK(lint_serial_entropy);
CHECK(lint_serial_length);
CHECK(lint_san_present);
CHECK(lint_san_cn);
CHECK(lint_no_ou);
CHECK(lint_key);
CHECK(lint_eku);
CHECK(lint_ku);
CHECK(lint_policies);
CHECK(lint_policy_br);
CHECK(lint_aia);
CHECK(lint_cdp);
CHECK(lint_subject_order);
CHECK(lint_subject_charset);
CHECK(lint_ext_unique);
CHECK(lint_bc_leaf);

/* The lints, in the order findings are listed. */
static const struct lint {
	const char		*id;
	enum ra_lint_level	 level;
	int			 kinds;
	const char		*source;
	int			(*check)(X509 *, const struct ra_lint_ctx *,
				    char *, size_t);
} lints[] = {
	{ "validity_max", RA_LINT_ERROR, K_ALL,
	  "TLS BR 6.3.2 / S/MIME BR 6.3.2 / CS BR 6.3.2", lint_validity },
	{ "serial_positive", RA_LINT_ERROR, K_ALL,
	  "RFC 5280 4.1.2.2", lint_serial_positive },
	{ "serial_entropy", RA_LINT_ERROR, K_ALL,
	  "TLS BR 7.1", lint_serial_entropy },
	{ "serial_length", RA_LINT_ERROR, K_ALL,
	  "RFC 5280 4.1.2.2", lint_serial_length },
	{ "san_present", RA_LINT_ERROR, K_SERVER | K_SMIME,
	  "TLS BR 7.1.2.7.12 / S/MIME BR 7.1.2.3", lint_san_present },
	{ "san_contains_cn", RA_LINT_ERROR, K_SERVER | K_SMIME,
	  "TLS BR 7.1.4.3 / S/MIME BR 7.1.4.2.2", lint_san_cn },
	{ "subject_no_ou", RA_LINT_ERROR, K_SERVER | K_CS,
	  "TLS BR 7.1.2.7.4 / CS BR 7.1.4.2.2", lint_no_ou },
	{ "key_allowed", RA_LINT_ERROR, K_ALL,
	  "TLS BR 6.1.5 / CS BR 6.1.5.2", lint_key },
	{ "eku_kind", RA_LINT_ERROR, K_ALL,
	  "TLS BR 7.1.2.7.10 / S/MIME BR 7.1.2.3 / CS BR 7.1.2.3", lint_eku },
	{ "key_usage_kind", RA_LINT_ERROR, K_ALL,
	  "RFC 5280 4.2.1.3 / TLS BR 7.1.2.7.11", lint_ku },
	{ "policies_present", RA_LINT_ERROR, K_ALL,
	  "RFC 5280 4.2.1.4 / TLS BR 7.1.2.7.9", lint_policies },
	{ "policy_br_oid", RA_LINT_ERROR, K_SERVER | K_SMIME | K_CS,
	  "TLS BR 7.1.6.1 / S/MIME BR 7.1.6.1 / CS BR 7.1.6.1",
	  lint_policy_br },
	{ "aia_ca_issuers", RA_LINT_ERROR, K_ALL,
	  "TLS BR 7.1.2.7.7", lint_aia },
	{ "crl_dp", RA_LINT_ERROR, K_ALL,
	  "TLS BR 7.1.2.11.2", lint_cdp },
	/* Not ra_officer: the UPKI notice fixes C, O, L (marker), CN there. */
	{ "subject_order", RA_LINT_ERROR, K_SERVER | K_SMIME | K_CLIENT | K_CS,
	  "TLS BR 7.1.4.2", lint_subject_order },
	{ "subject_charset", RA_LINT_ERROR, K_ALL,
	  "RFC 5280 4.1.2.4", lint_subject_charset },
	{ "ext_unique", RA_LINT_ERROR, K_ALL,
	  "RFC 5280 4.2", lint_ext_unique },
	{ "bc_leaf", RA_LINT_ERROR, K_ALL,
	  "RFC 5280 4.2.1.9", lint_bc_leaf },
};

static int
is_kind(const struct ra_lint_ctx *x, int bits)
{
	return (kind_bit(x->kind) & bits) != 0;
}

static int
lint_validity(X509 *c, const struct ra_lint_ctx *x, char *m, size_t sz)
{
	struct tm	 tm;
	long		 max;
	int		 day, sec;
	double		 secs;

	if (!ASN1_TIME_diff(&day, &sec, X509_get0_notBefore(c),
	    X509_get0_notAfter(c)) || !ASN1_TIME_to_tm(X509_get0_notBefore(c),
	    &tm)) {
		snprintf(m, sz, "notBefore/notAfter cannot be read");
		return 1;
	}
	/* Inclusive of both ends: notAfter - notBefore + 1 second. */
	secs = (double)day * 86400 + sec + 1;
	max = ra_lint_max_days(x->kind, timegm(&tm));
	if (x->max_days > 0 && x->max_days < max)
		max = x->max_days;	/* the schedule is stricter that day */
	if (secs <= 0) {
		snprintf(m, sz, "notAfter is before notBefore");
		return 1;
	}
	if (secs > (double)max * 86400) {
		snprintf(m, sz, "validity %.0f seconds (%d days) exceeds %ld "
		    "days for %s", secs, day, max, x->kind);
		return 1;
	}
	return 0;
}

static int
lint_serial_positive(X509 *c, const struct ra_lint_ctx *x, char *m,
    size_t sz)
{
	const ASN1_INTEGER	*ai = X509_get0_serialNumber(c);

	if (ASN1_STRING_type(ai) == V_ASN1_NEG_INTEGER) {
		snprintf(m, sz, "the serial number is negative");
		return 1;
	}
	if (ASN1_STRING_length(ai) == 0 || (ASN1_STRING_length(ai) == 1 &&
	    ASN1_STRING_get0_data(ai)[0] == 0)) {
		snprintf(m, sz, "the serial number is zero");
		return 1;
	}
	return 0;
}

/* A length check: 64 random bits give at least 64 significant bits but
 * once in 2^63 times (ra draws 126). */
static int
lint_serial_entropy(X509 *c, const struct ra_lint_ctx *x, char *m,
    size_t sz)
{
	BIGNUM	*bn;
	int	 bits;

	if ((bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(c), NULL)) ==
	    NULL) {
		snprintf(m, sz, "the serial number cannot be read");
		return 1;
	}
	bits = BN_num_bits(bn);
	BN_free(bn);
	if (bits < 64) {
		snprintf(m, sz, "the serial number has %d significant bits, "
		    "fewer than 64", bits);
		return 1;
	}
	return 0;
}

static int
lint_serial_length(X509 *c, const struct ra_lint_ctx *x, char *m,
    size_t sz)
{
	int	 n = ASN1_STRING_length(X509_get0_serialNumber(c));

	/* The content octets, plus a leading zero if the top bit is set. */
	if (n > 20 || (n == 20 &&
	    (ASN1_STRING_get0_data(X509_get0_serialNumber(c))[0] & 0x80))) {
		snprintf(m, sz, "the serial number is longer than 20 octets");
		return 1;
	}
	return 0;
}

static int
lint_san_present(X509 *c, const struct ra_lint_ctx *x, char *m, size_t sz)
{
	GENERAL_NAMES	*gens;
	int		 n;

	gens = X509_get_ext_d2i(c, NID_subject_alt_name, NULL, NULL);
	n = gens != NULL ? sk_GENERAL_NAME_num(gens) : 0;
	GENERAL_NAMES_free(gens);
	if (n <= 0) {
		snprintf(m, sz, "no subjectAltName");
		return 1;
	}
	return 0;
}

/* The subject's (last) CN as UTF-8, or NULL; caller frees (OPENSSL_free). */
static unsigned char *
subject_cn(X509 *c)
{
	const X509_NAME	*name = X509_get_subject_name(c);
	unsigned char	*s = NULL;
	int		 i, last = -1;

	for (i = -1; (i = X509_NAME_get_index_by_NID(name, NID_commonName,
	    i)) >= 0;)
		last = i;
	if (last < 0 || ASN1_STRING_to_UTF8(&s, X509_NAME_ENTRY_get_data(
	    X509_NAME_get_entry(name, last))) < 0)
		return NULL;
	return s;
}

static int
lint_san_cn(X509 *c, const struct ra_lint_ctx *x, char *m, size_t sz)
{
	GENERAL_NAMES		*gens;
	const GENERAL_NAME	*g;
	const ASN1_IA5STRING	*v;
	unsigned char		*cn;
	int			 i, type, found = 0;

	if ((cn = subject_cn(c)) == NULL)
		return 0;	/* no CN: nothing to contain */
	type = is_kind(x, K_SERVER) ? GEN_DNS : GEN_EMAIL;
	gens = X509_get_ext_d2i(c, NID_subject_alt_name, NULL, NULL);
	for (i = 0; gens != NULL && i < sk_GENERAL_NAME_num(gens); i++) {
		g = sk_GENERAL_NAME_value(gens, i);
		v = GENERAL_NAME_get0_value(g, NULL);
		if (g->type == type && (size_t)ASN1_STRING_length(v) ==
		    strlen((char *)cn) && strncasecmp((const char *)
		    ASN1_STRING_get0_data(v), (char *)cn,
		    (size_t)ASN1_STRING_length(v)) == 0)
			found = 1;
	}
	if (!found)
		snprintf(m, sz, "the CN \"%.80s\" is not among the "
		    "subjectAltName %s", cn, type == GEN_DNS ? "dNSNames" :
		    "rfc822Names");
	GENERAL_NAMES_free(gens);
	OPENSSL_free(cn);
	return !found;
}

static int
lint_no_ou(X509 *c, const struct ra_lint_ctx *x, char *m, size_t sz)
{
	if (X509_NAME_get_index_by_NID(X509_get_subject_name(c),
	    NID_organizationalUnitName, -1) >= 0) {
		snprintf(m, sz, "the subject has an OU");
		return 1;
	}
	return 0;
}

static int
lint_key(X509 *c, const struct ra_lint_ctx *x, char *m, size_t sz)
{
	EVP_PKEY	*pk = X509_get0_pubkey(c);
	char		 curve[64] = "";
	size_t		 len;
	int		 bits, min;

	if (pk == NULL) {
		snprintf(m, sz, "the public key cannot be decoded");
		return 1;
	}
	bits = EVP_PKEY_get_bits(pk);
	if (EVP_PKEY_is_a(pk, "RSA")) {
		min = is_kind(x, K_CS) ? 3072 : 2048;
		if (bits < min || bits % 8 != 0) {
			snprintf(m, sz, "RSA %d bits; %s needs at least %d, a "
			    "multiple of 8", bits, x->kind, min);
			return 1;
		}
		return 0;
	}
	if (EVP_PKEY_is_a(pk, "EC")) {
		if (!EVP_PKEY_get_utf8_string_param(pk, "group", curve,
		    sizeof(curve), &len))
			curve[0] = '\0';
		if (strcmp(curve, "prime256v1") == 0 ||
		    strcmp(curve, "secp384r1") == 0 ||
		    (strcmp(curve, "secp521r1") == 0 &&
		    is_kind(x, K_SERVER | K_SMIME)))
			return 0;
		snprintf(m, sz, "EC curve %s is not allowed for %s",
		    curve[0] != '\0' ? curve : "(unnamed)", x->kind);
		return 1;
	}
	snprintf(m, sz, "key type %s is not allowed", EVP_PKEY_get0_type_name(pk));
	return 1;
}

static int
lint_eku(X509 *c, const struct ra_lint_ctx *x, char *m, size_t sz)
{
	uint32_t	 xku, need, deny;

	X509_check_purpose(c, -1, 0);
	if ((xku = X509_get_extended_key_usage(c)) == UINT32_MAX) {
		snprintf(m, sz, "no extendedKeyUsage");
		return 1;
	}
	deny = XKU_ANYEKU | XKU_OCSP_SIGN | XKU_TIMESTAMP;
	if (is_kind(x, K_SERVER)) {
		need = XKU_SSL_SERVER;
		deny |= XKU_SMIME | XKU_CODE_SIGN;
	} else if (is_kind(x, K_SMIME)) {
		need = XKU_SMIME;	/* Strict: nothing else */
		deny |= XKU_SSL_SERVER | XKU_SSL_CLIENT | XKU_CODE_SIGN;
	} else if (is_kind(x, K_CS)) {
		need = XKU_CODE_SIGN;
		deny |= XKU_SSL_SERVER | XKU_SMIME;
	} else {
		need = XKU_SSL_CLIENT;
		deny |= XKU_SSL_SERVER | XKU_CODE_SIGN;
	}
	if ((xku & need) == 0 || (xku & deny) != 0) {
		snprintf(m, sz, "extendedKeyUsage 0x%x does not fit %s (needs "
		    "0x%x, none of 0x%x)", (unsigned)xku, x->kind,
		    (unsigned)need, (unsigned)deny);
		return 1;
	}
	return 0;
}

static int
lint_ku(X509 *c, const struct ra_lint_ctx *x, char *m, size_t sz)
{
	uint32_t	 ku;
	EVP_PKEY	*pk = X509_get0_pubkey(c);

	X509_check_purpose(c, -1, 0);
	if ((ku = X509_get_key_usage(c)) == UINT32_MAX) {
		snprintf(m, sz, "no keyUsage");
		return 1;
	}
	if ((ku & KU_DIGITAL_SIGNATURE) == 0)
		snprintf(m, sz, "keyUsage lacks digitalSignature");
	else if (ku & (KU_KEY_CERT_SIGN | KU_CRL_SIGN))
		snprintf(m, sz, "keyUsage keyCertSign or cRLSign on a leaf");
	else if ((ku & KU_KEY_ENCIPHERMENT) && pk != NULL &&
	    !EVP_PKEY_is_a(pk, "RSA"))
		snprintf(m, sz, "keyUsage keyEncipherment with a non-RSA key");
	else if (is_kind(x, K_CS) && ku != KU_DIGITAL_SIGNATURE)
		snprintf(m, sz, "code signing: keyUsage is digitalSignature "
		    "only");
	else
		return 0;
	return 1;
}

/* Whether certificatePolicies holds an OID that "match" accepts. */
static int
has_policy(X509 *c, int (*match)(const char *), int *present)
{
	CERTIFICATEPOLICIES	*pols;
	char			 oid[80];
	int			 i, ok = 0;

	pols = X509_get_ext_d2i(c, NID_certificate_policies, NULL, NULL);
	*present = pols != NULL && sk_POLICYINFO_num(pols) > 0;
	for (i = 0; pols != NULL && i < sk_POLICYINFO_num(pols); i++)
		if (OBJ_obj2txt(oid, sizeof(oid),
		    sk_POLICYINFO_value(pols, i)->policyid, 1) > 0 &&
		    match(oid))
			ok = 1;
	CERTIFICATEPOLICIES_free(pols);
	return ok;
}

static int
any_oid(const char *oid)
{
	return oid[0] != '\0';
}

static int
tls_oid(const char *oid)
{
	return strcmp(oid, "2.23.140.1.2.1") == 0 ||
	    strcmp(oid, "2.23.140.1.2.2") == 0 ||
	    strcmp(oid, "2.23.140.1.2.3") == 0 ||
	    strcmp(oid, "2.23.140.1.1") == 0;
}

static int
smime_oid(const char *oid)
{
	return strncmp(oid, "2.23.140.1.5.", 13) == 0;
}

static int
cs_oid(const char *oid)
{
	return strcmp(oid, "2.23.140.1.4.1") == 0;
}

static int
lint_policies(X509 *c, const struct ra_lint_ctx *x, char *m, size_t sz)
{
	int	 present;

	if (!has_policy(c, any_oid, &present) || !present) {
		snprintf(m, sz, "no certificatePolicies");
		return 1;
	}
	return 0;
}

static int
lint_policy_br(X509 *c, const struct ra_lint_ctx *x, char *m, size_t sz)
{
	int	 present;

	if (has_policy(c, is_kind(x, K_SERVER) ? tls_oid : is_kind(x, K_CS) ?
	    cs_oid : smime_oid, &present))
		return 0;
	snprintf(m, sz, "certificatePolicies has no CA/Browser Forum "
	    "reserved OID for %s", x->kind);
	return 1;
}

/* A URI general name in "gens"? */
static int
has_uri(const GENERAL_NAMES *gens)
{
	int	 i;

	for (i = 0; gens != NULL && i < sk_GENERAL_NAME_num(gens); i++)
		if (sk_GENERAL_NAME_value(gens, i)->type == GEN_URI)
			return 1;
	return 0;
}

static int
lint_aia(X509 *c, const struct ra_lint_ctx *x, char *m, size_t sz)
{
	AUTHORITY_INFO_ACCESS	*aia;
	ACCESS_DESCRIPTION	*ad;
	int			 i, found = 0;

	if (!x->want_aia)
		return 0;
	aia = X509_get_ext_d2i(c, NID_info_access, NULL, NULL);
	for (i = 0; aia != NULL && i < sk_ACCESS_DESCRIPTION_num(aia); i++) {
		ad = sk_ACCESS_DESCRIPTION_value(aia, i);
		if (OBJ_obj2nid(ad->method) == NID_ad_ca_issuers &&
		    ad->location->type == GEN_URI)
			found = 1;
	}
	AUTHORITY_INFO_ACCESS_free(aia);
	if (!found)
		snprintf(m, sz, "no authorityInfoAccess caIssuers URI");
	return !found;
}

static int
lint_cdp(X509 *c, const struct ra_lint_ctx *x, char *m, size_t sz)
{
	CRL_DIST_POINTS	*cdp;
	DIST_POINT	*dp;
	int		 i, found = 0;

	if (!x->want_cdp)
		return 0;
	cdp = X509_get_ext_d2i(c, NID_crl_distribution_points, NULL, NULL);
	for (i = 0; cdp != NULL && i < sk_DIST_POINT_num(cdp); i++) {
		dp = sk_DIST_POINT_value(cdp, i);
		if (dp->distpoint != NULL && dp->distpoint->type == 0 &&
		    has_uri(dp->distpoint->name.fullname))
			found = 1;
	}
	CRL_DIST_POINTS_free(cdp);
	if (!found)
		snprintf(m, sz, "no cRLDistributionPoints URI");
	return !found;
}

/* The order of TLS BR 7.1.4.2's table; other attributes are not ranked. */
static int
attr_rank(int nid)
{
	static const int	 order[] = {
		NID_countryName, NID_stateOrProvinceName, NID_localityName,
		NID_organizationName, NID_organizationalUnitName,
		NID_commonName
	};
	size_t			 i;

	for (i = 0; i < RA_NITEMS(order); i++)
		if (order[i] == nid)
			return (int)i;
	return -1;
}

static int
lint_subject_order(X509 *c, const struct ra_lint_ctx *x, char *m, size_t sz)
{
	const X509_NAME	*name = X509_get_subject_name(c);
	int		 i, nid, r, last = -1, lastnid = NID_undef;

	for (i = 0; i < X509_NAME_entry_count(name); i++) {
		nid = OBJ_obj2nid(X509_NAME_ENTRY_get_object(
		    X509_NAME_get_entry(name, i)));
		if ((r = attr_rank(nid)) < 0)
			continue;
		if (r < last) {
			snprintf(m, sz, "subject %s comes after %s (order "
			    "C, ST, L, O, OU, CN)", OBJ_nid2sn(nid),
			    OBJ_nid2sn(lastnid));
			return 1;
		}
		last = r;
		lastnid = nid;
	}
	return 0;
}

static int
lint_subject_charset(X509 *c, const struct ra_lint_ctx *x, char *m,
    size_t sz)
{
	const X509_NAME		*name = X509_get_subject_name(c);
	const ASN1_STRING	*v;
	int			 i, nid, t;

	for (i = 0; i < X509_NAME_entry_count(name); i++) {
		nid = OBJ_obj2nid(X509_NAME_ENTRY_get_object(
		    X509_NAME_get_entry(name, i)));
		v = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, i));
		t = ASN1_STRING_type(v);
		if (nid == NID_countryName &&
		    (t != V_ASN1_PRINTABLESTRING || ASN1_STRING_length(v) != 2)) {
			snprintf(m, sz, "subject C is not a two-letter "
			    "PrintableString");
			return 1;
		}
		if (nid == NID_pkcs9_emailAddress || nid == NID_countryName ||
		    nid == NID_serialNumber || nid == NID_domainComponent)
			continue;	/* IA5String / PrintableString types */
		if (t != V_ASN1_PRINTABLESTRING && t != V_ASN1_UTF8STRING) {
			snprintf(m, sz, "subject %s is a %s, not PrintableString "
			    "or UTF8String", OBJ_nid2sn(nid), ASN1_tag2str(t));
			return 1;
		}
	}
	return 0;
}

static int
lint_ext_unique(X509 *c, const struct ra_lint_ctx *x, char *m, size_t sz)
{
	const ASN1_OBJECT	*a, *b;
	char			 oid[80];
	int			 i, k, n = X509_get_ext_count(c);

	for (i = 0; i < n; i++) {
		a = X509_EXTENSION_get_object(X509_get_ext(c, i));
		for (k = 0; k < i; k++) {
			b = X509_EXTENSION_get_object(X509_get_ext(c, k));
			if (OBJ_cmp(a, b) == 0) {
				OBJ_obj2txt(oid, sizeof(oid), a, 0);
				snprintf(m, sz, "extension %s appears twice",
				    oid);
				return 1;
			}
		}
	}
	return 0;
}

static int
lint_bc_leaf(X509 *c, const struct ra_lint_ctx *x, char *m, size_t sz)
{
	BASIC_CONSTRAINTS	*bc;
	int			 ca;

	bc = X509_get_ext_d2i(c, NID_basic_constraints, NULL, NULL);
	ca = bc != NULL && bc->ca;
	BASIC_CONSTRAINTS_free(bc);
	if (ca) {
		snprintf(m, sz, "basicConstraints CA:TRUE on an end-entity "
		    "certificate");
		return 1;
	}
	return 0;
}

/* Every lint of the table that applies to x->kind, over "crt". */
enum ra_err
ra_lint_run(X509 *crt, const struct ra_lint_ctx *x, struct ra_lint_result *r)
{
	struct ra_lint_finding	*f;
	size_t			 i;
	int			 bit;

	memset(r, 0, sizeof(*r));
	if ((bit = kind_bit(x->kind)) == 0)
		return RA_EINPUT;
	for (i = 0; i < RA_NITEMS(lints) && r->n < RA_LINT_MAX; i++) {
		if ((lints[i].kinds & bit) == 0)
			continue;
		f = &r->f[r->n];
		f->msg[0] = '\0';
		if (!lints[i].check(crt, x, f->msg, sizeof(f->msg)))
			continue;
		f->id = lints[i].id;
		f->level = lints[i].level;
		f->source = lints[i].source;
		r->n++;
		if (f->level == RA_LINT_ERROR)
			r->errors++;
	}
	return RA_OK;
}

/* JSON string body of "s" into "o" (at least 6 * strlen + 1). */
static char *
json_str(char *o, const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\') {
			*o++ = '\\';
			*o++ = *s;
		} else if ((unsigned char)*s < 0x20)
			o += sprintf(o, "\\u%04x", (unsigned)(unsigned char)*s);
		else
			*o++ = *s;
	}
	return o;
}

/* The findings as a JSON array, "[]" when clean; caller frees. */
char *
ra_lint_json(const struct ra_lint_result *r)
{
	const struct ra_lint_finding	*f;
	size_t				 i, sz = 3;
	char				*s, *o;

	for (i = 0; i < r->n; i++)
		sz += 64 + 6 * (strlen(r->f[i].id) + strlen(r->f[i].source) +
		    strlen(r->f[i].msg));
	if ((s = malloc(sz)) == NULL)
		return NULL;
	o = s;
	*o++ = '[';
	for (i = 0; i < r->n; i++) {
		f = &r->f[i];
		o += sprintf(o, "%s{\"id\":\"", i > 0 ? "," : "");
		o = json_str(o, f->id);
		o += sprintf(o, "\",\"level\":\"%s\",\"source\":\"",
		    f->level == RA_LINT_ERROR ? "error" : "warning");
		o = json_str(o, f->source);
		o += sprintf(o, "\",\"message\":\"");
		o = json_str(o, f->msg);
		o += sprintf(o, "\"}");
	}
	*o++ = ']';
	*o = '\0';
	return s;
}

/*
 * The worker's call, before any reservation or signature: lint a DER copy
 * of "crt".  RA_OK: no error-level finding.  RA_EPOLICY: "why" names the
 * first error's lint, source and message; nothing may be signed.  With
 * both, "*json" (caller frees) holds the findings, for the certificate
 * row or the refusal's audit row.
 */
enum ra_err
ra_lint_tbs(X509 *crt, const struct ra_lint_ctx *x, char **json, char *why,
    size_t whysz)
{
	struct ra_lint_result	*r = NULL;
	X509			*copy = NULL;
	size_t			 i;
	enum ra_err		 er = RA_ENOMEM;

	*json = NULL;
	if ((copy = X509_dup(crt)) == NULL) {
		er = RA_ECRYPTO;
		goto out;
	}
	if ((r = calloc(1, sizeof(*r))) == NULL)
		goto out;
	if ((er = ra_lint_run(copy, x, r)) != RA_OK) {
		ra_msgf(why, whysz, "pre-issuance lint: no lints for kind "
		    "%s; not signed", x->kind);
		goto out;
	}
	if ((*json = ra_lint_json(r)) == NULL) {
		er = RA_ENOMEM;
		goto out;
	}
	if (r->errors > 0) {
		for (i = 0; r->f[i].level != RA_LINT_ERROR; i++)
			;
		ra_msgf(why, whysz, "pre-issuance lint %s (%s): %s; not "
		    "signed", r->f[i].id, r->f[i].source, r->f[i].msg);
		er = RA_EPOLICY;
	}
out:
	free(r);
	X509_free(copy);
	return er;
}
