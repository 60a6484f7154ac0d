/*
 * index.cgi: the front page.  Shows the participating institutions and
 * the state of the system, read from PostgreSQL, and the certificate the
 * browser presented, if any.  From a shell it prints the same page body.
 */
#include <stdio.h>
#include <string.h>

#include "ra.h"

#define INSTITUTIONS_MAX	"1000"

static const char SQL_STATUS[] =
    "SELECT pg_catalog.to_char(pg_catalog.now(), 'YYYY-MM-DD HH24:MI:SS TZ'),"
    "       (SELECT pg_catalog.max(version) FROM ra.schema_migration)";

static const char SQL_INSTITUTIONS[] =
    "SELECT name_ja, name_en FROM ra.institution"
    " WHERE status = 'active' ORDER BY name_en LIMIT $1::integer";

static enum ra_err
front_status(struct ra_req *r)
{
	PGresult	*res = NULL;
	enum ra_err	 er;

	if ((er = ra_db_query(r->db, "front status", SQL_STATUS, 0, NULL,
	    &res)) != RA_OK)
		return er;
	hdf_set_value(r->page, "Status.Now", PQgetvalue(res, 0, 0));
	hdf_set_value(r->page, "Status.Schema", PQgetvalue(res, 0, 1));
	PQclear(res);
	return RA_OK;
}

static enum ra_err
front_institutions(struct ra_req *r)
{
	const char	*param[] = { INSTITUTIONS_MAX };
	PGresult	*res = NULL;
	char		 key[64];
	int		 i;
	enum ra_err	 er;

	if ((er = ra_db_query(r->db, "front institutions", SQL_INSTITUTIONS,
	    1, param, &res)) != RA_OK)
		return er;
	for (i = 0; i < PQntuples(res); i++) {
		snprintf(key, sizeof(key), "Institutions.%d.NameJa", i);
		hdf_set_value(r->page, key, PQgetvalue(res, i, 0));
		snprintf(key, sizeof(key), "Institutions.%d.NameEn", i);
		hdf_set_value(r->page, key, PQgetvalue(res, i, 1));
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
