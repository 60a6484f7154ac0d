/* Every enum-indexed table has an entry for every value. */
#include <string.h>

#include "ra.h"
#include "domain.h"
#include "tap.h"

int
main(void)
{
	int	 i;

	for (i = 0; i < RA_ERR__MAX; i++) {
		ok(strcmp(ra_strerror(i), "unknown error") != 0,
		    "ra_strerror(%d) = %s", i, ra_strerror(i));
		ok(ra_http_status(i) >= 200 && ra_http_status(i) < 600,
		    "ra_http_status(%d) = %d", i, ra_http_status(i));
	}
	ok(strcmp(ra_strerror(RA_ERR__MAX), "unknown error") == 0,
	    "out of range is unknown");
	ok(ra_http_status(RA_EDENIED) == 403 && ra_http_status(RA_EDBDOWN) ==
	    503, "denied is 403, database down is 503");
	return tap_done();
}
