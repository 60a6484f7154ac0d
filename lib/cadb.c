/*
 * cadb.c: the CA catalogue in ra.ca and ra.ca_kind: registering a CA
 * (imported or made for the demo), which kinds it issues, which one is
 * current, and finding one by name or by key identifier.  The keys stay
 * where they are: only their paths are recorded, for the worker.
 */
#include <stdio.h>
#include <string.h>

#include "ra.h"

static const char SQL_CA_INSERT[] =
    "INSERT INTO ra.ca (name, slug, role, parent_ca_id, subject_dn, cert_der,"
    "  ski, key_path, not_before, not_after, crl_url, issuer_url)"
    " VALUES ($1, $2, $3, nullif($4, '0')::bigint, $5, $6::bytea, $7::bytea,"
    "  $8, $9::timestamptz, $10::timestamptz, nullif($11, ''),"
    "  nullif($12, ''))"
    " ON CONFLICT DO NOTHING RETURNING ca_id";
static const char SQL_CA_KIND_ADD[] =
    "INSERT INTO ra.ca_kind (ca_id, kind, current)"
    " VALUES ($1::bigint, $2, $3::boolean) ON CONFLICT DO NOTHING";
static const char SQL_CA_UNCURRENT[] =
    "UPDATE ra.ca_kind SET current = false WHERE kind = $1 AND current";
static const char SQL_CA_CURRENT[] =
    "UPDATE ra.ca_kind SET current = true"
    " WHERE kind = $2 AND ca_id = (SELECT ca_id FROM ra.ca WHERE name = $1)";
static const char SQL_CA_BY_NAME[] =
    "SELECT ca_id FROM ra.ca WHERE name = $1";
static const char SQL_CA_BY_SKI[] =
    "SELECT ca_id FROM ra.ca WHERE ski = $1::bytea";

/*
 * Register a CA; "*id" its ca_id.  RA_EDUP, with nothing changed, when a
 * CA of that name, slug or certificate is registered already.
 */
enum ra_err
ra_ca_insert(PGconn *db, const struct ra_ca_row *ca, int64_t *id)
{
	PGresult	*res = NULL;
	const char	*param[12];
	char		 parent[24];
	enum ra_err	 er;

	*id = 0;
	snprintf(parent, sizeof(parent), "%lld", (long long)ca->parent_ca_id);
	param[0] = ca->name;
	param[1] = ca->slug;
	param[2] = ca->parent_ca_id == 0 ? "root" : "issuing";
	param[3] = parent;
	param[4] = ca->subject;
	param[5] = ca->der_hex;
	param[6] = ca->ski_hex;
	param[7] = ca->key_path;
	param[8] = ca->not_before;
	param[9] = ca->not_after;
	param[10] = ca->crl_url;
	param[11] = ca->issuer_url;
	er = ra_db_query1(db, "register CA", SQL_CA_INSERT, 12, param, &res);
	if (er == RA_ENOTFOUND)
		er = RA_EDUP;
	if (er == RA_OK)
		er = ra_get_i64(res, 0, "ca_id", id);
	PQclear(res);
	return er;
}

/* CA "id" issues certificates of "kind" (current: the one for new ones). */
enum ra_err
ra_ca_kind_add(PGconn *db, int64_t id, const char *kind, int current)
{
	const char	*param[3];
	char		 ca[24];

	snprintf(ca, sizeof(ca), "%lld", (long long)id);
	param[0] = ca;
	param[1] = kind;
	param[2] = current ? "true" : "false";
	return ra_db_command(db, "CA kind", SQL_CA_KIND_ADD, 3, param);
}

/*
 * Inside a transaction: CA "name" issues the new certificates of "kind".
 * RA_EINPUT when that CA does not issue that kind.
 */
enum ra_err
ra_ca_make_current(PGconn *db, const char *name, const char *kind)
{
	PGresult	*res = NULL;
	const char	*param[2];
	enum ra_err	 er;

	param[0] = kind;
	if ((er = ra_db_command(db, "uncurrent", SQL_CA_UNCURRENT, 1,
	    param)) != RA_OK)
		return er;
	param[0] = name;
	param[1] = kind;
	if ((er = ra_db_query(db, "current", SQL_CA_CURRENT, 2, param,
	    &res)) != RA_OK)
		return er;
	if (strcmp(PQcmdTuples(res), "1") != 0) {
		ra_warnx("CA %s does not issue %s certificates", name, kind);
		er = RA_EINPUT;
	}
	PQclear(res);
	return er;
}

static enum ra_err
ca_find(PGconn *db, const char *sql, const char *key, int64_t *id)
{
	PGresult	*res = NULL;
	const char	*param[1] = { key };
	enum ra_err	 er;

	*id = 0;
	if ((er = ra_db_query1(db, "CA", sql, 1, param, &res)) == RA_OK)
		er = ra_get_i64(res, 0, "ca_id", id);
	PQclear(res);
	return er;
}

/* The CA named "name"; RA_ENOTFOUND if none. */
enum ra_err
ra_ca_by_name(PGconn *db, const char *name, int64_t *id)
{
	return ca_find(db, SQL_CA_BY_NAME, name, id);
}

/* The CA whose key identifier is "ski_hex" (bytea text); RA_ENOTFOUND. */
enum ra_err
ra_ca_by_ski(PGconn *db, const char *ski_hex, int64_t *id)
{
	return ca_find(db, SQL_CA_BY_SKI, ski_hex, id);
}
