/*
 * conv.h - the kernels of the image layers of lib/net.c: the im2col
 * lowering of a convolution and its adjoint, max and average pooling,
 * batch normalisation.
 *
 * Tensors are NCHW: nb samples of C planes of H rows of W floats.  A
 * window geometry (struct conv_win) describes a kernel k x k moved with
 * stride s over an input padded by p on the top and the left; the output
 * has OH x OW positions (the caller computes them: floor((H + 2p - k) / s)
 * + 1 for a symmetric padding, H for "same").  Reads that fall outside
 * the input see 0 (convolution), are skipped (max pooling) or count as 0
 * (average pooling, PyTorch's count_include_pad).
 *
 * Nothing here allocates, fails, prints or keeps state: calls may run in
 * several threads at once on disjoint outputs.  The loops over a row are
 * written to be vectorised, and every output is written whole (there is
 * no "+=" contract unless the comment says so).
 */
#ifndef LRF_CONV_H
#define LRF_CONV_H

#include <stdint.h>

struct conv_win {
	long	 C, H, W;	/* input planes and their size */
	long	 k, s, p;	/* kernel, stride, padding before */
	long	 OH, OW;	/* output size */
};

/*
 * cols (C*k*k, nb*OH*OW) = the patches of x (nb, C, H, W): row (c, i, j),
 * column (b, oh, ow) holds x[b, c, oh*s - p + i, ow*s - p + j], 0 outside
 * the input.  Rows are ldc >= nb*OH*OW floats apart.
 */
void conv_im2col(float *cols, long ldc, const float *x, long nb,
    const struct conv_win *g);

/*
 * dx (nb, C, H, W) = the adjoint of conv_im2col applied to dcols
 * (C*k*k, nb*OH*OW), rows ldc apart: every input element gets the sum of
 * the columns entries it was copied to.  dcols is scratch: the entries
 * that im2col sets to 0 (the padding) may be zeroed.
 */
void conv_col2im(float *dx, float *dcols, long ldc, long nb,
    const struct conv_win *g);

/*
 * Max pooling of np planes: y (np, OH, OW) = the window maxima of x
 * (np, H, W), arg (np, OH, OW) = the index in its plane (row * W + col)
 * of the element chosen: the first maximum in row-major order, or the
 * last NaN (torch.nn.MaxPool2d's rule).  p <= k/2 (as torch), so that
 * every window holds an input element.
 */
void conv_maxpool(float *y, int32_t *arg, const float *x, long np,
    const struct conv_win *g);

/* dx (np, H, W) = dy (np, OH, OW) sent back to the elements arg chose. */
void conv_maxpool_back(float *dx, const float *dy, const int32_t *arg,
    long np, const struct conv_win *g);

/*
 * The backward of a relu and the 2x2, stride 2, unpadded max pooling
 * after it, in one pass over ONE plane: dx (H, W) gets dy (OH, OW) at the
 * element arg chose where the pooled y > 0 (the relu's derivative there),
 * 0 everywhere else.  The same values as conv_maxpool_back followed by
 * the relu mask of the pooled input, without their passes over the whole
 * unpooled plane.
 */
void conv_maxpool22_relu_back(float *dx, const float *dy, const float *y,
    const int32_t *arg, const struct conv_win *g);

/* Average pooling: y (np, OH, OW) = window sums of x (np, H, W) / (k*k),
 * padding counted as zeros (p <= k/2, so that is always k*k). */
void conv_avgpool(float *y, const float *x, long np,
    const struct conv_win *g);

/* dx (np, H, W) = the adjoint: dy / (k*k) spread over each window. */
void conv_avgpool_back(float *dx, const float *dy, long np,
    const struct conv_win *g);

/* The sum of n floats, in float, in 16 partial sums (vectorised). */
float conv_sum(const float *x, long n);

/*
 * Batch statistics of x (B, C, P) per channel c, over the n = B*P values
 * x[b, c, :]: mean (C) and ssd (C), the sum of squared deviations from
 * the mean (n times the biased variance), accumulated in double across
 * rows.  P = H*W for an image (one pass, moments shifted by a value of
 * the channel), 1 for features (two passes).
 */
void conv_bn_stats(float *mean, float *ssd, const float *x, long B, long C,
    long P);

/* y (B, C, P) = a[c] * x + b[c]: normalisation and affine in one pass
 * (y may be x). */
void conv_bn_apply(float *y, const float *x, const float *a, const float *b,
    long B, long C, long P);

/*
 * Back through y = gamma (x - mean) invstd + beta with batch statistics
 * over n = B*P values per channel: with xh = (x - mean) invstd,
 *
 *	dbeta  += sum dy		dgamma += sum dy xh
 *	dx = gamma invstd (dy - sum(dy)/n - xh sum(dy xh)/n)
 *
 * g (B, C, P) holds dy on entry and dx on return (when wantdx; else it is
 * left alone).  dgamma and dbeta may be NULL (a frozen layer).
 */
void conv_bn_back(float *g, float *dgamma, float *dbeta, const float *x,
    const float *mean, const float *invstd, const float *gamma, long B,
    long C, long P, int wantdx);

/*
 * The same three for the channels c0 <= c < c1 only, one channel at a
 * time, so that threads may share the channels out: each channel's
 * values are those of the whole call, bit for bit.  conv_bn_apply_part
 * with relu sets y = 0 where a x + b < 0 (NaN passes); conv_bn_back_part
 * with y non-NULL first sets dy = 0 where !(y > 0) (the relu whose output
 * y is), in g.
 */
void conv_bn_stats_part(float *mean, float *ssd, const float *x, long B,
    long C, long P, long c0, long c1);
void conv_bn_apply_part(float *y, const float *x, const float *a,
    const float *b, long B, long C, long P, long c0, long c1, int relu);
void conv_bn_back_part(float *g, float *dgamma, float *dbeta,
    const float *x, const float *y, const float *mean, const float *invstd,
    const float *gamma, long B, long C, long P, int wantdx, long c0,
    long c1);

/*
 * conv_bn_back in two halves, for statistics over several processes
 * (SyncBN): conv_bn_sums sets sdy[c] = sum dy and sdx[c] = sum (x -
 * mean) dy over this process's B*P values of each channel; once they are
 * summed over the processes, conv_bn_dx turns g (B, C, P) from dy into
 * dx with them and the global count nn.
 */
void conv_bn_sums(const float *g, const float *x, const float *mean, long B,
    long C, long P, double *sdy, double *sdx);
void conv_bn_dx(float *g, const float *x, const float *mean,
    const float *invstd, const float *gamma, const double *sdy,
    const double *sdx, double nn, long B, long C, long P);

#endif
