/*
 * wino.h - Winograd's F(2x2,3x3) for the 3x3, stride 1, padding 1
 * convolutions of lib/netpass.c (Lavin and Gray, "Fast Algorithms for
 * Convolutional Neural Networks", 2016).
 *
 * A 3x3 filter g, a 4x4 patch d of the input and the 2x2 outputs y they
 * give are related by
 *
 *	y = A^T [ (G g G^T) . (B^T d B) ] A		(. elementwise)
 *
 *	B^T = | 1  0 -1  0 |	G = | 1    0    0  |	A^T = | 1 1  1  0 |
 *	      | 0  1  1  0 |	    | 1/2  1/2  1/2 |	      | 0 1 -1 -1 |
 *	      | 0 -1  1  0 |	    | 1/2 -1/2  1/2 |
 *	      | 0  1  0 -1 |	    | 0    0    1  |
 *
 * so a convolution of C input and F output channels becomes 16 products
 * M_xi (F, T) = U_xi (F, C) V_xi (C, T), one per element xi = 4 i + j of
 * the 4x4 transformed tile, over the T tiles of the input: 16 F C T
 * multiplies instead of 36 F C T.  The input plane (H, W) is cut into
 * TH x TW tiles of 2x2 outputs, TH = ceil(H/2), TW = ceil(W/2); tile
 * (ty, tx) reads rows 2ty-1..2ty+2 and columns 2tx-1..2tx+2, which read
 * as 0 outside the plane (the padding), and writes the outputs that are
 * in the plane (an odd H or W cuts the last row or column of tiles).
 *
 * Layouts (nb samples of an H x W plane, T = nb TH TW tiles, tile t =
 * (b TH + ty) TW + tx):
 *	w  (F, C, 3, 3)		the filters, as conv2d's weight
 *	U  (16, F, C)		U_xi = the transformed filters, the 16
 *				matrices wino_stride(F C) floats apart
 *	x  (nb, C, H, W)	the input; dx its gradient
 *	V  (16, C, T)		V_xi = the transformed input tiles, the
 *				16 matrices wino_stride(C T) floats apart
 *	M  (16, F, T)		M_xi = U_xi V_xi; dM its gradient, the
 *				16 matrices wino_stride(F T) floats apart
 *	y  (F, nb, H, W)	the output, as conv2d's T (F, nb*P)
 *
 * s is a scratch of wino_scratch(W) floats, the caller's.  Nothing here
 * allocates, fails, prints or keeps state.  Every output is
 * written whole except where the comment says "+=".
 */
#ifndef LRF_WINO_H
#define LRF_WINO_H

/* Tiles of one H x W plane: ceil(H/2) * ceil(W/2). */
long wino_tiles(long H, long W);

/* The floats from one of the 16 matrices of n floats of V or M to the
 * next: n rounded up to an odd number of 64-byte lines, so that the 16
 * rows the transforms write at once fall in 16 cache sets, not one. */
long wino_stride(long n);

/* U_xi rows [f0, f1): U[xi, f, c] = (G w[f, c] G^T)[xi], for U (16, F, C)
 * from w (F, C, 3, 3). */
void wino_weights(float *U, const float *w, long F, long C, long f0,
    long f1);

/* dw (F, C, 3, 3) += G^T dU[., f, c] G: the adjoint (transpose) of
 * wino_weights, from dU (16, F, C). */
void wino_weights_adj(float *dw, const float *dU, long F, long C);

/* Floats of the scratch s the transforms below need for planes of
 * width W. */
long wino_scratch(long W);

/* V (16, C, T) = B^T d B of every 4x4 input tile d of x (nb, C, H, W). */
void wino_input(float *V, float *s, const float *x, long nb, long C, long H,
    long W);

/* dx (nb, C, H, W) = the adjoint of wino_input applied to dV (16, C, T):
 * B dV_tile B^T added over the overlapping tiles, the padding dropped. */
void wino_input_adj(float *dx, float *s, const float *dV, long nb, long C,
    long H, long W);

/* y (F, nb, H, W) = A^T M_tile A of every tile of M (16, F, T), the
 * outputs outside the plane dropped. */
void wino_output(float *y, float *s, const float *M, long F, long nb, long H,
    long W);

/* dM (16, F, T) = A dy_tile A^T, the adjoint of wino_output applied to
 * dy (F, nb, H, W) (the dropped outputs count as 0). */
void wino_output_adj(float *dM, float *s, const float *dy, long F, long nb,
    long H, long W);

#endif
