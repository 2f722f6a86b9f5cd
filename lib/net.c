/*
 * net.c - layers, losses and back-propagation of lrf-train (see net.h).
 *
 * The work of a step is in blas_sgemm; everything else is one pass over
 * a layer's output, written so that the compiler vectorises it: the
 * activation is chosen outside the loops, the inner loop runs over the
 * units of one sample (or one plane of a conv2d output).  The image
 * kernels (im2col, pooling, batchnorm) are in lib/conv.c.
 */
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blas.h"
#include "conv.h"
#include "err.h"
#include "names.h"
#include "net.h"
#include "par.h"

#define LEAKY_SLOPE	0.01f	/* torch.nn.LeakyReLU's negative_slope */
#define SQRT1_2		0.70710678118654752f	/* 1/sqrt(2) */
#define INV_SQRT2PI	0.39894228040143268f	/* 1/sqrt(2 pi) */
#define MAXPARAM	(1L << 31)	/* floats in the parameter block */
#define MAXACT		(1L << 33)	/* floats in the activation block */

/* The config's name of an enum value (lib/cfg.c), "?" if out of range. */
static const char *
name_of(const char *const *names, int v)
{
	const char *s;

	s = names_get(names, v);
	return s != NULL ? s : "?";
}

const char *
net_where(const struct net *n, int i, char *buf, size_t size)
{
	const struct net_layer *L;

	L = &n->layer[i];
	if (L->line > 0 && n->cfgfile[0] != '\0')
		snprintf(buf, size, "%s:%d:%d", n->cfgfile, L->line, L->col);
	else if (L->line > 0)
		snprintf(buf, size, "model:%d:%d", L->line, L->col);
	else
		snprintf(buf, size, "model layer %d", i + 1);
	return buf;
}

/* n zeroed elements of size bytes, 64-byte aligned, the pages touched
 * now; NULL if out of memory. */
static void *
zalloc(long n, size_t size)
{
	void *p;

	if (n < 1)
		n = 1;
	if (posix_memalign(&p, 64, (size_t)n * size) != 0)
		return NULL;
	memset(p, 0, (size_t)n * size);
	return p;
}

static float *
falloc(long nfloat)
{
	return zalloc(nfloat, sizeof(float));
}

/* Round a count of floats up to 64 bytes, so that buffers stay aligned. */
static long
up16(long n)
{
	return (n + 15) & ~15L;
}

void
net_free(struct net *n)
{
	free(n->layer);
	free(n->param);
	free(n->grad);
	free(n->act);
	free(n->state);
	free(n->work);
	free(n->iact);
	free(n->dx);
	free(n->pgrad);
	par_free(n->par);
	memset(n, 0, sizeof *n);
}

/* The output units the loss needs, or -1 with a message. */
static int
check_output(struct net *n)
{
	char where[CFG_MAXPATH + 64];
	const char *what;
	long have;

	have = n->nout;
	net_where(n, n->nlayer - 1, where, sizeof where);
	what = n->task == TASK_CLASSIFICATION ? "classes" :
	    n->K == 1 ? "target" : "targets";
	if (n->loss == LOSS_CE && n->task != TASK_CLASSIFICATION)
		return err_set("%s: loss cross_entropy needs classification "
		    "data, the data is for regression",
		    n->cfgfile[0] ? n->cfgfile : "model");
	if (n->loss == LOSS_CE && n->K < 2)
		return err_set("%s: loss cross_entropy needs 2 classes or "
		    "more, the data has %ld",
		    n->cfgfile[0] ? n->cfgfile : "model", n->K);
	if (n->loss == LOSS_BCE && n->task == TASK_CLASSIFICATION &&
	    n->K == 2) {
		if (have != 1 && have != 2)
			return err_set("%s: last layer has %ld units, the "
			    "data has 2 classes (bce wants 1 or 2 units)",
			    where, have);
		return 0;
	}
	if (have != n->K)
		return err_set("%s: last layer has %ld unit%s, the data has "
		    "%ld %s", where, have, have == 1 ? "" : "s", n->K, what);
	return 0;
}

/*
 * Weights and bias of every dense and conv2d layer, from the init stream;
 * batchnorm's gamma = 1, beta = 0, running mean 0 and variance 1.
 */
static void
init_params(struct net *n, uint64_t seed)
{
	struct net_layer *L;
	struct rng g;
	double a, s, fin, fout;
	long i, nw, nb;
	int l;

	rng_seed(&g, seed);
	for (l = 0; l < n->nlayer; l++) {
		L = &n->layer[l];
		if (L->type == LAYER_BATCHNORM) {
			for (i = 0; i < L->in[0]; i++) {
				L->w[i] = 1;
				L->b[i] = 0;
				L->rmean[i] = 0;
				L->rvar[i] = 1;
			}
			continue;
		}
		if (L->type == LAYER_DENSE) {
			fin = (double)L->nin;
			fout = (double)L->nout;
			nw = L->nout * L->nin;
			nb = L->nout;
		} else if (L->type == LAYER_CONV2D) {
			/* torch's fans of a (F, C, k, k) weight */
			fin = (double)(L->in[0] * L->win.k * L->win.k);
			fout = (double)(L->out[0] * L->win.k * L->win.k);
			nw = L->out[0] * L->in[0] * L->win.k * L->win.k;
			nb = L->b != NULL ? L->out[0] : 0;
		} else
			continue;
		if (n->init == INIT_XAVIER) {
			a = sqrt(6.0 / (fin + fout));
			for (i = 0; i < nw; i++)
				L->w[i] = (float)(a * (2 * rng_uniform(&g) -
				    1));
		} else {
			s = sqrt(2.0 / fin);
			for (i = 0; i < nw; i++)
				L->w[i] = (float)(s * rng_normal(&g));
		}
		a = 1 / sqrt(fin);
		for (i = 0; i < nb; i++)
			L->b[i] = (float)(a * (2 * rng_uniform(&g) - 1));
	}
}

/* "1x4x4" */
static const char *
shapestr(char *buf, size_t size, const long *s)
{
	snprintf(buf, size, "%ldx%ldx%ld", s[0], s[1], s[2]);
	return buf;
}

/*
 * The window of a conv2d or pooling layer c on the input shape in (C, H,
 * W) into L->win and L->out; 0 or -1 with a message naming the layer
 * (where, its number l) and both shapes.
 */
static int
window(struct net_layer *L, const struct cfg_layer *c, const char *where,
    int l)
{
	struct conv_win *g;
	const char *type;
	char sb[96];
	long k, s, p;

	g = &L->win;
	type = name_of(cfg_layer_names, c->type);
	k = c->kernel;
	s = c->stride;
	p = c->padding;
	if (k < 1 || s < 1)
		return err_set("%s: layer %d (%s): kernel and stride must be "
		    "1 or more", where, l + 1, type);
	g->C = L->in[0];
	g->H = L->in[1];
	g->W = L->in[2];
	g->k = k;
	g->s = s;
	if (p < 0 && c->type != LAYER_CONV2D)
		return err_set("%s: layer %d (%s): padding same is for conv2d "
		    "only", where, l + 1, type);
	if (p < 0) {
		/* torch: (k-1)/2 before, the rest after; stride 1 only */
		if (s != 1)
			return err_set("%s: layer %d (%s): padding same needs "
			    "stride 1, not %ld", where, l + 1, type, s);
		L->same = 1;
		g->p = (k - 1) / 2;
		g->OH = g->H;
		g->OW = g->W;
		return 0;
	}
	if (c->type == LAYER_MAXPOOL2D && g->H * g->W > INT32_MAX)
		return err_set("%s: layer %d (%s): the input planes of %s are "
		    "too large", where, l + 1, type, shapestr(sb, sizeof sb,
		    L->in));
	if (c->type != LAYER_CONV2D && p > k / 2)
		return err_set("%s: layer %d (%s): padding %ld is more than "
		    "half the kernel %ld", where, l + 1, type, p, k);
	if (g->H + 2 * p < k || g->W + 2 * p < k) {
		shapestr(sb, sizeof sb, L->in);
		if (p > 0)
			return err_set("%s: layer %d (%s): kernel %ldx%ld with "
			    "padding %ld does not fit the input %s", where,
			    l + 1, type, k, k, p, sb);
		return err_set("%s: layer %d (%s): kernel %ldx%ld does not "
		    "fit the input %s", where, l + 1, type, k, k, sb);
	}
	g->p = p;
	g->OH = (g->H + 2 * p - k) / s + 1;
	g->OW = (g->W + 2 * p - k) / s + 1;
	return 0;
}

/*
 * Shapes and parameter counts of the layers of m, from the input shape;
 * 0 or -1 with a message naming the layer's config line.
 */
static int
layer_shapes(struct net *n, const struct cfg_model *m)
{
	char where[CFG_MAXPATH + 64];
	const struct cfg_layer *c;
	struct net_layer *L;
	static const char *const base[] = { "dense", "dropout", "conv",
		"maxpool", "avgpool", "flatten", "batchnorm" };
	int count[8] = { 0 };
	long cur[3], np, kk, per;
	int l, ndense;

	memcpy(cur, n->shape, sizeof cur);
	np = 0;
	ndense = 0;
	for (l = 0; l < n->nlayer; l++) {
		c = &m->layers[l];
		L = &n->layer[l];
		L->type = c->type;
		L->act = c->activation;
		L->line = c->line;
		L->col = c->col;
		L->freeze = c->freeze;
		L->lr_mult = (float)c->lr_mult;
		memcpy(L->in, cur, sizeof L->in);
		L->nin = cur[0] * cur[1] * cur[2];
		net_where(n, l, where, sizeof where);
		if (c->type < LAYER_DENSE || c->type > LAYER_BATCHNORM)
			return err_set("%s: unknown layer type %d", where,
			    c->type);
		switch (c->type) {
		case LAYER_DENSE:
			if (c->units < 1 || c->units > INT_MAX)
				return err_set("%s: dense units must be 1 or "
				    "more", where);
			if (c->activation < ACT_IDENTITY ||
			    c->activation > ACT_GELU)
				return err_set("%s: unknown activation %d",
				    where, c->activation);
			if (L->nin > MAXPARAM / (c->units + 1))
				return err_set("%s: dense layer of %ldx%ld "
				    "weights is too large", where, c->units,
				    L->nin);
			L->out[0] = c->units;
			L->out[1] = L->out[2] = 1;
			L->np = c->units * L->nin + c->units;
			ndense++;
			break;
		case LAYER_DROPOUT:
			if (!(c->rate >= 0 && c->rate < 1))
				return err_set("%s: dropout rate must be in "
				    "[0, 1)", where);
			L->rate = (float)c->rate;
			memcpy(L->out, cur, sizeof L->out);
			break;
		case LAYER_FLATTEN:
			L->out[0] = L->nin;
			L->out[1] = L->out[2] = 1;
			break;
		case LAYER_CONV2D:
			if (c->filters < 1 || c->filters > INT_MAX)
				return err_set("%s: layer %d (conv2d): filters "
				    "must be 1 or more", where, l + 1);
			if (c->activation < ACT_IDENTITY ||
			    c->activation > ACT_GELU)
				return err_set("%s: unknown activation %d",
				    where, c->activation);
			if (window(L, c, where, l) == -1)
				return -1;
			kk = L->in[0] * c->kernel * c->kernel;
			if (kk > MAXPARAM / (c->filters + 1))
				return err_set("%s: layer %d (conv2d): %ldx%ld "
				    "weights are too many", where, l + 1,
				    c->filters, kk);
			L->out[0] = c->filters;
			L->out[1] = L->win.OH;
			L->out[2] = L->win.OW;
			L->np = c->filters * kk + (c->bias ? c->filters : 0);
			/* samples per chunk of the column buffer */
			per = (kk + c->filters) * L->win.OH * L->win.OW;
			if (per > MAXACT / 4)
				return err_set("%s: layer %d (conv2d): the "
				    "columns of one sample do not fit in "
				    "memory", where, l + 1);
			L->nb = NET_CONVWORK / per;
			if (L->nb < 1)
				L->nb = 1;
			if (L->nb > n->max_batch)
				L->nb = n->max_batch;
			L->ntensor = c->bias ? 2 : 1;
			ndense++;
			break;
		case LAYER_MAXPOOL2D:
		case LAYER_AVGPOOL2D:
			if (window(L, c, where, l) == -1)
				return -1;
			L->out[0] = L->in[0];
			L->out[1] = L->win.OH;
			L->out[2] = L->win.OW;
			break;
		case LAYER_BATCHNORM:
			memcpy(L->out, cur, sizeof L->out);
			L->np = 2 * L->in[0];
			L->ntensor = 4;
			n->nstate += 2 * L->in[0];
			break;
		default:
			return err_set("%s: layer type %s is not implemented "
			    "yet", where, name_of(cfg_layer_names, c->type));
		}
		if (!(L->lr_mult >= 0 && isfinite(L->lr_mult)))
			return err_set("%s: lr_mult must be 0 or more", where);
		L->nout = L->out[0] * L->out[1] * L->out[2];
		L->poff = np;
		np += L->np;
		if (np > MAXPARAM)
			return err_set("%s: the model has more than 2^31 "
			    "parameters", where);
		if (L->nout > n->maxw)
			n->maxw = L->nout;
		if (L->type == LAYER_DENSE)
			L->ntensor = 2;
		memcpy(cur, L->out, sizeof cur);
		/* dense1, dropout1, dense2, conv1, ... */
		snprintf(L->name, sizeof L->name, "%s%d", base[L->type & 7],
		    ++count[L->type & 7]);
	}
	if (ndense == 0)
		return err_set("%s: the model has no dense or conv2d layer",
		    n->cfgfile[0] ? n->cfgfile : "model");
	n->nparam = np;
	n->nout = n->layer[n->nlayer - 1].nout;
	return check_output(n);
}

/*
 * The floats of act (returned), the ints of iact (n->narg) and the floats
 * of work (n->nwork); with assign, point the layers into them.  -1 if
 * act is larger than MAXACT.
 */
static long
act_layout(struct net *n, int assign)
{
	struct net_layer *L;
	long off, aoff, mb, sz, w, kk, P;
	int l;

	mb = n->max_batch;
	off = aoff = 0;
	n->nwork = 0;
	for (l = 0; l < n->nlayer; l++) {
		L = &n->layer[l];
		sz = up16(mb * L->nout);
		switch (L->type) {
		case LAYER_CONV2D:
			/* columns (C*k*k, nb*P), then T (F, nb*P) */
			kk = L->in[0] * L->win.k * L->win.k;
			P = L->win.OH * L->win.OW;
			w = up16(kk * L->nb * P) + up16(L->out[0] * L->nb * P);
			if (w > n->nwork)
				n->nwork = w;
			/* FALLTHROUGH */
		case LAYER_DENSE:
			if (assign)
				L->y = n->act + off;
			off += sz;
			if (L->act == ACT_GELU) {
				if (assign) {
					L->z = n->act + off;
					L->phi = n->act + off + sz;
				}
				off += 2 * sz;
			}
			break;
		case LAYER_DROPOUT:
			if (assign) {
				L->y = n->act + off;
				L->mask = n->act + off + sz;
			}
			off += 2 * sz;
			break;
		case LAYER_MAXPOOL2D:
			if (assign) {
				L->y = n->act + off;
				L->arg = n->iact + aoff;
			}
			off += sz;
			aoff += sz;
			break;
		case LAYER_AVGPOOL2D:
			if (assign)
				L->y = n->act + off;
			off += sz;
			break;
		case LAYER_BATCHNORM:
			if (assign) {
				L->y = n->act + off;
				L->bmean = n->act + off + sz;
				L->binvstd = L->bmean + up16(L->in[0]);
				L->coef = L->binvstd + up16(L->in[0]);
			}
			off += sz + 2 * up16(L->in[0]) + up16(2 * L->in[0]);
			break;
		}
		if (off > MAXACT || aoff > MAXACT)
			return -1;
	}
	if (assign) {
		n->g0 = n->act + off;
		n->g1 = n->act + off + up16(mb * n->maxw);
	}
	off += 2 * up16(mb * n->maxw);
	n->narg = aoff;
	return off > MAXACT ? -1 : off;
}

/* Point the layers' parameters into param and grad, their running
 * statistics into state, and describe their tensors. */
static void
param_layout(struct net *n)
{
	struct net_layer *L;
	long off, nw, soff, C;
	int l;

	soff = 0;
	for (l = 0; l < n->nlayer; l++) {
		L = &n->layer[l];
		off = L->poff;
		switch (L->type) {
		case LAYER_DENSE:
			nw = L->nout * L->nin;
			L->w = n->param + off;		/* (OUT, IN) */
			L->dw = n->grad + off;
			L->b = L->w + nw;		/* (OUT) */
			L->db = L->dw + nw;
			L->tensor[0] = (struct net_tensor){ "weight", L->w,
			    off, nw, 2, { L->nout, L->nin, 1, 1 } };
			L->tensor[1] = (struct net_tensor){ "bias", L->b,
			    off + nw, L->nout, 1, { L->nout, 1, 1, 1 } };
			break;
		case LAYER_CONV2D:
			nw = L->out[0] * L->in[0] * L->win.k * L->win.k;
			L->w = n->param + off;		/* (F, C, k, k) */
			L->dw = n->grad + off;
			L->tensor[0] = (struct net_tensor){ "weight", L->w,
			    off, nw, 4, { L->out[0], L->in[0], L->win.k,
			    L->win.k } };
			if (L->ntensor == 2) {
				L->b = L->w + nw;	/* (F) */
				L->db = L->dw + nw;
				L->tensor[1] = (struct net_tensor){ "bias",
				    L->b, off + nw, L->out[0], 1,
				    { L->out[0], 1, 1, 1 } };
			}
			break;
		case LAYER_BATCHNORM:
			C = L->in[0];
			L->w = n->param + off;		/* gamma (C) */
			L->dw = n->grad + off;
			L->b = L->w + C;		/* beta (C) */
			L->db = L->dw + C;
			L->rmean = n->state + soff;	/* (C) */
			L->rvar = n->state + soff + C;	/* (C) */
			L->tensor[0] = (struct net_tensor){ "weight", L->w,
			    off, C, 1, { C, 1, 1, 1 } };
			L->tensor[1] = (struct net_tensor){ "bias", L->b,
			    off + C, C, 1, { C, 1, 1, 1 } };
			L->tensor[2] = (struct net_tensor){ "running_mean",
			    L->rmean, n->nparam + soff, C, 1, { C, 1, 1, 1 } };
			L->tensor[3] = (struct net_tensor){ "running_var",
			    L->rvar, n->nparam + soff + C, C, 1,
			    { C, 1, 1, 1 } };
			soff += 2 * C;
			break;
		}
	}
}

int
net_create(struct net *n, const struct cfg_model *m, const char *cfgfile,
    long d, const long shape[3], long K, int task, long max_batch,
    uint64_t seed)
{
	memset(n, 0, sizeof *n);
	if (cfgfile != NULL)
		snprintf(n->cfgfile, sizeof n->cfgfile, "%s", cfgfile);
	if (d < 1 || d > INT_MAX || K < 1 || K > INT_MAX || max_batch < 1 ||
	    max_batch > INT_MAX)
		return err_set("net: bad sizes: %ld features, %ld outputs, "
		    "batch %ld", d, K, max_batch);
	if (shape != NULL) {
		if (shape[0] < 1 || shape[1] < 1 || shape[2] < 1 ||
		    shape[0] > d || shape[1] > d || shape[2] > d ||
		    shape[0] * shape[1] * shape[2] != d)
			return err_set("net: input shape %ldx%ldx%ld does not "
			    "hold %ld features", shape[0], shape[1],
			    shape[2], d);
		memcpy(n->shape, shape, sizeof n->shape);
	} else {
		n->shape[0] = d;
		n->shape[1] = n->shape[2] = 1;
	}
	if (m->nlayers < 1 || m->nlayers > CFG_MAXLAYERS)
		return err_set("%s: the model has no layers",
		    n->cfgfile[0] ? n->cfgfile : "model");
	n->d = d;
	n->K = K;
	n->task = task;
	n->loss = m->loss;
	n->init = m->init;
	n->max_batch = max_batch;
	n->nlayer = m->nlayers;
	if ((n->layer = calloc(n->nlayer, sizeof *n->layer)) == NULL) {
		err_set("net: out of memory");
		goto fail;
	}
	if (layer_shapes(n, m) == -1)
		goto fail;
	if ((n->nact = act_layout(n, 0)) == -1) {
		err_set("net: the activations of %ld samples do not fit in "
		    "memory", max_batch);
		goto fail;
	}
	if ((n->param = falloc(n->nparam)) == NULL ||
	    (n->grad = falloc(n->nparam)) == NULL ||
	    (n->act = falloc(n->nact)) == NULL ||
	    (n->state = falloc(n->nstate)) == NULL ||
	    (n->work = falloc(n->nwork)) == NULL ||
	    (n->iact = zalloc(n->narg, sizeof(int32_t))) == NULL) {
		err_set("net: out of memory: the model needs %.0f MB",
		    (2.0 * n->nparam + n->nact + n->nstate + n->nwork +
		    n->narg) * sizeof(float) / 1e6);
		goto fail;
	}
	if ((n->par = par_create(1)) == NULL)
		goto fail;
	param_layout(n);
	act_layout(n, 1);
	init_params(n, seed);
	rng_seed(&n->rng, seed ^ NET_DROPOUT_SEED);
	return 0;

fail:
	net_free(n);
	return -1;
}

/*
 * The transcendental activations, written without calls or branches so
 * that the loops over a layer's units vectorise (libm's tanhf, expf and
 * erff are calls, and cost more than the layer's sgemm).  Measured
 * against double-precision libm on a dense grid (tests/unit/net.c):
 * vexpf <= 1.4 ulp on [-87, 88]; vtanhf <= 1.5e-7 relative; vphif, the
 * normal distribution function Phi, <= 2e-5 relative on [-12, 12] (the
 * far tail; 4e-6 of gelu on [-6, 6]).  NaN gives NaN.
 */

/* e^x, x clamped to [-87, 88]: x = n ln 2 + r, |r| <= ln(2)/2, e^r by
 * Cephes' expf polynomial, 2^n put into the exponent bits. */
static inline float
vexpf(float x)
{
	float t, fn, r, p, s;
	uint32_t b;

	x = x < -87.0f ? -87.0f : x;
	x = x > 88.0f ? 88.0f : x;
	t = x * 1.44269504088896341f + 0x1.8p23f;	/* n = round(x/ln2) */
	fn = t - 0x1.8p23f;				/* in t's low bits */
	memcpy(&b, &t, sizeof b);
	b = (b - 0x4b400000u + 127u) << 23;		/* 2^n */
	memcpy(&s, &b, sizeof s);
	r = x - fn * 0.693359375f;		/* ln 2 in two parts */
	r = r - fn * -2.12194440e-4f;
	p = 1.9875691500e-4f;
	p = p * r + 1.3981999507e-3f;
	p = p * r + 8.3334519073e-3f;
	p = p * r + 4.1665795894e-2f;
	p = p * r + 1.6666665459e-1f;
	p = p * r + 5.0000001201e-1f;
	p = p * r * r + r + 1;
	return p * s;
}

/* tanh: Cephes' odd polynomial below 0.625, 1 - 2/(e^2|x| + 1) above. */
static inline float
vtanhf(float x)
{
	float a, z, p, l;

	a = fabsf(x);
	z = x * x;
	p = -5.70498872745e-3f;
	p = p * z + 2.06390887954e-2f;
	p = p * z - 5.37397155531e-2f;
	p = p * z + 1.33314422036e-1f;
	p = p * z - 3.33332819422e-1f;
	p = p * z * x + x;
	l = copysignf(1 - 2 / (vexpf(2 * a) + 1), x);
	return a < 0.625f ? p : l;
}

static inline float
vsigmoidf(float x)
{
	return 1 / (1 + vexpf(-x));
}

/*
 * Phi(z) = (1 + erf(z/sqrt 2))/2 = erfc(-z/sqrt 2)/2, with erfc(a), a >= 0,
 * by the Chebyshev fit of Numerical Recipes' erfcc (fractional error
 * 1.2e-7): erfc(a) = t exp(-a^2 + P(t)), t = 1/(1 + a/2).  Computing Phi
 * from erfc keeps its relative accuracy in the left tail, where gelu is
 * small.
 */
static inline float
vphif(float z)
{
	float a, t, p, e;

	a = fabsf(z) * SQRT1_2;
	t = 1 / (1 + 0.5f * a);
	p = 0.17087277f;
	p = p * t - 0.82215223f;
	p = p * t + 1.48851587f;
	p = p * t - 1.13520398f;
	p = p * t + 0.27886807f;
	p = p * t - 0.18628806f;
	p = p * t + 0.09678418f;
	p = p * t + 0.37409196f;
	p = p * t + 1.00002368f;
	p = p * t - 1.26551223f;
	e = 0.5f * t * vexpf(p - a * a);
	return z >= 0 ? 1 - e : e;
}

/*
 * y (B, n) = act(y + b), in one pass after the sgemm; gelu keeps the
 * pre-activation in z (B, n) and Phi(z) in phi (B, n) for backward.
 * Rows are ld floats apart in all three.
 */
static void
dense_epilogue(float *restrict y, float *restrict z, float *restrict phi,
    const float *restrict b, long B, long n, long ld, int act)
{
	float v;
	long i, j;

	for (i = 0; i < B; i++) {
		float *restrict r = y + i * ld;

		switch (act) {
		case ACT_IDENTITY:
			for (j = 0; j < n; j++)
				r[j] += b[j];
			break;
		case ACT_RELU:	/* NaN passes, as torch.relu */
			for (j = 0; j < n; j++) {
				v = r[j] + b[j];
				r[j] = v < 0 ? 0 : v;
			}
			break;
		case ACT_LEAKY_RELU:
			for (j = 0; j < n; j++) {
				v = r[j] + b[j];
				r[j] = v < 0 ? LEAKY_SLOPE * v : v;
			}
			break;
		case ACT_TANH:
			for (j = 0; j < n; j++)
				r[j] = vtanhf(r[j] + b[j]);
			break;
		case ACT_SIGMOID:
			for (j = 0; j < n; j++)
				r[j] = vsigmoidf(r[j] + b[j]);
			break;
		case ACT_GELU: {
			float *restrict zr = z + i * ld;
			float *restrict pr = phi + i * ld;

			for (j = 0; j < n; j++) {
				v = r[j] + b[j];
				zr[j] = v;
				pr[j] = vphif(v);
				r[j] = v * pr[j];
			}
			break;
		}
		}
	}
}

/*
 * g (B, n) = dL/dy on entry, dL/dz on return: g *= act'(z), from the
 * output y (for gelu from z and Phi(z)); with db non-NULL, db += the
 * column sums of dL/dz, in the same pass.
 */
static void
dense_dact(float *restrict g, const float *restrict y,
    const float *restrict z, const float *restrict phi, float *restrict db,
    long B, long n, int act)
{
	float v;
	long i, j;

	for (i = 0; i < B; i++) {
		float *restrict gr = g + i * n;
		const float *restrict yr = y + i * n;

		switch (act) {
		case ACT_IDENTITY:
			break;
		case ACT_RELU:
			for (j = 0; j < n; j++)
				gr[j] = yr[j] > 0 ? gr[j] : 0;
			break;
		case ACT_LEAKY_RELU:	/* y > 0 exactly when z > 0 */
			for (j = 0; j < n; j++)
				gr[j] = yr[j] > 0 ? gr[j] : LEAKY_SLOPE * gr[j];
			break;
		case ACT_TANH:
			for (j = 0; j < n; j++)
				gr[j] *= 1 - yr[j] * yr[j];
			break;
		case ACT_SIGMOID:
			for (j = 0; j < n; j++)
				gr[j] *= yr[j] * (1 - yr[j]);
			break;
		case ACT_GELU: {
			const float *restrict zr = z + i * n;
			const float *restrict pr = phi + i * n;

			/* d/dz z Phi(z) = Phi(z) + z phi(z) */
			for (j = 0; j < n; j++) {
				v = zr[j];
				gr[j] *= pr[j] + v * vexpf(-0.5f * v * v) *
				    INV_SQRT2PI;
			}
			break;
		}
		}
		if (db != NULL)
			for (j = 0; j < n; j++)
				db[j] += gr[j];
	}
}

/* y (B, n) = x * mask, with a new mask: 0 with probability p, else
 * 1/(1-p).  Two 32-bit draws per 64-bit random number. */
static void
dropout_forward(struct net *n, struct net_layer *L, const float *x, long B)
{
	uint64_t r;
	uint32_t thr, u;
	float keep;
	long i, cnt;

	thr = (uint32_t)((double)L->rate * 4294967296.0);
	keep = 1 / (1 - L->rate);
	cnt = B * L->nout;
	r = 0;
	for (i = 0; i < cnt; i++) {
		if ((i & 1) == 0) {
			r = rng_next(&n->rng);
			u = (uint32_t)r;
		} else
			u = (uint32_t)(r >> 32);
		L->mask[i] = u < thr ? 0 : keep;
	}
	for (i = 0; i < cnt; i++)
		L->y[i] = x[i] * L->mask[i];
}

/*
 * The conv2d epilogue: y (nb, F, P) = act(t + b), where t (F, nb*P) is
 * the sgemm's output, channel-major: the transposition to NCHW rides on
 * the pass that adds the bias (b NULL: none) and applies the activation.
 * gelu keeps z and Phi(z) (nb, F, P) for backward, as dense.  y, z and
 * phi are the layer's buffers, the chunk starting at offset c.  With Q
 * (the pooling layer above) non-NULL, each plane is pooled into Q's
 * output as soon as it is written, while it is in cache; the chunk's
 * first sample is sample b0 of the batch.
 */
static void
conv_epilogue(float *y, float *z, float *phi, long c, const float *t,
    const float *b, long nb, long F, long P, int act,
    const struct net_layer *Q, long b0)
{
	float bf, v;
	long f, s, i, o, q;

	for (s = 0; s < nb; s++) {	/* y in order: a sample at a time */
		for (f = 0; f < F; f++) {
			const float *restrict src = t + (f * nb + s) * P;
			float *restrict r;

			bf = b != NULL ? b[f] : 0;
			o = c + (s * F + f) * P;
			r = y + o;
			switch (act) {
			case ACT_IDENTITY:
				for (i = 0; i < P; i++)
					r[i] = src[i] + bf;
				break;
			case ACT_RELU:
				for (i = 0; i < P; i++) {
					v = src[i] + bf;
					r[i] = v < 0 ? 0 : v;
				}
				break;
			case ACT_LEAKY_RELU:
				for (i = 0; i < P; i++) {
					v = src[i] + bf;
					r[i] = v < 0 ? LEAKY_SLOPE * v : v;
				}
				break;
			case ACT_TANH:
				for (i = 0; i < P; i++)
					r[i] = vtanhf(src[i] + bf);
				break;
			case ACT_SIGMOID:
				for (i = 0; i < P; i++)
					r[i] = vsigmoidf(src[i] + bf);
				break;
			case ACT_GELU: {
				float *restrict zr = z + o;
				float *restrict pr = phi + o;

				for (i = 0; i < P; i++) {
					v = src[i] + bf;
					zr[i] = v;
					pr[i] = vphif(v);
					r[i] = v * pr[i];
				}
				break;
			}
			}
			if (Q == NULL)
				continue;
			q = (b0 + s) * Q->nout + f * Q->win.OH * Q->win.OW;
			if (Q->type == LAYER_MAXPOOL2D)
				conv_maxpool(Q->y + q, Q->arg + q, r, 1,
				    &Q->win);
			else
				conv_avgpool(Q->y + q, r, 1, &Q->win);
		}
	}
}

/*
 * The conv2d activation backward: dt (F, nb*P) = g * act'(z), from g
 * (nb, F, P) = dL/dy, transposed to the sgemm's channel-major layout;
 * with db non-NULL, db += the sums of dt's rows.  g, y, z and phi are
 * the whole buffers, the chunk starting at offset c.
 */
static void
conv_dact(float *dt, const float *g, const float *y, const float *z,
    const float *phi, long c, float *db, long nb, long F, long P, int act)
{
	float v;
	long f, s, i, o;

	for (s = 0; s < nb; s++) {	/* g and y in order */
		for (f = 0; f < F; f++) {
			float *restrict d = dt + (f * nb + s) * P;
			const float *restrict gr, *restrict yr;

			o = c + (s * F + f) * P;
			gr = g + o;
			yr = y + o;
			switch (act) {
			case ACT_IDENTITY:
				memcpy(d, gr, (size_t)P * sizeof *d);
				break;
			case ACT_RELU:	/* load first: then it is a select */
				for (i = 0; i < P; i++) {
					v = gr[i];
					d[i] = yr[i] > 0 ? v : 0;
				}
				break;
			case ACT_LEAKY_RELU:
				for (i = 0; i < P; i++) {
					v = gr[i];
					d[i] = yr[i] > 0 ? v : LEAKY_SLOPE * v;
				}
				break;
			case ACT_TANH:
				for (i = 0; i < P; i++)
					d[i] = gr[i] * (1 - yr[i] * yr[i]);
				break;
			case ACT_SIGMOID:
				for (i = 0; i < P; i++)
					d[i] = gr[i] * (yr[i] * (1 - yr[i]));
				break;
			case ACT_GELU: {
				const float *restrict zr = z + o;
				const float *restrict pr = phi + o;

				for (i = 0; i < P; i++) {
					v = zr[i];
					d[i] = gr[i] * (pr[i] + v *
					    vexpf(-0.5f * v * v) *
					    INV_SQRT2PI);
				}
				break;
			}
			}
		}
	}
	if (db != NULL)
		for (f = 0; f < F; f++)
			db[f] += conv_sum(dt + f * nb * P, nb * P);
}

/* Chunks of at most L->nb samples that split B evenly: their size. */
static long
chunk(const struct net_layer *L, long B)
{
	long nc;

	nc = (B + L->nb - 1) / L->nb;
	return (B + nc - 1) / nc;
}

/*
 * conv2d forward of samples [s0, s1) of x (B, C, H, W), chunk by chunk
 * in the work block work: the columns of the chunk, T = W cols in one
 * sgemm, the epilogue into y.
 */
static void
conv_forward(struct net_layer *L, const float *x, long s0, long s1,
    float *work, const struct net_layer *Q)
{
	const struct conv_win *g = &L->win;
	long F, P, kk, nb, b0, w;
	float *cols, *t;

	if (s1 <= s0)
		return;
	F = L->out[0];
	P = g->OH * g->OW;
	kk = g->C * g->k * g->k;
	nb = chunk(L, s1 - s0);
	cols = work;				/* (kk, w*P) */
	t = work + up16(kk * L->nb * P);	/* (F, w*P) */
	for (b0 = s0; b0 < s1; b0 += w) {
		w = s1 - b0 < nb ? s1 - b0 : nb;
		conv_im2col(cols, w * P, x + b0 * L->nin, w, g);
		/* T (F, w*P) = W (F, kk) cols (kk, w*P) */
		blas_sgemm(BLAS_N, BLAS_N, F, w * P, kk, 1, L->w, kk, cols,
		    w * P, 0, t, w * P);
		conv_epilogue(L->y, L->z, L->phi, b0 * L->nout, t, L->b, w,
		    F, P, L->act, Q, b0);
	}
}

/*
 * dT (F, nb*P) of a relu conv2d from the 2x2 max pooling Q above it,
 * for the nb samples from sample c: each plane routed back through the
 * pooling and the relu at once (conv_maxpool22_relu_back) from g = dL/d
 * of Q's output; then db += the row sums of dT.
 */
static void
pool_dact(float *dt, const float *g, const struct net_layer *Q, long c,
    float *db, long nb, long F, long P)
{
	long s, f, o;

	for (s = 0; s < nb; s++)
		for (f = 0; f < F; f++) {
			o = (c + s) * Q->nout + f * Q->win.OH * Q->win.OW;
			conv_maxpool22_relu_back(dt + (f * nb + s) * P, g + o,
			    Q->y + o, Q->arg + o, &Q->win);
		}
	if (db != NULL)
		for (f = 0; f < F; f++)
			db[f] += conv_sum(dt + f * nb * P, nb * P);
}

/*
 * conv2d backward of samples [s0, s1) of g = dL/dy (B, F, OH, OW), chunk
 * by chunk in the work block work: dT from the activation, then with dw
 * non-NULL dw += dT cols^T (the columns recomputed) and db += row sums of
 * dT (db NULL: no bias); with dx non-NULL, dcols = W^T dT (in the
 * columns' place) and dx (B, C, H, W) = col2im(dcols).  With Q non-NULL,
 * g is dL/d of the output of the max pooling Q above instead (see
 * pool_dact).
 */
static void
conv_backward(struct net_layer *L, const float *g, const struct net_layer *Q,
    float *dw, float *db, float *dx, long s0, long s1, float *work)
{
	const struct conv_win *g0 = &L->win;
	long F, P, kk, nb, b0, w;
	float *cols, *dt;

	if (s1 <= s0)
		return;
	F = L->out[0];
	P = g0->OH * g0->OW;
	kk = g0->C * g0->k * g0->k;
	nb = chunk(L, s1 - s0);
	cols = work;
	dt = work + up16(kk * L->nb * P);
	for (b0 = s0; b0 < s1; b0 += w) {
		w = s1 - b0 < nb ? s1 - b0 : nb;
		if (Q != NULL)
			pool_dact(dt, g, Q, b0, db, w, F, P);
		else
			conv_dact(dt, g, L->y, L->z, L->phi, b0 * L->nout, db,
			    w, F, P, L->act);
		if (dw != NULL) {
			conv_im2col(cols, w * P, L->x + b0 * L->nin, w, g0);
			/* dW (F, kk) += dT (F, w*P) cols^T */
			blas_sgemm(BLAS_N, BLAS_T, F, kk, w * P, 1, dt, w * P,
			    cols, w * P, 1, dw, kk);
		}
		if (dx != NULL) {
			/* dcols (kk, w*P) = W^T dT */
			blas_sgemm(BLAS_T, BLAS_N, kk, w * P, F, 1, L->w, kk,
			    dt, w * P, 0, cols, w * P);
			conv_col2im(dx + b0 * L->nin, cols, w * P, w, g0);
		}
	}
}

/*
 * batchnorm forward of x (B, C, P): batch statistics (train) or running
 * ones, y = a x + b.  -1 with a message for a training batch of one value
 * per channel.
 */
static int
bn_forward(struct net_layer *L, int l, const float *x, long B, int train)
{
	const double m = NET_BN_MOMENTUM;
	float *a, *b;
	double cnt, var;
	long C, P, c;

	C = L->in[0];
	P = L->in[1] * L->in[2];
	a = L->coef;
	b = L->coef + C;
	cnt = (double)B * P;
	if (!train) {
		for (c = 0; c < C; c++) {
			a[c] = (float)(L->w[c] / sqrt((double)L->rvar[c] +
			    NET_BN_EPS));
			b[c] = L->b[c] - L->rmean[c] * a[c];
		}
		conv_bn_apply(L->y, x, a, b, B, C, P);
		return 0;
	}
	if (B * P < 2)
		return err_set("net: layer %d (%s): a training batch of one "
		    "value per channel has no variance", l + 1, L->name);
	conv_bn_stats(L->bmean, b, x, B, C, P);	/* b: squared deviations */
	for (c = 0; c < C; c++) {
		var = b[c] / cnt;
		L->binvstd[c] = (float)(1 / sqrt(var + NET_BN_EPS));
		L->rmean[c] = (float)(m * L->bmean[c] + (1 - m) *
		    L->rmean[c]);
		L->rvar[c] = (float)(m * (b[c] / (cnt - 1)) + (1 - m) *
		    L->rvar[c]);
		a[c] = L->binvstd[c] * L->w[c];
		b[c] = L->b[c] - L->bmean[c] * a[c];
	}
	conv_bn_apply(L->y, x, a, b, B, C, P);
	return 0;
}

/*
 * The loss of B outputs z (B, nout) of a batch of Btot and, with g
 * non-NULL, dLoss/dz into g (B, nout), for labels y (B) or targets t
 * (B, nout).  Returns the SUM of the losses of the B samples (of their
 * B*nout elements for bce and mse), not the mean: the mean over the batch
 * divides the sums of all the shares by Btot (Btot*nout).  The labels
 * are in range (net_forward checked).
 */
static double
loss_forward(const struct net *n, const float *z, const int *y,
    const float *t, long B, long Btot, float *g)
{
	double sum;
	float m, s, e, tv, inv, v, d;
	long i, j, no;
	int target;

	no = n->nout;
	sum = 0;
	switch (n->loss) {
	case LOSS_CE:
		/* l = log sum exp(z) - z_y; dl/dz = softmax(z) - onehot(y) */
		inv = 1.0f / (float)Btot;
		for (i = 0; i < B; i++) {
			const float *zr = z + i * no;

			m = zr[0];
			for (j = 1; j < no; j++)
				m = zr[j] > m ? zr[j] : m;
			s = 0;
			if (g != NULL) {
				float *gr = g + i * no;

				for (j = 0; j < no; j++) {
					gr[j] = expf(zr[j] - m);
					s += gr[j];
				}
				e = inv / s;
				for (j = 0; j < no; j++)
					gr[j] *= e;
				gr[y[i]] -= inv;
			} else
				for (j = 0; j < no; j++)
					s += expf(zr[j] - m);
			sum += (double)m + log((double)s) - zr[y[i]];
		}
		return sum;
	case LOSS_BCE:
		/* l = max(z,0) - z t + log(1 + e^-|z|); dl/dz = sig(z) - t */
		inv = 1.0f / (float)(Btot * no);
		for (i = 0; i < B; i++) {
			for (j = 0; j < no; j++) {
				v = z[i * no + j];
				if (n->task != TASK_CLASSIFICATION)
					tv = t[i * no + j];
				else {
					target = no == 1 ? 1 : (int)j;
					tv = y[i] == target ? 1 : 0;
				}
				e = expf(-fabsf(v));
				sum += (double)(v > 0 ? v : 0) -
				    (double)v * tv + log1p((double)e);
				if (g != NULL)
					g[i * no + j] = ((v >= 0 ? 1 : e) /
					    (1 + e) - tv) * inv;
			}
		}
		return sum;
	default:
		/* l = (z - t)^2; dl/dz = 2 (z - t) */
		inv = 2.0f / (float)(Btot * no);
		for (i = 0; i < B; i++) {
			for (j = 0; j < no; j++) {
				v = z[i * no + j];
				if (n->task != TASK_CLASSIFICATION)
					tv = t[i * no + j];
				else
					tv = y[i] == j ? 1 : 0;
				d = v - tv;
				sum += (double)d * d;
				if (g != NULL)
					g[i * no + j] = d * inv;
			}
		}
		return sum;
	}
}

/* p + off, or NULL for a buffer the layer does not have. */
static float *
at(float *p, long off)
{
	return p != NULL ? p + off : NULL;
}

/* What the threads of a forward or a backward share. */
struct pass {
	struct net *n;
	const float *x;		/* forward: input (B, d) */
	const int *y;		/* labels, or NULL */
	const float *t;		/* targets, or NULL */
	long	 B;
	int	 train;
	int	 loss;		/* forward: compute the loss */
	float	 scale;		/* backward: dL/dlogits *= scale */
	int	 lo;		/* backward: the lowest layer to visit */
	int	 wantdx;
	double	 sum[NET_MAXTHREAD];	/* forward: each thread's loss sum */
	struct opt *o;		/* backward: update with it, or NULL */
	double	 lr;
};

/* A thread's update of a dense layer's share, held until the barrier
 * after which no thread reads the old weights. */
struct deferred {
	int	 pending;
	long	 off[2], n[2];	/* parameter ranges: weight rows, bias */
};

static void
flush(const struct pass *a, struct deferred *u)
{
	if (!u->pending)
		return;
	u->pending = 0;
	if (a->o == NULL)
		return;
	opt_update_at(a->o, a->n->param, a->n->grad, a->lr, u->off[0],
	    u->n[0]);
	opt_update_at(a->o, a->n->param, a->n->grad, a->lr, u->off[1],
	    u->n[1]);
}

/*
 * The forward of thread t of nt: its samples [s0, s1) through every
 * layer, meeting the others only around the layers that need the whole
 * batch (batchnorm's statistics, dropout's mask stream), which thread 0
 * computes alone.
 */
static void
forward_share(void *arg, int t, int nt)
{
	struct pass *a = arg;
	struct net *n = a->n;
	struct net_layer *L, *Q;
	const float *in;
	float *work;
	long s0, s1, m, j0, j1;
	int l, dense;

	par_share(a->B, t, nt, 1, &s0, &s1);
	m = s1 - s0;
	work = n->work + t * n->nwork;
	in = a->x;
	Q = NULL;	/* a pooling layer done by the conv2d below */
	dense = 0;	/* the rows of the last layer are not all this
			   thread's */
	for (l = 0; l < n->nlayer; l++) {
		L = &n->layer[l];
		switch (L->type) {
		case LAYER_DENSE:
			/* Y = X W^T, split by units (columns of Y): one
			 * sgemm of the whole batch against this thread's
			 * rows of W runs faster than a share of the batch
			 * against all of W; the input rows of every thread
			 * must be done */
			par_barrier(n->par);
			par_share(L->nout, t, nt, 16, &j0, &j1);
			if (j1 > j0) {
				blas_sgemm(BLAS_N, BLAS_T, a->B, j1 - j0,
				    L->nin, 1, in, L->nin, L->w + j0 * L->nin,
				    L->nin, 0, L->y + j0, L->nout);
				dense_epilogue(L->y + j0, at(L->z, j0),
				    at(L->phi, j0), L->b + j0, a->B, j1 - j0,
				    L->nout, L->act);
			}
			dense = 1;
			in = L->y;
			break;
		case LAYER_DROPOUT:
			if (a->train && L->rate > 0) {
				par_barrier(n->par);
				if (t == 0)
					dropout_forward(n, L, in, a->B);
				par_barrier(n->par);
				dense = 0;
				in = L->y;
			}
			break;
		case LAYER_CONV2D:
			/* a pooling layer above pools each plane as the
			 * epilogue writes it */
			Q = l + 1 < n->nlayer && (L[1].type ==
			    LAYER_MAXPOOL2D || L[1].type == LAYER_AVGPOOL2D) ?
			    L + 1 : NULL;
			conv_forward(L, in, s0, s1, work, Q);
			in = L->y;
			break;
		case LAYER_MAXPOOL2D:
			if (Q != L)
				conv_maxpool(L->y + s0 * L->nout,
				    L->arg + s0 * L->nout, in + s0 * L->nin,
				    m * L->in[0], &L->win);
			in = L->y;
			break;
		case LAYER_AVGPOOL2D:
			if (Q != L)
				conv_avgpool(L->y + s0 * L->nout,
				    in + s0 * L->nin, m * L->in[0], &L->win);
			in = L->y;
			break;
		case LAYER_BATCHNORM:
			par_barrier(n->par);
			if (t == 0)
				bn_forward(L, l, in, a->B, a->train);
			par_barrier(n->par);
			dense = 0;
			in = L->y;
			break;
		default:	/* flatten: the same floats */
			break;
		}
	}
	if (dense)	/* the last dense layer's columns */
		par_barrier(n->par);
	a->sum[t] = 0;
	if (a->loss && m > 0)
		a->sum[t] = loss_forward(n, in + s0 * n->nout,
		    a->y != NULL ? a->y + s0 : NULL,
		    a->t != NULL ? a->t + s0 * n->nout : NULL, m, a->B,
		    a->train ? n->g0 + s0 * n->nout : NULL);
}

double
net_forward(struct net *n, const float *x, const int *y, const float *t,
    long B, int train)
{
	struct net_layer *L;
	struct pass a;
	double sum;
	long i;
	int l;

	n->train = 0;
	n->x = NULL;
	if (B < 1 || B > n->max_batch)
		return err_set("net: batch of %ld samples, the net takes "
		    "1 to %ld", B, n->max_batch), NAN;
	if (n->task == TASK_CLASSIFICATION && y != NULL)
		for (i = 0; i < B; i++)
			if (y[i] < 0 || y[i] >= n->K)
				return err_set("net: label %d is out of range "
				    "0..%ld", y[i], n->K - 1), NAN;
	for (l = 0; l < n->nlayer; l++) {
		L = &n->layer[l];
		L->x = l == 0 ? x : n->layer[l - 1].type == LAYER_FLATTEN ||
		    (n->layer[l - 1].type == LAYER_DROPOUT &&
		    !(train && n->layer[l - 1].rate > 0)) ?
		    n->layer[l - 1].x : n->layer[l - 1].y;
		if (L->type == LAYER_BATCHNORM && train &&
		    B * L->in[1] * L->in[2] < 2)
			return err_set("net: layer %d (%s): a training batch "
			    "of one value per channel has no variance", l + 1,
			    L->name), NAN;
	}
	a.n = n;
	a.x = x;
	a.y = y;
	a.t = t;
	a.B = B;
	a.train = train;
	a.loss = n->task == TASK_CLASSIFICATION ? y != NULL : t != NULL;
	par_run(n->par, forward_share, &a);
	L = &n->layer[n->nlayer - 1];
	n->logits = L->type == LAYER_FLATTEN || (L->type == LAYER_DROPOUT &&
	    !(train && L->rate > 0)) ? (float *)L->x : L->y;
	n->B = B;
	n->x = x;
	n->train = train != 0 && a.loss;
	if (!a.loss)
		return 0;
	for (sum = 0, i = 0; i < par_size(n->par); i++)
		sum += a.sum[i];
	return n->loss == LOSS_CE ? sum / B : sum / ((double)B * n->nout);
}

/*
 * Whether the max pooling at layer l and the conv2d below it go back in
 * one pass: a relu conv2d, then a 2x2, stride 2, unpadded max pooling.
 */
static int
fusable(const struct net *n, int l)
{
	const struct net_layer *L = &n->layer[l];

	return l > 0 && L->win.k == 2 && L->win.s == 2 && L->win.p == 0 &&
	    n->layer[l - 1].type == LAYER_CONV2D &&
	    n->layer[l - 1].act == ACT_RELU;
}

/*
 * The backward of thread t of nt.  Its samples [s0, s1) go down through
 * the layers as in the forward, except where a layer's weight gradient
 * needs the whole batch: a dense layer's dW = dZ^T X is split by units
 * (rows of dW) after a barrier; a conv2d layer's dW is summed per thread
 * (thread 0 into grad, the others into their pgrad shares) and the shares
 * are added at the end.  The activation gradients ping-pong between g0
 * and g1 with each layer's row width, so a thread's rows of one layer
 * overlap other threads' rows of another: every layer that writes the
 * other buffer first waits for all threads to be done with the layers
 * above (dense layers at the barrier before dW).
 */
static void
backward_share(void *arg, int t, int nt)
{
	struct pass *a = arg;
	struct net *n = a->n;
	struct net_layer *L, *Q;
	struct deferred u;
	float *g, *other, *work, *dw, *db;
	long B, s0, s1, m, j0, j1, i, j;
	int l, conv, fresh;

	B = a->B;
	par_share(B, t, nt, 1, &s0, &s1);
	m = s1 - s0;
	work = n->work + t * n->nwork;
	fresh = n->fresh;
	g = n->g0;	/* dL/dlogits (B, nout) */
	if (a->scale != 1)
		for (i = s0 * n->nout; i < s1 * n->nout; i++)
			g[i] *= a->scale;
	conv = 0;
	u.pending = 0;
	Q = NULL;
	for (l = n->nlayer - 1; l >= a->lo; l--) {
		L = &n->layer[l];
		other = l == 0 ? n->dx : g == n->g0 ? n->g1 : n->g0;
		switch (L->type) {
		case LAYER_DENSE:
			/* dZ = dY * act'(Z), this thread's rows */
			dense_dact(g + s0 * L->nout, L->y + s0 * L->nout,
			    at(L->z, s0 * L->nout), at(L->phi, s0 * L->nout),
			    NULL, m, L->nout, L->act);
			par_barrier(n->par);
			flush(a, &u);
			if (!L->freeze) {
				/* dW += dZ^T X and db += the column sums
				 * of dZ, for this thread's units */
				par_share(L->nout, t, nt, 16, &j0, &j1);
				if (j1 > j0)
					blas_sgemm(BLAS_T, BLAS_N, j1 - j0,
					    L->nin, B, 1, g + j0, L->nout,
					    L->x, L->nin, fresh ? 0 : 1,
					    L->dw + j0 * L->nin, L->nin);
				if (fresh)
					for (j = j0; j < j1; j++)
						L->db[j] = 0;
				for (i = 0; i < B; i++) {
					const float *gr = g + i * L->nout;

					for (j = j0; j < j1; j++)
						L->db[j] += gr[j];
				}
				/* W is read by dX below, by every thread:
				 * its update waits for the next barrier */
				u.off[0] = L->poff + j0 * L->nin;
				u.n[0] = (j1 - j0) * L->nin;
				u.off[1] = L->poff + L->nout * L->nin + j0;
				u.n[1] = j1 - j0;
				u.pending = 1;
				if (!(l > a->lo || a->wantdx))
					flush(a, &u);
			}
			if (l > a->lo || a->wantdx) {
				/* dX = dZ W, this thread's rows */
				if (m > 0)
					blas_sgemm(BLAS_N, BLAS_N, m, L->nin,
					    L->nout, 1, g + s0 * L->nout,
					    L->nout, L->w, L->nin, 0,
					    other + s0 * L->nin, L->nin);
				g = other;
			}
			break;
		case LAYER_DROPOUT:
			if (L->rate > 0)
				/* dX = dY * mask, in place */
				for (i = s0 * L->nout; i < s1 * L->nout; i++)
					g[i] *= L->mask[i];
			break;
		case LAYER_CONV2D:
			par_barrier(n->par);
			flush(a, &u);
			dw = db = NULL;
			if (!L->freeze) {
				dw = t == 0 ? L->dw : n->pgrad + (t - 1) *
				    n->nparam + L->poff;
				db = L->b != NULL ? dw + (L->db - L->dw) : NULL;
				if (t > 0 || fresh)
					memset(dw, 0, (size_t)L->np *
					    sizeof *dw);
				conv = 1;
			}
			if (l > a->lo || a->wantdx) {
				conv_backward(L, g, Q, dw, db, other, s0, s1,
				    work);
				g = other;
			} else
				conv_backward(L, g, Q, dw, db, NULL, s0, s1,
				    work);
			Q = NULL;
			break;
		case LAYER_MAXPOOL2D:
			par_barrier(n->par);
			flush(a, &u);
			if (fusable(n, l)) {
				/* the conv2d below takes g through us */
				Q = L;
				break;
			}
			conv_maxpool_back(other + s0 * L->nin, g + s0 * L->nout,
			    L->arg + s0 * L->nout, m * L->in[0], &L->win);
			g = other;
			break;
		case LAYER_AVGPOOL2D:
			par_barrier(n->par);
			flush(a, &u);
			conv_avgpool_back(other + s0 * L->nin, g + s0 * L->nout,
			    m * L->in[0], &L->win);
			g = other;
			break;
		case LAYER_BATCHNORM:
			/* in place: dy -> dx, on thread 0 */
			par_barrier(n->par);
			flush(a, &u);
			if (t == 0) {
				if (fresh && !L->freeze) {
					memset(L->dw, 0, (size_t)L->in[0] *
					    sizeof *L->dw);
					memset(L->db, 0, (size_t)L->in[0] *
					    sizeof *L->db);
				}
				conv_bn_back(g, L->freeze ? NULL : L->dw,
				    L->freeze ? NULL : L->db, L->x, L->bmean,
				    L->binvstd, L->w, B, L->in[0],
				    L->in[1] * L->in[2], l > a->lo ||
				    a->wantdx);
				if (a->o != NULL && !L->freeze)
					opt_update_at(a->o, n->param, n->grad,
					    a->lr, L->poff, L->np);
			}
			par_barrier(n->par);
			break;
		default:	/* flatten */
			break;
		}
	}
	if (a->wantdx && g != n->dx) {
		par_barrier(n->par);
		flush(a, &u);
		memcpy(n->dx + s0 * n->d, g + s0 * n->d,
		    (size_t)(m * n->d) * sizeof(float));
	}
	if (u.pending) {
		par_barrier(n->par);
		flush(a, &u);
	}
	if (!conv)
		return;
	/* the conv2d gradients: grad += the other threads' shares; then
	 * their update */
	par_barrier(n->par);
	for (l = a->lo; l < n->nlayer; l++) {
		L = &n->layer[l];
		if (L->type != LAYER_CONV2D || L->freeze)
			continue;
		par_share(L->np, t, nt, 16, &j0, &j1);
		for (i = 1; i < nt; i++) {
			const float *s = n->pgrad + (i - 1) * n->nparam +
			    L->poff;

			for (j = j0; j < j1; j++)
				L->dw[j] += s[j];
		}
		if (a->o != NULL)
			opt_update_at(a->o, n->param, n->grad, a->lr,
			    L->poff + j0, j1 - j0);
	}
}

/* net_backward, and with o non-NULL the update at lr fused into it. */
static int
backward(struct net *n, float scale, struct opt *o, double lr)
{
	struct pass a;
	int lo;

	if (!n->train)
		return err_set("net: backward without a training forward "
		    "with labels");
	n->train = 0;
	a.wantdx = n->dx != NULL;
	/* the lowest layer whose parameters (or input) need a gradient */
	for (lo = 0; !a.wantdx && lo < n->nlayer; lo++)
		if (n->layer[lo].np > 0 && !n->layer[lo].freeze)
			break;
	if (o != NULL)
		opt_begin(o);
	if (lo == n->nlayer)
		return 0;
	a.n = n;
	a.B = n->B;
	a.scale = scale;
	a.lo = lo;
	a.o = o;
	a.lr = lr;
	par_run(n->par, backward_share, &a);
	n->fresh = 0;
	return 0;
}

int
net_backward(struct net *n, float scale)
{
	return backward(n, scale, NULL, 0);
}

int
net_backward_update(struct net *n, float scale, struct opt *o, double lr)
{
	return backward(n, scale, o, lr);
}

void
net_zero_grad(struct net *n)
{
	n->fresh = 1;
}

/* What the threads of an optimizer step share. */
struct update {
	struct opt *o;
	float	*p;
	const float *g;
	double	 lr;
};

static void
update_share(void *arg, int t, int nt)
{
	struct update *u = arg;
	long lo, hi;

	par_share(u->o->n, t, nt, 16, &lo, &hi);
	opt_update(u->o, u->p, u->g, u->lr, lo, hi);
}

void
net_update(struct net *n, struct opt *o, double lr)
{
	struct update u = { o, n->param, n->grad, lr };

	opt_begin(o);
	par_run(n->par, update_share, &u);
}

int
net_threads(struct net *n, int nt)
{
	struct par *p;
	float *work, *pg;
	int l, conv;

	if (nt < 1)
		nt = 1;
	if (nt > NET_MAXTHREAD)
		nt = NET_MAXTHREAD;
	for (conv = 0, l = 0; l < n->nlayer; l++)
		if (n->layer[l].type == LAYER_CONV2D)
			conv = 1;
	work = pg = NULL;
	if ((work = falloc(nt * n->nwork)) == NULL ||
	    (conv && nt > 1 && (pg = falloc((nt - 1) * n->nparam)) == NULL)) {
		free(work);
		return err_set("net: out of memory for %d threads", nt);
	}
	if ((p = par_create(nt)) == NULL) {
		free(work);
		free(pg);
		return -1;
	}
	par_free(n->par);
	free(n->work);
	free(n->pgrad);
	n->par = p;
	n->work = work;
	n->pgrad = pg;
	return 0;
}

int
net_input_grad(struct net *n, int on)
{
	if (!on) {
		free(n->dx);
		n->dx = NULL;
		return 0;
	}
	if (n->dx == NULL && (n->dx = falloc(n->max_batch * n->d)) == NULL)
		return err_set("net: out of memory");
	return 0;
}

long
net_correct(const struct net *n, const int *y, long B)
{
	const float *z;
	long i, j, no, c;
	int best;

	no = n->nout;
	c = 0;
	for (i = 0; i < B; i++) {
		z = n->logits + i * no;
		if (no == 1)
			best = z[0] > 0;
		else
			for (best = 0, j = 1; j < no; j++)
				if (z[j] > z[best])
					best = (int)j;
		c += best == y[i];
	}
	return c;
}

int
net_segments(const struct net *n, struct opt_seg *seg)
{
	const struct net_layer *L;
	int l, k;

	for (k = l = 0; l < n->nlayer; l++) {
		L = &n->layer[l];
		if (L->np == 0 || L->freeze)
			continue;
		seg[k].off = L->poff;
		seg[k].n = L->np;
		seg[k].lr_mult = L->lr_mult;
		k++;
	}
	return k;
}

long
net_nparams(const struct net *n)
{
	return n->nparam;
}

long
net_ntrainable(const struct net *n)
{
	long s;
	int l;

	for (s = l = 0; l < n->nlayer; l++)
		if (!n->layer[l].freeze)
			s += n->layer[l].np;
	return s;
}

static void
putshape(FILE *fp, const long *s)
{
	if (s[1] == 1 && s[2] == 1)
		fprintf(fp, "%ld", s[0]);
	else
		fprintf(fp, "%ldx%ldx%ld", s[0], s[1], s[2]);
}

int
net_summary(FILE *fp, const struct net *n)
{
	const struct net_layer *L;
	int l;

	for (l = 0; l < n->nlayer; l++) {
		L = &n->layer[l];
		fprintf(fp, "#@ layer name=%s type=%s in=", L->name,
		    name_of(cfg_layer_names, L->type));
		putshape(fp, L->in);
		fprintf(fp, " out=");
		putshape(fp, L->out);
		if (L->type == LAYER_CONV2D || L->type == LAYER_MAXPOOL2D ||
		    L->type == LAYER_AVGPOOL2D) {
			fprintf(fp, " kernel=%ld stride=%ld", L->win.k,
			    L->win.s);
			if (L->same)
				fprintf(fp, " padding=same");
			else if (L->win.p > 0 || L->type == LAYER_CONV2D)
				fprintf(fp, " padding=%ld", L->win.p);
		}
		if (L->type == LAYER_DENSE || L->type == LAYER_CONV2D)
			fprintf(fp, " activation=%s",
			    name_of(cfg_act_names, L->act));
		if (L->type == LAYER_CONV2D && L->b == NULL)
			fprintf(fp, " bias=0");
		if (L->type == LAYER_DROPOUT)
			fprintf(fp, " rate=%g", L->rate);
		fprintf(fp, " params=%ld", L->np);
		if (L->freeze)
			fprintf(fp, " freeze=1");
		if (L->lr_mult != 1)
			fprintf(fp, " lr_mult=%g", L->lr_mult);
		fputc('\n', fp);
	}
	fprintf(fp, "#@ model layers=%d params=%ld trainable=%ld loss=%s "
	    "init=%s\n", n->nlayer, n->nparam, net_ntrainable(n),
	    name_of(cfg_loss_names, n->loss),
	    name_of(cfg_init_names, n->init));
	return ferror(fp) ? -1 : 0;
}
