/*
 * net.c - the layers of lrf-train's net (see net.h): the table of layer
 * types, building a net from its config (shapes, the layout of its
 * blocks, the first values of its parameters) and describing it.  The
 * activations are in netact.c, the passes forward and back in
 * netpass.c, the image kernels in lib/conv.c.
 */
#include <sys/resource.h>

#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conv.h"
#include "err.h"
#include "names.h"
#include "netint.h"
#include "par.h"
#include "wino.h"

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

float *
net_falloc(long nfloat)
{
	return zalloc(nfloat, sizeof(float));
}

long
net_up16(long n)
{
	return (n + 15) & ~15L;
}

void
net_free(struct net *n)
{
	int l;

	for (l = 0; n->layer != NULL && l < n->nlayer; l++)
		free(n->layer[l].sub);
	free(n->layer);
	free(n->param);
	free(n->grad);
	free(n->act);
	free(n->state);
	free(n->work);
	free(n->iact);
	free(n->dx);
	free(n->pgrad);
	free(n->sbuf);
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

/* ---- the layer types ------------------------------------------------- */

/* " activation=relu" of dense and conv2d, snprintf-style at *len. */
static void __attribute__((format(printf, 4, 5)))
cat(char *buf, size_t size, size_t *len, const char *fmt, ...)
{
	va_list ap;
	int k;

	va_start(ap, fmt);
	k = vsnprintf(*len < size ? buf + *len : NULL, *len < size ?
	    size - *len : 0, fmt, ap);
	va_end(ap);
	if (k > 0)
		*len += (size_t)k;
}

/* An activation the layer knows, or -1 with a message. */
static int
check_act(const struct cfg_layer *c, const char *where)
{
	if (c->activation < ACT_IDENTITY || c->activation > ACT_GELU)
		return err_set("%s: unknown activation %d", where,
		    c->activation);
	return 0;
}

/*
 * A layer's output y (max_batch, nout) in act from off, and with gelu
 * its pre-activation z and Phi(z), as large; the offset past them.
 */
static long
acts_y(struct net *n, struct net_layer *L, long off, int assign)
{
	long sz;

	sz = net_up16(n->max_batch * L->nout);
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
	return off;
}

/*
 * The weights (nw of them, fans fin and fout) and nb biases of a dense
 * or conv2d layer from the init stream g: he or xavier, then the bias
 * uniform in +-1/sqrt(fin) (torch's).
 */
static void
init_weights(const struct net *n, struct net_layer *L, struct rng *g,
    double fin, double fout, long nw, long nb)
{
	double a, s;
	long i;

	if (n->init == INIT_XAVIER) {
		a = sqrt(6.0 / (fin + fout));
		for (i = 0; i < nw; i++)
			L->w[i] = (float)(a * (2 * rng_uniform(g) - 1));
	} else {
		s = sqrt(2.0 / fin);
		for (i = 0; i < nw; i++)
			L->w[i] = (float)(s * rng_normal(g));
	}
	a = 1 / sqrt(fin);
	for (i = 0; i < nb; i++)
		L->b[i] = (float)(a * (2 * rng_uniform(g) - 1));
}

/* dense: (units, 1, 1), W (OUT, IN) and b (OUT) */
static int
dense_shape(struct net *n, struct net_layer *L, const struct cfg_layer *c,
    const char *where, int l)
{
	(void)n;
	(void)l;
	if (c->units < 1 || c->units > INT_MAX)
		return err_set("%s: dense units must be 1 or more", where);
	if (check_act(c, where) < 0)
		return -1;
	if (L->nin > NET_MAXPARAM / (c->units + 1))
		return err_set("%s: dense layer of %ldx%ld weights is too "
		    "large", where, c->units, L->nin);
	L->out[0] = c->units;
	L->out[1] = L->out[2] = 1;
	L->np = c->units * L->nin + c->units;
	L->ntensor = 2;
	return 0;
}

static long
dense_acts(struct net *n, struct net_layer *L, long off, long *aoff,
    int assign)
{
	(void)aoff;
	return acts_y(n, L, off, assign);
}

static void
dense_params(struct net *n, struct net_layer *L, long *soff)
{
	long off, nw;

	(void)soff;
	off = L->poff;
	nw = L->nout * L->nin;
	L->w = n->param + off;		/* (OUT, IN) */
	L->dw = n->grad + off;
	L->b = L->w + nw;		/* (OUT) */
	L->db = L->dw + nw;
	L->tensor[0] = (struct net_tensor){ "weight", L->w, off, nw, 2,
	    { L->nout, L->nin, 1, 1 } };
	L->tensor[1] = (struct net_tensor){ "bias", L->b, off + nw, L->nout,
	    1, { L->nout, 1, 1, 1 } };
}

static void
dense_init(const struct net *n, struct net_layer *L, struct rng *g)
{
	init_weights(n, L, g, (double)L->nin, (double)L->nout,
	    L->nout * L->nin, L->nout);
}

static void
dense_describe(char *buf, size_t size, size_t *len,
    const struct net_layer *L)
{
	cat(buf, size, len, " activation=%s", name_of(cfg_act_names, L->act));
}

/* dropout: the shape of its input */
static int
dropout_shape(struct net *n, struct net_layer *L, const struct cfg_layer *c,
    const char *where, int l)
{
	(void)n;
	(void)l;
	if (!(c->rate >= 0 && c->rate < 1))
		return err_set("%s: dropout rate must be in [0, 1)", where);
	L->rate = (float)c->rate;
	memcpy(L->out, L->in, sizeof L->out);
	return 0;
}

/* y and its mask */
static long
dropout_acts(struct net *n, struct net_layer *L, long off, long *aoff,
    int assign)
{
	long sz;

	(void)aoff;
	sz = net_up16(n->max_batch * L->nout);
	if (assign) {
		L->y = n->act + off;
		L->mask = n->act + off + sz;
	}
	return off + 2 * sz;
}

/* no mask drawn: in evaluation, or at rate 0 */
static int
dropout_through(const struct net_layer *L, int train)
{
	return !(train && L->rate > 0);
}

static void
dropout_describe(char *buf, size_t size, size_t *len,
    const struct net_layer *L)
{
	cat(buf, size, len, " rate=%g", L->rate);
}

/*
 * Whether conv2d layer L (its window set, F filters) goes by Winograd's
 * F(2x2,3x3) (lib/wino.h): a 3x3 kernel, stride 1, padding 1 (the output
 * as large as the input), and by the environment's LRF_CONV: "auto" (or
 * unset) where it is faster, at least NET_WINOMIN input channels and
 * filters (with fewer, its 16 sgemms of inner size C are slower than
 * im2col's one of 9 C); "winograd" always; "im2col" never.  -1 with a
 * message for another value.
 */
static int
wino_layer(const struct net_layer *L, long F, const char *where, int l)
{
	const struct conv_win *g = &L->win;
	const char *e;

	e = getenv("LRF_CONV");
	if (e == NULL || *e == '\0')
		e = "auto";
	if (strcmp(e, "auto") != 0 && strcmp(e, "im2col") != 0 &&
	    strcmp(e, "winograd") != 0)
		return err_set("%s: layer %d (conv2d): LRF_CONV '%s' is not "
		    "auto, im2col or winograd", where, l + 1, e);
	if (strcmp(e, "im2col") == 0 || !(g->k == 3 && g->s == 1 &&
	    g->p == 1 && g->OH == g->H && g->OW == g->W))
		return 0;
	return strcmp(e, "winograd") == 0 || (g->C >= NET_WINOMIN &&
	    F >= NET_WINOMIN);
}

/* conv2d: (F, OH, OW), W (F, C, k, k) and b (F) unless bias: false */
static int
conv_shape(struct net *n, struct net_layer *L, const struct cfg_layer *c,
    const char *where, int l)
{
	long kk, per;

	if (c->filters < 1 || c->filters > INT_MAX)
		return err_set("%s: layer %d (conv2d): filters must be 1 or "
		    "more", where, l + 1);
	if (check_act(c, where) < 0)
		return -1;
	if (window(L, c, where, l) == -1)
		return -1;
	kk = L->in[0] * c->kernel * c->kernel;
	if (kk > NET_MAXPARAM / (c->filters + 1))
		return err_set("%s: layer %d (conv2d): %ldx%ld weights are too "
		    "many", where, l + 1, c->filters, kk);
	L->out[0] = c->filters;
	L->out[1] = L->win.OH;
	L->out[2] = L->win.OW;
	L->np = c->filters * kk + (c->bias ? c->filters : 0);
	if ((L->wino = wino_layer(L, c->filters, where, l)) < 0)
		return -1;
	/* samples per chunk of the column buffer; with Winograd of V
	 * (16, C, tiles), M (16, F, tiles) and T (F, P) */
	per = (kk + c->filters) * L->win.OH * L->win.OW;
	if (L->wino)
		per = 16 * (L->in[0] + c->filters) * wino_tiles(L->in[1],
		    L->in[2]) + c->filters * L->win.OH * L->win.OW;
	if (per > NET_MAXACT / 4)
		return err_set("%s: layer %d (conv2d): the columns of one "
		    "sample do not fit in memory", where, l + 1);
	L->nb = NET_CONVWORK / per;
	/* Winograd's 16 sgemms have T = nb * tiles columns: fewer than
	 * NET_WINOTILES run far below the core's peak (small planes) */
	if (L->wino && L->nb * wino_tiles(L->in[1], L->in[2]) < NET_WINOTILES)
		L->nb = (NET_WINOTILES + wino_tiles(L->in[1], L->in[2]) - 1) /
		    wino_tiles(L->in[1], L->in[2]);
	if (L->nb < 1)
		L->nb = 1;
	if (L->nb > n->max_batch)
		L->nb = n->max_batch;
	L->ntensor = c->bias ? 2 : 1;
	return 0;
}

/* y (and gelu's), and its share of the work block: the columns (C*k*k,
 * nb*P), then T (F, nb*P) */
static long
conv_acts(struct net *n, struct net_layer *L, long off, long *aoff,
    int assign)
{
	long kk, P, w;

	(void)aoff;
	kk = L->in[0] * L->win.k * L->win.k;
	P = L->win.OH * L->win.OW;
	w = net_up16(kk * L->nb * P) + net_up16(L->out[0] * L->nb * P);
	if (L->wino) {
		/* V (16, C, T), M (16, F, T), T (F, nb*P), dU (16, F, C),
		 * the scratch; and U (16, F, C) in act */
		kk = wino_tiles(L->in[1], L->in[2]) * L->nb;
		w = 16 * wino_stride(L->in[0] * kk) +
		    16 * wino_stride(L->out[0] * kk) +
		    net_up16(L->out[0] * L->nb * P) +
		    16 * wino_stride(L->out[0] * L->in[0]) +
		    net_up16(wino_scratch(L->in[2]));
		if (assign)
			L->wu = n->act + off;
		off += 16 * wino_stride(L->out[0] * L->in[0]);
	}
	if (w > n->nwork)
		n->nwork = w;
	return acts_y(n, L, off, assign);
}

static void
conv_params(struct net *n, struct net_layer *L, long *soff)
{
	long off, nw;

	(void)soff;
	off = L->poff;
	nw = L->out[0] * L->in[0] * L->win.k * L->win.k;
	L->w = n->param + off;		/* (F, C, k, k) */
	L->dw = n->grad + off;
	L->tensor[0] = (struct net_tensor){ "weight", L->w, off, nw, 4,
	    { L->out[0], L->in[0], L->win.k, L->win.k } };
	if (L->ntensor == 2) {
		L->b = L->w + nw;	/* (F) */
		L->db = L->dw + nw;
		L->tensor[1] = (struct net_tensor){ "bias", L->b, off + nw,
		    L->out[0], 1, { L->out[0], 1, 1, 1 } };
	}
}

/* torch's fans of a (F, C, k, k) weight */
static void
conv_init(const struct net *n, struct net_layer *L, struct rng *g)
{
	init_weights(n, L, g, (double)(L->in[0] * L->win.k * L->win.k),
	    (double)(L->out[0] * L->win.k * L->win.k),
	    L->out[0] * L->in[0] * L->win.k * L->win.k,
	    L->b != NULL ? L->out[0] : 0);
}

/* " kernel=3 stride=1 padding=1" of conv2d and the pools */
static void
window_describe(char *buf, size_t size, size_t *len,
    const struct net_layer *L)
{
	cat(buf, size, len, " kernel=%ld stride=%ld", L->win.k, L->win.s);
	if (L->same)
		cat(buf, size, len, " padding=same");
	else if (L->win.p > 0 || L->type == LAYER_CONV2D)
		cat(buf, size, len, " padding=%ld", L->win.p);
}

static void
conv_describe(char *buf, size_t size, size_t *len,
    const struct net_layer *L)
{
	window_describe(buf, size, len, L);
	dense_describe(buf, size, len, L);
	if (L->b == NULL)
		cat(buf, size, len, " bias=0");
}

/* maxpool2d, avgpool2d: (C, OH, OW) */
static int
pool_shape(struct net *n, struct net_layer *L, const struct cfg_layer *c,
    const char *where, int l)
{
	(void)n;
	if (window(L, c, where, l) == -1)
		return -1;
	L->out[0] = L->in[0];
	L->out[1] = L->win.OH;
	L->out[2] = L->win.OW;
	return 0;
}

/* y, and the index of each maximum in iact */
static long
maxpool_acts(struct net *n, struct net_layer *L, long off, long *aoff,
    int assign)
{
	long sz;

	sz = net_up16(n->max_batch * L->nout);
	if (assign) {
		L->y = n->act + off;
		L->arg = n->iact + *aoff;
	}
	*aoff += sz;
	return off + sz;
}

static long
avgpool_acts(struct net *n, struct net_layer *L, long off, long *aoff,
    int assign)
{
	(void)aoff;
	if (assign)
		L->y = n->act + off;
	return off + net_up16(n->max_batch * L->nout);
}

/* globalavgpool: (C, 1, 1), the mean of each plane */
static int
gap_shape(struct net *n, struct net_layer *L, const struct cfg_layer *c,
    const char *where, int l)
{
	(void)n;
	(void)c;
	(void)where;
	(void)l;
	L->out[0] = L->in[0];
	L->out[1] = L->out[2] = 1;
	return 0;
}

/* flatten: (C*H*W, 1, 1), the same floats */
static int
flatten_shape(struct net *n, struct net_layer *L, const struct cfg_layer *c,
    const char *where, int l)
{
	(void)n;
	(void)c;
	(void)where;
	(void)l;
	L->out[0] = L->nin;
	L->out[1] = L->out[2] = 1;
	return 0;
}

static int
flatten_through(const struct net_layer *L, int train)
{
	(void)L;
	(void)train;
	return 1;
}

/* batchnorm: the shape of its input; gamma and beta (C), the running
 * mean and variance (C) in state */
static int
bn_shape(struct net *n, struct net_layer *L, const struct cfg_layer *c,
    const char *where, int l)
{
	(void)l;
	if (c->activation != ACT_IDENTITY && c->activation != ACT_RELU)
		return err_set("%s: batchnorm's activation is identity or relu",
		    where);
	memcpy(L->out, L->in, sizeof L->out);
	L->np = 2 * L->in[0];
	L->ntensor = 4;
	n->nstate += 2 * L->in[0];
	return 0;
}

/* " activation=relu" when it has one */
static void
bn_describe(char *buf, size_t size, size_t *len, const struct net_layer *L)
{
	if (L->act != ACT_IDENTITY)
		dense_describe(buf, size, len, L);
}

/* y, the last training batch's mean and 1/std (C) and a scratch (2, C) */
static long
bn_acts(struct net *n, struct net_layer *L, long off, long *aoff,
    int assign)
{
	long sz;

	(void)aoff;
	sz = net_up16(n->max_batch * L->nout);
	if (assign) {
		L->y = n->act + off;
		L->bmean = n->act + off + sz;
		L->binvstd = L->bmean + net_up16(L->in[0]);
		L->coef = L->binvstd + net_up16(L->in[0]);
	}
	return off + sz + 2 * net_up16(L->in[0]) + net_up16(2 * L->in[0]);
}

static void
bn_params(struct net *n, struct net_layer *L, long *soff)
{
	long off, C;

	off = L->poff;
	C = L->in[0];
	L->w = n->param + off;		/* gamma (C) */
	L->dw = n->grad + off;
	L->b = L->w + C;		/* beta (C) */
	L->db = L->dw + C;
	L->rmean = n->state + *soff;	/* (C) */
	L->rvar = n->state + *soff + C;	/* (C) */
	L->tensor[0] = (struct net_tensor){ "weight", L->w, off, C, 1,
	    { C, 1, 1, 1 } };
	L->tensor[1] = (struct net_tensor){ "bias", L->b, off + C, C, 1,
	    { C, 1, 1, 1 } };
	L->tensor[2] = (struct net_tensor){ "running_mean", L->rmean,
	    n->nparam + *soff, C, 1, { C, 1, 1, 1 } };
	L->tensor[3] = (struct net_tensor){ "running_var", L->rvar,
	    n->nparam + *soff + C, C, 1, { C, 1, 1, 1 } };
	*soff += 2 * C;
}

/* gamma = 1, beta = 0, running mean 0 and variance 1 */
static void
bn_init(const struct net *n, struct net_layer *L, struct rng *g)
{
	long i;

	(void)n;
	(void)g;
	for (i = 0; i < L->in[0]; i++) {
		L->w[i] = 1;
		L->b[i] = 0;
		L->rmean[i] = 0;
		L->rvar[i] = 1;
	}
}

const struct net_type net_types[LAYER_NTYPES] = {
	[LAYER_DENSE] = { "dense", NT_WEIGHTS, dense_shape, dense_acts,
	    dense_params, dense_init, NULL, NULL, net_dense_forward,
	    net_dense_backward, dense_describe },
	[LAYER_DROPOUT] = { "dropout", 0, dropout_shape, dropout_acts, NULL,
	    NULL, dropout_through, NULL, net_dropout_forward,
	    net_dropout_backward, dropout_describe },
	[LAYER_CONV2D] = { "conv", NT_WEIGHTS | NT_SHARES, conv_shape,
	    conv_acts, conv_params, conv_init, NULL, NULL, net_conv_forward,
	    net_conv_backward, conv_describe },
	[LAYER_MAXPOOL2D] = { "maxpool", 0, pool_shape, maxpool_acts, NULL,
	    NULL, NULL, NULL, net_maxpool_forward, net_maxpool_backward,
	    window_describe },
	[LAYER_AVGPOOL2D] = { "avgpool", 0, pool_shape, avgpool_acts, NULL,
	    NULL, NULL, NULL, net_avgpool_forward, net_avgpool_backward,
	    window_describe },
	[LAYER_FLATTEN] = { "flatten", 0, flatten_shape, NULL, NULL, NULL,
	    flatten_through, NULL, NULL, NULL, NULL },
	[LAYER_BATCHNORM] = { "batchnorm", 0, bn_shape, bn_acts, bn_params,
	    bn_init, NULL, net_bn_check, net_bn_forward, net_bn_backward,
	    bn_describe },
	[LAYER_GLOBALAVGPOOL] = { "globalavgpool", 0, gap_shape, avgpool_acts,
	    NULL, NULL, NULL, NULL, net_gap_forward, net_gap_backward, NULL },
	[LAYER_BASICBLOCK] = { "basicblock", NT_WEIGHTS | NT_SHARES,
	    net_res_shape, net_res_acts, net_res_params, net_res_init, NULL,
	    net_res_check, net_res_forward, net_res_backward,
	    net_res_describe },
	[LAYER_BOTTLENECK] = { "bottleneck", NT_WEIGHTS | NT_SHARES,
	    net_res_shape, net_res_acts, net_res_params, net_res_init, NULL,
	    net_res_check, net_res_forward, net_res_backward,
	    net_res_describe },
};

/* ---- building -------------------------------------------------------- */

/* The parameters' first values, layer by layer, from the init stream. */
static void
init_params(struct net *n, uint64_t seed)
{
	struct net_layer *L;
	struct rng g;
	int l;

	rng_seed(&g, seed);
	for (l = 0; l < n->nlayer; l++) {
		L = &n->layer[l];
		if (net_types[L->type].init != NULL)
			net_types[L->type].init(n, L, &g);
	}
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
	const struct net_type *T;
	struct net_layer *L;
	int count[LAYER_NTYPES] = { 0 };
	long cur[3], np;
	int l, nweights;

	memcpy(cur, n->shape, sizeof cur);
	np = 0;
	nweights = 0;
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
		if (c->type < 0 || c->type >= LAYER_NTYPES)
			return err_set("%s: unknown layer type %d", where,
			    c->type);
		T = &net_types[c->type];
		if (T->shape == NULL)
			return err_set("%s: layer type %s is not implemented "
			    "yet", where, name_of(cfg_layer_names, c->type));
		if (T->shape(n, L, c, where, l) == -1)
			return -1;
		if (T->flags & NT_WEIGHTS)
			nweights++;
		if (!(L->lr_mult >= 0 && isfinite(L->lr_mult)))
			return err_set("%s: lr_mult must be 0 or more", where);
		L->nout = L->out[0] * L->out[1] * L->out[2];
		L->poff = np;
		np += L->np;
		if (np > NET_MAXPARAM)
			return err_set("%s: the model has more than 2^31 "
			    "parameters", where);
		if (L->nout > n->maxw)
			n->maxw = L->nout;
		memcpy(cur, L->out, sizeof cur);
		/* dense1, dropout1, dense2, conv1, ... */
		snprintf(L->name, sizeof L->name, "%s%d", T->prefix,
		    ++count[L->type]);
	}
	if (nweights == 0)
		return err_set("%s: the model has no dense or conv2d layer",
		    n->cfgfile[0] ? n->cfgfile : "model");
	n->nparam = np;
	n->nout = n->layer[n->nlayer - 1].nout;
	return check_output(n);
}

/*
 * The floats of act (returned), the ints of iact (n->narg) and the floats
 * of work (n->nwork); with assign, point the layers into them.  -1 if
 * act is larger than NET_MAXACT.
 */
static long
act_layout(struct net *n, int assign)
{
	struct net_layer *L;
	long off, aoff, mb;
	int l;

	mb = n->max_batch;
	off = aoff = 0;
	n->nwork = 0;
	for (l = 0; l < n->nlayer; l++) {
		L = &n->layer[l];
		if (net_types[L->type].acts != NULL)
			off = net_types[L->type].acts(n, L, off, &aoff,
			    assign);
		if (off > NET_MAXACT || aoff > NET_MAXACT)
			return -1;
	}
	if (assign) {
		n->g0 = n->act + off;
		n->g1 = n->act + off + net_up16(mb * n->maxw);
	}
	off += 2 * net_up16(mb * n->maxw);
	n->narg = aoff;
	return off > NET_MAXACT ? -1 : off;
}

/* Point the layers' parameters into param and grad, their running
 * statistics into state, and describe their tensors. */
static void
param_layout(struct net *n)
{
	struct net_layer *L;
	long soff;
	int l;

	soff = 0;
	for (l = 0; l < n->nlayer; l++) {
		L = &n->layer[l];
		L->toff = L->poff;
		L->tn = L->np;
		if (net_types[L->type].params != NULL)
			net_types[L->type].params(n, L, &soff);
	}
}

/* A layer as the file would give it: its type, the defaults of its keys. */
static struct cfg_layer *
deflayer(struct cfg_model *m, int type)
{
	struct cfg_layer *y;

	y = &m->layers[m->nlayers++];
	memset(y, 0, sizeof(*y));
	y->type = type;
	y->activation = ACT_IDENTITY;
	y->bias = 1;
	y->lr_mult = 1;
	return y;
}

void
net_default(struct cfg_model *m, int images, long K)
{
	struct cfg_layer *y;
	int i;

	m->nlayers = 0;
	if (images) {
		for (i = 0; i < 2; i++) {
			y = deflayer(m, LAYER_CONV2D);
			y->filters = 16 << i;
			y->kernel = 3;
			y->stride = 1;
			y->padding = -1;	/* same */
			y->activation = ACT_RELU;
			y = deflayer(m, LAYER_MAXPOOL2D);
			y->kernel = y->stride = 2;
		}
		deflayer(m, LAYER_GLOBALAVGPOOL);
	} else {
		y = deflayer(m, LAYER_DENSE);
		y->units = 256;
		y->activation = ACT_RELU;
	}
	y = deflayer(m, LAYER_DENSE);
	y->units = K;
}

int
net_plan(struct net *n, const struct cfg_model *m, const char *cfgfile,
    long d, const long shape[3], long K, int task, long max_batch)
{
	struct {
		struct cfg_model *m;	/* model.arch's layers */
		char	 name[CFG_MAXLAYERS][NET_NAMEMAX];
	} *names = NULL;
	int l;

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
	if (m->arch != ARCH_NONE) {
		if ((names = malloc(sizeof *names)) == NULL ||
		    (names->m = malloc(sizeof *names->m)) == NULL) {
			free(names);
			return err_set("net: out of memory");
		}
		if (net_res_arch(m, K, names->m, names->name) == -1) {
			free(names->m);
			free(names);
			return -1;
		}
		m = names->m;
	}
	if (m->nlayers < 1 || m->nlayers > CFG_MAXLAYERS) {
		if (names != NULL)
			free(names->m);
		free(names);
		return err_set("%s: the model has no layers",
		    n->cfgfile[0] ? n->cfgfile : "model");
	}
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
	for (l = 0; names != NULL && l < n->nlayer; l++)
		memcpy(n->layer[l].name, names->name[l], NET_NAMEMAX);
	if ((n->nact = act_layout(n, 0)) == -1) {
		err_set("net: the activations of %ld samples do not fit in "
		    "memory", max_batch);
		goto fail;
	}
	if (names != NULL)
		free(names->m);
	free(names);
	return 0;

fail:
	if (names != NULL)
		free(names->m);
	free(names);
	net_free(n);
	return -1;
}

double
net_bytes(const struct net *n, int threads)
{
	return ((2.0 * n->nparam + n->nact + n->nstate + (threads > 1 ?
	    threads : 1) * (double)n->nwork) * sizeof(float) +
	    (double)n->narg * sizeof(int32_t));
}

int
net_fits(double need, const char *what)
{
	struct rlimit rl;
	double have, as;
	long pages, psize;

	pages = sysconf(_SC_PHYS_PAGES);
	psize = sysconf(_SC_PAGESIZE);
	have = pages > 0 && psize > 0 ? (double)pages * psize : INFINITY;
	as = INFINITY;
	if (getrlimit(RLIMIT_AS, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
		as = (double)rl.rlim_cur;
	if (need <= have && need <= as)
		return 0;
	if (as < have)
		return err_set("%s: the model needs %.1f GB, this process may "
		    "use %.1f GB (ulimit -v)", what, need / 1e9, as / 1e9);
	return err_set("%s: the model needs %.1f GB, this machine has %.1f "
	    "GB", what, need / 1e9, have / 1e9);
}

int
net_create(struct net *n, const struct cfg_model *m, const char *cfgfile,
    long d, const long shape[3], long K, int task, long max_batch,
    uint64_t seed)
{
	if (net_plan(n, m, cfgfile, d, shape, K, task, max_batch) < 0)
		return -1;
	return net_alloc(n, seed);
}

int
net_alloc(struct net *n, uint64_t seed)
{
	if ((n->param = net_falloc(n->nparam)) == NULL ||
	    (n->grad = net_falloc(n->nparam)) == NULL ||
	    (n->act = net_falloc(n->nact)) == NULL ||
	    (n->state = net_falloc(n->nstate)) == NULL ||
	    (n->work = net_falloc(n->nwork)) == NULL ||
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

int
net_train_check(const struct net *n, long B)
{
	const struct net_layer *L;
	char where[CFG_MAXPATH + 64];
	long per;
	int l, s;

	for (l = 0; l < n->nlayer; l++) {
		/* the layer, or a block's own batchnorms (layer4.1.bn2) */
		for (s = -1; s < n->layer[l].nsub; s++) {
			L = s < 0 ? &n->layer[l] : &n->layer[l].sub[s];
			if (L->type != LAYER_BATCHNORM)
				continue;
			per = L->in[1] * L->in[2];
			if (B * per >= 2)
				continue;
			return err_set("%s: %s%s%s: a training batch of %ld "
			    "gives it %ld value per channel; it needs 2 or "
			    "more (raise train.batch_size)", net_where(n, l,
			    where, sizeof where), n->layer[l].name, s < 0 ?
			    "" : ".", s < 0 ? "" : L->name, B, B * per);
		}
	}
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
	if (n->dx == NULL && (n->dx = net_falloc(n->max_batch * n->d)) == NULL)
		return err_set("net: out of memory");
	return 0;
}

int
net_segments(const struct net *n, struct opt_seg *seg)
{
	const struct net_layer *L;
	int l, k;

	for (k = l = 0; l < n->nlayer; l++) {
		L = &n->layer[l];
		if (L->tn == 0 || L->freeze)
			continue;
		seg[k].off = L->toff;
		seg[k].n = L->tn;
		seg[k].lr_mult = L->lr_mult;
		k++;
	}
	return k;
}

int
net_share(struct net *n, long gidx, int (*sync)(double *v, long n))
{
	long C, l;

	n->gidx = gidx;
	n->sync = sync;
	if (sync == NULL || n->sbuf != NULL)
		return 0;
	/* the widest batchnorm, a block's own included */
	for (C = 0, l = 0; l < n->nlayer; l++) {
		const struct net_layer *L = &n->layer[l];
		long s;

		if (L->type == LAYER_BATCHNORM && L->in[0] > C)
			C = L->in[0];
		for (s = 0; s < L->nsub; s++)
			if (L->sub[s].type == LAYER_BATCHNORM &&
			    L->sub[s].in[0] > C)
				C = L->sub[s].in[0];
	}
	if ((n->sbuf = calloc((size_t)(2 * C + 1), sizeof(double))) == NULL)
		return err_set("net: out of memory");
	return 0;
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
			s += n->layer[l].tn;
	return s;
}

/* ---- describing ------------------------------------------------------ */

/* "C" or "CxHxW" */
static void
catshape(char *buf, size_t size, size_t *len, const long *s)
{
	if (s[1] == 1 && s[2] == 1)
		cat(buf, size, len, "%ld", s[0]);
	else
		cat(buf, size, len, "%ldx%ldx%ld", s[0], s[1], s[2]);
}

int
net_describe_layer(char *buf, size_t size, const struct net *n, int l)
{
	const struct net_layer *L;
	size_t len;

	L = &n->layer[l];
	len = 0;
	if (size > 0)
		buf[0] = '\0';
	cat(buf, size, &len, "name=%s type=%s in=", L->name,
	    name_of(cfg_layer_names, L->type));
	catshape(buf, size, &len, L->in);
	cat(buf, size, &len, " out=");
	catshape(buf, size, &len, L->out);
	if (net_types[L->type].describe != NULL)
		net_types[L->type].describe(buf, size, &len, L);
	cat(buf, size, &len, " params=%ld", L->np);
	if (L->freeze)
		cat(buf, size, &len, " freeze=1");
	if (L->lr_mult != 1)
		cat(buf, size, &len, " lr_mult=%g", L->lr_mult);
	return (int)len;
}

int
net_describe(char *buf, size_t size, const struct net *n)
{
	size_t len;

	len = 0;
	if (size > 0)
		buf[0] = '\0';
	cat(buf, size, &len, "layers=%d params=%ld trainable=%ld loss=%s "
	    "init=%s", n->nlayer, n->nparam, net_ntrainable(n),
	    name_of(cfg_loss_names, n->loss),
	    name_of(cfg_init_names, n->init));
	return (int)len;
}

int
net_summary(FILE *fp, const struct net *n)
{
	char buf[NET_DESCMAX];
	int l;

	for (l = 0; l < n->nlayer; l++) {
		net_describe_layer(buf, sizeof buf, n, l);
		fprintf(fp, "#@ layer %s\n", buf);
	}
	net_describe(buf, sizeof buf, n);
	fprintf(fp, "#@ model %s\n", buf);
	return ferror(fp) ? -1 : 0;
}
