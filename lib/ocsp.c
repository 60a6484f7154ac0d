/*
 * ocsp.c: ra's OCSP responder (RFC 6960), on OpenSSL's OCSP API.  Runs in
 * the ocsp zone only (ocsp.cgi, Unix user ra-ocsp, role ra_ocsp): it
 * reads the status of each certificate asked about from PostgreSQL at
 * every request, so a revocation is answered at once, and signs with the
 * delegated signer of the issuing CA (ra.ocsp_signer; its key in
 * Ocsp.KeyDir).  It never sees a CA key.
 *
 * The issuer of a CertID is found by hashing each CA certificate's
 * subject and key with the request's own hash algorithm (SHA-1 as
 * clients send, or any other OpenSSL knows); a CertID of another issuer,
 * or a serial its CA never issued, is "unknown".  One response is signed
 * by one signer: that of the first CertID's CA; a request whose first
 * CertID names no CA of ra's is answered "unauthorized" (RFC 6960 2.3).
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ocsp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "ra.h"
#include "domain.h"

/* Ocsp.NextUpdateHours: its default and least, TLS BR 4.9.10 (a response
 * valid at least eight hours, at most ten days; ra: a week at most). */
#define OCSP_NEXT_HOURS		8
#define OCSP_MAX_IDS		16	/* CertIDs answered per request */

/* The CAs answered for: issuing ones (the root has no signer, and a
 * request about it is unauthorized, not tryLater). */
#define SQL_CAS \
	"SELECT ca_id, cert_der FROM ra.ca WHERE role = 'issuing' ORDER BY ca_id"

/* The newest valid signer of a CA (the worker keeps one ahead). */
#define SQL_SIGNER \
	"SELECT key_name, cert_der FROM ra.ocsp_signer " \
	"WHERE ca_id = $1 AND cert_der IS NOT NULL " \
	"  AND not_before <= now() AND not_after > now() " \
	"ORDER BY not_after DESC, signer_id DESC LIMIT 1"

/* The certificate's state and, if revoked, when (whole seconds, as
 * GeneralizedTime has them: truncated, never rounded up) and why. */
#define SQL_STATUS \
	"SELECT c.state, r.reason, " \
	"       floor(extract(epoch FROM r.revoked_at))::bigint AS rev_at " \
	"FROM ra.certificate c LEFT JOIN ra.revocation r " \
	"  ON r.ca_id = c.ca_id AND r.serial = c.serial " \
	"WHERE c.ca_id = $1 AND c.serial = $2::numeric"

struct ocsp_ca {
	int64_t		 ca_id;
	X509		*cert;
};

static void
ocsp_ssl_warn(const char *what)
{
	unsigned long	 e;
	char		 buf[256];

	if ((e = ERR_get_error()) != 0) {
		ERR_error_string_n(e, buf, sizeof(buf));
		ra_warnx("ocsp: %s: %s", what, buf);
	} else
		ra_warnx("ocsp: %s", what);
	ERR_clear_error();
}

static void
cas_free(struct ocsp_ca *v, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		X509_free(v[i].cert);
	free(v);
}

/* Every CA certificate ra has, root and issuing, current and retired. */
static enum ra_err
cas_load(PGconn *db, struct ocsp_ca **out, size_t *nout)
{
	PGresult		*res = NULL;
	struct ocsp_ca		*v = NULL;
	const unsigned char	*p;
	unsigned char		*der = NULL;
	size_t			 len, n = 0;
	int			 i;
	enum ra_err		 er;

	*out = NULL;
	*nout = 0;
	if ((er = ra_db_run(db, "OCSP CAs", SQL_CAS, &res, NULL, 0)) != RA_OK)
		return er;
	if ((v = calloc((size_t)PQntuples(res) + 1, sizeof(*v))) == NULL) {
		er = RA_ENOMEM;
		goto out;
	}
	for (i = 0; i < PQntuples(res); i++) {
		if ((er = ra_get_i64(res, i, "ca_id", &v[n].ca_id)) != RA_OK ||
		    (er = ra_bytea_get(res, i, 1, &der, &len)) != RA_OK)
			goto out;
		p = der;
		if ((v[n].cert = d2i_X509(NULL, &p, (long)len)) == NULL) {
			ra_warnx("ocsp: CA %lld: certificate unreadable",
			    (long long)v[n].ca_id);
			er = RA_ECRYPTO;
			goto out;
		}
		n++;
		free(der);
		der = NULL;
	}
	*out = v;
	*nout = n;
	v = NULL;
	n = 0;
	er = RA_OK;
out:
	free(der);
	cas_free(v, n);
	PQclear(res);
	return er;
}

/* The CA whose name and key hash to those of "cid"; NULL: not ours. */
static const struct ocsp_ca *
ca_of(const struct ocsp_ca *v, size_t n, OCSP_CERTID *cid)
{
	ASN1_OBJECT	*alg = NULL;
	OCSP_CERTID	*mine;
	const EVP_MD	*md;
	size_t		 i;
	int		 same;

	if (!OCSP_id_get0_info(NULL, &alg, NULL, NULL, cid) ||
	    (md = EVP_get_digestbyobj(alg)) == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		if ((mine = OCSP_cert_to_id(md, NULL, v[i].cert)) == NULL) {
			ocsp_ssl_warn("CertID of a CA");
			return NULL;
		}
		same = OCSP_id_issuer_cmp(mine, cid) == 0;
		OCSP_CERTID_free(mine);
		if (same)
			return &v[i];
	}
	return NULL;
}

/* The signer of "ca_id": its certificate (DB) and key (Ocsp.KeyDir). */
static enum ra_err
signer_load(const struct ra_conf *c, PGconn *db, int64_t ca_id,
    X509 **cert, EVP_PKEY **key)
{
	PGresult		*res = NULL;
	const unsigned char	*p;
	unsigned char		*der = NULL;
	const char		*dir = ra_conf_get(c, "Ocsp.KeyDir"), *name;
	char			 path[PATH_MAX];
	FILE			*f = NULL;
	size_t			 len;
	enum ra_err		 er;

	*cert = NULL;
	*key = NULL;
	if (dir == NULL) {
		ra_warnx("config %s: Ocsp.KeyDir is not set", c->path);
		return RA_ECONF;
	}
	if ((er = ra_db_run1(db, "OCSP signer", SQL_SIGNER, &res,
	    RA_ARGS(RA_INT(ca_id)))) != RA_OK) {
		if (er == RA_ENOTFOUND)
			ra_warnx("ocsp: CA %lld has no valid signer; run "
			    "ocsp.cgi signer-request and worker.cgi "
			    "ocsp-signers", (long long)ca_id);
		return er;
	}
	name = ra_get_text(res, 0, "key_name");
	if ((er = ra_bytea_get(res, 0, 1, &der, &len)) != RA_OK)
		goto out;
	er = RA_ECRYPTO;
	p = der;
	if ((*cert = d2i_X509(NULL, &p, (long)len)) == NULL)
		goto out;
	if (name == NULL || (size_t)snprintf(path, sizeof(path), "%s/%s.key",
	    dir, name) >= sizeof(path)) {
		er = RA_ECONF;
		goto out;
	}
	if ((f = fopen(path, "r")) == NULL) {
		ra_warnx("ocsp: %s: cannot be read", path);
		er = RA_ECONF;
		goto out;
	}
	if ((*key = PEM_read_PrivateKey(f, NULL, NULL, NULL)) == NULL ||
	    !X509_check_private_key(*cert, *key)) {
		ocsp_ssl_warn(path);
		goto out;
	}
	er = RA_OK;
out:
	if (f != NULL)
		fclose(f);
	if (er != RA_OK) {
		X509_free(*cert);
		EVP_PKEY_free(*key);
		*cert = NULL;
		*key = NULL;
	}
	free(der);
	PQclear(res);
	return er;
}

/* Add the status of "cid" (of CA "ca", or of none) to "bs". */
static enum ra_err
add_status(PGconn *db, OCSP_BASICRESP *bs, OCSP_CERTID *cid,
    const struct ocsp_ca *ca, ASN1_TIME *thisupd, ASN1_TIME *nextupd)
{
	ASN1_INTEGER	*serial = NULL;
	ASN1_TIME	*revtime = NULL;
	PGresult	*res = NULL;
	BIGNUM		*bn = NULL;
	char		*dec = NULL;
	const char	*state, *at, *why;
	int		 status = V_OCSP_CERTSTATUS_UNKNOWN, reason = -1;
	enum ra_err	 er = RA_OK;

	if (ca == NULL)
		goto add;
	if (!OCSP_id_get0_info(NULL, NULL, NULL, &serial, cid) ||
	    (bn = ASN1_INTEGER_to_BN(serial, NULL)) == NULL ||
	    (dec = BN_bn2dec(bn)) == NULL) {
		er = RA_ECRYPTO;
		goto out;
	}
	/* A negative or absurd serial is no certificate of ours. */
	if (BN_is_negative(bn) || strlen(dec) > 49)
		goto add;
	er = ra_db_run(db, "OCSP status", SQL_STATUS, &res,
	    RA_ARGS(RA_INT(ca->ca_id), RA_TEXT(dec)));
	if (er != RA_OK)
		goto out;
	if (PQntuples(res) != 1)
		goto add;
	state = ra_get_text(res, 0, "state");
	at = ra_get_text(res, 0, "rev_at");
	why = ra_get_text(res, 0, "reason");
	if (at != NULL && *at != '\0' && why != NULL) {
		status = V_OCSP_CERTSTATUS_REVOKED;
		/* unspecified (0) goes without a reason, as in the CRL
		 * (TLS BR 7.2.2, 7.3). */
		reason = atoi(why);
		if (reason == 0)
			reason = OCSP_REVOKED_STATUS_NOSTATUS;
		if ((revtime = ASN1_TIME_set(NULL,
		    (time_t)strtoll(at, NULL, 10))) == NULL) {
			er = RA_ECRYPTO;
			goto out;
		}
	} else if (state != NULL && strcmp(state, "issued") == 0)
		status = V_OCSP_CERTSTATUS_GOOD;
	/* 'reserved': a serial being signed is not a certificate yet. */
add:
	if (OCSP_basic_add1_status(bs, cid, status, reason, revtime, thisupd,
	    nextupd) == NULL)
		er = RA_ECRYPTO;
out:
	ASN1_TIME_free(revtime);
	OPENSSL_free(dec);
	BN_free(bn);
	PQclear(res);
	return er;
}

/* A response without a body: malformedRequest, unauthorized, ... */
static enum ra_err
status_only(int status, unsigned char **out, size_t *len)
{
	OCSP_RESPONSE	*resp;
	int		 n;

	*out = NULL;
	if ((resp = OCSP_response_create(status, NULL)) == NULL)
		return RA_ECRYPTO;
	n = i2d_OCSP_RESPONSE(resp, out);
	OCSP_RESPONSE_free(resp);
	if (n <= 0)
		return RA_ECRYPTO;
	*len = (size_t)n;
	return RA_OK;
}

/*
 * The DER OCSPResponse (OPENSSL_free) for the DER OCSPRequest "in", and
 * for how many seconds it may be cached (until nextUpdate; 0 for an
 * error response).  RA_OK whenever there is a response to send, error
 * responses included; an error is the service failing.
 */
enum ra_err
ra_ocsp_answer(const struct ra_conf *c, PGconn *db, const unsigned char *in,
    size_t inlen, unsigned char **out, size_t *outlen, long *maxage)
{
	const unsigned char	*p = in;
	OCSP_REQUEST		*req = NULL;
	OCSP_BASICRESP		*bs = NULL;
	OCSP_RESPONSE		*resp = NULL;
	OCSP_CERTID		*cid;
	struct ocsp_ca		*cas = NULL;
	const struct ocsp_ca	*first;
	ASN1_TIME		*thisupd = NULL, *nextupd = NULL;
	X509			*scert = NULL;
	EVP_PKEY		*skey = NULL;
	STACK_OF(X509)		*chain = NULL;
	size_t			 ncas = 0;
	time_t			 now = time(NULL);
	int			 i, n, hours;
	enum ra_err		 er;

	*out = NULL;
	*outlen = 0;
	*maxage = 0;
	if ((hours = ra_conf_int(c, "Ocsp.NextUpdateHours",
	    OCSP_NEXT_HOURS)) < OCSP_NEXT_HOURS || hours > 168)
		hours = OCSP_NEXT_HOURS;
	if (inlen > LONG_MAX ||
	    (req = d2i_OCSP_REQUEST(NULL, &p, (long)inlen)) == NULL ||
	    p != in + inlen || (n = OCSP_request_onereq_count(req)) < 1 ||
	    n > OCSP_MAX_IDS) {
		ERR_clear_error();
		er = status_only(OCSP_RESPONSE_STATUS_MALFORMEDREQUEST, out,
		    outlen);
		goto out;
	}
	if (db == NULL) {
		er = status_only(OCSP_RESPONSE_STATUS_TRYLATER, out, outlen);
		goto out;
	}
	/* The database failing is tryLater to the client (logged above). */
	if (cas_load(db, &cas, &ncas) != RA_OK) {
		er = status_only(OCSP_RESPONSE_STATUS_TRYLATER, out, outlen);
		goto out;
	}
	cid = OCSP_onereq_get0_id(OCSP_request_onereq_get0(req, 0));
	if ((first = ca_of(cas, ncas, cid)) == NULL) {
		er = status_only(OCSP_RESPONSE_STATUS_UNAUTHORIZED, out,
		    outlen);
		goto out;
	}
	if (signer_load(c, db, first->ca_id, &scert, &skey) != RA_OK) {
		er = status_only(OCSP_RESPONSE_STATUS_TRYLATER, out, outlen);
		goto out;
	}
	er = RA_ECRYPTO;
	if ((bs = OCSP_BASICRESP_new()) == NULL ||
	    (thisupd = ASN1_TIME_set(NULL, now)) == NULL ||
	    (nextupd = ASN1_TIME_set(NULL, now + (time_t)hours * 3600)) ==
	    NULL)
		goto out;
	for (i = 0; i < n; i++) {
		cid = OCSP_onereq_get0_id(OCSP_request_onereq_get0(req, i));
		/* Only the signer's CA is answered for; others: unknown. */
		if (add_status(db, bs, cid, ca_of(cas, ncas, cid) == first ?
		    first : NULL, thisupd, nextupd) != RA_OK) {
			er = status_only(OCSP_RESPONSE_STATUS_TRYLATER, out,
			    outlen);
			goto out;
		}
	}
	/* The CA's certificate too, so a client finds the signer's issuer. */
	er = RA_ECRYPTO;
	if ((chain = sk_X509_new_null()) == NULL ||
	    !sk_X509_push(chain, first->cert))
		goto out;
	/* 1: echoed, 2: there was none; RFC 8954 leaves it optional. */
	if (OCSP_copy_nonce(bs, req) <= 0 ||
	    !OCSP_basic_sign(bs, scert, skey, EVP_sha256(), chain,
	    OCSP_RESPID_KEY) ||
	    (resp = OCSP_response_create(OCSP_RESPONSE_STATUS_SUCCESSFUL,
	    bs)) == NULL ||
	    (n = i2d_OCSP_RESPONSE(resp, out)) <= 0) {
		ocsp_ssl_warn("response");
		goto out;
	}
	*outlen = (size_t)n;
	*maxage = (long)hours * 3600;
	er = RA_OK;
out:
	sk_X509_free(chain);	/* the certificate is cas[]'s */
	ASN1_TIME_free(thisupd);
	ASN1_TIME_free(nextupd);
	OCSP_RESPONSE_free(resp);
	OCSP_BASICRESP_free(bs);
	OCSP_REQUEST_free(req);
	X509_free(scert);
	EVP_PKEY_free(skey);
	cas_free(cas, ncas);
	return er;
}
