/* lrf-plot - write a gnuplot script that draws record streams. */
#include <sys/stat.h>

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plot.h"
#include "prog.h"

static void
usage(FILE *fp)
{
	fputs("usage: lrf-plot [-T term] [-o file] [-s WxH] [-t title] "
	    "[-x col] [-y col[,col]]\n"
	    "                [-m x] [-l name] [--xlim lo:hi] [--ylim lo:hi] "
	    "[--lr-col col]\n"
	    "                [--loss-col col] [file ...]\n"
	    "  -T, --term term     png, svg, pdf, dumb or sixel [from -o's "
	    "suffix, else dumb]\n"
	    "  -o, --output file   gnuplot renders into file, atomically "
	    "[its stdout]\n"
	    "  -s, --size WxH      pixels; characters for dumb, inches for "
	    "pdf [1000x600;\n"
	    "                      sixel 800x480, dumb 100x30, pdf 8x5]\n"
	    "  -t, --title title   title, '' for none "
	    "[Learning-rate range test]\n"
	    "  -x, --x col         x column: lr (log scale) or another, e.g. "
	    "step [lr]\n"
	    "  -y, --y col,...     y columns [loss, smooth; with -x step also "
	    "val_loss,\n"
	    "                      val_acc]\n"
	    "  -m, --mark x        a dashed line at x, repeatable\n"
	    "  -l, --name name     the next file's name in the key, repeatable "
	    "[file name]\n"
	    "  --xlim lo:hi        x range, either side may be empty [the data]\n"
	    "  --ylim lo:hi        y range, either side may be empty "
	    "[see lrf-plot(1)]\n"
	    "  --lr-col col        lr column, by name or number [lr]\n"
	    "  --loss-col col      raw loss column, by name or number [loss]\n"
	    "  -h, --help          this help\n"
	    "  --version           print the version and exit\n", fp);
}

/* "lo:hi" with either side empty; lim[] is nan where empty. */
static void
parse_lim(const char *opt, const char *arg, double *lim)
{
	char buf[128], *colon;

	if (strlen(arg) >= sizeof(buf) || (colon = strchr(arg, ':')) == NULL ||
	    strchr(colon + 1, ':') != NULL)
		prog_usage("%s: '%s' is not lo:hi", opt, arg);
	memcpy(buf, arg, strlen(arg) + 1);
	buf[colon - arg] = '\0';
	lim[0] = buf[0] != '\0' ? prog_double(opt, buf) : NAN;
	lim[1] = colon[1] != '\0' ? prog_double(opt, colon + 1) : NAN;
	if (lim[0] >= lim[1])
		prog_usage("%s: '%s': lo is not below hi", opt, arg);
}

/* "WxH": whole numbers in [10, 10000], or inches in [0.5, 200] for pdf. */
static void
parse_size(const char *arg, int term, double *w, double *h)
{
	char buf[64], *x;
	double v[2];
	int i;

	if (strlen(arg) >= sizeof(buf) || (x = strchr(arg, 'x')) == NULL)
		prog_usage("-s: '%s' is not WxH", arg);
	memcpy(buf, arg, strlen(arg) + 1);
	buf[x - arg] = '\0';
	if (num_double(buf, &v[0]) != NUM_OK || num_double(x + 1, &v[1]) !=
	    NUM_OK || !isfinite(v[0]) || !isfinite(v[1]))
		prog_usage("-s: '%s' is not WxH", arg);
	for (i = 0; i < 2; i++) {
		if (term == PLOT_PDF && (v[i] < 0.5 || v[i] > 200))
			prog_usage("-s: '%s': inches must lie in [0.5, 200]",
			    arg);
		if (term != PLOT_PDF && (v[i] != floor(v[i]) || v[i] < 10 ||
		    v[i] > 10000))
			prog_usage("-s: '%s': sizes must be whole numbers in "
			    "[10, 10000]", arg);
	}
	*w = v[0];
	*h = v[1];
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "term", required_argument, NULL, 'T' },
		{ "output", required_argument, NULL, 'o' },
		{ "size", required_argument, NULL, 's' },
		{ "title", required_argument, NULL, 't' },
		{ "x", required_argument, NULL, 'x' },
		{ "y", required_argument, NULL, 'y' },
		{ "mark", required_argument, NULL, 'm' },
		{ "name", required_argument, NULL, 'l' },
		{ "xlim", required_argument, NULL, 'X' },
		{ "ylim", required_argument, NULL, 'Y' },
		{ "lr-col", required_argument, NULL, 'L' },
		{ "loss-col", required_argument, NULL, 'C' },
		{ "help", no_argument, NULL, 'h' },
		PROG_VERSION_OPT,
		{ NULL, 0, NULL, 0 }
	};
	static struct plot p;
	const char *names[PLOT_MAXRUNS], *size, *file;
	char *ybuf[PLOT_MAXY], *s, *tok;
	const char *marks[PLOT_MAXMARKS];
	char terms[64];
	double v;
	struct stat st;
	FILE *fp;
	int c, i, nnames, nmarks, nybuf, nfiles, status;

	prog_init("lrf-plot");
	argv[0] = (char *)prog;	/* getopt's messages name the program */
	plot_init(&p);
	p.term = -1;
	size = NULL;
	nnames = nmarks = nybuf = 0;
	while ((c = getopt_long(argc, argv, "T:o:s:t:x:y:m:l:h",
	    prog_options(longopts), NULL)) != -1) {
		switch (c) {
		case 'T':
			if ((p.term = plot_term(optarg)) < 0) {
				plot_termlist(terms, sizeof(terms));
				prog_usage("-T: '%s' is not %s", optarg, terms);
			}
			break;
		case 'o':
			if (plot_fileok(optarg) < 0)
				prog_usage(NULL);
			if (stat(optarg, &st) == 0 && S_ISDIR(st.st_mode))
				prog_usage("-o: '%s' is a directory", optarg);
			p.out = optarg;
			break;
		case 's':
			size = optarg;
			break;
		case 't':
			p.title = optarg;
			break;
		case 'x':
			p.xcol = optarg;
			break;
		case 'y':
			if (nybuf == PLOT_MAXY)
				prog_usage("-y: more than %d columns",
				    PLOT_MAXY);
			if ((s = strdup(optarg)) == NULL) {
				err_set("out of memory");
				exit(EXIT_FAIL);
			}
			ybuf[nybuf++] = s;
			for (tok = strtok(s, ","); tok != NULL;
			    tok = strtok(NULL, ",")) {
				if (p.ny == PLOT_MAXY)
					prog_usage("-y: more than %d columns",
					    PLOT_MAXY);
				p.ycol[p.ny++] = tok;
			}
			if (p.ny == 0)
				prog_usage("-y: '%s' names no column", optarg);
			break;
		case 'm':
			if (nmarks == PLOT_MAXMARKS)
				prog_usage("-m: more than %d marks",
				    PLOT_MAXMARKS);
			marks[nmarks++] = optarg;
			break;
		case 'l':
			if (nnames == PLOT_MAXRUNS)
				prog_usage("-l: more than %d names",
				    PLOT_MAXRUNS);
			names[nnames++] = optarg;
			break;
		case 'X':
			parse_lim("--xlim", optarg, p.xlim);
			break;
		case 'Y':
			parse_lim("--ylim", optarg, p.ylim);
			break;
		case 'L':
			p.lrcol = optarg;
			break;
		case 'C':
			p.losscol = optarg;
			break;
		case 'h':
			usage(stdout);
			prog_exit(EXIT_OK);
		case PROG_VERSION:
			prog_version();
		default:
			prog_usage(NULL);
		}
	}
	argc -= optind;
	argv += optind;
	nfiles = argc > 0 ? argc : 1;
	if (nfiles > PLOT_MAXRUNS)
		prog_usage("more than %d files", PLOT_MAXRUNS);
	if (nnames > nfiles)
		prog_usage("-l: %d names for %d file%s", nnames, nfiles,
		    nfiles > 1 ? "s" : "");
	if (p.term < 0)
		p.term = plot_termfor(p.out);
	if (size != NULL)
		parse_size(size, p.term, &p.width, &p.height);
	for (i = 0; i < nmarks; i++) {
		v = prog_double("-m", marks[i]);
		if (strcmp(p.xcol, "lr") == 0 && !(v > 0))
			prog_usage("-m: '%s' is not a positive learning rate",
			    marks[i]);
	}
	if (strcmp(p.xcol, "lr") == 0 && (p.xlim[0] <= 0 || p.xlim[1] <= 0))
		prog_usage("--xlim: a log-scale learning rate range must be "
		    "positive");

	status = EXIT_OK;
	for (i = 0; i < nfiles && status == EXIT_OK; i++) {
		file = argc > 0 ? argv[i] : "-";
		if (strcmp(file, "-") == 0) {
			if (plot_read(&p, stdin, "stdin", i < nnames ?
			    names[i] : NULL) < 0)
				status = EXIT_FAIL;
			continue;
		}
		if ((fp = fopen(file, "r")) == NULL) {
			err_set("%s: %s", file, strerror(errno));
			status = EXIT_FAIL;
			continue;
		}
		if (plot_read(&p, fp, file, i < nnames ? names[i] : NULL) < 0)
			status = EXIT_FAIL;
		fclose(fp);
	}
	/* after the files' marks, so that their suggestions come first */
	for (i = 0; i < nmarks && status == EXIT_OK; i++)
		if (plot_addmark(&p, prog_double("-m", marks[i])) < 0)
			status = EXIT_FAIL;
	if (status == EXIT_OK) {
		plot_uniq(&p);
		if (plot_write(stdout, &p) < 0)
			status = EXIT_FAIL;
	}
	plot_free(&p);
	for (i = 0; i < nybuf; i++)
		free(ybuf[i]);
	prog_exit(status);
}
