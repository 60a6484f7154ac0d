/*
 * domain.h: the RA itself -- one-time URLs and PINs, the desk's actions,
 * TSV uploads, requests, revocation, downloads, the outbox, DNs, keys,
 * profiles, the CA catalogue.  It takes a database connection and
 * plain values, never a request.  ra.h comes first.
 */
#ifndef RA_DOMAIN_H
#define RA_DOMAIN_H

#include <openssl/evp.h>
#include <openssl/x509.h>

/* mail.c: the outbox, and its delivery */
struct ra_kv {
	const char	*k, *v;
};

enum ra_err	 ra_mail_queue(PGconn *, const char *, const char *,
		    const struct ra_kv *, size_t);
int		 ra_mail_send_one(PGconn *, const struct ra_conf *);
/*
 * Data keys of a mail with a TSV attached (the digest): its UTF-8 text,
 * CRLF lines, sent as a Shift_JIS text/tab-separated-values part as the
 * downloads are; its file name, ours (ASCII), never a user's value.
 */
#define RA_MAIL_ATTACH_TSV	"AttachTSV"
#define RA_MAIL_ATTACH_NAME	"AttachName"
char		*ra_recode(const char *, const char *);

/* pin.c: URL tokens and access PINs */
#define RA_TOKEN_LEN	43	/* base64url of 32 bytes */

enum ra_err	 ra_token_new(char[RA_TOKEN_LEN + 1], unsigned char[32]);
enum ra_err	 ra_token_hash(const char *, unsigned char[32]);
enum ra_err	 ra_pin_new(char *, size_t);
enum ra_err	 ra_pin_hash(const char *, const unsigned char *, size_t, int,
		    unsigned char[32]);
int		 ra_pin_check(const char *, const unsigned char *, size_t, int,
		    const unsigned char *, size_t);

#define RA_PIN_LEN	12	/* the access PIN (manual 2-2-1) */
struct ra_pin_stored {
	unsigned char	 salt[16];
	unsigned char	 hash[32];
	int		 cost;		/* PBKDF2 iterations */
};

enum ra_err	 ra_pin_issue(const struct ra_conf *, char[RA_PIN_LEN + 1],
		    struct ra_pin_stored *);

/*
 * A client certificate's access PIN also encrypts its PKCS#12: S/MIME BR
 * §6.1.1.3 wants 112 bits at least.  Made here: 22 of pin_alphabet's 57
 * characters, 128 bits.
 */
#define RA_CLIENT_PIN_LEN	22
#define RA_PIN_MIN_BITS		112

int		 ra_pin_bits(const char *);

/* seal.c: an access PIN sealed under the token of the URL handing it out */
enum ra_err	 ra_seal(const char *, int64_t, const char *, unsigned char **,
		    size_t *);
enum ra_err	 ra_unseal(const char *, int64_t, const unsigned char *,
		    size_t, char *, size_t);
enum ra_err	 ra_seal_pass(const char *, int64_t, const char *,
		    unsigned char **, size_t *);
enum ra_err	 ra_unseal_pass(const char *, int64_t, const unsigned char *,
		    size_t, char *, size_t);

/* zip.c: ZIP files in memory (libzip) */
struct ra_zip;

struct ra_zip	*ra_zip_new(void);
enum ra_err	 ra_zip_add(struct ra_zip *, const char *, const void *,
		    size_t);
enum ra_err	 ra_zip_finish(struct ra_zip *, unsigned char **, size_t *);
void		 ra_zip_free(struct ra_zip *);

/* url.c: one-time URLs as the public screens see them (by token only) */
struct ra_url {
	char		 token[RA_TOKEN_LEN + 1];	/* what the URL carried */
	int		 found;
	int64_t		 token_id, officer_id, institution_id;
	int64_t		 request_id;	/* 0 until 【発行】 */
	int64_t		 cert_id;	/* renewal: the certificate renewed */
	int		 renewal;
	unsigned char	*pin_salt, *pin_hash;	/* NULL: no PIN issued yet */
	size_t		 pin_saltlen, pin_hashlen;
	int		 pin_cost, failures;
	int		 locked, expired, used, active;
	unsigned char	 step[32];
	int		 has_step, step_expired;
	char		 name_ja[257], name_romaji[65];
	char		 institution_ja[513], institution_en[257];
};

struct ra_cert_url {
	char		 token[RA_TOKEN_LEN + 1];
	int64_t		 cert_id, ca_id, institution_id, officer_id;
	unsigned char	*der;
	size_t		 derlen;
	int		 first;		/* not used before */
	int		 old_live;	/* a renewal whose old one is live */
	char		 subject_dn[1025], serial[64], not_after[16];
	char		 officer_name[257], officer_mail[257];
	char		 old_subject_dn[1025], old_serial[64], admin_mail[257];
	char		 kind[32];	/* server, code_signing */
};

enum ra_err	 ra_url_open(PGconn *, const char *, struct ra_url *);
void		 ra_url_free(struct ra_url *);
enum ra_err	 ra_url_pin_check(PGconn *, struct ra_url *, const char *,
		    int, int *);
int		 ra_url_step_ok(const struct ra_url *, const char *);
enum ra_err	 ra_url_step_new(PGconn *, const struct ra_url *,
		    char[RA_TOKEN_LEN + 1]);
enum ra_err	 ra_url_requested(PGconn *, struct ra_url *, int64_t);
enum ra_err	 ra_url_used(PGconn *, const char *);
enum ra_err	 ra_url_pass(PGconn *, const struct ra_url *, size_t, char *,
		    size_t);
enum ra_err	 ra_cert_url_open(PGconn *, const char *,
		    struct ra_cert_url *);
void		 ra_cert_url_free(struct ra_cert_url *);

/* The desk side: whom a new URL is for, and an officer's live URL. */
struct ra_url_who {
	int64_t		 institution_id, officer_id;
	int64_t		 cert_id;		/* renewal: the RA certificate */
	const char	*name_ja, *name_romaji, *institution_ja, *mail;
	const char	*not_after;		/* renewal: its expiry */
	const char	*why;	/* NULL: a new officer; "lost", "resumed", "o-changed" */
};

struct ra_officer_url {
	int64_t		 token_id, institution_id;
	int		 locked;
	char		 name_ja[257], name_romaji[65], institution_ja[513];
	char		 expires[32];
};

enum ra_err	 ra_url_ra_cert_new(PGconn *, const struct ra_conf *,
		    const struct ra_url_who *);
enum ra_err	 ra_url_renewal_new(PGconn *, const struct ra_conf *,
		    const struct ra_url_who *);
enum ra_err	 ra_url_of_officer(PGconn *, int64_t, struct ra_officer_url *);
enum ra_err	 ra_url_pin_store(PGconn *, int64_t,
		    const struct ra_pin_stored *);
enum ra_err	 ra_url_pin_clear(PGconn *, int64_t);

/* desk.c: the service desk's actions, each with what it said or why not */
struct ra_desk {
	PGconn			*db;
	const struct ra_conf	*conf;
	const char		*actor;		/* "desk:<who>" in the audit */
	const char		*source_ip;	/* the screen's client; NULL */
	const char		*via;		/* "screen" or "shell" */
	/* the operator acting: name and certificate SHA-256 (hex), both
	 * empty for a shell login no operator is registered for */
	char			 operator_name[257], operator_sha256[65];
	char			 unix_user[33];	/* the shell's login */
	char			 said[512];	/* what was done */
	char			 why[512];	/* why not */
	char			*letter;	/* pin-issue --letter -: HTML */
};

struct ra_desk_args {
	const char	*code, *name_ja, *name_en, *st, *l, *from, *until,
			*status, *institution, *domain, *ou, *romaji, *mail,
			*phone, *domains, *interfaces;
	const char	*letter;	/* pin-issue: a file, or "-" */
	const char	*unix_user, *fingerprint;	/* desk operators */
	const char	*reason, *kind, *confirm;	/* institution-revoke */
	long long	 officer, days;
	long long	 mail_id;	/* mail-resend */
};

enum ra_err	 ra_desk_institution_add(struct ra_desk *,
		    const struct ra_desk_args *);
enum ra_err	 ra_desk_domain_add(struct ra_desk *,
		    const struct ra_desk_args *);
enum ra_err	 ra_desk_ou_add(struct ra_desk *, const struct ra_desk_args *);
enum ra_err	 ra_desk_ou_remove(struct ra_desk *,
		    const struct ra_desk_args *);
enum ra_err	 ra_desk_institution_status(struct ra_desk *,
		    const struct ra_desk_args *);
const char	*ra_desk_status_name(size_t, const char **);
/* desk-institution.c: an institution's life after it is registered */
enum ra_err	 ra_desk_institution_update(struct ra_desk *,
		    const struct ra_desk_args *);
enum ra_err	 ra_desk_institution_revoke(struct ra_desk *,
		    const struct ra_desk_args *);
const char	*ra_desk_revoke_reason(size_t, int *, const char **);
const char	*ra_desk_revoke_kind(size_t);
enum ra_err	 ra_desk_allowlists(struct ra_desk *, PGresult **);
enum ra_err	 ra_desk_officer_add(struct ra_desk *,
		    const struct ra_desk_args *);
enum ra_err	 ra_desk_url_reissue(struct ra_desk *,
		    const struct ra_desk_args *);
enum ra_err	 ra_desk_pin_issue(struct ra_desk *,
		    const struct ra_desk_args *);
enum ra_err	 ra_desk_pin_reset(struct ra_desk *,
		    const struct ra_desk_args *);
enum ra_err	 ra_desk_renew_notify(struct ra_desk *,
		    const struct ra_desk_args *);
enum ra_err	 ra_desk_renew_reissue(struct ra_desk *,
		    const struct ra_desk_args *);
enum ra_err	 ra_desk_officer_update(struct ra_desk *,
		    const struct ra_desk_args *);
enum ra_err	 ra_desk_officer_suspend(struct ra_desk *,
		    const struct ra_desk_args *);
enum ra_err	 ra_desk_officer_resume(struct ra_desk *,
		    const struct ra_desk_args *);
enum ra_err	 ra_desk_officer_retire(struct ra_desk *,
		    const struct ra_desk_args *);
enum ra_err	 ra_desk_officer_lost(struct ra_desk *,
		    const struct ra_desk_args *);
enum ra_err	 ra_desk_officers(struct ra_desk *, PGresult **);

/* desk-ops.c: the operations view */
struct ra_desk_ops_section {
	const char	*name, *title_ja, *title_en;
	int		 problem;	/* each row is a problem */
	const char	*cols[8];	/* NULL-terminated */
	const char	*sql;
};

const struct ra_desk_ops_section *ra_desk_ops_section(size_t);
enum ra_err	 ra_desk_ops_rows(struct ra_desk *,
		    const struct ra_desk_ops_section *, PGresult **);
enum ra_err	 ra_desk_ops_audit(struct ra_desk *, char *, size_t);
enum ra_err	 ra_desk_mail_resend(struct ra_desk *,
		    const struct ra_desk_args *);
enum ra_err	 ra_desk_args_ok(struct ra_desk *, const struct ra_desk_args *,
		    const char *);
enum ra_err	 ra_desk_refuse(struct ra_desk *, enum ra_err,
		    const struct ra_desk_args *, const char *, ...)
		    __attribute__((format(printf, 4, 5)));
enum ra_err	 ra_desk_operator_add(struct ra_desk *,
		    const struct ra_desk_args *, X509 *);
enum ra_err	 ra_desk_operator_retire(struct ra_desk *,
		    const struct ra_desk_args *);
enum ra_err	 ra_desk_operator(struct ra_desk *, X509 *);
enum ra_err	 ra_desk_shell_operator(struct ra_desk *, const char *);
enum ra_err	 ra_desk_operators(struct ra_desk *, PGresult **);
enum ra_err	 ra_desk_overview(struct ra_desk *, PGresult **);
void		 ra_desk_free(struct ra_desk *);


/* supersede.c: older RA certificates give way to a renewed one */
int		 ra_supersede_grace(const struct ra_conf *);
enum ra_err	 ra_supersede_login(PGconn *, const char *, int *);
enum ra_err	 ra_supersede_due(PGconn *, int, const char *, int *);
enum ra_err	 ra_supersede_renew_void(PGconn *, int64_t, const char *,
		    char *, size_t, int *);

/* remind.c: reminders queued by cron */
enum ra_err	 ra_remind_unrevoked(PGconn *, int, int *);

/* expiry.c: expiry notices and the officers' digest, queued by cron */
int		 ra_expiry_offsets(const char *, int *, size_t);
enum ra_err	 ra_expiry_notify(PGconn *, const int *, size_t, int *);
enum ra_err	 ra_expiry_digest(PGconn *, int, int *);

/* catalog.c: what the screens list */
enum ra_err	 ra_catalog_status(PGconn *, PGresult **);
enum ra_err	 ra_catalog_institutions(PGconn *, int, PGresult **);
enum ra_err	 ra_catalog_interfaces(PGconn *, PGresult **);
enum ra_err	 ra_institution_by_code(PGconn *, const char *, int64_t *);

/* tsv.c: upload files, checked against declared column tables */
#define RA_TSV_MAXCOLS		16
#define RA_TSV_ERRORS_MAX	1000

enum ra_tsv_action {
	RA_TSV_ISSUE = 0,	/* 処理内容 1: 発行 */
	RA_TSV_RENEW,		/* 2: 更新 */
	RA_TSV_REVOKE,		/* 3: 失効 */
	RA_TSV_UPDATE,		/* ⑤ 利用管理者情報 更新, its only action */
	RA_TSV_ACTION__MAX
};

enum ra_tsv_class {
	RA_TSV_HALF,		/* half-width: printable ASCII */
	RA_TSV_JIS,		/* full/half-width within JIS X 0208 */
	RA_TSV_DIGITS,		/* half-width digits */
	RA_TSV_MAIL,		/* a mail address, "-_@." as symbols */
	RA_TSV_PEM,		/* half-width, base64 PEM ("-----BEGIN"): the
				 * one class a leading "-" is allowed in */
};

/*
 * Error of a field a spreadsheet would run as a formula (first character
 * = + - @) or that holds a TAB or CR: refused in every column but PEM and
 * secret ones, which no download or screen ever shows.
 */
#define RA_TSV_EFORMULA	236

/*
 * Messages of the TSV reader that the row rules give too: the column's
 * label and its English label (struct ra_tsv_col), in this order.
 */
#define RA_MSG_REQUIRED	"%sは入力必須項目です。(The %s is required.)"
int		 ra_text_formula(const char *);

struct ra_tsv_col {
	const char		*label;		/* as in the reference */
	char			 need[RA_TSV_ACTION__MAX + 1];	/* R, O, E */
	enum ra_tsv_class	 cls;
	size_t			 max;		/* characters */
	int			 secret;	/* never echoed (an access PIN) */
	const char		*label_en;	/* in the English part */
};

struct ra_tsv_format {
	const char		*name;
	size_t			 ncols;
	const struct ra_tsv_col	*cols;
};

struct ra_tsv_row {
	int		 line;			/* in the file, 1-based */
	size_t		 errors;		/* including any past the cap */
	const char	*f[RA_TSV_MAXCOLS];	/* UTF-8, "" when empty */
};

struct ra_tsv {
	char			*text;		/* the decoded file */
	struct ra_tsv_row	*rows;
	size_t			 nrows;
};

struct ra_tsv_error {
	int	 code, line;
	char	 text[1024];	/* "<code>:<line>,<label>,<message>", UTF-8 */
};

struct ra_tsv_errors {
	struct ra_tsv_error	 v[RA_TSV_ERRORS_MAX];
	size_t			 n, dropped;	/* listed; past the cap */
};

extern const struct ra_tsv_format ra_tsv_server;
extern const struct ra_tsv_format ra_tsv_client;
extern const struct ra_tsv_format ra_tsv_codesign;
extern const struct ra_tsv_format ra_tsv_admin;
extern const struct ra_tsv_format ra_tsv_acme;	/* upload-acme.c */

enum ra_err	 ra_tsv_read(const char *, size_t, const struct ra_tsv_format *,
		    enum ra_tsv_action, size_t, struct ra_tsv *,
		    struct ra_tsv_errors *);
void		 ra_tsv_free(struct ra_tsv *);
int		 ra_tsv_name_ok(const char *);
int		 ra_utf8_valid(const unsigned char *, size_t);
void		 ra_utf8_cut(char *);
int		 ra_msgf(char *, size_t, const char *, ...)
		    __attribute__((format(printf, 3, 4)));
void		 ra_tsv_errorf(struct ra_tsv_errors *, int, int, const char *,
		    const char *, ...) __attribute__((format(printf, 5, 6)));
void		 ra_tsv_verrorf(struct ra_tsv_errors *, int, int, const char *,
		    const char *, va_list) __attribute__((format(printf, 5, 0)));

/* upload.c: ①, ③ and ⑤ uploads */
enum ra_upload_mode {
	RA_UPLOAD_ABORT = 0,	/* エラーが有れば全件処理を中止 */
	RA_UPLOAD_PARTIAL,	/* process the valid rows */
	RA_UPLOAD_DRYRUN,	/* check only */
	RA_UPLOAD__MAX
};

struct ra_upload_ctx {
	PGconn		*db;
	int64_t		 institution_id, officer_id;
	const char	*name_en, *st, *l;	/* the institution's O, ST, L */
	const char	*stl;			/* "ST=..., L=..." for messages */
	char		**domains;		/* the officer's domains */
	size_t		 ndomains;
	int64_t		 batch_id;		/* set while processing */
	size_t		 max_records;		/* Tsv.MaxRecords (error 214) */
	const char	*source_ip;		/* the web client; NULL: shell */
	const struct ra_conf *conf;		/* PIN and URL settings */
	const char	*actor;			/* audit; NULL: the officer */
};

struct ra_upload_result {
	struct ra_tsv		 t;
	struct ra_tsv_errors	 e;
	size_t			 ok, ng;
	int			 file_error;	/* the file as a whole refused */
	int			 committed;
	char			*result;	/* the result TSV, UTF-8 */
};

/* An officer's upload context, with what it borrows from the database. */
struct ra_upload_officer {
	PGresult		*res;
	char			*domains;
	char			*dv[64];
	char			 stl[300];
	struct ra_upload_ctx	 up;
};

enum ra_err	 ra_upload_officer_open(PGconn *, const struct ra_conf *,
		    int64_t, struct ra_upload_officer *);
void		 ra_upload_officer_close(struct ra_upload_officer *);
enum ra_err	 ra_upload_officer_fill(PGconn *, const struct ra_conf *,
		    struct ra_upload_officer *);

enum ra_upload_kind {
	RA_UPLOAD_SERVER = 0,	/* ① */
	RA_UPLOAD_CLIENT,	/* ③ client and S/MIME */
	RA_UPLOAD_CODESIGN,	/* ⑪ code signing */
	RA_UPLOAD_ADMIN,	/* ⑤ user administrators (RA_TSV_UPDATE) */
	RA_UPLOAD_ACME,		/* ⑫ ACME-use applications (RA_TSV_ISSUE) */
	RA_UPLOAD_KIND__MAX
};

enum ra_err	 ra_upload(struct ra_upload_ctx *, enum ra_upload_kind,
		    enum ra_tsv_action, enum ra_upload_mode, const char *,
		    const char *, size_t, struct ra_upload_result *);
enum ra_err	 ra_upload_result_tsv(PGconn *, enum ra_upload_kind, int64_t,
		    int64_t, unsigned char **, size_t *);
void		 ra_upload_free(struct ra_upload_result *);

/* retrieve.c: server certificates to their user administrators */
enum ra_err	 ra_retrieval_mail(PGconn *, const char *, int64_t, int64_t,
		    const char *, const char *, const char *, const char *);

/* What a retrieval URL's reissue did, or why not. */
struct ra_reissue {
	char		 why[512];	/* refused: for the officer, ja / en */
	const char	*code;		/* refused: the audit's word */
	char		 serial[64], subject_dn[1025];
	char		 admin_name[257], admin_mail[257];	/* mailed to */
	char		 expires[32];	/* the new URL's, JST */
};

enum ra_err	 ra_retrieval_reissue(PGconn *, const char *, int64_t,
		    int64_t, const char *, const char *, struct ra_reissue *);
char		*ra_dn_block(const char *);

/* export.c: ②, ④ and ⑥ certificate information, one 46-column layout */
enum ra_export_kind {
	RA_EXPORT_SERVER = 0,	/* ② serverAll.tsv: under the officer's domains */
	RA_EXPORT_CLIENT,	/* ④ clientAll.tsv: client and S/MIME */
	RA_EXPORT_CODESIGN,	/* ⑪ codesignAll.tsv: code signing */
	RA_EXPORT_ALL,		/* ⑥ certAll.tsv: ② and ④ and code signing */
	RA_EXPORT__MAX
};

/* The downloads' encodings: Shift_JIS (CP932) is what integrators read. */
enum ra_export_enc {
	RA_EXPORT_SJIS = 0,
	RA_EXPORT_UTF8,		/* ⑥'s option, for other tools */
	RA_EXPORT_ENC__MAX
};

enum ra_err	 ra_export(PGconn *, int64_t, int64_t, enum ra_export_kind,
		    FILE *);
enum ra_err	 ra_export_enc(PGconn *, int64_t, int64_t, enum ra_export_kind,
		    enum ra_export_enc, FILE *);
const char	*ra_export_charset(enum ra_export_enc);

/* allowlist.c: ⑧ the OU allow list of an officer's domains */
enum ra_err	 ra_allowlist(PGconn *, int64_t, int64_t, enum ra_export_enc,
		    FILE *);

/* x509.c: keys and certificates for the demo PKI (OpenSSL 3 APIs only) */
struct ra_certspec {
	const char *const *subject;	/* "C", "JP", "O", "...", NULL */
	int		 is_ca;
	int		 pathlen;	/* CAs: -1 for none */
	const char	*key_usage;	/* X509V3 config syntax */
	const char	*ext_key_usage;	/* NULL for none */
	const char	*san;		/* NULL for none */
	const char	*crl_url;	/* CRL distribution point, NULL: none */
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

/* cadb.c: the CA catalogue (ra.ca, ra.ca_kind) */
struct ra_ca_row {
	const char	*name, *slug;
	int64_t		 parent_ca_id;		/* 0: a root */
	const char	*subject, *der_hex, *ski_hex;
	const char	*key_path;		/* NULL: the worker has none */
	const char	*not_before, *not_after;
	const char	*crl_url, *issuer_url;	/* NULL or "": none */
};

enum ra_err	 ra_ca_insert(PGconn *, const struct ra_ca_row *, int64_t *);
enum ra_err	 ra_ca_kind_add(PGconn *, int64_t, const char *, int);
enum ra_err	 ra_ca_make_current(PGconn *, const char *, const char *);
enum ra_err	 ra_ca_by_name(PGconn *, const char *, int64_t *);
enum ra_err	 ra_ca_by_ski(PGconn *, const char *, int64_t *);
enum ra_err	 ra_ca_same(PGconn *, const struct ra_ca_row *, int *);
enum ra_err	 ra_ca_urls(const struct ra_conf *, const char *, char *,
		    size_t, char *, size_t);
enum ra_err	 ra_ca_publish_cert(const struct ra_conf *, const char *,
		    X509 *);
enum ra_err	 ra_ca_set_urls(PGconn *, const char *, const char *,
		    const char *, char **, char **);

/* setupcheck.c: what an install still misses (ops.cgi check) */
enum ra_err	 ra_setup_check(const struct ra_conf *, PGconn *, FILE *,
		    int *);

/* cabundle.c: the client-CA bundle Apache trusts, and Apache's reload */
enum ra_err	 ra_cabundle_make(PGconn *, FILE *, char **, size_t *,
		    size_t *);
enum ra_err	 ra_cabundle_write(PGconn *, const char *, FILE *, int *);
enum ra_err	 ra_apache_reload(const char *);

/* dn.c: "CN=...,O=...,C=JP" as users write it */
enum ra_err	 ra_dn_parse(const char *, X509_NAME **, char *, size_t);
char		*ra_dn_text(const X509_NAME *);
char		*ra_dn_get(const X509_NAME *, int);
void		 ra_dn_ous(const X509_NAME *, char *, size_t);

/* key.c: key algorithms, SPKI, CSRs; where CA keys may live */
int		 ra_key_path_ok(const char *, const char *);
/* p11uri.c: a CA key in a token, by its PKCS#11 URI (never opened here) */
int		 ra_p11uri_ok(const char *, char *, size_t);
void		 ra_key_alg(EVP_PKEY *, char *, size_t);
enum ra_err	 ra_key_new(const char *, EVP_PKEY **);
enum ra_err	 ra_key_spki(EVP_PKEY *, unsigned char **, size_t *,
		    unsigned char[32]);
enum ra_err	 ra_pubkey_spki(const X509_PUBKEY *, unsigned char **,
		    size_t *, unsigned char[32]);
enum ra_err	 ra_csr_parse(const unsigned char *, size_t, X509_REQ **,
		    char *, size_t);

/* profile.c: ra.profile rows */
struct ra_profile {
	int	 id;
	char	 kind[32];
	int	 months, days;		/* validity */
	char	 key_algs[96];		/* "rsa2048,p256" */
	char	 key_gen[8];		/* "csr" or "server" */
	char	 key_usage[128];	/* X509V3 config syntax */
	char	 ext_key_usage[128];	/* "" for none */
	char	 policies[128];		/* certificatePolicies OIDs, "" none */
	char	 subject_attrs[96];	/* "C,ST,L,O,OU,CN" */
	char	 subject_required[96];
	int64_t	 ca_id;			/* 0: the kind's current CA */
	int	 active;
};

enum ra_err	 ra_profile_load(PGconn *, int, struct ra_profile *);
int		 ra_list_has(const char *, const char *);
enum ra_err	 ra_profile_check_subject(const struct ra_profile *,
		    const X509_NAME *, char *, size_t);
enum ra_err	 ra_profile_check_key(const struct ra_profile *, EVP_PKEY *,
		    char *, size_t);

/* validity.c: the profile's validity within the dated limit (027) */
/* The database's clock and a kind's dated limits at it (validity.c). */
struct ra_clock {
	char		 kind[32];
	time_t		 now;
	int		 days;		/* the limit at ra.clock() */
	int		 days_nb;	/* at its second: notBefore */
};

enum ra_err	 ra_validity_clock(PGconn *, const char *, struct ra_clock *);
void		 ra_validity_at(const struct ra_profile *,
		    const struct ra_clock *, time_t *, time_t *);

/* request.c: the queue, seen from the screens */
int		 ra_hostname_ok(const char *);
struct ra_newreq {
	int64_t			 institution_id;
	int64_t			 officer_id;	/* 0: none (desk, cron) */
	int64_t			 batch_id;	/* 0: none */
	int			 seq;		/* row in the batch, 0: none */
	int			 profile_id;
	const X509_NAME		*subject;	/* validated, certificate order */
	const char		*san_dns;	/* extra host names, or NULL */
	const unsigned char	*csr;		/* NULL: the server makes the key */
	size_t			 csrlen;
	const char		*key_secret;	/* protects a server-made key */
	int64_t			 target_cert_id;	/* renewal: the old one */
	const char		*admin_name, *admin_mail;
	const char		*user_name, *user_mail;
	const char		*affiliation;	/* the format's other columns */
	const char		*software;
	const char		*user_affiliation;
	const char		*key_protection;	/* code signing: a code */
	int			 download_method;	/* client: 1, 2, 3; 0 */
	const char		*p12_name;	/* client: TSV column 12 */
	int			 waiting;	/* ブラウザ個別: no job until 【発行】 */
	/* A caller that checked these already (a TSV upload, per file). */
	const struct ra_profile	*profile;	/* NULL: load it */
	X509_REQ		*csr_parsed;	/* NULL: parse csr */
	int			 institution_checked;
	int			 key_checked;	/* key_used: the answer */
	int			 key_used;	/* the key used before */
};

/* Requests checked and held for one INSERT (ra_request_defer). */
struct ra_reqbulk {
	struct ra_pgarr		 col[28];	/* SQL_REQUEST_ADD's $1-$28 */
	size_t			 n;
};

enum ra_err	 ra_request_serial(PGconn *, int64_t, char[64]);
enum ra_err	 ra_request_add(PGconn *, const struct ra_newreq *, int64_t *,
		    char *, size_t);
enum ra_err	 ra_request_defer(PGconn *, const struct ra_newreq *,
		    struct ra_reqbulk *, char *, size_t);
enum ra_err	 ra_request_send(PGconn *, struct ra_reqbulk *, int *);
enum ra_err	 ra_request_sent(PGconn *);
void		 ra_request_bulk_free(struct ra_reqbulk *);
enum ra_err	 ra_queue_notify(PGconn *);
enum ra_err	 ra_request_wait(PGconn *, int64_t, long, char *, size_t,
		    char *, size_t);

/* p12.c: keys at rest and PKCS#12 downloads */
enum ra_p12_profile {
	RA_P12_MODERN = 0,	/* AES-256-CBC, PBKDF2, SHA-256 MAC */
	RA_P12_LEGACY,		/* 3DES, SHA-1 MAC */
	RA_P12__MAX
};

int		 ra_p12_profile(const char *);
enum ra_err	 ra_key_encrypt(EVP_PKEY *, const char *, unsigned char **,
		    size_t *);
enum ra_err	 ra_key_decrypt(const unsigned char *, size_t, const char *,
		    EVP_PKEY **);
enum ra_err	 ra_p12_build(EVP_PKEY *, X509 *, STACK_OF(X509) *,
		    const char *, const char *, enum ra_p12_profile,
		    unsigned char **, size_t *);

/* revoke.c: revocation and certificate status */

/* RFC 5280 CRLReason codes ra itself revokes with. */
enum ra_reason {
	RA_REASON_UNSPECIFIED = 0,
	RA_REASON_KEY_COMPROMISE = 1,		/* a lost RA certificate */
	RA_REASON_AFFILIATION_CHANGED = 3,	/* an officer retired */
	RA_REASON_SUPERSEDED = 4,		/* renewed, replaced */
	RA_REASON_CESSATION = 5,		/* an institution withdrawn */
	RA_REASON_PRIVILEGE_WITHDRAWN = 9	/* an officer suspended */
};

struct ra_revoke {
	const char	*serial;	/* decimal */
	int64_t		 ca_id;		/* 0: whichever CA has it */
	int		 reason;	/* RFC 5280 CRLReason */
	const char	*comment;
	int64_t		 request_id;	/* 0: none */
	int64_t		 officer_id;	/* 0: none */
	const char	*actor;		/* for the audit log */
};

enum ra_err	 ra_revoke(PGconn *, const struct ra_revoke *, char *, size_t);
enum ra_err	 ra_cert_status(PGconn *, const char *, FILE *);

/* download.c: certificates, chains and PKCS#12 for the user */
enum ra_err	 ra_chain_load(PGconn *, int64_t, STACK_OF(X509) **);
enum ra_err	 ra_cert_retrieved(PGconn *, int64_t);
enum ra_err	 ra_request_cert(PGconn *, int64_t, unsigned char **, size_t *,
		    int64_t *);
enum ra_err	 ra_p12_expire(PGconn *, int64_t *);
enum ra_err	 ra_p12_take(PGconn *, int64_t, const char *,
		    enum ra_p12_profile, const char *, unsigned char **,
		    size_t *, char[64]);
enum ra_err	 ra_p12_take_url(PGconn *, const char *, int64_t,
		    const char *, enum ra_p12_profile, const char *,
		    unsigned char **, size_t *, char[64]);

/* client.c: a client certificate's URLs and mails, as they are made */
struct ra_client_cfg {
	const char	*site;		/* Site.URL */
	int		 days;		/* Pin.UrlDays: the URLs' life */
	int		 cost;		/* Pin.Iterations */
};

struct ra_client_row {
	int64_t		 request_id, institution_id;
	const char	*pin;		/* clear, to seal and hash */
	const char	*admin_name, *admin_mail, *user_name, *user_mail;
};

void		 ra_client_cfg(const struct ra_conf *, struct ra_client_cfg *);
enum ra_err	 ra_client_urls(PGconn *, const struct ra_client_cfg *,
		    const struct ra_client_row *, int);
enum ra_err	 ra_client_issued(PGconn *, const struct ra_client_cfg *,
		    const char *);
enum ra_err	 ra_client_batches_done(PGconn *, const struct ra_client_cfg *,
		    const char *);
enum ra_err	 ra_client_reissue(PGconn *, const struct ra_client_cfg *,
		    int64_t, int64_t, const char *, char *, size_t, char *,
		    size_t);
enum ra_err	 ra_client_expire(PGconn *, int64_t *, int64_t *);

/* clientget.c: the public side of those URLs */
struct ra_client_url {
	struct ra_url	 u;		/* token, PIN, step nonce, state */
	char		 purpose[16];	/* pin_download, p12_download, p12_bulk */
	char		 state[16];	/* the request's, "" for a batch */
	char		 action[8];
	int64_t		 batch_id, cert_id;
	int		 gate_open;	/* the PIN URL before it was used */
	int		 method;	/* download method, 1 2 3 */
	char		 user_name[257], user_mail[257];
	char		 admin_name[257], admin_mail[257];
	char		 officer_name[257], officer_mail[257];
	char		 serial[64], subject_dn[1025], p12_name[65];
};

enum ra_err	 ra_client_url_open(PGconn *, const char *,
		    struct ra_client_url *);
enum ra_err	 ra_client_url_used(PGconn *, const char *);
enum ra_err	 ra_client_issue(PGconn *, const char *, const char *);
enum ra_err	 ra_client_pin_zip(PGconn *, const char *, unsigned char **,
		    size_t *);
enum ra_err	 ra_client_bulk_zip(PGconn *, const char *, enum ra_p12_profile,
		    unsigned char **, size_t *, char *, size_t, char[64]);
enum ra_err	 ra_client_secret_ok(PGconn *, int64_t, const char *);
enum ra_err	 ra_client_retrieved_mail(PGconn *,
		    const struct ra_client_url *, const char *, const char *);
void		 ra_client_audit_detail(const struct ra_url *, int64_t,
		    const char *, char *, size_t);

/* tsa.c: ra's own RFC 3161 time-stamp authority (the tsa zone only) */
struct ra_tsa;

enum ra_err	 ra_tsa_open(const struct ra_conf *, struct ra_tsa **);
enum ra_err	 ra_tsa_reply(struct ra_tsa *, PGconn *, const unsigned char *,
		    size_t, unsigned char **, size_t *, const char **);
int		 ra_tsa_describe(const struct ra_tsa *, FILE *);
void		 ra_tsa_free(struct ra_tsa *);

/* ocsp.c, ocspreq.c: ra's OCSP responder (the ocsp zone only) */
enum ra_err	 ra_ocsp_answer(const struct ra_conf *, PGconn *,
		    const unsigned char *, size_t, unsigned char **, size_t *,
		    long *);
enum ra_err	 ra_ocsp_signer_request(const struct ra_conf *, PGconn *,
		    FILE *);
/* ocsp-get.c: the request in a GET's path */
enum ra_err	 ra_ocsp_path_der(const char *, size_t, unsigned char **,
		    size_t *);

/* tsurl.c: ⑨ the time-stamp URLs and the commands that use them */
enum ra_err	 ra_tsurl_page(const struct ra_conf *, HDF *);
void		 ra_tsurl_print(HDF *, FILE *);

/* batchlist.c: the officer's recent uploads and their progress */
enum ra_err	 ra_batch_page(PGconn *, int64_t, int64_t, int64_t, HDF *);
void		 ra_batch_print(HDF *, FILE *);

/* stats.c, stats-tsv.c, stats-svg.c: ⑦ 発行証明書統計照会 */
#define RA_STATS_MONTHS_MAX	120

enum ra_stats_count {
	RA_STATS_NEW = 0,	/* 新規: issued from an issue request */
	RA_STATS_RENEWED,	/* 更新: from a renewal */
	RA_STATS_VALID,		/* 有効数 */
	RA_STATS_REVOKED,	/* 失効数 */
	RA_STATS_EXPIRED,	/* 期限切れ数 */
	RA_STATS_WAITING,	/* 取得待ち */
	RA_STATS_NCOUNTS
};

struct ra_stats_n {
	int64_t	 v[RA_STATS_NCOUNTS];
};

/* One (domain, kind, profile): strings borrowed from ra_stats.res. */
struct ra_stats_row {
	const char		*domain;	/* "": none */
	const char		*kind, *kind_ja, *profile_ja;
	int			 profile_id;
	struct ra_stats_n	 total;
	struct ra_stats_n	*month;		/* nmonths, in ra_stats.cells */
};

struct ra_stats {
	int			 first;		/* month number: y * 12 + m - 1 */
	int			 nmonths;
	struct ra_stats_row	*rows;
	size_t			 nrows;
	struct ra_stats_n	*cells;		/* the rows' months */
	struct ra_stats_n	*month;		/* every row, per month */
	struct ra_stats_n	 total;
	PGresult		*res;
};

enum ra_err	 ra_stats_period(const char *, const char *, time_t, int *,
		    int *, const char **);
enum ra_err	 ra_stats_load(PGconn *, int64_t, int64_t, int, int,
		    struct ra_stats *);
void		 ra_stats_free(struct ra_stats *);
void		 ra_stats_month(int, char[8]);
int64_t		 ra_stats_issued(const struct ra_stats_n *);
enum ra_err	 ra_stats_tsv(const struct ra_stats *, unsigned char **,
		    size_t *);
enum ra_err	 ra_stats_svg(const struct ra_stats *, const char *, char **);

#endif /* RA_DOMAIN_H */
