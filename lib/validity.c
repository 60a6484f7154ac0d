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

/*
 * The clock (to the second) and the dated limit at it and at that
 * second, in one round trip.
 */
static const char SQL_CLOCK_LIMITS[] =
    "SELECT c.now, coalesce(ra.validity_limit_days($1, ra.clock()), 0)"
    "         AS days,"
    "       coalesce(ra.validity_limit_days($1, pg_catalog.to_timestamp("
    "         c.now)), 0) AS days_nb"
    "  FROM (SELECT extract(epoch FROM date_trunc('second', ra.clock()))"
    "               ::bigint AS now) c";

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
 * The database's clock ("c->now") and for certificates of "kind" the
 * dated limit at that clock ("c->days", for notAfter) and at its second
 * ("c->days_nb", the day the certificate begins, for the linter), in one
 * round trip.  ra.clock() is the transaction's: a batch asks once a kind.
 */
enum ra_err
ra_validity_clock(PGconn *db, const char *kind, struct ra_clock *c)
{
	PGresult	*res = NULL;
	int64_t		 now;
	enum ra_err	 er;

	memset(c, 0, sizeof(*c));
	snprintf(c->kind, sizeof(c->kind), "%s", kind);
	if ((er = ra_db_run1(db, "validity", SQL_CLOCK_LIMITS, &res,
	    RA_ARGS(RA_TEXT(kind)))) == RA_OK &&
	    (er = ra_get_i64(res, 0, "now", &now)) == RA_OK &&
	    (er = ra_get_int(res, 0, "days", &c->days)) == RA_OK &&
	    (er = ra_get_int(res, 0, "days_nb", &c->days_nb)) == RA_OK)
		c->now = (time_t)now;
	PQclear(res);
	return er;
}

/*
 * The validity of a certificate of profile "p" issued at the clock "c"
 * of its kind: "*nb" that instant, "*na" the profile's end or the dated
 * limit's, whichever comes first.
 */
void
ra_validity_at(const struct ra_profile *p, const struct ra_clock *c,
    time_t *nb, time_t *na)
{
	time_t	 end, cap;

	*nb = c->now;
	end = validity_end(*nb, p->months, p->days);
	if (c->days > 0 && (cap = validity_end(*nb, 0, c->days)) < end)
		end = cap;
	*na = end;
}
