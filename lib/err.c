/*
 * err.c: the one error vocabulary of libra.a, its text and its HTTP status.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

#include "ra.h"

static const char *const err_str[] = {
	[RA_OK]		= "ok",
	[RA_ENOMEM]	= "out of memory",
	[RA_EINPUT]	= "invalid input",
	[RA_EDENIED]	= "access denied",
	[RA_ENOTFOUND]	= "not found",
	[RA_EPOLICY]	= "refused by issuance policy",
	[RA_ECONF]	= "configuration error",
	[RA_EDB]	= "database error",
	[RA_EDBDOWN]	= "database unavailable",
	[RA_EDUP]	= "already exists",
	[RA_ECRYPTO]	= "cryptographic error",
	[RA_ESYS]	= "system error",
	[RA_EMETHOD]	= "method not allowed",
	[RA_ERENDER]	= "template error",
	[RA_EUSAGE]	= "usage error",
	[RA_EDONE]	= "refused; the answer was sent",
};
_Static_assert(RA_NITEMS(err_str) == RA_ERR__MAX,
    "err_str[] out of sync with enum ra_err");

static const int err_http[] = {
	[RA_OK]		= 200,
	[RA_ENOMEM]	= 500,
	[RA_EINPUT]	= 400,
	[RA_EDENIED]	= 403,
	[RA_ENOTFOUND]	= 404,
	[RA_EPOLICY]	= 422,
	[RA_ECONF]	= 500,
	[RA_EDB]	= 500,
	[RA_EDBDOWN]	= 503,
	[RA_EDUP]	= 409,
	[RA_ECRYPTO]	= 500,
	[RA_ESYS]	= 500,
	[RA_EMETHOD]	= 405,
	[RA_ERENDER]	= 500,
	[RA_EUSAGE]	= 400,
	[RA_EDONE]	= 200,
};
_Static_assert(RA_NITEMS(err_http) == RA_ERR__MAX,
    "err_http[] out of sync with enum ra_err");

const char *
ra_strerror(enum ra_err er)
{
	if ((int)er < 0 || er >= RA_ERR__MAX || err_str[er] == NULL)
		return "unknown error";
	return err_str[er];
}

int
ra_http_status(enum ra_err er)
{
	if ((int)er < 0 || er >= RA_ERR__MAX || err_http[er] == 0)
		return 500;
	return err_http[er];
}

/*
 * One line on stderr, which Apache puts in its error log for a CGI.
 * The program name comes first so a line can be traced to its screen.
 */
void
ra_warnx(const char *fmt, ...)
{
	va_list	 ap;

	fprintf(stderr, "%s: ", program_invocation_short_name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}
