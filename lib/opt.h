/*
 * opt.h - optimizers with PyTorch's update rules and defaults.
 *
 * The model keeps all parameters in one float block and their gradients
 * in a mirror block of the same layout.  It describes the trainable parts
 * as segments; a frozen layer has no segment, so it gets no update and no
 * optimizer state.  Moments live in blocks of the optimizer's own, sized
 * to the trainable parameters only.
 *
 *	SGD	 (torch.optim.SGD)  g += wd*p; b = mu*b + (1-damp)*g (b = g at
 *		 step 1); g = nesterov ? g + mu*b : b; p -= lr*g
 *	Adam	 (torch.optim.Adam) g += wd*p; m,v EMAs; bias-corrected;
 *		 p -= lr * mhat / (sqrt(vhat) + eps)
 *	AdamW	 (torch.optim.AdamW) p *= 1 - lr*wd, then Adam without L2
 *	RMSprop	 (torch.optim.RMSprop) g += wd*p; v = a*v + (1-a)*g^2;
 *		 with momentum: b = mu*b + g/(sqrt(v)+eps), p -= lr*b;
 *		 else p -= lr*g/(sqrt(v)+eps)
 *
 * State is float32 and the updates compute in float32 in torch's order of
 * operations, so parameters agree with torch to about 1e-7 relative.
 */
#ifndef LRF_OPT_H
#define LRF_OPT_H

#include <stddef.h>

#include "cfg.h"

/*
 * The optimizers.  A new one is a value here, its name in opt_names and
 * its row of the table in opt.c (defaults, moments, update kernel, the
 * words that describe it); its settings, if they are new, are keys of
 * the optimizer section (cfg.h, cfg.c).
 */
enum { OPT_SGD, OPT_ADAM, OPT_ADAMW, OPT_RMSPROP, OPT_N };

/* "sgd", "adam", "adamw", "rmsprop", NULL: the one list of their names. */
extern const char *const opt_names[];

struct opt_seg {
	long	 off;		/* first parameter in the block */
	long	 n;		/* how many */
	float	 lr_mult;	/* learning-rate multiplier (1 normally) */
};

struct opt {
	int	 kind;		/* OPT_* */
	double	 momentum, dampening, wd, beta1, beta2, eps, alpha;
					/* as configured; wd resolved */
	int	 nesterov;
	long	 t;		/* steps taken */
	struct opt_seg *seg;	/* copy of the segments */
	int	 nseg;
	long	 n;		/* trainable parameters, sum of seg[].n */
	float	*m;		/* (n) momentum buffer / first moment */
	float	*v;		/* (n) second moment / square average */
};

/*
 * The momentum c asks for: c->momentum, or where that is < 0 (unset) the
 * optimizer's default: 0.9 for sgd, 0 for rmsprop (and for adam and
 * adamw, which have none).  Never fails.
 */
double opt_momentum(const struct cfg_optimizer *c);

/* The weight decay c asks for: c->weight_decay, or where that is < 0 the
 * optimizer's default: 0.01 for adamw, else 0.  Never fails. */
double opt_weight_decay(const struct cfg_optimizer *c);

/* The floats the optimizer c keeps per trainable parameter (its moments:
 * 0, 1 or 2), as opt_init will allocate them.  Never fails. */
int opt_nmoments(const struct cfg_optimizer *c);

/*
 * Set up an optimizer for the given segments from the config (momentum
 * and weight decay resolved by opt_momentum and opt_weight_decay).
 * Allocates the moment blocks, zeroed.  Returns 0, or -1 with a message.
 */
int opt_init(struct opt *o, const struct cfg_optimizer *c,
    const struct opt_seg *seg, int nseg);

/*
 * One step at learning rate lr (times each segment's lr_mult): updates p
 * (the whole parameter block) from g (its gradient mirror) in each
 * segment; parameters outside the segments are not touched.  Allocates
 * nothing.  The reference the tests hold opt_begin + opt_update to;
 * lrf-train steps through the net (net_backward_update).
 */
void opt_step(struct opt *o, float *p, const float *g, double lr);

/*
 * opt_step in parts, for threads that share the parameters: opt_begin
 * counts the step (once), then opt_update applies it to the trainable
 * parameters [lo, hi) (indices into the segments laid end to end, 0 <=
 * lo <= hi <= o->n); disjoint parts may be updated at the same time, and
 * the parts of [0, o->n) together give the same bits as opt_step.
 */
void opt_begin(struct opt *o);
void opt_update(struct opt *o, float *p, const float *g, double lr, long lo,
    long hi);

/*
 * opt_update of the parameters [off, off + n) of the block (offsets into
 * p, as the segments'), which lie in one segment; nothing if off is in
 * none (a frozen layer's).
 */
void opt_update_at(struct opt *o, float *p, const float *g, double lr,
    long off, long n);

/*
 * Describe o for the "#@ model" line, snprintf-style (the length needed
 * is returned): "optimizer=sgd momentum=0.9 dampening=0 nesterov=0
 * weight_decay=0", the optimizer's own settings between its name and the
 * weight decay (adam, adamw: beta1 beta2 eps; rmsprop: alpha eps
 * momentum), momentum and weight decay as resolved.
 */
int opt_describe(char *buf, size_t size, const struct opt *o);

/* Forget all state (moments zero, t = 0), as a fresh optimizer.  Only
 * the tests call it. */
void opt_reset(struct opt *o);

void opt_free(struct opt *o);

#endif
