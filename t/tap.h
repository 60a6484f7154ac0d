/*
 * tap.h: the whole TAP framework for the C tests (Debian has no libtap).
 * Include once per test program; finish with "return tap_done();".
 */
#ifndef TAP_H
#define TAP_H

#include <stdarg.h>
#include <stdio.h>

static int	tap_n, tap_bad;

static void tap_ok(int, const char *, ...)
    __attribute__((format(printf, 2, 3)));

static void
tap_ok(int pass, const char *fmt, ...)
{
	va_list	 ap;

	printf("%sok %d - ", pass ? "" : "not ", ++tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	tap_bad += !pass;
}

#define ok(c, ...)	tap_ok(!!(c), __VA_ARGS__)

/* Plan at the end: the count cannot drift from the tests. */
static int
tap_done(void)
{
	printf("1..%d\n", tap_n);
	fflush(stdout);
	return tap_bad != 0;
}

#endif
