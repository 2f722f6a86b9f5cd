/*
 * netres.c - the residual blocks of the net (see net.h), as torchvision's
 * ResNet builds them:
 *
 *	basicblock  conv1 3x3/s, bn1 relu, conv2 3x3, bn2; y = relu(bn2 +
 *		    shortcut); planes filters out
 *	bottleneck  conv1 1x1, bn1 relu, conv2 3x3/s, bn2 relu, conv3 1x1,
 *		    bn3; y = relu(bn3 + shortcut); 4 * planes out (the
 *		    stride on the 3x3, torchvision's "v1.5")
 *
 * The shortcut is the block's input, or, where the stride is not 1 or
 * the channels change, downsample.0 (a 1x1/s conv2d) and downsample.1 (a
 * batchnorm) on it.  No conv2d of a block has a bias.
 *
 * A block is one layer of the chain that owns its sub-layers (L->sub):
 * ordinary conv2d and batchnorm layers, their parameters inside the
 * block's range of param (so that the block is one segment for the
 * optimizer, one lr_mult, one freeze), their activations in act, gone
 * through with the conv2d and batchnorm kernels of netpass.c.  Its
 * tensors are named as torchvision's, "conv1.weight", "bn1.running_mean",
 * "downsample.0.weight", under the block's layer name ("layer1.0").
 *
 * Backward: dL/dy through the final relu is kept in gs (the shortcut's
 * gradient) while the main path goes down through g0 and g1; then the
 * shortcut's (through the downsample, or as it is) is added to the main
 * path's dL/dx, sample by sample on each thread.  The batchnorms of a
 * block do not update themselves in a fused backward: the block is
 * flagged NT_SHARES, and its whole range is added up over the threads
 * and updated once at the end (backward_share).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conv.h"
#include "err.h"
#include "netint.h"
#include "par.h"

/* The tensors' names by the sub-layer's part: conv1..3 and bn1..3 of the
 * main path, 3 for the downsample's. */
static const char *const conv_names[] = { "conv1.weight", "conv2.weight",
	"conv3.weight", "downsample.0.weight" };
static const char *const bn_names[][4] = {
	{ "bn1.weight", "bn1.bias", "bn1.running_mean", "bn1.running_var" },
	{ "bn2.weight", "bn2.bias", "bn2.running_mean", "bn2.running_var" },
	{ "bn3.weight", "bn3.bias", "bn3.running_mean", "bn3.running_var" },
	{ "downsample.1.weight", "downsample.1.bias",
	    "downsample.1.running_mean", "downsample.1.running_var" },
};
static const char *const sub_names[][2] = { { "conv1", "bn1" },
	{ "conv2", "bn2" }, { "conv3", "bn3" },
	{ "downsample.0", "downsample.1" } };

/* The part (0..3) of sub-layer i (a conv2d at even i, its batchnorm at
 * the odd i after it). */
static int
part(const struct net_layer *L, int i)
{
	return i >= L->nmain ? 3 : i / 2;
}

/*
 * Sub-layer i of L: a conv2d (filters, k x k, stride s, padding k/2, no
 * bias) or, with c NULL, a batchnorm (relu or not) on the sub-layer
 * before's output, or on the block's input for i 0 and the downsample's
 * conv2d.  Its offset in param is relative to the block's until
 * res_params.  0 or -1 with a message.
 */
static int
sub(struct net *n, struct net_layer *L, int i, long filters, long k, long s,
    int relu, const char *where, int l)
{
	struct net_layer *S, *P;
	struct cfg_layer c;

	S = &L->sub[i];
	P = i == 0 || i == L->nmain ? NULL : &L->sub[i - 1];
	memset(&c, 0, sizeof c);
	c.type = filters > 0 ? LAYER_CONV2D : LAYER_BATCHNORM;
	c.filters = filters;
	c.kernel = k;
	c.stride = s;
	c.padding = k / 2;
	c.bias = 0;
	c.activation = relu ? ACT_RELU : ACT_IDENTITY;
	c.lr_mult = L->lr_mult;
	S->type = c.type;
	S->act = c.activation;
	/* freeze 2 (model.freeze_to): the conv2d layers only */
	S->freeze = L->freeze == 2 ? c.type == LAYER_CONV2D : L->freeze;
	S->lr_mult = L->lr_mult;
	S->line = L->line;
	S->col = L->col;
	memcpy(S->in, P != NULL ? P->out : L->in, sizeof S->in);
	S->nin = S->in[0] * S->in[1] * S->in[2];
	snprintf(S->name, sizeof S->name, "%s", sub_names[part(L, i)][i & 1]);
	if (net_types[c.type].shape(n, S, &c, where, l) == -1)
		return -1;
	S->nout = S->out[0] * S->out[1] * S->out[2];
	L->np += S->np;
	L->ntensor += S->ntensor;
	if (S->nout > n->maxw)
		n->maxw = S->nout;
	return 0;
}

/* basicblock, bottleneck: the sub-layers; (planes, OH, OW) or (4 planes,
 * OH, OW) out */
int
net_res_shape(struct net *n, struct net_layer *L, const struct cfg_layer *c,
    const char *where, int l)
{
	long p, s, C, off;
	int i, e, nm, t;

	p = c->filters;
	s = c->stride;
	C = L->in[0];
	e = L->type == LAYER_BOTTLENECK ? 4 : 1;
	if (p < 1 || s < 1)
		return err_set("%s: layer %d (%s): filters and stride must be "
		    "1 or more", where, l + 1, L->type == LAYER_BOTTLENECK ?
		    "bottleneck" : "basicblock");
	nm = e == 4 ? 6 : 4;
	L->down = s != 1 || C != e * p;
	L->nmain = nm;
	L->nsub = nm + (L->down ? 2 : 0);
	/* one zeroed layer past the last: conv2d looks at the next */
	if ((L->sub = calloc((size_t)L->nsub + 1, sizeof *L->sub)) == NULL)
		return err_set("net: out of memory");
	L->np = 0;
	L->ntensor = 0;
	if (e == 1)
		i = sub(n, L, 0, p, 3, s, 0, where, l) == 0 &&
		    sub(n, L, 1, 0, 0, 0, 1, where, l) == 0 &&
		    sub(n, L, 2, p, 3, 1, 0, where, l) == 0 &&
		    sub(n, L, 3, 0, 0, 0, 0, where, l) == 0;
	else
		i = sub(n, L, 0, p, 1, 1, 0, where, l) == 0 &&
		    sub(n, L, 1, 0, 0, 0, 1, where, l) == 0 &&
		    sub(n, L, 2, p, 3, s, 0, where, l) == 0 &&
		    sub(n, L, 3, 0, 0, 0, 1, where, l) == 0 &&
		    sub(n, L, 4, e * p, 1, 1, 0, where, l) == 0 &&
		    sub(n, L, 5, 0, 0, 0, 0, where, l) == 0;
	if (i && L->down)
		i = sub(n, L, nm, e * p, 1, s, 0, where, l) == 0 &&
		    sub(n, L, nm + 1, 0, 0, 0, 0, where, l) == 0;
	if (!i)
		return -1;
	/* in param the conv2d weights, then the batchnorms' gamma and
	 * beta: those train on their own when the conv2d layers are
	 * frozen, one segment */
	for (off = 0, t = 0; t < 2; t++)
		for (i = 0; i < L->nsub; i++)
			if ((L->sub[i].type == LAYER_CONV2D) == (t == 0)) {
				L->sub[i].poff = off;
				off += L->sub[i].np;
			}
	L->partial = L->freeze == 2;
	L->freeze = L->freeze == 1;
	memcpy(L->out, L->sub[nm - 1].out, sizeof L->out);
	/* dL/dx of both paths in g0 and g1, even for the net's input */
	if (L->nin > n->maxw)
		n->maxw = L->nin;
	return 0;
}

/* the sub-layers', then y and gs (max_batch, nout) */
long
net_res_acts(struct net *n, struct net_layer *L, long off, long *aoff,
    int assign)
{
	struct net_layer *S;
	long sz;
	int i;

	for (i = 0; i < L->nsub; i++) {
		S = &L->sub[i];
		off = net_types[S->type].acts(n, S, off, aoff, assign);
		/* the output of the one before; the block's input (set by
		 * each forward) for conv1 and the downsample's conv2d */
		if (assign && i != 0 && i != L->nmain)
			S->x = L->sub[i - 1].y;
	}
	sz = net_up16(n->max_batch * L->nout);
	if (assign) {
		L->y = n->act + off;
		L->gs = n->act + off + sz;
	}
	return off + 2 * sz;
}

/* the sub-layers' tensors in the block's range, under their names */
void
net_res_params(struct net *n, struct net_layer *L, long *soff)
{
	struct net_layer *S;
	int i, j, k;

	L->w = n->param + L->poff;
	L->dw = n->grad + L->poff;
	L->toff = L->poff;
	L->tn = L->np;
	for (k = i = 0; i < L->nsub; i++) {
		S = &L->sub[i];
		S->poff += L->poff;
		net_types[S->type].params(n, S, soff);
		for (j = 0; j < S->ntensor; j++) {
			L->tensor[k] = S->tensor[j];
			L->tensor[k++].name = S->type == LAYER_CONV2D ?
			    conv_names[part(L, i)] : bn_names[part(L, i)][j];
		}
		/* the batchnorms' part, after the conv2d weights */
		if (L->partial && S->type == LAYER_CONV2D &&
		    S->poff + S->np > L->toff)
			L->toff = S->poff + S->np;
	}
	if (L->partial)
		L->tn = L->poff + L->np - L->toff;
}

void
net_res_init(const struct net *n, struct net_layer *L, struct rng *g)
{
	struct net_layer *S;
	int i;

	for (i = 0; i < L->nsub; i++) {
		S = &L->sub[i];
		net_types[S->type].init(n, S, g);
	}
}

/* Its batchnorms need two values per channel in training: the fewest are
 * at its output. */
int
net_res_check(const struct net_layer *L, int l, long B, int train)
{
	if (train && B * L->out[1] * L->out[2] < 2)
		return err_set("net: layer %d (%s): a training batch of one "
		    "value per channel has no variance", l + 1, L->name);
	return 0;
}

/*
 * The elementwise passes of a block over n values, in blocks of 16 with
 * a constant trip count and restrict pointers, so that the compiler
 * vectorises them at -O2 (the order of the operations is that of a plain
 * loop: the same values).
 */
#define RB	16

/* y = relu(m + s) (a relu that passes NaN, as torch's) */
static void
res_out(float *restrict y, const float *restrict m, const float *restrict s,
    long n)
{
	long i, j;
	float v;

	for (i = 0; i + RB <= n; i += RB)
		for (j = 0; j < RB; j++) {
			v = m[i + j] + s[i + j];
			y[i + j] = v < 0 ? 0 : v;
		}
	for (; i < n; i++) {
		v = m[i] + s[i];
		y[i] = v < 0 ? 0 : v;
	}
}

/* g = 0 where !(y > 0) (back through the final relu); gs = g */
static void
res_dy(float *restrict g, float *restrict gs, const float *restrict y,
    long n)
{
	long i, j;
	float v;

	for (i = 0; i + RB <= n; i += RB)
		for (j = 0; j < RB; j++) {
			v = y[i + j] > 0 ? g[i + j] : 0;
			g[i + j] = v;
			gs[i + j] = v;
		}
	for (; i < n; i++) {
		v = y[i] > 0 ? g[i] : 0;
		g[i] = v;
		gs[i] = v;
	}
}

/* g += d */
static void
res_add(float *restrict g, const float *restrict d, long n)
{
	long i, j;

	for (i = 0; i + RB <= n; i += RB)
		for (j = 0; j < RB; j++)
			g[i + j] += d[i + j];
	for (; i < n; i++)
		g[i] += d[i];
}

void
net_res_forward(struct fwd *f, struct net_layer *L, int l)
{
	struct net_layer *S;
	const float *x, *m, *s;
	int k;

	x = f->in;
	/* read by the conv2d's backward only, after this pass */
	if (f->t == 0) {
		L->sub[0].x = L->x;
		if (L->down)
			L->sub[L->nmain].x = L->x;
	}
	for (k = 0; k < L->nsub; k++) {
		S = &L->sub[k];
		if (k == L->nmain)
			f->in = x;
		if (S->type == LAYER_CONV2D)
			net_conv_forward(f, S, l);
		else
			net_bn_forward(f, S, l);
	}
	m = L->sub[L->nmain - 1].y;
	s = L->down ? L->sub[L->nsub - 1].y : x;
	/* y = relu(main + shortcut), this thread's samples (a relu that
	 * passes NaN, as torch's) */
	res_out(L->y + f->s0 * L->nout, m + f->s0 * L->nout,
	    s + f->s0 * L->nout, f->m * L->nout);
	f->dense = 0;
	f->in = L->y;
}

/* The g0 or g1 that is neither p nor q. */
static float *
spare(const struct net *n, const float *p, const float *q)
{
	return p != n->g0 && q != n->g0 ? n->g0 : n->g1;
}

/*
 * A block's batchnorm back: dy -> dx in place through its relu, each
 * thread its share of the channels (SyncBN: the relu on this thread's
 * rows, then all the channels on thread 0), its gradient in grad; no
 * update (the block's range is updated at the end of the backward).
 */
static void
bn_back(struct bwd *b, struct net_layer *S)
{
	struct net *n = b->n;
	long i, c0, c1;
	int below;

	below = b->below;
	b->below = 1;
	if (n->sync == NULL) {
		par_barrier(n->par);
		net_flush(b->a, &b->u);
		par_share(S->in[0], b->t, b->nt, 1, &c0, &c1);
		net_bn_back_part(b, S, c0, c1);
		par_barrier(n->par);
		b->below = below;
		return;
	}
	b->below = below;
	if (S->act == ACT_RELU)
		for (i = b->s0 * S->nout; i < b->s1 * S->nout; i++)
			if (!(S->y[i] > 0))
				b->g[i] = 0;
	par_barrier(n->par);
	net_flush(b->a, &b->u);
	if (b->t == 0) {
		if (b->fresh && !S->freeze) {
			memset(S->dw, 0, (size_t)S->in[0] * sizeof *S->dw);
			memset(S->db, 0, (size_t)S->in[0] * sizeof *S->db);
		}
		net_bn_sync_back(n, S, b->g, b->B, 1);
	}
	par_barrier(n->par);
}

void
net_res_backward(struct bwd *b, struct net_layer *L, int l)
{
	struct net *n = b->n;
	struct net_layer *S;
	float *g, *d;
	int k, below;

	below = b->below;
	/* its trainable part is added up over the threads and updated at
	 * the end of the backward (backward_share) */
	if (!L->freeze)
		b->conv = 1;
	g = b->g;	/* dL/dy (B, nout) */
	/* through the final relu; gs keeps it for the shortcut */
	res_dy(g + b->s0 * L->nout, L->gs + b->s0 * L->nout,
	    L->y + b->s0 * L->nout, b->m * L->nout);
	for (k = L->nmain - 1; k >= 0; k--) {
		S = &L->sub[k];
		if (S->type == LAYER_BATCHNORM) {
			bn_back(b, S);
			continue;
		}
		b->other = spare(n, b->g, NULL);
		b->below = k > 0 || below;
		net_conv_backward(b, S, l);
	}
	g = b->g;	/* dL/dx (B, nin) of the main path, if below */
	if (L->down) {
		b->g = L->gs;
		bn_back(b, &L->sub[L->nsub - 1]);
		b->other = spare(n, g, NULL);
		b->below = below;
		net_conv_backward(b, &L->sub[L->nmain], l);
		d = b->g;
	} else
		d = L->gs;
	b->g = g;
	b->below = below;
	if (!below)
		return;
	/* this thread's rows, which its own passes wrote */
	res_add(g + b->s0 * L->nin, d + b->s0 * L->nin, b->m * L->nin);
}

/* " filters=64 stride=1" and the downsample */
void
net_res_describe(char *buf, size_t size, size_t *len,
    const struct net_layer *L)
{
	int k;

	k = snprintf(*len < size ? buf + *len : NULL, *len < size ?
	    size - *len : 0, " filters=%ld stride=%ld%s", L->sub[0].out[0],
	    L->sub[L->nmain == 6 ? 2 : 0].win.s, L->down ? " downsample=1" :
	    "");
	if (k > 0)
		*len += (size_t)k;
	k = 0;
	if (L->partial)		/* its conv2d layers frozen, not the rest */
		k = snprintf(*len < size ? buf + *len : NULL, *len < size ?
		    size - *len : 0, " freeze=conv2d");
	if (k > 0)
		*len += (size_t)k;
}

/* ---- model.arch ------------------------------------------------------ */

/* A layer of type t appended to x, named nm. */
static struct cfg_layer *
put(struct cfg_model *x, char (*names)[NET_NAMEMAX], int t, const char *nm)
{
	struct cfg_layer *c;

	c = &x->layers[x->nlayers];
	snprintf(names[x->nlayers++], NET_NAMEMAX, "%s", nm);
	memset(c, 0, sizeof *c);
	c->type = t;
	c->activation = ACT_IDENTITY;
	c->lr_mult = 1;
	c->stride = 1;
	return c;
}

/* Layer c of stage st (0 the stem, 1..4 layer1..layer4, 5 fc): its
 * lr_mult, and frozen (2: but for its batchnorms) up to freeze_to. */
static void
stage(const struct cfg_model *m, struct cfg_layer *c, int st)
{
	c->lr_mult = m->stage_lr_mult[st];
	if (st < 5 && st + 1 <= m->freeze_to)
		c->freeze = m->freeze_bn || c->type == LAYER_CONV2D ? 1 : 2;
}

int
net_res_arch(const struct cfg_model *m, long K, struct cfg_model *x,
    char (*names)[NET_NAMEMAX])
{
	static const int depth[][4] = { { 0 }, { 2, 2, 2, 2 },
		{ 3, 4, 6, 3 }, { 3, 4, 6, 3 } };
	struct cfg_layer *c;
	char nm[NET_NAMEMAX];
	int s, b, t;

	if (m->arch <= ARCH_NONE || m->arch > ARCH_RESNET50)
		return err_set("model: unknown arch %d", m->arch);
	memset(x, 0, sizeof *x);
	x->loss = m->loss;
	x->init = m->init;
	t = m->arch == ARCH_RESNET50 ? LAYER_BOTTLENECK : LAYER_BASICBLOCK;
	/* the stem: 7x7/2 conv, batchnorm, relu, 3x3/2 max pooling */
	c = put(x, names, LAYER_CONV2D, "conv1");
	c->filters = 64;
	c->kernel = 7;
	c->stride = 2;
	c->padding = 3;
	put(x, names, LAYER_BATCHNORM, "bn1")->activation = ACT_RELU;
	c = put(x, names, LAYER_MAXPOOL2D, "maxpool");
	c->kernel = 3;
	c->stride = 2;
	c->padding = 1;
	for (s = 0; s < 4; s++)
		for (b = 0; b < depth[m->arch][s]; b++) {
			snprintf(nm, sizeof nm, "layer%d.%d", s + 1, b);
			c = put(x, names, t, nm);
			c->filters = 64L << s;
			c->stride = s > 0 && b == 0 ? 2 : 1;
			stage(m, c, s + 1);
		}
	put(x, names, LAYER_GLOBALAVGPOOL, "avgpool");
	c = put(x, names, LAYER_DENSE, "fc");
	c->units = K;
	stage(m, c, 5);
	stage(m, &x->layers[0], 0);
	stage(m, &x->layers[1], 0);
	/* the stem's batchnorm has no conv2d of its own to freeze */
	if (x->layers[1].freeze == 2)
		x->layers[1].freeze = 0;
	return 0;
}
