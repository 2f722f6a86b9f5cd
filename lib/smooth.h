/*
 * smooth.h - the loss smoothing and divergence test of the range test.
 *
 * A bias-corrected exponential moving average, as fastai computes it:
 *
 *	a_0 = 0
 *	a_t = beta * a_{t-1} + (1 - beta) * loss_t
 *	smooth_t = a_t / (1 - beta^t)		t = 1, 2, ...
 *
 * beta = 0 gives smooth_t = loss_t, even after an infinite loss.  The run has diverged at step t when
 * loss_t is not finite, or when smooth_t > thresh * best_t, best_t being
 * the smallest smooth value up to and including t; that ratio test is off
 * while best_t <= 0 (it means nothing for losses that are not positive).
 */
#ifndef LRF_SMOOTH_H
#define LRF_SMOOTH_H

#define SMOOTH_BETA	0.98	/* default EMA factor */
#define SMOOTH_THRESH	4.0	/* default divergence ratio */
#define SMOOTH_WINDOW	0.5	/* centred smoother: half-width, decades */
#define SMOOTH_MAXWIN	256	/* centred smoother: points per window, most */

enum {
	SMOOTH_GO = 0,		/* keep going */
	SMOOTH_DIVERGED,	/* smooth_t > thresh * best */
	SMOOTH_NONFINITE	/* loss_t is nan or infinite */
};

struct smooth {
	double	 beta;		/* EMA factor, in [0, 1) */
	double	 thresh;	/* divergence ratio, > 1 */
	long	 t;		/* losses seen */
	double	 avg;		/* a_t, the uncorrected average */
	double	 betat;		/* beta^t */
	double	 loss;		/* loss_t, the last loss */
	double	 value;		/* smooth_t, the last smoothed value */
	double	 best;		/* smallest finite smooth value; inf at first */
};

/*
 * Start a new average.  Returns 0, or -1 with "beta 2 is not in [0, 1)" or
 * "divergence threshold 1 is not greater than 1" set (s is then unusable).
 */
int smooth_init(struct smooth *s, double beta, double thresh);

/* Add loss_t and return smooth_t; nan or inf propagate to later values
 * (for beta > 0).  Only finite values can become the best. */
double smooth_next(struct smooth *s, double loss);

/* The verdict on the last step: SMOOTH_GO, SMOOTH_DIVERGED or
 * SMOOTH_NONFINITE (SMOOTH_GO before the first step). */
int smooth_verdict(const struct smooth *s);

/* The name of a verdict for "#@ stop reason=...": "diverged", "nonfinite";
 * "go" for SMOOTH_GO. */
const char *smooth_reason(int verdict);

/*
 * The whole bias-corrected EMA of y (n) into out (n; may be y): the
 * values smooth_next gives one at a time, up to rounding, computed as
 * smooth_t = smooth_(t-1) + (1 - beta) / (1 - beta^t) (y_t - smooth_(t-1))
 * so that a constant stays exactly constant.  beta in [0, 1).
 */
void smooth_ema(double *out, const double *y, long n, double beta);

/*
 * The EMA's warm-up: how many of its first values divide by less than 1/2
 * in their bias correction (1 - beta^t < 1/2, t = 1, 2, ...), and so give
 * their newest loss a weight of more than 2 (1 - beta): 34 for beta 0.98,
 * 0 for beta <= 0.5.
 */
long smooth_warmup(double beta);

/*
 * The centred smoother, for a range test read whole: a zero-lag local
 * linear fit in x = log10 lr.  out[i] is the value at x_i of the straight
 * line fitted by weighted least squares to the points (x_j, y[j]) with
 * |x_j - x_i| < h decades, weighted
 *
 *	w_j = (1 - (|x_j - x_i| / h)^3)^3	(tricube: LOESS of degree 1)
 *
 * A window whose points share one x gives their weighted mean; h = 0
 * copies y.  A straight line in log lr comes out unchanged, at the ends
 * too: the smoother has no lag.  A window of more than SMOOTH_MAXWIN
 * points uses every k-th point counted both ways from i, k = ceil(points /
 * SMOOTH_MAXWIN), so the time is O(n SMOOTH_MAXWIN) at most.  Where the
 * differences of huge losses overflow, out[i] is y[i].
 * lr (n) positive and non-decreasing, y (n) finite; out (n) must not be y.
 * Returns 0, or -1 with "window -1 decades is not a number >= 0" or "out
 * of memory" set.
 */
int smooth_centred(double *out, const double *lr, const double *y, long n,
    double h);

#endif
