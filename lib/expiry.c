/*
 * expiry.c: the expiry reminders queued by cron (issue 13 item 5), beside
 * M9 (remind.c).  A notice to the user administrator of each server,
 * code-signing, client and S/MIME certificate at each offset before its
 * end (Mail.ExpiryDays, 60 and 30 days), and a weekly digest to each RA
 * officer of what of theirs ends within Mail.DigestDays, as a TSV
 * attached.  Never for a certificate renewed (ra.cert_unrenewed, 028);
 * once per certificate and offset, once per officer and week, however
 * often or concurrently cron runs: the claim is a primary key inserted in
 * the transaction that queues the mail.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ra.h"
#include "domain.h"

/*
 * Claim, for every certificate that wants one, the notice of the
 * smallest offset its remaining time is within ($1, the offsets): a
 * certificate first seen with 25 days left gets the 30-day notice only,
 * not a late 60-day one too.  What another run claimed is not returned.
 */
static const char SQL_NOTICES[] =
    "WITH due AS ("
    "  SELECT c.cert_id,"
    "         (SELECT pg_catalog.min(d) FROM pg_catalog.unnest($1::integer[]) d"
    "           WHERE c.not_after <= pg_catalog.now() +"
    "                 pg_catalog.make_interval(days => d)) AS off"
    "    FROM ra.certificate c"
    "    JOIN ra.request r ON r.request_id = c.request_id"
    "   WHERE c.kind IN ('server', 'code_signing', 'client', 'smime')"
    "     AND c.state = 'issued' AND r.admin_mail IS NOT NULL"
    "     AND c.not_after > pg_catalog.now()"
    "     AND c.not_after <= pg_catalog.now() + pg_catalog.make_interval(days =>"
    "         (SELECT pg_catalog.max(d) FROM pg_catalog.unnest($1::integer[]) d))"
    "     AND ra.cert_unrenewed(c.cert_id)),"
    " claimed AS ("
    "  INSERT INTO ra.expiry_notice (cert_id, offset_days)"
    "  SELECT cert_id, off FROM due"
    "  ON CONFLICT DO NOTHING"
    "  RETURNING cert_id, offset_days)"
    " SELECT c.kind, c.subject_dn, c.serial::text AS serial,"
    "        pg_catalog.to_char(c.not_after AT TIME ZONE 'Asia/Tokyo',"
    "            'YYYY-MM-DD HH24:MI') AS not_after,"
    "        k.offset_days::text AS offset_days,"
    "        coalesce(r.admin_name, '') AS admin_name, r.admin_mail::text"
    "        AS admin_mail"
    "   FROM claimed k"
    "   JOIN ra.certificate c ON c.cert_id = k.cert_id"
    "   JOIN ra.request r ON r.request_id = c.request_id"
    "  ORDER BY c.cert_id";

/*
 * The officers with something ending within $1 days, claimed for this
 * week (JST): active officers, server certificates under their domains
 * as ② scopes them, the others by institution as ④ and ⑥ do.
 */
#define DIGEST_SCOPE \
    "  FROM ra.certificate c" \
    "  JOIN ra.request r ON r.request_id = c.request_id" \
    " WHERE c.institution_id = o.institution_id" \
    "   AND c.kind IN ('server', 'code_signing', 'client', 'smime')" \
    "   AND c.state = 'issued'" \
    "   AND c.not_after > pg_catalog.now()" \
    "   AND c.not_after <= pg_catalog.now() +" \
    "       pg_catalog.make_interval(days => $1::integer)" \
    "   AND (c.kind <> 'server' OR EXISTS (SELECT 1 FROM ra.officer_domain od" \
    "        JOIN ra.domain d ON d.domain_id = od.domain_id" \
    "       WHERE od.officer_id = o.officer_id" \
    "         AND (pg_catalog.lower(c.cn) = d.name" \
    "              OR pg_catalog.right(pg_catalog.lower(c.cn)," \
    "                 pg_catalog.length(d.name) + 1) = '.' || d.name)))" \
    "   AND ra.cert_unrenewed(c.cert_id)"

static const char SQL_DIGESTS[] =
    "INSERT INTO ra.expiry_digest (officer_id, week)"
    " SELECT o.officer_id, pg_catalog.date_trunc('week',"
    "        pg_catalog.now() AT TIME ZONE 'Asia/Tokyo')::date"
    "   FROM ra.officer o"
    "  WHERE o.status = 'active'"
    "    AND EXISTS (SELECT 1" DIGEST_SCOPE ")"
    " ON CONFLICT DO NOTHING"
    " RETURNING officer_id::text AS officer_id";

static const char SQL_DIGEST_OFFICER[] =
    "SELECT o.mail::text AS mail, o.name_ja FROM ra.officer o"
    " WHERE o.officer_id = $1::bigint";

/* One officer's rows, soonest first: the attachment's lines. */
static const char SQL_DIGEST_ROWS[] =
    "SELECT x.* FROM ra.officer o CROSS JOIN LATERAL ("
    " SELECT c.kind, c.subject_dn, c.serial::text AS serial,"
    "        pg_catalog.to_char(c.not_after AT TIME ZONE 'Asia/Tokyo',"
    "            'YYYY-MM-DD HH24:MI') AS not_after,"
    "        pg_catalog.ceil(extract(epoch FROM c.not_after - pg_catalog.now())"
    "            / 86400)::integer::text AS days_left,"
    "        coalesce(r.admin_name, '') AS admin_name,"
    "        coalesce(r.admin_mail::text, '') AS admin_mail,"
    "        c.not_after AS t, c.cert_id"
    DIGEST_SCOPE ") x"
    " WHERE o.officer_id = $2::bigint"
    " ORDER BY x.t, x.cert_id";

/* The kinds as the mails and the attachment name them. */
static const struct {
	const char	*kind, *ja;
} kinds[] = {
	{ "server",		"サーバ証明書" },
	{ "code_signing",	"コード署名用証明書" },
	{ "client",		"クライアント証明書" },
	{ "smime",		"S/MIME証明書" },
};

static const char *
kind_ja(const char *kind)
{
	size_t	 i;

	for (i = 0; i < RA_NITEMS(kinds); i++)
		if (strcmp(kinds[i].kind, kind) == 0)
			return kinds[i].ja;
	return kind;
}

/*
 * "s", a comma-separated list of days such as "60,30", into "v" (at most
 * "max"), each 1..365, no repeats.  The count, or -1 for a bad list.
 */
int
ra_expiry_offsets(const char *s, int *v, size_t max)
{
	const char	*p = s;
	char		*end;
	long		 d;
	size_t		 n = 0, i;

	while (*p != '\0') {
		d = strtol(p, &end, 10);
		if (end == p || d < 1 || d > 365 || n == max)
			return -1;
		for (i = 0; i < n; i++)
			if (v[i] == (int)d)
				return -1;
		v[n++] = (int)d;
		p = end;
		if (*p == ',')
			p++;
		else if (*p != '\0')
			return -1;
	}
	return n == 0 ? -1 : (int)n;
}

/* "{60,30}" for an integer[] parameter; caller frees. */
static char *
int_array(const int *v, size_t n)
{
	char	*s, *o;
	size_t	 i;

	if ((s = malloc(12 * n + 3)) == NULL)
		return NULL;
	o = s;
	*o++ = '{';
	for (i = 0; i < n; i++)
		o += sprintf(o, "%s%d", i > 0 ? "," : "", v[i]);
	*o++ = '}';
	*o = '\0';
	return s;
}

/*
 * Queue the notices due at the offsets "off" (days, "n" of them), one
 * mail per certificate claimed: one transaction.
 */
enum ra_err
ra_expiry_notify(PGconn *db, const int *off, size_t n, int *queued)
{
	struct ra_kv	 kv[7];
	PGresult	*res = NULL;
	char		*arr = NULL, *block = NULL;
	int		 i;
	enum ra_err	 er;

	*queued = 0;
	if ((arr = int_array(off, n)) == NULL)
		return RA_ENOMEM;
	if ((er = ra_db_begin(db)) != RA_OK ||
	    (er = ra_db_run(db, "expiry notices", SQL_NOTICES, &res,
	    RA_ARGS(RA_TEXT(arr)))) != RA_OK)
		goto out;
	for (i = 0; i < PQntuples(res); i++) {
		free(block);
		if ((block = ra_dn_block(ra_get_text(res, i, "subject_dn"))) ==
		    NULL) {
			er = RA_ENOMEM;
			goto out;
		}
		kv[0] = (struct ra_kv){ "NameJa", ra_get_text(res, i,
		    "admin_name") };
		kv[1] = (struct ra_kv){ "KindJa", kind_ja(ra_get_text(res, i,
		    "kind")) };
		kv[2] = (struct ra_kv){ "DNBlock", block };
		kv[3] = (struct ra_kv){ "Serial", ra_get_text(res, i,
		    "serial") };
		kv[4] = (struct ra_kv){ "NotAfter", ra_get_text(res, i,
		    "not_after") };
		kv[5] = (struct ra_kv){ "Days", ra_get_text(res, i,
		    "offset_days") };
		kv[6] = (struct ra_kv){ "Kind", ra_get_text(res, i, "kind") };
		if ((er = ra_mail_queue(db, "cert-expiry-notice",
		    ra_get_text(res, i, "admin_mail"), kv, RA_NITEMS(kv))) !=
		    RA_OK)
			goto out;
	}
	if ((er = ra_db_commit(db)) == RA_OK)
		*queued = PQntuples(res);
out:
	ra_db_rollback(db);
	PQclear(res);
	free(arr);
	free(block);
	return er;
}

/* One line of the attachment: TABs between, CRLF added on encoding. */
static int
tsv_add(char **tsv, size_t *len, const char *const *f, size_t nf)
{
	size_t	 i, need = 2;
	char	*p;

	for (i = 0; i < nf; i++)
		need += strlen(f[i]) + 1;
	if ((p = realloc(*tsv, *len + need + 1)) == NULL)
		return 0;
	*tsv = p;
	for (i = 0; i < nf; i++)
		*len += (size_t)sprintf(p + *len, "%s%s", i > 0 ? "\t" : "",
		    f[i]);
	*len += (size_t)sprintf(p + *len, "\r\n");
	return 1;
}

/* Officer "id"'s digest with its TSV, in the caller's transaction. */
static enum ra_err
digest_one(PGconn *db, const char *days, const char *id, int *rows)
{
	static const char *const head[] = { "種別", "主体者DN", "シリアル番号",
	    "有効期限", "残り日数", "利用管理者氏名", "利用管理者メールアドレス" };
	struct ra_kv	 kv[5];
	PGresult	*res = NULL, *who = NULL;
	const char	*f[RA_NITEMS(head)];
	char		*tsv = NULL, count[16], name[64];
	size_t		 len = 0;
	int		 i;
	enum ra_err	 er;

	if ((er = ra_db_run(db, "digest officer", SQL_DIGEST_OFFICER, &who,
	    RA_ARGS(RA_TEXT(id)))) != RA_OK ||
	    (er = ra_db_run(db, "digest rows", SQL_DIGEST_ROWS, &res,
	    RA_ARGS(RA_TEXT(days), RA_TEXT(id)))) != RA_OK)
		goto out;
	er = RA_ENOMEM;
	if (PQntuples(who) != 1 || !tsv_add(&tsv, &len, head, RA_NITEMS(head)))
		goto out;
	for (i = 0; i < PQntuples(res); i++) {
		f[0] = kind_ja(ra_get_text(res, i, "kind"));
		f[1] = ra_get_text(res, i, "subject_dn");
		f[2] = ra_get_text(res, i, "serial");
		f[3] = ra_get_text(res, i, "not_after");
		f[4] = ra_get_text(res, i, "days_left");
		f[5] = ra_get_text(res, i, "admin_name");
		f[6] = ra_get_text(res, i, "admin_mail");
		if (!tsv_add(&tsv, &len, f, RA_NITEMS(f)))
			goto out;
	}
	snprintf(count, sizeof(count), "%d", PQntuples(res));
	/* The name is ours, never a value from an upload. */
	snprintf(name, sizeof(name), "expiring-%s.tsv", id);
	kv[0] = (struct ra_kv){ "NameJa", ra_get_text(who, 0, "name_ja") };
	kv[1] = (struct ra_kv){ "Days", days };
	kv[2] = (struct ra_kv){ "Count", count };
	kv[3] = (struct ra_kv){ RA_MAIL_ATTACH_TSV, tsv };
	kv[4] = (struct ra_kv){ RA_MAIL_ATTACH_NAME, name };
	if ((er = ra_mail_queue(db, "expiry-digest", ra_get_text(who, 0,
	    "mail"), kv, RA_NITEMS(kv))) == RA_OK)
		*rows = PQntuples(res);
out:
	PQclear(res);
	PQclear(who);
	free(tsv);
	return er;
}

/*
 * Queue this week's digest to every active officer with certificates
 * ending within "days" days who has none yet: one transaction.
 */
enum ra_err
ra_expiry_digest(PGconn *db, int days, int *queued)
{
	PGresult	*res = NULL;
	char		 d[16];
	int		 i, rows;
	enum ra_err	 er;

	*queued = 0;
	snprintf(d, sizeof(d), "%d", days);
	if ((er = ra_db_begin(db)) != RA_OK ||
	    (er = ra_db_run(db, "expiry digests", SQL_DIGESTS, &res,
	    RA_ARGS(RA_TEXT(d)))) != RA_OK)
		goto out;
	for (i = 0; i < PQntuples(res); i++)
		if ((er = digest_one(db, d, ra_get_text(res, i, "officer_id"),
		    &rows)) != RA_OK)
			goto out;
	if ((er = ra_db_commit(db)) == RA_OK)
		*queued = PQntuples(res);
out:
	ra_db_rollback(db);
	PQclear(res);
	return er;
}
