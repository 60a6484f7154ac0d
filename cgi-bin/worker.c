/*
 * worker.cgi: the issuance worker, the one process that opens CA keys.
 * It runs under its own Unix user, from a shell or a service manager:
 *
 *	worker.cgi run		work the queue until SIGTERM (LISTEN ra_job,
 *				polling as a fallback); SIGHUP re-reads the
 *				CA keys and profiles; a token that is absent
 *				or went away is opened again each poll
 *	worker.cgi drain	work the queue until it is empty, then exit
 *	worker.cgi crl [--due]	publish the CRL of every CA whose key is
 *				here (issuing CAs, the demo root); with
 *				--due only those due (hourly cron)
 *	worker.cgi expire	delete server-made keys nobody fetched (cron)
 *	worker.cgi ocsp-signers	sign the OCSP responder's waiting signer
 *				requests (cron, after ocsp.cgi signer-request)
 *	worker.cgi checkpoint [--due]  sign the audit chain's head into a
 *				new file outside the database (lib/checkpoint.c);
 *				with --due only when Audit.CheckpointMinutes
 *				have passed since the newest (cron)
 *	worker.cgi sandbox-check  confine itself as run does, then show
 *				that exec and file creation are refused
 *
 * run and drain confine themselves once the CA keys are loaded and the
 * database is connected (lib/sandbox.c): no exec, no file created or
 * changed, no new privileges, for the rest of the process.
 * Several may run at once, on one host or many.  Under Apache: 403.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ra.h"
#include "web.h"
#include "ca.h"

/* SIGTERM/SIGINT: finish the batch in hand, then leave. */
static volatile sig_atomic_t	 stopping;
/* SIGHUP: re-read CA keys and profiles before the next batch. */
static volatile sig_atomic_t	 reloading;

static void
on_signal(int sig)
{
	if (sig == SIGHUP)
		reloading = 1;
	else
		stopping = 1;
}

/* Config Worker.Test.KillAfterReserve: die between reserving and signing. */
static void
kill_after_reserve(void *arg)
{
	(void)arg;
	raise(SIGKILL);
}

static enum ra_err
worker_open(struct ra_req *r, struct ra_worker *w)
{
	enum ra_err	 er;

	if ((er = ra_req_db(r, RA_DB_WORKER)) != RA_OK ||
	    (er = ra_worker_open(w, r->db, &r->conf)) != RA_OK)
		return er;
	if (w->nsigners == 0)
		ra_warnx("no CA key could be loaded; jobs will wait");
	if (w->token_missing > 0)
		ra_warnx("%zu CA key(s) in a token not in reach: their jobs "
		    "wait; the token is tried again every poll interval",
		    w->token_missing);
	if (ra_conf_int(&r->conf, "Worker.Test.KillAfterReserve", 0))
		w->after_reserve = kill_after_reserve;
	/* A key holder that cannot confine itself does not sign. */
	if ((er = ra_sandbox_worker()) != RA_OK) {
		ra_warnx("refusing to work unconfined");
		ra_worker_close(w);
		return er;
	}
	return RA_OK;
}

/*
 * The sandbox as run and drain apply it, checked from outside the code
 * that signs: after it, creating a file and running a program must fail
 * and reading a file must still work.  Exit 0 only if all three hold (an
 * exec that went through runs /bin/false, which exits 1).
 */
static enum ra_err
cmd_sandbox_check(struct ra_req *r)
{
	char	 path[64];
	int	 fd, created, readable;
	pid_t	 pid = getpid();

	if (ra_sandbox_worker() != RA_OK)
		return RA_ESYS;
	snprintf(path, sizeof(path), "/tmp/ra-sandbox-check.%ld", (long)pid);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	created = fd != -1;
	if (fd != -1) {
		close(fd);
		(void)unlink(path);
	}
	printf("create %s: %s\n", path, created ? "ALLOWED" : strerror(errno));
	/* /bin/false: should exec get through, the check still fails. */
	fflush(stdout);
	execl("/bin/false", "false", (char *)NULL);
	/* Still here: exec was refused. */
	printf("exec /bin/false: %s\n", strerror(errno));
	fd = open("/etc/passwd", O_RDONLY);
	readable = fd != -1;
	if (fd != -1)
		close(fd);
	printf("read /etc/passwd: %s\n", readable ? "allowed" : strerror(errno));
	return !created && readable ? RA_OK : RA_EPOLICY;
}

static enum ra_err
cmd_drain(struct ra_req *r)
{
	struct ra_worker	 w;
	long			 total = 0, due = 0;
	int			 n = 0;
	enum ra_err		 er;

	if ((er = worker_open(r, &w)) == RA_OK) {
		/*
		 * Empty means no job due at all: jobs another worker holds
		 * (or a dead one held until its backend noticed) are waited for.
		 */
		while (!stopping && (n = ra_worker_batch(&w)) >= 0) {
			total += n;
			if (n == 0 && (er = ra_worker_due(r->db, &due)) == RA_OK &&
			    due == 0)
				break;
			if (n == 0)
				usleep(200 * 1000);
		}
		if (n < 0 || er != RA_OK)
			er = er != RA_OK ? er : RA_EDB;
		printf("%ld job(s) handled\n", total);
	}
	ra_worker_close(&w);
	return er;
}

/*
 * Wait for NOTIFY ra_job, at most "ms"; false if the connection broke.
 * The signals are let in here only ("unblocked": the mask without them),
 * atomically with the wait: a SIGHUP or SIGTERM that came during a batch,
 * or just before the wait, ends it at once instead of after the poll.
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

/* Sleep "ms", or less if a signal held back elsewhere comes. */
static void
pause_unblocked(int ms, const sigset_t *unblocked)
{
	struct timespec	 ts;

	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (long)(ms % 1000) * 1000000L;
	(void)ppoll(NULL, 0, &ts, unblocked);
}

static enum ra_err
cmd_run(struct ra_req *r)
{
	struct ra_worker	 w;
	sigset_t		 sigs, unblocked;
	int			 n, poll_ms, lost = 0;
	enum ra_err		 er;

	/* Held back outside wait_notify; the handlers only set flags. */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGHUP);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	sigprocmask(SIG_BLOCK, &sigs, &unblocked);
	sigdelset(&unblocked, SIGHUP);
	sigdelset(&unblocked, SIGTERM);
	sigdelset(&unblocked, SIGINT);
	poll_ms = 1000 * ra_conf_int(&r->conf, "Worker.PollSeconds", 10);
	if (poll_ms < 1000)
		poll_ms = 1000;
	if ((er = worker_open(r, &w)) != RA_OK ||
	    (er = ra_db_command(r->db, "listen", "LISTEN ra_job", 0, NULL)) !=
	    RA_OK)
		goto out;
	ra_warnx("%s: %zu CA key(s), batches of %zu", w.id, w.nsigners,
	    w.batch);
	while (!stopping) {
		if (reloading) {
			reloading = 0;
			/* Said either way: an operator waits for this line. */
			if (ra_worker_reload(&w) == RA_OK)
				ra_warnx("%s: SIGHUP: reloaded, %zu CA key(s)",
				    w.id, w.nsigners);
			else
				ra_warnx("%s: SIGHUP: reload failed; still "
				    "the %zu CA key(s) loaded before", w.id,
				    w.nsigners);
		}
		if (PQstatus(r->db) == CONNECTION_OK) {
			if ((n = ra_worker_batch(&w)) > 0)
				continue;
			if (n == 0 && wait_notify(r->db, poll_ms, &unblocked))
				continue;
		}
		if (stopping)
			break;
		/* The pauses let SIGTERM in: a worker must stop during an outage. */
		if (PQstatus(r->db) != CONNECTION_OK) {
			/* Said once per outage, not once a second. */
			if (!lost)
				ra_warnx("%s: database connection lost; "
				    "reconnecting every second", w.id);
			lost = 1;
			pause_unblocked(1000, &unblocked);
			if (stopping)
				break;
			if (ra_db_reset(r->db) == RA_OK &&
			    ra_db_command(r->db, "listen", "LISTEN ra_job", 0,
			    NULL) == RA_OK) {
				ra_warnx("%s: database connection back", w.id);
				lost = 0;
			}
		} else
			pause_unblocked(1000, &unblocked); /* an error: no spin */
	}
	ra_warnx("%s: stopped", w.id);
out:
	ra_worker_close(&w);
	return er;
}

static enum ra_err
cmd_crl(struct ra_req *r)
{
	struct ra_keys		 keys;
	struct ra_signer	*sg = NULL;
	size_t			 n = 0, i, missing = 0;
	const char		*dir;
	int			 hours, due = 0;
	enum ra_err		 er, first = RA_OK;

	if (r->argc == 2 && strcmp(r->argv[1], "--due") == 0)
		due = 1;
	else if (r->argc != 1)
		return RA_EUSAGE;
	/* BR 4.9.7: a new CRL at least every 4 days; nextUpdate a day
	 * beyond, so one missed cron run is no lapse. */
	if ((hours = ra_conf_int(&r->conf, "Crl.Hours", 120)) < 1)
		hours = 1;
	if (due && (due = ra_conf_int(&r->conf, "Crl.RepublishHours", 72)) <
	    1)
		due = 1;
	if (due >= hours) {
		ra_warnx("config %s: Crl.RepublishHours must be below Crl.Hours",
		    r->conf.path);
		return RA_ECONF;
	}
	if ((dir = ra_conf_get(&r->conf, "Paths.Crl")) == NULL) {
		ra_warnx("config %s: Paths.Crl is not set", r->conf.path);
		return RA_ECONF;
	}
	ra_keys_cfg(&r->conf, &keys);
	if ((er = ra_req_db(r, RA_DB_WORKER)) != RA_OK ||
	    (er = ra_signers_load(r->db, &keys, RA_SIGNERS_RETIRED, &sg, &n,
	    &missing)) != RA_OK)
		return er;
	/* Cron must hear of it: those CAs' CRLs are not renewed. */
	if (missing > 0) {
		ra_warnx("%zu CA(s) whose key is in a token get no CRL: the "
		    "token is not in reach (see above)", missing);
		first = RA_ECRYPTO;
	}
	/* One CA failing does not stop the others' CRLs. */
	for (i = 0; i < n; i++)
		if ((er = ra_crl_publish(r->db, ra_signer_at(sg, i), dir, hours,
		    due, stdout)) !=
		    RA_OK &&
		    first == RA_OK)
			first = er;
	ra_signers_free(sg, n);
	return first;
}

static enum ra_err
cmd_expire(struct ra_req *r)
{
	int64_t		 n, seals, cancelled;
	enum ra_err	 er;

	if ((er = ra_req_db(r, RA_DB_WORKER)) != RA_OK ||
	    (er = ra_p12_expire(r->db, &n)) != RA_OK ||
	    (er = ra_client_expire(r->db, &seals, &cancelled)) != RA_OK)
		return er;
	printf("%lld expired key(s) deleted\n", (long long)n);
	printf("%lld sealed access PIN(s) of expired URLs deleted, %lld "
	    "browser request(s) cancelled\n", (long long)seals,
	    (long long)cancelled);
	return RA_OK;
}

/*
 * The OCSP responder's delegated signers: the ocsp zone made the keys
 * and the requests (ocsp.cgi signer-request); only the signature is ours.
 */
static enum ra_err
cmd_ocsp_signers(struct ra_req *r)
{
	struct ra_keys		 keys;
	struct ra_signer	*sg = NULL;
	size_t			 n = 0;
	int			 days;
	enum ra_err		 er;

	if ((days = ra_conf_int(&r->conf, "Ocsp.SignerDays", 7)) < 1 ||
	    days > 30)
		days = 7;
	ra_keys_cfg(&r->conf, &keys);
	if ((er = ra_req_db(r, RA_DB_WORKER)) != RA_OK ||
	    (er = ra_signers_load(r->db, &keys, RA_SIGNERS_RETIRED, &sg, &n,
	    NULL)) != RA_OK)
		return er;
	er = ra_ocsp_signers_issue(r->db, sg, n, days, stdout);
	ra_signers_free(sg, n);
	return er;
}

/*
 * The audit checkpoint: one-shot, as it writes a file (the daemon may
 * not), with the audit key, which is not a CA key (Audit.Key).
 */
static enum ra_err
cmd_checkpoint(struct ra_req *r)
{
	enum ra_err	 er;
	int		 due = 0;

	if (r->argc == 2 && strcmp(r->argv[1], "--due") == 0)
		due = 1;
	else if (r->argc != 1)
		return RA_EUSAGE;
	if ((er = ra_req_db(r, RA_DB_WORKER)) != RA_OK)
		return er;
	return ra_ckpt_write(r->db, &r->conf, due, stdout);
}

static const struct ra_cmd commands[] = {
	{ "run",	0,	cmd_run },
	{ "drain",	0,	cmd_drain },
	{ "crl",	-1,	cmd_crl },
	{ "expire",	0,	cmd_expire },
	{ "ocsp-signers", 0,	cmd_ocsp_signers },
	{ "checkpoint",	-1,	cmd_checkpoint },
	{ "sandbox-check", 0,	cmd_sandbox_check },
};

int
main(int argc, char *argv[])
{
	struct sigaction	 sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	return ra_shell_main(argc, argv, commands, RA_NITEMS(commands),
	    "worker.cgi run | drain | crl [--due] | expire | ocsp-signers | "
	    "checkpoint [--due] | sandbox-check");
}
