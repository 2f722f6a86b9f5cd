/*
 * par.c - a team of threads that spin briefly, then sleep.
 *
 * par_run publishes the work by bumping a generation counter; a worker
 * that sees the counter change runs the work and counts itself out.  A
 * worker that spun SPIN_WORK times without news sleeps on the condition
 * variable; par_run wakes sleepers only when there are any, which the
 * sequentially consistent pair "sleeping++, read gen" / "gen++, read
 * sleeping" makes safe: one side always sees the other's write.  The
 * barrier is a counter and a generation (the last thread to arrive resets
 * the one and bumps the other).
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "par.h"

#define SPIN_WORK	(1L << 15)	/* pauses before a worker sleeps
					   (about a millisecond) */
#define SPIN_YIELD	(1L << 10)	/* pauses before a waiter yields */

struct worker {
	struct par *p;
	int	 t;
};

struct par {
	int	 nt;
	int	 nstarted;	/* workers running */
	pthread_t *tid;		/* (nt - 1) */
	struct worker *w;	/* (nt - 1) */
	par_fn	*fn;
	void	*arg;
	int	 quit;
	atomic_uint gen;	/* bumped by every par_run */
	atomic_int pending;	/* workers still in fn */
	atomic_int sleeping;	/* workers asleep on cv */
	atomic_uint bcount;	/* threads at the barrier */
	atomic_uint bgen;	/* barriers passed */
	pthread_mutex_t mu;
	pthread_cond_t cv;
};

static inline void
cpu_relax(void)
{
#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
	__builtin_ia32_pause();
#endif
}

/* Wait until the generation differs from seen; return it. */
static unsigned
wait_gen(struct par *p, unsigned seen)
{
	unsigned g;
	long i;

	for (i = 0; i < SPIN_WORK; i++) {
		g = atomic_load_explicit(&p->gen, memory_order_acquire);
		if (g != seen)
			return g;
		if (i >= SPIN_YIELD && i % 64 == 0)	/* let other work
							   have the core */
			sched_yield();
		else
			cpu_relax();
	}
	pthread_mutex_lock(&p->mu);
	atomic_fetch_add(&p->sleeping, 1);
	while ((g = atomic_load(&p->gen)) == seen)
		pthread_cond_wait(&p->cv, &p->mu);
	atomic_fetch_sub(&p->sleeping, 1);
	pthread_mutex_unlock(&p->mu);
	return g;
}

static void *
worker(void *a)
{
	struct worker *w = a;
	struct par *p = w->p;
	unsigned seen;

	seen = 0;
	for (;;) {
		seen = wait_gen(p, seen);
		if (p->quit)
			return NULL;
		p->fn(p->arg, w->t, p->nt);
		atomic_fetch_sub_explicit(&p->pending, 1,
		    memory_order_release);
	}
}

/* Publish fn to the workers and wake the sleeping ones. */
static void
publish(struct par *p, par_fn *fn, void *arg)
{
	p->fn = fn;
	p->arg = arg;
	atomic_store_explicit(&p->pending, p->nstarted,
	    memory_order_relaxed);
	atomic_fetch_add(&p->gen, 1);
	if (atomic_load(&p->sleeping) > 0) {
		pthread_mutex_lock(&p->mu);
		pthread_cond_broadcast(&p->cv);
		pthread_mutex_unlock(&p->mu);
	}
}

/* Wait for the workers to finish the work published last. */
static void
join_work(struct par *p)
{
	long i;

	for (i = 0; atomic_load_explicit(&p->pending,
	    memory_order_acquire) > 0; i++) {
		if (i < SPIN_YIELD)
			cpu_relax();
		else
			sched_yield();
	}
}

struct par *
par_create(int nt)
{
	struct par *p;
	int i, e;

	if (nt < 1)
		nt = 1;
	if ((p = calloc(1, sizeof *p)) == NULL)
		goto nomem;
	p->nt = nt;
	atomic_init(&p->gen, 0);
	atomic_init(&p->pending, 0);
	atomic_init(&p->sleeping, 0);
	atomic_init(&p->bcount, 0);
	atomic_init(&p->bgen, 0);
	if (nt == 1)
		return p;
	if ((p->tid = calloc(nt - 1, sizeof *p->tid)) == NULL ||
	    (p->w = calloc(nt - 1, sizeof *p->w)) == NULL)
		goto nomem;
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->cv, NULL);
	for (i = 0; i < nt - 1; i++) {
		p->w[i].p = p;
		p->w[i].t = i + 1;
		if ((e = pthread_create(&p->tid[i], NULL, worker,
		    &p->w[i])) != 0) {
			err_set("cannot start %d threads: %s", nt,
			    strerror(e));
			par_free(p);
			return NULL;
		}
		p->nstarted++;
	}
	return p;
nomem:
	if (p != NULL) {
		free(p->tid);
		free(p);
	}
	err_set("cannot start %d threads: out of memory", nt);
	return NULL;
}

int
par_size(const struct par *p)
{
	return p->nt;
}

void
par_run(struct par *p, par_fn *fn, void *arg)
{
	if (p->nt == 1) {
		fn(arg, 0, 1);
		return;
	}
	publish(p, fn, arg);
	fn(arg, 0, p->nt);
	join_work(p);
}

void
par_barrier(struct par *p)
{
	unsigned g;
	long i;

	if (p->nt == 1)
		return;
	g = atomic_load_explicit(&p->bgen, memory_order_acquire);
	if (atomic_fetch_add_explicit(&p->bcount, 1, memory_order_acq_rel) ==
	    (unsigned)p->nt - 1) {
		atomic_store_explicit(&p->bcount, 0, memory_order_relaxed);
		atomic_store_explicit(&p->bgen, g + 1, memory_order_release);
		return;
	}
	for (i = 0; atomic_load_explicit(&p->bgen, memory_order_acquire) ==
	    g; i++) {
		if (i < SPIN_YIELD)
			cpu_relax();
		else
			sched_yield();
	}
}

void
par_free(struct par *p)
{
	int i;

	if (p == NULL)
		return;
	if (p->nt > 1) {
		p->quit = 1;
		publish(p, NULL, NULL);
		for (i = 0; i < p->nstarted; i++)
			pthread_join(p->tid[i], NULL);
		pthread_mutex_destroy(&p->mu);
		pthread_cond_destroy(&p->cv);
	}
	free(p->tid);
	free(p->w);
	free(p);
}

void
par_share(long n, int t, int nt, long align, long *lo, long *hi)
{
	long nb;

	if (align < 1)
		align = 1;
	nb = (n + align - 1) / align;
	*lo = nb * t / nt * align;
	*hi = t == nt - 1 ? n : nb * (t + 1) / nt * align;
	if (*lo > n)
		*lo = n;
	if (*hi > n)
		*hi = n;
}
