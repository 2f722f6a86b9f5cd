/* Unit tests for the suggestion methods (lib/suggest.c). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "rng.h"
#include "suggest.h"
#include "tap.h"

#define N(a)	((long)(sizeof(a) / sizeof((a)[0])))

/* The valley, literally: O(n^2) lds, no clamping. */
static long
valley_slow(const double *loss, long n)
{
	long *lds, i, j, maxend, maxstart;
	double d;

	lds = malloc((size_t)n * sizeof(*lds));
	maxend = 0;
	for (i = 0; i < n; i++) {
		lds[i] = 1;
		for (j = 0; j < i; j++)
			if (loss[i] < loss[j] && lds[j] + 1 > lds[i])
				lds[i] = lds[j] + 1;
		if (lds[i] > lds[maxend])
			maxend = i;
	}
	maxstart = maxend - lds[maxend];
	d = (double)(maxend - maxstart) / 3;
	free(lds);
	return maxstart + (long)floor(d) + (long)floor(d / 2);
}

int
main(void)
{
	/* one decade per point: ln lr[i+1] - ln lr[i] = ln 10 */
	static const double lr5[] = { 1e-4, 1e-3, 1e-2, 1e-1, 1 };
	static const double loss5[] = { 5, 4.5, 3, 2.5, 4 };
	static const double up[] = { 1, 2, 3, 4, 5 };
	static const double flat[] = { 2, 2, 2, 2, 2 };
	static const double idx10[] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 };
	struct suggestion s;
	struct rng g;
	double lr[40], loss[40], *rl, *rlr;
	long i, k, bad;

	/*
	 * steep: g = (-0.5, -1.5, -0.5, 1.5) / ln 10; the smallest is the
	 * pair (1, 2), so the left point 1, lr 1e-3.
	 */
	is_int(suggest_steep(lr5, loss5, 5), 1, "steep: pair 1-2 falls most");
	/* a tie, made exact: ln 1 - ln 0.5 = ln 2 - ln 1 = ln 2 */
	{
		static const double l[] = { 0.5, 1, 2 }, y[] = { 3, 2, 1 };

		is_int(suggest_steep(l, y, 3), 0, "steep: first of a tie");
	}
	/* the log matters: by index pair 0-1 falls most (2 vs 1), but
	 * per unit of ln lr pair 1-2 does (1/ln 2 vs 2/ln 100) */
	{
		static const double l[] = { 1, 100, 200 }, y[] = { 5, 3, 2 };

		is_int(suggest_steep(l, y, 3), 1, "steep: slope in log lr");
	}
	/* pairs whose lr does not increase are left out */
	{
		static const double l[] = { 1, 1, 10, 100 }, y[] = { 9, 1, 0.9, 0.5 };

		is_int(suggest_steep(l, y, 4), 2, "steep: zero-width pair skipped");
	}
	is_int(suggest_run(SUGGEST_STEEP, lr5, loss5, 5, &s), 0, "run steep");
	ok(s.index == 1 && s.lr == 1e-3 && s.loss == 4.5 &&
	    s.method == SUGGEST_STEEP, "steep: index 1, lr 1e-3, loss 4.5");

	/* minimum: index 3, lr 1e-1 / 10 */
	is_int(suggest_minimum(lr5, loss5, 5), 3, "minimum: index 3");
	is_int(suggest_run(SUGGEST_MINIMUM, lr5, loss5, 5, &s), 0, "run minimum");
	is_int(s.index, 3, "minimum: the point picked is the minimum");
	/*
	 * Tolerances, in double (u = 2^-53, log within 1 ulp): lr / 10
	 * is one division, within 3u 0.01 = 3.3e-18 of 0.01 (the want's
	 * rounding too).  The loss at that lr, next to the point 1e-2:
	 * the interpolation weight t carries the logs' ulps (~1e-15) over
	 * the span ln 10, times the loss step 1.5: ~1e-15; 1e-12 leaves
	 * room.
	 */
	is_double(s.lr, 1e-2, 1e-17, "minimum: lr = 0.1 / 10");
	is_double(s.loss, 3, 1e-12, "minimum: loss on the curve at 1e-2");
	{
		static const double y[] = { 3, 1, 2, 1, 4 };

		is_int(suggest_minimum(idx10, y, 5), 1, "minimum: first of a tie");
	}
	{
		/* found by fuzz_suggest: the smallest subnormal lr / 10 is 0,
		 * which is not a learning rate */
		static const double l[] = { 4.9406564584124654e-324, 1e-300,
		    1e-299 }, y[] = { 1, 3, 2 }, y2[] = { 2, 1 };

		err_clear();
		is_int(suggest_run(SUGGEST_MINIMUM, l, y, 3, &s), -1,
		    "minimum: lr / 10 underflowing to 0 is no suggestion");
		is_str(err_msg(), "the lr of the minimum, 4.94066e-324, "
		    "divided by 10 is 0", "minimum: underflow message");
		is_int(suggest_run(SUGGEST_MINIMUM, l, y2, 2, &s), 0,
		    "minimum: a tiny lr that does not underflow");
		/* one division in the normal range, and the want's rounding:
		 * 2u 1e-301 = 2e-317; 1e-315 leaves room */
		is_double(s.lr, 1e-301, 1e-315, "minimum: 1e-300 / 10");
	}

	/*
	 * valley on 5 4 6 3 2 7 1 8: lds = 1 2 1 3 4 1 5 1, max_end = 6,
	 * max_start = 6 - 5 = 1, d = 5/3, index 1 + 1 + floor(5/6) = 2.
	 */
	{
		static const double y[] = { 5, 4, 6, 3, 2, 7, 1, 8 };

		is_int(suggest_valley(idx10, y, 8), 2, "valley: 5 4 6 3 2 7 1 8");
	}
	/* 9 8 ... 1 5: lds 9 at index 8, max_start -1, d 3: -1 + 3 + 1 */
	{
		static const double y[] = { 9, 8, 7, 6, 5, 4, 3, 2, 1, 5 };

		is_int(suggest_valley(idx10, y, 10), 3, "valley: one long fall");
	}
	/* the longer of two valleys wins: lds ... 4 5 6 at 6 7 8, start 2 */
	{
		static const double y[] = { 3, 2, 1, 4, 3.5, 3.2, 3.1, 0.5, 0.4, 5 };

		is_int(suggest_valley(idx10, y, 10), 5, "valley: longer valley");
	}
	/* ties do not extend a valley: 3 2 2 1: lds 1 2 2 3 -> 0 + 1 + 0 */
	{
		static const double y[] = { 3, 2, 2, 1 };

		is_int(suggest_valley(idx10, y, 4), 1, "valley: ties");
	}
	/* the first of equal lds: 5 3 4 2 -> lds 1 2 2 3, end 3, start 0 */
	{
		static const double y[] = { 5, 3, 4, 2 };

		is_int(suggest_valley(idx10, y, 4), 1, "valley: 5 3 4 2");
	}
	/* a two-point valley from the first point: -1 is raised to 0 */
	{
		static const double y[] = { 3, 2, 5, 4 };

		is_int(valley_slow(y, 4), -1, "the formula gives -1 here");
		is_int(suggest_valley(idx10, y, 4), 0, "valley: clamped to 0");
		is_int(suggest_valley(idx10, y, 2), 0, "valley: two points");
	}
	/* the O(n log n) valley agrees with the literal O(n^2) formula */
	rng_seed(&g, 7);
	rl = malloc(300 * sizeof(*rl));
	rlr = malloc(300 * sizeof(*rlr));
	bad = 0;
	for (k = 0; k < 200; k++) {
		long n = 3 + (long)rng_below(&g, 297), want;

		for (i = 0; i < n; i++) {
			rlr[i] = i + 1;
			/* few distinct values, so ties are common */
			rl[i] = (double)rng_below(&g, 1 + k % 20);
		}
		if (suggest_decreases(rl, n) < 0)
			continue;
		want = valley_slow(rl, n);
		if (want < 0)
			want = 0;
		if (suggest_valley(rlr, rl, n) != want)
			bad++;
	}
	is_int(bad, 0, "valley matches the O(n^2) formula on 200 curves");
	free(rl);
	free(rlr);

	/*
	 * slide, lr_diff 2, on 10 8 5 4 3.8 6 12:
	 *   G = -2 -2.5 -2 -0.6 1 4.1 6
	 *   thresh 0.5: (r,l) = (6,4) 5, (5,3) 4.7, (4,2) 3, (3,1) 1.9,
	 *   (2,0) 0 stops: pick 1.  thresh 2: stops at (3,1): pick 2.
	 */
	{
		static const double y[] = { 10, 8, 5, 4, 3.8, 6, 12 };

		is_int(suggest_slide(idx10, y, 7, 2, 0.5), 1, "slide: thresh 0.5");
		is_int(suggest_slide(idx10, y, 7, 2, 2), 2, "slide: thresh 2");
		is_int(suggest_slide(idx10, y, 7, 2, 10), 4,
		    "slide: first pair already close: l = n-1-lr_diff");
		is_int(suggest_slide(idx10, y, 7, 2, -1), 0,
		    "slide: walks down to l = 0 and stops");
		is_int(suggest_slide(idx10, y, 2, 2, 0.5), -1, "slide: 2 < 3");
		is_str(err_msg(), "2 points, need at least 3", "slide message");
	}
	/*
	 * slide with its defaults on 40 points: slope -1 up to 29, +3 from
	 * there.  G = -1 at 0..28, 1 at 29, 3 at 30..39.  (r, l) from
	 * (39, 24) differ by 4 down to (30, 15), by 2 at (29, 14), and by 0
	 * at (28, 13): pick 14.
	 */
	for (i = 0; i < 40; i++) {
		lr[i] = 1e-6 * pow(10, i / 8.0);
		loss[i] = i < 30 ? 40 - i : 14 + 3 * (i - 30);
	}
	is_int(suggest_slide(lr, loss, 40, SUGGEST_LR_DIFF, SUGGEST_THRESH), 14,
	    "slide: 40-point curve");
	/*
	 * suggest_run measures slide's window in decades: 8 points a decade
	 * give lr_diff round(15 * 8 / 12.375) = 10 and thresh 0.005 * 12.375
	 * / 8 = 0.00773: (r, l) from (39, 29) differ by 2, then by 4 down to
	 * (30, 20), by 2 at (29, 19) and by 0 at (28, 18): pick 19.
	 */
	is_int(suggest_run(SUGGEST_SLIDE, lr, loss, 40, &s), 0, "run slide");
	ok(s.index == 19 && s.lr == lr[19] && s.loss == 21, "slide: lr[19]");
	{
		long d;
		double th;

		suggest_slide_window(lr, 40, &d, &th);
		is_int(d, 10, "slide window: 10 points at 8 a decade");
		is_double(th, 0.005 * 12.375 / 8, 1e-15,
		    "slide window: 0.00773 at 8 a decade");
	}
	is_int(suggest_slide(lr, loss, 15, SUGGEST_LR_DIFF, SUGGEST_THRESH), -1,
	    "slide: 15 points are too few");
	is_str(err_msg(), "15 points, need at least 16", "15 points message");
	is_int(suggest_slide(lr, loss, 16, SUGGEST_LR_DIFF, SUGGEST_THRESH), 0,
	    "slide: 16 points, falling all along: pick 0");
	is_int(suggest_slide(lr, loss, 5, -1, 0), -1, "slide: negative lr_diff");

	/*
	 * balanced: steep lr 1e-3 and minimum-loss lr 1e-1 meet at 1e-2,
	 * index 2, loss 3.
	 */
	is_int(suggest_balanced(lr5, loss5, 5), 2, "balanced: index 2");
	is_int(suggest_run(SUGGEST_BALANCED, lr5, loss5, 5, &s), 0, "run balanced");
	/* two sqrt (each u and half its input's u), a product, the
	 * want's rounding: 5u = 5.6e-16; the loss as at "minimum" */
	is_rel(s.lr, 1e-2, 1e-15, "balanced: lr sqrt(1e-3 * 1e-1)");
	is_int(s.index, 2, "balanced: index 2");
	is_double(s.loss, 3, 1e-12, "balanced: loss 3 at 1e-2");
	/* the geometric mean falls between points: nearest in log lr */
	{
		static const double l[] = { 1, 2, 3, 10, 20 }, y[] = { 5, 2, 1.9, 1.5, 9 };

		/* g = -3/ln 2, -0.1/ln 1.5, -0.4/ln(10/3), 7.5/ln 2: steep
		 * at 0 (lr 1), minimum at 3 (lr 10); sqrt 10 = 3.16 is
		 * nearest to 3, index 2 */
		is_int(suggest_steep(l, y, 5), 0, "balanced case: steep at 0");
		is_int(suggest_balanced(l, y, 5), 2, "balanced: nearest point");
		is_int(suggest_run(SUGGEST_BALANCED, l, y, 5, &s), 0, "run");
		/* sqrt(1) sqrt(10) is sqrt(10): the same double */
		is_rel(s.lr, sqrt(10), 1e-15, "balanced: lr sqrt(1 * 10)");
		/* between 3 and 10: t = ln(sqrt 10 / 3) / ln(10 / 3); the
		 * logs' ulps (4e-16 on a difference) over the span 1.2,
		 * times the loss step 0.4, on both sides: ~4e-16; 1e-12
		 * leaves room */
		is_double(s.loss, 1.9 - 0.4 * log(sqrt(10) / 3) / log(10.0 / 3),
		    1e-12, "balanced: loss interpolated in log lr");
	}
	/* the mean lands on a point */
	{
		static const double l[] = { 0.5, 1, 2 }, y[] = { 3, 1, 0.5 };

		/* steep at 0 (lr 0.5; -2/ln 2 < -0.5/ln 2), minimum at 2
		 * (lr 2): the mean 1 is a point */
		is_int(suggest_balanced(l, y, 3), 1, "balanced: mean on a point");
	}

	/* curves with no answer */
	for (k = 0; k < SUGGEST_NMETHODS; k++) {
		char name[64];

		snprintf(name, sizeof(name), "%s: increasing curve",
		    suggest_names[k]);
		err_clear();
		ok(suggest_run((int)k, idx10, up, 5, &s) == -1, name);
		snprintf(name, sizeof(name), "%s: flat curve", suggest_names[k]);
		ok(suggest_run((int)k, idx10, flat, 5, &s) == -1, name);
		snprintf(name, sizeof(name), "%s: one point", suggest_names[k]);
		ok(suggest_run((int)k, idx10, loss5, 1, &s) == -1, name);
		snprintf(name, sizeof(name), "%s: no points", suggest_names[k]);
		ok(suggest_run((int)k, idx10, loss5, 0, &s) == -1, name);
	}
	is_int(suggest_steep(idx10, up, 5), -1, "steep: increasing");
	is_str(err_msg(), "the loss never decreases", "never decreases message");
	is_int(suggest_valley(idx10, flat, 5), -1, "valley: flat");
	is_str(err_msg(), "the loss never decreases", "flat message");
	is_int(suggest_minimum(idx10, loss5, 1), -1, "minimum: one point");
	is_str(err_msg(), "1 point, need at least 2", "one point message");
	is_int(suggest_steep(idx10, loss5, 0), -1, "steep: no points");
	is_str(err_msg(), "0 points, need at least 2", "no points message");
	{
		static const double l[] = { 1, 1, 2 }, y[] = { 2, 1, 1 };

		is_int(suggest_steep(l, y, 3), -1, "steep: falls only at one lr");
		is_str(err_msg(), "the loss never decreases where the lr "
		    "increases", "message");
	}
	/* the smallest decreasing curve: two points */
	{
		static const double l[] = { 1e-3, 1e-2 }, y[] = { 2, 1 };

		ok(suggest_steep(l, y, 2) == 0 && suggest_minimum(l, y, 2) == 1 &&
		    suggest_valley(l, y, 2) == 0 &&
		    suggest_balanced(l, y, 2) == 0, "two points: 0 1 0 0");
	}

	/* the curve at a learning rate: 4 2 8 at 1 10 100 */
	{
		static const double l[] = { 1, 10, 100 }, y[] = { 4, 2, 8 };
		static const double l2[] = { 1, 10, 10, 100 },
		    y2[] = { 4, 2, 6, 8 };

		/*
		 * At a point or beyond the ends: a loss returned as it is
		 * (exact).  Halfway: t = ln(sqrt 10) / ln 10 is 0.5 within
		 * a few u, times a loss step <= 6, and 3 roundings of <= 8:
		 * ~4e-15; 1e-12 leaves room.
		 */
		is_double(suggest_at(l, y, 3, 1), 4, 0, "at: first point");
		is_double(suggest_at(l, y, 3, 10), 2, 0, "at: a point");
		is_double(suggest_at(l, y, 3, 100), 8, 0, "at: last point");
		is_double(suggest_at(l, y, 3, 0.5), 4, 0, "at: below, clamped");
		is_double(suggest_at(l, y, 3, 1e3), 8, 0, "at: above, clamped");
		is_double(suggest_at(l, y, 3, sqrt(10)), 3, 1e-12,
		    "at: halfway in log lr between 4 and 2");
		is_double(suggest_at(l, y, 3, sqrt(1000)), 5, 1e-12,
		    "at: halfway between 2 and 8");
		is_double(suggest_at(l2, y2, 4, 10), 2, 0,
		    "at: the first of equal lrs");
		is_double(suggest_at(l2, y2, 4, sqrt(1000)), 7, 1e-12,
		    "at: after equal lrs, from the last of them");
		is_double(suggest_at(l, y, 1, 5), 4, 0, "at: one point");
	}
	{
		/* found by fuzz_suggest: two lrs so close that their logs
		 * are equal (0/0), and finite losses whose difference
		 * overflows (0 * inf) gave a NaN loss */
		double l[] = { 5.0497568334996444e-195,
		    5.0497568334997517e-195 }, y[] = { 1, 3 };
		double l2[] = { 1, 10 }, y2[] = { 1.7e308, -1.7e308 };
		double x;

		x = suggest_at(l, y, 2, sqrt(l[0]) * sqrt(l[1]));
		ok(x >= 1 && x <= 3, "at: between lrs whose logs are equal");
		/* t = ln(1 + 2u) / ln 10 ~ 1e-16 moves the weighted sum
		 * by 2t of 1.7e308, plus 3 roundings: ~6e-16 of it; t =
		 * 0.5 within a few u leaves |1 - 2t| 1.7e308 ~ 1e-15 of
		 * it; 1e-12 leaves room */
		x = suggest_at(l2, y2, 2, nextafter(1, 2));
		is_rel(x, 1.7e308, 1e-12, "at: next to a huge loss, no "
		    "overflow");
		x = suggest_at(l2, y2, 2, sqrt(10));
		is_double(x, 0, 1e-12 * 1.7e308, "at: halfway between "
		    "huge losses");
	}

	/* helpers */
	is_int(suggest_decreases(up, 5), -1, "increasing: no decrease");
	is_int(suggest_decreases(flat, 5), -1, "flat: no decrease");
	is_int(suggest_decreases(loss5, 5), 0, "first decrease at 0");
	is_int(suggest_decreases(loss5, 1), -1, "one point: no decrease");
	is_int(suggest_lookup("valley"), SUGGEST_VALLEY, "lookup valley");
	is_int(suggest_lookup("all"), SUGGEST_ALL, "lookup all");
	is_int(suggest_lookup("Steep"), -1, "lookup is case-sensitive");
	is_int(suggest_need(SUGGEST_SLIDE), 2, "slide needs 2 points (and "
	    "1.21 decades)");
	is_int(suggest_need(SUGGEST_STEEP), 2, "steep needs 2");
	ok(suggest_between(SUGGEST_MINIMUM) && suggest_between(SUGGEST_BALANCED)
	    && !suggest_between(SUGGEST_STEEP) &&
	    !suggest_between(SUGGEST_VALLEY) && !suggest_between(SUGGEST_SLIDE)
	    && !suggest_between(SUGGEST_ALL), "between: minimum and balanced");
	is_int(suggest_run(SUGGEST_ALL, lr5, loss5, 5, &s), -1, "run all: no");
	is_int(suggest_lookup("floor"), SUGGEST_FLOOR, "lookup floor");
	is_int(SUGGEST_DEFAULT, SUGGEST_FLOOR, "floor is the default");

	/* slide's window at fastai's density is fastai's 15 and 0.005; at
	 * lrf's (100 points over 7 decades) 17 and 0.004375 */
	{
		double l[100], th;
		long d;

		for (i = 0; i < 100; i++)
			l[i] = 1e-7 * pow(10, 8.0 * i / 99);
		suggest_slide_window(l, 100, &d, &th);
		ok(d == 15 && fabs(th - 0.005) < 1e-15,
		    "slide window: fastai's range, 15 and 0.005");
		for (i = 0; i < 100; i++)
			l[i] = 1e-7 * pow(10, 7.0 * i / 99);
		suggest_slide_window(l, 100, &d, &th);
		ok(d == 17 && fabs(th - 0.004375) < 1e-15,
		    "slide window: lrf's range, 17 and 0.004375");
		suggest_slide_window(l, 1, &d, &th);
		ok(d == 15 && th == 0.005, "slide window: no span, fastai's");
		/* five points a decade apart: window 1, spans 4 decades */
		is_int(suggest_run(SUGGEST_SLIDE, lr5, loss5, 5, &s), 0,
		    "slide on five points a decade apart");
		is_int(s.index, 2, "slide on five points: index 2");
		err_clear();
		is_int(suggest_run(SUGGEST_SLIDE, l, loss, 10, &s), -1,
		    "slide: 10 points over 0.64 decades are too few");
		is_str(err_msg(), "the curve spans 0.636 decades, slide needs "
		    "1.21", "slide: span message");
	}

	/*
	 * floor by hand, window 0 (no smoothing) on 5 4.5 3 2.5 4 one
	 * decade apart: start 5, no climb (4 < 5) and no rise (4 < 4 *
	 * 2.5): the end is 5; low 2.5 at 3, fall 2.5, noise 0, ratio 0;
	 * 90% of the fall is 5 - 2.25 = 2.75, first reached at 3 (0.1).
	 * 0.1 * 10^(0.5 - 8.5 * 0) = 0.316: nearest points 0.1 and 1 are
	 * equally far (the first wins), and the curve there is 3.25,
	 * halfway from 2.5 to 4 in log lr.
	 */
	{
		struct suggest_floor p;
		struct suggest_shape sh;
		double sm[5];

		suggest_floor_defaults(&p);
		ok(p.window == 0.5 && p.fall == 0.9 && p.shift == 0.5 &&
		    p.gain == 8.5 && isnan(p.ratio), "floor: the defaults");
		p.window = 0;
		is_int(suggest_floor(lr5, loss5, 5, &p, &s, &sh, sm), 0,
		    "floor: five points");
		ok(sh.end == 5 && sh.imin == 3 && sh.i90 == 3 &&
		    sh.start == 5 && sh.low == 2.5 && sh.fall == 2.5 &&
		    sh.noise == 0 && sh.ratio == 0 && !sh.climbed && !sh.rose,
		    "floor: the shape of five points");
		is_double(s.lr, sqrt(0.1), 1e-15, "floor: 10^-0.5");
		is_int(s.index, 3, "floor: nearest point, the first of two");
		is_double(s.loss, 3.25, 1e-12, "floor: 3.25 on the curve");
		is_int(s.method, SUGGEST_FLOOR, "floor: method");
		ok(sm[2] == 3, "floor: window 0 smooths nothing");
		/* shift 0, gain 0: lr90 itself; a noise ratio given: 0.1 *
		 * 10^(0.5 - 8.5 * 0.1) = 0.1 * 10^-0.35 */
		p.shift = 0;
		p.gain = 0;
		suggest_floor(lr5, loss5, 5, &p, &s, NULL, NULL);
		is_double(s.lr, 0.1, 1e-16, "floor: shift 0, gain 0: lr90");
		p.shift = 0.5;
		p.gain = 8.5;
		p.ratio = 0.1;
		suggest_floor(lr5, loss5, 5, &p, &s, NULL, NULL);
		is_double(s.lr, 0.1 * pow(10, -0.35), 1e-15,
		    "floor: the ratio given, 10^-0.35 below lr90");
		/* a ratio so large the rate would fall below the range: the
		 * first lr; so small it would pass the end: the last */
		p.ratio = 1;
		suggest_floor(lr5, loss5, 5, &p, &s, NULL, NULL);
		ok(s.lr == 1e-4 && s.index == 0, "floor: kept at the first lr");
		p.ratio = -1;
		suggest_floor(lr5, loss5, 5, &p, &s, NULL, NULL);
		ok(s.lr == 1 && s.index == 4, "floor: kept at the last lr");
		p.ratio = NAN;
		err_clear();
		is_int(suggest_floor(lr5, up, 5, &p, &s, NULL, NULL), -1,
		    "floor: rising");
		is_str(err_msg(), "the loss never decreases", "floor: message");
		is_int(suggest_floor(lr5, loss5, 1, &p, &s, NULL, NULL), -1,
		    "floor: one point");
		is_str(err_msg(), "1 point, need at least 2", "floor: 1 point");
		/* it falls, then climbs back above its start: the smoothed
		 * loss never falls below its start at all when the first
		 * point is the lowest */
		{
			static const double y[] = { 1, 3, 2, 5, 6 };

			is_int(suggest_floor(lr5, y, 5, &p, &s, NULL, NULL),
			    -1, "floor: never below its start");
			is_str(err_msg(), "the smoothed loss never falls below "
			    "its start", "floor: start message");
		}
		is_int(suggest_run(SUGGEST_FLOOR, lr5, loss5, 5, &s), 0,
		    "run floor: the defaults");
		/* window 0.5 < a decade: every window holds one point */
		is_double(s.lr, sqrt(0.1), 1e-15, "run floor: 10^-0.5");
	}

	/*
	 * The shape.  Climbed: 5 4 2 1 3 6 0.5 (noise 0): at 6 > 5 after
	 * falling to 1 the curve ends (point 5): the dip to 0.5 after it is
	 * no candidate; low 1 at 3; 90% of the fall, 5 - 3.6 = 1.4, at 3.
	 * Rose: 2 1 0.2 0.9 3: 0.9 > 4 * 0.2 ends it at 3, before it
	 * climbs above 2.  Noise: residuals 0.1 -0.1 0.1 -0.1 up to the
	 * lowest point: median 0, deviations 0.1: noise 0.14826.
	 */
	{
		static const double c1[] = { 5, 4, 2, 1, 3, 6, 0.5 };
		static const double c2[] = { 2, 1, 0.2, 0.9, 3 };
		static const double c3[] = { 3, 2.5, 2, 1, 2 };
		static const double r3[] = { 3.1, 2.4, 2.1, 0.9, 2 };
		struct suggest_shape sh;

		is_int(suggest_shape(&sh, lr5, c1, c1, 7), 0, "shape: climbed");
		ok(sh.climbed && !sh.rose && sh.end == 5 && sh.imin == 3 &&
		    sh.low == 1 && sh.fall == 4 && sh.i90 == 3,
		    "shape: ends where it climbs back above its start");
		is_int(suggest_doubts(&sh, 0), 0, "doubts: climbed is diverged");
		suggest_shape(&sh, lr5, c2, c2, 5);
		ok(sh.rose && !sh.climbed && sh.end == 3 && sh.imin == 2,
		    "shape: ends where it rises above 4 times its low");
		suggest_shape(&sh, lr5, r3, c3, 5);
		is_double(sh.noise, 0.14826, 1e-12, "shape: noise 1.4826 MAD");
		is_double(sh.ratio, 0.14826 / 2, 1e-12, "shape: ratio");
		ok(!sh.climbed && !sh.rose && sh.end == 5, "shape: no end");
		is_int(suggest_doubts(&sh, 0), SUGGEST_NOT_NODIV,
		    "doubts: never diverged");
		is_int(suggest_doubts(&sh, 1), 0,
		    "doubts: the stream diverged");
		sh.ratio = 0.26;
		is_int(suggest_doubts(&sh, 1), SUGGEST_NOT_FLAT,
		    "doubts: ratio 0.26 is within the noise");
		sh.ratio = INFINITY;
		is_int(suggest_doubts(&sh, 1), SUGGEST_NOT_FLAT,
		    "doubts: no fall at all");
		sh.ratio = 0.25;
		is_int(suggest_doubts(&sh, 1), 0, "doubts: ratio 0.25 is not");
		err_clear();
		is_int(suggest_shape(&sh, lr5, c1, c1, 0), -1, "shape: none");
		is_str(err_msg(), "no points", "shape: message");
	}
	is_str(suggest_doubt_name(SUGGEST_NOT_FLAT), "flat", "name flat");
	is_str(suggest_doubt_name(SUGGEST_NOT_NODIV), "no-divergence",
	    "name no-divergence");
	is_str(suggest_doubt_name(SUGGEST_NOT_DISAGREE), "disagree",
	    "name disagree");
	is_str(suggest_doubt_name(SUGGEST_NOT_WARMUP), "warm-up",
	    "name warm-up");
	ok(suggest_doubt_name(3) == NULL && suggest_advice(3) == NULL,
	    "no name for two bits");
	ok(strstr(suggest_advice(SUGGEST_NOT_NODIV), "end_lr") != NULL,
	    "advice: a larger end_lr");
	is_int(suggest_doubt_lookup("no-divergence,flat"),
	    SUGGEST_NOT_NODIV | SUGGEST_NOT_FLAT, "lookup: two names");
	is_int(suggest_doubt_lookup("disagree"), SUGGEST_NOT_DISAGREE,
	    "lookup: disagree");
	is_int(suggest_doubt_lookup("warm-up,disagree,flat,no-divergence"),
	    SUGGEST_NOT_ALL, "lookup: all four");
	is_int(suggest_doubt_lookup(""), 0, "lookup: none");
	is_int(suggest_doubt_lookup("flat,"), -1, "lookup: a trailing comma");
	is_int(suggest_doubt_lookup("fla"), -1, "lookup: a prefix");
	is_int(suggest_doubt_lookup("flat,noise"), -1, "lookup: unknown");
	ok(strstr(suggest_advice(SUGGEST_NOT_FLAT), "batch size") != NULL,
	    "advice: a larger batch");

	/* the spread: 1e-3 4e-3 2e-3, geometric mean 2e-3, 4 apart */
	{
		static const double a[] = { 1e-3, 4e-3, 2e-3 };
		static const double b[] = { 1e-3, 2e-3, 3e-3 };
		struct suggest_spread sp;

		suggest_spread(&sp, a, 3);
		ok(sp.lo == 1e-3 && sp.hi == 4e-3 && sp.disagree,
		    "spread: 1e-3 to 4e-3 disagree");
		is_double(sp.mid, 2e-3, 1e-15, "spread: geometric mean");
		is_double(sp.ratio, 4, 1e-12, "spread: ratio 4");
		suggest_spread(&sp, b, 3);
		ok(!sp.disagree && fabs(sp.ratio - 3) < 1e-12,
		    "spread: 3 apart is not more than 3");
		suggest_spread(&sp, b, 1);
		ok(sp.lo == 1e-3 && sp.mid == 1e-3 && sp.ratio == 1,
		    "spread: one run");
	}

	/*
	 * The mean of runs: run 0 at 1 10 100 1000 (4 2 8 6), run 1 at 10
	 * 100 1000 10000 (1 3 5 7), run 2 at 1 100 10000 (0 2 4): every
	 * run reaches 10 to 1000; run 2 at 10 is 1, at 1000 is 3 (halfway
	 * in log lr).  Means (2+1+1)/3, (8+3+2)/3, (6+5+3)/3.
	 */
	{
		static const double l0[] = { 1, 10, 100, 1000 },
		    y0[] = { 4, 2, 8, 6 }, l1[] = { 10, 100, 1000, 10000 },
		    y1[] = { 1, 3, 5, 7 }, l2[] = { 1, 100, 10000 },
		    y2[] = { 0, 2, 4 };
		const double *ls[] = { l0, l1, l2 }, *ys[] = { y0, y1, y2 };
		static const long ns[] = { 4, 4, 3 };
		double g[4], m[4], sd[4], lo[4], hi[4];

		is_int(suggest_mean(g, m, sd, lo, hi, ls, ys, ns, 3), 3,
		    "mean: 3 common points");
		ok(g[0] == 10 && g[1] == 100 && g[2] == 1000, "mean: the grid");
		is_double(m[0], 4.0 / 3, 1e-15, "mean: at 10");
		is_double(m[1], 13.0 / 3, 1e-15, "mean: at 100");
		is_double(m[2], 14.0 / 3, 1e-12, "mean: at 1000, interpolated");
		ok(lo[1] == 2 && hi[1] == 8 && lo[2] == 3 && hi[2] == 6,
		    "mean: the band's ends");
		/* sd at 100 of 8 3 2: mean 13/3, squares 121/9 16/9 49/9,
		 * sum 186/9, / 2 = 31/3 */
		is_double(sd[1], sqrt(31.0 / 3), 1e-12, "mean: sd at 100");
		is_int(suggest_mean(g, m, NULL, NULL, NULL, ls, ys, ns, 1), 4,
		    "mean: one run is itself");
		ok(m[3] == 6, "mean: one run's values");
		is_int(suggest_mean(g, m, sd, NULL, NULL, ls, ys, ns, 1), 4,
		    "mean: sd of one run");
		ok(sd[0] == 0, "mean: sd of one run is 0");
		err_clear();
		is_int(suggest_mean(g, m, NULL, NULL, NULL, ls, ys, ns, 0), -1,
		    "mean: no runs");
		is_str(err_msg(), "no runs", "mean: message");
	}

	/*
	 * suggest_judge: the skips of fastai's methods.  100 points falling
	 * from 3 to 1, planned num 100, EMA 0.98: skip max(10, 34) at the
	 * start, but no more than a third of the points, 33, and 5 at the
	 * end of a diverged stream; a stream that never
	 * diverged and whose curve ended at 80 leaves out the 20 after it.
	 */
	{
		struct suggest_opts o;
		struct suggest_judged j;
		struct suggest_shape sh;
		double l[100], y[100];

		for (i = 0; i < 100; i++) {
			l[i] = 1e-7 * pow(10, 7.0 * i / 99);
			y[i] = 2 - tanh((i - 60) / 10.0);
		}
		memset(&o, 0, sizeof(o));
		suggest_floor_defaults(&o.floor);
		o.beta = 0.98;
		o.skip0 = o.skip1 = -1;
		o.num = 100;
		o.diverged = 1;
		memset(&sh, 0, sizeof(sh));
		sh.end = 80;
		is_int(suggest_judge(SUGGEST_STEEP, l, y, NULL, 100, &sh, &o,
		    "loss", &j), 0, "judge: steep");
		ok(j.skip0 == 33 && j.skip1 == 5 && j.m == 62 &&
		    j.curve == SUGGEST_CURVE_EMA && !j.warmup,
		    "judge: skip the warm-up, 5 at the end, on the EMA");
		o.diverged = 0;
		suggest_judge(SUGGEST_STEEP, l, y, NULL, 100, &sh, &o, "loss",
		    &j);
		is_int(j.skip1, 20, "judge: never diverged: the tail");
		o.beta = 0;
		suggest_judge(SUGGEST_STEEP, l, y, NULL, 100, &sh, &o, "loss",
		    &j);
		ok(j.skip0 == 10 && j.curve == SUGGEST_CURVE_RAW,
		    "judge: beta 0, the loss as is, no warm-up");
		o.beta = 0.98;
		o.skip0 = 3;
		o.skip1 = 0;
		suggest_judge(SUGGEST_STEEP, l, y, y, 100, &sh, &o, "loss", &j);
		ok(j.skip0 == 3 && j.skip1 == 0 &&
		    j.curve == SUGGEST_CURVE_SMOOTH, "judge: skips given");
		o.skip0 = o.skip1 = -1;
		suggest_judge(SUGGEST_FLOOR, l, y, y, 100, &sh, &o, "loss", &j);
		ok(j.skip0 == 0 && j.skip1 == 0 &&
		    j.curve == SUGGEST_CURVE_CENTRED && j.why[0] == '\0',
		    "judge: floor skips nothing, smooths the loss");
		/* 30 points: a third of them is skipped, not the whole
		 * warm-up; with fastai's skip of 3 instead, a suggestion
		 * from those 10 says so (100/(i+1) falls most at first) */
		o.num = 30;
		o.diverged = 1;
		suggest_judge(SUGGEST_STEEP, l, y, NULL, 30, &sh, &o, "loss",
		    &j);
		ok(j.skip0 == 10 && !j.warmup, "judge: 30 points, a third "
		    "skipped");
		for (i = 0; i < 30; i++)
			y[i] = 100.0 / (i + 1);
		o.skip0 = 3;
		suggest_judge(SUGGEST_STEEP, l, y, NULL, 30, &sh, &o, "loss",
		    &j);
		ok(j.s.index == 3 && j.warmup, "judge: 3 skipped, suggested "
		    "from the warm-up");
		o.skip0 = -1;
		o.skip0 = o.skip1 = 0;
		is_int(suggest_judge(SUGGEST_STEEP, l, up, NULL, 5, &sh, &o,
		    "loss", &j), -1, "judge: rising");
		is_str(j.why, "the EMA of loss never decreases over the 5 "
		    "points used", "judge: rising, named");
		o.skip0 = o.skip1 = -1;
		o.num = 100;
		is_int(suggest_judge(SUGGEST_STEEP, l, y, NULL, 14, &sh, &o,
		    "loss", &j), -1, "judge: too few");
		is_str(j.why, "0 points after skipping 10 and 5, need at "
		    "least 2", "judge: too few, counted");
	}
	return done();
}
