/*
 * fuzz_wfile - the weights-file loader (lib/wfile.c): wfile_load of any
 * bytes into a small net (dense 5->4 relu, dropout, dense 4->3), whole
 * and partial.  A failed load leaves the net as it was and sets one
 * "path: what" message.  A whole load that succeeds read a canonical
 * file: wfile_save writes the same bytes back.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "net.h"
#include "wfile.h"
#include "fuzz.h"

static struct net net;
static float *orig;		/* (net.nparam) the initial parameters */
static char dir[] = "/tmp/lrf-fuzz-wfile.XXXXXX", out[64];

static void
setup(void)
{
	struct cfg_model m;

	memset(&m, 0, sizeof(m));
	m.loss = LOSS_CE;
	m.init = INIT_HE;
	m.layers[0].type = LAYER_DENSE;
	m.layers[0].units = 4;
	m.layers[0].activation = ACT_RELU;
	m.layers[0].lr_mult = 1;
	m.layers[1].type = LAYER_DROPOUT;
	m.layers[1].rate = 0.5;
	m.layers[1].lr_mult = 1;
	m.layers[2].type = LAYER_DENSE;
	m.layers[2].units = 3;
	m.layers[2].lr_mult = 1;
	m.nlayers = 3;
	if (net_create(&net, &m, NULL, 5, NULL, 3, TASK_CLASSIFICATION, 2,
	    1) < 0 || (orig = malloc(net.nparam * sizeof(float))) == NULL ||
	    mkdtemp(dir) == NULL) {
		fprintf(stderr, "fuzz_wfile: setup: %s\n", err_msg());
		abort();
	}
	memcpy(orig, net.param, net.nparam * sizeof(float));
	snprintf(out, sizeof(out), "%s/w.lrfw", dir);
}

static void
cleanup(void)
{
	unlink(out);
	rmdir(dir);
}

/* The file at out equals data[0..size-1]. */
static int
same_file(const uint8_t *data, size_t size)
{
	unsigned char buf[4096];
	FILE *fp;
	size_t k, off;
	int same;

	if ((fp = fopen(out, "rb")) == NULL)
		return 0;
	same = 1;
	off = 0;
	while (same && (k = fread(buf, 1, sizeof(buf), fp)) > 0) {
		same = off + k <= size && memcmp(buf, data + off, k) == 0;
		off += k;
	}
	fclose(fp);
	return same && off == size;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path;
	int loaded[8], r, l;

	if (orig == NULL) {
		setup();
		atexit(cleanup);
	}
	path = fuzz_file(0, data, size);

	memcpy(net.param, orig, net.nparam * sizeof(float));
	err_clear();
	r = wfile_load(&net, path, 0, NULL);
	if (r < 0) {
		fuzz_assert(fuzz_msg_ok(path));
		fuzz_assert(memcmp(net.param, orig,
		    net.nparam * sizeof(float)) == 0);
	} else {
		fuzz_assert(r == 2);
		fuzz_assert(wfile_save(&net, out) == 0);
		fuzz_assert(same_file(data, size));
	}

	memcpy(net.param, orig, net.nparam * sizeof(float));
	for (l = 0; l < 8; l++)
		loaded[l] = -1;
	err_clear();
	r = wfile_load(&net, path, 1, loaded);
	if (r < 0) {
		fuzz_assert(fuzz_msg_ok(path));
		fuzz_assert(memcmp(net.param, orig,
		    net.nparam * sizeof(float)) == 0);
		fuzz_assert(loaded[0] == -1);
	} else {
		fuzz_assert(r >= 0 && r <= 2);
		fuzz_assert(r == loaded[0] + loaded[1] + loaded[2]);
		fuzz_assert(loaded[1] == 0 && loaded[3] == -1);
	}
	return 0;
}
