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
	if ((er = ra_req_db(r, RA_DB_WEB)) != RA_OK ||
	    (er = ra_officer_get(r, &o)) != RA_OK)
		return er == RA_EDENIED ? ra_render(r, 403, "login.cs") : er;
	if (!o.perm[atoi(f[0])])
		return RA_EDENIED;
	hdf_set_value(r->page, "Screen.No", f[0]);
	return ra_render(r, 200, "screen.cs");
}

int
main(int argc, char *argv[])
{
	struct ra_req	 r;
	enum ra_err	 er;
	int		 rc = 0;

	if ((er = ra_req_open(&r, argc, argv)) == RA_OK)
		er = screen(&r);
	if (er != RA_OK)
		rc = ra_fail(&r, er, NULL);
	ra_req_close(&r);
	return rc;
}
