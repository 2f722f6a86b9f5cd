/*
 * conv.c - im2col, col2im, pooling and batch normalisation (see conv.h).
 *
 * The loops run over contiguous rows (of an image, or of the column
 * matrix) innermost, with the bounds of the valid part computed before
 * the loop, so that the compiler vectorises them without tests inside.
 */
#include <math.h>
#include <string.h>

#include "conv.h"

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
 * Stride 1 and OW == W (padding "same", the common case): the valid part
 * of row (i, j) of a sample's columns is the plane shifted by sh = (i-p) W
 * + (j-p), except in the columns [0, lo) and [hi, OW) of each row.  One
 * long copy over q0 <= q < q1 (the first to the last valid element, all
 * of whose sources lie in the plane), then the masked columns of the
 * output rows [ohlo, ohhi) zeroed: the per-row loops of the general case
 * cost more than the copy when rows are short.  q0 = q1 = 0 when nothing
 * is valid.
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

/* Zero the masked columns of the band's rows of one sample's row r. */
static void
band_mask(float *r, const struct conv_win *g, const struct band *d)
{
	long oh, q;

	if (d->lo == 0 && d->hi == g->OW)
		return;
	for (oh = d->ohlo; oh < d->ohhi; oh++) {
		for (q = 0; q < d->lo; q++)
			r[oh * g->OW + q] = 0;
		for (q = d->hi; q < g->OW; q++)
			r[oh * g->OW + q] = 0;
	}
}

static void
im2col_same(float *cols, long ldc, const float *x, long nb,
    const struct conv_win *g)
{
	const long HW = g->H * g->W, k = g->k, P = g->OH * g->OW;
	struct band d;
	long c, i, j, b, q, z, n;

	for (c = 0; c < g->C; c++)
		for (i = 0; i < k; i++)
			for (j = 0; j < k; j++) {
				float *r = cols + ((c * k + i) * k + j) * ldc;

				band(g, i, j, &d);
				n = d.q1 - d.q0;
				/* r[z, next band): zeros, one memset for the
				 * tail of a sample and the head of the next */
				z = 0;
				for (b = 0; n > 0 && b < nb; b++) {
					float *restrict rr = r + b * P + d.q0;
					const float *restrict xs = x + (b *
					    g->C + c) * HW + d.sh + d.q0;

					memset(r + z, 0, (size_t)(b * P + d.q0 -
					    z) * sizeof *r);
					for (q = 0; q < n; q++)
						rr[q] = xs[q];
					band_mask(r + b * P, g, &d);
					z = b * P + d.q1;
				}
				memset(r + z, 0, (size_t)(nb * P - z) *
				    sizeof *r);
			}
}

/* Its adjoint: the masked columns of dcols zeroed (it is scratch), then
 * one long add per row and sample. */
static void
col2im_same(float *dx, float *dcols, long ldc, long nb,
    const struct conv_win *g)
{
	const long HW = g->H * g->W, k = g->k, P = g->OH * g->OW;
	struct band d;
	long c, i, j, b, q, n;

	memset(dx, 0, (size_t)(nb * g->C * HW) * sizeof *dx);
	for (c = 0; c < g->C; c++)
		for (i = 0; i < k; i++)
			for (j = 0; j < k; j++) {
				float *r = dcols + ((c * k + i) * k + j) * ldc;

				band(g, i, j, &d);
				n = d.q1 - d.q0;
				for (b = 0; n > 0 && b < nb; b++) {
					float *restrict xd = dx + (b * g->C +
					    c) * HW + d.sh + d.q0;
					const float *restrict rr;

					band_mask(r + b * P, g, &d);
					rr = r + b * P + d.q0;
					for (q = 0; q < n; q++)
						xd[q] += rr[q];
				}
			}
}

void
conv_im2col(float *cols, long ldc, const float *x, long nb,
    const struct conv_win *g)
{
	const long H = g->H, W = g->W, k = g->k, s = g->s, OW = g->OW;
	long c, i, j, b, oh, ow, ih, lo, hi, base;

	if (s == 1 && OW == W) {
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
 * The 2x2, stride 2 max pooling of one plane, without padding: selects
 * instead of branches, and 32-bit indices, so that it vectorises.
 */
static void
maxpool22(float *restrict y, int32_t *restrict arg, const float *restrict x,
    const struct conv_win *g)
{
	const long W = g->W, OW = g->OW;
	long oh, ow;
	int32_t a, o, base;
	float m, v;
	int t;

	for (oh = 0; oh < g->OH; oh++) {
		const float *restrict r0 = x + 2 * oh * W;
		const float *restrict r1 = r0 + W;
		float *restrict yo = y + oh * OW;
		int32_t *restrict ao = arg + oh * OW;

		base = (int32_t)(2 * oh * W);
		for (ow = 0; ow < OW; ow++) {
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
			a = t ? o + (int32_t)W : a;
			v = r1[2 * ow + 1];
			t = v > m || v != v;
			m = t ? v : m;
			a = t ? o + (int32_t)W + 1 : a;
			yo[ow] = m;
			ao[ow] = a;
		}
	}
}

/*
 * Its backward: each element of a 2x2 window gets dy or 0, written
 * directly (the windows tile the plane; a last odd row or column gets 0).
 */
static void
maxpool22_back(float *restrict dx, const float *restrict dy,
    const int32_t *restrict arg, const struct conv_win *g)
{
	const long W = g->W, OW = g->OW;
	long oh, ow;
	int32_t a, o, base;
	float d;

	for (oh = 0; oh < g->OH; oh++) {
		float *restrict r0 = dx + 2 * oh * W;
		float *restrict r1 = r0 + W;
		const float *restrict yo = dy + oh * OW;
		const int32_t *restrict ao = arg + oh * OW;

		base = (int32_t)(2 * oh * W);
		for (ow = 0; ow < OW; ow++) {
			o = base + (int32_t)(2 * ow);
			a = ao[ow];
			d = yo[ow];
			r0[2 * ow] = a == o ? d : 0;
			r0[2 * ow + 1] = a == o + 1 ? d : 0;
			r1[2 * ow] = a == o + (int32_t)W ? d : 0;
			r1[2 * ow + 1] = a == o + (int32_t)W + 1 ? d : 0;
		}
		if (W > 2 * OW) {
			r0[W - 1] = 0;
			r1[W - 1] = 0;
		}
	}
	if (g->H > 2 * g->OH)
		memset(dx + (g->H - 1) * W, 0, (size_t)W * sizeof *dx);
}

void
conv_maxpool(float *y, int32_t *arg, const float *x, long np,
    const struct conv_win *g)
{
	const long H = g->H, W = g->W, k = g->k, s = g->s, p = g->p;
	long q, oh, ow, hs, he, ws, we, ih, iw, a;
	float m, v;

	for (q = 0; q < np; q++) {
		const float *xp = x + q * H * W;
		float *yp = y + q * g->OH * g->OW;
		int32_t *ap = arg + q * g->OH * g->OW;

		if (k == 2 && s == 2 && p == 0) {
			maxpool22(yp, ap, xp, g);
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
				m = -INFINITY;
				a = hs * W + ws;
				for (ih = hs; ih < he; ih++)
					for (iw = ws; iw < we; iw++) {
						v = xp[ih * W + iw];
						if (v > m || isnan(v)) {
							m = v;
							a = ih * W + iw;
						}
					}
				yp[oh * g->OW + ow] = m;
				ap[oh * g->OW + ow] = (int32_t)a;
			}
		}
	}
}

void
conv_maxpool_back(float *dx, const float *dy, const int32_t *arg, long np,
    const struct conv_win *g)
{
	const long HW = g->H * g->W, P = g->OH * g->OW;
	long q, o;

	if (g->k == 2 && g->s == 2 && g->p == 0) {
		for (q = 0; q < np; q++)
			maxpool22_back(dx + q * HW, dy + q * P, arg + q * P, g);
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
static float
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

/* *s1 = sum (r[i] - k), *s2 = sum (r[i] - k)^2 over a row, as rowsum. */
static void
rowmom(const float *restrict r, float k, long n, float *s1, float *s2)
{
	float a1[LANES] = { 0 }, a2[LANES] = { 0 }, t1, t2, d;
	long i, j;

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
}

/* *sg = sum g[i], *sx = sum (x[i] - m) g[i] over a row, as rowsum. */
static void
rowdot(const float *restrict g, const float *restrict x, float m, long n,
    float *sg, float *sx)
{
	float ag[LANES] = { 0 }, ax[LANES] = { 0 }, s, t;
	long i, j;

	for (i = 0; i + LANES <= n; i += LANES)
		for (j = 0; j < LANES; j++) {
			ag[j] += g[i + j];
			ax[j] += (x[i + j] - m) * g[i + j];
		}
	for (s = t = 0; i < n; i++) {
		s += g[i];
		t += (x[i] - m) * g[i];
	}
	for (j = 0; j < LANES; j++) {
		s += ag[j];
		t += ax[j];
	}
	*sg = s;
	*sx = t;
}

void
conv_bn_stats(float *mean, float *ssd, const float *x, long B, long C,
    long P)
{
	double s, m, n;
	float kf, d, t1, t2;
	long b, c;

	if (P == 1) {
		/* features: rows of C, accumulated per channel in double */
		for (c = 0; c < C; c++) {
			s = 0;
			for (b = 0; b < B; b++)
				s += x[b * C + c];
			mean[c] = (float)(s / (double)B);
		}
		for (c = 0; c < C; c++) {
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
	for (c = 0; c < C; c++) {
		kf = x[c * P];
		s = m = 0;
		for (b = 0; b < B; b++) {
			rowmom(x + (b * C + c) * P, kf, P, &t1, &t2);
			s += t1;
			m += t2;
		}
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
	long n, c, i;

	for (n = 0; n < B; n++) {
		if (P == 1) {
			float *yr = y + n * C;
			const float *xr = x + n * C;

			for (c = 0; c < C; c++)
				yr[c] = xr[c] * a[c] + b[c];
			continue;
		}
		for (c = 0; c < C; c++) {
			float *yr = y + (n * C + c) * P;
			const float *xr = x + (n * C + c) * P;
			const float ac = a[c], bc = b[c];

			for (i = 0; i < P; i++)
				yr[i] = xr[i] * ac + bc;
		}
	}
}

void
conv_bn_back(float *g, float *dgamma, float *dbeta, const float *x,
    const float *mean, const float *invstd, const float *gamma, long B,
    long C, long P, int wantdx)
{
	double sdy, sdx, nn;
	float gs, ps, gm, mc, t, u;
	long n, c, i;

	nn = (double)B * P;
	for (c = 0; c < C; c++) {
		/* sum dy, and sum (x - mean) dy */
		mc = mean[c];
		sdy = sdx = 0;
		for (n = 0; n < B; n++) {
			rowdot(g + (n * C + c) * P, x + (n * C + c) * P, mc, P,
			    &t, &u);
			sdy += t;
			sdx += u;
		}
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
		for (n = 0; n < B; n++) {
			float *restrict gr = g + (n * C + c) * P;
			const float *restrict xr = x + (n * C + c) * P;

			for (i = 0; i < P; i++)
				gr[i] = (gr[i] - gm - (xr[i] - mc) * ps) * gs;
		}
	}
}
