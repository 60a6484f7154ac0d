/*
 * exportscreen.c: the officer's TSV downloads: ② and ④
 * 証明書情報一括ダウンロード (download.cgi, clientdl.cgi) and ⑥
 * 全証明書情報一括ダウンロード (alldl.cgi), the institution's
 * certificates in the 46-column layout (lib/export.c), and ⑧
 * 許可リスト一括ダウンロード (allowdl.cgi, lib/allowlist.c): a TSV
 * attachment, after the session, the interface's permission and an audit
 * row.  ⑥ first shows a page to choose Shift_JIS or UTF-8.  From a
 * shell, "--officer ID" (and for ⑥ "--utf8") writes the same TSV to
 * standard output.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ra.h"
#include "web.h"

enum { F_DL, F_ENC };

/* The form's names of the encodings. */
static const char *const enc_names[RA_EXPORT_ENC__MAX] = {
	[RA_EXPORT_SJIS] = "sjis",
	[RA_EXPORT_UTF8] = "utf8",
};
_Static_assert(RA_NITEMS(enc_names) == RA_EXPORT_ENC__MAX,
    "enc_names[] out of sync with enum ra_export_enc");

static int
enc_of(const char *s)
{
	int	 i;

	for (i = 0; i < RA_EXPORT_ENC__MAX; i++)
		if (strcmp(s, enc_names[i]) == 0)
			return i;
	return -1;
}

static int
valid_enc(const char *s)
{
	return enc_of(s) >= 0;
}

static int
valid_dl(const char *s)
{
	return strcmp(s, "1") == 0;
}

/* ⑥'s fields: "dl=1" asks for the file, "enc" picks its encoding. */
const struct ra_field ra_export_fields[RA_EXPORT_FIELDS] = {
	[F_DL]	= { "dl",	1,	valid_dl,	RA_FIELD_TEXT },
	[F_ENC]	= { "enc",	4,	valid_enc,	RA_FIELD_TEXT },
};

/*
 * Who took the institution's certificate list, before it goes out, and
 * in which encoding; actor NULL: the officer.
 */
static enum ra_err
audit_export(const struct ra_export_screen *es, PGconn *db, int64_t inst,
    int64_t officer, const char *actor, enum ra_export_enc enc)
{
	struct ra_event	 ev;
	char		 detail[64];

	memset(&ev, 0, sizeof(ev));
	ev.event = es->event;
	ev.outcome = "ok";
	ev.actor = actor;
	ev.institution_id = inst;
	ev.officer_id = officer;
	ev.source_ip = ra_req_env("REMOTE_ADDR");
	/* The charset is one of export.c's constants: no quoting needed. */
	snprintf(detail, sizeof(detail), "{\"charset\": \"%s\"}",
	    ra_export_charset(enc));
	ev.detail = detail;
	return ra_audit(db, &ev);
}

static enum ra_err
export_write(const struct ra_export_screen *es, PGconn *db, int64_t inst,
    int64_t officer, enum ra_export_enc enc)
{
	if (es->write != NULL)
		return es->write(db, inst, officer, enc, stdout);
	return ra_export_enc(db, inst, officer, es->kind, enc, stdout);
}

static enum ra_err
shell(struct ra_req *r, const struct ra_export_screen *es)
{
	enum ra_export_enc	 enc = RA_EXPORT_SJIS;
	int64_t			 inst, officer;
	enum ra_err		 er;

	if (es->choice_tmpl != NULL && r->argc == 3 &&
	    strcmp(r->argv[2], "--utf8") == 0)
		enc = RA_EXPORT_UTF8;
	if (r->argc != (enc == RA_EXPORT_UTF8 ? 3 : 2) ||
	    strcmp(r->argv[0], "--officer") != 0 ||
	    !ra_field_i64(r->argv[1], 1, INT64_MAX, &officer)) {
		fprintf(stderr, "usage: %s --officer ID%s\n", es->program,
		    es->choice_tmpl != NULL ? " [--utf8]" : "");
		return RA_EUSAGE;
	}
	if ((er = ra_officer_shell(r, officer, &inst)) != RA_OK)
		return er;
	if ((er = audit_export(es, r->db, inst, officer, "cli", enc)) == RA_OK)
		er = export_write(es, r->db, inst, officer, enc);
	return er;
}

/* "certAll.tsv" in UTF-8 is "certAll-utf8.tsv": the two never mix up. */
static void
attachment_name(char *buf, size_t sz, const char *name,
    enum ra_export_enc enc)
{
	const char	*dot = strrchr(name, '.');
	int		 n = dot != NULL ? (int)(dot - name) : (int)strlen(name);

	if (enc <= RA_EXPORT_SJIS || enc >= RA_EXPORT_ENC__MAX)
		snprintf(buf, sz, "%s", name);
	else
		snprintf(buf, sz, "%.*s-%s%s", n, name, enc_names[enc],
		    dot != NULL ? dot : "");
}

static enum ra_err
screen(struct ra_req *r, const struct ra_export_screen *es)
{
	struct ra_officer	 o;
	enum ra_export_enc	 enc = RA_EXPORT_SJIS;
	const char		*f[RA_EXPORT_FIELDS] = { NULL, NULL };
	char			 name[128];
	enum ra_err		 er;

	if (es->choice_tmpl != NULL && (er = ra_form_get(r, ra_export_fields,
	    RA_EXPORT_FIELDS, f)) != RA_OK)
		return er;
	if ((er = ra_officer_open(r, &o)) != RA_OK)
		return er;
	if (!o.perm[es->interface]) {
		snprintf(r->refusal_buf, sizeof(r->refusal_buf),
		    "no permission for interface %d", es->interface);
		r->refusal = r->refusal_buf;
		return RA_EDENIED;
	}
	if (es->choice_tmpl != NULL && f[F_DL] == NULL) {
		ra_officer_page(r, &o);
		return ra_render(r, 200, es->choice_tmpl);
	}
	if (f[F_ENC] != NULL)
		enc = (enum ra_export_enc)enc_of(f[F_ENC]);
	if ((er = audit_export(es, r->db, o.institution_id, o.officer_id,
	    NULL, enc)) != RA_OK)
		return er;
	attachment_name(name, sizeof(name), es->filename, enc);
	printf("Status: 200\r\nContent-Type: text/tab-separated-values; "
	    "charset=%s\r\nContent-Disposition: attachment; "
	    "filename=\"%s\"\r\nCache-Control: no-store\r\n\r\n",
	    ra_export_charset(enc), name);
	/* Headers are out: a failure now can only cut the file short. */
	if ((er = export_write(es, r->db, o.institution_id, o.officer_id,
	    enc)) != RA_OK)
		ra_warnx("download cut short: %s", ra_strerror(er));
	return RA_OK;
}

enum ra_err
ra_export_screen(struct ra_req *r, const struct ra_export_screen *es)
{
	return r->is_cgi ? screen(r, es) : shell(r, es);
}
