/*
 * The TSV reader against files as real users make them: Shift_JIS with
 * CRLF, UTF-8 with a BOM, LF without a final newline, short rows, blank
 * lines; and one broken rule per row, each with its reference code.
 */
#include <iconv.h>
#include <stdlib.h>
#include <string.h>

#include "ra.h"
#include "domain.h"
#include "tap.h"

static struct ra_tsv_errors	 errs;

/* UTF-8 test text to CP932, as Excel on Windows saves it. */
static char *
sjis(const char *utf8, size_t *len)
{
	iconv_t	 cd = iconv_open("CP932", "UTF-8");
	char	*in = (char *)utf8, *out = malloc(4 * strlen(utf8) + 1), *o = out;
	size_t	 inleft = strlen(utf8), outleft = 4 * strlen(utf8);

	iconv(cd, &in, &inleft, &o, &outleft);
	iconv_close(cd);
	*len = (size_t)(o - out);
	return out;
}

static int
has(const char *text)
{
	size_t	 i;

	for (i = 0; i < errs.n; i++)
		if (strcmp(errs.v[i].text, text) == 0)
			return 1;
	for (i = 0; i < errs.n; i++)
		printf("# got: %s\n", errs.v[i].text);
	return 0;
}

static enum ra_err
readit(const char *buf, size_t len, enum ra_tsv_action a, size_t max,
    struct ra_tsv *t)
{
	memset(&errs, 0, sizeof(errs));
	return ra_tsv_read(buf, len, &ra_tsv_server, a, max, t, &errs);
}

#define DN	"CN=www.nii.ac.jp,O=National Institute of Informatics,L=Chiyoda-ku,ST=Tokyo,C=JP"
#define CSR	"-----BEGIN CERTIFICATE REQUEST-----MIIB-----END CERTIFICATE REQUEST-----"
#define ISSUE	DN "\t21\t\t\t\t\t" CSR "\t山田太郎\t情報基盤センター\tyamada@nii.ac.jp\twww.nii.ac.jp\tApache 2.4\twww2.nii.ac.jp"

int
main(void)
{
	struct ra_tsv	 t;
	char		*b, big[4096];
	size_t		 len, i;

	/* A real-world issue file: CP932, CRLF, blank line, final newline. */
	b = sjis(ISSUE "\r\n\r\n" ISSUE "\r\n", &len);
	ok(readit(b, len, RA_TSV_ISSUE, 100, &t) == RA_OK && errs.n == 0,
	    "Shift_JIS CRLF issue file reads clean");
	ok(t.nrows == 2 && t.rows[0].line == 1 && t.rows[1].line == 3,
	    "blank line skipped, line numbers kept");
	ok(t.nrows == 2 && strcmp(t.rows[1].f[7], "山田太郎") == 0,
	    "names decoded to UTF-8");
	ok(t.nrows == 2 && strcmp(t.rows[1].f[12], "www2.nii.ac.jp") == 0,
	    "no CR left on the last field");
	ra_tsv_free(&t);
	free(b);

	/* UTF-8 with a BOM, LF, no final newline. */
	ok(readit("\xef\xbb\xbf" ISSUE "\n" ISSUE, strlen(ISSUE) * 2 + 4,
	    RA_TSV_ISSUE, 100, &t) == RA_OK && errs.n == 0 && t.nrows == 2,
	    "UTF-8 with BOM, LF, no final newline");
	ra_tsv_free(&t);

	/* A revocation row stops after column 10: the rest is empty. */
	b = sjis(DN "\t\t\t4097000000000000000\t1\t\t\t\t\tyamada@nii.ac.jp\n", &len);
	ok(readit(b, len, RA_TSV_REVOKE, 100, &t) == RA_OK && errs.n == 0 &&
	    t.nrows == 1 && strcmp(t.rows[0].f[12], "") == 0,
	    "short revocation rows: absent columns are empty");
	ra_tsv_free(&t);
	free(b);

	/* Trailing empty columns are framing, not data. */
	ok(readit(ISSUE "\t\t\n", strlen(ISSUE) + 3, RA_TSV_ISSUE, 100, &t) ==
	    RA_OK && errs.n == 0, "trailing TABs are tolerated");
	ra_tsv_free(&t);

	/* Whole-file errors. */
	ok(readit("", 0, RA_TSV_ISSUE, 100, &t) == RA_EINPUT &&
	    has("213:1,,申請ファイルに入力がありません。"), "empty file: 213");
	ok(readit("\r\n\n \n", 5, RA_TSV_ISSUE, 100, &t) == RA_EINPUT &&
	    errs.v[0].code == 213, "blank lines only: 213");
	snprintf(big, sizeof(big), "%s\n%s\n%s\n", ISSUE, ISSUE, ISSUE);
	ok(readit(big, strlen(big), RA_TSV_ISSUE, 2, &t) == RA_EINPUT &&
	    errs.v[0].code == 214 && errs.v[0].line == 3,
	    "more records than the limit: 214 at the first one too many");
	/* Rows full of errors: 214 is said before the error list fills. */
	b = malloc(1500 * 4 + 1);
	for (i = 0; i < 1500; i++)
		memcpy(b + 4 * i, "x\tx\n", 4);
	b[4 * 1500] = '\0';
	ok(readit(b, 4 * 1500, RA_TSV_ISSUE, 1000, &t) == RA_EINPUT &&
	    errs.n == 1 && errs.v[0].code == 214 && errs.v[0].line == 1001,
	    "1500 bad rows, 1000 allowed: 214 at row 1001, before any row error");
	free(b);
	ok(readit("abc\n\0\x01\x02", 7, RA_TSV_ISSUE, 100, &t) == RA_EINPUT &&
	    errs.v[0].code == 218 && errs.v[0].line == 2,
	    "a binary file renamed .tsv: 218");
	ok(readit("CN=x\n\x82\xff\n", 8, RA_TSV_ISSUE, 100, &t) == RA_EINPUT &&
	    errs.v[0].code == 218 && errs.v[0].line == 2,
	    "an invalid Shift_JIS byte sequence: 218 on its line");

	/* Well-formed UTF-8 only (RFC 3629): else the file is read as CP932. */
#define U8(s)	ra_utf8_valid((const unsigned char *)(s), sizeof(s) - 1)
	ok(U8("a\xc2\xa9\xe3\x81\x82\xef\xbf\xbd\xf0\x9f\x98\x80\xf4\x8f\xbf\xbf"),
	    "UTF-8 of 1 to 4 bytes up to U+10FFFF is UTF-8");
	ok(!U8("\xe0\x80\xaf") && !U8("\xc0\xaf") && !U8("\xf0\x80\x80\xaf"),
	    "overlong forms are not UTF-8");
	ok(!U8("\xed\xa0\x80") && !U8("\xed\xbf\xbf"), "surrogates are not UTF-8");
	ok(!U8("\xf4\x90\x80\x80") && !U8("\xf5\x80\x80\x80"),
	    "code points above U+10FFFF are not UTF-8");
	ok(!U8("\xe3\x81") && !U8("\xe3\x81" "a"), "a cut or broken sequence is not UTF-8");
#undef U8

	/* One broken rule per row. */
	b = sjis(
	    DN "\t21\t\t\t\t\t" CSR "\t\t情報基盤センター\tyamada@nii.ac.jp\twww.nii.ac.jp\tApache\n"
	    DN "\t2x\t\t\t\t\t" CSR "\t山田\t情報基盤センター\tyamada@nii.ac.jp\twww.nii.ac.jp\tApache\n"
	    DN "\t21\t\t\t\t\t" CSR "\t山田\t情報基盤センター\tyamada(at)nii.ac.jp\twww.nii.ac.jp\tApache\n"
	    DN "\t21\t\t\t\t\t" CSR "\t①山田\t情報基盤センター\tyamada@nii.ac.jp\twww.nii.ac.jp\tApache\n"
	    DN "\t21\t\t\t\t\t" CSR "\tﾔﾏﾀﾞ\t情報基盤センター\tyamada@nii.ac.jp\twww.nii.ac.jp\tApache\n"
	    DN "\t21\t\t\t\t\t" CSR "\t山田\t情報基盤センター\tyamada@nii.ac.jp\twww.nii.ac.jp\tApache\t\tEXTRA\n",
	    &len);
	ok(readit(b, len, RA_TSV_ISSUE, 100, &t) == RA_OK, "rows with errors still read");
	ok(has("201:1,利用管理者氏名,利用管理者氏名は入力必須項目です。"),
	    "missing required field: 201 with row and label");
	ok(has("204:2,証明書プロファイルID,証明書プロファイルIDは半角数字以外の文字が含まれています。"),
	    "non-digit profile: 204");
	ok(has("206:3,利用管理者メールアドレス,利用管理者メールアドレスはメール形式ではありません。"),
	    "bad mail address: 206");
	ok(has("205:4,利用管理者氏名,利用管理者氏名は不正な文字が含まれています。"),
	    "NEC row-13 character (①): 205");
	ok(has("205:5,利用管理者氏名,利用管理者氏名は不正な文字が含まれています。"),
	    "half-width katakana: 205");
	ok(has("216:6,,列数が13列を超えています / more than 13 columns"),
	    "data beyond column 13: 216");
	free(b);
	ra_tsv_free(&t);

	/* Excel's CP932 for JIS X 0208 symbols passes; IBM extensions do not. */
	b = sjis(
	    DN "\t21\t\t\t\t\t" CSR "\t山田\t情報基盤センター～第２－∥\tyamada@nii.ac.jp\twww.nii.ac.jp\tApache\n"
	    DN "\t21\t\t\t\t\t" CSR "\t髙橋\t情報基盤センター\tyamada@nii.ac.jp\twww.nii.ac.jp\tApache\n",
	    &len);
	ok(readit(b, len, RA_TSV_ISSUE, 100, &t) == RA_OK && errs.n == 1 &&
	    has("205:2,利用管理者氏名,利用管理者氏名は不正な文字が含まれています。"),
	    "～ － ∥ from Excel accepted; 髙 (IBM extension): 205");
	ra_tsv_free(&t);
	free(b);

	/* Length in characters, not bytes; and columns that must be empty. */
	memset(big, 0, sizeof(big));
	for (i = 0; i < 65; i++)
		strcat(big, "あ");
	snprintf(big + strlen(big), sizeof(big) - strlen(big), "\t");
	{
		char	 row[8192];

		snprintf(row, sizeof(row), DN "\t21\t\t\t\t\t" CSR "\t%s情報\tyamada@nii.ac.jp\twww.nii.ac.jp\tApache\n", big);
		ok(readit(row, strlen(row), RA_TSV_ISSUE, 100, &t) == RA_OK &&
		    has("202:1,利用管理者氏名,利用管理者氏名は64桁以内で入力してください。"),
		    "65 full-width characters: 202 (64 is the limit)");
		ra_tsv_free(&t);
	}
	ok(readit(ISSUE "\n", strlen(ISSUE) + 1, RA_TSV_REVOKE, 100, &t) ==
	    RA_OK && has("217:1,証明書プロファイルID,証明書プロファイルIDは空欄にしてください。"),
	    "a revocation row with a profile: 217");
	ra_tsv_free(&t);

	{
		/* 1,200 rows with no DN: errors past the cap still fail the row. */
		size_t	 n = 1200, k;
		char	*many = malloc(n * 4 + 1), *p = many;	/* and its NUL */

		for (k = 0; k < n; k++)
			p = stpcpy(p, "\t21\n");
		ok(readit(many, strlen(many), RA_TSV_ISSUE, n, &t) == RA_OK &&
		    errs.n == RA_TSV_ERRORS_MAX && errs.dropped > 0 &&
		    t.nrows == n && t.rows[n - 1].errors > 0 &&
		    t.rows[0].errors > 0, "past %d errors: counted per row, "
		    "the last row still NG", RA_TSV_ERRORS_MAX);
		ra_tsv_free(&t);
		free(many);
	}
	{
		/* ⑤: five columns, all required, read as the others. */
		static const char admin[] = DN "\t4097000000000000000\t新担当 花子"
		    "\t情報戦略室\thanako@nii.ac.jp\r\n"
		    DN "\t4097\t\t情報戦略室\thanako@nii.ac.jp\textra\r\n";

		memset(&errs, 0, sizeof(errs));
		b = sjis(admin, &len);
		ok(ra_tsv_read(b, len, &ra_tsv_admin, RA_TSV_UPDATE, 100, &t,
		    &errs) == RA_OK && t.nrows == 2 && t.rows[0].errors == 0 &&
		    strcmp(t.rows[0].f[2], "新担当 花子") == 0 &&
		    has("201:2,利用管理者氏名,利用管理者氏名は入力必須項目です。") &&
		    has("216:2,,列数が5列を超えています / more than 5 columns"),
		    "⑤'s format: a Shift_JIS row read; an empty name, a 6th column refused");
		ra_tsv_free(&t);
		free(b);
	}
	ok(ra_tsv_name_ok("server.tsv") && ra_tsv_name_ok("a.TXT") &&
	    !ra_tsv_name_ok("server.csv") && !ra_tsv_name_ok("tsv"),
	    "file names: .tsv and .txt only (209)");
	return tap_done();
}
