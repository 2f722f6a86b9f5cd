/*
 * curve.h - how far two loss curves of the same training are comparable.
 *
 * Two runs of the same training on other kernels, other thread counts,
 * another framework (make crosscheck) or other processes (MPI) start a
 * few ulps apart.  While the training is stable the dynamics contract and
 * those differences stay at the level of rounding; where it becomes
 * unstable they grow without bound, and no tolerance can hold there.
 * curve_cut finds, from the two curves themselves, the first step that is
 * not comparable, the earliest of:
 *
 *   diverged	either loss is not finite, or above ratio times its lowest
 *		value so far (lrf-smooth's divergence test, on raw losses);
 *   rose	(rise >= 0 only) either loss is above (1 + rise) times its
 *		lowest value so far.  Full-batch gradient descent lowers the
 *		loss at every step while lr < 2 / lambda_max (the descent
 *		lemma); its first rise marks the lr past which the step
 *		overshoots along the sharpest direction, where the map
 *		|1 - lr lambda| > 1 amplifies any difference: the edge of
 *		stability.  Use rise = 0 for full-batch curves; mini-batch
 *		curves rise and fall with their batches (leave it off);
 *   amplified	the relative difference of the two grows CURVE_GROWTH times
 *		within CURVE_RUN steps, from at least floor (the rounding
 *		level of the comparison, e.g. 1/100 of its tolerance).
 *		Rounding adds a bounded amount at each step, about sqrt(k) u
 *		for sums of k terms, and while the dynamics contract those
 *		amounts add up like a random walk: 8 times takes 64 steps.
 *		A growth of 8 times in 3 steps is amplification, the
 *		signature of a positive Lyapunov exponent; or, in one step,
 *		a discontinuity decided the other way by a rounding
 *		difference (a max-pooling window whose two largest values
 *		are ulps apart, a relu at its kink) that sends a whole
 *		gradient element elsewhere, after which the two runs train
 *		different networks.  The cut is the first step of the
 *		growth that is above where it began.
 *
 * Every step before the cut is compared.  A wrong result shows from the
 * first steps, well above the rounding level, before any of these; what
 * this cannot see is an error that appears only at the cut.
 */
#ifndef LRF_CURVE_H
#define LRF_CURVE_H

#include <math.h>

#define CURVE_GROWTH	8.0	/* times, ... */
#define CURVE_RUN	3	/* ... within this many steps */

enum { CURVE_END, CURVE_DIVERGED, CURVE_ROSE, CURVE_AMPLIFIED };

static const char *const curve_why[] = { "end of the curves", "diverged",
	"rose", "amplified" };

/* |a - b| relative to the larger; 0 when both are 0; inf if not finite */
static inline double
curve_rel(double a, double b)
{
	double m = fmax(fabs(a), fabs(b));

	if (!isfinite(a) || !isfinite(b))
		return a == b ? 0 : INFINITY;
	return m == 0 ? 0 : fabs(a - b) / m;
}

/*
 * The number of leading steps of a and b (n each) that are comparable,
 * and in *why the reason the comparison stops (CURVE_*).  ratio > 1 is the
 * divergence ratio; rise < 0 leaves the rise test off; floor is the
 * difference below which growth is not counted.
 */
static inline long
curve_cut(const double *a, const double *b, long n, double ratio,
    double rise, double floor, int *why)
{
	double mina = INFINITY, minb = INFINITY, d, lo;
	long i, j;

	for (j = 0; j < n; j++) {
		if (!isfinite(a[j]) || !isfinite(b[j]) ||
		    a[j] > ratio * mina || b[j] > ratio * minb) {
			*why = CURVE_DIVERGED;
			return j;
		}
		if (rise >= 0 && (a[j] > (1 + rise) * mina ||
		    b[j] > (1 + rise) * minb)) {
			*why = CURVE_ROSE;
			return j;
		}
		d = curve_rel(a[j], b[j]);
		for (i = j > CURVE_RUN ? j - CURVE_RUN : 0; i < j; i++) {
			lo = fmax(curve_rel(a[i], b[i]), floor);
			if (d < CURVE_GROWTH * lo)
				continue;
			/* the first step above where the growth began */
			for (i++; curve_rel(a[i], b[i]) <= lo; i++)
				;
			*why = CURVE_AMPLIFIED;
			return i;
		}
		mina = fmin(mina, a[j]);
		minb = fmin(minb, b[j]);
	}
	*why = CURVE_END;
	return n;
}

#endif
