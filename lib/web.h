/*
 * web.h: the web glue -- one request (CGI or command line), its declared
 * fields, the RA officer's login and sessions, main() of the screens and
 * of the shell tools.  The only part of libra.a that knows HTTP.
 * ra.h comes first; it brings domain.h.
 */
#ifndef RA_WEB_H
#define RA_WEB_H

#include <openssl/x509.h>
#include <ClearSilver.h>

#include "domain.h"

/* req.c: one request (CGI) or one command line (shell) */
struct ra_screen;

struct ra_req {
	int		 is_cgi;	/* GATEWAY_INTERFACE was set */
	CGI		*cgi;		/* parsed request, CGI mode only */
	HDF		*page;		/* what the template sees, nothing else */
	struct ra_conf	 conf;
	int		 conf_ok;
	PGconn		*db;
	enum ra_db_role	 db_role;	/* what "db" is connected as */
	enum ra_db_role	 zone;		/* the screen's zone role */
	char		 caller[64];	/* who ran us (shell: the audit actor) */
	const char	*set_cookie;	/* a Set-Cookie value we made, or NULL */
	const char	*lang;		/* the page's language: "ja" or "en" */
	char		 lang_cookie[96];	/* Set-Cookie for a switch, or "" */
	int		 argc;		/* shell mode: arguments after argv[0] */
	char		**argv;
	const char	*refusal;	/* why a request is refused, for the audit */
	char		 refusal_buf[128];	/* when the reason names a field */
	const struct ra_field *fields;	/* the table ra_form_check applied */
};

enum ra_err	 ra_req_open(struct ra_req *, int, char *[]);
enum ra_err	 ra_zone_enter(char *, size_t);
enum ra_err	 ra_openssl_init_lean(void);
enum ra_err	 ra_req_db(struct ra_req *, enum ra_db_role);
enum ra_err	 ra_render(struct ra_req *, int, const char *);
enum ra_err	 ra_redirect(struct ra_req *, const char *);
int		 ra_web_main(int, char *[], const struct ra_screen *);
int		 ra_fail(struct ra_req *, enum ra_err, const char *);
void		 ra_req_close(struct ra_req *);
const char	*ra_req_env(const char *);
enum ra_err	 ra_audit_refusal(PGconn *, const char *, const char *,
		    const char *);

/* lang.c: the page's language */
const char	*ra_lang_known(const char *);
const char	*ra_lang_pick(const char *, const char *, const char *);
void		 ra_lang_cookie(char *, size_t, const char *);
enum ra_err	 ra_lang_settle(struct ra_req *);

/* form.c: declared request fields */
enum ra_field_kind {
	RA_FIELD_TEXT = 0,	/* one value, checked by "valid" */
	RA_FIELD_FILE,		/* a multipart file; "valid" checks its name */
};

struct ra_field {
	const char		*name;
	size_t			 maxlen;
	int			(*valid)(const char *);
	enum ra_field_kind	 kind;
};

/* A screen: the fields it takes (nothing else is let in) and its handler. */
struct ra_screen {
	const struct ra_field	*fields;
	size_t			 nfields;
	enum ra_err		(*run)(struct ra_req *);
	enum ra_db_role		 zone;	/* the zone's role, RA_DB_PUBLIC.. */
};

/* Shared by every screen that takes a POST from an officer's page. */
#define RA_FIELD_CSRF	{ "csrf", 64, ra_valid_hex, RA_FIELD_TEXT }

int		 ra_valid_token(const char *);
int		 ra_valid_secret(const char *);
int		 ra_valid_word(const char *);
int		 ra_valid_hex(const char *);
int		 ra_valid_digits(const char *);
int		 ra_valid_filename(const char *);
int		 ra_field_i64(const char *, int64_t, int64_t, int64_t *);
int		 ra_form_type_ok(const char *);
enum ra_err	 ra_form_check(struct ra_req *, const struct ra_field *, size_t);
enum ra_err	 ra_form_get(struct ra_req *, const struct ra_field *, size_t,
		    const char **);
const char	*ra_req_method(const struct ra_req *);

/* officer.c: RA-officer login and sessions */
#define RA_INTERFACES	13	/* ①-⑫, index 0 unused */

struct ra_clientcert {
	X509	*crt;
	char	 serial[64];	/* decimal */
	char	*der_hex;
	char	*subject, *issuer;
};

struct ra_officer {
	int64_t	 officer_id, institution_id;
	char	 name_ja[256], institution_ja[512];
	char	 name_romaji[128], institution_en[512];	/* English pages */
	char	 institution_status[16];	/* active, suspended */
	char	 csrf[65];		/* hex, for forms */
	char	 session_hex[80];
	char	 perm[RA_INTERFACES];	/* perm[i]: may use interface i */
};

enum ra_err	 ra_officer_institution(PGconn *, int64_t, int64_t *);
enum ra_err	 ra_officer_shell(struct ra_req *, int64_t, int64_t *);
enum ra_err	 ra_login(struct ra_req *, char[RA_TOKEN_LEN + 1],
		    const char **);
enum ra_err	 ra_officer_get(struct ra_req *, struct ra_officer *);
enum ra_err	 ra_officer_open(struct ra_req *, struct ra_officer *);
int		 ra_officer_csrf_ok(struct ra_req *, const struct ra_officer *);
enum ra_err	 ra_client_cert_is(struct ra_req *, int64_t);
enum ra_err	 ra_officer_cert_notices(struct ra_req *,
		    const struct ra_officer *, int, PGresult **);
enum ra_err	 ra_officer_logout(struct ra_req *, const struct ra_officer *);
void		 ra_officer_cookie(char *, size_t, const char *);
void		 ra_officer_page(struct ra_req *, const struct ra_officer *);

/* uploadscreen.c: ①, ③ and ⑤, the upload screens and their shell twins */
struct ra_upload_screen {
	const char		*program;	/* for usage and messages */
	enum ra_upload_kind	 kind;
	int			 interface;	/* the permission needed */
	const char		*tmpl;
	int			 col_name;	/* shown per row; -1: none */
	int			 col_affiliation, col_mail;
	int			 reissue;	/* a fresh URL for a user */
	int			 update;	/* ⑤: RA_TSV_UPDATE only */
	enum ra_err		(*page)(struct ra_req *);	/* more to show; NULL */
	int			 show_cn;	/* each row's CN: which row is which */
};

#define RA_UPLOAD_FIELDS	6
extern const struct ra_field ra_upload_fields[RA_UPLOAD_FIELDS];

enum ra_err	 ra_upload_screen(struct ra_req *,
		    const struct ra_upload_screen *);

/* codesign.c: ⑪'s page, and the desk's paper route (desk.cgi codesign-add) */
enum ra_err	 ra_codesign_page(struct ra_req *);
struct ra_desk;
enum ra_err	 ra_codesign_desk(struct ra_req *, struct ra_desk *);

/* exportscreen.c: ②, ④, ⑥, ⑧ and ⑪'s, the officer's TSV downloads */
struct ra_export_screen {
	const char		*program;	/* for usage */
	enum ra_export_kind	 kind;
	int			 interface;	/* the permission needed */
	const char		*filename;	/* of the attachment */
	const char		*event;		/* audit */
	/*
	 * ⑥: a page (this template) offers Shift_JIS or UTF-8 first, and
	 * the shell takes --utf8; NULL: the Shift_JIS file at once.
	 */
	const char		*choice_tmpl;
	/* Another file than the 46 columns of "kind" (⑧); NULL: ra_export. */
	enum ra_err		(*write)(PGconn *, int64_t, int64_t,
				    enum ra_export_enc, FILE *);
};

#define RA_EXPORT_FIELDS	2
extern const struct ra_field ra_export_fields[RA_EXPORT_FIELDS];

enum ra_err	 ra_export_screen(struct ra_req *,
		    const struct ra_export_screen *);

/* shell.c: main() of the shell-only binaries */
struct ra_cmd {
	const char	*name;
	int		 nargs;		/* arguments after the name, -1: any */
	enum ra_err	(*run)(struct ra_req *);
};

int		 ra_shell_main(int, char *[], const struct ra_cmd *, size_t,
		    const char *);

/* httpbody.c: the protocol endpoints' requests and refusals */
struct ra_http_err {
	int		 status;
	enum ra_err	 er;		/* for the audit's "error" */
	const char	*why;		/* the audit's "why", and the page's */
	const char	*ja;
};

enum ra_err	 ra_http_body(size_t, unsigned char **, size_t *);
void		 ra_http_drain(size_t);
void		 ra_http_plain(int, const char *, const char *, const char *);
void		 ra_http_refuse(const struct ra_conf *, enum ra_db_role,
		    PGconn **, const char *, const struct ra_http_err *);
int		 ra_http_type_is(const char *, const char *);

#endif /* RA_WEB_H */
