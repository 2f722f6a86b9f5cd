/*
 * img.h - one JPEG or PNG file made into a training sample: decoded,
 * converted and resized as torchvision's ImageFolder pipeline does it
 * (Pillow's loader, convert('RGB'), Grayscale, Resize, CenterCrop), with
 * a decoder made for each format (libjpeg-turbo's TurboJPEG API,
 * libspng), and kept as bytes.
 *
 *	struct img_geom g;
 *	struct img_ctx *x = img_ctx_new();
 *	uint8_t out[3 * 224 * 224];		   (channels, h, w)
 *
 *	img_geom_size(&g, 3, 224, 0);		   Resize(224), CenterCrop(224)
 *	if (img_load(x, "ants/0013035.jpg", &g, out) < 0)
 *		err_set("%s", img_ctx_msg(x));	   (on the main thread)
 *	img_ctx_free(x);
 *
 * Formats.  The content decides, not the name (as in Pillow): a file that
 * starts as a JPEG (FF D8 FF) is a JPEG, one with the PNG signature a PNG;
 * anything else is an error that says what it looks like (GIF, BMP,
 * WebP, TIFF, HEIF/AVIF) where it can.  EXIF orientation and colour
 * profiles are ignored, as Pillow's Image.open() does.
 *
 * Colour.  Every image becomes 8-bit RGB as Pillow's convert('RGB') makes
 * it: gray is repeated, a palette is looked up, alpha (RGBA, gray+alpha,
 * tRNS) is dropped, not composited; 16-bit samples keep their high byte
 * (as Pillow reads 16-bit colour; Pillow's 16-bit gray mode would clip
 * to 255 instead, which lrf does not copy); CMYK and YCCK JPEGs are taken
 * as Adobe-inverted and converted with Pillow's formula
 * (R = (255 - K) - (255 - K) * C / 255, rounded as Pillow does).  With one
 * channel, the RGB values become gray with Pillow's convert('L'):
 * L = (19595 R + 38470 G + 7471 B + 32768) >> 16, ITU-R 601-2 luma in
 * 16-bit fixed point (the documented R*299/1000 + G*587/1000 + B*114/1000
 * floored differs in about half the colours); gray files stay as they are.
 *
 * Size.  Resize then CenterCrop, as torchvision 0.14 does on Pillow
 * images.  Resize(s) scales the shorter side to s and the longer to
 * int(s * long / short) (a double division, truncated, as in Python);
 * Resize([h, w]) to exactly h x w; an unchanged size is not resampled.
 * The filter is Pillow's BILINEAR as torchvision's Resize uses it: a
 * triangle whose support grows with the reduction factor (antialiased
 * when shrinking), weights in 22-bit fixed point, the horizontal pass
 * first, each pass rounded to 8 bits; computed here with the same
 * arithmetic, so a PNG gives torchvision's bytes exactly.  CenterCrop
 * takes top = round((h - crop_h) / 2) with Python's round-half-even (and
 * the same for left), and pads with zeros where the crop is larger than
 * the image.  Only the cropped pixels are computed.
 *
 * JPEG DCT scaling.  When a JPEG is at least 2, 4 or 8 times the Resize
 * target in both directions, it is decoded at 1/2, 1/4 or 1/8 size by
 * libjpeg-turbo's scaled IDCT (the largest such factor; the rule of
 * Pillow's draft()), far cheaper than a full decode; the result is then
 * resized to torchvision's output size.  This is what Pillow gives with
 * draft() before resize; it differs from the full decode + resize of
 * plain torchvision by a few levels (a sharper, not aliased, picture).
 * IMG_NOSCALE decodes at full size (torchvision's bytes to within the
 * one level two conforming IDCTs may differ by).
 *
 * Errors.  An empty file, a file that is not a JPEG or PNG, a truncated
 * or corrupt one, one larger than IMG_MAXFILE bytes or IMG_MAXPIXELS
 * pixels, and a PNG whose header claims more pixels than its data could
 * inflate to: -1, and img_ctx_msg() says "FILE: what" with the decoder's
 * own message in parentheses where it has one.  The decoders never print
 * (libjpeg's and libspng's messages are captured).  A JPEG with corrupt
 * entropy data that libjpeg can still decode (a warning, not an error)
 * is accepted, as Pillow accepts it; one that ends early is an error (as
 * in Pillow, without LOAD_TRUNCATED_IMAGES), found where the data ends
 * rather than after decoding an invented rest.  A failed JPEG header
 * leaves TurboJPEG 2.1's decompressor unusable: the context replaces it,
 * so one bad file never spoils the next.
 *
 * Threads.  An img_ctx is one thread's decoder state: use one per
 * thread.  The functions that take one never call err_set() (it is not
 * thread-safe); they keep their message in the context for the caller
 * to report.  Everything else here is pure.
 */
#ifndef LRF_IMG_H
#define LRF_IMG_H

#include <stddef.h>
#include <stdint.h>

#include "rng.h"

#define IMG_MAXPIXELS	178956970L	/* pixels of one image: Pillow's
					   decompression-bomb error limit */
#define IMG_MAXFILE	((size_t)1 << 30)	/* bytes of one file */
#define IMG_MAXSIDE	16384	/* an output or Resize side */
#define IMG_MSGMAX	1280	/* a message of img_ctx_msg() */

#define IMG_NOSCALE	1	/* g->flags: no JPEG DCT scaling */

/* What every image becomes: (channels, h, w) bytes. */
struct img_geom {
	int	 channels;	/* 1 (gray) or 3 (RGB) */
	int	 resize_h;	/* Resize: resize_w == 0: the shorter side */
	int	 resize_w;	/* > 0: exactly resize_h x resize_w */
	int	 h, w;		/* CenterCrop: the output size */
	int	 flags;		/* IMG_NOSCALE */
};

struct img_ctx;

/*
 * The geometry of data.size: w == 0 is one number, Resize(h) and
 * CenterCrop(h) (h x h out); w > 0 is [h, w], Resize([h, w]) (the crop
 * changes nothing).  Flags 0.
 */
void img_geom_size(struct img_geom *g, int channels, int h, int w);

/* 0 if g is usable, else -1 with the message set ("data.size: ..." or
 * "data.channels: ..."): channels 1 or 3, sizes 1..IMG_MAXSIDE. */
int img_geom_check(const struct img_geom *g);

/*
 * torchvision's Resize output size for an ih x iw image (*rh x *rw;
 * long: int(s * long / short) can pass INT_MAX), and CenterCrop's offset
 * of the output in it (*top, *left; negative where zeros pad it).
 */
void img_resized(const struct img_geom *g, long ih, long iw, long *rh,
    long *rw);
void img_cropbox(const struct img_geom *g, long rh, long rw, long *top,
    long *left);

/* A decoder state for one thread; NULL with a message set if there is
 * no memory (called on the main thread). */
struct img_ctx *img_ctx_new(void);

/* Free x; NULL is allowed. */
void img_ctx_free(struct img_ctx *x);

/*
 * Read the file path and make it g's sample in out (g->channels, g->h,
 * g->w); g must pass img_geom_check.  0, or -1 with out zeroed and the
 * message "path: what" in img_ctx_msg(x) (not set through err_set).
 */
int img_load(struct img_ctx *x, const char *path, const struct img_geom *g,
    uint8_t *out);

/* The same for the n bytes of an image in memory; name is what the
 * message calls it. */
int img_decode(struct img_ctx *x, const void *buf, size_t n,
    const char *name, const struct img_geom *g, uint8_t *out);

/* The message of x's last failure, "" if none. */
const char *img_ctx_msg(const struct img_ctx *x);

/*
 * The bytes after ToTensor and Normalize, as torchvision computes them in
 * float32: lut[c * 256 + v] = (v / 255.0f - mean[c]) / std[c] (every
 * operation rounded to float, so the values are torchvision's bit for
 * bit).  lut has channels * 256 floats; std[c] must not be 0.
 */
void img_lut(float *lut, int channels, const float *mean, const float *std);

/* ImageNet's mean and std (RGB), as in torchvision's examples. */
extern const float img_imagenet_mean[3], img_imagenet_std[3];

/*
 * Augmentation of one sample (c, h, w) into dst (c, h, w), as
 * torchvision's RandomCrop(size, padding=pad) then
 * RandomHorizontalFlip(0.5): the sample padded with pad zeros on every
 * side, an h x w window at a uniform offset (0..2 pad in each direction),
 * mirrored with probability 1/2.  The draws from g, in this order:
 * rng_below(g, 2 pad + 1) for the row offset, the same for the column
 * (both only when pad > 0), then rng_next(g) >> 63 for the flip (only
 * when flip is set).  dst and src must not overlap.
 */
void img_augment(uint8_t *dst, const uint8_t *src, int c, int h, int w,
    int pad, int flip, struct rng *g);

/* The same with the draws given: dst = src padded by pad, the window at
 * row dy, column dx (0..2 pad), mirrored if mirror. */
void img_padcrop(uint8_t *dst, const uint8_t *src, int c, int h, int w,
    int pad, int dy, int dx, int mirror);

/*
 * Per-channel mean and std of the samples' values v / 255 (data.mean:
 * auto): exact integer sums, so the result does not depend on the order
 * or the threads that added the samples.
 */
struct img_stats {
	int	 channels;
	uint64_t n;		/* values per channel */
	uint64_t sum[3];	/* of v */
	uint64_t sum2[3];	/* of v * v */
};

void img_stats_init(struct img_stats *s, int channels);

/* Add one sample, (channels, hw) bytes. */
void img_stats_add(struct img_stats *s, const uint8_t *im, size_t hw);

/* Add the sums of another (a thread's share). */
void img_stats_merge(struct img_stats *s, const struct img_stats *t);

/* mean[c] and the population std[c] of v / 255; 0 and 0 if empty. */
void img_stats_get(const struct img_stats *s, double *mean, double *std);

#endif
