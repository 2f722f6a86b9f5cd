/*
 * synth.c - seeded synthetic datasets for tests and demos.
 *
 * blobs:   classes Gaussian clusters (std 1) around centres drawn
 *          uniformly in [-10, 10]^features (as scikit-learn's make_blobs).
 * spirals: classes interleaved 2-D spiral arms (radius 0 to 1, one and a
 *          half turns, 0.2 rad of angle noise), placed in features
 *          dimensions by a random orthonormal pair of directions.
 * linear:  x ~ N(0, I), s = w.x with a random unit vector w.  Regression:
 *          target s + N(0, 0.1^2).  Classification: classes equal-sized
 *          bands of s, separable by parallel hyperplanes.
 * Sample i belongs to class i mod classes (blobs, spirals).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "data.h"
#include "err.h"
#include "rng.h"

#define SEED_DATA	0x6461746100000000ULL	/* "data" */
#define PI		3.14159265358979323846

/* Fill v (d) with a random unit vector orthogonal to u (d) if u != NULL. */
static void
unitvec(struct rng *g, double *v, const double *u, size_t d)
{
	double dot, nrm;
	size_t j;

	do {
		for (j = 0; j < d; j++)
			v[j] = rng_normal(g);
		if (u != NULL) {
			dot = 0;
			for (j = 0; j < d; j++)
				dot += v[j] * u[j];
			for (j = 0; j < d; j++)
				v[j] -= dot * u[j];
		}
		nrm = 0;
		for (j = 0; j < d; j++)
			nrm += v[j] * v[j];
		nrm = sqrt(nrm);
	} while (nrm < 1e-6);
	for (j = 0; j < d; j++)
		v[j] /= nrm;
}

static int
cmp_score(const void *a, const void *b)
{
	const double *x = a, *y = b;

	return (x[0] > y[0]) - (x[0] < y[0]);
}

static int
blobs(struct rng *g, struct dataset *ds, size_t K)
{
	double *ctr;
	size_t i, j, n, d;

	n = ds->n;
	d = ds->d;
	if ((ctr = malloc(K * d * sizeof(*ctr))) == NULL)
		return err_set("data: out of memory");
	for (i = 0; i < K * d; i++)
		ctr[i] = -10 + 20 * rng_uniform(g);
	for (i = 0; i < n; i++) {
		ds->y[i] = i % K;
		for (j = 0; j < d; j++)
			ds->x[i * d + j] = ctr[(i % K) * d + j] +
			    rng_normal(g);
	}
	free(ctr);
	return 0;
}

static int
spirals(struct rng *g, struct dataset *ds, size_t K)
{
	double *u, *v, r, a, p, q;
	size_t i, j, k, m, n, d;

	n = ds->n;
	d = ds->d;
	if ((u = malloc(2 * d * sizeof(*u))) == NULL)
		return err_set("data: out of memory");
	v = u + d;
	unitvec(g, u, NULL, d);
	unitvec(g, v, u, d);
	for (i = 0; i < n; i++) {
		k = i % K;
		m = (n - k + K - 1) / K;	/* samples in arm k */
		r = (i / K + 0.5) / m;
		a = 2 * PI * k / K + 3 * PI * r + 0.2 * rng_normal(g);
		p = r * cos(a);
		q = r * sin(a);
		ds->y[i] = k;
		for (j = 0; j < d; j++)
			ds->x[i * d + j] = p * u[j] + q * v[j];
	}
	free(u);
	return 0;
}

static int
linear(struct rng *g, struct dataset *ds, size_t K)
{
	double *w, *s, dot;
	size_t i, j, n, d;

	n = ds->n;
	d = ds->d;
	w = malloc(d * sizeof(*w));
	s = malloc(2 * n * sizeof(*s));
	if (w == NULL || s == NULL) {
		free(w);
		free(s);
		return err_set("data: out of memory");
	}
	unitvec(g, w, NULL, d);
	for (i = 0; i < n; i++) {
		dot = 0;
		for (j = 0; j < d; j++) {
			ds->x[i * d + j] = rng_normal(g);
			dot += w[j] * ds->x[i * d + j];
		}
		if (ds->t != NULL)
			ds->t[i] = dot + 0.1 * rng_normal(g);
		s[2 * i] = dot;
		s[2 * i + 1] = i;
	}
	if (ds->y != NULL) {
		/* Rank by score; rank r is in band r * K / n. */
		qsort(s, n, 2 * sizeof(*s), cmp_score);
		for (i = 0; i < n; i++)
			ds->y[(size_t)s[2 * i + 1]] = i * K / n;
	}
	free(w);
	free(s);
	return 0;
}

int
data_load_synthetic(struct dataset *ds, const struct cfg_data *cd,
    uint64_t seed)
{
	struct rng g;
	size_t n, d, K, i;
	int r;

	if (cd->kind < SYN_BLOBS || cd->kind > SYN_LINEAR)
		return err_set("data.kind: unknown kind %d", cd->kind);
	if (cd->samples < 1)
		return err_set("data.samples: %ld is less than 1", cd->samples);
	if (cd->features < 1)
		return err_set("data.features: %ld is less than 1",
		    cd->features);
	if (cd->kind == SYN_SPIRALS && cd->features < 2)
		return err_set("data.features: spirals need at least 2");
	n = cd->samples;
	d = cd->features;
	if (n > DATA_MAXBYTES / sizeof(float) ||
	    d > DATA_MAXBYTES / sizeof(float) / n)
		return err_set("data.samples: %zu samples of %zu features "
		    "are more than the %zu-byte limit", n, d, DATA_MAXBYTES);
	K = 0;
	if (cd->task == TASK_REGRESSION) {
		if (cd->kind != SYN_LINEAR)
			return err_set("data.kind: %s makes classification "
			    "data, not regression", cfg_kind_names[cd->kind]);
	} else {
		if (cd->classes < 2 || cd->classes > CFG_MAXCLASSES)
			return err_set("data.classes: %ld is not in 2..%d",
			    cd->classes, CFG_MAXCLASSES);
		if ((size_t)cd->classes > n)
			return err_set("data.classes: %ld classes need at "
			    "least as many samples", cd->classes);
		K = cd->classes;
	}

	ds->n = n;
	ds->d = d;
	ds->shape[0] = d;
	ds->shape[1] = ds->shape[2] = 1;
	ds->nclasses = K;
	for (i = 0; i < K; i++)
		ds->classval[i] = i;
	ds->x = malloc(n * d * sizeof(*ds->x));
	if (K > 0)
		ds->y = malloc(n * sizeof(*ds->y));
	else
		ds->t = malloc(n * sizeof(*ds->t));
	if (ds->x == NULL || (ds->y == NULL && ds->t == NULL))
		return err_set("data: out of memory");

	rng_seed(&g, seed ^ SEED_DATA);
	switch (cd->kind) {
	case SYN_BLOBS:
		r = blobs(&g, ds, K);
		break;
	case SYN_SPIRALS:
		r = spirals(&g, ds, K);
		break;
	default:
		r = linear(&g, ds, K);
		break;
	}
	return r;
}
