/*
 * index.cgi: the front page.  Shows the participating institutions and
 * the state of the system, read from PostgreSQL, and the certificate the
 * browser presented, if any.  From a shell it prints the same page body.
 */
#include <stdio.h>
#include <string.h>

#include "ra.h"
#include "web.h"

#define INSTITUTIONS_MAX	1000

static enum ra_err
front_status(struct ra_req *r)
{
	PGresult	*res = NULL;
	enum ra_err	 er;

	if ((er = ra_catalog_status(r->db, &res)) != RA_OK)
		return er;
	hdf_set_value(r->page, "Status.Now", ra_get_text(res, 0, "now"));
	hdf_set_value(r->page, "Status.Schema", ra_get_text(res, 0, "schema"));
	PQclear(res);
	return RA_OK;
}

static enum ra_err
front_institutions(struct ra_req *r)
{
	PGresult	*res = NULL;
	char		 key[64];
	int		 i;
	enum ra_err	 er;

	if ((er = ra_catalog_institutions(r->db, INSTITUTIONS_MAX, &res)) !=
	    RA_OK)
		return er;
	for (i = 0; i < PQntuples(res); i++) {
		snprintf(key, sizeof(key), "Institutions.%d.NameJa", i);
		hdf_set_value(r->page, key, ra_get_text(res, i, "name_ja"));
		snprintf(key, sizeof(key), "Institutions.%d.NameEn", i);
		hdf_set_value(r->page, key, ra_get_text(res, i, "name_en"));
	}
	PQclear(res);
	return RA_OK;
}

/* mod_ssl's word on the client certificate; only a verified one is shown. */
static void
front_client(struct ra_req *r)
{
	const char	*verify = ra_req_env("SSL_CLIENT_VERIFY");

	if (verify == NULL || strcmp(verify, "SUCCESS") != 0)
		return;
	hdf_set_value(r->page, "Client.Subject", ra_req_env("SSL_CLIENT_S_DN"));
	hdf_set_value(r->page, "Client.Issuer", ra_req_env("SSL_CLIENT_I_DN"));
	hdf_set_value(r->page, "Client.Serial",
	    ra_req_env("SSL_CLIENT_M_SERIAL"));
}

static enum ra_err
front(struct ra_req *r)
{
	enum ra_err	 er;

	if ((er = ra_req_db(r, r->zone)) != RA_OK ||
	    (er = front_status(r)) != RA_OK ||
	    (er = front_institutions(r)) != RA_OK)
		return er;
	front_client(r);
	return ra_render(r, 200, "index.cs");
}

int
main(int argc, char *argv[])
{
	static const struct ra_screen sc = { NULL, 0, front,
	    RA_DB_PUBLIC };

	return ra_web_main(argc, argv, &sc);
}
