/*
 * check_markov.c - Markov mode (MODEL.md section 4) against theory, and
 * reproducibility of replicates.
 *
 * Statistical tests compare ensemble means with exact expectations within
 * k standard errors, k = Qinv(alpha / (2 m)) for m comparisons in the test
 * and alpha = 1e-6: for a random seed, the chance that a correct engine
 * fails the test is below one in a million (Bonferroni). The seeds are
 * fixed, so each run of the suite is deterministic.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gsl/gsl_cdf.h>

#include "tw_config.h"
#include "tw_h5.h"
#include "tw_model.h"
#include "tw_run.h"
#include "tw_tests.h"

#define PUBLISHED TW_TEST_DATA "/published.cfg"
#define ALPHA 1e-6

/* Ensemble moments per (year, metric), from running every replicate. */
typedef struct ensemble {
    tw_config *cfg;
    tw_model m;
    size_t reps, len;
    double *mean, *var; /* [len]; var is the sample variance */
} ensemble;

static void ensemble_run(ensemble *e, const char *const *sets, size_t n)
{
    tw_error err;
    ck_assert_msg(tw_config_load(PUBLISHED, sets, n, &e->cfg, &err) == TW_OK,
                  "%s", err.msg);
    ck_assert_int_eq(tw_model_init(&e->m, e->cfg, &err), TW_OK);
    e->reps = e->cfg->replicates;
    e->len = tw_model_traj_len(&e->m);
    double *traj = malloc(e->len * sizeof *traj);
    e->mean = calloc(e->len, sizeof *e->mean);
    e->var = calloc(e->len, sizeof *e->var);
    ck_assert(traj && e->mean && e->var);
    tw_worker *w = tw_worker_alloc(&e->m, &err);
    for (size_t r = 0; r < e->reps; r++) {
        ck_assert_int_eq(tw_worker_run(w, 0, r, traj, &err), TW_OK);
        for (size_t i = 0; i < e->len; i++) { /* Welford */
            double d = traj[i] - e->mean[i];
            e->mean[i] += d / (double)(r + 1);
            e->var[i] += d * (traj[i] - e->mean[i]);
        }
    }
    for (size_t i = 0; i < e->len; i++)
        e->var[i] /= (double)(e->reps - 1);
    tw_worker_free(w);
    free(traj);
}

static void ensemble_free(ensemble *e)
{
    free(e->mean);
    free(e->var);
    tw_model_free(&e->m);
    tw_config_free(e->cfg);
}

static double col(const ensemble *e, const double *v, size_t year,
                  const char *metric)
{
    long k = tw_metrics_find(&e->m.metrics, metric);
    ck_assert_msg(k >= 0, "no metric %s", metric);
    return v[year * e->m.metrics.n + (size_t)k];
}

START_TEST(test_published_one_step)
{
    /* MODEL.md: n(0) = (300,200,50,30), no recruitment:
     * E[n(1)] = (162.5, 150, 75, 26), 166.5 leavers. Exact variances:
     * Var n_j(1) = sum_i n_i p_ij (1 - p_ij); Var L = sum_i n_i q_i (1-q_i)
     * with q_i = 1 - row sum (teachers move independently). */
    ensemble e;
    ensemble_run(&e, NULL, 0);
    const tw_config *c = e.cfg;
    const double want[4] = {162.5, 150, 75, 26};
    double k = gsl_cdf_ugaussian_Qinv(ALPHA / (2 * 5));
    for (size_t j = 0; j < 4; j++) {
        double v = 0;
        for (size_t i = 0; i < 4; i++) {
            double p = c->transition[i][j];
            v += (double)c->tier_counts[i] * p * (1 - p);
        }
        char name[32];
        snprintf(name, sizeof name, "teachers.tier.%zu", j);
        double got = col(&e, e.mean, 1, name);
        ck_assert_msg(fabs(got - want[j]) <= k * sqrt(v / (double)e.reps),
                      "tier %zu: mean %.3f, expected %.1f +- %.3f", j, got,
                      want[j], k * sqrt(v / (double)e.reps));
    }
    double vl = 0;
    for (size_t i = 0; i < 4; i++) {
        double q = 1, n = (double)c->tier_counts[i];
        for (size_t j = 0; j < 4; j++)
            q -= c->transition[i][j];
        vl += n * q * (1 - q);
    }
    double left = col(&e, e.mean, 1, "exits.total");
    ck_assert_double_le(fabs(left - 166.5), k * sqrt(vl / (double)e.reps));
    /* base year row is the initial stock, with no flows */
    ck_assert_double_eq(col(&e, e.mean, 0, "teachers.tier.0"), 300);
    ck_assert_double_eq(col(&e, e.var, 0, "teachers.total"), 0);
    ck_assert_double_eq(col(&e, e.mean, 0, "exits.total"), 0);
    ensemble_free(&e);
}
END_TEST

/*
 * The count draw must give the variance of one draw per teacher, not just
 * the mean. Over one year with no recruitment (n(0) = (300,200,50,30),
 * R = 4000 replicates), each of X = n_j(1) and X = leavers is a sum of
 * independent indicators of probability p (p = P(i,j), or q_i = 1 - row
 * sum), so exactly
 *   sigma^2 = sum_i n_i p (1 - p),
 *   kappa_4 = sum_i n_i p (1 - p) (1 - 6 p (1 - p))   (fourth cumulant)
 * and the sample variance s^2 has Var(s^2) = 2 sigma^4 / (R - 1) + kappa_4 / R.
 * The test asks |s^2 - sigma^2| <= k sqrt(Var(s^2)), k = Qinv(alpha / (2 m)),
 * m = 5 comparisons, alpha = 1e-6: with s^2 taken as normal (its skewness is
 * about sqrt(8 / R) = 0.045 here), a correct engine fails with probability
 * about one in a million. The tolerance is about 12% of sigma^2. Wrong draws
 * it catches: counts rounded from n p (variance 0); independent binomials
 * per destination instead of conditional ones (the leavers' variance would
 * be 212.9 instead of 114.4); one draw per tier with the wrong conditional
 * probabilities (the means test catches it too).
 */
static void var_check(const ensemble *e, const char *metric, double v,
                      double k4, double k)
{
    double r = (double)e->reps;
    double got = col(e, e->var, 1, metric);
    double se = sqrt(2 * v * v / (r - 1) + k4 / r);
    ck_assert_msg(fabs(got - v) <= k * se,
                  "%s: sample variance %.3f, exact %.3f +- %.3f", metric, got,
                  v, k * se);
}

START_TEST(test_published_one_step_variance)
{
    ensemble e;
    ensemble_run(&e, NULL, 0);
    const tw_config *c = e.cfg;
    double k = gsl_cdf_ugaussian_Qinv(ALPHA / (2 * 5));
    for (size_t j = 0; j <= 4; j++) { /* j = 4: leaving */
        double v = 0, k4 = 0;
        for (size_t i = 0; i < 4; i++) {
            double p = 1;
            if (j < 4)
                p = c->transition[i][j];
            else
                for (size_t l = 0; l < 4; l++)
                    p -= c->transition[i][l];
            double n = (double)c->tier_counts[i], pq = p * (1 - p);
            v += n * pq;
            k4 += n * pq * (1 - 6 * pq);
        }
        char name[32];
        if (j < 4)
            snprintf(name, sizeof name, "teachers.tier.%zu", j);
        else
            snprintf(name, sizeof name, "exits.total");
        var_check(&e, name, v, k4, k);
    }
    ensemble_free(&e);
}
END_TEST

/*
 * Cost independent of the headcount: with n(0) = (30, 20, 5, 3) million and
 * 10 years, one draw per teacher would take at least 58 million words a
 * year. The counts take a few per binomial (tiers x destinations binomials
 * a year); the bound, 100 words per binomial on average, cannot be reached
 * by GSL's binomial (a handful of words per draw, rejection rarely more).
 * The year-1 stock is also checked against its expectation within 6
 * standard deviations of one replicate.
 */
START_TEST(test_cost_independent_of_headcount)
{
    const char *const sets[] = {"simulation.end_year=2030",
                                "simulation.replicates=1",
                                "teachers.tier_counts=[30000000,20000000,"
                                "5000000,3000000]"};
    ensemble e;
    ensemble_run(&e, sets, 3);
    const tw_config *c = e.cfg;
    tw_error err;
    tw_worker *w = tw_worker_alloc(&e.m, &err);
    double *traj = malloc(e.len * sizeof *traj);
    ck_assert(w && traj);
    ck_assert_int_eq(tw_worker_run(w, 0, 0, traj, &err), TW_OK);
    tw_work work = tw_worker_last_work(w);
    size_t years = e.m.n_years - 1;
    ck_assert_uint_le(work.draws, 100 * 4 * 5 * years);
    ck_assert_uint_gt(work.draws, 0);
    /* no recruitment: the stock at the start of each year, summed */
    double ty = 0;
    for (size_t t = 0; t < years; t++)
        ty += col(&e, e.mean, t, "teachers.total");
    ck_assert_double_eq((double)work.teacher_years, ty);
    for (size_t j = 0; j < 4; j++) {
        double mean = 0, v = 0;
        for (size_t i = 0; i < 4; i++) {
            double p = c->transition[i][j], n = (double)c->tier_counts[i];
            mean += n * p;
            v += n * p * (1 - p);
        }
        char name[32];
        snprintf(name, sizeof name, "teachers.tier.%zu", j);
        ck_assert_double_le(fabs(traj[e.m.metrics.n + (size_t)tw_metrics_find(
                                     &e.m.metrics, name)] - mean),
                            6 * sqrt(v));
    }
    tw_worker_free(w);
    free(traj);
    ensemble_free(&e);
}
END_TEST

/*
 * Multi-year expectation: E[n(t+1)] = E[n(t)] P + E[R(t)] e_entry with
 *   replace: R(t) = leavers, E[R(t)] = sum_i E[n_i(t)] q_i
 *   quota:   R(t) = annual_quota.
 * Both are linear in E[n(t)], so the recursion is exact. The tolerance uses
 * the ensemble's own standard error (2000 replicates: the t and normal
 * quantiles agree to 0.2%).
 */
static void check_recursion(const char *const *sets, size_t n_sets)
{
    ensemble e;
    ensemble_run(&e, sets, n_sets);
    const tw_config *c = e.cfg;
    size_t nt = c->n_tiers, ny = e.m.n_years;
    double en[TW_MAX_TIERS], next[TW_MAX_TIERS];
    for (size_t i = 0; i < nt; i++)
        en[i] = (double)c->tier_counts[i];
    double k = gsl_cdf_ugaussian_Qinv(ALPHA / (2.0 * (double)(nt * (ny - 1))));
    for (size_t t = 1; t < ny; t++) {
        double hires = 0;
        for (size_t j = 0; j < nt; j++) {
            next[j] = 0;
            for (size_t i = 0; i < nt; i++)
                next[j] += en[i] * c->transition[i][j];
        }
        if (c->recruit_mode == TW_RECRUIT_QUOTA) {
            hires = (double)c->annual_quota;
        } else if (c->recruit_mode == TW_RECRUIT_REPLACE) {
            for (size_t i = 0; i < nt; i++) {
                double q = 1;
                for (size_t j = 0; j < nt; j++)
                    q -= c->transition[i][j];
                hires += en[i] * q;
            }
        }
        next[c->entry_tier] += hires;
        memcpy(en, next, sizeof en);
        for (size_t j = 0; j < nt; j++) {
            char name[32];
            snprintf(name, sizeof name, "teachers.tier.%zu", j);
            double got = col(&e, e.mean, t, name);
            double se = sqrt(col(&e, e.var, t, name) / (double)e.reps);
            ck_assert_msg(fabs(got - en[j]) <= k * se + 1e-9,
                          "year %zu tier %zu: mean %.3f, expected %.3f "
                          "(k=%.2f, se=%.3f)", t, j, got, en[j], k, se);
        }
    }
    ensemble_free(&e);
}

START_TEST(test_replace_recursion)
{
    const char *const sets[] = {"simulation.end_year=2030",
                                "simulation.replicates=2000",
                                "recruitment.mode=replace",
                                "recruitment.entry_tier=SP"};
    check_recursion(sets, 4);
}
END_TEST

START_TEST(test_quota_recursion)
{
    const char *const sets[] = {"simulation.end_year=2028",
                                "simulation.replicates=2000",
                                "recruitment.mode=quota",
                                "recruitment.annual_quota=40",
                                "recruitment.entry_tier=SF"};
    check_recursion(sets, 5);
}
END_TEST

START_TEST(test_replace_keeps_headcount)
{
    /* With "replace", every replicate keeps exactly n(0) teachers and
     * hires equal exits every year: an invariant, not a statistic. */
    const char *const sets[] = {"simulation.end_year=2035",
                                "simulation.replicates=50",
                                "recruitment.mode=replace",
                                "recruitment.entry_tier=SP"};
    ensemble e;
    ensemble_run(&e, sets, 4);
    for (size_t t = 0; t < e.m.n_years; t++) {
        ck_assert_double_eq(col(&e, e.mean, t, "teachers.total"), 580);
        ck_assert_double_eq(col(&e, e.var, t, "teachers.total"), 0);
        ck_assert_double_eq(col(&e, e.mean, t, "hires.total"),
                            col(&e, e.mean, t, "exits.total"));
    }
    /* cumulative hires are the running sum */
    double cum = 0;
    for (size_t t = 0; t < e.m.n_years; t++) {
        cum += col(&e, e.mean, t, "hires.total");
        ck_assert_double_eq_tol(col(&e, e.mean, t, "hires.cumulative"), cum,
                                1e-9);
    }
    ensemble_free(&e);
}
END_TEST

START_TEST(test_same_seed_same_trajectory)
{
    tw_error err;
    tw_config *c = NULL;
    const char *const sets[] = {"simulation.end_year=2030",
                                "recruitment.mode=replace",
                                "recruitment.entry_tier=SP"};
    ck_assert_int_eq(tw_config_load(PUBLISHED, sets, 3, &c, &err), TW_OK);
    tw_model m;
    ck_assert_int_eq(tw_model_init(&m, c, &err), TW_OK);
    size_t len = tw_model_traj_len(&m);
    double *a = malloc(len * sizeof *a), *b = malloc(len * sizeof *b);
    tw_worker *w1 = tw_worker_alloc(&m, &err), *w2 = tw_worker_alloc(&m, &err);
    /* same replicate on two workers, and after other work on the same one */
    ck_assert_int_eq(tw_worker_run(w1, 0, 3, a, &err), TW_OK);
    ck_assert_int_eq(tw_worker_run(w2, 0, 9, b, &err), TW_OK);
    ck_assert_int_eq(tw_worker_run(w2, 0, 3, b, &err), TW_OK);
    ck_assert_int_eq(memcmp(a, b, len * sizeof *a), 0);
    /* a different replicate differs */
    ck_assert_int_eq(tw_worker_run(w2, 0, 4, b, &err), TW_OK);
    ck_assert_int_ne(memcmp(a, b, len * sizeof *a), 0);
    tw_worker_free(w1);
    tw_worker_free(w2);
    free(a);
    free(b);
    tw_model_free(&m);
    tw_config_free(c);
}
END_TEST

/* Run the published config with `reps` replicates into `path`, read back. */
static tw_h5_data *run_to_file(const char *path, const char *reps)
{
    tw_error err;
    tw_config *c = NULL;
    const char *const sets[] = {"simulation.end_year=2026", reps};
    ck_assert_msg(tw_config_load(PUBLISHED, sets, 2, &c, &err) == TW_OK, "%s",
                  err.msg);
    tw_run_opts o = {.out_path = path, .scenario = 0, .progress = NULL};
    ck_assert_msg(tw_run(c, &o, NULL, &err) == TW_OK, "%s", err.msg);
    tw_config_free(c);
    tw_h5_data *d = NULL;
    ck_assert_msg(tw_h5_read(path, &d, &err) == TW_OK, "%s", err.msg);
    return d;
}

START_TEST(test_replicate_independent_of_run_size)
{
    char dir[] = "/tmp/twsim-test-XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    char p10[64], p1000[64];
    snprintf(p10, sizeof p10, "%s/r10.h5", dir);
    snprintf(p1000, sizeof p1000, "%s/r1000.h5", dir);
    tw_h5_data *a = run_to_file(p10, "simulation.replicates=10");
    tw_h5_data *b = run_to_file(p1000, "simulation.replicates=1000");
    ck_assert_uint_eq(a->n_reps, 10);
    ck_assert_uint_eq(b->n_reps, 1000);
    size_t len = a->n_years * a->n_metrics;
    /* replicate k is bitwise the same in both runs */
    for (size_t k = 0; k < 10; k++)
        ck_assert_int_eq(memcmp(a->trajectories + k * len,
                                b->trajectories + k * len,
                                len * sizeof(double)), 0);
    tw_h5_data_free(a);
    tw_h5_data_free(b);
    unlink(p10);
    unlink(p1000);
    rmdir(dir);
}
END_TEST

Suite *markov_suite(void)
{
    Suite *s = suite_create("markov");
    TCase *tc = tcase_create("theory");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_published_one_step);
    tcase_add_test(tc, test_published_one_step_variance);
    tcase_add_test(tc, test_cost_independent_of_headcount);
    tcase_add_test(tc, test_replace_recursion);
    tcase_add_test(tc, test_quota_recursion);
    tcase_add_test(tc, test_replace_keeps_headcount);
    suite_add_tcase(s, tc);
    TCase *rep = tcase_create("reproducibility");
    tcase_set_timeout(rep, 120);
    tcase_add_test(rep, test_same_seed_same_trajectory);
    tcase_add_test(rep, test_replicate_independent_of_run_size);
    suite_add_tcase(s, rep);
    return s;
}
