/*
 * util.c: small file helpers.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ra.h"

static int
write_full(int fd, const void *buf, size_t sz)
{
	const char	*p = buf;
	ssize_t		 n;

	while (sz > 0) {
		if ((n = write(fd, p, sz)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		sz -= (size_t)n;
	}
	return 0;
}

/* Write "buf" to "path" atomically; the old file stays intact on any error. */
enum ra_err
ra_write_atomic(const char *path, const void *buf, size_t sz, unsigned mode)
{
	char		 tmp[PATH_MAX];
	enum ra_err	 er;

	if ((er = ra_write_stage(path, buf, sz, mode, tmp, sizeof(tmp))) !=
	    RA_OK)
		return er;
	return ra_write_publish(tmp, path);
}

/*
 * The first half of ra_write_atomic: "buf" written and synced to a new
 * file beside "path", named in "tmp", for ra_write_publish to put in
 * place (or ra_write_discard to drop) once the caller committed what it
 * stands for.  A full disk shows here, before anything is committed.
 */
enum ra_err
ra_write_stage(const char *path, const void *buf, size_t sz, unsigned mode,
    char *tmp, size_t tmpsz)
{
	int	 fd = -1;

	if ((size_t)snprintf(tmp, tmpsz, "%s.XXXXXX", path) >= tmpsz)
		return RA_EINPUT;
	if ((fd = mkstemp(tmp)) == -1) {
		ra_warnx("%s: %s", tmp, strerror(errno));
		*tmp = '\0';
		return RA_ESYS;
	}
	if (fchmod(fd, (mode_t)mode) == -1 || write_full(fd, buf, sz) == -1 ||
	    fsync(fd) == -1)
		goto fail;
	if (close(fd) == -1) {
		fd = -1;
		goto fail;
	}
	return RA_OK;
fail:
	ra_warnx("%s: %s", path, strerror(errno));
	if (fd != -1)
		(void)close(fd);
	ra_write_discard(tmp);
	return RA_ESYS;
}

/* The staged file "tmp" becomes "path", in one rename. */
enum ra_err
ra_write_publish(char *tmp, const char *path)
{
	if (rename(tmp, path) == -1) {
		ra_warnx("%s: %s", path, strerror(errno));
		ra_write_discard(tmp);
		return RA_ESYS;
	}
	*tmp = '\0';
	return RA_OK;
}

/* A staged file that will not be published (none: nothing to do). */
void
ra_write_discard(char *tmp)
{
	if (*tmp != '\0')
		(void)unlink(tmp);
	*tmp = '\0';
}

/*
 * Read a whole regular file of at most "max" bytes.  "*out" is the
 * caller's to free and is NUL-terminated (the NUL is not counted).
 */
enum ra_err
ra_read_file(const char *path, size_t max, char **out, size_t *outsz)
{
	struct stat	 st;
	char		*buf = NULL;
	size_t		 got = 0;
	ssize_t		 n;
	int		 fd;
	enum ra_err	 er = RA_ESYS;

	*out = NULL;
	*outsz = 0;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		ra_warnx("%s: %s", path, strerror(errno));
		return RA_ESYS;
	}
	if (fstat(fd, &st) == -1)
		goto out;
	if (!S_ISREG(st.st_mode) || (size_t)st.st_size > max) {
		ra_warnx("%s: not a regular file of at most %zu bytes", path,
		    max);
		er = RA_EINPUT;
		goto out;
	}
	if ((buf = malloc((size_t)st.st_size + 1)) == NULL) {
		er = RA_ENOMEM;
		goto out;
	}
	while (got < (size_t)st.st_size) {
		if ((n = read(fd, buf + got, (size_t)st.st_size - got)) == -1) {
			if (errno == EINTR)
				continue;
			goto out;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	buf[got] = '\0';
	*out = buf;
	*outsz = got;
	buf = NULL;
	er = RA_OK;
out:
	if (er == RA_ESYS)
		ra_warnx("%s: %s", path, strerror(errno));
	free(buf);
	close(fd);
	return er;
}

/* "\\x" followed by hex: PostgreSQL's text input form of bytea; caller frees. */
char *
ra_bytea_hex(const unsigned char *p, size_t n)
{
	static const char	 hex[] = "0123456789abcdef";
	char			*s;
	size_t			 i;

	if ((s = malloc(2 * n + 3)) == NULL)
		return NULL;
	s[0] = '\\';
	s[1] = 'x';
	for (i = 0; i < n; i++) {
		s[2 + 2 * i] = hex[p[i] >> 4];
		s[3 + 2 * i] = hex[p[i] & 0xf];
	}
	s[2 + 2 * n] = '\0';
	return s;
}

/*
 * A bytea column of a text-format result as bytes ("*out" caller frees
 * with PQfreemem).  RA_ENOTFOUND for NULL.
 */
enum ra_err
ra_bytea_get(const PGresult *res, int row, int col, unsigned char **out,
    size_t *len)
{
	*out = NULL;
	*len = 0;
	if (PQgetisnull(res, row, col))
		return RA_ENOTFOUND;
	*out = PQunescapeBytea((const unsigned char *)PQgetvalue(res, row, col),
	    len);
	return *out == NULL ? RA_ENOMEM : RA_OK;
}
