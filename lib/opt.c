/*
 * opt.c - SGD, Adam, AdamW and RMSprop as torch.optim 1.13 computes them.
 *
 * Every update follows the operations of torch's single-tensor code path
 * in the same order, in float32: the scalars (lr, betas, 1 - beta, the
 * bias corrections) are computed in double, as Python does, and rounded
 * to float once, as torch does when it applies them to a float tensor.
 * The results then agree with torch to a few ulp; the remaining difference
 * is that torch's vector kernels fuse a + s*b into one FMA.
 *
 * The loops touch each parameter once, have no branch per element and run
 * in chunks of VW elements with a constant inner trip count, so that the
 * compiler vectorises them at -O2; the remainder runs one by one.  The
 * square roots vectorise only without errno (-fno-math-errno, set by the
 * Makefile); with errno each one is a scalar call, 4x slower.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "num.h"
#include "opt.h"

#define VW	16

/*
 * Inlined into opt_step, the loops lose their restrict pointers and GCC
 * leaves them scalar: each kernel stays a function of its own.  Where the
 * toolchain can dispatch at load time (GCC or clang, x86-64, glibc), each
 * is built for AVX-512, AVX2 and the baseline, and the best one the CPU
 * has runs (a cloned function is never inlined): Adam runs twice as fast
 * as with SSE2 alone.  Without FMA contraction (GCC's ISO C mode; the
 * pragma for clang) all the builds give the same bits.
 */
#ifdef __clang__
#pragma STDC FP_CONTRACT OFF
#endif
#if defined(__GNUC__) && defined(__x86_64__) && defined(__GLIBC__)
#define KERNEL	static \
	__attribute__((target_clones("avx512f", "avx2", "default"))) void
#elif defined(__GNUC__)
#define KERNEL	static __attribute__((noinline)) void
#else
#define KERNEL	static void
#endif

/* SGD, no momentum: d = g + wd*p; p += -lr*d */
static inline void
sgd1(float *restrict p, const float *restrict g, long i, float wd,
    float nlr)
{
	float d;

	d = g[i] + wd * p[i];
	p[i] = p[i] + nlr * d;
}

KERNEL
sgd(float *restrict p, const float *restrict g, long n, float wd,
    float nlr)
{
	long i, k;

	for (i = 0; i + VW <= n; i += VW)
		for (k = 0; k < VW; k++)
			sgd1(p, g, i + k, wd, nlr);
	for (; i < n; i++)
		sgd1(p, g, i, wd, nlr);
}

/*
 * SGD with momentum: b = mu*b + c*d, with c = 1 - dampening; at the first
 * step torch sets b = d, undamped, which is c = 1 on the zeroed buffer.
 * Then p += -lr*b, or for Nesterov p += -lr*(d + mu*b) with nmu = mu.
 */
static inline void
sgdm1(float *restrict p, const float *restrict g, float *restrict b, long i,
    float wd, float mu, float c, float nlr)
{
	float d;

	d = g[i] + wd * p[i];
	b[i] = b[i] * mu + c * d;
	p[i] = p[i] + nlr * b[i];
}

KERNEL
sgdm(float *restrict p, const float *restrict g, float *restrict b, long n,
    float wd, float mu, float c, float nlr)
{
	long i, k;

	for (i = 0; i + VW <= n; i += VW)
		for (k = 0; k < VW; k++)
			sgdm1(p, g, b, i + k, wd, mu, c, nlr);
	for (; i < n; i++)
		sgdm1(p, g, b, i, wd, mu, c, nlr);
}

static inline void
nesterov1(float *restrict p, const float *restrict g, float *restrict b,
    long i, float wd, float mu, float c, float nmu, float nlr)
{
	float d;

	d = g[i] + wd * p[i];
	b[i] = b[i] * mu + c * d;
	d = d + nmu * b[i];
	p[i] = p[i] + nlr * d;
}

KERNEL
nesterov(float *restrict p, const float *restrict g, float *restrict b,
    long n, float wd, float mu, float c, float nmu, float nlr)
{
	long i, k;

	for (i = 0; i + VW <= n; i += VW)
		for (k = 0; k < VW; k++)
			nesterov1(p, g, b, i + k, wd, mu, c, nmu, nlr);
	for (; i < n; i++)
		nesterov1(p, g, b, i, wd, mu, c, nmu, nlr);
}

/*
 * Adam and AdamW in one: p *= dec (AdamW: 1 - lr*wd, Adam: 1);
 * d = g + wd*p (Adam's L2 term; 0 for AdamW);
 * m = b1*m + c1*d; v = b2*v + (c2*d)*d;
 * p += (-lr/bc1 * m) / (sqrt(v)/sqrt(bc2) + eps).
 */
struct adam_k {
	float	 dec, wd, b1, c1, b2, c2, bc2s, eps, nss;
};

static inline void
adam1(float *restrict p, const float *restrict g, float *restrict m,
    float *restrict v, long i, const struct adam_k *k)
{
	float d, q;

	q = p[i] * k->dec;
	d = g[i] + k->wd * q;
	m[i] = m[i] * k->b1 + k->c1 * d;
	v[i] = v[i] * k->b2 + k->c2 * d * d;
	p[i] = q + k->nss * m[i] / (sqrtf(v[i]) / k->bc2s + k->eps);
}

KERNEL
adam(float *restrict p, const float *restrict g, float *restrict m,
    float *restrict v, long n, struct adam_k k)
{
	long i, j;

	for (i = 0; i + VW <= n; i += VW)
		for (j = 0; j < VW; j++)
			adam1(p, g, m, v, i + j, &k);
	for (; i < n; i++)
		adam1(p, g, m, v, i, &k);
}

/*
 * RMSprop: d = g + wd*p; v = a*v + ((1-a)*d)*d; s = sqrt(v) + eps;
 * without momentum p += (-lr*d)/s; with it b = mu*b + d/s, p += -lr*b.
 */
static inline void
rms1(float *restrict p, const float *restrict g, float *restrict v, long i,
    float wd, float a, float c, float eps, float nlr)
{
	float d;

	d = g[i] + wd * p[i];
	v[i] = v[i] * a + c * d * d;
	p[i] = p[i] + nlr * d / (sqrtf(v[i]) + eps);
}

KERNEL
rms(float *restrict p, const float *restrict g, float *restrict v, long n,
    float wd, float a, float c, float eps, float nlr)
{
	long i, k;

	for (i = 0; i + VW <= n; i += VW)
		for (k = 0; k < VW; k++)
			rms1(p, g, v, i + k, wd, a, c, eps, nlr);
	for (; i < n; i++)
		rms1(p, g, v, i, wd, a, c, eps, nlr);
}

static inline void
rmsm1(float *restrict p, const float *restrict g, float *restrict v,
    float *restrict b, long i, float wd, float a, float c, float eps,
    float mu, float nlr)
{
	float d;

	d = g[i] + wd * p[i];
	v[i] = v[i] * a + c * d * d;
	b[i] = b[i] * mu + d / (sqrtf(v[i]) + eps);
	p[i] = p[i] + nlr * b[i];
}

KERNEL
rmsm(float *restrict p, const float *restrict g, float *restrict v,
    float *restrict b, long n, float wd, float a, float c, float eps,
    float mu, float nlr)
{
	long i, k;

	for (i = 0; i + VW <= n; i += VW)
		for (k = 0; k < VW; k++)
			rmsm1(p, g, v, b, i + k, wd, a, c, eps, mu, nlr);
	for (; i < n; i++)
		rmsm1(p, g, v, b, i, wd, a, c, eps, mu, nlr);
}

/* One update, of n parameters p of a segment and their gradients g, at
 * the segment's learning rate slr; m and v are the parts of the moment
 * blocks that go with them (NULL where the optimizer keeps none). */
typedef void update_fn(const struct opt *o, float *p, const float *g,
    float *m, float *v, long n, double slr);

/* The optimizer's own words of its "#@ model" description. */
typedef void describe_fn(char *buf, size_t size, size_t *len,
    const struct opt *o);

static void
up_sgd(const struct opt *o, float *p, const float *g, float *m, float *v,
    long n, double slr)
{
	(void)v;
	if (o->momentum == 0)
		sgd(p, g, n, o->wd, -slr);
	else if (o->nesterov)
		nesterov(p, g, m, n, o->wd, o->momentum, o->t == 1 ? 1 :
		    1 - o->dampening, o->momentum, -slr);
	else
		sgdm(p, g, m, n, o->wd, o->momentum, o->t == 1 ? 1 :
		    1 - o->dampening, -slr);
}

/* Adam, and with decoupled weight decay AdamW. */
static void
adam_any(const struct opt *o, float *p, const float *g, float *m, float *v,
    long n, double slr, int decoupled)
{
	struct adam_k k;
	double bc1;

	bc1 = 1 - pow(o->beta1, (double)o->t);
	k.dec = decoupled ? 1 - slr * o->wd : 1;
	k.wd = decoupled ? 0 : o->wd;
	k.b1 = o->beta1;
	k.c1 = 1 - o->beta1;
	k.b2 = o->beta2;
	k.c2 = 1 - o->beta2;
	k.bc2s = sqrt(1 - pow(o->beta2, (double)o->t));
	k.eps = o->eps;
	k.nss = -(slr / bc1);
	adam(p, g, m, v, n, k);
}

static void
up_adam(const struct opt *o, float *p, const float *g, float *m, float *v,
    long n, double slr)
{
	adam_any(o, p, g, m, v, n, slr, 0);
}

static void
up_adamw(const struct opt *o, float *p, const float *g, float *m, float *v,
    long n, double slr)
{
	adam_any(o, p, g, m, v, n, slr, 1);
}

static void
up_rms(const struct opt *o, float *p, const float *g, float *m, float *v,
    long n, double slr)
{
	if (o->momentum == 0)
		rms(p, g, v, n, o->wd, o->alpha, 1 - o->alpha, o->eps, -slr);
	else
		rmsm(p, g, v, m, n, o->wd, o->alpha, 1 - o->alpha, o->eps,
		    o->momentum, -slr);
}

/* " key=value", the value as num_fmt writes it, snprintf-style at *len. */
static void
put(char *buf, size_t size, size_t *len, const char *key, double v)
{
	char num[32];
	int k;

	num_fmt(num, sizeof(num), v);
	k = snprintf(*len < size ? buf + *len : NULL, *len < size ?
	    size - *len : 0, " %s=%s", key, num);
	if (k > 0)
		*len += (size_t)k;
}

static void
say_sgd(char *buf, size_t size, size_t *len, const struct opt *o)
{
	put(buf, size, len, "momentum", o->momentum);
	put(buf, size, len, "dampening", o->dampening);
	put(buf, size, len, "nesterov", o->nesterov);
}

static void
say_adam(char *buf, size_t size, size_t *len, const struct opt *o)
{
	put(buf, size, len, "beta1", o->beta1);
	put(buf, size, len, "beta2", o->beta2);
	put(buf, size, len, "eps", o->eps);
}

static void
say_rms(char *buf, size_t size, size_t *len, const struct opt *o)
{
	put(buf, size, len, "alpha", o->alpha);
	put(buf, size, len, "eps", o->eps);
	put(buf, size, len, "momentum", o->momentum);
}

const char *const opt_names[OPT_N + 1] = {
	[OPT_SGD] = "sgd",
	[OPT_ADAM] = "adam",
	[OPT_ADAMW] = "adamw",
	[OPT_RMSPROP] = "rmsprop",
};

/* Each optimizer: its defaults, the moments it keeps, what it does. */
static const struct kind {
	double	 momentum;	/* momentum when the config leaves it unset */
	double	 wd;		/* weight_decay when unset */
	int	 m;		/* keeps m always (else only with a momentum) */
	int	 v;		/* keeps v */
	update_fn *update;
	describe_fn *describe;
} kinds[OPT_N] = {
	[OPT_SGD] = { 0.9, 0, 0, 0, up_sgd, say_sgd },
	[OPT_ADAM] = { 0, 0, 1, 1, up_adam, say_adam },
	[OPT_ADAMW] = { 0, 0.01, 1, 1, up_adamw, say_adam },
	[OPT_RMSPROP] = { 0, 0, 0, 1, up_rms, say_rms },
};

double
opt_momentum(const struct cfg_optimizer *c)
{
	if (c->momentum >= 0)
		return c->momentum;
	return c->name >= 0 && c->name < OPT_N ? kinds[c->name].momentum : 0;
}

double
opt_weight_decay(const struct cfg_optimizer *c)
{
	if (c->weight_decay >= 0)
		return c->weight_decay;
	return c->name >= 0 && c->name < OPT_N ? kinds[c->name].wd : 0;
}

int
opt_nmoments(const struct cfg_optimizer *c)
{
	if (c->name < 0 || c->name >= OPT_N)
		return 0;
	return (opt_momentum(c) > 0 || kinds[c->name].m) + kinds[c->name].v;
}

int
opt_describe(char *buf, size_t size, const struct opt *o)
{
	size_t len;
	int k;

	if (size > 0)
		buf[0] = '\0';
	k = snprintf(buf, size, "optimizer=%s", opt_names[o->kind]);
	len = k > 0 ? (size_t)k : 0;
	kinds[o->kind].describe(buf, size, &len, o);
	put(buf, size, &len, "weight_decay", o->wd);
	return (int)len;
}

static int
bad(const char *what, double v)
{
	return err_set("optimizer: %s %g is out of range", what, v);
}

/*
 * A moment block of n floats (one more: n may be 0), zeroed, 64-byte
 * aligned, its pages touched now rather than by the first step's update;
 * NULL if out of memory.
 */
static float *
moment(long n)
{
	void *p;

	if (posix_memalign(&p, 64, (size_t)(n + 1) * sizeof(float)) != 0)
		return NULL;
	memset(p, 0, (size_t)(n + 1) * sizeof(float));
	return p;
}

int
opt_init(struct opt *o, const struct cfg_optimizer *c,
    const struct opt_seg *seg, int nseg)
{
	int i, j, need_m, need_v;

	memset(o, 0, sizeof(*o));
	if (c->name < 0 || c->name >= OPT_N)
		return err_set("optimizer: unknown optimizer %d", c->name);
	if (!isfinite(c->momentum))
		return bad("momentum", c->momentum);
	if (!(c->dampening >= 0 && c->dampening <= 1))
		return bad("dampening", c->dampening);
	if (!isfinite(c->weight_decay))
		return bad("weight_decay", c->weight_decay);
	if (!(c->betas[0] >= 0 && c->betas[0] < 1))
		return bad("beta1", c->betas[0]);
	if (!(c->betas[1] >= 0 && c->betas[1] < 1))
		return bad("beta2", c->betas[1]);
	if (!isfinite(c->eps) || c->eps < 0)
		return bad("eps", c->eps);
	if (!(c->alpha >= 0 && c->alpha <= 1))
		return bad("alpha", c->alpha);
	if (c->name == OPT_SGD && c->nesterov &&
	    (opt_momentum(c) <= 0 || c->dampening != 0))
		return err_set("optimizer: nesterov needs a momentum and "
		    "zero dampening");
	if (nseg < 0)
		return err_set("optimizer: %d segments", nseg);
	for (i = 0; i < nseg; i++) {
		if (seg[i].off < 0 || seg[i].n < 0)
			return err_set("optimizer: segment %d at %ld has %ld "
			    "parameters", i, seg[i].off, seg[i].n);
		if (!isfinite(seg[i].lr_mult) || seg[i].lr_mult < 0)
			return bad("lr_mult", seg[i].lr_mult);
		for (j = 0; j < i; j++)
			if (seg[i].off < seg[j].off + seg[j].n &&
			    seg[j].off < seg[i].off + seg[i].n)
				return err_set("optimizer: segments %d and %d "
				    "overlap", j, i);
		o->n += seg[i].n;
	}

	o->kind = c->name;
	o->momentum = opt_momentum(c);
	o->dampening = c->dampening;
	o->nesterov = c->nesterov;
	o->wd = opt_weight_decay(c);
	o->beta1 = c->betas[0];
	o->beta2 = c->betas[1];
	o->eps = c->eps;
	o->alpha = c->alpha;

	need_m = o->momentum > 0 || kinds[o->kind].m;
	need_v = kinds[o->kind].v;
	if (nseg > 0 && (o->seg = malloc(nseg * sizeof(*seg))) == NULL)
		goto nomem;
	if (nseg > 0)
		memcpy(o->seg, seg, nseg * sizeof(*seg));
	o->nseg = nseg;
	if (need_m && (o->m = moment(o->n)) == NULL)
		goto nomem;
	if (need_v && (o->v = moment(o->n)) == NULL)
		goto nomem;
	return 0;
nomem:
	err_set("optimizer: out of memory for %ld parameters", o->n);
	opt_free(o);
	return -1;
}

void
opt_step(struct opt *o, float *p, const float *g, double lr)
{
	opt_begin(o);
	opt_update(o, p, g, lr, 0, o->n);
}

void
opt_begin(struct opt *o)
{
	o->t++;
}

void
opt_update(struct opt *o, float *p, const float *g, double lr, long lo,
    long hi)
{
	double slr;
	float *ps;
	const float *gs;
	long n, off, a, e, mo;
	int s;

	for (s = 0, off = 0; s < o->nseg; off += o->seg[s].n, s++) {
		/* this segment's part of [lo, hi): [off + a, off + e) */
		a = lo > off ? lo - off : 0;
		e = hi < off + o->seg[s].n ? hi - off : o->seg[s].n;
		if (a >= e)
			continue;
		n = e - a;
		ps = p + o->seg[s].off + a;
		gs = g + o->seg[s].off + a;
		mo = off + a;	/* in the moment blocks */
		slr = lr * o->seg[s].lr_mult;
		kinds[o->kind].update(o, ps, gs, o->m != NULL ? o->m + mo :
		    NULL, o->v != NULL ? o->v + mo : NULL, n, slr);
	}
}

void
opt_update_at(struct opt *o, float *p, const float *g, double lr, long off,
    long n)
{
	long base;
	int s;

	for (s = 0, base = 0; s < o->nseg; base += o->seg[s].n, s++)
		if (off >= o->seg[s].off && off < o->seg[s].off + o->seg[s].n)
			break;
	if (s == o->nseg || n <= 0)
		return;
	base += off - o->seg[s].off;
	opt_update(o, p, g, lr, base, base + n);
}

void
opt_reset(struct opt *o)
{
	o->t = 0;
	if (o->m != NULL)
		memset(o->m, 0, o->n * sizeof(float));
	if (o->v != NULL)
		memset(o->v, 0, o->n * sizeof(float));
}

void
opt_free(struct opt *o)
{
	free(o->seg);
	free(o->m);
	free(o->v);
	o->seg = NULL;
	o->m = o->v = NULL;
	o->nseg = 0;
	o->n = 0;
}
