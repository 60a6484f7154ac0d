/*
 * acmeval.cgi: the ACME http-01 challenge validator (lib/acmeval.c), a
 * process of its own under its own Unix user (ra-acmeval, role
 * ra_acmeval), from a shell or a service manager only:
 *
 *	acmeval.cgi run		validate until SIGTERM: LISTEN
 *				ra_acme_challenge, Acme.PollSeconds as a
 *				fallback; reconnects after the database
 *				went away
 *	acmeval.cgi once	validate what waits, then exit
 *
 * Several may run at once; each challenge is validated by one of them.
 * Under Apache: 403.
 */
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "ra.h"
#include "web.h"
#include "acmeval.h"

static volatile sig_atomic_t	 stopping;

static void
on_signal(int sig)
{
	(void)sig;
	stopping = 1;
}

static enum ra_err
cmd_once(struct ra_req *r)
{
	struct ra_acmeval	 v;
	long			 n = 0;
	int			 rc = 0;
	enum ra_err		 er;

	if ((er = ra_req_db(r, RA_DB_ACMEVAL)) != RA_OK ||
	    (er = ra_acmeval_init(&v, r->db, &r->conf)) != RA_OK)
		return er;
	while (!stopping && (rc = ra_acmeval_one(&v)) > 0)
		n++;
	printf("%ld challenge(s) validated\n", n);
	return rc < 0 ? RA_EDB : RA_OK;
}

/*
 * Wait for NOTIFY ra_acme_challenge, at most "ms"; 0 if the connection
 * broke.  The signals are let in only here, atomically with the wait.
 */
static int
wait_notify(PGconn *db, int ms, const sigset_t *unblocked)
{
	struct pollfd	 pfd;
	struct timespec	 ts;
	PGnotify	*nt;

	pfd.fd = PQsocket(db);
	pfd.events = POLLIN;
	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (long)(ms % 1000) * 1000000L;
	if (ppoll(&pfd, 1, &ts, unblocked) > 0 && !PQconsumeInput(db))
		return 0;
	while ((nt = PQnotifies(db)) != NULL)
		PQfreemem(nt);
	return 1;
}

static void
pause_unblocked(int ms, const sigset_t *unblocked)
{
	struct timespec	 ts;

	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (long)(ms % 1000) * 1000000L;
	(void)ppoll(NULL, 0, &ts, unblocked);
}

static const char SQL_LISTEN[] = "LISTEN ra_acme_challenge";

static enum ra_err
cmd_run(struct ra_req *r)
{
	struct ra_acmeval	 v;
	sigset_t		 sigs, unblocked;
	int			 n, poll_ms, lost = 0;
	enum ra_err		 er;

	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	sigprocmask(SIG_BLOCK, &sigs, &unblocked);
	sigdelset(&unblocked, SIGTERM);
	sigdelset(&unblocked, SIGINT);
	if ((poll_ms = 1000 * ra_conf_int(&r->conf, "Acme.PollSeconds", 10)) <
	    1000)
		poll_ms = 1000;
	if ((er = ra_req_db(r, RA_DB_ACMEVAL)) != RA_OK ||
	    (er = ra_acmeval_init(&v, r->db, &r->conf)) != RA_OK ||
	    (er = ra_db_command(r->db, "listen", SQL_LISTEN, 0, NULL)) != RA_OK)
		return er;
	ra_warnx("%s: validating http-01 on port %d, %s", v.id, v.opts.port,
	    v.opts.nmap > 0 ? "names from Acme.Resolve" : "names from DNS");
	while (!stopping) {
		if (PQstatus(r->db) == CONNECTION_OK) {
			if ((n = ra_acmeval_one(&v)) > 0)
				continue;
			if (n == 0 && wait_notify(r->db, poll_ms, &unblocked))
				continue;
		}
		if (stopping)
			break;
		if (PQstatus(r->db) != CONNECTION_OK) {
			if (!lost)
				ra_warnx("%s: database connection lost; "
				    "reconnecting every second", v.id);
			lost = 1;
			pause_unblocked(1000, &unblocked);
			if (stopping)
				break;
			if (ra_db_reset(r->db) == RA_OK &&
			    ra_db_command(r->db, "listen", SQL_LISTEN, 0, NULL) ==
			    RA_OK) {
				ra_warnx("%s: database connection back", v.id);
				lost = 0;
			}
		} else
			pause_unblocked(1000, &unblocked); /* an error: no spin */
	}
	ra_warnx("%s: stopped", v.id);
	return RA_OK;
}

static const struct ra_cmd commands[] = {
	{ "run",	0,	cmd_run },
	{ "once",	0,	cmd_once },
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
	    "acmeval.cgi run | once");
}
