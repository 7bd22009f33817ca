/*
 * check_subjects.c - subjects beyond the hires (src/model/subjects.c,
 * src/model/proc_rotate.c, docs/model.md "Subjects"): the floor of a
 * subject's demand (tw_subject_demands), exchange visitors, 竞聘 releases
 * and pool placements by subject, 转岗 (tw_proc_retrain) with its
 * capacity, and configs without the new keys running bitwise as before.
 *
 * Deterministic tests use hand-made schools whose subject counts leave one
 * right answer. The statistical test compares a count with its binomial
 * expectation (fx_check_binomial_reps, alpha 1e-6): a correct engine fails
 * it for fewer than one seed in a million. Seeds are fixed, so the suite
 * is deterministic.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_rng.h>

#include "fixture.h"
#include "tw_config.h"
#include "tw_model.h"
#include "tw_tests.h"

#define ALPHA 1e-6
#define BASE 2020
#define NYEARS 4
#define SUBJ TW_TEST_DATA "/full_small_subjects.cfg"

enum { A, B, C }; /* the three subjects of three_subjects() */

/* Subjects a, b, c with shares 0.5, 0.3, 0.2 in every stage but junior,
 * which teaches a and b only (0.6, 0.4); before fx_sim, which sizes the
 * counts by them. */
static void three_subjects(tw_world *w)
{
    w->n_subjects = 3;
    const char *names[] = {"a", "b", "c"};
    const double sh[] = {0.5, 0.3, 0.2};
    for (int j = 0; j < 3; j++) {
        snprintf(w->subject_names[j], TW_SUBJECT_NAME_MAX, "%s", names[j]);
        for (int st = 0; st < TW_N_STAGES; st++)
            w->subject_share[st][j] = w->subject_stock[st][j] = sh[j];
    }
    w->subject_share[TW_STAGE_JUNIOR][A] = 0.6;
    w->subject_share[TW_STAGE_JUNIOR][B] = 0.4;
    w->subject_share[TW_STAGE_JUNIOR][C] = 0.0;
}

static void set_floor(tw_world *w, size_t j, double f)
{
    FX_EACH_YEAR(w, p) p->subject_floor[j] = f;
}

/* A sim in year 1, the population empty. */
static tw_sim *sim1(const tw_world *w, uint64_t seed)
{
    tw_sim *s = fx_sim(w, seed);
    s->t = 1;
    s->year = w->base_year + 1;
    return s;
}

/* A 在编 teacher of subject j at `school`, tier/title as given, years at
 * the school as given; its index. */
static size_t add_j(tw_sim *s, uint32_t school, int j, int tier, int title,
                    int at_school, unsigned flags)
{
    size_t k = fx_add(s, school, s->year - 40, TW_SEX_MALE, tier, title,
                      TW_QUAL_BACHELOR, flags | TW_F_BIANZHI);
    s->T.subject[k] = (uint8_t)j;
    s->T.at_school[k] = (uint8_t)at_school;
    return k;
}

/* s->subj_n is what a recount finds (the moves kept it current). */
static void ck_counts_current(tw_sim *s)
{
    size_t n = s->w->n_schools * TW_MAX_SUBJECTS;
    uint32_t *kept = malloc(n * sizeof *kept);
    ck_assert_ptr_nonnull(kept);
    memcpy(kept, s->subj_n, n * sizeof *kept);
    tw_subject_count(s);
    ck_assert_msg(memcmp(kept, s->subj_n, n * sizeof *kept) == 0,
                  "subject counts not kept current");
    free(kept);
}

/* Two generators at the same point of the same stream draw the same next
 * number: used to prove that a call made no draw. */
static int same_stream(gsl_rng *a, gsl_rng *b)
{
    return gsl_rng_get(a) == gsl_rng_get(b);
}

/* ------------------------------------------------------------------ */
/* The floor                                                           */
/* ------------------------------------------------------------------ */

/* A floor raises its subject to the floor and takes the raise from the
 * other subjects in proportion to their demand; the school's total stays
 * its demand. Below the floor's level the subject takes the whole demand;
 * above it nothing changes; a stage that does not teach the subject is
 * not floored. Then, over a sweep of demands and two floors, the total is
 * kept, every floored subject is at or above its floor (or the floors
 * share the whole demand), and the others keep their ratio. */
START_TEST(test_floor_demand)
{
    const fx_school sc[] = {{0, TW_STAGE_PRIMARY, TW_LOC_URBAN, 0}};
    tw_world *w = fx_world(BASE, NYEARS, 1, sc, 1, 2);
    three_subjects(w);
    double d[TW_MAX_SUBJECTS];
    const int P = TW_STAGE_PRIMARY;

    tw_subject_demands(w, 1, 0, 0.0, 2.0, d); /* no floor: the shares */
    ck_assert_double_eq_tol(d[C], 0.4, 1e-12);

    set_floor(w, C, 1.0);
    tw_subject_demands(w, 1, 0, 0.0, 2.0, d);
    ck_assert_double_eq_tol(d[C], 1.0, 1e-12);
    ck_assert_double_eq_tol(d[A], 1.0 * 0.5 / 0.8, 1e-12);
    ck_assert_double_eq_tol(d[B], 1.0 * 0.3 / 0.8, 1e-12);
    tw_subject_demands(w, 1, 0, 0.0, 0.5, d); /* floor over the demand */
    ck_assert_double_eq_tol(d[C], 0.5, 1e-12);
    ck_assert_double_eq_tol(d[A] + d[B], 0.0, 1e-12);
    tw_subject_demands(w, 1, 0, 0.0, 10.0, d); /* 2 >= 1: as the shares */
    ck_assert_double_eq_tol(d[C], 2.0, 1e-12);
    ck_assert_double_eq_tol(d[A], 5.0, 1e-12);
    tw_subject_demands(w, 1, 0, 0.0, 0.0, d);
    ck_assert_double_eq(d[A] + d[B] + d[C], 0.0);
    w->schools[0].stage = TW_STAGE_JUNIOR;
    tw_subject_demands(w, 1, 0, 0.0, 2.0, d); /* c not taught */
    w->schools[0].stage = P;
    ck_assert_double_eq(d[C], 0.0);
    ck_assert_double_eq_tol(d[A], 1.2, 1e-12);
    tw_subject_demands(w, 0, 0, 0.0, 2.0, d); /* year 0 has its own floor */
    ck_assert_double_eq_tol(d[C], 1.0, 1e-12);

    set_floor(w, B, 1.5);
    for (int i = 1; i <= 400; i++) {
        double dd = 0.05 * i;
        tw_subject_demands(w, 1, 0, 0.0, dd, d);
        ck_assert_double_eq_tol(d[A] + d[B] + d[C], dd, 1e-9);
        if (dd >= 2.5) {
            ck_assert_double_ge(d[B], 1.5 - 1e-12);
            ck_assert_double_ge(d[C], 1.0 - 1e-12);
            ck_assert_double_ge(d[A], 0.0);
        } else { /* the floors share the whole demand */
            ck_assert_double_eq_tol(d[A], 0.0, 1e-12);
            ck_assert_double_eq_tol(d[B] / d[C], 1.5, 1e-9);
        }
        if (dd * 0.3 >= 1.5 && dd * 0.2 >= 1.0) /* neither binds */
            ck_assert_double_eq_tol(d[A], 0.5 * dd, 1e-9);
    }
    /* taking from b for c's floor brings b below its own: both floored */
    set_floor(w, B, 1.2);
    set_floor(w, C, 2.0);
    tw_subject_demands(w, 1, 0, 0.0, 4.2, d); /* shares 2.1, 1.26, 0.84 */
    ck_assert_double_eq_tol(d[C], 2.0, 1e-12);
    ck_assert_double_eq_tol(d[B], 1.2, 1e-12);
    ck_assert_double_eq_tol(d[A], 1.0, 1e-12);
    tw_world_free(w);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Exchange, 竞聘 and the pool by subject                              */
/* ------------------------------------------------------------------ */

/* One urban sender with one eligible teacher of subject b, and rural
 * schools: 1 short by 3 in total and not in b; 2 short by 1 in total and
 * 0.6 in b; 3 short by 1.2 in b but at its demand in total. The visitor
 * goes to 2: the subject first, among the schools short in total. Without
 * subjects it goes to 1, the most short. */
static const fx_school EX[] = {
    {0, TW_STAGE_PRIMARY, TW_LOC_URBAN, 0}, /* 0 */
    {0, TW_STAGE_PRIMARY, TW_LOC_RURAL, 0}, /* 1: demand 5, b b */
    {0, TW_STAGE_PRIMARY, TW_LOC_RURAL, 0}, /* 2: demand 2, a */
    {0, TW_STAGE_PRIMARY, TW_LOC_RURAL, 0}, /* 3: demand 4, a a a a */
};

static uint32_t exchange_dest(int subjects, uint64_t seed)
{
    tw_world *w = fx_world(BASE, NYEARS, 1, EX, 4, 2);
    if (subjects)
        three_subjects(w);
    FX_EACH_COUNTY_YEAR(w, cp) {
        cp->reform = 1;
        cp->exchange_share = 1.0;
        cp->eligible_years = 6;
        cp->term_years = 2;
        cp->pool_max_years = 1;
    }
    tw_sim *s = sim1(w, seed);
    size_t k = add_j(s, 0, B, 0, TW_TITLE_SECOND, 7, 0);
    for (int i = 0; i < 2; i++)
        add_j(s, 1, B, 0, TW_TITLE_SECOND, 1, 0);
    add_j(s, 2, A, 0, TW_TITLE_SECOND, 1, 0);
    for (int i = 0; i < 4; i++)
        add_j(s, 3, A, 0, TW_TITLE_SECOND, 1, 0);
    const double dem[] = {1, 5, 2, 4};
    for (int i = 0; i < 4; i++)
        s->S[i].demand = dem[i];
    tw_proc_rotate(s);
    ck_assert_double_eq(s->f.exchanges[TW_LOC_URBAN], 1);
    ck_assert_uint_eq(s->T.term_left[k], 2);
    ck_assert_uint_eq(s->T.home[k], 0);
    uint32_t to = s->T.school[k];
    if (subjects)
        ck_counts_current(s);
    tw_sim_free(s);
    tw_world_free(w);
    return to;
}

START_TEST(test_exchange_subject)
{
    for (uint64_t seed = 1; seed <= 5; seed++) {
        ck_assert_uint_eq(exchange_dest(1, seed), 2);
        ck_assert_uint_eq(exchange_dest(0, seed), 1);
    }
}
END_TEST

/* 竞聘 at a school of demand 4 (posts 4; demand a 2, b 1.2, c 0.8) with
 * five holders: a1 the worst-ranked of all (tier 0, 未定级), a2, and b1,
 * b2, b3 (b2 the worst of the b's). It releases one: b2, from b, the
 * subject furthest over its demand (1.8 against a's 0), not a1 as the
 * ranking alone would; without subjects a1 goes. No other school: the
 * released teacher enters the pool. */
START_TEST(test_rehire_surplus_subject)
{
    const fx_school sc[] = {{0, TW_STAGE_PRIMARY, TW_LOC_URBAN, 0}};
    for (int subjects = 0; subjects <= 1; subjects++) {
        tw_world *w = fx_world(BASE, NYEARS, 1, sc, 1, 2);
        if (subjects)
            three_subjects(w);
        FX_EACH_COUNTY_YEAR(w, cp) {
            cp->reform = 1;
            cp->rehire_on = 1;
            cp->pool_max_years = 1;
        }
        for (uint64_t seed = 1; seed <= 10; seed++) {
            tw_sim *s = sim1(w, seed);
            size_t a1 = add_j(s, 0, A, 0, TW_TITLE_NONE, 3, 0);
            size_t a2 = add_j(s, 0, A, 1, TW_TITLE_FIRST, 3, 0);
            size_t b1 = add_j(s, 0, B, 1, TW_TITLE_FIRST, 3, 0);
            size_t b2 = add_j(s, 0, B, 1, TW_TITLE_SECOND, 3, 0);
            size_t b3 = add_j(s, 0, B, 1, TW_TITLE_FIRST, 3, 0);
            s->S[0].demand = 4.0;
            tw_proc_rotate(s);
            size_t out = subjects ? b2 : a1;
            const size_t all[] = {a1, a2, b1, b2, b3};
            for (int e = 0; e < 5; e++)
                ck_assert_uint_eq(s->T.flags[all[e]] & TW_F_POOL,
                                  all[e] == out ? TW_F_POOL : 0);
            ck_assert_double_eq(s->f.pool_entries, 1);
            ck_assert_uint_eq(s->S[0].headcount, 4);
            if (subjects) {
                ck_assert_uint_eq(s->subj_n[B], 2);
                ck_counts_current(s);
            }
            tw_sim_free(s);
        }
        tw_world_free(w);
    }
}
END_TEST

/* A pooled teacher of subject c and two schools with open posts: 1 with 3
 * (demand 5, two c teachers: c not short) and 2 with 1 (demand 3, one a
 * and one b: c short by 0.6). With subjects it is placed at 2; without,
 * at 1, the school with the most open posts. */
START_TEST(test_pool_subject)
{
    const fx_school sc[] = {{0, TW_STAGE_PRIMARY, TW_LOC_URBAN, 0},
                            {0, TW_STAGE_PRIMARY, TW_LOC_URBAN, 0},
                            {0, TW_STAGE_PRIMARY, TW_LOC_TOWN, 0}};
    for (int subjects = 0; subjects <= 1; subjects++) {
        tw_world *w = fx_world(BASE, NYEARS, 1, sc, 3, 2);
        if (subjects)
            three_subjects(w);
        FX_EACH_COUNTY_YEAR(w, cp) {
            cp->reform = 1;
            cp->pool_max_years = 2;
        }
        tw_sim *s = sim1(w, 3);
        size_t k = add_j(s, 0, C, 0, TW_TITLE_SECOND, 0, TW_F_POOL);
        add_j(s, 1, C, 0, TW_TITLE_SECOND, 3, 0);
        add_j(s, 1, C, 0, TW_TITLE_SECOND, 3, 0);
        add_j(s, 2, A, 0, TW_TITLE_SECOND, 3, 0);
        add_j(s, 2, B, 0, TW_TITLE_SECOND, 3, 0);
        const double dem[] = {0, 5, 3};
        for (int i = 0; i < 3; i++)
            s->S[i].demand = dem[i];
        tw_proc_rotate(s);
        ck_assert_uint_eq(s->T.flags[k] & TW_F_POOL, 0);
        ck_assert_uint_eq(s->T.school[k], subjects ? 2 : 1);
        ck_assert_uint_eq(s->T.home[k], subjects ? 2 : 1);
        ck_assert_double_eq(s->f.rehire_placed_cross, 1);
        if (subjects)
            ck_counts_current(s);
        tw_sim_free(s);
        tw_world_free(w);
    }
}
END_TEST

/* ------------------------------------------------------------------ */
/* 转岗                                                                */
/* ------------------------------------------------------------------ */

/* School 0 (demand 10: a 5, b 3, c 2) with 8 teachers of a, 3 of b, none
 * of c; plus a pooled a and a visitor of a from school 1 (neither holds a
 * post there: never retrained). With probability 1 and no capacity, every
 * a holder succeeds, but only two retrain, into c, the most short: then a
 * has 6 (one over: a third would leave it short) and c has its 2. */
static tw_sim *retrain_sim(tw_world *w, uint64_t seed, size_t *pooled,
                           size_t *visitor)
{
    tw_sim *s = sim1(w, seed);
    for (int i = 0; i < 8; i++)
        add_j(s, 0, A, 0, TW_TITLE_SECOND, 3, 0);
    for (int i = 0; i < 3; i++)
        add_j(s, 0, B, 0, TW_TITLE_SECOND, 3, 0);
    *pooled = add_j(s, 0, A, 0, TW_TITLE_SECOND, 3, TW_F_POOL);
    *visitor = add_j(s, 1, A, 0, TW_TITLE_SECOND, 3, 0);
    s->T.school[*visitor] = 0;
    s->T.term_left[*visitor] = 1;
    s->S[0].demand = 10.0;
    s->S[1].demand = 1.0;
    return s;
}

static size_t n_of(const tw_sim *s, uint32_t school, int j)
{
    size_t n = 0;
    for (size_t k = 0; k < s->n; k++)
        n += s->T.school[k] == school && s->T.subject[k] == j &&
             !(s->T.flags[k] & (TW_F_GONE | TW_F_POOL));
    return n;
}

static void retrain_params(tw_world *w, double prob, int64_t cap)
{
    FX_EACH_COUNTY_YEAR(w, cp) {
        cp->retrain_prob = prob;
        cp->retrain_capacity = cap;
    }
}

START_TEST(test_retrain)
{
    const fx_school sc[] = {{0, TW_STAGE_PRIMARY, TW_LOC_URBAN, 0},
                            {0, TW_STAGE_PRIMARY, TW_LOC_URBAN, 0}};
    tw_world *w = fx_world(BASE, NYEARS, 1, sc, 2, 2);
    three_subjects(w);
    size_t pooled, visitor;

    retrain_params(w, 1.0, -1);
    for (uint64_t seed = 1; seed <= 5; seed++) {
        tw_sim *s = retrain_sim(w, seed, &pooled, &visitor);
        tw_proc_retrain(s);
        ck_assert_uint_eq(n_of(s, 0, A), 6 + 1); /* and the visitor */
        ck_assert_uint_eq(n_of(s, 0, B), 3);
        ck_assert_uint_eq(n_of(s, 0, C), 2);
        ck_assert_uint_eq(s->T.subject[pooled], A);
        ck_assert_uint_eq(s->T.subject[visitor], A);
        ck_assert_double_eq(s->f.retrained, 2);
        ck_assert_double_eq(s->cf[0].retrained, 2);
        tw_sim_free(s);
    }

    /* capacity 1: one a year, a random one of the successes */
    retrain_params(w, 1.0, 1);
    int first[8] = {0};
    for (uint64_t seed = 1; seed <= 40; seed++) {
        tw_sim *s = retrain_sim(w, seed, &pooled, &visitor);
        tw_proc_retrain(s);
        ck_assert_uint_eq(n_of(s, 0, C), 1);
        ck_assert_double_eq(s->f.retrained, 1);
        for (size_t k = 0; k < 8; k++)
            first[k] += s->T.subject[k] == C;
        s->t = 2;
        s->year++;
        memset(&s->f, 0, sizeof s->f);
        tw_proc_retrain(s); /* the next year, one more */
        ck_assert_uint_eq(n_of(s, 0, C), 2);
        ck_assert_double_eq(s->f.retrained, 1);
        tw_sim_free(s);
    }
    int chosen = 0; /* not always the first in s->T order */
    for (size_t k = 0; k < 8; k++)
        chosen += first[k] > 0;
    ck_assert_int_ge(chosen, 3);

    /* capacity 0, or probability 0: nobody, and no draw */
    const double probs[] = {1.0, 0.0};
    const int64_t caps[] = {0, -1};
    for (int c = 0; c < 2; c++) {
        retrain_params(w, probs[c], caps[c]);
        tw_sim *s = retrain_sim(w, 7, &pooled, &visitor);
        tw_sim *r = retrain_sim(w, 7, &pooled, &visitor);
        tw_proc_retrain(s);
        ck_assert_uint_eq(n_of(s, 0, C), 0);
        ck_assert_double_eq(s->f.retrained, 0);
        if (probs[c] == 0.0)
            ck_assert(same_stream(s->rng, r->rng));
        tw_sim_free(s);
        tw_sim_free(r);
    }
    tw_world_free(w);
}
END_TEST

/* With the need larger than the successes (100 teachers of a at demand
 * 100: a over by 50, b and c short by 30 and 20), every trial that
 * succeeds retrains (more than 50 successes, P < 1e-11, would not): the
 * count is Binomial(100, 0.2) in each of 200 replicates
 * (fx_check_binomial_reps, alpha 1e-6, m = 1). */
START_TEST(test_retrain_binomial)
{
    const fx_school sc[] = {{0, TW_STAGE_PRIMARY, TW_LOC_URBAN, 0}};
    tw_world *w = fx_world(BASE, NYEARS, 1, sc, 1, 2);
    three_subjects(w);
    retrain_params(w, 0.2, -1);
    enum { R = 200, N = 100 };
    double count[R];
    for (int r = 0; r < R; r++) {
        tw_sim *s = sim1(w, 1000 + (uint64_t)r);
        for (int i = 0; i < N; i++)
            add_j(s, 0, A, 0, TW_TITLE_SECOND, 3, 0);
        s->S[0].demand = N;
        tw_proc_retrain(s);
        count[r] = s->f.retrained;
        ck_assert_double_eq(count[r], (double)(n_of(s, 0, B) + n_of(s, 0, C)));
        tw_sim_free(s);
    }
    fx_check_binomial_reps(count, R, N, 0.2, ALPHA, 1, "转岗");
    tw_world_free(w);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Configs without the new keys: bitwise as before                      */
/* ------------------------------------------------------------------ */

typedef struct run {
    tw_config *cfg;
    tw_model m;
} run;

static void load(run *r, const char *const *sets, size_t n)
{
    tw_error err = {0};
    ck_assert_msg(tw_config_load(SUBJ, sets, n, &r->cfg, &err) == TW_OK,
                  "%s", err.msg);
    ck_assert_int_eq(tw_model_init(&r->m, r->cfg, &err), TW_OK);
}

static void unload(run *r)
{
    tw_model_free(&r->m);
    tw_config_free(r->cfg);
}

static double *traj_of(const run *r, uint64_t rep)
{
    tw_error err = {0};
    double *traj = malloc(tw_model_traj_len(&r->m) * sizeof *traj);
    tw_worker *w = tw_worker_alloc(&r->m, &err);
    ck_assert(traj && w);
    ck_assert_int_eq(tw_worker_run(w, 0, rep, traj, &err), TW_OK);
    tw_worker_free(w);
    return traj;
}

/* Every metric of run a, replicate by replicate, against b's column of
 * the same name: bitwise equal (want 1) or some differ (want 0). */
static void compare_runs(const run *a, const run *b, int want)
{
    int differ = 0;
    for (uint64_t rep = 0; rep < 4; rep++) {
        double *ta = traj_of(a, rep), *tb = traj_of(b, rep);
        size_t na = a->m.metrics.n, nb = b->m.metrics.n;
        for (size_t j = 0; j < na; j++) {
            long k = tw_metrics_find(&b->m.metrics, a->m.metrics.v[j].name);
            ck_assert_msg(k >= 0, "%s is gone", a->m.metrics.v[j].name);
            for (size_t t = 0; t < a->m.n_years; t++) {
                int same = memcmp(&ta[t * na + j], &tb[t * nb + (size_t)k],
                                  sizeof *ta) == 0;
                ck_assert_msg(same || !want, "%s differs in year %zu",
                              a->m.metrics.v[j].name, t);
                differ |= !same;
            }
        }
        free(ta);
        free(tb);
    }
    if (!want)
        ck_assert_msg(differ, "the runs are the same");
}

/* A floor of 0 and a 转岗 probability of 0 are the config without them:
 * the same metrics, bitwise (no draw, no subjects.retrained column). A
 * floor that binds, or a probability above 0, changes the run: the test
 * can tell. */
START_TEST(test_no_new_keys_bitwise)
{
    run plain, zero, floor1, prob;
    load(&plain, NULL, 0);
    const char *const z[] = {"subjects.floor.pe=0",
                             "subjects.retrain.prob=0",
                             "subjects.retrain.capacity=5"};
    load(&zero, z, 3);
    const char *const f[] = {"subjects.floor.pe=5"};
    load(&floor1, f, 1);
    const char *const p[] = {"subjects.retrain.prob=0.2"};
    load(&prob, p, 1);
    ck_assert_uint_eq(zero.m.metrics.n, plain.m.metrics.n);
    ck_assert_int_lt(tw_metrics_find(&plain.m.metrics, "subjects.retrained"),
                     0);
    ck_assert_int_ge(tw_metrics_find(&prob.m.metrics, "subjects.retrained"),
                     0);
    compare_runs(&plain, &zero, 1);
    compare_runs(&plain, &floor1, 0);
    compare_runs(&plain, &prob, 0);
    unload(&plain);
    unload(&zero);
    unload(&floor1);
    unload(&prob);
}
END_TEST

/* Recruitment counts no subjects of its own after rotation: the counts
 * rotation and 转岗 leave behind must be what a recount finds. The year of
 * tw_sim_step, process by process, on the small region with 转岗 and a
 * floor, 4 replicates x 5 years: after rotation and after 转岗 the kept
 * counts equal a recount. */
START_TEST(test_counts_kept_through_the_year)
{
    run r;
    const char *const sets[] = {"subjects.retrain.prob=0.3",
                                "subjects.floor.pe=5"};
    load(&r, sets, 2);
    tw_error err = {0};
    for (uint64_t rep = 0; rep < 4; rep++) {
        tw_sim *s = tw_sim_alloc(r.m.world);
        ck_assert_ptr_nonnull(s);
        ck_assert_int_eq(tw_sim_init(s, r.cfg->seed, 0, rep, &err), TW_OK);
        double retrained = 0;
        for (size_t t = 1; t < r.m.n_years; t++) {
            s->t = t;
            s->year = r.m.world->base_year + (int)t;
            memset(&s->f, 0, sizeof s->f);
            memset(s->cf, 0, r.m.world->n_counties * sizeof *s->cf);
            s->subj_fresh = 0;
            tw_proc_demand(s);
            tw_proc_leave(s);
            tw_proc_strikes(s);
            tw_proc_develop(s);
            tw_proc_rotate(s);
            ck_assert_int_eq(s->subj_fresh, 1);
            ck_counts_current(s);
            tw_proc_retrain(s);
            ck_counts_current(s);
            retrained += s->f.retrained;
            tw_sim_compact(s);
            ck_assert_int_eq(tw_proc_recruit(s, &err), TW_OK);
            ck_assert_int_eq(s->subj_fresh, 0);
            tw_proc_age_tally(s);
        }
        ck_assert_double_gt(retrained, 0); /* the test saw some */
        tw_sim_free(s);
    }
    unload(&r);
}
END_TEST

Suite *subjects_suite(void)
{
    Suite *s = suite_create("subjects");
    TCase *tc = tcase_create("subjects");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_floor_demand);
    tcase_add_test(tc, test_exchange_subject);
    tcase_add_test(tc, test_rehire_surplus_subject);
    tcase_add_test(tc, test_pool_subject);
    tcase_add_test(tc, test_retrain);
    tcase_add_test(tc, test_retrain_binomial);
    tcase_add_test(tc, test_no_new_keys_bitwise);
    tcase_add_test(tc, test_counts_kept_through_the_year);
    suite_add_tcase(s, tc);
    return s;
}
