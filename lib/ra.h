/*
 * libra.a: everything the screens and commands share.  Prototypes are
 * grouped by the source file that defines them.  The library returns
 * enum ra_err and never exits; only main() turns codes into an HTTP
 * status or an exit status.
 */
#ifndef RA_H
#define RA_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <libpq-fe.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <ClearSilver.h>

#define RA_NITEMS(a)	(sizeof(a) / sizeof((a)[0]))

/* err.c */
enum ra_err {
	RA_OK = 0,
	RA_ENOMEM,	/* allocation failed			-> 500 */
	RA_EINPUT,	/* request failed validation		-> 400 */
	RA_EDENIED,	/* not allowed				-> 403 */
	RA_ENOTFOUND,	/* no such thing			-> 404 */
	RA_EPOLICY,	/* refused by issuance policy		-> 422 */
	RA_ECONF,	/* configuration missing or wrong	-> 500 */
	RA_EDB,		/* libpq error				-> 500 */
	RA_EDBDOWN,	/* database unreachable			-> 503 */
	RA_EDUP,	/* unique violation			-> 409 */
	RA_ECRYPTO,	/* OpenSSL error			-> 500 */
	RA_ESYS,	/* errno-style failure			-> 500 */
	RA_EMETHOD,	/* wrong HTTP method			-> 405 */
	RA_ERENDER,	/* ClearSilver error			-> 500 */
	RA_EUSAGE,	/* bad command line			-> exit 2 */
	RA_ERR__MAX
};

const char	*ra_strerror(enum ra_err);
int		 ra_http_status(enum ra_err);
void		 ra_warnx(const char *, ...)
		    __attribute__((format(printf, 1, 2)));

/* conf.c: the HDF configuration file (ra.conf(5)) */
struct ra_conf {
	HDF	*hdf;
	char	*path;		/* the file actually read */
};

enum ra_err	 ra_conf_load(struct ra_conf *, const char *);
const char	*ra_conf_get(const struct ra_conf *, const char *);
int		 ra_conf_int(const struct ra_conf *, const char *, int);
void		 ra_conf_free(struct ra_conf *);

/* db.c: one connection per process, PQexecParams only */
enum ra_db_role {
	RA_DB_WEB = 0,	/* CGIs: least privilege */
	RA_DB_WORKER,	/* issuance worker, cron commands */
	RA_DB_ADMIN,	/* migrations and service-desk commands */
	RA_DB_ROLE__MAX
};

enum ra_err	 ra_db_connect(const struct ra_conf *, enum ra_db_role,
		    PGconn **);
enum ra_err	 ra_db_query(PGconn *, const char *, const char *, int,
		    const char *const *, PGresult **);
enum ra_err	 ra_db_command(PGconn *, const char *, const char *, int,
		    const char *const *);
enum ra_err	 ra_db_begin(PGconn *);
enum ra_err	 ra_db_commit(PGconn *);
void		 ra_db_rollback(PGconn *);

/* sqlsplit.c: split a migration file into single statements */
struct ra_sqlsplit {
	const char	*p;	/* next unread byte */
	const char	*end;
};

void		 ra_sqlsplit_init(struct ra_sqlsplit *, const char *, size_t);
int		 ra_sqlsplit_next(struct ra_sqlsplit *, char **);

/* migrate.c: schema/NNN-name.sql, each applied once in a transaction */
enum ra_err	 ra_migrate(PGconn *, const char *, FILE *);
enum ra_err	 ra_migrate_status(PGconn *, const char *, FILE *, int *);

/* render.c: ClearSilver with HTML escaping on by default */
enum ra_err	 ra_render_buf(HDF *, const char *, const char *, char **);
enum ra_err	 ra_neoerr(NEOERR *, const char *, enum ra_err);

/* req.c: one request (CGI) or one command line (shell) */
struct ra_req {
	int		 is_cgi;	/* GATEWAY_INTERFACE was set */
	CGI		*cgi;		/* parsed request, CGI mode only */
	HDF		*page;		/* what the template sees, nothing else */
	struct ra_conf	 conf;
	int		 conf_ok;
	PGconn		*db;
	int		 argc;		/* shell mode: arguments after argv[0] */
	char		**argv;
};

enum ra_err	 ra_req_open(struct ra_req *, int, char *[]);
enum ra_err	 ra_req_db(struct ra_req *, enum ra_db_role);
enum ra_err	 ra_render(struct ra_req *, int, const char *);
int		 ra_fail(struct ra_req *, enum ra_err, const char *);
void		 ra_req_close(struct ra_req *);
const char	*ra_req_env(const char *);

/* x509.c: keys and certificates for the demo PKI (OpenSSL 3 APIs only) */
struct ra_certspec {
	const char *const *subject;	/* "C", "JP", "O", "...", NULL */
	int		 is_ca;
	int		 pathlen;	/* CAs: -1 for none */
	const char	*key_usage;	/* X509V3 config syntax */
	const char	*ext_key_usage;	/* NULL for none */
	const char	*san;		/* NULL for none */
	int		 days;
};

enum ra_err	 ra_key_new_rsa(int, EVP_PKEY **);
enum ra_err	 ra_cert_make(const struct ra_certspec *, EVP_PKEY *,
		    X509 *, EVP_PKEY *, X509 **);
enum ra_err	 ra_pem_write_cert(const char *, X509 *, int);
enum ra_err	 ra_pem_write_key(const char *, EVP_PKEY *);
enum ra_err	 ra_cert_der(X509 *, unsigned char **, size_t *);
X509		*ra_pem_read_cert(const char *);

/* What PostgreSQL stores of a certificate, as text parameters. */
struct ra_certinfo {
	char	*subject;	/* RFC 2253, UTF-8 */
	char	*der_hex;	/* bytea input: "\\x..." */
	char	*ski_hex;	/* bytea input */
	char	 not_before[32];	/* "YYYY-MM-DD HH:MM:SS+00" */
	char	 not_after[32];
};

enum ra_err	 ra_certinfo_get(X509 *, struct ra_certinfo *);
void		 ra_certinfo_free(struct ra_certinfo *);

/* util.c */
enum ra_err	 ra_write_atomic(const char *, const void *, size_t, unsigned);
enum ra_err	 ra_read_file(const char *, size_t, char **, size_t *);

#endif /* RA_H */
