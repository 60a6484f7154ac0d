/*
 * mkcrl: the raw OpenSSL baseline of bench/run's CRL figure.
 *
 *	mkcrl CA.crt CA.key ENTRIES OUT.der
 *
 * Builds, signs and writes the CRL of the entries in ENTRIES (the rows of
 * lib/crl.c's own entry query, "serial<TAB>epoch<TAB>reason" as psql's
 * COPY writes them) with lib/crl.c's entry and extension builders
 * (ra_crl_entry, ra_crl_exts) and the X509_CRL API alone: no database, no
 * transaction, no audit, what any CA program has to do at the least.  The
 * CRL is the one ra's builder makes (reason codes, CRL number, authority
 * key identifier, sorted, SHA-256), so the two differ only in what ra does
 * around it.  Prints the seconds from reading the entries to the file
 * written.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/bn.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "ra.h"
#include "domain.h"
#include "ca.h"

static double
now(void)
{
	struct timespec	 t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void *
pem_read(const char *path, int key)
{
	FILE	*fp;
	void	*v;

	if ((fp = fopen(path, "r")) == NULL)
		return NULL;
	v = key ? (void *)PEM_read_PrivateKey(fp, NULL, NULL, NULL) :
	    (void *)PEM_read_X509(fp, NULL, NULL, NULL);
	fclose(fp);
	return v;
}

int
main(int argc, char *argv[])
{
	X509		*ca = NULL;
	EVP_PKEY	*key = NULL;
	X509_CRL	*crl = NULL;
	ASN1_TIME	*t = NULL;
	FILE		*in = NULL, *out = NULL;
	char		 line[256], *tab1, *tab2;
	double		 t0;
	time_t		 when;
	long		 n = 0;
	int		 rc = 1;

	if (argc != 5) {
		fprintf(stderr, "usage: mkcrl CA.crt CA.key ENTRIES OUT.der\n");
		return 2;
	}
	if ((ca = pem_read(argv[1], 0)) == NULL ||
	    (key = pem_read(argv[2], 1)) == NULL) {
		fprintf(stderr, "mkcrl: cannot read the CA\n");
		goto out;
	}
	t0 = now();
	if ((in = fopen(argv[3], "r")) == NULL ||
	    (crl = X509_CRL_new()) == NULL || !X509_CRL_set_version(crl, 1) ||
	    !X509_CRL_set_issuer_name(crl, X509_get_subject_name(ca)))
		goto out;
	while (fgets(line, sizeof(line), in) != NULL) {
		if ((tab1 = strchr(line, '\t')) == NULL ||
		    (tab2 = strchr(tab1 + 1, '\t')) == NULL)
			goto out;
		*tab1 = '\0';
		when = (time_t)strtoll(tab1 + 1, NULL, 10);
		if (!ra_crl_entry(crl, line, when, atoi(tab2 + 1)))
			goto out;
		n++;
	}
	when = time(NULL);
	if ((t = ASN1_TIME_set(NULL, when)) == NULL ||
	    !X509_CRL_set1_lastUpdate(crl, t) ||
	    ASN1_TIME_set(t, when + 7 * 86400) == NULL ||
	    !X509_CRL_set1_nextUpdate(crl, t) || !ra_crl_exts(crl, ca, 1) ||
	    !X509_CRL_sort(crl) || X509_CRL_sign(crl, key, EVP_sha256()) <= 0 ||
	    (out = fopen(argv[4], "w")) == NULL || i2d_X509_CRL_fp(out, crl) <= 0)
		goto out;
	if (fclose(out) != 0) {
		out = NULL;
		goto out;
	}
	out = NULL;
	printf("%.3f %ld\n", now() - t0, n);
	rc = 0;
out:
	if (rc != 0)
		fprintf(stderr, "mkcrl: failed after %ld entries\n", n);
	if (in != NULL)
		fclose(in);
	if (out != NULL)
		fclose(out);
	ASN1_TIME_free(t);
	X509_CRL_free(crl);
	EVP_PKEY_free(key);
	X509_free(ca);
	return rc;
}
