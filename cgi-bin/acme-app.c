/*
 * acme-app.cgi: ⑫ ACME利用情報 作成申請・アカウント管理.  The RA officer
 * uploads ACME-use applications as TSV (lib/upload-acme.c, through the
 * upload screen of ① and ⑤: lib/uploadscreen.c), and sees the
 * institution's applications with their accounts, recent orders and
 * certificates, which they may suspend, resume or close
 * (lib/acme-app.c).
 *
 *	GET			the list and the upload form
 *	POST (multipart)	errorFlg, csrf, file: an upload
 *	POST op=suspend|resume|close|reissue&app=N&csrf=...
 *	GET ?batch=N		an upload's result TSV (Shift_JIS)
 *
 * From a shell, the same:
 *
 *	acme-app.cgi --officer ID [--mode abort|partial|dry_run] FILE
 *	acme-app.cgi --officer ID list
 *	acme-app.cgi --officer ID suspend|resume|close|reissue APPLICATION_ID
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ra.h"
#include "web.h"
#include "acme-app.h"

static int
valid_op(const char *s)
{
	enum ra_acme_op	 op;

	return ra_acme_op_parse(s, &op);
}

/*
 * The upload screen's fields (copied in at start: an extern table is no
 * constant initializer), then the buttons'.
 */
enum { F_OP = RA_UPLOAD_FIELDS, F_APP, F__MAX };
static struct ra_field fields[F__MAX] = {
	[F_OP]	= { "op",	8,	valid_op,	RA_FIELD_TEXT },
	[F_APP]	= { "app",	18,	ra_valid_digits, RA_FIELD_TEXT },
};

static enum ra_err	 list_page(struct ra_req *);

static const struct ra_upload_screen upload = {
	"acme-app.cgi", RA_UPLOAD_ACME, RA_ACME_INTERFACE, "acme-app.cs", 0,
	1, 2, 0, 0, list_page
};

/* Row "i" of "res" under "prefix.n.": every column by its name. */
static void
hdf_row(HDF *hdf, const char *prefix, int n, const PGresult *res, int i)
{
	char	 key[128];
	int	 c;

	for (c = 0; c < PQnfields(res); c++) {
		snprintf(key, sizeof(key), "%s.%d.%s", prefix, n,
		    PQfname(res, c));
		hdf_set_value(hdf, key, PQgetvalue(res, i, c));
	}
}

/* The applications, each with its orders and certificates, for the page. */
static enum ra_err
list_hdf(struct ra_req *r, int64_t officer)
{
	struct ra_acme_list	 l;
	const unsigned char	*p;
	unsigned char		*sha = NULL;
	char			 key[128], tp[64];
	const char		*id;
	size_t			 len;
	int			 i, k, n;
	enum ra_err		 er;

	if ((er = ra_acme_list(r->db, officer, &l)) != RA_OK)
		return er;
	for (i = 0; i < PQntuples(l.apps); i++) {
		hdf_row(r->page, "Acme.Apps", i, l.apps, i);
		/* The RFC 7638 thumbprint as ACME writes it. */
		*tp = '\0';
		if (!PQgetisnull(l.apps, i, PQfnumber(l.apps, "jwk_sha256")) &&
		    ra_get_bytea(l.apps, i, "jwk_sha256", &sha, &len) == RA_OK) {
			p = sha;
			if (!ra_b64url(p, len, tp, sizeof(tp)))
				*tp = '\0';
		}
		PQfreemem(sha);
		sha = NULL;
		snprintf(key, sizeof(key), "Acme.Apps.%d.jwk_sha256", i);
		hdf_set_value(r->page, key, tp);
		id = PQgetvalue(l.apps, i, PQfnumber(l.apps, "application_id"));
		for (n = 0, k = 0; k < PQntuples(l.orders); k++)
			if (strcmp(PQgetvalue(l.orders, k, 0), id) == 0) {
				snprintf(key, sizeof(key), "Acme.Apps.%d.Orders", i);
				hdf_row(r->page, key, n++, l.orders, k);
			}
		for (n = 0, k = 0; k < PQntuples(l.certs); k++)
			if (strcmp(PQgetvalue(l.certs, k, 0), id) == 0) {
				snprintf(key, sizeof(key), "Acme.Apps.%d.Certs", i);
				hdf_row(r->page, key, n++, l.certs, k);
			}
	}
	ra_acme_list_free(&l);
	return RA_OK;
}

/* The upload screen's hook: the list under the form. */
static enum ra_err
list_page(struct ra_req *r)
{
	struct ra_officer	 o;
	enum ra_err		 er;

	if ((er = ra_officer_get(r, &o)) != RA_OK)
		return er;
	return list_hdf(r, o.officer_id);
}

/* A button: suspend, resume or close, then the page again. */
static enum ra_err
button(struct ra_req *r)
{
	struct ra_officer	 o;
	struct ra_acme_change	 ch;
	struct ra_acme_reissue	 ri;
	enum ra_acme_op		 op;
	const char		*f[F__MAX];
	int64_t			 app;
	int			 status;
	enum ra_err		 er;

	if ((er = ra_form_get(r, fields, F__MAX, f)) != RA_OK ||
	    (er = ra_officer_open(r, &o)) != RA_OK)
		return er;
	if (!o.perm[RA_ACME_INTERFACE]) {
		r->refusal = "no interface 12";
		return RA_EDENIED;
	}
	if (strcmp(ra_req_method(r), "POST") != 0)
		return RA_EMETHOD;
	if (!ra_officer_csrf_ok(r, &o))
		return RA_EDENIED;
	memset(&ch, 0, sizeof(ch));
	if (f[F_APP] == NULL || !ra_acme_op_parse(f[F_OP], &op) ||
	    !ra_field_i64(f[F_APP], 1, INT64_MAX, &app))
		return RA_EINPUT;
	if (op == RA_ACME_REISSUE) {
		er = ra_acme_reissue(r->db, &r->conf, o.officer_id, app,
		    ra_req_env("REMOTE_ADDR"), &ri);
		snprintf(ch.outcome, sizeof(ch.outcome), "%s", ri.outcome);
		hdf_set_value(r->page, "Change.Mail", ri.mail);
	} else
		er = ra_acme_change(r->db, o.officer_id, app, op,
		    ra_req_env("REMOTE_ADDR"), &ch);
	/* Refusals are audited already: the page says which. */
	if (er != RA_OK && er != RA_EDENIED && er != RA_EPOLICY &&
	    er != RA_EDUP)
		return er;
	hdf_set_value(r->page, "Change.Op", ra_acme_op_name(op));
	hdf_set_value(r->page, "Change.App", f[F_APP]);
	hdf_set_value(r->page, "Change.Outcome", er == RA_OK ? "ok" :
	    er == RA_EDENIED ? "denied" : ch.outcome);
	ra_officer_page(r, &o);
	hdf_set_value(r->page, "Upload.Screen", upload.program);
	status = er == RA_OK ? 200 : er == RA_EDENIED ? 403 : 409;
	if ((er = list_hdf(r, o.officer_id)) != RA_OK)
		return er;
	return ra_render(r, status, "acme-app.cs");
}

/* --officer ID list: one line an application, its orders and certificates. */
static enum ra_err
shell_list(struct ra_req *r, int64_t officer)
{
	struct ra_acme_list	 l;
	unsigned char		*sha = NULL;
	char			 tp[64];
	size_t			 len;
	int			 i, k;
	enum ra_err		 er;

	if ((er = ra_acme_list(r->db, officer, &l)) != RA_OK)
		return er;
	for (i = 0; i < PQntuples(l.apps); i++) {
		*tp = '\0';
		if (!PQgetisnull(l.apps, i, PQfnumber(l.apps, "jwk_sha256")) &&
		    ra_get_bytea(l.apps, i, "jwk_sha256", &sha, &len) == RA_OK &&
		    !ra_b64url(sha, len, tp, sizeof(tp)))
			*tp = '\0';
		PQfreemem(sha);
		sha = NULL;
		printf("application\t%s\t%s\t%s\t%s\t%s\t%s\taccount=%s\t%s\t%s"
		    "\tfailures_today=%s\n",
		    ra_get_text(l.apps, i, "application_id"),
		    ra_get_text(l.apps, i, "status"),
		    ra_get_text(l.apps, i, "state_ja"),
		    ra_get_text(l.apps, i, "fqdns"),
		    ra_get_text(l.apps, i, "admin_mail"),
		    ra_get_text(l.apps, i, "created"),
		    ra_get_text(l.apps, i, "account_id"),
		    ra_get_text(l.apps, i, "account_status"), tp,
		    ra_get_text(l.apps, i, "failures_today"));
		for (k = 0; k < PQntuples(l.orders); k++)
			if (strcmp(ra_get_text(l.orders, k, "application_id"),
			    ra_get_text(l.apps, i, "application_id")) == 0)
				printf("order\t%s\t%s\t%s\t%s\n",
				    ra_get_text(l.orders, k, "order_id"),
				    ra_get_text(l.orders, k, "status"),
				    ra_get_text(l.orders, k, "identifiers"),
				    ra_get_text(l.orders, k, "created"));
		for (k = 0; k < PQntuples(l.certs); k++)
			if (strcmp(ra_get_text(l.certs, k, "application_id"),
			    ra_get_text(l.apps, i, "application_id")) == 0)
				printf("certificate\t%s\t%s\t%s\trevoked=%s\n",
				    ra_get_text(l.certs, k, "serial"),
				    ra_get_text(l.certs, k, "cn"),
				    ra_get_text(l.certs, k, "not_after"),
				    ra_get_text(l.certs, k, "revoked"));
	}
	ra_acme_list_free(&l);
	return RA_OK;
}

/* --officer ID reissue APP: a fresh EAB and URL, mailed. */
static enum ra_err
shell_reissue(struct ra_req *r, int64_t officer, int64_t app)
{
	struct ra_acme_reissue	 ri;
	enum ra_err		 er;

	er = ra_acme_reissue(r->db, &r->conf, officer, app, NULL, &ri);
	if (er == RA_OK)
		printf("application %lld: a new EAB key and URL are mailed to "
		    "%s; the old ones no longer work\n", (long long)app,
		    ri.mail);
	else if (er == RA_EDENIED)
		fprintf(stderr, "application %lld: not one officer %lld "
		    "reaches\n", (long long)app, (long long)officer);
	else if (er == RA_EPOLICY)
		fprintf(stderr, "application %lld: %s\n", (long long)app,
		    strcmp(ri.outcome, "closed") == 0 ? "closed: closing is "
		    "final" : "an account was made with its EAB already");
	else
		return er;
	return er == RA_OK ? RA_OK : RA_EDONE;
}

/* --officer ID list|suspend|resume|close|reissue [APP]; anything else: the upload. */
static enum ra_err
shell(struct ra_req *r)
{
	struct ra_acme_change	 ch;
	enum ra_acme_op		 op = RA_ACME_OP__MAX;
	int64_t			 officer, app = 0;
	int			 list;
	enum ra_err		 er;

	if (r->argc < 3 || strcmp(r->argv[0], "--officer") != 0 ||
	    (strcmp(r->argv[2], "list") != 0 &&
	    !ra_acme_op_parse(r->argv[2], &op)))
		return ra_upload_screen(r, &upload);
	list = strcmp(r->argv[2], "list") == 0;
	if (!ra_field_i64(r->argv[1], 1, INT64_MAX, &officer) ||
	    r->argc != (list ? 3 : 4) ||
	    (!list && !ra_field_i64(r->argv[3], 1, INT64_MAX, &app))) {
		fprintf(stderr, "usage: acme-app.cgi --officer ID [--mode "
		    "abort|partial|dry_run] FILE\n"
		    "       acme-app.cgi --officer ID list\n"
		    "       acme-app.cgi --officer ID suspend|resume|close|"
		    "reissue APPLICATION_ID\n");
		return RA_EUSAGE;
	}
	if ((er = ra_req_db(r, r->zone)) != RA_OK)
		return er;
	if (list)
		return shell_list(r, officer);
	if (op == RA_ACME_REISSUE)
		return shell_reissue(r, officer, app);
	er = ra_acme_change(r->db, officer, app, op, NULL, &ch);
	switch (er) {
	case RA_OK:
		printf("application %lld: %s (was %s)\n", (long long)app,
		    ra_acme_op_name(op), ch.old_status);
		return RA_OK;
	case RA_EDENIED:
		fprintf(stderr, "application %lld: not one officer %lld "
		    "reaches\n", (long long)app, (long long)officer);
		return RA_EDONE;
	case RA_EPOLICY:
		fprintf(stderr, "application %lld is closed: closing is "
		    "final\n", (long long)app);
		return RA_EDONE;
	case RA_EDUP:
		fprintf(stderr, "application %lld is %s already\n",
		    (long long)app, ch.old_status);
		return RA_EDONE;
	default:
		return er;
	}
}

static enum ra_err
acme_app(struct ra_req *r)
{
	const char	*op;
	enum ra_err	 er;

	if (!r->is_cgi)
		return shell(r);
	op = hdf_get_value(r->cgi->hdf, "Query.op", NULL);
	if (op != NULL || hdf_get_value(r->cgi->hdf, "Query.app", NULL) != NULL)
		return button(r);
	/* No button field: the upload screen's own table, checked again. */
	if ((er = ra_form_check(r, ra_upload_fields, RA_UPLOAD_FIELDS)) !=
	    RA_OK)
		return er;
	return ra_upload_screen(r, &upload);
}

int
main(int argc, char *argv[])
{
	static struct ra_screen sc = { fields, F__MAX, acme_app,
	    RA_DB_OFFICER };
	size_t	 i;

	for (i = 0; i < RA_UPLOAD_FIELDS; i++)
		fields[i] = ra_upload_fields[i];
	return ra_web_main(argc, argv, &sc);
}
