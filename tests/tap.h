/*
 * tap.h - a tiny Test Anything Protocol emitter for the C unit tests.
 *
 *	plan(3);
 *	ok(x == 1, "x is one");
 *	is_int(n, 4, "four fields");
 *	is_double(lr, 1e-3, 1e-12, "lr at step 50");
 *	is_str(err_msg(), "stdin:2: ...", "message");
 *	if (no_data) skip(2, "no Fashion-MNIST");
 *	return done();
 */
#ifndef LRF_TAP_H
#define LRF_TAP_H

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int tap_n, tap_fail, tap_plan, tap_lastfail;

static inline void
plan(int n)
{
	tap_plan = n;
	printf("1..%d\n", n);
}

/*
 * A comment line.  Right after a failed test it goes to stderr, which
 * prove shows without -v (a CI log is all one sees of a failure there);
 * otherwise into the TAP stream.
 */
static inline void __attribute__((format(printf, 1, 2)))
diag(const char *fmt, ...)
{
	FILE *f = tap_lastfail ? stderr : stdout;
	va_list ap;

	fflush(stdout);
	fprintf(f, "# ");
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	fprintf(f, "\n");
	fflush(f);
}

static inline int
ok(int cond, const char *name)
{
	tap_n++;
	if (!cond)
		tap_fail++;
	tap_lastfail = !cond;
	printf("%sok %d - %s\n", cond ? "" : "not ", tap_n, name);
	fflush(stdout);
	return cond;
}

/* n tests not run, each reported as a skip with the reason why. */
static inline void
skip(int n, const char *why)
{
	while (n-- > 0) {
		tap_n++;
		printf("ok %d # SKIP %s\n", tap_n, why);
	}
	fflush(stdout);
}

static inline int
is_int(long got, long want, const char *name)
{
	if (!ok(got == want, name))
		diag("got %ld, want %ld", got, want);
	return got == want;
}

/* Equal within an absolute tolerance tol; nan equals nan. */
static inline int
is_double(double got, double want, double tol, const char *name)
{
	int c;

	c = (isnan(got) && isnan(want)) || got == want ||
	    fabs(got - want) <= tol;
	if (!ok(c, name))
		diag("got %.17g, want %.17g (tol %g)", got, want, tol);
	return c;
}

/* Equal within a relative tolerance rel. */
static inline int
is_rel(double got, double want, double rel, const char *name)
{
	int c;

	c = got == want || fabs(got - want) <= rel * fabs(want);
	if (!ok(c, name))
		diag("got %.17g, want %.17g (rel %g)", got, want, rel);
	return c;
}

static inline int
is_str(const char *got, const char *want, const char *name)
{
	int c;

	c = got != NULL && strcmp(got, want) == 0;
	if (!ok(c, name))
		diag("got '%s', want '%s'", got ? got : "(null)", want);
	return c;
}

static inline int
done(void)
{
	if (tap_plan == 0)
		printf("1..%d\n", tap_n);
	else if (tap_n != tap_plan)
		diag("planned %d tests, ran %d", tap_plan, tap_n);
	return tap_fail != 0 || (tap_plan && tap_n != tap_plan);
}

#endif
