/*
 * prog.h - what every lrf program does the same way: its name in
 * messages, the error hook, SIGPIPE, checked option values, the flags
 * laid over the experiment file, long options spelled with '-' or '_',
 * exit codes.
 *
 * Each program defines usage(fp), which prints its synopsis and options
 * (with defaults) to fp, before including this header's users.
 */
#ifndef LRF_PROG_H
#define LRF_PROG_H

#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cfg.h"
#include "err.h"
#include "num.h"
#include "rec.h"
#include "runfs.h"	/* LRF_VERSION */

#define PROG_MAXSETS	64	/* flags that set a value, per run */
#define PROG_MAXOPTS	64	/* long options of a program */

enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2 };

static const char *prog;
static void usage(FILE *fp);
static inline void prog_exit(int status) __attribute__((noreturn));

static inline void
prog_printerr(const char *msg)
{
	char line[4 * 1024 + 128];
	const unsigned char *p;
	size_t n;

	/* a control character from the input (a path in a config file)
	 * never reaches the terminal raw: \xHH, as err_quote writes it.
	 * The line goes out in one write: the processes of a pipeline or
	 * the ranks of an MPI job share one stderr, and an unbuffered
	 * stream's character-at-a-time writes would interleave theirs. */
	n = (size_t)snprintf(line, sizeof(line), "%s: ", prog);
	if (n > sizeof(line) - 6)
		n = sizeof(line) - 6;
	for (p = (const unsigned char *)msg; *p != '\0' &&
	    n < sizeof(line) - 6; p++)
		if ((*p < 0x20 && *p != '\n' && *p != '\t') || *p == 0x7f)
			n += (size_t)snprintf(line + n, 5, "\\x%02x", *p);
		else
			line[n++] = (char)*p;
	line[n++] = '\n';
	fflush(stderr);
	runfs_writeall(STDERR_FILENO, line, n);
}

/* Name the program, route library errors to stderr, see EPIPE as errno. */
static inline void
prog_init(const char *name)
{
	prog = name;
	err_sethook(prog_printerr);
	signal(SIGPIPE, SIG_IGN);
}

/*
 * A usage error: the message (if fmt is not NULL: getopt has said its
 * own), then "try 'PROG -h'" on stderr, exit 2.  One line that says what
 * is wrong, not the whole usage after it.
 */
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
	fprintf(stderr, "try '%s -h'\n", prog);
	exit(EXIT_USAGE);
}

/*
 * --version: the option every program takes (PROG_VERSION its getopt
 * code), answered with "PROG VERSION" on stdout, exit 0.
 */
enum { PROG_VERSION = 0x7ff0 };
#define PROG_VERSION_OPT	{ "version", no_argument, NULL, PROG_VERSION }

static inline void __attribute__((noreturn))
prog_version(void)
{
	printf("%s %s\n", prog, LRF_VERSION);
	prog_exit(EXIT_OK);
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
 * The flags that set a value, in the order given: what says "this flag
 * was given" in every program.  They are kept while the options are
 * parsed (after their own checks) and laid over the experiment file once
 * it is read, so that a flag wins over the file wherever it comes on the
 * command line; the last of a repeated flag wins.
 */
struct prog_sets {
	int	 n;
	struct {
		const char *key;	/* what it sets: "train.batch_size" */
		const char *text;	/* the value, as given */
	} v[PROG_MAXSETS];
};

/* Keep key = text. */
static inline void
prog_keep(struct prog_sets *s, const char *key, const char *text)
{
	if (s->n == PROG_MAXSETS)
		prog_usage("more than %d options", PROG_MAXSETS);
	s->v[s->n].key = key;
	s->v[s->n].text = text;
	s->n++;
}

/* The text the last flag for key gave, or NULL if none did. */
static inline const char *
prog_given(const struct prog_sets *s, const char *key)
{
	int i;

	for (i = s->n - 1; i >= 0; i--)
		if (strcmp(s->v[i].key, key) == 0)
			return s->v[i].text;
	return NULL;
}

/* The number the last flag for key gave (its syntax checked when it was
 * kept), or NAN if none did. */
static inline double
prog_givennum(const struct prog_sets *s, const char *key)
{
	const char *t;
	double v;

	if ((t = prog_given(s, key)) == NULL || num_double(t, &v) != NUM_OK)
		return NAN;
	return v;
}

/*
 * Lay the flags kept over c, each (the last of each key) with
 * cfg_set(): the file's checks; a value they refuse is a usage error
 * with the file's message ("lrf-train: train.val_size: 2000000000 is out
 * of range [1, 100000000]").
 */
static inline void
prog_apply(const struct prog_sets *s, struct cfg *c)
{
	int i;

	for (i = 0; i < s->n; i++)
		if (prog_given(s, s->v[i].key) == s->v[i].text &&
		    cfg_set(c, s->v[i].key, s->v[i].text) < 0)
			prog_usage(NULL);	/* the hook said why */
}

/*
 * --set section.key=value (repeatable): any key of lrf-config(5) from the
 * command line, laid over the experiment file by prog_setapply() right
 * after it is read, in the order given, before the program's own flags
 * (which win over a --set of the same key).  Each goes through
 * cfg_set(): the file's checks and words.
 */
struct prog_setargs {
	int	 n;
	const char *arg[PROG_MAXSETS];	/* "train.seed=7", as given */
};

#define PROG_SETOPT	{ "set", required_argument, NULL, 'S' | 0x100000 }
#define PROG_SETCH	('S' | 0x100000)	/* getopt's code for --set */

/* Keep the argument of one --set: "section.key=value", else a usage
 * error. */
static inline void
prog_setarg(struct prog_setargs *s, const char *arg)
{
	const char *eq;
	char q[ERR_QUOTESIZE];

	if ((eq = strchr(arg, '=')) == NULL || eq == arg ||
	    memchr(arg, '.', (size_t)(eq - arg)) == NULL)
		prog_usage("--set: '%s' is not section.key=value",
		    err_quote(arg, q));
	if (s->n == PROG_MAXSETS)
		prog_usage("more than %d --set", PROG_MAXSETS);
	s->arg[s->n++] = arg;
}

/*
 * Lay the --set values over c, in order; one that the file's checks
 * refuse is a usage error naming it: "lrf-train: --set
 * train.batch_size=0: train.batch_size: 0 is out of range [1, 1048576]".
 */
static inline void
prog_setapply(const struct prog_setargs *s, struct cfg *c)
{
	char key[64], q[ERR_QUOTESIZE], msg[512];
	const unsigned char *p;
	err_hook *hook;
	const char *eq;
	size_t m;
	int i, r;

	for (i = 0; i < s->n; i++) {
		eq = strchr(s->arg[i], '=');
		snprintf(key, sizeof(key), "%.*s", (int)(eq - s->arg[i]),
		    s->arg[i]);
		hook = err_gethook();
		err_sethook(NULL);
		r = cfg_set(c, key, eq + 1);
		err_sethook(hook);
		if (r < 0) {
			/* the message names the key as given: its control
			 * characters as \xHH, as prog_printerr writes them */
			p = (const unsigned char *)err_msg();
			for (m = 0; *p != '\0' && m + 5 < sizeof(msg); p++)
				if (*p < 0x20 || *p == 0x7f)
					m += (size_t)snprintf(msg + m,
					    sizeof(msg) - m, "\\x%02x", *p);
				else
					msg[m++] = (char)*p;
			msg[m] = '\0';
			prog_usage("--set %s: %s", err_quote(s->arg[i], q),
			    msg);
		}
	}
}

/*
 * The long options as getopt_long takes them: every name with a '-' in
 * it also spelled with '_' (--batch-size, --batch_size), as the keys of
 * the experiment file are: one rule for every program (lrf(7)).  opts
 * spells each name once, with '-', and ends with a zeroed entry.  The
 * table returned is static, in the order of opts, each '_' twin after
 * its name.
 */
static inline const struct option *
prog_options(const struct option *opts)
{
	static struct option all[2 * PROG_MAXOPTS + 1];
	static char twin[PROG_MAXOPTS][32];
	char *p;
	int i, n;

	for (i = n = 0; i < PROG_MAXOPTS && opts[i].name != NULL; i++) {
		all[n++] = opts[i];
		if (strchr(opts[i].name, '-') == NULL ||
		    strlen(opts[i].name) >= sizeof(twin[i]))
			continue;
		snprintf(twin[i], sizeof(twin[i]), "%s", opts[i].name);
		for (p = twin[i]; (p = strchr(p, '-')) != NULL; )
			*p = '_';
		all[n] = opts[i];
		all[n].name = twin[i];
		n++;
	}
	memset(&all[n], 0, sizeof(all[n]));
	return all;
}

/*
 * Flush stdout now: return when all went out; exit 0 without a word
 * when the reader has gone away, 1 on a write error.
 */
static inline void
prog_flush(void)
{
	switch (rec_flush(stdout, "stdout")) {
	case REC_FLUSH_OK:
		return;
	case REC_FLUSH_GONE:
		exit(EXIT_OK);
	default:
		exit(EXIT_FAIL);
	}
}

/*
 * The output of a stream: full blocks of PROG_OUTBUF bytes into a pipe
 * or file (a terminal keeps its lines), flushed when the program is
 * about to wait for input (prog_onwait, the reader's hook) and at the
 * end, never per record while more input is at hand.  A write that
 * fails sets stdout's error: the program checks ferror(stdout) after
 * each record and calls prog_flush, which says why while errno does.
 */
#define PROG_OUTBUF	(1 << 16)

static inline void
prog_stream(void)
{
	static char buf[PROG_OUTBUF];

	if (!isatty(STDOUT_FILENO))
		setvbuf(stdout, buf, _IOFBF, sizeof(buf));
}

/* The reader's wait hook (rec_onwait): flush before input may block. */
static inline int
prog_onwait(void *arg)
{
	(void)arg;
	prog_flush();
	return 0;
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
