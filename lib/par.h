/*
 * par.h - a team of threads for the training step.
 *
 * lrf-train's step is a few small matrix products with elementwise work
 * between them.  Handing each product to OpenBLAS's threads leaves the
 * elementwise work on one core and pays a wake-up per call; instead the
 * step runs on a team of T threads, each taking its share of the batch
 * (and of the units, the parameters) through every layer, each calling a
 * single-threaded sgemm on its share, meeting at barriers only where a
 * layer needs all the samples.
 *
 *	struct par *p = par_create(T);
 *	par_run(p, fn, arg);	  fn(arg, t, T) on every thread t = 0..T-1
 *				  (t = 0 is the caller), returns when all
 *				  have returned
 *	par_barrier(p);		  inside fn: wait until all T threads are here
 *	par_free(p);
 *
 * Threads wait for work by spinning for about a millisecond (a step's
 * phases are tens of microseconds apart), then sleep on a condition
 * variable, so an idle team costs nothing; at a barrier they spin, then
 * yield the core to other work while they wait.  par_run must not be called
 * from inside fn.  With T = 1 par_run calls fn directly and par_barrier
 * returns at once.  The split of work depends only on T: the same T
 * gives the same bits.
 */
#ifndef LRF_PAR_H
#define LRF_PAR_H

struct par;

typedef void par_fn(void *arg, int t, int nt);

/* A team of nt >= 1 threads (nt - 1 of them started now); NULL with a
 * message if they cannot be started. */
struct par *par_create(int nt);

/* Threads in the team. */
int par_size(const struct par *p);

/* Run fn(arg, t, nt) on every thread of the team; return when all did. */
void par_run(struct par *p, par_fn *fn, void *arg);

/* Inside fn: wait until every thread of the team has called it. */
void par_barrier(struct par *p);

/* Stop and join the threads, free p; NULL is allowed. */
void par_free(struct par *p);

/* The share [lo, hi) of n items of thread t of nt, in blocks of align
 * items (the last share takes the rest). */
void par_share(long n, int t, int nt, long align, long *lo, long *hi);

#endif
