/*
 * desk-audit.c: how a desk action reports.  What was done goes to
 * d->said, why not to d->why, for the screen or the shell to show; and
 * every action, done or refused, writes one audit row naming the
 * operator (name and certificate fingerprint, or the shell's login) and
 * carrying what its transaction changed, column by column, before and
 * after (captured by schema 019's triggers, not retold here).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "ra.h"
#include "domain.h"
#include "desk.h"

/*
 * The detail: the action's own, then the operator and the changes.  All
 * JSON is made by PostgreSQL: the desk's text is never spliced into it.
 */
static const char SQL_DETAIL[] =
    "SELECT ra.desk_changes_take($1::jsonb,"
    "  pg_catalog.jsonb_strip_nulls(pg_catalog.jsonb_build_object("
    "   'name', nullif($2, ''), 'sha256', nullif($3, ''), 'via', $4::text,"
    "   'unix', nullif($5, ''))))::text AS detail";
static const char SQL_REFUSED_DETAIL[] =
    "SELECT pg_catalog.jsonb_strip_nulls(pg_catalog.jsonb_build_object("
    "  'why', $7::text, 'domain', $1::text, 'ou', $2::text,"
    "  'institution', $3::text, 'status', $4::text,"
    "  'officer', nullif($5::bigint, 0), 'code', $6::text))::text AS detail";

#define NOT_TEXT	"a value is not UTF-8 text without control characters"

/* UTF-8 without control characters: what a desk value may be. */
static int
text_ok(const char *s)
{
	const unsigned char	*p;

	if (s == NULL)
		return 1;
	for (p = (const unsigned char *)s; *p != '\0'; p++)
		if (*p < 0x20 || *p == 0x7f)
			return 0;
	return ra_utf8_valid((const unsigned char *)s, strlen(s));
}

static const char *
text_or(const char *s)
{
	return text_ok(s) ? s : "(not UTF-8 text)";
}

/*
 * Every value of an action, checked before any reaches the database
 * (which would refuse a byte that is not UTF-8 with no row of why): a
 * refusal, audited, or RA_OK.
 */
enum ra_err
ra_desk_args_ok(struct ra_desk *d, const struct ra_desk_args *a,
    const char *event)
{
	const char *const v[] = { a->code, a->name_ja, a->name_en, a->st,
	    a->l, a->from, a->until, a->status, a->institution, a->domain,
	    a->ou, a->romaji, a->mail, a->phone, a->domains, a->interfaces,
	    a->letter, a->unix_user, a->fingerprint, a->reason, a->kind,
	    a->confirm };
	/* What the downloads and the allow list (⑦ ⑧) carry: nothing a
	 * spreadsheet would run (uploads refuse the same, error 236). */
	const char *const shown[] = { a->code, a->name_ja, a->name_en, a->st,
	    a->l, a->ou, a->romaji };
	size_t	 i;

	for (i = 0; i < RA_NITEMS(v); i++)
		if (!text_ok(v[i])) {
			snprintf(d->why, sizeof(d->why), "%s", NOT_TEXT);
			return desk_refused(d, RA_EINPUT, event, a);
		}
	for (i = 0; i < RA_NITEMS(shown); i++)
		if (shown[i] != NULL && ra_text_formula(shown[i])) {
			snprintf(d->why, sizeof(d->why), "\"%.64s\": 先頭に「=」"
			    "「+」「-」「@」は使えません (must not start with = + - "
			    "@: a spreadsheet would run it)", shown[i]);
			return desk_refused(d, RA_EINPUT, event, a);
		}
	return RA_OK;
}

static void say(char *, size_t, const char *, va_list)
    __attribute__((format(printf, 3, 0)));

static void
say(char *buf, size_t sz, const char *fmt, va_list ap)
{
	vsnprintf(buf, sz, fmt, ap);
}

/* What was done, for the desk to read. */
void
desk_said(struct ra_desk *d, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	say(d->said, sizeof(d->said), fmt, ap);
	va_end(ap);
}

/* Why not; returns "er" so a refusal reads as one statement. */
enum ra_err
desk_why(struct ra_desk *d, enum ra_err er, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	say(d->why, sizeof(d->why), fmt, ap);
	va_end(ap);
	return er;
}

/*
 * A failed statement's reason for the desk: a duplicate named, a rule of
 * the schema quoted from PostgreSQL (the values are the desk's own).
 * Called before the ROLLBACK, which clears the connection's message.
 */
enum ra_err
desk_db_why(struct ra_desk *d, enum ra_err er, const char *what)
{
	const char	*msg;
	size_t		 n;

	if (*d->why != '\0')
		return er;
	if (er == RA_EDUP)
		return desk_why(d, er, "%s: already registered", what);
	if (er == RA_EDB) {
		msg = PQerrorMessage(d->db);
		if (strncmp(msg, "ERROR:  ", 8) == 0)
			msg += 8;
		n = strcspn(msg, "\n");
		return desk_why(d, er, "%s: %.*s", what, (int)n, msg);
	}
	return er;
}

/* One audit row of the desk: "detail" (JSON or NULL) as the action says. */
static enum ra_err
desk_row(struct ra_desk *d, const char *event, const char *outcome,
    int64_t inst, int64_t officer, const char *detail)
{
	struct ra_event	 ev;
	PGresult	*res = NULL;
	enum ra_err	 er;

	if ((er = ra_db_run1(d->db, "audit detail", SQL_DETAIL, &res,
	    RA_ARGS(RA_TEXT(detail != NULL ? detail : "{}"),
	    RA_TEXT(d->operator_name), RA_TEXT(d->operator_sha256),
	    RA_TEXT(d->via != NULL ? d->via : "shell"),
	    RA_TEXT(d->unix_user)))) != RA_OK)
		return er;
	memset(&ev, 0, sizeof(ev));
	ev.event = event;
	ev.outcome = outcome;
	ev.actor = d->actor;
	ev.source_ip = d->source_ip;
	ev.institution_id = inst;
	ev.officer_id = officer;
	ev.detail = ra_get_text(res, 0, "detail");
	er = ra_audit(d->db, &ev);
	PQclear(res);
	return er;
}

/* A done action's row, inside its transaction (before the COMMIT). */
enum ra_err
desk_audit(struct ra_desk *d, const char *event, int64_t inst,
    int64_t officer, const char *detail)
{
	return desk_row(d, event, "ok", inst, officer, detail);
}

/*
 * A refused action, audited with why (d->why) and what it was asked to
 * do, after its transaction is rolled back; returns "er".
 */
enum ra_err
desk_refused(struct ra_desk *d, enum ra_err er, const char *event,
    const struct ra_desk_args *a)
{
	PGresult	*res = NULL;
	int		 ok;

	ra_db_rollback(d->db);
	/* Whatever was typed, the refusal's row must go in. */
	if (!text_ok(d->why))
		snprintf(d->why, sizeof(d->why), "%s", NOT_TEXT);
	ok = ra_db_run1(d->db, "refusal", SQL_REFUSED_DETAIL, &res,
	    RA_ARGS(RA_TEXT(text_or(a->domain)), RA_TEXT(text_or(a->ou)),
	    RA_TEXT(text_or(a->institution)), RA_TEXT(text_or(a->status)),
	    RA_INT(a->officer), RA_TEXT(text_or(a->code)),
	    RA_TEXT(d->why))) == RA_OK &&
	    desk_row(d, event, "refused", 0, a->officer,
	    ra_get_text(res, 0, "detail")) == RA_OK;
	if (!ok)
		ra_warnx("desk: the refusal of %s is not audited", event);
	PQclear(res);
	return er;
}

/*
 * Run one INSERT ... RETURNING institution_id with its audit row; a
 * refusal is audited with what was asked ("args_of").
 */
enum ra_err
desk_insert(struct ra_desk *d, const char *what, const char *sql,
    const char *event, const char *notfound, const struct ra_arg *args,
    size_t n, const struct ra_desk_args *args_of)
{
	PGresult	*res = NULL;
	int64_t		 inst;
	enum ra_err	 er;

	if ((er = ra_db_begin(d->db)) != RA_OK)
		return er;
	if ((er = ra_db_run1(d->db, what, sql, &res, args, n)) != RA_OK) {
		if (er == RA_ENOTFOUND)
			er = desk_why(d, RA_EINPUT, "%s", notfound);
		goto out;
	}
	if ((er = ra_get_i64(res, 0, "institution_id", &inst)) == RA_OK &&
	    (er = desk_audit(d, event, inst, 0, NULL)) == RA_OK &&
	    (er = ra_db_commit(d->db)) == RA_OK)
		desk_said(d, "%s registered", what);
out:
	PQclear(res);
	er = desk_db_why(d, er, what);
	ra_db_rollback(d->db);
	return er != RA_OK && *d->why != '\0' ? desk_refused(d, er, event,
	    args_of) : er;
}

/*
 * A screen's refusal before any action could run (a field that is not a
 * number, an unknown step, a form short of a field): why, audited as
 * "desk.screen" with what was asked; returns "er".
 */
enum ra_err
ra_desk_refuse(struct ra_desk *d, enum ra_err er,
    const struct ra_desk_args *a, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	say(d->why, sizeof(d->why), fmt, ap);
	va_end(ap);
	return desk_refused(d, er, "desk.screen", a);
}
