/* suggest.c - the suggestion methods of the range test. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "suggest.h"

const char *const suggest_names[] = {
	[SUGGEST_STEEP] = "steep",
	[SUGGEST_MINIMUM] = "minimum",
	[SUGGEST_VALLEY] = "valley",
	[SUGGEST_SLIDE] = "slide",
	[SUGGEST_BALANCED] = "balanced",
	[SUGGEST_ALL] = "all",
	NULL
};

static long slide(const double *, const double *, long);
static int tenth(const double *, const double *, long, long, double *);
static int between(const double *, const double *, long, long, double *);

/*
 * What each method does: pick a point of the curve, and, for the methods
 * whose learning rate is not the point's own, the rate (its loss is then
 * read off the curve there).
 */
static const struct method {
	long	(*pick)(const double *lr, const double *loss, long n);
	int	(*rate)(const double *lr, const double *loss, long n, long i,
		    double *out);	/* NULL: lr[i] */
	long	 need;		/* the fewest points it takes */
} methods[SUGGEST_NMETHODS] = {
	[SUGGEST_STEEP] = { suggest_steep, NULL, 2 },
	[SUGGEST_MINIMUM] = { suggest_minimum, tenth, 2 },
	[SUGGEST_VALLEY] = { suggest_valley, NULL, 2 },
	[SUGGEST_SLIDE] = { slide, NULL, SUGGEST_LR_DIFF + 1 },
	[SUGGEST_BALANCED] = { suggest_balanced, between, 2 },
};

int
suggest_lookup(const char *name)
{
	int i;

	for (i = 0; suggest_names[i] != NULL; i++)
		if (strcmp(suggest_names[i], name) == 0)
			return i;
	return -1;
}

long
suggest_need(int method)
{
	return method >= 0 && method < SUGGEST_NMETHODS ?
	    methods[method].need : 2;
}

int
suggest_between(int method)
{
	return method >= 0 && method < SUGGEST_NMETHODS &&
	    methods[method].rate != NULL;
}

long
suggest_decreases(const double *loss, long n)
{
	long i;

	for (i = 0; i + 1 < n; i++)
		if (loss[i + 1] < loss[i])
			return i;
	return -1;
}

/* The checks every method makes first: enough points, some decrease. */
static int
usable(const double *loss, long n, long need)
{
	if (n < need)
		return err_set("%ld point%s, need at least %ld", n,
		    n == 1 ? "" : "s", need);
	if (suggest_decreases(loss, n) < 0)
		return err_set("the loss never decreases");
	return 0;
}

long
suggest_steep(const double *lr, const double *loss, long n)
{
	double g, gmin, dx;
	long i, imin;

	if (usable(loss, n, 2) < 0)
		return -1;
	imin = -1;
	gmin = 0;
	for (i = 0; i + 1 < n; i++) {
		dx = log(lr[i + 1]) - log(lr[i]);
		if (!(dx > 0))
			continue;
		g = (loss[i + 1] - loss[i]) / dx;
		if (g < gmin) {
			gmin = g;
			imin = i;
		}
	}
	if (imin < 0)
		return err_set("the loss never decreases where the lr increases");
	return imin;
}

long
suggest_minimum(const double *lr, const double *loss, long n)
{
	long i, imin;

	(void)lr;
	if (usable(loss, n, 2) < 0)
		return -1;
	imin = 0;
	for (i = 1; i < n; i++)
		if (loss[i] < loss[imin])
			imin = i;
	return imin;
}

long
suggest_valley(const double *lr, const double *loss, long n)
{
	double *tails;		/* (n) tails[k]: the largest last value of a
				   strictly decreasing subsequence of length
				   k+1 seen so far; strictly decreasing in k */
	long i, k, lo, hi, len, lds, maxlds, maxend, maxstart, idx;
	double d;

	(void)lr;
	if (usable(loss, n, 2) < 0)
		return -1;
	if ((tails = malloc((size_t)n * sizeof(*tails))) == NULL)
		return err_set("out of memory");
	len = 0;
	maxlds = 0;
	maxend = 0;
	for (i = 0; i < n; i++) {
		/* k = how many tails lie above loss[i]: lds_i = k + 1 */
		lo = 0;
		hi = len;
		while (lo < hi) {
			k = lo + (hi - lo) / 2;
			if (tails[k] > loss[i])
				lo = k + 1;
			else
				hi = k;
		}
		k = lo;
		tails[k] = loss[i];
		if (k == len)
			len++;
		lds = k + 1;
		if (lds > maxlds) {
			maxlds = lds;
			maxend = i;
		}
	}
	free(tails);
	maxstart = maxend - maxlds;
	d = (double)(maxend - maxstart) / 3;
	idx = maxstart + (long)floor(d) + (long)floor(d / 2);
	return idx < 0 ? 0 : idx;
}

/* numpy.gradient of y by index at i: one-sided at the ends. */
static double
gradient(const double *y, long n, long i)
{
	if (i == 0)
		return y[1] - y[0];
	if (i == n - 1)
		return y[n - 1] - y[n - 2];
	return (y[i + 1] - y[i - 1]) / 2;
}

long
suggest_slide(const double *lr, const double *loss, long n, long lr_diff,
    double thresh)
{
	long r, l, pick;

	(void)lr;
	if (lr_diff < 0)
		return err_set("slide: lr_diff %ld is negative", lr_diff);
	if (usable(loss, n, lr_diff + 1 > 2 ? lr_diff + 1 : 2) < 0)
		return -1;
	r = n - 1;
	l = r - lr_diff;
	pick = l;
	while (l >= 0 && fabs(gradient(loss, n, r) - gradient(loss, n, l)) >
	    thresh) {
		pick = l;
		r--;
		l--;
	}
	return pick;
}

/* The geometric mean of steep's lr and the minimum's, or -1. */
static double
balanced_lr(const double *lr, const double *loss, long n)
{
	long s, m;

	if ((s = suggest_steep(lr, loss, n)) < 0 ||
	    (m = suggest_minimum(lr, loss, n)) < 0)
		return -1;
	return sqrt(lr[s]) * sqrt(lr[m]);
}

long
suggest_balanced(const double *lr, const double *loss, long n)
{
	double want, dist, best;
	long i, ibest;

	if ((want = balanced_lr(lr, loss, n)) < 0)
		return -1;
	want = log(want);
	ibest = 0;
	best = INFINITY;
	for (i = 0; i < n; i++) {
		dist = fabs(log(lr[i]) - want);
		if (dist < best) {
			best = dist;
			ibest = i;
		}
	}
	return ibest;
}

double
suggest_at(const double *lr, const double *loss, long n, double x)
{
	double t, span;
	long i;

	if (x <= lr[0])
		return loss[0];
	for (i = 0; i + 1 < n; i++) {
		if (x == lr[i])
			return loss[i];
		if (x < lr[i + 1]) {
			/* lr[i] < x < lr[i+1]; lrs so close that their logs
			 * are equal have no span: take the left point.  The
			 * weighted sum, unlike loss[i] + t * (loss[i+1] -
			 * loss[i]), cannot overflow to inf - inf. */
			span = log(lr[i + 1]) - log(lr[i]);
			t = span > 0 ? (log(x) - log(lr[i])) / span : 0;
			if (t > 1)
				t = 1;
			return loss[i] * (1 - t) + loss[i + 1] * t;
		}
	}
	return loss[n - 1];
}

/* slide with its default parameters. */
static long
slide(const double *lr, const double *loss, long n)
{
	return suggest_slide(lr, loss, n, SUGGEST_LR_DIFF, SUGGEST_THRESH);
}

/* minimum's rate: the lr of the minimum lr[i] divided by 10. */
static int
tenth(const double *lr, const double *loss, long n, long i, double *out)
{
	(void)loss;
	(void)n;
	*out = lr[i] / 10;
	if (!(*out > 0))	/* a subnormal lr */
		return err_set("the lr of the minimum, %g, divided by 10 is 0",
		    lr[i]);
	return 0;
}

/* balanced's rate: the geometric mean of steep's and the minimum's. */
static int
between(const double *lr, const double *loss, long n, long i, double *out)
{
	(void)i;
	*out = balanced_lr(lr, loss, n);
	return 0;
}

int
suggest_run(int method, const double *lr, const double *loss, long n,
    struct suggestion *s)
{
	const struct method *m;
	long i;

	if (method < 0 || method >= SUGGEST_NMETHODS)
		return err_set("no suggestion method %d", method);
	m = &methods[method];
	if ((i = m->pick(lr, loss, n)) < 0)
		return -1;
	s->method = method;
	s->index = i;
	s->lr = lr[i];
	s->loss = loss[i];
	if (m->rate != NULL) {
		if (m->rate(lr, loss, n, i, &s->lr) < 0)
			return -1;
		s->loss = suggest_at(lr, loss, n, s->lr);
	}
	return 0;
}
