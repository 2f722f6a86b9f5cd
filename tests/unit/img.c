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

#include "err.h"
#include "img.h"
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
		snprintf(name, sizeof(name), "%s: %d channel(s), Resize(%d%s%d) "
		    "CenterCrop(%d, %d), %s, within %d", src, ch, rh,
		    rw ? ", " : "", rw, h, w, mode, tol);
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

int
main(void)
{
	struct img_ctx *x;

	if ((x = img_ctx_new()) == NULL) {
		ok(0, "img_ctx_new");
		return done();
	}
	test_cases(x);
	img_ctx_free(x);
	return done();
}
