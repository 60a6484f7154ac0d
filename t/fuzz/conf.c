/*
 * Fuzz target "conf": ra.conf as ra_conf_load reads it (ClearSilver's HDF
 * reader, with its includes, heredocs and links), then the settings read
 * as numbers and lists the way the programs read them.  The file is a
 * memfd, so nothing is written.  Promise checked: a loaded configuration
 * has every required key.
 */
#include <sys/mman.h>

#include "ra.h"
#include "domain.h"
#include "fuzz.h"

#define EXPIRY_MAX	8

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ra_conf		 c;
	struct ra_client_cfg	 cc;
	const char		*v;
	char			 path[64];
	int			 fd, off[EXPIRY_MAX];

	if ((fd = memfd_create("fuzz-conf", 0)) == -1 ||
	    write(fd, data, size) != (ssize_t)size) {
		perror("fuzz: conf");
		exit(1);
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	if (ra_conf_load(&c, path) == RA_OK) {
		fuzz_assert(ra_conf_get(&c, "Db.Worker") != NULL &&
		    ra_conf_get(&c, "Site.Name") != NULL);
		(void)ra_conf_int(&c, "Limits.RequestBytes", 1);
		(void)ra_conf_int(&c, "Pin.Iterations", 1);
		if ((v = ra_conf_get(&c, "Mail.ExpiryDays")) != NULL)
			(void)ra_expiry_offsets(v, off, EXPIRY_MAX);
		(void)ra_supersede_grace(&c);
		ra_client_cfg(&c, &cc);
		if ((v = ra_conf_get(&c, "Download.P12")) != NULL)
			(void)ra_p12_profile(v);
	}
	ra_conf_free(&c);
	close(fd);
	return 0;
}
