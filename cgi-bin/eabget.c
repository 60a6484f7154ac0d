/*
 * eabget.cgi: the user administrator's one-time URL of an ACME-use
 * application (mail acme-eab-url): the EAB key id and HMAC key, shown
 * once, with the ACME directory URL and certbot and lego command lines.
 * The URL is used up by the statement that hands out the key
 * (ra.acme_eab_url_open, 034), so of two visits, however close, one
 * shows it; a later one says it was used and whom to ask.  No access
 * PIN, as a server certificate's retrieval URL (certget.cgi) has none:
 * see eabget.cgi(8).
 *
 *	GET ?t=TOKEN
 *	eabget.cgi TOKEN	(a shell: the same, as text)
 */
#include <stdio.h>
#include <string.h>

#include "ra.h"
#include "web.h"
#include "acme-app.h"

enum { F_TOKEN, F__MAX };
static const struct ra_field fields[F__MAX] = {
	[F_TOKEN]	= { "t",	RA_TOKEN_LEN,	ra_valid_token },
};

static enum ra_err
eabget(struct ra_req *r)
{
	struct ra_acme_eab	 e;
	const char		*f[F__MAX], *tok, *dir;
	char			 dirbuf[512];
	enum ra_err		 er;

	if ((er = ra_form_get(r, fields, F__MAX, f)) != RA_OK)
		return er;
	tok = r->is_cgi ? f[F_TOKEN] : r->argc == 1 ? r->argv[0] : NULL;
	if (tok == NULL || !ra_valid_token(tok)) {
		if (!r->is_cgi) {
			fprintf(stderr, "usage: eabget.cgi TOKEN\n");
			return RA_EUSAGE;
		}
		r->refusal = "no token";
		return RA_EINPUT;
	}
	if ((er = ra_req_db(r, r->zone)) != RA_OK ||
	    (er = ra_db_begin(r->db)) != RA_OK)
		return er;
	er = ra_acme_eab_open(r->db, tok, ra_req_env("REMOTE_ADDR"), &e);
	if (er == RA_ENOTFOUND) {
		ra_db_rollback(r->db);
		if (ra_audit_refusal(r->db, "not found", "no such EAB URL",
		    "user-administrator") != RA_OK)
			ra_warnx("eabget: refusal not audited");
		hdf_set_value(r->page, "Eab.Invalid", "1");
		return ra_render(r, 404, "eabget.cs");
	}
	/* Shown only once the database has it used up. */
	if (er != RA_OK || (er = ra_db_commit(r->db)) != RA_OK)
		goto out;
	dir = ra_acme_directory(&r->conf, dirbuf, sizeof(dirbuf));
	if (!r->is_cgi) {
		if (e.shown)
			printf("kid\t%s\nhmac\t%s\ndirectory\t%s\nfqdns\t%s\n",
			    e.kid, e.hmac, dir != NULL ? dir : "", e.fqdns);
		else
			fprintf(stderr, "this URL was %s; ask %s <%s>\n", e.state,
			    e.officer_name, e.officer_mail);
		er = e.shown ? RA_OK : RA_EDONE;
		goto out;
	}
	hdf_set_value(r->page, "Eab.State", e.state);
	hdf_set_value(r->page, "Eab.FQDNs", e.fqdns);
	hdf_set_value(r->page, "Eab.CN", e.cn);
	hdf_set_value(r->page, "Eab.AdminName", e.admin_name);
	hdf_set_value(r->page, "Eab.OfficerName", e.officer_name);
	hdf_set_value(r->page, "Eab.OfficerMail", e.officer_mail);
	hdf_set_value(r->page, "Eab.InstitutionJa", e.institution_ja);
	if (e.shown) {
		hdf_set_value(r->page, "Eab.Kid", e.kid);
		hdf_set_value(r->page, "Eab.Hmac", e.hmac);
		hdf_set_value(r->page, "Eab.Directory", dir != NULL ? dir : "");
	}
	er = ra_render(r, e.shown ? 200 : 410, "eabget.cs");
	/* The page holds the key now; the HDF goes with the request. */
out:
	ra_db_rollback(r->db);
	ra_acme_eab_clear(&e);
	return er;
}

int
main(int argc, char *argv[])
{
	static const struct ra_screen sc = { fields, F__MAX, eabget,
	    RA_DB_PUBLIC };

	return ra_web_main(argc, argv, &sc);
}
