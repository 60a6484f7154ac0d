/*
 * upload-admin.c: the rules of a ⑤ 利用管理者情報 更新 row (reference
 * §2.6, §6).  A row names a certificate by serial (column 2) and subject
 * DN (column 1) and gives its new user administrator (columns 3 to 5).
 * The certificate must be one the officer reaches as ① and ③ renew it:
 * of the institution, a server certificate under one of the officer's
 * domains, an S/MIME one whose mailbox is, any client one; issued, not
 * revoked (no mail will ever go out for it again) and not expired.  The
 * change is made by ra.admin_update (015-admin-update.sql), which checks
 * the same again, rewrites the request row every later mail reads, keeps
 * the old values in ra.admin_change and words the audit detail.  The
 * driver is upload.c.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/objects.h>

#include "ra.h"
#include "domain.h"
#include "upload.h"

/* Column numbers in ra_tsv_admin. */
enum { A_DN, A_SERIAL, A_NAME, A_AFFIL, A_MAIL };

static const char SQL_STATE[] =
    "SELECT c.not_after <= pg_catalog.now() AS expired,"
    "       EXISTS (SELECT 1 FROM ra.revocation v"
    "                WHERE v.cert_id = c.cert_id) AS revoked"
    "  FROM ra.certificate c WHERE c.cert_id = $1::bigint";
static const char SQL_UPDATE[] =
    "SELECT old_name, old_affiliation, old_mail, detail"
    "  FROM ra.admin_update($1::bigint, $2::bigint, $3::bigint, $4, $5, $6)";

/*
 * Whether the officer reaches certificate "old" (its error otherwise):
 * of the institution, of a kind with a user administrator, and for
 * server and S/MIME certificates under one of the officer's domains.
 */
static int
in_scope(struct ra_upload_row *rc, const struct ra_upload_old *old)
{
	const char	*serial = rc->row->f[A_SERIAL], *host, *at;

	if (old->institution_id != rc->ctx->institution_id) {
		ra_upload_error(rc, E_OTHER, A_SERIAL, M_NOT_OURS, serial, "証明書",
		    serial, "certificate");
		return 0;
	}
	/* A person's CN, or no domain at all: the institution is the scope. */
	if (strcmp(old->kind, "client") == 0 ||
	    strcmp(old->kind, "code_signing") == 0)
		return 1;
	if (strcmp(old->kind, "server") == 0)
		host = old->cn;
	else if (strcmp(old->kind, "smime") == 0)
		host = (at = strchr(old->cn, '@')) != NULL ? at + 1 : "";
	else {
		ra_upload_error(rc, E_ADMIN_KIND, A_SERIAL, "%sは利用管理者の"
		    "いる証明書（サーバ・クライアント・S/MIME・コード署名）では"
		    "ありません。(Certificate %s has no user administrator: only "
		    "server, client, S/MIME and code signing certificates do.)",
		    serial, serial);
		return 0;
	}
	if (!ra_upload_officer_domain(rc->ctx, host)) {
		ra_upload_error(rc, E_DOMAIN, A_SERIAL, M_DOMAIN, host, host);
		return 0;
	}
	return 1;
}

/*
 * Column 1 names the certificate's subject: the same CN as a renewal
 * asks (①), and the whole DN the same name too (X509_NAME_cmp, which
 * compares canonical forms: case and spacing of values aside), since
 * here the DN is half of the key and nothing else is checked.
 */
static int
dn_matches(struct ra_upload_row *rc, const struct ra_upload_old *old)
{
	X509_NAME	*given = NULL, *was = NULL;
	char		 why[512] = "", *cn = NULL;
	int		 ok = 0;

	if (ra_dn_parse(rc->row->f[A_DN], &given, why, sizeof(why)) != RA_OK ||
	    (cn = ra_dn_get(given, NID_commonName)) == NULL) {
		ra_upload_dn_error(rc, A_DN, why);
		goto out;
	}
	if (strcasecmp(cn, old->cn) != 0 || ra_dn_parse(old->subject_dn, &was,
	    why, sizeof(why)) != RA_OK || X509_NAME_cmp(given, was) != 0) {
		ra_upload_error(rc, E_ADMIN_DN, A_DN, "%sの証明書の主体者DNが"
		    "一致しません。(The subject DN is not that of certificate "
		    "%s.)", rc->row->f[A_SERIAL], rc->row->f[A_SERIAL]);
		goto out;
	}
	ok = 1;
out:
	X509_NAME_free(given);
	X509_NAME_free(was);
	free(cn);
	return ok;
}

/* Live: neither revoked nor expired (its error otherwise). */
static int
live(struct ra_upload_row *rc, int64_t cert_id)
{
	PGresult	*res = NULL;
	int		 expired = 1, revoked = 1, ok = 0;

	if (ra_db_run1(rc->ctx->db, "certificate state", SQL_STATE, &res,
	    RA_ARGS(RA_INT(cert_id))) != RA_OK ||
	    ra_get_bool(res, 0, "expired", &expired) != RA_OK ||
	    ra_get_bool(res, 0, "revoked", &revoked) != RA_OK)
		ra_upload_error(rc, E_SERIAL, A_SERIAL, M_UNREADABLE,
		    rc->row->f[A_SERIAL], rc->row->f[A_SERIAL]);
	else if (revoked)
		ra_upload_error(rc, E_REVOKED, A_SERIAL, M_REVOKED,
		    rc->row->f[A_SERIAL], rc->row->f[A_SERIAL]);
	else if (expired)
		ra_upload_error(rc, E_ADMIN_EXPIRED, A_SERIAL, "%sの証明書は有効"
		    "期限が切れています。(Certificate %s has expired.)",
		    rc->row->f[A_SERIAL], rc->row->f[A_SERIAL]);
	else
		ok = 1;
	PQclear(res);
	return ok;
}

/*
 * The driver refuses a serial written twice the same way; the database
 * reads it as a number, so "0123" is "123" too: refused as well.
 */
static int
serial_once(struct ra_upload_row *rc)
{
	const char	*s = rc->row->f[A_SERIAL], *o;
	size_t		 k;

	for (k = 0; k < rc->i; k++) {
		o = rc->t->rows[k].f[A_SERIAL];
		if (strcmp(o + strspn(o, "0"), s + strspn(s, "0")) == 0) {
			ra_upload_error(rc, E_DUP, A_SERIAL, M_DUP_FILE_AT, s,
			    rc->t->rows[k].line, s, rc->t->rows[k].line);
			return 0;
		}
	}
	return 1;
}

/* Change one certificate's user administrator, and audit old and new. */
static void
row_update(struct ra_upload_row *rc)
{
	struct ra_upload_ctx	*ctx = rc->ctx;
	struct ra_upload_old	 old;
	struct ra_event		 ev;
	PGresult		*res = NULL;

	if (!serial_once(rc) || !ra_upload_old_cert(rc, A_SERIAL, &old) ||
	    !in_scope(rc, &old) ||
	    !dn_matches(rc, &old) || !live(rc, old.cert_id))
		goto out;
	/*
	 * The function refuses what the checks above let through only if
	 * the certificate changed meanwhile (revoked by a concurrent upload):
	 * the row's error.  A lost connection fails the driver's next
	 * savepoint command, so it is not mistaken for a rule.
	 */
	if (ra_db_run1(ctx->db, "admin update", SQL_UPDATE, &res,
	    RA_ARGS(RA_INT(ctx->officer_id), RA_INT(old.cert_id),
	    RA_INT(ctx->batch_id), RA_TEXT(rc->row->f[A_NAME]),
	    RA_TEXT(rc->row->f[A_AFFIL]), RA_TEXT(rc->row->f[A_MAIL]))) !=
	    RA_OK) {
		ra_upload_error(rc, E_OTHER, A_SERIAL, "%sの証明書の利用管理者情報"
		    "を更新できません。もう一度アップロードしてください。(The user "
		    "administrator of certificate %s could not be updated: upload "
		    "the file again.)", rc->row->f[A_SERIAL], rc->row->f[A_SERIAL]);
		goto out;
	}
	memset(&ev, 0, sizeof(ev));
	ev.event = "admin.update";
	ev.outcome = "ok";
	ev.institution_id = ctx->institution_id;
	ev.officer_id = ctx->officer_id;
	ev.source_ip = ctx->source_ip;
	ev.detail = ra_get_text(res, 0, "detail");
	if (ra_audit(ctx->db, &ev) != RA_OK)
		ra_upload_error(rc, E_OTHER, A_SERIAL, "%s", "変更を監査記録に"
		    "残せません。もう一度アップロードしてください。(The change "
		    "could not be audited: upload the file again.)");
out:
	PQclear(res);
}

const struct ra_upload_rules ra_upload_admin_rules = {
	"", "admin.upload", &ra_tsv_admin, A_SERIAL, -1,
	NULL, NULL, row_update
};
