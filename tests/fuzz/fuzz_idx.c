/*
 * fuzz_idx - the IDX loader (lib/idx.c through data_load): a labels file
 * and an images file, raw or gzip, with any header.
 *
 * Input: one byte of flags (bit 0: regression; bit 1: standardize; bit
 * 2: keep only labels 1 and 0), two bytes (little-endian) giving the
 * length L of the labels file, the labels file (L bytes, fewer if the
 * input ends), then the images file.
 */
#include <string.h>

#include "cfg.h"
#include "data.h"
#include "fuzz.h"
#include "fuzz_data.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct cfg c;
	struct dataset ds;
	const char *lab, *img;
	size_t L;
	int flags;

	if (size < 3)
		return 0;
	flags = data[0];
	L = data[1] | (size_t)data[2] << 8;
	data += 3;
	size -= 3;
	if (L > size)
		L = size;
	lab = fuzz_file(0, data, L);
	img = fuzz_file(1, data + L, size - L);

	cfg_defaults(&c);
	c.data.format = DATA_IDX;
	snprintf(c.data.labels, sizeof(c.data.labels), "%s", lab);
	snprintf(c.data.images, sizeof(c.data.images), "%s", img);
	c.data.task = flags & 1 ? TASK_REGRESSION : TASK_CLASSIFICATION;
	c.data.standardize = !!(flags & 2);
	if ((flags & 4) && !(flags & 1)) {
		c.data.keep[0] = 1;
		c.data.keep[1] = 0;
		c.data.nkeep = 2;
	}
	err_clear();
	if (data_load(&ds, &c.data, 1) < 0) {
		fuzz_assert(fuzz_msg_ok(NULL));
		fuzz_assert(ds.bytes == NULL && ds.x == NULL && ds.y == NULL &&
		    ds.t == NULL);
	} else {
		fuzz_assert(ds.bytes != NULL);
		fuzz_use(&ds, &c.data);
	}
	data_free(&ds);
	return 0;
}
