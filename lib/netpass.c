/*
 * netpass.c - the forward and backward passes of the net (see net.h) on
 * its team of threads, the losses, and the optimizer's update fused into
 * the backward.
 *
 * Each thread takes its share of the batch up through every layer and
 * back down; the threads meet only where a layer needs the whole batch
 * (a dense layer's units are split instead of its samples; batchnorm in
 * training shares out its channels, each with the statistics of the
 * whole batch; dropout's mask stream).  Each layer type's way forward and
 * back is a function of its own, called through its row of net_types[]
 * (net.c); the work is in blas_sgemm and the kernels of lib/conv.c and
 * netact.c.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "blas.h"
#include "conv.h"
#include "err.h"
#include "netint.h"
#include "par.h"
#include "wino.h"

/* splitmix64's finaliser: a 64-bit hash of x. */
static inline uint64_t
mix(uint64_t x)
{
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

/*
 * y (B, n) = x * mask, with a new mask: 0 with probability p, else
 * 1/(1-p).  Element k of the global batch (its sample's global index
 * times nout plus its unit) of layer l is kept when 32 bits of
 * mix(key(l) + k * golden) are at or above p * 2^32: a function of the
 * forward's key, l and k only, whatever the split of the batch.
 */
static void
dropout_forward(struct net *n, struct net_layer *L, int l, const float *x,
    long B)
{
	uint64_t key, k0;
	uint32_t thr, u;
	float keep;
	long i, cnt;

	thr = (uint32_t)((double)L->rate * 4294967296.0);
	keep = 1 / (1 - L->rate);
	cnt = B * L->nout;
	key = mix(n->fkey ^ mix((uint64_t)l + 1));
	k0 = (uint64_t)n->gidx * (uint64_t)L->nout;
	for (i = 0; i < cnt; i++) {
		u = (uint32_t)(mix(key + (k0 + (uint64_t)i) *
		    0x9e3779b97f4a7c15ULL) >> 32);
		L->mask[i] = u < thr ? 0 : keep;
	}
	for (i = 0; i < cnt; i++)
		L->y[i] = x[i] * L->mask[i];
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
 * The work block of a Winograd conv2d for chunks of L->nb samples:
 * V (16, C, T), M (16, F, T), T (F, nb*P), dU (16, F, C) and the
 * transforms' scratch, T = nb * tiles (net.c's conv_acts sizes it).
 */
static void
wconv_work(const struct net_layer *L, float *work, float **V, float **M,
    float **t, float **dU, float **s)
{
	long nt;

	nt = wino_tiles(L->win.H, L->win.W) * L->nb;
	*V = work;
	*M = *V + 16 * wino_stride(L->in[0] * nt);
	*t = *M + 16 * wino_stride(L->out[0] * nt);
	*dU = *t + net_up16(L->out[0] * L->nb * L->win.H * L->win.W);
	*s = *dU + 16 * wino_stride(L->out[0] * L->in[0]);
}

/*
 * conv_forward by Winograd's F(2x2,3x3) (lib/wino.h), with the
 * transformed weights U in L->wu (net_conv_forward's): per chunk the
 * input tiles' transform V, 16 sgemms M_xi = U_xi V_xi, the output
 * transform into T and the epilogue as im2col's.
 */
static void
wconv_forward(struct net_layer *L, const float *x, long s0, long s1,
    float *work, const struct net_layer *Q)
{
	long C, F, H, W, P, T, su, sv, sm, nb, b0, w, xi;
	float *V, *M, *t, *dU, *s;

	C = L->in[0];
	F = L->out[0];
	H = L->win.H;
	W = L->win.W;
	P = H * W;
	su = wino_stride(F * C);
	nb = chunk(L, s1 - s0);
	wconv_work(L, work, &V, &M, &t, &dU, &s);
	for (b0 = s0; b0 < s1; b0 += w) {
		w = s1 - b0 < nb ? s1 - b0 : nb;
		T = w * wino_tiles(H, W);
		sv = wino_stride(C * T);
		sm = wino_stride(F * T);
		wino_input(V, s, x + b0 * L->nin, w, C, H, W);
		for (xi = 0; xi < 16; xi++)
			/* M_xi (F, T) = U_xi (F, C) V_xi (C, T) */
			blas_sgemm(BLAS_N, BLAS_N, F, T, C, 1,
			    L->wu + xi * su, C, V + xi * sv, T, 0,
			    M + xi * sm, T);
		wino_output(t, s, M, F, w, H, W);
		net_conv_epilogue(L->y, L->z, L->phi, b0 * L->nout, t, L->b, w,
		    F, P, L->act, Q, b0);
	}
}

/*
 * conv_backward by Winograd's F(2x2,3x3), every step the transpose of
 * a linear map of wconv_forward, in reverse order: from dT, dM = A dT A^T
 * (wino_output_adj); for the weights dU_xi += dM_xi V_xi^T (V
 * recomputed) over the chunks, then dW += G^T dU G (wino_weights_adj);
 * for the input dV_xi = U_xi^T dM_xi (in V's place) and dx = the sum of
 * B dV B^T over the overlapping tiles (wino_input_adj).  The dx of the
 * transposes is the flipped-filter convolution of dT (the textbook form
 * of a 3x3 stride-1 convolution's input gradient), sharing dM with the
 * weights' gradient instead of transforming dT a second time, and it is
 * the exact gradient of the forward's rounded Winograd maps.
 */
static void
wconv_backward(struct net_layer *L, float *dw, float *db, float *dx,
    const float *g, const struct net_layer *Q, long s0, long s1,
    float *work)
{
	long C, F, H, W, P, T, su, sv, sm, nb, b0, w, xi;
	float *V, *M, *dt, *dU, *s;
	int first;

	C = L->in[0];
	F = L->out[0];
	H = L->win.H;
	W = L->win.W;
	P = H * W;
	su = wino_stride(F * C);
	nb = chunk(L, s1 - s0);
	wconv_work(L, work, &V, &M, &dt, &dU, &s);
	first = 1;
	for (b0 = s0; b0 < s1; b0 += w) {
		w = s1 - b0 < nb ? s1 - b0 : nb;
		T = w * wino_tiles(H, W);
		sv = wino_stride(C * T);
		sm = wino_stride(F * T);
		if (Q != NULL)
			pool_dact(dt, g, Q, b0, db, w, F, P);
		else
			net_conv_dact(dt, g, L->y, L->z, L->phi,
			    b0 * L->nout, db, w, F, P, L->act);
		wino_output_adj(M, s, dt, F, w, H, W);
		if (dw != NULL) {
			wino_input(V, s, L->x + b0 * L->nin, w, C, H, W);
			for (xi = 0; xi < 16; xi++)
				/* dU_xi (F, C) += dM_xi (F, T) V_xi^T */
				blas_sgemm(BLAS_N, BLAS_T, F, C, T, 1,
				    M + xi * sm, T, V + xi * sv, T,
				    first ? 0 : 1, dU + xi * su, C);
			first = 0;
		}
		if (dx != NULL) {
			for (xi = 0; xi < 16; xi++)
				/* dV_xi (C, T) = U_xi^T dM_xi (F, T) */
				blas_sgemm(BLAS_T, BLAS_N, C, T, F, 1,
				    L->wu + xi * su, C, M + xi * sm, T,
				    0, V + xi * sv, T);
			wino_input_adj(dx + b0 * L->nin, s, V, w, C, H, W);
		}
	}
	if (dw != NULL)
		wino_weights_adj(dw, dU, F, C);
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
	if (L->wino) {
		wconv_forward(L, x, s0, s1, work, Q);
		return;
	}
	F = L->out[0];
	P = g->OH * g->OW;
	kk = g->C * g->k * g->k;
	nb = chunk(L, s1 - s0);
	cols = work;				/* (kk, w*P) */
	t = work + net_up16(kk * L->nb * P);	/* (F, w*P) */
	for (b0 = s0; b0 < s1; b0 += w) {
		w = s1 - b0 < nb ? s1 - b0 : nb;
		conv_im2col(cols, w * P, x + b0 * L->nin, w, g);
		/* T (F, w*P) = W (F, kk) cols (kk, w*P) */
		blas_sgemm(BLAS_N, BLAS_N, F, w * P, kk, 1, L->w, kk, cols,
		    w * P, 0, t, w * P);
		net_conv_epilogue(L->y, L->z, L->phi, b0 * L->nout, t, L->b, w,
		    F, P, L->act, Q, b0);
	}
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
	if (L->wino) {
		wconv_backward(L, dw, db, dx, g, Q, s0, s1, work);
		return;
	}
	F = L->out[0];
	P = g0->OH * g0->OW;
	kk = g0->C * g0->k * g0->k;
	nb = chunk(L, s1 - s0);
	cols = work;
	dt = work + net_up16(kk * L->nb * P);
	for (b0 = s0; b0 < s1; b0 += w) {
		w = s1 - b0 < nb ? s1 - b0 : nb;
		if (Q != NULL)
			pool_dact(dt, g, Q, b0, db, w, F, P);
		else
			net_conv_dact(dt, g, L->y, L->z, L->phi,
			    b0 * L->nout, db, w, F, P, L->act);
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
/*
 * SyncBN: the mean (C) and squared deviations ssd (C) of this process's
 * cnt values per channel become the global batch's (Chan's pairwise
 * formula in double: sum = cnt mean and ssd + cnt mean^2 are summed over
 * the processes, ssd = sum of squares - N mean^2), *cnt the global count.
 */
static int
bn_sync_stats(struct net *n, long C, float *mean, float *ssd, double *cnt)
{
	double *s, N, mu, q;
	long c;

	s = n->sbuf;
	for (c = 0; c < C; c++) {
		s[c] = *cnt * mean[c];
		s[C + c] = ssd[c] + *cnt * (double)mean[c] * mean[c];
	}
	s[2 * C] = *cnt;
	if (n->sync(s, 2 * C + 1) < 0)
		return -1;
	N = s[2 * C];
	for (c = 0; c < C; c++) {
		mu = s[c] / N;
		q = s[C + c] - N * mu * mu;
		mean[c] = (float)mu;
		ssd[c] = (float)(q > 0 ? q : 0);
	}
	*cnt = N;
	return 0;
}

/*
 * The coefficients of channel c, y = a x + b: from the running
 * statistics, or in training from the batch's (its mean in bmean and
 * squared deviations ssd over cnt values; the running ones updated).
 */
static void
bn_coef(struct net_layer *L, long c, int train, const float *ssd,
    double cnt)
{
	const double m = NET_BN_MOMENTUM;
	float *a, *b;
	double var;

	a = L->coef;
	b = L->coef + L->in[0];
	if (!train) {
		a[c] = (float)(L->w[c] / sqrt((double)L->rvar[c] +
		    NET_BN_EPS));
		b[c] = L->b[c] - L->rmean[c] * a[c];
		return;
	}
	var = ssd[c] / cnt;
	L->binvstd[c] = (float)(1 / sqrt(var + NET_BN_EPS));
	L->rmean[c] = (float)(m * L->bmean[c] + (1 - m) * L->rmean[c]);
	L->rvar[c] = (float)(m * (ssd[c] / (cnt - 1)) + (1 - m) *
	    L->rvar[c]);
	a[c] = L->binvstd[c] * L->w[c];
	b[c] = L->b[c] - L->bmean[c] * a[c];
}

/*
 * batchnorm forward in training of the channels [c0, c1) of x (B, C, P),
 * one channel at a time while its values are in cache: its batch
 * statistics, y = a x + b and the relu.  SyncBN (n->sync) needs every
 * channel's statistics at once: then the call is for all of them.
 */
static int
bn_forward(struct net *n, struct net_layer *L, const float *x, long B,
    long c0, long c1)
{
	float *ssd;
	double cnt;
	long C, P, c;
	int relu;

	C = L->in[0];
	P = L->in[1] * L->in[2];
	ssd = L->coef + C;	/* b's place, until b is computed */
	cnt = (double)B * P;
	relu = L->act == ACT_RELU;
	if (n->sync != NULL) {
		conv_bn_stats(L->bmean, ssd, x, B, C, P);
		if (bn_sync_stats(n, C, L->bmean, ssd, &cnt) < 0)
			return -1;
		for (c = 0; c < C; c++)
			bn_coef(L, c, 1, ssd, cnt);
		conv_bn_apply_part(L->y, x, L->coef, L->coef + C, B, C, P, 0,
		    C, relu);
		return 0;
	}
	for (c = c0; c < c1; c++) {
		conv_bn_stats_part(L->bmean, ssd, x, B, C, P, c, c + 1);
		bn_coef(L, c, 1, ssd, cnt);
		conv_bn_apply_part(L->y, x, L->coef, L->coef + C, B, C, P, c,
		    c + 1, relu);
	}
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

/* Whether layer L hands its input on unchanged (flatten; a dropout that
 * drops nothing now). */
static int
through(const struct net_layer *L, int train)
{
	return net_types[L->type].through != NULL &&
	    net_types[L->type].through(L, train);
}

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

void
net_flush(const struct pass *a, struct deferred *u)
{
	flush(a, u);
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

/* ---- each type's way forward and back ------------------------------- */

/*
 * dense forward: Y = X W^T, split by units (columns of Y): one sgemm of
 * the whole batch against this thread's rows of W runs faster than a
 * share of the batch against all of W; the input rows of every thread
 * must be done.
 */
void
net_dense_forward(struct fwd *f, struct net_layer *L, int l)
{
	long j0, j1;

	(void)l;
	par_barrier(f->n->par);
	par_share(L->nout, f->t, f->nt, 16, &j0, &j1);
	if (j1 > j0) {
		blas_sgemm(BLAS_N, BLAS_T, f->a->B, j1 - j0, L->nin, 1, f->in,
		    L->nin, L->w + j0 * L->nin, L->nin, 0, L->y + j0,
		    L->nout);
		net_dense_epilogue(L->y + j0, at(L->z, j0), at(L->phi, j0),
		    L->b + j0, f->a->B, j1 - j0, L->nout, L->act);
	}
	f->dense = 1;
	f->in = L->y;
}

/*
 * dense backward: dZ = dY * act'(Z) on this thread's rows; after a
 * barrier dW += dZ^T X and db += the column sums of dZ for this thread's
 * units; then dX = dZ W on its rows.
 */
void
net_dense_backward(struct bwd *b, struct net_layer *L, int l)
{
	struct net *n = b->n;
	const float *gr;
	float *g = b->g;
	long j0, j1, i, j;

	(void)l;
	net_dense_dact(g + b->s0 * L->nout, L->y + b->s0 * L->nout,
	    at(L->z, b->s0 * L->nout), at(L->phi, b->s0 * L->nout), NULL,
	    b->m, L->nout, L->act);
	par_barrier(n->par);
	flush(b->a, &b->u);
	if (!L->freeze) {
		par_share(L->nout, b->t, b->nt, 16, &j0, &j1);
		if (j1 > j0)
			blas_sgemm(BLAS_T, BLAS_N, j1 - j0, L->nin, b->B, 1,
			    g + j0, L->nout, L->x, L->nin, b->fresh ? 0 : 1,
			    L->dw + j0 * L->nin, L->nin);
		if (b->fresh)
			for (j = j0; j < j1; j++)
				L->db[j] = 0;
		for (i = 0; i < b->B; i++) {
			gr = g + i * L->nout;
			for (j = j0; j < j1; j++)
				L->db[j] += gr[j];
		}
		/* W is read by dX below, by every thread: its update waits
		 * for the next barrier */
		b->u.off[0] = L->poff + j0 * L->nin;
		b->u.n[0] = (j1 - j0) * L->nin;
		b->u.off[1] = L->poff + L->nout * L->nin + j0;
		b->u.n[1] = j1 - j0;
		b->u.pending = 1;
		if (!b->below)
			flush(b->a, &b->u);
	}
	if (b->below) {
		/* dX = dZ W, this thread's rows */
		if (b->m > 0)
			blas_sgemm(BLAS_N, BLAS_N, b->m, L->nin, L->nout, 1,
			    g + b->s0 * L->nout, L->nout, L->w, L->nin, 0,
			    b->other + b->s0 * L->nin, L->nin);
		b->g = b->other;
	}
}

/* dropout forward, in training: the mask of the whole batch, drawn by
 * thread 0 */
void
net_dropout_forward(struct fwd *f, struct net_layer *L, int l)
{
	if (!(f->a->train && L->rate > 0))
		return;
	par_barrier(f->n->par);
	if (f->t == 0)
		dropout_forward(f->n, L, l, f->in, f->a->B);
	par_barrier(f->n->par);
	f->dense = 0;
	f->in = L->y;
}

/* dropout backward: dX = dY * mask, in place */
void
net_dropout_backward(struct bwd *b, struct net_layer *L, int l)
{
	long i;

	(void)l;
	if (L->rate > 0)
		for (i = b->s0 * L->nout; i < b->s1 * L->nout; i++)
			b->g[i] *= L->mask[i];
}

/*
 * A layer that works sample by sample on a dense layer's output (a 1x1
 * input: (units, 1, 1)) reads every column of it, which the threads
 * wrote in shares: they must all be done.
 */
static void
dense_done(struct fwd *f)
{
	if (f->dense) {
		par_barrier(f->n->par);
		f->dense = 0;
	}
}

/* conv2d forward: a pooling layer above pools each plane as the
 * epilogue writes it */
void
net_conv_forward(struct fwd *f, struct net_layer *L, int l)
{
	dense_done(f);
	f->Q = l + 1 < f->n->nlayer && (L[1].type == LAYER_MAXPOOL2D ||
	    L[1].type == LAYER_AVGPOOL2D) ? L + 1 : NULL;
	if (L->wino) {
		/* U = the transformed weights, each thread its filters;
		 * kept for the backward's dx */
		long f0, f1;

		par_share(L->out[0], f->t, f->nt, 1, &f0, &f1);
		wino_weights(L->wu, L->w, L->out[0], L->in[0], f0, f1);
		par_barrier(f->n->par);
	}
	conv_forward(L, f->in, f->s0, f->s1, f->work, f->Q);
	f->in = L->y;
}

/* conv2d backward: its weight gradient summed per thread (thread 0 into
 * grad, the others into their pgrad shares; backward_share adds them) */
void
net_conv_backward(struct bwd *b, struct net_layer *L, int l)
{
	struct net *n = b->n;
	float *dw, *db;

	(void)l;
	par_barrier(n->par);
	flush(b->a, &b->u);
	dw = db = NULL;
	if (!L->freeze) {
		dw = b->t == 0 ? L->dw : n->pgrad + (b->t - 1) * n->nparam +
		    L->poff;
		db = L->b != NULL ? dw + (L->db - L->dw) : NULL;
		if (b->t > 0 || b->fresh)
			memset(dw, 0, (size_t)L->np * sizeof *dw);
		b->conv = 1;
	}
	if (b->below) {
		conv_backward(L, b->g, b->Q, dw, db, b->other, b->s0, b->s1,
		    b->work);
		b->g = b->other;
	} else
		conv_backward(L, b->g, b->Q, dw, db, NULL, b->s0, b->s1,
		    b->work);
	b->Q = NULL;
}

void
net_maxpool_forward(struct fwd *f, struct net_layer *L, int l)
{
	(void)l;
	dense_done(f);
	if (f->Q != L)
		conv_maxpool(L->y + f->s0 * L->nout, L->arg + f->s0 * L->nout,
		    f->in + f->s0 * L->nin, f->m * L->in[0], &L->win);
	f->in = L->y;
}

void
net_maxpool_backward(struct bwd *b, struct net_layer *L, int l)
{
	par_barrier(b->n->par);
	flush(b->a, &b->u);
	if (fusable(b->n, l)) {
		/* the conv2d below takes g through us */
		b->Q = L;
		return;
	}
	conv_maxpool_back(b->other + b->s0 * L->nin, b->g + b->s0 * L->nout,
	    L->arg + b->s0 * L->nout, b->m * L->in[0], &L->win);
	b->g = b->other;
}

void
net_avgpool_forward(struct fwd *f, struct net_layer *L, int l)
{
	(void)l;
	dense_done(f);
	if (f->Q != L)
		conv_avgpool(L->y + f->s0 * L->nout, f->in + f->s0 * L->nin,
		    f->m * L->in[0], &L->win);
	f->in = L->y;
}

void
net_avgpool_backward(struct bwd *b, struct net_layer *L, int l)
{
	(void)l;
	par_barrier(b->n->par);
	flush(b->a, &b->u);
	conv_avgpool_back(b->other + b->s0 * L->nin, b->g + b->s0 * L->nout,
	    b->m * L->in[0], &L->win);
	b->g = b->other;
}

/* globalavgpool forward: each plane's mean, summed in double (so that
 * the sum's rounding stays below the float result's) */
void
net_gap_forward(struct fwd *f, struct net_layer *L, int l)
{
	const float *x;
	float *y;
	double s;
	long i, P, p;

	(void)l;
	P = L->in[1] * L->in[2];
	x = f->in + f->s0 * L->nin;
	y = L->y + f->s0 * L->nout;
	for (i = 0; i < f->m * L->in[0]; i++, x += P) {
		for (s = 0, p = 0; p < P; p++)
			s += x[p];
		y[i] = (float)(s / (double)P);
	}
	f->in = L->y;
}

/* globalavgpool backward: dx = dy / (H*W) over the plane */
void
net_gap_backward(struct bwd *b, struct net_layer *L, int l)
{
	const float *g;
	float *dx, v;
	long i, P, p;

	(void)l;
	par_barrier(b->n->par);
	flush(b->a, &b->u);
	P = L->in[1] * L->in[2];
	g = b->g + b->s0 * L->nout;
	dx = b->other + b->s0 * L->nin;
	for (i = 0; i < b->m * L->in[0]; i++, dx += P) {
		v = g[i] / (float)P;
		for (p = 0; p < P; p++)
			dx[p] = v;
	}
	b->g = b->other;
}

/*
 * batchnorm forward, and its relu.  In training the threads share the
 * channels out, each of which needs the whole batch (SyncBN: thread 0
 * does all of them); in evaluation they share out the coefficients, then
 * each applies them to its own samples.
 */
void
net_bn_forward(struct fwd *f, struct net_layer *L, int l)
{
	struct net *n = f->n;
	long C, c, c0, c1;

	(void)l;
	C = L->in[0];
	par_share(C, f->t, f->nt, 1, &c0, &c1);
	if (f->a->train) {
		par_barrier(n->par);
		if (n->sync == NULL)
			bn_forward(n, L, f->in, f->a->B, c0, c1);
		else if (f->t == 0)
			bn_forward(n, L, f->in, f->a->B, 0, C);
	} else {
		for (c = c0; c < c1; c++)
			bn_coef(L, c, 0, NULL, 0);
	}
	/* training: all the channels done; evaluation: all coefficients
	 * (and the rows of a dense layer below) */
	par_barrier(n->par);
	if (!f->a->train)
		conv_bn_apply_part(L->y + f->s0 * L->nout, f->in + f->s0 *
		    L->nin, L->coef, L->coef + C, f->m, C, L->in[1] *
		    L->in[2], 0, C, L->act == ACT_RELU);
	f->dense = 0;
	f->in = L->y;
}

/*
 * SyncBN's backward of B samples: dgamma and dbeta from this process's
 * sums (the caller sums the gradients over the processes), dx from the
 * sums over all of them.
 */
void
net_bn_sync_back(struct net *n, struct net_layer *L, float *g, long B,
    int below)
{
	double *sdy, *sdx;
	long C, P, c;

	C = L->in[0];
	P = L->in[1] * L->in[2];
	sdy = n->sbuf;
	sdx = n->sbuf + C;
	conv_bn_sums(g, L->x, L->bmean, B, C, P, sdy, sdx);
	if (!L->freeze)
		for (c = 0; c < C; c++) {
			L->dw[c] += (float)(sdx[c] * L->binvstd[c]);
			L->db[c] += (float)sdy[c];
		}
	if (!below)
		return;
	sdy[2 * C] = (double)B * P;
	if (n->sync(n->sbuf, 2 * C + 1) < 0)
		return;
	conv_bn_dx(g, L->x, L->bmean, L->binvstd, L->w, sdy, sdx, sdy[2 * C],
	    B, C, P);
}

/*
 * The batchnorm backward of the channels [c0, c1) of sub-layer or layer
 * L (see net_bn_backward): g from dy to dx in place, through its relu
 * first, its gradient in grad.
 */
void
net_bn_back_part(struct bwd *b, struct net_layer *L, long c0, long c1)
{
	long C = L->in[0];

	if (b->fresh && !L->freeze && c1 > c0) {
		memset(L->dw + c0, 0, (size_t)(c1 - c0) * sizeof *L->dw);
		memset(L->db + c0, 0, (size_t)(c1 - c0) * sizeof *L->db);
	}
	conv_bn_back_part(b->g, L->freeze ? NULL : L->dw,
	    L->freeze ? NULL : L->db, L->x, L->act == ACT_RELU ? L->y : NULL,
	    L->bmean, L->binvstd, L->w, b->B, C, L->in[1] * L->in[2],
	    b->below, c0, c1);
}

/*
 * batchnorm backward: in place, dy -> dx (through its relu first), each
 * thread its share of the channels, then their update (SyncBN: thread 0
 * all of them, as the statistics of every process are needed at once)
 */
void
net_bn_backward(struct bwd *b, struct net_layer *L, int l)
{
	struct net *n = b->n;
	long i, C, c0, c1;

	(void)l;
	C = L->in[0];
	par_barrier(n->par);
	flush(b->a, &b->u);
	if (n->sync == NULL) {
		par_share(C, b->t, b->nt, 1, &c0, &c1);
		net_bn_back_part(b, L, c0, c1);
		/* gamma and beta of these channels, read by no one else */
		if (b->a->o != NULL && !L->freeze) {
			opt_update_at(b->a->o, n->param, n->grad, b->a->lr,
			    L->poff + c0, c1 - c0);
			opt_update_at(b->a->o, n->param, n->grad, b->a->lr,
			    L->poff + C + c0, c1 - c0);
		}
	} else if (b->t == 0) {
		if (L->act == ACT_RELU)
			for (i = 0; i < b->B * L->nout; i++)
				if (!(L->y[i] > 0))
					b->g[i] = 0;
		if (b->fresh && !L->freeze) {
			memset(L->dw, 0, (size_t)C * sizeof *L->dw);
			memset(L->db, 0, (size_t)C * sizeof *L->db);
		}
		net_bn_sync_back(n, L, b->g, b->B, b->below);
		if (b->a->o != NULL && !L->freeze)
			opt_update_at(b->a->o, n->param, n->grad, b->a->lr,
			    L->poff, L->np);
	}
	par_barrier(n->par);
}

/* A training batch of one value per channel has no variance. */
int
net_bn_check(const struct net_layer *L, int l, long B, int train)
{
	if (train && B * L->in[1] * L->in[2] < 2)
		return err_set("net: layer %d (%s): a training batch of one "
		    "value per channel has no variance", l + 1, L->name);
	return 0;
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
	struct net_layer *L;
	struct fwd f;
	int l;

	f.a = a;
	f.n = n;
	f.t = t;
	f.nt = nt;
	par_share(a->B, t, nt, 1, &f.s0, &f.s1);
	f.m = f.s1 - f.s0;
	f.work = n->work + t * n->nwork;
	f.in = a->x;
	f.Q = NULL;
	f.dense = 0;
	for (l = 0; l < n->nlayer; l++) {
		L = &n->layer[l];
		if (net_types[L->type].forward != NULL)
			net_types[L->type].forward(&f, L, l);
	}
	if (f.dense)	/* the last dense layer's columns */
		par_barrier(n->par);
	a->sum[t] = 0;
	if (a->loss && f.m > 0)
		a->sum[t] = loss_forward(n, f.in + f.s0 * n->nout,
		    a->y != NULL ? a->y + f.s0 : NULL,
		    a->t != NULL ? a->t + f.s0 * n->nout : NULL, f.m, a->B,
		    a->train ? n->g0 + f.s0 * n->nout : NULL);
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
		L->x = l == 0 ? x : through(&n->layer[l - 1], train) ?
		    n->layer[l - 1].x : n->layer[l - 1].y;
		if (net_types[L->type].check != NULL &&
		    net_types[L->type].check(L, l, B, train) < 0)
			return NAN;
	}
	a.n = n;
	a.x = x;
	a.y = y;
	a.t = t;
	a.B = B;
	a.train = train;
	a.loss = n->task == TASK_CLASSIFICATION ? y != NULL : t != NULL;
	if (train)	/* the key of this forward's dropout masks */
		n->fkey = rng_next(&n->rng);
	par_run(n->par, forward_share, &a);
	L = &n->layer[n->nlayer - 1];
	n->logits = through(L, train) ? (float *)L->x : L->y;
	n->B = B;
	n->x = x;
	n->train = train != 0 && a.loss;
	if (!a.loss)
		return 0;
	for (sum = 0, i = 0; i < par_size(n->par); i++)
		sum += a.sum[i];
	return n->loss == LOSS_CE ? sum / B : sum / ((double)B * n->nout);
}

/* d (n) += s (n), in blocks of 16 with a constant trip count and
 * restrict pointers, so that the compiler vectorises it at -O2 */
static void
addto(float *restrict d, const float *restrict s, long n)
{
	long i, j;

	for (i = 0; i + 16 <= n; i += 16)
		for (j = 0; j < 16; j++)
			d[i + j] += s[i + j];
	for (; i < n; i++)
		d[i] += s[i];
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
	struct net_layer *L;
	struct bwd b;
	long i, j0, j1;
	int l;

	b.a = a;
	b.n = n;
	b.t = t;
	b.nt = nt;
	b.B = a->B;
	par_share(b.B, t, nt, 1, &b.s0, &b.s1);
	b.m = b.s1 - b.s0;
	b.work = n->work + t * n->nwork;
	b.fresh = n->fresh;
	b.g = n->g0;	/* dL/dlogits (B, nout) */
	if (a->scale != 1)
		for (i = b.s0 * n->nout; i < b.s1 * n->nout; i++)
			b.g[i] *= a->scale;
	b.conv = 0;
	b.u.pending = 0;
	b.Q = NULL;
	for (l = n->nlayer - 1; l >= a->lo; l--) {
		L = &n->layer[l];
		b.other = l == 0 ? n->dx : b.g == n->g0 ? n->g1 : n->g0;
		b.below = l > a->lo || a->wantdx;
		if (net_types[L->type].backward != NULL)
			net_types[L->type].backward(&b, L, l);
	}
	if (a->wantdx && b.g != n->dx) {
		par_barrier(n->par);
		flush(a, &b.u);
		memcpy(n->dx + b.s0 * n->d, b.g + b.s0 * n->d,
		    (size_t)(b.m * n->d) * sizeof(float));
	}
	if (b.u.pending) {
		par_barrier(n->par);
		flush(a, &b.u);
	}
	if (!b.conv)
		return;
	/* the shared gradients (conv2d's): grad += the other threads'
	 * shares; then their update */
	par_barrier(n->par);
	for (l = a->lo; l < n->nlayer; l++) {
		L = &n->layer[l];
		if (!(net_types[L->type].flags & NT_SHARES) || L->freeze)
			continue;
		/* its trainable part (a block's may be its batchnorms') */
		par_share(L->tn, t, nt, 16, &j0, &j1);
		for (i = 1; i < nt; i++)
			addto(n->grad + L->toff + j0, n->pgrad + (i - 1) *
			    n->nparam + L->toff + j0, j1 - j0);
		if (a->o != NULL)
			opt_update_at(a->o, n->param, n->grad, a->lr,
			    L->toff + j0, j1 - j0);
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
		if (net_types[n->layer[l].type].flags & NT_SHARES)
			conv = 1;
	work = pg = NULL;
	if ((work = net_falloc(nt * n->nwork)) == NULL || (conv && nt > 1 &&
	    (pg = net_falloc((nt - 1) * n->nparam)) == NULL)) {
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
