/*
 * Escaping is on by default: a value with markup renders inert in the real
 * front-page template, whatever escape mode the caller had set.
 */
#include <stdlib.h>
#include <string.h>

#include <ClearSilver.h>

#include "ra.h"
#include "domain.h"
#include "tap.h"

#define HOSTILE	"<script>alert(1)</script>\"'&"

int
main(void)
{
	HDF	*page = NULL;
	char	*out = NULL;

	if (hdf_init(&page) != STATUS_OK)
		return 1;
	hdf_set_value(page, "Config.VarEscapeMode", "none");	/* overridden */
	hdf_set_value(page, "Site.Name", "ra");
	hdf_set_value(page, "Institutions.0.NameJa", HOSTILE);
	hdf_set_value(page, "Institutions.0.NameEn", "Plain University");
	hdf_set_value(page, "Client.Subject", "CN=<b>x</b>");

	ok(ra_render_buf(page, "templates", "index.cs", &out) == RA_OK,
	    "index.cs renders");
	ok(out != NULL && strstr(out, "<script>alert") == NULL,
	    "no raw <script> in the output");
	ok(out != NULL && strstr(out, "&lt;script&gt;alert(1)&lt;/script&gt;"
	    "&quot;&#39;&amp;") != NULL, "the value is HTML-escaped");
	ok(out != NULL && strstr(out, "CN=&lt;b&gt;x&lt;/b&gt;") != NULL,
	    "certificate subject is escaped too");
	ok(out != NULL && strstr(out, "Plain University") != NULL,
	    "plain values pass unchanged");
	free(out);
	out = NULL;
	ok(ra_render_buf(page, "templates", "no-such.cs", &out) == RA_ERENDER &&
	    out == NULL, "a missing template is RA_ERENDER");
	hdf_destroy(&page);
	return tap_done();
}
