/*
 * desk-ops.c: the operations view of the service desk -- what cron and
 * the daemons did and what waits: the mail queue (failed mails with the
 * MTA's answer), the work queue and stuck jobs, the last CRL of each CA,
 * certificates expiring soon, the audit chain.  One declared table of
 * sections, read by the desk screen and by "desk.cgi ops-status" alike;
 * a section whose rows are problems makes the shell exit non-zero.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ra.h"
#include "domain.h"
#include "desk.h"

#define JST(col) "to_char(" col " AT TIME ZONE 'Asia/Tokyo', 'YYYY-MM-DD HH24:MI')"

static const struct ra_desk_ops_section sections[] = {
	{ "mail", "メール送信待ち・状態", "Mail queue", 0,
	  { "state", "count", NULL },
	  "SELECT state, count(*)::text AS count FROM ra.mail"
	  " WHERE state <> 'sent' OR sent_at > pg_catalog.now() - interval '1 day'"
	  " GROUP BY state ORDER BY state" },
	{ "mail-failed", "送信に失敗したメール", "Failed mails", 1,
	  { "mail_id", "template", "recipients", "attempts", "last_error",
	    "created", NULL },
	  "SELECT mail_id::text, template,"
	  "       pg_catalog.array_to_string(recipients, ', ') AS recipients,"
	  "       attempts::text, coalesce(last_error, '') AS last_error, "
	  JST("created_at") " AS created"
	  "  FROM ra.mail WHERE state = 'failed'"
	  " ORDER BY mail_id DESC LIMIT 100" },
	{ "jobs", "発行キュー", "Work queue", 0,
	  { "state", "count", NULL },
	  "SELECT state, count(*)::text AS count FROM ra.job"
	  " WHERE state <> 'done' OR finished_at > pg_catalog.now() - interval '1 day'"
	  " GROUP BY state ORDER BY state" },
	/*
	 * Claimed long ago, waiting long, or failing again and again; or put
	 * off, with its reason, for ten minutes and more: a CA key the worker
	 * lacks, its token absent (each claim moves run_after on, so the
	 * job's age tells).
	 */
	{ "jobs-stuck", "滞留しているジョブ", "Stuck jobs", 1,
	  { "job_id", "request_id", "state", "attempts", "claimed_by",
	    "claimed", "last_error", NULL },
	  "SELECT job_id::text, request_id::text, state, attempts::text,"
	  "       coalesce(claimed_by, '') AS claimed_by,"
	  "       coalesce(" JST("claimed_at") ", '') AS claimed,"
	  "       coalesce(last_error, '') AS last_error"
	  "  FROM ra.job"
	  " WHERE (state = 'running'"
	  "        AND claimed_at < pg_catalog.now() - interval '10 minutes')"
	  "    OR (state = 'queued'"
	  "        AND run_after < pg_catalog.now() - interval '1 hour')"
	  "    OR (state IN ('queued', 'running') AND attempts >= 3)"
	  "    OR (state = 'queued' AND last_error IS NOT NULL"
	  "        AND created_at < pg_catalog.now() - interval '10 minutes')"
	  " ORDER BY job_id LIMIT 100" },
	/* Every CA's newest CRL; overdue ones are the problem rows. */
	{ "crl", "CRL (認証局ごとの最新)", "Last CRL of each CA", 0,
	  { "ca", "crl_number", "this_update", "next_update", "entries",
	    "overdue", NULL },
	  "SELECT a.name AS ca, coalesce(l.crl_number::text, '-') AS crl_number,"
	  "       coalesce(" JST("l.this_update") ", '-') AS this_update,"
	  "       coalesce(" JST("l.next_update") ", '-') AS next_update,"
	  "       coalesce(l.entries::text, '-') AS entries,"
	  "       CASE WHEN l.next_update IS NULL"
	  "              OR l.next_update < pg_catalog.now() THEN 'yes'"
	  "            ELSE 'no' END AS overdue"
	  "  FROM ra.ca a"
	  "  LEFT JOIN LATERAL (SELECT c.crl_number, c.this_update,"
	  "                             c.next_update, c.entries"
	  "                        FROM ra.crl c WHERE c.ca_id = a.ca_id"
	  "                      ORDER BY c.crl_number DESC LIMIT 1) l ON true"
	  " WHERE a.status = 'active' AND a.not_after > pg_catalog.now()"
	  " ORDER BY a.ca_id" },
	{ "crl-overdue", "期限切れのCRL", "Overdue CRLs", 1,
	  { "ca", "next_update", NULL },
	  "SELECT a.name AS ca, coalesce(" JST("l.next_update") ", 'none yet')"
	  "       AS next_update"
	  "  FROM ra.ca a"
	  "  LEFT JOIN LATERAL (SELECT c.crl_number, c.this_update,"
	  "                             c.next_update, c.entries"
	  "                        FROM ra.crl c WHERE c.ca_id = a.ca_id"
	  "                      ORDER BY c.crl_number DESC LIMIT 1) l ON true"
	  " WHERE a.status = 'active' AND a.not_after > pg_catalog.now()"
	  "   AND a.key_path IS NOT NULL"
	  "   AND (l.next_update IS NULL OR l.next_update < pg_catalog.now())"
	  " ORDER BY a.ca_id" },
	/* Each issuing CA's newest OCSP signer (the cron renews them). */
	{ "ocsp", "OCSPレスポンダ署名用証明書", "OCSP signers", 0,
	  { "ca", "signer_not_after", "waiting", NULL },
	  "SELECT a.name AS ca,"
	  "       coalesce(" JST("(SELECT max(o.not_after) FROM ra.ocsp_signer o"
	  "                         WHERE o.ca_id = a.ca_id)") ", 'none') AS"
	  "         signer_not_after,"
	  "       CASE WHEN EXISTS (SELECT 1 FROM ra.ocsp_signer o"
	  "                          WHERE o.ca_id = a.ca_id AND o.issued_at IS NULL)"
	  "            THEN 'yes' ELSE 'no' END AS waiting"
	  "  FROM ra.ca a"
	  " WHERE a.role = 'issuing' AND a.not_after > pg_catalog.now()"
	  " ORDER BY a.ca_id" },
	/* A responder without a signer for a day more answers nothing. */
	{ "ocsp-expiring", "1日以内に切れるOCSP署名用証明書",
	  "OCSP signers ending within a day", 1,
	  { "ca", "signer_not_after", NULL },
	  "SELECT a.name AS ca,"
	  "       coalesce(" JST("max(o.not_after)") ", 'none') AS signer_not_after"
	  "  FROM ra.ca a"
	  "  LEFT JOIN ra.ocsp_signer o ON o.ca_id = a.ca_id"
	  " WHERE a.role = 'issuing' AND a.not_after > pg_catalog.now()"
	  " GROUP BY a.ca_id, a.name"
	  " HAVING coalesce(max(o.not_after), '-infinity') <"
	  "        pg_catalog.now() + interval '1 day'"
	  " ORDER BY a.ca_id" },
	/* Live, not renewed: what someone must act on within 30 days. */
	{ "expiring", "30日以内に有効期限を迎える証明書",
	  "Certificates expiring within 30 days", 0,
	  { "kind", "serial", "cn", "institution", "not_after", NULL },
	  "SELECT c.kind, c.serial::text, c.cn, i.code AS institution, "
	  JST("c.not_after") " AS not_after"
	  "  FROM ra.certificate c JOIN ra.institution i USING (institution_id)"
	  " WHERE c.state = 'issued' AND c.superseded_by IS NULL"
	  "   AND c.not_after BETWEEN pg_catalog.now()"
	  "       AND pg_catalog.now() + interval '30 days'"
	  "   AND NOT EXISTS (SELECT 1 FROM ra.revocation v"
	  "                    WHERE v.cert_id = c.cert_id)"
	  " ORDER BY c.not_after, c.cert_id LIMIT 200" },
};

/* Section "i" of the view (NULL past the last); borrowed, static. */
const struct ra_desk_ops_section *
ra_desk_ops_section(size_t i)
{
	return i < RA_NITEMS(sections) ? &sections[i] : NULL;
}

/* The rows of section "s" now. */
enum ra_err
ra_desk_ops_rows(struct ra_desk *d, const struct ra_desk_ops_section *s,
    PGresult **res)
{
	return ra_db_query(d->db, s->name, s->sql, 0, NULL, res);
}

/*
 * The audit chain checked from its first row, and against the signed
 * checkpoints: "line" gets the first finding (or how many rows are
 * chained) and the summary of the checkpoints.
 */
enum ra_err
ra_desk_ops_audit(struct ra_desk *d, char *line, size_t linesz)
{
	char		*buf = NULL;
	const char	*text, *last;
	size_t		 len = 0, first;
	FILE		*fp;
	enum ra_err	 er;

	if ((fp = open_memstream(&buf, &len)) == NULL)
		return RA_ENOMEM;
	er = ra_audit_verify_all(d->db, d->conf, fp);
	ra_db_rollback(d->db);	/* the check's read-only transaction */
	if (fclose(fp) != 0 && er == RA_OK)
		er = RA_ENOMEM;
	text = buf != NULL ? buf : "";
	first = strcspn(text, "\n");
	/* the summary is the last line; "audit summary: " left out */
	len = strlen(text);
	while (len > 0 && text[len - 1] == '\n')
		len--;
	for (last = text + len; last > text && last[-1] != '\n'; last--)
		;
	if (last > text && strncmp(last, "audit summary: ", 15) == 0)
		snprintf(line, linesz, "%.*s; %.*s", (int)first, text,
		    (int)(text + len - last - 15), last + 15);
	else
		snprintf(line, linesz, "%.*s", (int)first, text);
	free(buf);
	return er;
}

/* The desk's one action here: a failed mail queued again (029). */
enum ra_err
ra_desk_mail_resend(struct ra_desk *d, const struct ra_desk_args *a)
{
	PGresult	*res = NULL;
	char		 detail[64];
	enum ra_err	 er;

	if (a->mail_id <= 0)
		return RA_EUSAGE;
	if ((er = ra_db_begin(d->db)) != RA_OK)
		return er;
	if ((er = ra_db_run1(d->db, "mail", "SELECT ra.mail_resend($1::bigint)"
	    " AS why", &res, RA_ARGS(RA_INT(a->mail_id)))) != RA_OK)
		goto out;
	if (!PQgetisnull(res, 0, 0)) {
		er = desk_why(d, RA_EINPUT, "mail %lld: %s", a->mail_id,
		    PQgetvalue(res, 0, 0));
		goto out;
	}
	snprintf(detail, sizeof(detail), "{\"mail_id\": %lld}", a->mail_id);
	if ((er = desk_audit(d, "desk.mail.resend", 0, 0, detail)) == RA_OK &&
	    (er = ra_db_commit(d->db)) == RA_OK)
		desk_said(d, "mail %lld is queued again", a->mail_id);
out:
	PQclear(res);
	er = desk_db_why(d, er, "mail");
	ra_db_rollback(d->db);
	return er != RA_OK && *d->why != '\0' ?
	    desk_refused(d, er, "desk.mail.resend", a) : er;
}
