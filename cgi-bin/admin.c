/*
 * admin.cgi: ⑤ 利用管理者情報 更新, a TSV that gives certificates of the
 * officer's reach a new user administrator (name, affiliation, mail),
 * the upload screen and its shell twin (lib/uploadscreen.c; rules in
 * lib/upload-admin.c; the layout in admin.cgi(8)):
 *
 *	admin.cgi --officer ID [--action update]
 *	    [--mode abort|partial|dry-run] FILE
 */
#include "ra.h"
#include "web.h"

/* The result table's 所属名, 氏名, メールアドレス: TSV columns 4, 3, 5. */
static const struct ra_upload_screen upload = {
	"admin.cgi", RA_UPLOAD_ADMIN, 5, "admin.cs", 2, 3, 4, 0, 1
};

static enum ra_err
admin(struct ra_req *r)
{
	return ra_upload_screen(r, &upload);
}

int
main(int argc, char *argv[])
{
	static const struct ra_screen sc = { ra_upload_fields,
	    RA_UPLOAD_FIELDS, admin, RA_DB_OFFICER };

	return ra_web_main(argc, argv, &sc);
}
