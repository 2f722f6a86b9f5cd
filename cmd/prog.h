/*
 * prog.h - what every lrf program does the same way: its name in
 * messages, the error hook, SIGPIPE, checked option values, exit codes.
 *
 * Each program defines usage(fp), which prints its synopsis and options
 * (with defaults) to fp, before including this header's users.
 */
#ifndef LRF_PROG_H
#define LRF_PROG_H

#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "err.h"
#include "num.h"
#include "rec.h"

enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2 };

static const char *prog;
static void usage(FILE *fp);

static inline void
prog_printerr(const char *msg)
{
	fprintf(stderr, "%s: %s\n", prog, msg);
}

/* Name the program, route library errors to stderr, see EPIPE as errno. */
static inline void
prog_init(const char *name)
{
	prog = name;
	err_sethook(prog_printerr);
	signal(SIGPIPE, SIG_IGN);
}

/* A usage error: the message, then usage on stderr, exit 2. */
static inline void __attribute__((noreturn, format(printf, 1, 2)))
prog_usage(const char *fmt, ...)
{
	va_list ap;

	if (fmt != NULL) {
		fprintf(stderr, "%s: ", prog);
		va_start(ap, fmt);
		vfprintf(stderr, fmt, ap);
		va_end(ap);
		fputc('\n', stderr);
	}
	usage(stderr);
	exit(EXIT_USAGE);
}

/* A number from the command line, or a usage error naming the option. */
static inline double
prog_double(const char *opt, const char *arg)
{
	double v;

	if (num_double(arg, &v) != NUM_OK || !isfinite(v))
		prog_usage("%s: '%s' is not a finite number", opt, arg);
	return v;
}

static inline long
prog_long(const char *opt, const char *arg, long min, long max)
{
	long v;

	switch (num_long(arg, min, max, &v)) {
	case NUM_OK:
		return v;
	case NUM_RANGE:
		prog_usage("%s: '%s' is out of range [%ld, %ld]", opt, arg,
		    min, max);
	default:
		prog_usage("%s: '%s' is not an integer", opt, arg);
	}
}

/*
 * Flush stdout at the end (or when a write may have failed) and exit:
 * 0 when all went out or the reader went away, 1 on a write error.
 */
static inline void __attribute__((noreturn))
prog_exit(int status)
{
	int r;

	r = rec_flush(stdout, "stdout");
	if (r == REC_FLUSH_GONE)
		exit(EXIT_OK);
	if (r < 0 || fclose(stdout) != 0) {
		if (r == 0)
			err_set("stdout: write error");
		exit(EXIT_FAIL);
	}
	exit(status);
}

#endif
