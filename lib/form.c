/*
 * form.c: request fields, declared once per screen in a table with a
 * maximum length and a validator.  ra_web_main checks the whole request
 * against the table before the handler runs: a field not in the table, a
 * field given twice, one that fails its validator, or a NUL hidden in a
 * urlencoded value (ClearSilver would silently cut the value there)
 * rejects the whole request.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cgi/cgi.h>

#include "ra.h"
#include "web.h"

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

/* Lower-case hex: CSRF tokens. */
int
ra_valid_hex(const char *s)
{
	return *s != '\0' && strspn(s, "0123456789abcdef") == strlen(s);
}

/* A client's file name: no control characters (the extension is checked
 * with the upload's other rules). */
int
ra_valid_filename(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 0;
	return 1;
}

/* Decimal digits: ids and numbers (ra_field_i64 reads them). */
int
ra_valid_digits(const char *s)
{
	return *s != '\0' && strspn(s, "0123456789") == strlen(s);
}

/*
 * "s" as an integer in [min, max] into "*out": 1, or 0 for anything else
 * (not a number, trailing text, out of range).
 */
int
ra_field_i64(const char *s, int64_t min, int64_t max, int64_t *out)
{
	long long	 v;
	char		*end;

	if (s == NULL || *s == '\0')
		return 0;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return 0;
	*out = v;
	return 1;
}

static const struct ra_field *
field_find(const struct ra_field *tab, size_t n, const char *name)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if (strcmp(tab[i].name, name) == 0)
			return &tab[i];
	return NULL;
}

/*
 * Refuse the request, naming the field.  The name is the client's: bytes
 * outside printable ASCII become '?', so the audit row (UTF-8 text) can
 * always be written.
 */
static enum ra_err
refuse(struct ra_req *r, const char *what, const char *name)
{
	char	 safe[65];
	size_t	 i, n = strnlen(name, sizeof(safe) - 1);

	for (i = 0; i < n; i++)
		safe[i] = name[i] >= ' ' && name[i] <= '~' ? name[i] : '?';
	safe[n] = '\0';
	snprintf(r->refusal_buf, sizeof(r->refusal_buf), "%s: %s", what, safe);
	r->refusal = r->refusal_buf;
	ra_warnx("request refused: %s", r->refusal);
	return RA_EINPUT;
}

/*
 * The whole request against "tab": every Query field declared, none given
 * twice (ClearSilver keeps a repeat as children .0, .1, ...; a dotted name
 * as a child too), each within its length and validator; a file field's
 * children are the ones ClearSilver adds.  The session cookie, if any,
 * must be there once.  RA_EINPUT with r->refusal saying which field.
 */
enum ra_err
ra_form_check(struct ra_req *r, const struct ra_field *tab, size_t n)
{
	const struct ra_field	*f;
	HDF			*q, *c;
	const char		*v, *name, *ct;
	size_t			 i;
	int			 file;

	r->fields = tab;
	if (r->cgi == NULL)
		return RA_OK;
	/*
	 * ClearSilver parses multipart bodies on any screen, and in them a NUL
	 * cuts a text value unseen: only a screen that takes a file takes one.
	 */
	ct = ra_req_env("CONTENT_TYPE");
	for (i = 0, file = 0; i < n; i++)
		file |= tab[i].kind == RA_FIELD_FILE;
	if (ct != NULL && strncasecmp(ct, "multipart/", 10) == 0 && !file)
		return refuse(r, "multipart body on a screen without a file",
		    "CONTENT_TYPE");
	for (q = hdf_obj_child(hdf_get_obj(r->cgi->hdf, "Query")); q != NULL;
	    q = hdf_obj_next(q)) {
		name = hdf_obj_name(q);
		if ((f = field_find(tab, n, name)) == NULL)
			return refuse(r, "undeclared field", name);
		for (c = hdf_obj_child(q); c != NULL; c = hdf_obj_next(c))
			if (f->kind != RA_FIELD_FILE ||
			    (strcmp(hdf_obj_name(c), "Type") != 0 &&
			    strcmp(hdf_obj_name(c), "FileHandle") != 0))
				return refuse(r, "field repeated or structured", name);
		v = hdf_obj_value(q);
		if (v == NULL)
			v = "";
		if (strlen(v) > f->maxlen || !f->valid(v))
			return refuse(r, "field refused", name);
	}
	/* ClearSilver keeps the last of repeated cookies: count them here. */
	if ((v = ra_req_env("HTTP_COOKIE")) != NULL)
		for (i = 0; (v = strstr(v, "ra_session=")) != NULL; v++)
			if (++i > 1)
				return refuse(r, "cookie repeated", "ra_session");
	return RA_OK;
}

/*
 * Whether ClearSilver may be given a body of Content-Type "ct" (NULL:
 * none).  Its multipart reader (rfc2388.c) takes the boundary parameter
 * for granted: "multipart/form-data" with none, or with one its own scan
 * of the header misses, is a NULL dereference before any field is seen
 * (t/fuzz/regress/form/).  So a multipart type passes only as browsers
 * and curl send it, or as RFC 7578 allows: "multipart/form-data;" then
 * name=value parameters, a value a token or a quoted-string of RFC 2046's
 * bchars (no '"' or '\\' within: rfc2388.c reads to the next quote, no
 * escapes; no space last), spaces or tabs around each ';', one of them
 * the boundary (RFC 2046: 1 to 70 characters).  Other types are not
 * multipart's business here.
 */
int
ra_form_type_ok(const char *ct)
{
	static const char name_chars[] = "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_";
	static const char value_chars[] = "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'()+_,-./:=?";
	const char	*p, *name;
	size_t		 n, v;
	int		 boundary = 0, quoted;

	if (ct == NULL)
		return 1;
	p = ct;
	while (isspace((unsigned char)*p))
		p++;
	if (strncasecmp(p, "multipart/", 10) != 0)
		return 1;
	if (strncasecmp(p, "multipart/form-data", 19) != 0)
		return 0;
	p += 19;
	p += strspn(p, " \t");
	if (*p++ != ';')
		return 0;
	for (;;) {
		p += strspn(p, " \t");
		name = p;
		n = strspn(p, name_chars);
		if (n == 0 || p[n] != '=')
			return 0;
		p += n + 1;
		if ((quoted = *p == '"'))
			p++;
		/* A space within a quoted value, not last. */
		for (v = 0; ; ) {
			v += strspn(p + v, value_chars);
			if (!quoted || p[v] != ' ')
				break;
			v += strspn(p + v, " ");
			if (p[v] == '"')
				return 0;
		}
		if (v == 0 || (quoted && p[v] != '"'))
			return 0;
		if (n == 8 && strncasecmp(name, "boundary", 8) == 0) {
			if (boundary || v > 70)
				return 0;
			boundary = 1;
		}
		p += v + (size_t)quoted;
		p += strspn(p, " \t");
		if (*p == '\0')
			return boundary;
		if (*p++ != ';')
			return 0;
	}
}

/* A lower-case word: step and option names. */
int
ra_valid_word(const char *s)
{
	return *s != '\0' && strspn(s, "abcdefghijklmnopqrstuvwxyz-") ==
	    strlen(s);
}

/*
 * Fill "out[i]" with field i of "tab" (NULL if absent).  The values were
 * checked whole by ra_form_check before the handler ran; only that table
 * may be read this way (RA_ESYS for another: a programming error).
 */
enum ra_err
ra_form_get(struct ra_req *r, const struct ra_field *tab, size_t n,
    const char **out)
{
	char		 key[64];
	size_t		 i;

	if (r->cgi != NULL && tab != r->fields) {
		ra_warnx("form read with a table it was not checked against");
		return RA_ESYS;
	}
	for (i = 0; i < n; i++) {
		snprintf(key, sizeof(key), "Query.%s", tab[i].name);
		out[i] = r->cgi != NULL ? hdf_get_value(r->cgi->hdf, key,
		    NULL) : NULL;
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
