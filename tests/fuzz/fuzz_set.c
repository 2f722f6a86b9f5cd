/*
 * fuzz_set - --set section.key=value (cmd/prog.h: cfg_set of the text
 * before and after the first '='), over the defaults.  A value that is
 * set must write back (cfg_write) as YAML that loads, and the text
 * written from the reloaded configuration is the same text; one that is
 * refused leaves the configuration untouched and sets one message.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfg.h"
#include "fuzz.h"

/* cfg_write of c into a malloc'd string (NULL if it fails). */
static char *
written(const struct cfg *c, size_t *len)
{
	char *s;
	FILE *fp;
	int r;

	s = NULL;
	if ((fp = open_memstream(&s, len)) == NULL)
		abort();
	r = cfg_write(fp, c);
	fclose(fp);
	if (r < 0) {
		free(s);
		return NULL;
	}
	return s;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct cfg c, c0, c2;
	const char *path;
	char *arg, *eq, *y1, *y2;
	size_t n1, n2;

	if ((arg = malloc(size + 1)) == NULL)
		abort();
	memcpy(arg, data, size);
	arg[size] = '\0';			/* argv holds no NUL */
	cfg_defaults(&c);
	memcpy(&c0, &c, sizeof(c));
	err_clear();
	if ((eq = strchr(arg, '=')) == NULL) {
		free(arg);
		return 0;
	}
	*eq = '\0';
	if (cfg_set(&c, arg, eq + 1) < 0) {
		fuzz_assert(fuzz_msg_ok(NULL));
		fuzz_assert(memcmp(&c, &c0, sizeof(c)) == 0);
		free(arg);
		return 0;
	}
	free(arg);
	if ((y1 = written(&c, &n1)) == NULL)
		return 0;
	path = fuzz_file(0, y1, n1);
	cfg_defaults(&c2);
	if (cfg_load(&c2, path) < 0) {
		fprintf(stderr, "written:\n%s\n", y1);
		fuzz_assert(!"cfg_write's output does not load");
	}
	y2 = written(&c2, &n2);
	fuzz_assert(y2 != NULL);
	if (n1 != n2 || memcmp(y1, y2, n1) != 0) {
		fprintf(stderr, "first:\n%s\nreloaded:\n%s\n", y1, y2);
		fuzz_assert(!"cfg_write -> cfg_load -> cfg_write differs");
	}
	free(y1);
	free(y2);
	return 0;
}
