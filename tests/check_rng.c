/*
 * check_rng.c - the per-replicate streams: the documented mixing function
 * (known answers computed by an independent Python implementation of
 * docs/model.md's formula), determinism, and distinct streams.
 */
#include <math.h>
#include <stdlib.h>

#include <gsl/gsl_cdf.h>

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

Suite *rng_suite(void)
{
    Suite *s = suite_create("rng");
    TCase *tc = tcase_create("streams");
    tcase_add_test(tc, test_mix_known_answers);
    tcase_add_test(tc, test_mix_distinct);
    tcase_add_test(tc, test_streams_deterministic_and_distinct);
    tcase_add_test(tc, test_uniform_mean);
    suite_add_tcase(s, tc);
    return s;
}
