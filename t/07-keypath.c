/* Where the worker takes CA keys from: below Worker.KeyDir, spelled plainly. */
#include <stdio.h>

#include "ra.h"
#include "domain.h"
#include "tap.h"

static const struct {
	const char	*dir, *path;
	int		 ok;
	const char	*what;
} cases[] = {
	{ "/var/lib/ra/pki/private", "/var/lib/ra/pki/private/server-ca.key", 1,
	    "a key in the directory" },
	{ "/var/lib/ra/pki/private/", "/var/lib/ra/pki/private/server-ca.key", 1,
	    "the directory with a trailing slash" },
	{ "/var/lib/ra/pki/private", "/var/lib/ra/pki/private/g2/ca.key", 1,
	    "a key in a subdirectory" },
	{ "/var/lib/ra/pki/private", "/etc/ssl/private/ca.key", 0,
	    "a key elsewhere" },
	{ "/var/lib/ra/pki/private", "/var/lib/ra/pki/private-old/ca.key", 0,
	    "a sibling directory that shares the prefix" },
	{ "/var/lib/ra/pki/private", "/var/lib/ra/pki/private/../../../etc/shadow",
	    0, "a way out with .." },
	{ "/var/lib/ra/pki/private", "/var/lib/ra/pki/private/./ca.key", 0,
	    "a . component" },
	{ "/var/lib/ra/pki/private", "/var/lib/ra/pki/private//ca.key", 0,
	    "an empty component" },
	{ "/var/lib/ra/pki/private", "/var/lib/ra/pki/private/", 0,
	    "the directory itself" },
	{ "/var/lib/ra/pki/private", "/var/lib/ra/pki/private", 0,
	    "the directory without a slash" },
	{ "relative/dir", "relative/dir/ca.key", 0, "a relative directory" },
	{ "/var/lib/ra/pki/private", "/var/lib/ra/pki/private/..key", 1,
	    "a name that only begins with dots" },
};

int
main(void)
{
	size_t	 i;

	for (i = 0; i < RA_NITEMS(cases); i++)
		ok(ra_key_path_ok(cases[i].dir, cases[i].path) == cases[i].ok,
		    "%s: %s", cases[i].ok ? "taken" : "refused", cases[i].what);
	return tap_done();
}
