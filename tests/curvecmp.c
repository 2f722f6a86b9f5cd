/*
 * curvecmp - compare two loss curves of the same training up to where
 * they are comparable (tests/curve.h): make crosscheck, the thread-count
 * and process-count tests.
 *
 *	curvecmp [-v] [-r rel] [-f floor] [-d ratio] [-R rise] [-m min] A B
 *
 * A and B are lrf record streams (lrf-train's output, or "lr loss"
 * lines; "-" is stdin); the loss is the column named "loss" in the header
 * (the second field, or the third when the header names a step, without
 * one).  Prints, with -v, every step compared; then one line:
 *
 *	compared 17 of 30 steps (rose at step 17), max rel diff 2.1e-06
 *	at step 13: PASS
 *
 * PASS when every step before the cut agrees to rel (relative to the
 * larger loss) and at least min steps were compared.  Exit 0 on PASS, 1
 * on FAIL or unreadable input, 2 on usage errors.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "curve.h"

struct curve {
	double	*v;
	long	 n, cap;
};

static void
usage(FILE *fp)
{
	fprintf(fp, "usage: curvecmp [-v] [-r rel] [-f floor] [-d ratio] "
	    "[-R rise] [-m min] A B\n"
	    "  -r rel    relative tolerance per step [1e-4]\n"
	    "  -f floor  differences below this are rounding: their growth "
	    "is not\n"
	    "            amplification [rel / 100]\n"
	    "  -d ratio  divergence ratio [4]\n"
	    "  -R rise   stop at a rise above (1 + rise) x the lowest loss "
	    "so far [off]\n"
	    "  -m min    steps that must be compared [1]\n"
	    "  -v        print every step compared\n");
}

static double
number(const char *s, const char *what)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (end == s || *end != '\0' || errno != 0 || !isfinite(v)) {
		fprintf(stderr, "curvecmp: %s '%s' is not a number\n", what,
		    s);
		usage(stderr);
		exit(2);
	}
	return v;
}

/* The loss column of file path into c; 0, or -1 with a message. */
static int
readcurve(const char *path, struct curve *c)
{
	FILE *fp;
	char *line = NULL, *f, *end, *save;
	size_t size = 0;
	long lineno = 0;
	int col = -1, i;
	double v;

	fp = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
	if (fp == NULL) {
		fprintf(stderr, "curvecmp: %s: %s\n", path, strerror(errno));
		return -1;
	}
	while (getline(&line, &size, fp) != -1) {
		lineno++;
		line[strcspn(line, "\r\n")] = '\0';
		if (line[0] == '#') {
			if (col >= 0 || line[1] == '@')
				continue;
			for (i = 0, f = strtok_r(line + 1, " \t", &save);
			    f != NULL; f = strtok_r(NULL, " \t", &save), i++)
				if (strcmp(f, "loss") == 0)
					col = i;
			continue;
		}
		if (line[0] == '\0')
			continue;
		if (col < 0)
			col = 1;
		for (i = 0, f = strtok_r(line, " \t", &save); f != NULL &&
		    i < col; f = strtok_r(NULL, " \t", &save), i++)
			;
		if (f == NULL) {
			fprintf(stderr, "curvecmp: %s:%ld: no field %d\n",
			    path, lineno, col + 1);
			goto fail;
		}
		v = strtod(f, &end);
		if (end == f || *end != '\0') {
			fprintf(stderr, "curvecmp: %s:%ld: '%s' is not a "
			    "number\n", path, lineno, f);
			goto fail;
		}
		if (c->n == c->cap) {
			c->cap = c->cap ? 2 * c->cap : 256;
			c->v = realloc(c->v, c->cap * sizeof *c->v);
			if (c->v == NULL) {
				fprintf(stderr, "curvecmp: out of memory\n");
				goto fail;
			}
		}
		c->v[c->n++] = v;
	}
	if (ferror(fp)) {
		fprintf(stderr, "curvecmp: %s: %s\n", path, strerror(errno));
		goto fail;
	}
	free(line);
	if (fp != stdin)
		fclose(fp);
	return 0;
fail:
	free(line);
	if (fp != stdin)
		fclose(fp);
	return -1;
}

int
main(int argc, char *argv[])
{
	struct curve a = { 0 }, b = { 0 };
	double rel = 1e-4, floor = -1, ratio = 4, rise = -1, worst = 0, d;
	long i, n, end, minsteps = 1, at = -1;
	int ch, verbose = 0, why, good;

	while ((ch = getopt(argc, argv, "hvr:f:d:R:m:")) != -1)
		switch (ch) {
		case 'h':
			usage(stdout);
			return 0;
		case 'v':
			verbose = 1;
			break;
		case 'r':
			rel = number(optarg, "-r");
			break;
		case 'f':
			floor = number(optarg, "-f");
			break;
		case 'd':
			ratio = number(optarg, "-d");
			break;
		case 'R':
			rise = number(optarg, "-R");
			break;
		case 'm':
			minsteps = (long)number(optarg, "-m");
			break;
		default:
			usage(stderr);
			return 2;
		}
	if (argc - optind != 2 || ratio <= 1) {
		usage(stderr);
		return 2;
	}
	if (readcurve(argv[optind], &a) != 0 ||
	    readcurve(argv[optind + 1], &b) != 0)
		return 1;
	if (a.n != b.n) {
		fprintf(stderr, "curvecmp: %s has %ld losses, %s %ld\n",
		    argv[optind], a.n, argv[optind + 1], b.n);
		return 1;
	}
	n = a.n;
	if (floor < 0)
		floor = rel / 100;
	end = curve_cut(a.v, b.v, n, ratio, rise, floor, &why);
	for (i = 0; i < end; i++) {
		d = curve_rel(a.v[i], b.v[i]);
		if (verbose)
			printf("%5ld %14.9g %14.9g %10.2e\n", i, a.v[i],
			    b.v[i], d);
		if (at < 0 || d > worst)
			worst = d, at = i;
	}
	good = end >= minsteps && worst <= rel;
	printf("compared %ld of %ld steps (%s at step %ld), max rel diff "
	    "%.2e at step %ld: %s", end, n, curve_why[why], end, worst, at,
	    good ? "PASS" : "FAIL");
	if (end < minsteps)
		printf(" (fewer than %ld steps compared)", minsteps);
	printf("\n");
	free(a.v);
	free(b.v);
	return good ? 0 : 1;
}
