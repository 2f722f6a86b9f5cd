/*
 * sched.h - learning-rate schedules (lrf-schedule(1)).
 *
 * A schedule is a mode and its parameters; sched_lr() gives the learning
 * rate of step i, 0-based, from a closed form (no state, no recurrence),
 * so any step can be computed alone and every mode is unit-testable.
 *
 *	struct sched s;
 *
 *	sched_defaults(&s, SCHED_ONECYCLE);
 *	s.max_lr = 2e-3;
 *	s.num = 3000;
 *	if (sched_init(&s) < 0)
 *		... err_msg() says what is wrong ...
 *	for (i = 0; i < s.num; i++)
 *		lr = sched_lr(&s, i);
 */
#ifndef LRF_SCHED_H
#define LRF_SCHED_H

#include <stddef.h>

struct cfg;

enum {
	SCHED_EXP,		/* range test: start*(end/start)^(i/(num-1)) */
	SCHED_LINEAR,		/* range test: start+(end-start)*i/(num-1) */
	SCHED_CONSTANT,		/* lr */
	SCHED_STEP,		/* lr*gamma^floor(i/step_size) */
	SCHED_COSINE,		/* linear warm-up, then cosine to min_lr */
	SCHED_ONECYCLE,		/* PyTorch OneCycleLR, cos, two phases */
	SCHED_TRIANGULAR,	/* Smith's cyclical policies */
	SCHED_TRIANGULAR2,
	SCHED_EXP_RANGE,
	SCHED_NMODES
};

/* Which parameters a mode reads (sched_uses()). */
enum {
	SCHED_P_START = 1 << 0,
	SCHED_P_END = 1 << 1,
	SCHED_P_RATIO = 1 << 2,
	SCHED_P_LR = 1 << 3,
	SCHED_P_MIN_LR = 1 << 4,
	SCHED_P_MAX_LR = 1 << 5,
	SCHED_P_BASE_LR = 1 << 6,
	SCHED_P_GAMMA = 1 << 7,
	SCHED_P_STEP_SIZE = 1 << 8,
	SCHED_P_WARMUP = 1 << 9,
	SCHED_P_PCT_START = 1 << 10,
	SCHED_P_DIV_FACTOR = 1 << 11,
	SCHED_P_FINAL_DIV_FACTOR = 1 << 12
};

#define SCHED_RANGE_NUM	100	/* default length of a range test */
#define SCHED_TRAIN_NUM	1000	/* default length of a training schedule */

struct sched {
	int	 mode;		/* SCHED_* */
	long	 num;		/* steps; 0: unbounded (exp only) */
	double	 start, end;	/* exp, linear: first and last lr */
	double	 ratio;		/* exp, num 0: factor per step; 0 means
				   (end/start)^(1/(SCHED_RANGE_NUM-1)) */
	double	 lr;		/* constant, step, cosine: the lr */
	double	 min_lr;	/* cosine: where the decay ends */
	double	 max_lr;	/* onecycle, cyclical: the peak */
	double	 base_lr;	/* cyclical: the floor */
	double	 gamma;		/* step: factor per step_size steps;
				   exp_range: factor per step */
	long	 step_size;	/* step: steps per decay; cyclical: half a
				   cycle */
	long	 warmup;	/* cosine: steps of linear warm-up */
	double	 pct_start;	/* onecycle: fraction of steps rising */
	double	 div_factor;	/* onecycle: initial lr = max_lr/div_factor */
	double	 final_div_factor;	/* onecycle: min lr = initial/this */

	/* Set by sched_init(). */
	double	 base;		/* exp: lr_i = start*base^(i/span) */
	double	 span;
};

/* The mode named s ("exp", "onecycle", "exp_range", ...), or -1. */
int sched_mode(const char *s);

/* The name of mode m ("exp", ...), or NULL if m is not a mode. */
const char *sched_name(int m);

/* The names of all modes separated by single blanks, for messages,
 * snprintf-style. */
int sched_names(char *buf, size_t size);

/* 1 if mode m is a training schedule, 0 for the range-test modes. */
int sched_training(int m);

/* The SCHED_P_* bits of the parameters mode m reads (num aside). */
int sched_uses(int m);

/*
 * Fill s with mode m and every parameter's default: start 1e-7, end 1,
 * num 100 for exp and linear, 1000 for the training modes, lr 0.01,
 * min_lr 0, max_lr 0.01, base_lr 0.001, gamma 0.1 (1 for exp_range),
 * step_size 100, warmup 0, pct_start 0.3, div_factor 25,
 * final_div_factor 1e4, ratio 0.
 */
void sched_defaults(struct sched *s, int m);

/*
 * Fill s with mode m and the parameters from a configuration: the finder
 * section (start_lr, end_lr, num_iter) for exp and linear, the scheduler
 * section (total_steps, lr, ...) for the training modes; a gamma of 0
 * there means the mode's default.  Reads fields only; never fails.
 */
void sched_config(struct sched *s, int m, const struct cfg *c);

/*
 * Check s and prepare it for sched_lr().  Returns 0, or -1 with a message
 * naming the mode, the parameter and its value ("exp: start must be > 0
 * (got 0)") for any parameter that is not finite or makes no sense.
 */
int sched_init(struct sched *s);

/*
 * The learning rate of step i (0 <= i, i < num unless num is 0), for an s
 * that sched_init() accepted.  exp and linear give start at step 0 and
 * end at step num-1 exactly.  An unbounded exp stream gives inf once
 * the lr overflows a double.
 */
double sched_lr(const struct sched *s, long i);

/*
 * Write the metadata line for s, without a newline, into buf of n bytes:
 * "#@ schedule mode=exp start=1e-07 end=1 num=100", the mode's own
 * parameters in its order.  Returns the length, as snprintf does.
 */
int sched_meta(char *buf, size_t n, const struct sched *s);

#endif
