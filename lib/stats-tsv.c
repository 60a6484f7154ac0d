/*
 * stats-tsv.c: ⑦'s numbers as a TSV file, as the other downloads are
 * written: a header row, Shift_JIS (CP932), CRLF.  One line per
 * (domain, kind, profile) and month with any certificate issued, then
 * that row's 合計 over the period; last, every row together per month
 * (the chart's bars) and its 合計.  The same numbers as the screen.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ra.h"
#include "domain.h"

static const char *const tsv_header[] = {
	"年月", "ドメイン", "証明書種別", "プロファイルID", "プロファイル名",
	"発行数", "新規", "更新", "有効数", "失効数", "期限切れ数", "取得待ち",
};

/* What the TSV and the screen call a row without a registered domain. */
#define NO_DOMAIN	"（なし）"
#define ALL_ROWS	"（全体）"
#define PERIOD_TOTAL	"合計"

/* One line: the month (or 合計), the row's names, its counts. */
static void
line(FILE *b, const char *month, const char *domain, const char *kind,
    const char *profile_id, const char *profile, const struct ra_stats_n *n)
{
	fprintf(b, "%s\t%s\t%s\t%s\t%s\t%lld", month, domain, kind, profile_id,
	    profile, (long long)ra_stats_issued(n));
	fprintf(b, "\t%lld\t%lld\t%lld\t%lld\t%lld\t%lld\r\n",
	    (long long)n->v[RA_STATS_NEW], (long long)n->v[RA_STATS_RENEWED],
	    (long long)n->v[RA_STATS_VALID], (long long)n->v[RA_STATS_REVOKED],
	    (long long)n->v[RA_STATS_EXPIRED],
	    (long long)n->v[RA_STATS_WAITING]);
}

/*
 * The file of "st" into "*out" ("*len" bytes, the caller frees).  The
 * text is ours but for the profile and kind names, which are CP932.
 */
enum ra_err
ra_stats_tsv(const struct ra_stats *st, unsigned char **out, size_t *len)
{
	const struct ra_stats_row	*r;
	FILE				*fp;
	char				*text = NULL;
	size_t				 textlen = 0;
	int				 failed;
	char				 m[8], pid[16];
	char				*sj = NULL;
	size_t				 i, k;
	int				 j;

	*out = NULL;
	*len = 0;
	if ((fp = open_memstream(&text, &textlen)) == NULL)
		return RA_ENOMEM;
	for (k = 0; k < RA_NITEMS(tsv_header); k++)
		fprintf(fp, "%s%s", k > 0 ? "\t" : "", tsv_header[k]);
	fprintf(fp, "\r\n");
	for (i = 0; i < st->nrows; i++) {
		r = &st->rows[i];
		snprintf(pid, sizeof(pid), "%d", r->profile_id);
		for (j = 0; j < st->nmonths; j++) {
			if (ra_stats_issued(&r->month[j]) == 0)
				continue;
			ra_stats_month(st->first + j, m);
			line(fp, m, r->domain[0] != '\0' ? r->domain : NO_DOMAIN,
			    r->kind_ja, pid, r->profile_ja, &r->month[j]);
		}
		line(fp, PERIOD_TOTAL, r->domain[0] != '\0' ? r->domain :
		    NO_DOMAIN, r->kind_ja, pid, r->profile_ja, &r->total);
	}
	for (j = 0; j < st->nmonths; j++) {
		ra_stats_month(st->first + j, m);
		line(fp, m, ALL_ROWS, ALL_ROWS, "", "", &st->month[j]);
	}
	line(fp, PERIOD_TOTAL, ALL_ROWS, ALL_ROWS, "", "", &st->total);
	failed = ferror(fp);
	if (fclose(fp) != 0 || failed || text == NULL) {
		free(text);
		return RA_ENOMEM;
	}
	sj = ra_recode(text, "CP932");
	free(text);
	if (sj == NULL)
		return RA_ESYS;
	*out = (unsigned char *)sj;
	*len = strlen(sj);
	return RA_OK;
}
