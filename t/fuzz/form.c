/*
 * Fuzz target "form": one web request as a screen gets it, parsed by
 * ClearSilver's own CGI kit (cgi_init, cgi_parse) in ra_req_open, then
 * checked whole by ra_form_check against a screen's declared fields: the
 * upload screens' (a multipart file among them) and a text-only table.
 * The input is the query string, the Content-Type and the Cookie header,
 * one line each, then the body, which is on standard input as Apache
 * gives it (a memfd here) with its length in CONTENT_LENGTH.  Promise
 * checked: a refused request names why.
 */
#include <sys/mman.h>

#include "ra.h"
#include "web.h"
#include "fuzz.h"

static const struct ra_field text_fields[] = {
	{ "pin", 12, ra_valid_secret, RA_FIELD_TEXT },
	{ "t", RA_TOKEN_LEN, ra_valid_token, RA_FIELD_TEXT },
	{ "step", 16, ra_valid_word, RA_FIELD_TEXT },
	{ "id", 18, ra_valid_digits, RA_FIELD_TEXT },
	RA_FIELD_CSRF,
};

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char	 conf[1024];

	snprintf(conf, sizeof(conf),
	    "Db.Worker = dbname=none\nDb.Admin = dbname=none\n"
	    "Paths.Templates = /nonexistent\nPaths.Schema = /nonexistent\n"
	    "Paths.UploadTmp = %s\nSite.Name = fuzz\n"
	    "Limits.RequestBytes = 1048576\n", fuzz_tmpdir());
	setenv("RA_CONF", fuzz_file("ra.conf", conf), 1);
	setenv("GATEWAY_INTERFACE", "CGI/1.1", 1);
	setenv("REQUEST_METHOD", "POST", 1);
	return 0;
}

/* One header line into the environment as "var" (an empty one: unset). */
static const uint8_t *
header(const char *var, const uint8_t *p, const uint8_t *end)
{
	const uint8_t	*nl = memchr(p, '\n', (size_t)(end - p));
	char		*v;

	if (nl == NULL)
		nl = end;
	v = fuzz_str(p, (size_t)(nl - p));
	if (*v != '\0')
		setenv(var, v, 1);
	else
		unsetenv(var);
	free(v);
	return nl < end ? nl + 1 : end;
}

/* The body on fd 0, as the CGI's standard input. */
static void
body_on_stdin(const uint8_t *p, size_t len)
{
	char	 cl[32];
	int	 fd;

	if ((fd = memfd_create("fuzz-body", 0)) == -1 ||
	    write(fd, p, len) != (ssize_t)len || dup2(fd, 0) == -1) {
		perror("fuzz: body");
		exit(1);
	}
	close(fd);
	/* stdio's buffer and EOF of the last input go too. */
	if (fseek(stdin, 0, SEEK_SET) != 0) {
		perror("fuzz: stdin");
		exit(1);
	}
	clearerr(stdin);
	snprintf(cl, sizeof(cl), "%zu", len);
	setenv("CONTENT_LENGTH", cl, 1);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ra_req	 r;
	const uint8_t	*p = data, *end = data + size;
	const char	*f[RA_UPLOAD_FIELDS], *g[RA_NITEMS(text_fields)];
	char		*argv[] = { "form.cgi", NULL }, buf[4096];
	FILE		*fp;
	enum ra_err	 er;

	p = header("QUERY_STRING", p, end);
	p = header("CONTENT_TYPE", p, end);
	p = header("HTTP_COOKIE", p, end);
	body_on_stdin(p, (size_t)(end - p));
	if ((er = ra_req_open(&r, 1, argv)) != RA_OK)
		goto out;
	fuzz_assert(r.is_cgi && r.cgi != NULL);
	r.refusal = NULL;
	er = ra_form_check(&r, ra_upload_fields, RA_UPLOAD_FIELDS);
	fuzz_assert(er == RA_OK || (er == RA_EINPUT && r.refusal != NULL));
	if (er == RA_OK) {
		fuzz_assert(ra_form_get(&r, ra_upload_fields,
		    RA_UPLOAD_FIELDS, f) == RA_OK);
		/* The file as upload_read takes it. */
		if ((fp = cgi_filehandle(r.cgi, "file")) != NULL) {
			rewind(fp);
			while (fread(buf, 1, sizeof(buf), fp) > 0)
				continue;
		}
	}
	r.refusal = NULL;
	er = ra_form_check(&r, text_fields, RA_NITEMS(text_fields));
	fuzz_assert(er == RA_OK || (er == RA_EINPUT && r.refusal != NULL));
	if (er == RA_OK)
		fuzz_assert(ra_form_get(&r, text_fields,
		    RA_NITEMS(text_fields), g) == RA_OK);
out:
	ra_req_close(&r);
	return 0;
}
