/* plot.c - collect record streams and write them as a gnuplot script. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "num.h"
#include "plot.h"
#include "rec.h"

/*
 * Tableau colours less red, which marks a single run's suggestion, then
 * their light twins and two dark ones: 20 that an overlay of 20 runs
 * does not repeat; past 20 the dash type changes (dashes()).
 */
static const char *palette[] = {
	"#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b",
	"#e377c2", "#7f7f7f", "#bcbd22", "#17becf",
	"#aec7e8", "#ffbb78", "#98df8a", "#c5b0d5", "#c49c94",
	"#f7b6d2", "#c7c7c7", "#dbdb8d", "#9edae5", "#393b79", "#637939"
};
#define NPALETTE	(int)(sizeof(palette) / sizeof(palette[0]))

static const char *markpalette[] = {
	"#d62728", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22"
};
#define NMARKPALETTE	(int)(sizeof(markpalette) / sizeof(markpalette[0]))

#define STOPCOLOR	"#404040"

static const struct {
	const char *name;
	double	 w, h;		/* default size */
} terms[] = {
	[PLOT_PNG] = { "png", 1000, 600 },
	[PLOT_SVG] = { "svg", 1000, 600 },
	[PLOT_PDF] = { "pdf", 8, 5 },
	[PLOT_DUMB] = { "dumb", 100, 30 },
	[PLOT_SIXEL] = { "sixel", 800, 480 }
};
#define NTERMS	(int)(sizeof(terms) / sizeof(terms[0]))

void
plot_init(struct plot *p)
{
	memset(p, 0, sizeof(*p));
	p->xcol = "lr";
	p->lrcol = "lr";
	p->losscol = "loss";
	p->term = PLOT_PNG;
	p->xlim[0] = p->xlim[1] = NAN;
	p->ylim[0] = p->ylim[1] = NAN;
}

static void
freerun(struct plot_run *u)
{
	int j;

	if (u == NULL)
		return;
	free(u->name);
	free(u->file);
	for (j = 0; j < u->ny; j++)
		free(u->col[j]);
	free(u->x);
	free(u->y);
	free(u);
}

void
plot_free(struct plot *p)
{
	int i;

	for (i = 0; i < p->nrun; i++)
		freerun(p->run[i]);
	p->nrun = 0;
	p->nmark = 0;
	p->nrows = 0;
}

int
plot_term(const char *s)
{
	int i;

	for (i = 0; i < NTERMS; i++)
		if (strcmp(s, terms[i].name) == 0)
			return i;
	return -1;
}

int
plot_termlist(char *buf, size_t size)
{
	size_t len;
	int i, k;

	len = 0;
	if (size > 0)
		buf[0] = '\0';
	for (i = 0; i < NTERMS; i++) {
		k = snprintf(len < size ? buf + len : NULL, len < size ?
		    size - len : 0, "%s%s", i == 0 ? "" : i == NTERMS - 1 ?
		    " or " : ", ", terms[i].name);
		if (k > 0)
			len += (size_t)k;
	}
	return (int)len;
}

int
plot_termfor(const char *out)
{
	static const struct {
		const char *suffix;
		int	 term;
	} sfx[] = {
		{ ".png", PLOT_PNG }, { ".svg", PLOT_SVG },
		{ ".pdf", PLOT_PDF }, { ".txt", PLOT_DUMB },
		{ ".six", PLOT_SIXEL }, { ".sixel", PLOT_SIXEL }
	};
	size_t i, n, k;

	if (out == NULL)
		return PLOT_DUMB;
	n = strlen(out);
	for (i = 0; i < sizeof(sfx) / sizeof(sfx[0]); i++) {
		k = strlen(sfx[i].suffix);
		if (n > k && strcmp(out + n - k, sfx[i].suffix) == 0)
			return sfx[i].term;
	}
	return PLOT_PNG;
}

void
plot_name(const char *file, char *buf, size_t n)
{
	const char *b;
	size_t len;

	if (n == 0)
		return;
	if (strcmp(file, "-") == 0)
		file = "stdin";
	len = strlen(file);
	while (len > 1 && file[len - 1] == '/')
		len--;
	for (b = file + len; b > file && b[-1] != '/'; b--)
		;
	len -= (size_t)(b - file);
	if (len > 4 && strncmp(b + len - 4, ".tsv", 4) == 0)
		len -= 4;
	if (len >= n)
		len = n - 1;
	memcpy(buf, b, len);
	buf[len] = '\0';
}

/*
 * Metadata: a "#@ suggest" or "#@ stop" line that carries the x column's
 * key (lr=, step=) becomes a mark of run i (u, being read); lrf-train's
 * lines say what made it (about()).  Lines without the key are
 * not for this axis and are skipped; a key that is not a number is an
 * error.
 */
/* lrf-train's #@ layer, model, run and data lines: what made run u. */
static void
about(struct plot_run *u, const char *line)
{
	char t[32], o[32], a[32], n[32], d[32], piece[112];
	size_t len;

	if (rec_meta_is(line, "layer") &&
	    rec_meta_get(line, "type", t, sizeof(t)) == 0) {
		if (rec_meta_get(line, "out", o, sizeof(o)) < 0)
			o[0] = '\0';
		if (rec_meta_get(line, "activation", a, sizeof(a)) < 0 ||
		    strcmp(a, "identity") == 0)
			a[0] = '\0';
		len = strlen(u->layers);
		if (len >= 3 && strcmp(u->layers + len - 3, "...") == 0)
			return;
		snprintf(piece, sizeof(piece), "%s%s%s%s%s%s", len ? ", " : "",
		    t, o[0] ? " " : "", o, a[0] ? " " : "", a);
		/* a deep model: its first layers, then "..." */
		if (len + strlen(piece) + 6 > sizeof(u->layers))
			memcpy(piece, ", ...", 6);
		memcpy(u->layers + len, piece, strlen(piece) + 1);
	} else if (rec_meta_is(line, "model")) {
		if (rec_meta_get(line, "params", u->params,
		    sizeof(u->params)) < 0)
			u->params[0] = '\0';
		if (rec_meta_get(line, "optimizer", u->opt, sizeof(u->opt)) < 0)
			u->opt[0] = '\0';
	} else if (rec_meta_is(line, "run")) {
		if (rec_meta_get(line, "batch_size", u->batch,
		    sizeof(u->batch)) < 0)
			u->batch[0] = '\0';
	} else if (rec_meta_is(line, "data") &&
	    rec_meta_get(line, "format", t, sizeof(t)) == 0) {
		if (rec_meta_get(line, "n", n, sizeof(n)) == 0 &&
		    rec_meta_get(line, "d", d, sizeof(d)) == 0)
			snprintf(u->data, sizeof(u->data), "%.24s %.16sx%.16s",
			    t, n, d);
		else
			snprintf(u->data, sizeof(u->data), "%s", t);
	}
}

void
plot_about(const struct plot *p, int i, char *buf, size_t n)
{
	const struct plot_run *u;
	size_t off;

	u = p->run[i];
	off = 0;
	buf[0] = '\0';
#define PART(...) do { if (off < n) off += (size_t)snprintf(buf + off, \
	n - off, __VA_ARGS__); } while (0)
	if (u->layers[0])
		PART("%s", u->layers);
	if (u->params[0])
		PART("%s(%s params)", off ? " " : "", u->params);
	if (u->opt[0])
		PART("%s%s", off ? " | " : "", u->opt);
	if (u->batch[0])
		PART("%sbatch %s", off ? " | " : "", u->batch);
	if (u->data[0])
		PART("%s%s", off ? " | " : "", u->data);
#undef PART
}

static int
meta(struct plot *p, struct rec_reader *r, int i, struct plot_run *u)
{
	struct plot_mark *m;
	char buf[64];
	const char *key;
	double x;
	int kind;

	about(u, r->raw);
	if (rec_meta_is(r->raw, "suggest"))
		kind = PLOT_SUGGEST;
	else if (rec_meta_is(r->raw, "stop"))
		kind = PLOT_STOP;
	else
		return 0;
	key = strcmp(p->xcol, "lr") == 0 ? "lr" : p->xcol;
	if (rec_meta_get(r->raw, key, buf, sizeof(buf)) < 0)
		return 0;
	if (num_double(buf, &x) != NUM_OK || !isfinite(x) ||
	    (strcmp(key, "lr") == 0 && !(x > 0)))
		return err_set("%s:%ld: %s=%s is not a %s", r->name,
		    r->lineno, key, buf, strcmp(key, "lr") == 0 ?
		    "positive learning rate" : "finite number");
	if (p->nmark == PLOT_MAXMARKS)
		return err_set("%s:%ld: more than %d marks", r->name,
		    r->lineno, PLOT_MAXMARKS);
	m = &p->mark[p->nmark++];
	memset(m, 0, sizeof(*m));
	m->kind = kind;
	m->run = i;
	m->x = x;
	m->y = NAN;
	if (kind == PLOT_STOP) {
		if (rec_meta_num(r->raw, "smooth", &m->y) < 0 &&
		    rec_meta_num(r->raw, "loss", &m->y) < 0)
			m->y = NAN;
		if (rec_meta_get(r->raw, "reason", m->what, sizeof(m->what)) < 0)
			m->what[0] = '\0';
	} else {
		if (rec_meta_num(r->raw, "loss", &m->y) < 0)
			m->y = NAN;
		if (rec_meta_get(r->raw, "method", m->what, sizeof(m->what)) < 0)
			m->what[0] = '\0';
	}
	if (!isfinite(m->y))
		m->y = NAN;
	return 0;
}

static int
hasy(struct plot_run *u, const char *name)
{
	int j;

	for (j = 0; j < u->ny; j++)
		if (strcmp(u->col[j], name) == 0)
			return 1;
	return 0;
}

/* Add column idx of r as a y column of u; a repeat is ignored. */
static int
addy(struct plot_run *u, struct rec_reader *r, int idx, int *yi)
{
	if (hasy(u, r->names[idx]))
		return 0;
	if (u->ny == PLOT_MAXY)
		return err_set("%s:%ld: more than %d y columns", r->name,
		    r->lineno, PLOT_MAXY);
	if ((u->col[u->ny] = strdup(r->names[idx])) == NULL)
		return err_set("%s:%ld: out of memory", r->name, r->lineno);
	yi[u->ny++] = idx;
	return 0;
}

static int
endswith(const char *s, const char *t)
{
	size_t n, k;

	n = strlen(s);
	k = strlen(t);
	return n >= k && strcmp(s + n - k, t) == 0;
}

/*
 * Find the x and y columns once the first record is in: *xi, yi[] are
 * their indices in the record, and u's columns get their names and kinds.
 */
static int
columns(struct plot *p, struct plot_run *u, struct rec_reader *r, int *xi,
    int *yi)
{
	const char *extra[] = { "smooth", "val_loss", "val_acc" };
	const char *band[] = { "lo", "hi" };
	int j, k, idx, loss, logx;

	logx = strcmp(p->xcol, "lr") == 0;
	if ((*xi = rec_col(r, logx ? p->lrcol : p->xcol)) < 0)
		return -1;
	if (p->ny > 0) {
		for (j = 0; j < p->ny; j++) {
			if ((idx = rec_col(r, p->ycol[j])) < 0 ||
			    addy(u, r, idx, yi) < 0)
				return -1;
		}
	} else {
		if ((idx = rec_col(r, p->losscol)) < 0 ||
		    addy(u, r, idx, yi) < 0)
			return -1;
		/* a range test's val_loss too (lrf-train --val), dashed;
		 * its accuracy only against the step */
		for (k = 0; k < (logx ? 2 : 3); k++)
			if ((idx = rec_hascol(r, extra[k])) >= 0 &&
			    addy(u, r, idx, yi) < 0)
				return -1;
		/* a mean of runs: its band, both bounds or neither */
		for (k = 0; logx && rec_hascol(r, "lo") >= 0 &&
		    rec_hascol(r, "hi") >= 0 && k < 2; k++)
			if (addy(u, r, rec_hascol(r, band[k]), yi) < 0)
				return -1;
	}
	loss = rec_hascol(r, p->losscol);
	u->loss = -1;
	for (j = 0; j < u->ny; j++) {
		if (yi[j] == loss)
			u->loss = j;
		if (p->ny == 0 && logx && (strcmp(u->col[j], "lo") == 0 ||
		    strcmp(u->col[j], "hi") == 0))
			u->kind[j] = PLOT_BAND;
		else if (yi[j] == loss && hasy(u, "smooth") &&
		    strcmp(u->col[j], "smooth") != 0)
			u->kind[j] = PLOT_RAW;
		else if (strcmp(u->col[j], "val_loss") == 0)
			u->kind[j] = PLOT_VAL;
		else if (endswith(u->col[j], "acc"))
			u->kind[j] = PLOT_Y2;
		else
			u->kind[j] = PLOT_LINE;
	}
	return 0;
}

/* Append the current record of r to u. */
static int
row(struct plot *p, struct plot_run *u, struct rec_reader *r, int xi,
    const int *yi)
{
	double x, v, *nx, *ny;
	size_t cap;
	int j;

	if (strcmp(p->xcol, "lr") == 0) {
		if (rec_lr(r, xi, &x) < 0)
			return -1;
	} else {
		if (rec_num(r, xi, &x) < 0)
			return -1;
		if (!isfinite(x))
			return err_set("%s:%ld: %s '%.40s' is not finite",
			    r->name, r->lineno, r->names[xi], r->f[xi]);
	}
	if (p->nrows == PLOT_MAXROWS)
		return err_set("%s:%ld: more than %d records to plot",
		    r->name, r->lineno, PLOT_MAXROWS);
	if (u->n == u->cap) {
		cap = u->cap ? 2 * u->cap : 256;
		nx = realloc(u->x, cap * sizeof(*nx));
		if (nx != NULL)
			u->x = nx;
		ny = realloc(u->y, cap * (size_t)u->ny * sizeof(*ny));
		if (ny != NULL)
			u->y = ny;
		if (nx == NULL || ny == NULL)
			return err_set("%s:%ld: out of memory", r->name,
			    r->lineno);
		u->cap = cap;
	}
	u->x[u->n] = x;
	for (j = 0; j < u->ny; j++) {
		if (rec_num(r, yi[j], &v) < 0)
			return -1;
		if (isfinite(v))
			u->nfin[j]++;
		else
			v = NAN;
		u->y[u->n * (size_t)u->ny + (size_t)j] = v;
	}
	u->n++;
	p->nrows++;
	return 0;
}

int
plot_read(struct plot *p, FILE *fp, const char *file, const char *name)
{
	struct rec_reader r;
	struct plot_run *u;
	char buf[256];
	size_t off, nrows;
	int c, j, xi, yi[PLOT_MAXY], nmark, fin;

	if (p->nrun == PLOT_MAXRUNS)
		return err_set("%s: more than %d inputs", file, PLOT_MAXRUNS);
	if ((u = calloc(1, sizeof(*u))) == NULL)
		return err_set("%s: out of memory", file);
	if (name == NULL) {
		plot_name(file, buf, sizeof(buf));
		name = buf;
		u->autoname = 1;
	}
	u->name = strdup(name);
	u->file = strdup(file);
	if (u->name == NULL || u->file == NULL) {
		freerun(u);
		return err_set("%s: out of memory", file);
	}
	nmark = p->nmark;
	nrows = p->nrows;
	xi = -1;
	rec_open(&r, fp, file);
	while ((c = rec_next(&r)) > 0) {
		if ((c == REC_COMMENT && meta(p, &r, p->nrun, u) < 0) ||
		    (c == REC_DATA && ((xi < 0 &&
		    columns(p, u, &r, &xi, yi) < 0) ||
		    row(p, u, &r, xi, yi) < 0)))
			c = -1;
		if (c < 0)
			break;
	}
	if (c == REC_EOF && u->n == 0) {
		err_set("%s: no data records", file);
		c = -1;
	}
	if (c == REC_EOF) {
		fin = 0;
		for (j = 0; j < u->ny; j++)
			fin += u->nfin[j];
		if (fin == 0) {
			off = 0;
			for (j = 0; j < u->ny && off < sizeof(buf); j++)
				off += snprintf(buf + off, sizeof(buf) - off,
				    " %s", u->col[j]);
			err_set("%s: no finite value to plot (columns%s)",
			    file, buf);
			c = -1;
		}
	}
	rec_close(&r);
	if (c < 0) {
		p->nmark = nmark;
		p->nrows = nrows;
		freerun(u);
		return -1;
	}
	p->run[p->nrun++] = u;
	return 0;
}

/* How many runs other than i are named s. */
static int
named(const struct plot *p, int i, const char *s)
{
	int k, n;

	n = 0;
	for (k = 0; k < p->nrun; k++)
		if (k != i && strcmp(p->run[k]->name, s) == 0)
			n++;
	return n;
}

void
plot_uniq(struct plot *p)
{
	struct plot_run *u;
	char dir[256], base[256], buf[600], *s;
	int dup[PLOT_MAXRUNS];
	size_t n;
	int i, pass;

	for (pass = 0; pass < 2; pass++) {
		for (i = 0; i < p->nrun; i++)
			dup[i] = p->run[i]->autoname &&
			    named(p, i, p->run[i]->name) > 0;
		for (i = 0; i < p->nrun; i++) {
			u = p->run[i];
			if (!dup[i])
				continue;
			if (pass == 0) {
				/* the directory's name: file less its base */
				n = strlen(u->file);
				while (n > 0 && u->file[n - 1] == '/')
					n--;
				while (n > 0 && u->file[n - 1] != '/')
					n--;
				if (n == 0)
					continue;
				if (n >= sizeof(dir))
					n = sizeof(dir) - 1;
				memcpy(dir, u->file, n);
				dir[n] = '\0';
				plot_name(dir, base, sizeof(base));
				snprintf(buf, sizeof(buf), "%s/%s", base,
				    u->name);
			} else
				snprintf(buf, sizeof(buf), "%s (%d)", u->name,
				    i + 1);
			if ((s = strdup(buf)) == NULL)
				continue;
			free(u->name);
			u->name = s;
		}
	}
}

int
plot_addmark(struct plot *p, double x)
{
	struct plot_mark *m;

	if (p->nmark == PLOT_MAXMARKS)
		return err_set("more than %d marks", PLOT_MAXMARKS);
	m = &p->mark[p->nmark++];
	memset(m, 0, sizeof(*m));
	m->kind = PLOT_MARK;
	m->run = -1;
	m->x = x;
	m->y = NAN;
	return 0;
}

/* Is anything drawn on the first y axis other than accuracies? */
static int
hasy1(const struct plot *p)
{
	int i, j;

	for (i = 0; i < p->nrun; i++)
		for (j = 0; j < p->run[i]->ny; j++)
			if (p->run[i]->kind[j] != PLOT_Y2 &&
			    p->run[i]->nfin[j] > 0)
				return 1;
	return 0;
}

/* Is curve j of u on the second y axis? */
static int
ony2(const struct plot *p, const struct plot_run *u, int j)
{
	return u->kind[j] == PLOT_Y2 && hasy1(p);
}

/*
 * The starting value of a curve: the highest of its first five finite
 * values (the curve has one at least).
 */
static double
startof(const struct plot_run *u, int j)
{
	double v, top;
	size_t k;
	int m;

	top = -INFINITY;
	m = 0;
	for (k = 0; k < u->n && m < 5; k++) {
		v = u->y[k * (size_t)u->ny + (size_t)j];
		if (isnan(v))
			continue;
		m++;
		if (v > top)
			top = v;
	}
	return top;
}

/*
 * The height of a row of labels as a fraction of the graph's: a line of
 * text over the height that the terminal leaves for the graph, 0.06 at
 * least, 0.2 at most.
 */
static double
rowstep(const struct plot *p)
{
	double h, s;

	h = p->height > 0 ? p->height : terms[p->term].h;
	switch (p->term) {
	case PLOT_DUMB:
		s = 1.2 / (h - 6);		/* characters */
		break;
	case PLOT_PDF:
		s = 14 / (h * 72 - 75);		/* inches, as points */
		break;
	default:
		s = 17 / (h - 110);		/* pixels */
		break;
	}
	if (!(s > 0.06))
		s = 0.06;
	return s < 0.2 ? s : 0.2;
}

/* The row of the kth label: its height as a fraction of the graph's. */
static double
rowat(const struct plot *p, int k)
{
	double s;
	int n;

	s = rowstep(p);
	n = (int)(0.5 / s);		/* rows before they start over */
	return 0.95 - s * (k % n);
}

/*
 * 1 if mark i is drawn without a label: a run's mark in an overlay,
 * where 20 runs' labels would cover the plot; the key gives each run's
 * suggestion instead (keytitle).
 */
static int
unlabelled(const struct plot *p, int i)
{
	return p->nrun > 1 && p->mark[i].run >= 0;
}

/*
 * The rows of labels at the top of the plot: one per line that a mark
 * draws, and one per stop above top, within the x range asked for.
 */
static int
labelrows(const struct plot *p, double top)
{
	const struct plot_mark *m;
	int i, n;

	n = 0;
	for (i = 0; i < p->nmark; i++) {
		m = &p->mark[i];
		if (m->x < p->xlim[0] || m->x > p->xlim[1] || unlabelled(p, i))
			continue;
		if (m->kind != PLOT_STOP || isnan(m->y) || m->y > top)
			n++;
	}
	return n;
}

int
plot_yrange(const struct plot *p, double *lo, double *hi)
{
	const struct plot_run *u;
	double min, max, top, v, t, g;
	size_t k;
	int i, j, any;

	min = INFINITY;
	max = top = -INFINITY;
	any = 0;
	for (i = 0; i < p->nrun; i++) {
		u = p->run[i];
		for (j = 0; j < u->ny; j++) {
			if (ony2(p, u, j) || u->nfin[j] == 0)
				continue;
			any = 1;
			for (k = 0; k < u->n; k++) {
				v = u->y[k * (size_t)u->ny + (size_t)j];
				if (v < min)
					min = v;
				if (v > max)
					max = v;
			}
			if ((v = startof(u, j)) > top)
				top = v;
		}
	}
	if (!any)
		return err_set("no finite value to plot");
	if (!(top > min))
		top = max;
	t = top - min;
	if (!(t > 0))
		t = min != 0 ? fabs(min) : 1;
	/* the top at 87.5% of the height, a row lower per extra label row */
	g = 0.875 - rowstep(p) * (labelrows(p, top) - 1);
	if (g > 0.875)
		g = 0.875;
	if (g < 0.575)
		g = 0.575;
	*lo = min - 0.05 * t;
	*hi = top + (1.05 / g - 1.05) * t;
	return 0;
}

int
plot_xrange(const struct plot *p, double *lo, double *hi)
{
	const struct plot_run *u;
	size_t k;
	int i;

	*lo = INFINITY;
	*hi = -INFINITY;
	for (i = 0; i < p->nrun; i++) {
		u = p->run[i];
		for (k = 0; k < u->n; k++) {
			if (u->x[k] < *lo)
				*lo = u->x[k];
			if (u->x[k] > *hi)
				*hi = u->x[k];
		}
	}
	for (i = 0; i < p->nmark; i++) {
		if (p->mark[i].x < *lo)
			*lo = p->mark[i].x;
		if (p->mark[i].x > *hi)
			*hi = p->mark[i].x;
	}
	if (*lo > *hi)
		return err_set("no data to plot");
	return 0;
}

int
plot_fmtlr(char *buf, size_t n, double v)
{
	char t[32];
	int prec;

	for (prec = 1; prec <= 3; prec++) {
		snprintf(t, sizeof(t), "%.*e", prec, v);
		if (strtod(t, NULL) == v)
			return snprintf(buf, n, "%s", t);
	}
	return snprintf(buf, n, "%.1e", v);
}

/* How many different methods (or reasons) the marks of this kind name. */
static int
distinctwhat(const struct plot *p, int kind)
{
	int i, k, n;

	n = 0;
	for (i = 0; i < p->nmark; i++) {
		if (p->mark[i].kind != kind)
			continue;
		for (k = 0; k < i; k++)
			if (p->mark[k].kind == kind &&
			    strcmp(p->mark[k].what, p->mark[i].what) == 0)
				break;
		if (k == i)
			n++;
	}
	return n;
}

void
plot_label(const struct plot *p, int i, char *buf, size_t n)
{
	const struct plot_mark *m;
	char v[32], run[160];

	m = &p->mark[i];
	if (strcmp(p->xcol, "lr") == 0)
		plot_fmtlr(v, sizeof(v), m->x);
	else
		num_fmt(v, sizeof(v), m->x);
	run[0] = '\0';
	if (p->nrun > 1 && m->run >= 0)
		snprintf(run, sizeof(run), "%s: ", p->run[m->run]->name);
	switch (m->kind) {
	case PLOT_SUGGEST:
		snprintf(buf, n, "%s%s %s", run, distinctwhat(p,
		    PLOT_SUGGEST) > 1 && m->what[0] != '\0' ? m->what :
		    "suggested", v);
		break;
	case PLOT_MARK:
		snprintf(buf, n, "%s = %s", p->xcol, v);
		break;
	default:
		snprintf(buf, n, "%sstopped%s%s", run, m->what[0] ? ": " : "",
		    m->what);
		break;
	}
}

void
plot_quote(FILE *fp, const char *s)
{
	const unsigned char *c;

	putc('\'', fp);
	for (c = (const unsigned char *)s; *c != '\0'; c++) {
		if (*c == '\'')
			fputs("''", fp);
		else if (*c < 0x20 || *c == 0x7f)
			putc('?', fp);
		else
			putc(*c, fp);
	}
	putc('\'', fp);
}

int
plot_fileok(const char *s)
{
	const unsigned char *c;

	if (*s == '\0')
		return err_set("output file name is empty");
	if (s[strlen(s) - 1] == '/')
		return err_set("output file '%s' is a directory name", s);
	if (*s == '|')
		return err_set("output file '%s': gnuplot would run it as a "
		    "command (a leading '|'); write './%s'", s, s);
	for (c = (const unsigned char *)s; *c != '\0'; c++) {
		if (*c == '\'')
			return err_set("output file '%s': a single quote "
			    "cannot be quoted for gnuplot and the shell", s);
		if (*c < 0x20 || *c == 0x7f)
			return err_set("output file name with a control "
			    "character (byte %d) cannot be quoted for gnuplot "
			    "and the shell", *c);
	}
	return 0;
}

/* Print a number as %.9g. */
static void
putnum(FILE *fp, double v)
{
	char buf[32];

	if (isnan(v)) {
		fputs("NaN", fp);
		return;
	}
	num_fmt(buf, sizeof(buf), v);
	fputs(buf, fp);
}

/* A colour mixed with white: f = 0 the colour, 1 white. */
static void
tint(char *buf, size_t n, const char *rgb, double f)
{
	unsigned long c;
	int r, g, b;

	c = strtoul(rgb + 1, NULL, 16);
	r = (int)((c >> 16) & 0xff);
	g = (int)((c >> 8) & 0xff);
	b = (int)(c & 0xff);
	r = (int)lround(r + (255 - r) * f);
	g = (int)lround(g + (255 - g) * f);
	b = (int)lround(b + (255 - b) * f);
	snprintf(buf, n, "#%02x%02x%02x", r, g, b);
}

/* The colour of curve j of run i. */
static const char *
color(const struct plot *p, int i, int j)
{
	const struct plot_run *u;
	int k, c;

	if (p->nrun > 1)
		return palette[i % NPALETTE];
	u = p->run[i];
	if (u->kind[j] == PLOT_RAW) {
		for (k = 0; k < u->ny; k++)
			if (strcmp(u->col[k], "smooth") == 0)
				break;
		j = k;
	}
	c = 0;
	for (k = 0; k < j; k++)
		if (u->kind[k] != PLOT_RAW && u->kind[k] != PLOT_BAND)
			c++;
	return palette[c % NPALETTE];
}

/* The colour of mark i. */
static const char *
markcolor(const struct plot *p, int i)
{
	const struct plot_mark *m;
	int k, c;

	m = &p->mark[i];
	if (m->kind == PLOT_STOP)
		return p->nrun > 1 ? palette[m->run % NPALETTE] : STOPCOLOR;
	if (p->nrun > 1)
		return m->run >= 0 ? palette[m->run % NPALETTE] : STOPCOLOR;
	c = 0;
	for (k = 0; k < i; k++)
		if (p->mark[k].kind != PLOT_STOP)
			c++;
	return markpalette[c % NMARKPALETTE];
}

/* The key entry of curve j of run i, or NULL for none. */
static const char *
keytitle(const struct plot *p, int i, int j, char *buf, size_t n)
{
	const struct plot_run *u;
	const char *c;
	int k, first;

	u = p->run[i];
	c = u->col[j];
	if (p->nrun == 1) {
		if (u->kind[j] == PLOT_RAW)
			snprintf(buf, n, "raw %s", c);
		else if (strcmp(c, "smooth") == 0)
			snprintf(buf, n, "smoothed loss");
		else
			snprintf(buf, n, "%s", c);
		return buf;
	}
	if (u->kind[j] == PLOT_RAW)
		return NULL;
	/* the first solid curve carries the run's name alone */
	first = 1;
	for (k = 0; k < j; k++)
		if (u->kind[k] != PLOT_RAW)
			first = 0;
	if (!first) {
		snprintf(buf, n, "%s %s", u->name, c);
		return buf;
	}
	/* the run's name, and its (first) suggestion: "adam: steep
	 * 1.0e-02", as its unlabelled mark would have said */
	for (k = 0; k < p->nmark; k++)
		if (p->mark[k].kind == PLOT_SUGGEST && p->mark[k].run == i)
			break;
	if (k < p->nmark)
		plot_label(p, k, buf, n);
	else
		snprintf(buf, n, "%s", u->name);
	return buf;
}

/* The y axis label: "loss" for losses, else the column names. */
static void
ylabel(const struct plot *p, int y2, char *buf, size_t n)
{
	const struct plot_run *u;
	const char *c;
	size_t off;
	int i, j, loss, other;

	loss = other = 0;
	off = 0;
	buf[0] = '\0';
	for (i = 0; i < p->nrun; i++) {
		u = p->run[i];
		for (j = 0; j < u->ny; j++) {
			if (ony2(p, u, j) != y2 || u->nfin[j] == 0)
				continue;
			c = u->col[j];
			if (j == u->loss || strcmp(c, "loss") == 0 ||
			    strcmp(c, "smooth") == 0 ||
			    strcmp(c, "val_loss") == 0 ||
			    u->kind[j] == PLOT_BAND) {
				loss = 1;
				continue;
			}
			if (strstr(buf, c) != NULL || off >= n)
				continue;
			off += snprintf(buf + off, n - off, "%s%s",
			    other++ ? ", " : "", c);
		}
	}
	if (loss && other == 0)
		snprintf(buf, n, "loss");
}

/* The fraction of the x range at which x lies. */
static double
xfrac(const struct plot *p, double x, double lo, double hi)
{
	if (!(hi > lo))
		return 0.5;
	if (strcmp(p->xcol, "lr") == 0)
		return (log(x) - log(lo)) / (log(hi) - log(lo));
	return (x - lo) / (hi - lo);
}

static void
putterm(FILE *fp, const struct plot *p)
{
	double w, h;

	w = p->width > 0 ? p->width : terms[p->term].w;
	h = p->height > 0 ? p->height : terms[p->term].h;
	fputs("set terminal ", fp);
	switch (p->term) {
	case PLOT_PNG:
		fputs("pngcairo size ", fp);
		break;
	case PLOT_SVG:
		fputs("svg size ", fp);
		break;
	case PLOT_PDF:
		fputs("pdfcairo size ", fp);
		break;
	case PLOT_DUMB:
		fputs("dumb size ", fp);
		break;
	default:
		fputs("sixelgd truecolor size ", fp);
		break;
	}
	putnum(fp, w);
	fputs(p->term == PLOT_PDF ? "in," : ",", fp);
	putnum(fp, h);
	switch (p->term) {
	case PLOT_PNG:
	case PLOT_SIXEL:
		fputs(" enhanced font 'sans,11'\n", fp);
		break;
	case PLOT_SVG:
		fputs(" enhanced font 'sans,11' background rgb 'white'\n", fp);
		break;
	case PLOT_PDF:
		fputs("in enhanced font 'sans,10'\n", fp);
		break;
	default:
		fputs("\n", fp);
		break;
	}
}

/* set xrange/yrange from the automatic range and the limits given. */
static void
putrange(FILE *fp, const char *axis, const double *lim, double lo, double hi)
{
	double a, b;

	a = isnan(lim[0]) ? lo : lim[0];
	b = isnan(lim[1]) ? hi : lim[1];
	fprintf(fp, "set %srange [", axis);
	/* a limit given on one side wins; the other yields to it */
	if (isnan(lim[0]) && !(a < b))
		fputs("*", fp);
	else
		putnum(fp, a);
	fputs(":", fp);
	if (isnan(lim[1]) && !(a < b))
		fputs("*", fp);
	else
		putnum(fp, b);
	fputs("]\n", fp);
}

/* A stop: its point, kept in sight, and "stopped: reason" beside it. */
static void
putstop(FILE *fp, const struct plot *p, int i, int tag, double f, int *row,
    double ylo, double yhi)
{
	const struct plot_mark *m;
	const char *c;
	char text[256];
	double y;
	int pt, off;

	m = &p->mark[i];
	c = markcolor(p, i);
	plot_label(p, i, text, sizeof(text));
	off = p->term == PLOT_DUMB ? 2 : 1;	/* characters from the point */
	y = m->y;
	pt = 2;
	if (isnan(y) || y > yhi) {
		/* above the range: at the top, in a row of its own */
		y = ylo + rowat(p, (*row)++) * (yhi - ylo);
		pt = 9;
	} else if (y < ylo) {
		y = ylo + 0.05 * (yhi - ylo);
		pt = 11;
	}
	if (unlabelled(p, i))
		text[0] = '\0';	/* an overlay's: the point alone */
	fprintf(fp, "set label %d ", tag);
	plot_quote(fp, text);
	fputs(" at ", fp);
	putnum(fp, m->x);
	fputs(",", fp);
	putnum(fp, y);
	fprintf(fp, " %s offset %d,0 point pt %d ps 1.5 lc rgb '%s' textcolor "
	    "rgb '%s'%s noenhanced front\n", f > 0.25 ? "right" : "left",
	    f > 0.25 ? -off : off, pt, c, c, text[0] ? " boxed" : "");
}

/*
 * The marks within the x range shown: each suggestion or --mark a dashed
 * line, its label in a row of its own from the top down, and a point on
 * the curve; then the stops.
 */
static void
putmarks(FILE *fp, const struct plot *p, double xlo, double xhi, double ylo,
    double yhi)
{
	const struct plot_mark *m;
	const char *c;
	char text[256];
	double f;
	int pass, i, tag, narrow, row, off;

	tag = narrow = row = 0;
	off = p->term == PLOT_DUMB ? 2 : 1;	/* characters from the line */
	for (pass = 0; pass < 2; pass++) {
		for (i = 0; i < p->nmark; i++) {
			m = &p->mark[i];
			if ((m->kind == PLOT_STOP) != (pass == 1) ||
			    m->x < xlo || m->x > xhi)
				continue;
			f = xfrac(p, m->x, xlo, xhi);
			if (m->kind == PLOT_STOP) {
				putstop(fp, p, i, ++tag, f, &row, ylo, yhi);
				continue;
			}
			c = markcolor(p, i);
			plot_label(p, i, text, sizeof(text));
			fprintf(fp, "set arrow %d from ", ++narrow);
			putnum(fp, m->x);
			fputs(",graph 0 to ", fp);
			putnum(fp, m->x);
			fprintf(fp, ",graph 1 nohead dt 2 lw 1.5 lc rgb '%s' "
			    "back\n", c);
			if (unlabelled(p, i))
				goto point;
			fprintf(fp, "set label %d ", ++tag);
			plot_quote(fp, text);
			fputs(" at ", fp);
			putnum(fp, m->x);
			fprintf(fp, ",graph %.3g %s offset %d,0 textcolor rgb "
			    "'%s' boxed noenhanced front\n",
			    rowat(p, row++), f > 0.75 ? "right" :
			    "left", f > 0.75 ? -off : off, c);
point:
			if (isnan(m->y) || m->y < ylo || m->y > yhi)
				continue;
			fprintf(fp, "set label %d '' at ", ++tag);
			putnum(fp, m->x);
			fputs(",", fp);
			putnum(fp, m->y);
			fprintf(fp, " point pt 7 ps 1.2 lc rgb '%s' front\n",
			    c);
		}
	}
}

static void
putdata(FILE *fp, const struct plot *p)
{
	const struct plot_run *u;
	size_t k;
	int i, j;

	for (i = 0; i < p->nrun; i++) {
		u = p->run[i];
		fprintf(fp, "$run%d << EOD\n", i + 1);
		for (k = 0; k < u->n; k++) {
			putnum(fp, u->x[k]);
			for (j = 0; j < u->ny; j++) {
				putc('\t', fp);
				putnum(fp, u->y[k * (size_t)u->ny + (size_t)j]);
			}
			putc('\n', fp);
		}
		fputs("EOD\n", fp);
	}
}

/*
 * Run i's band (its lo and hi columns), shaded in its smoothed curve's
 * colour, under everything else; n plot elements so far, the new count.
 */
static int
putband(FILE *fp, const struct plot *p, int i, int n)
{
	const struct plot_run *u = p->run[i];
	char buf[64];
	int j, lo, hi, sm;

	lo = hi = sm = -1;
	for (j = 0; j < u->ny; j++) {
		if (u->kind[j] == PLOT_BAND && u->nfin[j] > 1)
			*(strcmp(u->col[j], "lo") == 0 ? &lo : &hi) = j;
		if (strcmp(u->col[j], "smooth") == 0)
			sm = j;
	}
	if (lo < 0 || hi < 0)
		return n;
	tint(buf, sizeof(buf), color(p, i, sm >= 0 ? sm : lo), 0.75);
	fputs(n++ ? ", \\\n     " : "plot ", fp);
	fprintf(fp, "$run%d using 1:%d:%d with filledcurves lc rgb '%s'",
	    i + 1, lo + 2, hi + 2, buf);
	if (p->nrun > 1)
		fputs(" notitle", fp);
	else
		fputs(" title 'spread of the runs (lo..hi)' noenhanced", fp);
	return n;
}

/*
 * The dash type of the nth solid curve of run i: one run's val_loss
 * dashed, the rest solid; in an overlay the nth curve of a run n, and
 * past the 20 colours every curve of the next 20 runs 3 further on, so
 * that 40 runs draw no two curves alike.
 */
static int
dashes(const struct plot *p, int i, int nth, int kind)
{
	if (p->nrun == 1)
		return kind == PLOT_VAL ? 2 : 1;
	return nth + 3 * ((i / NPALETTE) % 2);
}

/*
 * The key entries of a run's several suggestions (finder.suggest all):
 * each method's dashed line and value, as fastai marks each.
 */
static int
putkeymarks(FILE *fp, const struct plot *p, int n)
{
	char text[256];
	int i;

	if (p->nrun != 1 || distinctwhat(p, PLOT_SUGGEST) < 2)
		return n;
	for (i = 0; i < p->nmark; i++) {
		if (p->mark[i].kind != PLOT_SUGGEST)
			continue;
		plot_label(p, i, text, sizeof(text));
		fputs(n++ ? ", \\\n     " : "plot ", fp);
		fprintf(fp, "keyentry with lines dt 2 lw 1.5 lc rgb '%s' "
		    "title ", markcolor(p, i));
		plot_quote(fp, text);
		fputs(" noenhanced", fp);
	}
	return n;
}

/* One plot element per curve: faint ones first, so the rest lie on top. */
static void
putplot(FILE *fp, const struct plot *p)
{
	const struct plot_run *u;
	const char *c;
	char buf[64], key[256];
	int pass, i, j, n, dt, k;

	n = 0;
	for (pass = 0; pass < 2; pass++) {
		for (i = 0; i < p->nrun; i++) {
			u = p->run[i];
			dt = 0;
			if (pass == 0)
				n = putband(fp, p, i, n);
			for (j = 0; j < u->ny; j++) {
				if (u->kind[j] == PLOT_BAND)
					continue;
				if (u->kind[j] != PLOT_RAW)
					dt++;
				if ((u->kind[j] == PLOT_RAW) != (pass == 0) ||
				    u->nfin[j] == 0)
					continue;
				fputs(n++ ? ", \\\n     " : "plot ", fp);
				fprintf(fp, "$run%d using 1:%d", i + 1, j + 2);
				if (ony2(p, u, j))
					fputs(" axes x1y2", fp);
				c = color(p, i, j);
				if (u->nfin[j] == 1) {
					/* a line needs two points */
					fprintf(fp, " with points pt 7 lc rgb "
					    "'%s'", c);
				} else if (u->kind[j] == PLOT_RAW) {
					tint(buf, sizeof(buf), c, 0.55);
					fprintf(fp, " with lines lw 1 lc rgb "
					    "'%s'", buf);
				} else {
					k = dashes(p, i, dt, u->kind[j]);
					fprintf(fp, " with lines lw 2 dt %d lc "
					    "rgb '%s'", k, c);
				}
				if (keytitle(p, i, j, key, sizeof(key)) ==
				    NULL) {
					fputs(" notitle", fp);
					continue;
				}
				fputs(" title ", fp);
				plot_quote(fp, key);
				fputs(" noenhanced", fp);
			}
		}
	}
	putkeymarks(fp, p, n);
	fputs("\n", fp);
}

/* Write s as the inside of a single-quoted gnuplot string. */
static void
putbody(FILE *fp, const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == '\'')
			putc('\'', fp);
		putc(*s, fp);
	}
}

/*
 * The end of a script that renders into lrf_tmp: unless gnuplot saw an
 * error, or the file lacks the end its format has (a full disk cuts it
 * short, and gnuplot does not see that), rename it to lrf_out; else
 * remove it.  The shell gets the names in single quotes.
 */
static void
putrename(FILE *fp, const struct plot *p)
{
	char check[128];
	double h;

	switch (p->term) {
	case PLOT_PNG:			/* the IEND chunk */
		snprintf(check, sizeof(check), "[ \"$(tail -c 8 \"$t\" | od "
		    "-An -tx1 | tr -d ' \\n')\" = 49454e44ae426082 ]");
		break;
	case PLOT_SVG:
		snprintf(check, sizeof(check), "tail -c 32 \"$t\" | grep -q "
		    "'</svg>'");
		break;
	case PLOT_PDF:
		snprintf(check, sizeof(check), "tail -c 32 \"$t\" | grep -q "
		    "'%%%%EOF'");
		break;
	case PLOT_SIXEL:		/* the string terminator, ESC \ */
		snprintf(check, sizeof(check), "[ \"$(tail -c 2 \"$t\" | od "
		    "-An -tx1 | tr -d ' \\n')\" = 1b5c ]");
		break;
	default:			/* every line of the text */
		h = p->height > 0 ? p->height : terms[p->term].h;
		snprintf(check, sizeof(check), "[ \"$(wc -l < \"$t\")\" -ge "
		    "%d ]", (int)h);
		break;
	}
	fputs("unset output\n"
	    "if (GPVAL_ERRNO != 0) { system \"rm -f -- '\" . lrf_tmp . \"'\"; "
	    "exit status 1 }\n"
	    "lrf_sh = '", fp);
	putbody(fp, check);
	putbody(fp, " || { echo \"lrf-plot: $t is incomplete; is the disk "
	    "full?\" >&2; rm -f -- \"$t\"; exit 1; }; "
	    "if [ -e \"$o\" ] && [ ! -f \"$o\" ]; then "
	    "cat -- \"$t\" 2>/dev/null > \"$o\"; s=$?; rm -f -- \"$t\"; "
	    "[ $s -eq 0 ] || { echo \"lrf-plot: $o: write error\" >&2; "
	    "exit 1; }; "
	    "else chmod \"$(printf %o $((0666 & ~0$(umask))))\" -- \"$t\" && "
	    "sync -- \"$t\" && mv -f -- \"$t\" \"$o\" || "
	    "{ rm -f -- \"$t\"; exit 1; }; fi");
	fputs("'\n"
	    "system \"t='\" . lrf_tmp . \"'; o='\" . lrf_out . \"'; \" . lrf_sh\n"
	    "if (GPVAL_SYSTEM_ERRNO != 0) { exit status 1 }\n", fp);
}

int
plot_write(FILE *fp, const struct plot *p)
{
	double xlo, xhi, ylo, yhi, a, b;
	char buf[512], sub[512], other[512];
	const char *title;
	int logx, y2, i, j;

	if (plot_xrange(p, &xlo, &xhi) < 0 || plot_yrange(p, &ylo, &yhi) < 0)
		return -1;
	logx = strcmp(p->xcol, "lr") == 0;
	if (xlo == xhi) {
		xlo = logx ? xlo / 2 : xlo - 1;
		xhi = logx ? xhi * 2 : xhi + 1;
	}
	y2 = 0;
	for (i = 0; i < p->nrun; i++)
		for (j = 0; j < p->run[i]->ny; j++)
			if (ony2(p, p->run[i], j) && p->run[i]->nfin[j] > 0)
				y2 = 1;

	fputs("# Written by lrf-plot; render with gnuplot.  The data are "
	    "inlined below.\n", fp);
	fputs("reset errors\n", fp);
	putterm(fp, p);
	fputs("set datafile missing NaN\n", fp);
	title = p->title;
	if (title == NULL)
		title = logx ? "Learning-rate range test" :
		    strcmp(p->xcol, "step") == 0 ? "Training" : "";
	/* the default title's second line: the model, optimizer, batch
	 * and data that made the curves, when they all say the same */
	sub[0] = '\0';
	if (p->title == NULL && p->nrun > 0) {
		plot_about(p, 0, sub, sizeof(sub));
		for (i = 1; i < p->nrun && sub[0] != '\0'; i++) {
			plot_about(p, i, other, sizeof(other));
			if (strcmp(sub, other) != 0)
				sub[0] = '\0';
		}
	}
	if (title[0] != '\0') {
		fputs("set title ", fp);
		plot_quote(fp, title);
		if (sub[0] != '\0') {
			fputs(" . \"\\n\" . ", fp);
			plot_quote(fp, sub);
		}
		fputs(" noenhanced\n", fp);
	}
	fputs("set xlabel ", fp);
	plot_quote(fp, logx ? "learning rate" : p->xcol);
	fputs(" noenhanced\n", fp);
	ylabel(p, 0, buf, sizeof(buf));
	fputs("set ylabel ", fp);
	plot_quote(fp, buf);
	fputs(" noenhanced\n", fp);
	if (logx) {
		fputs("set logscale x 10\n", fp);
		fputs(p->term == PLOT_DUMB ? "set format x '%.0e'\n" :
		    "set format x '10^{%L}'\n", fp);
	}
	putrange(fp, "x", p->xlim, xlo, xhi);
	putrange(fp, "y", p->ylim, ylo, yhi);
	/* the marks are placed within the range actually shown */
	a = isnan(p->xlim[0]) ? xlo : p->xlim[0];
	b = isnan(p->xlim[1]) ? xhi : p->xlim[1];
	if (a < b) {
		xlo = a;
		xhi = b;
	}
	a = isnan(p->ylim[0]) ? ylo : p->ylim[0];
	b = isnan(p->ylim[1]) ? yhi : p->ylim[1];
	if (a < b) {
		ylo = a;
		yhi = b;
	}
	if (y2) {
		ylabel(p, 1, buf, sizeof(buf));
		fputs("set y2label ", fp);
		plot_quote(fp, buf);
		fputs(" noenhanced\n", fp);
		fputs("set y2tics\nset border 11\n", fp);
	} else
		fputs("set border 3\n", fp);
	fputs("set tics nomirror\n", fp);
	if (p->term != PLOT_DUMB)
		fputs("set grid xtics ytics lt 1 lw 1 lc rgb '#e0e0e0'\n", fp);
	/* an overlay's key outside, where 20 runs' names do not cover
	 * the curves */
	if (p->nrun > 1)
		fputs("set key outside right top vertical Left reverse "
		    "noopaque noenhanced\n", fp);
	else
		fprintf(fp, "set key %s opaque noenhanced\n",
		    logx ? "bottom left" : "center right");
	if (p->nmark > 0)
		fputs("set style textbox opaque noborder margins 1,1\n", fp);
	putmarks(fp, p, xlo, xhi, ylo, yhi);
	putdata(fp, p);
	if (p->out != NULL) {
		/*
		 * Draw into a temporary file beside the output, made by
		 * mktemp (a name nobody can plant a link at beforehand;
		 * given the umask's mode when renamed), and rename
		 * it into place only if gnuplot saw no error on the way:
		 * gnuplot reading a pipe goes on after an error.  An output
		 * that exists and is not a regular file (a device, a FIFO,
		 * /dev/stdout) cannot be renamed over: draw into a temporary
		 * file in $TMPDIR and copy it there, so that a write error
		 * is seen all the same.
		 */
		fputs("lrf_out = ", fp);
		plot_quote(fp, p->out);
		fputs("\nlrf_dev = system(\"[ -e '\" . lrf_out . \"' ] && "
		    "[ ! -f '\" . lrf_out . \"' ] && echo 1 || echo 0\") + 0\n"
		    "lrf_tmp = lrf_dev ? system('mktemp \"${TMPDIR:-/tmp}/"
		    "lrf-plot.XXXXXX\"') : system(\"mktemp -- '\" . lrf_out "
		    ". \".tmpXXXXXX'\")\n"
		    "if (lrf_tmp eq '') { print 'lrf-plot: cannot write ' . "
		    "lrf_out; exit status 1 }\n"
		    "set output lrf_tmp\n"
		    "if (GPVAL_OUTPUT ne lrf_tmp) { print 'lrf-plot: cannot "
		    "write ' . lrf_tmp; exit status 1 }\n", fp);
	}
	putplot(fp, p);
	if (p->out != NULL)
		putrename(fp, p);
	return 0;
}
