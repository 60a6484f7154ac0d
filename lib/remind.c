/*
 * remind.c: reminders queued by cron.  M9: a renewed server (or code-
 * signing) certificate whose old one is still not revoked
 * Mail.RemindDays after the renewal (reference §4), once per renewal.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ra.h"
#include "domain.h"

static const char SQL_UNREVOKED[] =
    "SELECT r.request_id, o.mail, o.name_ja, old.subject_dn,"
    "       old.serial::text AS serial,"
    "       coalesce(r.admin_mail, '') AS admin_mail, r.kind"
    "  FROM ra.request r"
    "  JOIN ra.certificate n ON n.request_id = r.request_id"
    "  JOIN ra.certificate old ON old.cert_id = r.target_cert_id"
    "  JOIN ra.officer o ON o.officer_id = r.officer_id"
    " WHERE r.action = 'renew' AND r.kind IN ('server', 'code_signing')"
    "   AND n.state = 'issued'"
    "   AND n.issued_at < pg_catalog.now() -"
    "       pg_catalog.make_interval(days => $1::integer)"
    "   AND old.not_after > pg_catalog.now()"
    "   AND NOT EXISTS (SELECT 1 FROM ra.revocation v"
    "                    WHERE v.cert_id = old.cert_id)"
    "   AND NOT r.attrs ? 'reminded'"
    "   FOR UPDATE OF r";
static const char SQL_REMINDED[] =
    "UPDATE ra.request SET attrs = attrs || '{\"reminded\": true}'"
    " WHERE request_id = $1::bigint";

/*
 * Queue M9 for every renewal older than "days" days whose old certificate
 * is live and unrevoked, and mark each reminded: one transaction.
 */
enum ra_err
ra_remind_unrevoked(PGconn *db, int days, int *queued)
{
	struct ra_kv	 kv[5];
	PGresult	*res = NULL;
	char		 d[16], *block = NULL, *tsv = NULL;
	int		 i, n = 0;
	enum ra_err	 er;

	*queued = 0;
	snprintf(d, sizeof(d), "%d", days);	/* the mail says it too */
	if ((er = ra_db_begin(db)) != RA_OK ||
	    (er = ra_db_run(db, "unrevoked", SQL_UNREVOKED, &res,
	    RA_ARGS(RA_INT(days)))) != RA_OK)
		goto out;
	for (i = 0; i < PQntuples(res); i++) {
		free(block);
		free(tsv);
		tsv = NULL;
		if ((block = ra_dn_block(ra_get_text(res, i, "subject_dn"))) ==
		    NULL ||
		    asprintf(&tsv, "%s\t\t\t%s\t4\t\t\t\t\t%s",
		    ra_get_text(res, i, "subject_dn"), ra_get_text(res, i,
		    "serial"), ra_get_text(res, i, "admin_mail")) < 0) {
			tsv = NULL;
			er = RA_ENOMEM;
			goto out;
		}
		kv[0] = (struct ra_kv){ "NameJa", ra_get_text(res, i,
		    "name_ja") };
		kv[1] = (struct ra_kv){ "DNBlock", block };
		kv[2] = (struct ra_kv){ "Serial", ra_get_text(res, i,
		    "serial") };
		kv[3] = (struct ra_kv){ "RevokeTSV", tsv };
		kv[4] = (struct ra_kv){ "Days", d };
		if ((er = ra_mail_queue(db, strcmp(ra_get_text(res, i, "kind"),
		    "code_signing") == 0 ? "codesign-renew-reminder" :
		    "server-renew-reminder",
		    ra_get_text(res, i, "mail"), kv, 5)) != RA_OK ||
		    (er = ra_db_run(db, "reminded", SQL_REMINDED, NULL,
		    RA_ARGS(RA_TEXT(ra_get_text(res, i, "request_id"))))) !=
		    RA_OK)
			goto out;
		n++;
	}
	if ((er = ra_db_commit(db)) == RA_OK)
		*queued = n;
out:
	ra_db_rollback(db);
	PQclear(res);
	free(block);
	free(tsv);
	return er;
}
