/*
 * acme-cert.c: the certificate of a valid order (RFC 8555 7.4.2: the
 * leaf and the issuing CA certificates, not the root) for the account
 * that ordered it, and revokeCert (7.6) by that account or by the
 * certificate's own key: the officer's revocation (lib/revoke.c), so
 * the next CRL and the OCSP responder show it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/pem.h>
#include <openssl/x509.h>

#include "ra.h"
#include "domain.h"
#include "acme.h"

static const char SQL_CERT[] =
    "SELECT c.der, c.ca_id, o.account_id FROM ra.certificate c"
    "  JOIN ra.acme_order o ON o.request_id = c.request_id"
    " WHERE c.cert_id = $1::bigint AND c.state = 'issued'";
static const char SQL_REVOKE_PAYLOAD[] =
    "SELECT p->>'certificate' AS cert,"
    "       coalesce(pg_catalog.jsonb_typeof(p->'reason'), 'number') = 'number'"
    "         AS reason_ok, p->>'reason' AS reason"
    "  FROM (SELECT ra.acme_json($1) AS p) v"
    " WHERE pg_catalog.jsonb_typeof(p->'certificate') = 'string'";
static const char SQL_BY_DER[] =
    "SELECT c.cert_id, c.serial::text AS serial, c.ca_id, c.institution_id,"
    "       coalesce(o.account_id, 0) AS account_id"
    "  FROM ra.certificate c"
    "  LEFT JOIN ra.acme_order o ON o.request_id = c.request_id"
    " WHERE c.der = $1::bytea AND c.state = 'issued' AND c.kind = 'server'";

/* Append the PEM of "crt" to "b". */
static int
pem_add(BIO *b, X509 *crt)
{
	return PEM_write_bio_X509(b, crt) == 1;
}

/* POST-as-GET /cert/ID: application/pem-certificate-chain. */
int
acme_cert(struct acme *a, int64_t id)
{
	PGresult		*res = NULL;
	STACK_OF(X509)		*chain = NULL;
	X509			*leaf = NULL, *c;
	BIO			*b = NULL;
	unsigned char		*der = NULL;
	const unsigned char	*p;
	char			*mem;
	size_t			 len;
	long			 n;
	int64_t			 owner = 0, ca = 0;
	int			 i, ok = 0;
	enum ra_err		 er;

	if (!acme_jws(a, ACME_KID))
		return 0;
	if (!acme_payload_empty(a))
		return acme_problem(a, ACME_P_MALFORMED, "a certificate is "
		    "fetched by POST-as-GET");
	if ((er = ra_db_run(a->db, "certificate", SQL_CERT, &res,
	    RA_ARGS(RA_INT(id)))) != RA_OK) {
		PQclear(res);
		return acme_fail(a, er);
	}
	if (PQntuples(res) != 1 ||
	    ra_get_i64(res, 0, "account_id", &owner) != RA_OK ||
	    owner != a->account_id) {
		ok = acme_problem(a, ACME_P_NOTFOUND, "no certificate %lld of "
		    "this account", (long long)id);
		goto out;
	}
	if (ra_get_i64(res, 0, "ca_id", &ca) != RA_OK ||
	    ra_get_bytea(res, 0, "der", &der, &len) != RA_OK ||
	    (p = der, leaf = d2i_X509(NULL, &p, (long)len)) == NULL ||
	    ra_chain_load(a->db, ca, &chain) != RA_OK ||
	    (b = BIO_new(BIO_s_mem())) == NULL || !pem_add(b, leaf)) {
		ok = acme_problem(a, ACME_P_INTERNAL, "the certificate or its "
		    "chain could not be read");
		goto out;
	}
	for (i = 0; i < sk_X509_num(chain); i++) {
		c = sk_X509_value(chain, i);
		/* The root is the client's own trust anchor. */
		if (X509_NAME_cmp(X509_get_subject_name(c),
		    X509_get_issuer_name(c)) == 0)
			continue;
		if (!pem_add(b, c)) {
			ok = acme_problem(a, ACME_P_INTERNAL, "out of memory");
			goto out;
		}
	}
	if ((n = BIO_get_mem_data(b, &mem)) <= 0 ||
	    (a->out = strndup(mem, (size_t)n)) == NULL) {
		ok = acme_problem(a, ACME_P_INTERNAL, "out of memory");
		goto out;
	}
	a->outlen = (size_t)n;
	a->status = 200;
	a->ctype = "application/pem-certificate-chain";
	a->done = 1;
	(void)ra_cert_retrieved(a->db, id);
	acme_audit(a, "acme.cert.download", "ok", NULL, "certificate chain");
	ok = 1;
out:
	PQclear(res);
	if (der != NULL)
		PQfreemem(der);
	X509_free(leaf);
	sk_X509_pop_free(chain, X509_free);
	BIO_free(b);
	return ok;
}

/* The reason as sent, 0 when absent; -1 when it is not a small integer. */
static int
reason_of(const PGresult *res)
{
	const char	*r = acme_col(res, "reason");

	if (strcmp(acme_col(res, "reason_ok"), "t") != 0)
		return -1;
	if (r == NULL)
		return 0;
	if (strlen(r) == 0 || strlen(r) > 2 || strspn(r, "0123456789") !=
	    strlen(r))
		return -1;
	return atoi(r);
}

/* revokeCert (RFC 8555 7.6). */
int
acme_revoke(struct acme *a)
{
	PGresult		*pl = NULL, *res = NULL;
	struct ra_revoke	 rv;
	X509			*crt = NULL;
	unsigned char		*der = NULL;
	const unsigned char	*p;
	const char		*b64;
	char			 why[256], comment[96], actor[64];
	size_t			 len;
	int64_t			 owner = 0;
	int			 reason, ok = 0;
	enum ra_err		 er;

	if (!acme_jws(a, ACME_EITHER))
		return 0;
	if (ra_db_run(a->db, "revoke payload", SQL_REVOKE_PAYLOAD, &pl,
	    RA_ARGS(RA_TEXT(a->payload))) != RA_OK || PQntuples(pl) != 1) {
		ok = acme_problem(a, ACME_P_MALFORMED, "the payload has no "
		    "certificate");
		goto out;
	}
	if ((reason = reason_of(pl)) < 0) {
		ok = acme_problem(a, ACME_P_BADREASON, "reason must be an "
		    "RFC 5280 reason code");
		goto out;
	}
	b64 = acme_col(pl, "cert");
	if (acme_b64u_decode(b64, strlen(b64), &der, &len) != RA_OK ||
	    (p = der, crt = d2i_X509(NULL, &p, (long)len)) == NULL ||
	    p != der + len) {
		ok = acme_problem(a, ACME_P_MALFORMED, "certificate is not "
		    "base64url DER");
		goto out;
	}
	if ((er = ra_db_run(a->db, "certificate", SQL_BY_DER, &res,
	    RA_ARGS(RA_BYTES(der, len)))) != RA_OK) {
		ok = acme_fail(a, er);
		goto out;
	}
	if (PQntuples(res) != 1) {
		ok = acme_problem(a, ACME_P_NOTFOUND, "not a certificate this "
		    "server issued");
		goto out;
	}
	(void)ra_get_i64(res, 0, "account_id", &owner);
	if (a->account_id == 0)
		(void)ra_get_i64(res, 0, "institution_id", &a->institution_id);
	if (a->account_id != 0 ? owner != a->account_id :
	    EVP_PKEY_eq(X509_get0_pubkey(crt), a->key) != 1) {
		ok = acme_problem(a, ACME_P_UNAUTHORIZED, a->account_id != 0 ?
		    "this account did not order the certificate" :
		    "the JWS key is not the certificate's key");
		goto out;
	}
	snprintf(comment, sizeof(comment), a->account_id != 0 ?
	    "ACME revokeCert by account %lld" : "ACME revokeCert by the "
	    "certificate's key%.0lld", (long long)a->account_id);
	snprintf(actor, sizeof(actor), "acme:account:%lld",
	    (long long)a->account_id);
	memset(&rv, 0, sizeof(rv));
	rv.serial = ra_get_text(res, 0, "serial");
	(void)ra_get_i64(res, 0, "ca_id", &rv.ca_id);
	rv.reason = reason;
	rv.comment = comment;
	rv.actor = a->account_id != 0 ? actor : "acme:certificate-key";
	if ((er = ra_db_begin(a->db)) != RA_OK) {
		ok = acme_fail(a, er);
		goto out;
	}
	er = ra_revoke(a->db, &rv, why, sizeof(why));
	if (er == RA_EPOLICY || er == RA_EINPUT)
		ok = acme_problem(a, ACME_P_BADREASON, "%s", why);
	else if (er == RA_EDUP)
		ok = acme_problem(a, ACME_P_REVOKED, "%s", why);
	else if (er == RA_ENOTFOUND)
		ok = acme_problem(a, ACME_P_NOTFOUND, "%s", why);
	else if (er != RA_OK)
		ok = acme_fail(a, er);
	else {
		snprintf(why, sizeof(why), "serial %s, reason %d", rv.serial,
		    reason);
		acme_audit(a, "acme.revoke", "ok", NULL, why);
		if ((er = ra_db_commit(a->db)) != RA_OK)
			ok = acme_fail(a, er);
		else
			ok = acme_answer(a, 200, "");
	}
out:
	PQclear(pl);
	PQclear(res);
	X509_free(crt);
	free(der);
	return ok;
}
