/*
 * check_experiment.c - paired comparisons on hand-made runs with known
 * answers, and the bracketing search on a made-up monotone lever.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tw_experiment.h"
#include "tw_tests.h"

static char *NAMES[2] = {"teachers.total", "hires.total"};
static char *UNITS[2] = {"teachers", "teachers/year"};
static int YEARS[3] = {2020, 2021, 2022};

/* A run of 4 replicates x 3 years x 2 metrics with traj[r][y][m] =
 * base + r * 10 + y + m * 100 (+ shift in replicate 3's last year). */
static tw_h5_data *fake(double base, double shift, tw_target *t)
{
    tw_h5_data *d = calloc(1, sizeof *d);
    d->n_reps = 4;
    d->n_years = 3;
    d->n_metrics = 2;
    d->years = YEARS;
    d->metric_names = NAMES;
    d->metric_units = UNITS;
    d->trajectories = calloc(24, sizeof(double));
    d->done = calloc(4, 1);
    for (size_t r = 0; r < 4; r++) {
        d->done[r] = 1;
        for (size_t y = 0; y < 3; y++)
            for (size_t m = 0; m < 2; m++)
                d->trajectories[(r * 3 + y) * 2 + m] =
                    base + (double)r * 10 + (double)y + (double)m * 100 +
                    (r == 3 && y == 2 ? shift : 0);
    }
    d->seed = 7;
    d->n_targets = 1;
    d->targets = t;
    return d;
}

static void unfake(tw_h5_data *d)
{
    free(d->trajectories);
    free(d->done);
    free(d);
}

START_TEST(test_compare_known)
{
    /* alt = base + 5 everywhere, + 40 more in replicate 3's last year:
     * paired differences in 2022 are 5, 5, 5, 45 -> mean 15, sd 20,
     * 90% t interval 15 -+ 2.3534 * 20 / 2 = 15 -+ 23.534, band
     * p05 = 5, p95 = 39 (linear). Target teachers.total >= 35 in 2022:
     * base values 2, 12, 22, 32 -> none met; alt 7, 17, 27, 77 -> one met:
     * P 0 -> 0.25, one replicate gained, none lost. */
    tw_target t;
    memset(&t, 0, sizeof t);
    t.name = "tot35";
    t.metric = "teachers.total";
    t.kind = TW_TARGET_LEVEL;
    t.op = TW_OP_GE;
    t.value = 35;
    t.year = 2022;
    t.from = 2021;
    tw_h5_data *b = fake(0, 0, &t), *a = fake(5, 40, &t);
    tw_comparison c;
    tw_error err;
    ck_assert_msg(tw_compare(b, a, &c, &err) == TW_OK, "%s", err.msg);
    const tw_paired *p = &c.metric[2 * 2 + 0];
    ck_assert_double_eq_tol(p->mean, 15, 1e-12);
    ck_assert_double_eq_tol(p->sd, 20, 1e-12);
    ck_assert_double_eq_tol(p->ci_lo, 15 - 2.353363 * 10, 1e-4);
    ck_assert_double_eq_tol(p->ci_hi, 15 + 2.353363 * 10, 1e-4);
    ck_assert_double_eq_tol(p->p05, 5, 1e-12);
    ck_assert_double_eq_tol(p->p95, 39, 1e-12);
    /* the earlier years differ by exactly 5, with no spread */
    ck_assert_double_eq_tol(c.metric[0].mean, 5, 1e-12);
    ck_assert_double_eq_tol(c.metric[0].sd, 0, 1e-12);
    ck_assert_uint_eq(c.n_targets, 1);
    ck_assert_double_eq(c.p_base[0], 0);
    ck_assert_double_eq(c.p_alt[0], 0.25);
    ck_assert_double_eq(c.dp[0].mean, 0.25);
    ck_assert_uint_eq(c.gained[0], 1);
    ck_assert_uint_eq(c.lost[0], 0);
    tw_comparison_free(&c);

    /* identical runs: every difference exactly 0 */
    tw_h5_data *same = fake(0, 0, &t);
    ck_assert_int_eq(tw_compare(b, same, &c, &err), TW_OK);
    for (size_t i = 0; i < 6; i++) {
        ck_assert_double_eq(c.metric[i].mean, 0);
        ck_assert_double_eq(c.metric[i].sd, 0);
    }
    tw_comparison_free(&c);

    /* different seeds cannot be paired */
    same->seed = 8;
    ck_assert_int_eq(tw_compare(b, same, &c, &err), TW_EINPUT);
    ck_assert_ptr_nonnull(strstr(err.msg, "common random numbers"));
    unfake(same);
    unfake(a);
    unfake(b);
}
END_TEST

START_TEST(test_paired_same_and_change_interval)
{
    /* a difference the same in every replicate: exact, flagged, no
     * spread (0.1 is not a binary fraction: a mean could drift by an
     * ulp, the answer must not) */
    double d[5] = {0.1, 0.1, 0.1, 0.1, 0.1};
    tw_paired p;
    tw_paired_stats(d, 5, &p);
    ck_assert_int_eq(p.same, 1);
    ck_assert(p.mean == 0.1 && p.ci_lo == 0.1 && p.ci_hi == 0.1);
    ck_assert(p.sd == 0 && p.p05 == 0.1 && p.p95 == 0.1);
    d[4] = 0.2;
    tw_paired_stats(d, 5, &p);
    ck_assert_int_eq(p.same, 0);
    ck_assert(p.ci_lo < p.mean && p.mean < p.ci_hi);

    /* every one of 8 replicates gains the target: the t interval would
     * be [1, 1]; Newcombe's lower end is 1 - sqrt(2) z^2 / (8 + z^2)
     * (both Wilson intervals reach z^2 / (n + z^2) from their 0 or 1,
     * and the correlation term is 0), z = 1.6449 */
    double lo, hi, z2 = 1.6448536269514722 * 1.6448536269514722;
    tw_paired_change_interval(0, 8, 0, 0, &lo, &hi);
    ck_assert_double_eq_tol(lo, 1 - sqrt(2.0) * z2 / (8 + z2), 1e-12);
    ck_assert_double_eq_tol(hi, 1, 1e-12);
    ck_assert(lo > 0.6 && lo < 0.7);
    /* every one lost: the mirror image */
    double lo2, hi2;
    tw_paired_change_interval(0, 0, 8, 0, &lo2, &hi2);
    ck_assert_double_eq_tol(lo2, -hi, 1e-12);
    ck_assert_double_eq_tol(hi2, -lo, 1e-12);
    /* nobody changes, all met: symmetric about 0, not [0, 0] */
    tw_paired_change_interval(8, 0, 0, 0, &lo, &hi);
    ck_assert_double_eq_tol(lo, -z2 / (8 + z2), 1e-12);
    ck_assert_double_eq_tol(hi, z2 / (8 + z2), 1e-12);
    /* many replicates, half gain: close to the normal interval
     * 0.5 -+ z sqrt(0.25 / n) (here the base is never met, so the
     * change is the alt proportion, whose Wilson interval it is) */
    tw_paired_change_interval(0, 5000, 0, 5000, &lo, &hi);
    ck_assert_double_eq_tol(lo, 0.5 - 1.6449 * 0.005, 1e-4);
    ck_assert_double_eq_tol(hi, 0.5 + 1.6449 * 0.005, 1e-4);
}
END_TEST

/* The metrics compare shows by default (docs/experiments.md, "Which
 * metrics compare shows"), on a made-up table. */
START_TEST(test_compare_select)
{
    static char *names[] = {
        "teachers.total", "hires.total", "exits.total",       /* 0-2 */
        "teachers.stage.primary", "teachers.stage.senior",     /* 3-4 */
        "hires.stage.primary", "hires.stage.senior",           /* 5-6 */
        "demand.primary", "ratio.students_per_teacher.primary", /* 7-8 */
        "teachers.title.senior", "title.senior.share",         /* 9-10 */
        "promotions.title.senior", "teachers.title.senior.primary", /* 11-12 */
        "teachers.tier.0", "teachers.tier.1", "promotions.tier.1", /* 13-15 */
        "teachers.tier.1.primary", "teachers.backbone_plus",   /* 16-17 */
        "gap.total", "posts.unfilled"};                        /* 18-19 */
    enum { NM = sizeof names / sizeof *names };
    tw_target t[1];
    memset(t, 0, sizeof t);
    tw_h5_data d;
    memset(&d, 0, sizeof d);
    d.n_metrics = NM;
    d.metric_names = names;
    d.targets = t;
    d.n_targets = 1;
    unsigned char show[NM];
    /* a title named like a stage ("senior"): the title's family, and no
     * senior-school metric */
    t[0].metric = "title.senior.share";
    ck_assert_uint_eq(tw_compare_select(&d, NULL, 0, show), 6);
    static const int title[] = {0, 1, 2, 9, 10, 11};
    for (size_t i = 0; i < sizeof title / sizeof *title; i++)
        ck_assert(show[title[i]]);
    ck_assert(!show[4] && !show[6] && !show[3]);
    /* a title of primary schools: the title's family and the primary
     * stage's stock and flows */
    t[0].metric = "teachers.title.senior.primary";
    tw_compare_select(&d, NULL, 0, show);
    ck_assert(show[12] && show[9] && show[3] && show[5] && show[7]);
    ck_assert(!show[4] && !show[6] && !show[8]);
    /* a ratio of primary schools */
    t[0].metric = "ratio.students_per_teacher.primary";
    ck_assert_uint_eq(tw_compare_select(&d, NULL, 0, show), 7);
    ck_assert(show[8] && show[3] && show[5] && show[7] && !show[13]);
    /* a tier: its stock and its promotions; the backbone count: every
     * region-wide tier, not the by-stage ones */
    t[0].metric = "teachers.tier.1";
    ck_assert_uint_eq(tw_compare_select(&d, NULL, 0, show), 5);
    ck_assert(show[14] && show[15] && !show[13] && !show[16]);
    t[0].metric = "teachers.backbone_plus";
    tw_compare_select(&d, NULL, 0, show);
    ck_assert(show[17] && show[13] && show[14] && show[15] && !show[16]);
    /* --all and --metrics */
    ck_assert_uint_eq(tw_compare_select(&d, NULL, 1, show), NM);
    ck_assert_uint_eq(tw_compare_select(&d, "tier.1", 0, show), 3);
    /* no targets: the three totals */
    d.n_targets = 0;
    ck_assert_uint_eq(tw_compare_select(&d, NULL, 0, show), 3);
}
END_TEST

/* Evaluation k of a hand-made search: value v, one target met by the
 * replicates r < n_met of n. */
static void fake_eval(tw_eval *e, double v, size_t n, size_t n_met)
{
    memset(e, 0, sizeof *e);
    e->value = v;
    e->n_reps = n;
    e->met = calloc(n, 1);
    e->p_met = calloc(1, sizeof *e->p_met);
    e->p_lo = calloc(1, sizeof *e->p_lo);
    e->p_hi = calloc(1, sizeof *e->p_hi);
    for (size_t r = 0; r < n_met; r++)
        e->met[r] = 1;
    e->p_met[0] = (double)n_met / (double)n;
}

/* The monotonicity check compares the replicates two values share: a few
 * lost replicates are noise (the sign test needs lost - gained > 3 sd),
 * many are a warning; a value evaluated again counts by its last (largest)
 * evaluation only. */
START_TEST(test_monotone_warning)
{
    char *names[1] = {"t"};
    tw_lever_ctx ctx = {.lever = "q", .targets = names, .n_targets = 1};
    tw_search s = {.n_evals = 4};
    s.evals = calloc(4, sizeof *s.evals);
    fake_eval(&s.evals[0], 10, 100, 90); /* 10: 90 of 100 */
    fake_eval(&s.evals[1], 11, 100, 88); /* 11: loses 2: noise */
    fake_eval(&s.evals[2], 12, 100, 60); /* 12: loses 28 more: a fall */
    fake_eval(&s.evals[3], 12, 200, 180);/* 12 again, 200 replicates */
    ck_assert_uint_eq(tw_search_monotone(&ctx, &s, NULL), 0);
    /* without the re-evaluation, 12 falls */
    s.n_evals = 3;
    ck_assert_uint_eq(tw_search_monotone(&ctx, &s, NULL), 1);
    s.n_evals = 4;
    tw_search_free(&s, 1);
}
END_TEST

Suite *experiment_suite(void)
{
    Suite *s = suite_create("experiment");
    TCase *tc = tcase_create("compare");
    tcase_add_test(tc, test_compare_known);
    tcase_add_test(tc, test_paired_same_and_change_interval);
    tcase_add_test(tc, test_compare_select);
    suite_add_tcase(s, tc);
    tc = tcase_create("optimize");
    tcase_add_test(tc, test_monotone_warning);
    suite_add_tcase(s, tc);
    return s;
}
