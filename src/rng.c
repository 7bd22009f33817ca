/* rng.c - per-replicate GSL streams (see tw_rng.h for the scheme). */
#include "tw_rng.h"

#include <string.h>

/* Layout of GSL's MT19937 state (gsl/rng/mt.c), stable since GSL 1.0. */
#define MT_N 624
typedef struct {
    unsigned long mt[MT_N];
    int mti;
} mt_state;

static uint64_t splitmix64_next(uint64_t *x)
{
    uint64_t z = (*x += UINT64_C(0x9E3779B97F4A7C15));
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

static uint64_t sm(uint64_t x)
{
    return splitmix64_next(&x);
}

uint64_t tw_rng_mix(uint64_t seed, uint32_t scenario, uint64_t rep)
{
    return sm(sm(sm(seed) ^ (uint64_t)scenario) ^ rep);
}

gsl_rng *tw_rng_alloc(void)
{
    return gsl_rng_alloc(gsl_rng_mt19937);
}

void tw_rng_seed(gsl_rng *r, uint64_t seed, uint32_t scenario, uint64_t rep)
{
    uint64_t key = tw_rng_mix(seed, scenario, rep);
    /* Always valid: GSL's own seeding from the low 32 bits. */
    gsl_rng_set(r, (unsigned long)(key & 0xffffffffu));
    if (strcmp(gsl_rng_name(r), "mt19937") != 0 ||
        gsl_rng_size(r) != sizeof(mt_state))
        return;
    /* Full-width seeding: 624 words from splitmix64(key); mti = N makes the
     * next draw regenerate the block. Only the top bit of mt[0] enters the
     * recurrence; setting it rules out the all-zero state, as MT's
     * reference init_by_array() does. */
    mt_state *st = gsl_rng_state(r);
    uint64_t x = key;
    for (int i = 0; i < MT_N; i++)
        st->mt[i] = (unsigned long)(splitmix64_next(&x) & 0xffffffffu);
    st->mt[0] |= 0x80000000UL;
    st->mti = MT_N;
}
