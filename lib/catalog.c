/*
 * catalog.c: what the screens list from the database as it stands: the
 * front page's status and institutions, and the interfaces ①-⑩ of the
 * officer's menu.  Read-only; the caller reads the columns by name.
 */
#include "ra.h"
#include "domain.h"

static const char SQL_STATUS[] =
    "SELECT pg_catalog.to_char(pg_catalog.now(), 'YYYY-MM-DD HH24:MI:SS TZ')"
    "         AS now,"
    "       (SELECT pg_catalog.max(version) FROM ra.schema_migration)"
    "         AS schema";
static const char SQL_INSTITUTIONS[] =
    "SELECT name_ja, name_en FROM ra.institution"
    " WHERE status = 'active' ORDER BY name_en LIMIT $1::integer";
static const char SQL_INSTITUTION_BY_CODE[] =
    "SELECT institution_id FROM ra.institution WHERE code = $1";
static const char SQL_INTERFACES[] =
    "SELECT interface, grp_ja, name_ja, name_en,"
    "       coalesce(screen, '') AS screen, always"
    "  FROM ra.interface ORDER BY always, interface";

/* One row: "now" (the database's clock) and "schema" (its version). */
enum ra_err
ra_catalog_status(PGconn *db, PGresult **res)
{
	return ra_db_query1(db, "front status", SQL_STATUS, 0, NULL, res);
}

/* Active institutions by English name, at most "limit": name_ja, name_en. */
enum ra_err
ra_catalog_institutions(PGconn *db, int limit, PGresult **res)
{
	return ra_db_run(db, "front institutions", SQL_INSTITUTIONS, res,
	    RA_ARGS(RA_INT(limit)));
}

/*
 * Every interface: interface, grp_ja, name_ja, name_en, screen, always;
 * those needing no permission (⑩ logout) last, so ⑪ comes before it.
 */
enum ra_err
ra_catalog_interfaces(PGconn *db, PGresult **res)
{
	return ra_db_query(db, "interfaces", SQL_INTERFACES, 0, NULL, res);
}

/* The institution registered under "code"; RA_ENOTFOUND if none. */
enum ra_err
ra_institution_by_code(PGconn *db, const char *code, int64_t *id)
{
	return ra_db_run_i64(db, "institution", SQL_INSTITUTION_BY_CODE,
	    "institution_id", id, RA_ARGS(RA_TEXT(code)));
}
