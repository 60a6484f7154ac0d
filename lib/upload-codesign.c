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
enum { C_DN = RA_FRAME_DN, C_SERIAL = RA_FRAME_SERIAL, C_CSR = RA_FRAME_CSR,
    C_FQDN = RA_FRAME_MAIL + 1, C_KEY_PROTECTION, C_DNSNAME };

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
	char				 why[512] = "";
	int				 ok = 0;

	*out = NULL;
	*cn = NULL;
	if (ra_dn_parse(rc->row->f[C_DN], &name, why, sizeof(why)) != RA_OK ||
	    !ra_upload_dn_order_ok(name)) {
		ra_upload_dn_error(rc, C_DN, why);
		goto out;
	}
	if (X509_NAME_get_index_by_NID(name, NID_organizationalUnitName, -1) >=
	    0) {
		ra_upload_error(rc, E_CS_OU, C_DN, "コード署名用証明書の%sにOUは"
		    "指定できません。OUを除いてください。(A code signing "
		    "certificate's subject DN has no OU: remove it.)", rc->lbl);
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
	if ((*cn = ra_dn_get(name, NID_commonName)) == NULL || **cn == '\0' ||
	    strlen(*cn) > 64 || strspn(*cn, cn_chars) != strlen(*cn)) {
		ra_upload_error(rc, E_DN, C_DN, "%sのCNは半角英数字と %s の"
		    "64文字以内でなければなりません。(The CN must be at most 64 "
		    "half-width letters, digits and %s.)", rc->lbl, "'(),./:=-",
		    "'(),./:=-");
		goto out;
	}
	/* request_cn_codesign_once compares lower(cn): one spelling a name. */
	if (!ra_upload_spaces_ok(name)) {
		ra_upload_error(rc, E_DN, C_DN, "%sのCNの先頭・末尾に空白、または"
		    "連続した空白があります。空白を取り除いてください。(The CN "
		    "starts or ends with a space, or holds two spaces in a row: "
		    "remove them.)", rc->lbl);
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
		    "登録された鍵保護方式ではありません（man codesign.cgi）。"
		    "(%s is not a registered key protection code; see man "
		    "codesign.cgi.)", rc->row->f[C_KEY_PROTECTION],
		    rc->row->f[C_KEY_PROTECTION]);
	return er == RA_OK;
}

static const struct ra_upload_frame frame = {
	"code_signing", "コード署名用証明書", "code signing certificate", 0
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
	char			 why[512] = "", *cn = NULL;
	int64_t			 old = 0;

	if (!dn_check(rc, &name, &cn))
		goto out;
	if (!ra_upload_frame_csr(rc, &frame, name, &prof, &csr))
		goto out;
	/* Said before the key protection; request.c checks it again.  The
	 * profile's words name the algorithms it takes (profile.c). */
	if (ra_profile_check_key(&prof, X509_REQ_get0_pubkey(csr), why,
	    sizeof(why)) != RA_OK) {
		ra_upload_error(rc, E_KEY, C_CSR, "%s", why);
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
			ra_tsv_errorf(rc->e, E_EXISTS, rc->row->line, rc->lbl, "%s",
			    M_EXISTS);
			goto out;
		}
	} else if (!ra_upload_frame_old(rc, &frame, cn, 1, &old))
		goto out;
	memset(&rq, 0, sizeof(rq));
	rq.key_protection = rc->row->f[C_KEY_PROTECTION];
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

/* A CN once per file (issue, renew), a serial once (revoke). */
const struct ra_upload_rules ra_upload_codesign_rules = {
	"code_signing", "codesign.upload", &ra_tsv_codesign, C_DN, C_SERIAL,
	row_issue, row_revoke, NULL
};
