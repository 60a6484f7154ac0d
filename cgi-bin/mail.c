/*
 * mail.cgi: delivers the mail outbox through the configured sendmail
 * command, from a shell only.
 *
 *	mail.cgi send	deliver every mail that is due, then exit (cron)
 *	mail.cgi run	keep delivering until SIGTERM
 *	mail.cgi remind	queue the reminders (M9) for renewed server
 *			certificates whose old one is still not revoked
 *			Mail.RemindDays (14) after the renewal, and the
 *			expiry notices to user administrators at
 *			Mail.ExpiryDays (60,30) before the end (daily cron)
 *	mail.cgi digest	queue each RA officer's digest of what ends within
 *			Mail.DigestDays (60), a TSV attached (weekly cron)
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
#include "web.h"

static volatile sig_atomic_t	 stopping;

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
		if (send_due(r, &n) != RA_OK && PQstatus(r->db) != CONNECTION_OK &&
		    ra_db_reset(r->db) == RA_OK)
			ra_warnx("database connection back");
		if (!stopping)
			(void)poll(NULL, 0, ms);
	}
	return RA_OK;
}

#define EXPIRY_OFFSETS_MAX	8

/*
 * M9, one reminder per renewal whose old certificate is still valid;
 * then the expiry notices, one per certificate and offset.  One count:
 * a cron line and its output as before.
 */
static enum ra_err
cmd_remind(struct ra_req *r)
{
	const char	*days = ra_conf_get(&r->conf, "Mail.ExpiryDays");
	int		 n = 0, m = 0, off[EXPIRY_OFFSETS_MAX], noff;
	enum ra_err	 er;

	if ((noff = ra_expiry_offsets(days != NULL ? days : "60,30", off,
	    EXPIRY_OFFSETS_MAX)) < 0) {
		ra_warnx("Mail.ExpiryDays: not a list of days 1..365 such as "
		    "60,30 (at most %d)", EXPIRY_OFFSETS_MAX);
		return RA_EINPUT;
	}
	if ((er = ra_req_db(r, RA_DB_WORKER)) != RA_OK ||
	    (er = ra_remind_unrevoked(r->db, ra_conf_int(&r->conf,
	    "Mail.RemindDays", 14), &n)) != RA_OK ||
	    (er = ra_expiry_notify(r->db, off, (size_t)noff, &m)) != RA_OK)
		return er;
	printf("%d reminder(s) queued\n", n + m);
	return RA_OK;
}

/* The weekly digest of each RA officer, once a week however often run. */
static enum ra_err
cmd_digest(struct ra_req *r)
{
	int		 n = 0, days;
	enum ra_err	 er;

	if ((days = ra_conf_int(&r->conf, "Mail.DigestDays", 60)) < 1 ||
	    days > 365) {
		ra_warnx("Mail.DigestDays: %d is not 1..365", days);
		return RA_EINPUT;
	}
	if ((er = ra_req_db(r, RA_DB_WORKER)) != RA_OK ||
	    (er = ra_expiry_digest(r->db, days, &n)) != RA_OK)
		return er;
	printf("%d digest(s) queued\n", n);
	return RA_OK;
}

static const struct ra_cmd commands[] = {
	{ "digest",	0,	cmd_digest },
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
	    "mail.cgi send | run | remind | digest");
}
