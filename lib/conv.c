/*
 * conv.c - im2col, col2im, pooling and batch normalisation (see conv.h).
 *
 * The loops run over contiguous rows (of an image, or of the column
 * matrix) innermost, with the bounds of the valid part computed before
 * the loop, so that the compiler vectorises them without tests inside.
 *
 * The kernels that carry the volume (the adds of col2im, the 2x2 and
 * 3x3/2 max pooling, the sums, batchnorm's passes over a channel) are
 * functions of their own: where the toolchain can dispatch at load time
 * (GCC or clang, x86-64, glibc), each is built for AVX-512, AVX2 and the
 * baseline, and the best one the CPU has runs, as in opt.c.  They copy,
 * select, or add in a fixed order without FMA contraction (GCC's ISO C
 * mode; the pragma for clang): every build gives the same bits.  Nothing
 * here keeps state: the kernels may run in several threads at once on
 * disjoint data.
 */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "conv.h"

#ifdef __clang__
#pragma STDC FP_CONTRACT OFF
#endif
#if defined(__GNUC__) && defined(__x86_64__) && defined(__GLIBC__)
#define KERNEL	static \
	__attribute__((target_clones("avx512f", "avx2", "default")))
#elif defined(__GNUC__)
#define KERNEL	static __attribute__((noinline))
#else
#define KERNEL	static
#endif
#ifdef __GNUC__		/* a helper of a KERNEL: built into each clone */
#define INLINE	static inline __attribute__((always_inline))
#else
#define INLINE	static inline
#endif

static long
maxl(long a, long b)
{
	return a > b ? a : b;
}

static long
minl(long a, long b)
{
	return a < b ? a : b;
}

/*
 * The outputs ow whose input column ow*s - p + j lies in [0, W):
 * lo <= ow < hi, with 0 <= lo <= hi <= OW.
 */
static void
valid_cols(const struct conv_win *g, long j, long *lo, long *hi)
{
	long a, b;

	a = g->p - j;			/* ow*s >= a */
	b = g->W + g->p - j;		/* ow*s < b */
	*lo = a <= 0 ? 0 : (a + g->s - 1) / g->s;
	*hi = b <= 0 ? 0 : (b + g->s - 1) / g->s;
	*lo = minl(*lo, g->OW);
	*hi = maxl(minl(*hi, g->OW), *lo);
}

/*
 * Stride 1 and OW == W (padding "same", the common case): row (i, j) of a
 * sample's columns is its plane shifted by sh = (i-p) W + (j-p), except
 * in the output rows outside [ohlo, ohhi) and the columns outside
 * [lo, hi), which are 0.  So one long copy over q0 <= q < q1 (the first to
 * the last valid element, all of whose sources lie in the plane), then
 * the rows and the columns outside zeroed: per-row loops cost more than
 * the copy when rows are short (14 or 28 floats).  q0 = q1 = 0 when
 * nothing is valid.
 */
struct band {
	long	 q0, q1;	/* the copied span of a sample's row */
	long	 lo, hi;	/* the valid columns */
	long	 ohlo, ohhi;	/* the valid output rows */
	long	 sh;		/* source offset: x[q + sh] */
};

static void
band(const struct conv_win *g, long i, long j, struct band *d)
{
	valid_cols(g, j, &d->lo, &d->hi);
	d->ohlo = maxl(0, g->p - i);
	d->ohhi = minl(g->OH, g->H + g->p - i);
	d->sh = (i - g->p) * g->W + (j - g->p);
	if (d->ohlo >= d->ohhi || d->lo >= d->hi) {
		d->q0 = d->q1 = 0;
		return;
	}
	d->q0 = d->ohlo * g->OW + d->lo;
	d->q1 = (d->ohhi - 1) * g->OW + d->hi;
}

/*
 * Zero the columns outside [lo, hi) of nr rows of OW floats: a store or
 * two per row, strided (a loop along a row would be a call to memset for
 * a float or two).
 */
static void
band_mask(float *r, long nr, const struct conv_win *g, const struct band *d)
{
	const long OW = g->OW;
	long q, o;

	for (q = 0; q < d->lo; q++)
		for (o = 0; o < nr; o++)
			r[o * OW + q] = 0;
	for (q = d->hi; q < OW; q++)
		for (o = 0; o < nr; o++)
			r[o * OW + q] = 0;
}

/*
 * Row (c, i, j) of the columns, r (nb*P), from x, plane c of the first of
 * nb >= 1 samples (xs floats apart): the spans copied, then the zeros
 * between them (the last rows of a sample, the first of the next), then
 * the columns outside.  When the samples follow each other (C = 1), one
 * copy runs over all of them: what it puts between the spans are values
 * of x, overwritten by the zeros.
 */
static void
im2col_row(float *restrict r, const float *restrict x, long xs, long nb,
    const struct conv_win *g, const struct band *d)
{
	const long P = g->OH * g->OW;
	long b, n;

	n = d->q1 - d->q0;
	if (n <= 0) {
		memset(r, 0, (size_t)(nb * P) * sizeof *r);
		return;
	}
	if (xs == P)
		memcpy(r + d->q0, x + d->sh + d->q0, (size_t)((nb - 1) * P +
		    n) * sizeof *r);
	else
		for (b = 0; b < nb; b++)
			memcpy(r + b * P + d->q0, x + b * xs + d->sh + d->q0,
			    (size_t)n * sizeof *r);
	memset(r, 0, (size_t)d->q0 * sizeof *r);
	for (b = 1; b < nb; b++)
		memset(r + (b - 1) * P + d->q1, 0, (size_t)(P - d->q1 +
		    d->q0) * sizeof *r);
	memset(r + (nb - 1) * P + d->q1, 0, (size_t)(P - d->q1) * sizeof *r);
	band_mask(r, nb * g->OH, g, d);
}

/*
 * Its adjoint: the columns outside [lo, hi) of r zeroed (dcols is
 * scratch), then dx[q + sh] += r[q] over the span, sample by sample.
 * With first set (the first row of a channel) it sets dx instead, 0
 * outside the span, so that dx needs no zeroing before.
 */
KERNEL void
col2im_row(float *restrict dx, float *restrict r, long xs, long nb,
    const struct conv_win *g, const struct band *d, int first)
{
	const long P = g->OH * g->OW, HW = g->H * g->W;
	long b, q, n;

	n = d->q1 - d->q0;
	if (n <= 0) {
		for (b = 0; first && b < nb; b++)
			memset(dx + b * xs, 0, (size_t)HW * sizeof *dx);
		return;
	}
	band_mask(r, nb * g->OH, g, d);
	for (b = 0; b < nb; b++) {
		float *restrict o = dx + b * xs + d->sh + d->q0;
		const float *restrict s = r + b * P + d->q0;

		if (first) {
			memset(dx + b * xs, 0, (size_t)(d->sh + d->q0) *
			    sizeof *dx);
			memcpy(o, s, (size_t)n * sizeof *o);
			memset(o + n, 0, (size_t)(HW - d->sh - d->q1) *
			    sizeof *o);
		} else
			for (q = 0; q < n; q++)
				o[q] += s[q];
	}
}

static void
im2col_same(float *cols, long ldc, const float *x, long nb,
    const struct conv_win *g)
{
	const long HW = g->H * g->W, k = g->k;
	struct band d;
	long c, i, j;

	for (c = 0; c < g->C; c++)
		for (i = 0; i < k; i++)
			for (j = 0; j < k; j++) {
				band(g, i, j, &d);
				im2col_row(cols + ((c * k + i) * k + j) * ldc,
				    x + c * HW, g->C * HW, nb, g, &d);
			}
}

static void
col2im_same(float *dx, float *dcols, long ldc, long nb,
    const struct conv_win *g)
{
	const long HW = g->H * g->W, k = g->k;
	struct band d;
	long c, i, j;

	for (c = 0; c < g->C; c++)
		for (i = 0; i < k; i++)
			for (j = 0; j < k; j++) {
				band(g, i, j, &d);
				col2im_row(dx + c * HW, dcols + ((c * k + i) *
				    k + j) * ldc, g->C * HW, nb, g, &d,
				    i == 0 && j == 0);
			}
}

void
conv_im2col(float *cols, long ldc, const float *x, long nb,
    const struct conv_win *g)
{
	const long H = g->H, W = g->W, k = g->k, s = g->s, OW = g->OW;
	long c, i, j, b, oh, ow, ih, lo, hi, base;

	if (s == 1 && OW == W) {
		if (nb > 0)
			im2col_same(cols, ldc, x, nb, g);
		return;
	}
	for (c = 0; c < g->C; c++)
		for (i = 0; i < k; i++)
			for (j = 0; j < k; j++) {
				float *restrict r = cols + ((c * k + i) * k +
				    j) * ldc;

				valid_cols(g, j, &lo, &hi);
				for (b = 0; b < nb; b++) {
					const float *restrict xp = x +
					    (b * g->C + c) * H * W;

					for (oh = 0; oh < g->OH; oh++,
					    r += OW) {
						ih = oh * s - g->p + i;
						if (ih < 0 || ih >= H) {
							memset(r, 0, OW *
							    sizeof *r);
							continue;
						}
						/* r[ow] = xp[base + ow*s] */
						base = ih * W + j - g->p;
						for (ow = 0; ow < lo; ow++)
							r[ow] = 0;
						if (s == 1) {
							/* a loop, not memcpy:
							   the runs are short */
							const float *restrict
							    xr = xp + base + lo;
							float *restrict rr =
							    r + lo;

							for (ow = 0; ow < hi -
							    lo; ow++)
								rr[ow] = xr[ow];
						} else
							for (ow = lo; ow < hi;
							    ow++)
								r[ow] = xp[base
								    + ow * s];
						for (ow = hi; ow < OW; ow++)
							r[ow] = 0;
					}
				}
			}
}

void
conv_col2im(float *dx, float *dcols, long ldc, long nb,
    const struct conv_win *g)
{
	const long H = g->H, W = g->W, k = g->k, s = g->s, OW = g->OW;
	long c, i, j, b, oh, ow, ih, lo, hi, base;

	if (s == 1 && OW == W) {
		if (nb > 0)
			col2im_same(dx, dcols, ldc, nb, g);
		return;
	}
	memset(dx, 0, (size_t)(nb * g->C * H * W) * sizeof *dx);
	for (c = 0; c < g->C; c++)
		for (i = 0; i < k; i++)
			for (j = 0; j < k; j++) {
				const float *restrict r = dcols + ((c * k +
				    i) * k + j) * ldc;

				valid_cols(g, j, &lo, &hi);
				for (b = 0; b < nb; b++) {
					float *restrict xp = dx + (b * g->C +
					    c) * H * W;

					for (oh = 0; oh < g->OH; oh++,
					    r += OW) {
						ih = oh * s - g->p + i;
						if (ih < 0 || ih >= H)
							continue;
						base = ih * W + j - g->p;
						if (s == 1) {
							float *restrict d =
							    xp + base + lo;
							const float *restrict
							    rr = r + lo;

							for (ow = 0; ow < hi -
							    lo; ow++)
								d[ow] += rr[ow];
						} else
							for (ow = lo; ow < hi;
							    ow++)
								xp[base + ow *
								    s] += r[ow];
					}
				}
			}
}


/*
 * Outputs o0 <= ow < o0 + n of a row of the 2x2, stride 2 max pooling
 * without padding, from its input rows r0 and r1 (at plane index base):
 * selects instead of branches, and 32-bit indices, so that it vectorises.
 */
static inline void
mp22(float *restrict y, int32_t *restrict arg, const float *restrict r0,
    const float *restrict r1, int32_t base, int32_t W, long o0, long n)
{
	long ow;
	int32_t a, o;
	float m, v;
	int t;

	for (ow = o0; ow < o0 + n; ow++) {
		o = base + (int32_t)(2 * ow);
		m = r0[2 * ow];
		a = o;
		v = r0[2 * ow + 1];
		t = v > m || v != v;
		m = t ? v : m;
		a = t ? o + 1 : a;
		v = r1[2 * ow];
		t = v > m || v != v;
		m = t ? v : m;
		a = t ? o + W : a;
		v = r1[2 * ow + 1];
		t = v > m || v != v;
		m = t ? v : m;
		a = t ? o + W + 1 : a;
		y[ow] = m;
		arg[ow] = a;
	}
}

#define MPV	8	/* outputs per block of the 2x2 pooling */

/*
 * np planes of it.  A row runs in blocks of MPV outputs (or MPV/2), the
 * last one moved back to end at OW, so overlapping the one before it (its
 * outputs are written twice, with the same values): short rows (OW = 14,
 * 7) vectorise whole, without a scalar tail.
 */
KERNEL void
maxpool22(float *restrict y, int32_t *restrict arg, const float *restrict x,
    long np, const struct conv_win *g)
{
	const long W = g->W, OW = g->OW, OH = g->OH, HW = g->H * W;
	long q, oh, o0;

	for (q = 0; q < np; q++)
		for (oh = 0; oh < OH; oh++) {
			const float *r0 = x + q * HW + 2 * oh * W;
			float *yo = y + (q * OH + oh) * OW;
			int32_t *ao = arg + (q * OH + oh) * OW;
			int32_t base = (int32_t)(2 * oh * W);

			if (OW >= MPV)
				for (o0 = 0; o0 < OW; o0 += MPV) {
					o0 = minl(o0, OW - MPV);
					mp22(yo, ao, r0, r0 + W, base,
					    (int32_t)W, o0, MPV);
				}
			else if (OW >= MPV / 2)
				for (o0 = 0; o0 < OW; o0 += MPV / 2) {
					o0 = minl(o0, OW - MPV / 2);
					mp22(yo, ao, r0, r0 + W, base,
					    (int32_t)W, o0, MPV / 2);
				}
			else
				mp22(yo, ao, r0, r0 + W, base, (int32_t)W, 0,
				    OW);
		}
}

/*
 * Its backward, outputs o0 <= ow < o0 + n of a row: each element of a 2x2
 * window gets dy or 0, written directly (the windows tile the plane).
 * With relu, the relu below is folded in: dy only where the pooled output
 * y > 0.  (relu is a constant where it is inlined: the test goes away.)
 */
INLINE void
mp22_back(float *restrict r0, float *restrict r1, const float *restrict dy,
    const float *restrict y, int relu, const int32_t *restrict arg,
    int32_t base, int32_t W, long o0, long n)
{
	long ow;
	int32_t a, o;
	float d;

	for (ow = o0; ow < o0 + n; ow++) {
		o = base + (int32_t)(2 * ow);
		a = arg[ow];
		d = !relu || y[ow] > 0 ? dy[ow] : 0;
		r0[2 * ow] = a == o ? d : 0;
		r0[2 * ow + 1] = a == o + 1 ? d : 0;
		r1[2 * ow] = a == o + W ? d : 0;
		r1[2 * ow + 1] = a == o + W + 1 ? d : 0;
	}
}

/* One plane of it (y and relu as there), in blocks as maxpool22; a last
 * odd row or column gets 0. */
INLINE void
mp22_back_plane(float *restrict dx, const float *restrict dy,
    const float *restrict y, int relu, const int32_t *restrict arg,
    const struct conv_win *g)
{
	const long W = g->W, OW = g->OW, OH = g->OH, H = g->H;
	long oh, o0, k;

	for (oh = 0; oh < OH; oh++) {
		float *r0 = dx + 2 * oh * W;
		const float *dr = dy + oh * OW;
		const float *yr = relu ? y + oh * OW : NULL;
		const int32_t *ar = arg + oh * OW;
		int32_t base = (int32_t)(2 * oh * W);

		if (OW >= MPV)
			for (o0 = 0; o0 < OW; o0 += MPV) {
				o0 = minl(o0, OW - MPV);
				mp22_back(r0, r0 + W, dr, yr, relu, ar, base,
				    (int32_t)W, o0, MPV);
			}
		else if (OW >= MPV / 2)
			for (o0 = 0; o0 < OW; o0 += MPV / 2) {
				o0 = minl(o0, OW - MPV / 2);
				mp22_back(r0, r0 + W, dr, yr, relu, ar, base,
				    (int32_t)W, o0, MPV / 2);
			}
		else
			mp22_back(r0, r0 + W, dr, yr, relu, ar, base,
			    (int32_t)W, 0, OW);
		if (W > 2 * OW)
			r0[W - 1] = r0[2 * W - 1] = 0;
	}
	if (H > 2 * OH)
		for (k = 0; k < W; k++)
			dx[(H - 1) * W + k] = 0;
}

KERNEL void
maxpool22_back(float *restrict dx, const float *restrict dy,
    const int32_t *restrict arg, long np, const struct conv_win *g)
{
	const long HW = g->H * g->W, P = g->OH * g->OW;
	long q;

	for (q = 0; q < np; q++)
		mp22_back_plane(dx + q * HW, dy + q * P, NULL, 0, arg + q * P,
		    g);
}

KERNEL void
maxpool22_relu_back(float *restrict dx, const float *restrict dy,
    const float *restrict y, const int32_t *restrict arg,
    const struct conv_win *g)
{
	mp22_back_plane(dx, dy, y, 1, arg, g);
}

void
conv_maxpool22_relu_back(float *dx, const float *dy, const float *y,
    const int32_t *arg, const struct conv_win *g)
{
	maxpool22_relu_back(dx, dy, y, arg, g);
}

/*
 * Output (oh, ow) of plane xp: the window's maximum into *m, the plane
 * index of the element that gave it into *a.  The window is scanned row
 * by row; an element replaces the maximum when it is greater, or NaN (so
 * that NaN propagates, as in torch).
 */
INLINE void
pool1(const float *xp, const struct conv_win *g, long oh, long ow, float *m,
    int32_t *a)
{
	const long H = g->H, W = g->W, k = g->k, s = g->s, p = g->p;
	long hs, he, ws, we, ih, iw, at;
	float mv, v;

	hs = oh * s - p;
	he = minl(hs + k, H);
	hs = maxl(hs, 0);
	ws = ow * s - p;
	we = minl(ws + k, W);
	ws = maxl(ws, 0);
	mv = -INFINITY;
	at = hs * W + ws;
	for (ih = hs; ih < he; ih++)
		for (iw = ws; iw < we; iw++) {
			v = xp[ih * W + iw];
			if (v > mv || isnan(v)) {
				mv = v;
				at = ih * W + iw;
			}
		}
	*m = mv;
	*a = (int32_t)at;
}

/*
 * Outputs lo <= ow < hi of a row of the 3x3, stride 2 max pooling, whose
 * windows lie inside the row (columns 2 ow - p to 2 ow - p + 2), over the
 * nh input rows from r (W apart, r at plane index base): pool1's scan,
 * started at the window's first element (the same maximum and index as
 * from -inf), with selects instead of branches so that it vectorises.
 * nh is a constant where it is inlined.
 */
/* One element v at plane index i into the running maximum m, index a. */
#define MP_STEP(v, i) do {						\
	float v_ = (v);							\
	int t_ = v_ > m || v_ != v_;					\
	m = t_ ? v_ : m;						\
	a = t_ ? (i) : a;						\
} while (0)

/*
 * Outputs o0 <= ow < o0 + MPV of a row of the 3x3, stride 2 max pooling
 * whose windows lie inside the row (columns c0 + 2j .. c0 + 2j + 2, c0 =
 * 2 o0 - p), over the nh input rows from r (W apart, r at plane index
 * base): pool1's scan, started at the window's first element (the same
 * maximum and index as from -inf).  Each input row is first split into
 * its even and odd columns, so that the windows' loads are contiguous and
 * the selects vectorise.  nh is a constant where it is inlined.
 */
INLINE void
mp32(float *restrict y, int32_t *restrict arg, const float *restrict r,
    long nh, int32_t base, int32_t W, long p, long o0)
{
	float ev[3][MPV + 1], od[3][MPV];
	long c0, ih, j;
	int32_t a, o;
	float m;

	c0 = 2 * o0 - p;
	for (ih = 0; ih < nh; ih++) {
		const float *ri = r + ih * W + c0;

		for (j = 0; j < MPV; j++) {
			ev[ih][j] = ri[2 * j];
			od[ih][j] = ri[2 * j + 1];
		}
		ev[ih][MPV] = ri[2 * MPV];
	}
	for (j = 0; j < MPV; j++) {
		o = base + (int32_t)(c0 + 2 * j);
		m = ev[0][j];
		a = o;
		MP_STEP(od[0][j], o + 1);
		MP_STEP(ev[0][j + 1], o + 2);
		if (nh > 1) {
			MP_STEP(ev[1][j], o + W);
			MP_STEP(od[1][j], o + W + 1);
			MP_STEP(ev[1][j + 1], o + W + 2);
		}
		if (nh > 2) {
			MP_STEP(ev[2][j], o + 2 * W);
			MP_STEP(od[2][j], o + 2 * W + 1);
			MP_STEP(ev[2][j + 1], o + 2 * W + 2);
		}
		y[o0 + j] = m;
		arg[o0 + j] = a;
	}
}

/* mp32 over [lo, hi) in blocks of MPV outputs, the last one moved back
 * to end at hi (as in maxpool22); a row shorter than that by pool1 */
INLINE void
mp32_row(float *restrict y, int32_t *restrict arg, const float *restrict r,
    long nh, int32_t base, int32_t W, long p, long lo, long hi,
    const float *xp, const struct conv_win *g, long oh)
{
	long o0;

	if (hi - lo >= MPV)
		for (o0 = lo; o0 < hi; o0 += MPV) {
			o0 = minl(o0, hi - MPV);
			mp32(y, arg, r, nh, base, W, p, o0);
		}
	else
		for (o0 = lo; o0 < hi; o0++)
			pool1(xp, g, oh, o0, &y[o0], &arg[o0]);
}

/* np planes of the 3x3, stride 2 max pooling (padding 0 or 1): the
 * inside of each row by mp32, its ends by pool1. */
KERNEL void
maxpool32(float *restrict y, int32_t *restrict arg, const float *restrict x,
    long np, const struct conv_win *g)
{
	const long H = g->H, W = g->W, OW = g->OW, OH = g->OH, p = g->p;
	long q, oh, ow, lo, hi, hs, he;

	/* the outputs whose window columns 2 ow - p .. + 2 are all in */
	lo = minl((p + 1) / 2, OW);
	for (hi = lo; hi < OW && 2 * hi - p + 3 <= W; hi++)
		;
	for (q = 0; q < np; q++) {
		const float *xp = x + q * H * W;

		for (oh = 0; oh < OH; oh++) {
			float *yo = y + (q * OH + oh) * OW;
			int32_t *ao = arg + (q * OH + oh) * OW;
			const float *r;
			int32_t base;

			hs = oh * 2 - p;
			he = minl(hs + 3, H);
			hs = maxl(hs, 0);
			r = xp + hs * W;
			base = (int32_t)(hs * W);
			for (ow = 0; ow < lo; ow++)
				pool1(xp, g, oh, ow, &yo[ow], &ao[ow]);
			switch (he - hs) {
			case 3:
				mp32_row(yo, ao, r, 3, base, (int32_t)W, p,
				    lo, hi, xp, g, oh);
				break;
			case 2:
				mp32_row(yo, ao, r, 2, base, (int32_t)W, p,
				    lo, hi, xp, g, oh);
				break;
			default:
				for (ow = lo; ow < hi; ow++)
					pool1(xp, g, oh, ow, &yo[ow],
					    &ao[ow]);
			}
			for (ow = hi; ow < OW; ow++)
				pool1(xp, g, oh, ow, &yo[ow], &ao[ow]);
		}
	}
}

void
conv_maxpool(float *y, int32_t *arg, const float *x, long np,
    const struct conv_win *g)
{
	long q, oh, ow;

	if (g->k == 2 && g->s == 2 && g->p == 0) {
		maxpool22(y, arg, x, np, g);
		return;
	}
	if (g->k == 3 && g->s == 2 && g->p <= 1) {
		maxpool32(y, arg, x, np, g);
		return;
	}
	for (q = 0; q < np; q++) {
		const float *xp = x + q * g->H * g->W;
		float *yp = y + q * g->OH * g->OW;
		int32_t *ap = arg + q * g->OH * g->OW;

		for (oh = 0; oh < g->OH; oh++)
			for (ow = 0; ow < g->OW; ow++)
				pool1(xp, g, oh, ow, &yp[oh * g->OW + ow],
				    &ap[oh * g->OW + ow]);
	}
}

void
conv_maxpool_back(float *dx, const float *dy, const int32_t *arg, long np,
    const struct conv_win *g)
{
	const long HW = g->H * g->W, P = g->OH * g->OW;
	long q, o;

	if (g->k == 2 && g->s == 2 && g->p == 0) {
		maxpool22_back(dx, dy, arg, np, g);
		return;
	}
	memset(dx, 0, (size_t)(np * HW) * sizeof *dx);
	for (q = 0; q < np; q++) {
		float *restrict d = dx + q * HW;
		const float *restrict dq = dy + q * P;
		const int32_t *restrict aq = arg + q * P;

		for (o = 0; o < P; o++)
			d[aq[o]] += dq[o];
	}
}

void
conv_avgpool(float *y, const float *x, long np, const struct conv_win *g)
{
	const long H = g->H, W = g->W, k = g->k, s = g->s, p = g->p;
	const float kk = (float)(k * k);
	long q, oh, ow, hs, he, ws, we, ih, iw;
	float sum;

	for (q = 0; q < np; q++) {
		const float *restrict xp = x + q * H * W;
		float *restrict yp = y + q * g->OH * g->OW;

		if (k == 2 && s == 2 && p == 0) {
			for (oh = 0; oh < g->OH; oh++) {
				const float *restrict r0 = xp + 2 * oh * W;
				const float *restrict r1 = r0 + W;

				for (ow = 0; ow < g->OW; ow++)
					yp[oh * g->OW + ow] = (r0[2 * ow] +
					    r0[2 * ow + 1] + r1[2 * ow] +
					    r1[2 * ow + 1]) / 4;
			}
			continue;
		}
		for (oh = 0; oh < g->OH; oh++) {
			hs = oh * s - p;
			he = minl(hs + k, H);
			hs = maxl(hs, 0);
			for (ow = 0; ow < g->OW; ow++) {
				ws = ow * s - p;
				we = minl(ws + k, W);
				ws = maxl(ws, 0);
				sum = 0;
				for (ih = hs; ih < he; ih++)
					for (iw = ws; iw < we; iw++)
						sum += xp[ih * W + iw];
				yp[oh * g->OW + ow] = sum / kk;
			}
		}
	}
}

void
conv_avgpool_back(float *dx, const float *dy, long np,
    const struct conv_win *g)
{
	const long H = g->H, W = g->W, k = g->k, s = g->s, p = g->p;
	const float kk = (float)(k * k);
	long q, oh, ow, hs, he, ws, we, ih, iw;
	float d;

	memset(dx, 0, (size_t)(np * H * W) * sizeof *dx);
	for (q = 0; q < np; q++) {
		float *restrict xp = dx + q * H * W;
		const float *restrict yp = dy + q * g->OH * g->OW;

		for (oh = 0; oh < g->OH; oh++) {
			hs = oh * s - p;
			he = minl(hs + k, H);
			hs = maxl(hs, 0);
			for (ow = 0; ow < g->OW; ow++) {
				ws = ow * s - p;
				we = minl(ws + k, W);
				ws = maxl(ws, 0);
				d = yp[oh * g->OW + ow] / kk;
				for (ih = hs; ih < he; ih++)
					for (iw = ws; iw < we; iw++)
						xp[ih * W + iw] += d;
			}
		}
	}
}

#define LANES	16	/* partial sums of a vectorised reduction */

/* The sum of a row of n floats, in float, in LANES partial sums (the
 * compiler does not reorder a float sum on its own). */
KERNEL float
rowsum(const float *restrict r, long n)
{
	float acc[LANES] = { 0 }, s;
	long i, j;

	for (i = 0; i + LANES <= n; i += LANES)
		for (j = 0; j < LANES; j++)
			acc[j] += r[i + j];
	for (s = 0; i < n; i++)
		s += r[i];
	for (j = 0; j < LANES; j++)
		s += acc[j];
	return s;
}

float
conv_sum(const float *x, long n)
{
	return rowsum(x, n);
}

/*
 * GCC and clang keep vectors of partial sums in registers, two of 8
 * lanes for the LANES (an AVX register each); an array of them they load
 * and store at every step, at a third of the speed.  Lane by lane the
 * operations are those of the array: the same bits.
 */
#ifdef __GNUC__
#define VLANES
typedef float v8 __attribute__((vector_size(8 * sizeof(float))));
typedef int32_t v8m __attribute__((vector_size(8 * sizeof(float))));

#define VLOAD(v, p)	memcpy(&(v), (p), sizeof(v))
#endif

/* *s1 = sum (r[i] - k), *s2 = sum (r[i] - k)^2 over a row, as rowsum. */
INLINE void
rowmom(const float *restrict r, float k, long n, float *s1, float *s2)
{
	float t1, t2, d;
	long i, j;
#ifdef VLANES
	v8 a10 = { 0 }, a11 = { 0 }, a20 = { 0 }, a21 = { 0 }, v0, v1;

	for (i = 0; i + LANES <= n; i += LANES) {
		VLOAD(v0, r + i);
		VLOAD(v1, r + i + 8);
		v0 -= k;
		v1 -= k;
		a10 += v0;
		a11 += v1;
		a20 += v0 * v0;
		a21 += v1 * v1;
	}
	for (t1 = t2 = 0; i < n; i++) {
		d = r[i] - k;
		t1 += d;
		t2 += d * d;
	}
	for (j = 0; j < 8; j++) {
		t1 += a10[j];
		t2 += a20[j];
	}
	for (j = 0; j < 8; j++) {
		t1 += a11[j];
		t2 += a21[j];
	}
	*s1 = t1;
	*s2 = t2;
#else
	float a1[LANES] = { 0 }, a2[LANES] = { 0 };

	for (i = 0; i + LANES <= n; i += LANES)
		for (j = 0; j < LANES; j++) {
			d = r[i + j] - k;
			a1[j] += d;
			a2[j] += d * d;
		}
	for (t1 = t2 = 0; i < n; i++) {
		d = r[i] - k;
		t1 += d;
		t2 += d * d;
	}
	for (j = 0; j < LANES; j++) {
		t1 += a1[j];
		t2 += a2[j];
	}
	*s1 = t1;
	*s2 = t2;
#endif
}

/*
 * *sg = sum g[i], *sx = sum (x[i] - m) g[i] over a row, as rowsum.  With
 * relu, g[i] is first set to 0 where !(y[i] > 0) (the relu above folded
 * in; relu is a constant where it is inlined).
 */
INLINE void
rowdot(float *restrict g, const float *restrict x, const float *restrict y,
    int relu, float m, long n, float *sg, float *sx)
{
	float s, t, v;
	long i, j;
#ifdef VLANES
	const v8 zero = { 0 };
	v8 ag0 = zero, ag1 = zero, ax0 = zero, ax1 = zero, g0, g1, u;

	for (i = 0; i + LANES <= n; i += LANES) {
		VLOAD(g0, g + i);
		VLOAD(g1, g + i + 8);
		if (relu) {	/* all ones where y > 0: g; else +0 */
			VLOAD(u, y + i);
			g0 = (v8)((v8m)g0 & (u > zero));
			VLOAD(u, y + i + 8);
			g1 = (v8)((v8m)g1 & (u > zero));
			memcpy(g + i, &g0, sizeof g0);
			memcpy(g + i + 8, &g1, sizeof g1);
		}
		ag0 += g0;
		ag1 += g1;
		VLOAD(u, x + i);
		ax0 += (u - m) * g0;
		VLOAD(u, x + i + 8);
		ax1 += (u - m) * g1;
	}
	for (s = t = 0; i < n; i++) {
		v = g[i];
		if (relu) {
			v = y[i] > 0 ? v : 0;
			g[i] = v;
		}
		s += v;
		t += (x[i] - m) * v;
	}
	for (j = 0; j < 8; j++) {
		s += ag0[j];
		t += ax0[j];
	}
	for (j = 0; j < 8; j++) {
		s += ag1[j];
		t += ax1[j];
	}
	*sg = s;
	*sx = t;
#else
	float ag[LANES] = { 0 }, ax[LANES] = { 0 };

	for (i = 0; i + LANES <= n; i += LANES)
		for (j = 0; j < LANES; j++) {
			v = g[i + j];
			if (relu) {
				v = y[i + j] > 0 ? v : 0;
				g[i + j] = v;
			}
			ag[j] += v;
			ax[j] += (x[i + j] - m) * v;
		}
	for (s = t = 0; i < n; i++) {
		v = g[i];
		if (relu) {
			v = y[i] > 0 ? v : 0;
			g[i] = v;
		}
		s += v;
		t += (x[i] - m) * v;
	}
	for (j = 0; j < LANES; j++) {
		s += ag[j];
		t += ax[j];
	}
	*sg = s;
	*sx = t;
#endif
}

/*
 * One channel of images x (B, C, P), its rows cp apart: the sums of its
 * B*P values shifted by k (its first value), in double across rows.
 */
KERNEL void
bn_mom(const float *restrict x, long B, long cp, long P, float k,
    double *s1, double *s2)
{
	float t1, t2;
	long b;

	*s1 = *s2 = 0;
	for (b = 0; b < B; b++) {
		rowmom(x + b * cp, k, P, &t1, &t2);
		*s1 += t1;
		*s2 += t2;
	}
}

/* Its sum dy and sum (x - m) dy (the relu mask of y first, if relu). */
KERNEL void
bn_dot(float *restrict g, const float *restrict x, const float *restrict y,
    long B, long cp, long P, float m, double *sdy, double *sdx)
{
	float t, u;
	long b;

	*sdy = *sdx = 0;
	for (b = 0; b < B; b++) {
		if (y != NULL)
			rowdot(g + b * cp, x + b * cp, y + b * cp, 1, m, P,
			    &t, &u);
		else
			rowdot(g + b * cp, x + b * cp, NULL, 0, m, P, &t, &u);
		*sdy += t;
		*sdx += u;
	}
}

/*
 * Its y = a x + b, then y = 0 where y < 0 with relu (NaN passes); y may
 * be x: each block of LANES is loaded whole before it is stored, which
 * also lets the compiler vectorise it without knowing.
 */
KERNEL void
bn_affine(float *y, const float *x, long B, long cp, long P, float a,
    float b, int relu)
{
	float *yr, v;
	const float *xr;
	long n, i;
#ifdef VLANES
	const v8 zero = { 0 };
	v8 v0, v1;
#else
	float t[LANES];
	long j;
#endif

	for (n = 0; n < B; n++) {
		yr = y + n * cp;
		xr = x + n * cp;
		for (i = 0; i + LANES <= P; i += LANES) {
#ifdef VLANES
			VLOAD(v0, xr + i);
			VLOAD(v1, xr + i + 8);
			v0 = v0 * a + b;
			v1 = v1 * a + b;
			if (relu) {	/* +0 where v < 0 */
				v0 = (v8)((v8m)v0 & ~(v0 < zero));
				v1 = (v8)((v8m)v1 & ~(v1 < zero));
			}
			memcpy(yr + i, &v0, sizeof v0);
			memcpy(yr + i + 8, &v1, sizeof v1);
#else
			for (j = 0; j < LANES; j++) {
				v = xr[i + j] * a + b;
				t[j] = relu && v < 0 ? 0 : v;
			}
			for (j = 0; j < LANES; j++)
				yr[i + j] = t[j];
#endif
		}
		for (; i < P; i++) {
			v = xr[i] * a + b;
			yr[i] = relu && v < 0 ? 0 : v;
		}
	}
}

/* Its dx = (dy - gm - (x - mc) ps) gs in g. */
KERNEL void
bn_dxrows(float *restrict g, const float *restrict x, long B, long cp,
    long P, float gm, float mc, float ps, float gs)
{
	float *restrict gr;
	const float *restrict xr;
	long n, i, j;

	for (n = 0; n < B; n++) {
		gr = g + n * cp;
		xr = x + n * cp;
		for (i = 0; i + LANES <= P; i += LANES)
			for (j = 0; j < LANES; j++)
				gr[i + j] = (gr[i + j] - gm - (xr[i + j] -
				    mc) * ps) * gs;
		for (; i < P; i++)
			gr[i] = (gr[i] - gm - (xr[i] - mc) * ps) * gs;
	}
}

void
conv_bn_stats(float *mean, float *ssd, const float *x, long B, long C,
    long P)
{
	conv_bn_stats_part(mean, ssd, x, B, C, P, 0, C);
}

void
conv_bn_stats_part(float *mean, float *ssd, const float *x, long B, long C,
    long P, long c0, long c1)
{
	double s, m, n;
	float kf, d;
	long b, c;

	if (P == 1) {
		/* features: rows of C, accumulated per channel in double */
		for (c = c0; c < c1; c++) {
			s = 0;
			for (b = 0; b < B; b++)
				s += x[b * C + c];
			mean[c] = (float)(s / (double)B);
		}
		for (c = c0; c < c1; c++) {
			s = 0;
			for (b = 0; b < B; b++) {
				d = x[b * C + c] - mean[c];
				s += (double)d * d;
			}
			ssd[c] = (float)s;
		}
		return;
	}
	/*
	 * Images: one pass over the data, the moments of x - k with k a
	 * value of the channel (its first), so that the difference of sums
	 * that gives the variance does not cancel: ssd = S2 - S1^2 / n.
	 */
	for (c = c0; c < c1; c++) {
		kf = x[c * P];
		bn_mom(x + c * P, B, C * P, P, kf, &s, &m);
		n = (double)B * P;
		mean[c] = (float)(kf + s / n);
		m -= s * s / n;
		ssd[c] = (float)(m > 0 ? m : 0);
	}
}

void
conv_bn_apply(float *y, const float *x, const float *a, const float *b,
    long B, long C, long P)
{
	conv_bn_apply_part(y, x, a, b, B, C, P, 0, C, 0);
}

void
conv_bn_apply_part(float *y, const float *x, const float *a, const float *b,
    long B, long C, long P, long c0, long c1, int relu)
{
	long n, c;
	float v;

	if (P == 1) {
		for (n = 0; n < B; n++) {
			float *yr = y + n * C;
			const float *xr = x + n * C;

			for (c = c0; c < c1; c++) {
				v = xr[c] * a[c] + b[c];
				yr[c] = relu && v < 0 ? 0 : v;
			}
		}
		return;
	}
	for (c = c0; c < c1; c++)
		bn_affine(y + c * P, x + c * P, B, C * P, P, a[c], b[c], relu);
}

void
conv_bn_back(float *g, float *dgamma, float *dbeta, const float *x,
    const float *mean, const float *invstd, const float *gamma, long B,
    long C, long P, int wantdx)
{
	conv_bn_back_part(g, dgamma, dbeta, x, NULL, mean, invstd, gamma, B,
	    C, P, wantdx, 0, C);
}

void
conv_bn_back_part(float *g, float *dgamma, float *dbeta, const float *x,
    const float *y, const float *mean, const float *invstd,
    const float *gamma, long B, long C, long P, int wantdx, long c0,
    long c1)
{
	double sdy, sdx, nn;
	float gs, ps, gm, mc;
	long c;

	nn = (double)B * P;
	for (c = c0; c < c1; c++) {
		/* sum dy, and sum (x - mean) dy */
		mc = mean[c];
		bn_dot(g + c * P, x + c * P, y != NULL ? y + c * P : NULL, B,
		    C * P, P, mc, &sdy, &sdx);
		if (dgamma != NULL) {
			dgamma[c] += (float)(sdx * invstd[c]);
			dbeta[c] += (float)sdy;
		}
		if (!wantdx)
			continue;
		/* dx = (dy - sum dy / n - (x - mean) ps) gs, as torch */
		gm = (float)(sdy / nn);
		ps = (float)(sdx / nn * invstd[c] * invstd[c]);
		gs = invstd[c] * gamma[c];
		bn_dxrows(g + c * P, x + c * P, B, C * P, P, gm, mc, ps, gs);
	}
}

void
conv_bn_sums(const float *g, const float *x, const float *mean, long B,
    long C, long P, double *sdy, double *sdx)
{
	long c;

	/* without y, bn_dot only reads g (the cast drops a const it
	 * keeps) */
	for (c = 0; c < C; c++)
		bn_dot((float *)(g + c * P), x + c * P, NULL, B,
		    C * P, P, mean[c], &sdy[c], &sdx[c]);
}

void
conv_bn_dx(float *g, const float *x, const float *mean,
    const float *invstd, const float *gamma, const double *sdy,
    const double *sdx, double nn, long B, long C, long P)
{
	float gs, ps, gm, mc;
	long c;

	for (c = 0; c < C; c++) {
		/* dx = (dy - sum dy / n - (x - mean) ps) gs, as torch */
		mc = mean[c];
		gm = (float)(sdy[c] / nn);
		ps = (float)(sdx[c] / nn * invstd[c] * invstd[c]);
		gs = invstd[c] * gamma[c];
		bn_dxrows(g + c * P, x + c * P, B, C * P, P, gm, mc, ps, gs);
	}
}
