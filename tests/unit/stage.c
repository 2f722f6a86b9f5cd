/*
 * stage.c - the stages as processes (lib/stage.c): run to the end, exit
 * statuses and signals, files that cannot be opened, programs that do
 * not exist, the pipeline watched as it goes, a failing stage, and an
 * interrupt that ends a pipeline at once.
 */
#include <sys/stat.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "err.h"
#include "stage.h"
#include "tap.h"

char *mkdtemp(char *);		/* POSIX 2008, hidden by strict c11 headers */

static struct stage st;
static char logged[8][256];
static int nlogged;

static void
logline(const char *msg)
{
	if (nlogged < 8)
		snprintf(logged[nlogged], sizeof(logged[0]), "%s", msg);
	nlogged++;
}

static void
onsignal(int sig)
{
	stage_signal(&st, sig);
}

/* The whole of dir/name ("" if it cannot be read). */
static const char *
slurp(const char *dir, const char *name)
{
	static char buf[8192];
	char path[512];
	FILE *fp;
	size_t n;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	buf[0] = '\0';
	if ((fp = fopen(path, "r")) == NULL)
		return buf;
	n = fread(buf, 1, sizeof(buf) - 1, fp);
	buf[n] = '\0';
	fclose(fp);
	return buf;
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

int
main(void)
{
	/* a stream as lrf-smooth writes one: 25 records, then a stop */
	char *gen[] = { "sh", "-c",
		"printf '# step\\tlr\\tloss\\tsmooth\\n'; "
		"printf '#@ schedule mode=exp start=0.1 end=2.5 num=25\\n'; "
		"i=0; while [ $i -lt 25 ]; do "
		"printf '%d\\t%d.1\\t%d\\t%d\\n' $i $i $((30 - i)) "
		"$((30 - i)); i=$((i + 1)); done; "
		"printf '#@ stop reason=diverged step=24\\n'", NULL };
	char *cat[] = { "cat", NULL };
	char *nolr[] = { "sh", "-c", "printf '# a\\tb\\n1\\t2\\n'", NULL };
	char *fails[] = { "sh", "-c", "cat >/dev/null; exit 4", NULL };
	char *hi[] = { "sh", "-c", "echo hi", NULL };
	char *three[] = { "sh", "-c", "exit 3", NULL };
	char *term[] = { "sh", "-c", "kill -TERM $$", NULL };
	char *none[] = { "no-such-program-of-lrf", NULL };
	char *stop[] = { "sh", "-c", "sleep 1; kill -USR1 $PPID; exec sleep 30", NULL };
	char *const *pipeline[3];
	char dir[] = "/tmp/lrf-stage.XXXXXX", want[64];
	struct stage_seen seen;
	struct sigaction sa;
	const char *s;
	double t0;
	int r;

	if (mkdtemp(dir) == NULL) {
		printf("Bail out! cannot make %s\n", dir);
		return 1;
	}
	stage_init(&st, "tests/unit/stage.t", dir);
	is_str(st.dir, dir, "init: the stages' directory");
	ok(st.bindir[0] == '/' && strcmp(st.bindir + strlen(st.bindir) -
	    strlen("/tests/unit"), "/tests/unit") == 0,
	    "init: the programs next to this one");
	is_int(st.every, 10, "init: log every 10th record");

	/* stage_run */
	is_int(stage_run(&st, hi, NULL, "hi.txt"), 0, "run: exit 0");
	is_str(slurp(dir, "hi.txt"), "hi\n", "  its output in the file");
	is_int(st.pgrp, 0, "  no process group left");
	is_int(stage_run(&st, cat, "hi.txt", "cat.txt"), 0, "run: stdin");
	is_str(slurp(dir, "cat.txt"), "hi\n", "  from the file");
	is_int(stage_run(&st, three, NULL, NULL), 3, "run: exit status 3");
	is_int(stage_run(&st, term, NULL, NULL), STAGE_KILLED + SIGTERM,
	    "run: killed by SIGTERM");
	is_int(stage_run(&st, none, NULL, NULL), 127,
	    "run: no such program: 127");
	is_int(stage_run(&st, cat, "missing.txt", NULL), 127,
	    "run: no input file: 127");
	snprintf(want, sizeof(want), "%s/missing.txt: No such file or "
	    "directory", dir);
	is_str(err_msg(), want, "  with a message naming it");

	/* stage_pipeline: the stream copied and watched */
	st.say = logline;
	pipeline[0] = gen;
	pipeline[1] = cat;
	pipeline[2] = cat;
	memset(&seen, 0, sizeof(seen));
	is_int(stage_pipeline(&st, pipeline, 3, "smooth.tsv", &seen), 0,
	    "pipeline: three stages");
	ok(seen.records == 25 && seen.planned == 25 && seen.stopped,
	    "  25 records of 25 planned, stopped");
	is_str(seen.stopline, "#@ stop reason=diverged step=24",
	    "  the stop line");
	ok(seen.first_lr == 0.1 && seen.last_lr == 24.1 &&
	    seen.first_smooth == 30 && seen.min_smooth == 6,
	    "  first and last lr, first and least smooth");
	s = slurp(dir, "smooth.tsv");
	ok(strncmp(s, "# step\tlr\tloss\tsmooth\n#@ schedule", 32) == 0 &&
	    strstr(s, "\n24\t24.1\t6\t6\n#@ stop reason=diverged "
	    "step=24\n") != NULL, "  the whole stream in the file");
	is_int(nlogged, 4, "  four lines logged");
	is_str(logged[0], "LR: 1.00e-01 | Loss: 30.0000", "  the first");
	is_str(logged[2], "LR: 2.01e+01 | Loss: 10.0000", "  every 10th");
	is_str(logged[3], "Loss increasing - stopping early", "  the stop");

	pipeline[0] = nolr;
	memset(&seen, 0, sizeof(seen));
	is_int(stage_pipeline(&st, pipeline, 3, "smooth.tsv", &seen), -1,
	    "pipeline: records without lr and loss");
	is_str(err_msg(), "lrf-smooth output:2: no column 'loss' (columns: a "
	    "b)", "  say so");

	pipeline[0] = gen;
	pipeline[1] = fails;
	memset(&seen, 0, sizeof(seen));
	is_int(stage_pipeline(&st, pipeline, 3, "smooth.tsv", &seen), -1,
	    "pipeline: a stage fails");
	is_str(err_msg(), "sh failed (exit status 4)", "  naming it");
	is_int(st.pgrp, 0, "  no process group left");

	/* an interrupt: the handler stops the stages, the call returns */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = onsignal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);
	pipeline[0] = stop;
	pipeline[1] = cat;
	t0 = now();
	r = stage_pipeline(&st, pipeline, 3, "smooth.tsv", &seen);
	is_int(r, STAGE_INTERRUPTED, "pipeline: interrupted");
	ok(now() - t0 < 20, "  at once, not when the stages end");
	is_int(st.sig, SIGUSR1, "  the signal noted");
	is_int(stage_run(&st, hi, NULL, NULL), STAGE_INTERRUPTED,
	    "run after an interrupt: interrupted");
	stage_stop(&st);
	is_int(st.pgrp, 0, "stop: nothing left");

	{
		char cmd[64];

		snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
		if (system(cmd) != 0)
			diag("could not remove %s", dir);
	}
	return done();
}
