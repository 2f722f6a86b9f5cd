/*
 * Unit tests for the image kernels (lib/conv.c): im2col against its
 * definition, col2im as its adjoint, pooling worked by hand (ties, NaN,
 * padding), the 2x2 fast paths against the general loops, batch
 * normalisation against double-precision formulas.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conv.h"
#include "rng.h"
#include "tol.h"

static void
fill(float *x, long n, struct rng *g)
{
	long i;

	for (i = 0; i < n; i++)
		x[i] = (float)(2 * rng_uniform(g) - 1);
}

static struct conv_win
win(long C, long H, long W, long k, long s, long p)
{
	struct conv_win g;

	g.C = C, g.H = H, g.W = W, g.k = k, g.s = s, g.p = p;
	g.OH = (H + 2 * p - k) / s + 1;
	g.OW = (W + 2 * p - k) / s + 1;
	return g;
}

/* x[b, c, ih, iw], 0 outside. */
static float
at(const float *x, const struct conv_win *g, long b, long c, long ih,
    long iw)
{
	if (ih < 0 || ih >= g->H || iw < 0 || iw >= g->W)
		return 0;
	return x[((b * g->C + c) * g->H + ih) * g->W + iw];
}

/* dx (nb, C, H, W) = the adjoint of im2col, as its definition: 0, then
 * each entry of dcols added to the input element it was copied from. */
static void
col2im_ref(float *dx, const float *dcols, long ldc, long nb,
    const struct conv_win *g)
{
	long c, i, j, b, oh, ow, ih, iw, col;

	memset(dx, 0, nb * g->C * g->H * g->W * sizeof *dx);
	for (c = 0; c < g->C; c++)
		for (i = 0; i < g->k; i++)
			for (j = 0; j < g->k; j++) {
				col = 0;
				for (b = 0; b < nb; b++)
					for (oh = 0; oh < g->OH; oh++)
						for (ow = 0; ow < g->OW; ow++,
						    col++) {
							ih = oh * g->s - g->p +
							    i;
							iw = ow * g->s - g->p +
							    j;
							if (ih < 0 || ih >=
							    g->H || iw < 0 ||
							    iw >= g->W)
								continue;
							dx[((b * g->C + c) *
							    g->H + ih) * g->W +
							    iw] += dcols[((c *
							    g->k + i) * g->k +
							    j) * ldc + col];
						}
			}
}

static void
test_im2col(void)
{
	/* C H W k s p, and 1 for "same" (OH = H, OW = W: padding p before,
	 * k-1-p after); stride 1 with OW = W takes the fast path, the
	 * others the general one.  The last rows: the CNN of bench/cnn
	 * (3x3, padding 1 on 28x28 and 14x14) and its odd-sized kin. */
	static const long tab[][7] = {
		{ 1, 5, 5, 3, 1, 0, 0 }, { 2, 6, 5, 3, 2, 1, 0 },
		{ 3, 7, 7, 5, 1, 2, 1 }, { 4, 4, 4, 1, 1, 0, 1 },
		{ 2, 9, 8, 3, 3, 0, 0 }, { 2, 5, 6, 5, 2, 2, 0 },
		{ 1, 3, 3, 3, 1, 2, 0 }, { 3, 8, 8, 2, 2, 0, 0 },
		{ 1, 2, 2, 3, 3, 1, 0 }, { 2, 5, 7, 3, 1, 1, 1 },
		{ 2, 6, 5, 4, 1, 1, 1 }, { 1, 6, 6, 2, 1, 0, 1 },
		{ 1, 1, 1, 3, 1, 1, 1 }, { 1, 2, 2, 5, 1, 2, 1 },
		{ 1, 3, 4, 7, 1, 3, 1 }, { 2, 4, 6, 3, 1, 2, 1 },
		{ 3, 5, 4, 3, 1, 0, 1 }, { 2, 7, 3, 5, 1, 4, 1 },
		{ 1, 28, 28, 3, 1, 1, 0 }, { 32, 14, 14, 3, 1, 1, 0 },
		{ 1, 9, 13, 3, 1, 1, 0 }, { 5, 7, 6, 3, 1, 1, 0 },
		{ 3, 6, 9, 5, 1, 2, 0 }, { 2, 1, 8, 3, 1, 1, 0 },
	};
	static const long nbs[2] = { 1, 3 };	/* samples */
	const long pad = 5;
	struct conv_win g;
	struct rng r;
	float *x, *cols, *c2, *c3, *dx, *dref, v;
	double lhs, rhs, sabs;
	long t, u, nb, ldc, w, rows, row, col, c, i, j, b, oh, ow, n;
	int good, gap, same, kept;
	char name[160], what[100];

	rng_seed(&r, 1);
	for (u = 0; u < 2 * (long)(sizeof tab / sizeof tab[0]); u++) {
		t = u / 2;
		nb = nbs[u % 2];
		g = win(tab[t][0], tab[t][1], tab[t][2], tab[t][3], tab[t][4],
		    tab[t][5]);
		if (tab[t][6]) {
			g.OH = g.H;
			g.OW = g.W;
		}
		snprintf(what, sizeof what, "%ldx%ldx%ld k%ld s%ld p%ld%s, "
		    "%ld sample%s", g.C, g.H, g.W, g.k, g.s, g.p, tab[t][6] ?
		    " same" : "", nb, nb > 1 ? "s" : "");
		w = nb * g.OH * g.OW;
		ldc = w + pad;
		rows = g.C * g.k * g.k;
		n = nb * g.C * g.H * g.W;
		x = malloc(n * sizeof *x);
		dx = malloc(n * sizeof *dx);
		dref = malloc(n * sizeof *dref);
		cols = malloc(rows * ldc * sizeof *cols);
		c2 = malloc(rows * ldc * sizeof *c2);
		c3 = malloc(rows * ldc * sizeof *c3);
		fill(x, n, &r);
		for (i = 0; i < rows * ldc; i++)
			cols[i] = 77;
		conv_im2col(cols, ldc, x, nb, &g);
		good = gap = 1;
		for (c = 0; c < g.C; c++)
			for (i = 0; i < g.k; i++)
				for (j = 0; j < g.k; j++) {
					row = (c * g.k + i) * g.k + j;
					col = 0;
					for (b = 0; b < nb; b++)
						for (oh = 0; oh < g.OH; oh++)
							for (ow = 0; ow < g.OW;
							    ow++, col++)
								good &= cols[row
								    * ldc +
								    col] ==
								    at(x, &g,
								    b, c, oh *
								    g.s - g.p +
								    i, ow *
								    g.s - g.p +
								    j);
					for (; col < ldc; col++)
						gap &= cols[row * ldc + col] ==
						    77;
				}
		snprintf(name, sizeof name, "im2col %s: the patches, the row "
		    "gaps untouched", what);
		ok(good && gap, name);

		/*
		 * <im2col(x), c> = <x, col2im(c)>, and col2im as its
		 * definition, on a dx full of NaN.  Both sides are double
		 * sums of exact products of floats; they differ by the
		 * float32 sums in col2im: each dx element adds at most k*k
		 * entries of c, so |rhs - lhs| <= gamma_{k*k} sabs, sabs =
		 * sum |cols c| (each dx rounding weighted by its |x|), plus
		 * the two double sums' own gamma^64_N sabs.  A dcols entry
		 * sent to the wrong element moves rhs by about sabs / N.
		 */
		fill(c2, rows * ldc, &r);
		memcpy(c3, c2, rows * ldc * sizeof *c3);
		lhs = rhs = sabs = 0;
		for (row = 0; row < rows; row++)
			for (col = 0; col < w; col++) {
				lhs += (double)cols[row * ldc + col] *
				    c2[row * ldc + col];
				sabs += fabs((double)cols[row * ldc + col] *
				    c2[row * ldc + col]);
			}
		for (i = 0; i < n; i++)
			dx[i] = NAN;
		conv_col2im(dx, c2, ldc, nb, &g);
		for (i = 0; i < n; i++)
			rhs += (double)x[i] * dx[i];
		snprintf(name, sizeof name, "col2im %s: the adjoint of "
		    "im2col", what);
		is_double(rhs, lhs, tol_gamma(g.k * g.k) * sabs +
		    2 * tol_f64(rows * w, sabs), name);
		/* the same float adds in the same order (the (i, j) of the
		 * windows, lib/conv.c has no FMA contraction): the same bits */
		col2im_ref(dref, c3, ldc, nb, &g);
		same = 1;
		for (i = 0; i < n; i++)
			same &= dx[i] == dref[i];
		snprintf(name, sizeof name, "col2im %s: as its definition",
		    what);
		ok(same, name);

		/* dcols: only the padding may have been zeroed (im2col of
		 * an x without zeros gives 0 only there) */
		for (i = 0; i < n; i++)
			x[i] = 1;
		conv_im2col(cols, ldc, x, nb, &g);
		kept = 1;
		for (row = 0; row < rows; row++)
			for (col = 0; col < ldc; col++) {
				v = c2[row * ldc + col];
				kept &= v == c3[row * ldc + col] || (v == 0 &&
				    col < w && cols[row * ldc + col] == 0);
			}
		snprintf(name, sizeof name, "col2im %s: dcols kept but for "
		    "padding zeroed", what);
		ok(kept, name);
		free(x);
		free(dx);
		free(dref);
		free(cols);
		free(c2);
		free(c3);
	}
}

/*
 * The 4x4 plane
 *	1 3 2 4
 *	5 0 5 1
 *	2 2 1 1
 *	9 2 3 8
 * max 2x2/2: 5 (index 4), 5 (6), 9 (12), 8 (15); the same with 3x3/2
 * padding 1.  avg 2x2/2: 9/4, 12/4, 15/4, 13/4; avg 3x3/2 padding 1
 * (padding counted): 9/9, 15/9, 20/9, 23/9.
 */
static void
test_pool_hand(void)
{
	static const float x[16] = { 1, 3, 2, 4, 5, 0, 5, 1, 2, 2, 1, 1, 9,
	    2, 3, 8 };
	static const float dy[4] = { 1, 2, 3, 4 };
	struct conv_win g;
	float y[4], dx[16], t[9];
	int32_t arg[4];
	long i;
	int good;

	g = win(1, 4, 4, 2, 2, 0);
	conv_maxpool(y, arg, x, 1, &g);
	ok(y[0] == 5 && y[1] == 5 && y[2] == 9 && y[3] == 8 && arg[0] == 4 &&
	    arg[1] == 6 && arg[2] == 12 && arg[3] == 15,
	    "maxpool 2x2/2: maxima and their indices");
	conv_maxpool_back(dx, dy, arg, 1, &g);
	good = 1;
	for (i = 0; i < 16; i++)
		good &= dx[i] == (i == 4 ? 1 : i == 6 ? 2 : i == 12 ? 3 :
		    i == 15 ? 4 : 0);
	ok(good, "maxpool 2x2/2 backward: to the maxima only");
	g = win(1, 4, 4, 3, 2, 1);
	memset(arg, 0, sizeof arg);
	conv_maxpool(y, arg, x, 1, &g);
	ok(g.OH == 2 && y[0] == 5 && y[1] == 5 && y[2] == 9 && y[3] == 8 &&
	    arg[0] == 4 && arg[1] == 6 && arg[2] == 12 && arg[3] == 15,
	    "maxpool 3x3/2 padding 1: the same");

	/* sums of small integers (exact in any order), then one division */
	g = win(1, 4, 4, 2, 2, 0);
	conv_avgpool(y, x, 1, &g);
	ok(y[0] == 2.25f && y[1] == 3 && y[2] == 3.75f && y[3] == 3.25f,
	    "avgpool 2x2/2: 2.25 3 3.75 3.25");
	g = win(1, 4, 4, 3, 2, 1);
	conv_avgpool(y, x, 1, &g);
	ok(y[0] == 1 && y[1] == 15.0f / 9 && y[2] == 20.0f / 9 &&
	    y[3] == 23.0f / 9, "avgpool 3x3/2 padding 1: padding counts "
	    "(count_include_pad)");
	conv_avgpool_back(dx, dy, 1, &g);
	/*
	 * dx[0] is in window 0 only: the one float division 1.0f / 9;
	 * dx[15] in window 3 only: 4.0f / 9.  dx[5] (1,1) in all four: a
	 * float sum of 4 quotients dy / 9 (one rounding each) against the
	 * exact 10/9: within tol_f32(4, 10/9) = gamma_6 10/9.
	 */
	ok(dx[0] == 1.0f / 9 && fabs(dx[5] - 10.0 / 9) <=
	    tol_f32(4, 10.0 / 9) && dx[15] == 4.0f / 9,
	    "avgpool 3x3/2 padding 1 backward");

	/* ties: the first; NaN: the last NaN */
	{
		const float tie[4] = { 7, 7, 7, 7 };
		const float nan4[4] = { 1, NAN, 3, NAN };
		const float ninf[4] = { -INFINITY, -INFINITY, -INFINITY,
		    -INFINITY };
		int32_t a9[9];

		g = win(1, 2, 2, 2, 2, 0);
		conv_maxpool(y, arg, tie, 1, &g);
		ok(y[0] == 7 && arg[0] == 0, "maxpool: a tie goes to the "
		    "first");
		conv_maxpool(y, arg, nan4, 1, &g);
		ok(isnan(y[0]) && arg[0] == 3, "maxpool: NaN wins (the last)");
		conv_maxpool(y, arg, ninf, 1, &g);
		ok(y[0] == -INFINITY && arg[0] == 0, "maxpool: all -inf: the "
		    "first");
		g = win(1, 2, 2, 2, 1, 1);	/* general path, 3x3 out */
		conv_maxpool(t, a9, tie, 1, &g);
		ok(t[4] == 7 && a9[0] == 0 && a9[1] == 0 && a9[4] == 0 &&
		    a9[5] == 1 && a9[8] == 3, "maxpool general path: ties go "
		    "to the first in the window");
	}

	/* overlapping windows add up: 3x3, k2/1, the centre the maximum */
	{
		const float c9[9] = { 1, 2, 3, 4, 9, 5, 6, 7, 8 };

		g = win(1, 3, 3, 2, 1, 0);
		conv_maxpool(y, arg, c9, 1, &g);
		conv_maxpool_back(t, dy, arg, 1, &g);
		ok(t[4] == 10 && t[0] == 0 && t[8] == 0, "maxpool 2x2/1: the "
		    "centre gets 1+2+3+4");
	}
}

/* Max pooling of np planes as its definition: the first maximum of a
 * window in row-major order, or its last NaN; backward: dy added to the
 * chosen elements of a zeroed dx. */
static void
maxpool_ref(float *y, int32_t *arg, float *dx, const float *dy,
    const float *x, long np, const struct conv_win *g)
{
	long q, oh, ow, i, j, ih, iw, a, o;
	float m, v;

	memset(dx, 0, np * g->H * g->W * sizeof *dx);
	for (q = 0; q < np; q++)
		for (oh = 0; oh < g->OH; oh++)
			for (ow = 0; ow < g->OW; ow++) {
				m = -INFINITY;
				a = -1;
				for (i = 0; i < g->k; i++)
					for (j = 0; j < g->k; j++) {
						ih = oh * g->s - g->p + i;
						iw = ow * g->s - g->p + j;
						if (ih < 0 || ih >= g->H ||
						    iw < 0 || iw >= g->W)
							continue;
						v = x[(q * g->H + ih) * g->W +
						    iw];
						if (a < 0 || v > m ||
						    isnan(v)) {
							m = v;
							a = ih * g->W + iw;
						}
					}
				o = (q * g->OH + oh) * g->OW + ow;
				y[o] = m;
				arg[o] = (int32_t)a;
				dx[q * g->H * g->W + a] += dy[o];
			}
}

/*
 * The 2x2/2 fast paths against the definition: rows of 1 to 16 outputs
 * (blocks of 8 and 4 and what is left), odd rows and columns, values
 * from a few levels (ties), NaN and -inf among them; dx starts as NaN.
 */
static void
test_pool_fast(void)
{
	static const long hw[][2] = {
		{ 28, 28 }, { 14, 14 }, { 5, 7 }, { 2, 2 }, { 3, 3 },
		{ 4, 6 }, { 6, 9 }, { 4, 10 }, { 7, 13 }, { 2, 16 },
		{ 3, 17 }, { 4, 18 }, { 5, 26 }, { 2, 33 }, { 9, 2 },
	};
	const long np = 3;
	struct conv_win g;
	struct rng r;
	float *x, *y, *yr, *dy, *dx, *dxr;
	int32_t *arg, *argr;
	long t, i, n, no;
	int fwd, bwd, nan;
	char name[120];

	rng_seed(&r, 5);
	for (t = 0; t < (long)(sizeof hw / sizeof hw[0]); t++) {
		g = win(1, hw[t][0], hw[t][1], 2, 2, 0);
		n = np * g.H * g.W;
		no = np * g.OH * g.OW;
		x = malloc(n * sizeof *x);
		dx = malloc(n * sizeof *dx);
		dxr = malloc(n * sizeof *dxr);
		y = malloc(no * sizeof *y);
		yr = malloc(no * sizeof *yr);
		dy = malloc(no * sizeof *dy);
		arg = malloc(no * sizeof *arg);
		argr = malloc(no * sizeof *argr);
		for (i = 0; i < n; i++) {
			x[i] = (float)rng_below(&r, 5) - 2;
			if (rng_below(&r, 20) == 0)
				x[i] = NAN;
			else if (rng_below(&r, 20) == 0)
				x[i] = -INFINITY;
		}
		fill(dy, no, &r);
		maxpool_ref(yr, argr, dxr, dy, x, np, &g);
		conv_maxpool(y, arg, x, np, &g);
		fwd = nan = 1;
		for (i = 0; i < no; i++) {
			fwd &= arg[i] == argr[i] && (y[i] == yr[i] ||
			    (isnan(y[i]) && isnan(yr[i])));
			nan &= !isnan(y[i]) || isnan(x[i / (g.OH * g.OW) *
			    g.H * g.W + arg[i]]);
		}
		snprintf(name, sizeof name, "maxpool 2x2/2 on %ldx%ld planes: "
		    "as the definition (ties, NaN, -inf)", g.H, g.W);
		ok(fwd && nan, name);
		for (i = 0; i < n; i++)
			dx[i] = NAN;
		conv_maxpool_back(dx, dy, argr, np, &g);
		bwd = 1;
		for (i = 0; i < n; i++)
			bwd &= dx[i] == dxr[i];
		snprintf(name, sizeof name, "maxpool 2x2/2 backward on "
		    "%ldx%ld planes: every element written", g.H, g.W);
		ok(bwd, name);
		free(x);
		free(dx);
		free(dxr);
		free(y);
		free(yr);
		free(dy);
		free(arg);
		free(argr);
	}

	/* the general path, against the same definition */
	{
		static const long gen[][5] = {	/* H W k s p */
			{ 6, 7, 3, 2, 1 }, { 5, 5, 2, 1, 0 },
			{ 7, 6, 3, 3, 1 }, { 6, 6, 2, 2, 1 },
		};

		for (t = 0; t < (long)(sizeof gen / sizeof gen[0]); t++) {
			float gx[3 * 42], gy[3 * 42], gyr[3 * 42];
			float gd[3 * 42], gdx[3 * 42], gdxr[3 * 42];
			int32_t ga[3 * 42], gar[3 * 42];

			g = win(1, gen[t][0], gen[t][1], gen[t][2], gen[t][3],
			    gen[t][4]);
			n = np * g.H * g.W;
			no = np * g.OH * g.OW;
			for (i = 0; i < n; i++)
				gx[i] = rng_below(&r, 10) == 0 ? NAN :
				    (float)rng_below(&r, 5) - 2;
			fill(gd, no, &r);
			maxpool_ref(gyr, gar, gdxr, gd, gx, np, &g);
			conv_maxpool(gy, ga, gx, np, &g);
			conv_maxpool_back(gdx, gd, ga, np, &g);
			fwd = bwd = 1;
			for (i = 0; i < no; i++)
				fwd &= ga[i] == gar[i] && (gy[i] == gyr[i] ||
				    (isnan(gy[i]) && isnan(gyr[i])));
			/* the same dy added to the same elements (ga ==
			 * gar, checked) in the same order o: the same bits */
			for (i = 0; i < n; i++)
				bwd &= gdx[i] == gdxr[i];
			snprintf(name, sizeof name, "maxpool %ldx%ld/%ld "
			    "padding %ld on %ldx%ld planes: as the definition, "
			    "and backward", g.k, g.k, g.s, g.p, g.H, g.W);
			ok(fwd && bwd, name);
		}
	}
}

/*
 * The 3x3/2 fast path (padding 0 and 1, resnet's stem) against the
 * definition: rows whose inside is shorter than a block of 8 (pool1
 * alone), one block, blocks and a last one moved back; top and bottom
 * rows of 2 input rows (padding, odd heights); values from a few levels
 * (ties), NaN and -inf among them.  Max pooling is exact: the same
 * values and indices; dx through them the same bits.
 */
static void
test_pool32(void)
{
	static const long hw[][2] = {
		{ 3, 3 }, { 4, 5 }, { 5, 17 }, { 6, 18 }, { 7, 19 },
		{ 8, 33 }, { 9, 34 }, { 11, 35 }, { 32, 32 }, { 3, 40 },
	};
	const long np = 3;
	struct conv_win g;
	struct rng r;
	float *x, *y, *yr, *dy, *dx, *dxr;
	int32_t *arg, *argr;
	long t, p, i, n, no;
	int fwd, bwd;
	char name[120];

	rng_seed(&r, 32);
	for (p = 0; p <= 1; p++)
		for (t = 0; t < (long)(sizeof hw / sizeof hw[0]); t++) {
			g = win(1, hw[t][0], hw[t][1], 3, 2, p);
			n = np * g.H * g.W;
			no = np * g.OH * g.OW;
			x = malloc(n * sizeof *x);
			dx = malloc(n * sizeof *dx);
			dxr = malloc(n * sizeof *dxr);
			y = malloc(no * sizeof *y);
			yr = malloc(no * sizeof *yr);
			dy = malloc(no * sizeof *dy);
			arg = malloc(no * sizeof *arg);
			argr = malloc(no * sizeof *argr);
			for (i = 0; i < n; i++) {
				x[i] = (float)rng_below(&r, 5) - 2;
				if (rng_below(&r, 20) == 0)
					x[i] = NAN;
				else if (rng_below(&r, 20) == 0)
					x[i] = -INFINITY;
			}
			fill(dy, no, &r);
			maxpool_ref(yr, argr, dxr, dy, x, np, &g);
			for (i = 0; i < no; i++) {
				y[i] = 42;
				arg[i] = -1;
			}
			conv_maxpool(y, arg, x, np, &g);
			conv_maxpool_back(dx, dy, arg, np, &g);
			fwd = bwd = 1;
			for (i = 0; i < no; i++)
				fwd &= arg[i] == argr[i] && (y[i] == yr[i] ||
				    (isnan(y[i]) && isnan(yr[i])));
			for (i = 0; i < n; i++)
				bwd &= dx[i] == dxr[i];
			snprintf(name, sizeof name, "maxpool 3x3/2 padding %ld "
			    "on %ldx%ld planes: as the definition (ties, NaN, "
			    "-inf), and backward", p, g.H, g.W);
			ok(fwd && bwd, name);
			free(x);
			free(dx);
			free(dxr);
			free(y);
			free(yr);
			free(dy);
			free(arg);
			free(argr);
		}
}

/* The 2x2/2 average pooling against the general definition, 5x7. */
static void
test_avgpool_fast(void)
{
	struct conv_win g;
	struct rng r;
	float x[3 * 5 * 7], y[3 * 2 * 3];
	long q, oh, ow;
	int good;

	rng_seed(&r, 6);
	fill(x, 3 * 35, &r);
	g = win(3, 5, 7, 2, 2, 0);
	conv_avgpool(y, x, 3, &g);
	good = g.OH == 2 && g.OW == 3;
	for (q = 0; q < 3; q++)
		for (oh = 0; oh < 2; oh++)
			for (ow = 0; ow < 3; ow++) {
				const float *p = x + q * 35 + 2 * oh * 7 +
				    2 * ow;

				/* the kernel's adds, in its order */
				good &= y[(q * 2 + oh) * 3 + ow] ==
				    (p[0] + p[1] + p[7] + p[8]) / 4;
			}
	ok(good, "avgpool 2x2/2 on 5x7 planes: as the definition");
}

/* batchnorm kernels against double-precision formulas, P = 1 and 6 */
static void
test_bn(void)
{
	enum { B = 5, C = 3 };
	struct rng r;
	float x[B * C * 6], g[B * C * 6], g0[B * C * 6], mean[C], ssd[C];
	float a[C], b[C], y[B * C * 6], gam[C], inv[C], dg[C], db[C];
	double m, s, sdy, sdx, want, lo, hi, R, sg, sx, mag;
	long P, n, c, i, e, cnt;
	int good, gm, gb;
	char name[80];

	rng_seed(&r, 9);
	for (P = 1; P <= 6; P += 5) {
		cnt = B * C * P;
		fill(x, cnt, &r);
		for (i = 0; i < cnt; i++)
			x[i] = 3 + 2 * x[i];	/* a mean far from 0 */
		conv_bn_stats(mean, ssd, x, B, C, P);
		good = 1;
		for (c = 0; c < C; c++) {
			m = s = 0;
			lo = INFINITY, hi = -INFINITY;
			for (n = 0; n < B; n++)
				for (i = 0; i < P; i++) {
					e = (n * C + c) * P + i;
					m += x[e];
					lo = fmin(lo, x[e]);
					hi = fmax(hi, x[e]);
				}
			m /= B * P;
			for (n = 0; n < B; n++)
				for (i = 0; i < P; i++)
					s += pow(x[(n * C + c) * P + i] - m,
					    2);
			/*
			 * The worst of the two paths (conv.h), P = 6: float
			 * rows of P shifted values d = x - k, k a value of
			 * the channel, so |d| <= R = max - min; rows added
			 * in double.  sum d errs by gamma_P n R (d, P - 1
			 * adds), sum d^2 by gamma_{P+2} n R^2 (d twice, the
			 * square, the adds); ssd = S2 - S1^2 / n adds
			 * 2 |S1| / n gamma_P n R <= 2 gamma_P n R^2.  The
			 * mean is k + S1 / n: gamma_P R.  Then one rounding
			 * to float each.  (P = 1 sums in double: far
			 * inside; the double reference errs by ~1e-16.)
			 */
			R = hi - lo;
			good &= fabs(mean[c] - m) <= tol_gamma(P) * R +
			    F32_U * fabs(m) &&
			    fabs(ssd[c] - s) <= 3 * tol_gamma(P + 2) *
			    (B * P) * R * R + F32_U * s;
		}
		snprintf(name, sizeof name, "bn stats, P = %ld: mean and sum "
		    "of squared deviations", P);
		ok(good, name);
		for (c = 0; c < C; c++) {
			a[c] = 0.5f + c;
			b[c] = -1.0f + c;
		}
		conv_bn_apply(y, x, a, b, B, C, P);
		good = 1;
		/* the kernel's two float operations, the product rounded
		 * apart from the add (no FMA): the same bits */
		for (n = 0; n < B; n++)
			for (c = 0; c < C; c++)
				for (i = 0; i < P; i++) {
					float ax;

					e = (n * C + c) * P + i;
					ax = x[e] * a[c];
					good &= y[e] == ax + b[c];
				}
		snprintf(name, sizeof name, "bn apply, P = %ld: a x + b", P);
		ok(good, name);

		/* dx = gamma invstd (dy - mean(dy) - xh mean(dy xh)) */
		fill(g, cnt, &r);
		memcpy(g0, g, sizeof g);
		for (c = 0; c < C; c++) {
			gam[c] = 1.5f - c;
			inv[c] = (float)(1 / sqrt(ssd[c] / (B * P) + 1e-5));
			dg[c] = db[c] = 1;
		}
		conv_bn_back(g, dg, db, x, mean, inv, gam, B, C, P, 1);
		good = gm = gb = 1;
		for (c = 0; c < C; c++) {
			sdy = sdx = sg = sx = 0;
			for (n = 0; n < B; n++)
				for (i = 0; i < P; i++) {
					e = (n * C + c) * P + i;
					sdy += g0[e];
					sdx += g0[e] * (x[e] -
					    (double)mean[c]) * inv[c];
					sg += fabs(g0[e]);
					sx += fabs(g0[e] * (x[e] -
					    (double)mean[c]) * inv[c]);
				}
			/*
			 * The kernel sums dy and (x - mean) dy in float rows
			 * of P (x - mean, the product, P - 1 adds: gamma_{P+1}
			 * of sg, sx), the rows in double; then one rounding
			 * to float, and the float add of 1 to dgamma, dbeta.
			 */
			gm &= fabs(dg[c] - (1 + sdx)) <= tol_gamma(P + 1) * sx +
			    F32_U * (fabs(sdx) + fabs(1 + sdx));
			gb &= fabs(db[c] - (1 + sdy)) <= tol_gamma(P + 1) * sg +
			    F32_U * (fabs(sdy) + fabs(1 + sdy));
			for (n = 0; n < B; n++)
				for (i = 0; i < P; i++) {
					e = (n * C + c) * P + i;
					want = (double)gam[c] * inv[c] *
					    (g0[e] - sdy / (B * P) -
					    (x[e] - (double)mean[c]) *
					    inv[c] * sdx / (B * P));
					/*
					 * dx = gs (dy - gm - (x - mean) ps):
					 * three terms, each through at most
					 * P + 7 roundings (its sum's P + 1,
					 * the cast of gm or ps, x - mean, the
					 * product, two subtractions, gs and
					 * the product by it), on magnitudes
					 * |dy|, sg / n, |xh| sx / n.
					 */
					mag = fabs((double)gam[c] * inv[c]) *
					    (fabs(g0[e]) + sg / (B * P) +
					    fabs((x[e] - (double)mean[c]) *
					    inv[c]) * sx / (B * P));
					good &= fabs(g[e] - want) <=
					    tol_gamma(P + 7) * mag;
				}
		}
		snprintf(name, sizeof name, "bn backward, P = %ld: dgamma += "
		    "sum dy xh", P);
		ok(gm, name);
		snprintf(name, sizeof name, "bn backward, P = %ld: dbeta += "
		    "sum dy", P);
		ok(gb, name);
		snprintf(name, sizeof name, "bn backward, P = %ld: dx", P);
		ok(good, name);
		memcpy(g, g0, sizeof g);
		conv_bn_back(g, NULL, NULL, x, mean, inv, gam, B, C, P, 0);
		snprintf(name, sizeof name, "bn backward, P = %ld, frozen, no "
		    "dx: nothing written", P);
		ok(memcmp(g, g0, cnt * sizeof *g) == 0, name);
	}
}

/*
 * The channel-range batchnorm kernels that the threads share out, with
 * the relu folded in, against the whole-tensor ones followed by a plain
 * relu pass: the same operations on every value in the same order, so
 * the same bits.  Odd shapes: P = 1 (features), 7 (less than a block of
 * 16) and 37 (blocks and a tail); C = 5 split at 0, 2, 5; values around
 * 0 so that the relu cuts.
 */
static void
test_bn_part(void)
{
	enum { B = 3, C = 5, PMAX = 37 };
	static const long Ps[] = { 1, 7, 37 };
	static const long cut[] = { 0, 2, 5 };
	static float x[B * C * PMAX], y0[B * C * PMAX], y1[B * C * PMAX];
	static float g0[B * C * PMAX], g1[B * C * PMAX];
	float mean0[C], ssd0[C], mean1[C], ssd1[C], a[C], b[C], gam[C];
	float inv[C], dg0[C], db0[C], dg1[C], db1[C];
	struct rng r;
	long t, P, i, cnt, k;
	int st, ap, inpl, bk, nodx;
	char name[120];

	rng_seed(&r, 14);
	for (t = 0; t < (long)(sizeof Ps / sizeof Ps[0]); t++) {
		P = Ps[t];
		cnt = B * C * P;
		fill(x, cnt, &r);
		fill(a, C, &r);
		fill(b, C, &r);
		fill(gam, C, &r);
		for (i = 0; i < C; i++)
			inv[i] = 1.5f + a[i];
		/* statistics */
		conv_bn_stats(mean0, ssd0, x, B, C, P);
		for (k = 0; k + 1 < 3; k++)
			conv_bn_stats_part(mean1, ssd1, x, B, C, P, cut[k],
			    cut[k + 1]);
		st = memcmp(mean0, mean1, sizeof mean0) == 0 &&
		    memcmp(ssd0, ssd1, sizeof ssd0) == 0;
		/* y = relu(a x + b) */
		conv_bn_apply(y0, x, a, b, B, C, P);
		for (i = 0; i < cnt; i++)
			if (y0[i] < 0)
				y0[i] = 0;
		for (k = 0; k + 1 < 3; k++)
			conv_bn_apply_part(y1, x, a, b, B, C, P, cut[k],
			    cut[k + 1], 1);
		ap = memcmp(y0, y1, cnt * sizeof *y0) == 0;
		/* in place */
		memcpy(y1, x, cnt * sizeof *x);
		conv_bn_apply_part(y1, y1, a, b, B, C, P, 0, C, 1);
		inpl = memcmp(y0, y1, cnt * sizeof *y0) == 0;
		/* back through the relu whose output y0 is, then batchnorm */
		fill(g0, cnt, &r);
		memcpy(g1, g0, cnt * sizeof *g0);
		for (i = 0; i < cnt; i++)
			if (!(y0[i] > 0))
				g0[i] = 0;
		for (i = 0; i < C; i++)
			dg0[i] = db0[i] = dg1[i] = db1[i] = (float)i;
		conv_bn_back(g0, dg0, db0, x, mean0, inv, gam, B, C, P, 1);
		for (k = 0; k + 1 < 3; k++)
			conv_bn_back_part(g1, dg1, db1, x, y0, mean0, inv, gam,
			    B, C, P, 1, cut[k], cut[k + 1]);
		bk = memcmp(g0, g1, cnt * sizeof *g0) == 0 &&
		    memcmp(dg0, dg1, sizeof dg0) == 0 &&
		    memcmp(db0, db1, sizeof db0) == 0;
		/* without dx: g only masked, the gradients the same */
		fill(g0, cnt, &r);
		memcpy(g1, g0, cnt * sizeof *g0);
		for (i = 0; i < cnt; i++)
			if (!(y0[i] > 0))
				g0[i] = 0;
		conv_bn_back(g0, dg0, db0, x, mean0, inv, gam, B, C, P, 0);
		conv_bn_back_part(g1, dg1, db1, x, y0, mean0, inv, gam, B, C,
		    P, 0, 0, C);
		nodx = memcmp(g0, g1, cnt * sizeof *g0) == 0 &&
		    memcmp(dg0, dg1, sizeof dg0) == 0 &&
		    memcmp(db0, db1, sizeof db0) == 0;
		if (!(st && ap && inpl && bk && nodx))
			diag("stats %d, apply %d, in place %d, back %d, "
			    "no dx %d", st, ap, inpl, bk, nodx);
		snprintf(name, sizeof name, "batchnorm by channel ranges, "
		    "relu folded in, P = %ld: the same bits as the whole", P);
		ok(st && ap && inpl && bk && nodx, name);
	}
}

static void
test_sum(void)
{
	float x[1000];
	long i;

	/* integers: every partial sum below 2^24 is exact, in any order */
	for (i = 0; i < 1000; i++)
		x[i] = (float)(i + 1);
	is_double(conv_sum(x, 1000), 500500, 0, "sum of 1..1000");
	is_double(conv_sum(x, 17), 153, 0, "sum of 1..17 (a tail)");
	is_double(conv_sum(x, 0), 0, 0, "sum of nothing");
}

/*
 * The fused backward of a relu and a 2x2 max pooling: the values of
 * conv_maxpool_back followed by the relu mask of the pooled input, on
 * even and odd planes with NaN, ties at 0 and negative windows.
 */
static void
test_relu_pool_back(void)
{
	static const long hw[][2] = { { 4, 4 }, { 5, 7 }, { 28, 28 },
	    { 14, 14 }, { 3, 2 }, { 2, 17 }, { 7, 9 } };
	struct conv_win g;
	float x[28 * 28], y[14 * 14], dy[14 * 14], a[28 * 28], b[28 * 28];
	int32_t arg[14 * 14];
	unsigned r;
	long k, i, n;
	int good;

	good = 1;
	r = 7;
	for (k = 0; k < (long)(sizeof hw / sizeof hw[0]); k++) {
		memset(&g, 0, sizeof g);
		g.C = 1;
		g.H = hw[k][0];
		g.W = hw[k][1];
		g.k = g.s = 2;
		g.OH = g.H / 2;
		g.OW = g.W / 2;
		n = g.H * g.W;
		for (i = 0; i < n; i++) {	/* relu'd conv outputs */
			r = r * 1103515245u + 12345u;
			x[i] = (float)((int)(r >> 16) % 7 - 3);
			x[i] = x[i] < 0 ? 0 : x[i];
		}
		x[n / 2] = NAN;
		conv_maxpool(y, arg, x, 1, &g);
		for (i = 0; i < g.OH * g.OW; i++)
			dy[i] = (float)(i + 1) / 8;
		conv_maxpool_back(a, dy, arg, 1, &g);
		for (i = 0; i < n; i++)		/* conv_dact's relu */
			a[i] = x[i] > 0 ? a[i] : 0;
		for (i = 0; i < n; i++)
			b[i] = 12345;
		conv_maxpool22_relu_back(b, dy, y, arg, &g);
		for (i = 0; i < n; i++)
			if (a[i] != b[i]) {
				diag("%ldx%ld: element %ld: %g vs %g", g.H,
				    g.W, i, a[i], b[i]);
				good = 0;
				break;
			}
	}
	ok(good, "conv_maxpool22_relu_back: maxpool backward, then relu "
	    "mask, every element written");
}

int
main(void)
{
	test_im2col();
	test_pool_hand();
	test_pool_fast();
	test_pool32();
	test_avgpool_fast();
	test_bn();
	test_bn_part();
	test_sum();
	test_relu_pool_back();
	return done();
}
