/*
 * req.c: one run of a screen binary.  Under Apache (GATEWAY_INTERFACE set)
 * it parses the request with ClearSilver's CGI kit; from a shell it takes
 * the command line instead, so cron and batch scripts run the same code.
 */
#include <sys/mman.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <cgi/cgi.h>

#include "ra.h"
#include "web.h"

#define REQUEST_MAX_DEFAULT	(16 * 1024 * 1024)

/* Borrowed from the environment; NULL when unset or empty. */
const char *
ra_req_env(const char *name)
{
	const char	*v = getenv(name);

	return (v == NULL || *v == '\0') ? NULL : v;
}

/* Refuse an oversized body before ClearSilver reads any of it. */
static enum ra_err
req_size_ok(const struct ra_req *r)
{
	const char	*cl;
	char		*end;
	long long	 n, max;

	if ((cl = ra_req_env("CONTENT_LENGTH")) == NULL)
		return RA_OK;
	max = ra_conf_int(&r->conf, "Limits.RequestBytes", REQUEST_MAX_DEFAULT);
	errno = 0;
	n = strtoll(cl, &end, 10);
	if (errno != 0 || *end != '\0' || n < 0 || n > max) {
		ra_warnx("request body of %s bytes refused (limit %lld)", cl,
		    max);
		return RA_EINPUT;
	}
	return RA_OK;
}

/* Whether a urlencoded "s" of "len" bytes encodes a NUL (%00). */
static int
has_nul_escape(const char *s, size_t len)
{
	size_t	 i;

	for (i = 0; i + 2 < len; i++)
		if (s[i] == '%' && s[i + 1] == '0' && s[i + 2] == '0')
			return 1;
	return 0;
}

/*
 * ClearSilver decodes %00 into the value and the C string ends there, so
 * "pin=1234%00junk" would arrive as "1234": look at the raw query string,
 * and at a urlencoded body before ClearSilver reads it (the body is read
 * here and handed back on fd 0 from memory).  A multipart body cannot be
 * looked at without a second multipart parser; its text fields are short
 * tokens that validators check whole.
 */
static enum ra_err
req_nul_check(struct ra_req *r)
{
	const char	*qs = ra_req_env("QUERY_STRING");
	const char	*ct = ra_req_env("CONTENT_TYPE");
	const char	*cl = ra_req_env("CONTENT_LENGTH");
	char		*body = NULL;
	size_t		 len, got = 0;
	ssize_t		 n;
	int		 fd = -1;
	enum ra_err	 er = RA_ESYS;

	if (qs != NULL && has_nul_escape(qs, strlen(qs))) {
		r->refusal = "NUL (%00) in the query string";
		return RA_EINPUT;
	}
	if (ct == NULL || cl == NULL || strncasecmp(ct,
	    "application/x-www-form-urlencoded", 33) != 0)
		return RA_OK;
	len = (size_t)strtoull(cl, NULL, 10);	/* checked by req_size_ok */
	if ((body = malloc(len + 1)) == NULL)
		return RA_ENOMEM;
	while (got < len && (n = read(0, body + got, len - got)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			goto out;
		got += (size_t)n;
	}
	if (has_nul_escape(body, got)) {
		r->refusal = "NUL (%00) in a form field";
		er = RA_EINPUT;
		goto out;
	}
	if ((fd = memfd_create("ra-body", MFD_CLOEXEC)) == -1 ||
	    write(fd, body, got) != (ssize_t)got ||
	    lseek(fd, 0, SEEK_SET) != 0 || dup2(fd, 0) == -1)
		goto out;
	er = RA_OK;
out:
	if (fd != -1)
		close(fd);
	free(body);
	return er;
}

static enum ra_err
req_parse_cgi(struct ra_req *r)
{
	HDF		*h = NULL;
	NEOERR		*err;
	enum ra_err	 er;

	if ((er = req_size_ok(r)) != RA_OK)
		return er;
	if (!ra_form_type_ok(ra_req_env("CONTENT_TYPE"))) {
		r->refusal = "multipart Content-Type without a usable boundary";
		ra_warnx("request refused: %s", r->refusal);
		return RA_EINPUT;
	}
	if ((er = req_nul_check(r)) != RA_OK)
		return er;
	if ((err = hdf_init(&h)) != STATUS_OK ||
	    (err = hdf_set_value(h, "Config.Upload.TmpDir",
	    ra_conf_get(&r->conf, "Paths.UploadTmp") != NULL ?
	    ra_conf_get(&r->conf, "Paths.UploadTmp") : "/tmp")) != STATUS_OK ||
	    (err = hdf_set_int_value(h, "Config.Upload.Unlink", 1)) !=
	    STATUS_OK ||
	    (err = cgi_init(&r->cgi, h)) != STATUS_OK) {
		if (r->cgi == NULL)
			hdf_destroy(&h);	/* else cgi_destroy frees it */
		nerr_ignore(&err);
		return RA_ENOMEM;
	}
	if ((err = cgi_parse(r->cgi)) != STATUS_OK) {
		nerr_ignore(&err);
		ra_warnx("request could not be parsed");
		return RA_EINPUT;
	}
	return RA_OK;
}

/*
 * Set up "r" for one run.  On error "r" is still safe to pass to ra_fail
 * and ra_req_close.
 */
enum ra_err
ra_req_open(struct ra_req *r, int argc, char *argv[])
{
	NEOERR		*err;
	enum ra_err	 er;

	memset(r, 0, sizeof(*r));
	r->zone = RA_DB_ADMIN;		/* shell tools; a screen says its own */
	if ((er = ra_openssl_init_lean()) != RA_OK)
		return er;
	if ((er = ra_zone_enter(r->caller, sizeof(r->caller))) != RA_OK)
		return er;
	r->is_cgi = ra_req_env("GATEWAY_INTERFACE") != NULL;
	r->argc = argc > 0 ? argc - 1 : 0;
	r->argv = argc > 0 ? argv + 1 : argv;
	if ((err = hdf_init(&r->page)) != STATUS_OK) {
		nerr_ignore(&err);
		return RA_ENOMEM;
	}
	if ((er = ra_conf_load(&r->conf, NULL)) != RA_OK)
		return er;
	r->conf_ok = 1;
	/* Only configuration values the pages need; never the Db strings. */
	if ((err = hdf_copy(r->page, "Site", hdf_get_obj(r->conf.hdf,
	    "Site"))) != STATUS_OK) {
		nerr_ignore(&err);
		return RA_ENOMEM;
	}
	if ((err = hdf_set_value(r->page, "Site.Version", RA_VERSION)) !=
	    STATUS_OK) {
		nerr_ignore(&err);
		return RA_ENOMEM;
	}
	if (r->is_cgi && (er = req_parse_cgi(r)) != RA_OK)
		return er;
	return ra_lang_settle(r);
}

/*
 * The request's database connection as "role": one per request, so a
 * handler and the lib functions it calls share it (and its transaction).
 */
enum ra_err
ra_req_db(struct ra_req *r, enum ra_db_role role)
{
	enum ra_err	 er;

	if (r->db != NULL && r->db_role == role)
		return RA_OK;
	if (r->db != NULL) {
		PQfinish(r->db);
		r->db = NULL;
	}
	if ((er = ra_db_connect(&r->conf, role, &r->db)) == RA_OK)
		r->db_role = role;
	return er;
}

/* Our cookies, if any, and the blank line that ends the headers. */
static void
print_cookies(const struct ra_req *r)
{
	if (r->set_cookie != NULL)
		printf("Set-Cookie: %s\r\n", r->set_cookie);
	if (r->lang_cookie[0] != '\0')
		printf("Set-Cookie: %s\r\n", r->lang_cookie);
	fputs("\r\n", stdout);
}

/*
 * Write the page: headers and body under CGI, the body alone from a shell
 * (so a cron job can still see what the screen would have shown).
 */
enum ra_err
ra_render(struct ra_req *r, int status, const char *tmpl)
{
	char		*body = NULL;
	enum ra_err	 er;

	er = ra_render_buf(r->page, ra_conf_get(&r->conf, "Paths.Templates"),
	    tmpl, &body);
	if (er != RA_OK)
		return er;
	if (r->is_cgi) {
		printf("Status: %d\r\n"
		    "Content-Type: text/html; charset=utf-8\r\n"
		    "Cache-Control: no-store\r\n"
		    "X-Content-Type-Options: nosniff\r\n", status);
		print_cookies(r);
	}
	fputs(body, stdout);
	free(body);
	return fflush(stdout) == 0 ? RA_OK : RA_ESYS;
}

/* 303 to "location" (a constant of ours), with our cookie if any. */
enum ra_err
ra_redirect(struct ra_req *r, const char *location)
{
	printf("Status: 303\r\nLocation: %s\r\nCache-Control: no-store\r\n",
	    location);
	print_cookies(r);
	return fflush(stdout) == 0 ? RA_OK : RA_ESYS;
}

/* Last resort when even the error template cannot be rendered. */
static void
fail_plain(int status)
{
	printf("Status: %d\r\nContent-Type: text/html; charset=utf-8\r\n"
	    "Cache-Control: no-store\r\n\r\n"
	    "<!DOCTYPE html><html lang=\"ja\"><meta charset=\"utf-8\">"
	    "<title>エラー / Error</title>"
	    "<p>システムエラーが発生しました。時間をおいて再度お試しください。</p>"
	    "<p>A system error occurred. Please try again later.</p></html>\n",
	    status);
}

/*
 * Report "er" to whoever ran us and return the exit status for main().
 * The detail has already been logged where it happened; "msg" is an
 * optional one-line summary for a shell user (never shown on the web).
 */
int
ra_fail(struct ra_req *r, enum ra_err er, const char *msg)
{
	int	 status = ra_http_status(er);

	/* A refusal may come before the body was read (its size, its type). */
	if (r->is_cgi)
		ra_http_drain(r->conf_ok ? (size_t)ra_conf_int(&r->conf,
		    "Limits.RequestBytes", REQUEST_MAX_DEFAULT) :
		    REQUEST_MAX_DEFAULT);
	if (er == RA_EDONE)
		return r->is_cgi ? 0 : 1;
	if (!r->is_cgi) {
		if (msg != NULL)
			ra_warnx("%s", msg);
		return er == RA_EUSAGE ? 2 : 1;
	}
	if (r->conf_ok && r->page != NULL &&
	    hdf_set_int_value(r->page, "Error.Status", status) == STATUS_OK &&
	    ra_render(r, status, "error.cs") == RA_OK)
		return 0;
	fail_plain(status);
	return 0;
}

/* What the web answers with a 4xx: a refusal, audited. */
static int
is_refusal(enum ra_err er)
{
	switch (er) {
	case RA_EINPUT:
	case RA_EDENIED:
	case RA_ENOTFOUND:
	case RA_EPOLICY:
	case RA_EDUP:
	case RA_EMETHOD:
	case RA_EUSAGE:
		return 1;
	default:
		return 0;
	}
}

/*
 * A refused web request: who (the client certificate mod_ssl verified, if
 * any, and the address), what (method and script) and why.  The detail is
 * built by the server, so nothing from the request is spliced into JSON.
 */
static const char SQL_REFUSAL[] =
    "INSERT INTO ra.audit (event, outcome, actor, source_ip, cert_issuer,"
    "  cert_subject, detail)"
    " VALUES ('web.refused', 'refused', $1, $2::inet, $3, $4,"
    "  pg_catalog.jsonb_strip_nulls(pg_catalog.jsonb_build_object("
    "    'method', $5::text, 'script', $6::text, 'error', $7::text,"
    "    'why', $8::text, 'cert_serial_hex', $9::text)))";

/*
 * Audit a refused web request ("error" is ra_strerror's text, "why" a
 * reason or NULL).  The caller's transaction, if any, must be rolled back
 * first: a refusal is recorded whatever else was undone.
 */
enum ra_err
ra_audit_refusal(PGconn *db, const char *error, const char *why,
    const char *actor)
{
	const char	*param[9], *addr = ra_req_env("REMOTE_ADDR");
	const char	*verify = ra_req_env("SSL_CLIENT_VERIFY");
	int		 verified = verify != NULL && strcmp(verify, "SUCCESS") == 0;

	param[0] = actor != NULL ? actor : "anonymous";
	param[1] = addr;
	param[2] = verified ? ra_req_env("SSL_CLIENT_I_DN") : NULL;
	param[3] = verified ? ra_req_env("SSL_CLIENT_S_DN") : NULL;
	param[4] = ra_req_env("REQUEST_METHOD");
	param[5] = ra_req_env("SCRIPT_NAME");
	param[6] = error;
	param[7] = why;
	param[8] = verified ? ra_req_env("SSL_CLIENT_M_SERIAL") : NULL;
	return ra_db_command(db, "audit refusal", SQL_REFUSAL, 9, param);
}

/*
 * Every refusal is audited, whether the handler or the request parser
 * said no: with the database the handler used, or a new connection when
 * it never got that far.  If even that fails the log line remains.  A
 * handler that answers a refusal with its own page (login, an oversize
 * upload) returns RA_OK and audits it itself.
 */
static void
audit_refusal(struct ra_req *r, enum ra_err er)
{
	if (!r->is_cgi || !r->conf_ok ||
	    !(is_refusal(er) || (er == RA_EDONE && r->refusal != NULL)))
		return;
	if (r->db == NULL && ra_req_db(r, r->zone) != RA_OK)
		return;
	if (ra_audit_refusal(r->db, ra_strerror(er), r->refusal, NULL) !=
	    RA_OK)
		ra_warnx("refusal of %s not audited",
		    ra_req_env("SCRIPT_NAME") != NULL ?
		    ra_req_env("SCRIPT_NAME") : "a request");
}

/*
 * main() of a screen: open the request, check it whole against the
 * screen's fields, run it, report, close.
 */
int
ra_web_main(int argc, char *argv[], const struct ra_screen *sc)
{
	struct ra_req	 r;
	enum ra_err	 er;
	int		 rc = 0;

	er = ra_req_open(&r, argc, argv);
	r.zone = sc->zone;
	if (er == RA_OK &&
	    (er = ra_form_check(&r, sc->fields, sc->nfields)) == RA_OK)
		er = sc->run(&r);
	if (er != RA_OK) {
		if (r.db != NULL)
			ra_db_rollback(r.db);
		audit_refusal(&r, er);
		if (r.db != NULL)
			ra_db_rollback(r.db);	/* if the audit failed mid-way */
		rc = ra_fail(&r, er, NULL);
	}
	ra_req_close(&r);
	return rc;
}

void
ra_req_close(struct ra_req *r)
{
	if (r->cgi != NULL)
		cgi_destroy(&r->cgi);
	hdf_destroy(&r->page);
	ra_conf_free(&r->conf);
	if (r->db != NULL)
		PQfinish(r->db);
	r->db = NULL;
}
