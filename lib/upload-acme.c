/*
 * upload-acme.c: the rules of a ⑫ ACME利用情報作成申請 row (reference
 * §1.6; issue 15).  Five columns: the user administrator (name,
 * affiliation, mail), the FQDNs the account may order (1 to 8, space or
 * comma separated, the first the CN; every one under the officer's
 * domains, no wildcard: http-01 cannot prove one) and the profile (empty:
 * 41, else one with ra.profile.acme).  An accepted row is an
 * ra.acme_application with a fresh EAB key id and HMAC key, and a
 * one-time URL mailed to the user administrator (acme-eab-url) that shows
 * them once (eabget.cgi).  The officer never sees the key: this program
 * draws it, hands it to ra.acme_application_add and forgets it; its role
 * cannot read it back.  The driver is upload.c.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "ra.h"
#include "domain.h"
#include "upload.h"
#include "acme-app.h"

#define ACME_FQDNS_MAX	8	/* the CN included (reference §1.6) */
#define ACME_PROFILE	41	/* 031-acme.sql */

/* Column numbers in acme_cols; read with RA_TSV_ISSUE only. */
enum { A_NAME, A_AFFIL, A_MAIL, A_FQDNS, A_PROFILE };

static const struct ra_tsv_col acme_cols[] = {
	[A_NAME]	= { "利用管理者氏名",		"REEE", RA_TSV_JIS,	64, 0, "administrator's name" },
	[A_AFFIL]	= { "利用管理者所属",		"REEE", RA_TSV_JIS,	64, 0, "administrator's affiliation" },
	[A_MAIL]	= { "利用管理者メールアドレス",	"REEE", RA_TSV_MAIL,	78, 0, "administrator's mail address" },
	[A_FQDNS]	= { "FQDN",			"REEE", RA_TSV_HALF,	2100, 0, "FQDN" },
	[A_PROFILE]	= { "証明書プロファイルID",	"OEEE", RA_TSV_DIGITS,	2, 0, "profile ID" },
};
_Static_assert(RA_NITEMS(acme_cols) <= RA_TSV_MAXCOLS,
    "acme_cols[] has more columns than a row can hold");

const struct ra_tsv_format ra_tsv_acme = {
	"acme", RA_NITEMS(acme_cols), acme_cols
};

static const char SQL_PROFILE[] =
    "SELECT 1 FROM ra.profile"
    " WHERE profile_id = $1::integer AND acme AND active AND kind = 'server'";
static const char SQL_TAKEN[] =
    "SELECT a.application_id FROM ra.acme_application a"
    " WHERE a.institution_id = $1::bigint AND a.status <> 'closed'"
    "   AND $2 = ANY (a.fqdns) LIMIT 1";
static const char SQL_ADD[] =
    "SELECT ra.acme_application_add($1::bigint, $2::bigint, $3::integer,"
    "  $4, $5, $6, pg_catalog.string_to_array($7, ' '), $8::integer, $9,"
    "  $10::bytea)";

/* The FQDNs of one row, parsed. */
struct fqdns {
	char	 v[ACME_FQDNS_MAX][254];
	size_t	 n;
};

/*
 * Column 4 of row "row" into "out": split at spaces and commas, each
 * lower-cased with one trailing dot (the root) dropped.  Errors are the
 * row's when "rc" is given; 0 on any.
 */
static int
fqdns_parse(struct ra_upload_row *rc, const char *list, struct fqdns *out)
{
	char	 name[300];
	size_t	 n, i, k;

	out->n = 0;
	for (k = 0;; k++) {
		list += strspn(list, ", ");
		if (*list == '\0')
			break;
		n = strcspn(list, ", ");
		snprintf(name, sizeof(name), "%.*s", (int)(n < 299 ? n : 299),
		    list);
		list += n;
		if (out->n == ACME_FQDNS_MAX) {
			if (rc != NULL)
				ra_upload_error(rc, E_ACME_COUNT, A_FQDNS, "FQDNは"
				    "%d個まで（CNを含む）です。(At most %d "
				    "FQDNs, the CN included.)", ACME_FQDNS_MAX,
				    ACME_FQDNS_MAX);
			return 0;
		}
		if ((n = strlen(name)) > 0 && name[n - 1] == '.')
			name[--n] = '\0';
		for (i = 0; i < n; i++)
			if (name[i] >= 'A' && name[i] <= 'Z')
				name[i] = (char)(name[i] - 'A' + 'a');
		if (strchr(name, '*') != NULL) {
			if (rc != NULL)
				ra_upload_error(rc, E_ACME_WILDCARD, A_FQDNS,
				    "%sはワイルドカードです。ACMEでは申請できません。"
				    "(%s is a wildcard: ACME (http-01) cannot "
				    "prove one.)", name, name);
			return 0;
		}
		if (!ra_hostname_ok(name)) {
			if (rc != NULL)
				ra_upload_error(rc, E_ACME_FQDN, A_FQDNS, "%sは"
				    "FQDNではありません。(%s is not a host "
				    "name.)", name, name);
			return 0;
		}
		for (i = 0; i < out->n; i++)
			if (strcmp(out->v[i], name) == 0) {
				if (rc != NULL)
					ra_upload_error(rc, E_DUP, A_FQDNS,
					    "%sは行内で重複しています。(%s is "
					    "twice in the row.)", name, name);
				return 0;
			}
		snprintf(out->v[out->n++], sizeof(out->v[0]), "%s", name);
	}
	if (out->n == 0) {
		if (rc != NULL)
			ra_upload_error(rc, 201, A_FQDNS, RA_MSG_REQUIRED, "FQDN",
			    "FQDN");
		return 0;
	}
	return 1;
}

/*
 * Each FQDN under the officer's domains, in no earlier row of the file
 * and in no live application of the institution.
 */
static int
fqdns_free(struct ra_upload_row *rc, const struct fqdns *fq)
{
	struct fqdns	 other;
	PGresult	*res = NULL;
	size_t		 i, k, j;
	int		 ok = 1;

	for (i = 0; ok && i < fq->n; i++)
		if (!ra_upload_officer_domain(rc->ctx, fq->v[i])) {
			ra_upload_error(rc, E_DOMAIN, A_FQDNS, M_DOMAIN, fq->v[i],
			    fq->v[i]);
			ok = 0;
		}
	for (k = 0; ok && k < rc->i; k++) {
		if (!fqdns_parse(NULL, rc->t->rows[k].f[A_FQDNS], &other))
			continue;
		for (i = 0; ok && i < fq->n; i++)
			for (j = 0; ok && j < other.n; j++)
				if (strcmp(fq->v[i], other.v[j]) == 0) {
					ra_upload_error(rc, E_DUP, A_FQDNS,
					    M_DUP_FILE_AT, fq->v[i],
					    rc->t->rows[k].line, fq->v[i],
					    rc->t->rows[k].line);
					ok = 0;
				}
	}
	for (i = 0; ok && i < fq->n; i++) {
		/* A database failure is the driver's to see: no rule broken. */
		if (ra_db_run(rc->ctx->db, "acme taken", SQL_TAKEN, &res,
		    RA_ARGS(RA_INT(rc->ctx->institution_id),
		    RA_TEXT(fq->v[i]))) != RA_OK) {
			rc->failed = RA_EDB;
			ok = 0;
		} else if (PQntuples(res) > 0) {
			ra_upload_error(rc, E_ACME_TAKEN, A_FQDNS, "%sはすでに"
			    "ACME利用申請（%s）にあります。(%s is already in the "
			    "live application %s.)", fq->v[i],
			    PQgetvalue(res, 0, 0), fq->v[i],
			    PQgetvalue(res, 0, 0));
			ok = 0;
		}
		PQclear(res);
		res = NULL;
	}
	return ok;
}

/* Column 5: empty is 41; else a live server profile with acme set. */
static int
profile_of(struct ra_upload_row *rc, int *profile)
{
	PGresult	*res = NULL;
	const char	*s = rc->row->f[A_PROFILE];
	int		 ok;

	*profile = *s == '\0' ? ACME_PROFILE : atoi(s);
	if (ra_db_run(rc->ctx->db, "acme profile", SQL_PROFILE, &res,
	    RA_ARGS(RA_INT(*profile))) != RA_OK) {
		rc->failed = RA_EDB;
		return 0;
	}
	ok = PQntuples(res) == 1;
	if (!ok)
		ra_upload_error(rc, E_PROFILE, A_PROFILE, "%dはACMEのプロファイル"
		    "ではありません。(Profile %d is not an ACME profile.)",
		    *profile, *profile);
	PQclear(res);
	return ok;
}

/* The URL of the new application "app", mailed (acme-eab-url). */
static enum ra_err
eab_mail(struct ra_upload_row *rc, int64_t app, const char *names)
{
	struct ra_acme_mail	 m;

	memset(&m, 0, sizeof(m));
	m.officer_id = rc->ctx->officer_id;
	m.application_id = app;
	m.name = rc->row->f[A_NAME];
	m.affiliation = rc->row->f[A_AFFIL];
	m.mail = rc->row->f[A_MAIL];
	m.fqdns = names;
	return ra_acme_eab_mail(rc->ctx->db, rc->ctx->conf, &m);
}

/* One application: every rule, then the row, its URL, its mail, its audit. */
static void
row_issue(struct ra_upload_row *rc, enum ra_tsv_action action)
{
	struct ra_upload_ctx	*ctx = rc->ctx;
	struct fqdns		 fq;
	struct ra_event		 ev;
	PGresult		*res = NULL;
	unsigned char		 hmac[32], kidraw[32];
	char			 kid[RA_TOKEN_LEN + 1], names[8 * 256 + 8],
				 detail[128];
	size_t			 i, n;
	int64_t			 app;
	int			 profile;
	enum ra_err		 er;

	if (action != RA_TSV_ISSUE) {
		rc->failed = RA_EUSAGE;
		return;
	}
	if (!fqdns_parse(rc, rc->row->f[A_FQDNS], &fq) ||
	    !fqdns_free(rc, &fq) || !profile_of(rc, &profile))
		return;
	for (*names = '\0', i = 0; i < fq.n; i++) {
		n = strlen(names);
		snprintf(names + n, sizeof(names) - n, "%s%s", i > 0 ? " " : "",
		    fq.v[i]);
	}
	/* The key id: base64url of 32 random bytes, as a URL token is. */
	if (ra_token_new(kid, kidraw) != RA_OK ||
	    RAND_bytes(hmac, sizeof(hmac)) != 1) {
		rc->failed = RA_ECRYPTO;
		goto out;
	}
	er = ra_db_run1(ctx->db, "acme application", SQL_ADD, &res,
	    RA_ARGS(RA_INT(ctx->officer_id), RA_INT(ctx->batch_id),
	    RA_INT(rc->row->line), RA_TEXT(rc->row->f[A_NAME]),
	    RA_TEXT(rc->row->f[A_AFFIL]), RA_TEXT(rc->row->f[A_MAIL]),
	    RA_TEXT(names), RA_INT(profile), RA_TEXT(kid),
	    RA_BYTES(hmac, sizeof(hmac))));
	OPENSSL_cleanse(hmac, sizeof(hmac));
	/* Refused by the function's own checks (a domain taken meanwhile). */
	if (er != RA_OK) {
		ra_upload_error(rc, E_OTHER, A_FQDNS, M_NO_STORE, "ACME利用申請",
		    "application");
		goto out;
	}
	if (ra_get_i64(res, 0, "acme_application_add", &app) != RA_OK) {
		rc->failed = RA_EDB;
		goto out;
	}
	if ((er = eab_mail(rc, app, names)) != RA_OK) {
		rc->failed = er;
		goto out;
	}
	snprintf(detail, sizeof(detail), "{\"application_id\": %lld, "
	    "\"batch_id\": %lld, \"fqdns\": %zu}", (long long)app,
	    (long long)ctx->batch_id, fq.n);
	memset(&ev, 0, sizeof(ev));
	ev.event = "acme.application";
	ev.outcome = "ok";
	ev.actor = ctx->actor;
	ev.institution_id = ctx->institution_id;
	ev.officer_id = ctx->officer_id;
	ev.source_ip = ctx->source_ip;
	ev.detail = detail;
	if ((er = ra_audit(ctx->db, &ev)) != RA_OK)
		rc->failed = er;
out:
	OPENSSL_cleanse(kid, sizeof(kid));
	PQclear(res);
}

const struct ra_upload_rules ra_upload_acme_rules = {
	"server", "acme.upload", &ra_tsv_acme, -1, -1,
	row_issue, NULL, NULL, "acme"
};
