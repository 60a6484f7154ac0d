/*
 * upload-server.c: the rules of a ① server certificate row (reference
 * §2.3, §5): the DN against the institution and the officer's domains,
 * the OU allow list, the CSR, the names; then the request, or the
 * revocation and its mail (M10).  The driver is upload.c.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/objects.h>

#include "ra.h"
#include "domain.h"
#include "upload.h"

static const char SQL_OU_OK[] =
    "SELECT 1 FROM ra.domain_ou o JOIN ra.domain d USING (domain_id)"
    " WHERE d.institution_id = $1::bigint AND o.ou = $2"
    "   AND (lower($3) = lower(d.name)"
    "        OR right(lower($3), length(d.name) + 1) = '.' || lower(d.name))";
static const char SQL_CN_ISSUED[] =
    "SELECT 1 FROM ra.certificate"
    " WHERE institution_id = $1::bigint AND kind = 'server'"
    "   AND lower(cn) = lower($2) LIMIT 1";
/* The two above for a whole file: the ordinals of the rows they refuse. */
static const char SQL_OUS_BAD[] =
    "SELECT u.i FROM ROWS FROM (pg_catalog.unnest($2::text[]),"
    "       pg_catalog.unnest($3::text[])) WITH ORDINALITY AS u(ou, cn, i)"
    " WHERE NOT EXISTS (SELECT 1 FROM ra.domain_ou o"
    "                     JOIN ra.domain d USING (domain_id)"
    "  WHERE d.institution_id = $1::bigint AND o.ou = u.ou"
    "    AND (lower(u.cn) = lower(d.name)"
    "         OR right(lower(u.cn), length(d.name) + 1)"
    "            = '.' || lower(d.name)))";
static const char SQL_CNS_ISSUED[] =
    "SELECT u.i FROM pg_catalog.unnest($2::text[]) WITH ORDINALITY"
    "       AS u(cn, i)"
    " WHERE EXISTS (SELECT 1 FROM ra.certificate"
    "  WHERE institution_id = $1::bigint AND kind = 'server'"
    "    AND lower(cn) = lower(u.cn))";

/* Column numbers in ra_tsv_server (reference §2.3.2). */
enum { C_DN = RA_FRAME_DN, C_SERIAL = RA_FRAME_SERIAL,
    C_FQDN = RA_FRAME_MAIL + 1, C_SOFTWARE, C_DNSNAME };

/*
 * "name" of column "col" a host name a certificate can carry (error
 * 237), said against that column and with what to change: a trailing
 * dot or a wildcard is no host under any domain, and "not under your
 * domains" would send the officer looking in the wrong place.
 */
static int
host_ok(struct ra_upload_row *rc, int col, const char *name)
{
	size_t	 n = strlen(name);

	if (n > 1 && name[n - 1] == '.' && name[n - 2] != '.') {
		ra_upload_error(rc, E_HOST, col, "%sの末尾に「.」があります。"
		    "末尾の「.」を除いてください。(%s ends in a dot: remove "
		    "the final dot.)", name, name);
		return 0;
	}
	if (strchr(name, '*') != NULL) {
		ra_upload_error(rc, E_HOST, col, "%sはワイルドカードです。"
		    "ワイルドカードのサーバ証明書は申請できません。ホスト名を"
		    "1つずつ指定してください。(%s is a wildcard: no wildcard "
		    "server certificates; name each host.)", name, name);
		return 0;
	}
	if (!ra_hostname_ok(name)) {
		ra_upload_error(rc, E_HOST, col, "%sはホスト名として正しくあり"
		    "ません（英数字と「-」のラベルを「.」でつないだ名前にして"
		    "ください）。(%s is not a host name: join labels of letters, "
		    "digits and \"-\" with dots.)", name, name);
		return 0;
	}
	return 1;
}

/* Every dNSName (comma or space separated) under the officer's domains. */
static int
dnsnames_ok(struct ra_upload_row *rc, const char *list)
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
		if (!host_ok(rc, C_DNSNAME, name))
			return 0;
		if (!ra_upload_officer_domain(rc->ctx, name)) {
			ra_upload_error(rc, E_DOMAIN, C_DNSNAME, M_DOMAIN, name,
			    name);
			return 0;
		}
	}
}

/* 371, said by the file's answers and row by row alike. */
static const char msg_ou_bad[] = M_OU_BAD;

/* Each OU on the allow list of the domain the CN lies under (error 371). */
static int
ous_ok(struct ra_upload_row *rc, const X509_NAME *name, const char *cn)
{
	X509_NAME_ENTRY	*ent;
	PGresult	*res;
	char		*ou;
	int		 i, ok;

	if (rc->b != NULL && rc->b->fast) {	/* asked for the file */
		if (!rc->b->pre[rc->i].ou_bad)
			return 1;
		ra_tsv_errorf(rc->e, E_OU, rc->row->line, rc->lbl, "%s",
		    msg_ou_bad);
		return 0;
	}
	for (i = 0; i < X509_NAME_entry_count(name); i++) {
		ent = X509_NAME_get_entry(name, i);
		if (OBJ_obj2nid(X509_NAME_ENTRY_get_object(ent)) !=
		    NID_organizationalUnitName ||
		    ASN1_STRING_to_UTF8((unsigned char **)&ou,
		    X509_NAME_ENTRY_get_data(ent)) < 0)
			continue;
		res = NULL;
		ok = ra_db_run1(rc->ctx->db, "OU allow list", SQL_OU_OK, &res,
		    RA_ARGS(RA_INT(rc->ctx->institution_id), RA_TEXT(ou),
		    RA_TEXT(cn))) == RA_OK;
		PQclear(res);
		OPENSSL_free(ou);
		if (!ok) {
			ra_tsv_errorf(rc->e, E_OU, rc->row->line, rc->lbl,
			    "%s", msg_ou_bad);
			return 0;
		}
	}
	return 1;
}

/*
 * Since 2022-07-26 no server certificate carries an OU (TLS BR 7.1.4.2;
 * reference §2.1): a row that still names one, on the allow list and
 * in its CSR alike, is issued without it, quietly, as UPKI does; the
 * worker's lint would refuse it otherwise.
 */
static void
ou_drop(X509_NAME *name)
{
	int	 i;

	for (i = X509_NAME_entry_count(name) - 1; i >= 0; i--)
		if (OBJ_obj2nid(X509_NAME_ENTRY_get_object(
		    X509_NAME_get_entry(name, i))) == NID_organizationalUnitName)
			X509_NAME_ENTRY_free(X509_NAME_delete_entry(name, i));
}

/*
 * The subject DN of an issue or renewal row, checked against the
 * institution; "*out" the name to certify (caller frees).  0 on an error.
 */
static int
dn_check(struct ra_upload_row *rc, X509_NAME **out, char **cn)
{
	const struct ra_upload_ctx	*ctx = rc->ctx;
	X509_NAME			*name = NULL;
	char				 why[512] = "";
	int				 ok = 0;

	*out = NULL;
	*cn = NULL;
	if (ra_dn_parse(rc->row->f[C_DN], &name, why, sizeof(why)) != RA_OK ||
	    !ra_upload_dn_order_ok(name)) {
		ra_upload_dn_error(rc, C_DN, why);
		goto out;
	}
	if (!ra_upload_value_is(name, NID_countryName, "JP")) {
		ra_upload_error(rc, E_C, C_DN, "%s", M_C_JP);
		goto out;
	}
	if (!ra_upload_value_is(name, NID_organizationName, ctx->name_en)) {
		ra_upload_error(rc, E_O, C_DN, M_O_NAME, ctx->name_en,
		    ctx->name_en);
		goto out;
	}
	if (!ra_upload_value_is(name, NID_stateOrProvinceName, ctx->st) ||
	    !ra_upload_value_is(name, NID_localityName, ctx->l)) {
		ra_upload_error(rc, E_STL, C_DN, M_STL, ctx->stl, ctx->stl);
		goto out;
	}
	if ((*cn = ra_dn_get(name, NID_commonName)) == NULL ||
	    strcasecmp(*cn, rc->row->f[C_FQDN]) != 0) {
		ra_upload_error(rc, E_CN_FQDN, C_FQDN, "%s", "FQDNが主体者DNの"
		    "CNと一致しません。同じ名前にしてください。(The FQDN is not "
		    "the CN of the subject DN: make them the same.)");
		goto out;
	}
	if (!host_ok(rc, C_FQDN, *cn))
		goto out;
	if (!ra_upload_officer_domain(ctx, *cn)) {
		ra_upload_error(rc, E_DOMAIN, C_FQDN, M_DOMAIN, *cn, *cn);
		goto out;
	}
	if (!dnsnames_ok(rc, rc->row->f[C_DNSNAME]) || !ous_ok(rc, name, *cn))
		goto out;
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

static const struct ra_upload_frame frame = {
	"server", "サーバ証明書", "server certificate", 1
};

/* Issue or renew one row: every rule, then the request. */
static void
row_issue(struct ra_upload_row *rc, enum ra_tsv_action action)
{
	struct ra_upload_ctx	*ctx = rc->ctx;
	struct ra_newreq	 rq;
	struct ra_profile	 prof;
	X509_NAME		*name = NULL;
	X509_REQ		*csr = NULL;
	PGresult		*res = NULL;
	char			*cn = NULL;
	int64_t			 old = 0;

	if (!dn_check(rc, &name, &cn))
		goto out;
	if (!ra_upload_frame_csr(rc, &frame, name, &prof, &csr))
		goto out;
	if (action == RA_TSV_ISSUE && rc->b != NULL && rc->b->fast) {
		if (rc->b->pre[rc->i].issued) {
			ra_tsv_errorf(rc->e, E_EXISTS, rc->row->line, rc->lbl, "%s",
			    M_EXISTS);
			goto out;
		}
	} else if (action == RA_TSV_ISSUE) {
		/* A database failure is the driver's to see: no rule broken. */
		if (ra_db_run(ctx->db, "issued CN", SQL_CN_ISSUED, &res,
		    RA_ARGS(RA_INT(ctx->institution_id), RA_TEXT(cn))) != RA_OK)
			goto out;
		if (PQntuples(res) > 0) {
			ra_tsv_errorf(rc->e, E_EXISTS, rc->row->line, rc->lbl, "%s",
			    M_EXISTS);
			goto out;
		}
	} else if (!ra_upload_frame_old(rc, &frame, cn, 1, &old))
		goto out;
	memset(&rq, 0, sizeof(rq));
	rq.san_dns = rc->row->f[C_DNSNAME];
	rq.software = rc->row->f[C_SOFTWARE];
	ou_drop(name);		/* after the CSR matched the row's DN */
	ra_upload_frame_request(rc, action, &prof, name, csr, old, &rq);
out:
	PQclear(res);
	ra_upload_csr_free(rc, csr);
	X509_NAME_free(name);
	free(cn);
}

/* Revoke one row, as every kind of the frame does. */
static void
row_revoke(struct ra_upload_row *rc)
{
	ra_upload_frame_revoke(rc, &frame);
}

/*
 * The CN and the OUs of each row's DN, as dn_check reads them, for the
 * file's two queries.
 */
static enum ra_err
names_add(const struct ra_tsv *t, size_t i, struct ra_pgarr *cns,
    size_t *cnrow, size_t *ncn, struct ra_pgarr *ous, struct ra_pgarr *oucns,
    size_t **ourow, size_t *nou, size_t *ouroom)
{
	X509_NAME_ENTRY	*ent;
	X509_NAME	*name = NULL;
	size_t		*p;
	char		 why[512] = "", *cn = NULL, *ou;
	int		 k, added;
	enum ra_err	 er = RA_OK;

	if (ra_dn_parse(t->rows[i].f[C_DN], &name, why, sizeof(why)) != RA_OK ||
	    (cn = ra_dn_get(name, NID_commonName)) == NULL)
		goto out;
	if (!ra_pgarr_add(cns, cn)) {
		er = RA_ENOMEM;
		goto out;
	}
	cnrow[(*ncn)++] = i;
	for (k = 0; k < X509_NAME_entry_count(name); k++) {
		ent = X509_NAME_get_entry(name, k);
		if (OBJ_obj2nid(X509_NAME_ENTRY_get_object(ent)) !=
		    NID_organizationalUnitName ||
		    ASN1_STRING_to_UTF8((unsigned char **)&ou,
		    X509_NAME_ENTRY_get_data(ent)) < 0)
			continue;
		if (*nou == *ouroom) {
			if ((p = reallocarray(*ourow, *ouroom * 2 + 16,
			    sizeof(*p))) == NULL) {
				OPENSSL_free(ou);
				er = RA_ENOMEM;
				goto out;
			}
			*ourow = p;
			*ouroom = *ouroom * 2 + 16;
		}
		added = ra_pgarr_add(ous, ou) && ra_pgarr_add(oucns, cn);
		OPENSSL_free(ou);
		if (!added) {
			er = RA_ENOMEM;
			goto out;
		}
		(*ourow)[(*nou)++] = i;
	}
out:
	X509_NAME_free(name);
	free(cn);
	return er;
}

/* An issue file's questions, each asked once (upload-batch.c). */
static enum ra_err
prefetch(struct ra_upload_ctx *ctx, const struct ra_tsv *t,
    struct ra_upload_batch *b)
{
	struct ra_pgarr	 cns, ous, oucns;
	const char	*a, *o, *c;
	size_t		*cnrow = NULL, *ourow = NULL, ncn = 0, nou = 0,
			 ouroom = 0, i;
	enum ra_err	 er;

	memset(&cns, 0, sizeof(cns));
	memset(&ous, 0, sizeof(ous));
	memset(&oucns, 0, sizeof(oucns));
	ra_upload_frame_prefetch(b);
	if (t->nrows > 0 &&
	    (cnrow = calloc(t->nrows, sizeof(*cnrow))) == NULL) {
		er = RA_ENOMEM;
		goto out;
	}
	for (i = 0; i < t->nrows; i++)
		if (t->rows[i].errors == 0 && (er = names_add(t, i, &cns, cnrow,
		    &ncn, &ous, &oucns, &ourow, &nou, &ouroom)) != RA_OK)
			goto out;
	if ((a = ra_pgarr_str(&cns)) == NULL || (o = ra_pgarr_str(&ous)) ==
	    NULL || (c = ra_pgarr_str(&oucns)) == NULL) {
		er = RA_ENOMEM;
		goto out;
	}
	if ((er = ra_upload_mark(ctx->db, "issued CNs", SQL_CNS_ISSUED,
	    RA_ARGS(RA_INT(ctx->institution_id), RA_TEXT(a)), cnrow, ncn, b,
	    RA_FACT_ISSUED)) != RA_OK)
		goto out;
	er = ra_upload_mark(ctx->db, "OU allow lists", SQL_OUS_BAD,
	    RA_ARGS(RA_INT(ctx->institution_id), RA_TEXT(o), RA_TEXT(c)), ourow,
	    nou, b, RA_FACT_OU_BAD);
out:
	ra_pgarr_free(&cns);
	ra_pgarr_free(&ous);
	ra_pgarr_free(&oucns);
	free(cnrow);
	free(ourow);
	return er;
}

const struct ra_upload_rules ra_upload_server_rules = {
	"server", "server.upload", &ra_tsv_server, C_FQDN, C_SERIAL,
	row_issue, row_revoke, NULL, NULL, prefetch
};
