/* Unit tests for the weights file (lib/wfile.c). */
#include <sys/resource.h>
#include <sys/stat.h>

#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "err.h"
#include "net.h"
#include "tap.h"
#include "wfile.h"

static char dir[] = "/tmp/lrf-wfile.XXXXXX";
static char path[256];

static void
mlp(struct cfg_model *m, long hidden, int dropout, long out)
{
	memset(m, 0, sizeof *m);
	m->loss = LOSS_CE;
	m->init = INIT_HE;
	m->layers[m->nlayers].type = LAYER_DENSE;
	m->layers[m->nlayers].units = hidden;
	m->layers[m->nlayers].activation = ACT_RELU;
	m->layers[m->nlayers++].lr_mult = 1;
	if (dropout) {
		m->layers[m->nlayers].type = LAYER_DROPOUT;
		m->layers[m->nlayers].rate = 0.5;
		m->layers[m->nlayers++].lr_mult = 1;
	}
	m->layers[m->nlayers].type = LAYER_DENSE;
	m->layers[m->nlayers].units = out;
	m->layers[m->nlayers++].lr_mult = 1;
}

static struct net *
newnet(long hidden, int dropout, long out, uint64_t seed)
{
	static struct net nets[8];
	static int k;
	struct cfg_model m;
	struct net *n;

	n = &nets[k++ % 8];
	net_free(n);
	mlp(&m, hidden, dropout, out);
	if (net_create(n, &m, NULL, 5, NULL, out, TASK_CLASSIFICATION, 2,
	    seed) == -1)
		diag("net_create: %s", err_msg());
	return n;
}

static long
readall(const char *p, unsigned char *buf, long cap)
{
	FILE *fp;
	long n;

	if ((fp = fopen(p, "rb")) == NULL)
		return -1;
	n = (long)fread(buf, 1, cap, fp);
	fclose(fp);
	return n;
}

static void
writeall(const char *p, const unsigned char *buf, long n)
{
	FILE *fp;

	fp = fopen(p, "wb");
	fwrite(buf, 1, n, fp);
	fclose(fp);
}

static int
same_params(const struct net *a, const struct net *b)
{
	return a->nparam == b->nparam &&
	    memcmp(a->param, b->param, a->nparam * sizeof(float)) == 0;
}

/* Load bytes written to a file into a fresh 5-4-3 net: the error (or
 * "ok") and whether the net kept its weights. */
static const char *
load_bytes(const unsigned char *buf, long n, int *kept)
{
	struct net *a, *b;
	static char msg[512];
	char p[300];

	snprintf(p, sizeof p, "%s/bytes.lrfw", dir);
	writeall(p, buf, n);
	a = newnet(4, 0, 3, 77);
	b = newnet(4, 0, 3, 77);
	err_clear();
	if (wfile_load(a, p, 0, NULL) == -1)
		snprintf(msg, sizeof msg, "%s", err_msg());
	else
		snprintf(msg, sizeof msg, "ok");
	*kept = same_params(a, b);
	return msg;
}

static void
le32(unsigned char *b, uint32_t v)
{
	b[0] = v & 0xff;
	b[1] = (v >> 8) & 0xff;
	b[2] = (v >> 16) & 0xff;
	b[3] = (v >> 24) & 0xff;
}

/* Rewrite the trailing CRC so that an edit is not caught by it. */
static void
recrc(unsigned char *buf, long n)
{
	le32(buf + n - 4, (uint32_t)crc32(crc32(0, Z_NULL, 0), buf, n - 4));
}

static int
count_files(void)
{
	struct dirent *e;
	DIR *d;
	int n;

	n = 0;
	d = opendir(dir);
	while ((e = readdir(d)) != NULL)
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

/* A small CNN: conv 3 3x3 same, batchnorm, maxpool, conv 2 3x3 (bias
 * as asked), flatten, dense out; input 1x6x6. */
static int
cnn(struct net *n, long f1, int bias2, int bn, long out, uint64_t seed)
{
	const long sh[3] = { 1, 6, 6 };
	struct cfg_model m;
	struct cfg_layer *c;

	memset(&m, 0, sizeof m);
	m.loss = LOSS_CE;
	m.init = INIT_HE;
	c = &m.layers[m.nlayers++];
	c->type = LAYER_CONV2D, c->filters = f1, c->kernel = 3;
	c->stride = 1, c->padding = -1, c->bias = 1, c->lr_mult = 1;
	c->activation = ACT_RELU;
	c = &m.layers[m.nlayers++];
	if (bn) {
		c->type = LAYER_BATCHNORM, c->lr_mult = 1;
	} else {
		c->type = LAYER_CONV2D, c->filters = f1, c->kernel = 1;
		c->stride = 1, c->bias = 1, c->lr_mult = 1;
	}
	c = &m.layers[m.nlayers++];
	c->type = LAYER_MAXPOOL2D, c->kernel = 2, c->stride = 2;
	c = &m.layers[m.nlayers++];
	c->type = LAYER_CONV2D, c->filters = 2, c->kernel = 3;
	c->stride = 1, c->padding = 1, c->bias = bias2, c->lr_mult = 1;
	c = &m.layers[m.nlayers++];
	c->type = LAYER_FLATTEN;
	c = &m.layers[m.nlayers++];
	c->type = LAYER_DENSE, c->units = out, c->lr_mult = 1;
	if (net_create(n, &m, NULL, 36, sh, out, TASK_CLASSIFICATION, 4,
	    seed) == -1) {
		diag("net_create: %s", err_msg());
		return -1;
	}
	return 0;
}

/* Weights files of a CNN: conv2d and batchnorm layers, running stats. */
static void
test_cnn(void)
{
	static unsigned char buf[8192];
	struct net a, b, c;
	float x[4 * 36], l1[12];
	int y[4] = { 0, 1, 2, 0 }, loaded[6], i, good;
	char p[300], want[600];
	long size, expect;

	snprintf(p, sizeof p, "%s/cnn.lrfw", dir);
	for (i = 0; i < 4 * 36; i++)
		x[i] = (float)((i * 37) % 11) / 11;
	cnn(&a, 3, 0, 1, 3, 1);
	net_forward(&a, x, y, NULL, 4, 1);	/* running stats move */
	net_forward(&a, x, NULL, NULL, 4, 0);
	memcpy(l1, a.logits, sizeof l1);
	is_int(wfile_save(&a, p), 0, "CNN: save");
	cnn(&b, 3, 0, 1, 3, 2);
	is_int(wfile_load(&b, p, 0, loaded), 4, "CNN: 4 layers with tensors "
	    "read");
	ok(same_params(&a, &b), "CNN: the same weights, bit for bit");
	ok(b.nstate == 6 && memcmp(a.state, b.state, 6 * sizeof(float)) ==
	    0 && b.layer[1].rvar[0] != 1, "CNN: the running statistics too");
	ok(loaded[0] && loaded[1] && !loaded[2] && loaded[3] && !loaded[4] &&
	    loaded[5], "CNN: conv, batchnorm, conv, dense loaded");
	/* the same weights, shapes and threads in one process: the same
	 * sgemm calls and order, so the same bits */
	net_forward(&b, x, NULL, NULL, 4, 0);
	ok(memcmp(l1, b.logits, sizeof l1) == 0, "CNN: the loaded net "
	    "evaluates to the same logits");

	/*
	 * layout: header 12; conv1: 8 + (4 + 16 + 27*4) + (4 + 4 + 3*4);
	 * batchnorm1: 8 + 4 * (4 + 4 + 3*4); conv2 (no bias): 8 + 4 + 16 +
	 * 54*4; dense1: 8 + (4 + 8 + 3*18*4) + (4 + 4 + 3*4); crc 4
	 */
	size = readall(p, buf, sizeof buf);
	expect = 12 + (8 + 128 + 20) + (8 + 80) + (8 + 236) +
	    (8 + 228 + 20) + 4;
	is_int(size, expect, "CNN: file size as the format says");
	ok(memcmp(buf + 8, "\4\0\0\0\2\0\0\0\2\0\0\0\4\0\0\0\3\0\0\0\1\0\0\0"
	    "\3\0\0\0\3\0\0\0", 32) == 0, "CNN: 4 layers; conv2d, 2 tensors, "
	    "weight 3x1x3x3");
	ok(memcmp(buf + 12 + 156, "\3\0\0\0\4\0\0\0\1\0\0\0\3\0\0\0", 16) ==
	    0, "CNN: batchnorm, 4 tensors of 3");
	{
		float rm, rv;

		memcpy(&rm, buf + 12 + 156 + 8 + 2 * 20 + 8, 4);
		memcpy(&rv, buf + 12 + 156 + 8 + 3 * 20 + 8, 4);
		ok(rm == a.layer[1].rmean[0] && rv == a.layer[1].rvar[0],
		    "CNN: running_mean and running_var are the 3rd and 4th");
	}
	ok(memcmp(buf + 12 + 156 + 88, "\2\0\0\0\1\0\0\0\4\0\0\0\2\0\0\0\3\0"
	    "\0\0\3\0\0\0\3\0\0\0", 28) == 0, "CNN: conv2d without bias: "
	    "1 tensor, 2x3x3x3");

	/* mismatches: a clear message, nothing changed */
	cnn(&c, 4, 0, 1, 3, 2);
	snprintf(want, sizeof want, "%s: layer 1 (conv1): weight is 3x1x3x3, "
	    "the model wants 4x1x3x3", p);
	wfile_load(&c, p, 0, NULL);
	is_str(err_msg(), want, "CNN: conv filters differ");
	net_free(&c);
	cnn(&c, 3, 1, 1, 3, 2);
	snprintf(want, sizeof want, "%s: layer 4 (conv2): 1 tensors, the "
	    "model has 2", p);
	wfile_load(&c, p, 0, NULL);
	is_str(err_msg(), want, "CNN: a conv2d with a bias");
	net_free(&c);
	cnn(&c, 3, 0, 0, 3, 2);
	snprintf(want, sizeof want, "%s: layer 2 (conv2): the file has a "
	    "batchnorm layer here", p);
	is_int(wfile_load(&c, p, 0, NULL), -1, "CNN: conv for batchnorm: "
	    "error");
	is_str(err_msg(), want, "CNN: conv for batchnorm: message");
	net_free(&c);

	/* a new head: partial load keeps it, loads the rest */
	cnn(&c, 3, 0, 1, 5, 2);
	is_int(wfile_load(&c, p, 1, loaded), 3, "CNN, new head: 3 layers "
	    "read");
	good = memcmp(c.param, a.param, c.layer[5].poff * sizeof(float)) ==
	    0 && memcmp(c.state, a.state, 6 * sizeof(float)) == 0 &&
	    !loaded[5];
	ok(good, "CNN, new head: convolutions, batchnorm and its running "
	    "statistics from the file");
	net_free(&c);
	net_free(&a);
	net_free(&b);
}

int
main(void)
{
	static unsigned char buf[4096], buf2[4096], bad[4096];
	struct net *a, *b;
	struct rlimit rl, old;
	struct stat st;
	char want[600], p2[300];
	long size, i, expect;
	int loaded[4], kept, good, rc;
	float f;

	plan(65);
	if (mkdtemp(dir) == NULL)
		return 1;
	snprintf(path, sizeof path, "%s/model.lrfw", dir);
	umask(022);

	/* round trip */
	a = newnet(4, 0, 3, 1);
	b = newnet(4, 0, 3, 2);
	ok(!same_params(a, b), "two seeds, two nets");
	is_int(wfile_save(a, path), 0, "save");
	is_int(wfile_load(b, path, 0, NULL), 2, "load: 2 layers read");
	ok(same_params(a, b), "round trip: the same weights, bit for bit");
	ok(stat(path, &st) == 0 && (st.st_mode & 0777) == 0644,
	    "the file is 0666 less the umask");
	is_int(count_files(), 1, "no temporary file left");

	/* the layout: 12 + 2 * (8 + 4 + 4*ndim + 4*count) + 4 */
	size = readall(path, buf, sizeof buf);
	expect = 12 + (8 + 4 + 8 + 4 * 20 + 4 + 4 + 4 * 4) +
	    (8 + 4 + 8 + 4 * 12 + 4 + 4 + 4 * 3) + 4;
	is_int(size, expect, "file size as the format says");
	ok(memcmp(buf, "LRFW\1\0\0\0\2\0\0\0", 12) == 0,
	    "magic, version 1, 2 layers");
	ok(memcmp(buf + 12, "\1\0\0\0\2\0\0\0\2\0\0\0\4\0\0\0\5\0\0\0", 20) ==
	    0, "dense, 2 tensors, weight 4x5");
	memcpy(&f, buf + 32, 4);	/* a little-endian host */
	ok(f == a->layer[0].w[0], "first float is W[0][0]");
	ok(memcmp(buf + 32 + 80, "\1\0\0\0\4\0\0\0", 8) == 0,
	    "bias: 1 dimension of 4");
	ok((uint32_t)crc32(crc32(0, Z_NULL, 0), buf, size - 4) ==
	    ((uint32_t)buf[size - 4] | (uint32_t)buf[size - 3] << 8 |
	    (uint32_t)buf[size - 2] << 16 | (uint32_t)buf[size - 1] << 24),
	    "the last 4 bytes are the CRC-32 of the rest");

	/* saving again replaces the file */
	b = newnet(4, 0, 3, 3);
	is_int(wfile_save(b, path), 0, "save over an old file");
	size = readall(path, buf2, sizeof buf2);
	ok(size == expect && memcmp(buf, buf2, size) != 0,
	    "the old file is replaced");
	writeall(path, buf, size);

	/* broken files: a clear message, the net untouched */
	memcpy(bad, buf, size);
	bad[0] = 'X';
	snprintf(want, sizeof want, "%s/bytes.lrfw: not an lrf weights file",
	    dir);
	is_str(load_bytes(bad, size, &kept), want, "wrong magic");
	ok(kept, "wrong magic: weights kept");
	is_str(load_bytes(bad, 0, &kept), want, "empty file");

	memcpy(bad, buf, size);
	bad[4] = 2;
	recrc(bad, size);
	snprintf(want, sizeof want, "%s/bytes.lrfw: format version 2, this "
	    "lrf reads version 1", dir);
	is_str(load_bytes(bad, size, &kept), want, "version 2");

	memcpy(bad, buf, size);
	bad[40] ^= 0x10;
	snprintf(want, sizeof want, "%s/bytes.lrfw: checksum mismatch: the "
	    "file is corrupt", dir);
	is_str(load_bytes(bad, size, &kept), want, "one bit flipped");
	ok(kept, "bad checksum: weights kept");

	snprintf(want, sizeof want, "%s/bytes.lrfw: truncated at byte %ld",
	    dir, size - 10);
	is_str(load_bytes(buf, size - 10, &kept), want, "truncated");
	snprintf(want, sizeof want, "%s/bytes.lrfw: truncated at byte 8", dir);
	is_str(load_bytes(buf, 8, &kept), want, "truncated in the header");
	good = 1;
	for (i = 0; i < size; i++) {
		load_bytes(buf, i, &kept);
		good &= kept && strstr(err_msg(), i < 4 ?
		    "not an lrf weights file" : "truncated") != NULL;
	}
	ok(good, "every truncation is an error, the weights kept");

	memcpy(bad, buf, size);
	bad[size] = 0;
	snprintf(want, sizeof want, "%s/bytes.lrfw: byte %ld: data after the "
	    "checksum", dir, size);
	is_str(load_bytes(bad, size + 1, &kept), want, "trailing garbage");

	/* a dimension claiming 2^31 floats: no allocation, an error */
	memcpy(bad, buf, size);
	le32(bad + 24, 0x7fffffff);
	recrc(bad, size);
	snprintf(want, sizeof want, "%s/bytes.lrfw: layer 1 (dense1): weight "
	    "is 2147483647x5, the model wants 4x5", dir);
	is_str(load_bytes(bad, size, &kept), want, "huge shape: mismatch");
	snprintf(p2, sizeof p2, "%s/bytes.lrfw", dir);
	a = newnet(4, 0, 3, 1);
	wfile_load(a, p2, 1, NULL);
	snprintf(want, sizeof want, "%s/bytes.lrfw: truncated at byte %ld",
	    dir, size);
	is_str(err_msg(), want, "huge shape, partial: read to the end");
	le32(bad + 28, 0x7fffffff);
	recrc(bad, size);
	snprintf(want, sizeof want, "%s/bytes.lrfw: byte 28: bad tensor size",
	    dir);
	is_str(load_bytes(bad, size, &kept), want, "2^62 floats claimed");
	le32(bad + 24, 0);
	recrc(bad, size);
	snprintf(want, sizeof want, "%s/bytes.lrfw: byte 24: bad tensor size",
	    dir);
	is_str(load_bytes(bad, size, &kept), want, "a dimension of 0");

	/* shapes that differ from the model's */
	b = newnet(6, 0, 3, 2);
	snprintf(want, sizeof want, "%s: layer 1 (dense1): weight is 4x5, "
	    "the model wants 6x5", path);
	is_int(wfile_load(b, path, 0, NULL), -1, "wrong shape: error");
	is_str(err_msg(), want, "wrong shape: names the first mismatch");
	b = newnet(4, 0, 2, 2);
	snprintf(want, sizeof want, "%s: layer 2 (dense2): weight is 3x4, "
	    "the model wants 2x4", path);
	wfile_load(b, path, 0, NULL);
	is_str(err_msg(), want, "wrong shape in layer 2");

	/* partial: the matching layers only */
	a = newnet(4, 0, 3, 1);
	b = newnet(4, 0, 2, 5);
	{
		struct net *c = newnet(4, 0, 2, 5);

		rc = wfile_load(b, path, 1, loaded);
		is_int(rc, 1, "partial: 1 layer read");
		ok(loaded[0] == 1 && loaded[1] == 0, "partial: which layers");
		ok(memcmp(b->layer[0].w, a->layer[0].w, 24 * 4) == 0 &&
		    memcmp(b->layer[1].w, c->layer[1].w, 10 * 4) == 0,
		    "partial: layer 1 from the file, layer 2 as it was");
	}

	/* a dropout layer does not change what the file fits */
	b = newnet(4, 1, 3, 9);
	is_int(wfile_load(b, path, 0, loaded), 2, "dropout added: loads");
	ok(loaded[0] && !loaded[1] && loaded[2], "dropout added: loaded[]");
	ok(memcmp(b->layer[2].w, a->layer[1].w, 12 * 4) == 0,
	    "dropout added: the last layer's weights");

	/* layer count */
	{
		struct cfg_model m;
		struct net c;

		mlp(&m, 4, 0, 3);
		m.layers[2] = m.layers[1];
		m.layers[1].units = 4;
		m.nlayers = 3;
		net_create(&c, &m, NULL, 5, NULL, 3, TASK_CLASSIFICATION, 2, 1);
		snprintf(want, sizeof want, "%s: 2 layers with weights, the "
		    "model has 3", path);
		wfile_load(&c, path, 0, NULL);
		is_str(err_msg(), want, "layer count differs");
		is_int(wfile_load(&c, path, 1, loaded), 1,
		    "layer count differs: partial reads the first");
		net_free(&c);
	}

	snprintf(p2, sizeof p2, "%s/none.lrfw", dir);
	snprintf(want, sizeof want, "%s: No such file or directory", p2);
	wfile_load(b, p2, 0, NULL);
	is_str(err_msg(), want, "missing file");

	/* write errors */
	a = newnet(4, 0, 3, 1);
	is_int(wfile_save(a, "/dev/full"), -1, "/dev/full: error");
	is_str(err_msg(), "/dev/full: No space left on device",
	    "/dev/full: message");
	ok(stat("/dev/full", &st) == 0 && S_ISCHR(st.st_mode),
	    "/dev/full: still the device");
	snprintf(p2, sizeof p2, "%s/no/such/dir.lrfw", dir);
	is_int(wfile_save(a, p2), -1, "missing directory: error");

	/* a failing write (file size limit) leaves the old file intact */
	b = newnet(40, 0, 3, 1);	/* bigger than the limit */
	getrlimit(RLIMIT_FSIZE, &old);
	rl = old;
	rl.rlim_cur = 300;
	signal(SIGXFSZ, SIG_IGN);
	setrlimit(RLIMIT_FSIZE, &rl);
	rc = wfile_save(b, path);
	setrlimit(RLIMIT_FSIZE, &old);
	is_int(rc, -1, "file size limit: save fails");
	snprintf(want, sizeof want, "%s: File too large", path);
	is_str(err_msg(), want, "file size limit: message");
	size = readall(path, buf2, sizeof buf2);
	ok(size == expect && memcmp(buf, buf2, size) == 0,
	    "failed save: the old file intact");
	is_int(count_files(), 2, "failed save: no temporary left");

	test_cnn();

	/* clean up */
	{
		struct dirent *e;
		DIR *d;

		d = opendir(dir);
		while ((e = readdir(d)) != NULL)
			if (e->d_name[0] != '.') {
				snprintf(p2, sizeof p2, "%s/%s", dir,
				    e->d_name);
				unlink(p2);
			}
		closedir(d);
		rmdir(dir);
	}
	return done();
}
