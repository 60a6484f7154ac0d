/*
 * Fuzz target "tsv": an upload file as ra_tsv_read gets it from the
 * upload screens (lib/uploadscreen.c reads the file into a buffer of its
 * length, not NUL-terminated): decoded as UTF-8 or CP932, split into
 * rows, each field checked against every format's column table for each
 * of its actions.  Promises checked: a refusal always says why; every
 * row has all its columns; no more rows than the cap.
 */
#include "ra.h"
#include "domain.h"
#include "fuzz.h"

#define MAX_RECORDS	20	/* small, so error 214 is reached too */

static const struct {
	const struct ra_tsv_format	*fmt;
	enum ra_tsv_action		 action;
} runs[] = {
	{ &ra_tsv_server, RA_TSV_ISSUE },
	{ &ra_tsv_server, RA_TSV_RENEW },
	{ &ra_tsv_server, RA_TSV_REVOKE },
	{ &ra_tsv_client, RA_TSV_ISSUE },
	{ &ra_tsv_client, RA_TSV_REVOKE },
	{ &ra_tsv_codesign, RA_TSV_ISSUE },
	{ &ra_tsv_codesign, RA_TSV_REVOKE },
	{ &ra_tsv_admin, RA_TSV_UPDATE },
	{ &ra_tsv_acme, RA_TSV_ISSUE },
};

/* Large: one for the process, its counters reset per read. */
static struct ra_tsv_errors	 errs;

static void
check(const struct ra_tsv *t, const struct ra_tsv_format *fmt)
{
	size_t	 i, c;
	int	 line = 0;

	fuzz_assert(t->nrows >= 1 && t->nrows <= MAX_RECORDS);
	for (i = 0; i < t->nrows; i++) {
		fuzz_assert(t->rows[i].line > line);
		line = t->rows[i].line;
		for (c = 0; c < fmt->ncols; c++) {
			fuzz_assert(t->rows[i].f[c] != NULL);
			fuzz_assert(ra_utf8_valid((const unsigned char *)
			    t->rows[i].f[c], strlen(t->rows[i].f[c])));
		}
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ra_tsv	 t;
	size_t		 i, k;
	enum ra_err	 er;

	for (i = 0; i < RA_NITEMS(runs); i++) {
		errs.n = errs.dropped = 0;
		er = ra_tsv_read((const char *)data, size, runs[i].fmt,
		    runs[i].action, MAX_RECORDS, &t, &errs);
		for (k = 0; k < errs.n; k++)
			fuzz_assert(strlen(errs.v[k].text) <
			    sizeof(errs.v[k].text));
		if (er == RA_OK) {
			check(&t, runs[i].fmt);
			ra_tsv_free(&t);
		} else
			fuzz_assert(er != RA_EINPUT ||
			    errs.n + errs.dropped > 0);
	}
	/* The extension rule of the same screens (error 209). */
	if (size < 256) {
		char	*s = fuzz_str(data, size);

		(void)ra_tsv_name_ok(s);
		(void)ra_text_formula(s);
		free(s);
	}
	return 0;
}
