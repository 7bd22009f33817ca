/*
 * tw_rng.h - one GSL random stream per replicate.
 *
 * Replicate k of scenario s in a run with master seed S draws every random
 * number from its own gsl_rng (MT19937), whose state is derived from
 * (S, s, k) alone by tw_rng_mix(). A replicate's trajectory therefore does
 * not depend on how many replicates the run has, in which order they run,
 * or on which thread or rank; and replicate k of every scenario starts from
 * the same stream (common random numbers).
 *
 * The mixing function (docs/model.md, "Random streams"):
 *
 *   sm(x)  = splitmix64 finaliser of (x + 0x9E3779B97F4A7C15)
 *   key    = sm(sm(sm(S) ^ s) ^ k)
 *
 * GSL's own gsl_rng_set() keeps only 32 bits of a seed, which would make two
 * of 10,000 replicates share a stream with probability ~1%. So the 624
 * words of MT19937 state are filled from a splitmix64 sequence started at
 * `key` instead: distinct keys give distinct streams, and keys collide
 * only with probability ~n^2 / 2^65.
 */
#ifndef TW_RNG_H
#define TW_RNG_H

#include <stdint.h>

#include <gsl/gsl_rng.h>

/* The key of replicate `rep` of scenario `scenario` (see above). */
uint64_t tw_rng_mix(uint64_t seed, uint32_t scenario, uint64_t rep);

/* A new MT19937 generator; NULL when memory runs out. Free with
 * gsl_rng_free(). */
gsl_rng *tw_rng_alloc(void);

/* Put `r` at the start of the stream of (seed, scenario, rep). */
void tw_rng_seed(gsl_rng *r, uint64_t seed, uint32_t scenario, uint64_t rep);

#endif /* TW_RNG_H */
