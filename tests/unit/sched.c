/*
 * Unit tests for the learning-rate schedules (lib/sched.c).
 *
 * Every expected value is worked out by hand in the comment beside it.
 * The onecycle and cyclical numbers were also checked once against
 * PyTorch 1.13's OneCycleLR and CyclicLR (torch is not needed here).
 *
 * The tolerances: the schedules compute in double, u = 2^-53 (F64_U).
 * Each decimal constant and each +, -, *, / rounds once (u of its
 * result); pow, cos and cbrt are within 1 ulp (2u) of the exact
 * function of their rounded arguments, and pow(b, y) turns a relative
 * error e of b into y e, one of y into y ln(b) e.  IEEE operations give
 * the same bits on every machine; libm's last bit may not (glibc picks
 * FMA variants by CPU), so every tolerance covers the worst case of its
 * sum.  Exact comparisons are exact operations: powers of two, cos 0 =
 * 1, a stored start or end returned as it is.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cfg.h"
#include "err.h"
#include "sched.h"
#include "tol.h"

#define PI	3.14159265358979323846

/* A schedule of mode m with the defaults, num steps, sched_init'ed. */
static struct sched
mk(int m, long num)
{
	struct sched s;

	sched_defaults(&s, m);
	s.num = num;
	return s;
}

/* The tolerance of a cyclic schedule's value at step i (see there). */
static double
cyc_tol(const struct sched *s, long i)
{
	return tol_f64(4, s->base_lr + s->max_lr) +
	    (s->mode == SCHED_EXP_RANGE ? (i + 2) * F64_U *
	    (s->max_lr - s->base_lr) : 0);
}

/* sched_init must fail with exactly msg. */
static void
rejects(struct sched s, const char *msg)
{
	err_clear();
	if (ok(sched_init(&s) == -1, msg))
		is_str(err_msg(), msg, "  message");
	else
		ok(0, "  message");
}

static void
meta_is_str(struct sched s, const char *want, const char *name)
{
	char buf[256];

	if (sched_init(&s) < 0)
		diag("sched_init: %s", err_msg());
	sched_meta(buf, sizeof(buf), &s);
	is_str(buf, want, name);
}

int
main(void)
{
	struct sched s;
	struct cfg c;
	char buf[16], all[128];
	double lr;
	long i;
	int m, bad;

	/* names */
	is_str((sched_names(all, sizeof(all)), all), "exp linear constant "
	    "step cosine onecycle triangular triangular2 exp_range",
	    "sched_names");
	is_int(sched_mode("exp"), SCHED_EXP, "mode exp");
	is_int(sched_mode("exp_range"), SCHED_EXP_RANGE, "mode exp_range");
	is_int(sched_mode("onecycle"), SCHED_ONECYCLE, "mode onecycle");
	is_int(sched_mode("Exp"), -1, "mode names are case-sensitive");
	is_int(sched_mode("exp-range"), -1, "unknown mode");
	bad = 0;
	for (m = 0; m < SCHED_NMODES; m++)
		if (sched_mode(sched_name(m)) != m ||
		    strstr(all, sched_name(m)) == NULL)
			bad++;
	is_int(bad, 0, "sched_name and sched_names name every mode");
	ok(sched_name(SCHED_NMODES) == NULL && sched_name(-1) == NULL,
	    "sched_name of a non-mode is NULL");
	ok(!sched_training(SCHED_EXP) && !sched_training(SCHED_LINEAR) &&
	    sched_training(SCHED_CONSTANT) && sched_training(SCHED_EXP_RANGE),
	    "exp and linear are the range-test modes");
	is_int(sched_uses(SCHED_STEP),
	    SCHED_P_LR | SCHED_P_STEP_SIZE | SCHED_P_GAMMA, "step uses");

	/* defaults */
	s = mk(SCHED_EXP, 100);
	sched_defaults(&s, SCHED_EXP);
	ok(s.start == 1e-7 && s.end == 1 && s.num == 100 && s.ratio == 0,
	    "exp defaults 1e-7 1 100");
	sched_defaults(&s, SCHED_ONECYCLE);
	ok(s.num == 1000 && s.max_lr == 0.01 && s.pct_start == 0.3 &&
	    s.div_factor == 25 && s.final_div_factor == 1e4,
	    "onecycle defaults 1000 0.01 0.3 25 1e4");
	sched_defaults(&s, SCHED_STEP);
	is_double(s.gamma, 0.1, 0, "step gamma defaults to 0.1");
	sched_defaults(&s, SCHED_EXP_RANGE);
	is_double(s.gamma, 1, 0, "exp_range gamma defaults to 1");

	/*
	 * exp, start 1e-3, end 10, num 5: (10/1e-3)^(1/4) = 10, so
	 * 1e-3, 1e-2, 1e-1, 1, 10.
	 */
	s = mk(SCHED_EXP, 5);
	s.start = 1e-3;
	s.end = 10;
	ok(sched_init(&s) == 0, "exp 1e-3..10 in 5");
	is_double(sched_lr(&s, 0), 1e-3, 0, "exp step 0 is start exactly");
	/* start * pow(end / start, i / 4): pow 2u, the base's 2u times
	 * i/4 <= 0.75, start and the product 2u, the want u: <= 6.5u =
	 * 7.2e-16 */
	is_rel(sched_lr(&s, 1), 1e-2, 1e-15, "exp step 1: 1e-3*10");
	is_rel(sched_lr(&s, 2), 1e-1, 1e-15, "exp step 2: 1e-3*10^2");
	is_rel(sched_lr(&s, 3), 1, 1e-15, "exp step 3: 1e-3*10^3");
	is_double(sched_lr(&s, 4), 10, 0, "exp step 4 is end exactly");

	/*
	 * End exactness: 1e-5*(3/1e-5)^(49/49) is 3.0000000000000004 in
	 * doubles; the last step must be 3 all the same.
	 */
	s = mk(SCHED_EXP, 50);
	s.start = 1e-5;
	s.end = 3;
	sched_init(&s);
	ok(sched_lr(&s, 49) == 3.0, "exp step num-1 is end exactly");
	ok(sched_lr(&s, 48) < 3.0, "  and the step before is below it");
	/* the defaults: 1e-7 ... 1 in 100; step 33 is 1e-7*1e7^(1/3) */
	s = mk(SCHED_EXP, 100);
	sched_init(&s);
	is_double(sched_lr(&s, 0), 1e-7, 0, "default exp starts at 1e-7");
	/* as above, and 33/99 = 1/3 rounded (u, times ln 1e7 / 3 = 5.4),
	 * the want's cbrt (2u) and product: 14u = 1.6e-15 */
	is_rel(sched_lr(&s, 33), 1e-7 * cbrt(1e7), 1e-14,
	    "default exp step 33 = 1e-7*1e7^(33/99)");
	is_double(sched_lr(&s, 99), 1, 0, "default exp ends at 1");
	/* monotone */
	bad = 0;
	for (i = 1; i < 100; i++)
		if (!(sched_lr(&s, i) > sched_lr(&s, i - 1)))
			bad++;
	is_int(bad, 0, "default exp increases at every step");

	/*
	 * The unbounded stream: the default ratio is (1/1e-7)^(1/99), so
	 * it passes through the default range (step 99 is 1 exactly) and
	 * goes on: step 198 is 1e7.  It overflows a double after step
	 * ln(DBL_MAX/1e-7)/(ln(1e7)/99) = 4458.6.
	 */
	s = mk(SCHED_EXP, 0);
	ok(sched_init(&s) == 0, "exp num 0 is valid");
	is_double(sched_lr(&s, 0), 1e-7, 0, "unbounded step 0");
	is_double(sched_lr(&s, 99), 1, 0, "unbounded step 99 is end exactly");
	/* 1e-7 * pow(1 / 1e-7, 2): the base's 2u twice, pow 2u, start
	 * and the product 2u: 8u = 9e-16; 1e-13 leaves room */
	is_rel(sched_lr(&s, 198), 1e7, 1e-13, "unbounded step 198 is 1e7");
	ok(isfinite(sched_lr(&s, 4458)), "unbounded step 4458 is finite");
	ok(isinf(sched_lr(&s, 4459)), "unbounded step 4459 overflows to inf");
	/* with a ratio: start 1, ratio 2: step 10 is 2^10 */
	s = mk(SCHED_EXP, 0);
	s.start = 1;
	s.end = 0.5;		/* not used with a ratio */
	s.ratio = 2;
	ok(sched_init(&s) == 0, "exp num 0 ratio 2");
	is_double(sched_lr(&s, 10), 1024, 0, "ratio 2 step 10 is 1024");
	/* (pow of exact operands with a representable result: exact) */
	ok(isfinite(sched_lr(&s, 1023)) && isinf(sched_lr(&s, 1025)),
	    "ratio 2: step 1023 is finite, step 1025 is inf");

	/* linear 0.1 ... 0.5 in 5: step (0.5-0.1)/4 = 0.1 */
	s = mk(SCHED_LINEAR, 5);
	s.start = 0.1;
	s.end = 0.5;
	ok(sched_init(&s) == 0, "linear 0.1..0.5 in 5");
	is_double(sched_lr(&s, 0), 0.1, 0, "linear step 0 is start");
	/*
	 * start + i (end - start) / 4: the constants, the difference, i
	 * times it and the sum round once each, and the want: on terms of
	 * 0.1 and i 0.1, 4.4e-17 at step 1, 1.2e-16 at step 3: within
	 * tol_f64(2, lr) = 4u lr.
	 */
	is_double(sched_lr(&s, 1), 0.2, 1e-16, "linear step 1: 0.1+0.1");
	is_double(sched_lr(&s, 3), 0.4, tol_f64(2, 0.4),
	    "linear step 3: 0.1+3*0.1");
	is_double(sched_lr(&s, 4), 0.5, 0, "linear step 4 is end exactly");
	/* linear 1e-7 ... 1 in 100: step 50 is 1e-7 + 50*(1-1e-7)/99 */
	s = mk(SCHED_LINEAR, 100);
	sched_init(&s);
	/* the want is cut at 12 digits: 9e-13 of it; the double 4u */
	is_rel(sched_lr(&s, 50), 0.505050554545, 1e-11,
	    "linear step 50: 1e-7+50*(0.9999999/99) = 0.505050554545");

	/* constant */
	s = mk(SCHED_CONSTANT, 1000);
	s.lr = 0.05;
	ok(sched_init(&s) == 0, "constant 0.05");
	ok(sched_lr(&s, 0) == 0.05 && sched_lr(&s, 999) == 0.05,
	    "constant is 0.05 at steps 0 and 999");

	/* step lr 0.1, step_size 3, gamma 0.5: 0.1*0.5^floor(i/3) */
	s = mk(SCHED_STEP, 10);
	s.lr = 0.1;
	s.step_size = 3;
	s.gamma = 0.5;
	ok(sched_init(&s) == 0, "step 0.1 every 3 by 0.5");
	/* 0.1 * 0.5^k: scaled by a power of two, exactly the double 0.1 / 2^k
	 * (which is the double nearest 0.1 / 2^k) */
	is_double(sched_lr(&s, 0), 0.1, 0, "step 0: 0.1");
	is_double(sched_lr(&s, 2), 0.1, 0, "step 2: floor(2/3)=0: 0.1");
	is_double(sched_lr(&s, 3), 0.05, 0, "step 3: 0.1*0.5");
	is_double(sched_lr(&s, 8), 0.025, 0, "step 8: 0.1*0.5^2");
	is_double(sched_lr(&s, 9), 0.0125, 0, "step 9: 0.1*0.5^3");

	/*
	 * cosine lr 0.1, min_lr 0.001, warmup 3, num 10.  Warm-up
	 * 0.1*(i+1)/4: 0.025 0.05 0.075; then at i >= 3
	 * 0.001 + 0.099*(1+cos(pi*(i-3)/7))/2:
	 *   i=3: cos 0 = 1: 0.1
	 *   i=4: cos(pi/7) = 0.900968868: 0.001+0.099*0.950484434 = 0.0950979590
	 *   i=6: cos(3pi/7) = 0.222520934: 0.001+0.099*0.611260467 = 0.0615147862
	 *   i=9: cos(6pi/7) = -0.900968868: 0.001+0.099*0.049515566 = 0.0059020410
	 * (PyTorch: SequentialLR of LinearLR(start_factor=1/4, total_iters=3)
	 * and CosineAnnealingLR(T_max=7, eta_min=0.001) gives the same.)
	 */
	s = mk(SCHED_COSINE, 10);
	s.lr = 0.1;
	s.min_lr = 0.001;
	s.warmup = 3;
	ok(sched_init(&s) == 0, "cosine 0.1 to 0.001, warm-up 3, 10 steps");
	/*
	 * Warm-up lr (i + 1) / 4: the first two exact (powers of two of
	 * 0.1), the third 3 roundings of 0.075, 2.5e-17.  The peak: cos 0
	 * = 1, and (lr - min) + min rounds back to lr.  Steps 4, 6, 9: the
	 * wants are cut at 9 and 10 decimals (5e-10, 5e-11); the double
	 * error, ~1e-16, is far below.
	 */
	is_double(sched_lr(&s, 0), 0.025, 1e-16, "cosine step 0: 0.1*1/4");
	is_double(sched_lr(&s, 1), 0.05, 1e-16, "cosine step 1: 0.1*2/4");
	is_double(sched_lr(&s, 2), 0.075, 1e-16, "cosine step 2: 0.1*3/4");
	is_double(sched_lr(&s, 3), 0.1, 0, "cosine step 3: the peak 0.1");
	is_double(sched_lr(&s, 4), 0.095097959, 1e-9, "cosine step 4");
	is_double(sched_lr(&s, 6), 0.0615147862, 1e-10, "cosine step 6");
	is_double(sched_lr(&s, 9), 0.0059020410, 1e-10, "cosine step 9");
	/* no warm-up, min_lr 0: 0.1*(1+cos(pi*i/4))/2; never reaches 0 */
	s = mk(SCHED_COSINE, 4);
	s.lr = 0.1;
	ok(sched_init(&s) == 0, "cosine 0.1 to 0, 4 steps");
	is_double(sched_lr(&s, 0), 0.1, 0, "cosine step 0 is lr");
	/* cos(pi/2) = 6e-17 vanishes in 1 + cos, and 0.1 / 2 is exact:
	 * the same double as 0.05; 1e-17 is more than that 0 */
	is_double(sched_lr(&s, 2), 0.05, 1e-17, "cosine step 2: cos(pi/2)=0");
	/*
	 * cos(3 pi / 4) within 2u, of an argument that carries pi's and
	 * the product's roundings, 2u 3pi/4 |sin|; both enter 1 + cos
	 * absolutely: (2 + 2 pi) u times lr / 2; then the product and the
	 * want's sqrt, product and constants on terms <= lr: 4u lr.
	 */
	is_double(sched_lr(&s, 3), 0.1 * (1 - sqrt(0.5)) / 2,
	    (1 + PI) * F64_U * 0.1 + tol_f64(2, 0.1),
	    "cosine step 3: 0.1*(1-0.7071)/2 = 0.0146, not 0");

	/*
	 * onecycle max_lr 0.002, num 3000, pct_start 0.3, div 25, final
	 * 1e4: initial 0.002/25 = 8e-5, min 8e-5/1e4 = 8e-9, phase 1 ends
	 * at 0.3*3000-1 = 899, phase 2 at 2999.
	 */
	s = mk(SCHED_ONECYCLE, 3000);
	s.max_lr = 0.002;
	ok(sched_init(&s) == 0, "onecycle 0.002 over 3000");
	/* max + (initial - max) (cos 0 + 1) / 2: the difference of terms
	 * <= max_lr rounds (u max_lr), then cancels to max_lr / 25; with
	 * initial's and the want's roundings: tol_f64(1, max_lr) */
	is_double(sched_lr(&s, 0), 8e-5, tol_f64(1, 0.002),
	    "onecycle step 0: max_lr/25");
	/*
	 * step 450: pct 450/899; cos(pi*450/899) = -sin(pi*0.5/899) =
	 * -0.0017472517; 0.002 + (8e-5-0.002)/2*(1-0.0017472517) =
	 * 0.002 - 0.00096*0.9982527483 = 0.0010416773790 (PyTorch:
	 * 0.0010416773789837953)
	 */
	/* two double evaluations (PyTorch's): each, the cos argument's
	 * 3u pi/2 through |sin| <= 1 times (max - initial) / 2, and 4
	 * roundings on terms <= max_lr: 1.2e-18; 1e-17 leaves room */
	is_double(sched_lr(&s, 450), 0.0010416773789837953, 1e-17,
	    "onecycle step 450 (PyTorch 0.00104167737898)");
	/* pct 899/899 = 1 and cos(pi) + 1 = 0 exactly: max_lr itself */
	is_double(sched_lr(&s, 899), 0.002, 0, "onecycle step 899 is max_lr");
	ok(sched_lr(&s, 898) < 0.002 && sched_lr(&s, 900) < 0.002,
	    "  and steps 898 and 900 are below it");
	/*
	 * step 2000: pct (2000-899)/2100 = 0.524286; cos(pi*0.524286) =
	 * -0.0762590; 8e-9 + (0.002-8e-9)/2*0.9237410 = 0.00092378248
	 * (PyTorch: 0.0009237824820884064)
	 */
	/* as step 450 */
	is_double(sched_lr(&s, 2000), 0.0009237824820884064, 1e-17,
	    "onecycle step 2000 (PyTorch 0.000923782482)");
	/* cos(pi) + 1 = 0: min = max / 25 / 1e4, 2 divisions and 2
	 * constants: 4u = 4.4e-16 */
	is_rel(sched_lr(&s, 2999), 8e-9, 1e-15, "onecycle step 2999: 8e-9");
	/*
	 * A peak between steps: max_lr 1, num 11, pct_start 0.5, div 4,
	 * final 2: initial 0.25, min 0.125, phase 1 ends at 4.5.
	 *   step 1: 1 + (0.25-1)/2*(1+cos(pi/4.5)) = 1 - 0.375*1.766044443
	 *           = 0.337733334
	 *   step 5: pct 0.5/5.5; 0.125 + 0.4375*(1+cos(pi/11)) =
	 *           0.125 + 0.4375*1.959492974 = 0.982278176
	 * (PyTorch: 0.3377333338303833, 0.9822781759563426)
	 */
	s = mk(SCHED_ONECYCLE, 11);
	s.max_lr = 1;
	s.pct_start = 0.5;
	s.div_factor = 4;
	s.final_div_factor = 2;
	ok(sched_init(&s) == 0, "onecycle 1 over 11, pct 0.5, div 4, final 2");
	/*
	 * Steps 0 and 10 exact (dyadic, cos 0 and cos pi); 1 and 5 two
	 * double evaluations (PyTorch's), each: the cos argument's 3u
	 * |arg| through |sin| and cos's 2u, 1 + cos, times 0.375 or 0.4375,
	 * the product and the sum: <= 2.2e-16; 1e-15 covers both.
	 */
	is_double(sched_lr(&s, 0), 0.25, 0, "onecycle step 0: 1/4");
	is_double(sched_lr(&s, 1), 0.3377333338303833, 1e-15,
	    "onecycle step 1: 0.337733334");
	is_double(sched_lr(&s, 5), 0.9822781759563426, 1e-15,
	    "onecycle step 5: 0.982278176");
	is_double(sched_lr(&s, 10), 0.125, 0, "onecycle step 10: 0.25/2");

	/*
	 * triangular base 0.001, max 0.006, step_size 4: cycle =
	 * floor(1+i/8), x = |i/4-2*cycle+1|, lr = 0.001+0.005*max(0,1-x).
	 *   i=1: cycle 1, x = |0.25-1| = 0.75: 0.001+0.005*0.25 = 0.00225
	 *   i=4: x = 0: 0.006;  i=6: x = 0.5: 0.0035;  i=8: cycle 2,
	 *   x = |2-3| = 1: 0.001;  i=12: x = |3-3| = 0: 0.006
	 * (PyTorch CyclicLR(step_size_up=4) agrees.)
	 */
	s = mk(SCHED_TRIANGULAR, 20);
	s.base_lr = 0.001;
	s.max_lr = 0.006;
	s.step_size = 4;
	ok(sched_init(&s) == 0, "triangular 0.001..0.006, step_size 4");
	/*
	 * base + (max - base) f scale, f from i / step_size (exact):
	 * base, max and the want are decimals, the difference, the
	 * products and the sum round: 6 roundings on terms <= base + max,
	 * tol_f64(4, base + max) = 4.7e-18 (the peaks 0.006 reach 1.9e-18,
	 * more than the 1e-18 they had).  exp_range's scale pow(gamma, i)
	 * carries i + 2 more (gamma's rounding i times, pow's ulp) on its
	 * term <= max - base.
	 */
	is_double(sched_lr(&s, 0), 0.001, 0, "triangular step 0: base_lr");
	is_double(sched_lr(&s, 1), 0.00225, cyc_tol(&s, 1),
	    "triangular step 1");
	is_double(sched_lr(&s, 4), 0.006, cyc_tol(&s, 4),
	    "triangular step 4: max_lr");
	is_double(sched_lr(&s, 6), 0.0035, cyc_tol(&s, 6), "triangular step 6");
	is_double(sched_lr(&s, 8), 0.001, cyc_tol(&s, 8),
	    "triangular step 8: base");
	is_double(sched_lr(&s, 12), 0.006, cyc_tol(&s, 12),
	    "triangular step 12: max");

	/* triangular2: the amplitude 0.005 halves each cycle */
	s.mode = SCHED_TRIANGULAR2;
	s.num = 40;
	ok(sched_init(&s) == 0, "triangular2");
	is_double(sched_lr(&s, 4), 0.006, cyc_tol(&s, 4),
	    "triangular2 peak 1: 0.001+0.005");
	is_double(sched_lr(&s, 12), 0.0035, cyc_tol(&s, 12),
	    "triangular2 peak 2: 0.001+0.005/2");
	is_double(sched_lr(&s, 20), 0.00225, cyc_tol(&s, 20),
	    "triangular2 peak 3: 0.001+0.005/4");
	is_double(sched_lr(&s, 28), 0.001625, cyc_tol(&s, 28),
	    "triangular2 peak 4: 0.001+0.005/8");
	is_double(sched_lr(&s, 14), 0.00225, cyc_tol(&s, 14),
	    "triangular2 step 14: x=0.5: 0.001+0.005/2*0.5");
	is_double(sched_lr(&s, 16), 0.001, cyc_tol(&s, 16),
	    "triangular2 step 16: base");

	/*
	 * exp_range, gamma 0.9: the triangle scaled by 0.9^i.
	 *   i=1:  0.001 + 0.005*0.25*0.9 = 0.002125
	 *   i=4:  0.001 + 0.005*0.9^4 = 0.001 + 0.005*0.6561 = 0.0042805
	 *   i=12: 0.9^12 = 0.282429536; 0.001 + 0.005*0.282429536 =
	 *         0.00241214768 (PyTorch 0.0024121476824050005)
	 */
	s.mode = SCHED_EXP_RANGE;
	s.gamma = 0.9;
	ok(sched_init(&s) == 0, "exp_range gamma 0.9");
	is_double(sched_lr(&s, 0), 0.001, 0, "exp_range step 0: base");
	is_double(sched_lr(&s, 1), 0.002125, cyc_tol(&s, 1),
	    "exp_range step 1");
	is_double(sched_lr(&s, 4), 0.0042805, cyc_tol(&s, 4),
	    "exp_range step 4");
	is_double(sched_lr(&s, 12), 0.0024121476824050005, cyc_tol(&s, 12),
	    "exp_range step 12");
	s.gamma = 1;
	sched_init(&s);
	is_double(sched_lr(&s, 12), 0.006, cyc_tol(&s, 12),
	    "exp_range gamma 1 is triangular");

	/* nonsense */
	s = mk(SCHED_EXP, 100);
	s.start = 0;
	rejects(s, "exp: start must be > 0 (got 0)");
	s.start = -1e-3;
	rejects(s, "exp: start must be > 0 (got -0.001)");
	s.start = NAN;
	rejects(s, "exp: start is not finite (got nan)");
	s = mk(SCHED_EXP, 100);
	s.end = INFINITY;
	rejects(s, "exp: end is not finite (got inf)");
	s.end = 1e-7;
	rejects(s, "exp: end must be > start (got start=1e-07 end=1e-07)");
	s.end = 1e-8;
	rejects(s, "exp: end must be > start (got start=1e-07 end=1e-08)");
	s = mk(SCHED_EXP, 100);
	s.start = 1e-300;
	s.end = 1e300;
	rejects(s, "exp: end/start overflows (start=1e-300 end=1e+300)");
	s = mk(SCHED_EXP, 1);
	rejects(s, "exp: num must be 0 (unbounded) or at least 2 (got 1)");
	s = mk(SCHED_EXP, -5);
	rejects(s, "exp: num must be 0 (unbounded) or at least 2 (got -5)");
	s = mk(SCHED_EXP, 100);
	s.ratio = 1.5;
	rejects(s, "exp: ratio is for an unbounded exp stream (num 0) only");
	s = mk(SCHED_EXP, 0);
	s.ratio = 1;
	rejects(s, "exp: ratio must be > 1 (got 1)");
	s.ratio = -2;
	rejects(s, "exp: ratio must be > 1 (got -2)");
	s = mk(SCHED_EXP, 0);
	s.end = 1e-8;
	rejects(s, "exp: end must be > start (got start=1e-07 end=1e-08)");
	s = mk(SCHED_LINEAR, 0);
	rejects(s, "linear: num 0 (an unbounded stream) is for mode exp only");
	s = mk(SCHED_LINEAR, 1);
	rejects(s, "linear: num must be at least 2 (got 1)");
	s = mk(SCHED_LINEAR, 10);
	s.start = 0;
	rejects(s, "linear: start must be > 0 (got 0)");
	s = mk(SCHED_LINEAR, 3);
	s.start = 1e-300;
	s.end = 1e300;
	ok(sched_init(&s) == 0 && sched_lr(&s, 1) == 5e299,
	    "linear 1e-300..1e300 in 3: step 1 is 5e299");
	s = mk(SCHED_LINEAR, 10);
	s.end = 1e-7;
	rejects(s, "linear: end must be > start (got start=1e-07 end=1e-07)");
	s = mk(SCHED_ONECYCLE, 0);
	rejects(s, "onecycle: num 0 (an unbounded stream) is for mode exp only");
	s = mk(SCHED_CONSTANT, 10);
	s.lr = 0;
	rejects(s, "constant: lr must be > 0 (got 0)");
	s = mk(SCHED_STEP, 10);
	s.gamma = 0;
	rejects(s, "step: gamma must be > 0 (got 0)");
	s.gamma = 0.5;
	s.step_size = 0;
	rejects(s, "step: step_size must be at least 1 (got 0)");
	s = mk(SCHED_STEP, 100000);
	s.step_size = 1;
	rejects(s, "step: the lr at step 99999 is 0, not a positive finite "
	    "number");
	s.gamma = 10;
	rejects(s, "step: the lr at step 99999 is inf, not a positive finite "
	    "number");
	s = mk(SCHED_COSINE, 10);
	s.warmup = 10;
	rejects(s, "cosine: warmup must lie in [0, num) (got warmup=10 num=10)");
	s.warmup = -1;
	rejects(s, "cosine: warmup must lie in [0, num) (got warmup=-1 num=10)");
	s.warmup = 0;
	s.min_lr = 0.02;
	rejects(s, "cosine: min_lr must lie in [0, lr] (got min_lr=0.02 "
	    "lr=0.01)");
	s.min_lr = -1e-3;
	rejects(s, "cosine: min_lr must lie in [0, lr] (got min_lr=-0.001 "
	    "lr=0.01)");
	s = mk(SCHED_ONECYCLE, 1000);
	s.max_lr = -1;
	rejects(s, "onecycle: max_lr must be > 0 (got -1)");
	s.max_lr = 0.01;
	s.pct_start = 0;
	rejects(s, "onecycle: pct_start must lie in (0, 1) (got 0)");
	s.pct_start = 1;
	rejects(s, "onecycle: pct_start must lie in (0, 1) (got 1)");
	s.pct_start = 0.3;
	s.div_factor = 0.5;
	rejects(s, "onecycle: div_factor must be >= 1 (got 0.5)");
	s.div_factor = 25;
	s.final_div_factor = 0;
	rejects(s, "onecycle: final_div_factor must be >= 1 (got 0)");
	s = mk(SCHED_ONECYCLE, 3);
	rejects(s, "onecycle: the rising phase pct_start*num-1 = -0.1 must "
	    "be > 0 steps (pct_start=0.3 num=3)");
	s = mk(SCHED_TRIANGULAR, 100);
	s.base_lr = 0.1;
	rejects(s, "triangular: max_lr must be >= base_lr (got base_lr=0.1 "
	    "max_lr=0.01)");
	s = mk(SCHED_TRIANGULAR2, 100);
	s.base_lr = 0;
	rejects(s, "triangular2: base_lr must be > 0 (got 0)");
	s = mk(SCHED_TRIANGULAR2, 100);
	s.step_size = 0;
	rejects(s, "triangular2: step_size must be at least 1 (got 0)");
	s = mk(SCHED_EXP_RANGE, 100);
	s.gamma = 0;
	rejects(s, "exp_range: gamma must lie in (0, 1] (got 0)");
	s.gamma = 1.01;
	rejects(s, "exp_range: gamma must lie in (0, 1] (got 1.01)");
	s = mk(SCHED_EXP, 10);
	s.mode = 42;
	rejects(s, "mode 42 is not a schedule");

	/* metadata lines */
	meta_is_str(mk(SCHED_EXP, 100),
	    "#@ schedule mode=exp start=1e-07 end=1 num=100", "meta exp");
	meta_is_str(mk(SCHED_EXP, 0),
	    "#@ schedule mode=exp start=1e-07 end=1 num=0 ratio=1.17681195",
	    "meta unbounded: ratio (1e7)^(1/99) = 1.17681195");
	s = mk(SCHED_EXP, 0);
	s.ratio = 1.1;
	meta_is_str(s, "#@ schedule mode=exp start=1e-07 num=0 ratio=1.1",
	    "meta unbounded with a ratio: no end");
	meta_is_str(mk(SCHED_LINEAR, 5),
	    "#@ schedule mode=linear start=1e-07 end=1 num=5", "meta linear");
	meta_is_str(mk(SCHED_CONSTANT, 5),
	    "#@ schedule mode=constant lr=0.01 num=5", "meta constant");
	meta_is_str(mk(SCHED_STEP, 5),
	    "#@ schedule mode=step lr=0.01 num=5 step_size=100 gamma=0.1",
	    "meta step");
	meta_is_str(mk(SCHED_COSINE, 5),
	    "#@ schedule mode=cosine lr=0.01 num=5 warmup=0 min_lr=0",
	    "meta cosine");
	s = mk(SCHED_ONECYCLE, 3000);
	s.max_lr = 0.002;
	meta_is_str(s, "#@ schedule mode=onecycle max_lr=0.002 num=3000 "
	    "pct_start=0.3 div_factor=25 final_div_factor=10000",
	    "meta onecycle");
	meta_is_str(mk(SCHED_TRIANGULAR2, 5),
	    "#@ schedule mode=triangular2 base_lr=0.001 max_lr=0.01 num=5 "
	    "step_size=100", "meta triangular2");
	meta_is_str(mk(SCHED_EXP_RANGE, 5),
	    "#@ schedule mode=exp_range base_lr=0.001 max_lr=0.01 num=5 "
	    "step_size=100 gamma=1", "meta exp_range");
	/* too small a buffer: truncated, the full length returned */
	s = mk(SCHED_EXP, 100);
	sched_init(&s);
	is_int(sched_meta(buf, sizeof(buf), &s), 46, "meta length 46");
	is_str(buf, "#@ schedule mod", "meta truncated to the buffer");

	/* from a configuration */
	memset(&c, 0, sizeof(c));
	c.finder.start_lr = 1e-6;
	c.finder.end_lr = 10;
	c.finder.num_iter = 200;
	c.scheduler.total_steps = 3000;
	c.scheduler.max_lr = 0.002;
	c.scheduler.pct_start = 0.25;
	c.scheduler.div_factor = 10;
	c.scheduler.final_div_factor = 100;
	c.scheduler.step_size = 7;
	sched_config(&s, SCHED_EXP, &c);
	ok(s.mode == SCHED_EXP && s.start == 1e-6 && s.end == 10 &&
	    s.num == 200, "config: exp from the finder section");
	sched_config(&s, SCHED_ONECYCLE, &c);
	ok(s.mode == SCHED_ONECYCLE && s.num == 3000 && s.max_lr == 0.002 &&
	    s.pct_start == 0.25 && s.div_factor == 10 &&
	    s.final_div_factor == 100 && s.step_size == 7,
	    "config: onecycle from the scheduler section");
	sched_config(&s, SCHED_EXP_RANGE, &c);
	is_double(s.gamma, 1, 0, "config: gamma 0 is exp_range's default 1");
	sched_config(&s, SCHED_STEP, &c);
	is_double(s.gamma, 0.1, 0, "config: gamma 0 is step's default 0.1");
	c.scheduler.gamma = 0.5;
	sched_config(&s, SCHED_EXP_RANGE, &c);
	is_double(s.gamma, 0.5, 0, "config: gamma 0.5 is taken");

	/* cfg_defaults and sched_defaults agree on every parameter */
	bad = 0;
	cfg_defaults(&c);
	for (m = 0; m < SCHED_NMODES; m++) {
		struct sched t;

		sched_config(&s, m, &c);
		sched_defaults(&t, m);
		if (memcmp(&s, &t, sizeof(s)) != 0) {
			diag("%s: the defaults differ", sched_name(m));
			bad++;
		}
	}
	is_int(bad, 0, "sched_config(cfg_defaults) is sched_defaults");

	/* every mode's first and last steps are positive and finite */
	bad = 0;
	for (m = 0; m < SCHED_NMODES; m++) {
		s = mk(m, 1000);
		if (sched_init(&s) < 0) {
			diag("%s: %s", sched_name(m), err_msg());
			bad++;
			continue;
		}
		for (i = 0; i < 1000; i++) {
			lr = sched_lr(&s, i);
			if (!(lr > 0 && isfinite(lr)))
				bad++;
		}
	}
	is_int(bad, 0, "defaults of every mode: 1000 positive finite lrs");

	return done();
}
