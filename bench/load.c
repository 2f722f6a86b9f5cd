/*
 * load.c - how long lrf-train's data layer takes to load a dataset.
 *
 *	load [-r repeats] [images labels]
 *
 * Times data_load() (open, gunzip, check, keep the bytes) of the IDX pair,
 * Fashion-MNIST's training set by default, and prints "seconds=<median>
 * n=<samples> d=<features>".  The first load is untimed, so the files
 * come from the page cache as they do for a second run of lrf-train.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cfg.h"
#include "data.h"
#include "err.h"
#include "num.h"

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int
cmp(const void *x, const void *y)
{
	double u = *(const double *)x, v = *(const double *)y;

	return u < v ? -1 : u > v;
}

int
main(int argc, char *argv[])
{
	struct dataset ds;
	struct cfg c;
	double t0, s[64] = { 0 };
	size_t n = 0, d = 0;
	long reps;
	int ch, k;

	reps = 5;
	while ((ch = getopt(argc, argv, "r:")) != -1) {
		if (ch != 'r' || num_long(optarg, 1, 64, &reps) < 0) {
			fprintf(stderr, "usage: load [-r repeats] "
			    "[images labels]\n");
			return 2;
		}
	}
	argc -= optind;
	argv += optind;
	cfg_defaults(&c);
	c.data.format = DATA_IDX;
	if (argc == 2) {
		snprintf(c.data.images, sizeof(c.data.images), "%s", argv[0]);
		snprintf(c.data.labels, sizeof(c.data.labels), "%s", argv[1]);
	} else if (argc != 0) {
		fprintf(stderr, "usage: load [-r repeats] [images labels]\n");
		return 2;
	}
	for (k = -1; k < reps; k++) {
		memset(&ds, 0, sizeof(ds));
		t0 = now();
		if (data_load(&ds, &c.data, c.train.seed) < 0) {
			fprintf(stderr, "load: %s\n", err_msg());
			return 1;
		}
		if (k >= 0)
			s[k] = now() - t0;
		n = ds.n;
		d = ds.d;
		data_free(&ds);
	}
	qsort(s, reps, sizeof(s[0]), cmp);
	printf("seconds=%.4f n=%zu d=%zu\n", reps % 2 ? s[reps / 2] :
	    (s[reps / 2 - 1] + s[reps / 2]) / 2, n, d);
	return 0;
}
