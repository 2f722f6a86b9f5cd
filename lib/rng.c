/* rng.c - xoshiro256** (Blackman and Vigna) seeded by splitmix64. */
#include <math.h>
#include <stdint.h>

#include "rng.h"

static uint64_t
splitmix64(uint64_t *x)
{
	uint64_t z;

	z = (*x += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint64_t
rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

void
rng_seed(struct rng *g, uint64_t seed)
{
	int i;

	for (i = 0; i < 4; i++)
		g->s[i] = splitmix64(&seed);
}

uint64_t
rng_next(struct rng *g)
{
	uint64_t *s, r, t;

	s = g->s;
	r = rotl(s[1] * 5, 7) * 9;
	t = s[1] << 17;
	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return r;
}

double
rng_uniform(struct rng *g)
{
	return (double)(rng_next(g) >> 11) * 0x1.0p-53;
}

uint64_t
rng_below(struct rng *g, uint64_t n)
{
	uint64_t x, lim;

	lim = -n % n;		/* 2^64 mod n: values below it are biased */
	do
		x = rng_next(g);
	while (x < lim);
	return x % n;
}

double
rng_normal(struct rng *g)
{
	double u, v;

	do
		u = rng_uniform(g);
	while (u == 0);
	v = rng_uniform(g);
	return sqrt(-2 * log(u)) * cos(6.283185307179586476925 * v);
}

void
rng_shuffle(struct rng *g, uint32_t *idx, uint64_t n)
{
	uint64_t i, j;
	uint32_t t;

	for (i = n; i > 1; i--) {
		j = rng_below(g, i);
		t = idx[i - 1];
		idx[i - 1] = idx[j];
		idx[j] = t;
	}
}
