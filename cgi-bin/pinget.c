/*
 * pinget.cgi: the user administrator fetches access PINs from the URL of
 * mail M1 (reference §1.4, §3.5):
 *
 *	GET  ?t=TOKEN		what the URL holds, and a 【ダウンロード】 button
 *				(a GET changes nothing: mail scanners that
 *				follow links must not use the URL up)
 *	POST t			the PIN ZIP (accesspin.txt, CP932); the URL
 *				is used up, which opens the certificate URL
 *
 * Every attempt is audited.  From a shell it answers like a GET without
 * a token.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "ra.h"
#include "web.h"

enum field { F_TOKEN, F__MAX };

static const struct ra_field fields[F__MAX] = {
	[F_TOKEN]	= { "t",	RA_TOKEN_LEN,	ra_valid_token },
};

static enum ra_err
audit(struct ra_req *r, const struct ra_client_url *c, const char *outcome,
    const char *detail)
{
	struct ra_event	 ev;
	char		 ids[300];

	ra_client_audit_detail(&c->u, c->batch_id, detail, ids, sizeof(ids));
	memset(&ev, 0, sizeof(ev));
	ev.event = "client.pin_download";
	ev.outcome = outcome;
	ev.actor = "admin";		/* the user administrator, by URL */
	ev.institution_id = c->u.institution_id;
	ev.source_ip = ra_req_env("REMOTE_ADDR");
	ev.detail = ids;
	return ra_audit(r->db, &ev);
}

static enum ra_err
show(struct ra_req *r, const struct ra_client_url *c, const char *token,
    int status, const char *step)
{
	hdf_set_value(r->page, "Pin.Step", step);
	if (token != NULL)
		hdf_set_value(r->page, "Pin.Token", token);
	if (c->u.found) {
		hdf_set_value(r->page, "Pin.NameJa", c->admin_name);
		hdf_set_value(r->page, "Pin.InstitutionJa",
		    c->u.institution_ja);
		hdf_set_int_value(r->page, "Pin.Bulk", c->batch_id != 0);
	}
	return ra_render(r, status, "pinget.cs");
}

/* The PIN ZIP, sent; the URL used up once it is out. */
static enum ra_err
download(struct ra_req *r, struct ra_client_url *c, const char *token)
{
	unsigned char	*zip = NULL;
	size_t		 len = 0;
	enum ra_err	 er;

	if ((er = ra_client_pin_zip(r->db, token, &zip, &len)) != RA_OK ||
	    (er = ra_client_url_used(r->db, c->u.token)) != RA_OK ||
	    (er = audit(r, c, "ok", NULL)) != RA_OK)
		goto out;
	printf("Status: 200\r\nContent-Type: application/zip\r\n"
	    "Content-Disposition: attachment; filename=\"accesspin.zip\"\r\n"
	    "Content-Length: %zu\r\nCache-Control: no-store\r\n\r\n", len);
	if (fwrite(zip, 1, len, stdout) != len || fflush(stdout) != 0) {
		er = RA_ESYS;
		goto out;
	}
	er = ra_db_commit(r->db);
out:
	ra_db_rollback(r->db);
	if (zip != NULL)
		OPENSSL_cleanse(zip, len);
	free(zip);
	return er;
}

static enum ra_err
pinget(struct ra_req *r)
{
	struct ra_client_url	 c;
	const char		*f[F__MAX], *why = NULL;
	enum ra_err		 er;

	memset(&c, 0, sizeof(c));
	if ((er = ra_form_get(r, fields, F__MAX, f)) != RA_OK ||
	    (er = ra_req_db(r, r->zone)) != RA_OK ||
	    (er = ra_db_begin(r->db)) != RA_OK)
		goto out;
	er = ra_client_url_open(r->db, f[F_TOKEN], &c);
	if (er == RA_ENOTFOUND || (er == RA_OK && strcmp(c.purpose,
	    "pin_download") != 0))
		why = "invalid";
	else if (er != RA_OK)
		goto out;
	else if (c.u.used)
		why = "used";
	else if (c.u.expired || !c.u.active)
		why = "invalid";
	if (why != NULL) {
		if (c.u.found && (er = audit(r, &c, "refused", strcmp(why,
		    "used") == 0 ? "{\"why\": \"used\"}" :
		    "{\"why\": \"expired or inactive\"}")) != RA_OK)
			goto out;
		if ((er = ra_db_commit(r->db)) != RA_OK)
			goto out;
		er = show(r, &c, NULL, strcmp(why, "used") == 0 ? 410 : 404,
		    why);
		goto out;
	}
	if (strcmp(ra_req_method(r), "POST") != 0) {
		ra_db_rollback(r->db);
		er = show(r, &c, f[F_TOKEN], 200, "ready");
		goto out;
	}
	er = download(r, &c, f[F_TOKEN]);
out:
	ra_url_free(&c.u);
	return er;
}

int
main(int argc, char *argv[])
{
	static const struct ra_screen sc = { fields, F__MAX, pinget,
	    RA_DB_PUBLIC };

	return ra_web_main(argc, argv, &sc);
}
