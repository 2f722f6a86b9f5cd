/* rundir.c - what lrf-find writes into a run directory (see rundir.h). */
#include <sys/stat.h>

#include <cblas.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "data.h"
#include "err.h"
#include "names.h"
#include "num.h"
#include "opt.h"
#include "rec.h"
#include "rundir.h"
#include "runfs.h"
#include "sha256.h"
#include "suggest.h"

int
rundir_fallback(struct cfg *c)
{
	if (access(c->data.images, R_OK) == 0 &&
	    access(c->data.labels, R_OK) == 0)
		return 0;
	c->data.format = DATA_SYNTHETIC;
	c->data.kind = SYN_BLOBS;
	c->data.samples = 4000;
	c->data.features = 32;
	c->data.classes = 4;
	c->data.scale = 0;
	return 1;
}

void
rundir_name(char *buf, size_t size, time_t t, const char *name)
{
	struct tm tm;
	char ts[32];

	strftime(ts, sizeof(ts), "%Y%m%d-%H%M%S", localtime_r(&t, &tm));
	snprintf(buf, size, "lr_finder_%s%s%s", ts, name ? "_" : "",
	    name ? name : "");
}

void
rundir_loadname(const char *path, char *buf, size_t size)
{
	static const char *taken[] = { "config.yaml", "command.sh",
		"records.tsv", "smooth.tsv", "lr_finder.gp", "lr_finder.png",
		"suggestion.json", "lr_finder.txt", "lr_finder_txt.gp", NULL };
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

int
rundir_copy(const char *from, const char *to, long long max,
    const volatile sig_atomic_t *stop)
{
	char buf[1 << 16];
	FILE *in, *out;
	long long done;
	size_t n, want;
	int bad;

	if ((in = fopen(from, "rb")) == NULL)
		return err_set("%s: %s", from, strerror(errno));
	if ((out = fopen(to, "wb")) == NULL) {
		fclose(in);
		return err_set("%s: %s", to, strerror(errno));
	}
	bad = 0;
	done = 0;
	for (;;) {
		if (stop != NULL && *stop) {
			bad = 3;
			break;
		}
		want = max >= 0 && max - done < (long long)sizeof(buf) ?
		    (size_t)(max - done) + 1 : sizeof(buf);
		if ((n = fread(buf, 1, want, in)) == 0)
			break;
		done += (long long)n;
		if (max >= 0 && done > max) {
			bad = 4;
			break;
		}
		if (fwrite(buf, 1, n, out) != n)
			break;
	}
	if (!bad)
		bad = ferror(in) ? 1 : ferror(out) ? 2 : 0;
	fclose(in);
	if (fclose(out) != 0 && bad == 0)
		bad = 2;
	if (bad == 0 && max >= 0 && done != max)
		bad = 4;
	if (bad == 3)
		return err_set("%s: copy interrupted", to);
	if (bad == 4)
		return err_set("%s: not %lld bytes as it was when checked",
		    from, max);
	if (bad)
		return err_set("%s: %s error", bad == 1 ? from : to,
		    bad == 1 ? "read" : "write");
	return 0;
}

/* s single-quoted for the shell: nothing in it is expanded. */
static void
shquote(FILE *fp, const char *s)
{
	fputc('\'', fp);
	for (; *s != '\0'; s++)
		if (*s == '\'')
			fputs("'\\''", fp);
		else
			fputc(*s, fp);
	fputc('\'', fp);
}

/* One stage of command.sh's pipeline: its status, when it fails, goes
 * into the file $failed (sh has no pipefail). */
static void
stagebegin(FILE *fp)
{
	fputs("{ ", fp);
}

static void
stageend(FILE *fp, const char *name)
{
	fprintf(fp, " || echo %s >>\"$failed\"; }", name);
}

/* The trainer: lrf-train, or the user's command in its directory. */
static void
trainline(FILE *fp, const struct rundir_run *run)
{
	const char *load;

	load = run->load;
	if (run->trainer != NULL) {
		fputs("(cd -- ", fp);
		shquote(fp, run->cwd);
		fputs(" && LRF_CONFIG=$here/config.yaml && ", fp);
		if (run->repeat > 1)
			fprintf(fp, "LRF_SEED=$((%lu + i - 1))", run->seed);
		else
			fprintf(fp, "LRF_SEED=%lu", run->seed);
		if (run->pydir != NULL) {
			fputs(" && PYTHONPATH=", fp);
			shquote(fp, run->pydir);
			fputs("${PYTHONPATH:+:$PYTHONPATH}", fp);
		}
		fprintf(fp, " && export LRF_CONFIG LRF_SEED%s && eval ",
		    run->pydir != NULL ? " PYTHONPATH" : "");
		shquote(fp, run->trainer);
		fputc(')', fp);
		return;
	}
	/* with --load, in the run directory: the "#@ run" line says
	 * load=<name> as in records.tsv */
	fprintf(fp, "%slrf-train -c %s --no-progress%s",
	    load != NULL ? "(cd -- \"$here\" && exec " : "",
	    load != NULL ? "config.yaml" : "\"$here/config.yaml\"",
	    run->val ? " --val" : "");
	if (run->repeat > 1)
		fprintf(fp, " --seed $((%lu + i - 1))", run->seed);
	if (load != NULL) {
		fputs(" --load ", fp);
		shquote(fp, load);
		fputs(run->partial ? " --load-partial)" : ")", fp);
	}
}

/* The data's fingerprint, checked before the run: the size always,
 * the SHA-256 where there is a sha256sum. */
static void
datacheck(FILE *fp, const struct rundir_run *run)
{
	int i;

	if (run->ndata == 0)
		return;
	fputs("# the data of this run: each file's size and SHA-256\n"
	    "data() {\n"
	    "\t[ \"$(($(wc -c < \"$1\")))\" = \"$2\" ] && "
	    "{ ! command -v sha256sum >/dev/null ||\n"
	    "\t    [ \"$(sha256sum < \"$1\")\" = \"$3  -\" ]; } || {\n"
	    "\techo \"command.sh: $1: not the data of this run ($2 bytes, "
	    "SHA-256 $3)\" >&2\n"
	    "\texit 1; }\n"
	    "}\n", fp);
	for (i = 0; i < run->ndata; i++) {
		fputs("data ", fp);
		shquote(fp, run->data[i].path);
		fprintf(fp, " %lld %s\n", run->data[i].size,
		    run->data[i].sha256);
	}
}

int
rundir_fpopen(struct rundir_run *run, const struct cfg *c)
{
	const char *files[RUNDIR_MAXDATA];
	int i, n, fd;

	n = 0;
	if (c->data.format == DATA_IDX) {
		files[n++] = c->data.images;
		files[n++] = c->data.labels;
	} else if (c->data.format == DATA_CSV)
		files[n++] = c->data.path;
	run->ndata = 0;
	run->fperr = 0;
	atomic_store(&run->fpstop, 0);
	for (i = 0; i < n; i++) {
		if (files[i][0] == '\0')
			continue;
		if ((fd = open(files[i], O_RDONLY | O_CLOEXEC)) < 0) {
			err_set("%s: %s", files[i], strerror(errno));
			while (run->ndata > 0)
				close(run->data[--run->ndata].fd);
			return -1;
		}
		run->data[run->ndata].path = files[i];
		run->data[run->ndata].fd = fd;
		run->ndata++;
	}
	return 0;
}

void *
rundir_fphash(void *arg)
{
	struct rundir_run *run = arg;
	struct rundir_data *d;
	int i, e;

	for (i = 0; i < run->ndata; i++) {
		d = &run->data[i];
		e = d->fd < 0 ? EBADF :
		    sha256_fd(d->fd, d->sha256, &d->size, &run->fpstop);
		if (d->fd >= 0)
			close(d->fd);
		d->fd = -1;
		if (e != 0 && run->fperr == 0) {
			run->fperr = e;
			run->fpbad = i;
		}
	}
	return NULL;
}

int
rundir_fpend(const struct rundir_run *run)
{
	if (run->fperr == 0)
		return 0;
	return sha256_say(run->data[run->fpbad].path, run->fperr);
}

int
rundir_fingerprint(struct rundir_run *run, const struct cfg *c)
{
	if (rundir_fpopen(run, c) < 0)
		return -1;
	rundir_fphash(run);
	return rundir_fpend(run);
}

int
rundir_command(const char *path, const struct rundir_run *run)
{
	mode_t m;
	FILE *fp;

	if ((fp = fopen(path, "w")) == NULL)
		return err_set("%s: %s", path, strerror(errno));
	/*
	 * POSIX sh (dash, busybox, bash).  Its own directory from $0
	 * without dirname (a path that starts with '-' is no option) and
	 * kept whole (a name that ends in a newline); every path quoted.
	 * The programs: from the directory lrf-find ran from, else PATH.
	 */
	fprintf(fp,
	    "#!/bin/sh\n"
	    "# Reproduces this run: writes records.tsv%s into DIR (default:\n"
	    "# this directory) from config.yaml.  Made by lrf-find %s.\n"
	    "# Runs under any POSIX sh: sh command.sh [DIR]\n"
	    "set -e\n"
	    "case $0 in */*) here=${0%%/*} ;; *) here=. ;; esac\n"
	    "here=$(CDPATH= cd -- \"${here:-/}\" && pwd && echo x)\n"
	    "here=${here%%?x}\n"
	    "out=${1:-$here}\n"
	    "PATH=", run->plot ? " and the plot" : "", LRF_VERSION);
	shquote(fp, run->bindir);
	fputs(":$PATH\n", fp);
	datacheck(fp, run);
	fputs("failed=$out/.failed.$$\n"
	    "rm -f -- \"$failed\"\n", fp);
	if (run->repeat > 1)
		fprintf(fp, "i=1\n"
		    "while [ \"$i\" -le %ld ]; do\n", run->repeat);
	stagebegin(fp);
	fputs("lrf-schedule -c \"$here/config.yaml\"", fp);
	stageend(fp, "lrf-schedule");
	fputs(" |\n    ", fp);
	stagebegin(fp);
	trainline(fp, run);
	stageend(fp, run->trainer != NULL ? "trainer" : "lrf-train");
	fputs(" |\n    ", fp);
	stagebegin(fp);
	fputs("lrf-smooth -c \"$here/config.yaml\"", fp);
	stageend(fp, "lrf-smooth");
	if (run->repeat > 1)
		fprintf(fp, " > \"$out/smooth-$i.tsv\"\n"
		    "i=$((i + 1))\n"
		    "done\n"
		    "i=1\n"
		    "set --\n"
		    "while [ \"$i\" -le %ld ]; do\n"
		    "set -- \"$@\" \"$out/smooth-$i.tsv\"\n"
		    "i=$((i + 1))\n"
		    "done\n"
		    "{ lrf-suggest -c \"$here/config.yaml\" -a \"$@\"", run->repeat);
	else
		fputs(" |\n    { lrf-suggest -c \"$here/config.yaml\" -a", fp);
	fputs(" || echo lrf-suggest >>\"$failed\"; } > \"$out/records.tsv\"\n"
	    "if [ -e \"$failed\" ]; then\n"
	    "\techo \"command.sh: failed:\" $(cat -- \"$failed\") >&2\n"
	    "\trm -f -- \"$failed\"\n"
	    "\texit 1\n"
	    "fi\n", fp);
	if (run->plot)
		fprintf(fp,
		    "cd -- \"$out\"\n"
		    "lrf-plot -o lr_finder.png records.tsv > lr_finder.gp\n"
		    "if command -v gnuplot >/dev/null; "
		    "then gnuplot lr_finder.gp; fi\n");
	if (run->plot && run->dumb)
		fprintf(fp,
		    "if command -v gnuplot >/dev/null; then lrf-plot -T dumb "
		    "records.tsv | gnuplot > lr_finder.txt; fi\n");
	if (fclose(fp) != 0)
		return err_set("%s: write error", path);
	/* executable, as far as the umask lets a new file be */
	m = umask(0);
	umask(m);
	chmod(path, 0777 & ~m);
	return 0;
}

/* Member key of o: v, or (v NULL: out of memory) a failure. */
static int
jset(json_t *o, const char *key, json_t *v)
{
	return v != NULL && json_object_set_new(o, key, v) == 0 ? 0 : -1;
}

/* "#@ word k=v k=v" as a JSON object; numbers stay numbers. */
static json_t *
json_meta(const char *line)
{
	char key[64], val[64];
	const char *p;
	json_t *o;
	size_t k, v;
	double d;
	int bad;

	if ((o = json_object()) == NULL)
		return NULL;
	p = line + 2;
	p += strspn(p, " \t");
	p += strcspn(p, " \t");		/* the word */
	bad = 0;
	while (*(p += strspn(p, " \t")) != '\0') {
		k = strcspn(p, "= \t");
		v = strcspn(p, " \t");
		if (k < sizeof(key) && p[k] == '=' && v - k - 1 < sizeof(val)) {
			snprintf(key, sizeof(key), "%.*s", (int)k, p);
			snprintf(val, sizeof(val), "%.*s", (int)(v - k - 1),
			    p + k + 1);
			/* lrf-smooth's keys are words; another is left out */
			if (strspn(key, "abcdefghijklmnopqrstuvwxyz"
			    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") == k)
				bad |= jset(o, key, num_double(val, &d) ==
				    NUM_OK ? runfs_jnum(d) : runfs_jstr(val));
		}
		p += v;
	}
	if (bad) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* The input files' fingerprint (rundir_fingerprint): [{path, size,
 * sha256}], as command.sh checks it. */
static json_t *
json_files(const struct rundir_run *run)
{
	json_t *a, *o;
	int i, bad;

	if ((a = json_array()) == NULL)
		return NULL;
	for (i = 0; i < run->ndata; i++) {
		if ((o = json_object()) == NULL) {
			json_decref(a);
			return NULL;
		}
		bad = jset(o, "path", runfs_jstr(run->data[i].path));
		bad |= jset(o, "size", json_integer(run->data[i].size));
		bad |= jset(o, "sha256", json_string(run->data[i].sha256));
		if (bad || json_array_append_new(a, o) < 0) {
			if (bad)
				json_decref(o);
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

/* The settings of the run, from c and run: what reproduces it. */
static json_t *
json_settings(const struct cfg *c, const struct rundir_run *run)
{
	json_t *o;
	int bad;

	if ((o = json_object()) == NULL)
		return NULL;
	bad = jset(o, "config", json_string("config.yaml"));
	bad |= jset(o, "start_lr", runfs_jnum(c->finder.start_lr));
	bad |= jset(o, "end_lr", runfs_jnum(c->finder.end_lr));
	bad |= jset(o, "num_iter", json_integer(c->finder.num_iter));
	bad |= jset(o, "mode", runfs_jstr(c->finder.mode));
	bad |= jset(o, "beta", runfs_jnum(c->finder.beta));
	bad |= jset(o, "diverge_threshold",
	    runfs_jnum(c->finder.diverge_threshold));
	bad |= jset(o, "suggest", runfs_jstr(c->finder.suggest));
	bad |= jset(o, "repeat", json_integer(c->finder.repeat));
	bad |= jset(o, "batch_size", json_integer(c->train.batch_size));
	bad |= jset(o, "accum", json_integer(c->train.accum));
	bad |= jset(o, "seed", json_integer((json_int_t)c->train.seed));
	bad |= jset(o, "threads", json_integer(c->train.threads));
	bad |= jset(o, "fold", json_integer(c->data.fold));
	bad |= jset(o, "optimizer",
	    json_string(names_get(opt_names, c->optimizer.name)));
	bad |= jset(o, "data",
	    json_string(names_get(data_format_names, c->data.format)));
	bad |= jset(o, "val", json_boolean(run->val));
	bad |= jset(o, "load", run->load != NULL ? runfs_jstr(run->load) :
	    json_null());
	bad |= jset(o, "load_partial", json_boolean(run->partial));
	bad |= jset(o, "processes", json_integer(c->train.processes));
	bad |= jset(o, "launcher", c->train.launcher[0] != '\0' ?
	    runfs_jstr(c->train.launcher) : json_null());
	bad |= jset(o, "trainer", run->trainer != NULL ?
	    runfs_jstr(run->trainer) : json_null());
	bad |= jset(o, "data_files", json_files(run));
	if (bad) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* The versions of lrf and of the libraries that made the run. */
static json_t *
json_versions(void)
{
	json_t *o;
	int bad;

	if ((o = json_object()) == NULL)
		return NULL;
	bad = jset(o, "lrf", json_string(LRF_VERSION));
	bad |= jset(o, "jansson", json_string(JANSSON_VERSION));
	bad |= jset(o, "openblas", runfs_jstr(openblas_get_config()));
	if (bad) {
		json_decref(o);
		return NULL;
	}
	return o;
}

int
rundir_json(const char *dir, const struct cfg *c,
    const struct stage_seen *s, const struct rundir_run *run,
    const struct rundir_result *res)
{
	char path[PATH_MAX];
	const char *why, *key;
	json_t *root, *all, *v;
	FILE *fp;
	int b, bad;

	snprintf(path, sizeof(path), "%s/suggestion.json", dir);
	why = res->why;
	/* lrf-suggest --json's object, when there was a suggestion */
	all = NULL;
	if (!why && res->methods != NULL &&
	    (all = json_loads(res->methods, 0, NULL)) != NULL &&
	    !json_is_object(all)) {
		json_decref(all);
		all = NULL;
	}
	if ((root = json_object()) == NULL) {
		json_decref(all);
		return err_set("%s: out of memory", path);
	}
	/* the answer, as records.tsv's #@ suggest line says (lrf-suggest
	 * -a wrote it, from the same judgement as its --json) */
	bad = jset(root, "lr", runfs_jnum(why ? NAN : res->lr));
	bad |= jset(root, "method", runfs_jstr(res->method));
	bad |= jset(root, "loss", runfs_jnum(why ? NAN : res->loss));
	v = all != NULL ? json_object_get(all, "index") : NULL;
	bad |= jset(root, "index", v != NULL ? json_incref(v) : json_null());
	bad |= jset(root, "confidence", why || res->doubts < 0 ?
	    json_null() : json_string(res->doubts ? "low" : "high"));
	if ((v = json_array()) != NULL)
		for (b = 1; !why && res->doubts > 0 && b <= SUGGEST_NOT_ALL;
		    b <<= 1)
			if (res->doubts & b)
				bad |= json_array_append_new(v,
				    json_string(suggest_doubt_name(b)));
	bad |= jset(root, "reasons", v);
	bad |= jset(root, "status", json_string(why ? "failed" : "ok"));
	bad |= jset(root, "diagnosis", why ? runfs_jstr(why) : json_null());
	v = all != NULL ? json_object_get(all, "methods") : NULL;
	bad |= jset(root, "methods", v != NULL ? json_incref(v) :
	    json_null());
	bad |= jset(root, "stop", s->stopped ? json_meta(s->stopline) :
	    json_null());
	bad |= jset(root, "steps", json_integer(s->records));
	bad |= jset(root, "repeat", json_integer(res->runs > 1 ? res->runs :
	    1));
	if (res->runs > 1) {
		v = all != NULL ? json_object_get(all, "runs") : NULL;
		bad |= jset(root, "runs", v ? json_incref(v) : json_null());
		v = all != NULL ? json_object_get(all, "spread") : NULL;
		bad |= jset(root, "spread", v ? json_incref(v) : json_null());
	}
	bad |= jset(root, "settings", json_settings(c, run));
	bad |= jset(root, "versions", json_versions());
	bad |= jset(root, "wall_time_s", json_real(res->wall));
	/* and the rest of lrf-suggest's: the curve's shape, its cut */
	json_object_foreach(all, key, v)
		if (json_object_get(root, key) == NULL &&
		    strcmp(key, "error") != 0)
			bad |= jset(root, key, json_incref(v));
	json_decref(all);
	if (bad) {
		json_decref(root);
		return err_set("%s: out of memory", path);
	}
	if ((fp = fopen(path, "w")) == NULL) {
		json_decref(root);
		return err_set("%s: %s", path, strerror(errno));
	}
	bad = runfs_jdump(fp, root);
	json_decref(root);
	if (fclose(fp) != 0 || bad)
		return err_set("%s: write error", path);
	return 0;
}

int
rundir_suggestion(const char *path, char *method, size_t n, double *lr,
    double *loss, int *doubts)
{
	struct rec_reader r;
	char conf[16], why[128], m[32];
	FILE *fp;
	int k, found, all;

	/* all: the default's line (lrf-suggest -a writes it first) */
	all = strcmp(method, suggest_names[SUGGEST_ALL]) == 0;
	if ((fp = fopen(path, "r")) == NULL)
		return err_set("%s: %s", path, strerror(errno));
	rec_open(&r, fp, path);
	found = 0;
	while ((k = rec_next(&r)) > 0)
		if (k == REC_COMMENT && rec_meta_is(r.raw, "suggest") &&
		    (!all || (rec_meta_get(r.raw, "method", m, sizeof(m)) ==
		    0 && strcmp(m, suggest_names[SUGGEST_DEFAULT]) == 0)) &&
		    rec_meta_num(r.raw, "lr", lr) == 0) {
			rec_meta_num(r.raw, "loss", loss);
			rec_meta_get(r.raw, "method", method, n);
			found = 1;
			if (doubts == NULL)
				continue;
			*doubts = -1;
			if (rec_meta_get(r.raw, "confidence", conf,
			    sizeof(conf)) < 0)
				continue;
			if (rec_meta_get(r.raw, "reasons", why,
			    sizeof(why)) < 0)
				why[0] = '\0';
			*doubts = suggest_doubt_lookup(why);
			if (strcmp(conf, "high") == 0 && *doubts != 0)
				*doubts = -1;
		}
	rec_close(&r);
	fclose(fp);
	if (k < 0)
		return -1;
	return found ? 0 : err_set("%s: no suggestion in the records", path);
}

int
rundir_answered(const char *path, long records)
{
	struct rec_reader r;
	FILE *fp;
	long n;
	int k, last;

	if ((fp = fopen(path, "r")) == NULL)
		return err_set("%s: %s", path, strerror(errno));
	rec_open(&r, fp, path);
	n = 0;
	last = 0;
	while ((k = rec_next(&r)) > 0) {
		n += k == REC_DATA;
		last = k == REC_COMMENT && rec_meta_is(r.raw, "nosuggest");
	}
	rec_close(&r);
	/* a last line cut short by a full disk has no newline */
	if (fseek(fp, -1, SEEK_END) != 0 || fgetc(fp) != '\n')
		last = 0;
	fclose(fp);
	if (k < 0)
		return -1;
	return last && (records < 0 || n == records);
}

int
rundir_flat(const struct stage_seen *s)
{
	return s->records > 0 && isfinite(s->first_smooth) &&
	    s->first_smooth - s->min_smooth <= RUNDIR_FLAT * fabs(s->first_smooth);
}

const char *
rundir_diagnose(const struct stage_seen *s)
{
	long skip;

	skip = (s->planned > 0 ? s->planned : s->records) / 10;
	if (s->stopped && s->records <= skip + 6)
		return "the loss exploded at once: lower start_lr, or check "
		    "that the inputs are normalised (data.scale, "
		    "data.standardize)";
	if (!s->stopped && s->records < RUNDIR_SHORT && !rundir_flat(s))
		return "the run is too short for a suggestion: raise num_iter";
	return "the loss never decreased (a flat curve): check the data and "
	    "labels, and that the model can learn; widen the range with a "
	    "larger end_lr";
}

/* path of the file name in dir */
static const char *
in(const char *dir, const char *name, char *buf, size_t size)
{
	snprintf(buf, size, "%s/%s", dir, name);
	return buf;
}

int
rundir_start(const char *dir, const struct cfg *c,
    const struct rundir_run *run, const char *loadpath)
{
	char path[PATH_MAX];
	FILE *fp;

	if ((fp = fopen(in(dir, "config.yaml", path, sizeof(path)), "w")) ==
	    NULL || cfg_write(fp, c) < 0 || fclose(fp) != 0)
		return err_set("%s: cannot write", path);
	if (run->load != NULL && rundir_copy(loadpath, in(dir, run->load,
	    path, sizeof(path)), run->loadsize, run->stop) < 0)
		return -1;
	return 0;
}

void
rundir_train(const struct rundir_run *run, char *argv[])
{
	int i;

	i = 0;
	if (run->trainer != NULL) {
		argv[i++] = "/bin/sh";
		argv[i++] = "-c";
		argv[i++] = "cd -- \"$1\" && eval \"$2\"";
		argv[i++] = "sh";
		argv[i++] = (char *)run->cwd;
		argv[i++] = (char *)run->trainer;
		argv[i] = NULL;
		return;
	}
	argv[i++] = "lrf-train";
	argv[i++] = "-c";
	argv[i++] = "config.yaml";
	argv[i++] = "--no-progress";
	if (run->val)
		argv[i++] = "--val";
	if (run->load != NULL) {
		argv[i++] = "--load";
		argv[i++] = (char *)run->load;
		if (run->partial)
			argv[i++] = "--load-partial";
	}
	argv[i] = NULL;
}

int
rundir_suggest(struct stage *st, const struct stage_seen *seen,
    struct rundir_result *res, size_t n)
{
	char *argv[8 + RUNDIR_MAXRUNS];	/* lrf-suggest -c config.yaml -a|
					   --json -m all, the files */
	char files[RUNDIR_MAXRUNS][24], final[PATH_MAX], path[PATH_MAX];
	char *all;
	long runs, i;
	int r, a;

	runs = res->runs > 1 ? res->runs : 1;
	if (runs > RUNDIR_MAXRUNS)
		return err_set("%ld runs, more than %d", runs, RUNDIR_MAXRUNS);
	for (i = 0; i < runs; i++)
		snprintf(files[i], sizeof(files[i]), runs > 1 ?
		    "smooth-%ld.tsv" : "smooth.tsv", i + 1);
	a = 0;
	argv[a++] = "lrf-suggest";
	argv[a++] = "-c";
	argv[a++] = "config.yaml";
	argv[a++] = "-a";
	for (i = 0; i < runs; i++)
		argv[a++] = files[i];
	argv[a] = NULL;
	in(st->dir, "records.tsv", final, sizeof(final));
	in(st->dir, "smooth.tsv", path, sizeof(path));
	if ((r = stage_run(st, argv, NULL, "records.tsv")) ==
	    STAGE_INTERRUPTED)
		return r;
	if (r != 0 && (r != 1 || rundir_answered(final, runs > 1 ? -1 :
	    seen->records) != 1))
		return stage_failed("lrf-suggest", r);
	if (r == 0 && !seen->stopped && seen->records < RUNDIR_SHORT &&
	    !rundir_flat(seen)) {
		/* floor suggests from any few points; a run this short
		 * says nothing about where the loss would diverge */
		err_set("%ld records, fewer than %d", seen->records,
		    RUNDIR_SHORT);
		r = 1;
	}
	if (r == 0 && rundir_flat(seen)) {
		err_set("the smoothed loss fell by less than %g%% (from %.6g "
		    "to %.6g)", RUNDIR_FLAT * 100, seen->first_smooth,
		    seen->min_smooth);
		r = 1;
	}
	if (r != 0) {
		res->why = rundir_diagnose(seen);
		/* one run: its stream; several: their mean, and the
		 * runs beside it */
		if (runs == 1)
			rename(path, final);
		return 0;
	}
	if (runs == 1)
		unlink(path);
	if (rundir_suggestion(final, res->method, n, &res->lr,
	    &res->loss, &res->doubts) < 0)
		return -1;
	/* every method's (--json judges them all, finder.suggest's
	 * first), and with several runs each one's and the spread */
	a = 3;
	argv[a++] = "--json";
	if (runs == 1)
		argv[a++] = "records.tsv";
	else
		for (i = 0; i < runs; i++)
			argv[a++] = files[i];
	argv[a] = NULL;
	all = NULL;
	in(st->dir, "methods.json", path, sizeof(path));
	if ((r = stage_run(st, argv, NULL, "methods.json")) ==
	    STAGE_INTERRUPTED)
		return r;
	if (r != 0) {
		unlink(path);
		return stage_failed("lrf-suggest", r);
	}
	all = runfs_slurp(path, 1 << 20);
	unlink(path);
	if (all == NULL)
		return -1;
	for (i = (long)strlen(all); i > 0 && strchr(" \t\n", all[i - 1]);
	    i--)
		all[i - 1] = '\0';
	res->methods = all;
	return 0;
}

/* 1 if prog is an executable file in a directory of PATH (what
 * "command -v" finds, without starting a shell to ask). */
static int
onpath(const char *prog)
{
	char path[PATH_MAX];
	const char *p, *e;
	size_t n;

	if ((p = getenv("PATH")) == NULL)
		p = "/usr/bin:/bin";
	for (;; p = e + 1) {
		if ((e = strchr(p, ':')) == NULL)
			e = p + strlen(p);
		n = (size_t)(e - p);
		if (snprintf(path, sizeof(path), "%.*s%s%s", (int)n, p,
		    n > 0 ? "/" : "", prog) < (int)sizeof(path) &&
		    access(path, X_OK) == 0)
			return 1;
		if (*e == '\0')
			return 0;
	}
}

/* 1 if the file ends with PNG's IEND chunk: gnuplot finished it. */
static int
pngdone(const char *path)
{
	static const unsigned char iend[8] = { 0x49, 0x45, 0x4e, 0x44, 0xae,
		0x42, 0x60, 0x82 };
	unsigned char b[8];
	FILE *fp;
	int ok;

	if ((fp = fopen(path, "rb")) == NULL)
		return 0;
	ok = fseek(fp, -8, SEEK_END) == 0 && fread(b, 1, 8, fp) == 8 &&
	    memcmp(b, iend, 8) == 0;
	fclose(fp);
	return ok;
}

int
rundir_textplot(struct stage *st)
{
	char *plot[] = { "lrf-plot", "-T", "dumb", "records.tsv", NULL };
	char *gp[] = { "gnuplot", "lr_finder_txt.gp", NULL };
	char path[PATH_MAX];
	int r;

	in(st->dir, "lr_finder_txt.gp", path, sizeof(path));
	if ((r = stage_run(st, plot, NULL, "lr_finder_txt.gp")) != 0) {
		unlink(path);
		return r == STAGE_INTERRUPTED ? r : -1;
	}
	/* NOLINTNEXTLINE(cert-env33-c): a fixed command */
	if (system("command -v gnuplot >/dev/null 2>&1") != 0) {
		unlink(path);
		err_set("warning: gnuplot not found; lr_finder.txt not drawn");
		return 0;
	}
	r = stage_run(st, gp, NULL, "lr_finder.txt");
	unlink(path);
	if (r != 0) {
		in(st->dir, "lr_finder.txt", path, sizeof(path));
		unlink(path);
		return r == STAGE_INTERRUPTED ? r :
		    err_set("gnuplot failed to draw lr_finder.txt");
	}
	return 0;
}

int
rundir_plot(struct stage *st)
{
	char *plot[] = { "lrf-plot", "-o", "lr_finder.png", "records.tsv",
		NULL };
	char *draw[] = { "lrf-plot", "-T", "png", "records.tsv", NULL };
	char *gp[] = { "gnuplot", ".draw.gp", NULL };
	char path[PATH_MAX];
	int r;

	/* lr_finder.gp, the script a user runs again, renders into
	 * lr_finder.png atomically and durably (lrf-plot -o: mktemp, a
	 * check, sync, rename: eight processes and an fsync).  Here the
	 * directory is private until it is published, synced whole, so
	 * the same drawing goes to gnuplot's stdout instead. */
	if ((r = stage_run(st, plot, NULL, "lr_finder.gp")) != 0)
		return r == STAGE_INTERRUPTED ? r : -1;
	if (!onpath("gnuplot")) {
		err_set("warning: gnuplot not found; lr_finder.png not drawn");
		return 0;
	}
	if ((r = stage_run(st, draw, NULL, ".draw.gp")) == 0)
		r = stage_run(st, gp, NULL, "lr_finder.png");
	snprintf(path, sizeof(path), "%s/.draw.gp", st->dir);
	unlink(path);
	if (r == STAGE_INTERRUPTED)
		return r;
	snprintf(path, sizeof(path), "%s/lr_finder.png", st->dir);
	if (r != 0 || !pngdone(path))
		/* a full disk, most likely (gnuplot said why, or the file
		 * is cut short) */
		return err_set("gnuplot failed to draw lr_finder.png");
	return 0;
}
