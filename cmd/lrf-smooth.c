/*
 * lrf-smooth - append the bias-corrected EMA of the loss to a record
 * stream and cut the stream where the run diverges.  See lrf-smooth(1).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfg.h"
#include "err.h"
#include "num.h"
#include "rec.h"
#include "smooth.h"
#include "prog.h"

static void
usage(FILE *fp)
{
	struct cfg d;

	cfg_defaults(&d);
	fprintf(fp,
	    "usage: lrf-smooth [-hk] [-b beta] [-c file] [-d ratio] "
	    "[--lr-col col]\n"
	    "                  [--loss-col col] [file]\n"
	    "  -b, --beta beta      EMA factor in [0, 1), 0 for none [%g]\n"
	    "  -c, --config file    take finder.beta and "
	    "finder.diverge_threshold from file\n"
	    "  -d, --diverge ratio  stop when smooth > ratio * best, "
	    "ratio > 1 [%g]\n"
	    "  -k, --keep           mark the divergence but do not stop\n"
	    "      --lr-col col     learning-rate column, name or number "
	    "[lr]\n"
	    "      --loss-col col   loss column, name or number [loss]\n"
	    "      --set sec.key=v  set a key of the file, lrf-config(5) "
	    "(repeatable)\n"
	    "  -h, --help           print this help and exit\n"
	    "      --version        print the version and exit\n",
	    d.finder.beta, d.finder.diverge_threshold);
}

/* What the loop needs to know about the stream. */
struct smoother {
	struct rec_reader r;
	struct smooth s;
	const char *lrspec, *lossspec;
	int	 keep;
	int	 lrc, lossc;	/* columns read */
	int	 smc;		/* column replaced by smooth, -1: appended */
	int	 stepc;		/* the step column, -1 if none */
	int	 started;	/* header written */
	long	 nrec;		/* data records so far */
	int	 marked;	/* a stop line was written */
	char	*pend;		/* comments seen before the header could be */
	size_t	 pendlen, pendcap;	/* written (positional input) */
};

/* The most comment bytes kept before the first record: a stream's own
 * #@ lines are a few KiB; more is not a record stream. */
#define PEND_MAX	(16 << 20)

/* Keep a comment line until the header has been written. */
static void
pend(struct smoother *m)
{
	size_t need;
	char *p;

	need = m->pendlen + m->r.len + 1;
	if (need > PEND_MAX) {
		err_set("%s:%ld: more than %d MiB of comment lines before the "
		    "first record", m->r.name, m->r.lineno, PEND_MAX >> 20);
		exit(EXIT_FAIL);
	}
	if (need > m->pendcap) {
		m->pendcap = need * 2;
		if ((p = realloc(m->pend, m->pendcap)) == NULL) {
			err_set("%s:%ld: out of memory", m->r.name,
			    m->r.lineno);
			exit(EXIT_FAIL);
		}
		m->pend = p;
	}
	memcpy(m->pend + m->pendlen, m->r.raw, m->r.len);
	m->pendlen += m->r.len;
	m->pend[m->pendlen++] = '\n';
}

/* Find the columns and write the header (the input's, plus smooth). */
static void
start(struct smoother *m)
{
	char *names[REC_MAXCOLS + 1];
	int i, n;

	if ((m->lrc = rec_col(&m->r, m->lrspec)) < 0 ||
	    (m->lossc = rec_col(&m->r, m->lossspec)) < 0)
		exit(EXIT_FAIL);
	m->smc = rec_hascol(&m->r, "smooth");
	m->stepc = rec_hascol(&m->r, "step");
	n = m->r.ncols;
	if (m->smc < 0 && n >= REC_MAXCOLS) {
		/* its readers take REC_MAXCOLS columns at most */
		err_set("%s: %d columns and no smooth: no room for it (at "
		    "most %d)", m->r.name, n, REC_MAXCOLS - 1);
		exit(EXIT_FAIL);
	}
	for (i = 0; i < n; i++)
		names[i] = m->r.names[i];
	if (m->smc < 0)
		names[n++] = "smooth";
	rec_header(stdout, names, n);
	if (m->pendlen > 0)
		fwrite(m->pend, 1, m->pendlen, stdout);
	free(m->pend);
	m->pend = NULL;
	m->pendlen = m->pendcap = 0;
	m->started = 1;
}

/* Write "#@ stop reason=... step=... lr=... smooth=... best=...". */
static void
stopline(struct smoother *m, int verdict, double lr)
{
	printf("#@ stop reason=%s step=", smooth_reason(verdict));
	if (m->stepc >= 0)
		fputs(m->r.f[m->stepc], stdout);
	else
		printf("%ld", m->nrec - 1);
	fputs(" lr=", stdout);
	rec_putnum(stdout, lr);
	fputs(" smooth=", stdout);
	rec_putnum(stdout, m->s.value);
	fputs(" best=", stdout);
	rec_putnum(stdout, m->s.best);
	putchar('\n');
}

/* One data record: smooth it, write it, judge it. */
static void
record(struct smoother *m)
{
	double lr, loss, v;
	int i, verdict;

	if (!m->started)
		start(m);
	if (rec_lr(&m->r, m->lrc, &lr) < 0 ||
	    rec_num(&m->r, m->lossc, &loss) < 0)
		exit(EXIT_FAIL);
	m->nrec++;
	v = smooth_next(&m->s, loss);
	for (i = 0; i < m->r.nf; i++) {
		if (i > 0)
			putchar('\t');
		if (i == m->smc)
			rec_putnum(stdout, v);
		else
			fputs(m->r.f[i], stdout);
	}
	if (m->smc < 0) {
		putchar('\t');
		rec_putnum(stdout, v);
	}
	putchar('\n');
	verdict = smooth_verdict(&m->s);
	if (verdict != SMOOTH_GO && !m->marked) {
		stopline(m, verdict, lr);
		m->marked = 1;
		if (!m->keep)
			prog_exit(EXIT_OK);
	}
	if (ferror(stdout))
		prog_flush();
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "beta",	required_argument,	NULL, 'b' },
		{ "config",	required_argument,	NULL, 'c' },
		{ "diverge",	required_argument,	NULL, 'd' },
		{ "keep",	no_argument,		NULL, 'k' },
		{ "lr-col",	required_argument,	NULL, 'L' },
		{ "loss-col",	required_argument,	NULL, 'Y' },
		{ "help",	no_argument,		NULL, 'h' },
		PROG_SETOPT,
		PROG_VERSION_OPT,
		{ NULL,		0,			NULL, 0 }
	};
	struct prog_setargs setargs;
	struct prog_sets sets;
	struct smoother m;
	struct cfg cfg;
	const char *cfgfile, *path;
	double v;
	int c;
	FILE *fp;

	prog_init("lrf-smooth");
	argv[0] = (char *)prog;	/* getopt's messages name the program */
	memset(&m, 0, sizeof(m));
	m.lrspec = "lr";
	m.lossspec = "loss";
	cfgfile = NULL;
	sets.n = setargs.n = 0;
	while ((c = getopt_long(argc, argv, "b:c:d:hk",
	    prog_options(longopts), NULL)) != -1)
		switch (c) {
		case 'b':
			v = prog_double("-b", optarg);
			if (!(v >= 0 && v < 1))
				prog_usage("-b: '%s' is not in [0, 1)", optarg);
			prog_keep(&sets, "finder.beta", optarg);
			break;
		case 'c':
			cfgfile = optarg;
			break;
		case 'd':
			v = prog_double("-d", optarg);
			if (!(v > 1))
				prog_usage("-d: '%s' is not greater than 1",
				    optarg);
			prog_keep(&sets, "finder.diverge_threshold", optarg);
			break;
		case 'k':
			m.keep = 1;
			break;
		case PROG_SETCH:
			prog_setarg(&setargs, optarg);
			break;
		case 'L':
			m.lrspec = optarg;
			break;
		case 'Y':
			m.lossspec = optarg;
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
	if (argc > 1)
		prog_usage("too many operands");

	/* the defaults, the file, the flags */
	cfg_defaults(&cfg);
	if (cfgfile != NULL && cfg_load(&cfg, cfgfile) < 0)
		exit(EXIT_FAIL);
	prog_setapply(&setargs, &cfg);
	prog_apply(&sets, &cfg);
	if (smooth_init(&m.s, cfg.finder.beta,
	    cfg.finder.diverge_threshold) < 0)
		exit(EXIT_FAIL);	/* cfg_load has checked them too */

	path = argc == 1 ? argv[0] : "-";
	if (strcmp(path, "-") == 0) {
		fp = stdin;
		path = "stdin";
	} else if ((fp = fopen(path, "r")) == NULL) {
		err_set("%s: %s", path, strerror(errno));
		exit(EXIT_FAIL);
	}
	rec_open(&m.r, fp, path);
	rec_onwait(&m.r, prog_onwait, NULL);
	prog_stream();
	while ((c = rec_next(&m.r)) != REC_EOF) {
		if (c < 0)
			exit(EXIT_FAIL);
		if (c == REC_HEADER)
			start(&m);
		else if (c == REC_DATA)
			record(&m);
		else if (!m.started)
			pend(&m);
		else {
			fputs(m.r.raw, stdout);
			putchar('\n');
			if (ferror(stdout))
				prog_flush();
		}
	}
	if (m.nrec == 0) {
		err_set("%s: no records", m.r.name);
		prog_exit(EXIT_FAIL);
	}
	prog_exit(EXIT_OK);
}
