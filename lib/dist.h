/*
 * dist.h - the processes of a data-parallel lrf-train: which one this is,
 * and the few collective operations its step needs, behind an interface
 * that does not show MPI to the rest of the code.
 *
 * Two implementations define these functions:
 *	lib/dist.c	one process (rank 0 of 1); linked into lrf-train.
 *			Launched by mpirun or srun with more than one
 *			process, it replaces itself (execv) with the
 *			program of the same path and "-mpi" appended,
 *			lrf-train-mpi, or fails with a message saying that
 *			the build has no MPI.  The single-process program
 *			does not link libmpi and pays a getenv for it.
 *	lib/mpi/dist.c	MPI (Open MPI 4.1, MPI_THREAD_FUNNELED: only the
 *			thread that called dist_init calls the others);
 *			built with mpicc into lrf-train-mpi when mpicc is
 *			there.  It is linked before liblrf.a, whose
 *			single-process dist.o is then never pulled in.
 *
 * Every sum is taken in a FIXED order, rank 0's value first, then rank
 * 1's, ..., whatever the MPI library's reduction algorithm: the result is
 * the same bits on every rank and in every run.  Every function but
 * dist_abort returns 0, or -1 with a message.
 */
#ifndef LRF_DIST_H
#define LRF_DIST_H

#include <stddef.h>

/*
 * Join the job (MPI_Init) or, in the single-process build launched with
 * more than one process, execv argv[0]'s "-mpi" twin.  0, or -1 with a
 * message (that twin missing: "launched as one of 2 processes but built
 * without MPI").
 */
int dist_init(int *argc, char ***argv);

/* This process's rank, 0..dist_size()-1; and how many there are. */
int dist_rank(void);
int dist_size(void);

/* n bytes of buf from rank 0 to every rank. */
int dist_bcast(void *buf, size_t n);

/*
 * v (n) = the sum over ranks of every rank's v, in rank order, the same
 * on every rank.  dist_sumf splits v into one share per rank: each rank
 * gathers its share from all (all-to-all), adds them in rank order and
 * the shares are gathered back (all-gather): 2 (P-1)/P of the bytes of
 * v per rank, as a ring all-reduce.  dist_sumd gathers all of v on every
 * rank (for a few numbers: a loss, batchnorm's statistics).
 */
int dist_sumf(float *v, long n);
int dist_sumd(double *v, long n);

/* Leave the job normally (MPI_Finalize); every rank calls it. */
void dist_end(void);

/*
 * End the whole job with status (MPI_Abort), from a rank that cannot go
 * on, so that no other rank waits forever; nothing (returns) when the
 * job has one process or has ended.  For the program's exit path only.
 */
void dist_abort(int status);

#endif
