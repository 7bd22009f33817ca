/*
 * check_targets.c - the four kinds of target on hand-made trajectories
 * with known answers, the summary over replicates, and metric resolution.
 */
#include <string.h>

#include "tw_targets.h"
#include "tw_tests.h"

/* One metric over the years 2020..2025. */
static const int YEARS[6] = {2020, 2021, 2022, 2023, 2024, 2025};

static tw_target make(tw_target_kind kind, tw_op op, double value, int from,
                      int year)
{
    tw_target t;
    memset(&t, 0, sizeof t);
    t.name = "t";
    t.metric = "m";
    t.quote = "q";
    t.source = "s";
    t.kind = kind;
    t.op = op;
    t.value = value;
    t.from = from;
    t.year = year;
    return t;
}

START_TEST(test_level)
{
    const double x[6] = {10, 11, 12, 13, 14, 15};
    int met = -1;
    tw_target t = make(TW_TARGET_LEVEL, TW_OP_GE, 15, 2021, 2025);
    ck_assert_double_eq(tw_target_quantity(&t, 0, x, 1, YEARS, 6, &met), 15);
    ck_assert_int_eq(met, 1);
    t.op = TW_OP_GT;
    tw_target_quantity(&t, 0, x, 1, YEARS, 6, &met);
    ck_assert_int_eq(met, 0);
    t.year = 2023;
    t.op = TW_OP_LE;
    t.value = 12.5;
    ck_assert_double_eq(tw_target_quantity(&t, 0, x, 1, YEARS, 6, &met), 13);
    ck_assert_int_eq(met, 0);
}
END_TEST

START_TEST(test_cumulative)
{
    /* hires 0 (base), 800, 790, 810, 805, 795: 2021..2025 sum to 4000 */
    const double h[6] = {0, 800, 790, 810, 805, 795};
    int met = -1;
    tw_target t = make(TW_TARGET_CUMULATIVE, TW_OP_GE, 4000, 2021, 2025);
    ck_assert_double_eq(tw_target_quantity(&t, 0, h, 1, YEARS, 6, &met), 4000);
    ck_assert_int_eq(met, 1);
    t.op = TW_OP_GT;
    tw_target_quantity(&t, 0, h, 1, YEARS, 6, &met);
    ck_assert_int_eq(met, 0);
    t.from = 2023;
    ck_assert_double_eq(tw_target_quantity(&t, 0, h, 1, YEARS, 6, &met),
                        810 + 805 + 795);
}
END_TEST

START_TEST(test_change)
{
    /* 两提升一降低: shares up, up, down against the base year */
    const double senior[6] = {0.15, 0.15, 0.16, 0.16, 0.17, 0.18};
    const double none[6] = {0.08, 0.08, 0.07, 0.07, 0.09, 0.085};
    int met = -1;
    tw_target up = make(TW_TARGET_CHANGE, TW_OP_GT, 0, 2020, 2025);
    ck_assert_double_eq_tol(tw_target_quantity(&up, 0, senior, 1, YEARS, 6,
                                               &met), 0.03, 1e-12);
    ck_assert_int_eq(met, 1);
    tw_target down = make(TW_TARGET_CHANGE, TW_OP_LT, 0, 2020, 2025);
    ck_assert_double_eq_tol(tw_target_quantity(&down, 0, none, 1, YEARS, 6,
                                               &met), 0.005, 1e-12);
    ck_assert_int_eq(met, 0);
    down.year = 2023;
    tw_target_quantity(&down, 0, none, 1, YEARS, 6, &met);
    ck_assert_int_eq(met, 1);
}
END_TEST

START_TEST(test_every_year)
{
    /* 力争每年增加专任教师总量: the stock grows in every year */
    const double grows[6] = {100, 101, 103, 104, 108, 109};
    const double dips[6] = {100, 101, 103, 102, 108, 109};
    int met = -1;
    tw_target t = make(TW_TARGET_EVERY_YEAR, TW_OP_GT, 0, 2021, 2025);
    ck_assert_double_eq(tw_target_quantity(&t, 0, grows, 1, YEARS, 6, &met),
                        1); /* the worst year's change */
    ck_assert_int_eq(met, 1);
    ck_assert_double_eq(tw_target_quantity(&t, 0, dips, 1, YEARS, 6, &met),
                        -1);
    ck_assert_int_eq(met, 0);
    /* only the years from..year count */
    t.from = 2024;
    tw_target_quantity(&t, 0, dips, 1, YEARS, 6, &met);
    ck_assert_int_eq(met, 1);
    /* an upper bound takes the largest change */
    tw_target cap = make(TW_TARGET_EVERY_YEAR, TW_OP_LE, 3, 2021, 2025);
    ck_assert_double_eq(tw_target_quantity(&cap, 0, grows, 1, YEARS, 6, &met),
                        4);
    ck_assert_int_eq(met, 0);
}
END_TEST

START_TEST(test_summary_over_replicates)
{
    /* 4 replicates x 6 years x 2 metrics; target on metric 1 in 2025:
     * values 1, 2, 3, 4 -> P(>= 3) = 0.5, mean 2.5, p05 1.15, p95 3.85 */
    double traj[4 * 6 * 2] = {0};
    for (int r = 0; r < 4; r++)
        traj[r * 12 + 5 * 2 + 1] = r + 1;
    tw_target t = make(TW_TARGET_LEVEL, TW_OP_GE, 3, 2021, 2025);
    long col = 1;
    double q[4];
    unsigned char met[4];
    tw_target_result res;
    tw_error err;
    ck_assert_int_eq(tw_targets_eval(&t, 1, &col, traj, 4, 6, 2, YEARS, q,
                                     met, &res, &err), TW_OK);
    ck_assert_double_eq(res.p_met, 0.5);
    ck_assert_double_eq_tol(res.p_se, 0.25, 1e-12);
    /* Wilson 90% interval for 2 of 4 (z = 1.6449): 0.5 -+ 0.3176 */
    ck_assert_double_eq_tol(res.p_lo, 0.1824, 1e-3);
    ck_assert_double_eq_tol(res.p_hi, 0.8176, 1e-3);
    ck_assert_double_eq(res.mean, 2.5);
    ck_assert_double_eq_tol(res.p05, 1.15, 1e-12);
    ck_assert_double_eq_tol(res.p95, 3.85, 1e-12);
    ck_assert_int_eq(met[0], 0);
    ck_assert_int_eq(met[3], 1);
    ck_assert_str_eq(tw_target_verdict(&res, 0.9), "uncertain");
    res.p_met = 0.95;
    ck_assert_str_eq(tw_target_verdict(&res, 0.9), "on track");
    res.p_met = 0.05;
    ck_assert_str_eq(tw_target_verdict(&res, 0.9), "off track");
}
END_TEST

START_TEST(test_resolve)
{
    const char *const names[3] = {"teachers.total", "hires.total",
                                  "dual.share"};
    tw_target t[2] = {make(TW_TARGET_LEVEL, TW_OP_GE, 1, 2021, 2025),
                      make(TW_TARGET_LEVEL, TW_OP_GE, 1, 2021, 2025)};
    t[0].metric = "dual.share";
    t[1].metric = "dual.shar";
    t[1].name = "typo";
    strcpy(t[1].where, "x.cfg:12");
    long cols[2];
    tw_error err;
    tw_error_clear(&err);
    ck_assert_int_eq(tw_targets_resolve(t, 1, names, 3, YEARS, 6, cols, &err),
                     TW_OK);
    ck_assert_int_eq(cols[0], 2);
    ck_assert_int_eq(tw_targets_resolve(t, 2, names, 3, YEARS, 6, cols, &err),
                     TW_EINPUT);
    ck_assert_ptr_nonnull(strstr(err.msg, "x.cfg:12: targets: 'typo': no "
                                          "metric 'dual.shar'"));
    ck_assert_ptr_nonnull(strstr(err.msg, "nearest: 'dual.share'"));
}
END_TEST

Suite *targets_suite(void)
{
    Suite *s = suite_create("targets");
    TCase *tc = tcase_create("kinds");
    tcase_add_test(tc, test_level);
    tcase_add_test(tc, test_cumulative);
    tcase_add_test(tc, test_change);
    tcase_add_test(tc, test_every_year);
    tcase_add_test(tc, test_summary_over_replicates);
    tcase_add_test(tc, test_resolve);
    suite_add_tcase(s, tc);
    return s;
}
