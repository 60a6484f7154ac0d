/*
 * acmeval.h: the ACME http-01 challenge validator (acmeval.cgi, Unix user
 * ra-acmeval, role ra_acmeval; schema/033-acme-validator.sql) and the
 * plain HTTP client it fetches with (httpget.c).
 */
#ifndef RA_ACMEVAL_H
#define RA_ACMEVAL_H

#include <stddef.h>

#include "ra.h"

/* httpget.c, httpaddr.c, httpresp.c: one http-01 fetch, redirects and
 * all, under one deadline */
#define RA_HTTP_BODY_MAX	4096	/* bytes of body kept and compared */
#define RA_HTTP_HDR_MAX		8192	/* bytes of status line and headers */
#define RA_HTTP_REDIRECTS	10	/* Location headers followed at most */
#define RA_HTTP_MAP_MAX		32	/* Acme.Resolve entries */

/* Acme.Resolve: "HOST ADDRESS", HOST exact or "*.domain". */
struct ra_resolve {
	char	 host[254];
	char	 addr[46];	/* a numeric IPv4 or IPv6 address */
};

struct ra_http_opts {
	int			 port;		/* Acme.Http01Port */
	int			 timeout_ms;	/* the whole fetch */
	int			 allow_private;	/* Acme.AllowPrivate */
	const struct ra_resolve	*map;		/* NULL or nmap == 0: DNS */
	size_t			 nmap;
};

/* What went wrong, as the RFC 8555 problem type the outcome carries. */
enum ra_http_fail {
	RA_HTTP_OK = 0,		/* a 200 came back: compare the body */
	RA_HTTP_DNS,		/* the name does not resolve (or not in the map) */
	RA_HTTP_CONNECTION,	/* no connection, timeout, refused address,
				   bad redirect, not HTTP */
	RA_HTTP_UNAUTHORIZED,	/* an answer other than 200 */
	RA_HTTP_FAIL__MAX
};

struct ra_http_result {
	enum ra_http_fail	 fail;
	int			 status;	/* the last HTTP status, 0: none */
	int			 redirects;	/* Location headers followed */
	char			 addr[64];	/* the address last connected to */
	char			 url[700];	/* the URL last fetched */
	char			 detail[512];	/* what happened, for the problem */
	char			 body[RA_HTTP_BODY_MAX + 1];
	size_t			 bodylen;
	int			 truncated;	/* the body was longer */
};

/* httpaddr.c */
int		 ra_host_ok(const char *);
int		 ra_ip_literal(const char *);
enum ra_err	 ra_resolve_load(const struct ra_conf *, struct ra_resolve *,
		    size_t, size_t *);
int		 ra_resolve_lookup(const struct ra_resolve *, size_t,
		    const char *, const char **);
int		 ra_addr_public(const char *);
int		 ra_addr_loopback(const char *);
/* httpresp.c */
void		 ra_http_failf(struct ra_http_result *, enum ra_http_fail,
		    const char *, ...) __attribute__((format(printf, 3, 4)));
int		 ra_http_response(const char *, size_t, int, const char *,
		    struct ra_http_result *, char *, size_t);
/* httpget.c */
enum ra_err	 ra_http01_get(const struct ra_http_opts *, const char *,
		    const char *, struct ra_http_result *);

/* acmeval.c: claim, fetch, compare, store; one challenge at a time */
struct ra_acmeval {
	PGconn			*db;
	struct ra_http_opts	 opts;
	struct ra_resolve	 map[RA_HTTP_MAP_MAX];
	char			 id[96];	/* "acmeval:host:pid" */
};

enum ra_err	 ra_acmeval_init(struct ra_acmeval *, PGconn *,
		    const struct ra_conf *);
int		 ra_acmeval_one(struct ra_acmeval *);

#endif /* RA_ACMEVAL_H */
