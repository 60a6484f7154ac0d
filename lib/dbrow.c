/*
 * dbrow.c: results read by column name, with checked conversions, so a
 * query and its reader cannot drift apart by a column's position.  A
 * name the result lacks is a bug: logged, and RA_EDB.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "ra.h"

/*
 * The integer column "col" of the one row a statement answers (an id
 * looked up by its key); RA_ENOTFOUND when there is none.
 */
enum ra_err
ra_db_run_i64(PGconn *db, const char *what, const char *sql, const char *col,
    int64_t *v, const struct ra_arg *args, size_t nargs)
{
	PGresult	*res = NULL;
	enum ra_err	 er;

	*v = 0;
	if ((er = ra_db_run1(db, what, sql, &res, args, nargs)) == RA_OK)
		er = ra_get_i64(res, 0, col, v);
	PQclear(res);
	return er;
}

/* Keep "*res" if it has exactly one row: RA_ENOTFOUND (none), RA_EDB. */
static enum ra_err
one_row(const char *what, PGresult **res)
{
	enum ra_err	 er;

	if (PQntuples(*res) == 1)
		return RA_OK;
	er = PQntuples(*res) == 0 ? RA_ENOTFOUND : RA_EDB;
	if (er == RA_EDB)
		ra_warnx("db: %s: %d rows where one was expected", what,
		    PQntuples(*res));
	PQclear(*res);
	*res = NULL;
	return er;
}

/* Exactly one row, or RA_ENOTFOUND (none) or RA_EDB (more). */
enum ra_err
ra_db_query1(PGconn *db, const char *what, const char *sql, int nparams,
    const char *const *params, PGresult **res)
{
	enum ra_err	 er;

	if ((er = ra_db_query(db, what, sql, nparams, params, res)) != RA_OK)
		return er;
	return one_row(what, res);
}

/* The same with typed parameters (ra_db_run). */
enum ra_err
ra_db_run1(PGconn *db, const char *what, const char *sql, PGresult **res,
    const struct ra_arg *args, size_t nargs)
{
	enum ra_err	 er;

	if ((er = ra_db_run(db, what, sql, res, args, nargs)) != RA_OK)
		return er;
	return one_row(what, res);
}

static int
column(const PGresult *res, const char *name)
{
	int	 c = PQfnumber(res, name);

	if (c < 0)
		ra_warnx("db: no column \"%s\" in the result", name);
	return c;
}

/* The text of a column; "" for NULL.  Borrowed from "res". */
const char *
ra_get_text(const PGresult *res, int row, const char *name)
{
	int	 c = column(res, name);

	return c < 0 ? "" : PQgetvalue(res, row, c);
}

/* A bigint column; NULL reads as 0. */
enum ra_err
ra_get_i64(const PGresult *res, int row, const char *name, int64_t *v)
{
	const char	*s;
	char		*end;
	long long	 n;
	int		 c;

	*v = 0;
	if ((c = column(res, name)) < 0)
		return RA_EDB;
	if (PQgetisnull(res, row, c))
		return RA_OK;
	s = PQgetvalue(res, row, c);
	errno = 0;
	n = strtoll(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0') {
		ra_warnx("db: column \"%s\" is not an integer", name);
		return RA_EDB;
	}
	*v = n;
	return RA_OK;
}

enum ra_err
ra_get_int(const PGresult *res, int row, const char *name, int *v)
{
	int64_t		 n;
	enum ra_err	 er;

	*v = 0;
	if ((er = ra_get_i64(res, row, name, &n)) != RA_OK)
		return er;
	if (n < INT_MIN || n > INT_MAX) {
		ra_warnx("db: column \"%s\" is out of range", name);
		return RA_EDB;
	}
	*v = (int)n;
	return RA_OK;
}

/* A boolean column: 1 for true, 0 for false or NULL. */
enum ra_err
ra_get_bool(const PGresult *res, int row, const char *name, int *v)
{
	int	 c;

	*v = 0;
	if ((c = column(res, name)) < 0)
		return RA_EDB;
	*v = !PQgetisnull(res, row, c) && strcmp(PQgetvalue(res, row, c),
	    "t") == 0;
	return RA_OK;
}

/* A text column copied into "buf"; one that does not fit is an error. */
enum ra_err
ra_get_str(const PGresult *res, int row, const char *name, char *buf,
    size_t sz)
{
	int	 c;

	if (sz > 0)
		*buf = '\0';
	if ((c = column(res, name)) < 0)
		return RA_EDB;
	if ((size_t)PQgetlength(res, row, c) >= sz) {
		ra_warnx("db: column \"%s\" is too long", name);
		return RA_EDB;
	}
	memcpy(buf, PQgetvalue(res, row, c), (size_t)PQgetlength(res, row,
	    c) + 1);
	return RA_OK;
}

/* A bytea column of known size (a hash) into "buf"; "*has" if not NULL. */
enum ra_err
ra_get_hash(const PGresult *res, int row, const char *name,
    unsigned char *buf, size_t sz, int *has)
{
	unsigned char	*p;
	size_t		 n;
	enum ra_err	 er;
	int		 c;

	*has = 0;
	if ((c = column(res, name)) < 0)
		return RA_EDB;
	if ((er = ra_bytea_get(res, row, c, &p, &n)) == RA_ENOTFOUND)
		return RA_OK;
	if (er != RA_OK)
		return er;
	if (n == sz) {
		memcpy(buf, p, sz);
		*has = 1;
	} else {
		ra_warnx("db: column \"%s\" has %zu bytes, not %zu", name, n,
		    sz);
		er = RA_EDB;
	}
	PQfreemem(p);
	return er;
}

/* A bytea column of any size ("*out" caller frees with PQfreemem). */
enum ra_err
ra_get_bytea(const PGresult *res, int row, const char *name,
    unsigned char **out, size_t *len)
{
	int	 c;

	*out = NULL;
	*len = 0;
	if ((c = column(res, name)) < 0)
		return RA_EDB;
	return ra_bytea_get(res, row, c, out, len);
}
