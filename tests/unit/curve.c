/*
 * Unit tests for tests/curve.h: where two loss curves stop being
 * comparable, on curves built by hand with known differences.
 */
#include <math.h>
#include <stdio.h>

#include "curve.h"
#include "tap.h"

enum { N = 12 };

/*
 * b = a (1 + d): a falls from 2.3 by 10% a step, b differs by the given
 * relative amounts (curve_rel relative to the larger, which is b for
 * d >= 0: |a - b| / b = d / (1 + d), ~d for the small d used here).
 */
static long
cut(const double *d, double rise, double floor, int *why)
{
	double a[N], b[N];
	int i;

	for (i = 0; i < N; i++) {
		a[i] = 2.3 * pow(0.9, i);
		b[i] = a[i] * (1 + d[i]);
	}
	return curve_cut(a, b, N, 4, rise, floor, why);
}

int
main(void)
{
	static const double same[N], noise[N] = { 1e-7, 3e-8, 9e-7, 2e-7,
	    8e-7, 1e-8, 9.9e-7, 5e-8, 6e-7, 2e-7, 9e-7, 1e-7 },
	    walk[N] = { 1e-6, 2e-6, 3e-6, 4e-6, 5e-6, 6e-6, 7e-6, 8e-6, 9e-6,
	    1e-5, 1.1e-5, 1.2e-5 },
	    jump[N] = { 1e-7, 2e-7, 1e-8, 5e-7, 1e-8, 1e-8, 9e-4, 2e-3, 1e-2,
	    1e-1, 1e-1, 1e-1 },
	    geom[N] = { 2e-7, 1e-7, 1e-6, 2.5e-6, 6e-6, 1.5e-5, 4e-5, 1e-4,
	    3e-4, 1e-3, 1e-2, 1e-1 };
	double a[N], b[N];
	int why, i;

	plan(16);
	is_int(cut(same, -1, 1e-6, &why), N, "identical curves: all steps");
	is_int(why, CURVE_END, "identical curves: to the end");
	is_int(cut(noise, -1, 1e-6, &why), N, "differences below the floor "
	    "that jump about: all steps (noise is not growth)");
	is_int(cut(walk, -1, 1e-6, &why), N, "a difference that grows "
	    "linearly, 12 times in 11 steps: all steps (a random walk's "
	    "pace)");
	/* 1e-8 -> 9e-4 at step 6: 900 times the floor in one step */
	is_int(cut(jump, -1, 1e-6, &why), 6, "a jump from the rounding "
	    "level: cut at the jump");
	is_int(why, CURVE_AMPLIFIED, "a jump: amplified");
	/*
	 * 1e-6 at step 2, 1.5e-5 at step 5: 15 times in 3 steps; the cut is
	 * the first step above step 2's 1e-6, step 3.
	 */
	is_int(cut(geom, -1, 1e-6, &why), 3, "2.5 times a step from 1e-6: "
	    "cut where the growth leaves 1e-6");
	is_int(why, CURVE_AMPLIFIED, "geometric growth: amplified");
	/*
	 * with a floor of 1e-5 the growth counts from 1e-5: 1e-4 at step 7
	 * is 10 times that of step 4 (6e-6, below the floor); the first
	 * step above 1e-5 is step 5
	 */
	is_int(cut(geom, -1, 1e-5, &why), 5, "the same above a floor of "
	    "1e-5: cut at step 5");

	/* divergence: above 4x the lowest so far, or not finite */
	for (i = 0; i < N; i++)
		a[i] = b[i] = 2.3 * pow(0.8, i);
	a[9] = 4.01 * a[8];
	is_int(curve_cut(a, b, N, 4, -1, 1e-6, &why), 9, "a above 4x its "
	    "lowest: cut there");
	is_int(why, CURVE_DIVERGED, "above 4x: diverged");
	a[9] = 3.99 * a[8];
	b[7] = NAN;
	is_int(curve_cut(a, b, N, 4, -1, 1e-6, &why), 7, "b not finite: "
	    "cut there");
	is_int(why, CURVE_DIVERGED, "not finite: diverged");

	/* the rise test, only when asked */
	for (i = 0; i < N; i++)
		a[i] = b[i] = 2.3 * pow(0.8, i);
	a[5] = b[5] = a[4] * 1.001;
	is_int(curve_cut(a, b, N, 4, 0, 1e-6, &why), 5, "rise 0: the first "
	    "rise of a loss cuts");
	is_int(why, CURVE_ROSE, "rise 0: rose");
	is_int(curve_cut(a, b, N, 4, -1, 1e-6, &why), N, "rise off: a rise "
	    "of 0.1% is compared");
	return done();
}
