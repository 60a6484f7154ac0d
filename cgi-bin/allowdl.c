/*
 * allowdl.cgi: ⑧ 許可リスト一括ダウンロード.  The OU allow list of the
 * domains the officer is registered for, one line per (domain, OU) under
 * the header "ドメイン名<TAB>OU", sorted, Shift_JIS, CRLF
 * (lib/allowlist.c, lib/exportscreen.c).  Only the desk changes the list
 * (desk.cgi ou-add, ou-remove).  Needs a session and interface ⑧.  From
 * a shell:
 *
 *	allowdl.cgi --officer ID	the same TSV on standard output
 */
#include "ra.h"
#include "web.h"

static const struct ra_export_screen export = {
	"allowdl.cgi", RA_EXPORT_SERVER /* unused: "write" is set */, 8,
	"allowList.tsv", "allow.export", NULL, ra_allowlist
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
