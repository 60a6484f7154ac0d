/*
 * mail.cgi: delivers the mail outbox through the configured sendmail
 * command, from a shell only.
 *
 *	mail.cgi send	deliver every mail that is due, then exit (cron)
 *	mail.cgi run	keep delivering until SIGTERM
 *	mail.cgi remind	queue the reminders (M9) for renewed server
 *			certificates whose old one is still not revoked
 *			Mail.RemindDays (14) after the renewal (cron)
 *
 * A mail that cannot be delivered (MTA down) is put off with backoff and
 * delivered when the MTA is back; each is sent once (see lib/mail.c).
 */
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ra.h"

static volatile sig_atomic_t	 stopping;

static const char SQL_UNREVOKED[] =
    "SELECT r.request_id, o.mail, o.name_ja, old.subject_dn,"
    "       old.serial::text, coalesce(r.admin_mail, '')"
    "  FROM ra.request r"
    "  JOIN ra.certificate n ON n.request_id = r.request_id"
    "  JOIN ra.certificate old ON old.cert_id = r.target_cert_id"
    "  JOIN ra.officer o ON o.officer_id = r.officer_id"
    " WHERE r.action = 'renew' AND r.kind = 'server' AND n.state = 'issued'"
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

static void
on_signal(int sig)
{
	(void)sig;
	stopping = 1;
}

/* Everything due now; RA_EDB if the database failed us. */
static enum ra_err
send_due(struct ra_req *r, long *sent)
{
	int	 rc = 0;

	while (!stopping && (rc = ra_mail_send_one(r->db, &r->conf)) > 0)
		(*sent)++;
	return rc < 0 ? RA_EDB : RA_OK;
}

static enum ra_err
cmd_send(struct ra_req *r)
{
	long		 n = 0;
	enum ra_err	 er;

	if ((er = ra_req_db(r, RA_DB_MAILER)) != RA_OK)
		return er;
	er = send_due(r, &n);
	printf("%ld mail(s) handled\n", n);
	return er;
}

static enum ra_err
cmd_run(struct ra_req *r)
{
	long		 n = 0;
	int		 ms;
	enum ra_err	 er;

	if ((ms = 1000 * ra_conf_int(&r->conf, "Mail.PollSeconds", 10)) < 1000)
		ms = 1000;
	if ((er = ra_req_db(r, RA_DB_MAILER)) != RA_OK)
		return er;
	while (!stopping) {
		if (send_due(r, &n) != RA_OK && PQstatus(r->db) != CONNECTION_OK)
			PQreset(r->db);
		if (!stopping)
			(void)poll(NULL, 0, ms);
	}
	return RA_OK;
}

/* M9: one reminder per renewal whose old certificate is still valid. */
static enum ra_err
cmd_remind(struct ra_req *r)
{
	struct ra_kv	 kv[5];
	PGresult	*res = NULL;
	const char	*param[1];
	char		 days[16], *block = NULL, *tsv = NULL;
	int		 i, n = 0;
	enum ra_err	 er;

	snprintf(days, sizeof(days), "%d", ra_conf_int(&r->conf,
	    "Mail.RemindDays", 14));
	param[0] = days;
	if ((er = ra_req_db(r, RA_DB_WORKER)) != RA_OK ||
	    (er = ra_db_begin(r->db)) != RA_OK ||
	    (er = ra_db_query(r->db, "unrevoked", SQL_UNREVOKED, 1, param,
	    &res)) != RA_OK)
		goto out;
	for (i = 0; i < PQntuples(res); i++) {
		free(block);
		free(tsv);
		tsv = NULL;
		if ((block = ra_dn_block(PQgetvalue(res, i, 3))) == NULL ||
		    asprintf(&tsv, "%s\t\t\t%s\t4\t\t\t\t\t%s",
		    PQgetvalue(res, i, 3), PQgetvalue(res, i, 4),
		    PQgetvalue(res, i, 5)) < 0) {
			tsv = NULL;
			er = RA_ENOMEM;
			goto out;
		}
		kv[0] = (struct ra_kv){ "NameJa", PQgetvalue(res, i, 2) };
		kv[1] = (struct ra_kv){ "DNBlock", block };
		kv[2] = (struct ra_kv){ "Serial", PQgetvalue(res, i, 4) };
		kv[3] = (struct ra_kv){ "RevokeTSV", tsv };
		kv[4] = (struct ra_kv){ "Days", days };
		param[0] = PQgetvalue(res, i, 0);
		if ((er = ra_mail_queue(r->db, "server-renew-reminder",
		    PQgetvalue(res, i, 1), kv, 5)) != RA_OK ||
		    (er = ra_db_command(r->db, "reminded", SQL_REMINDED, 1,
		    param)) != RA_OK)
			goto out;
		n++;
	}
	if ((er = ra_db_commit(r->db)) == RA_OK)
		printf("%d reminder(s) queued\n", n);
out:
	ra_db_rollback(r->db);
	PQclear(res);
	free(block);
	free(tsv);
	return er;
}

static const struct ra_cmd commands[] = {
	{ "remind",	0,	cmd_remind },
	{ "send",	0,	cmd_send },
	{ "run",	0,	cmd_run },
};

int
main(int argc, char *argv[])
{
	struct sigaction	 sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	return ra_shell_main(argc, argv, commands, RA_NITEMS(commands),
	    "mail.cgi send | run | remind");
}
