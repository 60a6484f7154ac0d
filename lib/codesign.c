/*
 * codesign.c: code-signing certificates besides their row rules
 * (upload-codesign.c): the declared key-protection statements as the ⑪
 * screen lists them, and the desk's paper route.  The live service takes
 * code-signing applications on paper (an Excel form with the CSR, mailed
 * to the desk, reference §1.5); the desk types them into the TSV frame
 * and runs them through the very rules of ⑪, with no RA officer: the
 * institution's own O/ST/L and domains, audited as the desk.
 *
 *	desk.cgi codesign-add --institution CODE --file F.tsv
 *	    [--action issue|renew] [--dry-run]
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ClearSilver.h>

#include "ra.h"
#include "domain.h"
#include "desk.h"
#include "web.h"

#define PAPER_MAX	(1024 * 1024)	/* a desk types a few rows */

static const char SQL_KEY_PROTECTIONS[] =
    "SELECT code, name_ja, name_en, basis FROM ra.key_protection"
    " WHERE active ORDER BY code";
static const char SQL_INSTITUTION[] =
    "SELECT i.institution_id, i.name_en, i.st, i.l,"
    "       i.status = 'active' AND current_date BETWEEN i.usage_from"
    "         AND i.usage_until AS active,"
    "       coalesce(pg_catalog.string_agg(d.name, ','), '') AS domains"
    "  FROM ra.institution i"
    "  LEFT JOIN ra.domain d ON d.institution_id = i.institution_id"
    " WHERE i.code = $1"
    " GROUP BY i.institution_id, i.name_en, i.st, i.l, i.status,"
    "          i.usage_from, i.usage_until";

/* What a paper run did, for the desk's audit row. */
static const char SQL_RUN_DETAIL[] =
    "SELECT pg_catalog.jsonb_build_object('file', $1::text,"
    "  'rows_ok', $2::integer, 'rows_ng', $3::integer,"
    "  'dry_run', $4::boolean, 'kept', $5::boolean)::text AS detail";

/* ⑪ lists the statements column 12 may name (KeyProtection.N.*). */
enum ra_err
ra_codesign_page(struct ra_req *r)
{
	static const char *const col[] = { "code", "name_ja", "name_en",
	    "basis" };
	static const char *const key[] = { "Code", "NameJa", "NameEn",
	    "Basis" };
	PGresult	*res = NULL;
	char		 name[64];
	size_t		 k;
	int		 i;
	enum ra_err	 er;

	if ((er = ra_db_run(r->db, "key protections", SQL_KEY_PROTECTIONS,
	    &res, NULL, 0)) != RA_OK)
		return er;
	for (i = 0; i < PQntuples(res); i++)
		for (k = 0; k < RA_NITEMS(col); k++) {
			snprintf(name, sizeof(name), "KeyProtection.%d.%s", i,
			    key[k]);
			hdf_set_value(r->page, name, ra_get_text(res, i,
			    col[k]));
		}
	PQclear(res);
	return RA_OK;
}

/*
 * The upload context of institution "code" with no officer: its O/ST/L
 * and all its domains.  RA_EPOLICY (error 215) when it is not active.
 * Close it with ra_upload_officer_close whatever this returns.
 */
static enum ra_err
desk_ctx_open(PGconn *db, const struct ra_conf *conf, const char *code,
    const char *actor, struct ra_upload_officer *oc)
{
	enum ra_err	 er;

	memset(oc, 0, sizeof(*oc));
	if ((er = ra_db_run1(db, "institution", SQL_INSTITUTION, &oc->res,
	    RA_ARGS(RA_TEXT(code)))) != RA_OK) {
		if (er != RA_ENOTFOUND)
			return er;
		ra_warnx("institution %s is not registered", code);
		return RA_EINPUT;
	}
	oc->up.actor = actor;
	return ra_upload_officer_fill(db, conf, oc);
}

/*
 * The run's own desk audit row, under the operator, after the upload
 * (which audits its batch and rows as every upload does).
 */
static enum ra_err
paper_audit(struct ra_desk *d, const struct ra_upload_officer *oc,
    const char *file, const struct ra_upload_result *res, int dry)
{
	PGresult	*det = NULL;
	int64_t		 inst;
	enum ra_err	 er;

	if ((er = ra_get_i64(oc->res, 0, "institution_id", &inst)) == RA_OK &&
	    (er = ra_db_run1(d->db, "audit detail", SQL_RUN_DETAIL, &det,
	    RA_ARGS(RA_TEXT(file), RA_INT((int64_t)res->ok),
	    RA_INT((int64_t)res->ng), RA_TEXT(dry ? "true" : "false"),
	    RA_TEXT(res->committed ? "true" : "false")))) == RA_OK)
		er = desk_audit(d, "desk.codesign.add", inst, 0,
		    ra_get_text(det, 0, "detail"));
	PQclear(det);
	return er;
}

/*
 * desk.cgi codesign-add: the paper route, in the desk's context "d" (the
 * operator).  Prints the result TSV (UTF-8); RA_EDONE (exit 1) when a
 * row is NG, and then nothing is kept.
 */
enum ra_err
ra_codesign_desk(struct ra_req *r, struct ra_desk *d)
{
	static const struct option lopts[] = {
		{ "institution", required_argument, NULL, 'i' },
		{ "file", required_argument, NULL, 'f' },
		{ "action", required_argument, NULL, 'a' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 }
	};
	struct ra_upload_officer oc;
	struct ra_desk_args	 a;
	struct ra_upload_result	*res = NULL;
	enum ra_tsv_action	 action = RA_TSV_ISSUE;
	const char		*code = NULL, *file = NULL, *base;
	char			*buf = NULL;
	size_t			 len, i;
	int			 ch, dry = 0;
	enum ra_err		 er;

	memset(&oc, 0, sizeof(oc));
	optind = 0;
	while ((ch = getopt_long(r->argc, r->argv, "", lopts, NULL)) != -1)
		switch (ch) {
		case 'i':
			code = optarg;
			break;
		case 'f':
			file = optarg;
			break;
		case 'a':
			/* Revocation on paper goes through an officer's ⑪. */
			if (strcmp(optarg, "issue") == 0)
				action = RA_TSV_ISSUE;
			else if (strcmp(optarg, "renew") == 0)
				action = RA_TSV_RENEW;
			else
				return RA_EUSAGE;
			break;
		case 'n':
			dry = 1;
			break;
		default:
			return RA_EUSAGE;
		}
	if (code == NULL || file == NULL || optind != r->argc) {
		fprintf(stderr, "usage: desk.cgi codesign-add --institution CODE "
		    "--file F.tsv [--action issue|renew] [--dry-run]\n");
		return RA_EUSAGE;
	}
	memset(&a, 0, sizeof(a));
	a.institution = code;
	if ((er = ra_read_file(file, PAPER_MAX, &buf, &len)) != RA_OK)
		goto out;
	if ((er = desk_ctx_open(d->db, &r->conf, code, d->actor, &oc)) !=
	    RA_OK) {
		if (er == RA_EINPUT || er == RA_EPOLICY)
			er = desk_refused(d, desk_why(d, er, er == RA_EPOLICY ?
			    "215: the institution is not active" :
			    "the institution is not registered"),
			    "desk.codesign.add", &a);
		goto out;
	}
	if ((res = calloc(1, sizeof(*res))) == NULL) {
		er = RA_ENOMEM;
		goto out;
	}
	base = strrchr(file, '/');
	if ((er = ra_upload(&oc.up, RA_UPLOAD_CODESIGN, action, dry ?
	    RA_UPLOAD_DRYRUN : RA_UPLOAD_ABORT, base != NULL ? base + 1 : file,
	    buf, len, res)) != RA_OK)
		goto out;
	if (res->result != NULL)
		fputs(res->result, stdout);
	for (i = 0; res->file_error && i < res->e.n; i++)
		fprintf(stderr, "%s\n", res->e.v[i].text);
	if (paper_audit(d, &oc, base != NULL ? base + 1 : file, res, dry) !=
	    RA_OK)
		ra_warnx("desk.cgi codesign-add: the run is not audited");
	fprintf(stderr, "desk.cgi codesign-add: %zu OK, %zu NG; %s\n", res->ok,
	    res->ng, res->committed ? "done" : "nothing was kept");
	if (res->file_error || res->ng > 0)
		er = RA_EDONE;
out:
	if (res != NULL)
		ra_upload_free(res);
	free(res);
	free(buf);
	ra_upload_officer_close(&oc);
	return er;
}
