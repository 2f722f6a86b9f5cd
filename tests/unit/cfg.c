/* Unit tests for the configuration loader and writer (lib/cfg.c). */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cfg.h"
#include "data.h"
#include "err.h"
#include "names.h"
#include "net.h"
#include "opt.h"
#include "tap.h"

static char top[PATH_MAX];	/* the source tree */

/* Write text to cfg.yaml (in the test's temporary directory). */
static void
put(const char *name, const char *text, size_t n)
{
	FILE *fp;

	if ((fp = fopen(name, "wb")) == NULL ||
	    fwrite(text, 1, n, fp) != n || fclose(fp) != 0) {
		perror(name);
		exit(1);
	}
}

/* Load text as cfg.yaml over the defaults: cfg_load's result. */
static int
load(struct cfg *c, const char *text)
{
	cfg_defaults(c);
	err_clear();
	put("cfg.yaml", text, strlen(text));
	return cfg_load(c, "cfg.yaml");
}

/* text fails to load with exactly msg. */
static void
fails(const char *text, const char *msg)
{
	struct cfg c;
	char name[160];

	snprintf(name, sizeof(name), "rejected: %s", msg);
	if (!ok(load(&c, text) == -1, name))
		diag("loaded: %s", text);
	else if (strcmp(err_msg(), msg) != 0)
		is_str(err_msg(), msg, "  with that message");
}

/* text loads without error. */
static int
loads(struct cfg *c, const char *text, const char *name)
{
	int rc;

	rc = load(c, text);
	if (!ok(rc == 0, name))
		diag("%s", err_msg());
	return rc == 0;
}

/* The first field in which a and b differ, or NULL (file and the layers'
 * line:col are not compared). */
static const char *
differ(const struct cfg *a, const struct cfg *b)
{
	const struct cfg_layer *x, *y;
	int i;

#define F(f)	if (a->f != b->f) return #f
#define S(f)	if (strcmp(a->f, b->f) != 0) return #f
	F(finder.start_lr); F(finder.end_lr); F(finder.num_iter);
	S(finder.mode); F(finder.beta); F(finder.diverge_threshold);
	S(finder.suggest); S(finder.plot);
	S(scheduler.name); F(scheduler.lr); F(scheduler.max_lr);
	F(scheduler.base_lr); F(scheduler.min_lr); F(scheduler.gamma);
	F(scheduler.pct_start); F(scheduler.div_factor);
	F(scheduler.final_div_factor); F(scheduler.total_steps);
	F(scheduler.step_size); F(scheduler.warmup);
	F(data.format); S(data.images); S(data.labels); S(data.path);
	S(data.label_column); F(data.header); F(data.delimiter); F(data.kind);
	F(data.samples); F(data.features); F(data.classes); F(data.task);
	F(data.scale); F(data.standardize); F(data.folds); F(data.fold);
	F(data.shape[0]); F(data.shape[1]); F(data.shape[2]); F(data.nkeep);
	for (i = 0; i < a->data.nkeep; i++)
		F(data.keep[i]);
	F(data.nfeatcols); F(data.nignore);
	if (a->data.nfeatcols > 0 && memcmp(a->data.featcols,
	    b->data.featcols, sizeof(a->data.featcols)) != 0)
		return "data.featcols";
	if (a->data.nignore > 0 && memcmp(a->data.ignore, b->data.ignore,
	    sizeof(a->data.ignore)) != 0)
		return "data.ignore";
	F(model.nlayers); F(model.loss); F(model.init);
	F(model.arch); F(model.freeze_to); F(model.freeze_bn);
	for (i = 0; i < 6; i++)
		F(model.stage_lr_mult[i]);
	for (i = 0; i < a->model.nlayers; i++) {
		x = &a->model.layers[i];
		y = &b->model.layers[i];
		if (x->type != y->type || x->units != y->units ||
		    x->activation != y->activation || x->rate != y->rate ||
		    x->filters != y->filters || x->kernel != y->kernel ||
		    x->stride != y->stride || x->padding != y->padding ||
		    x->bias != y->bias || x->freeze != y->freeze ||
		    x->lr_mult != y->lr_mult)
			return "model.layers[i]";
	}
	F(optimizer.name); F(optimizer.momentum); F(optimizer.dampening);
	F(optimizer.nesterov); F(optimizer.weight_decay);
	F(optimizer.betas[0]); F(optimizer.betas[1]); F(optimizer.eps);
	F(optimizer.alpha);
	F(train.batch_size); F(train.accum); F(train.seed); F(train.threads);
	S(train.device); F(train.val_size);
#undef F
#undef S
	return NULL;
}

static void
same(const struct cfg *a, const struct cfg *b, const char *name)
{
	const char *d;

	d = differ(a, b);
	if (!ok(d == NULL, name))
		diag("first difference: %s", d);
}

/* Write a, read it back over start: the same configuration. */
static void
round_trip(const struct cfg *a, const struct cfg *start, const char *name)
{
	struct cfg b;
	FILE *fp;
	char t[160];

	b = *start;
	fp = fopen("rt.yaml", "w");
	snprintf(t, sizeof(t), "%s: written", name);
	if (!ok(fp != NULL && cfg_write(fp, a) == 0 && fclose(fp) == 0, t)) {
		diag("%s", err_msg());
		return;
	}
	snprintf(t, sizeof(t), "%s: read back", name);
	if (!ok(cfg_load(&b, "rt.yaml") == 0, t)) {
		diag("%s", err_msg());
		return;
	}
	snprintf(t, sizeof(t), "%s: the same values", name);
	same(a, &b, t);
}

static void
test_defaults(void)
{
	struct cfg c;
	const struct cfg_layer *y;

	/*
	 * Numbers here and below compare exactly: a default is the same
	 * literal, and a parsed one goes through strtod, which rounds the
	 * decimal correctly, as the compiler does the literal.
	 */
	memset(&c, 0x5a, sizeof(c));
	cfg_defaults(&c);
	is_str(c.file, "", "default: no file");
	ok(c.finder.start_lr == 1e-7 && c.finder.end_lr == 1 &&
	    c.finder.num_iter == 100 && strcmp(c.finder.mode, "exp") == 0 &&
	    c.finder.beta == 0.98 && c.finder.diverge_threshold == 4 &&
	    strcmp(c.finder.suggest, "floor") == 0, "default finder");
	ok(c.scheduler.name[0] == '\0' && c.scheduler.lr == 0.01 &&
	    c.scheduler.max_lr == 0.01 && c.scheduler.base_lr == 0.001 &&
	    c.scheduler.min_lr == 0 && c.scheduler.gamma == 0 &&
	    c.scheduler.pct_start == 0.3 && c.scheduler.div_factor == 25 &&
	    c.scheduler.final_div_factor == 1e4 &&
	    c.scheduler.total_steps == 1000 && c.scheduler.step_size == 100 &&
	    c.scheduler.warmup == 0, "default scheduler");
	ok(c.data.format == DATA_IDX && strcmp(c.data.images,
	    "/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz") == 0
	    && strcmp(c.data.labels,
	    "/usr/share/datasets/fashion-mnist/train-labels-idx1-ubyte.gz") == 0
	    && c.data.path[0] == '\0' && strcmp(c.data.label_column, "0") == 0
	    && c.data.header == 1 && c.data.delimiter == ',' &&
	    c.data.kind == SYN_BLOBS && c.data.samples == 2000 &&
	    c.data.features == 20 && c.data.classes == 4 &&
	    c.data.task == TASK_CLASSIFICATION && c.data.scale == 0 &&
	    c.data.standardize == 0 && c.data.folds == 5 && c.data.fold == 0 &&
	    c.data.shape[0] == 0 && c.data.shape[1] == 0 &&
	    c.data.shape[2] == 0 && c.data.nkeep == 0, "default data");
	is_int(c.model.nlayers, 0, "default model: ~, the default for the "
	    "data");
	net_default(&c.model, 0, 10);
	is_int(c.model.nlayers, 2, "default for vectors: two layers");
	y = c.model.layers;
	ok(y[0].type == LAYER_DENSE && y[0].units == 256 &&
	    y[0].activation == ACT_RELU && y[0].freeze == 0 &&
	    y[0].lr_mult == 1 && y[0].bias == 1 && y[1].type == LAYER_DENSE &&
	    y[1].units == 10 && y[1].activation == ACT_IDENTITY &&
	    y[1].lr_mult == 1, "default for vectors, 10 classes: dense 256 "
	    "relu, dense 10");
	net_default(&c.model, 1, 3);
	ok(c.model.nlayers == 6 && y[0].type == LAYER_CONV2D &&
	    y[0].filters == 16 && y[0].kernel == 3 && y[0].stride == 1 &&
	    y[0].padding == -1 && y[0].activation == ACT_RELU &&
	    y[1].type == LAYER_MAXPOOL2D && y[1].kernel == 2 &&
	    y[1].stride == 2 && y[2].filters == 32 &&
	    y[4].type == LAYER_GLOBALAVGPOOL && y[5].type == LAYER_DENSE &&
	    y[5].units == 3, "default for images, 3 classes: a small CNN");
	ok(c.model.loss == LOSS_CE && c.model.init == INIT_HE,
	    "default loss and init");
	ok(c.optimizer.name == OPT_SGD && c.optimizer.momentum == -1 &&
	    c.optimizer.dampening == 0 && c.optimizer.nesterov == 0 &&
	    c.optimizer.weight_decay == -1 && c.optimizer.betas[0] == 0.9 &&
	    c.optimizer.betas[1] == 0.999 && c.optimizer.eps == 1e-8 &&
	    c.optimizer.alpha == 0.99, "default optimizer");

	/* momentum -1: the optimizer's own, as torch.optim's defaults */
	is_double(opt_momentum(&c.optimizer), 0.9, 0,
	    "default momentum of sgd: 0.9");
	c.optimizer.name = OPT_RMSPROP;
	is_double(opt_momentum(&c.optimizer), 0, 0,
	    "default momentum of rmsprop: 0, as torch.optim.RMSprop");
	c.optimizer.name = OPT_ADAM;
	is_double(opt_momentum(&c.optimizer), 0, 0,
	    "default momentum of adam: 0 (it has none)");
	c.optimizer.name = OPT_ADAMW;
	is_double(opt_momentum(&c.optimizer), 0, 0,
	    "default momentum of adamw: 0 (it has none)");
	c.optimizer.momentum = -0.5;
	c.optimizer.name = OPT_SGD;
	is_double(opt_momentum(&c.optimizer), 0.9, 0,
	    "any negative momentum is the default");
	c.optimizer.momentum = 0;
	is_double(opt_momentum(&c.optimizer), 0, 0,
	    "sgd with momentum 0: 0, not the default");
	c.optimizer.momentum = 0.5;
	c.optimizer.name = OPT_RMSPROP;
	is_double(opt_momentum(&c.optimizer), 0.5, 0,
	    "rmsprop with momentum 0.5: 0.5");
	ok(c.train.batch_size == 64 && c.train.accum == 1 &&
	    c.train.seed == 42 && c.train.threads == 0 &&
	    strcmp(c.train.device, "cpu") == 0 && c.train.val_size == 1024,
	    "default train");
}

static void
test_full(void)
{
	struct cfg c, d;
	const struct cfg_layer *y;
	char path[PATH_MAX + 64];

	snprintf(path, sizeof(path), "%s/tests/data/cfg-full.yaml", top);
	cfg_defaults(&c);
	if (!ok(cfg_load(&c, path) == 0, "cfg-full.yaml loads"))
		diag("%s", err_msg());
	is_str(c.file, path, "file is the path loaded");
	ok(c.finder.start_lr == 1e-6 && c.finder.end_lr == 10 &&
	    c.finder.num_iter == 0 && strcmp(c.finder.mode, "linear") == 0 &&
	    c.finder.beta == 0.9 && c.finder.diverge_threshold == 5.5 &&
	    strcmp(c.finder.suggest, "valley") == 0, "finder keys");
	ok(strcmp(c.scheduler.name, "onecycle") == 0 &&
	    c.scheduler.lr == 0.05 && c.scheduler.max_lr == 0.002 &&
	    c.scheduler.base_lr == 0.0001 && c.scheduler.min_lr == 1e-5 &&
	    c.scheduler.gamma == 0.5 && c.scheduler.pct_start == 0.25 &&
	    c.scheduler.div_factor == 10 && c.scheduler.final_div_factor == 100
	    && c.scheduler.total_steps == 2000 && c.scheduler.step_size == 250
	    && c.scheduler.warmup == 50, "scheduler keys");
	ok(c.data.format == DATA_CSV && strcmp(c.data.images, "img.idx") == 0
	    && strcmp(c.data.labels, "lab.idx") == 0 &&
	    strcmp(c.data.path, "data dir/train.csv") == 0 &&
	    strcmp(c.data.label_column, "species") == 0 &&
	    c.data.header == 0 && c.data.delimiter == '\t', "data: csv keys");
	ok(c.data.kind == SYN_SPIRALS && c.data.samples == 300 &&
	    c.data.features == 2 && c.data.classes == 4 &&
	    c.data.task == TASK_REGRESSION && c.data.scale == 0.5 &&
	    c.data.standardize == 1 && c.data.folds == 4 && c.data.fold == 3,
	    "data: synthetic, task, scale, folds");
	ok(c.data.shape[0] == 3 && c.data.shape[1] == 32 &&
	    c.data.shape[2] == 32, "data.shape [3, 32, 32]");
	ok(c.data.nkeep == 5 && c.data.keep[0] == 5 && c.data.keep[4] == 9,
	    "data.classes as a list: keep 5..9");
	is_int(c.model.nlayers, 10, "ten layers");
	y = c.model.layers;
	ok(y[0].type == LAYER_CONV2D && y[0].filters == 32 &&
	    y[0].kernel == 3 && y[0].stride == 1 && y[0].padding == -1 &&
	    y[0].activation == ACT_RELU && y[0].bias == 1 && y[0].freeze == 1 &&
	    y[0].lr_mult == 1, "conv2d: padding same, stride 1, frozen");
	ok(y[0].line == 44 && y[0].col == 7 && y[1].line == 50 &&
	    y[1].col == 7, "layers' line:column (block and flow)");
	ok(y[1].type == LAYER_MAXPOOL2D && y[1].kernel == 2 &&
	    y[1].stride == 2 && y[1].padding == 0,
	    "maxpool2d: stride defaults to the kernel");
	ok(y[2].type == LAYER_CONV2D && y[2].filters == 64 &&
	    y[2].kernel == 5 && y[2].stride == 2 && y[2].padding == 1 &&
	    y[2].bias == 0 && y[2].lr_mult == 0.1 && y[2].freeze == 0 &&
	    y[2].activation == ACT_IDENTITY, "conv2d: stride, padding, bias");
	ok(y[3].type == LAYER_AVGPOOL2D && y[3].kernel == 3 &&
	    y[3].stride == 1 && y[3].padding == 1, "avgpool2d");
	ok(y[4].type == LAYER_BATCHNORM && y[4].freeze == 1 &&
	    y[4].lr_mult == 0.5, "batchnorm: freeze, lr_mult");
	ok(y[5].type == LAYER_FLATTEN, "flatten");
	ok(y[6].type == LAYER_DROPOUT && y[6].rate == 0.5,
	    "dropout: rate 0.5 by default");
	ok(y[7].type == LAYER_DENSE && y[7].units == 128 &&
	    y[7].activation == ACT_GELU, "dense gelu");
	ok(y[8].type == LAYER_DROPOUT && y[8].rate == 0.25, "dropout 0.25");
	ok(y[9].type == LAYER_DENSE && y[9].units == 3 &&
	    y[9].activation == ACT_LEAKY_RELU, "dense leaky_relu");
	ok(c.model.loss == LOSS_MSE && c.model.init == INIT_XAVIER,
	    "model.loss, model.init");
	ok(c.optimizer.name == OPT_RMSPROP && c.optimizer.momentum == 0.5 &&
	    c.optimizer.dampening == 0.1 && c.optimizer.nesterov == 0 &&
	    c.optimizer.weight_decay == 0.0005 && c.optimizer.betas[0] == 0.8
	    && c.optimizer.betas[1] == 0.99 && c.optimizer.eps == 1e-6 &&
	    c.optimizer.alpha == 0.9, "optimizer keys");
	ok(c.train.batch_size == 128 && c.train.accum == 4 &&
	    c.train.seed == 18446744073709551615UL && c.train.threads == 2 &&
	    strcmp(c.train.device, "cpu") == 0 && c.train.val_size == 500,
	    "train keys (seed up to 2^64-1)");

	/* round trips: full over defaults, defaults over full */
	cfg_defaults(&d);
	round_trip(&c, &d, "full config");
	round_trip(&d, &c, "defaults over a full config");

	/* a failed load leaves the configuration as it was */
	d = c;
	put("bad.yaml", "finder:\n  beta: 0.5\n  end_lr: 100\n"
	    "model:\n  layers:\n    - {type: dense, units: 3}\n"
	    "train:\n  seed: x\n", 76);
	ok(cfg_load(&d, "bad.yaml") == -1, "a bad last key fails the load");
	same(&c, &d, "nothing of the failed file is kept");
	is_str(d.file, path, "file still names the last good load");
}

static void
test_values(void)
{
	struct cfg c, d;

	/* an empty file, comments only, an empty document: no change */
	cfg_defaults(&d);
	if (loads(&c, "", "an empty file loads"))
		same(&c, &d, "an empty file changes nothing");
	if (loads(&c, "# nothing\n\n   # here\n", "comments only"))
		same(&c, &d, "comments only change nothing");
	if (loads(&c, "---\n", "an empty document"))
		same(&c, &d, "an empty document changes nothing");
	if (loads(&c, "finder:\nscheduler: ~\ntrain: {}\n", "empty sections"))
		same(&c, &d, "empty sections change nothing");
	is_str(c.file, "cfg.yaml", "file is set after a load");

	/* other spellings */
	if (loads(&c, "finder: {start_lr: 1e-6, end_lr: 3, num_iter: 2}\n",
	    "a flow mapping"))
		ok(c.finder.start_lr == 1e-6 && c.finder.end_lr == 3 &&
		    c.finder.num_iter == 2, "flow mapping values");
	if (loads(&c, "\"finder\":\n  'beta': \"0.5\"\n", "quoted keys"))
		is_double(c.finder.beta, 0.5, 0, "quoted number");
	if (loads(&c, "finder:\r\n  beta: 0.25\r\n", "CRLF lines"))
		is_double(c.finder.beta, 0.25, 0, "CRLF value");
	if (loads(&c, "finder:\n  beta:\t0.75   # tab after the colon\n",
	    "a tab after the colon is not indentation"))
		is_double(c.finder.beta, 0.75, 0, "value after a tab");
	if (loads(&c, "finder:\n  num_iter: 0\n", "num_iter 0 (unbounded)"))
		is_int(c.finder.num_iter, 0, "num_iter 0");
	if (loads(&c, "data:\n  classes: 10\n  header: False\n"
	    "  standardize: on\n  label_column: '+03'\n  delimiter: ';'\n",
	    "classes as a count"))
		ok(c.data.classes == 10 && c.data.nkeep == 0 &&
		    c.data.header == 0 && c.data.standardize == 1 &&
		    strcmp(c.data.label_column, "3") == 0 &&
		    c.data.delimiter == ';', "count, booleans, column 3, ';'");
	if (loads(&c, "data:\n  folds: 1\n", "folds 1: no validation split"))
		is_int(c.data.folds, 1, "folds 1");
	if (loads(&c, "data:\n  folds: 2\n  fold: 1\n", "fold 1 of 2"))
		is_int(c.data.fold, 1, "fold 1");
	if (loads(&c, "scheduler:\n  name: step\n  gamma: 0.5\n"
	    "optimizer:\n  name: adamw\n  weight_decay: 0.1\n",
	    "gamma and weight_decay"))
		ok(strcmp(c.scheduler.name, "step") == 0 &&
		    c.scheduler.gamma == 0.5 && c.optimizer.name == OPT_ADAMW &&
		    c.optimizer.weight_decay == 0.1, "step 0.5, adamw 0.1");
	if (loads(&c, "scheduler:\n  name: ~\n  gamma: ~\n"
	    "optimizer:\n  weight_decay: null\n  momentum: ~\n"
	    "data:\n  scale:\n  shape: ~\n", "~ means the default"))
		ok(c.scheduler.name[0] == '\0' && c.scheduler.gamma == 0 &&
		    c.optimizer.weight_decay == -1 &&
		    c.optimizer.momentum == -1 && c.data.scale == 0 &&
		    c.data.shape[0] == 0, "~ stores the sentinels");
	if (loads(&c, "optimizer: {name: rmsprop}\n",
	    "rmsprop without momentum"))
		ok(c.optimizer.momentum == -1 &&
		    opt_momentum(&c.optimizer) == 0,
		    "rmsprop without momentum: unset, 0 resolved");
	if (loads(&c, "optimizer: {name: rmsprop, momentum: 0.9}\n",
	    "rmsprop with momentum 0.9"))
		ok(c.optimizer.momentum == 0.9 &&
		    opt_momentum(&c.optimizer) == 0.9,
		    "rmsprop with momentum 0.9: 0.9");
	if (loads(&c, "optimizer: {name: sgd, momentum: 0}\n",
	    "sgd with momentum 0"))
		ok(c.optimizer.momentum == 0 &&
		    opt_momentum(&c.optimizer) == 0, "sgd momentum 0 is 0");
	if (loads(&c, "optimizer:\n  nesterov: true\n",
	    "nesterov with sgd's default momentum"))
		ok(c.optimizer.nesterov == 1 && c.optimizer.momentum == -1 &&
		    opt_momentum(&c.optimizer) == 0.9,
		    "nesterov true, momentum 0.9 resolved");
	if (loads(&c, "optimizer:\n  nesterov: true\n  momentum: 0.5\n",
	    "nesterov with momentum"))
		is_int(c.optimizer.nesterov, 1, "nesterov true");
	if (loads(&c, "model:\n  layers:\n    - {type: conv2d, filters: 4, "
	    "kernel: 3, padding: valid}\n    - {type: flatten}\n",
	    "padding valid"))
		ok(c.model.nlayers == 2 && c.model.layers[0].padding == 0,
		    "valid is padding 0; the list replaces the default");
	if (loads(&c, "model:\n  layers:\n    - {type: batchnorm, "
	    "activation: relu}\n    - {type: basicblock, filters: 64}\n"
	    "    - {type: bottleneck, filters: 128, stride: 2, lr_mult: 0.1}"
	    "\n", "blocks"))
		ok(c.model.nlayers == 3 && c.model.layers[0].activation ==
		    ACT_RELU && c.model.layers[1].type == LAYER_BASICBLOCK &&
		    c.model.layers[1].filters == 64 &&
		    c.model.layers[1].stride == 1 &&
		    c.model.layers[2].type == LAYER_BOTTLENECK &&
		    c.model.layers[2].filters == 128 &&
		    c.model.layers[2].stride == 2 &&
		    c.model.layers[2].lr_mult == 0.1,
		    "batchnorm relu; basicblock stride 1; bottleneck");
	if (loads(&c, "model:\n  arch: resnet50\n", "model.arch"))
		ok(c.model.arch == ARCH_RESNET50, "model.arch resnet50");
	if (loads(&c, "model:\n  arch: resnet18\n  freeze_to: layer4\n"
	    "  freeze_bn: true\n  stage_lr_mult: [0.01, 0.1, 0.1, 0.3, 1, "
	    "10]\n", "freeze_to, freeze_bn, stage_lr_mult"))
		ok(c.model.freeze_to == 5 && c.model.freeze_bn == 1 &&
		    c.model.stage_lr_mult[0] == 0.01 &&
		    c.model.stage_lr_mult[3] == 0.3 &&
		    c.model.stage_lr_mult[5] == 10,
		    "freeze_to layer4 (5), freeze_bn, the six multipliers");
	if (loads(&c, "train:\n  seed: 0\n  threads: 0\n", "seed 0"))
		ok(c.train.seed == 0, "seed 0");
	if (loads(&c, "data:\n  path: \"\"\n  images:\n", "empty paths"))
		ok(c.data.path[0] == '\0' && c.data.images[0] == '\0',
		    "empty paths are empty");
}

static void
test_errors(void)
{
	char *big, *p;
	size_t i, n;
	struct cfg c;

	/* the messages of lrf-config(5) */
	fails("finder:\n  start_lr: 1e-7\n  num_iter: abc\n",
	    "cfg.yaml:3:13: finder.num_iter: 'abc' is not an integer");
	fails("finder:\n  start_lr: 1e-7\n  end_lr: 1\n  beta: 2\n",
	    "cfg.yaml:4:9: finder.beta: 2 is out of range [0, 1)");
	fails("finder:\n  start_lr: 1.0e-7\n  end_lr: 1.0\n  num_iter: 100\n"
	    "  mode: exp\n  beta: 0.98\n  diverge_treshold: 4.0\n",
	    "cfg.yaml:7:3: unknown key 'diverge_treshold' in finder "
	    "(did you mean 'diverge_threshold'?)");
	fails("findr:\n  beta: 0.9\n",
	    "cfg.yaml:1:1: unknown section 'findr' (did you mean 'finder'?)");
	fails("finder:\n  start_lr: 1e-7\n  beta: 0.9\n  mode: exp\n"
	    "  beta: 0.5\n", "cfg.yaml:5:3: duplicate key 'beta' in finder");
	fails("finder:\n  beta: 0.9\nfinder:\n  mode: exp\n",
	    "cfg.yaml:3:1: duplicate section 'finder'");
	fails("optimizer:\n  name: adm\n", "cfg.yaml:2:9: optimizer.name: "
	    "'adm' is not one of sgd, adam, adamw, rmsprop");
	fails("- finder\n- data\n", "cfg.yaml:1:1: the document is not a "
	    "mapping");
	fails("hello\n", "cfg.yaml:1:1: the document is not a mapping");
	fails("finder: 3\n", "cfg.yaml:1:9: finder: the section is not a "
	    "mapping");
	fails("model:\n  - dense\n", "cfg.yaml:2:3: model: the section is not "
	    "a mapping");
	fails("finder:\n  beta: 0.9\n\tmode: exp\n",
	    "cfg.yaml:3:1: tab character in indentation");
	fails("finder:\n  beta: 0.9\n  \tmode: exp\n",
	    "cfg.yaml:3:3: tab character in indentation");
	fails("finder:\n  mode: exp\n    linear\n\tlog\n",
	    "cfg.yaml:4:1: tab character in indentation");
	fails("finder:\n  beta: [1, 2\n",
	    "cfg.yaml:3:1: did not find expected ',' or ']'");
	fails("finder:\n  beta: 1\n mode: exp\n",
	    "cfg.yaml:3:2: did not find expected key");
	fails("finder:\n  beta: 'x\n",
	    "cfg.yaml:3:1: found unexpected end of stream");
	fails("finder: {beta: 0.9}\n---\nfinder: {}\n",
	    "cfg.yaml:2:1: more than one document");
	err_clear();
	cfg_defaults(&c);
	ok(cfg_load(&c, "nofile.yaml") == -1, "a missing file fails");
	is_str(err_msg(), "nofile.yaml: cannot open: No such file or "
	    "directory", "  with that message");
	mkdir("dir.yaml", 0700);
	ok(cfg_load(&c, "dir.yaml") == -1, "a directory fails");
	is_str(err_msg(), "dir.yaml: cannot read: Is a directory",
	    "  with that message");
	if (getuid() != 0) {
		put("noread.yaml", "finder: {}\n", 11);
		chmod("noread.yaml", 0);
		ok(cfg_load(&c, "noread.yaml") == -1, "an unreadable file "
		    "fails");
		is_str(err_msg(), "noread.yaml: cannot open: Permission "
		    "denied", "  with that message");
	} else {
		skip(2, "root reads every file");
	}

	/* unknown keys: a suggestion only when it is near */
	fails("finder:\n  xyzzy: 1\n", "cfg.yaml:2:3: unknown key 'xyzzy' "
	    "in finder");
	fails("fnord:\n", "cfg.yaml:1:1: unknown section 'fnord'");
	fails("train:\n  batchsize: 32\n", "cfg.yaml:2:3: unknown key "
	    "'batchsize' in train (did you mean 'batch_size'?)");
	fails("finder:\n  start-lr: 1e-7\n", "cfg.yaml:2:3: unknown key "
	    "'start-lr' in finder (did you mean 'start_lr'?)");
	fails("optimizer:\n  lr: 0.1\n", "cfg.yaml:2:3: unknown key 'lr' in "
	    "optimizer");
	fails("finder:\n  ? [a]\n  : 1\n", "cfg.yaml:2:5: finder: a key is a "
	    "sequence, not a name");
	fails("[a]: 1\n", "cfg.yaml:1:1: a section name is a sequence, not a "
	    "name");

	/* numbers */
	fails("finder:\n  beta: nan\n", "cfg.yaml:2:9: finder.beta: 'nan' is "
	    "not a finite number");
	fails("finder:\n  start_lr: 1e999\n", "cfg.yaml:2:13: "
	    "finder.start_lr: '1e999' is not a finite number");
	fails("finder:\n  end_lr: -inf\n", "cfg.yaml:2:11: finder.end_lr: "
	    "'-inf' is not a finite number");
	fails("finder:\n  beta: .5x\n", "cfg.yaml:2:9: finder.beta: '.5x' is "
	    "not a number");
	fails("finder:\n  beta: 0x1p-1\n", "cfg.yaml:2:9: finder.beta: "
	    "'0x1p-1' is not a number");
	fails("finder:\n  beta:\n", "cfg.yaml:2:8: finder.beta: the value is "
	    "missing");
	fails("finder:\n  beta: [0.5]\n", "cfg.yaml:2:9: finder.beta: "
	    "expected a number, found a sequence");
	fails("finder:\n  beta: {a: 1}\n", "cfg.yaml:2:9: finder.beta: "
	    "expected a number, found a mapping");
	fails("finder:\n  num_iter: 1e3\n", "cfg.yaml:2:13: finder.num_iter: "
	    "'1e3' is not an integer");
	fails("finder:\n  num_iter: 3.0\n", "cfg.yaml:2:13: finder.num_iter: "
	    "'3.0' is not an integer");
	fails("finder:\n  num_iter: 99999999999999999999\n", "cfg.yaml:2:13: "
	    "finder.num_iter: 99999999999999999999 is out of range [0, inf)");
	fails("finder:\n  num_iter: -5\n", "cfg.yaml:2:13: finder.num_iter: "
	    "-5 is out of range [0, inf)");
	fails("finder:\n  num_iter: 1\n", "cfg.yaml:2:13: finder.num_iter: "
	    "1 is neither 0 (unbounded) nor at least 2");
	fails("finder:\n  start_lr: 0\n", "cfg.yaml:2:13: finder.start_lr: "
	    "0 is out of range (0, inf)");
	fails("finder:\n  beta: -0.1\n", "cfg.yaml:2:9: finder.beta: -0.1 is "
	    "out of range [0, 1)");
	fails("finder:\n  diverge_threshold: 1\n", "cfg.yaml:2:22: "
	    "finder.diverge_threshold: 1 is out of range (1, inf)");
	fails("finder:\n  end_lr: 1e-8\n", "cfg.yaml:2:11: finder.end_lr: "
	    "1e-08 is not greater than finder.start_lr (1e-07)");
	fails("finder:\n  start_lr: 2\n", "cfg.yaml:2:13: finder.start_lr: "
	    "2 is not less than finder.end_lr (1)");
	fails("finder:\n  mode: cubic\n", "cfg.yaml:2:9: finder.mode: 'cubic' "
	    "is not one of exp, linear");
	fails("finder:\n  suggest: best\n", "cfg.yaml:2:12: finder.suggest: "
	    "'best' is not one of steep, minimum, valley, slide, balanced, "
	    "floor, all");

	/* scheduler */
	fails("scheduler:\n  name: cyclic\n", "cfg.yaml:2:9: scheduler.name: "
	    "'cyclic' is not one of constant, step, cosine, onecycle, "
	    "triangular, triangular2, exp_range, exp, linear");
	fails("scheduler:\n  lr: -1\n", "cfg.yaml:2:7: scheduler.lr: -1 is "
	    "out of range [0, inf)");
	fails("scheduler:\n  gamma: 0\n", "cfg.yaml:2:10: scheduler.gamma: 0 "
	    "is out of range (0, inf)");
	fails("scheduler:\n  pct_start: 1.5\n", "cfg.yaml:2:14: "
	    "scheduler.pct_start: 1.5 is out of range [0, 1]");
	fails("scheduler:\n  div_factor: 0\n", "cfg.yaml:2:15: "
	    "scheduler.div_factor: 0 is out of range (0, inf)");
	fails("scheduler:\n  total_steps: 0\n", "cfg.yaml:2:16: "
	    "scheduler.total_steps: 0 is out of range [1, inf)");
	fails("scheduler:\n  warmup: -1\n", "cfg.yaml:2:11: "
	    "scheduler.warmup: -1 is out of range [0, inf)");

	/* data */
	fails("data:\n  format: parquet\n", "cfg.yaml:2:11: data.format: "
	    "'parquet' is not one of idx, csv, synthetic, images");
	fails("data:\n  delimiter: ';;'\n", "cfg.yaml:2:14: data.delimiter: "
	    "';;' is not one character");
	fails("data:\n  delimiter: '.'\n", "cfg.yaml:2:14: data.delimiter: "
	    "'.' cannot separate numbers");
	fails("data:\n  header: maybe\n", "cfg.yaml:2:11: data.header: "
	    "'maybe' is not true or false");
	fails("data:\n  header: 1\n", "cfg.yaml:2:11: data.header: "
	    "'1' is not true or false");
	fails("data:\n  label_column: -1\n", "cfg.yaml:2:17: "
	    "data.label_column: -1 is out of range [0, inf)");
	fails("data:\n  label_column: "
	    "a_column_name_that_is_much_longer_than_the_sixty_three_bytes_allowed\n",
	    "cfg.yaml:2:17: data.label_column: the name is longer than 63 "
	    "bytes");
	fails("data:\n  kind: moons\n", "cfg.yaml:2:9: data.kind: 'moons' is "
	    "not one of blobs, spirals, linear");
	fails("data:\n  task: ranking\n", "cfg.yaml:2:9: data.task: 'ranking' "
	    "is not one of classification, regression");
	fails("data:\n  samples: 0\n", "cfg.yaml:2:12: data.samples: 0 is out "
	    "of range [1, 100000000]");
	fails("data:\n  features: 2.5\n", "cfg.yaml:2:13: data.features: "
	    "'2.5' is not an integer");
	fails("data:\n  classes: 1\n", "cfg.yaml:2:12: data.classes: 1 is out "
	    "of range [2, 1024]");
	fails("data:\n  classes: [3]\n", "cfg.yaml:2:12: data.classes: a list "
	    "of labels needs at least 2");
	fails("data:\n  classes: [1, 2, 1]\n", "cfg.yaml:2:19: "
	    "data.classes[2]: label 1 is listed twice");
	fails("data:\n  classes: [1, x]\n", "cfg.yaml:2:16: "
	    "data.classes[1]: 'x' is not an integer");
	fails("data:\n  classes: [0, -1]\n", "cfg.yaml:2:16: "
	    "data.classes[1]: -1 is out of range [0, inf)");
	fails("data:\n  classes: {a: 1}\n", "cfg.yaml:2:12: data.classes: "
	    "expected a class count or a list of labels, found a mapping");
	fails("data:\n  scale: 0\n", "cfg.yaml:2:10: data.scale: 0 is out of "
	    "range (0, inf)");
	fails("data:\n  folds: 0\n", "cfg.yaml:2:10: data.folds: 0 is out of "
	    "range [1, 1000000]");
	fails("data:\n  fold: 5\n", "cfg.yaml:2:9: data.fold: 5 is out of "
	    "range [0, 5)");
	fails("data:\n  folds: 3\n  fold: 3\n", "cfg.yaml:3:9: data.fold: 3 "
	    "is out of range [0, 3)");
	fails("data:\n  fold: 2\n  folds: 2\n", "cfg.yaml:2:9: data.fold: 2 "
	    "is out of range [0, 2)");
	load(&c, "data:\n  fold: 3\n");
	put("cfg2.yaml", "data:\n  folds: 2\n", 17);
	ok(cfg_load(&c, "cfg2.yaml") == -1, "folds below an earlier fold");
	is_str(err_msg(), "cfg2.yaml:2:10: data.folds: 2 is not more than "
	    "data.fold (3)", "  with that message");
	fails("data:\n  shape: [1, 28]\n", "cfg.yaml:2:10: data.shape: "
	    "expected [C, H, W], found 2 values");
	fails("data:\n  shape: 28\n", "cfg.yaml:2:10: data.shape: expected "
	    "[C, H, W], found a scalar");
	fails("data:\n  shape: [1, 0, 28]\n", "cfg.yaml:2:14: data.shape[1]: "
	    "0 is out of range [1, 65536]");
	fails("data:\n  images: [a, b]\n", "cfg.yaml:2:11: data.images: "
	    "expected a path, found a sequence");

	/* model */
	fails("model:\n  layers:\n    - {type: dense}\n", "cfg.yaml:3:7: "
	    "model.layers[0]: the dense layer needs units");
	fails("model:\n  layers:\n    - type: dense\n      units: 4\n"
	    "    - type: dense\n      activation: relu\n", "cfg.yaml:5:7: "
	    "model.layers[1]: the dense layer needs units");
	fails("model:\n  layers:\n    - {units: 10}\n", "cfg.yaml:3:7: "
	    "model.layers[0]: the layer has no type");
	fails("model:\n  layers:\n    - {type: conv2d, filters: 8}\n",
	    "cfg.yaml:3:7: model.layers[0]: the conv2d layer needs kernel");
	fails("model:\n  layers:\n    - {type: conv2d, kernel: 3}\n",
	    "cfg.yaml:3:7: model.layers[0]: the conv2d layer needs filters");
	fails("model:\n  layers:\n    - {type: maxpool2d}\n", "cfg.yaml:3:7: "
	    "model.layers[0]: the maxpool2d layer needs kernel");
	fails("model:\n  layers:\n    - {type: avgpool2d, stride: 2}\n",
	    "cfg.yaml:3:7: model.layers[0]: the avgpool2d layer needs kernel");
	fails("model:\n  layers:\n    - {type: dense, units: 10, rate: 0.5}\n",
	    "cfg.yaml:3:32: model.layers[0]: the dense layer has no key 'rate'");
	fails("model:\n  layers:\n    - {type: dense, unit: 10}\n",
	    "cfg.yaml:3:21: unknown key 'unit' in model.layers[0] (did you "
	    "mean 'units'?)");
	fails("model:\n  layers:\n    - {type: dense, units: 2, units: 3}\n",
	    "cfg.yaml:3:31: duplicate key 'units' in model.layers[0]");
	fails("model:\n  layers:\n    - {type: dens, units: 2}\n",
	    "cfg.yaml:3:14: model.layers[0].type: 'dens' is not one of dense, "
	    "dropout, conv2d, maxpool2d, avgpool2d, flatten, batchnorm, "
	    "globalavgpool, basicblock, bottleneck");
	fails("model:\n  arch: resnet18\n  layers:\n    - {type: flatten}\n",
	    "cfg.yaml:2:9: model.arch: resnet18 builds its own layers; give "
	    "model.layers or model.arch, not both");
	fails("model:\n  freeze_to: layer2\n",
	    "cfg.yaml:2:14: model.freeze_to: needs a model.arch (freeze "
	    "layers with their freeze key)");
	fails("model:\n  arch: resnet18\n  stage_lr_mult: [1, 1]\n",
	    "cfg.yaml:3:18: model.stage_lr_mult: expected [stem, layer1, "
	    "layer2, layer3, layer4, fc], found 2 values");
	fails("model:\n  arch: resnet18\n  stage_lr_mult: [1, 1, 1, 1, 1, "
	    "-1]\n", "cfg.yaml:3:34: model.stage_lr_mult[5]: -1 is out of "
	    "range [0, 3.4028234663852886e+38]");
	fails("model:\n  arch: resnet101\n",
	    "cfg.yaml:2:9: model.arch: 'resnet101' is not one of none, "
	    "resnet18, resnet34, resnet50");
	fails("model:\n  layers:\n    - {type: basicblock, kernel: 3}\n",
	    "cfg.yaml:3:26: model.layers[0]: the basicblock layer has no key "
	    "'kernel'");
	fails("model:\n  layers:\n    - {type: bottleneck, stride: 2}\n",
	    "cfg.yaml:3:7: model.layers[0]: the bottleneck layer needs "
	    "filters");
	fails("model:\n  layers:\n    - {type: dense, units: 0}\n",
	    "cfg.yaml:3:28: model.layers[0].units: 0 is out of range "
	    "[1, 1048576]");
	fails("model:\n  layers:\n    - {type: dense, units: 8, activation: "
	    "swish}\n", "cfg.yaml:3:43: model.layers[0].activation: 'swish' "
	    "is not one of identity, relu, leaky_relu, tanh, sigmoid, gelu");
	fails("model:\n  layers:\n    - {type: conv2d, filters: 8, kernel: 3, "
	    "padding: full}\n", "cfg.yaml:3:54: model.layers[0].padding: "
	    "'full' is not an integer or same");
	fails("model:\n  layers:\n    - {type: conv2d, filters: 8, kernel: 3, "
	    "padding: -2}\n", "cfg.yaml:3:54: model.layers[0].padding: -2 is "
	    "out of range [0, 1024]");
	fails("model:\n  layers:\n    - {type: dropout, rate: 1}\n",
	    "cfg.yaml:3:29: model.layers[0].rate: 1 is out of range [0, 1)");
	fails("model:\n  layers:\n    - {type: flatten, freeze: true}\n",
	    "cfg.yaml:3:23: model.layers[0]: the flatten layer has no key "
	    "'freeze'");
	fails("model:\n  layers:\n    - {type: dense, units: 4, lr_mult: -1}\n",
	    "cfg.yaml:3:40: model.layers[0].lr_mult: -1 is out of range "
	    "[0, 3.4028234663852886e+38]");
	fails("model:\n  layers:\n    - dense\n", "cfg.yaml:3:7: "
	    "model.layers[0]: expected a mapping, found a scalar");
	fails("model:\n  layers: []\n", "cfg.yaml:2:11: model.layers: the "
	    "list is empty");
	fails("model:\n  layers: {type: dense}\n", "cfg.yaml:2:11: "
	    "model.layers: expected a sequence of layers, found a mapping");
	fails("model:\n  loss: hinge\n", "cfg.yaml:2:9: model.loss: 'hinge' "
	    "is not one of cross_entropy, bce, mse");
	fails("model:\n  init: lecun\n", "cfg.yaml:2:9: model.init: 'lecun' "
	    "is not one of he, xavier");

	/* optimizer */
	fails("optimizer:\n  betas: [0.9]\n", "cfg.yaml:2:10: "
	    "optimizer.betas: expected [beta1, beta2], found 1 value");
	fails("optimizer:\n  betas: [0.9, 1]\n", "cfg.yaml:2:16: "
	    "optimizer.betas[1]: 1 is out of range [0, 1)");
	fails("optimizer:\n  momentum: 1\n", "cfg.yaml:2:13: "
	    "optimizer.momentum: 1 is out of range [0, 1)");
	fails("optimizer:\n  momentum: -0.5\n", "cfg.yaml:2:13: "
	    "optimizer.momentum: -0.5 is out of range [0, 1)");
	fails("optimizer:\n  momentum: -1\n", "cfg.yaml:2:13: "
	    "optimizer.momentum: -1 is out of range [0, 1)");
	fails("optimizer:\n  name: rmsprop\n  nesterov: true\n",
	    "cfg.yaml:3:13: optimizer.nesterov: needs momentum > 0 and "
	    "dampening 0");
	fails("optimizer:\n  dampening: -0.5\n", "cfg.yaml:2:14: "
	    "optimizer.dampening: -0.5 is out of range [0, 1)");
	fails("optimizer:\n  eps: 0\n", "cfg.yaml:2:8: optimizer.eps: 0 is "
	    "out of range (0, inf)");
	fails("optimizer:\n  alpha: 1.0\n", "cfg.yaml:2:10: optimizer.alpha: "
	    "1.0 is out of range [0, 1)");
	fails("optimizer:\n  weight_decay: -0.1\n", "cfg.yaml:2:17: "
	    "optimizer.weight_decay: -0.1 is out of range [0, inf)");
	fails("optimizer:\n  nesterov: true\n  momentum: 0\n", "cfg.yaml:2:13: "
	    "optimizer.nesterov: needs momentum > 0 and dampening 0");
	fails("optimizer:\n  dampening: 0.1\n  nesterov: yes\n",
	    "cfg.yaml:3:13: optimizer.nesterov: needs momentum > 0 and "
	    "dampening 0");

	/* train */
	fails("train:\n  device: cuda\n", "cfg.yaml:2:11: train.device: "
	    "'cuda' is not available (only cpu is)");
	fails("train:\n  batch_size: 0\n", "cfg.yaml:2:15: train.batch_size: "
	    "0 is out of range [1, 1048576]");
	fails("train:\n  accumulation_steps: 0\n", "cfg.yaml:2:23: "
	    "train.accumulation_steps: 0 is out of range [1, 1048576]");
	fails("train:\n  seed: -1\n", "cfg.yaml:2:9: train.seed: '-1' is not "
	    "an integer from 0 to 18446744073709551615");
	fails("train:\n  seed: 18446744073709551616\n", "cfg.yaml:2:9: "
	    "train.seed: '18446744073709551616' is not an integer from 0 to "
	    "18446744073709551615");
	fails("train:\n  threads: -1\n", "cfg.yaml:2:12: train.threads: -1 is "
	    "out of range [0, 1024]");
	fails("train:\n  val_size: 0\n", "cfg.yaml:2:13: train.val_size: 0 is "
	    "out of range [1, 100000000]");

	/* YAML features refused */
	fails("finder: &f\n  beta: 0.9\nscheduler: *f\n",
	    "cfg.yaml:1:9: anchors and aliases are not supported");
	fails("finder:\n  beta: 0.9\nscheduler:\n  lr: *x\n",
	    "cfg.yaml:4:7: anchors and aliases are not supported");
	fails("finder:\n  beta: !!float 0.9\n",
	    "cfg.yaml:2:9: tags are not supported");
	fails("finder:\n  mode: \"ex\\0p\"\n",
	    "cfg.yaml:2:9: NUL character in a value");

	/* hostile files */
	fails("lol: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n"
	    "lol2: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
	    "lol3: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
	    "lol4: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
	    "lol5: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n"
	    "lol6: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n"
	    "lol7: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\n"
	    "lol8: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]\n"
	    "lol9: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]\n",
	    "cfg.yaml:1:6: anchors and aliases are not supported");
	/* 16 nested collections are read; the 17th is refused */
	fails("finder: [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["
	    "]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]\n",
	    "cfg.yaml:1:24: nesting deeper than 16 levels");
	fails("finder: [[[[[[[[[[[[[[[]]]]]]]]]]]]]]]\n",
	    "cfg.yaml:1:9: finder: the section is not a mapping");
	n = 2 << 20;
	big = malloc(n + 1);
	for (p = big, i = 0; p + 16 < big + n; i++)
		p += sprintf(p, "# comment %05zu\n", i % 100000);
	*p = '\0';
	fails(big, "cfg.yaml: the file is larger than 1 MiB");
	big[(1 << 20) - 16] = '\0';	/* just under 1 MiB: fine */
	ok(load(&c, big) == 0, "a file just under 1 MiB of comments loads");
	/* a mapping of a million bytes: the first unknown key stops it */
	for (p = big, i = 0; p + 32 < big + (1 << 20); i++)
		p += sprintf(p, "k%zu: %zu\n", i, i);
	*p = '\0';
	fails(big, "cfg.yaml:1:1: unknown section 'k0'");
	/* 65 layers, 1025 labels */
	for (p = big, p += sprintf(p, "model:\n  layers:\n"), i = 0; i < 65;
	    i++)
		p += sprintf(p, "    - {type: flatten}\n");
	fails(big, "cfg.yaml:67:7: model.layers: more than 64 layers");
	for (p = big, p += sprintf(p, "data:\n  classes: ["), i = 0; i < 1025;
	    i++)
		p += sprintf(p, "%s%zu", i ? ", " : "", i % 10);
	sprintf(p, "]\n");
	fails(big, "cfg.yaml:2:3085: data.classes: more than 1024 labels");
	for (p = big, p += sprintf(p, "data:\n  path: "), i = 0; i < 4096;
	    i++)
		*p++ = 'a';
	sprintf(p, "\n");
	fails(big, "cfg.yaml:2:9: data.path: the path is longer than 4095 "
	    "bytes");
	free(big);
	put("cfg.yaml", "finder:\n  mode: e\0xp\n", 21);
	ok(cfg_load(&c, "cfg.yaml") == -1, "a NUL byte fails");
	is_str(err_msg(), "cfg.yaml:2:10: control characters are not "
	    "allowed (0x0)", "  with its line:column");
	put("cfg.yaml", "finder:\n  mode: \xffxp\n", 20);
	ok(cfg_load(&c, "cfg.yaml") == -1, "invalid UTF-8 fails");
	is_str(err_msg(), "cfg.yaml:2:9: invalid leading UTF-8 octet (0xff)",
	    "  with its line:column");
}

static void
test_write(void)
{
	struct cfg c, d;
	FILE *fp;

	/* odd strings survive the trip */
	cfg_defaults(&c);
	snprintf(c.data.path, sizeof(c.data.path), "a \"quoted\" \\ path:\t"
	    "# not a comment\n\xc3\xa9");
	snprintf(c.data.label_column, sizeof(c.data.label_column), "yes");
	snprintf(c.data.images, sizeof(c.data.images), "~");
	c.data.delimiter = '\t';
	c.data.scale = 1.0 / 255;
	c.scheduler.gamma = 0.1 + 0.2;
	c.finder.start_lr = 1e-300;
	c.finder.end_lr = 1.7976931348623157e308;
	c.train.seed = 0;
	c.optimizer.weight_decay = 0;
	c.data.nkeep = 2;
	c.data.keep[0] = 7;
	c.data.keep[1] = 3;
	cfg_defaults(&d);
	round_trip(&c, &d, "quotes, tabs, ~ and extreme numbers");

	/* model.arch: its keys, and no model.layers written (the file
	 * would give both, an error) */
	cfg_defaults(&c);
	c.model.arch = ARCH_RESNET50;
	c.model.freeze_to = 3;
	c.model.freeze_bn = 1;
	c.model.stage_lr_mult[0] = 0.01;
	c.model.stage_lr_mult[5] = 10;
	cfg_defaults(&d);
	round_trip(&c, &d, "model.arch, freeze_to, freeze_bn, stage_lr_mult");

	/* found by fuzz_cfg: characters YAML reads as line breaks (NEL,
	 * LINE and PARAGRAPH SEPARATOR) or refuses raw (C1 controls, the
	 * BOM, U+FFFE) were written raw, and a path with them came back
	 * changed (NEL folded to a space) or did not load at all */
	cfg_defaults(&c);
	snprintf(c.data.path, sizeof(c.data.path), "g\xc2\x85" "h\xc2\x80"
	    "i\xc2\x9f" "j\xe2\x80\xa8" "k\xe2\x80\xa9" "l\xef\xbb\xbf"
	    "m\xef\xbf\xbe" "n\xc2\xa0" "o");
	round_trip(&c, &d, "NEL, C1 controls, LS, PS, BOM, U+FFFE in a path");

	/* an unset momentum is written as ~ and stays unset, whatever the
	 * optimizer; an explicit one (0 too) is written as itself */
	cfg_defaults(&c);
	c.optimizer.name = OPT_RMSPROP;
	round_trip(&c, &d, "rmsprop, momentum unset");
	fp = fopen("rt.yaml", "r");
	{
		char line[256];
		int n = 0;

		while (fp != NULL && fgets(line, sizeof(line), fp) != NULL)
			if (strcmp(line, "  momentum: ~            # the "
			    "optimizer's default\n") == 0)
				n++;
		is_int(n, 1, "an unset momentum is written as ~");
	}
	if (fp != NULL)
		fclose(fp);
	c.optimizer.momentum = 0;
	round_trip(&c, &d, "rmsprop, momentum 0");
	c.optimizer.name = OPT_SGD;
	round_trip(&c, &d, "sgd, momentum 0 (not the default 0.9)");
	c.optimizer.momentum = 0.9;
	round_trip(&c, &d, "sgd, momentum 0.9");
	{
		struct cfg e;

		cfg_defaults(&e);
		e.optimizer.momentum = 0.5;
		round_trip(&d, &e, "unset momentum over momentum 0.5");
	}

	/* a value YAML cannot hold */
	snprintf(c.data.path, sizeof(c.data.path), "bad\xff");
	fp = tmpfile();
	ok(cfg_write(fp, &c) == -1, "a path that is not UTF-8 is refused");
	is_str(err_msg(), "cannot write the configuration: data.path is not "
	    "UTF-8", "  with a message");
	fclose(fp);
	cfg_defaults(&c);
	snprintf(c.finder.mode, sizeof(c.finder.mode), "log");
	fp = tmpfile();
	ok(cfg_write(fp, &c) == -1, "an unknown finder.mode is refused");
	is_str(err_msg(), "cannot write the configuration: a value is out "
	    "of its range", "  with a message");
	fclose(fp);

	/* names */
	is_str(names_get(opt_names, OPT_ADAMW), "adamw", "names_get adamw");
	ok(names_get(opt_names, 4) == NULL, "names_get out of range");
	ok(names_get(opt_names, -1) == NULL, "names_get negative");
	is_int(names_find(cfg_layer_names, "batchnorm"), LAYER_BATCHNORM,
	    "names_find batchnorm");
	is_int(names_find(cfg_act_names, "leaky_relu"), ACT_LEAKY_RELU,
	    "names_find leaky_relu");
	is_int(names_find(cfg_loss_names, "bce"), LOSS_BCE, "names_find bce");
	is_int(names_find(cfg_init_names, "xavier"), INIT_XAVIER,
	    "names_find xavier");
	is_int(names_find(data_format_names, "synthetic"), DATA_SYNTHETIC,
	    "names_find synthetic");
	is_int(names_find(data_task_names, "regression"), TASK_REGRESSION,
	    "names_find regression");
	is_int(names_find(cfg_kind_names, "linear"), SYN_LINEAR,
	    "names_find linear");
	is_int(names_find(cfg_sched_names, "exp_range"), 6,
	    "names_find exp_range");
	is_int(names_find(opt_names, "Adam"), -1, "names_find is exact");
}

static void
test_example(void)
{
	struct cfg c;
	char path[PATH_MAX + 64];

	snprintf(path, sizeof(path), "%s/examples/fashion-mnist.yaml", top);
	cfg_defaults(&c);
	if (!ok(cfg_load(&c, path) == 0, "examples/fashion-mnist.yaml loads"))
		diag("%s", err_msg());
	ok(c.data.format == DATA_IDX && c.data.scale == 1.0 / 255 &&
	    strcmp(c.data.images, "/usr/share/datasets/fashion-mnist/"
	    "train-images-idx3-ubyte.gz") == 0, "example: idx, 1/255");
	ok(c.model.nlayers == 2 && c.model.layers[0].units == 256 &&
	    c.model.layers[0].activation == ACT_RELU &&
	    c.model.layers[1].units == 10 && c.model.loss == LOSS_CE,
	    "example: 784-256-10 with cross-entropy");
	ok(c.optimizer.name == OPT_SGD && c.optimizer.momentum == 0.9 &&
	    c.train.batch_size == 64 && c.finder.start_lr == 1e-6 &&
	    c.finder.end_lr == 10 && c.finder.num_iter == 100,
	    "example: sgd 0.9, batch 64, 1e-6..10 in 100");
}

/* The example of lrf-config(5) (its EXAMPLES section) loads. */
static void
test_manpage(void)
{
	struct cfg c;
	char path[PATH_MAX + 64], line[512];
	FILE *in, *out;
	int state;

	snprintf(path, sizeof(path), "%s/man/lrf-config.5", top);
	if (!ok((in = fopen(path, "r")) != NULL, "man/lrf-config.5 opens"))
		return;
	out = fopen("man.yaml", "w");
	state = 0;	/* 1: in EXAMPLES, 2: in its first display */
	while (state < 3 && fgets(line, sizeof(line), in) != NULL) {
		if (state == 0 && strcmp(line, ".Sh EXAMPLES\n") == 0)
			state = 1;
		else if (state == 1 && strncmp(line, ".Bd -literal", 12) == 0)
			state = 2;
		else if (state == 2 && strcmp(line, ".Ed\n") == 0)
			state = 3;
		else if (state == 2)
			fputs(line, out);
	}
	fclose(in);
	fclose(out);
	is_int(state, 3, "the page has an example");
	cfg_defaults(&c);
	if (!ok(cfg_load(&c, "man.yaml") == 0, "the example of "
	    "lrf-config(5) loads"))
		diag("%s", err_msg());
	ok(strcmp(c.finder.suggest, "valley") == 0 &&
	    strcmp(c.scheduler.name, "onecycle") == 0 &&
	    c.scheduler.max_lr == 0.002 && c.data.nkeep == 5 &&
	    c.data.keep[0] == 5 && c.model.nlayers == 6 &&
	    c.model.layers[0].type == LAYER_CONV2D &&
	    c.model.layers[0].padding == -1 && c.model.layers[0].freeze &&
	    c.model.layers[1].stride == 2 && c.model.layers[5].units == 5 &&
	    c.optimizer.name == OPT_ADAMW && c.optimizer.weight_decay == -1 &&
	    c.train.batch_size == 128 && c.train.seed == 1,
	    "the example's values");
	unlink("man.yaml");
}

/* data.features as a list of CSV columns, data.ignore. */
static void
test_columns(void)
{
	struct cfg c, d;

	if (loads(&c, "data:\n  features: [petal_width, 2, \"sepal length\"]"
	    "\n  ignore: [0, id]\n", "features and ignore lists")) {
		ok(c.data.nfeatcols == 3 && c.data.features == 20 &&
		    memcmp(c.data.featcols, "petal_width\0" "2\0"
		    "sepal length\0", 27) == 0, "features: the columns in "
		    "order, the synthetic count left alone");
		ok(c.data.nignore == 2 && memcmp(c.data.ignore, "0\0id\0", 6)
		    == 0, "ignore: the columns");
		cfg_defaults(&d);
		round_trip(&c, &d, "column lists");
		round_trip(&d, &c, "defaults over column lists");
	}
	if (loads(&c, "data:\n  features: [a]\n  ignore: ~\n", "ignore ~"))
		ok(c.data.nignore == 0 && c.data.nfeatcols == 1, "ignore ~ is "
		    "none");
	if (loads(&c, "data:\n  features: 7\n", "features: a count"))
		ok(c.data.features == 7 && c.data.nfeatcols == 0,
		    "a count is synthetic's and clears a list");
	fails("data:\n  features: [a, b, a]\n", "cfg.yaml:2:20: "
	    "data.features[2]: column 'a' is listed twice");
	fails("data:\n  ignore: [1, 01]\n", "cfg.yaml:2:15: "
	    "data.ignore[1]: column '1' is listed twice");
	fails("data:\n  features: []\n", "cfg.yaml:2:13: data.features: "
	    "the list of columns is empty");
	fails("data:\n  ignore: id\n", "cfg.yaml:2:11: data.ignore: "
	    "expected a list of columns, found a scalar");
	fails("data:\n  ignore: [-1]\n", "cfg.yaml:2:12: data.ignore[0]: "
	    "-1 is out of range [0, inf)");
	fails("data:\n  features: [[a]]\n", "cfg.yaml:2:14: "
	    "data.features[0]: expected a column number or name, found a "
	    "sequence");
	cfg_defaults(&c);
	is_int(cfg_set(&c, "data.ignore", "id"), -1, "cfg_set: ignore is a "
	    "list");
}

/* cfg_set: a key from text, with the file's checks and messages. */
static void
test_set(void)
{
	struct cfg c, d;
	char longdir[CFG_MAXPATH];

	cfg_defaults(&c);
	ok(cfg_set(&c, "train.batch_size", "32") == 0 &&
	    c.train.batch_size == 32, "set train.batch_size 32");
	ok(cfg_set(&c, "finder.beta", "0.5") == 0 && c.finder.beta == 0.5,
	    "set finder.beta 0.5");
	ok(cfg_set(&c, "optimizer.name", "adam") == 0 &&
	    c.optimizer.name == OPT_ADAM, "set optimizer.name adam");
	ok(cfg_set(&c, "optimizer.momentum", "0.5") == 0 &&
	    cfg_set(&c, "optimizer.momentum", "~") == 0 &&
	    c.optimizer.momentum == -1, "set optimizer.momentum ~: unset");
	ok(cfg_set(&c, "finder.suggest", "valley") == 0 &&
	    strcmp(c.finder.suggest, "valley") == 0, "set finder.suggest");
	ok(cfg_set(&c, "data.images", "x.idx") == 0 &&
	    strcmp(c.data.images, "x.idx") == 0, "set data.images");
	ok(cfg_set(&c, "data.classes", "3") == 0 && c.data.classes == 3 &&
	    c.data.nkeep == 0, "set data.classes 3");
	ok(cfg_set(&c, "train.seed", "18446744073709551615") == 0 &&
	    c.train.seed == 18446744073709551615UL, "set train.seed, the "
	    "largest");
	ok(cfg_set(&c, "data.header", "no") == 0 && c.data.header == 0,
	    "set data.header no");

	memcpy(&d, &c, sizeof(d));
	ok(cfg_set(&c, "train.batch_size", "0") == -1, "batch_size 0 fails");
	is_str(err_msg(), "train.batch_size: 0 is out of range [1, 1048576]",
	    "  with the file's message, without a place");
	ok(memcmp(&c, &d, sizeof(c)) == 0, "  and changes nothing");
	ok(cfg_set(&c, "train.batch_size", "abc") == -1, "abc fails");
	is_str(err_msg(), "train.batch_size: 'abc' is not an integer",
	    "  not an integer");
	ok(cfg_set(&c, "finder.num_iter", "1") == -1, "num_iter 1 fails");
	is_str(err_msg(), "finder.num_iter: 1 is neither 0 (unbounded) nor "
	    "at least 2", "  as in the file");
	ok(cfg_set(&c, "optimizer.name", "adm") == -1, "adm fails");
	is_str(err_msg(), "optimizer.name: 'adm' is not one of sgd, adam, "
	    "adamw, rmsprop", "  listing the names");
	ok(cfg_set(&c, "train.device", "gpu") == -1, "device gpu fails");
	is_str(err_msg(), "train.device: 'gpu' is not available (only cpu "
	    "is)", "  only cpu");
	ok(cfg_set(&c, "train.seed", "+5") == -1, "seed +5 fails");
	ok(cfg_set(&c, "finder.beta", "") == -1, "an empty value fails");
	is_str(err_msg(), "finder.beta: the value is missing", "  missing");
	ok(cfg_set(&c, "train.batchsize", "8") == -1, "an unknown key fails");
	is_str(err_msg(), "train.batchsize: no such key (lrf-config(5))",
	    "  naming it");
	ok(cfg_set(&c, "batch_size", "8") == -1, "a key without its section");
	ok(cfg_set(&c, "model.layers", "[]") == -1, "model.layers: a list");
	is_str(err_msg(), "model.layers: a list, not one value", "  says so");
	ok(cfg_set(&c, "optimizer.betas", "0.9") == -1 &&
	    cfg_set(&c, "data.shape", "1") == -1, "betas, shape: lists");
	ok(memcmp(&c, &d, sizeof(c)) == 0, "no failure changed anything");

	/* cfg_abspaths: every path key, relative ones only */
	cfg_defaults(&c);
	cfg_set(&c, "data.images", "a/img.idx");
	cfg_set(&c, "data.labels", "/abs/lab.idx");
	ok(cfg_abspaths(&c, "/run") == 0 &&
	    strcmp(c.data.images, "/run/a/img.idx") == 0 &&
	    strcmp(c.data.labels, "/abs/lab.idx") == 0 &&
	    strcmp(c.data.path, "") == 0, "abspaths: relative paths only");
	memset(longdir, 'd', sizeof(longdir) - 4);
	longdir[0] = '/';
	longdir[sizeof(longdir) - 4] = '\0';
	cfg_set(&c, "data.path", "data.csv");
	ok(cfg_abspaths(&c, longdir) == -1, "abspaths: too long");
	is_str(err_msg(), "data.csv: path too long", "  names the path");
}

/* The keys of data.format: images. */
static void
test_images(void)
{
	struct cfg c, d;
	char *buf;
	size_t len;
	FILE *fp;

	cfg_defaults(&c);
	ok(c.data.size[0] == 224 && c.data.size[1] == 0 &&
	    c.data.channels == 3 && c.data.mean.kind == NORM_NONE &&
	    c.data.std.kind == NORM_NONE && c.data.root[0] == '\0' &&
	    c.data.split[0] == '\0' && !c.data.skip_bad && !c.data.flip &&
	    c.data.pad == 0 && c.data.workers == 4,
	    "images: defaults (224, 3 channels, no normalisation, no "
	    "augmentation)");
	if (loads(&c, "data:\n  format: images\n  root: r\n  size: 64\n"
	    "  channels: 1\n  mean: 0.5\n  std: [0.25]\n  split: s\n"
	    "  skip_bad: true\n  flip: true\n  pad: 4\n  workers: 0\n",
	    "images: every key"))
		ok(c.data.format == DATA_IMAGES && strcmp(c.data.root, "r") ==
		    0 && c.data.size[0] == 64 && c.data.size[1] == 0 &&
		    c.data.channels == 1 && c.data.mean.kind == NORM_LIST &&
		    c.data.mean.n == 1 && c.data.mean.v[0] == 0.5 &&
		    c.data.std.kind == NORM_LIST && c.data.std.n == 1 &&
		    c.data.std.v[0] == 0.25 && strcmp(c.data.split, "s") == 0 &&
		    c.data.skip_bad && c.data.flip && c.data.pad == 4 &&
		    c.data.workers == 0, "  read as written");
	if (loads(&c, "data:\n  size: [32, 48]\n  mean: auto\n"
	    "  std: imagenet\n", "images: [H, W], auto, imagenet"))
		ok(c.data.size[0] == 32 && c.data.size[1] == 48 &&
		    c.data.mean.kind == NORM_AUTO &&
		    c.data.std.kind == NORM_IMAGENET, "  read as written");
	if (loads(&c, "data:\n  mean: [0.485, 0.456, 0.406]\n  std: ~\n",
	    "images: three means, std ~"))
		ok(c.data.mean.n == 3 && c.data.mean.v[2] == 0.406 &&
		    c.data.std.kind == NORM_NONE, "  read as written");
	/* written and read back */
	loads(&c, "data:\n  size: [32, 48]\n  mean: [0.1, 0.2, 0.3]\n"
	    "  std: auto\n  root: r\n", "images: a config to write");
	buf = NULL;
	fp = open_memstream(&buf, &len);
	ok(cfg_write(fp, &c) == 0, "images: written");
	fclose(fp);
	put("w.yaml", buf, strlen(buf));
	cfg_defaults(&d);
	ok(cfg_load(&d, "w.yaml") == 0 && d.data.size[1] == 48 &&
	    d.data.mean.n == 3 && d.data.mean.v[1] == 0.2 &&
	    d.data.std.kind == NORM_AUTO && strcmp(d.data.root, "r") == 0,
	    "images: read back to the same values");
	free(buf);
	ok(cfg_set(&c, "data.size", "96") == 0 && c.data.size[0] == 96 &&
	    c.data.size[1] == 0, "images: cfg_set data.size 96");
	ok(cfg_set(&c, "data.mean", "imagenet") == 0 &&
	    c.data.mean.kind == NORM_IMAGENET, "images: cfg_set data.mean");
	ok(cfg_set(&c, "data.root", "/x") == 0 &&
	    strcmp(c.data.root, "/x") == 0, "images: cfg_set data.root");
	ok(cfg_set(&c, "data.root", "rel") == 0 && cfg_abspaths(&c, "/d") ==
	    0 && strcmp(c.data.root, "/d/rel") == 0,
	    "images: data.root made absolute");

	fails("data:\n  size: 0\n", "cfg.yaml:2:9: data.size: 0 is out of "
	    "range [1, 16384]");
	fails("data:\n  size: [1, 2, 3]\n", "cfg.yaml:2:9: data.size: "
	    "expected a size or [H, W], found another list");
	fails("data:\n  size: [8, 99999]\n", "cfg.yaml:2:13: data.size[1]: "
	    "99999 is out of range [1, 16384]");
	fails("data:\n  channels: 4\n", "cfg.yaml:2:13: data.channels: 4 is "
	    "out of range [1, 3]");
	fails("data:\n  mean: [1, 2]\n", "cfg.yaml:2:9: data.mean: expected "
	    "a number, a list of 1 or 3, auto or imagenet, found another list");
	fails("data:\n  mean: average\n", "cfg.yaml:2:9: data.mean: "
	    "'average' is not a number");
	fails("data:\n  std: 0\n", "cfg.yaml:2:8: data.std: 0 is out of "
	    "range (0, inf]");
	fails("data:\n  std: [1, -1, 1]\n", "cfg.yaml:2:12: data.std[1]: -1 "
	    "is out of range (0, inf]");
	fails("data:\n  pad: -1\n", "cfg.yaml:2:8: data.pad: -1 is out of "
	    "range [0, 4096]");
}

/*
 * cfg_written maps each line of cfg_write's output back to its key (and
 * layer), and cfg_origin says where the key's value came from: the
 * file's place, cfg_set, or the default (issue 17: lrf-find names the
 * user's file, not the run's copy).
 */
static void
test_origin(void)
{
	struct cfg c;
	char *text, line[512], key[64], at[CFG_MAXPATH + 32], want[512];
	size_t size;
	FILE *fp;
	int n, layer, seen, bad;

	if (!loads(&c, "# comment\ntrain:\n  seed: 3\n  batch_size: 16\n"
	    "model:\n  layers:\n    - {type: dense, units: 8}\n"
	    "    - {type: dense, units: 10}\n", "origin: loads"))
		return;
	ok(cfg_set(&c, "finder.num_iter", "50") == 0, "origin: cfg_set");
	is_int(cfg_origin(&c, "train.batch_size", -1, at, sizeof(at)),
	    CFG_FILE, "origin: train.batch_size from the file");
	is_str(at, "cfg.yaml:4:15", "  at its value's place");
	is_int(cfg_origin(&c, "model.layers", 1, at, sizeof(at)), CFG_FILE,
	    "origin: model.layers from the file");
	is_str(at, "cfg.yaml:8:7", "  layer 1 at its own place");
	is_int(cfg_origin(&c, "finder.num_iter", -1, at, sizeof(at)), CFG_SET,
	    "origin: finder.num_iter set by cfg_set");
	is_str(at, "", "  no place");
	is_int(cfg_origin(&c, "optimizer.eps", -1, at, sizeof(at)),
	    CFG_DEFAULT, "origin: optimizer.eps is the default");
	is_int(cfg_origin(&c, "train.nosuch", -1, at, sizeof(at)), -1,
	    "origin: unknown key");
	/* every line of the written file that holds a key maps to it */
	text = NULL;
	if (!ok((fp = open_memstream(&text, &size)) != NULL &&
	    cfg_write(fp, &c) == 0 && fclose(fp) == 0 &&
	    (fp = fmemopen(text, size, "r")) != NULL, "written: cfg_write"))
		return;
	n = seen = bad = 0;
	while (fgets(line, sizeof(line), fp) != NULL) {
		n++;
		if (strncmp(line, "    - {", 7) == 0) {
			snprintf(want, sizeof(want), "model.layers %d", seen++);
		} else if (strncmp(line, "  ", 2) == 0) {
			snprintf(want, sizeof(want), "%s", line + 2);
			want[strcspn(want, ":")] = '\0';
		} else {
			if (cfg_written(&c, n, key, sizeof(key), &layer) != -1) {
				diag("line %d has a key: %s", n, line);
				bad++;
			}
			continue;
		}
		if (cfg_written(&c, n, key, sizeof(key), &layer) < 0) {
			diag("line %d has no key: %s", n, line);
			bad++;
			continue;
		}
		if (layer >= 0)
			snprintf(at, sizeof(at), "%s %d", key, layer);
		else
			snprintf(at, sizeof(at), "%s", strchr(key, '.') + 1);
		if (strcmp(at, want) != 0) {
			diag("line %d is %s, not %s", n, at, want);
			bad++;
		}
	}
	is_int(bad, 0, "written: each line's key, or none");
	is_int(seen, 2, "written: both layers' lines seen");
	is_int(cfg_written(&c, n + 1, key, sizeof(key), &layer), -1,
	    "written: past the end");
	ok(cfg_written(&c, 4, key, sizeof(key), &layer) == 0 &&
	    strncmp(key, "finder.", 7) == 0, "written: line 4 is finder's");
	fclose(fp);
	free(text);
}

int
main(int argc, char *argv[])
{
	char dir[] = "/tmp/lrf-cfg.XXXXXX", *s;

	/* the tree is three levels above tests/unit/cfg.t */
	top[0] = '\0';
	if (argv[0][0] != '/' && getcwd(top, sizeof(top) - 1) != NULL)
		strcat(top, "/");
	strncat(top, argv[0], sizeof(top) - strlen(top) - 1);
	for (argc = 0; argc < 3 && (s = strrchr(top, '/')) != NULL; argc++)
		*s = '\0';
	if (mkdtemp(dir) == NULL || chdir(dir) < 0) {
		perror(dir);
		return 1;
	}

	test_defaults();
	test_full();
	test_values();
	test_errors();
	test_write();
	test_set();
	test_columns();
	test_images();
	test_example();
	test_manpage();
	test_origin();

	/* clean up */
	unlink("cfg.yaml");
	unlink("cfg2.yaml");
	unlink("rt.yaml");
	unlink("bad.yaml");
	unlink("noread.yaml");
	rmdir("dir.yaml");
	if (chdir("/") < 0 || rmdir(dir) < 0)
		diag("could not remove %s", dir);
	return done();
}
