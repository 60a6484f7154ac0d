/*
 * exportscreen.c: the screens ② and ④ 証明書情報一括ダウンロード
 * (download.cgi, clientdl.cgi): the institution's certificates in the
 * 46-column layout (lib/export.c), as a Shift_JIS TSV attachment, after
 * the session, the interface's permission and an audit row.  From a
 * shell, "--officer ID" writes the same TSV to standard output.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ra.h"
#include "web.h"

/*
 * Who took the institution's certificate list, before it goes out; actor
 * NULL: the officer.
 */
static enum ra_err
audit_export(const struct ra_export_screen *es, PGconn *db, int64_t inst,
    int64_t officer, const char *actor)
{
	struct ra_event	 ev;

	memset(&ev, 0, sizeof(ev));
	ev.event = es->event;
	ev.outcome = "ok";
	ev.actor = actor;
	ev.institution_id = inst;
	ev.officer_id = officer;
	ev.source_ip = ra_req_env("REMOTE_ADDR");
	return ra_audit(db, &ev);
}

static enum ra_err
shell(struct ra_req *r, const struct ra_export_screen *es)
{
	int64_t		 inst, officer;
	enum ra_err	 er;

	if (r->argc != 2 || strcmp(r->argv[0], "--officer") != 0 ||
	    !ra_field_i64(r->argv[1], 1, INT64_MAX, &officer)) {
		fprintf(stderr, "usage: %s --officer ID\n", es->program);
		return RA_EUSAGE;
	}
	if ((er = ra_req_db(r, r->zone)) != RA_OK)
		return er;
	if ((er = ra_officer_institution(r->db, officer, &inst)) ==
	    RA_ENOTFOUND) {
		ra_warnx("officer %s is not registered or not active",
		    r->argv[1]);
		return RA_EINPUT;
	}
	if (er != RA_OK)
		return er;
	if ((er = audit_export(es, r->db, inst, officer, "cli")) == RA_OK)
		er = ra_export(r->db, inst, officer, es->kind, stdout);
	return er;
}

static enum ra_err
screen(struct ra_req *r, const struct ra_export_screen *es)
{
	struct ra_officer	 o;
	enum ra_err		 er;

	if ((er = ra_officer_open(r, &o)) != RA_OK)
		return er;
	if (!o.perm[es->interface])
		return RA_EDENIED;
	if ((er = audit_export(es, r->db, o.institution_id, o.officer_id,
	    NULL)) != RA_OK)
		return er;
	printf("Status: 200\r\nContent-Type: text/tab-separated-values; "
	    "charset=Shift_JIS\r\nContent-Disposition: attachment; "
	    "filename=\"%s\"\r\nCache-Control: no-store\r\n\r\n",
	    es->filename);
	/* Headers are out: a failure now can only cut the file short. */
	if ((er = ra_export(r->db, o.institution_id, o.officer_id, es->kind,
	    stdout)) != RA_OK)
		ra_warnx("download cut short: %s", ra_strerror(er));
	return RA_OK;
}

enum ra_err
ra_export_screen(struct ra_req *r, const struct ra_export_screen *es)
{
	return r->is_cgi ? screen(r, es) : shell(r, es);
}
