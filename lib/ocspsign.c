/*
 * ocspsign.c: the worker signs the OCSP responder's delegated signers
 * ("worker.cgi ocsp-signers", cron and conf/stack at start).  The ocsp
 * zone made the key pair and put a PKCS#10 request into ra.ocsp_signer
 * (lib/ocspreq.c); only its public key is used, once its signature shows
 * the requester holds the key.  The certificate (RFC 6960 4.2.2.2):
 * issued by the CA it answers for, extendedKeyUsage id-kp-OCSPSigning,
 * id-pkix-ocsp-nocheck (no status check of the signer itself, so it is
 * short-lived: Ocsp.SignerDays, 7 by default), digitalSignature only.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include "ra.h"
#include "domain.h"
#include "ca.h"

/* Only for a live issuing CA: the root answers no OCSP, and the ocsp
 * zone, which writes these rows, must not get a root-issued signer. */
#define SQL_PENDING \
	"SELECT s.signer_id, s.ca_id, s.csr_der FROM ra.ocsp_signer s " \
	"  JOIN ra.ca a ON a.ca_id = s.ca_id " \
	"WHERE s.cert_der IS NULL AND a.role = 'issuing' " \
	"  AND a.not_after > now() ORDER BY s.signer_id"

#define SQL_STORE \
	"UPDATE ra.ocsp_signer SET cert_der = $2, serial = $3::numeric, " \
	"  not_before = to_timestamp($4), not_after = to_timestamp($5), " \
	"  issued_at = now() " \
	"WHERE signer_id = $1 AND cert_der IS NULL"

static int
add_ext(X509 *crt, X509V3_CTX *ctx, int nid, const char *value)
{
	X509_EXTENSION	*ext;
	int		 ok;

	if ((ext = X509V3_EXT_conf_nid(NULL, ctx, nid, value)) == NULL)
		return 0;
	ok = X509_add_ext(crt, ext, -1);
	X509_EXTENSION_free(ext);
	return ok;
}

/* The issuer's name with its CN replaced: "<CA CN> OCSP signer". */
static X509_NAME *
signer_name(X509 *ca)
{
	X509_NAME	*n;
	char		 cn[65], label[80];
	int		 i;

	if ((n = X509_NAME_dup(X509_get_subject_name(ca))) == NULL)
		return NULL;
	cn[0] = '\0';
	(void)X509_NAME_get_text_by_NID(n, NID_commonName, cn, sizeof(cn));
	while ((i = X509_NAME_get_index_by_NID(n, NID_commonName, -1)) >= 0)
		X509_NAME_ENTRY_free(X509_NAME_delete_entry(n, i));
	snprintf(label, sizeof(label), "%.50s OCSP signer", cn);
	if (!X509_NAME_add_entry_by_NID(n, NID_commonName, MBSTRING_UTF8,
	    (const unsigned char *)label, -1, -1, 0)) {
		X509_NAME_free(n);
		return NULL;
	}
	return n;
}

/* Build and sign the certificate for "csr"; DER (OPENSSL_free) out. */
static enum ra_err
issue_one(const struct ra_signer *sg, X509_REQ *csr, int days,
    unsigned char **der, size_t *len, char **serial_dec, time_t *nb,
    time_t *na)
{
	const struct ra_ca_info	*ca = ra_signer_ca(sg);
	X509			*crt = NULL;
	X509_NAME		*name = NULL;
	EVP_PKEY		*pub;
	BIGNUM			*bn = NULL;
	ASN1_INTEGER		*serial = NULL;
	X509V3_CTX		 ctx;
	time_t			 now = time(NULL);
	int			 n;
	enum ra_err		 er = RA_ECRYPTO;

	*der = NULL;
	*serial_dec = NULL;
	*nb = now - 300;	/* a little before: clients' clocks differ */
	*na = now + (time_t)days * 86400;
	if ((pub = X509_REQ_get0_pubkey(csr)) == NULL ||
	    X509_REQ_verify(csr, pub) != 1) {
		ra_warnx("ocsp-signers: a request's signature does not "
		    "verify; refused");
		er = RA_EINPUT;
		goto out;
	}
	/* 127 random bits, positive: like every serial ra makes. */
	if ((bn = BN_new()) == NULL ||
	    !BN_rand(bn, 127, BN_RAND_TOP_ONE, BN_RAND_BOTTOM_ANY) ||
	    (serial = BN_to_ASN1_INTEGER(bn, NULL)) == NULL ||
	    (*serial_dec = BN_bn2dec(bn)) == NULL ||
	    (name = signer_name(ca->cert)) == NULL ||
	    (crt = X509_new()) == NULL ||
	    !X509_set_version(crt, X509_VERSION_3) ||
	    !X509_set_serialNumber(crt, serial) ||
	    !X509_set_issuer_name(crt, X509_get_subject_name(ca->cert)) ||
	    !X509_set_subject_name(crt, name) ||
	    ASN1_TIME_set(X509_getm_notBefore(crt), *nb) == NULL ||
	    ASN1_TIME_set(X509_getm_notAfter(crt), *na) == NULL ||
	    !X509_set_pubkey(crt, pub))
		goto out;
	X509V3_set_ctx(&ctx, ca->cert, crt, NULL, NULL, 0);
	if (!add_ext(crt, &ctx, NID_basic_constraints, "critical,CA:FALSE") ||
	    !add_ext(crt, &ctx, NID_key_usage, "critical,digitalSignature") ||
	    !add_ext(crt, &ctx, NID_ext_key_usage, "OCSPSigning") ||
	    !add_ext(crt, &ctx, NID_id_pkix_OCSP_noCheck, "ignored") ||
	    !add_ext(crt, &ctx, NID_subject_key_identifier, "hash") ||
	    !add_ext(crt, &ctx, NID_authority_key_identifier, "keyid:always") ||
	    ra_signer_sign_x509(sg, crt) <= 0 ||
	    (n = i2d_X509(crt, der)) <= 0)
		goto out;
	*len = (size_t)n;
	er = RA_OK;
out:
	if (er == RA_ECRYPTO)
		ra_warnx("ocsp-signers: CA %s: certificate not made: %s",
		    ca->name, ERR_reason_error_string(ERR_get_error()));
	if (er != RA_OK) {
		OPENSSL_free(*serial_dec);
		*serial_dec = NULL;
	}
	ASN1_INTEGER_free(serial);
	BN_free(bn);
	X509_NAME_free(name);
	X509_free(crt);
	return er;
}

/*
 * Sign every waiting signer request of a CA in "sg", valid "days" days;
 * a request for a CA without a loaded key waits.  One failing does not
 * stop the others.  Reports on "log".
 */
enum ra_err
ra_ocsp_signers_issue(PGconn *db, struct ra_signer *sg, size_t nsg, int days,
    FILE *log)
{
	PGresult		*res = NULL, *up = NULL;
	const struct ra_signer	*s;
	const unsigned char	*p;
	unsigned char		*csrder = NULL, *der = NULL;
	X509_REQ		*csr = NULL;
	char			*serial = NULL;
	size_t			 csrlen, len = 0;
	int64_t			 id, ca_id;
	time_t			 nb, na;
	int			 i, done = 0;
	enum ra_err		 er, first = RA_OK;

	if ((er = ra_db_run(db, "OCSP signer requests", SQL_PENDING, &res,
	    NULL, 0)) != RA_OK)
		return er;
	for (i = 0; i < PQntuples(res); i++) {
		if ((er = ra_get_i64(res, i, "signer_id", &id)) != RA_OK ||
		    (er = ra_get_i64(res, i, "ca_id", &ca_id)) != RA_OK ||
		    (er = ra_bytea_get(res, i, 2, &csrder, &csrlen)) != RA_OK)
			goto next;
		if ((s = ra_signer_find(sg, nsg, ca_id)) == NULL) {
			fprintf(log, "OCSP signer request %lld: CA %lld has no "
			    "key here; left waiting\n", (long long)id,
			    (long long)ca_id);
			goto next;
		}
		p = csrder;
		if ((csr = d2i_X509_REQ(NULL, &p, (long)csrlen)) == NULL) {
			ra_warnx("ocsp-signers: request %lld is no PKCS#10",
			    (long long)id);
			er = RA_EINPUT;
			goto next;
		}
		if ((er = issue_one(s, csr, days, &der, &len, &serial, &nb,
		    &na)) != RA_OK)
			goto next;
		if ((er = ra_db_run(db, "OCSP signer store", SQL_STORE, &up,
		    RA_ARGS(RA_INT(id), RA_BYTES(der, len), RA_TEXT(serial),
		    RA_INT(nb), RA_INT(na)))) != RA_OK)
			goto next;
		if (strcmp(PQcmdTuples(up), "1") == 0) {
			fprintf(log, "%s: OCSP signer %lld, serial %s, valid "
			    "%d day(s)\n", ra_signer_ca(s)->name, (long long)id,
			    serial, days);
			done++;
		}
next:
		if (er != RA_OK && first == RA_OK)
			first = er;
		PQclear(up);
		up = NULL;
		OPENSSL_free(der);
		der = NULL;
		OPENSSL_free(serial);
		serial = NULL;
		X509_REQ_free(csr);
		csr = NULL;
		free(csrder);
		csrder = NULL;
	}
	if (done == 0 && first == RA_OK)
		fprintf(log, "no OCSP signer request waiting\n");
	PQclear(res);
	return first;
}
