/*
 * uploadscreen.c: the screens ①, ③ and ⑪ 発行・更新・失効 (server.cgi,
 * client.cgi, codesign.cgi) and ⑤ 利用管理者情報 更新 (admin.cgi).  The RA
 * officer uploads a TSV file (処理内容 issue/renew/revoke, which ⑤ has
 * not: it only updates; the error mode, or a dry run) and gets the
 * per-row result (SEQ | 処理結果 | エラー内容 ...) and the result TSV.
 *
 *	GET			the upload form
 *	POST (multipart)	applyType 1|2|3, errorFlg abort|partial|dryrun,
 *				csrf, file
 *	GET ?batch=N		the result TSV of an upload (Shift_JIS)
 *
 * From a shell (cron, batch scripts), the same processing:
 *
 *	server.cgi --officer ID --action issue|renew|revoke
 *	    [--mode abort|partial|dry-run] FILE
 *	admin.cgi --officer ID [--action update] [--mode ...] FILE
 *
 * prints the result TSV (UTF-8); exit status 1 if any row is NG.
 * 証明書取得URL再発行 (POST reissue=, or --reissue) mails a fresh URL in
 * place of the old one: ③ a user's certificate URL (lib/client.c), ①
 * and ⑪ the user administrator's retrieval URL (lib/retrieve.c).
 */
#include <getopt.h>
#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cgi/cgi.h>
#include <openssl/objects.h>

#include "ra.h"
#include "domain.h"
#include "web.h"

#define UPLOAD_MAX	(10 * 1024 * 1024)

static const char *const actions[RA_TSV_ACTION__MAX] = {
	[RA_TSV_ISSUE] = "issue", [RA_TSV_RENEW] = "renew",
	[RA_TSV_REVOKE] = "revoke", [RA_TSV_UPDATE] = "update",
};

/* ---- from a shell ---------------------------------------------------- */

/* A certificate to give a fresh URL: its decimal serial, or the user's mail. */
static int
valid_which(const char *s)
{
	return *s != '\0' && strspn(s, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_@") == strlen(s);
}

static enum ra_err	 reissue(PGconn *, const struct ra_conf *,
			    const struct ra_upload_screen *, int64_t, int64_t,
			    const char *, const char *, struct ra_reissue *,
			    int *);

/* What --reissue names: a serial (①, ⑪), or a serial or a user's mail (③). */
static const char *
reissue_usage(const struct ra_upload_screen *us)
{
	return us->kind == RA_UPLOAD_CLIENT ? "SERIAL|MAIL" : "SERIAL";
}

/* --reissue: a fresh certificate URL, from a shell. */
static enum ra_err
shell_reissue(struct ra_req *r, const struct ra_upload_screen *us,
    int64_t officer, const char *which)
{
	struct ra_reissue	 out;
	int64_t			 inst;
	int			 done;
	enum ra_err		 er;

	if ((er = ra_officer_shell(r, officer, &inst)) != RA_OK ||
	    (er = reissue(r->db, &r->conf, us, officer, inst,
	    which, NULL, &out, &done)) != RA_OK)
		return er;
	if (!done) {
		/* ①'s and ⑪'s say which certificate themselves. */
		if (us->kind == RA_UPLOAD_CLIENT)
			ra_warnx("%s: %s", which, out.why);
		else
			ra_warnx("%s", out.why);
		return RA_EDONE;
	}
	if (us->kind == RA_UPLOAD_CLIENT)
		printf("a fresh certificate URL for %s is mailed\n", which);
	else
		printf("certificate %s (%s): a new retrieval URL, valid until "
		    "%s, is mailed to %s <%s>; the old one no longer works\n",
		    out.serial, out.subject_dn, out.expires, out.admin_name,
		    out.admin_mail);
	return RA_OK;
}

static enum ra_err
shell(struct ra_req *r, const struct ra_upload_screen *us)
{
	static const struct option lopts[] = {
		{ "officer", required_argument, NULL, 'o' },
		{ "action", required_argument, NULL, 'a' },
		{ "mode", required_argument, NULL, 'm' },
		{ "reissue", required_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 }
	};
	const char		*which = NULL;
	struct ra_upload_officer oc;
	struct ra_upload_result	*res = NULL;
	enum ra_upload_mode	 mode = RA_UPLOAD_ABORT;
	int			 action = -1, ch, i;
	long long		 officer = 0;
	char			*buf = NULL, *base;
	size_t			 len;
	enum ra_err		 er;

	memset(&oc, 0, sizeof(oc));
	optind = 0;
	while ((ch = getopt_long(r->argc + 1, r->argv - 1, "", lopts, NULL)) !=
	    -1)
		switch (ch) {
		case 'o':
			officer = strtoll(optarg, NULL, 10);
			break;
		case 'a':
			for (i = 0; i < RA_TSV_ACTION__MAX; i++)
				if (strcmp(optarg, actions[i]) == 0 &&
				    (i == RA_TSV_UPDATE) == us->update &&
				    (us->kind != RA_UPLOAD_ACME ||
				    i == RA_TSV_ISSUE))
					action = i;
			if (action < 0)
				action = RA_TSV_ACTION__MAX;	/* refused below */
			break;
		case 'm':
			mode = strcmp(optarg, "partial") == 0 ? RA_UPLOAD_PARTIAL :
			    strcmp(optarg, "dry-run") == 0 ? RA_UPLOAD_DRYRUN :
			    strcmp(optarg, "dry_run") == 0 ? RA_UPLOAD_DRYRUN :
			    strcmp(optarg, "abort") == 0 ? RA_UPLOAD_ABORT :
			    RA_UPLOAD__MAX;
			break;
		case 'r':
			which = optarg;
			break;
		default:
			return RA_EUSAGE;
		}
	if (which != NULL) {
		if (!us->reissue || officer <= 0 || action >= 0 ||
		    optind != r->argc + 1 || !valid_which(which)) {
			fprintf(stderr, "usage: %s --officer ID --reissue "
			    "%s\n", us->program, reissue_usage(us));
			return RA_EUSAGE;
		}
		return shell_reissue(r, us, officer, which);
	}
	if (us->update && action < 0)
		action = RA_TSV_UPDATE;		/* ⑤'s only action */
	if (us->kind == RA_UPLOAD_ACME && action < 0)
		action = RA_TSV_ISSUE;		/* ⑫'s only action */
	if (officer <= 0 || action < 0 || action == RA_TSV_ACTION__MAX ||
	    mode == RA_UPLOAD__MAX || optind != r->argc) {
		fprintf(stderr, "usage: %s --officer ID --action %s "
		    "[--mode abort|partial|dry-run] FILE\n", us->program,
		    us->update ? "update" : us->kind == RA_UPLOAD_ACME ?
		    "issue" : "issue|renew|revoke");
		if (us->reissue)
			fprintf(stderr, "       %s --officer ID --reissue "
			    "%s\n", us->program, reissue_usage(us));
		return RA_EUSAGE;
	}
	if ((er = ra_read_file(r->argv[optind - 1], UPLOAD_MAX, &buf, &len)) !=
	    RA_OK ||
	    (er = ra_req_db(r, r->zone)) != RA_OK ||
	    (er = ra_upload_officer_open(r->db, &r->conf, officer, &oc)) != RA_OK)
		goto out;
	if ((res = calloc(1, sizeof(*res))) == NULL) {
		er = RA_ENOMEM;
		goto out;
	}
	base = strrchr(r->argv[optind - 1], '/');
	if ((er = ra_upload(&oc.up, us->kind, action, mode, base != NULL ?
	    base + 1 : r->argv[optind - 1], buf, len, res)) != RA_OK)
		goto out;
	if (res->result != NULL)
		fputs(res->result, stdout);
	for (i = 0; res->file_error && i < (int)res->e.n; i++)
		fprintf(stderr, "%s\n", res->e.v[i].text);
	fprintf(stderr, "%s: %zu OK, %zu NG; %s\n", us->program, res->ok, res->ng,
	    res->committed ? "done" : "nothing was kept");
	if (res->file_error || res->ng > 0)
		er = RA_EDONE;
out:
	if (res != NULL)
		ra_upload_free(res);
	free(res);
	free(buf);
	ra_upload_officer_close(&oc);
	return er;
}

/* ---- the screen ------------------------------------------------------ */

static int
valid_apply(const char *s)
{
	return strcmp(s, "1") == 0 || strcmp(s, "2") == 0 || strcmp(s, "3") == 0;
}

static int
valid_mode(const char *s)
{
	return strcmp(s, "abort") == 0 || strcmp(s, "partial") == 0 ||
	    strcmp(s, "dryrun") == 0;
}

enum { F_APPLY, F_MODE, F_BATCH, F_CSRF, F_FILE, F_REISSUE, F__MAX };
_Static_assert(F__MAX == RA_UPLOAD_FIELDS, "ra_upload_fields[] out of sync");
const struct ra_field ra_upload_fields[RA_UPLOAD_FIELDS] = {
	[F_APPLY]	= { "applyType", 1,	valid_apply,	RA_FIELD_TEXT },
	[F_MODE]	= { "errorFlg",	8,	valid_mode,	RA_FIELD_TEXT },
	[F_BATCH]	= { "batch",	18,	ra_valid_digits, RA_FIELD_TEXT },
	[F_CSRF]	= RA_FIELD_CSRF,
	[F_FILE]	= { "file",	255,	ra_valid_filename, RA_FIELD_FILE },
	[F_REISSUE]	= { "reissue",	254,	valid_which,	RA_FIELD_TEXT },
};

/* The result TSV of a batch of this institution, in Shift_JIS. */
static enum ra_err
result_download(struct ra_req *r, const struct ra_upload_screen *us,
    const struct ra_officer *o, int64_t id)
{
	unsigned char	*tsv = NULL;
	char		*in, *out = NULL, *op;
	size_t		 len, inleft, outleft;
	iconv_t		 cd;
	enum ra_err	 er;

	if ((er = ra_upload_result_tsv(r->db, us->kind, id, o->institution_id,
	    &tsv, &len)) != RA_OK)
		return er;
	/* Shift_JIS as the files came; a character it lacks is a '?'. */
	if ((cd = iconv_open("CP932//TRANSLIT", "UTF-8")) == (iconv_t)-1 ||
	    (out = malloc(2 * len + 1)) == NULL) {
		er = RA_ESYS;
		goto out;
	}
	in = (char *)tsv;
	inleft = len;
	op = out;
	outleft = 2 * len;
	(void)iconv(cd, &in, &inleft, &op, &outleft);
	printf("Status: 200\r\nContent-Type: text/tab-separated-values; "
	    "charset=Shift_JIS\r\nContent-Disposition: attachment; "
	    "filename=\"result-%lld.tsv\"\r\nCache-Control: no-store\r\n\r\n",
	    (long long)id);
	fwrite(out, 1, (size_t)(op - out), stdout);
out:
	if (cd != (iconv_t)-1)
		iconv_close(cd);
	free(out);
	PQfreemem(tsv);
	return er;
}

/* What the screens show of a row besides its result (client uploads). */
static void
row_people(struct ra_req *r, const struct ra_upload_screen *us,
    const struct ra_tsv_row *row, size_t i)
{
	char	 key[64];

	if (us->col_name < 0)
		return;
	snprintf(key, sizeof(key), "Result.Rows.%zu.Name", i);
	hdf_set_value(r->page, key, row->f[us->col_name]);
	snprintf(key, sizeof(key), "Result.Rows.%zu.Affiliation", i);
	hdf_set_value(r->page, key, row->f[us->col_affiliation]);
	snprintf(key, sizeof(key), "Result.Rows.%zu.Mail", i);
	hdf_set_value(r->page, key, row->f[us->col_mail]);
}

/*
 * The CN of the row's DN (column 1), so an officer sees which host a
 * result is about; the column as written when it is no DN.
 */
static void
row_cn(struct ra_req *r, const struct ra_upload_screen *us,
    const struct ra_tsv_row *row, size_t i)
{
	X509_NAME	*name = NULL;
	char		 key[64], why[512], *cn = NULL;

	if (!us->show_cn)
		return;
	if (ra_dn_parse(row->f[0], &name, why, sizeof(why)) == RA_OK)
		cn = ra_dn_get(name, NID_commonName);
	snprintf(key, sizeof(key), "Result.Rows.%zu.Cn", i);
	hdf_set_value(r->page, key, cn != NULL ? cn : row->f[0]);
	free(cn);
	X509_NAME_free(name);
}

/* The uploaded file, at most UPLOAD_MAX bytes; caller frees. */
static enum ra_err
upload_read(struct ra_req *r, char **buf, size_t *len)
{
	FILE	*fp = cgi_filehandle(r->cgi, "file");
	size_t	 n;

	*buf = NULL;
	*len = 0;
	if (fp == NULL)
		return RA_EINPUT;
	if ((*buf = malloc(UPLOAD_MAX + 1)) == NULL)
		return RA_ENOMEM;
	rewind(fp);
	n = fread(*buf, 1, UPLOAD_MAX + 1, fp);
	if (n > UPLOAD_MAX) {
		free(*buf);
		*buf = NULL;
		return RA_EINPUT;
	}
	*len = n;
	return RA_OK;
}

/* The audit's event of a reissue, and the certificate kind it is for. */
static const struct {
	const char	*event, *cert_kind;
} reissue_of[RA_UPLOAD_KIND__MAX] = {
	[RA_UPLOAD_SERVER] = { "server.url_reissue", "server" },
	[RA_UPLOAD_CLIENT] = { "client.url_reissue", NULL },
	[RA_UPLOAD_CODESIGN] = { "codesign.url_reissue", "code_signing" },
	[RA_UPLOAD_ADMIN] = { NULL, NULL },
	[RA_UPLOAD_ACME] = { NULL, NULL },
};
_Static_assert(RA_NITEMS(reissue_of) == RA_UPLOAD_KIND__MAX,
    "reissue_of[] out of sync with enum ra_upload_kind");

/*
 * A fresh certificate URL: for a user (client uploads), M2 again with the
 * same access PIN; for the user administrator of a server or
 * code-signing certificate, M6 again.  Done, or refused, and audited in
 * one transaction.  "*done" says which; "out" what was mailed to whom,
 * or out->why why not.
 */
static enum ra_err
reissue(PGconn *db, const struct ra_conf *conf,
    const struct ra_upload_screen *us, int64_t officer, int64_t inst,
    const char *which, const char *source_ip, struct ra_reissue *out,
    int *done)
{
	struct ra_client_cfg	 cfg;
	struct ra_event		 ev;
	char			 detail[512], actor[40];
	enum ra_err		 er;

	*done = 0;
	memset(out, 0, sizeof(*out));
	if (reissue_of[us->kind].event == NULL)
		return RA_EINPUT;
	ra_client_cfg(conf, &cfg);
	if ((er = ra_db_begin(db)) != RA_OK)
		return er;
	if (us->kind == RA_UPLOAD_CLIENT)
		er = ra_client_reissue(db, &cfg, officer, inst, which,
		    out->subject_dn, sizeof(out->subject_dn), out->why,
		    sizeof(out->why));
	else
		er = ra_retrieval_reissue(db, cfg.site, officer, inst,
		    reissue_of[us->kind].cert_kind, which, out);
	if (er != RA_OK && er != RA_EPOLICY)
		goto out;
	if (er == RA_EPOLICY) {
		ra_db_rollback(db);
		if ((er = ra_db_begin(db)) != RA_OK)
			goto out;
	}
	*done = *out->why == '\0';
	snprintf(actor, sizeof(actor), "officer:%lld", (long long)officer);
	/* Each value here is digits, a mail address or a word of ours. */
	if (us->kind == RA_UPLOAD_CLIENT)
		snprintf(detail, sizeof(detail), "{\"which\": \"%s\"}", which);
	else if (*done)
		snprintf(detail, sizeof(detail), "{\"serial\": \"%s\", "
		    "\"mailed_to\": \"%s\", \"expires\": \"%s\"}", which,
		    out->admin_mail, out->expires);
	else
		snprintf(detail, sizeof(detail), "{\"serial\": \"%s\", "
		    "\"refused\": \"%s\"}", which, out->code);
	memset(&ev, 0, sizeof(ev));
	ev.event = reissue_of[us->kind].event;
	if (us->kind != RA_UPLOAD_CLIENT && *done) {
		ev.cert_serial = out->serial;
		ev.cert_subject = out->subject_dn;
	}
	ev.outcome = *done ? "ok" : "refused";
	ev.actor = source_ip != NULL ? NULL : actor;
	ev.institution_id = inst;
	ev.officer_id = officer;
	ev.source_ip = source_ip;
	ev.detail = detail;
	if ((er = ra_audit(db, &ev)) == RA_OK)
		er = ra_db_commit(db);
out:
	ra_db_rollback(db);
	return er;
}

static enum ra_err
screen(struct ra_req *r, const struct ra_upload_screen *us)
{
	struct ra_officer	 o;
	struct ra_upload_officer oc;
	struct ra_upload_result	*res = NULL;
	struct ra_reissue	 ro;
	const char		*f[F__MAX], *name;
	char			 key[64], num[24], msg[256], *buf = NULL;
	int64_t			 apply, batch;
	size_t			 len, i, k;
	int			 done;
	enum ra_err		 er;

	memset(&oc, 0, sizeof(oc));
	if ((er = ra_form_get(r, ra_upload_fields, F__MAX, f)) != RA_OK ||
	    (er = ra_officer_open(r, &o)) != RA_OK)
		return er;
	if (!o.perm[us->interface])
		return RA_EDENIED;
	ra_officer_page(r, &o);
	hdf_set_value(r->page, "Upload.Screen", us->program);
	hdf_set_int_value(r->page, "Upload.Reissue", us->reissue);
	hdf_set_int_value(r->page, "Upload.ShowCn", us->show_cn);
	if (us->page != NULL && (er = us->page(r)) != RA_OK)
		return er;
	if (strcmp(ra_req_method(r), "POST") != 0) {
		if (f[F_BATCH] == NULL)
			return ra_render(r, 200, us->tmpl);
		if (!ra_field_i64(f[F_BATCH], 1, INT64_MAX, &batch))
			return RA_EINPUT;
		return result_download(r, us, &o, batch);
	}
	if (!ra_officer_csrf_ok(r, &o))
		return RA_EDENIED;
	if (f[F_REISSUE] != NULL && us->reissue) {
		if ((er = reissue(r->db, &r->conf, us, o.officer_id,
		    o.institution_id, f[F_REISSUE], ra_req_env("REMOTE_ADDR"),
		    &ro, &done)) != RA_OK)
			return er;
		hdf_set_value(r->page, "Reissue.Which", f[F_REISSUE]);
		hdf_set_int_value(r->page, "Reissue.Done", done);
		hdf_set_value(r->page, "Reissue.Why", ro.why);
		hdf_set_value(r->page, "Reissue.Subject", ro.subject_dn);
		hdf_set_value(r->page, "Reissue.AdminName", ro.admin_name);
		hdf_set_value(r->page, "Reissue.AdminMail", ro.admin_mail);
		hdf_set_value(r->page, "Reissue.Expires", ro.expires);
		return ra_render(r, done ? 200 : 422, us->tmpl);
	}
	if ((f[F_APPLY] == NULL && !us->update &&
	    us->kind != RA_UPLOAD_ACME) || f[F_MODE] == NULL)
		return RA_EINPUT;
	if ((er = ra_upload_officer_open(r->db, &r->conf, o.officer_id, &oc)) ==
	    RA_EPOLICY)
		hdf_set_value(r->page, "Error.Code", "215");
	if (er != RA_OK)
		goto out;
	oc.up.source_ip = ra_req_env("REMOTE_ADDR");
	if ((er = upload_read(r, &buf, &len)) == RA_EINPUT) {
		/* Said on the screen, with what to do, and audited. */
		snprintf(msg, sizeof(msg), "ファイルがありません、または%d MBを"
		    "超えています。ファイルを分けてアップロードしてください。 / no "
		    "file, or larger than %d MB: split it and upload the parts",
		    UPLOAD_MAX / (1024 * 1024), UPLOAD_MAX / (1024 * 1024));
		hdf_set_value(r->page, "Result.File.0", msg);
		hdf_set_value(r->page, "Result.Ok", "0");
		snprintf(num, sizeof(num), "officer:%lld",
		    (long long)o.officer_id);
		if (ra_audit_refusal(r->db, ra_strerror(er), "upload missing or "
		    "larger than the limit", num) != RA_OK)
			ra_warnx("refused upload not audited");
		er = ra_render(r, 413, us->tmpl);
		goto out;
	}
	if (er != RA_OK)
		goto out;
	if ((res = calloc(1, sizeof(*res))) == NULL) {
		er = RA_ENOMEM;
		goto out;
	}
	name = hdf_get_value(r->cgi->hdf, "Query.file", "upload.tsv");
	/* ⑤ has no 処理内容; ① and ③ have 1 to 3, never ⑤'s. */
	if (us->update)
		apply = RA_TSV_UPDATE + 1;
	else if (us->kind == RA_UPLOAD_ACME)
		apply = RA_TSV_ISSUE + 1;	/* ⑫: applications only */
	else if (!ra_field_i64(f[F_APPLY], 1, RA_TSV_REVOKE + 1, &apply)) {
		er = RA_EINPUT;
		goto out;
	}
	if ((er = ra_upload(&oc.up, us->kind, (enum ra_tsv_action)(apply - 1),
	    strcmp(f[F_MODE], "partial") == 0 ? RA_UPLOAD_PARTIAL :
	    strcmp(f[F_MODE], "dryrun") == 0 ? RA_UPLOAD_DRYRUN :
	    RA_UPLOAD_ABORT, name, buf, len, res)) != RA_OK)
		goto out;
	hdf_set_int_value(r->page, "Result.Ok", (int)res->ok);
	hdf_set_int_value(r->page, "Result.Ng", (int)res->ng);
	hdf_set_int_value(r->page, "Result.Committed", res->committed);
	hdf_set_value(r->page, "Result.Mode", f[F_MODE]);
	snprintf(num, sizeof(num), "%lld", (long long)oc.up.batch_id);
	hdf_set_value(r->page, "Result.Batch", oc.up.batch_id > 0 ? num : "");
	for (k = 0; res->file_error && k < res->e.n; k++) {
		snprintf(key, sizeof(key), "Result.File.%zu", k);
		hdf_set_value(r->page, key, res->e.v[k].text);
	}
	for (i = 0; i < res->t.nrows; i++) {
		snprintf(key, sizeof(key), "Result.Rows.%zu.Seq", i);
		hdf_set_int_value(r->page, key, res->t.rows[i].line);
		row_people(r, us, &res->t.rows[i], i);
		row_cn(r, us, &res->t.rows[i], i);
		for (k = 0; k < res->e.n; k++)
			if (res->e.v[k].line == res->t.rows[i].line) {
				snprintf(key, sizeof(key),
				    "Result.Rows.%zu.Errors.%zu", i, k);
				hdf_set_value(r->page, key, res->e.v[k].text);
			}
	}
	/* What the page shows besides may have changed with the upload (⑫). */
	if (us->page != NULL && (er = us->page(r)) != RA_OK)
		goto out;
	er = ra_render(r, 200, us->tmpl);
out:
	if (res != NULL)
		ra_upload_free(res);
	free(res);
	free(buf);
	ra_upload_officer_close(&oc);
	return er;
}

enum ra_err
ra_upload_screen(struct ra_req *r, const struct ra_upload_screen *us)
{
	return r->is_cgi ? screen(r, us) : shell(r, us);
}
