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
 *
 * The generator type, tw_rng_mt19937, is a gsl_rng_type: every GSL
 * function (gsl_ran_*, gsl_rng_uniform_int) accepts it, and it produces
 * exactly the stream of GSL's gsl_rng_mt19937 from the same state
 * (tests/check_rng.c compares them). What it adds is speed in the hot
 * loops: tw_rng_u01() and tw_rng_uint() are inline and read the state
 * directly, where gsl_rng_uniform() makes two indirect calls per number;
 * and a count of the numbers drawn (tw_rng_draws), which the benchmark
 * uses.
 */
#ifndef TW_RNG_H
#define TW_RNG_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>

#include <gsl/gsl_rng.h>

#define TW_MT_N 624

/* State of a tw_rng_mt19937 generator (gsl_rng.state). */
typedef struct tw_mt_state {
    uint32_t mt[TW_MT_N];
    uint32_t mti;       /* next word of mt[] to use; TW_MT_N: regenerate */
    uint64_t blocks;    /* blocks of TW_MT_N words generated since seeding */
} tw_mt_state;

/* MT19937 with GSL's output, as a GSL generator type ("twsim-mt19937"). */
extern const gsl_rng_type *tw_rng_mt19937;

/* The key of replicate `rep` of scenario `scenario` (see above). */
uint64_t tw_rng_mix(uint64_t seed, uint32_t scenario, uint64_t rep);

/* A new tw_rng_mt19937 generator; NULL when memory runs out. Free with
 * gsl_rng_free(). */
gsl_rng *tw_rng_alloc(void);

/* Put `r` (from tw_rng_alloc) at the start of the stream of (seed,
 * scenario, rep). */
void tw_rng_seed(gsl_rng *r, uint64_t seed, uint32_t scenario, uint64_t rep);

/* Generate the next block of TW_MT_N words (the MT19937 recurrence). */
void tw_rng_refill(tw_mt_state *st);

/* The next 32-bit word of r (a tw_rng_mt19937 generator): the same as
 * gsl_rng_get(r). */
static inline uint32_t tw_rng_u32(gsl_rng *r)
{
    tw_mt_state *st = (tw_mt_state *)r->state;
    if (st->mti >= TW_MT_N)
        tw_rng_refill(st);
    uint32_t y = st->mt[st->mti++];
    y ^= y >> 11;
    y ^= (y << 7) & 0x9d2c5680u;
    y ^= (y << 15) & 0xefc60000u;
    y ^= y >> 18;
    return y;
}

/* Uniform on [0, 1): the same as gsl_rng_uniform(r). */
static inline double tw_rng_u01(gsl_rng *r)
{
    return tw_rng_u32(r) / 4294967296.0;
}

/* Divisors of GSL's method for n = 1 .. TW_RNG_SMALL (see tw_rng_uint):
 * scale = (2^32 - 1) / n, and magic = ceil(2^64 / scale), with which
 * (magic * w) >> 64 == w / scale for every 32-bit w (Lemire, Kaser and
 * Kurz 2019, "Faster remainder by direct computation"). Entry 0 unused. */
#define TW_RNG_SMALL 64
typedef struct tw_rng_divisor {
    uint32_t scale;
    uint64_t magic;
} tw_rng_divisor;
extern const tw_rng_divisor tw_rng_small[TW_RNG_SMALL + 1];

/* Uniform integer on 0 .. n-1 (1 <= n <= 2^32 - 1): the same numbers, and
 * the same words consumed, as gsl_rng_uniform_int(r, n). */
static inline unsigned long tw_rng_uint(gsl_rng *r, unsigned long n)
{
    /* GSL's method: k = word / (range / n), rejecting k >= n. Every
     * operand fits in 32 bits; for small n (ages, months, years in post)
     * the two divisions come from the table, as a multiplication */
    uint32_t n32 = (uint32_t)n, k;
    if (n32 <= TW_RNG_SMALL) {
        uint64_t magic = tw_rng_small[n32].magic;
        do
            k = (uint32_t)(((unsigned __int128)magic * tw_rng_u32(r)) >> 64);
        while (k >= n32);
        return k;
    }
    uint32_t scale = 0xffffffffu / n32;
    do
        k = tw_rng_u32(r) / scale;
    while (k >= n32);
    return k;
}

/* Shuffle v[0..n) uniformly: the same permutation, from the same words,
 * as gsl_ran_shuffle(r, v, n, sizeof *v). */
static inline void tw_rng_shuffle(gsl_rng *r, uint32_t *v, size_t n)
{
    for (size_t i = n > 0 ? n - 1 : 0; i > 0; i--) {
        size_t j = tw_rng_uint(r, i + 1);
        uint32_t t = v[i];
        v[i] = v[j];
        v[j] = t;
    }
}

/*
 * Skipping what cannot happen: the Bernoulli(p) trials of one homogeneous
 * group (teachers who face the same probability p this year), drawn as
 * the gap to the next success instead of one uniform per trial.
 *
 *   trials:  F F F F S F F S F ...        one tw_skip_next() per trial
 *   gaps:    G1 = 4   G2 = 2   ...        one draw per success
 *
 * G = floor(log(V) / log(1 - p)) with V = 1 - U uniform on (0, 1] has
 * P(G >= k) = P(V <= (1 - p)^k) = (1 - p)^k: G is the number of failures
 * before the first success of independent Bernoulli(p) trials, and the
 * gaps after each success are independent of each other and of the past
 * (each is a fresh uniform). So the successes have exactly the joint
 * distribution of one uniform per trial, whatever else draws from the
 * same stream between trials; only which words of the stream decide
 * which trial changes. Groups of different p keep separate tw_skip
 * states (one per group), which is the same as one coin per teacher
 * with that teacher's p.
 *
 * A gap costs a log; for p >= TW_SKIP_DIRECT one uniform per trial is
 * cheaper, and tw_skip draws that instead (the same distribution). No
 * draw at all when p <= 0 (never) or p >= 1 (always).
 */
#define TW_SKIP_DIRECT 0.15

typedef struct tw_skip {
    uint64_t left; /* failures before the next success (gap mode) */
    double p;      /* success probability */
    double lq;     /* log(1 - p) < 0 in gap mode; 0 when p <= 0 */
    int direct;    /* 1: one uniform per trial */
} tw_skip;

/* A gap: failures before the next success, for lq = log(1 - p) < 0. */
static inline uint64_t tw_skip_gap(gsl_rng *r, double lq)
{
    if (lq == -INFINITY)
        return 0; /* p >= 1: no draw */
    double g = floor(log(1.0 - tw_rng_u01(r)) / lq);
    return g < 1.8e19 ? (uint64_t)g : UINT64_MAX;
}

/* Start the trials of a group with success probability p (draws the
 * first gap in gap mode; in direct mode `left` stays 0, so that every
 * trial takes the slow path of tw_skip_next). */
static inline void tw_skip_init(tw_skip *k, gsl_rng *r, double p)
{
    k->p = p;
    k->direct = p >= TW_SKIP_DIRECT && p < 1.0;
    k->lq = p <= 0.0 ? 0.0 : p >= 1.0 ? -INFINITY : log1p(-p);
    k->left = p <= 0.0 ? UINT64_MAX
              : k->direct ? 0
                          : tw_skip_gap(r, k->lq);
}

/* The next trial of the group: 1 on a success. The common case, a
 * failure inside a gap, is one decrement. */
static inline int tw_skip_next(tw_skip *k, gsl_rng *r)
{
    if (k->left > 0) {
        k->left--;
        return 0;
    }
    if (k->direct)
        return tw_rng_u01(r) < k->p;
    if (k->lq == 0.0) { /* p <= 0: never, after 2^64 trials either */
        k->left = UINT64_MAX;
        return 0;
    }
    k->left = tw_skip_gap(r, k->lq);
    return 1;
}

/* 32-bit words drawn from r since it was last seeded. */
static inline uint64_t tw_rng_draws(const gsl_rng *r)
{
    const tw_mt_state *st = (const tw_mt_state *)r->state;
    return st->blocks * TW_MT_N + st->mti - TW_MT_N;
}

#endif /* TW_RNG_H */
