/*
 * clientdl.cgi: ④ クライアント証明書 証明書情報一括ダウンロード.  The
 * institution's client and S/MIME certificates, in the 46-column layout
 * of ② (integrators read both by position), as a Shift_JIS TSV
 * (lib/export.c, lib/exportscreen.c).  A client CN names a person, not
 * a host under a domain, so the whole institution is listed.  Needs a
 * session and interface ④.  From a shell:
 *
 *	clientdl.cgi --officer ID	the same TSV on standard output
 */
#include "ra.h"
#include "web.h"

static const struct ra_export_screen export = {
	"clientdl.cgi", RA_EXPORT_CLIENT, 4, "clientAll.tsv", "client.export",
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
