/*
 * checkpoint.c: signed checkpoints of the audit chain, outside the
 * database.  The hash chain (audit.c) shows a changed row, but not that
 * its newest rows were cut off and the head reset: a database superuser
 * can do both.  A checkpoint is a file the worker's user alone may write,
 * signed with a key only it reads (Audit.Key), that names the newest row
 * and its chain hash at a time.  The verifier (audit.c) compares the rows
 * with every checkpoint.
 *
 * One file per checkpoint, named YYYYMMDDTHHMMSSZ-ROW.ckpt (UTC, ROW in
 * 12 digits), so the names sort by time.  Its first line is signed:
 *
 *	ra-audit-checkpoint ROW SHA256-HEX YYYY-MM-DDTHH:MM:SSZ
 *
 * then a detached CMS signature of that line (its newline included),
 * PEM, with the signer's certificate in it (ra.conf(5) Audit; the
 * openssl command that checks one by hand is in ops.cgi(8)).
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* pem.h first: cms.h declares its PEM functions only after it */
#include <openssl/pem.h>
#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/x509.h>

#include "ra.h"

#define CKPT_TAG	"ra-audit-checkpoint"
#define CKPT_EXT	".ckpt"
#define CKPT_MAXFILE	(64 * 1024)	/* a line and a signature: ~4 KiB */

/* The newest row (0 and zeros when there is none), and the time. */
static const char SQL_CKPT_HEAD[] =
    "SELECT coalesce(h.audit_id, 0) AS row_id,"
    "       coalesce(encode(h.row_sha256, 'hex'), repeat('0', 64)) AS sha256,"
    "       floor(extract(epoch FROM now()))::bigint AS epoch"
    "  FROM (SELECT 1) AS one LEFT JOIN LATERAL"
    "       (SELECT audit_id, row_sha256 FROM ra.audit"
    "         ORDER BY audit_id DESC LIMIT 1) AS h ON true";

static int
hex_get(const char *s, unsigned char *out, size_t n)
{
	size_t	 i;
	int	 hi, lo;

	for (i = 0; i < n; i++) {
		hi = OPENSSL_hexchar2int((unsigned char)s[2 * i]);
		lo = OPENSSL_hexchar2int((unsigned char)s[2 * i + 1]);
		/* lower case only: one spelling per checkpoint */
		if (hi < 0 || lo < 0 || (s[2 * i] >= 'A' && s[2 * i] <= 'F') ||
		    (s[2 * i + 1] >= 'A' && s[2 * i + 1] <= 'F'))
			return 0;
		out[i] = (unsigned char)(hi << 4 | lo);
	}
	return 1;
}

/* "t" (YYYY-MM-DDTHH:MM:SSZ) as seconds since the epoch; -1: not one. */
static long long
iso_epoch(const char *t)
{
	struct tm	 tm;
	const char	*end;

	memset(&tm, 0, sizeof(tm));
	if ((end = strptime(t, "%Y-%m-%dT%H:%M:%SZ", &tm)) == NULL ||
	    *end != '\0' || strlen(t) != 20)
		return -1;
	return (long long)timegm(&tm);
}

/*
 * The first line of a checkpoint ("line", its newline removed) into
 * "ck"; a reason when it is not one.
 */
static const char *
ckpt_parse(const char *line, struct ra_ckpt *ck)
{
	char		 hex[65], at[21], rest[2], again[160];
	long long	 row;
	int		 n;

	if (strncmp(line, CKPT_TAG " ", sizeof(CKPT_TAG)) != 0)
		return "not a checkpoint (no " CKPT_TAG " line)";
	n = sscanf(line + sizeof(CKPT_TAG), "%lld %64s %20s %1s", &row, hex,
	    at, rest);
	if (n != 3 || row < 0 || strlen(hex) != 64 ||
	    !hex_get(hex, ck->sha256, sizeof(ck->sha256)) ||
	    iso_epoch(at) == -1)
		return "not a checkpoint (its line is malformed)";
	ck->row = row;
	ck->epoch = iso_epoch(at);
	snprintf(ck->at, sizeof(ck->at), "%s", at);
	/* One spelling: the line must be exactly what the worker writes. */
	snprintf(again, sizeof(again), CKPT_TAG " %lld %s %s", row, hex, at);
	if (strcmp(again, line) != 0)
		return "not a checkpoint (its line is malformed)";
	return NULL;
}

/* The certificates of "path", PEM, the current signer first. */
static STACK_OF(X509) *
certs_read(const char *path)
{
	STACK_OF(X509)	*sk;
	X509		*x;
	FILE		*fp;

	if ((fp = fopen(path, "r")) == NULL)
		return NULL;
	if ((sk = sk_X509_new_null()) == NULL) {
		fclose(fp);
		return NULL;
	}
	while ((x = PEM_read_X509(fp, NULL, NULL, NULL)) != NULL)
		if (!sk_X509_push(sk, x)) {
			X509_free(x);
			break;
		}
	ERR_clear_error();		/* the loop ends on "no start line" */
	fclose(fp);
	if (sk_X509_num(sk) == 0) {
		sk_X509_free(sk);
		return NULL;
	}
	return sk;
}

/*
 * The signature after the line, checked: a CMS SignedData over exactly
 * the line, by the key of one of "certs" (Audit.Cert).  The certificate
 * itself is the trust: no chain, no time (an old checkpoint stays good
 * after its certificate expired; the time it names is in what is signed).
 */
static const char *
ckpt_check_sig(const char *line, size_t linelen, const char *pem,
    STACK_OF(X509) *certs)
{
	BIO		*in = NULL, *content = NULL;
	CMS_ContentInfo	*cms = NULL;
	const char	*why = "bad signature (no CMS signature after its line)";

	if ((in = BIO_new_mem_buf(pem, -1)) == NULL ||
	    (content = BIO_new_mem_buf(line, (int)linelen)) == NULL)
		goto out;
	/* One spelling: the PEM at once after the line, nothing after it. */
	why = "not a checkpoint (more than its line and one signature)";
	if (strncmp(pem, "-----BEGIN CMS-----\n", 20) != 0)
		goto out;
	if ((cms = PEM_read_bio_CMS(in, NULL, NULL, NULL)) == NULL) {
		why = "bad signature (no CMS signature after its line)";
		goto out;
	}
	if (BIO_pending(in) != 0)
		goto out;
	why = "bad signature (not by the audit certificate, or not over its "
	    "line)";
	if (CMS_verify(cms, certs, NULL, content, NULL, CMS_BINARY |
	    CMS_NOINTERN | CMS_NO_SIGNER_CERT_VERIFY) == 1)
		why = NULL;
out:
	ERR_clear_error();
	CMS_ContentInfo_free(cms);
	BIO_free(in);
	BIO_free(content);
	return why;
}

/* The file name a checkpoint of "row" at "stamp" has. */
static void
ckpt_name(char *buf, size_t sz, const char *stamp, long long row)
{
	snprintf(buf, sz, "%s-%012lld" CKPT_EXT, stamp, row);
}

/* "name" read and checked into "ck"; ck->bad says why it does not count. */
static void
ckpt_read(const char *dir, const char *name, STACK_OF(X509) *certs,
    struct ra_ckpt *ck)
{
	char		 path[PATH_MAX], want[sizeof(ck->name)], stamp[32];
	char		*buf = NULL, *nl;
	size_t		 len;
	struct stat	 st;
	struct tm	 tm;
	time_t		 t;

	memset(ck, 0, sizeof(*ck));
	snprintf(ck->name, sizeof(ck->name), "%s", name);
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >=
	    sizeof(path)) {
		ck->bad = "unreadable (path too long)";
		return;
	}
	/*
	 * Not followed, nor opened when not a plain file: a FIFO would hang
	 * the verifier and the desk's operations view.
	 */
	if (lstat(path, &st) == -1 || !S_ISREG(st.st_mode)) {
		ck->bad = "unreadable (not a regular file)";
		return;
	}
	if (ra_read_file(path, CKPT_MAXFILE, &buf, &len) != RA_OK) {
		ck->bad = "unreadable";
		return;
	}
	if ((nl = memchr(buf, '\n', len)) == NULL || memchr(buf, '\0', len) !=
	    NULL) {
		ck->bad = "not a checkpoint (no line)";
		goto out;
	}
	*nl = '\0';
	if ((ck->bad = ckpt_parse(buf, ck)) != NULL)
		goto out;
	*nl = '\n';
	if ((ck->bad = ckpt_check_sig(buf, (size_t)(nl - buf) + 1, nl + 1,
	    certs)) != NULL)
		goto out;
	t = (time_t)ck->epoch;
	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm) == 0) {
		ck->bad = "not a checkpoint (its time)";
		goto out;
	}
	ckpt_name(want, sizeof(want), stamp, ck->row);
	if (strcmp(want, name) != 0)
		ck->bad = "renamed (its name does not match its signed line)";
out:
	free(buf);
}

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
is_ckpt_name(const char *s)
{
	size_t	 n = strlen(s), e = sizeof(CKPT_EXT) - 1;

	return s[0] != '.' && n > e && strcmp(s + n - e, CKPT_EXT) == 0;
}

static void
names_free(char **v, size_t n)
{
	while (n > 0)
		free(v[--n]);
	free(v);
}

/* The names of the checkpoint files in "dir", sorted (by time). */
static enum ra_err
ckpt_names(const char *dir, char ***names, size_t *n)
{
	DIR		*d;
	struct dirent	*de;
	char		**v = NULL, **nv, *s;
	size_t		 cap = 0, k = 0;
	enum ra_err	 er = RA_OK;

	*names = NULL;
	*n = 0;
	if ((d = opendir(dir)) == NULL) {
		ra_warnx("%s: %s", dir, strerror(errno));
		return RA_ESYS;
	}
	while ((de = readdir(d)) != NULL) {
		if (!is_ckpt_name(de->d_name))
			continue;
		if (k == cap) {
			cap = cap == 0 ? 64 : cap * 2;
			if ((nv = reallocarray(v, cap, sizeof(*v))) == NULL) {
				er = RA_ENOMEM;
				break;
			}
			v = nv;
		}
		if ((s = strdup(de->d_name)) == NULL) {
			er = RA_ENOMEM;
			break;
		}
		v[k++] = s;
	}
	closedir(d);
	if (er != RA_OK) {
		names_free(v, k);
		return er;
	}
	if (k > 0)
		qsort(v, k, sizeof(*v), name_cmp);
	*names = v;
	*n = k;
	return RA_OK;
}

/*
 * Every checkpoint in Audit.CheckpointDir, read and checked against
 * Audit.Cert, in time order; RA_ENOTFOUND when no directory is
 * configured.  A directory or certificate that cannot be read is an
 * error the caller reports ("*why").
 */
enum ra_err
ra_ckpt_load(const struct ra_conf *c, struct ra_ckpt **out, size_t *nout,
    const char **why)
{
	STACK_OF(X509)	*certs = NULL;
	struct ra_ckpt	*v = NULL;
	const char	*dir, *crt;
	char		**names = NULL;
	size_t		 n = 0, i;
	enum ra_err	 er;

	*out = NULL;
	*nout = 0;
	*why = NULL;
	if ((dir = ra_conf_get(c, "Audit.CheckpointDir")) == NULL)
		return RA_ENOTFOUND;
	if ((crt = ra_conf_get(c, "Audit.Cert")) == NULL) {
		*why = "Audit.Cert is not set";
		return RA_ECONF;
	}
	if ((certs = certs_read(crt)) == NULL) {
		*why = "Audit.Cert cannot be read (no PEM certificate)";
		return RA_ECONF;
	}
	if ((er = ckpt_names(dir, &names, &n)) != RA_OK) {
		*why = "Audit.CheckpointDir cannot be read";
		goto out;
	}
	if (n > 0 && (v = calloc(n, sizeof(*v))) == NULL) {
		er = RA_ENOMEM;
		goto out;
	}
	for (i = 0; i < n; i++)
		ckpt_read(dir, names[i], certs, &v[i]);
	*out = v;
	*nout = n;
	v = NULL;
out:
	free(v);
	names_free(names, n);
	sk_X509_pop_free(certs, X509_free);
	return er;
}

void
ra_ckpt_free(struct ra_ckpt *v, size_t n)
{
	(void)n;
	free(v);
}

/*
 * The time of the newest checkpoint (by name), as it says in its line;
 * -1 when there is none or it cannot be read (then one is due).
 */
static long long
ckpt_newest(const char *dir, char *name, size_t namesz)
{
	struct ra_ckpt	 ck;
	char		**names = NULL, path[PATH_MAX], *buf = NULL, *nl;
	size_t		 n = 0, len;
	long long	 at = -1;
	struct stat	 st;

	*name = '\0';
	if (ckpt_names(dir, &names, &n) != RA_OK || n == 0)
		goto out;
	snprintf(name, namesz, "%s", names[n - 1]);
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, names[n - 1]) >=
	    sizeof(path) ||
	    lstat(path, &st) == -1 || !S_ISREG(st.st_mode) ||
	    ra_read_file(path, CKPT_MAXFILE, &buf, &len) != RA_OK ||
	    (nl = memchr(buf, '\n', len)) == NULL)
		goto out;
	*nl = '\0';
	memset(&ck, 0, sizeof(ck));
	if (ckpt_parse(buf, &ck) == NULL)
		at = ck.epoch;
out:
	free(buf);
	names_free(names, n);
	return at;
}

/* "line" signed with "key" as the certificate "crt": the PEM, appended. */
static enum ra_err
ckpt_sign(const char *line, X509 *crt, EVP_PKEY *key, BIO *mem)
{
	BIO		*in;
	CMS_ContentInfo	*cms = NULL;
	enum ra_err	 er = RA_ECRYPTO;

	if ((in = BIO_new_mem_buf(line, -1)) == NULL)
		return RA_ENOMEM;
	if ((cms = CMS_sign(crt, key, NULL, in, CMS_DETACHED | CMS_BINARY)) !=
	    NULL && PEM_write_bio_CMS(mem, cms))
		er = RA_OK;
	else
		ERR_print_errors_fp(stderr);
	CMS_ContentInfo_free(cms);
	BIO_free(in);
	return er;
}

/* The staged file becomes "path" unless that exists: never replaced. */
static enum ra_err
publish_new(char *tmp, const char *path, const char *dir)
{
	int	 fd, rc, saved;

	rc = renameat2(AT_FDCWD, tmp, AT_FDCWD, path, RENAME_NOREPLACE);
	if (rc == -1 && (errno == EINVAL || errno == ENOSYS) &&
	    (rc = link(tmp, path)) == 0)
		(void)unlink(tmp);	/* no renameat2 here: link refuses too */
	if (rc == -1) {
		saved = errno;
		if (saved != EEXIST)
			ra_warnx("%s: %s", path, strerror(saved));
		ra_write_discard(tmp);
		return saved == EEXIST ? RA_EDUP : RA_ESYS;
	}
	*tmp = '\0';
	/* The new name made durable, as the content was. */
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1 ||
	    fsync(fd) == -1) {
		ra_warnx("%s: %s", dir, strerror(errno));
		if (fd != -1)
			(void)close(fd);
		return RA_ESYS;
	}
	(void)close(fd);
	return RA_OK;
}

/*
 * worker.cgi checkpoint [--due]: sign the newest row of the audit log
 * and its chain hash, with the time, into a new file in
 * Audit.CheckpointDir.  "due": only when the newest checkpoint there is
 * Audit.CheckpointMinutes old (or says a time ahead of the database's).
 */
enum ra_err
ra_ckpt_write(PGconn *db, const struct ra_conf *c, int due, FILE *out)
{
	PGresult	*res = NULL;
	STACK_OF(X509)	*certs = NULL;
	EVP_PKEY	*key = NULL;
	BIO		*mem = NULL;
	FILE		*fp;
	const char	*dir, *keyp, *crtp, *sha;
	char		 line[160], name[256], newest[256], path[PATH_MAX],
			 tmp[PATH_MAX], at[24], stamp[24], *p;
	unsigned char	 h[32];
	struct tm	 tm;
	time_t		 t;
	long long	 row, last;
	int64_t		 epoch, rowid;
	int		 minutes;
	long		 len;
	enum ra_err	 er;

	dir = ra_conf_get(c, "Audit.CheckpointDir");
	keyp = ra_conf_get(c, "Audit.Key");
	crtp = ra_conf_get(c, "Audit.Cert");
	if (dir == NULL || keyp == NULL || crtp == NULL) {
		ra_warnx("config %s: Audit.CheckpointDir, Audit.Key and "
		    "Audit.Cert are needed for checkpoints", c->path);
		return RA_ECONF;
	}
	if ((minutes = ra_conf_int(c, "Audit.CheckpointMinutes", 10)) < 1)
		minutes = 1;
	if ((er = ra_db_query1(db, "audit head", SQL_CKPT_HEAD, 0, NULL,
	    &res)) != RA_OK ||
	    (er = ra_get_i64(res, 0, "row_id", &rowid)) != RA_OK ||
	    (er = ra_get_i64(res, 0, "epoch", &epoch)) != RA_OK)
		goto out;
	row = (long long)rowid;
	sha = ra_get_text(res, 0, "sha256");
	/*
	 * The file's name and line made here from numbers: text from the
	 * database (its superuser is the threat) never becomes a path.
	 */
	t = (time_t)epoch;
	if (sha == NULL || strlen(sha) != 64 || !hex_get(sha, h, sizeof(h)) ||
	    gmtime_r(&t, &tm) == NULL ||
	    strftime(at, sizeof(at), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0 ||
	    strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm) == 0) {
		ra_warnx("audit head: not a row hash and a time");
		er = RA_EDB;
		goto out;
	}
	if (due) {
		last = ckpt_newest(dir, newest, sizeof(newest));
		if (last != -1 && last <= (long long)epoch &&
		    (long long)epoch - last < 60LL * minutes) {
			fprintf(out, "checkpoint not due: the newest, %s, is "
			    "%lld minute(s) old (Audit.CheckpointMinutes %d)\n",
			    newest, ((long long)epoch - last) / 60, minutes);
			goto out;
		}
	}
	if ((certs = certs_read(crtp)) == NULL) {
		ra_warnx("%s: no PEM certificate could be read", crtp);
		er = RA_ECONF;
		goto out;
	}
	er = RA_ECONF;
	if ((fp = fopen(keyp, "r")) == NULL) {
		ra_warnx("%s: %s", keyp, strerror(errno));
		goto out;
	}
	key = PEM_read_PrivateKey(fp, NULL, NULL, NULL);
	fclose(fp);
	/* The first certificate is the one that signs from now on. */
	if (key == NULL || X509_check_private_key(sk_X509_value(certs, 0),
	    key) != 1) {
		ERR_clear_error();
		ra_warnx("%s: not the key of the first certificate in %s",
		    keyp, crtp);
		goto out;
	}
	snprintf(line, sizeof(line), CKPT_TAG " %lld %s %s\n", row, sha, at);
	ckpt_name(name, sizeof(name), stamp, row);
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >=
	    sizeof(path)) {
		er = RA_ECONF;
		goto out;
	}
	if ((mem = BIO_new(BIO_s_mem())) == NULL ||
	    BIO_write(mem, line, (int)strlen(line)) <= 0) {
		er = RA_ENOMEM;
		goto out;
	}
	if ((er = ckpt_sign(line, sk_X509_value(certs, 0), key, mem)) != RA_OK)
		goto out;
	len = BIO_get_mem_data(mem, &p);
	if ((er = ra_write_stage(path, p, (size_t)len, 0644, tmp,
	    sizeof(tmp))) != RA_OK)
		goto out;
	if ((er = publish_new(tmp, path, dir)) == RA_EDUP) {
		/* the same row in the same second: that one says it all */
		fprintf(out, "checkpoint %s exists already\n", name);
		er = RA_OK;
		goto out;
	}
	if (er == RA_OK)
		fprintf(out, "checkpoint %s: row %lld at %s\n", name, row, at);
out:
	PQclear(res);
	BIO_free(mem);
	EVP_PKEY_free(key);
	sk_X509_pop_free(certs, X509_free);
	return er;
}
