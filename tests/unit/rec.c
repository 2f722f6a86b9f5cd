/* Unit tests for the record reader and writer (lib/rec.c, lib/num.c). */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "err.h"
#include "num.h"
#include "rec.h"
#include "tap.h"

static FILE *
textn(const char *s, size_t n)
{
	FILE *fp;

	fp = tmpfile();
	fwrite(s, 1, n, fp);
	rewind(fp);
	return fp;
}

static FILE *
text(const char *s)
{
	return textn(s, strlen(s));
}

/* Read a whole stream of n bytes: the first error result or REC_EOF. */
static int
drainn(const char *s, size_t n)
{
	struct rec_reader r;
	FILE *fp;
	int c;

	fp = textn(s, n);
	rec_open(&r, fp, "t");
	while ((c = rec_next(&r)) > 0)
		;
	rec_close(&r);
	fclose(fp);
	return c;
}

static int
drain(const char *s)
{
	return drainn(s, strlen(s));
}

/* The wait hook: counts its calls, stops the reader when *arg says. */
static int nwait;
static int
onwait(void *arg)
{
	nwait++;
	return *(int *)arg;
}

/* A pipe: the hook is called when no whole line is at hand, not before. */
static void
waiting(void)
{
	struct rec_reader r;
	FILE *fp;
	int fd[2], stop;

	if (pipe(fd) < 0 || (fp = fdopen(fd[0], "r")) == NULL) {
		skip(6, "no pipe");
		return;
	}
	stop = 1;
	nwait = 0;
	rec_open(&r, fp, "pipe");
	rec_onwait(&r, onwait, &stop);
	(void)!write(fd[1], "1 2\n3 4\n5", 9);
	is_int(rec_next(&r), REC_DATA, "pipe: first record");
	is_int(rec_next(&r), REC_DATA, "pipe: second, from the same read");
	is_int(nwait, 0, "pipe: no wait hook while input was ready");
	is_int(rec_next(&r), -1, "pipe: a half line, nothing ready: the "
	    "hook stops the reader");
	is_int(nwait, 1, "pipe: the hook called once");
	stop = 0;
	(void)!write(fd[1], " 6\n", 3);
	close(fd[1]);
	ok(rec_next(&r) == REC_DATA && strcmp(r.f[1], "6") == 0,
	    "pipe: the half line completed");
	rec_close(&r);
	fclose(fp);
}

static uint64_t rs = 88172645463325252ULL;
static uint64_t
rnd(void)
{
	rs ^= rs << 13;
	rs ^= rs >> 7;
	rs ^= rs << 17;
	return rs;
}

/*
 * num_fmt's and num_double's fast paths against printf's "%.9g" and
 * strtod, byte for byte and bit for bit: random doubles (any bits),
 * decimals of every scale, float32 values (what the programs write),
 * decimals ending in 5 (ties at the tenth digit), and the edges.
 */
static void
fastpaths(void)
{
	static const double edge[] = {
		1, 10, 1e8, 1e9, 999999999.5, 999999999.4999, 1e-5, 1e-4,
		0.0001, 9.9999999995e-5, 1e-19, 9.99999999e-20, 1e35,
		9.9999999999e34, 1e-300, 4.9e-324, 1.7976931348623157e308,
		0.5, 2.5e-7, 123456789.5, 0.1, 1.0 / 3, 5e-5
	};
	char a[64], b[64], t[64];
	double v, w, z;
	long n, badf, badp;

	badf = badp = 0;
	for (n = 0; n < 1000000 + (long)(sizeof(edge) / sizeof(edge[0]));
	    n++) {
		uint64_t r = rnd();

		if (n >= 1000000)
			v = edge[n - 1000000];
		else if (n % 4 == 0)
			memcpy(&v, &r, sizeof(v));
		else if (n % 4 == 1)
			v = (double)(r % 2000000000) / 1e9 *
			    pow(10, (int)(rnd() % 50) - 25);
		else if (n % 4 == 2)
			v = (float)((double)(r >> 11) / 0x1p53 *
			    pow(10, (int)(rnd() % 20) - 10));
		else {
			snprintf(t, sizeof(t), "%lu.%lu5e%d",
			    (unsigned long)(r % 1000),
			    (unsigned long)(rnd() % 1000000),
			    (int)(rnd() % 40) - 20);
			v = strtod(t, NULL);
		}
		if (rnd() & 1)
			v = -v;
		num_fmt(a, sizeof(a), v);
		if (isnan(v))
			strcpy(b, "nan");
		else
			snprintf(b, sizeof(b), "%.9g", v);
		if (strcmp(a, b) != 0 && badf++ < 5)
			diag("num_fmt %a: '%s', printf '%s'", v, a, b);
		snprintf(t, sizeof(t), n & 1 ? "%.9g" : "%.17g", v);
		z = strtod(t, NULL);
		if ((num_double(t, &w) != NUM_OK && !isinf(z)) ||
		    (!isinf(z) && memcmp(&w, &z, sizeof(w)) != 0 &&
		    !isnan(z))) {
			if (badp++ < 5)
				diag("num_double '%s': %a, strtod %a", t, w, z);
		}
	}
	is_int(badf, 0, "num_fmt: printf's %.9g for 10^6 values, byte for "
	    "byte");
	is_int(badp, 0, "num_double: strtod's double for 2*10^6 strings, "
	    "bit for bit");
	num_fmt(a, 5, 1.5e-7);
	is_str(a, "1.5e", "num_fmt cuts as snprintf does");
	is_int(num_fmt(a, 5, 1.5e-7), 7, "and returns the whole length");
}


/* The fields of the next data record, joined by '|', into buf. */
static const char *
next(struct rec_reader *r, char *buf, size_t size)
{
	size_t len;
	int i;

	buf[0] = '\0';
	if (rec_next(r) != REC_DATA)
		return "(no record)";
	for (i = len = 0; i < r->nf && len < size; i++)
		len += snprintf(buf + len, size - len, "%s%s", i ? "|" : "",
		    r->f[i]);
	return buf;
}

/* Loss logs with a bare header: Keras' CSVLogger, Lightning's
 * metrics.csv, a TSV, a blank-separated one. */
static void
losslogs(void)
{
	struct rec_reader r;
	char buf[256];
	double v;
	FILE *fp;

	fp = text("epoch,loss,lr\r\n0,2.5,1e-05\r\n1, 2.25 ,\"1e-04\"\r\n");
	rec_open(&r, fp, "k");
	is_int(rec_next(&r), REC_HEADER, "keras: a bare header");
	ok(r.header == 1 && r.ncols == 3 && rec_col(&r, "lr") == 2 &&
	    rec_col(&r, "loss") == 1 && rec_col(&r, "epoch") == 0,
	    "keras: the columns by name");
	is_str(next(&r, buf, sizeof(buf)), "0|2.5|1e-05", "keras: record 1");
	is_str(next(&r, buf, sizeof(buf)), "1|2.25|1e-04",
	    "keras: blanks and quotes around a field dropped");
	ok(rec_lr(&r, 2, &v) == 0 && v == 1e-4, "keras: the rate");
	is_int(rec_next(&r), REC_EOF, "keras: the end");
	rec_close(&r);
	fclose(fp);

	/* Lightning: the rate on rows of its own, the loss on others, cells
	 * left empty */
	fp = text("epoch,lr-SGD,step,train_loss,val loss\n"
	    ",,,,\n0,,0,2.4,\n0,0.001,0,,\n0,,0,2.3,\n0,,1,2.2,\n"
	    "0,0.01,2,2.1,1.9\n0,2 3,3,2.0,\n");
	rec_open(&r, fp, "l");
	is_int(rec_next(&r), REC_HEADER, "lightning: a bare header");
	ok(r.ncols == 5 && strcmp(r.names[1], "lr") == 0 &&
	    strcmp(r.names[3], "loss") == 0 && strcmp(r.names[4],
	    "val_loss") == 0, "lightning: lr-SGD and train_loss renamed, a "
	    "blank in a name is _");
	ok(rec_hascol(&r, "lr-SGD") == 1 && rec_hascol(&r, "train_loss") ==
	    3 && rec_hascol(&r, "lr") == 1, "lightning: found by their own "
	    "names too");
	is_str(next(&r, buf, sizeof(buf)), "0|0.001|0|2.3|nan",
	    "lightning: rows without a loss, or before any rate, skipped; "
	    "the rate carried; an empty cell nan");
	is_str(next(&r, buf, sizeof(buf)), "0|0.001|1|2.2|nan",
	    "lightning: the rate carried again");
	is_str(next(&r, buf, sizeof(buf)), "0|0.01|2|2.1|1.9",
	    "lightning: a new rate");
	is_str(next(&r, buf, sizeof(buf)), "0|2_3|3|2.0|nan",
	    "lightning: a blank inside a field is _");
	is_int(rec_lr(&r, 1, &v), -1, "lightning: '2_3' is no rate");
	is_str(err_msg(), "l:8: field 2 '2_3' is not a number",
	    "lightning: the message names line and field");
	rec_close(&r);
	fclose(fp);

	fp = text("lr\tloss\n1e-3\t\n1e-2\t1\n");
	rec_open(&r, fp, "t");
	is_int(rec_next(&r), REC_HEADER, "tsv: a bare header");
	is_str(next(&r, buf, sizeof(buf)), "1e-2|1",
	    "tsv: a record without its loss skipped");
	rec_close(&r);
	fclose(fp);

	fp = text("learning_rate loss\n1e-3 2\n");
	rec_open(&r, fp, "b");
	ok(rec_next(&r) == REC_HEADER && rec_col(&r, "lr") == 0 &&
	    rec_col(&r, "learning_rate") == 0, "blank-separated: "
	    "learning_rate is the rate");
	is_str(next(&r, buf, sizeof(buf)), "1e-3|2", "blank-separated record");
	rec_close(&r);
	fclose(fp);

	/* not headers: a name that is no rate's, a number among names, a
	 * header after line 1: positional records, as before */
	fp = text("x 1\n");
	rec_open(&r, fp, "p");
	ok(rec_next(&r) == REC_DATA && r.header == 0 &&
	    strcmp(r.names[0], "lr") == 0, "'x 1' is a positional record");
	rec_close(&r);
	fclose(fp);
	fp = text("lr 1\n");
	rec_open(&r, fp, "p");
	ok(rec_next(&r) == REC_DATA && r.header == 0, "'lr 1' too");
	rec_close(&r);
	fclose(fp);
	fp = text("\nlr,loss\n");
	rec_open(&r, fp, "p");
	ok(rec_next(&r) == REC_DATA && r.header == 0 && r.nf == 1,
	    "a bare header on line 2 is a positional record");
	rec_close(&r);
	fclose(fp);
	is_int(drain("lr,,loss\n"), -1, "an empty name");
	is_str(err_msg(), "t:1: header: column 2 has no name", "its message");
	is_int(drain("lr,loss,lr\n"), -1, "a name twice");
	is_str(err_msg(), "t:1: duplicate column name 'lr'", "its message");
	is_int(drain("lr,loss\n1,2,3\n"), -1, "a ragged CSV record");
	is_str(err_msg(), "t:2: 3 fields, expected 2 (as in the header)",
	    "its message");
}

int
main(void)
{
	struct rec_reader r;
	char buf[64], *big;
	double v;
	long l;
	FILE *fp;
	int i;

	/* a header, a comment, metadata, tabs and spaces, CRLF */
	fp = text("# step\tlr\tloss\n#@ schedule mode=exp num=3\n"
	    "0\t1e-07\t2.30\r\n\n1  1e-06 \t nan\n# note\n2 1e-05 inf\n");
	rec_open(&r, fp, "t");
	is_int(rec_next(&r), REC_HEADER, "first line is the header");
	is_int(r.ncols, 3, "three columns");
	is_str(r.names[2], "loss", "third is loss");
	is_int(rec_col(&r, "lr"), 1, "lr by name");
	is_int(rec_col(&r, "3"), 2, "column by number");
	is_int(rec_next(&r), REC_COMMENT, "metadata is a comment");
	ok(rec_meta_is(r.raw, "schedule"), "rec_meta_is schedule");
	ok(!rec_meta_is(r.raw, "sched"), "rec_meta_is matches whole words");
	ok(rec_meta_num(r.raw, "num", &v) == 0 && v == 3, "rec_meta_num num=3");
	ok(rec_meta_get(r.raw, "mode", buf, sizeof(buf)) == 0 &&
	    strcmp(buf, "exp") == 0, "rec_meta_get mode=exp");
	ok(rec_meta_get(r.raw, "start", buf, sizeof(buf)) < 0, "absent key");
	is_int(rec_next(&r), REC_DATA, "data record");
	is_int(r.nf, 3, "three fields");
	/* strtod rounds the decimal correctly, as the compiler does the
	 * literal: exact comparisons */
	ok(rec_lr(&r, 1, &v) == 0 && v == 1e-7, "lr 1e-07");
	ok(rec_num(&r, 2, &v) == 0 && v == 2.30 , "CR stripped from 2.30");
	is_int(rec_next(&r), REC_DATA, "blank line skipped");
	is_int(r.lineno, 5, "line numbers count blank lines");
	ok(rec_num(&r, 2, &v) == 0 && isnan(v), "nan is a value");
	is_int(rec_next(&r), REC_COMMENT, "comment in place");
	is_str(r.raw, "# note", "comment kept raw");
	is_int(rec_next(&r), REC_DATA, "last record");
	ok(rec_num(&r, 2, &v) == 0 && isinf(v), "inf is a value");
	is_int(rec_next(&r), REC_EOF, "end of input");
	rec_close(&r);
	fclose(fp);

	/* positional input */
	fp = text("1e-3 2.3\n");
	rec_open(&r, fp, "stdin");
	is_int(rec_next(&r), REC_DATA, "headerless record");
	is_int(rec_col(&r, "lr"), 0, "positional lr is column 1");
	is_int(rec_col(&r, "loss"), 1, "positional loss is column 2");
	is_int(rec_hascol(&r, "smooth"), -1, "no smooth column");
	is_int(rec_col(&r, "val_loss"), -1, "missing column");
	is_str(err_msg(), "stdin:1: no column 'val_loss' (columns: lr loss)",
	    "missing column message");
	rec_close(&r);
	fclose(fp);

	/* errors */
	fp = text("1e-3 abc\n1e999 1\n-1 2\n0x10 1\n");
	rec_open(&r, fp, "f");
	rec_next(&r);
	is_int(rec_num(&r, 1, &v), -1, "abc is not a number");
	is_str(err_msg(), "f:1: field 2 'abc' is not a number", "message");
	rec_next(&r);
	is_int(rec_num(&r, 0, &v), -1, "1e999 overflows");
	is_str(err_msg(), "f:2: field 1 '1e999' is out of range", "message");
	rec_next(&r);
	is_int(rec_lr(&r, 0, &v), -1, "negative lr");
	is_str(err_msg(), "f:3: learning rate '-1' is not positive and finite",
	    "message");
	rec_next(&r);
	is_int(rec_num(&r, 0, &v), -1, "hex floats are not accepted");
	rec_close(&r);
	fclose(fp);

	is_int(drain("1 2\n1 2 3\n"), -1, "ragged record");
	is_str(err_msg(), "t:2: 3 fields, expected 2 (as in the first record)",
	    "ragged message");
	is_int(drain("# lr loss lr\n"), -1, "duplicate column");
	is_str(err_msg(), "t:1: duplicate column name 'lr'", "duplicate message");
	is_int(drainn("1 2\n3 4\0 5\n", 10), -1, "NUL byte");
	is_str(err_msg(), "t:2: NUL byte in line", "NUL message");
	is_int(drain("1 2"), REC_EOF, "last line without newline");

	/* found by tests/cmd/hostile.t: a field is quoted back escaped
	 * (control characters, bytes that are not UTF-8) and cut */
	fp = text("1e-3 a\033[31mb\377\n"
	    "1e-3 0123456789012345678901234567890123456789x\n"
	    "1e-3 \303\251t\303\251\n"
	    "\377 1\n");
	rec_open(&r, fp, "f");
	rec_next(&r);
	rec_num(&r, 1, &v);
	is_str(err_msg(), "f:1: field 2 'a\\x1b[31mb\\xff' is not a number",
	    "control characters and a stray byte escaped");
	rec_next(&r);
	rec_num(&r, 1, &v);
	is_str(err_msg(), "f:2: field 2 "
	    "'0123456789012345678901234567890123456789...' is not a number",
	    "a long field cut at 40 bytes");
	rec_next(&r);
	rec_num(&r, 1, &v);
	is_str(err_msg(), "f:3: field 2 '\303\251t\303\251' is not a number",
	    "UTF-8 kept");
	rec_next(&r);
	rec_lr(&r, 0, &v);
	is_str(err_msg(), "f:4: field 1 '\\xff' is not a number",
	    "an lr that is a stray byte");
	rec_close(&r);
	fclose(fp);
	big = malloc(3000);
	memset(big, 'x', 3000);
	memcpy(big, "# ", 2);
	big[1499] = ' ';
	memcpy(big + 2997, "\n", 2);
	is_int(drain(big), -1, "a long duplicate column name");
	is_str(err_msg(), "t:1: duplicate column name "
	    "'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...'",
	    "a long duplicate column name is cut");
	free(big);

	big = malloc(REC_MAXLINE + 10);
	memset(big, '1', REC_MAXLINE + 9);
	big[REC_MAXLINE + 9] = '\0';
	is_int(drain(big), -1, "overlong line");
	is_str(err_msg(), "t:1: line longer than 1048576 bytes", "long message");
	free(big);

	/* numbers */
	ok(num_double("-0", &v) == NUM_OK && v == 0, "-0");
	ok(num_double("1e-400", &v) == NUM_OK && v == 0, "underflow is 0");
	is_int(num_double("", &v), NUM_BAD, "empty string");
	is_int(num_double("1.5x", &v), NUM_BAD, "trailing garbage");
	is_int(num_double("-1e999", &v), NUM_RANGE, "-1e999");
	ok(num_double("-inf", &v) == NUM_OK && isinf(v) && v < 0, "-inf");
	is_int(num_long("12", 0, 10, &l), NUM_RANGE, "long out of range");
	ok(num_long("-3", -5, 5, &l) == NUM_OK && l == -3, "long -3");
	is_int(num_long("3.0", 0, 10, &l), NUM_BAD, "long 3.0");
	num_fmt(buf, sizeof(buf), 0.1f);
	is_str(buf, "0.100000001", "float32 0.1 round-trips");
	num_fmt(buf, sizeof(buf), -NAN);
	is_str(buf, "nan", "-nan prints as nan");
	i = 0;
	(void)i;
	fastpaths();
	waiting();
	losslogs();
	return done();
}
