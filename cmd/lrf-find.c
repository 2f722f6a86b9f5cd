/*
 * lrf-find - the whole range test in one command.
 *
 * Composes lrf-schedule | lrf-train | lrf-smooth, watching the stream as
 * it goes by to log it, then lrf-suggest and lrf-plot | gnuplot, all on a
 * run directory that is built under a hidden temporary name and renamed
 * into place only when complete.
 */
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cfg.h"
#include "data.h"
#include "names.h"
#include "opt.h"
#include "prog.h"
#include "runfs.h"
#include "suggest.h"

#define FMNIST "/usr/share/datasets/fashion-mnist"

static struct {
	int	 quiet, verbose, val, noplot, partial;
	const char *outdir, *name, *load;
} o = { 0, 0, 0, 0, 0, "runs", NULL, NULL };

static char initw[128];		/* --load's weights in the run directory */

static char bindir[PATH_MAX / 2];	/* where the other lrf programs are */
static char tmpdir[PATH_MAX / 2];	/* the run directory being built */
static volatile sig_atomic_t gotsig;
static volatile pid_t pgrp;	/* the pipeline's process group */

static void
usage(FILE *fp)
{
	char methods[128];

	names_join(methods, sizeof(methods), suggest_names, SUGGEST_NMETHODS,
	    "|", "|");
	fprintf(fp,
"usage: lrf-find [-c cfg.yaml] [--start_lr LR] [--end_lr LR] [--num_iter N]\n"
"                [--beta B] [--diverge_threshold D] [--fold K] [--batch_size N]\n"
"                [--seed S] [--threads T] [--device cpu] [--method M] [--val]\n"
"                [--load FILE [--load-partial]] [-o dir] [--name NAME]\n"
"                [--no-plot] [-q | -v]\n"
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
"  --method m              %s [steep]\n"
"  --val                   also record validation loss and accuracy\n"
"  --load file             start from these weights (lrf-train --save)\n"
"  --load-partial          load the layers that fit, keep the others new\n"
"  -o dir                  parent of the run directory [runs]\n"
"  --name name             suffix of the run directory's name\n"
"  --no-plot               write no lr_finder.gp / lr_finder.png\n"
"  -q                      no log on stderr; only the learning rate on stdout\n"
"  -v                      log every step\n"
"Flags may be spelled with '-' or '_' (--start-lr, --start_lr).\n",
	    methods);
}

/* Log one line on stderr with a timestamp, unless -q. */
static void __attribute__((format(printf, 1, 2)))
say(const char *fmt, ...)
{
	char ts[32];
	va_list ap;
	time_t t;

	if (o.quiet)
		return;
	t = time(NULL);
	strftime(ts, sizeof(ts), "%Y-%m-%d %H:%M:%S", localtime(&t));
	fprintf(stderr, "[%s] ", ts);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* Library errors, except those an interrupt causes on its way out. */
static void
printerr(const char *msg)
{
	if (!gotsig)
		fprintf(stderr, "%s: %s\n", prog, msg);
}

static void
onsignal(int sig)
{
	gotsig = sig;
	if (pgrp > 0)
		kill(-pgrp, SIGTERM);
}

/* An interrupted run leaves nothing that looks finished. */
static void __attribute__((noreturn))
die_signal(void)
{
	int sig;

	sig = gotsig;
	if (pgrp > 0)
		kill(-pgrp, SIGTERM);
	while (wait(NULL) > 0 || errno == EINTR)
		;
	if (tmpdir[0])
		runfs_remove(tmpdir);
	if (!o.quiet)
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
	if (tmpdir[0])
		runfs_remove(tmpdir);
	exit(EXIT_FAIL);
}

/*
 * Start argv[0] (from bindir) with stdin in, stdout out, in directory dir
 * and process group pgrp (0 makes the child the group's leader).
 */
static pid_t
spawn(char *const argv[], int in, int out, const char *dir)
{
	char path[PATH_MAX];
	pid_t pid;

	snprintf(path, sizeof(path), "%s/%s", bindir, argv[0]);
	if (access(path, X_OK) != 0)
		snprintf(path, sizeof(path), "%s", argv[0]);
	if ((pid = fork()) < 0) {
		err_set("fork: %s", strerror(errno));
		return -1;
	}
	if (pid == 0) {
		setpgid(0, pgrp);
		signal(SIGPIPE, SIG_DFL);
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		if (in != 0) {
			dup2(in, 0);
			close(in);
		}
		if (out != 1) {
			dup2(out, 1);
			close(out);
		}
		if (dir != NULL && chdir(dir) < 0)
			_exit(127);
		if (strchr(path, '/'))
			execv(path, argv);
		else
			execvp(path, argv);
		fprintf(stderr, "%s: cannot run %s: %s\n", prog, argv[0],
		    strerror(errno));
		_exit(127);
	}
	setpgid(pid, pgrp ? pgrp : pid);
	if (pgrp == 0)
		pgrp = pid;
	return pid;
}

/* Wait for pid; its exit status, or KILLED + the signal that killed it. */
#define KILLED	256

static int
reap(pid_t pid)
{
	int st;

	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return 127;
	if (gotsig)
		die_signal();
	return WIFEXITED(st) ? WEXITSTATUS(st) : KILLED + WTERMSIG(st);
}

/* Run argv to completion, stdin from file in (or /dev/null), stdout to
 * file out (or /dev/null); its exit status. */
static int
runfile(char *const argv[], const char *in, const char *out)
{
	int fi, fo, r;
	pid_t pid;

	fi = open(in ? in : "/dev/null", O_RDONLY | O_CLOEXEC);
	fo = open(out ? out : "/dev/null", O_WRONLY | O_CREAT | O_TRUNC |
	    O_CLOEXEC, 0666);
	if (fi < 0 || fo < 0) {
		err_set("%s: %s", fi < 0 ? in : out, strerror(errno));
		return 127;
	}
	pgrp = 0;
	pid = spawn(argv, fi, fo, tmpdir);
	close(fi);
	close(fo);
	if (pid < 0)
		return 127;
	r = reap(pid);
	pgrp = 0;
	return r;
}

/* What the stream said, for the log, the diagnosis and the JSON. */
struct seen {
	long	 records;
	double	 first_smooth;	/* the smoothed loss at the first record */
	double	 min_smooth;	/* and its minimum */
	double	 first_lr, last_lr;
	int	 stopped;
	char	 stopline[512];
	long	 planned;
};

/*
 * Run lrf-schedule | lrf-train | lrf-smooth into tmpdir/smooth.tsv,
 * logging as records go by.  0 when every stage succeeded.
 */
static int
pipeline(const char *cfgpath, struct seen *s)
{
	char *sched[] = { "lrf-schedule", "-c", (char *)cfgpath, NULL };
	char *train[8];
	char *smooth[] = { "lrf-smooth", "-c", (char *)cfgpath, NULL };
	char *const *argv[] = { sched, train, smooth };
	const char *names[] = { "lrf-schedule", "lrf-train", "lrf-smooth" };
	struct rec_reader r;
	char path[PATH_MAX];
	int p[2], in, i, n, status, lrc, lossc, valc, smc, every, bad;
	pid_t pid[3];
	double lr, loss, val, sm;
	FILE *fp, *out;

	i = 0;
	train[i++] = "lrf-train";
	train[i++] = "-c";
	train[i++] = (char *)cfgpath;
	train[i++] = "--no-progress";
	if (o.val)
		train[i++] = "--val";
	if (o.load != NULL) {
		train[i++] = "--load";
		train[i++] = initw;
		if (o.partial)
			train[i++] = "--load-partial";
	}
	train[i] = NULL;

	/*
	 * Every descriptor here is close-on-exec: a stage that held the
	 * read end of its own output pipe would never see its reader go
	 * away (EPIPE), and would block instead of ending.
	 */
	snprintf(path, sizeof(path), "%s/smooth.tsv", tmpdir);
	if ((out = fopen(path, "w")) == NULL)
		return err_set("%s: %s", path, strerror(errno));
	fcntl(fileno(out), F_SETFD, FD_CLOEXEC);
	pgrp = 0;
	in = open("/dev/null", O_RDONLY | O_CLOEXEC);
	for (i = 0; i < 3; i++) {
		if (pipe(p) < 0)
			return err_set("pipe: %s", strerror(errno));
		fcntl(p[0], F_SETFD, FD_CLOEXEC);
		fcntl(p[1], F_SETFD, FD_CLOEXEC);
		pid[i] = spawn(argv[i], in, p[1], tmpdir);
		close(in);
		close(p[1]);
		in = p[0];
		if (pid[i] < 0)
			return -1;
	}
	fp = fdopen(in, "r");
	rec_open(&r, fp, "lrf-smooth output");
	every = o.verbose ? 1 : 10;
	lrc = lossc = valc = smc = -1;
	bad = n = 0;
	while (!gotsig && (n = rec_next(&r)) > 0) {
		fputs(r.raw, out);
		fputc('\n', out);
		if (n == REC_COMMENT && rec_meta_is(r.raw, "schedule")) {
			double num;
			if (rec_meta_num(r.raw, "num", &num) == 0)
				s->planned = (long)num;
		} else if (n == REC_COMMENT && rec_meta_is(r.raw, "stop")) {
			s->stopped = 1;
			snprintf(s->stopline, sizeof(s->stopline), "%s", r.raw);
			say("Loss %s - stopping early", strstr(r.raw,
			    "reason=nonfinite") ? "is not finite" :
			    "increasing");
		} else if (n == REC_DATA) {
			if (lrc < 0) {
				lrc = rec_col(&r, "lr");
				lossc = rec_col(&r, "loss");
				valc = rec_hascol(&r, "val_loss");
				smc = rec_hascol(&r, "smooth");
				if (lrc < 0 || lossc < 0) {
					bad = 1;
					break;
				}
			}
			if (rec_num(&r, lrc, &lr) < 0 ||
			    rec_num(&r, lossc, &loss) < 0) {
				bad = 1;
				break;
			}
			if (smc >= 0 && rec_num(&r, smc, &sm) == 0 &&
			    isfinite(sm)) {
				if (s->records == 0)
					s->first_smooth = s->min_smooth = sm;
				if (sm < s->min_smooth)
					s->min_smooth = sm;
			}
			if (s->records == 0)
				s->first_lr = lr;
			s->last_lr = lr;
			if (s->records % every == 0) {
				if (valc >= 0 && rec_num(&r, valc, &val) == 0)
					say("LR: %.2e | Loss: %.4f | Val loss: "
					    "%.4f", lr, loss, val);
				else
					say("LR: %.2e | Loss: %.4f", lr, loss);
			}
			s->records++;
		}
	}
	if (n < 0 && !gotsig)
		bad = 1;
	rec_close(&r);
	fclose(fp);
	if (fclose(out) != 0 && !bad)
		bad = err_set("%s: write error", path) != 0;
	status = 0;
	for (i = 0; i < 3; i++)
		if ((n = reap(pid[i])) != 0 && !status) {
			if (n > KILLED)
				err_set("%s failed (killed by signal %d)",
				    names[i], n - KILLED);
			else
				err_set("%s failed (exit status %d)",
				    names[i], n);
			status = -1;
		}
	pgrp = 0;
	if (gotsig)
		die_signal();
	return bad || status ? -1 : 0;
}

/* The shell script that reproduces records.tsv and the plot. */
static int
write_command(const char *path, int plot)
{
	FILE *fp;

	if ((fp = fopen(path, "w")) == NULL)
		return err_set("%s: %s", path, strerror(errno));
	fprintf(fp,
	    "#!/bin/bash\n"
	    "# Reproduces this run: writes records.tsv%s into DIR (default:\n"
	    "# this directory) from config.yaml.  Made by lrf-find %s.\n"
	    "set -eo pipefail\n"
	    "here=$(cd \"$(dirname \"$0\")\" && pwd)\n"
	    "out=${1:-$here}\n"
	    "PATH=%s:$PATH\n"
	    "lrf-schedule -c \"$here/config.yaml\" |\n"
	    "    %slrf-train -c %s --no-progress%s%s%s%s |\n"
	    "    lrf-smooth -c \"$here/config.yaml\" |\n"
	    "    lrf-suggest -c \"$here/config.yaml\" -a > \"$out/records.tsv\"\n",
	    plot ? " and the plot" : "", LRF_VERSION, bindir,
	    /* with --load, in the run directory: the "#@ run" line says
	     * load=<name> as in records.tsv */
	    o.load != NULL ? "(cd \"$here\" && exec " : "",
	    o.load != NULL ? "config.yaml" : "\"$here/config.yaml\"",
	    o.val ? " --val" : "", o.load != NULL ? " --load " : "",
	    o.load != NULL ? initw : "", o.load != NULL ? o.partial ?
	    " --load-partial)" : ")" : "");
	if (plot)
		fprintf(fp,
		    "cd \"$out\"\n"
		    "lrf-plot -o lr_finder.png records.tsv > lr_finder.gp\n"
		    "if command -v gnuplot >/dev/null; then gnuplot lr_finder.gp; fi\n");
	if (fclose(fp) != 0)
		return err_set("%s: write error", path);
	chmod(path, 0755);
	return 0;
}

/* A curve whose smoothed loss falls by less than this fraction is flat. */
#define FLAT	0.005

static int
flat(const struct seen *s)
{
	return s->records > 0 && isfinite(s->first_smooth) &&
	    s->first_smooth - s->min_smooth <= FLAT * fabs(s->first_smooth);
}

/* Say why a curve gave no suggestion, in the words of the seeds. */
static const char *
diagnose(const struct seen *s)
{
	long skip;

	skip = (s->planned > 0 ? s->planned : s->records) / 10;
	if (s->stopped && s->records <= skip + 6)
		return "the loss exploded at once: lower start_lr, or check "
		    "that the inputs are normalised (data.scale, "
		    "data.standardize)";
	if (!s->stopped && s->records < 20 && !flat(s))
		return "the run is too short for a suggestion: raise num_iter";
	return "the loss never decreased (a flat curve): check the data and "
	    "labels, and that the model can learn; widen the range with a "
	    "larger end_lr";
}

/* "#@ word k=v k=v" as a JSON object; numbers stay numbers. */
static void
json_meta(FILE *fp, const char *line)
{
	char key[64], val[64];
	const char *p;
	size_t k, v;
	double d;
	int first;

	p = line + 2;
	p += strspn(p, " \t");
	p += strcspn(p, " \t");		/* the word */
	first = 1;
	fputc('{', fp);
	while (*(p += strspn(p, " \t")) != '\0') {
		k = strcspn(p, "= \t");
		v = strcspn(p, " \t");
		if (k < sizeof(key) && p[k] == '=' && v - k - 1 < sizeof(val)) {
			snprintf(key, sizeof(key), "%.*s", (int)k, p);
			snprintf(val, sizeof(val), "%.*s", (int)(v - k - 1),
			    p + k + 1);
			fputs(first ? "" : ", ", fp);
			runfs_jsonstr(fp, key);
			fputs(": ", fp);
			if (num_double(val, &d) == NUM_OK)
				runfs_jsonnum(fp, d);
			else
				runfs_jsonstr(fp, val);
			first = 0;
		}
		p += v;
	}
	fputc('}', fp);
}

static int
write_json(const char *path, const struct cfg *c, const struct seen *s,
    const char *method, double lr, double loss, const char *all,
    const char *why, double wall)
{
	FILE *fp;

	if ((fp = fopen(path, "w")) == NULL)
		return err_set("%s: %s", path, strerror(errno));
	fprintf(fp, "{\n  \"suggested_lr\": ");
	runfs_jsonnum(fp, why ? NAN : lr);
	fprintf(fp, ",\n  \"method\": ");
	runfs_jsonstr(fp, method);
	fprintf(fp, ",\n  \"loss\": ");
	runfs_jsonnum(fp, why ? NAN : loss);
	fprintf(fp, ",\n  \"status\": \"%s\"", why ? "failed" : "ok");
	if (why) {
		fprintf(fp, ",\n  \"diagnosis\": ");
		runfs_jsonstr(fp, why);
	}
	fprintf(fp, ",\n  \"methods\": %s", all && *all ? all : "null");
	fprintf(fp, ",\n  \"steps\": %ld,\n  \"stop\": ", s->records);
	if (s->stopped)
		json_meta(fp, s->stopline);
	else
		fputs("null", fp);
	fprintf(fp, ",\n  \"config\": {\"file\": \"config.yaml\", "
	    "\"start_lr\": %.9g, \"end_lr\": %.9g, \"num_iter\": %ld, "
	    "\"mode\": ", c->finder.start_lr, c->finder.end_lr,
	    c->finder.num_iter);
	runfs_jsonstr(fp, c->finder.mode);
	fprintf(fp, ", \"beta\": %.9g, \"diverge_threshold\": %.9g, "
	    "\"batch_size\": %ld, \"fold\": %ld, \"optimizer\": \"%s\", "
	    "\"data\": \"%s\"},\n", c->finder.beta,
	    c->finder.diverge_threshold, c->train.batch_size, c->data.fold,
	    names_get(opt_names, c->optimizer.name),
	    names_get(data_format_names, c->data.format));
	fprintf(fp, "  \"seed\": %lu,\n  \"val\": %s,\n  \"version\": \"lrf "
	    LRF_VERSION "\",\n  \"wall_time_s\": %.3f\n}\n", c->train.seed,
	    o.val ? "true" : "false", wall);
	if (fclose(fp) != 0)
		return err_set("%s: write error", path);
	return 0;
}

/* Find the "#@ suggest" line lrf-suggest -a appended to records.tsv. */
static int
read_suggestion(const char *path, char *method, size_t n, double *lr,
    double *loss)
{
	struct rec_reader r;
	FILE *fp;
	int k, found;

	if ((fp = fopen(path, "r")) == NULL)
		return err_set("%s: %s", path, strerror(errno));
	rec_open(&r, fp, path);
	found = 0;
	while ((k = rec_next(&r)) > 0)
		if (k == REC_COMMENT && rec_meta_is(r.raw, "suggest") &&
		    rec_meta_num(r.raw, "lr", lr) == 0) {
			rec_meta_num(r.raw, "loss", loss);
			rec_meta_get(r.raw, "method", method, n);
			found = 1;
		}
	rec_close(&r);
	fclose(fp);
	if (k < 0)
		return -1;
	return found ? 0 : err_set("%s: no suggestion in the records", path);
}

/* Apply the defaults that make "lrf-find" alone work on a fresh machine. */
static void
default_experiment(struct cfg *c)
{
	if (access(c->data.images, R_OK) == 0 &&
	    access(c->data.labels, R_OK) == 0)
		return;
	if (!o.quiet)
		fprintf(stderr, "%s: note: %s not found (Debian package "
		    "dataset-fashion-mnist); using a synthetic dataset\n",
		    prog, FMNIST);
	c->data.format = DATA_SYNTHETIC;
	c->data.kind = SYN_BLOBS;
	c->data.samples = 4000;
	c->data.features = 32;
	c->data.classes = 4;
	c->data.scale = 0;
	c->model.nlayers = 2;
	c->model.layers[1].units = 4;
}

/*
 * The stages run inside the run directory: make the data paths, which are
 * relative to the current directory, absolute in the config they read.
 */
/*
 * The name of --load's copy in the run directory: the file's own name,
 * so that messages about it name what the user gave, unless that is one
 * of the run's files or needs quoting in command.sh: then init.lrfw.
 */
static void
runname(const char *path, char *buf, size_t size)
{
	static const char *taken[] = { "config.yaml", "command.sh",
		"records.tsv", "smooth.tsv", "lr_finder.gp", "lr_finder.png",
		"suggestion.json", NULL };
	const char *b;
	int i;

	b = strrchr(path, '/') != NULL ? strrchr(path, '/') + 1 : path;
	snprintf(buf, size, "init.lrfw");
	if (b[0] == '\0' || b[0] == '.' || b[0] == '-' ||
	    strlen(b) >= size || strspn(b, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789._-") != strlen(b))
		return;
	for (i = 0; taken[i] != NULL; i++)
		if (strcmp(b, taken[i]) == 0)
			return;
	snprintf(buf, size, "%s", b);
}

/* Copy the file from into the file to (created); 0, or -1 with a message. */
static int
copyfile(const char *from, const char *to)
{
	char buf[1 << 16];
	FILE *in, *out;
	size_t n;
	int bad;

	if ((in = fopen(from, "rb")) == NULL)
		return err_set("%s: %s", from, strerror(errno));
	if ((out = fopen(to, "wb")) == NULL) {
		fclose(in);
		return err_set("%s: %s", to, strerror(errno));
	}
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
		if (fwrite(buf, 1, n, out) != n)
			break;
	bad = ferror(in) ? 1 : ferror(out) ? 2 : 0;
	fclose(in);
	if (fclose(out) != 0 && bad == 0)
		bad = 2;
	if (bad)
		return err_set("%s: %s error", bad == 1 ? from : to,
		    bad == 1 ? "read" : "write");
	return 0;
}

static int
abspaths(struct cfg *c)
{
	char cwd[PATH_MAX / 2], buf[CFG_MAXPATH], *paths[3];
	int i;

	if (getcwd(cwd, sizeof(cwd)) == NULL)
		return err_set("getcwd: %s", strerror(errno));
	paths[0] = c->data.images;
	paths[1] = c->data.labels;
	paths[2] = c->data.path;
	for (i = 0; i < 3; i++) {
		if (paths[i][0] == '\0' || paths[i][0] == '/')
			continue;
		if (snprintf(buf, sizeof(buf), "%s/%s", cwd, paths[i]) >=
		    (int)sizeof(buf))
			return err_set("%s: path too long", paths[i]);
		memcpy(paths[i], buf, sizeof(buf));
	}
	return 0;
}

static void
find_bindir(const char *argv0)
{
	char *p;
	ssize_t n;

	n = readlink("/proc/self/exe", bindir, sizeof(bindir) - 1);
	if (n <= 0) {
		snprintf(bindir, sizeof(bindir), "%s", argv0);
		n = (ssize_t)strlen(bindir);
	}
	bindir[n] = '\0';
	if ((p = strrchr(bindir, '/')) != NULL)
		*p = '\0';
	else
		snprintf(bindir, sizeof(bindir), ".");
}

enum { O_START = 256, O_END, O_NUM, O_BETA, O_DIV, O_FOLD, O_BATCH, O_SEED,
	O_THREADS, O_DEVICE, O_METHOD, O_VAL, O_NAME, O_NOPLOT, O_LOAD,
	O_PARTIAL };

/* The number a flag gave key (its syntax checked), or NAN if none did. */
static double
given(const struct prog_sets *f, const char *key)
{
	const char *t;
	double v;

	if ((t = prog_given(f, key)) == NULL || num_double(t, &v) != NUM_OK)
		return NAN;
	return v;
}

int
main(int argc, char *argv[])
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
		{ "output", required_argument, NULL, 'o' },
		{ "name", required_argument, NULL, O_NAME },
		{ "no-plot", no_argument, NULL, O_NOPLOT },
		{ "quiet", no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct prog_sets f;
	char path[PATH_MAX], cfgpath[PATH_MAX], name[256], ts[32], final[PATH_MAX];
	char method[32], list[128], *all, *argvs[8];
	const char *cfgfile, *why, *t;
	struct sigaction sa;
	struct timespec t0, t1;
	struct seen seen;
	struct cfg c;
	double lr, loss, wall, v;
	time_t now;
	FILE *fp;
	int ch, i, r;

	prog_init("lrf-find");
	argv[0] = (char *)prog;	/* getopt's messages name the program */
	err_sethook(printerr);
	f.n = 0;
	cfgfile = NULL;
	while ((ch = getopt_long(argc, argv, "c:o:qvh", prog_options(lopts),
	    NULL)) != -1) {
		switch (ch) {
		case 'c': cfgfile = optarg; break;
		case O_START: prog_double("--start_lr", optarg);
			prog_keep(&f, "finder.start_lr", optarg); break;
		case O_END: prog_double("--end_lr", optarg);
			prog_keep(&f, "finder.end_lr", optarg); break;
		case O_NUM: prog_long("--num_iter", optarg, 0, 100000000);
			prog_keep(&f, "finder.num_iter", optarg); break;
		case O_BETA: prog_double("--beta", optarg);
			prog_keep(&f, "finder.beta", optarg); break;
		case O_DIV: prog_double("--diverge_threshold", optarg);
			prog_keep(&f, "finder.diverge_threshold", optarg); break;
		case O_FOLD: prog_long("--fold", optarg, 0, 1000);
			prog_keep(&f, "data.fold", optarg); break;
		case O_BATCH: prog_long("--batch_size", optarg, 1, 1 << 20);
			prog_keep(&f, "train.batch_size", optarg); break;
		case O_SEED: prog_long("--seed", optarg, 0, LONG_MAX);
			prog_keep(&f, "train.seed", optarg); break;
		case O_THREADS: prog_long("--threads", optarg, 0, 1024);
			prog_keep(&f, "train.threads", optarg); break;
		case O_DEVICE: prog_keep(&f, "train.device", optarg); break;
		case O_METHOD: prog_keep(&f, "finder.suggest", optarg); break;
		case O_VAL: o.val = 1; break;
		case O_LOAD: o.load = optarg; break;
		case O_PARTIAL: o.partial = 1; break;
		case 'o': o.outdir = optarg; break;
		case O_NAME: o.name = optarg; break;
		case O_NOPLOT: o.noplot = 1; break;
		case 'q': o.quiet = 1; break;
		case 'v': o.verbose = 1; break;
		case 'h': usage(stdout); exit(EXIT_OK);
		default: prog_usage(NULL);
		}
	}
	if (optind != argc)
		prog_usage("unexpected argument '%s'", argv[optind]);
	if (!isnan(v = given(&f, "finder.beta")) && !(v >= 0 && v < 1))
		prog_usage("--beta: %g is out of range [0, 1)", v);
	if (!isnan(v = given(&f, "finder.diverge_threshold")) && !(v > 1))
		prog_usage("--diverge_threshold: %g must be greater than 1", v);
	if (!isnan(v = given(&f, "finder.start_lr")) && !(v > 0))
		prog_usage("--start_lr: %g must be positive", v);
	if (!isnan(v = given(&f, "finder.end_lr")) && !(v > 0))
		prog_usage("--end_lr: %g must be positive", v);
	if ((t = prog_given(&f, "train.device")) && strcmp(t, "cpu") != 0)
		prog_usage("--device: '%s' is not available (only cpu)", t);
	if ((t = prog_given(&f, "finder.suggest")) &&
	    ((i = suggest_lookup(t)) < 0 || i == SUGGEST_ALL)) {
		names_join(list, sizeof(list), suggest_names,
		    SUGGEST_NMETHODS, ", ", ", ");
		prog_usage("--method: '%s' is not one of %s", t, list);
	}
	if (o.partial && o.load == NULL)
		prog_usage("--load-partial needs --load");
	if (o.load != NULL)
		runname(o.load, initw, sizeof(initw));
	if (o.name && (strchr(o.name, '/') || o.name[0] == '\0' ||
	    strlen(o.name) > 64))
		prog_usage("--name: '%s' is not a file name", o.name);

	cfg_defaults(&c);
	if (cfgfile != NULL && cfg_load(&c, cfgfile) < 0)
		exit(EXIT_FAIL);
	if (cfgfile == NULL)
		default_experiment(&c);
	prog_apply(&f, &c);
	if (strcmp(c.finder.suggest, "all") == 0)
		snprintf(c.finder.suggest, sizeof(c.finder.suggest), "steep");
	if (c.finder.end_lr <= c.finder.start_lr)
		prog_usage("end_lr %g must be greater than start_lr %g",
		    c.finder.end_lr, c.finder.start_lr);
	if (c.data.folds > 1 && c.data.fold >= c.data.folds)
		prog_usage("--fold: %ld is not below data.folds %ld",
		    c.data.fold, c.data.folds);

	if (abspaths(&c) < 0)
		exit(EXIT_FAIL);
	find_bindir(argv[0]);
	now = time(NULL);
	strftime(ts, sizeof(ts), "%Y%m%d-%H%M%S", localtime(&now));
	snprintf(name, sizeof(name), "lr_finder_%s%s%s", ts, o.name ? "_" : "",
	    o.name ? o.name : "");
	if (runfs_mkdirs(o.outdir) < 0 ||
	    runfs_tmpdir(tmpdir, sizeof(tmpdir), o.outdir, name) < 0)
		exit(EXIT_FAIL);

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = onsignal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);

	snprintf(cfgpath, sizeof(cfgpath), "%s/config.yaml", tmpdir);
	if ((fp = fopen(cfgpath, "w")) == NULL ||
	    cfg_write(fp, &c) < 0 || fclose(fp) != 0) {
		err_set("%s: cannot write", cfgpath);
		fail();
	}
	snprintf(path, sizeof(path), "%s/command.sh", tmpdir);
	if (write_command(path, !o.noplot) < 0)
		fail();
	snprintf(path, sizeof(path), "%s/%s", tmpdir, initw);
	if (o.load != NULL && copyfile(o.load, path) < 0)
		fail();

	clock_gettime(CLOCK_MONOTONIC, &t0);
	say("Testing learning rates from %g to %g", c.finder.start_lr,
	    c.finder.end_lr);
	if (c.finder.num_iter > 0)
		say("Using %ld iterations with %s growth", c.finder.num_iter,
		    strcmp(c.finder.mode, "linear") == 0 ? "linear" :
		    "exponential");
	else
		say("Using exponential growth until the loss diverges");
	memset(&seen, 0, sizeof(seen));
	if (pipeline("config.yaml", &seen) < 0 && !gotsig)
		fail();
	if (gotsig)
		die_signal();

	/* lrf-suggest -a: records.tsv is the stream with the suggestion. */
	snprintf(path, sizeof(path), "%s/smooth.tsv", tmpdir);
	i = 0;
	argvs[i++] = "lrf-suggest";
	argvs[i++] = "-c";
	argvs[i++] = "config.yaml";
	argvs[i++] = "-a";
	argvs[i++] = "smooth.tsv";
	argvs[i] = NULL;
	snprintf(final, sizeof(final), "%s/records.tsv", tmpdir);
	why = NULL;
	method[0] = '\0';
	snprintf(method, sizeof(method), "%s", c.finder.suggest);
	lr = loss = NAN;
	all = NULL;
	r = runfile(argvs, NULL, final);
	if (r == 0 && flat(&seen)) {
		fprintf(stderr, "%s: the smoothed loss fell by less than "
		    "%g%% (from %.6g to %.6g)\n", prog, FLAT * 100,
		    seen.first_smooth, seen.min_smooth);
		r = 1;
	}
	if (r != 0) {
		why = diagnose(&seen);
		rename(path, final);
	} else {
		unlink(path);
		if (read_suggestion(final, method, sizeof(method), &lr,
		    &loss) < 0)
			fail();
		argvs[3] = "--json";
		argvs[4] = "-m";
		argvs[5] = "all";
		argvs[6] = "records.tsv";
		argvs[7] = NULL;
		snprintf(path, sizeof(path), "%s/methods.json", tmpdir);
		if (runfile(argvs, NULL, path) == 0)
			all = runfs_slurp(path, 1 << 20);
		unlink(path);
		for (i = all ? (int)strlen(all) : 0; i > 0 &&
		    strchr(" \t\n", all[i - 1]); i--)
			all[i - 1] = '\0';
	}

	if (!o.noplot && !why) {
		char *plot[] = { "lrf-plot", "-o", "lr_finder.png",
			"records.tsv", NULL };
		char *gp[] = { "gnuplot", "lr_finder.gp", NULL };

		snprintf(path, sizeof(path), "%s/lr_finder.gp", tmpdir);
		if (runfile(plot, NULL, path) != 0)
			fail();
		/* NOLINTNEXTLINE(cert-env33-c): a fixed command */
		if (system("command -v gnuplot >/dev/null 2>&1") != 0)
			fprintf(stderr, "%s: warning: gnuplot not found; "
			    "lr_finder.png not drawn\n", prog);
		else if (runfile(gp, NULL, NULL) != 0) {
			/* a full disk, most likely (gnuplot said why) */
			err_set("gnuplot failed to draw lr_finder.png");
			fail();
		}
	}

	clock_gettime(CLOCK_MONOTONIC, &t1);
	wall = (double)(t1.tv_sec - t0.tv_sec) +
	    (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	snprintf(path, sizeof(path), "%s/suggestion.json", tmpdir);
	if (write_json(path, &c, &seen, method, lr, loss, all, why, wall) < 0)
		fail();
	free(all);
	if (gotsig)
		die_signal();
	if (runfs_publish(tmpdir, o.outdir, name, final, sizeof(final)) < 0)
		fail();
	tmpdir[0] = '\0';

	if (why) {
		err_set("no suggestion: %s (run: %s)", why, final);
		exit(EXIT_FAIL);
	}
	say("Suggested learning rate: %.2e (%s)", lr, method);
	if (!o.noplot)
		say("Plot: %s/lr_finder.png", final);
	say("Results: %s", final);
	rec_putnum(stdout, lr);
	putchar('\n');
	prog_exit(EXIT_OK);
}
