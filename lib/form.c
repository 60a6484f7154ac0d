/*
 * form.c: request fields, declared once per screen in a table with a
 * maximum length and a validator; all of them are checked before a
 * handler runs, and a bad one rejects the whole request.  Fields not in
 * the table are never looked at.
 */
#include <string.h>

#include <cgi/cgi.h>

#include "ra.h"

int
ra_valid_token(const char *s)
{
	unsigned char	 sha[32];

	return ra_token_hash(s, sha) == RA_OK;
}

/* Printable ASCII without spaces: PINs and passwords as we make them. */
int
ra_valid_secret(const char *s)
{
	for (; *s != '\0'; s++)
		if (*s <= ' ' || *s > '~')
			return 0;
	return 1;
}

/* A lower-case word: step and option names. */
int
ra_valid_word(const char *s)
{
	return *s != '\0' && strspn(s, "abcdefghijklmnopqrstuvwxyz-") ==
	    strlen(s);
}

/*
 * Fill "out[i]" with field i of "tab" (NULL if absent).  RA_EINPUT if any
 * present field is too long or fails its validator.
 */
enum ra_err
ra_form_get(struct ra_req *r, const struct ra_field *tab, size_t n,
    const char **out)
{
	char		 key[64];
	const char	*v;
	size_t		 i;

	for (i = 0; i < n; i++) {
		out[i] = NULL;
		snprintf(key, sizeof(key), "Query.%s", tab[i].name);
		v = r->cgi != NULL ? hdf_get_value(r->cgi->hdf, key, NULL) :
		    NULL;
		if (v == NULL)
			continue;
		if (strlen(v) > tab[i].maxlen || !tab[i].valid(v)) {
			ra_warnx("field %s refused", tab[i].name);
			return RA_EINPUT;
		}
		out[i] = v;
	}
	return RA_OK;
}

/* "GET", "POST", ...; "" from a shell. */
const char *
ra_req_method(const struct ra_req *r)
{
	const char	*m = ra_req_env("REQUEST_METHOD");

	return r->is_cgi && m != NULL ? m : "";
}
