/* rng.c - per-replicate streams (see tw_rng.h for the scheme) and the
 * tw_rng_mt19937 generator type. */
#include "tw_rng.h"

#include <string.h>

#define MT_M 397
#define MT_UPPER 0x80000000u
#define MT_LOWER 0x7fffffffu
#define MT_MATRIX 0x9908b0dfu

/* tw_rng_small: computed by the compiler (unsigned __int128 constants) */
#define SCALE(n) (0xffffffffu / (n))
#define D(n)                                                               \
    {SCALE(n), (uint64_t)((((unsigned __int128)1 << 64) + SCALE(n) - 1) /   \
                          SCALE(n))}
const tw_rng_divisor tw_rng_small[TW_RNG_SMALL + 1] = {
    {0, 0},
    D(1),
    D(2),
    D(3),
    D(4),
    D(5),
    D(6),
    D(7),
    D(8),
    D(9),
    D(10),
    D(11),
    D(12),
    D(13),
    D(14),
    D(15),
    D(16),
    D(17),
    D(18),
    D(19),
    D(20),
    D(21),
    D(22),
    D(23),
    D(24),
    D(25),
    D(26),
    D(27),
    D(28),
    D(29),
    D(30),
    D(31),
    D(32),
    D(33),
    D(34),
    D(35),
    D(36),
    D(37),
    D(38),
    D(39),
    D(40),
    D(41),
    D(42),
    D(43),
    D(44),
    D(45),
    D(46),
    D(47),
    D(48),
    D(49),
    D(50),
    D(51),
    D(52),
    D(53),
    D(54),
    D(55),
    D(56),
    D(57),
    D(58),
    D(59),
    D(60),
    D(61),
    D(62),
    D(63),
    D(64)};
#undef D
#undef SCALE

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

static inline uint32_t twist(uint32_t u, uint32_t v, uint32_t w)
{
    uint32_t y = (u & MT_UPPER) | (v & MT_LOWER);
    return w ^ (y >> 1) ^ ((y & 1u) ? MT_MATRIX : 0u);
}

/* The recurrence of GSL's mt.c (Matsumoto and Nishimura's genrand), on
 * 32-bit words. */
void tw_rng_refill(tw_mt_state *st)
{
    uint32_t *mt = st->mt;
    int k;
    for (k = 0; k < TW_MT_N - MT_M; k++)
        mt[k] = twist(mt[k], mt[k + 1], mt[k + MT_M]);
    for (; k < TW_MT_N - 1; k++)
        mt[k] = twist(mt[k], mt[k + 1], mt[k + (MT_M - TW_MT_N)]);
    mt[TW_MT_N - 1] = twist(mt[TW_MT_N - 1], mt[0], mt[MT_M - 1]);
    st->mti = 0;
    st->blocks++;
}

/* gsl_rng_type callbacks */

/* GSL's mt19937 seeding (the 2002 reference init_genrand; seed 0 means
 * 4357), for gsl_rng_set() on this type. */
static void mt_set(void *vstate, unsigned long seed)
{
    tw_mt_state *st = vstate;
    if (seed == 0)
        seed = 4357;
    st->mt[0] = (uint32_t)(seed & 0xffffffffUL);
    for (uint32_t i = 1; i < TW_MT_N; i++)
        st->mt[i] = 1812433253u * (st->mt[i - 1] ^ (st->mt[i - 1] >> 30)) + i;
    st->mti = TW_MT_N;
    st->blocks = 0;
}

static unsigned long mt_get(void *vstate)
{
    gsl_rng r = {.type = NULL, .state = vstate};
    return tw_rng_u32(&r);
}

static double mt_get_double(void *vstate)
{
    return (double)mt_get(vstate) / 4294967296.0;
}

static const gsl_rng_type mt_type = {
    "twsim-mt19937", 0xffffffffUL, 0, sizeof(tw_mt_state),
    mt_set, mt_get, mt_get_double};

const gsl_rng_type *tw_rng_mt19937 = &mt_type;

gsl_rng *tw_rng_alloc(void)
{
    return gsl_rng_alloc(tw_rng_mt19937);
}

void tw_rng_seed(gsl_rng *r, uint64_t seed, uint32_t scenario, uint64_t rep)
{
    /* Full-width seeding: 624 words from splitmix64(key); mti = N makes the
     * next draw regenerate the block. Only the top bit of mt[0] enters the
     * recurrence; setting it rules out the all-zero state, as MT's
     * reference init_by_array() does. */
    tw_mt_state *st = gsl_rng_state(r);
    uint64_t x = tw_rng_mix(seed, scenario, rep);
    for (int i = 0; i < TW_MT_N; i++)
        st->mt[i] = (uint32_t)(splitmix64_next(&x) & 0xffffffffu);
    st->mt[0] |= MT_UPPER;
    st->mti = TW_MT_N;
    st->blocks = 0;
}
