/*
 * suggest.h - picking a learning rate from a range-test curve.
 *
 * Every method takes the curve as two arrays of n points, lr[] (positive,
 * non-decreasing) and loss[] (finite; the smoothed loss as a rule), and
 * returns the 0-based index of the point it picks, or -1 with a message
 * set when it cannot pick one: "3 points, need at least 16" or "the loss
 * never decreases".  No method makes a number up.
 */
#ifndef LRF_SUGGEST_H
#define LRF_SUGGEST_H

enum {
	SUGGEST_STEEP,		/* steepest descent in log lr */
	SUGGEST_MINIMUM,	/* the minimum, lr / 10 */
	SUGGEST_VALLEY,		/* fastai's default: the longest valley */
	SUGGEST_SLIDE,		/* fastai's interval slide rule */
	SUGGEST_BALANCED,	/* between steep and the minimum */
	SUGGEST_NMETHODS,
	SUGGEST_ALL = SUGGEST_NMETHODS	/* every method, for option parsing */
};

#define SUGGEST_LR_DIFF	15	/* slide: points between the two bounds */
#define SUGGEST_THRESH	0.005	/* slide: gradient difference that stops */

/*
 * The names of the methods, SUGGEST_* order, then "all" (SUGGEST_ALL),
 * then NULL: the one list of them (lib/names.h joins it for messages).
 * A new method is an enum value, its name here and its row of the table
 * in suggest.c.
 */
extern const char *const suggest_names[];

/* SUGGEST_* for a name ("all" is SUGGEST_ALL), or -1 (no message set). */
int suggest_lookup(const char *name);

/* The fewest points a method accepts: 2, or SUGGEST_LR_DIFF + 1 for slide. */
long suggest_need(int method);

/*
 * 1 if the method's learning rate may lie between the points of the
 * curve (minimum: lr / 10; balanced: a geometric mean), so that its loss
 * is read off the curve there; 0 if it is a point's own (steep, valley,
 * slide).
 */
int suggest_between(int method);

/* The first i with loss[i+1] < loss[i], or -1 if the curve never
 * decreases (ties are not a decrease).  Never sets a message. */
long suggest_decreases(const double *loss, long n);

/*
 * steep: g_i = (loss[i+1] - loss[i]) / (ln lr[i+1] - ln lr[i]) over the
 * pairs whose lr increases; the left point of the pair with the smallest
 * g (the first such pair on ties).
 */
long suggest_steep(const double *lr, const double *loss, long n);

/* minimum: the first index of the smallest loss.  The suggestion is its
 * lr divided by 10. */
long suggest_minimum(const double *lr, const double *loss, long n);

/*
 * valley: lds_i = the length of the longest strictly decreasing
 * subsequence ending at i; max_end = the first index of the largest lds,
 * max_start = max_end - lds[max_end], d = (max_end - max_start) / 3; the
 * index max_start + floor(d) + floor(d/2), raised to 0 when a two-point
 * valley starts at the first point (fastai would wrap to the last one).
 * O(n log n) time, O(n) memory; -1 with "out of memory" if that fails.
 */
long suggest_valley(const double *lr, const double *loss, long n);

/*
 * slide: G = the gradient of loss by index (central differences inside,
 * one-sided at the ends, as numpy.gradient); r = n-1, l = r - lr_diff,
 * pick l; while l >= 0 and |G[r] - G[l]| > thresh: pick l, r--, l--.
 * Needs at least lr_diff + 1 points; O(1) memory.
 */
long suggest_slide(const double *lr, const double *loss, long n,
    long lr_diff, double thresh);

/*
 * balanced: the geometric mean of steep's lr and the lr of the minimum
 * loss (suggest_lr gives it); the index returned is the point whose lr is
 * nearest to it in log space (the first on ties).
 */
long suggest_balanced(const double *lr, const double *loss, long n);

/*
 * The curve's value at learning rate x: loss[i] where lr[i] == x (the
 * first such i), else linear in ln lr between the two points around x;
 * loss[0] below lr[0] and loss[n-1] above lr[n-1].  n must be > 0.
 */
double suggest_at(const double *lr, const double *loss, long n, double x);

struct suggestion {
	int	 method;	/* SUGGEST_* */
	long	 index;		/* the point picked, 0-based */
	double	 lr;		/* the suggested learning rate */
	double	 loss;		/* the curve at lr */
};

/*
 * Run one method with its default parameters and fill *s.  lr is
 * lr[index] and loss loss[index], except for minimum (lr[index] / 10) and
 * balanced (the geometric mean), whose loss is suggest_at(lr).
 * Returns 0, or -1 with the method's message set (or, for minimum, "the
 * lr of the minimum, 5e-324, divided by 10 is 0").
 */
int suggest_run(int method, const double *lr, const double *loss, long n,
    struct suggestion *s);

#endif
