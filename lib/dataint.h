/*
 * dataint.h - what data.c asks of dataimg.c, the image format's half of
 * the data layer (not for the programs).
 */
#ifndef LRF_DATAINT_H
#define LRF_DATAINT_H

#include "data.h"

/* Free what ds->img holds, and the batcher's decoding state. */
void dataimg_free(struct dataimg *m);
void dataimg_batch_free(struct imgbatch *ib);

/* data.split: 1 with sp read from the list files, 0 if there are none
 * (split as for any format), -1 on error. */
int dataimg_split(struct dataset *ds, long fold, struct split *sp);

/* data.mean/std: auto: the statistics of the training part; then the
 * lookup table.  0 or -1. */
int dataimg_norm(struct dataset *ds, const struct split *sp, uint64_t seed);

/* " mean=a,b,c std=a,b,c" when the images are normalised, snprintf-style
 * at *len. */
void dataimg_describe(char *buf, size_t size, size_t *len,
    const struct dataset *ds);

#endif
