/*
 * dataimg.c - class-per-folder images as a dataset: the scan at load,
 * batches decoded on the pool two steps ahead, validation decoded once,
 * data.split list files, data.mean/std (auto: the training part's), the
 * skipped files of data.skip_bad.  The image modules do the work
 * (imgdir.c, img.c, imgpool.c); this file wires them to data.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data.h"
#include "dataint.h"
#include "err.h"
#include "img.h"
#include "imgdir.h"
#include "imgpool.h"
#include "num.h"
#include "rng.h"

#define SEED_AUG	0x6175670000000000ULL	/* "aug" */
#define SEED_STAT	0x7374617400000000ULL	/* "stat" */
#define NRING		3	/* batch buffers: one trained on, two
				   decoding */
#define FILLCHUNK	256	/* images per pool batch in data_fill */

struct dataimg {
	struct imgdir dir;
	struct img_geom geom;
	struct imgpool *pool;
	struct img_ctx *ctx;	/* the caller's thread: replacements */
	char	 split[CFG_MAXPATH];	/* data.split, "" if none */
	struct cfg_norm mean, std;	/* as configured */
	int	 norm;		/* 1: lut is used */
	float	 lut[3 * 256];	/* (C, 256) */
	float	 m[3], s[3];	/* the mean and std in use */
	int	 skip_bad, flip, pad;
	uint8_t	*bad;		/* (n) 1: a file that failed (skip_bad) */
	uint32_t firstbad;	/* the lowest of them */
};

struct imgbatch {
	size_t	 B;
	size_t	 d;
	uint8_t	*buf[NRING];	/* (B, d) each */
	uint8_t	*badf[NRING];	/* (B) */
	uint32_t *idx[NRING];	/* (B) the indices submitted */
	uint8_t	*tmp;		/* (d) augmentation */
	int	 head;		/* the oldest slot submitted */
	int	 inflight;	/* batches submitted, not yet taken */
	struct imgpool *pool;	/* where they are */
	uint8_t	*cur;		/* (B, d) the batch data_draw returned */
	struct rng rng;		/* augmentation */
	uint64_t seed;
};

void
dataimg_free(struct dataimg *m)
{
	if (m == NULL)
		return;
	imgpool_free(m->pool);
	img_ctx_free(m->ctx);
	imgdir_free(&m->dir);
	free(m->bad);
	free(m);
}

void
dataimg_batch_free(struct imgbatch *ib)
{
	char msg[IMG_MSGMAX];
	int k;

	if (ib == NULL)
		return;
	/* the workers may still write into the buffers: wait for them */
	for (; ib->inflight > 0; ib->inflight--)
		imgpool_take(ib->pool, NULL, msg);
	for (k = 0; k < NRING; k++) {
		free(ib->buf[k]);
		free(ib->badf[k]);
		free(ib->idx[k]);
	}
	free(ib->tmp);
	free(ib);
}

/* data.mean or data.std as numbers for C channels into v; 0 or -1. */
static int
normvals(const struct cfg_norm *nv, const char *key, int C, int ismean,
    float *v)
{
	int c;

	for (c = 0; c < C; c++) {
		switch (nv->kind) {
		case NORM_NONE:
			v[c] = ismean ? 0 : 1;
			break;
		case NORM_LIST:
			if (nv->n != 1 && nv->n != C)
				return err_set("%s: %d values for %d channel%s",
				    key, nv->n, C, C == 1 ? "" : "s");
			v[c] = nv->v[nv->n == 1 ? 0 : c];
			break;
		case NORM_IMAGENET:
			if (C != 3)
				return err_set("%s: imagenet is for 3 "
				    "channels, data.channels is %d", key, C);
			v[c] = ismean ? img_imagenet_mean[c] :
			    img_imagenet_std[c];
			break;
		}
		if (!ismean && !(v[c] > 0))
			return err_set("%s: %g is not above 0", key,
			    (double)v[c]);
	}
	return 0;
}

int
data_load_images(struct dataset *ds, const struct cfg_data *cd)
{
	struct dataimg *m;
	size_t i, d;
	int C;

	if (cd->root[0] == '\0')
		return err_set("data.root: no folder given");
	if (cd->standardize)
		return err_set("data.standardize: not for images (use "
		    "data.mean: auto and data.std: auto)");
	if ((m = calloc(1, sizeof(*m))) == NULL)
		return err_set("out of memory");
	ds->img = m;
	C = (int)cd->channels;
	img_geom_size(&m->geom, C, (int)cd->size[0], (int)cd->size[1]);
	if (img_geom_check(&m->geom) < 0)
		return -1;
	if (imgdir_scan(&m->dir, cd->root) < 0)
		return -1;
	if (m->dir.nclasses > CFG_MAXCLASSES)
		return err_set("%s: %d classes, at most %d", m->dir.root,
		    m->dir.nclasses, CFG_MAXCLASSES);
	if (m->dir.n > UINT32_MAX)
		return err_set("%s: more than %lu images", m->dir.root,
		    (unsigned long)UINT32_MAX);
	snprintf(m->split, sizeof(m->split), "%s", cd->split);
	m->mean = cd->mean;
	m->std = cd->std;
	m->skip_bad = cd->skip_bad;
	m->flip = cd->flip;
	m->pad = (int)cd->pad;
	if (m->pad > m->geom.h || m->pad > m->geom.w)
		return err_set("data.pad: %d is more than the image's side",
		    m->pad);
	if (m->mean.kind != NORM_AUTO && m->std.kind != NORM_AUTO &&
	    (m->mean.kind != NORM_NONE || m->std.kind != NORM_NONE)) {
		if (normvals(&m->mean, "data.mean", C, 1, m->m) < 0 ||
		    normvals(&m->std, "data.std", C, 0, m->s) < 0)
			return -1;
		img_lut(m->lut, C, m->m, m->s);
		m->norm = 1;
	} else if (m->mean.kind == NORM_AUTO || m->std.kind == NORM_AUTO) {
		/* checked now, computed by data_split */
		if ((m->mean.kind != NORM_AUTO &&
		    normvals(&m->mean, "data.mean", C, 1, m->m) < 0) ||
		    (m->std.kind != NORM_AUTO &&
		    normvals(&m->std, "data.std", C, 0, m->s) < 0))
			return -1;
	}
	d = (size_t)C * m->geom.h * m->geom.w;
	if ((m->bad = calloc(m->dir.n, 1)) == NULL ||
	    (m->ctx = img_ctx_new()) == NULL ||
	    (ds->y = malloc(m->dir.n * sizeof(*ds->y))) == NULL)
		return err_set("out of memory");
	if ((m->pool = imgpool_create(&m->dir, &m->geom,
	    (int)cd->workers)) == NULL)
		return -1;
	ds->n = m->dir.n;
	ds->d = d;
	ds->shape[0] = C;
	ds->shape[1] = m->geom.h;
	ds->shape[2] = m->geom.w;
	ds->task = TASK_CLASSIFICATION;
	if (cd->task != TASK_CLASSIFICATION)
		return err_set("data.task: images are for classification");
	ds->nclasses = m->dir.nclasses;
	for (i = 0; i < (size_t)ds->nclasses; i++)
		ds->classval[i] = (double)i;
	memcpy(ds->y, m->dir.label, m->dir.n * sizeof(*ds->y));
	ds->nignored = m->dir.nignored;
	return 0;
}

int
dataimg_split(struct dataset *ds, long fold, struct split *sp)
{
	struct dataimg *m = ds->img;

	if (m == NULL || m->split[0] == '\0')
		return 0;
	if (imgdir_split_read(&m->dir, m->split, fold, &sp->train,
	    &sp->ntrain, &sp->val, &sp->nval) < 0)
		return -1;
	sp->nheld = sp->nval;
	return 1;
}

/* Note a file that failed: the count, and the message of the first in
 * file order (whatever order they were met in). */
static void
notebad(struct dataset *ds, uint32_t i, const char *msg)
{
	struct dataimg *m = ds->img;

	if (m->bad[i])
		return;
	m->bad[i] = 1;
	if (ds->nbad++ == 0 || i < m->firstbad) {
		m->firstbad = i;
		snprintf(ds->badmsg, sizeof(ds->badmsg), "%s", msg);
	}
}

/*
 * Decode idx[0..*n-1] into out (*n, d), FILLCHUNK at a time on the pool;
 * with skip_bad, failed files leave idx (kept in order).  0 or -1.
 */
static int
decode_all(struct dataset *ds, uint32_t *idx, size_t *n, uint8_t *out)
{
	struct dataimg *m = ds->img;
	uint8_t bad[FILLCHUNK];
	char path[IMGDIR_PATHMAX], msg[IMG_MSGMAX];
	size_t i, k, j, nb, kept;

	kept = 0;
	for (i = 0; i < *n; i += k) {
		k = *n - i < FILLCHUNK ? *n - i : FILLCHUNK;
		if (imgpool_submit(m->pool, idx + i, k, out + i * ds->d,
		    bad) < 0)
			return -1;
		if (imgpool_take(m->pool, &nb, msg) < 0)
			return -1;
		if (nb > 0 && !m->skip_bad)
			return err_set("%s", msg);
		for (j = 0; j < k; j++) {
			if (bad[j]) {	/* again here, for its message */
				imgdir_fullpath(&m->dir, idx[i + j], path,
				    sizeof(path));
				if (img_load(m->ctx, path, &m->geom,
				    out + (i + j) * ds->d) < 0) {
					notebad(ds, idx[i + j],
					    img_ctx_msg(m->ctx));
					continue;
				}
			}
			if (kept != j + i)
				memmove(out + kept * ds->d,
				    out + (i + j) * ds->d, ds->d);
			idx[kept++] = idx[i + j];
		}
	}
	*n = kept;
	return 0;
}

int
dataimg_norm(struct dataset *ds, const struct split *sp, uint64_t seed)
{
	struct dataimg *m = ds->img;
	struct img_stats st;
	struct rng g;
	double mean[3], sd[3];
	uint32_t *idx, t;
	uint8_t *out;
	size_t n, i, j, k, hw;
	int c, C;

	if (m == NULL || m->norm || (m->mean.kind != NORM_AUTO &&
	    m->std.kind != NORM_AUTO))
		return 0;
	C = m->geom.channels;
	hw = (size_t)m->geom.h * m->geom.w;
	n = sp->ntrain < DATA_STATMAX ? sp->ntrain : DATA_STATMAX;
	idx = malloc(sp->ntrain * sizeof(*idx));
	out = malloc(FILLCHUNK * ds->d);
	if (idx == NULL || out == NULL) {
		free(idx);
		free(out);
		return err_set("data.mean: out of memory");
	}
	memcpy(idx, sp->train, sp->ntrain * sizeof(*idx));
	rng_seed(&g, seed ^ SEED_STAT);
	for (i = 0; i < n && n < sp->ntrain; i++) {	/* a seeded sample */
		j = i + rng_below(&g, sp->ntrain - i);
		t = idx[i];
		idx[i] = idx[j];
		idx[j] = t;
	}
	img_stats_init(&st, C);
	for (i = 0; i < n; i += FILLCHUNK) {
		k = n - i < FILLCHUNK ? n - i : FILLCHUNK;
		if (decode_all(ds, idx + i, &k, out) < 0) {
			free(idx);
			free(out);
			return -1;
		}
		for (j = 0; j < k; j++)
			img_stats_add(&st, out + j * ds->d, hw);
	}
	free(idx);
	free(out);
	img_stats_get(&st, mean, sd);
	for (c = 0; c < C; c++) {
		if (m->mean.kind == NORM_AUTO)
			m->m[c] = (float)mean[c];
		if (m->std.kind == NORM_AUTO)
			m->s[c] = sd[c] > 0 ? (float)sd[c] : 1;
	}
	img_lut(m->lut, C, m->m, m->s);
	m->norm = 1;
	return 0;
}

void
dataimg_describe(char *buf, size_t size, size_t *len,
    const struct dataset *ds)
{
	const struct dataimg *m = ds->img;
	char num[32];
	size_t k;
	int c, i, n;

	if (m == NULL || !m->norm)
		return;
	for (i = 0; i < 2; i++) {
		for (c = 0; c < m->geom.channels; c++) {
			num_fmt(num, sizeof(num), i == 0 ? m->m[c] : m->s[c]);
			n = snprintf(*len < size ? buf + *len : NULL,
			    *len < size ? size - *len : 0, "%s%s", c == 0 ?
			    (i == 0 ? " mean=" : " std=") : ",", num);
			k = n > 0 ? (size_t)n : 0;
			*len += k;
		}
	}
}

/* The batch state, at the first draw. */
static int
batch_start(struct batcher *it, size_t B)
{
	struct imgbatch *ib;
	size_t d;
	int k;

	d = it->ds->d;
	if ((ib = calloc(1, sizeof(*ib))) == NULL)
		return err_set("out of memory");
	it->ib = ib;
	ib->B = B;
	ib->d = d;
	for (k = 0; k < NRING; k++)
		if ((ib->buf[k] = malloc(B * d)) == NULL ||
		    (ib->badf[k] = malloc(B)) == NULL ||
		    (ib->idx[k] = malloc(B * sizeof(uint32_t))) == NULL)
			return err_set("out of memory");
	if ((ib->tmp = malloc(d)) == NULL)
		return err_set("out of memory");
	rng_seed(&ib->rng, it->augseed ^ SEED_AUG);
	ib->pool = it->ds->img->pool;
	for (k = 0; k < NRING - 1; k++) {
		data_next(it, ib->idx[k], B);
		if (imgpool_submit(ib->pool, ib->idx[k], B, ib->buf[k],
		    ib->badf[k]) < 0)
			return -1;
		ib->inflight++;
	}
	ib->head = 0;
	return 0;
}

int
data_draw(struct batcher *it, uint32_t *idx, size_t B)
{
	struct dataset *ds = (struct dataset *)it->ds;
	struct dataimg *m = ds->img;
	struct imgbatch *ib;
	char path[IMGDIR_PATHMAX], msg[IMG_MSGMAX];
	uint8_t *p;
	uint32_t j;
	size_t i, nb, tries;
	int s, C;

	if (m == NULL) {
		data_next(it, idx, B);
		return 0;
	}
	if (it->ib == NULL && batch_start(it, B) < 0)
		return -1;
	ib = it->ib;
	if (B != ib->B)
		return err_set("data: batches of %zu, then %zu", ib->B, B);
	/* the batch after the two decoding */
	s = (ib->head + NRING - 1) % NRING;
	data_next(it, ib->idx[s], B);
	if (imgpool_submit(m->pool, ib->idx[s], B, ib->buf[s],
	    ib->badf[s]) < 0)
		return -1;
	ib->inflight++;
	s = ib->head;
	ib->head = (ib->head + 1) % NRING;
	if (imgpool_take(m->pool, &nb, msg) < 0)
		return -1;
	ib->inflight--;
	if (nb > 0 && !m->skip_bad)
		return err_set("%s", msg);
	memcpy(idx, ib->idx[s], B * sizeof(*idx));
	for (i = 0; nb > 0 && i < B; i++) {
		if (!ib->badf[s][i])
			continue;
		/* the file again on this thread, for its message; then
		 * the next draws until one decodes */
		j = idx[i];
		for (tries = 0;; tries++) {
			imgdir_fullpath(&m->dir, j, path, sizeof(path));
			if (!m->bad[j] && img_load(m->ctx, path, &m->geom,
			    ib->buf[s] + i * ib->d) == 0)
				break;
			if (!m->bad[j])
				notebad(ds, j, img_ctx_msg(m->ctx));
			if (tries > it->n)	/* a whole epoch drawn */
				return err_set("data.skip_bad: no training "
				    "image of %s decodes", m->dir.root);
			data_next(it, &j, 1);
		}
		idx[i] = j;
	}
	if (m->flip || m->pad > 0) {
		C = m->geom.channels;
		for (i = 0; i < B; i++) {
			p = ib->buf[s] + i * ib->d;
			img_augment(ib->tmp, p, C, m->geom.h, m->geom.w, m->pad,
			    m->flip, &ib->rng);
			memcpy(p, ib->tmp, ib->d);
		}
	}
	ib->cur = ib->buf[s];
	return 0;
}

/* One sample's bytes to floats through the lookup table, plane by
 * plane: x (C, hw). */
static void
conv_lut(float *restrict x, const uint8_t *restrict v, int C, size_t hw,
    const float *restrict lut)
{
	const float *l;
	size_t j;
	int c;

	for (c = 0; c < C; c++) {
		l = lut + c * 256;
		for (j = 0; j < hw; j++)
			x[c * hw + j] = l[v[c * hw + j]];
	}
}

/* n samples' bytes b (n, d) to floats x (n, d). */
static void
conv(const struct dataset *ds, const uint8_t *b, size_t n, float *x)
{
	const struct dataimg *m = ds->img;
	size_t i, j, d, hw;
	float s;

	d = ds->d;
	s = ds->scale;
	hw = (size_t)m->geom.h * m->geom.w;
	for (i = 0; i < n; i++, b += d, x += d) {
		if (m->norm)
			conv_lut(x, b, m->geom.channels, hw, m->lut);
		else	/* the IDX formula */
			for (j = 0; j < d; j++)
				x[j] = b[j] * s;
	}
}

void
data_rows(const struct batcher *it, const uint32_t *idx, size_t lo,
    size_t hi, float *x, int32_t *y, float *t)
{
	const struct dataset *ds = it->ds;
	size_t i;

	if (ds->img == NULL) {
		data_gather(ds, idx + lo, hi - lo, x + lo * ds->d,
		    y != NULL ? y + lo : NULL, t != NULL ? t + lo : NULL);
		return;
	}
	conv(ds, it->ib->cur + lo * ds->d, hi - lo, x + lo * ds->d);
	for (i = lo; y != NULL && i < hi; i++)
		y[i] = ds->y[idx[i]];
}

int
data_fill(struct dataset *ds, uint32_t *idx, size_t *n, float *x,
    int32_t *y, float *t)
{
	uint8_t *out;
	size_t i, k, kept, got;

	if (ds->img == NULL) {
		data_gather(ds, idx, *n, x, y, t);
		return 0;
	}
	if ((out = malloc(FILLCHUNK * ds->d)) == NULL)
		return err_set("out of memory");
	kept = 0;
	for (i = 0; i < *n; i += k) {
		k = *n - i < FILLCHUNK ? *n - i : FILLCHUNK;
		got = k;
		if (decode_all(ds, idx + i, &got, out) < 0) {
			free(out);
			return -1;
		}
		conv(ds, out, got, x + kept * ds->d);
		memmove(idx + kept, idx + i, got * sizeof(*idx));
		kept += got;
	}
	free(out);
	*n = kept;
	for (i = 0; y != NULL && i < kept; i++)
		y[i] = ds->y[idx[i]];
	return 0;
}

int
data_split_write(const struct dataset *ds, const struct split *sp,
    const char *dir, long fold)
{
	if (ds->img == NULL)
		return err_set("%s: split files are for data.format: images",
		    dir);
	return imgdir_split_write(&ds->img->dir, dir, fold, sp->train,
	    sp->ntrain, sp->val, sp->nval);
}

int
data_classnames(char *buf, size_t size, const struct dataset *ds)
{
	const struct dataimg *m = ds->img;
	const unsigned char *q;
	char *const *name;	/* (nc) */
	size_t len;
	int c, k, nc;

	len = 0;
	if (size > 0)
		buf[0] = '\0';
	if (m != NULL) {
		name = m->dir.classes;
		nc = m->dir.nclasses;
	} else if (ds->classname != NULL) {	/* CSV labels */
		name = ds->classname;
		nc = ds->nclasses;
	} else
		return 0;
	for (c = 0; c < nc; c++) {
		k = snprintf(len < size ? buf + len : NULL, len < size ?
		    size - len : 0, "%s%d=", c ? " " : "", c);
		len += k > 0 ? (size_t)k : 0;
		for (q = (const unsigned char *)name[c]; *q; q++) {
			if (*q <= ' ' || *q >= 0x7f || *q == '%' || *q == '=')
				k = snprintf(len < size ? buf + len : NULL,
				    len < size ? size - len : 0, "%%%02X", *q);
			else
				k = snprintf(len < size ? buf + len : NULL,
				    len < size ? size - len : 0, "%c", *q);
			len += k > 0 ? (size_t)k : 0;
		}
	}
	return (int)len;
}
