/*
 * wino.c - the transforms of Winograd's F(2x2,3x3) (see wino.h).
 *
 * Each transform is a 2-D one, X -> P X Q^T, done as the 1-D transform
 * of the columns then of the rows.  The adjoints (the transposes of the
 * same linear maps, for the backward) are written next to them:
 *
 *	forward				adjoint
 *	U = G g G^T    (3x3 -> 4x4)	dg = G^T dU G
 *	V = B^T d B    (4x4 -> 4x4)	dd = B dV B^T
 *	y = A^T M A    (4x4 -> 2x2)	dM = A dy A^T
 *
 * The input transform and its adjoint take one row of tiles at a time;
 * the tiles that the padding or a cut edge reaches go through a checked
 * path, the others through a loop without tests.
 */
#include <string.h>

#include "wino.h"

/*
 * The transforms' loops take 4 tiles at a time in a GCC vector of 4
 * floats (SSE on x86-64, NEON on arm64; clang has the same extension):
 * -O2's vectoriser does not take loops whose trip count is not a
 * multiple of the vector.  The 1-D macros below serve both the vectors
 * and the scalar tails.
 */
typedef float v4 __attribute__((vector_size(16)));

static inline v4
ld4(const float *p)
{
	v4 v;

	memcpy(&v, p, sizeof v);
	return v;
}

static inline void
st4(float *p, v4 v)
{
	memcpy(p, &v, sizeof v);
}

long
wino_stride(long n)
{
	n = (n + 15) / 16;
	return 16 * (n | 1);
}

long
wino_tiles(long H, long W)
{
	return ((H + 1) / 2) * ((W + 1) / 2);
}

/* 1-D: u (4) = G g (3) (g0 + g2 twice: the same float both times) */
#define G3(u0, u1, u2, u3, g0, g1, g2) do {				\
	(u0) = (g0);							\
	(u1) = 0.5f * (((g0) + (g2)) + (g1));				\
	(u2) = 0.5f * (((g0) + (g2)) - (g1));				\
	(u3) = (g2);							\
} while (0)

/* 1-D: g (3) = G^T u (4) */
#define GT4(g0, g1, g2, u0, u1, u2, u3) do {				\
	(g0) = (u0) + 0.5f * ((u1) + (u2));				\
	(g1) = 0.5f * ((u1) - (u2));					\
	(g2) = 0.5f * ((u1) + (u2)) + (u3);				\
} while (0)

/* 1-D: v (4) = B^T d (4) */
#define BT4(v0, v1, v2, v3, d0, d1, d2, d3) do {			\
	(v0) = (d0) - (d2);						\
	(v1) = (d1) + (d2);						\
	(v2) = (d2) - (d1);						\
	(v3) = (d1) - (d3);						\
} while (0)

/* 1-D: d (4) = B v (4) */
#define B4(d0, d1, d2, d3, v0, v1, v2, v3) do {				\
	(d0) = (v0);							\
	(d1) = (v1) - (v2) + (v3);					\
	(d2) = (v1) + (v2) - (v0);					\
	(d3) = -(v3);							\
} while (0)

/* 1-D: y (2) = A^T m (4) */
#define AT4(y0, y1, m0, m1, m2, m3) do {				\
	(y0) = (m0) + (m1) + (m2);					\
	(y1) = (m1) - (m2) - (m3);					\
} while (0)

/* 1-D: m (4) = A y (2) */
#define A2(m0, m1, m2, m3, y0, y1) do {					\
	(m0) = (y0);							\
	(m1) = (y0) + (y1);						\
	(m2) = (y0) - (y1);						\
	(m3) = -(y1);							\
} while (0)

/* the filters c..c+3 (a v4) or c (a float) of filter row f: U = G g G^T */
#define W_TILES(T, GET, ST)						\
	do {								\
		T g_[9], s_[12], u_[16];				\
		int j_;							\
									\
		for (j_ = 0; j_ < 9; j_++)				\
			g_[j_] = GET(w + (f * C + c) * 9 + j_);		\
		for (j_ = 0; j_ < 3; j_++)				\
			G3(s_[j_], s_[3 + j_], s_[6 + j_], s_[9 + j_],	\
			    g_[j_], g_[3 + j_], g_[6 + j_]);		\
		for (j_ = 0; j_ < 4; j_++)				\
			G3(u_[4 * j_], u_[4 * j_ + 1], u_[4 * j_ + 2],	\
			    u_[4 * j_ + 3], s_[3 * j_], s_[3 * j_ + 1],	\
			    s_[3 * j_ + 2]);				\
		for (j_ = 0; j_ < 16; j_++)				\
			ST(U + j_ * ld + f * C + c, u_[j_]);		\
	} while (0)

/* 4 filters 9 floats apart as a v4 */
static inline v4
get9(const float *p)
{
	v4 v = { p[0], p[9], p[18], p[27] };

	return v;
}

#define LD1(p)		(*(p))
#define GET1(p)		(*(p))
#define ST1(p, v)	(*(p) = (v))

void
wino_weights(float *U, const float *w, long F, long C, long f0, long f1)
{
	long ld, f, c;

	ld = wino_stride(F * C);
	for (f = f0; f < f1; f++) {
		for (c = 0; c + 4 <= C; c += 4)
			W_TILES(v4, get9, st4);
		for (; c < C; c++)
			W_TILES(float, GET1, ST1);
	}
}

/* dw of filters c..c+3 or c of row f += G^T dU G */
#define WADJ_TILES(T, LD, ADD)						\
	do {								\
		T u_[16], s_[12], g_[9];				\
		int j_;							\
									\
		for (j_ = 0; j_ < 16; j_++)				\
			u_[j_] = LD(dU + j_ * ld + f * C + c);		\
		for (j_ = 0; j_ < 4; j_++)				\
			GT4(s_[j_], s_[4 + j_], s_[8 + j_], u_[j_],	\
			    u_[4 + j_], u_[8 + j_], u_[12 + j_]);	\
		for (j_ = 0; j_ < 3; j_++)				\
			GT4(g_[3 * j_], g_[3 * j_ + 1], g_[3 * j_ + 2],	\
			    s_[4 * j_], s_[4 * j_ + 1], s_[4 * j_ + 2],	\
			    s_[4 * j_ + 3]);				\
		for (j_ = 0; j_ < 9; j_++)				\
			ADD(dw + (f * C + c) * 9 + j_, g_[j_]);		\
	} while (0)

/* p[0], p[9], p[18], p[27] += v */
static inline void
add9(float *p, v4 v)
{
	p[0] += v[0];
	p[9] += v[1];
	p[18] += v[2];
	p[27] += v[3];
}

#define ADD1(p, v)	(*(p) += (v))

void
wino_weights_adj(float *dw, const float *dU, long F, long C)
{
	long ld, f, c;

	ld = wino_stride(F * C);
	for (f = 0; f < F; f++) {
		for (c = 0; c + 4 <= C; c += 4)
			WADJ_TILES(v4, ld4, add9);
		for (; c < C; c++)
			WADJ_TILES(float, LD1, ADD1);
	}
}

/*
 * The 4x4 transforms of one row of tiles run along the row, tile tx in
 * the inner loop, so that the loops vectorise: the input rows are split
 * into their even and odd columns (a tile's columns 2tx-1, 2tx, 2tx+1,
 * 2tx+2 are odd[tx-1], even[tx], odd[tx], even[tx+1]) in the scratch s,
 * and the outputs are gathered back from such rows.  Each array in s is
 * TW + 1 floats (wino_scratch).
 */

/* e (n) = the even columns of row q (W), o (n) = the odd columns one
 * place on (o[0] = 0, column -1); 0 past the row or for q NULL */
static void
split(float *restrict e, float *restrict o, const float *q, long W, long n)
{
	long h, tx;

	o[0] = 0;
	if (q == NULL) {
		memset(e, 0, (size_t)n * sizeof *e);
		memset(o + 1, 0, (size_t)(n - 1) * sizeof *o);
		return;
	}
	h = W / 2;
	for (tx = 0; tx < h; tx++) {
		e[tx] = q[2 * tx];
		o[tx + 1] = q[2 * tx + 1];
	}
	for (tx = h; tx < n; tx++)
		e[tx] = 2 * tx < W ? q[2 * tx] : 0;
	for (tx = h; tx + 1 < n; tx++)
		o[tx + 1] = 2 * tx + 1 < W ? q[2 * tx + 1] : 0;
}

long
wino_scratch(long W)
{
	return 16 * ((W + 1) / 2 + 1);
}

/* one tile column of in_row (T a float or a v4, at tile tx) */
#define IN_TILES(T, LD, ST)						\
	do {								\
		T c0_[4], c1_[4], c2_[4], c3_[4], d0_, d1_, d2_, d3_;	\
		int i_;							\
									\
		BT4(c0_[0], c0_[1], c0_[2], c0_[3], LD(o0 + tx),	\
		    LD(o1 + tx), LD(o2 + tx), LD(o3 + tx));		\
		BT4(c1_[0], c1_[1], c1_[2], c1_[3], LD(e0 + tx),	\
		    LD(e1 + tx), LD(e2 + tx), LD(e3 + tx));		\
		BT4(c2_[0], c2_[1], c2_[2], c2_[3], LD(o0 + tx + 1),	\
		    LD(o1 + tx + 1), LD(o2 + tx + 1), LD(o3 + tx + 1));	\
		BT4(c3_[0], c3_[1], c3_[2], c3_[3], LD(e0 + tx + 1),	\
		    LD(e1 + tx + 1), LD(e2 + tx + 1), LD(e3 + tx + 1));	\
		for (i_ = 0; i_ < 4; i_++) {				\
			BT4(d0_, d1_, d2_, d3_, c0_[i_], c1_[i_],	\
			    c2_[i_], c3_[i_]);				\
			ST(o + (4 * i_) * ld + tx, d0_);		\
			ST(o + (4 * i_ + 1) * ld + tx, d1_);		\
			ST(o + (4 * i_ + 2) * ld + tx, d2_);		\
			ST(o + (4 * i_ + 3) * ld + tx, d3_);		\
		}							\
	} while (0)

/* the tiles of row ty of plane p (H, W): o + xi * ld + tx gets v[xi] of
 * tile tx: the columns' transform c_j = B^T (column j), then the rows' */
static void
in_row(float *o, long ld, float *s, const float *p, long H, long W,
    long ty)
{
	const float *e0, *e1, *e2, *e3, *o0, *o1, *o2, *o3;
	long TW, n, tx, r;
	int i;

	TW = (W + 1) / 2;
	n = TW + 1;
	for (i = 0; i < 4; i++) {
		r = 2 * ty - 1 + i;
		split(s + 2 * i * n, s + (2 * i + 1) * n, r >= 0 && r < H ?
		    p + r * W : NULL, W, n);
	}
	e0 = s, o0 = s + n, e1 = s + 2 * n, o1 = s + 3 * n;
	e2 = s + 4 * n, o2 = s + 5 * n, e3 = s + 6 * n, o3 = s + 7 * n;
	for (tx = 0; tx + 4 <= TW; tx += 4)
		IN_TILES(v4, ld4, st4);
	for (; tx < TW; tx++)
		IN_TILES(float, LD1, ST1);
}

void
wino_input(float *V, float *s, const float *x, long nb, long C, long H,
    long W)
{
	long T, TH, TW, ld, b, c, ty;

	TH = (H + 1) / 2;
	TW = (W + 1) / 2;
	T = nb * TH * TW;
	ld = wino_stride(C * T);
	for (c = 0; c < C; c++)
		for (b = 0; b < nb; b++)
			for (ty = 0; ty < TH; ty++)
				in_row(V + c * T + (b * TH + ty) * TW, ld, s,
				    x + (b * C + c) * H * W, H, W, ty);
}

/*
 * Row ty of tiles of dx's plane p (H, W) += B dV B^T of each: q + xi *
 * ld + tx holds dV[xi] of tile tx.  Tile tx's rows of 4 go to columns
 * 2tx-1 .. 2tx+2; column 2tx-1 gets a0[tx] + a2[tx-1], column 2tx gets
 * a1[tx] + a3[tx-1] (a_j the tiles' column j of that row).
 */
/* one tile column of in_adj_row */
#define IN_ADJ_TILES(T, LD, ST)						\
	do {								\
		T c_[4][4], d0_, d1_, d2_, d3_;				\
		int i_, j_;						\
									\
		for (j_ = 0; j_ < 4; j_++)				\
			B4(c_[j_][0], c_[j_][1], c_[j_][2], c_[j_][3],	\
			    LD(q + j_ * ld + tx), LD(q + (4 + j_) * ld + tx), \
			    LD(q + (8 + j_) * ld + tx),			\
			    LD(q + (12 + j_) * ld + tx));		\
		for (i_ = 0; i_ < 4; i_++) {				\
			B4(d0_, d1_, d2_, d3_, c_[0][i_], c_[1][i_],	\
			    c_[2][i_], c_[3][i_]);			\
			ST(s + (4 * i_) * n + tx, d0_);			\
			ST(s + (4 * i_ + 1) * n + tx, d1_);		\
			ST(s + (4 * i_ + 2) * n + tx, d2_);		\
			ST(s + (4 * i_ + 3) * n + tx, d3_);		\
		}							\
	} while (0)

static void
in_adj_row(float *p, float *s, const float *q, long ld, long H, long W,
    long ty)
{
	float *a0, *a1, *a2, *a3, *row;
	long TW, n, tx, r;
	int i;

	TW = (W + 1) / 2;
	n = TW + 1;
	/* c_j = B (column j of dV), then row i = B (row i of c) */
	for (tx = 0; tx + 4 <= TW; tx += 4)
		IN_ADJ_TILES(v4, ld4, st4);
	for (; tx < TW; tx++)
		IN_ADJ_TILES(float, LD1, ST1);
	for (i = 0; i < 4; i++) {
		r = 2 * ty - 1 + i;
		if (r < 0 || r >= H)
			continue;
		row = p + r * W;
		a0 = s + (4 * i) * n;
		a1 = a0 + n;
		a2 = a1 + n;
		a3 = a2 + n;
		row[0] += a1[0];
		for (tx = 1; tx < TW; tx++) {
			row[2 * tx - 1] += a0[tx] + a2[tx - 1];
			row[2 * tx] += a1[tx] + a3[tx - 1];
		}
		if (2 * TW - 1 < W)
			row[2 * TW - 1] += a2[TW - 1];
	}
}

void
wino_input_adj(float *dx, float *s, const float *dV, long nb, long C,
    long H, long W)
{
	float *p;
	long T, TH, TW, ld, b, c, ty;

	TH = (H + 1) / 2;
	TW = (W + 1) / 2;
	T = nb * TH * TW;
	ld = wino_stride(C * T);
	for (b = 0; b < nb; b++)
		for (c = 0; c < C; c++) {
			p = dx + (b * C + c) * H * W;
			memset(p, 0, (size_t)(H * W) * sizeof *p);
			for (ty = 0; ty < TH; ty++)
				in_adj_row(p, s, dV + c * T + (b * TH + ty) *
				    TW, ld, H, W, ty);
		}
}

/* rows r and r+1 (if < H) of plane p (H, W) from the 2x2 outputs of the
 * TW tiles: y_ij of tile tx in s[(2i + j) n + tx] */
static void
merge(float *p, const float *s, long n, long H, long W, long r)
{
	const float *a, *b;
	float *row;
	long TW, tx, i;

	TW = (W + 1) / 2;
	for (i = 0; i < 2 && r + i < H; i++) {
		row = p + (r + i) * W;
		a = s + 2 * i * n;
		b = a + n;
		for (tx = 0; tx < W / 2; tx++) {
			row[2 * tx] = a[tx];
			row[2 * tx + 1] = b[tx];
		}
		if (W % 2)
			row[W - 1] = a[TW - 1];
	}
}

/* one tile column of wino_output: c_j = A^T (column j of m), then the
 * rows' */
#define OUT_TILES(T, LD, ST)						\
	do {								\
		T c_[4][2], o0_, o1_;					\
		int i_, j_;						\
									\
		for (j_ = 0; j_ < 4; j_++)				\
			AT4(c_[j_][0], c_[j_][1], LD(q + j_ * ld + tx),	\
			    LD(q + (4 + j_) * ld + tx),			\
			    LD(q + (8 + j_) * ld + tx),			\
			    LD(q + (12 + j_) * ld + tx));		\
		for (i_ = 0; i_ < 2; i_++) {				\
			AT4(o0_, o1_, c_[0][i_], c_[1][i_], c_[2][i_],	\
			    c_[3][i_]);					\
			ST(s + 2 * i_ * n + tx, o0_);			\
			ST(s + (2 * i_ + 1) * n + tx, o1_);		\
		}							\
	} while (0)

void
wino_output(float *y, float *s, const float *M, long F, long nb, long H,
    long W)
{
	const float *q;
	long T, TH, TW, ld, P, n, f, b, ty, tx;

	TH = (H + 1) / 2;
	TW = (W + 1) / 2;
	T = nb * TH * TW;
	ld = wino_stride(F * T);
	P = H * W;
	n = TW + 1;
	for (f = 0; f < F; f++)
		for (b = 0; b < nb; b++)
			for (ty = 0; ty < TH; ty++) {
				q = M + f * T + (b * TH + ty) * TW;
				for (tx = 0; tx + 4 <= TW; tx += 4)
					OUT_TILES(v4, ld4, st4);
				for (; tx < TW; tx++)
					OUT_TILES(float, LD1, ST1);
				merge(y + (f * nb + b) * P, s, n, H, W, 2 * ty);
			}
}

/* one tile column of wino_output_adj: c_j = A (column j of dy), then
 * the rows' */
#define OUT_ADJ_TILES(T, LD, ST)					\
	do {								\
		T c0_[4], c1_[4], m0_, m1_, m2_, m3_;			\
		int i_;							\
									\
		A2(c0_[0], c0_[1], c0_[2], c0_[3], LD(e0 + tx),		\
		    LD(e1 + tx));					\
		A2(c1_[0], c1_[1], c1_[2], c1_[3], LD(o0 + tx),		\
		    LD(o1 + tx));					\
		for (i_ = 0; i_ < 4; i_++) {				\
			A2(m0_, m1_, m2_, m3_, c0_[i_], c1_[i_]);	\
			ST(q + (4 * i_) * ld + tx, m0_);		\
			ST(q + (4 * i_ + 1) * ld + tx, m1_);		\
			ST(q + (4 * i_ + 2) * ld + tx, m2_);		\
			ST(q + (4 * i_ + 3) * ld + tx, m3_);		\
		}							\
	} while (0)

void
wino_output_adj(float *dM, float *s, const float *dy, long F, long nb,
    long H, long W)
{
	const float *e0, *o0, *e1, *o1;
	float *q;
	long T, TH, TW, ld, P, n, f, b, ty, tx, r;

	TH = (H + 1) / 2;
	TW = (W + 1) / 2;
	T = nb * TH * TW;
	ld = wino_stride(F * T);
	P = H * W;
	n = TW + 1;
	for (f = 0; f < F; f++)
		for (b = 0; b < nb; b++)
			for (ty = 0; ty < TH; ty++) {
				r = 2 * ty;
				/* columns 2tx, 2tx+1 of rows r, r+1: split
				 * puts column 2tx+1 at o[tx + 1] */
				split(s, s + n, dy + (f * nb + b) * P + r * W,
				    W, n);
				split(s + 2 * n, s + 3 * n, r + 1 < H ? dy +
				    (f * nb + b) * P + (r + 1) * W : NULL, W,
				    n);
				e0 = s, o0 = s + n + 1, e1 = s + 2 * n;
				o1 = s + 3 * n + 1;
				q = dM + f * T + (b * TH + ty) * TW;
				for (tx = 0; tx + 4 <= TW; tx += 4)
					OUT_ADJ_TILES(v4, ld4, st4);
				for (; tx < TW; tx++)
					OUT_ADJ_TILES(float, LD1, ST1);
			}
}
