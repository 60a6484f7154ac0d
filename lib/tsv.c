/*
 * tsv.c: the upload files (reference §2.0).  Shift_JIS/CP932 as Excel and
 * the integrators write them, or UTF-8 with or without a BOM; CRLF or LF;
 * an optional final newline; blank lines ignored; TAB-separated, never
 * quoted; absent trailing columns are empty.  Every column rule comes from
 * a declared table (struct ra_tsv_col): required or empty per action,
 * character class, maximum length in characters.  Nothing here knows a
 * column by its number.
 */
#include <errno.h>
#include <iconv.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "ra.h"
#include "domain.h"

/* The reference's messages (§5.1), "{}" being the column's label. */
static const char *const msg_required = "%sは入力必須項目です。";
static const char *const msg_length = "%sは%zu桁以内で入力してください。";
static const char *const msg_digits = "%sは半角数字以外の文字が含まれています。";
static const char *const msg_chars = "%sは不正な文字が含まれています。";
static const char *const msg_mail = "%sはメール形式ではありません。";
static const char *const msg_empty = "%sは空欄にしてください。";
static const char *const msg_formula = "%sの先頭に「=」「+」「-」「@」は"
    "使えません（表計算ソフトが式として実行するため） / must not start with "
    "= + - @ (a spreadsheet would run it as a formula)";
static const char *const msg_tabcr = "%sにタブまたは改行(CR)が含まれています"
    " / holds a TAB or CR";

/*
 * Whether a spreadsheet opening a download would take "v" for a formula
 * or break its cell (OWASP "CSV injection"): refused at upload, never
 * repaired, so no download holds one.  Digits cannot trip it; PEM starts
 * with "-----BEGIN" and secrets are never shown, so those are exempt.
 */
/* Whether a spreadsheet would run "v" as a formula (its first character). */
int
ra_text_formula(const char *v)
{
	return v[0] != '\0' && strchr("=+-@", v[0]) != NULL;
}

static int
formula_ok(const struct ra_tsv_col *c, const char *v, int line,
    struct ra_tsv_errors *e)
{
	if (c->cls == RA_TSV_PEM || c->secret)
		return 1;
	if (strpbrk(v, "\t\r") != NULL) {
		ra_tsv_errorf(e, RA_TSV_EFORMULA, line, c->label, msg_tabcr,
		    c->label);
		return 0;
	}
	if (ra_text_formula(v)) {
		ra_tsv_errorf(e, RA_TSV_EFORMULA, line, c->label, msg_formula,
		    c->label);
		return 0;
	}
	return 1;
}

void
ra_tsv_errorf(struct ra_tsv_errors *e, int code, int line,
    const char *label, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	ra_tsv_verrorf(e, code, line, label, fmt, ap);
	va_end(ap);
}

/* One error, "<code>:<line>,<label>,<message>"; past the cap, counted. */
void
ra_tsv_verrorf(struct ra_tsv_errors *e, int code, int line,
    const char *label, const char *fmt, va_list ap)
{
	struct ra_tsv_error	*x;
	size_t			 n;

	if (e->n == RA_TSV_ERRORS_MAX) {
		e->dropped++;
		return;
	}
	x = &e->v[e->n++];
	x->code = code;
	x->line = line;
	n = (size_t)snprintf(x->text, sizeof(x->text), "%d:%d,%s,", code, line,
	    label != NULL ? label : "");
	if (n < sizeof(x->text))
		vsnprintf(x->text + n, sizeof(x->text) - n, fmt, ap);
	ra_utf8_cut(x->text);
}

/*
 * Drop from the end of "s" a UTF-8 sequence that a bounded snprintf cut
 * in half, so a message cut at its buffer's end still reads as UTF-8.
 * Only the last character can be incomplete: the rest is left alone.
 */
void
ra_utf8_cut(char *s)
{
	size_t		 n = strlen(s), k = n, need;
	unsigned char	 c;

	while (k > 0 && n - k < 3 && ((unsigned char)s[k - 1] & 0xc0) == 0x80)
		k--;
	if (k == 0) {
		s[0] = '\0';			/* nothing but continuation bytes */
		return;
	}
	c = (unsigned char)s[k - 1];
	need = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
	if (c >= 0x80 && c < 0xc0)
		s[k - 1] = '\0';		/* a fourth continuation byte */
	else if (k - 1 + need > n)
		s[k - 1] = '\0';		/* lead byte without its tail */
	else if (need == 1 && k < n)
		s[k] = '\0';			/* stray continuation bytes */
}

/*
 * snprintf for messages: a message longer than "sz" is cut on a UTF-8
 * character boundary.  Returns what snprintf returns.
 */
int
ra_msgf(char *buf, size_t sz, const char *fmt, ...)
{
	va_list	 ap;
	int	 n;

	if (sz == 0)
		return 0;
	va_start(ap, fmt);
	n = vsnprintf(buf, sz, fmt, ap);
	va_end(ap);
	if (n >= 0 && (size_t)n >= sz)
		ra_utf8_cut(buf);
	return n;
}

/* Characters (not bytes) in a valid UTF-8 string. */
static size_t
utf8_len(const char *s)
{
	size_t	 n = 0;

	for (; *s != '\0'; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

/*
 * Well-formed UTF-8 as RFC 3629 section 4 defines it: no overlong forms,
 * no surrogates (U+D800..DFFF), nothing above U+10FFFF.  The second byte's
 * range depends on the first; the rest are plain continuation bytes.
 */
int
ra_utf8_valid(const unsigned char *p, size_t len)
{
	size_t		 i = 0, k, need;
	unsigned char	 lo, hi;

	while (i < len) {
		if (p[i] < 0x80) {
			i++;
			continue;
		}
		lo = 0x80;
		hi = 0xbf;
		if (p[i] >= 0xc2 && p[i] <= 0xdf)
			need = 1;
		else if (p[i] >= 0xe0 && p[i] <= 0xef) {
			need = 2;
			if (p[i] == 0xe0)
				lo = 0xa0;	/* overlong below U+0800 */
			else if (p[i] == 0xed)
				hi = 0x9f;	/* surrogates */
		} else if (p[i] >= 0xf0 && p[i] <= 0xf4) {
			need = 3;
			if (p[i] == 0xf0)
				lo = 0x90;	/* overlong below U+10000 */
			else if (p[i] == 0xf4)
				hi = 0x8f;	/* above U+10FFFF */
		} else
			return 0;
		if (i + need >= len || p[i + 1] < lo || p[i + 1] > hi)
			return 0;
		for (k = 2; k <= need; k++)
			if ((p[i + k] & 0xc0) != 0x80)
				return 0;
		i += need + 1;
	}
	return 1;
}

/*
 * Whether line "s" of "n" bytes (LF excluded) is blank by the reader's own
 * rule: one trailing CR dropped, then nothing but spaces and TABs.
 */
static int
blank(const char *s, size_t n)
{
	size_t	 i;

	if (n > 0 && s[n - 1] == '\r')
		n--;
	for (i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t')
			return 0;
	return 1;
}

/* The line of record max + 1, or 0 when "text" has at most "max" records. */
static int
too_many_at(const char *text, size_t max)
{
	const char	*p, *nl;
	size_t		 n = 0;
	int		 line = 0;

	for (p = text; *p != '\0'; p = nl) {
		line++;
		if ((nl = strchr(p, '\n')) == NULL)
			nl = p + strlen(p);
		if (!blank(p, (size_t)(nl - p)) && ++n > max)
			return line;
		if (*nl == '\n')
			nl++;
	}
	return 0;
}

/*
 * The file as UTF-8 (caller frees).  RA_EINPUT with an error (code 218,
 * the line of the first undecodable byte) when it is neither UTF-8 nor
 * CP932, or holds a NUL (a binary file renamed .tsv).
 */
static enum ra_err
tsv_decode(const char *buf, size_t len, char **out, struct ra_tsv_errors *e)
{
	iconv_t		 cd;
	char		*in = (char *)buf, *o, *dst;
	size_t		 inleft, outleft, sz, i;
	int		 line = 1;

	*out = NULL;
	if (memchr(buf, '\0', len) != NULL) {
		for (i = 0; buf[i] != '\0'; i++)
			line += buf[i] == '\n';
		ra_tsv_errorf(e, 218, line, NULL, "テキストファイルではありません"
		    "（NUL文字があります） / not a text file");
		return RA_EINPUT;
	}
	if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0) {
		buf += 3;
		len -= 3;
	}
	if (ra_utf8_valid((const unsigned char *)buf, len)) {
		if ((*out = strndup(buf, len)) == NULL)
			return RA_ENOMEM;
		return RA_OK;
	}
	if ((cd = iconv_open("UTF-8", "CP932")) == (iconv_t)-1)
		return RA_ESYS;
	sz = 3 * len + 1;
	if ((dst = malloc(sz)) == NULL) {
		iconv_close(cd);
		return RA_ENOMEM;
	}
	in = (char *)buf;
	inleft = len;
	o = dst;
	outleft = sz - 1;
	if (iconv(cd, &in, &inleft, &o, &outleft) == (size_t)-1) {
		for (i = 0; buf + i < in; i++)
			line += buf[i] == '\n';
		ra_tsv_errorf(e, 218, line, NULL, "Shift_JISとして読めない文字が"
		    "あります / invalid Shift_JIS byte sequence");
		iconv_close(cd);
		free(dst);
		return RA_EINPUT;
	}
	*o = '\0';
	iconv_close(cd);
	*out = dst;
	return RA_OK;
}

/*
 * The encoders jis_ok tries, opened once per file (a handle per field
 * cost more than the check): (iconv_t)-1 until first needed, and when
 * iconv_open failed.
 */
struct jis_cds {
	iconv_t		 sjis, cp932;
	int		 tried;
};

static void
jis_cds_close(struct jis_cds *j)
{
	if (j->sjis != (iconv_t)-1)
		iconv_close(j->sjis);
	if (j->cp932 != (iconv_t)-1)
		iconv_close(j->cp932);
	j->sjis = j->cp932 = (iconv_t)-1;
}

/* "s" through "cd", into a buffer as long as "s": neither encoding is wider. */
static char *
jis_encode(iconv_t cd, const char *s)
{
	char		*in = (char *)s, *out, *o;
	size_t		 inleft = strlen(s), outleft = strlen(s);

	if (cd == (iconv_t)-1 || (out = malloc(outleft + 1)) == NULL)
		return NULL;
	(void)iconv(cd, NULL, NULL, NULL, NULL);	/* the initial state */
	o = out;
	if (iconv(cd, &in, &inleft, &o, &outleft) == (size_t)-1) {
		free(out);
		out = NULL;
	} else
		*o = '\0';
	return out;
}

/*
 * In JIS X 0208, not half-width katakana (§2.7).  Excel's CP932 gives
 * some JIS X 0208 symbols other code points (～ U+FF5E for U+301C, － ∥
 * ￠ ￡ ￢), so a CP932 encoding passes too when it stays out of CP932's
 * own rows: NEC row 13 (lead byte 0x87), NEC-selected IBM (0xED, 0xEE),
 * user-defined and IBM extensions (0xF0 to 0xFC).
 */
static int
jis_ok(struct jis_cds *j, const char *s)
{
	const unsigned char *p;
	char		*enc;

	for (p = (const unsigned char *)s; *p != '\0'; p++)
		if (*p < 0x20 || *p == 0x7f)
			return 0;
		/* U+FF61..U+FF9F: EF BD A1..EF BE 9F */
		else if (p[0] == 0xef && ((p[1] == 0xbd && p[2] >= 0xa1) ||
		    (p[1] == 0xbe && p[2] <= 0x9f)))
			return 0;
	if (!j->tried) {
		j->tried = 1;
		j->sjis = iconv_open("SHIFT_JIS", "UTF-8");
		j->cp932 = iconv_open("CP932", "UTF-8");
	}
	if ((enc = jis_encode(j->sjis, s)) != NULL) {
		free(enc);
		return 1;
	}
	if ((enc = jis_encode(j->cp932, s)) == NULL)
		return 0;
	for (p = (const unsigned char *)enc; *p != '\0'; p++) {
		if (*p < 0x80)
			continue;
		if (*p == 0x87 || *p == 0xed || *p == 0xee || *p >= 0xf0) {
			free(enc);
			return 0;
		}
		if (p[1] != '\0')
			p++;			/* the trail byte */
	}
	free(enc);
	return 1;
}

static int
half_ok(const char *s)
{
	for (; *s != '\0'; s++)
		if (*s < 0x20 || *s > 0x7e)
			return 0;
	return 1;
}

/* Mail columns: only "-" "_" "@" "." as symbols (reference §5.2). */
static int
mail_ok(const char *s)
{
	const char	*at = strchr(s, '@');

	return at != NULL && at != s && at[1] != '\0' &&
	    strchr(at + 1, '@') == NULL && strchr(at + 1, '.') != NULL &&
	    strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789-_@.") == strlen(s);
}

/* One field against its column's rule for "action"; errors appended. */
static void
check_field(const struct ra_tsv_col *c, enum ra_tsv_action action,
    const char *v, int line, struct ra_tsv_errors *e, struct jis_cds *j)
{
	char	 need = c->need[action];

	if (*v == '\0') {
		if (need == 'R')
			ra_tsv_errorf(e, 201, line, c->label, msg_required,
			    c->label);
		return;
	}
	if (need == 'E') {
		ra_tsv_errorf(e, 217, line, c->label, msg_empty, c->label);
		return;
	}
	if (!formula_ok(c, v, line, e))
		return;
	switch (c->cls) {
	case RA_TSV_DIGITS:
		if (strspn(v, "0123456789") != strlen(v)) {
			ra_tsv_errorf(e, 204, line, c->label, msg_digits,
			    c->label);
			return;
		}
		break;
	case RA_TSV_MAIL:
		if (!mail_ok(v)) {
			ra_tsv_errorf(e, 206, line, c->label, msg_mail,
			    c->label);
			return;
		}
		break;
	case RA_TSV_JIS:
		if (!jis_ok(j, v)) {
			ra_tsv_errorf(e, 205, line, c->label, msg_chars,
			    c->label);
			return;
		}
		break;
	case RA_TSV_HALF:
	case RA_TSV_PEM:
		if (!half_ok(v)) {
			ra_tsv_errorf(e, 205, line, c->label, msg_chars,
			    c->label);
			return;
		}
		break;
	}
	if (utf8_len(v) > c->max)
		ra_tsv_errorf(e, 202, line, c->label, msg_length, c->label,
		    c->max);
}

/*
 * Read an upload into rows of "fmt" and check every field against the
 * table for "action".  On RA_OK "t" holds the rows (ra_tsv_free), and "e"
 * the field errors, if any, each "<code>:<line>,<label>,<message>".
 * RA_EINPUT for a file that cannot be read as rows at all (empty, not
 * text, bad encoding, too many records); then "e" says why.
 */
enum ra_err
ra_tsv_read(const char *buf, size_t len, const struct ra_tsv_format *fmt,
    enum ra_tsv_action action, size_t max_records, struct ra_tsv *t,
    struct ra_tsv_errors *e)
{
	struct jis_cds	 j = { (iconv_t)-1, (iconv_t)-1, 0 };
	char		*text = NULL, *p, *nl, *f;
	size_t		 c, nrows = 0, cap = 0, before;
	struct ra_tsv_row *row, *rows = NULL;
	int		 line = 0;
	enum ra_err	 er;

	memset(t, 0, sizeof(*t));
	if ((er = tsv_decode(buf, len, &text, e)) != RA_OK)
		return er;
	/*
	 * 214 before any row is checked: a file of too many rows full of
	 * errors would otherwise fill the error list first and never say so.
	 */
	if ((line = too_many_at(text, max_records)) > 0) {
		ra_tsv_errorf(e, 214, line, NULL, "ファイル内のレコードが"
		    "指定件数（%zu件）を超えているため申請できません。",
		    max_records);
		free(text);
		return RA_EINPUT;
	}
	for (p = text; *p != '\0'; p = nl) {
		line++;
		if ((nl = strchr(p, '\n')) != NULL)
			*nl++ = '\0';
		else
			nl = p + strlen(p);
		if (*p != '\0' && p[strlen(p) - 1] == '\r')
			p[strlen(p) - 1] = '\0';	/* CRLF */
		if (strspn(p, " \t") == strlen(p))
			continue;			/* blank line */
		if (nrows == max_records) {		/* too_many_at's backstop */
			ra_tsv_errorf(e, 214, line, NULL, "ファイル内のレコードが"
			    "指定件数（%zu件）を超えているため申請できません。",
			    max_records);
			er = RA_EINPUT;
			goto out;
		}
		if (nrows == cap) {
			cap = cap == 0 ? 64 : 2 * cap;
			if ((row = realloc(rows, cap * sizeof(*rows))) == NULL) {
				er = RA_ENOMEM;
				goto out;
			}
			rows = row;
		}
		row = &rows[nrows++];
		memset(row, 0, sizeof(*row));
		row->line = line;
		before = e->n + e->dropped;
		for (c = 0, f = p; ; c++) {
			char	*tab = strchr(f, '\t');

			if (tab != NULL)
				*tab = '\0';
			if (c < fmt->ncols)
				row->f[c] = f;
			else if (*f != '\0') {
				/* Extra empty columns (trailing TABs) are framing. */
				ra_tsv_errorf(e, 216, line, NULL, "列数が%zu列を"
				    "超えています / more than %zu columns",
				    fmt->ncols, fmt->ncols);
				break;
			}
			if (tab == NULL)
				break;
			f = tab + 1;
		}
		for (c = 0; c < fmt->ncols; c++) {
			if (row->f[c] == NULL)
				row->f[c] = "";		/* absent: empty */
			check_field(&fmt->cols[c], action, row->f[c], line, e,
			    &j);
		}
		/* Counted, not searched for: past the cap errors are not listed. */
		row->errors = e->n + e->dropped - before;
	}
	if (nrows == 0) {
		ra_tsv_errorf(e, 213, line > 0 ? line : 1, NULL,
		    "申請ファイルに入力がありません。");
		er = RA_EINPUT;
		goto out;
	}
	jis_cds_close(&j);
	t->text = text;
	t->rows = rows;
	t->nrows = nrows;
	return RA_OK;
out:
	jis_cds_close(&j);
	free(rows);
	free(text);
	return er;
}

void
ra_tsv_free(struct ra_tsv *t)
{
	free(t->rows);
	free(t->text);
	memset(t, 0, sizeof(*t));
}

/* Extension check (reference error 209): .tsv or .txt, any case. */
int
ra_tsv_name_ok(const char *name)
{
	const char	*dot = strrchr(name, '.');

	return dot != NULL && (strcasecmp(dot, ".tsv") == 0 ||
	    strcasecmp(dot, ".txt") == 0);
}

/* The server certificate TSV (reference §2.3.2), issue/renew/revoke. */
static const struct ra_tsv_col server_cols[] = {
	{ "主体者DN",			"RRR", RA_TSV_HALF,	250, 0, "subject DN" },
	{ "証明書プロファイルID",	"RRE", RA_TSV_DIGITS,	2, 0, "profile ID" },
	{ "ダウンロード方法",		"EEE", RA_TSV_DIGITS,	1, 0, "download method" },
	{ "シリアル番号",		"ERR", RA_TSV_DIGITS,	40, 0, "serial number" },
	{ "失効理由",			"EER", RA_TSV_DIGITS,	2, 0, "revocation reason" },
	{ "失効理由コメント",		"EEO", RA_TSV_JIS,	128, 0, "revocation comment" },
	{ "CSR",			"RRE", RA_TSV_PEM,	16384, 0, "CSR" },
	{ "利用管理者氏名",		"RRE", RA_TSV_JIS,	64, 0, "administrator's name" },
	{ "利用管理者所属",		"RRE", RA_TSV_JIS,	64, 0, "administrator's affiliation" },
	{ "利用管理者メールアドレス",	"RRR", RA_TSV_MAIL,	78, 0, "administrator's mail address" },
	{ "FQDN",			"RRE", RA_TSV_HALF,	64, 0, "FQDN" },
	{ "サーバソフトウェア名・バージョン", "RRE", RA_TSV_JIS,	128, 0, "server software and version" },
	{ "dNSName",			"OOE", RA_TSV_HALF,	250, 0, "dNSName" },
};

_Static_assert(RA_NITEMS(server_cols) <= RA_TSV_MAXCOLS,
    "server_cols[] has more columns than a row can hold");

const struct ra_tsv_format ra_tsv_server = {
	"server", RA_NITEMS(server_cols), server_cols
};

/*
 * The client and S/MIME certificate TSV (reference §2.4): 15 columns, or
 * 14 in files made before column 15 (アクセスPIN) existed, which read the
 * same (absent trailing columns are empty).  Revocation rows carry the
 * DN, serial, reason, comment and the two mail addresses only.
 */
static const struct ra_tsv_col client_cols[] = {
	{ "主体者DN",			"RRR", RA_TSV_HALF,	250, 0, "subject DN" },
	{ "証明書プロファイルID",	"RRE", RA_TSV_DIGITS,	2, 0, "profile ID" },
	{ "ダウンロード方法",		"RRE", RA_TSV_DIGITS,	1, 0, "download method" },
	{ "シリアル番号",		"ERR", RA_TSV_DIGITS,	40, 0, "serial number" },
	{ "失効理由",			"EER", RA_TSV_DIGITS,	2, 0, "revocation reason" },
	{ "失効理由コメント",		"EEO", RA_TSV_JIS,	128, 0, "revocation comment" },
	{ "7列目（空欄）",		"EEE", RA_TSV_HALF,	1, 0, "column 7 (empty)" },
	{ "利用管理者氏名",		"RRE", RA_TSV_JIS,	64, 0, "administrator's name" },
	{ "利用管理者所属",		"RRE", RA_TSV_JIS,	64, 0, "administrator's affiliation" },
	{ "利用管理者メールアドレス",	"RRR", RA_TSV_MAIL,	78, 0, "administrator's mail address" },
	{ "利用者氏名",			"RRE", RA_TSV_JIS,	64, 0, "user's name" },
	{ "P12ダウンロードファイル名",	"RRE", RA_TSV_HALF,	64, 0, "P12 file name" },
	{ "利用者所属",			"OOE", RA_TSV_JIS,	64, 0, "user's affiliation" },
	{ "利用者メールアドレス",	"RRR", RA_TSV_MAIL,	78, 0, "user's mail address" },
	{ "アクセスPIN",		"OOE", RA_TSV_HALF,	128, 1, "access PIN" },
};

_Static_assert(RA_NITEMS(client_cols) <= RA_TSV_MAXCOLS,
    "client_cols[] has more columns than a row can hold");

const struct ra_tsv_format ra_tsv_client = {
	"client", RA_NITEMS(client_cols), client_cols
};

/*
 * The code-signing certificate TSV (reference §2.5, §10.5): the server
 * frame of 13 columns.  A code-signing certificate names no host, so
 * FQDN and dNSName stay empty; column 12 is the key-protection statement
 * (a code of ra.key_protection), required for issue and renewal.
 */
static const struct ra_tsv_col codesign_cols[] = {
	{ "主体者DN",			"RRR", RA_TSV_HALF,	250, 0, "subject DN" },
	{ "証明書プロファイルID",	"RRE", RA_TSV_DIGITS,	2, 0, "profile ID" },
	{ "3列目（空欄）",		"EEE", RA_TSV_DIGITS,	1, 0, "column 3 (empty)" },
	{ "シリアル番号",		"ERR", RA_TSV_DIGITS,	40, 0, "serial number" },
	{ "失効理由",			"EER", RA_TSV_DIGITS,	2, 0, "revocation reason" },
	{ "失効理由コメント",		"EEO", RA_TSV_JIS,	128, 0, "revocation comment" },
	{ "CSR",			"RRE", RA_TSV_PEM,	16384, 0, "CSR" },
	{ "利用管理者氏名",		"RRE", RA_TSV_JIS,	64, 0, "administrator's name" },
	{ "利用管理者所属",		"RRE", RA_TSV_JIS,	64, 0, "administrator's affiliation" },
	{ "利用管理者メールアドレス",	"RRR", RA_TSV_MAIL,	78, 0, "administrator's mail address" },
	{ "FQDN",			"EEE", RA_TSV_HALF,	64, 0, "FQDN" },
	{ "鍵保護方式",			"RRE", RA_TSV_HALF,	16, 0, "key protection" },
	{ "dNSName",			"EEE", RA_TSV_HALF,	250, 0, "dNSName" },
};

_Static_assert(RA_NITEMS(codesign_cols) <= RA_TSV_MAXCOLS,
    "codesign_cols[] has more columns than a row can hold");

const struct ra_tsv_format ra_tsv_codesign = {
	"codesign", RA_NITEMS(codesign_cols), codesign_cols
};

/*
 * ⑤ 利用管理者情報 更新 (reference §2.6, layout [I]): the certificate by
 * its subject DN and serial, and its new user administrator.  Every
 * column is required; the last three as in ① and ③ (columns 8 to 10).
 * Read with RA_TSV_UPDATE only: the other actions' letters are unused.
 */
static const struct ra_tsv_col admin_cols[] = {
	{ "主体者DN",			"RRRR", RA_TSV_HALF,	250, 0, "subject DN" },
	{ "シリアル番号",		"RRRR", RA_TSV_DIGITS,	40, 0, "serial number" },
	{ "利用管理者氏名",		"RRRR", RA_TSV_JIS,	64, 0, "administrator's name" },
	{ "利用管理者所属",		"RRRR", RA_TSV_JIS,	64, 0, "administrator's affiliation" },
	{ "利用管理者メールアドレス",	"RRRR", RA_TSV_MAIL,	78, 0, "administrator's mail address" },
};

_Static_assert(RA_NITEMS(admin_cols) <= RA_TSV_MAXCOLS,
    "admin_cols[] has more columns than a row can hold");

const struct ra_tsv_format ra_tsv_admin = {
	"admin", RA_NITEMS(admin_cols), admin_cols
};
