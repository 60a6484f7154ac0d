/*
 * allowlist.c: ⑧ 許可リスト一括ダウンロード, the OU allow list (OU許可
 * リスト) of the domains an RA officer is registered for, as the TSV the
 * reference proposes (§3.3): a header "ドメイン名<TAB>OU", one line per
 * (domain, OU), sorted by domain then OU, CRLF, Shift_JIS as ② is.  A
 * domain with no OU has no line: an upload there may carry no OU.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ra.h"
#include "domain.h"

/*
 * Byte order ("C"), so the file is the same whatever the database's
 * locale; both columns are ASCII by the schema's rules anyway.  The
 * institution is checked as well as the officer's domains: officer_domain
 * cannot cross institutions, and the file must not either.
 */
static const char SQL_ALLOW[] =
    "SELECT d.name, o.ou::text AS ou"
    "  FROM ra.officer_domain od"
    "  JOIN ra.domain d ON d.domain_id = od.domain_id"
    "  JOIN ra.domain_ou o ON o.domain_id = d.domain_id"
    " WHERE od.officer_id = $2::bigint AND d.institution_id = $1::bigint"
    " ORDER BY d.name COLLATE \"C\", o.ou COLLATE \"C\"";

static const char *const allow_header[] = { "ドメイン名", "OU" };

static const char *const allow_iconv[RA_EXPORT_ENC__MAX] = {
	[RA_EXPORT_SJIS] = "CP932",
	[RA_EXPORT_UTF8] = "UTF-8",
};
_Static_assert(RA_NITEMS(allow_iconv) == RA_EXPORT_ENC__MAX,
    "allow_iconv[] out of sync with enum ra_export_enc");

/* One line of "n" UTF-8 fields, in "charset". */
static enum ra_err
put_line(FILE *out, const char *charset, const char *const *f, size_t n)
{
	char		*v;
	size_t		 i;
	enum ra_err	 er = RA_OK;

	for (i = 0; i < n && er == RA_OK; i++) {
		if ((v = ra_recode(f[i], charset)) == NULL) {
			ra_warnx("allow list: \"%s\" has no %s form", f[i],
			    charset);
			return RA_EDB;
		}
		/* One line a pair: the schema allows no TAB or CR; keep it so. */
		if (strpbrk(v, "\t\r\n") != NULL)
			er = RA_EDB;
		else if ((i > 0 && fputc('\t', out) == EOF) ||
		    fputs(v, out) == EOF)
			er = RA_ESYS;
		free(v);
	}
	if (er == RA_OK && fputs("\r\n", out) == EOF)
		er = RA_ESYS;
	return er;
}

/*
 * Write the allow list of officer "officer_id" of institution
 * "institution_id" to "out" in "enc".  The rows are read first, so an
 * error before the header leaves "out" untouched.
 */
enum ra_err
ra_allowlist(PGconn *db, int64_t institution_id, int64_t officer_id,
    enum ra_export_enc enc, FILE *out)
{
	PGresult	*res = NULL;
	const char	*f[2];
	int		 i;
	enum ra_err	 er;

	if (enc < 0 || enc >= RA_EXPORT_ENC__MAX)
		return RA_EINPUT;
	if ((er = ra_db_run(db, "allow list", SQL_ALLOW, &res,
	    RA_ARGS(RA_INT(institution_id), RA_INT(officer_id)))) != RA_OK)
		return er;
	if ((er = put_line(out, allow_iconv[enc], allow_header,
	    RA_NITEMS(allow_header))) != RA_OK)
		goto out;
	for (i = 0; i < PQntuples(res); i++) {
		f[0] = ra_get_text(res, i, "name");
		f[1] = ra_get_text(res, i, "ou");
		if ((er = put_line(out, allow_iconv[enc], f, 2)) != RA_OK)
			goto out;
	}
	er = fflush(out) == 0 && !ferror(out) ? RA_OK : RA_ESYS;
out:
	PQclear(res);
	return er;
}
