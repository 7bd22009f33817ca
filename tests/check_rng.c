/*
 * check_rng.c - the per-replicate streams: the documented mixing function
 * (known answers computed by an independent Python implementation of
 * docs/model.md's formula), determinism, and distinct streams.
 */
#include <math.h>
#include <stdlib.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>

#include "tw_rng.h"
#include "tw_tests.h"

START_TEST(test_mix_known_answers)
{
    /* sm(sm(sm(S) ^ s) ^ k) with splitmix64, from Python:
     * mix(0,0,0) = 0x238275bc38fcbe91, mix(20251126,1,7) = 0xce7e2f4cd4116b4c */
    ck_assert_uint_eq(tw_rng_mix(0, 0, 0), UINT64_C(0x238275bc38fcbe91));
    ck_assert_uint_eq(tw_rng_mix(20251126, 1, 7),
                      UINT64_C(0xce7e2f4cd4116b4c));
}
END_TEST

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

START_TEST(test_mix_distinct)
{
    /* 3 scenarios x 20000 replicates: no two keys equal. */
    enum { S = 3, R = 20000 };
    uint64_t *k = malloc(S * R * sizeof *k);
    ck_assert_ptr_nonnull(k);
    for (uint32_t s = 0; s < S; s++)
        for (uint64_t r = 0; r < R; r++)
            k[s * R + r] = tw_rng_mix(42, s, r);
    qsort(k, S * R, sizeof *k, cmp_u64);
    for (size_t i = 1; i < S * R; i++)
        ck_assert_uint_ne(k[i], k[i - 1]);
    free(k);
}
END_TEST

START_TEST(test_streams_deterministic_and_distinct)
{
    gsl_rng *a = tw_rng_alloc(), *b = tw_rng_alloc();
    tw_rng_seed(a, 99, 0, 5);
    tw_rng_seed(b, 99, 0, 5);
    for (int i = 0; i < 2000; i++)
        ck_assert_uint_eq(gsl_rng_get(a), gsl_rng_get(b));
    /* neighbouring replicates, scenarios and seeds start differently */
    const uint64_t other[][3] = {{99, 0, 6}, {99, 1, 5}, {100, 0, 5}};
    for (size_t o = 0; o < 3; o++) {
        tw_rng_seed(a, 99, 0, 5);
        tw_rng_seed(b, other[o][0], (uint32_t)other[o][1], other[o][2]);
        int same = 0;
        for (int i = 0; i < 100; i++)
            same += gsl_rng_get(a) == gsl_rng_get(b);
        ck_assert_int_lt(same, 3);
    }
    /* re-seeding resets the stream */
    tw_rng_seed(a, 7, 0, 0);
    unsigned long first = gsl_rng_get(a);
    gsl_rng_get(a);
    tw_rng_seed(a, 7, 0, 0);
    ck_assert_uint_eq(gsl_rng_get(a), first);
    gsl_rng_free(a);
    gsl_rng_free(b);
}
END_TEST

START_TEST(test_uniform_mean)
{
    /* Mean of n uniforms: SE = sqrt(1/12/n). Tolerance k standard errors
     * with k = Qinv(1e-6/2): a false alarm in fewer than 1 in 10^6 seeds. */
    enum { N = 200000 };
    gsl_rng *r = tw_rng_alloc();
    tw_rng_seed(r, 2025, 0, 0);
    double sum = 0;
    for (int i = 0; i < N; i++)
        sum += gsl_rng_uniform(r);
    double k = gsl_cdf_ugaussian_Qinv(1e-6 / 2);
    ck_assert_double_le(fabs(sum / N - 0.5), k * sqrt(1.0 / 12.0 / N));
    gsl_rng_free(r);
}
END_TEST

/* GSL's MT19937 state (gsl/rng/mt.c), to start GSL's own generator from
 * the state of ours. */
typedef struct {
    unsigned long mt[TW_MT_N];
    int mti;
} gsl_mt_state;

/* A GSL mt19937 generator in the state of r (a tw_rng_mt19937). */
static gsl_rng *gsl_twin(const gsl_rng *r)
{
    gsl_rng *g = gsl_rng_alloc(gsl_rng_mt19937);
    ck_assert_ptr_nonnull(g);
    ck_assert_uint_eq(gsl_rng_size(g), sizeof(gsl_mt_state));
    const tw_mt_state *a = r->state;
    gsl_mt_state *b = g->state;
    for (int i = 0; i < TW_MT_N; i++)
        b->mt[i] = a->mt[i];
    b->mti = (int)a->mti;
    return g;
}

START_TEST(test_same_stream_as_gsl)
{
    /* tw_rng_mt19937 must be GSL's MT19937, number for number: words,
     * uniforms, bounded integers (including the rejection of the top
     * values) and shuffles, from the replicate seeding and from
     * gsl_rng_set. Exact equality: there is no tolerance. */
    gsl_rng *r = tw_rng_alloc();
    tw_rng_seed(r, 20180323, 2, 77);
    gsl_rng *g = gsl_twin(r);
    for (int i = 0; i < 3 * TW_MT_N + 5; i++)
        ck_assert_uint_eq(tw_rng_u32(r), gsl_rng_get(g));
    for (int i = 0; i < 5000; i++)
        ck_assert(tw_rng_u01(r) == gsl_rng_uniform(g));
    for (unsigned long n = 1; n <= TW_RNG_SMALL + 1; n++)
        for (int i = 0; i < 500; i++)
            ck_assert_uint_eq(tw_rng_uint(r, n), gsl_rng_uniform_int(g, n));
    const unsigned long ns[] = {1, 2, 3, 7, 12, 1000, 0x7fffffffUL,
                                0x80000001UL, 0xfffffffeUL, 0xffffffffUL};
    for (size_t j = 0; j < sizeof ns / sizeof ns[0]; j++)
        for (int i = 0; i < 2000; i++)
            ck_assert_uint_eq(tw_rng_uint(r, ns[j]),
                              gsl_rng_uniform_int(g, ns[j]));
    uint32_t a[97], b[97];
    for (int i = 0; i < 97; i++)
        a[i] = b[i] = (uint32_t)i;
    for (int rep = 0; rep < 50; rep++) {
        tw_rng_shuffle(r, a, 97);
        gsl_ran_shuffle(g, b, 97, sizeof b[0]);
        for (int i = 0; i < 97; i++)
            ck_assert_uint_eq(a[i], b[i]);
    }
    /* GSL's own seeding, through the type's set() */
    const unsigned long seeds[] = {0, 1, 4357, 123456789UL};
    for (size_t j = 0; j < 4; j++) {
        gsl_rng_set(r, seeds[j]);
        gsl_rng_set(g, seeds[j]);
        for (int i = 0; i < 2 * TW_MT_N; i++)
            ck_assert_uint_eq(gsl_rng_get(r), gsl_rng_get(g));
    }
    gsl_rng_free(r);
    gsl_rng_free(g);
}
END_TEST

START_TEST(test_small_divisors)
{
    /* The table's multiplications divide exactly, for every n: at the
     * words where the quotient changes (each multiple of scale and the
     * word below it), at the extremes, and at every 65521st word. Exact:
     * no tolerance. */
    uint64_t checked = 0, wrong = 0;
    for (uint32_t n = 1; n <= TW_RNG_SMALL; n++) {
        const tw_rng_divisor *d = &tw_rng_small[n];
        ck_assert_uint_eq(d->scale, 0xffffffffu / n);
        uint64_t edge[] = {0, 1, 0xfffffffeu, 0xffffffffu};
        for (size_t i = 0; i < 4; i++, checked++)
            wrong += (uint32_t)(((unsigned __int128)d->magic * edge[i]) >>
                                64) != edge[i] / d->scale;
        for (uint64_t q = 1; q * d->scale <= 0xffffffffu; q++)
            for (uint64_t v = q * d->scale - 1; v <= q * d->scale;
                 v++, checked++)
                wrong += (uint32_t)(((unsigned __int128)d->magic * v) >>
                                    64) != v / d->scale;
        for (uint64_t v = 0; v <= 0xffffffffu; v += 65521, checked++)
            wrong += (uint32_t)(((unsigned __int128)d->magic * v) >> 64) !=
                     v / d->scale;
    }
    ck_assert_uint_gt(checked, 4000000);
    ck_assert_uint_eq(wrong, 0);
}
END_TEST

START_TEST(test_draw_count)
{
    /* tw_rng_draws counts the 32-bit words drawn since seeding, across
     * block refills and through GSL's own functions */
    gsl_rng *r = tw_rng_alloc();
    tw_rng_seed(r, 5, 0, 1);
    ck_assert_uint_eq(tw_rng_draws(r), 0);
    for (int i = 0; i < 1000; i++)
        tw_rng_u01(r);
    ck_assert_uint_eq(tw_rng_draws(r), 1000);
    for (int i = 0; i < 700; i++)
        gsl_rng_uniform(r);
    ck_assert_uint_eq(tw_rng_draws(r), 1700);
    tw_rng_seed(r, 5, 0, 1);
    ck_assert_uint_eq(tw_rng_draws(r), 0);
    gsl_rng_free(r);
}
END_TEST

/* tw_skip against its definition: each group's trials are independent
 * Bernoulli(p). Three groups of different p share one stream, trial by
 * trial in turn, with a foreign draw between (as the processes do). For
 * each group: the successes S of n trials, and the adjacent pairs of
 * successes P (trials i and i+1 of the group both succeed), which a gap
 * off by one or gaps that depend on each other would move. E[S] = n p,
 * Var S = n p (1-p); E[P] = (n-1) p^2, Var P = (n-1) p^2 (1-p^2) +
 * 2 (n-2) (p^3 - p^4). Each is checked within k standard deviations,
 * k = Qinv(1e-6 / (2 m)) for the m = 12 comparisons: a correct tw_skip
 * fails with probability below 1e-6 for a random seed. Gap mode (p <
 * TW_SKIP_DIRECT) and direct mode are both covered. */
START_TEST(test_skip_bernoulli)
{
    const double ps[2][3] = {{0.002, 0.03, 0.12}, {0.2, 0.6, 0.05}};
    const double k = gsl_cdf_ugaussian_Qinv(1e-6 / (2.0 * 12));
    const long n = 1000000;
    gsl_rng *r = tw_rng_alloc();
    ck_assert_ptr_nonnull(r);
    for (int set = 0; set < 2; set++) {
        tw_rng_seed(r, 99, 0, (uint64_t)set);
        tw_skip g[3];
        double succ[3] = {0}, pairs[3] = {0};
        int last[3] = {0};
        for (int j = 0; j < 3; j++)
            tw_skip_init(&g[j], r, ps[set][j]);
        for (long i = 0; i < n; i++)
            for (int j = 0; j < 3; j++) {
                int x = tw_skip_next(&g[j], r);
                succ[j] += x;
                pairs[j] += x & last[j];
                last[j] = x;
                if ((i + j) % 7 == 0)
                    (void)tw_rng_u32(r); /* another process's draw */
            }
        for (int j = 0; j < 3; j++) {
            double p = ps[set][j], nn = (double)n;
            double sd = sqrt(nn * p * (1 - p));
            ck_assert_msg(fabs(succ[j] - nn * p) <= k * sd,
                          "p=%g: %g successes, expected %g +- %g", p,
                          succ[j], nn * p, k * sd);
            double ep = (nn - 1) * p * p;
            double vp = (nn - 1) * p * p * (1 - p * p) +
                        2 * (nn - 2) * (p * p * p - p * p * p * p);
            ck_assert_msg(fabs(pairs[j] - ep) <= k * sqrt(vp),
                          "p=%g: %g pairs, expected %g +- %g", p, pairs[j],
                          ep, k * sqrt(vp));
        }
    }
    gsl_rng_free(r);
}
END_TEST

/* p <= 0 never succeeds and p >= 1 always does, neither drawing. */
START_TEST(test_skip_certain)
{
    gsl_rng *r = tw_rng_alloc();
    ck_assert_ptr_nonnull(r);
    tw_rng_seed(r, 1, 0, 0);
    tw_skip never, always, neg;
    tw_skip_init(&never, r, 0.0);
    tw_skip_init(&always, r, 1.0);
    tw_skip_init(&neg, r, -0.5);
    for (int i = 0; i < 100000; i++) {
        ck_assert_int_eq(tw_skip_next(&never, r), 0);
        ck_assert_int_eq(tw_skip_next(&always, r), 1);
        ck_assert_int_eq(tw_skip_next(&neg, r), 0);
    }
    ck_assert_uint_eq(tw_rng_draws(r), 0);
    gsl_rng_free(r);
}
END_TEST

Suite *rng_suite(void)
{
    Suite *s = suite_create("rng");
    TCase *tc = tcase_create("streams");
    tcase_add_test(tc, test_mix_known_answers);
    tcase_add_test(tc, test_mix_distinct);
    tcase_add_test(tc, test_streams_deterministic_and_distinct);
    tcase_add_test(tc, test_uniform_mean);
    tcase_add_test(tc, test_same_stream_as_gsl);
    tcase_add_test(tc, test_draw_count);
    tcase_add_test(tc, test_small_divisors);
    tcase_add_test(tc, test_skip_bernoulli);
    tcase_add_test(tc, test_skip_certain);
    suite_add_tcase(s, tc);
    return s;
}
