/*
 * upload-batch.c: a file's rows asked about all at once.  Row by row an
 * issue row cost about ten round trips to PostgreSQL (its savepoint, the
 * OU allow list, the profile, the issued CN, the key's reuse, the
 * request and its job); here the kind's prefetch puts each question to
 * the database once for the whole file (arrays as parameters, unnest),
 * the rows are checked against the answers in the order and with the
 * messages they always had, and their requests go in with one INSERT
 * (ra_request_send).  The database still decides every "only one"
 * rule: when the INSERT breaks one, the driver (upload.c) goes over the
 * file again row by row to say which row.
 *
 * The answers stand for the database as the rows before found it: a key
 * used by an earlier row of the file counts as used (prev_key), as the
 * earlier row's request would have been in ra.request.
 *
 * The CSRs are parsed by a thread per core (parallel.c): OpenSSL 3.0 spends more on
 * decoding a CSR's key than on checking its signature, and the file's
 * other work waits on them.  The threads share nothing but the row
 * counter; each writes its own rows' ra_upload_pre.
 */

#define CSR_THREADS_MIN_ROWS 64	/* fewer: not worth a thread */
#define CSR_STRIDE	16		/* rows a thread takes at a time */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "ra.h"
#include "domain.h"
#include "upload.h"

/* SQL_KEY_USED (request.c) for an array of keys: the ordinals used. */
static const char SQL_KEYS_USED[] =
    "SELECT u.i FROM pg_catalog.unnest($1::bytea[]) WITH ORDINALITY"
    "       AS u(k, i)"
    " WHERE EXISTS (SELECT 1 FROM ra.certificate c"
    "                WHERE c.spki_sha256 = u.k)"
    "    OR EXISTS (SELECT 1 FROM ra.request r WHERE r.spki_sha256 = u.k"
    "                 AND r.state IN ('queued', 'done'))";

enum ra_err
ra_upload_batch_init(struct ra_upload_batch *b, const struct ra_tsv *t)
{
	size_t	 i;

	memset(b, 0, sizeof(*b));
	b->csr_col = -1;
	if (t->nrows > 0 &&
	    (b->pre = calloc(t->nrows, sizeof(*b->pre))) == NULL)
		return RA_ENOMEM;
	b->n = t->nrows;
	for (i = 0; i < b->n; i++) {
		b->pre[i].prev_key = b->pre[i].prev_name = -1;
		b->pre[i].first_p12 = -1;
		b->pre[i].errors = t->rows[i].errors;
	}
	return RA_OK;
}

void
ra_upload_batch_free(struct ra_upload_batch *b)
{
	size_t	 i;

	for (i = 0; i < b->n; i++) {
		X509_REQ_free(b->pre[i].csr);
		free(b->pre[i].csr_why);
	}
	free(b->pre);
	free(b->prof);
	ra_request_bulk_free(&b->bulk);
	memset(b, 0, sizeof(*b));
}

/*
 * Profile "id" as ra_profile_load gives it, loaded once per file.  A
 * failure of the database is not kept: the next row asks again.
 */
enum ra_err
ra_upload_batch_profile(PGconn *db, struct ra_upload_batch *b, int id,
    struct ra_profile *p)
{
	struct ra_upload_cprof	*c;
	size_t			 i;
	enum ra_err		 er;

	for (i = 0; i < b->nprof; i++)
		if (b->prof[i].id == id) {
			*p = b->prof[i].p;
			return b->prof[i].er;
		}
	er = ra_profile_load(db, id, p);
	if (er != RA_OK && er != RA_ENOTFOUND)
		return er;
	if ((c = reallocarray(b->prof, b->nprof + 1, sizeof(*c))) == NULL)
		return er;		/* not kept: asked again */
	b->prof = c;
	c[b->nprof].id = id;
	c[b->nprof].er = er;
	c[b->nprof].p = *p;
	b->nprof++;
	return er;
}

enum ra_err
ra_upload_profile(struct ra_upload_row *rc, int id, struct ra_profile *p)
{
	if (rc->b == NULL)
		return ra_profile_load(rc->ctx->db, id, p);
	return ra_upload_batch_profile(rc->ctx->db, rc->b, id, p);
}

/* One CSR: parsed, its signature checked, its key's SHA-256. */
static enum ra_err
csr_one(struct ra_upload_pre *pr, const char *text)
{
	unsigned char	*spki = NULL;
	size_t		 len;
	char		 why[512] = "";
	enum ra_err	 er;

	pr->csr_tried = 1;
	er = ra_csr_parse((const unsigned char *)text, strlen(text), &pr->csr,
	    why, sizeof(why));
	if (er == RA_ENOMEM)
		return er;
	if (er != RA_OK) {		/* the row's error, said by its rule */
		pr->csr_why = strdup(why);
		return pr->csr_why != NULL ? RA_OK : RA_ENOMEM;
	}
	if (ra_pubkey_spki(X509_REQ_get_X509_PUBKEY(pr->csr), &spki, &len,
	    pr->sha) == RA_OK)
		pr->has_key = 1;
	OPENSSL_free(spki);
	return RA_OK;
}

static int
key_cmp(const void *a, const void *b, void *arg)
{
	const struct ra_upload_pre	*pre = arg;
	size_t				 i = *(const size_t *)a,
					 k = *(const size_t *)b;
	int				 c;

	if ((c = memcmp(pre[i].sha, pre[k].sha, 32)) != 0)
		return c;
	return i < k ? -1 : i > k;
}

struct csr_work {
	struct ra_upload_batch	*b;
	const struct ra_tsv	*t;
	int			 col;
	size_t			 from;		/* the range's start */
	atomic_int		 nomem;
};

static void
csr_at(void *arg, size_t k)
{
	struct csr_work	*w = arg;
	size_t		 i = w->from + k;

	if (w->t->rows[i].errors == 0 && *w->t->rows[i].f[w->col] != '\0' &&
	    csr_one(&w->b->pre[i], w->t->rows[i].f[w->col]) != RA_OK)
		atomic_store(&w->nomem, 1);
}

/*
 * The CSR of column "col" of rows "from" to "to" (not included) that the
 * reader passed, parsed once, and which earlier row of them has the same
 * key (a row of an earlier range the database knows by then).
 */
enum ra_err
ra_upload_csrs(struct ra_upload_batch *b, const struct ra_tsv *t, int col,
    size_t from, size_t to)
{
	struct csr_work	 w;
	size_t		*ord = NULL, n = 0, i;

	if (from >= to)
		return RA_OK;
	memset(&w, 0, sizeof(w));
	w.b = b;
	w.t = t;
	w.col = col;
	w.from = from;
	atomic_init(&w.nomem, 0);
	ra_parallel(to - from, CSR_THREADS_MIN_ROWS, CSR_STRIDE, csr_at, &w);
	if (atomic_load(&w.nomem))
		return RA_ENOMEM;
	if ((ord = calloc(to - from, sizeof(*ord))) == NULL)
		return RA_ENOMEM;
	for (i = from; i < to; i++)
		if (b->pre[i].has_key)
			ord[n++] = i;
	qsort_r(ord, n, sizeof(*ord), key_cmp, b->pre);
	for (i = 1; i < n; i++)
		if (memcmp(b->pre[ord[i - 1]].sha, b->pre[ord[i]].sha, 32) == 0)
			b->pre[ord[i]].prev_key = (long)ord[i - 1];
	free(ord);
	return RA_OK;
}

/*
 * The row's CSR "text": the one parsed for the file (borrowed: give it
 * back with ra_upload_csr_free), or parsed now.  As ra_csr_parse.
 */
enum ra_err
ra_upload_csr(struct ra_upload_row *rc, const char *text, X509_REQ **csr,
    char *why, size_t whysz)
{
	struct ra_upload_pre	*pr;

	if (rc->b == NULL || !(pr = &rc->b->pre[rc->i])->csr_tried)
		return ra_csr_parse((const unsigned char *)text, strlen(text),
		    csr, why, whysz);
	*csr = pr->csr;
	if (pr->csr != NULL)
		return RA_OK;
	ra_msgf(why, whysz, "%s", pr->csr_why);
	return RA_EINPUT;
}

void
ra_upload_csr_free(struct ra_upload_row *rc, X509_REQ *csr)
{
	if (rc->b == NULL || csr != rc->b->pre[rc->i].csr)
		X509_REQ_free(csr);
}

/*
 * Run "sql" with "args": each row it returns is an ordinal (1-based)
 * into "rowof", the file's row that "fact" is true of.
 */
enum ra_err
ra_upload_mark(PGconn *db, const char *what, const char *sql,
    const struct ra_arg *args, size_t nargs, const size_t *rowof,
    size_t nrowof, struct ra_upload_batch *b, enum ra_upload_fact fact)
{
	struct ra_upload_pre	*pr;
	PGresult		*res = NULL;
	long long		 o;
	int			 k;
	enum ra_err		 er;

	if (nrowof == 0)
		return RA_OK;
	if ((er = ra_db_run(db, what, sql, &res, args, nargs)) != RA_OK)
		return er;
	for (k = 0; k < PQntuples(res); k++) {
		o = strtoll(PQgetvalue(res, k, 0), NULL, 10);
		if (o < 1 || (size_t)o > nrowof || rowof[o - 1] >= b->n) {
			er = RA_EDB;
			break;
		}
		pr = &b->pre[rowof[o - 1]];
		switch (fact) {
		case RA_FACT_KEY_USED:
			pr->key_used = 1;
			break;
		case RA_FACT_ISSUED:
			pr->issued = 1;
			break;
		case RA_FACT_OU_BAD:
			pr->ou_bad = 1;
			break;
		}
	}
	PQclear(res);
	return er;
}

/* SQL_KEY_USED for the keys of rows "from" to "to": one query. */
enum ra_err
ra_upload_keys(PGconn *db, struct ra_upload_batch *b, size_t from, size_t to)
{
	struct ra_pgarr	 keys;
	const char	*lit;
	size_t		*rowof = NULL, n = 0, i;
	char		*hex;
	enum ra_err	 er = RA_OK;

	memset(&keys, 0, sizeof(keys));
	if (from >= to)
		return RA_OK;
	if ((rowof = calloc(to - from, sizeof(*rowof))) == NULL)
		return RA_ENOMEM;
	for (i = from; i < to; i++) {
		if (!b->pre[i].has_key)
			continue;
		if ((hex = ra_bytea_hex(b->pre[i].sha, 32)) == NULL ||
		    !ra_pgarr_add(&keys, hex)) {
			free(hex);
			er = RA_ENOMEM;
			goto out;
		}
		free(hex);
		rowof[n++] = i;
	}
	if ((lit = ra_pgarr_str(&keys)) == NULL) {
		er = RA_ENOMEM;
		goto out;
	}
	er = ra_upload_mark(db, "keys used", SQL_KEYS_USED,
	    RA_ARGS(RA_TEXT(lit)), rowof, n, b, RA_FACT_KEY_USED);
out:
	ra_pgarr_free(&keys);
	free(rowof);
	return er;
}

/*
 * Whether the row's key is used: before the file (SQL_KEY_USED), or by
 * an earlier row of it whose request is held for the INSERT.
 */
int
ra_upload_key_used(const struct ra_upload_row *rc)
{
	const struct ra_upload_pre	*pre = rc->b->pre;
	long				 k;

	if (pre[rc->i].key_used)
		return 1;
	for (k = pre[rc->i].prev_key; k >= 0; k = pre[k].prev_key)
		if (pre[k].queued)
			return 1;
	return 0;
}

/*
 * Whether an earlier row of the file with the row's name (prev_name, as
 * the kind's prefetch linked them) has its request held for the INSERT:
 * row by row, the kind's 212 query would have found it in ra.request.
 */
int
ra_upload_name_queued(const struct ra_upload_row *rc)
{
	const struct ra_upload_pre	*pre = rc->b->pre;
	long				 k;

	for (k = pre[rc->i].prev_name; k >= 0; k = pre[k].prev_name)
		if (pre[k].queued)
			return 1;
	return 0;
}
