/*
 * supersede.c: an RA officer's older RA certificates give way to the
 * newer one, revoked as superseded (RFC 5280 reason 4): at the newer
 * one's first login (login.cgi, in the login's transaction), some days
 * after it was issued without a login (Ra.RenewGraceDays; the desk's
 * daily renew-notify), and, never downloaded, when the desk reissues
 * the renewal URL that made them.  PostgreSQL does the revoking
 * (020-ra-renewal.sql: SECURITY DEFINER functions that can revoke only
 * what is older than a live, delivered RA certificate of the same
 * officer), each certificate at most once; here each one revoked gets
 * its audit row and the officer a mail.  They are ordinary ra.revocation
 * rows: the next CRL (worker.cgi crl) lists them like any other.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ra.h"
#include "domain.h"
#include "upload.h"

static const char SQL_LOGIN[] =
    "SELECT * FROM ra.ra_cert_supersede_login($1::bytea)";
static const char SQL_DUE[] =
    "SELECT * FROM ra.ra_cert_supersede_due($1::integer)";
static const char SQL_VOID[] =
    "SELECT * FROM ra.ra_renew_url_void($1::bigint)";
/* The audit's detail, made by PostgreSQL: no text spliced into JSON. */
static const char SQL_DETAIL[] =
    "SELECT pg_catalog.jsonb_strip_nulls(pg_catalog.jsonb_build_object("
    "  'reason', $1::integer, 'by', $2::text,"
    "  'new_serial', nullif($3, '')::numeric, 'revoked_at', $4::text)"
    ")::text AS detail";

/* Days an older RA certificate outlives a newer one unused (default 14). */
int
ra_supersede_grace(const struct ra_conf *c)
{
	int	 n = ra_conf_int(c, "Ra.RenewGraceDays", 14);

	return n < 0 ? 0 : n;
}

/* The officer is told which certificate went, when and why. */
static enum ra_err
superseded_mail(PGconn *db, const PGresult *res, int i, int grace)
{
	struct ra_kv	 kv[10];
	char		 days[16], *block;
	enum ra_err	 er;

	if ((block = ra_dn_block(ra_get_text(res, i, "subject_dn"))) == NULL)
		return RA_ENOMEM;
	snprintf(days, sizeof(days), "%d", grace);
	kv[0] = (struct ra_kv){ "NameJa", ra_get_text(res, i, "name_ja") };
	kv[1] = (struct ra_kv){ "InstitutionJa",
	    ra_get_text(res, i, "institution_ja") };
	kv[2] = (struct ra_kv){ "DNBlock", block };
	kv[3] = (struct ra_kv){ "Serial", ra_get_text(res, i, "serial") };
	kv[4] = (struct ra_kv){ "NewSerial", ra_get_text(res, i, "new_serial") };
	kv[5] = (struct ra_kv){ "RevokedAt", ra_get_text(res, i, "revoked_at") };
	kv[6] = (struct ra_kv){ "By", ra_get_text(res, i, "by_what") };
	kv[7] = (struct ra_kv){ "GraceDays", days };
	kv[8] = (struct ra_kv){ "ReasonJa",
	    ra_upload_reason(RA_REASON_SUPERSEDED, 0) };
	kv[9] = (struct ra_kv){ "ReasonEn",
	    ra_upload_reason(RA_REASON_SUPERSEDED, 1) };
	er = ra_mail_queue(db, "ra-cert-superseded", ra_get_text(res, i,
	    "mail"), kv, RA_NITEMS(kv));
	free(block);
	return er;
}

/*
 * Each certificate of "res" (rows of ra.ra_superseded): its audit row as
 * "actor" (NULL: the officer) and, unless it was never delivered, the
 * officer's mail.  "serials" (if not NULL) gets them comma-separated.
 */
static enum ra_err
superseded_each(PGconn *db, const PGresult *res, const char *actor,
    int grace, int *n, char *serials, size_t serialsz)
{
	struct ra_event	 ev;
	PGresult	*det = NULL;
	size_t		 len;
	int		 i;
	enum ra_err	 er = RA_OK;

	*n = 0;
	if (serials != NULL)
		*serials = '\0';
	for (i = 0; i < PQntuples(res); i++) {
		memset(&ev, 0, sizeof(ev));
		if ((er = ra_get_i64(res, i, "officer_id", &ev.officer_id)) !=
		    RA_OK ||
		    (er = ra_get_i64(res, i, "institution_id",
		    &ev.institution_id)) != RA_OK ||
		    (er = ra_db_run1(db, "supersede detail", SQL_DETAIL, &det,
		    RA_ARGS(RA_INT(RA_REASON_SUPERSEDED),
		    RA_TEXT(ra_get_text(res, i, "by_what")),
		    RA_TEXT(ra_get_text(res, i, "new_serial")),
		    RA_TEXT(ra_get_text(res, i, "revoked_at"))))) != RA_OK)
			break;
		ev.event = "ra_cert.supersede";
		ev.outcome = "ok";
		ev.actor = actor;
		ev.cert_issuer = ra_get_text(res, i, "issuer_dn");
		ev.cert_serial = ra_get_text(res, i, "serial");
		ev.cert_subject = ra_get_text(res, i, "subject_dn");
		ev.detail = ra_get_text(det, 0, "detail");
		er = ra_audit(db, &ev);
		PQclear(det);
		det = NULL;
		if (er != RA_OK)
			break;
		/* Never downloaded: the officer never had it to lose. */
		if (strcmp(ra_get_text(res, i, "by_what"), "reissue") != 0 &&
		    (er = superseded_mail(db, res, i, grace)) != RA_OK)
			break;
		if (serials != NULL) {
			len = strlen(serials);
			snprintf(serials + len, serialsz - len, "%s%s",
			    len > 0 ? ", " : "", ra_get_text(res, i, "serial"));
		}
		(*n)++;
	}
	return er;
}

/*
 * At login, inside its transaction: the certificate of the session whose
 * cookie is "cookie" (opened by this transaction) supersedes the
 * officer's older ones.  "*n" says how many were revoked.
 */
enum ra_err
ra_supersede_login(PGconn *db, const char *cookie, int *n)
{
	PGresult	*res = NULL;
	unsigned char	 sha[32];
	enum ra_err	 er;

	*n = 0;
	if ((er = ra_token_hash(cookie, sha)) != RA_OK)
		return er;
	if ((er = ra_db_run(db, "supersede at login", SQL_LOGIN, &res,
	    RA_ARGS(RA_BYTES(sha, sizeof(sha))))) == RA_OK)
		er = superseded_each(db, res, NULL, 0, n, NULL, 0);
	PQclear(res);
	return er;
}

/*
 * Cron, inside the caller's transaction: every older RA certificate whose
 * officer's newer one was issued "grace" days ago or more is revoked,
 * logged in with or not; audited as "actor".
 */
enum ra_err
ra_supersede_due(PGconn *db, int grace, const char *actor, int *n)
{
	PGresult	*res = NULL;
	enum ra_err	 er;

	*n = 0;
	if ((er = ra_db_run(db, "supersede due", SQL_DUE, &res,
	    RA_ARGS(RA_INT(grace)))) == RA_OK)
		er = superseded_each(db, res, actor, grace, n, NULL, 0);
	PQclear(res);
	return er;
}

/*
 * Inside the caller's transaction: the officer's unused renewal URLs are
 * void, and what their requests made but nobody downloaded is revoked
 * (superseded) with its waiting key; audited as "actor".  "serials" gets
 * the revoked serials, "*n" their number.
 */
enum ra_err
ra_supersede_renew_void(PGconn *db, int64_t officer, const char *actor,
    char *serials, size_t serialsz, int *n)
{
	PGresult	*res = NULL;
	enum ra_err	 er;

	*n = 0;
	*serials = '\0';
	if ((er = ra_db_run(db, "renewal URL void", SQL_VOID, &res,
	    RA_ARGS(RA_INT(officer)))) == RA_OK)
		er = superseded_each(db, res, actor, 0, n, serials, serialsz);
	PQclear(res);
	return er;
}
