/* Unit tests for the sgemm wrapper (lib/blas.c): OpenBLAS against the
 * plain-C reference, and both against hand-worked numbers. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cblas.h>

#include "blas.h"
#include "rng.h"
#include "tol.h"

static double worst_all;	/* the largest difference / tolerance seen */

/*
 * Compare the two paths on C = alpha op(A) op(B) + beta C with leading
 * dimensions larger than the rows (pad floats more), random data.  Each
 * c_ij is a float32 sum of K products alpha a_ik b_kj and beta c_ij, and
 * a term passes through at most K + 2 roundings on either path: its
 * product (or alpha * a_ik), alpha times a partial sum, and at most K
 * adds however the kernel blocks K (a block of k1 terms then p blocks
 * added into C: k1 + p - 1 <= K adds); beta c_ij two.  So both are within
 * gamma_{K+2} mag of the exact value, mag = |alpha| sum_k |a_ik b_kj| +
 * |beta c_ij| (computed here in double), and they differ by at most
 * tol_sum(K + 2, mag): a floor scaled by the terms, so that cancellation
 * in a sum does not make an agreeing pair look wrong.  A term lost or
 * taken from the wrong place moves c_ij by about mag / K, far more.
 */
static int
compare(int ta, int tb, long M, long N, long K, float alpha, float beta,
    long pad, struct rng *g)
{
	float *A, *B, *C0, *C1, *C2;
	double mag, err, r, worst;
	long lda, ldb, ldc, ar, br, i, j, k;
	long nA, nB, nC;
	int bad;

	lda = (ta ? M : K) + pad;
	ldb = (tb ? K : N) + pad;
	ldc = N + pad;
	ar = ta ? K : M;	/* rows of A as stored */
	br = tb ? N : K;
	nA = ar * lda, nB = br * ldb, nC = M * ldc;
	A = malloc(nA * sizeof *A);
	B = malloc(nB * sizeof *B);
	C0 = malloc(nC * sizeof *C0);
	C1 = malloc(nC * sizeof *C1);
	C2 = malloc(nC * sizeof *C2);
	for (i = 0; i < nA; i++)
		A[i] = (float)(2 * rng_uniform(g) - 1);
	for (i = 0; i < nB; i++)
		B[i] = (float)(2 * rng_uniform(g) - 1);
	for (i = 0; i < nC; i++)
		C0[i] = beta == 0 ? NAN : (float)(2 * rng_uniform(g) - 1);
	memcpy(C1, C0, nC * sizeof *C0);
	memcpy(C2, C0, nC * sizeof *C0);
	blas_use_reference(0);
	blas_sgemm(ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C1, ldc);
	blas_use_reference(1);
	blas_sgemm(ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C2, ldc);
	blas_use_reference(0);
	bad = 0;
	worst = 0;
	for (i = 0; i < M; i++)
		for (j = 0; j < N; j++) {
			mag = beta == 0 ? 0 :
			    fabs((double)beta * C0[i * ldc + j]);
			for (k = 0; k < K; k++)
				mag += fabs((double)alpha *
				    (ta ? A[k * lda + i] : A[i * lda + k]) *
				    (tb ? B[j * ldb + k] : B[k * ldb + j]));
			err = fabs((double)C1[i * ldc + j] - C2[i * ldc + j]);
			r = err == 0 ? 0 : err / tol_sum(K + 2, mag);
			if (!(r <= 1))
				bad++;
			if (r > worst || r != r)
				worst = r;
		}
	if (worst > worst_all)
		worst_all = worst;
	/* the padding is never written */
	for (i = 0; i < M; i++)
		for (j = N; j < ldc; j++)
			if (memcmp(&C1[i * ldc + j], &C0[i * ldc + j], 4) ||
			    memcmp(&C2[i * ldc + j], &C0[i * ldc + j], 4))
				bad++;
	if (bad)
		diag("%ld x %ld x %ld trans %d%d: %d bad, worst %.3g of "
		    "tol_sum(K + 2, mag)", M, N, K, ta, tb, bad, worst);
	free(A), free(B), free(C0), free(C1), free(C2);
	return bad == 0;
}

int
main(void)
{
	static const long size[][3] = {
		{ 1, 1, 1 }, { 7, 5, 13 }, { 3, 17, 2 }, { 33, 9, 65 },
		{ 128, 10, 256 }, { 129, 31, 257 }
	};
	/*
	 * A = [1 2 3; 4 5 6], B = [1 0; -1 2; 0.5 1]: every product and
	 * every partial sum, in any order, is a small multiple of 0.5, exact
	 * in float32, so both paths give these values exactly (==).
	 */
	const float A[] = { 1, 2, 3, 4, 5, 6 };
	const float At[] = { 1, 4, 2, 5, 3, 6 };
	const float B[] = { 1, 0, -1, 2, 0.5, 1 };
	const float P[] = { 1, 2, 3, 4 }, Q[] = { 5, 6, 7, 8 };
	const float Bt[] = { 1, -1, 0.5, 0, 2, 1 };
	/* A B = [1-2+1.5, 0+4+3; 4-5+3, 0+10+6] = [0.5 7; 2 16] */
	const float AB[] = { 0.5, 7, 2, 16 };
	char name[128];
	float C[4];
	struct rng g;
	size_t s;
	int ta, tb, ref, i, allok;

	plan(2 * 4 + 4 * 6 * 3 + 8);
	rng_seed(&g, 1);
	for (ref = 0; ref < 2; ref++) {
		blas_use_reference(ref);
		for (ta = 0; ta < 2; ta++)
			for (tb = 0; tb < 2; tb++) {
				memset(C, 0, sizeof C);
				blas_sgemm(ta, tb, 2, 2, 3, 1, ta ? At : A,
				    ta ? 2 : 3, tb ? Bt : B, tb ? 3 : 2, 0, C,
				    2);
				allok = 1;
				for (i = 0; i < 4; i++)
					allok &= C[i] == AB[i];
				snprintf(name, sizeof name, "%s: 2x3 times "
				    "3x2, trans %d%d, by hand",
				    ref ? "reference" : "openblas", ta, tb);
				if (!ok(allok, name))
					diag("got %g %g %g %g", C[0], C[1],
					    C[2], C[3]);
			}
	}
	blas_use_reference(0);
	for (s = 0; s < sizeof size / sizeof size[0]; s++)
		for (ta = 0; ta < 2; ta++)
			for (tb = 0; tb < 2; tb++) {
				snprintf(name, sizeof name, "%ldx%ldx%ld trans "
				    "%d%d, beta 0 over NaN", size[s][0],
				    size[s][1], size[s][2], ta, tb);
				ok(compare(ta, tb, size[s][0], size[s][1],
				    size[s][2], 1, 0, 0, &g), name);
				snprintf(name, sizeof name, "%ldx%ldx%ld trans "
				    "%d%d, alpha -0.7 beta 1.3, padded",
				    size[s][0], size[s][1], size[s][2], ta, tb);
				ok(compare(ta, tb, size[s][0], size[s][1],
				    size[s][2], -0.7f, 1.3f, 3, &g), name);
				snprintf(name, sizeof name, "%ldx%ldx%ld trans "
				    "%d%d, beta 1 (accumulate)", size[s][0],
				    size[s][1], size[s][2], ta, tb);
				ok(compare(ta, tb, size[s][0], size[s][1],
				    size[s][2], 1, 1, 1, &g), name);
			}
	diag("openblas vs reference: worst difference %.2g of the bound",
	    worst_all);

	/* C = alpha A B + beta C by hand: 2 * AB + 0.5 * [2 2 2 2]; exact
	 * as above (multiples of 0.5 below 2^24) */
	for (ref = 0; ref < 2; ref++) {
		blas_use_reference(ref);
		for (i = 0; i < 4; i++)
			C[i] = 2;
		blas_sgemm(BLAS_N, BLAS_N, 2, 2, 3, 2, A, 3, B, 2, 0.5f, C, 2);
		ok(C[0] == 2 && C[1] == 15 && C[2] == 5 && C[3] == 33,
		    ref ? "reference: alpha 2, beta 0.5 by hand" :
		    "openblas: alpha 2, beta 0.5 by hand");
	}
	blas_use_reference(0);
	/* K = 0: C = beta C */
	for (i = 0; i < 4; i++)
		C[i] = 3;
	blas_sgemm(BLAS_N, BLAS_N, 2, 2, 0, 1, A, 1, B, 2, 0.5f, C, 2);
	ok(C[0] == 1.5f && C[3] == 1.5f, "K = 0 scales C by beta");
	ok(blas_threads(0) >= 1 && blas_threads(1) == 1,
	    "blas_threads: all cores, then one");
	/* the pool ended: one thread, sgemm still right (2x2 by hand),
	 * and threads can be asked for again */
	blas_threads(0);
	blas_serial();
	ok(openblas_get_num_threads() == 1, "blas_serial: one thread");
	blas_sgemm(BLAS_N, BLAS_N, 2, 2, 2, 1, P, 2, Q, 2, 0, C, 2);
	ok(C[0] == 19 && C[1] == 22 && C[2] == 43 && C[3] == 50,
	    "  sgemm after it: [[1,2],[3,4]] [[5,6],[7,8]] by hand");
	/* (a serial OpenBLAS, openblas_get_parallel() 0, has one) */
	ok(blas_threads(2) == 2 && (openblas_get_num_threads() == 2 ||
	    openblas_get_parallel() == 0),
	    "  blas_threads(2) after it: two again");
	blas_sgemm(BLAS_N, BLAS_N, 2, 2, 2, 1, P, 2, Q, 2, 0, C, 2);
	ok(C[0] == 19 && C[3] == 50, "  and sgemm with them");
	return done();
}
