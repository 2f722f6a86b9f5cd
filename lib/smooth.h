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

#endif
