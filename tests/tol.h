/*
 * tol.h - tolerances for float32 results, derived from the computation.
 *
 * What can legitimately differ between two runs of the same code on two
 * machines (or on two thread counts) is the ORDER of the float32 sums:
 * OpenBLAS picks another sgemm kernel for another CPU (or for
 * OPENBLAS_CORETYPE), with another blocking of the inner dimension, and
 * lrf's threads split a layer's units or samples into other shares, so
 * sgemm sees other shapes.  Higham (Accuracy and Stability of Numerical
 * Algorithms, 2nd ed., 3.1): a sum of k terms computed in ANY order in
 * floating point has an error of at most
 *
 *	gamma_k * sum |terms|,		gamma_k = k u / (1 - k u),
 *
 * u = 2^-24 the unit roundoff of float32.  Two orders therefore differ by
 * at most 2 gamma_k sum|terms|, whatever the kernel (an FMA only lowers
 * the error).  This is a worst case: the typical difference is about
 * sqrt(k) u sum|terms|, so the bound holds with room on every kernel,
 * and it is still sharp enough to catch a wrong result: a term lost,
 * doubled or taken from the wrong place moves the sum by a whole term,
 * about sum|terms| / k, which is far above 2 k u sum|terms| for every
 * k < 1/sqrt(2u) = 2896 (and the tests' sums are far shorter).
 *
 * A chain of layers adds the errors of its sums (to first order): a
 * network's output is compared with k = the sum of the lengths of the
 * sums on its path (tol_path), against the magnitudes of the terms that
 * produced it.  Values near zero need that magnitude, not their own: a
 * logit of 0.012 made of terms of size 0.5 carries the rounding of 0.5.
 *
 * Where the code guarantees the same order (the same threads twice, a
 * resumed run, the fused update), tests compare bits, not tolerances.
 */
#ifndef LRF_TOL_H
#define LRF_TOL_H

#include <math.h>

#include "tap.h"

#define F32_U	5.9604644775390625e-08	/* 2^-24, float32 unit roundoff */

/* gamma_k = k u / (1 - k u): the relative error bound of a k-term sum. */
static inline double
tol_gamma(double k)
{
	return k * F32_U / (1 - k * F32_U);
}

/*
 * The most two float32 evaluations of a k-term sum, in two orders, can
 * differ: 2 gamma_k sumabs, sumabs = sum |terms|.
 */
static inline double
tol_sum(double k, double sumabs)
{
	return 2 * tol_gamma(k) * sumabs;
}

/*
 * A float32 sum of k products of float32-rounded factors against its
 * exact value (a hand-worked number in double): each term carries three
 * roundings (its two factors, the product), the sum k - 1 more:
 * gamma_{k+2} sumabs.  (k = 1: one product, or one rounded value.)
 */
static inline double
tol_f32(double k, double sumabs)
{
	return tol_gamma(k + 2) * sumabs;
}

/* The same in double: u = 2^-53. */
#define F64_U	1.1102230246251565e-16

static inline double
tol_f64(double k, double sumabs)
{
	return (k + 2) * F64_U / (1 - (k + 2) * F64_U) * sumabs;
}

/*
 * got and want, two evaluations of a sum of k terms whose absolute values
 * add up to sumabs, agree within tol_sum(k, sumabs).
 */
static inline int
is_sum(double got, double want, double k, double sumabs, const char *name)
{
	double tol = tol_sum(k, sumabs);
	int c;

	c = got == want || fabs(got - want) <= tol;
	if (!ok(c, name))
		diag("got %.9g, want %.9g: differ by %.3g, more than "
		    "2 gamma_%g * %.3g = %.3g", got, want, fabs(got - want),
		    k, sumabs, tol);
	return c;
}

/*
 * Every element of a and b (n floats) agrees within tol_sum(k, mag[i])
 * (mag NULL: within tol_sum(k, |a[i]| + floor)).  On failure a
 * diagnostic names the first element that does not; *worst (if not
 * NULL) gets the largest |a - b| / tolerance seen, the margin a test can
 * report.
 */
static inline int
close_sums(const float *a, const float *b, long n, double k,
    const double *mag, double floor, double *worst)
{
	double t, r, w = 0;
	long i, bad = -1;

	for (i = 0; i < n; i++) {
		t = tol_sum(k, mag != NULL ? mag[i] : fabs(a[i]) + floor);
		r = a[i] == b[i] ? 0 : fabs((double)a[i] - b[i]) / t;
		if (!(r <= 1) && bad < 0)
			bad = i;
		if (r > w || r != r)
			w = r;
	}
	if (worst != NULL)
		*worst = w;
	if (bad >= 0)
		diag("element %ld: %.9g vs %.9g, tolerance %.3g (2 gamma_%g "
		    "* %.3g)", bad, a[bad], b[bad],
		    tol_sum(k, mag != NULL ? mag[bad] : fabs(a[bad]) + floor),
		    k, mag != NULL ? mag[bad] : fabs(a[bad]) + floor);
	return bad < 0;
}

#endif
