/*
 * batch.cgi: アップロード履歴 -- the RA officer's recent uploads, each with
 * its file, its rows accepted and refused, how far the worker is with its
 * requests and a link to its result TSV; "?id=N" one batch's progress
 * bar, which reloads itself (no JavaScript) while the worker still has
 * requests of it.  Needs a session; any interface, since each batch is
 * the officer's own.  From a shell, the same as TSV:
 *
 *	batch.cgi --officer ID [--batch N]
 */
#include <stdio.h>
#include <string.h>

#include "ra.h"
#include "web.h"

static const struct ra_field fields[] = {
	{ "id",	18,	ra_valid_digits,	RA_FIELD_TEXT },
};

static enum ra_err
shell(struct ra_req *r)
{
	int64_t		 officer, inst, batch = 0;
	enum ra_err	 er;

	if ((r->argc != 2 && r->argc != 4) ||
	    strcmp(r->argv[0], "--officer") != 0 ||
	    !ra_field_i64(r->argv[1], 1, INT64_MAX, &officer) ||
	    (r->argc == 4 && (strcmp(r->argv[2], "--batch") != 0 ||
	    !ra_field_i64(r->argv[3], 1, INT64_MAX, &batch)))) {
		fprintf(stderr, "usage: batch.cgi --officer ID [--batch N]\n");
		return RA_EUSAGE;
	}
	if ((er = ra_officer_shell(r, officer, &inst)) == RA_OK &&
	    (er = ra_batch_page(r->db, officer, inst, batch,
	    r->page)) == RA_ENOTFOUND)
		ra_warnx("batch %s is not officer %s's", r->argv[3], r->argv[1]);
	if (er != RA_OK)
		return er;
	ra_batch_print(r->page, stdout);
	return fflush(stdout) == 0 ? RA_OK : RA_ESYS;
}

static enum ra_err
screen(struct ra_req *r)
{
	struct ra_officer	 o;
	const char		*f[RA_NITEMS(fields)] = { NULL };
	int64_t			 batch = 0;
	enum ra_err		 er;

	if ((er = ra_form_get(r, fields, RA_NITEMS(fields), f)) != RA_OK)
		return er;
	if ((er = ra_officer_open(r, &o)) != RA_OK)
		return er;
	if (f[0] != NULL && !ra_field_i64(f[0], 1, INT64_MAX, &batch))
		return RA_EINPUT;
	if ((er = ra_batch_page(r->db, o.officer_id, o.institution_id, batch,
	    r->page)) == RA_ENOTFOUND) {
		r->refusal = "not a batch of this officer";
		return er;
	}
	if (er != RA_OK)
		return er;
	hdf_set_int_value(r->page, "Batch.One", batch != 0);
	ra_officer_page(r, &o);
	return ra_render(r, 200, "batch.cs");
}

static enum ra_err
run(struct ra_req *r)
{
	return r->is_cgi ? screen(r) : shell(r);
}

int
main(int argc, char *argv[])
{
	static const struct ra_screen sc = { fields, RA_NITEMS(fields), run,
	    RA_DB_OFFICER };

	return ra_web_main(argc, argv, &sc);
}
