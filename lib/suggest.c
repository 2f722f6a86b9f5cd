/* suggest.c - the suggestion methods of the range test. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "smooth.h"
#include "suggest.h"

const char *const suggest_names[] = {
	[SUGGEST_STEEP] = "steep",
	[SUGGEST_MINIMUM] = "minimum",
	[SUGGEST_VALLEY] = "valley",
	[SUGGEST_SLIDE] = "slide",
	[SUGGEST_BALANCED] = "balanced",
	[SUGGEST_FLOOR] = "floor",
	[SUGGEST_ALL] = "all",
	NULL
};

const char *const suggest_curve_names[] = {
	"smooth", "ema", "centred", "raw"
};

static long slide(const double *, const double *, long);
static int tenth(const double *, const double *, long, long, double *);
static int between(const double *, const double *, long, long, double *);
static int floor_rule(const double *, const double *, long,
    struct suggestion *);

/*
 * What each method does: pick a point of the curve, and, for the methods
 * whose learning rate is not the point's own, the rate (its loss is then
 * read off the curve there); or, for a rule of its own (floor), all of it.
 */
static const struct method {
	long	(*pick)(const double *lr, const double *loss, long n);
	int	(*rate)(const double *lr, const double *loss, long n, long i,
		    double *out);	/* NULL: lr[i] */
	int	(*rule)(const double *lr, const double *loss, long n,
		    struct suggestion *s);	/* NULL: pick and rate */
} methods[SUGGEST_NMETHODS] = {
	[SUGGEST_STEEP] = { suggest_steep, NULL, NULL },
	[SUGGEST_MINIMUM] = { suggest_minimum, tenth, NULL },
	[SUGGEST_VALLEY] = { suggest_valley, NULL, NULL },
	[SUGGEST_SLIDE] = { slide, NULL, NULL },
	[SUGGEST_BALANCED] = { suggest_balanced, between, NULL },
	[SUGGEST_FLOOR] = { NULL, NULL, floor_rule },
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
	(void)method;
	return 2;
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

void
suggest_slide_window(const double *lr, long n, long *lr_diff, double *thresh)
{
	double span, dens;

	span = n > 1 ? log10(lr[n - 1]) - log10(lr[0]) : 0;
	if (!(span > 0)) {
		*lr_diff = SUGGEST_LR_DIFF;
		*thresh = SUGGEST_THRESH;
		return;
	}
	dens = (double)(n - 1) / span;
	*lr_diff = lround(SUGGEST_LR_DIFF * dens / SUGGEST_FASTAI_DENSITY);
	*thresh = SUGGEST_THRESH * SUGGEST_FASTAI_DENSITY / dens;
}

/* slide with its window of fastai's span of decades. */
static long
slide(const double *lr, const double *loss, long n)
{
	double thresh;
	long lr_diff;

	suggest_slide_window(lr, n, &lr_diff, &thresh);
	if (n >= 2 && n < lr_diff + 1) {
		err_set("the curve spans %.3g decades, slide needs %.3g",
		    log10(lr[n - 1]) - log10(lr[0]),
		    SUGGEST_LR_DIFF / SUGGEST_FASTAI_DENSITY);
		return -1;
	}
	return suggest_slide(lr, loss, n, lr_diff, thresh);
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

/* floor with its default constants. */
static int
floor_rule(const double *lr, const double *loss, long n,
    struct suggestion *s)
{
	struct suggest_floor fp;

	suggest_floor_defaults(&fp);
	return suggest_floor(lr, loss, n, &fp, s, NULL, NULL);
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
	if (m->rule != NULL)
		return m->rule(lr, loss, n, s);
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

/* 1.4826 times the median absolute deviation of y (n >= 1); y is
 * reordered.  0 for one value. */
static int
cmpd(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double
median(double *y, long n)
{
	qsort(y, (size_t)n, sizeof(*y), cmpd);
	return n % 2 ? y[n / 2] : (y[n / 2 - 1] + y[n / 2]) / 2;
}

static double
mad(double *y, long n)
{
	double m;
	long i;

	m = median(y, n);
	for (i = 0; i < n; i++)
		y[i] = fabs(y[i] - m);
	return 1.4826 * median(y, n);
}

/* The first smallest of sm[0..n) and the noise of loss - sm up to it;
 * buf has room for n. */
static long
lowest(const double *loss, const double *sm, long n, double *buf,
    double *noise)
{
	long i, imin;

	imin = 0;
	for (i = 1; i < n; i++)
		if (sm[i] < sm[imin])
			imin = i;
	for (i = 0; i <= imin; i++)
		buf[i] = loss[i] - sm[i];
	*noise = mad(buf, imin + 1);
	return imin;
}

int
suggest_shape(struct suggest_shape *sh, const double *lr, const double *loss,
    const double *sm, long n)
{
	double *buf;		/* (n) residuals, sorted */
	double m, noise;
	long i;

	(void)lr;
	if (n < 1)
		return err_set("no points");
	if ((buf = malloc((size_t)n * sizeof(*buf))) == NULL)
		return err_set("out of memory");
	memset(sh, 0, sizeof(*sh));
	sh->n = n;
	sh->start = sm[0];
	/* the noise over the whole curve's fall judges the climb... */
	lowest(loss, sm, n, buf, &noise);
	sh->end = n;
	m = sm[0];
	for (i = 0; i < n; i++) {
		if (sm[i] < m)
			m = sm[i];
		if (m < sh->start - 2 * noise && sm[i] > sh->start) {
			sh->climbed = 1;
			break;
		}
		if (m > 0 && sm[i] > 4 * m) {
			sh->rose = 1;
			break;
		}
	}
	sh->end = i;
	if (sh->end == 0)	/* not possible: sm[0] > 4 sm[0] > 0 */
		sh->end = 1;
	/* ...then everything is measured before the end */
	sh->imin = lowest(loss, sm, sh->end, buf, &sh->noise);
	free(buf);
	sh->low = sm[sh->imin];
	sh->fall = sh->start - sh->low;
	sh->ratio = sh->fall > 0 ? sh->noise / sh->fall : INFINITY;
	for (i = 0; i < sh->imin; i++)
		if (sm[i] <= sh->start - SUGGEST_FALL * sh->fall)
			break;
	sh->i90 = i;
	return 0;
}

void
suggest_floor_defaults(struct suggest_floor *p)
{
	p->window = SMOOTH_WINDOW;
	p->fall = SUGGEST_FALL;
	p->shift = SUGGEST_SHIFT;
	p->gain = SUGGEST_GAIN;
	p->ratio = NAN;
}

int
suggest_floor(const double *lr, const double *loss, long n,
    const struct suggest_floor *p, struct suggestion *s,
    struct suggest_shape *shp, double *smp)
{
	struct suggest_shape sh;
	double *sm;		/* (n) the smoothed loss */
	double ratio, x, dist, best;
	long i, last;
	int r;

	if (n < 2)
		return err_set("%ld point%s, need at least 2", n,
		    n == 1 ? "" : "s");
	if (suggest_decreases(loss, n) < 0)
		return err_set("the loss never decreases");
	if ((sm = smp) == NULL &&
	    (sm = malloc((size_t)n * sizeof(*sm))) == NULL)
		return err_set("out of memory");
	r = -1;
	if (smooth_centred(sm, lr, loss, n, p->window) < 0 ||
	    suggest_shape(&sh, lr, loss, sm, n) < 0)
		goto out;
	if (shp != NULL)
		*shp = sh;
	if (!(sh.fall > 0)) {
		err_set("the smoothed loss never falls below its start");
		goto out;
	}
	/* i90 with this fall fraction (the shape's is SUGGEST_FALL) */
	for (i = 0; i < sh.imin; i++)
		if (sm[i] <= sh.start - p->fall * sh.fall)
			break;
	ratio = isnan(p->ratio) ? sh.ratio : p->ratio;
	x = log10(lr[i]) + p->shift - p->gain * ratio;
	last = sh.end - 1;
	if (!(x > log10(lr[0])))
		x = log10(lr[0]);
	if (x > log10(lr[last]))
		x = log10(lr[last]);
	s->method = SUGGEST_FLOOR;
	s->lr = pow(10, x);
	if (s->lr < lr[0])		/* pow(10, log10(a)) may miss a */
		s->lr = lr[0];
	if (s->lr > lr[last])
		s->lr = lr[last];
	s->index = 0;
	best = INFINITY;
	for (i = 0; i <= last; i++) {
		dist = fabs(log10(lr[i]) - x);
		if (dist < best) {
			best = dist;
			s->index = i;
		}
	}
	s->loss = suggest_at(lr, sm, sh.end, s->lr);
	r = 0;
out:
	if (smp == NULL)
		free(sm);
	return r;
}

int
suggest_doubts(const struct suggest_shape *sh, int diverged)
{
	int d;

	d = 0;
	if (!(sh->ratio <= SUGGEST_FLATRATIO))
		d |= SUGGEST_NOT_FLAT;
	if (!diverged && !sh->climbed && !sh->rose)
		d |= SUGGEST_NOT_NODIV;
	return d;
}

const char *
suggest_doubt_name(int bit)
{
	switch (bit) {
	case SUGGEST_NOT_FLAT:
		return "flat";
	case SUGGEST_NOT_NODIV:
		return "no-divergence";
	case SUGGEST_NOT_DISAGREE:
		return "disagree";
	case SUGGEST_NOT_WARMUP:
		return "warm-up";
	default:
		return NULL;
	}
}

const char *
suggest_advice(int bit)
{
	switch (bit) {
	case SUGGEST_NOT_FLAT:
		return "the loss never fell beyond its noise: train more "
		    "steps (num_iter), use a larger batch size, or widen the "
		    "range (a smaller start_lr, a larger end_lr)";
	case SUGGEST_NOT_NODIV:
		return "the loss never diverged, so the range may end before "
		    "the loss has found its floor: widen the range with a "
		    "larger end_lr (fastai's ends at 10)";
	case SUGGEST_NOT_DISAGREE:
		return "the suggestions of the seeds are more than 3 times "
		    "apart: train more steps (num_iter) or use a larger batch "
		    "size, and repeat the test with more seeds";
	case SUGGEST_NOT_WARMUP:
		return "the suggestion comes from the first steps of the "
		    "smoothed loss, its warm-up, where it still averages few "
		    "losses: train more steps (num_iter), or use the method "
		    "floor";
	default:
		return NULL;
	}
}

int
suggest_doubt_lookup(const char *names)
{
	const char *p, *e, *name;
	size_t len;
	int bits, b;

	bits = 0;
	for (p = names; *p != '\0'; p = *e == ',' ? e + 1 : e) {
		e = p + strcspn(p, ",");
		len = (size_t)(e - p);
		for (b = 1; b <= SUGGEST_NOT_ALL; b <<= 1) {
			name = suggest_doubt_name(b);
			if (strlen(name) == len && strncmp(name, p, len) == 0)
				break;
		}
		if (b > SUGGEST_NOT_ALL)
			return -1;
		bits |= b;
		if (*e == ',' && e[1] == '\0')
			return -1;
	}
	return bits;
}

void
suggest_spread(struct suggest_spread *sp, const double *lr, long k)
{
	double logsum;
	long i;

	sp->lo = sp->hi = lr[0];
	logsum = 0;
	for (i = 0; i < k; i++) {
		if (lr[i] < sp->lo)
			sp->lo = lr[i];
		if (lr[i] > sp->hi)
			sp->hi = lr[i];
		logsum += log(lr[i]);
	}
	sp->mid = exp(logsum / (double)k);
	if (sp->mid < sp->lo)		/* rounding */
		sp->mid = sp->lo;
	if (sp->mid > sp->hi)
		sp->mid = sp->hi;
	sp->ratio = sp->hi / sp->lo;
	sp->disagree = sp->ratio > SUGGEST_DISAGREE;
}

long
suggest_mean(double *glr, double *mean, double *sd, double *lo, double *hi,
    const double *const *lr, const double *const *y, const long *n, int k)
{
	double first, last, v, s, ss, vlo, vhi, x;
	long i, m;
	int r;

	if (k < 1)
		return err_set("no runs");
	first = -INFINITY;
	last = INFINITY;
	for (r = 0; r < k; r++) {
		if (n[r] < 1)
			return 0;
		if (lr[r][0] > first)
			first = lr[r][0];
		if (lr[r][n[r] - 1] < last)
			last = lr[r][n[r] - 1];
	}
	m = 0;
	for (i = 0; i < n[0]; i++) {
		x = lr[0][i];
		if (x < first || x > last)
			continue;
		s = ss = 0;
		vlo = INFINITY;
		vhi = -INFINITY;
		for (r = 0; r < k; r++) {
			v = r == 0 ? y[0][i] : suggest_at(lr[r], y[r], n[r], x);
			s += v;
			if (v < vlo)
				vlo = v;
			if (v > vhi)
				vhi = v;
		}
		s /= k;
		for (r = 0; r < k; r++) {
			v = r == 0 ? y[0][i] : suggest_at(lr[r], y[r], n[r], x);
			ss += (v - s) * (v - s);
		}
		glr[m] = x;
		mean[m] = s;
		if (sd != NULL)
			sd[m] = k > 1 ? sqrt(ss / (k - 1)) : 0;
		if (lo != NULL)
			lo[m] = vlo;
		if (hi != NULL)
			hi[m] = vhi;
		m++;
	}
	return m;
}

int
suggest_judge(int method, const double *lr, const double *loss,
    const double *sm, long n, const struct suggest_shape *sh,
    const struct suggest_opts *o, const char *name, struct suggest_judged *j)
{
	const double *y;
	double *ema;		/* (n) the EMA computed here, or NULL */
	char cname[128];
	long warm;
	int r;

	memset(j, 0, sizeof(*j));
	j->s.method = method;
	ema = NULL;
	warm = 0;		/* floor and a raw curve have none */
	if (method == SUGGEST_FLOOR) {
		y = loss;
		j->curve = o->floor.window > 0 ? SUGGEST_CURVE_CENTRED :
		    SUGGEST_CURVE_RAW;
		j->skip0 = o->skip0 >= 0 ? o->skip0 : 0;
		j->skip1 = o->skip1 >= 0 ? o->skip1 : 0;
		snprintf(cname, sizeof(cname), "%s", name);
	} else {
		if (sm != NULL) {
			y = sm;
			j->curve = SUGGEST_CURVE_SMOOTH;
			snprintf(cname, sizeof(cname), "smooth");
		} else if (o->beta > 0) {
			if ((ema = malloc((size_t)(n > 0 ? n : 1) *
			    sizeof(*ema))) == NULL) {
				snprintf(j->why, sizeof(j->why),
				    "out of memory");
				return -1;
			}
			smooth_ema(ema, loss, n, o->beta);
			y = ema;
			j->curve = SUGGEST_CURVE_EMA;
			snprintf(cname, sizeof(cname), "the EMA of %s", name);
		} else {
			y = loss;
			j->curve = SUGGEST_CURVE_RAW;
			snprintf(cname, sizeof(cname), "%s", name);
		}
		warm = j->curve == SUGGEST_CURVE_RAW ? 0 :
		    smooth_warmup(o->beta);
		j->skip1 = 5;
		if (!o->diverged && sh != NULL && sh->end < n &&
		    n - sh->end > j->skip1)
			j->skip1 = n - sh->end;
		j->skip0 = (o->num > 0 ? o->num : n) / 10;
		if (warm > n / 3)
			warm = n / 3;
		if (j->skip0 < warm && n - warm - j->skip1 >= 2)
			j->skip0 = warm;
		if (o->skip0 >= 0)
			j->skip0 = o->skip0;
		if (o->skip1 >= 0)
			j->skip1 = o->skip1;
	}
	r = -1;
	if (j->skip0 >= n || j->skip1 >= n - j->skip0)
		j->m = 0;
	else
		j->m = n - j->skip0 - j->skip1;
	if (j->m < suggest_need(method))
		snprintf(j->why, sizeof(j->why), "%ld point%s after skipping "
		    "%ld and %ld, need at least %ld", j->m, j->m == 1 ? "" : "s",
		    j->skip0, j->skip1, suggest_need(method));
	else if (suggest_decreases(y + j->skip0, j->m) < 0)
		snprintf(j->why, sizeof(j->why), "%s never decreases over the "
		    "%ld points used", cname, j->m);
	else {
		err_clear();
		if (method == SUGGEST_FLOOR)
			r = suggest_floor(lr + j->skip0, y + j->skip0, j->m,
			    &o->floor, &j->s, NULL, NULL);
		else if ((r = suggest_run(method, lr + j->skip0, y + j->skip0,
		    j->m, &j->s)) == 0 && suggest_between(method))
			/* a rate between points, maybe among the skipped
			 * ones: read the curve there, all of it */
			j->s.loss = suggest_at(lr, y, n, j->s.lr);
		if (r < 0)
			snprintf(j->why, sizeof(j->why), "%s", err_msg());
		else
			j->s.index += j->skip0;
		j->warmup = r == 0 && j->s.index < warm;
	}
	free(ema);
	return r;
}
