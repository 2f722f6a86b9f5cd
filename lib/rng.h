/*
 * rng.h - explicit, seeded random numbers: xoshiro256** seeded through
 * splitmix64.  No hidden state: every stream is a struct rng the caller
 * owns, so the same seed gives the same numbers on every machine.
 */
#ifndef LRF_RNG_H
#define LRF_RNG_H

#include <stdint.h>

struct rng {
	uint64_t s[4];
};

/* Seed a generator; different seeds give independent-looking streams. */
void rng_seed(struct rng *g, uint64_t seed);

/* The next 64 random bits. */
uint64_t rng_next(struct rng *g);

/* Uniform in [0, 1), 53 bits. */
double rng_uniform(struct rng *g);

/* Uniform integer in [0, n), n > 0, without modulo bias. */
uint64_t rng_below(struct rng *g, uint64_t n);

/* Standard normal (Box-Muller; one value per call, the pair's other half
 * is discarded so the stream position is simple to reason about). */
double rng_normal(struct rng *g);

/* Fisher-Yates shuffle of n indices. */
void rng_shuffle(struct rng *g, uint32_t *idx, uint64_t n);

#endif
