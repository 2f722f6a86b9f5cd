/* smooth.c - bias-corrected EMA of the loss and the divergence test. */
#include <math.h>

#include "err.h"
#include "smooth.h"

int
smooth_init(struct smooth *s, double beta, double thresh)
{
	if (!(beta >= 0 && beta < 1))
		return err_set("beta %g is not in [0, 1)", beta);
	if (!(thresh > 1) || !isfinite(thresh))
		return err_set("divergence threshold %g is not greater than 1",
		    thresh);
	s->beta = beta;
	s->thresh = thresh;
	s->t = 0;
	s->avg = 0;
	s->betat = 1;
	s->loss = 0;
	s->value = 0;
	s->best = INFINITY;
	return 0;
}

double
smooth_next(struct smooth *s, double loss)
{
	s->t++;
	s->loss = loss;
	if (s->beta == 0)		/* not 0 * inf = nan after an inf */
		s->avg = loss;
	else
		s->avg = s->beta * s->avg + (1 - s->beta) * loss;
	s->betat *= s->beta;		/* beta^t; 0 for beta 0, t >= 1 */
	s->value = s->avg / (1 - s->betat);
	if (isfinite(s->value) && s->value < s->best)
		s->best = s->value;
	return s->value;
}

int
smooth_verdict(const struct smooth *s)
{
	if (s->t == 0)
		return SMOOTH_GO;
	if (!isfinite(s->loss))
		return SMOOTH_NONFINITE;
	if (s->best > 0 && s->value > s->thresh * s->best)
		return SMOOTH_DIVERGED;
	return SMOOTH_GO;
}

const char *
smooth_reason(int verdict)
{
	switch (verdict) {
	case SMOOTH_DIVERGED:
		return "diverged";
	case SMOOTH_NONFINITE:
		return "nonfinite";
	default:
		return "go";
	}
}
