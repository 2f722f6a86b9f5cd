/*
 * lrf-suggest - read a range-test curve, or several runs of one, and
 * suggest a learning rate.  See lrf-suggest(1).
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfg.h"
#include "err.h"
#include "names.h"
#include "num.h"
#include "rec.h"
#include "runfs.h"
#include "smooth.h"
#include "suggest.h"
#include "prog.h"

#define MAXRUNS	1024		/* files on the command line */

static void
usage(FILE *fp)
{
	char methods[128];

	names_join(methods, sizeof(methods), suggest_names, -1, ", ",
	    " or ");
	fprintf(fp,
	    "usage: lrf-suggest [-ahq] [--json] [-b beta] [-c file] "
	    "[-m method] [-w decades]\n"
	    "                   [--skip-start n] [--skip-end n] "
	    "[--floor-shift d]\n"
	    "                   [--floor-gain g] [--lr-col col] "
	    "[--loss-col col] [file ...]\n"
	    "  -a, --annotate       pass the input through, append "
	    "#@ suggest lines\n"
	    "  -b, --beta beta      EMA factor of fastai's methods' curve, "
	    "0 for none [%g]\n"
	    "  -c, --config file    take finder.suggest and finder.beta "
	    "from file\n"
	    "  -m, --method method  %s\n"
	    "                       [%s]\n"
	    "  -q, --quiet          print only the learning rate\n"
	    "  -w, --window decades floor's smoother, half-width, 0 for "
	    "none [%g]\n"
	    "      --json           print one JSON object\n"
	    "      --skip-start n   points left out at the start "
	    "[floor 0; others num/10,\n"
	    "                       at least the EMA's warm-up]\n"
	    "      --skip-end n     points left out at the end "
	    "[floor 0; others 5, or the\n"
	    "                       tail of a curve that never diverged]\n"
	    "      --floor-shift d  floor: decades above lr90 for a clean "
	    "curve [%g]\n"
	    "      --floor-gain g   floor: decades down per unit of noise "
	    "ratio [%g]\n"
	    "      --lr-col col     learning-rate column, name or number "
	    "[lr]\n"
	    "      --loss-col col   loss column, name or number [loss]\n"
	    "      --set sec.key=v  set a key of the file, lrf-config(5) "
	    "(repeatable)\n"
	    "  -h, --help           print this help and exit\n"
	    "      --version        print the version and exit\n",
	    SMOOTH_BETA, methods, suggest_names[SUGGEST_DEFAULT],
	    SMOOTH_WINDOW, SUGGEST_SHIFT, SUGGEST_GAIN);
}

/* One run as read, and what its stream said about itself. */
struct curve {
	const char *name;	/* for messages */
	double	*lr;		/* (n) learning rates */
	double	*y;		/* (n) the loss column, all finite */
	double	*sm;		/* (n) the smooth column, or NULL */
	long	 n, cap;
	long	 nrec;		/* data records read */
	long	 cutline;	/* line of the first non-finite value, or 0 */
	char	 cutval[32];	/* that value as written */
	long	 num;		/* num= of the first #@ schedule line, or 0 */
	char	*sched;		/* that line, or NULL */
	char	*stop;		/* the first #@ stop line, or NULL */
	char	*col;		/* name of the loss column */
	double	*sd, *lo, *hi;	/* (n) a mean's band, or NULL */
	int	 runs;		/* runs averaged: 1 for one read */
	struct suggest_shape sh;	/* of the whole curve */
};

static void __attribute__((noreturn))
oom(const char *name)
{
	err_set("%s: out of memory", name);
	exit(EXIT_FAIL);
}

static void *
xalloc(size_t n, const char *name)
{
	void *p;

	if ((p = calloc(n > 0 ? n : 1, sizeof(double))) == NULL)
		oom(name);
	return p;
}

static char *
xstrdup(const char *s, const char *name)
{
	char *p;

	if ((p = strdup(s)) == NULL)
		oom(name);
	return p;
}

static void
grow(struct curve *cv, int hassm)
{
	double *p;
	long cap;

	cap = cv->cap ? cv->cap * 2 : 1024;
	if ((p = realloc(cv->lr, (size_t)cap * sizeof(*p))) == NULL)
		oom(cv->name);
	cv->lr = p;
	if ((p = realloc(cv->y, (size_t)cap * sizeof(*p))) == NULL)
		oom(cv->name);
	cv->y = p;
	if (hassm) {
		if ((p = realloc(cv->sm, (size_t)cap * sizeof(*p))) == NULL)
			oom(cv->name);
		cv->sm = p;
	}
	cv->cap = cap;
}

/* Take note of #@ schedule and #@ stop lines. */
static void
meta(struct curve *cv, const char *line)
{
	double v;

	if (cv->sched == NULL && rec_meta_is(line, "schedule")) {
		cv->sched = xstrdup(line, cv->name);
		if (rec_meta_num(line, "num", &v) == 0 && v >= 1 && v <= 1e15 &&
		    v == floor(v))
			cv->num = (long)v;
	}
	if (cv->stop == NULL && rec_meta_is(line, "stop"))
		cv->stop = xstrdup(line, cv->name);
}

/*
 * Read a whole stream into cv; with echo, copy every line to stdout as
 * it comes.  The loss column is --loss-col, else loss, else smooth; the
 * smooth column, when --loss-col is not given and the stream has one
 * besides the loss, is kept as well.
 */
static void
readcurve(struct curve *cv, struct rec_reader *r, const char *lrspec,
    const char *yspec, int echo)
{
	double lr, y, s;
	int c, lrc, yc, smc, bad;

	lrc = yc = smc = -1;
	while ((c = rec_next(r)) != REC_EOF) {
		if (c < 0)
			exit(EXIT_FAIL);
		if (echo) {
			fputs(r->raw, stdout);
			putchar('\n');
			if (ferror(stdout))
				prog_flush();
		}
		if (c == REC_COMMENT) {
			meta(cv, r->raw);
			continue;
		}
		if (lrc < 0) {
			if ((lrc = rec_col(r, lrspec)) < 0)
				exit(EXIT_FAIL);
			if (yspec != NULL)
				yc = rec_col(r, yspec);
			else if ((yc = rec_hascol(r, "loss")) < 0 &&
			    (yc = rec_hascol(r, "smooth")) < 0)
				yc = rec_col(r, "loss");
			if (yc < 0)
				exit(EXIT_FAIL);
			if (yspec == NULL &&
			    (smc = rec_hascol(r, "smooth")) == yc)
				smc = -1;
			cv->col = xstrdup(r->names[yc], cv->name);
		}
		if (c == REC_HEADER)
			continue;
		s = 0;
		if (rec_lr(r, lrc, &lr) < 0 || rec_num(r, yc, &y) < 0 ||
		    (smc >= 0 && rec_num(r, smc, &s) < 0))
			exit(EXIT_FAIL);
		cv->nrec++;
		if (cv->cutline > 0)
			continue;
		if ((bad = !isfinite(y)) || !isfinite(s)) {
			cv->cutline = r->lineno;
			snprintf(cv->cutval, sizeof(cv->cutval), "%s",
			    r->f[bad ? yc : smc]);
			continue;
		}
		if (cv->n > 0 && lr < cv->lr[cv->n - 1]) {
			err_set("%s:%ld: lr %s is below the lr before it; "
			    "a range test's lr must not decrease", r->name,
			    r->lineno, r->f[lrc]);
			exit(EXIT_FAIL);
		}
		if (cv->n == cv->cap)
			grow(cv, smc >= 0);
		cv->lr[cv->n] = lr;
		cv->y[cv->n] = y;
		if (smc >= 0)
			cv->sm[cv->n] = s;
		cv->n++;
	}
	if (smc >= 0 && cv->sm == NULL)		/* a smooth column, no point */
		cv->sm = xalloc(1, cv->name);
}

/* The shape of cv's whole curve (w: floor's window); none for no points. */
static void
shape(struct curve *cv, double w)
{
	double *sm;

	if (cv->n < 1)
		return;
	sm = xalloc((size_t)cv->n, cv->name);
	if (smooth_centred(sm, cv->lr, cv->y, cv->n, w) < 0 ||
	    suggest_shape(&cv->sh, cv->lr, cv->y, sm, cv->n) < 0)
		exit(EXIT_FAIL);
	free(sm);
}

/*
 * The mean of k runs into mc: the loss with its band, and smooth when
 * every run has one (the mean of EMAs is the EMA of the mean).
 */
static void
mean(struct curve *mc, struct curve *cv, int k)
{
	const double **lr, **y;
	long *n, cap;
	int r, allsm;

	lr = xalloc((size_t)k, "runs");
	y = xalloc((size_t)k, "runs");
	n = xalloc((size_t)k, "runs");
	allsm = 1;
	mc->name = "mean";
	mc->runs = k;
	for (r = 0; r < k; r++) {
		lr[r] = cv[r].lr;
		n[r] = cv[r].n;
		allsm &= cv[r].sm != NULL;
		mc->nrec += cv[r].nrec;
		if (mc->stop == NULL && cv[r].stop != NULL)
			mc->stop = cv[r].stop;
		if (mc->cutline == 0 && cv[r].cutline > 0) {
			mc->cutline = cv[r].cutline;
			memcpy(mc->cutval, cv[r].cutval, sizeof(mc->cutval));
		}
	}
	mc->num = cv[0].num;
	mc->sched = cv[0].sched;
	mc->col = cv[0].col;
	cap = (size_t)cv[0].n;
	mc->lr = xalloc(cap, "runs");
	mc->y = xalloc(cap, "runs");
	mc->sd = xalloc(cap, "runs");
	mc->lo = xalloc(cap, "runs");
	mc->hi = xalloc(cap, "runs");
	if (allsm) {
		for (r = 0; r < k; r++)
			y[r] = cv[r].sm;
		mc->sm = xalloc(cap, "runs");
		if (suggest_mean(mc->lr, mc->sm, NULL, NULL, NULL, lr, y, n,
		    k) < 0)
			exit(EXIT_FAIL);
	}
	for (r = 0; r < k; r++)
		y[r] = cv[r].y;
	if ((mc->n = suggest_mean(mc->lr, mc->y, mc->sd, mc->lo, mc->hi, lr,
	    y, n, k)) < 0)
		exit(EXIT_FAIL);
	mc->cap = mc->n;
	free(lr);
	free(y);
	free(n);
}

/* What the output needs: every method's judgement of the curve. */
struct answer {
	int	 method;		/* asked for: SUGGEST_* or SUGGEST_ALL */
	int	 every;			/* judge every method (--json), the
					   one asked for first */
	int	 ns;			/* methods run */
	int	 nask;			/* of them, those asked for */
	int	 first;			/* the first that answered, or -1 */
	struct suggest_judged j[SUGGEST_NMETHODS];
	int	 doubts[SUGGEST_NMETHODS];	/* SUGGEST_NOT_* bits */
	int	 nrun[SUGGEST_NMETHODS];	/* runs that answered */
	struct suggest_spread sp[SUGGEST_NMETHODS];
	double	*runlr[SUGGEST_NMETHODS];	/* (k) each run's, or nan */
	char	 error[512];		/* why there is no answer at all */
};

/*
 * Judge the curve (the mean of k runs when k > 1) by the method(s) asked
 * for, the default one first with -m all; each run alone too, for the
 * spread.  Fills a, or sets a->error.
 */
static void
decide(struct curve *all, struct curve *cv, int k, struct suggest_opts *o,
    struct answer *a, const char *name)
{
	struct suggest_opts ro;
	struct suggest_judged rj;
	double ratio, *ok;	/* (k) the runs' rates that exist */
	int i, m, r, order[SUGGEST_NMETHODS];

	a->first = -1;
	if (all->nrec == 0) {
		snprintf(a->error, sizeof(a->error), "%s: no records", name);
		return;
	}
	/* the one asked for (the default with -m all) first, then the
	 * others in their order */
	order[0] = a->method != SUGGEST_ALL ? a->method : SUGGEST_DEFAULT;
	for (i = 0, m = 1; i < SUGGEST_NMETHODS; i++)
		if (i != order[0])
			order[m++] = i;
	a->nask = a->method == SUGGEST_ALL ? SUGGEST_NMETHODS : 1;
	a->ns = a->every ? SUGGEST_NMETHODS : a->nask;
	o->diverged = all->stop != NULL || all->cutline > 0;
	o->num = all->num;
	o->floor.ratio = NAN;
	if (k > 1) {
		/* floor's noise is a run's: the mean is quieter */
		ratio = 0;
		for (r = 0; r < k; r++)
			ratio += cv[r].sh.ratio;
		o->floor.ratio = ratio / k;
	}
	err_sethook(NULL);
	for (i = 0; i < a->ns; i++) {
		m = order[i];
		suggest_judge(m, all->lr, all->y, all->sm, all->n,
		    all->n > 0 ? &all->sh : NULL, o, all->col, &a->j[i]);
		if (a->j[i].why[0] == '\0' && a->first < 0 && i < a->nask)
			a->first = i;
		a->doubts[i] = all->n > 0 ? suggest_doubts(&all->sh,
		    o->diverged) : 0;
		if (a->j[i].warmup)
			a->doubts[i] |= SUGGEST_NOT_WARMUP;
		if (k < 2)
			continue;
		/* each run alone, in file order, nan where none */
		a->runlr[i] = xalloc((size_t)k, "runs");
		ok = xalloc((size_t)k, "runs");
		for (r = 0; r < k; r++) {
			ro = *o;
			ro.diverged = cv[r].stop != NULL || cv[r].cutline > 0;
			ro.num = cv[r].num;
			ro.floor.ratio = NAN;
			a->runlr[i][r] = NAN;
			if (cv[r].n > 0 && suggest_judge(m, cv[r].lr, cv[r].y,
			    cv[r].sm, cv[r].n, &cv[r].sh, &ro, cv[r].col,
			    &rj) == 0)
				ok[a->nrun[i]++] = a->runlr[i][r] = rj.s.lr;
		}
		if (a->nrun[i] > 0) {
			suggest_spread(&a->sp[i], ok, a->nrun[i]);
			if (a->sp[i].disagree)
				a->doubts[i] |= SUGGEST_NOT_DISAGREE;
		}
		free(ok);
	}
	err_sethook(prog_printerr);
	if (a->first < 0) {
		m = a->j[0].m < suggest_need(a->j[0].s.method);
		if (m && all->cutline > 0)
			snprintf(a->error, sizeof(a->error), "%s: %s (%ld "
			    "record%s before line %ld, where %s is %s)", name,
			    a->j[0].why, all->n, all->n == 1 ? "" : "s",
			    all->cutline, all->col, all->cutval);
		else if (m)
			snprintf(a->error, sizeof(a->error), "%s: %s (%ld "
			    "record%s)", name, a->j[0].why, all->n,
			    all->n == 1 ? "" : "s");
		else
			snprintf(a->error, sizeof(a->error), "%s: %s", name,
			    a->j[0].why);
	}
}

/*
 * --json, written with jansson: one flat object, the same that lrf-find
 * puts into suggestion.json (lrf-suggest(1), JSON OUTPUT).  set() adds a
 * member; a value that could not be made (out of memory) fails the
 * program.
 */
static void
set(json_t *o, const char *key, json_t *v)
{
	if (v == NULL || json_object_set_new(o, key, v) < 0)
		oom("--json");
}

static json_t *
obj(void)
{
	json_t *o;

	if ((o = json_object()) == NULL)
		oom("--json");
	return o;
}

/* A JSON list of the names of the doubts. */
static json_t *
json_reasons(int doubts)
{
	json_t *l;
	int b;

	if ((l = json_array()) == NULL)
		oom("--json");
	for (b = 1; b <= SUGGEST_NOT_ALL; b <<= 1)
		if ((doubts & b) && json_array_append_new(l,
		    json_string(suggest_doubt_name(b))) < 0)
			oom("--json");
	return l;
}

/* "confidence=high" or "confidence=low reasons=a,b" for #@ suggest. */
static void
meta_reasons(int doubts)
{
	int b, first;

	printf(" confidence=%s", doubts ? "low" : "high");
	if (!doubts)
		return;
	fputs(" reasons=", stdout);
	for (b = 1, first = 1; b <= SUGGEST_NOT_ALL; b <<= 1)
		if (doubts & b) {
			printf("%s%s", first ? "" : ",", suggest_doubt_name(b));
			first = 0;
		}
}

/* The #@ stop line's keys, numbers as numbers; null without one. */
static json_t *
json_stop(const char *line)
{
	static const char *const keys[] = { "reason", "step", "lr", "smooth",
	    "best" };
	char buf[256];
	json_t *o;
	double v;
	size_t i;

	if (line == NULL)
		return json_null();
	o = obj();
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		if (rec_meta_get(line, keys[i], buf, sizeof(buf)) < 0)
			continue;
		set(o, keys[i], num_double(buf, &v) == NUM_OK ?
		    runfs_jnum(v) : runfs_jstr(buf));
	}
	return o;
}

/* The runs' rates by method i, and their spread. */
static json_t *
json_spread(const struct answer *a, int i, int k)
{
	json_t *o, *l;
	int r;

	o = obj();
	if ((l = json_array()) == NULL)
		oom("--json");
	for (r = 0; r < k; r++)
		if (json_array_append_new(l, runfs_jnum(a->runlr[i][r])) < 0)
			oom("--json");
	set(o, "runs", l);
	set(o, "lo", runfs_jnum(a->nrun[i] ? a->sp[i].lo : NAN));
	set(o, "mid", runfs_jnum(a->nrun[i] ? a->sp[i].mid : NAN));
	set(o, "hi", runfs_jnum(a->nrun[i] ? a->sp[i].hi : NAN));
	set(o, "ratio", runfs_jnum(a->nrun[i] ? a->sp[i].ratio : NAN));
	return o;
}

/* "lr", "loss", "index", "confidence", "reasons" of judgement i into o,
 * or nulls and why there is none ("error"). */
static void
json_judged(json_t *o, const struct answer *a, int i)
{
	const struct suggest_judged *j;
	int none;

	j = i >= 0 ? &a->j[i] : NULL;
	none = j == NULL || j->why[0] != '\0';
	set(o, "lr", none ? json_null() : runfs_jnum(j->s.lr));
	set(o, "loss", none ? json_null() : runfs_jnum(j->s.loss));
	set(o, "index", none ? json_null() : json_integer(j->s.index));
	set(o, "confidence", none ? json_null() :
	    json_string(a->doubts[i] ? "low" : "high"));
	set(o, "reasons", json_reasons(none ? 0 : a->doubts[i]));
}

static void
json(const struct curve *all, const struct curve *cv, int k,
    const struct answer *a)
{
	const struct suggest_judged *j;
	const struct suggest_shape *sh = &all->sh;
	json_t *root, *ms, *m, *o, *l;
	int i, f;

	f = a->first >= 0 ? a->first : 0;
	root = obj();
	/* the answer: the method asked for (the default first with -m
	 * all), null where it gave none; lr first */
	set(root, "lr", json_null());
	set(root, "method", json_string(suggest_names[a->first >= 0 ?
	    a->j[f].s.method : a->method == SUGGEST_ALL ? SUGGEST_DEFAULT :
	    a->method]));
	json_judged(root, a, a->first);
	set(root, "error", a->first >= 0 ? json_null() :
	    runfs_jstr(a->error));
	/* every method's, keyed by name */
	ms = obj();
	for (i = 0; i < a->ns; i++) {
		j = &a->j[i];
		m = obj();
		json_judged(m, a, i);
		set(m, "error", j->why[0] ? runfs_jstr(j->why) : json_null());
		set(m, "curve", json_string(suggest_curve_names[j->curve]));
		set(m, "skip_start", json_integer(j->skip0));
		set(m, "skip_end", json_integer(j->skip1));
		if (k > 1 && !j->why[0])
			set(m, "spread", json_spread(a, i, k));
		set(ms, suggest_names[j->s.method], m);
	}
	set(root, "methods", ms);
	/* the curve */
	set(root, "column", runfs_jstr(all->col != NULL ? all->col : ""));
	set(root, "records", json_integer(all->nrec));
	set(root, "finite", json_integer(all->n));
	set(root, "points", json_integer(a->j[f].m));
	set(root, "skip_start", json_integer(a->j[f].skip0));
	set(root, "skip_end", json_integer(a->j[f].skip1));
	if (all->cutline > 0) {
		o = obj();
		set(o, "line", json_integer(all->cutline));
		set(o, "index", json_integer(all->n));
		set(o, "value", runfs_jstr(all->cutval));
		set(root, "cut", o);
	} else
		set(root, "cut", json_null());
	set(root, "stop", json_stop(all->stop));
	set(root, "diverged", json_boolean(all->n > 0 &&
	    !(a->doubts[f] & SUGGEST_NOT_NODIV)));
	if (all->n > 0) {
		o = obj();
		set(o, "start", runfs_jnum(sh->start));
		set(o, "low", runfs_jnum(sh->low));
		set(o, "lr_low", runfs_jnum(all->lr[sh->imin]));
		set(o, "lr90", runfs_jnum(all->lr[sh->i90]));
		set(o, "noise", runfs_jnum(sh->noise));
		set(o, "noise_ratio", runfs_jnum(k > 1 ? NAN : sh->ratio));
		set(o, "end", json_integer(sh->end));
		set(o, "climbed", json_boolean(sh->climbed));
		set(o, "rose", json_boolean(sh->rose));
		set(root, "shape", o);
	} else
		set(root, "shape", json_null());
	if (k > 1) {
		if ((l = json_array()) == NULL)
			oom("--json");
		for (i = 0; i < k; i++) {
			o = obj();
			set(o, "file", runfs_jstr(cv[i].name));
			set(o, "records", json_integer(cv[i].nrec));
			set(o, "finite", json_integer(cv[i].n));
			set(o, "lr", runfs_jnum(a->runlr[f] != NULL ?
			    a->runlr[f][i] : NAN));
			set(o, "noise_ratio", runfs_jnum(cv[i].n > 0 ?
			    cv[i].sh.ratio : NAN));
			if (json_array_append_new(l, o) < 0)
				oom("--json");
		}
		set(root, "runs", l);
		set(root, "spread", json_spread(a, f, k));
	}
	if (runfs_jdump(stdout, root) < 0)
		err_set("stdout: write error");
	json_decref(root);
}

/* The mean curve of several runs as a record stream, for -a. */
static void
putmean(const struct curve *mc)
{
	long i;

	printf("# lr\tloss\tsd\tlo\thi%s\n", mc->sm ? "\tsmooth" : "");
	printf("#@ mean runs=%d points=%ld\n", mc->runs, mc->n);
	if (mc->sched != NULL)
		printf("%s\n", mc->sched);
	for (i = 0; i < mc->n; i++) {
		rec_putnum(stdout, mc->lr[i]);
		putchar('\t');
		rec_putnum(stdout, mc->y[i]);
		putchar('\t');
		rec_putnum(stdout, mc->sd[i]);
		putchar('\t');
		rec_putnum(stdout, mc->lo[i]);
		putchar('\t');
		rec_putnum(stdout, mc->hi[i]);
		if (mc->sm) {
			putchar('\t');
			rec_putnum(stdout, mc->sm[i]);
		}
		putchar('\n');
	}
}

int
main(int argc, char *argv[])
{
	enum { O_JSON = 256, O_SKIP0, O_SKIP1, O_LRCOL, O_YCOL,
	    O_SHIFT, O_GAIN };
	static const struct option longopts[] = {
		{ "annotate",	no_argument,		NULL, 'a' },
		{ "beta",	required_argument,	NULL, 'b' },
		{ "config",	required_argument,	NULL, 'c' },
		{ "method",	required_argument,	NULL, 'm' },
		{ "quiet",	no_argument,		NULL, 'q' },
		{ "window",	required_argument,	NULL, 'w' },
		{ "json",	no_argument,		NULL, O_JSON },
		{ "skip-start",	required_argument,	NULL, O_SKIP0 },
		{ "skip-end",	required_argument,	NULL, O_SKIP1 },
		{ "floor-shift", required_argument,	NULL, O_SHIFT },
		{ "floor-gain",	required_argument,	NULL, O_GAIN },
		{ "lr-col",	required_argument,	NULL, O_LRCOL },
		{ "loss-col",	required_argument,	NULL, O_YCOL },
		{ "help",	no_argument,		NULL, 'h' },
		PROG_SETOPT,
		PROG_VERSION_OPT,
		{ NULL,		0,			NULL, 0 }
	};
	static struct curve cv[MAXRUNS];
	struct prog_setargs setargs;
	struct rec_reader r;
	struct curve mc, *all;
	struct suggest_opts o;
	struct answer a;
	struct cfg cfg;
	const char *cfgfile, *lrspec, *yspec, *name;
	char namebuf[64];
	struct prog_sets sets;
	char list[128];
	int c, i, k, annotate, quiet, asjson;
	FILE *fp;

	prog_init("lrf-suggest");
	argv[0] = (char *)prog;	/* getopt's messages name the program */
	memset(&a, 0, sizeof(a));
	memset(&o, 0, sizeof(o));
	memset(&mc, 0, sizeof(mc));
	suggest_floor_defaults(&o.floor);
	o.beta = SMOOTH_BETA;
	o.skip0 = o.skip1 = -1;
	cfgfile = NULL;
	lrspec = "lr";
	yspec = NULL;
	annotate = quiet = asjson = 0;
	sets.n = setargs.n = 0;
	while ((c = getopt_long(argc, argv, "ab:c:hm:qw:",
	    prog_options(longopts), NULL)) != -1)
		switch (c) {
		case 'a':
			annotate = 1;
			break;
		case 'b':
			o.beta = prog_double("-b", optarg);
			if (!(o.beta >= 0 && o.beta < 1))
				prog_usage("-b: '%s' is not in [0, 1)", optarg);
			prog_keep(&sets, "finder.beta", optarg);
			break;
		case 'c':
			cfgfile = optarg;
			break;
		case 'm':
			if (suggest_lookup(optarg) < 0) {
				names_join(list, sizeof(list), suggest_names,
				    -1, ", ", ", ");
				prog_usage("-m: unknown method '%s' (%s)",
				    optarg, list);
			}
			prog_keep(&sets, "finder.suggest", optarg);
			break;
		case 'q':
			quiet = 1;
			break;
		case PROG_SETCH:
			prog_setarg(&setargs, optarg);
			break;
		case 'w':
			o.floor.window = prog_double("-w", optarg);
			if (!(o.floor.window >= 0))
				prog_usage("-w: '%s' is negative", optarg);
			break;
		case O_JSON:
			asjson = 1;
			break;
		case O_SKIP0:
			o.skip0 = prog_long("--skip-start", optarg, 0, LONG_MAX);
			break;
		case O_SKIP1:
			o.skip1 = prog_long("--skip-end", optarg, 0, LONG_MAX);
			break;
		case O_SHIFT:
			o.floor.shift = prog_double("--floor-shift", optarg);
			break;
		case O_GAIN:
			o.floor.gain = prog_double("--floor-gain", optarg);
			break;
		case O_LRCOL:
			lrspec = optarg;
			break;
		case O_YCOL:
			yspec = optarg;
			break;
		case 'h':
			usage(stdout);
			prog_exit(EXIT_OK);
		case PROG_VERSION:
			prog_version();
		default:
			prog_usage(NULL);
		}
	argc -= optind;
	argv += optind;
	if (argc > MAXRUNS)
		prog_usage("more than %d files", MAXRUNS);
	if (annotate + quiet + asjson > 1)
		prog_usage("-a, -q and --json exclude one another");

	/* the defaults (floor, beta 0.98), the file's finder.suggest and
	 * finder.beta, -m and -b */
	cfg_defaults(&cfg);
	if (cfgfile != NULL && cfg_load(&cfg, cfgfile) < 0)
		exit(EXIT_FAIL);
	prog_setapply(&setargs, &cfg);
	prog_apply(&sets, &cfg);
	a.method = suggest_lookup(cfg.finder.suggest);
	o.beta = cfg.finder.beta;

	k = argc > 0 ? argc : 1;
	prog_stream();
	for (i = 0; i < k; i++) {
		cv[i].runs = 1;
		cv[i].name = argc > 0 ? argv[i] : "-";
		if (strcmp(cv[i].name, "-") == 0) {
			fp = stdin;
			cv[i].name = "stdin";
		} else if ((fp = fopen(cv[i].name, "r")) == NULL) {
			err_set("%s: %s", cv[i].name, strerror(errno));
			exit(EXIT_FAIL);
		}
		rec_open(&r, fp, cv[i].name);
		if (annotate && k == 1)	/* the lines go on as they come */
			rec_onwait(&r, prog_onwait, NULL);
		readcurve(&cv[i], &r, lrspec, yspec, annotate && k == 1);
		rec_close(&r);
		if (fp != stdin)
			fclose(fp);
		shape(&cv[i], o.floor.window);
	}
	if (k == 1) {
		all = &cv[0];
		name = cv[0].name;
	} else {
		for (i = 0; i < k; i++)
			if (cv[i].nrec == 0) {
				err_set("%s: no records", cv[i].name);
				exit(EXIT_FAIL);
			}
		mean(&mc, cv, k);
		if (mc.n == 0) {
			err_set("the %d runs share no learning rate", k);
			exit(EXIT_FAIL);
		}
		shape(&mc, o.floor.window);
		all = &mc;
		snprintf(namebuf, sizeof(namebuf), "the mean of %d runs", k);
		name = namebuf;
	}
	a.every = asjson;
	decide(all, cv, k, &o, &a, name);

	if (asjson)
		json(all, cv, k, &a);
	if (a.error[0] != '\0') {
		/* -a: the stream, then a line that tells this answer
		 * from a failure (a write error, a signal) */
		if (annotate && k > 1)
			putmean(all);
		if (annotate)
			printf("#@ nosuggest method=%s\n",
			    suggest_names[a.method == SUGGEST_ALL ?
			    SUGGEST_DEFAULT : a.method]);
		err_set("%s", a.error);
		prog_exit(EXIT_FAIL);
	}
	if (annotate && k > 1)
		putmean(all);
	if (!asjson && !quiet && !annotate)
		fputs("# method\tlr\tloss\n", stdout);
	for (i = 0; i < a.ns; i++) {
		if (a.j[i].why[0] != '\0') {
			if (!asjson && !quiet)
				err_set("%s: %s: %s; left out", name,
				    suggest_names[a.j[i].s.method], a.j[i].why);
			continue;
		}
		if (quiet) {
			rec_putnum(stdout, a.j[i].s.lr);
			putchar('\n');
			break;
		}
		if (asjson)
			continue;
		if (annotate) {
			printf("#@ suggest method=%s lr=",
			    suggest_names[a.j[i].s.method]);
			rec_putnum(stdout, a.j[i].s.lr);
			fputs(" loss=", stdout);
			rec_putnum(stdout, a.j[i].s.loss);
			meta_reasons(a.doubts[i]);
			if (k > 1 && a.nrun[i] > 0) {
				printf(" runs=%d lo=", k);
				rec_putnum(stdout, a.sp[i].lo);
				fputs(" hi=", stdout);
				rec_putnum(stdout, a.sp[i].hi);
			}
			putchar('\n');
			continue;
		}
		printf("%s\t", suggest_names[a.j[i].s.method]);
		rec_putnum(stdout, a.j[i].s.lr);
		putchar('\t');
		rec_putnum(stdout, a.j[i].s.loss);
		putchar('\n');
	}
	prog_exit(EXIT_OK);
}
