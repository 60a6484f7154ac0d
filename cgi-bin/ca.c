/*
 * ca.cgi: CAs and certificates from a shell, for the service desk and for
 * scripts; the screens call the same library functions.
 *
 *	ca.cgi import --name N --slug S --cert FILE [--key FILE]
 *	    [--kind K [--current]] [--crl-url U] [--issuer-url U]
 *	ca.cgi urls --slug S [--crl-url U] [--issuer-url U]
 *	ca.cgi current --name N --kind K
 *	ca.cgi request --institution CODE --profile ID --subject DN
 *	    [--csr FILE] [--san NAMES] [--secret-stdin] [--wait SECONDS]
 *	ca.cgi revoke --serial S --reason R [--comment TEXT] [--ca NAME]
 *	ca.cgi status --serial S
 *	ca.cgi cert --request ID
 *	ca.cgi p12 --request ID --format modern|legacy --out FILE
 *	ca.cgi client-ca-bundle [--out FILE] [--reload]
 *	ca.cgi lint FILE [--kind K]
 *
 * Secrets (the key password) come on standard input, never as arguments.
 * Under Apache: 403.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "ra.h"
#include "web.h"
#include "domain.h"
#include "lint.h"

#define SECRET_MAX	128

struct opts {
	const char	*name, *slug, *cert, *key, *kind, *crl_url,
			*issuer_url, *institution, *subject, *csr, *san,
			*serial, *comment, *ca, *out, *p12;
	int		 current, secret_stdin, wait, profile, reason, reload;
	long long	 request;
};

/* Options; numbers are checked, everything else is checked where used. */
static enum ra_err
opts_parse(int argc, char *argv[], struct opts *o)
{
	static const struct option lopts[] = {
		{ "name", required_argument, NULL, 'n' },
		{ "slug", required_argument, NULL, 'S' },
		{ "cert", required_argument, NULL, 'c' },
		{ "key", required_argument, NULL, 'k' },
		{ "kind", required_argument, NULL, 'K' },
		{ "current", no_argument, NULL, 'C' },
		{ "crl-url", required_argument, NULL, 'u' },
		{ "issuer-url", required_argument, NULL, 'U' },
		{ "institution", required_argument, NULL, 'i' },
		{ "profile", required_argument, NULL, 'p' },
		{ "subject", required_argument, NULL, 's' },
		{ "csr", required_argument, NULL, 'r' },
		{ "san", required_argument, NULL, 'd' },
		{ "secret-stdin", no_argument, NULL, 'x' },
		{ "wait", required_argument, NULL, 'w' },
		{ "serial", required_argument, NULL, 'N' },
		{ "reason", required_argument, NULL, 'R' },
		{ "comment", required_argument, NULL, 'm' },
		{ "ca", required_argument, NULL, 'a' },
		{ "request", required_argument, NULL, 'q' },
		{ "out", required_argument, NULL, 'o' },
		{ "format", required_argument, NULL, 'f' },
		{ "reload", no_argument, NULL, 'L' },
		{ NULL, 0, NULL, 0 }
	};
	char	*end;
	long	 v;
	int	 ch;

	memset(o, 0, sizeof(*o));
	o->reason = -1;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "", lopts, NULL)) != -1) {
		if (strchr("pwRq", ch) != NULL) {
			errno = 0;
			v = strtol(optarg, &end, 10);
			if (errno != 0 || *end != '\0' || v < 0 ||
			    v > 1000000000L)
				return RA_EUSAGE;
		} else
			v = 0;
		switch (ch) {
		case 'n': o->name = optarg; break;
		case 'S': o->slug = optarg; break;
		case 'c': o->cert = optarg; break;
		case 'k': o->key = optarg; break;
		case 'K': o->kind = optarg; break;
		case 'C': o->current = 1; break;
		case 'u': o->crl_url = optarg; break;
		case 'U': o->issuer_url = optarg; break;
		case 'i': o->institution = optarg; break;
		case 'p': o->profile = (int)v; break;
		case 'f': o->p12 = optarg; break;
		case 's': o->subject = optarg; break;
		case 'r': o->csr = optarg; break;
		case 'd': o->san = optarg; break;
		case 'x': o->secret_stdin = 1; break;
		case 'w': o->wait = (int)v; break;
		case 'N': o->serial = optarg; break;
		case 'R': o->reason = (int)v; break;
		case 'm': o->comment = optarg; break;
		case 'a': o->ca = optarg; break;
		case 'q': o->request = v; break;
		case 'o': o->out = optarg; break;
		case 'L': o->reload = 1; break;
		default: return RA_EUSAGE;
		}
	}
	return optind == argc ? RA_OK : RA_EUSAGE;
}

/* A secret from standard input: one line, newline stripped. */
static enum ra_err
secret_read(char *buf, size_t sz)
{
	size_t	 n;

	if (fgets(buf, (int)sz, stdin) == NULL) {
		ra_warnx("no password on standard input");
		return RA_EINPUT;
	}
	n = strcspn(buf, "\r\n");
	buf[n] = '\0';
	return RA_OK;
}

static enum ra_err
import_cert(const struct opts *o, X509 **crt, struct ra_certinfo *ci,
    char **akihex)
{
	const ASN1_OCTET_STRING	*aki;
	enum ra_err		 er;

	*akihex = NULL;
	if ((*crt = ra_pem_read_cert(o->cert)) == NULL)
		return RA_EINPUT;
	if (X509_check_ca(*crt) == 0) {
		ra_warnx("%s is not a CA certificate", o->cert);
		return RA_EINPUT;
	}
	if ((er = ra_certinfo_get(*crt, ci)) != RA_OK)
		return er;
	if ((aki = X509_get0_authority_key_id(*crt)) != NULL &&
	    (*akihex = ra_bytea_hex(ASN1_STRING_get0_data(aki),
	    (size_t)ASN1_STRING_length(aki))) == NULL)
		return RA_ENOMEM;
	return RA_OK;
}

/*
 * What a new or newly current CA still needs, said rather than done: the
 * running worker loads CA keys at start and on SIGHUP, and Apache trusts
 * the RA-officer and client CAs listed in the client-CA bundle only.
 */
static void
rollover_hints(const char *kind, int key)
{
	if (key)
		printf("worker: a running \"worker.cgi run\" signs with it "
		    "after SIGHUP (kill -HUP, its pid file) or a restart\n");
	if (kind != NULL && (strcmp(kind, "ra_officer") == 0 ||
	    strcmp(kind, "client") == 0))
		printf("Apache: its certificates log in once the client-CA "
		    "bundle lists it: run \"ca.cgi client-ca-bundle "
		    "--reload\"\n");
}

/* Register a production CA from its PEM certificate (and key path). */
static enum ra_err
cmd_import(struct ra_req *r, const struct opts *o)
{
	struct ra_certinfo	 ci;
	struct ra_ca_row	 ca;
	X509			*crt = NULL;
	const char		*keydir = ra_conf_get(&r->conf, "Worker.KeyDir");
	char			*akihex = NULL, why[160], crl[512], aia[512];
	int64_t			 id;
	int			 selfsigned, same;
	enum ra_err		 er;

	memset(&ci, 0, sizeof(ci));
	memset(&ca, 0, sizeof(ca));
	if (o->name == NULL || o->slug == NULL || o->cert == NULL ||
	    (o->current && o->kind == NULL) ||
	    (o->key != NULL && o->key[0] != '/' &&
	    strncmp(o->key, "pkcs11:", 7) != 0))
		return RA_EUSAGE;
	if ((er = import_cert(o, &crt, &ci, &akihex)) != RA_OK)
		goto out;
	selfsigned = X509_check_issued(crt, crt) == X509_V_OK;
	/*
	 * Only the worker opens CA keys, from Worker.KeyDir or a token; it
	 * checks the pair when it loads the key (and refuses a mismatch).
	 * A token key is its URI here, checked, never opened.
	 */
	if (o->key != NULL && strncmp(o->key, "pkcs11:", 7) == 0) {
		if (!ra_p11uri_ok(o->key, why, sizeof(why))) {
			ra_warnx("--key %s: not a usable PKCS#11 URI: %s",
			    o->key, why);
			er = RA_EINPUT;
			goto out;
		}
	} else if (o->key != NULL && (keydir == NULL ||
	    !ra_key_path_ok(keydir, o->key))) {
		ra_warnx("%s is not below Worker.KeyDir %s: the worker would "
		    "not load it", o->key, keydir != NULL ? keydir : "(unset)");
		er = RA_EINPUT;
		goto out;
	}
	if ((er = ra_req_db(r, RA_DB_ADMIN)) != RA_OK ||
	    (er = ra_db_begin(r->db)) != RA_OK)
		goto out;
	ca.name = o->name;
	ca.slug = o->slug;
	ca.subject = ci.subject;
	ca.der_hex = ci.der_hex;
	ca.ski_hex = ci.ski_hex;
	ca.key_path = o->key;
	ca.not_before = ci.not_before;
	ca.not_after = ci.not_after;
	/* Unless told otherwise, where ra publishes them (Paths.Crl). */
	if ((er = ra_ca_urls(&r->conf, o->slug, crl, sizeof(crl), aia,
	    sizeof(aia))) != RA_OK)
		goto out;
	ca.crl_url = o->crl_url != NULL ? o->crl_url : crl;
	ca.issuer_url = o->issuer_url != NULL ? o->issuer_url : aia;
	if (!selfsigned && (akihex == NULL || (er = ra_ca_by_ski(r->db, akihex,
	    &ca.parent_ca_id)) != RA_OK)) {
		if (akihex == NULL || er == RA_ENOTFOUND) {
			ra_warnx("%s: its issuer is not registered; "
			    "import the parent CA first", o->cert);
			er = RA_EINPUT;
		}
		goto out;
	}
	if ((er = ra_ca_insert(r->db, &ca, &id)) == RA_EDUP) {
		/*
		 * The same CA again (the guide run twice) changes nothing,
		 * not even which CA is current; a clash is an error.
		 */
		ra_db_rollback(r->db);
		if ((er = ra_ca_same(r->db, &ca, &same)) != RA_OK)
			goto out;
		if (same) {
			printf("CA %s is registered already with this "
			    "certificate; nothing changed\n", o->name);
			er = ra_ca_publish_cert(&r->conf, o->slug, crt);
			goto out;
		}
		ra_warnx("CA %s: a CA of that name, slug or certificate "
		    "is registered already", o->name);
		er = RA_EDUP;
	}
	if (er != RA_OK)
		goto out;
	if (o->kind != NULL && (er = ra_ca_kind_add(r->db, id, o->kind, 0)) !=
	    RA_OK)
		goto out;
	if (o->current && (er = ra_ca_make_current(r->db, o->name, o->kind)) !=
	    RA_OK)
		goto out;
	/* Published first: a CA registered is one whose caIssuers resolves. */
	if ((er = ra_ca_publish_cert(&r->conf, o->slug, crt)) != RA_OK ||
	    (er = ra_db_commit(r->db)) != RA_OK)
		goto out;
	printf("CA %s registered (%s)\n", o->name, ci.subject);
	printf("  CRL distribution point: %s\n", *ca.crl_url != '\0' ?
	    ca.crl_url : "(none)");
	printf("  caIssuers: %s\n", *ca.issuer_url != '\0' ?
	    ca.issuer_url : "(none)");
	rollover_hints(o->kind, o->key != NULL);
out:
	ra_db_rollback(r->db);
	X509_free(crt);
	ra_certinfo_free(&ci);
	free(akihex);
	return er;
}

/* Make CA "name" the one that issues new certificates of "kind". */
static enum ra_err
cmd_current(struct ra_req *r, const struct opts *o)
{
	enum ra_err	 er;

	if (o->name == NULL || o->kind == NULL)
		return RA_EUSAGE;
	if ((er = ra_req_db(r, RA_DB_ADMIN)) != RA_OK ||
	    (er = ra_db_begin(r->db)) != RA_OK)
		return er;
	if ((er = ra_ca_make_current(r->db, o->name, o->kind)) == RA_OK &&
	    (er = ra_db_commit(r->db)) == RA_OK) {
		printf("CA %s now issues new %s certificates\n", o->name,
		    o->kind);
		rollover_hints(o->kind, 1);
	}
	ra_db_rollback(r->db);
	return er;
}

/* Report a request's outcome; RA_EPOLICY if it failed. */
static enum ra_err
report(PGconn *db, int64_t id, int wait_s)
{
	char		 state[16], err[512], serial[64];
	enum ra_err	 er;

	if ((er = ra_request_wait(db, id, 1000L * wait_s, state, sizeof(state),
	    err, sizeof(err))) != RA_OK)
		return er;
	if (strcmp(state, "done") != 0) {
		printf("request %lld %s%s%s\n", (long long)id, state,
		    *err != '\0' ? ": " : "", err);
		return strcmp(state, "queued") == 0 ? RA_OK : RA_EPOLICY;
	}
	if ((er = ra_request_serial(db, id, serial)) != RA_OK &&
	    er != RA_ENOTFOUND)
		return er;
	printf("request %lld done: serial %s\n", (long long)id,
	    er == RA_OK ? serial : "?");
	return RA_OK;
}

/* Check and queue one issuance request, then (optionally) wait for it. */
static enum ra_err
cmd_request(struct ra_req *r, const struct opts *o)
{
	struct ra_newreq	 rq;
	X509_NAME		*subject = NULL;
	char			*csr = NULL, secret[SECRET_MAX + 2], why[512];
	size_t			 csrlen = 0;
	int64_t			 id;
	enum ra_err		 er;

	memset(&rq, 0, sizeof(rq));
	memset(secret, 0, sizeof(secret));
	if (o->institution == NULL || o->profile == 0 || o->subject == NULL)
		return RA_EUSAGE;
	if ((er = ra_dn_parse(o->subject, &subject, why, sizeof(why))) !=
	    RA_OK) {
		ra_warnx("refused: subject: %s", why);
		return er;
	}
	if ((o->csr != NULL &&
	    (er = ra_read_file(o->csr, 65536, &csr, &csrlen)) != RA_OK) ||
	    (o->secret_stdin &&
	    (er = secret_read(secret, sizeof(secret))) != RA_OK) ||
	    (er = ra_req_db(r, RA_DB_ADMIN)) != RA_OK ||
	    (er = ra_institution_by_code(r->db, o->institution,
	    &rq.institution_id)) != RA_OK) {
		if (er == RA_ENOTFOUND) {
			ra_warnx("no institution has code %s", o->institution);
			er = RA_EINPUT;
		}
		goto out;
	}
	rq.profile_id = o->profile;
	rq.subject = subject;
	rq.san_dns = o->san;
	rq.csr = (unsigned char *)csr;
	rq.csrlen = csrlen;
	rq.key_secret = o->secret_stdin ? secret : NULL;
	if ((er = ra_db_begin(r->db)) != RA_OK)
		goto out;
	if ((er = ra_request_add(r->db, &rq, &id, why, sizeof(why))) != RA_OK ||
	    (er = ra_queue_notify(r->db)) != RA_OK ||
	    (er = ra_db_commit(r->db)) != RA_OK) {
		if (er == RA_EINPUT || er == RA_EPOLICY || er == RA_EDUP)
			ra_warnx("refused: %s", why);
		ra_db_rollback(r->db);
		goto out;
	}
	printf("request %lld queued\n", (long long)id);
	if (o->wait > 0)
		er = report(r->db, id, o->wait);
out:
	OPENSSL_cleanse(secret, sizeof(secret));
	X509_NAME_free(subject);
	free(csr);
	return er;
}

static enum ra_err
cmd_revoke(struct ra_req *r, const struct opts *o)
{
	struct ra_revoke	 rv;
	char			 why[256];
	enum ra_err		 er;

	memset(&rv, 0, sizeof(rv));
	if (o->serial == NULL || o->reason < 0)
		return RA_EUSAGE;
	if ((er = ra_req_db(r, RA_DB_ADMIN)) != RA_OK)
		return er;
	if (o->ca != NULL &&
	    (er = ra_ca_by_name(r->db, o->ca, &rv.ca_id)) != RA_OK) {
		if (er != RA_ENOTFOUND)
			return er;
		ra_warnx("no CA is named %s", o->ca);
		return RA_EINPUT;
	}
	rv.serial = o->serial;
	rv.reason = o->reason;
	rv.comment = o->comment;
	rv.actor = "cli";
	if ((er = ra_db_begin(r->db)) != RA_OK)
		return er;
	if ((er = ra_revoke(r->db, &rv, why, sizeof(why))) != RA_OK ||
	    (er = ra_db_commit(r->db)) != RA_OK) {
		if (er != RA_EDB && er != RA_EDBDOWN)
			ra_warnx("refused: %s", why);
		ra_db_rollback(r->db);
		return er;
	}
	printf("serial %s revoked (reason %d); it appears in the next CRL\n",
	    o->serial, o->reason);
	return RA_OK;
}

static enum ra_err
cmd_status(struct ra_req *r, const struct opts *o)
{
	enum ra_err	 er;

	if (o->serial == NULL)
		return RA_EUSAGE;
	if ((er = ra_req_db(r, RA_DB_ADMIN)) != RA_OK)
		return er;
	if ((er = ra_cert_status(r->db, o->serial, stdout)) == RA_ENOTFOUND)
		ra_warnx("no certificate has serial %s", o->serial);
	else if (er == RA_EINPUT)
		ra_warnx("%s: a serial is decimal digits", o->serial);
	return er;
}

/* The issued certificate and its chain, PEM, on standard output. */
static enum ra_err
cmd_cert(struct ra_req *r, const struct opts *o)
{
	STACK_OF(X509)		*chain = NULL;
	const unsigned char	*p;
	unsigned char		*der = NULL;
	size_t			 len = 0;
	int64_t			 ca_id;
	X509			*crt = NULL;
	int			 i;
	enum ra_err		 er;

	if (o->request <= 0)
		return RA_EUSAGE;
	if ((er = ra_req_db(r, RA_DB_ADMIN)) != RA_OK)
		return er;
	if ((er = ra_request_cert(r->db, o->request, &der, &len, &ca_id)) ==
	    RA_ENOTFOUND)
		ra_warnx("request %lld has no issued certificate", o->request);
	if (er != RA_OK ||
	    (er = ra_chain_load(r->db, ca_id, &chain)) != RA_OK)
		goto out;
	p = der;
	if ((crt = d2i_X509(NULL, &p, (long)len)) == NULL) {
		er = RA_ECRYPTO;
		goto out;
	}
	PEM_write_X509(stdout, crt);
	for (i = 0; i < sk_X509_num(chain); i++)
		PEM_write_X509(stdout, sk_X509_value(chain, i));
out:
	X509_free(crt);
	sk_X509_pop_free(chain, X509_free);
	PQfreemem(der);
	return er;
}

/* Take the PKCS#12 of a server-made key; the password on standard input. */
static enum ra_err
cmd_p12(struct ra_req *r, const struct opts *o)
{
	unsigned char	*der = NULL;
	size_t		 len;
	char		 secret[SECRET_MAX + 2], serial[64];
	int		 prof;
	enum ra_err	 er;

	if (o->request <= 0 || o->out == NULL || o->p12 == NULL)
		return RA_EUSAGE;
	if ((prof = ra_p12_profile(o->p12)) < 0) {
		ra_warnx("--format is modern or legacy");
		return RA_EUSAGE;
	}
	if ((er = secret_read(secret, sizeof(secret))) != RA_OK ||
	    (er = ra_req_db(r, RA_DB_ADMIN)) != RA_OK ||
	    (er = ra_db_begin(r->db)) != RA_OK)
		goto out;
	er = ra_p12_take(r->db, o->request, secret, prof, "cli", &der, &len,
	    serial);
	if (er == RA_ENOTFOUND)
		ra_warnx("request %lld has no key waiting (never, taken or "
		    "expired)", o->request);
	else if (er == RA_EDENIED)
		ra_warnx("wrong password for request %lld", o->request);
	/* The key is gone only once the file is safely written. */
	if (er == RA_OK && (er = ra_write_atomic(o->out, der, len, 0600)) ==
	    RA_OK)
		er = ra_db_commit(r->db);
	ra_db_rollback(r->db);
out:
	OPENSSL_cleanse(secret, sizeof(secret));
	OPENSSL_free(der);
	return er;
}

/*
 * The client-CA bundle Apache trusts, made from ra.ca (lib/cabundle.c) and
 * written to --out or Apache.ClientCA; with --reload, Apache's graceful
 * restart, by the pid in Apache.PidFile, whether the file changed or not.
 */
static enum ra_err
cmd_client_ca_bundle(struct ra_req *r, const struct opts *o)
{
	const char	*out = o->out, *pidfile;
	int		 changed;
	enum ra_err	 er;

	if (out == NULL && (out = ra_conf_get(&r->conf, "Apache.ClientCA")) ==
	    NULL) {
		ra_warnx("config %s: Apache.ClientCA is not set; give --out",
		    r->conf.path);
		return RA_EUSAGE;
	}
	pidfile = ra_conf_get(&r->conf, "Apache.PidFile");
	if (o->reload && pidfile == NULL) {
		ra_warnx("config %s: Apache.PidFile is not set: --reload "
		    "cannot find Apache", r->conf.path);
		return RA_ECONF;
	}
	if ((er = ra_req_db(r, RA_DB_ADMIN)) != RA_OK)
		return er;
	printf("client-CA bundle %s:\n", out);
	if ((er = ra_cabundle_write(r->db, out, stdout, &changed)) != RA_OK)
		return er;
	printf("%s\n", changed ? "written" : "unchanged, not rewritten");
	if (!o->reload)
		return RA_OK;
	if ((er = ra_apache_reload(pidfile)) == RA_OK)
		printf("Apache told to reload gracefully (SIGUSR1)\n");
	return er;
}

/*
 * ca.cgi lint FILE [--kind K]: the worker's pre-issuance lints over any
 * PEM certificate, ra's or a foreign CA's.  One line per finding; exit 1
 * on any error-level finding.  The kind defaults to the one the EKU
 * suggests; AIA caIssuers and a CRL DP are required, as ra sets both.
 */
static enum ra_err
ca_lint(struct ra_req *r)
{
	struct ra_lint_result	*res = NULL;
	struct ra_lint_ctx	 x;
	struct opts		 o;
	X509			*crt = NULL;
	size_t			 i;
	enum ra_err		 er;

	/* The file first; getopt skips its argv[0], here the file name. */
	if (r->argc < 2 || r->argv[1][0] == '-' ||
	    opts_parse(r->argc - 1, r->argv + 1, &o) != RA_OK)
		return RA_EUSAGE;
	if (o.kind != NULL && !ra_lint_kind_ok(o.kind)) {
		ra_warnx("--kind %s: not one of server, smime, client, "
		    "ra_officer, code_signing", o.kind);
		return RA_EUSAGE;
	}
	if ((crt = ra_pem_read_cert(r->argv[1])) == NULL)
		return RA_EINPUT;
	memset(&x, 0, sizeof(x));
	x.kind = o.kind != NULL ? o.kind : ra_lint_kind_guess(crt);
	x.want_aia = x.want_cdp = 1;
	if ((res = calloc(1, sizeof(*res))) == NULL) {
		er = RA_ENOMEM;
		goto out;
	}
	if ((er = ra_lint_run(crt, &x, res)) != RA_OK)
		goto out;
	for (i = 0; i < res->n; i++)
		printf("%s %s (%s): %s\n", res->f[i].level == RA_LINT_ERROR ?
		    "error" : "warning", res->f[i].id, res->f[i].source,
		    res->f[i].msg);
	printf("%s: %s as %s, %zu error(s), %zu finding(s)\n", r->argv[1],
	    res->errors > 0 ? "REFUSED" : "clean", x.kind, res->errors,
	    res->n);
	/* Findings are printed: exit 1 without another message. */
	er = res->errors > 0 ? RA_EDONE : RA_OK;
out:
	free(res);
	X509_free(crt);
	return er;
}

/* Each command parses the options the same way, then runs. */
static enum ra_err
with_opts(struct ra_req *r, enum ra_err (*run)(struct ra_req *,
    const struct opts *))
{
	struct opts	 o;
	enum ra_err	 er;

	if ((er = opts_parse(r->argc, r->argv, &o)) != RA_OK)
		return er;
	return run(r, &o);
}

/*
 * The URLs a CA puts in the certificates it signs from now on, for a CA
 * whose CRLs or certificate moved: only what is given changes ("" for
 * none).  The worker signs with the new ones after its SIGHUP.
 */
static enum ra_err
cmd_urls(struct ra_req *r, const struct opts *o)
{
	char		*crl = NULL, *aia = NULL;
	enum ra_err	 er;

	if (o->slug == NULL || (o->crl_url == NULL && o->issuer_url == NULL))
		return RA_EUSAGE;
	if ((er = ra_req_db(r, RA_DB_ADMIN)) != RA_OK)
		return er;
	er = ra_ca_set_urls(r->db, o->slug, o->crl_url != NULL ?
	    o->crl_url : "-", o->issuer_url != NULL ? o->issuer_url : "-",
	    &crl, &aia);
	if (er == RA_ENOTFOUND)
		ra_warnx("no CA with the slug %s (ca.cgi(8), import)", o->slug);
	if (er == RA_OK) {
		printf("CA %s: CRL distribution point %s, caIssuers %s\n",
		    o->slug, *crl != '\0' ? crl : "(none)",
		    *aia != '\0' ? aia : "(none)");
		printf("send the worker SIGHUP (systemctl reload ra-worker) "
		    "for its next certificates to carry them\n");
	}
	free(crl);
	free(aia);
	return er;
}

#define CA_COMMAND(name)						\
static enum ra_err							\
ca_##name(struct ra_req *r)						\
{									\
	return with_opts(r, cmd_##name);				\
}
CA_COMMAND(import)
CA_COMMAND(urls)
CA_COMMAND(current)
CA_COMMAND(request)
CA_COMMAND(revoke)
CA_COMMAND(status)
CA_COMMAND(cert)
CA_COMMAND(p12)
CA_COMMAND(client_ca_bundle)

static const struct ra_cmd commands[] = {
	{ "import",	-1,	ca_import },
	{ "urls",	-1,	ca_urls },
	{ "current",	-1,	ca_current },
	{ "request",	-1,	ca_request },
	{ "revoke",	-1,	ca_revoke },
	{ "status",	-1,	ca_status },
	{ "cert",	-1,	ca_cert },
	{ "p12",	-1,	ca_p12 },
	{ "client-ca-bundle", -1, ca_client_ca_bundle },
	{ "lint",	-1,	ca_lint },
};

int
main(int argc, char *argv[])
{
	return ra_shell_main(argc, argv, commands, RA_NITEMS(commands),
	    "ca.cgi import|urls|current|request|revoke|status|cert|p12|"
	    "client-ca-bundle|lint [options]; "
	    "see ca.cgi(8)");
}
