/*
 * alldl.cgi: ⑥ 全証明書情報一括ダウンロード.  Every certificate the
 * officer's uploads made: the server certificates under the officer's
 * domains (as ②), the institution's client, S/MIME and code-signing
 * certificates (as ④; they name no host), in the one 46-column layout
 * of ② and ④ (lib/export.c, lib/exportscreen.c).  The screen first
 * offers Shift_JIS (what integrators read, the default) or UTF-8 (for
 * other tools).  Needs a session and interface ⑥.  From a shell:
 *
 *	alldl.cgi --officer ID [--utf8]	the same TSV on standard output
 */
#include "ra.h"
#include "web.h"

static const struct ra_export_screen export = {
	"alldl.cgi", RA_EXPORT_ALL, 6, "certAll.tsv", "all.export",
	"alldl.cs", NULL
};

static enum ra_err
run(struct ra_req *r)
{
	return ra_export_screen(r, &export);
}

int
main(int argc, char *argv[])
{
	static const struct ra_screen sc = { ra_export_fields,
	    RA_EXPORT_FIELDS, run, RA_DB_OFFICER };

	return ra_web_main(argc, argv, &sc);
}
