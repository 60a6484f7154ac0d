/*
 * sqlsplit.c: split a migration file into single SQL statements, so that
 * each runs through PQexecParams (which takes one statement at a time).
 * It knows just enough of PostgreSQL's lexer to find the semicolons that
 * end statements: quoted strings ('' and E'\''), quoted identifiers,
 * dollar quotes ($$ and $tag$), line comments and nested block comments.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "ra.h"

static int
is_ident(unsigned char c)
{
	return isalnum(c) || c == '_' || c >= 0x80;
}

/* Length of a dollar-quote tag "$tag$" at p, or 0 if there is none. */
static size_t
dollar_tag(const char *p, const char *end)
{
	const char	*q = p + 1;

	if (q < end && isdigit((unsigned char)*q))
		return 0;			/* $1: a parameter */
	while (q < end && *q != '$') {
		if (!is_ident((unsigned char)*q))
			return 0;
		q++;
	}
	return q < end ? (size_t)(q - p) + 1 : 0;
}

void
ra_sqlsplit_init(struct ra_sqlsplit *s, const char *buf, size_t len)
{
	s->p = buf;
	s->end = buf + len;
}

/* A copy of [a, b) as a C string, or NULL. */
static char *
dup_range(const char *a, const char *b)
{
	char	*s;

	if ((s = malloc((size_t)(b - a) + 1)) == NULL)
		return NULL;
	memcpy(s, a, (size_t)(b - a));
	s[b - a] = '\0';
	return s;
}

/*
 * Next statement, without its semicolon, in "*out" (caller frees).
 * Returns 1 for a statement, 0 at the end, -1 for an unterminated
 * quote or comment or no memory (nothing is returned then).  Pieces made
 * only of comments and blanks are skipped.
 */
int
ra_sqlsplit_next(struct ra_sqlsplit *s, char **out)
{
	const char	*p, *q, *start, *end = s->end;
	size_t		 tag, depth;
	int		 content = 0, esc;
	char		 quote;

	*out = NULL;
	for (start = p = s->p; p < end; ) {
		if (p[0] == '-' && p + 1 < end && p[1] == '-') {
			while (p < end && *p != '\n')
				p++;
		} else if (p[0] == '/' && p + 1 < end && p[1] == '*') {
			for (depth = 1, p += 2; depth > 0; ) {
				if (p + 1 >= end)
					return -1;
				if (p[0] == '/' && p[1] == '*') {
					depth++;
					p += 2;
				} else if (p[0] == '*' && p[1] == '/') {
					depth--;
					p += 2;
				} else
					p++;
			}
		} else if (*p == '\'' || *p == '"') {
			quote = *p;
			esc = quote == '\'' && p > start &&
			    (p[-1] == 'E' || p[-1] == 'e') &&
			    (p - 1 == start || !is_ident((unsigned char)p[-2]));
			content = 1;
			for (p++; ; p++) {
				if (p >= end)
					return -1;
				if (esc && *p == '\\') {
					if (++p >= end)
						return -1;
					continue;
				}
				if (*p != quote)
					continue;
				if (p + 1 < end && p[1] == quote) {
					p++;		/* '' or "" inside */
					continue;
				}
				p++;
				break;
			}
		} else if (*p == '$' && (p == start ||
		    !is_ident((unsigned char)p[-1])) &&
		    (tag = dollar_tag(p, end)) > 0) {
			content = 1;
			q = memmem(p + tag, (size_t)(end - p) - tag, p, tag);
			if (q == NULL)
				return -1;
			p = q + tag;
		} else if (*p == ';') {
			s->p = p + 1;
			if (content) {
				*out = dup_range(start, p);
				return *out == NULL ? -1 : 1;
			}
			start = ++p;
		} else {
			if (!isspace((unsigned char)*p))
				content = 1;
			p++;
		}
	}
	s->p = end;
	if (!content)
		return 0;
	*out = dup_range(start, end);
	return *out == NULL ? -1 : 1;
}
