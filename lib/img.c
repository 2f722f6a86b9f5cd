/*
 * img.c - JPEG (TurboJPEG) and PNG (libspng) decoding, Pillow's colour
 * conversions, and Pillow's BILINEAR resample with torchvision's Resize
 * and CenterCrop geometry.
 *
 * A sample is made in three steps, each into a buffer of the context
 * that grows and is kept for the next image:
 *
 *	file bytes  -> pix (sh, sw, pc)	decoded; pc = 1 gray, 3 RGB (CMYK
 *					converted, alpha dropped)
 *	pix         -> tmp (ny, ncol, pc)	horizontal pass: only the input
 *					rows the vertical pass reads, only
 *					the columns the crop keeps
 *	tmp         -> out (C, h, w)	vertical pass, planar, zeros where
 *					the crop pads; gray repeated for C = 3
 *
 * The resample is Pillow's (libImaging/Resample.c) reimplemented from its
 * arithmetic: for output index i of n from an input of size m,
 * scale = m / n, filterscale = max(scale, 1), support = filterscale
 * (the triangle's is 1), center = (i + 0.5) * scale, taps
 * [(int)(center - support + 0.5), (int)(center + support + 0.5)) clipped
 * to [0, m), weight of tap x: tri((x - center + 0.5) / filterscale),
 * normalised to sum 1, then (int)(w * 2^22 +- 0.5); a pass sums taps *
 * weights from 2^21 (rounding) and shifts by 22, clipped to 0..255.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <spng.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <turbojpeg.h>
#include <unistd.h>

#include "err.h"
#include "img.h"

#define PREC	22		/* bits of a fixed-point weight (Pillow's
				   PRECISION_BITS, 32 - 8 - 2) */
#define DEFLATE_MAX	1032	/* the most bytes deflate makes of one */
#define PNG_CHUNKMAX	((size_t)64 << 20)	/* an ancillary chunk, and
				   all of them together, in libspng */

struct img_ctx {
	tjhandle tj;		/* TurboJPEG decompressor */
	uint8_t	*file;		/* (filecap) the file's bytes */
	size_t	 filecap;
	uint8_t	*pix;		/* (pixcap) decoded (sh, sw, pc) */
	size_t	 pixcap;
	uint8_t	*tmp;		/* (tmpcap) horizontal pass (ny, ncol, pc) */
	size_t	 tmpcap;
	int32_t	*kx;		/* (kxcap) column weights (ncol, kxsize) */
	size_t	 kxcap;
	int32_t	*ky;		/* (kycap) row weights (nrow, kysize) */
	size_t	 kycap;
	long	*bx;		/* (bxcap) per column: first tap, taps */
	size_t	 bxcap;
	long	*by;		/* (bycap) per row: first tap, taps */
	size_t	 bycap;
	double	*pre;		/* (precap) one pixel's weights, unscaled */
	size_t	 precap;
	int32_t	*acc;		/* (acccap) one output row's sums */
	size_t	 acccap;
	char	 msg[IMG_MSGMAX];
};

const float img_imagenet_mean[3] = { 0.485f, 0.456f, 0.406f };
const float img_imagenet_std[3] = { 0.229f, 0.224f, 0.225f };

static int __attribute__((format(printf, 3, 4)))
fail(struct img_ctx *x, const char *name, const char *fmt, ...)
{
	va_list ap;
	size_t k;

	k = (size_t)snprintf(x->msg, sizeof(x->msg), "%s: ", name);
	if (k >= sizeof(x->msg))
		k = sizeof(x->msg) - 1;
	va_start(ap, fmt);
	vsnprintf(x->msg + k, sizeof(x->msg) - k, fmt, ap);
	va_end(ap);
	return -1;
}

/* Make *buf hold n elements of size sz; 0 or -1. */
static int
grow(void *bufp, size_t *cap, size_t n, size_t sz)
{
	void **buf = bufp;
	void *p;

	if (n <= *cap)
		return 0;
	if (n > SIZE_MAX / sz)
		return -1;
	if ((p = realloc(*buf, n * sz)) == NULL)
		return -1;
	*buf = p;
	*cap = n;
	return 0;
}

void
img_geom_size(struct img_geom *g, int channels, int h, int w)
{
	memset(g, 0, sizeof(*g));
	g->channels = channels;
	g->resize_h = h;
	g->resize_w = w;
	g->h = h;
	g->w = w > 0 ? w : h;
}

int
img_geom_check(const struct img_geom *g)
{
	if (g->channels != 1 && g->channels != 3)
		return err_set("data.channels: %d, expected 1 (gray) or 3 "
		    "(RGB)", g->channels);
	if (g->resize_h < 1 || g->resize_h > IMG_MAXSIDE ||
	    g->resize_w < 0 || g->resize_w > IMG_MAXSIDE ||
	    g->h < 1 || g->h > IMG_MAXSIDE || g->w < 1 || g->w > IMG_MAXSIDE)
		return err_set("data.size: sides must be 1..%d", IMG_MAXSIDE);
	return 0;
}

void
img_resized(const struct img_geom *g, long ih, long iw, long *rh, long *rw)
{
	long s, sh, lo;

	if (g->resize_w > 0) {
		*rh = g->resize_h;
		*rw = g->resize_w;
		return;
	}
	/* Python: int(size * long / short), a double division truncated */
	s = g->resize_h;
	sh = iw <= ih ? iw : ih;
	lo = iw <= ih ? ih : iw;
	lo = (long)((double)((long long)s * lo) / (double)sh);
	if (iw <= ih) {
		*rw = s;
		*rh = lo;
	} else {
		*rh = s;
		*rw = lo;
	}
}

/* CenterCrop's offset of a crop of c in a side of n: Python's
 * int(round((n - c) / 2.0)), half to even; -((c - n) // 2) when the
 * crop pads. */
static long
cropoff(long n, long c)
{
	long d, q;

	if (c > n)
		return -((c - n) / 2);
	d = n - c;
	q = d / 2;
	if (d % 2 == 1 && q % 2 == 1)
		q++;
	return q;
}

void
img_cropbox(const struct img_geom *g, long rh, long rw, long *top,
    long *left)
{
	*top = cropoff(rh, g->h);
	*left = cropoff(rw, g->w);
}

struct img_ctx *
img_ctx_new(void)
{
	struct img_ctx *x;

	if ((x = calloc(1, sizeof(*x))) == NULL) {
		err_set("out of memory");
		return NULL;
	}
	if ((x->tj = tjInitDecompress()) == NULL) {
		err_set("cannot start the JPEG decoder: %s",
		    tjGetErrorStr2(NULL));
		free(x);
		return NULL;
	}
	return x;
}

void
img_ctx_free(struct img_ctx *x)
{
	if (x == NULL)
		return;
	if (x->tj != NULL)
		tjDestroy(x->tj);
	free(x->file);
	free(x->pix);
	free(x->tmp);
	free(x->kx);
	free(x->ky);
	free(x->bx);
	free(x->by);
	free(x->pre);
	free(x->acc);
	free(x);
}

const char *
img_ctx_msg(const struct img_ctx *x)
{
	return x->msg;
}

/* What a file that is neither JPEG nor PNG looks like, or NULL. */
static const char *
sniff(const uint8_t *b, size_t n)
{
	if (n >= 6 && (memcmp(b, "GIF87a", 6) == 0 ||
	    memcmp(b, "GIF89a", 6) == 0))
		return "a GIF image";
	if (n >= 2 && b[0] == 'B' && b[1] == 'M')
		return "a BMP image";
	if (n >= 12 && memcmp(b, "RIFF", 4) == 0 &&
	    memcmp(b + 8, "WEBP", 4) == 0)
		return "a WebP image";
	if (n >= 4 && (memcmp(b, "II*\0", 4) == 0 ||
	    memcmp(b, "MM\0*", 4) == 0))
		return "a TIFF image";
	if (n >= 12 && memcmp(b + 4, "ftyp", 4) == 0)
		return "a HEIF/AVIF or MP4 file";
	if (n >= 2 && b[0] == 0xff && b[1] == 0xd8)
		return NULL;	/* a JPEG start without a marker after it */
	return NULL;
}

/* ---- conversions, in place on (npix, pc) pixels ---- */

/* Pillow's convert('L'): (19595 R + 38470 G + 7471 B + 0x8000) >> 16. */
static void
rgb2gray(uint8_t *p, size_t npix)
{
	size_t i;

	for (i = 0; i < npix; i++)
		p[i] = (uint8_t)((p[3 * i] * 19595u + p[3 * i + 1] * 38470u +
		    p[3 * i + 2] * 7471u + 0x8000u) >> 16);
}

/* Adobe-inverted CMYK (as libjpeg returns it) to RGB with Pillow's
 * cmyk2rgb of the true values: nk = 255 - K, R = nk - nk * C / 255
 * (MULDIV255: t = a * b + 128, ((t >> 8) + t) >> 8). */
static void
cmyk2rgb(uint8_t *p, size_t npix)
{
	size_t i;
	int c, nk, t, j;

	for (i = 0; i < npix; i++) {
		nk = p[4 * i + 3];	/* stored inverted: 255 - K */
		for (j = 0; j < 3; j++) {
			c = 255 - p[4 * i + j];
			t = c * nk + 128;
			t = nk - (((t >> 8) + t) >> 8);
			p[3 * i + j] = (uint8_t)(t < 0 ? 0 : t > 255 ? 255 : t);
		}
	}
}

/* ---- decoders: file bytes -> x->pix (sh, sw, pc) ---- */

/*
 * Decode a JPEG at the largest of 1/8, 1/4, 1/2 that keeps the target
 * rh x rw inside it (Pillow's draft() rule), unless noscale.
 */
static int
jpeg_decode(struct img_ctx *x, const uint8_t *b, size_t n, const char *name,
    const struct img_geom *g, long *oh, long *ow, long *sh, long *sw,
    int *pc)
{
	tjscalingfactor *sf;
	long rh, rw, need;
	int w, h, ss, cs, pf, s, nsf, i, fw, fh, flags, r;
	const char *m;

	/*
	 * A header that fails leaves TurboJPEG 2.1's decompressor in the
	 * middle of its header state (it does not abort it), and the next
	 * image would fail on it: a failed handle is replaced.
	 */
	if (x->tj == NULL && (x->tj = tjInitDecompress()) == NULL)
		return fail(x, name, "out of memory");
	w = h = 0;
	if (tjDecompressHeader3(x->tj, b, (unsigned long)n, &w, &h, &ss,
	    &cs) < 0) {
		m = tjGetErrorStr2(x->tj);
		if (strstr(m, "Premature end") != NULL)
			r = fail(x, name, "truncated JPEG (%s)", m);
		else
			r = fail(x, name, "corrupt JPEG (%s)", m);
		tjDestroy(x->tj);
		x->tj = tjInitDecompress();
		return r;
	}
	/* no frame header before the end: tables only, or cut short */
	if (w < 1 || h < 1)
		return fail(x, name, "truncated JPEG (no image before the end "
		    "of the data)");
	if ((long)w * h > IMG_MAXPIXELS)
		return fail(x, name, "image too large (%d x %d pixels, at most "
		    "%ld)", w, h, IMG_MAXPIXELS);
	switch (cs) {
	case TJCS_GRAY:
		pf = TJPF_GRAY;
		break;
	case TJCS_CMYK:
	case TJCS_YCCK:
		pf = TJPF_CMYK;
		break;
	default:
		pf = TJPF_RGB;
		break;
	}
	s = 1;
	if (!(g->flags & IMG_NOSCALE)) {
		img_resized(g, h, w, &rh, &rw);
		for (s = 8; s > 1; s /= 2)
			if (w / s >= rw && h / s >= rh)
				break;
		if (s > 1) {
			/* only a factor the library offers */
			if ((sf = tjGetScalingFactors(&nsf)) == NULL)
				nsf = 0;
			for (i = 0; i < nsf; i++)
				if (sf[i].num == 1 && sf[i].denom == s)
					break;
			if (i == nsf)
				s = 1;
		}
	}
	/* TJSCALED: ceil(dim / s), as libjpeg sizes a scaled output */
	fw = (w + s - 1) / s;
	fh = (h + s - 1) / s;
	need = (long)fw * fh * tjPixelSize[pf];
	if (grow(&x->pix, &x->pixcap, (size_t)need, 1) < 0)
		return fail(x, name, "out of memory (%d x %d pixels)", w, h);
	/*
	 * First with TJFLAG_STOPONWARNING, so that a file cut short stops
	 * at its end (libjpeg would otherwise invent the rest of the image
	 * and a header claiming 13000 x 13000 pixels would be decoded in
	 * full); a warning that is not the end of the data (corrupt
	 * entropy data, which Pillow decodes through) is decoded again
	 * without it.
	 */
	flags = TJFLAG_ACCURATEDCT | TJFLAG_LIMITSCANS | TJFLAG_STOPONWARNING;
	for (;;) {
		r = tjDecompress2(x->tj, b, (unsigned long)n, x->pix, fw, 0, fh,
		    pf, flags);
		if (r == 0)
			break;
		m = tjGetErrorStr2(x->tj);
		if (strstr(m, "Premature end") != NULL)
			r = fail(x, name, "truncated JPEG (%s)", m);
		else if (tjGetErrorCode(x->tj) != TJERR_WARNING)
			r = fail(x, name, "corrupt JPEG (%s)", m);
		else if (flags & TJFLAG_STOPONWARNING) {
			flags &= ~TJFLAG_STOPONWARNING;
			continue;
		} else
			break;	/* the warning again: kept */
		tjDestroy(x->tj);
		x->tj = tjInitDecompress();
		return r;
	}
	if (pf == TJPF_CMYK)
		cmyk2rgb(x->pix, (size_t)fw * fh);
	*oh = h;
	*ow = w;
	*sh = fh;
	*sw = fw;
	*pc = pf == TJPF_GRAY ? 1 : 3;
	return 0;
}

static int
png_fail(struct img_ctx *x, const char *name, int r)
{
	if (r == SPNG_EOF || r == SPNG_IO_EOF)
		return fail(x, name, "truncated PNG (%s)", spng_strerror(r));
	if (r == SPNG_EMEM)
		return fail(x, name, "out of memory");
	return fail(x, name, "corrupt PNG (%s)", spng_strerror(r));
}

static int
png_decode(struct img_ctx *x, const uint8_t *b, size_t n, const char *name,
    long *sh, long *sw, int *pc)
{
	struct spng_ihdr ih;
	spng_ctx *ctx;
	size_t len, npix, i, rowbytes;
	int r, fmt, ch, gray, alpha;
	double raw;

	if ((ctx = spng_ctx_new(0)) == NULL)
		return fail(x, name, "out of memory");
	spng_set_chunk_limits(ctx, PNG_CHUNKMAX, PNG_CHUNKMAX);
	if ((r = spng_set_png_buffer(ctx, b, n)) != 0 ||
	    (r = spng_get_ihdr(ctx, &ih)) != 0) {
		spng_ctx_free(ctx);
		return png_fail(x, name, r);
	}
	if (ih.width < 1 || ih.height < 1 ||
	    (double)ih.width * ih.height > (double)IMG_MAXPIXELS) {
		spng_ctx_free(ctx);
		return fail(x, name, "image too large (%u x %u pixels, at most "
		    "%ld)", ih.width, ih.height, IMG_MAXPIXELS);
	}
	/*
	 * The filtered scanlines (a filter byte and the packed samples of
	 * each row) are what the zlib data inflates to, and deflate makes
	 * at most DEFLATE_MAX bytes of one: a header that claims more than
	 * the file could hold is a truncated (or hostile) file, found
	 * before allocating for it.
	 */
	ch = ih.color_type == SPNG_COLOR_TYPE_GRAYSCALE ? 1 :
	    ih.color_type == SPNG_COLOR_TYPE_TRUECOLOR ? 3 :
	    ih.color_type == SPNG_COLOR_TYPE_INDEXED ? 1 :
	    ih.color_type == SPNG_COLOR_TYPE_GRAYSCALE_ALPHA ? 2 : 4;
	rowbytes = ((size_t)ih.width * ch * ih.bit_depth + 7) / 8 + 1;
	raw = (double)rowbytes * ih.height;
	if (raw > (double)DEFLATE_MAX * (double)n) {
		spng_ctx_free(ctx);
		return fail(x, name, "truncated PNG (%u x %u pixels cannot be "
		    "in %zu bytes)", ih.width, ih.height, n);
	}
	gray = ih.color_type == SPNG_COLOR_TYPE_GRAYSCALE ||
	    ih.color_type == SPNG_COLOR_TYPE_GRAYSCALE_ALPHA;
	alpha = ih.color_type == SPNG_COLOR_TYPE_GRAYSCALE_ALPHA;
	if (gray && !alpha && ih.bit_depth <= 8)
		fmt = SPNG_FMT_G8;	/* 1, 2, 4 bits scaled to 8 */
	else if (gray)
		fmt = SPNG_FMT_PNG;	/* as stored (host-endian), gray
					   taken below */
	else
		fmt = SPNG_FMT_RGB8;	/* palette looked up, alpha dropped,
					   16 bits: the high byte */
	if ((r = spng_decoded_image_size(ctx, fmt, &len)) != 0) {
		spng_ctx_free(ctx);
		return png_fail(x, name, r);
	}
	if (grow(&x->pix, &x->pixcap, len, 1) < 0) {
		spng_ctx_free(ctx);
		return fail(x, name, "out of memory (%u x %u pixels)",
		    ih.width, ih.height);
	}
	r = spng_decode_image(ctx, x->pix, len, fmt, 0);
	spng_ctx_free(ctx);
	if (r != 0)
		return png_fail(x, name, r);
	npix = (size_t)ih.width * ih.height;
	if (fmt == SPNG_FMT_PNG) {
		/* gray of 8 or 16 bits, then alpha if there is one */
		const uint16_t *p = (const uint16_t *)x->pix;
		size_t sp = alpha ? 2 : 1;

		if (ih.bit_depth == 16)
			for (i = 0; i < npix; i++)
				x->pix[i] = (uint8_t)(p[sp * i] >> 8);
		else
			for (i = 0; i < npix; i++)
				x->pix[i] = x->pix[sp * i];
	}
	*sh = ih.height;
	*sw = ih.width;
	*pc = gray ? 1 : 3;
	return 0;
}

/* ---- resample ---- */

/*
 * Pillow's coefficients for the outputs [o0, o0 + no) of a side of m
 * pixels resized to nout: b[2 i] the first tap, b[2 i + 1] the number of
 * taps, k[i * ksize ...] the fixed-point weights.  Returns ksize, or -1
 * if out of memory.
 */
static long
coeffs(struct img_ctx *x, int32_t **k, size_t *kcap, long **b, size_t *bcap,
    long m, long nout, long o0, long no)
{
	double scale, fscale, support, center, ww, ss, t;
	long ksize, i, xx, lo, hi, j;
	int32_t *kk;

	scale = (double)m / (double)nout;
	fscale = scale < 1.0 ? 1.0 : scale;
	support = 1.0 * fscale;
	ksize = (long)ceil(support) * 2 + 1;
	if (ksize > m + 2)
		ksize = m + 2;	/* taps never exceed the input */
	if (grow(k, kcap, (size_t)(no * ksize), sizeof(int32_t)) < 0 ||
	    grow(b, bcap, (size_t)(2 * no), sizeof(long)) < 0 ||
	    grow(&x->pre, &x->precap, (size_t)ksize, sizeof(double)) < 0)
		return -1;
	ss = 1.0 / fscale;
	for (i = 0; i < no; i++) {
		xx = o0 + i;
		center = (xx + 0.5) * scale;
		lo = (long)(center - support + 0.5);
		if (lo < 0)
			lo = 0;
		hi = (long)(center + support + 0.5);
		if (hi > m)
			hi = m;
		hi -= lo;
		if (hi > ksize)
			hi = ksize;
		ww = 0.0;
		for (j = 0; j < hi; j++) {
			t = (j + lo - center + 0.5) * ss;
			if (t < 0.0)
				t = -t;
			t = t < 1.0 ? 1.0 - t : 0.0;
			x->pre[j] = t;
			ww += t;
		}
		kk = *k + i * ksize;
		for (j = 0; j < hi; j++) {
			t = ww != 0.0 ? x->pre[j] / ww : x->pre[j];
			kk[j] = t < 0 ? (int32_t)(-0.5 + t * (1 << PREC)) :
			    (int32_t)(0.5 + t * (1 << PREC));
		}
		for (; j < ksize; j++)
			kk[j] = 0;
		(*b)[2 * i] = lo;
		(*b)[2 * i + 1] = hi;
	}
	return ksize;
}

static inline uint8_t
clip8(int32_t v)
{
	v >>= PREC;
	return (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
}

/* acc[j] += p[j] * w: one tap of the vertical pass over a row (written
 * for the vectoriser: no aliasing, one trip count). */
static void
vtap(int32_t *restrict acc, const uint8_t *restrict p, int32_t w, size_t n)
{
	size_t j;

	for (j = 0; j < n; j++)
		acc[j] += p[j] * w;
}

/*
 * One row of the horizontal pass: dst (ncol, pc) from the input row in
 * (iw, pc).  A plain loop over each pixel's taps: a trip count that
 * changes from pixel to pixel, padding to a fixed one, sharing one 64-bit
 * product between two channels and a transposed, vectorised form were
 * all measured slower on 500 x 375 -> 224 (the multiplies bound it).
 */
static void
hrow(uint8_t *restrict dst, const uint8_t *restrict in, int pc,
    const long *b, const int32_t *kx, long ksx, long ncol)
{
	const uint8_t *src;
	const int32_t *k;
	int32_t s0, s1, s2;
	long xx, j, cnt;

	for (xx = 0; xx < ncol; xx++) {
		src = in + b[2 * xx] * pc;
		cnt = b[2 * xx + 1];
		k = kx + xx * ksx;
		s0 = s1 = s2 = 1 << (PREC - 1);
		if (pc == 1) {
			for (j = 0; j < cnt; j++)
				s0 += src[j] * k[j];
			dst[xx] = clip8(s0);
			continue;
		}
		for (j = 0; j < cnt; j++) {
			s0 += src[3 * j] * k[j];
			s1 += src[3 * j + 1] * k[j];
			s2 += src[3 * j + 2] * k[j];
		}
		dst[3 * xx] = clip8(s0);
		dst[3 * xx + 1] = clip8(s1);
		dst[3 * xx + 2] = clip8(s2);
	}
}

/*
 * x->pix (ih, iw, pc) -> out (C, g->h, g->w): Resize to rh x rw, then
 * the crop at (top, left).
 */
static int
resize(struct img_ctx *x, long ih, long iw, int pc, long rh, long rw,
    const struct img_geom *g, uint8_t *out, const char *name)
{
	long top, left, r0, r1, c0, c1, ncol, nrow, y0, y1, ny, ksx, ksy;
	long y, xx, j, lo, cnt, i, oy;
	size_t plane, rowlen;
	const uint8_t *src;
	uint8_t *dst;
	int32_t *k, *acc;
	int c, needh, needv, C;

	C = g->channels;
	plane = (size_t)g->h * g->w;
	memset(out, 0, plane * C);
	img_cropbox(g, rh, rw, &top, &left);
	/* the rows and columns of the resized image inside the crop */
	r0 = top < 0 ? 0 : top;
	r1 = top + g->h < rh ? top + g->h : rh;
	c0 = left < 0 ? 0 : left;
	c1 = left + g->w < rw ? left + g->w : rw;
	nrow = r1 - r0;
	ncol = c1 - c0;
	if (nrow <= 0 || ncol <= 0)
		goto replicate;
	needh = rw != iw;
	needv = rh != ih;
	ksx = ksy = 0;
	if (needv && (ksy = coeffs(x, &x->ky, &x->kycap, &x->by, &x->bycap,
	    ih, rh, r0, nrow)) < 0)
		return fail(x, name, "out of memory");
	if (needh && (ksx = coeffs(x, &x->kx, &x->kxcap, &x->bx, &x->bxcap,
	    iw, rw, c0, ncol)) < 0)
		return fail(x, name, "out of memory");
	/* the input rows the vertical pass reads */
	if (needv) {
		y0 = x->by[0];
		y1 = x->by[2 * (nrow - 1)] + x->by[2 * (nrow - 1) + 1];
	} else {
		y0 = r0;
		y1 = r1;
	}
	ny = y1 - y0;
	rowlen = (size_t)ncol * pc;

	/* horizontal pass: rows y0..y1 of the input, columns c0..c1 */
	if (needh) {
		if (grow(&x->tmp, &x->tmpcap, (size_t)ny * rowlen, 1) < 0)
			return fail(x, name, "out of memory");
		for (y = 0; y < ny; y++)
			hrow(x->tmp + (size_t)y * rowlen, x->pix + (size_t)(y0 +
			    y) * iw * pc, pc, x->bx, x->kx, ksx, ncol);
		src = x->tmp;
	} else
		src = x->pix + (size_t)y0 * iw * pc + (size_t)c0 * pc;
	/* src: (ny, ncol, pc), rows of stride */
#define ROW(r) (src + (size_t)(r) * (needh ? rowlen : (size_t)iw * pc))

	/* vertical pass into the planes, at the crop's place */
	if (grow(&x->acc, &x->acccap, rowlen, sizeof(int32_t)) < 0)
		return fail(x, name, "out of memory");
	acc = x->acc;
	for (i = 0; i < nrow; i++) {
		const uint8_t *rowp;

		oy = r0 + i - top;
		if (needv) {
			lo = x->by[2 * i] - y0;
			cnt = x->by[2 * i + 1];
			k = x->ky + i * ksy;
			for (j = 0; j < (long)rowlen; j++)
				acc[j] = 1 << (PREC - 1);
			for (y = 0; y < cnt; y++)
				vtap(acc, ROW(lo + y), k[y], rowlen);
			for (j = 0; j < (long)rowlen; j++)
				acc[j] = clip8(acc[j]);
			for (c = 0; c < pc; c++) {
				dst = out + c * plane + (size_t)oy * g->w +
				    (c0 - left);
				for (xx = 0; xx < ncol; xx++)
					dst[xx] = (uint8_t)acc[xx * pc + c];
			}
		} else {
			rowp = ROW(r0 + i - y0);
			for (c = 0; c < pc; c++) {
				dst = out + c * plane + (size_t)oy * g->w +
				    (c0 - left);
				for (xx = 0; xx < ncol; xx++)
					dst[xx] = rowp[xx * pc + c];
			}
		}
	}
#undef ROW
replicate:
	if (pc == 1 && C == 3) {
		memcpy(out + plane, out, plane);
		memcpy(out + 2 * plane, out, plane);
	}
	return 0;
}

int
img_decode(struct img_ctx *x, const void *buf, size_t n, const char *name,
    const struct img_geom *g, uint8_t *out)
{
	static const uint8_t pngsig[8] = { 0x89, 'P', 'N', 'G', '\r', '\n',
	    0x1a, '\n' };
	const uint8_t *b = buf;
	const char *what;
	long oh, ow, sh, sw, rh, rw;
	int pc, r;

	oh = ow = sh = sw = pc = 0;
	x->msg[0] = '\0';
	if (n == 0)
		r = fail(x, name, "empty file");
	else if (n > IMG_MAXFILE)
		r = fail(x, name, "file too large (%zu bytes, at most %zu)", n,
		    IMG_MAXFILE);
	else if (n >= 3 && b[0] == 0xff && b[1] == 0xd8 && b[2] == 0xff)
		r = jpeg_decode(x, b, n, name, g, &oh, &ow, &sh, &sw, &pc);
	else if (n >= 8 && memcmp(b, pngsig, 8) == 0) {
		r = png_decode(x, b, n, name, &sh, &sw, &pc);
		oh = sh;
		ow = sw;
	} else if ((what = sniff(b, n)) != NULL)
		r = fail(x, name, "%s, not JPEG or PNG", what);
	else if (n < 8 && memcmp(b, pngsig, n) == 0)
		r = fail(x, name, "truncated PNG (%zu bytes)", n);
	else if (n < 3 && b[0] == 0xff && (n == 1 || b[1] == 0xd8))
		r = fail(x, name, "truncated JPEG (%zu bytes)", n);
	else
		r = fail(x, name, "not a JPEG or PNG image");
	if (r == 0) {
		if (pc == 3 && g->channels == 1) {
			rgb2gray(x->pix, (size_t)sh * sw);
			pc = 1;
		}
		/* the target comes from the full size, not the scaled one */
		img_resized(g, oh, ow, &rh, &rw);
		r = resize(x, sh, sw, pc, rh, rw, g, out, name);
	}
	if (r < 0) {
		memset(out, 0, (size_t)g->channels * g->h * g->w);
		return -1;
	}
	return 0;
}

int
img_load(struct img_ctx *x, const char *path, const struct img_geom *g,
    uint8_t *out)
{
	struct stat st;
	size_t n;
	ssize_t k;
	int fd, e;

	x->msg[0] = '\0';
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		goto syserr;
	if (fstat(fd, &st) < 0)
		goto syserr_close;
	if (S_ISDIR(st.st_mode)) {
		errno = EISDIR;
		goto syserr_close;
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		fail(x, path, "not a regular file");
		goto bad;
	}
	if ((size_t)st.st_size > IMG_MAXFILE) {
		close(fd);
		fail(x, path, "file too large (%lld bytes, at most %zu)",
		    (long long)st.st_size, IMG_MAXFILE);
		goto bad;
	}
	if (grow(&x->file, &x->filecap, (size_t)st.st_size + 1, 1) < 0) {
		close(fd);
		fail(x, path, "out of memory (%lld bytes)",
		    (long long)st.st_size);
		goto bad;
	}
	/* The size fstat gave; a file that shrank meanwhile gives less. */
	for (n = 0; n < (size_t)st.st_size; n += (size_t)k) {
		k = read(fd, x->file + n, (size_t)st.st_size - n);
		if (k < 0 && errno == EINTR) {
			k = 0;
			continue;
		}
		if (k < 0)
			goto syserr_close;
		if (k == 0)
			break;
	}
	close(fd);
	return img_decode(x, x->file, n, path, g, out);

syserr_close:
	e = errno;
	close(fd);
	errno = e;
syserr:
	fail(x, path, "%s", strerror(errno));
bad:
	memset(out, 0, (size_t)g->channels * g->h * g->w);
	return -1;
}

void
img_lut(float *lut, int channels, const float *mean, const float *std)
{
	float v;
	int c, b;

	for (c = 0; c < channels; c++)
		for (b = 0; b < 256; b++) {
			v = (float)b / 255.0f;
			v = v - mean[c];
			lut[c * 256 + b] = v / std[c];
		}
}

void
img_padcrop(uint8_t *dst, const uint8_t *src, int c, int h, int w, int pad,
    int dy, int dx, int mirror)
{
	const uint8_t *s;
	uint8_t *d;
	long y, xx, sy, sx;
	int k;

	for (k = 0; k < c; k++)
		for (y = 0; y < h; y++) {
			d = dst + ((size_t)k * h + y) * w;
			sy = y + dy - pad;
			if (sy < 0 || sy >= h) {
				memset(d, 0, (size_t)w);
				continue;
			}
			s = src + ((size_t)k * h + sy) * w;
			for (xx = 0; xx < w; xx++) {
				sx = (mirror ? w - 1 - xx : xx) + dx - pad;
				d[xx] = sx < 0 || sx >= w ? 0 : s[sx];
			}
		}
}

void
img_augment(uint8_t *dst, const uint8_t *src, int c, int h, int w, int pad,
    int flip, struct rng *g)
{
	int dy, dx, m;

	dy = dx = pad;
	if (pad > 0) {
		dy = (int)rng_below(g, 2 * (uint64_t)pad + 1);
		dx = (int)rng_below(g, 2 * (uint64_t)pad + 1);
	}
	m = flip ? (int)(rng_next(g) >> 63) : 0;
	img_padcrop(dst, src, c, h, w, pad, dy, dx, m);
}

void
img_stats_init(struct img_stats *s, int channels)
{
	memset(s, 0, sizeof(*s));
	s->channels = channels;
}

void
img_stats_add(struct img_stats *s, const uint8_t *im, size_t hw)
{
	uint64_t a, b;
	size_t i;
	int c;

	for (c = 0; c < s->channels; c++) {
		a = b = 0;
		for (i = 0; i < hw; i++) {
			a += im[c * hw + i];
			b += (uint32_t)im[c * hw + i] * im[c * hw + i];
		}
		s->sum[c] += a;
		s->sum2[c] += b;
	}
	s->n += hw;
}

void
img_stats_merge(struct img_stats *s, const struct img_stats *t)
{
	int c;

	for (c = 0; c < s->channels; c++) {
		s->sum[c] += t->sum[c];
		s->sum2[c] += t->sum2[c];
	}
	s->n += t->n;
}

void
img_stats_get(const struct img_stats *s, double *mean, double *std)
{
	double m, v;
	int c;

	for (c = 0; c < s->channels; c++) {
		if (s->n == 0) {
			mean[c] = std[c] = 0;
			continue;
		}
		/* n * sum2 - sum^2 exactly would need 128 bits; in doubles
		 * the mean of v^2 minus the squared mean, each to 1e-16
		 * relative, is far inside a float's precision */
		m = (double)s->sum[c] / (double)s->n;
		v = (double)s->sum2[c] / (double)s->n - m * m;
		mean[c] = m / 255.0;
		std[c] = v > 0 ? sqrt(v) / 255.0 : 0.0;
	}
}
