/*
 * blas.h - the one matrix product of the numerical core.
 *
 * Every matrix product in lrf goes through blas_sgemm, row-major:
 *
 *	C = alpha * op(A) * op(B) + beta * C
 *
 * op(A) is (M, K), op(B) is (K, N), C is (M, N).  With trans = BLAS_N the
 * matrix is stored as written (A: M rows of lda >= K floats); with
 * BLAS_T it is stored transposed (A: K rows of lda >= M floats).  As in
 * BLAS, beta == 0 overwrites C without reading it (NaN in C does not
 * leak through).
 *
 * The product is computed by OpenBLAS's cblas_sgemm, or, after
 * blas_use_reference(1), by a plain-C loop with the same contract, so
 * that a test can compare the two paths.
 */
#ifndef LRF_BLAS_H
#define LRF_BLAS_H

enum { BLAS_N = 0, BLAS_T = 1 };

/* C (M, N) = alpha * op(A) * op(B) + beta * C, row-major (see above). */
void blas_sgemm(int transA, int transB, long M, long N, long K, float alpha,
    const float *A, long lda, const float *B, long ldb, float beta,
    float *C, long ldc);

/* 1: use the plain-C product from now on; 0: use OpenBLAS (the default).
 * For the tests: no program calls it. */
void blas_use_reference(int on);

/* Threads OpenBLAS may use; 0 means all cores.  Returns the number set. */
int blas_threads(int n);

/* The number blas_threads(0) sets (all cores, at least 1), setting
 * nothing. */
int blas_cores(void);

/* OpenBLAS on the caller's thread only from now on, its own threads
 * ended (they spin for a tenth of a second after they start; see
 * blas.c), until blas_threads asks for more. */
void blas_serial(void);

#endif
