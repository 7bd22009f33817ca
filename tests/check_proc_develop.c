/*
 * check_proc_develop.c - professional development (MODEL.md 3.6,
 * src/model/proc_develop.c): tier promotion, title promotion (职称),
 * qualification upgrade and 双师型 (dual-qualified) certification.
 *
 * The processes are called directly on fixture worlds (every other process
 * off); the years are advanced by the test itself (in_tier, in_title,
 * service + 1), so the suite does not depend on tw_proc_age.
 *
 * Statistical tests compare counts with their exact expectation within
 * k standard errors, k = Qinv(ALPHA / (2 m)) for m comparisons in the test
 * and ALPHA = 1e-6: for a random seed, a correct implementation fails with
 * probability below one in a million (Bonferroni). Seeds are fixed, so the
 * suite is deterministic.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_rng.h>

#include "fixture.h"
#include "tw_tests.h"

#define ALPHA 1e-6

static double zk(int m)
{
    return gsl_cdf_ugaussian_Qinv(ALPHA / 2.0 / m);
}

/* Put the replicate in year index 1 (the processes read params[1]). */
static void at_year1(tw_sim *s)
{
    s->t = 1;
    s->year = s->w->base_year + 1;
}

/* One year passes for everybody: the counters the processes read. */
static void advance(tw_sim *s)
{
    tw_teachers *T = &s->T;
    for (size_t k = 0; k < s->n; k++) {
        if (T->flags[k] & TW_F_GONE)
            continue;
        T->in_tier[k]++;
        T->in_title[k]++;
        if (T->service[k] < 255)
            T->service[k]++;
    }
}

/* Was s->rng left untouched since `ref` was cloned from it? */
static int rng_untouched(const tw_sim *s, gsl_rng *ref)
{
    int same = 1;
    for (int i = 0; i < 4; i++)
        same &= gsl_rng_get(s->rng) == gsl_rng_get(ref);
    return same;
}

static const fx_school ONE_PRIMARY[] = {{0, TW_STAGE_PRIMARY, TW_LOC_URBAN, 100}};

/* ------------------------------------------------------------------ */
/* Tiers                                                               */
/* ------------------------------------------------------------------ */

START_TEST(test_tier_exactly_at_min_years)
{
    /* 3 tiers, 3 years in tier 0 and 2 in tier 1, probability 1: a
     * teacher reaches tier 1 in year 3 and tier 2 in year 5, never
     * earlier; one starting with in_tier 2 reaches tier 1 in year 1. */
    tw_world *w = fx_world(2020, 3, 1, ONE_PRIMARY, 1, 3);
    FX_EACH_YEAR(w, p) {
        p->tier_on = 1;
        p->tier_min_years[0] = 3;
        p->tier_min_years[1] = 2;
        p->tier_prob[0] = p->tier_prob[1] = 1.0;
    }
    tw_sim *s = fx_sim(w, 1);
    at_year1(s);
    for (int i = 0; i < 20; i++)
        fx_add(s, 0, 1990, TW_SEX_FEMALE, 0, TW_TITLE_SECOND,
               TW_QUAL_BACHELOR, TW_F_BIANZHI);
    s->T.in_tier[0] = 2;
    double total = 0;
    for (int y = 0; y <= 8; y++) {
        tw_proc_tiers(s);
        total += s->f.tier_promotions[1] + s->f.tier_promotions[2];
        int want = y >= 5 ? 2 : y >= 3 ? 1 : 0;
        int want0 = y >= 3 ? 2 : y >= 1 ? 1 : 0;
        ck_assert_int_eq(s->T.tier[0], want0);
        for (size_t k = 1; k < s->n; k++)
            ck_assert_msg(s->T.tier[k] == want, "year %d teacher %zu: tier %d",
                          y, k, s->T.tier[k]);
        memset(&s->f, 0, sizeof s->f);
        advance(s);
    }
    ck_assert_double_eq(total, 40); /* every teacher promoted twice */
    tw_sim_free(s);
    tw_world_free(w);
}
END_TEST

START_TEST(test_tier_one_step_per_year)
{
    /* min years 0 and probability 1 everywhere: still one tier per year,
     * whatever the order in which targets are filled. */
    tw_world *w = fx_world(2020, 3, 1, ONE_PRIMARY, 1, 4);
    FX_EACH_YEAR(w, p) {
        p->tier_on = 1;
        for (int i = 0; i < 4; i++) {
            p->tier_min_years[i] = 0;
            p->tier_prob[i] = 1.0;
        }
    }
    tw_sim *s = fx_sim(w, 2);
    at_year1(s);
    for (int i = 0; i < 4; i++) {
        size_t k = fx_add(s, 0, 1990, TW_SEX_MALE, i, TW_TITLE_SECOND,
                          TW_QUAL_BACHELOR, 0);
        s->T.in_tier[k] = 5;
    }
    tw_proc_tiers(s);
    for (int i = 0; i < 4; i++)
        ck_assert_int_eq(s->T.tier[i], i < 3 ? i + 1 : 3);
    ck_assert_int_eq(s->T.in_tier[0], 0);
    ck_assert_double_eq(s->f.tier_promotions[1], 1);
    ck_assert_double_eq(s->f.tier_promotions[2], 1);
    ck_assert_double_eq(s->f.tier_promotions[3], 1);
    tw_sim_free(s);
    tw_world_free(w);
}
END_TEST

START_TEST(test_tier_capacity_exact)
{
    /* 100 certain candidates, capacity 7 into tier 1: exactly 7, for many
     * seeds; capacity 0 with probability 0.5: nobody and no draw. */
    tw_world *w = fx_world(2020, 3, 1, ONE_PRIMARY, 1, 3);
    FX_EACH_YEAR(w, p) {
        p->tier_on = 1;
        p->tier_prob[0] = 1.0;
        p->tier_capacity[1] = 7;
    }
    for (uint64_t seed = 1; seed <= 20; seed++) {
        tw_sim *s = fx_sim(w, seed);
        at_year1(s);
        for (int i = 0; i < 100; i++) {
            size_t k = fx_add(s, 0, 1990, TW_SEX_MALE, 0, TW_TITLE_SECOND,
                              TW_QUAL_BACHELOR, 0);
            s->T.in_tier[k] = 5;
        }
        tw_proc_tiers(s);
        int up = 0;
        for (size_t k = 0; k < s->n; k++)
            up += s->T.tier[k];
        ck_assert_int_eq(up, 7);
        ck_assert_double_eq(s->f.tier_promotions[1], 7);
        tw_sim_free(s);
    }
    FX_EACH_YEAR(w, p) {
        p->tier_prob[0] = 0.5;
        p->tier_capacity[1] = 0;
    }
    tw_sim *s = fx_sim(w, 99);
    at_year1(s);
    for (int i = 0; i < 100; i++) {
        size_t k = fx_add(s, 0, 1990, TW_SEX_MALE, 0, TW_TITLE_SECOND,
                          TW_QUAL_BACHELOR, 0);
        s->T.in_tier[k] = 5;
    }
    gsl_rng *ref = gsl_rng_clone(s->rng);
    tw_proc_tiers(s);
    for (size_t k = 0; k < s->n; k++)
        ck_assert_int_eq(s->T.tier[k], 0);
    ck_assert_msg(rng_untouched(s, ref), "draws for a tier with no room");
    gsl_rng_free(ref);
    tw_sim_free(s);
    tw_world_free(w);
}
END_TEST

START_TEST(test_tier_cap_top_down)
{
    /* Documented order: targets from the top down. Tier 1 is at its cap of
     * 10; its 10 holders all move to tier 2 (no limit), which frees 10
     * places for the 20 certain candidates of tier 0. */
    tw_world *w = fx_world(2020, 3, 1, ONE_PRIMARY, 1, 3);
    FX_EACH_YEAR(w, p) {
        p->tier_on = 1;
        p->tier_prob[0] = p->tier_prob[1] = 1.0;
        p->tier_cap[1] = 10;
    }
    tw_sim *s = fx_sim(w, 3);
    at_year1(s);
    for (int i = 0; i < 30; i++) {
        size_t k = fx_add(s, 0, 1990, TW_SEX_MALE, i < 10 ? 1 : 0,
                          TW_TITLE_SECOND, TW_QUAL_BACHELOR, 0);
        s->T.in_tier[k] = 3;
    }
    tw_proc_tiers(s);
    int n[3] = {0};
    for (size_t k = 0; k < s->n; k++)
        n[s->T.tier[k]]++;
    ck_assert_int_eq(n[0], 10);
    ck_assert_int_eq(n[1], 10);
    ck_assert_int_eq(n[2], 10);
    for (int i = 0; i < 10; i++) /* the old holders moved on */
        ck_assert_int_eq(s->T.tier[i], 2);
    ck_assert_double_eq(s->f.tier_promotions[1], 10);
    ck_assert_double_eq(s->f.tier_promotions[2], 10);
    tw_sim_free(s);
    tw_world_free(w);
}
END_TEST

START_TEST(test_tier_caps_hold_over_years)
{
    /* 4 tiers, random promotions and a 4% yearly turnover (a leaver is
     * replaced by a tier-0 newcomer, drawn from a separate stream), 40
     * years x 5 seeds. Invariants after every year: stocks within caps,
     * promotions within capacities, stock changes equal to the flows, at
     * most one step per teacher and only after min_years. The caps and the
     * capacity must also be reached at some point (else the test proves
     * nothing). */
    const int64_t cap[4] = {-1, 60, 25, 10};
    const int64_t capacity[4] = {-1, -1, 3, -1};
    const int miny[3] = {2, 1, 1};
    tw_world *w = fx_world(2020, 3, 1, ONE_PRIMARY, 1, 4);
    FX_EACH_YEAR(w, p) {
        p->tier_on = 1;
        for (int i = 0; i < 4; i++) {
            p->tier_cap[i] = cap[i];
            p->tier_capacity[i] = capacity[i];
        }
        for (int i = 0; i < 3; i++) {
            p->tier_min_years[i] = miny[i];
            p->tier_prob[i] = 0.3 + 0.2 * i;
        }
    }
    int reached_cap[4] = {0}, reached_capacity = 0;
    uint8_t *before = malloc(400), *in_before = malloc(400);
    ck_assert(before && in_before);
    gsl_rng *turn = gsl_rng_alloc(gsl_rng_mt19937);
    for (uint64_t seed = 1; seed <= 5; seed++) {
        gsl_rng_set(turn, (unsigned long)seed);
        tw_sim *s = fx_sim(w, seed);
        at_year1(s);
        for (int i = 0; i < 400; i++)
            fx_add(s, 0, 1990, TW_SEX_MALE, i < 340 ? 0 : i < 380 ? 1 : i < 395 ? 2 : 3,
                   TW_TITLE_SECOND, TW_QUAL_BACHELOR, 0);
        for (int y = 0; y < 40; y++) {
            int64_t st0[4] = {0}, st1[4] = {0};
            for (size_t k = 0; k < s->n; k++) {
                before[k] = s->T.tier[k];
                in_before[k] = s->T.in_tier[k];
                st0[before[k]]++;
            }
            memset(&s->f, 0, sizeof s->f);
            tw_proc_tiers(s);
            for (size_t k = 0; k < s->n; k++) {
                const tw_teachers *T = &s->T;
                st1[T->tier[k]]++;
                ck_assert(T->tier[k] == before[k] ||
                          T->tier[k] == before[k] + 1);
                if (T->tier[k] != before[k]) {
                    ck_assert_int_ge(in_before[k], miny[before[k]]);
                    ck_assert_int_eq(T->in_tier[k], 0);
                }
            }
            for (int j = 1; j < 4; j++) {
                double pj = s->f.tier_promotions[j];
                double pout = j < 3 ? s->f.tier_promotions[j + 1] : 0;
                ck_assert_double_eq((double)st1[j], (double)st0[j] + pj - pout);
                if (cap[j] >= 0) {
                    ck_assert_int_le(st1[j], cap[j]);
                    reached_cap[j] |= st1[j] == cap[j];
                }
                if (capacity[j] >= 0) {
                    ck_assert_double_le(pj, (double)capacity[j]);
                    reached_capacity |= pj == (double)capacity[j];
                }
            }
            advance(s);
            for (size_t k = 0; k < s->n; k++)
                if (gsl_rng_uniform(turn) < 0.04) {
                    s->T.tier[k] = 0;
                    s->T.in_tier[k] = 0;
                }
        }
        tw_sim_free(s);
    }
    for (int j = 1; j < 4; j++)
        ck_assert_msg(reached_cap[j], "cap of tier %d never reached", j);
    ck_assert(reached_capacity);
    gsl_rng_free(turn);
    free(before);
    free(in_before);
    tw_world_free(w);
}
END_TEST

START_TEST(test_tier_winners_unbiased)
{
    /* 100 certain candidates (indices 0..99), 10 winners each replicate,
     * through the capacity (even replicates) or the stock cap (odd). Under
     * uniform selection without replacement, per replicate: the sum of the
     * winners' indices has mean 10 * 49.5 and variance 10 * 833.25 * 90/99
     * = 7575; the number of winners among indices 0..9 (and among 90..99)
     * has mean 1 and variance 10 * .1 * .9 * 90/99. m = 3 comparisons. A
     * selection that favours low (or high) indices fails by hundreds of
     * standard errors. */
    const int R = 2000;
    tw_world *wc = fx_world(2020, 3, 1, ONE_PRIMARY, 1, 2);
    tw_world *wk = fx_world(2020, 3, 1, ONE_PRIMARY, 1, 2);
    FX_EACH_YEAR(wc, p) {
        p->tier_on = 1;
        p->tier_prob[0] = 1.0;
        p->tier_capacity[1] = 10;
    }
    FX_EACH_YEAR(wk, p) {
        p->tier_on = 1;
        p->tier_prob[0] = 1.0;
        p->tier_cap[1] = 10;
    }
    double sum = 0, low = 0, high = 0;
    for (int r = 0; r < R; r++) {
        tw_sim *s = fx_sim(r % 2 ? wk : wc, (uint64_t)r + 1);
        at_year1(s);
        for (int i = 0; i < 100; i++) {
            size_t k = fx_add(s, 0, 1990, TW_SEX_MALE, 0, TW_TITLE_SECOND,
                              TW_QUAL_BACHELOR, 0);
            s->T.in_tier[k] = 1;
        }
        tw_proc_tiers(s);
        int won = 0;
        for (int i = 0; i < 100; i++)
            if (s->T.tier[i] == 1) {
                won++;
                sum += i;
                low += i < 10;
                high += i >= 90;
            }
        ck_assert_int_eq(won, 10);
        tw_sim_free(s);
    }
    double k = zk(3);
    double vh = 10 * 0.1 * 0.9 * 90.0 / 99.0;
    ck_assert_double_le(fabs(sum - R * 495.0), k * sqrt(R * 7575.0));
    ck_assert_double_le(fabs(low - R * 1.0), k * sqrt(R * vh));
    ck_assert_double_le(fabs(high - R * 1.0), k * sqrt(R * vh));
    tw_world_free(wc);
    tw_world_free(wk);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Titles                                                              */
/* ------------------------------------------------------------------ */

/* Title neutral enough to promote with probability 1 at every step. */
static void titles_certain(tw_world *w)
{
    FX_EACH_YEAR(w, p) {
        p->title_on = 1;
        for (int k = 0; k < TW_N_TITLES; k++)
            p->title_prob[k] = 1.0;
    }
}

START_TEST(test_title_exactly_at_min_years)
{
    /* Fixture minimum years: 三级 1, 二级 4 (研究生 2), 一级 5, 高级 5.
     * From 三级 with probability 1: a bachelor reaches 二级 in year 1,
     * 一级 in 5, 高级 in 10, 正高级 in 15; a postgraduate 二级 in 1, 一级
     * in 3, 高级 in 8, 正高级 in 13. Rural and service years never bind
     * here. */
    tw_world *w = fx_world(2020, 3, 1, ONE_PRIMARY, 1, 1);
    titles_certain(w);
    tw_sim *s = fx_sim(w, 4);
    at_year1(s);
    size_t b = fx_add(s, 0, 1970, TW_SEX_FEMALE, 0, TW_TITLE_THIRD,
                      TW_QUAL_BACHELOR, 0);
    size_t g = fx_add(s, 0, 1970, TW_SEX_FEMALE, 0, TW_TITLE_THIRD,
                      TW_QUAL_POSTGRAD, 0);
    for (size_t k = 0; k < s->n; k++) {
        s->T.rural[k] = 10;
        s->T.service[k] = 30;
    }
    static const int step_b[] = {1, 5, 10, 15}, step_g[] = {1, 3, 8, 13};
    for (int y = 0; y <= 18; y++) {
        tw_proc_titles(s);
        int tb = TW_TITLE_THIRD, tg = TW_TITLE_THIRD;
        for (int i = 0; i < 4; i++) {
            tb += y >= step_b[i];
            tg += y >= step_g[i];
        }
        ck_assert_msg(s->T.title[b] == tb, "year %d bachelor %d want %d", y,
                      s->T.title[b], tb);
        ck_assert_msg(s->T.title[g] == tg, "year %d postgrad %d want %d", y,
                      s->T.title[g], tg);
        advance(s);
    }
    tw_sim_free(s);
    tw_world_free(w);
}
END_TEST

START_TEST(test_title_senior_needs_rural)
{
    /* 一级 teachers long past min years, probability 1: rural 0 never
     * becomes 高级 (20 years); rural 1 does at once. With 3 rural years
     * required, 2 is not enough. */
    tw_world *w = fx_world(2020, 3, 1, ONE_PRIMARY, 1, 1);
    titles_certain(w);
    tw_sim *s = fx_sim(w, 5);
    at_year1(s);
    size_t a = fx_add(s, 0, 1975, TW_SEX_MALE, 0, TW_TITLE_FIRST,
                      TW_QUAL_BACHELOR, 0);
    size_t r = fx_add(s, 0, 1975, TW_SEX_MALE, 0, TW_TITLE_FIRST,
                      TW_QUAL_BACHELOR, 0);
    s->T.in_title[a] = s->T.in_title[r] = 10;
    s->T.service[a] = s->T.service[r] = 10;
    s->T.rural[r] = 1;
    tw_proc_titles(s);
    ck_assert_int_eq(s->T.title[r], TW_TITLE_SENIOR);
    for (int y = 0; y < 20; y++) {
        tw_proc_titles(s);
        ck_assert_int_eq(s->T.title[a], TW_TITLE_FIRST);
        advance(s);
    }
    FX_EACH_YEAR(w, p) p->senior_rural_years = 3;
    s->T.rural[a] = 2;
    tw_proc_titles(s);
    ck_assert_int_eq(s->T.title[a], TW_TITLE_FIRST);
    s->T.rural[a] = 3;
    tw_proc_titles(s);
    ck_assert_int_eq(s->T.title[a], TW_TITLE_SENIOR);
    tw_sim_free(s);
    tw_world_free(w);
}
END_TEST

START_TEST(test_title_full_needs_service)
{
    /* 高级 teachers past min years, 20 service years required: 19 waits a
     * year, 20 goes at once. */
    tw_world *w = fx_world(2020, 3, 1, ONE_PRIMARY, 1, 1);
    titles_certain(w);
    tw_sim *s = fx_sim(w, 6);
    at_year1(s);
    size_t a = fx_add(s, 0, 1975, TW_SEX_MALE, 0, TW_TITLE_SENIOR,
                      TW_QUAL_BACHELOR, 0);
    size_t b = fx_add(s, 0, 1975, TW_SEX_MALE, 0, TW_TITLE_SENIOR,
                      TW_QUAL_BACHELOR, 0);
    s->T.in_title[a] = s->T.in_title[b] = 8;
    s->T.service[a] = 19;
    s->T.service[b] = 20;
    tw_proc_titles(s);
    ck_assert_int_eq(s->T.title[a], TW_TITLE_SENIOR);
    ck_assert_int_eq(s->T.title[b], TW_TITLE_FULL);
    ck_assert_double_eq(s->f.title_promotions[TW_TITLE_FULL], 1);
    advance(s);
    tw_proc_titles(s);
    ck_assert_int_eq(s->T.title[a], TW_TITLE_FULL);
    tw_sim_free(s);
    tw_world_free(w);
}
END_TEST

START_TEST(test_title_probation)
{
    /* 未定级 after the probation year: 二级 with 本科 or 研究生, 三级
     * below, without a draw and whatever the post cap of 二级 (0 here);
     * counts as the year's promotion even with min years 0. Before the
     * probation year, and in the pool, nothing happens. */
    tw_world *w = fx_world(2020, 3, 1, ONE_PRIMARY, 1, 1);
    FX_EACH_YEAR(w, p) {
        p->title_on = 1;
        p->title_prob[TW_TITLE_THIRD] = p->title_prob[TW_TITLE_SECOND] = 0.5;
        p->title_min_years[TW_TITLE_THIRD] = 0;
        p->title_min_years[TW_TITLE_SECOND] = 0;
        p->title_min_years_postgrad[TW_TITLE_SECOND] = 0;
        p->post_cap[TW_TITLE_SECOND] = 0.0;
    }
    tw_sim *s = fx_sim(w, 7);
    at_year1(s);
    for (int q = 0; q < TW_N_QUALS; q++)
        fx_add(s, 0, 1998, TW_SEX_FEMALE, 0, TW_TITLE_NONE, q, 0);
    size_t fresh = fx_add(s, 0, 1998, TW_SEX_FEMALE, 0, TW_TITLE_NONE,
                          TW_QUAL_BACHELOR, 0);
    size_t pooled = fx_add(s, 0, 1998, TW_SEX_FEMALE, 0, TW_TITLE_NONE,
                           TW_QUAL_BACHELOR, TW_F_POOL);
    for (int q = 0; q < TW_N_QUALS; q++)
        s->T.service[q] = 1;
    s->T.service[pooled] = 3;
    gsl_rng *ref = gsl_rng_clone(s->rng);
    tw_proc_titles(s);
    ck_assert(rng_untouched(s, ref));
    gsl_rng_free(ref);
    ck_assert_int_eq(s->T.title[TW_QUAL_SECONDARY], TW_TITLE_THIRD);
    ck_assert_int_eq(s->T.title[TW_QUAL_ASSOCIATE], TW_TITLE_THIRD);
    ck_assert_int_eq(s->T.title[TW_QUAL_BACHELOR], TW_TITLE_SECOND);
    ck_assert_int_eq(s->T.title[TW_QUAL_POSTGRAD], TW_TITLE_SECOND);
    ck_assert_int_eq(s->T.title[fresh], TW_TITLE_NONE);
    ck_assert_int_eq(s->T.title[pooled], TW_TITLE_NONE);
    ck_assert_double_eq(s->f.title_promotions[TW_TITLE_THIRD], 2);
    ck_assert_double_eq(s->f.title_promotions[TW_TITLE_SECOND], 2);
    ck_assert_double_eq(s->f.title_promotions[TW_TITLE_FIRST], 0);
    tw_sim_free(s);
    tw_world_free(w);
}
END_TEST

/* 未定级 as a lasting state: titles.rate_from_none = 0.3. In each of R
 * replicates, N 本科 teachers past the probation (service 3 >= 1) leave
 * 未定级 for 二级 with probability 0.3 in the year: the count against
 * Binomial(N, 0.3) (fx_check_binomial_reps: total and dispersion, alpha
 * 1e-6, m = 1; N q (1-q) = 420), so a correct pass fails for fewer than
 * one seed in a million, while the old rule (everybody leaves) or a rate
 * off by a tenth (0.33: 35 standard errors of the total) fails for every
 * seed. Teachers in their probation year, or in the pool, never leave;
 * the ones left untitled stay 未定级 with their counters, and may leave
 * the next year. The rate is the home school's stage's: 30 teachers of a
 * junior school whose stage keeps the rate 1 all leave. */
START_TEST(test_title_from_none_rate)
{
    const double rate = 0.3;
    static const fx_school SCH[] = {
        {0, TW_STAGE_PRIMARY, TW_LOC_URBAN, 100},
        {0, TW_STAGE_JUNIOR, TW_LOC_URBAN, 100}};
    tw_world *w = fx_world(2020, 3, 1, SCH, 2, 1);
    FX_EACH_YEAR(w, p) {
        p->title_on = 1;
        p->probation_years = 1;
        p->title_none_stay[TW_STAGE_PRIMARY] = 1.0 - rate;
    }
    enum { R = 40, N = 2000 };
    static double c[R];
    for (int r = 0; r < R; r++) {
        tw_sim *s = fx_sim(w, 800 + (uint64_t)r);
        at_year1(s);
        for (int i = 0; i < N; i++) {
            size_t k = fx_add(s, 0, 1990, TW_SEX_FEMALE, 0, TW_TITLE_NONE,
                              TW_QUAL_BACHELOR, 0);
            s->T.service[k] = 3;
            s->T.in_title[k] = 3;
        }
        size_t fresh = fx_add(s, 0, 1998, TW_SEX_FEMALE, 0, TW_TITLE_NONE,
                              TW_QUAL_BACHELOR, 0);
        size_t pooled = fx_add(s, 0, 1990, TW_SEX_FEMALE, 0, TW_TITLE_NONE,
                               TW_QUAL_BACHELOR, TW_F_POOL);
        s->T.service[pooled] = 3;
        size_t junior = s->n;
        for (int i = 0; i < 30; i++)
            s->T.service[fx_add(s, 1, 1990, TW_SEX_MALE, 0, TW_TITLE_NONE,
                                TW_QUAL_ASSOCIATE, 0)] = 3;
        tw_proc_titles(s);
        for (size_t k = junior; k < s->n; k++)
            ck_assert_int_eq(s->T.title[k], TW_TITLE_THIRD);
        ck_assert_double_eq(s->f.title_promotions[TW_TITLE_THIRD], 30);
        for (int i = 0; i < N; i++) {
            int t = s->T.title[i];
            ck_assert(t == TW_TITLE_NONE || t == TW_TITLE_SECOND);
            ck_assert_int_eq(s->T.in_title[i], t == TW_TITLE_NONE ? 3 : 0);
            c[r] += t == TW_TITLE_SECOND;
        }
        ck_assert_double_eq(s->f.title_promotions[TW_TITLE_SECOND], c[r]);
        ck_assert_int_eq(s->T.title[fresh], TW_TITLE_NONE);
        ck_assert_int_eq(s->T.title[pooled], TW_TITLE_NONE);
        if (r == 0) { /* a second year: the untitled may still leave */
            double left = c[r];
            memset(&s->f, 0, sizeof s->f);
            advance(s);
            tw_proc_titles(s);
            ck_assert_double_gt(s->f.title_promotions[TW_TITLE_SECOND], 0);
            ck_assert_double_lt(s->f.title_promotions[TW_TITLE_SECOND],
                                (double)N - left);
        }
        tw_sim_free(s);
    }
    fx_check_binomial_reps(c, R, N, rate, ALPHA, 1, "未定级 -> 二级");
    tw_world_free(w);
}
END_TEST

/* Demotion after review, titles.demotion = 0.1, with promotion certain
 * (probability 1, every rule met, no cap): in each of R replicates N
 * holders of each of 三级 .. 正高级. A holder of 二级 .. 正高级 either
 * drops one title (to 0 years in it) with probability 0.1 or moves up
 * (正高级: stays); never both, never two steps. 三级 is never demoted.
 * The 4 demotion counts against Binomial(N, 0.1) (fx_check_binomial_reps,
 * alpha 1e-6 over m = 4; N q (1-q) = 90), and titles.demotions is their
 * sum. With demotion 0 (the default) the same teachers draw nothing for
 * it and nobody drops. */
START_TEST(test_title_demotion_rate)
{
    const double d = 0.1;
    tw_world *w = fx_world(2020, 3, 1, ONE_PRIMARY, 1, 1);
    titles_certain(w);
    FX_EACH_YEAR(w, p) {
        p->title_demotion = d;
    }
    enum { R = 40, N = 1000, NT = TW_N_TITLES - TW_TITLE_THIRD };
    static double c[NT][R];
    for (int r = 0; r < R; r++) {
        tw_sim *s = fx_sim(w, 900 + (uint64_t)r);
        at_year1(s);
        for (int i = 0; i < N; i++)
            for (int t = TW_TITLE_THIRD; t < TW_N_TITLES; t++) {
                size_t k = fx_add(s, 0, 1970, TW_SEX_FEMALE, 0, t,
                                  TW_QUAL_BACHELOR, 0);
                s->T.in_title[k] = 10;
                s->T.service[k] = 30;
                s->T.rural[k] = 10;
            }
        tw_proc_titles(s);
        double total = 0;
        for (size_t k = 0; k < s->n; k++) {
            int from = TW_TITLE_THIRD + (int)(k % NT), to = s->T.title[k];
            int up = from + 1 < TW_N_TITLES ? from + 1 : from;
            if (to == from - 1) {
                ck_assert_msg(from >= TW_TITLE_SECOND, "三级 demoted");
                ck_assert_int_eq(s->T.in_title[k], 0);
                c[from - TW_TITLE_THIRD][r]++;
                total++;
            } else {
                ck_assert_msg(to == up, "title %d -> %d", from, to);
            }
        }
        ck_assert_double_eq(s->f.title_demotions, total);
        ck_assert_double_eq(c[0][r], 0);
        tw_sim_free(s);
    }
    for (int t = TW_TITLE_SECOND; t < TW_N_TITLES; t++)
        fx_check_binomial_reps(c[t - TW_TITLE_THIRD], R, N, d, ALPHA, 4,
                               "demotions");

    /* off: no draw, nobody down */
    FX_EACH_YEAR(w, p) {
        p->title_demotion = 0;
        for (int k = 0; k < TW_N_TITLES; k++)
            p->title_prob[k] = 0;
    }
    tw_sim *s = fx_sim(w, 77);
    at_year1(s);
    for (int t = TW_TITLE_THIRD; t < TW_N_TITLES; t++)
        fx_add(s, 0, 1970, TW_SEX_FEMALE, 0, t, TW_QUAL_BACHELOR, 0);
    gsl_rng *ref = gsl_rng_clone(s->rng);
    tw_proc_titles(s);
    ck_assert(rng_untouched(s, ref));
    gsl_rng_free(ref);
    for (size_t k = 0; k < s->n; k++)
        ck_assert_int_eq(s->T.title[k], TW_TITLE_THIRD + (int)k);
    ck_assert_double_eq(s->f.title_demotions, 0);
    tw_sim_free(s);
    tw_world_free(w);
}
END_TEST

START_TEST(test_title_cap_top_down_exact)
{
    /* One school of 10, 一级 capped at 30% = 3 posts, all taken by 一级
     * teachers who all move to 高级 (no cap) this year: exactly 3 of the 5
     * certain 二级 candidates take the freed posts. With 高级 also capped
     * at 10% (1 post), only 1 moves up and only 1 post frees. */
    tw_world *w = fx_world(2020, 3, 1, ONE_PRIMARY, 1, 1);
    titles_certain(w);
    FX_EACH_YEAR(w, p) p->post_cap[TW_TITLE_FIRST] = 0.3;
    for (int pass = 0; pass < 2; pass++) {
        tw_sim *s = fx_sim(w, 8 + (uint64_t)pass);
        at_year1(s);
        for (int i = 0; i < 10; i++) {
            int t = i < 3 ? TW_TITLE_FIRST : i < 8 ? TW_TITLE_SECOND
                                                   : TW_TITLE_THIRD;
            size_t k = fx_add(s, 0, 1975, TW_SEX_MALE, 0, t,
                              TW_QUAL_BACHELOR, 0);
            s->T.in_title[k] = i < 8 ? 9 : 0;
            s->T.rural[k] = 5;
        }
        tw_proc_titles(s);
        int n[TW_N_TITLES] = {0};
        for (size_t k = 0; k < s->n; k++)
            n[s->T.title[k]]++;
        int up = pass == 0 ? 3 : 1;
        ck_assert_int_eq(n[TW_TITLE_SENIOR], up);
        ck_assert_int_eq(n[TW_TITLE_FIRST], 3);
        ck_assert_int_eq(n[TW_TITLE_SECOND], 5 - up);
        ck_assert_double_eq(s->f.title_promotions[TW_TITLE_FIRST], up);
        tw_sim_free(s);
        FX_EACH_YEAR(w, p) p->post_cap[TW_TITLE_SENIOR] = 0.1;
    }
    tw_world_free(w);
}
END_TEST

START_TEST(test_title_post_caps_hold)
{
    /* 6 schools of 7..40 teachers (two schools exchange a few teachers:
     * the cap counts where they teach, x->school), post caps 二级 60%,
     * 一级 30%, 高级 15%, 正高级 5%, probability 0.5, 30 years x 4 seeds,
     * 3% yearly turnover to 未定级 newcomers (separate stream). Everybody
     * is below 本科, so probation (uncapped) gives 三级 and every 二级+
     * comes through a capped promotion. Pooled
     * teachers hold no post: they neither count nor move. After every
     * year, in every school, holders of each capped title <=
     * floor(cap x teachers); every cap is reached somewhere. */
    static const fx_school SCH[] = {
        {0, TW_STAGE_PRIMARY, TW_LOC_URBAN, 0}, {0, TW_STAGE_PRIMARY, TW_LOC_RURAL, 0},
        {0, TW_STAGE_JUNIOR, TW_LOC_TOWN, 0},   {0, TW_STAGE_SENIOR, TW_LOC_URBAN, 0},
        {0, TW_STAGE_PRIMARY, TW_LOC_RURAL, 0}, {0, TW_STAGE_VOCATIONAL, TW_LOC_URBAN, 0}};
    static const int size[6] = {40, 7, 22, 31, 13, 18};
    const double cap[TW_N_TITLES] = {1, 1, 0.6, 0.3, 0.15, 0.05};
    tw_world *w = fx_world(2020, 3, 1, SCH, 6, 1);
    FX_EACH_YEAR(w, p) {
        p->title_on = 1;
        for (int k = 0; k < TW_N_TITLES; k++) {
            p->title_prob[k] = 0.5;
            p->post_cap[k] = cap[k];
        }
        p->title_min_years[TW_TITLE_SECOND] = 2;
        p->title_min_years[TW_TITLE_FIRST] = 2;
        p->title_min_years[TW_TITLE_SENIOR] = 2;
        p->full_senior_service = 0;
        p->senior_rural_years = 0;
    }
    int reached[TW_N_TITLES] = {0};
    double promos = 0;
    gsl_rng *turn = gsl_rng_alloc(gsl_rng_mt19937);
    for (uint64_t seed = 1; seed <= 4; seed++) {
        gsl_rng_set(turn, (unsigned long)seed);
        tw_sim *s = fx_sim(w, seed);
        at_year1(s);
        for (uint32_t sc = 0; sc < 6; sc++)
            for (int i = 0; i < size[sc]; i++)
                fx_add(s, sc, 1980, TW_SEX_FEMALE, 0,
                       i % 3 ? TW_TITLE_THIRD : TW_TITLE_NONE, i % 2, 0);
        for (size_t k = 0; k < 6; k++) /* exchange terms 0 <-> 1 */
            s->T.school[k] = 1;
        s->T.school[45] = 0;
        size_t pk = fx_add(s, 1, 1980, TW_SEX_FEMALE, 0, TW_TITLE_FIRST,
                           TW_QUAL_BACHELOR, TW_F_POOL);
        s->T.in_title[pk] = 9;
        for (int y = 0; y < 30; y++) {
            memset(&s->f, 0, sizeof s->f);
            tw_proc_titles(s);
            for (int t = 0; t < TW_N_TITLES; t++)
                promos += s->f.title_promotions[t];
            ck_assert_int_eq(s->T.title[pk], TW_TITLE_FIRST);
            uint32_t heads[6] = {0}, hold[6][TW_N_TITLES] = {{0}};
            for (size_t k = 0; k < s->n; k++) {
                const tw_teachers *T = &s->T;
                if (T->flags[k] & TW_F_POOL)
                    continue;
                heads[T->school[k]]++;
                hold[T->school[k]][T->title[k]]++;
            }
            for (int sc = 0; sc < 6; sc++)
                for (int t = TW_TITLE_SECOND; t < TW_N_TITLES; t++) {
                    uint32_t lim = (uint32_t)floor(cap[t] * heads[sc] + 1e-9);
                    ck_assert_msg(hold[sc][t] <= lim,
                                  "school %d title %d: %u > %u", sc, t,
                                  hold[sc][t], lim);
                    reached[t] |= lim > 0 && hold[sc][t] == lim;
                }
            advance(s);
            for (size_t k = 0; k < s->n; k++)
                if (k != pk && gsl_rng_uniform(turn) < 0.03) {
                    s->T.title[k] = TW_TITLE_NONE;
                    s->T.in_title[k] = 0;
                    s->T.service[k] = 0;
                }
        }
        tw_sim_free(s);
    }
    for (int t = TW_TITLE_SECOND; t < TW_N_TITLES; t++)
        ck_assert_msg(reached[t], "cap of title %d never reached", t);
    ck_assert_double_gt(promos, 100);
    gsl_rng_free(turn);
    tw_world_free(w);
}
END_TEST

START_TEST(test_title_winners_unbiased)
{
    /* Two schools of 20; in each, 10 certain 二级 -> 一级 candidates
     * interleaved with 10 ineligible 三级 teachers; 一级 capped at 10%: 2
     * winners per school. Under uniform choice, per school and replicate
     * the sum of the winners' ranks (0..9 among the candidates) has mean 9
     * and variance 2 * 8.25 * 8/9; the number of winners among ranks 0..1
     * has mean 0.4 and variance 2 * .2 * .8 * 8/9. m = 2 comparisons. */
    static const fx_school SCH[] = {{0, TW_STAGE_PRIMARY, TW_LOC_URBAN, 0},
                                    {0, TW_STAGE_JUNIOR, TW_LOC_RURAL, 0}};
    const int R = 2000;
    tw_world *w = fx_world(2020, 3, 1, SCH, 2, 1);
    titles_certain(w);
    FX_EACH_YEAR(w, p) p->post_cap[TW_TITLE_FIRST] = 0.1;
    double sum = 0, low = 0;
    for (int r = 0; r < R; r++) {
        tw_sim *s = fx_sim(w, 1000 + (uint64_t)r);
        at_year1(s);
        for (int i = 0; i < 40; i++) {
            int cand = i % 2 == 0;
            size_t k = fx_add(s, (uint32_t)(i / 20), 1980, TW_SEX_MALE, 0,
                              cand ? TW_TITLE_SECOND : TW_TITLE_THIRD,
                              TW_QUAL_BACHELOR, 0);
            s->T.in_title[k] = cand ? 6 : 0;
        }
        tw_proc_titles(s);
        for (int sc = 0; sc < 2; sc++) {
            int won = 0;
            for (int rank = 0; rank < 10; rank++)
                if (s->T.title[sc * 20 + 2 * rank] == TW_TITLE_FIRST) {
                    won++;
                    sum += rank;
                    low += rank < 2;
                }
            ck_assert_int_eq(won, 2);
        }
        tw_sim_free(s);
    }
    double n = 2.0 * R, k = zk(2);
    ck_assert_double_le(fabs(sum - n * 9.0), k * sqrt(n * 2 * 8.25 * 8 / 9));
    ck_assert_double_le(fabs(low - n * 0.4), k * sqrt(n * 2 * .2 * .8 * 8 / 9));
    tw_world_free(w);
}
END_TEST

START_TEST(test_title_full_school_no_draw)
{
    /* 一级 at its cap in the only school and no 一级 holder eligible to move
     * on: the 二级 candidates (probability 0.5) draw nothing. */
    tw_world *w = fx_world(2020, 3, 1, ONE_PRIMARY, 1, 1);
    FX_EACH_YEAR(w, p) {
        p->title_on = 1;
        p->title_prob[TW_TITLE_SECOND] = 0.5;
        p->post_cap[TW_TITLE_FIRST] = 0.2;
    }
    tw_sim *s = fx_sim(w, 11);
    at_year1(s);
    for (int i = 0; i < 10; i++) {
        size_t k = fx_add(s, 0, 1980, TW_SEX_MALE, 0,
                          i < 2 ? TW_TITLE_FIRST : TW_TITLE_SECOND,
                          TW_QUAL_BACHELOR, 0);
        s->T.in_title[k] = 9;
    }
    gsl_rng *ref = gsl_rng_clone(s->rng);
    tw_proc_titles(s);
    ck_assert(rng_untouched(s, ref));
    gsl_rng_free(ref);
    for (int i = 2; i < 10; i++)
        ck_assert_int_eq(s->T.title[i], TW_TITLE_SECOND);
    tw_sim_free(s);
    tw_world_free(w);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Qualifications, 双师型, pool and gone                                */
/* ------------------------------------------------------------------ */

START_TEST(test_qual_upgrade_rate)
{
    /* 50000 teachers per level, qual_prob = (.1, .3, .05, .9): one year
     * gives Binomial(50000, p) upgrades per level below 研究生 (m = 3),
     * each exactly one level; 研究生 stays. With probability 1 at every
     * level, still one level a year. */
    const double qp[TW_N_QUALS] = {0.1, 0.3, 0.05, 0.9};
    const int N = 50000;
    tw_world *w = fx_world(2020, 3, 1, ONE_PRIMARY, 1, 1);
    FX_EACH_YEAR(w, p) {
        p->qual_on = 1;
        for (int q = 0; q < TW_N_QUALS; q++)
            p->qual_prob[q] = qp[q];
    }
    tw_sim *s = fx_sim(w, 12);
    at_year1(s);
    for (int q = 0; q < TW_N_QUALS; q++)
        for (int i = 0; i < N; i++)
            fx_add(s, 0, 1980, TW_SEX_MALE, 0, TW_TITLE_SECOND, q,
                   i % 10 == 0 ? TW_F_POOL : 0);
    tw_proc_quals(s);
    double up[TW_N_QUALS] = {0}, total = 0;
    for (size_t k = 0; k < s->n; k++) {
        int q0 = (int)(k / (size_t)N);
        int d = s->T.qual[k] - q0;
        ck_assert(d == 0 || (d == 1 && q0 < TW_QUAL_POSTGRAD));
        up[q0] += d;
        total += d;
    }
    ck_assert_double_eq(s->f.qual_upgrades, total);
    double z = zk(3);
    for (int q = 0; q < TW_QUAL_POSTGRAD; q++)
        ck_assert_msg(fabs(up[q] - N * qp[q]) <= z * sqrt(N * qp[q] * (1 - qp[q])),
                      "level %d: %g upgrades", q, up[q]);

    FX_EACH_YEAR(w, p) for (int q = 0; q < TW_N_QUALS; q++) p->qual_prob[q] = 1;
    for (size_t k = 0; k < s->n; k++)
        s->T.qual[k] = TW_QUAL_SECONDARY;
    memset(&s->f, 0, sizeof s->f);
    tw_proc_quals(s);
    for (size_t k = 0; k < s->n; k++)
        ck_assert_int_eq(s->T.qual[k], TW_QUAL_ASSOCIATE);
    ck_assert_double_eq(s->f.qual_upgrades, (double)s->n);
    tw_sim_free(s);
    tw_world_free(w);
}
END_TEST

START_TEST(test_dual_only_vocational_prof)
{
    /* School 0 vocational, school 1 primary. 100000 eligible (vocational
     * home, 专业课) become 双师型 with Binomial(100000, .2) in a year (m =
     * 1), including one teaching at the primary school on exchange; over
     * 10 more years nobody else is ever flagged: general-course vocational
     * teachers, primary teachers flagged PROF, a primary-home teacher on
     * exchange in the vocational school. */
    static const fx_school SCH[] = {{0, TW_STAGE_VOCATIONAL, TW_LOC_URBAN, 0},
                                    {0, TW_STAGE_PRIMARY, TW_LOC_URBAN, 0}};
    const int N = 100000;
    const double dp = 0.2;
    tw_world *w = fx_world(2020, 3, 1, SCH, 2, 1);
    FX_EACH_YEAR(w, p) {
        p->dual_on = 1;
        p->dual_prob = dp;
    }
    tw_sim *s = fx_sim(w, 13);
    at_year1(s);
    for (int i = 0; i < N; i++)
        fx_add(s, 0, 1980, TW_SEX_MALE, 0, TW_TITLE_SECOND, TW_QUAL_BACHELOR,
               TW_F_PROF);
    s->T.school[N - 1] = 1; /* home stays vocational */
    size_t first_other = s->n;
    for (int i = 0; i < 200; i++)
        fx_add(s, 0, 1980, TW_SEX_MALE, 0, TW_TITLE_SECOND, TW_QUAL_BACHELOR, 0);
    for (int i = 0; i < 200; i++)
        fx_add(s, 1, 1980, TW_SEX_MALE, 0, TW_TITLE_SECOND, TW_QUAL_BACHELOR,
               TW_F_PROF);
    size_t ex = fx_add(s, 1, 1980, TW_SEX_MALE, 0, TW_TITLE_SECOND,
                       TW_QUAL_BACHELOR, TW_F_PROF);
    s->T.school[ex] = 0;
    tw_proc_dual(s);
    double n = 0;
    for (int i = 0; i < N; i++)
        n += (s->T.flags[i] & TW_F_DUAL) != 0;
    ck_assert_double_eq(s->f.dual_certs, n);
    ck_assert_double_le(fabs(n - N * dp), zk(1) * sqrt(N * dp * (1 - dp)));
    for (int y = 0; y < 10; y++) {
        memset(&s->f, 0, sizeof s->f);
        tw_proc_dual(s);
        for (size_t k = first_other; k < s->n; k++)
            ck_assert(!(s->T.flags[k] & TW_F_DUAL));
    }
    /* with probability 1, exactly the eligible ones are (or stay) 双师型,
     * including the one teaching elsewhere on exchange */
    FX_EACH_YEAR(w, p) p->dual_prob = 1.0;
    tw_proc_dual(s);
    for (size_t k = 0; k < s->n; k++)
        ck_assert_int_eq((s->T.flags[k] & TW_F_DUAL) != 0, k < (size_t)N);
    tw_sim_free(s);
    tw_world_free(w);
}
END_TEST

START_TEST(test_pool_and_gone)
{
    /* Gone teachers are never touched by the four processes. Pooled
     * teachers are not promoted (tier, title) but upgrade their
     * qualification and may be certified 双师型, and they count in their
     * tier's stock: tier 1 capped at 3 and held by 1 teacher + 2 pooled,
     * so the certain candidate of tier 0 waits, without a draw. */
    static const fx_school SCH[] = {{0, TW_STAGE_VOCATIONAL, TW_LOC_RURAL, 0}};
    tw_world *w = fx_world(2020, 3, 1, SCH, 1, 3);
    FX_EACH_YEAR(w, p) {
        p->tier_on = p->title_on = p->qual_on = p->dual_on = 1;
        p->tier_prob[0] = p->tier_prob[1] = 0.5;
        p->tier_cap[1] = 3;
        for (int k = 0; k < TW_N_TITLES; k++)
            p->title_prob[k] = 1;
        for (int q = 0; q < TW_N_QUALS; q++)
            p->qual_prob[q] = 1;
        p->dual_prob = 1;
    }
    tw_sim *s = fx_sim(w, 14);
    at_year1(s);
    size_t gone = fx_add(s, 0, 1980, TW_SEX_MALE, 0, TW_TITLE_SECOND,
                         TW_QUAL_ASSOCIATE, TW_F_PROF | TW_F_GONE);
    size_t pool = fx_add(s, 0, 1980, TW_SEX_MALE, 1, TW_TITLE_SECOND,
                         TW_QUAL_ASSOCIATE, TW_F_PROF | TW_F_POOL);
    size_t pool2 = fx_add(s, 0, 1980, TW_SEX_MALE, 1, TW_TITLE_NONE,
                          TW_QUAL_ASSOCIATE, TW_F_POOL);
    size_t held = fx_add(s, 0, 1980, TW_SEX_MALE, 1, TW_TITLE_SECOND,
                         TW_QUAL_BACHELOR, 0);
    size_t cand = fx_add(s, 0, 1980, TW_SEX_MALE, 0, TW_TITLE_SECOND,
                         TW_QUAL_BACHELOR, 0);
    for (size_t k = 0; k < s->n; k++) {
        s->T.in_tier[k] = s->T.in_title[k] = 9;
        s->T.service[k] = s->T.rural[k] = 9;
    }
    s->T.in_tier[held] = 0; /* cannot leave tier 1 this year */
    tw_teacher g0 = tw_sim_get(s, gone);
    gsl_rng *ref = gsl_rng_clone(s->rng);
    tw_proc_tiers(s);
    ck_assert(rng_untouched(s, ref));
    gsl_rng_free(ref);
    ck_assert_int_eq(s->T.tier[cand], 0);
    ck_assert_int_eq(s->T.tier[pool], 1);
    tw_proc_titles(s);
    tw_proc_quals(s);
    tw_proc_dual(s);
    tw_teacher g1 = tw_sim_get(s, gone);
    ck_assert(fx_same_teacher(&g1, &g0));
    ck_assert_int_eq(s->T.title[pool], TW_TITLE_SECOND);
    ck_assert_int_eq(s->T.title[pool2], TW_TITLE_NONE);
    ck_assert_int_eq(s->T.qual[pool], TW_QUAL_BACHELOR);
    ck_assert(s->T.flags[pool] & TW_F_DUAL);
    ck_assert_int_eq(s->T.title[held], TW_TITLE_FIRST);
    ck_assert_double_eq(s->f.qual_upgrades, 4);
    ck_assert_double_eq(s->f.dual_certs, 1);
    tw_sim_free(s);
    tw_world_free(w);
}
END_TEST

START_TEST(test_all_off)
{
    /* Every process off (fixture default) with probabilities 1 set: no
     * change, no flow, no draw. */
    static const fx_school SCH[] = {{0, TW_STAGE_VOCATIONAL, TW_LOC_RURAL, 0}};
    tw_world *w = fx_world(2020, 3, 1, SCH, 1, 3);
    FX_EACH_YEAR(w, p) {
        p->tier_prob[0] = 1;
        p->title_prob[TW_TITLE_SECOND] = 1;
        p->title_demotion = 1;
        p->qual_prob[TW_QUAL_ASSOCIATE] = 1;
        p->dual_prob = 1;
    }
    tw_sim *s = fx_sim(w, 15);
    at_year1(s);
    for (int i = 0; i < 10; i++) {
        size_t k = fx_add(s, 0, 1980, TW_SEX_MALE, 0,
                          i % 2 ? TW_TITLE_SECOND : TW_TITLE_NONE,
                          TW_QUAL_ASSOCIATE, TW_F_PROF);
        s->T.in_tier[k] = s->T.in_title[k] = s->T.service[k] = 9;
        s->T.rural[k] = 9;
    }
    tw_teacher copy[10];
    for (size_t k = 0; k < 10; k++)
        copy[k] = tw_sim_get(s, k);
    gsl_rng *ref = gsl_rng_clone(s->rng);
    tw_proc_tiers(s);
    tw_proc_titles(s);
    tw_proc_quals(s);
    tw_proc_dual(s);
    ck_assert(rng_untouched(s, ref));
    for (size_t k = 0; k < 10; k++) {
        tw_teacher now = tw_sim_get(s, k);
        ck_assert(fx_same_teacher(&now, &copy[k]));
    }
    tw_flows zero;
    memset(&zero, 0, sizeof zero);
    ck_assert(memcmp(&zero, &s->f, sizeof zero) == 0);
    gsl_rng_free(ref);
    tw_sim_free(s);
    tw_world_free(w);
}
END_TEST

/* tw_proc_develop draws every promotion as geometric gaps per group
 * (tier held, title held, qualification level, 双师型), the groups
 * interleaved in the records. Against the definition, one coin per
 * eligible teacher and process, without limits: in each of R replicates,
 * N vocational professional-course teachers at each qualification level
 * below 研究生, in turn, all in tier 0 (min 0 years, prob 0.02) and 三级
 * (in_title 5 >= 1, prob 0.04), not 双师型 (prob 0.03); qual_prob =
 * (0.01, 0.05, 0.1). Each of the 6 counts: total and dispersion over
 * replicates as Binomial (fx_check_binomial_reps, alpha 1e-6 over the
 * 6 comparisons; n q (1-q) >= 29). */
START_TEST(test_develop_skip_statistical)
{
    const fx_school voc[] = {{0, TW_STAGE_VOCATIONAL, TW_LOC_URBAN, 100}};
    const double qp[3] = {0.01, 0.05, 0.1};
    tw_world *w = fx_world(2020, 3, 1, voc, 1, 2);
    FX_EACH_YEAR(w, p) {
        p->tier_on = 1;
        p->tier_min_years[0] = 0;
        p->tier_prob[0] = 0.02;
        p->title_on = 1;
        p->title_prob[TW_TITLE_THIRD] = 0.04;
        p->qual_on = 1;
        for (int q = 0; q < 3; q++)
            p->qual_prob[q] = qp[q];
        p->dual_on = 1;
        p->dual_prob = 0.03;
    }
    enum { R = 60, N = 3000 };
    static double c[6][R];
    for (int r = 0; r < R; r++) {
        tw_sim *s = fx_sim(w, 500 + (uint64_t)r);
        at_year1(s);
        for (int i = 0; i < N; i++)
            for (int q = 0; q < 3; q++) {
                size_t k = fx_add(s, 0, 1980, TW_SEX_MALE, 0,
                                  TW_TITLE_THIRD, q, TW_F_PROF);
                s->T.in_title[k] = 5;
                s->T.service[k] = 10;
            }
        tw_proc_develop(s);
        for (size_t k = 0; k < s->n; k++)
            c[k % 3][r] += s->T.qual[k] != (int)(k % 3);
        c[3][r] = s->f.tier_promotions[1];
        c[4][r] = s->f.title_promotions[TW_TITLE_SECOND];
        c[5][r] = s->f.dual_certs;
        tw_sim_free(s);
    }
    for (int q = 0; q < 3; q++)
        fx_check_binomial_reps(c[q], R, N, qp[q], ALPHA, 6,
                               "qualification upgrades");
    fx_check_binomial_reps(c[3], R, 3 * N, 0.02, ALPHA, 6, "tier 0 -> 1");
    fx_check_binomial_reps(c[4], R, 3 * N, 0.04, ALPHA, 6, "三级 -> 二级");
    fx_check_binomial_reps(c[5], R, 3 * N, 0.03, ALPHA, 6, "双师型");
    tw_world_free(w);
}
END_TEST

Suite *develop_suite(void)
{
    Suite *s = suite_create("develop");
    TCase *tier = tcase_create("tiers");
    tcase_set_timeout(tier, 60);
    tcase_add_test(tier, test_tier_exactly_at_min_years);
    tcase_add_test(tier, test_tier_one_step_per_year);
    tcase_add_test(tier, test_tier_capacity_exact);
    tcase_add_test(tier, test_tier_cap_top_down);
    tcase_add_test(tier, test_tier_caps_hold_over_years);
    tcase_add_test(tier, test_tier_winners_unbiased);
    suite_add_tcase(s, tier);
    TCase *title = tcase_create("titles");
    tcase_set_timeout(title, 60);
    tcase_add_test(title, test_title_exactly_at_min_years);
    tcase_add_test(title, test_title_senior_needs_rural);
    tcase_add_test(title, test_title_full_needs_service);
    tcase_add_test(title, test_title_probation);
    tcase_add_test(title, test_title_from_none_rate);
    tcase_add_test(title, test_title_demotion_rate);
    tcase_add_test(title, test_title_cap_top_down_exact);
    tcase_add_test(title, test_title_post_caps_hold);
    tcase_add_test(title, test_title_winners_unbiased);
    tcase_add_test(title, test_title_full_school_no_draw);
    suite_add_tcase(s, title);
    TCase *other = tcase_create("quals_dual");
    tcase_set_timeout(other, 60);
    tcase_add_test(other, test_qual_upgrade_rate);
    tcase_add_test(other, test_dual_only_vocational_prof);
    tcase_add_test(other, test_pool_and_gone);
    tcase_add_test(other, test_all_off);
    tcase_add_test(other, test_develop_skip_statistical);
    suite_add_tcase(s, other);
    return s;
}
