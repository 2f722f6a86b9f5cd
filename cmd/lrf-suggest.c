/*
 * lrf-suggest - read a range-test curve and suggest a learning rate.
 * See lrf-suggest(1).
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
#include "suggest.h"
#include "prog.h"

#define SKIP_END	5	/* default --skip-end */

static void
usage(FILE *fp)
{
	char methods[128];

	names_join(methods, sizeof(methods), suggest_names, -1, ", ",
	    " or ");
	fprintf(fp,
	    "usage: lrf-suggest [-ahq] [--json] [-c file] [-m method] "
	    "[--skip-start n]\n"
	    "                   [--skip-end n] [--lr-col col] "
	    "[--loss-col col] [file]\n"
	    "  -a, --annotate       pass the input through, append "
	    "#@ suggest lines\n"
	    "  -c, --config file    take finder.suggest from file\n"
	    "  -m, --method method  %s [steep]\n"
	    "  -q, --quiet          print only the learning rate\n"
	    "      --json           print one JSON object\n"
	    "      --skip-start n   points left out at the start "
	    "[num/10]\n"
	    "      --skip-end n     points left out at the end [%d]\n"
	    "      --lr-col col     learning-rate column, name or number "
	    "[lr]\n"
	    "      --loss-col col   curve column, name or number "
	    "[smooth, else loss]\n"
	    "  -h, --help           print this help and exit\n",
	    methods, SKIP_END);
}

/* The curve as read, and what the stream said about itself. */
struct curve {
	double	*lr;		/* (n) learning rates */
	double	*y;		/* (n) curve values, all finite */
	long	 n, cap;
	long	 nrec;		/* data records read */
	long	 cutline;	/* line of the first non-finite value, or 0 */
	char	 cutval[32];	/* that value as written */
	long	 num;		/* num= of the first #@ schedule line, or 0 */
	char	*stop;		/* the first #@ stop line, or NULL */
	const char *col;	/* name of the curve column */
};

static void
grow(struct curve *cv, const char *name)
{
	double *lr, *y;
	long cap;

	cap = cv->cap ? cv->cap * 2 : 1024;
	if ((lr = realloc(cv->lr, (size_t)cap * sizeof(*lr))) == NULL)
		goto oom;
	cv->lr = lr;
	if ((y = realloc(cv->y, (size_t)cap * sizeof(*y))) == NULL)
		goto oom;
	cv->y = y;
	cv->cap = cap;
	return;
oom:
	err_set("%s: out of memory", name);
	exit(EXIT_FAIL);
}

/* Take note of #@ schedule and #@ stop lines. */
static void
meta(struct curve *cv, const char *line)
{
	double v;

	if (cv->num == 0 && rec_meta_is(line, "schedule") &&
	    rec_meta_num(line, "num", &v) == 0 && v >= 1 && v <= 1e15 &&
	    v == floor(v))
		cv->num = (long)v;
	if (cv->stop == NULL && rec_meta_is(line, "stop") &&
	    (cv->stop = strdup(line)) == NULL) {
		err_set("out of memory");
		exit(EXIT_FAIL);
	}
}

/*
 * Read the whole stream into cv; with annotate, copy every line to
 * stdout as it comes.
 */
static void
readcurve(struct curve *cv, struct rec_reader *r, const char *lrspec,
    const char *yspec, int annotate)
{
	double lr, y;
	int c, lrc, yc;

	lrc = yc = -1;
	while ((c = rec_next(r)) != REC_EOF) {
		if (c < 0)
			exit(EXIT_FAIL);
		if (annotate) {
			fputs(r->raw, stdout);
			putchar('\n');
		}
		if (c == REC_COMMENT) {
			meta(cv, r->raw);
			continue;
		}
		if (lrc < 0) {
			if ((lrc = rec_col(r, lrspec)) < 0)
				exit(EXIT_FAIL);
			if (yspec == NULL)
				yspec = rec_hascol(r, "smooth") >= 0 ?
				    "smooth" : "loss";
			if ((yc = rec_col(r, yspec)) < 0)
				exit(EXIT_FAIL);
			cv->col = r->names[yc];
		}
		if (c == REC_HEADER)
			continue;
		if (rec_lr(r, lrc, &lr) < 0 || rec_num(r, yc, &y) < 0)
			exit(EXIT_FAIL);
		cv->nrec++;
		if (cv->cutline > 0)
			continue;
		if (!isfinite(y)) {
			cv->cutline = r->lineno;
			snprintf(cv->cutval, sizeof(cv->cutval), "%s",
			    r->f[yc]);
			continue;
		}
		if (cv->n > 0 && lr < cv->lr[cv->n - 1]) {
			err_set("%s:%ld: lr %s is below the lr before it; "
			    "a range test's lr must not decrease", r->name,
			    r->lineno, r->f[lrc]);
			exit(EXIT_FAIL);
		}
		if (cv->n == cv->cap)
			grow(cv, r->name);
		cv->lr[cv->n] = lr;
		cv->y[cv->n] = y;
		cv->n++;
	}
}

/* Everything the output needs. */
struct answer {
	int	 method;		/* asked for: SUGGEST_* or SUGGEST_ALL */
	long	 skip0, skip1;		/* points skipped at either end */
	long	 m;			/* points used */
	struct suggestion s[SUGGEST_NMETHODS];
	char	 why[SUGGEST_NMETHODS][256];	/* "" or why a method gave none */
	int	 ns;			/* methods run */
	char	 error[512];		/* why there is no answer at all */
};

static void
json_stop(const char *line)
{
	static const char *const keys[] = { "reason", "step", "lr", "smooth",
	    "best" };
	char buf[256];
	double v;
	size_t i;
	int first;

	if (line == NULL) {
		fputs("null", stdout);
		return;
	}
	putchar('{');
	first = 1;
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		if (rec_meta_get(line, keys[i], buf, sizeof(buf)) < 0)
			continue;
		printf("%s\"%s\": ", first ? "" : ", ", keys[i]);
		first = 0;
		if (num_double(buf, &v) == NUM_OK)
			runfs_jsonnum(stdout, v);
		else
			runfs_jsonstr(stdout, buf);
	}
	putchar('}');
}

static void
json(const struct curve *cv, const struct answer *a)
{
	const struct suggestion *s;
	int i, first;

	printf("{\n");
	if (a->ns > 0 && a->error[0] == '\0') {
		for (i = 0; i < a->ns && a->why[i][0] != '\0'; i++)
			;
		s = &a->s[i];
		printf("  \"method\": \"%s\",\n  \"lr\": ",
		    suggest_names[s->method]);
		runfs_jsonnum(stdout, s->lr);
		printf(",\n  \"loss\": ");
		runfs_jsonnum(stdout, s->loss);
		printf(",\n  \"index\": %ld,\n", a->skip0 + s->index);
	} else {
		printf("  \"error\": ");
		runfs_jsonstr(stdout, a->error);
		printf(",\n");
	}
	printf("  \"methods\": [");
	first = 1;
	for (i = 0; i < a->ns; i++) {
		s = &a->s[i];
		printf("%s\n    {\"method\": \"%s\", ", first ? "" : ",",
		    suggest_names[s->method]);
		first = 0;
		if (a->why[i][0] != '\0') {
			printf("\"error\": ");
			runfs_jsonstr(stdout, a->why[i]);
		} else {
			printf("\"lr\": ");
			runfs_jsonnum(stdout, s->lr);
			printf(", \"loss\": ");
			runfs_jsonnum(stdout, s->loss);
			printf(", \"index\": %ld", a->skip0 + s->index);
		}
		putchar('}');
	}
	printf("%s],\n", first ? "" : "\n  ");
	printf("  \"column\": ");
	runfs_jsonstr(stdout, cv->col != NULL ? cv->col : "");
	printf(",\n  \"records\": %ld,\n  \"finite\": %ld,\n"
	    "  \"points\": %ld,\n  \"skip_start\": %ld,\n  \"skip_end\": %ld,\n",
	    cv->nrec, cv->n, a->m, a->skip0, a->skip1);
	printf("  \"cut\": ");
	if (cv->cutline > 0) {
		printf("{\"line\": %ld, \"index\": %ld, \"value\": ",
		    cv->cutline, cv->n);
		runfs_jsonstr(stdout, cv->cutval);
		putchar('}');
	} else
		fputs("null", stdout);
	printf(",\n  \"stop\": ");
	json_stop(cv->stop);
	printf("\n}\n");
}

/*
 * Decide: fill a, or set a->error.  The count and the shape of the curve
 * are checked here so that the messages can say where they come from.
 */
static void
decide(const struct curve *cv, struct answer *a, const char *name)
{
	char note[128];
	long need, first;
	int i, k;

	if (cv->nrec == 0) {
		snprintf(a->error, sizeof(a->error), "%s: no records", name);
		return;
	}
	if (a->skip0 >= cv->n || a->skip1 >= cv->n - a->skip0)
		a->m = 0;
	else
		a->m = cv->n - a->skip0 - a->skip1;
	need = a->method == SUGGEST_ALL ? 2 : suggest_need(a->method);
	if (cv->cutline > 0)
		snprintf(note, sizeof(note), "%ld record%s before line %ld, "
		    "where %s is %s", cv->n, cv->n == 1 ? "" : "s",
		    cv->cutline, cv->col, cv->cutval);
	else
		snprintf(note, sizeof(note), "%ld record%s", cv->n,
		    cv->n == 1 ? "" : "s");
	if (a->m < need) {
		snprintf(a->error, sizeof(a->error), "%s: %ld point%s after "
		    "skipping %ld and %ld, need at least %ld (%s)", name,
		    a->m, a->m == 1 ? "" : "s", a->skip0, a->skip1, need,
		    note);
		return;
	}
	if (suggest_decreases(cv->y + a->skip0, a->m) < 0) {
		snprintf(a->error, sizeof(a->error), "%s: %s never decreases "
		    "over the %ld points used", name, cv->col, a->m);
		return;
	}
	first = a->method == SUGGEST_ALL ? 0 : a->method;
	err_sethook(NULL);
	for (k = (int)first, i = 0; ; k++, i++) {
		a->s[i].method = k;
		if (a->m < suggest_need(k))
			snprintf(a->why[i], sizeof(a->why[i]), "%ld points "
			    "after skipping %ld and %ld, need at least %ld",
			    a->m, a->skip0, a->skip1, suggest_need(k));
		else if (suggest_run(k, cv->lr + a->skip0, cv->y + a->skip0,
		    a->m, &a->s[i]) < 0)
			snprintf(a->why[i], sizeof(a->why[i]), "%s",
			    err_msg());
		else if (suggest_between(k))
			/* a rate between points, maybe among the skipped
			 * ones: read the curve there, all of it */
			a->s[i].loss = suggest_at(cv->lr, cv->y, cv->n,
			    a->s[i].lr);
		a->ns = i + 1;
		if (a->method != SUGGEST_ALL || k + 1 == SUGGEST_NMETHODS)
			break;
	}
	err_sethook(prog_printerr);
	for (i = 0; i < a->ns && a->why[i][0] != '\0'; i++)
		;
	if (i == a->ns)
		snprintf(a->error, sizeof(a->error), "%s: %s", name,
		    a->why[0]);
}

int
main(int argc, char *argv[])
{
	enum { O_JSON = 256, O_SKIP0, O_SKIP1, O_LRCOL, O_YCOL };
	static const struct option longopts[] = {
		{ "annotate",	no_argument,		NULL, 'a' },
		{ "config",	required_argument,	NULL, 'c' },
		{ "method",	required_argument,	NULL, 'm' },
		{ "quiet",	no_argument,		NULL, 'q' },
		{ "json",	no_argument,		NULL, O_JSON },
		{ "skip-start",	required_argument,	NULL, O_SKIP0 },
		{ "skip-end",	required_argument,	NULL, O_SKIP1 },
		{ "lr-col",	required_argument,	NULL, O_LRCOL },
		{ "loss-col",	required_argument,	NULL, O_YCOL },
		{ "help",	no_argument,		NULL, 'h' },
		{ NULL,		0,			NULL, 0 }
	};
	struct prog_sets sets;
	struct rec_reader r;
	struct curve cv;
	struct answer a;
	struct cfg cfg;
	const char *cfgfile, *path, *lrspec, *yspec;
	char list[128];
	int c, i, annotate, quiet, asjson;
	long skip0, skip1;
	FILE *fp;

	prog_init("lrf-suggest");
	argv[0] = (char *)prog;	/* getopt's messages name the program */
	memset(&cv, 0, sizeof(cv));
	memset(&a, 0, sizeof(a));
	cfgfile = NULL;
	lrspec = "lr";
	yspec = NULL;
	annotate = quiet = asjson = 0;
	sets.n = 0;
	skip0 = skip1 = -1;
	while ((c = getopt_long(argc, argv, "ac:hm:q", prog_options(longopts),
	    NULL)) != -1)
		switch (c) {
		case 'a':
			annotate = 1;
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
		case O_JSON:
			asjson = 1;
			break;
		case O_SKIP0:
			skip0 = prog_long("--skip-start", optarg, 0, LONG_MAX);
			break;
		case O_SKIP1:
			skip1 = prog_long("--skip-end", optarg, 0, LONG_MAX);
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
		default:
			usage(stderr);
			exit(EXIT_USAGE);
		}
	argc -= optind;
	argv += optind;
	if (argc > 1)
		prog_usage("too many operands");
	if (annotate + quiet + asjson > 1)
		prog_usage("-a, -q and --json exclude one another");

	/* the default (steep), the file's finder.suggest, -m */
	cfg_defaults(&cfg);
	if (cfgfile != NULL && cfg_load(&cfg, cfgfile) < 0)
		exit(EXIT_FAIL);
	prog_apply(&sets, &cfg);
	a.method = suggest_lookup(cfg.finder.suggest);

	path = argc == 1 ? argv[0] : "-";
	if (strcmp(path, "-") == 0) {
		fp = stdin;
		path = "stdin";
	} else if ((fp = fopen(path, "r")) == NULL) {
		err_set("%s: %s", path, strerror(errno));
		exit(EXIT_FAIL);
	}
	rec_open(&r, fp, path);
	readcurve(&cv, &r, lrspec, yspec, annotate);

	a.skip0 = skip0 >= 0 ? skip0 : (cv.num > 0 ? cv.num : cv.nrec) / 10;
	a.skip1 = skip1 >= 0 ? skip1 : SKIP_END;
	decide(&cv, &a, r.name);

	if (asjson)
		json(&cv, &a);
	if (a.error[0] != '\0') {
		err_set("%s", a.error);
		prog_exit(EXIT_FAIL);
	}
	if (!asjson && !quiet && !annotate)
		fputs("# method\tlr\tloss\n", stdout);
	for (i = 0; i < a.ns; i++) {
		if (a.why[i][0] != '\0') {
			if (!asjson && !quiet)
				err_set("%s: %s: %s; left out", r.name,
				    suggest_names[a.s[i].method], a.why[i]);
			continue;
		}
		if (quiet) {
			rec_putnum(stdout, a.s[i].lr);
			putchar('\n');
			break;
		}
		if (asjson)
			continue;
		if (annotate) {
			printf("#@ suggest method=%s lr=",
			    suggest_names[a.s[i].method]);
			rec_putnum(stdout, a.s[i].lr);
			fputs(" loss=", stdout);
			rec_putnum(stdout, a.s[i].loss);
			putchar('\n');
			continue;
		}
		printf("%s\t", suggest_names[a.s[i].method]);
		rec_putnum(stdout, a.s[i].lr);
		putchar('\t');
		rec_putnum(stdout, a.s[i].loss);
		putchar('\n');
	}
	prog_exit(EXIT_OK);
}
