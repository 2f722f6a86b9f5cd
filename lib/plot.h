/*
 * plot.h - collect record streams and write them as a gnuplot script.
 *
 * A plot holds runs (one per input stream: an x column and one or more
 * y columns, each a curve) and marks (vertical lines at an x position:
 * "#@ suggest" lines, --mark values and "#@ stop" points).  plot_write
 * turns them into one self-contained script with the data inlined as
 * datablocks, so that "lrf-plot run.tsv | gnuplot" needs no other file.
 */
#ifndef LRF_PLOT_H
#define LRF_PLOT_H

#include <stddef.h>
#include <stdio.h>

#define PLOT_MAXY	8		/* y columns of one run */
#define PLOT_MAXROWS	1000000		/* records of all runs */
#define PLOT_MAXRUNS	64		/* input streams */
#define PLOT_MAXMARKS	256		/* marks of all kinds */

/* Terminals, as -T names them. */
enum { PLOT_PNG, PLOT_SVG, PLOT_PDF, PLOT_DUMB, PLOT_SIXEL };

/* What a curve is, which decides how it is drawn. */
enum {
	PLOT_RAW,		/* raw loss beside a smooth column: faint */
	PLOT_LINE,		/* a solid curve on the y axis */
	PLOT_VAL,		/* val_loss: dashed */
	PLOT_Y2,		/* an accuracy on the second y axis */
	PLOT_BAND		/* lo and hi of a mean of runs (lrf-suggest -a
				   on several): a shaded band, no curve */
};

/* What a mark is. */
enum { PLOT_SUGGEST, PLOT_MARK, PLOT_STOP };

struct plot_run {
	char	*name;			/* in the key */
	char	*file;			/* for messages */
	int	 autoname;		/* name made from the file name */
	int	 ny;			/* y columns */
	char	*col[PLOT_MAXY];	/* their names */
	int	 kind[PLOT_MAXY];	/* PLOT_RAW ... PLOT_Y2 */
	int	 nfin[PLOT_MAXY];	/* finite values in each */
	int	 loss;			/* the raw loss column among them, or -1 */
	size_t	 n, cap;		/* records, allocated */
	double	*x;			/* (n) */
	double	*y;			/* (n, ny); nan for non-finite */
	/* what made it, from lrf-train's #@ lines, for the subtitle:
	 * "" where the stream does not say */
	char	 layers[96];		/* "dense 32 relu, dense 4" */
	char	 params[24];		/* #@ model params= */
	char	 opt[24];		/* #@ model optimizer= */
	char	 batch[24];		/* #@ run batch_size= */
	char	 data[64];		/* "synthetic 512x8" */
};

struct plot_mark {
	int	 kind;			/* PLOT_SUGGEST, PLOT_MARK, PLOT_STOP */
	int	 run;			/* index of its run; -1 for --mark */
	double	 x;			/* position on the x axis */
	double	 y;			/* loss there, or nan */
	char	 what[32];		/* method or stop reason; may be "" */
};

struct plot {
	/* settings: plot_init fills the defaults */
	const char *xcol;		/* x column: "lr" (log scale) or any */
	const char *lrcol;		/* the lr column when xcol is "lr" */
	const char *losscol;		/* the raw loss column */
	const char *ycol[PLOT_MAXY];	/* y columns asked for; ny == 0: default */
	int	 ny;
	int	 term;			/* PLOT_PNG ... */
	double	 width, height;		/* terminal size; 0: the default */
	const char *out;		/* output file, or NULL for stdout */
	const char *title;		/* NULL: default, "": none */
	double	 xlim[2], ylim[2];	/* nan: automatic */

	/* collected */
	struct plot_run *run[PLOT_MAXRUNS];
	int	 nrun;
	size_t	 nrows;			/* records of all runs */
	struct plot_mark mark[PLOT_MAXMARKS];
	int	 nmark;
};

/* Fill in the defaults: x lr, png at its default size, no output file. */
void plot_init(struct plot *p);

/* Free the runs; the settings stay. */
void plot_free(struct plot *p);

/* The terminal named s ("png", "svg", "pdf", "dumb", "sixel"), or -1. */
int plot_term(const char *s);

/* The terminals' names for a message, snprintf-style: "png, svg, pdf,
 * dumb or sixel". */
int plot_termlist(char *buf, size_t size);

/* The terminal an output file name implies: by its suffix, png if none. */
int plot_termfor(const char *out);

/*
 * Read a whole record stream as a new run, named name (NULL: from file),
 * with its "#@ suggest" and "#@ stop" lines as marks.  Returns 0, or -1
 * with "file:line: what" set for bad input, a missing column, no data,
 * no finite y value at all, or too many runs, records or marks.
 */
int plot_read(struct plot *p, FILE *fp, const char *file, const char *name);

/*
 * Make the automatic names of runs unique: a name shared with another
 * run gets its directory in front ("adam/records"), then " (N)" with N
 * the run's number if that is not enough.
 */
void plot_uniq(struct plot *p);

/* Add a --mark at x (positive for a log x axis).  0, or -1 when full. */
int plot_addmark(struct plot *p, double x);

/*
 * The automatic y range of the first y axis (see lrf-plot(1)): from the
 * lowest value of its curves to the highest of their starting values
 * (the highest of a curve's first five finite values), or to their
 * highest value if nothing falls below the start; widened by 5% of that
 * span below and 15% above.  Returns 0, or -1 if there is no finite value.
 */
int plot_yrange(const struct plot *p, double *lo, double *hi);

/* The x range covering every run and mark; -1 if there is none. */
int plot_xrange(const struct plot *p, double *lo, double *hi);

/*
 * A mark's value for its label: the shortest of %.1e, %.2e, %.3e that
 * reads back as v exactly, else %.1e ("2.0e-03", "1.25e-03").  Returns
 * the length, as snprintf.
 */
int plot_fmtlr(char *buf, size_t n, double v);

/* The label of mark i: "suggested 2.0e-03", "adam: steep 1.0e-02", ... */
void plot_label(const struct plot *p, int i, char *buf, size_t n);

/*
 * The subtitle of run i, from the #@ lines lrf-train writes: "dense 32
 * relu, dense 4 (420 params) | sgd | batch 32 | synthetic 512x8", each
 * part only when the stream has it; "" when it has none.
 */
void plot_about(const struct plot *p, int i, char *buf, size_t n);

/* The key name for a file: its base name less ".tsv"; "stdin" for "-". */
void plot_name(const char *file, char *buf, size_t n);

/* Write s as a single-quoted gnuplot string: ' doubled, controls as '?'. */
void plot_quote(FILE *fp, const char *s);

/*
 * Check that an output file name can be quoted for gnuplot and for the
 * shell: not empty, no single quote, no control character.  0, or -1
 * with "'name': ..." set.
 */
int plot_fileok(const char *s);

/*
 * Write the gnuplot script to fp.  With an output file it makes gnuplot
 * render into a temporary name beside it and rename that into place
 * when done.  Returns 0, or -1 with a message set when there is nothing
 * to plot.  Write errors are left for the caller to see in fp.
 */
int plot_write(FILE *fp, const struct plot *p);

#endif
