/*
 * lrf-train - read learning rates, take one optimizer step of a neural
 * network at each, print the loss (see lrf-train(1)).
 */
#include <sys/stat.h>
#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "blas.h"
#include "cfg.h"
#include "data.h"
#include "dist.h"
#include "launch.h"
#include "names.h"
#include "net.h"
#include "opt.h"
#include "par.h"
#include "prog.h"
#include "rec.h"
#include "st.h"

#define VAL_CHUNK	256	/* validation samples per forward, at least */
#define BAR_EVERY	0.1	/* seconds between progress bar redraws */
/*
 * The records are flushed when the input is about to block (the
 * reader's hook), at the end, and once this long has passed since the
 * last flush: a slow run's records go on at once, a fast one's in full
 * buffers (a write costs microseconds; at most 100 a second is nothing).
 */
#define FLUSH_EVERY	0.01

static int nerrors;	/* messages reported: the run has failed */

static void
usage(FILE *fp)
{
	struct cfg d;

	cfg_defaults(&d);
	fprintf(fp,
"usage: lrf-train [-h] [-c file] [--batch-size n] [--seed n] [--fold k]\n"
"                 [--threads n] [--accum n] [--device cpu] [--val]\n"
"                 [--val-size n] [--save file] [--load file] [--load-partial]\n"
"                 [--summary] [--progress | --no-progress] [--lr-col col]\n"
"                 [--timing] [--root dir] [--write-split dir]\n"
"                 [--np n] [--launcher cmd] [--output file]\n"
"  -c file          experiment file, lrf-config(5) [built-in: Fashion-MNIST MLP]\n"
"  --batch-size n   samples per micro-batch [%ld]\n"
"  --seed n         seed of data order, split, init, dropout [%lu]\n"
"  --fold k         held-out fold, 0-based [%ld]\n"
"  --threads n      threads of the step, 0 = all cores [%ld]\n"
"  --accum n        micro-batches per optimizer step [%ld]\n"
"  --device name    where to train; only cpu exists [%s]\n"
"  --val            add val_loss (and val_acc) columns [off]\n"
"  --val-size n     held-out samples evaluated [%ld]\n"
"  --save file      write the weights (safetensors) at the end of input\n"
"  --load file      start from these weights (safetensors, .lrfw) [none]\n"
"  --load-partial   with --load: skip layers that do not match [off]\n"
"  --summary        print the model summary on stderr [off]\n"
"  --progress       progress bar on stderr [on if stderr is a terminal]\n"
"  --no-progress    no progress bar\n"
"  --lr-col col     input column of the learning rate, name or number [lr]\n"
"  --timing         end the stream with a '#@ train' timing line [off]\n"
"  --root dir       data.root: the class folders of data.format images\n"
"  --write-split dir  write the split as dir/fold_K_{train,val}.txt [no]\n"
"  --np n           train.processes: data-parallel on n, under mpirun [%ld]\n"
"  --launcher cmd   train.launcher: the launch command instead: 'srun', 'mpirun -hostfile h'\n"
"  --output file    write the records to file (a FIFO) [stdout]\n"
"  --set sec.key=v  set a key of the file, lrf-config(5) (repeatable)\n"
"  -h, --help       print this help and exit\n"
"  --version        print the version and exit\n",
	    d.train.batch_size, d.train.seed, d.data.fold, d.train.threads,
	    d.train.accum, d.train.device, d.train.val_size,
	    d.train.processes);
}

enum { O_BATCH = 256, O_SEED, O_FOLD, O_THREADS, O_ACCUM, O_DEVICE, O_VAL,
	O_VALSIZE, O_SAVE, O_LOAD, O_PARTIAL, O_SUMMARY, O_PROGRESS,
	O_NOPROGRESS, O_LRCOL, O_TIMING, O_ROOT, O_WSPLIT, O_NP, O_LAUNCHER,
	O_OUTPUT };

static const struct option longopts[] = {
	{ "config",	required_argument, NULL, 'c' },
	{ "help",	no_argument,	   NULL, 'h' },
	PROG_VERSION_OPT,
	{ "batch-size",	required_argument, NULL, O_BATCH },
	{ "seed",	required_argument, NULL, O_SEED },
	{ "fold",	required_argument, NULL, O_FOLD },
	{ "threads",	required_argument, NULL, O_THREADS },
	{ "accum",	required_argument, NULL, O_ACCUM },
	{ "device",	required_argument, NULL, O_DEVICE },
	{ "val",	no_argument,	   NULL, O_VAL },
	{ "val-size",	required_argument, NULL, O_VALSIZE },
	{ "save",	required_argument, NULL, O_SAVE },
	{ "load",	required_argument, NULL, O_LOAD },
	{ "load-partial", no_argument,	   NULL, O_PARTIAL },
	{ "summary",	no_argument,	   NULL, O_SUMMARY },
	{ "progress",	no_argument,	   NULL, O_PROGRESS },
	{ "no-progress", no_argument,	   NULL, O_NOPROGRESS },
	{ "lr-col",	required_argument, NULL, O_LRCOL },
	{ "timing",	no_argument,	   NULL, O_TIMING },
	{ "root",	required_argument, NULL, O_ROOT },
	{ "write-split", required_argument, NULL, O_WSPLIT },
	{ "np",		required_argument, NULL, O_NP },
	{ "launcher",	required_argument, NULL, O_LAUNCHER },
	{ "output",	required_argument, NULL, O_OUTPUT },
	PROG_SETOPT,
	{ NULL, 0, NULL, 0 }
};

/* Command-line settings; sets, the flags laid over the file. */
struct flags {
	const char *config, *save, *load, *lrcol, *wsplit;
	const char *output;	/* --output */
	struct prog_sets sets;
	struct prog_setargs setargs;	/* --set */
	int	 val, partial, summary, progress, timing;
};

/* Everything the step loop uses, allocated before it starts. */
struct run {
	struct cfg c;
	struct dataset ds;
	struct split sp;
	struct batcher it;
	struct net net;
	struct opt opt;
	struct opt_seg *seg;	/* (nlayer) */
	long	 B, A;		/* micro-batch size, micro-batches a step */
	int	 rank, np;	/* this process of np (dist.h) */
	long	 lo, hi;	/* its share of each micro-batch: samples
				   [lo, hi) of B; [0, B) for one process */
	long	 vlo, vhi;	/* and of the validation samples */
	int	 defmodel;	/* 1: model.layers ~, net_default's model */
	float	*x;		/* (B, d) one micro-batch */
	int32_t	*y;		/* (B) its labels, classification */
	float	*t;		/* (B) its targets, regression */
	uint32_t *idx;		/* (B) its samples */
	long	 nval;		/* validation samples, 0 without --val */
	long	 vchunk;	/* validation samples per forward */
	float	*vx;		/* (nval, d) */
	int32_t	*vy;		/* (nval) */
	float	*vt;		/* (nval) */
};

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void
parseflags(int argc, char *argv[], struct flags *f)
{
	int ch;

	memset(f, 0, sizeof(*f));
	f->progress = isatty(STDERR_FILENO);
	f->lrcol = "lr";
	while ((ch = getopt_long(argc, argv, "c:h", prog_options(longopts),
	    NULL)) != -1) {
		switch (ch) {
		case 'c':
			f->config = optarg;
			break;
		case PROG_SETCH:
			prog_setarg(&f->setargs, optarg);
			break;
		case 'h':
			usage(stdout);
			prog_exit(EXIT_OK);
		case PROG_VERSION:
			prog_version();
		case O_BATCH:
			prog_long("--batch-size", optarg, 1, 1L << 24);
			prog_keep(&f->sets, "train.batch_size", optarg);
			break;
		case O_SEED:
			prog_long("--seed", optarg, 0, LONG_MAX);
			prog_keep(&f->sets, "train.seed", optarg);
			break;
		case O_FOLD:	/* below data.folds: checked once read */
			prog_long("--fold", optarg, 0, 1L << 30);
			prog_keep(&f->sets, "data.fold", optarg);
			break;
		case O_THREADS:
			prog_long("--threads", optarg, 0, 1024);
			prog_keep(&f->sets, "train.threads", optarg);
			break;
		case O_ACCUM:
			prog_long("--accum", optarg, 1, 1L << 20);
			prog_keep(&f->sets, "train.accumulation_steps", optarg);
			break;
		case O_DEVICE:
			if (strcmp(optarg, "cpu") != 0)
				prog_usage("--device: '%s' is not available "
				    "(only cpu)", optarg);
			prog_keep(&f->sets, "train.device", optarg);
			break;
		case O_VAL:
			f->val = 1;
			break;
		case O_VALSIZE:
			prog_long("--val-size", optarg, 1, 1L << 30);
			prog_keep(&f->sets, "train.val_size", optarg);
			break;
		case O_SAVE:
			f->save = optarg;
			break;
		case O_LOAD:
			f->load = optarg;
			break;
		case O_PARTIAL:
			f->partial = 1;
			break;
		case O_SUMMARY:
			f->summary = 1;
			break;
		case O_PROGRESS:
			f->progress = 1;
			break;
		case O_NOPROGRESS:
			f->progress = 0;
			break;
		case O_TIMING:
			f->timing = 1;
			break;
		case O_LRCOL:
			f->lrcol = optarg;
			break;
		case O_ROOT:
			prog_keep(&f->sets, "data.root", optarg);
			break;
		case O_WSPLIT:
			f->wsplit = optarg;
			break;
		case O_NP:
			prog_long("--np", optarg, 1, 1L << 20);
			prog_keep(&f->sets, "train.processes", optarg);
			break;
		case O_LAUNCHER:
			if (strspn(optarg, " \t") == strlen(optarg))
				prog_usage("--launcher: empty command");
			prog_keep(&f->sets, "train.launcher", optarg);
			break;
		case O_OUTPUT:
			f->output = optarg;
			break;
		default:
			prog_usage(NULL);
		}
	}
	if (optind < argc)
		prog_usage("unexpected operand '%s' (the learning rates come "
		    "on stdin)", argv[optind]);
	if (f->partial && f->load == NULL)
		prog_usage("--load-partial needs --load");
}

/*
 * The config: the built-in defaults, the file over them, the flags over
 * both.  Exits 1 for a bad file (cfg_load checks every value: batch
 * size, device...), 2 for a flag that does not fit it.
 */
static void
setup_config(struct cfg *c, const struct flags *f)
{
	const char *missing, *fold;

	cfg_defaults(c);
	if (f->config != NULL && cfg_load(c, f->config) < 0)
		exit(EXIT_FAIL);
	prog_setapply(&f->setargs, c);
	if (f->config == NULL && c->data.format == DATA_IDX) {
		if ((missing = c->data.images, access(missing, R_OK) != 0) ||
		    (missing = c->data.labels, access(missing, R_OK) != 0)) {
			err_set("%s: %s (install the Debian package "
			    "dataset-fashion-mnist, or give an experiment "
			    "with -c)", missing, strerror(errno));
			exit(EXIT_FAIL);
		}
	}
	if ((fold = prog_given(&f->sets, "data.fold")) != NULL &&
	    prog_long("--fold", fold, 0, LONG_MAX) >= c->data.folds)
		prog_usage("--fold: '%s' is out of range [0, %ld] (data.folds "
		    "is %ld)", fold, c->data.folds - 1, c->data.folds);
	prog_apply(&f->sets, c);
}

/*
 * Fail now, not after the training, when --save cannot write its file:
 * its directory must exist and be writable (st_net_save makes a
 * temporary file there).
 */
static void
check_save(const char *path)
{
	char dir[CFG_MAXPATH];
	struct stat sb;

	if (path == NULL)
		return;
	if (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode)) {
		err_set("%s: is a directory", path);
		exit(EXIT_FAIL);
	}
	snprintf(dir, sizeof(dir), "%s", path);
	if (access(dirname(dir), W_OK | X_OK) != 0) {
		err_set("%s: %s", path, strerror(errno));
		exit(EXIT_FAIL);
	}
}

/* A block of n elements of size sz, or exit 1. */
static void *
xalloc(size_t n, size_t sz)
{
	void *p;

	if ((p = calloc(n ? n : 1, sz)) == NULL) {
		err_set("out of memory");
		exit(EXIT_FAIL);
	}
	return p;
}

/*
 * The bytes of a run with the planned net: the net's own blocks for its
 * threads (net_bytes), the optimizer's moments, the per-thread gradient
 * copies of a conv net, the data in memory, the batch and validation
 * buffers.
 */
static double
need(const struct run *r, int threads)
{
	const struct net *n = &r->net;
	double b, d, x;
	int l, conv;

	conv = 0;
	for (l = 0; l < n->nlayer; l++)
		conv |= n->layer[l].type == LAYER_CONV2D;
	d = (double)r->ds.d;
	x = r->ds.x != NULL ? sizeof(float) : r->ds.bytes != NULL ? 1 : 0;
	b = net_bytes(n, threads);
	b += (double)opt_nmoments(&r->c.optimizer) * n->nparam * sizeof(float);
	if (conv && threads > 1)
		b += (threads - 1.0) * n->nparam * sizeof(float);
	b += (double)r->ds.n * (d * x + sizeof(float));
	b += (double)r->B * (d + 3) * sizeof(float);
	b += (double)r->nval * (d + 2) * sizeof(float);
	return b;
}

/* Load the data, split it, build the net and the optimizer; exit 1 on
 * any error. */
static void
setup_run(struct run *r, const struct flags *f, int threads)
{
	struct cfg *c;
	long K, maxb;
	int nseg, nread;

	c = &r->c;
	if (data_load(&r->ds, &c->data, c->train.seed) < 0 ||
	    data_split(&r->ds, c->data.folds, c->data.fold, c->train.seed,
	    &r->sp) < 0)
		exit(EXIT_FAIL);
	if (r->ds.note[0] != '\0')
		fprintf(stderr, "%s: note: %s\n", prog, r->ds.note);
	if (r->ds.nignored > 0)
		fprintf(stderr, "%s: warning: data.root: %zu entries left out "
		    "(hidden, or not .jpg, .jpeg or .png)\n", prog,
		    r->ds.nignored);
	if (f->wsplit != NULL && data_split_write(&r->ds, &r->sp, f->wsplit,
	    c->data.fold) < 0)
		exit(EXIT_FAIL);
	data_valsubset(&r->sp, (size_t)c->train.val_size, c->train.seed);
	if (data_batcher_init(&r->it, &r->ds, &r->sp, c->train.seed) < 0)
		exit(EXIT_FAIL);
	if (f->val && r->sp.nval == 0) {
		err_set("--val: no held-out samples (data.folds is %ld)",
		    c->data.folds);
		exit(EXIT_FAIL);
	}

	r->B = c->train.batch_size;
	r->A = c->train.accum;
	maxb = r->B;
	if (f->val) {
		r->nval = (long)r->sp.nval;
		r->vchunk = r->B > VAL_CHUNK ? r->B : VAL_CHUNK;
		if (r->vchunk > r->nval)
			r->vchunk = r->nval;
		if (r->vchunk > maxb)
			maxb = r->vchunk;
	}
	K = r->ds.task == TASK_CLASSIFICATION ? r->ds.nclasses : 1;
	if ((r->defmodel = c->model.nlayers == 0))	/* model.layers: ~ */
		net_default(&c->model, r->ds.format == DATA_IMAGES, K);
	if (net_plan(&r->net, &c->model, f->config, (long)r->ds.d,
	    r->ds.shape, K, r->ds.task, maxb) < 0 ||
	    net_train_check(&r->net, r->B) < 0)
		exit(EXIT_FAIL);
	/* the memory the run needs, refused with the figure before any
	 * of it is taken (a block is written as it is allocated: a model
	 * larger than the machine would meet the OOM killer, unsaid) */
	if (net_fits(need(r, threads), f->config != NULL ? f->config :
	    "model") < 0 || net_alloc(&r->net, c->train.seed) < 0)
		exit(EXIT_FAIL);
	if (f->load != NULL) {
		if ((nread = st_net_load(&r->net, f->load, f->partial,
		    NULL)) < 0)
			exit(EXIT_FAIL);
		if (nread == 0) {
			err_set("%s: no layer of the file fits the model",
			    f->load);
			exit(EXIT_FAIL);
		}
	}
	r->seg = xalloc((size_t)r->net.nlayer + 1, sizeof(*r->seg));
	nseg = net_segments(&r->net, r->seg);
	if (opt_init(&r->opt, &c->optimizer, r->seg, nseg) < 0)
		exit(EXIT_FAIL);

	r->x = xalloc((size_t)r->B * r->ds.d, sizeof(float));
	r->y = xalloc((size_t)r->B, sizeof(int32_t));
	r->t = xalloc((size_t)r->B, sizeof(float));
	r->idx = xalloc((size_t)r->B, sizeof(uint32_t));
	if (r->nval > 0) {
		r->vx = xalloc((size_t)r->nval * r->ds.d, sizeof(float));
		r->vy = xalloc((size_t)r->nval, sizeof(int32_t));
		r->vt = xalloc((size_t)r->nval, sizeof(float));
		if (data_fill(&r->ds, r->sp.val, &r->sp.nval, r->vx, r->vy,
		    r->vt) < 0)
			exit(EXIT_FAIL);
		if (r->sp.nval == 0) {
			err_set("--val: no held-out image decodes");
			exit(EXIT_FAIL);
		}
		r->nval = (long)r->sp.nval;
		if (r->vchunk > r->nval)
			r->vchunk = r->nval;
	}
}

static void
free_run(struct run *r)
{
	free(r->x);
	free(r->y);
	free(r->t);
	free(r->idx);
	free(r->vx);
	free(r->vy);
	free(r->vt);
	free(r->seg);
	opt_free(&r->opt);
	net_free(&r->net);
	data_batcher_free(&r->it);
	data_split_free(&r->sp);
	data_free(&r->ds);
}

/*
 * The stream's opening: header, then "#@ data", "#@ layer" per layer,
 * "#@ model" (the net's description, then the optimizer's), "#@ run":
 * each module describes itself.
 */
static void
putheader(FILE *fp, const struct run *r, const struct flags *f, int threads)
{
	static char *cols[] = { "step", "lr", "loss", "val_loss", "val_acc" };
	char desc[DATA_DESCMAX], net[NET_DESCMAX], opt[256], *names;
	int l, ncol, len;

	ncol = 3;
	if (f->val)
		ncol = r->ds.task == TASK_CLASSIFICATION ? 5 : 4;
	rec_header(fp, cols, ncol);

	data_describe(desc, sizeof(desc), &r->ds, &r->sp);
	fprintf(fp, "#@ data %s", desc);
	if (data_map(desc, sizeof(desc), &r->ds) > 0)
		fprintf(fp, " %s", desc);
	putc('\n', fp);
	if ((len = data_classnames(NULL, 0, &r->ds)) > 0) {
		names = xalloc((size_t)len + 1, 1);	/* 1000 long names */
		data_classnames(names, (size_t)len + 1, &r->ds);
		fprintf(fp, "#@ classes %s\n", names);
		free(names);
	}
	for (l = 0; l < r->net.nlayer; l++) {
		net_describe_layer(net, sizeof(net), &r->net, l);
		fprintf(fp, "#@ layer %s\n", net);
	}
	net_describe(net, sizeof(net), &r->net);
	opt_describe(opt, sizeof(opt), &r->opt);
	fprintf(fp, "#@ model %s %s\n", net, opt);

	fprintf(fp, "#@ run batch_size=%ld accumulation_steps=%ld seed=%lu "
	    "fold=%ld threads=%d device=%s", r->B, r->A, r->c.train.seed,
	    r->c.data.fold, threads, r->c.train.device);
	if (r->np > 1)	/* batch_size is the global batch's */
		fprintf(fp, " processes=%d", r->np);
	if (f->load != NULL)
		fprintf(fp, " load=%s", f->load);
	putc('\n', fp);
}

/* The summary for people (--summary): a table on stderr. */
static void
putsummary(FILE *fp, const struct net *n, int defmodel)
{
	const struct net_layer *L;
	char shape[64];
	int l, wn, wt, k;

	/* the columns as wide as the longest name and type (globalavgpool1) */
	wn = 12;
	wt = 10;
	for (l = 0; l < n->nlayer; l++) {
		if ((k = (int)strlen(n->layer[l].name)) > wn)
			wn = k;
		if ((k = (int)strlen(names_get(cfg_layer_names,
		    n->layer[l].type))) > wt)
			wt = k;
	}
	fprintf(fp, "%-*s %-*s %-12s %12s\n", wn, "layer", wt, "type",
	    "output", "params");
	for (l = 0; l < n->nlayer; l++) {
		L = &n->layer[l];
		if (L->out[1] == 1 && L->out[2] == 1)
			snprintf(shape, sizeof(shape), "%ld", L->out[0]);
		else
			snprintf(shape, sizeof(shape), "%ldx%ldx%ld",
			    L->out[0], L->out[1], L->out[2]);
		fprintf(fp, "%-*s %-*s %-12s %12ld%s\n", wn, L->name, wt,
		    names_get(cfg_layer_names, L->type), shape, L->np,
		    L->freeze ? " (frozen)" : "");
	}
	fprintf(fp, "params %ld, trainable %ld\n", net_nparams(n),
	    net_ntrainable(n));
	if (defmodel)
		fprintf(fp, "(the default model for this data: the config "
		    "names no model.layers)\n");
}

/* Thread t's share of the micro-batch r->idx: its rows of x, y, t. */
static void
gather_share(void *arg, int t, int nt)
{
	struct run *r = arg;
	long lo, hi;
	int reg;

	reg = r->ds.task == TASK_REGRESSION;
	par_share(r->hi - r->lo, t, nt, 1, &lo, &hi);
	lo += r->lo;
	hi += r->lo;
	data_rows(&r->it, r->idx, (size_t)lo, (size_t)hi, r->x,
	    reg ? NULL : r->y, reg ? r->t : NULL);
}

/* The next micro-batch's samples, then their rows gathered by the net's
 * threads (gather_share); a failed draw ends the run. */
static void
draw(struct run *r)
{
	if (data_draw(&r->it, r->idx, (size_t)r->B) < 0) {
		fflush(stdout);
		exit(EXIT_FAIL);
	}
	par_run(r->net.par, gather_share, r);
}

/*
 * One optimizer step at lr: A micro-batches forward and backward, the
 * gradient averaged, then the update.  Returns the mean loss of the
 * batch before the update.
 */
static double
train_step(struct run *r, double lr)
{
	struct net *n;
	double loss;
	long i;
	int reg;

	n = &r->net;
	reg = r->ds.task == TASK_REGRESSION;
	loss = 0;
	net_zero_grad(n);
	for (i = 0; i < r->A; i++) {
		draw(r);
		loss += net_forward(n, r->x, reg ? NULL : r->y,
		    reg ? r->t : NULL, r->B, 1);
		if (nerrors == 0 && i < r->A - 1)
			net_backward(n, 1.0f / (float)r->A);
		else if (nerrors == 0)	/* the last: the update rides on it */
			net_backward_update(n, 1.0f / (float)r->A, &r->opt,
			    lr);
		if (nerrors > 0) {	/* said; no record goes out */
			fflush(stdout);
			exit(EXIT_FAIL);
		}
	}
	return loss / (double)r->A;
}

/*
 * train_step on one of np processes (dist.h): every process draws the
 * same micro-batches (the same seed) and takes its share [lo, hi) of
 * each through forward and backward; the gradient, scaled so that the
 * shares' sum is that of the mean over the B samples, and the loss's sum
 * are summed over the processes in rank order, then every process takes
 * the same update.  Returns the mean loss of the A*B samples.
 */
static double
train_step_dist(struct run *r, double lr)
{
	struct net *n;
	double sum;
	long i, m;
	size_t d;
	int reg;

	n = &r->net;
	d = r->ds.d;
	reg = r->ds.task == TASK_REGRESSION;
	m = r->hi - r->lo;
	sum = 0;
	net_zero_grad(n);
	for (i = 0; i < r->A; i++) {
		draw(r);
		/* the mean over the share, times m: its sum */
		sum += (double)m * net_forward(n, r->x + (size_t)r->lo * d,
		    reg ? NULL : r->y + r->lo, reg ? r->t + (size_t)r->lo :
		    NULL, m, 1);
		net_backward(n, (float)((double)m / ((double)r->B * r->A)));
	}
	if (dist_sumf(n->grad, n->nparam) < 0 || dist_sumd(&sum, 1) < 0)
		exit(EXIT_FAIL);
	net_update(n, &r->opt, lr);
	return sum / ((double)r->B * r->A);
}

/* Loss and accuracy on the validation samples, in evaluation mode. */
static void
validate(struct run *r, double *vloss, double *vacc)
{
	struct net *n;
	double loss;
	long i, b, correct;
	size_t d;
	int reg;

	n = &r->net;
	d = r->ds.d;
	reg = r->ds.task == TASK_REGRESSION;
	loss = 0;
	correct = 0;
	for (i = r->vlo; i < r->vhi; i += b) {
		b = r->vhi - i < r->vchunk ? r->vhi - i : r->vchunk;
		loss += b * net_forward(n, r->vx + (size_t)i * d,
		    reg ? NULL : r->vy + i, reg ? r->vt + i : NULL, b, 0);
		if (nerrors > 0) {
			fflush(stdout);
			exit(EXIT_FAIL);
		}
		if (!reg)
			correct += net_correct(n, r->vy + i, b);
	}
	if (r->np > 1) {	/* each process had its share */
		double s[2] = { loss, (double)correct };

		if (dist_sumd(s, 2) < 0)
			exit(EXIT_FAIL);
		loss = s[0];
		correct = (long)s[1];
	}
	*vloss = loss / (double)r->nval;
	*vacc = (double)correct / (double)r->nval;
}

/* The progress bar: one line on stderr, redrawn in place. */
static void
bar(long step, long num, double lr, double loss, double rate)
{
	if (num > 0)
		fprintf(stderr, "\rstep %ld/%ld", step, num);
	else
		fprintf(stderr, "\rstep %ld", step);
	fprintf(stderr, "  lr %.3e  loss %.4f  %.1f steps/s   ", lr, loss,
	    rate);
	fflush(stderr);
}

/*
 * Write one record, the step and v[0..n-1] (lr loss [val_loss
 * [val_acc]]), in one call: the step's threads make stdio lock every
 * call.  line: 20 digits and 4 numbers of at most 16 bytes, separators.
 */
static void
putrecord(long step, const double *v, int n)
{
	char line[128], d[24], *p;
	unsigned long u;
	int i, k;

	p = line;
	k = 0;
	u = step < 0 ? 0 : (unsigned long)step;
	do
		d[k++] = (char)('0' + u % 10);
	while ((u /= 10) > 0);
	while (k > 0)
		*p++ = d[--k];
	for (i = 0; i < n && i < 4; i++) {
		*p++ = '\t';
		p += num_fmt(p, 32, v[i]);
	}
	*p++ = '\n';
	fwrite(line, 1, (size_t)(p - line), stdout);
}

/* The reader's wait hook: flush; a reader gone or an error stops the
 * loop (*arg says which). */
static int
waitflush(void *arg)
{
	int *gone = arg;

	*gone = rec_flush(stdout, "stdout");
	return *gone != REC_FLUSH_OK;
}

/* A rank that exits before dist_end ends the whole job (dist_abort). */
static void
abort_job(void)
{
	dist_abort(EXIT_FAIL);
}

/*
 * Join the processes of a data-parallel run (mpirun, srun: dist.h); with
 * more than one, the messages name the rank, and an exit before the end
 * ends them all.
 */
static void
setup_dist(struct run *r, int *argc, char ***argv)
{
	static char name[48];

	if (dist_init(argc, argv) < 0)
		exit(EXIT_FAIL);
	r->rank = dist_rank();
	r->np = dist_size();
	if (r->np > 1) {
		snprintf(name, sizeof(name), "lrf-train: rank %d", r->rank);
		prog = name;
		atexit(abort_job);
	}
}

/* This process's share of each micro-batch and of the validation set;
 * the net told which samples are its (dropout, batchnorm). */
static void
setup_share(struct run *r)
{
	r->lo = 0;
	r->hi = r->B;
	r->vlo = 0;
	r->vhi = r->nval;
	if (r->np == 1)
		return;
	if (r->B < r->np) {
		/* every rank finds it: they end together, each with its
		 * message said, not by an abort that may lose them */
		err_set("train.batch_size %ld is smaller than the %d processes "
		    "that share it", r->B, r->np);
		dist_end();
		exit(EXIT_FAIL);
	}
	par_share(r->B, r->rank, r->np, 1, &r->lo, &r->hi);
	par_share(r->nval, r->rank, r->np, 1, &r->vlo, &r->vhi);
	if (net_share(&r->net, r->lo, dist_sumd) < 0)
		exit(EXIT_FAIL);
}

/*
 * Ranks 1.. of a data-parallel run: rank 0 reads the rates and sends
 * each (stop = 0 ends the run); train and validate with the others.
 */
static void
follow(struct run *r)
{
	struct { double lr; int go; } msg;
	double vloss, vacc;

	for (;;) {
		memset(&msg, 0, sizeof(msg));
		if (dist_bcast(&msg, sizeof(msg)) < 0)
			exit(EXIT_FAIL);
		if (!msg.go)
			break;
		train_step_dist(r, msg.lr);
		if (r->nval > 0)
			validate(r, &vloss, &vacc);
	}
	free_run(r);
	dist_end();
	exit(EXIT_OK);
}

/* Rank 0: send the next rate, or go = 0 for the end. */
static void
lead(const struct run *r, double lr, int go)
{
	struct { double lr; int go; } msg;

	if (r->np == 1)
		return;
	memset(&msg, 0, sizeof(msg));
	msg.lr = lr;
	msg.go = go;
	if (dist_bcast(&msg, sizeof(msg)) < 0)
		exit(EXIT_FAIL);
}

/*
 * train.processes (--np) np > 1, train.launcher (--launcher): run
 * lrf-train-mpi (this
 * program's path and "-mpi") under the launcher with these arguments,
 * relay its records (launch.h) and exit with its status.  The launched
 * program sees LAUNCH_ENV and does not launch again.
 */
static void
launch(const char *launcher, long nproc, char *argv[])
{
	char *words[LAUNCH_MAXARGS], *cmd, *w, np[24], twin[PATH_MAX];
	ssize_t len;
	int n, st;

	n = 0;
	cmd = NULL;
	if (launcher[0] != '\0') {
		if ((cmd = strdup(launcher)) == NULL) {
			err_set("out of memory");
			exit(EXIT_FAIL);
		}
		for (w = strtok(cmd, " \t"); w != NULL; w = strtok(NULL, " \t")) {
			if (n == LAUNCH_MAXARGS - 3) {	/* room for -n N */
				err_set("train.launcher: more than %d words",
				    LAUNCH_MAXARGS - 3);
				exit(EXIT_FAIL);
			}
			words[n++] = w;
		}
	} else {
		/*
		 * One machine's processes: Open MPI counts its slots in
		 * cores, not hardware threads, and refuses more processes
		 * than slots, so that a 2-vCPU machine presented as one
		 * core with two threads cannot run --np 2.  The user asked
		 * for np processes here; they get them (an own launcher,
		 * a hostfile's, is left as it is; a setting of the user's
		 * is kept).  Other MPIs read no such variable.
		 */
		words[n++] = "mpirun";
		setenv("OMPI_MCA_rmaps_base_oversubscribe", "1", 0);
	}
	snprintf(np, sizeof(np), "%ld", nproc);
	if (nproc > 1 || launcher[0] == '\0') {	/* mpirun and srun
							   both take -n */
		words[n++] = "-n";
		words[n++] = np;
	}
	if ((len = readlink("/proc/self/exe", twin, sizeof(twin) - 5)) < 0) {
		err_set("/proc/self/exe: %s", strerror(errno));
		exit(EXIT_FAIL);
	}
	memcpy(twin + len, "-mpi", 5);
	if (access(twin, X_OK) != 0) {
		err_set("--np, --launcher: %s: %s (built without MPI: install "
		    "libopenmpi-dev and rebuild)", twin, strerror(errno));
		exit(EXIT_FAIL);
	}
	st = launch_run(words, n, twin, argv + 1);
	free(cmd);
	exit(st < 0 ? EXIT_FAIL : st);
}

/* Every message the library reports, counted: once one is said, the run
 * has failed and never exits 0. */
static void
counterr(const char *msg)
{
	nerrors++;
	prog_printerr(msg);
}

/* Write the weights if asked to; exit 1 if that fails. */
static void
save(const struct run *r, const char *path)
{
	if (path != NULL && st_net_save(&r->net, path) < 0) {
		fflush(stdout);
		exit(EXIT_FAIL);
	}
}

int
main(int argc, char *argv[])
{
	static struct run run;
	struct flags f;
	struct rec_reader in;
	struct run *r;
	double lr, loss, vloss, vacc, planned, t0, t1, tbar, tflush, secs;
	double v[4];
	long step, num;
	int kind, col, threads, gone;

	prog_init("lrf-train");
	r = &run;
	setup_dist(r, &argc, &argv);
	err_sethook(counterr);
	argv[0] = (char *)prog;	/* getopt's messages name the program */
	parseflags(argc, argv, &f);
	if (r->rank > 0) {	/* rank 0 writes the files */
		f.save = f.wsplit = f.output = NULL;
		f.summary = f.progress = f.timing = 0;
	}
	setup_config(&r->c, &f);
	if (r->c.train.launcher[0] != '\0' &&
	    strspn(r->c.train.launcher, " \t") ==
	    strlen(r->c.train.launcher)) {
		err_set("train.launcher: empty command");
		exit(EXIT_FAIL);
	}
	if ((r->c.train.processes > 1 || r->c.train.launcher[0] != '\0') &&
	    r->np == 1 && getenv(LAUNCH_ENV) == NULL)
		launch(r->c.train.launcher, r->c.train.processes, argv);
	check_save(f.save);
	if (f.output != NULL && freopen(f.output, "w", stdout) == NULL) {
		err_set("%s: %s", f.output, strerror(errno));
		exit(EXIT_FAIL);
	}
	/* the step's threads are the net's; each calls a 1-thread sgemm,
	 * OpenBLAS's own threads ended before they spin against them */
	threads = r->c.train.threads > 0 ? (int)r->c.train.threads :
	    blas_cores();
	blas_serial();
	setup_run(r, &f, threads);
	setup_share(r);
	if (net_threads(&r->net, threads) < 0)
		exit(EXIT_FAIL);
	threads = par_size(r->net.par);
	if (f.summary)
		putsummary(stderr, &r->net, r->defmodel);
	if (r->rank > 0)
		follow(r);

	prog_stream();
	putheader(stdout, r, &f, threads);
	if ((gone = rec_flush(stdout, "stdout")) != REC_FLUSH_OK) {
		lead(r, 0, 0);
		if (gone == REC_FLUSH_GONE)
			dist_end();
		exit(gone == REC_FLUSH_GONE ? EXIT_OK : EXIT_FAIL);
	}

	rec_open(&in, stdin, "stdin");
	rec_onwait(&in, waitflush, &gone);
	col = -1;
	lr = loss = 0;
	step = 0;
	num = 0;
	gone = 0;
	vloss = vacc = 0;
	t0 = t1 = tbar = 0;
	tflush = now();
	while ((kind = rec_next(&in)) > 0) {
		if (kind == REC_HEADER) {
			if ((col = rec_col(&in, f.lrcol)) < 0)
				prog_exit(EXIT_FAIL);
			continue;
		}
		if (kind == REC_COMMENT) {
			if (rec_meta_is(in.raw, "schedule") &&
			    rec_meta_num(in.raw, "num", &planned) == 0 &&
			    planned >= 0 && planned < 1e15)
				num = (long)planned;
			fputs(in.raw, stdout);
			putc('\n', stdout);
			if (ferror(stdout) && (gone = rec_flush(stdout,
			    "stdout")) != REC_FLUSH_OK)
				break;
			continue;
		}
		if (col < 0 && (col = rec_col(&in, f.lrcol)) < 0)
			prog_exit(EXIT_FAIL);
		if (rec_lr(&in, col, &lr) < 0)
			prog_exit(EXIT_FAIL);
		if (step == 0)
			t0 = now();

		lead(r, lr, 1);
		loss = r->np > 1 ? train_step_dist(r, lr) : train_step(r, lr);
		if (r->nval > 0)
			validate(r, &vloss, &vacc);

		v[0] = lr;
		v[1] = loss;
		v[2] = vloss;
		v[3] = vacc;
		putrecord(step, v, r->nval == 0 ? 2 :
		    r->ds.task == TASK_CLASSIFICATION ? 4 : 3);
		step++;
		t1 = now();
		if (ferror(stdout) || t1 - tflush >= FLUSH_EVERY) {
			gone = rec_flush(stdout, "stdout");
			tflush = t1;
		}
		if (f.progress && (t1 - tbar >= BAR_EVERY || step == num)) {
			bar(step, num, lr, loss, step / (t1 - t0));
			tbar = t1;
		}
		if (gone != REC_FLUSH_OK)
			break;
	}
	lead(r, 0, 0);
	if (f.progress && step > 0) {
		bar(step, num, lr, loss, step / (t1 - t0));
		fputc('\n', stderr);
	}
	if (gone < 0)
		exit(EXIT_FAIL);
	if (kind < 0 && gone == REC_FLUSH_OK)
		prog_exit(EXIT_FAIL);
	/* The end of input, or a reader gone: the weights as they are. */
	save(r, f.save);
	if (gone == REC_FLUSH_GONE) {
		dist_end();
		exit(EXIT_OK);
	}
	rec_close(&in);
	if (r->ds.nbad > 0)
		fprintf(stderr, "%s: warning: data.skip_bad: %zu images could "
		    "not be decoded and were left out (first: %s)\n", prog,
		    r->ds.nbad, r->ds.badmsg);

	/* Timing is opt-in: without it the stream is byte-reproducible. */
	secs = step > 0 ? t1 - t0 : 0;
	if (f.timing)
		printf("#@ train steps=%ld seconds=%.6f ms_per_step=%.6f\n",
		    step, secs, step > 0 ? secs * 1e3 / step : 0.0);
	free_run(r);
	dist_end();
	prog_exit(nerrors > 0 ? EXIT_FAIL : EXIT_OK);
}
