/*
 * fuzz_rec - the record reader (lib/rec.c): rec_next over any bytes, and
 * every accessor on what it returns: rec_col, rec_hascol, rec_num,
 * rec_lr, rec_meta_is, rec_meta_get, rec_meta_num.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "num.h"
#include "rec.h"
#include "fuzz.h"

static void
record(struct rec_reader *r)
{
	double v;
	int i, c;

	fuzz_assert(r->nf == r->ncols);
	for (i = 0; i < r->nf; i++) {
		fuzz_assert(r->f[i][0] != '\0');
		fuzz_assert(strpbrk(r->f[i], " \t") == NULL);
		if (rec_num(r, i, &v) < 0)
			fuzz_assert(fuzz_msg_ok("fuzz:"));
	}
	if (rec_lr(r, 0, &v) == 0)
		fuzz_assert(v > 0 && isfinite(v));
	else
		fuzz_assert(fuzz_msg_ok("fuzz:"));
	if (rec_num(r, r->nf, &v) == 0)		/* past the last field */
		fuzz_assert(0);
	if ((c = rec_col(r, "loss")) >= 0)
		fuzz_assert(c < r->ncols && strcmp(r->names[c], "loss") == 0);
	else
		fuzz_assert(fuzz_msg_ok("fuzz:"));
	c = rec_hascol(r, "2");
	fuzz_assert(c == (r->ncols >= 2 ? 1 : -1));
}

static void
comment(struct rec_reader *r)
{
	static const char *const keys[] = { "num", "lr", "reason", "", "=" };
	char buf[16], one[1];
	double v;
	size_t i;

	fuzz_assert(r->raw[0] == '#');
	(void)rec_meta_is(r->raw, "schedule");
	(void)rec_meta_is(r->raw, "");
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		if (rec_meta_get(r->raw, keys[i], buf, sizeof(buf)) == 0)
			fuzz_assert(strlen(buf) < sizeof(buf));
		if (rec_meta_get(r->raw, keys[i], one, sizeof(one)) == 0)
			fuzz_assert(one[0] == '\0');
		(void)rec_meta_num(r->raw, keys[i], &v);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rec_reader r;
	FILE *fp;
	long lines;
	int c;

	fp = fopen(fuzz_file(0, data, size), "r");
	if (fp == NULL)
		abort();
	rec_open(&r, fp, "fuzz");
	lines = 0;
	while ((c = rec_next(&r)) > 0) {
		fuzz_assert(r.lineno > lines);
		lines = r.lineno;
		fuzz_assert(strlen(r.raw) == r.len);
		fuzz_assert(r.len <= REC_MAXLINE);
		switch (c) {
		case REC_HEADER:
			fuzz_assert(r.lineno == 1 && r.header && r.ncols > 0);
			break;
		case REC_COMMENT:
			comment(&r);
			break;
		case REC_DATA:
			record(&r);
			break;
		default:
			fuzz_assert(0);
		}
	}
	if (c < 0)
		fuzz_assert(fuzz_msg_ok("fuzz:"));
	rec_close(&r);
	fclose(fp);
	return 0;
}
