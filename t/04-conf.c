/*
 * Configuration: missing file, missing key, syntax error, good file; HDF
 * links, attributes and deep blocks refused (a link loop overflowed
 * ClearSilver's stack, t/fuzz/regress/conf/), other HDF syntax kept.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ra.h"
#include "domain.h"
#include "tap.h"

static const char good[] =
    "Site.Name = ra\n"
    "Db {\n Public = dbname=x\n Officer = dbname=x\n Desk = dbname=x\n Worker = dbname=x\n Admin = dbname=x\n}\n"
    "Paths {\n Templates = /t\n Schema = /s\n}\n"
    "Limits.RequestBytes = 42\n";

static int
conf_with(const char *text)
{
	char		 path[] = "/tmp/ra-conf-XXXXXX";
	struct ra_conf	 c;
	FILE		*fp;
	int		 fd, er;

	if ((fd = mkstemp(path)) == -1 || (fp = fdopen(fd, "w")) == NULL)
		return -1;
	fputs(text, fp);
	fclose(fp);
	er = ra_conf_load(&c, path);
	ra_conf_free(&c);
	unlink(path);
	return er;
}

int
main(void)
{
	struct ra_conf	 c;

	ok(ra_conf_load(&c, "/nonexistent/ra.conf") == RA_ECONF,
	    "missing file is RA_ECONF");
	ra_conf_free(&c);
	ok(conf_with(good) == RA_OK, "complete file loads");
	ok(conf_with("Site.Name = ra\n") == RA_ECONF,
	    "a required key unset is RA_ECONF");
	ok(conf_with("Site.Name = ra\nthis line is not HDF\n") == RA_ECONF,
	    "a syntax error is RA_ECONF");

	ok(conf_with("Site : Site.Name\nSite.Other = 1\n") == RA_ECONF,
	    "a link loop is RA_ECONF, not a stack overflow");
	ok(conf_with("Db.Worker : Db.Admin\nDb.Admin = x\n") == RA_ECONF,
	    "any link is RA_ECONF");
	ok(conf_with("Site [x=y] = ra\n") == RA_ECONF,
	    "attributes are RA_ECONF");
	{
		char	 deep[512] = "";
		int	 i;

		for (i = 0; i < 40; i++)
			strcat(deep, "a {\n");
		ok(conf_with(deep) == RA_ECONF, "blocks 40 deep are RA_ECONF");
	}
	{
		char	 text[1024];

		snprintf(text, sizeof(text), "%s%s", good,
		    "Site.Motd << EOM\nKey : value, in a text\nEOM\n"
		    "Site.Copy := Site.Name\n# a comment : with a colon\n");
		ok(conf_with(text) == RA_OK,
		    "a << value, a := copy and a comment with colons load");
	}

	setenv("RA_CONF", "/nonexistent/from-env.conf", 1);
	ok(ra_conf_load(&c, NULL) == RA_ECONF &&
	    strcmp(c.path, "/nonexistent/from-env.conf") == 0,
	    "RA_CONF names the file");
	ra_conf_free(&c);
	return tap_done();
}
