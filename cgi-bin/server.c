/*
 * server.cgi: ① サーバ証明書 発行・更新・失効, the upload screen and its
 * shell twin (lib/uploadscreen.c; rules in lib/upload-server.c):
 *
 *	server.cgi --officer ID --action issue|renew|revoke
 *	    [--mode abort|partial|dry-run] FILE
 *	server.cgi --officer ID --reissue SERIAL
 *
 * --reissue (the screen's 証明書取得URL再発行) mails the user administrator
 * a fresh retrieval URL for a certificate still 取得待ち, the old URL
 * voided (lib/retrieve.c).
 */
#include "ra.h"
#include "web.h"

static const struct ra_upload_screen upload = {
	.program = "server.cgi", .kind = RA_UPLOAD_SERVER, .interface = 1,
	.tmpl = "server.cs", .col_name = -1, .col_affiliation = -1,
	.col_mail = -1, .reissue = 1, .show_cn = 1
};

static enum ra_err
server(struct ra_req *r)
{
	return ra_upload_screen(r, &upload);
}

int
main(int argc, char *argv[])
{
	static const struct ra_screen sc = { ra_upload_fields,
	    RA_UPLOAD_FIELDS, server, RA_DB_OFFICER };

	return ra_web_main(argc, argv, &sc);
}
