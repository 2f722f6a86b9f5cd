/*
 * net.h - the neural network of lrf-train: layers, losses, gradients.
 *
 * Memory, as in llm.c: all parameters live in ONE float block (param),
 * their gradients in a mirror block of the same layout (grad); all
 * activations of all layers in one block (act), sized once for max_batch
 * samples when the net is created.  Layers hold pointers and offsets into
 * these blocks.  Nothing is allocated by net_forward, net_backward or
 * net_zero_grad.
 *
 * Shapes are NCHW: a sample is (C, H, W) = C*H*W floats, a batch is B
 * samples one after the other.  A dense layer flattens its input (in
 * C, H, W order, as torch.nn.Flatten) and produces (units, 1, 1).
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
 *		 for every training forward, from the net's own seeded
 *		 stream.  In evaluation it is the identity.
 *	flatten	 (C, H, W) -> (C*H*W, 1, 1); no work.
 *	conv2d, pools, batchnorm: not yet (net_create says so).
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
 * Initialisation (seeded, layer by layer, weights row by row then bias):
 *	he	 W ~ normal(0, sqrt(2 / IN))	(kaiming_normal_, fan_in)
 *	xavier	 W ~ uniform(+-sqrt(6 / (IN + OUT)))	(xavier_uniform_)
 *	bias	 b ~ uniform(+-1 / sqrt(IN)) for both (torch.nn.Linear's).
 * The init stream is rng_seed(seed); dropout masks come from
 * rng_seed(seed ^ NET_DROPOUT_SEED), independent of it.
 *
 * A training step, with accumulation over A micro-batches:
 *
 *	net_zero_grad(n);
 *	for (i = 0; i < A; i++) {
 *		loss += net_forward(n, x[i], y[i], NULL, B, 1) / A;
 *		net_backward(n, 1.0f / A);
 *	}
 *	opt_step(&o, n->param, n->grad, lr);
 *
 * so the gradient is that of the loss averaged over the A micro-batches
 * (2 micro-batches of 4 give the gradient of 1 batch of 8).
 */
#ifndef LRF_NET_H
#define LRF_NET_H

#include <stdint.h>
#include <stdio.h>

#include "cfg.h"
#include "opt.h"
#include "rng.h"

#define NET_DROPOUT_SEED	0x64726f706f757421ULL	/* "dropout!" */
#define NET_MAXTENSOR		4	/* tensors saved per layer */

/* One saved tensor of a layer (what lib/wfile.c writes and reads). */
struct net_tensor {
	const char *name;	/* "weight", "bias" (later "running_mean",
				   "running_var"), as PyTorch's state_dict */
	float	*p;		/* its floats, in param (or a state block) */
	long	 off;		/* offset in param, -1 if not a parameter */
	long	 n;		/* floats: the product of dim[] */
	int	 ndim;		/* 1..4 */
	long	 dim[4];	/* dense weight (OUT, IN), bias (OUT) */
};

struct net_layer {
	int	 type;		/* LAYER_* (cfg.h) */
	int	 act;		/* ACT_* (dense) */
	char	 name[24];	/* "dense1", "dropout1", ... */
	long	 in[3], out[3];	/* input and output shape (C, H, W) */
	long	 nin, nout;	/* C*H*W of each */
	float	 rate;		/* dropout probability */
	int	 freeze;	/* parameters fixed: no gradient, no segment */
	float	 lr_mult;	/* learning-rate multiplier (1) */
	int	 line, col;	/* where the layer is in the config, 0 if
				   it comes from the defaults */

	/* parameters: [poff, poff + np) of param and grad */
	long	 poff, np;
	float	*w, *dw;	/* dense: (OUT, IN) weights, gradient */
	float	*b, *db;	/* dense: (OUT) bias, gradient */
	int	 ntensor;	/* tensors saved: dense 2, dropout 0 */
	struct net_tensor tensor[NET_MAXTENSOR];

	/* activations, in act; NULL when the layer does not need one */
	const float *x;		/* (B, nin) the last forward's input */
	float	*y;		/* (max_batch, nout) output */
	float	*z;		/* (max_batch, nout) pre-activation: gelu */
	float	*phi;		/* (max_batch, nout) gelu: Phi(z) */
	float	*mask;		/* (max_batch, nout) dropout: 0 or 1/(1-p) */
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

	struct rng rng;		/* dropout masks */
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
 * large, out of memory.  On error n holds nothing to free.
 */
int net_create(struct net *n, const struct cfg_model *m, const char *cfgfile,
    long d, const long shape[3], long K, int task, long max_batch,
    uint64_t seed);

/* Free everything net_create allocated; n may be zeroed or freed twice. */
void net_free(struct net *n);

/*
 * Forward B samples x (B, d), 1 <= B <= max_batch.  Labels y (B) for
 * classification or targets t (B, K) for regression give the loss; with
 * both NULL only the logits are computed and 0 is returned.  train = 1:
 * dropout active, and dLoss/dlogits is computed in the same pass (for
 * net_backward); train = 0: evaluation.  Returns the mean loss, computed
 * in double (NaN/inf when the net has diverged).  x must stay valid until
 * net_backward.  A B out of range returns NAN with a message.
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

/* grad = 0. */
void net_zero_grad(struct net *n);

/* on = 1: net_backward also computes dx (allocates it now). 0/-1. */
int net_input_grad(struct net *n, int on);

/*
 * Predicted class of each of the B samples of the last forward: argmax of
 * the logits (for binary bce with one output: logit > 0).  Classification
 * only.
 */
void net_predict(const struct net *n, int *pred, long B);

/* How many of the B samples of the last forward have pred == y. */
long net_correct(const struct net *n, const int *y, long B);

/*
 * Fill seg (room for at least nlayer entries) with the trainable
 * parameters: one segment per layer that has parameters and is not
 * frozen, with its lr_mult.  Returns the number of segments.
 */
int net_segments(const struct net *n, struct opt_seg *seg);

/* Parameters in all, and the trainable ones (not frozen). */
long net_nparams(const struct net *n);
long net_ntrainable(const struct net *n);

/*
 * Write the model summary, one "#@ layer" line per layer and one
 * "#@ model" line (shown folded here):
 *	#@ layer name=dense1 type=dense in=784 out=256 activation=relu
 *	    params=200960
 *	#@ layer name=dropout1 type=dropout in=256 out=256 rate=0.1 params=0
 *	#@ layer name=dense2 type=dense in=256 out=10 activation=identity
 *	    params=2570
 *	#@ model layers=3 params=203530 trainable=203530 loss=cross_entropy
 *	    init=he
 * Shapes are "C" or "CxHxW"; "freeze=1" and "lr_mult=x" are added when
 * not the default.  Returns 0, or -1 if fp has an error.
 */
int net_summary(FILE *fp, const struct net *n);

/* "cfg.yaml:12:7" or "layer 3" for messages about layer i (0-based). */
const char *net_where(const struct net *n, int i, char *buf, size_t size);

#endif
