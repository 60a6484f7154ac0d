/*
 * desk-officer.c: an RA officer's life after registration (desk.c adds
 * them): their details, domains and interfaces changed; suspended,
 * resumed, retired; a lost RA certificate replaced.  An RA certificate is
 * the key to an institution's certificates, so each step that takes it
 * away does all of it in one transaction: sessions ended, a queued RA
 * certificate request cancelled, retrieval URLs voided, every live RA
 * certificate revoked with the step's reason, the officer mailed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ra.h"
#include "domain.h"
#include "desk.h"

/*
 * The officer, locked, with what the mails and URLs need, what their
 * institution's status lets them do, and whether they hold a live RA
 * certificate: every officer action of the desk starts here.
 */
static const char SQL_LOCK[] =
    "SELECT o.officer_id, o.institution_id, i.name_ja AS institution_ja,"
    "       o.name_ja, o.name_romaji, o.mail, o.status,"
    "       i.status AS institution_status, s.logins,"
    "       EXISTS (SELECT 1 FROM ra.certificate c"
    "                WHERE c.officer_id = o.officer_id"
    "                  AND c.kind = 'ra_officer' AND c.state = 'issued'"
    "                  AND c.not_after > pg_catalog.now()"
    "                  AND NOT EXISTS (SELECT 1 FROM ra.revocation v"
    "                                   WHERE v.cert_id = c.cert_id)) AS live"
    "  FROM ra.officer o JOIN ra.institution i USING (institution_id)"
    "  JOIN ra.institution_state s ON s.status = i.status"
    " WHERE o.officer_id = $1::bigint FOR UPDATE OF o";
static const char SQL_STATUS[] =
    "UPDATE ra.officer SET status = $2, updated_at = pg_catalog.now()"
    " WHERE officer_id = $1::bigint";
/*
 * Everything that lets the officer in, or will: one statement, so the
 * counts come back together.  The queued request is cancelled first (the
 * worker may hold it: this waits), so the revocation that follows sees a
 * certificate the worker has just stored.
 */
static const char SQL_SHUT[] =
    "WITH s AS (UPDATE ra.session SET ended_at = pg_catalog.now()"
    "            WHERE officer_id = $1::bigint AND ended_at IS NULL"
    "           RETURNING 1),"
    " u AS (UPDATE ra.access_token SET used_at = pg_catalog.now()"
    "        WHERE officer_id = $1::bigint AND used_at IS NULL"
    "          AND purpose IN ('ra_cert', 'ra_renew') RETURNING 1),"
    " q AS (UPDATE ra.request SET state = 'cancelled', key_secret = NULL,"
    "              done_at = pg_catalog.now(), error = $2"
    "        WHERE officer_id = $1::bigint AND kind = 'ra_officer'"
    "          AND state = 'queued' RETURNING 1)"
    " SELECT (SELECT count(*) FROM s) AS sessions,"
    "        (SELECT count(*) FROM u) AS urls,"
    "        (SELECT count(*) FROM q) AS requests";
/* The live RA certificates revoked (024), and what the row says. */
static const char SQL_REVOKE[] =
    "WITH r AS (SELECT serial FROM ra.desk_officer_revoke($1::bigint,"
    "            $2::smallint, $3))"
    " SELECT count(*) AS n,"
    "        coalesce(string_agg(serial::text, ', ' ORDER BY serial), '')"
    "          AS serials,"
    "        pg_catalog.jsonb_build_object('reason', $2::integer,"
    "          'revoked', coalesce(pg_catalog.jsonb_agg(serial::text"
    "            ORDER BY serial), '[]'),"
    "          'sessions_ended', $4::integer, 'urls_voided', $5::integer,"
    "          'requests_cancelled', $6::integer)::text AS detail"
    "   FROM r";

/* officer-update: the columns given change, the others stay. */
static const char SQL_UPDATE[] =
    "UPDATE ra.officer SET name_ja = coalesce($2, name_ja),"
    "       name_romaji = coalesce($3, name_romaji),"
    "       mail = coalesce($4, mail), phone = coalesce($5, phone),"
    "       updated_at = pg_catalog.now()"
    " WHERE officer_id = $1::bigint";
/* The domain list replaced: what is not in it goes, what is new comes. */
static const char SQL_DOMAINS_OFF[] =
    "DELETE FROM ra.officer_domain od USING ra.domain d"
    " WHERE od.officer_id = $1::bigint AND d.domain_id = od.domain_id"
    "   AND d.name <> ALL (pg_catalog.string_to_array(pg_catalog.lower($2),"
    "       ','))";
static const char SQL_DOMAINS_ON[] =
    "INSERT INTO ra.officer_domain (institution_id, officer_id, domain_id)"
    " SELECT institution_id, $2::bigint, domain_id FROM ra.domain"
    "  WHERE institution_id = $1::bigint"
    "    AND name = ANY (pg_catalog.string_to_array(pg_catalog.lower($3), ','))"
    " ON CONFLICT DO NOTHING";
static const char SQL_DOMAINS_KNOWN[] =
    "SELECT count(*) = pg_catalog.cardinality(a) AS ok"
    "  FROM (SELECT ARRAY(SELECT DISTINCT x FROM pg_catalog.unnest("
    "          pg_catalog.string_to_array(pg_catalog.lower($2), ',')) x) AS a) s"
    "  JOIN ra.domain d ON d.name = ANY (s.a) AND d.institution_id = $1::bigint"
    " GROUP BY a";
static const char SQL_PERMS_OFF[] =
    "DELETE FROM ra.officer_permission"
    " WHERE officer_id = $1::bigint"
    "   AND interface::text <> ALL (pg_catalog.string_to_array($2, ','))";
static const char SQL_PERMS_ON[] =
    "INSERT INTO ra.officer_permission (officer_id, interface)"
    " SELECT $1::bigint, i.interface FROM ra.interface i"
    "  WHERE i.interface::text = ANY (pg_catalog.string_to_array($2, ','))"
    " ON CONFLICT DO NOTHING";
static const char SQL_PERMS_KNOWN[] =
    "SELECT count(i.interface) = pg_catalog.cardinality(a) AS ok"
    "  FROM (SELECT ARRAY(SELECT DISTINCT x FROM pg_catalog.unnest("
    "          pg_catalog.string_to_array($1, ',')) x) AS a) s"
    "  LEFT JOIN ra.interface i ON i.interface::text = ANY (s.a)"
    " GROUP BY a";

/* Every officer with what the desk acts on, for the screen. */
static const char SQL_LIST[] =
    "SELECT o.officer_id, i.code, o.name_ja, o.name_romaji, o.mail, o.phone,"
    "       o.status,"
    "       coalesce((SELECT string_agg(d.name, ',' ORDER BY d.name)"
    "                   FROM ra.officer_domain od"
    "                   JOIN ra.domain d ON d.domain_id = od.domain_id"
    "                  WHERE od.officer_id = o.officer_id), '') AS domains,"
    "       coalesce((SELECT string_agg(p.interface::text, ','"
    "                          ORDER BY p.interface)"
    "                   FROM ra.officer_permission p"
    "                  WHERE p.officer_id = o.officer_id), '') AS interfaces,"
    "       coalesce((SELECT string_agg(c.serial::text || ' (' ||"
    "                   to_char(c.not_after AT TIME ZONE 'Asia/Tokyo',"
    "                   'YYYY-MM-DD') || ')', ', ' ORDER BY c.cert_id)"
    "                   FROM ra.certificate c"
    "                  WHERE c.officer_id = o.officer_id"
    "                    AND c.state = 'issued'"
    "                    AND c.not_after > pg_catalog.now()"
    "                    AND NOT EXISTS (SELECT 1 FROM ra.revocation v"
    "                                     WHERE v.cert_id = c.cert_id)), '')"
    "         AS certs,"
    "       coalesce((SELECT string_agg(t.purpose || ' ' ||"
    "                   to_char(t.expires_at AT TIME ZONE 'Asia/Tokyo',"
    "                   'YYYY-MM-DD') || CASE WHEN t.locked_at IS NOT NULL"
    "                   THEN ' locked' WHEN t.pin_hash IS NULL"
    "                   AND t.purpose = 'ra_cert' THEN ' no PIN' ELSE '' END,"
    "                   ', ')"
    "                   FROM ra.access_token t"
    "                  WHERE t.officer_id = o.officer_id"
    "                    AND t.used_at IS NULL"
    "                    AND t.expires_at > pg_catalog.now()), '') AS urls"
    "  FROM ra.officer o JOIN ra.institution i USING (institution_id)"
    " ORDER BY i.code, o.status = 'retired', o.officer_id LIMIT 2000";

/*
 * What each step does: the status it needs and leaves, the reason its
 * revocations carry, whether a new retrieval URL follows, and how the
 * mail and the desk say it.  Declared once; the shell and the screen
 * reach them through the functions at the end.
 */
struct officer_step {
	const char	*event;
	const char	*from[2];	/* statuses it applies to */
	const char	*to;		/* NULL: unchanged */
	int		 reason;	/* -1: nothing revoked */
	int		 new_url;	/* a retrieval URL follows */
	int		 needs_live;	/* refused without a live RA certificate */
	const char	*mail;		/* Mail.Action of ra-officer-status */
	const char	*name;		/* what it makes the officer */
	const char	*done;		/* for the desk */
};

static const struct officer_step step_suspend = {
	"desk.officer.suspend", { "active", NULL }, "suspended",
	RA_REASON_PRIVILEGE_WITHDRAWN, 0, 0, "suspended", "suspended",
	"suspended"
};
static const struct officer_step step_resume = {
	"desk.officer.resume", { "suspended", NULL }, "active",
	-1, 1, 0, NULL, "resumed", "active again; a new retrieval URL is mailed"
};
static const struct officer_step step_retire = {
	"desk.officer.retire", { "active", "suspended" }, "retired",
	RA_REASON_AFFILIATION_CHANGED, 0, 0, "retired", "retired", "retired"
};
static const struct officer_step step_lost = {
	"desk.officer.lost", { "active", NULL }, NULL,
	RA_REASON_KEY_COMPROMISE, 1, 1, "lost", "reported lost",
	"reported lost; a new retrieval URL is mailed (then pin-issue)"
};

static int
step_applies(const struct officer_step *st, const char *status)
{
	size_t	 i;

	for (i = 0; i < RA_NITEMS(st->from); i++)
		if (st->from[i] != NULL && strcmp(st->from[i], status) == 0)
			return 1;
	return 0;
}

/*
 * Begin an officer action's transaction with the officer a->officer
 * locked ("*res": SQL_LOCK's row); RA_EINPUT with why when there is none.
 */
enum ra_err
desk_officer_begin(struct ra_desk *d, const struct ra_desk_args *a,
    PGresult **res)
{
	enum ra_err	 er;

	*res = NULL;
	if (a->officer <= 0)
		return RA_EUSAGE;
	if ((er = ra_db_begin(d->db)) != RA_OK)
		return er;
	if ((er = ra_db_run1(d->db, "officer", SQL_LOCK, res,
	    RA_ARGS(RA_INT(a->officer)))) == RA_ENOTFOUND)
		er = desk_why(d, RA_EINPUT, "officer %lld is not registered",
		    a->officer);
	return er;
}

/* The officer's mail about a step (ra-officer-status). */
static enum ra_err
status_mail(struct ra_desk *d, const struct officer_step *st,
    const struct ra_url_who *who, const char *serials)
{
	struct ra_kv	 kv[4];

	kv[0] = (struct ra_kv){ "NameJa", who->name_ja };
	kv[1] = (struct ra_kv){ "InstitutionJa", who->institution_ja };
	kv[2] = (struct ra_kv){ "Action", st->mail };
	kv[3] = (struct ra_kv){ "Serials", serials };
	return ra_mail_queue(d->db, "ra-officer-status", who->mail, kv, 4);
}

/* One step of an officer's life (above), one transaction. */
static enum ra_err
officer_step(struct ra_desk *d, const struct ra_desk_args *a,
    const struct officer_step *st)
{
	struct ra_url_who	 who;
	PGresult		*res = NULL, *shut = NULL, *rev = NULL;
	const char		*status, *serials = "", *detail = NULL;
	char			 why[128], reason[16], sessions[24];
	int			 logins = 0;
	enum ra_err		 er;

	if ((er = desk_officer_begin(d, a, &res)) != RA_OK)
		goto out;
	status = ra_get_text(res, 0, "status");
	if (!step_applies(st, status)) {
		er = desk_why(d, RA_EINPUT, "officer %lld is %s: cannot be %s",
		    a->officer, status, st->name);
		goto out;
	}
	/* A URL raget.cgi would call invalid is no help to anyone. */
	if (st->new_url && ((er = ra_get_bool(res, 0, "logins", &logins)) !=
	    RA_OK || !logins)) {
		if (er == RA_OK)
			er = desk_why(d, RA_EINPUT, "officer %lld: their "
			    "institution's officers cannot log in now; make it "
			    "active first", a->officer);
		goto out;
	}
	if ((er = desk_url_who(res, 0, &who)) != RA_OK)
		goto out;
	snprintf(why, sizeof(why), "cancelled by the desk: %s", st->event +
	    strlen("desk.officer."));
	if (st->to != NULL && (er = ra_db_run(d->db, "officer status",
	    SQL_STATUS, NULL, RA_ARGS(RA_INT(a->officer),
	    RA_TEXT(st->to)))) != RA_OK)
		goto out;
	if ((er = ra_db_run1(d->db, "sessions", SQL_SHUT, &shut,
	    RA_ARGS(RA_INT(a->officer), RA_TEXT(why)))) != RA_OK)
		goto out;
	snprintf(sessions, sizeof(sessions), "%s",
	    ra_get_text(shut, 0, "sessions"));
	if (st->reason >= 0) {
		snprintf(reason, sizeof(reason), "%d", st->reason);
		if ((er = ra_db_run1(d->db, "revocation", SQL_REVOKE, &rev,
		    RA_ARGS(RA_INT(a->officer), RA_TEXT(reason),
		    RA_TEXT(st->event), RA_TEXT(sessions),
		    RA_TEXT(ra_get_text(shut, 0, "urls")),
		    RA_TEXT(ra_get_text(shut, 0, "requests"))))) != RA_OK)
			goto out;
		serials = ra_get_text(rev, 0, "serials");
		detail = ra_get_text(rev, 0, "detail");
		/* A second click finds nothing left to revoke: no second URL. */
		if (st->needs_live && *serials == '\0') {
			er = desk_why(d, RA_EINPUT, "officer %lld has no live RA "
			    "certificate to report lost; url-reissue mails a "
			    "new retrieval URL", a->officer);
			goto out;
		}
	}
	who.why = st->mail != NULL ? st->mail : "resumed";
	if ((st->new_url && (er = ra_url_ra_cert_new(d->db, d->conf,
	    &who)) != RA_OK) ||
	    (st->mail != NULL && (er = status_mail(d, st, &who, serials)) !=
	    RA_OK) ||
	    (er = desk_audit(d, st->event, who.institution_id, a->officer,
	    detail)) != RA_OK ||
	    (er = ra_db_commit(d->db)) != RA_OK)
		goto out;
	desk_said(d, "officer %lld (%s) %s; %s session(s) ended; RA "
	    "certificate(s) revoked: %s", a->officer, who.name_romaji,
	    st->done, sessions, *serials != '\0' ? serials : "none");
out:
	PQclear(res);
	PQclear(shut);
	PQclear(rev);
	er = desk_db_why(d, er, "officer");
	ra_db_rollback(d->db);
	return er != RA_OK && *d->why != '\0' ?
	    desk_refused(d, er, st->event, a) : er;
}

enum ra_err
ra_desk_officer_suspend(struct ra_desk *d, const struct ra_desk_args *a)
{
	return officer_step(d, a, &step_suspend);
}

enum ra_err
ra_desk_officer_resume(struct ra_desk *d, const struct ra_desk_args *a)
{
	return officer_step(d, a, &step_resume);
}

enum ra_err
ra_desk_officer_retire(struct ra_desk *d, const struct ra_desk_args *a)
{
	return officer_step(d, a, &step_retire);
}

enum ra_err
ra_desk_officer_lost(struct ra_desk *d, const struct ra_desk_args *a)
{
	return officer_step(d, a, &step_lost);
}

/* Whether every item of list "v" is known ("sql" answers ok). */
static enum ra_err
list_known(struct ra_desk *d, const char *sql, const struct ra_arg *args,
    size_t n)
{
	PGresult	*res = NULL;
	int		 ok = 0;
	enum ra_err	 er;

	if ((er = ra_db_run1(d->db, "known", sql, &res, args, n)) == RA_OK)
		er = ra_get_bool(res, 0, "ok", &ok);
	PQclear(res);
	if (er == RA_OK && !ok)
		er = RA_ENOTFOUND;
	return er;
}

/*
 * Change an officer's name, mail, phone (given ones only), and replace
 * their domains or interfaces with the lists given.  A new romaji name
 * is the CN of their next RA certificate, not of the current one.
 */
enum ra_err
ra_desk_officer_update(struct ra_desk *d, const struct ra_desk_args *a)
{
	PGresult	*res = NULL;
	int64_t		 inst;
	const char	*status;
	enum ra_err	 er;

	if (a->officer <= 0 || (a->name_ja == NULL && a->romaji == NULL &&
	    a->mail == NULL && a->phone == NULL && a->domains == NULL &&
	    a->interfaces == NULL))
		return RA_EUSAGE;
	if ((er = desk_officer_begin(d, a, &res)) != RA_OK)
		goto out;
	status = ra_get_text(res, 0, "status");
	if (strcmp(status, "retired") == 0) {
		er = desk_why(d, RA_EINPUT, "officer %lld is retired: register "
		    "them again instead", a->officer);
		goto out;
	}
	if ((er = ra_get_i64(res, 0, "institution_id", &inst)) != RA_OK)
		goto out;
	if ((er = ra_db_run(d->db, "officer", SQL_UPDATE, NULL,
	    RA_ARGS(RA_INT(a->officer), RA_TEXT(a->name_ja),
	    RA_TEXT(a->romaji), RA_TEXT(a->mail), RA_TEXT(a->phone)))) !=
	    RA_OK) {
		if (er == RA_EDUP)
			er = desk_why(d, er, "another officer of the "
			    "institution has mail %s", a->mail);
		goto out;
	}
	if (a->domains != NULL) {
		if ((er = list_known(d, SQL_DOMAINS_KNOWN, RA_ARGS(RA_INT(inst),
		    RA_TEXT(a->domains)))) != RA_OK) {
			if (er == RA_ENOTFOUND)
				er = desk_why(d, RA_EINPUT, "%s: every domain "
				    "must be registered for the officer's "
				    "institution", a->domains);
			goto out;
		}
		if ((er = ra_db_run(d->db, "officer domains", SQL_DOMAINS_OFF,
		    NULL, RA_ARGS(RA_INT(a->officer), RA_TEXT(a->domains)))) !=
		    RA_OK ||
		    (er = ra_db_run(d->db, "officer domains", SQL_DOMAINS_ON,
		    NULL, RA_ARGS(RA_INT(inst), RA_INT(a->officer),
		    RA_TEXT(a->domains)))) != RA_OK)
			goto out;
	}
	if (a->interfaces != NULL) {
		if ((er = list_known(d, SQL_PERMS_KNOWN, RA_ARGS(RA_TEXT(
		    a->interfaces)))) != RA_OK) {
			if (er == RA_ENOTFOUND)
				er = desk_why(d, RA_EINPUT, "%s: interfaces are "
				    "the menu's numbers, comma-separated (e.g. "
				    "1,2,10)", a->interfaces);
			goto out;
		}
		if ((er = ra_db_run(d->db, "officer interfaces", SQL_PERMS_OFF,
		    NULL, RA_ARGS(RA_INT(a->officer), RA_TEXT(a->interfaces)))) !=
		    RA_OK ||
		    (er = ra_db_run(d->db, "officer interfaces", SQL_PERMS_ON,
		    NULL, RA_ARGS(RA_INT(a->officer), RA_TEXT(a->interfaces)))) !=
		    RA_OK)
			goto out;
	}
	if ((er = desk_audit(d, "desk.officer.update", inst, a->officer,
	    NULL)) == RA_OK && (er = ra_db_commit(d->db)) == RA_OK)
		desk_said(d, "officer %lld updated", a->officer);
out:
	PQclear(res);
	er = desk_db_why(d, er, "officer");
	ra_db_rollback(d->db);
	return er != RA_OK && *d->why != '\0' ?
	    desk_refused(d, er, "desk.officer.update", a) : er;
}

enum ra_err
ra_desk_officers(struct ra_desk *d, PGresult **res)
{
	return ra_db_query(d->db, "officers", SQL_LIST, 0, NULL, res);
}
