/*
 * codesigndl.cgi: ⑪'s certificate information, codesignAll.tsv: the
 * institution's code-signing certificates in the 46-column layout of ②
 * and ④ (lib/export.c, lib/exportscreen.c), column 17 the key-protection
 * statement.  Needs a session and interface ⑪.  From a shell:
 *
 *	codesigndl.cgi --officer ID	the same TSV on standard output
 */
#include "ra.h"
#include "web.h"

static const struct ra_export_screen export = {
	"codesigndl.cgi", RA_EXPORT_CODESIGN, 11, "codesignAll.tsv",
	"codesign.export", NULL, NULL
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
