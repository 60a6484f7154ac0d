/*
 * download.c: what a user takes away: the certificate with its chain, and
 * for server-made keys the PKCS#12, built now in the profile asked for.
 * The waiting key is deleted in the same transaction that builds it, so
 * it is handed out once; a wrong password rolls that back.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/objects.h>

#include "ra.h"
#include "domain.h"

static const char SQL_CHAIN[] =
    "WITH RECURSIVE chain AS ("
    "  SELECT ca_id, parent_ca_id, cert_der, 0 AS depth"
    "    FROM ra.ca WHERE ca_id = $1::bigint"
    "  UNION ALL"
    "  SELECT a.ca_id, a.parent_ca_id, a.cert_der, chain.depth + 1"
    "    FROM ra.ca a JOIN chain ON a.ca_id = chain.parent_ca_id"
    "   WHERE chain.depth < 8)"
    " SELECT cert_der FROM chain ORDER BY depth";
/* Taking is deleting: a wrong password rolls the delete back. */
static const char SQL_TAKE[] =
    "DELETE FROM ra.p12_pending p USING ra.certificate c"
    " WHERE p.cert_id = c.cert_id AND c.request_id = $1::bigint"
    "   AND c.state = 'issued' AND p.expires_at > pg_catalog.now()"
    " RETURNING p.enc_key, c.der, c.ca_id, c.cn, c.cert_id,"
    "       c.serial::text AS serial, c.institution_id,"
    "       coalesce(c.officer_id, 0) AS officer_id, c.subject_dn";
static const char SQL_RETRIEVED[] =
    "UPDATE ra.certificate SET retrieved_at = pg_catalog.now()"
    " WHERE cert_id = $1::bigint AND retrieved_at IS NULL";
static const char SQL_AUDIT_P12[] =
    "INSERT INTO ra.audit (event, outcome, actor, institution_id,"
    "  officer_id, cert_serial, cert_subject, detail)"
    " VALUES ('cert.download', 'ok', $1, $2::bigint, nullif($3, '0')::bigint,"
    "  $4::numeric, $5, pg_catalog.jsonb_build_object('format', 'pkcs12',"
    "  'profile', $6::text))";

/* The CA chain from "ca_id" up to its root; caller frees (sk_X509_pop_free). */
enum ra_err
ra_chain_load(PGconn *db, int64_t ca_id, STACK_OF(X509) **out)
{
	PGresult		*res = NULL;
	STACK_OF(X509)		*sk = NULL;
	const unsigned char	*p;
	unsigned char		*der;
	size_t			 len;
	const char		*param[1];
	char			 ca[24];
	X509			*crt;
	int			 i;
	enum ra_err		 er;

	*out = NULL;
	snprintf(ca, sizeof(ca), "%lld", (long long)ca_id);
	param[0] = ca;
	if ((er = ra_db_query(db, "CA chain", SQL_CHAIN, 1, param, &res)) !=
	    RA_OK)
		return er;
	if ((sk = sk_X509_new_null()) == NULL) {
		er = RA_ENOMEM;
		goto out;
	}
	for (i = 0; i < PQntuples(res); i++) {
		if ((er = ra_bytea_get(res, i, 0, &der, &len)) != RA_OK)
			goto out;
		p = der;
		crt = d2i_X509(NULL, &p, (long)len);
		PQfreemem(der);
		if (crt == NULL || !sk_X509_push(sk, crt)) {
			X509_free(crt);
			er = RA_ECRYPTO;
			goto out;
		}
	}
	*out = sk;
	sk = NULL;
out:
	sk_X509_pop_free(sk, X509_free);
	PQclear(res);
	return er;
}

/* The certificate was fetched: 取得待ち becomes 発行済み (once). */
enum ra_err
ra_cert_retrieved(PGconn *db, int64_t cert_id)
{
	return ra_db_run(db, "retrieved", SQL_RETRIEVED, NULL,
	    RA_ARGS(RA_INT(cert_id)));
}

static const char SQL_TAKE_URL[] =
    "SELECT * FROM ra.client_key_take($1, $2::bigint)";

/*
 * The PKCS#12 of the key "res" took (one row: enc_key, der, ca_id, cn,
 * cert_id, serial, institution_id, officer_id, subject_dn), under "pass"
 * (the password the key was stored under), in profile "prof".  On RA_OK
 * "*der" (OPENSSL_free) is the caller's and "serial" the certificate's;
 * the key is deleted in the caller's transaction, which the caller
 * commits once the file is delivered.  RA_ENOTFOUND: nothing is waiting
 * (never, expired, or taken); RA_EDENIED: wrong password.  On an error
 * the transaction is rolled back.
 */
static enum ra_err
p12_of_taken(PGconn *db, PGresult *res, const char *pass,
    enum ra_p12_profile prof, const char *actor, unsigned char **der,
    size_t *len, char serial[64])
{
	STACK_OF(X509)		*chain = NULL;
	EVP_PKEY		*key = NULL;
	X509			*crt = NULL;
	const unsigned char	*p;
	unsigned char		*enc = NULL, *cder = NULL;
	size_t			 enclen, cderlen;
	int64_t			 ca, cert;
	enum ra_err		 er;

	*der = NULL;
	if (PQntuples(res) != 1) {
		er = RA_ENOTFOUND;
		goto out;
	}
	if ((er = ra_get_bytea(res, 0, "enc_key", &enc, &enclen)) != RA_OK ||
	    (er = ra_get_bytea(res, 0, "der", &cder, &cderlen)) != RA_OK ||
	    (er = ra_get_i64(res, 0, "ca_id", &ca)) != RA_OK ||
	    (er = ra_get_i64(res, 0, "cert_id", &cert)) != RA_OK ||
	    (er = ra_key_decrypt(enc, enclen, pass, &key)) != RA_OK)
		goto out;
	p = cder;
	if ((crt = d2i_X509(NULL, &p, (long)cderlen)) == NULL) {
		er = RA_ECRYPTO;
		goto out;
	}
	if ((er = ra_chain_load(db, ca, &chain)) != RA_OK ||
	    (er = ra_p12_build(key, crt, chain, ra_get_text(res, 0, "cn"), pass,
	    prof, der, len)) != RA_OK ||
	    (er = ra_cert_retrieved(db, cert)) != RA_OK)
		goto out;
	if ((er = ra_db_run(db, "audit download", SQL_AUDIT_P12, NULL,
	    RA_ARGS(RA_TEXT(actor), RA_TEXT(ra_get_text(res, 0,
	    "institution_id")), RA_TEXT(ra_get_text(res, 0, "officer_id")),
	    RA_TEXT(ra_get_text(res, 0, "serial")),
	    RA_TEXT(ra_get_text(res, 0, "subject_dn")),
	    RA_TEXT(prof == RA_P12_LEGACY ? "legacy" : "modern")))) == RA_OK)
		snprintf(serial, 64, "%s", ra_get_text(res, 0, "serial"));
out:
	if (er != RA_OK) {
		OPENSSL_free(*der);
		*der = NULL;
		ra_db_rollback(db);
	}
	sk_X509_pop_free(chain, X509_free);
	X509_free(crt);
	EVP_PKEY_free(key);
	PQfreemem(enc);
	PQfreemem(cder);
	return er;
}

/* The waiting key of request "request_id" (an RA certificate's, a tool's). */
enum ra_err
ra_p12_take(PGconn *db, int64_t request_id, const char *pass,
    enum ra_p12_profile prof, const char *actor, unsigned char **der,
    size_t *len, char serial[64])
{
	PGresult	*res = NULL;
	enum ra_err	 er;

	*der = NULL;
	if ((er = ra_db_run(db, "take key", SQL_TAKE, &res,
	    RA_ARGS(RA_INT(request_id)))) == RA_OK)
		er = p12_of_taken(db, res, pass, prof, actor, der, len, serial);
	else
		ra_db_rollback(db);
	PQclear(res);
	return er;
}

/*
 * The waiting key of request "request_id" through the client URL "token"
 * (its certificate URL, or a bulk URL covering the request): the public
 * zone reaches no key but by a URL it was given.
 */
enum ra_err
ra_p12_take_url(PGconn *db, const char *token, int64_t request_id,
    const char *pass, enum ra_p12_profile prof, const char *actor,
    unsigned char **der, size_t *len, char serial[64])
{
	PGresult	*res = NULL;
	enum ra_err	 er;

	*der = NULL;
	if ((er = ra_db_run(db, "take key", SQL_TAKE_URL, &res,
	    RA_ARGS(RA_TEXT(token), RA_INT(request_id)))) == RA_OK)
		er = p12_of_taken(db, res, pass, prof, actor, der, len, serial);
	else
		ra_db_rollback(db);
	PQclear(res);
	return er;
}

static const char SQL_P12_EXPIRE[] =
    "DELETE FROM ra.p12_pending WHERE expires_at <= pg_catalog.now()";

/* Cron: server-made keys whose download time is over are deleted. */
enum ra_err
ra_p12_expire(PGconn *db, int64_t *deleted)
{
	PGresult	*res = NULL;
	enum ra_err	 er;

	*deleted = 0;
	if ((er = ra_db_query(db, "expire keys", SQL_P12_EXPIRE, 0, NULL,
	    &res)) == RA_OK)
		*deleted = strtoll(PQcmdTuples(res), NULL, 10);
	PQclear(res);
	return er;
}

static const char SQL_REQUEST_CERT[] =
    "SELECT der, ca_id, serial::text AS serial FROM ra.certificate"
    " WHERE request_id = $1::bigint AND state = 'issued'";

/*
 * The issued certificate of request "id" (DER, the caller's to
 * PQfreemem) and its CA; RA_ENOTFOUND while there is none.
 */
enum ra_err
ra_request_cert(PGconn *db, int64_t id, unsigned char **der, size_t *len,
    int64_t *ca_id)
{
	PGresult	*res = NULL;
	enum ra_err	 er;

	*der = NULL;
	*len = 0;
	if ((er = ra_db_run1(db, "certificate", SQL_REQUEST_CERT, &res,
	    RA_ARGS(RA_INT(id)))) == RA_OK &&
	    (er = ra_get_i64(res, 0, "ca_id", ca_id)) == RA_OK)
		er = ra_get_bytea(res, 0, "der", der, len);
	PQclear(res);
	return er;
}
