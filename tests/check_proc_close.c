/*
 * check_proc_close.c - school closures and mergers (撤并,
 * src/model/proc_close.c, docs/model.md "Closures"), on
 * data/full_close.cfg (a named school in 2022; 2 of west's 4 rural
 * primaries into its town primary in 2023):
 *
 *   - after a closure year no teacher has a closed home or school, and a
 *     closed school has no students, demand or headcount: nobody is hired,
 *     transferred or sent on an exchange there afterwards;
 *   - a closure moves students and teachers, never loses or adds any;
 *   - the receivers follow the rule (same county and stage, the largest
 *     school of the asked locality);
 *   - a closures list that closes nothing leaves every metric bitwise as
 *     without it;
 *   - on hand-made worlds, a closed school, whose shortfall (0) is the
 *     largest, is still no exchange, transfer or 公费师范生 destination.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "tw_config.h"
#include "tw_model.h"
#include "tw_tests.h"

#define FULL_MF TW_TEST_DATA "/full_meanfield.cfg"
#define FULL_CLOSE TW_TEST_DATA "/full_close.cfg"
#define FULL_NONE TW_TEST_DATA "/full_close_none.cfg"

typedef struct run {
    tw_config *cfg;
    tw_model m;
} run;

static void load(run *r, const char *path)
{
    tw_error err;
    ck_assert_msg(tw_config_load(path, NULL, 0, &r->cfg, &err) == TW_OK, "%s",
                  err.msg);
    ck_assert_int_eq(tw_model_init(&r->m, r->cfg, &err), TW_OK);
}

static void unload(run *r)
{
    tw_model_free(&r->m);
    tw_config_free(r->cfg);
}

/* A replicate of r stepped to year index t (0: just initialised). */
static tw_sim *sim_to(const run *r, uint64_t rep, size_t t)
{
    tw_error err;
    tw_sim *s = tw_sim_alloc(r->m.world);
    ck_assert_ptr_nonnull(s);
    ck_assert_int_eq(tw_sim_init(s, r->cfg->seed, 0, rep, &err), TW_OK);
    for (size_t y = 1; y <= t; y++)
        ck_assert_int_eq(tw_sim_step(s, y, &err), TW_OK);
    return s;
}

static size_t n_closed(const tw_sim *s)
{
    size_t n = 0;
    for (size_t i = 0; i < s->w->n_schools; i++)
        n += !tw_sim_open(s, i);
    return n;
}

START_TEST(test_nobody_at_closed_schools)
{
    run r;
    load(&r, FULL_CLOSE);
    tw_error err;
    for (uint64_t rep = 0; rep < 20; rep++) {
        tw_sim *s = sim_to(&r, rep, 0);
        ck_assert_uint_eq(n_closed(s), 0);
        for (size_t t = 1; t < r.m.n_years; t++) {
            ck_assert_int_eq(tw_sim_step(s, t, &err), TW_OK);
            size_t want = s->year >= 2023 ? 3 : s->year >= 2022 ? 1 : 0;
            ck_assert_uint_eq(n_closed(s), want);
            for (size_t k = 0; k < s->n; k++) {
                if (s->T.flags[k] & TW_F_GONE)
                    continue;
                ck_assert_msg(tw_sim_open(s, s->T.home[k]) &&
                                  tw_sim_open(s, s->T.school[k]),
                              "%d: teacher %zu at closed school %u/%u",
                              s->year, k, s->T.home[k], s->T.school[k]);
            }
            for (size_t i = 0; i < s->w->n_schools; i++)
                if (!tw_sim_open(s, i)) {
                    ck_assert_double_eq(s->S[i].students, 0);
                    ck_assert_double_eq(s->S[i].demand, 0);
                    ck_assert_uint_eq(s->S[i].headcount, 0);
                }
        }
        tw_sim_free(s);
    }
    unload(&r);
}
END_TEST

/* The closure itself, alone: students and teachers conserved, the moved
 * flow counts the teachers whose home or school changed, receivers by the
 * rule. */
START_TEST(test_closure_conserves)
{
    run r;
    load(&r, FULL_CLOSE);
    const tw_world *w = r.m.world;
    for (size_t t = 2; t <= 3; t++) {
        tw_sim *s = sim_to(&r, 7, t - 1);
        s->t = t;
        s->year = w->base_year + (int)t;
        memset(&s->f, 0, sizeof s->f);
        double before = 0, after = 0;
        for (size_t i = 0; i < w->n_schools; i++)
            before += s->S[i].students;
        uint32_t *home = malloc(s->n * sizeof *home);
        uint32_t *school = malloc(s->n * sizeof *school);
        ck_assert(home && school);
        memcpy(home, s->T.home, s->n * sizeof *home);
        memcpy(school, s->T.school, s->n * sizeof *school);
        size_t n = s->n;
        ck_assert_int_eq(tw_proc_close(s), 0);
        ck_assert_uint_eq(s->n, n);
        for (size_t i = 0; i < w->n_schools; i++)
            after += s->S[i].students;
        ck_assert_double_eq_tol(after, before, 1e-9 * before);
        size_t moved = 0;
        for (size_t k = 0; k < n; k++) {
            if (s->T.flags[k] & TW_F_GONE)
                continue;
            int ch = home[k] != s->T.home[k] || school[k] != s->T.school[k];
            moved += (size_t)ch;
            if (ch) { /* same county and stage; the receiver is open */
                ck_assert(!tw_sim_open(s, home[k]) ||
                          !tw_sim_open(s, school[k]));
                ck_assert_uint_eq(w->schools[s->T.home[k]].county,
                                  w->schools[home[k]].county);
                ck_assert_uint_eq(w->schools[s->T.home[k]].stage,
                                  w->schools[home[k]].stage);
            }
        }
        ck_assert_uint_gt(moved, 0);
        ck_assert_double_eq(s->f.close_moved, (double)moved);
        if (t == 2) { /* schools[1]#5 (east rural) into schools[1]#1 */
            ck_assert_double_eq(s->f.closures[TW_STAGE_PRIMARY], 1);
            ck_assert_uint_eq(s->into[8], 4);
        } else { /* west: town 11-13, rural 14-17; 2 into the largest town */
            ck_assert_double_eq(s->f.closures[TW_STAGE_PRIMARY], 2);
            size_t best = 11;
            for (size_t i = 11; i <= 13; i++) {
                ck_assert_uint_eq(w->schools[i].locality, TW_LOC_TOWN);
                if (s->S[i].students > s->S[best].students)
                    best = i;
            }
            size_t closed = 0;
            for (size_t i = 14; i <= 17; i++)
                if (!tw_sim_open(s, i)) {
                    ck_assert_uint_eq(s->into[i], best);
                    closed++;
                }
            ck_assert_uint_eq(closed, 2);
        }
        free(home);
        free(school);
        tw_sim_free(s);
    }
    unload(&r);
}
END_TEST

/* Trajectory of replicate rep of r into a new array. */
static double *traj_of(const run *r, uint64_t rep)
{
    tw_error err;
    double *traj = malloc(tw_model_traj_len(&r->m) * sizeof *traj);
    tw_worker *w = tw_worker_alloc(&r->m, &err);
    ck_assert(traj && w);
    ck_assert_int_eq(tw_worker_run(w, 0, rep, traj, &err), TW_OK);
    tw_worker_free(w);
    return traj;
}

START_TEST(test_no_closure_bitwise)
{
    run a, b;
    load(&a, FULL_MF);
    load(&b, FULL_NONE);
    for (uint64_t rep = 0; rep < 5; rep++) {
        double *ta = traj_of(&a, rep), *tb = traj_of(&b, rep);
        size_t na = a.m.metrics.n, nb = b.m.metrics.n, common = 0;
        for (size_t j = 0; j < na; j++) {
            long k = tw_metrics_find(&b.m.metrics, a.m.metrics.v[j].name);
            ck_assert_msg(k >= 0, "%s is gone", a.m.metrics.v[j].name);
            common++;
            for (size_t t = 0; t < a.m.n_years; t++)
                ck_assert_msg(memcmp(&ta[t * na + j], &tb[t * nb + (size_t)k],
                                     sizeof *ta) == 0,
                              "%s differs in year %zu",
                              a.m.metrics.v[j].name, t);
        }
        ck_assert_uint_eq(common, na);
        free(ta);
        free(tb);
    }
    unload(&a);
    unload(&b);
}
END_TEST

/* ------------------------------------------------------------------ */
/* A closed school is no one's destination (hand-made worlds)          */
/* ------------------------------------------------------------------ */

/* Schools: 0 urban primary, 1 rural primary (open, above its demand), 2
 * rural primary, closed into 1 (no students, no demand, no teachers). A
 * closed school's shortfall, 0, is then the largest of the rural ones:
 * without the rule every destination below would be school 2. */
static const fx_school DEST[] = {{0, TW_STAGE_PRIMARY, TW_LOC_URBAN, 0},
                                 {0, TW_STAGE_PRIMARY, TW_LOC_RURAL, 0},
                                 {0, TW_STAGE_PRIMARY, TW_LOC_RURAL, 0}};

static tw_sim *dest_sim(const tw_world *w, uint64_t seed)
{
    tw_sim *s = fx_sim(w, seed);
    s->t = 1;
    s->year = w->base_year + 1;
    s->into = malloc(3 * sizeof *s->into); /* freed by tw_sim_free */
    ck_assert_ptr_nonnull(s->into);
    s->into[0] = 0;
    s->into[1] = 1;
    s->into[2] = 1;
    const double demand[] = {10, 1, 0};
    for (size_t i = 0; i < 3; i++)
        s->S[i].demand = demand[i];
    s->county_cap[0] = 1e6;
    for (int j = 0; j < 10; j++) { /* eligible for an exchange */
        size_t k = fx_add(s, 0, s->year - 40, TW_SEX_MALE, 0,
                          TW_TITLE_SECOND, TW_QUAL_BACHELOR, TW_F_BIANZHI);
        s->T.at_school[k] = 10;
    }
    for (int j = 0; j < 5; j++)
        fx_add(s, 1, s->year - 40, TW_SEX_MALE, 0, TW_TITLE_SECOND,
               TW_QUAL_BACHELOR, TW_F_BIANZHI);
    return s;
}

static void none_at_2(const tw_sim *s, const char *what)
{
    for (size_t k = 0; k < s->n; k++)
        if (!(s->T.flags[k] & TW_F_GONE))
            ck_assert_msg(s->T.school[k] != 2 && s->T.home[k] != 2,
                          "%s: teacher %zu sent to the closed school", what,
                          k);
}

START_TEST(test_closed_not_a_destination)
{
    tw_world *w = fx_world(2020, 3, 1, DEST, 3, 2);
    /* exchange: every eligible urban teacher to the most short rural
     * school */
    FX_EACH_COUNTY_YEAR(w, cp) {
        cp->reform = 1;
        cp->exchange_share = 1.0;
        cp->eligible_years = 6;
        cp->term_years = 1;
        cp->pool_max_years = 10;
    }
    tw_sim *s = dest_sim(w, 1);
    /* the rural school short by 10 (an exchange fills a shortfall, never
     * more), the closed one at 0 of 0 */
    s->S[1].demand = 15;
    tw_proc_rotate(s);
    ck_assert_double_eq(s->f.exchanges[TW_LOC_URBAN], 10);
    none_at_2(s, "exchange");
    tw_sim_free(s);
    /* transfers: every teacher, no school short, so uniformly over the
     * other schools of the stage */
    FX_EACH_COUNTY_YEAR(w, cp) {
        cp->reform = 0;
        cp->exchange_share = 0;
        cp->transfer_rate = 1.0;
    }
    for (uint64_t seed = 1; seed <= 20; seed++) {
        s = dest_sim(w, seed);
        s->S[0].demand = 1;
        tw_proc_rotate(s);
        ck_assert_double_gt(s->f.transfers, 0);
        none_at_2(s, "transfer");
        tw_sim_free(s);
    }
    /* 公费师范生: owed a post, placed in the rural school with the largest
     * shortfall when no post is open */
    FX_EACH_COUNTY_YEAR(w, cp) {
        cp->transfer_rate = 0;
        cp->ch[TW_CH_FUNDED].on = 1;
        cp->ch[TW_CH_FUNDED].cohort = 3;
        cp->ch[TW_CH_FUNDED].stage_mask = 1 << TW_STAGE_PRIMARY;
        cp->ch[TW_CH_FUNDED].loc_mask = (1 << TW_N_LOCS) - 1;
        cp->ch[TW_CH_FUNDED].bianzhi = 1;
        cp->ch[TW_CH_FUNDED].age_mean = 23;
        cp->ch[TW_CH_FUNDED].qual_share[TW_QUAL_BACHELOR] = 1.0;
        cp->n_order = 1;
        cp->order[0] = TW_CH_FUNDED;
        for (int l = 0; l < TW_N_LOCS; l++)
            cp->fill_prob[l] = 1.0;
    }
    s = dest_sim(w, 3);
    tw_error err;
    ck_assert_int_eq(tw_proc_recruit(s, &err), TW_OK);
    ck_assert_double_eq(s->f.hires[TW_CH_FUNDED][TW_STAGE_PRIMARY], 3);
    none_at_2(s, "funded hire");
    tw_sim_free(s);
    tw_world_free(w);
}
END_TEST

Suite *close_suite(void)
{
    Suite *s = suite_create("close");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_nobody_at_closed_schools);
    tcase_add_test(tc, test_closure_conserves);
    tcase_add_test(tc, test_no_closure_bitwise);
    tcase_add_test(tc, test_closed_not_a_destination);
    suite_add_tcase(s, tc);
    return s;
}
