/*
 * crl.c: one CRL per CA whose key the worker holds.  The entries come
 * from one index range scan (ra.revocation by CA, expired certificates
 * skipped); the CRL number is the CA's last plus one, under a per-CA
 * advisory lock, recorded with the CRL in the same transaction; the file
 * is published only after that commit, by rename, so a published number
 * is never reused or seen half-written.  Cron asks for the due ones only
 * (crl_due), so running it hourly, twice or at once costs nothing.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/bn.h>
#include <openssl/x509v3.h>

#include "ra.h"
#include "domain.h"
#include "ca.h"

/*
 * Serialises CRL builders of one CA: a session lock taken before the
 * transaction, so the second builder's snapshot sees the first one's CRL
 * (and its --due check finds nothing due) instead of colliding on its
 * number.
 */
static const char SQL_CA_LOCK[] =
    "SELECT pg_catalog.pg_advisory_lock(7262, $1::integer)";
static const char SQL_CA_UNLOCK[] =
    "SELECT pg_catalog.pg_advisory_unlock(7262, $1::integer)";
/*
 * A CRL is due when the CA has none, when a revocation is in none yet
 * (so an hourly cron lists it within the hour; BR 4.9.7 allows 24 h),
 * when the last is $2 hours old, or when its nextUpdate is near.
 */
static const char SQL_DUE[] =
    "SELECT l.crl_number IS NULL"
    "    OR l.this_update <= pg_catalog.now() -"
    "       pg_catalog.make_interval(hours => $2::integer)"
    "    OR l.next_update <= pg_catalog.now() + interval '2 hours'"
    "    OR EXISTS (SELECT 1 FROM ra.revocation v"
    "                WHERE v.ca_id = $1::bigint"
    "                  AND v.not_after > pg_catalog.now()"
    "                  AND v.crl_number IS NULL),"
    "       coalesce(l.crl_number, 0)"
    "  FROM (SELECT 1) AS o"
    "  LEFT JOIN LATERAL (SELECT crl_number, this_update, next_update"
    "                       FROM ra.crl WHERE ca_id = $1::bigint"
    "                      ORDER BY crl_number DESC LIMIT 1) AS l ON true";
static const char SQL_NEXT[] =
    "SELECT coalesce(max(crl_number), 0) + 1,"
    "       extract(epoch FROM date_trunc('second', pg_catalog.now()))::bigint"
    "  FROM ra.crl WHERE ca_id = $1::bigint";
static const char SQL_ENTRIES[] =
    "SELECT serial::text, extract(epoch FROM revoked_at)::bigint, reason"
    "  FROM ra.revocation"
    " WHERE ca_id = $1::bigint AND not_after > pg_catalog.now()";
static const char SQL_ENTRIES_LISTED[] =
    "UPDATE ra.revocation SET crl_number = $2::bigint"
    " WHERE ca_id = $1::bigint AND not_after > pg_catalog.now()"
    "   AND crl_number IS NULL";
static const char SQL_CRL_ADD[] =
    "INSERT INTO ra.crl (ca_id, crl_number, this_update, next_update,"
    "  entries, der)"
    " VALUES ($1::bigint, $2::bigint, pg_catalog.to_timestamp($3::bigint),"
    "  pg_catalog.to_timestamp($4::bigint), $5::integer, $6::bytea)";

/*
 * One entry; also bench/mkcrl's, so that its raw baseline builds the very
 * CRL ra does.
 */
int
ra_crl_entry(X509_CRL *crl, const char *serial_dec, time_t when, int reason)
{
	X509_REVOKED		*rev = NULL;
	ASN1_INTEGER		*sn = NULL;
	ASN1_TIME		*t = NULL;
	ASN1_ENUMERATED		*rc = NULL;
	BIGNUM			*bn = NULL;
	int			 ok = 0;

	if ((rev = X509_REVOKED_new()) == NULL || !BN_dec2bn(&bn, serial_dec) ||
	    (sn = BN_to_ASN1_INTEGER(bn, NULL)) == NULL ||
	    !X509_REVOKED_set_serialNumber(rev, sn) ||
	    (t = ASN1_TIME_set(NULL, when)) == NULL ||
	    !X509_REVOKED_set_revocationDate(rev, t))
		goto out;
	/* RFC 5280 5.3.1: unspecified (0) is left out rather than stated. */
	if (reason != 0 && ((rc = ASN1_ENUMERATED_new()) == NULL ||
	    !ASN1_ENUMERATED_set(rc, reason) ||
	    !X509_REVOKED_add1_ext_i2d(rev, NID_crl_reason, rc, 0, 0)))
		goto out;
	if (!X509_CRL_add0_revoked(crl, rev))
		goto out;
	rev = NULL;
	ok = 1;
out:
	ASN1_ENUMERATED_free(rc);
	ASN1_TIME_free(t);
	ASN1_INTEGER_free(sn);
	BN_free(bn);
	X509_REVOKED_free(rev);
	return ok;
}

/* The CRL's own extensions: CRL number and authority key identifier. */
int
ra_crl_exts(X509_CRL *crl, X509 *ca, long long number)
{
	X509V3_CTX	 ctx;
	X509_EXTENSION	*ext;
	ASN1_INTEGER	*num;
	int		 ok;

	if ((num = ASN1_INTEGER_new()) == NULL ||
	    !ASN1_INTEGER_set_int64(num, number) ||
	    !X509_CRL_add1_ext_i2d(crl, NID_crl_number, num, 0, 0)) {
		ASN1_INTEGER_free(num);
		return 0;
	}
	ASN1_INTEGER_free(num);
	X509V3_set_ctx(&ctx, ca, NULL, NULL, crl, 0);
	if ((ext = X509V3_EXT_conf_nid(NULL, &ctx,
	    NID_authority_key_identifier, "keyid:always")) == NULL)
		return 0;
	ok = X509_CRL_add_ext(crl, ext, -1);
	X509_EXTENSION_free(ext);
	return ok;
}

/*
 * Whether CA "ca" (ca_id text) owes a CRL, "age" hours being the most a
 * CRL may age; inside the builder's transaction, under its lock.
 */
static enum ra_err
crl_due(PGconn *db, const char *ca, int age, int *due, long long *last)
{
	PGresult	*res = NULL;
	const char	*param[2];
	char		 h[16];
	enum ra_err	 er;

	snprintf(h, sizeof(h), "%d", age);
	param[0] = ca;
	param[1] = h;
	if ((er = ra_db_query(db, "CRL due", SQL_DUE, 2, param, &res)) !=
	    RA_OK)
		return er;
	*due = strcmp(PQgetvalue(res, 0, 0), "t") == 0;
	*last = strtoll(PQgetvalue(res, 0, 1), NULL, 10);
	PQclear(res);
	return RA_OK;
}

/*
 * Build, record and publish the CRL of "sg" into "dir"/<slug>.crl (DER),
 * valid for "hours".  With "due" > 0, only when one is due (crl_due, a
 * CRL "due" hours old being due); else always.  Reports "CA: CRL #n, m
 * entries" or "CA: CRL #n is current" on "log".
 */
enum ra_err
ra_crl_publish(PGconn *db, const struct ra_signer *sg, const char *dir,
    int hours, int due, FILE *log)
{
	PGresult	*res = NULL;
	X509_CRL	*crl = NULL;
	ASN1_TIME	*t = NULL;
	unsigned char	*der = NULL;
	const char	*param[6];
	char		 ca[24], num[24], tu[24], nu[24], cnt[16], path[4096],
			 tmp[4200] = "", *hex = NULL;
	long long	 number = 0, last;
	time_t		 now, next;
	int		 i, n, entries = 0, owed;
	enum ra_err	 er;

	snprintf(ca, sizeof(ca), "%lld", (long long)ra_signer_ca(sg)->ca_id);
	param[0] = ca;
	if ((er = ra_db_command(db, "CRL lock", SQL_CA_LOCK, 1, param)) !=
	    RA_OK)
		return er;
	/* One snapshot for the entries and for marking them listed. */
	if ((er = ra_db_command(db, "begin", "BEGIN ISOLATION LEVEL "
	    "REPEATABLE READ", 0, NULL)) != RA_OK)
		goto out;
	if (due > 0) {
		if ((er = crl_due(db, ca, due, &owed, &last)) != RA_OK)
			goto out;
		if (!owed) {
			fprintf(log, "%s: CRL #%lld is current\n",
			    ra_signer_ca(sg)->name, last);
			goto out;
		}
	}
	if ((er = ra_db_query(db, "CRL number", SQL_NEXT, 1, param, &res)) !=
	    RA_OK)
		goto out;
	number = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	now = (time_t)strtoll(PQgetvalue(res, 0, 1), NULL, 10);
	next = now + (time_t)hours * 3600;
	PQclear(res);
	res = NULL;
	er = RA_ECRYPTO;
	if ((crl = X509_CRL_new()) == NULL ||
	    !X509_CRL_set_version(crl, X509_CRL_VERSION_2) ||
	    !X509_CRL_set_issuer_name(crl, X509_get_subject_name(ra_signer_ca(sg)->cert)) ||
	    (t = ASN1_TIME_set(NULL, now)) == NULL ||
	    !X509_CRL_set1_lastUpdate(crl, t) ||
	    ASN1_TIME_set(t, next) == NULL ||
	    !X509_CRL_set1_nextUpdate(crl, t) ||
	    !ra_crl_exts(crl, ra_signer_ca(sg)->cert, number))
		goto out;
	if ((er = ra_db_query(db, "CRL entries", SQL_ENTRIES, 1, param, &res)) !=
	    RA_OK)
		goto out;
	entries = PQntuples(res);
	for (i = 0; i < entries; i++)
		if (!ra_crl_entry(crl, PQgetvalue(res, i, 0),
		    (time_t)strtoll(PQgetvalue(res, i, 1), NULL, 10),
		    atoi(PQgetvalue(res, i, 2)))) {
			er = RA_ECRYPTO;
			goto out;
		}
	PQclear(res);
	res = NULL;
	er = RA_ECRYPTO;
	if (!X509_CRL_sort(crl) ||
	    ra_signer_sign_crl(sg, crl) <= 0 ||
	    (n = i2d_X509_CRL(crl, &der)) <= 0)
		goto out;
	if ((hex = ra_bytea_hex(der, (size_t)n)) == NULL) {
		er = RA_ENOMEM;
		goto out;
	}
	snprintf(num, sizeof(num), "%lld", number);
	snprintf(tu, sizeof(tu), "%lld", (long long)now);
	snprintf(nu, sizeof(nu), "%lld", (long long)next);
	snprintf(cnt, sizeof(cnt), "%d", entries);
	param[1] = num;
	param[2] = tu;
	param[3] = nu;
	param[4] = cnt;
	param[5] = hex;
	if ((size_t)snprintf(path, sizeof(path), "%s/%s.crl", dir, ra_signer_ca(sg)->slug) >=
	    sizeof(path)) {
		er = RA_ECONF;
		goto out;
	}
	/*
	 * The file is written before the commit and renamed after it: a
	 * full disk fails here, nothing is marked listed, and the next run
	 * publishes the revocations still due; the old CRL stays in place.
	 */
	if ((er = ra_write_stage(path, der, (size_t)n, 0644, tmp,
	    sizeof(tmp))) != RA_OK) {
		/* The line an operator greps the cron mail for: which CA. */
		ra_warnx("%s: CRL #%lld not published; the last one stays in "
		    "place and its revocations stay due", ra_signer_ca(sg)->name,
		    number);
		goto out;
	}
	if ((er = ra_db_command(db, "record CRL", SQL_CRL_ADD, 6, param)) !=
	    RA_OK ||
	    (er = ra_db_command(db, "mark listed", SQL_ENTRIES_LISTED, 2,
	    param)) != RA_OK ||
	    (er = ra_db_commit(db)) != RA_OK)
		goto out;
	if ((er = ra_write_publish(tmp, path)) != RA_OK)
		ra_warnx("%s: CRL #%lld recorded but not renamed into place",
		    ra_signer_ca(sg)->name, number);
	else
		fprintf(log, "%s: CRL #%lld, %d entries, %s\n", ra_signer_ca(sg)->name,
		    number, entries, path);
out:
	ra_write_discard(tmp);
	if (er == RA_ECRYPTO)
		ra_warnx("CRL of %s could not be built", ra_signer_ca(sg)->name);
	ra_db_rollback(db);
	(void)ra_db_command(db, "CRL unlock", SQL_CA_UNLOCK, 1, param);
	PQclear(res);
	ASN1_TIME_free(t);
	X509_CRL_free(crl);
	OPENSSL_free(der);
	free(hex);
	return er;
}
