/*
 * download.cgi: ② サーバ証明書 証明書情報一括ダウンロード.  The
 * institution's server certificates under the officer's domains, with
 * state, dates, serial, user administrator and PEM, as a Shift_JIS TSV
 * (lib/export.c).  Needs a session and interface ②.  From a shell:
 *
 *	download.cgi --officer ID	the same TSV on standard output
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ra.h"

static const char SQL_OFFICER[] =
    "SELECT institution_id FROM ra.officer"
    " WHERE officer_id = $1::bigint AND status = 'active'";

/*
 * Who took the institution's certificate list, before it goes out; actor
 * NULL: the officer.
 */
static enum ra_err
audit_export(PGconn *db, int64_t inst, int64_t officer, const char *actor)
{
	struct ra_event	 ev;

	memset(&ev, 0, sizeof(ev));
	ev.event = "server.export";
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
	PGresult	*res = NULL;
	const char	*param[1];
	int64_t		 inst, officer;
	enum ra_err	 er;

	if (r->argc != 2 || strcmp(r->argv[0], "--officer") != 0 ||
	    strspn(r->argv[1], "0123456789") != strlen(r->argv[1])) {
		fprintf(stderr, "usage: download.cgi --officer ID\n");
		return RA_EUSAGE;
	}
	param[0] = r->argv[1];
	if ((er = ra_req_db(r, r->zone)) != RA_OK ||
	    (er = ra_db_query(r->db, "officer", SQL_OFFICER, 1, param,
	    &res)) != RA_OK)
		return er;
	if (PQntuples(res) != 1) {
		ra_warnx("officer %s is not registered or not active",
		    r->argv[1]);
		PQclear(res);
		return RA_EINPUT;
	}
	inst = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	officer = strtoll(r->argv[1], NULL, 10);
	if ((er = audit_export(r->db, inst, officer, "cli")) == RA_OK)
		er = ra_export_server(r->db, inst, officer, stdout);
	return er;
}

static enum ra_err
screen(struct ra_req *r)
{
	struct ra_officer	 o;
	enum ra_err		 er;

	if ((er = ra_officer_open(r, &o)) != RA_OK)
		return er;
	if (!o.perm[2])
		return RA_EDENIED;
	if ((er = audit_export(r->db, o.institution_id, o.officer_id, NULL)) !=
	    RA_OK)
		return er;
	printf("Status: 200\r\nContent-Type: text/tab-separated-values; "
	    "charset=Shift_JIS\r\nContent-Disposition: attachment; "
	    "filename=\"serverAll.tsv\"\r\nCache-Control: no-store\r\n\r\n");
	/* Headers are out: a failure now can only cut the file short. */
	if ((er = ra_export_server(r->db, o.institution_id, o.officer_id,
	    stdout)) != RA_OK)
		ra_warnx("download cut short: %s", ra_strerror(er));
	return RA_OK;
}

static enum ra_err
download(struct ra_req *r)
{
	return r->is_cgi ? screen(r) : shell(r);
}

int
main(int argc, char *argv[])
{
	static const struct ra_screen sc = { NULL, 0, download,
	    RA_DB_OFFICER };

	return ra_web_main(argc, argv, &sc);
}
