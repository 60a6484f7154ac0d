/*
 * tsurl.c: ⑨ タイムスタンプURL -- the time-stamp URLs an RA officer gives
 * to code signers, and for each a ready command of the four tools they
 * use.  The URLs are Tsa.URL in ra.conf (one value, or a list of
 * children); without it, ra's own responder at Pki.PublicURL/tsa (plain
 * HTTP, as signing tools expect), else at Site.URL's origin.  The page and
 * the shell twin are filled from the same HDF, so they say the same.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ClearSilver.h>

#include "ra.h"
#include "domain.h"

#define TSURL_MAX	8	/* URLs shown, at most */
#define TSURL_LEN	512

/*
 * One tool: what it is, in Japanese then English, and how it takes the
 * URL.  Each "fmt" has exactly one %s, the URL; a URL passed
 * tsurl_valid, so it needs no quoting in any shell.
 */
struct tsurl_tool {
	const char	*name;
	const char	*ja, *en;	/* what the tool signs */
	const char	*fmt_ja;	/* the command, or the steps in Japanese */
	const char	*fmt_en;	/* NULL: the command is the same */
};

static const struct tsurl_tool tsurl_tools[] = {
	{ "signtool",
	    "Windows の実行ファイル・ドライバ（Authenticode、Windows SDK）",
	    "Windows executables and drivers (Authenticode, Windows SDK)",
	    "signtool sign /fd sha256 /tr %s /td sha256 /a program.exe",
	    NULL },
	{ "jarsigner",
	    "Java の JAR ファイル（JDK）",
	    "Java JAR files (JDK)",
	    "jarsigner -tsa %s -digestalg SHA-256 -keystore keystore.p12 "
	    "app.jar mykey",
	    NULL },
	{ "osslsigncode",
	    "Windows の実行ファイル（Linux などで Authenticode 署名）",
	    "Windows executables, signed on Linux and other systems",
	    "osslsigncode sign -certs cert.pem -key key.pem -h sha256 -ts %s "
	    "-in program.exe -out program-signed.exe",
	    NULL },
	{ "Acrobat",
	    "PDF 文書（Adobe Acrobat）",
	    "PDF documents (Adobe Acrobat)",
	    "［環境設定］→［署名］→［文書のタイムスタンプ］の［詳細...］→"
	    "［タイムスタンプサーバー］→［新規］で名前を付け、"
	    "サーバーの URL に %s を入力して［OK］、"
	    "［デフォルトに設定］を押す",
	    "Preferences > Signatures > Document Timestamping: More... > "
	    "Time Stamp Servers > New: give it a name, enter %s as the Server "
	    "URL, OK, then Set Default" },
};

/* A URL that is safe to paste into every command above. */
static int
tsurl_valid(const char *u)
{
	size_t	 n;

	if (strncmp(u, "http://", 7) == 0)
		u += 7;
	else if (strncmp(u, "https://", 8) == 0)
		u += 8;
	else
		return 0;
	n = strlen(u);
	return n > 0 && n < TSURL_LEN - 8 &&
	    strspn(u, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789.-_~:/[]%") == n && u[0] != '/';
}

/* ra's own responder: Pki.PublicURL/tsa, else Site.URL's origin + /tsa. */
static int
tsurl_own(const struct ra_conf *c, char *buf, size_t sz)
{
	const char	*base;
	size_t		 n;

	if ((base = ra_conf_get(c, "Pki.PublicURL")) != NULL) {
		n = strlen(base);
		while (n > 0 && base[n - 1] == '/')
			n--;
	} else if ((base = ra_conf_get(c, "Site.URL")) != NULL &&
	    strstr(base, "://") != NULL)
		n = (size_t)(strstr(base, "://") + 3 - base) +
		    strcspn(strstr(base, "://") + 3, "/");
	else
		return 0;
	return (size_t)snprintf(buf, sz, "%.*s/tsa", (int)n, base) < sz;
}

/* "fmt" with its one %s replaced by "url" (a table constant, not printf's). */
static void
tsurl_fill(char *buf, size_t sz, const char *fmt, const char *url)
{
	const char	*p = strstr(fmt, "%s");

	if (p == NULL)
		snprintf(buf, sz, "%s", fmt);
	else
		snprintf(buf, sz, "%.*s%s%s", (int)(p - fmt), fmt, url, p + 2);
}

static enum ra_err
tsurl_add(HDF *page, int i, const char *url, int own)
{
	const struct tsurl_tool	*t;
	char			 key[64], cmd[2048];
	size_t			 k;
	NEOERR			*err = STATUS_OK;

#define SET(...)	do { if (err == STATUS_OK) err = hdf_set_value(page, __VA_ARGS__); } while (0)
	snprintf(key, sizeof(key), "Tsurl.%d.URL", i);
	SET(key, url);
	snprintf(key, sizeof(key), "Tsurl.%d.Own", i);
	SET(key, own ? "1" : "0");
	for (k = 0; k < RA_NITEMS(tsurl_tools); k++) {
		t = &tsurl_tools[k];
		snprintf(key, sizeof(key), "Tsurl.%d.Tool.%zu.Name", i, k);
		SET(key, t->name);
		snprintf(key, sizeof(key), "Tsurl.%d.Tool.%zu.Ja", i, k);
		SET(key, t->ja);
		snprintf(key, sizeof(key), "Tsurl.%d.Tool.%zu.En", i, k);
		SET(key, t->en);
		tsurl_fill(cmd, sizeof(cmd), t->fmt_ja, url);
		snprintf(key, sizeof(key), "Tsurl.%d.Tool.%zu.Cmd", i, k);
		SET(key, cmd);
		if (t->fmt_en != NULL) {
			tsurl_fill(cmd, sizeof(cmd), t->fmt_en, url);
			snprintf(key, sizeof(key), "Tsurl.%d.Tool.%zu.CmdEn",
			    i, k);
			SET(key, cmd);
		}
	}
#undef SET
	return err == STATUS_OK ? RA_OK : ra_neoerr(err, "tsurl page", RA_ENOMEM);
}

/*
 * Fill "page" with Tsurl.N.{URL,Own,Tool.K.{Name,Ja,En,Cmd,CmdEn}}.  A
 * configured URL that is not a plain http(s) URL is a configuration
 * error, named in the log: it would be pasted into shells.
 */
enum ra_err
ra_tsurl_page(const struct ra_conf *c, HDF *page)
{
	HDF		*o, *ch;
	const char	*v, *urls[TSURL_MAX];
	char		 own[TSURL_LEN];
	int		 n = 0, i;
	enum ra_err	 er;

	if ((o = hdf_get_obj(c->hdf, "Tsa.URL")) != NULL) {
		if ((v = hdf_obj_value(o)) != NULL && *v != '\0')
			urls[n++] = v;
		for (ch = hdf_obj_child(o); ch != NULL && n < TSURL_MAX;
		    ch = hdf_obj_next(ch))
			if ((v = hdf_obj_value(ch)) != NULL && *v != '\0')
				urls[n++] = v;
	}
	for (i = 0; i < n; i++)
		if (!tsurl_valid(urls[i])) {
			ra_warnx("config %s: Tsa.URL %d is not a plain "
			    "http:// or https:// URL", c->path, i + 1);
			return RA_ECONF;
		}
	if (n == 0) {
		if (!tsurl_own(c, own, sizeof(own)) || !tsurl_valid(own)) {
			ra_warnx("config %s: no Tsa.URL, and neither "
			    "Pki.PublicURL nor Site.URL gives ra's own", c->path);
			return RA_ECONF;
		}
		return tsurl_add(page, 0, own, 1);
	}
	for (i = 0; i < n; i++)
		if ((er = tsurl_add(page, i, urls[i], 0)) != RA_OK)
			return er;
	return RA_OK;
}

/* The shell twin: the same URLs and commands, as text. */
void
ra_tsurl_print(HDF *page, FILE *fp)
{
	HDF		*u, *t;
	const char	*en;

	fputs("タイムスタンプURL / Time-stamp URL\n", fp);
	for (u = hdf_get_child(page, "Tsurl"); u != NULL; u = hdf_obj_next(u)) {
		fprintf(fp, "\nURL: %s\n", hdf_get_value(u, "URL", ""));
		for (t = hdf_get_child(u, "Tool"); t != NULL;
		    t = hdf_obj_next(t)) {
			fprintf(fp, "  %s: %s / %s\n    %s\n",
			    hdf_get_value(t, "Name", ""),
			    hdf_get_value(t, "Ja", ""),
			    hdf_get_value(t, "En", ""),
			    hdf_get_value(t, "Cmd", ""));
			if ((en = hdf_get_value(t, "CmdEn", NULL)) != NULL)
				fprintf(fp, "    %s\n", en);
		}
	}
}
