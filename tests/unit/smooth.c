/* Unit tests for the EMA and the divergence test (lib/smooth.c). */
#include <math.h>
#include <stdio.h>

#include "cfg.h"
#include "err.h"
#include "smooth.h"
#include "tap.h"

int
main(void)
{
	struct smooth s;
	double v;
	int i;

	/*
	 * beta 0.5 over 4, 2, 6, by hand:
	 *   a1 = 0.5*0 + 0.5*4 = 2    smooth1 = 2 / (1 - 0.5)   = 4
	 *   a2 = 0.5*2 + 0.5*2 = 2    smooth2 = 2 / (1 - 0.25)  = 8/3
	 *   a3 = 0.5*2 + 0.5*6 = 4    smooth3 = 4 / (1 - 0.125) = 32/7
	 */
	is_int(smooth_init(&s, 0.5, 1.5), 0, "init beta 0.5");
	is_int(smooth_verdict(&s), SMOOTH_GO, "no verdict before a step");
	/* tolerance: beta 0.5 keeps a and 1 - beta^t exact (dyadic); the
	 * one division rounds as 8.0 / 3 and 32.0 / 7 do: the same
	 * doubles, and 1e-15 is more than that 0 */
	is_double(smooth_next(&s, 4), 4, 1e-15, "smooth_1 = 4");
	is_double(s.avg, 2, 1e-15, "a_1 = 2 (uncorrected)");
	is_int(smooth_verdict(&s), SMOOTH_GO, "step 1 goes on");
	is_double(smooth_next(&s, 2), 8.0 / 3, 1e-15, "smooth_2 = 8/3");
	is_double(s.best, 8.0 / 3, 1e-15, "best = 8/3");
	is_int(smooth_verdict(&s), SMOOTH_GO, "step 2 goes on");
	is_double(smooth_next(&s, 6), 32.0 / 7, 1e-15, "smooth_3 = 32/7");
	is_double(s.best, 8.0 / 3, 1e-15, "best stays 8/3");
	/* 32/7 = 4.571 > 1.5 * 8/3 = 4 */
	is_int(smooth_verdict(&s), SMOOTH_DIVERGED, "32/7 > 1.5 * 8/3");
	is_int(s.t, 3, "three steps");

	/* the same values under threshold 2: 32/7 < 16/3 */
	smooth_init(&s, 0.5, 2);
	smooth_next(&s, 4);
	smooth_next(&s, 2);
	smooth_next(&s, 6);
	is_int(smooth_verdict(&s), SMOOTH_GO, "32/7 < 2 * 8/3");

	/* bias correction: a constant loss smooths to itself from step 1 */
	smooth_init(&s, SMOOTH_BETA, SMOOTH_THRESH);
	/* (1 - beta) 3 / (1 - beta): 2 roundings of 3, 6.7e-16; after
	 * that each step adds 3 roundings of 3, damped by beta: 9u /
	 * (1 - beta) = 5e-14 (and beta^201's 201u, over 1 - 0.017);
	 * pow within 1 ulp: 1e-12 leaves room */
	is_double(smooth_next(&s, 3), 3, 1e-15, "first value is the loss");
	for (i = 0; i < 200; i++)
		v = smooth_next(&s, 3);
	is_double(v, 3, 1e-12, "constant 3 stays 3 after 201 steps");
	is_double(s.avg, 3 * (1 - pow(0.98, 201)), 1e-12,
	    "uncorrected a_201 = 3 (1 - 0.98^201)");
	/* beta 0.9, losses 1 then 0: a2 = 0.09, smooth2 = 0.09/0.19;
	 * 3 roundings in smooth (0.9 a, 0.9^2, the division), 3 in the
	 * want, of 0.47: 3.2e-16 (0.9's own rounding moves 0.9/1.9 by
	 * 6e-18) */
	smooth_init(&s, 0.9, 4);
	smooth_next(&s, 1);
	is_double(smooth_next(&s, 0), 0.09 / 0.19, 1e-15,
	    "beta 0.9: smooth_2 = 0.09/0.19");

	/* beta 0: no smoothing (the loss copied: exact) */
	smooth_init(&s, 0, 4);
	is_double(smooth_next(&s, 2.5), 2.5, 0, "beta 0: first value");
	is_double(smooth_next(&s, 7), 7, 0, "beta 0: second value");

	/* divergence at the exact record, and equality is no divergence */
	{
		static const double loss[] = { 2, 1, 3, 4, 4.5, 1 };
		int verdict[6];

		smooth_init(&s, 0, 4);
		for (i = 0; i < 6; i++) {
			smooth_next(&s, loss[i]);
			verdict[i] = smooth_verdict(&s);
		}
		is_int(verdict[3], SMOOTH_GO, "4 = 4 * best 1 is not divergence");
		is_int(verdict[4], SMOOTH_DIVERGED, "4.5 > 4 * 1 diverges");
		is_int(verdict[2], SMOOTH_GO, "3 < 4 goes on");
	}

	/* non-finite losses */
	smooth_init(&s, 0.98, 4);
	smooth_next(&s, 2);
	smooth_next(&s, NAN);
	is_int(smooth_verdict(&s), SMOOTH_NONFINITE, "nan loss stops");
	ok(isnan(s.value), "nan propagates into smooth");
	/* best: 0.02 * 2 / 0.02, exactly 2 (* 2 is exact) */
	is_double(s.best, 2, 0, "best ignores nan");
	smooth_next(&s, 1);
	ok(isnan(s.value), "and stays nan after it");
	smooth_init(&s, 0.98, 4);
	smooth_next(&s, INFINITY);
	is_int(smooth_verdict(&s), SMOOTH_NONFINITE, "inf loss stops");
	smooth_init(&s, 0.98, 4);
	smooth_next(&s, -INFINITY);
	is_int(smooth_verdict(&s), SMOOTH_NONFINITE, "-inf loss stops");
	ok(isinf(s.best) && s.best > 0, "-inf does not become the best");
	/* beta 0 copies the loss, also after an infinite one */
	smooth_init(&s, 0, 4);
	smooth_next(&s, INFINITY);
	is_double(smooth_next(&s, 2), 2, 0, "beta 0: 2 after inf");
	is_int(smooth_verdict(&s), SMOOTH_GO, "beta 0: finite again goes on");
	/* a huge but finite loss diverges by ratio, not as non-finite */
	smooth_init(&s, 0.5, 4);
	smooth_next(&s, 1);
	smooth_next(&s, 1e300);
	is_int(smooth_verdict(&s), SMOOTH_DIVERGED, "1e300 diverges by ratio");

	/* best <= 0: the ratio test is off */
	smooth_init(&s, 0, 4);
	smooth_next(&s, -1);
	smooth_next(&s, 100);
	is_int(smooth_verdict(&s), SMOOTH_GO, "negative best: no ratio test");
	smooth_init(&s, 0, 4);
	smooth_next(&s, 0);
	smooth_next(&s, 100);
	is_int(smooth_verdict(&s), SMOOTH_GO, "best 0: no ratio test");

	/* bad parameters */
	err_clear();
	is_int(smooth_init(&s, 1, 4), -1, "beta 1 is rejected");
	is_str(err_msg(), "beta 1 is not in [0, 1)", "beta message");
	is_int(smooth_init(&s, -0.1, 4), -1, "beta -0.1 is rejected");
	is_int(smooth_init(&s, NAN, 4), -1, "beta nan is rejected");
	is_int(smooth_init(&s, 0.5, 1), -1, "threshold 1 is rejected");
	is_str(err_msg(), "divergence threshold 1 is not greater than 1",
	    "threshold message");
	is_int(smooth_init(&s, 0.5, INFINITY), -1, "threshold inf is rejected");
	is_int(smooth_init(&s, 0, 1.0000001), 0, "threshold just above 1");

	is_str(smooth_reason(SMOOTH_DIVERGED), "diverged", "reason diverged");
	is_str(smooth_reason(SMOOTH_NONFINITE), "nonfinite", "reason nonfinite");
	is_str(smooth_reason(SMOOTH_GO), "go", "reason go");
	{
		/* lrf-smooth without -c takes the finder section's defaults */
		struct cfg c;

		cfg_defaults(&c);
		ok(c.finder.beta == SMOOTH_BETA &&
		    c.finder.diverge_threshold == SMOOTH_THRESH,
		    "SMOOTH_BETA and SMOOTH_THRESH are finder's defaults");
	}
	return done();
}
