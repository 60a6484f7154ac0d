/* The migration splitter finds statement ends the way PostgreSQL would. */
#include <stdlib.h>
#include <string.h>

#include "ra.h"
#include "domain.h"
#include "tap.h"

/* Split "sql"; join the statements with '|' into "out". Returns count or -1. */
static int
split(const char *sql, char *out, size_t outsz)
{
	struct ra_sqlsplit	 sp;
	char			*stmt;
	int			 n = 0, rc;

	out[0] = '\0';
	ra_sqlsplit_init(&sp, sql, strlen(sql));
	while ((rc = ra_sqlsplit_next(&sp, &stmt)) == 1) {
		if (n++ > 0)
			strncat(out, "|", outsz - strlen(out) - 1);
		strncat(out, stmt, outsz - strlen(out) - 1);
		free(stmt);
	}
	return rc < 0 ? -1 : n;
}

static const struct {
	const char	*sql;
	int		 count;
	const char	*joined;	/* NULL: not compared */
} cases[] = {
	{ "", 0, "" },
	{ "  \n-- only a comment\n/* and a block */ ; ;", 0, "" },
	{ "SELECT 1;SELECT 2", 2, "SELECT 1|SELECT 2" },
	{ "SELECT 1;\n", 1, "SELECT 1" },
	{ "SELECT ';';SELECT 2;", 2, "SELECT ';'|SELECT 2" },
	{ "SELECT 'it''s; fine';", 1, "SELECT 'it''s; fine'" },
	{ "SELECT E'a\\';b';", 1, "SELECT E'a\\';b'" },
	{ "SELECT 'a\\';SELECT 'b';", 2, "SELECT 'a\\'|SELECT 'b'" },
	{ "SELECT \"semi;colon\" FROM t;", 1, NULL },
	{ "SELECT 1 -- ; not here\n;", 1, "SELECT 1 -- ; not here\n" },
	{ "SELECT /* ; /* nested ; */ still ; */ 1;", 1, NULL },
	{ "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$ SELECT 1; $$;"
	  "SELECT 2;", 2, NULL },
	{ "DO $body$ BEGIN PERFORM 1; END $body$; SELECT $1;", 2, NULL },
	{ "SELECT x$y FROM t; SELECT 2", 2, NULL },
	{ "SELECT 'unterminated;", -1, NULL },
	{ "SELECT $$ never closed;", -1, NULL },
	{ "/* open comment ;", -1, NULL },
};

int
main(void)
{
	char	 out[512];
	size_t	 i;
	int	 n;

	for (i = 0; i < RA_NITEMS(cases); i++) {
		n = split(cases[i].sql, out, sizeof(out));
		ok(n == cases[i].count, "case %zu: %d statement(s), got %d", i,
		    cases[i].count, n);
		if (cases[i].joined != NULL && n >= 0)
			ok(strcmp(out, cases[i].joined) == 0,
			    "case %zu: text is [%s]", i, out);
	}
	return tap_done();
}
