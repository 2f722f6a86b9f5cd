/*
 * cfg.c - the experiment file (lrf-config(5)).
 *
 * The file is read whole (at most CFG_MAXFILE bytes), parsed with
 * libyaml's event API into a small tree of nodes (anchors, aliases and
 * tags refused, nesting limited to CFG_MAXDEPTH), and the tree is then
 * checked against one table of keys.  Values go into a copy of the
 * configuration, which replaces the caller's only when the whole file is
 * good: a failed load changes nothing.
 */
#include <errno.h>
#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "cfg.h"
#include "data.h"
#include "err.h"
#include "names.h"
#include "num.h"
#include "opt.h"
#include "suggest.h"

#define CFG_MAXFILE	(1 << 20)	/* bytes in a configuration file */
#define CFG_MAXDEPTH	16		/* nested mappings and sequences */
#define SHOWN		40		/* bytes of a bad value quoted back */

const char *const cfg_layer_names[LAYER_NTYPES + 1] = {
	[LAYER_DENSE] = "dense",
	[LAYER_DROPOUT] = "dropout",
	[LAYER_CONV2D] = "conv2d",
	[LAYER_MAXPOOL2D] = "maxpool2d",
	[LAYER_AVGPOOL2D] = "avgpool2d",
	[LAYER_FLATTEN] = "flatten",
	[LAYER_BATCHNORM] = "batchnorm",
	[LAYER_GLOBALAVGPOOL] = "globalavgpool",
	[LAYER_BASICBLOCK] = "basicblock",
	[LAYER_BOTTLENECK] = "bottleneck",
};
const char *const cfg_act_names[] = { "identity", "relu", "leaky_relu",
	"tanh", "sigmoid", "gelu", NULL };
const char *const cfg_arch_names[] = { "none", "resnet18", "resnet34",
	"resnet50", NULL };
const char *const cfg_stage_names[] = { "none", "stem", "layer1",
	"layer2", "layer3", "layer4", NULL };
const char *const cfg_loss_names[] = { "cross_entropy", "bce", "mse", NULL };
const char *const cfg_init_names[] = { "he", "xavier", NULL };
const char *const cfg_kind_names[] = { "blobs", "spirals", "linear", NULL };
const char *const cfg_mode_names[] = { "exp", "linear", NULL };
const char *const cfg_plot_names[] = { "png", "dumb", "none", NULL };
const char *const cfg_sched_names[] = { "constant", "step", "cosine",
	"onecycle", "triangular", "triangular2", "exp_range", "exp", "linear",
	NULL };

/* ---- the tree ---------------------------------------------------------- */

enum { N_SCALAR, N_SEQ, N_MAP };

struct node {
	int	 type;		/* N_* */
	int	 plain;		/* scalar written without quotes */
	int	 line, col;	/* 1-based */
	char	*s;		/* scalar text */
	struct node **kid;	/* sequence items; mapping: key, value, ... */
	size_t	 n, cap;
};

static void
node_free(struct node *n)
{
	size_t i;

	if (n == NULL)
		return;
	for (i = 0; i < n->n; i++)
		node_free(n->kid[i]);
	free(n->kid);
	free(n->s);
	free(n);
}

/* ---- loader state and messages ----------------------------------------- */

struct mark {
	int	 line, col;	/* 0: not set by this file */
};

struct ld {
	const char	*file;
	const char	*buf;	/* the file's bytes */
	size_t		 len;
	struct cfg	*c;	/* the copy being filled */
	struct mark	*set;	/* where each key of keys[] was set */
};

/* "file:line:col: what" (cfg_set: "what"), set once. */
static int __attribute__((format(printf, 3, 4)))
bad(struct ld *L, const struct node *n, const char *fmt, ...)
{
	char msg[768];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (L->file == NULL)	/* cfg_set: no file, no place in one */
		return err_set("%s", msg);
	return err_set("%s:%d:%d: %s", L->file, n->line, n->col, msg);
}

/* A value as it is quoted back in a message: at most SHOWN bytes, control
 * characters escaped, cut on a UTF-8 boundary. */
static const char *
shown(const char *s, char *buf, size_t n)
{
	const unsigned char *p;
	size_t o;

	o = 0;
	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (o >= SHOWN && (*p & 0xc0) != 0x80) {
			snprintf(buf + o, n - o, "...");
			return buf;
		}
		if (o + 5 >= n)
			break;
		if (*p < 0x20 || *p == 0x7f)
			o += snprintf(buf + o, n - o, "\\x%02x", *p);
		else
			buf[o++] = *p;
	}
	buf[o] = '\0';
	return buf;
}

static const char *
kind(const struct node *n)
{
	return n->type == N_MAP ? "a mapping" : n->type == N_SEQ ?
	    "a sequence" : "a scalar";
}

/* Shortest text that strtod reads back as v. */
static void
fmtd(char *buf, size_t n, double v)
{
	int p;

	if (isnan(v)) {
		snprintf(buf, n, "nan");
		return;
	}
	if (v == floor(v) && fabs(v) < 1e15) {		/* 10000, not 1e+04 */
		snprintf(buf, n, "%.0f", v);
		return;
	}
	for (p = 1; p <= 17; p++) {
		snprintf(buf, n, "%.*g", p, v);
		if (strtod(buf, NULL) == v)
			return;
	}
}

/* Optimal string alignment distance, for "did you mean". */
static int
distance(const char *a, const char *b)
{
	int d[65][65], i, j, la, lb, v;

	la = strlen(a);
	lb = strlen(b);
	if (la > 64 || lb > 64)
		return INT_MAX;
	for (i = 0; i <= la; i++)
		d[i][0] = i;
	for (j = 0; j <= lb; j++)
		d[0][j] = j;
	for (i = 1; i <= la; i++)
		for (j = 1; j <= lb; j++) {
			v = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
			if (d[i - 1][j] + 1 < v)
				v = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < v)
				v = d[i][j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] &&
			    a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < v)
				v = d[i - 2][j - 2] + 1;
			d[i][j] = v;
		}
	return d[la][lb];
}

/* Is d close enough between s and a candidate of length n to suggest it? */
static int
near(int d, size_t ls, size_t lc)
{
	return d <= 3 && (size_t)d * 2 <= (ls > lc ? ls : lc);
}

/* " (did you mean 'x'?)" or "", into buf. */
static const char *
suggest(const char *s, const char *const *cand, size_t ncand, char *buf,
    size_t n)
{
	const char *best, *c;
	int bd, d;
	size_t i;

	best = NULL;
	bd = INT_MAX;
	for (i = 0; i < ncand; i++) {
		c = cand[i];
		d = distance(s, c);
		if (d < bd) {
			bd = d;
			best = c;
		}
	}
	if (best != NULL && near(bd, strlen(s), strlen(best)))
		snprintf(buf, n, " (did you mean '%s'?)", best);
	else
		buf[0] = '\0';
	return buf;
}

/* ---- building the tree from libyaml events ------------------------------ */

/* line:column of byte offset off: 1-based, columns in characters. */
static void
offset_pos(const struct ld *L, size_t off, int *line, int *col)
{
	size_t i;

	*line = 1;
	*col = 1;
	for (i = 0; i < off && i < L->len; i++) {
		if (L->buf[i] == '\n') {
			(*line)++;
			*col = 1;
		} else if ((L->buf[i] & 0xc0) != 0x80)
			(*col)++;
	}
}

/* The column (1-based) of a tab in the indentation of line (1-based), or 0. */
static int
indent_tab(const struct ld *L, int line)
{
	size_t i;
	int l;

	for (i = 0, l = 1; i < L->len && l < line; i++)
		if (L->buf[i] == '\n')
			l++;
	for (l = 1; i < L->len && (L->buf[i] == ' ' || L->buf[i] == '\t');
	    i++, l++)
		if (L->buf[i] == '\t')
			return l;
	return 0;
}

static int
parse_error(struct ld *L, yaml_parser_t *p)
{
	struct node at;
	int tab;

	memset(&at, 0, sizeof(at));
	switch (p->error) {
	case YAML_MEMORY_ERROR:
		return err_set("%s: out of memory", L->file);
	case YAML_READER_ERROR:
		offset_pos(L, p->problem_offset, &at.line, &at.col);
		if (p->problem_value != -1)
			return bad(L, &at, "%s (0x%x)", p->problem,
			    p->problem_value);
		return bad(L, &at, "%s", p->problem);
	default:
		at.line = p->problem_mark.line + 1;
		at.col = p->problem_mark.column + 1;
		if ((tab = indent_tab(L, at.line)) > 0) {
			at.col = tab;
			return bad(L, &at, "tab character in indentation");
		}
		return bad(L, &at, "%s", p->problem ? p->problem :
		    "YAML syntax error");
	}
}

static int
next_event(struct ld *L, yaml_parser_t *p, yaml_event_t *ev)
{
	if (!yaml_parser_parse(p, ev))
		return parse_error(L, p);
	return 0;
}

static struct node *
node_new(struct ld *L, const yaml_event_t *ev, int type)
{
	struct node *n;

	if ((n = calloc(1, sizeof(*n))) == NULL) {
		err_set("%s: out of memory", L->file);
		return NULL;
	}
	n->type = type;
	n->line = ev->start_mark.line + 1;
	n->col = ev->start_mark.column + 1;
	return n;
}

static int
node_add(struct ld *L, struct node *n, struct node *k)
{
	struct node **kid;
	size_t cap;

	if (n->n == n->cap) {
		cap = n->cap ? 2 * n->cap : 8;
		/* NOLINTNEXTLINE(bugprone-sizeof-expression): pointers */
		if ((kid = realloc(n->kid, cap * sizeof(*kid))) == NULL) {
			node_free(k);
			return err_set("%s: out of memory", L->file);
		}
		n->kid = kid;
		n->cap = cap;
	}
	n->kid[n->n++] = k;
	return 0;
}

/* Build the node that starts with event ev (which this consumes). */
static struct node *
build(struct ld *L, yaml_parser_t *p, yaml_event_t *ev, int depth)
{
	struct node *n, *k;
	yaml_char_t *anchor, *tag;
	yaml_event_type_t end;
	yaml_event_t e;
	int type;

	n = NULL;
	anchor = tag = NULL;
	switch (ev->type) {
	case YAML_SCALAR_EVENT:
		anchor = ev->data.scalar.anchor;
		tag = ev->data.scalar.tag;
		type = N_SCALAR;
		end = YAML_NO_EVENT;
		break;
	case YAML_SEQUENCE_START_EVENT:
		anchor = ev->data.sequence_start.anchor;
		tag = ev->data.sequence_start.tag;
		type = N_SEQ;
		end = YAML_SEQUENCE_END_EVENT;
		break;
	case YAML_MAPPING_START_EVENT:
		anchor = ev->data.mapping_start.anchor;
		tag = ev->data.mapping_start.tag;
		type = N_MAP;
		end = YAML_MAPPING_END_EVENT;
		break;
	default:		/* YAML_ALIAS_EVENT */
		type = -1;
		end = YAML_NO_EVENT;
		break;
	}
	if ((n = node_new(L, ev, type)) == NULL)
		goto fail;
	if (type < 0 || anchor != NULL) {
		bad(L, n, "anchors and aliases are not supported");
		goto fail;
	}
	if (tag != NULL) {
		bad(L, n, "tags are not supported");
		goto fail;
	}
	if (type == N_SCALAR) {
		if (strlen((char *)ev->data.scalar.value) !=
		    ev->data.scalar.length) {
			bad(L, n, "NUL character in a value");
			goto fail;
		}
		n->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
		if ((n->s = strdup((char *)ev->data.scalar.value)) == NULL) {
			err_set("%s: out of memory", L->file);
			goto fail;
		}
		yaml_event_delete(ev);
		return n;
	}
	if (depth >= CFG_MAXDEPTH) {
		bad(L, n, "nesting deeper than %d levels", CFG_MAXDEPTH);
		goto fail;
	}
	yaml_event_delete(ev);
	for (;;) {
		if (next_event(L, p, &e) < 0) {
			node_free(n);
			return NULL;
		}
		if (e.type == end) {
			yaml_event_delete(&e);
			return n;
		}
		if ((k = build(L, p, &e, depth + 1)) == NULL ||
		    node_add(L, n, k) < 0) {
			node_free(n);
			return NULL;
		}
	}
fail:
	yaml_event_delete(ev);
	node_free(n);
	return NULL;
}

/*
 * Parse the whole buffer.  *root is NULL for a file without a document
 * (empty, or comments only).
 */
static int
parse(struct ld *L, struct node **root)
{
	yaml_parser_t p;
	yaml_event_t e;
	struct node at;
	int rc;

	*root = NULL;
	rc = -1;
	if (!yaml_parser_initialize(&p))
		return err_set("%s: out of memory", L->file);
	yaml_parser_set_input_string(&p, (const unsigned char *)L->buf, L->len);
	if (next_event(L, &p, &e) < 0)		/* STREAM-START */
		goto out;
	yaml_event_delete(&e);
	if (next_event(L, &p, &e) < 0)
		goto out;
	if (e.type == YAML_STREAM_END_EVENT) {
		yaml_event_delete(&e);
		rc = 0;
		goto out;
	}
	yaml_event_delete(&e);			/* DOCUMENT-START */
	if (next_event(L, &p, &e) < 0)
		goto out;
	if ((*root = build(L, &p, &e, 0)) == NULL)
		goto out;
	if (next_event(L, &p, &e) < 0)		/* DOCUMENT-END */
		goto out;
	yaml_event_delete(&e);
	if (next_event(L, &p, &e) < 0)
		goto out;
	if (e.type != YAML_STREAM_END_EVENT) {
		memset(&at, 0, sizeof(at));
		at.line = e.start_mark.line + 1;
		at.col = e.start_mark.column + 1;
		yaml_event_delete(&e);
		bad(L, &at, "more than one document");
		goto out;
	}
	yaml_event_delete(&e);
	rc = 0;
out:
	if (rc < 0) {
		node_free(*root);
		*root = NULL;
	}
	yaml_parser_delete(&p);
	return rc;
}

/* ---- the keys ------------------------------------------------------------ */

enum {
	K_DOUBLE,	/* double */
	K_LONG,		/* long */
	K_SEED,		/* unsigned long */
	K_BOOL,		/* int 0/1 */
	K_ENUM,		/* int, an index into names */
	K_NAME,		/* char[16], one of names */
	K_PATH,		/* char[CFG_MAXPATH] */
	K_TEXT,		/* char[CFG_MAXPATH], a command: not a path */
	K_LABEL,	/* data.label_column: char[64], index or name */
	K_CHAR,		/* data.delimiter */
	K_DEVICE,	/* train.device */
	K_NUMITER,	/* finder.num_iter: 0 or >= 2 */
	K_CLASSES,	/* data.classes: count or list */
	K_SHAPE,	/* data.shape: [C, H, W] */
	K_BETAS,	/* optimizer.betas: [b1, b2] */
	K_STAGES,	/* model.stage_lr_mult: 6 numbers */
	K_LAYERS,	/* model.layers */
	K_PADDING,	/* layer padding: same or >= 0 */
	K_SIZE,		/* data.size: N or [H, W] */
	K_NORM,		/* data.mean, data.std: list, auto, imagenet */
	K_FEATURES,	/* data.features: count (synthetic) or columns */
	K_COLS		/* data.ignore: columns */
};

/* flags */
#define LO_OPEN	0x1	/* (lo, ...] */
#define HI_OPEN	0x2	/* [..., hi) */
#define NULLOK	0x4	/* ~ stores nul: "the default" */

/*
 * One key: where its value goes, its default (written as in a file:
 * cfg_defaults reads them as one), its range or names, and how cfg_write
 * writes it.
 */
struct key {
	const char	*sec;		/* section, or "layer" */
	const char	*name;
	int		 type;		/* K_* */
	size_t		 off;		/* in struct cfg or struct cfg_layer */
	const char	*def;		/* the default, in YAML; NULL for a
					   layer key (set_layer) */
	double		 lo, hi;	/* range */
	int		 flags;
	const char *const *names;	/* K_ENUM, K_NAME */
	double		 nul;		/* stored for ~ when NULLOK */
	const char	*note;		/* cfg_write: the comment after ~ */
};

#define INF	HUGE_VAL
#define C(f)	offsetof(struct cfg, f)
#define Y(f)	offsetof(struct cfg_layer, f)

static const char *const sections[] = { "finder", "scheduler", "data",
	"model", "optimizer", "train" };
#define NSECTIONS	(sizeof(sections) / sizeof(sections[0]))

static const struct key keys[] = {
	{ "finder", "start_lr", K_DOUBLE, C(finder.start_lr), "1e-7", 0, INF,
	    LO_OPEN | HI_OPEN, NULL, 0, NULL },
	{ "finder", "end_lr", K_DOUBLE, C(finder.end_lr), "1", 0, INF,
	    LO_OPEN | HI_OPEN, NULL, 0, NULL },
	{ "finder", "num_iter", K_NUMITER, C(finder.num_iter), "100", 0, INF,
	    HI_OPEN, NULL, 0, NULL },
	{ "finder", "mode", K_NAME, C(finder.mode), "exp", 0, 0, 0,
	    cfg_mode_names, 0, NULL },
	{ "finder", "beta", K_DOUBLE, C(finder.beta), "0.98", 0, 1, HI_OPEN,
	    NULL, 0, NULL },
	{ "finder", "diverge_threshold", K_DOUBLE, C(finder.diverge_threshold),
	    "4", 1, INF, LO_OPEN | HI_OPEN, NULL, 0, NULL },
	{ "finder", "suggest", K_NAME, C(finder.suggest), "floor", 0, 0, 0,
	    suggest_names, 0, NULL },
	{ "finder", "repeat", K_LONG, C(finder.repeat), "1", 1, 64, 0, NULL,
	    0, NULL },
	{ "finder", "trainer", K_TEXT, C(finder.trainer), "\"\"", 0, 0, 0,
	    NULL, 0, NULL },
	{ "finder", "plot", K_NAME, C(finder.plot), "png", 0, 0, 0,
	    cfg_plot_names, 0, NULL },

	{ "scheduler", "name", K_NAME, C(scheduler.name), "~", 0, 0, NULLOK,
	    cfg_sched_names, 0, "none" },
	{ "scheduler", "lr", K_DOUBLE, C(scheduler.lr), "0.01", 0, INF,
	    HI_OPEN, NULL, 0, NULL },
	{ "scheduler", "max_lr", K_DOUBLE, C(scheduler.max_lr), "0.01", 0, INF,
	    HI_OPEN, NULL, 0, NULL },
	{ "scheduler", "base_lr", K_DOUBLE, C(scheduler.base_lr), "0.001", 0,
	    INF, HI_OPEN, NULL, 0, NULL },
	{ "scheduler", "min_lr", K_DOUBLE, C(scheduler.min_lr), "0", 0, INF,
	    HI_OPEN, NULL, 0, NULL },
	{ "scheduler", "gamma", K_DOUBLE, C(scheduler.gamma), "~", 0, INF,
	    LO_OPEN | HI_OPEN | NULLOK, NULL, 0, "the schedule's default" },
	{ "scheduler", "pct_start", K_DOUBLE, C(scheduler.pct_start), "0.3", 0,
	    1, 0, NULL, 0, NULL },
	{ "scheduler", "div_factor", K_DOUBLE, C(scheduler.div_factor), "25",
	    0, INF, LO_OPEN | HI_OPEN, NULL, 0, NULL },
	{ "scheduler", "final_div_factor", K_DOUBLE,
	    C(scheduler.final_div_factor), "1e4", 0, INF, LO_OPEN | HI_OPEN,
	    NULL, 0, NULL },
	{ "scheduler", "total_steps", K_LONG, C(scheduler.total_steps), "1000",
	    1, INF, HI_OPEN, NULL, 0, NULL },
	{ "scheduler", "step_size", K_LONG, C(scheduler.step_size), "100", 1,
	    INF, HI_OPEN, NULL, 0, NULL },
	{ "scheduler", "warmup", K_LONG, C(scheduler.warmup), "0", 0, INF,
	    HI_OPEN, NULL, 0, NULL },

	{ "data", "format", K_ENUM, C(data.format), "idx", 0, 0, 0,
	    data_format_names, 0, NULL },
	{ "data", "images", K_PATH, C(data.images),
	    "\"/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz\"",
	    0, 0, 0, NULL, 0, NULL },
	{ "data", "labels", K_PATH, C(data.labels),
	    "\"/usr/share/datasets/fashion-mnist/train-labels-idx1-ubyte.gz\"",
	    0, 0, 0, NULL, 0, NULL },
	{ "data", "path", K_PATH, C(data.path), "\"\"", 0, 0, 0, NULL, 0,
	    NULL },
	{ "data", "label_column", K_LABEL, C(data.label_column), "0", 0, INF,
	    HI_OPEN, NULL, 0, NULL },
	{ "data", "header", K_BOOL, C(data.header), "true", 0, 0, 0, NULL, 0,
	    NULL },
	{ "data", "delimiter", K_CHAR, C(data.delimiter), "\",\"", 0, 0, 0,
	    NULL, 0, NULL },
	{ "data", "kind", K_ENUM, C(data.kind), "blobs", 0, 0, 0,
	    cfg_kind_names, 0, NULL },
	{ "data", "samples", K_LONG, C(data.samples), "2000", 1, 100000000, 0,
	    NULL, 0, NULL },
	{ "data", "features", K_FEATURES, C(data.features), "20", 1, 1000000,
	    0, NULL, 0, NULL },
	{ "data", "ignore", K_COLS, C(data.ignore), "[]", 0, INF, HI_OPEN,
	    NULL, 0, NULL },
	{ "data", "classes", K_CLASSES, C(data.classes), "4", 2,
	    CFG_MAXCLASSES, 0, NULL, 0, NULL },
	{ "data", "task", K_ENUM, C(data.task), "classification", 0, 0, 0,
	    data_task_names, 0, NULL },
	{ "data", "scale", K_DOUBLE, C(data.scale), "~", 0, INF,
	    LO_OPEN | HI_OPEN | NULLOK, NULL, 0, "the format's default" },
	{ "data", "standardize", K_BOOL, C(data.standardize), "false", 0, 0, 0,
	    NULL, 0, NULL },
	{ "data", "folds", K_LONG, C(data.folds), "5", 1, 1000000, 0,
	    NULL, 0, NULL },
	{ "data", "fold", K_LONG, C(data.fold), "0", 0, 1000000, HI_OPEN,
	    NULL, 0, NULL },
	{ "data", "shape", K_SHAPE, C(data.shape), "~", 1, 65536, NULLOK,
	    NULL, 0, NULL },
	{ "data", "root", K_PATH, C(data.root), "\"\"", 0, 0, 0, NULL, 0,
	    NULL },
	{ "data", "size", K_SIZE, C(data.size), "224", 1, 16384, 0, NULL, 0,
	    NULL },
	{ "data", "channels", K_LONG, C(data.channels), "3", 1, 3, 0, NULL, 0,
	    NULL },
	{ "data", "mean", K_NORM, C(data.mean), "~", -INF, INF, NULLOK, NULL,
	    0, "none: x = v * scale" },
	{ "data", "std", K_NORM, C(data.std), "~", 0, INF, NULLOK | LO_OPEN,
	    NULL, 0, "none" },
	{ "data", "split", K_PATH, C(data.split), "\"\"", 0, 0, 0, NULL, 0,
	    NULL },
	{ "data", "skip_bad", K_BOOL, C(data.skip_bad), "false", 0, 0, 0, NULL,
	    0, NULL },
	{ "data", "flip", K_BOOL, C(data.flip), "false", 0, 0, 0, NULL, 0,
	    NULL },
	{ "data", "pad", K_LONG, C(data.pad), "0", 0, 4096, 0, NULL, 0, NULL },
	{ "data", "workers", K_LONG, C(data.workers), "4", 0, 256, 0, NULL, 0,
	    NULL },

	/* ~: lrf-train builds the default for the data (net_default) */
	{ "model", "layers", K_LAYERS, C(model), "~", 0, 0, NULLOK,
	    NULL, 0, "the default for the data" },
	{ "model", "loss", K_ENUM, C(model.loss), "cross_entropy", 0, 0, 0,
	    cfg_loss_names, 0, NULL },
	{ "model", "init", K_ENUM, C(model.init), "he", 0, 0, 0,
	    cfg_init_names, 0, NULL },
	{ "model", "arch", K_ENUM, C(model.arch), "none", 0, 0, 0,
	    cfg_arch_names, 0, NULL },
	{ "model", "freeze_to", K_ENUM, C(model.freeze_to), "none", 0, 0, 0,
	    cfg_stage_names, 0, NULL },
	{ "model", "freeze_bn", K_BOOL, C(model.freeze_bn), "false", 0, 0, 0,
	    NULL, 0, NULL },
	{ "model", "stage_lr_mult", K_STAGES, C(model.stage_lr_mult),
	    "[1, 1, 1, 1, 1, 1]", 0, FLT_MAX, 0, NULL, 0, NULL },

	{ "optimizer", "name", K_ENUM, C(optimizer.name), "sgd", 0, 0, 0,
	    opt_names, 0, NULL },
	{ "optimizer", "momentum", K_DOUBLE, C(optimizer.momentum), "~", 0, 1,
	    HI_OPEN | NULLOK, NULL, -1, "the optimizer's default" },
	{ "optimizer", "dampening", K_DOUBLE, C(optimizer.dampening), "0", 0,
	    1, HI_OPEN, NULL, 0, NULL },
	{ "optimizer", "nesterov", K_BOOL, C(optimizer.nesterov), "false", 0,
	    0, 0, NULL, 0, NULL },
	{ "optimizer", "weight_decay", K_DOUBLE, C(optimizer.weight_decay),
	    "~", 0, INF, HI_OPEN | NULLOK, NULL, -1,
	    "the optimizer's default" },
	{ "optimizer", "betas", K_BETAS, C(optimizer.betas), "[0.9, 0.999]", 0,
	    1, HI_OPEN, NULL, 0, NULL },
	{ "optimizer", "eps", K_DOUBLE, C(optimizer.eps), "1e-8", 0, INF,
	    LO_OPEN | HI_OPEN, NULL, 0, NULL },
	{ "optimizer", "alpha", K_DOUBLE, C(optimizer.alpha), "0.99", 0, 1,
	    HI_OPEN, NULL, 0, NULL },

	{ "train", "batch_size", K_LONG, C(train.batch_size), "64", 1, 1048576,
	    0, NULL, 0, NULL },
	{ "train", "accumulation_steps", K_LONG, C(train.accum), "1", 1,
	    1048576, 0, NULL, 0, NULL },
	{ "train", "seed", K_SEED, C(train.seed), "42", 0, 0, 0, NULL, 0,
	    NULL },
	{ "train", "threads", K_LONG, C(train.threads), "0", 0, 1024, 0,
	    NULL, 0, NULL },
	{ "train", "processes", K_LONG, C(train.processes), "1", 1, 1048576,
	    0, NULL, 0, NULL },
	{ "train", "launcher", K_TEXT, C(train.launcher), "\"\"", 0, 0, 0,
	    NULL, 0, NULL },
	{ "train", "device", K_DEVICE, C(train.device), "cpu", 0, 0, 0,
	    NULL, 0, NULL },
	{ "train", "val_size", K_LONG, C(train.val_size), "1024", 1, 100000000,
	    0, NULL, 0, NULL },
};
#define NKEYS	(sizeof(keys) / sizeof(keys[0]))
_Static_assert(NKEYS <= CFG_MAXKEYS, "CFG_MAXKEYS: too few for keys[]");

/* The keys of one layer mapping; "type" comes first. */
enum { LK_TYPE, LK_UNITS, LK_ACTIVATION, LK_RATE, LK_FILTERS, LK_KERNEL,
	LK_STRIDE, LK_PADDING, LK_BIAS, LK_FREEZE, LK_LR_MULT, NLKEYS };
#define LK(k)	(1u << (k))

static const struct key lkeys[NLKEYS] = {
	[LK_TYPE] = { "layer", "type", K_ENUM, Y(type), NULL, 0, 0, 0,
	    cfg_layer_names, 0, NULL },
	[LK_UNITS] = { "layer", "units", K_LONG, Y(units), NULL, 1, 1048576,
	    0, NULL, 0, NULL },
	[LK_ACTIVATION] = { "layer", "activation", K_ENUM, Y(activation),
	    NULL, 0, 0, 0, cfg_act_names, 0, NULL },
	[LK_RATE] = { "layer", "rate", K_DOUBLE, Y(rate), NULL, 0, 1, HI_OPEN,
	    NULL, 0, NULL },
	[LK_FILTERS] = { "layer", "filters", K_LONG, Y(filters), NULL, 1,
	    65536, 0, NULL, 0, NULL },
	[LK_KERNEL] = { "layer", "kernel", K_LONG, Y(kernel), NULL, 1, 1024,
	    0, NULL, 0, NULL },
	[LK_STRIDE] = { "layer", "stride", K_LONG, Y(stride), NULL, 1, 1024,
	    0, NULL, 0, NULL },
	[LK_PADDING] = { "layer", "padding", K_PADDING, Y(padding), NULL, 0,
	    1024, 0, NULL, 0, NULL },
	[LK_BIAS] = { "layer", "bias", K_BOOL, Y(bias), NULL, 0, 0, 0, NULL,
	    0, NULL },
	[LK_FREEZE] = { "layer", "freeze", K_BOOL, Y(freeze), NULL, 0, 0, 0,
	    NULL, 0, NULL },
	/* the model keeps it in a float */
	[LK_LR_MULT] = { "layer", "lr_mult", K_DOUBLE, Y(lr_mult), NULL, 0,
	    FLT_MAX, 0, NULL, 0, NULL },
};

/* The order cfg_write writes a layer's keys in, after its type. */
static const int lwrite[] = { LK_UNITS, LK_FILTERS, LK_KERNEL, LK_STRIDE,
	LK_PADDING, LK_BIAS, LK_ACTIVATION, LK_RATE, LK_FREEZE, LK_LR_MULT };

#define LK_WINDOW	(LK(LK_KERNEL) | LK(LK_STRIDE) | LK(LK_PADDING))
#define LK_TRAIN	(LK(LK_FREEZE) | LK(LK_LR_MULT))

static void fill_dropout(struct cfg_layer *, unsigned);
static void fill_conv(struct cfg_layer *, unsigned);
static void fill_pool(struct cfg_layer *, unsigned);

/*
 * What a layer of each type takes from the file.  A new type is its
 * LAYER_* value and name (cfg.h, cfg_layer_names), a row here and its
 * row in lib/net.c.
 */
static const struct ltype {
	unsigned takes;		/* LK() of the keys it takes, type aside */
	unsigned needs;		/* of those, the keys it must have */
	void	(*fill)(struct cfg_layer *y, unsigned have);
				/* the defaults of the keys it lacks */
} ltypes[LAYER_NTYPES] = {
	[LAYER_DENSE] = { LK(LK_UNITS) | LK(LK_ACTIVATION) | LK_TRAIN,
	    LK(LK_UNITS), NULL },
	[LAYER_DROPOUT] = { LK(LK_RATE), 0, fill_dropout },
	[LAYER_CONV2D] = { LK(LK_FILTERS) | LK_WINDOW | LK(LK_BIAS) |
	    LK(LK_ACTIVATION) | LK_TRAIN, LK(LK_FILTERS) | LK(LK_KERNEL),
	    fill_conv },
	[LAYER_MAXPOOL2D] = { LK_WINDOW, LK(LK_KERNEL), fill_pool },
	[LAYER_AVGPOOL2D] = { LK_WINDOW, LK(LK_KERNEL), fill_pool },
	[LAYER_FLATTEN] = { 0, 0, NULL },
	[LAYER_BATCHNORM] = { LK(LK_ACTIVATION) | LK_TRAIN, 0, NULL },
	[LAYER_GLOBALAVGPOOL] = { 0, 0, NULL },
	[LAYER_BASICBLOCK] = { LK(LK_FILTERS) | LK(LK_STRIDE) | LK_TRAIN,
	    LK(LK_FILTERS), fill_conv },
	[LAYER_BOTTLENECK] = { LK(LK_FILTERS) | LK(LK_STRIDE) | LK_TRAIN,
	    LK(LK_FILTERS), fill_conv },
};

/* dropout: rate 0.5 (torch's) */
static void
fill_dropout(struct cfg_layer *y, unsigned have)
{
	if (!(have & LK(LK_RATE)))
		y->rate = 0.5;
}

/* conv2d: stride 1 */
static void
fill_conv(struct cfg_layer *y, unsigned have)
{
	if (!(have & LK(LK_STRIDE)))
		y->stride = 1;
}

/* pools: the stride is the kernel */
static void
fill_pool(struct cfg_layer *y, unsigned have)
{
	if (!(have & LK(LK_STRIDE)))
		y->stride = y->kernel;
}

/* ---- scalar values ------------------------------------------------------- */

static int
is_null(const struct node *v)
{
	return v->type == N_SCALAR && v->plain && (v->s[0] == '\0' ||
	    strcmp(v->s, "~") == 0 || strcmp(v->s, "null") == 0 ||
	    strcmp(v->s, "Null") == 0 || strcmp(v->s, "NULL") == 0);
}

/* A scalar is needed: say what was found instead. */
static int
want_scalar(struct ld *L, const struct node *v, const char *where,
    const char *what)
{
	if (v->type != N_SCALAR)
		return bad(L, v, "%s: expected %s, found %s", where, what,
		    kind(v));
	if (is_null(v))
		return bad(L, v, "%s: the value is missing", where);
	return 0;
}

static int
range_error(struct ld *L, const struct node *v, const char *where,
    const struct key *k)
{
	char lo[32], hi[32], sb[64];

	fmtd(lo, sizeof(lo), k->lo);
	fmtd(hi, sizeof(hi), k->hi);
	return bad(L, v, "%s: %s is out of range %c%s, %s%c", where,
	    shown(v->s, sb, sizeof(sb)), k->flags & LO_OPEN ? '(' : '[', lo, hi,
	    k->flags & HI_OPEN ? ')' : ']');
}

static int
get_double(struct ld *L, const struct node *v, const char *where,
    const struct key *k, double *out)
{
	char sb[64];
	double d;
	int rc;

	if (want_scalar(L, v, where, "a number") < 0)
		return -1;
	rc = num_double(v->s, &d);
	if (rc == NUM_BAD)
		return bad(L, v, "%s: '%s' is not a number", where,
		    shown(v->s, sb, sizeof(sb)));
	if (rc == NUM_RANGE || !isfinite(d))
		return bad(L, v, "%s: '%s' is not a finite number", where,
		    shown(v->s, sb, sizeof(sb)));
	if (d < k->lo || (d == k->lo && (k->flags & LO_OPEN)) ||
	    d > k->hi || (d == k->hi && (k->flags & HI_OPEN)))
		return range_error(L, v, where, k);
	*out = d;
	return 0;
}

static int
get_long(struct ld *L, const struct node *v, const char *where,
    const struct key *k, long *out)
{
	char sb[64];
	long l;
	int rc;

	if (want_scalar(L, v, where, "an integer") < 0)
		return -1;
	rc = num_long(v->s, LONG_MIN, LONG_MAX, &l);
	if (rc == NUM_BAD)
		return bad(L, v, "%s: '%s' is not an integer", where,
		    shown(v->s, sb, sizeof(sb)));
	if (rc == NUM_RANGE || l < k->lo || (l == k->lo &&
	    (k->flags & LO_OPEN)) || l > k->hi || (l == k->hi &&
	    (k->flags & HI_OPEN)))
		return range_error(L, v, where, k);
	*out = l;
	return 0;
}

static int
get_bool(struct ld *L, const struct node *v, const char *where, int *out)
{
	static const char *const yes[] = { "true", "True", "TRUE", "yes",
		"Yes", "YES", "on", "On", "ON" };
	static const char *const no[] = { "false", "False", "FALSE", "no",
		"No", "NO", "off", "Off", "OFF" };
	char sb[64];
	size_t i;

	if (want_scalar(L, v, where, "true or false") < 0)
		return -1;
	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (strcmp(v->s, yes[i]) == 0) {
			*out = 1;
			return 0;
		}
		if (strcmp(v->s, no[i]) == 0) {
			*out = 0;
			return 0;
		}
	}
	return bad(L, v, "%s: '%s' is not true or false", where,
	    shown(v->s, sb, sizeof(sb)));
}

static int
get_enum(struct ld *L, const struct node *v, const char *where,
    const char *const *names, int *out)
{
	char list[256], sb[64];
	int i;

	if (want_scalar(L, v, where, "a name") < 0)
		return -1;
	if ((i = names_find(names, v->s)) >= 0) {
		*out = i;
		return 0;
	}
	names_join(list, sizeof(list), names, -1, ", ", ", ");
	return bad(L, v, "%s: '%s' is not one of %s", where,
	    shown(v->s, sb, sizeof(sb)), list);
}

/* Set one key from value v into base (struct cfg or struct cfg_layer). */
static int set_layers(struct ld *, const struct node *);

/*
 * A list of CSV columns (data.features, data.ignore) into buf (one after
 * another, each NUL-terminated) and *n: each a column index (an integer,
 * >= 0, stored as "%ld") or a header name (anything else but empty),
 * none twice.  Set only when all of it is good.
 */
static int
set_cols(struct ld *L, const struct node *v, const char *where, char *buf,
    int *n)
{
	static const struct key col = { "data", "column", K_LONG, 0, NULL, 0,
	    INF, HI_OPEN, NULL, 0, NULL };
	char tmp[CFG_MAXLIST], w[96], sb[64], num[32];
	const char *s, *q;
	size_t i, len, k;
	long l;

	len = 0;
	for (i = 0; i < v->n; i++) {
		snprintf(w, sizeof(w), "%s[%zu]", where, i);
		if (want_scalar(L, v->kid[i], w, "a column number or name") < 0)
			return -1;
		s = v->kid[i]->s;
		if (num_long(s, LONG_MIN, LONG_MAX, &l) != NUM_BAD) {
			if (get_long(L, v->kid[i], w, &col, &l) < 0)
				return -1;
			snprintf(num, sizeof(num), "%ld", l);
			s = num;
		}
		for (q = tmp, k = 0; k < i; k++, q += strlen(q) + 1)
			if (strcmp(q, s) == 0)
				return bad(L, v->kid[i], "%s: column '%s' is "
				    "listed twice", w, shown(s, sb, sizeof(sb)));
		if (strlen(s) + 1 > sizeof(tmp) - len)
			return bad(L, v->kid[i], "%s: the list is longer than "
			    "%d bytes", where, CFG_MAXLIST);
		memcpy(tmp + len, s, strlen(s) + 1);
		len += strlen(s) + 1;
	}
	memcpy(buf, tmp, len);
	*n = (int)v->n;
	return 0;
}

static int
set_key(struct ld *L, const struct key *k, const struct node *v, char *base,
    const char *where)
{
	char sb[64], w[128];
	const char *what;
	void *p;
	double d;
	long l, seq[CFG_MAXCLASSES];
	size_t i, j, n;
	int e;

	p = base + k->off;
	if ((k->flags & NULLOK) && is_null(v)) {
		if (k->type == K_NAME)
			*(char *)p = '\0';
		else if (k->type == K_SHAPE)
			memset(p, 0, 3 * sizeof(long));
		else if (k->type == K_NORM)
			memset(p, 0, sizeof(struct cfg_norm));
		else if (k->type == K_LAYERS)
			L->c->model.nlayers = 0;
		else
			*(double *)p = k->nul;
		return 0;
	}
	switch (k->type) {
	case K_DOUBLE:
		return get_double(L, v, where, k, (double *)p);
	case K_LONG:
		return get_long(L, v, where, k, (long *)p);
	case K_NUMITER:
		if (get_long(L, v, where, k, &l) < 0)
			return -1;
		if (l == 1)
			return bad(L, v, "%s: 1 is neither 0 (unbounded) nor "
			    "at least 2", where);
		*(long *)p = l;
		return 0;
	case K_SEED:
		if (want_scalar(L, v, where, "an integer") < 0)
			return -1;
		{
			unsigned long long u;
			char *end;

			if (v->s[0] < '0' || v->s[0] > '9')
				return bad(L, v, "%s: '%s' is not an integer "
				    "from 0 to %lu", where,
				    shown(v->s, sb, sizeof(sb)), ULONG_MAX);
			errno = 0;
			u = strtoull(v->s, &end, 10);
			if (*end != '\0' || errno == ERANGE || u > ULONG_MAX)
				return bad(L, v, "%s: '%s' is not an integer "
				    "from 0 to %lu", where,
				    shown(v->s, sb, sizeof(sb)), ULONG_MAX);
			*(unsigned long *)p = u;
		}
		return 0;
	case K_BOOL:
		return get_bool(L, v, where, (int *)p);
	case K_ENUM:
		return get_enum(L, v, where, k->names, (int *)p);
	case K_NAME:
		e = 0;
		if (get_enum(L, v, where, k->names, &e) < 0)
			return -1;
		snprintf(p, 16, "%s", k->names[e]);
		return 0;
	case K_DEVICE:
		if (want_scalar(L, v, where, "a name") < 0)
			return -1;
		if (strcmp(v->s, "cpu") != 0)
			return bad(L, v, "%s: '%s' is not available (only cpu "
			    "is)", where,
			    shown(v->s, sb, sizeof(sb)));
		snprintf(p, 16, "cpu");
		return 0;
	case K_PATH:
	case K_TEXT:
		if (v->type != N_SCALAR)
			return bad(L, v, "%s: expected %s, found %s", where,
			    k->type == K_PATH ? "a path" : "a command",
			    kind(v));
		if (strlen(v->s) >= CFG_MAXPATH)
			return bad(L, v, "%s: the %s is longer than %d bytes",
			    where, k->type == K_PATH ? "path" : "command",
			    CFG_MAXPATH - 1);
		snprintf(p, CFG_MAXPATH, "%s", is_null(v) ? "" : v->s);
		return 0;
	case K_LABEL:
		if (want_scalar(L, v, where, "a column number or name") < 0)
			return -1;
		if (strlen(v->s) >= sizeof(L->c->data.label_column))
			return bad(L, v, "%s: the name is longer than %zu "
			    "bytes", where,
			    sizeof(L->c->data.label_column) - 1);
		if (num_long(v->s, LONG_MIN, LONG_MAX, &l) != NUM_BAD) {
			if (get_long(L, v, where, k, &l) < 0)
				return -1;
			snprintf(p, sizeof(L->c->data.label_column), "%ld", l);
		} else
			snprintf(p, sizeof(L->c->data.label_column), "%s",
			    v->s);
		return 0;
	case K_CHAR:
		if (want_scalar(L, v, where, "one character") < 0)
			return -1;
		if (strlen(v->s) != 1 || (unsigned char)v->s[0] >= 0x80)
			return bad(L, v, "%s: '%s' is not one character",
			    where, shown(v->s, sb, sizeof(sb)));
		if (strchr("0123456789.+-\r\n", v->s[0]) != NULL)
			return bad(L, v, "%s: '%s' cannot separate numbers",
			    where, shown(v->s, sb, sizeof(sb)));
		*(char *)p = v->s[0];
		return 0;
	case K_FEATURES:
		if (v->type == N_SCALAR) {	/* a count: synthetic */
			if (get_long(L, v, where, k, (long *)p) < 0)
				return -1;
			L->c->data.nfeatcols = 0;
			return 0;
		}
		if (v->type != N_SEQ)
			return bad(L, v, "%s: expected a count or a list of "
			    "columns, found %s", where, kind(v));
		if (v->n == 0)
			return bad(L, v, "%s: the list of columns is empty",
			    where);
		return set_cols(L, v, where, L->c->data.featcols,
		    &L->c->data.nfeatcols);
	case K_COLS:
		if (is_null(v)) {
			L->c->data.nignore = 0;
			return 0;
		}
		if (v->type != N_SEQ)
			return bad(L, v, "%s: expected a list of columns, "
			    "found %s", where, kind(v));
		return set_cols(L, v, where, L->c->data.ignore,
		    &L->c->data.nignore);
	case K_CLASSES:
		if (v->type == N_SCALAR) {	/* a count: keep them all */
			if (get_long(L, v, where, k, (long *)p) < 0)
				return -1;
			L->c->data.nkeep = 0;
			return 0;
		}
		if (v->type != N_SEQ)
			return bad(L, v, "%s: expected a class count or a list "
			    "of labels, found %s", where, kind(v));
		if (v->n > CFG_MAXCLASSES)
			return bad(L, v->kid[CFG_MAXCLASSES], "%s: more than "
			    "%d labels", where, CFG_MAXCLASSES);
		if (v->n < 2)
			return bad(L, v, "%s: a list of labels needs at least "
			    "2", where);
		{
			static const struct key label = { "data", "classes",
			    K_LONG, 0, NULL, 0, INF, HI_OPEN, NULL, 0, NULL };

			for (i = 0; i < v->n; i++) {
				snprintf(w, sizeof(w), "%s[%zu]", where, i);
				if (get_long(L, v->kid[i], w, &label,
				    &seq[i]) < 0)
					return -1;
				for (j = 0; j < i; j++)
					if (seq[j] == seq[i])
						return bad(L, v->kid[i],
						    "%s: label %ld is listed "
						    "twice", w, seq[i]);
			}
		}
		memcpy(L->c->data.keep, seq, v->n * sizeof(long));
		L->c->data.nkeep = v->n;
		return 0;
	case K_SHAPE:
	case K_BETAS:
	case K_STAGES:
		n = k->type == K_SHAPE ? 3 : k->type == K_BETAS ? 2 : 6;
		what = n == 3 ? "[C, H, W]" : n == 2 ? "[beta1, beta2]" :
		    "[stem, layer1, layer2, layer3, layer4, fc]";
		if (v->type != N_SEQ || v->n != n) {
			if (v->type == N_SEQ)
				return bad(L, v, "%s: expected %s, found %zu "
				    "value%s", where, what, v->n,
				    v->n == 1 ? "" : "s");
			return bad(L, v, "%s: expected %s, found %s", where,
			    what, kind(v));
		}
		for (i = 0; i < n; i++) {
			snprintf(w, sizeof(w), "%s[%zu]", where, i);
			if (n == 3) {
				if (get_long(L, v->kid[i], w, k, &seq[i]) < 0)
					return -1;
			} else if (get_double(L, v->kid[i], w, k, &d) < 0)
				return -1;
			else
				((double *)p)[i] = d;
		}
		if (n == 3)
			memcpy(p, seq, 3 * sizeof(long));
		return 0;
	case K_PADDING:
		if (want_scalar(L, v, where, "an integer or same") < 0)
			return -1;
		if (strcmp(v->s, "same") == 0) {
			*(long *)p = -1;
			return 0;
		}
		if (strcmp(v->s, "valid") == 0) {
			*(long *)p = 0;
			return 0;
		}
		if (num_long(v->s, LONG_MIN, LONG_MAX, &l) == NUM_BAD)
			return bad(L, v, "%s: '%s' is not an integer or same",
			    where, shown(v->s, sb, sizeof(sb)));
		return get_long(L, v, where, k, (long *)p);
	case K_LAYERS:
		return set_layers(L, v);
	case K_SIZE:
		if (v->type == N_SCALAR) {
			if (get_long(L, v, where, k, &seq[0]) < 0)
				return -1;
			seq[1] = 0;
		} else if (v->type == N_SEQ && v->n == 2) {
			for (i = 0; i < 2; i++) {
				snprintf(w, sizeof(w), "%s[%zu]", where, i);
				if (get_long(L, v->kid[i], w, k, &seq[i]) < 0)
					return -1;
			}
		} else
			return bad(L, v, "%s: expected a size or [H, W], found "
			    "%s", where, v->type == N_SEQ ? "another list" :
			    kind(v));
		memcpy(p, seq, 2 * sizeof(long));
		return 0;
	case K_NORM:
		{
			struct cfg_norm nv;

			memset(&nv, 0, sizeof(nv));
			if (v->type == N_SCALAR && (strcmp(v->s, "auto") == 0 ||
			    strcmp(v->s, "imagenet") == 0)) {
				nv.kind = v->s[0] == 'a' ? NORM_AUTO :
				    NORM_IMAGENET;
			} else if (v->type == N_SCALAR) {
				if (get_double(L, v, where, k, &nv.v[0]) < 0)
					return -1;
				nv.kind = NORM_LIST;
				nv.n = 1;
			} else if (v->type == N_SEQ &&
			    (v->n == 1 || v->n == 3)) {
				for (i = 0; i < v->n; i++) {
					snprintf(w, sizeof(w), "%s[%zu]", where,
					    i);
					if (get_double(L, v->kid[i], w, k,
					    &nv.v[i]) < 0)
						return -1;
				}
				nv.kind = NORM_LIST;
				nv.n = (int)v->n;
			} else
				return bad(L, v, "%s: expected a number, a "
				    "list of 1 or 3, auto or imagenet, found "
				    "%s", where, v->type == N_SEQ ?
				    "another list" : kind(v));
			memcpy(p, &nv, sizeof(nv));
		}
		return 0;
	}
	return 0;
}

/* ---- layers -------------------------------------------------------------- */

static const struct key *
find_key(const struct key *tab, size_t n, const char *sec, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(tab[i].sec, sec) == 0 &&
		    strcmp(tab[i].name, name) == 0)
			return &tab[i];
	return NULL;
}

/* Every key of a mapping is a known scalar and none is repeated. */
static int
check_keys(struct ld *L, const struct node *m, const struct key *tab,
    size_t ntab, const char *sec, const char *where)
{
	const char *cand[32];
	char sb[64], sg[96];
	size_t i, j, nc;

	for (i = nc = 0; i < ntab && nc < 32; i++)
		if (strcmp(tab[i].sec, sec) == 0)
			cand[nc++] = tab[i].name;
	for (i = 0; i < m->n; i += 2) {
		if (m->kid[i]->type != N_SCALAR)
			return bad(L, m->kid[i], "%s: a key is %s, not a name",
			    where, kind(m->kid[i]));
		if (find_key(tab, ntab, sec, m->kid[i]->s) == NULL)
			return bad(L, m->kid[i], "unknown key '%s' in %s%s",
			    shown(m->kid[i]->s, sb, sizeof(sb)), where,
			    suggest(m->kid[i]->s, cand, nc, sg, sizeof(sg)));
		for (j = 0; j < i; j += 2)
			if (strcmp(m->kid[j]->s, m->kid[i]->s) == 0)
				return bad(L, m->kid[i], "duplicate key '%s' "
				    "in %s", m->kid[i]->s, where);
	}
	return 0;
}

static int
set_layer(struct ld *L, const struct node *m, int idx, struct cfg_layer *y)
{
	const struct ltype *t;
	const struct key *k;
	const struct node *v;
	char where[64], w[96];
	unsigned have;
	size_t i;

	snprintf(where, sizeof(where), "model.layers[%d]", idx);
	memset(y, 0, sizeof(*y));
	y->activation = ACT_IDENTITY;
	y->bias = 1;
	y->lr_mult = 1;
	y->line = m->line;
	y->col = m->col;
	if (m->type != N_MAP)
		return bad(L, m, "%s: expected a mapping, found %s", where,
		    is_null(m) ? "nothing" : kind(m));
	if (check_keys(L, m, lkeys, NLKEYS, "layer", where) < 0)
		return -1;
	for (i = 0; i < m->n; i += 2)
		if (strcmp(m->kid[i]->s, "type") == 0)
			break;
	if (i >= m->n)
		return bad(L, m, "%s: the layer has no type", where);
	snprintf(w, sizeof(w), "%s.type", where);
	if (set_key(L, &lkeys[LK_TYPE], m->kid[i + 1], (char *)y, w) < 0)
		return -1;
	t = &ltypes[y->type];
	have = 0;
	for (i = 0; i < m->n; i += 2) {
		k = find_key(lkeys, NLKEYS, "layer", m->kid[i]->s);
		v = m->kid[i + 1];
		if (k == &lkeys[LK_TYPE])
			continue;
		if (!(t->takes & LK(k - lkeys)))
			return bad(L, m->kid[i], "%s: the %s layer has no key "
			    "'%s'", where, cfg_layer_names[y->type], k->name);
		snprintf(w, sizeof(w), "%s.%s", where, k->name);
		if (set_key(L, k, v, (char *)y, w) < 0)
			return -1;
		have |= LK(k - lkeys);
	}
	for (i = 0; i < NLKEYS; i++)
		if ((t->needs & LK(i)) && !(have & LK(i)))
			return bad(L, m, "%s: the %s layer needs %s", where,
			    cfg_layer_names[y->type], lkeys[i].name);
	if (t->fill != NULL)
		t->fill(y, have);
	return 0;
}

static int
set_layers(struct ld *L, const struct node *v)
{
	struct cfg_model *m;
	size_t i;

	m = &L->c->model;
	if (v->type != N_SEQ)
		return bad(L, v, "model.layers: expected a sequence of layers, "
		    "found %s", is_null(v) ? "nothing" : kind(v));
	if (v->n == 0)
		return bad(L, v, "model.layers: the list is empty");
	if (v->n > CFG_MAXLAYERS)
		return bad(L, v->kid[CFG_MAXLAYERS], "model.layers: more than "
		    "%d layers", CFG_MAXLAYERS);
	for (i = 0; i < v->n; i++)
		if (set_layer(L, v->kid[i], i, &m->layers[i]) < 0)
			return -1;
	m->nlayers = v->n;
	return 0;
}

/* ---- sections ------------------------------------------------------------ */

/* Where key sec.name was set by this file, in *at; NULL if it was not. */
static const struct node *
setat(const struct ld *L, const char *sec, const char *name, struct node *at)
{
	const struct key *k;

	k = find_key(keys, NKEYS, sec, name);
	memset(at, 0, sizeof(*at));
	at->line = L->set[k - keys].line;
	at->col = L->set[k - keys].col;
	return at->line ? at : NULL;
}

/* Checks between keys of one section, after all of them are read. */
static int
cross_check(struct ld *L, const char *sec)
{
	const struct node *a, *b;
	struct node ma, mb;
	struct cfg *c;
	char x[32], y[32];

	c = L->c;
	if (strcmp(sec, "finder") == 0) {
		a = setat(L, "finder", "end_lr", &ma);
		b = setat(L, "finder", "start_lr", &mb);
		if ((a || b) && c->finder.end_lr <= c->finder.start_lr) {
			fmtd(x, sizeof(x), c->finder.end_lr);
			fmtd(y, sizeof(y), c->finder.start_lr);
			if (a)
				return bad(L, a, "finder.end_lr: %s is not "
				    "greater than finder.start_lr (%s)", x, y);
			return bad(L, b, "finder.start_lr: %s is not less "
			    "than finder.end_lr (%s)", y, x);
		}
	} else if (strcmp(sec, "data") == 0) {
		a = setat(L, "data", "fold", &ma);
		b = setat(L, "data", "folds", &mb);
		if ((a || b) && c->data.fold >= c->data.folds) {
			if (a)
				return bad(L, a, "data.fold: %ld is out of "
				    "range [0, %ld)", c->data.fold,
				    c->data.folds);
			return bad(L, b, "data.folds: %ld is not more than "
			    "data.fold (%ld)", c->data.folds, c->data.fold);
		}
	} else if (strcmp(sec, "model") == 0) {
		a = setat(L, "model", "arch", &ma);
		b = setat(L, "model", "layers", &mb);
		if (a && b && c->model.arch != ARCH_NONE)
			return bad(L, a, "model.arch: %s builds its own "
			    "layers; give model.layers or model.arch, not "
			    "both", cfg_arch_names[c->model.arch]);
		a = setat(L, "model", "freeze_to", &ma);
		if (a && c->model.freeze_to != 0 && c->model.arch == ARCH_NONE)
			return bad(L, a, "model.freeze_to: needs a model.arch "
			    "(freeze layers with their freeze key)");
	} else if (strcmp(sec, "optimizer") == 0) {
		a = setat(L, "optimizer", "nesterov", &ma);
		if (a && c->optimizer.nesterov &&
		    (opt_momentum(&c->optimizer) <= 0 ||
		    c->optimizer.dampening != 0))
			return bad(L, a, "optimizer.nesterov: needs momentum "
			    "> 0 and dampening 0");
	}
	return 0;
}

static int
set_section(struct ld *L, const char *sec, const struct node *m)
{
	const struct key *k;
	char where[96];
	size_t i;

	if (is_null(m))
		return 0;
	if (m->type != N_MAP)
		return bad(L, m, "%s: the section is not a mapping", sec);
	if (check_keys(L, m, keys, NKEYS, sec, sec) < 0)
		return -1;
	for (i = 0; i < m->n; i += 2) {
		k = find_key(keys, NKEYS, sec, m->kid[i]->s);
		snprintf(where, sizeof(where), "%s.%s", sec, k->name);
		if (set_key(L, k, m->kid[i + 1], (char *)L->c, where) < 0)
			return -1;
		L->set[k - keys].line = m->kid[i + 1]->line;
		L->set[k - keys].col = m->kid[i + 1]->col;
	}
	return cross_check(L, sec);
}

static int
set_root(struct ld *L, const struct node *r)
{
	const struct node *k;
	char sb[64], sg[96];
	size_t i, j, s;

	if (r == NULL || is_null(r))
		return 0;
	if (r->type != N_MAP)
		return bad(L, r, "the document is not a mapping");
	for (i = 0; i < r->n; i += 2) {
		k = r->kid[i];
		if (k->type != N_SCALAR)
			return bad(L, k, "a section name is %s, not a name",
			    kind(k));
		for (s = 0; s < NSECTIONS; s++)
			if (strcmp(k->s, sections[s]) == 0)
				break;
		if (s == NSECTIONS)
			return bad(L, k, "unknown section '%s'%s",
			    shown(k->s, sb, sizeof(sb)), suggest(k->s,
			    sections, NSECTIONS, sg, sizeof(sg)));
		for (j = 0; j < i; j += 2)
			if (strcmp(r->kid[j]->s, k->s) == 0)
				return bad(L, k, "duplicate section '%s'",
				    k->s);
		if (set_section(L, sections[s], r->kid[i + 1]) < 0)
			return -1;
	}
	return 0;
}

/* ---- the interface ------------------------------------------------------- */

/*
 * The defaults, read as the file that gives every key its default: the
 * same checks and conversions as any file.  A layer of the defaults has
 * no place in a file (line 0).
 */
void
cfg_defaults(struct cfg *c)
{
	struct mark set[NKEYS];
	struct node *root;
	struct ld L;
	char doc[4096];
	size_t i, len;
	int l;

	memset(c, 0, sizeof(*c));
	len = 0;
	for (i = 0; i < NKEYS && len < sizeof(doc); i++) {
		if (i == 0 || strcmp(keys[i].sec, keys[i - 1].sec) != 0)
			len += snprintf(doc + len, sizeof(doc) - len, "%s:\n",
			    keys[i].sec);
		if (len < sizeof(doc))
			len += snprintf(doc + len, sizeof(doc) - len,
			    "  %s: %s\n", keys[i].name, keys[i].def);
	}
	memset(&L, 0, sizeof(L));
	memset(set, 0, sizeof(set));
	L.file = "defaults";
	L.buf = doc;
	L.len = len < sizeof(doc) ? len : sizeof(doc) - 1;
	L.c = c;
	L.set = set;
	if (parse(&L, &root) == 0)
		set_root(&L, root);
	node_free(root);
	for (l = 0; l < c->model.nlayers; l++)
		c->model.layers[l].line = c->model.layers[l].col = 0;
}

/* Read at most CFG_MAXFILE bytes of path into *buf. */
static int
slurp(const char *path, char **buf, size_t *len)
{
	FILE *fp;
	char *b;
	size_t n;
	int e;

	if ((fp = fopen(path, "rb")) == NULL)
		return err_set("%s: cannot open: %s", path, strerror(errno));
	if ((b = malloc(CFG_MAXFILE + 1)) == NULL) {
		fclose(fp);
		return err_set("%s: out of memory", path);
	}
	n = fread(b, 1, CFG_MAXFILE + 1, fp);
	if (ferror(fp)) {
		e = errno;
		fclose(fp);
		free(b);
		return err_set("%s: cannot read: %s", path, strerror(e));
	}
	fclose(fp);
	if (n > CFG_MAXFILE) {
		free(b);
		return err_set("%s: the file is larger than 1 MiB", path);
	}
	*buf = b;
	*len = n;
	return 0;
}

int
cfg_load(struct cfg *c, const char *path)
{
	struct mark set[NKEYS];
	struct node *root;
	struct ld L;
	char *buf;
	size_t i, len;
	int rc;

	buf = NULL;
	len = 0;
	if (slurp(path, &buf, &len) < 0)
		return -1;
	memset(&L, 0, sizeof(L));
	memset(set, 0, sizeof(set));
	L.file = path;
	L.buf = buf;
	L.len = len;
	L.set = set;
	if ((L.c = malloc(sizeof(*L.c))) == NULL) {
		free(buf);
		return err_set("%s: out of memory", path);
	}
	memcpy(L.c, c, sizeof(*c));
	rc = parse(&L, &root);
	if (rc == 0)
		rc = set_root(&L, root);
	if (rc == 0) {
		snprintf(L.c->file, sizeof(L.c->file), "%s", path);
		for (i = 0; i < NKEYS; i++)
			if (set[i].line > 0) {
				L.c->origin[i].how = CFG_FILE;
				L.c->origin[i].line = set[i].line;
				L.c->origin[i].col = set[i].col;
			}
		memcpy(c, L.c, sizeof(*c));
	}
	node_free(root);
	free(L.c);
	free(buf);
	return rc;
}

/* ---- writing ------------------------------------------------------------- */

/* names_get that never gives NULL (check_write has ruled it out). */
static const char *
nm(const char *const *names, int v)
{
	const char *s;

	s = names_get(names, v);
	return s != NULL ? s : "?";
}

/* Is s valid UTF-8 (so that YAML can hold it)? */
static int
utf8_ok(const char *s)
{
	const unsigned char *p;
	int i, n;

	for (p = (const unsigned char *)s; *p != '\0'; p += n) {
		if (*p < 0x80)
			n = 1;
		else if ((*p & 0xe0) == 0xc0 && *p >= 0xc2)
			n = 2;
		else if ((*p & 0xf0) == 0xe0)
			n = 3;
		else if ((*p & 0xf8) == 0xf0 && *p <= 0xf4)
			n = 4;
		else
			return 0;
		for (i = 1; i < n; i++)
			if ((p[i] & 0xc0) != 0x80)
				return 0;
	}
	return 1;
}

/*
 * A double-quoted YAML string.  s is UTF-8 (check_write): besides the
 * quote, the backslash and the C0 controls, the characters that YAML
 * reads as line breaks (NEL, LINE and PARAGRAPH SEPARATOR, which it would
 * fold to a space) or refuses raw (C1 controls, the BOM, U+FFFE, U+FFFF)
 * are escaped.
 */
static void put_str(FILE *, const char *);

/* A list of columns, set_cols's buf: indices bare, names quoted. */
static void
put_cols(FILE *fp, const char *s, int n)
{
	long l;
	int i;

	fputc('[', fp);
	for (i = 0; i < n; i++, s += strlen(s) + 1) {
		if (i > 0)
			fputs(", ", fp);
		if (num_long(s, LONG_MIN, LONG_MAX, &l) == NUM_OK)
			fputs(s, fp);
		else
			put_str(fp, s);
	}
	fputc(']', fp);
}

static void
put_str(FILE *fp, const char *s)
{
	const unsigned char *p;
	unsigned long c;

	fputc('"', fp);
	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(fp, "\\%c", *p);
		else if (*p == '\t')
			fputs("\\t", fp);
		else if (*p == '\n')
			fputs("\\n", fp);
		else if (*p < 0x20 || *p == 0x7f)
			fprintf(fp, "\\x%02x", *p);
		else if (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f) {
			fprintf(fp, "\\x%02x", p[1]);	/* U+0080..U+009F */
			p++;
		} else if ((*p == 0xe2 || *p == 0xef) && p[1] != '\0' &&
		    p[2] != '\0' && ((c = (unsigned long)(*p & 0x0f) << 12 |
		    (unsigned long)(p[1] & 0x3f) << 6 | (p[2] & 0x3f)) ==
		    0x2028 || c == 0x2029 || c == 0xfeff || c >= 0xfffe)) {
			fprintf(fp, "\\u%04lx", c);
			p += 2;
		} else
			fputc(*p, fp);
	}
	fputc('"', fp);
}

static const char *
tf(int b)
{
	return b ? "true" : "false";
}

/* A NULLOK key that holds its nul, written as ~. */
static int
unset(const struct key *k, const void *p)
{
	const long *s;
	double d;

	if (!(k->flags & NULLOK))
		return 0;
	switch (k->type) {
	case K_NAME:
		return ((const char *)p)[0] == '\0';
	case K_SHAPE:
		s = (const long *)p;
		return s[0] == 0 && s[1] == 0 && s[2] == 0;
	case K_NORM:
		return ((const struct cfg_norm *)p)->kind == NORM_NONE;
	case K_LAYERS:
		return ((const struct cfg_model *)p)->nlayers == 0;
	default:
		d = *(const double *)p;
		return d == k->nul || (k->nul < 0 && d < 0);
	}
}

/* The value of key k of base (struct cfg or struct cfg_layer) as the file
 * writes it; c is the whole configuration (data.classes' list). */
static void
put_value(FILE *fp, const struct key *k, const char *base,
    const struct cfg *c)
{
	const void *p;
	const long *l;
	const double *d;
	char b[32], b1[32], ch[2];
	int i;

	p = base + k->off;
	switch (k->type) {
	case K_DOUBLE:
		fmtd(b, sizeof(b), *(const double *)p);
		fputs(b, fp);
		break;
	case K_LONG:
	case K_NUMITER:
		fprintf(fp, "%ld", *(const long *)p);
		break;
	case K_SEED:
		fprintf(fp, "%lu", *(const unsigned long *)p);
		break;
	case K_BOOL:
		fputs(tf(*(const int *)p), fp);
		break;
	case K_ENUM:
		fputs(nm(k->names, *(const int *)p), fp);
		break;
	case K_NAME:
	case K_DEVICE:
		fputs(p, fp);
		break;
	case K_PATH:
	case K_TEXT:
	case K_LABEL:
		put_str(fp, p);
		break;
	case K_CHAR:
		ch[0] = *(const char *)p;
		ch[1] = '\0';
		put_str(fp, ch);
		break;
	case K_FEATURES:
		if (c->data.nfeatcols == 0) {
			fprintf(fp, "%ld", *(const long *)p);
			break;
		}
		put_cols(fp, c->data.featcols, c->data.nfeatcols);
		break;
	case K_COLS:
		put_cols(fp, p, c->data.nignore);
		break;
	case K_CLASSES:
		if (c->data.nkeep == 0) {
			fprintf(fp, "%ld", *(const long *)p);
			break;
		}
		fputc('[', fp);
		for (i = 0; i < c->data.nkeep; i++)
			fprintf(fp, "%s%ld", i ? ", " : "", c->data.keep[i]);
		fputc(']', fp);
		break;
	case K_SHAPE:
		l = p;
		fprintf(fp, "[%ld, %ld, %ld]", l[0], l[1], l[2]);
		break;
	case K_BETAS:
		d = p;
		fmtd(b, sizeof(b), d[0]);
		fmtd(b1, sizeof(b1), d[1]);
		fprintf(fp, "[%s, %s]", b, b1);
		break;
	case K_STAGES:
		d = p;
		for (i = 0; i < 6; i++) {
			fmtd(b, sizeof(b), d[i]);
			fprintf(fp, "%s%s", i ? ", " : "[", b);
		}
		fputs("]", fp);
		break;
	case K_PADDING:
		if (*(const long *)p < 0)
			fputs("same", fp);
		else
			fprintf(fp, "%ld", *(const long *)p);
		break;
	case K_SIZE:
		l = p;
		if (l[1] == 0)
			fprintf(fp, "%ld", l[0]);
		else
			fprintf(fp, "[%ld, %ld]", l[0], l[1]);
		break;
	case K_NORM:
		{
			const struct cfg_norm *nv = p;

			if (nv->kind == NORM_AUTO)
				fputs("auto", fp);
			else if (nv->kind == NORM_IMAGENET)
				fputs("imagenet", fp);
			else {
				fputc('[', fp);
				for (i = 0; i < nv->n && i < 3; i++) {
					fmtd(b, sizeof(b), nv->v[i]);
					fprintf(fp, "%s%s", i ? ", " : "", b);
				}
				fputc(']', fp);
			}
		}
		break;
	}
}

/* "    - {type: conv2d, filters: 8, ...}": the keys its type takes. */
static void
put_layer(FILE *fp, const struct cfg_layer *y, const struct cfg *c)
{
	const struct key *k;
	size_t i;

	fprintf(fp, "    - {type: %s", nm(cfg_layer_names, y->type));
	for (i = 0; i < sizeof(lwrite) / sizeof(lwrite[0]); i++) {
		if (!(ltypes[y->type].takes & LK(lwrite[i])))
			continue;
		k = &lkeys[lwrite[i]];
		fprintf(fp, ", %s: ", k->name);
		put_value(fp, k, (const char *)y, c);
	}
	fprintf(fp, "}\n");
}

/* "  name: value", or "  name: ~" with its note lined up at column 26. */
static void
put_key(FILE *fp, const struct key *k, const struct cfg *c)
{
	const char *base;
	int i, n;

	base = (const char *)c;
	if (k->type == K_LAYERS && !unset(k, base + k->off)) {
		if (c->model.nlayers > 0)
			fprintf(fp, "  %s:\n", k->name);
		for (i = 0; i < c->model.nlayers; i++)
			put_layer(fp, &c->model.layers[i], c);
		return;
	}
	if (unset(k, base + k->off)) {
		n = fprintf(fp, "  %s: ~", k->name);
		if (k->note != NULL)
			fprintf(fp, "%*s# %s", n < 25 ? 25 - n : 1, "",
			    k->note);
		fputc('\n', fp);
		return;
	}
	fprintf(fp, "  %s: ", k->name);
	put_value(fp, k, base, c);
	fputc('\n', fp);
}

static int
check_write(const struct cfg *c)
{
	const struct key *k;
	const char *p;
	size_t i;
	int l;

	for (i = 0; i < NKEYS; i++) {
		k = &keys[i];
		if ((k->type == K_PATH || k->type == K_TEXT ||
		    k->type == K_LABEL) &&
		    !utf8_ok((const char *)c + k->off))
			return err_set("cannot write the configuration: %s.%s "
			    "is not UTF-8", k->sec, k->name);
	}
	if (c->model.nlayers < 0 || c->model.nlayers > CFG_MAXLAYERS)
		return err_set("cannot write the configuration: %d layers",
		    c->model.nlayers);
	for (l = 0; l < c->model.nlayers; l++)
		if (names_get(cfg_layer_names, c->model.layers[l].type) ==
		    NULL || names_get(cfg_act_names,
		    c->model.layers[l].activation) == NULL)
			return err_set("cannot write the configuration: layer "
			    "%d has an unknown type or activation", l);
	for (i = 0; i < NKEYS; i++) {
		k = &keys[i];
		p = (const char *)c + k->off;
		if ((k->type == K_ENUM &&
		    names_get(k->names, *(const int *)p) == NULL) ||
		    (k->type == K_NAME && !unset(k, p) &&
		    names_find(k->names, p) < 0) ||
		    (k->type == K_DEVICE && strcmp(p, "cpu") != 0) ||
		    (k->type == K_CLASSES && (c->data.nkeep < 0 ||
		    c->data.nkeep > CFG_MAXCLASSES)))
			return err_set("cannot write the configuration: a "
			    "value is out of its range");
	}
	return 0;
}

int
cfg_write(FILE *fp, const struct cfg *c)
{
	size_t i;

	if (check_write(c) < 0)
		return -1;
	fprintf(fp, "# lrf configuration (lrf-config(5))\n");
	for (i = 0; i < NKEYS; i++) {
		if (i == 0 || strcmp(keys[i].sec, keys[i - 1].sec) != 0)
			fprintf(fp, "%s:\n", keys[i].sec);
		/* model.arch builds the layers: the file says so, once */
		if (keys[i].type == K_LAYERS && c->model.arch != ARCH_NONE)
			continue;
		put_key(fp, &keys[i], c);
	}
	if (fflush(fp) == EOF || ferror(fp))
		return err_set("cannot write the configuration: %s",
		    strerror(errno));
	return 0;
}

/* The key named "section.name", or NULL. */
static const struct key *
key_named(const char *name)
{
	const char *dot;
	size_t i, n;

	if ((dot = strchr(name, '.')) == NULL)
		return NULL;
	n = (size_t)(dot - name);
	for (i = 0; i < NKEYS; i++)
		if (strlen(keys[i].sec) == n &&
		    strncmp(keys[i].sec, name, n) == 0 &&
		    strcmp(keys[i].name, dot + 1) == 0)
			return &keys[i];
	return NULL;
}

int
cfg_set(struct cfg *c, const char *key, const char *text)
{
	const struct key *k;
	struct node v;
	struct ld L;
	char where[96], q[ERR_QUOTESIZE];

	/* the key as given (--set): quoted, a message is one line */
	if ((k = key_named(key)) == NULL)
		return err_set("%s: no such key (lrf-config(5))",
		    err_quote(key, q));
	if (k->type == K_LAYERS || k->type == K_SHAPE || k->type == K_BETAS ||
	    k->type == K_COLS || k->type == K_STAGES)
		return err_set("%s: a list, not one value", key);
	memset(&v, 0, sizeof(v));
	v.type = N_SCALAR;
	v.plain = 1;
	v.s = (char *)text;
	memset(&L, 0, sizeof(L));
	L.file = NULL;
	L.c = c;
	snprintf(where, sizeof(where), "%s.%s", k->sec, k->name);
	if (set_key(&L, k, &v, (char *)c, where) < 0)
		return -1;
	memset(&c->origin[k - keys], 0, sizeof(c->origin[0]));
	c->origin[k - keys].how = CFG_SET;
	return 0;
}

/* The lines put_key writes for key k of c. */
static int
key_lines(const struct key *k, const struct cfg *c)
{
	if (k->type != K_LAYERS || unset(k, (const char *)c + k->off))
		return 1;
	return c->model.nlayers > 0 ? 1 + c->model.nlayers : 0;
}

int
cfg_written(const struct cfg *c, int line, char *key, size_t size,
    int *layer)
{
	size_t i;
	int at, n;

	at = 1;	/* cfg_write's first line, the comment */
	for (i = 0; i < NKEYS; i++) {
		if (i == 0 || strcmp(keys[i].sec, keys[i - 1].sec) != 0)
			at++;
		n = key_lines(&keys[i], c);
		if (line > at && line <= at + n) {
			snprintf(key, size, "%s.%s", keys[i].sec,
			    keys[i].name);
			/* "  layers:", then one line a layer */
			*layer = keys[i].type == K_LAYERS && line > at + 1 ?
			    line - at - 2 : -1;
			return 0;
		}
		at += n;
	}
	return -1;
}

int
cfg_origin(const struct cfg *c, const char *key, int layer, char *buf,
    size_t size)
{
	const struct cfg_origin *o;
	const struct cfg_layer *y;
	const struct key *k;

	buf[0] = '\0';
	if ((k = key_named(key)) == NULL)
		return -1;
	o = &c->origin[k - keys];
	if (o->how != CFG_FILE)
		return o->how;
	if (k->type == K_LAYERS && layer >= 0 &&
	    layer < c->model.nlayers && c->model.layers[layer].line > 0) {
		y = &c->model.layers[layer];
		snprintf(buf, size, "%s:%d:%d", c->file, y->line, y->col);
	} else
		snprintf(buf, size, "%s:%d:%d", c->file, o->line, o->col);
	return CFG_FILE;
}

int
cfg_abspaths(struct cfg *c, const char *dir)
{
	char buf[CFG_MAXPATH], *p;
	size_t i;

	for (i = 0; i < NKEYS; i++) {
		if (keys[i].type != K_PATH)
			continue;
		p = (char *)c + keys[i].off;
		if (p[0] == '\0' || p[0] == '/')
			continue;
		if (snprintf(buf, sizeof(buf), "%s/%s", dir, p) >=
		    (int)sizeof(buf))
			return err_set("%s: path too long", p);
		memcpy(p, buf, sizeof(buf));
	}
	return 0;
}
