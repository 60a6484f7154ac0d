/*
 * export.c: the certificate-information downloads, ② (serverAll.tsv,
 * the server certificates under the officer's domains) and ④
 * (clientAll.tsv, the institution's client and S/MIME certificates).
 * Integrators read both files by column position (reference §10.1): one
 * 46-column layout, a header row, Shift_JIS (CP932), CRLF.  A column ra
 * has no value for stays empty but keeps its place, so every line has
 * 45 TABs whatever is known.  The labels, the statement and the row
 * writer below serve both files; rows come from a cursor a batch at a
 * time, so memory stays flat whatever the count.
 */
#include <errno.h>
#include <iconv.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "ra.h"
#include "domain.h"

/* What fills a column. */
enum col_how {
	COL_EMPTY = 0,	/* nothing in ra means this: empty, place kept */
	COL_TEXT,	/* the statement's text column "sql" */
	COL_PEM,	/* bytea column "sql" as PEM "pem", on one line */
	COL_SHA256,	/* SHA-256 of bytea column "sql", AB:CD:... */
};

struct export_col {
	const char	*label;		/* the header, as integrators match it */
	enum col_how	 how;
	const char	*sql;		/* the statement's column */
	const char	*pem;		/* COL_PEM: the PEM type */
};

#define EXPORT_NCOLS	46
#define COL(n)		[(n) - 1]	/* positions as §10.1 numbers them */

/*
 * The one list of columns, in file order.  Labels are §10.1's without
 * the ✓ marks and the parenthesised explanations; only five are
 * confirmed byte for byte by a second source (1, 4, 6, 12, 24), so a
 * correction is made here and nowhere else.
 */
static const struct export_col export_cols[EXPORT_NCOLS] = {
	COL(1)	= { "発行・更新申請-申請ID", COL_TEXT, "request_id", NULL },
	COL(2)	= { "発行・更新申請-操作ID", COL_EMPTY, NULL, NULL },
	COL(3)	= { "ignoreInvalidRecordフラグ", COL_TEXT, "ignore_invalid",
		    NULL },
	COL(4)	= { "主体者DN", COL_TEXT, "subject_dn", NULL },
	COL(5)	= { "ドメインID", COL_TEXT, "domain_id", NULL },
	COL(6)	= { "発行・更新申請-日時", COL_TEXT, "requested_at", NULL },
	COL(7)	= { "発行・更新申請-処理完了日時", COL_TEXT, "done_at", NULL },
	COL(8)	= { "発行・更新申請-登録担当者ID", COL_TEXT, "officer_id",
		    NULL },
	COL(9)	= { "申請種別", COL_TEXT, "request_type", NULL },
	COL(10)	= { "業務モデル", COL_TEXT, "kind", NULL },
	COL(11)	= { "証明書プロファイルID", COL_TEXT, "profile_id", NULL },
	COL(12)	= { "状態", COL_TEXT, "state", NULL },
	COL(13)	= { "利用管理者氏名", COL_TEXT, "holder_name", NULL },
	COL(14)	= { "利用管理者所属", COL_TEXT, "holder_affiliation", NULL },
	COL(15)	= { "利用管理者mail", COL_TEXT, "holder_mail", NULL },
	COL(16)	= { "利用管理者FQDN", COL_TEXT, "fqdn", NULL },
	COL(17)	= { "利用管理者ソフトウェア名・バージョン", COL_TEXT, "software",
		    NULL },
	COL(18)	= { "CSR", COL_PEM, "csr_der", "CERTIFICATE REQUEST" },
	COL(19)	= { "dNSName", COL_TEXT, "dns_names", NULL },
	COL(20)	= { "発行・更新申請-確認項目フラグ", COL_EMPTY, NULL, NULL },
	COL(21)	= { "発行・更新申請-トランザクションID", COL_EMPTY, NULL, NULL },
	COL(22)	= { "発行・更新申請-認証局連携APIエラーコード", COL_EMPTY, NULL,
		    NULL },
	COL(23)	= { "発行・更新申請-証明書", COL_PEM, "der", "CERTIFICATE" },
	COL(24)	= { "発行・更新申請-シリアル番号", COL_TEXT, "serial", NULL },
	COL(25)	= { "発行・更新申請-FingerPrint", COL_SHA256, "der", NULL },
	COL(26)	= { "発行・更新申請-証明書有効開始", COL_TEXT, "not_before",
		    NULL },
	COL(27)	= { "発行・更新申請-証明書有効期限", COL_TEXT, "not_after",
		    NULL },
	COL(28)	= { "URL期限", COL_TEXT, "url_expires", NULL },
	/* A secret, and ra keeps only its hash: never written. */
	COL(29)	= { "アクセスPIN", COL_EMPTY, NULL, NULL },
	COL(30)	= { "その他送信先アドレス", COL_EMPTY, NULL, NULL },
	COL(31)	= { "その他送信先アドレス2", COL_EMPTY, NULL, NULL },
	COL(32)	= { "失効申請-申請ID", COL_TEXT, "revoke_request_id", NULL },
	COL(33)	= { "失効申請-操作ID", COL_EMPTY, NULL, NULL },
	COL(34)	= { "失効申請-日時", COL_TEXT, "revoke_requested_at", NULL },
	COL(35)	= { "失効申請-処理完了日時", COL_TEXT, "revoked_at", NULL },
	COL(36)	= { "失効申請-登録担当者ID", COL_TEXT, "revoke_officer_id",
		    NULL },
	COL(37)	= { "失効申請-失効理由コード", COL_TEXT, "revoke_reason", NULL },
	COL(38)	= { "失効申請-失効理由コメント", COL_TEXT, "revoke_comment",
		    NULL },
	COL(39)	= { "失効申請-確認項目フラグ", COL_EMPTY, NULL, NULL },
	COL(40)	= { "失効申請-トランザクションID", COL_EMPTY, NULL, NULL },
	COL(41)	= { "失効申請-認証局連携APIエラーコード", COL_EMPTY, NULL, NULL },
	COL(42)	= { "失効申請-利用管理者mail", COL_TEXT, "revoke_admin_mail",
		    NULL },
	COL(43)	= { "旧証明書シリアル番号", COL_TEXT, "old_serial", NULL },
	COL(44)	= { "証明書リプレース依頼メール送信フラグ", COL_TEXT, "reminded",
		    NULL },
	COL(45)	= { "ダウンロード方法", COL_TEXT, "download_method", NULL },
	COL(46)	= { "最終更新日", COL_TEXT, "changed_at", NULL },
};
/* A missing last entry refuses to compile; a hole fails put_header. */
_Static_assert(RA_NITEMS(export_cols) == EXPORT_NCOLS,
    "export_cols[] is not 46 columns");

/* Which certificates each file lists, as the statement's parameters. */
static const struct export_kind {
	const char	*kinds;		/* text[]: the certificate kinds */
	const char	*by_domain;	/* "true": only under the officer's domains */
} export_kinds[RA_EXPORT__MAX] = {
	[RA_EXPORT_SERVER] = { "{server}", "true" },
	/* Client CNs are people, not host names: the institution is the scope. */
	[RA_EXPORT_CLIENT] = { "{client,smime}", "false" },
};
_Static_assert(RA_NITEMS(export_kinds) == RA_EXPORT__MAX,
    "export_kinds[] out of sync with enum ra_export_kind");

/*
 * One statement for both files.  Every column is text but the two DERs
 * (the FETCH is binary, so they arrive as bytes).  Times are JST without
 * a zone, as integrators parse them.  The joins that may miss are all
 * by a key or a unique index (013-export.sql adds the URL ones), so each
 * row costs a few index probes whatever the tables hold.
 *
 *   $1 institution, $2 officer, $3 scoped by the officer's domains,
 *   $4 the kinds listed.
 */
static const char SQL_CURSOR[] =
    "DECLARE ra_export NO SCROLL CURSOR FOR"
    " SELECT r.request_id::text AS request_id,"
    "        CASE b.error_mode WHEN 'abort' THEN '0' WHEN 'partial' THEN '1'"
    "        END AS ignore_invalid,"
    "        c.subject_dn, dom.domain_id::text AS domain_id,"
    "        pg_catalog.to_char(r.created_at AT TIME ZONE 'Asia/Tokyo',"
    "          'YYYY-MM-DD HH24:MI:SS') AS requested_at,"
    "        pg_catalog.to_char(r.done_at AT TIME ZONE 'Asia/Tokyo',"
    "          'YYYY-MM-DD HH24:MI:SS') AS done_at,"
    "        r.officer_id::text AS officer_id,"
    "        CASE r.action WHEN 'issue' THEN '1' WHEN 'renew' THEN '2'"
    "        END AS request_type,"
    "        c.kind, c.profile_id::text AS profile_id,"
    "        CASE WHEN v.cert_id IS NOT NULL THEN '7'"
    "             WHEN c.superseded_by IS NOT NULL THEN '6'"
    "             WHEN c.retrieved_at IS NULL THEN '4'"
    "             ELSE '5' END AS state,"
    /* Server rows name the user administrator, the others the user. */
    "        CASE WHEN c.kind = 'server' THEN r.admin_name"
    "             ELSE r.user_name END AS holder_name,"
    "        CASE WHEN c.kind = 'server' THEN r.attrs->>'affiliation'"
    "             ELSE r.attrs->>'user_affiliation' END AS holder_affiliation,"
    "        CASE WHEN c.kind = 'server' THEN r.admin_mail::text"
    "             ELSE r.user_mail::text END AS holder_mail,"
    "        CASE WHEN c.kind = 'server' THEN c.cn END AS fqdn,"
    "        r.attrs->>'software' AS software, r.csr_der,"
    /* san_dns is lower case, the CN first (request.c): the rest. */
    "        pg_catalog.array_to_string(pg_catalog.array_remove(r.san_dns,"
    "          pg_catalog.lower(c.cn)), ' ') AS dns_names,"
    "        c.der, c.serial::text AS serial,"
    "        pg_catalog.to_char(c.not_before AT TIME ZONE 'Asia/Tokyo',"
    "          'YYYY-MM-DD HH24:MI:SS') AS not_before,"
    "        pg_catalog.to_char(c.not_after AT TIME ZONE 'Asia/Tokyo',"
    "          'YYYY-MM-DD HH24:MI:SS') AS not_after,"
    /* The retrieval URL: the user administrator's, or the user's P12. */
    "        pg_catalog.to_char(CASE WHEN c.kind = 'server' THEN"
    "          (SELECT pg_catalog.max(t.expires_at) FROM ra.access_token t"
    "            WHERE t.purpose = 'cert_download' AND t.cert_id = c.cert_id)"
    "          ELSE"
    "          (SELECT pg_catalog.max(t.expires_at) FROM ra.access_token t"
    "            WHERE t.purpose = 'p12_download'"
    "              AND t.request_id = c.request_id) END"
    "          AT TIME ZONE 'Asia/Tokyo', 'YYYY-MM-DD HH24:MI:SS')"
    "          AS url_expires,"
    "        v.request_id::text AS revoke_request_id,"
    "        pg_catalog.to_char(coalesce(vr.created_at, v.revoked_at)"
    "          AT TIME ZONE 'Asia/Tokyo', 'YYYY-MM-DD HH24:MI:SS')"
    "          AS revoke_requested_at,"
    "        pg_catalog.to_char(v.revoked_at AT TIME ZONE 'Asia/Tokyo',"
    "          'YYYY-MM-DD HH24:MI:SS') AS revoked_at,"
    "        v.officer_id::text AS revoke_officer_id,"
    "        v.reason::text AS revoke_reason, v.comment AS revoke_comment,"
    "        vr.admin_mail::text AS revoke_admin_mail,"
    "        old.serial::text AS old_serial,"
    /* M9 (remind.c) marks the renewal that replaced this certificate. */
    "        CASE WHEN n.attrs ? 'reminded' THEN '1' END AS reminded,"
    "        r.download_method::text AS download_method,"
    "        pg_catalog.to_char(GREATEST(r.done_at, c.retrieved_at,"
    "          v.revoked_at) AT TIME ZONE 'Asia/Tokyo',"
    "          'YYYY-MM-DD HH24:MI:SS') AS changed_at"
    "   FROM ra.certificate c"
    "   JOIN ra.request r ON r.request_id = c.request_id"
    "   LEFT JOIN ra.batch b ON b.batch_id = r.batch_id"
    "   LEFT JOIN ra.revocation v ON v.cert_id = c.cert_id"
    "   LEFT JOIN ra.request vr ON vr.request_id = v.request_id"
    "   LEFT JOIN ra.certificate old ON old.cert_id = r.target_cert_id"
    "        AND r.action = 'renew'"
    /* At most one live renewal per certificate (request_renew_once). */
    "   LEFT JOIN ra.request n ON n.target_cert_id = c.cert_id"
    "        AND n.action = 'renew' AND n.state IN ('queued', 'done')"
    /* The officer's domain the host name lies under, the longest. */
    "   LEFT JOIN LATERAL (SELECT d.domain_id FROM ra.officer_domain od"
    "          JOIN ra.domain d ON d.domain_id = od.domain_id"
    "         WHERE c.kind = 'server' AND od.officer_id = $2::bigint"
    "           AND (pg_catalog.lower(c.cn) = d.name"
    "                OR pg_catalog.right(pg_catalog.lower(c.cn),"
    "                   pg_catalog.length(d.name) + 1) = '.' || d.name)"
    "         ORDER BY pg_catalog.length(d.name) DESC LIMIT 1) dom ON true"
    "  WHERE c.institution_id = $1::bigint AND c.state = 'issued'"
    "    AND c.kind = ANY ($4::text[])"
    "    AND (NOT $3::boolean OR dom.domain_id IS NOT NULL)"
    "  ORDER BY c.cert_id";
/* A batch: a few MB of results at most, whatever the total. */
static const char SQL_FETCH[] = "FETCH 2000 FROM ra_export";

/* One line of the file, built in memory and written at once. */
struct line {
	char	*buf;
	size_t	 len, cap;
};

static int
line_room(struct line *l, size_t n)
{
	size_t	 cap;
	char	*p;

	if (n <= l->cap - l->len)
		return 0;
	for (cap = l->cap > 0 ? l->cap : 16384; cap - l->len < n; cap *= 2)
		;
	if ((p = realloc(l->buf, cap)) == NULL)
		return -1;
	l->buf = p;
	l->cap = cap;
	return 0;
}

static int
line_add(struct line *l, const char *s, size_t n)
{
	if (line_room(l, n) != 0)
		return -1;
	memcpy(l->buf + l->len, s, n);
	l->len += n;
	return 0;
}

/*
 * A UTF-8 value in CP932.  A character CP932 lacks becomes one '?'.
 * Control characters (TAB, CR, LF from a comment or a name) become
 * spaces: one record is one line, with 46 fields, always.  That is safe
 * after the conversion: CP932's bytes below 0x40 are ASCII's own.
 */
static int
put_text(struct line *l, iconv_t cd, const char *v, size_t n)
{
	char	*in = (char *)v, *o, *p;
	size_t	 inleft = n, outleft, i;

	for (i = 0; i < n && (unsigned char)v[i] < 0x80; i++)
		;
	if (i == n) {			/* ASCII: the same bytes */
		if (line_add(l, v, n) != 0)
			return -1;
		p = l->buf + l->len - n;
	} else {
		/*
		 * CP932 has at most two bytes for a character UTF-8 needs
		 * two to four for: "n" would do; twice is past doubt.
		 */
		if (n > SIZE_MAX / 2 || line_room(l, 2 * n) != 0)
			return -1;
		p = o = l->buf + l->len;
		outleft = 2 * n;
		while (inleft > 0 &&
		    iconv(cd, &in, &inleft, &o, &outleft) == (size_t)-1) {
			if (errno == E2BIG || outleft == 0)
				return -1;
			*o++ = '?';
			outleft--;
			do {
				in++;
				inleft--;
			} while (inleft > 0 &&
			    ((unsigned char)*in & 0xc0) == 0x80);
		}
		l->len = (size_t)(o - l->buf);
	}
	for (; p < l->buf + l->len; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = ' ';
	return 0;
}

/* DER as "-----BEGIN T-----base64-----END T-----": one line, as before. */
static int
put_pem(struct line *l, const char *type, const unsigned char *der,
    size_t n)
{
	char	 head[64], tail[64];
	int	 hn, tn, bn;

	if (n == 0)
		return 0;		/* none (a key ra made has no CSR) */
	hn = snprintf(head, sizeof(head), "-----BEGIN %s-----", type);
	tn = snprintf(tail, sizeof(tail), "-----END %s-----", type);
	if (hn < 0 || tn < 0 || (size_t)hn >= sizeof(head) ||
	    (size_t)tn >= sizeof(tail) || n > INT_MAX / 2 ||
	    line_add(l, head, (size_t)hn) != 0 ||
	    line_room(l, (n + 2) / 3 * 4 + 1) != 0)
		return -1;
	bn = EVP_EncodeBlock((unsigned char *)l->buf + l->len, der, (int)n);
	l->len += (size_t)bn;
	return line_add(l, tail, (size_t)tn);
}

/* SHA-256 of the DER, upper-case hex pairs joined by colons. */
static int
put_fingerprint(struct line *l, const EVP_MD *sha256,
    const unsigned char *der, size_t n)
{
	static const char	 hex[] = "0123456789ABCDEF";
	unsigned char		 md[EVP_MAX_MD_SIZE];
	unsigned int		 mdlen, i;
	char			*o;

	if (n == 0)
		return 0;
	if (EVP_Digest(der, n, md, &mdlen, sha256, NULL) != 1 ||
	    line_room(l, (size_t)mdlen * 3) != 0)
		return -1;
	o = l->buf + l->len;
	for (i = 0; i < mdlen; i++) {
		if (i > 0)
			*o++ = ':';
		*o++ = hex[md[i] >> 4];
		*o++ = hex[md[i] & 0x0f];
	}
	l->len = (size_t)(o - l->buf);
	return 0;
}

static enum ra_err
put_header(struct line *l, iconv_t cd, FILE *out)
{
	size_t	 k;

	l->len = 0;
	for (k = 0; k < EXPORT_NCOLS; k++) {
		if (export_cols[k].label == NULL) {
			ra_warnx("export: column %zu has no label", k + 1);
			return RA_ECONF;
		}
		if ((k > 0 && line_add(l, "\t", 1) != 0) ||
		    put_text(l, cd, export_cols[k].label,
		    strlen(export_cols[k].label)) != 0)
			return RA_ENOMEM;
	}
	if (line_add(l, "\r\n", 2) != 0)
		return RA_ENOMEM;
	return fwrite(l->buf, 1, l->len, out) == l->len ? RA_OK : RA_ESYS;
}

/* Where each column's value is in this batch of rows; -1: none. */
static enum ra_err
export_fields(const PGresult *res, int fno[EXPORT_NCOLS])
{
	size_t	 k;

	for (k = 0; k < EXPORT_NCOLS; k++) {
		fno[k] = -1;
		if (export_cols[k].how == COL_EMPTY)
			continue;
		if ((fno[k] = PQfnumber(res, export_cols[k].sql)) < 0) {
			ra_warnx("export: no column \"%s\" in the result",
			    export_cols[k].sql);
			return RA_EDB;
		}
	}
	return RA_OK;
}

/* Row "i" of "res" as one line of the file. */
static enum ra_err
put_row(struct line *l, iconv_t cd, const EVP_MD *sha256,
    const PGresult *res, int i, const int fno[EXPORT_NCOLS], FILE *out)
{
	const struct export_col	*col;
	const char		*v;
	size_t			 k, n;
	int			 rc = 0;

	l->len = 0;
	for (k = 0; k < EXPORT_NCOLS && rc == 0; k++) {
		col = &export_cols[k];
		if (k > 0 && line_add(l, "\t", 1) != 0)
			return RA_ENOMEM;
		if (col->how == COL_EMPTY)
			continue;
		v = PQgetvalue(res, i, fno[k]);		/* "" when NULL */
		n = (size_t)PQgetlength(res, i, fno[k]);
		switch (col->how) {
		case COL_TEXT:
			rc = put_text(l, cd, v, n);
			break;
		case COL_PEM:
			rc = put_pem(l, col->pem, (const unsigned char *)v, n);
			break;
		case COL_SHA256:
			rc = put_fingerprint(l, sha256,
			    (const unsigned char *)v, n);
			break;
		case COL_EMPTY:
			break;
		}
	}
	if (rc != 0 || line_add(l, "\r\n", 2) != 0)
		return RA_ENOMEM;
	return fwrite(l->buf, 1, l->len, out) == l->len ? RA_OK : RA_ESYS;
}

/*
 * Write file "kind" of institution "institution_id" for officer
 * "officer_id" to "out": the header, then one line per issued
 * certificate, oldest first, all from one snapshot.  Once anything is
 * written an error can only cut the file short; the caller says so.
 */
enum ra_err
ra_export(PGconn *db, int64_t institution_id, int64_t officer_id,
    enum ra_export_kind kind, FILE *out)
{
	const struct export_kind	*ek;
	struct line			 l = { NULL, 0, 0 };
	PGresult			*res = NULL;
	EVP_MD				*sha256 = NULL;
	iconv_t				 cd = (iconv_t)-1;
	int				 fno[EXPORT_NCOLS];
	int				 i, rows;
	enum ra_err			 er;

	if (kind < 0 || kind >= RA_EXPORT__MAX)
		return RA_EINPUT;
	ek = &export_kinds[kind];
	if ((cd = iconv_open("CP932", "UTF-8")) == (iconv_t)-1) {
		er = RA_ESYS;
		goto out;
	}
	/* Fetched once, not by name for every one of 100,000 rows. */
	if ((sha256 = EVP_MD_fetch(NULL, "SHA256", NULL)) == NULL) {
		er = RA_ECRYPTO;
		goto out;
	}
	if ((er = ra_db_command(db, "begin", "BEGIN ISOLATION LEVEL REPEATABLE "
	    "READ READ ONLY", 0, NULL)) != RA_OK ||
	    (er = ra_db_run(db, "export cursor", SQL_CURSOR, NULL,
	    RA_ARGS(RA_INT(institution_id), RA_INT(officer_id),
	    RA_TEXT(ek->by_domain), RA_TEXT(ek->kinds)))) != RA_OK ||
	    (er = put_header(&l, cd, out)) != RA_OK)
		goto out;
	do {
		if ((er = ra_db_query_binary(db, "export rows", SQL_FETCH, 0,
		    NULL, &res)) != RA_OK)
			goto out;
		rows = PQntuples(res);
		if (rows > 0 && (er = export_fields(res, fno)) != RA_OK)
			goto out;
		for (i = 0; i < rows; i++)
			if ((er = put_row(&l, cd, sha256, res, i, fno, out)) !=
			    RA_OK)
				goto out;
		PQclear(res);
		res = NULL;
	} while (rows > 0);
	er = fflush(out) == 0 && !ferror(out) ? RA_OK : RA_ESYS;
out:
	PQclear(res);
	ra_db_rollback(db);		/* read only: nothing to keep */
	EVP_MD_free(sha256);
	if (cd != (iconv_t)-1)
		iconv_close(cd);
	free(l.buf);
	return er;
}
