/*
 * zip.c: the PIN and P12 ZIP files of client certificates (reference
 * §3.5), built in memory with libzip.  The entries are stored, not
 * deflated: PKCS#12 files are encrypted (nothing to gain) and the text
 * files are small.
 */
#include <stdlib.h>
#include <string.h>

#include <zip.h>

#include "ra.h"
#include "domain.h"

struct ra_zip {
	zip_source_t	*src;	/* the archive's own bytes, kept */
	zip_t		*za;
};

/* A new, empty archive in memory; NULL when out of memory. */
struct ra_zip *
ra_zip_new(void)
{
	struct ra_zip	*z;
	zip_error_t	 ze;

	if ((z = calloc(1, sizeof(*z))) == NULL)
		return NULL;
	zip_error_init(&ze);
	if ((z->src = zip_source_buffer_create(NULL, 0, 0, &ze)) == NULL)
		goto fail;
	zip_source_keep(z->src);	/* survive zip_close, to be read */
	if ((z->za = zip_open_from_source(z->src, ZIP_TRUNCATE, &ze)) == NULL) {
		ra_warnx("zip: %s", zip_error_strerror(&ze));
		goto fail;
	}
	zip_error_fini(&ze);
	return z;
fail:
	zip_error_fini(&ze);
	if (z->src != NULL)
		zip_source_free(z->src);
	free(z);
	return NULL;
}

/* Add entry "name" holding a copy of "data". */
enum ra_err
ra_zip_add(struct ra_zip *z, const char *name, const void *data, size_t len)
{
	zip_source_t	*s;
	void		*copy;
	zip_int64_t	 idx;

	if ((copy = malloc(len > 0 ? len : 1)) == NULL)
		return RA_ENOMEM;
	memcpy(copy, data, len);
	/* freep 1: libzip frees the copy, when the archive is written. */
	if ((s = zip_source_buffer(z->za, copy, len, 1)) == NULL) {
		free(copy);
		return RA_ENOMEM;
	}
	if ((idx = zip_file_add(z->za, name, s, ZIP_FL_ENC_UTF_8)) < 0) {
		ra_warnx("zip %s: %s", name, zip_strerror(z->za));
		zip_source_free(s);
		return RA_EINPUT;
	}
	if (zip_set_file_compression(z->za, (zip_uint64_t)idx, ZIP_CM_STORE,
	    0) != 0)
		return RA_ESYS;
	return RA_OK;
}

/*
 * Write the archive and free "z": on RA_OK "*out" (free) holds the ZIP
 * file's bytes.
 */
enum ra_err
ra_zip_finish(struct ra_zip *z, unsigned char **out, size_t *outlen)
{
	zip_stat_t	 st;
	enum ra_err	 er = RA_ESYS;

	*out = NULL;
	*outlen = 0;
	if (zip_close(z->za) != 0) {
		ra_warnx("zip: %s", zip_strerror(z->za));
		zip_discard(z->za);
		goto out;
	}
	zip_stat_init(&st);
	if (zip_source_stat(z->src, &st) != 0 || !(st.valid & ZIP_STAT_SIZE) ||
	    zip_source_open(z->src) != 0)
		goto out;
	if ((*out = malloc(st.size > 0 ? st.size : 1)) == NULL) {
		er = RA_ENOMEM;
		zip_source_close(z->src);
		goto out;
	}
	if (zip_source_read(z->src, *out, st.size) != (zip_int64_t)st.size) {
		free(*out);
		*out = NULL;
	} else {
		*outlen = st.size;
		er = RA_OK;
	}
	zip_source_close(z->src);
out:
	zip_source_free(z->src);
	free(z);
	return er;
}

/* Throw away an archive not finished. */
void
ra_zip_free(struct ra_zip *z)
{
	if (z == NULL)
		return;
	zip_discard(z->za);
	zip_source_free(z->src);
	free(z);
}
