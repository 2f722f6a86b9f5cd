/*
 * csv.c - numeric CSV: one sample per line, one column of it the label
 * (classification) or the target (regression), the others features.
 *
 * Accepted: a header line (data.header), a UTF-8 byte order mark, CRLF
 * line ends, blank lines (skipped), blanks around fields, and simple
 * quoting: a field may be enclosed in double quotes, with "" standing for
 * one quote; a quoted field cannot span lines.  Every data field must be
 * a finite number that fits a float.
 */
#include <errno.h>
#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data.h"
#include "err.h"
#include "num.h"

#define CHUNK	(64 << 10)

struct csv {
	FILE	*fp;
	const char *name;
	long	 lineno;
	char	*buf;		/* (cap) bytes read, [start, end) unused */
	size_t	 cap, start, end;
	int	 eof;
	char	 delim;
	char	**f;		/* (fcap) the current line's fields */
	size_t	 nf, fcap;
};

/*
 * The next line, NUL-terminated, without its line end, in *line.
 * Returns 1, 0 at the end of the file, or -1 with the message set.
 */
static int
csv_line(struct csv *c, char **line, size_t *len)
{
	char *nl, *nb;
	size_t k, ncap;

	for (;;) {
		nl = c->buf == NULL ? NULL :
		    memchr(c->buf + c->start, '\n', c->end - c->start);
		if (nl != NULL || (c->eof && c->start < c->end))
			break;
		if (c->eof)
			return 0;
		if (c->end - c->start > DATA_MAXLINE)
			return err_set("%s:%ld: line longer than %d bytes",
			    c->name, c->lineno + 1, DATA_MAXLINE);
		if (c->start > 0) {
			memmove(c->buf, c->buf + c->start, c->end - c->start);
			c->end -= c->start;
			c->start = 0;
		}
		if (c->cap - c->end < CHUNK) {
			ncap = c->cap ? c->cap * 2 : 2 * CHUNK;
			if ((nb = realloc(c->buf, ncap + 1)) == NULL)
				return err_set("%s:%ld: out of memory",
				    c->name, c->lineno + 1);
			c->buf = nb;
			c->cap = ncap;
		}
		/* a read error at once, while errno is fread's: a short
		 * count with the error flag, and the next fread's 0,
		 * would leave it to the field parser's errno = 0
		 * ("read error: Success") */
		k = fread(c->buf + c->end, 1, c->cap - c->end, c->fp);
		if (ferror(c->fp))
			return err_set("%s: read error: %s", c->name,
			    strerror(errno));
		if (k == 0)
			c->eof = 1;
		c->end += k;
	}
	c->lineno++;
	*line = c->buf + c->start;
	if (nl == NULL)
		nl = c->buf + c->end;	/* the last line has no newline */
	*len = nl - *line;
	c->start = nl - c->buf + (nl < c->buf + c->end);
	*nl = '\0';	/* buf has a spare byte past cap for this */
	if (*len > DATA_MAXLINE)
		return err_set("%s:%ld: line longer than %d bytes", c->name,
		    c->lineno, DATA_MAXLINE);
	if (*len > 0 && (*line)[*len - 1] == '\r')
		(*line)[--*len] = '\0';
	if (memchr(*line, '\0', *len) != NULL)
		return err_set("%s:%ld: NUL byte in line", c->name, c->lineno);
	return 1;
}

static int
isblank_(int ch, char delim)
{
	return (ch == ' ' || ch == '\t') && ch != delim;
}

/* Cut line into fields c->f[0..nf-1], unquoting in place. */
static int
csv_split(struct csv *c, char *line)
{
	char *p, *w, *s, **nf;
	size_t ncap;
	int quoted;

	c->nf = 0;
	p = line;
	for (;;) {
		if (c->nf == c->fcap) {
			ncap = c->fcap ? c->fcap * 2 : 64;
			if ((nf = realloc(c->f, ncap * sizeof(*nf))) == NULL)
				return err_set("%s:%ld: out of memory",
				    c->name, c->lineno);
			c->f = nf;
			c->fcap = ncap;
		}
		while (isblank_(*p, c->delim))
			p++;
		s = w = p;
		quoted = *p == '"';
		if (quoted) {
			for (p++;; p++) {
				if (*p == '\0')
					return err_set("%s:%ld: field %zu: "
					    "unterminated quote (quoted "
					    "fields cannot span lines)",
					    c->name, c->lineno, c->nf + 1);
				if (*p == '"') {
					if (p[1] != '"')
						break;
					p++;
				}
				*w++ = *p;
			}
			p++;
			while (isblank_(*p, c->delim))
				p++;
			if (*p != '\0' && *p != c->delim)
				return err_set("%s:%ld: field %zu: text "
				    "after the closing quote", c->name,
				    c->lineno, c->nf + 1);
		} else {
			while (*p != '\0' && *p != c->delim)
				p++;
			w = p;
			while (w > s && isblank_(w[-1], c->delim))
				w--;
		}
		c->f[c->nf++] = s;
		if (*p == '\0') {
			*w = '\0';
			return 0;
		}
		p++;
		*w = '\0';
	}
}

/* A blank line: nothing but blanks. */
static int
blankline(const char *s, char delim)
{
	while (isblank_(*s, delim))
		s++;
	return *s == '\0';
}

/* Parse field i (0-based) as a finite float. */
static int
csv_num(struct csv *c, size_t i, double *v)
{
	const char *s;
	char q[ERR_QUOTESIZE];
	int r;

	s = c->f[i];
	if (*s == '\0')
		return err_set("%s:%ld: field %zu is empty", c->name,
		    c->lineno, i + 1);
	r = num_double(s, v);
	if (r == NUM_RANGE || (r == NUM_OK && isfinite(*v) &&
	    fabs(*v) > FLT_MAX))
		return err_set("%s:%ld: field %zu '%s' is out of range",
		    c->name, c->lineno, i + 1, err_quote(s, q));
	if (r != NUM_OK)
		return err_set("%s:%ld: field %zu '%s' is not a number",
		    c->name, c->lineno, i + 1, err_quote(s, q));
	if (!isfinite(*v))
		return err_set("%s:%ld: field %zu '%s' is not finite",
		    c->name, c->lineno, i + 1, err_quote(s, q));
	return 0;
}

static int
cmpname(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The header's names are all different (empty ones aside: no name can
 * select them): 0, or -1 with a message naming one that is not (sorted,
 * so that a wide header costs n log n). */
static int
dupname(struct csv *c)
{
	char q[ERR_QUOTESIZE], **v;
	size_t i;
	int r;

	if ((v = malloc(c->nf * sizeof(*v))) == NULL)
		return err_set("%s:%ld: out of memory", c->name, c->lineno);
	memcpy(v, c->f, c->nf * sizeof(*v));
	qsort(v, c->nf, sizeof(*v), cmpname);
	r = 0;
	for (i = 1; i < c->nf && r == 0; i++)
		if (v[i][0] != '\0' && strcmp(v[i - 1], v[i]) == 0)
			r = err_set("%s:%ld: two columns are named '%s'",
			    c->name, c->lineno, err_quote(v[i], q));
	free(v);
	return r;
}

/* The column of spec, a (0-based, or negative from the end) index or a
 * header name, given by key (data.label_column, data.features, ...).
 * Returns the index or -1. */
static long
col_index(struct csv *c, const char *spec, int header, const char *key)
{
	char list[256], q[ERR_QUOTESIZE];
	const char *pre, *sep;
	size_t i, len;
	long l;

	if (*spec == '\0')
		return err_set("%s: empty", key);
	/* the label's messages name no key: it is the one column needed */
	pre = strcmp(key, "data.label_column") == 0 ? "" : key;
	sep = *pre ? ": " : "";
	if (num_long(spec, LONG_MIN, LONG_MAX, &l) == NUM_OK) {
		if (l < 0)
			l += c->nf;
		if (l < 0 || (size_t)l >= c->nf)
			return err_set("%s:%ld: %s%sno column %s (%zu columns: "
			    "0..%zu, or -1 for the last)", c->name,
			    c->lineno, pre, sep, spec, c->nf, c->nf - 1);
		return l;
	}
	if (!header)
		return err_set("%s: '%s' is a name, but data.header is false",
		    key, err_quote(spec, q));
	for (i = 0; i < c->nf; i++)
		if (strcmp(c->f[i], spec) == 0)
			return i;
	len = 0;
	list[0] = '\0';
	for (i = 0; i < c->nf && len < sizeof(list); i++)
		len += snprintf(list + len, sizeof(list) - len, "%s%s",
		    i ? ", " : "", err_quote(c->f[i], q));
	if (len >= sizeof(list))
		strcpy(list + sizeof(list) - 4, "...");
	return err_set("%s:%ld: %s%sno column '%s' (columns: %s)", c->name,
	    c->lineno, pre, sep, err_quote(spec, q), list);
}

/* A column's part in a sample (role[i] of column i). */
#define COL_LEFT	(-1)	/* left out */
#define COL_LABEL	(-2)	/* the label or target */
#define COL_IGNORED	(-3)	/* col_roles: named by data.ignore */
#define COL_INDEX	(-4)	/* col_roles: a pandas index */

/* pandas' name for an unnamed column 0, its index written by to_csv */
#define PANDAS_INDEX	"Unnamed: 0"

/*
 * The part of each of the c->nf columns of the first line: role[i] is
 * COL_LABEL, COL_LEFT or the feature's position; *d the features.
 * data.features (in its order) or every column but the label,
 * data.ignore's and a pandas index column (header name "" or "Unnamed:
 * 0" in column 0, when data.features is not given and data.ignore does
 * not name it: left out with a note in ds->note).
 */
static int
col_roles(struct csv *c, const struct cfg_data *cd, long lc, int *role,
    size_t *d, struct dataset *ds)
{
	char q[ERR_QUOTESIZE];
	const char *s;
	size_t i, j;
	long k;
	int n;

	for (i = 0; i < c->nf; i++)
		role[i] = COL_LEFT;
	role[lc] = COL_LABEL;
	for (n = 0, s = cd->ignore; n < cd->nignore; n++, s += strlen(s) + 1) {
		if ((k = col_index(c, s, cd->header, "data.ignore")) < 0)
			return -1;
		if (k == lc)
			return err_set("%s:%ld: data.ignore: '%s' is the "
			    "label column", c->name, c->lineno,
			    err_quote(s, q));
		role[k] = COL_IGNORED;
	}
	j = 0;
	for (n = 0, s = cd->featcols; n < cd->nfeatcols; n++,
	    s += strlen(s) + 1) {
		if ((k = col_index(c, s, cd->header, "data.features")) < 0)
			return -1;
		if (k == lc)
			return err_set("%s:%ld: data.features: '%s' is the "
			    "label column", c->name, c->lineno,
			    err_quote(s, q));
		if (role[k] == COL_IGNORED)
			return err_set("%s:%ld: data.features: '%s' is "
			    "also in data.ignore", c->name, c->lineno,
			    err_quote(s, q));
		if (role[k] >= 0)
			return err_set("%s:%ld: data.features: '%s' names "
			    "column %ld a second time", c->name, c->lineno,
			    err_quote(s, q), k);
		role[k] = (int)j++;
	}
	if (cd->nfeatcols == 0) {
		if (cd->header && lc != 0 && role[0] == COL_LEFT &&
		    (c->f[0][0] == '\0' || strcmp(c->f[0], PANDAS_INDEX) ==
		    0)) {
			role[0] = COL_INDEX;
			snprintf(ds->note, sizeof(ds->note), "%s:%ld: column "
			    "0 is named '%s', a pandas index: left out (say "
			    "data.ignore: [0], or list data.features)",
			    c->name, c->lineno, err_quote(c->f[0], q));
		}
		for (i = 0; i < c->nf; i++)
			if (role[i] == COL_LEFT)
				role[i] = (int)j++;
	}
	for (i = 0; i < c->nf; i++)
		if (role[i] < COL_LABEL)
			role[i] = COL_LEFT;
	if ((*d = j) == 0)
		return err_set("%s:%ld: no feature columns (data.ignore leaves "
		    "none)", c->name, c->lineno);
	return 0;
}

/*
 * The distinct texts of a classification's label column, each with an id
 * in the order first seen, kept sorted (strcmp) for the lookup: at most
 * CFG_MAXCLASSES of them.  names: 1 once one of them is not a number.
 */
struct labels {
	char	*text[CFG_MAXCLASSES];	/* (n) by id */
	double	 val[CFG_MAXCLASSES];	/* (n) by id: its number, or 0 */
	int	 sorted[CFG_MAXCLASSES];	/* (n) ids in strcmp order */
	int	 n;
	int	 names;
};

static void
labels_free(struct labels *lb)
{
	int i;

	for (i = 0; i < lb->n; i++)
		free(lb->text[i]);
	lb->n = 0;
}

/* The id of label field i of the current line, adding it if new: a
 * number must be finite and fit a float; anything else is a name.
 * Returns the id, or -1 with the message set. */
static int
labels_id(struct labels *lb, struct csv *c, size_t i)
{
	const char *s;
	double v;
	int lo, hi, mid, cmp, id;

	s = c->f[i];
	lo = 0;
	hi = lb->n;
	while (lo < hi) {
		mid = (lo + hi) / 2;
		if ((cmp = strcmp(lb->text[lb->sorted[mid]], s)) == 0)
			return lb->sorted[mid];
		if (cmp < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (*s == '\0')
		return err_set("%s:%ld: field %zu is empty", c->name,
		    c->lineno, i + 1);
	if (num_double(s, &v) != NUM_BAD) {
		if (csv_num(c, i, &v) < 0)	/* not finite, out of range */
			return -1;
	} else {
		v = 0;
		lb->names = 1;
	}
	if (lb->n == CFG_MAXCLASSES)
		return err_set("%s:%ld: more than %d distinct labels (for a "
		    "numeric target, set data.task: regression)", c->name,
		    c->lineno, CFG_MAXCLASSES);
	id = lb->n;
	if ((lb->text[id] = strdup(s)) == NULL)
		return err_set("%s:%ld: out of memory", c->name, c->lineno);
	lb->val[id] = v;
	memmove(lb->sorted + lo + 1, lb->sorted + lo,
	    (size_t)(lb->n - lo) * sizeof(*lb->sorted));
	lb->sorted[lo] = id;
	lb->n++;
	return id;
}

/* Insert v into the sorted set vals[0..*n-1]; -1 if it is full. */
static int
addclass(double *vals, int *n, double v)
{
	int lo, hi, mid;

	lo = 0;
	hi = *n;
	while (lo < hi) {
		mid = (lo + hi) / 2;
		if (vals[mid] < v)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < *n && vals[lo] == v)
		return 0;
	if (*n == CFG_MAXCLASSES)
		return -1;
	memmove(vals + lo + 1, vals + lo, (*n - lo) * sizeof(*vals));
	vals[lo] = v + 0.0;	/* -0 is 0 */
	(*n)++;
	return 0;
}

static int
findclass(const double *vals, int n, double v)
{
	int lo, hi, mid;

	lo = 0;
	hi = n;
	while (lo < hi) {
		mid = (lo + hi) / 2;
		if (vals[mid] < v)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

int
data_load_csv(struct dataset *ds, const struct cfg_data *cd)
{
	struct csv c;
	struct labels *lb;
	char *line = NULL;
	double *lab, v, *nl;	/* lab: (cap) the label's value, or for
				   classification its id (lb) */
	float *nx;
	int *role;	/* (ncol) each column's part: COL_*, or the
			   feature's position */
	size_t len = 0, ncol, d, n, cap, ncap, i;
	long lc;
	int r, first, ncls, cls, id, k, rank[CFG_MAXCLASSES];	/* (lb->n)
				   class of each id */

	memset(&c, 0, sizeof(c));
	c.name = cd->path;
	c.delim = cd->delimiter;
	lab = NULL;
	lb = NULL;
	role = NULL;
	ncls = 0;
	cls = cd->task == TASK_CLASSIFICATION;
	if (c.delim == '"' || c.delim == '\0' || c.delim == '\n' ||
	    c.delim == '\r')
		return err_set("data.delimiter: cannot be a quote or a line "
		    "end");
	if (cls && (lb = calloc(1, sizeof(*lb))) == NULL)
		return err_set("%s: out of memory", cd->path);
	if ((c.fp = fopen(cd->path, "rb")) == NULL) {
		free(lb);
		return err_set("%s: %s", cd->path, strerror(errno));
	}

	ncol = d = n = cap = 0;
	first = 1;
	while ((r = csv_line(&c, &line, &len)) > 0) {
		if (first && len >= 3 && memcmp(line, "\xef\xbb\xbf", 3) == 0) {
			line += 3;
			len -= 3;
		}
		first = 0;
		if (blankline(line, c.delim))
			continue;
		if (csv_split(&c, line) < 0)
			goto fail;
		if (ncol == 0) {
			ncol = c.nf;
			if (ncol < 2) {
				err_set("%s:%ld: one column: no features "
				    "besides the label", c.name, c.lineno);
				goto fail;
			}
			if ((lc = col_index(&c, cd->label_column,
			    cd->header, "data.label_column")) < 0)
				goto fail;
			if (cd->header && dupname(&c) < 0)
				goto fail;
			if ((role = malloc(ncol * sizeof(*role))) == NULL) {
				err_set("%s:%ld: out of memory", c.name,
				    c.lineno);
				goto fail;
			}
			if (col_roles(&c, cd, lc, role, &d, ds) < 0)
				goto fail;
			if (cd->header)
				continue;
		}
		if (c.nf != ncol) {
			err_set("%s:%ld: %zu fields, expected %zu", c.name,
			    c.lineno, c.nf, ncol);
			goto fail;
		}
		if (n == cap) {
			ncap = cap ? cap * 2 : 1024;
			if (ncap * d > DATA_MAXBYTES / sizeof(float))
				ncap = DATA_MAXBYTES / sizeof(float) / d;
			if (ncap <= n) {
				err_set("%s:%ld: more than the %zu-byte limit "
				    "of data", c.name, c.lineno,
				    DATA_MAXBYTES);
				goto fail;
			}
			nx = realloc(ds->x, ncap * d * sizeof(*nx));
			if (nx != NULL)
				ds->x = nx;
			nl = realloc(lab, ncap * sizeof(*nl));
			if (nl != NULL)
				lab = nl;
			if (nx == NULL || nl == NULL) {
				err_set("%s:%ld: out of memory", c.name,
				    c.lineno);
				goto fail;
			}
			cap = ncap;
		}
		for (i = 0; i < ncol; i++) {
			if (role[i] == COL_LEFT)
				continue;
			if (role[i] == COL_LABEL && cls) {
				if ((id = labels_id(lb, &c, i)) < 0)
					goto fail;
				lab[n] = id;
			} else if (csv_num(&c, i, &v) < 0)
				goto fail;
			else if (role[i] == COL_LABEL)
				lab[n] = v;
			else
				ds->x[n * d + role[i]] = v;
		}
		n++;
	}
	if (r < 0)
		goto fail;
	if (n == 0) {
		if (c.lineno == 0)
			err_set("%s: empty file", c.name);
		else
			err_set("%s: no data rows", c.name);
		goto fail;
	}
	fclose(c.fp);
	free(c.buf);
	free(c.f);
	free(role);

	ds->n = n;
	ds->d = d;
	ds->shape[0] = d;
	ds->shape[1] = ds->shape[2] = 1;
	if (cls) {
		if ((ds->y = malloc(n * sizeof(*ds->y))) == NULL ||
		    (lb->names && (ds->classname = calloc(lb->n,
		    sizeof(*ds->classname))) == NULL)) {
			free(lab);
			labels_free(lb);
			free(lb);
			return err_set("%s: out of memory", c.name);
		}
		if (lb->names) {
			/* names: the classes in strcmp order */
			for (k = 0; k < lb->n; k++) {
				rank[lb->sorted[k]] = k;
				ds->classval[k] = k;
				ds->classname[k] = lb->text[lb->sorted[k]];
			}
			ncls = lb->n;
			lb->n = 0;	/* the texts are ds's now */
		} else {
			/* numbers: the classes in numeric order ("1" and
			 * "1.0" are one) */
			for (k = 0; k < lb->n; k++)
				(void)addclass(ds->classval, &ncls, lb->val[k]);
			for (k = 0; k < lb->n; k++)
				rank[k] = findclass(ds->classval, ncls,
				    lb->val[k]);
		}
		ds->nclasses = ncls;
		for (i = 0; i < n; i++)
			ds->y[i] = rank[(int)lab[i]];
		labels_free(lb);
		free(lb);
	} else {
		if ((ds->t = malloc(n * sizeof(*ds->t))) == NULL) {
			free(lab);
			return err_set("%s: out of memory", c.name);
		}
		for (i = 0; i < n; i++)
			ds->t[i] = lab[i];
	}
	free(lab);
	return 0;
fail:
	fclose(c.fp);
	free(c.buf);
	free(c.f);
	free(role);
	free(lab);
	if (lb != NULL)
		labels_free(lb);
	free(lb);
	return -1;
}
