/*
 * desk.cgi: the service desk (サービス窓口): the shell commands below and
 * the desk screen, both only options and output over lib/desk.c.
 *
 *	desk.cgi institution-add --code C --name-ja J --name-en E --st S
 *	    --l L --from DATE --until DATE [--status active|review]
 *	desk.cgi domain-add --institution C --domain D
 *	desk.cgi ou-add --domain D --ou OU
 *	desk.cgi ou-remove --domain D --ou OU
 *	desk.cgi institution-status --institution C
 *	    --status review|active|suspended|withdrawn
 *	desk.cgi institution-update --institution C [--name-ja J]
 *	    [--name-en E] [--st S] [--l L] [--from DATE] [--until DATE]
 *	desk.cgi institution-revoke --institution C --reason N
 *	    [--kind server|client|smime|code_signing|ra_officer|all]
 *	    --confirm C			(suspended or withdrawn only)
 *	desk.cgi officer-add --institution C --name-ja J --romaji R
 *	    --mail M --phone P --domains D1,D2 --interfaces 1,2,10
 *	desk.cgi url-reissue --officer ID	(the first URL expired or unused)
 *	desk.cgi pin-issue --officer ID [--letter FILE|-]
 *	desk.cgi pin-reset --officer ID
 *	desk.cgi renew-notify [--days N]	(cron, default Ra.RenewDays 30;
 *					    also revokes superseded RA
 *					    certificates past Ra.RenewGraceDays)
 *	desk.cgi renew-reissue --officer ID	(a new renewal URL)
 *	desk.cgi officer-update --officer ID [--name-ja J] [--romaji R]
 *	    [--mail M] [--phone P] [--domains D1,D2] [--interfaces 1,2,10]
 *	desk.cgi officer-suspend|officer-resume|officer-retire|officer-lost
 *	    --officer ID
 *	desk.cgi operator-add --name N --cert FILE [--unix-user LOGIN]
 *	desk.cgi operator-retire --name N | --fingerprint SHA256
 *	desk.cgi operators
 *	desk.cgi ops-status			(the operations view; exit 1 and
 *						    a reason when something waits)
 *	desk.cgi mail-resend --mail-id ID	(a failed mail again)
 *	desk.cgi codesign-add --institution C --file F.tsv
 *	    [--action issue|renew] [--dry-run]	(paper code signing)
 *
 * Registering an officer mails them the certificate retrieval URL
 * (登録担当者用証明書発行受付通知); after the identity check out of band,
 * pin-issue prints the access PIN once (and a printable letter).  Every
 * action is audited.  Under Apache it is the desk screen, for registered
 * desk operators only.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/pem.h>

#include "ra.h"
#include "web.h"

static enum ra_err
opts_parse(int argc, char *argv[], struct ra_desk_args *o, const char **cert)
{
	static const struct option lopts[] = {
		{ "code", required_argument, NULL, 'c' },
		{ "name-ja", required_argument, NULL, 'j' },
		{ "name-en", required_argument, NULL, 'e' },
		{ "st", required_argument, NULL, 's' },
		{ "l", required_argument, NULL, 'l' },
		{ "from", required_argument, NULL, 'f' },
		{ "until", required_argument, NULL, 'u' },
		{ "status", required_argument, NULL, 'S' },
		{ "reason", required_argument, NULL, 'R' },
		{ "kind", required_argument, NULL, 'K' },
		{ "confirm", required_argument, NULL, 'Y' },
		{ "institution", required_argument, NULL, 'i' },
		{ "domain", required_argument, NULL, 'd' },
		{ "ou", required_argument, NULL, 'o' },
		{ "romaji", required_argument, NULL, 'r' },
		{ "mail", required_argument, NULL, 'm' },
		{ "phone", required_argument, NULL, 'p' },
		{ "domains", required_argument, NULL, 'D' },
		{ "interfaces", required_argument, NULL, 'I' },
		{ "officer", required_argument, NULL, 'O' },
		{ "letter", required_argument, NULL, 'L' },
		{ "days", required_argument, NULL, 'n' },
		{ "name", required_argument, NULL, 'N' },
		{ "cert", required_argument, NULL, 'C' },
		{ "unix-user", required_argument, NULL, 'U' },
		{ "fingerprint", required_argument, NULL, 'F' },
		{ "mail-id", required_argument, NULL, 'M' },
		{ NULL, 0, NULL, 0 }
	};
	char	*end;
	int	 ch;

	memset(o, 0, sizeof(*o));
	*cert = NULL;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "", lopts, NULL)) != -1)
		switch (ch) {
		case 'c': o->code = optarg; break;
		case 'j': o->name_ja = optarg; break;
		case 'e': o->name_en = optarg; break;
		case 's': o->st = optarg; break;
		case 'l': o->l = optarg; break;
		case 'f': o->from = optarg; break;
		case 'u': o->until = optarg; break;
		case 'S': o->status = optarg; break;
		case 'R': o->reason = optarg; break;
		case 'K': o->kind = optarg; break;
		case 'Y': o->confirm = optarg; break;
		case 'i': o->institution = optarg; break;
		case 'd': o->domain = optarg; break;
		case 'o': o->ou = optarg; break;
		case 'r': o->romaji = optarg; break;
		case 'm': o->mail = optarg; break;
		case 'p': o->phone = optarg; break;
		case 'D': o->domains = optarg; break;
		case 'I': o->interfaces = optarg; break;
		case 'L': o->letter = optarg; break;
		case 'N': o->name_ja = optarg; break;
		case 'C': *cert = optarg; break;
		case 'U': o->unix_user = optarg; break;
		case 'F': o->fingerprint = optarg; break;
		case 'n':
			o->days = strtoll(optarg, &end, 10);
			if (*end != '\0' || o->days <= 0 || o->days > 400)
				return RA_EUSAGE;
			break;
		case 'O':
			o->officer = strtoll(optarg, &end, 10);
			if (*end != '\0' || o->officer <= 0)
				return RA_EUSAGE;
			break;
		case 'M':
			o->mail_id = strtoll(optarg, &end, 10);
			if (*end != '\0' || o->mail_id <= 0)
				return RA_EUSAGE;
			break;
		default:
			return RA_EUSAGE;
		}
	return optind == argc ? RA_OK : RA_EUSAGE;
}

/*
 * The person at the shell: the login that ran sudo, if root runs this
 * for them, else the real user (lib/zone.c).
 */
static const char *
shell_login(const struct ra_req *r)
{
	const char	*sudo = getenv("SUDO_USER");

	if (strcmp(r->caller, "root") == 0 && sudo != NULL &&
	    *sudo != '\0' && strlen(sudo) <= 32 && strspn(sudo,
	    "abcdefghijklmnopqrstuvwxyz0123456789_.-") == strlen(sudo))
		return sudo;
	return r->caller;
}

/*
 * Open the desk's context as the desk zone's role (ra_desk).  From a
 * shell the operator is the login's (if one is registered for it); the
 * screen sets its operator from the client certificate.
 */
static enum ra_err
desk_open(struct ra_req *r, struct ra_desk *d, char *actor, size_t actorsz,
    const char *who)
{
	enum ra_err	 er;

	memset(d, 0, sizeof(*d));
	snprintf(actor, actorsz, "desk:%s", who);
	d->actor = actor;
	d->conf = &r->conf;
	d->source_ip = ra_req_env("REMOTE_ADDR");
	d->via = "screen";
	if ((er = ra_req_db(r, RA_DB_DESK)) != RA_OK)
		return er;
	d->db = r->db;
	if (ra_req_env("GATEWAY_INTERFACE") == NULL)
		return ra_desk_shell_operator(d, who);
	return RA_OK;
}

/*
 * A shell command: what was done on standard output, why not on standard
 * error; pin-issue --letter - puts the letter on standard output and the
 * PIN line on standard error.
 */
static enum ra_err
shell_run(struct ra_req *r, enum ra_err (*run)(struct ra_desk *,
    const struct ra_desk_args *))
{
	struct ra_desk_args	 a;
	struct ra_desk		 d;
	const char		*cert;
	char			 actor[96];
	enum ra_err		 er;

	if (opts_parse(r->argc, r->argv, &a, &cert) != RA_OK || cert != NULL)
		return RA_EUSAGE;
	if ((er = desk_open(r, &d, actor, sizeof(actor), shell_login(r))) !=
	    RA_OK)
		return er;
	if ((er = ra_desk_args_ok(&d, &a, "desk.shell")) == RA_OK)
		er = run(&d, &a);
	if (*d.said != '\0')
		fprintf(d.letter != NULL ? stderr : stdout, "%s\n", d.said);
	if (d.letter != NULL && (fputs(d.letter, stdout) == EOF ||
	    fflush(stdout) != 0))
		er = RA_ESYS;
	if (er != RA_OK && *d.why != '\0')
		ra_warnx("%s", d.why);
	ra_desk_free(&d);
	return er;
}

#define DESK_COMMAND(name)						\
static enum ra_err							\
desk_##name(struct ra_req *r)						\
{									\
	return shell_run(r, ra_desk_##name);				\
}
DESK_COMMAND(institution_add)
DESK_COMMAND(domain_add)
DESK_COMMAND(ou_add)
DESK_COMMAND(ou_remove)
DESK_COMMAND(institution_status)
DESK_COMMAND(institution_update)
DESK_COMMAND(institution_revoke)
DESK_COMMAND(officer_add)
DESK_COMMAND(pin_issue)
DESK_COMMAND(pin_reset)
DESK_COMMAND(renew_notify)
DESK_COMMAND(renew_reissue)
DESK_COMMAND(url_reissue)
DESK_COMMAND(operator_retire)
DESK_COMMAND(mail_resend)
DESK_COMMAND(officer_update)
DESK_COMMAND(officer_suspend)
DESK_COMMAND(officer_resume)
DESK_COMMAND(officer_retire)
DESK_COMMAND(officer_lost)

/* Register a desk operator by their client certificate. */
static enum ra_err
desk_operator_add(struct ra_req *r)
{
	struct ra_desk_args	 a;
	struct ra_desk		 d;
	const char		*cert;
	char			 actor[96];
	X509			*crt;
	enum ra_err		 er;

	memset(&d, 0, sizeof(d));
	if (opts_parse(r->argc, r->argv, &a, &cert) != RA_OK ||
	    a.name_ja == NULL || cert == NULL)
		return RA_EUSAGE;
	if ((crt = ra_pem_read_cert(cert)) == NULL)
		return RA_EINPUT;
	if ((er = desk_open(r, &d, actor, sizeof(actor), shell_login(r))) ==
	    RA_OK && (er = ra_desk_args_ok(&d, &a, "desk.shell")) == RA_OK)
		er = ra_desk_operator_add(&d, &a, crt);
	X509_free(crt);
	if (*d.said != '\0')
		printf("%s\n", d.said);
	if (er != RA_OK && *d.why != '\0')
		ra_warnx("%s", d.why);
	ra_desk_free(&d);
	return er;
}

/* The desk operators, one TSV line each, active first. */
static enum ra_err
desk_operators(struct ra_req *r)
{
	static const char *const cols[] = { "operator_id", "name", "sha256",
	    "unix_user", "status", "created", "retired" };
	struct ra_desk_args	 a;
	struct ra_desk		 d;
	PGresult		*res = NULL;
	const char		*cert;
	char			 actor[96];
	size_t			 c;
	int			 i;
	enum ra_err		 er;

	memset(&d, 0, sizeof(d));
	if (opts_parse(r->argc, r->argv, &a, &cert) != RA_OK || cert != NULL)
		return RA_EUSAGE;
	if ((er = desk_open(r, &d, actor, sizeof(actor), shell_login(r))) !=
	    RA_OK || (er = ra_desk_operators(&d, &res)) != RA_OK)
		goto out;
	for (i = 0; i < PQntuples(res); i++)
		for (c = 0; c < RA_NITEMS(cols); c++)
			printf("%s%c", ra_get_text(res, i, cols[c]),
			    c + 1 < RA_NITEMS(cols) ? '\t' : '\n');
	if (fflush(stdout) != 0)
		er = RA_ESYS;
out:
	PQclear(res);
	ra_desk_free(&d);
	return er;
}

/*
 * The operations view as text, a section at a time (tab-separated rows
 * under a header); RA_EDONE (exit 1) with a one-line reason on standard
 * error when something needs the desk.
 */
static enum ra_err
desk_ops_status(struct ra_req *r)
{
	const struct ra_desk_ops_section *s;
	struct ra_desk_args	 a;
	struct ra_desk		 d;
	PGresult		*res = NULL;
	const char		*cert;
	char			 actor[96], audit[256], problems[512] = "";
	size_t			 i, c, n = 0;
	int			 row;
	enum ra_err		 er;

	memset(&d, 0, sizeof(d));
	if (opts_parse(r->argc, r->argv, &a, &cert) != RA_OK || cert != NULL)
		return RA_EUSAGE;
	if ((er = desk_open(r, &d, actor, sizeof(actor), shell_login(r))) !=
	    RA_OK)
		goto out;
	for (i = 0; (s = ra_desk_ops_section(i)) != NULL; i++) {
		if ((er = ra_desk_ops_rows(&d, s, &res)) != RA_OK)
			goto out;
		printf("== %s: %s\n", s->name, s->title_en);
		for (c = 0; s->cols[c] != NULL; c++)
			printf("%s%c", s->cols[c], s->cols[c + 1] != NULL ?
			    '\t' : '\n');
		for (row = 0; row < PQntuples(res); row++)
			for (c = 0; s->cols[c] != NULL; c++)
				printf("%s%c", ra_get_text(res, row, s->cols[c]),
				    s->cols[c + 1] != NULL ? '\t' : '\n');
		if (s->problem && PQntuples(res) > 0) {
			n++;
			snprintf(problems + strlen(problems), sizeof(problems) -
			    strlen(problems), "%s%s %d", *problems != '\0' ?
			    ", " : "", s->name, PQntuples(res));
		}
		PQclear(res);
		res = NULL;
	}
	if ((er = ra_desk_ops_audit(&d, audit, sizeof(audit))) != RA_OK &&
	    er != RA_EPOLICY)
		goto out;
	printf("== audit: %s\n", audit);
	if (er == RA_EPOLICY) {
		n++;
		snprintf(problems + strlen(problems), sizeof(problems) -
		    strlen(problems), "%saudit chain broken", *problems != '\0' ?
		    ", " : "");
	}
	er = RA_OK;
	if (fflush(stdout) != 0)
		er = RA_ESYS;
	else if (n > 0) {
		ra_warnx("%zu problem(s): %s", n, problems);
		er = RA_EDONE;
	}
out:
	PQclear(res);
	ra_desk_free(&d);
	return er;
}

/* The paper route (lib/codesign.c), audited under the shell's operator. */
static enum ra_err
desk_codesign_add(struct ra_req *r)
{
	struct ra_desk	 d;
	char		 actor[96];
	enum ra_err	 er;

	if ((er = desk_open(r, &d, actor, sizeof(actor), shell_login(r))) ==
	    RA_OK)
		er = ra_codesign_desk(r, &d);
	if (er != RA_OK && er != RA_EDONE && *d.why != '\0')
		ra_warnx("%s", d.why);
	ra_desk_free(&d);
	return er;
}

static const struct ra_cmd commands[] = {
	{ "institution-add",	-1,	desk_institution_add },
	{ "domain-add",		-1,	desk_domain_add },
	{ "ou-add",		-1,	desk_ou_add },
	{ "ou-remove",		-1,	desk_ou_remove },
	{ "institution-status",	-1,	desk_institution_status },
	{ "institution-update",	-1,	desk_institution_update },
	{ "institution-revoke",	-1,	desk_institution_revoke },
	{ "officer-add",	-1,	desk_officer_add },
	{ "pin-issue",		-1,	desk_pin_issue },
	{ "pin-reset",		-1,	desk_pin_reset },
	{ "renew-notify",	-1,	desk_renew_notify },
	{ "renew-reissue",	-1,	desk_renew_reissue },
	{ "operator-add",	-1,	desk_operator_add },
	{ "operator-retire",	-1,	desk_operator_retire },
	{ "operators",		-1,	desk_operators },
	{ "ops-status",		-1,	desk_ops_status },
	{ "mail-resend",	-1,	desk_mail_resend },
	{ "officer-update",	-1,	desk_officer_update },
	{ "officer-suspend",	-1,	desk_officer_suspend },
	{ "officer-resume",	-1,	desk_officer_resume },
	{ "officer-retire",	-1,	desk_officer_retire },
	{ "officer-lost",	-1,	desk_officer_lost },
	{ "url-reissue",	-1,	desk_url_reissue },
	{ "codesign-add",	-1,	desk_codesign_add },
};

/* ---- the desk screen ------------------------------------------------- */

enum desk_field {
	W_STEP, W_CODE, W_NAME_JA, W_NAME_EN, W_ST, W_L, W_FROM, W_UNTIL,
	W_INSTITUTION, W_DOMAIN, W_OU, W_ROMAJI, W_MAIL, W_PHONE, W_DOMAINS,
	W_INTERFACES, W_OFFICER,
	W_STATUS, W_UNIX_USER, W_FINGERPRINT, W_CERT_PEM, W_VIEW, W_MAIL_ID,
	W_REASON, W_KIND, W_CONFIRM,
	W__MAX
};

/* No control characters; the database checks each value's own rules. */
static int
valid_text(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 0;
	return 1;
}

static int
valid_hex(const char *s)
{
	return strspn(s, "0123456789abcdefABCDEF") == strlen(s);
}

/* A pasted PEM certificate: printable ASCII, lines. */
static int
valid_pem(const char *s)
{
	for (; *s != '\0'; s++)
		if (((unsigned char)*s < 0x20 && *s != '\n' && *s != '\r') ||
		    (unsigned char)*s >= 0x7f)
			return 0;
	return 1;
}

static const struct ra_field desk_fields[W__MAX] = {
	[W_STEP]	= { "step",		16,	ra_valid_word },
	[W_CODE]	= { "code",		32,	valid_text },
	[W_NAME_JA]	= { "name_ja",		512,	valid_text },
	[W_NAME_EN]	= { "name_en",		64,	valid_text },
	[W_ST]		= { "st",		64,	valid_text },
	[W_L]		= { "l",		64,	valid_text },
	[W_FROM]	= { "from",		10,	valid_text },
	[W_UNTIL]	= { "until",		10,	valid_text },
	[W_INSTITUTION]	= { "institution",	32,	valid_text },
	[W_DOMAIN]	= { "domain",		253,	valid_text },
	[W_OU]		= { "ou",		64,	valid_text },
	[W_ROMAJI]	= { "romaji",		64,	valid_text },
	[W_MAIL]	= { "mail",		254,	valid_text },
	[W_PHONE]	= { "phone",		32,	valid_text },
	[W_DOMAINS]	= { "domains",		1024,	valid_text },
	[W_INTERFACES]	= { "interfaces",	32,	valid_text },
	[W_OFFICER]	= { "officer",		18,	ra_valid_digits },
	[W_STATUS]	= { "status",		16,	ra_valid_word },
	[W_UNIX_USER]	= { "unix_user",	32,	valid_text },
	[W_FINGERPRINT]	= { "fingerprint",	64,	valid_hex },
	[W_CERT_PEM]	= { "cert_pem",		16384,	valid_pem },
	[W_VIEW]	= { "view",		8,	ra_valid_word },
	[W_MAIL_ID]	= { "mail_id",		18,	ra_valid_digits },
	[W_REASON]	= { "reason",		32,	valid_text },
	[W_KIND]	= { "kind",		128,	valid_text },
	[W_CONFIRM]	= { "confirm",		32,	valid_text },
};

static const struct {
	const char	*step;
	enum ra_err	(*run)(struct ra_desk *, const struct ra_desk_args *);
} desk_steps[] = {
	{ "institution", ra_desk_institution_add },
	{ "domain",	ra_desk_domain_add },
	{ "ou",		ra_desk_ou_add },
	{ "ou-remove",	ra_desk_ou_remove },
	{ "status",	ra_desk_institution_status },
	{ "inst-update",	ra_desk_institution_update },
	{ "inst-revoke",	ra_desk_institution_revoke },
	{ "officer",	ra_desk_officer_add },
	{ "pin",	ra_desk_pin_issue },
	{ "reset",	ra_desk_pin_reset },
	{ "reissue",	ra_desk_url_reissue },
	{ "operator-retire", ra_desk_operator_retire },
	{ "mail-resend", ra_desk_mail_resend },
	{ "officer-update", ra_desk_officer_update },
	{ "officer-suspend", ra_desk_officer_suspend },
	{ "officer-resume", ra_desk_officer_resume },
	{ "officer-retire", ra_desk_officer_retire },
	{ "officer-lost", ra_desk_officer_lost },
	{ "renew-reissue", ra_desk_renew_reissue },
};

/* The client certificate mod_ssl verified, or NULL; caller frees. */
static X509 *
presented_cert(void)
{
	const char	*verify = ra_req_env("SSL_CLIENT_VERIFY");
	const char	*pem = ra_req_env("SSL_CLIENT_CERT");
	BIO		*bio;
	X509		*crt;

	if (verify == NULL || strcmp(verify, "SUCCESS") != 0 || pem == NULL ||
	    (bio = BIO_new_mem_buf(pem, -1)) == NULL)
		return NULL;
	crt = PEM_read_bio_X509(bio, NULL, NULL, NULL);
	BIO_free(bio);
	return crt;
}

/* POSTs must come from our own pages: Origin (or Referer) is our site. */
static int
same_origin(struct ra_req *r)
{
	const char	*site = ra_conf_get(&r->conf, "Site.URL");
	const char	*origin = ra_req_env("HTTP_ORIGIN");
	const char	*referer = ra_req_env("HTTP_REFERER");
	size_t		 n;

	if (site == NULL)
		return 0;
	/* "https://host:port" of Site.URL */
	n = strcspn(site + (strncmp(site, "https://", 8) == 0 ? 8 : 0), "/") +
	    (strncmp(site, "https://", 8) == 0 ? 8 : 0);
	if (origin != NULL)
		return strlen(origin) == n && strncmp(origin, site, n) == 0;
	return referer != NULL && strncmp(referer, site, n) == 0 &&
	    (referer[n] == '/' || referer[n] == '\0');
}

/*
 * A POST from another origin: 403 with what is wrong and where the desk
 * is (a browser that opened it at 127.0.0.1 while Site.URL says
 * localhost is the usual case), audited as a refusal.
 */
static enum ra_err
origin_refused(struct ra_req *r)
{
	const char	*site = ra_conf_get(&r->conf, "Site.URL");
	const char	*origin = ra_req_env("HTTP_ORIGIN");
	char		 url[512];

	if (origin == NULL)
		origin = "";
	snprintf(url, sizeof(url), "%s/desk/desk.cgi",
	    site != NULL ? site : "");
	if (*origin != '\0')
		snprintf(r->refusal_buf, sizeof(r->refusal_buf), "cross-site "
		    "POST (Origin %.40s is not Site.URL)", origin);
	else
		snprintf(r->refusal_buf, sizeof(r->refusal_buf), "cross-site "
		    "POST (no Origin, and the Referer is not under Site.URL)");
	r->refusal = r->refusal_buf;
	hdf_set_value(r->page, "Error.Why", "origin");
	hdf_set_value(r->page, "Error.Origin", origin);
	hdf_set_value(r->page, "Error.URL", url);
	hdf_set_int_value(r->page, "Error.Status", 403);
	if (ra_render(r, 403, "error.cs") != RA_OK)
		return RA_EDENIED;
	return RA_EDONE;
}

/* A desk operator registered from a pasted PEM certificate. */
static enum ra_err
web_operator_add(struct ra_desk *d, const struct ra_desk_args *a,
    const char *pem)
{
	BIO		*bio;
	X509		*crt = NULL;
	enum ra_err	 er;

	if (pem == NULL || a->name_ja == NULL)
		return RA_EUSAGE;
	/* Which login acts for whom is root's to say, at the shell. */
	if (a->unix_user != NULL)
		return ra_desk_refuse(d, RA_EINPUT, a, "operator-add: シェルの"
		    "ログイン名はシェルからのみ登録できます (the shell login is "
		    "registered from the shell only)");
	if ((bio = BIO_new_mem_buf(pem, -1)) == NULL)
		return RA_ENOMEM;
	crt = PEM_read_bio_X509(bio, NULL, NULL, NULL);
	BIO_free(bio);
	if (crt == NULL)
		return ra_desk_refuse(d, RA_EINPUT, a, "operator-add: 証明書 "
		    "(PEM) を読めません (the certificate is not PEM)");
	er = ra_desk_operator_add(d, a, crt);
	X509_free(crt);
	return er;
}

/* One desk action from the screen; "d" then says what happened. */
static enum ra_err
desk_web_action(struct ra_desk *d, const char **f)
{
	struct ra_desk_args	 a;
	const char		*step;
	int64_t			 id;
	size_t			 i;
	enum ra_err		 er;

	/* An empty field is one not given: officer-update changes only
	 * what is filled in, and a required one reads as missing. */
	for (i = 0; i < W__MAX; i++)
		if (f[i] != NULL && *f[i] == '\0')
			f[i] = NULL;
	memset(&a, 0, sizeof(a));
	a.code = f[W_CODE];
	a.name_ja = f[W_NAME_JA];
	a.name_en = f[W_NAME_EN];
	a.st = f[W_ST];
	a.l = f[W_L];
	a.from = f[W_FROM];
	a.until = f[W_UNTIL];
	a.institution = f[W_INSTITUTION];
	a.domain = f[W_DOMAIN];
	a.ou = f[W_OU];
	a.romaji = f[W_ROMAJI];
	a.mail = f[W_MAIL];
	a.phone = f[W_PHONE];
	a.domains = f[W_DOMAINS];
	a.interfaces = f[W_INTERFACES];
	a.status = f[W_STATUS];
	a.reason = f[W_REASON];
	a.kind = f[W_KIND];
	a.confirm = f[W_CONFIRM];
	a.unix_user = f[W_UNIX_USER] != NULL && *f[W_UNIX_USER] != '\0' ?
	    f[W_UNIX_USER] : NULL;
	a.fingerprint = f[W_FINGERPRINT];
	step = f[W_STEP] != NULL ? f[W_STEP] : "";
	if ((er = ra_desk_args_ok(d, &a, "desk.screen")) != RA_OK)
		return er;
	if (f[W_MAIL_ID] != NULL) {
		if (!ra_field_i64(f[W_MAIL_ID], 1, INT64_MAX, &id))
			return ra_desk_refuse(d, RA_EINPUT, &a, "%s: mail %s is "
			    "not a number", step, f[W_MAIL_ID]);
		a.mail_id = id;
	}
	if (f[W_OFFICER] != NULL) {
		if (!ra_field_i64(f[W_OFFICER], 1, INT64_MAX, &id))
			return ra_desk_refuse(d, RA_EINPUT, &a, "%s: officer "
			    "%s is not a number", step, f[W_OFFICER]);
		a.officer = id;
	}
	if (strcmp(step, "operator-add") == 0)
		er = web_operator_add(d, &a, f[W_CERT_PEM]);
	else {
		for (i = 0; i < RA_NITEMS(desk_steps); i++)
			if (strcmp(step, desk_steps[i].step) == 0)
				break;
		if (i == RA_NITEMS(desk_steps))
			return ra_desk_refuse(d, RA_EINPUT, &a, "unknown step "
			    "\"%s\"", step);
		er = desk_steps[i].run(d, &a);
	}
	/* The actions audit their own refusals; a form short of a field
	 * never reached one. */
	if (er == RA_EUSAGE)
		er = ra_desk_refuse(d, er, &a, "%s: 入力されていない項目が"
		    "あります (a required field is empty)", step);
	return er;
}

/*
 * Each domain with its OU allow list (Desk.Dom.N.{Code,Name,Ou.M}) and
 * the statuses an institution may take (Desk.Status.N.{Name,Ja}).
 */
static enum ra_err
desk_web_allowlists(struct ra_req *r, struct ra_desk *d)
{
	PGresult	*res = NULL;
	const char	*dom, *ja, *name, *prev = NULL;
	char		 key[80];
	int		 i, n = -1, k = 0;
	size_t		 s;
	enum ra_err	 er;

	for (s = 0; (name = ra_desk_status_name(s, &ja)) != NULL; s++) {
		snprintf(key, sizeof(key), "Desk.Status.%zu.Name", s);
		hdf_set_value(r->page, key, name);
		snprintf(key, sizeof(key), "Desk.Status.%zu.Ja", s);
		hdf_set_value(r->page, key, ja);
	}
	if ((er = ra_desk_allowlists(d, &res)) != RA_OK)
		return er;
	for (i = 0; i < PQntuples(res); i++) {
		dom = ra_get_text(res, i, "domain");
		if (prev == NULL || strcmp(prev, dom) != 0) {
			n++;
			k = 0;
			snprintf(key, sizeof(key), "Desk.Dom.%d.Code", n);
			hdf_set_value(r->page, key, ra_get_text(res, i, "code"));
			snprintf(key, sizeof(key), "Desk.Dom.%d.Name", n);
			hdf_set_value(r->page, key, dom);
		}
		prev = dom;
		if (PQgetisnull(res, i, PQfnumber(res, "ou")))
			continue;	/* a domain with no OU yet */
		snprintf(key, sizeof(key), "Desk.Dom.%d.Ou.%d", n, k++);
		hdf_set_value(r->page, key, ra_get_text(res, i, "ou"));
	}
	PQclear(res);
	return RA_OK;
}

/* Every officer (Desk.Off.N.{Id,Code,NameJa,...}) for the actions. */
static enum ra_err
desk_web_officers(struct ra_req *r, struct ra_desk *d)
{
	static const char *const cols[] = { "officer_id", "code", "name_ja",
	    "name_romaji", "mail", "phone", "status", "domains", "interfaces",
	    "certs", "urls" };
	static const char *const keys[] = { "Id", "Code", "NameJa", "Romaji",
	    "Mail", "Phone", "Status", "Domains", "Interfaces", "Certs",
	    "Urls" };
	PGresult	*res = NULL;
	char		 key[64];
	size_t		 c;
	int		 i;
	enum ra_err	 er;

	_Static_assert(RA_NITEMS(cols) == RA_NITEMS(keys), "officer columns");
	if ((er = ra_desk_officers(d, &res)) != RA_OK)
		return er;
	for (i = 0; i < PQntuples(res); i++)
		for (c = 0; c < RA_NITEMS(cols); c++) {
			snprintf(key, sizeof(key), "Desk.Off.%d.%s", i, keys[c]);
			hdf_set_value(r->page, key, ra_get_text(res, i, cols[c]));
		}
	PQclear(res);
	return RA_OK;
}

/*
 * What a bulk revocation may name: the reasons (Desk.Reason.N.{Code,
 * Name,Ja}) and the kinds (Desk.Kind.N).
 */
static void
desk_web_revoke_choices(struct ra_req *r)
{
	const char	*name, *ja;
	char		 key[64], num[8];
	size_t		 i;
	int		 code;

	for (i = 0; (name = ra_desk_revoke_reason(i, &code, &ja)) != NULL;
	    i++) {
		snprintf(num, sizeof(num), "%d", code);
		snprintf(key, sizeof(key), "Desk.Reason.%zu.Code", i);
		hdf_set_value(r->page, key, num);
		snprintf(key, sizeof(key), "Desk.Reason.%zu.Name", i);
		hdf_set_value(r->page, key, name);
		snprintf(key, sizeof(key), "Desk.Reason.%zu.Ja", i);
		hdf_set_value(r->page, key, ja);
	}
	for (i = 0; (name = ra_desk_revoke_kind(i)) != NULL; i++) {
		snprintf(key, sizeof(key), "Desk.Kind.%zu", i);
		hdf_set_value(r->page, key, name);
	}
}

/*
 * The operations view (Ops.Sec.N.{Name,Ja,En,Problem,Col.M,Row.K.M}, and
 * Ops.Audit, Ops.AuditOk), from desk-ops.c's sections.
 */
static enum ra_err
desk_web_ops(struct ra_req *r, struct ra_desk *d)
{
	const struct ra_desk_ops_section *s;
	PGresult	*res = NULL;
	char		 key[80], audit[256];
	size_t		 i, c;
	int		 row;
	enum ra_err	 er;

	for (i = 0; (s = ra_desk_ops_section(i)) != NULL; i++) {
		if ((er = ra_desk_ops_rows(d, s, &res)) != RA_OK)
			return er;
		snprintf(key, sizeof(key), "Ops.Sec.%zu.Name", i);
		hdf_set_value(r->page, key, s->name);
		snprintf(key, sizeof(key), "Ops.Sec.%zu.Ja", i);
		hdf_set_value(r->page, key, s->title_ja);
		snprintf(key, sizeof(key), "Ops.Sec.%zu.En", i);
		hdf_set_value(r->page, key, s->title_en);
		snprintf(key, sizeof(key), "Ops.Sec.%zu.Problem", i);
		hdf_set_value(r->page, key, s->problem && PQntuples(res) > 0 ?
		    "1" : "0");
		for (c = 0; s->cols[c] != NULL; c++) {
			snprintf(key, sizeof(key), "Ops.Sec.%zu.Col.%zu", i, c);
			hdf_set_value(r->page, key, s->cols[c]);
			for (row = 0; row < PQntuples(res); row++) {
				snprintf(key, sizeof(key), "Ops.Sec.%zu.Row.%d.%zu",
				    i, row, c);
				hdf_set_value(r->page, key, ra_get_text(res, row,
				    s->cols[c]));
			}
		}
		PQclear(res);
		res = NULL;
	}
	er = ra_desk_ops_audit(d, audit, sizeof(audit));
	hdf_set_value(r->page, "Ops.Audit", audit);
	hdf_set_value(r->page, "Ops.AuditOk", er == RA_OK ? "1" : "0");
	return er == RA_EPOLICY ? RA_OK : er;
}

/* The desk operators (Desk.Op.N.{Name,Sha256,Unix,Status,...}). */
static enum ra_err
desk_web_operators(struct ra_req *r, struct ra_desk *d)
{
	static const char *const cols[] = { "name", "sha256", "unix_user",
	    "status", "created", "retired" };
	static const char *const keys[] = { "Name", "Sha256", "Unix",
	    "Status", "Created", "Retired" };
	PGresult	*res = NULL;
	char		 key[64];
	size_t		 c;
	int		 i;
	enum ra_err	 er;

	_Static_assert(RA_NITEMS(cols) == RA_NITEMS(keys), "operator columns");
	if ((er = ra_desk_operators(d, &res)) != RA_OK)
		return er;
	for (i = 0; i < PQntuples(res); i++)
		for (c = 0; c < RA_NITEMS(cols); c++) {
			snprintf(key, sizeof(key), "Desk.Op.%d.%s", i, keys[c]);
			hdf_set_value(r->page, key, ra_get_text(res, i, cols[c]));
		}
	PQclear(res);
	return RA_OK;
}

static enum ra_err
desk_web(struct ra_req *r)
{
	static const char *const cols[] = { "code", "name_ja", "name_en",
	    "status", "domains", "officers" };
	static const char *const keys[] = { "Code", "NameJa", "NameEn",
	    "Status", "Domains", "Officers" };
	struct ra_desk		 d;
	X509			*crt = NULL;
	PGresult		*res = NULL;
	const char		*f[W__MAX];
	char			 key[64], actor[264];
	size_t			 c;
	int			 i;
	enum ra_err		 er;

	_Static_assert(RA_NITEMS(cols) == RA_NITEMS(keys), "overview columns");
	memset(&d, 0, sizeof(d));
	if ((er = ra_form_get(r, desk_fields, W__MAX, f)) != RA_OK ||
	    (er = desk_open(r, &d, actor, sizeof(actor), "?")) != RA_OK)
		return er;
	/*
	 * Desk operators only: their certificate, registered by hash, within
	 * its validity and not revoked.  Apache checks no CRL (the officer
	 * screens check PostgreSQL instead), so revocation is checked here.
	 */
	er = RA_EDENIED;
	if ((crt = presented_cert()) == NULL) {
		r->refusal = "no verified client certificate";
		goto out;
	}
	if (X509_cmp_current_time(X509_get0_notBefore(crt)) >= 0 ||
	    X509_cmp_current_time(X509_get0_notAfter(crt)) <= 0) {
		r->refusal = "desk operator certificate not valid now (expired)";
		goto out;
	}
	if ((er = ra_desk_operator(&d, crt)) != RA_OK) {
		/* The audit of the refusal reads it after "d" is gone. */
		if (er == RA_EDENIED) {
			snprintf(r->refusal_buf, sizeof(r->refusal_buf), "%.*s",
			    (int)sizeof(r->refusal_buf) - 1, d.why);
			r->refusal = r->refusal_buf;
		}
		goto out;
	}
	snprintf(actor, sizeof(actor), "desk:%s", d.operator_name);
	hdf_set_value(r->page, "Desk.Operator", d.operator_name);
	hdf_set_value(r->page, "Desk.OperatorSha256", d.operator_sha256);
	desk_web_revoke_choices(r);
	if (strcmp(ra_req_method(r), "POST") == 0) {
		if (!same_origin(r)) {
			er = origin_refused(r);
			goto out;
		}
		er = desk_web_action(&d, f);
		hdf_set_value(r->page, "Desk.Said", er == RA_OK ? d.said :
		    *d.why != '\0' ? d.why : ra_strerror(er));
		hdf_set_value(r->page, "Desk.Ok", er == RA_OK ? "1" : "0");
		if (er != RA_OK && er != RA_EINPUT && er != RA_EUSAGE &&
		    er != RA_EDUP && er != RA_EDB && er != RA_EDENIED)
			goto out;
	}
	if (f[W_VIEW] != NULL && strcmp(f[W_VIEW], "ops") == 0) {
		if ((er = desk_web_ops(r, &d)) == RA_OK)
			er = ra_render(r, 200, "desk-ops.cs");
		goto out;
	}
	if ((er = ra_desk_overview(&d, &res)) != RA_OK)
		goto out;
	for (i = 0; i < PQntuples(res); i++)
		for (c = 0; c < RA_NITEMS(cols); c++) {
			snprintf(key, sizeof(key), "Desk.Inst.%d.%s", i, keys[c]);
			hdf_set_value(r->page, key, ra_get_text(res, i, cols[c]));
		}
	if ((er = desk_web_allowlists(r, &d)) != RA_OK ||
	    (er = desk_web_officers(r, &d)) != RA_OK ||
	    (er = desk_web_operators(r, &d)) != RA_OK)
		goto out;
	er = ra_render(r, 200, "desk.cs");
out:
	PQclear(res);
	X509_free(crt);
	ra_desk_free(&d);
	return er;
}

int
main(int argc, char *argv[])
{
	static const struct ra_screen sc = { desk_fields, W__MAX, desk_web,
	    RA_DB_DESK };

	if (ra_req_env("GATEWAY_INTERFACE") == NULL)
		return ra_shell_main(argc, argv, commands, RA_NITEMS(commands),
		    "desk.cgi institution-add|domain-add|ou-add|ou-remove|"
		    "institution-status|institution-update|institution-revoke|"
		    "officer-add|officer-update|officer-suspend|officer-resume|"
		    "officer-retire|officer-lost|"
		    "url-reissue|pin-issue|pin-reset|renew-notify|renew-reissue|"
		    "operator-add|operator-retire|operators|ops-status|"
		    "mail-resend|codesign-add "
		    "[options]");
	return ra_web_main(argc, argv, &sc);
}
