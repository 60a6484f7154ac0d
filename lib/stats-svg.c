/*
 * stats-svg.c: ⑦'s monthly chart, drawn here as SVG: no script, no
 * font to fetch (the generic sans-serif), nothing from outside the page.
 * One bar a month, new and renewed stacked; renewals are hatched as well
 * as lighter, and every bar carries its number as text, so the chart
 * reads without colour.  The title and the description (every month's
 * numbers in words) are what a screen reader says of it.  Only numbers
 * and month names go in: nothing of it needs escaping.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ra.h"
#include "domain.h"

#define SVG_W		720
#define SVG_H		300
#define PLOT_L		56	/* room for the axis' numbers */
#define PLOT_R		12
#define PLOT_T		40	/* room for the legend */
#define PLOT_B		48	/* room for the months */

/*
 * The axis' top: four steps of 1, 2 or 5 times a power of ten, so the
 * four tick labels are whole numbers and reach at least "max".
 */
static int64_t
axis_top(int64_t max)
{
	int64_t	 p = 1, need = (max + 3) / 4;

	if (need < 1)
		return 4;
	for (;;) {
		if (p >= need)
			return 4 * p;
		if (2 * p >= need)
			return 8 * p;
		if (5 * p >= need)
			return 20 * p;
		if (p > INT64_MAX / 100)
			return 4 * need;
		p *= 10;
	}
}

/* The chart's words: Japanese with English (as now), or English alone. */
struct svg_words {
	const char	*title, *to, *title_tail, *desc, *new_, *renewed, *stop;
	const char	*legend_new, *legend_renewed;
};
static const struct svg_words words_ja = {
	"月別発行数 ", "〜", " (certificates issued per month)",
	"月ごとの発行数の棒グラフ。新規は塗りつぶし、更新は斜線で積み上げ。",
	"新規", "更新", "。", "新規 (new)", "更新 (renewal)"
};
static const struct svg_words words_en = {
	"Certificates issued per month, ", " to ", "",
	"Bar chart of certificates issued per month: new ones solid,"
	" renewals hatched above them. ",
	"new", "renewed", ". ", "new", "renewal"
};

static void
legend(FILE *b, const struct svg_words *wd)
{
	fprintf(b, "<g class=\"legend\">"
	    "<rect x=\"%d\" y=\"10\" width=\"14\" height=\"14\" fill=\"#1d3c6e\"/>"
	    "<text x=\"%d\" y=\"22\">%s</text>"
	    "<rect x=\"%d\" y=\"10\" width=\"14\" height=\"14\" fill=\"url(#ra-hatch)\""
	    " stroke=\"#1d3c6e\"/>"
	    "<text x=\"%d\" y=\"22\">%s</text></g>\n",
	    PLOT_L, PLOT_L + 20, wd->legend_new, PLOT_L + 120, PLOT_L + 140,
	    wd->legend_renewed);
}

/* The vertical axis, with four steps up to "top". */
static void
axis(FILE *b, int64_t top)
{
	int	 i, y, h = SVG_H - PLOT_T - PLOT_B;

	fprintf(b, "<g class=\"axis\" stroke=\"#888\">"
	    "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>"
	    "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/></g>\n",
	    PLOT_L, PLOT_T, PLOT_L, SVG_H - PLOT_B,
	    PLOT_L, SVG_H - PLOT_B, SVG_W - PLOT_R, SVG_H - PLOT_B);
	for (i = 0; i <= 4; i++) {
		y = SVG_H - PLOT_B - h * i / 4;
		fprintf(b, "<text class=\"tick\" x=\"%d\" y=\"%d\" text-anchor=\"end\">"
		    "%lld</text>", PLOT_L - 6, y + 4, (long long)(top * i / 4));
		if (i > 0)
			fprintf(b, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\""
			    " stroke=\"#ddd\"/>", PLOT_L + 1, y, SVG_W - PLOT_R, y);
	}
	fprintf(b, "\n");
}

/* Month "j": its bar (new below, renewed above), number and name. */
static void
bar(FILE *b, const struct ra_stats *st, int j, int64_t top, int every,
    const struct svg_words *wd)
{
	const struct ra_stats_n	*n = &st->month[j];
	char			 m[8];
	int			 slot, w, x, h = SVG_H - PLOT_T - PLOT_B;
	int			 hn, hr, base = SVG_H - PLOT_B;

	ra_stats_month(st->first + j, m);
	slot = (SVG_W - PLOT_L - PLOT_R) / st->nmonths;
	w = slot * 3 / 5 > 1 ? slot * 3 / 5 : 1;
	x = PLOT_L + slot * j + (slot - w) / 2;
	hn = (int)(n->v[RA_STATS_NEW] * h / top);
	hr = (int)(n->v[RA_STATS_RENEWED] * h / top);
	fprintf(b, "<g class=\"month\" data-month=\"%s\" data-new=\"%lld\""
	    " data-renewed=\"%lld\">", m, (long long)n->v[RA_STATS_NEW],
	    (long long)n->v[RA_STATS_RENEWED]);
	fprintf(b, "<rect class=\"new\" x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\""
	    " fill=\"#1d3c6e\"><title>%s %s %lld</title></rect>",
	    x, base - hn, w, hn, m, wd->new_, (long long)n->v[RA_STATS_NEW]);
	fprintf(b, "<rect class=\"renewed\" x=\"%d\" y=\"%d\" width=\"%d\""
	    " height=\"%d\" fill=\"url(#ra-hatch)\" stroke=\"#1d3c6e\">"
	    "<title>%s %s %lld</title></rect>", x, base - hn - hr, w, hr, m,
	    wd->renewed, (long long)n->v[RA_STATS_RENEWED]);
	/* The number over the bar; a thin bar's only in its title. */
	if (slot >= 20)
		fprintf(b, "<text class=\"count\" x=\"%d\" y=\"%d\""
		    " text-anchor=\"middle\">%lld</text>", x + w / 2,
		    base - hn - hr - 4, (long long)ra_stats_issued(n));
	if (j % every == 0)
		fprintf(b, "<text class=\"label\" x=\"%d\" y=\"%d\""
		    " text-anchor=\"middle\">%s</text>", x + w / 2, base + 16, m);
	fprintf(b, "</g>\n");
}

/*
 * The chart of "st" as an <svg> element into "*out" (caller frees), its
 * words in "lang" ("en"; anything else is Japanese with English).
 */
enum ra_err
ra_stats_svg(const struct ra_stats *st, const char *lang, char **out)
{
	const struct svg_words *wd = lang != NULL && strcmp(lang, "en") == 0 ?
	    &words_en : &words_ja;
	FILE		*fp;
	char		*text = NULL;
	size_t		 textlen = 0;
	int		 failed;
	char		 m0[8], m1[8], m[8];
	int64_t		 max = 0;
	int		 j, every;

	*out = NULL;
	if (st->nmonths < 1)
		return RA_EINPUT;
	if ((fp = open_memstream(&text, &textlen)) == NULL)
		return RA_ENOMEM;
	for (j = 0; j < st->nmonths; j++)
		if (ra_stats_issued(&st->month[j]) > max)
			max = ra_stats_issued(&st->month[j]);
	/* Month names 60 pixels apart at least. */
	every = (st->nmonths * 60 + SVG_W - PLOT_L - PLOT_R - 1) /
	    (SVG_W - PLOT_L - PLOT_R);
	if (every < 1)
		every = 1;
	ra_stats_month(st->first, m0);
	ra_stats_month(st->first + st->nmonths - 1, m1);
	fprintf(fp, "<svg xmlns=\"http://www.w3.org/2000/svg\" id=\"stats-chart\""
	    " role=\"img\" aria-labelledby=\"stats-chart-title stats-chart-desc\""
	    " width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\""
	    " font-family=\"sans-serif\" font-size=\"11\">\n",
	    SVG_W, SVG_H, SVG_W, SVG_H);
	fprintf(fp, "<title id=\"stats-chart-title\">%s%s%s%s%s</title>\n",
	    wd->title, m0, wd->to, m1, wd->title_tail);
	fprintf(fp, "<desc id=\"stats-chart-desc\">%s", wd->desc);
	for (j = 0; j < st->nmonths; j++) {
		ra_stats_month(st->first + j, m);
		fprintf(fp, "%s: %s %lld, %s %lld%s", m, wd->new_,
		    (long long)st->month[j].v[RA_STATS_NEW], wd->renewed,
		    (long long)st->month[j].v[RA_STATS_RENEWED], wd->stop);
	}
	fprintf(fp, "</desc>\n<defs><pattern id=\"ra-hatch\" width=\"6\" height=\"6\""
	    " patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\">"
	    "<rect width=\"6\" height=\"6\" fill=\"#c8d4ea\"/>"
	    "<line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" stroke=\"#1d3c6e\""
	    " stroke-width=\"2\"/></pattern></defs>\n");
	legend(fp, wd);
	axis(fp, axis_top(max));
	for (j = 0; j < st->nmonths; j++)
		bar(fp, st, j, axis_top(max), every, wd);
	fprintf(fp, "</svg>\n");
	failed = ferror(fp);
	if (fclose(fp) != 0 || failed || text == NULL) {
		free(text);
		return RA_ENOMEM;
	}
	*out = text;
	return RA_OK;
}
