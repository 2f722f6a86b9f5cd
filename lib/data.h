/*
 * data.h - the datasets lrf-train learns from: IDX files (the MNIST
 * family, raw or gzip), numeric CSV, and seeded synthetic generators;
 * the seeded k-fold split, per-feature standardization, and mini-batches
 * drawn without allocation.
 *
 *	struct dataset ds;
 *	struct split sp;
 *	struct batcher it;
 *
 *	data_load(&ds, &c.data, c.train.seed);
 *	data_split(&ds, c.data.folds, c.data.fold, c.train.seed, &sp);
 *	data_valsubset(&sp, c.train.val_size, c.train.seed);
 *	data_batcher_init(&it, &ds, &sp, c.train.seed);
 *	for (;;) {
 *		data_next(&it, idx, B);		   idx: (B) sample indices
 *		data_gather(&ds, idx, B, x, y, NULL);  x: (B, d), y: (B)
 *	}
 *	data_batcher_free(&it); data_split_free(&sp); data_free(&ds);
 *
 * (lrf-train gathers the batch in parts on the net's threads, each
 * data_gather taking a share of idx.)
 *
 * Inputs.  IDX images stay in memory as the file's bytes (Fashion-MNIST:
 * 47 MB, not 188 MB of floats) and CSV and synthetic data as floats; both
 * are turned into floats a batch at a time: x = v * scale, then, with
 * standardization on, x = (x - mean[j]) / std[j].
 *
 * Shapes.  Every sample is a (C, H, W) array with C*H*W = d, stored CHW.
 * IDX images of N x H x W become (1, H, W); IDX files of N x C x H x W keep
 * (C, H, W); IDX files of N x d vectors, CSV rows and synthetic samples are
 * (d, 1, 1): features are channels, so a batchnorm over channels is a
 * batchnorm over features.  data.shape, when given, replaces the shape of
 * any format if its product is d.
 *
 * Classes.  A classification dataset's labels are 0..nclasses-1.  IDX
 * labels are used as they are (nclasses = largest label + 1); CSV label
 * values are mapped to 0..C-1 in ascending numeric order; ds->classval[c]
 * is the original value of class c.  CSV labels of which one is not a
 * number are names (iris's "virginica"): the classes are the distinct
 * names in strcmp (byte) order, ds->classname[c] class c's name,
 * ds->classval[c] = c; data.classes, which lists numbers, refuses them.  data.classes (cd->keep) keeps only the
 * samples whose original label value is listed and renumbers them 0..k-1
 * in the listed order.  A regression dataset has nclasses = 0 and float
 * targets instead of labels (IDX: the label byte as a number).
 *
 * CSV.  One sample per line; data.label_column is a 0-based index (-1 is
 * the last column; a value that reads as an integer is always an index) or,
 * with data.header, a column name.  The features are data.features (a
 * list of such columns, in its order) or every other column but those of
 * data.ignore and a pandas index (column 0 named "" or "Unnamed: 0", left
 * out with ds->note saying so); columns left out are not parsed.
 * Accepted: a UTF-8 byte order mark,
 * CRLF, blank lines (skipped), blanks around fields, and simple quoting (a
 * field in double quotes, "" for a quote; no line breaks inside quotes).
 * Every field of a data line must be a finite number that fits a float.
 *
 * Limits.  At most DATA_MAXBYTES bytes of sample data in memory (2 GiB:
 * 2^31 IDX bytes or 2^29 floats), so at most 2^31 samples; CSV lines
 * at most DATA_MAXLINE bytes; at most CFG_MAXCLASSES classes.  Reaching
 * one is an error, never an attempt to allocate it.
 *
 * Every function that can fail returns -1 with the message set through
 * err_set(): "file: what" for IDX files ("file: byte N: what" where an
 * offset helps), "file:line: what" for CSV, "data.key: what" for settings.
 */
#ifndef LRF_DATA_H
#define LRF_DATA_H

#include <stddef.h>
#include <stdint.h>

#include "cfg.h"
#include "rng.h"

/*
 * The formats (data.format).  A new one is a value here, its name in
 * data_format_names and its row of the table in data.c (its loader, in a
 * file of its own as lib/idx.c, and its default scale); its settings are
 * keys of the data section (cfg.h, cfg.c).
 */
enum { DATA_IDX, DATA_CSV, DATA_SYNTHETIC, DATA_IMAGES, DATA_NFORMATS };

/* The names of the formats and of the tasks (TASK_*, cfg.h): the one
 * list of each, ending with NULL. */
extern const char *const data_format_names[], *const data_task_names[];

#define DATA_MAXBYTES	((size_t)1 << 31)	/* sample data in memory */
#define DATA_MAXLINE	(16 << 20)		/* longest CSV line, bytes */
#define DATA_DESCMAX	8192	/* a buffer that holds any description */

struct dataset {
	int	 format;	/* DATA_IDX, DATA_CSV, DATA_SYNTHETIC */
	int	 task;		/* TASK_CLASSIFICATION, TASK_REGRESSION */
	size_t	 n;		/* samples */
	size_t	 d;		/* features per sample, C*H*W */
	long	 shape[3];	/* C, H, W of one sample */
	int	 nclasses;	/* classification: labels 0..nclasses-1;
				   regression: 0 */
	double	 classval[CFG_MAXCLASSES];	/* original label value
				   of each class (IDX: the label itself) */
	char	**classname;	/* (nclasses) CSV labels that are names,
				   in class order, or NULL */

	uint8_t	*bytes;		/* (n, d) IDX pixel bytes, or NULL */
	void	*bytebase;	/* the block bytes lies in (NULL: bytes
				   is its own block) */
	size_t	 bytemap;	/* 0: bytebase is for free(3); else it is
				   mapped read-only, bytemap bytes
				   (mprotect to write, munmap) */
	float	*x;		/* (n, d) CSV/synthetic values, or NULL */
	int32_t	*y;		/* (n) class labels, or NULL (regression) */
	float	*t;		/* (n) regression targets, or NULL */

	float	 scale;		/* every input is multiplied by it */
	int	 standardize;	/* 1: subtract mean, divide by std */
	float	*mean;		/* (d) of the scaled training inputs, set by
				   data_split when standardize is on */
	float	*rstd;		/* (d) 1 / their population std (1 where
				   the std is 0) */

	struct dataimg *img;	/* images: the scan, the decoders, the
				   normalisation; NULL for the others */
	size_t	 nignored;	/* images: entries the scan left out */
	size_t	 nbad;		/* images: files skipped (data.skip_bad) */
	char	 badmsg[1280];	/* the first one's message, "" if none */
	char	 note[512];	/* CSV: a remark for the user (a pandas
				   index column left out), "" if none */
};

/* A k-fold split: sample indices, each list in ascending order. */
struct split {
	uint32_t *train;	/* (ntrain) indices trained on */
	size_t	  ntrain;
	uint32_t *val;		/* (nval) held-out indices evaluated on */
	size_t	  nval;
	size_t	  nheld;	/* size of the held-out fold (nval before
				   data_valsubset) */
};

/* Draws training mini-batches: the training indices, reshuffled at the
 * start of every epoch. */
struct imgbatch;
struct batcher {
	struct imgbatch *ib;	/* images: the batches decoded ahead */
	const struct dataset *ds;
	uint32_t *order;	/* (n) this epoch's order of training indices */
	size_t	  n;		/* training samples */
	size_t	  pos;		/* next position in order */
	long	  epoch;	/* epochs begun: 1 after init */
	struct rng rng;		/* the shuffling stream */
	uint64_t  augseed;	/* images: the augmentation's seed */
};

/*
 * Load the dataset cd describes (format, paths, task, scale, shape, keep,
 * standardize).  seed drives the synthetic generators (the same seed gives
 * the same data).  Returns 0, or -1 with the message set and ds empty (safe
 * to data_free).  Errors: unreadable files, bad IDX headers (magic, type,
 * a zero dimension, a size past DATA_MAXBYTES, more data claimed than the
 * file holds, checked before allocating), truncated or corrupt gzip data,
 * trailing data, image and label counts that differ, CSV ragged rows,
 * non-numbers, non-finite values, quoting errors, NUL bytes, no data rows,
 * an unknown label column, too many classes; a data.shape whose product
 * is not d; a data.classes label that does not occur.
 */
int data_load(struct dataset *ds, const struct cfg_data *cd, uint64_t seed);

/* Free what ds holds and empty it; an emptied or zeroed ds is fine. */
void data_free(struct dataset *ds);

/*
 * Split ds into folds near-equal parts (sizes differ by at most one) of a
 * permutation seeded by seed, and hold out part fold (0-based) for
 * validation.  folds == 1: everything is trained on, nothing held out.
 * The same n, folds and seed give the same split on every machine.  When
 * ds->standardize is on, also computes ds->mean and ds->rstd from the
 * training part only.  Returns 0, or -1 ("data.folds ..."/"data.fold ...")
 * for folds < 1, folds > n, or fold outside 0..folds-1.
 */
int data_split(struct dataset *ds, long folds, long fold, uint64_t seed,
    struct split *sp);

/*
 * Keep in sp->val a fixed subset of at most max of the held-out indices,
 * chosen with seed (all of them if there are no more than max), in
 * ascending order.  sp->nheld keeps the fold's full size.  Never fails.
 */
void data_valsubset(struct split *sp, size_t max, uint64_t seed);

/* Free the index lists of a split; a zeroed split is fine. */
void data_split_free(struct split *sp);

/*
 * Start drawing batches from sp's training indices, shuffled with a
 * stream seeded by seed.  ds and sp's indices must outlive it (the indices
 * are copied).  Returns 0, or -1 for an empty training part or no memory.
 */
int data_batcher_init(struct batcher *it, const struct dataset *ds,
    const struct split *sp, uint64_t seed);

/*
 * Fill the next B samples: x (B, d) with the scaled (and standardized)
 * inputs, y (B) with labels (classification) and t (B) with targets
 * (regression); y or t may be NULL when not wanted.  Samples come in this
 * epoch's shuffled order; when the epoch runs out the order is reshuffled
 * and the batch goes on with the next epoch, so a batch may straddle two
 * epochs, no sample is dropped, and every training sample is drawn exactly
 * once per epoch.  (B larger than the training part draws some samples
 * twice in one batch.)  Allocates nothing; never fails.  It writes only
 * *it and the caller's buffers and reads ds, so the next batch may be drawn
 * on another thread while the current one trains.  (Fashion-MNIST, B=128:
 * about 20-30 us, the rows prefetched ahead.)  data_next + data_gather in
 * one call: the tests' reference for them; lrf-train does not call it.
 */
void data_batch(struct batcher *it, float *x, int32_t *y, float *t, size_t B);

/*
 * The sample indices of the next B samples, in the order data_batch
 * would draw them (and advancing the batcher as it does), into idx (B):
 * for a caller that gathers the batch in parts (data_gather), on several
 * threads.
 */
void data_next(struct batcher *it, uint32_t *idx, size_t B);

/*
 * Images (data.format: images).  data_load scans data.root and decodes
 * nothing: the dataset holds the file list and the labels (ds->bytes and
 * ds->x are NULL, so data_gather and data_batch are not for it).  The
 * training step draws its batch with data_draw, which keeps two batches
 * decoding on the workers (data.workers) ahead of the one it returns,
 * and converts it with data_rows; validation samples are decoded once
 * with data_fill.  Bytes become floats as v * scale (the IDX formula,
 * so that a PNG copy of an IDX file gives the same floats bit for bit)
 * or, with data.mean/data.std, as torchvision's Normalize computes them
 * (img_lut).  data.mean: auto is computed in data_split, on the training
 * part (at most DATA_STATMAX images of it, chosen with the seed).  With
 * data.split the split is read from the list files instead of drawn.
 *
 * For every format: data_draw is data_next (it never fails), data_rows
 * is data_gather on rows lo..hi-1 of the batch, data_fill is
 * data_gather.
 */
#define DATA_STATMAX	10000

/*
 * The next B sample indices into idx (B), as data_next; for images, the
 * batch's images decoded and, with data.flip/data.pad, augmented (in
 * batch order on the calling thread, with a stream of the batcher's
 * seed).  A file that fails to decode is an error (-1, "ROOT/CLASS/FILE:
 * what"), or with data.skip_bad is replaced in idx by the next index
 * drawn and never drawn again (counted in ds->nbad).  B must be the same
 * at every call.  0, or -1 with the message set.
 */
int data_draw(struct batcher *it, uint32_t *idx, size_t B);

/* Rows lo..hi-1 of the batch data_draw returned in idx: x (B, d), y (B)
 * and t (B) are the whole batch's buffers.  Safe on several threads at
 * once for disjoint rows. */
void data_rows(const struct batcher *it, const uint32_t *idx, size_t lo,
    size_t hi, float *x, int32_t *y, float *t);

/*
 * data_gather for the *n samples idx[], images decoded on the workers.
 * With data.skip_bad the files that fail are left out of idx and *n
 * (counted in ds->nbad); without it they are an error.  Images: call it
 * before the first data_draw (it shares the decoders' queue).  0, or -1
 * with the message set.
 */
int data_fill(struct dataset *ds, uint32_t *idx, size_t *n, float *x,
    int32_t *y, float *t);

/*
 * Write sp as DIR/fold_K_train.txt and DIR/fold_K_val.txt (images only):
 * the seed layout that data.split reads back.  0, or -1 with the message
 * set.
 */
int data_split_write(const struct dataset *ds, const struct split *sp,
    const char *dir, long fold);

/*
 * The class names of an image dataset or of CSV labels that are names,
 * for a "#@ classes" line, snprintf-style: "0=ants 1=bees", bytes of a
 * name that are blanks, controls, '%', '=' or not ASCII written as %XX;
 * "" for the other formats and numeric labels.
 */
int data_classnames(char *buf, size_t size, const struct dataset *ds);

/* Free the batcher's order; a zeroed batcher is fine. */
void data_batcher_free(struct batcher *it);

/*
 * Fill x (n, d), y (n) and t (n) (each may be NULL, as for data_batch)
 * with the samples idx[0..n-1], converted as data_batch does.
 * For the validation set: data_gather(ds, sp.val, sp.nval, x, y, t).
 */
void data_gather(const struct dataset *ds, const uint32_t *idx, size_t n,
    float *x, int32_t *y, float *t);

/*
 * Describe the data for a "#@ data" line, snprintf-style (returns the
 * length it needed; DATA_DESCMAX always suffices):
 * "format=idx n=60000 d=784 shape=1x28x28 task=classification classes=10
 *  train=48000 val=1024 held=12000 scale=0.00392156863 standardize=0".
 * sp may be NULL (no train/val/held words).
 */
int data_describe(char *buf, size_t size, const struct dataset *ds,
    const struct split *sp);

/*
 * The class mapping, snprintf-style: "classes=3 map=0:2.5,1:7,2:9"
 * (class:original label value); "classes=0" for regression.
 */
int data_classmap(char *buf, size_t size, const struct dataset *ds);

/*
 * The words a "#@ data" line adds when the classes are not their own
 * label values (data.classes, CSV labels): "map=0:2.5,1:7,2:9",
 * snprintf-style; "" (0) when every class c is label c, and for
 * regression.
 */
int data_map(char *buf, size_t size, const struct dataset *ds);

/*
 * The loaders data_load dispatches to, one per format (lib/idx.c,
 * lib/csv.c, lib/synth.c).  Each fills n, d, shape, task, nclasses,
 * classval and bytes or x, and y or t; data_load does the rest (scale,
 * data.shape, data.classes).  On error they return -1 with the message
 * set and may leave partial allocations for data_free.
 */
int data_load_idx(struct dataset *ds, const struct cfg_data *cd);
int data_load_csv(struct dataset *ds, const struct cfg_data *cd);
int data_load_synthetic(struct dataset *ds, const struct cfg_data *cd,
    uint64_t seed);
int data_load_images(struct dataset *ds, const struct cfg_data *cd);

#endif
