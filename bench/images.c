/*
 * images.c - the helper of bench/images: a folder of JPEGs, and how fast
 * lib/img, lib/imgdir and lib/imgpool make training batches of it.
 *
 *	images gen DIR N [W H]	write N photo-like W x H JPEGs (500 x 375,
 *				quality 90, 4:2:0) in 10 class folders
 *	images links DIR N FILE	N hard links of FILE (or of copies of it,
 *				past the file system's limit) in 10 class
 *				folders
 *	images scan DIR		time imgdir_scan: "files=N seconds=S"
 *	images run DIR SIZE THREADS BATCH [EPOCHS]
 *				every image once per epoch, in shuffled
 *				batches of BATCH, decoded by an imgpool of
 *				THREADS workers two batches ahead, Resize(SIZE)
 *				+ CenterCrop(SIZE), RGB (three buffers: two
 *				batches decoded while one is used), each
 *				made into floats with ImageNet's mean and std
 *				(torchvision's ToTensor + Normalize); prints
 *				"rate=IMAGES/S images=N seconds=S scan=S
 *				cpu_ms=MS" (CPU time per image, every
 *				thread, the whole run with its scan)
 *
 * The rate counts from the first batch to the last, as bench/images_torch
 * does for torchvision's DataLoader: the steady state, without start-up.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <turbojpeg.h>
#include <unistd.h>

#include "err.h"
#include "img.h"
#include "imgdir.h"
#include "imgpool.h"
#include "rng.h"

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* CPU seconds of the process so far, every thread. */
static double
cpu(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec * 1e-6 +
	    ru.ru_stime.tv_sec + ru.ru_stime.tv_usec * 1e-6;
}

static void
die(const char *what)
{
	fprintf(stderr, "images: %s\n", what);
	exit(1);
}

static void
mkdirs(const char *dir)
{
	char p[4096];
	int k;

	if (mkdir(dir, 0777) < 0 && errno != EEXIST)
		die(strerror(errno));
	for (k = 0; k < 10; k++) {
		snprintf(p, sizeof(p), "%s/class%d", dir, k);
		if (mkdir(p, 0777) < 0 && errno != EEXIST)
			die(strerror(errno));
	}
}

/* A photo-like picture: a few smooth colour waves, an edge, and noise
 * (the waves as sin(a + b) = sin a cos b + cos a sin b, per row and
 * column; the noise a sum of four uniform bytes, nearly normal). */
static void
picture(uint8_t *im, int w, int h, struct rng *g)
{
	double fx[3], fy[3], ph[3], amp[3], v, e;
	double *sa, *ca, sb[3], cb[3];
	uint64_t r;
	int x, y, c, k;

	if ((sa = malloc(sizeof(double) * 18 * w)) == NULL)
		die("out of memory");
	ca = sa + 9 * w;
	for (k = 0; k < 3; k++) {
		fx[k] = 0.005 + 0.05 * rng_uniform(g);
		fy[k] = 0.005 + 0.05 * rng_uniform(g);
		ph[k] = 6.3 * rng_uniform(g);
		amp[k] = 30 + 50 * rng_uniform(g);
		for (c = 0; c < 3; c++)
			for (x = 0; x < w; x++) {
				v = fx[k] * x * (c + 1) + ph[k];
				sa[(k * 3 + c) * w + x] = sin(v);
				ca[(k * 3 + c) * w + x] = cos(v);
			}
	}
	e = w * (0.2 + 0.6 * rng_uniform(g));
	for (y = 0; y < h; y++) {
		for (k = 0; k < 3; k++) {
			sb[k] = sin(fy[k] * y);
			cb[k] = cos(fy[k] * y);
		}
		for (x = 0; x < w; x++)
			for (c = 0; c < 3; c++) {
				const double *s = sa + c * w + x;
				const double *q = ca + c * w + x;

				v = 128;
				for (k = 0; k < 3; k++)	/* (k, c) at 3 w k */
					v += amp[(k + c) % 3] * (1 + c) / 4 *
					    (s[3 * w * k] * cb[k] +
					    q[3 * w * k] * sb[k]);
				if (x > e + 0.3 * y)	/* an edge */
					v += 40 - 30 * c;
				r = rng_next(g);
				v += 0.06 * ((double)(r & 255) + (r >> 8 & 255)
				    + (r >> 16 & 255) + (r >> 24 & 255) - 510);
				im[((size_t)y * w + x) * 3 + c] = (uint8_t)(v <
				    0 ? 0 : v > 255 ? 255 : v);
			}
	}
	free(sa);
}

static void
gen(const char *dir, long n, int w, int h)
{
	unsigned char *jpg;
	unsigned long len;
	char p[4096];
	struct rng g;
	uint8_t *im;
	tjhandle tj;
	double bytes;
	long i;
	FILE *fp;

	mkdirs(dir);
	if ((tj = tjInitCompress()) == NULL ||
	    (im = malloc((size_t)w * h * 3)) == NULL)
		die("out of memory");
	rng_seed(&g, 2024);
	bytes = 0;
	for (i = 0; i < n; i++) {
		picture(im, w, h, &g);
		jpg = NULL;
		if (tjCompress2(tj, im, w, 0, h, TJPF_RGB, &jpg, &len,
		    TJSAMP_420, 90, 0) < 0)
			die(tjGetErrorStr2(tj));
		snprintf(p, sizeof(p), "%s/class%ld/img%06ld.jpg", dir, i % 10,
		    i);
		if ((fp = fopen(p, "wb")) == NULL ||
		    fwrite(jpg, 1, len, fp) != len || fclose(fp) != 0)
			die(strerror(errno));
		bytes += len;
		tjFree(jpg);
	}
	printf("images=%ld bytes_per_image=%.0f\n", n, bytes / n);
	free(im);
	tjDestroy(tj);
}

/* n names for the bytes of file: hard links, a fresh copy to link to
 * whenever the file system's limit of links to one file is reached. */
static void
links(const char *dir, long n, const char *file)
{
	char p[4096], src[4096];
	unsigned char *b;
	size_t len;
	FILE *fp;
	long i;

	mkdirs(dir);
	if ((fp = fopen(file, "rb")) == NULL || (b = malloc(1 << 24)) == NULL)
		die(strerror(errno));
	len = fread(b, 1, 1 << 24, fp);
	fclose(fp);
	snprintf(src, sizeof(src), "%s", file);
	for (i = 0; i < n; i++) {
		snprintf(p, sizeof(p), "%s/class%ld/img%07ld.jpg", dir, i % 10,
		    i);
		if (link(src, p) == 0 || errno == EEXIST)
			continue;
		if (errno != EMLINK)
			die(strerror(errno));
		if ((fp = fopen(p, "wb")) == NULL ||
		    fwrite(b, 1, len, fp) != len || fclose(fp) != 0)
			die(strerror(errno));
		snprintf(src, sizeof(src), "%s", p);
	}
	free(b);
}

int
main(int argc, char *argv[])
{
	struct imgdir d;
	struct imgpool *p;
	struct img_geom g;
	struct rng rg;
	uint32_t *order;
	uint8_t *buf[3];
	float *x, lut[3 * 256];
	double t0, t1, tscan, sum, c0;
	size_t B, nb, k, i, j, sample, plane, nimg, q;
	long epochs, e;
	int size, threads;

	if (argc >= 4 && strcmp(argv[1], "gen") == 0) {
		gen(argv[2], atol(argv[3]), argc > 5 ? atoi(argv[4]) : 500,
		    argc > 5 ? atoi(argv[5]) : 375);
		return 0;
	}
	if (argc == 5 && strcmp(argv[1], "links") == 0) {
		links(argv[2], atol(argv[3]), argv[4]);
		return 0;
	}
	if (argc == 3 && strcmp(argv[1], "scan") == 0) {
		t0 = now();
		if (imgdir_scan(&d, argv[2]) < 0)
			die(err_msg());
		t1 = now();
		printf("files=%zu seconds=%.4f\n", d.n, t1 - t0);
		imgdir_free(&d);
		return 0;
	}
	if (argc < 6 || strcmp(argv[1], "run") != 0) {
		fprintf(stderr, "usage: images gen DIR N [W H] | links DIR N "
		    "FILE | scan DIR | run DIR SIZE THREADS BATCH [EPOCHS]\n");
		return 2;
	}
	size = atoi(argv[3]);
	threads = atoi(argv[4]);
	B = (size_t)atol(argv[5]);
	epochs = argc > 6 ? atol(argv[6]) : 1;
	c0 = cpu();
	t0 = now();
	if (imgdir_scan(&d, argv[2]) < 0)
		die(err_msg());
	tscan = now() - t0;
	img_geom_size(&g, 3, size, 0);
	if ((p = imgpool_create(&d, &g, threads)) == NULL)
		die(err_msg());
	plane = (size_t)size * size;
	sample = 3 * plane;
	order = malloc(d.n * sizeof(*order));
	for (i = 0; i < 3; i++)
		buf[i] = malloc(B * sample);
	x = malloc(B * sample * sizeof(*x));
	if (order == NULL || buf[0] == NULL || buf[1] == NULL ||
	    buf[2] == NULL || x == NULL)
		die("out of memory");
	img_lut(lut, 3, img_imagenet_mean, img_imagenet_std);
	rng_seed(&rg, 1);
	nb = (d.n + B - 1) / B;
	nimg = 0;
	sum = 0;
	t0 = 0;
	for (e = 0; e < epochs; e++) {
		for (i = 0; i < d.n; i++)
			order[i] = (uint32_t)i;
		rng_shuffle(&rg, order, d.n);
		/* three buffers: two batches decoded ahead of the one
		 * being used */
		for (q = 0; q < 3 && q < nb; q++)
			imgpool_submit(p, order + q * B, q + 1 < nb ? B :
			    d.n - q * B, buf[q], NULL);
		for (k = 0; k < nb; k++) {
			size_t n = k + 1 < nb ? B : d.n - k * B;

			if (imgpool_wait(p, NULL) < 0)
				die(err_msg());
			/* the training batch: normalised floats, plane
			 * by plane through the channel's table */
			for (i = 0; i < 3 * n; i++) {
				const uint8_t *b = buf[k % 3] + i * plane;
				const float *l = lut + (i % 3) * 256;
				float *xo = x + i * plane;

				for (j = 0; j < plane; j++)
					xo[j] = l[b[j]];
			}
			sum += x[0];
			if (e == 0 && k == 0)
				t0 = now();	/* from the first batch */
			else
				nimg += n;
			if (k + 3 < nb)
				imgpool_submit(p, order + (k + 3) * B,
				    k + 4 < nb ? B : d.n - (k + 3) * B,
				    buf[k % 3], NULL);
		}
	}
	t1 = now();
	imgpool_free(p);
	printf("rate=%.1f images=%zu seconds=%.3f scan=%.4f cpu_ms=%.3f "
	    "check=%g\n", nimg / (t1 - t0), nimg, t1 - t0, tscan,
	    1e3 * (cpu() - c0) / ((double)d.n * epochs), sum);
	free(order);
	for (i = 0; i < 3; i++)
		free(buf[i]);
	free(x);
	imgdir_free(&d);
	return 0;
}
