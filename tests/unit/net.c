/*
 * Unit tests for the network core (lib/net.c): forward values worked by
 * hand, finite-difference gradient checks of every activation, loss and
 * layer, accumulation, initialisation, dropout, errors, the summary.
 *
 * Gradient checks.  The net computes in float; the check perturbs one
 * parameter (or input) p by +-h (h = 1e-2, the perturbation actually
 * applied after rounding p+h to float is used), takes the central
 * difference of the mean loss (which net_forward accumulates in double)
 * and compares it with the analytic gradient of net_backward:
 *
 *	|num - ana| <= 5e-3 |ana| + 5e-4 max|ana|	for every element
 *	||num - ana|| / ||ana|| <= 1e-3			over the vector
 *
 * The truncation error of the central difference is O(h^2) and the
 * rounding error ~1e-7 / h ~ 1e-5 of the loss; the errors observed are
 * below 7e-5 over the vector and 4e-4 (|ana| + 0.1 max|ana|) per element,
 * so the bounds leave a margin of about 10.  For relu and leaky_relu a
 * perturbation that moves a unit across the kink makes the difference
 * meaningless: such elements are detected (the sign pattern of the
 * layer's outputs changes) and skipped, and the test requires that fewer
 * than a quarter were (an input moves every unit of its sample, so input
 * checks skip more than parameter checks).  Dropout is checked with its
 * mask fixed: the net's dropout stream is reset to the same state before
 * every forward.
 */
#include <float.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blas.h"
#include "err.h"
#include "net.h"
#include "tap.h"
#include "tol.h"

static struct cfg_model M;
static long force_nb;		/* > 0: conv2d chunks of this many samples */
static double gc_h = 1e-2;	/* the gradient checks' perturbation */

static void
model(int loss, int init)
{
	memset(&M, 0, sizeof M);
	M.loss = loss;
	M.init = init;
}

static struct cfg_layer *
layer(int type)
{
	struct cfg_layer *c;

	c = &M.layers[M.nlayers++];
	c->type = type;
	c->lr_mult = 1;
	c->line = 10 + M.nlayers;	/* as if from cfg.yaml */
	c->col = 7;
	return c;
}

static void
dense(long units, int act)
{
	struct cfg_layer *c;

	c = layer(LAYER_DENSE);
	c->units = units;
	c->activation = act;
}

static void
dropout(double rate)
{
	layer(LAYER_DROPOUT)->rate = rate;
}

static void
conv(long filters, long kernel, long stride, long padding, int bias, int act)
{
	struct cfg_layer *c;

	c = layer(LAYER_CONV2D);
	c->filters = filters;
	c->kernel = kernel;
	c->stride = stride;
	c->padding = padding;	/* -1: same */
	c->bias = bias;
	c->activation = act;
}

/* a basicblock or bottleneck of planes filters */
static void
block(int type, long planes, long stride)
{
	struct cfg_layer *c;

	c = layer(type);
	c->filters = planes;
	c->stride = stride;
}

/* a batchnorm and its relu */
static void
bnrelu(void)
{
	layer(LAYER_BATCHNORM)->activation = ACT_RELU;
}

static void
pool(int type, long kernel, long stride, long padding)
{
	struct cfg_layer *c;

	c = layer(type);
	c->kernel = kernel;
	c->stride = stride;
	c->padding = padding;
}

static void
fill(float *x, long n, struct rng *g, double a)
{
	long i;

	for (i = 0; i < n; i++)
		x[i] = (float)(a * (2 * rng_uniform(g) - 1));
}

/* A test name built like printf's (valid until the next call). */
static const char * __attribute__((format(printf, 1, 2)))
name(const char *fmt, ...)
{
	static char buf[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	return buf;
}

/*
 * The length of the float32 sums on the path from the input to the
 * logits (backward = 0), or on to every gradient (backward = 1), for the
 * B samples of the last forward: what tol.h's bounds take as k.  To first
 * order a chain of layers adds the relative errors of its sums:
 *	dense		IN products and the bias; backward dX sums OUT
 *			products, dW and db sum B
 *	conv2d		C*k*k products and the bias; backward dX sums
 *			F*k*k, dW and db sum B*OH*OW
 *	avgpool2d	k*k values, and k*k again backward
 *	globalavgpool	H*W values summed in double, then one rounding
 *			(k = 1); backward one division
 *	basicblock, bottleneck
 *			their conv2d layers' sums (the shortcut's path
 *			is shorter than the main one), and one addition
 *	relu, max pooling, dropout, flatten: no sum (exact, the same in
 *	any order).  tanh, sigmoid and gelu are elementwise, the same
 *	code in every share.  batchnorm's statistics are summed by one
 *	thread in one order whatever the split (lib/net.c): no reordering
 *	of its own; it scales its input's errors by gamma / std together
 *	with the values, so they keep their size relative to its output,
 *	whose magnitudes logit_mag measures.
 * The softmax of the loss sums OUT exponentials.
 */
static double
path_k(const struct net *n, long B, int backward)
{
	const struct net_layer *L, *S;
	double k = n->nout, kb = n->nout;
	int l, i;

	for (l = 0; l < n->nlayer; l++) {
		L = &n->layer[l];
		switch (L->type) {
		case LAYER_DENSE:
			k += L->nin + 1;
			kb += L->nout + B;
			break;
		case LAYER_CONV2D:
			k += L->win.C * L->win.k * L->win.k + 1;
			kb += L->out[0] * L->win.k * L->win.k +
			    B * L->win.OH * L->win.OW;
			break;
		case LAYER_AVGPOOL2D:
			k += L->win.k * L->win.k;
			kb += L->win.k * L->win.k;
			break;
		case LAYER_GLOBALAVGPOOL:	/* in double: one rounding */
			k += 1;
			kb += 1;
			break;
		case LAYER_BASICBLOCK:		/* its conv2d layers, and the
						   shortcut's one addition */
		case LAYER_BOTTLENECK:
			for (i = 0; i < L->nsub; i++) {
				S = &L->sub[i];
				if (S->type != LAYER_CONV2D)
					continue;
				k += S->win.C * S->win.k * S->win.k;
				kb += S->out[0] * S->win.k * S->win.k +
				    B * S->win.OH * S->win.OW;
			}
			k += 1;
			kb += 1;
			break;
		}
	}
	return backward ? k + kb : k;
}

/*
 * mag (B, nout): the sum of |terms| of each logit, sum_j |W_ij h_j| +
 * |b_i| over the last (dense) layer's input h of the last forward: the
 * magnitude a logit's rounding scales with, near zero or not.  Lower
 * layers' errors reach the logits through the same |W_ij| (their outputs
 * h carry relative errors of their own sums, counted in path_k).
 */
static void
logit_mag(const struct net *n, long B, double *mag)
{
	const struct net_layer *L = &n->layer[n->nlayer - 1];
	long b, i, j;
	double s;

	for (b = 0; b < B; b++)
		for (i = 0; i < L->nout; i++) {
			s = L->b != NULL ? fabs(L->b[i]) : 0;
			for (j = 0; j < L->nin; j++)
				s += fabs((double)L->w[i * L->nin + j] *
				    L->x[b * L->nin + j]);
			mag[b * L->nout + i] = s;
		}
}

/* grad_mag's share for the tensors of layer L (not a block). */
static void
tensor_mag(const struct net_layer *L, long nparam, const float *g, long B,
    double *mag)
{
	const struct net_tensor *t;
	double big, m;
	long i;
	int k;

	m = L->type == LAYER_CONV2D ? B * L->win.OH * L->win.OW :
	    L->type == LAYER_BATCHNORM ? B * L->in[1] * L->in[2] : B;
	for (k = 0; k < L->ntensor; k++) {
		t = &L->tensor[k];
		if (t->off >= nparam)
			continue;	/* a running statistic */
		big = 0;
		for (i = 0; i < t->n; i++)
			big = fmax(big, fabs(g[t->off + i]));
		for (i = 0; i < t->n; i++)
			mag[t->off + i] += sqrt(m) * big;
	}
}

/*
 * mag (nparam): the magnitude of the terms of each gradient.  A gradient
 * of layer l is a sum over the batch (and the output positions) of
 * products dY x of the same vectors; its largest element, times the
 * square root of the number of terms (random-sign terms cancel to about
 * sqrt(m) of their sum of magnitudes), is the scale of sum|terms| for
 * every element of the layer, including those that cancel to near zero.
 * Each layer's tensors are scaled by their own largest value; a block's
 * by each of its sub-layers'.
 */
static void
grad_mag(const struct net *n, const float *g, long B, double *mag)
{
	const struct net_layer *L;
	long i;
	int l, k;

	for (i = 0; i < n->nparam; i++)
		mag[i] = fabs(g[i]);
	for (l = 0; l < n->nlayer; l++) {
		L = &n->layer[l];
		if (L->nsub == 0)
			tensor_mag(L, n->nparam, g, B, mag);
		for (k = 0; k < L->nsub; k++)
			tensor_mag(&L->sub[k], n->nparam, g, B, mag);
	}
}

/*
 * mag (B, d): the input gradient dx = dY W of the first layer sums its
 * OUT (dense) or F*k*k (conv2d) products per element; as for grad_mag,
 * the largest |dx| times sqrt(that count) scales them all.
 */
static void
dx_mag(const struct net *n, const float *dx, long B, double *mag)
{
	const struct net_layer *L = &n->layer[0];
	double big = 0, m;
	long i;

	m = L->type == LAYER_CONV2D ? L->out[0] * L->win.k * L->win.k :
	    L->nout;
	for (i = 0; i < B * n->d; i++)
		big = fmax(big, fabs(dx[i]));
	for (i = 0; i < B * n->d; i++)
		mag[i] = fabs(dx[i]) + sqrt(m) * big;
}

/*
 * One training step of n evaluated twice, with sums that may run in
 * other orders (another BLAS path, other shares or chunks): losses la and
 * lb, gradients ga and gb, and, when not NULL, logits lga and lgb and
 * input gradients xa and xb, against tol.h's bounds with the magnitudes
 * of n's last forward of B samples (ga's for the gradients).  The mean
 * cross-entropy moves by sum_bi |p_bi - y_bi| / B |dz_bi| <= 2 max |dz|:
 * twice the largest logit's bound.
 */
static void
same_step(const char *what, const struct net *n, long B, double la,
    double lb, const float *ga, const float *gb, const float *lga,
    const float *lgb, const float *xa, const float *xb)
{
	double *lmag, *gmag, *xmag, kf, kb, big = 0;
	long i, nl = B * n->nout;

	lmag = malloc(nl * sizeof *lmag);
	gmag = malloc(n->nparam * sizeof *gmag);
	xmag = malloc(B * n->d * sizeof *xmag);
	logit_mag(n, B, lmag);
	grad_mag(n, ga, B, gmag);
	kf = path_k(n, B, 0);
	kb = path_k(n, B, 1);
	for (i = 0; i < nl; i++)
		big = fmax(big, lmag[i]);
	is_sum(la, lb, kf, 2 * big, name("%s: the same loss", what));
	if (lga != NULL)
		ok(close_sums(lga, lgb, nl, kf, lmag, 0, NULL),
		    name("%s: the same logits", what));
	ok(close_sums(ga, gb, n->nparam, kb, gmag, 0, NULL),
	    name("%s: the same gradients", what));
	if (xa != NULL) {
		dx_mag(n, xa, B, xmag);
		ok(close_sums(xa, xb, B * n->d, kb, xmag, 0, NULL),
		    name("%s: the same input gradient", what));
	}
	free(lmag);
	free(gmag);
	free(xmag);
}


/* pattern's bytes from k: the signs of L's B outputs if it has a relu
 * (a block always has one at its output); the next k. */
static long
signs(const struct net_layer *L, long B, unsigned char *p, long k)
{
	long i;

	if (L->act != ACT_RELU && L->act != ACT_LEAKY_RELU &&
	    L->nsub == 0)
		return k;
	for (i = 0; i < B * L->nout; i++, k++)
		if (p != NULL)
			p[k] = L->y[i] > 0;
	return k;
}

/*
 * The pattern of every kink: the sign of each relu/leaky_relu output
 * (dense, conv2d, batchnorm and the blocks' sub-layers and outputs), and
 * the index each max pooling chose (4 bytes).  With p NULL, only the
 * bytes needed.
 */
static long
pattern(const struct net *n, unsigned char *p)
{
	const struct net_layer *L;
	long k;
	int l, j;

	k = 0;
	for (l = 0; l < n->nlayer; l++) {
		L = &n->layer[l];
		if (L->type == LAYER_MAXPOOL2D) {
			if (p != NULL)
				memcpy(p + k, L->arg, n->B * L->nout * 4);
			k += n->B * L->nout * 4;
			continue;
		}
		if (L->nsub > 0) {	/* a block's relus, and its own */
			for (j = 0; j < L->nsub; j++)
				k = signs(&L->sub[j], n->B, p, k);
			k = signs(L, n->B, p, k);
			continue;
		}
		if (L->act != ACT_RELU && L->act != ACT_LEAKY_RELU)
			continue;
		k = signs(L, n->B, p, k);
	}
	return k;
}

static double
loss_at(struct net *n, const struct rng *r0, const float *x, const int *y,
    const float *t, long B)
{
	n->rng = *r0;
	return net_forward(n, x, y, t, B, 1);
}

/*
 * Check d(mean loss)/d(param) (input = 0) or d/dx (input = 1) of n on
 * the batch against central differences, with the bounds above.
 */
static int
gradcheck(struct net *n, float *x, const int *y, const float *t, long B,
    int input, const char *name)
{
	struct rng r0;
	unsigned char *base, *cur;
	float *p, *ana, p0, hp, hm;
	double lp, lm, num, d, gmax, sd, sa, worst;
	long np, i, k, bad, skip;
	const double h = gc_h;
	char buf[200];
	int kink, c;

	r0 = n->rng;
	np = input ? B * n->d : n->nparam;
	p = input ? x : n->param;
	ana = malloc(np * sizeof *ana);
	if (input)
		net_input_grad(n, 1);
	net_zero_grad(n);
	loss_at(n, &r0, x, y, t, B);
	base = malloc(pattern(n, NULL) + 1);
	cur = malloc(pattern(n, NULL) + 1);
	net_backward(n, 1);
	memcpy(ana, input ? n->dx : n->grad, np * sizeof *ana);
	k = pattern(n, base);
	gmax = 0;
	for (i = 0; i < np; i++)
		gmax = fmax(gmax, fabs(ana[i]));
	bad = skip = 0;
	sd = sa = worst = 0;
	for (i = 0; i < np; i++) {
		p0 = p[i];
		p[i] = (float)(p0 + h);
		hp = p[i] - p0;
		lp = loss_at(n, &r0, x, y, t, B);
		kink = pattern(n, cur) != k || memcmp(base, cur, k) != 0;
		p[i] = (float)(p0 - h);
		hm = p0 - p[i];
		lm = loss_at(n, &r0, x, y, t, B);
		kink |= pattern(n, cur) != k || memcmp(base, cur, k) != 0;
		p[i] = p0;
		if (kink) {
			skip++;
			continue;
		}
		num = (lp - lm) / ((double)hp + hm);
		d = fabs(num - ana[i]);
		sd += d * d;
		sa += (double)ana[i] * ana[i];
		worst = fmax(worst, d / (fabs(ana[i]) + 0.1 * gmax));
		if (!(d <= 5e-3 * fabs(ana[i]) + 5e-4 * gmax)) {
			if (bad++ < 3)
				diag("%s %ld: numeric %.6g, analytic %.6g",
				    input ? "x" : "param", i, num, ana[i]);
		}
	}
	n->rng = r0;
	if (input)
		net_input_grad(n, 0);
	c = bad == 0 && skip * 4 < np && gmax > 0 &&
	    sqrt(sd) <= 1e-3 * sqrt(sa);
	snprintf(buf, sizeof buf, "gradient check: %s", name);
	if (!ok(c, buf))
		diag("%ld of %ld bad, %ld skipped, |g| max %.3g, "
		    "||num-ana||/||ana|| %.3g", bad, np, skip, gmax,
		    sqrt(sd / sa));
	free(ana);
	free(base);
	free(cur);
	return c;
}

/*
 * Build the net of M for inputs of shape sh (NULL: d features) and check
 * its parameter gradients (withinput 0), also its input gradient (1), or
 * the input gradient only (2).
 */
static void
check_shaped(long d, const long *sh, long K, int task, long B,
    int withinput, const char *name, uint64_t seed)
{
	struct net n;
	struct rng g;
	float *x, *t;
	int *y;
	long i;
	char buf[160];

	if (net_create(&n, &M, "cfg.yaml", d, sh, K, task, B, seed) == -1) {
		ok(0, name);
		diag("%s", err_msg());
		return;
	}
	for (i = 0; force_nb > 0 && i < n.nlayer; i++)
		if (n.layer[i].type == LAYER_CONV2D)
			n.layer[i].nb = force_nb;
	rng_seed(&g, seed + 7);
	x = malloc(B * d * sizeof *x);
	y = malloc(B * sizeof *y);
	t = malloc(B * K * sizeof *t);
	fill(x, B * d, &g, 1.5);
	for (i = 0; i < B; i++)
		y[i] = (int)rng_below(&g, task == TASK_CLASSIFICATION ? K : 1);
	for (i = 0; i < B * K; i++)	/* in [0, 1] for bce */
		t[i] = (float)rng_uniform(&g);
	if (withinput != 2)
		gradcheck(&n, x, task == TASK_CLASSIFICATION ? y : NULL,
		    task == TASK_CLASSIFICATION ? NULL : t, B, 0, name);
	if (withinput) {
		snprintf(buf, sizeof buf, "%s, input gradient", name);
		gradcheck(&n, x, task == TASK_CLASSIFICATION ? y : NULL,
		    task == TASK_CLASSIFICATION ? NULL : t, B, 1, buf);
	}
	net_free(&n);
	free(x);
	free(y);
	free(t);
}

static void
check_model(long d, long K, int task, long B, int withinput,
    const char *name, uint64_t seed)
{
	check_shaped(d, NULL, K, task, B, withinput, name, seed);
}

/* The first error of net_create for M and these data. */
static const char *
create_err(long d, long K, int task)
{
	struct net n;

	err_clear();
	if (net_create(&n, &M, "cfg.yaml", d, NULL, K, task, 4, 1) == 0) {
		net_free(&n);
		return "(no error)";
	}
	return err_msg();
}

static void
test_hand(void)
{
	/* x (2, 3); W (2, 3); b (2) */
	const float x[] = { 1, 2, 3, 4, 5, 6 };
	const float W[] = { 0.1f, 0.2f, 0.3f, -0.1f, 0, 0.1f };
	const float b[] = { 0.5f, -0.5f };
	const int y[] = { 0, 1 };
	struct net n;
	double L, e1, e2, p, tz, tg;
	float t[4];

	/*
	 * logits: [0.1+0.4+0.9+0.5, -0.1+0+0.3-0.5] = [1.9, -0.3],
	 *	   [0.4+1.0+1.8+0.5, -0.4+0+0.6-0.5] = [3.7, -0.3].
	 * cross-entropy: (log(1 + e^-2.2) + 4 + log(1 + e^-4)) / 2
	 *	= 2.0616166238432534
	 */
	model(LOSS_CE, INIT_HE);
	dense(2, ACT_IDENTITY);
	net_create(&n, &M, NULL, 3, NULL, 2, TASK_CLASSIFICATION, 2, 1);
	memcpy(n.layer[0].w, W, sizeof W);
	memcpy(n.layer[0].b, b, sizeof b);
	L = net_forward(&n, x, y, NULL, 2, 1);
	/*
	 * Tolerances (tests/tol.h): a logit is a float32 sum of 3 products
	 * and the bias, against its exact value: tol_f32(4, sum|terms|).
	 * The largest, tz = tol_f32(4, 3.7) = 1.3e-6, bounds them all.  The
	 * mean loss (in double) moves by at most 2 tz (sum_i |p_i - y_i| <=
	 * 2); a softmax probability by p (1 - p) |dz1 - dz2| <= 2 tz / 4,
	 * plus the float32 exp and division (4 u): dL/dz = (p - y) / 2
	 * within tg = (tz / 2 + 4 u) / 2.
	 */
	tz = tol_f32(4, 3.7);
	tg = (tz / 2 + 4 * F32_U) / 2;
	is_double(n.logits[0], 1.9, tol_f32(4, 1.9), "hand 2x3: logit "
	    "(1,1) = 1.9");
	is_double(n.logits[1], -0.3, tol_f32(4, 0.9), "hand 2x3: logit "
	    "(1,2) = -0.3");
	is_double(n.logits[2], 3.7, tol_f32(4, 3.7), "hand 2x3: logit "
	    "(2,1) = 3.7");
	is_double(n.logits[3], -0.3, tol_f32(4, 1.5), "hand 2x3: logit "
	    "(2,2) = -0.3");
	is_double(L, 2.0616166238432534, 2 * tz, "hand 2x3: cross-entropy");
	/* dL/dz = (softmax - onehot) / 2 */
	e1 = 1 / (1 + exp(-2.2));
	e2 = 1 / (1 + exp(-4.0));
	is_double(n.g0[0], (e1 - 1) / 2, tg, "hand 2x3: dL/dz (1,1)");
	is_double(n.g0[1], (1 - e1) / 2, tg, "hand 2x3: dL/dz (1,2)");
	is_double(n.g0[3], (1 - e2 - 1) / 2, tg, "hand 2x3: dL/dz (2,2)");
	/*
	 * dL/db = column sums; dL/dW = dZ^T X: 2 terms, each within tg
	 * (times x <= 6), plus their own sum's rounding
	 */
	net_zero_grad(&n);
	net_backward(&n, 1);
	is_double(n.layer[0].db[0], (e1 - 1 + e2) / 2, 2 * tg +
	    tol_f32(2, 1), "hand 2x3: dL/db1");
	is_double(n.layer[0].dw[2], ((e1 - 1) * 3 + e2 * 6) / 2,
	    (3 + 6) * tg + tol_f32(2, 3.5), "hand 2x3: dL/dW13");
	net_correct(&n, y, 2);
	is_int(net_correct(&n, y, 2), 1, "hand 2x3: one of two correct");
	net_free(&n);

	/* mse: targets t = [[1, 0], [0, 1]] (the one-hot labels):
	 * ((0.9^2 + 0.3^2) + (3.7^2 + 1.3^2)) / 4 = 16.28 / 4 = 4.07 */
	model(LOSS_MSE, INIT_HE);
	dense(2, ACT_IDENTITY);
	net_create(&n, &M, NULL, 3, NULL, 2, TASK_CLASSIFICATION, 2, 1);
	memcpy(n.layer[0].w, W, sizeof W);
	memcpy(n.layer[0].b, b, sizeof b);
	/* the mean of (z - t)^2 moves by (2 / 4) sum |z - t| tz = 3.1 tz */
	is_double(net_forward(&n, x, y, NULL, 2, 1), 4.07, 0.5 * (0.9 +
	    0.3 + 3.7 + 1.3) * tz, "hand 2x3: mse against one-hot labels");
	is_double(n.g0[0], 2 * 0.9 / 4, tz / 2 + tol_f32(1, 0.45),
	    "hand 2x3: mse dL/dz (1,1)");
	net_free(&n);
	net_create(&n, &M, NULL, 3, NULL, 2, TASK_REGRESSION, 2, 1);
	memcpy(n.layer[0].w, W, sizeof W);
	memcpy(n.layer[0].b, b, sizeof b);
	t[0] = 2, t[1] = 0, t[2] = 3, t[3] = -1;
	/* ((0.1^2 + 0.3^2) + (0.7^2 + 0.7^2)) / 4 = 0.27 */
	is_double(net_forward(&n, x, NULL, t, 2, 0), 0.27, 0.5 * (0.1 + 0.3 +
	    0.7 + 0.7) * tz, "hand 2x3: mse regression");
	net_free(&n);

	/* bce with logits against one-hot labels: mean over 4 elements of
	 * log(1 + e^-z) for the target 1, log(1 + e^z) for 0 */
	model(LOSS_BCE, INIT_HE);
	dense(2, ACT_IDENTITY);
	net_create(&n, &M, NULL, 3, NULL, 2, TASK_CLASSIFICATION, 2, 1);
	memcpy(n.layer[0].w, W, sizeof W);
	memcpy(n.layer[0].b, b, sizeof b);
	p = (log1p(exp(-1.9)) + log1p(exp(-0.3)) + log1p(exp(3.7)) +
	    log1p(exp(0.3))) / 4;
	/* |dL/dz| = |sigmoid(z) - t| / 4 <= 1/4 each: tz; sigmoid' <= 1/4 */
	is_double(net_forward(&n, x, y, NULL, 2, 1), p, tz,
	    "hand 2x3: bce, two outputs, one-hot");
	is_double(n.g0[2], (1 / (1 + exp(-3.7)) - 0) / 4, (tz / 4 + 4 *
	    F32_U) / 4, "hand 2x3: bce dL/dz (2,1)");
	net_free(&n);
	/* binary bce, one output (the first row of W): z = 1.9, 3.7 */
	model(LOSS_BCE, INIT_HE);
	dense(1, ACT_IDENTITY);
	net_create(&n, &M, NULL, 3, NULL, 2, TASK_CLASSIFICATION, 2, 1);
	memcpy(n.layer[0].w, W, 3 * sizeof(float));
	n.layer[0].b[0] = 0.5f;
	p = (log1p(exp(1.9)) + log1p(exp(-3.7))) / 2;
	is_double(net_forward(&n, x, y, NULL, 2, 1), p, tz,
	    "hand 2x3: binary bce, one output");
	is_int(net_correct(&n, y, 2), 1, "binary: logit > 0 is class 1");
	/* stable for large logits: z = 1001.4, 1003.2 with target 0 cost
	 * z each (log(1 + e^z) = z + log(1 + e^-z)) */
	n.layer[0].b[0] = 1000;
	{
		const int y0[] = { 0, 0 };

		L = net_forward(&n, x, y0, NULL, 2, 1);
		/* logits made of terms up to 1000: tol_f32(4, 1003.2) */
		is_double(L, (1001.4 + 1003.2) / 2, tol_f32(4, 1003.2),
		    "binary bce: no overflow at logit 1000");
	}
	net_free(&n);

	/* cross-entropy does not overflow at logits of 1e4 */
	model(LOSS_CE, INIT_HE);
	dense(2, ACT_IDENTITY);
	net_create(&n, &M, NULL, 3, NULL, 2, TASK_CLASSIFICATION, 2, 1);
	memcpy(n.layer[0].w, W, sizeof W);
	n.layer[0].b[0] = 1e4f;
	n.layer[0].b[1] = 0;
	L = net_forward(&n, x, y, NULL, 2, 1);
	/* row 1: label 0 wins by far: ~0; row 2: 1e4 + 4.0 - (-0.3+0.5)
	 * = 1e4 + 3.8 - 0.2... exactly: lse - z_y = (1e4 + 3.2) - 0.2 */
	/* logit (2,1) sums 1e4 and 3.2: tol_f32(4, 1e4 + 3.2) = 3.6e-3 */
	is_double(L, (0 + (1e4 + 3.2 - 0.2)) / 2, tol_f32(4, 1e4 + 3.2),
	    "cross-entropy: no overflow at logit 1e4");
	net_free(&n);
}

/* One dense unit with weight 1 and bias 0: y = act(x). */
static void
test_activations(void)
{
	static const struct {
		int act;
		const char *name;
		double y[4];	/* at -1, 0.5, 2, -30 */
	} tab[] = {
		{ ACT_IDENTITY, "identity", { -1, 0.5, 2, -30 } },
		{ ACT_RELU, "relu", { 0, 0.5, 2, 0 } },
		{ ACT_LEAKY_RELU, "leaky_relu", { -0.01, 0.5, 2, -0.3 } },
		{ ACT_TANH, "tanh", { -0.76159415595576489, 0.46211715726000974,
		    0.96402758007581690, -1 } },
		{ ACT_SIGMOID, "sigmoid", { 0.26894142136999512,
		    0.62245933120185459, 0.88079707797788244,
		    9.3576229688401746e-14 } },
		{ ACT_GELU, "gelu", { -0.15865525393145707,
		    0.34573123063700656, 1.9544997361036416, -0.0 } },
	};
	const float x[] = { -1, 0.5f, 2, -30 };
	struct net n;
	char buf[80];
	size_t i;
	int j, good;

	for (i = 0; i < sizeof tab / sizeof tab[0]; i++) {
		model(LOSS_MSE, INIT_HE);
		dense(1, tab[i].act);
		dense(1, ACT_IDENTITY);
		net_create(&n, &M, NULL, 1, NULL, 1, TASK_REGRESSION, 4, 1);
		n.layer[0].w[0] = 1;
		n.layer[0].b[0] = 0;
		net_forward(&n, x, NULL, NULL, 4, 0);
		good = 1;
		for (j = 0; j < 4; j++)
			if (!(fabs(n.layer[0].y[j] - tab[i].y[j]) <=
			    1e-6 * fmax(1, fabs(tab[i].y[j])) + 1e-15)) {
				good = 0;
				diag("%s(%g) = %.9g, want %.9g", tab[i].name,
				    x[j], n.layer[0].y[j], tab[i].y[j]);
			}
		snprintf(buf, sizeof buf, "%s at -1, 0.5, 2, -30",
		    tab[i].name);
		ok(good, buf);
		net_free(&n);
	}
}

/*
 * Every activation and its derivative on a dense grid against double
 * precision libm: y = act(z) through a 1x1 dense layer (w = 1, b = 0)
 * and dL/dz through backward with mse against t = y - 1/2 on one output
 * (dL/dy = s = 2 (y - t) / N, with y - t taken exactly in double).
 * Bounds on y: relu exact; leaky_relu 1 ulp (0.01 z rounds); tanh and
 * sigmoid 3e-7 relative; gelu 3e-5 relative (its Phi comes from an erfc
 * fit, see lib/net.c; the worst is in the far left tail).  On the
 * derivative, in units of act': 2e-6 relative plus 3e-7 absolute (tanh
 * and sigmoid take it from the rounded output, 1 - y^2 and y (1 - y),
 * as PyTorch does, so near saturation only the absolute part holds);
 * gelu 1e-5 relative plus 1e-6.
 */
static double
ref_act(int act, double z, double *d)
{
	double y, phi;

	switch (act) {
	case ACT_RELU:
		*d = z > 0;
		return z > 0 ? z : 0;
	case ACT_LEAKY_RELU:
		*d = z > 0 ? 1 : 0.01f;
		return z > 0 ? z : (double)0.01f * z;
	case ACT_TANH:
		y = tanh(z);
		*d = 1 - y * y;
		return y;
	case ACT_SIGMOID:
		y = 1 / (1 + exp(-z));
		*d = y * (1 - y);
		return y;
	case ACT_GELU:
		phi = 0.5 * erfc(-z / sqrt(2));
		*d = phi + z * exp(-z * z / 2) / sqrt(2 * 3.14159265358979324);
		return z * phi;
	default:
		*d = 1;
		return z;
	}
}

static void
test_grid(void)
{
	static const char *const name[] = { "identity", "relu", "leaky_relu",
	    "tanh", "sigmoid", "gelu" };
	enum { N = 40001 };
	struct net n;
	float *x, *t;
	double want, dwant, err, derr, worst, dworst, tol, dtol, dabs, sc;
	char buf[120];
	long i;
	int act, bad;

	x = malloc(N * sizeof *x);
	t = malloc(N * sizeof *t);
	for (act = ACT_RELU; act <= ACT_GELU; act++) {
		model(LOSS_MSE, INIT_HE);
		dense(1, act);
		net_create(&n, &M, NULL, 1, NULL, 1, TASK_REGRESSION, N, 1);
		n.layer[0].w[0] = 1;
		n.layer[0].b[0] = 0;
		for (i = 0; i < N; i++)	/* -20 .. 20, and around 0 */
			x[i] = i < N / 2 ? (float)(-20 + 40.0 * i / (N / 2)) :
			    (float)((i - N / 2) * 1e-4 - 1);
		net_forward(&n, x, NULL, NULL, N, 0);
		for (i = 0; i < N; i++)
			t[i] = n.layer[0].y[i] - 0.5f;
		net_forward(&n, x, NULL, t, N, 1);
		net_input_grad(&n, 1);
		net_backward(&n, 1);
		tol = act == ACT_GELU ? 3e-5 : act >= ACT_TANH ? 3e-7 :
		    act == ACT_LEAKY_RELU ? 1.2e-7 : 0;
		dtol = act == ACT_GELU ? 1e-5 : 2e-6;
		dabs = act == ACT_GELU ? 1e-6 : 3e-7;
		bad = 0;
		worst = dworst = 0;
		for (i = 0; i < N; i++) {
			want = ref_act(act, x[i], &dwant);
			err = fabs(n.layer[0].y[i] - want);
			/* dx = act'(z) * s */
			sc = 2 * ((double)n.layer[0].y[i] - t[i]) / N;
			derr = fabs(n.dx[i] / sc - dwant);
			worst = fmax(worst, err / fmax(fabs(want), 1e-30));
			dworst = fmax(dworst, derr / (fabs(dwant) + 0.15));
			if (err > tol * fabs(want) + 1e-30 ||
			    derr > dtol * fabs(dwant) + dabs) {
				if (bad++ < 3)
					diag("%s(%.9g) = %.9g (want %.9g), "
					    "d %.9g (want %.9g)", name[act],
					    x[i], n.layer[0].y[i], want,
					    n.dx[i] / sc, dwant);
			}
		}
		snprintf(buf, sizeof buf, "%s and its derivative on [-20, 20] "
		    "against libm (worst %.2g, %.2g)", name[act], worst,
		    dworst);
		ok(bad == 0, buf);
		net_free(&n);
	}
	free(x);
	free(t);
}

static void
test_gradients(void)
{
	static const struct {
		int act;
		const char *name;
	} acts[] = {
		{ ACT_IDENTITY, "dense identity" },
		{ ACT_RELU, "dense relu" },
		{ ACT_LEAKY_RELU, "dense leaky_relu" },
		{ ACT_TANH, "dense tanh" },
		{ ACT_SIGMOID, "dense sigmoid" },
		{ ACT_GELU, "dense gelu" },
	};
	size_t i;

	/* every activation: 5 -> 4 act -> 3, cross-entropy, batch 4 */
	for (i = 0; i < sizeof acts / sizeof acts[0]; i++) {
		model(LOSS_CE, INIT_HE);
		dense(4, acts[i].act);
		dense(3, ACT_IDENTITY);
		check_model(5, 3, TASK_CLASSIFICATION, 4, 1, acts[i].name,
		    11 + i);
	}
	/* every loss */
	model(LOSS_BCE, INIT_XAVIER);
	dense(4, ACT_TANH);
	dense(3, ACT_IDENTITY);
	check_model(5, 3, TASK_CLASSIFICATION, 4, 0, "bce, 3 classes one-hot",
	    21);
	model(LOSS_BCE, INIT_XAVIER);
	dense(4, ACT_TANH);
	dense(1, ACT_IDENTITY);
	check_model(5, 2, TASK_CLASSIFICATION, 6, 0, "bce, binary, 1 output",
	    22);
	model(LOSS_BCE, INIT_XAVIER);
	dense(4, ACT_TANH);
	dense(2, ACT_IDENTITY);
	check_model(5, 2, TASK_REGRESSION, 4, 0, "bce, targets in [0, 1]",
	    23);
	model(LOSS_MSE, INIT_HE);
	dense(4, ACT_SIGMOID);
	dense(3, ACT_IDENTITY);
	check_model(5, 3, TASK_REGRESSION, 4, 1, "mse regression", 24);
	model(LOSS_MSE, INIT_HE);
	dense(4, ACT_TANH);
	dense(3, ACT_IDENTITY);
	check_model(5, 3, TASK_CLASSIFICATION, 4, 0, "mse on one-hot labels",
	    25);
	/* dropout, fixed mask */
	model(LOSS_CE, INIT_HE);
	dense(6, ACT_TANH);
	dropout(0.5);
	dense(3, ACT_IDENTITY);
	check_model(5, 3, TASK_CLASSIFICATION, 4, 1, "dropout 0.5 (mask "
	    "fixed)", 26);
	/* dropout as the first layer, on the input */
	model(LOSS_CE, INIT_HE);
	dropout(0.3);
	dense(4, ACT_GELU);
	dense(3, ACT_IDENTITY);
	check_model(5, 3, TASK_CLASSIFICATION, 4, 1, "dropout on the input",
	    27);
	/* two hidden layers, relu and gelu, plus a flatten */
	model(LOSS_CE, INIT_HE);
	dense(8, ACT_RELU);
	dense(6, ACT_GELU);
	layer(LAYER_FLATTEN);
	dense(4, ACT_IDENTITY);
	check_model(7, 4, TASK_CLASSIFICATION, 5, 1, "2 hidden layers "
	    "(relu, gelu)", 28);
	/* one dense layer alone: logistic regression */
	model(LOSS_CE, INIT_XAVIER);
	dense(3, ACT_IDENTITY);
	check_model(4, 3, TASK_CLASSIFICATION, 3, 1, "one dense layer", 29);
}

/* Gradients of a net with its first layer frozen: those are never
 * written, the others equal the unfrozen net's. */
static void
test_freeze(void)
{
	struct opt_seg seg[8];
	struct net a, f;
	struct rng g;
	float x[4 * 5];
	int y[4] = { 0, 1, 2, 1 }, nseg, good;
	long i, n0;

	rng_seed(&g, 5);
	fill(x, 20, &g, 1);
	model(LOSS_CE, INIT_HE);
	dense(6, ACT_TANH);
	dense(5, ACT_RELU);
	dense(3, ACT_IDENTITY);
	net_create(&a, &M, NULL, 5, NULL, 3, TASK_CLASSIFICATION, 4, 3);
	M.layers[0].freeze = 1;
	M.layers[2].lr_mult = 0.1;
	net_create(&f, &M, NULL, 5, NULL, 3, TASK_CLASSIFICATION, 4, 3);
	net_zero_grad(&a);
	net_forward(&a, x, y, NULL, 4, 1);
	net_backward(&a, 1);
	n0 = f.layer[0].np;
	net_zero_grad(&f);
	for (i = 0; i < n0; i++)
		f.grad[i] = 12345;
	net_forward(&f, x, y, NULL, 4, 1);
	net_backward(&f, 1);
	good = 1;
	for (i = 0; i < n0; i++)
		good &= f.grad[i] == 12345;
	ok(good, "frozen layer: its gradients are never written");
	good = 1;
	/* the layers above call sgemm with the same shapes either way: the
	 * same bits */
	for (i = n0; i < f.nparam; i++)
		good &= f.grad[i] == a.grad[i];
	ok(good, "frozen layer: the others get the same gradients");
	nseg = net_segments(&f, seg);
	is_int(nseg, 2, "frozen layer: no segment");
	ok(seg[0].off == n0 && seg[0].n == 6 * 5 + 5 && seg[0].lr_mult == 1 &&
	    seg[1].off == n0 + 35 && seg[1].n == 5 * 3 + 3 &&
	    seg[1].lr_mult == 0.1f,	/* the config's double, rounded */
	    "segments: offsets, sizes, lr_mult");
	is_int(net_ntrainable(&f), 35 + 18, "trainable parameters");
	is_int(net_nparams(&f), 36 + 35 + 18, "all parameters");
	net_free(&a);
	net_free(&f);

	/* everything frozen: backward writes nothing and succeeds */
	model(LOSS_CE, INIT_HE);
	dense(3, ACT_IDENTITY);
	M.layers[0].freeze = 1;
	net_create(&f, &M, NULL, 5, NULL, 3, TASK_CLASSIFICATION, 4, 3);
	net_zero_grad(&f);
	net_forward(&f, x, y, NULL, 4, 1);
	is_int(net_backward(&f, 1), 0, "all frozen: backward is a no-op");
	is_int(net_segments(&f, seg), 0, "all frozen: no segments");
	net_free(&f);
}

/* 2 micro-batches of 4 with scale 1/2 = 1 batch of 8. */
static void
test_accumulation(void)
{
	struct net a, b;
	struct rng g;
	float x[8 * 6];
	int y[8];
	double l8, l4;
	long i;

	rng_seed(&g, 9);
	fill(x, 48, &g, 2);
	for (i = 0; i < 8; i++)
		y[i] = (int)rng_below(&g, 4);
	model(LOSS_CE, INIT_HE);
	dense(7, ACT_RELU);
	dense(4, ACT_IDENTITY);
	net_create(&a, &M, NULL, 6, NULL, 4, TASK_CLASSIFICATION, 8, 2);
	net_create(&b, &M, NULL, 6, NULL, 4, TASK_CLASSIFICATION, 4, 2);
	net_zero_grad(&a);
	l8 = net_forward(&a, x, y, NULL, 8, 1);
	net_backward(&a, 1);
	net_zero_grad(&b);
	l4 = net_forward(&b, x, y, NULL, 4, 1) / 2;
	net_backward(&b, 0.5f);
	l4 += net_forward(&b, x + 24, y + 4, NULL, 4, 1) / 2;
	net_backward(&b, 0.5f);
	/* the batch's sums split in two and added: tol.h's bounds */
	same_step("accumulation: 2x4 (scale 1/2) and 8", &a, 8, l4, l8,
	    a.grad, b.grad, NULL, NULL, NULL, NULL);
	/* backward twice without a forward is an error */
	is_int(net_backward(&b, 1), -1, "backward needs a new forward");
	is_str(err_msg(), "net: backward without a training forward with "
	    "labels", "backward needs a new forward: message");
	net_free(&a);
	net_free(&b);
}

/* The BLAS path and the reference give the same step. */
static void
test_reference(void)
{
	struct net n;
	struct rng g;
	float *x, *g1;
	int y[16];
	double l1, l2;
	long i;

	model(LOSS_CE, INIT_HE);
	dense(33, ACT_RELU);
	dropout(0.2);
	dense(17, ACT_TANH);
	dense(5, ACT_IDENTITY);
	net_create(&n, &M, NULL, 29, NULL, 5, TASK_CLASSIFICATION, 16, 4);
	x = malloc(16 * 29 * sizeof *x);
	g1 = malloc(n.nparam * sizeof *g1);
	rng_seed(&g, 3);
	fill(x, 16 * 29, &g, 1);
	for (i = 0; i < 16; i++)
		y[i] = (int)rng_below(&g, 5);
	g = n.rng;
	net_zero_grad(&n);
	l1 = net_forward(&n, x, y, NULL, 16, 1);
	net_backward(&n, 1);
	memcpy(g1, n.grad, n.nparam * sizeof *g1);
	blas_use_reference(1);
	n.rng = g;
	net_zero_grad(&n);
	l2 = net_forward(&n, x, y, NULL, 16, 1);
	net_backward(&n, 1);
	blas_use_reference(0);
	/* the reference loops sum in another order: tol.h's bounds */
	same_step("reference path", &n, 16, l2, l1, g1, n.grad, NULL, NULL,
	    NULL, NULL);
	net_free(&n);
	free(x);
	free(g1);
}

static void
test_dropout(void)
{
	struct net n, m;
	float *x, keep;
	long i, zeros, cnt, others;
	int good;

	model(LOSS_MSE, INIT_HE);
	dropout(0.3);
	dense(1, ACT_IDENTITY);
	net_create(&n, &M, NULL, 1000, NULL, 1, TASK_REGRESSION, 100, 8);
	net_create(&m, &M, NULL, 1000, NULL, 1, TASK_REGRESSION, 100, 8);
	cnt = 100 * 1000;
	x = malloc(cnt * sizeof *x);
	for (i = 0; i < cnt; i++)
		x[i] = 1;
	net_forward(&n, x, NULL, NULL, 100, 1);
	keep = 1 / (1 - 0.3f);
	zeros = others = 0;
	for (i = 0; i < cnt; i++) {
		zeros += n.layer[0].y[i] == 0;
		others += n.layer[0].y[i] != 0 && n.layer[0].y[i] != keep;
	}
	/* binomial: sd = sqrt(0.3 * 0.7 / 1e5) = 0.00145; 0.006 is 4 sd
	 * (and the seed is fixed: the count does not depend on the CPU) */
	is_double((double)zeros / cnt, 0.3, 0.006, "dropout: 30% zeroed");
	is_int(others, 0, "dropout: the others are scaled by 1/(1-p)");
	net_forward(&m, x, NULL, NULL, 100, 1);
	ok(memcmp(n.layer[0].mask, m.layer[0].mask, cnt * sizeof *x) == 0,
	    "dropout: the same seed draws the same mask");
	net_forward(&m, x, NULL, NULL, 100, 1);
	ok(memcmp(n.layer[0].mask, m.layer[0].mask, cnt * sizeof *x) != 0,
	    "dropout: a new mask every training step");
	x[0] = 0.25f;
	net_forward(&n, x, NULL, NULL, 100, 0);
	good = n.layer[1].x == x;
	ok(good, "dropout: the identity in evaluation");
	net_free(&n);
	net_free(&m);
	free(x);
}

static void
test_init(void)
{
	struct net n;
	double s, s2, a, mx, bmax;
	long i, cnt, nb;
	int good;

	model(LOSS_CE, INIT_HE);
	dense(256, ACT_RELU);
	dense(10, ACT_IDENTITY);
	net_create(&n, &M, NULL, 784, NULL, 10, TASK_CLASSIFICATION, 1, 42);
	is_int(net_nparams(&n), 784 * 256 + 256 + 2570,
	    "784-256-10 has 203530 parameters");
	cnt = 784 * 256;
	s = s2 = 0;
	for (i = 0; i < cnt; i++) {
		s += n.layer[0].w[i];
		s2 += (double)n.layer[0].w[i] * n.layer[0].w[i];
	}
	/* sd of the sample sd: sigma / sqrt(2 cnt) = 0.16%: 1% is 6 sd
	 * (the seed is fixed: these sums do not depend on the CPU) */
	is_rel(sqrt(s2 / cnt - (s / cnt) * (s / cnt)), sqrt(2.0 / 784), 0.01,
	    "he: weight sd = sqrt(2/fan_in)");
	is_double(s / cnt, 0, 5 * sqrt(2.0 / 784 / cnt), "he: weight mean 0");
	bmax = 0;
	for (i = 0; i < 256; i++)
		bmax = fmax(bmax, fabs(n.layer[0].b[i]));
	ok(bmax <= 1 / sqrt(784.0) && bmax > 0.9 / sqrt(784.0),
	    "bias: uniform in +-1/sqrt(fan_in)");
	net_free(&n);

	M.init = INIT_XAVIER;
	net_create(&n, &M, NULL, 784, NULL, 10, TASK_CLASSIFICATION, 1, 42);
	a = sqrt(6.0 / (784 + 256));
	s2 = mx = 0;
	for (i = 0; i < cnt; i++) {
		s2 += (double)n.layer[0].w[i] * n.layer[0].w[i];
		mx = fmax(mx, fabs(n.layer[0].w[i]));
	}
	ok(mx <= a && mx > 0.999 * a, "xavier: |w| <= sqrt(6/(in+out))");
	/* the mean of w^2, w uniform: sd sqrt(4/45) a^2 / sqrt(cnt), 0.2% of
	 * a^2/3; 1% is 5 sd */
	is_rel(s2 / cnt, a * a / 3, 0.01, "xavier: variance a^2/3");
	nb = 0;
	for (i = 0; i < 10; i++)
		nb += fabsf(n.layer[1].b[i]) <= 1 / sqrt(256.0);
	is_int(nb, 10, "xavier: bias uniform in +-1/sqrt(fan_in)");
	{
		struct net m;

		net_create(&m, &M, NULL, 784, NULL, 10, TASK_CLASSIFICATION,
		    1, 42);
		ok(memcmp(n.param, m.param, n.nparam * sizeof(float)) == 0,
		    "init: the same seed, the same weights");
		net_free(&m);
		net_create(&m, &M, NULL, 784, NULL, 10, TASK_CLASSIFICATION,
		    1, 43);
		good = memcmp(n.param, m.param, n.nparam * sizeof(float));
		ok(good != 0, "init: another seed, other weights");
		net_free(&m);
	}
	net_free(&n);
}

/*
 * A fresh softmax classifier's loss is near ln K.  With he init, inputs
 * on the scale of images divided by 255 (half zeros, half uniform in
 * [0, 1)), 784-256-10, its logits are not tiny (variance s^2 ~ 0.3) and
 * the loss is E[log sum exp z] ~ ln K + (1 - 1/K) s^2 / 2 above ln K:
 * over 50 seeds we saw 2.39 to 2.62 (mean 2.46).  The tests: the loss is
 * within 0.35 of ln 10; it is within 0.15 of that second-order value
 * computed from the logits' own variance; and with the output weights
 * scaled by 1/100 (logits ~ the bias only, |b| <= 1/16) within 0.01.
 * These bounds hold the spread over seeds; the seed is fixed, so the
 * values move between CPUs only by rounding (1e-6 of the loss).
 */
static void
test_lnk(void)
{
	struct net n;
	struct rng g;
	float *x;
	int *y;
	double L, v, mu, pred;
	long i, j, B = 1000;

	model(LOSS_CE, INIT_HE);
	dense(256, ACT_RELU);
	dense(10, ACT_IDENTITY);
	net_create(&n, &M, NULL, 784, NULL, 10, TASK_CLASSIFICATION, B, 42);
	x = malloc(B * 784 * sizeof *x);
	y = malloc(B * sizeof *y);
	rng_seed(&g, 1042);
	for (i = 0; i < B * 784; i++)
		x[i] = rng_uniform(&g) < 0.5 ? 0 : (float)rng_uniform(&g);
	for (i = 0; i < B; i++)
		y[i] = (int)rng_below(&g, 10);
	L = net_forward(&n, x, y, NULL, B, 0);
	is_double(L, log(10.0), 0.35, "fresh classifier: loss near ln 10");
	v = 0;
	for (i = 0; i < B; i++) {
		for (mu = 0, j = 0; j < 10; j++)
			mu += n.logits[i * 10 + j] / 10;
		for (j = 0; j < 10; j++)
			v += pow(n.logits[i * 10 + j] - mu, 2) / (9.0 * B);
	}
	pred = log(10.0) + 0.9 * v / 2;
	is_double(L, pred, 0.15, "fresh classifier: loss = ln 10 + "
	    "0.9 var(logits)/2");
	for (i = 0; i < 2560; i++)
		n.layer[1].w[i] /= 100;
	L = net_forward(&n, x, y, NULL, B, 0);
	is_double(L, log(10.0), 0.01, "small output weights: loss = ln 10");
	net_free(&n);
	free(x);
	free(y);
}

static void
test_errors(void)
{
	struct net n;
	float x[4] = { 0 };
	int y[2] = { 0, 3 };
	long sh[3] = { 1, 2, 3 };

	model(LOSS_CE, INIT_HE);
	dense(8, ACT_RELU);
	dense(5, ACT_IDENTITY);
	is_str(create_err(4, 10, TASK_CLASSIFICATION),
	    "cfg.yaml:12:7: last layer has 5 units, the data has 10 classes",
	    "error: last layer units != classes");
	is_str(create_err(4, 1, TASK_REGRESSION),
	    "cfg.yaml: loss cross_entropy needs classification data, the "
	    "data is for regression", "error: cross_entropy on regression");
	M.loss = LOSS_MSE;
	is_str(create_err(4, 1, TASK_REGRESSION),
	    "cfg.yaml:12:7: last layer has 5 units, the data has 1 target",
	    "error: units != targets");
	M.loss = LOSS_BCE;
	is_str(create_err(4, 2, TASK_CLASSIFICATION),
	    "cfg.yaml:12:7: last layer has 5 units, the data has 2 classes "
	    "(bce wants 1 or 2 units)", "error: binary bce");
	model(LOSS_CE, INIT_HE);
	dense(8, ACT_RELU);
	dropout(1);
	dense(2, ACT_IDENTITY);
	is_str(create_err(4, 2, TASK_CLASSIFICATION),
	    "cfg.yaml:12:7: dropout rate must be in [0, 1)",
	    "error: dropout rate 1");
	model(LOSS_CE, INIT_HE);
	dropout(0.1);
	is_str(create_err(4, 2, TASK_CLASSIFICATION),
	    "cfg.yaml: the model has no dense or conv2d layer",
	    "error: no dense or conv2d layer");
	model(LOSS_CE, INIT_HE);
	is_str(create_err(4, 2, TASK_CLASSIFICATION),
	    "cfg.yaml: the model has no layers", "error: no layers");
	model(LOSS_CE, INIT_HE);
	dense(0, ACT_RELU);
	is_str(create_err(4, 2, TASK_CLASSIFICATION),
	    "cfg.yaml:11:7: dense units must be 1 or more", "error: 0 units");
	model(LOSS_CE, INIT_HE);
	dense(2, ACT_RELU);
	err_clear();
	ok(net_create(&n, &M, "cfg.yaml", 5, sh, 2, TASK_CLASSIFICATION, 4,
	    1) == -1, "error: input shape does not hold d");
	is_str(err_msg(), "net: input shape 1x2x3 does not hold 5 features",
	    "error: input shape message");
	/* the built-in default model: no line numbers */
	M.layers[0].line = 0;
	err_clear();
	net_create(&n, &M, NULL, 6, sh, 3, TASK_CLASSIFICATION, 4, 1);
	is_str(err_msg(), "model layer 1: last layer has 2 units, the data "
	    "has 3 classes", "error: default model names the layer");
	ok(net_create(&n, &M, NULL, 6, sh, 2, TASK_CLASSIFICATION, 2, 1) == 0,
	    "a (1, 2, 3) input is flattened by dense");
	ok(isnan(net_forward(&n, x, y, NULL, 3, 1)), "batch > max_batch");
	is_str(err_msg(), "net: batch of 3 samples, the net takes 1 to 2",
	    "batch > max_batch: message");
	ok(isnan(net_forward(&n, x, y, NULL, 2, 1)), "label out of range");
	is_str(err_msg(), "net: label 3 is out of range 0..1",
	    "label out of range: message");
	net_free(&n);
	net_free(&n);	/* twice is harmless */
}

static void
test_summary(void)
{
	struct net n;
	char buf[1024];
	FILE *fp;
	size_t len;
	long sh[3] = { 1, 28, 28 };

	model(LOSS_CE, INIT_HE);
	dense(256, ACT_RELU);
	dropout(0.1);
	dense(10, ACT_IDENTITY);
	M.layers[0].freeze = 1;
	M.layers[2].lr_mult = 0.5;
	net_create(&n, &M, NULL, 784, sh, 10, TASK_CLASSIFICATION, 1, 1);
	fp = tmpfile();
	is_int(net_summary(fp, &n), 0, "summary: written");
	rewind(fp);
	len = fread(buf, 1, sizeof buf - 1, fp);
	buf[len] = '\0';
	fclose(fp);
	is_str(buf,
	    "#@ layer name=dense1 type=dense in=1x28x28 out=256 "
	    "activation=relu params=200960 freeze=1\n"
	    "#@ layer name=dropout1 type=dropout in=256 out=256 rate=0.1 "
	    "params=0\n"
	    "#@ layer name=dense2 type=dense in=256 out=10 activation=identity "
	    "params=2570 lr_mult=0.5\n"
	    "#@ model layers=3 params=203530 trainable=2570 "
	    "loss=cross_entropy init=he\n", "summary: lines");
	net_free(&n);
}

/* net_correct on set logits. */
static void
test_predict(void)
{
	struct net n;
	float x[3 * 2] = { 1, 0, 0, 1, -1, -1 };
	int y[3] = { 1, 2, 0 }, p[3] = { 0, 1, 2 };

	/* identity-like layer: logits = [x1, x2, 0.5] */
	model(LOSS_CE, INIT_HE);
	dense(3, ACT_IDENTITY);
	net_create(&n, &M, NULL, 2, NULL, 3, TASK_CLASSIFICATION, 3, 1);
	memset(n.param, 0, n.nparam * sizeof(float));
	n.layer[0].w[0] = 1;
	n.layer[0].w[3] = 1;
	n.layer[0].b[2] = 0.5f;
	net_forward(&n, x, NULL, NULL, 3, 0);
	is_int(net_correct(&n, p, 3), 3, "correct: the argmax of each");
	is_int(net_correct(&n, y, 3), 0, "correct: none");
	y[0] = 0, y[1] = 1;
	is_int(net_correct(&n, y, 3), 2, "correct: two");
	net_free(&n);
}

/* ---- image layers ------------------------------------------------------ */

/*
 * A conv2d forward worked by hand on the 1x3x3 input 1..9 (row-major):
 *
 *	1 2 3		2x2 kernel [1 2; 3 4], bias 0.5, stride 1, no padding:
 *	4 5 6		  1+4+12+20 = 37, 2+6+15+24 = 47,
 *	7 8 9		  4+10+21+32 = 67, 5+12+24+36 = 77, each + 0.5.
 *
 * A 3x3 kernel of ones with padding 1 sums each 3x3 neighbourhood:
 * 12 21 16 / 27 45 33 / 24 39 28; with stride 2 it keeps the corners
 * 12 16 / 24 28.  A second filter of minus ones with relu gives 0.
 */
static void
test_conv_hand(void)
{
	static const float x[9] = { 1, 2, 3, 4, 5, 6, 7, 8, 9 };
	static const float w2[4] = { 1, 2, 3, 4 };
	static const float same[9] = { 12, 21, 16, 27, 45, 33, 24, 39, 28 };
	static const float corners[4] = { 12, 16, 24, 28 };
	const long sh[3] = { 1, 3, 3 };
	struct net n;
	long i;
	int good;

	model(LOSS_MSE, INIT_HE);
	conv(1, 2, 1, 0, 1, ACT_IDENTITY);
	dense(1, ACT_IDENTITY);
	net_create(&n, &M, NULL, 9, sh, 1, TASK_REGRESSION, 1, 1);
	memcpy(n.layer[0].w, w2, sizeof w2);
	n.layer[0].b[0] = 0.5f;
	net_forward(&n, x, NULL, NULL, 1, 0);
	ok(n.layer[0].y[0] == 37.5f && n.layer[0].y[1] == 47.5f &&
	    n.layer[0].y[2] == 67.5f && n.layer[0].y[3] == 77.5f,
	    "conv hand: 2x2 kernel on 1x3x3 = 37.5 47.5 67.5 77.5");
	is_int(n.layer[0].out[1] * 10 + n.layer[0].out[2], 22,
	    "conv hand: output 1x2x2");
	net_free(&n);

	model(LOSS_MSE, INIT_HE);
	conv(2, 3, 1, 1, 0, ACT_RELU);
	dense(1, ACT_IDENTITY);
	net_create(&n, &M, NULL, 9, sh, 1, TASK_REGRESSION, 1, 1);
	for (i = 0; i < 9; i++) {
		n.layer[0].w[i] = 1;
		n.layer[0].w[9 + i] = -1;
	}
	net_forward(&n, x, NULL, NULL, 1, 0);
	good = 1;
	for (i = 0; i < 9; i++)
		good &= n.layer[0].y[i] == same[i] && n.layer[0].y[9 + i] == 0;
	ok(good, "conv hand: 3x3 ones, padding 1: neighbourhood sums; "
	    "relu of minus them: 0");
	ok(n.layer[0].b == NULL && n.layer[0].np == 18,
	    "conv hand: bias false: 18 parameters, no bias");
	net_free(&n);

	M.layers[0].stride = 2;
	net_create(&n, &M, NULL, 9, sh, 1, TASK_REGRESSION, 1, 1);
	for (i = 0; i < 9; i++)
		n.layer[0].w[i] = 1;
	net_forward(&n, x, NULL, NULL, 1, 0);
	ok(memcmp(n.layer[0].y, corners, sizeof corners) == 0,
	    "conv hand: stride 2, padding 1: 12 16 24 28");
	net_free(&n);

	/* same with an even kernel: torch pads 0 before, 1 after */
	model(LOSS_MSE, INIT_HE);
	conv(1, 2, 1, -1, 0, ACT_IDENTITY);
	dense(1, ACT_IDENTITY);
	net_create(&n, &M, NULL, 9, sh, 1, TASK_REGRESSION, 1, 1);
	for (i = 0; i < 4; i++)
		n.layer[0].w[i] = 1;
	net_forward(&n, x, NULL, NULL, 1, 0);
	/* 1+2+4+5, 2+3+5+6, 3+6; 4+5+7+8, 5+6+8+9, 6+9; 7+8, 8+9, 9 */
	{
		static const float want[9] = { 12, 16, 9, 24, 28, 15, 15, 17,
		    9 };

		ok(memcmp(n.layer[0].y, want, sizeof want) == 0,
		    "conv hand: 2x2 kernel, padding same: pads after");
	}
	net_free(&n);
}

/* One output of the direct convolution, in double. */
static double
naive_at(const float *x, const float *w, long C, long H, long W, long k,
    long ih0, long iw0)
{
	long c, i, j, ih, iw;
	double sum;

	sum = 0;
	for (c = 0; c < C; c++)
		for (i = 0; i < k; i++)
			for (j = 0; j < k; j++) {
				ih = ih0 + i;
				iw = iw0 + j;
				if (ih >= 0 && ih < H && iw >= 0 && iw < W)
					sum += (double)w[(c * k + i) * k + j] *
					    x[(c * H + ih) * W + iw];
			}
	return sum;
}

/* The direct convolution, in double: y (B, F, OH, OW). */
static void
naive_conv(double *y, const float *x, const float *w, const float *b,
    long B, long C, long H, long W, long F, long k, long s, long p,
    long OH, long OW)
{
	long bb, f, oh, ow;

	for (bb = 0; bb < B; bb++)
		for (f = 0; f < F; f++)
			for (oh = 0; oh < OH; oh++)
				for (ow = 0; ow < OW; ow++)
					*y++ = (b != NULL ? b[f] : 0) +
					    naive_at(x + bb * C * H * W,
					    w + f * C * k * k, C, H, W, k,
					    oh * s - p, ow * s - p);
}

/* conv2d forward against the direct convolution, over geometries, in
 * one chunk and in chunks of 1 and 3 samples. */
static void
test_conv_naive(void)
{
	static const struct {
		long C, H, W, F, k, s, p;
		int bias;
	} tab[] = {
		{ 1, 5, 5, 2, 3, 1, 0, 1 }, { 2, 6, 5, 3, 3, 2, 1, 0 },
		{ 3, 7, 7, 2, 5, 1, 2, 1 }, { 4, 4, 4, 5, 1, 1, 0, 1 },
		{ 2, 9, 8, 3, 3, 3, 0, 1 }, { 2, 5, 6, 2, 5, 2, 2, 1 },
		{ 1, 3, 3, 1, 3, 1, 2, 1 }, { 3, 8, 8, 4, 2, 2, 0, 0 },
	};
	const long B = 7, nbs[3] = { 0, 1, 3 };
	struct net n;
	struct rng g;
	float *x, *ax, *aw;
	double *ref, *mag, err, worst, kk;
	long sh[3], d, i, cnt, nw;
	size_t t;
	int q, good;
	char buf[160];

	for (t = 0; t < sizeof tab / sizeof tab[0]; t++) {
		model(LOSS_MSE, INIT_HE);
		conv(tab[t].F, tab[t].k, tab[t].s, tab[t].p, tab[t].bias,
		    ACT_IDENTITY);
		dense(1, ACT_IDENTITY);
		sh[0] = tab[t].C, sh[1] = tab[t].H, sh[2] = tab[t].W;
		d = sh[0] * sh[1] * sh[2];
		if (net_create(&n, &M, NULL, d, sh, 1, TASK_REGRESSION, B,
		    40 + t) == -1) {
			ok(0, err_msg());
			continue;
		}
		x = malloc(B * d * sizeof *x);
		rng_seed(&g, t);
		fill(x, B * d, &g, 1);
		cnt = B * n.layer[0].nout;
		ref = malloc(cnt * sizeof *ref);
		naive_conv(ref, x, n.layer[0].w, n.layer[0].b, B, sh[0], sh[1],
		    sh[2], tab[t].F, tab[t].k, tab[t].s, tab[t].p,
		    n.layer[0].out[1], n.layer[0].out[2]);
		/*
		 * the same over |x|, |w|, |b|: each output's sum|terms|; the
		 * reference sums in double, so the float32 output is within
		 * tol_f32(C k k + 1, that) of it
		 */
		nw = tab[t].F * sh[0] * tab[t].k * tab[t].k;
		mag = malloc(cnt * sizeof *mag);
		ax = malloc(B * d * sizeof *ax);
		aw = malloc((nw + tab[t].F) * sizeof *aw);
		for (i = 0; i < B * d; i++)
			ax[i] = fabsf(x[i]);
		for (i = 0; i < nw; i++)
			aw[i] = fabsf(n.layer[0].w[i]);
		for (i = 0; i < tab[t].F; i++)
			aw[nw + i] = tab[t].bias ? fabsf(n.layer[0].b[i]) : 0;
		naive_conv(mag, ax, aw, aw + nw, B, sh[0], sh[1], sh[2],
		    tab[t].F, tab[t].k, tab[t].s, tab[t].p, n.layer[0].out[1],
		    n.layer[0].out[2]);
		kk = sh[0] * tab[t].k * tab[t].k + 1;
		good = 1;
		worst = 0;
		for (q = 0; q < 3; q++) {
			if (nbs[q] > 0)
				n.layer[0].nb = nbs[q];
			net_forward(&n, x, NULL, NULL, B, 0);
			for (i = 0; i < cnt; i++) {
				err = fabs(n.layer[0].y[i] - ref[i]);
				worst = fmax(worst, err / tol_f32(kk, mag[i]));
				good &= err <= tol_f32(kk, mag[i]);
			}
		}
		snprintf(buf, sizeof buf, "conv %ldx%ldx%ld, %ld filters "
		    "%ldx%ld, stride %ld, padding %ld%s: = direct (worst "
		    "%.1g of the bound)", sh[0], sh[1], sh[2], tab[t].F,
		    tab[t].k, tab[t].k, tab[t].s, tab[t].p, tab[t].bias ? "" :
		    ", no bias", worst);
		ok(good, buf);
		free(x);
		free(ax);
		free(aw);
		free(mag);
		free(ref);
		net_free(&n);
	}
}

static void
test_conv_gradients(void)
{
	const long s255[3] = { 2, 5, 5 }, s365[3] = { 3, 6, 5 },
	    s155[3] = { 1, 5, 5 }, s433[3] = { 4, 3, 3 },
	    s277[3] = { 2, 7, 7 }, s244[3] = { 2, 4, 4 },
	    s166[3] = { 1, 6, 6 }, s188[3] = { 1, 8, 8 };

	model(LOSS_CE, INIT_HE);
	conv(3, 3, 1, 0, 1, ACT_TANH);
	dense(3, ACT_IDENTITY);
	check_shaped(50, s255, 3, TASK_CLASSIFICATION, 3, 1,
	    "conv 2->3 3x3 stride 1 padding 0, tanh", 51);
	model(LOSS_CE, INIT_HE);
	conv(2, 3, 2, 1, 0, ACT_IDENTITY);
	dense(3, ACT_IDENTITY);
	check_shaped(90, s365, 3, TASK_CLASSIFICATION, 3, 1,
	    "conv 3->2 3x3 stride 2 padding 1, no bias, on 6x5", 52);
	model(LOSS_CE, INIT_XAVIER);
	conv(2, 5, 1, -1, 1, ACT_SIGMOID);
	dense(3, ACT_IDENTITY);
	check_shaped(25, s155, 3, TASK_CLASSIFICATION, 2, 1,
	    "conv 1->2 5x5 padding same, sigmoid", 53);
	model(LOSS_MSE, INIT_HE);
	conv(3, 1, 1, 0, 1, ACT_GELU);
	dense(2, ACT_IDENTITY);
	check_shaped(36, s433, 2, TASK_REGRESSION, 3, 1,
	    "conv 4->3 1x1, gelu, mse", 54);
	model(LOSS_CE, INIT_HE);
	conv(2, 3, 2, 0, 1, ACT_LEAKY_RELU);
	dense(3, ACT_IDENTITY);
	check_shaped(98, s277, 3, TASK_CLASSIFICATION, 3, 1,
	    "conv 2->2 3x3 stride 2 padding 0, leaky_relu", 55);
	model(LOSS_CE, INIT_HE);
	conv(2, 2, 1, -1, 1, ACT_TANH);
	conv(2, 5, 2, 2, 1, ACT_TANH);
	dense(3, ACT_IDENTITY);
	check_shaped(32, s244, 3, TASK_CLASSIFICATION, 3, 1,
	    "conv 2x2 padding same, then 5x5 stride 2 padding 2", 56);

	/* pools, after a conv so that their inputs have no ties */
	model(LOSS_CE, INIT_HE);
	conv(3, 3, 1, 1, 1, ACT_TANH);
	pool(LAYER_MAXPOOL2D, 2, 2, 0);
	dense(3, ACT_IDENTITY);
	check_shaped(36, s166, 3, TASK_CLASSIFICATION, 3, 1,
	    "maxpool 2x2 stride 2", 57);
	/* relu conv2d, then 2x2 max pooling: their backward is fused */
	model(LOSS_CE, INIT_HE);
	conv(3, 3, 1, 1, 1, ACT_RELU);
	pool(LAYER_MAXPOOL2D, 2, 2, 0);
	dense(3, ACT_IDENTITY);
	check_shaped(36, s166, 3, TASK_CLASSIFICATION, 3, 1,
	    "relu conv, maxpool 2x2 (fused backward)", 67);
	model(LOSS_CE, INIT_HE);
	conv(2, 3, 1, -1, 0, ACT_RELU);
	pool(LAYER_MAXPOOL2D, 2, 2, 0);
	conv(3, 2, 1, 0, 1, ACT_RELU);
	pool(LAYER_MAXPOOL2D, 2, 2, 0);
	dense(3, ACT_IDENTITY);
	check_shaped(98, s277, 3, TASK_CLASSIFICATION, 3, 1,
	    "relu conv, maxpool 2x2 on 7x7 (odd: the last row and column), "
	    "twice", 73);
	model(LOSS_CE, INIT_HE);
	conv(2, 1, 1, 0, 1, ACT_IDENTITY);
	pool(LAYER_MAXPOOL2D, 3, 2, 0);
	dense(3, ACT_IDENTITY);
	check_shaped(98, s277, 3, TASK_CLASSIFICATION, 3, 1,
	    "maxpool 3x3 stride 2 (overlapping)", 58);
	model(LOSS_CE, INIT_HE);
	conv(2, 1, 1, 0, 1, ACT_IDENTITY);
	pool(LAYER_MAXPOOL2D, 3, 2, 1);
	dense(3, ACT_IDENTITY);
	check_shaped(98, s277, 3, TASK_CLASSIFICATION, 3, 1,
	    "maxpool 3x3 stride 2 padding 1", 59);
	model(LOSS_CE, INIT_HE);
	conv(3, 3, 1, 1, 1, ACT_TANH);
	pool(LAYER_AVGPOOL2D, 2, 2, 0);
	dense(3, ACT_IDENTITY);
	check_shaped(36, s166, 3, TASK_CLASSIFICATION, 3, 1,
	    "avgpool 2x2 stride 2", 60);
	model(LOSS_CE, INIT_HE);
	pool(LAYER_AVGPOOL2D, 3, 2, 0);
	dense(3, ACT_IDENTITY);
	check_shaped(98, s277, 3, TASK_CLASSIFICATION, 3, 1,
	    "avgpool 3x3 stride 2 on the input", 61);
	model(LOSS_CE, INIT_HE);
	pool(LAYER_AVGPOOL2D, 3, 2, 1);
	dense(3, ACT_IDENTITY);
	check_shaped(98, s277, 3, TASK_CLASSIFICATION, 3, 1,
	    "avgpool 3x3 stride 2 padding 1", 62);

	/* batchnorm, training mode */
	model(LOSS_CE, INIT_HE);
	conv(3, 3, 1, 1, 1, ACT_IDENTITY);
	layer(LAYER_BATCHNORM);
	conv(2, 3, 1, 0, 1, ACT_TANH);
	dense(3, ACT_IDENTITY);
	check_shaped(36, s166, 3, TASK_CLASSIFICATION, 3, 1,
	    "batchnorm over channels (after conv)", 63);
	model(LOSS_CE, INIT_HE);
	dense(6, ACT_IDENTITY);
	layer(LAYER_BATCHNORM);
	dense(5, ACT_TANH);
	dense(3, ACT_IDENTITY);
	check_model(5, 3, TASK_CLASSIFICATION, 6, 1,
	    "batchnorm over features (after dense)", 64);
	model(LOSS_MSE, INIT_HE);
	layer(LAYER_BATCHNORM);
	conv(2, 3, 1, 1, 1, ACT_SIGMOID);
	dense(2, ACT_IDENTITY);
	check_shaped(32, s244, 2, TASK_REGRESSION, 4, 1,
	    "batchnorm on the input, then conv", 65);

	/* global average pooling: on a conv, on the input, and as
	 * ResNet's head takes it, after batchnorm and relu */
	model(LOSS_CE, INIT_HE);
	conv(3, 3, 1, 1, 1, ACT_TANH);
	layer(LAYER_GLOBALAVGPOOL);
	dense(3, ACT_IDENTITY);
	check_shaped(36, s166, 3, TASK_CLASSIFICATION, 3, 1,
	    "globalavgpool after conv 6x6", 74);
	model(LOSS_MSE, INIT_HE);
	layer(LAYER_GLOBALAVGPOOL);
	dense(2, ACT_TANH);
	check_shaped(98, s277, 2, TASK_REGRESSION, 4, 1,
	    "globalavgpool on the input 2x7x7, mse", 75);
	model(LOSS_CE, INIT_HE);
	conv(4, 3, 2, 1, 0, ACT_IDENTITY);
	layer(LAYER_BATCHNORM);
	conv(4, 3, 1, 1, 0, ACT_RELU);
	layer(LAYER_GLOBALAVGPOOL);
	layer(LAYER_FLATTEN);
	dense(3, ACT_IDENTITY);
	check_shaped(64, s188, 3, TASK_CLASSIFICATION, 4, 1,
	    "conv stride 2, batchnorm, relu conv, globalavgpool, flatten, "
	    "dense", 76);

	/* a small CNN end to end, and in chunks of 3 of its 7 samples */
	model(LOSS_CE, INIT_HE);
	conv(4, 3, 1, -1, 1, ACT_TANH);
	pool(LAYER_MAXPOOL2D, 2, 2, 0);
	conv(6, 3, 1, 1, 1, ACT_RELU);
	layer(LAYER_BATCHNORM);
	pool(LAYER_MAXPOOL2D, 2, 2, 0);
	layer(LAYER_FLATTEN);
	dense(8, ACT_RELU);
	dropout(0.25);
	dense(3, ACT_IDENTITY);
	check_shaped(64, s188, 3, TASK_CLASSIFICATION, 4, 1,
	    "CNN conv-pool-conv-bn-pool-dense-dropout-dense", 66);
	/* more samples, more kinks: a smaller perturbation */
	force_nb = 3;
	gc_h = 2e-3;
	check_shaped(64, s188, 3, TASK_CLASSIFICATION, 7, 0,
	    "CNN, im2col in chunks of 3 samples", 67);
	gc_h = 1e-2;
	check_shaped(64, s188, 3, TASK_CLASSIFICATION, 7, 2,
	    "CNN, im2col in chunks of 3 samples", 67);
	force_nb = 0;
}

/*
 * batchnorm by hand, features (2 channels), batch x = [[1, 2], [3, 6]]:
 * mean [2, 4], biased variance [1, 4], unbiased [2, 8];
 * y = (x - mean) / sqrt(var + 1e-5) = -+1/sqrt(1 + 1e-5), -+2/sqrt(4 +
 * 1e-5); running mean 0.1 [2, 4] = [0.2, 0.4], running variance
 * 0.9 + 0.1 [2, 8] = [1.1, 1.7].  Evaluation with running mean [1, -2],
 * variance [4, 0.25], gamma [2, 1], beta [0.5, 0] maps [3, -1.5] to
 * 2 * 2 / sqrt(4 + 1e-5) + 0.5 = 2.4999975 and 0.5 / sqrt(0.25 + 1e-5)
 * = 0.99998...
 */
static void
test_bn_hand(void)
{
	const float x[4] = { 1, 2, 3, 6 }, xe[2] = { 3, -1.5f };
	const int y[2] = { 0, 1 };
	struct net n;
	struct net_layer *L;

	model(LOSS_CE, INIT_HE);
	layer(LAYER_BATCHNORM);
	dense(2, ACT_IDENTITY);
	net_create(&n, &M, NULL, 2, NULL, 2, TASK_CLASSIFICATION, 2, 1);
	L = &n.layer[0];
	ok(L->w[0] == 1 && L->w[1] == 1 && L->b[0] == 0 && L->b[1] == 0 &&
	    L->rmean[0] == 0 && L->rvar[1] == 1, "batchnorm init: gamma 1, "
	    "beta 0, running mean 0, variance 1");
	is_int(net_nparams(&n), 4 + 6, "batchnorm: gamma and beta are "
	    "parameters, running statistics not");
	net_forward(&n, x, y, NULL, 2, 1);
	/*
	 * float32 against the exact values (tests/tol.h): the statistics of
	 * small integers are exact; y = (x - mean) / sqrt(var + eps) rounds
	 * the eps sum, the root, the reciprocal and the product: tol_f32(4,
	 * |y|); a running statistic (1 - m) r + m s with m = 0.1 rounded: 2
	 * products and their sum, tol_f32(2, sum|terms|).
	 */
	is_double(L->y[0], -1 / sqrt(1 + 1e-5), tol_f32(4, 1),
	    "batchnorm train: y (1,1)");
	is_double(L->y[1], -2 / sqrt(4 + 1e-5), tol_f32(4, 1),
	    "batchnorm train: y (1,2)");
	is_double(L->y[3], 2 / sqrt(4 + 1e-5), tol_f32(4, 1),
	    "batchnorm train: y (2,2)");
	is_double(L->rmean[0], 0.2, tol_f32(2, 0.2), "running mean 0.1 * 2");
	is_double(L->rmean[1], 0.4, tol_f32(2, 0.4), "running mean 0.1 * 4");
	is_double(L->rvar[0], 1.1, tol_f32(2, 1.1), "running variance 0.9 + "
	    "0.1 * 2 (unbiased)");
	is_double(L->rvar[1], 1.7, tol_f32(2, 1.7), "running variance 0.9 + "
	    "0.1 * 8");
	net_forward(&n, x, y, NULL, 2, 1);
	/* this step's rounding, and 0.9 of the last one's */
	is_double(L->rmean[1], 0.9 * 0.4 + 0.4, tol_f32(2, 0.76) + 0.9 *
	    tol_f32(2, 0.4), "running mean, second step");
	net_forward(&n, x, y, NULL, 2, 0);
	is_double(L->rmean[1], 0.76, tol_f32(2, 0.76) + 0.9 * tol_f32(2,
	    0.4), "evaluation leaves the running statistics alone");
	L->rmean[0] = 1, L->rmean[1] = -2;
	L->rvar[0] = 4, L->rvar[1] = 0.25f;
	L->w[0] = 2, L->b[0] = 0.5f;
	net_forward(&n, xe, NULL, NULL, 1, 0);
	/* and gamma's product and beta's sum: tol_f32(5, |terms|) */
	is_double(L->y[0], 2 * 2 / sqrt(4 + 1e-5) + 0.5, tol_f32(5, 2.5),
	    "batchnorm eval: running statistics (1)");
	is_double(L->y[1], 0.5 / sqrt(0.25 + 1e-5), tol_f32(5, 1),
	    "batchnorm eval: running statistics (2)");
	ok(isnan(net_forward(&n, xe, y, NULL, 1, 1)),
	    "batchnorm train: one sample of features is an error");
	is_str(err_msg(), "net: layer 1 (batchnorm1): a training batch of "
	    "one value per channel has no variance", "... its message");
	/* refused before training: net_train_check, its line named */
	is_int(net_train_check(&n, 2), 0, "net_train_check: a batch of 2 "
	    "features is trained");
	is_int(net_train_check(&n, 1), -1, "net_train_check: a batch of 1 "
	    "is refused");
	is_str(err_msg(), "model:11:7: batchnorm1: a training batch of 1 "
	    "gives it 1 value per channel; it needs 2 or more (raise "
	    "train.batch_size)", "... its message names the layer's line");
	net_free(&n);
}

/*
 * globalavgpool by hand: 2 samples of 2 channels of 2x3, x = 0..23;
 * each plane's mean is its first value + 2.5 (0..5 -> 2.5), exact in
 * float; backward, dL/dy spread over the plane divided by 6.
 */
static void
test_gap_hand(void)
{
	const long sh[3] = { 2, 2, 3 };
	struct net n;
	float x[24];
	int y[2] = { 0, 1 }, good;
	long i;

	model(LOSS_CE, INIT_HE);
	layer(LAYER_GLOBALAVGPOOL);
	dense(2, ACT_IDENTITY);
	if (net_create(&n, &M, "cfg.yaml", 12, sh, 2, TASK_CLASSIFICATION,
	    2, 1) == -1 || net_input_grad(&n, 1) == -1) {
		ok(0, "globalavgpool by hand");
		diag("%s", err_msg());
		return;
	}
	is_int(n.layer[0].out[0] * 100 + n.layer[0].out[1] * 10 +
	    n.layer[0].out[2], 211, "globalavgpool: 2x2x3 -> 2x1x1");
	is_str(n.layer[0].name, "globalavgpool1", "globalavgpool: its name");
	for (i = 0; i < 24; i++)
		x[i] = (float)i;
	net_forward(&n, x, y, NULL, 2, 1);
	ok(n.layer[0].y[0] == 2.5f && n.layer[0].y[1] == 8.5f &&
	    n.layer[0].y[2] == 14.5f && n.layer[0].y[3] == 20.5f,
	    "globalavgpool forward: 2.5 8.5 14.5 20.5");
	net_zero_grad(&n);
	net_backward(&n, 1);
	/* dL/dx of the pooling = (W^T dL/dz) / 6, the same over a plane;
	 * dL/dz = (softmax(z) - onehot(y)) / B.  Float sums of 2 terms and
	 * a softmax of 2: 16 eps of the terms' size bounds the rounding. */
	good = n.dx != NULL;
	for (i = 0; good && i < 24; i++) {
		const float *z = n.layer[1].y + (i / 12) * 2;
		const float *W = n.layer[1].w;
		double m, e0, e1, d0, d1, want, mag;
		long c = (i / 6) % 2;

		m = z[0] > z[1] ? z[0] : z[1];
		e0 = exp(z[0] - m);
		e1 = exp(z[1] - m);
		d0 = (e0 / (e0 + e1) - (y[i / 12] == 0)) / 2;
		d1 = (e1 / (e0 + e1) - (y[i / 12] == 1)) / 2;
		want = (W[0 * 2 + c] * d0 + W[1 * 2 + c] * d1) / 6;
		mag = (fabs(W[0 * 2 + c] * d0) + fabs(W[1 * 2 + c] * d1)) / 6;
		good &= n.dx[i] == n.dx[i - i % 6] &&
		    fabs(n.dx[i] - want) <= 16 * FLT_EPSILON * mag;
	}
	ok(good, "globalavgpool backward: W^T dL/dz / 6 over each plane");
	net_free(&n);
}

/* The running statistics of a conv batchnorm: over batch and plane. */
static void
test_bn_conv(void)
{
	/* 2 samples of 1x2x2: channel values 1..8, mean 4.5, biased
	 * variance 5.25, unbiased 6 */
	const float x[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	const long sh[3] = { 1, 2, 2 };
	struct net n;
	struct net_layer *L;

	model(LOSS_MSE, INIT_HE);
	layer(LAYER_BATCHNORM);
	dense(1, ACT_IDENTITY);
	net_create(&n, &M, NULL, 4, sh, 1, TASK_REGRESSION, 2, 1);
	L = &n.layer[0];
	net_forward(&n, x, NULL, NULL, 2, 1);
	/* as in test_bn_hand: the sums of 8 small integers and their
	 * squares are exact; 4.5 / 8 and 6 x 8 / 7 round once more */
	is_double(L->rmean[0], 0.45, tol_f32(3, 0.45), "conv batchnorm: "
	    "running mean");
	is_double(L->rvar[0], 0.9 + 0.6, tol_f32(3, 1.5), "conv batchnorm: "
	    "running variance, unbiased over 8 values");
	is_double(L->y[7], 3.5 / sqrt(5.25 + 1e-5), tol_f32(4, 1.53),
	    "conv batchnorm: y of the last value");
	net_free(&n);
}

/* Frozen conv2d and batchnorm layers: their gradients are never
 * written, the others' equal those of the unfrozen net. */
static void
test_cnn_freeze(void)
{
	const long sh[3] = { 2, 6, 6 };
	struct opt_seg seg[16];
	struct net a, f;
	struct rng g;
	float x[5 * 72];
	double *mag;
	int y[5] = { 0, 1, 2, 1, 0 }, good, nseg, l;
	long i, lo, hi;

	rng_seed(&g, 8);
	fill(x, 5 * 72, &g, 1);
	model(LOSS_CE, INIT_HE);
	conv(3, 3, 1, 1, 1, ACT_RELU);
	layer(LAYER_BATCHNORM);
	pool(LAYER_MAXPOOL2D, 2, 2, 0);
	conv(4, 3, 1, 1, 0, ACT_TANH);
	dense(3, ACT_IDENTITY);
	net_create(&a, &M, NULL, 72, sh, 3, TASK_CLASSIFICATION, 5, 4);
	M.layers[0].freeze = 1;
	M.layers[1].freeze = 1;
	M.layers[3].lr_mult = 0.25;
	net_create(&f, &M, NULL, 72, sh, 3, TASK_CLASSIFICATION, 5, 4);
	ok(memcmp(a.param, f.param, a.nparam * sizeof(float)) == 0,
	    "freeze does not change the initial weights");
	net_zero_grad(&a);
	net_forward(&a, x, y, NULL, 5, 1);
	net_backward(&a, 1);
	hi = f.layer[2].poff;	/* conv1 and batchnorm1 */
	for (i = 0; i < f.nparam; i++)
		f.grad[i] = i < hi ? 12345 : 0;
	net_forward(&f, x, y, NULL, 5, 1);
	net_backward(&f, 1);
	good = 1;
	for (i = 0; i < hi; i++)
		good &= f.grad[i] == 12345;
	ok(good, "frozen conv and batchnorm: gradients never written");
	/*
	 * conv2 is the lowest trainable layer: its backward skips dX and may
	 * take another path to dW: tol.h's bounds on the gradients above
	 */
	mag = malloc(a.nparam * sizeof *mag);
	grad_mag(&a, a.grad, 5, mag);
	ok(close_sums(a.grad + hi, f.grad + hi, f.nparam - hi, path_k(&a, 5,
	    1), mag + hi, 0, NULL), "frozen conv and batchnorm: the others' "
	    "gradients as unfrozen");
	free(mag);
	ok(memcmp(a.layer[1].rmean, f.layer[1].rmean, 3 * sizeof(float)) ==
	    0 && f.layer[1].rmean[0] != 0, "frozen batchnorm: running "
	    "statistics still move in training");
	nseg = net_segments(&f, seg);
	is_int(nseg, 2, "frozen conv and batchnorm: 2 segments");
	lo = f.layer[3].poff;
	ok(seg[0].off == lo && seg[0].n == 4 * 3 * 9 &&
	    seg[0].lr_mult == 0.25f && seg[1].off == f.layer[4].poff,
	    "segments of conv2 (lr_mult 0.25) and dense1");
	is_int(net_ntrainable(&f), 108 + f.layer[4].np, "trainable: conv2 "
	    "and dense1");
	net_free(&f);

	/* everything below the head frozen: backward writes the head only */
	for (l = 0; l < 4; l++)
		M.layers[l].freeze = 1;
	net_create(&f, &M, NULL, 72, sh, 3, TASK_CLASSIFICATION, 5, 4);
	hi = f.layer[4].poff;
	for (i = 0; i < f.nparam; i++)
		f.grad[i] = i < hi ? -7 : 0;
	net_forward(&f, x, y, NULL, 5, 1);
	net_backward(&f, 1);
	good = 1;
	for (i = 0; i < hi; i++)
		good &= f.grad[i] == -7;
	for (i = hi; i < f.nparam; i++)
		good &= f.grad[i] == a.grad[i];
	ok(good, "all but the head frozen: the head's gradient only");
	net_free(&f);
	net_free(&a);
}

/* The BLAS path and the reference give the same CNN step. */
static void
test_cnn_reference(void)
{
	const long sh[3] = { 1, 12, 12 };
	struct net n;
	struct rng g;
	float *x, *g1, *l1;
	int y[9];
	double a, b;
	long i, nl;

	model(LOSS_CE, INIT_HE);
	conv(8, 3, 1, -1, 1, ACT_RELU);
	pool(LAYER_MAXPOOL2D, 2, 2, 0);
	conv(16, 3, 1, 1, 1, ACT_RELU);
	layer(LAYER_BATCHNORM);
	pool(LAYER_AVGPOOL2D, 2, 2, 0);
	dense(10, ACT_RELU);
	dense(4, ACT_IDENTITY);
	net_create(&n, &M, NULL, 144, sh, 4, TASK_CLASSIFICATION, 9, 6);
	x = malloc(9 * 144 * sizeof *x);
	g1 = malloc(n.nparam * sizeof *g1);
	nl = 9 * 4;
	l1 = malloc(nl * sizeof *l1);
	rng_seed(&g, 31);
	fill(x, 9 * 144, &g, 1);
	for (i = 0; i < 9; i++)
		y[i] = (int)rng_below(&g, 4);
	net_zero_grad(&n);
	a = net_forward(&n, x, y, NULL, 9, 1);
	memcpy(l1, n.logits, nl * sizeof *l1);
	net_backward(&n, 1);
	memcpy(g1, n.grad, n.nparam * sizeof *g1);
	blas_use_reference(1);
	net_zero_grad(&n);
	b = net_forward(&n, x, y, NULL, 9, 1);
	net_backward(&n, 1);
	blas_use_reference(0);
	/* the reference loops sum in another order: tol.h's bounds */
	same_step("CNN reference path", &n, 9, b, a, g1, n.grad, l1,
	    n.logits, NULL, NULL);
	net_free(&n);
	free(x);
	free(g1);
	free(l1);
}

/* Chunked im2col gives the step of one chunk. */
static void
test_conv_chunks(void)
{
	const long sh[3] = { 3, 9, 9 };
	struct net n;
	struct rng g;
	float *x, *g1, *dx1;
	double l1, l2;
	int y[10];
	long i, d = 243;

	model(LOSS_CE, INIT_HE);
	conv(5, 3, 2, 1, 1, ACT_TANH);
	conv(4, 3, 1, -1, 1, ACT_GELU);
	dense(3, ACT_IDENTITY);
	net_create(&n, &M, NULL, d, sh, 3, TASK_CLASSIFICATION, 10, 3);
	ok(n.layer[0].nb == 10 && n.layer[1].nb == 10,
	    "small layers: one chunk of the whole batch");
	x = malloc(10 * d * sizeof *x);
	g1 = malloc(n.nparam * sizeof *g1);
	dx1 = malloc(10 * d * sizeof *dx1);
	rng_seed(&g, 4);
	fill(x, 10 * d, &g, 1);
	for (i = 0; i < 10; i++)
		y[i] = (int)rng_below(&g, 3);
	net_input_grad(&n, 1);
	net_zero_grad(&n);
	l1 = net_forward(&n, x, y, NULL, 10, 1);
	net_backward(&n, 1);
	memcpy(g1, n.grad, n.nparam * sizeof *g1);
	memcpy(dx1, n.dx, 10 * d * sizeof *dx1);
	n.layer[0].nb = 3;	/* 4 chunks: 3 3 3 1 -> 3 3 2 2 */
	n.layer[1].nb = 4;
	net_zero_grad(&n);
	l2 = net_forward(&n, x, y, NULL, 10, 1);
	net_backward(&n, 1);
	/* other chunks give sgemm other shapes: tol.h's bounds */
	same_step("chunks of 3 and 4 samples and one chunk", &n, 10, l1, l2,
	    g1, n.grad, NULL, NULL, dx1, n.dx);
	net_free(&n);
	free(x);
	free(g1);
	free(dx1);

	/* a large layer is chunked at creation: 1x28x28 -> 32 3x3 */
	{
		const long s28[3] = { 1, 28, 28 };

		model(LOSS_CE, INIT_HE);
		conv(32, 3, 1, 1, 1, ACT_RELU);
		dense(10, ACT_IDENTITY);
		net_create(&n, &M, NULL, 784, s28, 10, TASK_CLASSIFICATION,
		    1024, 1);
		is_int(n.layer[0].nb, NET_CONVWORK / ((9 + 32) * 784),
		    "1x28x28 conv 32 3x3: chunks of NET_CONVWORK floats");
		ok(n.nwork <= NET_CONVWORK + 32, "the work block is "
		    "NET_CONVWORK floats, not max_batch columns");
		net_free(&n);
	}
}

static const char *
shaped_err(long d, const long *sh)
{
	struct net n;

	err_clear();
	if (net_create(&n, &M, "cfg.yaml", d, sh, 3, TASK_CLASSIFICATION, 4,
	    1) == 0) {
		net_free(&n);
		return "(no error)";
	}
	return err_msg();
}

static void
test_cnn_errors(void)
{
	const long s144[3] = { 1, 4, 4 }, s2[3] = { 3, 2, 2 };

	model(LOSS_CE, INIT_HE);
	conv(4, 3, 1, 0, 1, ACT_RELU);
	conv(4, 3, 1, 0, 1, ACT_RELU);
	conv(4, 5, 1, 0, 1, ACT_RELU);
	dense(3, ACT_IDENTITY);
	M.layers[2].line = 9;
	is_str(shaped_err(16, s144), "cfg.yaml:12:7: layer 2 (conv2d): "
	    "kernel 3x3 does not fit the input 4x2x2",
	    "error: conv kernel larger than the input");
	model(LOSS_CE, INIT_HE);
	conv(4, 5, 1, 1, 1, ACT_RELU);
	dense(3, ACT_IDENTITY);
	is_str(shaped_err(12, s2), "cfg.yaml:11:7: layer 1 (conv2d): "
	    "kernel 5x5 with padding 1 does not fit the input 3x2x2",
	    "error: conv kernel larger than the padded input");
	M.layers[0].padding = -1;
	is_str(shaped_err(12, s2), "(no error)", "padding same fits any "
	    "input");
	M.layers[0].stride = 2;
	is_str(shaped_err(12, s2), "cfg.yaml:11:7: layer 1 (conv2d): "
	    "padding same needs stride 1, not 2", "error: same, stride 2");
	model(LOSS_CE, INIT_HE);
	conv(4, 3, 1, 1, 1, ACT_RELU);
	pool(LAYER_MAXPOOL2D, 2, 2, 0);
	pool(LAYER_MAXPOOL2D, 2, 2, 0);
	pool(LAYER_AVGPOOL2D, 2, 2, 0);
	dense(3, ACT_IDENTITY);
	is_str(shaped_err(16, s144), "cfg.yaml:14:7: layer 4 (avgpool2d): "
	    "kernel 2x2 does not fit the input 4x1x1",
	    "error: pooling to nothing");
	model(LOSS_CE, INIT_HE);
	pool(LAYER_MAXPOOL2D, 3, 1, 2);
	dense(3, ACT_IDENTITY);
	is_str(shaped_err(16, s144), "cfg.yaml:11:7: layer 1 (maxpool2d): "
	    "padding 2 is more than half the kernel 3",
	    "error: pool padding > kernel/2");
	M.layers[0].padding = -1;
	is_str(shaped_err(16, s144), "cfg.yaml:11:7: layer 1 (maxpool2d): "
	    "padding same is for conv2d only", "error: pool padding same");
	model(LOSS_CE, INIT_HE);
	dense(8, ACT_RELU);
	conv(4, 3, 1, 0, 1, ACT_RELU);
	dense(3, ACT_IDENTITY);
	is_str(shaped_err(16, s144), "cfg.yaml:12:7: layer 2 (conv2d): "
	    "kernel 3x3 does not fit the input 8x1x1",
	    "error: conv after dense (no image left)");
	model(LOSS_CE, INIT_HE);
	conv(3, 1, 1, 0, 1, ACT_IDENTITY);
	pool(LAYER_AVGPOOL2D, 4, 4, 0);
	is_str(shaped_err(16, s144), "(no error)", "a fully convolutional "
	    "net: conv 1x1 and global average pooling to 3 classes");
	model(LOSS_CE, INIT_HE);
	pool(LAYER_MAXPOOL2D, 2, 2, 0);
	layer(LAYER_FLATTEN);
	is_str(shaped_err(16, s144), "cfg.yaml: the model has no dense or "
	    "conv2d layer", "error: no layer with weights");
}

static void
test_cnn_summary(void)
{
	const long sh[3] = { 1, 28, 28 };
	struct net n;
	char buf[2048];
	FILE *fp;
	size_t len;

	model(LOSS_CE, INIT_HE);
	conv(32, 3, 1, -1, 1, ACT_RELU);
	layer(LAYER_BATCHNORM);
	pool(LAYER_MAXPOOL2D, 2, 2, 0);
	conv(64, 3, 1, 1, 0, ACT_RELU);
	pool(LAYER_AVGPOOL2D, 3, 2, 1);
	layer(LAYER_FLATTEN);
	dense(128, ACT_RELU);
	dense(10, ACT_IDENTITY);
	M.layers[0].freeze = 1;
	M.layers[3].lr_mult = 0.1;
	net_create(&n, &M, NULL, 784, sh, 10, TASK_CLASSIFICATION, 2, 1);
	fp = tmpfile();
	is_int(net_summary(fp, &n), 0, "CNN summary: written");
	rewind(fp);
	len = fread(buf, 1, sizeof buf - 1, fp);
	buf[len] = '\0';
	fclose(fp);
	is_str(buf,
	    "#@ layer name=conv1 type=conv2d in=1x28x28 out=32x28x28 "
	    "kernel=3 stride=1 padding=same activation=relu params=320 "
	    "freeze=1\n"
	    "#@ layer name=batchnorm1 type=batchnorm in=32x28x28 "
	    "out=32x28x28 params=64\n"
	    "#@ layer name=maxpool1 type=maxpool2d in=32x28x28 out=32x14x14 "
	    "kernel=2 stride=2 params=0\n"
	    "#@ layer name=conv2 type=conv2d in=32x14x14 out=64x14x14 "
	    "kernel=3 stride=1 padding=1 activation=relu bias=0 "
	    "params=18432 lr_mult=0.1\n"
	    "#@ layer name=avgpool1 type=avgpool2d in=64x14x14 out=64x7x7 "
	    "kernel=3 stride=2 padding=1 params=0\n"
	    "#@ layer name=flatten1 type=flatten in=64x7x7 out=3136 "
	    "params=0\n"
	    "#@ layer name=dense1 type=dense in=3136 out=128 "
	    "activation=relu params=401536\n"
	    "#@ layer name=dense2 type=dense in=128 out=10 "
	    "activation=identity params=1290\n"
	    "#@ model layers=8 params=421642 trainable=421322 "
	    "loss=cross_entropy init=he\n", "CNN summary: lines");
	net_free(&n);
}

/*
 * Initialisation of conv2d as torch: he = kaiming_normal_ on fan_in =
 * C*k*k, xavier on fan_in + fan_out = (C + F) k*k, bias uniform in
 * +-1/sqrt(fan_in).
 */
static void
test_conv_init(void)
{
	const long sh[3] = { 16, 10, 10 };
	struct net n;
	double s2, mx, a;
	long i, cnt;

	model(LOSS_CE, INIT_HE);
	conv(64, 5, 1, 0, 1, ACT_RELU);
	dense(10, ACT_IDENTITY);
	net_create(&n, &M, NULL, 1600, sh, 10, TASK_CLASSIFICATION, 1, 42);
	cnt = 64 * 16 * 25;
	for (s2 = 0, i = 0; i < cnt; i++)
		s2 += (double)n.layer[0].w[i] * n.layer[0].w[i];
	/* sd of the sample sd over 25600 weights: 1 / sqrt(2 cnt) = 0.44%;
	 * 3% is 7 sd */
	is_rel(sqrt(s2 / cnt), sqrt(2.0 / 400), 0.03,
	    "conv he: weight sd = sqrt(2/(C k k))");
	for (mx = 0, i = 0; i < 64; i++)
		mx = fmax(mx, fabs(n.layer[0].b[i]));
	ok(mx <= 1 / 20.0 && mx > 0.8 / 20, "conv bias: uniform in "
	    "+-1/sqrt(C k k)");
	net_free(&n);
	M.init = INIT_XAVIER;
	net_create(&n, &M, NULL, 1600, sh, 10, TASK_CLASSIFICATION, 1, 42);
	a = sqrt(6.0 / (400 + 64 * 25));
	for (mx = 0, i = 0; i < cnt; i++)
		mx = fmax(mx, fabs(n.layer[0].w[i]));
	ok(mx <= a && mx > 0.99 * a, "conv xavier: |w| <= sqrt(6/((C+F) k "
	    "k))");
	net_free(&n);
}

/*
 * One training step of n on a team of nt threads from the dropout stream
 * r0: the loss, and copies of the logits, the gradient and dx (if dx is
 * not NULL).
 */
static double
step_on(struct net *n, int nt, const struct rng *r0, const float *x,
    const int *y, long B, float *logits, float *grad, float *dx)
{
	double l;

	if (net_threads(n, nt) != 0)
		return NAN;
	n->rng = *r0;
	net_zero_grad(n);
	l = net_forward(n, x, y, NULL, B, 1);
	memcpy(logits, n->logits, B * n->nout * sizeof *logits);
	net_backward(n, 1);
	memcpy(grad, n->grad, n->nparam * sizeof *grad);
	if (dx != NULL)
		memcpy(dx, n->dx, B * n->d * sizeof *dx);
	return l;
}

/*
 * The model in M on 1, 2 and 3 threads: the same loss, logits, gradients
 * and input gradient (to rounding: the shares' sgemm calls have other
 * shapes); the same threads twice: the same bits.
 */
static void
threads_case(const char *what, long d, const long *sh, long K, long B,
    int withdx)
{
	struct net n;
	struct rng g, r0;
	float *x, *lg[3], *gr[3], *dx[3];
	double l[3], l2, *lmag, *gmag, *xmag, kf, kb, big, w;
	int y[64], nt, good;
	long i, nl;

	net_create(&n, &M, NULL, d, sh, K, TASK_CLASSIFICATION, B, 8);
	if (withdx)
		net_input_grad(&n, 1);
	nl = B * n.nout;
	x = malloc(B * d * sizeof *x);
	lmag = malloc(nl * sizeof *lmag);
	gmag = malloc(n.nparam * sizeof *gmag);
	xmag = malloc(B * d * sizeof *xmag);
	rng_seed(&g, 77);
	fill(x, B * d, &g, 1);
	for (i = 0; i < B; i++)
		y[i] = (int)rng_below(&g, K);
	r0 = n.rng;
	for (nt = 0; nt < 3; nt++) {
		lg[nt] = malloc(nl * sizeof *lg[nt]);
		gr[nt] = malloc(n.nparam * sizeof *gr[nt]);
		dx[nt] = withdx ? malloc(B * d * sizeof *dx[nt]) : NULL;
		l[nt] = step_on(&n, nt + 1, &r0, x, y, B, lg[nt], gr[nt],
		    dx[nt]);
		if (nt == 0)
			logit_mag(&n, B, lmag);
	}
	/*
	 * The tolerances of tol.h: k the sums on the path (path_k), the
	 * magnitudes those of the terms (logit_mag, grad_mag, dx_mag).  The
	 * mean cross-entropy moves by sum_bi |p_bi - y_bi| / B |dz_bi| <=
	 * 2 max |dz|: twice the largest logit's bound.
	 */
	kf = path_k(&n, B, 0);
	kb = path_k(&n, B, 1);
	grad_mag(&n, gr[0], B, gmag);
	if (withdx)
		dx_mag(&n, dx[0], B, xmag);
	for (big = 0, i = 0; i < nl; i++)
		big = fmax(big, lmag[i]);
	for (nt = 1; nt < 3; nt++) {
		is_sum(l[nt], l[0], kf, 2 * big, name("%s, %d threads: the "
		    "loss of one", what, nt + 1));
		ok(close_sums(lg[0], lg[nt], nl, kf, lmag, 0, &w),
		    name("%s, %d threads: the logits of one", what, nt + 1));
		diag("logits: k %g, worst difference %.2g of the bound", kf,
		    w);
		ok(close_sums(gr[0], gr[nt], n.nparam, kb, gmag, 0, &w),
		    name("%s, %d threads: the gradients of one", what,
		    nt + 1));
		diag("gradients: k %g, worst difference %.2g of the bound",
		    kb, w);
		if (withdx)
			ok(close_sums(dx[0], dx[nt], B * d, kb, xmag, 0, &w),
			    name("%s, %d threads: the input gradient of "
			    "one", what, nt + 1));
	}
	l2 = step_on(&n, 2, &r0, x, y, B, lg[0], gr[0], dx[0]);
	good = l2 == l[1] && memcmp(lg[0], lg[1], nl * sizeof(float)) == 0 &&
	    memcmp(gr[0], gr[1], n.nparam * sizeof(float)) == 0 &&
	    (!withdx || memcmp(dx[0], dx[1], B * d * sizeof(float)) == 0);
	ok(good, name("%s, 2 threads twice: the same bits", what));
	/* evaluation of one sample: the other threads get no rows */
	net_threads(&n, 1);
	net_forward(&n, x, NULL, NULL, 1, 0);
	memcpy(lg[0], n.logits, n.nout * sizeof(float));
	logit_mag(&n, 1, lmag);
	net_threads(&n, 3);
	net_forward(&n, x, NULL, NULL, 1, 0);
	ok(close_sums(lg[0], n.logits, n.nout, path_k(&n, 1, 0), lmag, 0,
	    NULL), name("%s, 3 threads: a batch of one sample", what));
	for (nt = 0; nt < 3; nt++) {
		free(lg[nt]);
		free(gr[nt]);
		free(dx[nt]);
	}
	free(x);
	free(lmag);
	free(gmag);
	free(xmag);
	net_free(&n);
}

/* Two micro-batches on 2 threads: the gradient of the whole batch. */
static void
threads_accum(void)
{
	const long sh[3] = { 2, 8, 8 };
	struct net a, b;
	struct rng g;
	float x[10 * 128];
	double *mag;
	int y[10];
	long i;

	model(LOSS_CE, INIT_HE);
	conv(4, 3, 1, 1, 1, ACT_RELU);
	pool(LAYER_MAXPOOL2D, 2, 2, 0);
	dense(6, ACT_RELU);
	dense(3, ACT_IDENTITY);
	net_create(&a, &M, NULL, 128, sh, 3, TASK_CLASSIFICATION, 10, 5);
	net_create(&b, &M, NULL, 128, sh, 3, TASK_CLASSIFICATION, 5, 5);
	net_threads(&b, 2);
	rng_seed(&g, 8);
	fill(x, 10 * 128, &g, 1);
	for (i = 0; i < 10; i++)
		y[i] = (int)rng_below(&g, 3);
	net_zero_grad(&a);
	net_forward(&a, x, y, NULL, 10, 1);
	net_backward(&a, 1);
	net_zero_grad(&b);
	net_forward(&b, x, y, NULL, 5, 1);
	net_backward(&b, 0.5f);
	net_forward(&b, x + 5 * 128, y + 5, NULL, 5, 1);
	net_backward(&b, 0.5f);
	/* the same sums split in two and added: tol.h's bound */
	mag = malloc(a.nparam * sizeof *mag);
	grad_mag(&a, a.grad, 10, mag);
	ok(close_sums(a.grad, b.grad, a.nparam, path_k(&a, 10, 1), mag, 0,
	    NULL), "2 threads: two micro-batches accumulate the gradient "
	    "of the batch");
	free(mag);
	net_free(&a);
	net_free(&b);
}

/* A frozen layer's gradient is not written by any thread. */
static void
threads_freeze(void)
{
	const long sh[3] = { 1, 8, 8 };
	struct net n;
	struct rng g;
	float x[7 * 64];
	int y[7], good;
	long i, hi;

	model(LOSS_CE, INIT_HE);
	conv(3, 3, 1, -1, 1, ACT_RELU);
	M.layers[0].freeze = 1;
	pool(LAYER_MAXPOOL2D, 2, 2, 0);
	conv(4, 3, 1, 1, 0, ACT_RELU);
	dense(3, ACT_IDENTITY);
	net_create(&n, &M, NULL, 64, sh, 3, TASK_CLASSIFICATION, 7, 2);
	net_threads(&n, 3);
	rng_seed(&g, 12);
	fill(x, 7 * 64, &g, 1);
	for (i = 0; i < 7; i++)
		y[i] = (int)rng_below(&g, 3);
	hi = n.layer[0].poff + n.layer[0].np;
	for (i = 0; i < hi; i++)
		n.grad[i] = 12345;
	net_zero_grad(&n);
	net_forward(&n, x, y, NULL, 7, 1);
	net_backward(&n, 1);
	good = 1;
	for (i = 0; i < hi; i++)
		good &= n.grad[i] == 12345;
	ok(good, "3 threads: a frozen conv2d's gradient is never written");
	good = 0;
	for (i = hi; i < n.nparam; i++)
		good |= n.grad[i] != 0;
	ok(good, "3 threads: the layers above it get their gradient");
	net_free(&n);
}

/* net_update on 3 threads: opt_step's bits. */
static void
threads_update(void)
{
	struct cfg_optimizer c;
	struct opt o1, o3;
	struct opt_seg seg[CFG_MAXLAYERS];
	struct net a, b;
	struct rng g;
	float x[6 * 40];
	int y[6], kind, ns, k;
	long i;

	model(LOSS_CE, INIT_HE);
	dense(37, ACT_RELU);
	dense(5, ACT_IDENTITY);
	M.layers[1].lr_mult = 0.5;
	rng_seed(&g, 21);
	fill(x, 6 * 40, &g, 1);
	for (i = 0; i < 6; i++)
		y[i] = (int)rng_below(&g, 5);
	for (kind = 0; kind < 2; kind++) {
		memset(&c, 0, sizeof c);
		c.name = kind == 0 ? OPT_SGD : OPT_ADAM;
		c.momentum = 0.9;
		c.weight_decay = 0.01;
		c.betas[0] = 0.9;
		c.betas[1] = 0.999;
		c.eps = 1e-8;
		c.alpha = 0.99;
		net_create(&a, &M, NULL, 40, NULL, 5, TASK_CLASSIFICATION, 6,
		    3);
		net_create(&b, &M, NULL, 40, NULL, 5, TASK_CLASSIFICATION, 6,
		    3);
		net_threads(&b, 3);
		ns = net_segments(&a, seg);
		opt_init(&o1, &c, seg, ns);
		opt_init(&o3, &c, seg, ns);
		for (k = 0; k < 3; k++) {
			net_zero_grad(&a);
			net_forward(&a, x, y, NULL, 6, 1);
			net_backward(&a, 1);
			opt_step(&o1, a.param, a.grad, 0.05);
			net_zero_grad(&b);
			net_forward(&b, x, y, NULL, 6, 1);
			net_backward(&b, 1);
			memcpy(b.grad, a.grad, a.nparam * sizeof(float));
			net_update(&b, &o3, 0.05);
		}
		ok(memcmp(a.param, b.param, a.nparam * sizeof(float)) == 0,
		    name("net_update on 3 threads, %s: opt_step's bits",
		    kind == 0 ? "sgd" : "adam"));
		opt_free(&o1);
		opt_free(&o3);
		net_free(&a);
		net_free(&b);
	}
}

/*
 * net_backward_update (the update fused into the backward) gives the
 * bits of net_backward and net_update, on 1, 2 and 3 threads, for SGD
 * and Adam, on the model in M.
 */
static void
fused_case(const char *what, long d, const long *sh, long K, long B)
{
	struct cfg_optimizer c;
	struct opt o1, o2;
	struct opt_seg seg[CFG_MAXLAYERS];
	struct net a, b;
	struct rng g;
	float *x;
	int y[16], kind, ns, k, nt;
	long i;

	x = malloc(B * d * sizeof *x);
	rng_seed(&g, 5);
	fill(x, B * d, &g, 1);
	for (i = 0; i < B; i++)
		y[i] = (int)rng_below(&g, K);
	for (kind = 0; kind < 2; kind++)
		for (nt = 1; nt <= 3; nt++) {
			memset(&c, 0, sizeof c);
			c.name = kind == 0 ? OPT_SGD : OPT_ADAM;
			c.momentum = 0.9;
			c.weight_decay = 0.01;
			c.betas[0] = 0.9;
			c.betas[1] = 0.999;
			c.eps = 1e-8;
			net_create(&a, &M, NULL, d, sh, K,
			    TASK_CLASSIFICATION, B, 3);
			net_create(&b, &M, NULL, d, sh, K,
			    TASK_CLASSIFICATION, B, 3);
			net_threads(&a, nt);
			net_threads(&b, nt);
			ns = net_segments(&a, seg);
			opt_init(&o1, &c, seg, ns);
			opt_init(&o2, &c, seg, ns);
			for (k = 0; k < 3; k++) {
				net_zero_grad(&a);
				net_forward(&a, x, y, NULL, B, 1);
				net_backward(&a, 1);
				net_update(&a, &o1, 0.05);
				net_zero_grad(&b);
				net_forward(&b, x, y, NULL, B, 1);
				net_backward_update(&b, 1, &o2, 0.05);
			}
			ok(memcmp(a.param, b.param, a.nparam *
			    sizeof(float)) == 0, name("%s, %s, %d threads: "
			    "the fused update gives the same bits", what,
			    kind == 0 ? "sgd" : "adam", nt));
			opt_free(&o1);
			opt_free(&o2);
			net_free(&a);
			net_free(&b);
		}
	free(x);
}

/*
 * A block forward is its sub-layers' kernels in a chain: a basicblock
 * (stride 2, 3 -> 4 channels, so with its downsample) against the nets
 * of its main path and of its downsample with the same weights, their
 * outputs added and put through the relu by hand.  The same kernels on
 * the same shapes in the same order: the same bits.
 */
static void
test_res_hand(void)
{
	const long sh[3] = { 3, 6, 6 };
	char desc[NET_DESCMAX];
	struct net a, m, d;
	struct rng g;
	float x[4 * 108], v;
	int y[4] = { 0, 1, 2, 1 }, good, i, k;
	const struct net_layer *L;
	long j;

	model(LOSS_CE, INIT_HE);
	block(LAYER_BASICBLOCK, 4, 2);
	layer(LAYER_GLOBALAVGPOOL);
	dense(3, ACT_IDENTITY);
	if (net_create(&a, &M, "cfg.yaml", 108, sh, 3, TASK_CLASSIFICATION,
	    4, 1) == -1) {
		ok(0, "basicblock by its sub-layers");
		diag("%s", err_msg());
		return;
	}
	L = &a.layer[0];
	is_int(L->np, 108 + 8 + 144 + 8 + 12 + 8,
	    "basicblock 3 -> 4, stride 2: 288 parameters");
	is_int(L->ntensor, 15, "its 15 tensors");
	is_str(L->tensor[14].name, "downsample.1.running_var",
	    "named as torchvision's");
	is_int(L->out[0] * 100 + L->out[1] * 10 + L->out[2], 433,
	    "basicblock: 3x6x6 -> 4x3x3");
	net_describe_layer(desc, sizeof desc, &a, 0);
	is_str(desc, "name=basicblock1 type=basicblock in=3x6x6 out=4x3x3 "
	    "filters=4 stride=2 downsample=1 params=288",
	    "basicblock: its summary line");
	model(LOSS_CE, INIT_HE);
	conv(4, 3, 2, 1, 0, ACT_IDENTITY);
	bnrelu();
	conv(4, 3, 1, 1, 0, ACT_IDENTITY);
	layer(LAYER_BATCHNORM);
	dense(3, ACT_IDENTITY);
	net_create(&m, &M, NULL, 108, sh, 3, TASK_CLASSIFICATION, 4, 1);
	model(LOSS_CE, INIT_HE);
	conv(4, 1, 2, 0, 0, ACT_IDENTITY);
	layer(LAYER_BATCHNORM);
	dense(3, ACT_IDENTITY);
	net_create(&d, &M, NULL, 108, sh, 3, TASK_CLASSIFICATION, 4, 1);
	/* random weights, gammas and betas too */
	rng_seed(&g, 99);
	fill(a.param, a.nparam, &g, 0.5);
	fill(x, 4 * 108, &g, 1);
	for (k = 0; k < 4; k++)
		memcpy(m.layer[k].w, L->sub[k].w, L->sub[k].np * sizeof(float));
	for (k = 0; k < 2; k++)
		memcpy(d.layer[k].w, L->sub[4 + k].w,
		    L->sub[4 + k].np * sizeof(float));
	net_forward(&a, x, y, NULL, 4, 1);
	net_forward(&m, x, y, NULL, 4, 1);
	net_forward(&d, x, y, NULL, 4, 1);
	good = 1;
	for (j = 0; j < 4 * L->nout; j++) {
		v = m.layer[3].y[j] + d.layer[1].y[j];
		good &= L->y[j] == (v < 0 ? 0 : v);
	}
	ok(good, "basicblock forward: relu(main + downsample), the same bits");
	good = 1;
	for (i = 1; i < 4; i += 2)
		good &= memcmp(L->sub[i].rmean, m.layer[i].rmean,
		    4 * sizeof(float)) == 0 && memcmp(L->sub[i].rvar,
		    m.layer[i].rvar, 4 * sizeof(float)) == 0;
	good &= memcmp(L->sub[5].rmean, d.layer[1].rmean, 4 * sizeof(float))
	    == 0 && memcmp(L->sub[5].rvar, d.layer[1].rvar,
	    4 * sizeof(float)) == 0;
	ok(good, "basicblock: the running statistics of its batchnorms");
	net_free(&a);
	net_free(&m);
	net_free(&d);
}

/*
 * The gradient checks of a net with blocks: every parameter moves a
 * batchnorm's statistics and so every relu after it, and a perturbation
 * of 1e-3 keeps most of them on one side (the loss's float32 rounding,
 * ~1e-7, stays below the bound for gradients of ~0.1 and more); the
 * input gradients are ten times smaller and take the usual 1e-2.
 */
static void
res_case(long d, const long *sh, long K, int task, long B,
    const char *name, uint64_t seed)
{
	gc_h = 1e-3;
	check_shaped(d, sh, K, task, B, 0, name, seed);
	gc_h = 1e-2;
	check_shaped(d, sh, K, task, B, 2, name, seed);
}

/* Central differences through the blocks: the identity shortcut, the
 * downsample (by stride, by channels), the bottleneck, a small ResNet. */
static void
test_res_gradients(void)
{
	const long s455[3] = { 4, 5, 5 }, s355[3] = { 3, 5, 5 }, s366[3] = { 3, 6, 6 },
	    s255[3] = { 2, 5, 5 }, s844[3] = { 8, 4, 4 },
	    s466[3] = { 4, 6, 6 }, s31212[3] = { 3, 12, 12 },
	    s344[3] = { 3, 4, 4 };

	model(LOSS_CE, INIT_HE);
	conv(3, 3, 1, 1, 0, ACT_IDENTITY);
	bnrelu();
	dense(3, ACT_IDENTITY);
	res_case(75, s355, 3, TASK_CLASSIFICATION, 3,
	    "conv, batchnorm with relu, dense", 81);
	model(LOSS_CE, INIT_HE);
	block(LAYER_BASICBLOCK, 4, 1);
	layer(LAYER_GLOBALAVGPOOL);
	dense(3, ACT_IDENTITY);
	res_case(100, s455, 3, TASK_CLASSIFICATION, 4,
	    "basicblock, identity shortcut", 82);
	model(LOSS_CE, INIT_HE);
	block(LAYER_BASICBLOCK, 4, 2);
	layer(LAYER_GLOBALAVGPOOL);
	dense(3, ACT_IDENTITY);
	res_case(108, s366, 3, TASK_CLASSIFICATION, 4,
	    "basicblock, downsample shortcut (stride 2)", 83);
	model(LOSS_CE, INIT_HE);
	block(LAYER_BASICBLOCK, 3, 1);
	layer(LAYER_GLOBALAVGPOOL);
	dense(3, ACT_IDENTITY);
	res_case(50, s255, 3, TASK_CLASSIFICATION, 4,
	    "basicblock, downsample shortcut (2 -> 3 channels)", 92);
	model(LOSS_CE, INIT_HE);
	block(LAYER_BOTTLENECK, 2, 1);
	layer(LAYER_GLOBALAVGPOOL);
	dense(3, ACT_IDENTITY);
	res_case(128, s844, 3, TASK_CLASSIFICATION, 4,
	    "bottleneck, identity shortcut", 85);
	model(LOSS_CE, INIT_HE);
	block(LAYER_BOTTLENECK, 2, 2);
	layer(LAYER_GLOBALAVGPOOL);
	dense(3, ACT_IDENTITY);
	res_case(144, s466, 3, TASK_CLASSIFICATION, 4,
	    "bottleneck, downsample shortcut (stride 2)", 86);
	/* a dense layer right on a block (its update held back while the
	 * block goes down), mse */
	model(LOSS_MSE, INIT_HE);
	block(LAYER_BASICBLOCK, 3, 1);
	dense(2, ACT_TANH);
	res_case(48, s344, 2, TASK_REGRESSION, 3,
	    "basicblock, then dense, mse", 87);
	/* ResNet in small: the 7x7/2 stem, batchnorm, relu, 3x3/2 max
	 * pooling, blocks, global average pooling, the head */
	model(LOSS_CE, INIT_HE);
	conv(4, 7, 2, 3, 0, ACT_IDENTITY);
	bnrelu();
	pool(LAYER_MAXPOOL2D, 3, 2, 1);
	block(LAYER_BASICBLOCK, 4, 1);
	block(LAYER_BOTTLENECK, 2, 2);
	layer(LAYER_GLOBALAVGPOOL);
	dense(3, ACT_IDENTITY);
	res_case(432, s31212, 3, TASK_CLASSIFICATION, 4,
	    "ResNet in small: stem, basicblock, bottleneck, head", 88);
}

/* model.arch: torchvision's structure, names and parameter counts. */
static void
test_arch(void)
{
	static const struct {
		int	 arch;
		long	 np;		/* torchvision's, 1000 classes */
		int	 nlayer, ntensor;	/* its state_dict's floats */
	} want[] = {
		{ ARCH_RESNET18, 11689512, 13, 102 },
		{ ARCH_RESNET34, 21797672, 21, 182 },
		{ ARCH_RESNET50, 25557032, 21, 267 },
	};
	const long sh[3] = { 3, 32, 32 };
	char desc[NET_DESCMAX];
	struct net n;
	struct rng g;
	float *x;
	int y[2] = { 3, 999 }, i, l, nt;
	double loss;

	x = malloc(2 * 3072 * sizeof *x);
	rng_seed(&g, 4);
	fill(x, 2 * 3072, &g, 1);
	for (i = 0; i < 3; i++) {
		model(LOSS_CE, INIT_HE);
		M.arch = want[i].arch;
		for (l = 0; l < 6; l++)		/* cfg_defaults' */
			M.stage_lr_mult[l] = 1;
		if (net_create(&n, &M, NULL, 3072, sh, 1000,
		    TASK_CLASSIFICATION, 2, 1) == -1) {
			ok(0, name("%s: built", cfg_arch_names[want[i].arch]));
			diag("%s", err_msg());
			continue;
		}
		for (nt = 0, l = 0; l < n.nlayer; l++)
			nt += n.layer[l].ntensor;
		ok(n.nparam == want[i].np && n.nlayer == want[i].nlayer &&
		    nt == want[i].ntensor, name("%s, 1000 classes: %ld "
		    "parameters in %d layers, %d tensors",
		    cfg_arch_names[want[i].arch], n.nparam, n.nlayer, nt));
		ok(strcmp(n.layer[0].name, "conv1") == 0 &&
		    strcmp(n.layer[1].name, "bn1") == 0 &&
		    strcmp(n.layer[2].name, "maxpool") == 0 &&
		    strcmp(n.layer[3].name, "layer1.0") == 0 &&
		    strcmp(n.layer[n.nlayer - 3].name, i == 0 ? "layer4.1" :
		    "layer4.2") == 0 &&
		    strcmp(n.layer[n.nlayer - 2].name, "avgpool") == 0 &&
		    strcmp(n.layer[n.nlayer - 1].name, "fc") == 0,
		    name("%s: torchvision's layer names",
		    cfg_arch_names[want[i].arch]));
		loss = net_forward(&n, x, y, NULL, 2, 1);
		ok(isfinite(loss) && n.layer[n.nlayer - 3].out[1] == 1,
		    name("%s: a training batch of 2 at 32x32 (1x1 at layer4)",
		    cfg_arch_names[want[i].arch]));
		if (i == 0) {
			net_describe_layer(desc, sizeof desc, &n, 5);
			is_str(desc, "name=layer2.0 type=basicblock in=64x8x8 "
			    "out=128x4x4 filters=128 stride=2 downsample=1 "
			    "params=230144", "resnet18: layer2.0's summary");
			is_str(n.layer[5].tensor[10].name,
			    "downsample.0.weight", "its downsample conv");
			net_describe_layer(desc, sizeof desc, &n, 1);
			is_str(desc, "name=bn1 type=batchnorm in=64x16x16 "
			    "out=64x16x16 activation=relu params=128",
			    "resnet18: bn1 and its relu");
		}
		if (i == 2) {
			net_describe_layer(desc, sizeof desc, &n, 3);
			is_str(desc, "name=layer1.0 type=bottleneck in=64x8x8 "
			    "out=256x8x8 filters=64 stride=1 downsample=1 "
			    "params=75008", "resnet50: layer1.0's summary");
		}
		net_free(&n);
	}
	free(x);
	M.arch = ARCH_NONE;
}

/*
 * model.freeze_to, freeze_bn and stage_lr_mult on resnet18 (32x32, 4
 * classes, 2 threads): one step of plain SGD (no momentum, no weight
 * decay) moves each trainable parameter by exactly nlr * g, nlr =
 * -(lr * its stage's lr_mult) in float, as opt.c's sgd computes it, and
 * leaves the frozen ones as they were, bit for bit.
 */
static void
stage_case(int freeze_to, int freeze_bn, long want_trainable,
    const char *what)
{
	static const double mult[6] = { 0.5, 1, 3, 1, 0.25, 2 };
	const long sh[3] = { 3, 32, 32 };
	struct cfg_optimizer oc;
	struct opt_seg seg[CFG_MAXLAYERS];
	struct opt o;
	struct net n;
	struct rng g;
	const struct net_layer *L, *S;
	float *x, *p0, nlr;
	int y[4] = { 0, 1, 2, 3 }, l, k, ns, moved, still, exact, st;
	long i, off, cnt;
	double lr = 0.01;

	model(LOSS_CE, INIT_HE);
	M.arch = ARCH_RESNET18;
	M.freeze_to = freeze_to;
	M.freeze_bn = freeze_bn;
	memcpy(M.stage_lr_mult, mult, sizeof mult);
	if (net_create(&n, &M, NULL, 3072, sh, 4, TASK_CLASSIFICATION, 4,
	    1) == -1 || net_threads(&n, 2) == -1) {
		ok(0, what);
		diag("%s", err_msg());
		return;
	}
	is_int(net_ntrainable(&n), want_trainable,
	    name("%s: %ld trainable", what, want_trainable));
	x = malloc(4 * 3072 * sizeof *x);
	p0 = malloc(n.nparam * sizeof *p0);
	rng_seed(&g, 6);
	fill(x, 4 * 3072, &g, 1);
	memset(&oc, 0, sizeof oc);
	oc.name = OPT_SGD;
	ns = net_segments(&n, seg);
	opt_init(&o, &oc, seg, ns);
	memcpy(p0, n.param, n.nparam * sizeof *p0);
	net_zero_grad(&n);
	net_forward(&n, x, y, NULL, 4, 1);
	net_backward_update(&n, 1, &o, lr);
	moved = still = exact = 1;
	for (l = 0; l < n.nlayer; l++) {
		L = &n.layer[l];
		/* the stem, layer1..layer4 ("layerN.k"), avgpool and fc */
		st = l < 3 ? 0 : l >= n.nlayer - 2 ? 5 : L->name[5] - '0';
		nlr = (float)-(lr * mult[st]);
		for (k = 0; k < (L->nsub > 0 ? L->nsub : 1); k++) {
			S = L->nsub > 0 ? &L->sub[k] : L;
			off = S->poff;
			cnt = S->np;
			if (cnt == 0)
				continue;
			if (S->freeze || L->freeze) {
				still &= memcmp(n.param + off, p0 + off,
				    cnt * sizeof(float)) == 0;
				continue;
			}
			moved &= memcmp(n.param + off, p0 + off,
			    cnt * sizeof(float)) != 0;
			for (i = off; i < off + cnt; i++)
				exact &= n.param[i] == p0[i] + nlr *
				    n.grad[i];
		}
	}
	ok(still, name("%s: the frozen parameters did not move", what));
	ok(moved, name("%s: every trainable tensor moved", what));
	ok(exact, name("%s: each by -lr * its stage's lr_mult * g exactly",
	    what));
	opt_free(&o);
	net_free(&n);
	free(x);
	free(p0);
}

static void
test_stages(void)
{
	char desc[NET_DESCMAX];
	struct net n;
	const long sh[3] = { 3, 32, 32 };

	/* fc 512*4+4; the batchnorms' gamma and beta, 2 * (64 + 4*64 +
	 * 5*128 + 5*256 + 5*512) = 9600 */
	stage_case(0, 0, 11178564, "resnet18, none frozen");
	stage_case(5, 0, 2052 + 9600,
	    "resnet18, backbone frozen, batchnorms trainable");
	stage_case(5, 1, 2052, "resnet18, backbone and batchnorms frozen");
	/* conv1 9408, layer1's 4 conv2d 4*36864, layer2's 73728 + 3 *
	 * 147456 + 8192 */
	stage_case(3, 0, 11178564 - 9408 - 147456 - 524288,
	    "resnet18, stem to layer2 frozen");
	model(LOSS_CE, INIT_HE);
	M.arch = ARCH_RESNET18;
	M.freeze_to = 2;
	M.stage_lr_mult[0] = M.stage_lr_mult[1] = M.stage_lr_mult[2] = 1;
	M.stage_lr_mult[3] = M.stage_lr_mult[4] = M.stage_lr_mult[5] = 1;
	net_create(&n, &M, NULL, 3072, sh, 4, TASK_CLASSIFICATION, 2, 1);
	net_describe_layer(desc, sizeof desc, &n, 3);
	is_str(desc, "name=layer1.0 type=basicblock in=64x8x8 out=64x8x8 "
	    "filters=64 stride=1 freeze=conv2d params=73984",
	    "a block frozen but for its batchnorms: its summary");
	net_describe_layer(desc, sizeof desc, &n, 0);
	is_str(desc, "name=conv1 type=conv2d in=3x32x32 out=64x16x16 "
	    "kernel=7 stride=2 padding=3 activation=identity bias=0 "
	    "params=9408 freeze=1", "conv1 frozen");
	net_free(&n);
	M.arch = ARCH_NONE;
}

/* threads_case's CNN on 2x10x10: convolutions (one of them same-padded),
 * batchnorm, both pools, flatten, dense */
static void
threads_cnn(void)
{
	model(LOSS_CE, INIT_HE);
	conv(6, 3, 1, -1, 1, ACT_RELU);
	layer(LAYER_BATCHNORM);
	pool(LAYER_MAXPOOL2D, 2, 2, 0);
	conv(5, 3, 1, 1, 0, ACT_TANH);
	pool(LAYER_AVGPOOL2D, 2, 2, 0);
	layer(LAYER_FLATTEN);
	dense(7, ACT_LEAKY_RELU);
	dense(4, ACT_IDENTITY);
}

static void
test_threads(void)
{
	const long sh[3] = { 2, 10, 10 };

	model(LOSS_CE, INIT_HE);
	dense(33, ACT_RELU);
	dropout(0.2);
	dense(17, ACT_GELU);
	layer(LAYER_BATCHNORM);
	dense(5, ACT_IDENTITY);
	threads_case("MLP with dropout and batchnorm", 29, NULL, 5, 13, 1);

	threads_cnn();
	threads_case("CNN", 200, sh, 4, 11, 1);

	model(LOSS_CE, INIT_HE);
	conv(4, 3, 2, 1, 1, ACT_RELU);
	pool(LAYER_MAXPOOL2D, 2, 2, 0);
	dense(3, ACT_IDENTITY);
	threads_case("strided CNN, no input gradient", 200, sh, 3, 5, 0);

	/* a conv2d and a pool on a dense layer's (units, 1, 1): they read
	 * every thread's columns */
	model(LOSS_CE, INIT_HE);
	dense(24, ACT_RELU);
	conv(6, 1, 1, 0, 1, ACT_TANH);
	pool(LAYER_AVGPOOL2D, 1, 1, 0);
	dense(3, ACT_IDENTITY);
	threads_case("conv2d and pool on a dense layer", 13, NULL, 3, 9, 1);

	threads_accum();
	threads_freeze();
	threads_update();

	model(LOSS_CE, INIT_HE);
	dense(21, ACT_RELU);
	dropout(0.3);
	dense(11, ACT_TANH);
	layer(LAYER_BATCHNORM);
	dense(4, ACT_IDENTITY);
	fused_case("MLP", 19, NULL, 4, 9);
	model(LOSS_CE, INIT_HE);
	conv(4, 3, 1, -1, 1, ACT_RELU);
	layer(LAYER_BATCHNORM);
	pool(LAYER_MAXPOOL2D, 2, 2, 0);
	conv(3, 3, 1, 1, 0, ACT_RELU);
	M.layers[3].lr_mult = 0.1;
	dense(5, ACT_RELU);
	dense(3, ACT_IDENTITY);
	fused_case("CNN", 200, sh, 3, 7);
	/* the blocks: their threads meet in the sub-layers */
	model(LOSS_CE, INIT_HE);
	conv(4, 3, 1, 1, 0, ACT_IDENTITY);
	bnrelu();
	block(LAYER_BASICBLOCK, 4, 1);
	block(LAYER_BOTTLENECK, 2, 2);
	layer(LAYER_GLOBALAVGPOOL);
	dense(3, ACT_IDENTITY);
	threads_case("ResNet in small", 200, sh, 3, 7, 1);
	M.layers[3].lr_mult = 0.5;
	fused_case("ResNet in small", 200, sh, 3, 7);
	model(LOSS_CE, INIT_HE);
	block(LAYER_BASICBLOCK, 3, 2);
	dense(3, ACT_IDENTITY);
	threads_case("basicblock first, no input gradient", 200, sh, 3, 5,
	    0);
}

/*
 * Winograd's F(2x2,3x3) (lib/wino.c) in the net: which layers take it
 * (LRF_CONV), gradient checks through Winograd conv2d layers (odd planes:
 * cut tiles; the fused max pooling above; the input gradient through
 * two of them; chunks of one sample), and 1, 2 and 3 threads.
 */
static void
test_winograd(void)
{
	const long s357[3] = { 3, 5, 7 }, s377[3] = { 3, 7, 7 },
	    s1655[3] = { 16, 5, 5 }, sh[3] = { 2, 10, 10 };
	struct net n;

	unsetenv("LRF_CONV");
	model(LOSS_CE, INIT_HE);
	conv(16, 3, 1, 1, 1, ACT_RELU);
	conv(16, 3, 1, -1, 1, ACT_RELU);
	conv(8, 3, 1, 1, 1, ACT_RELU);
	conv(16, 3, 2, 1, 1, ACT_RELU);
	dense(3, ACT_IDENTITY);
	net_create(&n, &M, NULL, 400, s1655, 3, TASK_CLASSIFICATION, 4, 1);
	ok(n.layer[0].wino && n.layer[1].wino && !n.layer[2].wino &&
	    !n.layer[3].wino, "LRF_CONV unset (auto): Winograd for 3x3 "
	    "stride 1 padding 1 (or same), 16 channels and filters");
	net_free(&n);
	setenv("LRF_CONV", "im2col", 1);
	net_create(&n, &M, NULL, 400, s1655, 3, TASK_CLASSIFICATION, 4, 1);
	ok(!n.layer[0].wino && !n.layer[1].wino && !n.layer[2].wino &&
	    !n.layer[3].wino, "LRF_CONV=im2col: no Winograd");
	net_free(&n);
	setenv("LRF_CONV", "winograd", 1);
	net_create(&n, &M, NULL, 400, s1655, 3, TASK_CLASSIFICATION, 4, 1);
	ok(n.layer[0].wino && n.layer[1].wino && n.layer[2].wino &&
	    !n.layer[3].wino, "LRF_CONV=winograd: every 3x3 stride-1 "
	    "padding-1 layer, not the strided one");
	/* its chunks: at least NET_WINOTILES tiles (9 a sample) */
	is_int(n.layer[0].nb, 4, "Winograd chunks of at least "
	    "NET_WINOTILES tiles (all 4 samples of 9)");
	net_free(&n);
	setenv("LRF_CONV", "fast", 1);
	is_str(shaped_err(400, s1655), "cfg.yaml:11:7: layer 1 (conv2d): "
	    "LRF_CONV 'fast' is not auto, im2col or winograd",
	    "error: LRF_CONV neither auto, im2col nor winograd");

	setenv("LRF_CONV", "winograd", 1);
	model(LOSS_CE, INIT_HE);
	conv(4, 3, 1, 1, 1, ACT_TANH);
	conv(3, 3, 1, 1, 0, ACT_TANH);
	dense(3, ACT_IDENTITY);
	check_shaped(105, s357, 3, TASK_CLASSIFICATION, 3, 1,
	    "Winograd conv 3->4->3 on 5x7 (cut tiles), tanh", 91);
	force_nb = 1;
	check_shaped(105, s357, 3, TASK_CLASSIFICATION, 3, 1,
	    "Winograd conv 3->4->3 on 5x7 in chunks of 1 sample", 92);
	force_nb = 0;
	model(LOSS_CE, INIT_HE);
	conv(4, 3, 1, 1, 1, ACT_RELU);
	pool(LAYER_MAXPOOL2D, 2, 2, 0);
	dense(3, ACT_IDENTITY);
	check_shaped(147, s377, 3, TASK_CLASSIFICATION, 3, 1,
	    "Winograd relu conv 7x7, maxpool 2x2 (fused backward)", 93);
	unsetenv("LRF_CONV");
	model(LOSS_CE, INIT_HE);
	conv(16, 3, 1, 1, 1, ACT_TANH);
	layer(LAYER_GLOBALAVGPOOL);
	dense(3, ACT_IDENTITY);
	check_shaped(400, s1655, 3, TASK_CLASSIFICATION, 2, 1,
	    "Winograd by default: conv 16->16 on 5x5", 94);

	setenv("LRF_CONV", "winograd", 1);
	threads_cnn();
	threads_case("CNN by Winograd", 200, sh, 4, 11, 1);
	unsetenv("LRF_CONV");
}

int
main(void)
{
	blas_threads(1);
	test_hand();
	test_activations();
	test_grid();
	test_gradients();
	test_freeze();
	test_accumulation();
	test_reference();
	test_dropout();
	test_init();
	test_lnk();
	test_errors();
	test_summary();
	test_predict();
	test_conv_hand();
	test_conv_naive();
	test_conv_gradients();
	test_bn_hand();
	test_gap_hand();
	test_bn_conv();
	test_cnn_freeze();
	test_cnn_reference();
	test_conv_chunks();
	test_cnn_errors();
	test_cnn_summary();
	test_conv_init();
	test_res_hand();
	test_res_gradients();
	test_arch();
	test_stages();
	test_threads();
	test_winograd();
	return done();
}
