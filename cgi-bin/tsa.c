/*
 * tsa.cgi: ra's own RFC 3161 time-stamp authority (lib/tsa.c), the one
 * program of the tsa zone.  It runs as ra-tsa, holds the TSA key only
 * (Tsa.Key, readable by ra-tsa alone), and talks to PostgreSQL as ra_tsa:
 * a serial number and a log row per answer.
 *
 * Under Apache (/tsa, plain HTTP and HTTPS, no client certificate) it
 * answers POST with Content-Type application/timestamp-query and a body
 * of at most Tsa.MaxRequestBytes with an application/timestamp-reply;
 * another method gets 405, another type 415, a missing or oversized body
 * 411 or 413, each audited.  From a shell:
 *
 *	tsa.cgi reply < req.tsq > resp.tsr	the same answer, logged alike
 *	tsa.cgi check				whether the TSA may sign
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "ra.h"
#include "web.h"

#define TSA_REQUEST_MAX	16384	/* a TimeStampReq is some 100 bytes */
#define TSA_QUERY_TYPE	"application/timestamp-query"

static const struct ra_http_err tsa_method = { 405, RA_EMETHOD,
    "only POST is answered (RFC 3161 over HTTP)",
    "タイムスタンプ要求は POST で送ってください。" };
static const struct ra_http_err tsa_type = { 415, RA_EINPUT,
    "Content-Type must be " TSA_QUERY_TYPE,
    "Content-Type は " TSA_QUERY_TYPE " にしてください。" };
static const struct ra_http_err tsa_nolength = { 411, RA_EINPUT,
    "a Content-Length is required",
    "Content-Length が必要です。" };
static const struct ra_http_err tsa_toolarge = { 413, RA_EINPUT,
    "the request body is larger than Tsa.MaxRequestBytes",
    "要求が大きすぎます。" };
static const struct ra_http_err tsa_short = { 400, RA_EINPUT,
    "the request body is shorter than its Content-Length",
    "要求の本文が Content-Length より短いです。" };

static size_t
request_max(const struct ra_conf *c)
{
	int	 n = ra_conf_int(c, "Tsa.MaxRequestBytes", TSA_REQUEST_MAX);

	return n > 0 ? (size_t)n : TSA_REQUEST_MAX;
}

static void
http_plain(int status, const char *ja, const char *en)
{
	ra_http_plain(status, "POST", ja, en);
}

/* Refuse, say why, and audit it (as ra_tsa). */
static int
http_refuse(const struct ra_conf *c, PGconn **db, const struct ra_http_err *e)
{
	ra_http_refuse(c, RA_DB_TSA, db, "POST", e);
	return 0;
}

static int
type_ok(const char *ct)
{
	return ra_http_type_is(ct, TSA_QUERY_TYPE);
}

static int
web(const struct ra_conf *c)
{
	const char	*method = ra_req_env("REQUEST_METHOD");
	const char	*cl = ra_req_env("CONTENT_LENGTH");
	const char	*status;
	struct ra_tsa	*tsa = NULL;
	PGconn		*db = NULL;
	unsigned char	*req = NULL, *resp = NULL;
	size_t		 len, resplen, max = request_max(c);
	int64_t		 want;
	enum ra_err	 er;
	int		 rc = 0;

	if (method == NULL || strcmp(method, "POST") != 0)
		rc = http_refuse(c, &db, &tsa_method);
	else if (!type_ok(ra_req_env("CONTENT_TYPE")))
		rc = http_refuse(c, &db, &tsa_type);
	else if (cl == NULL || !ra_field_i64(cl, 0, INT64_MAX, &want))
		rc = http_refuse(c, &db, &tsa_nolength);
	else if ((uint64_t)want > max)
		rc = http_refuse(c, &db, &tsa_toolarge);
	else if ((er = ra_http_body((size_t)want, &req, &len)) != RA_OK) {
		if (er == RA_EINPUT)	/* more than it said: not ours to guess */
			rc = http_refuse(c, &db, &tsa_toolarge);
		else
			http_plain(500, "システムエラーが発生しました。",
			    "A system error occurred.");
	} else if (len != (size_t)want)
		rc = http_refuse(c, &db, &tsa_short);
	else if (ra_tsa_open(c, &tsa) != RA_OK)
		http_plain(503, "タイムスタンプ局は設定が正しくないため停止中です。",
		    "The time-stamp authority is not configured correctly; "
		    "see the server's log.");
	else {
		/* Without the database the answer is a systemFailure. */
		(void)ra_db_connect(c, RA_DB_TSA, &db);
		if (ra_tsa_reply(tsa, db, req, len, &resp, &resplen,
		    &status) != RA_OK)
			http_plain(500, "システムエラーが発生しました。",
			    "A system error occurred.");
		else {
			printf("Status: 200\r\nContent-Type: "
			    "application/timestamp-reply\r\nContent-Length: "
			    "%zu\r\nCache-Control: no-store\r\n\r\n", resplen);
			fwrite(resp, 1, resplen, stdout);
		}
	}
	fflush(stdout);
	OPENSSL_free(resp);
	free(req);
	ra_tsa_free(tsa);
	if (db != NULL)
		PQfinish(db);
	return rc;
}

/* tsa.cgi reply: the web's answer for the request on standard input. */
static int
shell_reply(const struct ra_conf *c)
{
	const char	*status;
	struct ra_tsa	*tsa = NULL;
	PGconn		*db = NULL;
	unsigned char	*req = NULL, *resp = NULL;
	size_t		 len, resplen;
	enum ra_err	 er;
	int		 rc = 1;

	if ((er = ra_http_body(request_max(c), &req, &len)) != RA_OK) {
		if (er == RA_EINPUT)
			ra_warnx("tsa: the request is larger than "
			    "Tsa.MaxRequestBytes (%zu)", request_max(c));
		goto out;
	}
	if (ra_tsa_open(c, &tsa) != RA_OK)
		goto out;
	(void)ra_db_connect(c, RA_DB_TSA, &db);
	if (ra_tsa_reply(tsa, db, req, len, &resp, &resplen, &status) !=
	    RA_OK)
		goto out;
	if (fwrite(resp, 1, resplen, stdout) != resplen || fflush(stdout) != 0) {
		ra_warnx("tsa: writing the response: %s", strerror(errno));
		goto out;
	}
	fprintf(stderr, "tsa: %s\n", status);
	rc = strcmp(status, "granted") == 0 ? 0 : 3;
out:
	OPENSSL_free(resp);
	free(req);
	ra_tsa_free(tsa);
	if (db != NULL)
		PQfinish(db);
	return rc;
}

/*
 * tsa.cgi check: the certificate, its dates, whether the key may sign;
 * exit 3 when it may not now, so a cron job can tell.
 */
static int
shell_check(const struct ra_conf *c)
{
	struct ra_tsa	*tsa = NULL;
	int		 ready;

	if (ra_tsa_open(c, &tsa) != RA_OK)
		return 1;
	ready = ra_tsa_describe(tsa, stdout);
	ra_tsa_free(tsa);
	return ready ? 0 : 3;
}

int
main(int argc, char *argv[])
{
	struct ra_conf	 conf;
	char		 caller[64];
	int		 cgi = ra_req_env("GATEWAY_INTERFACE") != NULL, rc;

	memset(&conf, 0, sizeof(conf));
	/* ra-tsa wholly, before the key or the configuration is read. */
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
	else if (argc == 2 && strcmp(argv[1], "check") == 0)
		rc = shell_check(&conf);
	else {
		fprintf(stderr, "usage: tsa.cgi reply < request.tsq > "
		    "response.tsr | check\n");
		rc = 2;
	}
	ra_conf_free(&conf);
	return rc;
}
