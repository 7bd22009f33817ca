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
#define FULL_SUBJ TW_TEST_DATA "/full_meanfield_subjects.cfg"
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

/* An ensemble of data/full_meanfield.cfg (with settings), run once for
 * its test case (unchecked fixture: its memory is inherited by the forked
 * tests). */
typedef struct ens_t {
    tw_config *cfg;
    tw_model m;
    size_t reps, len;
    double *mean, *var; /* [len]; var: sample variance */
} ens_t;

static ens_t ens_base, ens_pipe, ens_titles, ens_close, ens_subj;

/* The 公费师范生 as a 3-year programme: 4 students a year enter, half
 * graduate; 2 and 6 entered in the two years before base_year. */
static const char *const PIPE_SETS[] = {
    "recruitment.channels.funded.cohort=4",
    "recruitment.channels.funded.programme_years=3",
    "recruitment.channels.funded.graduation=0.5",
    "recruitment.channels.funded.intake_before=[2, 6]"};
#define N_PIPE_SETS (sizeof PIPE_SETS / sizeof *PIPE_SETS)

static void ens_build_at(ens_t *e, const char *path, const char *const *sets,
                         size_t n_sets)
{
    memset(e, 0, sizeof *e);
    tw_error err;
    if (tw_config_load(path, sets, n_sets, &e->cfg, &err) != TW_OK ||
        tw_model_init(&e->m, e->cfg, &err) != TW_OK) {
        fprintf(stderr, "check_meanfield: %s\n", err.msg);
        abort();
    }
    e->reps = e->cfg->replicates;
    e->len = tw_model_traj_len(&e->m);
    e->mean = calloc(e->len, sizeof *e->mean);
    e->var = calloc(e->len, sizeof *e->var);
    double *traj = malloc(e->len * sizeof *traj);
    tw_worker *w = tw_worker_alloc(&e->m, &err);
    if (!e->mean || !e->var || !traj || !w)
        abort();
    for (size_t r = 0; r < e->reps; r++) {
        if (tw_worker_run(w, 0, r, traj, &err) != TW_OK)
            abort();
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

static void ens_free(ens_t *e)
{
    free(e->mean);
    free(e->var);
    tw_model_free(&e->m);
    tw_config_free(e->cfg);
}

static void ens_setup(void)
{
    ens_build_at(&ens_base, FULL_MF, NULL, 0);
}

/* The same config with 未定级 as a lasting state (past the probation a
 * teacher gets a title at 0.3 a year, at 0.6 in junior schools) and
 * demotion after review (0.04 a year for 二级 and above; no cap binds in
 * the config). */
static const char *const TITLE_SETS[] = {
    "titles.rate_from_none=0.3", "titles.demotion=0.04",
    "titles.rate_from_none_stage.junior=0.6"};

static void ens_titles_setup(void)
{
    ens_build_at(&ens_titles, FULL_MF, TITLE_SETS, 3);
}

static void ens_titles_teardown(void)
{
    ens_free(&ens_titles);
}

static void ens_teardown(void)
{
    ens_free(&ens_base);
}

static void ens_pipe_setup(void)
{
    ens_build_at(&ens_pipe, FULL_MF, PIPE_SETS, N_PIPE_SETS);
}

static void ens_pipe_teardown(void)
{
    ens_free(&ens_pipe);
}

static void ens_subj_setup(void)
{
    ens_build_at(&ens_subj, FULL_SUBJ, NULL, 0);
}

static void ens_subj_teardown(void)
{
    ens_free(&ens_subj);
}

static void ens_close_setup(void)
{
    ens_build_at(&ens_close, FULL_CLOSE, NULL, 0);
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
static size_t compare_with(const ens_t *e, const char *flag,
                           const double *mf, char *worst, size_t worst_len,
                           int *flagged)
{
    size_t nm = e->m.metrics.n, ny = e->m.n_years, m = nm * ny;
    double k = gsl_cdf_tdist_Qinv(ALPHA / (2.0 * (double)m),
                                  (double)(e->reps - 1));
    size_t fails = 0;
    double worst_ratio = -1;
    *flagged = 0;
    for (size_t t = 0; t < ny; t++)
        for (size_t j = 0; j < nm; j++) {
            size_t i = t * nm + j;
            double se = sqrt(e->var[i] / (double)e->reps);
            double tol = k * se + ALLOW_REL * fabs(mf[i]) + ALLOW_ABS;
            double d = fabs(mf[i] - e->mean[i]);
            if (!(d <= tol)) {
                fails++;
                if (strcmp(e->m.metrics.v[j].name, flag) == 0)
                    *flagged = 1;
            }
            if (d / tol > worst_ratio) {
                worst_ratio = d / tol;
                snprintf(worst, worst_len, "%s in %d: ensemble %.4f +- %.4f "
                         "(se), mean field %.4f, tolerance %.4f (k = %.2f)",
                         e->m.metrics.v[j].name, e->m.years[t],
                         e->mean[i], se, mf[i], tol, k);
            }
        }
    return fails;
}

/* compare_with the base ensemble, flagging exits.voluntary */
static size_t compare(const double *mf, char *worst, size_t worst_len,
                      int *flag_voluntary)
{
    return compare_with(&ens_base, "exits.voluntary", mf, worst, worst_len,
                        flag_voluntary);
}

START_TEST(test_full_matches_ensemble)
{
    mfrun r;
    mf_run(&r, FULL_MF, NULL, 0);
    ck_assert_uint_eq(r.m.metrics.n, ens_base.m.metrics.n);
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

/* With titles.rate_from_none and titles.demotion the mean field must
 * match the ensemble in the same comparison (every metric and year, same
 * tolerances), and the comparison must see the rules: 未定级 teachers
 * accumulate (the share after 2 years above the base year's, which the
 * probation rule empties) and demotions happen. */
START_TEST(test_titles_match_ensemble)
{
    mfrun r;
    mf_run(&r, FULL_MF, TITLE_SETS, 3);
    ck_assert_uint_eq(r.m.metrics.n, ens_titles.m.metrics.n);
    char worst[512];
    int vol;
    size_t fails = compare_with(&ens_titles, "titles.demotions", r.traj,
                                worst, sizeof worst, &vol);
    ck_assert_msg(fails == 0, "%zu comparisons outside the tolerance; worst: "
                  "%s", fails, worst);
    ck_assert_double_gt(get(&r, 2, "titles.demotions"), 0.5);
    ck_assert_double_gt(get(&r, 2, "promotions.title.second"), 0.5);
    mfrun d;
    mf_run(&d, FULL_MF, NULL, 0);
    ck_assert_double_gt(get(&r, 2, "title.none.share"),
                        get(&d, 2, "title.none.share") + 0.01);
    mf_free(&d);
    mf_free(&r);
}
END_TEST

START_TEST(test_pipeline_matches_ensemble)
{
    /* a training pipeline: graduates Binomial(intake, 0.5) in the
     * ensemble, 0.5 x intake in the mean field, placed as the cohort */
    mfrun r;
    mf_run(&r, FULL_MF, PIPE_SETS, N_PIPE_SETS);
    ck_assert_uint_eq(r.m.metrics.n, ens_pipe.m.metrics.n);
    char worst[512];
    int flagged;
    size_t fails = compare_with(&ens_pipe, "pipeline.graduates.funded",
                                r.traj, worst, sizeof worst, &flagged);
    ck_assert_msg(fails == 0, "%zu comparisons outside the tolerance; worst: "
                  "%s", fails, worst);
    /* in each of the two counties: intake_before graduates in 2021 and
     * 2022, the base year's intake in 2023; the students: 2 + 6 + 4 at
     * 2020, then three intakes of 4 */
    static const double grads[] = {0, 2, 6, 4, 4};
    for (size_t t = 0; t < 5; t++) {
        ck_assert_double_eq_tol(get(&r, t, "pipeline.graduates.funded"),
                                grads[t], 1e-9);
        ck_assert_double_eq_tol(get(&r, t, "pipeline.placed.funded"),
                                grads[t], 1e-9);
        ck_assert_double_eq_tol(get(&r, t, "hires.channel.funded"), grads[t],
                                1e-9);
        ck_assert_double_eq_tol(get(&r, t, "pipeline.students.funded"),
                                (t == 0 ? 24.0 : t == 1 ? 28.0 : 24.0), 1e-9);
    }
    mf_free(&r);
}
END_TEST

/* A mean field whose demotion rate is 25% too high, or whose rate out of
 * 未定级 is 20% too high (everywhere, or in junior schools only), must
 * fail the same comparison. */
START_TEST(test_titles_wrong_rate_fails)
{
    static const char *const wrong[3][3] = {
        {"titles.rate_from_none=0.3", "titles.demotion=0.05",
         "titles.rate_from_none_stage.junior=0.6"},
        {"titles.rate_from_none=0.36", "titles.demotion=0.04",
         "titles.rate_from_none_stage.junior=0.6"},
        {"titles.rate_from_none=0.3", "titles.demotion=0.04",
         "titles.rate_from_none_stage.junior=0.72"}};
    for (int i = 0; i < 3; i++) {
        mfrun r;
        mf_run(&r, FULL_MF, wrong[i], 3);
        char worst[512];
        int vol;
        size_t fails = compare_with(&ens_titles, "titles.demotions", r.traj,
                                    worst, sizeof worst, &vol);
        ck_assert_msg(fails > 0, "%s %s went unnoticed (worst: %s)",
                      wrong[i][0], wrong[i][1], worst);
        mf_free(&r);
    }
}
END_TEST

START_TEST(test_pipeline_wrong_share_fails)
{
    /* a mean field with graduation 0.7 where the ensemble has 0.5 */
    const char *sets[N_PIPE_SETS + 1];
    for (size_t i = 0; i < N_PIPE_SETS; i++)
        sets[i] = PIPE_SETS[i];
    sets[N_PIPE_SETS] = "recruitment.channels.funded.graduation=0.7";
    mfrun r;
    mf_run(&r, FULL_MF, sets, N_PIPE_SETS + 1);
    char worst[512];
    int flagged;
    size_t fails = compare_with(&ens_pipe, "pipeline.graduates.funded",
                                r.traj, worst, sizeof worst, &flagged);
    ck_assert_msg(fails > 0 && flagged, "a wrong graduation share went "
                  "unnoticed (%zu failures; worst: %s)", fails, worst);
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
    size_t fails = compare_with(&ens_close, "exits.voluntary", r.traj, worst,
                                sizeof worst, &vol);
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

/*
 * Subjects (data/full_meanfield_subjects.cfg: six subjects, primary on
 * the teaching-load basis, a 1.5% subject that most schools need less
 * than one teacher of). The mean field's subject metrics are expected
 * values of its own approximations (docs/meanfield.md "Subjects"): the
 * subjects of a school independent, a school's counts moved by their
 * means when its headcount changes, arrivals with the group's mix.
 * Allowances, beyond the k SE of every comparison (same k, same 1e-6
 * false-alarm rate as compare_with), measured against 400 replicates of
 * this config over its nine years:
 *   teachers.subject.*   ALLOW_SUBJ_REL of the mean-field value: the
 *                        worst measured excess over k SE was 1.0%
 *                        (mental_health), the hires' rule without the
 *                        teaching-load basis is 18% off (the test below);
 *   shortage.subject.*,  ALLOW_SHORT_ABS teachers or schools: the worst
 *   schools.without.*    measured excess was 1.04 (shortage of "other")
 *                        and 0.36 (schools without mental_health);
 *   every other metric   compare_with's ALLOW_REL (subjects change none).
 */
#define ALLOW_SUBJ_REL 0.03
#define ALLOW_SHORT_ABS 2.0

static size_t compare_subjects(const ens_t *e, const double *mf, char *worst,
                               size_t worst_len)
{
    size_t nm = e->m.metrics.n, ny = e->m.n_years, m = nm * ny;
    double k = gsl_cdf_tdist_Qinv(ALPHA / (2.0 * (double)m),
                                  (double)(e->reps - 1));
    size_t fails = 0;
    double worst_ratio = -1;
    for (size_t t = 0; t < ny; t++)
        for (size_t j = 0; j < nm; j++) {
            const char *name = e->m.metrics.v[j].name;
            size_t i = t * nm + j;
            double se = sqrt(e->var[i] / (double)e->reps);
            double allow = ALLOW_REL * fabs(mf[i]);
            if (strncmp(name, "teachers.subject.", 17) == 0)
                allow = ALLOW_SUBJ_REL * fabs(mf[i]);
            else if (strncmp(name, "shortage.subject.", 17) == 0 ||
                     strncmp(name, "schools.without.", 16) == 0)
                allow = ALLOW_SHORT_ABS;
            double tol = k * se + allow + ALLOW_ABS;
            double d = fabs(mf[i] - e->mean[i]);
            if (!(d <= tol))
                fails++;
            if (d / tol > worst_ratio) {
                worst_ratio = d / tol;
                snprintf(worst, worst_len, "%s in %d: ensemble %.4f +- %.4f "
                         "(se), mean field %.4f, tolerance %.4f (k = %.2f)",
                         name, e->m.years[t], e->mean[i], se, mf[i], tol, k);
            }
        }
    return fails;
}

START_TEST(test_subjects_match_ensemble)
{
    mfrun r;
    mf_run(&r, FULL_SUBJ, NULL, 0);
    ck_assert_uint_eq(r.m.metrics.n, ens_subj.m.metrics.n);
    const tw_world *w = r.cfg->world;
    ck_assert_uint_eq(w->n_subjects, 6);
    /* the subjects add up to the total, every year */
    for (size_t t = 0; t < r.m.n_years; t++) {
        double sum = 0;
        char n[64];
        for (size_t j = 0; j < w->n_subjects; j++) {
            snprintf(n, sizeof n, "teachers.subject.%s", w->subject_names[j]);
            double v = get(&r, t, n);
            ck_assert(v >= 0);
            sum += v;
        }
        double tot = get(&r, t, "teachers.total");
        ck_assert_double_eq_tol(sum, tot, 1e-9 * tot);
        ck_assert(get(&r, t, "schools.without.mental_health") >= 0);
    }
    char worst[512];
    size_t fails = compare_subjects(&ens_subj, r.traj, worst, sizeof worst);
    ck_assert_msg(fails == 0, "%zu comparisons outside the tolerance; worst: "
                  "%s", fails, worst);
    /* not vacuous: hires go to subjects, and small schools lack one */
    ck_assert_double_gt(get(&r, 8, "teachers.subject.mental_health"),
                        get(&r, 0, "teachers.subject.mental_health") + 5);
    ck_assert_double_gt(get(&r, 0, "schools.without.mental_health"), 5);
    mf_free(&r);
}
END_TEST

/* The same comparison sees the hires' rule: a mean field that splits the
 * ratio demand (the config without periods, load and class_size) against
 * the ensemble on the teaching-load basis fails it. */
START_TEST(test_subjects_wrong_basis_fails)
{
    static const char *const sets[] = {
        "subjects.periods={}", "subjects.load={}", "subjects.class_size={}"};
    mfrun r;
    mf_run(&r, FULL_SUBJ, sets, 3);
    ck_assert_int_eq(r.cfg->world->subject_load_mask, 0);
    char worst[512];
    size_t fails = 0;
    /* the table lacks demand.teaching_load: compare column by name */
    size_t nm = ens_subj.m.metrics.n, ny = ens_subj.m.n_years;
    double *mf = malloc(nm * ny * sizeof *mf);
    ck_assert_ptr_nonnull(mf);
    for (size_t t = 0; t < ny; t++)
        for (size_t j = 0; j < nm; j++) {
            long k = tw_metrics_find(&r.m.metrics,
                                     ens_subj.m.metrics.v[j].name);
            mf[t * nm + j] = k >= 0 ? r.traj[t * r.m.metrics.n + (size_t)k]
                                    : ens_subj.mean[t * nm + j];
        }
    fails = compare_subjects(&ens_subj, mf, worst, sizeof worst);
    ck_assert_msg(fails > 0, "the wrong basis passed; closest: %s", worst);
    free(mf);
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

/* ------------------------------------------------------------------ */
/* Stage groups and the stage mask of 县管校聘                          */
/* ------------------------------------------------------------------ */

#define FULL_GROUPS TW_TEST_DATA "/full_small_groups.cfg"

/* The mean over `reps` replicates of the full model, every metric and
 * year: mean[t * metrics + j]. */
static double *ens_mean(const char *path, const char *const *sets, size_t n,
                        size_t reps, tw_model *m, tw_config **cfg)
{
    tw_error err;
    ck_assert_msg(tw_config_load(path, sets, n, cfg, &err) == TW_OK, "%s",
                  err.msg);
    ck_assert_int_eq(tw_model_init(m, *cfg, &err), TW_OK);
    size_t len = tw_model_traj_len(m);
    double *mean = calloc(len, sizeof *mean), *traj = malloc(len * sizeof *traj);
    tw_worker *w = tw_worker_alloc(m, &err);
    ck_assert(mean && traj && w);
    for (size_t r = 0; r < reps; r++) {
        ck_assert_int_eq(tw_worker_run(w, 0, r, traj, &err), TW_OK);
        for (size_t i = 0; i < len; i++)
            mean[i] += traj[i] / (double)reps;
    }
    tw_worker_free(w);
    free(traj);
    return mean;
}

static double at(const tw_model *m, const double *v, size_t t,
                 const char *name)
{
    long k = tw_metrics_find(&m->metrics, name);
    ck_assert_msg(k >= 0, "no metric %s", name);
    return v[t * m->metrics.n + (size_t)k];
}

/* A group's metrics are its stages' pooled: counts sum, shares are the
 * pooled numerator over the pooled denominator, in the mean field as in
 * every replicate. */
START_TEST(test_stage_group_metrics)
{
    mfrun r;
    mf_run(&r, FULL_GROUPS, NULL, 0);
    tw_model m;
    tw_config *cfg;
    double *one = ens_mean(FULL_GROUPS, NULL, 0, 1, &m, &cfg);
    const double *vals[2] = {r.traj, one};
    for (int form = 0; form < 2; form++) {
        const double *v = vals[form];
        for (size_t t = 0; t < m.n_years; t++) {
            double np = at(&m, v, t, "teachers.stage.primary");
            double nj = at(&m, v, t, "teachers.stage.junior");
            double pg = at(&m, v, t, "qual.primary.postgraduate") +
                        at(&m, v, t, "qual.junior.postgraduate");
            double tol = 1e-9 * (np + nj);
            ck_assert_double_eq_tol(at(&m, v, t, "teachers.stage.compulsory"),
                                    np + nj, tol);
            ck_assert_double_eq_tol(at(&m, v, t, "qual.compulsory.postgraduate"),
                                    pg, tol);
            ck_assert_double_eq_tol(
                at(&m, v, t, "qual.compulsory.postgraduate.share"),
                pg / (np + nj), 1e-12);
            ck_assert_double_eq_tol(
                at(&m, v, t, "hires.stage.compulsory"),
                at(&m, v, t, "hires.stage.primary") +
                    at(&m, v, t, "hires.stage.junior"), tol);
            ck_assert_double_eq_tol(
                at(&m, v, t, "gap.compulsory.rural"),
                at(&m, v, t, "gap.primary.rural") +
                    at(&m, v, t, "gap.junior.rural"), 1e-9 * (1 + np));
            /* the group of a stage without schools is its other stage */
            ck_assert_double_eq(at(&m, v, t, "teachers.stage.upper"),
                                at(&m, v, t, "teachers.stage.vocational"));
            ck_assert_double_eq(
                at(&m, v, t, "qual.upper.bachelor_plus.share"),
                at(&m, v, t, "qual.vocational.bachelor_plus.share"));
        }
    }
    /* the pooled ratio: students of both over the teachers with a post of
     * both, not the mean of the two ratios */
    for (size_t t = 0; t < m.n_years; t++) {
        double sp = at(&m, one, t, "students.primary");
        double sj = at(&m, one, t, "students.junior");
        double tp = sp / at(&m, one, t, "ratio.students_per_teacher.primary");
        double tj = sj / at(&m, one, t, "ratio.students_per_teacher.junior");
        ck_assert_double_eq_tol(
            at(&m, one, t, "ratio.students_per_teacher.compulsory"),
            (sp + sj) / (tp + tj), 1e-9);
    }
    free(one);
    tw_model_free(&m);
    tw_config_free(cfg);
    mf_free(&r);
}
END_TEST

/* rotation.stages: the mean field and a 40-replicate ensemble agree on
 * what the mask switches off. With 县管校聘 in junior schools only there is
 * no exchange at all in data/full_small.cfg (its rural junior schools are
 * in the other county), and 竞聘 holds only the junior posts; with primary
 * and junior, the vocational posts (in the south, reformed from 2024)
 * leave the 校内竞聘 round. */
START_TEST(test_rotation_stages_agree)
{
    static const char *const junior[] = {"rotation.stages=[\"junior\"]"};
    static const char *const compulsory[] = {
        "rotation.stages=[\"primary\",\"junior\"]"};
    mfrun all, r1, r2;
    mf_run(&all, FULL_SMALL, NULL, 0);
    mf_run(&r1, FULL_SMALL, junior, 1);
    mf_run(&r2, FULL_SMALL, compulsory, 1);
    tw_model m1, m0;
    tw_config *c1, *c0;
    double *e1 = ens_mean(FULL_SMALL, junior, 1, 40, &m1, &c1);
    double *e0 = ens_mean(FULL_SMALL, NULL, 0, 40, &m0, &c0);
    size_t ny = r1.m.n_years, last = ny - 1;
    for (size_t t = 0; t < ny; t++) {
        ck_assert_double_eq(get(&r1, t, "exchanges.urban_to_rural") +
                                get(&r1, t, "exchanges.town_to_rural"), 0);
        ck_assert_double_eq(at(&m1, e1, t, "exchanges.urban_to_rural") +
                                at(&m1, e1, t, "exchanges.town_to_rural"), 0);
        double in = get(&r1, t, "rehire.in_school");
        /* the junior posts only: at most the junior teachers */
        ck_assert_double_le(in, get(&r1, t, "teachers.stage.junior") + 1e-9);
        ck_assert_double_eq_tol(in, at(&m1, e1, t, "rehire.in_school"),
                                0.02 * in + 1.0);
        /* compulsory only: the vocational posts are out of the round */
        double d_mf = get(&all, t, "rehire.in_school") -
                      get(&r2, t, "rehire.in_school");
        if (r2.m.years[t] >= 2024) /* the reform reaches the south */
            ck_assert_double_eq_tol(
                d_mf, get(&r2, t, "teachers.stage.vocational"),
                0.05 * d_mf + 3.0);
    }
    ck_assert_double_gt(get(&r1, last, "rehire.in_school"), 0);
    ck_assert_double_gt(at(&m0, e0, last, "exchanges.urban_to_rural"), 0);
    free(e1);
    free(e0);
    tw_model_free(&m1);
    tw_model_free(&m0);
    tw_config_free(c1);
    tw_config_free(c0);
    mf_free(&all);
    mf_free(&r1);
    mf_free(&r2);
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

    TCase *tt = tcase_create("titles");
    tcase_set_timeout(tt, 300);
    tcase_add_unchecked_fixture(tt, ens_titles_setup, ens_titles_teardown);
    tcase_add_test(tt, test_titles_match_ensemble);
    tcase_add_test(tt, test_titles_wrong_rate_fails);
    suite_add_tcase(s, tt);

    TCase *tp = tcase_create("pipeline");
    tcase_set_timeout(tp, 300);
    tcase_add_unchecked_fixture(tp, ens_pipe_setup, ens_pipe_teardown);
    tcase_add_test(tp, test_pipeline_matches_ensemble);
    tcase_add_test(tp, test_pipeline_wrong_share_fails);
    suite_add_tcase(s, tp);

    TCase *tcl = tcase_create("closures");
    tcase_set_timeout(tcl, 300);
    tcase_add_unchecked_fixture(tcl, ens_close_setup, ens_close_teardown);
    tcase_add_test(tcl, test_close_matches_ensemble);
    suite_add_tcase(s, tcl);

    TCase *tsj = tcase_create("subjects");
    tcase_set_timeout(tsj, 300);
    tcase_add_unchecked_fixture(tsj, ens_subj_setup, ens_subj_teardown);
    tcase_add_test(tsj, test_subjects_match_ensemble);
    tcase_add_test(tsj, test_subjects_wrong_basis_fails);
    suite_add_tcase(s, tsj);

    TCase *tc = tcase_create("invariants");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_deterministic);
    tcase_add_test(tc, test_full_consistent);
    tcase_add_test(tc, test_stage_group_metrics);
    tcase_add_test(tc, test_rotation_stages_agree);
    suite_add_tcase(s, tc);
    return s;
}
