/*
 * httpresp.c: the answer to the ACME validator's fetch (httpget.c), read
 * from bytes: the status line, Location, and a body bounded by
 * RA_HTTP_BODY_MAX, framed by Content-Length, chunked or the close.
 * Whatever any server on the Internet sends; fuzzed (t/fuzz/http.c).
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ra.h"
#include "acmeval.h"

/* Set the failure and its detail (printf-style). */
void
ra_http_failf(struct ra_http_result *res, enum ra_http_fail f,
    const char *fmt, ...)
{
	va_list	 ap;

	res->fail = f;
	va_start(ap, fmt);
	vsnprintf(res->detail, sizeof(res->detail), fmt, ap);
	va_end(ap);
}

static int
header(const char *hdr, const char *name, char *out, size_t outsz)
{
	const char	*p = hdr, *e, *v;
	size_t		 nl = strlen(name), n;

	while ((p = strchr(p, '\n')) != NULL) {
		p++;
		if (strncasecmp(p, name, nl) != 0 || p[nl] != ':')
			continue;
		for (v = p + nl + 1; *v == ' ' || *v == '\t'; v++)
			;
		e = v + strcspn(v, "\r\n");
		while (e > v && (e[-1] == ' ' || e[-1] == '\t'))
			e--;
		n = (size_t)(e - v);
		if (n >= outsz)
			n = outsz - 1;
		memcpy(out, v, n);
		out[n] = '\0';
		return 1;
	}
	return 0;
}

/*
 * Decode a chunked body into res->body: 1 the last chunk came (or the
 * body is full), 0 it is cut short, -1 it is not chunked framing.
 */
static int
dechunk(const char *p, const char *end, struct ra_http_result *res)
{
	unsigned long	 sz;
	const char	*nl;
	size_t		 take, i;

	for (;;) {
		if (p >= end)
			return 0;
		for (sz = 0, i = 0; p + i < end && isxdigit((unsigned char)p[i]);
		    i++) {
			if (i == 8)
				return -1;	/* no chunk of 4 GiB here */
			sz = sz * 16 + (unsigned long)(isdigit((unsigned char)
			    p[i]) ? p[i] - '0' : (tolower((unsigned char)p[i]) -
			    'a' + 10));
		}
		if (i == 0)
			return -1;
		if ((nl = memchr(p + i, '\n', (size_t)(end - p - i))) == NULL)
			return 0;
		p = nl + 1;
		if (sz == 0)
			return 1;
		take = sz < (size_t)(end - p) ? sz : (size_t)(end - p);
		if (res->bodylen + take > RA_HTTP_BODY_MAX) {
			take = RA_HTTP_BODY_MAX - res->bodylen;
			res->truncated = 1;
		}
		memcpy(res->body + res->bodylen, p, take);
		res->bodylen += take;
		if (res->truncated)
			return 1;
		if (sz > (size_t)(end - p))
			return 0;
		p += sz;
		if (p < end && *p == '\r')
			p++;
		if (p < end && *p == '\n')
			p++;
	}
}

/*
 * Read an HTTP/1.x answer from the "len" bytes at "buf": the status, the
 * Location and the body (at most RA_HTTP_BODY_MAX bytes) into res and
 * "location".  "eof": no more bytes will come.  1 the answer is whole (or
 * as whole as we take it: a status other than 200 needs no body, a body
 * longer than we keep is cut), 0 more bytes are needed, -1 it is not an
 * answer we take, with the failure set.  Pure: the fuzz target's entry.
 */
int
ra_http_response(const char *buf, size_t len, int eof, const char *addr,
    struct ra_http_result *res, char *location, size_t locsz)
{
	char		 hdr[RA_HTTP_HDR_MAX + 1], te[64], cl[32];
	const char	*he, *body, *end = buf + len;
	size_t		 hlen, want = 0;
	long		 n;
	int		 chunked = 0, has_cl = 0, rc;

	location[0] = '\0';
	res->status = 0;
	res->bodylen = 0;
	res->truncated = 0;
	res->body[0] = '\0';
	if ((he = memmem(buf, len, "\r\n\r\n", 4)) == NULL) {
		if (len > RA_HTTP_HDR_MAX)
			goto toolong;
		if (!eof)
			return 0;
		ra_http_failf(res, RA_HTTP_CONNECTION, "%s: %s", addr, len == 0 ?
		    "the connection closed without an answer" :
		    "the answer is not HTTP (no complete header)");
		return -1;
	}
	if ((hlen = (size_t)(he - buf)) > RA_HTTP_HDR_MAX)
		goto toolong;
	memcpy(hdr, buf, hlen);
	hdr[hlen] = '\0';
	body = he + 4;
	if (hlen < 12 || strncmp(hdr, "HTTP/1.", 7) != 0 ||
	    !isdigit((unsigned char)hdr[7]) || hdr[8] != ' ' ||
	    !isdigit((unsigned char)hdr[9]) ||
	    !isdigit((unsigned char)hdr[10]) ||
	    !isdigit((unsigned char)hdr[11])) {
		ra_http_failf(res, RA_HTTP_CONNECTION, "%s: the answer is not HTTP/1.x",
		    addr);
		return -1;
	}
	res->status = (hdr[9] - '0') * 100 + (hdr[10] - '0') * 10 +
	    (hdr[11] - '0');
	(void)header(hdr, "Location", location, locsz);
	if (res->status != 200)
		return 1;
	if (header(hdr, "Transfer-Encoding", te, sizeof(te)) &&
	    strcasecmp(te, "chunked") == 0)
		chunked = 1;
	else if (header(hdr, "Content-Length", cl, sizeof(cl))) {
		n = strtol(cl, NULL, 10);
		has_cl = 1;
		want = n < 0 ? 0 : n > RA_HTTP_BODY_MAX ? RA_HTTP_BODY_MAX + 1 :
		    (size_t)n;
	}
	if (chunked) {
		if ((rc = dechunk(body, end, res)) == -1) {
			ra_http_failf(res, RA_HTTP_CONNECTION, "%s: the chunked body is "
			    "malformed", addr);
			return -1;
		}
		res->body[res->bodylen] = '\0';
		return rc == 1 || eof ? 1 : 0;
	}
	res->bodylen = (size_t)(end - body);
	if (has_cl && res->bodylen > want)
		res->bodylen = want;
	if (res->bodylen > RA_HTTP_BODY_MAX) {
		res->bodylen = RA_HTTP_BODY_MAX;
		res->truncated = 1;
	}
	memcpy(res->body, body, res->bodylen);
	res->body[res->bodylen] = '\0';
	if (res->truncated || (has_cl && res->bodylen == want))
		return 1;
	if (!eof)
		return 0;
	if (has_cl) {
		ra_http_failf(res, RA_HTTP_CONNECTION, "%s: the connection closed after "
		    "%zu of %zu bytes of body", addr, res->bodylen, want);
		return -1;
	}
	return 1;
toolong:
	ra_http_failf(res, RA_HTTP_CONNECTION, "%s: the answer's header is longer than "
	    "%d bytes", addr, RA_HTTP_HDR_MAX);
	return -1;
}

