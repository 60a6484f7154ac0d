/*
 * ocspreq.c: the OCSP responder asks for its delegated signers (the ocsp
 * zone only; "ocsp.cgi signer-request", cron).  For each issuing CA (a
 * retired one too, until it ends: its certificates are still asked about)
 * whose newest signer ends within Ocsp.RenewDays, or that has none, it
 * makes a P-256 key pair in Ocsp.KeyDir (mode 0400, the Unix user ra-ocsp
 * alone reads it) and puts a PKCS#10 request for it into
 * ra.ocsp_signer; the worker signs it ("worker.cgi ocsp-signers") and the
 * responder takes the certificate from the same row.  The private key
 * never leaves this zone, nor passes through the database.
 *
 * At most one request waits per CA (a unique index): a second run, or two
 * at once, adds none, and the key made for a refused row is deleted.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>

#include "ra.h"
#include "domain.h"

#define OCSP_RENEW_DAYS		2	/* Ocsp.RenewDays default */

/* The CAs that need a signer now: none valid long enough, none waiting. */
#define SQL_DUE \
	"SELECT ca.ca_id FROM ra.ca " \
	"WHERE ca.role = 'issuing' AND ca.not_after > now() " \
	"  AND NOT EXISTS (" \
	"    SELECT 1 FROM ra.ocsp_signer s WHERE s.ca_id = ca.ca_id " \
	"      AND (s.cert_der IS NULL OR " \
	"           s.not_after > now() + make_interval(days => $1::int))) " \
	"ORDER BY ca.ca_id"

#define SQL_INSERT \
	"INSERT INTO ra.ocsp_signer (ca_id, key_name, csr_der) " \
	"VALUES ($1, $2, $3) RETURNING signer_id"

/* A new key pair and its PKCS#10 request (DER, OPENSSL_free). */
static enum ra_err
make_csr(EVP_PKEY **key, unsigned char **der, size_t *len)
{
	X509_REQ	*req = NULL;
	X509_NAME	*name = NULL;
	int		 n;
	enum ra_err	 er = RA_ECRYPTO;

	*der = NULL;
	/* The worker names the certificate; the CSR's name is a label. */
	if ((*key = EVP_EC_gen("P-256")) == NULL ||
	    (req = X509_REQ_new()) == NULL ||
	    (name = X509_NAME_new()) == NULL ||
	    !X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
	    (const unsigned char *)"ra OCSP signer", -1, -1, 0) ||
	    !X509_REQ_set_subject_name(req, name) ||
	    !X509_REQ_set_pubkey(req, *key) ||
	    X509_REQ_sign(req, *key, EVP_sha256()) <= 0 ||
	    (n = i2d_X509_REQ(req, der)) <= 0)
		goto out;
	*len = (size_t)n;
	er = RA_OK;
out:
	if (er != RA_OK)
		ra_warnx("ocsp: a signer key and request could not be made: %s",
		    ERR_reason_error_string(ERR_get_error()));
	X509_NAME_free(name);
	X509_REQ_free(req);
	return er;
}

/* Write "key" as PEM to "path", mode 0400. */
static enum ra_err
write_key(const char *path, EVP_PKEY *key)
{
	BIO		*b;
	char		*pem;
	long		 n;
	enum ra_err	 er = RA_ECRYPTO;

	if ((b = BIO_new(BIO_s_mem())) == NULL)
		return RA_ENOMEM;
	if (PEM_write_bio_PrivateKey(b, key, NULL, NULL, 0, NULL, NULL) &&
	    (n = BIO_get_mem_data(b, &pem)) > 0)
		er = ra_write_atomic(path, pem, (size_t)n, 0400);
	BIO_free(b);
	return er;
}

/* One CA's request: key file first, then the row; no row, no file. */
static enum ra_err
request_one(PGconn *db, const char *dir, int64_t ca_id, FILE *log)
{
	EVP_PKEY	*key = NULL;
	unsigned char	*csr = NULL, rnd[6];
	char		 name[64], path[PATH_MAX];
	size_t		 len = 0;
	int64_t		 id;
	enum ra_err	 er;

	if (RAND_bytes(rnd, sizeof(rnd)) != 1)
		return RA_ECRYPTO;
	snprintf(name, sizeof(name), "ca%lld-%lld-%02x%02x%02x%02x%02x%02x",
	    (long long)ca_id, (long long)time(NULL), rnd[0], rnd[1], rnd[2],
	    rnd[3], rnd[4], rnd[5]);
	if ((size_t)snprintf(path, sizeof(path), "%s/%s.key", dir, name) >=
	    sizeof(path))
		return RA_ECONF;
	if ((er = make_csr(&key, &csr, &len)) != RA_OK ||
	    (er = write_key(path, key)) != RA_OK)
		goto out;
	er = ra_db_run_i64(db, "OCSP signer request", SQL_INSERT, "signer_id",
	    &id, RA_ARGS(RA_INT(ca_id), RA_TEXT(name), RA_BYTES(csr, len)));
	if (er != RA_OK) {
		if (unlink(path) != 0)
			ra_warnx("ocsp: %s: %s", path, strerror(errno));
		if (er == RA_EDUP) {	/* another run was first: fine */
			fprintf(log, "CA %lld: a signer request is already "
			    "waiting\n", (long long)ca_id);
			er = RA_OK;
		}
		goto out;
	}
	fprintf(log, "CA %lld: signer request %lld (key %s)\n",
	    (long long)ca_id, (long long)id, path);
out:
	OPENSSL_free(csr);
	EVP_PKEY_free(key);
	return er;
}

/*
 * Ask for a signer for every CA that needs one; one CA failing does not
 * stop the others.  Reports on "log".
 */
enum ra_err
ra_ocsp_signer_request(const struct ra_conf *c, PGconn *db, FILE *log)
{
	PGresult	*res = NULL;
	const char	*dir = ra_conf_get(c, "Ocsp.KeyDir");
	int64_t		 ca_id;
	int		 i, days;
	enum ra_err	 er, first = RA_OK;

	if (dir == NULL) {
		ra_warnx("config %s: Ocsp.KeyDir is not set", c->path);
		return RA_ECONF;
	}
	if ((days = ra_conf_int(c, "Ocsp.RenewDays", OCSP_RENEW_DAYS)) < 0 ||
	    days > 365)
		days = OCSP_RENEW_DAYS;
	if ((er = ra_db_run(db, "OCSP signers due", SQL_DUE, &res,
	    RA_ARGS(RA_INT(days)))) != RA_OK)
		return er;
	if (PQntuples(res) == 0)
		fprintf(log, "every CA has a signer valid for more than %d "
		    "day(s)\n", days);
	for (i = 0; i < PQntuples(res); i++)
		if ((er = ra_get_i64(res, i, "ca_id", &ca_id)) != RA_OK ||
		    (er = request_one(db, dir, ca_id, log)) != RA_OK) {
			if (first == RA_OK)
				first = er;
		}
	PQclear(res);
	return first;
}
