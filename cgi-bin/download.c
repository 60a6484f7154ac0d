/*
 * download.cgi: ② サーバ証明書 証明書情報一括ダウンロード.  The
 * institution's server certificates under the officer's domains, in the
 * 46-column layout integrators read by position, as a Shift_JIS TSV
 * (lib/export.c, lib/exportscreen.c).  Needs a session and interface
 * ②.  From a shell:
 *
 *	download.cgi --officer ID	the same TSV on standard output
 */
#include "ra.h"
#include "web.h"

static const struct ra_export_screen export = {
	"download.cgi", RA_EXPORT_SERVER, 2, "serverAll.tsv", "server.export",
	NULL, NULL
};

static enum ra_err
run(struct ra_req *r)
{
	return ra_export_screen(r, &export);
}

int
main(int argc, char *argv[])
{
	static const struct ra_screen sc = { NULL, 0, run, RA_DB_OFFICER };

	return ra_web_main(argc, argv, &sc);
}
