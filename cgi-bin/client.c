/*
 * client.cgi: ③ クライアント証明書 発行・更新・失効, client and S/MIME
 * certificates, the upload screen and its shell twin (lib/uploadscreen.c;
 * rules in lib/upload-client.c):
 *
 *	client.cgi --officer ID --action issue|renew|revoke
 *	    [--mode abort|partial|dry-run] FILE
 *	client.cgi --officer ID --reissue SERIAL|MAIL
 *
 * --reissue (the screen's 証明書取得URL再発行) mails a user a fresh
 * certificate URL for the same access PIN.
 */
#include "ra.h"
#include "web.h"

/* The result table's 所属名, 氏名, メールアドレス: TSV columns 13, 11, 14. */
static const struct ra_upload_screen upload = {
	"client.cgi", RA_UPLOAD_CLIENT, 3, "client.cs", 10, 12, 13, 1, 0
};

static enum ra_err
client(struct ra_req *r)
{
	return ra_upload_screen(r, &upload);
}

int
main(int argc, char *argv[])
{
	static const struct ra_screen sc = { ra_upload_fields,
	    RA_UPLOAD_FIELDS, client, RA_DB_OFFICER };

	return ra_web_main(argc, argv, &sc);
}
