/*
 * login.cgi: the SSLLogin equivalent (manual 3-2), under /ra/lra/ where
 * Apache requires a verified client certificate.  The certificate must
 * also be a live RA-officer certificate as far as PostgreSQL knows
 * (lib/officer.c); then a session starts and the menu follows.  Otherwise
 * the failure screen the manual describes.  The first login with a
 * renewed RA certificate revokes the officer's older ones (superseded,
 * lib/supersede.c); the menu says so.
 */
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "ra.h"
#include "web.h"

static enum ra_err
login(struct ra_req *r)
{
	char		 cookie[RA_TOKEN_LEN + 1], header[160];
	const char	*why;
	int		 superseded;
	enum ra_err	 er;

	if ((er = ra_req_db(r, r->zone)) != RA_OK ||
	    (er = ra_db_begin(r->db)) != RA_OK)
		return er;
	er = ra_login(r, cookie, &why);
	/*
	 * A renewed certificate's first login revokes the officer's older
	 * ones (superseded), in this very transaction: the login and the
	 * revocation happen together or not at all.
	 */
	if (er == RA_OK)
		er = ra_supersede_login(r->db, cookie, &superseded);
	/* Refusals are audited too: commit either way. */
	if ((er == RA_OK || er == RA_EDENIED) && ra_db_commit(r->db) != RA_OK)
		er = RA_EDB;
	ra_db_rollback(r->db);
	if (er == RA_EDENIED) {
		hdf_set_value(r->page, "Login.Why", why);
		hdf_set_value(r->page, "Login.Marker",
		    ra_conf_get(&r->conf, "Ra.Marker") != NULL ?
		    ra_conf_get(&r->conf, "Ra.Marker") : "L=Academe-ops");
		return ra_render(r, 403, "login.cs");
	}
	if (er != RA_OK) {
		OPENSSL_cleanse(cookie, sizeof(cookie));
		return er;
	}
	ra_officer_cookie(header, sizeof(header), cookie);
	r->set_cookie = header;
	return ra_redirect(r, "menu.cgi");
}

int
main(int argc, char *argv[])
{
	static const struct ra_screen sc = { NULL, 0, login,
	    RA_DB_OFFICER };

	return ra_web_main(argc, argv, &sc);
}
