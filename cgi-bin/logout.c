/*
 * logout.cgi: manual 3-4.  POST with the session's CSRF token ends the
 * session (audited) and removes the cookie; the page tells the officer to
 * close the browser, since the TLS client session outlives the cookie.
 */
#include <stdio.h>
#include <string.h>

#include "ra.h"
#include "web.h"

static enum ra_err
logout(struct ra_req *r)
{
	struct ra_officer	 o;
	struct ra_event		 ev;
	char			 header[160];
	enum ra_err		 er;

	if ((er = ra_officer_open(r, &o)) != RA_OK)
		return er;
	if (strcmp(ra_req_method(r), "POST") != 0)
		return RA_EMETHOD;
	if (!ra_officer_csrf_ok(r, &o))
		return RA_EDENIED;
	memset(&ev, 0, sizeof(ev));
	ev.event = "logout";
	ev.outcome = "ok";
	ev.officer_id = o.officer_id;
	ev.institution_id = o.institution_id;
	ev.source_ip = ra_req_env("REMOTE_ADDR");
	if ((er = ra_db_begin(r->db)) != RA_OK ||
	    (er = ra_officer_logout(r, &o)) != RA_OK ||
	    (er = ra_audit(r->db, &ev)) != RA_OK ||
	    (er = ra_db_commit(r->db)) != RA_OK) {
		ra_db_rollback(r->db);
		return er;
	}
	ra_officer_cookie(header, sizeof(header), NULL);
	r->set_cookie = header;
	return ra_render(r, 200, "logout.cs");
}

int
main(int argc, char *argv[])
{
	static const struct ra_field fields[] = { RA_FIELD_CSRF };
	static const struct ra_screen sc = { fields, RA_NITEMS(fields), logout,
	    RA_DB_OFFICER };

	return ra_web_main(argc, argv, &sc);
}
