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

static int
valid_interface(const char *s)
{
	return strspn(s, "0123456789") == strlen(s) && atoi(s) >= 1 &&
	    atoi(s) < RA_INTERFACES;
}

static const struct ra_field fields[] = {
	{ "i", 2, valid_interface },
};

static enum ra_err
screen(struct ra_req *r)
{
	struct ra_officer	 o;
	const char		*f[RA_NITEMS(fields)];
	enum ra_err		 er;

	if ((er = ra_form_get(r, fields, RA_NITEMS(fields), f)) != RA_OK)
		return er;
	if (f[0] == NULL)
		return RA_EINPUT;
	if ((er = ra_officer_open(r, &o)) != RA_OK)
		return er;
	if (!o.perm[atoi(f[0])])
		return RA_EDENIED;
	hdf_set_value(r->page, "Screen.No", f[0]);
	return ra_render(r, 200, "screen.cs");
}

int
main(int argc, char *argv[])
{
	return ra_web_main(argc, argv, screen);
}
