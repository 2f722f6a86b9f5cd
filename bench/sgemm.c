/*
 * sgemm.c - the sgemm-only floor of a training step, and the sgemm peak.
 *
 *	sgemm [-t threads] [-r repeats] [-s seconds] step B d0 d1 ... dk
 *	sgemm [-t threads] [-r repeats] [-s seconds] peak N
 *
 * step: times exactly the matrix products lrf-train makes for one step of
 * the dense network d0-d1-...-dk at batch B, through the same wrapper
 * (blas_sgemm) with the same shapes, transposes and betas as lib/netpass.c:
 *
 *	forward, each layer	Y = X W^T		(B, out)
 *	backward, each layer	dW += dZ^T X		(out, in)
 *	and above the first	dX = dZ W		(B, in)
 *
 * (the first layer's input gradient is not computed, as in lrf-train),
 * each product a whole-batch call that OpenBLAS runs on -t threads: the
 * floor issue 3 defines.  Everything else a step does (bias, activation,
 * loss, optimizer) is left out.  lrf-train itself splits every product
 * between its own threads (one-thread calls on each thread's share, see
 * lib/par.h), which saves OpenBLAS's per-call start and keeps the
 * elementwise work on all cores, so it can come in under this floor.
 * peak: a square N x N x N product, the best GFLOP/s the BLAS gives.
 *
 * Prints one line: "ms=<median ms per step or product> mflop=<work>
 * gflops=<rate>", the median of the repeats, each of which runs for about
 * the given seconds after one untimed warm-up repeat.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "blas.h"
#include "num.h"
#include "rng.h"

#define MAXL	16

static long	 B, nd, dim[MAXL + 1];
static float	*w[MAXL], *dw[MAXL];	/* (dim[l+1], dim[l]) */
static float	*act[MAXL + 1];	/* (B, dim[l]) inputs, outputs */
static float	*grad[MAXL];	/* (B, dim[l+1]) dLoss/d(output of l):
				   each step computes the same values
				   from the same inputs: nothing grows */
static long	 N;
static float	*a, *b, *c;		/* peak: (N, N) each */

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static float *
fill(long n, struct rng *r)
{
	float *p;
	long i;

	if ((p = malloc(n * sizeof(*p))) == NULL) {
		fprintf(stderr, "sgemm: out of memory\n");
		exit(1);
	}
	for (i = 0; i < n; i++)
		p[i] = (float)(rng_uniform(r) - 0.5);
	return p;
}

static void
step(void)
{
	long l, in, out;

	for (l = 0; l < nd; l++)
		/* Y = X W^T */
		blas_sgemm(BLAS_N, BLAS_T, B, dim[l + 1], dim[l], 1, act[l],
		    dim[l], w[l], dim[l], 0, act[l + 1], dim[l + 1]);
	for (l = nd - 1; l >= 0; l--) {
		in = dim[l];
		out = dim[l + 1];
		/* dW += dZ^T X */
		blas_sgemm(BLAS_T, BLAS_N, out, in, B, 1, grad[l], out, act[l],
		    in, 1, dw[l], in);
		if (l > 0)
			/* dX = dZ W */
			blas_sgemm(BLAS_N, BLAS_N, B, in, out, 1, grad[l], out,
			    w[l], in, 0, grad[l - 1], in);
	}
}

static void
peak(void)
{
	blas_sgemm(BLAS_N, BLAS_N, N, N, N, 1, a, N, b, N, 0, c, N);
}

static int
cmp(const void *x, const void *y)
{
	double u = *(const double *)x, v = *(const double *)y;

	return u < v ? -1 : u > v;
}

static void
usage(void)
{
	fprintf(stderr, "usage: sgemm [-t threads] [-r repeats] [-s seconds] "
	    "step B d0 d1 ...\n"
	    "       sgemm [-t threads] [-r repeats] [-s seconds] peak N\n");
	exit(2);
}

/* A whole number in [min, max], or usage. */
static long
arg(const char *s, long min, long max)
{
	long v;

	if (num_long(s, min, max, &v) < 0)
		usage();
	return v;
}

int
main(int argc, char *argv[])
{
	void (*fn)(void);
	struct rng r;
	double t0, t, secs, ms[64], flop;
	long i, n, reps, threads;
	int ch, k;

	threads = 2;
	reps = 5;
	secs = 0.3;
	while ((ch = getopt(argc, argv, "t:r:s:")) != -1) {
		switch (ch) {
		case 't': threads = arg(optarg, 0, 1024); break;
		case 'r': reps = arg(optarg, 1, 64); break;
		case 's':
			if (num_double(optarg, &secs) < 0 || !(secs > 0) ||
			    secs > 1e4)
				usage();
			break;
		default: usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 2)
		usage();
	blas_threads((int)threads);
	rng_seed(&r, 1);
	if (strcmp(argv[0], "step") == 0) {
		if (argc < 4 || argc - 2 > MAXL + 1)
			usage();
		B = arg(argv[1], 1, 1L << 20);
		nd = argc - 3;
		flop = 0;
		for (i = 0; i <= nd; i++)
			dim[i] = arg(argv[2 + i], 1, 1L << 20);
		for (i = 0; i < nd; i++) {
			w[i] = fill(dim[i + 1] * dim[i], &r);
			dw[i] = fill(dim[i + 1] * dim[i], &r);
			grad[i] = fill(B * dim[i + 1], &r);
			/* forward, dW, and dX above the first layer */
			flop += 2.0 * B * dim[i] * dim[i + 1] * (i > 0 ? 3 : 2);
		}
		for (i = 0; i <= nd; i++)
			act[i] = fill(B * dim[i], &r);
		fn = step;
	} else if (strcmp(argv[0], "peak") == 0) {
		if (argc != 2)
			usage();
		N = arg(argv[1], 1, 1L << 15);
		a = fill(N * N, &r);
		b = fill(N * N, &r);
		c = fill(N * N, &r);
		flop = 2.0 * N * N * N;
		fn = peak;
	} else
		usage();

	/* calibrate: how many calls make a repeat of secs */
	t0 = now();
	n = 0;
	do {
		fn();
		n++;
	} while ((t = now() - t0) < secs / 4);
	n = (long)(n * secs / t) + 1;
	for (k = -1; k < reps; k++) {
		t0 = now();
		for (i = 0; i < n; i++)
			fn();
		if (k >= 0)
			ms[k] = (now() - t0) * 1e3 / n;
	}
	qsort(ms, reps, sizeof(ms[0]), cmp);
	t = reps % 2 ? ms[reps / 2] : (ms[reps / 2 - 1] + ms[reps / 2]) / 2;
	printf("ms=%.4f mflop=%.3f gflops=%.1f\n", t, flop / 1e6,
	    flop / t / 1e6);
	return 0;
}
