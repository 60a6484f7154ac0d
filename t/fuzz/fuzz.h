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
	char	 cmd[128];

	/* Only ever our own mkdtemp name. */
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", fuzz_dir);
	if (fuzz_dir[0] != '\0' && system(cmd) != 0)
		fprintf(stderr, "fuzz: %s not removed\n", fuzz_dir);
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

/* "text" as the file "name" in fuzz_tmpdir(); its path, static. */
static inline const char *
fuzz_file(const char *name, const char *text)
{
	static char	 path[4][256];
	static int	 next;
	char		*p = path[next++ % 4];
	FILE		*f;

	snprintf(p, sizeof(path[0]), "%s/%s", fuzz_tmpdir(), name);
	if ((f = fopen(p, "w")) == NULL || fputs(text, f) == EOF ||
	    fclose(f) != 0) {
		fprintf(stderr, "fuzz: %s: %s\n", p, strerror(errno));
		exit(1);
	}
	return p;
}

#endif /* FUZZ_H */
