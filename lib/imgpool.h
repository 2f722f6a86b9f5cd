/*
 * imgpool.h - batches of images decoded on worker threads ahead of the
 * training step (prefetch), into the caller's byte buffers.
 *
 *	struct imgpool *p = imgpool_create(&dir, &geom, 2);
 *	uint8_t *buf[2];		   each (B, C, H, W), C H W from geom
 *	uint8_t bad[2][B];
 *
 *	imgpool_submit(p, idx, B, buf[0], bad[0]);	   batch 0 queued
 *	for (k = 0; ; k++) {
 *		(draw the indices of batch k + 1 into idx)
 *		imgpool_submit(p, idx, B, buf[(k + 1) % 2], bad[(k + 1) % 2]);
 *		if (imgpool_wait(p, &nbad) < 0 && !skip_bad)	   batch k
 *			fail with err_msg();
 *		train on buf[k % 2] (the samples with bad[k % 2][i] == 0)
 *	}
 *	imgpool_free(p);
 *
 * Batches are decoded in the order they were submitted; the workers take
 * the images of the oldest batch first, one at a time, and the thread
 * that waits for a batch decodes its remaining images itself rather than
 * sleep.  With nthreads = 0 there are no workers and imgpool_wait decodes
 * the whole batch.  Every image is decoded on its own into its own place
 * (img_load with one context per thread), so the bytes, the bad flags and
 * the message do not depend on the number of threads or on timing.
 *
 * The caller owns the buffers: out and bad of a submitted batch must stay
 * until imgpool_wait has returned it; the indices are copied.  One thread
 * submits and waits; the pool is not for several callers.
 */
#ifndef LRF_IMGPOOL_H
#define LRF_IMGPOOL_H

#include <stddef.h>
#include <stdint.h>

#include "img.h"
#include "imgdir.h"

#define IMGPOOL_QUEUE	16	/* batches submitted and not yet waited for */
#define IMGPOOL_MAXTHREADS 256

struct imgpool;

/*
 * A pool of nthreads (0..IMGPOOL_MAXTHREADS) workers decoding the files
 * of d (which must outlive the pool) into samples of geometry g (copied).
 * NULL with the message set if g is not usable (img_geom_check), nthreads
 * is out of range, or the threads or the memory cannot be had.
 */
struct imgpool *imgpool_create(const struct imgdir *d,
    const struct img_geom *g, int nthreads);

/*
 * Queue the decoding of files idx[0..n-1] of d into out (n, C, H, W)
 * and, when bad is not NULL, bad[i] = 1 for the files that failed (their
 * samples zeroed), 0 for the others.  0, or -1 with the message set: an
 * index past d->n, IMGPOOL_QUEUE batches already queued, no memory.
 */
int imgpool_submit(struct imgpool *p, const uint32_t *idx, size_t n,
    uint8_t *out, uint8_t *bad);

/*
 * Wait until the oldest submitted batch is decoded; *nbad (if not NULL)
 * gets the number of its files that failed.  0 if none did; -1 if some
 * did, with the message of the first of them in batch order set
 * ("ROOT/CLASS/FILE: what"), or if no batch was submitted.
 */
int imgpool_wait(struct imgpool *p, size_t *nbad);

/*
 * imgpool_wait without setting the message of a failed file: msg
 * (IMG_MSGMAX bytes) gets it, "" if none failed (data.skip_bad decides
 * whether a failure is an error).  -1 (message set) only if no batch was
 * submitted.
 */
int imgpool_take(struct imgpool *p, size_t *nbad, char *msg);

/* Stop the workers (batches still queued are dropped, the images being
 * decoded finished first) and free p; NULL is allowed. */
void imgpool_free(struct imgpool *p);

#endif
