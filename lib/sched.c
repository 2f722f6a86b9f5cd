/*
 * sched.c - learning-rate schedules as closed forms of the step number.
 *
 * The training modes follow the definitions they are named after:
 * step is PyTorch's StepLR; cosine is LinearLR(start_factor=1/(W+1),
 * total_iters=W) followed by CosineAnnealingLR(T_max=num-W) (so no step
 * has lr 0); onecycle is OneCycleLR(anneal_strategy='cos',
 * three_phase=False); triangular, triangular2 and exp_range are the
 * policies of L. N. Smith, "Cyclical Learning Rates for Training Neural
 * Networks" (2017), which are also PyTorch's CyclicLR.
 */
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "cfg.h"
#include "err.h"
#include "names.h"
#include "num.h"
#include "sched.h"

#define PI	3.14159265358979323846	/* the double nearest pi, as math.pi */

static const char *const names[SCHED_NMODES + 1] = {
	"exp", "linear", "constant", "step", "cosine", "onecycle",
	"triangular", "triangular2", "exp_range", NULL
};

static const int uses[SCHED_NMODES] = {
	[SCHED_EXP] = SCHED_P_START | SCHED_P_END | SCHED_P_RATIO,
	[SCHED_LINEAR] = SCHED_P_START | SCHED_P_END,
	[SCHED_CONSTANT] = SCHED_P_LR,
	[SCHED_STEP] = SCHED_P_LR | SCHED_P_STEP_SIZE | SCHED_P_GAMMA,
	[SCHED_COSINE] = SCHED_P_LR | SCHED_P_WARMUP | SCHED_P_MIN_LR,
	[SCHED_ONECYCLE] = SCHED_P_MAX_LR | SCHED_P_PCT_START |
	    SCHED_P_DIV_FACTOR | SCHED_P_FINAL_DIV_FACTOR,
	[SCHED_TRIANGULAR] = SCHED_P_BASE_LR | SCHED_P_MAX_LR |
	    SCHED_P_STEP_SIZE,
	[SCHED_TRIANGULAR2] = SCHED_P_BASE_LR | SCHED_P_MAX_LR |
	    SCHED_P_STEP_SIZE,
	[SCHED_EXP_RANGE] = SCHED_P_BASE_LR | SCHED_P_MAX_LR |
	    SCHED_P_STEP_SIZE | SCHED_P_GAMMA
};

int
sched_mode(const char *s)
{
	int m;

	for (m = 0; m < SCHED_NMODES; m++)
		if (strcmp(s, names[m]) == 0)
			return m;
	return -1;
}

const char *
sched_name(int m)
{
	if (m < 0 || m >= SCHED_NMODES)
		return NULL;
	return names[m];
}

int
sched_names(char *buf, size_t size)
{
	return names_join(buf, size, names, SCHED_NMODES, " ", " ");
}

int
sched_training(int m)
{
	return m != SCHED_EXP && m != SCHED_LINEAR;
}

int
sched_uses(int m)
{
	if (m < 0 || m >= SCHED_NMODES)
		return 0;
	return uses[m];
}

void
sched_defaults(struct sched *s, int m)
{
	memset(s, 0, sizeof(*s));
	s->mode = m;
	s->num = sched_training(m) ? SCHED_TRAIN_NUM : SCHED_RANGE_NUM;
	s->start = 1e-7;
	s->end = 1;
	s->ratio = 0;
	s->lr = 0.01;
	s->min_lr = 0;
	s->max_lr = 0.01;
	s->base_lr = 0.001;
	s->gamma = m == SCHED_EXP_RANGE ? 1 : 0.1;
	s->step_size = 100;
	s->warmup = 0;
	s->pct_start = 0.3;
	s->div_factor = 25;
	s->final_div_factor = 1e4;
}

void
sched_config(struct sched *s, int m, const struct cfg *c)
{
	const struct cfg_scheduler *k = &c->scheduler;

	sched_defaults(s, m);
	if (!sched_training(m)) {
		s->start = c->finder.start_lr;
		s->end = c->finder.end_lr;
		s->num = c->finder.num_iter;
		return;
	}
	s->num = k->total_steps;
	s->lr = k->lr;
	s->min_lr = k->min_lr;
	s->max_lr = k->max_lr;
	s->base_lr = k->base_lr;
	if (k->gamma != 0)		/* 0: the mode's own default */
		s->gamma = k->gamma;
	s->step_size = k->step_size;
	s->warmup = k->warmup;
	s->pct_start = k->pct_start;
	s->div_factor = k->div_factor;
	s->final_div_factor = k->final_div_factor;
}

/* %.9g, as the records print numbers. */
static const char *
fmt(char *buf, double v)
{
	num_fmt(buf, 32, v);
	return buf;
}

/* v must be finite and > 0. */
static int
positive(const struct sched *s, const char *what, double v)
{
	char b[32];

	if (!isfinite(v))
		return err_set("%s: %s is not finite (got %s)",
		    names[s->mode], what, fmt(b, v));
	if (v <= 0)
		return err_set("%s: %s must be > 0 (got %s)", names[s->mode],
		    what, fmt(b, v));
	return 0;
}

/* The first and last steps must have a positive, finite lr. */
static int
ends(const struct sched *s)
{
	char b[32];
	double lr;
	long i[2];
	int k;

	i[0] = 0;
	i[1] = s->num - 1;
	for (k = 0; k < 2; k++) {
		lr = sched_lr(s, i[k]);
		if (!isfinite(lr) || lr <= 0)
			return err_set("%s: the lr at step %ld is %s, not a "
			    "positive finite number", names[s->mode], i[k],
			    fmt(b, lr));
	}
	return 0;
}

int
sched_init(struct sched *s)
{
	char b[32], c[32];
	const char *name;

	if (s->mode < 0 || s->mode >= SCHED_NMODES)
		return err_set("mode %d is not a schedule", s->mode);
	name = names[s->mode];
	if (s->num == 0 && s->mode != SCHED_EXP)
		return err_set("%s: num 0 (an unbounded stream) is for mode "
		    "exp only", name);
	if (s->num < 0 || s->num == 1)
		return err_set("%s: num must be %sat least 2 (got %ld)", name,
		    s->mode == SCHED_EXP ? "0 (unbounded) or " : "", s->num);
	if (s->ratio != 0 && (s->mode != SCHED_EXP || s->num != 0))
		return err_set("%s: ratio is for an unbounded exp stream "
		    "(num 0) only", name);
	s->base = 0;
	s->span = 0;

	switch (s->mode) {
	case SCHED_EXP:
	case SCHED_LINEAR:
		if (positive(s, "start", s->start) < 0)
			return -1;
		if (s->num == 0 && s->ratio != 0) {
			if (!isfinite(s->ratio) || s->ratio <= 1)
				return err_set("exp: ratio must be > 1 "
				    "(got %s)", fmt(b, s->ratio));
			s->base = s->ratio;
			s->span = 1;
			break;
		}
		if (!isfinite(s->end))
			return err_set("%s: end is not finite (got %s)", name,
			    fmt(b, s->end));
		if (s->end <= s->start)
			return err_set("%s: end must be > start (got start=%s "
			    "end=%s)", name, fmt(b, s->start),
			    fmt(c, s->end));
		if (s->mode == SCHED_LINEAR)
			break;
		s->base = s->end / s->start;
		s->span = s->num ? s->num - 1 : SCHED_RANGE_NUM - 1;
		if (!isfinite(s->base))
			return err_set("%s: end/start overflows (start=%s "
			    "end=%s)", name, fmt(b, s->start),
			    fmt(c, s->end));
		break;
	case SCHED_CONSTANT:
		if (positive(s, "lr", s->lr) < 0)
			return -1;
		break;
	case SCHED_STEP:
		if (positive(s, "lr", s->lr) < 0 ||
		    positive(s, "gamma", s->gamma) < 0)
			return -1;
		if (s->step_size < 1)
			return err_set("step: step_size must be at least 1 "
			    "(got %ld)", s->step_size);
		break;
	case SCHED_COSINE:
		if (positive(s, "lr", s->lr) < 0)
			return -1;
		if (!isfinite(s->min_lr) || s->min_lr < 0 ||
		    s->min_lr > s->lr)
			return err_set("cosine: min_lr must lie in [0, lr] "
			    "(got min_lr=%s lr=%s)", fmt(b, s->min_lr),
			    fmt(c, s->lr));
		if (s->warmup < 0 || s->warmup >= s->num)
			return err_set("cosine: warmup must lie in [0, num) "
			    "(got warmup=%ld num=%ld)", s->warmup, s->num);
		break;
	case SCHED_ONECYCLE:
		if (positive(s, "max_lr", s->max_lr) < 0)
			return -1;
		if (!isfinite(s->pct_start) || s->pct_start <= 0 ||
		    s->pct_start >= 1)
			return err_set("onecycle: pct_start must lie in "
			    "(0, 1) (got %s)", fmt(b, s->pct_start));
		if (s->pct_start * s->num <= 1)
			return err_set("onecycle: the rising phase "
			    "pct_start*num-1 = %s must be > 0 steps "
			    "(pct_start=%s num=%ld)",
			    fmt(b, s->pct_start * s->num - 1),
			    fmt(c, s->pct_start), s->num);
		if (!isfinite(s->div_factor) || s->div_factor < 1)
			return err_set("onecycle: div_factor must be >= 1 "
			    "(got %s)", fmt(b, s->div_factor));
		if (!isfinite(s->final_div_factor) ||
		    s->final_div_factor < 1)
			return err_set("onecycle: final_div_factor must be "
			    ">= 1 (got %s)", fmt(b, s->final_div_factor));
		break;
	case SCHED_TRIANGULAR:
	case SCHED_TRIANGULAR2:
	case SCHED_EXP_RANGE:
		if (positive(s, "base_lr", s->base_lr) < 0 ||
		    positive(s, "max_lr", s->max_lr) < 0)
			return -1;
		if (s->max_lr < s->base_lr)
			return err_set("%s: max_lr must be >= base_lr (got "
			    "base_lr=%s max_lr=%s)", name, fmt(b, s->base_lr),
			    fmt(c, s->max_lr));
		if (s->step_size < 1)
			return err_set("%s: step_size must be at least 1 "
			    "(got %ld)", name, s->step_size);
		if (s->mode == SCHED_EXP_RANGE && (!isfinite(s->gamma) ||
		    s->gamma <= 0 || s->gamma > 1))
			return err_set("exp_range: gamma must lie in (0, 1] "
			    "(got %s)", fmt(b, s->gamma));
		break;
	}
	if (s->num > 0)
		return ends(s);
	return 0;
}

/* PyTorch's _annealing_cos: from start at pct 0 to end at pct 1. */
static double
anneal_cos(double start, double end, double pct)
{
	return end + (start - end) / 2.0 * (cos(PI * pct) + 1);
}

/* OneCycleLR.get_lr() at step i. */
static double
onecycle(const struct sched *s, long i)
{
	double initial, min, e1, e2;

	initial = s->max_lr / s->div_factor;
	min = initial / s->final_div_factor;
	e1 = s->pct_start * s->num - 1;	/* phase 1 ends here */
	e2 = s->num - 1;		/* phase 2 ends here */
	if (i <= e1)
		return anneal_cos(initial, s->max_lr, i / e1);
	return anneal_cos(s->max_lr, min, (i - e1) / (e2 - e1));
}

/* Smith's triangle: base + (max-base)*max(0, 1-x)*scale. */
static double
cyclic(const struct sched *s, long i)
{
	double cycle, x, scale;

	cycle = floor(1 + i / (2.0 * s->step_size));
	x = fabs((double)i / s->step_size - 2 * cycle + 1);
	switch (s->mode) {
	case SCHED_TRIANGULAR2:
		scale = 1 / pow(2, cycle - 1);
		break;
	case SCHED_EXP_RANGE:
		scale = pow(s->gamma, i);
		break;
	default:
		scale = 1;
		break;
	}
	return s->base_lr + (s->max_lr - s->base_lr) * fmax(0, 1 - x) * scale;
}

double
sched_lr(const struct sched *s, long i)
{
	double g;
	long w;

	switch (s->mode) {
	case SCHED_EXP:
		if (i == 0)
			return s->start;
		if (s->ratio == 0 && i == (long)s->span)
			return s->end;
		g = pow(s->base, i / s->span);
		if (isinf(g))	/* start*g may still be finite */
			return exp(log(s->start) + i / s->span * log(s->base));
		return s->start * g;
	case SCHED_LINEAR:
		if (i == s->num - 1)
			return s->end;
		return s->start + i * ((s->end - s->start) / (s->num - 1));
	case SCHED_CONSTANT:
		return s->lr;
	case SCHED_STEP:
		return s->lr * pow(s->gamma, i / s->step_size);
	case SCHED_COSINE:
		w = s->warmup;
		if (i < w)
			return s->lr * (i + 1) / (w + 1);
		return s->min_lr + (s->lr - s->min_lr) *
		    (1 + cos(PI * (i - w) / (s->num - w))) / 2;
	case SCHED_ONECYCLE:
		return onecycle(s, i);
	case SCHED_TRIANGULAR:
	case SCHED_TRIANGULAR2:
	case SCHED_EXP_RANGE:
		return cyclic(s, i);
	}
	return NAN;
}

/* Append to buf as snprintf would, keeping the length that was needed. */
static void __attribute__((format(printf, 4, 5)))
put(char *buf, size_t n, size_t *len, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vsnprintf(*len < n ? buf + *len : NULL, *len < n ? n - *len : 0,
	    fmt, ap);
	va_end(ap);
	if (r > 0)
		*len += r;
}

int
sched_meta(char *buf, size_t n, const struct sched *s)
{
	/* The keys in the order they are written; num is always there. */
	static const struct {
		int	 bit;
		const char *key;
		size_t	 off;
		int	 integer;
	} keys[] = {
		{ SCHED_P_START, "start", offsetof(struct sched, start), 0 },
		{ SCHED_P_END, "end", offsetof(struct sched, end), 0 },
		{ SCHED_P_LR, "lr", offsetof(struct sched, lr), 0 },
		{ SCHED_P_BASE_LR, "base_lr", offsetof(struct sched, base_lr),
		    0 },
		{ SCHED_P_MAX_LR, "max_lr", offsetof(struct sched, max_lr), 0 },
		{ 0, "num", offsetof(struct sched, num), 1 },
		{ SCHED_P_RATIO, "ratio", offsetof(struct sched, ratio), 0 },
		{ SCHED_P_STEP_SIZE, "step_size",
		    offsetof(struct sched, step_size), 1 },
		{ SCHED_P_GAMMA, "gamma", offsetof(struct sched, gamma), 0 },
		{ SCHED_P_WARMUP, "warmup", offsetof(struct sched, warmup), 1 },
		{ SCHED_P_MIN_LR, "min_lr", offsetof(struct sched, min_lr), 0 },
		{ SCHED_P_PCT_START, "pct_start",
		    offsetof(struct sched, pct_start), 0 },
		{ SCHED_P_DIV_FACTOR, "div_factor",
		    offsetof(struct sched, div_factor), 0 },
		{ SCHED_P_FINAL_DIV_FACTOR, "final_div_factor",
		    offsetof(struct sched, final_div_factor), 0 },
	};
	const char *p;
	char b[32];
	size_t k, len;
	double v;
	int use;

	use = sched_uses(s->mode);
	if (s->mode == SCHED_EXP) {
		if (s->num != 0)
			use &= ~SCHED_P_RATIO;
		else if (s->ratio != 0)
			use &= ~SCHED_P_END;
	}
	if (n > 0)
		buf[0] = '\0';
	len = 0;
	put(buf, n, &len, "#@ schedule mode=%s", sched_name(s->mode));
	for (k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
		if (keys[k].bit != 0 && !(use & keys[k].bit))
			continue;
		p = (const char *)s + keys[k].off;
		if (keys[k].integer) {
			put(buf, n, &len, " %s=%ld", keys[k].key,
			    *(const long *)p);
			continue;
		}
		memcpy(&v, p, sizeof(v));
		if (keys[k].bit == SCHED_P_RATIO && v == 0)
			v = pow(s->end / s->start, 1.0 / (SCHED_RANGE_NUM - 1));
		num_fmt(b, sizeof(b), v);
		put(buf, n, &len, " %s=%s", keys[k].key, b);
	}
	return (int)len;
}
