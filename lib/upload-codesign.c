/*
 * upload-codesign.c: the rules of a ⑪ code-signing certificate row
 * (reference §1.5, §2.5, §10.5; CSBR v3.10.0).  The server frame without
 * host names: the DN against the institution (C, ST, L, O; CN; no OU),
 * a CSR whose key is RSA >= 3072 or P-256/P-384 (never a server-made
 * key), and the statement of how the key is protected (column 12, a
 * code of ra.key_protection).  A code-signing certificate names no host,
 * so an officer acts on those of the whole institution.  The driver is
 * upload.c; desk.cgi codesign-add runs the same rules (codesign.c).
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/objects.h>

#include "ra.h"
#include "domain.h"
#include "upload.h"

/* Our codes for the rules code signing adds (reference §5.1 has none). */
enum {
	E_KEY_PROTECTION = 260,	/* not a declared key-protection statement */
	E_CS_OU			/* an OU in a code-signing DN */
};

/* Column numbers in ra_tsv_codesign. */
enum { C_DN, C_PROFILE, C_3, C_SERIAL, C_REASON, C_COMMENT, C_CSR,
    C_ADMIN, C_AFFIL, C_MAIL, C_FQDN, C_KEY_PROTECTION, C_DNSNAME };

/* 212: the CN of this institution issued before, or on its way. */
static const char SQL_CN_ISSUED[] =
    "SELECT 1 FROM ra.request"
    " WHERE institution_id = $1::bigint AND kind = 'code_signing'"
    "   AND action = 'issue' AND lower(cn) = lower($2)"
    "   AND state IN ('queued', 'done') LIMIT 1";
static const char SQL_KEY_PROTECTION[] =
    "SELECT 1 FROM ra.key_protection WHERE code = $1 AND active";

/* The CN's characters: ra.dn_text (schema/001), at most 64. */
static const char cn_chars[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
    " '(),./:=-";

/*
 * The subject DN of an issue or renewal row, checked against the
 * institution; "*out" the name to certify and "*cn" its CN (the caller
 * frees both).  0 with the row's error.
 */
static int
dn_check(struct ra_upload_row *rc, X509_NAME **out, char **cn)
{
	const struct ra_upload_ctx	*ctx = rc->ctx;
	X509_NAME			*name = NULL;
	char				 why[256];
	int				 ok = 0;

	*out = NULL;
	*cn = NULL;
	if (ra_dn_parse(rc->row->f[C_DN], &name, why, sizeof(why)) != RA_OK ||
	    !ra_upload_dn_order_ok(name)) {
		ra_upload_error(rc, E_DN, C_DN, "%sがDN情報のフォーマットに準じて"
		    "いません。", rc->lbl);
		goto out;
	}
	if (X509_NAME_get_index_by_NID(name, NID_organizationalUnitName, -1) >=
	    0) {
		ra_upload_error(rc, E_CS_OU, C_DN, "コード署名用証明書の%sにOUは"
		    "指定できません。", rc->lbl);
		goto out;
	}
	if (!ra_upload_value_is(name, NID_countryName, "JP")) {
		ra_upload_error(rc, E_C, C_DN, "Cは%sでなければなりません。",
		    "JP");
		goto out;
	}
	if (!ra_upload_value_is(name, NID_organizationName, ctx->name_en)) {
		ra_upload_error(rc, E_O, C_DN, "Oは機関の英語名（%s）でなければ"
		    "なりません。", ctx->name_en);
		goto out;
	}
	if (!ra_upload_value_is(name, NID_stateOrProvinceName, ctx->st) ||
	    !ra_upload_value_is(name, NID_localityName, ctx->l)) {
		ra_upload_error(rc, E_STL, C_DN, "STとLは機関に登録された値で"
		    "なければなりません（%s）。", ctx->stl);
		goto out;
	}
	if ((*cn = ra_dn_get(name, NID_commonName)) == NULL || **cn == '\0' ||
	    strlen(*cn) > 64 || strspn(*cn, cn_chars) != strlen(*cn)) {
		ra_upload_error(rc, E_DN, C_DN, "%sのCNは半角英数字と %s の"
		    "64文字以内でなければなりません。", rc->lbl, "'(),./:=-");
		goto out;
	}
	/*
	 * Names compare as X509_NAME_cmp does, spaces folded: "A B ", " A B"
	 * and "A  B" are A B's name again, yet lower(cn) tells them apart, so
	 * one CN could be issued thrice (212, request_cn_codesign_once).
	 */
	if (**cn == ' ' || (*cn)[strlen(*cn) - 1] == ' ' ||
	    strstr(*cn, "  ") != NULL) {
		ra_upload_error(rc, E_DN, C_DN, "%sのCNの先頭・末尾に空白、または"
		    "連続した空白があります。", rc->lbl);
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
 * The certificate named in column 4: this institution's code-signing
 * certificate, same CN; to be renewed, not renewed already nor with a
 * renewal pending.  No domain: a code-signing certificate names none.
 */
static int
old_cert(struct ra_upload_row *rc, const char *cn, int renew, int64_t *cert_id)
{
	struct ra_upload_old	 old;

	if (!ra_upload_old_cert(rc, C_SERIAL, &old))
		return 0;
	if (old.institution_id != rc->ctx->institution_id ||
	    strcmp(old.kind, "code_signing") != 0) {
		ra_upload_error(rc, E_OTHER, C_SERIAL, "%sは自機関のコード署名用"
		    "証明書ではありません。", rc->row->f[C_SERIAL]);
		return 0;
	}
	if (cn == NULL || strcasecmp(old.cn, cn) != 0) {
		ra_upload_error(rc, E_SERIAL_DN, C_SERIAL, "%sの証明書の主体者DN"
		    "(CN)が一致しません。", rc->row->f[C_SERIAL]);
		return 0;
	}
	if (renew && old.renewed) {
		ra_upload_error(rc, E_RENEWED, C_SERIAL, "%sの証明書はすでに更新"
		    "されています。", rc->row->f[C_SERIAL]);
		return 0;
	}
	*cert_id = old.cert_id;
	return 1;
}

/* Column 12 names a declared statement (ra.key_protection). */
static int
key_protection_ok(struct ra_upload_row *rc)
{
	PGresult	*res = NULL;
	enum ra_err	 er;

	er = ra_db_run1(rc->ctx->db, "key protection", SQL_KEY_PROTECTION,
	    &res, RA_ARGS(RA_TEXT(rc->row->f[C_KEY_PROTECTION])));
	PQclear(res);
	if (er == RA_ENOTFOUND)
		ra_upload_error(rc, E_KEY_PROTECTION, C_KEY_PROTECTION, "%sは"
		    "登録された鍵保護方式ではありません（man codesign.cgi）。",
		    rc->row->f[C_KEY_PROTECTION]);
	return er == RA_OK;
}

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
	char			 why[256], *cn = NULL;
	int64_t			 id, old = 0;
	enum ra_err		 er;

	if (!dn_check(rc, &name, &cn))
		goto out;
	if (ra_profile_load(ctx->db, atoi(rc->row->f[C_PROFILE]), &prof) !=
	    RA_OK || strcmp(prof.kind, "code_signing") != 0 || !prof.active) {
		ra_upload_error(rc, E_PROFILE, C_PROFILE, "%sはコード署名用証明書"
		    "のプロファイルではありません。", rc->row->f[C_PROFILE]);
		goto out;
	}
	if (ra_csr_parse((const unsigned char *)rc->row->f[C_CSR],
	    strlen(rc->row->f[C_CSR]), &csr, why, sizeof(why)) != RA_OK) {
		ra_upload_error(rc, E_CSR, C_CSR, "CSRが正しくありません（%s）。",
		    why);
		goto out;
	}
	if (X509_NAME_cmp(X509_REQ_get_subject_name(csr), name) != 0) {
		ra_upload_error(rc, E_CSR_DN, C_CSR, "%sの主体者DNが申請の主体者DN"
		    "と一致しません。", "CSR");
		goto out;
	}
	/* Said here in the row's words; request.c checks it again. */
	if (ra_profile_check_key(&prof, X509_REQ_get0_pubkey(csr), why,
	    sizeof(why)) != RA_OK) {
		ra_upload_error(rc, E_KEY, C_CSR, "CSRの鍵はRSA 3072/4096ビット"
		    "またはECDSA P-256/P-384でなければなりません（%s）。", why);
		goto out;
	}
	if (!key_protection_ok(rc))
		goto out;
	if (action == RA_TSV_ISSUE) {
		/* A database failure is the driver's to see: no rule broken. */
		if (ra_db_run(ctx->db, "issued CN", SQL_CN_ISSUED, &res,
		    RA_ARGS(RA_INT(ctx->institution_id), RA_TEXT(cn))) != RA_OK)
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
	rq.csr = (const unsigned char *)rc->row->f[C_CSR];
	rq.csrlen = strlen(rc->row->f[C_CSR]);
	rq.target_cert_id = old;
	rq.admin_name = rc->row->f[C_ADMIN];
	rq.admin_mail = rc->row->f[C_MAIL];
	rq.affiliation = rc->row->f[C_AFFIL];
	rq.key_protection = rc->row->f[C_KEY_PROTECTION];
	rq.profile = &prof;
	rq.csr_parsed = csr;
	rq.institution_checked = 1;	/* per file, by the caller */
	er = ra_request_add(ctx->db, &rq, &id, why, sizeof(why));
	if (er == RA_EDUP && action == RA_TSV_ISSUE)
		ra_tsv_errorf(rc->e, E_EXISTS, rc->row->line, rc->lbl,
		    "指定したDNはすでに存在しています。");
	else if (er == RA_EDUP)
		ra_upload_error(rc, E_RENEWED, C_SERIAL, "%sの証明書はすでに更新"
		    "されています。", rc->row->f[C_SERIAL]);
	else if (er != RA_OK)
		ra_upload_error(rc, E_KEY, C_CSR, "%s", why);
out:
	PQclear(res);
	X509_REQ_free(csr);
	X509_NAME_free(name);
	free(cn);
}

/* Revoke one row: the certificate is ours, the DN its, the reason fits. */
static void
row_revoke(struct ra_upload_row *rc)
{
	X509_NAME	*name = NULL;
	char		 why[256], *cn = NULL;
	int64_t		 old;

	if (ra_dn_parse(rc->row->f[C_DN], &name, why, sizeof(why)) != RA_OK ||
	    (cn = ra_dn_get(name, NID_commonName)) == NULL) {
		ra_upload_error(rc, E_DN, C_DN, "%sがDN情報のフォーマットに準じて"
		    "いません。", rc->lbl);
		goto out;
	}
	if (old_cert(rc, cn, 0, &old))
		ra_upload_revoke(rc, C_SERIAL, C_REASON, C_COMMENT, old);
out:
	X509_NAME_free(name);
	free(cn);
}

/* A CN once per file (issue, renew), a serial once (revoke). */
const struct ra_upload_rules ra_upload_codesign_rules = {
	"code_signing", "codesign.upload", &ra_tsv_codesign, C_DN, C_SERIAL,
	row_issue, row_revoke, NULL
};
