/*
 * fuzz_plot - lrf-plot's reader and writer (lib/plot.c): plot_read over
 * any bytes, with its #@ suggest and stop marks and the #@ layer, model,
 * run and data lines of the subtitle (plot_about), then plot_write of
 * what it kept, twice over so that an overlay's key and marks run too.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plot.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct plot p;
	char about[512];
	FILE *fp, *out;
	int k, r;

	plot_init(&p);
	for (k = 0; k < 2; k++) {
		if ((fp = fopen(fuzz_file(0, data, size), "r")) == NULL)
			abort();
		r = plot_read(&p, fp, "fuzz", k ? "two" : NULL);
		fclose(fp);
		if (r < 0) {
			fuzz_assert(fuzz_msg_ok("fuzz"));
			break;
		}
		fuzz_assert(p.nrun == k + 1);
		plot_about(&p, k, about, sizeof(about));
		fuzz_assert(strlen(about) < sizeof(about));
		if ((out = fopen("/dev/null", "w")) == NULL)
			abort();
		p.term = k ? PLOT_DUMB : PLOT_PNG;
		if (plot_write(out, &p) < 0)
			fuzz_assert(fuzz_msg_ok(""));
		fclose(out);
	}
	plot_free(&p);
	return 0;
}
