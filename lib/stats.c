/*
 * stats.c: ⑦ 発行証明書統計照会, the numbers.  Over a period of whole
 * months in JST, the certificates of the officer's scope (what ② and ④
 * list: server certificates under the officer's domains, the
 * institution's client, S/MIME and code-signing certificates), counted
 * per registered domain, kind and profile, and per month of issue:
 *
 *	新規 / 更新	issued from an issue or from a renewal request
 *	有効数		not revoked, not expired, not superseded, now
 *	失効数		revoked (whenever)
 *	期限切れ数	not revoked, notAfter passed
 *	取得待ち	valid now and never fetched (retrieved_at unset)
 *
 * A certificate is counted in the month it was issued; the other
 * columns say what became of those certificates by now.  One statement
 * over one index (017-stats.sql) does the counting; the table, the
 * chart and the TSV are all folded from its result here.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ra.h"
#include "domain.h"

/*
 * The kinds of each scope, as ② and ④ take them (export.c): the kinds
 * named by a host are the officer's domains'; the others the
 * institution's.  A kind in neither (the RA officer's own, OCSP, TSA) is
 * never counted.
 */
static const char STATS_BY_DOMAIN[] = "{server}";
static const char STATS_BY_INSTITUTION[] = "{client,smime,code_signing}";

/*
 * $1 institution, $2 officer, $3 and $4 the period's first instant and
 * the instant after it, $5 and $6 the kinds of each scope.  The counting
 * reads only columns of certificate_stats, one index and no join a row,
 * and tests nothing a row but the index's own range: the scope is a
 * property of (kind, domain), so it is applied to the few hundred groups
 * after counting, where it costs nothing (MATERIALIZED keeps the planner
 * from pushing it back down to the million rows, a fifth of the time).
 * The officer's scope is the registered domains equal to or under one of
 * theirs: a server certificate's domain is the longest registered one
 * its FQDN lies under, so this is exactly ②'s test on the FQDN.
 */
static const char SQL_STATS[] =
    "WITH s AS MATERIALIZED ("
    " SELECT c.domain_id, c.kind, c.profile_id, c.issued_month,"
    "        count(*) FILTER (WHERE NOT c.renewal) AS fresh,"
    "        count(*) FILTER (WHERE c.renewal) AS renewed,"
    "        count(*) FILTER (WHERE NOT c.revoked AND c.not_after > now()"
    "            AND c.superseded_by IS NULL) AS valid,"
    "        count(*) FILTER (WHERE c.revoked) AS revoked,"
    "        count(*) FILTER (WHERE NOT c.revoked"
    "            AND c.not_after <= now()) AS expired,"
    "        count(*) FILTER (WHERE NOT c.revoked AND c.not_after > now()"
    "            AND c.superseded_by IS NULL"
    "            AND c.retrieved_at IS NULL) AS waiting"
    "   FROM ra.certificate c"
    "  WHERE c.institution_id = $1::bigint AND c.state = 'issued'"
    "    AND c.issued_at >= $3::timestamptz AND c.issued_at < $4::timestamptz"
    "  GROUP BY 1, 2, 3, 4)"
    " SELECT coalesce(d.name, '') AS domain, s.kind, k.name_ja AS kind_ja,"
    "        s.profile_id, p.name_ja AS profile_ja,"
    "        (pg_catalog.date_part('year', s.issued_month) * 12 +"
    "         pg_catalog.date_part('month', s.issued_month) - 1)::integer AS ym,"
    "        s.fresh, s.renewed, s.valid, s.revoked, s.expired, s.waiting"
    "   FROM s"
    "   LEFT JOIN ra.domain d ON d.domain_id = s.domain_id"
    "   JOIN ra.profile p ON p.profile_id = s.profile_id"
    "   JOIN ra.cert_kind k ON k.kind = s.kind"
    "  WHERE s.kind = ANY ($6::text[])"
    "     OR (s.kind = ANY ($5::text[]) AND s.domain_id IN ("
    "         SELECT x.domain_id FROM ra.officer_domain od"
    "           JOIN ra.domain o ON o.domain_id = od.domain_id"
    "           JOIN ra.domain x ON x.institution_id = o.institution_id"
    "            AND (x.name = o.name OR pg_catalog.right(x.name,"
    "                 pg_catalog.length(o.name) + 1) = '.' || o.name)"
    "          WHERE od.officer_id = $2::bigint))"
    "  ORDER BY d.name NULLS LAST, s.kind, s.profile_id, ym";
/* The counting is an index scan and a hash: compiling it costs more. */
static const char SQL_NO_JIT[] = "SET LOCAL jit = off";

/* The counts' columns, in the order of struct ra_stats_n. */
static const char *const stats_cols[] = {
	"fresh", "renewed", "valid", "revoked", "expired", "waiting",
};
_Static_assert(RA_NITEMS(stats_cols) == RA_STATS_NCOUNTS,
    "stats_cols[] out of sync with struct ra_stats_n");

/* "YYYY-MM" as a month number (year * 12 + month - 1), or -1. */
static int
month_parse(const char *s)
{
	int	 y, m, i;

	if (strlen(s) != 7 || s[4] != '-')
		return -1;
	for (i = 0; i < 7; i++)
		if (i != 4 && (s[i] < '0' || s[i] > '9'))
			return -1;
	y = atoi(s);
	m = atoi(s + 5);
	if (y < 2000 || y > 9999 || m < 1 || m > 12)
		return -1;
	return y * 12 + m - 1;
}

/* The month of "t" in JST, as a month number. */
static int
month_of(time_t t)
{
	struct tm	 tm;

	t += 9 * 3600;		/* JST: UTC+9, no daylight saving */
	if (gmtime_r(&t, &tm) == NULL)
		return 2000 * 12;
	return (tm.tm_year + 1900) * 12 + tm.tm_mon;
}

/* Month number "ym" as "YYYY-MM". */
void
ra_stats_month(int ym, char buf[8])
{
	unsigned	 u = ym > 0 ? (unsigned)ym : 0;

	snprintf(buf, 8, "%04u-%02u", u / 12 % 10000, u % 12 + 1);
}

/*
 * The period "from" to "to" ("YYYY-MM", either NULL: the last twelve
 * months up to the month of "now", JST) as its first month "*first" and
 * its number of months "*n".  RA_EINPUT with "*why" saying what is wrong
 * with which of them.
 */
enum ra_err
ra_stats_period(const char *from, const char *to, time_t now, int *first,
    int *n, const char **why)
{
	int	 a, b;

	*why = NULL;
	if (to == NULL)
		b = month_of(now);
	else if ((b = month_parse(to)) < 0) {
		*why = "to: 年月は YYYY-MM (2000-01 以降) で指定してください";
		return RA_EINPUT;
	}
	if (from == NULL)
		a = b - 11;
	else if ((a = month_parse(from)) < 0) {
		*why = "from: 年月は YYYY-MM (2000-01 以降) で指定してください";
		return RA_EINPUT;
	}
	if (a > b) {
		*why = "from: 開始年月が終了年月より後です";
		return RA_EINPUT;
	}
	if (b - a + 1 > RA_STATS_MONTHS_MAX) {
		*why = "from: 期間は 120 か月までです";
		return RA_EINPUT;
	}
	*first = a;
	*n = b - a + 1;
	return RA_OK;
}

static void
add(struct ra_stats_n *to, const struct ra_stats_n *n)
{
	size_t	 k;

	for (k = 0; k < RA_STATS_NCOUNTS; k++)
		to->v[k] += n->v[k];
}

/* A result row's counts. */
static enum ra_err
counts_get(const PGresult *res, int i, struct ra_stats_n *n)
{
	size_t		 k;
	enum ra_err	 er;

	for (k = 0; k < RA_STATS_NCOUNTS; k++)
		if ((er = ra_get_i64(res, i, stats_cols[k], &n->v[k])) != RA_OK)
			return er;
	return RA_OK;
}

/* Whether result row "i" begins another (domain, kind, profile) row. */
static int
row_starts(const PGresult *res, int i)
{
	return i == 0 ||
	    strcmp(ra_get_text(res, i, "domain"),
	    ra_get_text(res, i - 1, "domain")) != 0 ||
	    strcmp(ra_get_text(res, i, "kind"),
	    ra_get_text(res, i - 1, "kind")) != 0 ||
	    strcmp(ra_get_text(res, i, "profile_id"),
	    ra_get_text(res, i - 1, "profile_id")) != 0;
}

/* Fold the statement's rows into "st" (its months already set). */
static enum ra_err
fold(struct ra_stats *st, PGresult *res)
{
	struct ra_stats_row	*row = NULL;
	struct ra_stats_n	 n;
	int			 i, ym, rows = PQntuples(res);
	enum ra_err		 er;

	for (i = 0; i < rows; i++)
		if (row_starts(res, i))
			st->nrows++;
	if (st->nrows == 0)
		return RA_OK;
	/* Every row's months in one block, which st owns (ra_stats_free). */
	if ((st->rows = calloc(st->nrows, sizeof(*st->rows))) == NULL ||
	    (st->cells = calloc(st->nrows * (size_t)st->nmonths,
	    sizeof(*st->cells))) == NULL)
		return RA_ENOMEM;
	for (i = 0, st->nrows = 0; i < rows; i++) {
		if (row_starts(res, i)) {
			row = &st->rows[st->nrows++];
			row->domain = ra_get_text(res, i, "domain");
			row->kind = ra_get_text(res, i, "kind");
			row->kind_ja = ra_get_text(res, i, "kind_ja");
			row->profile_ja = ra_get_text(res, i, "profile_ja");
			row->month = st->cells + (st->nrows - 1) *
			    (size_t)st->nmonths;
			if ((er = ra_get_int(res, i, "profile_id",
			    &row->profile_id)) != RA_OK)
				return er;
		}
		if ((er = ra_get_int(res, i, "ym", &ym)) != RA_OK ||
		    (er = counts_get(res, i, &n)) != RA_OK)
			return er;
		/* The statement's own bounds: outside is a bug, not data. */
		if (row == NULL || ym < st->first || ym >= st->first + st->nmonths)
			return RA_EDB;
		add(&row->month[ym - st->first], &n);
		add(&row->total, &n);
		add(&st->month[ym - st->first], &n);
		add(&st->total, &n);
	}
	return RA_OK;
}

/*
 * The statistics of officer "officer" of institution "inst" over "n"
 * months from month number "first" (ra_stats_period) into "st", which
 * the caller frees with ra_stats_free whatever is returned.
 */
enum ra_err
ra_stats_load(PGconn *db, int64_t inst, int64_t officer, int first, int n,
    struct ra_stats *st)
{
	char		 from[32], to[32], m[8];
	enum ra_err	 er;

	memset(st, 0, sizeof(*st));
	if (n < 1 || n > RA_STATS_MONTHS_MAX)
		return RA_EINPUT;
	st->first = first;
	st->nmonths = n;
	if ((st->month = calloc((size_t)n, sizeof(*st->month))) == NULL)
		return RA_ENOMEM;
	/* Month boundaries in JST, as the mails and the downloads write time. */
	ra_stats_month(first, m);
	snprintf(from, sizeof(from), "%s-01 00:00:00+09", m);
	ra_stats_month(first + n, m);
	snprintf(to, sizeof(to), "%s-01 00:00:00+09", m);
	if ((er = ra_db_command(db, "begin", "BEGIN READ ONLY", 0, NULL)) !=
	    RA_OK)
		return er;
	if ((er = ra_db_command(db, "stats: no JIT", SQL_NO_JIT, 0, NULL)) ==
	    RA_OK &&
	    (er = ra_db_run(db, "stats", SQL_STATS, &st->res,
	    RA_ARGS(RA_INT(inst), RA_INT(officer), RA_TEXT(from), RA_TEXT(to),
	    RA_TEXT(STATS_BY_DOMAIN), RA_TEXT(STATS_BY_INSTITUTION)))) == RA_OK)
		er = fold(st, st->res);
	ra_db_rollback(db);		/* read only: nothing to keep */
	return er;
}

void
ra_stats_free(struct ra_stats *st)
{
	free(st->cells);
	free(st->rows);
	free(st->month);
	PQclear(st->res);
	memset(st, 0, sizeof(*st));
}

/* What a certificate row of ⑦ has issued: new and renewed. */
int64_t
ra_stats_issued(const struct ra_stats_n *n)
{
	return n->v[RA_STATS_NEW] + n->v[RA_STATS_RENEWED];
}
