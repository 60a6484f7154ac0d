/*
 * acme.h: ra's ACME server (RFC 8555; acme.cgi, the acme zone).  jws.c
 * is the crypto of JWS (keys from JWK members, thumbprints, signatures,
 * base64url) without any JSON parsing: PostgreSQL parses the JSON and
 * hands over the members as strings.  acme-*.c are the endpoints.
 * ra.h and domain.h come first.
 */
#ifndef RA_ACME_H
#define RA_ACME_H

#include <openssl/evp.h>

/* jws.c */
#define ACME_B64U_MAX	8192	/* the longest member we decode (a CSR more) */

/* A public key as JWK members (RFC 7517/7518), base64url as sent. */
struct acme_jwk {
	char		 kty[4];	/* "RSA" or "EC" */
	const char	*n, *e;		/* RSA */
	const char	*crv, *x, *y;	/* EC: "P-256" only */
};

enum ra_err	 acme_b64u_decode(const char *, size_t, unsigned char **,
		    size_t *);
char		*acme_b64u_encode(const unsigned char *, size_t);
enum ra_err	 acme_jwk_key(const struct acme_jwk *, EVP_PKEY **, char *,
		    size_t);
char		*acme_jwk_json(const struct acme_jwk *);
enum ra_err	 acme_jwk_thumbprint(const struct acme_jwk *,
		    unsigned char[32]);
enum ra_err	 acme_jwk_of_key(EVP_PKEY *, char **, char **, char **);
enum ra_err	 acme_jws_verify(EVP_PKEY *, const char *, const char *,
		    size_t, const unsigned char *, size_t, char *, size_t);
int		 acme_hs256_ok(const unsigned char *, size_t, const char *,
		    size_t, const unsigned char *, size_t);

/* acme-req.c: one ACME request, its JWS checked, and its answer */
enum acme_prob {
	ACME_P_MALFORMED = 0,
	ACME_P_BADNONCE,
	ACME_P_BADALG,
	ACME_P_UNAUTHORIZED,
	ACME_P_NOACCOUNT,
	ACME_P_EABREQUIRED,
	ACME_P_REJECTEDID,
	ACME_P_BADCSR,
	ACME_P_NOTREADY,
	ACME_P_RATELIMITED,
	ACME_P_INTERNAL,
	ACME_P_BADREASON,
	ACME_P_REVOKED,
	ACME_P_NOTFOUND,	/* malformed, 404 */
	ACME_P_METHOD,		/* malformed, 405 */
	ACME_P_TYPE,		/* malformed, 415 */
	ACME_P_CONFLICT,	/* malformed, 409 (key-change to a used key) */
	ACME_P_BADPUBKEY,	/* a key the server does not take (RFC 8555 6.7) */
	ACME_P__MAX
};

struct acme {
	const struct ra_conf	*conf;
	PGconn			*db;
	const char		*method;	/* GET, HEAD, POST */
	const char		*path;		/* after the base: "/new-order" */
	const char		*caller;	/* the shell's user, or "web" */
	const char		*source_ip;
	char			 base[512];	/* Acme.BaseURL, no trailing / */
	const unsigned char	*body;
	size_t			 bodylen;
	/* The checked JWS. */
	char			*prot_b64, *payload_b64, *sig_b64;
	char			*payload;	/* decoded, NUL-terminated */
	size_t			 payloadlen;
	char			 alg[8];
	struct acme_jwk		 jwk;		/* the "jwk" header, if any */
	char			*jwk_mem[5];	/* what jwk points into */
	char			*jwk_json;	/* canonical members */
	unsigned char		 thumb[32];
	EVP_PKEY		*key;
	int64_t			 account_id;	/* "kid": the account */
	int64_t			 institution_id;
	/* The answer. */
	int			 status;
	char			*location;
	char			*link_up;
	const char		*ctype;		/* NULL: application/json */
	int			 retry_after;	/* seconds; 0: none */
	char			*out;		/* the body, caller of acme_send frees */
	size_t			 outlen;
	int			 done;		/* an answer is set */
};

enum acme_need { ACME_JWK, ACME_KID, ACME_EITHER };

void		 acme_init(struct acme *, const struct ra_conf *,
		    const char *, const char *, const unsigned char *,
		    size_t);
void		 acme_free(struct acme *);
int		 acme_problem(struct acme *, enum acme_prob, const char *, ...)
		    __attribute__((format(printf, 3, 4)));
int		 acme_answer(struct acme *, int, const char *);
int		 acme_fail(struct acme *, enum ra_err);
void		 acme_send(struct acme *);
int		 acme_jws(struct acme *, enum acme_need);
int		 acme_payload_empty(const struct acme *);
void		 acme_audit(struct acme *, const char *, const char *,
		    const char *, const char *);
char		*acme_url(const struct acme *, const char *, int64_t);
int64_t		 acme_url_id(const struct acme *, const char *, const char *);
int		 acme_json_escape(char *, size_t, const char *);
enum ra_err	 acme_nonce_new(PGconn *, char *, size_t);
enum ra_err	 acme_purge(PGconn *, const struct ra_conf *, FILE *);
int		 acme_account_key(struct acme *, const char *,
		    struct acme_jwk *, char *[5], EVP_PKEY **);
int		 acme_jws_split(struct acme *, const char *, char **, char **,
		    char **);
int		 acme_header(struct acme *, const char *, PGresult **);
const char	*acme_col(const PGresult *, const char *);
int		 acme_b64u_text(struct acme *, const char *, const char *,
		    char **, size_t *);
int		 acme_jwk_parse(struct acme *, const char *, const char *,
		    struct acme_jwk *, char *[5], EVP_PKEY **, unsigned char[32]);

/* acme-acct.c */
int		 acme_new_account(struct acme *);
int		 acme_account(struct acme *, int64_t);
int		 acme_account_orders(struct acme *, int64_t);
int		 acme_key_change(struct acme *);

/* acme-order.c */
#define ACME_IDENT_MAX	8	/* names per order, the CN included */
extern const char ACME_SQL_ORDER_VIEW[];
extern const char ACME_SQL_ALLOWED[];
int		 acme_view(struct acme *, const char *, const char *, int64_t,
		    PGresult **);
int		 acme_order_answer(struct acme *, int64_t, int);
void		 acme_lower(char *);
int		 acme_new_order(struct acme *);
int		 acme_order(struct acme *, int64_t);
int		 acme_authz(struct acme *, int64_t);
int		 acme_challenge(struct acme *, int64_t);

/* acme-finalize.c */
int		 acme_finalize(struct acme *, int64_t);

/* acme-cert.c */
int		 acme_cert(struct acme *, int64_t);
int		 acme_revoke(struct acme *);

#endif /* RA_ACME_H */
