/*
 * httpaddr.c: which addresses the ACME validator may connect to
 * (httpget.c): the names it takes, the Acme.Resolve map of tests
 * (exact names before the longest "*.domain"), what is loopback and what
 * is a public address.
 */
#include <sys/socket.h>
#include <sys/types.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <ClearSilver.h>

#include "ra.h"
#include "acmeval.h"

int
ra_host_ok(const char *h)
{
	size_t	 i, n = strlen(h), label = 0;

	if (n == 0 || n > 253 || h[0] == '.' || h[n - 1] == '.')
		return 0;
	for (i = 0; i < n; i++) {
		if (h[i] == '.') {
			if (label == 0)
				return 0;
			label = 0;
		} else if ((isalnum((unsigned char)h[i]) || h[i] == '-') &&
		    ++label <= 63)
			continue;
		else
			return 0;
	}
	return 1;
}

int
ra_ip_literal(const char *h)
{
	unsigned char	 b[16];

	return inet_pton(AF_INET, h, b) == 1 || inet_pton(AF_INET6, h, b) == 1;
}

/*
 * Acme.Resolve { 1 = *.nii.ac.jp 127.0.0.1 ... }: each child one entry.
 * A malformed entry is a configuration error, not skipped.
 */
enum ra_err
ra_resolve_load(const struct ra_conf *c, struct ra_resolve *map, size_t max,
    size_t *n)
{
	HDF		*o;
	const char	*v, *sp;
	size_t		 hl;

	*n = 0;
	for (o = hdf_obj_child(hdf_get_obj(c->hdf, "Acme.Resolve")); o != NULL;
	    o = hdf_obj_next(o)) {
		if ((v = hdf_obj_value(o)) == NULL)
			continue;
		if (*n == max) {
			ra_warnx("config %s: Acme.Resolve: more than %zu entries",
			    c->path, max);
			return RA_ECONF;
		}
		sp = strchr(v, ' ');
		hl = sp == NULL ? 0 : (size_t)(sp - v);
		if (sp == NULL || hl >= sizeof(map[*n].host) ||
		    strlen(sp + 1) >= sizeof(map[*n].addr))
			goto bad;
		memcpy(map[*n].host, v, hl);
		map[*n].host[hl] = '\0';
		snprintf(map[*n].addr, sizeof(map[*n].addr), "%s", sp + 1);
		if (!ra_ip_literal(map[*n].addr))
			goto bad;
		if (!ra_host_ok(strncmp(map[*n].host, "*.", 2) == 0 ?
		    map[*n].host + 2 : map[*n].host) &&
		    !ra_ip_literal(map[*n].host))
			goto bad;
		(*n)++;
	}
	return RA_OK;
bad:
	ra_warnx("config %s: Acme.Resolve.%s: \"%s\" is not \"HOST ADDRESS\" "
	    "(HOST a name or *.domain, ADDRESS numeric)", c->path,
	    hdf_obj_name(o), v);
	return RA_ECONF;
}

/*
 * The address "host" maps to (1), or 0: an exact entry first, else the
 * longest "*.domain" the name lies below (not the domain itself).
 */
int
ra_resolve_lookup(const struct ra_resolve *map, size_t n, const char *host,
    const char **addr)
{
	size_t	 i, hl = strlen(host), dl, best = 0;

	*addr = NULL;
	for (i = 0; i < n; i++)
		if (strcasecmp(map[i].host, host) == 0) {
			*addr = map[i].addr;
			return 1;
		}
	for (i = 0; i < n; i++) {
		if (strncmp(map[i].host, "*.", 2) != 0)
			continue;
		dl = strlen(map[i].host) - 1;		/* ".domain" */
		if (hl > dl && strcasecmp(host + hl - dl, map[i].host + 1) == 0 &&
		    dl > best) {
			best = dl;
			*addr = map[i].addr;
		}
	}
	return *addr != NULL;
}

/* 127.0.0.0/8, ::1, ::ffff:127.x.x.x */
int
ra_addr_loopback(const char *a)
{
	unsigned char	 b[16];
	static const unsigned char one[16] = { [15] = 1 };
	static const unsigned char v4mapped[12] = { [10] = 0xff, [11] = 0xff };

	if (inet_pton(AF_INET, a, b) == 1)
		return b[0] == 127;
	if (inet_pton(AF_INET6, a, b) != 1)
		return 0;
	return memcmp(b, one, 16) == 0 ||
	    (memcmp(b, v4mapped, 12) == 0 && b[12] == 127);
}

static int
v4_public(const unsigned char *b)
{
	return !(b[0] == 0 || b[0] == 10 || b[0] == 127 ||
	    (b[0] == 100 && (b[1] & 0xc0) == 64) ||	/* 100.64/10 CGNAT */
	    (b[0] == 169 && b[1] == 254) ||		/* link-local */
	    (b[0] == 172 && (b[1] & 0xf0) == 16) ||
	    (b[0] == 192 && b[1] == 168) ||
	    (b[0] == 192 && b[1] == 0 && (b[2] == 0 || b[2] == 2)) ||
	    (b[0] == 198 && (b[1] & 0xfe) == 18) ||	/* benchmarking */
	    (b[0] == 198 && b[1] == 51 && b[2] == 100) ||
	    (b[0] == 203 && b[1] == 0 && b[2] == 113) ||
	    b[0] >= 224);				/* multicast, reserved */
}

/* Whether a numeric address is one the Internet routes to a host. */
int
ra_addr_public(const char *a)
{
	unsigned char	 b[16];
	static const unsigned char v4mapped[12] = { [10] = 0xff, [11] = 0xff };
	static const unsigned char zero[15];

	if (inet_pton(AF_INET, a, b) == 1)
		return v4_public(b);
	if (inet_pton(AF_INET6, a, b) != 1)
		return 0;
	if (memcmp(b, v4mapped, 12) == 0)
		return v4_public(b + 12);
	return !(memcmp(b, zero, 15) == 0 ||		/* :: and ::1 */
	    (b[0] & 0xfe) == 0xfc ||			/* fc00::/7 ULA */
	    (b[0] == 0xfe && (b[1] & 0xc0) == 0x80) ||	/* fe80::/10 */
	    b[0] == 0xff ||				/* multicast */
	    (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8));
}

