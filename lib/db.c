/*
 * db.c: PostgreSQL access.  One connection per process; every statement is
 * constant SQL text run through PQexecParams; errors are logged with their
 * SQLSTATE and a label, never with the parameters.
 */
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "ra.h"

static const char *const db_conf_key[] = {
	[RA_DB_PUBLIC]	= "Db.Public",
	[RA_DB_OFFICER]	= "Db.Officer",
	[RA_DB_DESK]	= "Db.Desk",
	[RA_DB_WORKER]	= "Db.Worker",
	[RA_DB_ADMIN]	= "Db.Admin",
	[RA_DB_MAILER]	= "Db.Mailer",
	[RA_DB_TSA]	= "Db.Tsa",
	[RA_DB_OCSP]	= "Db.Ocsp",
	[RA_DB_ACME]	= "Db.Acme",
	[RA_DB_ACMEVAL]	= "Db.Acmeval",
};
_Static_assert(RA_NITEMS(db_conf_key) == RA_DB_ROLE__MAX,
    "db_conf_key[] out of sync with enum ra_db_role");

/* Names below are schema-qualified; an empty search_path keeps it so. */
static const char SQL_SESSION_SETUP[] =
    "SELECT pg_catalog.set_config('search_path', '', false),"
    "       pg_catalog.set_config('client_min_messages', 'warning', false)";

/* A message from libpq ends with a newline; keep our log one line each. */
static void
db_warn(const char *what, const char *sqlstate, const char *msg)
{
	size_t	 n;

	n = msg == NULL ? 0 : strcspn(msg, "\n");
	ra_warnx("db: %s: SQLSTATE %s: %.*s", what,
	    sqlstate != NULL ? sqlstate : "-----", (int)n, msg != NULL ? msg : "");
}

static enum ra_err
db_open(const char *conninfo, int last, PGconn **out)
{
	PGconn		*db;
	PGresult	*r;
	enum ra_err	 er;

	*out = NULL;
	db = PQconnectdb(conninfo);
	if (db == NULL)
		return RA_ENOMEM;
	if (PQstatus(db) != CONNECTION_OK) {
		/* 08006: connection_failure, what a server that is down gives. */
		if (last)
			db_warn("connect", "08006", PQerrorMessage(db));
		PQfinish(db);
		return RA_EDBDOWN;
	}
	r = PQexecParams(db, SQL_SESSION_SETUP, 0, NULL, NULL, NULL, NULL, 0);
	if (PQresultStatus(r) == PGRES_TUPLES_OK) {
		PQclear(r);
		*out = db;
		return RA_OK;
	}
	if (PQstatus(db) != CONNECTION_OK) {
		/* PgBouncer let us in, then found no server: down too. */
		if (last)
			db_warn("connect", "08006", PQerrorMessage(db));
		er = RA_EDBDOWN;
	} else {
		db_warn("session setup", r == NULL ? NULL :
		    PQresultErrorField(r, PG_DIAG_SQLSTATE), r == NULL ?
		    PQerrorMessage(db) :
		    PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY));
		er = RA_EDB;
	}
	PQclear(r);
	PQfinish(db);
	return er;
}

/*
 * A web zone connects through PgBouncer, which refuses the first client
 * after PostgreSQL came back ("server login has been failing") and only
 * then connects to it again; so a connection that fails is tried once
 * more, a moment later, and only the last failure is logged.  While
 * PostgreSQL is down that costs 0.2 s.
 */
enum ra_err
ra_db_connect(const struct ra_conf *c, enum ra_db_role role, PGconn **out)
{
	const struct timespec	 pause = { 0, 200 * 1000 * 1000 };
	const char		*conninfo;
	enum ra_err		 er;

	*out = NULL;
	if ((conninfo = ra_conf_get(c, db_conf_key[role])) == NULL) {
		ra_warnx("config %s: %s is not set", c->path, db_conf_key[role]);
		return RA_ECONF;
	}
	if ((er = db_open(conninfo, 0, out)) != RA_EDBDOWN)
		return er;
	nanosleep(&pause, NULL);
	return db_open(conninfo, 1, out);
}

/*
 * Connect again after the server went away (a daemon's loop), with the
 * session set up as ra_db_connect() does: PQreset alone would bring back
 * the default search_path.  RA_EDBDOWN while the server is still away.
 */
enum ra_err
ra_db_reset(PGconn *db)
{
	PQreset(db);
	if (PQstatus(db) != CONNECTION_OK)
		return RA_EDBDOWN;
	return ra_db_command(db, "session setup", SQL_SESSION_SETUP, 0, NULL);
}

/*
 * Run one statement.  On RA_OK "*res" (if asked for) is the caller's to
 * PQclear; on error nothing is returned and the SQLSTATE has been logged.
 * A unique violation is RA_EDUP so callers can tell it from a failure.
 */
static enum ra_err db_result(PGconn *, const char *, PGresult *, PGresult **,
    char *, size_t);

static enum ra_err
db_exec(PGconn *db, const char *what, const char *sql, int nparams,
    const char *const *params, const int *lengths, const int *formats,
    PGresult **res, int binary, char *constraint, size_t consz)
{
	PGresult	*r;

	if (res != NULL)
		*res = NULL;
	r = PQexecParams(db, sql, nparams, NULL, params, lengths, formats,
	    binary);
	return db_result(db, what, r, res, constraint, consz);
}

/* What db_exec and ra_db_wait make of result "r", which this takes. */
static enum ra_err
db_result(PGconn *db, const char *what, PGresult *r, PGresult **res,
    char *constraint, size_t consz)
{
	ExecStatusType	 st;
	const char	*state, *msg;
	enum ra_err	 er;

	if (res != NULL)
		*res = NULL;
	st = PQresultStatus(r);		/* NULL-safe */
	if (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK) {
		if (res != NULL)
			*res = r;
		else
			PQclear(r);
		return RA_OK;
	}
	state = r == NULL ? NULL : PQresultErrorField(r, PG_DIAG_SQLSTATE);
	if (state != NULL && strcmp(state, "23505") == 0) {
		er = RA_EDUP;
		if (constraint != NULL) {
			msg = PQresultErrorField(r, PG_DIAG_CONSTRAINT_NAME);
			snprintf(constraint, consz, "%s", msg != NULL ? msg : "");
		}
	} else if (PQstatus(db) != CONNECTION_OK)
		er = RA_EDBDOWN;
	else
		er = RA_EDB;
	msg = r == NULL ? NULL : PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY);
	/* A caller that asked which rule said no answers for it; no log. */
	if (er != RA_EDUP || constraint == NULL)
		db_warn(what, state, msg != NULL ? msg : PQerrorMessage(db));
	PQclear(r);
	return er;
}

static enum ra_err
db_query(PGconn *db, const char *what, const char *sql, int nparams,
    const char *const *params, PGresult **res, int binary, char *constraint,
    size_t consz)
{
	return db_exec(db, what, sql, nparams, params, NULL, NULL, res, binary,
	    constraint, consz);
}

/*
 * Run one statement with typed parameters: text (NULL is SQL NULL),
 * integers without a format string, and bytes sent as binary, so a hash
 * or a DER value needs no hex encoding.  "res" may be NULL.
 */
enum ra_err
ra_db_run(PGconn *db, const char *what, const char *sql, PGresult **res,
    const struct ra_arg *args, size_t nargs)
{
	const char	*values[RA_ARGS_MAX];
	int		 lengths[RA_ARGS_MAX], formats[RA_ARGS_MAX];
	char		 ints[RA_ARGS_MAX][24];
	size_t		 i;

	if (nargs > RA_ARGS_MAX) {
		ra_warnx("db: %s: %zu parameters, at most %d", what, nargs,
		    RA_ARGS_MAX);
		return RA_EDB;
	}
	for (i = 0; i < nargs; i++) {
		lengths[i] = 0;
		formats[i] = 0;
		switch (args[i].type) {
		case RA_ARG_TEXT:
			values[i] = args[i].text;
			break;
		case RA_ARG_INT:
			snprintf(ints[i], sizeof(ints[i]), "%lld",
			    (long long)args[i].i);
			values[i] = ints[i];
			break;
		case RA_ARG_BYTES:
			if (args[i].len > INT_MAX)
				return RA_EDB;
			values[i] = args[i].bytes;
			lengths[i] = (int)args[i].len;
			formats[i] = 1;
			break;
		}
	}
	return db_exec(db, what, sql, (int)nargs, values, lengths, formats, res,
	    0, NULL, 0);
}

enum ra_err
ra_db_query(PGconn *db, const char *what, const char *sql, int nparams,
    const char *const *params, PGresult **res)
{
	return db_query(db, what, sql, nparams, params, res, 0, NULL, 0);
}

/*
 * The same, and on RA_EDUP the name of the unique index or constraint that
 * said no: callers turn each "only one" rule into its own answer.
 */
enum ra_err
ra_db_query_unique(PGconn *db, const char *what, const char *sql,
    int nparams, const char *const *params, PGresult **res,
    char *constraint, size_t consz)
{
	if (consz > 0)
		*constraint = '\0';
	return db_query(db, what, sql, nparams, params, res, 0, constraint,
	    consz);
}

/*
 * Send one statement and return at once, so the caller can work while
 * the server does; ra_db_wait gets its answer, and nothing else may be
 * sent on "db" before.
 */
enum ra_err
ra_db_send(PGconn *db, const char *what, const char *sql, int nparams,
    const char *const *params)
{
	if (!PQsendQueryParams(db, sql, nparams, NULL, params, NULL, NULL, 0)) {
		db_warn(what, PQstatus(db) != CONNECTION_OK ? "08006" : NULL,
		    PQerrorMessage(db));
		return PQstatus(db) != CONNECTION_OK ? RA_EDBDOWN : RA_EDB;
	}
	return RA_OK;
}

/*
 * The answer to what ra_db_send sent, as ra_db_query_unique gives it
 * (rows are not kept).
 */
enum ra_err
ra_db_wait(PGconn *db, const char *what, char *constraint, size_t consz)
{
	PGresult	*r, *first = NULL;

	if (consz > 0)
		*constraint = '\0';
	/* One result, then NULL; a broken connection may give more. */
	while ((r = PQgetResult(db)) != NULL) {
		if (first == NULL)
			first = r;
		else
			PQclear(r);
	}
	if (first == NULL) {
		db_warn(what, "08006", PQerrorMessage(db));
		return PQstatus(db) != CONNECTION_OK ? RA_EDBDOWN : RA_EDB;
	}
	return db_result(db, what, first, NULL, constraint, consz);
}

/*
 * The same with binary results: a bytea arrives as its bytes, text as its
 * UTF-8 (with PQgetlength); other types must be cast to text in the SQL.
 */
enum ra_err
ra_db_query_binary(PGconn *db, const char *what, const char *sql,
    int nparams, const char *const *params, PGresult **res)
{
	return db_query(db, what, sql, nparams, params, res, 1, NULL, 0);
}

enum ra_err
ra_db_command(PGconn *db, const char *what, const char *sql, int nparams,
    const char *const *params)
{
	return ra_db_query(db, what, sql, nparams, params, NULL);
}

enum ra_err
ra_db_begin(PGconn *db)
{
	return ra_db_command(db, "begin", "BEGIN", 0, NULL);
}

enum ra_err
ra_db_commit(PGconn *db)
{
	return ra_db_command(db, "commit", "COMMIT", 0, NULL);
}

/* Safe to call when no transaction is open or the connection is gone. */
void
ra_db_rollback(PGconn *db)
{
	PGresult	*r;

	if (db == NULL || PQtransactionStatus(db) == PQTRANS_IDLE)
		return;
	r = PQexecParams(db, "ROLLBACK", 0, NULL, NULL, NULL, NULL, 0);
	PQclear(r);
}
