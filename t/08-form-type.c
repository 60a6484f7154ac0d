/*
 * ra_form_type_ok: which Content-Types reach ClearSilver's multipart
 * reader.  One without a boundary it can find crashed every screen
 * (NULL dereference in rfc2388.c, found by t/fuzz/form.c); what browsers
 * and curl send must still pass.
 */
#include <stdlib.h>

#include "ra.h"
#include "web.h"
#include "tap.h"

int
main(void)
{
	static const char *const good[] = {
		NULL,
		"application/x-www-form-urlencoded",
		"text/plain; boundary",
		"multipart/form-data; boundary=----WebKitFormBoundary7MA4YWxkTrZu0gW",
		"multipart/form-data; boundary=------------------------d74496d66958873e",
		"Multipart/Form-Data;boundary=abc",
		"multipart/form-data; charset=UTF-8; boundary=x",
		"multipart/form-data; boundary=x ",
		/*
		 * RFC 7578 4.1 and RFC 2046 5.1.1 let the boundary be a
		 * quoted-string (.NET's HttpClient always quotes it; a
		 * boundary with a space or ':' must be); rfc2388.c reads
		 * the quotes.  HTTP's whitespace around ';' is a tab too.
		 */
		"multipart/form-data; boundary=\"quoted\"",
		"multipart/form-data; boundary=\"simple boundary\"",
		"multipart/form-data; charset=\"utf-8\"; boundary=\"a:b\"",
		"multipart/form-data;\tboundary=x",
		"multipart/form-data ; boundary=x",
	};
	static const char *const bad[] = {
		"multipart/form-data",
		"multipart/form-data;",
		"multipart/form-data; boundary",
		"multipart/form-data; boundary=",
		"multipart/form-data; boundar--=y--fuzzboundary",
		"multipart/form-data; charset=UTF-8",
		"multipart/form-data; boundary=\"\"",
		"multipart/form-data; boundary=\"unterminated",
		"multipart/form-data; boundary=\"a\"b",
		"multipart/form-data; boundary=\"a\\\"b\"",
		"multipart/form-data; boundary=\"ends in a space \"",
		"multipart/form-data; boundary =x",
		"multipart/form-data; boundary=a b",
		"multipart/form-data; boundary=x; boundary=y",
		"multipart/form-data; boundary=x;",
		"multipart/mixed; boundary=x",
		" multipart/form-data",
		/* A boundary of 71 characters, one over RFC 2046's limit. */
		("multipart/form-data; boundary=0123456789012345678901234567890"
		    "1234567890123456789012345678901234567890"),
	};
	size_t	 i;

	for (i = 0; i < RA_NITEMS(good); i++)
		ok(ra_form_type_ok(good[i]), "passes: %s",
		    good[i] != NULL ? good[i] : "(no Content-Type)");
	for (i = 0; i < RA_NITEMS(bad); i++)
		ok(!ra_form_type_ok(bad[i]), "refused: %s", bad[i]);
	return tap_done();
}
