/* Unit tests for the suggestion methods (lib/suggest.c). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

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
	is_int(suggest_run(SUGGEST_SLIDE, lr, loss, 40, &s), 0, "run slide");
	ok(s.index == 14 && s.lr == lr[14] && s.loss == 26, "slide: lr[14]");
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
	is_int(suggest_need(SUGGEST_SLIDE), 16, "slide needs 16");
	is_int(suggest_need(SUGGEST_STEEP), 2, "steep needs 2");
	ok(suggest_between(SUGGEST_MINIMUM) && suggest_between(SUGGEST_BALANCED)
	    && !suggest_between(SUGGEST_STEEP) &&
	    !suggest_between(SUGGEST_VALLEY) && !suggest_between(SUGGEST_SLIDE)
	    && !suggest_between(SUGGEST_ALL), "between: minimum and balanced");
	is_int(suggest_run(SUGGEST_ALL, lr5, loss5, 5, &s), -1, "run all: no");
	return done();
}
