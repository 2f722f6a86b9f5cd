/*
 * Unit tests for safetensors files (lib/st.c, lib/stnet.c): conversions,
 * files PyTorch wrote (tests/data/st-*.safetensors, made by
 * tests/data/st-gen.py), the Rust writer's bytes, round trips, every
 * validation error, name matching, lrf's nets; and, when /usr/bin/python3
 * has torch and torchvision, torchvision's resnet18 through
 * examples/torch/{export,load}_safetensors.py.  Run from the top of the
 * tree (as make check does).
 */
#include <sys/resource.h>
#include <sys/stat.h>

#include <dirent.h>
#include <fcntl.h>
#include <float.h>
#include <math.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "err.h"
#include "net.h"
#include "st.h"
#include "tap.h"
#include "wfile.h"

static char dir[] = "/tmp/lrf-st.XXXXXX";

/* dir/name, in one of 4 rotating buffers */
static const char *
P(const char *name)
{
	static char buf[4][300];
	static int k;

	k = (k + 1) % 4;
	snprintf(buf[k], sizeof buf[k], "%s/%s", dir, name);
	return buf[k];
}

static uint32_t
fbits(float x)
{
	uint32_t u;

	memcpy(&u, &x, sizeof u);
	return u;
}

static float
bitsf(uint32_t u)
{
	float x;

	memcpy(&x, &u, sizeof x);
	return x;
}

static void
writeall(const char *p, const void *buf, size_t n)
{
	FILE *fp;

	if ((fp = fopen(p, "wb")) == NULL)
		return;
	fwrite(buf, 1, n, fp);
	fclose(fp);
}

static long
readall(const char *p, unsigned char *buf, long cap)
{
	FILE *fp;
	long n;

	if ((fp = fopen(p, "rb")) == NULL)
		return -1;
	n = (long)fread(buf, 1, (size_t)cap, fp);
	fclose(fp);
	return n;
}

static void
le64(unsigned char *b, uint64_t v)
{
	int i;

	for (i = 0; i < 8; i++)
		b[i] = (unsigned char)(v >> (8 * i));
}

/*
 * dir/h.safetensors: the header hdr (its length as N), then ndata data
 * bytes 0, 1, 2, ...  Returns the path.
 */
static const char *
mkfile(const char *hdr, size_t ndata)
{
	static unsigned char buf[1 << 16];
	size_t len, i;

	len = strlen(hdr);
	le64(buf, len);
	memcpy(buf + 8, hdr, len);
	for (i = 0; i < ndata; i++)
		buf[8 + len + i] = (unsigned char)i;
	writeall(P("h.safetensors"), buf, 8 + len + ndata);
	return P("h.safetensors");
}

/* st_open's verdict on path: "ok", or the message without "path: ". */
static const char *
verdict(const char *path)
{
	static char msg[1200];
	struct st_file f;
	size_t n;

	err_clear();
	if (st_open(&f, path) == 0) {
		st_close(&f);
		return "ok";
	}
	n = strlen(path);
	if (strncmp(err_msg(), path, n) == 0 && strncmp(err_msg() + n, ": ",
	    2) == 0)
		snprintf(msg, sizeof msg, "%s", err_msg() + n + 2);
	else
		snprintf(msg, sizeof msg, "(no path) %s", err_msg());
	return msg;
}

/* A header and data: st_open says want. */
static void
bad(const char *hdr, size_t ndata, const char *want, const char *name)
{
	is_str(verdict(mkfile(hdr, ndata)), want, name);
}

/* An F16 value from its definition, for the exhaustive check. */
static uint32_t
f16_ref(uint16_t h)
{
	int e, m;
	float x;

	e = (h >> 10) & 0x1f;
	m = h & 0x3ff;
	if (e == 0)
		x = ldexpf((float)m, -24);
	else if (e < 31)
		x = ldexpf((float)(1024 + m), e - 25);
	else
		x = m == 0 ? INFINITY : NAN;
	if (h & 0x8000)
		x = -x;
	return fbits(x);
}

static void
test_convert(void)
{
	static uint16_t h[65536];
	static float y[65536];
	uint32_t want, got;
	int i, good, nan_ok;

	for (i = 0; i < 65536; i++)
		h[i] = (uint16_t)i;
	st_f16_to_f32(y, h, 65536);
	good = nan_ok = 1;
	for (i = 0; i < 65536; i++) {
		got = fbits(y[i]);
		if ((i & 0x7c00) == 0x7c00 && (i & 0x3ff) != 0)	/* NaN */
			nan_ok &= got == ((uint32_t)(i & 0x8000) << 16 |
			    0x7fc00000 | (uint32_t)(i & 0x3ff) << 13);
		else if ((want = f16_ref((uint16_t)i)) != got) {
			if (good)
				diag("F16 %04x: %08x, want %08x", i,
				    (unsigned)got, (unsigned)want);
			good = 0;
		}
	}
	ok(good, "F16: all 63488 numbers (and +-inf) are m 2^(e-25), as "
	    "ldexpf computes them, bit for bit");
	ok(nan_ok, "F16: all 2046 NaNs keep sign and payload, come out quiet");
	is_int(fbits(y[0x0001]), 0x33800000, "F16 0x0001: the smallest "
	    "subnormal is 2^-24");
	is_int(fbits(y[0x03ff]), 0x387fc000, "F16 0x03ff: the largest "
	    "subnormal is 2^-14 - 2^-24");
	is_int(fbits(y[0x0400]), 0x38800000, "F16 0x0400: 2^-14");
	ok(y[0x7bff] == 65504 && y[0xfbff] == -65504, "F16 0x7bff: 65504");
	ok(y[0x7c00] == INFINITY && y[0xfc00] == -INFINITY, "F16: +-inf");
	is_int(fbits(y[0x8000]), 0x80000000, "F16 0x8000: -0");
	is_int(fbits(y[0x7c01]), 0x7fc02000, "F16 0x7c01, a signalling NaN: "
	    "quiet, its payload kept");
	ok(y[0x3c00] == 1 && y[0x3555] == 0x1.554p-2f, "F16: 1, and 1/3 "
	    "rounded");

	st_bf16_to_f32(y, h, 65536);
	good = 1;
	for (i = 0; i < 65536; i++)
		good &= fbits(y[i]) == (uint32_t)i << 16;
	ok(good, "BF16: all 65536 are the top half of a float, bit for bit");
	ok(y[0x0001] == ldexpf(1, -133) && y[0x0001] != 0, "BF16 0x0001: "
	    "2^-133, a float subnormal");
	is_int(fbits(y[0x7f81]), 0x7f810000, "BF16 0x7f81: a signalling NaN "
	    "as it is (as torch)");
	ok(y[0x7f80] == INFINITY && y[0xff80] == -INFINITY, "BF16: +-inf");
}

/* The fixture PyTorch wrote: every tensor, dtype, value. */
static void
test_torch_fixture(void)
{
	static const char *const order[] = { "lin.weight", "lin.bias",
	    "half.values", "half.float", "bf16.values", "bf16.float",
	    "bn.num_batches_tracked", "empty", "scalar" };
	const char *path = "tests/data/st-torch.safetensors";
	struct st_file f;
	struct st_tensor *t;
	float w[15], b[3], v[22], ref[22], s;
	char want[300];
	int i, good;

	if (!ok(st_open(&f, path) == 0, "st-torch.safetensors (torch's "
	    "bytes): opens")) {
		diag("%s", err_msg());
		return;
	}
	is_int(f.ntensor, 9, "torch fixture: 9 tensors");
	good = 1;
	for (i = 0; i < 9 && i < f.ntensor; i++)
		good &= strcmp(f.tensor[i].name, order[i]) == 0;
	ok(good, "torch fixture: in the header's order");
	is_int(f.hlen, 664, "torch fixture: the header is 664 bytes, padded "
	    "to 8");
	is_int(f.size, 8 + 664 + 324, "torch fixture: 324 bytes of data");
	is_int(f.nmeta, 2, "torch fixture: 2 metadata");
	is_str(st_meta(&f, "format"), "pt", "__metadata__ format");
	is_str(st_meta(&f, "made_by"), "tests/data/st-gen.py",
	    "__metadata__ made_by");
	ok(st_meta(&f, "none") == NULL, "no such metadata: NULL");

	t = &f.tensor[st_find(&f, "lin.weight")];
	ok(t->dtype == ST_F32 && t->ndim == 2 && t->dim[0] == 3 &&
	    t->dim[1] == 5 && t->n == 15 && t->begin == 0 && t->end == 60,
	    "lin.weight: F32 3x5 at [0, 60)");
	is_int(st_read(&f, st_find(&f, "lin.weight"), w), 0, "read "
	    "lin.weight");
	good = 1;
	for (i = 0; i < 15; i++)
		good &= fbits(w[i]) == fbits((float)i / 7 - 1);
	ok(good, "lin.weight: torch's arange(15) / 7 - 1, bit for bit");
	st_read(&f, st_find(&f, "lin.bias"), b);
	ok(fbits(b[0]) == 0x80000000 && b[1] == -1.0f / 3 &&
	    b[2] == -2.0f / 3, "lin.bias: -0, -1/3, -2/3");

	i = st_find(&f, "half.values");
	ok(i >= 0 && f.tensor[i].dtype == ST_F16 && f.tensor[i].n == 22,
	    "half.values: F16, 22 values");
	st_read(&f, i, v);
	st_read(&f, st_find(&f, "half.float"), ref);
	good = 1;
	for (i = 0; i < 22; i++)
		good &= fbits(v[i]) == fbits(ref[i]);
	ok(good, "F16 edge values (subnormals, 65504, inf, NaNs with "
	    "payloads): torch's .float(), bit for bit");
	ok(v[4] == 0x1p-24f && v[6] == 0x1p-14f - 0x1p-24f && v[8] == 65504 &&
	    v[14] == INFINITY && isnan(v[17]), "F16: 2^-24, 2^-14 - 2^-24, "
	    "65504, 1e5 rounded to inf, NaN");

	i = st_find(&f, "bf16.values");
	ok(i >= 0 && f.tensor[i].dtype == ST_BF16 && f.tensor[i].n == 18,
	    "bf16.values: BF16, 18 values");
	st_read(&f, i, v);
	st_read(&f, st_find(&f, "bf16.float"), ref);
	good = 1;
	for (i = 0; i < 18; i++)
		good &= fbits(v[i]) == fbits(ref[i]);
	ok(good, "BF16 edge values (subnormals, the largest, inf, NaNs, a "
	    "signalling one): torch's .float(), bit for bit");
	ok(v[4] == 0x1p-133f && v[7] == 0x1.fep127f, "BF16: 2^-133, "
	    "(2 - 2^-7) 2^127");

	i = st_find(&f, "bn.num_batches_tracked");
	ok(i >= 0 && f.tensor[i].dtype == ST_I64 && f.tensor[i].ndim == 0 &&
	    f.tensor[i].n == 1 && f.tensor[i].end - f.tensor[i].begin == 8,
	    "num_batches_tracked: an I64 scalar, 8 bytes");
	snprintf(want, sizeof want, "%s: tensor 'bn.num_batches_tracked': "
	    "dtype I64 cannot be read as float32", path);
	is_int(st_read(&f, i, v), -1, "I64 as float32: error");
	is_str(err_msg(), want, "I64 as float32: message");
	i = st_find(&f, "empty");
	ok(i >= 0 && f.tensor[i].ndim == 2 && f.tensor[i].dim[0] == 0 &&
	    f.tensor[i].n == 0 && f.tensor[i].begin == f.tensor[i].end,
	    "empty: 0x3, no bytes");
	is_int(st_read(&f, i, NULL), 0, "empty: reads nothing");
	i = st_find(&f, "scalar");
	s = 0;
	ok(i >= 0 && f.tensor[i].ndim == 0 && st_read(&f, i, &s) == 0 &&
	    s == 2.5f, "scalar: F32 [], 2.5");
	ok(st_find(&f, "lin") == -1 && st_find(&f, "") == -1 &&
	    st_find(&f, "scalars") == -1, "st_find: no such tensor, -1");
	st_close(&f);
	st_close(&f);
	ok(f.tensor == NULL && f.ntensor == 0 && f.path == NULL,
	    "st_close twice: the second finds nothing to free");
}

/* The bytes the Rust safetensors writes (its own tests' vectors). */
static void
test_rust_bytes(void)
{
	static const unsigned char attn[] = {
	    64, 0, 0, 0, 0, 0, 0, 0, 123, 34, 97, 116, 116, 110, 46, 48, 34,
	    58, 123, 34, 100, 116, 121, 112, 101, 34, 58, 34, 70, 51, 50, 34,
	    44, 34, 115, 104, 97, 112, 101, 34, 58, 91, 49, 44, 50, 44, 51,
	    93, 44, 34, 100, 97, 116, 97, 95, 111, 102, 102, 115, 101, 116,
	    115, 34, 58, 91, 48, 44, 50, 52, 93, 125, 125, 0, 0, 0, 0, 0, 0,
	    128, 63, 0, 0, 0, 64, 0, 0, 64, 64, 0, 0, 128, 64, 0, 0, 160, 64 };
	static const unsigned char attn0[] = {
	    72, 0, 0, 0, 0, 0, 0, 0, 123, 34, 97, 116, 116, 110, 48, 34, 58,
	    123, 34, 100, 116, 121, 112, 101, 34, 58, 34, 70, 51, 50, 34, 44,
	    34, 115, 104, 97, 112, 101, 34, 58, 91, 49, 44, 49, 44, 50, 44,
	    51, 93, 44, 34, 100, 97, 116, 97, 95, 111, 102, 102, 115, 101,
	    116, 115, 34, 58, 91, 48, 44, 50, 52, 93, 125, 125, 32, 32, 32,
	    32, 32, 32, 32, 0, 0, 0, 0, 0, 0, 128, 63, 0, 0, 0, 64, 0, 0, 64,
	    64, 0, 0, 128, 64, 0, 0, 160, 64 };
	static const unsigned char empty[] = {
	    8, 0, 0, 0, 0, 0, 0, 0, 123, 125, 32, 32, 32, 32, 32, 32 };
	static const unsigned char meta[] = {
	    40, 0, 0, 0, 0, 0, 0, 0, 123, 34, 95, 95, 109, 101, 116, 97, 100,
	    97, 116, 97, 95, 95, 34, 58, 123, 34, 102, 114, 97, 109, 101,
	    119, 111, 114, 107, 34, 58, 34, 112, 116, 34, 125, 125, 32, 32,
	    32, 32, 32 };
	static const char *const fw[] = { "framework", "pt" };
	unsigned char buf[256];
	float x[6] = { 0, 1, 2, 3, 4, 5 }, y[6];
	struct st_item it = { "attn.0", 3, { 1, 2, 3 }, x, 0, 0 };
	struct st_file f;
	long n;

	is_int(st_save(P("a.safetensors"), &it, 1, NULL, 0), 0, "save "
	    "attn.0");
	n = readall(P("a.safetensors"), buf, sizeof buf);
	ok(n == sizeof attn && memcmp(buf, attn, sizeof attn) == 0,
	    "attn.0 1x2x3: the Rust writer's 96 bytes (a 64-byte header, "
	    "no padding)");
	it.name = "attn0";
	it.ndim = 4;
	it.dim[0] = it.dim[1] = 1, it.dim[2] = 2, it.dim[3] = 3;
	st_save(P("a.safetensors"), &it, 1, NULL, 0);
	n = readall(P("a.safetensors"), buf, sizeof buf);
	ok(n == sizeof attn0 && memcmp(buf, attn0, sizeof attn0) == 0,
	    "attn0 1x1x2x3: the Rust writer's bytes, 7 blanks of padding");
	ok(st_open(&f, P("a.safetensors")) == 0 && f.ntensor == 1 &&
	    f.hlen == 72 && st_read(&f, 0, y) == 0 &&
	    memcmp(x, y, sizeof x) == 0, "attn0: read back");
	st_close(&f);
	st_save(P("a.safetensors"), NULL, 0, NULL, 0);
	n = readall(P("a.safetensors"), buf, sizeof buf);
	ok(n == sizeof empty && memcmp(buf, empty, sizeof empty) == 0,
	    "no tensors: {} and 6 blanks, as the Rust writer");
	st_save(P("a.safetensors"), NULL, 0, fw, 1);
	n = readall(P("a.safetensors"), buf, sizeof buf);
	ok(n == sizeof meta && memcmp(buf, meta, sizeof meta) == 0,
	    "only __metadata__ {framework: pt}: the Rust writer's bytes");
	ok(st_open(&f, P("a.safetensors")) == 0 && f.ntensor == 0 &&
	    f.nmeta == 1 && strcmp(st_meta(&f, "framework"), "pt") == 0,
	    "... read back");
	st_close(&f);
}

static int
count_files(void)
{
	struct dirent *e;
	DIR *d;
	int n;

	n = 0;
	if ((d = opendir(dir)) == NULL)
		return -1;
	while ((e = readdir(d)) != NULL)
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

static void
rm_all(void)
{
	struct dirent *e;
	DIR *d;
	char p[600];

	if ((d = opendir(dir)) == NULL)
		return;
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.') {
			snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
			unlink(p);
		}
	closedir(d);
}

/* Round trips through st_save and st_open, and st_save's errors. */
static void
test_roundtrip(void)
{
	static float a[1000], c[7], got[1000];
	static unsigned char buf[8192], buf2[8192];
	float s = -3.25f, e0 = 0;
	struct st_item it[6];
	struct st_file f;
	struct rlimit rl, old;
	struct stat sb;
	static const char *const meta[] = { "format", "pt", "lrf.note",
	    "é \"quoted\"\n" };
	static const char *const dupmeta[] = { "k", "1", "k", "2" };
	static const char *const badmeta[] = { "k", "\xff" };
	char want[600];
	uint32_t u;
	long n, size;
	int i, good, rc;

	/* every float pattern class: NaNs with payloads, inf, -0, subnormals */
	for (u = 0x12345, i = 0; i < 1000; i++) {
		u = u * 1664525 + 1013904223;
		a[i] = bitsf(u);
	}
	a[0] = NAN, a[1] = -INFINITY, a[2] = -0.0f, a[3] = 0x1p-149f;
	a[4] = bitsf(0x7f800001);	/* a signalling NaN */
	for (i = 0; i < 7; i++)
		c[i] = (float)i / 3;
	memset(it, 0, sizeof it);
	it[0] = (struct st_item){ "layer1.0.conv1.weight", 4, { 10, 5, 4, 5 },
	    a, 0, 0 };
	it[1] = (struct st_item){ "b", 1, { 7 }, c, 0, 0 };
	it[2] = (struct st_item){ "scalar", 0, { 0 }, &s, 0, 0 };
	it[3] = (struct st_item){ "empty", 3, { 2, 0, 5 }, NULL, 0, 0 };
	it[4] = (struct st_item){ "ünïcode 名", 8, { 1, 1, 1, 1, 1, 1, 1, 1 },
	    &e0, 0, 0 };
	is_int(st_save(P("r.safetensors"), it, 5, meta, 2), 0, "round trip: "
	    "save 5 tensors, 8 dimensions, a scalar, an empty one, UTF-8 "
	    "names and metadata");
	ok(stat(P("r.safetensors"), &sb) == 0 && (sb.st_mode & 0777) == 0644,
	    "the file is 0666 less the umask");
	is_int(count_files(), 1, "no temporary file left");
	rc = st_open(&f, P("r.safetensors"));
	ok(rc == 0 && f.ntensor == 5 && f.nmeta == 2 && f.hlen % 8 == 0,
	    "round trip: opens, 5 tensors, the header a multiple of 8");
	if (rc == 0) {
		good = 1;
		for (i = 0; i < 5; i++) {
			good &= strcmp(f.tensor[i].name, it[i].name) == 0 &&
			    f.tensor[i].dtype == ST_F32 &&
			    f.tensor[i].ndim == it[i].ndim;
		}
		ok(good, "round trip: names, order, F32, ranks");
		ok(f.tensor[0].begin == 0 && f.tensor[0].end == 4000 &&
		    f.tensor[1].begin == 4000 && f.tensor[3].begin ==
		    f.tensor[3].end && f.tensor[4].end == 4036 &&
		    f.size == 8 + f.hlen + 4036, "round trip: offsets "
		    "one after the other, the data exactly covered");
		st_read(&f, 0, got);
		ok(memcmp(got, a, sizeof a) == 0, "round trip: 1000 floats "
		    "bit for bit, NaN payloads and a signalling NaN too");
		st_read(&f, 1, got);
		ok(memcmp(got, c, sizeof c) == 0, "round trip: a bias");
		st_read(&f, 2, got);
		ok(got[0] == s, "round trip: a scalar");
		is_str(st_meta(&f, "lrf.note"), meta[3], "round trip: "
		    "metadata with quotes, a newline, UTF-8");
		ok(st_find(&f, "ünïcode 名") == 4 && f.tensor[4].ndim == 8,
		    "round trip: a UTF-8 name, 8 dimensions");
	}
	st_close(&f);

	/* saving again replaces the file; a failed save leaves it */
	size = readall(P("r.safetensors"), buf, sizeof buf);
	c[0] = 42;
	is_int(st_save(P("r.safetensors"), it + 1, 1, NULL, 0), 0, "save over "
	    "an old file");
	n = readall(P("r.safetensors"), buf2, sizeof buf2);
	ok(n == 8 + 56 + 28 && memcmp(buf2 + 8 + 56, c, 28) == 0,
	    "the old file is replaced");
	writeall(P("r.safetensors"), buf, (size_t)size);
	getrlimit(RLIMIT_FSIZE, &old);
	rl = old;
	rl.rlim_cur = 2000;
	signal(SIGXFSZ, SIG_IGN);
	setrlimit(RLIMIT_FSIZE, &rl);
	rc = st_save(P("r.safetensors"), it, 2, NULL, 0);
	setrlimit(RLIMIT_FSIZE, &old);
	is_int(rc, -1, "file size limit: save fails");
	snprintf(want, sizeof want, "%s: File too large", P("r.safetensors"));
	is_str(err_msg(), want, "file size limit: message");
	n = readall(P("r.safetensors"), buf2, sizeof buf2);
	ok(n == size && memcmp(buf, buf2, (size_t)n) == 0,
	    "failed save: the old file intact");
	is_int(count_files(), 1, "failed save: no temporary left");
	is_int(st_save("/dev/full", it, 2, NULL, 0), -1, "/dev/full: error");
	is_str(err_msg(), "/dev/full: No space left on device",
	    "/dev/full: message (written in place, not renamed over)");
	ok(stat("/dev/full", &sb) == 0 && S_ISCHR(sb.st_mode),
	    "/dev/full: still the device");
	snprintf(want, sizeof want, "%s: No such file or directory",
	    P("no/such.safetensors"));
	st_save(P("no/such.safetensors"), it, 1, NULL, 0);
	is_str(err_msg(), want, "a missing directory");

	/* what st_save refuses, before it writes anything */
	it[5] = it[1];
	snprintf(want, sizeof want, "%s: two tensors named 'b'",
	    P("r.safetensors"));
	ok(st_save(P("r.safetensors"), it, 6, NULL, 0) == -1 &&
	    strcmp(err_msg(), want) == 0, "save: a name twice");
	it[5].name = "__metadata__";
	snprintf(want, sizeof want, "%s: a tensor cannot be named "
	    "'__metadata__'", P("r.safetensors"));
	ok(st_save(P("r.safetensors"), it, 6, NULL, 0) == -1 &&
	    strcmp(err_msg(), want) == 0, "save: a tensor named "
	    "__metadata__");
	it[5].name = "bad\xff";
	snprintf(want, sizeof want, "%s: tensor 'bad\\xff': the name is not "
	    "UTF-8", P("r.safetensors"));
	ok(st_save(P("r.safetensors"), it, 6, NULL, 0) == -1 &&
	    strcmp(err_msg(), want) == 0, "save: a name not UTF-8");
	it[5] = it[1];
	it[5].name = "neg";
	it[5].dim[0] = -1;
	snprintf(want, sizeof want, "%s: tensor 'neg': bad shape, too large, "
	    "or no data", P("r.safetensors"));
	ok(st_save(P("r.safetensors"), it, 6, NULL, 0) == -1 &&
	    strcmp(err_msg(), want) == 0, "save: a negative dimension");
	it[5].dim[0] = 7;
	it[5].ndim = 9;
	ok(st_save(P("r.safetensors"), it, 6, NULL, 0) == -1 &&
	    strcmp(err_msg(), want) == 0, "save: 9 dimensions");
	it[5].ndim = 1;
	it[5].p = NULL;
	ok(st_save(P("r.safetensors"), it, 6, NULL, 0) == -1 &&
	    strcmp(err_msg(), want) == 0, "save: no data");
	it[5].ndim = 2;
	it[5].dim[0] = it[5].dim[1] = 1L << 31;
	it[5].p = c;
	ok(st_save(P("r.safetensors"), it, 6, NULL, 0) == -1 &&
	    strcmp(err_msg(), want) == 0, "save: 2^62 floats");
	snprintf(want, sizeof want, "%s: __metadata__: key 'k' twice",
	    P("r.safetensors"));
	ok(st_save(P("r.safetensors"), it, 1, dupmeta, 2) == -1 &&
	    strcmp(err_msg(), want) == 0, "save: a metadata key twice");
	snprintf(want, sizeof want, "%s: __metadata__: key 'k': the key or "
	    "the value is not UTF-8", P("r.safetensors"));
	ok(st_save(P("r.safetensors"), it, 1, badmeta, 1) == -1 &&
	    strcmp(err_msg(), want) == 0, "save: metadata not UTF-8");
	n = readall(P("r.safetensors"), buf2, sizeof buf2);
	ok(n == size && memcmp(buf, buf2, (size_t)n) == 0 &&
	    count_files() == 1, "refused saves: the old file intact, "
	    "nothing else written");
}

/* Every way a header can be wrong: st_open's message. */
static void
test_validation(void)
{
	static char big[128];
	unsigned char raw[64];
	char want[600], hdr[2048];
	const char *p;
	int i, fd;

	/* the file and the header length */
	is_str(verdict(P("none.safetensors")), "No such file or directory",
	    "a missing file");
	is_str(verdict(dir), "not a regular file", "a directory");
	writeall(P("h.safetensors"), "", 0);
	is_str(verdict(P("h.safetensors")), "not a safetensors file "
	    "(0 bytes)", "an empty file");
	writeall(P("h.safetensors"), "\2\0\0\0\0\0\0", 7);
	is_str(verdict(P("h.safetensors")), "not a safetensors file "
	    "(7 bytes)", "7 bytes");
	memcpy(raw, "\3\0\0\0\0\0\0\0{}", 10);
	writeall(P("h.safetensors"), raw, 10);
	is_str(verdict(P("h.safetensors")), "not a safetensors file, or "
	    "truncated (a header of 3 bytes in a file of 10)", "a header "
	    "past the end of the file");
	le64(raw, UINT64_MAX);
	writeall(P("h.safetensors"), raw, 10);
	is_str(verdict(P("h.safetensors")), "not a safetensors file, or "
	    "truncated (a header of 18446744073709551615 bytes in a file of "
	    "10)", "a header length of 2^64 - 1");
	writeall(P("h.safetensors"), "LRFW\1\0\0\0\2\0\0\0", 12);
	is_str(verdict(P("h.safetensors")), "not a safetensors file, or "
	    "truncated (a header of 5759193676 bytes in a file of 12)",
	    "an lrf weights file");
	writeall(P("h.safetensors"), "\0\0\0\0\0\0\0\0", 8);
	is_str(verdict(P("h.safetensors")), "not a safetensors file (the "
	    "header does not start with '{')", "a header of 0 bytes");
	bad(" {}", 0, "not a safetensors file (the header does not start "
	    "with '{')", "a blank before '{'");
	bad("[]", 0, "not a safetensors file (the header does not start "
	    "with '{')", "a JSON array");
	/* a sparse file: the limit is checked before anything is read */
	p = P("big.safetensors");
	le64(raw, ST_MAXHEADER + 1ULL);
	raw[8] = '{';
	writeall(p, raw, 9);
	if ((fd = open(p, O_WRONLY)) >= 0) {
		ok(ftruncate(fd, ST_MAXHEADER + 100L) == 0, "a sparse file of "
		    "16 MiB");
		close(fd);
	}
	is_str(verdict(p), "a header of 16777217 bytes, more than the "
	    "16777216 this lrf reads", "a header over the limit");
	unlink(p);

	/* JSON, as jansson reads it */
	bad("{}   \n\t ", 0, "ok", "blanks after the object");
	bad("{} x", 0, "byte 12: header: end of file expected near 'x'",
	    "text after the object");
	bad("{\"a\":", 0, "byte 13: header: unexpected token near end of "
	    "file", "a header cut short");
	bad("{\"a\":{},\"a\":{}}", 0, "byte 19: header: duplicate key 'a'",
	    "a tensor twice");
	bad("{\"layer4.1.downsample.0.running_mean\":{},"
	    "\"layer4.1.downsample.0.running_mean\":{}}", 0, "byte 85: "
	    "header: duplicate key 'layer4.1.downsample.0.running_mean'",
	    "a long name twice (jansson does not quote it: recovered)");
	bad("{\"a\\\"b\\\\\":{},\"a\\\"b\\\\\":{}}", 0, "byte 29: header: "
	    "duplicate key 'a\"b\\'", "a name with escapes twice");
	bad("{\"t\":{\"dtype\":\"F32\",\"dtype\":\"F32\"}}", 0, "byte 35: "
	    "header: duplicate key 'dtype'", "a key twice in a tensor");
	bad("{\"a\\u0000b\":{}}", 0, "byte 19: header: NUL byte in object key "
	    "not supported near '\"a\\u0000b\"'", "a NUL in a name");
	bad("{\"a\xff\":{}}", 0, "byte 11: header: unable to decode byte 0xff "
	    "near '\"a'", "a name not UTF-8");
	bad("{\"a\x01\":{}}", 0, "byte 11: header: control character 0x1 "
	    "near '\"a'", "a raw control character");
	bad("{\"a\":{\"dtype\":\"F32\",\"shape\":[99999999999999999999],"
	    "\"data_offsets\":[0,0]}}", 0, "byte 57: header: too big integer "
	    "near '99999999999999999999'", "a dimension of 10^20");

	/* nesting: jansson stops at 2048 levels (its recursion is bounded) */
	{
		static char deep[8192];

		strcpy(deep, "{\"a\":");
		memset(deep + 5, '[', 3000);
		memset(deep + 3005, ']', 3000);
		strcpy(deep + 6005, "}");
		bad(deep, 0, "byte 2061: header: maximum parsing depth reached "
		    "near '['", "3000 nested lists");
	}

	/* __metadata__ */
	bad("{\"__metadata__\":[]}", 0, "__metadata__ is not an object",
	    "__metadata__ a list");
	bad("{\"__metadata__\":{\"a\":\"b\",\"n\":1}}", 0, "__metadata__: "
	    "'n' is not a string", "a metadata value a number");
	bad("{\"__metadata__\":{}}", 0, "ok", "empty __metadata__");

	/* a tensor's entry */
	bad("{\"t\":1}", 0, "tensor 't': not an object", "a tensor a number");
	bad("{\"t\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[0,4],"
	    "\"x\":1}}", 4, "tensor 't': unknown key 'x'", "an unknown key");
	bad("{\"t\":{\"shape\":[],\"data_offsets\":[0,4]}}", 4,
	    "tensor 't': no dtype", "no dtype");
	bad("{\"t\":{\"dtype\":\"F32\",\"data_offsets\":[0,4]}}", 4,
	    "tensor 't': no shape", "no shape");
	bad("{\"t\":{\"dtype\":\"F32\",\"shape\":[]}}", 4,
	    "tensor 't': no data_offsets", "no data_offsets");
	bad("{\"t\":{\"dtype\":32,\"shape\":[],\"data_offsets\":[0,4]}}", 4,
	    "tensor 't': dtype is not a string", "dtype a number");
	bad("{\"t\":{\"dtype\":\"f32\",\"shape\":[],\"data_offsets\":[0,4]}}",
	    4, "tensor 't': unknown dtype 'f32'", "dtype in lower case");
	bad("{\"t\":{\"dtype\":\"F128\",\"shape\":[],\"data_offsets\":[0,4]}}",
	    4, "tensor 't': unknown dtype 'F128'", "an unknown dtype");
	bad("{\"t\":{\"dtype\":\"F32\",\"shape\":3,\"data_offsets\":[0,12]}}",
	    12, "tensor 't': shape is not a list", "shape a number");
	bad("{\"t\":{\"dtype\":\"F32\",\"shape\":[1,1,1,1,1,1,1,1,1],"
	    "\"data_offsets\":[0,4]}}", 4, "tensor 't': shape has 9 "
	    "dimensions, more than 8", "9 dimensions");
	bad("{\"t\":{\"dtype\":\"F32\",\"shape\":[1,1,1,1,1,1,1,1],"
	    "\"data_offsets\":[0,4]}}", 4, "ok", "8 dimensions");
	bad("{\"t\":{\"dtype\":\"F32\",\"shape\":[2,-1],\"data_offsets\":"
	    "[0,4]}}", 4, "tensor 't': shape: dimension 2 is not an integer "
	    ">= 0", "a negative dimension");
	bad("{\"t\":{\"dtype\":\"F32\",\"shape\":[2.0],\"data_offsets\":"
	    "[0,8]}}", 8, "tensor 't': shape: dimension 1 is not an integer "
	    ">= 0", "a dimension 2.0");
	bad("{\"t\":{\"dtype\":\"F32\",\"shape\":[\"2\"],\"data_offsets\":"
	    "[0,8]}}", 8, "tensor 't': shape: dimension 1 is not an integer "
	    ">= 0", "a dimension \"2\"");
	bad("{\"t\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0]}}",
	    4, "tensor 't': data_offsets is not [begin, end] in integers >= 0",
	    "one offset");
	bad("{\"t\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":"
	    "[0,4,4]}}", 4, "tensor 't': data_offsets is not [begin, end] in "
	    "integers >= 0", "three offsets");
	bad("{\"t\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":"
	    "[-4,0]}}", 4, "tensor 't': data_offsets is not [begin, end] in "
	    "integers >= 0", "a negative offset");
	bad("{\"t\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":"
	    "[0,4.0]}}", 4, "tensor 't': data_offsets is not [begin, end] in "
	    "integers >= 0", "an offset 4.0");
	bad("{\"t\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":"
	    "{\"begin\":0}}}", 4, "tensor 't': data_offsets is not [begin, "
	    "end] in integers >= 0", "offsets an object");
	bad("{\"t\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":"
	    "[4,0]}}", 4, "tensor 't': data_offsets [4, 0] end before they "
	    "begin", "end before begin");

	/* sizes: shape x dtype = end - begin, without overflow */
	bad("{\"t\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":"
	    "[0,20]}}", 20, "tensor 't': shape [2, 3] of F32 is 24 bytes, "
	    "data_offsets [0, 20] hold 20", "a shape that does not fit its "
	    "bytes");
	bad("{\"t\":{\"dtype\":\"F16\",\"shape\":[2,3],\"data_offsets\":"
	    "[0,12]}}", 12, "ok", "F16 2x3: 12 bytes");
	bad("{\"t\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296],"
	    "\"data_offsets\":[0,0]}}", 0, "tensor 't': shape [4294967296, "
	    "4294967296] of F32: too many elements", "2^64 elements");
	bad("{\"t\":{\"dtype\":\"F32\",\"shape\":[2305843009213693952,2],"
	    "\"data_offsets\":[0,0]}}", 0, "tensor 't': shape "
	    "[2305843009213693952, 2] of F32: too many elements",
	    "2^62 elements: 2^67 bits");
	bad("{\"t\":{\"dtype\":\"F32\",\"shape\":[9223372036854775807,"
	    "9223372036854775807,9223372036854775807,0],\"data_offsets\":"
	    "[0,0]}}", 0, "ok", "huge dimensions and a 0: no elements");
	bad("{\"t\":{\"dtype\":\"I8\",\"shape\":[1099511627776],"
	    "\"data_offsets\":[0,1099511627776]}}", 16, "tensor 't': "
	    "data_offsets [0, 1099511627776] run past the end of the data "
	    "(16 bytes)", "a terabyte claimed");
	bad("{\"t\":{\"dtype\":\"F4\",\"shape\":[3],\"data_offsets\":"
	    "[0,1]}}", 1, "tensor 't': shape [3] of F4 is not a whole number "
	    "of bytes", "3 F4: a byte and a half");
	bad("{\"t\":{\"dtype\":\"F4\",\"shape\":[2,3],\"data_offsets\":"
	    "[0,3]}}", 3, "ok", "6 F4: 3 bytes");
	bad("{\"t\":{\"dtype\":\"F6_E2M3\",\"shape\":[4],\"data_offsets\":"
	    "[0,3]}}", 3, "ok", "4 F6_E2M3: 3 bytes");
	bad("{\"t\":{\"dtype\":\"C64\",\"shape\":[2],\"data_offsets\":"
	    "[0,16]}}", 16, "ok", "C64: 8 bytes each");

	/* the data: covered exactly, no overlap, no hole */
	bad("{}", 1, "data bytes [0, 1) belong to no tensor", "a byte after "
	    "an empty header");
	bad("{\"t\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":"
	    "[0,4]}}", 6, "data bytes [4, 6) belong to no tensor",
	    "bytes after the last tensor");
	bad("{\"t\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":"
	    "[4,8]}}", 8, "data bytes [0, 4) belong to no tensor",
	    "a hole before the first tensor");
	bad("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
	    "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}",
	    12, "data bytes [4, 8) belong to no tensor", "a hole between "
	    "tensors");
	bad("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
	    "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}",
	    12, "tensors 'a' and 'b' overlap: data_offsets [0, 8] and "
	    "[4, 12]", "overlapping tensors");
	bad("{\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
	    "\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}",
	    8, "tensors 'b' and 'a' overlap: data_offsets [0, 8] and [0, 8]",
	    "two tensors on the same bytes (a polyglot)");
	bad("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
	    "\"e\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[4,4]}}",
	    8, "tensors 'a' and 'e' overlap: data_offsets [0, 8] and [4, 4]",
	    "an empty tensor inside another");
	bad("{\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]},"
	    "\"e\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[4,4]},"
	    "\"f\":{\"dtype\":\"BOOL\",\"shape\":[0,7],\"data_offsets\":[8,8]},"
	    "\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}",
	    8, "ok", "out of order, empty tensors at the boundaries");
	bad("{\"x\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0]},"
	    "\"y\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0]}}",
	    0, "ok", "two empty tensors at 0");

	/* names in messages: quoted, control characters escaped, cut */
	bad("{\"\\u0001\\n\":{\"dtype\":\"X\",\"shape\":[],"
	    "\"data_offsets\":[0,0]}}", 0, "tensor '\\x01\\x0a': unknown dtype "
	    "'X'", "control characters in a name: escaped");
	memset(big, 'n', 100);
	big[100] = '\0';
	snprintf(hdr, sizeof hdr, "{\"%s\":{\"dtype\":\"F32\",\"shape\":[1],"
	    "\"data_offsets\":[0,3]}}", big);
	snprintf(want, sizeof want, "tensor '%.40s...': shape [1] of F32 is 4 "
	    "bytes, data_offsets [0, 3] hold 3", big);
	bad(hdr, 3, want, "a long name: cut at 40 bytes");
	bad("{\"\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}",
	    4, "ok", "an empty name");

	/* a header padded to 2000 bytes, many tensors */
	hdr[0] = '{';
	hdr[1] = '\0';
	for (i = 0; i < 20; i++)
		snprintf(hdr + strlen(hdr), sizeof hdr - strlen(hdr),
		    "%s\"t%02d\":{\"dtype\":\"U8\",\"shape\":[%d],"
		    "\"data_offsets\":[%d,%d]}", i ? "," : "", 19 - i, i,
		    i * (i - 1) / 2, i * (i + 1) / 2);
	strcat(hdr, "}");
	while (strlen(hdr) < 2000)
		strcat(hdr, " ");
	bad(hdr, 190, "ok", "20 tensors, a header padded to 2000 bytes");
}

/* A file truncated after st_open: st_read says so. */
static void
test_truncated(void)
{
	float x[64], y[64];
	struct st_item it = { "w", 1, { 64 }, x, 0, 0 };
	struct st_file f;
	char want[600];
	int i;

	for (i = 0; i < 64; i++)
		x[i] = (float)i;
	st_save(P("t.safetensors"), &it, 1, NULL, 0);
	if (st_open(&f, P("t.safetensors")) == -1) {
		ok(0, "truncated: open");
		return;
	}
	if (truncate(P("t.safetensors"), (off_t)(8 + f.hlen + 100)) != 0)
		diag("truncate failed");
	snprintf(want, sizeof want, "%s: tensor 'w': the file ends in its "
	    "data (it was truncated after it was opened)", P("t.safetensors"));
	is_int(st_read(&f, 0, y), -1, "truncated after st_open: error");
	is_str(err_msg(), want, "truncated after st_open: message");
	st_close(&f);
	is_str(verdict(P("t.safetensors")), "tensor 'w': data_offsets [0, "
	    "256] run past the end of the data (100 bytes)", "truncated: "
	    "st_open says which tensor");
}

/* Filling items by name. */
static void
test_load(void)
{
	static float w[12], b[3], fw[12], fb[3], fh[6], fs;
	static float big[1000];
	struct st_item src[5], it[8];
	struct st_file f;
	static uint16_t halves[6] = { 0x3c00, 0xc000, 0x0001, 0x7bff, 0x7c00,
	    0x8000 };
	char want[600], hdr[600];
	const char *p;
	int i, rc, good;

	for (i = 0; i < 12; i++)
		w[i] = (float)i - 5.5f;
	for (i = 0; i < 3; i++)
		b[i] = (float)i * 0.25f;
	memset(src, 0, sizeof src);
	src[0] = (struct st_item){ "dense1.weight", 2, { 3, 4 }, w, 0, 0 };
	src[1] = (struct st_item){ "dense1.bias", 1, { 3 }, b, 0, 0 };
	p = P("l.safetensors");
	st_save(p, src, 2, NULL, 0);

	/* exactly the model's: both read */
	memset(it, 0, sizeof it);
	it[0] = (struct st_item){ "dense1.bias", 1, { 3 }, fb, 0, 0 };
	it[1] = (struct st_item){ "dense1.weight", 2, { 3, 4 }, fw, 0, 0 };
	st_open(&f, p);
	is_int(st_load(&f, it, 2, 0), 2, "load: 2 tensors by name, in any "
	    "order");
	ok(memcmp(fw, w, sizeof w) == 0 && memcmp(fb, b, sizeof b) == 0,
	    "load: the values");
	ok(it[0].status == ST_LOADED && it[1].status == ST_LOADED &&
	    f.tensor[0].used && f.tensor[1].used, "load: status and used");

	/* a tensor the model lacks, one the file lacks, another shape */
	memset(fw, 0, sizeof fw);
	it[1].name = "dense2.weight";
	snprintf(want, sizeof want, "%s: tensor 'dense2.weight' is missing",
	    p);
	is_int(st_load(&f, it, 2, 0), -1, "load: a tensor missing: error");
	is_str(err_msg(), want, "load: a tensor missing: message");
	it[2] = (struct st_item){ "dense2.bias", 1, { 3 }, fb, 0, 0 };
	it[3] = (struct st_item){ "dense3.bias", 1, { 3 }, fb, 1, 0 };
	snprintf(want, sizeof want, "%s: tensor 'dense2.weight' is missing "
	    "(and 1 more)", p);
	st_load(&f, it, 4, 0);
	is_str(err_msg(), want, "load: 2 missing, an optional one not "
	    "counted");
	it[1] = (struct st_item){ "dense1.weight", 2, { 3, 4 }, fw, 0, 0 };
	it[2] = (struct st_item){ "dense3.bias", 1, { 3 }, fb, 1, 0 };
	is_int(st_load(&f, it, 3, 0), 2, "load: an optional tensor missing "
	    "is no error");
	is_int(it[2].status, ST_MISSING, "load: ... its status");
	snprintf(want, sizeof want, "%s: tensor 'dense1.weight' is not in the "
	    "model", p);
	is_int(st_load(&f, it, 1, 0), -1, "load: a tensor of the file the "
	    "model lacks: error");
	is_str(err_msg(), want, "load: ... message");
	memset(fb, 0, sizeof fb);
	is_int(st_load(&f, it, 1, 1), 1, "load partial: the extra tensor "
	    "ignored");
	ok(f.tensor[st_find(&f, "dense1.weight")].used == 0 &&
	    f.tensor[st_find(&f, "dense1.bias")].used == 1 &&
	    memcmp(fb, b, sizeof b) == 0, "load partial: used says which "
	    "tensor was ignored");

	it[1].dim[0] = 4, it[1].dim[1] = 3;
	memset(fw, 0, sizeof fw);
	snprintf(want, sizeof want, "%s: tensor 'dense1.weight' is 3x4, the "
	    "model wants 4x3", p);
	is_int(st_load(&f, it, 2, 0), -1, "load: another shape: error");
	is_str(err_msg(), want, "load: another shape: message");
	is_int(st_load(&f, it, 2, 1), 1, "load partial: another shape "
	    "skipped");
	ok(it[1].status == ST_MISMATCH && fw[0] == 0 && fw[11] == 0 &&
	    f.tensor[st_find(&f, "dense1.weight")].used == 1,
	    "load partial: MISMATCH, its floats untouched");
	it[1].ndim = 0;
	snprintf(want, sizeof want, "%s: tensor 'dense1.weight' is 3x4, the "
	    "model wants a scalar", p);
	st_load(&f, it, 2, 0);
	is_str(err_msg(), want, "load: a scalar wanted");
	it[1].ndim = 3;
	it[1].dim[0] = 3, it[1].dim[1] = 4, it[1].dim[2] = 1;
	snprintf(want, sizeof want, "%s: tensor 'dense1.weight' is 3x4, the "
	    "model wants 3x4x1", p);
	st_load(&f, it, 2, 0);
	is_str(err_msg(), want, "load: the same elements in another rank");
	it[1].ndim = 9;
	snprintf(want, sizeof want, "%s: tensor 'dense1.weight': the model's "
	    "shape has 9 dimensions", p);
	st_load(&f, it, 2, 0);
	is_str(err_msg(), want, "load: 9 dimensions asked");
	it[1] = it[0];
	snprintf(want, sizeof want, "%s: the model has two tensors named "
	    "'dense1.bias'", p);
	is_int(st_load(&f, it, 2, 1), -1, "load: a name asked twice: error");
	is_str(err_msg(), want, "load: a name asked twice: message");
	st_close(&f);

	/* F16, I64 through st_load; p NULL checks presence only */
	snprintf(hdr, sizeof hdr, "{\"h\":{\"dtype\":\"F16\",\"shape\":[2,3],"
	    "\"data_offsets\":[0,12]},\"n\":{\"dtype\":\"I64\",\"shape\":[],"
	    "\"data_offsets\":[12,20]},\"s\":{\"dtype\":\"BF16\",\"shape\":[],"
	    "\"data_offsets\":[20,22]}}");
	{
		unsigned char raw[700];
		size_t len = strlen(hdr);

		le64(raw, len);
		memcpy(raw + 8, hdr, len);
		for (i = 0; i < 6; i++) {
			raw[8 + len + 2 * i] = halves[i] & 0xff;
			raw[8 + len + 2 * i + 1] = halves[i] >> 8;
		}
		memset(raw + 8 + len + 12, 7, 8);
		raw[8 + len + 20] = 0x40, raw[8 + len + 21] = 0x40;	/* 3 */
		writeall(P("h16.safetensors"), raw, 8 + len + 22);
	}
	p = P("h16.safetensors");
	if (st_open(&f, p) == -1) {
		ok(0, "F16 file: opens");
		diag("%s", err_msg());
		return;
	}
	memset(it, 0, sizeof it);
	it[0] = (struct st_item){ "h", 2, { 2, 3 }, fh, 0, 0 };
	it[1] = (struct st_item){ "n", 0, { 0 }, NULL, 0, 0 };
	it[2] = (struct st_item){ "s", 0, { 0 }, &fs, 0, 0 };
	is_int(st_load(&f, it, 3, 0), 2, "load: F16 and BF16 read, an I64 "
	    "only checked");
	ok(fh[0] == 1 && fh[1] == -2 && fh[2] == 0x1p-24f && fh[3] == 65504 &&
	    fh[4] == INFINITY && fbits(fh[5]) == 0x80000000 && fs == 3,
	    "load: F16 and BF16 converted");
	is_int(it[1].status, ST_PRESENT, "load: p NULL: PRESENT");
	it[1].p = big;
	big[0] = 123;
	snprintf(want, sizeof want, "%s: tensor 'n': dtype I64 cannot be read "
	    "as float32", p);
	memset(fh, 0, sizeof fh);
	is_int(st_load(&f, it, 3, 1), -1, "load: I64 into floats: error, "
	    "partial or not");
	is_str(err_msg(), want, "load: I64 into floats: message");
	ok(big[0] == 123 && fh[0] == 0, "load: the error changed no floats");
	it[1].dim[0] = 1;
	it[1].ndim = 1;
	it[1].p = NULL;
	snprintf(want, sizeof want, "%s: tensor 'n' is a scalar, the model "
	    "wants 1", p);
	st_load(&f, it, 3, 0);
	is_str(err_msg(), want, "load: a scalar for a vector of 1");
	ok(fh[0] == 0, "load: a shape error changed no floats");
	st_close(&f);

	/* what st_load returns for many items, all partial */
	good = 1;
	for (i = 0; i < 1000; i++)
		big[i] = (float)i;
	src[0] = (struct st_item){ "big", 1, { 1000 }, big, 0, 0 };
	st_save(P("big.safetensors"), src, 1, NULL, 0);
	st_open(&f, P("big.safetensors"));
	memset(it, 0, sizeof it);
	it[0] = (struct st_item){ "other", 1, { 1000 }, big, 0, 0 };
	rc = st_load(&f, it, 1, 1);
	good = rc == 0 && it[0].status == ST_MISSING && f.tensor[0].used == 0;
	ok(good, "load partial: nothing matches, 0 read, no error");
	st_close(&f);
}

/* A small CNN as lrf builds it: conv 3 3x3 padding 1 relu, batchnorm,
 * maxpool 2, flatten, dense out; input 1x6x6. */
static int
cnn(struct net *n, long out, uint64_t seed)
{
	const long sh[3] = { 1, 6, 6 };
	struct cfg_model m;
	struct cfg_layer *c;

	memset(&m, 0, sizeof m);
	m.loss = LOSS_CE;
	m.init = INIT_HE;
	c = &m.layers[m.nlayers++];
	c->type = LAYER_CONV2D, c->filters = 3, c->kernel = 3;
	c->stride = 1, c->padding = 1, c->bias = 1, c->lr_mult = 1;
	c->activation = ACT_RELU;
	c = &m.layers[m.nlayers++];
	c->type = LAYER_BATCHNORM, c->lr_mult = 1;
	c = &m.layers[m.nlayers++];
	c->type = LAYER_MAXPOOL2D, c->kernel = 2, c->stride = 2;
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

static int
same_net(const struct net *a, const struct net *b)
{
	return a->nparam == b->nparam && a->nstate == b->nstate &&
	    memcmp(a->param, b->param, (size_t)a->nparam * 4) == 0 &&
	    memcmp(a->state, b->state, (size_t)a->nstate * 4) == 0;
}

/*
 * The CNN in double from n's weights: out (3) for one sample x (36), and
 * bound (3), the same computation on absolute values (|w| |x| summed,
 * batchnorm |g / s| (|x| + |mean|) + |beta|), which bounds the rounding
 * of any float32 evaluation.
 */
static void
cnn_ref(const struct net *n, const float *x, double *out, double *bound)
{
	const struct net_layer *cv = &n->layer[0], *bn = &n->layer[1],
	    *dn = &n->layer[4];
	double c[3 * 36], ca[3 * 36], m[27], ma[27], s, a, g, w;
	int f, p, q, k, i, j, v;

	/* conv 3x3 padding 1, relu, batchnorm: c (3, 6, 6) */
	for (f = 0; f < 3; f++)
		for (p = 0; p < 36; p++) {
			s = cv->b[f];
			a = fabs(cv->b[f]);
			for (k = 0; k < 9; k++) {
				i = p / 6 + k / 3 - 1;
				j = p % 6 + k % 3 - 1;
				if (i < 0 || i > 5 || j < 0 || j > 5)
					continue;
				w = (double)cv->w[9 * f + k] * x[6 * i + j];
				s += w;
				a += fabs(w);
			}
			g = bn->w[f] / sqrt(bn->rvar[f] + 1e-5);
			c[36 * f + p] = g * (fmax(s, 0) - bn->rmean[f]) +
			    bn->b[f];
			ca[36 * f + p] = fabs(g) * (a + fabs(bn->rmean[f])) +
			    fabs(bn->b[f]);
		}
	/* maxpool 2x2, flattened as (C, H, W): m (27) */
	for (v = 0; v < 27; v++) {
		m[v] = ma[v] = -INFINITY;
		for (k = 0; k < 4; k++) {
			q = 36 * (v / 9) + 6 * (2 * (v % 9 / 3) + k / 2) +
			    2 * (v % 3) + k % 2;
			m[v] = fmax(m[v], c[q]);
			ma[v] = fmax(ma[v], ca[q]);
		}
	}
	/* dense 27 -> 3 */
	for (k = 0; k < 3; k++) {
		out[k] = dn->b[k];
		bound[k] = fabs(dn->b[k]);
		for (i = 0; i < 27; i++) {
			out[k] += (double)dn->w[27 * k + i] * m[i];
			bound[k] += fabs(dn->w[27 * k + i]) * ma[i];
		}
	}
}

/* lrf's nets through stnet.c, and a CNN PyTorch trained. */
static void
test_net(void)
{
	static const char *const names[] = { "conv1.weight", "conv1.bias",
	    "batchnorm1.weight", "batchnorm1.bias", "batchnorm1.running_mean",
	    "batchnorm1.running_var", "dense1.weight", "dense1.bias" };
	struct net a, b, c;
	struct st_file f, io;
	float x[4 * 36], t[12], xin[144];
	double ref[3], bound[3], e1, e2, tol, worst = 0;
	int y[4] = { 0, 1, 2, 0 }, loaded[5], i, k, good, rc;
	char want[600];
	char p[300];

	memset(&a, 0, sizeof a);
	memset(&b, 0, sizeof b);
	memset(&c, 0, sizeof c);
	for (i = 0; i < 4 * 36; i++)
		x[i] = (float)((i * 37) % 11) / 11;
	if (cnn(&a, 3, 1) == -1 || cnn(&b, 3, 2) == -1)
		return;
	net_forward(&a, x, y, NULL, 4, 1);	/* running statistics move */
	snprintf(p, sizeof p, "%s", P("net.safetensors"));
	is_int(st_net_save(&a, p), 0, "net: save a CNN");
	rc = st_open(&f, p);
	ok(rc == 0 && f.ntensor == 8, "net: 8 tensors (conv, batchnorm with "
	    "running statistics, dense)");
	good = rc == 0;
	for (i = 0; i < 8 && good; i++)
		good = strcmp(f.tensor[i].name, names[i]) == 0;
	ok(good, "net: named as torch's state_dict: conv1.weight ... "
	    "batchnorm1.running_var, dense1.bias");
	if (rc == 0) {
		ok(f.tensor[0].ndim == 4 && f.tensor[0].dim[0] == 3 &&
		    f.tensor[0].dim[1] == 1 && f.tensor[0].dim[2] == 3 &&
		    f.tensor[6].dim[0] == 3 && f.tensor[6].dim[1] == 27,
		    "net: conv 3x1x3x3, dense 3x27 (torch's layouts)");
		is_str(st_meta(&f, "format"), "pt", "net: __metadata__ format "
		    "pt");
		st_read(&f, 5, t);
		ok(memcmp(t, a.layer[1].rvar, 12) == 0 && t[0] != 1,
		    "net: the running variance, moved by training");
		ok(st_find(&f, "batchnorm1.num_batches_tracked") == -1,
		    "net: no num_batches_tracked written");
	}
	st_close(&f);
	is_int(st_net_load(&b, p, 0, loaded), 3, "net: load: 3 layers");
	ok(same_net(&a, &b), "net: the same parameters and running "
	    "statistics, bit for bit");
	ok(loaded[0] && loaded[1] && !loaded[2] && !loaded[3] && loaded[4],
	    "net: loaded[]: conv, batchnorm, dense");

	/* lrf's own format still loads, by its magic */
	net_free(&b);
	cnn(&b, 3, 2);
	wfile_save(&a, P("net.lrfw"));
	is_int(st_net_load(&b, P("net.lrfw"), 0, loaded), 3, "net: an LRFW "
	    "file loads through st_net_load");
	ok(same_net(&a, &b), "net: ... the same weights");
	writeall(P("junk"), "PK\3\4 a torch.save zip", 21);
	snprintf(want, sizeof want, "%s: neither safetensors nor an lrf "
	    "weights file", P("junk"));
	is_int(st_net_load(&b, P("junk"), 0, NULL), -1, "net: neither format: "
	    "error");
	is_str(err_msg(), want, "net: neither format: message");
	writeall(P("cut.safetensors"), "\x40\0\0\0\0\0\0\0{\"dense", 15);
	snprintf(want, sizeof want, "%s: not a safetensors file, or truncated "
	    "(a header of 64 bytes in a file of 15)", P("cut.safetensors"));
	st_net_load(&b, P("cut.safetensors"), 0, NULL);
	is_str(err_msg(), want, "net: a cut safetensors file: st_open's "
	    "message");
	snprintf(want, sizeof want, "%s: No such file or directory",
	    P("nofile"));
	st_net_load(&b, P("nofile"), 0, NULL);
	is_str(err_msg(), want, "net: a missing file");

	/* a new head: dense 5 for 3 */
	cnn(&c, 5, 3);
	net_free(&b);
	cnn(&b, 5, 3);
	snprintf(want, sizeof want, "%s: tensor 'dense1.weight' is 3x27, the "
	    "model wants 5x27 (and 1 more)", p);
	is_int(st_net_load(&c, p, 0, NULL), -1, "net: a new head: error");
	is_str(err_msg(), want, "net: a new head: message");
	ok(same_net(&b, &c), "net: a failed load changes nothing");
	is_int(st_net_load(&c, p, 1, loaded), 2, "net: --load-partial: 2 "
	    "layers");
	ok(loaded[0] && loaded[1] && !loaded[4] && memcmp(c.param, a.param,
	    (size_t)c.layer[4].poff * 4) == 0 && memcmp(c.state, a.state, 24)
	    == 0 && memcmp(c.layer[4].w, b.layer[4].w, 135 * 4) == 0,
	    "net: --load-partial: conv and batchnorm from the file, the head "
	    "as it was");
	net_free(&c);
	net_free(&b);

	/* a dense layer whose bias fits and weight does not: not loaded */
	{
		struct st_item it[2];
		float w[3 * 20], bb[3] = { 9, 9, 9 };

		memset(it, 0, sizeof it);
		memset(w, 0, sizeof w);
		it[0] = (struct st_item){ "dense1.weight", 2, { 3, 20 }, w, 0,
		    0 };
		it[1] = (struct st_item){ "dense1.bias", 1, { 3 }, bb, 0, 0 };
		st_save(P("head.safetensors"), it, 2, NULL, 0);
		cnn(&b, 3, 4);
		cnn(&c, 3, 4);
		is_int(st_net_load(&b, P("head.safetensors"), 1, loaded), 0,
		    "net partial: a layer half fitting is not read");
		ok(same_net(&b, &c) && !loaded[4], "net partial: not even "
		    "its bias");
		net_free(&b);
		net_free(&c);
	}

	/* the CNN torch trained, its modules named as lrf names layers */
	cnn(&b, 3, 5);
	rc = st_net_load(&b, "tests/data/st-cnn.safetensors", 0, loaded);
	if (rc != 3)
		diag("%s", err_msg());
	is_int(rc, 3, "torch CNN: 3 layers load (num_batches_tracked, I64, "
	    "accepted and not read)");
	if (st_open(&io, "tests/data/st-cnn-io.safetensors") == -1 ||
	    (i = st_find(&io, "x")) < 0 || io.tensor[i].n != 144 ||
	    st_read(&io, i, xin) == -1 || (i = st_find(&io, "logits")) < 0 ||
	    io.tensor[i].n != 12 || st_read(&io, i, t) == -1) {
		diag("st-cnn-io: %s", err_msg());
		ok(0, "torch CNN: its input and logits");
		st_close(&io);
		net_free(&a);
		net_free(&b);
		return;
	}
	st_close(&io);
	net_forward(&b, xin, NULL, NULL, 4, 0);
	/*
	 * Every float32 result is within K eps bound of the exact one, K =
	 * the longest chain of roundings: 10 conv terms, the batchnorm's 4
	 * operations, 28 dense terms (eps = 2^-23, twice the unit
	 * roundoff); ref, in double, stands for the exact value.
	 */
	good = 1;
	for (k = 0; k < 4; k++) {
		cnn_ref(&b, xin + 36 * k, ref, bound);
		for (i = 0; i < 3; i++) {
			tol = 42 * FLT_EPSILON * bound[i];
			e1 = fabs(b.logits[3 * k + i] - ref[i]);
			e2 = fabs(t[3 * k + i] - ref[i]);
			worst = fmax(worst, fmax(e1, e2) / tol);
			if (e1 > tol || e2 > tol) {
				diag("sample %d logit %d: lrf %.9g torch %.9g "
				    "ref %.9g tol %.3g", k, i,
				    b.logits[3 * k + i], t[3 * k + i], ref[i],
				    tol);
				good = 0;
			}
		}
	}
	diag("torch CNN: the largest error is %.3g of its tolerance", worst);
	ok(good, "torch CNN: lrf's logits with torch's weights are torch's, "
	    "each within 42 eps of the exact value's bound");
	net_free(&a);
	net_free(&b);
}

/*
 * A layer holding a block's tensors, as a residual block may: its
 * tensors' names are paths ("bn1.running_var"), the items torchvision's
 * ("layer1.0.bn1.running_var"), and each running_var brings an optional
 * "<path>.num_batches_tracked".  The net is built by hand: stnet.c uses
 * no more of it than names, shapes and offsets.
 */
static void
test_block(void)
{
	static const char *const tn[] = { "conv1.weight", "bn1.weight",
	    "bn1.running_mean", "bn1.running_var" };
	static const char *hdr = "{\"layer1.0.conv1.weight\":{\"dtype\":"
	    "\"F32\",\"shape\":[2,1,1,1],\"data_offsets\":[0,8]},"
	    "\"layer1.0.bn1.weight\":{\"dtype\":\"F32\",\"shape\":[2],"
	    "\"data_offsets\":[8,16]},\"layer1.0.bn1.running_mean\":{"
	    "\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[16,24]},"
	    "\"layer1.0.bn1.running_var\":{\"dtype\":\"F32\",\"shape\":"
	    "[2],\"data_offsets\":[24,32]},"
	    "\"layer1.0.bn1.num_batches_tracked\":{\"dtype\":\"I64\","
	    "\"shape\":[%s],\"data_offsets\":[32,40]}}";
	struct net n;
	struct net_layer L;
	struct st_file f;
	float param[4], state[4];
	char h[1024], want[600], p[300];
	int i, loaded[1], good;

	memset(&n, 0, sizeof n);
	memset(&L, 0, sizeof L);
	snprintf(L.name, sizeof L.name, "layer1.0");
	L.ntensor = 4;
	for (i = 0; i < 4; i++) {
		L.tensor[i].name = tn[i];
		L.tensor[i].ndim = 1;
		L.tensor[i].dim[0] = 2;
		L.tensor[i].n = 2;
		L.tensor[i].off = 2 * i;	/* running ones: 4 + in state */
		L.tensor[i].p = i < 2 ? param + 2 * i : state + 2 * (i - 2);
	}
	L.tensor[0].ndim = 4;
	L.tensor[0].dim[1] = L.tensor[0].dim[2] = L.tensor[0].dim[3] = 1;
	n.layer = &L;
	n.nlayer = 1;
	n.nparam = 4;
	n.nstate = 4;
	n.param = param;
	n.state = state;
	memset(param, 0, sizeof param);
	memset(state, 0, sizeof state);

	/* mkfile's data bytes are 0, 1, 2, ...: floats of known bits */
	snprintf(h, sizeof h, hdr, "");
	snprintf(p, sizeof p, "%s", mkfile(h, 40));
	is_int(st_net_load(&n, p, 0, loaded), 1, "block: torchvision's names "
	    "load, num_batches_tracked accepted");
	good = 1;
	for (i = 0; i < 32; i++)
		good &= ((unsigned char *)(i < 16 ? param : state))[i % 16] ==
		    i;
	ok(good, "block: each tensor where its name says");
	snprintf(h, sizeof h, hdr, "1");
	snprintf(p, sizeof p, "%s", mkfile(h, 40));
	snprintf(want, sizeof want, "%s: tensor 'layer1.0.bn1.num_batches_"
	    "tracked' is 1, the model wants a scalar", p);
	st_net_load(&n, p, 0, loaded);
	is_str(err_msg(), want, "block: num_batches_tracked is checked");

	snprintf(p, sizeof p, "%s", P("block.safetensors"));
	is_int(st_net_save(&n, p), 0, "block: save");
	good = st_open(&f, p) == 0 && f.ntensor == 4;
	for (i = 0; good && i < 4; i++) {
		snprintf(h, sizeof h, "layer1.0.%s", tn[i]);
		good = strcmp(f.tensor[i].name, h) == 0;
	}
	ok(good, "block: saved as layer1.0.conv1.weight ... "
	    "layer1.0.bn1.running_var, no num_batches_tracked");
	st_close(&f);
	memset(param, 0, sizeof param);
	is_int(st_net_load(&n, p, 0, loaded), 1, "block: and loaded back");
	ok(((unsigned char *)param)[15] == 15, "block: ... the same floats");
}

/* 1 if /usr/bin/python3 has torch and torchvision. */
static int
have_torch(void)
{
	return system("/usr/bin/python3 -c 'import importlib.util as u, sys; "
	    "sys.exit(u.find_spec(\"torch\") is None or "
	    "u.find_spec(\"torchvision\") is None)' >/dev/null 2>&1") == 0;
}

/*
 * torchvision's resnet18 (random init, BatchNorm statistics moved by 2
 * training batches) exported by examples/torch/export_safetensors.py,
 * read here, written back by st_save, loaded into torchvision by
 * examples/torch/load_safetensors.py and compared there.
 */
static void
test_resnet18(void)
{
	static const struct {
		const char *name;
		int ndim;
		int64_t dim[4];
	} want[] = {
		{ "conv1.weight", 4, { 64, 3, 7, 7 } },
		{ "bn1.running_mean", 1, { 64 } },
		{ "layer1.0.conv1.weight", 4, { 64, 64, 3, 3 } },
		{ "layer1.1.bn2.running_var", 1, { 64 } },
		{ "layer2.0.downsample.0.weight", 4, { 128, 64, 1, 1 } },
		{ "layer2.0.downsample.1.running_var", 1, { 128 } },
		{ "layer4.1.conv2.weight", 4, { 512, 512, 3, 3 } },
		{ "fc.weight", 2, { 1000, 512 } },
		{ "fc.bias", 1, { 1000 } },
	};
	const int ntest = 11;
	struct st_file f;
	struct st_item *it;
	struct st_tensor *t;
	float *data;
	char cmd[2000], out[300], back[300];
	long nparam, nstat, nfloat, off;
	int i, j, k, nf32, ni64, shapes, finite, moved, rc;

	if (!have_torch()) {
		skip(ntest, "no torch and torchvision for /usr/bin/python3");
		return;
	}
	snprintf(out, sizeof out, "%s", P("r18.safetensors"));
	snprintf(back, sizeof back, "%s", P("r18-back.safetensors"));
	snprintf(cmd, sizeof cmd, "/usr/bin/python3 examples/torch/"
	    "export_safetensors.py -a resnet18 -s 1 --bn-steps 2 %s", out);
	is_int(system(cmd), 0, "resnet18: export_safetensors.py");
	if (st_open(&f, out) == -1) {
		diag("%s", err_msg());
		for (i = 1; i < ntest; i++)
			ok(0, "resnet18: opens");
		return;
	}
	nf32 = ni64 = 0;
	nparam = nstat = 0;
	for (i = 0; i < f.ntensor; i++) {
		t = &f.tensor[i];
		if (t->dtype == ST_I64 && t->ndim == 0 && strstr(t->name,
		    ".num_batches_tracked") != NULL)
			ni64++;
		else if (t->dtype == ST_F32 && strstr(t->name, ".running_") !=
		    NULL)
			nstat += (long)t->n, nf32++;
		else if (t->dtype == ST_F32)
			nparam += (long)t->n, nf32++;
	}
	diag("resnet18: %d tensors: %d F32 (%ld parameters, %ld running "
	    "statistics), %d I64 num_batches_tracked", f.ntensor, nf32,
	    nparam, nstat, ni64);
	is_int(f.ntensor, 122, "resnet18: 122 tensors in torchvision's "
	    "state_dict");
	is_int(nf32, 102, "resnet18: 102 of them F32 (62 parameters, 40 "
	    "running statistics)");
	is_int(ni64, 20, "resnet18: 20 num_batches_tracked, I64 scalars");
	is_int(nparam, 11689512, "resnet18: 11,689,512 learnable parameters, "
	    "as torchvision reports");
	is_int(nstat, 9600, "resnet18: 9,600 running statistics");
	shapes = 1;
	for (i = 0; i < (int)(sizeof want / sizeof want[0]); i++) {
		k = st_find(&f, want[i].name);
		if (k < 0 || f.tensor[k].ndim != want[i].ndim ||
		    memcmp(f.tensor[k].dim, want[i].dim,
		    (size_t)want[i].ndim * sizeof(int64_t)) != 0) {
			diag("%s: missing or another shape", want[i].name);
			shapes = 0;
		}
	}
	ok(shapes, "resnet18: conv1.weight 64x3x7x7, layer1.0.conv1.weight, "
	    "layer2.0.downsample.0.weight 128x64x1x1, fc.weight 1000x512, ...");

	/* every F32 tensor through st_load; the I64 ones checked only */
	nfloat = nparam + nstat;
	it = calloc((size_t)f.ntensor, sizeof *it);
	data = malloc((size_t)nfloat * sizeof(float));
	if (it == NULL || data == NULL) {
		ok(0, "resnet18: memory");
		free(it);
		free(data);
		st_close(&f);
		return;
	}
	for (off = 0, i = 0; i < f.ntensor; i++) {
		t = &f.tensor[i];
		it[i].name = t->name;
		it[i].ndim = t->ndim;
		for (j = 0; j < t->ndim; j++)
			it[i].dim[j] = (long)t->dim[j];
		if (t->dtype == ST_F32) {
			it[i].p = data + off;
			off += (long)t->n;
		}
	}
	is_int(st_load(&f, it, f.ntensor, 0), 102, "resnet18: st_load reads "
	    "the 102 F32 tensors by name");
	finite = 1;
	for (off = 0; off < nfloat; off++)
		finite &= isfinite(data[off]);
	k = st_find(&f, "bn1.running_var");
	for (moved = 0, j = 0; k >= 0 && j < 64; j++)
		moved += it[k].p[j] != 1;
	ok(finite && moved > 32, "resnet18: all finite; bn1's running "
	    "variance moved by the training batches");

	/* back to torch: the F32 tensors only (lrf keeps no
	 * num_batches_tracked); torch fills those in */
	for (j = 0, i = 0; i < f.ntensor; i++)
		if (it[i].p != NULL)
			it[j++] = it[i];
	rc = st_save(back, it, j, NULL, 0);
	st_close(&f);
	free(it);
	free(data);
	is_int(rc, 0, "resnet18: st_save writes the 102 tensors back");
	snprintf(cmd, sizeof cmd, "cd examples/torch && /usr/bin/python3 -c '"
	    "import sys, torch, torchvision\n"
	    "from load_safetensors import load_safetensors as load\n"
	    "a, b = load(sys.argv[1]), load(sys.argv[2])\n"
	    "m = torchvision.models.resnet18()\n"
	    "m.load_state_dict(b)\n"
	    "s = m.state_dict()\n"
	    "assert set(a) == set(s) and set(a) - set(b) == "
	    "{k for k in a if k.endswith(\"num_batches_tracked\")}\n"
	    "assert all(torch.equal(a[k], b[k]) and torch.equal(b[k], s[k]) "
	    "for k in b)\n' %s %s && /usr/bin/python3 load_safetensors.py %s "
	    ">/dev/null", out, back, back);
	is_int(system(cmd), 0, "resnet18: torchvision loads lrf's file "
	    "strictly (load_safetensors.py), every tensor equal to torch's, "
	    "bit for bit");
}

static void
test_sniff(void)
{
	unsigned char h[16];

	le64(h, 2);
	memcpy(h + 8, "{}", 2);
	ok(st_sniff(h, 10, 10), "sniff: {} is safetensors");
	ok(!st_sniff(h, 10, 9), "sniff: a header past the end is not");
	ok(!st_sniff(h, 8, 10), "sniff: 8 bytes tell nothing");
	ok(!st_sniff((const unsigned char *)"LRFW\1\0\0\0\2\0\0\0", 12, 300),
	    "sniff: an LRFW file is not");
	h[8] = '[';
	ok(!st_sniff(h, 10, 10), "sniff: '[' is not");
	ok(strcmp(st_dtype_name(ST_BF16), "BF16") == 0 &&
	    strcmp(st_dtype_name(ST_F8_E4M3FNUZ), "F8_E4M3FNUZ") == 0 &&
	    strcmp(st_dtype_name(-1), "?") == 0 && st_dtype_bits(ST_F4) == 4 &&
	    st_dtype_bits(ST_C64) == 64 && st_dtype_bits(ST_NDTYPE) == 0,
	    "dtype names and sizes");
}

int
main(void)
{
	if (mkdtemp(dir) == NULL)
		return 1;
	umask(022);
	test_convert();
	test_torch_fixture();
	test_rust_bytes();
	rm_all();
	test_roundtrip();
	test_validation();
	test_truncated();
	test_load();
	test_sniff();
	test_net();
	test_block();
	test_resnet18();
	rm_all();
	rmdir(dir);
	return done();
}
