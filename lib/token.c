/*
 * token.c: CA keys in a PKCS#11 token, through OpenSSL's pkcs11 engine
 * (Debian's libengine-pkcs11-openssl; bookworm has no pkcs11-provider).
 * The ENGINE API is deprecated in OpenSSL 3, so it is used here only:
 * this file alone is built without the deprecation warnings, and the rest
 * of ra sees an EVP_PKEY and a struct ra_token it cannot look into.
 *
 * Only the worker calls this (through signer.c).  The module is named
 * by Worker.Pkcs11Module, the PIN read from Worker.TokenPinFile (which
 * must be the worker user's alone), and Worker.Pkcs11Env may set one
 * variable for the module (SoftHSM2 finds its token directory through
 * SOFTHSM2_CONF).
 *
 * The worker's sandbox (sandbox.c) stays as it is: a module started
 * afresh inside it (the token came back) is loaded from files, which may
 * be read, and may not write.  SoftHSM2 2.6 then tries to open its
 * token's "generation" and "token.object" files O_RDWR|O_CREAT, is
 * refused (EPERM), and goes on reading, which is all signing needs.
 */
#define OPENSSL_SUPPRESS_DEPRECATED

#include <sys/stat.h>

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/engine.h>
#include <openssl/err.h>

#include "ra.h"
#include "domain.h"
#include "ca.h"

#define PIN_MAX		256

struct ra_token {
	const struct ra_keys	*k;	/* borrowed: the worker's config */
	ENGINE			*e;	/* NULL between a stop and a start */
	int			 refs;	/* the token's keys, and the loader's */
	int			 reset;	/* the module was just shut down */
	int			 quiet;	/* a retry: its failures said before */
};

/*
 * The start of PKCS#11's CK_FUNCTION_LIST (version, then the functions in
 * the standard's order; no packing on Unix), enough to finalize a module.
 */
struct p11_head {
	unsigned char	  major, minor;
	unsigned long	(*initialize)(void *);
	unsigned long	(*finalize)(void *);
};

/* The first OpenSSL error, for a log line; the queue is emptied. */
static const char *
ossl_err(char *buf, size_t sz)
{
	unsigned long	 e = ERR_peek_error();

	if (e == 0)
		snprintf(buf, sz, "no detail from the module");
	else
		ERR_error_string_n(e, buf, sz);
	ERR_clear_error();
	return buf;
}

/*
 * The PIN from "path": one line, in a regular file owned by us and
 * readable by nobody else (a PIN others can read is refused, not used).
 */
static enum ra_err
pin_read(const char *path, int quiet, char *pin, size_t sz)
{
	struct stat	 st;
	ssize_t		 n;
	int		 fd;
	enum ra_err	 er = RA_ECONF;

	if (path == NULL) {
		if (!quiet)
			ra_warnx("config: Worker.TokenPinFile is not set: a "
			    "token key needs its PIN there");
		return RA_ECONF;
	}
	/* O_NONBLOCK: a FIFO put there is refused below, not waited on. */
	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)) ==
	    -1) {
		if (!quiet)
			ra_warnx("Worker.TokenPinFile %s: %s", path,
			    strerror(errno));
		return RA_ECONF;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		if (!quiet)
			ra_warnx("Worker.TokenPinFile %s: not a regular file",
			    path);
		goto out;
	}
	if (st.st_uid != geteuid() || (st.st_mode & 077) != 0) {
		if (!quiet)
			ra_warnx("Worker.TokenPinFile %s: mode %04o, owner uid "
			    "%ld: the PIN must be readable by the worker's "
			    "user alone (chown it to that user, chmod 0400); "
			    "not used", path,
			    (unsigned int)(st.st_mode & 07777),
			    (long)st.st_uid);
		goto out;
	}
	if ((n = read(fd, pin, sz - 1)) <= 0) {
		if (!quiet)
			ra_warnx("Worker.TokenPinFile %s: empty or unreadable",
			    path);
		goto out;
	}
	pin[n] = '\0';
	pin[strcspn(pin, "\r\n")] = '\0';
	if (pin[0] == '\0' || (size_t)n == sz - 1) {
		if (!quiet)
			ra_warnx("Worker.TokenPinFile %s: no PIN on its first "
			    "line, or longer than %zu bytes", path, sz - 2);
		goto out;
	}
	er = RA_OK;
out:
	/* A refused file's bytes (a PIN too long, say) leave no copy here. */
	if (er != RA_OK)
		OPENSSL_cleanse(pin, sz);
	close(fd);
	return er;
}

/*
 * Shut the module down if this process has it loaded, so the next engine
 * finds it anew.  A token that went away leaves SoftHSM2 (and other
 * modules) with stale slots and handles for the life of the process, and
 * libp11 keeps its own view of the module across engines; only
 * C_Finalize and a fresh C_Initialize forget them.  dlopen with
 * RTLD_NOLOAD opens no file, so this works inside the sandbox too.
 */
static void
module_finalize(const char *module)
{
	unsigned long	(*getlist)(struct p11_head **);
	struct p11_head	*fl = NULL;
	void		*h, *sym;

	if ((h = dlopen(module, RTLD_NOW | RTLD_NOLOAD)) == NULL)
		return;
	if ((sym = dlsym(h, "C_GetFunctionList")) != NULL) {
		memcpy(&getlist, &sym, sizeof(getlist));
		if (getlist(&fl) == 0 && fl != NULL && fl->finalize != NULL)
			(void)fl->finalize(NULL);
	}
	dlclose(h);
}

/* The engine of "t", on the module of "k" with the PIN of its file. */
static enum ra_err
engine_start(struct ra_token *t)
{
	char		 pin[PIN_MAX], ebuf[256];
	enum ra_err	 er;

	if ((er = pin_read(t->k->pin_file, t->quiet, pin, sizeof(pin))) !=
	    RA_OK)
		return er;
	er = RA_ECRYPTO;
	if ((t->e = ENGINE_by_id("pkcs11")) == NULL) {
		ra_warnx("token: OpenSSL's pkcs11 engine is not installed "
		    "(libengine-pkcs11-openssl): %s", ossl_err(ebuf,
		    sizeof(ebuf)));
		goto out;
	}
	/* libp11's own chatter on stderr would repeat ours every poll. */
	if (!ENGINE_ctrl_cmd_string(t->e, "QUIET", NULL, 1))
		ERR_clear_error();
	if (!ENGINE_ctrl_cmd_string(t->e, "MODULE_PATH", t->k->module, 0) ||
	    !ENGINE_ctrl_cmd_string(t->e, "PIN", pin, 0) ||
	    !ENGINE_init(t->e)) {
		if (!t->quiet)
			ra_warnx("token: module %s: %s", t->k->module,
			    ossl_err(ebuf, sizeof(ebuf)));
		ERR_clear_error();
		ENGINE_free(t->e);
		t->e = NULL;
		goto out;
	}
	er = RA_OK;
out:
	OPENSSL_cleanse(pin, sizeof(pin));
	return er;
}

static void
engine_stop(struct ra_token *t)
{
	if (t->e == NULL)
		return;
	ENGINE_finish(t->e);
	ENGINE_free(t->e);
	t->e = NULL;
}

/*
 * The token of "k" (borrowed for the token's life) for a load of CA
 * keys; the caller holds one reference (ra_token_unref).  With
 * RA_SIGNERS_RESET in "flags" the module is shut down first (after a
 * token went away: every key of the old engine must be freed by now);
 * with RA_SIGNERS_QUIET a failure to open or to find a key is not logged
 * (a retry, whose failure was logged the first time).
 */
enum ra_err
ra_token_open(const struct ra_keys *k, int flags, struct ra_token **out)
{
	struct ra_token	*t;
	const char	*eq;
	char		 name[64];
	enum ra_err	 er;

	*out = NULL;
	if (k->module == NULL) {
		ra_warnx("config: Worker.Pkcs11Module is not set: a CA key in "
		    "a token cannot be opened");
		return RA_ECONF;
	}
	if (k->module_env != NULL) {
		if ((eq = strchr(k->module_env, '=')) == NULL ||
		    eq == k->module_env ||
		    (size_t)(eq - k->module_env) >= sizeof(name)) {
			ra_warnx("config: Worker.Pkcs11Env must be NAME=VALUE");
			return RA_ECONF;
		}
		snprintf(name, sizeof(name), "%.*s",
		    (int)(eq - k->module_env), k->module_env);
		if (setenv(name, eq + 1, 1) == -1)
			return RA_ENOMEM;
	}
	if ((t = calloc(1, sizeof(*t))) == NULL)
		return RA_ENOMEM;
	t->k = k;
	t->refs = 1;
	t->reset = (flags & RA_SIGNERS_RESET) != 0;
	t->quiet = (flags & RA_SIGNERS_QUIET) != 0;
	if (t->reset)
		module_finalize(k->module);
	if ((er = engine_start(t)) != RA_OK) {
		free(t);
		return er;
	}
	*out = t;
	return RA_OK;
}

/*
 * The private key "uri" names in the token; "*key" is the caller's, and
 * holds a reference to the token until it is freed with ra_token_unref.
 * Right after a reset the first key is tried twice, the engine and the
 * module started afresh in between: libp11 (0.4.12) still holds the
 * finalized module's slots the first time, and fails; the second time
 * it loads the module anew (seen with SoftHSM2 2.6; t/69-token-fault).
 */
enum ra_err
ra_token_key(struct ra_token *t, const char *uri, EVP_PKEY **key)
{
	char		 ebuf[256];
	enum ra_err	 er;

	*key = ENGINE_load_private_key(t->e, uri, NULL, NULL);
	if (*key == NULL && t->reset && t->refs == 1) {
		ERR_clear_error();
		engine_stop(t);
		module_finalize(t->k->module);
		if ((er = engine_start(t)) != RA_OK)
			return er;
		*key = ENGINE_load_private_key(t->e, uri, NULL, NULL);
	}
	t->reset = 0;
	if (*key == NULL) {
		if (!t->quiet)
			ra_warnx("CA key %s: not in the token, or the token "
			    "is absent: %s", uri, ossl_err(ebuf, sizeof(ebuf)));
		ERR_clear_error();
		return RA_ECRYPTO;
	}
	t->refs++;
	return RA_OK;
}

/* Drop one reference; the last one closes the engine. */
void
ra_token_unref(struct ra_token *t)
{
	if (t == NULL || --t->refs > 0)
		return;
	engine_stop(t);
	free(t);
}
