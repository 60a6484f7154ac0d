/*
 * conf.c: ra.conf, an HDF file.  Its path comes from the argument, else
 * $RA_CONF, else the compiled-in default; Apache passes no environment to
 * CGIs, so the httpd snippet sets RA_CONF with SetEnv.
 */
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
