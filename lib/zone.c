/*
 * zone.c: who a binary runs as.  The programs of a web zone are installed
 * set-user-ID and set-group-ID to the zone's own Unix user (ra-public,
 * ra-officer, ra-desk), so PostgreSQL's peer authentication gives each
 * zone its own role (schema/011-zones.sql).  Apache's user runs them; the
 * first thing they do is become the zone's user wholly, real and saved
 * IDs too, so a screen taken over cannot turn back into Apache's user and
 * run another zone's programs: their directories are open to Apache's
 * user alone (conf/zones).  Binaries that are not set-ID are left as they
 * are.
 */
#include <sys/prctl.h>

#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ra.h"
#include "web.h"

extern char **environ;

/*
 * libpq reads PG* variables; the caller's must not steer the zone's.
 * Dropped from environ in place (unsetenv cannot remove an entry
 * without '=').
 */
static void
drop_pg_environment(void)
{
	char	**r, **w;

	for (r = w = environ; *r != NULL; r++)
		if (strncmp(*r, "PG", 2) != 0)
			*w++ = *r;
	*w = NULL;
}

enum ra_err
ra_zone_enter(char *caller, size_t callersz)
{
	struct passwd	*pw;
	uid_t		 ruid = getuid(), euid = geteuid();
	gid_t		 rgid = getgid(), egid = getegid();

	/* The person at the shell, for the audit, before the IDs change. */
	if ((pw = getpwuid(ruid)) != NULL)
		snprintf(caller, callersz, "%s", pw->pw_name);
	else
		snprintf(caller, callersz, "uid%ld", (long)ruid);
	if (ruid == euid && rgid == egid)
		return RA_OK;
	if (setresgid(egid, egid, egid) != 0 ||
	    setresuid(euid, euid, euid) != 0 ||
	    getuid() != euid || geteuid() != euid) {
		ra_warnx("zone: cannot become uid %ld wholly: %s", (long)euid,
		    strerror(errno));
		return RA_ESYS;
	}
	drop_pg_environment();
#ifdef __SANITIZE_ADDRESS__
	/* LeakSanitizer's tracer must attach; all IDs are equal by now. */
	(void)prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
#endif
	return RA_OK;
}
