/*
 * tsurl.cgi: ⑨ タイムスタンプURL.  The time-stamp URLs code signers are to
 * use (Tsa.URL, else ra's own responder, tsa.cgi) and for each the
 * command of signtool, jarsigner and osslsigncode and Acrobat's settings
 * (lib/tsurl.c).  Needs a session and interface ⑨.  From a shell it
 * prints the same URLs and commands:
 *
 *	tsurl.cgi
 */
#include <stdio.h>

#include "ra.h"
#include "web.h"

static enum ra_err
tsurl(struct ra_req *r)
{
	struct ra_officer	 o;
	enum ra_err		 er;

	if (!r->is_cgi) {
		if (r->argc != 0) {
			fprintf(stderr, "usage: tsurl.cgi\n");
			return RA_EUSAGE;
		}
		if ((er = ra_tsurl_page(&r->conf, r->page)) != RA_OK)
			return er;
		ra_tsurl_print(r->page, stdout);
		return fflush(stdout) == 0 ? RA_OK : RA_ESYS;
	}
	if ((er = ra_officer_open(r, &o)) != RA_OK)
		return er;
	if (!o.perm[9])
		return RA_EDENIED;
	if ((er = ra_tsurl_page(&r->conf, r->page)) != RA_OK)
		return er;
	ra_officer_page(r, &o);
	return ra_render(r, 200, "tsurl.cs");
}

int
main(int argc, char *argv[])
{
	static const struct ra_screen sc = { NULL, 0, tsurl, RA_DB_OFFICER };

	return ra_web_main(argc, argv, &sc);
}
