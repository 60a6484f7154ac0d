/*
 * shell.c: main() of the binaries that run from a shell only (operators,
 * CA, worker): one command per run, named by the first argument.  Under
 * Apache they answer 403: none of this is a web action.
 */
#include <stdio.h>
#include <string.h>

#include "ra.h"
#include "web.h"

int
ra_shell_main(int argc, char *argv[], const struct ra_cmd *cmds,
    size_t ncmds, const char *usage)
{
	struct ra_req	 r;
	enum ra_err	 er;
	size_t		 i;
	int		 rc = 0;

	if ((er = ra_req_open(&r, argc, argv)) != RA_OK)
		goto out;
	if (r.is_cgi) {
		er = RA_EDENIED;
		goto out;
	}
	er = RA_EUSAGE;
	for (i = 0; r.argc >= 1 && i < ncmds; i++)
		if (strcmp(r.argv[0], cmds[i].name) == 0) {
			if (cmds[i].nargs < 0 || r.argc - 1 == cmds[i].nargs)
				er = cmds[i].run(&r);
			break;
		}
out:
	if (er == RA_EUSAGE)
		fprintf(stderr, "usage: %s\n", usage);
	if (er != RA_OK)
		rc = ra_fail(&r, er, NULL);
	ra_req_close(&r);
	return rc;
}
