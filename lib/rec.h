/*
 * rec.h - the lrf record stream (see lrf(7)).
 *
 * One record per line; fields separated by runs of blanks.  The first line,
 * if it is "#" followed by a blank and does not start "#@", is the header
 * and names the columns.  Without one the stream is positional: lr, loss,
 * smooth, then col4, col5, ...  Other "#" lines are comments; "#@ word
 * key=value ..." comments are metadata.  Blank lines are skipped.
 *
 * Loss logs of other tools (Keras' CSVLogger, Lightning's metrics.csv)
 * are read too: a first line that is not a comment, whose fields are all
 * names (not numbers) and one of them the rate's, is a bare header.  If
 * it has a comma the log is comma-separated, else if it has a tab
 * tab-separated, else blank-separated; with a delimiter every delimiter
 * ends a field (blanks around one and a pair of double quotes are
 * dropped, no quoting of delimiters).  The rate's column is "lr", else
 * "learning_rate", else the first whose name begins with "lr" (Lightning's
 * "lr-SGD"); the loss's is "loss", else "train_loss", else
 * "train_loss_step".  They are renamed lr and loss (rec_col finds them by
 * their own names too); blanks inside a field become '_' (a record's
 * fields never hold blanks).  An empty cell: the
 * loss's skips the record, the rate's repeats the last rate given (a
 * record before any is skipped), any other reads as nan.
 */
#ifndef LRF_REC_H
#define LRF_REC_H

#include <stddef.h>
#include <stdio.h>

#define REC_MAXLINE	(1 << 20)	/* longest line accepted, in bytes */
#define REC_MAXCOLS	64		/* most fields in one record */

enum {
	REC_EOF = 0,		/* end of input */
	REC_DATA,		/* a data record: f[0..nf-1] */
	REC_COMMENT,		/* a '#' line other than the header: raw */
	REC_HEADER		/* the header line: names[0..ncols-1] */
};

struct rec_reader {
	FILE	*fp;
	const char *name;	/* "stdin" or the file name, for messages */
	long	 lineno;	/* line number of the current line, 1-based */
	char	*raw;		/* the current line as read, no line end */
	size_t	 len;		/* strlen(raw) */
	int	 header;	/* 1 if the stream has a header line */
	int	 ncols;		/* columns named (0 until known) */
	char	*names[REC_MAXCOLS];	/* column names */
	int	 nf;		/* fields in the current data record */
	char	*f[REC_MAXCOLS];	/* the fields, pointing into split */

	char	*buf;		/* buf[head..tail): bytes read, not yet */
	size_t	 bufcap;	/* taken; buf[tail] is always writable */
	size_t	 head, tail;
	int	 fd;		/* fp's descriptor, read with read(2); -1: */
	int	 eof;		/* read with fread (a memory stream) */
	int	(*onwait)(void *);	/* called before input may block */
	void	*waitarg;
	char	*split;		/* copy of raw, cut into fields */
	size_t	 splitcap;
	char	*namebuf;	/* storage for names */

	/* a loss log with a bare header (rec_next) */
	char	 delim;		/* 0: blank runs; ',' or '\t': one field
				   per delimiter, empty cells kept */
	int	 logc[2];	/* its lr and loss columns, -1 if none */
	char	*alias[REC_MAXCOLS];	/* a column's own name where the
				   log's is renamed lr or loss, or NULL */
	char	*lastlr;	/* (lastcap) the lr cell last given, or */
	size_t	 lastcap;	/* NULL */
};

/*
 * Start reading fp; name is used in messages.  Never fails.  The reader
 * reads fp's descriptor itself, in large blocks, without copying lines
 * out of stdio: fp must not have been read from before, nor be read
 * with stdio while the reader is in use.
 */
void rec_open(struct rec_reader *r, FILE *fp, const char *name);

/*
 * Call fn(arg) whenever the reader is about to wait for input: no whole
 * line is buffered and the descriptor has nothing ready (poll(2)).  This
 * is where a filter flushes its output, so that a slow producer's
 * records go on at once and a fast one's in full buffers.  If fn returns
 * nonzero, rec_next returns -1 at once (whatever fn set stands).
 */
void rec_onwait(struct rec_reader *r, int (*fn)(void *), void *arg);

/* Free what the reader allocated; does not close fp. */
void rec_close(struct rec_reader *r);

/*
 * Read the next line.  Returns REC_DATA, REC_COMMENT, REC_HEADER, REC_EOF,
 * or -1 with "name:line: what" set for a read error, a line longer than
 * REC_MAXLINE, a NUL byte, too many fields, a record whose field count
 * differs from the header's (or the first record's), or a header with an
 * empty or duplicate column name.  CRLF line ends are accepted.
 */
int rec_next(struct rec_reader *r);

/*
 * Find a column by spec: a name, or a 1-based number.  Valid once the
 * header or the first data record has been read.  Returns the 0-based
 * index, or -1 with "name:line: no column 'x' (columns: a b c)" set.
 */
int rec_col(struct rec_reader *r, const char *spec);

/* Like rec_col but returns -1 without setting an error when absent. */
int rec_hascol(const struct rec_reader *r, const char *spec);

/*
 * Parse field col of the current record as a number.  nan and inf are
 * accepted; garbage or overflow is -1 with "name:line: field N 'x' is not
 * a number" (or "is out of range").  A missing field is an error too.
 */
int rec_num(struct rec_reader *r, int col, double *v);

/* Like rec_num, but the value must be a positive, finite learning rate. */
int rec_lr(struct rec_reader *r, int col, double *v);

/* Write a header line "# a<TAB>b<TAB>c\n". */
void rec_header(FILE *fp, char *const *names, int n);

/* Write a number as num_fmt() does. */
void rec_putnum(FILE *fp, double v);

/*
 * Metadata.  rec_meta_is(line, word) is 1 if line is "#@ word ..." .
 * rec_meta_get copies the value of key= into buf (NUL-terminated,
 * truncated to n-1) and returns 0, or -1 if the key is absent;
 * rec_meta_num parses it as a number (-1 if absent or not a number).
 */
int rec_meta_is(const char *line, const char *word);
int rec_meta_get(const char *line, const char *key, char *buf, size_t n);
int rec_meta_num(const char *line, const char *key, double *v);

enum { REC_FLUSH_OK = 0, REC_FLUSH_GONE = 1 };

/*
 * Flush fp and report: REC_FLUSH_OK, REC_FLUSH_GONE when the reader has
 * gone away (EPIPE: the program should exit 0 without a word; SIGPIPE
 * must be ignored for this to be seen), or -1 with "name: what" set for
 * any other write error.
 */
int rec_flush(FILE *fp, const char *name);

#endif
