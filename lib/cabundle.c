/*
 * cabundle.c: the client-CA bundle, the file Apache trusts for client
 * certificates (SSLCACertificateFile ${RA_CLIENT_CA}), made from the CA
 * catalogue, so that after a CA rollover a new RA certificate is accepted
 * when the client sends only itself; and Apache's graceful restart, which
 * is what makes it read the file again.
 *
 * The bundle is every active, unexpired CA that issues RA-officer or
 * client certificates (a personal certificate chosen by mistake must
 * reach ra, which then says so), and every CA above them up to the
 * roots.  In ca_id order: the same catalogue gives the same bytes, so an
 * unchanged bundle is neither rewritten nor reloaded.
 */
#include <sys/types.h>

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/pem.h>

#include "ra.h"
#include "domain.h"

/* A bundle larger than this is not a CA list but a mistake. */
#define BUNDLE_MAX	(4 * 1024 * 1024)

/*
 * The kinds whose CAs Apache must know: their certificates log in.  The
 * ancestors come whatever their state: without its root an issuing CA is
 * of no use, and a retired root takes its CAs' certificates with it anyway.
 */
static const char SQL_BUNDLE[] =
    "WITH RECURSIVE b AS ("
    "  SELECT c.ca_id, c.parent_ca_id, 0 AS depth"
    "    FROM ra.ca c"
    "   WHERE c.status = 'active' AND c.not_after > pg_catalog.now()"
    "     AND EXISTS (SELECT 1 FROM ra.ca_kind k WHERE k.ca_id = c.ca_id"
    "                    AND k.kind IN ('ra_officer', 'client'))"
    "  UNION ALL"
    "  SELECT a.ca_id, a.parent_ca_id, b.depth + 1"
    "    FROM ra.ca a JOIN b ON a.ca_id = b.parent_ca_id"
    "   WHERE b.depth < 8)"
    " SELECT c.cert_der, c.name, c.subject_dn"
    "   FROM ra.ca c WHERE c.ca_id IN (SELECT ca_id FROM b)"
    "  ORDER BY c.ca_id";

/* Apache's parent process, by the names Debian and upstream give it. */
static const char *const apache_names[] = { "apache2", "httpd" };

/* One CA's certificate (DER from the database) appended to "bio" as PEM. */
static enum ra_err
bundle_add(BIO *bio, const PGresult *res, int row)
{
	const unsigned char	*p;
	unsigned char		*der = NULL;
	size_t			 len;
	X509			*crt = NULL;
	enum ra_err		 er;

	if ((er = ra_bytea_get(res, row, 0, &der, &len)) != RA_OK)
		return er;
	p = der;
	er = RA_ECRYPTO;
	if (len <= LONG_MAX && (crt = d2i_X509(NULL, &p, (long)len)) != NULL &&
	    PEM_write_bio_X509(bio, crt))
		er = RA_OK;
	else
		ra_warnx("CA %s: its certificate in ra.ca does not parse",
		    PQgetvalue(res, row, 1));
	X509_free(crt);
	PQfreemem(der);
	return er;
}

/*
 * The bundle, PEM: "*pem" is the caller's to free, "*n" the number of CAs
 * in it; each is named on "report" (NULL: none).
 */
enum ra_err
ra_cabundle_make(PGconn *db, FILE *report, char **pem, size_t *len,
    size_t *n)
{
	PGresult	*res = NULL;
	BIO		*bio = NULL;
	char		*p;
	long		 sz;
	int		 i;
	enum ra_err	 er;

	*pem = NULL;
	*len = *n = 0;
	if ((er = ra_db_query(db, "client-CA bundle", SQL_BUNDLE, 0, NULL,
	    &res)) != RA_OK)
		return er;
	if ((bio = BIO_new(BIO_s_mem())) == NULL) {
		er = RA_ENOMEM;
		goto out;
	}
	for (i = 0; i < PQntuples(res); i++) {
		if ((er = bundle_add(bio, res, i)) != RA_OK)
			goto out;
		if (report != NULL)
			fprintf(report, "  %s (%s)\n", PQgetvalue(res, i, 1),
			    PQgetvalue(res, i, 2));
	}
	if ((sz = BIO_get_mem_data(bio, &p)) < 0) {
		er = RA_ECRYPTO;
		goto out;
	}
	if (sz > BUNDLE_MAX) {
		ra_warnx("the client-CA bundle would be over %d bytes: "
		    "%d CAs in ra.ca are too many", BUNDLE_MAX, PQntuples(res));
		er = RA_EINPUT;
		goto out;
	}
	if ((*pem = malloc((size_t)sz + 1)) == NULL) {
		er = RA_ENOMEM;
		goto out;
	}
	if (sz > 0)
		memcpy(*pem, p, (size_t)sz);
	(*pem)[sz] = '\0';
	*len = (size_t)sz;
	*n = (size_t)PQntuples(res);
	er = RA_OK;
out:
	BIO_free(bio);
	PQclear(res);
	return er;
}

/*
 * Whether "path" holds exactly "len" bytes "pem" already; a missing or
 * unreadable file is simply not the same.
 */
static int
bundle_same(const char *path, const char *pem, size_t len)
{
	FILE	*fp;
	char	*old;
	size_t	 got;
	int	 same = 0;

	if ((fp = fopen(path, "r")) == NULL)
		return 0;
	if ((old = malloc(len + 1)) != NULL) {
		got = fread(old, 1, len + 1, fp);
		same = got == len && memcmp(old, pem, len) == 0;
		free(old);
	}
	fclose(fp);
	return same;
}

/*
 * Write the bundle to "path" atomically (mode 0644: certificates only),
 * unless it holds these bytes already: "*changed" says which.  An empty
 * bundle is refused and the old file kept: Apache would not start with
 * it, nor let anyone log in.
 */
enum ra_err
ra_cabundle_write(PGconn *db, const char *path, FILE *report, int *changed)
{
	char		*pem = NULL;
	size_t		 len, n;
	enum ra_err	 er;

	*changed = 0;
	if ((er = ra_cabundle_make(db, report, &pem, &len, &n)) != RA_OK)
		goto out;
	if (n == 0) {
		ra_warnx("no active, unexpired RA-officer or client CA is "
		    "registered: %s is left as it is", path);
		er = RA_ENOTFOUND;
		goto out;
	}
	if (bundle_same(path, pem, len))
		goto out;
	if ((er = ra_write_atomic(path, pem, len, 0644)) == RA_OK)
		*changed = 1;
out:
	free(pem);
	return er;
}

/* Whether process "pid" is an Apache, by /proc/PID/comm. */
static int
is_apache(long pid, char *comm, size_t sz)
{
	FILE	*fp;
	char	 path[64];
	size_t	 i;

	snprintf(comm, sz, "?");
	snprintf(path, sizeof(path), "/proc/%ld/comm", pid);
	if ((fp = fopen(path, "r")) == NULL)
		return 0;
	if (fgets(comm, (int)sz, fp) == NULL)
		snprintf(comm, sz, "?");
	fclose(fp);
	comm[strcspn(comm, "\n")] = '\0';
	for (i = 0; i < RA_NITEMS(apache_names); i++)
		if (strcmp(comm, apache_names[i]) == 0)
			return 1;
	return 0;
}

/*
 * Apache's graceful restart: SIGUSR1 to the process in "pidfile" (its
 * PidFile), which re-reads the configuration and the CA file and lets
 * running requests finish.  Only a process that is Apache is signalled:
 * a stale pid file may name anything by now, and SIGUSR1 kills most.
 */
enum ra_err
ra_apache_reload(const char *pidfile)
{
	char	*buf = NULL, *end, comm[32];
	size_t	 len;
	long	 pid;
	enum ra_err	 er;

	if ((er = ra_read_file(pidfile, 64, &buf, &len)) != RA_OK)
		return er;
	errno = 0;
	pid = strtol(buf, &end, 10);
	if (errno != 0 || end == buf || (*end != '\0' && *end != '\n') ||
	    pid <= 1 || pid > INT_MAX) {
		ra_warnx("%s: not a process id", pidfile);
		er = RA_ECONF;
		goto out;
	}
	if (!is_apache(pid, comm, sizeof(comm))) {
		ra_warnx("%s: process %ld is %s, not Apache (a stale pid file?); "
		    "not signalled", pidfile, pid, comm);
		er = RA_ECONF;
		goto out;
	}
	if (kill((pid_t)pid, SIGUSR1) == -1) {
		ra_warnx("Apache (pid %ld): %s", pid, strerror(errno));
		er = RA_ESYS;
	}
out:
	free(buf);
	return er;
}
