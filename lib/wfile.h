/*
 * wfile.h - the weights file of lrf-train (--save, --load).
 *
 * Format, version 1.  All integers are unsigned 32-bit little-endian, all
 * data float32 little-endian (IEEE 754).
 *
 *	magic	 "LRFW" (4 bytes)
 *	version	 1
 *	nlayers	 layers that hold tensors (dense, conv2d, batchnorm)
 *	then, for each of those layers, in model order:
 *	  type	 1 dense, 2 conv2d, 3 batchnorm
 *	  ntensor	 tensors of the layer, in the order of PyTorch's
 *		 state_dict:
 *		   dense	 weight (OUT, IN), bias (OUT)
 *		   conv2d	 weight (F, C, k, k), bias (F); a conv2d
 *				 without bias has the weight only
 *		   batchnorm	 weight = gamma (C), bias = beta (C),
 *				 running_mean (C), running_var (C) (the
 *				 unbiased running variance, as torch;
 *				 torch's num_batches_tracked is not kept)
 *	  then, for each tensor:
 *	    ndim	 1..4
 *	    dim[ndim]	 its shape, row-major
 *	    data	 the product of dim[] float32 values
 *	crc	 CRC-32 (zlib's crc32, the ISO-HDLC / PNG polynomial) of every
 *		 byte before it
 *
 * Nothing may follow the crc.  Layers without tensors (dropout, pools,
 * flatten) are not written, so adding a dropout layer does not change the
 * file a model reads: the k-th layer of the file goes to the k-th layer
 * of the model that holds tensors.  The conv2d and batchnorm layers came
 * with image models; they use codes version 1 had reserved, so files of
 * dense-only models are the same bytes as before and load unchanged.
 * The running statistics are saved and loaded with the weights: a
 * fine-tuned model evaluates with the statistics it was trained with.
 */
#ifndef LRF_WFILE_H
#define LRF_WFILE_H

#include "net.h"

#define WFILE_MAGIC	"LRFW"
#define WFILE_VERSION	1

enum { WFILE_DENSE = 1, WFILE_CONV2D = 2, WFILE_BATCHNORM = 3 };

/*
 * Write n's tensors to path.  A regular file (or a new one) is replaced
 * atomically: the data goes to a temporary file in the same directory,
 * which is flushed, fsync'ed and renamed over path, so path is either the
 * old file or the complete new one.  Any other path (/dev/stdout, a FIFO)
 * is written directly.  Returns 0, or -1 with "path: what" set (the old
 * file intact, the temporary removed).
 */
int wfile_save(const struct net *n, const char *path);

/*
 * Read path into n's tensors (parameters and running statistics).
 * Checks the magic, the version, that every
 * layer's type and shapes equal the model's ("model.lrfw: layer 2
 * (dense): weight is 256x784, the model wants 128x784"), that the file is
 * neither truncated nor followed by garbage, and the checksum; allocates
 * no more than the model's own size, whatever the file claims.  n is
 * changed only when everything is right.  partial = 1 (--load-partial):
 * layers whose type or shapes differ, and layers beyond either end, are
 * skipped instead of being an error; loaded (room for n->nlayer ints, or
 * NULL) gets 1 for each model layer read, 0 for the others.  Returns the
 * number of layers read, or -1 with "path: what" set.
 */
int wfile_load(struct net *n, const char *path, int partial, int *loaded);

/*
 * Check path as a weights file without a model: the magic, the version,
 * every layer's type code and tensor shapes, the checksum, nothing after
 * it.  0 and its size in bytes in *size (if not NULL), or -1 with
 * "path: what" set.  (Reads the whole file once.)
 */
int wfile_check(const char *path, long long *size);

#endif
