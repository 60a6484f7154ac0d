/*
 * lang.c: which language a page is in.  Japanese is the system's own
 * (pages show it first, English after it, as the original did); English
 * alone for a browser that prefers it or a user who chose it.  The
 * strings are templates/lang/ja.hdf and en.hdf, both loaded for every
 * page, so a Japanese page can carry the English line beside it.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cgi/cgi.h>

#include "ra.h"
#include "web.h"

#define LANG_COOKIE	"ra_lang"

/* The languages there are strings for; the first is the default. */
static const char *const langs[] = { "ja", "en" };
#define LANGS	(sizeof(langs) / sizeof(langs[0]))

/* Our name for "s" if it is one of ours exactly, else NULL. */
const char *
ra_lang_known(const char *s)
{
	size_t	 i;

	for (i = 0; s != NULL && i < LANGS; i++)
		if (strcmp(s, langs[i]) == 0)
			return langs[i];
	return NULL;
}

/*
 * The q-value of one Accept-Language range "p" (up to its comma): 1000
 * for q=1, 0 for q=0 or anything unreadable, per RFC 9110 12.4.2.
 */
static int
accept_q(const char *p, const char *end)
{
	const char	*q;
	int		 v = 0, digits = 0;

	if ((q = memchr(p, ';', (size_t)(end - p))) == NULL)
		return 1000;
	for (q++; q < end && (*q == ' ' || *q == '\t'); q++)
		;
	if (end - q < 3 || (q[0] != 'q' && q[0] != 'Q') || q[1] != '=')
		return 0;
	q += 2;
	if (*q == '1')
		return 1000;
	if (*q++ != '0')
		return 0;
	if (q < end && *q == '.')
		for (q++; q < end && isdigit((unsigned char)*q) && digits < 3;
		    q++, digits++)
			v = v * 10 + (*q - '0');
	while (digits++ < 3)
		v *= 10;
	return v;
}

/*
 * The one of ours "accept" (an Accept-Language header) likes best, or
 * NULL.  A range matches by its primary subtag ("en-GB" is "en"); "*"
 * and ranges of other languages are passed over; the earlier of equals
 * wins.
 */
static const char *
accept_pick(const char *accept)
{
	const char	*p, *end, *tag, *best = NULL;
	size_t		 n, i;
	int		 q, bestq = 0;

	for (p = accept; p != NULL && *p != '\0'; p = *end ? end + 1 : end) {
		while (*p == ' ' || *p == '\t')
			p++;
		if ((end = strchr(p, ',')) == NULL)
			end = p + strlen(p);
		n = strcspn(p, "-;, \t");
		if (p + n > end)
			n = (size_t)(end - p);
		for (i = 0, tag = NULL; i < LANGS && tag == NULL; i++)
			if (strlen(langs[i]) == n &&
			    strncasecmp(p, langs[i], n) == 0)
				tag = langs[i];
		if (tag != NULL && (q = accept_q(p, end)) > bestq) {
			best = tag;
			bestq = q;
		}
	}
	return best;
}

/*
 * The page's language: the one just chosen ("chosen", from ?lang=), else
 * the one remembered in our cookie, else the browser's preference, else
 * Japanese.  Anything not ours is passed over.
 */
const char *
ra_lang_pick(const char *chosen, const char *cookie, const char *accept)
{
	const char	*l;

	if ((l = ra_lang_known(chosen)) != NULL ||
	    (l = ra_lang_known(cookie)) != NULL ||
	    (l = accept_pick(accept)) != NULL)
		return l;
	return langs[0];
}

/* The Set-Cookie value that remembers "lang" for a year, site-wide. */
void
ra_lang_cookie(char *buf, size_t sz, const char *lang)
{
	snprintf(buf, sz, LANG_COOKIE "=%s; Path=/; Max-Age=31536000; Secure;"
	    " HttpOnly; SameSite=Lax", lang);
}

/*
 * The link that switches to "other": this page's own query string with
 * any lang= of it left out (a one-time URL keeps its id), lang=other last.
 */
static enum ra_err
lang_switch(HDF *page, const char *other)
{
	const char	*qs = ra_req_env("QUERY_STRING"), *p, *end;
	STRING		 s;
	NEOERR		*err = STATUS_OK;
	size_t		 n;

	string_init(&s);
	err = string_append(&s, "?");
	for (p = qs; err == STATUS_OK && p != NULL && *p != '\0';
	    p = *end ? end + 1 : end) {
		if ((end = strchr(p, '&')) == NULL)
			end = p + strlen(p);
		n = (size_t)(end - p);
		if (n == 0 || (n >= 5 && strncmp(p, "lang=", 5) == 0) ||
		    (n == 4 && strncmp(p, "lang", 4) == 0))
			continue;
		if ((err = string_appendn(&s, p, (int)n)) == STATUS_OK)
			err = string_append(&s, "&");
	}
	if (err == STATUS_OK && (err = string_append(&s, "lang=")) == STATUS_OK &&
	    (err = string_append(&s, other)) == STATUS_OK)
		err = hdf_set_value(page, "Page.LangSwitch", s.buf);
	string_clear(&s);
	return err != STATUS_OK ? ra_neoerr(err, "lang", RA_ENOMEM) : RA_OK;
}

/*
 * Settle the request's language.  A "lang" query field of ours is the
 * user's switch: taken out of the form (no screen declares it), and
 * remembered in a cookie.  Any other value is left where it is, for the
 * screen's form check to refuse as an undeclared field.
 */
enum ra_err
ra_lang_settle(struct ra_req *r)
{
	const char	*chosen = NULL, *cookie = NULL, *lang;
	NEOERR		*err;

	if (r->cgi != NULL) {
		chosen = ra_lang_known(hdf_get_value(r->cgi->hdf,
		    "Query.lang", NULL));
		cookie = hdf_get_value(r->cgi->hdf, "Cookie." LANG_COOKIE,
		    NULL);
	}
	lang = ra_lang_pick(chosen, cookie, ra_req_env("HTTP_ACCEPT_LANGUAGE"));
	if (chosen != NULL) {
		if ((err = hdf_remove_tree(r->cgi->hdf, "Query.lang")) !=
		    STATUS_OK)
			return ra_neoerr(err, "lang", RA_ENOMEM);
		ra_lang_cookie(r->lang_cookie, sizeof(r->lang_cookie), lang);
	}
	r->lang = lang;
	if ((err = hdf_set_value(r->page, "Lang", lang)) != STATUS_OK)
		return ra_neoerr(err, "lang", RA_ENOMEM);
	return lang_switch(r->page, strcmp(lang, "en") == 0 ? "ja" : "en");
}

/*
 * Both languages' strings into "page" (Ja.*, En.*) from "dir"/lang/, for
 * templates/lang.cs to pick from.  Each file includes its zones' files
 * (lang/ja/desk.hdf ...) by a path under "dir".
 */
enum ra_err
ra_lang_load(HDF *page, const char *dir)
{
	char	 path[1024];
	NEOERR	*err;
	size_t	 i;
	int	 n;

	if ((err = hdf_set_value(page, "hdf.loadpaths.0", dir)) != STATUS_OK)
		return ra_neoerr(err, "lang", RA_ENOMEM);
	for (i = 0; i < LANGS; i++) {
		n = snprintf(path, sizeof(path), "%s/lang/%s.hdf", dir,
		    langs[i]);
		if (n < 0 || (size_t)n >= sizeof(path))
			return RA_ECONF;
		if ((err = hdf_read_file(page, path)) != STATUS_OK)
			return ra_neoerr(err, path, RA_ERENDER);
	}
	return RA_OK;
}
