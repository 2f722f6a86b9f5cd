/*
 * load.c - how long lrf-train's data layer takes to load a dataset.
 *
 *	load [-f] [-r repeats] [images labels]
 *
 * Times data_load() (open, gunzip or map the raw copy in the cache,
 * check, keep the bytes) of the IDX pair, Fashion-MNIST's training set by
 * default, and prints "seconds=<median> n=<samples> d=<features>".  The
 * first load is untimed, so the files come from the page cache (and the
 * raw copy is in the cache, LRF_CACHE permitting) as they are for a
 * second run of lrf-train.  -f times the pair's fingerprint instead
 * (lrf-find's SHA-256 of each file).
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
#include "sha256.h"

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
	char hex[65];
	long long size;
	long reps;
	int ch, k, fp;

	reps = 5;
	fp = 0;
	while ((ch = getopt(argc, argv, "fr:")) != -1) {
		if (ch == 'f')
			fp = 1;
		else if (ch != 'r' || num_long(optarg, 1, 64, &reps) < 0) {
			fprintf(stderr, "usage: load [-f] [-r repeats] "
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
		fprintf(stderr, "usage: load [-f] [-r repeats] "
		    "[images labels]\n");
		return 2;
	}
	for (k = -1; k < reps; k++) {
		memset(&ds, 0, sizeof(ds));
		t0 = now();
		if (fp) {
			if (sha256_file(c.data.images, hex, &size) < 0 ||
			    sha256_file(c.data.labels, hex, &size) < 0) {
				fprintf(stderr, "load: %s\n", err_msg());
				return 1;
			}
			if (k >= 0)
				s[k] = now() - t0;
			continue;
		}
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
