/*
 * codesign.cgi: ⑪ コード署名用証明書-発行・更新・失効, the upload screen and
 * its shell twin (lib/uploadscreen.c; rules in lib/upload-codesign.c),
 * listing the key-protection statements column 12 may name:
 *
 *	codesign.cgi --officer ID --action issue|renew|revoke
 *	    [--mode abort|partial|dry-run] FILE
 *	codesign.cgi --officer ID --reissue SERIAL
 *
 * --reissue (証明書取得URL再発行) as server.cgi's: a fresh retrieval URL
 * for a certificate still 取得待ち, the old one voided.
 */
#include "ra.h"
#include "web.h"

static const struct ra_upload_screen upload = {
	.program = "codesign.cgi", .kind = RA_UPLOAD_CODESIGN, .interface = 11,
	.tmpl = "codesign.cs", .col_name = -1, .col_affiliation = -1,
	.col_mail = -1, .reissue = 1, .page = ra_codesign_page, .show_cn = 1
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
