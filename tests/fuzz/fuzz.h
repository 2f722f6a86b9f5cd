/*
 * fuzz.h - what the libFuzzer harnesses share (tests/fuzz/fuzz_*.c).
 *
 * The loaders read files by name, so an input is written to one
 * temporary file per slot, unlinked at once and named by its
 * /proc/self/fd link: no file is left behind, whatever happens.
 */
#ifndef LRF_FUZZ_H
#define LRF_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "err.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_SLOTS	2

/* A property the code promises does not hold: a finding. */
#define fuzz_assert(c) do {						\
	if (!(c)) {							\
		fprintf(stderr, "%s:%d: property violated: %s (%s)\n",	\
		    __FILE__, __LINE__, #c, err_msg());			\
		abort();						\
	}								\
} while (0)

/* Make slot k hold data[0..n-1]; returns its path. */
static inline const char *
fuzz_file(int k, const void *data, size_t n)
{
	static int fd[FUZZ_SLOTS] = { -1, -1 };
	static char path[FUZZ_SLOTS][32];
	char tmpl[] = "/tmp/lrf-fuzz.XXXXXX";
	const char *p;
	ssize_t w;

	if (fd[k] < 0) {
		if ((fd[k] = mkstemp(tmpl)) < 0) {
			perror("mkstemp");
			abort();
		}
		unlink(tmpl);
		snprintf(path[k], sizeof(path[k]), "/proc/self/fd/%d", fd[k]);
	}
	if (ftruncate(fd[k], 0) < 0) {
		perror("ftruncate");
		abort();
	}
	for (p = data; n > 0; p += w, n -= (size_t)w)
		if ((w = pwrite(fd[k], p, n, p - (const char *)data)) <= 0) {
			perror("pwrite");
			abort();
		}
	return path[k];
}

/* A message was set and it is a one-line "where: what". */
static inline int
fuzz_msg_ok(const char *prefix)
{
	const char *m;

	m = err_msg();
	return m[0] != '\0' && strchr(m, '\n') == NULL &&
	    (prefix == NULL || strncmp(m, prefix, strlen(prefix)) == 0);
}

#endif
