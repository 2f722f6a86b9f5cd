/*
 * smooth.c - bias-corrected EMA of the loss, the divergence test, and the
 * centred smoother of a whole curve.
 */
#include <math.h>
#include <stdlib.h>

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

void
smooth_ema(double *out, const double *y, long n, double beta)
{
	double s, betat;
	long i;

	/*
	 * smooth_t = smooth_(t-1) + (1 - beta) / (1 - beta^t) (loss_t -
	 * smooth_(t-1)): the same values as a_t / (1 - beta^t), and a
	 * constant loss stays exactly constant, without a rounding that a
	 * method could read as a fall.
	 */
	s = 0;
	betat = 1;
	for (i = 0; i < n; i++) {
		betat *= beta;
		if (i == 0 || beta == 0)
			s = y[i];
		else
			s += (1 - beta) / (1 - betat) * (y[i] - s);
		out[i] = s;
	}
}

long
smooth_warmup(double beta)
{
	double p;
	long t;

	/* beta^(t+1) > 1/2 for t = 0, 1, ...: at most 1.6e9 turns for
	 * beta < 1 - 4.3e-10, and beta is a double below 1 */
	for (t = 0, p = beta; p > 0.5; t++)
		p *= beta;
	return t;
}

/* Tricube weight of a point d decades from the centre of a window h. */
static double
tricube(double d, double h)
{
	double u;

	u = d / h;
	u = 1 - u * u * u;
	return u * u * u;
}

int
smooth_centred(double *out, const double *lr, const double *y, long n,
    double h)
{
	double *x;		/* (n) log10 lr */
	/* (SMOOTH_MAXWIN + 1) a window's terms: u = x_j - x_i, its
	 * weight, v = y_j - y_i; a window has at most (hi - lo) / k + 1 <
	 * SMOOTH_MAXWIN + 1 points, as k is chosen */
	double uv[SMOOTH_MAXWIN + 1], wv[SMOOTH_MAXWIN + 1];
	double vv[SMOOTH_MAXWIN + 1];
	double w, sw, u, mu, mv, suu, suv, d;
	long i, j, lo, hi, k, m;

	if (!(h >= 0) || !isfinite(h))
		return err_set("window %g decades is not a number >= 0", h);
	if (n <= 0)
		return 0;
	if (h == 0) {
		for (i = 0; i < n; i++)
			out[i] = y[i];
		return 0;
	}
	if ((x = malloc((size_t)n * sizeof(*x))) == NULL)
		return err_set("out of memory");
	for (i = 0; i < n; i++)
		x[i] = log10(lr[i]);
	lo = hi = 0;
	for (i = 0; i < n; i++) {
		/* the window [lo, hi]: every j with |x_j - x_i| < h */
		while (x[i] - x[lo] >= h)
			lo++;
		if (hi < i)
			hi = i;
		while (hi + 1 < n && x[hi + 1] - x[i] < h)
			hi++;
		k = (hi - lo + SMOOTH_MAXWIN) / SMOOTH_MAXWIN;
		if (k < 1)	/* lo <= i <= hi, but say so to the analyzer */
			k = 1;
		/*
		 * In coordinates centred on point i, u = x_j - x_i and v =
		 * y_j - y_i: the weighted means first, then the centred
		 * moments, so that no large sums cancel, and a constant
		 * comes out exactly (every v is 0).  The line's value at
		 * u = 0 is mv + b (0 - mu), b = suv / suu.
		 */
		sw = mu = mv = suu = suv = 0;
		m = 0;
		for (j = i - (i - lo) / k * k; j <= hi && m <= SMOOTH_MAXWIN;
		    j += k, m++) {
			uv[m] = u = x[j] - x[i];
			wv[m] = w = tricube(fabs(u), h);
			vv[m] = y[j] - y[i];
			sw += w;
			mu += w * u;
			mv += w * vv[m];
		}
		mu /= sw;
		mv /= sw;
		for (j = 0; j < m; j++) {	/* the same terms, kept */
			d = uv[j] - mu;
			suu += wv[j] * d * d;
			suv += wv[j] * d * (vv[j] - mv);
		}
		out[i] = y[i] + (suu > 0 ? mv - suv / suu * mu : mv);
		if (!isfinite(out[i]))	/* differences of huge losses */
			out[i] = y[i];
	}
	free(x);
	return 0;
}
