/*
 * pgarray.c: PostgreSQL array literals, so that one statement can carry a
 * whole batch (unnest($1::bytea[], ...)) instead of one round trip per
 * row.  Every element is double-quoted with '"' and '\' escaped, so no
 * value can end an element or the array early.
 */
#include <stdlib.h>
#include <string.h>

#include "ra.h"

static int
arr_grow(struct ra_pgarr *a, size_t more)
{
	char	*p;
	size_t	 cap;

	if (a->len + more + 2 <= a->cap)
		return 1;
	cap = a->cap == 0 ? 256 : a->cap;
	while (cap < a->len + more + 2)
		cap *= 2;
	if ((p = realloc(a->buf, cap)) == NULL)
		return 0;
	a->buf = p;
	a->cap = cap;
	return 1;
}

/* Append "elem" (NULL for SQL NULL).  Returns 0 when out of memory. */
int
ra_pgarr_add(struct ra_pgarr *a, const char *elem)
{
	const char	*p;

	if (!arr_grow(a, elem == NULL ? 6 : 2 * strlen(elem) + 4))
		return 0;
	a->buf[a->len++] = a->n++ == 0 ? '{' : ',';
	if (elem == NULL) {
		memcpy(a->buf + a->len, "NULL", 4);
		a->len += 4;
		return 1;
	}
	a->buf[a->len++] = '"';
	for (p = elem; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\')
			a->buf[a->len++] = '\\';
		a->buf[a->len++] = *p;
	}
	a->buf[a->len++] = '"';
	return 1;
}

/* The literal, valid until the next add or ra_pgarr_free; NULL if no memory. */
const char *
ra_pgarr_str(struct ra_pgarr *a)
{
	if (!arr_grow(a, 2))
		return NULL;
	if (a->n == 0)
		a->buf[a->len] = '{';
	memcpy(a->buf + a->len + (a->n == 0), "}", 2);
	return a->buf;
}

void
ra_pgarr_free(struct ra_pgarr *a)
{
	free(a->buf);
	memset(a, 0, sizeof(*a));
}
