/*
 * raget.cgi: the RA officer fetches their RA certificate from the one-time
 * URL mailed by the desk (manual 2-3-1-1):
 *
 *	GET  ?t=TOKEN			STEP1: the access PIN form (for a
 *					renewal URL, 2-3-1-2: the current RA
 *					certificate instead, then the P12
 *					password and the 【発行】 button)
 *	POST t, pin, step=pin		the PIN is checked (failures counted,
 *					the URL locked after Pin.MaxFailures);
 *					STEP2: the 【発行】 button
 *	POST t, s, step=issue		the certificate is requested once,
 *					however often this is sent, its key
 *					under the URL's P12 password; STEP3
 *					shows that password again
 *	POST t, s, pass, format,	the PKCS#12 (modern or legacy); the
 *	     step=download		URL is used up
 *
 * "s" is the step nonce handed out after the right PIN: only its hash is
 * stored, it expires, and it is the forms' CSRF token.  The P12 password
 * is made once per URL and shown on every view until the download (it
 * is kept sealed under the URL's token, url.c).  Every attempt is
 * audited.  From a shell it answers like a GET without a token.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "ra.h"
#include "web.h"

#define P12_PASS_LEN	16

enum field {
	F_TOKEN, F_PIN, F_STEP, F_NONCE, F_PASS, F_FORMAT, F__MAX
};

static const struct ra_field fields[F__MAX] = {
	[F_TOKEN]	= { "t",	RA_TOKEN_LEN,	ra_valid_token },
	[F_PIN]		= { "pin",	64,		ra_valid_secret },
	[F_STEP]	= { "step",	16,		ra_valid_word },
	[F_NONCE]	= { "s",	RA_TOKEN_LEN,	ra_valid_token },
	[F_PASS]	= { "pass",	128,		ra_valid_secret },
	[F_FORMAT]	= { "format",	16,		ra_valid_word },
};

struct screen {
	struct ra_req	*r;
	const char	*f[F__MAX];
	struct ra_url	 url;		/* the URL, locked; url.found if any */
};

/* One audit row for this screen: event, outcome and a short detail. */
static enum ra_err
audit(struct screen *sc, const char *event, const char *outcome,
    const char *detail)
{
	struct ra_event	 ev;
	char		 actor[40];

	memset(&ev, 0, sizeof(ev));
	if (sc->url.found)
		snprintf(actor, sizeof(actor), "officer:%lld",
		    (long long)sc->url.officer_id);
	else
		snprintf(actor, sizeof(actor), "officer:?");
	ev.event = event;
	ev.outcome = outcome;
	ev.actor = actor;
	ev.institution_id = sc->url.institution_id;
	ev.officer_id = sc->url.officer_id;
	ev.source_ip = ra_req_env("REMOTE_ADDR");
	ev.detail = detail;
	return ra_audit(sc->r->db, &ev);
}

/* Render a step; the page is told which one and what it needs. */
static enum ra_err
show(struct screen *sc, int status, const char *step)
{
	hdf_set_value(sc->r->page, "Get.Step", step);
	if (sc->f[F_TOKEN] != NULL)
		hdf_set_value(sc->r->page, "Get.Token", sc->f[F_TOKEN]);
	if (sc->url.found) {
		hdf_set_value(sc->r->page, "Get.NameJa", sc->url.name_ja);
		hdf_set_value(sc->r->page, "Get.InstitutionJa",
		    sc->url.institution_ja);
	}
	return ra_render(sc->r, status, "raget.cs");
}

/*
 * Find and lock the URL; "why" names a state that ends here (invalid:
 * unknown, used, expired or its officer retired; locked), NULL when good.
 */
static enum ra_err
url_load(struct screen *sc, const char **why)
{
	struct ra_url	*u = &sc->url;
	enum ra_err	 er;

	*why = "invalid";
	if ((er = ra_url_open(sc->r->db, sc->f[F_TOKEN], u)) != RA_OK)
		return er == RA_ENOTFOUND ? RA_OK : er;
	if (u->used || u->expired || !u->active)
		*why = "invalid";
	else if (u->locked)
		*why = "locked";
	else
		*why = NULL;
	return RA_OK;
}

/*
 * STEP3 for a URL whose request was made: the password kept for it (the
 * one shown before 【発行】) and, after up to "waitms" for the worker,
 * whether the certificate is ready.  Outside a transaction.
 */
static enum ra_err
show_download(struct screen *sc, const char *pass, const char *nonce,
    long waitms)
{
	char	 state[16] = "", err[256] = "";

	(void)ra_request_wait(sc->r->db, sc->url.request_id, waitms, state,
	    sizeof(state), err, sizeof(err));
	hdf_set_value(sc->r->page, "Get.Issued", strcmp(state, "done") == 0 ?
	    "1" : "0");
	hdf_set_value(sc->r->page, "Get.Pass", pass);
	hdf_set_value(sc->r->page, "Get.Nonce", nonce);
	return show(sc, 200, "done");
}

/*
 * The page before 【発行】, for a new RA certificate (after the PIN) or a
 * renewal (after the certificate check), with a fresh step nonce.  The
 * P12 password is made on the first such view and kept for the URL
 * (url.c), so every later one shows it again, before 【発行】 (manual
 * 2-3-1-2) and after it (STEP3), in any tab, until the download uses the
 * URL up: a reload never shows a password the key is not under.  A URL
 * whose request predates kept passwords asks for the one noted then.
 */
static enum ra_err
before_issue(struct screen *sc, const char *event, const char *step)
{
	char		 pass[P12_PASS_LEN + 1] = "",
			 nonce[RA_TOKEN_LEN + 1] = "";
	int		 again = sc->url.request_id != 0;
	enum ra_err	 er;

	er = ra_url_pass(sc->r->db, &sc->url, again ? 0 : P12_PASS_LEN, pass,
	    sizeof(pass));
	if (er != RA_OK && !(again && er == RA_ENOTFOUND))
		goto out;
	if ((er = ra_url_step_new(sc->r->db, &sc->url, nonce)) != RA_OK ||
	    (er = audit(sc, event, "ok", NULL)) != RA_OK ||
	    (er = ra_db_commit(sc->r->db)) != RA_OK)
		goto out;
	if (again && *pass != '\0')
		er = show_download(sc, pass, nonce, 0);
	else {
		hdf_set_value(sc->r->page, "Get.Nonce", nonce);
		if (*pass != '\0')
			hdf_set_value(sc->r->page, "Get.Pass", pass);
		er = show(sc, 200, again ? "again" : step);
	}
out:
	OPENSSL_cleanse(pass, sizeof(pass));
	OPENSSL_cleanse(nonce, sizeof(nonce));
	return er;
}

/* A renewal URL opened with the current RA certificate. */
static enum ra_err
step_renew(struct screen *sc)
{
	return before_issue(sc, "ra_cert.renew", "renew");
}

/* STEP1 posted: count a wrong PIN, or hand out the step nonce. */
static enum ra_err
step_pin(struct screen *sc)
{
	char		 left[16];
	int		 n;
	enum ra_err	 er;

	er = ra_url_pin_check(sc->r->db, &sc->url, sc->f[F_PIN],
	    ra_conf_int(&sc->r->conf, "Pin.MaxFailures", 5), &n);
	if (er == RA_ENOTFOUND) {
		if ((er = audit(sc, "pin.attempt", "refused",
		    "{\"why\": \"no PIN issued yet\"}")) != RA_OK ||
		    (er = ra_db_commit(sc->r->db)) != RA_OK)
			return er;
		return show(sc, 403, "nopin");
	}
	if (er == RA_EDENIED) {
		if ((er = audit(sc, "pin.attempt", "fail", NULL)) != RA_OK ||
		    (er = ra_db_commit(sc->r->db)) != RA_OK)
			return er;
		if (sc->url.locked)
			return show(sc, 403, "locked");
		snprintf(left, sizeof(left), "%d", n);
		hdf_set_value(sc->r->page, "Get.Left", left);
		return show(sc, 403, "badpin");
	}
	if (er != RA_OK)
		return er;
	return before_issue(sc, "pin.attempt", "issue");
}

/* The RA certificate's subject: C, O, the RA marker, CN = romaji name. */
static enum ra_err
ra_subject(struct screen *sc, X509_NAME **out, char *why, size_t whysz)
{
	const char	*marker = ra_conf_get(&sc->r->conf, "Ra.Marker");
	char		 dn[512];

	snprintf(dn, sizeof(dn), "CN=%s,%s,O=%s,C=JP", sc->url.name_romaji,
	    marker != NULL ? marker : "L=Academe-ops", sc->url.institution_en);
	return ra_dn_parse(dn, out, why, whysz);
}

/*
 * STEP2 posted: request the certificate unless this URL already did,
 * with the key under the password kept for the URL, never one the form
 * brings (a forged form must not choose it).
 */
static enum ra_err
step_issue(struct screen *sc)
{
	struct ra_newreq	 rq;
	X509_NAME		*subject = NULL;
	char			 pass[P12_PASS_LEN + 1] = "", why[256];
	int64_t			 id;
	enum ra_err		 er;

	er = ra_url_pass(sc->r->db, &sc->url, 0, pass, sizeof(pass));
	if (er != RA_OK && er != RA_ENOTFOUND)
		goto out;
	if (sc->url.request_id != 0) {
		/*
		 * 発行 pressed again, a reload, or back: nothing new, and the
		 * same STEP3 as the first answer, with the same password.
		 */
		if ((er = audit(sc, "ra_cert.request", "refused",
		    "{\"why\": \"already requested\"}")) != RA_OK ||
		    (er = ra_db_commit(sc->r->db)) != RA_OK)
			goto out;
		if (*pass == '\0') {
			hdf_set_value(sc->r->page, "Get.Nonce", sc->f[F_NONCE]);
			er = show(sc, 200, "again");
			goto out;
		}
		goto shown;
	}
	if (*pass == '\0') {
		/* No password was shown for this URL: not our page. */
		if ((er = audit(sc, "ra_cert.request", "refused",
		    "{\"why\": \"no P12 password shown\"}")) != RA_OK ||
		    (er = ra_db_commit(sc->r->db)) != RA_OK)
			goto out;
		er = show(sc, 403, "stale");
		goto out;
	}
	memset(&rq, 0, sizeof(rq));
	if (sc->url.renewal)
		rq.target_cert_id = sc->url.cert_id;
	if ((er = ra_subject(sc, &subject, why, sizeof(why))) != RA_OK)
		goto out;
	rq.institution_id = sc->url.institution_id;
	rq.officer_id = sc->url.officer_id;
	rq.profile_id = ra_conf_int(&sc->r->conf, "Ra.Profile", 1);
	rq.subject = subject;
	rq.key_secret = pass;
	if ((er = ra_request_add(sc->r->db, &rq, &id, why, sizeof(why))) !=
	    RA_OK) {
		ra_warnx("RA certificate refused: %s", why);
		goto out;
	}
	if ((er = ra_url_requested(sc->r->db, &sc->url, id)) != RA_OK ||
	    (er = ra_queue_notify(sc->r->db)) != RA_OK ||
	    (er = audit(sc, "ra_cert.request", "ok", NULL)) != RA_OK ||
	    (er = ra_db_commit(sc->r->db)) != RA_OK)
		goto out;
shown:
	/* A few seconds for the worker; the download waits if need be. */
	er = show_download(sc, pass, sc->f[F_NONCE], 1000L *
	    ra_conf_int(&sc->r->conf, "Web.WaitSeconds", 5));
out:
	OPENSSL_cleanse(pass, sizeof(pass));
	X509_NAME_free(subject);
	return er;
}

/* STEP3: the PKCS#12, built now in the format asked for. */
static enum ra_err
step_download(struct screen *sc)
{
	unsigned char	*der = NULL;
	size_t		 len = 0;
	char		 serial[64];
	int		 prof;
	enum ra_err	 er;

	hdf_set_value(sc->r->page, "Get.Nonce", sc->f[F_NONCE]);
	if (sc->url.request_id == 0 || sc->f[F_PASS] == NULL)
		return show(sc, 400, "issue");
	prof = ra_p12_profile(sc->f[F_FORMAT] != NULL ? sc->f[F_FORMAT] :
	    "modern");
	if (prof < 0)
		return RA_EINPUT;
	/* The URL stays locked: one download at a time. */
	er = ra_p12_take(sc->r->db, sc->url.request_id, sc->f[F_PASS], prof,
	    "raget", &der, &len, serial);
	if (er == RA_ENOTFOUND || er == RA_EDENIED) {
		/* ra_p12_take rolled back; record the attempt on its own. */
		if ((er = ra_db_begin(sc->r->db)) == RA_OK &&
		    (er = audit(sc, "ra_cert.download", "fail", NULL)) == RA_OK)
			er = ra_db_commit(sc->r->db);
		if (er != RA_OK)
			return er;
		return show(sc, 409, "notyet");
	}
	if (er != RA_OK)
		return er;
	if ((er = ra_url_used(sc->r->db, sc->url.token)) != RA_OK ||
	    (er = audit(sc, "ra_cert.download", "ok", NULL)) != RA_OK)
		goto out;
	printf("Status: 200\r\nContent-Type: application/x-pkcs12\r\n"
	    "Content-Disposition: attachment; filename=\"ra-officer-%s.p12\"\r\n"
	    "Content-Length: %zu\r\nCache-Control: no-store\r\n\r\n",
	    serial, len);
	if (fwrite(der, 1, len, stdout) != len || fflush(stdout) != 0) {
		er = RA_ESYS;
		goto out;
	}
	er = ra_db_commit(sc->r->db);
out:
	ra_db_rollback(sc->r->db);
	OPENSSL_clear_free(der, len);
	return er;
}

static enum ra_err
screen_run(struct screen *sc)
{
	const char	*method = ra_req_method(sc->r), *why, *step;
	enum ra_err	 er;

	if ((er = ra_form_get(sc->r, fields, F__MAX, sc->f)) != RA_OK ||
	    (er = ra_req_db(sc->r, sc->r->zone)) != RA_OK ||
	    (er = ra_db_begin(sc->r->db)) != RA_OK ||
	    (er = url_load(sc, &why)) != RA_OK)
		return er;
	if (why != NULL) {
		if (sc->url.found && (er = audit(sc, "ra_cert.url",
		    "refused", strcmp(why, "locked") == 0 ?
		    "{\"why\": \"locked\"}" : "{\"why\": \"invalid\"}")) !=
		    RA_OK)
			return er;
		if ((er = ra_db_commit(sc->r->db)) != RA_OK)
			return er;
		return show(sc, strcmp(why, "locked") == 0 ? 403 : 404, why);
	}
	step = sc->f[F_STEP] != NULL ? sc->f[F_STEP] : "";
	if (sc->url.renewal && ra_client_cert_is(sc->r, sc->url.cert_id) !=
	    RA_OK) {
		/* The renewal URL needs the certificate it renews. */
		if ((er = audit(sc, "ra_cert.renew", "refused",
		    "{\"why\": \"not the current RA certificate\"}")) != RA_OK ||
		    (er = ra_db_commit(sc->r->db)) != RA_OK)
			return er;
		return show(sc, 403, "renewcert");
	}
	if (strcmp(method, "POST") != 0) {
		if (sc->url.renewal)
			return step_renew(sc);
		ra_db_rollback(sc->r->db);
		return show(sc, 200, "pin");		/* STEP1 */
	}
	if (strcmp(step, "pin") == 0 && !sc->url.renewal)
		return step_pin(sc);
	if (!ra_url_step_ok(&sc->url, sc->f[F_NONCE])) {
		/* No, stale or forged step nonce: a CSRF or an old page. */
		if ((er = audit(sc, "ra_cert.step", "refused",
		    "{\"why\": \"step nonce\"}")) != RA_OK ||
		    (er = ra_db_commit(sc->r->db)) != RA_OK)
			return er;
		return show(sc, 403, "stale");
	}
	if (strcmp(step, "issue") == 0)
		return step_issue(sc);
	if (strcmp(step, "download") == 0)
		return step_download(sc);
	return RA_EINPUT;
}

static enum ra_err
raget(struct ra_req *r)
{
	struct screen	 sc;
	enum ra_err	 er;

	memset(&sc, 0, sizeof(sc));
	sc.r = r;
	er = screen_run(&sc);
	ra_url_free(&sc.url);
	return er;
}

int
main(int argc, char *argv[])
{
	static const struct ra_screen sc = { fields, F__MAX, raget,
	    RA_DB_PUBLIC };

	return ra_web_main(argc, argv, &sc);
}
