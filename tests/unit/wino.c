/*
 * Unit tests for Winograd's F(2x2,3x3) (lib/wino.c): the forward, the
 * input gradient and the weight gradient of a 3x3, stride 1, padding 1
 * convolution, computed as lib/netpass.c computes them (the transforms
 * and 16 blas_sgemm), against the direct convolution in double, for
 * shapes with odd planes, 1x1 and 2x2 planes, 1 and 3 samples.
 *
 * The tolerance is Higham's bound for a computation that is a sum of
 * products made of additions and exact scalings (by 1/2): the computed
 * value is the sum of the expanded terms, each times (1 + theta),
 * |theta| <= gamma_k, k the most roundings on any term's path.  So
 *
 *	|computed - exact| <= gamma_k * S
 *
 * with S the sum of the absolute values of the expanded terms: the same
 * algorithm run in double on |x|, |w|, |dy| with the transform matrices'
 * absolute values (sabs_* below).  S is larger than the direct sum's
 * sum |terms| (the transforms add and subtract up to 4 x 3 x 3 values
 * per output): that is the Winograd's known accuracy loss, counted, not
 * guessed.  The roundings (k) per path, from wino.c's 1-D macros:
 *
 *	U = G g G^T	2 per dimension (g0 + g2, then + g1): 4
 *	V = B^T d B	1 per dimension: 2
 *	y = A^T M A	2 per dimension (m0 + m1 + m2): 4
 *	dM = A dy A^T	1 per dimension: 2
 *	dd = B dV B^T	2 per dimension (v1 - v2 + v3): 4, then up to 4
 *			overlapping tiles added into one dx element: 3
 *	dw = G^T dU G	2 per dimension: 4, then += into dw: 1
 *	the products	1, and the sgemm's sum of K terms: K
 *
 * forward k = 4 + 2 + 1 + C + 4, dx k = 2 + 4 + 1 + F + 4 + 3, dw k =
 * 2 + 2 + 1 + T + 4 + 1.  Any order of the sgemm sums keeps the bound.
 * A wrong transform matrix (one sign of G flipped) moves results by
 * whole terms and must fail the same check.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blas.h"
#include "rng.h"
#include "tol.h"
#include "wino.h"

/* the matrices of wino.h and their transposes */
static const double BT[4][4] = {
	{ 1, 0, -1, 0 }, { 0, 1, 1, 0 }, { 0, -1, 1, 0 }, { 0, 1, 0, -1 }
};
static const double B[4][4] = {
	{ 1, 0, 0, 0 }, { 0, 1, -1, 1 }, { -1, 1, 1, 0 }, { 0, 0, 0, -1 }
};
static const double GM[4][3] = {
	{ 1, 0, 0 }, { .5, .5, .5 }, { .5, -.5, .5 }, { 0, 0, 1 }
};
static const double GT[3][4] = {
	{ 1, .5, .5, 0 }, { 0, .5, -.5, 0 }, { 0, .5, .5, 1 }
};
static const double AT[2][4] = { { 1, 1, 1, 0 }, { 0, 1, -1, -1 } };
static const double A[4][2] = { { 1, 0 }, { 1, 1 }, { 1, -1 }, { 0, -1 } };

struct shape {
	long	 C, F, H, W, nb;
};

static float *S;	/* the transforms' scratch, wino_scratch(W) floats
			   (exactly: the sanitizers see an overrun) */

static void
fill(float *x, long n, struct rng *g)
{
	long i;

	for (i = 0; i < n; i++)
		x[i] = (float)(2 * rng_uniform(g) - 1);
}

/* indices of x, dx (nb, C, H, W), y, dy (F, nb, H, W), w (F, C, 3, 3) */
#define IX(s, b, c, h, v)	((((b) * (s)->C + (c)) * (s)->H + (h)) * \
				    (s)->W + (v))
#define IY(s, f, b, h, v)	((((f) * (s)->nb + (b)) * (s)->H + (h)) * \
				    (s)->W + (v))
#define IW(s, f, c, i, j)	((((f) * (s)->C + (c)) * 3 + (i)) * 3 + (j))

/* whether (h, v) is in the plane */
static int
in(const struct shape *s, long h, long v)
{
	return h >= 0 && h < s->H && v >= 0 && v < s->W;
}

/* x[b, c, h, v] in double (|.| with absv), 0 outside the plane */
static double
px(const float *x, const struct shape *s, long b, long c, long h, long v,
    int absv)
{
	if (!in(s, h, v))
		return 0;
	return absv ? fabs(x[IX(s, b, c, h, v)]) : x[IX(s, b, c, h, v)];
}

/* direct 3x3 convolution, padding 1, in double: y (F, nb, H, W) */
static void
direct_fwd(double *y, const float *x, const float *w, const struct shape *s)
{
	long f, b, c, h, v, k;
	double acc;

	for (f = 0; f < s->F; f++)
		for (b = 0; b < s->nb; b++)
			for (h = 0; h < s->H; h++)
				for (v = 0; v < s->W; v++) {
					acc = 0;
					for (c = 0; c < s->C; c++)
						for (k = 0; k < 9; k++)
							acc += w[IW(s, f, c,
							    k / 3, k % 3)] *
							    px(x, s, b, c,
							    h - 1 + k / 3,
							    v - 1 + k % 3, 0);
					y[IY(s, f, b, h, v)] = acc;
				}
}

/* its input gradient dx (nb, C, H, W) and weight gradient dw (F, C, 3,
 * 3) for dy (F, nb, H, W), in double: every product of the forward sent
 * back to both its factors */
static void
direct_bwd(double *dx, double *dw, const float *dy, const float *x,
    const float *w, const struct shape *s)
{
	long f, b, c, h, v, k, hh, vv;
	double g;

	memset(dx, 0, s->nb * s->C * s->H * s->W * sizeof *dx);
	memset(dw, 0, s->F * s->C * 9 * sizeof *dw);
	for (f = 0; f < s->F; f++)
		for (b = 0; b < s->nb; b++)
			for (h = 0; h < s->H; h++)
				for (v = 0; v < s->W; v++) {
					g = dy[IY(s, f, b, h, v)];
					for (c = 0; c < s->C; c++)
						for (k = 0; k < 9; k++) {
							hh = h - 1 + k / 3;
							vv = v - 1 + k % 3;
							if (!in(s, hh, vv))
								continue;
							dx[IX(s, b, c, hh,
							    vv)] += g * w[IW(s,
							    f, c, k / 3,
							    k % 3)];
							dw[IW(s, f, c, k / 3,
							    k % 3)] += g *
							    px(x, s, b, c, hh,
							    vv, 0);
						}
				}
}

/* o (m, m) = P X P^T for P (m, n), X (n, n); |P| with absv */
static void
tr2(double *o, const double *P, const double *X, int m, int n, int absv)
{
	double t[16], p;
	int i, j, k;

	for (i = 0; i < m; i++)
		for (j = 0; j < n; j++) {
			t[i * n + j] = 0;
			for (k = 0; k < n; k++) {
				p = absv ? fabs(P[i * n + k]) : P[i * n + k];
				t[i * n + j] += p * X[k * n + j];
			}
		}
	for (i = 0; i < m; i++)
		for (j = 0; j < m; j++) {
			o[i * m + j] = 0;
			for (k = 0; k < n; k++) {
				p = absv ? fabs(P[j * n + k]) : P[j * n + k];
				o[i * m + j] += t[i * n + k] * p;
			}
		}
}

/* u (4, 4) = |G| |w[f, c]| |G|^T */
static void
absu(double *u, const float *w, const struct shape *s, long f, long c)
{
	double g[9];
	int k;

	for (k = 0; k < 9; k++)
		g[k] = fabs(w[IW(s, f, c, k / 3, k % 3)]);
	tr2(u, &GM[0][0], g, 4, 3, 1);
}

/* v (4, 4) = |B^T| |d| |B|, d the tile (ty, tx) of plane (b, c) */
static void
absv_tile(double *v, const float *x, const struct shape *s, long b, long c,
    long ty, long tx)
{
	double d[16];
	int k;

	for (k = 0; k < 16; k++)
		d[k] = px(x, s, b, c, 2 * ty - 1 + k / 4, 2 * tx - 1 + k % 4,
		    1);
	tr2(v, &BT[0][0], d, 4, 4, 1);
}

/* m (4, 4) = |A| |dy_tile| |A|^T of (f, b, tile) */
static void
absdm_tile(double *m, const float *dy, const struct shape *s, long f,
    long b, long ty, long tx)
{
	double o[4];
	long h, v;
	int k;

	for (k = 0; k < 4; k++) {
		h = 2 * ty + k / 2;
		v = 2 * tx + k % 2;
		o[k] = in(s, h, v) ? fabs(dy[IY(s, f, b, h, v)]) : 0;
	}
	tr2(m, &A[0][0], o, 4, 2, 1);
}

/* S of the forward, sy (F, nb, H, W): |A^T| (sum_c |U| . |V|) |A| */
static void
sabs_fwd(double *sy, const float *x, const float *w, const struct shape *s)
{
	double acc[16], u[16], v[16], o[4];
	long TH, TW, f, b, c, ty, tx, h, vv;
	int k;

	TH = (s->H + 1) / 2;
	TW = (s->W + 1) / 2;
	for (f = 0; f < s->F; f++)
		for (b = 0; b < s->nb; b++)
			for (ty = 0; ty < TH; ty++)
				for (tx = 0; tx < TW; tx++) {
					memset(acc, 0, sizeof acc);
					for (c = 0; c < s->C; c++) {
						absu(u, w, s, f, c);
						absv_tile(v, x, s, b, c, ty,
						    tx);
						for (k = 0; k < 16; k++)
							acc[k] += u[k] * v[k];
					}
					tr2(o, &AT[0][0], acc, 2, 4, 1);
					for (k = 0; k < 4; k++) {
						h = 2 * ty + k / 2;
						vv = 2 * tx + k % 2;
						if (in(s, h, vv))
							sy[IY(s, f, b, h,
							    vv)] = o[k];
					}
				}
}

/* S of dx (nb, C, H, W), |B| (sum_f |U| . |dM|) |B|^T over the tiles,
 * and of dw (F, C, 3, 3), |G^T| (sum_t |dM| . |V|) |G| */
static void
sabs_bwd(double *sdx, double *sdw, const float *dy, const float *x,
    const float *w, const struct shape *s)
{
	double m[16], u[16], v[16], dv[16], dd[16], du[16], g[9];
	long TH, TW, f, b, c, ty, tx, h, vv;
	int k;

	TH = (s->H + 1) / 2;
	TW = (s->W + 1) / 2;
	memset(sdx, 0, s->nb * s->C * s->H * s->W * sizeof *sdx);
	memset(sdw, 0, s->F * s->C * 9 * sizeof *sdw);
	for (b = 0; b < s->nb; b++)
		for (ty = 0; ty < TH; ty++)
			for (tx = 0; tx < TW; tx++)
				for (c = 0; c < s->C; c++) {
					memset(dv, 0, sizeof dv);
					absv_tile(v, x, s, b, c, ty, tx);
					for (f = 0; f < s->F; f++) {
						absdm_tile(m, dy, s, f, b, ty,
						    tx);
						absu(u, w, s, f, c);
						for (k = 0; k < 16; k++) {
							dv[k] += u[k] * m[k];
							du[k] = m[k] * v[k];
						}
						tr2(g, &GT[0][0], du, 3, 4, 1);
						for (k = 0; k < 9; k++)
							sdw[IW(s, f, c, k / 3,
							    k % 3)] += g[k];
					}
					tr2(dd, &B[0][0], dv, 4, 4, 1);
					for (k = 0; k < 16; k++) {
						h = 2 * ty - 1 + k / 4;
						vv = 2 * tx - 1 + k % 4;
						if (in(s, h, vv))
							sdx[IX(s, b, c, h,
							    vv)] += dd[k];
					}
				}
}

/* U (16, F, C) from w with the matrix Gw (4, 3) (a test's wrong one),
 * the 16 matrices wino_stride(F C) apart */
static void
weights_with(float *U, const float *w, const double (*Gw)[3],
    const struct shape *s)
{
	double u[16], g[9];
	long f, c;
	int k;

	for (f = 0; f < s->F; f++)
		for (c = 0; c < s->C; c++) {
			for (k = 0; k < 9; k++)
				g[k] = w[IW(s, f, c, k / 3, k % 3)];
			tr2(u, &Gw[0][0], g, 4, 3, 0);
			for (k = 0; k < 16; k++)
				U[k * wino_stride(s->F * s->C) + f * s->C +
				    c] = (float)u[k];
		}
}

/* y (F, nb, H, W) the way netpass.c computes it, from U */
static void
wino_fwd(float *y, const float *U, const float *x, const struct shape *s,
    float *V, float *M)
{
	long T, xi;

	T = s->nb * wino_tiles(s->H, s->W);
	wino_input(V, S, x, s->nb, s->C, s->H, s->W);
	for (xi = 0; xi < 16; xi++)
		/* M_xi (F, T) = U_xi (F, C) V_xi (C, T) */
		blas_sgemm(BLAS_N, BLAS_N, s->F, T, s->C, 1,
		    U + xi * wino_stride(s->F * s->C), s->C,
		    V + xi * wino_stride(s->C * T), T, 0,
		    M + xi * wino_stride(s->F * T), T);
	wino_output(y, S, M, s->F, s->nb, s->H, s->W);
}

/* elements of got outside |got - want| <= gamma_k * S; *worst the
 * largest ratio to the bound */
static long
outside(const float *got, const double *want, const double *S, long n,
    double k, double *worst)
{
	double t, r;
	long i, bad;

	*worst = 0;
	for (bad = 0, i = 0; i < n; i++) {
		t = tol_gamma(k) * S[i] + tol_f64(k, S[i]);
		r = fabs(got[i] - want[i]) / (t > 0 ? t : 1e-300);
		if (!(r <= 1))
			bad++;
		if (r > *worst || r != r)
			*worst = r;
	}
	return bad;
}

static void
check(const struct shape *s, struct rng *g)
{
	float *x, *w, *dy, *U, *V, *M, *y, *dx, *dw, *dU;
	double *yr, *dxr, *dwr, *sy, *sdx, *sdw, worst;
	long nx, nw, ny, T, xi;
	char buf[160];
	static const double Gbad[4][3] = {
		{ 1, 0, 0 }, { .5, .5, .5 }, { .5, -.5, -.5 }, { 0, 0, 1 }
	};

	nx = s->nb * s->C * s->H * s->W;
	nw = s->F * s->C * 9;
	ny = s->F * s->nb * s->H * s->W;
	T = s->nb * wino_tiles(s->H, s->W);
	x = malloc(nx * sizeof *x);
	w = malloc(nw * sizeof *w);
	dy = malloc(ny * sizeof *dy);
	U = malloc(16 * wino_stride(s->F * s->C) * sizeof *U);
	dU = malloc(16 * wino_stride(s->F * s->C) * sizeof *dU);
	V = malloc(16 * wino_stride(s->C * T) * sizeof *V);
	M = malloc(16 * wino_stride(s->F * T) * sizeof *M);
	y = malloc(ny * sizeof *y);
	dx = malloc(nx * sizeof *dx);
	dw = malloc(nw * sizeof *dw);
	yr = malloc(ny * sizeof *yr);
	sy = malloc(ny * sizeof *sy);
	dxr = malloc(nx * sizeof *dxr);
	sdx = malloc(nx * sizeof *sdx);
	dwr = malloc(nw * sizeof *dwr);
	sdw = malloc(nw * sizeof *sdw);
	S = malloc(wino_scratch(s->W) * sizeof *S);
	fill(x, nx, g);
	fill(w, nw, g);
	fill(dy, ny, g);
	direct_fwd(yr, x, w, s);
	direct_bwd(dxr, dwr, dy, x, w, s);
	sabs_fwd(sy, x, w, s);
	sabs_bwd(sdx, sdw, dy, x, w, s);

	/* forward, U in two shares of the filters as the threads make it */
	wino_weights(U, w, s->F, s->C, 0, s->F / 2);
	wino_weights(U, w, s->F, s->C, s->F / 2, s->F);
	wino_fwd(y, U, x, s, V, M);
	snprintf(buf, sizeof buf, "forward C %ld F %ld %ldx%ld nb %ld: "
	    "within gamma_%ld S", s->C, s->F, s->H, s->W, s->nb, s->C + 11);
	ok(outside(y, yr, sy, ny, s->C + 11, &worst) == 0, buf);
	diag("worst %.3g of the bound", worst);

	/* backward: dM, dU = dM V^T, dw = G^T dU G; dV = U^T dM, dx */
	wino_output_adj(M, S, dy, s->F, s->nb, s->H, s->W);
	for (xi = 0; xi < 16; xi++)
		/* dU_xi (F, C) = dM_xi (F, T) V_xi^T */
		blas_sgemm(BLAS_N, BLAS_T, s->F, s->C, T, 1,
		    M + xi * wino_stride(s->F * T), T,
		    V + xi * wino_stride(s->C * T), T, 0,
		    dU + xi * wino_stride(s->F * s->C), s->C);
	memset(dw, 0, nw * sizeof *dw);
	wino_weights_adj(dw, dU, s->F, s->C);
	snprintf(buf, sizeof buf, "dW C %ld F %ld %ldx%ld nb %ld: within "
	    "gamma_%ld S", s->C, s->F, s->H, s->W, s->nb, T + 10);
	ok(outside(dw, dwr, sdw, nw, T + 10, &worst) == 0, buf);
	diag("worst %.3g of the bound", worst);
	for (xi = 0; xi < 16; xi++)
		/* dV_xi (C, T) = U_xi^T dM_xi */
		blas_sgemm(BLAS_T, BLAS_N, s->C, T, s->F, 1,
		    U + xi * wino_stride(s->F * s->C), s->C,
		    M + xi * wino_stride(s->F * T), T, 0,
		    V + xi * wino_stride(s->C * T), T);
	memset(dx, 0x7f, nx * sizeof *dx);	/* overwritten, not added */
	wino_input_adj(dx, S, V, s->nb, s->C, s->H, s->W);
	snprintf(buf, sizeof buf, "dx C %ld F %ld %ldx%ld nb %ld: within "
	    "gamma_%ld S", s->C, s->F, s->H, s->W, s->nb, s->F + 14);
	ok(outside(dx, dxr, sdx, nx, s->F + 14, &worst) == 0, buf);
	diag("worst %.3g of the bound", worst);

	/* wino_weights_adj adds */
	{
		float *d1 = malloc(nw * sizeof *d1);

		memcpy(d1, dw, nw * sizeof *dw);
		wino_weights_adj(dw, dU, s->F, s->C);
		for (xi = 0; xi < nw && dw[xi] == 2 * d1[xi]; xi++)
			;
		free(d1);
	}
	snprintf(buf, sizeof buf, "dW C %ld F %ld: wino_weights_adj adds "
	    "into dw", s->C, s->F);
	ok(xi == nw, buf);

	/* the test can fail: G with one sign flipped */
	if (s->H * s->W > 1) {
		weights_with(U, w, Gbad, s);
		wino_fwd(y, U, x, s, V, M);
		snprintf(buf, sizeof buf, "forward C %ld F %ld %ldx%ld: a "
		    "wrong G fails the bound", s->C, s->F, s->H, s->W);
		ok(outside(y, yr, sy, ny, s->C + 11, &worst) > 0, buf);
	}

	free(x), free(w), free(dy), free(U), free(dU), free(V), free(M);
	free(y), free(dx), free(dw), free(yr), free(sy), free(dxr);
	free(sdx), free(dwr), free(sdw), free(S);
}

/* the transforms of one tile worked by hand */
static void
by_hand(void)
{
	float w[9] = { 1, 2, 3, 4, 5, 6, 7, 8, 9 }, U[16 * 16], x[4] = {
		1, 2, 3, 4 }, V[16 * 16], y[4], M[16 * 16];
	/* G g G^T, row 1 col 1: (1/4) sum of all 9 = 45/4 */
	const float u5 = 45.0f / 4;
	int xi;

	S = malloc(wino_scratch(2) * sizeof *S);
	wino_weights(U, w, 1, 1, 0, 1);
	is_double(U[0], 1, 0, "U[0,0] = g[0,0]");
	is_double(U[3 * 16], 3, 0, "U[0,3] = g[0,2]");
	is_double(U[15 * 16], 9, 0, "U[3,3] = g[2,2]");
	is_double(U[5 * 16], u5, 0, "U[1,1] = sum(g) / 4");
	/* U[1,2] = (1/4) sum_ij g_ij (-1)^j... : rows .5(g0+g1+g2),
	 * columns .5(c0 - c1 + c2): (12 - 15 + 18) / 4 */
	is_double(U[6 * 16], 15.0f / 4, 0, "U[1,2] = (12 - 15 + 18) / 4");
	/* (one tile: the 16 matrices of 1 float are wino_stride(1) = 16
	 * floats apart) */
	is_int(wino_stride(1), 16, "wino_stride(1): one line");
	is_int(wino_stride(17), 48, "wino_stride(17): 3 lines, not 2");
	/* a 2x2 plane is one tile: d = [0 0 0 0; 0 1 2 0; 0 3 4 0; 0 0 0 0]
	 * V = B^T d B; V[1,1] = (d11 + d21 + d12 + d22) = 10 */
	wino_input(V, S, x, 1, 1, 2, 2);
	is_double(V[5 * 16], 10, 0, "V[1,1] = 1 + 2 + 3 + 4");
	is_double(V[0], 4, 0, "V[0,0] = d00 - d02 - d20 + d22 = 4");
	/* y = A^T (U . V) A: a 1-channel 3x3 conv of the 2x2 plane */
	for (xi = 0; xi < 16; xi++)
		M[xi * 16] = U[xi * 16] * V[xi * 16];
	wino_output(y, S, M, 1, 1, 2, 2);
	/* y[0,0] = 5*1 + 6*2 + 8*3 + 9*4 = 77 */
	is_double(y[0], 77, 1e-4, "y[0,0] = 5 + 12 + 24 + 36");
	/* y[1,1] = 1*1 + 2*2 + 4*3 + 5*4 = 37 */
	is_double(y[3], 37, 1e-4, "y[1,1] = 1 + 4 + 12 + 20");
	free(S);
}

int
main(void)
{
	static const struct shape sh[] = {
		{ 3, 4, 5, 7, 3 },	/* odd planes: cut tiles */
		{ 4, 5, 6, 8, 1 },	/* even */
		{ 2, 3, 1, 1, 3 },	/* 1x1: one tile, mostly padding */
		{ 5, 2, 2, 2, 3 },	/* 2x2: one whole tile */
		{ 7, 6, 3, 9, 1 },
		{ 16, 8, 9, 4, 3 },
		{ 1, 1, 4, 4, 1 },
	};
	struct rng g;
	size_t i;

	plan(11 + 5 * (int)(sizeof sh / sizeof sh[0]) - 1);
	rng_seed(&g, 14);
	by_hand();
	for (i = 0; i < sizeof sh / sizeof sh[0]; i++)
		check(&sh[i], &g);
	return done();
}
