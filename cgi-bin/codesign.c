/*
 * codesign.cgi: ⑪ コード署名用証明書-発行・更新・失効, the upload screen and
 * its shell twin (lib/uploadscreen.c; rules in lib/upload-codesign.c),
 * listing the key-protection statements column 12 may name:
 *
 *	codesign.cgi --officer ID --action issue|renew|revoke
 *	    [--mode abort|partial|dry-run] FILE
 */
#include "ra.h"
#include "web.h"

static const struct ra_upload_screen upload = {
	"codesign.cgi", RA_UPLOAD_CODESIGN, 11, "codesign.cs", -1, -1, -1, 0, 0,
	ra_codesign_page
};

static enum ra_err
codesign(struct ra_req *r)
{
	return ra_upload_screen(r, &upload);
}

int
main(int argc, char *argv[])
{
	static const struct ra_screen sc = { ra_upload_fields,
	    RA_UPLOAD_FIELDS, codesign, RA_DB_OFFICER };

	return ra_web_main(argc, argv, &sc);
}
