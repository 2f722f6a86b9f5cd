/*
 * netint.h - the inside of the net, shared by its three files and by
 * nothing else (the programs and the other modules use net.h):
 *
 *	net.c	  the layer types, building a net (shapes, the blocks'
 *		  layout, initialisation) and describing it
 *	netact.c  the activations, applied and undone in vectorised passes
 *	netpass.c the forward and backward passes on the net's threads, the
 *		  losses, the fused update
 *	netres.c  the residual blocks, made of conv2d and batchnorm layers
 *
 * A layer type is a row of net_types[] (net.c): how its output shape and
 * parameters follow from its input and its config, what it takes in the
 * blocks, how it starts, how it goes forward and back, how it describes
 * itself.  A new type is a row (and its keys in lib/cfg.c) plus its
 * kernels.
 */
#ifndef LRF_NETINT_H
#define LRF_NETINT_H

#include <stddef.h>
#include <stdint.h>

#include "net.h"

#define NET_MAXPARAM	(1L << 31)	/* floats in the parameter block */
#define NET_MAXACT	(1L << 33)	/* floats in the activation block */

/* n zeroed floats, 64-byte aligned; NULL if out of memory. */
float *net_falloc(long n);

/* A count of floats rounded up to 64 bytes, so that buffers stay aligned. */
long net_up16(long n);

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

/* One thread's way up through the layers. */
struct fwd {
	struct pass *a;
	struct net *n;
	int	 t, nt;		/* this thread of nt */
	long	 s0, s1, m;	/* its samples [s0, s1), m of them */
	float	*work;		/* its conv2d work block */
	const float *in;	/* (B, nin) the input of the layer */
	struct net_layer *Q;	/* a pooling layer the conv2d below did */
	int	 dense;		/* the last layer's rows are not all this
				   thread's (a barrier is due) */
};

/* One thread's way down. */
struct bwd {
	struct pass *a;
	struct net *n;
	int	 t, nt;
	long	 B, s0, s1, m;	/* the batch; this thread's samples */
	float	*work;
	int	 fresh;		/* grad is to be written, not added to */
	float	*g;		/* dL/d the layer's output, g0 or g1 */
	float	*other;		/* the other one, or dx: dL/d its input */
	int	 below;		/* the layer's input needs its gradient */
	struct deferred u;	/* an update held back */
	int	 conv;		/* a conv2d gradient was shared out */
	struct net_layer *Q;	/* a max pooling the conv2d below takes */
};

/* How a layer type behaves; NULL where it does nothing. */
struct net_type {
	const char *prefix;	/* of its layers' names: "conv" gives conv1 */
	unsigned flags;		/* NT_* */
	/* output shape, np, ntensor, nstate from L->in and c; -1 with a
	 * message naming where (its place in the config) and l */
	int	(*shape)(struct net *n, struct net_layer *L,
		    const struct cfg_layer *c, const char *where, int l);
	/* its buffers in act (from off, returned past them), in iact
	 * (*aoff) and the size of its work block; pointed to with assign */
	long	(*acts)(struct net *n, struct net_layer *L, long off,
		    long *aoff, int assign);
	/* its tensors in param and state (from *soff) */
	void	(*params)(struct net *n, struct net_layer *L, long *soff);
	/* its parameters' first values, from the init stream */
	void	(*init)(const struct net *n, struct net_layer *L,
		    struct rng *g);
	/* 1 if it hands its input on unchanged (its x is its y) */
	int	(*through)(const struct net_layer *L, int train);
	/* -1 with a message if a batch of B cannot go through layer l */
	int	(*check)(const struct net_layer *L, int l, long B, int train);
	void	(*forward)(struct fwd *f, struct net_layer *L, int l);
	void	(*backward)(struct bwd *b, struct net_layer *L, int l);
	/* its own words of its "#@ layer" line, snprintf-style at *len */
	void	(*describe)(char *buf, size_t size, size_t *len,
		    const struct net_layer *L);
};

#define NT_WEIGHTS	0x1	/* a dense or conv2d: the model needs one */
#define NT_SHARES	0x2	/* its weight gradient is summed per thread
				   (n->pgrad) and the shares added */

extern const struct net_type net_types[LAYER_NTYPES];

/* netact.c: the activations (see there). */
void net_dense_epilogue(float *restrict y, float *restrict z,
    float *restrict phi, const float *restrict b, long B, long n, long ld,
    int act);
void net_dense_dact(float *restrict g, const float *restrict y,
    const float *restrict z, const float *restrict phi, float *restrict db,
    long B, long n, int act);
void net_conv_epilogue(float *y, float *z, float *phi, long c,
    const float *t, const float *b, long nb, long F, long P, int act,
    const struct net_layer *Q, long b0);
void net_conv_dact(float *dt, const float *g, const float *y,
    const float *z, const float *phi, long c, float *db, long nb, long F,
    long P, int act);

/* netpass.c: each type's way forward and back. */
void net_dense_forward(struct fwd *f, struct net_layer *L, int l);
void net_dense_backward(struct bwd *b, struct net_layer *L, int l);
void net_dropout_forward(struct fwd *f, struct net_layer *L, int l);
void net_dropout_backward(struct bwd *b, struct net_layer *L, int l);
void net_conv_forward(struct fwd *f, struct net_layer *L, int l);
void net_conv_backward(struct bwd *b, struct net_layer *L, int l);
void net_maxpool_forward(struct fwd *f, struct net_layer *L, int l);
void net_maxpool_backward(struct bwd *b, struct net_layer *L, int l);
void net_avgpool_forward(struct fwd *f, struct net_layer *L, int l);
void net_avgpool_backward(struct bwd *b, struct net_layer *L, int l);
void net_gap_forward(struct fwd *f, struct net_layer *L, int l);
void net_gap_backward(struct bwd *b, struct net_layer *L, int l);
void net_bn_forward(struct fwd *f, struct net_layer *L, int l);
void net_bn_backward(struct bwd *b, struct net_layer *L, int l);
void net_bn_back_part(struct bwd *b, struct net_layer *L, long c0, long c1);
void net_bn_sync_back(struct net *n, struct net_layer *L, float *g, long B,
    int below);
int net_bn_check(const struct net_layer *L, int l, long B, int train);

/* netpass.c: apply an update held back (a dense layer's), if any. */
void net_flush(const struct pass *a, struct deferred *u);

/* netres.c: the residual blocks, basicblock and bottleneck. */
int net_res_shape(struct net *n, struct net_layer *L,
    const struct cfg_layer *c, const char *where, int l);
long net_res_acts(struct net *n, struct net_layer *L, long off, long *aoff,
    int assign);
void net_res_params(struct net *n, struct net_layer *L, long *soff);
void net_res_init(const struct net *n, struct net_layer *L, struct rng *g);
int net_res_check(const struct net_layer *L, int l, long B, int train);
void net_res_forward(struct fwd *f, struct net_layer *L, int l);
void net_res_backward(struct bwd *b, struct net_layer *L, int l);
void net_res_describe(char *buf, size_t size, size_t *len,
    const struct net_layer *L);

/*
 * The layers of m->arch (resnet18, resnet34, resnet50) for K outputs in
 * x, as torchvision builds them, and their names (conv1, bn1, maxpool,
 * layer1.0 .. layer4.N, avgpool, fc) in names (CFG_MAXLAYERS of them).
 * 0, or -1 with a message for an unknown arch.
 */
int net_res_arch(const struct cfg_model *m, long K, struct cfg_model *x,
    char (*names)[NET_NAMEMAX]);

#endif
