/*
 * par.c - the team of threads: shares, runs, barriers, sleeping workers.
 */
#include <sys/types.h>
#include <sys/wait.h>

#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "par.h"
#include "tap.h"

#define MAXT	5

static void
test_share(void)
{
	long n, lo, hi, next, al;
	int nt, t, good;

	good = 1;
	for (n = 0; n <= 70; n++)
		for (nt = 1; nt <= MAXT; nt++)
			for (al = 1; al <= 16; al *= 4) {
				next = 0;
				for (t = 0; t < nt; t++) {
					par_share(n, t, nt, al, &lo, &hi);
					if (lo != next || hi < lo ||
					    (lo % al != 0 && lo != n))
						good = 0;
					next = hi;
				}
				if (next != n)
					good = 0;
			}
	ok(good, "par_share: the shares tile [0, n) in order, aligned");
	par_share(128, 0, 2, 1, &lo, &hi);
	ok(lo == 0 && hi == 64, "par_share: 128 in two: 0..64");
	par_share(10, 0, 2, 16, &lo, &hi);
	ok(lo == 0 && hi == 0, "par_share: 10 in blocks of 16: thread 0 "
	    "gets none");
	par_share(10, 1, 2, 16, &lo, &hi);
	ok(lo == 0 && hi == 10, "par_share: the last thread gets the rest");
}

struct job {
	struct par *p;
	int	 nt;
	long	 ran[MAXT];		/* runs of each thread */
	int	 ntseen[MAXT];		/* the nt each was told */
	volatile long slot[MAXT];	/* barrier phases */
	int	 bad;			/* a barrier let a thread through early */
	int	 phases;
};

static void
count(void *arg, int t, int nt)
{
	struct job *j = arg;

	j->ran[t]++;
	j->ntseen[t] = nt;
}

static void
phases(void *arg, int t, int nt)
{
	struct job *j = arg;
	int k, u;

	for (k = 1; k <= j->phases; k++) {
		j->slot[t] = k;
		par_barrier(j->p);
		for (u = 0; u < nt; u++)
			if (j->slot[u] != k)
				j->bad = 1;
		par_barrier(j->p);
	}
}

static void
test_team(int nt)
{
	struct job j;
	struct timespec ms = { 0, 3000000 };
	char what[80];
	int i, t, good;

	memset(&j, 0, sizeof j);
	j.p = par_create(nt);
	ok(j.p != NULL && par_size(j.p) == nt, (snprintf(what, sizeof what,
	    "%d threads: created", nt), what));
	/* runs back to back, and after pauses long enough to sleep */
	for (i = 0; i < 2000; i++) {
		par_run(j.p, count, &j);
		if (i % 500 == 0)
			nanosleep(&ms, NULL);
	}
	good = 1;
	for (t = 0; t < nt; t++)
		good &= j.ran[t] == 2000 && j.ntseen[t] == nt;
	ok(good, (snprintf(what, sizeof what, "%d threads: 2000 runs, each "
	    "thread once a run", nt), what));
	j.phases = 300;
	par_run(j.p, phases, &j);
	ok(!j.bad, (snprintf(what, sizeof what, "%d threads: no thread "
	    "passes a barrier before all arrive (300 phases)", nt), what));
	par_free(j.p);
}

int
main(void)
{
	int nt;

	test_share();
	for (nt = 1; nt <= 4; nt++)
		test_team(nt);
	{
		struct par *p = par_create(0);

		ok(p != NULL && par_size(p) == 1, "par_create(0): one thread");
		par_free(p);
	}
	{
		/* in a child, so that a crash fails this test, not the run */
		pid_t pid;
		int st;

		if ((pid = fork()) == 0) {
			par_free(NULL);
			_exit(0);
		}
		ok(pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st) &&
		    WEXITSTATUS(st) == 0, "par_free(NULL) is a no-op");
	}
	return done();
}
