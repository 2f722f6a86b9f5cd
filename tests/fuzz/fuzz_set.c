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
#include "fuzz_cfg.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct cfg c, c0;
	char *arg, *eq;

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
	roundtrip(&c, 0);
	return 0;
}
