/*
 * rundir.h - what lrf-find writes into a run directory, and what it
 * reads back: the directory's name, command.sh, suggestion.json, the
 * copy of --load's weights, the suggestion in records.tsv, the diagnosis
 * of a run that gave none.  (How the directory comes into being, built
 * under a temporary name and renamed when complete, is lib/runfs.h.)
 */
#ifndef LRF_RUNDIR_H
#define LRF_RUNDIR_H

#include <signal.h>
#include <stdatomic.h>
#include <stddef.h>
#include <time.h>

#include "cfg.h"
#include "stage.h"

/* A smoothed loss that falls by less than this fraction is flat. */
#define RUNDIR_FLAT	0.005
#define RUNDIR_SHORT	20	/* fewer records, not stopped: too short */
#define RUNDIR_MAXRUNS	64	/* finder.repeat's largest */
#define RUNDIR_MAXDATA	4	/* input files fingerprinted */

/*
 * lrf-find's built-in experiment (no -c) is the defaults: an MLP on
 * Fashion-MNIST.  If those files cannot be read, make c a synthetic one
 * instead (4 blobs of 4000 samples, 32 features; the default model fits
 * their 4 classes) and return 1; else 0.
 */
int rundir_fallback(struct cfg *c);

/* "lr_finder_YYYYmmdd-HHMMSS", and "_name" if name is not NULL, for
 * time t (local time), into buf.  Never fails (cut to size). */
void rundir_name(char *buf, size_t size, time_t t, const char *name);

/*
 * The name of --load's copy of path in the run directory: the file's own
 * name, so that messages about it name what the user gave, unless that
 * is one of the run's files or needs quoting in command.sh: then
 * "init.lrfw".  Never fails.
 */
void rundir_loadname(const char *path, char *buf, size_t size);

/*
 * Copy the file from into the file to (created): max bytes exactly, or
 * any size when max < 0; stopping when *stop (if stop is not NULL)
 * becomes non-zero.  0, or -1 with a message ("from: read error", "to:
 * write error", "to: copy interrupted", "from: not N bytes as it was
 * when checked").
 */
int rundir_copy(const char *from, const char *to, long long max,
    const volatile sig_atomic_t *stop);

/* How the run was made, for command.sh and suggestion.json. */
struct rundir_run {
	const char *bindir;	/* where the lrf programs are */
	int	 plot;		/* lr_finder.gp and .png are drawn */
	int	 val;		/* lrf-train --val */
	const char *load;	/* --load's copy (rundir_loadname), or NULL */
	int	 partial;	/* --load-partial */
	long long loadsize;	/* its size, checked by wfile_check; -1:
				   unknown */
	const volatile sig_atomic_t *stop;	/* the copy stops when
				   this is set (a signal), or NULL */
	long	 repeat;	/* range tests (finder.repeat): 1, or n
				   into smooth-1.tsv ... smooth-n.tsv */
	unsigned long seed;	/* the first one's seed (train.seed) */
	const char *trainer;	/* finder.trainer: a shell command that
				   replaces lrf-train, or NULL */
	const char *cwd;	/* where the trainer runs (lrf-find's
				   directory), absolute */
	const char *pydir;	/* lib/python/lrf.py's directory, put on
				   the trainer's PYTHONPATH, or NULL */
	int	 ndata;		/* input files fingerprinted: */
	struct rundir_data {
		const char *path;	/* as in config.yaml (absolute) */
		long long size;
		char	 sha256[65];	/* hex */
		int	 fd;		/* open until hashed, then -1 */
	} data[RUNDIR_MAXDATA];
	int	 dumb;		/* and lr_finder.txt, the text plot
				   (finder.plot dumb) */
	int	 fperr, fpbad;	/* hashing data[fpbad] failed: errno */
	atomic_int fpstop;	/* nonzero: rundir_fphash stops early
				   (ECANCELED), the run given up */
};

/*
 * The fingerprint of the files the run reads (data.images and
 * data.labels of an idx experiment, data.path of a csv one; an image
 * folder, data.root, has none): their size and SHA-256 into run->data,
 * which command.sh checks before it reruns.  0, or -1 with a message.
 */
int rundir_fingerprint(struct rundir_run *run, const struct cfg *c);

/*
 * The same in three steps, so that the hashing runs beside the range
 * test: rundir_fpopen opens the files (0, or -1 with a message: a
 * missing file is said before anything runs); rundir_fphash(run) hashes
 * and closes them and says nothing (a thread's start routine: it
 * returns NULL; run->fpstop set stops it within 64 KiB); rundir_fpend,
 * after it: 0, or -1 with the message of the first file that could not
 * be read.
 */
int rundir_fpopen(struct rundir_run *run, const struct cfg *c);
void *rundir_fphash(void *run);
int rundir_fpend(const struct rundir_run *run);

/*
 * Write path, the shell script that reproduces records.tsv (and the
 * plot) from config.yaml into its argument's directory (default: its
 * own), executable.  0, or -1 with a message.
 */
int rundir_command(const char *path, const struct rundir_run *run);

/*
 * Start the run directory dir: config.yaml (c) and, with run->load, the
 * copy of the weights file loadpath (command.sh is written once the
 * fingerprint is known: rundir_command).  0, or -1 with a message.
 */
int rundir_start(const char *dir, const struct cfg *c,
    const struct rundir_run *run, const char *loadpath);

/* The argv of the run's lrf-train (room for RUNDIR_TRAINARGS): "-c
 * config.yaml --no-progress", then --val, --load and --load-partial as
 * run says; NULL-terminated.  With run->trainer, that command run by
 * sh in run->cwd instead (its environment: LRF_CONFIG, LRF_SEED). */
#define RUNDIR_TRAINARGS	9
void rundir_train(const struct rundir_run *run, char *argv[]);

/* What the run found, for suggestion.json. */
struct rundir_result {
	char	*method;	/* the method of the suggestion */
	double	 lr, loss;	/* the suggestion */
	char	*methods;	/* lrf-suggest --json's object (text), or
				   NULL */
	const char *why;	/* the diagnosis when there is none, or NULL */
	int	 doubts;	/* the suggestion's SUGGEST_NOT_* bits (0:
				   confidence high), -1 if not known */
	double	 wall;		/* seconds the run took */
	long	 runs;		/* range tests: 1 (smooth.tsv), or n
				   (smooth-1.tsv ... smooth-n.tsv) */
};

/*
 * Write dir/suggestion.json with jansson, lrf-find(1)'s flat shape: the
 * suggestion ("lr", "method", "loss", "index"; nulls with status
 * "failed" and the "diagnosis" when why is set), its confidence ("high",
 * "low" or null) and reasons (suggest_doubt_name's), lrf-suggest
 * --json's "methods" keyed by name (null when failed), the "#@ stop"
 * line seen, the steps, "repeat" (with res->runs > 1 each run's "runs"
 * and their "spread"), the run's "settings" from c and run, the
 * "versions", the wall time, then the rest of lrf-suggest --json's
 * members.  Strings that are not UTF-8 are made so.  0, or -1 with a
 * message.
 */
int rundir_json(const char *dir, const struct cfg *c,
    const struct stage_seen *s, const struct rundir_run *run,
    const struct rundir_result *res);

/*
 * Find the "#@ suggest" line that lrf-suggest -a appended to path (the
 * last one; when method holds "all", the last of the default method's,
 * which lrf-suggest -a -m all writes first): its method into method (n
 * bytes, a string on entry), lr and loss, and (if
 * doubts is not NULL) the SUGGEST_NOT_* bits of its confidence= and
 * reasons=, -1 when it has none.  0, or -1 with a message if path cannot
 * be read or has none.
 */
int rundir_suggestion(const char *path, char *method, size_t n, double *lr,
    double *loss, int *doubts);

/*
 * lrf-suggest -a on the run's smooth.tsv: records.tsv is the stream with
 * the suggestion, in res (method, lr, loss; method points to a buffer of
 * n bytes that holds finder.suggest), and every method's (res->methods,
 * malloc'd, from lrf-suggest --json).  For a curve that gives no
 * suggestion (lrf-suggest answers none, rundir_answered, or the smoothed
 * loss of seen is flat, which a message says), records.tsv is the stream
 * and res->why says why.  lrf-suggest failing otherwise (a write error,
 * a signal) is -1 with a message, as is any other error; or
 * STAGE_INTERRUPTED.
 */
int rundir_suggest(struct stage *st, const struct stage_seen *seen,
    struct rundir_result *res, size_t n);

/*
 * lr_finder.gp by lrf-plot, and lr_finder.png by gnuplot when there is
 * one (a message says when there is not).  0, -1 with a message, or
 * STAGE_INTERRUPTED.
 */
int rundir_plot(struct stage *st);

/*
 * lr_finder.txt, the plot drawn by gnuplot's dumb terminal (lrf-plot -T
 * dumb), when there is a gnuplot (a message says when there is not, and
 * there is no file).  0, -1 with a message, or STAGE_INTERRUPTED.
 */
int rundir_textplot(struct stage *st);

/*
 * 1 if path is the answer of an lrf-suggest -a that had no suggestion:
 * its last line a whole "#@ nosuggest" line and, unless records < 0,
 * that many data records before it; 0 if not (a failure cut it short),
 * -1 with a message if it cannot be read.
 */
int rundir_answered(const char *path, long records);

/* 1 if the smoothed loss of s fell by less than RUNDIR_FLAT of itself. */
int rundir_flat(const struct stage_seen *s);

/* Why a curve gave no suggestion, in the words of the seeds: a loss that
 * exploded at once, a run too short, a flat curve. */
const char *rundir_diagnose(const struct stage_seen *s);

#endif
