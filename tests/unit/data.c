/* Unit tests for the datasets (lib/data.c, idx.c, csv.c, synth.c). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "data.h"
#include "img.h"
#include "err.h"
#include "tol.h"

#define FMNIST	"/usr/share/datasets/fashion-mnist/"

static char dir[256];
static char made[128][300];
static int nmade;

/* A path in the test's directory, remembered for removal. */
static const char *
path(const char *name)
{
	static char p[8][300];
	static int k;
	int i;

	k = (k + 1) % 8;
	snprintf(p[k], sizeof(p[k]), "%s/%s", dir, name);
	for (i = 0; i < nmade; i++)
		if (strcmp(made[i], p[k]) == 0)
			return p[k];
	if (nmade < 128)
		strcpy(made[nmade++], p[k]);
	return p[k];
}

static void
writefile(const char *name, const void *buf, size_t n)
{
	FILE *fp;

	fp = fopen(path(name), "wb");
	fwrite(buf, 1, n, fp);
	fclose(fp);
}

static void
writestr(const char *name, const char *s)
{
	writefile(name, s, strlen(s));
}

static void
writegz(const char *name, const void *buf, size_t n)
{
	gzFile gz;

	gz = gzopen(path(name), "wb");
	gzwrite(gz, buf, n);
	gzclose(gz);
}

static size_t
readfile(const char *name, unsigned char *buf, size_t cap)
{
	FILE *fp;
	size_t n;

	fp = fopen(path(name), "rb");
	n = fread(buf, 1, cap, fp);
	fclose(fp);
	return n;
}

/* An IDX file in buf: magic 0 0 type nd, dims, then data. */
static size_t
idx(unsigned char *buf, int type, int nd, const unsigned long *dims,
    const unsigned char *data, size_t n)
{
	size_t k;
	int i;

	buf[0] = buf[1] = 0;
	buf[2] = type;
	buf[3] = nd;
	k = 4;
	for (i = 0; i < nd; i++) {
		buf[k++] = dims[i] >> 24;
		buf[k++] = dims[i] >> 16;
		buf[k++] = dims[i] >> 8;
		buf[k++] = dims[i];
	}
	memcpy(buf + k, data, n);
	return k + n;
}

static void
cdinit(struct cfg_data *cd)
{
	memset(cd, 0, sizeof(*cd));
	cd->format = DATA_IDX;
	strcpy(cd->label_column, "0");
	cd->header = 1;
	cd->delimiter = ',';
	cd->kind = SYN_BLOBS;
	cd->samples = 2000;
	cd->features = 20;
	cd->classes = 4;
	cd->task = TASK_CLASSIFICATION;
	cd->folds = 5;
}

static int
loadidx(struct dataset *ds, const char *img, const char *lab, int task)
{
	struct cfg_data cd;

	cdinit(&cd);
	snprintf(cd.images, sizeof(cd.images), "%s", path(img));
	snprintf(cd.labels, sizeof(cd.labels), "%s", path(lab));
	cd.task = task;
	err_clear();
	return data_load(ds, &cd, 1);
}

static int
loadcsv(struct dataset *ds, struct cfg_data *cd, const char *name,
    const char *text)
{
	writestr(name, text);
	snprintf(cd->path, sizeof(cd->path), "%s", path(name));
	cd->format = DATA_CSV;
	err_clear();
	return data_load(ds, cd, 1);
}

/* A load that must fail with exactly the message want (a format with %s
 * for the file's path, given by name). */
static void
fails(int r, const char *name, const char *want, const char *what)
{
	char buf[1024];

	snprintf(buf, sizeof(buf), want, name ? path(name) : "");
	if (!ok(r == -1 && strcmp(err_msg(), buf) == 0, what))
		diag("got %d '%s', want '%s'", r, err_msg(), buf);
}

/* The three 2x2 images and their labels used throughout. */
static const unsigned char pix[12] = {
	0, 255, 128, 1,  10, 20, 30, 40,  5, 6, 7, 8 };
static const unsigned char lab3[3] = { 2, 0, 1 };

static void
test_idx(void)
{
	unsigned char img[256], lab[64], gz[512], big[1024];
	unsigned long dims[4];
	struct dataset ds, dz;
	uint32_t all[3] = { 0, 1, 2 };
	float x[12], want;
	int32_t y[3];
	float t[3];
	size_t ni, nl, ng, k;
	int i, good;
	char buf[300];

	dims[0] = 3, dims[1] = 2, dims[2] = 2;
	ni = idx(img, 8, 3, dims, pix, 12);
	nl = idx(lab, 8, 1, dims, lab3, 3);
	writefile("img", img, ni);
	writefile("lab", lab, nl);
	writegz("img.gz", img, ni);
	writegz("lab.gz", lab, nl);

	ok(loadidx(&ds, "img", "lab", TASK_CLASSIFICATION) == 0, "idx raw");
	is_int(ds.n, 3, "3 images");
	is_int(ds.d, 4, "4 pixels");
	ok(ds.shape[0] == 1 && ds.shape[1] == 2 && ds.shape[2] == 2,
	    "shape 1x2x2");
	is_int(ds.nclasses, 3, "classes = largest label + 1");
	ok(ds.bytes != NULL && ds.x == NULL && memcmp(ds.bytes, pix, 12) == 0,
	    "pixels kept as bytes");
	/* 1/255 rounded to float, once (IEEE: the same everywhere) */
	is_double(ds.scale, 1.0f / 255, 0, "default scale 1/255");
	data_gather(&ds, all, 3, x, y, t);
	good = 1;
	/*
	 * The same float product as the gather (the same bits), and
	 * against the exact b / 255: one rounded factor, one product,
	 * within tol_f32(1, b / 255) = gamma_3 b / 255.
	 */
	for (i = 0; i < 12; i++) {
		want = pix[i] * (float)(1.0 / 255);
		if (x[i] != want || !(fabs(x[i] - pix[i] / 255.0) <=
		    tol_f32(1, pix[i] / 255.0)))
			good = 0;
	}
	ok(good, "gathered floats are bytes * 1/255");
	is_double(x[1], 1, tol_f32(1, 1), "255 is 1");
	ok(y[0] == 2 && y[1] == 0 && y[2] == 1, "labels");

	ok(loadidx(&dz, "img.gz", "lab.gz", TASK_CLASSIFICATION) == 0,
	    "idx gzip");
	ok(dz.n == 3 && memcmp(dz.bytes, ds.bytes, 12) == 0 &&
	    memcmp(dz.y, ds.y, 3 * sizeof(*ds.y)) == 0,
	    "gzip and raw load the same");
	data_free(&dz);

	/* gzip is found by its magic, not by the name */
	ng = readfile("img.gz", gz, sizeof(gz));
	writefile("imgz", gz, ng);
	ok(loadidx(&dz, "imgz", "lab", TASK_CLASSIFICATION) == 0 &&
	    memcmp(dz.bytes, pix, 12) == 0, "gzip without .gz name");
	data_free(&dz);

	/* two gzip members, concatenated, are one stream */
	writegz("part1.gz", img, 9);
	writegz("part2.gz", img + 9, ni - 9);
	k = readfile("part1.gz", big, sizeof(big));
	k += readfile("part2.gz", big + k, sizeof(big) - k);
	writefile("multi.gz", big, k);
	ok(loadidx(&dz, "multi.gz", "lab", TASK_CLASSIFICATION) == 0 &&
	    memcmp(dz.bytes, pix, 12) == 0, "multi-member gzip");
	data_free(&dz);

	/* A trailer that lies about the size (ISIZE): libdeflate's whole
	 * inflation refuses it, and the stream says what is wrong; one
	 * that claims 4 GB is not believed (more than 1032 times the
	 * file's bytes) and allocates nothing of the sort. */
	ng = readfile("img.gz", gz, sizeof(gz));
	gz[ng - 4] ^= 1;
	writefile("isize.gz", gz, ng);
	ok(loadidx(&dz, "isize.gz", "lab", TASK_CLASSIFICATION) < 0 &&
	    strstr(err_msg(), "isize.gz: byte ") != NULL &&
	    strstr(err_msg(), "corrupt gzip data (incorrect length check)")
	    != NULL, "gzip: a wrong size in the trailer");
	memset(gz + ng - 4, 0xff, 4);
	writefile("isize.gz", gz, ng);
	ok(loadidx(&dz, "isize.gz", "lab", TASK_CLASSIFICATION) < 0 &&
	    strstr(err_msg(), "incorrect length check") != NULL,
	    "gzip: a trailer claiming 4 GB");

	/* scale 1: the bytes themselves */
	{
		struct cfg_data cd;

		cdinit(&cd);
		snprintf(cd.images, sizeof(cd.images), "%s", path("img"));
		snprintf(cd.labels, sizeof(cd.labels), "%s", path("lab"));
		cd.scale = 1;
		ok(data_load(&dz, &cd, 1) == 0, "scale 1");
		data_gather(&dz, all, 3, x, NULL, NULL);
		good = 1;
		for (i = 0; i < 12; i++)
			good &= x[i] == pix[i];
		ok(good, "scale 1 gives the bytes");
		data_free(&dz);

		/* data.shape replaces the shape if it fits */
		cd.shape[0] = 4, cd.shape[1] = 1, cd.shape[2] = 1;
		ok(data_load(&dz, &cd, 1) == 0 && dz.shape[0] == 4 &&
		    dz.shape[1] == 1, "data.shape 4x1x1");
		data_free(&dz);
		cd.shape[0] = 2, cd.shape[1] = 2, cd.shape[2] = 2;
		fails(data_load(&dz, &cd, 1), NULL, "data.shape: [2, 2, 2] "
		    "does not fit samples of 4 features", "data.shape 2x2x2");
	}

	/* regression on IDX labels: float targets */
	ok(loadidx(&dz, "img", "lab", TASK_REGRESSION) == 0 &&
	    dz.nclasses == 0 && dz.y == NULL && dz.t != NULL &&
	    dz.t[0] == 2 && dz.t[1] == 0 && dz.t[2] == 1,
	    "regression targets from labels");
	data_gather(&dz, all, 3, x, y, t);
	ok(t[0] == 2 && t[2] == 1, "gathered targets");
	data_free(&dz);

	/* 2 and 4 dimensions */
	dims[1] = 4;
	writefile("img2", img, idx(img, 8, 2, dims, pix, 12));
	ok(loadidx(&dz, "img2", "lab", TASK_CLASSIFICATION) == 0 &&
	    dz.d == 4 && dz.shape[0] == 4 && dz.shape[1] == 1 &&
	    dz.shape[2] == 1, "N x d is (d, 1, 1)");
	data_free(&dz);
	dims[1] = 1, dims[2] = 2, dims[3] = 2;
	writefile("img4", img, idx(img, 8, 4, dims, pix, 12));
	ok(loadidx(&dz, "img4", "lab", TASK_CLASSIFICATION) == 0 &&
	    dz.d == 4 && dz.shape[0] == 1 && dz.shape[1] == 2 &&
	    dz.shape[2] == 2, "N x C x H x W is (C, H, W)");
	data_free(&dz);

	/* describe */
	k = data_describe(buf, sizeof(buf), &ds, NULL);
	is_str(buf, "format=idx n=3 d=4 shape=1x2x2 task=classification "
	    "classes=3 scale=0.00392156886 standardize=0", "describe");
	is_int(k, strlen(buf), "describe returns its length");
	k = data_describe(buf, 10, &ds, NULL);
	ok(k > 10 && strcmp(buf, "format=id") == 0,
	    "describe truncates like snprintf");
	data_classmap(buf, sizeof(buf), &ds);
	is_str(buf, "classes=3 map=0:0,1:1,2:2", "classmap of idx");
	ok(data_map(buf, sizeof(buf), &ds) == 0 && buf[0] == '\0',
	    "no map for idx: each class is its label");
	data_free(&ds);
	ok(ds.bytes == NULL && ds.n == 0, "data_free empties");
	data_free(&ds);
}

static void
test_idx_bad(void)
{
	unsigned char img[256], lab[64], gz[512], bad[600];
	unsigned long dims[4];
	struct dataset ds;
	size_t ni, nl, ng;
	char want[512];

	dims[0] = 3, dims[1] = 2, dims[2] = 2;
	ni = idx(img, 8, 3, dims, pix, 12);
	nl = idx(lab, 8, 1, dims, lab3, 3);

	memcpy(bad, img, ni);
	bad[0] = 0x12;
	writefile("b-magic", bad, ni);
	fails(loadidx(&ds, "b-magic", "lab", 0), "b-magic",
	    "%s: not an IDX file (bad magic number)", "bad magic");

	memcpy(bad, img, ni);
	bad[2] = 0x0d;
	writefile("b-type", bad, ni);
	fails(loadidx(&ds, "b-type", "lab", 0), "b-type", "%s: IDX type 0x0d "
	    "(float) is not supported, only 0x08 (unsigned byte)", "float type");

	fails(loadidx(&ds, "img", "img", 0), "img",
	    "%s: labels need 1 dimension, not 3", "images given as labels");
	fails(loadidx(&ds, "lab", "lab", 0), "lab",
	    "%s: images need 2 to 4 dimensions, not 1", "labels as images");

	dims[1] = 0;
	writefile("b-zero", bad, idx(bad, 8, 3, dims, pix, 12));
	fails(loadidx(&ds, "b-zero", "lab", 0), "b-zero",
	    "%s: dimension 2 is 0", "zero dimension");

	dims[0] = 0x80000000UL, dims[1] = 28, dims[2] = 28;
	writefile("b-huge", bad, idx(bad, 8, 3, dims, pix, 12));
	fails(loadidx(&ds, "b-huge", "lab", 0), "b-huge",
	    "%s: header claims more than the 2147483648-byte limit of data "
	    "(dimension 2 is 28)", "2^31 images of 28x28");
	dims[0] = 0xffffffffUL, dims[1] = 0xffffffffUL;
	writefile("b-huge2", bad, idx(bad, 8, 2, dims, pix, 12));
	fails(loadidx(&ds, "b-huge2", "lab", 0), "b-huge2",
	    "%s: header claims more than the 2147483648-byte limit of data "
	    "(dimension 1 is 4294967295)", "2^32-1 x 2^32-1");

	/* a header that claims more than the file holds */
	dims[0] = 4, dims[1] = 2, dims[2] = 2;
	writefile("b-more", bad, idx(bad, 8, 3, dims, pix, 12));
	writegz("b-more.gz", bad, idx(bad, 8, 3, dims, pix, 12));
	writefile("lab4", lab, idx(lab, 8, 1, dims, (const unsigned char *)
	    "\0\1\2\3", 4));
	fails(loadidx(&ds, "b-more", "lab4", 0), "b-more",
	    "%s: header claims 16 bytes of data but only 12 follow",
	    "raw: more claimed than held");
	fails(loadidx(&ds, "b-more.gz", "lab4", 0), "b-more.gz",
	    "%s: header claims 16 bytes of data but only 12 follow",
	    "gzip: more claimed than held");
	ok(loadidx(&ds, "img", "lab4", 0) == -1, "count mismatch");
	snprintf(want, sizeof(want), "%s: 3 images, but ", path("img"));
	snprintf(want + strlen(want), sizeof(want) - strlen(want),
	    "%s has 4 labels", path("lab4"));
	is_str(err_msg(), want, "count mismatch message");

	/* trailing data */
	memcpy(bad, img, ni);
	bad[ni] = 7;
	writefile("b-trail", bad, ni + 1);
	writegz("b-trail.gz", bad, ni + 1);
	fails(loadidx(&ds, "b-trail", "lab", 0), "b-trail",
	    "%s: trailing data after the 12 bytes the header claims",
	    "raw: trailing data");
	fails(loadidx(&ds, "b-trail.gz", "lab", 0), "b-trail.gz",
	    "%s: trailing data after the 12 bytes the header claims",
	    "gzip: trailing data");

	/* gzip damage */
	ng = readfile("img.gz", gz, sizeof(gz));
	memcpy(bad, gz, ng);
	memcpy(bad + ng, "junk", 4);
	writefile("b-junk.gz", bad, ng + 4);
	snprintf(want, sizeof(want), "%%s: byte %zu: trailing garbage after "
	    "the gzip data", ng);
	fails(loadidx(&ds, "b-junk.gz", "lab", 0), "b-junk.gz", want,
	    "garbage after the gzip member");

	writefile("b-cut.gz", gz, ng - 6);
	snprintf(want, sizeof(want), "%%s: truncated gzip data (ends at byte "
	    "%zu)", ng - 6);
	fails(loadidx(&ds, "b-cut.gz", "lab", 0), "b-cut.gz", want,
	    "truncated gzip (in the trailer)");
	writefile("b-cut2.gz", gz, 12);
	snprintf(want, sizeof(want), "%%s: truncated gzip data (ends at byte "
	    "12)");
	fails(loadidx(&ds, "b-cut2.gz", "lab", 0), "b-cut2.gz", want,
	    "truncated gzip (in the data)");
	writefile("b-cut3.gz", gz, 2);
	fails(loadidx(&ds, "b-cut3.gz", "lab", 0), "b-cut3.gz",
	    "%s: truncated gzip data (ends at byte 2)", "gzip magic only");

	memcpy(bad, gz, ng);
	bad[ng - 8] ^= 0xff;	/* the CRC-32 */
	writefile("b-crc.gz", bad, ng);
	snprintf(want, sizeof(want), "%%s: byte %zu: corrupt gzip data "
	    "(incorrect data check)", ng - 4);
	fails(loadidx(&ds, "b-crc.gz", "lab", 0), "b-crc.gz", want,
	    "bad CRC");
	memcpy(bad, gz, ng);
	bad[ng - 1] ^= 0x01;	/* the length */
	writefile("b-len.gz", bad, ng);
	snprintf(want, sizeof(want), "%%s: byte %zu: corrupt gzip data "
	    "(incorrect length check)", ng);
	fails(loadidx(&ds, "b-len.gz", "lab", 0), "b-len.gz", want,
	    "bad length");
	memcpy(bad, gz, ng);
	bad[3] = 0xe0;		/* reserved flag bits */
	writefile("b-flag.gz", bad, ng);
	snprintf(want, sizeof(want), "%%s: byte 4: corrupt gzip data "
	    "(unknown header flags set)");
	fails(loadidx(&ds, "b-flag.gz", "lab", 0), "b-flag.gz", want,
	    "bad gzip header");

	/* short and empty files */
	writefile("b-empty", "", 0);
	fails(loadidx(&ds, "b-empty", "lab", 0), "b-empty",
	    "%s: empty file", "empty file");
	writefile("b-short", img, 6);
	fails(loadidx(&ds, "b-short", "lab", 0), "b-short",
	    "%s: truncated IDX header", "short header");
	writefile("b-3", img, 3);
	fails(loadidx(&ds, "b-3", "lab", 0), "b-3",
	    "%s: not an IDX file (bad magic number)", "3 bytes");
	fails(loadidx(&ds, "b-none", "lab", 0), "b-none",
	    "%s: No such file or directory", "missing images");
	fails(loadidx(&ds, "img", "b-none", 0), "b-none",
	    "%s: No such file or directory", "missing labels");
	{
		struct cfg_data cd;

		cdinit(&cd);
		strcpy(cd.labels, "x");
		fails(data_load(&ds, &cd, 1), NULL,
		    "data.images: no file given", "no images file");
		strcpy(cd.images, "x");
		cd.labels[0] = '\0';
		fails(data_load(&ds, &cd, 1), NULL,
		    "data.labels: no file given", "no labels file");
		cd.format = DATA_CSV;
		fails(data_load(&ds, &cd, 1), NULL,
		    "data.path: no file given", "no csv file");
		cd.format = 7;
		fails(data_load(&ds, &cd, 1), NULL,
		    "data.format: unknown format 7", "unknown format");
	}
	ok(ds.n == 0 && ds.bytes == NULL, "a failed load leaves ds empty");
	(void)nl;
}

static void
test_keep(void)
{
	struct cfg_data cd;
	struct dataset ds;
	uint32_t all[2] = { 0, 1 };
	float x[8];
	int32_t y[2];
	char buf[300];

	cdinit(&cd);
	snprintf(cd.images, sizeof(cd.images), "%s", path("img"));
	snprintf(cd.labels, sizeof(cd.labels), "%s", path("lab"));
	cd.scale = 1;
	cd.keep[0] = 2, cd.keep[1] = 0, cd.nkeep = 2;
	ok(data_load(&ds, &cd, 1) == 0, "keep labels 2 and 0");
	is_int(ds.n, 2, "two samples kept");
	is_int(ds.nclasses, 2, "two classes");
	data_gather(&ds, all, 2, x, y, NULL);
	ok(y[0] == 0 && y[1] == 1, "renumbered in listed order");
	ok(x[0] == 0 && x[1] == 255 && x[4] == 10 && x[7] == 40,
	    "kept images are the right ones");
	data_classmap(buf, sizeof(buf), &ds);
	is_str(buf, "classes=2 map=0:2,1:0", "classmap after keep");
	is_int(data_map(buf, sizeof(buf), &ds), 11, "map after keep");
	is_str(buf, "map=0:2,1:0", "  class:label");
	data_free(&ds);

	cd.keep[1] = 7;
	fails(data_load(&ds, &cd, 1), NULL,
	    "data.classes: no sample has label 7", "absent label");
	cd.keep[1] = 2;
	fails(data_load(&ds, &cd, 1), NULL,
	    "data.classes: label 2 is listed twice", "duplicate label");
	cd.nkeep = 1;
	cd.task = TASK_REGRESSION;
	fails(data_load(&ds, &cd, 1), NULL,
	    "data.classes: needs data.task classification", "regression");
}

static void
test_csv(void)
{
	struct cfg_data cd;
	struct dataset ds;
	uint32_t all[4] = { 0, 1, 2, 3 };
	float x[16], t[4];
	int32_t y[4];
	char buf[400], *big;
	int i;

	cdinit(&cd);
	strcpy(cd.label_column, "label");
	ok(loadcsv(&ds, &cd, "c1.csv",
	    "a,b,label\n1,2,9\n3,4,2.5\n5,6,7\n7,-8e-1,9\n") == 0, "csv");
	ok(ds.n == 4 && ds.d == 2 && ds.nclasses == 3, "4 rows, 2 features, "
	    "3 classes");
	ok(ds.shape[0] == 2 && ds.shape[1] == 1 && ds.shape[2] == 1,
	    "csv shape (d, 1, 1)");
	is_double(ds.scale, 1, 0, "csv scale 1");
	data_gather(&ds, all, 4, x, y, NULL);
	ok(x[0] == 1 && x[1] == 2 && x[6] == 7 && x[7] == -0.8f,
	    "features exact");
	ok(y[0] == 2 && y[1] == 0 && y[2] == 1 && y[3] == 2,
	    "labels sorted numerically");
	data_classmap(buf, sizeof(buf), &ds);
	is_str(buf, "classes=3 map=0:2.5,1:7,2:9", "classmap");
	data_free(&ds);

	/* index, negative index, no header, BOM, CRLF, blanks, quotes */
	cdinit(&cd);
	strcpy(cd.label_column, "-1");
	cd.header = 0;
	ok(loadcsv(&ds, &cd, "c2.csv", "\xef\xbb\xbf 1 , \"2\",0\r\n\r\n"
	    "3,4,1\r\n  \n5,6,-0\n7,8, \"1\" ") == 0,
	    "BOM, CRLF, blank lines, quotes, no final newline");
	ok(ds.n == 4 && ds.d == 2 && ds.nclasses == 2, "4 rows 2 classes");
	data_gather(&ds, all, 4, x, y, NULL);
	ok(x[0] == 1 && x[1] == 2 && x[2] == 3 && x[7] == 8, "values");
	ok(y[0] == 0 && y[1] == 1 && y[2] == 0 && y[3] == 1, "-0 is 0");
	data_classmap(buf, sizeof(buf), &ds);
	is_str(buf, "classes=2 map=0:0,1:1", "-0 printed as 0");
	data_free(&ds);

	cdinit(&cd);
	strcpy(cd.label_column, "x \"y\"");
	cd.delimiter = ';';
	ok(loadcsv(&ds, &cd, "c3.csv", "\"x \"\"y\"\"\";\"p;q\"\n"
	    "1;5\n2;6\n") == 0 && ds.n == 2 && ds.d == 1,
	    "quoted header names, delimiter ;");
	data_gather(&ds, all, 2, x, y, NULL);
	ok(x[0] == 5 && x[1] == 6 && y[0] == 0 && y[1] == 1,
	    "label column found by quoted name");
	data_free(&ds);

	/* regression */
	cdinit(&cd);
	cd.task = TASK_REGRESSION;
	strcpy(cd.label_column, "2");
	ok(loadcsv(&ds, &cd, "c4.csv", "u,v,w\n1,2,0.25\n3,4,-1e3\n") == 0,
	    "regression csv");
	ok(ds.nclasses == 0 && ds.y == NULL && ds.t != NULL, "targets");
	data_gather(&ds, all, 2, x, NULL, t);
	ok(t[0] == 0.25f && t[1] == -1000 && x[2] == 3, "target values");
	data_classmap(buf, sizeof(buf), &ds);
	is_str(buf, "classes=0", "regression classmap");
	ok(data_map(buf, sizeof(buf), &ds) == 0 && buf[0] == '\0',
	    "no map for regression");
	data_free(&ds);

	/* data.shape */
	cdinit(&cd);
	cd.shape[0] = 1, cd.shape[1] = 2, cd.shape[2] = 2;
	ok(loadcsv(&ds, &cd, "c5.csv", "l,a,b,c,d\n0,1,2,3,4\n1,5,6,7,8\n")
	    == 0 && ds.shape[0] == 1 && ds.shape[1] == 2 && ds.shape[2] == 2,
	    "csv with data.shape [1, 2, 2]");
	data_free(&ds);

	/* classes by label value */
	cdinit(&cd);
	cd.keep[0] = 9, cd.keep[1] = 7, cd.nkeep = 2;
	strcpy(cd.label_column, "label");
	ok(loadcsv(&ds, &cd, "c1.csv",
	    "a,b,label\n1,2,9\n3,4,2.5\n5,6,7\n7,-8e-1,9\n") == 0 &&
	    ds.n == 3 && ds.nclasses == 2, "csv data.classes [9, 7]");
	data_gather(&ds, all, 3, x, y, NULL);
	ok(y[0] == 0 && y[1] == 1 && y[2] == 0 && x[2] == 5,
	    "kept by label value");
	data_free(&ds);

	/* errors */
	cdinit(&cd);
	fails(loadcsv(&ds, &cd, "e1.csv", "a,b,c\n1,2,3\n4,5\n"), "e1.csv",
	    "%s:3: 2 fields, expected 3", "ragged row");
	fails(loadcsv(&ds, &cd, "e2.csv", "a,b,c\n1,abc,3\n"), "e2.csv",
	    "%s:2: field 2 'abc' is not a number", "not a number");
	fails(loadcsv(&ds, &cd, "e3.csv", "a,b,c\n1,2,3\n1,nan,3\n"),
	    "e3.csv", "%s:3: field 2 'nan' is not finite", "nan");
	fails(loadcsv(&ds, &cd, "e4.csv", "a,b,c\n-inf,2,3\n"), "e4.csv",
	    "%s:2: field 1 '-inf' is not finite", "-inf");
	fails(loadcsv(&ds, &cd, "e5.csv", "a,b,c\n1,1e999,3\n"), "e5.csv",
	    "%s:2: field 2 '1e999' is out of range", "1e999");
	fails(loadcsv(&ds, &cd, "e6.csv", "a,b,c\n1,2,1e300\n"), "e6.csv",
	    "%s:2: field 3 '1e300' is out of range", "beyond float");
	fails(loadcsv(&ds, &cd, "e7.csv", "a,b,c\n1,,3\n"), "e7.csv",
	    "%s:2: field 2 is empty", "empty field");
	fails(loadcsv(&ds, &cd, "e8.csv", "a,b,c\n1,\"2,3\n"), "e8.csv",
	    "%s:2: field 2: unterminated quote (quoted fields cannot span "
	    "lines)", "unterminated quote");
	fails(loadcsv(&ds, &cd, "e9.csv", "a,b,c\n1,\"2\"x,3\n"), "e9.csv",
	    "%s:2: field 2: text after the closing quote", "text after quote");
	fails(loadcsv(&ds, &cd, "e10.csv", "a,b,c\n1,0x1p3,3\n"), "e10.csv",
	    "%s:2: field 2 '0x1p3' is not a number", "hex float");
	fails(loadcsv(&ds, &cd, "e12.csv", ""), "e12.csv", "%s: empty file",
	    "empty file");
	fails(loadcsv(&ds, &cd, "e13.csv", "a,b,c\n\n"), "e13.csv",
	    "%s: no data rows", "header only");
	fails(loadcsv(&ds, &cd, "e14.csv", "\r\n \n"), "e14.csv",
	    "%s: no data rows", "blank lines only");
	fails(loadcsv(&ds, &cd, "e15.csv", "label\n1\n"), "e15.csv",
	    "%s:1: one column: no features besides the label", "one column");
	strcpy(cd.label_column, "lbl");
	fails(loadcsv(&ds, &cd, "e16.csv", "a,b,label\n1,2,3\n"), "e16.csv",
	    "%s:1: no column 'lbl' (columns: a, b, label)", "no such name");
	strcpy(cd.label_column, "3");
	fails(loadcsv(&ds, &cd, "e17.csv", "a,b,label\n1,2,3\n"), "e17.csv",
	    "%s:1: no column 3 (3 columns: 0..2, or -1 for the last)",
	    "index out of range");
	strcpy(cd.label_column, "label");
	cd.header = 0;
	fails(loadcsv(&ds, &cd, "e18.csv", "1,2,3\n"), NULL,
	    "data.label_column: 'label' is a name, but data.header is false",
	    "a name without a header");
	cdinit(&cd);
	cd.header = 0;
	big = malloc(1100 * 16 + 1);
	big[0] = '\0';
	for (i = 0; i < 1025; i++)
		sprintf(big + strlen(big), "%d,1\n", i);
	fails(loadcsv(&ds, &cd, "e19.csv", big), "e19.csv", "%s:1025: more "
	    "than 1024 distinct labels (for a numeric target, set data.task: "
	    "regression)", "1025 classes");
	cd.task = TASK_REGRESSION;
	ok(loadcsv(&ds, &cd, "e19.csv", big) == 0 && ds.n == 1025,
	    "1025 distinct targets are fine for regression");
	data_free(&ds);
	free(big);
	cd.task = TASK_CLASSIFICATION;
	fails(loadcsv(&ds, &cd, "e20.csv", "1,2\n3,4,5\n"), "e20.csv",
	    "%s:2: 3 fields, expected 2", "ragged without header");
	cd.delimiter = '"';
	fails(loadcsv(&ds, &cd, "e21.csv", "1,2\n"), NULL,
	    "data.delimiter: cannot be a quote or a line end", "delimiter");
	cd.delimiter = ',';
	cd.path[0] = '\0';
	strcpy(cd.path, path("no.csv"));
	err_clear();
	fails(data_load(&ds, &cd, 1), "no.csv",
	    "%s: No such file or directory", "missing csv");

	/* a line longer than the limit */
	big = malloc(DATA_MAXLINE + 10);
	memset(big, '1', DATA_MAXLINE + 8);
	big[DATA_MAXLINE + 8] = '\n';
	writefile("e22.csv", "1,2\n", 4);
	{
		FILE *fp = fopen(path("e22.csv"), "ab");
		fwrite(big, 1, DATA_MAXLINE + 9, fp);
		fclose(fp);
	}
	snprintf(cd.path, sizeof(cd.path), "%s", path("e22.csv"));
	err_clear();
	fails(data_load(&ds, &cd, 1), "e22.csv",
	    "%s:2: line longer than 16777216 bytes", "line too long");
	free(big);
}

/* the NUL byte case, which loadcsv cannot write as a string */
/* Labels that are names: sorted distinct names, "#@ classes" text. */
static void
test_csv_names(void)
{
	struct cfg_data cd;
	struct dataset ds;
	uint32_t all[6] = { 0, 1, 2, 3, 4, 5 };
	float x[12];
	int32_t y[6];
	char buf[256];

	cdinit(&cd);
	strcpy(cd.label_column, "species");
	ok(loadcsv(&ds, &cd, "n1.csv", "a,species,b\n1,virginica,2\n"
	    "3,setosa,4\n5,versicolor,6\n7,setosa,8\n9,\"Iris setosa\",10\n"
	    "11,10,12\n") == 0, "labels that are names");
	ok(ds.n == 6 && ds.d == 2 && ds.nclasses == 5, "6 rows, 2 features, "
	    "5 names (a number among names is a name)");
	data_gather(&ds, all, 6, x, y, NULL);
	/* strcmp order: "10" < "Iris setosa" < "setosa" < "versicolor" <
	 * "virginica" */
	ok(y[0] == 4 && y[1] == 2 && y[2] == 3 && y[3] == 2 && y[4] == 1 &&
	    y[5] == 0, "classes in byte order of the names");
	ok(x[0] == 1 && x[1] == 2 && x[10] == 11 && x[11] == 12,
	    "the label column is not a feature");
	is_int(data_classnames(buf, sizeof(buf), &ds), 54, "length of the "
	    "class names");
	is_str(buf, "0=10 1=Iris%20setosa 2=setosa 3=versicolor 4=virginica",
	    "the #@ classes text, a blank as %20");
	ok(data_map(buf, sizeof(buf), &ds) == 0, "no numeric map for names");
	data_free(&ds);

	/* numbers stay numbers: 1 and 1.0 are one class */
	ok(loadcsv(&ds, &cd, "n2.csv", "a,species\n1,2\n2,1.0\n3,1\n") ==
	    0 && ds.nclasses == 2 && ds.classname == NULL, "numeric labels");
	data_gather(&ds, all, 3, x, y, NULL);
	ok(y[0] == 1 && y[1] == 0 && y[2] == 0, "1 and 1.0 are one class");
	ok(data_classnames(buf, sizeof(buf), &ds) == 0 && buf[0] == '\0',
	    "no class names for numbers");
	data_free(&ds);

	fails(loadcsv(&ds, &cd, "n3.csv", "a,species\n1,setosa\n2,\n"),
	    "n3.csv", "%s:3: field 2 is empty", "an empty label");
	fails(loadcsv(&ds, &cd, "n4.csv", "a,species\n1,setosa\n2,inf\n"),
	    "n4.csv", "%s:3: field 2 'inf' is not finite",
	    "a label that is a number is still checked");
	cd.keep[0] = 1, cd.nkeep = 1;
	fails(loadcsv(&ds, &cd, "n5.csv", "a,species\n1,setosa\n2,x\n"),
	    NULL, "data.classes: the labels are names, not numbers (it keeps "
	    "numeric labels)", "data.classes with names");
	cdinit(&cd);
	cd.task = TASK_REGRESSION;
	strcpy(cd.label_column, "1");
	fails(loadcsv(&ds, &cd, "n6.csv", "a,t\n1,setosa\n"), "n6.csv",
	    "%s:2: field 2 'setosa' is not a number",
	    "a regression target must be a number");
}

/* data.features and data.ignore as the loader gets them (set_cols). */
static void
setcols(char *buf, int *n, const char *s, int k)
{
	size_t len;
	int i;

	for (i = 0, len = 0; i < k; i++)
		len += strlen(s + len) + 1;
	memcpy(buf, s, len);
	*n = k;
}

/* Column selection and a pandas index column. */
static void
test_csv_columns(void)
{
	static const char pandas[] = ",a,b,c,y\n0,1,2,3,x\n1,4,5,6,z\n";
	struct cfg_data cd;
	struct dataset ds;
	uint32_t all[2] = { 0, 1 };
	float x[8];
	int32_t y[2];

	cdinit(&cd);
	strcpy(cd.label_column, "y");
	ok(loadcsv(&ds, &cd, "k1.csv", pandas) == 0 && ds.d == 3,
	    "a pandas index column is left out");
	data_gather(&ds, all, 2, x, y, NULL);
	ok(x[0] == 1 && x[1] == 2 && x[2] == 3 && x[3] == 4 && x[5] == 6 &&
	    y[0] == 0 && y[1] == 1, "the features are a, b, c");
	{
		char want[512];

		snprintf(want, sizeof(want), "%s:1: column 0 is named '', a "
		    "pandas index: left out (say data.ignore: [0], or list "
		    "data.features)", path("k1.csv"));
		is_str(ds.note, want, "the note says what was left out and "
		    "how to say so");
	}
	data_free(&ds);
	ok(loadcsv(&ds, &cd, "k2.csv", "Unnamed: 0,a,y\n7,1,x\n8,2,z\n") ==
	    0 && ds.d == 1 && ds.note[0] != '\0', "'Unnamed: 0' too");
	data_free(&ds);

	setcols(cd.ignore, &cd.nignore, "0", 1);
	ok(loadcsv(&ds, &cd, "k1.csv", pandas) == 0 && ds.d == 3 &&
	    ds.note[0] == '\0', "data.ignore: [0] leaves it out, no note");
	data_free(&ds);
	setcols(cd.ignore, &cd.nignore, "0\0b", 2);
	ok(loadcsv(&ds, &cd, "k1.csv", pandas) == 0 && ds.d == 2,
	    "ignore [0, b]");
	data_gather(&ds, all, 2, x, y, NULL);
	ok(x[0] == 1 && x[1] == 3 && x[2] == 4 && x[3] == 6,
	    "the features are a, c");
	data_free(&ds);

	/* features: these columns in this order (the index is kept when
	 * listed) */
	cd.nignore = 0;
	setcols(cd.featcols, &cd.nfeatcols, "c\0" "0\0a", 3);
	ok(loadcsv(&ds, &cd, "k1.csv", pandas) == 0 && ds.d == 3 &&
	    ds.note[0] == '\0', "features [c, 0, a]");
	data_gather(&ds, all, 2, x, y, NULL);
	ok(x[0] == 3 && x[1] == 0 && x[2] == 1 && x[3] == 6 && x[4] == 1 &&
	    x[5] == 4, "in the listed order");
	data_free(&ds);
	/* a column left out is never parsed: text there is fine */
	setcols(cd.featcols, &cd.nfeatcols, "a", 1);
	ok(loadcsv(&ds, &cd, "k3.csv", "id,a,y\nrow-1,1,x\nrow-2,2,z\n") ==
	    0 && ds.d == 1, "a text column not among the features");
	data_free(&ds);

	fails(loadcsv(&ds, &cd, "k4.csv", "id,b,y\n1,2,x\n"), "k4.csv",
	    "%s:1: data.features: no column 'a' (columns: id, b, y)",
	    "features: an unknown name");
	setcols(cd.featcols, &cd.nfeatcols, "b\0y", 2);
	fails(loadcsv(&ds, &cd, "k5.csv", "a,b,y\n1,2,x\n"), "k5.csv",
	    "%s:1: data.features: 'y' is the label column",
	    "features: the label");
	setcols(cd.featcols, &cd.nfeatcols, "b\0" "1", 2);
	fails(loadcsv(&ds, &cd, "k6.csv", "a,b,y\n1,2,x\n"), "k6.csv",
	    "%s:1: data.features: '1' names column 1 a second time",
	    "features: one column twice");
	setcols(cd.featcols, &cd.nfeatcols, "a", 1);
	setcols(cd.ignore, &cd.nignore, "a", 1);
	fails(loadcsv(&ds, &cd, "k7.csv", "a,b,y\n1,2,x\n"), "k7.csv",
	    "%s:1: data.features: 'a' is also in data.ignore",
	    "a column in both lists");
	cd.nfeatcols = 0;
	setcols(cd.ignore, &cd.nignore, "a\0" "1", 2);
	fails(loadcsv(&ds, &cd, "k8.csv", "a,b,y\n1,2,x\n"), "k8.csv",
	    "%s:1: no feature columns (data.ignore leaves none)",
	    "nothing left");
	setcols(cd.ignore, &cd.nignore, "y", 1);
	fails(loadcsv(&ds, &cd, "k9.csv", "a,b,y\n1,2,x\n"), "k9.csv",
	    "%s:1: data.ignore: 'y' is the label column", "ignore the label");
	setcols(cd.ignore, &cd.nignore, "5", 1);
	fails(loadcsv(&ds, &cd, "k10.csv", "a,b,y\n1,2,x\n"), "k10.csv",
	    "%s:1: data.ignore: no column 5 (3 columns: 0..2, or -1 for the "
	    "last)", "ignore: an index past the end");
	cd.header = 0;
	strcpy(cd.label_column, "0");
	setcols(cd.ignore, &cd.nignore, "b", 1);
	fails(loadcsv(&ds, &cd, "k11.csv", "1,2,3\n"), NULL,
	    "data.ignore: 'b' is a name, but data.header is false",
	    "a name without a header");
}

static void
test_csv_nul(void)
{
	struct cfg_data cd;
	struct dataset ds;

	cdinit(&cd);
	writefile("nul.csv", "a,b,c\n1,2,3\n1,2\0,3\n", 19);
	snprintf(cd.path, sizeof(cd.path), "%s", path("nul.csv"));
	cd.format = DATA_CSV;
	err_clear();
	fails(data_load(&ds, &cd, 1), "nul.csv", "%s:3: NUL byte in line",
	    "NUL byte");
}

static void
test_split(void)
{
	struct cfg_data cd;
	struct dataset ds;
	struct split sp, sq;
	int seen[100], good, i, f;
	size_t j, sizes[3];

	cdinit(&cd);
	cd.format = DATA_SYNTHETIC;
	cd.samples = 10;
	cd.features = 2;
	cd.classes = 2;
	ok(data_load(&ds, &cd, 5) == 0, "synthetic 10 samples");

	memset(seen, 0, sizeof(seen));
	good = 1;
	for (f = 0; f < 3; f++) {
		ok(data_split(&ds, 3, f, 9, &sp) == 0, "split fold");
		sizes[f] = sp.nval;
		if (sp.ntrain + sp.nval != 10 || sp.nheld != sp.nval)
			good = 0;
		for (j = 0; j < sp.nval; j++) {
			seen[sp.val[j]]++;
			if (j > 0 && sp.val[j] <= sp.val[j - 1])
				good = 0;
		}
		for (j = 0; j < sp.ntrain; j++) {
			if (j > 0 && sp.train[j] <= sp.train[j - 1])
				good = 0;
			/* train is the complement of val */
			for (i = 0; i < (int)sp.nval; i++)
				if (sp.val[i] == sp.train[j])
					good = 0;
		}
		data_split_free(&sp);
	}
	ok(good, "train and val partition the samples, ascending");
	good = 1;
	for (i = 0; i < 10; i++)
		good &= seen[i] == 1;
	ok(good, "the held-out folds cover every sample once");
	ok(sizes[0] == 3 && sizes[1] == 3 && sizes[2] == 4,
	    "fold sizes 3 3 4");

	data_split(&ds, 3, 1, 9, &sp);
	data_split(&ds, 3, 1, 9, &sq);
	ok(sp.nval == sq.nval && memcmp(sp.val, sq.val, sp.nval * 4) == 0,
	    "same seed, same split");
	data_split_free(&sq);
	good = 0;
	for (i = 10; i < 20 && !good; i++) {
		data_split(&ds, 3, 1, i, &sq);
		good = memcmp(sp.val, sq.val, sp.nval * 4) != 0;
		data_split_free(&sq);
	}
	ok(good, "another seed, another split");
	data_split_free(&sp);

	ok(data_split(&ds, 1, 0, 9, &sp) == 0 && sp.ntrain == 10 &&
	    sp.nval == 0 && sp.train[9] == 9, "folds 1: all train");
	data_split_free(&sp);
	fails(data_split(&ds, 0, 0, 9, &sp), NULL,
	    "data.folds: 0 is less than 1", "folds 0");
	fails(data_split(&ds, 11, 0, 9, &sp), NULL,
	    "data.folds: 11 is more than the 10 samples", "folds > n");
	fails(data_split(&ds, 5, 5, 9, &sp), NULL,
	    "data.fold: 5 is not in 0..4", "fold = folds");
	fails(data_split(&ds, 5, -1, 9, &sp), NULL,
	    "data.fold: -1 is not in 0..4", "fold -1");
	data_free(&ds);

	/* the validation subset */
	cd.samples = 100;
	data_load(&ds, &cd, 5);
	data_split(&ds, 2, 0, 3, &sp);
	data_split(&ds, 2, 0, 3, &sq);
	is_int(sp.nval, 50, "held-out half");
	data_valsubset(&sp, 10, 77);
	ok(sp.nval == 10 && sp.nheld == 50, "subset of 10");
	good = 1;
	for (j = 0; j < sp.nval; j++) {
		if (j > 0 && sp.val[j] <= sp.val[j - 1])
			good = 0;
		for (i = 0; i < 50; i++)
			if (sq.val[i] == sp.val[j])
				break;
		if (i == 50)
			good = 0;
	}
	ok(good, "subset: ascending, distinct, from the held-out fold");
	data_valsubset(&sq, 10, 77);
	ok(memcmp(sp.val, sq.val, 40) == 0, "subset is seeded");
	data_valsubset(&sq, 1000, 77);
	is_int(sq.nval, 10, "a larger max keeps all");
	data_split_free(&sp);
	data_split_free(&sq);
	data_free(&ds);
}

static void
test_batch(void)
{
	struct cfg_data cd;
	struct dataset ds;
	struct split sp;
	struct batcher it, it2;
	char csv[4000];
	float x[7 * 2], x2[7 * 2];
	int32_t y[7], y2[7];
	int seen[40], good, same, e, i, k, pos;
	size_t j;

	/* feature 0 is the sample's index, label its parity */
	strcpy(csv, "i,j,l\n");
	for (i = 0; i < 37; i++)
		sprintf(csv + strlen(csv), "%d,%d,%d\n", i, 2 * i, i % 2);
	cdinit(&cd);
	strcpy(cd.label_column, "l");
	ok(loadcsv(&ds, &cd, "b.csv", csv) == 0 && ds.n == 37, "37 rows");
	data_split(&ds, 4, 2, 11, &sp);
	ok(data_batcher_init(&it, &ds, &sp, 21) == 0, "batcher");
	data_batcher_init(&it2, &ds, &sp, 21);

	/* 5 epochs of B=7, straddling epoch ends */
	good = same = 1;
	pos = 0;
	memset(seen, 0, sizeof(seen));
	for (k = 0; k < (int)(5 * sp.ntrain + 6) / 7; k++) {
		data_batch(&it, x, y, NULL, 7);
		data_batch(&it2, x2, y2, NULL, 7);
		same &= memcmp(x, x2, sizeof(x)) == 0 &&
		    memcmp(y, y2, sizeof(y)) == 0;
		for (i = 0; i < 7 && pos < 5 * (int)sp.ntrain; i++, pos++) {
			if (x[2 * i + 1] != 2 * x[2 * i] ||
			    y[i] != (int)x[2 * i] % 2)
				good = 0;
			seen[(int)x[2 * i]]++;
			if ((pos + 1) % sp.ntrain == 0) {
				/* an epoch ended: each train sample once */
				for (j = 0; j < sp.ntrain; j++)
					if (seen[sp.train[j]] != 1)
						good = 0;
				for (e = 0; e < 37; e++)
					seen[e] = 0;
			}
		}
	}
	for (j = 0; j < sp.nval; j++)
		if (seen[sp.val[j]] != 0)
			good = 0;
	ok(good, "every training sample exactly once per epoch, rows whole");
	ok(same, "same seed, same batches");
	is_int(it.epoch, 5, "epoch counter");
	data_batcher_free(&it2);
	data_batcher_init(&it2, &ds, &sp, 22);
	data_batch(&it2, x2, y2, NULL, 7);
	data_batcher_free(&it);
	data_batcher_init(&it, &ds, &sp, 21);
	data_batch(&it, x, y, NULL, 7);
	ok(memcmp(x, x2, sizeof(x)) != 0, "another seed, other batches");
	data_batcher_free(&it);
	data_batcher_free(&it2);

	/* data_next, gathered in two parts: data_batch's batches */
	data_batcher_init(&it, &ds, &sp, 21);
	data_batcher_init(&it2, &ds, &sp, 21);
	same = 1;
	for (k = 0; k < 11; k++) {
		uint32_t idx[7];

		data_batch(&it, x, y, NULL, 7);
		data_next(&it2, idx, 7);
		data_gather(&ds, idx, 3, x2, y2, NULL);
		data_gather(&ds, idx + 3, 4, x2 + 3 * 2, y2 + 3, NULL);
		same &= memcmp(x, x2, sizeof(x)) == 0 &&
		    memcmp(y, y2, sizeof(y)) == 0;
	}
	ok(same && it2.epoch == it.epoch && it2.pos == it.pos,
	    "data_next and data_gather in parts: the batches of data_batch");
	data_batcher_free(&it);
	data_batcher_free(&it2);
	data_split_free(&sp);

	/* a batch larger than the training part wraps */
	data_split(&ds, 37, 0, 1, &sp);		/* 36 train */
	data_batcher_init(&it, &ds, &sp, 1);
	{
		float xb[80 * 2];
		int32_t yb[80];
		int cnt[37] = { 0 };

		data_batch(&it, xb, yb, NULL, 80);
		for (i = 0; i < 72; i++)
			cnt[(int)xb[2 * i]]++;
		good = 1;
		for (j = 0; j < sp.ntrain; j++)
			good &= cnt[sp.train[j]] == 2;
		ok(good && it.epoch == 3, "B=80 over 36 samples: two whole "
		    "epochs, then a third begins");
	}
	data_batcher_free(&it);
	data_split_free(&sp);
	memset(&sp, 0, sizeof(sp));
	fails(data_batcher_init(&it, &ds, &sp, 1), NULL,
	    "data: no training samples", "batcher without samples");
	data_batcher_free(&it);
	data_free(&ds);
}

static void
test_standardize(void)
{
	struct cfg_data cd;
	struct dataset ds;
	struct split sp;
	uint32_t all[4] = { 0, 1, 2, 3 };
	float x[16];
	double m0, v0, m, sd;
	size_t j;
	char buf[400];

	cdinit(&cd);
	cd.standardize = 1;
	ok(loadcsv(&ds, &cd, "s.csv", "l,a,b\n0,1,5\n1,2,5\n0,3,5\n1,4,5\n")
	    == 0, "standardize csv");
	data_split(&ds, 1, 0, 1, &sp);
	/*
	 * The statistics are computed in double (a few correctly rounded
	 * operations, here on small integers) and stored as floats: one
	 * float rounding, F32_U |v|, and for 1/std a sqrt and a division in
	 * double on both sides, tol_f64(2, v).  A standardized input
	 * (v s - mean) rstd is a float sum of 2 products of rounded
	 * factors (v s and mean, times rstd): tol_f32(2, (|v s| + |mean|)
	 * rstd) = gamma_4 of that.
	 */
	is_double(ds.mean[0], 2.5, F32_U * 2.5, "mean of 1..4");
	is_double(ds.mean[1], 5, 0, "mean of a constant");
	is_double(ds.rstd[0], 1 / sqrt(1.25), F32_U / sqrt(1.25) +
	    tol_f64(2, 1 / sqrt(1.25)), "1/std, population");
	is_double(ds.rstd[1], 1, 0, "std 0 -> 1");
	data_gather(&ds, all, 4, x, NULL, NULL);
	is_double(x[0], -1.5 / sqrt(1.25), tol_f32(2, (1 + 2.5) / sqrt(1.25)),
	    "(1 - 2.5) / 1.118");
	is_double(x[6], 1.5 / sqrt(1.25), tol_f32(2, (4 + 2.5) / sqrt(1.25)),
	    "(4 - 2.5) / 1.118");
	is_double(x[1], 0, 0, "constant feature becomes 0");
	data_describe(buf, sizeof(buf), &ds, &sp);
	is_str(buf, "format=csv n=4 d=2 shape=2x1x1 task=classification "
	    "classes=2 train=4 val=0 held=0 scale=1 standardize=1",
	    "describe with a split");
	data_split_free(&sp);
	data_free(&ds);

	/* scale 2, and statistics from the training part only */
	cd.scale = 2;
	loadcsv(&ds, &cd, "s.csv", "l,a,b\n0,1,5\n1,2,5\n0,3,5\n1,4,5\n");
	data_split(&ds, 2, 0, 1, &sp);
	m0 = v0 = 0;
	for (j = 0; j < sp.ntrain; j++)
		m0 += 2.0 * (sp.train[j] + 1);
	m0 /= sp.ntrain;
	for (j = 0; j < sp.ntrain; j++)
		v0 += pow(2.0 * (sp.train[j] + 1) - m0, 2);
	v0 /= sp.ntrain;
	is_int(sp.ntrain, 2, "two training samples");
	/* as above: one float rounding of a double, then gamma_4 */
	is_double(ds.mean[0], m0, F32_U * fabs(m0),
	    "mean of the training part, scaled");
	is_double(ds.rstd[0], 1 / sqrt(v0), F32_U / sqrt(v0) +
	    tol_f64(2, 1 / sqrt(v0)), "its 1/std");
	data_gather(&ds, sp.val, 1, x, NULL, NULL);
	is_double(x[0], (2.0 * (sp.val[0] + 1) - m0) / sqrt(v0),
	    tol_f32(2, (2.0 * (sp.val[0] + 1) + fabs(m0)) / sqrt(v0)),
	    "held-out sample standardized with training statistics");
	data_split_free(&sp);
	data_free(&ds);

	/* bytes: pixel 0 of the three images is 0, 10, 5 */
	cdinit(&cd);
	snprintf(cd.images, sizeof(cd.images), "%s", path("img"));
	snprintf(cd.labels, sizeof(cd.labels), "%s", path("lab"));
	cd.standardize = 1;
	data_load(&ds, &cd, 1);
	data_split(&ds, 1, 0, 1, &sp);
	/*
	 * Integer sums, then the float scale s = 1/255 (rounded) and one
	 * float rounding: the mean 5 s and 1/std 1/(std s) against their
	 * exact values carry 2 roundings (and a few in double), within
	 * tol_f32(1, v) = gamma_3 v.  s cancels from a standardized pixel
	 * (v s - m s) / (std s): gamma_4 as above.
	 */
	is_double(ds.mean[0], 5 / 255.0, tol_f32(1, 5 / 255.0),
	    "byte mean, scaled");
	is_double(ds.rstd[0], 255 / sqrt(50 / 3.0),
	    tol_f32(1, 255 / sqrt(50 / 3.0)), "byte 1/std");
	data_gather(&ds, all, 3, x, NULL, NULL);
	is_double(x[4], (10 - 5) / sqrt(50 / 3.0),
	    tol_f32(2, (10 + 5) / sqrt(50 / 3.0)), "standardized pixel");
	m = (255 + 20 + 6) / 3.0;
	sd = sqrt((pow(255 - m, 2) + pow(20 - m, 2) + pow(6 - m, 2)) / 3);
	is_double(x[1], (255 - m) / sd, tol_f32(2, (255 + m) / sd),
	    "pixel 1 of image 0");
	data_split_free(&sp);
	data_free(&ds);
}

static void
test_synth(void)
{
	struct cfg_data cd;
	struct dataset a, b;
	double m, v, r, s;
	size_t i, j, n, cnt[4];
	int good;

	cdinit(&cd);
	cd.format = DATA_SYNTHETIC;
	cd.samples = 4000;
	cd.features = 5;
	cd.classes = 4;
	ok(data_load(&a, &cd, 42) == 0 && data_load(&b, &cd, 42) == 0,
	    "blobs");
	ok(a.n == 4000 && a.d == 5 && a.nclasses == 4 && a.shape[0] == 5,
	    "blobs: n, d, classes, shape");
	ok(memcmp(a.x, b.x, 4000 * 5 * 4) == 0 &&
	    memcmp(a.y, b.y, 4000 * 4) == 0, "blobs: same seed, same data");
	data_free(&b);
	data_load(&b, &cd, 43);
	ok(memcmp(a.x, b.x, 4000 * 5 * 4) != 0, "blobs: other seed, other");
	data_free(&b);
	/* class 1, feature 2: std 1 around a centre in [-10, 10] */
	m = v = 0;
	n = 0;
	for (i = 1; i < a.n; i += 4, n++)
		m += a.x[i * 5 + 2];
	m /= n;
	for (i = 1; i < a.n; i += 4)
		v += pow(a.x[i * 5 + 2] - m, 2);
	v /= n;
	ok(a.y[1] == 1 && a.y[6] == 2, "blobs: sample i in class i mod 4");
	/*
	 * Statistics of n = 1000 draws of N(c, 1): the mean has standard
	 * error 1/sqrt(n) = 0.032, the sample std 1/sqrt(2n) = 0.022; 4 of
	 * them (a false failure 6e-5 of seeds) is the tolerance.
	 */
	ok(fabs(m) < 10 + 4 / sqrt((double)n), "blobs: centre in the box");
	is_double(sqrt(v), 1, 4 / sqrt(2.0 * n), "blobs: cluster std 1");
	data_free(&a);

	cd.kind = SYN_SPIRALS;
	cd.samples = 300;
	cd.classes = 3;
	ok(data_load(&a, &cd, 42) == 0 && a.nclasses == 3, "spirals");
	good = 1;
	for (i = 0; i < a.n; i++) {
		r = 0;
		for (j = 0; j < a.d; j++)
			r += a.x[i * a.d + j] * a.x[i * a.d + j];
		/* coordinates of norm R in double, each rounded to float
		 * once (R u); the double work ~1e-15 R: tol_f32(1, R) */
		s = (i / 3 + 0.5) / 100;
		if (!(fabs(sqrt(r) - s) <= tol_f32(1, s)) ||
		    a.y[i] != (int)(i % 3))
			good = 0;
	}
	ok(good, "spirals: radius (i/K + 0.5)/m, embedded isometrically");
	data_load(&b, &cd, 42);
	ok(memcmp(a.x, b.x, 300 * 5 * 4) == 0, "spirals: deterministic");
	data_free(&a);
	data_free(&b);
	cd.features = 1;
	fails(data_load(&a, &cd, 1), NULL,
	    "data.features: spirals need at least 2", "spirals in 1-D");
	cd.features = 5;
	cd.task = TASK_REGRESSION;
	fails(data_load(&a, &cd, 1), NULL,
	    "data.kind: spirals makes classification data, not regression",
	    "spirals regression");

	cd.kind = SYN_LINEAR;
	cd.samples = 4000;
	ok(data_load(&a, &cd, 42) == 0 && a.nclasses == 0 && a.t != NULL &&
	    a.y == NULL, "linear regression");
	m = v = s = 0;
	for (i = 0; i < a.n; i++)
		m += a.t[i];
	m /= a.n;
	for (i = 0; i < a.n; i++)
		v += pow(a.t[i] - m, 2);
	v /= a.n;
	/* 4 standard errors of a variance of n normal draws,
	 * 1.01 sqrt(2 / n) = 0.023 */
	is_double(v, 1.01, 4 * 1.01 * sqrt(2.0 / a.n),
	    "linear: var(w.x + noise) = 1 + 0.01");
	data_load(&b, &cd, 42);
	ok(memcmp(a.t, b.t, 4000 * 4) == 0, "linear: deterministic");
	data_free(&a);
	data_free(&b);

	cd.task = TASK_CLASSIFICATION;
	cd.classes = 4;
	ok(data_load(&a, &cd, 42) == 0 && a.nclasses == 4, "linear classes");
	memset(cnt, 0, sizeof(cnt));
	for (i = 0; i < a.n; i++)
		cnt[a.y[i]]++;
	ok(cnt[0] == 1000 && cnt[1] == 1000 && cnt[2] == 1000 &&
	    cnt[3] == 1000, "linear: equal bands");
	data_free(&a);

	cd.classes = 1;
	fails(data_load(&a, &cd, 1), NULL, "data.classes: 1 is not in 2..1024",
	    "one class");
	cd.classes = 2;
	cd.samples = 0;
	fails(data_load(&a, &cd, 1), NULL, "data.samples: 0 is less than 1",
	    "no samples");
	cd.samples = 1L << 30;
	cd.features = 4;
	fails(data_load(&a, &cd, 1), NULL, "data.samples: 1073741824 samples "
	    "of 4 features are more than the 2147483648-byte limit",
	    "synthetic past the limit");
}

/* Rows wider than the 16-element blocks: every element, both paths. */
static void
test_wide(void)
{
	unsigned char img[2048], pixels[5 * 35], labels[5] = { 0, 1, 0, 1, 1 };
	unsigned long dims[3] = { 5, 5, 7 };
	uint32_t ix[6] = { 4, 0, 3, 3, 1, 2 };
	struct cfg_data cd;
	struct dataset ds;
	struct split sp;
	float x[6 * 37];
	double m, v, want;
	int32_t y[6];
	size_t i, j, r;
	int good;

	for (i = 0; i < sizeof(pixels); i++)
		pixels[i] = (i * 37 + 11) % 256;
	writefile("wide", img, idx(img, 8, 3, dims, pixels, sizeof(pixels)));
	writefile("wlab", img, idx(img, 8, 1, dims, labels, 5));
	cdinit(&cd);
	snprintf(cd.images, sizeof(cd.images), "%s", path("wide"));
	snprintf(cd.labels, sizeof(cd.labels), "%s", path("wlab"));
	cd.scale = 0.5;
	ok(data_load(&ds, &cd, 1) == 0 && ds.d == 35, "5 images of 5x7");
	data_gather(&ds, ix, 6, x, y, NULL);
	good = 1;
	/* the gather's one float product: the same bits */
	for (r = 0; r < 6; r++)
		for (j = 0; j < 35; j++)
			good &= x[r * 35 + j] == pixels[ix[r] * 35 + j] * 0.5f;
	ok(good, "35-byte rows: every element is byte * scale");
	ok(y[0] == 1 && y[1] == 0 && y[5] == 0, "their labels");
	data_free(&ds);

	cd.standardize = 1;
	data_load(&ds, &cd, 1);
	data_split(&ds, 1, 0, 1, &sp);
	data_gather(&ds, ix, 6, x, y, NULL);
	good = 1;
	for (j = 0; j < 35; j++) {
		m = v = 0;
		for (i = 0; i < 5; i++)
			m += pixels[i * 35 + j] * 0.5;
		m /= 5;
		for (i = 0; i < 5; i++)
			v += pow(pixels[i * 35 + j] * 0.5 - m, 2);
		v = sqrt(v / 5);
		/* (b s - mean) rstd: gamma_4, as in test_standardize */
		for (r = 0; r < 6; r++) {
			want = (pixels[ix[r] * 35 + j] * 0.5 - m) / v;
			if (!(fabs(x[r * 35 + j] - want) <= tol_f32(2,
			    (pixels[ix[r] * 35 + j] * 0.5 + m) / v)))
				good = 0;
		}
	}
	ok(good, "35-byte rows standardized, every element");
	data_split_free(&sp);
	data_free(&ds);

	cdinit(&cd);
	cd.format = DATA_SYNTHETIC;
	cd.samples = 40;
	cd.features = 37;
	cd.scale = 3;
	ok(data_load(&ds, &cd, 1) == 0 && ds.d == 37, "synthetic 37 wide");
	data_gather(&ds, ix, 6, x, NULL, NULL);
	good = 1;
	for (r = 0; r < 6; r++)
		for (j = 0; j < 37; j++)
			good &= x[r * 37 + j] == ds.x[ix[r] * 37 + j] * 3.0f;
	ok(good, "37-float rows: every element is value * scale");
	data_free(&ds);
}

/* The fixtures in tests/data (run from the top of the tree). */
static void
test_fixtures(void)
{
	struct cfg_data cd;
	struct dataset ds;
	char buf[400];

	if (access("tests/data/data-img.idx.gz", R_OK) != 0) {
		skip(5, "not run from the top of the tree");
		return;
	}
	cdinit(&cd);
	strcpy(cd.images, "tests/data/data-img.idx.gz");
	strcpy(cd.labels, "tests/data/data-lab.idx.gz");
	ok(data_load(&ds, &cd, 1) == 0 && ds.n == 3 &&
	    memcmp(ds.bytes, pix, 12) == 0 && ds.y[0] == 2,
	    "fixture data-img.idx.gz");
	data_free(&ds);
	strcpy(cd.images, "tests/data/data-img.idx");
	strcpy(cd.labels, "tests/data/data-lab.idx");
	ok(data_load(&ds, &cd, 1) == 0 && memcmp(ds.bytes, pix, 12) == 0,
	    "fixture data-img.idx");
	data_free(&ds);

	cdinit(&cd);
	cd.format = DATA_CSV;
	strcpy(cd.path, "tests/data/data-blobs.csv");
	strcpy(cd.label_column, "label");
	ok(data_load(&ds, &cd, 1) == 0 && ds.n == 90 && ds.d == 4,
	    "fixture data-blobs.csv");
	data_classmap(buf, sizeof(buf), &ds);
	is_str(buf, "classes=3 map=0:10,1:20,2:30", "its classes");
	data_free(&ds);
	strcpy(cd.path, "tests/data/data-reg.csv");
	strcpy(cd.label_column, "y");
	cd.task = TASK_REGRESSION;
	ok(data_load(&ds, &cd, 1) == 0 && ds.n == 50 && ds.d == 2 &&
	    ds.nclasses == 0 && ds.t[0] == 1.139f, "fixture data-reg.csv");
	data_free(&ds);
}

static void
test_fmnist(void)
{
	struct cfg_data cd;
	struct dataset ds;
	struct timespec t0, t1;
	size_t i, sum;

	if (access(FMNIST "train-images-idx3-ubyte.gz", R_OK) != 0) {
		skip(3, "no Fashion-MNIST in " FMNIST);
		return;
	}
	cdinit(&cd);
	strcpy(cd.images, FMNIST "train-images-idx3-ubyte.gz");
	strcpy(cd.labels, FMNIST "train-labels-idx1-ubyte.gz");
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ok(data_load(&ds, &cd, 1) == 0, "Fashion-MNIST loads");
	clock_gettime(CLOCK_MONOTONIC, &t1);
	diag("Fashion-MNIST train loaded in %.3f s", (t1.tv_sec - t0.tv_sec)
	    + (t1.tv_nsec - t0.tv_nsec) * 1e-9);
	ok(ds.n == 60000 && ds.d == 784 && ds.nclasses == 10 &&
	    ds.shape[0] == 1 && ds.shape[1] == 28 && ds.shape[2] == 28,
	    "Fashion-MNIST: 60000 x 1x28x28, 10 classes");
	sum = 0;
	for (i = 0; i < 784; i++)
		sum += ds.bytes[i];
	ok(ds.y[0] == 9 && ds.y[3] == 3 && sum == 76247,
	    "Fashion-MNIST: first image and labels");
	data_free(&ds);
}

/* cp src dst; 0 or -1. */
static int
copyfile(const char *src, const char *dst)
{
	char buf[4096];
	size_t n;
	FILE *in, *out;

	if ((in = fopen(src, "rb")) == NULL)
		return -1;
	if ((out = fopen(dst, "wb")) == NULL) {
		fclose(in);
		return -1;
	}
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
		fwrite(buf, 1, n, out);
	fclose(in);
	return fclose(out) == 0 ? 0 : -1;
}

/*
 * data.format: images on a folder of two classes whose names need
 * escaping on the #@ classes line: the scan's dataset, batches drawn
 * ahead in data_next's order, their floats the IDX formula of the bytes
 * img_load gives, the lookup table with mean and std, data_fill.
 */
static void
test_images(void)
{
	static const char *files[] = { "a b/rgb.png", "a b/gray.png",
	    "a b/palette.png", "c%d/rgb420.jpg", "c%d/cmyk.jpg" };
	static const char *srcs[] = { "rgb.png", "gray.png", "palette.png",
	    "rgb420.jpg", "cmyk.jpg" };
	char root[300], p[800], q[400], buf[256];
	uint8_t want[5][3 * 6 * 6];
	float x[4 * 108], vx[5 * 108];
	int32_t y[4], vy[5];
	uint32_t idx[4], ref[4], vidx[5];
	struct img_geom g;
	struct img_ctx *ctx;
	struct dataset ds;
	struct split sp;
	struct batcher it, it2;
	struct cfg c;
	size_t i, j, n, bad;
	int k, same, ok1;

	snprintf(root, sizeof(root), "%s/imgs", dir);
	mkdir(root, 0777);
	snprintf(p, sizeof(p), "%s/a b", root);
	mkdir(p, 0777);
	snprintf(p, sizeof(p), "%s/c%%d", root);
	mkdir(p, 0777);
	for (k = 0; k < 5; k++) {
		snprintf(p, sizeof(p), "tests/data/img/src/%s", srcs[k]);
		snprintf(q, sizeof(q), "%s/%s", root, files[k]);
		if (copyfile(p, q) < 0) {
			ok(0, "images: copy the fixtures");
			diag("%s", p);
			return;
		}
	}
	snprintf(q, sizeof(q), "%s/a b/notes.txt", root);
	copyfile("tests/data/img/src/rgb.png", q);

	cfg_defaults(&c);
	c.data.format = DATA_IMAGES;
	snprintf(c.data.root, sizeof(c.data.root), "%s", root);
	c.data.size[0] = 6;
	c.data.folds = 1;
	c.data.fold = 0;
	c.data.workers = 2;
	if (!ok(data_load(&ds, &c.data, 1) == 0, "images: load"))
		diag("%s", err_msg());
	ok(ds.n == 5 && ds.d == 108 && ds.shape[0] == 3 && ds.shape[1] == 6 &&
	    ds.shape[2] == 6 && ds.nclasses == 2 && ds.nignored == 1 &&
	    ds.bytes == NULL && ds.x == NULL,
	    "images: 5 files, 3x6x6, 2 classes, 1 left out, nothing decoded");
	ok(ds.y[0] == 0 && ds.y[2] == 0 && ds.y[3] == 1 && ds.y[4] == 1,
	    "images: labels by class folder");
	data_classnames(buf, sizeof(buf), &ds);
	is_str(buf, "0=a%20b 1=c%25d", "images: the class names, escaped");

	/* the bytes img_load makes, file by file in scan order */
	ctx = img_ctx_new();
	img_geom_size(&g, 3, 6, 0);
	static const int order[5] = { 1, 2, 0, 4, 3 };	/* a b: gray,
				   palette, rgb; c%d: cmyk, rgb420 */
	for (k = 0; k < 5; k++) {
		snprintf(q, sizeof(q), "%s/%s", root, files[order[k]]);
		img_load(ctx, q, &g, want[k]);
	}
	img_ctx_free(ctx);

	data_split(&ds, 1, 0, 1, &sp);
	data_batcher_init(&it, &ds, &sp, 9);
	data_batcher_init(&it2, &ds, &sp, 9);
	same = ok1 = 1;
	for (k = 0; k < 6; k++) {	/* batches straddle epochs */
		if (data_draw(&it, idx, 4) < 0) {
			ok1 = 0;
			break;
		}
		data_next(&it2, ref, 4);
		data_rows(&it, idx, 0, 2, x, y, NULL);
		data_rows(&it, idx, 2, 4, x, y, NULL);
		for (i = 0; i < 4; i++) {
			same &= idx[i] == ref[i] && y[i] == ds.y[idx[i]];
			for (j = 0; j < 108; j++)
				same &= x[i * 108 + j] ==
				    want[idx[i]][j] * ds.scale;
		}
	}
	ok(ok1 && same, "images: batches in data_next's order, x = v * scale "
	    "of img_load's bytes");
	data_batcher_free(&it);
	data_batcher_free(&it2);

	n = 5;
	for (i = 0; i < 5; i++)
		vidx[i] = (uint32_t)(4 - i);
	ok(data_fill(&ds, vidx, &n, vx, vy, NULL) == 0 && n == 5,
	    "images: data_fill");
	same = 1;
	for (i = 0; i < 5; i++)
		for (j = 0; j < 108; j++)
			same &= vx[i * 108 + j] == want[4 - i][j] * ds.scale &&
			    vy[i] == ds.y[4 - i];
	ok(same, "images: data_fill's samples, in the order asked");
	data_split_free(&sp);
	data_free(&ds);

	/* mean and std: torchvision's Normalize, through img_lut */
	c.data.mean.kind = NORM_LIST;
	c.data.mean.n = 1;
	c.data.mean.v[0] = 0.5;
	c.data.std.kind = NORM_IMAGENET;
	if (data_load(&ds, &c.data, 1) == 0 &&
	    data_split(&ds, 1, 0, 1, &sp) == 0) {
		n = 1;
		vidx[0] = 2;
		data_fill(&ds, vidx, &n, vx, NULL, NULL);
		same = 1;
		for (k = 0; k < 3; k++)
			for (j = 0; j < 36; j++)
				same &= vx[k * 36 + j] ==
				    ((float)want[2][k * 36 + j] / 255.0f -
				    0.5f) / img_imagenet_std[k];
		ok(same, "images: (v / 255 - mean) / std per channel");
		data_describe(buf, sizeof(buf), &ds, NULL);
		/* the floats in use, to 9 digits as scale= is */
		ok(strstr(buf, " mean=0.5,0.5,0.5 std=0.229000002,"
		    "0.224000007,0.224999994") != NULL,
		    "images: mean and std on the #@ data line");
		data_split_free(&sp);
	} else {
		ok(0, "images: load with mean and std");
		diag("%s", err_msg());
	}
	data_free(&ds);

	/* a broken file: an error naming it, or with skip_bad left out */
	snprintf(q, sizeof(q), "%s/c%%d/cmyk.jpg", root);
	fclose(fopen(q, "w"));
	memset(&c.data.mean, 0, sizeof(c.data.mean));
	memset(&c.data.std, 0, sizeof(c.data.std));
	data_load(&ds, &c.data, 1);
	n = 5;
	for (i = 0; i < 5; i++)
		vidx[i] = (uint32_t)i;
	ok(data_fill(&ds, vidx, &n, vx, vy, NULL) == -1,
	    "images: a broken file is an error");
	snprintf(p, sizeof(p), "%s: empty file", q);
	is_str(err_msg(), p, "  naming it");
	data_free(&ds);
	c.data.skip_bad = 1;
	data_load(&ds, &c.data, 1);
	n = 5;
	bad = ds.nbad;
	ok(data_fill(&ds, vidx, &n, vx, vy, NULL) == 0 && n == 4 &&
	    vidx[3] == 4 && ds.nbad == bad + 1,
	    "images: skip_bad leaves it out and counts it");
	is_str(ds.badmsg, p, "  with its message");
	data_free(&ds);

	for (k = 0; k < 5; k++) {
		snprintf(q, sizeof(q), "%s/%s", root, files[k]);
		unlink(q);
	}
	snprintf(q, sizeof(q), "%s/a b/notes.txt", root);
	unlink(q);
	snprintf(p, sizeof(p), "%s/a b", root);
	rmdir(p);
	snprintf(p, sizeof(p), "%s/c%%d", root);
	rmdir(p);
	rmdir(root);
}

int
main(void)
{
	const char *tmp;
	int i;

	if ((tmp = getenv("TMPDIR")) == NULL || *tmp == '\0')
		tmp = "/tmp";
	snprintf(dir, sizeof(dir), "%s/lrf-data.XXXXXX", tmp);
	if (mkdtemp(dir) == NULL) {
		printf("Bail out! cannot make %s\n", dir);
		return 1;
	}
	test_idx();
	test_idx_bad();
	test_keep();
	test_csv();
	test_csv_names();
	test_csv_columns();
	test_csv_nul();
	test_split();
	test_batch();
	test_standardize();
	test_synth();
	test_wide();
	test_fixtures();
	test_fmnist();
	test_images();
	for (i = 0; i < nmade; i++)
		unlink(made[i]);
	rmdir(dir);
	return done();
}
