/*
 * mpi/dist.c - dist.h on MPI: built with mpicc into lrf-train-mpi only
 * (the Makefile), so that nothing else links libmpi.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <mpi.h>

#include "dist.h"
#include "err.h"
#include "par.h"

static int rank, size = 1;
static int live;		/* MPI_Init done, MPI_Finalize not yet */
static float *scratch;		/* (size, share) dist_sumf's shares */
static long nscratch;
static double *dscratch;	/* (size, n) dist_sumd's gathered values */
static long ndscratch;
static int *counts, *displs, *rcounts, *rdispls;	/* (size) each */

/* MPI's message for code, with what failed. */
static int
fail(const char *what, int code)
{
	char s[MPI_MAX_ERROR_STRING];
	int len;

	if (MPI_Error_string(code, s, &len) != MPI_SUCCESS)
		snprintf(s, sizeof(s), "error %d", code);
	return err_set("rank %d: %s: %s", rank, what, s);
}

int
dist_init(int *argc, char ***argv)
{
	int rc, prov;

	if ((rc = MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &prov)) !=
	    MPI_SUCCESS)
		return fail("MPI_Init_thread", rc);
	live = 1;
	/* errors come back as codes, not as MPI's own abort */
	MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
	MPI_Comm_rank(MPI_COMM_WORLD, &rank);
	MPI_Comm_size(MPI_COMM_WORLD, &size);
	if ((counts = calloc((size_t)size * 4, sizeof(int))) == NULL)
		return err_set("rank %d: out of memory", rank);
	displs = counts + size;
	rcounts = displs + size;
	rdispls = rcounts + size;
	return 0;
}

int
dist_rank(void)
{
	return rank;
}

int
dist_size(void)
{
	return size;
}

int
dist_bcast(void *buf, size_t n)
{
	int rc;

	if (n > INT_MAX)
		return err_set("rank %d: broadcast of %zu bytes", rank, n);
	if (size > 1 && (rc = MPI_Bcast(buf, (int)n, MPI_BYTE, 0,
	    MPI_COMM_WORLD)) != MPI_SUCCESS)
		return fail("MPI_Bcast", rc);
	return 0;
}

int
dist_sumf(float *v, long n)
{
	long lo, hi, mlo, mhi, m, i;
	float s;
	int q, rc;

	if (size == 1)
		return 0;
	if (n > INT_MAX)
		return err_set("rank %d: sum of %ld floats", rank, n);
	par_share(n, rank, size, 1, &mlo, &mhi);
	m = mhi - mlo;		/* my share: every rank's floats [mlo, mhi) */
	if (m * size > nscratch) {
		free(scratch);
		nscratch = 0;
		if ((scratch = malloc((size_t)(m * size + 1) *
		    sizeof(float))) == NULL)
			return err_set("rank %d: out of memory for a sum of "
			    "%ld floats", rank, n);
		nscratch = m * size;
	}
	for (q = 0; q < size; q++) {
		par_share(n, q, size, 1, &lo, &hi);
		counts[q] = (int)(hi - lo);	/* q's share of my v */
		displs[q] = (int)lo;
		rcounts[q] = (int)m;		/* my share of q's v */
		rdispls[q] = (int)(q * m);
	}
	if ((rc = MPI_Alltoallv(v, counts, displs, MPI_FLOAT, scratch,
	    rcounts, rdispls, MPI_FLOAT, MPI_COMM_WORLD)) != MPI_SUCCESS)
		return fail("MPI_Alltoallv", rc);
	for (i = 0; i < m; i++) {
		s = scratch[i];
		for (q = 1; q < size; q++)
			s += scratch[q * m + i];
		v[mlo + i] = s;
	}
	if ((rc = MPI_Allgatherv(MPI_IN_PLACE, 0, MPI_FLOAT, v, counts,
	    displs, MPI_FLOAT, MPI_COMM_WORLD)) != MPI_SUCCESS)
		return fail("MPI_Allgatherv", rc);
	return 0;
}

int
dist_sumd(double *v, long n)
{
	long i;
	double s;
	int q, rc;

	if (size == 1)
		return 0;
	if (n * size > INT_MAX)
		return err_set("rank %d: sum of %ld doubles", rank, n);
	if (n * size > ndscratch) {
		free(dscratch);
		ndscratch = 0;
		if ((dscratch = malloc((size_t)(n * size + 1) *
		    sizeof(double))) == NULL)
			return err_set("rank %d: out of memory", rank);
		ndscratch = n * size;
	}
	if ((rc = MPI_Allgather(v, (int)n, MPI_DOUBLE, dscratch, (int)n,
	    MPI_DOUBLE, MPI_COMM_WORLD)) != MPI_SUCCESS)
		return fail("MPI_Allgather", rc);
	for (i = 0; i < n; i++) {
		s = dscratch[i];
		for (q = 1; q < size; q++)
			s += dscratch[q * n + i];
		v[i] = s;
	}
	return 0;
}

void
dist_end(void)
{
	if (!live)
		return;
	live = 0;
	MPI_Finalize();
	free(scratch);
	free(dscratch);
	free(counts);
	scratch = NULL;
	dscratch = NULL;
	counts = NULL;
}

void
dist_abort(int status)
{
	struct timespec ts = { 0, 500000000 };

	if (!live || size == 1)
		return;
	live = 0;
	/* Open MPI forwards a rank's stderr through its daemon, and an
	 * abort may kill the rank before its message got there (its
	 * documentation says so): give it a moment */
	fflush(stderr);
	nanosleep(&ts, NULL);
	MPI_Abort(MPI_COMM_WORLD, status);
}
