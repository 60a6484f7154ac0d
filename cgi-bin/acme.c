/*
 * acme.cgi: ra's ACME server (RFC 8555), the one program of the acme
 * zone.  It runs as ra-acme and talks to PostgreSQL as ra_acme; it puts
 * finalized orders into the request queue and never holds a CA key.
 *
 * Under Apache (/acme, HTTPS, no client certificate), by PATH_INFO:
 *	GET  /directory			the directory (EAB required)
 *	HEAD, GET /new-nonce		a Replay-Nonce (200, 204)
 *	POST /new-account /new-order /revoke-cert /key-change
 *	POST /acct/ID /acct/ID/orders /order/ID /authz/ID /chall/ID
 *	     /finalize/ID /cert/ID
 * Every POST is a flattened JWS, Content-Type application/jose+json, of
 * at most 64 KiB.  From a shell, the same answer (headers and body):
 *
 *	acme.cgi METHOD PATH [BODYFILE]	e.g. POST /acme/new-order body.json
 *	acme.cgi purge			expired nonces and orders (cron)
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ra.h"
#include "domain.h"
#include "web.h"
#include "acme.h"

#define ACME_BODY_MAX	65536
#define JOSE_TYPE	"application/jose+json"

static const char SQL_DIRECTORY[] =
    "SELECT pg_catalog.jsonb_build_object("
    "  'newNonce', $1 || '/new-nonce', 'newAccount', $1 || '/new-account',"
    "  'newOrder', $1 || '/new-order', 'revokeCert', $1 || '/revoke-cert',"
    "  'keyChange', $1 || '/key-change',"
    "  'meta', pg_catalog.jsonb_build_object('externalAccountRequired', true,"
    "          'website', nullif($2, '')))::text AS j";

static int
directory(struct acme *a)
{
	PGresult	*res = NULL;
	const char	*site = ra_conf_get(a->conf, "Site.URL");
	enum ra_err	 er;
	int		 ok;

	if ((er = ra_db_run1(a->db, "directory", SQL_DIRECTORY, &res,
	    RA_ARGS(RA_TEXT(a->base), RA_TEXT(site != NULL ? site : "")))) !=
	    RA_OK) {
		PQclear(res);
		return acme_fail(a, er);
	}
	ok = acme_answer(a, 200, ra_get_text(res, 0, "j"));
	PQclear(res);
	return ok;
}

/* The resources that take a number: "/order/12". */
static const struct {
	const char	*prefix;
	int		(*run)(struct acme *, int64_t);
} numbered[] = {
	{ "/acct/", acme_account },
	{ "/order/", acme_order },
	{ "/authz/", acme_authz },
	{ "/chall/", acme_challenge },
	{ "/finalize/", acme_finalize },
	{ "/cert/", acme_cert },
};

static const struct {
	const char	*path;
	int		(*run)(struct acme *);
} fixed[] = {
	{ "/new-account", acme_new_account },
	{ "/new-order", acme_new_order },
	{ "/revoke-cert", acme_revoke },
	{ "/key-change", acme_key_change },
};

/* Route one request; the answer is in "a". */
static void
route(struct acme *a, const char *ctype)
{
	char		 sub[64];
	size_t		 i, n;
	int64_t		 id;

	if (strcmp(a->path, "/directory") == 0 || strcmp(a->path, "/") == 0 ||
	    *a->path == '\0') {
		if (strcmp(a->method, "GET") != 0 && strcmp(a->method, "HEAD") != 0)
			(void)acme_problem(a, ACME_P_METHOD, "GET the directory");
		else
			(void)directory(a);
		return;
	}
	if (strcmp(a->path, "/new-nonce") == 0) {
		if (strcmp(a->method, "HEAD") == 0)
			(void)acme_answer(a, 200, "");
		else if (strcmp(a->method, "GET") == 0)
			(void)acme_answer(a, 204, "");
		else
			(void)acme_problem(a, ACME_P_METHOD, "HEAD or GET a nonce");
		return;
	}
	if (strcmp(a->method, "POST") != 0) {
		(void)acme_problem(a, ACME_P_METHOD, "%s takes POST (a JWS)",
		    a->path);
		return;
	}
	if (!ra_http_type_is(ctype, JOSE_TYPE)) {
		(void)acme_problem(a, ACME_P_TYPE, "Content-Type must be "
		    JOSE_TYPE);
		return;
	}
	for (i = 0; i < RA_NITEMS(fixed); i++)
		if (strcmp(a->path, fixed[i].path) == 0) {
			(void)fixed[i].run(a);
			return;
		}
	/* /acct/ID/orders */
	n = strlen(a->path);
	if (n > 7 && n < sizeof(sub) && strcmp(a->path + n - 7, "/orders") == 0) {
		snprintf(sub, sizeof(sub), "%.*s", (int)(n - 7), a->path);
		if ((id = acme_url_id(a, "/acct/", sub)) > 0) {
			(void)acme_account_orders(a, id);
			return;
		}
	}
	for (i = 0; i < RA_NITEMS(numbered); i++)
		if ((id = acme_url_id(a, numbered[i].prefix, a->path)) > 0) {
			(void)numbered[i].run(a, id);
			return;
		}
	(void)acme_problem(a, ACME_P_NOTFOUND, "no such resource");
}

/* Connect, route, answer. */
static int
serve(const struct ra_conf *c, const char *caller, const char *method,
    const char *path, const unsigned char *body, size_t len,
    const char *ctype, int toolarge)
{
	struct acme	 a;
	enum ra_err	 er;

	acme_init(&a, c, method, path, body, len);
	a.caller = caller;
	a.source_ip = ra_req_env("REMOTE_ADDR");
	if (*a.base == '\0')
		(void)acme_problem(&a, ACME_P_INTERNAL, "Acme.BaseURL is not set");
	else if ((er = ra_db_connect(c, RA_DB_ACME, &a.db)) != RA_OK)
		(void)acme_fail(&a, er);
	else if (toolarge)
		(void)acme_problem(&a, ACME_P_MALFORMED, "the body is larger than "
		    "%d bytes", ACME_BODY_MAX);
	else
		route(&a, ctype);
	acme_send(&a);
	if (a.db != NULL)
		PQfinish(a.db);
	acme_free(&a);
	return 0;
}

static int
web(const struct ra_conf *c)
{
	const char	*method = ra_req_env("REQUEST_METHOD");
	const char	*path = ra_req_env("PATH_INFO");
	const char	*cl = ra_req_env("CONTENT_LENGTH");
	unsigned char	*body = NULL;
	size_t		 len = 0;
	int64_t		 want = 0;
	int		 big = 0, rc;

	if (method == NULL)
		method = "GET";
	if (cl != NULL && *cl != '\0' && (!ra_field_i64(cl, 0, INT64_MAX, &want) ||
	    want > ACME_BODY_MAX))
		big = 1;
	else if (want > 0 && ra_http_body(ACME_BODY_MAX, &body, &len) != RA_OK)
		big = 1;
	if (big)	/* at most 1 MiB; Apache's LimitRequestBody is lower */
		ra_http_drain(1048576);
	rc = serve(c, "web", method, path != NULL ? path : "", body, len,
	    ra_req_env("CONTENT_TYPE"), big);
	free(body);
	return rc;
}

/* acme.cgi METHOD PATH [BODYFILE]: the web's answer on standard output. */
static int
shell(const struct ra_conf *c, const char *caller, int argc, char *argv[])
{
	const char	*base = ra_conf_get(c, "Acme.BaseURL"), *bp, *path;
	char		*body = NULL;
	size_t		 len = 0, n;
	int		 rc;

	path = argv[2];
	/* "/acme/new-order": the base URL's own path in front is dropped. */
	if (base != NULL && (bp = strstr(base, "://")) != NULL &&
	    (bp = strchr(bp + 3, '/')) != NULL) {
		n = strlen(bp);
		while (n > 0 && bp[n - 1] == '/')
			n--;
		if (n > 0 && strncmp(path, bp, n) == 0 &&
		    (path[n] == '/' || path[n] == '\0'))
			path += n;
	}
	if (argc == 4 && ra_read_file(argv[3], ACME_BODY_MAX, &body, &len) !=
	    RA_OK) {
		fprintf(stderr, "acme: cannot read %s (at most %d bytes)\n",
		    argv[3], ACME_BODY_MAX);
		return 1;
	}
	rc = serve(c, caller, argv[1], path, (unsigned char *)body, len,
	    JOSE_TYPE, 0);
	free(body);
	return rc;
}

static int
purge(const struct ra_conf *c)
{
	PGconn		*db = NULL;
	enum ra_err	 er;

	if ((er = ra_db_connect(c, RA_DB_ACME, &db)) == RA_OK)
		er = acme_purge(db, c, stdout);
	if (db != NULL)
		PQfinish(db);
	if (er != RA_OK)
		fprintf(stderr, "acme: purge: %s\n", ra_strerror(er));
	return er == RA_OK ? 0 : 1;
}

int
main(int argc, char *argv[])
{
	struct ra_conf	 conf;
	char		 caller[64];
	int		 cgi = ra_req_env("GATEWAY_INTERFACE") != NULL, rc;

	memset(&conf, 0, sizeof(conf));
	/* ra-acme wholly, before the configuration is read. */
	if (ra_openssl_init_lean() != RA_OK ||
	    ra_zone_enter(caller, sizeof(caller)) != RA_OK ||
	    ra_conf_load(&conf, NULL) != RA_OK) {
		if (cgi)
			ra_http_plain(500, "POST", "システムエラーが発生しました。",
			    "A system error occurred.");
		ra_conf_free(&conf);
		return cgi ? 0 : 1;
	}
	if (cgi)
		rc = web(&conf);
	else if (argc == 2 && strcmp(argv[1], "purge") == 0)
		rc = purge(&conf);
	else if ((argc == 3 || argc == 4) && (strcmp(argv[1], "GET") == 0 ||
	    strcmp(argv[1], "HEAD") == 0 || strcmp(argv[1], "POST") == 0))
		rc = shell(&conf, caller, argc, argv);
	else {
		fprintf(stderr, "usage: acme.cgi GET|HEAD|POST PATH [BODYFILE]"
		    " | purge\n");
		rc = 2;
	}
	ra_conf_free(&conf);
	return rc;
}
