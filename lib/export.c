/*
 * export.c: the certificate-information downloads, ② (serverAll.tsv,
 * the server certificates under the officer's domains), ④
 * (clientAll.tsv, the institution's client and S/MIME certificates) and
 * ⑥ (certAll.tsv, both, and the institution's code-signing ones).
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
	COL_TIME,	/* timestamptz column "sql" in JST */
	COL_PEM,	/* bytea column "sql" as PEM "pem", on one line */
	COL_SHA256,	/* SHA-256 of bytea column "sql", AB:CD:... */
	COL__MAX
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
	/*
	 * The domain a server FQDN lies under would be one more lookup a
	 * row (a fifth of the statement's time); FQDN is column 16.
	 */
	COL(5)	= { "ドメインID", COL_EMPTY, NULL, NULL },
	COL(6)	= { "発行・更新申請-日時", COL_TIME, "requested_at", NULL },
	COL(7)	= { "発行・更新申請-処理完了日時", COL_TIME, "done_at", NULL },
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
	COL(26)	= { "発行・更新申請-証明書有効開始", COL_TIME, "not_before",
		    NULL },
	COL(27)	= { "発行・更新申請-証明書有効期限", COL_TIME, "not_after",
		    NULL },
	COL(28)	= { "URL期限", COL_TIME, "url_expires", NULL },
	/* A secret, and ra keeps only its hash: never written. */
	COL(29)	= { "アクセスPIN", COL_EMPTY, NULL, NULL },
	COL(30)	= { "その他送信先アドレス", COL_EMPTY, NULL, NULL },
	COL(31)	= { "その他送信先アドレス2", COL_EMPTY, NULL, NULL },
	COL(32)	= { "失効申請-申請ID", COL_TEXT, "revoke_request_id", NULL },
	COL(33)	= { "失効申請-操作ID", COL_EMPTY, NULL, NULL },
	COL(34)	= { "失効申請-日時", COL_TIME, "revoke_requested_at", NULL },
	COL(35)	= { "失効申請-処理完了日時", COL_TIME, "revoked_at", NULL },
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
	COL(46)	= { "最終更新日", COL_TIME, "changed_at", NULL },
};
/* A missing last entry refuses to compile; a hole fails put_header. */
_Static_assert(RA_NITEMS(export_cols) == EXPORT_NCOLS,
    "export_cols[] is not 46 columns");

/* Which certificates each file lists, as the statement's parameters. */
static const struct export_kind {
	const char	*kinds;		/* text[]: the certificate kinds */
	const char	*by_domain;	/* "true": server rows only under the
					   officer's domains */
} export_kinds[RA_EXPORT__MAX] = {
	[RA_EXPORT_SERVER] = { "{server}", "true" },
	/* Client CNs are people, not host names: the institution is the scope. */
	[RA_EXPORT_CLIENT] = { "{client,smime}", "false" },
	/* A code-signing certificate names no host: the institution too. */
	[RA_EXPORT_CODESIGN] = { "{code_signing}", "false" },
	/*
	 * What the officer's uploads make: ②'s rows and ④'s, and code
	 * signing, which names no host either.  Not the RA certificates:
	 * the desk issues those, from another CA, and they are nobody's
	 * upload to track.
	 */
	[RA_EXPORT_ALL] = { "{server,client,smime,code_signing}", "true" },
};
_Static_assert(RA_NITEMS(export_kinds) == RA_EXPORT__MAX,
    "export_kinds[] out of sync with enum ra_export_kind");

/*
 * One statement for both files.  Every column is text but the DERs and
 * the times: the FETCH is binary, so a DER arrives as its bytes and a
 * time as a number that put_time writes in JST faster than to_char
 * would.  The joins that may miss are all by a key or a unique index
 * (013-export.sql adds the URL ones), so each row costs a few index
 * probes whatever the tables hold; what only server rows need sits
 * under CASE, which client rows never enter, and the server rows' scope
 * (the FQDN one of the officer's domains or under one) is a test that
 * $3 = false removes when the statement is planned.
 *
 *   $1 institution, $2 officer, $3 server rows scoped by the officer's
 *   domains, $4 the kinds listed.
 */
static const char SQL_CURSOR[] =
    "DECLARE ra_export NO SCROLL CURSOR FOR"
    " SELECT r.request_id::text AS request_id,"
    "        CASE b.error_mode WHEN 'abort' THEN '0' WHEN 'partial' THEN '1'"
    "        END AS ignore_invalid,"
    "        c.subject_dn,"
    "        r.created_at AS requested_at, r.done_at,"
    "        r.officer_id::text AS officer_id,"
    "        CASE r.action WHEN 'issue' THEN '1' WHEN 'renew' THEN '2'"
    "        END AS request_type,"
    "        c.kind, c.profile_id::text AS profile_id,"
    "        CASE WHEN v.cert_id IS NOT NULL THEN '7'"
    "             WHEN c.superseded_by IS NOT NULL THEN '6'"
    "             WHEN c.retrieved_at IS NULL THEN '4'"
    "             ELSE '5' END AS state,"
    /* Server and code-signing rows: the user administrator; others the user. */
    "        CASE WHEN c.kind IN ('server', 'code_signing') THEN r.admin_name"
    "             ELSE r.user_name END AS holder_name,"
    "        CASE WHEN c.kind IN ('server', 'code_signing')"
    "             THEN r.attrs->>'affiliation'"
    "             ELSE r.attrs->>'user_affiliation' END AS holder_affiliation,"
    "        CASE WHEN c.kind IN ('server', 'code_signing')"
    "             THEN r.admin_mail::text"
    "             ELSE r.user_mail::text END AS holder_mail,"
    "        CASE WHEN c.kind = 'server' THEN c.cn END AS fqdn,"
    /* Code signing: the key-protection statement in its place (014). */
    "        CASE WHEN c.kind = 'code_signing' THEN r.key_protection"
    "             ELSE r.attrs->>'software' END AS software, r.csr_der,"
    /* san_dns is lower case, the CN first (request.c): the rest. */
    "        pg_catalog.array_to_string(pg_catalog.array_remove(r.san_dns,"
    "          pg_catalog.lower(c.cn)), ' ') AS dns_names,"
    "        c.der, c.serial::text AS serial, c.not_before, c.not_after,"
    /* The retrieval URL: the user administrator's, or the user's P12. */
    "        CASE WHEN c.kind IN ('server', 'code_signing') THEN"
    "          (SELECT pg_catalog.max(t.expires_at) FROM ra.access_token t"
    "            WHERE t.purpose = 'cert_download' AND t.cert_id = c.cert_id)"
    "        WHEN r.download_method = 2 THEN"   /* P12一括: the upload's ZIP */
    "          (SELECT pg_catalog.max(t.expires_at) FROM ra.access_token t"
    "            WHERE t.purpose = 'p12_bulk' AND t.batch_id = r.batch_id)"
    "        ELSE"
    "          (SELECT pg_catalog.max(t.expires_at) FROM ra.access_token t"
    "            WHERE t.purpose = 'p12_download'"
    "              AND t.request_id = c.request_id)"
    "        END AS url_expires,"
    "        v.request_id::text AS revoke_request_id,"
    "        coalesce(vr.created_at, v.revoked_at) AS revoke_requested_at,"
    "        v.revoked_at, v.officer_id::text AS revoke_officer_id,"
    "        v.reason::text AS revoke_reason, v.comment AS revoke_comment,"
    "        vr.admin_mail::text AS revoke_admin_mail,"
    "        old.serial::text AS old_serial,"
    /* M9 (remind.c) marks the renewal that replaced this certificate. */
    "        CASE WHEN n.attrs ? 'reminded' THEN '1' END AS reminded,"
    "        r.download_method::text AS download_method,"
    "        GREATEST(r.done_at, c.retrieved_at, v.revoked_at) AS changed_at"
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
    "  WHERE c.institution_id = $1::bigint AND c.state = 'issued'"
    "    AND c.kind = ANY ($4::text[])"
    /* $3 is known when this is planned: false drops the test. */
    "    AND (NOT $3::boolean OR c.kind <> 'server'"
    "         OR EXISTS (SELECT 1 FROM ra.officer_domain od"
    "          JOIN ra.domain d ON d.domain_id = od.domain_id"
    "         WHERE od.officer_id = $2::bigint"
    "           AND (pg_catalog.lower(c.cn) = d.name"
    "                OR pg_catalog.right(pg_catalog.lower(c.cn),"
    "                   pg_catalog.length(d.name) + 1) = '.' || d.name)))"
    "  ORDER BY c.cert_id";
/*
 * The planner prices the per-row lookups high enough to compile the
 * statement (JIT), which costs seconds and saves nothing for a stream
 * of index probes.
 */
static const char SQL_NO_JIT[] = "SET LOCAL jit = off";
/* A batch: a few MB of results at most, whatever the total. */
static const char SQL_FETCH[] = "FETCH 2000 FROM ra_export";

/* The types the binary FETCH must deliver (pg_type.dat; fixed OIDs). */
#define OID_BYTEA	17
#define OID_TEXT	25
#define OID_TIMESTAMPTZ	1184

static const Oid col_type[] = {
	[COL_EMPTY]	= 0,
	[COL_TEXT]	= OID_TEXT,
	[COL_TIME]	= OID_TIMESTAMPTZ,
	[COL_PEM]	= OID_BYTEA,
	[COL_SHA256]	= OID_BYTEA,
};
_Static_assert(RA_NITEMS(col_type) == COL__MAX,
    "col_type[] out of sync with enum col_how");

/*
 * Lines of the file, built in memory and written some 64 KB at a time:
 * a write each, past stdio's buffer, instead of forty thousand.
 */
#define LINES_FLUSH	65536

struct line {
	char	*buf;
	size_t	 len, cap;
};

static enum ra_err
line_room(struct line *l, size_t n)
{
	size_t	 cap;
	char	*p;

	if (n <= l->cap - l->len)
		return RA_OK;
	if (n > SIZE_MAX / 4 - l->len)
		return RA_ENOMEM;
	for (cap = l->cap > 0 ? l->cap : 16384; cap - l->len < n; cap *= 2)
		;
	if ((p = realloc(l->buf, cap)) == NULL)
		return RA_ENOMEM;
	l->buf = p;
	l->cap = cap;
	return RA_OK;
}

static enum ra_err
line_add(struct line *l, const char *s, size_t n)
{
	enum ra_err	 er;

	if (n == 0)
		return RA_OK;		/* the buffer may not exist yet */
	if ((er = line_room(l, n)) != RA_OK)
		return er;
	memcpy(l->buf + l->len, s, n);
	l->len += n;
	return RA_OK;
}

/*
 * A UTF-8 value in CP932 (or in UTF-8, for ⑥'s option).  A character
 * CP932 lacks becomes one '?'.  Control characters (TAB, CR, LF from a
 * comment or a name) become spaces: one record is one line, with 46
 * fields, always.  That is safe after the conversion: CP932's bytes
 * below 0x40 are ASCII's own, and UTF-8's other bytes are all >= 0x80.
 */
static enum ra_err
put_text(struct line *l, iconv_t cd, const char *v, size_t n)
{
	char		*in = (char *)v, *o, *p;
	size_t		 inleft = n, outleft, i;
	enum ra_err	 er;

	if (n == 0)
		return RA_OK;
	for (i = 0; i < n && (unsigned char)v[i] < 0x80; i++)
		;
	if (i == n) {			/* ASCII: the same bytes */
		if ((er = line_add(l, v, n)) != RA_OK)
			return er;
		p = l->buf + l->len - n;
	} else {
		/*
		 * CP932 has at most two bytes for a character UTF-8 needs
		 * two to four for: "n" would do; twice is past doubt.
		 */
		if (n > SIZE_MAX / 4)
			return RA_ENOMEM;
		if ((er = line_room(l, 2 * n)) != RA_OK)
			return er;
		p = o = l->buf + l->len;
		outleft = 2 * n;
		while (inleft > 0 &&
		    iconv(cd, &in, &inleft, &o, &outleft) == (size_t)-1) {
			if (errno == E2BIG || outleft == 0)
				return RA_ESYS;
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
	return RA_OK;
}

/*
 * A binary timestamptz, microseconds since 2000-01-01 00:00 UTC, as
 * "YYYY-MM-DD HH:MM:SS" in JST.  Asia/Tokyo has been UTC+9 without
 * daylight saving since 1951, long before any time ra stores; seconds
 * are cut, as to_char cuts them.  By hand: eight times a row, snprintf
 * and gmtime_r (which takes glibc's time zone lock) cost a third of
 * the export's own time.
 */
#define JST_OFFSET	(9 * 3600)

static enum ra_err
put_time(struct line *l, const char *v, size_t n)
{
	uint64_t	 u = 0;
	int64_t		 us, sec, days, era, y;
	unsigned	 doe, yoe, doy, mp, mon, day, hms;
	char		*o;
	size_t		 i;
	enum ra_err	 er;

	if (n == 0)
		return RA_OK;		/* NULL: none */
	if (n != 8)
		return RA_EDB;
	for (i = 0; i < 8; i++)
		u = u << 8 | (unsigned char)v[i];
	us = (int64_t)u;
	/* Years 2000 to 9999 only (and never infinity): 4 digits. */
	if (us < 0 || us / 1000000 > (int64_t)8000 * 366 * 86400)
		return RA_EDB;
	sec = us / 1000000 + JST_OFFSET;
	hms = (unsigned)(sec % 86400);
	/* Days since 1970-01-01 to a civil date (H. Hinnant's days_from_civil, inverted). */
	days = sec / 86400 + 10957 + 719468;
	era = days / 146097;
	doe = (unsigned)(days - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	day = doy - (153 * mp + 2) / 5 + 1;
	mon = mp < 10 ? mp + 3 : mp - 9;
	y = (int64_t)yoe + era * 400 + (mon <= 2);
	if (y > 9999)
		return RA_EDB;
	if ((er = line_room(l, 19)) != RA_OK)
		return er;
	o = l->buf + l->len;
	o[0] = (char)('0' + y / 1000);
	o[1] = (char)('0' + y / 100 % 10);
	o[2] = (char)('0' + y / 10 % 10);
	o[3] = (char)('0' + y % 10);
	o[4] = '-';
	o[5] = (char)('0' + mon / 10);
	o[6] = (char)('0' + mon % 10);
	o[7] = '-';
	o[8] = (char)('0' + day / 10);
	o[9] = (char)('0' + day % 10);
	o[10] = ' ';
	o[11] = (char)('0' + hms / 36000);
	o[12] = (char)('0' + hms / 3600 % 10);
	o[13] = ':';
	o[14] = (char)('0' + hms % 3600 / 600);
	o[15] = (char)('0' + hms % 600 / 60);
	o[16] = ':';
	o[17] = (char)('0' + hms % 60 / 10);
	o[18] = (char)('0' + hms % 10);
	l->len += 19;
	return RA_OK;
}

/* DER as "-----BEGIN T-----base64-----END T-----": one line, as before. */
static enum ra_err
put_pem(struct line *l, const char *type, const unsigned char *der,
    size_t n)
{
	char		 head[64], tail[64];
	int		 hn, tn, bn;
	enum ra_err	 er;

	if (n == 0)
		return RA_OK;		/* none (a key ra made has no CSR) */
	hn = snprintf(head, sizeof(head), "-----BEGIN %s-----", type);
	tn = snprintf(tail, sizeof(tail), "-----END %s-----", type);
	if (hn < 0 || tn < 0 || (size_t)hn >= sizeof(head) ||
	    (size_t)tn >= sizeof(tail) || n > INT_MAX / 2)
		return RA_EDB;
	if ((er = line_add(l, head, (size_t)hn)) != RA_OK ||
	    (er = line_room(l, (n + 2) / 3 * 4 + 1)) != RA_OK)
		return er;
	bn = EVP_EncodeBlock((unsigned char *)l->buf + l->len, der, (int)n);
	l->len += (size_t)bn;
	return line_add(l, tail, (size_t)tn);
}

/* SHA-256 of the DER, upper-case hex pairs joined by colons. */
static enum ra_err
put_fingerprint(struct line *l, const EVP_MD *sha256,
    const unsigned char *der, size_t n)
{
	static const char	 hex[] = "0123456789ABCDEF";
	unsigned char		 md[EVP_MAX_MD_SIZE];
	unsigned int		 mdlen, i;
	char			*o;
	enum ra_err		 er;

	if (n == 0)
		return RA_OK;
	if (EVP_Digest(der, n, md, &mdlen, sha256, NULL) != 1)
		return RA_ECRYPTO;
	if ((er = line_room(l, (size_t)mdlen * 3)) != RA_OK)
		return er;
	o = l->buf + l->len;
	for (i = 0; i < mdlen; i++) {
		if (i > 0)
			*o++ = ':';
		*o++ = hex[md[i] >> 4];
		*o++ = hex[md[i] & 0x0f];
	}
	l->len = (size_t)(o - l->buf);
	return RA_OK;
}

static enum ra_err
line_flush(struct line *l, FILE *out)
{
	size_t	 n = l->len;

	l->len = 0;
	return fwrite(l->buf, 1, n, out) == n ? RA_OK : RA_ESYS;
}

/* The line ends; what is built goes out once there is enough of it. */
static enum ra_err
line_end(struct line *l, FILE *out)
{
	enum ra_err	 er;

	if ((er = line_add(l, "\r\n", 2)) != RA_OK)
		return er;
	return l->len >= LINES_FLUSH ? line_flush(l, out) : RA_OK;
}

static enum ra_err
put_header(struct line *l, iconv_t cd, FILE *out)
{
	size_t		 k;
	enum ra_err	 er;

	for (k = 0; k < EXPORT_NCOLS; k++) {
		if (export_cols[k].label == NULL) {
			ra_warnx("export: column %zu has no label", k + 1);
			return RA_ECONF;
		}
		if ((k > 0 && (er = line_add(l, "\t", 1)) != RA_OK) ||
		    (er = put_text(l, cd, export_cols[k].label,
		    strlen(export_cols[k].label))) != RA_OK)
			return er;
	}
	return line_end(l, out);
}

/*
 * Where each column's value is in this batch of rows (-1: none), and
 * that it has the type its writer reads: binary results carry no text
 * form to fall back on, so a column that lost its cast is caught here.
 */
static enum ra_err
export_fields(const PGresult *res, int fno[EXPORT_NCOLS])
{
	const struct export_col	*col;
	size_t			 k;

	for (k = 0; k < EXPORT_NCOLS; k++) {
		col = &export_cols[k];
		fno[k] = -1;
		if (col->how == COL_EMPTY)
			continue;
		if ((fno[k] = PQfnumber(res, col->sql)) < 0 ||
		    PQftype(res, fno[k]) != col_type[col->how] ||
		    PQfformat(res, fno[k]) != 1) {
			ra_warnx("export: column \"%s\" is missing or of "
			    "another type", col->sql);
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
	const unsigned char	*der;
	const char		*v;
	size_t			 k, n;
	enum ra_err		 er = RA_OK;

	for (k = 0; k < EXPORT_NCOLS && er == RA_OK; k++) {
		col = &export_cols[k];
		if (k > 0 && (er = line_add(l, "\t", 1)) != RA_OK)
			break;
		if (col->how == COL_EMPTY)
			continue;
		v = PQgetvalue(res, i, fno[k]);		/* "" when NULL */
		n = (size_t)PQgetlength(res, i, fno[k]);
		der = (const unsigned char *)v;
		switch (col->how) {
		case COL_TEXT:
			er = put_text(l, cd, v, n);
			break;
		case COL_TIME:
			er = put_time(l, v, n);
			break;
		case COL_PEM:
			er = put_pem(l, col->pem, der, n);
			break;
		case COL_SHA256:
			er = put_fingerprint(l, sha256, der, n);
			break;
		case COL_EMPTY:
		case COL__MAX:
			break;
		}
	}
	return er == RA_OK ? line_end(l, out) : er;
}

/* The encodings, as iconv and HTTP name them. */
static const struct export_enc {
	const char	*iconv;
	const char	*charset;
} export_encs[RA_EXPORT_ENC__MAX] = {
	[RA_EXPORT_SJIS] = { "CP932", "Shift_JIS" },
	/* UTF-8 to UTF-8: the same bytes, and put_text's path kept whole. */
	[RA_EXPORT_UTF8] = { "UTF-8", "UTF-8" },
};
_Static_assert(RA_NITEMS(export_encs) == RA_EXPORT_ENC__MAX,
    "export_encs[] out of sync with enum ra_export_enc");

/* The HTTP charset of "enc"; borrowed, static. */
const char *
ra_export_charset(enum ra_export_enc enc)
{
	return enc >= 0 && enc < RA_EXPORT_ENC__MAX ?
	    export_encs[enc].charset : NULL;
}

/* File "kind" in Shift_JIS, as integrators read it. */
enum ra_err
ra_export(PGconn *db, int64_t institution_id, int64_t officer_id,
    enum ra_export_kind kind, FILE *out)
{
	return ra_export_enc(db, institution_id, officer_id, kind,
	    RA_EXPORT_SJIS, out);
}

/*
 * Write file "kind" of institution "institution_id" for officer
 * "officer_id" to "out" in encoding "enc": the header, then one line per
 * issued certificate, oldest first, all from one snapshot.  Once
 * anything is written an error can only cut the file short (by what is
 * not written out yet, 64 KB at most); the caller says so.
 */
enum ra_err
ra_export_enc(PGconn *db, int64_t institution_id, int64_t officer_id,
    enum ra_export_kind kind, enum ra_export_enc enc, FILE *out)
{
	const struct export_kind	*ek;
	struct line			 l = { NULL, 0, 0 };
	PGresult			*res = NULL;
	EVP_MD				*sha256 = NULL;
	iconv_t				 cd;
	int				 fno[EXPORT_NCOLS];
	int				 i, rows;
	enum ra_err			 er;

	if (kind < 0 || kind >= RA_EXPORT__MAX || enc < 0 ||
	    enc >= RA_EXPORT_ENC__MAX)
		return RA_EINPUT;
	ek = &export_kinds[kind];
	if ((cd = iconv_open(export_encs[enc].iconv, "UTF-8")) == (iconv_t)-1)
		return RA_ESYS;		/* nothing is held yet */
	/* Fetched once, not by name for every one of 100,000 rows. */
	if ((sha256 = EVP_MD_fetch(NULL, "SHA256", NULL)) == NULL) {
		er = RA_ECRYPTO;
		goto out;
	}
	if ((er = ra_db_command(db, "begin", "BEGIN ISOLATION LEVEL REPEATABLE "
	    "READ READ ONLY", 0, NULL)) != RA_OK ||
	    (er = ra_db_command(db, "export: no JIT", SQL_NO_JIT, 0, NULL)) !=
	    RA_OK ||
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
	if ((er = line_flush(&l, out)) == RA_OK)
		er = fflush(out) == 0 && !ferror(out) ? RA_OK : RA_ESYS;
out:
	PQclear(res);
	ra_db_rollback(db);		/* read only: nothing to keep */
	EVP_MD_free(sha256);
	iconv_close(cd);
	free(l.buf);
	return er;
}
