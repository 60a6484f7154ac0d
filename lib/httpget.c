/*
 * httpget.c: the http-01 fetch of the challenge validator (RFC 8555 8.3),
 * a plain HTTP/1.1 client of our own over a socket (no libcurl).
 *
 *	GET http://IDENTIFIER:PORT/.well-known/acme-challenge/TOKEN
 *	Host: IDENTIFIER
 *
 * One deadline covers the whole fetch: name resolution by the map,
 * connect, request, answer and every redirect (poll()-based; getaddrinfo
 * in production has the resolver's own timeout).  At most
 * RA_HTTP_REDIRECTS Location headers are followed, each only to http: or
 * https: on port 80, 443 or Acme.Http01Port; an https: one is fetched
 * over TLS (OpenSSL) without checking the certificate, as Let's Encrypt
 * does: the key authorization is the proof, not the certificate of a
 * site that may not have one yet.  The address connected to is never one
 * the configuration does not allow:
 *
 *   - Acme.Resolve set (tests, the local stack): the name must be in the
 *     map and the address it maps to loopback; nothing is asked of DNS.
 *   - no map (production): DNS, and loopback, private, link-local and
 *     other non-public addresses are refused unless Acme.AllowPrivate.
 *
 * An IP literal (in the identifier or a redirect) is refused unless the
 * map names it exactly.  Hostile answers are normal: the header and body
 * are bounded, the body kept is RA_HTTP_BODY_MAX bytes at most.
 */
#include <sys/socket.h>
#include <sys/types.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "ra.h"
#include "acmeval.h"

#define RESP_MAX	(RA_HTTP_HDR_MAX + RA_HTTP_BODY_MAX + 1024) /* chunk framing */
#define ADDRS_MAX	8	/* addresses of one name tried */

struct url {
	int	 https;
	char	 host[254];
	int	 port;
	char	 path[400];
};

static long long
now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int
left_ms(long long deadline)
{
	long long	 d = deadline - now_ms();

	return d < 0 ? 0 : (int)d;
}

/*
 * Parse an absolute http(s) URL, or an absolute path against "base".
 * Anything else, a user part, a control character or space, a bad port:
 * 0, and "why" says so.
 */
static int
url_parse(const char *s, const struct url *base, struct url *u,
    const char **why)
{
	const char	*p, *h, *he;
	size_t		 n;
	char		*end;
	long		 port;

	for (p = s; *p != '\0'; p++)
		if ((unsigned char)*p <= 0x20 || *p == 0x7f) {
			*why = "has a space or control character";
			return 0;
		}
	memset(u, 0, sizeof(*u));
	if (s[0] == '/' && s[1] != '/' && base != NULL) {
		*u = *base;
		p = s;
		goto path;
	}
	if (strncasecmp(s, "http://", 7) == 0) {
		u->port = 80;
		h = s + 7;
	} else if (strncasecmp(s, "https://", 8) == 0) {
		u->https = 1;
		u->port = 443;
		h = s + 8;
	} else {
		*why = "is neither an http(s) URL nor an absolute path";
		return 0;
	}
	he = h + strcspn(h, "/?#");
	if (memchr(h, '@', (size_t)(he - h)) != NULL) {
		*why = "has a user part";
		return 0;
	}
	if (*h == '[') {			/* [v6]:port */
		if ((p = memchr(h, ']', (size_t)(he - h))) == NULL) {
			*why = "has a bad IPv6 literal";
			return 0;
		}
		n = (size_t)(p - h - 1);
		if (n >= sizeof(u->host))
			goto long_host;
		memcpy(u->host, h + 1, n);
		p++;
	} else {
		p = memchr(h, ':', (size_t)(he - h));
		n = (size_t)((p != NULL ? p : he) - h);
		if (n >= sizeof(u->host))
			goto long_host;
		memcpy(u->host, h, n);
		if (p == NULL)
			p = he;
	}
	u->host[n] = '\0';
	for (end = u->host; *end != '\0'; end++)
		*end = (char)tolower((unsigned char)*end);
	if (p < he) {
		if (*p != ':' || p + 1 == he) {
			*why = "has a bad port";
			return 0;
		}
		errno = 0;
		port = strtol(p + 1, &end, 10);
		if (end != he || errno != 0 || port < 1 || port > 65535 ||
		    !isdigit((unsigned char)p[1])) {
			*why = "has a bad port";
			return 0;
		}
		u->port = (int)port;
	}
	if (!ra_host_ok(u->host) && !ra_ip_literal(u->host)) {
		*why = "has a bad host name";
		return 0;
	}
	p = he;
path:
	n = strcspn(p, "#");
	if (n == 0) {
		p = "/";
		n = 1;
	}
	if (*p != '/' || n >= sizeof(u->path)) {
		*why = *p != '/' ? "has a bad path" : "has too long a path";
		return 0;
	}
	memcpy(u->path, p, n);
	u->path[n] = '\0';
	return 1;
long_host:
	*why = "has too long a host name";
	return 0;
}

/*
 * The addresses "host" may be connected at: from the map, else DNS,
 * each checked.  0 and the result's failure set if none.
 */
static int
addrs_of(const struct ra_http_opts *o, const char *host,
    char addrs[][64], size_t *naddrs, struct ra_http_result *res)
{
	struct addrinfo	 hints, *ai = NULL, *a;
	const char	*m;
	char		 buf[64], refused[64] = "";
	int		 rc;

	*naddrs = 0;
	if (o->nmap > 0) {
		if (!ra_resolve_lookup(o->map, o->nmap, host, &m)) {
			ra_http_failf(res, ra_ip_literal(host) ? RA_HTTP_CONNECTION :
			    RA_HTTP_DNS, ra_ip_literal(host) ?
			    "refused to connect to the IP address %s: not in "
			    "the validator's map" :
			    "%s does not resolve: not in the validator's map "
			    "(Acme.Resolve)", host);
			return 0;
		}
		if (!ra_addr_loopback(m)) {
			ra_http_failf(res, RA_HTTP_CONNECTION, "refused to connect to "
			    "%s for %s: the validator's map may name loopback "
			    "addresses only", m, host);
			return 0;
		}
		snprintf(addrs[(*naddrs)++], 64, "%s", m);
		return 1;
	}
	if (ra_ip_literal(host)) {
		ra_http_failf(res, RA_HTTP_CONNECTION, "refused to connect to the IP "
		    "address %s: only DNS names are validated", host);
		return 0;
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	if ((rc = getaddrinfo(host, NULL, &hints, &ai)) != 0) {
		ra_http_failf(res, RA_HTTP_DNS, "%s does not resolve: %s", host,
		    gai_strerror(rc));
		return 0;
	}
	for (a = ai; a != NULL && *naddrs < ADDRS_MAX; a = a->ai_next) {
		if (getnameinfo(a->ai_addr, a->ai_addrlen, buf, sizeof(buf),
		    NULL, 0, NI_NUMERICHOST) != 0)
			continue;
		if (!o->allow_private && !ra_addr_public(buf)) {
			snprintf(refused, sizeof(refused), "%s", buf);
			continue;
		}
		snprintf(addrs[(*naddrs)++], 64, "%s", buf);
	}
	freeaddrinfo(ai);
	if (*naddrs == 0) {
		ra_http_failf(res, RA_HTTP_CONNECTION, "refused to connect to %s for "
		    "%s: not a public address", refused[0] ? refused : "-",
		    host);
		return 0;
	}
	return 1;
}

/* A non-blocking connection to addr:port before the deadline, or -1. */
static int
connect_to(const char *addr, int port, long long deadline,
    struct ra_http_result *res)
{
	struct sockaddr_storage	 ss;
	struct sockaddr_in	*s4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6	*s6 = (struct sockaddr_in6 *)&ss;
	struct pollfd		 pfd;
	socklen_t		 sl, el = sizeof(int);
	int			 fd, e = 0, rc;

	memset(&ss, 0, sizeof(ss));
	if (inet_pton(AF_INET, addr, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)port);
		sl = sizeof(*s4);
	} else if (inet_pton(AF_INET6, addr, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)port);
		sl = sizeof(*s6);
	} else
		return -1;
	if ((fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0)) == -1) {
		ra_http_failf(res, RA_HTTP_CONNECTION, "socket: %s", strerror(errno));
		return -1;
	}
	if (connect(fd, (struct sockaddr *)&ss, sl) == -1) {
		if (errno != EINPROGRESS) {
			e = errno;
			goto bad;
		}
		pfd.fd = fd;
		pfd.events = POLLOUT;
		while ((rc = poll(&pfd, 1, left_ms(deadline))) == -1 &&
		    errno == EINTR)
			;
		if (rc == 0) {
			ra_http_failf(res, RA_HTTP_CONNECTION, "connecting to %s port %d: "
			    "timed out", addr, port);
			close(fd);
			return -1;
		}
		if (rc < 0 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &el) ==
		    -1)
			e = errno;
		if (e != 0)
			goto bad;
	}
	return fd;
bad:
	ra_http_failf(res, RA_HTTP_CONNECTION, "connecting to %s port %d: %s", addr,
	    port, strerror(e));
	close(fd);
	return -1;
}

/*
 * A connection: plain, or TLS for an https: redirect.  The TLS side
 * checks no certificate: a redirect's target proves nothing by its
 * certificate here, only by the key authorization it serves (as Let's
 * Encrypt follows them); SNI names the host.
 */
struct conn {
	int	 fd;
	SSL_CTX	*ctx;
	SSL	*ssl;
};

/* Wait for "events" on the connection before the deadline; 0 timed out. */
static int
conn_wait(const struct conn *c, short events, long long deadline)
{
	struct pollfd	 pfd = { .fd = c->fd, .events = events };
	int		 rc;

	while ((rc = poll(&pfd, 1, left_ms(deadline))) == -1 && errno == EINTR)
		;
	return rc > 0;
}

/* After an SSL call returned "r": wait as it asks (1), or 0 if it failed. */
static int
tls_again(const struct conn *c, int r, long long deadline)
{
	switch (SSL_get_error(c->ssl, r)) {
	case SSL_ERROR_WANT_READ:
		return conn_wait(c, POLLIN, deadline);
	case SSL_ERROR_WANT_WRITE:
		return conn_wait(c, POLLOUT, deadline);
	default:
		return 0;
	}
}

static const char *
tls_why(void)
{
	const char	*r = ERR_reason_error_string(ERR_peek_last_error());

	return r != NULL ? r : "the connection failed";
}

static int
tls_start(struct conn *c, const char *host, const char *addr, int port,
    long long deadline, struct ra_http_result *res)
{
	int	 r;

	ERR_clear_error();
	if ((c->ctx = SSL_CTX_new(TLS_client_method())) == NULL ||
	    SSL_CTX_set_min_proto_version(c->ctx, TLS1_2_VERSION) != 1 ||
	    (c->ssl = SSL_new(c->ctx)) == NULL ||
	    SSL_set_fd(c->ssl, c->fd) != 1) {
		ra_http_failf(res, RA_HTTP_CONNECTION, "TLS to %s: %s", addr, tls_why());
		return -1;
	}
	SSL_set_verify(c->ssl, SSL_VERIFY_NONE, NULL);
	SSL_set_options(c->ssl, SSL_OP_IGNORE_UNEXPECTED_EOF);
	if (!ra_ip_literal(host))
		(void)SSL_set_tlsext_host_name(c->ssl, host);
	while ((r = SSL_connect(c->ssl)) != 1)
		if (!tls_again(c, r, deadline)) {
			ra_http_failf(res, RA_HTTP_CONNECTION, "TLS handshake with %s "
			    "port %d: %s", addr, port, left_ms(deadline) == 0 ?
			    "timed out" : tls_why());
			return -1;
		}
	return 0;
}

static void
conn_close(struct conn *c)
{
	SSL_free(c->ssl);
	SSL_CTX_free(c->ctx);
	if (c->fd != -1)
		close(c->fd);
	c->ssl = NULL;
	c->ctx = NULL;
	c->fd = -1;
}

static int
conn_write(const struct conn *c, const char *buf, size_t len,
    long long deadline)
{
	ssize_t	 w;
	int	 r;

	while (len > 0) {
		if (c->ssl != NULL) {
			if ((r = SSL_write(c->ssl, buf, len > INT_MAX ?
			    INT_MAX : (int)len)) <= 0) {
				if (!tls_again(c, r, deadline))
					return -1;
				continue;
			}
			w = r;
		} else {
			if (!conn_wait(c, POLLOUT, deadline))
				return -1;
			if ((w = send(c->fd, buf, len, MSG_NOSIGNAL)) == -1) {
				if (errno == EAGAIN || errno == EINTR)
					continue;
				return -1;
			}
		}
		buf += w;
		len -= (size_t)w;
	}
	return 0;
}

/* Bytes read (0: the peer closed), -1 an error, -2 the deadline passed. */
static ssize_t
conn_read(const struct conn *c, char *buf, size_t len, long long deadline)
{
	ssize_t	 r;
	int	 n;

	for (;;) {
		if (c->ssl != NULL) {
			if ((n = SSL_read(c->ssl, buf, len > INT_MAX ? INT_MAX :
			    (int)len)) > 0)
				return n;
			if (SSL_get_error(c->ssl, n) == SSL_ERROR_ZERO_RETURN)
				return 0;
			if (!tls_again(c, n, deadline))
				return left_ms(deadline) == 0 ? -2 : -1;
			continue;
		}
		if (!conn_wait(c, POLLIN, deadline))
			return -2;
		if ((r = recv(c->fd, buf, len, 0)) >= 0)
			return r;
		if (errno != EAGAIN && errno != EINTR)
			return -1;
	}
}

/* The value of header "name" in the header block, into "out"; 1 if there. */
/*
 * One request on "fd", the answer read until it is whole, the peer
 * closes, RESP_MAX bytes came or the deadline passed.  0, or -1 with the
 * failure set.
 */
static int
exchange(const struct conn *c, const struct url *u, const char *addr,
    long long deadline, char *location, size_t locsz,
    struct ra_http_result *res)
{
	char		 req[1024];
	char		*buf = NULL;
	size_t		 len = 0;
	ssize_t		 r;
	int		 rc = -1, got, eof = 0;

	location[0] = '\0';
	got = snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: %s\r\n"
	    "User-Agent: ra-acmeval/" RA_VERSION "\r\nAccept: */*\r\n"
	    "Connection: close\r\n\r\n", u->path, u->host);
	if (got < 0 || (size_t)got >= sizeof(req) ||
	    conn_write(c, req, (size_t)got, deadline) == -1) {
		ra_http_failf(res, RA_HTTP_CONNECTION, "sending the request to %s: %s",
		    addr, left_ms(deadline) == 0 ? "timed out" : strerror(errno));
		goto out;
	}
	if ((buf = malloc(RESP_MAX)) == NULL) {
		ra_http_failf(res, RA_HTTP_CONNECTION, "out of memory");
		goto out;
	}
	for (;;) {
		if ((r = conn_read(c, buf + len, RESP_MAX - len, deadline)) < 0) {
			ra_http_failf(res, RA_HTTP_CONNECTION, "%s port %d: %s after "
			    "%zu bytes of answer", addr, u->port, r == -2 ?
			    "timed out" : c->ssl != NULL ? tls_why() :
			    strerror(errno), len);
			goto out;
		}
		if (r == 0)
			eof = 1;
		len += (size_t)r;
		/* A full buffer is all we read: judge it as it stands. */
		got = ra_http_response(buf, len, eof || len == RESP_MAX, addr,
		    res, location, locsz);
		if (got == -1)
			goto out;
		if (got == 1)
			break;
	}
	rc = 0;
out:
	free(buf);
	return rc;
}

/* After a redirect, the failure says where it was sent. */
static void
redirected(struct ra_http_result *res)
{
	char	 d[sizeof(res->detail)];

	snprintf(d, sizeof(d), "%s", res->detail);
	snprintf(res->detail, sizeof(res->detail), "after %d redirect(s), "
	    "to %.200s: %.250s", res->redirects, res->url, d);
}

static int
port_allowed(const struct ra_http_opts *o, int port)
{
	return port == 80 || port == 443 || port == o->port;
}

/*
 * Fetch the key authorization of "token" from "identifier".  RA_OK
 * whatever the server did (res says what); an error only when we could
 * not try.
 */
enum ra_err
ra_http01_get(const struct ra_http_opts *o, const char *identifier,
    const char *token, struct ra_http_result *res)
{
	struct url	 u, next;
	char		 addrs[ADDRS_MAX][64], location[512];
	const char	*why;
	struct conn	 c = { .fd = -1 };
	size_t		 naddrs, i;
	long long	 deadline = now_ms() + o->timeout_ms;
	int		 rc;

	memset(res, 0, sizeof(*res));
	memset(&u, 0, sizeof(u));
	if (!ra_host_ok(identifier) || strlen(token) >= 100) {
		ra_http_failf(res, RA_HTTP_DNS, "%s is not a DNS name", identifier);
		return RA_OK;
	}
	snprintf(u.host, sizeof(u.host), "%s", identifier);
	u.port = o->port;
	snprintf(u.path, sizeof(u.path), "/.well-known/acme-challenge/%s",
	    token);
	for (;;) {
		snprintf(res->url, sizeof(res->url), "%s://%s:%d%s", u.https ?
		    "https" : "http", u.host, u.port, u.path);
		if (!addrs_of(o, u.host, addrs, &naddrs, res)) {
			if (res->redirects > 0)
				redirected(res);
			return RA_OK;
		}
		for (i = 0; i < naddrs && c.fd == -1; i++) {
			snprintf(res->addr, sizeof(res->addr), "%.63s", addrs[i]);
			c.fd = connect_to(addrs[i], u.port, deadline, res);
		}
		if (c.fd == -1 || (u.https && tls_start(&c, u.host, res->addr,
		    u.port, deadline, res) == -1)) {
			conn_close(&c);
			if (res->redirects > 0)
				redirected(res);
			return RA_OK;
		}
		res->fail = RA_HTTP_OK;
		res->detail[0] = '\0';
		rc = exchange(&c, &u, res->addr, deadline, location,
		    sizeof(location), res);
		conn_close(&c);
		if (rc != 0)
			return RA_OK;
		if (res->status == 200)
			return RA_OK;
		if (res->status != 301 && res->status != 302 &&
		    res->status != 303 && res->status != 307 &&
		    res->status != 308) {
			ra_http_failf(res, RA_HTTP_UNAUTHORIZED, "%s (%s) answered HTTP "
			    "%d, not 200", res->url, res->addr, res->status);
			return RA_OK;
		}
		if (location[0] == '\0') {
			ra_http_failf(res, RA_HTTP_CONNECTION, "%s (%s) answered HTTP %d "
			    "without a Location", res->url, res->addr,
			    res->status);
			return RA_OK;
		}
		if (res->redirects == RA_HTTP_REDIRECTS) {
			ra_http_failf(res, RA_HTTP_CONNECTION, "too many redirects: "
			    "more than %d, the last from %s to %.200s",
			    RA_HTTP_REDIRECTS, res->url, location);
			return RA_OK;
		}
		res->redirects++;
		if (!url_parse(location, &u, &next, &why)) {
			ra_http_failf(res, RA_HTTP_CONNECTION, "redirect from %s to "
			    "\"%.200s\" refused: it %s", res->url, location, why);
			return RA_OK;
		}
		if (!port_allowed(o, next.port)) {
			ra_http_failf(res, RA_HTTP_CONNECTION, "redirect from %s to "
			    "%.200s refused: port %d is not 80, 443 or %d",
			    res->url, location, next.port, o->port);
			return RA_OK;
		}
		if (left_ms(deadline) == 0) {
			ra_http_failf(res, RA_HTTP_CONNECTION, "timed out following the "
			    "redirect from %s to %.200s", res->url, location);
			return RA_OK;
		}
		u = next;
	}
}
