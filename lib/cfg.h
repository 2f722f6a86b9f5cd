/*
 * cfg.h - the experiment file (lrf-config(5)), read with libyaml.
 *
 * cfg_defaults() fills every field with its documented default; cfg_load()
 * overlays a YAML file on it.  Programs then set their command-line flags
 * on top with cfg_set(), key by key, so flags override the file and are
 * held to its checks.  One table in cfg.c lists every key: its default,
 * its range or names, how it is read and written; a new key is a field
 * here and a row there.  Unknown keys, wrong types,
 * out-of-range values, duplicate keys, a document that is not a mapping
 * and tabs in indentation are errors reported as "file:line:column: what".
 */
#ifndef LRF_CFG_H
#define LRF_CFG_H

#include <stdio.h>

#define CFG_MAXLAYERS	64
#define CFG_MAXPATH	4096
#define CFG_MAXCLASSES	1024
#define CFG_MAXLIST	4096	/* bytes of a list of CSV column names */
#define CFG_MAXKEYS	128	/* keys in cfg.c's table, at most */

/* Where a key got its value (struct cfg_origin's how). */
enum { CFG_DEFAULT, CFG_FILE, CFG_SET };

enum { LAYER_DENSE, LAYER_DROPOUT, LAYER_CONV2D, LAYER_MAXPOOL2D,
	LAYER_AVGPOOL2D, LAYER_FLATTEN, LAYER_BATCHNORM, LAYER_GLOBALAVGPOOL,
	LAYER_BASICBLOCK, LAYER_BOTTLENECK, LAYER_NTYPES };
enum { ARCH_NONE, ARCH_RESNET18, ARCH_RESNET34, ARCH_RESNET50 };
enum { ACT_IDENTITY, ACT_RELU, ACT_LEAKY_RELU, ACT_TANH, ACT_SIGMOID,
	ACT_GELU };
enum { LOSS_CE, LOSS_BCE, LOSS_MSE };
enum { INIT_HE, INIT_XAVIER };
enum { TASK_CLASSIFICATION, TASK_REGRESSION };
enum { SYN_BLOBS, SYN_SPIRALS, SYN_LINEAR };

/* data.mean, data.std: per-channel values, or computed. */
enum { NORM_NONE, NORM_LIST, NORM_AUTO, NORM_IMAGENET };
struct cfg_norm {
	int	 kind;		/* NORM_*: NONE (~, the default) */
	int	 n;		/* NORM_LIST: 1 (every channel) or 3 */
	double	 v[3];
};

struct cfg_layer {
	int	 type;		/* LAYER_* */
	long	 units;		/* dense: outputs */
	int	 activation;	/* ACT_* (dense, conv2d; batchnorm:
				   identity or relu) */
	double	 rate;		/* dropout: probability of zeroing */
	long	 filters, kernel, stride, padding;	/* conv2d, pools;
				   padding -1 means "same"; the residual
				   blocks' filters are their planes */
	int	 bias;		/* conv2d: 1 (default) or 0 */
	int	 freeze;	/* parameters fixed */
	double	 lr_mult;	/* scales the learning rate (1) */
	int	 line, col;	/* where the layer is in the file */
};

struct cfg {
	char	 file[CFG_MAXPATH];	/* the file loaded, "" if none */

	struct cfg_finder {
		double	 start_lr;	/* 1e-7 */
		double	 end_lr;	/* 1 */
		long	 num_iter;	/* 100 */
		char	 mode[16];	/* "exp" | "linear" */
		double	 beta;		/* 0.98 */
		double	 diverge_threshold;	/* 4.0 */
		char	 suggest[16];	/* "steep" */
		long	 repeat;	/* lrf-find's range tests: 1 */
		char	 trainer[CFG_MAXPATH];	/* lrf-find: a command that
					   replaces lrf-train, "" for none */
		char	 plot[16];	/* lrf-find's plot: "png", "dumb"
					   (and the text plot in the log),
					   "none" */
	} finder;

	struct cfg_scheduler {
		char	 name[16];	/* "" (none), or an lrf-schedule mode */
		double	 lr;		/* constant, step, cosine: 0.01 */
		double	 max_lr;	/* onecycle, cyclical: 0.01 */
		double	 base_lr;	/* cyclical: 0.001 */
		double	 min_lr;	/* cosine: 0 */
		double	 gamma;		/* 0: the schedule's default,
					   step 0.1, exp_range 1 */
		double	 pct_start;	/* onecycle: 0.3 */
		double	 div_factor;	/* onecycle: 25 */
		double	 final_div_factor;	/* onecycle: 1e4 */
		long	 total_steps;	/* 1000 */
		long	 step_size;	/* step and cyclical: 100 */
		long	 warmup;	/* cosine: 0 */
	} scheduler;

	struct cfg_data {
		int	 format;	/* DATA_* (data.h): idx */
		char	 images[CFG_MAXPATH];	/* idx: Fashion-MNIST train */
		char	 labels[CFG_MAXPATH];
		char	 path[CFG_MAXPATH];	/* csv */
		char	 label_column[64];	/* csv: index or name, "0" */
		int	 header;	/* csv: 1 */
		char	 delimiter;	/* csv: ',' */
		int	 kind;		/* synthetic: SYN_BLOBS */
		long	 samples;	/* synthetic: 2000 */
		long	 features;	/* synthetic: 20 */
		char	 featcols[CFG_MAXLIST];	/* csv: data.features as a
					   list, the columns in order: names
					   or indices, each NUL-terminated */
		int	 nfeatcols;	/* 0: every column but the label and
					   data.ignore's */
		char	 ignore[CFG_MAXLIST];	/* csv: columns left out, as
					   featcols */
		int	 nignore;	/* 0 */
		long	 classes;	/* synthetic: 4 */
		int	 task;		/* TASK_CLASSIFICATION */
		double	 scale;		/* 1 for csv/synthetic, 1/255 for idx;
					   0 means "the format's default" */
		int	 standardize;	/* 0 */
		long	 folds;		/* 5 */
		long	 fold;		/* 0 */
		long	 shape[3];	/* csv: C, H, W; all 0 if not given */
		long	 keep[CFG_MAXCLASSES];	/* data.classes: labels kept */
		int	 nkeep;		/* 0: keep all */
		char	 root[CFG_MAXPATH];	/* images: class folders */
		long	 size[2];	/* images: H, W; W 0: one number,
					   Resize(H) + CenterCrop(H): 224 */
		long	 channels;	/* images: 1 or 3 */
		struct cfg_norm mean, std;	/* images: none */
		char	 split[CFG_MAXPATH];	/* images: list files, "" */
		int	 skip_bad;	/* images: 0 */
		int	 flip;		/* images: random flip, 0 */
		long	 pad;		/* images: random crop padding, 0 */
		long	 workers;	/* images: decoding threads, 4 */
	} data;

	struct cfg_model {
		struct cfg_layer layers[CFG_MAXLAYERS];
		int	 nlayers;	/* 0 (~, the default): the default
					   model for the data, net_default */
		int	 loss;		/* LOSS_CE */
		int	 init;		/* INIT_HE */
		int	 arch;		/* ARCH_NONE: the layers; or a
					   ResNet that replaces them */
		int	 freeze_to;	/* with arch: 0 none, 1 the stem, 2..5
					   the stem and layer1..layer4 */
		int	 freeze_bn;	/* and their batchnorms: 0 */
		double	 stage_lr_mult[6];	/* with arch: stem, layer1..4,
					   fc: 1 */
	} model;

	struct cfg_optimizer {
		int	 name;		/* OPT_* (opt.h): sgd */
		double	 momentum;	/* -1: the optimizer's default
					   (opt_momentum) */
		double	 dampening;	/* 0 */
		int	 nesterov;	/* 0 */
		double	 weight_decay;	/* -1: the optimizer's default
					   (opt_weight_decay) */
		double	 betas[2];	/* 0.9, 0.999 */
		double	 eps;		/* 1e-8 */
		double	 alpha;		/* rmsprop: 0.99 */
	} optimizer;

	struct cfg_train {
		long	 batch_size;	/* 64 */
		long	 accum;		/* accumulation_steps: 1 */
		unsigned long seed;	/* 42 */
		long	 threads;	/* 0 = all cores */
		long	 processes;	/* data-parallel, under mpirun: 1 */
		char	 launcher[CFG_MAXPATH];	/* the command that launches
					   them ("srun", "mpirun -hostfile
					   h"), "" for mpirun */
		char	 device[16];	/* "cpu" */
		long	 val_size;	/* 1024 */
	} train;

	/* each key's origin, in cfg.c's table order: for messages about a
	 * copy of the configuration (cfg_written, cfg_origin) */
	struct cfg_origin {
		int	 how;		/* CFG_*: CFG_DEFAULT */
		int	 line, col;	/* CFG_FILE: the value's place in file */
	} origin[CFG_MAXKEYS];
};

/* Fill c with every default listed above (cfg.c's table of keys holds
 * them, each as the file would write it).  Never fails. */
void cfg_defaults(struct cfg *c);

/*
 * Read path over what c holds.  Returns 0, or -1 with the message
 * "path:line:column: what" set (or "path: what" for an unreadable file);
 * on error c is left unchanged.  A file with no document (empty, or
 * comments only) changes nothing.
 * Unknown keys name the nearest valid one: "unknown key 'diverge_treshold'
 * in finder (did you mean 'diverge_threshold'?)".
 */
int cfg_load(struct cfg *c, const char *path);

/* Write the whole configuration as YAML that cfg_load reads back (to the
 * same values; file and the layers' line:col aside).  Returns 0, or -1
 * with a message for a value YAML cannot hold or a write error. */
int cfg_write(FILE *fp, const struct cfg *c);

/*
 * Set one key, "section.name" ("train.batch_size"), from text as the
 * file would give it (a plain scalar): the same conversion, range and
 * names, and the same message without the file's place:
 * "train.batch_size: 0 is out of range [1, 1048576]".  This is how the
 * programs lay their flags over the file.  Returns 0, or -1 with the
 * message and c unchanged; an unknown key and the keys that take a list
 * (model.layers, data.shape, optimizer.betas) are errors.  The checks
 * between keys (finder.end_lr above finder.start_lr, data.fold below
 * data.folds) are the caller's, once all its flags are set.
 */
int cfg_set(struct cfg *c, const char *key, const char *text);

/*
 * The key that line `line` (1-based) of cfg_write's output of c holds:
 * "section.name" into key, and for model.layers the layer's index in
 * *layer (-1 for any other key).  0, or -1 if that line holds no key.
 */
int cfg_written(const struct cfg *c, int line, char *key, size_t size,
    int *layer);

/*
 * Where key ("section.name") got its value: CFG_FILE, with
 * "file:line:col" in buf (for model.layers, layer's place when layer is
 * 0 or more and it has one); CFG_SET (cfg_set: a flag or --set) or
 * CFG_DEFAULT, with buf ""; -1 for an unknown key.
 */
int cfg_origin(const struct cfg *c, const char *key, int layer, char *buf,
    size_t size);

/* Make every path key (data.images, data.labels, data.path, any path a
 * new key adds) that is relative absolute: dir/path.  0, or -1 with
 * "path: path too long" (the keys before it already changed). */
int cfg_abspaths(struct cfg *c, const char *dir);

/*
 * The names of the enum values above, in lists that end with NULL (look
 * them up with lib/names.h); cfg_mode_names, cfg_plot_names and
 * cfg_sched_names list the values of finder.mode, finder.plot and
 * scheduler.name.  The other keys that take a
 * name take them from the module that owns the values: data_format_names
 * and data_task_names (data.h), opt_names (opt.h), suggest_names
 * (suggest.h).
 */
extern const char *const cfg_arch_names[], *const cfg_stage_names[];
extern const char *const cfg_layer_names[], *const cfg_act_names[],
    *const cfg_loss_names[], *const cfg_init_names[], *const cfg_kind_names[],
    *const cfg_mode_names[], *const cfg_plot_names[],
    *const cfg_sched_names[];

#endif
