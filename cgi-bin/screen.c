/*
 * screen.cgi?i=N: the entry of menu interface N that is not built yet.
 * It checks what every screen checks -- a live session on the same
 * certificate and permission for N, else 403 -- and says the screen is
 * not available yet.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ra.h"
#include "web.h"

static int
valid_interface(const char *s)
{
	int64_t	 i;

	return ra_field_i64(s, 1, RA_INTERFACES - 1, &i);
}

static const struct ra_field fields[] = {
	{ "i", 2, valid_interface, RA_FIELD_TEXT },
};

static enum ra_err
screen(struct ra_req *r)
{
	struct ra_officer	 o;
	const char		*f[RA_NITEMS(fields)];
	int64_t			 i;
	enum ra_err		 er;

	if ((er = ra_form_get(r, fields, RA_NITEMS(fields), f)) != RA_OK)
		return er;
	if (f[0] == NULL)
		return RA_EINPUT;
	if ((er = ra_officer_open(r, &o)) != RA_OK)
		return er;
	if (!ra_field_i64(f[0], 1, RA_INTERFACES - 1, &i) || !o.perm[i])
		return RA_EDENIED;
	hdf_set_value(r->page, "Screen.No", f[0]);
	return ra_render(r, 200, "screen.cs");
}

int
main(int argc, char *argv[])
{
	static const struct ra_screen sc = { fields, RA_NITEMS(fields), screen,
	    RA_DB_OFFICER };

	return ra_web_main(argc, argv, &sc);
}
