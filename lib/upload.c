/*
 * upload.c: the TSV upload driver for ① and ③ 発行・更新・失効 and ⑤
 * 利用管理者情報 更新 (reference §2, §5).  Every row is read by the TSV
 * reader against the kind's declared table, checked by the kind's row
 * rules (upload-server.c, upload-client.c, upload-admin.c), and queued
 * (issue, renew) or carried out (revoke, update).
 * In "abort" mode the file is one transaction: one bad row and nothing
 * happens.  Each row has its own savepoint; "partial" mode keeps the good
 * rows of a file with bad ones.  A dry run checks everything and keeps
 * nothing.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/objects.h>

#include "ra.h"
#include "domain.h"
#include "upload.h"

static const char SQL_OLD_CERT[] =
    "SELECT c.cert_id, c.institution_id, c.kind, c.cn, c.subject_dn,"
    "       c.superseded_by IS NOT NULL OR EXISTS (SELECT 1 FROM ra.request r"
    "         WHERE r.target_cert_id = c.cert_id AND r.action = 'renew'"
    "           AND r.state IN ('waiting', 'queued')) AS renewed,"
    "       EXISTS (SELECT 1 FROM ra.revocation v"
    "                WHERE v.cert_id = c.cert_id) AS revoked"
    "  FROM ra.certificate c"
    " WHERE c.serial = $1::numeric AND c.state = 'issued'";
static const char SQL_BATCH_ADD[] =
    "INSERT INTO ra.batch (institution_id, officer_id, kind, action,"
    "  error_mode, filename, sha256, rows_total, rows_ok)"
    " VALUES ($1::bigint, nullif($2, '0')::bigint, nullif($8, ''), $3, $4,"
    "  $5, pg_catalog.sha256($6::bytea), $7::integer, 0)"
    " RETURNING batch_id";
/*
 * One upload of an institution at a time (two officers, two tabs): rows
 * of two files lock certificates, "only one" index entries and the audit
 * chain's head in their own orders, and crossing they deadlocked, the
 * victim's row getting an empty 233 or a CSR error.  Held to the commit,
 * the second file then sees the first's rows: 234 already revoked, 235
 * already renewed, 212 already issued (t/73).  Other institutions' files
 * share no certificate and are not held up.
 */
static const char SQL_UPLOAD_LOCK[] =
    "SELECT pg_catalog.pg_advisory_xact_lock(7264, $1::integer)";
static const char SQL_BATCH_DONE[] =
    "UPDATE ra.batch SET rows_ok = $2::integer, rows_ng = $3::integer,"
    "       result_tsv = $4::bytea"
    " WHERE batch_id = $1::bigint";

static const char *const action_name[RA_TSV_ACTION__MAX] = {
	[RA_TSV_ISSUE] = "issue",
	[RA_TSV_RENEW] = "renew",
	[RA_TSV_REVOKE] = "revoke",
	[RA_TSV_UPDATE] = "update",
};
static const char *const mode_name[RA_UPLOAD__MAX] = {
	[RA_UPLOAD_ABORT] = "abort",
	[RA_UPLOAD_PARTIAL] = "partial",
	[RA_UPLOAD_DRYRUN] = "dry_run",
};
static const struct ra_upload_rules *const rules_of[RA_UPLOAD_KIND__MAX] = {
	[RA_UPLOAD_SERVER] = &ra_upload_server_rules,
	[RA_UPLOAD_CLIENT] = &ra_upload_client_rules,
	[RA_UPLOAD_CODESIGN] = &ra_upload_codesign_rules,
	[RA_UPLOAD_ADMIN] = &ra_upload_admin_rules,
	[RA_UPLOAD_ACME] = &ra_upload_acme_rules,
};
_Static_assert(RA_NITEMS(rules_of) == RA_UPLOAD_KIND__MAX,
    "rules_of[] out of sync with enum ra_upload_kind");

void
ra_upload_error(struct ra_upload_row *rc, int code, int col, const char *fmt,
    ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	ra_tsv_verrorf(rc->e, code, rc->row->line, rc->fmt->cols[col].label,
	    fmt, ap);
	va_end(ap);
}

/* Error 206 of the DN in column "col", with the parser's reason if any. */
void
ra_upload_dn_error(struct ra_upload_row *rc, int col, const char *why)
{
	if (why != NULL && *why != '\0')
		ra_upload_error(rc, E_DN, col, M_DN_FORMAT " %s", rc->lbl, why);
	else
		ra_upload_error(rc, E_DN, col, M_DN_FORMAT, rc->lbl);
}


/* "name" is "domain" or under it. */
static int
under(const char *name, const char *domain)
{
	size_t	 n = strlen(name), d = strlen(domain);

	return strcasecmp(name, domain) == 0 || (n > d + 1 &&
	    name[n - d - 1] == '.' && strcasecmp(name + n - d, domain) == 0);
}

int
ra_upload_officer_domain(const struct ra_upload_ctx *ctx, const char *name)
{
	size_t	 i;

	for (i = 0; i < ctx->ndomains; i++)
		if (under(name, ctx->domains[i]))
			return 1;
	return 0;
}

/* TSV order CN, OU*, O, L, ST, C; each but OU at most once (§2.1). */
int
ra_upload_dn_order_ok(const X509_NAME *name)
{
	static const int nids[] = { NID_commonName,
	    NID_organizationalUnitName, NID_organizationName,
	    NID_localityName, NID_stateOrProvinceName, NID_countryName };
	int	 i, k, rank, last = -1, nid;

	/* DER order is C first: walk it backwards, as the TSV writes it. */
	for (i = X509_NAME_entry_count(name) - 1; i >= 0; i--) {
		nid = OBJ_obj2nid(X509_NAME_ENTRY_get_object(
		    X509_NAME_get_entry(name, i)));
		for (rank = -1, k = 0; k < (int)RA_NITEMS(nids); k++)
			if (nids[k] == nid)
				rank = k;
		if (rank < last || (rank == last && rank != 1) || rank < 0)
			return 0;
		last = rank;
	}
	return 1;
}

int
ra_upload_value_is(const X509_NAME *name, int nid, const char *want)
{
	char	*v = ra_dn_get(name, nid);
	int	 eq = v != NULL && want != NULL && strcmp(v, want) == 0;

	free(v);
	return eq;
}

/*
 * No value of "name" with a leading, trailing or doubled space.  Names
 * compare as X509_NAME_cmp does, spaces folded: "A B ", " A B" and "A  B"
 * are A B's name again, yet lower(cn) and ou in the "only one" indexes
 * tell them apart, so one name could be issued twice.
 */
int
ra_upload_spaces_ok(const X509_NAME *name)
{
	unsigned char	*v;
	size_t		 n;
	int		 i, len, ok = 1;

	for (i = 0; ok && i < X509_NAME_entry_count(name); i++) {
		if ((len = ASN1_STRING_to_UTF8(&v, X509_NAME_ENTRY_get_data(
		    X509_NAME_get_entry(name, i)))) < 0)
			return 0;
		n = (size_t)len;
		ok = n == 0 || (v[0] != ' ' && v[n - 1] != ' ' &&
		    strstr((char *)v, "  ") == NULL);
		OPENSSL_free(v);
	}
	return ok;
}

/*
 * The issued certificate whose serial is in column "col", into "old";
 * 0 with the row's error when there is none.  The kind's rules say
 * whether it is one this row may act on.
 */
int
ra_upload_old_cert(struct ra_upload_row *rc, int col, struct ra_upload_old *old)
{
	PGresult	*res = NULL;
	int		 ok = 0;

	memset(old, 0, sizeof(*old));
	if (ra_db_run1(rc->ctx->db, "old certificate", SQL_OLD_CERT, &res,
	    RA_ARGS(RA_TEXT(rc->row->f[col]))) != RA_OK) {
		ra_upload_error(rc, E_SERIAL, col, M_NOT_FOUND, rc->row->f[col],
		    rc->row->f[col]);
		goto out;
	}
	if (ra_get_i64(res, 0, "cert_id", &old->cert_id) != RA_OK ||
	    ra_get_i64(res, 0, "institution_id", &old->institution_id) !=
	    RA_OK || ra_get_bool(res, 0, "renewed", &old->renewed) != RA_OK ||
	    ra_get_bool(res, 0, "revoked", &old->revoked) != RA_OK ||
	    ra_get_str(res, 0, "kind", old->kind, sizeof(old->kind)) != RA_OK ||
	    ra_get_str(res, 0, "cn", old->cn, sizeof(old->cn)) != RA_OK ||
	    ra_get_str(res, 0, "subject_dn", old->subject_dn,
	    sizeof(old->subject_dn)) != RA_OK) {
		ra_upload_error(rc, E_SERIAL, col, M_UNREADABLE, rc->row->f[col],
		    rc->row->f[col]);
		goto out;
	}
	ok = 1;
out:
	PQclear(res);
	return ok;
}

/* Reason labels of the revocation mails (reference §2.4.3, §10.3, §10.4). */
static const struct {
	const char	*ja, *en, *both;
} reason_label[] = {
	[0] = { "その他", "unspecified", "その他 (unspecified)" },
	[1] = { "鍵の危殆化", "keyCompromise", "鍵の危殆化 (keyCompromise)" },
	[3] = { "所属変更", "affiliationChanged",
	    "所属変更 (affiliationChanged)" },
	[4] = { "証明書の置き換え", "superseded",
	    "証明書の置き換え (superseded)" },
	[5] = { "運用停止", "cessationOfOperation",
	    "運用停止 (cessationOfOperation)" },
};

/* Which label of reason "reason": 0 Japanese, 1 English, 2 both. */
const char *
ra_upload_reason(int reason, int which)
{
	if (reason < 0 || reason >= (int)RA_NITEMS(reason_label) ||
	    reason_label[reason].ja == NULL)
		return "?";
	return which == 0 ? reason_label[reason].ja : which == 1 ?
	    reason_label[reason].en : reason_label[reason].both;
}

static const char SQL_REVOKED_WHO[] =
    "SELECT c.subject_dn, c.kind, coalesce(r.admin_mail, '') AS admin_mail,"
    "       coalesce(r.admin_name, '') AS admin_name,"
    "       coalesce(r.user_mail, '') AS user_mail,"
    "       coalesce(r.user_name, '') AS user_name, o.mail, o.name_ja"
    "  FROM ra.certificate c"
    "  JOIN ra.request r ON r.request_id = c.request_id"
    "  JOIN ra.officer o ON o.officer_id = $2::bigint"
    " WHERE c.cert_id = $1::bigint";

/*
 * The revocation done, by mail: M10 (server, and its code-signing twin)
 * to the RA officer and the user administrator of record; M5 (client,
 * S/MIME) to them and the user.  Each addressee is greeted by name.
 */
static enum ra_err
revoked_mail(struct ra_upload_row *rc, int64_t cert_id, const char *serial,
    int reason)
{
	struct ra_kv	 kv[8];
	PGresult	*res = NULL;
	const char	*kind, *mail[3];
	char		 to[800], *block = NULL;
	size_t		 i, n;
	int		 client;
	enum ra_err	 er;

	if ((er = ra_db_run1(rc->ctx->db, "revoked", SQL_REVOKED_WHO, &res,
	    RA_ARGS(RA_INT(cert_id), RA_INT(rc->ctx->officer_id)))) != RA_OK)
		goto out;
	if ((block = ra_dn_block(ra_get_text(res, 0, "subject_dn"))) == NULL) {
		er = RA_ENOMEM;
		goto out;
	}
	kind = ra_get_text(res, 0, "kind");
	client = strcmp(kind, "client") == 0 || strcmp(kind, "smime") == 0;
	mail[0] = ra_get_text(res, 0, "mail");
	mail[1] = ra_get_text(res, 0, "admin_mail");
	mail[2] = client ? ra_get_text(res, 0, "user_mail") : "";
	for (*to = '\0', i = 0; i < RA_NITEMS(mail); i++) {
		if (*mail[i] == '\0' || ra_list_has(to, mail[i]))
			continue;
		n = strlen(to);
		snprintf(to + n, sizeof(to) - n, "%s%s", n > 0 ? "," : "",
		    mail[i]);
	}
	kv[0] = (struct ra_kv){ "NameJa", ra_get_text(res, 0, "name_ja") };
	kv[1] = (struct ra_kv){ "DNBlock", block };
	kv[2] = (struct ra_kv){ "Serial", serial };
	kv[3] = (struct ra_kv){ "Reason", ra_upload_reason(reason, 2) };
	kv[4] = (struct ra_kv){ "AdminName", ra_get_text(res, 0, "admin_name") };
	kv[5] = (struct ra_kv){ "UserName", ra_get_text(res, 0, "user_name") };
	kv[6] = (struct ra_kv){ "ReasonJa", ra_upload_reason(reason, 0) };
	kv[7] = (struct ra_kv){ "ReasonEn", ra_upload_reason(reason, 1) };
	er = ra_mail_queue(rc->ctx->db, client ? "client-cert-revoked" :
	    strcmp(kind, "code_signing") == 0 ? "codesign-cert-revoked" :
	    "server-cert-revoked", to, kv, client ? 8 : 5);
out:
	PQclear(res);
	free(block);
	return er;
}

/*
 * Revoke certificate "cert_id" as the row asks (serial, reason and
 * comment in columns "c_serial", "c_reason", "c_comment"), and mail it.
 */
void
ra_upload_revoke(struct ra_upload_row *rc, int c_serial, int c_reason,
    int c_comment, int64_t cert_id)
{
	struct ra_revoke	 rv;
	char			 why[512] = "", actor[40];
	enum ra_err		 er;

	memset(&rv, 0, sizeof(rv));
	snprintf(actor, sizeof(actor), "officer:%lld",
	    (long long)rc->ctx->officer_id);
	rv.serial = rc->row->f[c_serial];
	rv.reason = atoi(rc->row->f[c_reason]);
	rv.comment = rc->row->f[c_comment];
	rv.officer_id = rc->ctx->officer_id;
	rv.actor = actor;
	if ((er = ra_revoke(rc->ctx->db, &rv, why, sizeof(why))) == RA_EDUP)
		ra_upload_error(rc, E_REVOKED, c_serial, M_REVOKED, rv.serial,
		    rv.serial);
	else if (er == RA_EINPUT && rv.reason == 0 && *rv.comment == '\0')
		ra_upload_error(rc, 201, c_comment, RA_MSG_REQUIRED,
		    rc->fmt->cols[c_comment].label,
		    rc->fmt->cols[c_comment].label_en);
	/* A database failure says no "why": the upload's error, not the row's. */
	else if (er != RA_OK && *why != '\0')
		ra_upload_error(rc, E_REASON, c_reason, "%s", why);
	else if (er != RA_OK)
		rc->failed = er;
	else if (revoked_mail(rc, cert_id, rv.serial, rv.reason) != RA_OK)
		ra_upload_error(rc, E_REASON, c_serial, "%s", "revocation mail "
		    "could not be queued");
}

static int
dup_cmp(const void *a, const void *b, void *arg)
{
	const struct ra_tsv	*t = ((const struct ra_tsv *const *)arg)[0];
	int			 col = *((const int *const *)arg)[1];
	size_t			 i = *(const size_t *)a;
	size_t			 k = *(const size_t *)b;
	int			 c;

	if ((c = strcasecmp(t->rows[i].f[col], t->rows[k].f[col])) != 0)
		return c;
	return i < k ? -1 : i > k;
}

/*
 * Which rows an earlier row already names in column "col" (the CN or
 * serial, case folded): "*dup" one flag a row (caller frees), all 0
 * when "col" is -1.  Sorted, not row against row: a file of 10,000.
 */
static enum ra_err
duplicates(const struct ra_tsv *t, int col, char **dup)
{
	const void	*arg[2] = { t, &col };
	size_t		*ord, n = 0, i;

	if ((*dup = calloc(t->nrows + 1, 1)) == NULL)
		return RA_ENOMEM;
	if (col < 0 || t->nrows == 0)
		return RA_OK;
	if ((ord = calloc(t->nrows, sizeof(*ord))) == NULL) {
		free(*dup);
		*dup = NULL;
		return RA_ENOMEM;
	}
	for (i = 0; i < t->nrows; i++)
		if (*t->rows[i].f[col] != '\0')
			ord[n++] = i;
	qsort_r(ord, n, sizeof(*ord), dup_cmp, arg);
	for (i = 1; i < n; i++)
		if (strcasecmp(t->rows[ord[i - 1]].f[col],
		    t->rows[ord[i]].f[col]) == 0)
			(*dup)[ord[i]] = 1;
	free(ord);
	return RA_OK;
}

/* The result TSV: the input row, 処理結果, エラー内容 (UTF-8). */
static char *
result_tsv(const struct ra_tsv_format *fmt, const struct ra_tsv *t,
    const struct ra_tsv_errors *e)
{
	char	*buf = NULL;
	size_t	 len = 0, i, c, k, listed;
	FILE	*fp;

	if ((fp = open_memstream(&buf, &len)) == NULL)
		return NULL;
	for (i = 0; i < t->nrows; i++) {
		/* A PIN is not kept: the result TSV is stored with the batch. */
		for (c = 0; c < fmt->ncols; c++)
			fprintf(fp, "%s\t", fmt->cols[c].secret ? "" :
			    t->rows[i].f[c]);
		fputs(t->rows[i].errors == 0 ? "OK\t" : "NG\t", fp);
		for (listed = 0, k = 0; k < e->n; k++)
			if (e->v[k].line == t->rows[i].line)
				fprintf(fp, "%s%s", listed++ == 0 ? "" : " / ",
				    e->v[k].text);
		if (listed < t->rows[i].errors)
			fprintf(fp, "%sエラー件数が%d件を超えたため省略 / not "
			    "listed past %d errors", listed == 0 ? "" : " / ",
			    RA_TSV_ERRORS_MAX, RA_TSV_ERRORS_MAX);
		fputs("\r\n", fp);
	}
	fclose(fp);
	return buf;
}

/* One event per upload, kept with the batch row whatever the mode did. */
static enum ra_err
audit_batch(const struct ra_upload_ctx *ctx, const char *event,
    enum ra_tsv_action action, enum ra_upload_mode mode,
    const struct ra_upload_result *res)
{
	struct ra_event	 ev;
	char		 detail[200];

	snprintf(detail, sizeof(detail), "{\"batch_id\": %lld, \"action\": "
	    "\"%s\", \"mode\": \"%s\", \"ok\": %zu, \"ng\": %zu, "
	    "\"committed\": %s}", (long long)ctx->batch_id,
	    action_name[action], mode_name[mode], res->ok, res->ng,
	    res->committed ? "true" : "false");
	memset(&ev, 0, sizeof(ev));
	ev.event = event;
	ev.outcome = res->ng == 0 ? "ok" : "fail";
	ev.actor = ctx->actor;
	ev.institution_id = ctx->institution_id;
	ev.officer_id = ctx->officer_id;
	ev.source_ip = ctx->source_ip;
	ev.detail = detail;
	return ra_audit(ctx->db, &ev);
}

/*
 * A file refused whole (its name, encoding, layout or size): no batch is
 * made, but the refusal is audited as every refusal is, with the first
 * error's code.  A failed audit is logged; the refusal stands.
 */
static void
audit_file_refused(const struct ra_upload_ctx *ctx, const char *event,
    enum ra_tsv_action action, enum ra_upload_mode mode,
    const struct ra_upload_result *res)
{
	struct ra_event	 ev;
	char		 detail[160];

	snprintf(detail, sizeof(detail), "{\"action\": \"%s\", \"mode\": "
	    "\"%s\", \"file_error\": %d}", action_name[action],
	    mode_name[mode], res->e.n > 0 ? res->e.v[0].code : 0);
	memset(&ev, 0, sizeof(ev));
	ev.event = event;
	ev.outcome = "refused";
	ev.actor = ctx->actor;
	ev.institution_id = ctx->institution_id;
	ev.officer_id = ctx->officer_id;
	ev.source_ip = ctx->source_ip;
	ev.detail = detail;
	if (ra_audit(ctx->db, &ev) != RA_OK)
		ra_warnx("upload: the refusal of a file (%s) is not audited",
		    event);
}

/*
 * Check rows "from" to "to" (not included) against the kind's rules,
 * and count them in "res".  Row by row ("b" NULL or not fast), each row
 * has its own savepoint: a row the database refuses (a unique index lost
 * to a concurrent upload) is that row's error, and the other rows are
 * still checked.  With the file's answers ("b" fast) no row touches the
 * database: their requests wait in b->bulk, and "*redo" is set when a
 * row's query failed, for the caller to go row by row.
 */
static enum ra_err
rows(struct ra_upload_ctx *ctx, const struct ra_upload_rules *ru,
    enum ra_tsv_action action, struct ra_upload_result *res, const char *dup,
    struct ra_upload_batch *b, size_t from, size_t to, int *redo)
{
	struct ra_upload_row	 rc;
	int			 fast = b != NULL && b->fast, col;
	size_t			 i, before;
	enum ra_err		 er;

	*redo = 0;
	memset(&rc, 0, sizeof(rc));
	rc.ctx = ctx;
	rc.e = &res->e;
	rc.fmt = ru->fmt;
	rc.lbl = ru->fmt->cols[0].label;
	rc.t = &res->t;
	rc.b = b;
	col = action == RA_TSV_REVOKE ? ru->dup_revoke : ru->dup_issue;
	for (i = from; i < to; i++) {
		rc.row = &res->t.rows[i];
		rc.i = i;
		before = res->e.n + res->e.dropped;
		if (!fast && (er = ra_db_command(ctx->db, "savepoint",
		    "SAVEPOINT ra_row", 0, NULL)) != RA_OK)
			return er;
		if (dup[i])
			ra_upload_error(&rc, E_DUP, col, M_DUP_FILE,
			    rc.row->f[col], rc.row->f[col]);
		else if (rc.row->errors == 0 && action == RA_TSV_REVOKE)
			ru->revoke(&rc);
		else if (rc.row->errors == 0 && action == RA_TSV_UPDATE)
			ru->update(&rc);
		else if (rc.row->errors == 0)
			ru->issue(&rc, action);
		rc.row->errors += res->e.n + res->e.dropped - before;
		/*
		 * A failure that is no rule's (the database, memory) fails
		 * the file: counted OK, the row would say done and hold
		 * nothing.
		 */
		if (rc.failed != RA_OK)
			return rc.failed;
		if (PQtransactionStatus(ctx->db) == PQTRANS_INERROR) {
			if (fast) {
				*redo = 1;	/* row by row to say what */
				return RA_OK;
			}
			if (rc.row->errors == 0)
				return RA_EDB;	/* the database's, no rule's */
		}
		if (rc.row->errors == 0)
			res->ok++;
		else
			res->ng++;
		if (!fast && (er = ra_db_command(ctx->db,
		    "savepoint", rc.row->errors == 0 ?
		    "RELEASE SAVEPOINT ra_row" : "ROLLBACK TO SAVEPOINT ra_row",
		    0, NULL)) != RA_OK)
			return er;
	}
	return RA_OK;
}

/*
 * The file with its answers asked for all rows at once, CHUNK_ROWS rows
 * at a time: while the server inserts one range's requests, the next
 * range's CSRs are parsed, so the CGI and PostgreSQL each keep a core
 * busy.  A range's keys are looked up after the ranges before are in
 * ra.request, as row by row they would be.  "*redo" is set when the
 * database refused an INSERT (an "only one" index) or a query failed:
 * the caller rolls the file back and goes row by row.
 */
#define CHUNK_ROWS	500

static enum ra_err
fast_pass(struct ra_upload_ctx *ctx, const struct ra_upload_rules *ru,
    enum ra_tsv_action action, struct ra_upload_result *res, const char *dup,
    struct ra_upload_batch *b, int *redo)
{
	size_t		 from, to, n = res->t.nrows;
	int		 sent = 0;
	enum ra_err	 er = RA_OK;

	*redo = 0;
	for (from = 0; from < n; from = to) {
		to = n - from > CHUNK_ROWS ? from + CHUNK_ROWS : n;
		if (b->csr_col >= 0 && (er = ra_upload_csrs(b, &res->t,
		    b->csr_col, from, to)) != RA_OK)
			goto out;
		if (sent) {
			sent = 0;
			if (ra_request_sent(ctx->db) != RA_OK) {
				*redo = 1;
				goto out;
			}
		}
		if ((b->csr_col >= 0 && (er = ra_upload_keys(ctx->db, b, from,
		    to)) != RA_OK) ||
		    (er = rows(ctx, ru, action, res, dup, b, from, to, redo)) !=
		    RA_OK || *redo)
			goto out;
		if ((er = ra_request_send(ctx->db, &b->bulk, &sent)) != RA_OK) {
			if (er != RA_ENOMEM) {
				er = RA_OK;
				*redo = 1;
			}
			goto out;
		}
	}
out:
	/* The server's answer comes before anything else is sent. */
	if (sent && ra_request_sent(ctx->db) != RA_OK)
		*redo = 1;
	return er;
}

/*
 * Undo what a fast pass over the file counted and said, keeping what
 * does not depend on the database (the CSRs, the profiles): the rows go
 * again one by one.
 */
static void
batch_again(struct ra_upload_batch *b, struct ra_upload_result *res)
{
	size_t	 i;

	b->fast = 0;
	ra_request_bulk_free(&b->bulk);
	for (i = 0; i < b->n; i++) {
		res->t.rows[i].errors = b->pre[i].errors;
		b->pre[i].queued = 0;
	}
	res->e.n = b->e_n;
	res->e.dropped = b->e_dropped;
	res->ok = res->ng = 0;
}

/*
 * Whether the file is another screen's (a client file on ① or ⑪, a server
 * file on ③ or ⑪, a code-signing file on ① or ③), told from its first
 * row's raw bytes: the number of its columns, whether its 7th, the CSR of
 * a server or code-signing file and a client file's empty column, is
 * filled, and whether its 14th is a mail address (a client file's user;
 * a server row has 13 columns, a stray TAB 14).  A server and a
 * code-signing file have the same frame: which one it is, the profile ID
 * of column 2 says (ra.profile's kind).  A TAB, CR or LF is never part of
 * a Shift_JIS, EUC-JP or ISO-2022-JP character.  The file is then refused
 * with one line that says where it goes, not with five errors a row.
 */
static const char SQL_PROFILE_KIND[] =
    "SELECT kind FROM ra.profile WHERE profile_id = $1::integer";

static const struct {
	enum ra_upload_kind	 kind;
	const char		*ja, *en;	/* the file's certificates */
} screen_of[] = {
	{ RA_UPLOAD_SERVER,	"サーバ証明書",		"server certificate" },
	{ RA_UPLOAD_CLIENT,	"クライアント証明書",	"client certificate" },
	{ RA_UPLOAD_CODESIGN,	"コード署名用証明書",	"code-signing certificate" },
};

/* The screen of a profile's kind; RA_UPLOAD_KIND__MAX for another. */
static enum ra_upload_kind
profile_screen(PGconn *db, const char *id)
{
	PGresult		*res = NULL;
	char			 kind[32];
	enum ra_upload_kind	 k = RA_UPLOAD_KIND__MAX;

	if (id[0] < '0' || id[0] > '9' || strspn(id, "0123456789") != strlen(id) ||
	    strlen(id) > 2)
		return k;
	if (ra_db_run1(db, "profile kind", SQL_PROFILE_KIND, &res,
	    RA_ARGS(RA_TEXT(id))) == RA_OK &&
	    ra_get_str(res, 0, "kind", kind, sizeof(kind)) == RA_OK) {
		if (strcmp(kind, "server") == 0)
			k = RA_UPLOAD_SERVER;
		else if (strcmp(kind, "client") == 0 ||
		    strcmp(kind, "smime") == 0)
			k = RA_UPLOAD_CLIENT;
		else if (strcmp(kind, "code_signing") == 0)
			k = RA_UPLOAD_CODESIGN;
	}
	PQclear(res);
	return k;
}

static int
other_screen(PGconn *db, enum ra_upload_kind kind, const char *buf,
    size_t len, struct ra_tsv_errors *e)
{
	const char		*p = buf, *end = buf + len, *nl;
	size_t			 cols = 1, col7 = 0, at14 = 0, i;
	char			 col2[4] = "";
	size_t			 n2 = 0;
	enum ra_upload_kind	 its;

	if (kind != RA_UPLOAD_SERVER && kind != RA_UPLOAD_CLIENT &&
	    kind != RA_UPLOAD_CODESIGN)
		return 0;
	while (p < end && (*p == '\r' || *p == '\n'))
		p++;
	if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
		nl = end;
	for (; p < nl; p++)
		if (*p == '\t')
			cols++;
		else if (cols == 2 && *p != '\r' && n2 < sizeof(col2) - 1)
			col2[n2++] = *p;
		else if (cols == 7 && *p != '\r')
			col7++;
		else if (cols == 14 && *p == '@')
			at14++;
	col2[n2] = '\0';
	if (kind != RA_UPLOAD_CLIENT && (cols == 14 || cols == 15) &&
	    col7 == 0 && at14 > 0) {
		ra_tsv_errorf(e, 216, 0, NULL, "このファイルはクライアント証明書"
		    "の申請ファイル（%zu列）です。「クライアント証明書　発行・"
		    "更新・失効」の画面でアップロードしてください (this is a "
		    "client certificate file: upload it on the client "
		    "certificate screen)", cols);
		return 1;
	}
	if (cols != 13 || col7 == 0)
		return 0;
	its = profile_screen(db, col2);
	if (kind == RA_UPLOAD_CLIENT && its == RA_UPLOAD_KIND__MAX)
		its = RA_UPLOAD_SERVER;		/* 13 columns and a CSR */
	if (its == kind || its == RA_UPLOAD_CLIENT ||
	    its == RA_UPLOAD_KIND__MAX)
		return 0;
	for (i = 0; i < RA_NITEMS(screen_of); i++)
		if (screen_of[i].kind == its)
			break;
	if (i == RA_NITEMS(screen_of))
		return 0;
	ra_tsv_errorf(e, 216, 0, NULL, "このファイルは%sの申請ファイル（13列、"
	    "7列目がCSR）です。「%s　発行・更新・失効」の画面でアップロードして"
	    "ください (this is a %s file: upload it on the %s screen)",
	    screen_of[i].ja, screen_of[i].ja, screen_of[i].en, screen_of[i].en);
	return 1;
}

/*
 * Check and carry out an upload.  "res" gets the rows, every error and
 * the result TSV; RA_OK whether or not rows failed (see res->ng), an
 * error only when the database failed us.
 */
enum ra_err
ra_upload(struct ra_upload_ctx *ctx, enum ra_upload_kind kind,
    enum ra_tsv_action action, enum ra_upload_mode mode,
    const char *filename, const char *buf, size_t len,
    struct ra_upload_result *res)
{
	const struct ra_upload_rules *ru = rules_of[kind];
	struct ra_upload_batch	 b;
	PGresult	*r = NULL;
	const char	*param[8];
	int		 redo = 0;
	char		 inst[24], off[24], total[16], okn[16], ngn[16], bid[24],
			*hex = NULL, *filehex = NULL, *dup = NULL;
	enum ra_err	 er;

	memset(res, 0, sizeof(*res));
	memset(&b, 0, sizeof(b));
	/* ① and ③ neither update nor ⑤ issue: the caller's mistake. */
	if (action == RA_TSV_UPDATE ? ru->update == NULL :
	    action == RA_TSV_REVOKE ? ru->revoke == NULL : ru->issue == NULL)
		return RA_EUSAGE;
	if (filename != NULL && !ra_tsv_name_ok(filename)) {
		ra_tsv_errorf(&res->e, 209, 0, NULL, "指定したファイルの拡張子が"
		    "不正です。");
		res->file_error = 1;
		audit_file_refused(ctx, ru->event, action, mode, res);
		return RA_OK;
	}
	if (filename != NULL && strlen(filename) > 255) {	/* ra.batch */
		ra_tsv_errorf(&res->e, 209, 0, NULL, "ファイル名が長すぎます"
		    "（255バイト以内） / file name longer than 255 bytes");
		res->file_error = 1;
		audit_file_refused(ctx, ru->event, action, mode, res);
		return RA_OK;
	}
	if (other_screen(ctx->db, kind, buf, len, &res->e) ||
	    ra_tsv_read(buf, len, ru->fmt, action, ctx->max_records,
	    &res->t, &res->e) != RA_OK) {
		res->file_error = 1;
		audit_file_refused(ctx, ru->event, action, mode, res);
		return RA_OK;
	}
	if ((er = ra_db_begin(ctx->db)) != RA_OK)
		return er;
	snprintf(inst, sizeof(inst), "%lld", (long long)ctx->institution_id);
	param[0] = inst;
	if ((er = ra_db_command(ctx->db, "upload lock", SQL_UPLOAD_LOCK, 1,
	    param)) != RA_OK)
		goto out;
	snprintf(off, sizeof(off), "%lld", (long long)ctx->officer_id);
	snprintf(total, sizeof(total), "%zu", res->t.nrows);
	if ((filehex = ra_bytea_hex((const unsigned char *)buf, len)) == NULL) {
		er = RA_ENOMEM;
		goto out;
	}
	param[0] = inst;
	param[1] = off;
	param[2] = ru->batch_action != NULL ? ru->batch_action :
	    action_name[action];
	param[3] = mode_name[mode];
	param[4] = filename;
	param[5] = filehex;
	param[6] = total;
	param[7] = ru->kind;
	if ((er = ra_db_query(ctx->db, "batch", SQL_BATCH_ADD, 8, param,
	    &r)) != RA_OK)
		goto out;
	ctx->batch_id = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
	PQclear(r);
	r = NULL;
	if ((er = duplicates(&res->t, action == RA_TSV_REVOKE ?
	    ru->dup_revoke : ru->dup_issue, &dup)) != RA_OK)
		goto out;
	if (ru->prefetch != NULL && action == RA_TSV_ISSUE) {
		if ((er = ra_upload_batch_init(&b, &res->t)) != RA_OK ||
		    (er = ru->prefetch(ctx, &res->t, &b)) != RA_OK)
			goto out;
	}
	if (ru->prefetch != NULL && action == RA_TSV_ISSUE && !b.row_by_row) {
		if ((er = ra_db_command(ctx->db, "savepoint",
		    "SAVEPOINT ra_file", 0, NULL)) != RA_OK)
			goto out;
		b.fast = 1;
		b.e_n = res->e.n;
		b.e_dropped = res->e.dropped;
		if ((er = fast_pass(ctx, ru, action, res, dup, &b, &redo)) !=
		    RA_OK)
			goto out;
		if (redo) {
			/*
			 * A rule of the database's said no to the file's
			 * INSERT (or a query failed): row by row again, each
			 * row in its savepoint, to tell which row and why.
			 */
			if ((er = ra_db_command(ctx->db, "savepoint",
			    "ROLLBACK TO SAVEPOINT ra_file", 0, NULL)) != RA_OK)
				goto out;
			batch_again(&b, res);
			er = rows(ctx, ru, action, res, dup, &b, 0,
			    res->t.nrows, &redo);
		}
	} else
		er = rows(ctx, ru, action, res, dup, b.pre != NULL ? &b : NULL,
		    0, res->t.nrows, &redo);
	if (er != RA_OK)
		goto out;
	if ((res->result = result_tsv(ru->fmt, &res->t, &res->e)) == NULL ||
	    (hex = ra_bytea_hex((unsigned char *)res->result,
	    strlen(res->result))) == NULL) {
		er = RA_ENOMEM;
		goto out;
	}
	/*
	 * Abort mode keeps nothing of a file with an error, a dry run
	 * nothing at all: only the batch row with its result, so the result
	 * TSV can still be downloaded.
	 */
	res->committed = !(mode == RA_UPLOAD_DRYRUN || (mode == RA_UPLOAD_ABORT &&
	    res->ng > 0));
	if (!res->committed) {
		ra_db_rollback(ctx->db);
		if ((er = ra_db_begin(ctx->db)) != RA_OK ||
		    (er = ra_db_query(ctx->db, "batch", SQL_BATCH_ADD, 8, param,
		    &r)) != RA_OK)
			goto out;
		ctx->batch_id = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
	}
	snprintf(okn, sizeof(okn), "%zu", res->committed ? res->ok : 0);
	snprintf(ngn, sizeof(ngn), "%zu", res->ng);
	snprintf(bid, sizeof(bid), "%lld", (long long)ctx->batch_id);
	param[0] = bid;
	param[1] = okn;
	param[2] = ngn;
	param[3] = hex;
	if ((er = ra_db_command(ctx->db, "batch done", SQL_BATCH_DONE, 4,
	    param)) != RA_OK ||
	    (er = audit_batch(ctx, ru->event, action, mode, res)) != RA_OK ||
	    (res->committed && (er = ra_queue_notify(ctx->db)) != RA_OK) ||
	    (er = ra_db_commit(ctx->db)) != RA_OK) {
		res->committed = 0;
		goto out;
	}
out:
	ra_db_rollback(ctx->db);
	ra_upload_batch_free(&b);
	PQclear(r);
	free(hex);
	free(filehex);
	free(dup);
	return er;
}

void
ra_upload_free(struct ra_upload_result *res)
{
	ra_tsv_free(&res->t);
	free(res->result);
	res->result = NULL;
}

static const char SQL_UPLOAD_OFFICER[] =
    "SELECT o.institution_id, i.name_en, i.st, i.l,"
    "       i.status = 'active' AND current_date BETWEEN i.usage_from"
    "         AND i.usage_until AS active,"
    "       coalesce(pg_catalog.string_agg(d.name, ','), '') AS domains"
    "  FROM ra.officer o"
    "  JOIN ra.institution i ON i.institution_id = o.institution_id"
    "  LEFT JOIN ra.officer_domain od ON od.officer_id = o.officer_id"
    "  LEFT JOIN ra.domain d ON d.domain_id = od.domain_id"
    " WHERE o.officer_id = $1::bigint AND o.status = 'active'"
    " GROUP BY o.institution_id, i.name_en, i.st, i.l, i.status,"
    "          i.usage_from, i.usage_until";
static const char SQL_RESULT_TSV[] =
    "SELECT result_tsv FROM ra.batch"
    " WHERE batch_id = $1::bigint AND institution_id = $2::bigint"
    "   AND kind IS NOT DISTINCT FROM nullif($3, '')"
    "   AND (action = 'acme') = ($4 = 'acme')"
    "   AND result_tsv IS NOT NULL";

/*
 * Fill "oc" from its row "oc->res" (institution_id, name_en, st, l,
 * active, domains: what SQL_UPLOAD_OFFICER and the desk's paper route
 * select): the institution's O/ST/L and the domains.  RA_EPOLICY
 * (reference error 215) when the institution is not active.
 */
enum ra_err
ra_upload_officer_fill(PGconn *db, const struct ra_conf *conf,
    struct ra_upload_officer *oc)
{
	char		*p, *save = NULL;
	int		 active;
	enum ra_err	 er;

	if ((er = ra_get_bool(oc->res, 0, "active", &active)) != RA_OK ||
	    (er = ra_get_i64(oc->res, 0, "institution_id",
	    &oc->up.institution_id)) != RA_OK)
		return er;
	if (!active) {
		ra_warnx("215: 機関状態が無効なため申請できません。");
		return RA_EPOLICY;
	}
	oc->up.db = db;
	oc->up.conf = conf;
	oc->up.max_records = (size_t)ra_conf_int(conf, "Tsv.MaxRecords", 1000);
	if (oc->up.max_records < 1)
		oc->up.max_records = 1;
	oc->up.name_en = ra_get_text(oc->res, 0, "name_en");
	oc->up.st = ra_get_text(oc->res, 0, "st");
	oc->up.l = ra_get_text(oc->res, 0, "l");
	snprintf(oc->stl, sizeof(oc->stl), "ST=%s, L=%s", oc->up.st, oc->up.l);
	oc->up.stl = oc->stl;
	if ((oc->domains = strdup(ra_get_text(oc->res, 0, "domains"))) == NULL)
		return RA_ENOMEM;
	for (p = strtok_r(oc->domains, ",", &save); p != NULL &&
	    oc->up.ndomains < RA_NITEMS(oc->dv); p = strtok_r(NULL, ",", &save))
		oc->dv[oc->up.ndomains++] = p;
	oc->up.domains = oc->dv;
	return RA_OK;
}

/*
 * The upload context of officer "id": institution O/ST/L and the
 * officer's domains.  RA_EPOLICY (reference error 215) when the
 * institution is not active.  Close it with ra_upload_officer_close
 * whatever this returns.
 */
enum ra_err
ra_upload_officer_open(PGconn *db, const struct ra_conf *conf, int64_t id,
    struct ra_upload_officer *oc)
{
	enum ra_err	 er;

	memset(oc, 0, sizeof(*oc));
	if ((er = ra_db_run1(db, "officer", SQL_UPLOAD_OFFICER, &oc->res,
	    RA_ARGS(RA_INT(id)))) != RA_OK) {
		if (er != RA_ENOTFOUND)
			return er;
		ra_warnx("officer %lld is not registered or not active",
		    (long long)id);
		return RA_EINPUT;
	}
	oc->up.officer_id = id;
	return ra_upload_officer_fill(db, conf, oc);
}

void
ra_upload_officer_close(struct ra_upload_officer *oc)
{
	PQclear(oc->res);
	free(oc->domains);
	oc->res = NULL;
	oc->domains = NULL;
}

/*
 * The result TSV (UTF-8) of batch "batch_id" of institution "inst",
 * uploaded on the screen of "kind"; "*tsv" is the caller's (PQfreemem).
 * RA_ENOTFOUND for another institution's batch, another screen's (an
 * officer with ① only must not read ③'s users, ⑤'s batches have no
 * kind), or one without a result.
 */
enum ra_err
ra_upload_result_tsv(PGconn *db, enum ra_upload_kind kind, int64_t batch_id,
    int64_t inst, unsigned char **tsv, size_t *len)
{
	PGresult	*res = NULL;
	enum ra_err	 er;

	*tsv = NULL;
	if ((er = ra_db_run1(db, "result", SQL_RESULT_TSV, &res,
	    RA_ARGS(RA_INT(batch_id), RA_INT(inst),
	    RA_TEXT(rules_of[kind]->kind), RA_TEXT(rules_of[kind]->batch_action
	    != NULL ? rules_of[kind]->batch_action : "")))) == RA_OK)
		er = ra_get_bytea(res, 0, "result_tsv", tsv, len);
	PQclear(res);
	return er;
}
