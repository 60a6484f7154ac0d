/*
 * ops.cgi: operator commands, from a shell only.
 *
 *	ops.cgi migrate		apply pending schema migrations
 *	ops.cgi status		list migrations, applied or pending
 *	ops.cgi audit-verify	recompute the audit log's hash chain and
 *				check it against the signed checkpoints
 *	ops.cgi demo-pki DIR	make the demo CA hierarchy and TLS certificate
 *				in DIR (once) and register the CAs; and the
 *				time-stamp authority's key and certificate,
 *				and the audit checkpoints' (self-signed)
 *
 * Under Apache it answers 403 (ra_shell_main): nothing here is a web action.
 */
#include <sys/stat.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <openssl/pem.h>

#include "ra.h"
#include "web.h"

#define DEMO_CA_DAYS	3650
#define DEMO_TLS_DAYS	198
/* A TSA certificate may be valid 135 months; its key signs for 15. */
#define DEMO_TSA_DAYS	3650
/* The audit key signs checkpoints that must verify for years. */
#define DEMO_AUDIT_DAYS	3650

#define DEMO_NAME(cn)	{ "C", "JP", "O", "ra Demo", "CN", (cn), NULL }

struct demo_ca {
	const char	*file;		/* DIR/<file>.crt, DIR/private/<file>.key */
	const char	*name;		/* ra.ca.name */
	const char	*subject[7];	/* type/value pairs for ra_certspec */
	const char	*kind;		/* what it issues; NULL for the root */
};

/* The root first: every other entry is signed by it. */
static const struct demo_ca demo_cas[] = {
	{ "root-ca", "ra Demo Root CA",
	    DEMO_NAME("ra Demo Root CA"), NULL },
	{ "ra-ca", "ra Demo RA Officer CA",
	    DEMO_NAME("ra Demo RA Officer CA"), "ra_officer" },
	{ "server-ca", "ra Demo Server CA",
	    DEMO_NAME("ra Demo Server CA"), "server" },
	{ "client-ca", "ra Demo Client CA",
	    DEMO_NAME("ra Demo Client CA"), "client" },
	{ "smime-ca", "ra Demo S/MIME CA",
	    DEMO_NAME("ra Demo S/MIME CA"), "smime" },
	{ "codesign-ca", "ra Demo Code Signing CA",
	    DEMO_NAME("ra Demo Code Signing CA"), "code_signing" },
	{ "tsa-ca", "ra Demo Time-Stamping CA",
	    DEMO_NAME("ra Demo Time-Stamping CA"), "tsa" },
};
#define DEMO_TSA_CA	(RA_NITEMS(demo_cas) - 1)

static enum ra_err
path_in(char *buf, size_t sz, const char *dir, const char *sub,
    const char *file, const char *ext)
{
	if ((size_t)snprintf(buf, sz, "%s/%s%s%s", dir, sub, file, ext) >= sz)
		return RA_EINPUT;
	return RA_OK;
}

/* "path": the certificates of "v" (NULL-terminated), PEM, one after another. */
static enum ra_err
pem_write_bundle(const char *path, X509 *const *v)
{
	BIO	*bio;
	char	*p;
	long	 n;
	enum ra_err	 er = RA_ECRYPTO;

	if ((bio = BIO_new(BIO_s_mem())) == NULL)
		return RA_ECRYPTO;
	for (; *v != NULL; v++)
		if (!PEM_write_bio_X509(bio, *v))
			goto out;
	if ((n = BIO_get_mem_data(bio, &p)) > 0)
		er = ra_write_atomic(path, p, (size_t)n, 0644);
out:
	BIO_free(bio);
	return er;
}

/*
 * Key and certificate of one demo CA, written under "dir".  An issuing
 * CA's certificate points at the root's CRL ("root_crl", NULL: none), so
 * a verifier checking every CRL of the chain finds the root's.
 */
static enum ra_err
demo_make_ca(const char *dir, const struct demo_ca *d, X509 *root,
    EVP_PKEY *root_key, const char *root_crl, X509 **crt, EVP_PKEY **key)
{
	struct ra_certspec	 spec = {
		.subject = d->subject,
		.is_ca = 1,
		.pathlen = root == NULL ? -1 : 0,
		.key_usage = "critical,keyCertSign,cRLSign",
		.crl_url = root == NULL ? NULL : root_crl,
		.days = DEMO_CA_DAYS,
	};
	char			 path[4096];
	enum ra_err		 er;

	*crt = NULL;
	if ((er = ra_key_new_rsa(root == NULL ? 3072 : 2048, key)) != RA_OK ||
	    (er = ra_cert_make(&spec, *key, root, root_key, crt)) != RA_OK ||
	    (er = path_in(path, sizeof(path), dir, "private/", d->file,
	    ".key")) != RA_OK ||
	    (er = ra_pem_write_key(path, *key)) != RA_OK ||
	    (er = path_in(path, sizeof(path), dir, "", d->file, ".crt")) !=
	    RA_OK)
		return er;
	return ra_pem_write_cert(path, *crt, 0644);
}

/*
 * A demo end-entity: a new RSA key of "bits", its certificate from "ca"
 * (self-signed when NULL), the key written as DIR/SUBname.key; "*crt"
 * is the caller's, for the files each kind keeps it in.
 */
static enum ra_err
demo_leaf(const char *dir, const struct ra_certspec *spec, int bits,
    X509 *ca, EVP_PKEY *ca_key, const char *sub, const char *name, X509 **crt)
{
	EVP_PKEY	*key = NULL;
	char		 path[4096];
	enum ra_err	 er;

	*crt = NULL;
	if ((er = ra_key_new_rsa(bits, &key)) != RA_OK ||
	    (er = ra_cert_make(spec, key, ca, ca_key, crt)) != RA_OK ||
	    (er = path_in(path, sizeof(path), dir, sub, name, ".key")) !=
	    RA_OK)
		goto out;
	er = ra_pem_write_key(path, key);
out:
	EVP_PKEY_free(key);
	if (er != RA_OK) {
		X509_free(*crt);
		*crt = NULL;
	}
	return er;
}

/* The TLS certificate Apache presents: localhost, from the server CA. */
static enum ra_err
demo_make_tls(const char *dir, X509 *ca, EVP_PKEY *ca_key)
{
	static const char *const tls_subject[] = DEMO_NAME("localhost");
	struct ra_certspec	 spec = {
		.subject = tls_subject,
		.pathlen = -1,
		.key_usage = "critical,digitalSignature,keyEncipherment",
		.ext_key_usage = "serverAuth",
		.san = "DNS:localhost,IP:127.0.0.1",
		.days = DEMO_TLS_DAYS,
	};
	X509			*crt = NULL;
	char			 path[4096];
	enum ra_err		 er;

	/* Apache's key, not a CA key: outside private/ (the worker's). */
	if ((er = demo_leaf(dir, &spec, 2048, ca, ca_key, "", "tls", &crt)) !=
	    RA_OK ||
	    (er = path_in(path, sizeof(path), dir, "", "tls", ".crt")) !=
	    RA_OK)
		goto out;
	er = ra_pem_write_cert(path, crt, 0644);
out:
	X509_free(crt);
	return er;
}

/*
 * The certificate that signs ra's mails (S/MIME, as the original system
 * signs its own), from the S/MIME CA: DIR/mail-signer.pem holds it and
 * the CA, DIR/private/mail-signer.key its key.
 */
static enum ra_err
demo_make_mail_signer(const char *dir, X509 *ca, X509 *root, EVP_PKEY *ca_key)
{
	static const char *const subject[] = DEMO_NAME("ra Demo Mail Signer");
	struct ra_certspec	 spec = {
		.subject = subject,
		.pathlen = -1,
		.key_usage = "critical,digitalSignature",
		.ext_key_usage = "emailProtection",
		.san = "email:ra@localhost",
		.days = DEMO_TLS_DAYS,
	};
	X509			*crt = NULL;
	char			 path[4096];
	enum ra_err		 er;

	if ((er = demo_leaf(dir, &spec, 2048, ca, ca_key, "private/",
	    "mail-signer", &crt)) != RA_OK ||
	    (er = path_in(path, sizeof(path), dir, "", "mail-signer",
	    ".pem")) != RA_OK)
		goto out;
	er = pem_write_bundle(path, (X509 *const[]){ crt, ca, root, NULL });
out:
	X509_free(crt);
	return er;
}

/*
 * The time-stamp authority's certificate, from the time-stamping CA
 * (reference §10.5: critical EKU timeStamping alone, at most 135 months):
 * DIR/tsa.crt, DIR/tsa-chain.pem (the CA and the root, what a verifier
 * trusts), and the key as DIR/private/tsa.key, which conf/stack moves to
 * the TSA's own user.
 */
static enum ra_err
demo_make_tsa(const char *dir, X509 *ca, X509 *root, EVP_PKEY *ca_key)
{
	static const char *const subject[] =
	    DEMO_NAME("ra Demo Time-Stamping Authority");
	struct ra_certspec	 spec = {
		.subject = subject,
		.pathlen = -1,
		.key_usage = "critical,digitalSignature",
		.ext_key_usage = "critical,timeStamping",
		.days = DEMO_TSA_DAYS,
	};
	X509			*crt = NULL;
	char			 path[4096];
	enum ra_err		 er;

	if ((er = demo_leaf(dir, &spec, 3072, ca, ca_key, "private/", "tsa",
	    &crt)) != RA_OK ||
	    (er = path_in(path, sizeof(path), dir, "", "tsa", ".crt")) !=
	    RA_OK ||
	    (er = ra_pem_write_cert(path, crt, 0644)) != RA_OK ||
	    (er = path_in(path, sizeof(path), dir, "", "tsa-chain",
	    ".pem")) != RA_OK)
		goto out;
	er = pem_write_bundle(path, (X509 *const[]){ ca, root, NULL });
out:
	X509_free(crt);
	return er;
}

/*
 * The audit checkpoints' signing key (lib/checkpoint.c), once:
 * DIR/audit.crt and DIR/audit/audit.key, which conf/stack gives to the
 * worker's user.  Self-signed, not from the demo root: the verifier
 * trusts this one certificate (Audit.Cert), not a chain, and a CA key
 * the worker holds online could otherwise make a second audit
 * certificate; no CA's compromise vouches for forged checkpoints.  Not a
 * CA (CA:FALSE) and no extended key usage: it signs nothing but them.
 */
static enum ra_err
demo_make_audit(const char *dir)
{
	static const char *const subject[] =
	    DEMO_NAME("ra Demo Audit Checkpoints");
	struct ra_certspec	 spec = {
		.subject = subject,
		.pathlen = -1,
		.key_usage = "critical,digitalSignature,nonRepudiation",
		.days = DEMO_AUDIT_DAYS,
	};
	X509			*crt = NULL;
	char			 path[4096];
	enum ra_err		 er;

	if ((er = path_in(path, sizeof(path), dir, "", "audit", ".crt")) !=
	    RA_OK || access(path, F_OK) == 0)
		return er;
	if ((er = path_in(path, sizeof(path), dir, "", "audit", "")) != RA_OK)
		return er;
	if (mkdir(path, 0700) == -1 && errno != EEXIST) {
		ra_warnx("%s: %s", path, strerror(errno));
		return RA_ESYS;
	}
	if ((er = demo_leaf(dir, &spec, 3072, NULL, NULL, "audit/", "audit",
	    &crt)) != RA_OK ||
	    (er = path_in(path, sizeof(path), dir, "", "audit", ".crt")) !=
	    RA_OK)
		goto out;
	er = ra_pem_write_cert(path, crt, 0644);
out:
	X509_free(crt);
	return er;
}

static EVP_PKEY *
demo_read_key(const char *dir, const char *file)
{
	EVP_PKEY	*key;
	FILE		*fp;
	char		 path[4096];

	if (path_in(path, sizeof(path), dir, "private/", file, ".key") !=
	    RA_OK || (fp = fopen(path, "r")) == NULL)
		return NULL;
	key = PEM_read_PrivateKey(fp, NULL, NULL, NULL);
	fclose(fp);
	return key;
}

/*
 * A demo PKI made before the time-stamp authority existed gets its CA
 * (signed by the demo root) and its certificate now.
 */
static enum ra_err
demo_tsa_missing(const char *dir, const char *root_crl)
{
	const struct demo_ca	*d = &demo_cas[DEMO_TSA_CA];
	X509			*ca = NULL, *root = NULL;
	EVP_PKEY		*key = NULL, *root_key = NULL;
	char			 path[4096];
	enum ra_err		 er = RA_ECONF;

	if (path_in(path, sizeof(path), dir, "", "tsa", ".crt") != RA_OK ||
	    access(path, F_OK) == 0)
		return RA_OK;
	if (path_in(path, sizeof(path), dir, "", "root-ca", ".crt") != RA_OK ||
	    (root = ra_pem_read_cert(path)) == NULL ||
	    path_in(path, sizeof(path), dir, "", d->file, ".crt") != RA_OK)
		goto out;
	if (access(path, F_OK) == 0) {
		if ((ca = ra_pem_read_cert(path)) == NULL ||
		    (key = demo_read_key(dir, d->file)) == NULL)
			goto out;
	} else if ((root_key = demo_read_key(dir, "root-ca")) == NULL ||
	    (er = demo_make_ca(dir, d, root, root_key, root_crl, &ca, &key)) !=
	    RA_OK)
		goto out;
	er = demo_make_tsa(dir, ca, root, key);
out:
	X509_free(ca);
	X509_free(root);
	EVP_PKEY_free(key);
	EVP_PKEY_free(root_key);
	return er;
}

/* A demo PKI made before the mail signer existed gets one now. */
static enum ra_err
demo_mail_signer_missing(const char *dir)
{
	X509		*ca = NULL, *root = NULL;
	EVP_PKEY	*key = NULL;
	FILE		*fp;
	char		 path[4096];
	enum ra_err	 er = RA_ECONF;

	if (path_in(path, sizeof(path), dir, "", "mail-signer", ".pem") !=
	    RA_OK || access(path, F_OK) == 0)
		return RA_OK;
	if (path_in(path, sizeof(path), dir, "", "smime-ca", ".crt") != RA_OK ||
	    (ca = ra_pem_read_cert(path)) == NULL ||
	    path_in(path, sizeof(path), dir, "", "root-ca", ".crt") != RA_OK ||
	    (root = ra_pem_read_cert(path)) == NULL ||
	    path_in(path, sizeof(path), dir, "private/", "smime-ca",
	    ".key") != RA_OK || (fp = fopen(path, "r")) == NULL)
		goto out;
	key = PEM_read_PrivateKey(fp, NULL, NULL, NULL);
	fclose(fp);
	if (key != NULL)
		er = demo_make_mail_signer(dir, ca, root, key);
out:
	X509_free(ca);
	X509_free(root);
	EVP_PKEY_free(key);
	return er;
}

/* Write the whole hierarchy unless DIR/root-ca.crt exists already. */
static enum ra_err
demo_generate(const char *dir, const char *root_crl, FILE *log)
{
	X509		*crt[RA_NITEMS(demo_cas)] = { NULL };
	EVP_PKEY	*key[RA_NITEMS(demo_cas)] = { NULL };
	char		 path[4096];
	size_t		 i;
	enum ra_err	 er = RA_OK;

	if ((er = path_in(path, sizeof(path), dir, "", "root-ca", ".crt")) !=
	    RA_OK)
		return er;
	if (access(path, F_OK) == 0) {
		fprintf(log, "demo PKI in %s exists; kept\n", dir);
		if ((er = demo_mail_signer_missing(dir)) != RA_OK ||
		    (er = demo_make_audit(dir)) != RA_OK)
			return er;
		return demo_tsa_missing(dir, root_crl);
	}
	if ((er = path_in(path, sizeof(path), dir, "", "private", "")) !=
	    RA_OK)
		return er;
	if ((mkdir(dir, 0755) == -1 && errno != EEXIST) ||
	    (mkdir(path, 0700) == -1 && errno != EEXIST)) {
		ra_warnx("%s: %s", path, strerror(errno));
		return RA_ESYS;
	}
	for (i = 0; i < RA_NITEMS(demo_cas) && er == RA_OK; i++)
		er = demo_make_ca(dir, &demo_cas[i], i == 0 ? NULL : crt[0],
		    key[0], root_crl, &crt[i], &key[i]);
	/* demo_cas[2] is the server CA, demo_cas[4] the S/MIME CA. */
	if (er == RA_OK)
		er = demo_make_tls(dir, crt[2], key[2]);
	if (er == RA_OK)
		er = demo_make_mail_signer(dir, crt[4], crt[0], key[4]);
	if (er == RA_OK)
		er = demo_make_tsa(dir, crt[DEMO_TSA_CA], crt[0],
		    key[DEMO_TSA_CA]);
	if (er == RA_OK)
		er = demo_make_audit(dir);
	for (i = 0; i < RA_NITEMS(demo_cas); i++) {
		X509_free(crt[i]);
		EVP_PKEY_free(key[i]);
	}
	if (er == RA_OK)
		fprintf(log, "demo PKI written to %s\n", dir);
	return er;
}

/*
 * Record each demo CA (read back from its file) in ra.ca, once, with the
 * URLs its certificates will carry (Pki.PublicURL), and publish its
 * certificate (DER) where the AIA URL points (Paths.Crl).
 */
static enum ra_err
demo_register(PGconn *db, const struct ra_conf *c, const char *dir)
{
	struct ra_certinfo	 ci;
	struct ra_ca_row	 ca;
	int64_t			 root = 0, id;
	char			 crtpath[4096], keypath[4096], crl[512],
				 aia[512];
	X509			*crt;
	size_t			 i;
	enum ra_err		 er = RA_OK;

	for (i = 0; i < RA_NITEMS(demo_cas) && er == RA_OK; i++) {
		if ((er = path_in(crtpath, sizeof(crtpath), dir, "",
		    demo_cas[i].file, ".crt")) != RA_OK ||
		    (er = path_in(keypath, sizeof(keypath), dir, "private/",
		    demo_cas[i].file, ".key")) != RA_OK)
			break;
		if ((crt = ra_pem_read_cert(crtpath)) == NULL)
			return RA_ECONF;
		memset(&ci, 0, sizeof(ci));
		er = ra_certinfo_get(crt, &ci);
		if (er == RA_OK)
			er = ra_ca_publish_cert(c, demo_cas[i].file, crt);
		X509_free(crt);
		/* The root's crl_url is where its CRL is, which the
		 * issuing CAs' certificates name; a root has no AIA. */
		if (er == RA_OK)
			er = ra_ca_urls(c, demo_cas[i].file, crl, sizeof(crl),
			    aia, sizeof(aia));
		if (er != RA_OK) {
			ra_certinfo_free(&ci);
			break;
		}
		if (demo_cas[i].kind == NULL)
			aia[0] = '\0';
		memset(&ca, 0, sizeof(ca));
		ca.name = demo_cas[i].name;
		ca.slug = demo_cas[i].file;
		ca.subject = ci.subject;
		ca.der_hex = ci.der_hex;
		ca.ski_hex = ci.ski_hex;
		/* The demo's root key stays with the worker, which signs
		 * the root's CRL with it; a real root is offline. */
		ca.key_path = keypath;
		ca.not_before = ci.not_before;
		ca.not_after = ci.not_after;
		ca.crl_url = crl;
		ca.issuer_url = aia;
		/* The root comes first; an issuing CA hangs below it. */
		if (demo_cas[i].kind != NULL && root == 0)
			er = ra_ca_by_name(db, demo_cas[0].name, &root);
		ca.parent_ca_id = demo_cas[i].kind == NULL ? 0 : root;
		/* Registered once: a later run changes nothing, not even
		 * which CA is current for a kind. */
		if (er == RA_OK &&
		    (er = ra_ca_insert(db, &ca, &id)) == RA_OK &&
		    demo_cas[i].kind != NULL)
			er = ra_ca_kind_add(db, id, demo_cas[i].kind, 1);
		if (er == RA_EDUP)
			er = RA_OK;
		ra_certinfo_free(&ci);
	}
	return er;
}

static enum ra_err
cmd_demo_pki(struct ra_req *r)
{
	const char	*base;
	char		 dir[4096], cwd[4096], root_crl[512];
	int		 n;
	enum ra_err	 er;

	/* ra.ca.key_path must be absolute: the worker runs elsewhere. */
	if (r->argv[1][0] == '/')
		n = snprintf(dir, sizeof(dir), "%s", r->argv[1]);
	else if (getcwd(cwd, sizeof(cwd)) != NULL)
		n = snprintf(dir, sizeof(dir), "%s/%s", cwd, r->argv[1]);
	else
		n = -1;
	if (n < 0 || (size_t)n >= sizeof(dir)) {
		ra_warnx("%s: path too long", r->argv[1]);
		return RA_EINPUT;
	}
	root_crl[0] = '\0';
	if ((base = ra_conf_get(&r->conf, "Pki.PublicURL")) != NULL &&
	    (size_t)snprintf(root_crl, sizeof(root_crl), "%s/crl/%s.crl", base,
	    demo_cas[0].file) >= sizeof(root_crl)) {
		ra_warnx("Pki.PublicURL is too long");
		return RA_ECONF;
	}
	if ((er = demo_generate(dir, root_crl, stdout)) != RA_OK ||
	    (er = ra_req_db(r, RA_DB_ADMIN)) != RA_OK ||
	    (er = ra_db_begin(r->db)) != RA_OK)
		return er;
	if ((er = demo_register(r->db, &r->conf, dir)) != RA_OK) {
		ra_db_rollback(r->db);
		return er;
	}
	return ra_db_commit(r->db);
}

static enum ra_err
cmd_migrate(struct ra_req *r)
{
	enum ra_err	 er;

	if ((er = ra_req_db(r, RA_DB_ADMIN)) != RA_OK)
		return er;
	return ra_migrate(r->db, ra_conf_get(&r->conf, "Paths.Schema"),
	    stdout);
}

static enum ra_err
cmd_status(struct ra_req *r)
{
	int		 pending;
	enum ra_err	 er;

	if ((er = ra_req_db(r, RA_DB_ADMIN)) != RA_OK ||
	    (er = ra_migrate_status(r->db, ra_conf_get(&r->conf,
	    "Paths.Schema"), stdout, &pending)) != RA_OK)
		return er;
	printf("%d migration(s) pending\n", pending);
	return RA_OK;
}

/*
 * Exit status 1 when the chain is broken or a checkpoint disagrees with
 * the rows: a line for each finding, then a summary.  Reads the
 * checkpoints and the audit certificate, never the audit key.
 */
static enum ra_err
cmd_audit_verify(struct ra_req *r)
{
	enum ra_err	 er;

	if ((er = ra_req_db(r, RA_DB_ADMIN)) != RA_OK)
		return er;
	return ra_audit_verify_all(r->db, &r->conf, stdout);
}

/*
 * Is this install ready?  A line per thing ra(7) sets up, and for each
 * one missing the command that supplies it; exit status 1 if any is.
 * Without the database it still checks the rest.
 */
static enum ra_err
cmd_check(struct ra_req *r)
{
	int		 nmissing;
	enum ra_err	 er;

	(void)ra_req_db(r, RA_DB_ADMIN);
	if ((er = ra_setup_check(&r->conf, r->db, stdout, &nmissing)) !=
	    RA_OK)
		return er;
	return nmissing > 0 ? RA_EPOLICY : RA_OK;
}

static const struct ra_cmd commands[] = {
	{ "migrate",	0,	cmd_migrate },
	{ "check",	0,	cmd_check },
	{ "audit-verify", 0,	cmd_audit_verify },
	{ "status",	0,	cmd_status },
	{ "demo-pki",	1,	cmd_demo_pki },
};

int
main(int argc, char *argv[])
{
	return ra_shell_main(argc, argv, commands, RA_NITEMS(commands),
	    "ops.cgi migrate | status | check | audit-verify | demo-pki DIR");
}
