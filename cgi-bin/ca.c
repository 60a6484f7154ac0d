/*
 * ca.cgi: CAs and certificates from a shell, for the service desk and for
 * scripts; the screens call the same library functions.
 *
 *	ca.cgi import --name N --slug S --cert FILE [--key FILE]
 *	    [--kind K [--current]] [--crl-url U] [--issuer-url U]
 *	ca.cgi current --name N --kind K
 *	ca.cgi request --institution CODE --profile ID --subject DN
 *	    [--csr FILE] [--san NAMES] [--secret-stdin] [--wait SECONDS]
 *	ca.cgi revoke --serial S --reason R [--comment TEXT] [--ca NAME]
 *	ca.cgi status --serial S
 *	ca.cgi cert --request ID
 *	ca.cgi p12 --request ID --format modern|legacy --out FILE
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

#define SECRET_MAX	128

struct opts {
	const char	*name, *slug, *cert, *key, *kind, *crl_url,
			*issuer_url, *institution, *subject, *csr, *san,
			*serial, *comment, *ca, *out, *p12;
	int		 current, secret_stdin, wait, profile, reason;
	long long	 request;
};

static const char SQL_INSTITUTION[] =
    "SELECT institution_id FROM ra.institution WHERE code = $1";
static const char SQL_CA_IMPORT[] =
    "INSERT INTO ra.ca (name, slug, role, parent_ca_id, subject_dn, cert_der,"
    "  ski, key_path, not_before, not_after, crl_url, issuer_url)"
    " VALUES ($1, $2, $3, (SELECT ca_id FROM ra.ca WHERE ski = $4::bytea),"
    "  $5, $6::bytea, $7::bytea, $8, $9::timestamptz, $10::timestamptz,"
    "  $11, $12)"
    " RETURNING ca_id, parent_ca_id IS NOT NULL";
static const char SQL_CA_PARENT[] =
    "SELECT ca_id FROM ra.ca WHERE ski = $1::bytea";
static const char SQL_CA_KIND[] =
    "INSERT INTO ra.ca_kind (ca_id, kind) VALUES ($1::bigint, $2)"
    " ON CONFLICT DO NOTHING";
static const char SQL_CA_UNCURRENT[] =
    "UPDATE ra.ca_kind SET current = false WHERE kind = $1 AND current";
static const char SQL_CA_CURRENT[] =
    "UPDATE ra.ca_kind SET current = true"
    " WHERE kind = $2 AND ca_id = (SELECT ca_id FROM ra.ca WHERE name = $1)";
static const char SQL_CA_BY_NAME[] =
    "SELECT ca_id FROM ra.ca WHERE name = $1";
static const char SQL_CERT[] =
    "SELECT der, ca_id FROM ra.certificate"
    " WHERE request_id = $1::bigint AND state = 'issued'";
static const char SQL_SERIAL_OF[] =
    "SELECT serial::text FROM ra.certificate WHERE request_id = $1::bigint";

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

/* Inside a transaction: CA "name" issues new certificates of "kind". */
static enum ra_err
make_current(PGconn *db, const char *name, const char *kind)
{
	PGresult	*res = NULL;
	const char	*param[2];
	enum ra_err	 er;

	param[0] = kind;
	if ((er = ra_db_command(db, "uncurrent", SQL_CA_UNCURRENT, 1,
	    param)) != RA_OK)
		return er;
	param[0] = name;
	param[1] = kind;
	if ((er = ra_db_query(db, "current", SQL_CA_CURRENT, 2, param,
	    &res)) != RA_OK)
		return er;
	if (strcmp(PQcmdTuples(res), "1") != 0) {
		ra_warnx("CA %s does not issue %s certificates", name, kind);
		er = RA_EINPUT;
	}
	PQclear(res);
	return er;
}

/* Register a production CA from its PEM certificate (and key path). */
static enum ra_err
cmd_import(struct ra_req *r, const struct opts *o)
{
	struct ra_certinfo	 ci;
	PGresult		*res = NULL;
	X509			*crt = NULL;
	EVP_PKEY		*key;
	FILE			*fp;
	const char		*param[12];
	char			*akihex = NULL;
	int			 selfsigned;
	enum ra_err		 er;

	memset(&ci, 0, sizeof(ci));
	if (o->name == NULL || o->slug == NULL || o->cert == NULL ||
	    (o->current && o->kind == NULL) ||
	    (o->key != NULL && o->key[0] != '/'))
		return RA_EUSAGE;
	if ((er = import_cert(o, &crt, &ci, &akihex)) != RA_OK)
		goto out;
	selfsigned = X509_check_issued(crt, crt) == X509_V_OK;
	/* The key is the worker's to read; check the pair only if we can. */
	if (o->key != NULL && (fp = fopen(o->key, "r")) != NULL) {
		key = PEM_read_PrivateKey(fp, NULL, NULL, NULL);
		fclose(fp);
		if (key == NULL || X509_check_private_key(crt, key) != 1) {
			ra_warnx("%s does not match %s", o->key, o->cert);
			EVP_PKEY_free(key);
			er = RA_EINPUT;
			goto out;
		}
		EVP_PKEY_free(key);
	}
	if ((er = ra_req_db(r, RA_DB_ADMIN)) != RA_OK ||
	    (er = ra_db_begin(r->db)) != RA_OK)
		goto out;
	if (!selfsigned) {
		param[0] = akihex;
		if (akihex == NULL || (er = ra_db_query(r->db, "parent CA",
		    SQL_CA_PARENT, 1, param, &res)) != RA_OK ||
		    PQntuples(res) != 1) {
			if (er == RA_OK) {
				ra_warnx("%s: its issuer is not registered; "
				    "import the parent CA first", o->cert);
				er = RA_EINPUT;
			}
			goto out;
		}
		PQclear(res);
		res = NULL;
	}
	param[0] = o->name;
	param[1] = o->slug;
	param[2] = selfsigned ? "root" : "issuing";
	param[3] = selfsigned ? NULL : akihex;
	param[4] = ci.subject;
	param[5] = ci.der_hex;
	param[6] = ci.ski_hex;
	param[7] = o->key;
	param[8] = ci.not_before;
	param[9] = ci.not_after;
	param[10] = o->crl_url;
	param[11] = o->issuer_url;
	if ((er = ra_db_query(r->db, "import CA", SQL_CA_IMPORT, 12, param,
	    &res)) != RA_OK)
		goto out;
	param[0] = PQgetvalue(res, 0, 0);
	param[1] = o->kind;
	if (o->kind != NULL &&
	    (er = ra_db_command(r->db, "CA kind", SQL_CA_KIND, 2, param)) !=
	    RA_OK)
		goto out;
	if (o->current && (er = make_current(r->db, o->name, o->kind)) !=
	    RA_OK)
		goto out;
	if ((er = ra_db_commit(r->db)) == RA_OK)
		printf("CA %s registered (%s)\n", o->name, ci.subject);
out:
	ra_db_rollback(r->db);
	PQclear(res);
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
	if ((er = make_current(r->db, o->name, o->kind)) == RA_OK &&
	    (er = ra_db_commit(r->db)) == RA_OK)
		printf("CA %s now issues new %s certificates\n", o->name,
		    o->kind);
	ra_db_rollback(r->db);
	return er;
}

static enum ra_err
institution_id(PGconn *db, const char *code, int64_t *id)
{
	PGresult	*res = NULL;
	const char	*param[1] = { code };
	enum ra_err	 er;

	if ((er = ra_db_query(db, "institution", SQL_INSTITUTION, 1, param,
	    &res)) != RA_OK)
		return er;
	if (PQntuples(res) != 1) {
		ra_warnx("no institution has code %s", code);
		er = RA_EINPUT;
	} else
		*id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	return er;
}

/* Report a request's outcome; RA_EPOLICY if it failed. */
static enum ra_err
report(PGconn *db, int64_t id, int wait_s)
{
	PGresult	*res = NULL;
	const char	*param[1];
	char		 state[16], err[512], rid[24];
	enum ra_err	 er;

	if ((er = ra_request_wait(db, id, 1000L * wait_s, state, sizeof(state),
	    err, sizeof(err))) != RA_OK)
		return er;
	if (strcmp(state, "done") != 0) {
		printf("request %lld %s%s%s\n", (long long)id, state,
		    *err != '\0' ? ": " : "", err);
		return strcmp(state, "queued") == 0 ? RA_OK : RA_EPOLICY;
	}
	snprintf(rid, sizeof(rid), "%lld", (long long)id);
	param[0] = rid;
	if ((er = ra_db_query(db, "serial", SQL_SERIAL_OF, 1, param, &res)) !=
	    RA_OK)
		return er;
	printf("request %lld done: serial %s\n", (long long)id,
	    PQntuples(res) == 1 ? PQgetvalue(res, 0, 0) : "?");
	PQclear(res);
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
	    (er = institution_id(r->db, o->institution,
	    &rq.institution_id)) != RA_OK)
		goto out;
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
	PGresult		*res = NULL;
	const char		*param[1];
	char			 why[256];
	enum ra_err		 er;

	memset(&rv, 0, sizeof(rv));
	if (o->serial == NULL || o->reason < 0)
		return RA_EUSAGE;
	if ((er = ra_req_db(r, RA_DB_ADMIN)) != RA_OK)
		return er;
	if (o->ca != NULL) {
		param[0] = o->ca;
		if ((er = ra_db_query(r->db, "CA", SQL_CA_BY_NAME, 1, param,
		    &res)) != RA_OK)
			return er;
		if (PQntuples(res) != 1) {
			ra_warnx("no CA is named %s", o->ca);
			PQclear(res);
			return RA_EINPUT;
		}
		rv.ca_id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
		PQclear(res);
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
	PGresult		*res = NULL;
	STACK_OF(X509)		*chain = NULL;
	const unsigned char	*p;
	unsigned char		*der = NULL;
	size_t			 len;
	const char		*param[1];
	char			 rid[24];
	X509			*crt = NULL;
	int			 i;
	enum ra_err		 er;

	if (o->request <= 0)
		return RA_EUSAGE;
	snprintf(rid, sizeof(rid), "%lld", o->request);
	param[0] = rid;
	if ((er = ra_req_db(r, RA_DB_ADMIN)) != RA_OK ||
	    (er = ra_db_query(r->db, "certificate", SQL_CERT, 1, param,
	    &res)) != RA_OK)
		return er;
	if (PQntuples(res) != 1) {
		ra_warnx("request %s has no issued certificate", rid);
		er = RA_ENOTFOUND;
		goto out;
	}
	if ((er = ra_bytea_get(res, 0, 0, &der, &len)) != RA_OK ||
	    (er = ra_chain_load(r->db, strtoll(PQgetvalue(res, 0, 1), NULL, 10),
	    &chain)) != RA_OK)
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
	PQclear(res);
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

#define CA_COMMAND(name)						\
static enum ra_err							\
ca_##name(struct ra_req *r)						\
{									\
	return with_opts(r, cmd_##name);				\
}
CA_COMMAND(import)
CA_COMMAND(current)
CA_COMMAND(request)
CA_COMMAND(revoke)
CA_COMMAND(status)
CA_COMMAND(cert)
CA_COMMAND(p12)

static const struct ra_cmd commands[] = {
	{ "import",	-1,	ca_import },
	{ "current",	-1,	ca_current },
	{ "request",	-1,	ca_request },
	{ "revoke",	-1,	ca_revoke },
	{ "status",	-1,	ca_status },
	{ "cert",	-1,	ca_cert },
	{ "p12",	-1,	ca_p12 },
};

int
main(int argc, char *argv[])
{
	return ra_shell_main(argc, argv, commands, RA_NITEMS(commands),
	    "ca.cgi import|current|request|revoke|status|cert|p12 [options]; "
	    "see ca.cgi(8)");
}
