/*
 * clientdl.cgi: ④ クライアント証明書 証明書情報一括ダウンロード.  The
 * institution's client and S/MIME certificates, in the 46-column layout
 * of ② (integrators read both by position), as a Shift_JIS TSV
 * (lib/export.c).  A client CN names a person, not a host under a
 * domain, so the whole institution is listed.  Needs a session and
 * interface ④.  From a shell:
 *
 *	clientdl.cgi --officer ID	the same TSV on standard output
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ra.h"
#include "web.h"

/*
 * Who took the institution's list of people's certificates, before it
 * goes out; actor NULL: the officer.
 */
static enum ra_err
audit_export(PGconn *db, int64_t inst, int64_t officer, const char *actor)
{
	struct ra_event	 ev;

	memset(&ev, 0, sizeof(ev));
	ev.event = "client.export";
	ev.outcome = "ok";
	ev.actor = actor;
	ev.institution_id = inst;
	ev.officer_id = officer;
	ev.source_ip = ra_req_env("REMOTE_ADDR");
	return ra_audit(db, &ev);
}

static enum ra_err
shell(struct ra_req *r)
{
	int64_t		 inst, officer;
	enum ra_err	 er;

	if (r->argc != 2 || strcmp(r->argv[0], "--officer") != 0 ||
	    !ra_field_i64(r->argv[1], 1, INT64_MAX, &officer)) {
		fprintf(stderr, "usage: clientdl.cgi --officer ID\n");
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
	if ((er = audit_export(r->db, inst, officer, "cli")) == RA_OK)
		er = ra_export(r->db, inst, officer, RA_EXPORT_CLIENT,
		    stdout);
	return er;
}

static enum ra_err
screen(struct ra_req *r)
{
	struct ra_officer	 o;
	enum ra_err		 er;

	if ((er = ra_officer_open(r, &o)) != RA_OK)
		return er;
	if (!o.perm[4])
		return RA_EDENIED;
	if ((er = audit_export(r->db, o.institution_id, o.officer_id, NULL)) !=
	    RA_OK)
		return er;
	printf("Status: 200\r\nContent-Type: text/tab-separated-values; "
	    "charset=Shift_JIS\r\nContent-Disposition: attachment; "
	    "filename=\"clientAll.tsv\"\r\nCache-Control: no-store\r\n\r\n");
	/* Headers are out: a failure now can only cut the file short. */
	if ((er = ra_export(r->db, o.institution_id, o.officer_id,
	    RA_EXPORT_CLIENT, stdout)) != RA_OK)
		ra_warnx("download cut short: %s", ra_strerror(er));
	return RA_OK;
}

static enum ra_err
clientdl(struct ra_req *r)
{
	return r->is_cgi ? screen(r) : shell(r);
}

int
main(int argc, char *argv[])
{
	static const struct ra_screen sc = { NULL, 0, clientdl,
	    RA_DB_OFFICER };

	return ra_web_main(argc, argv, &sc);
}
