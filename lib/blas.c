/* blas.c - the sgemm wrapper: OpenBLAS, or a plain-C reference. */
#include <cblas.h>

#include "blas.h"

static int use_reference;	/* blas_use_reference(); a test switch */

/*
 * The reference product.  Element (i, j) of op(A) is A[i*lda + k] or
 * A[k*lda + i]; the sum over k is kept in float in the order k = 0..K-1
 * (the BLAS path blocks differently, so the two agree to rounding).
 */
static void
ref_sgemm(int ta, int tb, long M, long N, long K, float alpha,
    const float *A, long lda, const float *B, long ldb, float beta,
    float *C, long ldc)
{
	long i, j, k;
	float s, a;

	for (i = 0; i < M; i++) {
		float *c = C + i * ldc;

		if (beta == 0)
			for (j = 0; j < N; j++)
				c[j] = 0;
		else if (beta != 1)
			for (j = 0; j < N; j++)
				c[j] *= beta;
		if (!tb) {
			/* row i of C += alpha * a_ik * row k of B */
			for (k = 0; k < K; k++) {
				a = alpha * (ta ? A[k * lda + i] :
				    A[i * lda + k]);
				const float *b = B + k * ldb;
				for (j = 0; j < N; j++)
					c[j] += a * b[j];
			}
		} else {
			/* c_ij += alpha * dot(row i of op(A), row j of B) */
			for (j = 0; j < N; j++) {
				const float *b = B + j * ldb;
				s = 0;
				for (k = 0; k < K; k++)
					s += (ta ? A[k * lda + i] :
					    A[i * lda + k]) * b[k];
				c[j] += alpha * s;
			}
		}
	}
}

void
blas_sgemm(int ta, int tb, long M, long N, long K, float alpha,
    const float *A, long lda, const float *B, long ldb, float beta,
    float *C, long ldc)
{
	if (M <= 0 || N <= 0)
		return;
	if (K <= 0) {
		/* C = beta * C: nothing to multiply (BLAS does the same) */
		ref_sgemm(ta, tb, M, N, 0, alpha, A, lda, B, ldb, beta, C, ldc);
		return;
	}
	if (use_reference) {
		ref_sgemm(ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
		return;
	}
	cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans,
	    tb ? CblasTrans : CblasNoTrans, (blasint)M, (blasint)N,
	    (blasint)K, alpha, A, (blasint)lda, B, (blasint)ldb, beta, C,
	    (blasint)ldc);
}

void
blas_use_reference(int on)
{
	use_reference = on != 0;
}

int
blas_cores(void)
{
	int n;

	n = openblas_get_num_procs();
	return n < 1 ? 1 : n;
}

int
blas_threads(int n)
{
	if (n <= 0)
		n = blas_cores();
	openblas_set_num_threads(n);
	return n;
}

/*
 * OpenBLAS's own threads: a pthreads build starts them when it loads,
 * and each spins (sched_yield in a loop) for about 2^28 cycles, a tenth
 * of a second, before it sleeps.  A program that runs its own threads,
 * each calling a 1-thread sgemm, loses a core to them for that long: the
 * first 100 steps of a small range test ran at half speed.  Its thread
 * server's shutdown (what OpenBLAS itself calls around fork) is exported
 * by every OpenBLAS since GotoBLAS; where the symbol is missing (another
 * BLAS, a serial build) there is no pool to end.
 */
extern void blas_thread_shutdown_(void) __attribute__((weak));

void
blas_serial(void)
{
	openblas_set_num_threads(1);
	if (blas_thread_shutdown_ != NULL)
		blas_thread_shutdown_();
}
