/*
 * migrate.c: apply schema/NNN-name.sql files in order, each once, each in
 * its own transaction together with the row that records it.  A file that
 * was changed after it was applied is an error, not something to re-run.
 */
#include <dirent.h>
#include <errno.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "ra.h"

#define MIGRATION_MAX	(1024 * 1024)	/* no schema file is near this */

/* Serialises concurrent migrators; the value is arbitrary but fixed. */
static const char SQL_LOCK[] =
    "SELECT pg_catalog.pg_advisory_xact_lock(7261000001)";
static const char SQL_BOOTSTRAP_SCHEMA[] =
    "CREATE SCHEMA IF NOT EXISTS ra";
static const char SQL_BOOTSTRAP_TABLE[] =
    "CREATE TABLE IF NOT EXISTS ra.schema_migration ("
    " version integer PRIMARY KEY CHECK (version > 0),"
    " name text NOT NULL UNIQUE,"
    " sha256 text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),"
    " applied_at timestamptz NOT NULL DEFAULT now())";
static const char SQL_APPLIED[] =
    "SELECT name, sha256 FROM ra.schema_migration WHERE version = $1::integer";
static const char SQL_RECORD[] =
    "INSERT INTO ra.schema_migration (version, name, sha256)"
    " VALUES ($1::integer, $2, $3)";
static const char SQL_HAS_TABLE[] =
    "SELECT pg_catalog.to_regclass('ra.schema_migration') IS NOT NULL";

struct migration {
	int	 version;
	char	*name;		/* "001-core.sql" */
	char	*sql;
	size_t	 sqlsz;
	char	 sha256[65];
};

static int
migration_name_ok(const struct dirent *d)
{
	regex_t	 re;
	int	 ok;

	if (regcomp(&re, "^[0-9]{3}-[a-z0-9-]+\\.sql$",
	    REG_EXTENDED | REG_NOSUB) != 0)
		return 0;
	ok = regexec(&re, d->d_name, 0, NULL, 0) == 0;
	regfree(&re);
	return ok;
}

static enum ra_err
sha256_hex(const char *buf, size_t sz, char out[65])
{
	unsigned char	 md[32];
	unsigned int	 mdlen = 0;
	size_t		 i;

	if (EVP_Digest(buf, sz, md, &mdlen, EVP_sha256(), NULL) != 1 ||
	    mdlen != sizeof(md))
		return RA_ECRYPTO;
	for (i = 0; i < sizeof(md); i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
	return RA_OK;
}

static void
migration_free(struct migration *m)
{
	free(m->name);
	free(m->sql);
}

/* Read one file; on error everything is logged and nothing is kept. */
static enum ra_err
migration_load(const char *dir, const char *name, struct migration *m)
{
	char		 path[4096];
	enum ra_err	 er;

	memset(m, 0, sizeof(*m));
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >=
	    sizeof(path))
		return RA_ECONF;
	m->version = atoi(name);
	if ((m->name = strdup(name)) == NULL)
		return RA_ENOMEM;
	if ((er = ra_read_file(path, MIGRATION_MAX, &m->sql, &m->sqlsz)) !=
	    RA_OK || (er = sha256_hex(m->sql, m->sqlsz, m->sha256)) != RA_OK) {
		migration_free(m);
		return er;
	}
	return RA_OK;
}

/* Line (1-based) where the statement starting at "at" really begins. */
static int
line_of(const char *buf, const char *at, const char *end)
{
	const char	*p;
	int		 line = 1;

	for (;;) {
		while (at < end && (*at == ' ' || *at == '\t' || *at == '\n' ||
		    *at == '\r'))
			at++;
		if (at + 1 < end && at[0] == '-' && at[1] == '-') {
			while (at < end && *at != '\n')
				at++;
			continue;
		}
		break;
	}
	for (p = buf; p < at; p++)
		line += *p == '\n';
	return line;
}

/*
 * Inside an open transaction: run every statement of "m" and record it.
 * Returns RA_OK, or an error after logging file, statement and line.
 */
static enum ra_err
migration_run(PGconn *db, const struct migration *m)
{
	struct ra_sqlsplit	 sp;
	const char		*at, *param[3];
	char			*stmt, ver[16], what[128];
	int			 n = 0, rc;
	enum ra_err		 er;

	ra_sqlsplit_init(&sp, m->sql, m->sqlsz);
	for (;;) {
		at = sp.p;
		if ((rc = ra_sqlsplit_next(&sp, &stmt)) == 0)
			break;
		if (rc < 0) {
			ra_warnx("migration %s: unterminated quote or comment "
			    "after line %d", m->name,
			    line_of(m->sql, at, sp.end));
			return RA_EINPUT;
		}
		n++;
		snprintf(what, sizeof(what), "migration %s rolled back: "
		    "statement %d (line %d)", m->name, n,
		    line_of(m->sql, at, sp.end));
		er = ra_db_command(db, what, stmt, 0, NULL);
		free(stmt);
		if (er != RA_OK)
			return er;
	}
	snprintf(ver, sizeof(ver), "%d", m->version);
	param[0] = ver;
	param[1] = m->name;
	param[2] = m->sha256;
	return ra_db_command(db, "record migration", SQL_RECORD, 3, param);
}

/*
 * Apply one migration unless already applied.  "*applied" says whether it
 * ran now.  The advisory lock makes the check and the run atomic with
 * respect to another migrator.
 */
static enum ra_err
migration_apply(PGconn *db, const struct migration *m, int *applied)
{
	PGresult	*res = NULL;
	const char	*param[1];
	char		 ver[16];
	enum ra_err	 er;

	*applied = 0;
	snprintf(ver, sizeof(ver), "%d", m->version);
	param[0] = ver;
	if ((er = ra_db_begin(db)) != RA_OK)
		return er;
	if ((er = ra_db_command(db, "migration lock", SQL_LOCK, 0, NULL)) !=
	    RA_OK ||
	    (er = ra_db_command(db, "bootstrap", SQL_BOOTSTRAP_SCHEMA, 0,
	    NULL)) != RA_OK ||
	    (er = ra_db_command(db, "bootstrap", SQL_BOOTSTRAP_TABLE, 0,
	    NULL)) != RA_OK ||
	    (er = ra_db_query(db, "applied migrations", SQL_APPLIED, 1, param,
	    &res)) != RA_OK)
		goto out;
	if (PQntuples(res) == 1) {
		if (strcmp(PQgetvalue(res, 0, 0), m->name) != 0 ||
		    strcmp(PQgetvalue(res, 0, 1), m->sha256) != 0) {
			ra_warnx("migration %s: differs from the applied "
			    "version %d (%s, sha256 %.12s…); write a new "
			    "migration instead of editing an applied one",
			    m->name, m->version, PQgetvalue(res, 0, 0),
			    PQgetvalue(res, 0, 1));
			er = RA_ECONF;
		}
		goto out;
	}
	if ((er = migration_run(db, m)) != RA_OK)
		goto out;
	if ((er = ra_db_commit(db)) == RA_OK)
		*applied = 1;
out:
	PQclear(res);
	ra_db_rollback(db);
	return er;
}

/*
 * Apply every pending migration in "dir", reporting each one on "log".
 * Stops at the first failure; what failed is rolled back whole, what
 * came before it stays applied.
 */
enum ra_err
ra_migrate(PGconn *db, const char *dir, FILE *log)
{
	struct dirent		**ents = NULL;
	struct migration	 m;
	int			 i, n, applied, count = 0;
	enum ra_err		 er = RA_OK;

	if ((n = scandir(dir, &ents, migration_name_ok, alphasort)) < 0) {
		ra_warnx("schema directory %s: %s", dir, strerror(errno));
		return RA_ECONF;
	}
	for (i = 0; i < n && er == RA_OK; i++) {
		if ((er = migration_load(dir, ents[i]->d_name, &m)) != RA_OK)
			break;
		er = migration_apply(db, &m, &applied);
		if (er == RA_OK && applied) {
			fprintf(log, "applied %s\n", m.name);
			count++;
		}
		migration_free(&m);
	}
	for (i = 0; i < n; i++)
		free(ents[i]);
	free(ents);
	if (er == RA_OK)
		fprintf(log, "%d migration(s) applied, schema up to date\n",
		    count);
	return er;
}

/* List each migration as applied or pending; "*pending" counts the latter. */
enum ra_err
ra_migrate_status(PGconn *db, const char *dir, FILE *log, int *pending)
{
	struct dirent		**ents = NULL;
	struct migration	 m;
	PGresult		*res = NULL;
	const char		*param[1];
	char			 ver[16];
	int			 i, n, have;
	enum ra_err		 er;

	*pending = 0;
	if ((n = scandir(dir, &ents, migration_name_ok, alphasort)) < 0) {
		ra_warnx("schema directory %s: %s", dir, strerror(errno));
		return RA_ECONF;
	}
	if ((er = ra_db_query(db, "migration table", SQL_HAS_TABLE, 0, NULL,
	    &res)) != RA_OK)
		goto out;
	have = strcmp(PQgetvalue(res, 0, 0), "t") == 0;
	PQclear(res);
	res = NULL;
	for (i = 0; i < n; i++) {
		if ((er = migration_load(dir, ents[i]->d_name, &m)) != RA_OK)
			goto out;
		snprintf(ver, sizeof(ver), "%d", m.version);
		param[0] = ver;
		if (have && (er = ra_db_query(db, "applied migrations",
		    SQL_APPLIED, 1, param, &res)) != RA_OK) {
			migration_free(&m);
			goto out;
		}
		if (have && PQntuples(res) == 1)
			fprintf(log, "%s\t%s\n", m.name,
			    strcmp(PQgetvalue(res, 0, 1), m.sha256) == 0 ?
			    "applied" : "CHANGED since applied");
		else {
			fprintf(log, "%s\tpending\n", m.name);
			(*pending)++;
		}
		PQclear(res);
		res = NULL;
		migration_free(&m);
	}
out:
	PQclear(res);
	for (i = 0; i < n; i++)
		free(ents[i]);
	free(ents);
	return er;
}
