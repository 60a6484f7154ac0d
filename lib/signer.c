/*
 * signer.c: the CA keys.  The only module that opens them, and only the
 * worker (worker.cgi, under its own Unix user) calls it: the key files
 * are readable by that user alone.  A key is a PEM file below
 * Worker.KeyDir (the demo) or a PKCS#11 URI naming it in a token
 * (token.c), whose PIN file is again the worker user's alone.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "ra.h"
#include "domain.h"
#include "ca.h"

struct ra_signer {
	struct ra_ca_info	 ca;	/* what the worker may read */
	EVP_PKEY		*key;	/* what it may only use, through here */
	struct ra_token		*tok;	/* the key's token; NULL: a file */
};

/*
 * $1 (for CRLs): also retired CAs whose certificates may still be valid,
 * and a root whose key is here (the demo's), whose CRL covers the
 * issuing CAs.  The issuance worker never loads a root key.
 */
static const char SQL_SIGNERS[] =
    "SELECT ca_id, name, slug, key_path, cert_der, coalesce(crl_url, ''),"
    "       coalesce(issuer_url, '')"
    "  FROM ra.ca"
    " WHERE (role = 'issuing' OR $1::boolean) AND key_path IS NOT NULL"
    "   AND (status = 'active'"
    "        OR ($1::boolean AND not_after > pg_catalog.now()))"
    " ORDER BY ca_id";

static EVP_PKEY *
key_read(const char *dir, const char *path)
{
	FILE		*fp;
	EVP_PKEY	*key;
	int		 fd;

	if (dir == NULL) {
		ra_warnx("CA key %s: Worker.KeyDir is not set; not loaded",
		    path);
		return NULL;
	}
	if (!ra_key_path_ok(dir, path)) {
		ra_warnx("CA key %s: not below Worker.KeyDir %s; not loaded",
		    path, dir);
		return NULL;
	}
	/* The last component may not be a link out of the directory. */
	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) == -1 ||
	    (fp = fdopen(fd, "r")) == NULL) {
		ra_warnx("CA key %s: %s", path, strerror(errno));
		if (fd != -1)
			close(fd);
		return NULL;
	}
	key = PEM_read_PrivateKey(fp, NULL, NULL, NULL);
	fclose(fp);
	if (key == NULL)
		ra_warnx("CA key %s: not a readable PEM private key", path);
	return key;
}

/*
 * A key in a token: the URI checked again (the row may have been changed
 * behind ca.cgi), the token opened once per load ("*tok", shared by its
 * keys; "flags" may ask for its module afresh; a token that would not
 * open, "*tok_bad", is said once, not once a key).  On RA_OK "*key"
 * holds a reference to "*tok".
 */
static enum ra_err
key_token(const struct ra_keys *k, int flags, struct ra_token **tok,
    int *tok_bad, const char *uri, EVP_PKEY **key)
{
	char		 why[160];
	enum ra_err	 er;

	*key = NULL;
	if (!ra_p11uri_ok(uri, why, sizeof(why))) {
		ra_warnx("CA key %s: %s; not loaded", uri, why);
		return RA_EINPUT;
	}
	if (*tok_bad)
		return RA_ECRYPTO;
	if (*tok == NULL && (er = ra_token_open(k, flags, tok)) != RA_OK) {
		*tok_bad = 1;
		return er;
	}
	return ra_token_key(*tok, uri, key);
}

/*
 * Whether the key signs, here and now, what its certificate's public key
 * verifies: a token key can match its certificate (its public half is
 * read from the token) and still not sign (CKA_SIGN false, a mechanism
 * the token refuses, a private object that is not the public one's), and
 * a signature failure must tell a token gone from a key that never signs.
 */
static int
key_probe(X509 *cert, EVP_PKEY *key)
{
	static const unsigned char msg[] = "ra: a CA key's probe";
	EVP_MD_CTX	*ctx = NULL;
	EVP_PKEY	*pub;
	unsigned char	*sig = NULL;
	size_t		 siglen = 0;
	int		 ok = 0;

	if ((pub = X509_get0_pubkey(cert)) == NULL ||
	    (ctx = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestSignInit(ctx, NULL, ra_sign_md(key), NULL, key) != 1 ||
	    EVP_DigestSign(ctx, NULL, &siglen, msg, sizeof(msg)) != 1 ||
	    (sig = OPENSSL_malloc(siglen)) == NULL ||
	    EVP_DigestSign(ctx, sig, &siglen, msg, sizeof(msg)) != 1)
		goto out;
	EVP_MD_CTX_free(ctx);
	if ((ctx = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestVerifyInit(ctx, NULL, ra_sign_md(key), NULL, pub) != 1)
		goto out;
	ok = EVP_DigestVerify(ctx, sig, siglen, msg, sizeof(msg)) == 1;
out:
	ERR_clear_error();
	OPENSSL_free(sig);
	EVP_MD_CTX_free(ctx);
	return ok;
}

/* Whether a signer's key signs now (key_probe). */
int
ra_signer_probe(const struct ra_signer *s)
{
	return key_probe(s->ca.cert, s->key);
}

static void
signer_clear(struct ra_signer *s)
{
	X509_free(s->ca.cert);
	EVP_PKEY_free(s->key);
	ra_token_unref(s->tok);
	free(s->ca.name);
	free(s->ca.slug);
	free(s->ca.subject);
	free(s->ca.crl_url);
	free(s->ca.issuer_url);
	memset(s, 0, sizeof(*s));
}

/* Where ra.conf says the CA keys are. */
void
ra_keys_cfg(const struct ra_conf *c, struct ra_keys *k)
{
	k->dir = ra_conf_get(c, "Worker.KeyDir");
	k->module = ra_conf_get(c, "Worker.Pkcs11Module");
	k->pin_file = ra_conf_get(c, "Worker.TokenPinFile");
	k->module_env = ra_conf_get(c, "Worker.Pkcs11Env");
}

/*
 * Every active issuing CA (and with RA_SIGNERS_RETIRED, the retired ones
 * that are not expired, which still owe CRLs, and a root) whose key we
 * can read and that matches its certificate.  A CA we cannot load is
 * logged and left out (its jobs wait); so is one whose key is in a token
 * that is absent, counted in "*ntoken_missing" (if not NULL) so the
 * worker tries again.  "*out" is the caller's (ra_signers_free).
 */
enum ra_err
ra_signers_load(PGconn *db, const struct ra_keys *keys, int flags,
    struct ra_signer **out, size_t *nout, size_t *ntoken_missing)
{
	const char		*param[1] = {
	    (flags & RA_SIGNERS_RETIRED) ? "t" : "f" };
	PGresult		*res = NULL;
	struct ra_signer	*v = NULL, *s;
	struct ra_token		*tok = NULL;
	const unsigned char	*p;
	const char		*path;
	unsigned char		*der = NULL;
	size_t			 derlen, missing = 0;
	int			 i, n, tok_bad = 0;
	enum ra_err		 er;

	*out = NULL;
	*nout = 0;
	if (ntoken_missing != NULL)
		*ntoken_missing = 0;
	if (keys->dir == NULL && keys->module == NULL) {
		ra_warnx("config: neither Worker.KeyDir nor "
		    "Worker.Pkcs11Module is set: no CA key is loaded");
		return RA_ECONF;
	}
	if ((er = ra_db_query(db, "load CAs", SQL_SIGNERS, 1, param, &res)) !=
	    RA_OK)
		return er;
	n = PQntuples(res);
	if ((v = calloc((size_t)n + 1, sizeof(*v))) == NULL) {
		PQclear(res);
		return RA_ENOMEM;
	}
	for (i = 0; i < n; i++) {
		s = &v[*nout];
		s->ca.ca_id = strtoll(PQgetvalue(res, i, 0), NULL, 10);
		if (ra_bytea_get(res, i, 4, &der, &derlen) != RA_OK)
			continue;
		p = der;
		s->ca.cert = d2i_X509(NULL, &p, (long)derlen);
		PQfreemem(der);
		path = PQgetvalue(res, i, 3);
		if (s->ca.cert != NULL && strncmp(path, "pkcs11:", 7) == 0) {
			if (key_token(keys, flags, &tok, &tok_bad, path,
			    &s->key) != RA_OK) {
				if (!(flags & RA_SIGNERS_QUIET))
					ra_warnx("CA %s: its key is not in "
					    "reach; its jobs wait",
					    PQgetvalue(res, i, 1));
				missing++;
			} else
				s->tok = tok;
		} else if (s->ca.cert != NULL)
			s->key = key_read(keys->dir, path);
		if (s->key == NULL) {
			signer_clear(s);
			continue;
		}
		if (X509_check_private_key(s->ca.cert, s->key) != 1) {
			ra_warnx("CA %s: key %s does not match its certificate",
			    PQgetvalue(res, i, 1), PQgetvalue(res, i, 3));
			signer_clear(s);
			continue;
		}
		if (s->tok != NULL && !key_probe(s->ca.cert, s->key)) {
			/* Counted as missing: the token may have just gone. */
			ra_warnx("CA %s: key %s matches its certificate but does "
			    "not sign with it (CKA_SIGN, the token's mechanisms, "
			    "or the token went away); not loaded",
			    PQgetvalue(res, i, 1), PQgetvalue(res, i, 3));
			missing++;
			signer_clear(s);
			continue;
		}
		s->ca.name = strdup(PQgetvalue(res, i, 1));
		s->ca.slug = strdup(PQgetvalue(res, i, 2));
		s->ca.subject = ra_dn_text(X509_get_subject_name(s->ca.cert));
		s->ca.crl_url = strdup(PQgetvalue(res, i, 5));
		s->ca.issuer_url = strdup(PQgetvalue(res, i, 6));
		if (s->ca.name == NULL || s->ca.slug == NULL || s->ca.subject == NULL ||
		    s->ca.crl_url == NULL || s->ca.issuer_url == NULL) {
			signer_clear(s);
			er = RA_ENOMEM;
			break;
		}
		(*nout)++;
	}
	PQclear(res);
	ra_token_unref(tok);		/* the loader's; its keys hold theirs */
	if (ntoken_missing != NULL)
		*ntoken_missing = missing;
	if (er != RA_OK) {
		ra_signers_free(v, *nout);
		*nout = 0;
		return er;
	}
	*out = v;
	return RA_OK;
}

struct ra_signer *
ra_signer_find(struct ra_signer *v, size_t n, int64_t ca_id)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if (v[i].ca.ca_id == ca_id)
			return &v[i];
	return NULL;
}

void
ra_signers_free(struct ra_signer *v, size_t n)
{
	size_t	 i;

	if (v == NULL)
		return;
	for (i = 0; i < n; i++)
		signer_clear(&v[i]);
	free(v);
}

struct ra_signer *
ra_signer_at(struct ra_signer *v, size_t i)
{
	return &v[i];
}

const struct ra_ca_info *
ra_signer_ca(const struct ra_signer *s)
{
	return &s->ca;
}

/* Whether the key is in a token (which may go away, and come back). */
int
ra_signer_in_token(const struct ra_signer *s)
{
	return s->tok != NULL;
}

/* Sign a certificate whose TBS was stored first (issue.c checks it). */
enum ra_err
ra_signer_sign_tbs(const struct ra_signer *s, X509 *crt,
    const unsigned char *tbs, size_t len)
{
	return ra_tbs_sign(crt, s->key, tbs, len);
}

/* Sign a CRL with the CA's key and digest; X509_CRL_sign's result. */
int
ra_signer_sign_crl(const struct ra_signer *s, X509_CRL *crl)
{
	return X509_CRL_sign(crl, s->key, ra_sign_md(s->key));
}

/*
 * Sign a certificate the worker builds whole itself (an OCSP signer's,
 * lib/ocspsign.c) with the CA's key and digest; X509_sign's result.
 */
int
ra_signer_sign_x509(const struct ra_signer *s, X509 *crt)
{
	return X509_sign(crt, s->key, ra_sign_md(s->key));
}
