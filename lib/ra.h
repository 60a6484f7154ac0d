/*
 * ra.h: the base every part of libra.a shares: errors, configuration,
 * the database, templates, the audit log, files.  Prototypes are grouped
 * by the source file that defines them.  The library returns enum
 * ra_err and never exits; only main() turns codes into an HTTP status or
 * an exit status.  The RA's domain is in domain.h, the web glue in
 * web.h, the CA side in ca.h (the worker only).
 */
#ifndef RA_H
#define RA_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include <libpq-fe.h>

/* ClearSilver's types, declared as its headers do (C11 allows both). */
typedef struct _hdf HDF;
typedef struct _neo_err NEOERR;

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
	RA_EDONE,	/* refused, and the page saying so is sent */
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
	RA_DB_PUBLIC = 0, /* the anonymous screens: front page, one-time URLs */
	RA_DB_OFFICER,	/* the RA officer's screens (/ra/lra/) */
	RA_DB_DESK,	/* the service desk's screen (/ra/desk/) */
	RA_DB_WORKER,	/* issuance worker, cron commands */
	RA_DB_ADMIN,	/* migrations, the shell tools, service-desk commands */
	RA_DB_MAILER,	/* mail delivery: the outbox only */
	RA_DB_TSA,	/* the time-stamp responder (/tsa): its log only */
	RA_DB_OCSP,	/* the OCSP responder (/ocsp): certificate status */
	RA_DB_ACME,	/* the ACME server (/acme): accounts, orders */
	RA_DB_ACMEVAL,	/* the ACME challenge validator: challenges only */
	RA_DB_ROLE__MAX
};

enum ra_err	 ra_db_connect(const struct ra_conf *, enum ra_db_role,
		    PGconn **);
enum ra_err	 ra_db_reset(PGconn *);
enum ra_err	 ra_db_query(PGconn *, const char *, const char *, int,
		    const char *const *, PGresult **);
enum ra_err	 ra_db_query_unique(PGconn *, const char *, const char *,
		    int, const char *const *, PGresult **, char *, size_t);
enum ra_err	 ra_db_send(PGconn *, const char *, const char *, int,
		    const char *const *);
enum ra_err	 ra_db_wait(PGconn *, const char *, char *, size_t);
enum ra_err	 ra_db_query_binary(PGconn *, const char *, const char *, int,
		    const char *const *, PGresult **);
enum ra_err	 ra_db_command(PGconn *, const char *, const char *, int,
		    const char *const *);
/* Typed parameters for ra_db_run; RA_ARGS(...) gives the array and count. */
#define RA_ARGS_MAX	32
struct ra_arg {
	enum { RA_ARG_TEXT, RA_ARG_INT, RA_ARG_BYTES } type;
	const char	*text;		/* NULL: SQL NULL */
	int64_t		 i;
	const void	*bytes;		/* sent binary: a bytea parameter */
	size_t		 len;
};
#define RA_TEXT(s)	((struct ra_arg){ .type = RA_ARG_TEXT, .text = (s) })
#define RA_INT(n)	((struct ra_arg){ .type = RA_ARG_INT, .i = (n) })
#define RA_BYTES(p, n)	((struct ra_arg){ .type = RA_ARG_BYTES, .bytes = (p), \
			    .len = (n) })
#define RA_ARGS(...)	(const struct ra_arg[]){ __VA_ARGS__ },		\
			RA_NITEMS(((const struct ra_arg[]){ __VA_ARGS__ }))

enum ra_err	 ra_db_run(PGconn *, const char *, const char *, PGresult **,
		    const struct ra_arg *, size_t);
enum ra_err	 ra_db_begin(PGconn *);
enum ra_err	 ra_db_commit(PGconn *);
void		 ra_db_rollback(PGconn *);

/* dbrow.c: results read by column name, conversions checked */
enum ra_err	 ra_db_query1(PGconn *, const char *, const char *, int,
		    const char *const *, PGresult **);
enum ra_err	 ra_db_run1(PGconn *, const char *, const char *, PGresult **,
		    const struct ra_arg *, size_t);
enum ra_err	 ra_db_run_i64(PGconn *, const char *, const char *,
		    const char *, int64_t *, const struct ra_arg *, size_t);
const char	*ra_get_text(const PGresult *, int, const char *);
enum ra_err	 ra_get_i64(const PGresult *, int, const char *, int64_t *);
enum ra_err	 ra_get_int(const PGresult *, int, const char *, int *);
enum ra_err	 ra_get_bool(const PGresult *, int, const char *, int *);
enum ra_err	 ra_get_str(const PGresult *, int, const char *, char *,
		    size_t);
enum ra_err	 ra_get_hash(const PGresult *, int, const char *,
		    unsigned char *, size_t, int *);
enum ra_err	 ra_get_bytea(const PGresult *, int, const char *,
		    unsigned char **, size_t *);

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
enum ra_err	 ra_render_text(HDF *, const char *, const char *, char **);
enum ra_err	 ra_lang_load(HDF *, const char *);	/* lang.c */
enum ra_err	 ra_neoerr(NEOERR *, const char *, enum ra_err);

/* audit.c: the append-only, hash-chained audit log */
struct ra_event {
	const char	*event;		/* "login", "pin.attempt", ... */
	const char	*outcome;	/* "ok", "fail", "refused" */
	const char	*actor;		/* "desk", "cli"; NULL: "officer:<id>" */
	int64_t		 institution_id;	/* 0: none */
	int64_t		 officer_id;		/* 0: none */
	const char	*source_ip;	/* NULL: none */
	const char	*cert_issuer, *cert_serial, *cert_subject;
	const char	*detail;	/* a JSON object, NULL: {} */
};

enum ra_err	 ra_audit(PGconn *, const struct ra_event *);
enum ra_err	 ra_audit_verify(PGconn *, FILE *);
enum ra_err	 ra_audit_verify_all(PGconn *, const struct ra_conf *, FILE *);

/* checkpoint.c: signed checkpoints of the audit chain, outside the database */
struct ra_ckpt {
	char		 name[128];	/* the file, in Audit.CheckpointDir */
	long long	 row;		/* the newest row when it was made */
	unsigned char	 sha256[32];	/* that row's chain hash */
	char		 at[24];	/* when, YYYY-MM-DDTHH:MM:SSZ */
	long long	 epoch;		/* the same, in seconds */
	const char	*bad;		/* why it does not count; NULL: signed */
	int		 found;		/* audit.c: its row is there */
	int		 differs;	/* ... with another chain hash */
};

enum ra_err	 ra_ckpt_load(const struct ra_conf *, struct ra_ckpt **,
		    size_t *, const char **);
void		 ra_ckpt_free(struct ra_ckpt *, size_t);
enum ra_err	 ra_ckpt_write(PGconn *, const struct ra_conf *, int, FILE *);

/* pgarray.c: array literals, for one statement per batch */
struct ra_pgarr {
	char	*buf;
	size_t	 len, cap;
	int	 n;
};

int		 ra_pgarr_add(struct ra_pgarr *, const char *);
const char	*ra_pgarr_str(struct ra_pgarr *);
void		 ra_pgarr_free(struct ra_pgarr *);

/* parallel.c */
void		 ra_parallel(size_t, size_t, size_t, void (*)(void *, size_t),
		    void *);

/* util.c */
enum ra_err	 ra_write_atomic(const char *, const void *, size_t, unsigned);
enum ra_err	 ra_write_stage(const char *, const void *, size_t, unsigned,
		    char *, size_t);
enum ra_err	 ra_write_publish(char *, const char *);
void		 ra_write_discard(char *);
enum ra_err	 ra_read_file(const char *, size_t, char **, size_t *);
char		*ra_bytea_hex(const unsigned char *, size_t);
enum ra_err	 ra_bytea_get(const PGresult *, int, int, unsigned char **,
		    size_t *);

#endif /* RA_H */
