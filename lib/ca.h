/*
 * ca.h: the CA side -- TBS building and signing, CA keys, the issuance
 * worker, CRLs and the worker's sandbox.  Only the worker's binary
 * includes it: no screen and no other tool can link the signing code
 * (t/22-sandbox checks that with nm).  ra.h and domain.h come first.
 */
#ifndef RA_CA_H
#define RA_CA_H

/* issue.c: end-entity certificates, TBS stored before signing */
struct ra_tbs {
	const char		*serial_dec;
	X509			*issuer;
	const unsigned char	*subject_der;
	size_t			 subject_len;
	time_t			 not_before, not_after;
	const X509_PUBKEY	*pubkey;	/* the subject's, borrowed */
	const struct ra_profile	*prof;
	const char		*san_dns;	/* comma-separated, "" for none */
	const char		*san_email;
	const char		*crl_url;	/* NULL for none */
	const char		*issuer_url;
	const char		*ocsp_url;
};

enum ra_err	 ra_tbs_build(const struct ra_tbs *, X509 **, unsigned char **,
		    size_t *);
enum ra_err	 ra_tbs_sign(X509 *, EVP_PKEY *, const unsigned char *, size_t);
const EVP_MD	*ra_sign_md(EVP_PKEY *);

/* signer.c: CA keys -- the issuance worker only.  A signer is opaque:
 * its CA may be read, its key only used, through the functions below. */
struct ra_signer;

struct ra_ca_info {
	int64_t		 ca_id;
	char		*name;
	char		*slug;		/* CRL file name */
	char		*subject;	/* RFC 2253 text */
	X509		*cert;
	char		*crl_url;	/* "" for none */
	char		*issuer_url;
};

/* Where the worker finds CA keys: files, or a token (ra.conf Worker.*). */
struct ra_keys {
	const char	*dir;		/* Worker.KeyDir: key files */
	const char	*module;	/* Worker.Pkcs11Module */
	const char	*pin_file;	/* Worker.TokenPinFile */
	const char	*module_env;	/* Worker.Pkcs11Env: NAME=VALUE */
};

#define RA_SIGNERS_RETIRED	0x1	/* also CAs that still owe CRLs */
#define RA_SIGNERS_RESET	0x2	/* the token's module afresh */
#define RA_SIGNERS_QUIET	0x4	/* a retry: token failures unlogged */

void		 ra_keys_cfg(const struct ra_conf *, struct ra_keys *);
enum ra_err	 ra_signers_load(PGconn *, const struct ra_keys *, int,
		    struct ra_signer **, size_t *, size_t *);
int		 ra_signer_in_token(const struct ra_signer *);
int		 ra_signer_probe(const struct ra_signer *);
struct ra_signer *ra_signer_find(struct ra_signer *, size_t, int64_t);
void		 ra_signers_free(struct ra_signer *, size_t);
struct ra_signer *ra_signer_at(struct ra_signer *, size_t);
const struct ra_ca_info *ra_signer_ca(const struct ra_signer *);
enum ra_err	 ra_signer_sign_tbs(const struct ra_signer *, X509 *,
		    const unsigned char *, size_t);
int		 ra_signer_sign_crl(const struct ra_signer *, X509_CRL *);
int		 ra_signer_sign_x509(const struct ra_signer *, X509 *);

/* token.c: CA keys in a PKCS#11 token (signer.c's only) */
struct ra_token;

enum ra_err	 ra_token_open(const struct ra_keys *, int, struct ra_token **);
enum ra_err	 ra_token_key(struct ra_token *, const char *, EVP_PKEY **);
void		 ra_token_unref(struct ra_token *);

/* worker.c: the issuance worker's batches */
struct ra_worker {
	PGconn			*db;
	struct ra_signer	*signers;
	size_t			 nsigners;
	struct ra_profile	*profiles;	/* a small cache */
	size_t			 nprofiles;
	size_t			 batch;		/* jobs per claim */
	int			 key_days;	/* server-made keys wait this long */
	int			 max_attempts;	/* then a failing job is given up */
	const char		*ocsp_url;	/* borrowed from the config */
	const char		*site_url;	/* for retrieval URLs in mails */
	struct ra_keys		 keys;		/* where the CA keys are */
	size_t			 token_missing;	/* token keys not loaded */
	int			 token_down;	/* a token key failed to sign */
	time_t			 token_retry;	/* when to open the token again */
	int			 token_quiet;	/* its failures said once */
	int			 poll_seconds;	/* between those attempts */
	struct ra_client_cfg	 client;	/* client certificates' URLs */
	struct ra_clock		 clocks[8];	/* the batch's, by kind */
	size_t			 nclocks;
	char			 id[96];	/* "worker:host:pid" */
	void			(*after_reserve)(void *);	/* tests */
	void			*hook_arg;
};

enum ra_err	 ra_worker_open(struct ra_worker *, PGconn *,
		    const struct ra_conf *);
int		 ra_worker_batch(struct ra_worker *);
enum ra_err	 ra_worker_reload(struct ra_worker *);
void		 ra_worker_close(struct ra_worker *);
enum ra_err	 ra_worker_due(PGconn *, long *);

/* crl.c: CRLs, numbered in PostgreSQL, published atomically */
enum ra_err	 ra_crl_publish(PGconn *, const struct ra_signer *,
		    const char *, int, int, FILE *);
int		 ra_crl_entry(X509_CRL *, const char *, time_t, int);
int		 ra_crl_exts(X509_CRL *, X509 *, long long);

/* ocspsign.c: the OCSP responder's delegated signers, signed */
enum ra_err	 ra_ocsp_signers_issue(PGconn *, struct ra_signer *, size_t,
		    int, FILE *);

/* sandbox.c: the worker, confined once its keys are loaded */
enum ra_err	 ra_sandbox_worker(void);

#endif /* RA_CA_H */
