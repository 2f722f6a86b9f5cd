/*
 * fuzz_csv - the CSV loader (lib/csv.c through data_load): any bytes as
 * the file, with the settings a first byte chooses.
 *
 * Flags byte: bit 0 data.header; bit 1 regression; bit 2 standardize;
 * bits 3-4 the delimiter (, ; TAB space); bits 5-7 data.label_column
 * (0, -1, 1, "label", "y", 2, "-2", "9").  The last byte (still part of
 * the file: a newline, 0x0a, chooses nothing) chooses the columns with
 * its bits 4-6: cols[] below, data.features and data.ignore.
 */
#include <string.h>

#include "cfg.h"
#include "data.h"
#include "fuzz.h"
#include "fuzz_data.h"

/* data.features and data.ignore, as set_cols stores them */
static const struct {
	const char *feat, *ign;
	int nfeat, nign;
} cols[8] = {
	{ "", "", 0, 0 },
	{ "", "0", 0, 1 },
	{ "", "b\0" "2", 0, 2 },
	{ "1", "", 1, 0 },
	{ "a\0x\0" "0", "", 3, 0 },
	{ "2", "0", 1, 1 },
	{ "y", "label", 1, 1 },
	{ "", "Unnamed: 0", 0, 1 },
};

/* n NUL-terminated names from s into buf; n. */
static int
setcols(char *buf, const char *s, int n)
{
	size_t len;
	int i;

	for (i = 0, len = 0; i < n; i++)
		len += strlen(s + len) + 1;
	memcpy(buf, s, len);
	return n;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char delims[] = ",;\t ";
	static const char *const labels[] = { "0", "-1", "1", "label", "y",
	    "2", "-2", "9" };
	static struct cfg c;
	struct dataset ds;
	int flags, k;

	if (size < 1)
		return 0;
	flags = data[0];
	cfg_defaults(&c);
	c.data.format = DATA_CSV;
	snprintf(c.data.path, sizeof(c.data.path), "%s",
	    fuzz_file(0, data + 1, size - 1));
	c.data.header = flags & 1;
	c.data.task = flags & 2 ? TASK_REGRESSION : TASK_CLASSIFICATION;
	c.data.standardize = !!(flags & 4);
	c.data.delimiter = delims[(flags >> 3) & 3];
	snprintf(c.data.label_column, sizeof(c.data.label_column), "%s",
	    labels[(flags >> 5) & 7]);
	k = (data[size - 1] >> 4) & 7;
	c.data.nfeatcols = setcols(c.data.featcols, cols[k].feat,
	    cols[k].nfeat);
	c.data.nignore = setcols(c.data.ignore, cols[k].ign, cols[k].nign);
	err_clear();
	if (data_load(&ds, &c.data, 1) < 0) {
		fuzz_assert(fuzz_msg_ok(NULL));
		fuzz_assert(ds.bytes == NULL && ds.x == NULL && ds.y == NULL &&
		    ds.t == NULL);
	} else {
		fuzz_assert(ds.x != NULL);
		fuzz_use(&ds, &c.data);
	}
	data_free(&ds);
	return 0;
}
