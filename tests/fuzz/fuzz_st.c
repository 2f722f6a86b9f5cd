/*
 * fuzz_st - the safetensors reader (lib/st.c): st_open of any bytes, then
 * st_read, st_load and a round trip through st_save of what it accepted.
 *
 * A failed open sets one "path: what" line and leaves nothing open.  An
 * open file keeps the promises of st.h: every shape times its dtype is
 * its bytes, the tensors tile the data, every name is found by st_find;
 * its F32, F16 and BF16 tensors read, and a strict st_load of all its
 * tensors (those floats read, the others only checked) succeeds; written
 * back as F32 by st_save and read again they are the same names, shapes,
 * metadata and bits.  A partial st_load of two fixed names never fails
 * but for a dtype it cannot read.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "st.h"
#include "fuzz.h"

static char dir[] = "/tmp/lrf-fuzz-st.XXXXXX", out[64];

static void
cleanup(void)
{
	unlink(out);
	rmdir(dir);
}

static int
floaty(int dtype)
{
	return dtype == ST_F32 || dtype == ST_F16 || dtype == ST_BF16;
}

/* The tensors tile [0, data) and each holds its shape's bytes. */
static int
consistent(const struct st_file *f)
{
	const struct st_tensor *t;
	uint64_t covered, bits;
	int i;

	covered = 0;
	for (i = 0; i < f->ntensor; i++) {
		t = &f->tensor[i];
		bits = (uint64_t)st_dtype_bits(t->dtype);
		if (t->end < t->begin || t->end > f->size - 8 - f->hlen ||
		    t->n * bits / 8 != t->end - t->begin ||
		    st_find(f, t->name) != i)
			return 0;
		covered += t->end - t->begin;
	}
	/* no overlap (st.c sorts to see it) and no hole: the sizes add up */
	return covered == f->size - 8 - f->hlen;
}

static void
roundtrip(const struct st_file *f, struct st_item *it, float **val, int nf)
{
	struct st_file g;
	float *v;
	int i, k, j;

	fuzz_assert(st_save(out, it, nf, f->meta, f->nmeta) == 0);
	fuzz_assert(st_open(&g, out) == 0);
	fuzz_assert(g.ntensor == nf && g.nmeta == f->nmeta);
	for (i = 0; i < f->nmeta; i++)
		fuzz_assert(strcmp(g.meta[2 * i], f->meta[2 * i]) == 0 &&
		    strcmp(g.meta[2 * i + 1], f->meta[2 * i + 1]) == 0);
	for (i = 0; i < nf; i++) {
		k = st_find(&g, it[i].name);
		fuzz_assert(k == i && g.tensor[k].dtype == ST_F32 &&
		    g.tensor[k].ndim == it[i].ndim);
		for (j = 0; j < it[i].ndim; j++)
			fuzz_assert(g.tensor[k].dim[j] == it[i].dim[j]);
		v = malloc((size_t)g.tensor[k].n * sizeof(float) + 1);
		fuzz_assert(v != NULL && st_read(&g, k, v) == 0);
		fuzz_assert(memcmp(v, val[i], (size_t)g.tensor[k].n *
		    sizeof(float)) == 0);
		free(v);
	}
	st_close(&g);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct st_file f;
	struct st_item *it, two[2];
	float **val, buf[64];
	const char *path;
	int i, j, nf, rc;

	if (out[0] == '\0') {
		if (mkdtemp(dir) == NULL)
			abort();
		snprintf(out, sizeof(out), "%s/rt.safetensors", dir);
		atexit(cleanup);
	}
	path = fuzz_file(0, data, size);
	err_clear();
	if (st_open(&f, path) == -1) {
		fuzz_assert(fuzz_msg_ok(path));
		fuzz_assert(f.tensor == NULL && f.strings == NULL &&
		    f.fd == -1);
		return 0;
	}
	fuzz_assert(consistent(&f));
	fuzz_assert(st_sniff(data, size, size));

	/* every tensor: the floats read, the others checked */
	it = calloc((size_t)f.ntensor + 1, sizeof *it);
	val = calloc((size_t)f.ntensor + 1, sizeof *val);
	fuzz_assert(it != NULL && val != NULL);
	for (nf = i = 0; i < f.ntensor; i++) {
		it[i].name = f.tensor[i].name;
		it[i].ndim = f.tensor[i].ndim;
		for (j = 0; j < f.tensor[i].ndim; j++)
			it[i].dim[j] = (long)f.tensor[i].dim[j];
		if (floaty(f.tensor[i].dtype)) {
			/* at most 8 elements a byte (F4 aside, never read) */
			val[i] = malloc((size_t)f.tensor[i].n * sizeof(float) +
			    1);
			fuzz_assert(val[i] != NULL);
			fuzz_assert(st_read(&f, i, val[i]) == 0);
			it[i].p = val[i];
			nf++;
		} else {
			fuzz_assert(st_read(&f, i, buf) == -1 &&
			    fuzz_msg_ok(path));
		}
	}
	rc = st_load(&f, it, f.ntensor, 0);
	fuzz_assert(rc == nf);
	for (i = 0; i < f.ntensor; i++)
		fuzz_assert(f.tensor[i].used &&
		    it[i].status == (it[i].p != NULL ? ST_LOADED : ST_PRESENT));

	/* the float tensors, first, written back and read again */
	for (j = i = 0; i < f.ntensor; i++)
		if (it[i].p != NULL) {
			it[j] = it[i];
			val[j++] = val[i];
		}
	for (i = nf; i < f.ntensor; i++)
		val[i] = NULL;
	roundtrip(&f, it, val, nf);

	/* a partial load of names that may or may not be there */
	memset(two, 0, sizeof two);
	two[0] = (struct st_item){ "a", 1, { 2 }, buf, 0, 0 };
	two[1] = (struct st_item){ "", 0, { 0 }, buf + 2, 0, 0 };
	err_clear();
	rc = st_load(&f, two, 2, 1);
	if (rc == -1)
		fuzz_assert(fuzz_msg_ok(path) &&
		    strstr(err_msg(), "cannot be read as float32") != NULL);
	else
		fuzz_assert(rc == (two[0].status == ST_LOADED) +
		    (two[1].status == ST_LOADED));

	for (i = 0; i < nf; i++)
		free(val[i]);
	free(val);
	free(it);
	st_close(&f);
	return 0;
}
