/* rec.c - reading and writing the lrf record stream. */
#include <errno.h>
#include <poll.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "err.h"
#include "num.h"
#include "rec.h"

static const char *posnames[] = { "lr", "loss", "smooth" };

/* A loss log's names for the rate and the loss, by preference. */
static const char *const lognames[2][4] = {
	{ "lr", "learning_rate", NULL },
	{ "loss", "train_loss", "train_loss_step", NULL },
};
static const char *const logprefix[2] = { "lr", NULL };
static char nanstr[] = "nan";

void
rec_open(struct rec_reader *r, FILE *fp, const char *name)
{
	memset(r, 0, sizeof(*r));
	r->fp = fp;
	r->name = name;
	r->fd = fileno(fp);
	r->logc[0] = r->logc[1] = -1;
}

void
rec_onwait(struct rec_reader *r, int (*fn)(void *), void *arg)
{
	r->onwait = fn;
	r->waitarg = arg;
}

void
rec_close(struct rec_reader *r)
{
	free(r->buf);
	free(r->split);
	free(r->namebuf);
	free(r->lastlr);
	memset(r, 0, sizeof(*r));
}

/* Make *p hold at least need bytes; 0, or -1 when memory runs out. */
static int
grow(char **p, size_t *cap, size_t need)
{
	size_t n;
	char *q;

	if (need <= *cap)
		return 0;
	n = *cap ? *cap : 256;
	while (n < need)
		n *= 2;
	if ((q = realloc(*p, n)) == NULL)
		return -1;
	*p = q;
	*cap = n;
	return 0;
}

/* The block the reader asks read(2) for, and its first buffer. */
#define REC_BLOCK	(1 << 16)

/*
 * Read more input into buf[tail..): a block, or what is there.  First,
 * if nothing is ready on the descriptor, call the wait hook.  Returns
 * the bytes read, 0 at end of input, -1 on error (a read error, out of
 * memory, or the hook's stop).
 */
static int
fill(struct rec_reader *r)
{
	struct pollfd pfd;
	ssize_t n;
	size_t want;

	if (r->head > 0) {		/* keep the unread bytes at the front */
		memmove(r->buf, r->buf + r->head, r->tail - r->head);
		r->tail -= r->head;
		r->head = 0;
	}
	/* room for a block, and the byte after the longest line */
	if (r->bufcap - r->tail < REC_BLOCK + 1 &&
	    grow(&r->buf, &r->bufcap, r->tail + REC_BLOCK + 1) < 0)
		return err_set("%s:%ld: out of memory", r->name,
		    r->lineno + 1);
	want = r->bufcap - r->tail - 1;
	if (r->fd < 0) {		/* no descriptor: a memory stream */
		n = (ssize_t)fread(r->buf + r->tail, 1, want, r->fp);
		if (ferror(r->fp))	/* at once, while errno is fread's */
			return err_set("%s:%ld: read error: %s", r->name,
			    r->lineno + 1, strerror(errno));
		r->tail += (size_t)n;
		return (int)(n > 0);
	}
	if (r->onwait != NULL) {
		pfd.fd = r->fd;
		pfd.events = POLLIN;
		if (poll(&pfd, 1, 0) == 0 && r->onwait(r->waitarg) != 0)
			return -1;
	}
	if ((n = read(r->fd, r->buf + r->tail, want)) < 0)
		return err_set("%s:%ld: read error: %s", r->name,
		    r->lineno + 1, strerror(errno));
	r->tail += (size_t)n;
	return (int)(n > 0);
}

/*
 * Take one line from the buffer, reading more as needed, without its
 * line end: r->raw points into the buffer.  Returns 1 for a line, 0 at
 * end of input, -1 on error.  A line is refused once it passes
 * REC_MAXLINE bytes, so a stream without newlines cannot exhaust memory.
 */
static int
readline(struct rec_reader *r)
{
	char *line, *nl;
	size_t n, seen;
	int k;

	seen = 0;	/* bytes from head known to hold no newline */
	for (;;) {
		nl = r->tail > r->head + seen ? memchr(r->buf + r->head +
		    seen, '\n', r->tail - r->head - seen) : NULL;
		if (nl != NULL)
			break;
		seen = r->tail - r->head;
		if (seen > REC_MAXLINE)
			return err_set("%s:%ld: line longer than %d bytes",
			    r->name, r->lineno + 1, REC_MAXLINE);
		if (r->eof)
			break;
		if ((k = fill(r)) < 0)
			return -1;
		if (k == 0)
			r->eof = 1;
	}
	if (r->buf == NULL)		/* nothing ever read */
		return 0;
	line = r->buf + r->head;
	n = nl != NULL ? (size_t)(nl - line) : r->tail - r->head;
	if (nl == NULL && n == 0)
		return 0;
	if (n > REC_MAXLINE)
		return err_set("%s:%ld: line longer than %d bytes", r->name,
		    r->lineno + 1, REC_MAXLINE);
	r->head += nl != NULL ? n + 1 : n;
	r->lineno++;
	if (memchr(line, '\0', n) != NULL)
		return err_set("%s:%ld: NUL byte in line", r->name, r->lineno);
	if (n > 0 && line[n - 1] == '\r')
		n--;
	line[n] = '\0';	/* the newline, or buf[tail], always there */
	r->raw = line;
	r->len = n;
	return 1;
}

/* Cut r->split into fields at each r->delim: blanks around a field
 * and a pair of quotes around it dropped, empty fields kept. */
static int
dsplit(struct rec_reader *r)
{
	char *p, *e, *next;

	r->nf = 0;
	for (p = r->split; p != NULL; p = next) {
		if (r->nf == REC_MAXCOLS)
			return err_set("%s:%ld: more than %d fields", r->name,
			    r->lineno, REC_MAXCOLS);
		if ((next = strchr(p, r->delim)) != NULL)
			*next++ = '\0';
		while (*p == ' ' || *p == '\t')
			p++;
		e = p + strlen(p);
		while (e > p && (e[-1] == ' ' || e[-1] == '\t'))
			e--;
		if (e - p >= 2 && *p == '"' && e[-1] == '"') {
			p++;
			e--;
		}
		*e = '\0';
		r->f[r->nf++] = p;
		while ((p = strpbrk(p, " \t")) != NULL)	/* one field */
			*p++ = '_';
	}
	return 0;
}

/* Cut a copy of the current line (from offset off) into r->f. */
static int
split(struct rec_reader *r, size_t off)
{
	char *p;

	if (grow(&r->split, &r->splitcap, r->len + 1) < 0)
		return err_set("%s:%ld: out of memory", r->name, r->lineno);
	memcpy(r->split, r->raw, r->len + 1);
	if (r->delim != 0)
		return dsplit(r);
	r->nf = 0;
	p = r->split + off;
	for (;;) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '\0')
			break;
		if (r->nf == REC_MAXCOLS)
			return err_set("%s:%ld: more than %d fields", r->name,
			    r->lineno, REC_MAXCOLS);
		r->f[r->nf++] = p;
		while (*p != '\0' && *p != ' ' && *p != '\t')
			p++;
		if (*p != '\0')
			*p++ = '\0';
	}
	return 0;
}

/* Copy names f[0..nf-1] (or positional ones) into r->names. */
static int
setnames(struct rec_reader *r, int positional)
{
	char q[ERR_QUOTESIZE];
	size_t need;
	char *p;
	int i, j;

	need = 0;
	for (i = 0; i < r->nf; i++)
		need += positional ? 16 : strlen(r->f[i]) + 1;
	if ((r->namebuf = malloc(need + 1)) == NULL)
		return err_set("%s:%ld: out of memory", r->name, r->lineno);
	p = r->namebuf;
	for (i = 0; i < r->nf; i++) {
		if (positional && i < 3)
			strcpy(p, posnames[i]);
		else if (positional)
			snprintf(p, 16, "col%d", i + 1);
		else
			strcpy(p, r->f[i]);
		for (j = 0; j < i; j++)
			if (strcmp(r->names[j], p) == 0)
				return err_set("%s:%ld: duplicate column name "
				    "'%s'", r->name, r->lineno,
				    err_quote(p, q));
		r->names[i] = p;
		p += strlen(p) + 1;
	}
	r->ncols = r->nf;
	return 0;
}

/* The column of names f[0..nf-1] that a loss log gives quantity q (0
 * the rate, 1 the loss), or -1. */
static int
logcol(char *const *f, int nf, int q)
{
	const char *const *w;
	int i;

	for (w = lognames[q]; *w != NULL; w++)
		for (i = 0; i < nf; i++)
			if (strcmp(f[i], *w) == 0)
				return i;
	if (logprefix[q] != NULL)
		for (i = 0; i < nf; i++)
			if (strncmp(f[i], logprefix[q], strlen(logprefix[q]))
			    == 0)
				return i;
	return -1;
}

/*
 * Line 1, not a comment: a loss log's bare header?  1 (the names set,
 * the delimiter chosen, the rate and loss columns renamed), 0 if not (a
 * positional record, as before), -1 on error.
 */
static int
bareheader(struct rec_reader *r)
{
	double v;
	int i, k;

	r->delim = strchr(r->raw, ',') != NULL ? ',' :
	    strchr(r->raw, '\t') != NULL ? '\t' : 0;
	if (split(r, 0) < 0)
		return -1;
	for (i = 0; i < r->nf; i++)
		if (num_double(r->f[i], &v) != NUM_BAD)
			break;
	if (i < r->nf || r->nf == 0 || logcol(r->f, r->nf, 0) < 0) {
		r->delim = 0;	/* a positional record, as ever */
		return 0;
	}
	for (i = 0; i < r->nf; i++)
		if (r->f[i][0] == '\0')
			return err_set("%s:%ld: header: column %d has no "
			    "name", r->name, r->lineno, i + 1);
	if (setnames(r, 0) < 0)
		return -1;
	for (k = 0; k < 2; k++) {
		if ((i = r->logc[k] = logcol(r->names, r->ncols, k)) < 0 ||
		    strcmp(r->names[i], lognames[k][0]) == 0)
			continue;
		r->alias[i] = r->names[i];
		r->names[i] = (char *)lognames[k][0];
	}
	return 1;
}

/*
 * A loss log's record: 1 to take it, 0 to skip it (its loss cell empty,
 * or its rate's and none before), -1 out of memory; empty cells of the
 * others read nan.
 */
static int
logrecord(struct rec_reader *r)
{
	size_t n;
	int i, lc;

	/* the rate first: a row with a rate and no loss (Lightning's
	 * LearningRateMonitor's) sets the rate of the rows after it */
	if ((lc = r->logc[0]) >= 0 && r->f[lc][0] != '\0') {
		n = strlen(r->f[lc]) + 1;
		if (grow(&r->lastlr, &r->lastcap, n) < 0)
			return err_set("%s:%ld: out of memory", r->name,
			    r->lineno);
		memcpy(r->lastlr, r->f[lc], n);
	}
	if (r->logc[1] >= 0 && r->f[r->logc[1]][0] == '\0')
		return 0;
	if (lc >= 0 && r->f[lc][0] == '\0') {
		if (r->lastlr == NULL)
			return 0;
		r->f[lc] = r->lastlr;
	}
	for (i = 0; i < r->nf; i++)
		if (r->f[i][0] == '\0')
			r->f[i] = nanstr;
	return 1;
}

int
rec_next(struct rec_reader *r)
{
	int n;

	for (;;) {
		if ((n = readline(r)) <= 0)
			return n;
		if (r->len == 0 || strspn(r->raw, " \t") == r->len)
			continue;
		if (r->raw[0] == '#') {
			if (r->lineno == 1 && (r->raw[1] == ' ' ||
			    r->raw[1] == '\t')) {
				if (split(r, 1) < 0)
					return -1;
				if (r->nf == 0)
					return err_set("%s:%ld: header names "
					    "no columns", r->name, r->lineno);
				if (setnames(r, 0) < 0)
					return -1;
				r->header = 1;
				r->nf = 0;
				return REC_HEADER;
			}
			return REC_COMMENT;
		}
		if (r->lineno == 1 && (n = bareheader(r)) != 0) {
			if (n < 0)
				return -1;
			r->header = 1;
			r->nf = 0;
			return REC_HEADER;
		}
		if (split(r, 0) < 0)
			return -1;
		if (r->ncols == 0 && setnames(r, 1) < 0)
			return -1;
		if (r->nf != r->ncols)
			return err_set("%s:%ld: %d fields, expected %d (%s)",
			    r->name, r->lineno, r->nf, r->ncols,
			    r->header ? "as in the header" :
			    "as in the first record");
		if (r->delim != 0 && (n = logrecord(r)) <= 0) {
			if (n < 0)
				return -1;
			continue;
		}
		return REC_DATA;
	}
}

int
rec_hascol(const struct rec_reader *r, const char *spec)
{
	long n;
	int i;

	if (num_long(spec, 1, REC_MAXCOLS, &n) == NUM_OK)
		return n <= r->ncols ? (int)n - 1 : -1;
	for (i = 0; i < r->ncols; i++)
		if (strcmp(r->names[i], spec) == 0)
			return i;
	for (i = 0; i < r->ncols; i++)	/* a loss log's own names */
		if (r->alias[i] != NULL && strcmp(r->alias[i], spec) == 0)
			return i;
	return -1;
}

int
rec_col(struct rec_reader *r, const char *spec)
{
	char list[512], q[ERR_QUOTESIZE];
	size_t off;
	int i;

	if ((i = rec_hascol(r, spec)) >= 0)
		return i;
	off = 0;
	list[0] = '\0';
	for (i = 0; i < r->ncols && off < sizeof(list); i++)
		off += snprintf(list + off, sizeof(list) - off, "%s%s",
		    i ? " " : "", err_quote(r->names[i], q));
	return err_set("%s:%ld: no column '%s' (columns: %s)", r->name,
	    r->lineno, err_quote(spec, q), list);
}

int
rec_num(struct rec_reader *r, int col, double *v)
{
	char q[ERR_QUOTESIZE];

	if (col < 0 || col >= r->nf)
		return err_set("%s:%ld: no field %d", r->name, r->lineno,
		    col + 1);
	switch (num_double(r->f[col], v)) {
	case NUM_OK:
		return 0;
	case NUM_RANGE:
		return err_set("%s:%ld: field %d '%s' is out of range",
		    r->name, r->lineno, col + 1, err_quote(r->f[col], q));
	default:
		return err_set("%s:%ld: field %d '%s' is not a number",
		    r->name, r->lineno, col + 1, err_quote(r->f[col], q));
	}
}

int
rec_lr(struct rec_reader *r, int col, double *v)
{
	char q[ERR_QUOTESIZE];

	if (rec_num(r, col, v) < 0)
		return -1;
	if (!(*v > 0) || !isfinite(*v))
		return err_set("%s:%ld: learning rate '%s' is not positive "
		    "and finite", r->name, r->lineno, err_quote(r->f[col], q));
	return 0;
}

void
rec_header(FILE *fp, char *const *names, int n)
{
	int i;

	fputs("# ", fp);
	for (i = 0; i < n; i++) {
		if (i)
			putc('\t', fp);
		fputs(names[i], fp);
	}
	putc('\n', fp);
}

void
rec_putnum(FILE *fp, double v)
{
	char buf[32];

	num_fmt(buf, sizeof(buf), v);
	fputs(buf, fp);
}

int
rec_meta_is(const char *line, const char *word)
{
	size_t n;

	if (strncmp(line, "#@", 2) != 0)
		return 0;
	line += 2;
	line += strspn(line, " \t");
	n = strlen(word);
	return strncmp(line, word, n) == 0 &&
	    (line[n] == '\0' || line[n] == ' ' || line[n] == '\t');
}

int
rec_meta_get(const char *line, const char *key, char *buf, size_t n)
{
	const char *p, *v;
	size_t klen, vlen;

	if (strncmp(line, "#@", 2) != 0 || n == 0)
		return -1;
	klen = strlen(key);
	p = line + 2;
	for (;;) {
		p += strspn(p, " \t");
		if (*p == '\0')
			return -1;
		v = p + strcspn(p, " \t");
		if (strncmp(p, key, klen) == 0 && p[klen] == '=') {
			p += klen + 1;
			vlen = (size_t)(v - p);
			if (vlen >= n)
				vlen = n - 1;
			memcpy(buf, p, vlen);
			buf[vlen] = '\0';
			return 0;
		}
		p = v;
	}
}

int
rec_meta_num(const char *line, const char *key, double *v)
{
	char buf[64];

	if (rec_meta_get(line, key, buf, sizeof(buf)) < 0)
		return -1;
	return num_double(buf, v) == NUM_OK ? 0 : -1;
}

int
rec_flush(FILE *fp, const char *name)
{
	if (fflush(fp) == 0 && !ferror(fp))
		return REC_FLUSH_OK;
	if (errno == EPIPE)
		return REC_FLUSH_GONE;
	return err_set("%s: write error: %s", name, strerror(errno));
}
