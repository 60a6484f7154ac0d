/*
 * issue.c: build and sign an end-entity certificate.  Everything in it
 * comes from the validated request, the profile and the CA; from a CSR
 * only the (verified) public key is used.  The to-be-signed bytes are
 * built first and stored by the worker before any signature exists
 * (Boulder's order); ra_tbs_sign refuses to sign anything else.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/objects.h>
#include <openssl/x509v3.h>

#include "ra.h"
#include "domain.h"
#include "ca.h"

/* The digest we sign with for a CA key (certificates and CRLs alike). */
const EVP_MD *
ra_sign_md(EVP_PKEY *cakey)
{
	return EVP_PKEY_is_a(cakey, "EC") && EVP_PKEY_get_bits(cakey) > 256 ?
	    EVP_sha384() : EVP_sha256();
}

/*
 * Put the signature algorithm into the unsigned certificate, so its TBS
 * can be encoded (and stored) before signing.  X509_sign writes the same
 * values again; ra_tbs_sign checks that nothing changed.
 */
static int
set_sigalg(X509 *crt, EVP_PKEY *cakey)
{
	const X509_ALGOR	*outer;
	X509_ALGOR		*inner;
	int			 sig, ptype;

	if (!OBJ_find_sigid_by_algs(&sig, EVP_MD_get_type(ra_sign_md(cakey)),
	    EVP_PKEY_get_base_id(cakey)))
		return 0;
	/* RSA PKCS#1 v1.5 carries NULL parameters, ECDSA none (RFC 5758). */
	ptype = EVP_PKEY_is_a(cakey, "RSA") ? V_ASN1_NULL : V_ASN1_UNDEF;
	inner = (X509_ALGOR *)X509_get0_tbs_sigalg(crt);
	X509_get0_signature(NULL, &outer, crt);
	return X509_ALGOR_set0(inner, OBJ_nid2obj(sig), ptype, NULL) &&
	    X509_ALGOR_set0((X509_ALGOR *)outer, OBJ_nid2obj(sig), ptype, NULL);
}

static int
add_ext(X509 *crt, X509V3_CTX *ctx, int nid, const char *value)
{
	X509_EXTENSION	*ext;
	int		 ok;

	if (value == NULL || *value == '\0')
		return 1;
	if ((ext = X509V3_EXT_conf_nid(NULL, ctx, nid, value)) == NULL)
		return 0;
	ok = X509_add_ext(crt, ext, -1);
	X509_EXTENSION_free(ext);
	return ok;
}

/*
 * Copy the subject's public key into "crt" as it is (algorithm and bit
 * string), without decoding it into an EVP_PKEY and encoding it back,
 * which in OpenSSL 3 costs more than the signature.
 */
static int
set_pubkey(X509 *crt, const X509_PUBKEY *pub)
{
	ASN1_OBJECT		*keyobj;
	const ASN1_OBJECT	*aobj;
	const unsigned char	*pk;
	const void		*pval;
	X509_ALGOR		*alg;
	ASN1_OBJECT		*obj = NULL;
	void			*param = NULL;
	unsigned char		*enc = NULL;
	int			 pklen, ptype;

	if (!X509_PUBKEY_get0_param(&keyobj, &pk, &pklen, &alg, pub))
		return 0;
	X509_ALGOR_get0(&aobj, &ptype, &pval, alg);
	if ((obj = OBJ_dup(aobj)) == NULL ||
	    (enc = OPENSSL_memdup(pk, (size_t)pklen)) == NULL)
		goto fail;
	if (ptype == V_ASN1_OBJECT && (param = OBJ_dup(pval)) == NULL)
		goto fail;
	else if (ptype == V_ASN1_SEQUENCE &&
	    (param = ASN1_STRING_dup(pval)) == NULL)
		goto fail;
	else if (ptype != V_ASN1_OBJECT && ptype != V_ASN1_SEQUENCE &&
	    ptype != V_ASN1_NULL && ptype != V_ASN1_UNDEF)
		goto fail;
	if (X509_PUBKEY_set0_param(X509_get_X509_PUBKEY(crt), obj, ptype,
	    param, enc, pklen))
		return 1;
fail:
	ASN1_OBJECT_free(obj);
	if (ptype == V_ASN1_OBJECT)
		ASN1_OBJECT_free(param);
	else
		ASN1_STRING_free(param);
	OPENSSL_free(enc);
	return 0;
}

/*
 * certificatePolicies from comma-separated OIDs, without qualifiers (the
 * config syntax would need an NCONF database for them).
 */
static int
add_policies(X509 *crt, const char *oids)
{
	CERTIFICATEPOLICIES	*pols;
	POLICYINFO		*pi;
	char			 oid[80];
	size_t			 n;
	int			 ok = 0;

	if (oids == NULL || *oids == '\0')
		return 1;
	if ((pols = sk_POLICYINFO_new_null()) == NULL)
		return 0;
	for (; *oids != '\0'; oids += n + (oids[n] == ',')) {
		n = strcspn(oids, ",");
		if (n >= sizeof(oid))
			goto out;
		memcpy(oid, oids, n);
		oid[n] = '\0';
		if ((pi = POLICYINFO_new()) == NULL)
			goto out;
		ASN1_OBJECT_free(pi->policyid);
		if ((pi->policyid = OBJ_txt2obj(oid, 1)) == NULL ||
		    !sk_POLICYINFO_push(pols, pi)) {
			POLICYINFO_free(pi);
			goto out;
		}
	}
	ok = X509_add1_ext_i2d(crt, NID_certificate_policies, pols, 0,
	    X509V3_ADD_DEFAULT) == 1;
out:
	sk_POLICYINFO_pop_free(pols, POLICYINFO_free);
	return ok;
}

/* "DNS:a,DNS:b,email:c" from two comma-separated lists; caller frees. */
static char *
san_value(const char *dns, const char *email)
{
	size_t		 sz = 1, n;
	const char	*p;
	char		*s, *o;

	for (p = dns; *p != '\0'; p++)
		sz += *p == ',' ? 5 : 1;
	for (p = email; *p != '\0'; p++)
		sz += *p == ',' ? 7 : 1;
	sz += 16;
	if ((s = calloc(1, sz)) == NULL)
		return NULL;
	o = s;
	for (p = dns; *p != '\0'; p += n + (p[n] == ',')) {
		n = strcspn(p, ",");
		o += sprintf(o, "%sDNS:%.*s", o == s ? "" : ",", (int)n, p);
	}
	for (p = email; *p != '\0'; p += n + (p[n] == ',')) {
		n = strcspn(p, ",");
		o += sprintf(o, "%semail:%.*s", o == s ? "" : ",", (int)n, p);
	}
	return s;
}

/*
 * Build the unsigned certificate and its TBS encoding.  On RA_OK "*out"
 * (X509_free) and "*tbs" (OPENSSL_free) are the caller's.
 */
enum ra_err
ra_tbs_build(const struct ra_tbs *t, X509 **out, unsigned char **tbs,
    size_t *tbslen)
{
	const unsigned char	*p;
	X509			*crt = NULL;
	X509_NAME		*subject = NULL;
	BIGNUM			*bn = NULL;
	ASN1_INTEGER		*serial = NULL;
	X509V3_CTX		 ctx;
	char			*san = NULL, aia[1024], cdp[600];
	int			 n;
	enum ra_err		 er = RA_ECRYPTO;

	*out = NULL;
	*tbs = NULL;
	p = t->subject_der;
	if ((subject = d2i_X509_NAME(NULL, &p, (long)t->subject_len)) == NULL) {
		er = RA_EINPUT;
		goto out;
	}
	if (!BN_dec2bn(&bn, t->serial_dec) ||
	    (serial = BN_to_ASN1_INTEGER(bn, NULL)) == NULL ||
	    (crt = X509_new()) == NULL ||
	    !X509_set_version(crt, X509_VERSION_3) ||
	    !X509_set_serialNumber(crt, serial) ||
	    !X509_set_issuer_name(crt, X509_get_subject_name(t->issuer)) ||
	    !X509_set_subject_name(crt, subject) ||
	    ASN1_TIME_set(X509_getm_notBefore(crt), t->not_before) == NULL ||
	    ASN1_TIME_set(X509_getm_notAfter(crt), t->not_after) == NULL ||
	    !set_pubkey(crt, t->pubkey))
		goto out;
	if ((san = san_value(t->san_dns, t->san_email)) == NULL) {
		er = RA_ENOMEM;
		goto out;
	}
	aia[0] = cdp[0] = '\0';
	if (t->crl_url != NULL && *t->crl_url != '\0')
		snprintf(cdp, sizeof(cdp), "URI:%s", t->crl_url);
	if (t->issuer_url != NULL && *t->issuer_url != '\0')
		snprintf(aia, sizeof(aia), "caIssuers;URI:%s", t->issuer_url);
	if (t->ocsp_url != NULL && *t->ocsp_url != '\0') {
		n = (int)strlen(aia);
		snprintf(aia + n, sizeof(aia) - (size_t)n, "%sOCSP;URI:%s",
		    n > 0 ? "," : "", t->ocsp_url);
	}
	X509V3_set_ctx(&ctx, t->issuer, crt, NULL, NULL, 0);
	if (!add_ext(crt, &ctx, NID_basic_constraints, "critical,CA:FALSE") ||
	    !add_ext(crt, &ctx, NID_key_usage, t->prof->key_usage) ||
	    !add_ext(crt, &ctx, NID_ext_key_usage, t->prof->ext_key_usage) ||
	    !add_policies(crt, t->prof->policies) ||
	    !add_ext(crt, &ctx, NID_subject_key_identifier, "hash") ||
	    !add_ext(crt, &ctx, NID_authority_key_identifier, "keyid:always") ||
	    !add_ext(crt, &ctx, NID_subject_alt_name, san) ||
	    !add_ext(crt, &ctx, NID_crl_distribution_points, cdp) ||
	    !add_ext(crt, &ctx, NID_info_access, aia))
		goto out;
	if (!set_sigalg(crt, X509_get0_pubkey(t->issuer)) ||
	    (n = i2d_re_X509_tbs(crt, tbs)) <= 0)
		goto out;
	*tbslen = (size_t)n;
	*out = crt;
	crt = NULL;
	er = RA_OK;
out:
	if (er != RA_OK)
		ra_warnx("certificate %s: could not be built", t->serial_dec);
	free(san);
	ASN1_INTEGER_free(serial);
	BN_free(bn);
	X509_NAME_free(subject);
	X509_free(crt);
	return er;
}

/*
 * Sign "crt" with the CA key, then check that the signed TBS is byte for
 * byte the one stored before signing.
 */
enum ra_err
ra_tbs_sign(X509 *crt, EVP_PKEY *cakey, const unsigned char *tbs,
    size_t tbslen)
{
	unsigned char	*now = NULL;
	int		 n;
	enum ra_err	 er = RA_ECRYPTO;

	if (X509_sign(crt, cakey, ra_sign_md(cakey)) <= 0)
		goto out;
	if ((n = i2d_re_X509_tbs(crt, &now)) <= 0)
		goto out;
	if ((size_t)n != tbslen || memcmp(now, tbs, tbslen) != 0) {
		ra_warnx("signed TBS differs from the stored one; refused");
		goto out;
	}
	er = RA_OK;
out:
	OPENSSL_free(now);
	return er;
}
