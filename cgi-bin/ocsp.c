/*
 * ocsp.cgi: ra's OCSP responder (RFC 6960, lib/ocsp.c), the one program
 * of the ocsp zone.  It runs as ra-ocsp, holds its delegated signers'
 * keys only (Ocsp.KeyDir, readable by ra-ocsp alone), and reads the
 * certificates' status from PostgreSQL as ra_ocsp at every request.
 *
 * Under Apache (/ocsp, plain HTTP and HTTPS, no client certificate):
 *	POST /ocsp		Content-Type application/ocsp-request, a DER
 *				OCSPRequest of at most 16 KiB
 *	GET /ocsp/BASE64	the request base64- then URL-encoded in the
 *				path (RFC 6960 A.1), so caches may keep it
 * Both get an application/ocsp-response with Cache-Control max-age up to
 * its nextUpdate.  Another method gets 405, another type 415, a missing
 * or oversized body 411 or 413, an undecodable path 400, each audited.
 * From a shell:
 *
 *	ocsp.cgi reply < req.der > resp.der	the same answer
 *	ocsp.cgi signer-request			ask the worker for signers
 *						that are due (cron)
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "ra.h"
#include "domain.h"
#include "web.h"

#define OCSP_REQUEST_MAX	16384	/* an OCSPRequest is some 100 bytes */
#define OCSP_REQ_TYPE		"application/ocsp-request"

static const struct ra_http_err ocsp_method = { 405, RA_EMETHOD,
    "only GET and POST are answered (RFC 6960 A.1)",
    "OCSP 要求は GET か POST で送ってください。" };
static const struct ra_http_err ocsp_type = { 415, RA_EINPUT,
    "Content-Type must be " OCSP_REQ_TYPE,
    "Content-Type は " OCSP_REQ_TYPE " にしてください。" };
static const struct ra_http_err ocsp_nolength = { 411, RA_EINPUT,
    "a Content-Length is required",
    "Content-Length が必要です。" };
static const struct ra_http_err ocsp_toolarge = { 413, RA_EINPUT,
    "the request is larger than 16 KiB",
    "要求が大きすぎます。" };
static const struct ra_http_err ocsp_short = { 400, RA_EINPUT,
    "the request body is shorter than its Content-Length",
    "要求の本文が Content-Length より短いです。" };
static const struct ra_http_err ocsp_base64 = { 400, RA_EINPUT,
    "the path after /ocsp/ is not a base64-encoded request",
    "/ocsp/ の後が base64 で符号化した要求ではありません。" };

static void
http_plain(int status, const char *ja, const char *en)
{
	ra_http_plain(status, "GET, POST", ja, en);
}

/* Refuse, say why, and audit it (as ra_ocsp). */
static void
http_refuse(const struct ra_conf *c, PGconn **db,
    const struct ra_http_err *e)
{
	ra_http_refuse(c, RA_DB_OCSP, db, "GET, POST", e);
}

static int
type_ok(const char *ct)
{
	return ra_http_type_is(ct, OCSP_REQ_TYPE);
}

static void
send_answer(const unsigned char *resp, size_t len, long maxage)
{
	printf("Status: 200\r\nContent-Type: application/ocsp-response\r\n"
	    "Content-Length: %zu\r\n", len);
	if (maxage > 0)
		printf("Cache-Control: max-age=%ld, public, no-transform, "
		    "must-revalidate\r\n\r\n", maxage);
	else
		printf("Cache-Control: no-store\r\n\r\n");
	fwrite(resp, 1, len, stdout);
}

static int
web(const struct ra_conf *c)
{
	const char	*method = ra_req_env("REQUEST_METHOD");
	const char	*cl = ra_req_env("CONTENT_LENGTH");
	const char	*path = ra_req_env("PATH_INFO");
	PGconn		*db = NULL;
	unsigned char	*req = NULL, *resp = NULL;
	size_t		 len = 0, resplen;
	int64_t		 want;
	long		 maxage;
	enum ra_err	 er;
	int		 have = 0;

	if (method != NULL && strcmp(method, "GET") == 0) {
		if ((er = ra_ocsp_path_der(path != NULL ? path : "",
		    OCSP_REQUEST_MAX, &req, &len)) == RA_OK)
			have = 1;
		else if (er == RA_EINPUT)
			http_refuse(c, &db, &ocsp_base64);
		else
			http_plain(500, "システムエラーが発生しました。",
			    "A system error occurred.");
	} else if (method == NULL || strcmp(method, "POST") != 0)
		http_refuse(c, &db, &ocsp_method);
	else if (!type_ok(ra_req_env("CONTENT_TYPE")))
		http_refuse(c, &db, &ocsp_type);
	else if (cl == NULL || !ra_field_i64(cl, 0, INT64_MAX, &want))
		http_refuse(c, &db, &ocsp_nolength);
	else if ((uint64_t)want > OCSP_REQUEST_MAX)
		http_refuse(c, &db, &ocsp_toolarge);
	else if ((er = ra_http_body((size_t)want, &req, &len)) != RA_OK) {
		if (er == RA_EINPUT)
			http_refuse(c, &db, &ocsp_toolarge);
		else
			http_plain(500, "システムエラーが発生しました。",
			    "A system error occurred.");
	} else if (len != (size_t)want)
		http_refuse(c, &db, &ocsp_short);
	else
		have = 1;
	if (have) {
		/* Without the database the answer is tryLater. */
		(void)ra_db_connect(c, RA_DB_OCSP, &db);
		if (ra_ocsp_answer(c, db, req, len, &resp, &resplen,
		    &maxage) != RA_OK)
			http_plain(500, "システムエラーが発生しました。",
			    "A system error occurred.");
		else
			send_answer(resp, resplen, maxage);
	}
	fflush(stdout);
	OPENSSL_free(resp);
	free(req);
	if (db != NULL)
		PQfinish(db);
	return 0;
}

/* ocsp.cgi reply: the web's answer for the request on standard input. */
static int
shell_reply(const struct ra_conf *c)
{
	PGconn		*db = NULL;
	unsigned char	*req = NULL, *resp = NULL;
	size_t		 len, resplen;
	long		 maxage;
	int		 rc = 1;

	if (ra_http_body(OCSP_REQUEST_MAX, &req, &len) != RA_OK) {
		ra_warnx("ocsp: no request of at most %d bytes on standard "
		    "input", OCSP_REQUEST_MAX);
		goto out;
	}
	(void)ra_db_connect(c, RA_DB_OCSP, &db);
	if (ra_ocsp_answer(c, db, req, len, &resp, &resplen, &maxage) !=
	    RA_OK)
		goto out;
	if (fwrite(resp, 1, resplen, stdout) != resplen || fflush(stdout) != 0) {
		ra_warnx("ocsp: writing the response: %s", strerror(errno));
		goto out;
	}
	/* An error response (no max-age) is exit 3, so a script can tell. */
	rc = maxage > 0 ? 0 : 3;
out:
	OPENSSL_free(resp);
	free(req);
	if (db != NULL)
		PQfinish(db);
	return rc;
}

/* ocsp.cgi signer-request: a key and CSR for every CA that needs one. */
static int
shell_signer_request(const struct ra_conf *c)
{
	PGconn		*db = NULL;
	enum ra_err	 er;

	if ((er = ra_db_connect(c, RA_DB_OCSP, &db)) == RA_OK)
		er = ra_ocsp_signer_request(c, db, stdout);
	if (db != NULL)
		PQfinish(db);
	if (er != RA_OK)
		fprintf(stderr, "ocsp: signer-request: %s\n", ra_strerror(er));
	return er == RA_OK ? 0 : 1;
}

int
main(int argc, char *argv[])
{
	struct ra_conf	 conf;
	char		 caller[64];
	int		 cgi = ra_req_env("GATEWAY_INTERFACE") != NULL, rc;

	memset(&conf, 0, sizeof(conf));
	/* ra-ocsp wholly, before a key or the configuration is read. */
	if (ra_openssl_init_lean() != RA_OK ||
	    ra_zone_enter(caller, sizeof(caller)) != RA_OK ||
	    ra_conf_load(&conf, NULL) != RA_OK) {
		if (cgi)
			http_plain(500, "システムエラーが発生しました。",
			    "A system error occurred.");
		ra_conf_free(&conf);
		return cgi ? 0 : 1;
	}
	if (cgi)
		rc = web(&conf);
	else if (argc == 2 && strcmp(argv[1], "reply") == 0)
		rc = shell_reply(&conf);
	else if (argc == 2 && strcmp(argv[1], "signer-request") == 0)
		rc = shell_signer_request(&conf);
	else {
		fprintf(stderr, "usage: ocsp.cgi reply < request.der > "
		    "response.der | signer-request\n");
		rc = 2;
	}
	ra_conf_free(&conf);
	return rc;
}
