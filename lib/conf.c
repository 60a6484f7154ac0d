/*
 * conf.c: ra.conf, an HDF file.  Its path comes from the argument, else
 * $RA_CONF, else the compiled-in default; Apache passes no environment to
 * CGIs, so the httpd snippet sets RA_CONF with SetEnv.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ClearSilver.h>

#include "ra.h"

#ifndef RA_CONF_DEFAULT
#define RA_CONF_DEFAULT	"/usr/local/etc/ra/ra.conf"
#endif

/* Every key the code reads must be present; a typo fails at start, not later. */
static const char *const conf_required[] = {
	"Db.Worker",
	"Db.Admin",
	"Paths.Templates",
	"Paths.Schema",
	"Site.Name",
};

#define CONF_MAX	(1024 * 1024)	/* bytes of one file */
#define CONF_DEPTH	32		/* nested "Name {" blocks */

/*
 * Why line "s".."end" (its newline excluded) of an HDF file is refused,
 * or NULL: a link ("Name : Other"), attributes ("Name [a=b] = v") or a
 * block nested too deep.  ClearSilver's reader follows links by name at
 * every later lookup and assignment with no guard against a loop:
 * "Site : Site.Name" recursed until the stack overflowed (found by
 * t/fuzz/conf.c); each block is one more level of its recursion too.
 * ra.conf needs neither links nor attributes.  The line is read as
 * _hdf_read_string reads it; "Name << END" sets "*here" to END.
 */
static const char *
conf_line_bad(const char *s, const char *end, int *depth, const char **here,
    size_t *herelen)
{
	while (s < end && isspace((unsigned char)*s))
		s++;
	if (s == end || *s == '#')
		return NULL;
	if (*s == '}') {
		(*depth)--;
		return NULL;
	}
	while (s < end && (isalnum((unsigned char)*s) || *s == '_' ||
	    *s == '.'))
		s++;
	while (s < end && isspace((unsigned char)*s))
		s++;
	if (s == end)
		return NULL;
	if (*s == '[')
		return "attributes (Name [...]) are not taken";
	if (*s == ':' && (s + 1 == end || s[1] != '='))
		return "a link (Name : Other) is not taken; give the value";
	if (*s == '{' && ++*depth > CONF_DEPTH)
		return "blocks are nested too deep";
	if (*s == '<' && s + 1 < end && s[1] == '<') {
		s += 2;
		while (s < end && isspace((unsigned char)*s))
			s++;
		*here = s;
		for (*herelen = 0; s < end && !isspace((unsigned char)*s); s++)
			++*herelen;
	}
	return NULL;
}

/*
 * ClearSilver reads ra.conf, and each file it includes, through this
 * (hdf_register_fileload): the file is refused, naming the line, when
 * conf_line_bad says so.  A "<< END" value's lines are not looked at.
 */
static NEOERR *
conf_fileload(void *ctx, HDF *hdf, const char *path, char **out)
{
	const char	*p, *nl, *why = NULL, *here = NULL;
	char		*buf;
	size_t		 len, n = 0;
	int		 line = 0, depth = 0;

	*out = NULL;
	if (ra_read_file(path, CONF_MAX, &buf, &len) != RA_OK)
		return nerr_raise(NERR_IO, "%s: cannot be read", path);
	for (p = buf; why == NULL && *p != '\0';
	    p = *nl != '\0' ? nl + 1 : nl) {
		line++;
		if ((nl = strchr(p, '\n')) == NULL)
			nl = p + strlen(p);
		if (here == NULL)
			why = conf_line_bad(p, nl, &depth, &here, &n);
		else if ((size_t)(nl - p) >= n && strncmp(p, here, n) == 0 &&
		    (p + n == nl || isspace((unsigned char)p[n])))
			here = NULL;		/* the END of "<< END" */
	}
	if (why != NULL) {
		free(buf);
		return nerr_raise(NERR_PARSE, "%s:%d: %s", path, line, why);
	}
	*out = buf;
	return STATUS_OK;
}

enum ra_err
ra_conf_load(struct ra_conf *c, const char *path)
{
	NEOERR	*err;
	FILE	*fp;
	char	 what[4200];
	size_t	 i;

	c->hdf = NULL;
	c->path = NULL;
	if (path == NULL && (path = getenv("RA_CONF")) == NULL)
		path = RA_CONF_DEFAULT;
	if ((c->path = strdup(path)) == NULL)
		return RA_ENOMEM;
	/* hdf_read_file's own message for a missing file is vague: check first. */
	if ((fp = fopen(path, "r")) == NULL) {
		ra_warnx("config %s: %s", path, strerror(errno));
		return RA_ECONF;
	}
	fclose(fp);
	if ((err = hdf_init(&c->hdf)) != STATUS_OK) {
		nerr_ignore(&err);
		return RA_ENOMEM;
	}
	hdf_register_fileload(c->hdf, NULL, conf_fileload);
	if ((err = hdf_read_file(c->hdf, path)) != STATUS_OK) {
		snprintf(what, sizeof(what), "config %s", path);
		return ra_neoerr(err, what, RA_ECONF);
	}
	for (i = 0; i < RA_NITEMS(conf_required); i++)
		if (ra_conf_get(c, conf_required[i]) == NULL) {
			ra_warnx("config %s: %s is not set", path,
			    conf_required[i]);
			return RA_ECONF;
		}
	return RA_OK;
}

/* Borrowed: valid until ra_conf_free.  NULL when unset or empty. */
const char *
ra_conf_get(const struct ra_conf *c, const char *name)
{
	const char	*v;

	if (c->hdf == NULL)
		return NULL;
	v = hdf_get_value(c->hdf, name, NULL);
	return (v == NULL || *v == '\0') ? NULL : v;
}

int
ra_conf_int(const struct ra_conf *c, const char *name, int def)
{
	return c->hdf == NULL ? def : hdf_get_int_value(c->hdf, name, def);
}

void
ra_conf_free(struct ra_conf *c)
{
	hdf_destroy(&c->hdf);
	free(c->path);
	c->path = NULL;
}
