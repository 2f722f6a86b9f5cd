/*
 * mkimages - the suite's image folders, written with the libraries lrf
 * decodes with (libspng, TurboJPEG), so that no test needs Python.
 *
 *	mkimages [-q quality] [-n count] images.idx labels.idx root out
 *
 * The first count samples (all if 0) of an IDX pair become gray files
 * root/LABEL/NNNNN.png (or .jpg with -q), class by class, NNNNN their
 * rank in their class; out-images.idx and out-labels.idx get the same
 * samples in the same order (class-major, as an image folder lists them),
 * so that the IDX files and the folder are one dataset, sample for
 * sample.
 *
 *	mkimages -s count size root
 *
 * A colour folder of generated shapes: count files per class of
 * size x size RGB PNGs in root/{circle,square,triangle}/, each a shape of
 * seeded random colour, size and place on a noisy background.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <spng.h>
#include <turbojpeg.h>

#include "cfg.h"
#include "data.h"
#include "err.h"
#include "rng.h"

static void
die(const char *fmt, const char *a)
{
	fprintf(stderr, "mkimages: ");
	fprintf(stderr, fmt, a);
	fputc('\n', stderr);
	exit(1);
}

static void
puterr(const char *msg)
{
	fprintf(stderr, "mkimages: %s\n", msg);
}

static void
mkdir_p(const char *dir)
{
	if (mkdir(dir, 0777) < 0 && errno != EEXIST)
		die("%s: cannot create", dir);
}

/* Write (h, w, ch) bytes as a PNG (gray or RGB). */
static void
putpng(const char *path, const uint8_t *im, int h, int w, int ch)
{
	struct spng_ihdr ih;
	spng_ctx *ctx;
	FILE *fp;

	if ((fp = fopen(path, "wb")) == NULL)
		die("%s: cannot write", path);
	ctx = spng_ctx_new(SPNG_CTX_ENCODER);
	memset(&ih, 0, sizeof(ih));
	ih.width = w;
	ih.height = h;
	ih.bit_depth = 8;
	ih.color_type = ch == 1 ? SPNG_COLOR_TYPE_GRAYSCALE :
	    SPNG_COLOR_TYPE_TRUECOLOR;
	if (ctx == NULL || spng_set_png_file(ctx, fp) != 0 ||
	    spng_set_ihdr(ctx, &ih) != 0 ||
	    spng_encode_image(ctx, im, (size_t)h * w * ch, SPNG_FMT_PNG,
	    SPNG_ENCODE_FINALIZE) != 0)
		die("%s: PNG encoding failed", path);
	spng_ctx_free(ctx);
	if (fclose(fp) != 0)
		die("%s: write error", path);
}

/* The squared error of the JPEGs written, and the squared values. */
static double jerr2, jval2;

/* Write (h, w) gray bytes as a JPEG of quality q; decode it back into
 * the error sums. */
static void
putjpeg(const char *path, const uint8_t *im, int h, int w, int q)
{
	unsigned char *buf = NULL, *back;
	tjhandle dj;
	size_t i;
	unsigned long n = 0;
	tjhandle tj;
	FILE *fp;

	if ((tj = tjInitCompress()) == NULL ||
	    tjCompress2(tj, im, w, 0, h, TJPF_GRAY, &buf, &n, TJSAMP_GRAY, q,
	    0) != 0)
		die("%s: JPEG encoding failed", path);
	if ((fp = fopen(path, "wb")) == NULL || fwrite(buf, 1, n, fp) != n ||
	    fclose(fp) != 0)
		die("%s: cannot write", path);
	if ((back = malloc((size_t)h * w)) == NULL ||
	    (dj = tjInitDecompress()) == NULL ||
	    tjDecompress2(dj, buf, n, back, w, 0, h, TJPF_GRAY, 0) != 0)
		die("%s: cannot decode it back", path);
	for (i = 0; i < (size_t)h * w; i++) {
		jerr2 += ((double)back[i] - im[i]) * ((double)back[i] - im[i]);
		jval2 += (double)im[i] * im[i];
	}
	free(back);
	tjDestroy(dj);
	tjFree(buf);
	tjDestroy(tj);
}

static void
be32(FILE *fp, uint32_t v)
{
	putc(v >> 24, fp);
	putc(v >> 16 & 0xff, fp);
	putc(v >> 8 & 0xff, fp);
	putc(v & 0xff, fp);
}

static int
fromidx(int argc, char *argv[], long n, int q)
{
	struct cfg c;
	struct dataset ds;
	char path[4096];
	FILE *fi, *fl;
	size_t i, d, k;
	long rank;
	int cl;

	if (argc != 4)
		die("%s", "usage: mkimages [-q quality] [-n count] images.idx "
		    "labels.idx root out");
	cfg_defaults(&c);
	c.data.format = DATA_IDX;
	snprintf(c.data.images, sizeof(c.data.images), "%s", argv[0]);
	snprintf(c.data.labels, sizeof(c.data.labels), "%s", argv[1]);
	if (data_load(&ds, &c.data, 0) < 0)
		exit(1);
	if (ds.shape[0] != 1)
		die("%s: not gray images", argv[0]);
	k = n > 0 && (size_t)n < ds.n ? (size_t)n : ds.n;
	d = ds.d;
	mkdir_p(argv[2]);
	snprintf(path, sizeof(path), "%s-images.idx", argv[3]);
	if ((fi = fopen(path, "wb")) == NULL)
		die("%s: cannot write", path);
	snprintf(path, sizeof(path), "%s-labels.idx", argv[3]);
	if ((fl = fopen(path, "wb")) == NULL)
		die("%s: cannot write", path);
	be32(fi, 0x803);
	be32(fi, k);
	be32(fi, ds.shape[1]);
	be32(fi, ds.shape[2]);
	be32(fl, 0x801);
	be32(fl, k);
	for (cl = 0; cl < ds.nclasses; cl++) {
		rank = 0;
		for (i = 0; i < k; i++) {
			if (ds.y[i] != cl)
				continue;
			if (rank == 0) {
				snprintf(path, sizeof(path), "%s/%d", argv[2],
				    cl);
				mkdir_p(path);
			}
			snprintf(path, sizeof(path), "%s/%d/%05ld.%s", argv[2],
			    cl, rank++, q > 0 ? "jpg" : "png");
			if (q > 0)
				putjpeg(path, ds.bytes + i * d,
				    (int)ds.shape[1], (int)ds.shape[2], q);
			else
				putpng(path, ds.bytes + i * d,
				    (int)ds.shape[1], (int)ds.shape[2], 1);
			fwrite(ds.bytes + i * d, 1, d, fi);
			putc(cl, fl);
		}
	}
	if (fclose(fi) != 0 || fclose(fl) != 0)
		die("%s", "write error");
	if (q > 0)	/* the inputs' relative RMS error */
		printf("%.6e\n", jval2 > 0 ? sqrt(jerr2 / jval2) : 0.0);
	data_free(&ds);
	return 0;
}

/* The shapes: circle, square, triangle. */
static int
shapes(int argc, char *argv[])
{
	static const char *names[] = { "circle", "square", "triangle" };
	struct rng g;
	char path[4096];
	uint8_t *im, col[3];
	long count, i;
	int S, k, x, y, cx, cy, r, in, ch;

	if (argc != 3)
		die("%s", "usage: mkimages -s count size root");
	count = atol(argv[0]);
	S = atoi(argv[1]);
	if (count < 1 || S < 8 || S > 4096)
		die("%s", "count >= 1, 8 <= size <= 4096");
	if ((im = malloc((size_t)S * S * 3)) == NULL)
		die("%s", "out of memory");
	rng_seed(&g, 20261205);
	mkdir_p(argv[2]);
	for (k = 0; k < 3; k++) {
		snprintf(path, sizeof(path), "%s/%s", argv[2], names[k]);
		mkdir_p(path);
		for (i = 0; i < count; i++) {
			for (ch = 0; ch < 3; ch++)
				col[ch] = 64 + rng_below(&g, 192);
			r = S / 6 + (int)rng_below(&g, S / 6 + 1);
			cx = r + (int)rng_below(&g, S - 2 * r);
			cy = r + (int)rng_below(&g, S - 2 * r);
			for (y = 0; y < S; y++)
				for (x = 0; x < S; x++) {
					int dx = x - cx, dy = y - cy;

					if (k == 0)
						in = dx * dx + dy * dy <= r * r;
					else if (k == 1)
						in = abs(dx) <= r * 3 / 4 &&
						    abs(dy) <= r * 3 / 4;
					else	/* apex up */
						in = dy <= r && dy >= -r &&
						    2 * abs(dx) <= dy + r;
					for (ch = 0; ch < 3; ch++)
						im[((size_t)y * S + x) * 3 +
						    ch] = in ? col[ch] :
						    (uint8_t)rng_below(&g, 48);
				}
			snprintf(path, sizeof(path), "%s/%s/%04ld.png", argv[2],
			    names[k], i);
			putpng(path, im, S, S, 3);
		}
	}
	free(im);
	return 0;
}

int
main(int argc, char *argv[])
{
	long n;
	int ch, q, s;

	err_sethook(puterr);
	n = 0;
	q = 0;
	s = 0;
	while ((ch = getopt(argc, argv, "n:q:s")) != -1) {
		switch (ch) {
		case 'n':
			n = atol(optarg);
			break;
		case 'q':
			q = atoi(optarg);
			if (q < 1 || q > 100)
				die("-q %s: 1..100", optarg);
			break;
		case 's':
			s = 1;
			break;
		default:
			die("%s", "usage: mkimages [-q quality] [-n count] "
			    "images.idx labels.idx root out | "
			    "mkimages -s count size root");
		}
	}
	if (s)
		return shapes(argc - optind, argv + optind);
	return fromidx(argc - optind, argv + optind, n, q);
}
