/*
 * audit.c: the audit log.  Rows are appended through ra_audit(); the
 * database numbers and chains them (schema 001, ra.audit_chain) and
 * refuses any change.  ra_audit_verify recomputes the chain here, in C,
 * from the rows' canonical text, and names the first row that is wrong.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>

#include "ra.h"

#define FETCH_ROWS	"1000"

static const char SQL_AUDIT[] =
    "INSERT INTO ra.audit (event, outcome, actor, institution_id, officer_id,"
    "  source_ip, cert_issuer, cert_serial, cert_subject, detail)"
    " VALUES ($1, $2, $3, nullif($4, '0')::bigint, nullif($5, '0')::bigint,"
    "  $6::inet, $7, $8::numeric, $9, coalesce($10::jsonb, '{}'))";

/*
 * The rows and the fields of their canonical text (schema 001,
 * ra.audit_canonical), joined here, not by that function: a database
 * superuser may redefine it to give a changed row's old text, and the
 * stored hash would still match.  The fields are the columns as
 * PostgreSQL's own types print them, no cast a superuser could add, and
 * two built-in functions, named in pg_catalog.
 */
#define CANON_FIRST	3	/* the first field's column */
#define CANON_FIELDS	12
static const char SQL_CURSOR[] =
    "DECLARE audit_rows NO SCROLL CURSOR FOR"
    " SELECT audit_id, prev_sha256, row_sha256,"
    "        audit_id, pg_catalog.to_char(pg_catalog.timezone('UTC', at),"
    "          'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'),"
    "        event, outcome, actor, institution_id, officer_id,"
    "        pg_catalog.host(source_ip), cert_issuer, cert_serial,"
    "        cert_subject, detail"
    "   FROM ra.audit ORDER BY audit_id";
static const char SQL_FETCH[] = "FETCH " FETCH_ROWS " FROM audit_rows";
static const char SQL_HEAD[] =
    "SELECT last_id, last_sha256 FROM ra.audit_head";

/* Append one event; inside the caller's transaction if one is open. */
enum ra_err
ra_audit(PGconn *db, const struct ra_event *ev)
{
	const char	*param[10];
	char		 inst[24], off[24], actor[40];

	snprintf(inst, sizeof(inst), "%lld", (long long)ev->institution_id);
	snprintf(off, sizeof(off), "%lld", (long long)ev->officer_id);
	snprintf(actor, sizeof(actor), "officer:%lld",
	    (long long)ev->officer_id);
	param[0] = ev->event;
	param[1] = ev->outcome;
	param[2] = ev->actor != NULL || ev->officer_id == 0 ? ev->actor : actor;
	param[3] = inst;
	param[4] = off;
	param[5] = ev->source_ip;
	param[6] = ev->cert_issuer;
	param[7] = ev->cert_serial;
	param[8] = ev->cert_subject;
	param[9] = ev->detail;
	return ra_db_command(db, "audit", SQL_AUDIT, 10, param);
}

static int
bytes_eq(const PGresult *res, int row, int col, const unsigned char *want)
{
	unsigned char	*b;
	size_t		 n;
	int		 eq;

	if (ra_bytea_get(res, row, col, &b, &n) != RA_OK)
		return 0;
	eq = n == 32 && memcmp(b, want, 32) == 0;
	PQfreemem(b);
	return eq;
}

/* What the walk found, and the signed checkpoints it checks, by row. */
struct walk {
	FILE		 *out;
	struct ra_ckpt	**ck;
	size_t		  nck;
	long long	  rows;		/* how many were read */
	long long	  last;		/* the last row's id */
	int		  chain;	/* chain findings */
	int		  findings;	/* all findings */
};

#define SHOW_FINDINGS	50

static void
finding(struct walk *w, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* One line per finding; past SHOW_FINDINGS they are only counted. */
static void
finding(struct walk *w, const char *fmt, ...)
{
	va_list	 ap;

	if (w->findings++ >= SHOW_FINDINGS)
		return;
	va_start(ap, fmt);
	vfprintf(w->out, fmt, ap);
	va_end(ap);
}

/*
 * Where row "id" lies among the checkpoints: after the last that names
 * a row before it, before the first that names it or a later one.
 */
static void
where(const struct walk *w, long long id, char *buf, size_t sz)
{
	const struct ra_ckpt	*a = NULL, *b = NULL;
	size_t			 i;

	*buf = '\0';
	if (w->ck == NULL)
		return;
	for (i = 0; i < w->nck; i++)
		if (w->ck[i]->row < id)
			a = w->ck[i];
		else if (b == NULL)
			b = w->ck[i];
	if (a == NULL && b == NULL)
		snprintf(buf, sz, " (no checkpoint yet)");
	else if (b == NULL)
		snprintf(buf, sz, " (after the newest checkpoint %s, row %lld "
		    "at %s)", a->name, a->row, a->at);
	else if (a == NULL)
		snprintf(buf, sz, " (before the first checkpoint %s, row %lld "
		    "at %s)", b->name, b->row, b->at);
	else
		snprintf(buf, sz, " (between checkpoint %s, row %lld at %s, and "
		    "checkpoint %s, row %lld at %s)", a->name, a->row, a->at,
		    b->name, b->row, b->at);
}

/* The checkpoints of row "id" against its stored hash "h". */
static void
walk_ckpts(struct walk *w, long long id, const unsigned char *h)
{
	size_t	 i;

	for (i = 0; i < w->nck; i++)
		if (w->ck[i]->row == id) {
			w->ck[i]->found = 1;
			w->ck[i]->differs = memcmp(w->ck[i]->sha256, h, 32) != 0;
		}
}

/*
 * Row "i"'s canonical text into "out": its fields (a NULL one empty)
 * joined by 0x1f, as ra.audit_canonical joins them; 0 when too long.
 */
static int
canon_join(const PGresult *res, int i, unsigned char *out, size_t sz,
    size_t *len)
{
	const char	*v;
	size_t		 n, k = 0;
	int		 j;

	for (j = 0; j < CANON_FIELDS; j++) {
		v = PQgetvalue(res, i, CANON_FIRST + j);
		n = strlen(v);
		if (n + 1 > sz - k)
			return 0;
		if (j > 0)
			out[k++] = 0x1f;
		memcpy(out + k, v, n);
		k += n;
	}
	*len = k;
	return 1;
}

/* One batch of rows: each judged alone, so one change is one finding. */
static enum ra_err
walk_rows(struct walk *w, const PGresult *res, unsigned char *prev,
    long long *expect)
{
	unsigned char	*stored = NULL, buf[32 + 65536],
			 h[32];
	size_t		 clen, slen;
	long long	 id;
	char		 at[512];
	int		 i, gap;
	enum ra_err	 er;

	for (i = 0; i < PQntuples(res); i++, (*expect)++, w->rows++) {
		id = strtoll(PQgetvalue(res, i, 0), NULL, 10);
		gap = id != *expect;
		if (gap) {
			where(w, *expect, at, sizeof(at));
			finding(w, "audit chain broken at row %lld: "
			    "row %lld is missing%s\n", id, *expect, at);
			w->chain++;
			*expect = id;
		}
		if (!gap && !bytes_eq(res, i, 1, prev)) {
			where(w, id, at, sizeof(at));
			finding(w, "audit chain broken at row %lld: "
			    "it does not follow row %lld%s\n", id, id - 1, at);
			w->chain++;
		}
		if ((er = ra_bytea_get(res, i, 1, &stored, &slen)) != RA_OK)
			return er;
		memset(buf, 0, 32);
		if (slen == 32)
			memcpy(buf, stored, 32);
		PQfreemem(stored);
		if (!canon_join(res, i, buf + 32, sizeof(buf) - 32, &clen)) {
			finding(w, "audit row %lld too long to check\n", id);
			w->chain++;
			return RA_EPOLICY;
		}
		if (EVP_Digest(buf, 32 + clen, h, NULL, EVP_sha256(), NULL) !=
		    1)
			return RA_ECRYPTO;
		if (!bytes_eq(res, i, 2, h)) {
			where(w, id, at, sizeof(at));
			finding(w, "audit chain broken at row %lld: "
			    "its content does not match its hash%s\n", id, at);
			w->chain++;
		}
		/* What the next row must follow: this one as stored. */
		if ((er = ra_bytea_get(res, i, 2, &stored, &slen)) != RA_OK)
			return er;
		memset(prev, 0, 32);
		if (slen == 32)
			memcpy(prev, stored, 32);
		PQfreemem(stored);
		walk_ckpts(w, id, prev);
		w->last = id;
	}
	return RA_OK;
}

/*
 * Walk the whole chain in order: ids without gaps from 1, each row's
 * prev_sha256 the previous row's hash, each row_sha256 recomputed from
 * the canonical text, and the head at the last row; each checkpoint's
 * row found with its hash.  Every row that is wrong is a finding.
 */
static enum ra_err
walk(PGconn *db, struct walk *w)
{
	PGresult	*res = NULL;
	unsigned char	 prev[32];
	long long	 expect = 1;
	enum ra_err	 er;

	memset(prev, 0, sizeof(prev));
	walk_ckpts(w, 0, prev);		/* row 0: the empty log */
	/* The canonical text is hashed as UTF-8, as the trigger does. */
	if (PQsetClientEncoding(db, "UTF8") != 0) {
		ra_warnx("db: client encoding UTF8: %s", PQerrorMessage(db));
		return RA_EDB;
	}
	if ((er = ra_db_command(db, "begin", "BEGIN ISOLATION LEVEL "
	    "REPEATABLE READ READ ONLY", 0, NULL)) != RA_OK ||
	    (er = ra_db_command(db, "audit cursor", SQL_CURSOR, 0, NULL)) !=
	    RA_OK)
		goto out;
	for (;;) {
		if ((er = ra_db_query(db, "audit rows", SQL_FETCH, 0, NULL,
		    &res)) != RA_OK)
			goto out;
		if (PQntuples(res) == 0)
			break;
		if ((er = walk_rows(w, res, prev, &expect)) != RA_OK)
			goto out;
		PQclear(res);
		res = NULL;
	}
	PQclear(res);
	res = NULL;
	if ((er = ra_db_query(db, "audit head", SQL_HEAD, 0, NULL, &res)) !=
	    RA_OK)
		goto out;
	if (strtoll(PQgetvalue(res, 0, 0), NULL, 10) != w->last ||
	    !bytes_eq(res, 0, 1, prev)) {
		finding(w, "audit chain broken at row %lld: rows after it "
		    "were removed\n", w->last);
		w->chain++;
	}
out:
	PQclear(res);
	ra_db_rollback(db);
	return er;
}

/* After the findings, so the first line is the first of them if any. */
static void
walk_end(const struct walk *w)
{
	if (w->findings > SHOW_FINDINGS)
		fprintf(w->out, "(%d more finding(s) not shown)\n",
		    w->findings - SHOW_FINDINGS);
	if (w->chain == 0)
		fprintf(w->out, "audit chain intact: %lld row(s)\n", w->rows);
}

/*
 * The chain alone: reports on "out"; RA_EPOLICY when it is broken.  The
 * desk's operations view and ops.cgi audit-verify use the whole check,
 * ra_audit_verify_all.
 */
enum ra_err
ra_audit_verify(PGconn *db, FILE *out)
{
	struct walk	 w;
	enum ra_err	 er;

	memset(&w, 0, sizeof(w));
	w.out = out;
	if ((er = walk(db, &w)) != RA_OK)
		return er;
	walk_end(&w);
	return w.findings > 0 ? RA_EPOLICY : RA_OK;
}

static int
by_row(const void *a, const void *b)
{
	const struct ra_ckpt	*x = *(const struct ra_ckpt *const *)a;
	const struct ra_ckpt	*y = *(const struct ra_ckpt *const *)b;

	if (x->row != y->row)
		return x->row < y->row ? -1 : 1;
	return x->epoch < y->epoch ? -1 : x->epoch > y->epoch;
}

/* What the checkpoints say of the rows, after the walk. */
static void
ckpt_findings(struct walk *w)
{
	const struct ra_ckpt	*good = NULL, *over = NULL;
	size_t			 i;

	for (i = 0; i < w->nck; i++) {
		if (w->ck[i]->row > w->last) {
			over = w->ck[i];	/* the last: the highest row */
			continue;
		}
		if (!w->ck[i]->found)
			finding(w, "checkpoint %s (row %lld at %s): row %lld is "
			    "missing\n", w->ck[i]->name, w->ck[i]->row,
			    w->ck[i]->at, w->ck[i]->row);
		else if (w->ck[i]->differs && good != NULL)
			finding(w, "checkpoint %s (row %lld at %s): row %lld has "
			    "another chain hash: a row after checkpoint %s "
			    "(row %lld at %s), up to row %lld, was changed and "
			    "the chain rewritten\n", w->ck[i]->name,
			    w->ck[i]->row, w->ck[i]->at, w->ck[i]->row,
			    good->name, good->row, good->at, w->ck[i]->row);
		else if (w->ck[i]->differs)
			finding(w, "checkpoint %s (row %lld at %s): row %lld has "
			    "another chain hash: a row up to row %lld was "
			    "changed and the chain rewritten\n", w->ck[i]->name,
			    w->ck[i]->row, w->ck[i]->at, w->ck[i]->row,
			    w->ck[i]->row);
		else
			good = w->ck[i];
	}
	if (over != NULL)
		finding(w, "audit rows after row %lld were removed: the newest "
		    "checkpoint, %s at %s, names row %lld\n", w->last,
		    over->name, over->at, over->row);
}

/*
 * Checkpoints that stopped coming: a superuser can keep the worker from
 * making them (refuse it its query), then cut off the rows written
 * since, and every checkpoint still agrees.  Cron runs "checkpoint
 * --due" every 5 minutes, so one due every Audit.CheckpointMinutes is
 * late past twice that and 5 minutes more.  This host's clock, not the
 * database's.
 */
static void
stale_finding(struct walk *w, const struct ra_conf *c,
    const struct ra_ckpt *newest)
{
	long long	 age, now = (long long)time(NULL);
	size_t		 i;
	int		 minutes;

	/* One dated ahead would pass for fresh ever after: not trusted. */
	for (i = 0; i < w->nck; i++)
		if (w->ck[i]->epoch > now + 300)
			finding(w, "checkpoint %s (row %lld at %s): dated ahead of "
			    "this host's clock\n", w->ck[i]->name, w->ck[i]->row,
			    w->ck[i]->at);
	if (newest == NULL)
		return;
	if ((minutes = ra_conf_int(c, "Audit.CheckpointMinutes", 10)) < 1)
		minutes = 1;
	age = now - newest->epoch;
	if (age > (2LL * minutes + 5) * 60)
		finding(w, "audit checkpoints stopped: the newest, %s at %s, is "
		    "%lld minute(s) old (Audit.CheckpointMinutes %d): rows after "
		    "row %lld are not covered\n", newest->name, newest->at,
		    age / 60, minutes, newest->row);
}

/*
 * The chain and the checkpoints (Audit.CheckpointDir): each signed by
 * the audit certificate, each one's row there with the hash it signed,
 * none naming a row beyond the last.  One line per finding, then one
 * summing up; RA_EPOLICY when anything is wrong.
 */
enum ra_err
ra_audit_verify_all(PGconn *db, const struct ra_conf *c, FILE *out)
{
	struct walk		 w;
	struct ra_ckpt		*v = NULL;
	const struct ra_ckpt	*newest = NULL;
	const char		*why;
	size_t			 n = 0, i, bad = 0;
	enum ra_err		 er, ler;

	memset(&w, 0, sizeof(w));
	w.out = out;
	ler = ra_ckpt_load(c, &v, &n, &why);
	if (ler != RA_OK && ler != RA_ENOTFOUND) {
		if (why == NULL)
			return ler;
		finding(&w, "audit checkpoints: %s\n", why);
	}
	if (n > 0 && (w.ck = calloc(n, sizeof(*w.ck))) == NULL) {
		ra_ckpt_free(v, n);
		return RA_ENOMEM;
	}
	for (i = 0; i < n; i++) {
		if (v[i].bad != NULL) {
			finding(&w, "checkpoint %s: %s\n", v[i].name,
			    v[i].bad);
			bad++;
			continue;
		}
		w.ck[w.nck++] = &v[i];
		if (newest == NULL || v[i].epoch >= newest->epoch)
			newest = &v[i];
	}
	if (w.nck > 0)
		qsort(w.ck, w.nck, sizeof(*w.ck), by_row);
	if ((er = walk(db, &w)) != RA_OK)
		goto out;
	ckpt_findings(&w);
	stale_finding(&w, c, newest);
	walk_end(&w);
	if (ler == RA_ENOTFOUND)
		fprintf(out, "audit summary: %lld row(s), no checkpoints "
		    "(Audit.CheckpointDir is not set); %s\n", w.rows,
		    w.findings == 0 ? "intact" : "broken");
	else if (newest != NULL)
		fprintf(out, "audit summary: %lld row(s), %zu checkpoint(s) "
		    "(%zu bad), the newest %s: row %lld at %s; %s\n", w.rows,
		    n, bad, newest->name, newest->row, newest->at,
		    w.findings == 0 ? "intact" : "broken");
	else
		fprintf(out, "audit summary: %lld row(s), %zu checkpoint(s) "
		    "(%zu bad); %s\n", w.rows, n, bad,
		    w.findings == 0 ? "intact" : "broken");
	er = w.findings > 0 ? RA_EPOLICY : RA_OK;
out:
	free(w.ck);
	ra_ckpt_free(v, n);
	return er;
}
