/*
 * desk-institution.c: an institution's life after it is registered
 * (reference §1.2): its status, review -> active -> suspended ->
 * withdrawn, with what each lets its officers do (schema 022 declares
 * it, where the login, the session check and the worker read it); its
 * names and usage period, where a new English name (O) sends every
 * officer a renewal URL, as their RA certificates name the old one; and
 * the bulk revocation of a suspended or withdrawn institution's
 * certificates.  Each action is one transaction with its audit row
 * (desk-audit.c), whose "changes" the triggers of schema 019 fill.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "ra.h"
#include "domain.h"
#include "desk.h"

/*
 * The institution, locked, with what its status allows (schema 022):
 * "may" says whether it may become $2, "becomes" what it may become.
 */
static const char SQL_LOCK[] =
    "SELECT i.institution_id, i.code, i.status, i.name_ja,"
    "       i.name_en::text AS name_en, i.st::text AS st, i.l::text AS l,"
    "       to_char(i.usage_from, 'YYYY-MM-DD') AS usage_from,"
    "       to_char(i.usage_until, 'YYYY-MM-DD') AS usage_until,"
    "       $2::text = ANY (s.becomes) AS may,"
    "       pg_catalog.array_to_string(s.becomes, ' or ') AS becomes,"
    "       s.logins, s.bulk_revoke"
    "  FROM ra.institution i"
    "  JOIN ra.institution_state s ON s.status = i.status"
    " WHERE i.code = $1 FOR UPDATE OF i";
static const char SQL_STATUS_SET[] =
    "UPDATE ra.institution SET status = $2, updated_at = pg_catalog.now()"
    " WHERE institution_id = $1::bigint";
static const char SQL_CANCEL[] =
    "SELECT count(*) AS n,"
    "       coalesce(pg_catalog.jsonb_agg(request_id ORDER BY request_id),"
    "         '[]')::text AS ids"
    "  FROM ra.institution_cancel_queued($1::bigint)";
static const char SQL_STATUS_DETAIL[] =
    "SELECT pg_catalog.jsonb_strip_nulls(pg_catalog.jsonb_build_object("
    "  'institution', $1::text, 'from', $2::text, 'to', $3::text,"
    "  'cancelled', $4::jsonb))::text AS detail";

/* What is not given ("" from an empty field of the screen) stays. */
static const char SQL_UPDATE[] =
    "UPDATE ra.institution SET"
    "       name_ja = coalesce(nullif($2, ''), name_ja),"
    "       name_en = coalesce(nullif($3, ''), name_en::text),"
    "       st = coalesce(nullif($4, ''), st::text),"
    "       l = coalesce(nullif($5, ''), l::text),"
    "       usage_from = coalesce(nullif($6, '')::date, usage_from),"
    "       usage_until = coalesce(nullif($7, '')::date, usage_until),"
    "       updated_at = pg_catalog.now()"
    " WHERE institution_id = $1::bigint";
/* Each active officer's newest live RA certificate: it names the old O. */
static const char SQL_RA_CERTS[] =
    "SELECT c.cert_id, o.officer_id, o.institution_id, o.name_ja,"
    "       o.name_romaji, o.mail, i.name_ja AS institution_ja,"
    "       to_char(c.not_after AT TIME ZONE 'Asia/Tokyo', 'YYYY-MM-DD')"
    "         AS not_after"
    "  FROM ra.officer o"
    "  JOIN ra.institution i ON i.institution_id = o.institution_id,"
    "  LATERAL (SELECT x.cert_id, x.not_after FROM ra.certificate x"
    "            WHERE x.officer_id = o.officer_id AND x.kind = 'ra_officer'"
    "              AND x.state = 'issued' AND x.not_after > pg_catalog.now()"
    "              AND NOT EXISTS (SELECT 1 FROM ra.revocation v"
    "                               WHERE v.cert_id = x.cert_id)"
    "            ORDER BY x.cert_id DESC LIMIT 1) c"
    " WHERE o.institution_id = $1::bigint AND o.status = 'active'"
    " ORDER BY o.officer_id";
static const char SQL_UPDATE_DETAIL[] =
    "SELECT pg_catalog.jsonb_strip_nulls(pg_catalog.jsonb_build_object("
    "  'institution', $1::text, 'renewal_urls', nullif($2::integer, 0),"
    "  'officers', CASE WHEN $2::integer > 0"
    "    THEN pg_catalog.to_jsonb($3::bigint[]) END))::text AS detail";

static const char SQL_REVOKE[] =
    "WITH v AS (SELECT * FROM ra.institution_revoke($1::bigint,"
    "  $2::text[], $3::smallint, $4))"
    " SELECT (SELECT count(*) FROM v) AS n,"
    "        (SELECT coalesce(pg_catalog.jsonb_agg(serial ORDER BY cert_id),"
    "           '[]') FROM v)::text AS serials,"
    "        (SELECT coalesce(pg_catalog.array_agg(cert_id ORDER BY cert_id),"
    "           '{}') FROM v)::text AS ids,"
    "        coalesce((SELECT pg_catalog.string_agg(k.kind || ' ' || k.n,"
    "           ', ' ORDER BY k.kind) FROM (SELECT kind, count(*) AS n"
    "           FROM v GROUP BY kind) k), 'none') AS per_kind";
/*
 * Who is told, and what: each officer of the institution (not retired)
 * all of it, each user administrator of record the certificates they
 * look after; at most $3 lines each (the rest is in ⑥'s download).
 */
static const char SQL_REVOKE_MAILS[] =
    "WITH c AS ("
    "  SELECT c.cert_id, q.admin_mail::text AS admin_mail,"
    "         coalesce(q.admin_name, '') AS admin_name,"
    "         '　' || k.name_ja || ' ' || c.serial::text || ' ' ||"
    "           c.subject_dn AS line"
    "    FROM ra.certificate c"
    "    JOIN ra.cert_kind k ON k.kind = c.kind"
    "    JOIN ra.request q ON q.request_id = c.request_id"
    "   WHERE c.cert_id = ANY ($2::bigint[])),"
    " o AS (SELECT o.mail::text AS mail, o.name_ja FROM ra.officer o"
    "        WHERE o.institution_id = $1::bigint AND o.status <> 'retired')"
    " SELECT o.mail, o.name_ja, (SELECT count(*) FROM c) AS n,"
    "        coalesce((SELECT pg_catalog.string_agg(x.line, E'\\n'"
    "          ORDER BY x.cert_id) FROM (SELECT * FROM c ORDER BY cert_id"
    "          LIMIT $3::integer) x), '') AS list"
    "   FROM o"
    " UNION ALL"
    " SELECT c.admin_mail, max(c.admin_name), count(*),"
    "        pg_catalog.array_to_string((pg_catalog.array_agg(c.line"
    "          ORDER BY c.cert_id))[1:$3::integer], E'\\n')"
    "   FROM c WHERE c.admin_mail IS NOT NULL"
    "    AND c.admin_mail NOT IN (SELECT mail FROM o)"
    "  GROUP BY c.admin_mail";
static const char SQL_REVOKE_DETAIL[] =
    "SELECT pg_catalog.jsonb_build_object('institution', $1::text,"
    "  'reason', $2::integer, 'reason_name', $3::text,"
    "  'kinds', pg_catalog.to_jsonb($4::text[]), 'count', $5::integer,"
    "  'serials', $6::jsonb, 'mails', $7::integer)::text AS detail";

#define MAIL_LINES	200	/* certificates listed in one summary mail */

/*
 * The statuses (001-core.sql's CHECK, 022's ra.institution_state) with
 * what each means for the desk to read; the screen and README say the
 * same in Japanese first.
 */
static const struct desk_status {
	const char	*name, *ja, *effect;
} desk_statuses[] = {
	{ "review",	"審査中",
	    "its officers cannot log in; nothing is issued" },
	{ "active",	"利用中",
	    "its officers log in, upload and get certificates" },
	{ "suspended",	"利用停止",
	    "its officers may log in and download; uploads are refused (215) "
	    "and queued requests wait until it is active again" },
	{ "withdrawn",	"退会",
	    "its officers cannot log in; queued requests are cancelled; its "
	    "certificates stay valid unless revoked (institution-revoke)" },
};

/* The reasons the desk revokes an institution's certificates with. */
static const struct desk_reason {
	int		 code;
	const char	*name, *ja;
} desk_reasons[] = {
	{ RA_REASON_CESSATION,		"cessationOfOperation",	"運用停止" },
	{ RA_REASON_AFFILIATION_CHANGED, "affiliationChanged",	"所属変更" },
	{ RA_REASON_PRIVILEGE_WITHDRAWN, "privilegeWithdrawn",	"権限の取消" },
	{ RA_REASON_KEY_COMPROMISE,	"keyCompromise",	"鍵の危殆化" },
};

/* The kinds of certificate an institution holds (022 checks the same). */
static const char *const desk_kinds[] = {
	"server", "client", "smime", "code_signing", "ra_officer",
};

static const struct desk_status *
status_of(const char *name)
{
	size_t	 i;

	for (i = 0; i < RA_NITEMS(desk_statuses); i++)
		if (strcmp(name, desk_statuses[i].name) == 0)
			return &desk_statuses[i];
	return NULL;
}

/* Status "i" of those the screen offers, in order (NULL past the last);
 * borrowed, static.  "*ja" gets its Japanese name. */
const char *
ra_desk_status_name(size_t i, const char **ja)
{
	if (i >= RA_NITEMS(desk_statuses))
		return NULL;
	if (ja != NULL)
		*ja = desk_statuses[i].ja;
	return desk_statuses[i].name;
}

/* Reason "i" of bulk revocation (NULL past the last): its RFC 5280 name;
 * "*code" its number, "*ja" its Japanese name.  Borrowed, static. */
const char *
ra_desk_revoke_reason(size_t i, int *code, const char **ja)
{
	if (i >= RA_NITEMS(desk_reasons))
		return NULL;
	if (code != NULL)
		*code = desk_reasons[i].code;
	if (ja != NULL)
		*ja = desk_reasons[i].ja;
	return desk_reasons[i].name;
}

/* Certificate kind "i" an institution holds (NULL past the last). */
const char *
ra_desk_revoke_kind(size_t i)
{
	return i < RA_NITEMS(desk_kinds) ? desk_kinds[i] : NULL;
}

/*
 * Begin, and lock institution "code" into "*res" (SQL_LOCK, "to" the
 * status asked for, or ""); the reason in words if there is none.
 */
static enum ra_err
inst_lock(struct ra_desk *d, const char *code, const char *to, PGresult **res)
{
	enum ra_err	 er;

	if ((er = ra_db_begin(d->db)) != RA_OK)
		return er;
	if ((er = ra_db_run1(d->db, "institution", SQL_LOCK, res,
	    RA_ARGS(RA_TEXT(code), RA_TEXT(to)))) == RA_ENOTFOUND)
		er = desk_why(d, RA_EINPUT, "no institution has code %s", code);
	return er;
}

/*
 * Change an institution's status (審査中, 利用中, 利用停止, 退会) as
 * ra.institution_state allows, audited old -> new.  Withdrawn cancels
 * what its officers left queued; active again wakes the worker for
 * what waited while suspended.
 */
enum ra_err
ra_desk_institution_status(struct ra_desk *d, const struct ra_desk_args *a)
{
	const struct desk_status	*to;
	PGresult			*res = NULL, *can = NULL, *det = NULL;
	const char			*old;
	int64_t				 inst, ncancel = 0;
	int				 may;
	char				 cancelled[64] = "";
	enum ra_err			 er;

	if (a->institution == NULL || a->status == NULL)
		return RA_EUSAGE;
	if ((to = status_of(a->status)) == NULL)
		return desk_refused(d, desk_why(d, RA_EINPUT, "status %s is "
		    "unknown: use review, active, suspended or withdrawn",
		    a->status), "desk.institution.status", a);
	if ((er = inst_lock(d, a->institution, to->name, &res)) != RA_OK ||
	    (er = ra_get_i64(res, 0, "institution_id", &inst)) != RA_OK ||
	    (er = ra_get_bool(res, 0, "may", &may)) != RA_OK)
		goto out;
	old = ra_get_text(res, 0, "status");
	if (strcmp(old, to->name) == 0) {
		desk_said(d, "institution %s is already %s: nothing changed",
		    a->institution, to->name);
		goto out;
	}
	if (!may) {
		er = *ra_get_text(res, 0, "becomes") == '\0' ?
		    desk_why(d, RA_EINPUT, "institution %s is %s: that is "
		    "final, it cannot become %s", a->institution, old,
		    to->name) :
		    desk_why(d, RA_EINPUT, "institution %s cannot go from %s "
		    "to %s: %s may become %s only", a->institution, old,
		    to->name, old, ra_get_text(res, 0, "becomes"));
		goto out;
	}
	if ((er = ra_db_run(d->db, "institution status", SQL_STATUS_SET, NULL,
	    RA_ARGS(RA_INT(inst), RA_TEXT(to->name)))) != RA_OK)
		goto out;
	if (strcmp(to->name, "withdrawn") == 0 &&
	    ((er = ra_db_run1(d->db, "queued requests", SQL_CANCEL, &can,
	    RA_ARGS(RA_INT(inst)))) != RA_OK ||
	    (er = ra_get_i64(can, 0, "n", &ncancel)) != RA_OK))
		goto out;
	/* What waited while suspended is issued now, not at the next poll. */
	if (strcmp(to->name, "active") == 0 &&
	    (er = ra_queue_notify(d->db)) != RA_OK)
		goto out;
	if ((er = ra_db_run1(d->db, "audit detail", SQL_STATUS_DETAIL, &det,
	    RA_ARGS(RA_TEXT(a->institution), RA_TEXT(old), RA_TEXT(to->name),
	    RA_TEXT(can != NULL ? ra_get_text(can, 0, "ids") : NULL)))) !=
	    RA_OK ||
	    (er = desk_audit(d, "desk.institution.status", inst, 0,
	    ra_get_text(det, 0, "detail"))) != RA_OK ||
	    (er = ra_db_commit(d->db)) != RA_OK)
		goto out;
	if (can != NULL)
		snprintf(cancelled, sizeof(cancelled), "; %lld queued "
		    "request(s) cancelled", (long long)ncancel);
	desk_said(d, "institution %s: %s -> %s (%s): %s%s", a->institution,
	    old, to->name, to->ja, to->effect, cancelled);
out:
	PQclear(res);
	PQclear(can);
	PQclear(det);
	er = desk_db_why(d, er, "institution");
	ra_db_rollback(d->db);
	return er != RA_OK && *d->why != '\0' ?
	    desk_refused(d, er, "desk.institution.status", a) : er;
}

/* Given: neither absent nor an empty field of the screen. */
static int
given(const char *s)
{
	return s != NULL && *s != '\0';
}

/* ra.dn_text (schema 001): what O, ST and L may hold. */
static int
dn_text_ok(const char *s)
{
	static const char	 chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789 '(),./:=-";
	size_t			 n = strlen(s);

	return n >= 1 && n <= 64 && strspn(s, chars) == n;
}

/* A date as YYYY-MM-DD, and a real one (not 2026-02-30). */
static int
date_ok(const char *s)
{
	struct tm	 tm;
	const char	*end;
	char		 back[16];
	time_t		 t;

	memset(&tm, 0, sizeof(tm));
	if (strlen(s) != 10 || (end = strptime(s, "%Y-%m-%d", &tm)) == NULL ||
	    *end != '\0')
		return 0;
	t = timegm(&tm);
	return gmtime_r(&t, &tm) != NULL &&
	    strftime(back, sizeof(back), "%Y-%m-%d", &tm) == 10 &&
	    strcmp(back, s) == 0;
}

/* Characters (not bytes) of valid UTF-8 "s". */
static size_t
utf8_chars(const char *s)
{
	size_t	 n = 0;

	for (; *s != '\0'; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

/*
 * Whether the new values can be registered (schema 001's rules, said in
 * words before the database says them in constraint names): RA_EINPUT
 * with why not.
 */
static enum ra_err
update_check(struct ra_desk *d, const struct ra_desk_args *a)
{
	const char	*dn[] = { a->name_en, a->st, a->l };
	const char	*dnlabel[] = { "English name (O)", "ST", "L" };
	const char	*dt[] = { a->from, a->until };
	const char	*dtlabel[] = { "--from", "--until" };
	size_t		 i;

	if (given(a->name_ja) && (!ra_utf8_valid((const unsigned char *)
	    a->name_ja, strlen(a->name_ja)) || utf8_chars(a->name_ja) > 128))
		return desk_why(d, RA_EINPUT, "the Japanese name must be 1 to "
		    "128 characters of UTF-8");
	for (i = 0; i < RA_NITEMS(dn); i++)
		if (given(dn[i]) && !dn_text_ok(dn[i]))
			return desk_why(d, RA_EINPUT, "%s \"%s\" cannot be "
			    "registered: 1 to 64 half-width letters, digits, "
			    "spaces and '(),./:=-", dnlabel[i], dn[i]);
	if (given(a->l) && (strcasestr(a->l, "academe") != NULL ||
	    strcasestr(a->l, "default") != NULL || strcasecmp(a->l, "city") ==
	    0))
		return desk_why(d, RA_EINPUT, "L \"%s\" cannot be registered: "
		    "Academe, Default and City are not localities", a->l);
	for (i = 0; i < RA_NITEMS(dt); i++)
		if (given(dt[i]) && !date_ok(dt[i]))
			return desk_why(d, RA_EINPUT, "%s %s is not a date "
			    "(YYYY-MM-DD)", dtlabel[i], dt[i]);
	return RA_OK;
}

/* Whether "v" is given and differs from column "col" of "res". */
static int
changes(const char *v, const PGresult *res, const char *col)
{
	return given(v) && strcmp(v, ra_get_text(res, 0, col)) != 0;
}

/*
 * A renewal URL for each active officer with a live RA certificate: it
 * names the old O.  Inside the caller's transaction; "*n" gets how many,
 * "ids" their officer ids.
 */
static enum ra_err
renew_all(struct ra_desk *d, int64_t inst, int *n, struct ra_pgarr *ids)
{
	struct ra_url_who	 who;
	PGresult		*res = NULL;
	int			 i;
	enum ra_err		 er;

	*n = 0;
	if ((er = ra_db_run(d->db, "RA certificates", SQL_RA_CERTS, &res,
	    RA_ARGS(RA_INT(inst)))) != RA_OK)
		return er;
	for (i = 0; i < PQntuples(res); i++) {
		if ((er = desk_url_who(res, i, &who)) != RA_OK ||
		    (er = ra_get_i64(res, i, "cert_id", &who.cert_id)) != RA_OK)
			break;
		who.not_after = ra_get_text(res, i, "not_after");
		who.why = "o-changed";
		if ((er = ra_url_renewal_new(d->db, d->conf, &who)) != RA_OK)
			break;
		if (!ra_pgarr_add(ids, ra_get_text(res, i, "officer_id"))) {
			er = RA_ENOMEM;
			break;
		}
		(*n)++;
	}
	PQclear(res);
	return er;
}

/*
 * Change an institution's names or usage period (what is not given
 * stays).  Logins check the usage period as they happen: one that ended
 * or has not begun shuts the officers out at once.  A new English name
 * is the O of every certificate issued from now on; the RA certificates
 * name the old one, so each active officer holding one is mailed a
 * renewal URL in the same transaction (reference §1.2 item 8).
 */
enum ra_err
ra_desk_institution_update(struct ra_desk *d, const struct ra_desk_args *a)
{
	struct ra_pgarr	 ids;
	PGresult	*res = NULL, *det = NULL;
	const char	*from, *until, *idlist;
	char		 what[96] = "", renewed[192] = "";
	int64_t		 inst;
	int		 logins, o_changed, nrenew = 0;
	enum ra_err	 er;

	memset(&ids, 0, sizeof(ids));
	if (a->institution == NULL || !(given(a->name_ja) ||
	    given(a->name_en) || given(a->st) || given(a->l) ||
	    given(a->from) || given(a->until)))
		return RA_EUSAGE;
	if ((er = update_check(d, a)) != RA_OK)
		return desk_refused(d, er, "desk.institution.update", a);
	if ((er = inst_lock(d, a->institution, "", &res)) != RA_OK ||
	    (er = ra_get_i64(res, 0, "institution_id", &inst)) != RA_OK ||
	    (er = ra_get_bool(res, 0, "logins", &logins)) != RA_OK)
		goto out;
	from = given(a->from) ? a->from : ra_get_text(res, 0, "usage_from");
	until = given(a->until) ? a->until : ra_get_text(res, 0,
	    "usage_until");
	if (strcmp(until, from) < 0) {
		er = desk_why(d, RA_EINPUT, "the usage period would end (%s) "
		    "before it begins (%s)", until, from);
		goto out;
	}
	o_changed = changes(a->name_en, res, "name_en");
	snprintf(what, sizeof(what), "%s%s%s%s%s%s",
	    changes(a->name_ja, res, "name_ja") ? " name_ja" : "",
	    o_changed ? " name_en" : "", changes(a->st, res, "st") ? " st" : "",
	    changes(a->l, res, "l") ? " l" : "",
	    changes(a->from, res, "usage_from") ? " usage_from" : "",
	    changes(a->until, res, "usage_until") ? " usage_until" : "");
	if (*what == '\0') {
		desk_said(d, "institution %s already has these values: nothing "
		    "changed", a->institution);
		goto out;
	}
	if ((er = ra_db_run(d->db, "institution", SQL_UPDATE, NULL,
	    RA_ARGS(RA_INT(inst), RA_TEXT(a->name_ja), RA_TEXT(a->name_en),
	    RA_TEXT(a->st), RA_TEXT(a->l), RA_TEXT(a->from),
	    RA_TEXT(a->until)))) != RA_OK) {
		if (er == RA_EDUP)	/* name_en is UNIQUE: the only one */
			er = desk_why(d, er, "the English name \"%s\" is "
			    "another institution's", a->name_en);
		goto out;
	}
	/* Nobody of a review or withdrawn institution renews anything. */
	if (o_changed && logins &&
	    (er = renew_all(d, inst, &nrenew, &ids)) != RA_OK)
		goto out;
	if ((idlist = ra_pgarr_str(&ids)) == NULL) {
		er = RA_ENOMEM;
		goto out;
	}
	if ((er = ra_db_run1(d->db, "audit detail", SQL_UPDATE_DETAIL, &det,
	    RA_ARGS(RA_TEXT(a->institution), RA_INT(nrenew),
	    RA_TEXT(idlist)))) != RA_OK ||
	    (er = desk_audit(d, "desk.institution.update", inst, 0,
	    ra_get_text(det, 0, "detail"))) != RA_OK ||
	    (er = ra_db_commit(d->db)) != RA_OK)
		goto out;
	if (o_changed && !logins)
		snprintf(renewed, sizeof(renewed), "; the English name (O) "
		    "changed: no renewal URLs, as no officer of a %s "
		    "institution logs in", ra_get_text(res, 0, "status"));
	else if (o_changed)
		snprintf(renewed, sizeof(renewed), "; the English name (O) "
		    "changed: every RA certificate names the old one, so %d "
		    "officer(s) holding one are mailed a renewal URL%s", nrenew,
		    strcmp(ra_get_text(res, 0, "status"), "suspended") == 0 ?
		    " (it opens once the institution is active again)" : "");
	desk_said(d, "institution %s updated:%s%s", a->institution, what,
	    renewed);
out:
	ra_pgarr_free(&ids);
	PQclear(res);
	PQclear(det);
	er = desk_db_why(d, er, "institution");
	ra_db_rollback(d->db);
	return er != RA_OK && *d->why != '\0' ?
	    desk_refused(d, er, "desk.institution.update", a) : er;
}

/* The reason a->reason names, by number or RFC 5280 name; NULL if none. */
static const struct desk_reason *
reason_of(const char *s)
{
	char	 num[8];
	size_t	 i;

	for (i = 0; i < RA_NITEMS(desk_reasons); i++) {
		snprintf(num, sizeof(num), "%d", desk_reasons[i].code);
		if (strcmp(s, num) == 0 ||
		    strcasecmp(s, desk_reasons[i].name) == 0)
			return &desk_reasons[i];
	}
	return NULL;
}

/*
 * The kinds "s" names (comma-separated, or "all" or none for every one)
 * into "kinds"; 0 if one is not a kind an institution holds.
 */
static int
kinds_of(const char *s, struct ra_pgarr *kinds)
{
	const char	*p, *e;
	size_t		 i, n;

	if (!given(s) || strcmp(s, "all") == 0) {
		for (i = 0; i < RA_NITEMS(desk_kinds); i++)
			if (!ra_pgarr_add(kinds, desk_kinds[i]))
				return 0;
		return 1;
	}
	for (p = s; ; p = e + 1) {
		e = p + strcspn(p, ",");
		n = (size_t)(e - p);
		for (i = 0; i < RA_NITEMS(desk_kinds); i++)
			if (strlen(desk_kinds[i]) == n &&
			    strncmp(p, desk_kinds[i], n) == 0)
				break;
		if (i == RA_NITEMS(desk_kinds) ||
		    !ra_pgarr_add(kinds, desk_kinds[i]))
			return 0;
		if (*e == '\0')
			return 1;
	}
}

/* The summary mails of a bulk revocation (SQL_REVOKE_MAILS); "*n" sent. */
static enum ra_err
revoke_mails(struct ra_desk *d, const PGresult *inst, int64_t id,
    const char *ids, const struct desk_reason *why, int *n)
{
	const struct desk_status	*st;
	struct ra_kv			 kv[10];
	PGresult			*res = NULL;
	char				 count[24], more[24];
	int64_t				 total;
	int				 i;
	enum ra_err			 er;

	*n = 0;
	if ((st = status_of(ra_get_text(inst, 0, "status"))) == NULL)
		return RA_EDB;			/* 001's CHECK lists ours */
	if ((er = ra_db_run(d->db, "revocation mails", SQL_REVOKE_MAILS, &res,
	    RA_ARGS(RA_INT(id), RA_TEXT(ids), RA_INT(MAIL_LINES)))) != RA_OK)
		return er;
	for (i = 0; i < PQntuples(res); i++) {
		if ((er = ra_get_i64(res, i, "n", &total)) != RA_OK)
			break;
		snprintf(count, sizeof(count), "%lld", (long long)total);
		snprintf(more, sizeof(more), "%lld", total > MAIL_LINES ?
		    (long long)(total - MAIL_LINES) : 0LL);
		kv[0] = (struct ra_kv){ "NameJa", ra_get_text(res, i, "name_ja") };
		kv[1] = (struct ra_kv){ "InstitutionJa", ra_get_text(inst, 0,
		    "name_ja") };
		kv[2] = (struct ra_kv){ "InstitutionEn", ra_get_text(inst, 0,
		    "name_en") };
		kv[3] = (struct ra_kv){ "ReasonJa", why->ja };
		kv[4] = (struct ra_kv){ "ReasonEn", why->name };
		kv[5] = (struct ra_kv){ "Count", count };
		kv[6] = (struct ra_kv){ "List", ra_get_text(res, i, "list") };
		kv[7] = (struct ra_kv){ "More", more };
		kv[8] = (struct ra_kv){ "Status", st->name };
		kv[9] = (struct ra_kv){ "StatusJa", st->ja };
		if ((er = ra_mail_queue(d->db, "institution-revoked",
		    ra_get_text(res, i, "mail"), kv, RA_NITEMS(kv))) != RA_OK)
			break;
		(*n)++;
	}
	PQclear(res);
	return er;
}

/*
 * Revoke in bulk every live certificate of the kinds given (a->kind:
 * comma-separated, "all" by default) of a suspended or withdrawn
 * institution, with reason a->reason; a->confirm repeats the code, as
 * the guard against the wrong institution.  One transaction: the
 * revocation rows the next CRL lists, a summary mail to each officer and
 * each user administrator, the audit row with the count and the serials.
 */
enum ra_err
ra_desk_institution_revoke(struct ra_desk *d, const struct ra_desk_args *a)
{
	const struct desk_reason	*why;
	struct ra_pgarr			 kinds;
	PGresult			*res = NULL, *rv = NULL, *det = NULL;
	const char			*karr = NULL;
	char				 comment[160];
	int64_t				 inst, n = 0;
	int				 bulk, nmail = 0;
	enum ra_err			 er;

	memset(&kinds, 0, sizeof(kinds));
	if (a->institution == NULL || !given(a->reason) || a->confirm == NULL)
		return RA_EUSAGE;
	if ((why = reason_of(a->reason)) == NULL) {
		er = desk_why(d, RA_EINPUT, "reason %s is not one the desk "
		    "revokes with: use 5 cessationOfOperation, 3 "
		    "affiliationChanged, 9 privilegeWithdrawn or 1 "
		    "keyCompromise", a->reason);
		goto out;
	}
	if (!kinds_of(a->kind, &kinds) ||
	    (karr = ra_pgarr_str(&kinds)) == NULL) {
		er = desk_why(d, RA_EINPUT, "kind %s is not one an institution "
		    "holds: use server, client, smime, code_signing, ra_officer "
		    "or all (comma-separated)", a->kind);
		goto out;
	}
	if (strcmp(a->confirm, a->institution) != 0) {
		er = desk_why(d, RA_EINPUT, "the confirmation \"%s\" is not the "
		    "institution code %s: type the code twice to revoke its "
		    "certificates", a->confirm, a->institution);
		goto out;
	}
	if ((er = inst_lock(d, a->institution, "", &res)) != RA_OK ||
	    (er = ra_get_i64(res, 0, "institution_id", &inst)) != RA_OK ||
	    (er = ra_get_bool(res, 0, "bulk_revoke", &bulk)) != RA_OK)
		goto out;
	if (!bulk) {
		er = desk_why(d, RA_EINPUT, "institution %s is %s: only a "
		    "suspended or withdrawn institution's certificates are "
		    "revoked in bulk; suspend it first", a->institution,
		    ra_get_text(res, 0, "status"));
		goto out;
	}
	snprintf(comment, sizeof(comment), "revoked in bulk by the service "
	    "desk: institution %s %s", a->institution,
	    ra_get_text(res, 0, "status"));
	if ((er = ra_db_run1(d->db, "bulk revocation", SQL_REVOKE, &rv,
	    RA_ARGS(RA_INT(inst), RA_TEXT(karr), RA_INT(why->code),
	    RA_TEXT(comment)))) != RA_OK ||
	    (er = ra_get_i64(rv, 0, "n", &n)) != RA_OK ||
	    (n > 0 && (er = revoke_mails(d, res, inst, ra_get_text(rv, 0,
	    "ids"), why, &nmail)) != RA_OK) ||
	    (er = ra_db_run1(d->db, "audit detail", SQL_REVOKE_DETAIL, &det,
	    RA_ARGS(RA_TEXT(a->institution), RA_INT(why->code),
	    RA_TEXT(why->name), RA_TEXT(karr), RA_INT(n),
	    RA_TEXT(ra_get_text(rv, 0, "serials")), RA_INT(nmail)))) !=
	    RA_OK ||
	    (er = desk_audit(d, "desk.institution.revoke", inst, 0,
	    ra_get_text(det, 0, "detail"))) != RA_OK ||
	    (er = ra_db_commit(d->db)) != RA_OK)
		goto out;
	desk_said(d, "institution %s: %lld certificate(s) revoked (%s, %d: "
	    "%s); the next CRL lists them; %d summary mail(s) queued to its "
	    "officers and user administrators", a->institution, (long long)n,
	    why->name, why->code, ra_get_text(rv, 0, "per_kind"), nmail);
out:
	ra_pgarr_free(&kinds);
	PQclear(res);
	PQclear(rv);
	PQclear(det);
	er = desk_db_why(d, er, "bulk revocation");
	ra_db_rollback(d->db);
	return er != RA_OK && *d->why != '\0' ?
	    desk_refused(d, er, "desk.institution.revoke", a) : er;
}
