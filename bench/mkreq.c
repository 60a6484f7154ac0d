/*
 * mkreq: load generator for bench/ca.sh and bench/server.sh, linked with libra.a.
 *
 *	mkreq server N INST	queue N server requests (fresh P-256 keys and
 *				CSRs) in one transaction, through ra_request_add
 *	mkreq client N INST	queue N client requests with server-made keys
 *	mkreq keygen N		make N RSA-2048 keys (the raw keygen baseline)
 *	mkreq tsv N [PREFIX]	a server issue TSV of N rows (fresh P-256 CSRs)
 *				for bench.ac.jp on standard output, UTF-8;
 *				hosts PREFIXi.bench.ac.jp (PREFIX "h"), so
 *				each run of bench/run has names of its own
 *
 * Prints the seconds spent in the part being measured.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/pem.h>

#include "ra.h"
#include "web.h"

static double
now(void)
{
	struct timespec	 t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* A CSR whose subject is the bench institution's server DN. */
static X509_REQ *
csr_new_dn(const char *cn)
{
	EVP_PKEY	*key = NULL;
	X509_REQ	*req = NULL;
	X509_NAME	*name = NULL;
	char		 why[128], dn[256];

	snprintf(dn, sizeof(dn), "CN=%s,O=Bench University,L=Chiyoda-ku,"
	    "ST=Tokyo,C=JP", cn);
	if (ra_dn_parse(dn, &name, why, sizeof(why)) != RA_OK ||
	    ra_key_new("p256", &key) != RA_OK ||
	    (req = X509_REQ_new()) == NULL ||
	    !X509_REQ_set_subject_name(req, name) ||
	    !X509_REQ_set_pubkey(req, key) ||
	    X509_REQ_sign(req, key, EVP_sha256()) <= 0) {
		X509_REQ_free(req);
		req = NULL;
	}
	X509_NAME_free(name);
	EVP_PKEY_free(key);
	return req;
}

static X509_REQ *
csr_new(const char *cn)
{
	EVP_PKEY	*key = NULL;
	X509_REQ	*req = NULL;
	X509_NAME	*name;

	if (ra_key_new("p256", &key) != RA_OK || (req = X509_REQ_new()) == NULL)
		goto fail;
	name = X509_REQ_get_subject_name(req);
	if (!X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
	    (const unsigned char *)cn, -1, -1, 0) ||
	    !X509_REQ_set_pubkey(req, key) ||
	    X509_REQ_sign(req, key, EVP_sha256()) <= 0)
		goto fail;
	EVP_PKEY_free(key);
	return req;
fail:
	EVP_PKEY_free(key);
	X509_REQ_free(req);
	return NULL;
}

static int
queue(const char *kind, long n, const char *inst)
{
	struct ra_conf		 conf;
	struct ra_newreq	 rq;
	X509_NAME		*subject = NULL;
	X509_REQ		**csrs;
	unsigned char		**der;
	int			*derlen;
	PGconn			*db = NULL;
	char			 dn[256], why[256];
	int64_t			 id;
	double			 t0;
	long			 i;
	int			 server = strcmp(kind, "server") == 0;

	if (ra_conf_load(&conf, NULL) != RA_OK ||
	    ra_db_connect(&conf, RA_DB_OFFICER, &db) != RA_OK)
		return 1;
	csrs = calloc((size_t)n, sizeof(*csrs));
	der = calloc((size_t)n, sizeof(*der));
	derlen = calloc((size_t)n, sizeof(*derlen));
	/* The users' side (keys and CSRs) is not what is measured. */
	for (i = 0; server && i < n; i++) {
		snprintf(dn, sizeof(dn), "b%ld.bench.ac.jp", i);
		if ((csrs[i] = csr_new(dn)) == NULL ||
		    (derlen[i] = i2d_X509_REQ(csrs[i], &der[i])) <= 0)
			return 1;
	}
	t0 = now();
	if (ra_db_begin(db) != RA_OK)
		return 1;
	for (i = 0; i < n; i++) {
		memset(&rq, 0, sizeof(rq));
		rq.institution_id = strtoll(inst, NULL, 10);
		rq.profile_id = server ? 22 : 14;
		snprintf(dn, sizeof(dn), server ?
		    "CN=b%ld.bench.ac.jp,O=Bench University,L=Chiyoda-ku,ST=Tokyo,C=JP" :
		    "CN=user%ld,O=Bench University,L=Chiyoda-ku,ST=Tokyo,C=JP", i);
		if (ra_dn_parse(dn, &subject, why, sizeof(why)) != RA_OK)
			return 1;
		rq.subject = subject;
		rq.csr = server ? der[i] : NULL;
		rq.csrlen = server ? (size_t)derlen[i] : 0;
		rq.key_secret = server ? NULL : "bench-secret";
		if (ra_request_add(db, &rq, &id, why, sizeof(why)) != RA_OK) {
			fprintf(stderr, "mkreq: %s\n", why);
			return 1;
		}
		X509_NAME_free(subject);
	}
	if (ra_queue_notify(db) != RA_OK || ra_db_commit(db) != RA_OK)
		return 1;
	printf("%.3f\n", now() - t0);
	PQfinish(db);
	ra_conf_free(&conf);
	return 0;
}

/* One line per request, as an officer's file would have it. */
static int
tsv(long n, const char *prefix)
{
	X509_REQ	*req;
	BIO		*bio;
	char		 cn[64], *p;
	long		 i, len, k;

	for (i = 0; i < n; i++) {
		snprintf(cn, sizeof(cn), "%s%ld.bench.ac.jp", prefix, i);
		if ((req = csr_new_dn(cn)) == NULL ||
		    (bio = BIO_new(BIO_s_mem())) == NULL ||
		    !PEM_write_bio_X509_REQ(bio, req))
			return 1;
		len = BIO_get_mem_data(bio, &p);
		printf("CN=%s,O=Bench University,L=Chiyoda-ku,ST=Tokyo,C=JP\t22"
		    "\t\t\t\t\t", cn);
		for (k = 0; k < len; k++)
			if (p[k] != '\n')
				putchar(p[k]);
		printf("\t試験太郎\t情報基盤センター\tadmin@bench.ac.jp\t%s"
		    "\tApache\t\r\n", cn);
		BIO_free(bio);
		X509_REQ_free(req);
	}
	return 0;
}

int
main(int argc, char *argv[])
{
	EVP_PKEY	*key;
	double		 t0;
	long		 i, n;

	if (argc < 3 || (n = strtol(argv[2], NULL, 10)) <= 0)
		return 2;
	if (strcmp(argv[1], "tsv") == 0)
		return tsv(n, argc > 3 ? argv[3] : "h");
	if (strcmp(argv[1], "keygen") == 0) {
		t0 = now();
		for (i = 0; i < n; i++) {
			if (ra_key_new("rsa2048", &key) != RA_OK)
				return 1;
			EVP_PKEY_free(key);
		}
		printf("%.3f\n", now() - t0);
		return 0;
	}
	if (argc != 4)
		return 2;
	return queue(argv[1], n, argv[3]);
}
