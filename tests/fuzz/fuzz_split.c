/*
 * fuzz_split - the seed layout's split list files read against a scan
 * (imgdir_split_read, what data.split reads): any bytes as the two
 * files, fold_0_train.txt the input up to its first 0xff byte,
 * fold_0_val.txt the rest.
 *
 * The scan is made once, of a folder of empty files (the scan opens no
 * file): classes a (a/1.png, a/2.jpg, a/sub/3.JPEG) and b (b/1.png,
 * b/x y.png), and left-out entries (a/.h.png, a/n.txt).
 *
 * Properties: a success gives at least one training index, every index
 * below the scan's count, each list strictly ascending, no index in both,
 * every validation class in training; a failure sets a message and
 * allocates nothing (LeakSanitizer sees it).
 */
#include <sys/stat.h>

#include "fuzz.h"
#include "imgdir.h"

static char dir[64];
static struct imgdir d;

static void
touch(const char *rel)
{
	char p[256];
	FILE *fp;

	snprintf(p, sizeof(p), "%s/r/%s", dir, rel);
	if ((fp = fopen(p, "w")) == NULL)
		abort();
	fclose(fp);
}

static void
setup(void)
{
	char p[256];

	snprintf(dir, sizeof(dir), "/tmp/lrf-fuzzsplit.XXXXXX");
	if (mkdtemp(dir) == NULL)
		abort();
	snprintf(p, sizeof(p), "%s/r", dir);
	mkdir(p, 0777);
	snprintf(p, sizeof(p), "%s/r/a", dir);
	mkdir(p, 0777);
	snprintf(p, sizeof(p), "%s/r/a/sub", dir);
	mkdir(p, 0777);
	snprintf(p, sizeof(p), "%s/r/b", dir);
	mkdir(p, 0777);
	snprintf(p, sizeof(p), "%s/s", dir);
	mkdir(p, 0777);
	touch("a/1.png");
	touch("a/2.jpg");
	touch("a/sub/3.JPEG");
	touch("a/.h.png");
	touch("a/n.txt");
	touch("b/1.png");
	touch("b/x y.png");
	snprintf(p, sizeof(p), "%s/r", dir);
	if (imgdir_scan(&d, p) < 0 || d.n != 5)
		abort();
}

static void
put(const char *name, const uint8_t *data, size_t n)
{
	char p[256];
	FILE *fp;

	snprintf(p, sizeof(p), "%s/s/%s", dir, name);
	if ((fp = fopen(p, "wb")) == NULL)
		abort();
	if (n > 0 && fwrite(data, 1, n, fp) != n)
		abort();
	fclose(fp);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint32_t *tr, *va;
	size_t ntr, nva, i, j, k;
	char p[256];
	int inval[2];

	if (dir[0] == '\0')
		setup();
	for (k = 0; k < size && data[k] != 0xff; k++)
		;
	put("fold_0_train.txt", data, k);
	put("fold_0_val.txt", data + (k < size ? k + 1 : k),
	    k < size ? size - k - 1 : 0);
	snprintf(p, sizeof(p), "%s/s", dir);
	tr = va = NULL;
	err_clear();
	if (imgdir_split_read(&d, p, 0, &tr, &ntr, &va, &nva) < 0) {
		fuzz_assert(err_msg()[0] != '\0');
		return 0;
	}
	fuzz_assert(ntr >= 1 && ntr <= d.n && nva <= d.n - ntr);
	for (i = 0; i < ntr; i++)
		fuzz_assert(tr[i] < d.n && (i == 0 || tr[i - 1] < tr[i]));
	inval[0] = inval[1] = 0;
	for (i = 0; i < nva; i++) {
		fuzz_assert(va[i] < d.n && (i == 0 || va[i - 1] < va[i]));
		for (j = 0; j < ntr; j++)
			fuzz_assert(tr[j] != va[i]);
		inval[d.label[va[i]]] = 1;
	}
	for (k = 0; k < 2; k++) {
		for (j = 0; j < ntr && d.label[tr[j]] != (int32_t)k; j++)
			;
		fuzz_assert(!inval[k] || j < ntr);
	}
	free(tr);
	free(va);
	return 0;
}
