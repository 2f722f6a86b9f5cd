/*
 * suggest.h - picking a learning rate from a range-test curve.
 *
 * Every method takes the curve as two arrays of n points, lr[] (positive,
 * non-decreasing) and loss[] (finite), and returns the 0-based index of
 * the point it picks, or -1 with a message set when it cannot pick one:
 * "3 points, need at least 16" or "the loss never decreases".  No method
 * makes a number up.  fastai's methods (steep to balanced) judge a smoothed
 * loss, the EMA of lrf-smooth(1); floor judges the raw loss, which it
 * smooths itself with the centred smoother (smooth_centred).
 */
#ifndef LRF_SUGGEST_H
#define LRF_SUGGEST_H

enum {
	SUGGEST_STEEP,		/* steepest descent in log lr */
	SUGGEST_MINIMUM,	/* the minimum, lr / 10 */
	SUGGEST_VALLEY,		/* fastai's default: the longest valley */
	SUGGEST_SLIDE,		/* fastai's interval slide rule */
	SUGGEST_BALANCED,	/* between steep and the minimum */
	SUGGEST_FLOOR,		/* lrf's default: the floor, noise-aware */
	SUGGEST_NMETHODS,
	SUGGEST_ALL = SUGGEST_NMETHODS	/* every method, for option parsing */
};

#define SUGGEST_DEFAULT	SUGGEST_FLOOR

#define SUGGEST_LR_DIFF	15	/* slide: points between the two bounds */
#define SUGGEST_THRESH	0.005	/* slide: gradient difference that stops */
/* fastai's default range test: 100 points over 8 decades, 99/8 a decade */
#define SUGGEST_FASTAI_DENSITY	12.375

/* floor's constants (lrf-suggest(1) says how they were chosen) */
#define SUGGEST_FALL	0.9	/* the fraction of the fall that is done */
#define SUGGEST_SHIFT	0.5	/* decades above lr90 for a clean curve */
#define SUGGEST_GAIN	8.5	/* decades down per unit of noise ratio */
/* confidence */
#define SUGGEST_FLATRATIO 0.25	/* noise ratio above it: fell within noise */
#define SUGGEST_DISAGREE 3.0	/* runs further apart than this: not sure */

/*
 * The names of the methods, SUGGEST_* order, then "all" (SUGGEST_ALL),
 * then NULL: the one list of them (lib/names.h joins it for messages).
 * A new method is an enum value, its name here and its row of the table
 * in suggest.c (a point and a rate, or a rule of its own).
 */
extern const char *const suggest_names[];

/* SUGGEST_* for a name ("all" is SUGGEST_ALL), or -1 (no message set). */
int suggest_lookup(const char *name);

/* The fewest points a method accepts: 2 (slide needs a span of decades:
 * see suggest_run). */
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
 * Needs at least lr_diff + 1 points; O(1) memory.  suggest_run measures
 * the window in decades: lr_diff and thresh are fastai's 15 points and
 * 0.005 at fastai's density (SUGGEST_FASTAI_DENSITY points a decade),
 * scaled to the curve's (suggest_slide_window).
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

/*
 * slide's window for a curve whose n points span lr[0] to lr[n-1]: with
 * dens = (n - 1) / log10(lr[n-1] / lr[0]) points a decade, lr_diff =
 * round(15 dens / SUGGEST_FASTAI_DENSITY) and thresh = 0.005
 * SUGGEST_FASTAI_DENSITY / dens, so that the window is 1.21 decades and
 * the threshold 0.062 a decade, whatever the number of points; fastai's 15
 * and 0.005 when the curve spans no decade.
 */
void suggest_slide_window(const double *lr, long n, long *lr_diff,
    double *thresh);

struct suggestion {
	int	 method;	/* SUGGEST_* */
	long	 index;		/* the point picked, 0-based */
	double	 lr;		/* the suggested learning rate */
	double	 loss;		/* the curve at lr */
};

/*
 * Run one of fastai's methods (not floor: suggest_floor) with its default
 * parameters and fill *s.  lr is lr[index] and loss loss[index], except
 * for minimum (lr[index] / 10) and balanced (the geometric mean), whose
 * loss is suggest_at(lr).  Returns 0, or -1 with the method's message set
 * (or, for minimum, "the lr of the minimum, 5e-324, divided by 10 is 0";
 * for slide, "the curve spans 0.5 decades, slide needs 1.21").
 */
int suggest_run(int method, const double *lr, const double *loss, long n,
    struct suggestion *s);

/*
 * What floor and the confidence see in a curve: its raw loss and the
 * centred smoothing of it, sm.  start = sm[0].  The curve's end is the
 * first point where sm, having fallen by more than twice the noise below
 * start, climbs back above start (climbed), or rises above 4 times its
 * smallest value so far when that is positive (rose); else n.  Before the
 * end: imin, the first smallest sm; low = sm[imin]; fall = start - low;
 * noise, the robust standard deviation (1.4826 times the median absolute
 * deviation) of loss - sm over points 0 to imin; ratio = noise / fall
 * (infinite without a fall); i90, the first point where sm <= start -
 * SUGGEST_FALL * fall.
 */
struct suggest_shape {
	long	 n;		/* points */
	long	 end;		/* points before the curve's end */
	long	 imin;		/* the smallest smoothed loss before end */
	long	 i90;		/* where SUGGEST_FALL of the fall is done */
	double	 start;		/* sm[0] */
	double	 low;		/* sm[imin] */
	double	 fall;		/* start - low */
	double	 noise;		/* robust sd of loss - sm, points 0..imin */
	double	 ratio;		/* noise / fall; inf without a fall */
	int	 climbed;	/* back above start after a fall */
	int	 rose;		/* above 4 times its minimum so far */
};

/*
 * Fill *sh from lr, loss and sm (n >= 1 each).  Returns 0, or -1 with
 * "no points" or "out of memory" set.
 */
int suggest_shape(struct suggest_shape *sh, const double *lr,
    const double *loss, const double *sm, long n);

/* floor's parameters; suggest_floor_defaults fills the defaults. */
struct suggest_floor {
	double	 window;	/* half-width of the smoother, decades */
	double	 fall;		/* SUGGEST_FALL */
	double	 shift;		/* SUGGEST_SHIFT */
	double	 gain;		/* SUGGEST_GAIN */
	double	 ratio;		/* the noise ratio to use; nan: the curve's */
};

void suggest_floor_defaults(struct suggest_floor *p);

/*
 * floor: smooth the raw loss with smooth_centred (p->window), take its
 * shape, and suggest
 *
 *	lr[i90] * 10^(shift - gain * ratio)
 *
 * (ratio being p->ratio unless it is nan), kept between lr[0] and the last
 * lr before the curve's end: for a clean curve a little above the point
 * where nine tenths of the fall is done, for a noisy one well below it.
 * s->index is the point nearest s->lr in log lr, s->loss the smoothed
 * loss at s->lr (suggest_at).  sm (n) receives the smoothed loss and sh
 * the shape (either may be NULL).  Returns 0, or -1 with "1 point, need at
 * least 2", "the loss never decreases", "the smoothed loss never falls
 * below its start" or the smoother's message set.
 */
int suggest_floor(const double *lr, const double *loss, long n,
    const struct suggest_floor *p, struct suggestion *s,
    struct suggest_shape *sh, double *sm);

/*
 * The doubts about a curve, a set of SUGGEST_NOT_* bits (0: none):
 * FLAT when it never fell beyond its noise (ratio > SUGGEST_FLATRATIO:
 * its fall is less than 4 times the noise of one step's loss); NODIV when
 * it never diverged (neither the stream, diverged, nor the smoothed loss,
 * climbed or rose).
 */
enum {
	SUGGEST_NOT_FLAT = 1,
	SUGGEST_NOT_NODIV = 2,
	SUGGEST_NOT_DISAGREE = 4,	/* runs' suggestions > 3x apart */
	SUGGEST_NOT_WARMUP = 8,		/* suggested from the EMA's warm-up */
	SUGGEST_NOT_ALL = 15
};

int suggest_doubts(const struct suggest_shape *sh, int diverged);

/* The name of one SUGGEST_NOT_* bit, for reasons=: "flat",
 * "no-divergence", "disagree", "warm-up"; NULL for anything else. */
const char *suggest_doubt_name(int bit);

/* What one SUGGEST_NOT_* bit means and what to try, in plain words (one
 * sentence, no final period); NULL for anything else. */
const char *suggest_advice(int bit);

/*
 * The SUGGEST_NOT_* bits of a list of names joined by commas, as in
 * "reasons=no-divergence,flat" ("" is 0), or -1 (no message set) when a
 * name is not one of suggest_doubt_name's.
 */
int suggest_doubt_lookup(const char *names);

/*
 * The spread of k suggestions (k >= 1, each positive): lo and hi, the
 * smallest and largest; mid, their geometric mean; ratio = hi / lo.
 * disagree = ratio > SUGGEST_DISAGREE.
 */
struct suggest_spread {
	double	 lo, mid, hi, ratio;
	int	 disagree;
};

void suggest_spread(struct suggest_spread *sp, const double *lr, long k);

/*
 * The mean of k runs, each lr[r] (n[r], positive, non-decreasing) and
 * y[r] (n[r], finite), on the grid of run 0: its learning rates that
 * every run reaches (from the largest first lr to the smallest last one).
 * Run r's value at a grid point is suggest_at(lr[r], y[r], n[r], x),
 * exact where the rates are equal, as they are for one schedule.  Writes
 * m points to glr (the grid), mean, sd (the sample standard deviation, 0
 * for one run), lo and hi (the smallest and largest of the runs); each
 * has room for n[0]; sd, lo and hi may be NULL.  Returns m (0 when the
 * runs share no rate), or -1 with "no runs" set.
 */
long suggest_mean(double *glr, double *mean, double *sd, double *lo,
    double *hi, const double *const *lr, const double *const *y,
    const long *n, int k);

/*
 * A whole curve judged as lrf-suggest(1) does it.  loss (n) is the raw
 * loss, sm (n) the smooth column of lrf-smooth(1) or NULL, sh the shape of
 * the whole curve (suggest_shape on loss and its centred smoothing).
 * floor judges loss with o->floor, skipping nothing by default.  fastai's
 * methods judge sm, or else the EMA (o->beta) of loss computed here, or
 * loss as is when beta is 0; by default they skip at the start num/10
 * points (o->num, or n when it is 0) but at least the EMA's warm-up
 * (smooth_warmup; at most a third of the points, and only when that leaves
 * 2), and at the end 5 points, or,
 * when the stream never
 * diverged (o->diverged 0) and the curve climbed or rose, every point from
 * the curve's end on if there are more.  o->skip0 and o->skip1, when not
 * negative, replace the defaults.  name is the loss column's name, for
 * the messages.  Fills *j; returns 0, or -1 with j->why set: "45 points
 * after skipping 10 and 5, need at least 2", "smooth never decreases over
 * the 45 points used", or the method's message (which it set with
 * err_set as well: a program that only wants j->why removes its hook).
 */
enum {
	SUGGEST_CURVE_SMOOTH,	/* the stream's smooth column */
	SUGGEST_CURVE_EMA,	/* the EMA of the loss, computed here */
	SUGGEST_CURVE_CENTRED,	/* the centred smoothing of the loss */
	SUGGEST_CURVE_RAW	/* the loss as it is */
};

/* "smooth", "ema", "centred", "raw". */
extern const char *const suggest_curve_names[];

struct suggest_opts {
	double	 beta;		/* EMA factor for fastai's methods */
	long	 skip0, skip1;	/* points to skip; -1: the defaults */
	long	 num;		/* planned points, 0 if unknown */
	int	 diverged;	/* a #@ stop line or a non-finite value */
	struct suggest_floor floor;
};

struct suggest_judged {
	struct suggestion s;	/* index counts from the first point */
	int	 curve;		/* SUGGEST_CURVE_* */
	long	 skip0, skip1;	/* points skipped */
	long	 m;		/* points used */
	int	 warmup;	/* suggested from the warm-up that the default
				   skip would leave out */
	char	 why[256];	/* "" or why there is no suggestion */
};

int suggest_judge(int method, const double *lr, const double *loss,
    const double *sm, long n, const struct suggest_shape *sh,
    const struct suggest_opts *o, const char *name,
    struct suggest_judged *j);

#endif
