/*
 * menu.cgi: the RA menu (manual 3-3): of the interfaces ①-⑪, with the
 * manual's names, those the officer may use (as the manual says, the
 * menu differs by permission), each a link or marked not built yet.
 * Needs a live session on the same certificate (lib/officer.c).  Above
 * the list, what became of the officer's RA certificates: an older one
 * this login revoked, or a newer one that will revoke this one.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ra.h"
#include "web.h"

/* The manual numbers the interfaces ①-⑩; ⑪ is code signing (014). */
static const char *const marks[RA_INTERFACES] = {
	"", "①", "②", "③", "④", "⑤", "⑥", "⑦", "⑧", "⑨", "⑩", "⑪", "⑫",
};

/*
 * The officer's RA certificates: older ones this login revoked
 * (Notice.Revoked.N), or a newer one that will revoke this one
 * (Notice.Newer), with serials and dates.
 */
static enum ra_err
cert_notices(struct ra_req *r, const struct ra_officer *o)
{
	static const char *const cols[] = { "serial", "at", "at_ja" };
	static const char *const keys[] = { "Serial", "At", "AtJa" };
	PGresult	*res = NULL;
	char		 key[64];
	const char	*kind;
	size_t		 c;
	int		 i, n = 0;
	enum ra_err	 er;

	_Static_assert(RA_NITEMS(cols) == RA_NITEMS(keys), "notice columns");
	if ((er = ra_officer_cert_notices(r, o, ra_supersede_grace(&r->conf),
	    &res)) != RA_OK)
		return er;
	for (i = 0; i < PQntuples(res); i++) {
		kind = ra_get_text(res, i, "kind");
		for (c = 0; c < RA_NITEMS(cols); c++) {
			if (strcmp(kind, "revoked") == 0)
				snprintf(key, sizeof(key), "Notice.Revoked.%d.%s",
				    n, keys[c]);
			else
				snprintf(key, sizeof(key), "Notice.Newer.%s",
				    keys[c]);
			hdf_set_value(r->page, key, ra_get_text(res, i,
			    cols[c]));
		}
		n += strcmp(kind, "revoked") == 0;
	}
	PQclear(res);
	return RA_OK;
}

static enum ra_err
menu(struct ra_req *r)
{
	struct ra_officer	 o;
	PGresult		*res = NULL;
	char			 key[64];
	int			 i, n, always;
	enum ra_err		 er;

	if ((er = ra_officer_open(r, &o)) != RA_OK)
		return er;
	if ((er = ra_catalog_interfaces(r->db, &res)) != RA_OK)
		return er;
	ra_officer_page(r, &o);
	for (i = 0; i < PQntuples(res); i++) {
		if ((er = ra_get_int(res, i, "interface", &n)) != RA_OK ||
		    (er = ra_get_bool(res, i, "always", &always)) != RA_OK)
			goto out;
		if (n < 1 || n >= RA_INTERFACES)
			continue;
		/* Not permitted: not shown at all, as the manual says. */
		if (!always && !o.perm[n])
			continue;
		snprintf(key, sizeof(key), "Menu.%d.No", n);
		hdf_set_value(r->page, key, ra_get_text(res, i, "interface"));
		snprintf(key, sizeof(key), "Menu.%d.Mark", n);
		hdf_set_value(r->page, key, marks[n]);
		snprintf(key, sizeof(key), "Menu.%d.Group", n);
		hdf_set_value(r->page, key, ra_get_text(res, i, "grp_ja"));
		snprintf(key, sizeof(key), "Menu.%d.NameJa", n);
		hdf_set_value(r->page, key, ra_get_text(res, i, "name_ja"));
		snprintf(key, sizeof(key), "Menu.%d.NameEn", n);
		hdf_set_value(r->page, key, ra_get_text(res, i, "name_en"));
		snprintf(key, sizeof(key), "Menu.%d.Screen", n);
		hdf_set_value(r->page, key, ra_get_text(res, i, "screen"));
	}
	if ((er = cert_notices(r, &o)) != RA_OK)
		goto out;
	er = ra_render(r, 200, "menu.cs");
out:
	PQclear(res);
	return er;
}

int
main(int argc, char *argv[])
{
	static const struct ra_screen sc = { NULL, 0, menu,
	    RA_DB_OFFICER };

	return ra_web_main(argc, argv, &sc);
}
