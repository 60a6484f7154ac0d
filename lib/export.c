/*
 * export.c: ② 証明書情報一括ダウンロード.  The institution's server
 * certificates under the officer's domains, as a Shift_JIS TSV with a
 * Japanese header row (reference §3.1, §3.2), streamed from a cursor
 * five thousand rows at a time: memory stays flat whatever the count.
 */
#include <errno.h>
#include <iconv.h>
#include <stdlib.h>
#include <string.h>

#include "ra.h"
#include "domain.h"

static const char SQL_CURSOR[] =
    "DECLARE server_export NO SCROLL CURSOR FOR"
    " SELECT r.request_id::text,"
    "        to_char(r.created_at AT TIME ZONE 'Asia/Tokyo',"
    "          'YYYY/MM/DD HH24:MI:SS'),"
    "        c.subject_dn, c.serial::text,"
    "        CASE WHEN v.cert_id IS NOT NULL THEN '失効済み'"
    "             WHEN c.superseded_by IS NOT NULL THEN '更新済み'"
    "             WHEN c.retrieved_at IS NULL THEN '取得待ち'"
    "             ELSE '発行済み' END,"
    "        to_char(c.not_before AT TIME ZONE 'Asia/Tokyo',"
    "          'YYYY/MM/DD HH24:MI:SS'),"
    "        to_char(c.not_after AT TIME ZONE 'Asia/Tokyo',"
    "          'YYYY/MM/DD HH24:MI:SS'),"
    "        coalesce(to_char(v.revoked_at AT TIME ZONE 'Asia/Tokyo',"
    "          'YYYY/MM/DD HH24:MI:SS'), ''),"
    "        coalesce(r.admin_name, ''), coalesce(r.admin_mail, ''), c.cn,"
    "        pg_catalog.array_to_string(r.san_dns, ' '), c.der"
    "   FROM ra.certificate c"
    "   JOIN ra.request r ON r.request_id = c.request_id"
    "   LEFT JOIN ra.revocation v ON v.cert_id = c.cert_id"
    "  WHERE c.institution_id = $1::bigint AND c.kind = 'server'"
    "    AND c.state = 'issued'"
    "    AND EXISTS (SELECT 1 FROM ra.officer_domain od"
    "                  JOIN ra.domain d ON d.domain_id = od.domain_id"
    "                 WHERE od.officer_id = $2::bigint"
    "                   AND (lower(c.cn) = lower(d.name)"
    "                        OR right(lower(c.cn), length(d.name) + 1)"
    "                           = '.' || lower(d.name)))"
    "  ORDER BY c.cert_id";
static const char SQL_FETCH[] = "FETCH 5000 FROM server_export";

static const char header[] =
    "発行・更新申請-申請ID\t発行・更新申請-日時\t主体者DN\t"
    "発行・更新申請-シリアル番号\t状態\t有効期間開始\t有効期限\t失効日時\t"
    "利用管理者氏名\t利用管理者メールアドレス\tFQDN\tdNSName\t"
    "証明書(PEM形式)\r\n";

/* One line to "out" in CP932; a character CP932 lacks becomes '?'. */
static int
put_sjis(iconv_t cd, const char *line, FILE *out)
{
	char	 buf[65536], *in = (char *)line, *o;
	size_t	 inleft = strlen(line), outleft;

	while (inleft > 0) {
		o = buf;
		outleft = sizeof(buf);
		if (iconv(cd, &in, &inleft, &o, &outleft) == (size_t)-1 &&
		    errno != E2BIG) {
			in++;			/* unmappable: skip it */
			inleft--;
			*o++ = '?';
		}
		if (fwrite(buf, 1, (size_t)(o - buf), out) != (size_t)(o - buf))
			return -1;
	}
	return 0;
}

static int
ascii(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s >= 0x80)
			return 0;
	return 1;
}

enum ra_err
ra_export_server(PGconn *db, int64_t institution_id, int64_t officer_id,
    FILE *out)
{
	PGresult	*res = NULL;
	const char	*param[2];
	const char	*v;
	char		 inst[24], off[24], *pem = NULL;
	size_t		 pemsz = 0;
	iconv_t		 cd;
	int		 i, c, n, rows;
	enum ra_err	 er;

	if ((cd = iconv_open("CP932", "UTF-8")) == (iconv_t)-1)
		return RA_ESYS;
	snprintf(inst, sizeof(inst), "%lld", (long long)institution_id);
	snprintf(off, sizeof(off), "%lld", (long long)officer_id);
	param[0] = inst;
	param[1] = off;
	if ((er = ra_db_command(db, "begin", "BEGIN ISOLATION LEVEL REPEATABLE "
	    "READ READ ONLY", 0, NULL)) != RA_OK ||
	    (er = ra_db_command(db, "export cursor", SQL_CURSOR, 2, param)) !=
	    RA_OK)
		goto out;
	if (put_sjis(cd, header, out) != 0) {
		er = RA_ESYS;
		goto out;
	}
	/*
	 * Most of the bytes (the PEM) are ASCII, the same in UTF-8 and
	 * Shift_JIS: only fields with other characters go through iconv.
	 */
	do {
		if ((er = ra_db_query_binary(db, "export rows", SQL_FETCH, 0,
		    NULL, &res)) != RA_OK)
			goto out;
		rows = PQntuples(res);
		for (i = 0; i < rows; i++) {
			for (c = 0; c < PQnfields(res) - 1; c++) {
				v = PQgetvalue(res, i, c);
				if (c > 0)
					putc('\t', out);
				if (ascii(v))
					fputs(v, out);
				else if (put_sjis(cd, v, out) != 0) {
					er = RA_ESYS;
					goto out;
				}
			}
			/* The PEM on one line, encoded here. */
			n = PQgetlength(res, i, c);
			if ((size_t)n * 2 + 8 > pemsz) {
				free(pem);
				pemsz = (size_t)n * 2 + 8;
				if ((pem = malloc(pemsz)) == NULL) {
					er = RA_ENOMEM;
					goto out;
				}
			}
			EVP_EncodeBlock((unsigned char *)pem, (const unsigned char *)
			    PQgetvalue(res, i, c), n);
			fprintf(out, "\t-----BEGIN CERTIFICATE-----%s"
			    "-----END CERTIFICATE-----\r\n", pem);
		}
		PQclear(res);
		res = NULL;
	} while (rows > 0);
	if (ferror(out)) {
		er = RA_ESYS;
		goto out;
	}
	er = fflush(out) == 0 ? RA_OK : RA_ESYS;
out:
	free(pem);
	PQclear(res);
	ra_db_rollback(db);
	iconv_close(cd);
	return er;
}
