/*
 * fuzz_img - the image decoders and the resample (lib/img.c through
 * img_decode): any bytes as the file, the geometry a first byte chooses.
 *
 * Flags byte: bit 0 one channel (else three); bit 1 IMG_NOSCALE; bits
 * 2-4 the size: Resize(s) + CenterCrop(s) for s in 1 5 17 32 64, or
 * Resize([9, 13]), Resize([40, 3]), Resize(7) + CenterCrop(20, 3) (the
 * crop pads).
 *
 * IMG_NOSCALE is dropped for a JPEG whose header claims more than 2^22
 * pixels: a header can claim 170 million pixels of a picture whose
 * entropy data ends early (libjpeg fills the rest without a warning, as
 * for Pillow), and decoding and resampling that in full takes about a
 * second natively but longer than the fuzzer's 10 s limit under ASan.
 * With DCT scaling (the default) it is decoded at 1/8 and quick.
 *
 * Properties: a failure zeroes the sample and leaves a one-line message
 * that starts with the name; a success leaves none.  One context serves
 * every input, so a decoder left in a bad state by one input shows up
 * as a failure of a later one.
 */
#include <string.h>
#include <turbojpeg.h>

#include "fuzz.h"
#include "img.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const int sizes[8][4] = {	/* resize h, w, crop h, w */
		{ 1, 0, 1, 1 }, { 5, 0, 5, 5 }, { 17, 0, 17, 17 },
		{ 32, 0, 32, 32 }, { 64, 0, 64, 64 }, { 9, 13, 9, 13 },
		{ 40, 3, 40, 3 }, { 7, 0, 20, 3 },
	};
	static uint8_t out[3 * 64 * 64];
	static struct img_ctx *x;
	struct img_geom g;
	const int *s;
	size_t i, n;
	int flags, r;

	if (size < 1)
		return 0;
	if (x == NULL && (x = img_ctx_new()) == NULL)
		abort();
	flags = data[0];
	s = sizes[(flags >> 2) & 7];
	memset(&g, 0, sizeof(g));
	g.channels = flags & 1 ? 1 : 3;
	g.resize_h = s[0];
	g.resize_w = s[1];
	g.h = s[2];
	g.w = s[3];
	g.flags = flags & 2 ? IMG_NOSCALE : 0;
	if (g.flags && size > 4 && data[1] == 0xff && data[2] == 0xd8) {
		tjhandle tj;
		int w, h, ss, cs;

		if ((tj = tjInitDecompress()) == NULL)
			abort();
		w = h = 0;
		if (tjDecompressHeader3(tj, data + 1, size - 1, &w, &h, &ss,
		    &cs) == 0 && (long)w * h > (1L << 22))
			g.flags = 0;
		tjDestroy(tj);
	}
	fuzz_assert(img_geom_check(&g) == 0);
	n = (size_t)g.channels * g.h * g.w;
	memset(out, 0xa5, sizeof(out));
	r = img_decode(x, data + 1, size - 1, "fuzz", &g, out);
	if (r < 0) {
		const char *m = img_ctx_msg(x);

		fuzz_assert(strncmp(m, "fuzz: ", 6) == 0 && m[6] != '\0' &&
		    strchr(m, '\n') == NULL);
		for (i = 0; i < n; i++)
			fuzz_assert(out[i] == 0);
	} else
		fuzz_assert(img_ctx_msg(x)[0] == '\0');
	for (i = n; i < sizeof(out); i++)	/* nothing past the sample */
		fuzz_assert(out[i] == 0xa5);
	return 0;
}
