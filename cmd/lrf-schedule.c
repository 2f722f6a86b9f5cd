/*
 * lrf-schedule - emit a learning-rate sequence as "# step lr" records:
 * the range test's exp or linear sweep, or a training schedule.
 */
#include <getopt.h>
#include <limits.h>
#include <stddef.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfg.h"
#include "err.h"
#include "num.h"
#include "rec.h"
#include "sched.h"
#include "prog.h"

enum {
	O_RATIO = 256, O_LR, O_MIN_LR, O_WARMUP, O_MAX_LR, O_BASE_LR,
	O_STEP_SIZE, O_GAMMA, O_PCT_START, O_DIV_FACTOR, O_FINAL_DIV_FACTOR
};

#define ARG	required_argument
static const struct option longopts[] = {
	{ "config", ARG, NULL, 'c' },
	{ "train", no_argument, NULL, 't' },
	{ "mode", ARG, NULL, 'm' },
	{ "num", ARG, NULL, 'n' },
	{ "num-iter", ARG, NULL, 'n' },
	{ "total-steps", ARG, NULL, 'n' },
	{ "start", ARG, NULL, 's' },
	{ "start-lr", ARG, NULL, 's' },
	{ "end", ARG, NULL, 'e' },
	{ "end-lr", ARG, NULL, 'e' },
	{ "ratio", ARG, NULL, O_RATIO },
	{ "lr", ARG, NULL, O_LR },
	{ "min-lr", ARG, NULL, O_MIN_LR },
	{ "warmup", ARG, NULL, O_WARMUP },
	{ "max-lr", ARG, NULL, O_MAX_LR },
	{ "base-lr", ARG, NULL, O_BASE_LR },
	{ "step-size", ARG, NULL, O_STEP_SIZE },
	{ "gamma", ARG, NULL, O_GAMMA },
	{ "pct-start", ARG, NULL, O_PCT_START },
	{ "div-factor", ARG, NULL, O_DIV_FACTOR },
	{ "final-div-factor", ARG, NULL, O_FINAL_DIV_FACTOR },
	{ "help", no_argument, NULL, 'h' },
	PROG_SETOPT,
	PROG_VERSION_OPT,
	{ NULL, 0, NULL, 0 }
};

/*
 * The flags that set a parameter of the schedule: the option (its code,
 * its name in messages), the SCHED_P_* bit of the parameter (0 for -n,
 * which every mode takes) and where it goes in struct sched.
 */
static const struct param {
	int	 ch;
	const char *opt;
	int	 bit;
	size_t	 off;
	int	 islong;	/* a long, not a double */
} params[] = {
	{ 'n', "-n", 0, offsetof(struct sched, num), 1 },
	{ 's', "-s/--start", SCHED_P_START, offsetof(struct sched, start), 0 },
	{ 'e', "-e/--end", SCHED_P_END, offsetof(struct sched, end), 0 },
	{ O_RATIO, "--ratio", SCHED_P_RATIO, offsetof(struct sched, ratio),
	    0 },
	{ O_LR, "--lr", SCHED_P_LR, offsetof(struct sched, lr), 0 },
	{ O_MIN_LR, "--min-lr", SCHED_P_MIN_LR, offsetof(struct sched,
	    min_lr), 0 },
	{ O_WARMUP, "--warmup", SCHED_P_WARMUP, offsetof(struct sched,
	    warmup), 1 },
	{ O_MAX_LR, "--max-lr", SCHED_P_MAX_LR, offsetof(struct sched,
	    max_lr), 0 },
	{ O_BASE_LR, "--base-lr", SCHED_P_BASE_LR, offsetof(struct sched,
	    base_lr), 0 },
	{ O_STEP_SIZE, "--step-size", SCHED_P_STEP_SIZE,
	    offsetof(struct sched, step_size), 1 },
	{ O_GAMMA, "--gamma", SCHED_P_GAMMA, offsetof(struct sched, gamma),
	    0 },
	{ O_PCT_START, "--pct-start", SCHED_P_PCT_START,
	    offsetof(struct sched, pct_start), 0 },
	{ O_DIV_FACTOR, "--div-factor", SCHED_P_DIV_FACTOR,
	    offsetof(struct sched, div_factor), 0 },
	{ O_FINAL_DIV_FACTOR, "--final-div-factor", SCHED_P_FINAL_DIV_FACTOR,
	    offsetof(struct sched, final_div_factor), 0 },
};
#define NPARAMS	(int)(sizeof(params) / sizeof(params[0]))

static void
usage(FILE *fp)
{
	struct sched r, t, x;
	char b[10][32];

	sched_defaults(&r, SCHED_EXP);
	sched_defaults(&t, SCHED_STEP);
	sched_defaults(&x, SCHED_EXP_RANGE);
	num_fmt(b[0], 32, r.start);
	num_fmt(b[1], 32, r.end);
	num_fmt(b[2], 32, t.lr);
	num_fmt(b[3], 32, t.min_lr);
	num_fmt(b[4], 32, t.max_lr);
	num_fmt(b[5], 32, t.base_lr);
	num_fmt(b[6], 32, t.gamma);
	num_fmt(b[7], 32, x.gamma);
	num_fmt(b[8], 32, t.div_factor);
	num_fmt(b[9], 32, t.final_div_factor);
	fprintf(fp,
"usage: lrf-schedule [-ht] [-c file] [-m mode] [-n num] [-s start] [-e end]\n"
"                    [--ratio r] [--lr lr] [--min-lr lr] [--warmup n]\n"
"                    [--max-lr lr] [--base-lr lr] [--step-size n] [--gamma g]\n"
"                    [--pct-start p] [--div-factor d] [--final-div-factor f]\n"
"  -c, --config file    defaults from file: its finder section, or its\n"
"                       scheduler section for a training mode or -t\n"
"  -t, --train          the mode is the file's scheduler.name\n"
"  -m, --mode mode      exp, linear (range tests), constant, step, cosine,\n"
"                       onecycle, triangular, triangular2, exp_range [%s]\n"
"  -n, --num n          steps; 0: exp without end [%ld; training modes %ld]\n"
"  -s, --start lr       exp, linear: the first lr [%s]\n"
"  -e, --end lr         exp, linear: the last lr [%s]\n"
"      --ratio r        exp -n 0: factor per step [(end/start)^(1/%d)]\n"
"      --lr lr          constant, step, cosine: the lr [%s]\n"
"      --min-lr lr      cosine: the lr it decays to [%s]\n"
"      --warmup n       cosine: steps of linear warm-up [%ld]\n"
"      --max-lr lr      onecycle, cyclical: the peak lr [%s]\n"
"      --base-lr lr     cyclical: the lowest lr [%s]\n"
"      --step-size n    step: steps per decay; cyclical: half a cycle [%ld]\n"
"      --gamma g        step: decay factor [%s]; exp_range: per step [%s]\n"
"      --pct-start p    onecycle: fraction of the steps rising [%g]\n"
"      --div-factor d   onecycle: the first lr is max-lr/d [%s]\n"
"      --final-div-factor f  onecycle: the last lr is the first/f [%s]\n"
"      --set sec.key=v  set a key of the file, lrf-config(5) (repeatable)\n"
"  -h, --help           this help\n"
"      --version        print the version and exit\n"
"Long options take '_' for '-' (--max_lr); --start_lr, --end_lr, --num_iter\n"
"and --total_steps are -s, -e, -n.\n",
	    sched_name(SCHED_EXP), (long)SCHED_RANGE_NUM,
	    (long)SCHED_TRAIN_NUM, b[0], b[1], SCHED_RANGE_NUM - 1, b[2],
	    b[3], t.warmup, b[4], b[5], t.step_size, b[6], b[7], t.pct_start,
	    b[8], b[9]);
}

/* The option as it was spelled, for messages: "-n" or "--num_iter". */
static const char *
spelled(const struct option *lo, int ch, int li)
{
	static char buf[64];

	if (li >= 0)
		snprintf(buf, sizeof(buf), "--%s", lo[li].name);
	else
		snprintf(buf, sizeof(buf), "-%c", ch);
	return buf;
}

/* Check a parameter's value as the option spelled o gave it. */
static void
check(const struct param *p, const char *o, const char *text)
{
	long v;

	/* num: 0 or 2 and more; sched_init says so of a long */
	if (p->islong && num_long(text, LONG_MIN, LONG_MAX, &v) == NUM_RANGE)
		prog_usage("%s: '%s' is out of range (0, or 2 to %ld)", o,
		    text, LONG_MAX);
	if (p->islong)
		prog_long(o, text, LONG_MIN, LONG_MAX);
	else
		prog_double(o, text);
}

int
main(int argc, char *argv[])
{
	struct prog_sets sets;	/* the parameters the flags give */
	struct prog_setargs setargs;	/* --set */
	struct sched s;		/* the schedule */
	struct cfg c;
	const struct option *lo;
	const char *file, *mname, *name, *o, *t;
	void *p;
	char buf[512];
	double lr;
	long i;
	int ch, li, train, m, k, r;

	prog_init("lrf-schedule");
	argv[0] = (char *)prog;	/* getopt's messages name the program */
	sets.n = setargs.n = 0;
	file = mname = NULL;
	train = 0;
	opterr = 0;
	lo = prog_options(longopts);
	for (;;) {
		li = -1;
		ch = getopt_long(argc, argv, ":c:e:hm:n:s:t", lo, &li);
		if (ch == -1)
			break;
		o = spelled(lo, ch, li);
		for (k = 0; k < NPARAMS && params[k].ch != ch; k++)
			;
		if (k < NPARAMS) {
			check(&params[k], o, optarg);
			prog_keep(&sets, params[k].opt, optarg);
			continue;
		}
		switch (ch) {
		case 'c':
			file = optarg;
			break;
		case 't':
			train = 1;
			break;
		case PROG_SETCH:
			prog_setarg(&setargs, optarg);
			break;
		case 'm':
			mname = optarg;
			break;
		case 'h':
			usage(stdout);
			prog_exit(EXIT_OK);
		case PROG_VERSION:
			prog_version();
		case ':':
			prog_usage("option '%s' needs a value",
			    argv[optind - 1]);
		default:
			if (optopt)
				prog_usage("unknown option '-%c'", optopt);
			prog_usage("unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		prog_usage("unexpected operand '%s'", argv[optind]);

	cfg_defaults(&c);
	if (file != NULL && cfg_load(&c, file) < 0)
		exit(EXIT_FAIL);
	prog_setapply(&setargs, &c);

	/* The mode: -m, else the scheduler's name (-t), else the finder's. */
	if (mname != NULL) {
		if ((m = sched_mode(mname)) < 0) {
			sched_names(buf, sizeof(buf));
			prog_usage("unknown mode '%s' (modes: %s)", mname,
			    buf);
		}
		if (train && !sched_training(m))
			prog_usage("-t: %s is not a training schedule", mname);
	} else if (train) {
		name = c.scheduler.name;
		if (file == NULL)
			prog_usage("-t needs a config file (-c)");
		if (name[0] == '\0')
			prog_usage("-t: %s has no scheduler.name", file);
		if ((m = sched_mode(name)) < 0 || !sched_training(m)) {
			err_set("%s: scheduler.name '%s' is not a training "
			    "schedule", file, name);
			exit(EXIT_FAIL);
		}
	} else if ((m = sched_mode(c.finder.mode)) < 0 || sched_training(m)) {
		err_set("%s: finder.mode '%s' is not exp or linear",
		    file ? file : "config", c.finder.mode);
		exit(EXIT_FAIL);
	}

	/* The file (or the defaults), then the flags over it. */
	sched_config(&s, m, &c);
	for (k = 0; k < NPARAMS; k++)
		if (params[k].bit != 0 && prog_given(&sets, params[k].opt) &&
		    !(sched_uses(m) & params[k].bit))
			prog_usage("%s does not apply to mode %s",
			    params[k].opt, sched_name(m));
	for (k = 0; k < NPARAMS; k++) {
		if ((t = prog_given(&sets, params[k].opt)) == NULL)
			continue;
		p = (char *)&s + params[k].off;
		if (params[k].islong)
			*(long *)p = prog_long(params[k].opt, t, LONG_MIN,
			    LONG_MAX);
		else
			*(double *)p = prog_double(params[k].opt, t);
	}
	/* Nonsense from the flags is a usage error, from the file bad data. */
	err_sethook(NULL);
	r = sched_init(&s);
	err_sethook(prog_printerr);
	if (r < 0 && file != NULL && sets.n == 0 && setargs.n == 0) {
		snprintf(buf, sizeof(buf), "%s", err_msg());
		err_set("%s: %s", file, buf);
		exit(EXIT_FAIL);
	}
	if (r < 0)
		prog_usage("%s", err_msg());

	/*
	 * The records, in full buffers (prog_stream): the reader stops us
	 * by going away, which the next block's write sees (EPIPE), and
	 * each record's write is checked at once, while errno says why.
	 * An unbounded stream ends, silently, before the lr overflows:
	 * some 100 kB at the default ratio, which a pipe and a reader's
	 * buffer can take in before the reader has trained a step, so
	 * reaching the end is normal, not worth a word.
	 */
	prog_stream();
	fputs("# step\tlr\n", stdout);
	sched_meta(buf, sizeof(buf), &s);
	puts(buf);
	for (i = 0; s.num == 0 || i < s.num; i++) {
		lr = sched_lr(&s, i);
		if (!isfinite(lr))
			break;
		printf("%ld\t", i);
		rec_putnum(stdout, lr);
		putchar('\n');
		if (ferror(stdout))
			prog_flush();
	}
	prog_exit(EXIT_OK);
}
