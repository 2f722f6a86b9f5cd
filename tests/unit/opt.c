/*
 * Unit tests for the optimizers (lib/opt.c): the first updates worked by
 * hand, then three steps of each configuration against numbers printed
 * once by torch.optim 1.13 (float32 tensors, the same gradients, the lr
 * changed before each step as a range test does).
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "err.h"
#include "opt.h"
#include "tol.h"

/*
 * The tolerances.  After T steps a parameter is p_0 (times AdamW's decay
 * factors) plus the T updates s_t, each computed in float32 (lib/opt.c,
 * no FMA); mag = |p_0| + sum_t |s_t|, measured step by step.  Roundings
 * per term, a decimal input (g, p_0) or a float constant (lr, wd, beta,
 * 1 - beta, eps, the bias corrections) one each:
 *	d = g + wd p: 4.  Adam's m: made with 2 (c1, the product), then 3
 *	per later step (beta, its product, the add): <= 3T, and d's 4.
 *	v: d twice (8), made with 4, then 3 per step: <= 3T + 9; its sqrt
 *	halves that and adds 1, / bc2s 2, + eps 1: <= 1.5T + 8.5.
 *	-lr / bc1, times m, divided: 3.  Into p: the add, then AdamW's
 *	decay (2) and the add per later step: <= 3T - 2.
 * Adam: 4 + 3T + 1.5T + 8.5 + 3 + 3T - 2 = 7.5T + 13.5, the most (SGD
 * with momentum or Nesterov 4T + 12, RMSprop with momentum 5.5T + 11.5;
 * p_0 passes 3T).  So each term is within gamma_K of its exact value,
 * K = OPT_K(T) = 8T + 14, and p within gamma_K mag.  Against a value
 * worked by hand: tol_gamma(K) mag + HAND (the hand values are rounded
 * to 8 decimals, and Adam's leave out eps's share lr eps / |g| <= 5e-9
 * of a step: <= 1.5e-8 in all).  Against torch's float32 result, another
 * evaluation of the same terms printed with 9 digits: tol_sum(K, mag) +
 * PRINT.  (Weight decay feeds p's error back into d scaled by wd lr <=
 * 0.005: second order.)  A wrong formula moves p by a part of a step,
 * 1e-4 of mag and more, far above gamma_38 = 2.3e-6.
 */
#define OPT_K(T)	(8.0 * (T) + 14)
#define HAND		1.5e-8
#define PRINT		5e-9	/* '%.9g' of a value below 10 */

/* p, after T steps of terms of magnitude mag, is the hand value want */
static int
is_hand(float p, double want, int T, double mag, const char *name)
{
	return is_double(p, want, tol_gamma(OPT_K(T)) * mag + HAND, name);
}

static struct cfg_optimizer
conf(int name)
{
	struct cfg_optimizer c;

	/* the lrf-config(5) defaults, momentum off */
	memset(&c, 0, sizeof(c));
	c.name = name;
	c.momentum = 0;
	c.dampening = 0;
	c.nesterov = 0;
	c.weight_decay = -1;
	c.betas[0] = 0.9;
	c.betas[1] = 0.999;
	c.eps = 1e-8;
	c.alpha = 0.99;
	return c;
}

/* mag (n) += |p - q| over n parameters: one step's updates */
static void
addsteps(double *mag, const float *p, const float *q, int n)
{
	int i;

	for (i = 0; i < n; i++)
		mag[i] += fabs((double)p[i] - q[i]);
}

/*
 * p = {1, -2, 0.5}, then n steps at lr with g = {0.1, -0.2, 0.3} each
 * time; mag (3) = |p_0| + sum |steps| (static: is3 reads it).
 */
static int nsteps;
static double mag3[3];

static void
hand(const struct cfg_optimizer *c, int n, double lr, float *p)
{
	static const float g[3] = { 0.1f, -0.2f, 0.3f };
	struct opt_seg seg = { 0, 3, 1 };
	struct opt o;
	float q[3];
	int i;

	p[0] = 1, p[1] = -2, p[2] = 0.5f;
	nsteps = n;
	for (i = 0; i < 3; i++)
		mag3[i] = fabs(p[i]);
	if (opt_init(&o, c, &seg, 1) < 0) {
		diag("opt_init: %s", err_msg());
		return;
	}
	for (i = 0; i < n; i++) {
		memcpy(q, p, sizeof(q));
		opt_step(&o, p, g, lr);
		addsteps(mag3, p, q, 3);
	}
	opt_free(&o);
}

/* the last hand() against the values worked by hand */
static void
is3(const float *p, double a, double b, double c, const char *name)
{
	char buf[128];

	snprintf(buf, sizeof(buf), "%s [0]", name);
	is_hand(p[0], a, nsteps, mag3[0], buf);
	snprintf(buf, sizeof(buf), "%s [1]", name);
	is_hand(p[1], b, nsteps, mag3[1], buf);
	snprintf(buf, sizeof(buf), "%s [2]", name);
	is_hand(p[2], c, nsteps, mag3[2], buf);
}

/*
 * The torch comparison: five parameters, three steps.  The numbers were
 * printed by torch 1.13 with float32 tensors, for each configuration:
 *	q = torch.nn.Parameter(torch.tensor(P0))  (one per segment)
 *	o = torch.optim.X([{'params': [q], 'lr': LR[0] * lr_mult}], ...)
 *	for t in 0, 1, 2: group lr = LR[t] * lr_mult; q.grad = G[t]; o.step()
 *	print('%.9g' % v for v in q)
 */
static const float P0[5] = { 0.5f, -1.25f, 2.0f, 0.75f, -0.3f };
static const float G[3][5] = {
	{ 0.1f, -0.2f, 0.3f, 0.05f, -0.4f },
	{ 0.3f, 0.1f, -0.2f, 0.02f, -0.5f },
	{ -0.2f, 0.25f, 0.1f, 0.07f, -0.1f },
};
static const double LR[3] = { 0.01, 0.02, 0.05 };

static void
torch(const struct cfg_optimizer *c, const struct opt_seg *seg, int nseg,
    const double *want, const char *name)
{
	struct opt_seg all = { 0, 5, 1 };
	struct opt o;
	float p[5], q[5];
	double mag[5];
	char buf[128];
	int i, t;

	if (seg == NULL)
		seg = &all, nseg = 1;
	memcpy(p, P0, sizeof(p));
	for (i = 0; i < 5; i++)
		mag[i] = fabs(p[i]);
	if (opt_init(&o, c, seg, nseg) < 0) {
		diag("opt_init: %s", err_msg());
		return;
	}
	for (t = 0; t < 3; t++) {
		memcpy(q, p, sizeof(q));
		opt_step(&o, p, G[t], LR[t]);
		addsteps(mag, p, q, 5);
	}
	opt_free(&o);
	/* two float32 evaluations of 3 steps (see the top) */
	for (i = 0; i < 5; i++) {
		snprintf(buf, sizeof(buf), "torch: %s [%d]", name, i);
		is_double(p[i], want[i], tol_sum(OPT_K(3), mag[i]) + PRINT,
		    buf);
	}
}

int
main(void)
{
	struct cfg_optimizer c;
	struct opt_seg seg[2];
	struct opt o;
	float p[6], q[6], g[6];
	int i;

	plan(206);

	/* SGD: p -= lr*g */
	c = conf(OPT_SGD);
	hand(&c, 1, 0.1, p);
	is3(p, 0.99, -1.98, 0.47, "sgd step 1: p - 0.1*g");
	hand(&c, 2, 0.1, p);
	is3(p, 0.98, -1.96, 0.44, "sgd step 2");

	/*
	 * momentum 0.9, lr 0.1: b1 = g (torch copies the first gradient;
	 * the dampening case tells the two apart), p1 = p - 0.1g
	 * = {0.99, -1.98, 0.47};
	 * b2 = 0.9g + g = 1.9g, p2 = p1 - 0.19g = {0.971, -1.942, 0.413};
	 * b3 = 0.9*1.9g + g = 2.71g, p3 = p2 - 0.271g
	 * = {0.9439, -1.8878, 0.3317}
	 */
	c = conf(OPT_SGD);
	c.momentum = 0.9;
	hand(&c, 1, 0.1, p);
	is3(p, 0.99, -1.98, 0.47, "momentum step 1: b = g");
	hand(&c, 2, 0.1, p);
	is3(p, 0.971, -1.942, 0.413, "momentum step 2: b = 1.9g");
	hand(&c, 3, 0.1, p);
	is3(p, 0.9439, -1.8878, 0.3317, "momentum step 3: b = 2.71g");

	/*
	 * dampening 0.5: b1 = g, undamped (torch clones the gradient);
	 * b2 = 0.9g + 0.5g = 1.4g, p2 = 0.99 - 0.014 = 0.976 ...;
	 * b3 = 0.9*1.4g + 0.5g = 1.76g, p3 = p2 - 0.176g
	 */
	c.dampening = 0.5;
	hand(&c, 1, 0.1, p);
	is3(p, 0.99, -1.98, 0.47, "dampening step 1: b = g undamped");
	hand(&c, 2, 0.1, p);
	is3(p, 0.976, -1.952, 0.428, "dampening step 2: b = 1.4g");
	hand(&c, 3, 0.1, p);
	is3(p, 0.9584, -1.9168, 0.3752, "dampening step 3: b = 1.76g");

	/*
	 * nesterov 0.9: b1 = g, d = g + 0.9b1 = 1.9g, p1 = p - 0.19g
	 * = {0.981, -1.962, 0.443}; b2 = 1.9g, d = g + 0.9*1.9g = 2.71g,
	 * p2 = p1 - 0.271g = {0.9539, -1.9078, 0.3617}
	 */
	c = conf(OPT_SGD);
	c.momentum = 0.9;
	c.nesterov = 1;
	hand(&c, 1, 0.1, p);
	is3(p, 0.981, -1.962, 0.443, "nesterov step 1: d = 1.9g");
	hand(&c, 2, 0.1, p);
	is3(p, 0.9539, -1.9078, 0.3617, "nesterov step 2: d = 2.71g");

	/*
	 * weight decay 0.1, no momentum: d1 = g + 0.1p = {0.2, -0.4, 0.35},
	 * p1 = {0.98, -1.96, 0.465}; d2 = {0.198, -0.396, 0.3465},
	 * p2 = {0.9602, -1.9204, 0.43035}
	 */
	c = conf(OPT_SGD);
	c.weight_decay = 0.1;
	hand(&c, 1, 0.1, p);
	is3(p, 0.98, -1.96, 0.465, "sgd weight decay step 1");
	hand(&c, 2, 0.1, p);
	is3(p, 0.9602, -1.9204, 0.43035, "sgd weight decay step 2");

	/*
	 * Adam, lr 0.1, constant g: m_t/bc1 = g and v_t/bc2 = g^2 at every
	 * step, so each step moves lr*g/(|g| + 1e-8): 0.1*0.1/0.10000001
	 * = 0.09999999 for p[0] (eps matters less for the larger |g|);
	 * without the bias correction step 1 would
	 * move 0.01/sqrt(1e-5) = 3.16.
	 */
	c = conf(OPT_ADAM);
	hand(&c, 1, 0.1, p);
	is3(p, 0.90000001, -1.9, 0.4, "adam step 1: lr*sign(g)");
	hand(&c, 2, 0.1, p);
	is3(p, 0.80000002, -1.8, 0.3, "adam step 2");

	/*
	 * Adam with g1 = 0.1, g2 = 0.3 (p[0] = 1, lr 0.1):
	 * m2 = 0.9*0.01 + 0.1*0.3 = 0.039, bc1 = 1 - 0.81 = 0.19,
	 * mhat = 0.20526316; v2 = 0.999*1e-5 + 0.001*0.09 = 9.999e-5,
	 * bc2 = 1 - 0.998001 = 0.001999, vhat = 0.05002001,
	 * sqrt = 0.22365154; p2 = 0.90000001 - 0.1*0.20526316/0.22365155
	 * = 0.90000001 - 0.09177811 = 0.80822190
	 */
	{
		struct opt_seg s1 = { 0, 1, 1 };
		float g1 = 0.1f, g2 = 0.3f, x = 1;

		/* two steps of 0.1 and 0.0918 from 1 */
		opt_init(&o, &c, &s1, 1);
		opt_step(&o, &x, &g1, 0.1);
		opt_step(&o, &x, &g2, 0.1);
		opt_free(&o);
		is_hand(x, 0.8082219022, 2, 1 + 0.1 + 0.0918,
		    "adam bias correction, step 2");
	}

	/*
	 * AdamW with the default weight decay 0.01, lr 0.1: p *= 0.999
	 * first, then the Adam step of lr*sign(g): p1 = {0.999 - 0.1,
	 * -1.998 + 0.1, 0.4995 - 0.1}; p2 = {0.899*0.999 - 0.1,
	 * -1.898*0.999 + 0.1, 0.3995*0.999 - 0.1}
	 */
	c = conf(OPT_ADAMW);
	hand(&c, 1, 0.1, p);
	is3(p, 0.89900001, -1.898, 0.3995, "adamw step 1: decay, then adam");
	hand(&c, 2, 0.1, p);
	is3(p, 0.79810102, -1.796102, 0.2991005, "adamw step 2");
	c.weight_decay = 0;
	hand(&c, 1, 0.1, p);
	is3(p, 0.90000001, -1.9, 0.4, "adamw weight_decay 0 is adam");

	/*
	 * RMSprop, lr 0.01, alpha 0.99: v1 = 0.01g^2, sqrt = 0.1|g|,
	 * p1 = p - 0.01*g/(0.1|g| + 1e-8): 0.0999999 for p[0] (|g| = 0.1),
	 * 0.09999995 for p[1], 0.09999997 for p[2]; v2 = 0.0199g^2,
	 * sqrt = 0.14106736|g|, p2 = p1 - 0.01*g/(0.14106736|g| + 1e-8):
	 * 0.07088807 for p[0], 0.07088810 for p[1], 0.07088810 for p[2]
	 */
	c = conf(OPT_RMSPROP);
	hand(&c, 1, 0.01, p);
	is3(p, 0.9000001, -1.90000005, 0.40000003, "rmsprop step 1");
	hand(&c, 2, 0.01, p);
	is3(p, 0.82911203, -1.82911195, 0.32911193, "rmsprop step 2");

	/*
	 * with momentum 0.9: b1 = g/(0.1|g| + 1e-8) = 9.999990 sign(g) for
	 * p[0], p1 = p - 0.01*b1 as above; b2 = 0.9*b1 + 7.088807
	 * = 16.088798, p2 = p1 - 0.16088798 = 1 - 0.26088788 for p[0]
	 * (-2 + 0.26088800 and 0.5 - 0.26088804 for the others)
	 */
	c.momentum = 0.9;
	hand(&c, 1, 0.01, p);
	is3(p, 0.9000001, -1.90000005, 0.40000003,
	    "rmsprop momentum step 1");
	hand(&c, 2, 0.01, p);
	is3(p, 0.73911212, -1.739112, 0.23911196,
	    "rmsprop momentum step 2");

	/*
	 * momentum unset (< 0, "optimizer: {name: rmsprop}"): torch's
	 * default 0, so the plain RMSprop steps above, not the 0.73911212
	 * of momentum 0.9; unset for SGD is 0.9: the momentum steps
	 */
	c = conf(OPT_RMSPROP);
	c.momentum = -1;
	hand(&c, 1, 0.01, p);
	is3(p, 0.9000001, -1.90000005, 0.40000003,
	    "rmsprop, momentum unset: step 1");
	hand(&c, 2, 0.01, p);
	is3(p, 0.82911203, -1.82911195, 0.32911193,
	    "rmsprop, momentum unset: step 2 is plain rmsprop");
	c = conf(OPT_SGD);
	c.momentum = -1;
	hand(&c, 3, 0.1, p);
	is3(p, 0.9439, -1.8878, 0.3317,
	    "sgd, momentum unset: step 3 has momentum 0.9");
	c.nesterov = 1;
	hand(&c, 2, 0.1, p);
	is3(p, 0.9539, -1.9078, 0.3617,
	    "sgd, momentum unset, nesterov: step 2 as with 0.9");

	/* the same against torch.optim */
	{
		static const double sgd[5] = { 0.503000021, -1.26250005,
		    1.99599993, 0.745599985, -0.281000018 };
		static const double mom[5] = { 0.483649999, -1.25530005,
		    1.98745, 0.741774976, -0.235100016 };
		static const double nes[5] = { 0.487075329, -1.26421273,
		    1.97981095, 0.736362696, -0.221892223 };
		static const double damp[5] = { 0.48279193, -1.24030542,
		    1.97017634, 0.737635195, -0.244157389 };
		static const double adam[5] = { 0.458749205, -1.25163078,
		    1.97318411, 0.675539494, -0.226902381 };
		static const double adam2[5] = { 0.451369286, -1.21610832,
		    1.93971121, 0.670586765, -0.227566943 };
		static const double adamw[5] = { 0.45836544, -1.25064063,
		    1.9715929, 0.674955666, -0.2266794 };
		static const double adamw2[5] = { 0.454919398, -1.24174845,
		    1.95730245, 0.669712007, -0.224677369 };
		static const double rms[5] = { 0.478484929, -1.61397362,
		    1.87663746, 0.177730948, 0.034158431 };
		static const double rmsm[5] = { -0.534911275, -1.17808676,
		    1.48197782, -0.589274764, 0.969116747 };
		static const double mult[5] = { 0.454919398, -1.24174845,
		    2, 0.741955698, -0.292451978 };
		static const double smult[5] = { 0.483649999, -1.25530005,
		    2, 0.749177516, -0.29350999 };

		c = conf(OPT_SGD);
		torch(&c, NULL, 0, sgd, "SGD(lr)");
		c.momentum = 0.9;
		torch(&c, NULL, 0, mom, "SGD(momentum=0.9)");
		c.nesterov = 1;
		c.weight_decay = 0.01;
		torch(&c, NULL, 0, nes,
		    "SGD(momentum=0.9, nesterov=True, weight_decay=0.01)");
		c.nesterov = 0;
		c.dampening = 0.3;
		c.weight_decay = 0.05;
		torch(&c, NULL, 0, damp,
		    "SGD(momentum=0.9, dampening=0.3, weight_decay=0.05)");
		c = conf(OPT_ADAM);
		torch(&c, NULL, 0, adam, "Adam()");
		c.betas[0] = 0.8;
		c.betas[1] = 0.99;
		c.eps = 1e-6;
		c.weight_decay = 0.1;
		torch(&c, NULL, 0, adam2,
		    "Adam(betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1)");
		c = conf(OPT_ADAMW);
		torch(&c, NULL, 0, adamw, "AdamW()");
		c.weight_decay = 0.1;
		torch(&c, NULL, 0, adamw2, "AdamW(weight_decay=0.1)");
		c = conf(OPT_RMSPROP);
		torch(&c, NULL, 0, rms, "RMSprop()");
		c.momentum = -1;
		torch(&c, NULL, 0, rms, "RMSprop() from momentum unset");
		c.momentum = 0.9;
		c.weight_decay = 0.01;
		torch(&c, NULL, 0, rmsm,
		    "RMSprop(momentum=0.9, weight_decay=0.01)");

		/*
		 * param groups {p[0:2], lr}, {p[3:5], 0.1*lr}; p[2] frozen
		 * (requires_grad=False): it keeps its value, 2
		 */
		seg[0].off = 0, seg[0].n = 2, seg[0].lr_mult = 1;
		seg[1].off = 3, seg[1].n = 2, seg[1].lr_mult = 0.1f;
		c = conf(OPT_ADAMW);
		c.weight_decay = 0.1;
		torch(&c, seg, 2, mult, "AdamW(wd=0.1), lr_mult 0.1, frozen");
		c = conf(OPT_SGD);
		c.momentum = 0.9;
		torch(&c, seg, 2, smult, "SGD(momentum=0.9), lr_mult 0.1, "
		    "frozen");
	}

	/*
	 * Segments: {0..1} at lr, a frozen gap at 2, {3..5} at 0.5*lr.  SGD
	 * momentum, lr 0.1, g = 1 everywhere: two steps move 0.1 + 0.19 in
	 * the first segment, half that in the second, nothing in the gap;
	 * the moments hold the 5 trainable parameters only.
	 */
	for (i = 0; i < 6; i++)
		p[i] = i, g[i] = 1;
	seg[0].off = 0, seg[0].n = 2, seg[0].lr_mult = 1;
	seg[1].off = 3, seg[1].n = 3, seg[1].lr_mult = 0.5f;
	c = conf(OPT_SGD);
	c.momentum = 0.9;
	ok(opt_init(&o, &c, seg, 2) == 0, "two segments");
	is_int(o.n, 5, "moments sized to the trainable parameters");
	ok(o.v == NULL, "sgd holds no second moment");
	opt_step(&o, p, g, 0.1);
	opt_step(&o, p, g, 0.1);
	/* two steps of 0.1 and 0.19 (times lr_mult) from p_0 = i */
	is_hand(p[0], -0.29, 2, 0 + 0.29, "segment 1 moves lr*(1 + 1.9)");
	is_hand(p[1], 0.71, 2, 1 + 0.29, "segment 1, second parameter");
	is_double(p[2], 2, 0, "frozen parameter untouched");
	is_hand(p[3], 3 - 0.145, 2, 3 + 0.145, "lr_mult 0.5 moves half");
	is_hand(p[5], 5 - 0.145, 2, 5 + 0.145,
	    "lr_mult 0.5, last parameter");
	is_double(o.t, 2, 0, "two steps counted");

	/* opt_reset: the next step is a first step again (b = g) */
	opt_reset(&o);
	is_double(o.t, 0, 0, "reset: t = 0");
	ok(o.m[0] == 0 && o.m[4] == 0, "reset: moments zero");
	memcpy(q, p, sizeof(q));
	opt_step(&o, p, g, 0.1);
	is_hand(p[0], q[0] - 0.1, 1, fabs(q[0]) + 0.1,
	    "after reset, step 1 again");
	is_hand(p[4], q[4] - 0.05, 1, fabs(q[4]) + 0.05,
	    "after reset, segment 2");
	opt_free(&o);

	/* Adam after reset equals a fresh Adam */
	c = conf(OPT_ADAM);
	seg[0].off = 0, seg[0].n = 3, seg[0].lr_mult = 1;
	opt_init(&o, &c, seg, 1);
	for (i = 0; i < 3; i++)
		p[i] = 1, g[i] = 0.5f * (i + 1);
	opt_step(&o, p, g, 0.1);
	g[0] = -3;
	opt_step(&o, p, g, 0.1);
	opt_reset(&o);
	for (i = 0; i < 3; i++)
		p[i] = 1;
	opt_step(&o, p, g, 0.1);
	is_hand(p[0], 1.0999999997, 1, 1 + 0.1,
	    "adam reset: first step again");
	opt_free(&o);

	/* the optimizer's default weight decay */
	c = conf(OPT_ADAMW);
	opt_init(&o, &c, seg, 1);
	is_double(o.wd, 0.01, 0, "adamw default weight_decay 0.01");
	opt_free(&o);
	c = conf(OPT_ADAM);
	opt_init(&o, &c, seg, 1);
	is_double(o.wd, 0, 0, "adam default weight_decay 0");
	opt_free(&o);
	c = conf(OPT_SGD);
	opt_init(&o, &c, seg, 1);
	is_double(o.wd, 0, 0, "sgd default weight_decay 0");
	ok(o.m == NULL && o.v == NULL, "plain sgd holds no state");
	opt_free(&o);
	c = conf(OPT_RMSPROP);
	opt_init(&o, &c, seg, 1);
	ok(o.m == NULL && o.v != NULL, "rmsprop without momentum: v only");
	opt_free(&o);

	/* the optimizer's default momentum (momentum < 0) */
	c = conf(OPT_RMSPROP);
	c.momentum = -1;
	opt_init(&o, &c, seg, 1);
	is_double(o.momentum, 0, 0, "rmsprop default momentum 0");
	ok(o.m == NULL && o.v != NULL, "  and no momentum buffer");
	opt_free(&o);
	c = conf(OPT_SGD);
	c.momentum = -1;
	opt_init(&o, &c, seg, 1);
	is_double(o.momentum, 0.9, 0, "sgd default momentum 0.9");
	ok(o.m != NULL && o.v == NULL, "  with its buffer");
	opt_free(&o);
	c.momentum = -0.5;
	opt_init(&o, &c, seg, 1);
	is_double(o.momentum, 0.9, 0, "any negative momentum: the default");
	opt_free(&o);
	c.momentum = 0;
	opt_init(&o, &c, seg, 1);
	is_double(o.momentum, 0, 0, "sgd momentum 0 stays 0");
	opt_free(&o);
	c = conf(OPT_ADAM);
	c.momentum = -1;
	opt_init(&o, &c, seg, 1);
	is_double(o.momentum, 0, 0, "adam default momentum 0 (unused)");
	opt_free(&o);

	/* no segments at all: a fully frozen model steps without effect */
	c = conf(OPT_ADAM);
	ok(opt_init(&o, &c, NULL, 0) == 0, "no segments");
	p[0] = 7;
	opt_step(&o, p, g, 0.1);
	is_double(p[0], 7, 0, "nothing trainable, nothing moves");
	opt_free(&o);

	/* errors */
	c = conf(OPT_SGD);
	c.nesterov = 1;
	is_int(opt_init(&o, &c, seg, 1), -1, "nesterov without momentum");
	is_str(err_msg(), "optimizer: nesterov needs a momentum and zero "
	    "dampening", "message");
	c.momentum = 0.9;
	c.dampening = 0.1;
	is_int(opt_init(&o, &c, seg, 1), -1, "nesterov with dampening");
	c = conf(OPT_SGD);
	c.momentum = NAN;
	is_int(opt_init(&o, &c, seg, 1), -1, "momentum nan");
	is_str(err_msg(), "optimizer: momentum nan is out of range",
	    "message");
	c = conf(OPT_ADAM);
	c.betas[1] = 1;
	is_int(opt_init(&o, &c, seg, 1), -1, "beta2 1");
	is_str(err_msg(), "optimizer: beta2 1 is out of range", "message");
	c = conf(OPT_ADAM);
	c.eps = NAN;
	is_int(opt_init(&o, &c, seg, 1), -1, "eps nan");
	c = conf(OPT_ADAM);
	c.weight_decay = INFINITY;
	is_int(opt_init(&o, &c, seg, 1), -1, "weight_decay inf");
	c = conf(OPT_RMSPROP);
	c.alpha = 1.5;
	is_int(opt_init(&o, &c, seg, 1), -1, "alpha 1.5");
	c = conf(OPT_SGD);
	c.name = 9;
	is_int(opt_init(&o, &c, seg, 1), -1, "unknown optimizer");
	is_str(err_msg(), "optimizer: unknown optimizer 9", "message");
	c = conf(OPT_SGD);
	seg[0].off = 0, seg[0].n = 4, seg[0].lr_mult = 1;
	seg[1].off = 3, seg[1].n = 2, seg[1].lr_mult = 1;
	is_int(opt_init(&o, &c, seg, 2), -1, "overlapping segments");
	is_str(err_msg(), "optimizer: segments 0 and 1 overlap", "message");
	seg[1].off = 4, seg[1].n = -1;
	is_int(opt_init(&o, &c, seg, 2), -1, "negative segment size");
	is_str(err_msg(), "optimizer: segment 1 at 4 has -1 parameters",
	    "message");
	seg[1].n = 2, seg[1].lr_mult = -1;
	is_int(opt_init(&o, &c, seg, 2), -1, "negative lr_mult");
	is_str(err_msg(), "optimizer: lr_mult -1 is out of range", "message");
	seg[1].lr_mult = 1;
	ok(opt_init(&o, &c, seg, 2) == 0, "adjacent segments are fine");
	opt_free(&o);

	/* what each optimizer says of itself on the "#@ model" line */
	{
		static const char *const want[OPT_N] = {
			"optimizer=sgd momentum=0.9 dampening=0 nesterov=0 "
			"weight_decay=0",
			"optimizer=adam beta1=0.9 beta2=0.999 eps=1e-08 "
			"weight_decay=0",
			"optimizer=adamw beta1=0.9 beta2=0.999 eps=1e-08 "
			"weight_decay=0.01",
			"optimizer=rmsprop alpha=0.99 eps=1e-08 momentum=0 "
			"weight_decay=0",
		};
		char d[256];
		int k, n;

		for (k = 0; k < OPT_N; k++) {
			c = conf(k);
			c.momentum = -1;	/* the optimizer's default */
			opt_init(&o, &c, seg, 0);
			n = opt_describe(d, sizeof(d), &o);
			is_str(d, want[k], opt_names[k]);
			ok(n == (int)strlen(want[k]), "  its length");
			opt_free(&o);
		}
		c = conf(OPT_SGD);
		c.momentum = 0.5;
		c.nesterov = 1;
		c.weight_decay = 1e-4;
		opt_init(&o, &c, seg, 0);
		n = opt_describe(d, 16, &o);
		is_str(d, "optimizer=sgd m", "cut to the buffer");
		is_int(n, (long)strlen("optimizer=sgd momentum=0.5 dampening=0 "
		    "nesterov=1 weight_decay=0.0001"), "  the length needed");
		opt_free(&o);
		ok(opt_momentum(&c) == 0.5 && opt_weight_decay(&c) == 1e-4,
		    "momentum and weight decay as set");
		c.weight_decay = -1;
		c.name = OPT_ADAMW;
		ok(opt_weight_decay(&c) == 0.01, "adamw's default decay");
	}

	/* the moments opt_init allocates, as lrf-train's memory check
	 * counts them before it does */
	c = conf(OPT_SGD);
	is_int(opt_nmoments(&c), 0, "moments: sgd without momentum, none");
	c.momentum = -1;
	is_int(opt_nmoments(&c), 1, "moments: sgd's default momentum, 1");
	c = conf(OPT_ADAM);
	is_int(opt_nmoments(&c), 2, "moments: adam, 2");
	c = conf(OPT_RMSPROP);
	is_int(opt_nmoments(&c), 1, "moments: rmsprop, 1");
	c.momentum = 0.9;
	is_int(opt_nmoments(&c), 2, "moments: rmsprop with momentum, 2");
	opt_init(&o, &c, seg, 0);
	ok((o.m != NULL) + (o.v != NULL) == 2, "moments: as opt_init has "
	    "them");
	opt_free(&o);
	return done();
}
