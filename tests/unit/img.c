/*
 * img.c - decoding, colour, Resize + CenterCrop against Pillow and
 * torchvision (the goldens of tests/data/img, made by mkfixtures.py),
 * the geometry, the errors, normalisation, augmentation and statistics.
 * Run from the top of the tree.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "err.h"
#include "img.h"
#include "imgdir.h"
#include "imgpool.h"
#include "rng.h"
#include "tap.h"

#define DIR	"tests/data/img"

/* The whole file path into a malloc'd buffer (*n bytes); NULL if absent. */
static uint8_t *
slurp(const char *path, size_t *n)
{
	FILE *fp;
	uint8_t *b;
	long len;

	if ((fp = fopen(path, "rb")) == NULL)
		return NULL;
	fseek(fp, 0, SEEK_END);
	len = ftell(fp);
	rewind(fp);
	b = malloc(len > 0 ? (size_t)len : 1);
	*n = fread(b, 1, (size_t)len, fp);
	fclose(fp);
	return b;
}

/* Every case of cases.tsv: decode, compare with the golden. */
static void
test_cases(struct img_ctx *x)
{
	char line[1024], src[256], mode[16], gold[256], path[512], name[600];
	struct img_geom g;
	uint8_t *want, *got;
	size_t n, i, nwant, bad;
	int ch, rh, rw, h, w, tol, d, maxd, ncase;
	FILE *fp;

	if ((fp = fopen(DIR "/cases.tsv", "r")) == NULL) {
		ok(0, "open " DIR "/cases.tsv");
		return;
	}
	ncase = 0;
	while (fgets(line, sizeof(line), fp) != NULL) {
		if (line[0] == '#')
			continue;
		if (sscanf(line, "%255s %d %d %d %d %d %15s %255s %d", src, &ch,
		    &rh, &rw, &h, &w, mode, gold, &tol) != 9) {
			ok(0, "a line of cases.tsv");
			continue;
		}
		ncase++;
		memset(&g, 0, sizeof(g));
		g.channels = ch;
		g.resize_h = rh;
		g.resize_w = rw;
		g.h = h;
		g.w = w;
		g.flags = strcmp(mode, "full") == 0 ? IMG_NOSCALE : 0;
		n = (size_t)ch * h * w;
		snprintf(path, sizeof(path), DIR "/golden/%s", gold);
		want = slurp(path, &nwant);
		got = malloc(n);
		snprintf(path, sizeof(path), DIR "/src/%s", src);
		snprintf(name, sizeof(name), "%s: %d channel(s), "
		    "Resize(%d%s%d) CenterCrop(%d, %d), %s, within %d", src,
		    ch, rh, rw ? ", " : "", rw, h, w, mode, tol);
		if (want == NULL || nwant != n) {
			ok(0, name);
			diag("golden %s: %s", gold, want == NULL ? "missing" :
			    "wrong size");
		} else if (img_load(x, path, &g, got) < 0) {
			ok(0, name);
			diag("%s", img_ctx_msg(x));
		} else {
			maxd = 0;
			bad = 0;
			for (i = 0; i < n; i++) {
				d = abs((int)got[i] - (int)want[i]);
				if (d > maxd)
					maxd = d;
				if (d)
					bad++;
			}
			if (!ok(maxd <= tol, name) || bad)
				diag("%s: %zu of %zu values differ, by at most "
				    "%d", src, bad, n, maxd);
		}
		free(want);
		free(got);
	}
	fclose(fp);
	ok(ncase >= 80, "cases.tsv has 80 cases or more");
}

static int
spit(const char *path, const void *b, size_t n)
{
	FILE *fp;
	int r;

	if ((fp = fopen(path, "wb")) == NULL)
		return -1;
	r = fwrite(b, 1, n, fp) == n ? 0 : -1;
	return fclose(fp) == 0 ? r : -1;
}

static uint32_t
be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

static void
put32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

/* A tiny PNG: signature, IHDR (w, h, 8-bit RGB), one IDAT of the zlib
 * stream z (nz bytes), IEND; CRCs right.  Into b; its length. */
static size_t
png(uint8_t *b, uint32_t w, uint32_t h, const uint8_t *z, size_t nz);

/* Offsets of the SOF and SOS markers of a JPEG, by its segment lengths. */
static void
jpeg_marks(const uint8_t *b, size_t n, size_t *sof, size_t *sos)
{
	size_t p;

	*sof = *sos = 0;
	for (p = 2; p + 4 <= n && b[p] == 0xff; p += 2 + (b[p + 2] << 8 |
	    b[p + 3])) {
		if (b[p + 1] == 0xc0 || b[p + 1] == 0xc2)
			*sof = p;
		if (b[p + 1] == 0xda) {
			*sos = p;
			return;
		}
	}
}

/*
 * Every way a file can be bad, with its message; and after each, the
 * same context still decodes a good image to its golden.
 */
static void
test_errors(struct img_ctx *x, const char *tmp)
{
	static const uint8_t gif[] = "GIF89a\1\0\1\0\200\0\0";
	static uint8_t b[1 << 16];
	uint8_t *jpg, *pn, *want, out[3 * 17 * 11], big[3 * 23 * 23];
	size_t nj, np, nw, sof, sos, n, i;
	struct img_geom g, gg;
	char path[512], msg[1024];
	int good;
	static const struct {
		const char *file, *msg, *name;
	} c[] = {
		{ "empty.jpg", "empty file", "an empty file" },
		{ "cut1000.jpg", "truncated JPEG (Premature end of JPEG "
		    "file)", "a JPEG cut in its data" },
		{ "cut100.jpg", "truncated JPEG (no image before the end of "
		    "the data)", "a JPEG cut in its header" },
		{ "cut2.jpg", "truncated JPEG (2 bytes)", "a JPEG of two "
		    "bytes" },
		{ "sos.jpg", "truncated JPEG (Premature end of JPEG file)",
		    "a JPEG without entropy data" },
		{ "w0.jpg", "corrupt JPEG (Empty JPEG image (DNL not "
		    "supported))", "a JPEG of width 0" },
		{ "huge.jpg", "image too large (65000 x 65000 pixels, at most "
		    "178956970)", "a JPEG of 65000 x 65000" },
		{ "ncomp.jpg", "corrupt JPEG (Bogus marker length)", "a JPEG "
		    "whose frame header lies" },
		{ "cut300.png", "truncated PNG (end of stream)", "a PNG cut in "
		    "its data" },
		{ "cut5.png", "truncated PNG (5 bytes)", "a PNG of five "
		    "bytes" },
		{ "crc.png", "corrupt PNG (invalid chunk checksum)", "a PNG "
		    "with a bad header CRC" },
		{ "zlib.png", "corrupt PNG (invalid scanline filter)", "a PNG "
		    "with corrupt image data" },
		{ "w0.png", "corrupt PNG (invalid image width)", "a PNG of "
		    "width 0" },
		{ "huge.png", "image too large (60000 x 60000 pixels, at most "
		    "178956970)", "a PNG of 60000 x 60000" },
		{ "bomb.png", "truncated PNG (10000 x 10000 pixels cannot be "
		    "in 65 bytes)", "a PNG that claims more than it holds" },
		{ "x.gif", "a GIF image, not JPEG or PNG", "a GIF named .gif" },
		{ "gif.jpg", "a GIF image, not JPEG or PNG", "a GIF named "
		    ".jpg" },
		{ "text.png", "not a JPEG or PNG image", "a text file" },
		{ "dir.jpg", "Is a directory", "a folder" },
		{ "missing.jpg", "No such file or directory", "a missing "
		    "file" },
	};

	jpg = slurp(DIR "/src/big.jpg", &nj);
	pn = slurp(DIR "/src/big.png", &np);
	want = slurp(DIR "/golden/rgb-png.c3.raw", &nw);
	if (jpg == NULL || pn == NULL || want == NULL || nj > sizeof(b) ||
	    np > sizeof(b) || nw != sizeof(out)) {
		ok(0, "fixtures for the errors");
		return;
	}
	jpeg_marks(jpg, nj, &sof, &sos);
	ok(sof > 0 && sos > sof, "big.jpg: frame and scan headers found");
#define PATH(f) (snprintf(path, sizeof(path), "%s/%s", tmp, f), path)
	spit(PATH("empty.jpg"), "", 0);
	spit(PATH("cut1000.jpg"), jpg, 1000);
	spit(PATH("cut100.jpg"), jpg, 100);
	spit(PATH("cut2.jpg"), jpg, 2);
	spit(PATH("sos.jpg"), jpg, sos + 14);
	memcpy(b, jpg, nj);
	b[sof + 7] = b[sof + 8] = 0;
	spit(PATH("w0.jpg"), b, nj);
	memcpy(b, jpg, nj);
	b[sof + 5] = b[sof + 7] = 0xfd;
	b[sof + 6] = b[sof + 8] = 0xe8;
	spit(PATH("huge.jpg"), b, nj);
	memcpy(b, jpg, nj);
	b[sof + 9] = 7;
	spit(PATH("ncomp.jpg"), b, nj);
	/* entropy data scrambled (no 0xff made): libjpeg warns and
	 * decodes; kept, as Pillow keeps it */
	memcpy(b, jpg, nj);
	for (i = sos + 40; i < sos + 200; i++)
		b[i] = (uint8_t)((b[i] * 7 + 3) & 0x7f);
	spit(PATH("scrambled.jpg"), b, nj);
	spit(PATH("cut300.png"), pn, 300);
	spit(PATH("cut5.png"), pn, 5);
	memcpy(b, pn, np);
	b[29] ^= 1;			/* the IHDR's CRC */
	spit(PATH("crc.png"), b, np);
	memcpy(b, pn, np);
	for (i = 0; i < np - 8; i++)	/* the first IDAT's data */
		if (memcmp(b + i + 4, "IDAT", 4) == 0)
			break;
	b[i + 8 + 2] ^= 0xff;
	{
		/* right CRC for the damaged chunk: only zlib sees it */
		put32(b + i + 8 + be32(b + i), (uint32_t)crc32(0, b + i + 4,
		    be32(b + i) + 4));
	}
	spit(PATH("zlib.png"), b, np);
	{
		static const uint8_t z[] = { 0x78, 0x9c, 0x03, 0x00, 0x00,
		    0x00, 0x00, 0x01 };	/* zlib of nothing */

		n = png(b, 0, 5, z, sizeof(z));
		spit(PATH("w0.png"), b, n);
		n = png(b, 60000, 60000, z, sizeof(z));
		spit(PATH("huge.png"), b, n);
		n = png(b, 10000, 10000, z, sizeof(z));
		spit(PATH("bomb.png"), b, n);
	}
	spit(PATH("x.gif"), gif, sizeof(gif) - 1);
	spit(PATH("gif.jpg"), gif, sizeof(gif) - 1);
	spit(PATH("text.png"), "hello, world\n", 13);
	mkdir(PATH("dir.jpg"), 0777);

	img_geom_size(&g, 3, 11, 17);
	img_geom_size(&gg, 3, 23, 0);
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		memset(big, 0xaa, sizeof(big));
		snprintf(msg, sizeof(msg), "%s/%s: %s", tmp, c[i].file,
		    c[i].msg);
		ok(img_load(x, PATH(c[i].file), &gg, big) < 0, c[i].name);
		is_str(img_ctx_msg(x), msg, "  its message");
		for (good = 1, n = 0; n < sizeof(big); n++)
			if (big[n] != 0)
				good = 0;
		/* the context is sound after it */
		memset(out, 0, sizeof(out));
		ok(good && img_load(x, DIR "/src/rgb.png", &g, out) == 0 &&
		    memcmp(out, want, sizeof(out)) == 0 &&
		    img_load(x, DIR "/src/big.jpg", &gg, big) == 0,
		    "  output zeroed; a good PNG and JPEG decode after it");
	}
	ok(img_load(x, PATH("scrambled.jpg"), &gg, big) == 0 &&
	    img_ctx_msg(x)[0] == '\0', "a JPEG with scrambled entropy data "
	    "decodes (libjpeg's warning, as in Pillow)");
	ok(img_decode(x, "\xff\xd8\xff", 3, "mem", &gg, big) < 0,
	    "img_decode: 3 bytes of JPEG");
	is_str(img_ctx_msg(x), "mem: truncated JPEG (no image before the end "
	    "of the data)", "  its message names what it was given");
	free(jpg);
	free(pn);
	free(want);
#undef PATH
}

static size_t
png(uint8_t *b, uint32_t w, uint32_t h, const uint8_t *z, size_t nz)
{
	static const uint8_t sig[8] = { 0x89, 'P', 'N', 'G', 13, 10, 26, 10 };
	size_t n;

	memcpy(b, sig, 8);
	n = 8;
	put32(b + n, 13);
	memcpy(b + n + 4, "IHDR", 4);
	put32(b + n + 8, w);
	put32(b + n + 12, h);
	b[n + 16] = 8;
	b[n + 17] = 2;
	b[n + 18] = b[n + 19] = b[n + 20] = 0;
	put32(b + n + 21, (uint32_t)crc32(0, b + n + 4, 17));
	n += 25;
	put32(b + n, (uint32_t)nz);
	memcpy(b + n + 4, "IDAT", 4);
	memcpy(b + n + 8, z, nz);
	put32(b + n + 8 + nz, (uint32_t)crc32(0, b + n + 4,
	    (unsigned)nz + 4));
	n += 12 + nz;
	put32(b + n, 0);
	memcpy(b + n + 4, "IEND", 4);
	put32(b + n + 8, (uint32_t)crc32(0, b + n + 4, 4));
	return n + 12;
}

/* torchvision's Resize output size and CenterCrop offsets (geom.tsv). */
static void
test_geom(void)
{
	char line[512];
	struct img_geom g;
	long h, w, rh, rw, ch, cw, wrh, wrw, wt, wl, grh, grw, gt, gl;
	int n, bad;
	FILE *fp;

	if ((fp = fopen(DIR "/geom.tsv", "r")) == NULL) {
		ok(0, "open geom.tsv");
		return;
	}
	n = bad = 0;
	while (fgets(line, sizeof(line), fp) != NULL) {
		if (line[0] == '#')
			continue;
		if (sscanf(line, "%ld %ld %ld %ld %ld %ld %ld %ld %ld %ld", &h,
		    &w, &rh, &rw, &ch, &cw, &wrh, &wrw, &wt, &wl) != 10)
			continue;
		n++;
		memset(&g, 0, sizeof(g));
		g.channels = 3;
		g.resize_h = (int)rh;
		g.resize_w = (int)rw;
		g.h = (int)ch;
		g.w = (int)cw;
		img_resized(&g, h, w, &grh, &grw);
		img_cropbox(&g, grh, grw, &gt, &gl);
		if (grh != wrh || grw != wrw || gt != wt || gl != wl) {
			bad++;
			diag("%ld x %ld, Resize(%ld, %ld), CenterCrop(%ld, "
			    "%ld): got %ld x %ld at %ld, %ld; want %ld x %ld "
			    "at %ld, %ld", h, w, rh, rw, ch, cw, grh, grw, gt,
			    gl, wrh, wrw, wt, wl);
		}
	}
	fclose(fp);
	ok(n >= 20 && bad == 0, "Resize sizes and CenterCrop offsets are "
	    "torchvision's (geom.tsv: half to even, zero padding)");

	img_geom_size(&g, 3, 224, 0);
	ok(g.resize_h == 224 && g.resize_w == 0 && g.h == 224 && g.w == 224,
	    "img_geom_size(224): Resize(224), CenterCrop(224)");
	img_geom_size(&g, 1, 32, 48);
	ok(g.resize_h == 32 && g.resize_w == 48 && g.h == 32 && g.w == 48 &&
	    g.channels == 1, "img_geom_size(32, 48): Resize([32, 48])");
	ok(img_geom_check(&g) == 0, "img_geom_check: a good one");
	g.channels = 4;
	ok(img_geom_check(&g) < 0, "img_geom_check: 4 channels");
	is_str(err_msg(), "data.channels: 4, expected 1 (gray) or 3 (RGB)",
	    "  its message");
	img_geom_size(&g, 3, 0, 0);
	ok(img_geom_check(&g) < 0, "img_geom_check: size 0");
	is_str(err_msg(), "data.size: sides must be 1..16384", "  its message");
	img_geom_size(&g, 3, 20000, 0);
	ok(img_geom_check(&g) < 0, "img_geom_check: size 20000");
}

/* The DCT-scaled goldens differ from the full ones: the dct cases of
 * cases.tsv do check that the decoder scales. */
static void
test_dct_differs(void)
{
	uint8_t *a, *b;
	size_t na, nb, i, nd;

	a = slurp(DIR "/golden/big-jpg-full-r17-c17.c3.raw", &na);
	b = slurp(DIR "/golden/big-jpg-dct-r17-c17.c3.raw", &nb);
	nd = 0;
	for (i = 0; a != NULL && b != NULL && i < na && i < nb; i++)
		nd += a[i] != b[i];
	ok(a != NULL && b != NULL && na == nb && nd > na / 4,
	    "draft-scaled and full decodes differ (most values): the dct "
	    "cases would fail without the scaling");
	diag("%zu of %zu values differ", nd, na);
	free(a);
	free(b);
}

/* ToTensor + Normalize(ImageNet) bit for bit (norm.tsv). */
static void
test_lut(void)
{
	float lut[3 * 256], f;
	unsigned c, v, bits;
	char line[128];
	int n, bad;
	FILE *fp;

	img_lut(lut, 3, img_imagenet_mean, img_imagenet_std);
	if ((fp = fopen(DIR "/norm.tsv", "r")) == NULL) {
		ok(0, "open norm.tsv");
		return;
	}
	n = bad = 0;
	while (fgets(line, sizeof(line), fp) != NULL) {
		if (line[0] == '#' || sscanf(line, "%u %u %x", &c, &v,
		    &bits) != 3 || c > 2 || v > 255)
			continue;
		memcpy(&f, &bits, sizeof(f));
		n++;
		if (memcmp(&lut[c * 256 + v], &f, sizeof(f)) != 0 && bad++ == 0)
			diag("channel %u byte %u: got %.9g, want %.9g", c, v,
			    lut[c * 256 + v], f);
	}
	fclose(fp);
	ok(n == 768 && bad == 0, "img_lut: torchvision's ToTensor + "
	    "Normalize(ImageNet), all 768 values bit for bit");
}

static void
test_augment(void)
{
	/* (2, 3, 4): channel 0 is 1..12, channel 1 is 101..112 */
	uint8_t src[24], dst[24], ref[24];
	static const uint8_t want[24] = {
		/* pad 1, window at row 0, column 2, mirrored: out(y, x) =
		 * in(y - 1, (3 - x) + 1) */
		0, 0, 0, 0,
		0, 4, 3, 2,
		0, 8, 7, 6,
		0, 0, 0, 0,
		0, 104, 103, 102,
		0, 108, 107, 106,
	};
	struct rng g, g2;
	int i, cnt[3][3], flips, good, dy, dx, m;

	for (i = 0; i < 12; i++) {
		src[i] = (uint8_t)(i + 1);
		src[12 + i] = (uint8_t)(101 + i);
	}
	img_padcrop(dst, src, 2, 3, 4, 1, 0, 2, 1);
	ok(memcmp(dst, want, 24) == 0, "img_padcrop: pad 1, offset (0, 2), "
	    "mirrored");
	img_padcrop(dst, src, 2, 3, 4, 1, 1, 1, 0);
	ok(memcmp(dst, src, 24) == 0, "img_padcrop: the centre window is "
	    "the sample");
	img_padcrop(dst, src, 2, 3, 4, 0, 0, 0, 1);
	good = 1;
	for (i = 0; i < 24; i++)
		if (dst[i] != src[(i / 4) * 4 + 3 - i % 4])
			good = 0;
	ok(good, "img_padcrop: no pad, mirrored: each row reversed");

	/* the draws: uniform offsets 0..2, flips half the time, and the
	 * same stream as the documented draws */
	rng_seed(&g, 7);
	rng_seed(&g2, 7);
	memset(cnt, 0, sizeof(cnt));
	flips = 0;
	good = 1;
	for (i = 0; i < 3000; i++) {
		img_augment(dst, src, 2, 3, 4, 1, 1, &g);
		dy = (int)rng_below(&g2, 3);
		dx = (int)rng_below(&g2, 3);
		m = (int)(rng_next(&g2) >> 63);
		img_padcrop(ref, src, 2, 3, 4, 1, dy, dx, m);
		if (memcmp(dst, ref, 24) != 0)
			good = 0;
		cnt[dy][dx]++;
		flips += m;
	}
	ok(good, "img_augment: the documented draws, in order");
	good = 1;
	for (dy = 0; dy < 3; dy++)
		for (dx = 0; dx < 3; dx++)
			/* 3000 / 9 = 333, binomial sd 17.6: 5 sd */
			if (cnt[dy][dx] < 245 || cnt[dy][dx] > 421)
				good = 0;
	ok(good && flips > 1400 && flips < 1600, "img_augment: offsets "
	    "uniform, half flipped (within 5 sd)");
	rng_seed(&g, 7);
	img_augment(dst, src, 2, 3, 4, 0, 0, &g);
	rng_seed(&g2, 7);
	ok(memcmp(dst, src, 24) == 0 && rng_next(&g) == rng_next(&g2),
	    "img_augment: off draws nothing, copies");
}

static void
test_stats(void)
{
	struct img_stats s, t;
	uint8_t im[2 * 1000];
	double mean[3], sd[3], m, v, x;
	struct rng g;
	int i, c;

	img_stats_init(&s, 2);
	for (i = 0; i < 1000; i++) {
		im[i] = i % 2 ? 255 : 0;	/* mean 1/2, sd 1/2 */
		im[1000 + i] = 51;		/* 0.2, sd 0 */
	}
	img_stats_add(&s, im, 1000);
	img_stats_get(&s, mean, sd);
	ok(mean[0] == 0.5 && sd[0] == 0.5 && fabs(mean[1] - 0.2) < 1e-15 &&
	    sd[1] == 0, "img_stats: 0/255 alternating: 0.5, 0.5; "
	    "constant 51: 0.2, 0");
	/* random bytes against a two-pass double computation; the sums are
	 * exact, so the order of adding does not matter */
	rng_seed(&g, 3);
	img_stats_init(&s, 2);
	img_stats_init(&t, 2);
	for (i = 0; i < 2000; i++)
		im[i] = (uint8_t)(rng_next(&g) >> 56);
	img_stats_add(&s, im, 500);
	img_stats_add(&t, im + 1000, 500);
	img_stats_merge(&s, &t);
	{
		uint8_t re[2000];

		/* the same values as one sample of 1000 per channel */
		memcpy(re, im, 500);
		memcpy(re + 500, im + 1000, 500);
		memcpy(re + 1000, im + 500, 500);
		memcpy(re + 1500, im + 1500, 500);
		img_stats_init(&t, 2);
		img_stats_add(&t, re, 1000);
		img_stats_get(&s, mean, sd);
		for (c = 0; c < 2; c++) {
			m = v = 0;
			for (i = 0; i < 1000; i++)
				m += re[c * 1000 + i] / 255.0;
			m /= 1000;
			for (i = 0; i < 1000; i++) {
				x = re[c * 1000 + i] / 255.0 - m;
				v += x * x;
			}
			v = sqrt(v / 1000);
			/* 1000 terms of at most 1: a few hundred eps */
			is_double(mean[c], m, 1e-13, "img_stats: mean of "
			    "random bytes (merged shares)");
			is_double(sd[c], v, 1e-12, "img_stats: std of random "
			    "bytes");
		}
		ok(s.n == t.n && memcmp(s.sum, t.sum, sizeof(s.sum)) == 0 &&
		    memcmp(s.sum2, t.sum2, sizeof(s.sum2)) == 0,
		    "img_stats: merged shares give the same sums as one pass");
	}
}

/*
 * The prefetch pool: every image, bad flag and message the same as a
 * plain img_load loop, for 0 to 4 threads and several batches queued.
 */
static void
test_pool(const char *tmp)
{
	static const char *files[] = {
		"rgb.png", "rgba.png", "la.png", "palette.png", "gray.png",
		"gray1.png", "gray2.png", "gray16.png", "rgb16.png",
		"rgba16.png", "interlaced.png", "rgb444.jpg", "rgb420.jpg",
		"rgb422.jpg", "gray.jpg", "cmyk.jpg", "progressive.jpg",
		"big.jpg", "big.png", "png-named.jpg",
	};
	char cmd[2048], path[600];
	struct imgdir d;
	struct imgpool *p;
	struct img_geom g;
	struct img_ctx *x;
	uint8_t *ref, *out, refbad[64], bad[64];
	uint32_t order[64];
	char refmsg[64][IMG_MSGMAX];
	struct rng rg;
	size_t i, n, sample, nb, k, nbt, head, wantbad;
	const char *first;
	int t, good, q, r, B;

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(cmd, sizeof(cmd), "mkdir -p '%s/pool/c%zu' && cp "
		    DIR "/src/%s '%s/pool/c%zu/'", tmp, i % 3, files[i], tmp,
		    i % 3);
		if (system(cmd) != 0)
			diag("cannot copy %s", files[i]);
	}
	snprintf(cmd, sizeof(cmd), "cp %s/cut1000.jpg %s/pool/c0/ && cp "
	    "%s/empty.jpg %s/pool/c2/ && cp %s/x.gif %s/pool/c1/gif.png", tmp,
	    tmp, tmp, tmp, tmp, tmp);
	if (system(cmd) != 0)
		diag("cannot copy the bad files");
	snprintf(path, sizeof(path), "%s/pool", tmp);
	if (imgdir_scan(&d, path) < 0) {
		ok(0, "scan the pool's folder");
		diag("%s", err_msg());
		return;
	}
	n = d.n;
	is_int((long)n, 23, "pool: 23 files (3 bad)");
	img_geom_size(&g, 3, 9, 0);
	sample = (size_t)3 * 9 * 9;
	ref = calloc(n, sample);
	out = calloc(n, sample);
	x = img_ctx_new();
	for (i = 0; i < n; i++) {
		imgdir_fullpath(&d, i, path, sizeof(path));
		refbad[i] = img_load(x, path, &g, ref + i * sample) < 0;
		snprintf(refmsg[i], IMG_MSGMAX, "%s", img_ctx_msg(x));
	}
	img_ctx_free(x);
	rng_seed(&rg, 11);
	for (i = 0; i < n; i++)
		order[i] = (uint32_t)i;
	rng_shuffle(&rg, order, n);
	B = 4;
	for (t = 0; t <= 4; t++) {
		if ((p = imgpool_create(&d, &g, t)) == NULL) {
			ok(0, "imgpool_create");
			diag("%s", err_msg());
			continue;
		}
		memset(out, 0x55, n * sample);
		memset(bad, 0x55, sizeof(bad));
		good = 1;
		/* batches of B in shuffled order, 3 queued ahead; each
		 * wait's count and message are its batch's first bad */
		for (k = q = 0, head = 0; k < n || q > 0; ) {
			while (k < n && q < 3) {
				nb = n - k < (size_t)B ? n - k : (size_t)B;
				if (imgpool_submit(p, order + k, nb,
				    out + k * sample, bad + k) < 0)
					good = 0;
				k += nb;
				q++;
			}
			nb = n - head < (size_t)B ? n - head : (size_t)B;
			wantbad = 0;
			first = NULL;
			for (i = head; i < head + nb; i++)
				if (refbad[order[i]]) {
					if (wantbad++ == 0)
						first = refmsg[order[i]];
				}
			err_clear();
			r = imgpool_wait(p, &nbt);
			if (nbt != wantbad || (r < 0) != (wantbad > 0) ||
			    (first != NULL && strcmp(err_msg(), first) != 0)) {
				good = 0;
				diag("batch at %zu: %zu bad, '%s'", head, nbt,
				    err_msg());
			}
			head += nb;
			q--;
		}
		for (i = 0; i < n; i++) {
			if (memcmp(out + i * sample, ref + order[i] * sample,
			    sample) != 0 || bad[i] != refbad[order[i]])
				good = 0;
		}
		snprintf(cmd, sizeof(cmd), "pool: %d thread(s): every sample "
		    "and bad flag as a plain img_load", t);
		ok(good, cmd);
		imgpool_free(p);
	}
	/* the edges */
	p = imgpool_create(&d, &g, 2);
	ok(p != NULL && imgpool_wait(p, &nbt) < 0, "pool: wait with nothing "
	    "submitted fails");
	is_str(err_msg(), "no batch was submitted", "  its message");
	order[0] = (uint32_t)n;
	ok(imgpool_submit(p, order, 1, out, NULL) < 0, "pool: an index past "
	    "the files");
	is_str(err_msg(), "image index 23 is past the 23 files",
	    "  its message");
	for (i = 0; i < n; i++)
		order[i] = (uint32_t)i;
	free(out);
	out = calloc((size_t)IMGPOOL_QUEUE * n, sample);
	for (good = 1, i = 0; i < IMGPOOL_QUEUE; i++)
		if (imgpool_submit(p, order, n, out + i * n * sample, NULL) < 0)
			good = 0;
	ok(good && imgpool_submit(p, order, 1, out, NULL) < 0,
	    "pool: 16 batches queue, the 17th fails");
	is_str(err_msg(), "16 batches queued already", "  its message");
	ok(imgpool_wait(p, &nbt) < 0 && nbt == 3, "pool: the first of them "
	    "done, 3 bad");
	/* freeing with 15 batches queued must not hang: under a 10 s alarm
	 * (which kills the test if it does), the time left */
	alarm(10);
	imgpool_free(p);
	ok(alarm(0) > 0, "pool: freed with 15 batches queued (no hang)");
	ok(imgpool_create(&d, &g, -1) == NULL, "pool: -1 threads refused");
	is_str(err_msg(), "-1 decoding threads, expected 0..256",
	    "  its message");
	g.channels = 2;
	ok(imgpool_create(&d, &g, 1) == NULL, "pool: a bad geometry "
	    "refused");
	free(ref);
	free(out);
	imgdir_free(&d);
}

int
main(void)
{
	struct img_ctx *x;
	char tmp[256];
	const char *t;

	if ((x = img_ctx_new()) == NULL) {
		ok(0, "img_ctx_new");
		return done();
	}
	t = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	snprintf(tmp, sizeof(tmp), "%s/lrf-img.XXXXXX", t);
	if (mkdtemp(tmp) == NULL) {
		ok(0, "mkdtemp");
		return done();
	}
	test_cases(x);
	test_errors(x, tmp);
	img_ctx_free(x);
	test_geom();
	test_dct_differs();
	test_lut();
	test_augment();
	test_stats();
	test_pool(tmp);
	{
		char cmd[400];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
		if (system(cmd) != 0)
			diag("could not remove %s", tmp);
	}
	return done();
}
