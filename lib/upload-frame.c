/*
 * upload-frame.c: what the rows of the server frame (reference §2.3.2:
 * ① server, ⑪ code signing) share whatever they certify: the profile of
 * column 2 and the CSR of column 7 against the DN, the certificate a
 * renewal or revocation names in column 4, the request with the user
 * administrator of columns 8-10.  The kind's own rules (host names, OUs,
 * key protection) stay in upload-server.c and upload-codesign.c.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/objects.h>

#include "ra.h"
#include "domain.h"
#include "upload.h"

/*
 * Column 2 a live profile of the frame's kind, column 7 a CSR of the
 * DN "name": "*csr" the parsed request (the caller gives it back with
 * ra_upload_csr_free).  0 with the row's error.
 */
int
ra_upload_frame_csr(struct ra_upload_row *rc, const struct ra_upload_frame *fr,
    const X509_NAME *name, struct ra_profile *prof, X509_REQ **csr)
{
	const char	*const *f = rc->row->f;
	char		 why[512] = "";

	*csr = NULL;
	if (ra_upload_profile(rc, atoi(f[RA_FRAME_PROFILE]), prof) != RA_OK ||
	    strcmp(prof->kind, fr->kind) != 0 || !prof->active) {
		ra_upload_error(rc, E_PROFILE, RA_FRAME_PROFILE, M_PROFILE_OF,
		    f[RA_FRAME_PROFILE], fr->name_ja, f[RA_FRAME_PROFILE],
		    fr->name_en);
		return 0;
	}
	if (ra_upload_csr(rc, f[RA_FRAME_CSR], csr, why, sizeof(why)) !=
	    RA_OK) {
		ra_upload_error(rc, E_CSR, RA_FRAME_CSR, "CSRが正しくありません。"
		    "CSRを作り直してください。(The CSR is not valid: make it "
		    "again.) %s", why);
		return 0;
	}
	if (X509_NAME_cmp(X509_REQ_get_subject_name(*csr), name) != 0) {
		ra_upload_error(rc, E_CSR_DN, RA_FRAME_CSR, "%s", "CSRの主体者DNが"
		    "申請の主体者DNと一致しません。同じDNでCSRを作り直してください。"
		    "(The subject of the CSR is not the subject DN of column 1: "
		    "make the CSR again with that DN.)");
		ra_upload_csr_free(rc, *csr);
		*csr = NULL;
		return 0;
	}
	return 1;
}

/*
 * The certificate named in column 4: this institution's certificate of
 * the frame's kind, same CN, under the officer's domains if the kind
 * names hosts; to be renewed ("renew"), not renewed already nor with a
 * renewal pending.
 */
int
ra_upload_frame_old(struct ra_upload_row *rc, const struct ra_upload_frame *fr,
    const char *cn, int renew, int64_t *cert_id)
{
	struct ra_upload_old	 old;
	const char		*serial = rc->row->f[RA_FRAME_SERIAL];

	if (!ra_upload_old_cert(rc, RA_FRAME_SERIAL, &old))
		return 0;
	if (old.institution_id != rc->ctx->institution_id ||
	    strcmp(old.kind, fr->kind) != 0) {
		ra_upload_error(rc, E_OTHER, RA_FRAME_SERIAL, M_NOT_OURS, serial,
		    fr->name_ja, serial, fr->name_en);
		return 0;
	}
	if (cn == NULL || strcasecmp(old.cn, cn) != 0) {
		ra_upload_error(rc, E_SERIAL_DN, RA_FRAME_SERIAL, M_SERIAL_CN, serial,
		    serial);
		return 0;
	}
	/* An officer acts on the domains given to them, not the institution's. */
	if (fr->by_domain && !ra_upload_officer_domain(rc->ctx, cn)) {
		ra_upload_error(rc, E_DOMAIN, RA_FRAME_SERIAL, M_DOMAIN, cn, cn);
		return 0;
	}
	/*
	 * A revoked certificate is not renewed: an officer racing another's
	 * revocation, or a file made before it, gets 234, not a new twin.
	 */
	if (renew && old.revoked) {
		ra_upload_error(rc, E_REVOKED, RA_FRAME_SERIAL, M_REVOKED, serial,
		    serial);
		return 0;
	}
	/* Renew the newest: a second renewal would leave two live twins. */
	if (renew && old.renewed) {
		ra_upload_error(rc, E_RENEWED, RA_FRAME_SERIAL, M_RENEWED, serial,
		    serial);
		return 0;
	}
	*cert_id = old.cert_id;
	return 1;
}

/*
 * Queue the request of a checked row: "rq" holds what the kind adds
 * (host names, software, key protection); the rest comes from the frame.
 * The database's "only one" rules answer here as the row's 212 or 235.
 */
void
ra_upload_frame_request(struct ra_upload_row *rc, enum ra_tsv_action action,
    const struct ra_profile *prof, const X509_NAME *name, X509_REQ *csr,
    int64_t old, struct ra_newreq *rq)
{
	const struct ra_upload_ctx	*ctx = rc->ctx;
	const char			*const *f = rc->row->f;
	char				 why[512] = "";
	int64_t				 id;
	enum ra_err			 er;

	rq->institution_id = ctx->institution_id;
	rq->officer_id = ctx->officer_id;
	rq->batch_id = ctx->batch_id;
	rq->seq = rc->row->line;
	rq->profile_id = prof->id;
	rq->subject = name;
	rq->csr = (const unsigned char *)f[RA_FRAME_CSR];
	rq->csrlen = strlen(f[RA_FRAME_CSR]);
	rq->target_cert_id = old;
	rq->admin_name = f[RA_FRAME_ADMIN];
	rq->admin_mail = f[RA_FRAME_MAIL];
	rq->affiliation = f[RA_FRAME_AFFIL];
	rq->profile = prof;
	rq->csr_parsed = csr;
	rq->institution_checked = 1;	/* per file, by the caller */
	if (rc->b != NULL && rc->b->fast) {
		/* Asked for the file; held for its INSERT. */
		rq->key_checked = 1;
		rq->key_used = ra_upload_key_used(rc);
		if ((er = ra_request_defer(ctx->db, rq, &rc->b->bulk, why,
		    sizeof(why))) == RA_OK)
			rc->b->pre[rc->i].queued = 1;
	} else
		er = ra_request_add(ctx->db, rq, &id, why, sizeof(why));
	if (er == RA_EDUP && action == RA_TSV_ISSUE)
		ra_tsv_errorf(rc->e, E_EXISTS, rc->row->line, rc->lbl, "%s",
		    M_EXISTS);
	else if (er == RA_EDUP)
		ra_upload_error(rc, E_RENEWED, RA_FRAME_SERIAL, M_RENEWED,
		    f[RA_FRAME_SERIAL], f[RA_FRAME_SERIAL]);
	/* A database failure says no "why": the upload's error, not the row's. */
	else if (er != RA_OK && *why != '\0')
		ra_upload_error(rc, E_KEY, RA_FRAME_CSR, "%s", why);
	else if (er != RA_OK)
		rc->failed = er;
}

/* Revoke one row: the certificate is ours, the DN its, the reason fits. */
void
ra_upload_frame_revoke(struct ra_upload_row *rc,
    const struct ra_upload_frame *fr)
{
	X509_NAME	*name = NULL;
	char		 why[512] = "", *cn = NULL;
	int64_t		 old;

	if (ra_dn_parse(rc->row->f[RA_FRAME_DN], &name, why, sizeof(why)) !=
	    RA_OK || (cn = ra_dn_get(name, NID_commonName)) == NULL) {
		ra_upload_dn_error(rc, RA_FRAME_DN, why);
		goto out;
	}
	if (ra_upload_frame_old(rc, fr, cn, 0, &old))
		ra_upload_revoke(rc, RA_FRAME_SERIAL, RA_FRAME_REASON,
		    RA_FRAME_COMMENT, old);
out:
	X509_NAME_free(name);
	free(cn);
}

/*
 * For the rules' prefetch: the CSRs of column 7 are parsed and checked
 * once, and their keys looked up, a range of rows at a time (upload.c).
 */
void
ra_upload_frame_prefetch(struct ra_upload_batch *b)
{
	b->csr_col = RA_FRAME_CSR;
}
