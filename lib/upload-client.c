/*
 * upload-client.c: the rules of a ③ client or S/MIME certificate row
 * (reference §2.1, §2.4, §10.5).  The key is made by the worker, never
 * sent: a row gives the DN, the profile, the download method and the
 * people.  Client DNs are checked against the institution (C, O, ST/L as
 * registered) and carried as given; an S/MIME certificate's subject is
 * CN = the user's mail alone (column 14, which must equal it), under a
 * domain of the officer's.  The driver is upload.c.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>
#include <openssl/objects.h>

#include "ra.h"
#include "domain.h"
#include "upload.h"

/* Column numbers in ra_tsv_client (reference §2.4.1). */
enum { C_DN, C_PROFILE, C_METHOD, C_SERIAL, C_REASON, C_COMMENT, C_7,
    C_ADMIN, C_AFFIL, C_ADMIN_MAIL, C_USER, C_P12NAME, C_USER_AFFIL,
    C_USER_MAIL, C_PIN };

/* 212: the DN (CN and OUs) of this kind issued before, or on its way. */
static const char SQL_CN_ISSUED[] =
    "SELECT 1 FROM ra.request"
    " WHERE institution_id = $1::bigint AND kind = $2 AND action = 'issue'"
    "   AND lower(cn) = lower($3) AND ou = $4"
    "   AND state IN ('waiting', 'queued', 'done') LIMIT 1";
/* The same for a whole file: the ordinals of the names issued before. */
static const char SQL_CNS_ISSUED[] =
    "SELECT u.i FROM ROWS FROM (pg_catalog.unnest($2::text[]),"
    "       pg_catalog.unnest($3::text[]), pg_catalog.unnest($4::text[]))"
    "       WITH ORDINALITY AS u(kind, cn, ou, i)"
    " WHERE EXISTS (SELECT 1 FROM ra.request r"
    "  WHERE r.institution_id = $1::bigint AND r.kind = u.kind"
    "    AND r.action = 'issue' AND lower(r.cn) = lower(u.cn)"
    "    AND r.ou = u.ou AND r.state IN ('waiting', 'queued', 'done'))";

/* CN of a client certificate (§2.1): half-width letters, digits, these. */
static const char cn_chars[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
    " '(),-./:=@_";
/* The P12's base name: a file name in a ZIP, no path, no leading dot. */
static const char p12_chars[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-";

static int
is_smime(const struct ra_profile *p)
{
	return strcmp(p->kind, "smime") == 0;
}

/*
 * C, O, ST and L of a client DN: C is JP, O the institution's English
 * name, ST and L the registered values; one of ST and L at least (§2.1).
 * For S/MIME those the row gives are checked all the same, then dropped.
 */
static int
institution_ok(struct ra_upload_row *rc, const X509_NAME *name, int smime)
{
	const struct ra_upload_ctx	*ctx = rc->ctx;
	int				 has_st, has_l;

	has_st = X509_NAME_get_index_by_NID(name, NID_stateOrProvinceName,
	    -1) >= 0;
	has_l = X509_NAME_get_index_by_NID(name, NID_localityName, -1) >= 0;
	if ((!smime || X509_NAME_get_index_by_NID(name, NID_countryName, -1) >=
	    0) && !ra_upload_value_is(name, NID_countryName, "JP")) {
		ra_upload_error(rc, E_C, C_DN, "%s", M_C_JP);
		return 0;
	}
	if ((!smime || X509_NAME_get_index_by_NID(name, NID_organizationName,
	    -1) >= 0) && !ra_upload_value_is(name, NID_organizationName,
	    ctx->name_en)) {
		ra_upload_error(rc, E_O, C_DN, M_O_NAME, ctx->name_en,
		    ctx->name_en);
		return 0;
	}
	if ((has_st && !ra_upload_value_is(name, NID_stateOrProvinceName,
	    ctx->st)) || (has_l && !ra_upload_value_is(name, NID_localityName,
	    ctx->l)) || (!smime && !has_st && !has_l)) {
		ra_upload_error(rc, E_STL, C_DN, M_STL, ctx->stl, ctx->stl);
		return 0;
	}
	return 1;
}

/*
 * The subject to certify (caller frees) and its CN, from column 1, for
 * profile "p".  0 with the row's error.
 */
static int
subject_of(struct ra_upload_row *rc, const struct ra_profile *p,
    X509_NAME **out, char **cn)
{
	X509_NAME	*name = NULL;
	const char	*mail = rc->row->f[C_USER_MAIL], *at;
	char		 why[512] = "";
	int		 ok = 0;

	*out = NULL;
	*cn = NULL;
	if (ra_dn_parse(rc->row->f[C_DN], &name, why, sizeof(why)) != RA_OK ||
	    !ra_upload_dn_order_ok(name) ||
	    (*cn = ra_dn_get(name, NID_commonName)) == NULL ||
	    strspn(*cn, cn_chars) != strlen(*cn)) {
		ra_upload_dn_error(rc, C_DN, why);
		goto out;
	}
	/* request_cn_client_once compares lower(cn) and ou: one spelling. */
	if (!ra_upload_spaces_ok(name)) {
		ra_upload_error(rc, E_DN, C_DN, M_DN_SPACES, rc->lbl);
		goto out;
	}
	if (!institution_ok(rc, name, is_smime(p)))
		goto out;
	if (is_smime(p)) {
		if (strcasecmp(*cn, mail) != 0) {
			ra_upload_error(rc, E_MAIL_CN, C_USER_MAIL, "S/MIME証明書"
			    "の主体者DNのCNは利用者メールアドレス（%s）と同じで"
			    "なければなりません。(The CN of an S/MIME "
			    "certificate's subject DN must be the user's mail "
			    "address, %s.)", mail, mail);
			goto out;
		}
		at = strchr(mail, '@');
		if (at == NULL || !ra_upload_officer_domain(rc->ctx, at + 1)) {
			ra_upload_error(rc, E_DOMAIN, C_USER_MAIL, M_DOMAIN,
			    at != NULL ? at + 1 : mail,
			    at != NULL ? at + 1 : mail);
			goto out;
		}
		/* Mailbox-validated Strict: the subject is the mail alone. */
		X509_NAME_free(name);
		if ((name = X509_NAME_new()) == NULL ||
		    !X509_NAME_add_entry_by_NID(name, NID_commonName,
		    MBSTRING_UTF8, (const unsigned char *)mail, -1, -1, 0)) {
			ra_upload_error(rc, E_DN, C_DN, "%s", "メモリが足りません。もう"
			    "一度アップロードしてください。(Out of memory: "
			    "upload the file again.)");
			goto out;
		}
		free(*cn);
		if ((*cn = strdup(mail)) == NULL)
			goto out;
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
 * The certificate column 4 names: this institution's, of the profile's
 * kind, the same CN and OUs (the renewal match from 2020-07-15, §2.1);
 * for S/MIME, its CN is the user's mail.  Not renewed yet, to renew it.
 */
static int
old_cert(struct ra_upload_row *rc, const char *kind, const X509_NAME *name,
    int renew, int64_t *cert_id)
{
	struct ra_upload_old	 old;
	X509_NAME		*was = NULL;
	const char		*at;
	char			 why[512] = "", a[512], b[512], *cn = NULL;
	int			 ok = 0;

	if (!ra_upload_old_cert(rc, C_SERIAL, &old))
		return 0;
	if (old.institution_id != rc->ctx->institution_id ||
	    (kind != NULL ? strcmp(old.kind, kind) != 0 :
	    strcmp(old.kind, "client") != 0 && strcmp(old.kind, "smime") != 0)) {
		ra_upload_error(rc, E_OTHER, C_SERIAL, M_NOT_OURS,
		    rc->row->f[C_SERIAL], kind == NULL ?
		    "クライアント・S/MIME証明書" : strcmp(kind, "smime") == 0 ?
		    "S/MIME証明書" : "クライアント証明書", rc->row->f[C_SERIAL],
		    kind == NULL ? "client or S/MIME certificate" :
		    strcmp(kind, "smime") == 0 ? "S/MIME certificate" :
		    "client certificate");
		return 0;
	}
	/* A mailbox is the officer's only under one of their domains. */
	if (strcmp(old.kind, "smime") == 0 && ((at = strchr(old.cn, '@')) ==
	    NULL || !ra_upload_officer_domain(rc->ctx, at + 1))) {
		ra_upload_error(rc, E_DOMAIN, C_SERIAL, M_DOMAIN,
		    at != NULL ? at + 1 : old.cn, at != NULL ? at + 1 : old.cn);
		return 0;
	}
	if ((cn = ra_dn_get(name, NID_commonName)) == NULL ||
	    strcasecmp(cn, old.cn) != 0 ||
	    ra_dn_parse(old.subject_dn, &was, why, sizeof(why)) != RA_OK) {
		ra_upload_error(rc, E_SERIAL_DN, C_SERIAL, M_SERIAL_CN,
		    rc->row->f[C_SERIAL], rc->row->f[C_SERIAL]);
		goto out;
	}
	ra_dn_ous(name, a, sizeof(a));
	ra_dn_ous(was, b, sizeof(b));
	if (strcmp(old.kind, "client") == 0 && strcmp(a, b) != 0) {
		ra_upload_error(rc, E_SERIAL_DN, C_SERIAL, M_SERIAL_OU,
		    rc->row->f[C_SERIAL], rc->row->f[C_SERIAL]);
		goto out;
	}
	/* As the server frame: a revoked certificate is not renewed (234). */
	if (renew && old.revoked) {
		ra_upload_error(rc, E_REVOKED, C_SERIAL, M_REVOKED,
		    rc->row->f[C_SERIAL], rc->row->f[C_SERIAL]);
		goto out;
	}
	if (renew && old.renewed) {
		ra_upload_error(rc, E_RENEWED, C_SERIAL, M_RENEWED,
		    rc->row->f[C_SERIAL], rc->row->f[C_SERIAL]);
		goto out;
	}
	*cert_id = old.cert_id;
	ok = 1;
out:
	X509_NAME_free(was);
	free(cn);
	return ok;
}

/* The access PIN of the row: column 15, if strong enough, or a new one. */
static int
pin_of(struct ra_upload_row *rc, char *pin, size_t sz)
{
	const char	*given = rc->row->f[C_PIN];

	if (*given == '\0')
		return ra_pin_new(pin, RA_CLIENT_PIN_LEN) == RA_OK;
	if (ra_pin_bits(given) < RA_PIN_MIN_BITS) {
		ra_upload_error(rc, E_PIN, C_PIN, "アクセスPINの強度が足りません"
		    "（%dビット以上が必要です。英大文字・小文字・数字を含む22文字"
		    "以上など）。強いPINにするか空欄にしてください。(The access "
		    "PIN is too weak: it needs %d bits at least, e.g. 22 random "
		    "base64url characters; or leave it empty for one to be "
		    "made.)", RA_PIN_MIN_BITS, RA_PIN_MIN_BITS);
		return 0;
	}
	if (strlen(given) >= sz)
		return 0;
	snprintf(pin, sz, "%s", given);
	return 1;
}

/*
 * P12一括: the P12s of one user administrator share a ZIP, so their names
 * must differ (a name twice would overwrite a file in the archive).
 */
static int
bulk_name_unique(struct ra_upload_row *rc)
{
	const struct ra_tsv_row	*r;
	size_t			 k;
	long			 first;

	/* Linked by the prefetch for the rows it could (sorted, not n²). */
	if (rc->b != NULL && strcmp(rc->row->f[C_METHOD], "2") == 0) {
		if ((first = rc->b->pre[rc->i].first_p12) < 0)
			return 1;
		ra_upload_error(rc, E_DUP, C_P12NAME, "%sはP12一括の"
		    "ファイル内で重複しています（%d行目）。(%s is used twice in "
		    "the one P12 download, also on line %d: give each a name of "
		    "its own.)", rc->row->f[C_P12NAME], rc->t->rows[first].line,
		    rc->row->f[C_P12NAME], rc->t->rows[first].line);
		return 0;
	}
	for (k = 0; k < rc->i; k++) {
		r = &rc->t->rows[k];
		if (strcmp(r->f[C_METHOD], "2") == 0 &&
		    strcasecmp(r->f[C_ADMIN_MAIL], rc->row->f[C_ADMIN_MAIL]) ==
		    0 && strcasecmp(r->f[C_P12NAME], rc->row->f[C_P12NAME]) ==
		    0) {
			ra_upload_error(rc, E_DUP, C_P12NAME, "%sはP12一括の"
			    "ファイル内で重複しています（%d行目）。(%s is used "
			    "twice in the one P12 download, also on line %d: "
			    "give each a name of its own.)",
			    rc->row->f[C_P12NAME], r->line,
			    rc->row->f[C_P12NAME], r->line);
			return 0;
		}
	}
	return 1;
}

/* ブラウザ個別: the URLs and their mails go out with the upload. */
static enum ra_err
browser_urls(struct ra_upload_row *rc, int64_t id, const char *pin)
{
	struct ra_client_cfg	 cfg;
	struct ra_client_row	 row;

	ra_client_cfg(rc->ctx->conf, &cfg);
	memset(&row, 0, sizeof(row));
	row.request_id = id;
	row.institution_id = rc->ctx->institution_id;
	row.pin = pin;
	row.admin_name = rc->row->f[C_ADMIN];
	row.admin_mail = rc->row->f[C_ADMIN_MAIL];
	row.user_name = rc->row->f[C_USER];
	row.user_mail = rc->row->f[C_USER_MAIL];
	return ra_client_urls(rc->ctx->db, &cfg, &row, 1);
}

/* Issue or renew one row: every rule, then the request. */
static void
row_issue(struct ra_upload_row *rc, enum ra_tsv_action action)
{
	struct ra_upload_ctx	*ctx = rc->ctx;
	struct ra_newreq	 rq;
	struct ra_profile	 prof;
	X509_NAME		*name = NULL, *given = NULL;
	PGresult		*res = NULL;
	const char		*p12 = rc->row->f[C_P12NAME];
	char			 why[512] = "", pin[160] = "", ou[1025], *cn = NULL;
	int64_t			 id, old = 0;
	int			 method = atoi(rc->row->f[C_METHOD]);
	enum ra_err		 er;

	if (method < 1 || method > 3) {
		ra_upload_error(rc, E_METHOD, C_METHOD, "%sは1（P12個別）、2（P12"
		    "一括）、3（ブラウザ個別）のいずれかです。(The download "
		    "method is 1 (one P12 each), 2 (all P12 in one file) or 3 "
		    "(in the browser).)", rc->fmt->cols[C_METHOD].label);
		goto out;
	}
	if (ra_upload_profile(rc, atoi(rc->row->f[C_PROFILE]), &prof) !=
	    RA_OK || !prof.active || (strcmp(prof.kind, "client") != 0 &&
	    !is_smime(&prof))) {
		ra_upload_error(rc, E_PROFILE, C_PROFILE, M_PROFILE_OF,
		    rc->row->f[C_PROFILE], "クライアント証明書・S/MIME証明書",
		    rc->row->f[C_PROFILE], "client or S/MIME certificate");
		goto out;
	}
	if (strspn(p12, p12_chars) != strlen(p12) ||
	    strchr("._-", *p12) != NULL) {
		ra_upload_error(rc, E_P12NAME, C_P12NAME, "%sは半角英数字と"
		    "「._-」で、先頭は英数字にしてください。(Write the P12 file "
		    "name in half-width letters, digits and ._- starting with a "
		    "letter or digit.)", rc->fmt->cols[C_P12NAME].label);
		goto out;
	}
	if (method == 2 && !bulk_name_unique(rc))
		goto out;
	if (!subject_of(rc, &prof, &name, &cn) || !pin_of(rc, pin, sizeof(pin)))
		goto out;
	if (action == RA_TSV_ISSUE && rc->b != NULL && rc->b->fast) {
		/* Asked for the file, and the rows before held for it. */
		if (rc->b->pre[rc->i].issued || ra_upload_name_queued(rc)) {
			ra_tsv_errorf(rc->e, E_EXISTS, rc->row->line, rc->lbl, "%s",
			    M_EXISTS);
			goto out;
		}
	} else if (action == RA_TSV_ISSUE) {
		/* A database failure is the driver's to see: no rule broken. */
		ra_dn_ous(name, ou, sizeof(ou));
		if (ra_db_run(ctx->db, "issued CN", SQL_CN_ISSUED, &res,
		    RA_ARGS(RA_INT(ctx->institution_id), RA_TEXT(prof.kind),
		    RA_TEXT(cn), RA_TEXT(ou))) != RA_OK)
			goto out;
		if (PQntuples(res) > 0) {
			ra_tsv_errorf(rc->e, E_EXISTS, rc->row->line, rc->lbl, "%s",
			    M_EXISTS);
			goto out;
		}
	} else {
		if (ra_dn_parse(rc->row->f[C_DN], &given, why, sizeof(why)) !=
		    RA_OK || !old_cert(rc, prof.kind, is_smime(&prof) ? name :
		    given, 1, &old))
			goto out;
	}
	memset(&rq, 0, sizeof(rq));
	rq.institution_id = ctx->institution_id;
	rq.officer_id = ctx->officer_id;
	rq.batch_id = ctx->batch_id;
	rq.seq = rc->row->line;
	rq.profile_id = prof.id;
	rq.subject = name;
	rq.target_cert_id = old;
	rq.admin_name = rc->row->f[C_ADMIN];
	rq.admin_mail = rc->row->f[C_ADMIN_MAIL];
	rq.user_name = rc->row->f[C_USER];
	rq.user_mail = rc->row->f[C_USER_MAIL];
	rq.affiliation = rc->row->f[C_AFFIL];
	rq.user_affiliation = rc->row->f[C_USER_AFFIL];
	rq.download_method = method;
	rq.p12_name = p12;
	rq.waiting = method == 3;
	rq.key_secret = method == 3 ? NULL : pin;
	rq.profile = &prof;
	rq.institution_checked = 1;	/* per file, by the caller */
	if (rc->b != NULL && rc->b->fast) {	/* no method 3: no URLs */
		id = 0;
		if ((er = ra_request_defer(ctx->db, &rq, &rc->b->bulk, why,
		    sizeof(why))) == RA_OK)
			rc->b->pre[rc->i].queued = 1;
	} else
		er = ra_request_add(ctx->db, &rq, &id, why, sizeof(why));
	if (er == RA_EDUP && action == RA_TSV_ISSUE)
		ra_tsv_errorf(rc->e, E_EXISTS, rc->row->line, rc->lbl, "%s",
			    M_EXISTS);
	else if (er == RA_EDUP)
		ra_upload_error(rc, E_RENEWED, C_SERIAL, M_RENEWED,
		    rc->row->f[C_SERIAL], rc->row->f[C_SERIAL]);
	/* A database failure says no "why": the upload's error, not the row's. */
	else if (er != RA_OK && *why != '\0')
		ra_upload_error(rc, E_KEY, C_DN, "%s", why);
	else if (er != RA_OK)
		rc->failed = er;
	else if (method == 3 && (er = browser_urls(rc, id, pin)) != RA_OK)
		ra_upload_error(rc, E_METHOD, C_METHOD, "証明書取得URLを作成でき"
		    "ません（%s）。もう一度アップロードしてください。(The "
		    "retrieval URLs could not be made: upload the file again.)",
		    ra_strerror(er));
out:
	OPENSSL_cleanse(pin, sizeof(pin));
	PQclear(res);
	X509_NAME_free(name);
	X509_NAME_free(given);
	free(cn);
}

/* Revoke one row: the certificate is ours, the DN its, the reason fits. */
static void
row_revoke(struct ra_upload_row *rc)
{
	X509_NAME	*name = NULL;
	char		 why[512] = "";
	int64_t		 old;

	if (ra_dn_parse(rc->row->f[C_DN], &name, why, sizeof(why)) != RA_OK ||
	    X509_NAME_get_index_by_NID(name, NID_commonName, -1) < 0) {
		ra_upload_dn_error(rc, C_DN, why);
		goto out;
	}
	if (old_cert(rc, NULL, name, 0, &old))
		ra_upload_revoke(rc, C_SERIAL, C_REASON, C_COMMENT, old);
out:
	X509_NAME_free(name);
}

/* Sorting rows by a name: "keys" are the row's, "i" breaks ties. */
struct by_name {
	const char	*k[3];
	size_t		 i;
	int		 fold[3];	/* ASCII case folded */
};

static int
name_cmp(const void *a, const void *b)
{
	const struct by_name	*x = a, *y = b;
	int			 c, j;

	for (j = 0; j < 3; j++)
		if ((c = x->fold[j] ? strcasecmp(x->k[j], y->k[j]) :
		    strcmp(x->k[j], y->k[j])) != 0)
			return c;
	return x->i < y->i ? -1 : x->i > y->i;
}

static int
name_eq(const struct by_name *x, const struct by_name *y)
{
	int	 j;

	for (j = 0; j < 3; j++)
		if ((x->fold[j] ? strcasecmp(x->k[j], y->k[j]) :
		    strcmp(x->k[j], y->k[j])) != 0)
			return 0;
	return 1;
}

/*
 * P12一括's names (bulk_name_unique): each row of method "2" linked to
 * the first row of method "2" with its user administrator's mail and
 * P12 name.
 */
static enum ra_err
p12_links(const struct ra_tsv *t, struct ra_upload_batch *b)
{
	struct by_name	*v;
	size_t		 n = 0, i, first = 0;

	if ((v = calloc(t->nrows, sizeof(*v))) == NULL)
		return RA_ENOMEM;
	for (i = 0; i < t->nrows; i++)
		if (strcmp(t->rows[i].f[C_METHOD], "2") == 0)
			v[n++] = (struct by_name){ { t->rows[i].f[C_ADMIN_MAIL],
			    t->rows[i].f[C_P12NAME], "" }, i, { 1, 1, 0 } };
	qsort(v, n, sizeof(*v), name_cmp);
	for (i = 0; i < n; i++) {
		if (i == 0 || !name_eq(&v[i - 1], &v[i]))
			first = v[i].i;
		else
			b->pre[v[i].i].first_p12 = (long)first;
	}
	free(v);
	return RA_OK;
}

/*
 * An issue file's 212 question asked once (upload-batch.c): the kind,
 * CN and OUs each row would certify, as subject_of makes them, looked
 * up together, and the rows of one name linked (prev_name), the CN case
 * folded as lower() folds it (ASCII: the CN's characters are).  A file
 * with a ブラウザ個別 row goes row by row: each such row writes its
 * retrieval URLs and mails with its request.
 */
static enum ra_err
prefetch(struct ra_upload_ctx *ctx, const struct ra_tsv *t,
    struct ra_upload_batch *b)
{
	struct ra_profile	 prof;
	struct ra_pgarr		 kinds, cns, ous;
	struct by_name		*v = NULL;
	X509_NAME		*name = NULL;
	const char		*a[3], *kind;
	size_t			*rowof = NULL, n = 0, i;
	char			 why[512] = "", ou[1025], *cn = NULL;
	char			**keep = NULL;	/* each name's CN and OUs */
	enum ra_err		 er;

	memset(&kinds, 0, sizeof(kinds));
	memset(&cns, 0, sizeof(cns));
	memset(&ous, 0, sizeof(ous));
	if ((er = p12_links(t, b)) != RA_OK)
		return er;
	for (i = 0; i < t->nrows; i++)
		if (t->rows[i].errors == 0 &&
		    atoi(t->rows[i].f[C_METHOD]) == 3) {
			b->row_by_row = 1;
			return RA_OK;
		}
	if ((rowof = calloc(t->nrows, sizeof(*rowof))) == NULL ||
	    (v = calloc(t->nrows, sizeof(*v))) == NULL ||
	    (keep = calloc(2 * t->nrows, sizeof(*keep))) == NULL) {
		er = RA_ENOMEM;
		goto out;
	}
	for (i = 0; i < t->nrows; i++) {
		if (t->rows[i].errors != 0 ||
		    ra_upload_batch_profile(ctx->db, b,
		    atoi(t->rows[i].f[C_PROFILE]), &prof) != RA_OK)
			continue;
		kind = strcmp(prof.kind, "smime") == 0 ? "smime" :
		    strcmp(prof.kind, "client") == 0 ? "client" : NULL;
		if (kind == NULL)
			continue;
		free(cn);
		cn = NULL;
		*ou = '\0';
		if (*kind == 's')	/* CN = the user's mail alone */
			cn = strdup(t->rows[i].f[C_USER_MAIL]);
		else if (ra_dn_parse(t->rows[i].f[C_DN], &name, why,
		    sizeof(why)) == RA_OK) {
			cn = ra_dn_get(name, NID_commonName);
			ra_dn_ous(name, ou, sizeof(ou));
			X509_NAME_free(name);
			name = NULL;
		}
		if (cn == NULL)
			continue;
		keep[2 * n] = cn;
		cn = NULL;
		if ((keep[2 * n + 1] = strdup(ou)) == NULL ||
		    !ra_pgarr_add(&kinds, kind) ||
		    !ra_pgarr_add(&cns, keep[2 * n]) ||
		    !ra_pgarr_add(&ous, ou)) {
			n++;		/* its strings freed below */
			er = RA_ENOMEM;
			goto out;
		}
		v[n] = (struct by_name){ { kind, keep[2 * n], keep[2 * n + 1] },
		    i, { 0, 1, 0 } };
		rowof[n++] = i;
	}
	if ((a[0] = ra_pgarr_str(&kinds)) == NULL ||
	    (a[1] = ra_pgarr_str(&cns)) == NULL ||
	    (a[2] = ra_pgarr_str(&ous)) == NULL) {
		er = RA_ENOMEM;
		goto out;
	}
	if ((er = ra_upload_mark(ctx->db, "issued names", SQL_CNS_ISSUED,
	    RA_ARGS(RA_INT(ctx->institution_id), RA_TEXT(a[0]), RA_TEXT(a[1]),
	    RA_TEXT(a[2])), rowof, n, b, RA_FACT_ISSUED)) != RA_OK)
		goto out;
	qsort(v, n, sizeof(*v), name_cmp);
	for (i = 1; i < n; i++)
		if (name_eq(&v[i - 1], &v[i]))
			b->pre[v[i].i].prev_name = (long)v[i - 1].i;
out:
	ra_pgarr_free(&kinds);
	ra_pgarr_free(&cns);
	ra_pgarr_free(&ous);
	for (i = 0; keep != NULL && i < 2 * n; i++)
		free(keep[i]);
	free(keep);
	free(rowof);
	free(v);
	free(cn);
	return er;
}

const struct ra_upload_rules ra_upload_client_rules = {
	"client", "client.upload", &ra_tsv_client, -1, C_SERIAL,
	row_issue, row_revoke, NULL, NULL, prefetch
};
