/*
 * render.c: ClearSilver glue.  Every page and mail goes through here, so
 * HTML escaping of every <?cs var: ?> is on by default and a template has
 * to say <?cs escape: "none" ?> to opt out.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cgi/cgi.h>

#include <ClearSilver.h>

#include "ra.h"

static NEOERR *
render_out(void *ctx, char *s)
{
	return string_append((STRING *)ctx, s);
}

/*
 * NEOERR never escapes libra.a: log it as "<what>: <message>", free it,
 * and return "er" for the caller to pass on.
 */
enum ra_err
ra_neoerr(NEOERR *err, const char *what, enum ra_err er)
{
	STRING	 s;

	string_init(&s);
	nerr_error_string(err, &s);
	ra_warnx("%s: %s", what, s.buf != NULL ? s.buf : "?");
	string_clear(&s);
	nerr_ignore(&err);
	return er;
}

/*
 * Render template "name" (a constant, never request data) from directory
 * "dir" with the data in "page", every value escaped per "mode".
 */
static enum ra_err
render(HDF *page, const char *dir, const char *prelude, const char *name,
    const char *mode, char **out)
{
	CSPARSE	*cs = NULL;
	STRING	 s;
	NEOERR	*err;
	char	 what[256];

	*out = NULL;
	string_init(&s);
	if ((err = hdf_set_value(page, "Config.VarEscapeMode", mode)) !=
	    STATUS_OK ||
	    (err = hdf_set_value(page, "hdf.loadpaths.0", dir)) != STATUS_OK ||
	    (err = cs_init(&cs, page)) != STATUS_OK ||
	    (err = cgi_register_strfuncs(cs)) != STATUS_OK ||
	    (prelude != NULL && (err = cs_parse_file(cs, prelude)) !=
	    STATUS_OK) ||
	    (err = cs_parse_file(cs, name)) != STATUS_OK ||
	    (err = cs_render(cs, &s, render_out)) != STATUS_OK) {
		cs_destroy(&cs);
		string_clear(&s);
		snprintf(what, sizeof(what), "template %s", name);
		return ra_neoerr(err, what, RA_ERENDER);
	}
	cs_destroy(&cs);
	if (s.buf == NULL && (s.buf = strdup("")) == NULL)
		return RA_ENOMEM;
	*out = s.buf;			/* STRING's buffer is plain malloc */
	return RA_OK;
}

/*
 * HTML: every value escaped, whatever "page" held (set here, before
 * cs_init).  The page's strings in both languages and lang.cs, their
 * macros, come first.  On RA_OK "*out" is the caller's to free.
 */
enum ra_err
ra_render_buf(HDF *page, const char *dir, const char *name, char **out)
{
	enum ra_err	 er;

	*out = NULL;
	if (hdf_get_obj(page, "Ja") == NULL &&
	    (er = ra_lang_load(page, dir)) != RA_OK)
		return er;
	return render(page, dir, "lang.cs", name, "html", out);
}

/* Plain text (mails): no HTML escaping, which would only garble it. */
enum ra_err
ra_render_text(HDF *page, const char *dir, const char *name, char **out)
{
	return render(page, dir, NULL, name, "none", out);
}
