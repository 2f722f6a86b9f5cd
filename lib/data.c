/*
 * data.c - what every format shares: loading and checking the settings,
 * data.classes, the k-fold split, standardization, batches, descriptions.
 * The formats themselves are in idx.c, csv.c and synth.c.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "data.h"
#include "dataint.h"
#include "err.h"
#include "num.h"
#include "rng.h"

/* Streams derived from the one seed, so that the split, the shuffles and
 * the validation subset do not repeat each other's numbers. */
#define SEED_SPLIT	0x73706c6974000000ULL	/* "split" */
#define SEED_BATCH	0x6261746368000000ULL	/* "batch" */
#define SEED_VAL	0x76616c0000000000ULL	/* "val" */

const char *const data_format_names[DATA_NFORMATS + 1] = {
	[DATA_IDX] = "idx",
	[DATA_CSV] = "csv",
	[DATA_SYNTHETIC] = "synthetic",
	[DATA_IMAGES] = "images",
};
const char *const data_task_names[] = {
	[TASK_CLASSIFICATION] = "classification",
	[TASK_REGRESSION] = "regression",
	NULL
};

static int load_idx(struct dataset *, const struct cfg_data *, uint64_t);
static int load_csv(struct dataset *, const struct cfg_data *, uint64_t);
static int load_images(struct dataset *, const struct cfg_data *, uint64_t);

/* Each format: its loader and the scale of its inputs when data.scale
 * is left to the format. */
static const struct format {
	int	(*load)(struct dataset *ds, const struct cfg_data *cd,
		    uint64_t seed);
	double	 scale;
} formats[DATA_NFORMATS] = {
	[DATA_IDX] = { load_idx, 1.0 / 255 },
	[DATA_CSV] = { load_csv, 1 },
	[DATA_SYNTHETIC] = { data_load_synthetic, 1 },
	[DATA_IMAGES] = { load_images, 1.0 / 255 },
};

void
data_free(struct dataset *ds)
{
	int c;

	if (ds->bytemap > 0)
		munmap(ds->bytebase, ds->bytemap);
	else if (ds->bytebase != NULL)
		free(ds->bytebase);
	else
		free(ds->bytes);
	free(ds->x);
	free(ds->y);
	free(ds->t);
	free(ds->mean);
	free(ds->rstd);
	if (ds->classname != NULL)
		for (c = 0; c < ds->nclasses; c++)
			free(ds->classname[c]);
	free(ds->classname);
	dataimg_free(ds->img);
	memset(ds, 0, sizeof(*ds));
}

/* data.classes: keep the listed labels, renumbered in the listed order. */
static int
keep_classes(struct dataset *ds, const long *keep, int nkeep)
{
	int map[CFG_MAXCLASSES];
	size_t count[CFG_MAXCLASSES];
	size_t i, k, d;
	int c, j;

	if (ds->task != TASK_CLASSIFICATION)
		return err_set("data.classes: needs data.task classification");
	if (ds->classname != NULL)
		return err_set("data.classes: the labels are names, not "
		    "numbers (it keeps numeric labels)");
	if (nkeep > CFG_MAXCLASSES)
		return err_set("data.classes: more than %d labels",
		    CFG_MAXCLASSES);
	for (c = 0; c < ds->nclasses; c++) {
		map[c] = -1;
		count[c] = 0;
	}
	for (i = 0; i < ds->n; i++)
		count[ds->y[i]]++;
	for (j = 0; j < nkeep; j++) {
		for (c = 0; c < ds->nclasses; c++)
			if (ds->classval[c] == (double)keep[j])
				break;
		if (c == ds->nclasses || count[c] == 0)
			return err_set("data.classes: no sample has label %ld",
			    keep[j]);
		if (map[c] >= 0)
			return err_set("data.classes: label %ld is listed "
			    "twice", keep[j]);
		map[c] = j;
	}

	d = ds->d;
	/* a raw copy from the cache is mapped read-only (rawcache.h) */
	if (ds->bytemap > 0 && mprotect(ds->bytebase, ds->bytemap,
	    PROT_READ | PROT_WRITE) != 0)
		return err_set("data.classes: mprotect: %s", strerror(errno));
	for (i = k = 0; i < ds->n; i++) {
		if ((c = map[ds->y[i]]) < 0)
			continue;
		if (ds->bytes != NULL)
			memmove(ds->bytes + k * d, ds->bytes + i * d, d);
		else
			memmove(ds->x + k * d, ds->x + i * d,
			    d * sizeof(*ds->x));
		ds->y[k++] = c;
	}
	ds->n = k;
	/* Shrinking a block never fails in practice; if it does, the old
	 * (larger) block is still valid. */
	if (ds->bytes != NULL && ds->bytebase == NULL) {
		void *p = realloc(ds->bytes, k * d);
		if (p != NULL)
			ds->bytes = p;
	} else {
		void *p = realloc(ds->x, k * d * sizeof(*ds->x));
		if (p != NULL)
			ds->x = p;
	}
	for (j = 0; j < nkeep; j++)
		ds->classval[j] = keep[j];
	ds->nclasses = nkeep;
	return 0;
}

/* IDX: the images and the labels, both files needed. */
static int
load_idx(struct dataset *ds, const struct cfg_data *cd, uint64_t seed)
{
	(void)seed;
	if (cd->images[0] == '\0')
		return err_set("data.images: no file given");
	if (cd->labels[0] == '\0')
		return err_set("data.labels: no file given");
	return data_load_idx(ds, cd);
}

static int
load_csv(struct dataset *ds, const struct cfg_data *cd, uint64_t seed)
{
	(void)seed;
	if (cd->path[0] == '\0')
		return err_set("data.path: no file given");
	return data_load_csv(ds, cd);
}

static int
load_images(struct dataset *ds, const struct cfg_data *cd, uint64_t seed)
{
	(void)seed;
	return data_load_images(ds, cd);
}

int
data_load(struct dataset *ds, const struct cfg_data *cd, uint64_t seed)
{
	memset(ds, 0, sizeof(*ds));
	if (cd->task != TASK_CLASSIFICATION && cd->task != TASK_REGRESSION)
		return err_set("data.task: unknown task %d", cd->task);
	if (!isfinite(cd->scale) || fabs(cd->scale) > 1e30)
		return err_set("data.scale: not a finite number");
	ds->format = cd->format;
	ds->task = cd->task;
	if (cd->format < 0 || cd->format >= DATA_NFORMATS)
		return err_set("data.format: unknown format %d", cd->format);
	if (formats[cd->format].load(ds, cd, seed) < 0)
		goto fail;
	ds->format = cd->format;
	ds->task = cd->task;
	ds->scale = cd->scale != 0 ? cd->scale : formats[cd->format].scale;
	ds->standardize = cd->standardize != 0;

	if (cd->shape[0] != 0 || cd->shape[1] != 0 || cd->shape[2] != 0) {
		if (cd->shape[0] < 1 || cd->shape[1] < 1 || cd->shape[2] < 1 ||
		    cd->shape[0] > (long)ds->d || cd->shape[1] > (long)ds->d ||
		    cd->shape[2] > (long)ds->d ||
		    (size_t)cd->shape[0] * cd->shape[1] * cd->shape[2] !=
		    ds->d) {
			err_set("data.shape: [%ld, %ld, %ld] does not fit "
			    "samples of %zu features", cd->shape[0],
			    cd->shape[1], cd->shape[2], ds->d);
			goto fail;
		}
		memcpy(ds->shape, cd->shape, sizeof(ds->shape));
	}
	if (ds->img != NULL && (cd->nkeep > 0 || cd->shape[0] != 0)) {
		err_set("%s: not for images (the class folders are the "
		    "classes, data.size and data.channels the shape)",
		    cd->nkeep > 0 ? "data.classes" : "data.shape");
		goto fail;
	}
	if (cd->nkeep > 0 && keep_classes(ds, cd->keep, cd->nkeep) < 0)
		goto fail;
	return 0;
fail:
	data_free(ds);
	return -1;
}

/*
 * Per-feature mean and 1/std (population) of the scaled inputs of the n
 * samples idx[].  Byte data is summed exactly in integers.
 */
static int
standardize(struct dataset *ds, const uint32_t *idx, size_t n)
{
	double *sum, *sq, m, v, s;
	uint64_t *isum, *isq;
	size_t d, i, j;
	const uint8_t *b;
	const float *x;

	d = ds->d;
	free(ds->mean);
	free(ds->rstd);
	ds->mean = malloc(d * sizeof(*ds->mean));
	ds->rstd = malloc(d * sizeof(*ds->rstd));
	sum = calloc(2 * d, sizeof(*sum));
	isum = calloc(2 * d, sizeof(*isum));
	if (ds->mean == NULL || ds->rstd == NULL || sum == NULL ||
	    isum == NULL) {
		free(sum);
		free(isum);
		return err_set("data.standardize: out of memory");
	}
	sq = sum + d;
	isq = isum + d;
	s = ds->scale;
	if (ds->bytes != NULL) {
		for (i = 0; i < n; i++) {
			b = ds->bytes + (size_t)idx[i] * d;
			for (j = 0; j < d; j++) {
				isum[j] += b[j];
				isq[j] += (uint32_t)b[j] * b[j];
			}
		}
		for (j = 0; j < d; j++) {
			m = (double)isum[j] / n;
			v = (double)isq[j] / n - m * m;
			sum[j] = m * s;
			sq[j] = v > 0 ? v * s * s : 0;
		}
	} else {
		/* Two passes in double: the mean, then the squared
		 * deviations from it. */
		for (i = 0; i < n; i++) {
			x = ds->x + (size_t)idx[i] * d;
			for (j = 0; j < d; j++)
				sum[j] += x[j];
		}
		for (j = 0; j < d; j++)
			sum[j] /= n;
		for (i = 0; i < n; i++) {
			x = ds->x + (size_t)idx[i] * d;
			for (j = 0; j < d; j++) {
				v = x[j] - sum[j];
				sq[j] += v * v;
			}
		}
		for (j = 0; j < d; j++) {
			sum[j] *= s;
			sq[j] = sq[j] / n * s * s;
		}
	}
	for (j = 0; j < d; j++) {
		ds->mean[j] = sum[j];
		v = sqrt(sq[j]);
		ds->rstd[j] = v > 0 && isfinite(1 / v) ? 1 / v : 1;
	}
	free(sum);
	free(isum);
	return 0;
}

int
data_split(struct dataset *ds, long folds, long fold, uint64_t seed,
    struct split *sp)
{
	struct rng g;
	uint32_t *perm;
	uint8_t *held;
	size_t n, lo, hi, i, a, b;

	memset(sp, 0, sizeof(*sp));
	n = ds->n;
	switch (dataimg_split(ds, fold, sp)) {
	case -1:
		return -1;
	case 1:
		if (dataimg_norm(ds, sp, seed) < 0) {
			data_split_free(sp);
			return -1;
		}
		return 0;
	}
	if (folds < 1)
		return err_set("data.folds: %ld is less than 1", folds);
	if ((size_t)folds > n)
		return err_set("data.folds: %ld is more than the %zu samples",
		    folds, n);
	if (fold < 0 || fold >= folds)
		return err_set("data.fold: %ld is not in 0..%ld", fold,
		    folds - 1);
	perm = malloc(n * sizeof(*perm));
	held = calloc(n, 1);
	if (perm == NULL || held == NULL) {
		free(perm);
		free(held);
		return err_set("data.folds: out of memory");
	}
	if (folds > 1) {
		for (i = 0; i < n; i++)
			perm[i] = i;
		rng_seed(&g, seed ^ SEED_SPLIT);
		rng_shuffle(&g, perm, n);
		lo = n * fold / folds;
		hi = n * (fold + 1) / folds;
		for (i = lo; i < hi; i++)
			held[perm[i]] = 1;
		sp->nval = hi - lo;
	}
	sp->ntrain = n - sp->nval;
	sp->nheld = sp->nval;
	free(perm);
	sp->train = malloc(sp->ntrain * sizeof(*sp->train));
	sp->val = malloc((sp->nval ? sp->nval : 1) * sizeof(*sp->val));
	if (sp->train == NULL || sp->val == NULL) {
		free(held);
		data_split_free(sp);
		return err_set("data.folds: out of memory");
	}
	for (i = a = b = 0; i < n; i++) {
		if (held[i])
			sp->val[b++] = i;
		else
			sp->train[a++] = i;
	}
	free(held);
	if ((ds->standardize && standardize(ds, sp->train, sp->ntrain) < 0) ||
	    dataimg_norm(ds, sp, seed) < 0) {
		data_split_free(sp);
		return -1;
	}
	return 0;
}

static int
cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

void
data_valsubset(struct split *sp, size_t max, uint64_t seed)
{
	struct rng g;
	size_t i, j;
	uint32_t t;

	if (sp->nval <= max)
		return;
	rng_seed(&g, seed ^ SEED_VAL);
	for (i = 0; i < max; i++) {	/* the first max of a shuffle */
		j = i + rng_below(&g, sp->nval - i);
		t = sp->val[i];
		sp->val[i] = sp->val[j];
		sp->val[j] = t;
	}
	sp->nval = max;
	qsort(sp->val, max, sizeof(*sp->val), cmp_u32);
}

void
data_split_free(struct split *sp)
{
	free(sp->train);
	free(sp->val);
	memset(sp, 0, sizeof(*sp));
}

int
data_batcher_init(struct batcher *it, const struct dataset *ds,
    const struct split *sp, uint64_t seed)
{
	memset(it, 0, sizeof(*it));
	if (sp->ntrain == 0)
		return err_set("data: no training samples");
	if ((it->order = malloc(sp->ntrain * sizeof(*it->order))) == NULL)
		return err_set("data: out of memory");
	memcpy(it->order, sp->train, sp->ntrain * sizeof(*it->order));
	it->ds = ds;
	it->n = sp->ntrain;
	rng_seed(&it->rng, seed ^ SEED_BATCH);
	it->augseed = seed;
	rng_shuffle(&it->rng, it->order, it->n);
	it->epoch = 1;
	return 0;
}

/*
 * The next run of at most B samples that lie together in this epoch's
 * order (a new epoch, reshuffled, when it has run out): their indices,
 * *k of them.
 */
static const uint32_t *
take(struct batcher *it, size_t B, size_t *k)
{
	const uint32_t *p;

	if (it->pos == it->n) {
		rng_shuffle(&it->rng, it->order, it->n);
		it->pos = 0;
		it->epoch++;
	}
	*k = it->n - it->pos < B ? it->n - it->pos : B;
	p = it->order + it->pos;
	it->pos += *k;
	return p;
}

void
data_next(struct batcher *it, uint32_t *idx, size_t B)
{
	const uint32_t *p;
	size_t k;

	for (; B > 0; B -= k, idx += k) {
		p = take(it, B, &k);
		memcpy(idx, p, k * sizeof(*idx));
	}
}

void
data_batch(struct batcher *it, float *x, int32_t *y, float *t, size_t B)
{
	const uint32_t *p;
	size_t k;

	for (; B > 0; B -= k, x += k * it->ds->d) {
		p = take(it, B, &k);
		data_gather(it->ds, p, k, x, y, t);
		if (y != NULL)
			y += k;
		if (t != NULL)
			t += k;
	}
}

void
data_batcher_free(struct batcher *it)
{
	free(it->order);
	dataimg_batch_free(it->ib);
	memset(it, 0, sizeof(*it));
}

/*
 * Batches read rows scattered over the whole dataset, so each conversion
 * also asks for the cache lines of the row after next (AHEAD): that
 * halves the time of a gather.  The requests sit inside the converting
 * loop because compilers delete a loop that only prefetches.
 */
#define AHEAD	2
#if defined(__GNUC__)
#define PREFETCH(p)	__builtin_prefetch(p)
#else
#define PREFETCH(p)	((void)(p))
#endif

/*
 * Convert one sample: x[j] = v[j] * s, or with mean and rstd given,
 * (v[j] * s - mean[j]) * rstd[j]; prefetch the nb bytes at next (if not
 * NULL).  Blocks of 16 elements with restrict pointers let a plain -O2
 * build vectorise the loops.
 */
static void
conv_bytes(float *restrict x, const uint8_t *restrict v, size_t d, float s,
    const float *restrict mean, const float *restrict rstd,
    const char *next)
{
	size_t j, k;

	for (j = 0; j + 16 <= d; j += 16) {
		if (next != NULL && j % 64 == 0)
			PREFETCH(next + j);
		if (mean == NULL)
			for (k = j; k < j + 16; k++)
				x[k] = v[k] * s;
		else
			for (k = j; k < j + 16; k++)
				x[k] = (v[k] * s - mean[k]) * rstd[k];
	}
	for (; j < d; j++)
		x[j] = mean == NULL ? v[j] * s : (v[j] * s - mean[j]) * rstd[j];
	if (next != NULL)
		PREFETCH(next + d - 1);
}

static void
conv_floats(float *restrict x, const float *restrict v, size_t d, float s,
    const float *restrict mean, const float *restrict rstd,
    const char *next)
{
	size_t j, k;

	for (j = 0; j + 16 <= d; j += 16) {
		if (next != NULL)
			PREFETCH(next + 4 * j);
		if (mean == NULL)
			for (k = j; k < j + 16; k++)
				x[k] = v[k] * s;
		else
			for (k = j; k < j + 16; k++)
				x[k] = (v[k] * s - mean[k]) * rstd[k];
	}
	for (; j < d; j++)
		x[j] = mean == NULL ? v[j] * s : (v[j] * s - mean[j]) * rstd[j];
	if (next != NULL)
		PREFETCH(next + 4 * d - 1);
}

void
data_gather(const struct dataset *ds, const uint32_t *idx, size_t n,
    float *x, int32_t *y, float *t)
{
	const float *mean, *rstd;
	const char *next;
	size_t d, i;
	float s;

	d = ds->d;
	s = ds->scale;
	mean = rstd = NULL;
	if (ds->standardize && ds->mean != NULL) {
		mean = ds->mean;
		rstd = ds->rstd;
	}
	for (i = 0; i < n; i++, x += d) {
		next = NULL;
		if (ds->bytes != NULL) {
			if (i + AHEAD < n)
				next = (const char *)(ds->bytes +
				    (size_t)idx[i + AHEAD] * d);
			conv_bytes(x, ds->bytes + (size_t)idx[i] * d, d, s,
			    mean, rstd, next);
		} else {
			if (i + AHEAD < n)
				next = (const char *)(ds->x +
				    (size_t)idx[i + AHEAD] * d);
			conv_floats(x, ds->x + (size_t)idx[i] * d, d, s, mean,
			    rstd, next);
		}
		if (y != NULL && ds->y != NULL)
			y[i] = ds->y[idx[i]];
		if (t != NULL && ds->t != NULL)
			t[i] = ds->t[idx[i]];
	}
}

/* Append to buf what printf would, keeping the length it needs. */
static void __attribute__((format(printf, 4, 5)))
cat(char *buf, size_t size, size_t *len, const char *fmt, ...)
{
	va_list ap;
	int k;

	va_start(ap, fmt);
	k = vsnprintf(*len < size ? buf + *len : NULL,
	    *len < size ? size - *len : 0, fmt, ap);
	va_end(ap);
	if (k > 0)
		*len += k;
}

int
data_describe(char *buf, size_t size, const struct dataset *ds,
    const struct split *sp)
{
	char num[32];
	size_t len;

	len = 0;
	if (size > 0)
		buf[0] = '\0';
	num_fmt(num, sizeof(num), ds->scale);
	cat(buf, size, &len, "format=%s n=%zu d=%zu shape=%ldx%ldx%ld "
	    "task=%s classes=%d", data_format_names[ds->format], ds->n, ds->d,
	    ds->shape[0], ds->shape[1], ds->shape[2],
	    data_task_names[ds->task],
	    ds->nclasses);
	if (sp != NULL)
		cat(buf, size, &len, " train=%zu val=%zu held=%zu",
		    sp->ntrain, sp->nval, sp->nheld);
	cat(buf, size, &len, " scale=%s standardize=%d", num,
	    ds->standardize);
	dataimg_describe(buf, size, &len, ds);
	return len;
}

/* "map=0:2.5,1:7,2:9" at *len, or nothing without classes. */
static void
putmap(char *buf, size_t size, size_t *len, const struct dataset *ds)
{
	char num[32];
	int c;

	for (c = 0; c < ds->nclasses; c++) {
		num_fmt(num, sizeof(num), ds->classval[c]);
		cat(buf, size, len, "%s%d:%s", c == 0 ? "map=" : ",", c, num);
	}
}

int
data_classmap(char *buf, size_t size, const struct dataset *ds)
{
	size_t len;

	len = 0;
	if (size > 0)
		buf[0] = '\0';
	cat(buf, size, &len, "classes=%d%s", ds->nclasses,
	    ds->nclasses > 0 ? " " : "");
	putmap(buf, size, &len, ds);
	return len;
}

int
data_map(char *buf, size_t size, const struct dataset *ds)
{
	size_t len;
	int c;

	len = 0;
	if (size > 0)
		buf[0] = '\0';
	for (c = 0; c < ds->nclasses && ds->classval[c] == c; c++)
		;
	if (c < ds->nclasses)
		putmap(buf, size, &len, ds);
	return len;
}
