/*
 * revoke.c: revocation is one row (ra.revocation, keyed by certificate, so
 * it happens once); the CRL command publishes it.  And the status of a
 * certificate as an operator asks for it: "revoked, in CRL #n since ...".
 */
#include <stdlib.h>
#include <string.h>

#include "ra.h"
#include "domain.h"

static const char SQL_FIND[] =
    "SELECT c.cert_id, c.state, $3::smallint = ANY (k.revoke_reasons),"
    "       c.institution_id, a.subject_dn, c.subject_dn,"
    "       pg_catalog.array_to_string(k.revoke_reasons, ', ')"
    "  FROM ra.certificate c"
    "  JOIN ra.cert_kind k ON k.kind = c.kind"
    "  JOIN ra.ca a ON a.ca_id = c.ca_id"
    " WHERE c.serial = $1::numeric AND ($2::bigint = 0 OR c.ca_id = $2::bigint)"
    "   FOR UPDATE OF c";
static const char SQL_REVOKE[] =
    "INSERT INTO ra.revocation (cert_id, ca_id, serial, not_after, reason,"
    "  comment, request_id, officer_id)"
    " SELECT cert_id, ca_id, serial, not_after, $2::smallint, nullif($3, ''),"
    "        nullif($4, '0')::bigint, nullif($5, '0')::bigint"
    "   FROM ra.certificate WHERE cert_id = $1::bigint"
    " ON CONFLICT DO NOTHING RETURNING revoked_at";
static const char SQL_AUDIT_REVOKE[] =
    "INSERT INTO ra.audit (event, outcome, actor, institution_id,"
    "  officer_id, cert_issuer, cert_serial, cert_subject, detail)"
    " VALUES ('cert.revoke', 'ok', $1, $2::bigint, nullif($3, '0')::bigint,"
    "  $4, $5::numeric, $6, pg_catalog.jsonb_build_object("
    "  'reason', $7::integer, 'comment', $8::text))";

static const char SQL_STATUS[] =
    "SELECT a.name, c.state, c.subject_dn,"
    "       to_char(c.not_after AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS \"UTC\"'),"
    "       r.reason,"
    "       to_char(r.revoked_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS \"UTC\"'),"
    "       r.crl_number,"
    "       to_char(l.this_update AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS \"UTC\"'),"
    "       c.not_after < pg_catalog.now()"
    "  FROM ra.certificate c"
    "  JOIN ra.ca a ON a.ca_id = c.ca_id"
    "  LEFT JOIN ra.revocation r ON r.cert_id = c.cert_id"
    "  LEFT JOIN ra.crl l ON l.ca_id = r.ca_id AND l.crl_number = r.crl_number"
    " WHERE c.serial = $1::numeric"
    " ORDER BY c.cert_id";

/* A decimal serial as users type it: digits only, leading zeros ignored. */
static int
serial_ok(const char *s)
{
	size_t	 n = strlen(s);

	return n > 0 && n <= 48 && strspn(s, "0123456789") == n &&
	    strspn(s, "0") < n;
}

/*
 * Revoke the certificate with decimal serial "rv->serial" (of CA
 * rv->ca_id, or any CA if 0), inside the caller's transaction.
 * RA_EINPUT, RA_ENOTFOUND, RA_EPOLICY and RA_EDUP come with "why".
 */
enum ra_err
ra_revoke(PGconn *db, const struct ra_revoke *rv, char *why, size_t whysz)
{
	PGresult	*res = NULL, *ins = NULL;
	const char	*param[8];
	char		 ca[24], reason[8], req[24], off[24];
	enum ra_err	 er;

	if (!serial_ok(rv->serial)) {
		ra_msgf(why, whysz, "the serial must be decimal digits");
		return RA_EINPUT;
	}
	if (rv->reason == 0 && (rv->comment == NULL || *rv->comment == '\0')) {
		ra_msgf(why, whysz, "失効理由0には失効理由コメントを書いて"
		    "ください (reason 0 (unspecified) needs a comment)");
		return RA_EINPUT;
	}
	snprintf(ca, sizeof(ca), "%lld", (long long)rv->ca_id);
	snprintf(reason, sizeof(reason), "%d", rv->reason);
	snprintf(req, sizeof(req), "%lld", (long long)rv->request_id);
	snprintf(off, sizeof(off), "%lld", (long long)rv->officer_id);
	param[0] = rv->serial;
	param[1] = ca;
	param[2] = reason;
	if (rv->reason < 0 || rv->reason > 10 || rv->reason == 7) {
		ra_msgf(why, whysz, "%dは失効理由コードではありません "
		    "(%d is not an RFC 5280 reason code)", rv->reason,
		    rv->reason);
		return RA_EINPUT;
	}
	if ((er = ra_db_query(db, "find certificate", SQL_FIND, 3, param,
	    &res)) != RA_OK)
		return er;
	if (PQntuples(res) != 1 ||
	    strcmp(PQgetvalue(res, 0, 1), "issued") != 0) {
		ra_msgf(why, whysz, PQntuples(res) > 1 ? "serial %s exists at "
		    "more than one CA; name the CA" : "no issued certificate "
		    "has serial %s", rv->serial);
		er = PQntuples(res) > 1 ? RA_EINPUT : RA_ENOTFOUND;
		goto out;
	}
	if (strcmp(PQgetvalue(res, 0, 2), "t") != 0) {
		ra_msgf(why, whysz, "失効理由%dはこの証明書には使えません。"
		    "%sのいずれかにしてください (reason %d is not allowed "
		    "for this certificate)", rv->reason,
		    PQgetvalue(res, 0, 6), rv->reason);
		er = RA_EPOLICY;
		goto out;
	}
	param[0] = PQgetvalue(res, 0, 0);
	param[1] = reason;
	param[2] = rv->comment != NULL ? rv->comment : "";
	param[3] = req;
	param[4] = off;
	if ((er = ra_db_query(db, "revoke", SQL_REVOKE, 5, param, &ins)) !=
	    RA_OK)
		goto out;
	if (PQntuples(ins) != 1) {
		ra_msgf(why, whysz, "serial %s is already revoked", rv->serial);
		er = RA_EDUP;
		goto out;
	}
	param[0] = rv->actor;
	param[1] = PQgetvalue(res, 0, 3);
	param[2] = off;
	param[3] = PQgetvalue(res, 0, 4);
	param[4] = rv->serial;
	param[5] = PQgetvalue(res, 0, 5);
	param[6] = reason;
	param[7] = rv->comment != NULL ? rv->comment : "";
	er = ra_db_command(db, "audit revoke", SQL_AUDIT_REVOKE, 8, param);
out:
	PQclear(ins);
	PQclear(res);
	return er;
}

/* One line per certificate with that serial; RA_ENOTFOUND if none. */
enum ra_err
ra_cert_status(PGconn *db, const char *serial, FILE *out)
{
	PGresult	*res = NULL;
	const char	*param[1] = { serial };
	int		 i;
	enum ra_err	 er;

	if (!serial_ok(serial))
		return RA_EINPUT;
	if ((er = ra_db_query(db, "status", SQL_STATUS, 1, param, &res)) !=
	    RA_OK)
		return er;
	if (PQntuples(res) == 0) {
		PQclear(res);
		return RA_ENOTFOUND;
	}
	for (i = 0; i < PQntuples(res); i++) {
		fprintf(out, "%s %s (%s): ", PQgetvalue(res, i, 0), serial,
		    PQgetvalue(res, i, 2));
		if (strcmp(PQgetvalue(res, i, 1), "issued") != 0)
			fprintf(out, "being issued\n");
		else if (PQgetisnull(res, i, 4))
			fprintf(out, "%s, valid until %s\n",
			    strcmp(PQgetvalue(res, i, 8), "t") == 0 ?
			    "expired" : "good", PQgetvalue(res, i, 3));
		else if (PQgetisnull(res, i, 6))
			fprintf(out, "revoked (reason %s) at %s, %s\n",
			    PQgetvalue(res, i, 4), PQgetvalue(res, i, 5),
			    strcmp(PQgetvalue(res, i, 8), "t") == 0 ?
			    "expired (CRLs leave expired certificates out)" :
			    "not yet in a CRL");
		else
			fprintf(out, "revoked (reason %s) at %s, in CRL #%s "
			    "since %s\n", PQgetvalue(res, i, 4),
			    PQgetvalue(res, i, 5), PQgetvalue(res, i, 6),
			    PQgetvalue(res, i, 7));
	}
	PQclear(res);
	return RA_OK;
}
