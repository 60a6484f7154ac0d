/*
 * validity.c: how long a certificate is valid.  The profile says how long
 * it wants; ra.validity_limit (027) says how long the rules allow on the
 * issuance date; a certificate gets the shorter.  The issuance date is the
 * database's clock, ra.clock(): now(), or the session's ra.now when a test
 * moves it (the worker's own clock cannot be moved).  The worker and the
 * linter ask here, so both apply the same rule.
 */
#include <string.h>
#include <time.h>

#include "ra.h"
#include "domain.h"

static const char SQL_LIMIT[] =
    "SELECT coalesce(ra.validity_limit_days($1, pg_catalog.to_timestamp("
    "         $2::bigint)), 0) AS days";
static const char SQL_CLOCK[] =
    "SELECT extract(epoch FROM date_trunc('second', ra.clock()))::bigint"
    "         AS now,"
    "       coalesce(ra.validity_limit_days($1, ra.clock()), 0) AS days";

/* notAfter: "months" and "days" on from "from", minus one second (RFC
 * 5280 counts both ends, so N days are N * 86400 seconds). */
static time_t
validity_end(time_t from, int months, int days)
{
	struct tm	 tm;

	gmtime_r(&from, &tm);
	tm.tm_mon += months;
	tm.tm_mday += days;
	return timegm(&tm) - 1;
}

/*
 * "*days": the most days the rules allow a certificate of "kind" issued
 * at "at"; 0 when no rule limits it.
 */
enum ra_err
ra_validity_limit(PGconn *db, const char *kind, time_t at, int *days)
{
	PGresult	*res = NULL;
	enum ra_err	 er;

	*days = 0;
	if ((er = ra_db_run1(db, "validity limit", SQL_LIMIT, &res,
	    RA_ARGS(RA_TEXT(kind), RA_INT((int64_t)at)))) == RA_OK)
		er = ra_get_int(res, 0, "days", days);
	PQclear(res);
	return er;
}

/*
 * The validity of a certificate of profile "p" issued now by the
 * database's clock: "*nb" that instant, "*na" the profile's end or the
 * dated limit's, whichever comes first.
 */
enum ra_err
ra_validity(PGconn *db, const struct ra_profile *p, time_t *nb, time_t *na)
{
	PGresult	*res = NULL;
	int64_t		 now;
	int		 days;
	time_t		 end, cap;
	enum ra_err	 er;

	if ((er = ra_db_run1(db, "validity", SQL_CLOCK, &res,
	    RA_ARGS(RA_TEXT(p->kind)))) != RA_OK ||
	    (er = ra_get_i64(res, 0, "now", &now)) != RA_OK ||
	    (er = ra_get_int(res, 0, "days", &days)) != RA_OK)
		goto out;
	*nb = (time_t)now;
	end = validity_end(*nb, p->months, p->days);
	if (days > 0 && (cap = validity_end(*nb, 0, days)) < end)
		end = cap;
	*na = end;
out:
	PQclear(res);
	return er;
}
