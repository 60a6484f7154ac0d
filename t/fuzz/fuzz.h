/*
 * fuzz.h: what the libFuzzer targets share (one small .c per target, each
 * with LLVMFuzzerTestOneInput; conf/fuzz builds and runs them).  Include
 * once per target.  A target calls the library function that takes the
 * untrusted bytes, never a database; what the library promises (an error
 * always says why, an answer always parses) is checked with fuzz_assert,
 * so a broken promise is a crash libFuzzer keeps.
 */
#ifndef FUZZ_H
#define FUZZ_H

#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int	LLVMFuzzerInitialize(int *, char ***);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define fuzz_assert(c) do {						\
	if (!(c)) {							\
		fprintf(stderr, "%s:%d: broken promise: %s\n",		\
		    __FILE__, __LINE__, #c);				\
		abort();						\
	}								\
} while (0)

/* The input as a C string (caller frees); a NUL in it ends it there. */
static inline char *
fuzz_str(const uint8_t *data, size_t size)
{
	char	*s;

	if ((s = malloc(size + 1)) == NULL)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/* A private directory for the process's files, removed at exit. */
static char	fuzz_dir[64];

static inline void
fuzz_dir_remove(void)
{
	char		 path[sizeof(fuzz_dir) + 256];
	struct dirent	*e;
	DIR		*d;

	if (fuzz_dir[0] == '\0' || (d = opendir(fuzz_dir)) == NULL)
		return;
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) {
			snprintf(path, sizeof(path), "%s/%s", fuzz_dir, e->d_name);
			(void)unlink(path);
		}
	closedir(d);
	(void)rmdir(fuzz_dir);
}

static inline const char *
fuzz_tmpdir(void)
{
	if (fuzz_dir[0] != '\0')
		return fuzz_dir;
	snprintf(fuzz_dir, sizeof(fuzz_dir), "/tmp/ra-fuzz.XXXXXX");
	if (mkdtemp(fuzz_dir) == NULL) {
		perror("fuzz: mkdtemp");
		exit(1);
	}
	atexit(fuzz_dir_remove);
	return fuzz_dir;
}

/* "text" as the file "name" in fuzz_tmpdir(); its path, until the next call. */
static inline const char *
fuzz_file(const char *name, const char *text)
{
	static char	 path[256];
	FILE		*f;

	snprintf(path, sizeof(path), "%s/%s", fuzz_tmpdir(), name);
	if ((f = fopen(path, "w")) == NULL || fputs(text, f) == EOF ||
	    fclose(f) != 0) {
		fprintf(stderr, "fuzz: %s: %s\n", path, strerror(errno));
		exit(1);
	}
	return path;
}

#endif /* FUZZ_H */
