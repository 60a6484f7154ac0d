/*
 * httpbody.c: what the protocol endpoints (tsa.cgi, ocsp.cgi) share: a
 * request body read whole up to a limit, a plain-text answer, and a
 * refusal that drains the body, says why and is audited.  Each endpoint
 * declares its own refusals (struct ra_http_err).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "ra.h"
#include "web.h"

/* Read all of fd 0, at most "max" bytes; more is RA_EINPUT.  Caller frees. */
enum ra_err
ra_http_body(size_t max, unsigned char **out, size_t *len)
{
	unsigned char	*buf;
	size_t		 got = 0;
	ssize_t		 n;

	*out = NULL;
	*len = 0;
	if ((buf = malloc(max + 1)) == NULL)
		return RA_ENOMEM;
	while (got <= max && (n = read(0, buf + got, max + 1 - got)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ra_warnx("reading the request: %s", strerror(errno));
			free(buf);
			return RA_ESYS;
		}
		got += (size_t)n;
	}
	if (got > max) {
		free(buf);
		return RA_EINPUT;
	}
	*out = buf;
	*len = got;
	return RA_OK;
}

/* A plain-text answer; "allow" the methods a 405 names. */
void
ra_http_plain(int status, const char *allow, const char *ja, const char *en)
{
	printf("Status: %d\r\n", status);
	if (status == 405)
		printf("Allow: %s\r\n", allow);
	printf("Content-Type: text/plain; charset=utf-8\r\n"
	    "Cache-Control: no-store\r\n\r\n%s\n%s\n", ja, en);
}

/*
 * Read and drop what the client still sends, at most "max" bytes: a CGI
 * that answers and exits with part of the body unread closes its socket
 * to Apache with data in it, the kernel resets that socket, and Apache
 * then loses the answer (the client sees none at all, or a cut one).
 */
void
ra_http_drain(size_t max)
{
	char	 buf[8192];
	size_t	 total = 0;
	ssize_t	 n;

	while (total < max && ((n = read(0, buf, sizeof(buf))) > 0 ||
	    (n < 0 && errno == EINTR)))
		total += n > 0 ? (size_t)n : 0;
}

/* Refuse, say why, and audit it as "role" (a failed audit is logged). */
void
ra_http_refuse(const struct ra_conf *c, enum ra_db_role role, PGconn **db,
    const char *allow, const struct ra_http_err *e)
{
	ra_http_drain(65536);	/* above these endpoints' LimitRequestBody */
	ra_http_plain(e->status, allow, e->ja, e->why);
	if (*db == NULL && ra_db_connect(c, role, db) != RA_OK)
		return;
	if (ra_audit_refusal(*db, ra_strerror(e->er), e->why, NULL) != RA_OK)
		ra_warnx("refusal (%s) not audited", e->why);
}

/* Content-Type is "type", parameters aside. */
int
ra_http_type_is(const char *ct, const char *type)
{
	size_t	 n = strlen(type);

	return ct != NULL && strncasecmp(ct, type, n) == 0 &&
	    (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ');
}
