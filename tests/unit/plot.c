/* Unit tests for the gnuplot script writer (lib/plot.c). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "plot.h"
#include "tap.h"

static FILE *
text(const char *s)
{
	FILE *fp;

	fp = tmpfile();
	fputs(s, fp);
	rewind(fp);
	return fp;
}

/* plot_read on the text s, as file name. */
static int
readtext(struct plot *p, const char *s, const char *name, const char *label)
{
	FILE *fp;
	int r;

	fp = text(s);
	r = plot_read(p, fp, name, label);
	fclose(fp);
	return r;
}

/* Read s into a fresh plot with x column xcol; the result of plot_read. */
static int
readone(struct plot *p, const char *xcol, const char *s)
{
	plot_free(p);
	plot_init(p);
	p->xcol = xcol;
	return readtext(p, s, "t", NULL);
}

/* What plot_quote writes for s. */
static const char *
quoted(const char *s)
{
	static char buf[256];
	FILE *fp;
	size_t n;

	fp = tmpfile();
	plot_quote(fp, s);
	rewind(fp);
	n = fread(buf, 1, sizeof(buf) - 1, fp);
	buf[n] = '\0';
	fclose(fp);
	return buf;
}

/* The script for p, in a malloc'd string. */
static char *
script(const struct plot *p)
{
	char *s;
	long n;
	FILE *fp;

	fp = tmpfile();
	if (plot_write(fp, p) < 0) {
		fclose(fp);
		return NULL;
	}
	n = ftell(fp);
	rewind(fp);
	s = malloc((size_t)n + 1);
	s[fread(s, 1, (size_t)n, fp)] = '\0';
	fclose(fp);
	return s;
}

static const char curve[] =
    "# step\tlr\tloss\tsmooth\n"
    "#@ schedule mode=exp start=1e-05 end=1 num=9\n"
    "0\t1e-05\t3.2\t3.0\n"
    "1\t1e-04\t2.6\t2.9\n"
    "2\t1e-03\t3.0\t2.8\n"
    "3\t1e-02\t2.8\t2.7\n"
    "4\t1e-01\t2.4\t2.6\n"
    "5\t0.2\t1.5\t2.0\n"
    "6\t0.4\t0.9\t1.2\n"
    "7\t0.6\t8\t3.5\n"
    "8\t0.8\tnan\tinf\n"
    "#@ stop reason=diverged step=8 lr=0.8 smooth=inf best=1.2\n"
    "#@ suggest method=steep lr=0.002 loss=2.75\n";

int
main(void)
{
	struct plot p;
	struct plot_run *u;
	char buf[128], *s;
	double lo, hi;

	plan(135);

	/* terminals */
	is_int(plot_term("png"), PLOT_PNG, "png");
	is_int(plot_term("sixel"), PLOT_SIXEL, "sixel");
	is_int(plot_term("jpeg"), -1, "no jpeg");
	{
		char list[64];

		is_int(plot_termlist(list, sizeof(list)), 28, "termlist: length");
		is_str(list, "png, svg, pdf, dumb or sixel", "termlist");
	}
	is_int(plot_termfor("lr.png"), PLOT_PNG, ".png is png");
	is_int(plot_termfor("a/lr.svg"), PLOT_SVG, ".svg is svg");
	is_int(plot_termfor("lr.pdf"), PLOT_PDF, ".pdf is pdf");
	is_int(plot_termfor("lr.txt"), PLOT_DUMB, ".txt is dumb");
	is_int(plot_termfor("lr.six"), PLOT_SIXEL, ".six is sixel");
	is_int(plot_termfor("lr"), PLOT_PNG, "no suffix is png");
	is_int(plot_termfor(NULL), PLOT_DUMB, "no file is dumb");

	/* names */
	plot_name("runs/adam.tsv", buf, sizeof(buf));
	is_str(buf, "adam", "base name less .tsv");
	plot_name("-", buf, sizeof(buf));
	is_str(buf, "stdin", "- is stdin");
	plot_name("a/b/", buf, sizeof(buf));
	is_str(buf, "b", "trailing slash");
	plot_name("run.tsv.gz", buf, sizeof(buf));
	is_str(buf, "run.tsv.gz", "only a final .tsv goes");
	plot_name(".tsv", buf, sizeof(buf));
	is_str(buf, ".tsv", "a name that is all suffix stays");
	plot_name("abcdef", buf, 4);
	is_str(buf, "abc", "truncated to the buffer");

	/* mark labels */
	plot_fmtlr(buf, sizeof(buf), 0.002);
	is_str(buf, "2.0e-03", "0.002");
	plot_fmtlr(buf, sizeof(buf), 0.00125);
	is_str(buf, "1.25e-03", "1.25e-03 needs three digits");
	plot_fmtlr(buf, sizeof(buf), 0.0012345);
	is_str(buf, "1.2e-03", "four digits and more are rounded to two");
	plot_fmtlr(buf, sizeof(buf), 0.00204173794);
	is_str(buf, "2.0e-03", "a computed lr");
	plot_fmtlr(buf, sizeof(buf), 1);
	is_str(buf, "1.0e+00", "1");
	plot_fmtlr(buf, sizeof(buf), 3.375e-7);
	is_str(buf, "3.375e-07", "3.375e-07");

	/* quoting */
	is_str(quoted("lr.png"), "'lr.png'", "plain");
	is_str(quoted("it's"), "'it''s'", "single quote doubled");
	is_str(quoted("a\tb\nc"), "'a?b?c'", "controls become ?");
	is_str(quoted("$x `y` @z \"\\"), "'$x `y` @z \"\\'",
	    "nothing else is special in single quotes");
	is_int(plot_fileok("runs/lr finder.png"), 0, "blanks are fine");
	is_int(plot_fileok("a$b`c`\"d\\e.png"), 0, "so are $ ` \" \\");
	is_int(plot_fileok("it's.png"), -1, "a single quote is not");
	is_str(err_msg(), "output file 'it's.png': a single quote cannot be "
	    "quoted for gnuplot and the shell", "message");
	is_int(plot_fileok("a\nb.png"), -1, "nor is a newline");
	is_str(err_msg(), "output file name with a control character (byte "
	    "10) cannot be quoted for gnuplot and the shell", "message");
	is_int(plot_fileok(""), -1, "empty name");
	is_str(err_msg(), "output file name is empty", "message");

	/* reading a range test */
	plot_init(&p);
	is_int(readtext(&p, curve, "runs/a.tsv", NULL), 0, "read a curve");
	is_int(p.nrun, 1, "one run");
	u = p.run[0];
	is_str(u->name, "a", "named after the file");
	is_int((long)u->n, 9, "nine records");
	is_int(u->ny, 2, "loss and smooth");
	is_str(u->col[0], "loss", "column 1 is loss");
	is_int(u->kind[0], PLOT_RAW, "raw loss beside smooth");
	is_int(u->kind[1], PLOT_LINE, "smooth is a line");
	is_int(u->nfin[0], 8, "eight finite losses");
	is_int(u->nfin[1], 8, "eight finite smooth values");
	is_double(u->x[5], 0.2, 0, "x is lr");
	is_double(u->y[7 * 2], 8, 0, "loss at 7");
	ok(isnan(u->y[8 * 2]) && isnan(u->y[8 * 2 + 1]), "nan and inf are nan");
	is_int(p.nmark, 2, "stop and suggest marks");
	is_int(p.mark[0].kind, PLOT_STOP, "the stop first");
	is_double(p.mark[0].x, 0.8, 0, "stop at lr 0.8");
	ok(isnan(p.mark[0].y), "smooth=inf is no place");
	is_str(p.mark[0].what, "diverged", "stop reason");
	is_int(p.mark[1].kind, PLOT_SUGGEST, "then the suggestion");
	is_double(p.mark[1].y, 2.75, 0, "at its loss");
	is_str(p.mark[1].what, "steep", "method");

	/*
	 * The y range: min 0.9 (raw), start 3.2 (the highest of the first
	 * five raw losses; 8 in the tail is cut); two label rows (the
	 * suggestion, the stop above the range) put the start at 87.5% - 6%
	 * of the height.
	 */
	ok(plot_yrange(&p, &lo, &hi) == 0, "y range");
	/*
	 * The range in double, here and below: t = top - min, a quotient,
	 * a product and a sum, and the want's own: <= 8 roundings of terms
	 * <= |top| + 2 t (< 60 in these tests): 8u 60 = 5e-14; 1e-12
	 * leaves room.  lo == -0.05 and the x range are exact (0 - 0.05 *
	 * 1; values read and returned as they are).
	 */
	is_double(lo, 0.9 - 0.05 * 2.3, 1e-12, "5% below the minimum");
	is_double(hi, 3.2 + (1.05 / 0.815 - 1.05) * 2.3, 1e-12,
	    "room for two label rows above the start");
	ok(plot_xrange(&p, &lo, &hi) == 0 && lo == 1e-5 && hi == 0.8,
	    "x range");
	plot_label(&p, 0, buf, sizeof(buf));
	is_str(buf, "stopped: diverged", "stop label");
	plot_label(&p, 1, buf, sizeof(buf));
	is_str(buf, "suggested 2.0e-03", "one suggestion");
	plot_addmark(&p, 1e-6);
	ok(plot_xrange(&p, &lo, &hi) == 0 && lo == 1e-6, "marks widen x");
	plot_label(&p, 2, buf, sizeof(buf));
	is_str(buf, "lr = 1.0e-06", "--mark label");

	/* a second run: names, labels of several methods */
	is_int(readtext(&p, "# lr loss\n#@ suggest method=valley lr=0.01 "
	    "loss=1\n0.001 2\n0.01 1\n", "other/a.tsv", NULL), 0,
	    "second run");
	is_int(p.nmark, 4, "its mark");
	plot_label(&p, 1, buf, sizeof(buf));
	is_str(buf, "a: steep 2.0e-03", "run and method");
	plot_label(&p, 3, buf, sizeof(buf));
	is_str(buf, "a: valley 1.0e-02", "run and method");
	is_int(p.run[1]->kind[0], PLOT_LINE, "loss alone is a line");
	plot_uniq(&p);
	is_str(p.run[0]->name, "runs/a", "same names get their directory");
	is_str(p.run[1]->name, "other/a", "both of them");
	is_int(readtext(&p, "0.1 1\n0.2 2\n", "a.tsv", NULL), 0, "third");
	is_int(readtext(&p, "0.1 1\n0.2 2\n", "a.tsv", NULL), 0, "fourth");
	is_int(readtext(&p, "0.1 1\n0.2 2\n", "a.tsv", "mine"), 0, "named");
	plot_uniq(&p);
	is_str(p.run[2]->name, "a (3)", "no directory: numbered");
	is_str(p.run[3]->name, "a (4)", "numbered");
	is_str(p.run[4]->name, "mine", "a name given stays");
	is_str(p.run[0]->name, "runs/a", "unique names stay");

	/* the script */
	plot_free(&p);
	plot_init(&p);
	readtext(&p, curve, "t", NULL);
	p.out = "lr.png";
	s = script(&p);
	ok(s != NULL && strstr(s, "set yrange [0.785:3.74819018]\n") != NULL,
	    "script: y range");
	ok(s != NULL && strstr(s, "set terminal pngcairo size 1000,600 ")
	    != NULL, "script: png at 1000x600");
	ok(s != NULL && strstr(s, "\n0.8\tNaN\tNaN\nEOD\n") != NULL,
	    "script: nan and inf as NaN");
	ok(s != NULL && strstr(s, "set output lrf_tmp\n") != NULL &&
	    strstr(s, "lrf_out = 'lr.png'\n") != NULL, "script: temporary output");
	ok(s != NULL && strstr(s, "'suggested 2.0e-03' at 0.002,graph 0.95 ")
	    != NULL, "script: suggestion label");
	ok(s != NULL && strstr(s, "set arrow 1 from 0.002,graph 0 to 0.002,"
	    "graph 1 nohead dt 2") != NULL, "script: dashed line");
	free(s);
	p.out = NULL;
	p.term = PLOT_DUMB;
	p.width = 80;
	p.height = 24;
	p.ylim[1] = 5;
	s = script(&p);
	ok(s != NULL && strstr(s, "set output") == NULL &&
	    strstr(s, "mv -f") == NULL, "script without -o: stdout");
	ok(s != NULL && strstr(s, "set terminal dumb size 80,24\n") != NULL,
	    "script: dumb 80x24");
	ok(s != NULL && strstr(s, "set yrange [0.785:5]\n") != NULL,
	    "script: --ylim :5");
	free(s);
	p.ylim[1] = NAN;
	p.ylim[0] = 4;
	s = script(&p);
	ok(s != NULL && strstr(s, "set yrange [4:*]\n") != NULL,
	    "script: --ylim above the automatic top");
	free(s);

	/* y ranges */
	ok(readone(&p, "lr", "1 2\n2 2\n3 2\n") == 0 &&
	    plot_yrange(&p, &lo, &hi) == 0, "flat curve");
	is_double(lo, 2 - 0.05 * 2, 1e-12, "flat: 5% of its value below");
	is_double(hi, 2 + 0.15 * 2, 1e-12, "flat: 15% above");
	ok(readone(&p, "lr", "1 0\n2 0\n") == 0 &&
	    plot_yrange(&p, &lo, &hi) == 0 && lo == -0.05 &&
	    fabs(hi - 0.15) < 1e-12, "zero curve: a span of 1");
	ok(readone(&p, "lr", "1 3\n2 2\n3 1\n#@ suggest lr=2\n") == 0 &&
	    plot_yrange(&p, &lo, &hi) == 0, "one mark");
	is_double(hi, 3 + 0.15 * 2, 1e-12, "one label row: 15% above");
	plot_addmark(&p, 2.5);
	plot_addmark(&p, 1.5);
	p.xlim[1] = 2.2;
	ok(plot_yrange(&p, &lo, &hi) == 0, "three marks, one outside");
	is_double(hi, 3 + (1.05 / 0.815 - 1.05) * 2, 1e-12, "two rows");
	ok(readone(&p, "lr", "1 3\n2 3\n3 4\n4 3.5\n5 9\n6 20\n7 2\n") == 0 &&
	    plot_yrange(&p, &lo, &hi) == 0, "a curve that rises early");
	is_double(hi, 9 + 0.15 * 7, 1e-12, "cut above its first five");
	ok(readone(&p, "lr", "1 3\n2 3\n3 3\n4 3\n5 3\n6 4\n7 20\n") == 0 &&
	    plot_yrange(&p, &lo, &hi) == 0, "a curve that never falls");
	is_double(hi, 20 + 0.15 * 17, 1e-12, "shown up to its maximum");
	ok(readone(&p, "step", "# step loss val_acc\n0 2 nan\n1 1 0.5\n"
	    "2 0.5 0.75\n") == 0 && plot_yrange(&p, &lo, &hi) == 0,
	    "an accuracy");
	is_int(p.run[0]->kind[1], PLOT_Y2, "on the second axis");
	is_double(hi, 2 + 0.15 * 1.5, 1e-12, "not in the first axis' range");
	plot_free(&p);
	plot_init(&p);
	p.xcol = "step";
	p.ycol[0] = "val_acc";
	p.ny = 1;
	ok(readtext(&p, "# step val_acc\n0 0.5\n1 0.75\n", "t", NULL) == 0 &&
	    plot_yrange(&p, &lo, &hi) == 0 && lo == 0.5 - 0.05 * 0.25,
	    "an accuracy alone is on the first axis");
	s = script(&p);
	ok(s != NULL && strstr(s, "y2") == NULL, "with no second axis");
	free(s);

	/* defaults by x column */
	ok(readone(&p, "step", "# step lr loss smooth val_loss val_acc "
	    "grad_norm\n0 1 2 3 4 0.5 6\n") == 0, "a training run");
	u = p.run[0];
	ok(u->ny == 4 && strcmp(u->col[2], "val_loss") == 0 &&
	    u->kind[2] == PLOT_VAL && u->kind[3] == PLOT_Y2,
	    "-x step: loss, smooth, val_loss, val_acc");
	ok(readone(&p, "lr", "# step lr loss smooth val_loss val_acc\n"
	    "0 1 2 3 4 0.5\n") == 0 && p.run[0]->ny == 3 &&
	    strcmp(p.run[0]->col[2], "val_loss") == 0 &&
	    p.run[0]->kind[2] == PLOT_VAL, "-x lr: loss, smooth, val_loss "
	    "(dashed), no val_acc");
	plot_free(&p);
	plot_init(&p);
	p.ycol[0] = "grad_norm";
	p.ycol[1] = "loss";
	p.ycol[2] = "grad_norm";
	p.ny = 3;
	ok(readtext(&p, "# lr loss grad_norm\n1 2 3\n", "t", NULL) == 0 &&
	    p.run[0]->ny == 2 && strcmp(p.run[0]->col[0], "grad_norm") == 0 &&
	    p.run[0]->kind[1] == PLOT_LINE, "-y columns, repeats ignored");

	/* bad input */
	is_int(readone(&p, "lr", "# step lr\n0 1\n"), -1, "no loss column");
	is_str(err_msg(), "t:2: no column 'loss' (columns: step lr)",
	    "message");
	is_int(readone(&p, "step", "1 2\n"), -1, "no step column");
	is_str(err_msg(), "t:1: no column 'step' (columns: lr loss)",
	    "message");
	is_int(readone(&p, "lr", "# lr loss\n"), -1, "header only");
	is_str(err_msg(), "t: no data records", "message");
	is_int(readone(&p, "lr", ""), -1, "empty");
	is_str(err_msg(), "t: no data records", "message");
	is_int(readone(&p, "lr", "1 2\n0 2\n"), -1, "lr 0");
	is_str(err_msg(), "t:2: learning rate '0' is not positive and finite",
	    "message");
	is_int(readone(&p, "step", "# step loss\n0 1\nnan 2\n"), -1,
	    "step nan");
	is_str(err_msg(), "t:3: step 'nan' is not finite", "message");
	is_int(readone(&p, "lr", "1 x\n"), -1, "garbage loss");
	is_str(err_msg(), "t:1: field 2 'x' is not a number", "message");
	is_int(readone(&p, "lr", "# lr loss smooth\n1 nan inf\n2 nan nan\n"),
	    -1, "nothing finite");
	is_str(err_msg(), "t: no finite value to plot (columns loss smooth)",
	    "message");
	is_int(readone(&p, "lr", "1 2\n#@ suggest method=steep lr=abc\n"),
	    -1, "bad suggest lr");
	is_str(err_msg(), "t:2: lr=abc is not a positive learning rate",
	    "message");
	is_int(p.nmark, 0, "no mark left behind");
	is_int(readone(&p, "step", "# step loss\n0 1\n#@ stop step=x\n"),
	    -1, "bad stop step");
	is_str(err_msg(), "t:3: step=x is not a finite number", "message");
	is_int(readone(&p, "step", "# step loss\n0 1\n#@ suggest lr=0.1\n"),
	    0, "a suggestion has no step: skipped");
	is_int(p.nmark, 0, "no mark");

	plot_free(&p);
	plot_init(&p);
	ok(script(&p) == NULL, "nothing to plot");
	is_str(err_msg(), "no data to plot", "message");
	return done();
}
