/*
 * audit.c: the audit log.  Rows are appended through ra_audit(); the
 * database numbers and chains them (schema 001, ra.audit_chain) and
 * refuses any change.  ra_audit_verify recomputes the chain here, in C,
 * from the rows' canonical text, and names the first row that is wrong.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "ra.h"

#define FETCH_ROWS	"1000"

static const char SQL_AUDIT[] =
    "INSERT INTO ra.audit (event, outcome, actor, institution_id, officer_id,"
    "  source_ip, cert_issuer, cert_serial, cert_subject, detail)"
    " VALUES ($1, $2, $3, nullif($4, '0')::bigint, nullif($5, '0')::bigint,"
    "  $6::inet, $7, $8::numeric, $9, coalesce($10::jsonb, '{}'))";

static const char SQL_CURSOR[] =
    "DECLARE audit_rows NO SCROLL CURSOR FOR"
    " SELECT audit_id, prev_sha256, row_sha256,"
    "        pg_catalog.convert_to(ra.audit_canonical(a), 'UTF8')"
    "   FROM ra.audit a ORDER BY audit_id";
static const char SQL_FETCH[] = "FETCH " FETCH_ROWS " FROM audit_rows";
static const char SQL_HEAD[] =
    "SELECT last_id, last_sha256 FROM ra.audit_head";

/* Append one event; inside the caller's transaction if one is open. */
enum ra_err
ra_audit(PGconn *db, const struct ra_event *ev)
{
	const char	*param[10];
	char		 inst[24], off[24], actor[40];

	snprintf(inst, sizeof(inst), "%lld", (long long)ev->institution_id);
	snprintf(off, sizeof(off), "%lld", (long long)ev->officer_id);
	snprintf(actor, sizeof(actor), "officer:%lld",
	    (long long)ev->officer_id);
	param[0] = ev->event;
	param[1] = ev->outcome;
	param[2] = ev->actor != NULL || ev->officer_id == 0 ? ev->actor : actor;
	param[3] = inst;
	param[4] = off;
	param[5] = ev->source_ip;
	param[6] = ev->cert_issuer;
	param[7] = ev->cert_serial;
	param[8] = ev->cert_subject;
	param[9] = ev->detail;
	return ra_db_command(db, "audit", SQL_AUDIT, 10, param);
}

static int
bytes_eq(const PGresult *res, int row, int col, const unsigned char *want)
{
	unsigned char	*b;
	size_t		 n;
	int		 eq;

	if (ra_bytea_get(res, row, col, &b, &n) != RA_OK)
		return 0;
	eq = n == 32 && memcmp(b, want, 32) == 0;
	PQfreemem(b);
	return eq;
}

/*
 * Walk the whole chain in order: ids without gaps from 1, each row's
 * prev_sha256 the previous row's hash, each row_sha256 recomputed from
 * the canonical text, and the head at the last row.  Reports on "out";
 * RA_EPOLICY when the chain is broken.
 */
enum ra_err
ra_audit_verify(PGconn *db, FILE *out)
{
	PGresult	*res = NULL;
	unsigned char	 prev[32], *canon = NULL, buf[32 + 65536];
	size_t		 clen;
	long long	 id, expect = 1, n = 0;
	int		 i, rows;
	enum ra_err	 er;

	memset(prev, 0, sizeof(prev));
	if ((er = ra_db_command(db, "begin", "BEGIN ISOLATION LEVEL "
	    "REPEATABLE READ READ ONLY", 0, NULL)) != RA_OK ||
	    (er = ra_db_command(db, "audit cursor", SQL_CURSOR, 0, NULL)) !=
	    RA_OK)
		goto out;
	do {
		if ((er = ra_db_query(db, "audit rows", SQL_FETCH, 0, NULL,
		    &res)) != RA_OK)
			goto out;
		rows = PQntuples(res);
		for (i = 0; i < rows; i++, expect++, n++) {
			id = strtoll(PQgetvalue(res, i, 0), NULL, 10);
			if (id != expect) {
				fprintf(out, "audit chain broken at row %lld: "
				    "row %lld is missing\n", id, expect);
				er = RA_EPOLICY;
				goto out;
			}
			if (!bytes_eq(res, i, 1, prev)) {
				fprintf(out, "audit chain broken at row %lld: "
				    "it does not follow row %lld\n", id, id - 1);
				er = RA_EPOLICY;
				goto out;
			}
			if ((er = ra_bytea_get(res, i, 3, &canon, &clen)) !=
			    RA_OK)
				goto out;
			if (clen > sizeof(buf) - 32) {
				PQfreemem(canon);
				fprintf(out, "audit row %lld too long to check\n",
				    id);
				er = RA_EPOLICY;
				goto out;
			}
			memcpy(buf, prev, 32);
			memcpy(buf + 32, canon, clen);
			PQfreemem(canon);
			if (EVP_Digest(buf, 32 + clen, prev, NULL, EVP_sha256(),
			    NULL) != 1) {
				er = RA_ECRYPTO;
				goto out;
			}
			if (!bytes_eq(res, i, 2, prev)) {
				fprintf(out, "audit chain broken at row %lld: "
				    "its content does not match its hash\n", id);
				er = RA_EPOLICY;
				goto out;
			}
		}
		PQclear(res);
		res = NULL;
	} while (rows > 0);
	if ((er = ra_db_query(db, "audit head", SQL_HEAD, 0, NULL, &res)) !=
	    RA_OK)
		goto out;
	if (strtoll(PQgetvalue(res, 0, 0), NULL, 10) != n ||
	    !bytes_eq(res, 0, 1, prev)) {
		fprintf(out, "audit chain broken at row %lld: rows after it "
		    "were removed\n", n);
		er = RA_EPOLICY;
		goto out;
	}
	fprintf(out, "audit chain intact: %lld row(s)\n", n);
out:
	PQclear(res);
	ra_db_rollback(db);
	return er;
}
