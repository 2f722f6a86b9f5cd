/*
 * netact.c - the activations of the net's layers (see net.h), applied in
 * one pass after each layer's sgemm and undone in one pass before its
 * backward sgemm.
 *
 * Every loop here is written so that the compiler vectorises it: the
 * activation is chosen outside the loops, the inner loop runs over the
 * units of one sample (or one plane of a conv2d output), and tanh,
 * sigmoid and gelu are computed without calls or branches.
 */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "conv.h"
#include "netint.h"

#define LEAKY_SLOPE	0.01f	/* torch.nn.LeakyReLU's negative_slope */
#define SQRT1_2		0.70710678118654752f	/* 1/sqrt(2) */
#define INV_SQRT2PI	0.39894228040143268f	/* 1/sqrt(2 pi) */

/*
 * The transcendental activations, written without calls or branches so
 * that the loops over a layer's units vectorise (libm's tanhf, expf and
 * erff are calls, and cost more than the layer's sgemm).  Measured
 * against double-precision libm on a dense grid (tests/unit/net.c):
 * vexpf <= 1.4 ulp on [-87, 88]; vtanhf <= 1.5e-7 relative; vphif, the
 * normal distribution function Phi, <= 2e-5 relative on [-12, 12] (the
 * far tail; 4e-6 of gelu on [-6, 6]).  NaN gives NaN.
 */

/* e^x, x clamped to [-87, 88]: x = n ln 2 + r, |r| <= ln(2)/2, e^r by
 * Cephes' expf polynomial, 2^n put into the exponent bits. */
static inline float
vexpf(float x)
{
	float t, fn, r, p, s;
	uint32_t b;

	x = x < -87.0f ? -87.0f : x;
	x = x > 88.0f ? 88.0f : x;
	t = x * 1.44269504088896341f + 0x1.8p23f;	/* n = round(x/ln2) */
	fn = t - 0x1.8p23f;				/* in t's low bits */
	memcpy(&b, &t, sizeof b);
	b = (b - 0x4b400000u + 127u) << 23;		/* 2^n */
	memcpy(&s, &b, sizeof s);
	r = x - fn * 0.693359375f;		/* ln 2 in two parts */
	r = r - fn * -2.12194440e-4f;
	p = 1.9875691500e-4f;
	p = p * r + 1.3981999507e-3f;
	p = p * r + 8.3334519073e-3f;
	p = p * r + 4.1665795894e-2f;
	p = p * r + 1.6666665459e-1f;
	p = p * r + 5.0000001201e-1f;
	p = p * r * r + r + 1;
	return p * s;
}

/* tanh: Cephes' odd polynomial below 0.625, 1 - 2/(e^2|x| + 1) above. */
static inline float
vtanhf(float x)
{
	float a, z, p, l;

	a = fabsf(x);
	z = x * x;
	p = -5.70498872745e-3f;
	p = p * z + 2.06390887954e-2f;
	p = p * z - 5.37397155531e-2f;
	p = p * z + 1.33314422036e-1f;
	p = p * z - 3.33332819422e-1f;
	p = p * z * x + x;
	l = copysignf(1 - 2 / (vexpf(2 * a) + 1), x);
	return a < 0.625f ? p : l;
}

static inline float
vsigmoidf(float x)
{
	return 1 / (1 + vexpf(-x));
}

/*
 * Phi(z) = (1 + erf(z/sqrt 2))/2 = erfc(-z/sqrt 2)/2, with erfc(a), a >= 0,
 * by the Chebyshev fit of Numerical Recipes' erfcc (fractional error
 * 1.2e-7): erfc(a) = t exp(-a^2 + P(t)), t = 1/(1 + a/2).  Computing Phi
 * from erfc keeps its relative accuracy in the left tail, where gelu is
 * small.
 */
static inline float
vphif(float z)
{
	float a, t, p, e;

	a = fabsf(z) * SQRT1_2;
	t = 1 / (1 + 0.5f * a);
	p = 0.17087277f;
	p = p * t - 0.82215223f;
	p = p * t + 1.48851587f;
	p = p * t - 1.13520398f;
	p = p * t + 0.27886807f;
	p = p * t - 0.18628806f;
	p = p * t + 0.09678418f;
	p = p * t + 0.37409196f;
	p = p * t + 1.00002368f;
	p = p * t - 1.26551223f;
	e = 0.5f * t * vexpf(p - a * a);
	return z >= 0 ? 1 - e : e;
}

/*
 * y (B, n) = act(y + b), in one pass after the sgemm; gelu keeps the
 * pre-activation in z (B, n) and Phi(z) in phi (B, n) for backward.
 * Rows are ld floats apart in all three.
 */
void
net_dense_epilogue(float *restrict y, float *restrict z,
    float *restrict phi, const float *restrict b, long B, long n, long ld,
    int act)
{
	float v;
	long i, j;

	for (i = 0; i < B; i++) {
		float *restrict r = y + i * ld;

		switch (act) {
		case ACT_IDENTITY:
			for (j = 0; j < n; j++)
				r[j] += b[j];
			break;
		case ACT_RELU:	/* NaN passes, as torch.relu */
			for (j = 0; j < n; j++) {
				v = r[j] + b[j];
				r[j] = v < 0 ? 0 : v;
			}
			break;
		case ACT_LEAKY_RELU:
			for (j = 0; j < n; j++) {
				v = r[j] + b[j];
				r[j] = v < 0 ? LEAKY_SLOPE * v : v;
			}
			break;
		case ACT_TANH:
			for (j = 0; j < n; j++)
				r[j] = vtanhf(r[j] + b[j]);
			break;
		case ACT_SIGMOID:
			for (j = 0; j < n; j++)
				r[j] = vsigmoidf(r[j] + b[j]);
			break;
		case ACT_GELU: {
			float *restrict zr = z + i * ld;
			float *restrict pr = phi + i * ld;

			for (j = 0; j < n; j++) {
				v = r[j] + b[j];
				zr[j] = v;
				pr[j] = vphif(v);
				r[j] = v * pr[j];
			}
			break;
		}
		}
	}
}

/*
 * g (B, n) = dL/dy on entry, dL/dz on return: g *= act'(z), from the
 * output y (for gelu from z and Phi(z)); with db non-NULL, db += the
 * column sums of dL/dz, in the same pass.
 */
void
net_dense_dact(float *restrict g, const float *restrict y,
    const float *restrict z, const float *restrict phi, float *restrict db,
    long B, long n, int act)
{
	float v;
	long i, j;

	for (i = 0; i < B; i++) {
		float *restrict gr = g + i * n;
		const float *restrict yr = y + i * n;

		switch (act) {
		case ACT_IDENTITY:
			break;
		case ACT_RELU:
			for (j = 0; j < n; j++)
				gr[j] = yr[j] > 0 ? gr[j] : 0;
			break;
		case ACT_LEAKY_RELU:	/* y > 0 exactly when z > 0 */
			for (j = 0; j < n; j++)
				gr[j] = yr[j] > 0 ? gr[j] : LEAKY_SLOPE * gr[j];
			break;
		case ACT_TANH:
			for (j = 0; j < n; j++)
				gr[j] *= 1 - yr[j] * yr[j];
			break;
		case ACT_SIGMOID:
			for (j = 0; j < n; j++)
				gr[j] *= yr[j] * (1 - yr[j]);
			break;
		case ACT_GELU: {
			const float *restrict zr = z + i * n;
			const float *restrict pr = phi + i * n;

			/* d/dz z Phi(z) = Phi(z) + z phi(z) */
			for (j = 0; j < n; j++) {
				v = zr[j];
				gr[j] *= pr[j] + v * vexpf(-0.5f * v * v) *
				    INV_SQRT2PI;
			}
			break;
		}
		}
		if (db != NULL)
			for (j = 0; j < n; j++)
				db[j] += gr[j];
	}
}

/*
 * The conv2d epilogue: y (nb, F, P) = act(t + b), where t (F, nb*P) is
 * the sgemm's output, channel-major: the transposition to NCHW rides on
 * the pass that adds the bias (b NULL: none) and applies the activation.
 * gelu keeps z and Phi(z) (nb, F, P) for backward, as dense.  y, z and
 * phi are the layer's buffers, the chunk starting at offset c.  With Q
 * (the pooling layer above) non-NULL, each plane is pooled into Q's
 * output as soon as it is written, while it is in cache; the chunk's
 * first sample is sample b0 of the batch.
 */
void
net_conv_epilogue(float *y, float *z, float *phi, long c, const float *t,
    const float *b, long nb, long F, long P, int act,
    const struct net_layer *Q, long b0)
{
	float bf, v;
	long f, s, i, o, q;

	for (s = 0; s < nb; s++) {	/* y in order: a sample at a time */
		for (f = 0; f < F; f++) {
			const float *restrict src = t + (f * nb + s) * P;
			float *restrict r;

			bf = b != NULL ? b[f] : 0;
			o = c + (s * F + f) * P;
			r = y + o;
			switch (act) {
			case ACT_IDENTITY:
				for (i = 0; i < P; i++)
					r[i] = src[i] + bf;
				break;
			case ACT_RELU:
				for (i = 0; i < P; i++) {
					v = src[i] + bf;
					r[i] = v < 0 ? 0 : v;
				}
				break;
			case ACT_LEAKY_RELU:
				for (i = 0; i < P; i++) {
					v = src[i] + bf;
					r[i] = v < 0 ? LEAKY_SLOPE * v : v;
				}
				break;
			case ACT_TANH:
				for (i = 0; i < P; i++)
					r[i] = vtanhf(src[i] + bf);
				break;
			case ACT_SIGMOID:
				for (i = 0; i < P; i++)
					r[i] = vsigmoidf(src[i] + bf);
				break;
			case ACT_GELU: {
				float *restrict zr = z + o;
				float *restrict pr = phi + o;

				for (i = 0; i < P; i++) {
					v = src[i] + bf;
					zr[i] = v;
					pr[i] = vphif(v);
					r[i] = v * pr[i];
				}
				break;
			}
			}
			if (Q == NULL)
				continue;
			q = (b0 + s) * Q->nout + f * Q->win.OH * Q->win.OW;
			if (Q->type == LAYER_MAXPOOL2D)
				conv_maxpool(Q->y + q, Q->arg + q, r, 1,
				    &Q->win);
			else
				conv_avgpool(Q->y + q, r, 1, &Q->win);
		}
	}
}

/*
 * The conv2d activation backward: dt (F, nb*P) = g * act'(z), from g
 * (nb, F, P) = dL/dy, transposed to the sgemm's channel-major layout;
 * with db non-NULL, db += the sums of dt's rows.  g, y, z and phi are
 * the whole buffers, the chunk starting at offset c.
 */
void
net_conv_dact(float *dt, const float *g, const float *y, const float *z,
    const float *phi, long c, float *db, long nb, long F, long P, int act)
{
	float v;
	long f, s, i, o;

	for (s = 0; s < nb; s++) {	/* g and y in order */
		for (f = 0; f < F; f++) {
			float *restrict d = dt + (f * nb + s) * P;
			const float *restrict gr, *restrict yr;

			o = c + (s * F + f) * P;
			gr = g + o;
			yr = y + o;
			switch (act) {
			case ACT_IDENTITY:
				memcpy(d, gr, (size_t)P * sizeof *d);
				break;
			case ACT_RELU:	/* load first: then it is a select */
				for (i = 0; i < P; i++) {
					v = gr[i];
					d[i] = yr[i] > 0 ? v : 0;
				}
				break;
			case ACT_LEAKY_RELU:
				for (i = 0; i < P; i++) {
					v = gr[i];
					d[i] = yr[i] > 0 ? v : LEAKY_SLOPE * v;
				}
				break;
			case ACT_TANH:
				for (i = 0; i < P; i++)
					d[i] = gr[i] * (1 - yr[i] * yr[i]);
				break;
			case ACT_SIGMOID:
				for (i = 0; i < P; i++)
					d[i] = gr[i] * (yr[i] * (1 - yr[i]));
				break;
			case ACT_GELU: {
				const float *restrict zr = z + o;
				const float *restrict pr = phi + o;

				for (i = 0; i < P; i++) {
					v = zr[i];
					d[i] = gr[i] * (pr[i] + v *
					    vexpf(-0.5f * v * v) *
					    INV_SQRT2PI);
				}
				break;
			}
			}
		}
	}
	if (db != NULL)
		for (f = 0; f < F; f++)
			db[f] += conv_sum(dt + f * nb * P, nb * P);
}
