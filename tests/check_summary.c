/*
 * check_summary.c - known-answer tests for tw_summary_compute, and the
 * same summaries computed in blocks of metrics (tw_summary_block).
 * Expected values were checked against numpy 1.24: mean, std(ddof=1) and
 * percentile(q) with the default ("linear") method.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tw_summary.h"
#include "tw_tests.h"

#define TOL 1e-12

/* 1..5 in scrambled order: mean 3, sd sqrt(2.5), p05 1.2, p50 3, p95 4.8. */
START_TEST(test_one_to_five)
{
    const double x[5] = { 4, 1, 5, 3, 2 };
    tw_summary s;
    tw_error err;
    tw_error_clear(&err);
    ck_assert_int_eq(tw_summary_compute(x, 5, 1, 1, &s, &err), TW_OK);
    ck_assert_uint_eq(s.n_years, 1);
    ck_assert_uint_eq(s.n_metrics, 1);
    ck_assert_double_eq_tol(s.mean[0], 3.0, TOL);
    ck_assert_double_eq_tol(s.sd[0], sqrt(2.5), TOL);
    ck_assert_double_eq_tol(s.p05[0], 1.2, TOL);
    ck_assert_double_eq_tol(s.p50[0], 3.0, TOL);
    ck_assert_double_eq_tol(s.p95[0], 4.8, TOL);
    tw_summary_free(&s);
    ck_assert_ptr_null(s.mean);
}
END_TEST

/* Even count: numpy gives mean 5.75, sd 3.5, p05 2.3, p50 5.5, p95 9.55. */
START_TEST(test_even_count)
{
    const double x[4] = { 10, 2, 7, 4 };
    tw_summary s;
    ck_assert_int_eq(tw_summary_compute(x, 4, 1, 1, &s, NULL), TW_OK);
    ck_assert_double_eq_tol(s.mean[0], 5.75, TOL);
    ck_assert_double_eq_tol(s.sd[0], 3.5, TOL);
    ck_assert_double_eq_tol(s.p05[0], 2.3, TOL);
    ck_assert_double_eq_tol(s.p50[0], 5.5, TOL);
    ck_assert_double_eq_tol(s.p95[0], 9.55, TOL);
    tw_summary_free(&s);
}
END_TEST

/* One replicate: sd 0 (not NaN), every quantile is the value itself. */
START_TEST(test_one_replicate)
{
    const double x[3] = { 7.5, -1.0, 0.0 }; /* 1 rep x 1 year x 3 metrics */
    tw_summary s;
    ck_assert_int_eq(tw_summary_compute(x, 1, 1, 3, &s, NULL), TW_OK);
    for (int m = 0; m < 3; m++) {
        ck_assert_double_eq(s.mean[m], x[m]);
        ck_assert_double_eq(s.sd[m], 0.0);
        ck_assert_double_eq(s.p05[m], x[m]);
        ck_assert_double_eq(s.p50[m], x[m]);
        ck_assert_double_eq(s.p95[m], x[m]);
    }
    tw_summary_free(&s);
}
END_TEST

/*
 * Layout: 4 reps x 2 years x 3 metrics, cell (y, m) holds base(y, m) plus
 * a permutation of 1..4 across replicates, so every summary must land in
 * its own (year, metric) slot: mean = p50 = base + 2.5, p05 = base + 1.15,
 * p95 = base + 3.85, sd = sd(1..4) = 1.2909944487358056.
 */
START_TEST(test_layout)
{
    enum { R = 4, Y = 2, M = 3 };
    double x[R * Y * M];
    for (int r = 0; r < R; r++)
        for (int y = 0; y < Y; y++)
            for (int m = 0; m < M; m++)
                x[(r * Y + y) * M + m] =
                    100.0 * y + 1000.0 * m + ((r + y + 2 * m) % R) + 1;
    tw_summary s;
    ck_assert_int_eq(tw_summary_compute(x, R, Y, M, &s, NULL), TW_OK);
    ck_assert_uint_eq(s.n_years, Y);
    ck_assert_uint_eq(s.n_metrics, M);
    for (int y = 0; y < Y; y++)
        for (int m = 0; m < M; m++) {
            int c = y * M + m;
            double base = 100.0 * y + 1000.0 * m;
            ck_assert_double_eq_tol(s.mean[c], base + 2.5, 1e-9);
            ck_assert_double_eq_tol(s.sd[c], 1.2909944487358056, 1e-12);
            ck_assert_double_eq_tol(s.p05[c], base + 1.15, 1e-9);
            ck_assert_double_eq_tol(s.p50[c], base + 2.5, 1e-9);
            ck_assert_double_eq_tol(s.p95[c], base + 3.85, 1e-9);
        }
    tw_summary_free(&s);
}
END_TEST

/* The input is not modified (the sort works on a scratch copy). */
START_TEST(test_input_untouched)
{
    double x[5] = { 4, 1, 5, 3, 2 };
    tw_summary s;
    ck_assert_int_eq(tw_summary_compute(x, 5, 1, 1, &s, NULL), TW_OK);
    ck_assert_double_eq(x[0], 4);
    ck_assert_double_eq(x[1], 1);
    ck_assert_double_eq(x[4], 2);
    tw_summary_free(&s);
}
END_TEST

/* A NaN in a column makes that column's statistics NaN, like numpy. */
START_TEST(test_nan_column)
{
    const double x[4] = { 1, 2, NAN, 4 }; /* 2 reps x 1 year x 2 metrics */
    tw_summary s;
    ck_assert_int_eq(tw_summary_compute(x, 2, 1, 2, &s, NULL), TW_OK);
    ck_assert(isnan(s.mean[0]) && isnan(s.sd[0]) && isnan(s.p50[0]));
    ck_assert_double_eq(s.mean[1], 3.0);
    tw_summary_free(&s);
}
END_TEST

START_TEST(test_zero_replicates)
{
    const double x[1] = { 0 };
    tw_summary s;
    tw_error err;
    tw_error_clear(&err);
    ck_assert_int_eq(tw_summary_compute(x, 0, 1, 1, &s, &err), TW_EFAIL);
    ck_assert_int_eq(err.code, TW_EFAIL);
    ck_assert_ptr_nonnull(strstr(err.msg, "0 replicates"));
    ck_assert_ptr_null(s.mean);
    tw_summary_free(&s); /* safe on the zeroed summary */
}
END_TEST

/*
 * Blocks of metrics give the bits of the whole: 9 replicates x 3 years x 7
 * metrics of values with rounding in their sums (thirds, tenths, large
 * and small magnitudes), ties, a -0.0 and a NaN column, split into blocks
 * of every width 1..7 (so also uneven last blocks). Each block is cut out
 * of the whole array as run.c reads it back: [rep][year][block metric].
 */
START_TEST(test_blocks_bitwise)
{
    enum { R = 9, Y = 3, M = 7 };
    double x[R * Y * M];
    for (int r = 0; r < R; r++)
        for (int y = 0; y < Y; y++)
            for (int m = 0; m < M; m++) {
                double v = (double)((r * 7 + y * 3 + m * 5) % 11) / 3.0 +
                           1e6 * (m == 2) + 0.1 * r * (m == 4);
                if (m == 5)
                    v = (r % 3) - 1.0;           /* ties: -1, 0, 1 */
                x[(r * Y + y) * M + m] = v;
            }
    x[(4 * Y + 1) * M + 5] = -0.0;
    x[(6 * Y + 2) * M + 3] = NAN;                /* cell (2, 3) is NaN */
    tw_summary whole, part;
    tw_error err;
    ck_assert_int_eq(tw_summary_compute(x, R, Y, M, &whole, &err), TW_OK);
    ck_assert(isnan(whole.p50[2 * M + 3]) && !isnan(whole.p50[2 * M + 4]));
    double block[R * Y * M];
    for (size_t nb = 1; nb <= M; nb++) {
        ck_assert_int_eq(tw_summary_alloc(&part, Y, M, &err), TW_OK);
        for (size_t m0 = 0; m0 < M; m0 += nb) {
            size_t w = M - m0 < nb ? M - m0 : nb;
            for (size_t r = 0; r < R; r++)
                for (size_t y = 0; y < Y; y++)
                    for (size_t j = 0; j < w; j++)
                        block[(r * Y + y) * w + j] =
                            x[(r * Y + y) * M + m0 + j];
            ck_assert_int_eq(tw_summary_block(&part, block, R, m0, w, &err),
                             TW_OK);
        }
        size_t bytes = Y * M * sizeof(double);
        ck_assert_msg(memcmp(part.mean, whole.mean, bytes) == 0 &&
                      memcmp(part.sd, whole.sd, bytes) == 0 &&
                      memcmp(part.p05, whole.p05, bytes) == 0 &&
                      memcmp(part.p50, whole.p50, bytes) == 0 &&
                      memcmp(part.p95, whole.p95, bytes) == 0,
                      "blocks of %zu metrics differ from the whole", nb);
        tw_summary_free(&part);
    }
    tw_summary_free(&whole);
}
END_TEST

/* A block outside the summary's metrics, or of 0 replicates, is refused
 * and leaves the arrays alone. */
START_TEST(test_block_refused)
{
    const double x[4] = { 1, 2, 3, 4 };
    tw_summary s;
    tw_error err;
    ck_assert_int_eq(tw_summary_alloc(&s, 1, 2, &err), TW_OK);
    s.mean[0] = s.mean[1] = 42.0;
    tw_error_clear(&err);
    ck_assert_int_eq(tw_summary_block(&s, x, 2, 1, 2, &err), TW_EFAIL);
    ck_assert_ptr_nonnull(strstr(err.msg, "metrics 1..3"));
    ck_assert_int_eq(tw_summary_block(&s, x, 2, 3, 0, &err), TW_EFAIL);
    ck_assert_int_eq(tw_summary_block(&s, x, 0, 0, 1, &err), TW_EFAIL);
    ck_assert_ptr_nonnull(strstr(err.msg, "0 replicates"));
    ck_assert_double_eq(s.mean[0], 42.0);
    ck_assert_double_eq(s.mean[1], 42.0);
    ck_assert_int_eq(tw_summary_block(&s, x, 2, 1, 1, &err), TW_OK);
    ck_assert_double_eq(s.mean[0], 42.0);   /* metric 0 untouched */
    ck_assert_double_eq(s.mean[1], 1.5);    /* x[0], x[1] as metric 1 */
    tw_summary_free(&s);
}
END_TEST

Suite *summary_suite(void)
{
    Suite *s = suite_create("summary");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_one_to_five);
    tcase_add_test(tc, test_even_count);
    tcase_add_test(tc, test_one_replicate);
    tcase_add_test(tc, test_layout);
    tcase_add_test(tc, test_input_untouched);
    tcase_add_test(tc, test_nan_column);
    tcase_add_test(tc, test_zero_replicates);
    tcase_add_test(tc, test_blocks_bitwise);
    tcase_add_test(tc, test_block_refused);
    suite_add_tcase(s, tc);
    return s;
}
