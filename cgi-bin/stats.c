/*
 * stats.cgi: ⑦ 利用管理者情報 発行証明書統計照会 (reference §3.4).  The
 * officer's certificates (what ② and ④ list) counted per registered
 * domain and kind/profile over a period of months in JST, with a
 * monthly chart drawn as SVG beside the table (lib/stats.c,
 * lib/stats-svg.c).  Needs a session and interface ⑦.
 *
 *	GET ?from=YYYY-MM&to=YYYY-MM	the page (default: the last 12 months)
 *	    &format=tsv			the same numbers, Shift_JIS TSV
 *	    &format=svg			the chart alone, image/svg+xml
 *
 * From a shell, the same numbers on standard output:
 *
 *	stats.cgi --officer ID [--from YYYY-MM] [--to YYYY-MM] [--svg]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ra.h"
#include "web.h"

#define STATS_INTERFACE	7

enum field { F_FROM, F_TO, F_FORMAT, F__MAX };

/* Printable ASCII: the period is checked, and named, by ra_stats_period. */
static int
valid_text(const char *s)
{
	for (; *s != '\0'; s++)
		if (*s < ' ' || *s > '~')
			return 0;
	return 1;
}

static int
valid_format(const char *s)
{
	return strcmp(s, "html") == 0 || strcmp(s, "tsv") == 0 ||
	    strcmp(s, "svg") == 0;
}

static const struct ra_field fields[F__MAX] = {
	[F_FROM]	= { "from",	16,	valid_text,	RA_FIELD_TEXT },
	[F_TO]		= { "to",	16,	valid_text,	RA_FIELD_TEXT },
	[F_FORMAT]	= { "format",	8,	valid_format,	RA_FIELD_TEXT },
};

/* Who looked at which period, and how; actor NULL: the officer. */
static enum ra_err
audit_view(PGconn *db, int64_t inst, int64_t officer, const char *actor,
    const struct ra_stats *st, const char *format)
{
	struct ra_event	 ev;
	char		 detail[128], a[8], b[8];

	ra_stats_month(st->first, a);
	ra_stats_month(st->first + st->nmonths - 1, b);
	/* Months and a format from a fixed list: nothing to escape. */
	snprintf(detail, sizeof(detail),
	    "{\"from\": \"%s\", \"to\": \"%s\", \"format\": \"%s\"}", a, b,
	    format);
	memset(&ev, 0, sizeof(ev));
	ev.event = "stats.view";
	ev.outcome = "ok";
	ev.actor = actor;
	ev.institution_id = inst;
	ev.officer_id = officer;
	ev.source_ip = ra_req_env("REMOTE_ADDR");
	ev.detail = detail;
	return ra_audit(db, &ev);
}

static void
set_i64(HDF *page, const char *key, int64_t v)
{
	char	 s[24];

	snprintf(s, sizeof(s), "%lld", (long long)v);
	hdf_set_value(page, key, s);
}

/* Counts "n" as "<prefix>.New", ".Renewed", ... */
static void
set_counts(HDF *page, const char *prefix, const struct ra_stats_n *n)
{
	static const char *const names[RA_STATS_NCOUNTS] = {
		[RA_STATS_NEW] = "New", [RA_STATS_RENEWED] = "Renewed",
		[RA_STATS_VALID] = "Valid", [RA_STATS_REVOKED] = "Revoked",
		[RA_STATS_EXPIRED] = "Expired", [RA_STATS_WAITING] = "Waiting",
	};
	char	 key[96];
	size_t	 k;

	for (k = 0; k < RA_STATS_NCOUNTS; k++) {
		snprintf(key, sizeof(key), "%s.%s", prefix, names[k]);
		set_i64(page, key, n->v[k]);
	}
	snprintf(key, sizeof(key), "%s.Issued", prefix);
	set_i64(page, key, ra_stats_issued(n));
}

/* The page: the table per domain and kind/profile, the months, the chart. */
static enum ra_err
page(struct ra_req *r, const struct ra_stats *st)
{
	const struct ra_stats_row	*row;
	char				 key[64], m[8];
	char				*svg = NULL;
	size_t				 i;
	int				 j;
	enum ra_err			 er;

	for (i = 0; i < st->nrows; i++) {
		row = &st->rows[i];
		snprintf(key, sizeof(key), "Stats.Rows.%zu.Domain", i);
		hdf_set_value(r->page, key, row->domain);
		snprintf(key, sizeof(key), "Stats.Rows.%zu.KindJa", i);
		hdf_set_value(r->page, key, row->kind_ja);
		snprintf(key, sizeof(key), "Stats.Rows.%zu.ProfileId", i);
		hdf_set_int_value(r->page, key, row->profile_id);
		snprintf(key, sizeof(key), "Stats.Rows.%zu.ProfileJa", i);
		hdf_set_value(r->page, key, row->profile_ja);
		snprintf(key, sizeof(key), "Stats.Rows.%zu", i);
		set_counts(r->page, key, &row->total);
	}
	for (j = 0; j < st->nmonths; j++) {
		ra_stats_month(st->first + j, m);
		snprintf(key, sizeof(key), "Stats.Months.%d.Month", j);
		hdf_set_value(r->page, key, m);
		snprintf(key, sizeof(key), "Stats.Months.%d", j);
		set_counts(r->page, key, &st->month[j]);
	}
	set_counts(r->page, "Stats.Total", &st->total);
	if ((er = ra_stats_svg(st, r->lang, &svg)) != RA_OK)
		return er;
	hdf_set_value(r->page, "Stats.Svg", svg);
	free(svg);
	return ra_render(r, 200, "stats.cs");
}

/* The period's fields on the page, as given or as taken by default. */
static void
period_page(struct ra_req *r, const struct ra_officer *o, const char *from,
    const char *to)
{
	ra_officer_page(r, o);
	hdf_set_value(r->page, "Stats.From", from);
	hdf_set_value(r->page, "Stats.To", to);
}

static enum ra_err
screen(struct ra_req *r)
{
	struct ra_officer	 o;
	struct ra_stats		 st;
	const char		*f[F__MAX], *why, *format;
	char			 a[8], b[8];
	unsigned char		*tsv = NULL;
	char			*svg = NULL;
	size_t			 len;
	int			 first, n;
	enum ra_err		 er;

	memset(&st, 0, sizeof(st));
	if ((er = ra_form_get(r, fields, F__MAX, f)) != RA_OK ||
	    (er = ra_officer_open(r, &o)) != RA_OK)
		return er;
	if (!o.perm[STATS_INTERFACE])
		return RA_EDENIED;
	format = f[F_FORMAT] != NULL ? f[F_FORMAT] : "html";
	if (ra_stats_period(f[F_FROM], f[F_TO], time(NULL), &first, &n, &why)
	    != RA_OK) {
		/* The form again, saying which field is wrong and how. */
		r->refusal = why;
		period_page(r, &o, f[F_FROM] != NULL ? f[F_FROM] : "",
		    f[F_TO] != NULL ? f[F_TO] : "");
		hdf_set_value(r->page, "Stats.Error", why);
		if ((er = ra_render(r, 400, "stats.cs")) != RA_OK)
			return er;
		return RA_EDONE;
	}
	ra_stats_month(first, a);
	ra_stats_month(first + n - 1, b);
	period_page(r, &o, a, b);
	if ((er = ra_stats_load(r->db, o.institution_id, o.officer_id, first, n,
	    &st)) != RA_OK ||
	    (er = audit_view(r->db, o.institution_id, o.officer_id, NULL, &st,
	    format)) != RA_OK)
		goto out;
	if (strcmp(format, "tsv") == 0) {
		if ((er = ra_stats_tsv(&st, &tsv, &len)) != RA_OK)
			goto out;
		printf("Status: 200\r\nContent-Type: text/tab-separated-values; "
		    "charset=Shift_JIS\r\nContent-Disposition: attachment; "
		    "filename=\"stats-%s-%s.tsv\"\r\nContent-Length: %zu\r\n"
		    "Cache-Control: no-store\r\n\r\n", a, b, len);
		er = fwrite(tsv, 1, len, stdout) == len && fflush(stdout) == 0 ?
		    RA_OK : RA_ESYS;
	} else if (strcmp(format, "svg") == 0) {
		if ((er = ra_stats_svg(&st, r->lang, &svg)) != RA_OK)
			goto out;
		printf("Status: 200\r\nContent-Type: image/svg+xml; "
		    "charset=utf-8\r\nCache-Control: no-store\r\n"
		    "X-Content-Type-Options: nosniff\r\n\r\n%s", svg);
		er = fflush(stdout) == 0 ? RA_OK : RA_ESYS;
	} else
		er = page(r, &st);
out:
	free(tsv);
	free(svg);
	ra_stats_free(&st);
	return er;
}

static enum ra_err
usage(void)
{
	fprintf(stderr, "usage: stats.cgi --officer ID [--from YYYY-MM] "
	    "[--to YYYY-MM] [--svg]\n");
	return RA_EUSAGE;
}

static enum ra_err
shell(struct ra_req *r)
{
	struct ra_stats	 st;
	const char	*from = NULL, *to = NULL, *officer = NULL, *why;
	unsigned char	*tsv = NULL;
	char		*svg = NULL;
	size_t		 len;
	int64_t		 id, inst;
	int		 i, want_svg = 0, first, n;
	enum ra_err	 er;

	memset(&st, 0, sizeof(st));
	for (i = 0; i < r->argc; i++) {
		if (strcmp(r->argv[i], "--svg") == 0)
			want_svg = 1;
		else if (i + 1 < r->argc && strcmp(r->argv[i], "--officer") == 0)
			officer = r->argv[++i];
		else if (i + 1 < r->argc && strcmp(r->argv[i], "--from") == 0)
			from = r->argv[++i];
		else if (i + 1 < r->argc && strcmp(r->argv[i], "--to") == 0)
			to = r->argv[++i];
		else
			return usage();
	}
	if (!ra_field_i64(officer, 1, INT64_MAX, &id))
		return usage();
	if (ra_stats_period(from, to, time(NULL), &first, &n, &why) != RA_OK) {
		ra_warnx("%s", why);
		return RA_EINPUT;
	}
	if ((er = ra_officer_shell(r, id, &inst)) != RA_OK ||
	    (er = ra_stats_load(r->db, inst, id, first, n, &st)) != RA_OK ||
	    (er = audit_view(r->db, inst, id, "cli", &st,
	    want_svg ? "svg" : "tsv")) != RA_OK)
		goto out;
	if (want_svg) {
		if ((er = ra_stats_svg(&st, r->lang, &svg)) == RA_OK)
			er = fputs(svg, stdout) >= 0 ? RA_OK : RA_ESYS;
	} else if ((er = ra_stats_tsv(&st, &tsv, &len)) == RA_OK)
		er = fwrite(tsv, 1, len, stdout) == len ? RA_OK : RA_ESYS;
	if (er == RA_OK && fflush(stdout) != 0)
		er = RA_ESYS;
out:
	free(tsv);
	free(svg);
	ra_stats_free(&st);
	return er;
}

static enum ra_err
run(struct ra_req *r)
{
	return r->is_cgi ? screen(r) : shell(r);
}

int
main(int argc, char *argv[])
{
	static const struct ra_screen sc = { fields, F__MAX, run,
	    RA_DB_OFFICER };

	return ra_web_main(argc, argv, &sc);
}
