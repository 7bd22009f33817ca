/*
 * check_meanfield.c - the mean-field mode (tw_meanfield.h, docs/meanfield.md).
 *
 *   Markov mode   equal to the exact recursion E[n(t+1)] = E[n(t)] P +
 *                 E[R(t)] e_entry, computed here another way.
 *   Full mode     on data/full_meanfield.cfg (no cap binds, nothing is
 *                 pooled) the mean field must match the mean of a 400-
 *                 replicate ensemble, every metric and year, within
 *
 *                   k * SE + ALLOW_REL * |mean field| + ALLOW_ABS
 *
 *                 SE: the ensemble mean's standard error (sample sd /
 *                 sqrt(n)); k: the Student t quantile (n - 1 degrees of
 *                 freedom) for a two-sided false-alarm rate ALPHA / m,
 *                 Bonferroni over the m comparisons, so that a correct
 *                 engine fails for fewer than one seed in a million;
 *                 ALLOW_REL: the approximation allowance (below).
 *                 A mean field with a 20% error in one hazard must fail
 *                 the same comparison (the test can fail).
 *   Everywhere    deterministic (bitwise), conserving, internally
 *                 consistent, caps respected, also where it approximates
 *                 (data/full_small.cfg: 县管校聘, 末位 strikes, the pool).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>

#include "tw_config.h"
#include "tw_meanfield.h"
#include "tw_model.h"
#include "tw_tests.h"

#define PUBLISHED TW_TEST_DATA "/published.cfg"
#define FULL_MF TW_TEST_DATA "/full_meanfield.cfg"
#define FULL_SMALL TW_TEST_DATA "/full_small.cfg"
#define FULL_CLOSE TW_TEST_DATA "/full_close.cfg"
#define ALPHA 1e-6

/*
 * Approximation allowance, relative to the mean-field value. In the test
 * configuration the mean field has no cap, rounding or pooling to
 * approximate; what remains is
 *   - shares are ratios of expected counts, E[A]/E[B], while the ensemble
 *     averages A/B: a bias of order Var(B)/E[B]^2 ~ 1/N, below 1e-3 for
 *     the N >= 1000 teachers here;
 *   - factorised attributes within a (stage, locality, service class)
 *     cell (titles given sex and 高级; school composition equal to its
 *     group's): measured against 8000 replicates, no metric of any year
 *     differed by more than 2.3 standard errors (docs/meanfield.md).
 * 0.5% covers the first five times over and is far below the effect of
 * a wrong hazard (20% -> voluntary exits off by 20%).
 */
#define ALLOW_REL 0.005
#define ALLOW_ABS 1e-9 /* floating-point noise on exact values */

typedef struct mfrun {
    tw_config *cfg;
    tw_model m;
    double *traj;
    tw_mf_diag diag;
} mfrun;

static void mf_run(mfrun *r, const char *path, const char *const *sets,
                   size_t n)
{
    tw_error err;
    ck_assert_msg(tw_config_load(path, sets, n, &r->cfg, &err) == TW_OK, "%s",
                  err.msg);
    ck_assert_int_eq(tw_model_init(&r->m, r->cfg, &err), TW_OK);
    r->traj = malloc(tw_model_traj_len(&r->m) * sizeof *r->traj);
    ck_assert_ptr_nonnull(r->traj);
    ck_assert_msg(tw_meanfield_run(&r->m, r->traj, &r->diag, &err) == TW_OK,
                  "%s", err.msg);
}

static void mf_free(mfrun *r)
{
    free(r->traj);
    tw_model_free(&r->m);
    tw_config_free(r->cfg);
}

static double get(const mfrun *r, size_t t, const char *name)
{
    long k = tw_metrics_find(&r->m.metrics, name);
    ck_assert_msg(k >= 0, "no metric %s", name);
    return r->traj[t * r->m.metrics.n + (size_t)k];
}

/* ------------------------------------------------------------------ */
/* Markov mode: exact                                                  */
/* ------------------------------------------------------------------ */

START_TEST(test_markov_published)
{
    /* MODEL.md section 4: n(0) = (300, 200, 50, 30), no recruitment:
     * E[n(1)] = (162.5, 150, 75, 26), 166.5 leavers. */
    mfrun r;
    mf_run(&r, PUBLISHED, NULL, 0);
    const double want[4] = {162.5, 150, 75, 26};
    char name[32];
    for (size_t j = 0; j < 4; j++) {
        snprintf(name, sizeof name, "teachers.tier.%zu", j);
        ck_assert_double_eq_tol(get(&r, 1, name), want[j], 1e-9);
        ck_assert_double_eq(get(&r, 0, name), (double)r.cfg->tier_counts[j]);
    }
    ck_assert_double_eq_tol(get(&r, 1, "exits.total"), 166.5, 1e-9);
    ck_assert_double_eq_tol(get(&r, 1, "teachers.total"), 413.5, 1e-9);
    ck_assert_double_eq(get(&r, 1, "hires.total"), 0);
    ck_assert_double_eq(get(&r, 0, "exits.total"), 0);
    mf_free(&r);
}
END_TEST

/*
 * Many years, computed another way: with "replace" every leaver comes
 * back in the entry tier, so n(t+1) = n(t) Q with Q = P + q e_entry^T,
 * q_i = 1 - row sum i (a stochastic matrix); with "quota",
 * n(t) = n(0) P^t + quota * e_entry (I + P + ... + P^(t-1)), accumulated.
 */
static void check_markov(const char *const *sets, size_t n, int replace)
{
    mfrun r;
    mf_run(&r, PUBLISHED, sets, n);
    const tw_config *c = r.cfg;
    size_t nt = c->n_tiers, e = c->entry_tier;
    double Q[TW_MAX_TIERS][TW_MAX_TIERS], x[TW_MAX_TIERS], y[TW_MAX_TIERS];
    double acc[TW_MAX_TIERS] = {0}, pw[TW_MAX_TIERS] = {0};
    for (size_t i = 0; i < nt; i++) {
        double q = 1;
        for (size_t j = 0; j < nt; j++) {
            Q[i][j] = c->transition[i][j];
            q -= c->transition[i][j];
        }
        if (replace)
            Q[i][e] += q;
        x[i] = (double)c->tier_counts[i];
    }
    pw[e] = 1; /* e_entry P^s, for the quota's sum */
    double cum = 0;
    for (size_t t = 1; t < r.m.n_years; t++) {
        for (size_t j = 0; j < nt; j++) {
            y[j] = 0;
            for (size_t i = 0; i < nt; i++)
                y[j] += x[i] * Q[i][j];
        }
        memcpy(x, y, nt * sizeof *x);
        if (!replace) {
            for (size_t j = 0; j < nt; j++)
                acc[j] += pw[j];
            for (size_t j = 0; j < nt; j++) {
                y[j] = 0;
                for (size_t i = 0; i < nt; i++)
                    y[j] += pw[i] * Q[i][j];
            }
            memcpy(pw, y, nt * sizeof *pw);
        }
        double total = 0;
        for (size_t j = 0; j < nt; j++) {
            double want = x[j] + (replace ? 0 : (double)c->annual_quota * acc[j]);
            char name[32];
            snprintf(name, sizeof name, "teachers.tier.%zu", j);
            ck_assert_double_eq_tol(get(&r, t, name), want,
                                    1e-9 * fmax(1.0, want));
            total += want;
        }
        ck_assert_double_eq_tol(get(&r, t, "teachers.total"), total,
                                1e-9 * total);
        double hires = get(&r, t, "hires.total");
        if (replace)
            ck_assert_double_eq_tol(hires, get(&r, t, "exits.total"), 1e-9);
        else
            ck_assert_double_eq(hires, (double)c->annual_quota);
        cum += hires;
        ck_assert_double_eq_tol(get(&r, t, "hires.cumulative"), cum, 1e-9);
        /* stock(t) = stock(t-1) + hires - exits */
        ck_assert_double_eq_tol(get(&r, t, "teachers.total"),
                                get(&r, t - 1, "teachers.total") + hires -
                                    get(&r, t, "exits.total"),
                                1e-9 * total);
    }
    mf_free(&r);
}

START_TEST(test_markov_replace)
{
    const char *const sets[] = {"simulation.end_year=2040",
                                "recruitment.mode=replace",
                                "recruitment.entry_tier=SP"};
    check_markov(sets, 3, 1);
}
END_TEST

START_TEST(test_markov_quota)
{
    const char *const sets[] = {"simulation.end_year=2032",
                                "recruitment.mode=quota",
                                "recruitment.annual_quota=37",
                                "recruitment.entry_tier=SF"};
    check_markov(sets, 4, 0);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Full mode against the ensemble                                      */
/* ------------------------------------------------------------------ */

/* The ensemble of data/full_meanfield.cfg, run once for the test case
 * (unchecked fixture: its memory is inherited by the forked tests). */
typedef struct ensemble {
    tw_config *cfg;
    tw_model m;
    size_t reps, len;
    double *mean, *var; /* [len]; var: sample variance */
} ensemble;

static ensemble ens, ens_close;

static void ens_load(ensemble *e, const char *path)
{
#define ens (*e)
    tw_error err;
    if (tw_config_load(path, NULL, 0, &ens.cfg, &err) != TW_OK ||
        tw_model_init(&ens.m, ens.cfg, &err) != TW_OK) {
        fprintf(stderr, "check_meanfield: %s\n", err.msg);
        abort();
    }
    ens.reps = ens.cfg->replicates;
    ens.len = tw_model_traj_len(&ens.m);
    ens.mean = calloc(ens.len, sizeof *ens.mean);
    ens.var = calloc(ens.len, sizeof *ens.var);
    double *traj = malloc(ens.len * sizeof *traj);
    tw_worker *w = tw_worker_alloc(&ens.m, &err);
    if (!ens.mean || !ens.var || !traj || !w)
        abort();
    for (size_t r = 0; r < ens.reps; r++) {
        if (tw_worker_run(w, 0, r, traj, &err) != TW_OK)
            abort();
        for (size_t i = 0; i < ens.len; i++) { /* Welford */
            double d = traj[i] - ens.mean[i];
            ens.mean[i] += d / (double)(r + 1);
            ens.var[i] += d * (traj[i] - ens.mean[i]);
        }
    }
    for (size_t i = 0; i < ens.len; i++)
        ens.var[i] /= (double)(ens.reps - 1);
    tw_worker_free(w);
    free(traj);
#undef ens
}

static void ens_setup(void)
{
    ens_load(&ens, FULL_MF);
}

static void ens_free(ensemble *e)
{
    free(e->mean);
    free(e->var);
    tw_model_free(&e->m);
    tw_config_free(e->cfg);
}

static void ens_teardown(void)
{
    ens_free(&ens);
}

static void ens_close_setup(void)
{
    ens_load(&ens_close, FULL_CLOSE);
}

static void ens_close_teardown(void)
{
    ens_free(&ens_close);
}

/*
 * Compare the mean field `mf` (same metric table as the ensemble) with the
 * ensemble mean, every metric and every year. Returns the number of
 * comparisons outside the tolerance; *worst names the one furthest
 * outside (or closest to the edge), *flag_voluntary is set when
 * exits.voluntary fails.
 */
static size_t compare_with(const ensemble *e, const double *mf, char *worst,
                           size_t worst_len, int *flag_voluntary)
{
#define ens (*e)
    size_t nm = ens.m.metrics.n, ny = ens.m.n_years, m = nm * ny;
    double k = gsl_cdf_tdist_Qinv(ALPHA / (2.0 * (double)m),
                                  (double)(ens.reps - 1));
    size_t fails = 0;
    double worst_ratio = -1;
    *flag_voluntary = 0;
    for (size_t t = 0; t < ny; t++)
        for (size_t j = 0; j < nm; j++) {
            size_t i = t * nm + j;
            double se = sqrt(ens.var[i] / (double)ens.reps);
            double tol = k * se + ALLOW_REL * fabs(mf[i]) + ALLOW_ABS;
            double d = fabs(mf[i] - ens.mean[i]);
            if (!(d <= tol)) {
                fails++;
                if (strcmp(ens.m.metrics.v[j].name, "exits.voluntary") == 0)
                    *flag_voluntary = 1;
            }
            if (d / tol > worst_ratio) {
                worst_ratio = d / tol;
                snprintf(worst, worst_len, "%s in %d: ensemble %.4f +- %.4f "
                         "(se), mean field %.4f, tolerance %.4f (k = %.2f)",
                         ens.m.metrics.v[j].name, ens.m.years[t],
                         ens.mean[i], se, mf[i], tol, k);
            }
        }
    return fails;
#undef ens
}

static size_t compare(const double *mf, char *worst, size_t worst_len,
                      int *flag_voluntary)
{
    return compare_with(&ens, mf, worst, worst_len, flag_voluntary);
}

START_TEST(test_full_matches_ensemble)
{
    mfrun r;
    mf_run(&r, FULL_MF, NULL, 0);
    ck_assert_uint_eq(r.m.metrics.n, ens.m.metrics.n);
    char worst[512];
    int vol;
    size_t fails = compare(r.traj, worst, sizeof worst, &vol);
    ck_assert_msg(fails == 0, "%zu comparisons outside the tolerance; worst: "
                  "%s", fails, worst);
    /* the comparison is not vacuous: flows, promotions and every channel
     * of the config happen */
    static const char *const busy[] = {
        "hires.channel.open", "hires.channel.funded", "hires.channel.tegang",
        "hires.channel.enterprise", "exits.death", "exits.retire",
        "exits.voluntary", "promotions.tier.1", "promotions.title.senior",
        "promotions.title.full_senior", "qual.upgrades", "dual.certifications"};
    for (size_t i = 0; i < sizeof busy / sizeof *busy; i++)
        ck_assert_msg(get(&r, 2, busy[i]) > 0.5, "%s is %g", busy[i],
                      get(&r, 2, busy[i]));
    mf_free(&r);
}
END_TEST

START_TEST(test_full_wrong_hazard_fails)
{
    /* A mean field whose voluntary-exit hazard is 20% too high (the
     * ensemble keeps the right one) must be caught by the same test. */
    const char *const sets[] = {"exit.base.primary=0.0144",
                                "exit.base.junior=0.0144",
                                "exit.base.vocational=0.018"};
    mfrun r;
    mf_run(&r, FULL_MF, sets, 3);
    char worst[512];
    int vol;
    size_t fails = compare(r.traj, worst, sizeof worst, &vol);
    ck_assert_msg(fails > 0 && vol, "a 20%% hazard error went unnoticed "
                  "(%zu failures; worst: %s)", fails, worst);
    mf_free(&r);
}
END_TEST

/*
 * Closures (撤并, data/full_close.cfg): the same schools close in both
 * forms (their students are exact), and the mean field, which moves a
 * closed school's stock whole (into a school of its own group, and of
 * another), matches the ensemble by the same test, every metric and year.
 */
START_TEST(test_close_matches_ensemble)
{
    mfrun r;
    mf_run(&r, FULL_CLOSE, NULL, 0);
    ck_assert_uint_eq(r.m.metrics.n, ens_close.m.metrics.n);
    char worst[512];
    int vol;
    size_t fails = compare_with(&ens_close, r.traj, worst, sizeof worst, &vol);
    ck_assert_msg(fails == 0, "%zu comparisons outside the tolerance; worst: "
                  "%s", fails, worst);
    /* not vacuous: 1 school closes in 2022, 2 in 2023, with teachers */
    ck_assert_double_eq(get(&r, 2, "closures.schools"), 1);
    ck_assert_double_eq(get(&r, 3, "closures.schools"), 2);
    ck_assert_double_gt(get(&r, 2, "closures.teachers_moved"), 1);
    ck_assert_double_gt(get(&r, 3, "closures.teachers_moved"), 1);
    ck_assert_double_eq(get(&r, 8, "schools.open.primary"), 13);
    ck_assert_double_le(r.diag.max_imbalance, 1e-9);
    mf_free(&r);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Determinism, consistency, invariants                                */
/* ------------------------------------------------------------------ */

START_TEST(test_deterministic)
{
    static const char *const paths[] = {FULL_MF, FULL_SMALL, PUBLISHED};
    for (size_t p = 0; p < 3; p++) {
        mfrun a, b;
        mf_run(&a, paths[p], NULL, 0);
        mf_run(&b, paths[p], NULL, 0);
        size_t len = tw_model_traj_len(&a.m);
        ck_assert_int_eq(memcmp(a.traj, b.traj, len * sizeof *a.traj), 0);
        mf_free(&a);
        mf_free(&b);
    }
}
END_TEST

/*
 * data/full_small.cfg exercises every approximation (tier caps, title post
 * caps, transfers, 县管校聘 exchange and 竞聘 with the pool, 末位 strikes,
 * the establishment cap): the mean field must still conserve teachers,
 * keep its school and cell views equal, stay non-negative and within the
 * caps, and produce every flow the config switches on.
 */
START_TEST(test_full_consistent)
{
    mfrun r;
    mf_run(&r, FULL_SMALL, NULL, 0);
    ck_assert_double_le(r.diag.max_imbalance, 1e-9);
    ck_assert_double_ge(r.diag.min_cell, -1e-9);
    size_t nm = r.m.metrics.n;
    for (size_t i = 0; i < r.m.n_years * nm; i++) {
        ck_assert_msg(isfinite(r.traj[i]), "%s is not finite",
                      r.m.metrics.v[i % nm].name);
        if (strcmp(r.m.metrics.v[i % nm].unit, "share") == 0)
            ck_assert(r.traj[i] >= -1e-12 && r.traj[i] <= 1 + 1e-12);
        else if (strncmp(r.m.metrics.v[i % nm].name, "gap.", 4) != 0 &&
                 strncmp(r.m.metrics.v[i % nm].name, "establishment.room",
                         18) != 0) /* signed: demand or cap minus stock */
            ck_assert_msg(r.traj[i] >= -1e-9, "%s is %g",
                          r.m.metrics.v[i % nm].name, r.traj[i]);
    }
    static const char *const st[] = {"primary", "junior", "vocational"};
    static const char *const reasons[] = {"death", "retire", "voluntary",
                                          "dismiss", "luopin"};
    char a[64], h[64], e[64];
    double exch = 0, strikes = 0, pool = 0;
    for (size_t t = 1; t < r.m.n_years; t++) {
        double total = 0, ex = 0;
        for (size_t i = 0; i < 3; i++) {
            snprintf(a, sizeof a, "teachers.stage.%s", st[i]);
            snprintf(h, sizeof h, "hires.stage.%s", st[i]);
            snprintf(e, sizeof e, "exits.stage.%s", st[i]);
            double want = get(&r, t - 1, a) + get(&r, t, h) - get(&r, t, e);
            ck_assert_double_eq_tol(get(&r, t, a), want, 1e-9 * want);
            total += get(&r, t, a);
        }
        ck_assert_double_eq_tol(get(&r, t, "teachers.total"), total,
                                1e-9 * total);
        for (size_t i = 0; i < 5; i++) {
            snprintf(e, sizeof e, "exits.%s", reasons[i]);
            ex += get(&r, t, e);
        }
        ck_assert_double_eq_tol(ex, get(&r, t, "exits.total"), 1e-9);
        /* tiers.cap of full_small: [-1, -1, 60, 10]; the initial stock
         * may exceed a cap, but promotions never take a tier above it */
        ck_assert_double_le(get(&r, t, "teachers.tier.2"),
                            fmax(60, get(&r, t - 1, "teachers.tier.2")) + 1e-9);
        ck_assert_double_le(get(&r, t, "teachers.tier.3"),
                            fmax(10, get(&r, t - 1, "teachers.tier.3")) + 1e-9);
        exch += get(&r, t, "exchanges.urban_to_rural") +
                get(&r, t, "exchanges.town_to_rural");
        strikes += get(&r, t, "strikes.1");
        pool += get(&r, t, "rehire.pool_entries") +
                get(&r, t, "rehire.cross_school");
        if (r.m.years[t] < 2022)
            ck_assert_double_eq(get(&r, t, "exchanges.urban_to_rural") +
                                    get(&r, t, "exchanges.town_to_rural"),
                                0);
        if (r.m.years[t] < 2024)
            ck_assert_double_eq(get(&r, t, "strikes.1"), 0);
    }
    ck_assert_double_gt(exch, 0);
    ck_assert_double_gt(strikes, 0);
    ck_assert_double_gt(pool, 0);
    mf_free(&r);
}
END_TEST

Suite *meanfield_suite(void)
{
    Suite *s = suite_create("meanfield");
    TCase *tm = tcase_create("markov");
    tcase_add_test(tm, test_markov_published);
    tcase_add_test(tm, test_markov_replace);
    tcase_add_test(tm, test_markov_quota);
    suite_add_tcase(s, tm);

    TCase *tf = tcase_create("full");
    tcase_set_timeout(tf, 300);
    tcase_add_unchecked_fixture(tf, ens_setup, ens_teardown);
    tcase_add_test(tf, test_full_matches_ensemble);
    tcase_add_test(tf, test_full_wrong_hazard_fails);
    suite_add_tcase(s, tf);

    TCase *tcl = tcase_create("closures");
    tcase_set_timeout(tcl, 300);
    tcase_add_unchecked_fixture(tcl, ens_close_setup, ens_close_teardown);
    tcase_add_test(tcl, test_close_matches_ensemble);
    suite_add_tcase(s, tcl);

    TCase *tc = tcase_create("invariants");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_deterministic);
    tcase_add_test(tc, test_full_consistent);
    suite_add_tcase(s, tc);
    return s;
}
