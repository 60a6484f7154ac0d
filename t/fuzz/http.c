/*
 * Fuzz target "http": an answer to the ACME validator's http-01 fetch
 * (what any web server on the Internet may send it), through
 * ra_http_response, first as the bytes so far, then as all there is.
 * Promises checked: a whole input is always judged (never "more
 * needed"), a refusal says why, the body kept is bounded and ends in a
 * NUL, a status is three digits.
 */
#include "ra.h"
#include "acmeval.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ra_http_result	 res;
	char				 loc[512];
	int				 rc;

	if (size > 32768)
		return 0;
	rc = ra_http_response((const char *)data, size / 2, 0, "192.0.2.1",
	    &res, loc, sizeof(loc));
	fuzz_assert(rc >= -1 && rc <= 1);
	memset(&res, 0, sizeof(res));
	rc = ra_http_response((const char *)data, size, 1, "192.0.2.1", &res,
	    loc, sizeof(loc));
	fuzz_assert(rc == 1 || rc == -1);
	fuzz_assert(rc == 1 || res.detail[0] != '\0');
	fuzz_assert(strlen(loc) < sizeof(loc));
	fuzz_assert(res.bodylen <= RA_HTTP_BODY_MAX);
	fuzz_assert(res.body[res.bodylen] == '\0');
	fuzz_assert(rc == -1 || (res.status >= 0 && res.status <= 999));
	return 0;
}
