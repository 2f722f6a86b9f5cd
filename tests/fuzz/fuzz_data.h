/*
 * fuzz_data.h - what the IDX and CSV harnesses do with a dataset that
 * loaded: check its promises, then split, standardize, draw batches and
 * describe it, as lrf-train would.
 */
#ifndef LRF_FUZZ_DATA_H
#define LRF_FUZZ_DATA_H

#include <math.h>
#include <string.h>

#include "data.h"
#include "fuzz.h"

static void
fuzz_use(struct dataset *ds, const struct cfg_data *cd)
{
	struct split sp;
	struct batcher it;
	char desc[DATA_DESCMAX];
	float *x;
	int32_t y[4];
	float t[4];
	size_t i, nv;
	int k;

	fuzz_assert(ds->n > 0 && ds->d > 0);
	fuzz_assert((size_t)(ds->shape[0] * ds->shape[1] * ds->shape[2]) ==
	    ds->d);
	if (ds->task == TASK_CLASSIFICATION) {
		fuzz_assert(ds->y != NULL && ds->nclasses > 0 &&
		    ds->nclasses <= CFG_MAXCLASSES);
		for (i = 0; i < ds->n; i++)
			fuzz_assert(ds->y[i] >= 0 && ds->y[i] < ds->nclasses);
	} else {
		fuzz_assert(ds->t != NULL && ds->nclasses == 0);
		for (i = 0; i < ds->n; i++)
			fuzz_assert(isfinite(ds->t[i]));
	}
	if (ds->x != NULL)
		for (i = 0; i < ds->n * ds->d; i++)
			fuzz_assert(isfinite(ds->x[i]));
	k = data_describe(desc, sizeof(desc), ds, NULL);
	fuzz_assert(k > 0 && (size_t)k < sizeof(desc));
	k = data_classmap(desc, sizeof(desc), ds);
	fuzz_assert(k > 0 && (size_t)k < sizeof(desc));
	if (ds->classname != NULL) {	/* CSV labels that are names */
		for (i = 0; i < (size_t)ds->nclasses; i++)
			fuzz_assert(ds->classname[i] != NULL &&
			    (i == 0 || strcmp(ds->classname[i - 1],
			    ds->classname[i]) < 0));
		k = data_classnames(NULL, 0, ds);
		fuzz_assert(k > 0 && data_classnames(desc, 1, ds) == k);
	}

	if (data_split(ds, ds->n < 3 ? (long)ds->n : 3, 1 % ds->n, 7, &sp) < 0) {
		fuzz_assert(fuzz_msg_ok("data.fold"));
		return;
	}
	data_valsubset(&sp, 5, 7);
	if ((x = malloc(ds->d * 8 * sizeof(*x))) == NULL)
		abort();
	nv = sp.nval < 8 ? sp.nval : 8;
	data_gather(ds, sp.val, nv, x, NULL, NULL);
	if (sp.ntrain > 0 && data_batcher_init(&it, ds, &sp, 7) == 0) {
		for (k = 0; k < 3; k++) {
			data_batch(&it, x, ds->task == TASK_CLASSIFICATION ?
			    y : NULL, ds->task == TASK_REGRESSION ? t : NULL,
			    4);
			if (ds->task == TASK_CLASSIFICATION)
				for (i = 0; i < 4; i++)
					fuzz_assert(y[i] >= 0 &&
					    y[i] < ds->nclasses);
			for (i = 0; i < 4 * ds->d; i++)
				fuzz_assert(isfinite(x[i]));
		}
		data_batcher_free(&it);
	}
	k = data_describe(desc, sizeof(desc), ds, &sp);
	fuzz_assert(k > 0 && (size_t)k < sizeof(desc));
	free(x);
	data_split_free(&sp);
	(void)cd;
}

#endif
