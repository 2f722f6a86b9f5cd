/*
 * net.h - the neural network of lrf-train: layers, losses, gradients.
 *
 * Memory, as in llm.c: all parameters live in ONE float block (param),
 * their gradients in a mirror block of the same layout (grad); all
 * activations of all layers in one block (act), sized once for max_batch
 * samples when the net is created; batchnorm's running statistics in a
 * state block, the conv2d column buffers in one shared work block, the
 * max-pooling indices in an int block.  Layers hold pointers and offsets
 * into these blocks.  Nothing is allocated by net_forward, net_backward
 * or net_zero_grad.
 *
 * Shapes are NCHW: a sample is (C, H, W) = C*H*W floats, a batch is B
 * samples one after the other.  A dense layer flattens its input (in
 * C, H, W order, as torch.nn.Flatten) and produces (units, 1, 1).
 *
 * The net is built in lib/net.c, its activations are in lib/netact.c,
 * its passes forward and back on its threads in lib/netpass.c; each
 * layer type is a row of the table in lib/net.c (lib/netint.h).
 *
 * Layers (from struct cfg_model, lib/cfg.h):
 *	dense	 y = act(x W^T + b); W is (OUT, IN) as torch.nn.Linear, b (OUT).
 *		 Activations: identity, relu, leaky_relu (slope 0.01), tanh,
 *		 sigmoid, gelu (the erf form, torch's default: z Phi(z) =
 *		 0.5 z (1 + erf(z / sqrt 2)), not the tanh approximation),
 *		 applied in the same pass as the bias.  tanh, sigmoid and
 *		 gelu use vectorisable approximations accurate to float
 *		 rounding (3e-7 relative; gelu 3e-5 in the far left tail),
 *		 tested against libm.  relu passes NaN, as torch.relu.
 *	dropout	 training only: y = x * m, m = 0 with probability rate, else
 *		 1/(1-rate) (inverted dropout, torch.nn.Dropout); a new mask
 *		 for every training forward: each element's from a
 *		 counter-based hash (splitmix64's) of the forward's key
 *		 (the next number of the net's seeded stream, one per
 *		 training forward), the layer and the element's index in
 *		 the global batch (net_share), so that the masks do not
 *		 depend on how a batch is split over threads or
 *		 processes.  In evaluation it is the identity.
 *	flatten	 (C, H, W) -> (C*H*W, 1, 1); no work.
 *	conv2d	 (C, H, W) -> (F, OH, OW): y = act(W * patches(x) + b), W
 *		 (F, C, k, k) as torch.nn.Conv2d.weight, b (F) unless
 *		 bias: false; activation as dense.  padding p zero-pads
 *		 every side, OH = floor((H + 2p - k) / s) + 1; "same"
 *		 (stride 1 only, as torch) keeps H x W, padding (k-1)/2
 *		 before and the rest after (torch's rule for an even k).
 *		 Lowered to im2col plus one sgemm per chunk of samples:
 *		 the column buffer (C*k*k, nb*OH*OW) lives in one work
 *		 block, sized at creation for chunks of nb samples (as many
 *		 as fit in NET_CONVWORK floats, at least 1), and is
 *		 recomputed in backward instead of being kept per layer.
 *		 A 3x3, stride 1, padding 1 layer of NET_WINOMIN or more
 *		 channels and filters goes by Winograd's F(2x2,3x3)
 *		 instead (lib/wino.h; the environment's LRF_CONV: auto,
 *		 winograd, im2col): its transformed weights U are made by
 *		 each forward, kept in act for the backward's dx; its
 *		 transformed tiles, products and dU in the work block, in
 *		 chunks of at least NET_WINOTILES tiles.
 *	maxpool2d, avgpool2d
 *		 (C, H, W) -> (C, OH, OW), window k, stride s (default k),
 *		 padding p <= k/2 (-inf for max, zeros counted for avg, as
 *		 torch's count_include_pad); OH = floor((H + 2p - k) / s)
 *		 + 1 (torch's floor mode).  Max keeps the index of the
 *		 element chosen (the first maximum; a NaN wins) for backward.
 *	globalavgpool
 *		 (C, H, W) -> (C, 1, 1), the mean of each plane
 *		 (torch.nn.AdaptiveAvgPool2d(1), ResNet's pooling before
 *		 its head): any input size; no parameters.
 *	batchnorm
 *		 over the channels of (C, H, W), the H*W values of each
 *		 sample counting (torch.nn.BatchNorm2d); a (F, 1, 1) input
 *		 is F features (BatchNorm1d).  Training: the batch's mean
 *		 and biased variance normalise, y = gamma (x - mean) /
 *		 sqrt(var + eps) + beta, and the running statistics move:
 *		 r = (1 - momentum) r + momentum s, with the unbiased
 *		 variance (eps 1e-5, momentum 0.1; a batch of one value per
 *		 channel is an error, as in torch).  Evaluation (train = 0):
 *		 the running statistics instead.  gamma = 1, beta = 0,
 *		 running mean 0 and variance 1 at creation.  The running
 *		 statistics are no parameters (no gradient, no optimizer
 *		 state): they live in the state block, and weights files
 *		 carry them.  freeze fixes gamma and beta only; a frozen
 *		 batchnorm still normalises with batch statistics in
 *		 training and updates its running statistics, as in torch.
 *		 activation: relu after it (identity or relu).
 *	basicblock, bottleneck
 *		 torchvision's ResNet blocks of "filters" planes (see
 *		 lib/netres.c): conv2d and batchnorm sub-layers (L->sub)
 *		 with a shortcut, one layer of the chain, one segment.
 *
 * Shape errors name the layer and both shapes: "cfg.yaml:9:7: layer 3
 * (conv2d): kernel 5x5 does not fit the input 1x4x4".
 *
 * Losses, all the mean over the batch (as PyTorch's reduction='mean'):
 *	cross_entropy  softmax + negative log-likelihood of the label,
 *		 log-sum-exp form; classification, labels y in 0..K-1,
 *		 the last layer has K units.
 *	bce	 sigmoid + binary cross-entropy, stable form
 *		 max(z,0) - z t + log(1 + exp(-|z|)), mean over ALL B*OUT
 *		 elements (torch.nn.BCEWithLogitsLoss).  Classification
 *		 with K classes: OUT = K and t is the one-hot label; or,
 *		 when K = 2, OUT = 1 and t = y (binary, logit of class 1).
 *		 Regression: OUT = K targets t in [0, 1].
 *	mse	 mean over all B*OUT elements of (z - t)^2
 *		 (torch.nn.MSELoss).  Regression: OUT = K targets;
 *		 classification: OUT = K and t is the one-hot label.
 *
 * Initialisation (seeded, layer by layer, weights row by row then bias;
 * fan_in = IN for dense, C*k*k for conv2d, fan_out = OUT or F*k*k):
 *	he	 W ~ normal(0, sqrt(2 / fan_in))	(kaiming_normal_)
 *	xavier	 W ~ uniform(+-sqrt(6 / (fan_in + fan_out)))
 *		 (xavier_uniform_)
 *	bias	 b ~ uniform(+-1 / sqrt(fan_in)) for both (torch.nn.Linear's
 *		 and Conv2d's).
 * The init stream is rng_seed(seed); dropout's keys come from
 * rng_seed(seed ^ NET_DROPOUT_SEED), independent of it.
 *
 * A training step, with accumulation over A micro-batches, as lrf-train
 * takes it (net_threads(n, T) once, before the first):
 *
 *	net_zero_grad(n);
 *	for (i = 0; i < A; i++) {
 *		loss += net_forward(n, x[i], y[i], NULL, B, 1) / A;
 *		if (i < A - 1)
 *			net_backward(n, 1.0f / A);
 *		else
 *			net_backward_update(n, 1.0f / A, &o, lr);
 *	}
 *
 * so the gradient is that of the loss averaged over the A micro-batches
 * (2 micro-batches of 4 give the gradient of 1 batch of 8; not with
 * batchnorm, which normalises each micro-batch by its own statistics, as
 * PyTorch does), and the optimizer's update rides on the last backward.
 */
#ifndef LRF_NET_H
#define LRF_NET_H

#include <stdint.h>
#include <stdio.h>

#include "cfg.h"
#include "conv.h"
#include "opt.h"
#include "par.h"
#include "rng.h"

#define NET_DROPOUT_SEED	0x64726f706f757421ULL	/* "dropout!" */
#define NET_MAXTENSOR		20	/* tensors saved per layer (a
					   bottleneck block with its
					   downsample: 20) */
#define NET_NAMEMAX		24	/* a layer's name, its NUL too */
#define NET_BN_EPS		1e-5	/* batchnorm: torch's eps */
#define NET_BN_MOMENTUM		0.1	/* and momentum */
#define NET_MAXTHREAD		64	/* threads of a net's team */
#define NET_DESCMAX		512	/* a buffer for any description */
#define NET_CONVWORK		(1L << 19)	/* floats of the conv2d
					   work block (2 MB: chunks stay
					   in cache), or one sample's */
#define NET_WINOMIN		16	/* Winograd by default from this
					   many channels and filters */
#define NET_WINOTILES		128	/* and chunks of at least this
					   many tiles */

/* One saved tensor of a layer (what lib/wfile.c writes and reads). */
struct net_tensor {
	const char *name;	/* "weight", "bias", "running_mean",
				   "running_var", as PyTorch's state_dict */
	float	*p;		/* its floats, in param or in state */
	long	 off;		/* offset in param; for a running
				   statistic nparam + its offset in state */
	long	 n;		/* floats: the product of dim[] */
	int	 ndim;		/* 1..4 */
	long	 dim[4];	/* dense weight (OUT, IN), conv2d weight
				   (F, C, k, k), bias and the batchnorm
				   tensors (OUT) */
};

struct net_layer {
	int	 type;		/* LAYER_* (cfg.h) */
	int	 act;		/* ACT_* (dense, conv2d) */
	char	 name[NET_NAMEMAX];	/* "dense1", "conv1", "maxpool1",
				   "avgpool1", "batchnorm1", "dropout1",
				   "flatten1", "globalavgpool1",
				   "basicblock1", "bottleneck1"; with
				   model.arch torchvision's: "conv1",
				   "bn1", "layer1.0", "fc" */
	long	 in[3], out[3];	/* input and output shape (C, H, W) */
	long	 nin, nout;	/* C*H*W of each */
	float	 rate;		/* dropout probability */
	int	 freeze;	/* parameters fixed: no gradient, no segment */
	float	 lr_mult;	/* learning-rate multiplier (1) */
	int	 line, col;	/* where the layer is in the config, 0 if
				   it comes from the defaults */

	/* parameters: [poff, poff + np) of param and grad; the trainable
	 * ones [toff, toff + tn) (all, or a block's batchnorms when its
	 * conv2d layers are frozen and they are not) */
	long	 poff, np;
	long	 toff, tn;
	float	*w, *dw;	/* dense: (OUT, IN) weights, gradient;
				   conv2d (F, C*k*k); batchnorm gamma (C) */
	float	*b, *db;	/* dense (OUT), conv2d (F) bias, gradient
				   (NULL without a bias); batchnorm beta */
	int	 ntensor;	/* tensors saved: dense 2, conv2d 2 (1
				   without bias), batchnorm 4, others 0 */
	struct net_tensor tensor[NET_MAXTENSOR];

	/* activations, in act; NULL when the layer does not need one */
	const float *x;		/* (B, nin) the last forward's input */
	float	*y;		/* (max_batch, nout) output */
	float	*z;		/* (max_batch, nout) pre-activation: gelu */
	float	*phi;		/* (max_batch, nout) gelu: Phi(z) */
	float	*mask;		/* (max_batch, nout) dropout: 0 or 1/(1-p) */

	/* conv2d and the pools */
	struct conv_win win;	/* input C, H, W; kernel, stride, padding
				   before; output OH, OW */
	int	 same;		/* conv2d: padding "same" */
	long	 nb;		/* conv2d: samples per im2col chunk (or
				   Winograd chunk) */
	int	 wino;		/* conv2d: 3x3, stride 1, padding 1 by
				   Winograd's F(2x2,3x3) (lib/wino.h) */
	float	*wu;		/* (16, F, C) Winograd: the transformed
				   weights of the last forward, in act */
	int32_t	*arg;		/* (max_batch, nout) maxpool2d: index of
				   the maximum in its input plane */

	/* basicblock, bottleneck: the sub-layers, the main path then the
	 * downsample's conv2d and batchnorm (down = 1) */
	struct net_layer *sub;	/* (nsub + 1), the last zeroed */
	int	 nsub, nmain, down;
	int	 partial;	/* its conv2d layers frozen, the rest not */
	float	*gs;		/* (max_batch, nout) the shortcut's
				   gradient, in act */

	/* batchnorm, C = in[0] channels */
	float	*rmean, *rvar;	/* (C) running statistics, in state */
	float	*bmean, *binvstd;	/* (C) the last training batch's mean
				   and 1/sqrt(var + eps), in act */
	float	*coef;		/* (2, C) scratch: y = a x + b, in act */
};

struct net {
	struct net_layer *layer;	/* (nlayer) */
	int	 nlayer;
	int	 loss;		/* LOSS_* */
	int	 init;		/* INIT_* */
	int	 task;		/* TASK_* */
	long	 d;		/* input features = C*H*W */
	long	 shape[3];	/* input shape (C, H, W) */
	long	 K;		/* classes, or regression targets */
	long	 nout;		/* units of the output (K, or 1 for binary
				   bce) */
	long	 max_batch;	/* the most samples one forward may take */

	long	 nparam;	/* floats in param */
	float	*param;		/* (nparam) all parameters */
	float	*grad;		/* (nparam) their gradients, same layout */

	long	 nstate;	/* floats in state */
	float	*state;		/* (nstate) running statistics */
	long	 nwork;		/* floats in work */
	float	*work;		/* (threads * nwork) conv2d column
				   buffers, nwork floats per thread */
	long	 narg;		/* ints in iact */
	int32_t	*iact;		/* (narg) maxpool2d argmax indices */

	long	 nact;		/* floats in act */
	float	*act;		/* all activations: the layers' y, z, mask */
	float	*logits;	/* (B, nout) the output of the last forward
				   (a layer's y; NULL before the first) */
	float	*g0, *g1;	/* (max_batch, maxw) activation gradients,
				   ping-pong; dlogits (B, nout) lives in g0
				   after a training forward */
	long	 maxw;		/* the widest layer output */
	float	*dx;		/* (max_batch, d) dLoss/dinput, NULL unless
				   net_input_grad(n, 1) */

	struct par *par;	/* the team forward, backward and update
				   run on (1 thread after net_create) */
	float	*pgrad;		/* ((threads - 1) * nparam) the conv2d
				   weight gradients of threads 1.., laid
				   out as grad; NULL without conv2d */
	int	 fresh;		/* net_zero_grad was called: the next
				   backward overwrites grad */

	struct rng rng;		/* one number per training forward: the
				   key of its dropout masks (fkey) */
	uint64_t fkey;		/* the last training forward's key */
	long	 gidx;		/* the global index of the forward's first
				   sample (net_share; 0) */
	int	(*sync)(double *v, long n);	/* net_share's sum over the
				   processes, NULL for one */
	double	*sbuf;		/* (2 * widest batchnorm C + 1) what sync
				   sums */
	char	 cfgfile[CFG_MAXPATH];	/* for messages, "" if none */

	/* the last forward */
	const float *x;		/* (B, d) its input, kept for backward */
	long	 B;		/* its batch size */
	int	 train;		/* 1 if it was a training forward */
};

/*
 * Build the net of config m for samples of d features shaped shape[3]
 * (C, H, W with C*H*W = d; NULL means (d, 1, 1)) and a task (TASK_*)
 * with K classes or K regression targets; buffers for batches of up to
 * max_batch samples; parameters initialised from seed.  cfgfile names
 * the config in messages (NULL or "" for the built-in defaults).
 * Returns 0, or -1 with a message: "cfg.yaml:12:7: last layer has 5
 * units, the data has 10 classes", a loss that does not fit the task, a
 * layer type not implemented, a dropout rate outside [0, 1), a model too
 * large, a layer whose input shape does not fit it ("cfg.yaml:9:7: layer
 * 3 (conv2d): kernel 5x5 does not fit the input 1x4x4"), out of memory.
 * On error n holds nothing to free.
 */
int net_create(struct net *n, const struct cfg_model *m, const char *cfgfile,
    long d, const long shape[3], long K, int task, long max_batch,
    uint64_t seed);

/*
 * The model of model.layers: ~ (m->nlayers 0), the default for the data,
 * written into m's layers for net_create: for data.format images (images
 * 1), a small CNN whose size does not depend on the images' (conv2d 16
 * 3x3 same relu, maxpool2d 2, conv2d 32 3x3 same relu, maxpool2d 2,
 * globalavgpool, dense K); for every other format (vectors, and IDX
 * images as the MLP has always read them) an MLP with one hidden layer
 * (dense 256 relu, dense K).  K: the classes, or 1 for regression.  The
 * loss and init of m are kept.  Never fails.
 */
void net_default(struct cfg_model *m, int images, long K);

/*
 * Whether training batches of B samples suit every layer: a batchnorm
 * layer needs more than 1 value per channel (B times its input's height
 * times width), as PyTorch's "Expected more than 1 value per channel
 * when training".  Returns 0, or -1 with a message naming the layer's
 * line: "cfg.yaml:31:7: batchnorm1: a training batch of 1 gives it 1
 * value per channel; it needs 2 or more (raise train.batch_size)".
 */
int net_train_check(const struct net *n, long B);

/*
 * net_create in two steps, for a caller that checks the memory before
 * any is taken: net_plan checks and lays out the model (the layers'
 * shapes and offsets; nothing large allocated), net_alloc allocates and
 * initialises it.  Each returns 0, or -1 with net_create's messages (n
 * then holds nothing to free).
 */
int net_plan(struct net *n, const struct cfg_model *m, const char *cfgfile,
    long d, const long shape[3], long K, int task, long max_batch);
int net_alloc(struct net *n, uint64_t seed);

/* The bytes net_alloc takes for a planned net, with its work buffers
 * for threads threads (parameters, gradients, activations, running
 * statistics, im2col and pooling buffers). */
double net_bytes(const struct net *n, int threads);

/*
 * Whether need bytes fit in this machine: its physical memory and the
 * process's address space limit (RLIMIT_AS), whichever is smaller.
 * Returns 0, or -1 with a message, what first: "cfg.yaml: the model
 * needs 161.2 GB, this machine has 23.4 GB" (GB: 10^9 bytes).
 */
int net_fits(double need, const char *what);

/* Free everything net_create allocated; n may be zeroed or freed twice. */
void net_free(struct net *n);

/*
 * Forward B samples x (B, d), 1 <= B <= max_batch.  Labels y (B) for
 * classification or targets t (B, K) for regression give the loss; with
 * both NULL only the logits are computed and 0 is returned.  train = 1:
 * dropout active, and dLoss/dlogits is computed in the same pass (for
 * net_backward); train = 0: evaluation.  Returns the mean loss, computed
 * in double (NaN/inf when the net has diverged).  x must stay valid until
 * net_backward.  A training forward updates the running statistics of
 * batchnorm layers; an evaluation forward uses them.  A B out of range,
 * a label out of range, or a training batch that gives a batchnorm layer
 * one value per channel returns NAN with a message.
 */
double net_forward(struct net *n, const float *x, const int *y,
    const float *t, long B, int train);

/*
 * Back-propagate the last training forward: ADD scale * dLoss/dparam to
 * grad (scale = 1/A for A accumulated micro-batches), and, when asked
 * with net_input_grad, set dx = scale * dLoss/dx.  Frozen layers get no
 * gradient written; the chain stops below the lowest trainable layer when
 * no input gradient is wanted.  Returns 0, or -1 with a message if the
 * last forward was not a training forward.
 */
int net_backward(struct net *n, float scale);

/*
 * grad = 0, in effect: the next net_backward writes grad instead of
 * adding to it (no pass over the block now).  Until then grad holds the
 * last gradient; the gradients of frozen layers are never written.
 */
void net_zero_grad(struct net *n);

/*
 * Run forward, backward and net_update on a team of nt threads (1 after
 * net_create; at most NET_MAXTHREAD): each takes its share of the batch,
 * of a dense layer's units and of the parameters, and calls a
 * single-threaded sgemm on it (the caller keeps OpenBLAS to one thread,
 * blas_threads(1)).  The same nt gives the same bits; another nt may
 * differ by rounding.  0, or -1 with a message (no memory, no threads).
 */
int net_threads(struct net *n, int nt);

/*
 * opt_step(o, n->param, n->grad, lr) on the net's team.  The reference
 * the tests hold net_backward_update to; lrf-train does not call it.
 */
void net_update(struct net *n, struct opt *o, double lr);

/*
 * net_backward, then net_update(n, o, lr), fused: each thread updates
 * the parameters whose gradient it computed as soon as no thread needs
 * their old values (a dense layer's at the next barrier, conv2d's after
 * the threads' shares are added), while the gradient is in cache.  The
 * same bits as the two calls.  For the last micro-batch of a step.
 */
int net_backward_update(struct net *n, float scale, struct opt *o,
    double lr);

/*
 * on = 1: net_backward also computes dx (allocates it now). 0/-1.  For
 * the tests, which check dLoss/dx by finite differences; lrf-train does
 * not call it.
 */
int net_input_grad(struct net *n, int on);

/*
 * How many of the B samples of the last forward are predicted as their
 * label y: the argmax of the logits (for binary bce with one output:
 * logit > 0).  Classification only.
 */
long net_correct(const struct net *n, const int *y, long B);

/*
 * Fill seg (room for at least nlayer entries) with the trainable
 * parameters: one segment per layer that has parameters (dense, conv2d,
 * batchnorm's gamma and beta, a block's) and is not frozen, with its
 * lr_mult; of a block whose conv2d layers alone are frozen, its
 * batchnorms' part ([toff, toff + tn)).
 * Returns the number of segments.
 */
int net_segments(const struct net *n, struct opt_seg *seg);

/*
 * Data-parallel training (lrf-train under mpirun): this process takes
 * the samples from gidx on of each global batch (dropout's masks are
 * those of these global indices), and sync (v, n) sums n doubles over all
 * the processes in place, the same bits on every one, 0 or -1 with a
 * message: batchnorm then normalises with the global batch's statistics
 * (the sum, the sum of squares and the count summed; SyncBN) and its
 * backward sums its two per-channel sums of dy the same way.  sync NULL
 * is one process.  The caller sums the gradients.  0, or -1 with a
 * message (out of memory).
 */
int net_share(struct net *n, long gidx, int (*sync)(double *v, long n));

/* Parameters in all, and the trainable ones (not frozen). */
long net_nparams(const struct net *n);
long net_ntrainable(const struct net *n);

/*
 * Describe layer l for its "#@ layer" line, snprintf-style (the length
 * needed is returned; NET_DESCMAX always does): "name=dense1 type=dense
 * in=784 out=256 activation=relu params=200960", as net_summary shows.
 */
int net_describe_layer(char *buf, size_t size, const struct net *n, int l);

/* Describe the model for its "#@ model" line, snprintf-style: "layers=3
 * params=203530 trainable=203530 loss=cross_entropy init=he". */
int net_describe(char *buf, size_t size, const struct net *n);

/*
 * Write the model summary, one "#@ layer" line per layer and one
 * "#@ model" line (shown folded here):
 *	#@ layer name=conv1 type=conv2d in=1x28x28 out=32x28x28 kernel=3
 *	    stride=1 padding=1 activation=relu params=320
 *	#@ layer name=maxpool1 type=maxpool2d in=32x28x28 out=32x14x14
 *	    kernel=2 stride=2 params=0
 *	#@ layer name=dense1 type=dense in=784 out=256 activation=relu
 *	    params=200960
 *	#@ layer name=dropout1 type=dropout in=256 out=256 rate=0.1 params=0
 *	#@ layer name=dense2 type=dense in=256 out=10 activation=identity
 *	    params=2570
 *	#@ model layers=3 params=203530 trainable=203530 loss=cross_entropy
 *	    init=he
 * Shapes are "C" or "CxHxW"; conv2d says "padding=same" for "same"
 * (padding=0 is omitted on pools) and "bias=0" when it has none;
 * "freeze=1" and "lr_mult=x" are added when not the default.  Returns 0,
 * or -1 if fp has an error.
 */
int net_summary(FILE *fp, const struct net *n);

/* "cfg.yaml:12:7" or "layer 3" for messages about layer i (0-based). */
const char *net_where(const struct net *n, int i, char *buf, size_t size);

#endif
