/*
 * fuzz_cfg - the YAML experiment loader (lib/cfg.c): cfg_load of any
 * bytes over the defaults, every section.  A file that loads must write
 * back (cfg_write) as YAML that loads to the same configuration: the
 * text written from the reloaded configuration is the same text.  A
 * file that does not load leaves the configuration untouched and sets
 * one "path:...: what" message.
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
	const char *path;

	cfg_defaults(&c);
	memcpy(&c0, &c, sizeof(c));
	path = fuzz_file(0, data, size);
	err_clear();
	if (cfg_load(&c, path) < 0) {
		fuzz_assert(fuzz_msg_ok(path));
		fuzz_assert(memcmp(&c, &c0, sizeof(c)) == 0);
		return 0;
	}
	roundtrip(&c, 1);
	return 0;
}
