/*
 * upload.c: ① 発行・更新・失効 for server certificates (reference §2.3,
 * §5).  Every row is read by the TSV reader, checked against the server
 * rules here, and queued (issue, renew) or carried out (revoke).  In
 * "abort" mode the file is one transaction: one bad row and nothing
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

/* Our codes for the [I] checks the reference leaves unnumbered (§5.1). */
enum {
	E_DN = 206,		/* the DN's own format */
	E_EXISTS = 212,		/* DN (CN) already issued: use renewal */
	E_C = 220, E_O, E_STL, E_CN_FQDN, E_DOMAIN, E_PROFILE, E_CSR,
	E_CSR_DN, E_KEY, E_DUP, E_SERIAL, E_OTHER, E_SERIAL_DN, E_REASON,
	E_REVOKED, E_RENEWED,
	E_OU = 371		/* OU not on the allow list */
};

static const char SQL_OU_OK[] =
    "SELECT 1 FROM ra.domain_ou o JOIN ra.domain d USING (domain_id)"
    " WHERE d.institution_id = $1::bigint AND o.ou = $2"
    "   AND (lower($3) = lower(d.name)"
    "        OR right(lower($3), length(d.name) + 1) = '.' || lower(d.name))";
static const char SQL_CN_ISSUED[] =
    "SELECT 1 FROM ra.certificate"
    " WHERE institution_id = $1::bigint AND kind = 'server'"
    "   AND lower(cn) = lower($2) LIMIT 1";
static const char SQL_OLD_CERT[] =
    "SELECT c.cert_id, c.institution_id, c.kind, c.cn,"
    "       c.superseded_by IS NOT NULL OR EXISTS (SELECT 1 FROM ra.request r"
    "         WHERE r.target_cert_id = c.cert_id AND r.action = 'renew'"
    "           AND r.state = 'queued')"
    "  FROM ra.certificate c"
    " WHERE c.serial = $1::numeric AND c.state = 'issued'";
static const char SQL_BATCH_ADD[] =
    "INSERT INTO ra.batch (institution_id, officer_id, kind, action,"
    "  error_mode, filename, sha256, rows_total, rows_ok)"
    " VALUES ($1::bigint, nullif($2, '0')::bigint, 'server', $3, $4, $5,"
    "  pg_catalog.sha256($6::bytea), $7::integer, 0)"
    " RETURNING batch_id";
static const char SQL_BATCH_DONE[] =
    "UPDATE ra.batch SET rows_ok = $2::integer, rows_ng = $3::integer,"
    "       result_tsv = $4::bytea"
    " WHERE batch_id = $1::bigint";

static const char *const action_name[RA_TSV_ACTION__MAX] = {
	[RA_TSV_ISSUE] = "issue",
	[RA_TSV_RENEW] = "renew",
	[RA_TSV_REVOKE] = "revoke",
};
static const char *const mode_name[RA_UPLOAD__MAX] = {
	[RA_UPLOAD_ABORT] = "abort",
	[RA_UPLOAD_PARTIAL] = "partial",
	[RA_UPLOAD_DRYRUN] = "dry_run",
};

/* Column numbers in ra_tsv_server (reference §2.3.2). */
enum { C_DN, C_PROFILE, C_METHOD, C_SERIAL, C_REASON, C_COMMENT, C_CSR,
    C_ADMIN, C_AFFIL, C_MAIL, C_FQDN, C_SOFTWARE, C_DNSNAME };

struct row_ctx {
	const struct ra_upload_ctx	*ctx;
	struct ra_tsv_row		*row;
	struct ra_tsv_errors		*e;
	const char			*lbl;	/* label of the DN column */
};

static void __attribute__((format(printf, 4, 5)))
row_error(struct row_ctx *rc, int code, int col, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	ra_tsv_verrorf(rc->e, code, rc->row->line,
	    ra_tsv_server.cols[col].label, fmt, ap);
	va_end(ap);
}

/* "name" is "domain" or under it. */
static int
under(const char *name, const char *domain)
{
	size_t	 n = strlen(name), d = strlen(domain);

	return strcasecmp(name, domain) == 0 || (n > d + 1 &&
	    name[n - d - 1] == '.' && strcasecmp(name + n - d, domain) == 0);
}

static int
officer_domain(const struct ra_upload_ctx *ctx, const char *name)
{
	size_t	 i;

	for (i = 0; i < ctx->ndomains; i++)
		if (under(name, ctx->domains[i]))
			return 1;
	return 0;
}

/* TSV order CN, OU*, O, L, ST, C; each but OU at most once (§2.1). */
static int
dn_order_ok(const X509_NAME *name)
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

static int
value_is(const X509_NAME *name, int nid, const char *want)
{
	char	*v = ra_dn_get(name, nid);
	int	 eq = v != NULL && want != NULL && strcmp(v, want) == 0;

	free(v);
	return eq;
}

/* Every dNSName (comma or space separated) under the officer's domains. */
static int
dnsnames_ok(struct row_ctx *rc, const char *list)
{
	char	 name[256];
	size_t	 n;

	for (;;) {
		list += strspn(list, ", ");
		if (*list == '\0')
			return 1;
		n = strcspn(list, ", ");
		snprintf(name, sizeof(name), "%.*s", (int)n, list);
		list += n;
		if (!officer_domain(rc->ctx, name)) {
			row_error(rc, E_DOMAIN, C_DNSNAME, "%sは登録担当者の"
			    "ドメイン配下ではありません。", name);
			return 0;
		}
	}
}

/*
 * The subject DN of an issue or renewal row, checked against the
 * institution; "*out" the name to certify (caller frees).  0 on an error.
 */
static int
dn_check(struct row_ctx *rc, X509_NAME **out, char **cn)
{
	const struct ra_upload_ctx	*ctx = rc->ctx;
	const char			*param[3];
	PGresult			*res;
	X509_NAME			*name = NULL;
	X509_NAME_ENTRY			*ent;
	char				 why[256], inst[24], *ou;
	int				 i, ok = 0;

	*out = NULL;
	*cn = NULL;
	if (ra_dn_parse(rc->row->f[C_DN], &name, why, sizeof(why)) != RA_OK ||
	    !dn_order_ok(name)) {
		row_error(rc, E_DN, C_DN, "%sがDN情報のフォーマットに準じて"
		    "いません。", rc->lbl);
		goto out;
	}
	if (!value_is(name, NID_countryName, "JP")) {
		row_error(rc, E_C, C_DN, "Cは%sでなければなりません。", "JP");
		goto out;
	}
	if (!value_is(name, NID_organizationName, ctx->name_en)) {
		row_error(rc, E_O, C_DN, "Oは機関の英語名（%s）でなければ"
		    "なりません。", ctx->name_en);
		goto out;
	}
	if (!value_is(name, NID_stateOrProvinceName, ctx->st) ||
	    !value_is(name, NID_localityName, ctx->l)) {
		row_error(rc, E_STL, C_DN, "STとLは機関に登録された値で"
		    "なければなりません（%s）。", ctx->stl);
		goto out;
	}
	if ((*cn = ra_dn_get(name, NID_commonName)) == NULL ||
	    strcasecmp(*cn, rc->row->f[C_FQDN]) != 0) {
		row_error(rc, E_CN_FQDN, C_FQDN, "%sが主体者DNのCNと一致"
		    "しません。", "FQDN");
		goto out;
	}
	if (!officer_domain(ctx, *cn)) {
		row_error(rc, E_DOMAIN, C_FQDN, "%sは登録担当者のドメイン配下"
		    "ではありません。", *cn);
		goto out;
	}
	if (!dnsnames_ok(rc, rc->row->f[C_DNSNAME]))
		goto out;
	snprintf(inst, sizeof(inst), "%lld", (long long)ctx->institution_id);
	for (i = 0; i < X509_NAME_entry_count(name); i++) {
		ent = X509_NAME_get_entry(name, i);
		if (OBJ_obj2nid(X509_NAME_ENTRY_get_object(ent)) !=
		    NID_organizationalUnitName ||
		    ASN1_STRING_to_UTF8((unsigned char **)&ou,
		    X509_NAME_ENTRY_get_data(ent)) < 0)
			continue;
		param[0] = inst;
		param[1] = ou;
		param[2] = *cn;
		res = NULL;
		if (ra_db_query(ctx->db, "OU allow list", SQL_OU_OK, 3, param,
		    &res) != RA_OK || PQntuples(res) != 1) {
			ra_tsv_errorf(rc->e, E_OU, rc->row->line, rc->lbl,
			    "主体者DNのOUが許可リストとして登録された値と一致"
			    "しません。");
			PQclear(res);
			OPENSSL_free(ou);
			goto out;
		}
		PQclear(res);
		OPENSSL_free(ou);
	}
	*out = name;
	name = NULL;
	ok = 1;
out:
	X509_NAME_free(name);
	if (!ok) {
		free(*cn);
		*cn = NULL;
	}
	return ok;
}

/*
 * The certificate named in column 4, of this institution, same CN; to be
 * renewed, not renewed already nor with a renewal queued.
 */
static int
old_cert(struct row_ctx *rc, const char *cn, int renew, int64_t *cert_id)
{
	PGresult	*res = NULL;
	const char	*param[1] = { rc->row->f[C_SERIAL] };
	int		 ok = 0;

	if (ra_db_query(rc->ctx->db, "old certificate", SQL_OLD_CERT, 1, param,
	    &res) != RA_OK || PQntuples(res) != 1) {
		row_error(rc, E_SERIAL, C_SERIAL, "%sの証明書が存在しません。",
		    rc->row->f[C_SERIAL]);
		goto out;
	}
	if (strtoll(PQgetvalue(res, 0, 1), NULL, 10) !=
	    rc->ctx->institution_id || strcmp(PQgetvalue(res, 0, 2),
	    "server") != 0) {
		row_error(rc, E_OTHER, C_SERIAL, "%sは自機関のサーバ証明書では"
		    "ありません。", rc->row->f[C_SERIAL]);
		goto out;
	}
	if (cn == NULL || strcasecmp(PQgetvalue(res, 0, 3), cn) != 0) {
		row_error(rc, E_SERIAL_DN, C_SERIAL, "%sの証明書の主体者DN(CN)"
		    "が一致しません。", rc->row->f[C_SERIAL]);
		goto out;
	}
	/* An officer acts on the domains given to them, not the institution's. */
	if (!officer_domain(rc->ctx, cn)) {
		row_error(rc, E_DOMAIN, C_SERIAL, "%sは登録担当者のドメイン配下"
		    "ではありません。", cn);
		goto out;
	}
	/* Renew the newest: a second renewal would leave two live twins. */
	if (renew && strcmp(PQgetvalue(res, 0, 4), "t") == 0) {
		row_error(rc, E_RENEWED, C_SERIAL, "%sの証明書はすでに更新されて"
		    "います。", rc->row->f[C_SERIAL]);
		goto out;
	}
	*cert_id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	ok = 1;
out:
	PQclear(res);
	return ok;
}

/* Issue or renew one row: every rule, then the request. */
static void
row_issue(struct row_ctx *rc, enum ra_tsv_action action)
{
	const struct ra_upload_ctx	*ctx = rc->ctx;
	struct ra_newreq		 rq;
	struct ra_profile		 prof;
	X509_NAME			*name = NULL;
	X509_REQ			*csr = NULL;
	PGresult			*res = NULL;
	const char			*param[2];
	char				 why[256], inst[24], *cn = NULL;
	int64_t				 id, old = 0;
	enum ra_err			 er;

	if (!dn_check(rc, &name, &cn))
		goto out;
	if (ra_profile_load(ctx->db, atoi(rc->row->f[C_PROFILE]), &prof) !=
	    RA_OK || strcmp(prof.kind, "server") != 0 || !prof.active) {
		row_error(rc, E_PROFILE, C_PROFILE, "%sはサーバ証明書の"
		    "プロファイルではありません。", rc->row->f[C_PROFILE]);
		goto out;
	}
	if (ra_csr_parse((const unsigned char *)rc->row->f[C_CSR],
	    strlen(rc->row->f[C_CSR]), &csr, why, sizeof(why)) != RA_OK) {
		row_error(rc, E_CSR, C_CSR, "CSRが正しくありません（%s）。", why);
		goto out;
	}
	if (X509_NAME_cmp(X509_REQ_get_subject_name(csr), name) != 0) {
		row_error(rc, E_CSR_DN, C_CSR, "%sの主体者DNが申請の主体者DNと"
		    "一致しません。", "CSR");
		goto out;
	}
	snprintf(inst, sizeof(inst), "%lld", (long long)ctx->institution_id);
	param[0] = inst;
	param[1] = cn;
	if (action == RA_TSV_ISSUE) {
		if (ra_db_query(ctx->db, "issued CN", SQL_CN_ISSUED, 2, param,
		    &res) != RA_OK)
			goto out;
		if (PQntuples(res) > 0) {
			ra_tsv_errorf(rc->e, E_EXISTS, rc->row->line, rc->lbl,
			    "指定したDNはすでに存在しています。");
			goto out;
		}
	} else if (!old_cert(rc, cn, 1, &old))
		goto out;
	memset(&rq, 0, sizeof(rq));
	rq.institution_id = ctx->institution_id;
	rq.officer_id = ctx->officer_id;
	rq.batch_id = ctx->batch_id;
	rq.seq = rc->row->line;
	rq.profile_id = prof.id;
	rq.subject = name;
	rq.san_dns = rc->row->f[C_DNSNAME];
	rq.csr = (const unsigned char *)rc->row->f[C_CSR];
	rq.csrlen = strlen(rc->row->f[C_CSR]);
	rq.target_cert_id = old;
	rq.admin_name = rc->row->f[C_ADMIN];
	rq.admin_mail = rc->row->f[C_MAIL];
	rq.affiliation = rc->row->f[C_AFFIL];
	rq.software = rc->row->f[C_SOFTWARE];
	rq.profile = &prof;
	rq.csr_parsed = csr;
	rq.institution_checked = 1;	/* per file, by the caller */
	er = ra_request_add(ctx->db, &rq, &id, why, sizeof(why));
	if (er == RA_EDUP && action == RA_TSV_ISSUE)
		ra_tsv_errorf(rc->e, E_EXISTS, rc->row->line, rc->lbl,
		    "指定したDNはすでに存在しています。");
	else if (er == RA_EDUP)
		row_error(rc, E_RENEWED, C_SERIAL, "%sの証明書はすでに更新されて"
		    "います。", rc->row->f[C_SERIAL]);
	else if (er != RA_OK)
		row_error(rc, E_KEY, C_CSR, "%s", why);
out:
	PQclear(res);
	X509_REQ_free(csr);
	X509_NAME_free(name);
	free(cn);
}

static const char SQL_REVOKED_WHO[] =
    "SELECT c.subject_dn, coalesce(r.admin_mail, ''), o.mail, o.name_ja"
    "  FROM ra.certificate c"
    "  JOIN ra.request r ON r.request_id = c.request_id"
    "  JOIN ra.officer o ON o.officer_id = $2::bigint"
    " WHERE c.cert_id = $1::bigint";

/* Reason labels of the revocation mails (reference §2.4.3). */
static const char *const reason_label[] = {
	[0] = "その他 (unspecified)",
	[1] = "鍵の危殆化 (keyCompromise)",
	[3] = "所属変更 (affiliationChanged)",
	[4] = "証明書の置き換え (superseded)",
	[5] = "運用停止 (cessationOfOperation)",
};

/*
 * M10: the revocation done, to the RA officer and to the user
 * administrator of record (even when the officer filed it for them).
 */
static enum ra_err
revoked_mail(struct row_ctx *rc, int64_t cert_id, int reason)
{
	struct ra_kv	 kv[4];
	PGresult	*res = NULL;
	const char	*param[2];
	char		 cid[24], off[24], to[600], *block = NULL;
	enum ra_err	 er;

	snprintf(cid, sizeof(cid), "%lld", (long long)cert_id);
	snprintf(off, sizeof(off), "%lld", (long long)rc->ctx->officer_id);
	param[0] = cid;
	param[1] = off;
	if ((er = ra_db_query(rc->ctx->db, "revoked", SQL_REVOKED_WHO, 2, param,
	    &res)) != RA_OK || PQntuples(res) != 1)
		goto out;
	if ((block = ra_dn_block(PQgetvalue(res, 0, 0))) == NULL) {
		er = RA_ENOMEM;
		goto out;
	}
	snprintf(to, sizeof(to), "%s%s%s", PQgetvalue(res, 0, 2),
	    *PQgetvalue(res, 0, 1) != '\0' ? "," : "", PQgetvalue(res, 0, 1));
	kv[0] = (struct ra_kv){ "NameJa", PQgetvalue(res, 0, 3) };
	kv[1] = (struct ra_kv){ "DNBlock", block };
	kv[2] = (struct ra_kv){ "Serial", rc->row->f[C_SERIAL] };
	kv[3] = (struct ra_kv){ "Reason", reason >= 0 && reason <
	    (int)RA_NITEMS(reason_label) && reason_label[reason] != NULL ?
	    reason_label[reason] : "?" };
	er = ra_mail_queue(rc->ctx->db, "server-cert-revoked", to, kv, 4);
out:
	PQclear(res);
	free(block);
	return er;
}

/* Revoke one row: the certificate is ours, the DN its, the reason fits. */
static void
row_revoke(struct row_ctx *rc)
{
	struct ra_revoke	 rv;
	X509_NAME		*name = NULL;
	char			 why[256], actor[40], *cn = NULL;
	int64_t			 old;
	enum ra_err		 er;

	if (ra_dn_parse(rc->row->f[C_DN], &name, why, sizeof(why)) != RA_OK ||
	    (cn = ra_dn_get(name, NID_commonName)) == NULL) {
		row_error(rc, E_DN, C_DN, "%sがDN情報のフォーマットに準じて"
		    "いません。", rc->lbl);
		goto out;
	}
	if (!old_cert(rc, cn, 0, &old))
		goto out;
	memset(&rv, 0, sizeof(rv));
	snprintf(actor, sizeof(actor), "officer:%lld",
	    (long long)rc->ctx->officer_id);
	rv.serial = rc->row->f[C_SERIAL];
	rv.reason = atoi(rc->row->f[C_REASON]);
	rv.comment = rc->row->f[C_COMMENT];
	rv.officer_id = rc->ctx->officer_id;
	rv.actor = actor;
	if ((er = ra_revoke(rc->ctx->db, &rv, why, sizeof(why))) == RA_EDUP)
		row_error(rc, E_REVOKED, C_SERIAL, "%sはすでに失効しています。",
		    rv.serial);
	else if (er == RA_EINPUT && rv.reason == 0 && *rv.comment == '\0')
		row_error(rc, 201, C_COMMENT, "%sは入力必須項目です。",
		    ra_tsv_server.cols[C_COMMENT].label);
	else if (er != RA_OK)
		row_error(rc, E_REASON, C_REASON, "%s", why);
	else if (revoked_mail(rc, old, rv.reason) != RA_OK)
		row_error(rc, E_REASON, C_SERIAL, "%s", "revocation mail could "
		    "not be queued");
out:
	X509_NAME_free(name);
	free(cn);
}

/* Whether rows before "i" already name this CN or serial (duplicates). */
static int
duplicate(const struct ra_tsv *t, size_t i, int col)
{
	size_t	 k;

	if (*t->rows[i].f[col] == '\0')
		return 0;
	for (k = 0; k < i; k++)
		if (strcasecmp(t->rows[k].f[col], t->rows[i].f[col]) == 0)
			return 1;
	return 0;
}

/* The result TSV: the input row, 処理結果, エラー内容 (UTF-8). */
static char *
result_tsv(const struct ra_tsv *t, const struct ra_tsv_errors *e)
{
	char	*buf = NULL;
	size_t	 len = 0, i, c, k, listed;
	FILE	*fp;

	if ((fp = open_memstream(&buf, &len)) == NULL)
		return NULL;
	for (i = 0; i < t->nrows; i++) {
		for (c = 0; c < ra_tsv_server.ncols; c++)
			fprintf(fp, "%s\t", t->rows[i].f[c]);
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
audit_batch(const struct ra_upload_ctx *ctx, enum ra_tsv_action action,
    enum ra_upload_mode mode, const struct ra_upload_result *res)
{
	struct ra_event	 ev;
	char		 detail[200];

	snprintf(detail, sizeof(detail), "{\"batch_id\": %lld, \"action\": "
	    "\"%s\", \"mode\": \"%s\", \"ok\": %zu, \"ng\": %zu, "
	    "\"committed\": %s}", (long long)ctx->batch_id,
	    action_name[action], mode_name[mode], res->ok, res->ng,
	    res->committed ? "true" : "false");
	memset(&ev, 0, sizeof(ev));
	ev.event = "server.upload";
	ev.outcome = res->ng == 0 ? "ok" : "fail";
	ev.institution_id = ctx->institution_id;
	ev.officer_id = ctx->officer_id;
	ev.source_ip = ctx->source_ip;
	ev.detail = detail;
	return ra_audit(ctx->db, &ev);
}

/*
 * Check and carry out an upload.  "res" gets the rows, every error and
 * the result TSV; RA_OK whether or not rows failed (see res->ng), an
 * error only when the database failed us.
 */
enum ra_err
ra_upload_server(struct ra_upload_ctx *ctx, enum ra_tsv_action action,
    enum ra_upload_mode mode, const char *filename, const char *buf,
    size_t len, struct ra_upload_result *res)
{
	struct row_ctx	 rc;
	PGresult	*r = NULL;
	const char	*param[7];
	char		 inst[24], off[24], total[16], okn[16], ngn[16], bid[24],
			*hex = NULL, *filehex = NULL;
	size_t		 i, before;
	enum ra_err	 er;

	memset(res, 0, sizeof(*res));
	if (filename != NULL && !ra_tsv_name_ok(filename)) {
		ra_tsv_errorf(&res->e, 209, 0, NULL, "指定したファイルの拡張子が"
		    "不正です。");
		res->file_error = 1;
		return RA_OK;
	}
	if (filename != NULL && strlen(filename) > 255) {	/* ra.batch */
		ra_tsv_errorf(&res->e, 209, 0, NULL, "ファイル名が長すぎます"
		    "（255バイト以内） / file name longer than 255 bytes");
		res->file_error = 1;
		return RA_OK;
	}
	if (ra_tsv_read(buf, len, &ra_tsv_server, action, ctx->max_records,
	    &res->t, &res->e) != RA_OK) {
		res->file_error = 1;
		return RA_OK;
	}
	if ((er = ra_db_begin(ctx->db)) != RA_OK)
		return er;
	snprintf(inst, sizeof(inst), "%lld", (long long)ctx->institution_id);
	snprintf(off, sizeof(off), "%lld", (long long)ctx->officer_id);
	snprintf(total, sizeof(total), "%zu", res->t.nrows);
	if ((filehex = ra_bytea_hex((const unsigned char *)buf, len)) == NULL) {
		er = RA_ENOMEM;
		goto out;
	}
	param[0] = inst;
	param[1] = off;
	param[2] = action_name[action];
	param[3] = mode_name[mode];
	param[4] = filename;
	param[5] = filehex;
	param[6] = total;
	if ((er = ra_db_query(ctx->db, "batch", SQL_BATCH_ADD, 7, param,
	    &r)) != RA_OK)
		goto out;
	ctx->batch_id = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
	PQclear(r);
	r = NULL;
	memset(&rc, 0, sizeof(rc));
	rc.ctx = ctx;
	rc.e = &res->e;
	rc.lbl = ra_tsv_server.cols[C_DN].label;
	for (i = 0; i < res->t.nrows; i++) {
		rc.row = &res->t.rows[i];
		before = res->e.n + res->e.dropped;
		/*
		 * A savepoint per row in every mode: a row the database
		 * refuses (a unique index lost to a concurrent upload) is
		 * that row's error, and the other rows are still checked.
		 */
		if ((er = ra_db_command(ctx->db, "savepoint",
		    "SAVEPOINT ra_row", 0, NULL)) != RA_OK)
			goto out;
		if (duplicate(&res->t, i, action == RA_TSV_REVOKE ? C_SERIAL :
		    C_FQDN))
			row_error(&rc, E_DUP, action == RA_TSV_REVOKE ?
			    C_SERIAL : C_FQDN, "%sはファイル内で重複しています。",
			    action == RA_TSV_REVOKE ? rc.row->f[C_SERIAL] :
			    rc.row->f[C_FQDN]);
		else if (rc.row->errors == 0 && action == RA_TSV_REVOKE)
			row_revoke(&rc);
		else if (rc.row->errors == 0)
			row_issue(&rc, action);
		rc.row->errors += res->e.n + res->e.dropped - before;
		if (PQtransactionStatus(ctx->db) == PQTRANS_INERROR &&
		    rc.row->errors == 0) {
			er = RA_EDB;		/* a database failure, not a rule */
			goto out;
		}
		if (rc.row->errors == 0)
			res->ok++;
		else
			res->ng++;
		if ((er = ra_db_command(ctx->db,
		    "savepoint", rc.row->errors == 0 ?
		    "RELEASE SAVEPOINT ra_row" : "ROLLBACK TO SAVEPOINT ra_row",
		    0, NULL)) != RA_OK)
			goto out;
	}
	if ((res->result = result_tsv(&res->t, &res->e)) == NULL ||
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
		    (er = ra_db_query(ctx->db, "batch", SQL_BATCH_ADD, 7, param,
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
	    (er = audit_batch(ctx, action, mode, res)) != RA_OK ||
	    (res->committed && (er = ra_queue_notify(ctx->db)) != RA_OK) ||
	    (er = ra_db_commit(ctx->db)) != RA_OK) {
		res->committed = 0;
		goto out;
	}
out:
	ra_db_rollback(ctx->db);
	PQclear(r);
	free(hex);
	free(filehex);
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
    "   AND result_tsv IS NOT NULL";

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
	char		*p, *save = NULL;
	int		 active;
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
	if ((er = ra_get_bool(oc->res, 0, "active", &active)) != RA_OK ||
	    (er = ra_get_i64(oc->res, 0, "institution_id",
	    &oc->up.institution_id)) != RA_OK)
		return er;
	if (!active) {
		ra_warnx("215: 機関状態が無効なため申請できません。");
		return RA_EPOLICY;
	}
	oc->up.db = db;
	oc->up.officer_id = id;
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

void
ra_upload_officer_close(struct ra_upload_officer *oc)
{
	PQclear(oc->res);
	free(oc->domains);
	oc->res = NULL;
	oc->domains = NULL;
}

/*
 * The result TSV (UTF-8) of batch "batch_id" of institution "inst";
 * "*tsv" is the caller's (PQfreemem).  RA_ENOTFOUND for another
 * institution's batch or one without a result.
 */
enum ra_err
ra_upload_result_tsv(PGconn *db, int64_t batch_id, int64_t inst,
    unsigned char **tsv, size_t *len)
{
	PGresult	*res = NULL;
	enum ra_err	 er;

	*tsv = NULL;
	if ((er = ra_db_run1(db, "result", SQL_RESULT_TSV, &res,
	    RA_ARGS(RA_INT(batch_id), RA_INT(inst)))) == RA_OK)
		er = ra_get_bytea(res, 0, "result_tsv", tsv, len);
	PQclear(res);
	return er;
}
