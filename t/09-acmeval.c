/*
 * The ACME validator's address rules (lib/httpget.c): which addresses
 * count as loopback and as public, and how Acme.Resolve maps names.
 */
#include <stdio.h>
#include <string.h>

#include "ra.h"
#include "acmeval.h"
#include "tap.h"

static const struct {
	const char	*addr;
	int		 loopback, public;
} addrs[] = {
	{ "127.0.0.1",		1, 0 },
	{ "127.9.9.9",		1, 0 },
	{ "::1",		1, 0 },
	{ "::ffff:127.0.0.1",	1, 0 },
	{ "10.1.2.3",		0, 0 },
	{ "172.16.0.1",		0, 0 },
	{ "172.31.255.255",	0, 0 },
	{ "172.32.0.1",		0, 1 },
	{ "192.168.1.1",	0, 0 },
	{ "169.254.169.254",	0, 0 },	/* cloud metadata */
	{ "100.64.0.1",		0, 0 },
	{ "0.0.0.0",		0, 0 },
	{ "224.0.0.1",		0, 0 },
	{ "255.255.255.255",	0, 0 },
	{ "192.0.2.10",		0, 0 },
	{ "::ffff:10.0.0.1",	0, 0 },
	{ "fe80::1",		0, 0 },
	{ "fd00::1",		0, 0 },
	{ "ff02::1",		0, 0 },
	{ "2001:db8::1",	0, 0 },
	{ "::",			0, 0 },
	{ "8.8.8.8",		0, 1 },
	{ "133.39.0.1",		0, 1 },
	{ "2001:4860:4860::8888", 0, 1 },
	{ "not-an-address",	0, 0 },
};

static const struct ra_resolve map[] = {
	{ "*.nii.ac.jp",	"127.0.0.1" },
	{ "*.www.nii.ac.jp",	"127.0.0.3" },
	{ "www.nii.ac.jp",	"127.0.0.2" },
	{ "demo.ac.jp",		"::1" },
};

static const struct {
	const char	*host;
	const char	*want;		/* NULL: not in the map */
} names[] = {
	{ "www.nii.ac.jp",	"127.0.0.2" },	/* exact before wildcard */
	{ "WWW.NII.AC.JP",	"127.0.0.2" },
	{ "a.nii.ac.jp",	"127.0.0.1" },
	{ "a.b.nii.ac.jp",	"127.0.0.1" },
	{ "x.www.nii.ac.jp",	"127.0.0.3" },	/* the longest wildcard */
	{ "nii.ac.jp",		NULL },		/* *.domain is not the domain */
	{ "evilnii.ac.jp",	NULL },
	{ "nii.ac.jp.evil.org",	NULL },
	{ "demo.ac.jp",		"::1" },
	{ "www.demo.ac.jp",	NULL },
};

int
main(void)
{
	const char	*a;
	size_t		 i;
	int		 found;

	for (i = 0; i < RA_NITEMS(addrs); i++) {
		ok(ra_addr_loopback(addrs[i].addr) == addrs[i].loopback,
		    "%s %s loopback", addrs[i].addr,
		    addrs[i].loopback ? "is" : "is not");
		ok(ra_addr_public(addrs[i].addr) == addrs[i].public,
		    "%s %s public", addrs[i].addr,
		    addrs[i].public ? "is" : "is not");
	}
	for (i = 0; i < RA_NITEMS(names); i++) {
		found = ra_resolve_lookup(map, RA_NITEMS(map), names[i].host,
		    &a);
		ok(names[i].want == NULL ? !found && a == NULL :
		    found && strcmp(a, names[i].want) == 0, "%s -> %s",
		    names[i].host, names[i].want != NULL ? names[i].want :
		    "not in the map");
	}
	return tap_done();
}
