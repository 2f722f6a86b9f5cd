/*
 * lrf-find - the whole range test in one command.
 *
 * Composes lrf-schedule | lrf-train | lrf-smooth, watching the stream as
 * it goes by to log it, then lrf-suggest and lrf-plot | gnuplot, all on a
 * run directory that is built under a hidden temporary name and renamed
 * into place only when complete.  The processes are lib/stage.c's, the
 * files of the run directory lib/rundir.c's; this is the options, the
 * log and the order of the steps.
 */
#include <sys/stat.h>
#include <sys/wait.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "blas.h"
#include "cfg.h"
#include "names.h"
#include "net.h"
#include "prog.h"
#include "rundir.h"
#include "runfs.h"
#include "stage.h"
#include "suggest.h"
#include "st.h"

#define FMNIST "/usr/share/datasets/fashion-mnist"

/* Options that are lrf-find's own (the others set keys: prog_sets). */
struct opts {
	int	 quiet, verbose, outgiven;
	const char *outdir, *name, *load;
	const char *dir;	/* --dir: the run directory's exact path */
	struct prog_setargs sets;	/* --set */
	struct rundir_run run;	/* plot, val, load (initw), partial */
	char	 initw[128];	/* --load's weights in the run directory */
};

static struct stage st;	/* the stages, and the run directory being built
			   (st.dir, "" when there is none to remove) */
static int quiet;	/* -q */
static pid_t filter_pid;	/* the filter of the stages' messages, or 0 */
static char held[4096];	/* lrf-find's errors while the filter runs,
			   lines, NUL-terminated: printed after the
			   stages' (filter_end) */
static struct rundir_run *hashed;	/* the run whose data hasher hashes,
					   or NULL: no thread */
static pthread_t hasher;

static void
usage(FILE *fp)
{
	char methods[128];

	names_join(methods, sizeof(methods), suggest_names, -1, "|", "|");
	fprintf(fp,
"usage: lrf-find [-c cfg.yaml] [--start_lr LR] [--end_lr LR] [--num_iter N]\n"
"                [--beta B] [--diverge_threshold D] [--fold K] [--batch_size N]\n"
"                [--seed S] [--threads T] [--device cpu] [--method M] [--val]\n"
"                [--load FILE [--load-partial]] [--repeat N] [-o dir]\n"
"                [--name NAME] [--plot png|dumb|none] [--no-plot] [--root dir]\n"
"                [-q | -v] [--np P] [--launcher CMD] [--set section.key=value]\n"
"                [--dir DIR] [--trainer CMD]\n"
"  -c file                 experiment file, lrf-config(5) [built-in default]\n"
"  --start_lr lr           first learning rate [1e-07]\n"
"  --end_lr lr             last learning rate [1]\n"
"  --num_iter n            steps, 0 = until the loss diverges [100]\n"
"  --beta b                EMA factor of the smoothed loss [0.98]\n"
"  --diverge_threshold d   stop when smooth > d * best [4]\n"
"  --fold k                fold held out for validation [0]\n"
"  --batch_size n          mini-batch size [64]\n"
"  --seed s                random seed [42]\n"
"  --threads t             threads of the training step, 0 = all cores [0]\n"
"  --device cpu            where to train [cpu]\n"
"  --method m              %s [%s]\n"
"  --val                   also record validation loss and accuracy\n"
"  --load file             start from these weights (lrf-train --save)\n"
"  --load-partial          load the layers that fit, keep the others new\n"
"  --repeat n              range tests with seeds seed..seed+n-1, their mean [1]\n"
"  -o dir                  parent of the run directory [runs]\n"
"  --name name             suffix of the run directory's name\n"
"  --plot p                png|dumb|none: dumb also prints it in the log [png]\n"
"  --no-plot               write no lr_finder.gp / lr_finder.png (--plot none)\n"
"  --root dir              data.root: the class folders (data.format images)\n"
"  -q                      no log on stderr; only the learning rate on stdout\n"
"  -v                      log every step\n"
"  --np p                  train on p processes, under mpirun -np p [1]\n"
"  --launcher cmd          the launch command instead: 'srun', 'mpirun -hostfile h'\n"
"  --set sec.key=value     set any key of the experiment file (repeatable)\n"
"  --dir DIR               the run directory itself (a new one), not under -o\n"
"  --trainer CMD           finder.trainer: this command instead of lrf-train\n"
"  --version               print the version and exit\n"
"Flags may be spelled with '-' or '_' (--start-lr, --start_lr).\n",
	    methods, suggest_names[SUGGEST_DEFAULT]);
}


/* Log one line on stderr with a timestamp, unless -q. */
static void __attribute__((format(printf, 1, 2)))
say(const char *fmt, ...)
{
	char ts[32];
	va_list ap;
	time_t t;

	if (quiet)
		return;
	t = time(NULL);
	strftime(ts, sizeof(ts), "%Y-%m-%d %H:%M:%S", localtime(&t));
	fprintf(stderr, "[%s] ", ts);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* The stages' log (stage.h). */
static void
logline(const char *msg)
{
	say("%s", msg);
}

/* A stale run directory runfs_clean removed, in the log. */
static void
saystale(const char *path)
{
	say("Removed %s (an unfinished run whose lrf-find is gone)", path);
}

/* Library errors, except those an interrupt causes on its way out. */
static void
printerr(const char *msg)
{
	size_t n;

	if (st.sig)
		return;
	n = strlen(held);
	if (filter_pid > 0 && n < sizeof(held))
		snprintf(held + n, sizeof(held) - n, "%s: %s\n", prog, msg);
	else
		fprintf(stderr, "%s: %s\n", prog, msg);
}

static void
onsignal(int sig)
{
	stage_signal(&st, sig);
}

/*
 * Wait for the fingerprint's thread; with stop, have it stop first.
 * Every exit after it started comes here: exit's handlers include
 * libcrypto's clean-up, which frees what the thread may be using (its
 * first call initialises the library, and a failing range test can end
 * before that has: lrf-find died of SIGSEGV 1 run in 150).
 */
static void
hash_wait(int stop)
{
	if (hashed == NULL)
		return;
	if (stop)
		atomic_store(&hashed->fpstop, 1);
	pthread_join(hasher, NULL);
	hashed = NULL;
}

/* An interrupted run leaves nothing that looks finished. */
static void __attribute__((noreturn))
interrupted(void)
{
	int sig;

	sig = st.sig;
	stage_stop(&st);
	hash_wait(1);
	if (st.dir[0])
		runfs_remove(st.dir);
	if (!quiet)
		fprintf(stderr, "%s: interrupted; no run directory written\n",
		    prog);
	signal(sig, SIG_DFL);
	raise(sig);
	exit(128 + sig);
}

/* Remove the unfinished run and exit 1. */
static void __attribute__((noreturn))
fail(void)
{
	hash_wait(1);
	if (st.dir[0])
		runfs_remove(st.dir);
	exit(EXIT_FAIL);
}

/* 1 if s holds a control character (a newline, an escape). */
static int
ctrl(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 1;
	return 0;
}

enum { O_START = 256, O_END, O_NUM, O_BETA, O_DIV, O_FOLD, O_BATCH, O_SEED,
	O_THREADS, O_DEVICE, O_METHOD, O_VAL, O_NAME, O_NOPLOT, O_LOAD,
	O_PARTIAL, O_ROOT, O_REPEAT, O_NP, O_LAUNCHER, O_DIR, O_TRAINER,
	O_PLOT };

/* The options: lrf-find's own into o, the keys' into f; the file's name. */
static const char *
options(int argc, char *argv[], struct opts *o, struct prog_sets *f)
{
	static const struct option lopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "start-lr", required_argument, NULL, O_START },
		{ "end-lr", required_argument, NULL, O_END },
		{ "num-iter", required_argument, NULL, O_NUM },
		{ "beta", required_argument, NULL, O_BETA },
		{ "diverge-threshold", required_argument, NULL, O_DIV },
		{ "fold", required_argument, NULL, O_FOLD },
		{ "batch-size", required_argument, NULL, O_BATCH },
		{ "seed", required_argument, NULL, O_SEED },
		{ "threads", required_argument, NULL, O_THREADS },
		{ "device", required_argument, NULL, O_DEVICE },
		{ "method", required_argument, NULL, O_METHOD },
		{ "val", no_argument, NULL, O_VAL },
		{ "load", required_argument, NULL, O_LOAD },
		{ "load-partial", no_argument, NULL, O_PARTIAL },
		{ "root", required_argument, NULL, O_ROOT },
		{ "repeat", required_argument, NULL, O_REPEAT },
		{ "np", required_argument, NULL, O_NP },
		{ "launcher", required_argument, NULL, O_LAUNCHER },
		{ "output", required_argument, NULL, 'o' },
		{ "name", required_argument, NULL, O_NAME },
		{ "plot", required_argument, NULL, O_PLOT },
		{ "no-plot", no_argument, NULL, O_NOPLOT },
		{ "quiet", no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		PROG_SETOPT,
		{ "dir", required_argument, NULL, O_DIR },
		{ "trainer", required_argument, NULL, O_TRAINER },
		PROG_VERSION_OPT,
		{ NULL, 0, NULL, 0 }
	};
	const char *cfgfile, *t;
	char list[128], q[ERR_QUOTESIZE];
	double v;
	int ch;

	cfgfile = NULL;
	while ((ch = getopt_long(argc, argv, "c:o:qvh", prog_options(lopts),
	    NULL)) != -1) {
		switch (ch) {
		case 'c': cfgfile = optarg; break;
		case O_START: prog_double("--start_lr", optarg);
			prog_keep(f, "finder.start_lr", optarg); break;
		case O_END: prog_double("--end_lr", optarg);
			prog_keep(f, "finder.end_lr", optarg); break;
		case O_NUM: prog_long("--num_iter", optarg, 0, 100000000);
			prog_keep(f, "finder.num_iter", optarg); break;
		case O_BETA: prog_double("--beta", optarg);
			prog_keep(f, "finder.beta", optarg); break;
		case O_DIV: prog_double("--diverge_threshold", optarg);
			prog_keep(f, "finder.diverge_threshold", optarg); break;
		case O_FOLD: prog_long("--fold", optarg, 0, 1000);
			prog_keep(f, "data.fold", optarg); break;
		case O_BATCH: prog_long("--batch_size", optarg, 1, 1 << 20);
			prog_keep(f, "train.batch_size", optarg); break;
		case O_SEED: prog_long("--seed", optarg, 0, LONG_MAX);
			prog_keep(f, "train.seed", optarg); break;
		case O_THREADS: prog_long("--threads", optarg, 0, 1024);
			prog_keep(f, "train.threads", optarg); break;
		case O_DEVICE: prog_keep(f, "train.device", optarg); break;
		case O_METHOD: prog_keep(f, "finder.suggest", optarg); break;
		case O_VAL: o->run.val = 1; break;
		case O_LOAD: o->load = optarg; break;
		case O_PARTIAL: o->run.partial = 1; break;
		case O_ROOT: prog_keep(f, "data.root", optarg); break;
		case O_REPEAT: prog_long("--repeat", optarg, 1, RUNDIR_MAXRUNS);
			prog_keep(f, "finder.repeat", optarg); break;
		case O_NP: prog_long("--np", optarg, 1, 1L << 20);
			prog_keep(f, "train.processes", optarg); break;
		case O_LAUNCHER:
			if (strspn(optarg, " \t") == strlen(optarg))
				prog_usage("--launcher: empty command");
			prog_keep(f, "train.launcher", optarg); break;
		case 'o': o->outdir = optarg; o->outgiven = 1; break;
		case PROG_SETCH: prog_setarg(&o->sets, optarg); break;
		case O_DIR: o->dir = optarg; break;
		case O_TRAINER: prog_keep(f, "finder.trainer", optarg); break;
		case O_NAME: o->name = optarg; break;
		case O_NOPLOT: prog_keep(f, "finder.plot", "none"); break;
		case O_PLOT:
			if (names_find(cfg_plot_names, optarg) < 0)
				prog_usage("--plot: '%s' is not png, dumb or "
				    "none", optarg);
			prog_keep(f, "finder.plot", optarg); break;
		case 'q': o->quiet = 1; break;
		case 'v': o->verbose = 1; break;
		case 'h': usage(stdout); prog_exit(EXIT_OK);
		case PROG_VERSION: prog_version();
		default: prog_usage(NULL);
		}
	}
	if (optind != argc)
		prog_usage("unexpected argument '%s'", argv[optind]);
	if (!isnan(v = prog_givennum(f, "finder.beta")) && !(v >= 0 && v < 1))
		prog_usage("--beta: %g is out of range [0, 1)", v);
	if (!isnan(v = prog_givennum(f, "finder.diverge_threshold")) && !(v > 1))
		prog_usage("--diverge_threshold: %g must be greater than 1", v);
	if (!isnan(v = prog_givennum(f, "finder.start_lr")) && !(v > 0))
		prog_usage("--start_lr: %g must be positive", v);
	if (!isnan(v = prog_givennum(f, "finder.end_lr")) && !(v > 0))
		prog_usage("--end_lr: %g must be positive", v);
	if ((t = prog_given(f, "train.device")) && strcmp(t, "cpu") != 0)
		prog_usage("--device: '%s' is not available (only cpu)", t);
	if ((t = prog_given(f, "finder.suggest")) &&
	    suggest_lookup(t) < 0) {
		names_join(list, sizeof(list), suggest_names, -1, ", ",
		    ", ");
		prog_usage("--method: '%s' is not one of %s", t, list);
	}
	if (o->run.partial && o->load == NULL)
		prog_usage("--load-partial needs --load");
	if (o->load != NULL) {
		rundir_loadname(o->load, o->initw, sizeof(o->initw));
		o->run.load = o->initw;
	}
	if (o->dir != NULL && (o->outgiven || o->name != NULL))
		prog_usage("--dir names the run directory: not with -o or "
		    "--name");
	if (o->dir != NULL && (o->dir[0] == '\0' || ctrl(o->dir)))
		prog_usage("--dir: '%s' is not a directory name",
		    err_quote(o->dir, q));
	if (o->name && (strchr(o->name, '/') || o->name[0] == '\0' ||
	    strlen(o->name) > 64 || ctrl(o->name)))
		prog_usage("--name: '%s' is not a file name",
		    err_quote(o->name, q));
	return cfgfile;
}

/*
 * The experiment: the defaults (a synthetic one when "lrf-find" alone
 * finds no Fashion-MNIST), the file, the flags; its path keys absolute,
 * for the stages run inside the run directory.
 */
static void
config(struct cfg *c, const char *cfgfile, const struct prog_sets *f,
    const struct opts *o)
{
	char cwd[PATH_MAX / 2];

	cfg_defaults(c);
	if (cfgfile != NULL && cfg_load(c, cfgfile) < 0)
		exit(EXIT_FAIL);
	if (cfgfile == NULL && rundir_fallback(c) && !quiet)
		fprintf(stderr, "%s: note: %s not found (Debian package "
		    "dataset-fashion-mnist); using a synthetic dataset\n",
		    prog, FMNIST);
	prog_setapply(&o->sets, c);
	prog_apply(f, c);
	if (c->finder.trainer[0] != '\0' && (o->run.val || o->load != NULL))
		prog_usage("%s: not with a trainer of your own (finder.trainer"
		    "): it has no such option", o->run.val ? "--val" :
		    "--load");
	if (c->finder.trainer[0] != '\0' && (c->train.launcher[0] != '\0' ||
	    c->train.processes > 1))
		prog_usage("%s: not with a trainer of your own (finder.trainer"
		    "): it launches itself", c->train.launcher[0] != '\0' ?
		    "--launcher (train.launcher)" : "--np (train.processes)");
	/* threads: 0 resolved, so that a rerun elsewhere is the same run
	 * (lrf-train's step: the cores, at most NET_MAXTHREAD) */
	if (c->train.threads == 0) {
		c->train.threads = blas_cores();
		if (c->train.threads > NET_MAXTHREAD)
			c->train.threads = NET_MAXTHREAD;
	}
	if (c->finder.end_lr <= c->finder.start_lr)
		prog_usage("end_lr %g must be greater than start_lr %g",
		    c->finder.end_lr, c->finder.start_lr);
	if (c->data.folds > 1 && c->data.fold >= c->data.folds)
		prog_usage("--fold: %ld is not below data.folds %ld",
		    c->data.fold, c->data.folds);
	if (getcwd(cwd, sizeof(cwd)) == NULL) {
		err_set("getcwd: %s", strerror(errno));
		exit(EXIT_FAIL);
	}
	if (cfg_abspaths(c, cwd) < 0)
		exit(EXIT_FAIL);
}

/*
 * The directory of the Python module lrf.py beside the programs in
 * bindir: bindir/../lib/python in the source tree, else
 * bindir/../share/lrf/python where make install puts it; into buf, or
 * NULL if neither has it.
 */
static const char *
pydir(const char *bindir, char *buf, size_t size)
{
	static const char *const rel[] = { "lib/python", "share/lrf/python" };
	char path[PATH_MAX];
	size_t i;
	char *p;

	for (i = 0; i < sizeof(rel) / sizeof(rel[0]); i++) {
		snprintf(buf, size, "%s", bindir);
		if ((p = strrchr(buf, '/')) == NULL)
			return NULL;
		snprintf(p + 1, size - (size_t)(p + 1 - buf), "%s", rel[i]);
		snprintf(path, sizeof(path), "%s/lrf.py", buf);
		if (access(path, R_OK) == 0)
			return buf;
	}
	return NULL;
}

/* --dir's path into its parent directory and its last name. */
static void
dirsplit(const char *path, char *parent, size_t psize, char *name,
    size_t nsize)
{
	char q[ERR_QUOTESIZE];
	const char *b;
	size_t n;

	n = strlen(path);
	while (n > 1 && path[n - 1] == '/')
		n--;
	for (b = path + n; b > path && b[-1] != '/'; b--)
		;
	if ((size_t)(path + n - b) >= nsize || b == path + n ||
	    (path + n - b == 1 && b[0] == '.') ||
	    (path + n - b == 2 && b[0] == '.' && b[1] == '.'))
		prog_usage("--dir: '%s' is not a directory name",
		    err_quote(path, q));
	snprintf(name, nsize, "%.*s", (int)(path + n - b), b);
	if (b == path)
		snprintf(parent, psize, ".");
	else if (b == path + 1)
		snprintf(parent, psize, "/");
	else
		snprintf(parent, psize, "%.*s", (int)(b - path - 1), path);
}

/* With finder.suggest all: every method's rate, from res->methods. */
static void
methods(const struct rundir_result *res)
{
	json_t *root, *v;
	const char *name;

	if (res->methods == NULL ||
	    (root = json_loads(res->methods, 0, NULL)) == NULL)
		return;
	json_object_foreach(json_object_get(root, "methods"), name, v)
		if (json_is_number(json_object_get(v, "lr")))
			say("  %s: %.2e", name,
			    json_number_value(json_object_get(v, "lr")));
		else
			say("  %s: none", name);
	json_decref(root);
}

/* Each seed's suggestion and their spread, from res->methods. */
static void
spread(const struct rundir_result *res, unsigned long seed)
{
	json_t *root, *runs, *sp, *v;
	size_t i;

	if (res->methods == NULL ||
	    (root = json_loads(res->methods, 0, NULL)) == NULL)
		return;
	runs = json_object_get(root, "runs");
	for (i = 0; i < json_array_size(runs); i++) {
		v = json_object_get(json_array_get(runs, i), "lr");
		if (json_is_number(v))
			say("  seed %lu: %.2e", seed + i, json_number_value(v));
		else
			say("  seed %lu: no suggestion", seed + i);
	}
	sp = json_object_get(root, "spread");
	if (json_is_number(json_object_get(sp, "lo")) &&
	    json_is_number(json_object_get(sp, "hi")))
		say("Spread of the seeds' suggestions: %.2e to %.2e (%.3g "
		    "times)", json_number_value(json_object_get(sp, "lo")),
		    json_number_value(json_object_get(sp, "hi")),
		    json_number_value(json_object_get(sp, "ratio")));
	json_decref(root);
}

/* The text plot of the run in dir into the log, as it is, unless -q. */
static void
textplot(const char *dir)
{
	char path[PATH_MAX + 16], line[1024];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/lr_finder.txt", dir);
	if (quiet || (fp = fopen(path, "r")) == NULL)
		return;
	say("Text plot: %s", path);
	while (fgets(line, sizeof(line), fp) != NULL)
		fputs(line, stderr);
	fclose(fp);
}

/*
 * The stages' messages name the run directory's config.yaml, a copy of
 * the user's file that is removed when the run fails: between their
 * stderr and lrf-find's a filter rewrites "prog: config.yaml:L:C: what"
 * to the user's file and line of the key on line L (cfg_written,
 * cfg_origin), or says that lrf-find set it; "prog: config.yaml: what"
 * to the user's file; "prog: section.key: what" gains the key's place in
 * the user's file (issue 17).  The filter is a child, started before
 * each pipeline and ended after it; lrf-find's own errors meanwhile are
 * held (printerr) and printed after the stages' messages.
 */

/* ":LINE:COL: " at s: LINE, and *msg past it; 0 if s does not start so. */
static int
place(const char *s, const char **msg)
{
	char *e;
	long l, col;

	if (s[0] != ':' || !isdigit((unsigned char)s[1]))
		return 0;
	l = strtol(s + 1, &e, 10);
	if (e[0] != ':' || !isdigit((unsigned char)e[1]))
		return 0;
	col = strtol(e + 1, &e, 10);
	if (e[0] != ':' || e[1] != ' ' || l < 1 || l > INT_MAX || col < 1)
		return 0;
	*msg = e + 2;
	return (int)l;
}

/* One line of a stage's stderr, rewritten, onto fp. */
static void
filter_line(const struct cfg *c, const char *line, FILE *fp)
{
	static const char copy[] = "config.yaml";
	static const char setby[] = "set on lrf-find's command line";
	static const char bydefault[] = "lrf-find's default";
	char key[64], at[CFG_MAXPATH + 32];
	const char *p, *msg;
	int how, layer, l, n;
	size_t pre;

	p = strstr(line, ": ");
	if (p == NULL || p == line || memchr(line, ' ', p - line) != NULL) {
		fputs(line, fp);
		return;
	}
	pre = (size_t)(p + 2 - line);	/* "prog: " */
	p += 2;
	if (strncmp(p, copy, sizeof(copy) - 1) == 0 &&
	    (l = place(p + sizeof(copy) - 1, &msg)) > 0 &&
	    cfg_written(c, l, key, sizeof(key), &layer) == 0) {
		how = cfg_origin(c, key, layer, at, sizeof(at));
		if (how == CFG_FILE)
			fprintf(fp, "%.*s%s: %s", (int)pre, line, at, msg);
		else
			fprintf(fp, "%.*s%s (%s): %s", (int)pre, line, key,
			    how == CFG_SET ? setby : bydefault, msg);
		return;
	}
	if (strncmp(p, copy, sizeof(copy) - 1) == 0 &&
	    strncmp(p + sizeof(copy) - 1, ": ", 2) == 0) {
		fprintf(fp, "%.*s%s: %s", (int)pre, line, c->file[0] != '\0' ?
		    c->file : "lrf-find's configuration",
		    p + sizeof(copy) + 1);
		return;
	}
	n = (int)strspn(p, "abcdefghijklmnopqrstuvwxyz_.");
	if (n > 0 && (size_t)n < sizeof(key) && strncmp(p + n, ": ", 2) == 0) {
		snprintf(key, sizeof(key), "%.*s", n, p);
		how = cfg_origin(c, key, -1, at, sizeof(at));
		if (how == CFG_FILE) {
			fprintf(fp, "%.*s%s: %s", (int)pre, line, at, p);
			return;
		}
		if (how >= 0) {
			fprintf(fp, "%.*s%s (%s)%s", (int)pre, line, key,
			    how == CFG_SET ? setby : bydefault, p + n);
			return;
		}
	}
	fputs(line, fp);
}

/* Start the filter; st.errfd its input. */
static void
filter_start(const struct cfg *c)
{
	char *line;
	size_t size;
	FILE *fp;
	int p[2];

	if (pipe(p) < 0) {
		err_set("pipe: %s", strerror(errno));
		fail();
	}
	fcntl(p[0], F_SETFD, FD_CLOEXEC);
	fcntl(p[1], F_SETFD, FD_CLOEXEC);
	if ((filter_pid = fork()) < 0) {
		err_set("fork: %s", strerror(errno));
		fail();
	}
	if (filter_pid == 0) {	/* it ends when the stages have */
		signal(SIGINT, SIG_IGN);
		signal(SIGTERM, SIG_IGN);
		signal(SIGHUP, SIG_IGN);
		close(p[1]);
		if ((fp = fdopen(p[0], "r")) == NULL)
			_exit(1);
		line = NULL;
		size = 0;
		while (getline(&line, &size, fp) > 0) {
			filter_line(c, line, stderr);
			fflush(stderr);
		}
		_exit(0);
	}
	close(p[0]);
	st.errfd = p[1];
}

/*
 * End the filter once it has passed on all it was sent: at most 5 s
 * after the stages ended (a process they left behind may hold its
 * input open).
 */
static void
filter_end(void)
{
	static const struct timespec tick = { 0, 10000000 };	/* 10 ms */
	int i;

	if (filter_pid <= 0)
		return;
	close(st.errfd);
	st.errfd = 2;
	for (i = 0; i < 500 && waitpid(filter_pid, NULL, WNOHANG) == 0; i++)
		nanosleep(&tick, NULL);
	if (i == 500) {
		kill(filter_pid, SIGKILL);
		waitpid(filter_pid, NULL, 0);
	}
	filter_pid = 0;
	fputs(held, stderr);
	held[0] = '\0';
}

/* The end of a step that may have failed or been interrupted. */
static void
check(int r)
{
	if (r == STAGE_INTERRUPTED || st.sig)
		interrupted();
	if (r < 0)
		fail();
}

int
main(int argc, char *argv[])
{
	char *sched[] = { "lrf-schedule", "-c", "config.yaml", NULL };
	char *smooth[] = { "lrf-smooth", "-c", "config.yaml", NULL };
	char *train[RUNDIR_TRAINARGS + 6], seedarg[32], out[32];
	char *const *stages[] = { sched, train, smooth };
	char name[256], tmp[PATH_MAX / 2], final[PATH_MAX], method[32];
	char parent[PATH_MAX / 2], cwd[PATH_MAX / 2], conf[PATH_MAX + 32];
	char tname[ERR_QUOTESIZE + 16], q[ERR_QUOTESIZE], pyd[PATH_MAX / 2 + 32];
	const char *t;
	struct stat sb;
	struct rundir_result res;
	struct stage_seen seen, one;
	struct prog_sets f;
	struct sigaction sa;
	struct timespec t0, t1;
	struct opts o;
	struct cfg c;
	const char *cfgfile;
	long i;
	int b, r;

	prog_init("lrf-find");
	argv[0] = (char *)prog;	/* getopt's messages name the program */
	err_sethook(printerr);
	memset(&o, 0, sizeof(o));
	o.outdir = "runs";
	o.run.plot = 1;
	f.n = 0;
	cfgfile = options(argc, argv, &o, &f);
	quiet = o.quiet;
	config(&c, cfgfile, &f, &o);
	/* --load's file checked before anything is copied or made: not
	 * weights (/dev/urandom), a corrupt or endless one, is refused */
	o.run.loadsize = -1;
	if (o.load != NULL && st_net_check(o.load, &o.run.loadsize) < 0)
		exit(EXIT_FAIL);

	rundir_name(name, sizeof(name), time(NULL), o.name);
	if (o.dir != NULL)
		dirsplit(o.dir, parent, sizeof(parent), name, sizeof(name));
	if (o.dir != NULL && lstat(o.dir, &sb) == 0) {
		err_set("%s: exists (--dir names a new directory)", o.dir);
		exit(EXIT_FAIL);
	}
	if (o.dir != NULL)
		o.outdir = parent;
	/* the hidden directories of runs whose lrf-find is gone (SIGKILL,
	 * SIGQUIT, a crash) removed, ours locked while it lives */
	if (runfs_mkdirs(o.outdir) < 0)
		exit(EXIT_FAIL);
	runfs_clean(o.outdir, saystale);
	if (runfs_tmpdir(tmp, sizeof(tmp), o.outdir, name) < 0)
		exit(EXIT_FAIL);
	if (runfs_lock(tmp) < 0) {
		rmdir(tmp);
		exit(EXIT_FAIL);
	}
	stage_init(&st, argv[0], tmp);
	st.say = logline;
	st.every = o.verbose ? 1 : 10;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = onsignal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);

	/* the run directory's files, the pipeline, the suggestion, the plot */
	o.run.bindir = st.bindir;
	o.run.plot = strcmp(c.finder.plot, "none") != 0;
	o.run.dumb = strcmp(c.finder.plot, "dumb") == 0;
	o.run.repeat = c.finder.repeat;
	o.run.seed = c.train.seed;
	o.run.stop = &st.sig;
	if (c.finder.trainer[0] != '\0') {
		/* the user's command, in the directory lrf-find ran in; a
		 * failure of it after lrf-smooth stopped the stream is only
		 * logged (not every trainer ends quietly then) */
		if (getcwd(cwd, sizeof(cwd)) == NULL) {
			err_set("getcwd: %s", strerror(errno));
			fail();
		}
		o.run.trainer = c.finder.trainer;
		o.run.cwd = cwd;
		snprintf(conf, sizeof(conf), "%s%s%s/config.yaml",
		    st.dir[0] == '/' ? "" : cwd, st.dir[0] == '/' ? "" : "/",
		    st.dir);
		snprintf(tname, sizeof(tname), "the trainer '%s'",
		    err_quote(c.finder.trainer, q));
		st.name[1] = tname;
		st.cutok = 1u << 1;
		if (setenv("LRF_CONFIG", conf, 1) < 0)
			fail();
		o.run.pydir = pydir(st.bindir, pyd, sizeof(pyd));
		if (o.run.pydir != NULL) {
			t = getenv("PYTHONPATH");
			snprintf(conf, sizeof(conf), "%s%s%s", pyd,
			    t != NULL && *t ? ":" : "", t != NULL ? t : "");
			if (setenv("PYTHONPATH", conf, 1) < 0)
				fail();
		}
	}
	/* the data's fingerprint: the files opened now (a missing one is
	 * said before anything runs), hashed beside the range test */
	check(rundir_fpopen(&o.run, &c));
	check(rundir_start(st.dir, &c, &o.run, o.load));
	if (pthread_create(&hasher, NULL, rundir_fphash, &o.run) == 0)
		hashed = &o.run;
	else
		rundir_fphash(&o.run);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	say("Testing learning rates from %g to %g", c.finder.start_lr,
	    c.finder.end_lr);
	if (c.finder.num_iter > 0)
		say("Using %ld iterations with %s growth", c.finder.num_iter,
		    strcmp(c.finder.mode, "linear") == 0 ? "linear" :
		    "exponential");
	else
		say("Using exponential growth until the loss diverges");
	/* lrf-train launches itself: train.processes, train.launcher */
	rundir_train(&o.run, train);
	memset(&seen, 0, sizeof(seen));
	snprintf(seedarg, sizeof(seedarg), "%lu", c.train.seed);
	if (o.run.trainer != NULL && setenv("LRF_SEED", seedarg, 1) < 0)
		fail();
	if (c.finder.repeat == 1) {
		filter_start(&c);
		r = stage_pipeline(&st, stages, 3, "smooth.tsv", &seen);
		filter_end();
		check(r);
	}
	/* several: one after the other, each with its seed (the first's
	 * stream is the one the diagnosis reads) */
	for (i = 0; c.finder.repeat > 1 && i < c.finder.repeat; i++) {
		for (b = 0; train[b] != NULL; b++)
			;
		snprintf(seedarg, sizeof(seedarg), "%lu",
		    c.train.seed + (unsigned long)i);
		if (o.run.trainer != NULL) {	/* its seed: LRF_SEED */
			if (setenv("LRF_SEED", seedarg, 1) < 0)
				fail();
		} else {
			train[b] = "--seed";
			train[b + 1] = seedarg;
			train[b + 2] = NULL;
		}
		snprintf(out, sizeof(out), "smooth-%ld.tsv", i + 1);
		say("Range test %ld of %ld (seed %s)", i + 1,
		    c.finder.repeat, seedarg);
		memset(&one, 0, sizeof(one));
		filter_start(&c);
		r = stage_pipeline(&st, stages, 3, out, &one);
		filter_end();
		check(r);
		train[b] = NULL;
		if (i == 0)
			seen = one;
	}
	hash_wait(0);
	check(rundir_fpend(&o.run));
	snprintf(conf, sizeof(conf), "%s/command.sh", st.dir);
	check(rundir_command(conf, &o.run));
	memset(&res, 0, sizeof(res));
	res.lr = res.loss = NAN;
	res.doubts = -1;
	res.runs = c.finder.repeat;
	snprintf(method, sizeof(method), "%s", c.finder.suggest);
	res.method = method;
	check(rundir_suggest(&st, &seen, &res, sizeof(method)));
	if (o.run.plot && !res.why)
		check(rundir_plot(&st));
	if (o.run.dumb && !res.why)
		check(rundir_textplot(&st));
	clock_gettime(CLOCK_MONOTONIC, &t1);
	res.wall = (double)(t1.tv_sec - t0.tv_sec) +
	    (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	check(rundir_json(st.dir, &c, &seen, &o.run, &res));
	check(0);
	if ((o.dir != NULL ? runfs_publishto(st.dir, o.dir) :
	    runfs_publish(st.dir, o.outdir, name, final, sizeof(final))) < 0)
		fail();
	if (o.dir != NULL)
		snprintf(final, sizeof(final), "%s", o.dir);
	st.dir[0] = '\0';

	if (res.why) {
		free(res.methods);
		err_set("no suggestion: %s (run: %s)", res.why, final);
		exit(EXIT_FAIL);
	}
	say("Suggested learning rate: %.2e (%s)", res.lr, method);
	if (strcmp(c.finder.suggest, "all") == 0)
		methods(&res);	/* reads res.methods */
	if (res.runs > 1)
		spread(&res, c.train.seed);	/* reads res.methods */
	free(res.methods);
	if (res.doubts > 0) {
		say("Not sure of it (confidence low):");
		for (b = 1; b <= SUGGEST_NOT_ALL; b <<= 1)
			if (res.doubts & b)
				say("  %s.", suggest_advice(b));
	}
	/* the PNG only when gnuplot drew it */
	snprintf(conf, sizeof(conf), "%s/lr_finder.png", final);
	if (o.run.plot && access(conf, F_OK) == 0)
		say("Plot: %s", conf);
	if (o.run.dumb)
		textplot(final);
	say("Results: %s", final);
	rec_putnum(stdout, res.lr);
	putchar('\n');
	prog_exit(EXIT_OK);
}
