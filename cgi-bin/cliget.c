/*
 * cliget.cgi: a client or S/MIME certificate from the URL of mail M2
 * (reference §1.4, §7.2).  The URL opens only once its access PIN was
 * fetched (pinget.cgi).  By download method:
 *
 *  1 P12個別	GET ?t: the PIN form; POST t, pin, format, step=pin: the
 *		PKCS#12 under that PIN, and the URL is used up
 *  2 P12一括	GET ?t: the form; POST t, format, step=bulk: the ZIP of
 *		client.txt and every P12, each under its own PIN
 *  3 ブラウザ個別	GET ?t: STEP1, the PIN; POST step=pin: STEP2, what to
 *		note and the 【発行】 button; POST step=issue: the key is
 *		made now, once however often this is sent; STEP3 and
 *		POST step=download: the PKCS#12
 *
 * The P12's password is the access PIN itself (shown before 【発行】, so
 * no click order can lose it).  "s" is the step nonce handed out after
 * the right PIN, also the forms' CSRF token.  Every attempt is audited;
 * M3 tells the RA officer and the user administrator of the download.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "ra.h"
#include "web.h"

enum field { F_TOKEN, F_PIN, F_STEP, F_NONCE, F_FORMAT, F__MAX };

static const struct ra_field fields[F__MAX] = {
	[F_TOKEN]	= { "t",	RA_TOKEN_LEN,	ra_valid_token },
	[F_PIN]		= { "pin",	128,		ra_valid_secret },
	[F_STEP]	= { "step",	16,		ra_valid_word },
	[F_NONCE]	= { "s",	RA_TOKEN_LEN,	ra_valid_token },
	[F_FORMAT]	= { "format",	16,		ra_valid_word },
};

struct screen {
	struct ra_req		*r;
	const char		*f[F__MAX];
	struct ra_client_url	 c;
};

static enum ra_err
audit(struct screen *sc, const char *event, const char *outcome,
    const char *detail)
{
	struct ra_event	 ev;
	char		 ids[300];

	ra_client_audit_detail(&sc->c.u, sc->c.batch_id, detail, ids,
	    sizeof(ids));
	memset(&ev, 0, sizeof(ev));
	ev.event = event;
	ev.outcome = outcome;
	ev.actor = sc->c.batch_id != 0 ? "admin" : "user";	/* by URL */
	ev.institution_id = sc->c.u.institution_id;
	ev.source_ip = ra_req_env("REMOTE_ADDR");
	ev.detail = ids;
	return ra_audit(sc->r->db, &ev);
}

/* Render a step; the page is told which one and what it needs. */
static enum ra_err
show(struct screen *sc, int status, const char *step)
{
	HDF	*page = sc->r->page;

	hdf_set_value(page, "Get.Step", step);
	if (sc->f[F_TOKEN] != NULL)
		hdf_set_value(page, "Get.Token", sc->f[F_TOKEN]);
	if (sc->c.u.found) {
		hdf_set_value(page, "Get.NameJa", sc->c.batch_id != 0 ?
		    sc->c.admin_name : sc->c.user_name);
		hdf_set_value(page, "Get.InstitutionJa", sc->c.u.institution_ja);
		hdf_set_value(page, "Get.DN", sc->c.subject_dn);
		hdf_set_int_value(page, "Get.Method", sc->c.method);
	}
	return ra_render(sc->r, status, "cliget.cs");
}

/* A refusal, audited on its own, and the page that says so. */
static enum ra_err
refuse(struct screen *sc, const char *detail, int status, const char *step)
{
	enum ra_err	 er;

	if (sc->c.u.found && (er = audit(sc, "client.download", "refused",
	    detail)) != RA_OK)
		return er;
	if ((er = ra_db_commit(sc->r->db)) != RA_OK)
		return er;
	return show(sc, status, step);
}

/*
 * The access PIN posted: RA_OK when right; otherwise the failure is
 * counted (the URL locked after Pin.MaxFailures), the page sent, and
 * RA_EDONE returned.
 */
static enum ra_err
pin_ok(struct screen *sc)
{
	char		 left[16];
	int		 n;
	enum ra_err	 er;

	er = ra_url_pin_check(sc->r->db, &sc->c.u, sc->f[F_PIN],
	    ra_conf_int(&sc->r->conf, "Pin.MaxFailures", 5), &n);
	if (er != RA_EDENIED && er != RA_ENOTFOUND)
		return er;
	if ((er = audit(sc, "pin.attempt", "fail", NULL)) != RA_OK ||
	    (er = ra_db_commit(sc->r->db)) != RA_OK)
		return er;
	snprintf(left, sizeof(left), "%d", n);
	hdf_set_value(sc->r->page, "Get.Left", left);
	if ((er = show(sc, 403, sc->c.u.locked ? "locked" : "badpin")) !=
	    RA_OK)
		return er;
	return RA_EDONE;
}

static enum ra_err
nonce_new(struct screen *sc)
{
	char		 nonce[RA_TOKEN_LEN + 1];
	enum ra_err	 er;

	if ((er = ra_url_step_new(sc->r->db, &sc->c.u, nonce)) == RA_OK)
		hdf_set_value(sc->r->page, "Get.Nonce", nonce);
	OPENSSL_cleanse(nonce, sizeof(nonce));
	return er;
}

/*
 * Send "data" as "filename", then use the URL up and tell the officer
 * and the user administrator (M3); committed once it is out.
 */
static enum ra_err
deliver(struct screen *sc, const char *type, const char *filename,
    const unsigned char *data, size_t len, const char *dn,
    const char *serial)
{
	enum ra_err	 er;

	if ((er = ra_client_url_used(sc->r->db, sc->c.u.token)) != RA_OK ||
	    (er = ra_client_retrieved_mail(sc->r->db, &sc->c, dn, serial)) !=
	    RA_OK ||
	    (er = audit(sc, "client.download", "ok", NULL)) != RA_OK)
		return er;
	printf("Status: 200\r\nContent-Type: %s\r\n"
	    "Content-Disposition: attachment; filename=\"%s\"\r\n"
	    "Content-Length: %zu\r\nCache-Control: no-store\r\n\r\n", type,
	    filename, len);
	if (fwrite(data, 1, len, stdout) != len || fflush(stdout) != 0)
		return RA_ESYS;
	return ra_db_commit(sc->r->db);
}

static int
format_of(struct screen *sc)
{
	return ra_p12_profile(sc->f[F_FORMAT] != NULL ? sc->f[F_FORMAT] :
	    "modern");
}

/* The PKCS#12 of the URL's request, under the PIN given. */
static enum ra_err
step_p12(struct screen *sc)
{
	unsigned char	*der = NULL;
	size_t		 len = 0;
	char		 serial[64], name[80];
	int		 prof;
	enum ra_err	 er;

	if ((prof = format_of(sc)) < 0 || sc->f[F_PIN] == NULL)
		return RA_EINPUT;
	er = ra_p12_take_url(sc->r->db, sc->c.u.token, sc->c.u.request_id,
	    sc->f[F_PIN], prof, "cliget", &der, &len, serial);
	if (er == RA_ENOTFOUND || er == RA_EDENIED) {
		/* ra_p12_take rolled back; the attempt is recorded alone. */
		if ((er = ra_db_begin(sc->r->db)) != RA_OK ||
		    (er = audit(sc, "client.download", "fail",
		    "{\"why\": \"no key waiting, or not yet\"}")) != RA_OK ||
		    (er = ra_db_commit(sc->r->db)) != RA_OK)
			return er;
		hdf_set_value(sc->r->page, "Get.Nonce", sc->f[F_NONCE] != NULL ?
		    sc->f[F_NONCE] : "");
		hdf_set_value(sc->r->page, "Get.Pin", sc->f[F_PIN]);
		return show(sc, 409, "notyet");
	}
	if (er != RA_OK)
		goto out;
	snprintf(name, sizeof(name), "%s.p12", sc->c.p12_name);
	er = deliver(sc, "application/x-pkcs12", name, der, len,
	    sc->c.subject_dn, serial);
out:
	ra_db_rollback(sc->r->db);
	OPENSSL_clear_free(der, len);
	return er;
}

/* P12一括: the ZIP of every row's PKCS#12. */
static enum ra_err
step_bulk(struct screen *sc)
{
	unsigned char	*zip = NULL;
	size_t		 len = 0;
	char		 dn[1025], serial[64];
	int		 prof;
	enum ra_err	 er;

	if ((prof = format_of(sc)) < 0)
		return RA_EINPUT;
	if ((er = ra_client_bulk_zip(sc->r->db, sc->c.u.token, prof, &zip,
	    &len, dn, sizeof(dn), serial)) != RA_OK)
		goto out;
	er = deliver(sc, "application/zip", "client.zip", zip, len, dn, serial);
out:
	ra_db_rollback(sc->r->db);
	if (zip != NULL)
		OPENSSL_cleanse(zip, len);
	free(zip);
	return er;
}

/*
 * ブラウザ個別, the right PIN: STEP2 (what to note, and 【発行】), or
 * after 【発行】 was pressed once, STEP3 again.
 */
static enum ra_err
step_before_issue(struct screen *sc)
{
	enum ra_err	 er;

	if ((er = nonce_new(sc)) != RA_OK ||
	    (er = audit(sc, "pin.attempt", "ok", NULL)) != RA_OK ||
	    (er = ra_db_commit(sc->r->db)) != RA_OK)
		return er;
	hdf_set_value(sc->r->page, "Get.Pin", sc->f[F_PIN]);
	hdf_set_value(sc->r->page, "Get.Issued", strcmp(sc->c.state, "done") ==
	    0 ? "1" : "0");
	return show(sc, 200, strcmp(sc->c.state, "waiting") == 0 ? "issue" :
	    "done");
}

/* 【発行】: the key is made now, once, under the PIN; STEP3. */
static enum ra_err
step_issue(struct screen *sc)
{
	char		 state[16] = "", err[256] = "";
	enum ra_err	 er;

	if ((er = ra_client_issue(sc->r->db, sc->c.u.token, sc->f[F_PIN])) ==
	    RA_EDUP) {
		/* 発行 again, a reload, or back: the same STEP3. */
		if ((er = audit(sc, "client.request", "refused",
		    "{\"why\": \"already requested\"}")) != RA_OK)
			return er;
	} else if (er != RA_OK ||
	    (er = ra_queue_notify(sc->r->db)) != RA_OK ||
	    (er = audit(sc, "client.request", "ok", NULL)) != RA_OK)
		return er;
	if ((er = ra_db_commit(sc->r->db)) != RA_OK)
		return er;
	(void)ra_request_wait(sc->r->db, sc->c.u.request_id, 1000L *
	    ra_conf_int(&sc->r->conf, "Web.WaitSeconds", 5), state,
	    sizeof(state), err, sizeof(err));
	hdf_set_value(sc->r->page, "Get.Issued", strcmp(state, "done") == 0 ?
	    "1" : "0");
	hdf_set_value(sc->r->page, "Get.Nonce", sc->f[F_NONCE]);
	hdf_set_value(sc->r->page, "Get.Pin", sc->f[F_PIN]);
	return show(sc, 200, "done");
}

/* Which state of the URL ends here, or NULL: it may be used. */
static const char *
url_state(const struct screen *sc, int *status)
{
	const struct ra_client_url *c = &sc->c;

	*status = 404;
	if (!c->u.found || strcmp(c->purpose, "pin_download") == 0)
		return "invalid";
	*status = 410;
	if (c->u.used)
		return "used";
	*status = 404;
	if (c->u.expired || !c->u.active)
		return "invalid";
	*status = 403;
	if (c->u.locked)
		return "locked";
	if (!c->gate_open)
		return "nopin";		/* the PIN URL first */
	return NULL;
}

static enum ra_err
screen_run(struct screen *sc)
{
	const char	*why, *step;
	int		 status, bulk;
	enum ra_err	 er;

	if ((er = ra_form_get(sc->r, fields, F__MAX, sc->f)) != RA_OK ||
	    (er = ra_req_db(sc->r, sc->r->zone)) != RA_OK ||
	    (er = ra_db_begin(sc->r->db)) != RA_OK)
		return er;
	if ((er = ra_client_url_open(sc->r->db, sc->f[F_TOKEN], &sc->c)) !=
	    RA_OK && er != RA_ENOTFOUND)
		return er;
	if ((why = url_state(sc, &status)) != NULL)
		return refuse(sc, strcmp(why, "nopin") == 0 ?
		    "{\"why\": \"PIN not fetched yet\"}" :
		    "{\"why\": \"used, expired or locked\"}", status, why);
	bulk = strcmp(sc->c.purpose, "p12_bulk") == 0;
	step = sc->f[F_STEP] != NULL ? sc->f[F_STEP] : "";
	if (strcmp(ra_req_method(sc->r), "POST") != 0) {
		ra_db_rollback(sc->r->db);
		return show(sc, 200, bulk ? "bulk" : "pin");
	}
	if (bulk)
		return strcmp(step, "bulk") == 0 ? step_bulk(sc) : RA_EINPUT;
	if (strcmp(step, "pin") == 0) {
		if ((er = pin_ok(sc)) != RA_OK)
			return er == RA_EDONE ? RA_OK : er;
		return sc->c.method == 3 ? step_before_issue(sc) : step_p12(sc);
	}
	if (sc->c.method != 3)
		return RA_EINPUT;
	if (!ra_url_step_ok(&sc->c.u, sc->f[F_NONCE]))
		/* No, stale or forged step nonce: a CSRF or an old page. */
		return refuse(sc, "{\"why\": \"step nonce\"}", 403, "stale");
	/* The PIN the form carries must still be the right one. */
	if ((er = pin_ok(sc)) != RA_OK)
		return er == RA_EDONE ? RA_OK : er;
	if (strcmp(step, "issue") == 0)
		return step_issue(sc);
	if (strcmp(step, "download") == 0)
		return step_p12(sc);
	return RA_EINPUT;
}

static enum ra_err
cliget(struct ra_req *r)
{
	struct screen	 sc;
	enum ra_err	 er;

	memset(&sc, 0, sizeof(sc));
	sc.r = r;
	er = screen_run(&sc);
	ra_url_free(&sc.c.u);
	return er;
}

int
main(int argc, char *argv[])
{
	static const struct ra_screen sc = { fields, F__MAX, cliget,
	    RA_DB_PUBLIC };

	return ra_web_main(argc, argv, &sc);
}
