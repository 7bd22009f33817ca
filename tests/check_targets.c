/*
 * check_targets.c - the four kinds of target on hand-made trajectories
 * with known answers, the summary over replicates, and metric resolution.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
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
    ck_assert_int_eq(tw_targets_eval(&t, 1, &col, 0, traj, 4, 6, 2, YEARS,
                                     q, met, &res, NULL, &err), TW_OK);
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
    ck_assert_int_eq(tw_targets_resolve(t, 1, names, 3, NULL, 0, YEARS, 6,
                                        cols, &err), TW_OK);
    ck_assert_int_eq(cols[0], 2);
    ck_assert_int_eq(tw_targets_resolve(t, 2, names, 3, NULL, 0, YEARS, 6,
                                        cols, &err), TW_EINPUT);
    ck_assert_ptr_nonnull(strstr(err.msg, "x.cfg:12: targets: 'typo': no "
                                          "metric 'dual.shar'"));
    ck_assert_ptr_nonnull(strstr(err.msg, "nearest: 'dual.share'"));
}
END_TEST

/*
 * Counties: nm = 3 metrics, nc = 2 counties, 4 replicates, 6 years; a row
 * is [region m0 m1 m2 | 县甲 m0 m1 m2 | 县乙 m0 m1 m2]. Metric 1 in 2025:
 *
 *   replicate   region   县甲   县乙
 *       0         10       4      6
 *       1         20       8     12
 *       2         30      12      3
 *       3         40      20     15
 *
 * A ">= 5" target: 县甲 meets it in 2, 3 (P = 0.5); 县乙 in 0, 1, 3
 * (P = 0.75); both in 1? no (8 >= 5 and 12 >= 5: yes), so every county
 * in replicates 1 and 3: P = 0.5. The worst county's quantity: 4, 8, 3, 15.
 */
enum { NM = 3, NC = 2, NW = NM * (1 + NC), NR = 4 };
static const char *const NAMES[NM] = {"a", "b", "c"};
static const char *const COUNTIES[NC] = {"县甲", "县乙"};

static void county_traj(double *traj)
{
    static const double v[NR][3] = {
        {10, 4, 6}, {20, 8, 12}, {30, 12, 3}, {40, 20, 15}};
    memset(traj, 0, NR * 6 * NW * sizeof *traj);
    for (int r = 0; r < NR; r++) {
        double *y25 = traj + (r * 6 + 5) * NW;
        y25[1] = v[r][0];
        y25[NM + 0 * NM + 1] = v[r][1];
        y25[NM + 1 * NM + 1] = v[r][2];
        /* a decoy: metric 2 of every county, never read */
        y25[NM + 2] = y25[NM + NM + 2] = -99;
    }
}

START_TEST(test_county_resolve)
{
    tw_target t[3] = {make(TW_TARGET_LEVEL, TW_OP_GE, 5, 2021, 2025),
                      make(TW_TARGET_LEVEL, TW_OP_GE, 5, 2021, 2025),
                      make(TW_TARGET_LEVEL, TW_OP_GE, 5, 2021, 2025)};
    for (int i = 0; i < 3; i++)
        t[i].metric = "b";
    t[1].scope = TW_SCOPE_COUNTY;
    t[1].county = "县乙";
    t[2].scope = TW_SCOPE_EACH_COUNTY;
    long cols[3 * (1 + NC)];
    tw_error err;
    tw_error_clear(&err);
    ck_assert_int_eq(tw_targets_resolve(t, 3, NAMES, NM, COUNTIES, NC, YEARS,
                                        6, cols, &err), TW_OK);
    /* region: m; county 1: nm + 1*nm + m; each: m, then every county's */
    ck_assert_int_eq(cols[0], 1);
    ck_assert_int_eq(cols[1], -1);
    ck_assert_int_eq(cols[3], NM + NM + 1);
    ck_assert_int_eq(cols[6], 1);
    ck_assert_int_eq(cols[7], NM + 1);
    ck_assert_int_eq(cols[8], NM + NM + 1);
}
END_TEST

START_TEST(test_county_errors)
{
    tw_target t[2] = {make(TW_TARGET_LEVEL, TW_OP_GE, 5, 2021, 2025),
                      make(TW_TARGET_LEVEL, TW_OP_GE, 5, 2021, 2025)};
    t[0].metric = t[1].metric = "b";
    t[0].name = "one";
    t[0].scope = TW_SCOPE_COUNTY;
    t[0].county = "县丙";
    strcpy(t[0].where, "x.cfg:7");
    t[1].name = "every";
    t[1].scope = TW_SCOPE_EACH_COUNTY;
    strcpy(t[1].where, "x.cfg:9");
    long cols[2 * (1 + NC)];
    tw_error err;
    tw_error_clear(&err);
    /* a county that the run does not have: the valid names listed */
    ck_assert_int_eq(tw_targets_resolve(t, 1, NAMES, NM, COUNTIES, NC, YEARS,
                                        6, cols, &err), TW_EINPUT);
    ck_assert_ptr_nonnull(strstr(err.msg, "x.cfg:7: targets: 'one': no "
                                          "county \"县丙\""));
    ck_assert_ptr_nonnull(strstr(err.msg, "\"县甲\", \"县乙\""));
    /* a run without county results (nc = 0): both named */
    tw_error_clear(&err);
    ck_assert_int_eq(tw_targets_resolve(t, 2, NAMES, NM, NULL, 0, YEARS, 6,
                                        cols, &err), TW_EINPUT);
    ck_assert_ptr_nonnull(strstr(err.msg, "x.cfg:7: targets: 'one': scope "
                                          "\"county\" needs county results"));
    ck_assert_ptr_nonnull(strstr(err.msg, "x.cfg:9: targets: 'every': scope "
                                          "\"each_county\""));
    ck_assert_ptr_nonnull(strstr(err.msg, "this run has no county results"));
    /* eval refuses too, for a caller that skips resolve */
    double traj[NR * 6 * NM] = {0}, q[NR * 2];
    unsigned char met[NR * 2];
    tw_target_result res[2];
    long c1[2] = {1, 1};
    tw_error_clear(&err);
    ck_assert_int_eq(tw_targets_eval(&t[1], 1, c1, 0, traj, NR, 6, NM, YEARS,
                                     q, met, res, NULL, &err), TW_EINPUT);
    ck_assert_ptr_nonnull(strstr(err.msg, "'every'"));
}
END_TEST

START_TEST(test_each_county)
{
    double traj[NR * 6 * NW];
    county_traj(traj);
    tw_target t[3] = {make(TW_TARGET_LEVEL, TW_OP_GE, 5, 2021, 2025),
                      make(TW_TARGET_LEVEL, TW_OP_GE, 5, 2021, 2025),
                      make(TW_TARGET_LEVEL, TW_OP_GE, 5, 2021, 2025)};
    for (int i = 0; i < 3; i++)
        t[i].metric = "b";
    t[1].scope = TW_SCOPE_COUNTY;
    t[1].county = "县甲";
    t[2].scope = TW_SCOPE_EACH_COUNTY;
    double q[NR * 3];
    unsigned char met[NR * 3];
    tw_target_result res[3], cres[3 * NC];
    tw_error err;
    tw_error_clear(&err);
    ck_assert_int_eq(tw_targets_on_run(t, 3, NAMES, NM, COUNTIES, NC, YEARS,
                                       6, traj, NR, met, res, cres, &err),
                     TW_OK);
    /* region: 10..40, all >= 5 */
    ck_assert_double_eq(res[0].p_met, 1);
    ck_assert_double_eq(res[0].mean, 25);
    /* 县甲 alone: 4, 8, 12, 20 */
    ck_assert_double_eq(res[1].p_met, 0.75);
    ck_assert_double_eq(res[1].mean, 11);
    /* every county: replicates 1 and 3; the worst county 4, 8, 3, 15 */
    ck_assert_double_eq(res[2].p_met, 0.5);
    ck_assert_double_eq(res[2].mean, 7.5);
    ck_assert_double_eq_tol(res[2].p05, 3.15, 1e-12);
    ck_assert_double_eq_tol(res[2].p95, 13.95, 1e-12);
    ck_assert_int_eq(met[0 * 3 + 2], 0);
    ck_assert_int_eq(met[1 * 3 + 2], 1);
    ck_assert_int_eq(met[2 * 3 + 2], 0);
    ck_assert_int_eq(met[3 * 3 + 2], 1);
    /* each county's own result */
    ck_assert_double_eq(cres[2 * NC + 0].p_met, 0.75);
    ck_assert_double_eq(cres[2 * NC + 0].mean, 11);
    ck_assert_double_eq(cres[2 * NC + 1].p_met, 0.75);
    ck_assert_double_eq(cres[2 * NC + 1].mean, 9);
    ck_assert_double_eq_tol(cres[2 * NC + 1].p05, 3.45, 1e-12);
    ck_assert_double_eq_tol(cres[2 * NC + 1].p95, 14.55, 1e-12);
    /* the other targets have no county results */
    ck_assert(isnan(cres[0].p_met) && isnan(cres[NC + 1].mean));

    /* an upper bound: the worst county is the largest, 6, 12, 12, 20 */
    t[2].op = TW_OP_LE;
    t[2].value = 12;
    tw_error_clear(&err);
    ck_assert_int_eq(tw_targets_on_run(t, 3, NAMES, NM, COUNTIES, NC, YEARS,
                                       6, traj, NR, met, res, cres, &err),
                     TW_OK);
    ck_assert_double_eq(res[2].p_met, 0.75);
    ck_assert_double_eq(res[2].mean, 12.5);
    ck_assert_double_eq(cres[2 * NC + 0].p_met, 0.75);
    ck_assert_double_eq(cres[2 * NC + 1].p_met, 0.75);
    (void)q;
}
END_TEST

/* The report of a region, a county and an each_county target. */
START_TEST(test_county_report)
{
    double traj[NR * 6 * NW];
    county_traj(traj);
    tw_target t[3] = {make(TW_TARGET_LEVEL, TW_OP_GE, 5, 2021, 2025),
                      make(TW_TARGET_LEVEL, TW_OP_GE, 5, 2021, 2025),
                      make(TW_TARGET_LEVEL, TW_OP_GE, 5, 2021, 2025)};
    for (int i = 0; i < 3; i++)
        t[i].metric = "b";
    t[0].name = "whole";
    t[1].name = "one";
    t[1].scope = TW_SCOPE_COUNTY;
    t[1].county = "县乙";
    t[2].name = "编制达标";
    t[2].scope = TW_SCOPE_EACH_COUNTY;
    unsigned char met[NR * 3];
    tw_target_result res[3], cres[3 * NC];
    tw_error err;
    tw_error_clear(&err);
    ck_assert_int_eq(tw_targets_on_run(t, 3, NAMES, NM, COUNTIES, NC, YEARS,
                                       6, traj, NR, met, res, cres, &err),
                     TW_OK);
    char *s = NULL;
    size_t slen = 0;
    FILE *f = open_memstream(&s, &slen);
    ck_assert_ptr_nonnull(f);
    size_t below = tw_targets_report(f, "Targets", t, 3, res, COUNTIES, NC,
                                     cres, NR, 0.9);
    fclose(f);
    ck_assert_uint_eq(below, 2); /* one: 0.75, 编制达标: 0.5 */
    /* the county in the name column; the columns line up by display
     * width (编制达标 [each county] is 22 columns, the widest name) */
    ck_assert_ptr_nonnull(strstr(s, "\n  one [县乙]" "              2025  "));
    ck_assert_ptr_nonnull(strstr(s, "\n  whole" "                   2025  "));
    ck_assert_ptr_nonnull(strstr(s, "\n  编制达标 [each county]  2025  b >= 5"
                                    "     0.50 [0.18–0.82]        7.50  "
                                    "3.15 – 13.95         uncertain\n"));
    /* under the each_county target (only there): one line per county */
    const char *tab = strstr(s, "        county  P(met)        mean  90% "
                                "band\n");
    ck_assert_ptr_nonnull(tab);
    ck_assert_ptr_nonnull(strstr(tab, "        县甲    0.75         11.00  "
                                      "4.60 – 18.80\n"));
    ck_assert_ptr_nonnull(strstr(tab, "        县乙    0.75          9.00  "
                                      "3.45 – 14.55\n"));
    ck_assert_ptr_null(strstr(tab + 1, "        county  P(met)"));
    ck_assert(strstr(s, "one [县乙]") < strstr(s, "编制达标 [each"));
    ck_assert(strstr(s, "编制达标 [each") < tab);
    ck_assert_ptr_nonnull(strstr(s, "[each county]: P(met) is P(every "
                                    "county meets it)"));
    free(s);
    /* without county results (nc = 0): no table, no note */
    char *buf = NULL;
    size_t len = 0;
    f = open_memstream(&buf, &len);
    ck_assert_ptr_nonnull(f);
    tw_targets_report(f, "Targets", t, 1, res, NULL, 0, NULL, NR, 0.9);
    fclose(f);
    ck_assert_ptr_null(strstr(buf, "county"));
    free(buf);
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
    TCase *tk = tcase_create("counties");
    tcase_add_test(tk, test_county_resolve);
    tcase_add_test(tk, test_county_errors);
    tcase_add_test(tk, test_each_county);
    tcase_add_test(tk, test_county_report);
    suite_add_tcase(s, tk);
    return s;
}
