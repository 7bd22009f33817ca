/*
 * check_proc_recruit.c - recruitment (MODEL.md 3.8, src/model/proc_recruit.c):
 * hiring policies, the 编制 (establishment) room, the channels and their
 * rules, fill probabilities and the attributes of new hires.
 *
 * Worlds come from fx_world (every process off, demand set by hand in
 * s->S[].demand, caps in s->county_cap). Deterministic cases use fill
 * probabilities 0 or 1. Statistical tests compare a count with its
 * binomial expectation within k standard errors, k = Qinv(ALPHA / (2 m))
 * for m comparisons in the test and ALPHA = 1e-6: a correct engine fails
 * with probability below one in a million for a random seed (Bonferroni).
 * The seeds are fixed, so the suite is deterministic.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "fixture.h"
#include "tw_rng.h"
#include "tw_tests.h"

#define ALPHA 1e-6
#define ALL_STAGES ((1 << TW_N_STAGES) - 1)
#define ALL_LOCS ((1 << TW_N_LOCS) - 1)

static double kse(int m)
{
    return gsl_cdf_ugaussian_Qinv(ALPHA / (2.0 * m));
}

/* A world of n_counties counties, simulated at year 2021 (t = 1). The
 * fixture leaves the open channel's cohort at 0, which under the contract
 * (cohort >= 0 caps the channel) would hire nobody: lift the cap. */
static tw_world *mkworld(const fx_school *sc, size_t n, size_t n_counties)
{
    tw_world *w = fx_world(2020, 3, n_counties, sc, n, 3);
    FX_EACH_COUNTY_YEAR(w, cp)
        cp->ch[TW_CH_OPEN].cohort = -1;
    return w;
}

/* A replicate at t = 1 with the given demand per school and a large cap
 * in every county. */
static tw_sim *mksim(const tw_world *w, uint64_t seed, const double *demand)
{
    tw_sim *s = fx_sim(w, seed);
    s->t = 1;
    s->year = 2021;
    for (size_t i = 0; i < w->n_schools; i++)
        s->S[i].demand = demand[i];
    for (size_t c = 0; c < w->n_counties; c++)
        s->county_cap[c] = 1e6;
    return s;
}

/* n teachers at school, born 1980, with flags. */
static void staff(tw_sim *s, uint32_t school, int n, unsigned flags)
{
    for (int j = 0; j < n; j++)
        fx_add(s, school, 1980, TW_SEX_FEMALE, 0, TW_TITLE_SECOND,
               TW_QUAL_BACHELOR, flags);
}

static void recruit_ok(tw_sim *s)
{
    tw_error err;
    tw_error_clear(&err);
    int rc = tw_proc_recruit(s, &err);
    ck_assert_msg(rc == TW_OK, "%s", err.msg);
}

/* Switch channel ch on with the open channel's neutral defaults. */
static void chan(tw_county_params *cp, int ch, int stage_mask, int loc_mask,
                 int64_t cohort)
{
    tw_channel_params *p = &cp->ch[ch];
    memset(p, 0, sizeof *p);
    p->on = 1;
    p->cohort = cohort;
    p->stage_mask = stage_mask;
    p->loc_mask = loc_mask;
    p->bianzhi = ch != TW_CH_CONTRACT;
    p->age_mean = 24;
    p->qual_share[TW_QUAL_BACHELOR] = 1.0;
}

static void order2(tw_county_params *cp, int a, int b)
{
    cp->n_order = 2;
    cp->order[0] = a;
    cp->order[1] = b;
}

/* New hires at school (any school when school < 0) of channel ch (any
 * channel when ch < 0) whose flags include `with`. */
static int news(const tw_sim *s, long school, int ch, unsigned with)
{
    int n = 0;
    for (size_t k = 0; k < s->n; k++) {
        const tw_teacher x_rec = tw_sim_get(s, k), *x = &x_rec;
        if ((x->flags & TW_F_NEW) && (school < 0 || x->school == school) &&
            (ch < 0 || x->channel == ch) && (x->flags & with) == with)
            n++;
    }
    return n;
}

static double total_hires(const tw_sim *s)
{
    double h = 0;
    for (int c = 0; c < TW_N_HIRE_CHANNELS; c++)
        for (int st = 0; st < TW_N_STAGES; st++)
            h += s->f.hires[c][st];
    return h;
}

static double total_unfilled(const tw_sim *s)
{
    double u = 0;
    for (int st = 0; st < TW_N_STAGES; st++)
        u += s->f.unfilled[st];
    return u;
}

/* ------------------------------------------------------------------ */

START_TEST(test_fill_exact)
{
    /* vacancies = max(0, round(demand) - headcount), pool excluded:
     * 10-4 = 6, round(7.6)=8 < 9 -> 0, 3-0 = 3, 0-2 -> 0, round(5.5)=6-1 = 5 */
    const fx_school sc[] = {{0, TW_STAGE_PRIMARY, TW_LOC_URBAN, 0},
                            {0, TW_STAGE_JUNIOR, TW_LOC_TOWN, 0},
                            {0, TW_STAGE_SENIOR, TW_LOC_RURAL, 0},
                            {0, TW_STAGE_VOCATIONAL, TW_LOC_URBAN, 0},
                            {0, TW_STAGE_PRESCHOOL, TW_LOC_RURAL, 0}};
    const double dem[] = {10.4, 7.6, 3.0, 0.0, 5.5};
    tw_world *w = mkworld(sc, 5, 1);
    tw_sim *s = mksim(w, 1, dem);
    staff(s, 0, 4, TW_F_BIANZHI);
    staff(s, 0, 1, TW_F_BIANZHI | TW_F_POOL);
    staff(s, 1, 9, TW_F_BIANZHI);
    staff(s, 3, 2, 0);
    staff(s, 4, 1, TW_F_BIANZHI);
    size_t n0 = s->n;
    recruit_ok(s);
    ck_assert_uint_eq(s->n, n0 + 14);
    tw_sim_count_heads(s);
    const uint32_t want[] = {10, 9, 3, 2, 6};
    for (int i = 0; i < 5; i++)
        ck_assert_uint_eq(s->S[i].headcount, want[i]);
    ck_assert_double_eq(s->f.hires[TW_CH_OPEN][TW_STAGE_PRIMARY], 6);
    ck_assert_double_eq(s->f.hires[TW_CH_OPEN][TW_STAGE_JUNIOR], 0);
    ck_assert_double_eq(s->f.hires[TW_CH_OPEN][TW_STAGE_SENIOR], 3);
    ck_assert_double_eq(s->f.hires[TW_CH_OPEN][TW_STAGE_PRESCHOOL], 5);
    ck_assert_double_eq(total_hires(s), 14);
    ck_assert_double_eq(total_unfilled(s), 0);
    tw_sim_free(s);
    tw_world_free(w);
}
END_TEST

START_TEST(test_room_cap)
{
    /* County 0: cap 12.7 -> 12; 在编 = 3 + 1 (pool) + 2 = 6 -> room 6;
     * the 2 contract teachers use no room. Vacancies 20-5 = 15 and
     * 10-2 = 8. County 1: caps off, cap 0, vacancies 5. */
    const fx_school sc[] = {{0, TW_STAGE_PRIMARY, TW_LOC_URBAN, 0},
                            {0, TW_STAGE_PRIMARY, TW_LOC_RURAL, 0},
                            {1, TW_STAGE_JUNIOR, TW_LOC_TOWN, 0}};
    const double dem[] = {20, 10, 5};
    tw_world *w = mkworld(sc, 3, 2);
    for (int variant = 0; variant < 3; variant++) {
        FX_EACH_COUNTY_YEAR(w, cp) {
            chan(cp, TW_CH_CONTRACT, ALL_STAGES, ALL_LOCS, -1);
            if (variant == 1) {
                order2(cp, TW_CH_OPEN, TW_CH_CONTRACT);
            } else {
                cp->n_order = 1;
                cp->order[0] = TW_CH_OPEN;
            }
        }
        for (size_t t = 0; t < w->n_years; t++)
            w->cparams[t * 2 + 0].cap_on = 1;
        tw_sim *s = mksim(w, 2, dem);
        s->county_cap[0] = variant == 2 ? 5.9 : 12.7; /* 2: room 0 */
        s->county_cap[1] = 0;
        staff(s, 0, 3, TW_F_BIANZHI);
        staff(s, 0, 1, TW_F_BIANZHI | TW_F_POOL);
        staff(s, 0, 2, 0);
        staff(s, 1, 2, TW_F_BIANZHI);
        recruit_ok(s);
        int bz0 = news(s, 0, -1, TW_F_BIANZHI) + news(s, 1, -1, TW_F_BIANZHI);
        int all0 = news(s, 0, -1, 0) + news(s, 1, -1, 0);
        if (variant == 2) {
            /* no room: no hire, every post counted unfilled once */
            ck_assert_int_eq(all0, 0);
            ck_assert_double_eq(s->f.unfilled[TW_STAGE_PRIMARY], 23);
        } else {
            ck_assert_int_eq(bz0, 6);
            /* largest shortfall first: all 6 at school 0 (15 vs 8) */
            ck_assert_int_eq(news(s, 0, TW_CH_OPEN, TW_F_BIANZHI), 6);
            if (variant == 0) {
                ck_assert_int_eq(all0, 6);
                ck_assert_double_eq(s->f.unfilled[TW_STAGE_PRIMARY], 17);
            } else {
                /* 合同 takes the rest, outside the establishment */
                ck_assert_int_eq(all0, 23);
                ck_assert_int_eq(news(s, -1, TW_CH_CONTRACT, 0), 17);
                ck_assert_int_eq(news(s, -1, TW_CH_CONTRACT, TW_F_BIANZHI),
                                 0);
                ck_assert_double_eq(s->f.unfilled[TW_STAGE_PRIMARY], 0);
            }
        }
        /* county 1: caps off, so the cap of 0 does not bind */
        ck_assert_int_eq(news(s, 2, TW_CH_OPEN, TW_F_BIANZHI), 5);
        tw_sim_free(s);
    }
    tw_world_free(w);
}
END_TEST

/* Schools A, B, C with vacancies 6, 3, 1 and demand 30, 20, 10. */
static const fx_school abc[] = {{0, TW_STAGE_PRIMARY, TW_LOC_URBAN, 0},
                                {0, TW_STAGE_JUNIOR, TW_LOC_TOWN, 0},
                                {0, TW_STAGE_SENIOR, TW_LOC_RURAL, 0}};
static const double abc_dem[] = {30, 20, 10};

static tw_sim *abc_sim(const tw_world *w)
{
    tw_sim *s = mksim(w, 3, abc_dem);
    s->county_cap[0] = 1000;
    staff(s, 0, 24, TW_F_BIANZHI);
    staff(s, 1, 17, TW_F_BIANZHI);
    staff(s, 2, 9, TW_F_BIANZHI);
    return s;
}

static void check_abc(const tw_sim *s, int a, int b, int c)
{
    ck_assert_int_eq(news(s, 0, -1, 0), a);
    ck_assert_int_eq(news(s, 1, -1, 0), b);
    ck_assert_int_eq(news(s, 2, -1, 0), c);
}

START_TEST(test_quota)
{
    /* quota 7 < 10 vacancies: levelled from the top, (6,3,1) -> (5,2,0);
     * quota 16: the vacancies plus 6 in proportion to demand 3:2:1 ->
     * (9,5,2); the schedule policy behaves the same; quota 0 hires none. */
    const int64_t quota[] = {7, 16, 16, 0};
    const int want[][3] = {{5, 2, 0}, {9, 5, 2}, {9, 5, 2}, {0, 0, 0}};
    tw_world *w = mkworld(abc, 3, 1);
    for (int v = 0; v < 4; v++) {
        FX_EACH_COUNTY_YEAR(w, cp) {
            cp->hire_policy = v == 2 ? TW_HIRE_SCHEDULE : TW_HIRE_QUOTA;
            cp->quota = quota[v];
            cp->cap_on = 1;
        }
        tw_sim *s = abc_sim(w);
        recruit_ok(s);
        check_abc(s, want[v][0], want[v][1], want[v][2]);
        ck_assert_double_eq(total_hires(s), (double)quota[v]);
        ck_assert_double_eq(total_unfilled(s), 0);
        tw_sim_free(s);
    }
    tw_world_free(w);
}
END_TEST

START_TEST(test_replace)
{
    /* H = round(share * leavers): 0.6 * 7 = 4.2 -> 4, levelled from
     * (6,3,1): A 6,5,4 then the tie A=B=3 goes to A -> (4,0,0);
     * 1.0 * 20 = 20: vacancies + 10 by demand 30:20:10 with cumulative
     * rounding: floor(5), floor(8.33) - 5 = 3, 10 - 8 = 2 -> (11,6,3);
     * 0.5 * 0 = 0 hires none. */
    const double share[] = {0.6, 1.0, 0.5};
    const double leavers[] = {7, 20, 0};
    const int want[][3] = {{4, 0, 0}, {11, 6, 3}, {0, 0, 0}};
    tw_world *w = mkworld(abc, 3, 1);
    for (int v = 0; v < 3; v++) {
        FX_EACH_COUNTY_YEAR(w, cp) {
            cp->hire_policy = TW_HIRE_REPLACE;
            cp->replace_share = share[v];
        }
        tw_sim *s = abc_sim(w);
        s->county_leavers[0] = leavers[v];
        recruit_ok(s);
        check_abc(s, want[v][0], want[v][1], want[v][2]);
        ck_assert_double_eq(total_hires(s), round(share[v] * leavers[v]));
        tw_sim_free(s);
    }
    tw_world_free(w);
}
END_TEST

START_TEST(test_funded)
{
    /* Primary posts: urban 3, town 3, rural 2 (+ rural 0); junior rural 2
     * (not a 公费师范生 stage). fill_prob 0 everywhere: 公费师范生 are owed
     * a post and placed without a fill draw, 公开招聘 fills nothing. */
    const fx_school sc[] = {{0, TW_STAGE_PRIMARY, TW_LOC_URBAN, 0},
                            {0, TW_STAGE_PRIMARY, TW_LOC_TOWN, 0},
                            {0, TW_STAGE_PRIMARY, TW_LOC_RURAL, 0},
                            {0, TW_STAGE_PRIMARY, TW_LOC_RURAL, 0},
                            {0, TW_STAGE_SENIOR, TW_LOC_RURAL, 0},
                            {0, TW_STAGE_JUNIOR, TW_LOC_RURAL, 0}};
    const double dem[] = {5, 5, 4, 3, 3, 2};
    const int64_t cohort[] = {5, 12, 5};
    /* per school: cohort 5 -> rural 2 then town 3; cohort 12 -> the 8
     * posts, then 4 extras alternating between the rural primary schools
     * 2 and 3 (largest shortfall, ties to the lower index); room 2 -> 2 */
    const int want[][6] = {{0, 3, 2, 0, 0, 0},
                           {3, 3, 4, 2, 0, 0},
                           {0, 0, 2, 0, 0, 0}};
    tw_world *w = mkworld(sc, 6, 1);
    for (int v = 0; v < 3; v++) {
        FX_EACH_COUNTY_YEAR(w, cp) {
            chan(cp, TW_CH_FUNDED, 1 << TW_STAGE_PRIMARY, ALL_LOCS, cohort[v]);
            cp->ch[TW_CH_FUNDED].obligation = 6;
            order2(cp, TW_CH_FUNDED, TW_CH_OPEN);
            for (int l = 0; l < TW_N_LOCS; l++)
                cp->fill_prob[l] = 0.0;
            cp->cap_on = v == 2;
        }
        tw_sim *s = mksim(w, 4, dem);
        for (uint32_t i = 0; i < 6; i++)
            staff(s, i, i < 3 ? 2 : (i < 5 ? 3 : 0), TW_F_BIANZHI);
        s->county_cap[0] = v == 2 ? 14.5 : 1000; /* 12 在编: room 2 */
        recruit_ok(s);
        for (int i = 0; i < 6; i++)
            ck_assert_msg(news(s, i, TW_CH_FUNDED, TW_F_BIANZHI) ==
                              want[v][i],
                          "variant %d school %d: %d funded", v, i,
                          news(s, i, TW_CH_FUNDED, 0));
        ck_assert_double_eq(s->f.hires[TW_CH_FUNDED][TW_STAGE_PRIMARY],
                            v == 2 ? 2 : (double)cohort[v]);
        ck_assert_int_eq(news(s, -1, TW_CH_OPEN, 0), 0);
        for (size_t k = 0; k < s->n; k++)
            if (s->T.flags[k] & TW_F_NEW)
                ck_assert_int_eq(s->T.obligation[k], 6);
        /* the junior posts are never the cohort's; the urban primary
         * posts are left unfilled when the cohort is small */
        ck_assert_double_eq(s->f.unfilled[TW_STAGE_JUNIOR], 2);
        ck_assert_double_eq(s->f.unfilled[TW_STAGE_PRIMARY],
                            v == 0 ? 3 : v == 1 ? 0 : 6);
        tw_sim_free(s);
    }
    tw_world_free(w);
}
END_TEST

START_TEST(test_tegang_rural_only)
{
    /* 特岗 configured for every locality still hires only in rural schools;
     * cohort -1: every rural post; cohort 3: 3 (the school with the most
     * posts first), 公开招聘 the rest. */
    const fx_school sc[] = {{0, TW_STAGE_PRIMARY, TW_LOC_URBAN, 0},
                            {0, TW_STAGE_PRIMARY, TW_LOC_TOWN, 0},
                            {0, TW_STAGE_PRIMARY, TW_LOC_RURAL, 0},
                            {0, TW_STAGE_JUNIOR, TW_LOC_RURAL, 0}};
    const double dem[] = {4, 3, 5, 2};
    const int64_t cohort[] = {-1, 3};
    tw_world *w = mkworld(sc, 4, 1);
    for (int v = 0; v < 2; v++) {
        FX_EACH_COUNTY_YEAR(w, cp) {
            chan(cp, TW_CH_TEGANG, ALL_STAGES, ALL_LOCS, cohort[v]);
            cp->ch[TW_CH_TEGANG].obligation = 3;
            order2(cp, TW_CH_TEGANG, TW_CH_OPEN);
        }
        tw_sim *s = mksim(w, 5, dem);
        recruit_ok(s);
        ck_assert_int_eq(news(s, 0, TW_CH_TEGANG, 0), 0);
        ck_assert_int_eq(news(s, 1, TW_CH_TEGANG, 0), 0);
        ck_assert_int_eq(news(s, 2, TW_CH_TEGANG, 0), v == 0 ? 5 : 3);
        ck_assert_int_eq(news(s, 3, TW_CH_TEGANG, 0), v == 0 ? 2 : 0);
        ck_assert_int_eq(news(s, -1, -1, 0), 14);
        ck_assert_int_eq(news(s, 0, TW_CH_OPEN, 0), 4);
        ck_assert_int_eq(news(s, 1, TW_CH_OPEN, 0), 3);
        tw_sim_free(s);
    }
    tw_world_free(w);
}
END_TEST

START_TEST(test_talent_share)
{
    /* Senior posts 6 + 4 = 10 (and 21 + 4 = 25 in v == 2), primary 5. 人才引进 for
     * senior high only, behind 公开招聘 in the order: the reservation still
     * gives it ceil(share * senior posts), all 研究生 (postgraduate)
     * although its qual_share says 本科. v: share 0.25 -> 3; 0.2 -> 2;
     * 0.28 of 25 -> 7 (not 8: in doubles 0.28 * 25 = 7.000000000000001);
     * 0.25 with cohort 1 -> 1;
     * talent first in the order with no cohort -> all 10. */
    const fx_school sc[] = {{0, TW_STAGE_SENIOR, TW_LOC_URBAN, 0},
                            {0, TW_STAGE_SENIOR, TW_LOC_RURAL, 0},
                            {0, TW_STAGE_PRIMARY, TW_LOC_URBAN, 0}};
    const double share[] = {0.25, 0.2, 0.28, 0.25, 0.25};
    const int64_t cohort[] = {-1, -1, -1, 1, -1};
    const int want[] = {3, 2, 7, 1, 10};
    tw_world *w = mkworld(sc, 3, 1);
    for (int v = 0; v < 5; v++) {
        FX_EACH_COUNTY_YEAR(w, cp) {
            chan(cp, TW_CH_TALENT, 1 << TW_STAGE_SENIOR, ALL_LOCS, cohort[v]);
            cp->ch[TW_CH_TALENT].share = share[v];
            if (v == 4)
                order2(cp, TW_CH_TALENT, TW_CH_OPEN);
            else
                order2(cp, TW_CH_OPEN, TW_CH_TALENT);
        }
        const double dem[] = {v == 2 ? 25 : 10, 6, 5};
        tw_sim *s = mksim(w, 6, dem);
        staff(s, 0, 4, TW_F_BIANZHI); /* 6 or 21 posts */
        staff(s, 1, 2, TW_F_BIANZHI); /* 4 posts */
        recruit_ok(s);
        double senior = 0;
        for (int c = 0; c < TW_N_HIRE_CHANNELS; c++)
            senior += s->f.hires[c][TW_STAGE_SENIOR];
        ck_assert_double_eq(senior, v == 2 ? 25 : 10);
        int tal = news(s, -1, TW_CH_TALENT, 0);
        ck_assert_int_eq(tal, want[v]);
        if (cohort[v] < 0)
            ck_assert_int_ge(tal, (int)ceil(share[v] * senior - 1e-9));
        for (size_t k = 0; k < s->n; k++)
            if ((s->T.flags[k] & TW_F_NEW) && s->T.channel[k] == TW_CH_TALENT) {
                ck_assert_int_eq(s->T.qual[k], TW_QUAL_POSTGRAD);
                ck_assert_int_eq(w->schools[s->T.school[k]].stage,
                                 TW_STAGE_SENIOR);
            }
        ck_assert_int_eq(news(s, 2, TW_CH_OPEN, 0), 5);
        tw_sim_free(s);
    }
    tw_world_free(w);
}
END_TEST

START_TEST(test_enterprise)
{
    /* 企业引进 configured for every stage hires only in the vocational
     * school, all professional-course; 双师型 ~ Binomial(n, 0.3), within
     * k SE, m = 1. Then 公开招聘 into a vocational school: professional
     * course with the stock's prof_share (1 -> all, with the channel's
     * dual_prob 0 -> none dual; 0 -> none). */
    const fx_school sc[] = {{0, TW_STAGE_VOCATIONAL, TW_LOC_URBAN, 0},
                            {0, TW_STAGE_SENIOR, TW_LOC_URBAN, 0}};
    const double dem[] = {2000, 10};
    tw_world *w = mkworld(sc, 2, 1);
    FX_EACH_COUNTY_YEAR(w, cp) {
        chan(cp, TW_CH_ENTERPRISE, ALL_STAGES, ALL_LOCS, -1);
        cp->ch[TW_CH_ENTERPRISE].dual_prob = 0.3;
        order2(cp, TW_CH_ENTERPRISE, TW_CH_OPEN);
    }
    tw_sim *s = mksim(w, 7, dem);
    recruit_ok(s);
    int n = news(s, 0, TW_CH_ENTERPRISE, 0);
    ck_assert_int_eq(n, 2000);
    ck_assert_int_eq(news(s, 0, TW_CH_ENTERPRISE, TW_F_PROF), 2000);
    ck_assert_int_eq(news(s, 1, TW_CH_ENTERPRISE, 0), 0);
    ck_assert_int_eq(news(s, 1, TW_CH_OPEN, 0), 10);
    ck_assert_int_eq(news(s, 1, TW_CH_OPEN, TW_F_PROF), 0);
    double dual = news(s, 0, TW_CH_ENTERPRISE, TW_F_DUAL);
    double se = sqrt(n * 0.3 * 0.7);
    ck_assert_double_le(fabs(dual - n * 0.3), kse(1) * se);
    tw_sim_free(s);

    for (int v = 0; v < 2; v++) {
        tw_world *w2 = mkworld(sc, 2, 1);
        w2->stock[TW_STAGE_VOCATIONAL].prof_share = v == 0 ? 1.0 : 0.0;
        s = mksim(w2, 8, dem);
        recruit_ok(s);
        ck_assert_int_eq(news(s, 0, TW_CH_OPEN, TW_F_PROF), v == 0 ? 2000 : 0);
        ck_assert_int_eq(news(s, 0, TW_CH_OPEN, TW_F_DUAL), 0);
        tw_sim_free(s);
        tw_world_free(w2);
    }
    tw_world_free(w);
}
END_TEST

START_TEST(test_fill_prob_zero_rural)
{
    /* fill_prob rural 0: no rural hire; each rural post counted unfilled
     * once although two channels (特岗, 公开招聘) could take it. */
    const fx_school sc[] = {{0, TW_STAGE_PRIMARY, TW_LOC_RURAL, 0},
                            {0, TW_STAGE_JUNIOR, TW_LOC_RURAL, 0},
                            {0, TW_STAGE_PRIMARY, TW_LOC_URBAN, 0}};
    const double dem[] = {7, 3, 4};
    tw_world *w = mkworld(sc, 3, 1);
    FX_EACH_COUNTY_YEAR(w, cp) {
        chan(cp, TW_CH_TEGANG, ALL_STAGES, 1 << TW_LOC_RURAL, -1);
        order2(cp, TW_CH_TEGANG, TW_CH_OPEN);
        cp->fill_prob[TW_LOC_RURAL] = 0.0;
    }
    tw_sim *s = mksim(w, 9, dem);
    recruit_ok(s);
    ck_assert_int_eq(news(s, 0, -1, 0), 0);
    ck_assert_int_eq(news(s, 1, -1, 0), 0);
    ck_assert_int_eq(news(s, 2, TW_CH_OPEN, 0), 4);
    ck_assert_double_eq(s->f.unfilled[TW_STAGE_PRIMARY], 7);
    ck_assert_double_eq(s->f.unfilled[TW_STAGE_JUNIOR], 3);
    ck_assert_double_eq(total_unfilled(s), 10);
    tw_sim_free(s);
    tw_world_free(w);
}
END_TEST

START_TEST(test_fill_prob_stat)
{
    /* 40000 town posts at fill_prob 0.6 and 40000 rural at 0.3: hires ~
     * Binomial, within k SE, m = 2 (k = 5.03: +-2.1% and +-3.5% of the
     * means); hires + unfilled = posts exactly. */
    const fx_school sc[] = {{0, TW_STAGE_PRIMARY, TW_LOC_TOWN, 0},
                            {0, TW_STAGE_JUNIOR, TW_LOC_RURAL, 0}};
    const double dem[] = {40000, 40000};
    tw_world *w = mkworld(sc, 2, 1);
    FX_EACH_COUNTY_YEAR(w, cp) {
        cp->fill_prob[TW_LOC_TOWN] = 0.6;
        cp->fill_prob[TW_LOC_RURAL] = 0.3;
    }
    tw_sim *s = mksim(w, 10, dem);
    recruit_ok(s);
    const double p[] = {0.6, 0.3};
    const int st[] = {TW_STAGE_PRIMARY, TW_STAGE_JUNIOR};
    for (int i = 0; i < 2; i++) {
        double h = news(s, i, TW_CH_OPEN, 0);
        ck_assert_double_eq(h, s->f.hires[TW_CH_OPEN][st[i]]);
        ck_assert_double_eq(h + s->f.unfilled[st[i]], 40000);
        ck_assert_double_le(fabs(h - 40000 * p[i]),
                            kse(2) * sqrt(40000 * p[i] * (1 - p[i])));
    }
    tw_sim_free(s);
    tw_world_free(w);
}
END_TEST

START_TEST(test_new_hire_attributes)
{
    /* 4000 hires of 公开招聘: exact attributes per hire; female share 0.7,
     * postgraduate share 0.8 and mean age 30 (normal sd 3, rounded: the
     * clipping at 20 and 45 moves the mean by < 1e-3) within k SE, m = 3. */
    const fx_school sc[] = {{0, TW_STAGE_PRIMARY, TW_LOC_URBAN, 0}};
    const double dem[] = {4000};
    tw_world *w = mkworld(sc, 1, 1);
    FX_EACH_COUNTY_YEAR(w, cp) {
        tw_channel_params *p = &cp->ch[TW_CH_OPEN];
        p->age_mean = 30;
        p->age_sd = 3;
        p->female_share[TW_STAGE_PRIMARY] = 0.7;
        p->qual_share[TW_QUAL_BACHELOR] = 0.2;
        p->qual_share[TW_QUAL_POSTGRAD] = 0.8;
        p->obligation = 3;
    }
    tw_sim *s = mksim(w, 11, dem);
    recruit_ok(s);
    ck_assert_uint_eq(s->n, 4000);
    double fem = 0, pg = 0, age = 0, age2 = 0;
    int month_seen[13] = {0};
    for (size_t k = 0; k < s->n; k++) {
        const tw_teacher x_rec = tw_sim_get(s, k), *x = &x_rec;
        ck_assert_uint_eq(x->school, 0);
        ck_assert_uint_eq(x->home, 0);
        ck_assert_int_eq(x->tier, 0);
        ck_assert_int_eq(x->title, TW_TITLE_NONE);
        ck_assert_int_eq(x->channel, TW_CH_OPEN);
        ck_assert_uint_eq(x->flags, TW_F_NEW | TW_F_BIANZHI);
        ck_assert_int_eq(x->obligation, 3);
        ck_assert_int_eq(x->service + x->at_school + x->in_tier +
                             x->in_title + x->rural + x->strikes +
                             x->term_left + x->pool_years,
                         0);
        int a = 2021 - x->birth_year;
        ck_assert_int_ge(a, 20);
        ck_assert_int_le(a, 45);
        ck_assert_int_ge(x->birth_month, 1);
        ck_assert_int_le(x->birth_month, 12);
        month_seen[x->birth_month] = 1;
        ck_assert(x->qual == TW_QUAL_BACHELOR || x->qual == TW_QUAL_POSTGRAD);
        fem += x->sex == TW_SEX_FEMALE;
        pg += x->qual == TW_QUAL_POSTGRAD;
        age += a;
        age2 += (double)a * a;
    }
    for (int m = 1; m <= 12; m++)
        ck_assert_int_eq(month_seen[m], 1);
    double n = 4000, k = kse(3);
    ck_assert_double_le(fabs(fem - 0.7 * n), k * sqrt(n * 0.21));
    ck_assert_double_le(fabs(pg - 0.8 * n), k * sqrt(n * 0.16));
    double mean = age / n, var = (age2 - n * mean * mean) / (n - 1);
    ck_assert_double_le(fabs(mean - 30), k * sqrt(var / n));
    tw_sim_free(s);

    /* sd 0: no draw for age, clipped to 20..45; 合同 is never 在编 */
    const double ages[] = {60, 5};
    for (int v = 0; v < 2; v++) {
        FX_EACH_COUNTY_YEAR(w, cp) {
            chan(cp, TW_CH_CONTRACT, ALL_STAGES, ALL_LOCS, -1);
            cp->ch[TW_CH_CONTRACT].bianzhi = 1; /* ignored for 合同 */
            cp->ch[TW_CH_CONTRACT].age_mean = ages[v];
            cp->n_order = 1;
            cp->order[0] = TW_CH_CONTRACT;
        }
        const double d1[] = {50};
        s = mksim(w, 12, d1);
        recruit_ok(s);
        ck_assert_uint_eq(s->n, 50);
        for (size_t j = 0; j < s->n; j++) {
            ck_assert_int_eq(2021 - s->T.birth_year[j], v == 0 ? 45 : 20);
            ck_assert_uint_eq(s->T.flags[j], TW_F_NEW);
            ck_assert_int_eq(s->T.sex[j], TW_SEX_MALE); /* share 0 */
        }
        tw_sim_free(s);
    }
    tw_world_free(w);
}
END_TEST

START_TEST(test_channel_order)
{
    /* Posts: rural 5, urban 3. [open, tegang]: 公开招聘 takes all 8;
     * [tegang, open]: 特岗 the 5 rural, 公开招聘 the 3 urban; [contract,
     * open]: 合同 all 8; a channel switched off is skipped. */
    const fx_school sc[] = {{0, TW_STAGE_PRIMARY, TW_LOC_RURAL, 0},
                            {0, TW_STAGE_PRIMARY, TW_LOC_URBAN, 0}};
    const double dem[] = {5, 3};
    const int first[] = {TW_CH_OPEN, TW_CH_TEGANG, TW_CH_CONTRACT,
                         TW_CH_TEGANG};
    const int second[] = {TW_CH_TEGANG, TW_CH_OPEN, TW_CH_OPEN, TW_CH_OPEN};
    /* hires [open, tegang, contract] */
    const int want[][3] = {{8, 0, 0}, {3, 5, 0}, {0, 0, 8}, {8, 0, 0}};
    tw_world *w = mkworld(sc, 2, 1);
    for (int v = 0; v < 4; v++) {
        FX_EACH_COUNTY_YEAR(w, cp) {
            chan(cp, TW_CH_TEGANG, ALL_STAGES, 1 << TW_LOC_RURAL, -1);
            chan(cp, TW_CH_CONTRACT, ALL_STAGES, ALL_LOCS, -1);
            cp->ch[TW_CH_TEGANG].on = v != 3;
            order2(cp, first[v], second[v]);
        }
        tw_sim *s = mksim(w, 13, dem);
        recruit_ok(s);
        ck_assert_int_eq(news(s, -1, TW_CH_OPEN, 0), want[v][0]);
        ck_assert_int_eq(news(s, -1, TW_CH_TEGANG, 0), want[v][1]);
        ck_assert_int_eq(news(s, -1, TW_CH_CONTRACT, 0), want[v][2]);
        tw_sim_free(s);
    }
    tw_world_free(w);
}
END_TEST

/* Random worlds and parameters: invariants that hold whatever they are. */
START_TEST(test_invariants_random)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 20240601);
    for (int rep = 0; rep < 300; rep++) {
        enum { NS = 8 };
        fx_school sc[NS];
        double dem[NS];
        for (int i = 0; i < NS; i++) {
            sc[i].county = i < 5 ? 0 : 1;
            sc[i].stage = (int)gsl_rng_uniform_int(r, TW_N_STAGES);
            sc[i].loc = (int)gsl_rng_uniform_int(r, TW_N_LOCS);
            sc[i].students = 0;
            dem[i] = gsl_rng_uniform(r) * 30;
        }
        tw_world *w = mkworld(sc, NS, 2);
        int funded_on = (int)gsl_rng_uniform_int(r, 2);
        FX_EACH_COUNTY_YEAR(w, cp) {
            cp->hire_policy = (int)gsl_rng_uniform_int(r, TW_N_HIRE_POLICIES);
            cp->quota = (int64_t)gsl_rng_uniform_int(r, 60);
            cp->replace_share = gsl_rng_uniform(r) * 1.5;
            cp->cap_on = 1;
            for (int l = 0; l < TW_N_LOCS; l++)
                cp->fill_prob[l] = gsl_rng_uniform(r);
            int perm[TW_N_HIRE_CHANNELS];
            for (int c = 0; c < TW_N_HIRE_CHANNELS; c++) {
                perm[c] = c;
                chan(cp, c, 1 + (int)gsl_rng_uniform_int(r, ALL_STAGES),
                     1 + (int)gsl_rng_uniform_int(r, ALL_LOCS),
                     (int64_t)gsl_rng_uniform_int(r, 12) - 1);
                cp->ch[c].share = gsl_rng_uniform(r) * 0.5;
                cp->ch[c].dual_prob = 0.5;
            }
            cp->ch[TW_CH_FUNDED].on = funded_on;
            gsl_ran_shuffle(r, perm, TW_N_HIRE_CHANNELS, sizeof perm[0]);
            cp->n_order = TW_N_HIRE_CHANNELS;
            memcpy(cp->order, perm, sizeof perm);
        }
        tw_sim *s = mksim(w, (uint64_t)rep, dem);
        int64_t bz[2] = {0, 0};
        for (int i = 0; i < NS; i++) {
            int n = (int)gsl_rng_uniform_int(r, 25);
            for (int j = 0; j < n; j++) {
                unsigned fl = gsl_rng_uniform(r) < 0.8 ? TW_F_BIANZHI : 0;
                fl |= gsl_rng_uniform(r) < 0.1 ? TW_F_POOL : 0;
                staff(s, (uint32_t)i, 1, fl);
                bz[sc[i].county] += (fl & TW_F_BIANZHI) != 0;
            }
        }
        int64_t room[2];
        for (int c = 0; c < 2; c++) {
            s->county_cap[c] = gsl_rng_uniform(r) * 120;
            room[c] = (int64_t)floor(s->county_cap[c]) - bz[c];
            if (room[c] < 0)
                room[c] = 0;
            s->county_leavers[c] = (double)gsl_rng_uniform_int(r, 20);
        }
        /* H per county from the policy, on fresh headcounts */
        tw_sim_count_heads(s);
        int64_t H[2] = {0, 0}, vac[2] = {0, 0};
        for (int i = 0; i < NS; i++) {
            int64_t v = llround(dem[i]) - (int64_t)s->S[i].headcount;
            vac[sc[i].county] += v > 0 ? v : 0;
        }
        for (int c = 0; c < 2; c++) {
            const tw_county_params *cp = tw_world_cparams(w, 1, (size_t)c);
            H[c] = cp->hire_policy == TW_HIRE_FILL      ? vac[c]
                   : cp->hire_policy == TW_HIRE_REPLACE ? llround(
                                           cp->replace_share *
                                           s->county_leavers[c])
                                                        : cp->quota;
        }
        size_t n0 = s->n;
        recruit_ok(s);
        int64_t hbz[2] = {0, 0}, hall[2] = {0, 0}, hfunded[2] = {0, 0};
        for (size_t k = n0; k < s->n; k++) {
            const tw_teacher x_rec = tw_sim_get(s, k), *x = &x_rec;
            const tw_school *sch = &w->schools[x->school];
            const tw_channel_params *p =
                &tw_world_cparams(w, 1, sch->county)->ch[x->channel];
            ck_assert(x->flags & TW_F_NEW);
            ck_assert(p->stage_mask & (1 << sch->stage));
            if (x->channel != TW_CH_FUNDED)
                ck_assert(p->loc_mask & (1 << sch->locality));
            if (x->channel == TW_CH_TEGANG)
                ck_assert_int_eq(sch->locality, TW_LOC_RURAL);
            if (x->channel == TW_CH_ENTERPRISE)
                ck_assert((x->flags & TW_F_PROF) &&
                          sch->stage == TW_STAGE_VOCATIONAL);
            if (x->channel == TW_CH_TALENT)
                ck_assert_int_eq(x->qual, TW_QUAL_POSTGRAD);
            if (x->channel == TW_CH_CONTRACT)
                ck_assert(!(x->flags & TW_F_BIANZHI));
            if (x->flags & TW_F_DUAL)
                ck_assert(x->flags & TW_F_PROF);
            hbz[sch->county] += (x->flags & TW_F_BIANZHI) != 0;
            hall[sch->county]++;
            hfunded[sch->county] += x->channel == TW_CH_FUNDED;
        }
        double unf = total_unfilled(s);
        for (int c = 0; c < 2; c++) {
            /* the invariant: 在编 hires never exceed the room */
            ck_assert_int_le(hbz[c], room[c]);
            const tw_county_params *cp = tw_world_cparams(w, 1, (size_t)c);
            for (int ch = 0; ch < TW_N_HIRE_CHANNELS; ch++)
                if (ch != TW_CH_FUNDED && cp->ch[ch].cohort >= 0) {
                    int64_t nch = 0;
                    for (size_t k = n0; k < s->n; k++)
                        nch += s->T.channel[k] == ch &&
                               w->schools[s->T.school[k]].county == c;
                    ck_assert_int_le(nch, cp->ch[ch].cohort);
                }
            if (funded_on)
                ck_assert_int_le(hfunded[c],
                                 cp->ch[TW_CH_FUNDED].cohort > 0
                                     ? cp->ch[TW_CH_FUNDED].cohort
                                     : 0);
        }
        /* every post of H is filled or counted unfilled, exactly once;
         * only 公费师范生 may be hired beyond the posts */
        double posts = (double)(H[0] + H[1]);
        double hires = (double)(hall[0] + hall[1]);
        ck_assert_double_eq(total_hires(s), hires);
        if (!funded_on)
            ck_assert_double_eq(hires + unf, posts);
        else
            ck_assert_double_ge(hires + unf, posts);
        tw_sim_free(s);
        tw_world_free(w);
    }
    gsl_rng_free(r);
}
END_TEST

START_TEST(test_reproducible)
{
    /* the same seed gives the same hires, bit for bit */
    const fx_school sc[] = {{0, TW_STAGE_VOCATIONAL, TW_LOC_RURAL, 0},
                            {0, TW_STAGE_PRIMARY, TW_LOC_TOWN, 0}};
    const double dem[] = {300, 300};
    tw_world *w = mkworld(sc, 2, 1);
    w->stock[TW_STAGE_VOCATIONAL].prof_share = 0.5;
    FX_EACH_COUNTY_YEAR(w, cp) {
        cp->fill_prob[TW_LOC_RURAL] = 0.5;
        cp->ch[TW_CH_OPEN].age_sd = 4;
        cp->ch[TW_CH_OPEN].dual_prob = 0.5;
        cp->ch[TW_CH_OPEN].female_share[TW_STAGE_PRIMARY] = 0.5;
    }
    tw_sim *a = mksim(w, 14, dem), *b = mksim(w, 14, dem);
    recruit_ok(a);
    recruit_ok(b);
    ck_assert_uint_eq(a->n, b->n);
    ck_assert(fx_same_teachers(a, b));
    ck_assert_int_eq(memcmp(&a->f, &b->f, sizeof a->f), 0);
    tw_sim_free(a);
    tw_sim_free(b);
    tw_world_free(w);
}
END_TEST

/* ---- training pipelines (programme_years) ---------------------------- */

/* One rural primary school wanting `demand` teachers; 公费师范生 with a
 * programme of `years` years, then 公开招聘, which fills nothing
 * (fill_prob 0). Years 2020 .. 2028. */
static tw_world *pipe_world(double graduation, int years)
{
    static const fx_school sc[] = {{0, TW_STAGE_PRIMARY, TW_LOC_RURAL, 0}};
    tw_world *w = fx_world(2020, 9, 1, sc, 1, 3);
    FX_EACH_COUNTY_YEAR(w, cp) {
        cp->ch[TW_CH_OPEN].cohort = -1;
        chan(cp, TW_CH_FUNDED, ALL_STAGES, ALL_LOCS, 0);
        cp->ch[TW_CH_FUNDED].obligation = 6;
        cp->ch[TW_CH_FUNDED].programme_years = years;
        cp->ch[TW_CH_FUNDED].graduation = graduation;
        order2(cp, TW_CH_FUNDED, TW_CH_OPEN);
        for (int l = 0; l < TW_N_LOCS; l++)
            cp->fill_prob[l] = 0.0;
    }
    return w;
}

/* Recruitment of year index t on an empty replicate wanting `demand`. */
static tw_sim *pipe_year(const tw_world *w, size_t t, double demand,
                         uint64_t seed)
{
    tw_sim *s = mksim(w, seed, &demand);
    s->t = t;
    s->year = 2020 + (int)t;
    recruit_ok(s);
    return s;
}

START_TEST(test_pipeline_timing)
{
    /* 10 students enter a 4-year programme in 2021 and graduate in 2025,
     * not before; 3, 5 and 7 entered in 2017-2019 and graduate in
     * 2021-2023; nobody entered in 2020 (the base year). */
    tw_world *w = pipe_world(1.0, 4);
    w->cparams[1].ch[TW_CH_FUNDED].cohort = 10; /* t = 1, the one county */
    const int64_t before[] = {3, 5, 7};
    memcpy(w->cparams[0].ch[TW_CH_FUNDED].intake_before, before,
           sizeof before);
    static const int want[] = {0, 3, 5, 7, 0, 10, 0, 0, 0};
    for (size_t t = 1; t < 9; t++) {
        tw_sim *s = pipe_year(w, t, 100, 20 + t);
        ck_assert_msg(news(s, -1, TW_CH_FUNDED, TW_F_BIANZHI) == want[t],
                      "%d: %d graduates hired, want %d", 2020 + (int)t,
                      news(s, -1, TW_CH_FUNDED, 0), want[t]);
        ck_assert_double_eq(s->f.graduates[TW_CH_FUNDED], want[t]);
        ck_assert_double_eq(s->f.placed[TW_CH_FUNDED], want[t]);
        ck_assert_double_eq(s->cf[0].placed[TW_CH_FUNDED], want[t]);
        for (size_t k = 0; k < s->n; k++)
            ck_assert_int_eq(s->T.obligation[k], 6);
        tw_sim_free(s);
    }
    tw_world_free(w);
}
END_TEST

START_TEST(test_pipeline_graduation)
{
    /* 2,000 enter in 2020 for one year; a share 0.3 graduates in 2021:
     * Binomial(2000, 0.3), every graduate placed. Share 0: none, and no
     * draw; share 1: all. */
    static const double share[] = {0.3, 0.0, 1.0};
    for (int v = 0; v < 3; v++) {
        tw_world *w = pipe_world(share[v], 1);
        w->cparams[0].ch[TW_CH_FUNDED].cohort = 2000;
        tw_sim *s = mksim(w, 31, (const double[]){5000});
        uint64_t d0 = tw_rng_draws(s->rng);
        recruit_ok(s);
        double g = s->f.graduates[TW_CH_FUNDED];
        ck_assert_int_eq(news(s, -1, TW_CH_FUNDED, 0), (int)g);
        ck_assert_double_eq(s->f.placed[TW_CH_FUNDED], g);
        if (v == 0) {
            double sd = sqrt(2000 * 0.3 * 0.7);
            ck_assert_msg(fabs(g - 600) <= kse(1) * sd, "%g graduates of "
                          "2000 at 0.3", g);
        } else {
            ck_assert_double_eq(g, v == 1 ? 0 : 2000);
        }
        if (v == 1) /* nobody graduates, nobody is hired: no draw */
            ck_assert_uint_eq(tw_rng_draws(s->rng), d0);
        tw_sim_free(s);
        tw_world_free(w);
    }
}
END_TEST

START_TEST(test_pipeline_absent_unchanged)
{
    /* Without programme_years the cohort is hired in its own year: a
     * replicate with cohort 5 a year hires exactly what a 1-year
     * programme of 5 a year, all graduating, hires a year later, with
     * the same draws; and records no graduates. */
    tw_world *a = pipe_world(1.0, 0), *b = pipe_world(1.0, 1);
    FX_EACH_COUNTY_YEAR(a, cp) {
        cp->ch[TW_CH_FUNDED].cohort = 5;
        cp->fill_prob[TW_LOC_RURAL] = 0.5; /* 公开招聘 draws */
    }
    FX_EACH_COUNTY_YEAR(b, cp) {
        cp->ch[TW_CH_FUNDED].cohort = 5;
        cp->fill_prob[TW_LOC_RURAL] = 0.5;
    }
    for (size_t t = 1; t < 4; t++) {
        tw_sim *x = pipe_year(a, t, 40, 7), *y = pipe_year(b, t, 40, 7);
        ck_assert_int_eq(news(x, -1, TW_CH_FUNDED, 0), 5);
        ck_assert_uint_eq(x->n, y->n);
        ck_assert(fx_same_teachers(x, y));
        ck_assert_uint_eq(tw_rng_draws(x->rng), tw_rng_draws(y->rng));
        ck_assert_double_eq(x->f.graduates[TW_CH_FUNDED], 0);
        ck_assert_double_eq(x->f.placed[TW_CH_FUNDED], 0);
        ck_assert_double_eq(y->f.placed[TW_CH_FUNDED], 5);
        tw_sim_free(x);
        tw_sim_free(y);
    }
    tw_world_free(a);
    tw_world_free(b);
}
END_TEST

START_TEST(test_pipeline_tegang)
{
    /* The machinery on another channel: 特岗 as a 2-year programme of 6 a
     * year, 4 enrolled in 2019; its graduates cap its hires (fill_prob 1,
     * posts to spare), 公开招聘 takes the rest. */
    static const fx_school sc[] = {{0, TW_STAGE_PRIMARY, TW_LOC_RURAL, 0}};
    tw_world *w = mkworld(sc, 1, 1);
    FX_EACH_COUNTY_YEAR(w, cp) {
        chan(cp, TW_CH_TEGANG, ALL_STAGES, 1 << TW_LOC_RURAL, 6);
        cp->ch[TW_CH_TEGANG].programme_years = 2;
        cp->ch[TW_CH_TEGANG].graduation = 1.0;
        cp->ch[TW_CH_TEGANG].intake_before[0] = 4;
        order2(cp, TW_CH_TEGANG, TW_CH_OPEN);
        for (int l = 0; l < TW_N_LOCS; l++)
            cp->fill_prob[l] = 1.0;
    }
    for (size_t t = 1; t < 3; t++) {
        tw_sim *s = pipe_year(w, t, 30, 9);
        int want = t == 1 ? 4 : 6;
        ck_assert_int_eq(news(s, -1, TW_CH_TEGANG, 0), want);
        ck_assert_int_eq(news(s, -1, TW_CH_OPEN, 0), 30 - want);
        ck_assert_double_eq(s->f.placed[TW_CH_TEGANG], want);
        tw_sim_free(s);
    }
    tw_world_free(w);
}
END_TEST

/* Three subjects with primary shares 0.5, 0.3, 0.2 (set before fx_sim,
 * which sizes the counts by them). */
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
}

/* A hire takes its school's subject with the largest shortfall demand x
 * share - teachers, ties to the lowest index: demand 10 over shares 0.5,
 * 0.3, 0.2 with three teachers of subject a: shortfalls 2, 3, 2, so b
 * first, then a, b, c in turn; the seven hires end at exactly 5, 3, 2.
 * The pooled teacher holds no post at the school and counts for none. */
START_TEST(test_subject_most_short)
{
    const fx_school sc[] = {{0, TW_STAGE_PRIMARY, TW_LOC_URBAN, 0}};
    const double dem[] = {10.0};
    tw_world *w = mkworld(sc, 1, 1);
    three_subjects(w);
    tw_sim *s = mksim(w, 1, dem);
    ck_assert_ptr_nonnull(s->subj_n);
    staff(s, 0, 3, TW_F_BIANZHI);
    staff(s, 0, 1, TW_F_BIANZHI | TW_F_POOL);
    s->T.subject[3] = 2;
    size_t n0 = s->n;
    recruit_ok(s);
    ck_assert_uint_eq(s->n, n0 + 7);
    const int order[] = {1, 0, 1, 2, 0, 1, 2};
    for (size_t k = 0; k < 7; k++)
        ck_assert_int_eq(s->T.subject[n0 + k], order[k]);
    /* the counts: every teacher once, by school (pool left out) and by
     * county (pool included) */
    tw_subject_count(s);
    ck_assert_uint_eq(s->subj_n[0], 5);
    ck_assert_uint_eq(s->subj_n[1], 3);
    ck_assert_uint_eq(s->subj_n[2], 2);
    ck_assert_double_eq(s->subj_c[0], 5);
    ck_assert_double_eq(s->subj_c[2], 3);
    /* ties to the lowest index; no subject short: still the lowest */
    double d10[TW_MAX_SUBJECTS], d3[TW_MAX_SUBJECTS];
    tw_subject_demands(w, 1, 0, 100.0, 10.0, d10);
    const uint32_t even[] = {5, 3, 2};
    ck_assert_uint_eq(
        tw_subject_most_short(w, TW_STAGE_PRIMARY, 10.0, d10, even), 0);
    const uint32_t over[] = {9, 3, 2};
    ck_assert_uint_eq(tw_subject_most_short(w, TW_STAGE_PRIMARY, 10.0, d10,
                                            over),
                      1);
    /* a subject the stage does not teach is never chosen, even when every
     * subject it teaches is over (a hire beyond the demand) */
    w->subject_share[TW_STAGE_JUNIOR][0] = 0.0;
    w->subject_share[TW_STAGE_JUNIOR][1] = 1.0;
    w->subject_share[TW_STAGE_JUNIOR][2] = 0.0;
    const uint32_t full[] = {0, 5, 0};
    w->schools[0].stage = TW_STAGE_JUNIOR;
    tw_subject_demands(w, 1, 0, 100.0, 3.0, d3);
    ck_assert_uint_eq(tw_subject_most_short(w, TW_STAGE_JUNIOR, 3.0, d3, full),
                      1);
    w->schools[0].stage = TW_STAGE_PRIMARY;
    /* the teaching-load basis: 100 pupils in classes of 45 are 3 classes,
     * 30 periods a week each over a load of 15 are 6 teachers whatever the
     * ratio demand; a teaching point of 30 pupils is one class; no pupils,
     * no demand */
    w->subject_load_mask = 1 << TW_STAGE_PRIMARY;
    w->subject_periods[TW_STAGE_PRIMARY] = 30.0;
    w->subject_load[TW_STAGE_PRIMARY] = 15.0;
    w->subject_class_size[TW_STAGE_PRIMARY] = 45.0;
    double dl[TW_MAX_SUBJECTS], tot = 0.0;
    tw_subject_demands(w, 1, 0, 100.0, 10.0, dl);
    for (size_t j = 0; j < 3; j++)
        tot += dl[j];
    ck_assert_double_eq_tol(tot, 6.0, 1e-12);
    ck_assert_double_eq_tol(dl[0], 6.0 * w->subject_share[TW_STAGE_PRIMARY][0],
                            1e-12);
    ck_assert_double_eq(tw_subject_classes(w, TW_STAGE_PRIMARY, 90.0), 2.0);
    ck_assert_double_eq(tw_subject_classes(w, TW_STAGE_PRIMARY, 30.0), 1.0);
    double d0[TW_MAX_SUBJECTS];
    tw_subject_demands(w, 1, 0, 0.0, 10.0, d0);
    ck_assert_double_eq(d0[0], 0.0);
    /* the basis, not the ratio demand, decides the shortfall: on 6
     * teachers (3, 1.8, 1.2 by share) a school with 3, 1, 2 is short of b */
    const uint32_t load[] = {3, 1, 2};
    tw_subject_demands(w, 1, 0, 100.0, 100.0, dl);
    ck_assert_uint_eq(
        tw_subject_most_short(w, TW_STAGE_PRIMARY, 100.0, dl, load), 1);
    /* once the timetable is covered (4, 2, 2 against 3, 1.8, 1.2) a post
     * the ratio still gives goes by its split: 10 x share - count is 1, 1,
     * 0, so a (the tie to the lowest), not b, the least over the basis */
    const uint32_t covered[] = {4, 2, 2};
    tw_subject_demands(w, 1, 0, 100.0, 10.0, dl);
    ck_assert_uint_eq(
        tw_subject_most_short(w, TW_STAGE_PRIMARY, 10.0, dl, covered), 0);
    tw_sim_free(s);
    tw_world_free(w);
}
END_TEST

/* Counts conserved over random staffing and hires: the subjects' counts
 * sum to the headcounts school by school, and to the employed teachers. */
START_TEST(test_subject_counts_conserved)
{
    const fx_school sc[] = {{0, TW_STAGE_PRIMARY, TW_LOC_URBAN, 0},
                            {0, TW_STAGE_JUNIOR, TW_LOC_RURAL, 0},
                            {1, TW_STAGE_PRIMARY, TW_LOC_TOWN, 0}};
    const double dem[] = {23.3, 7.0, 41.6};
    tw_world *w = mkworld(sc, 3, 2);
    three_subjects(w);
    tw_sim *s = mksim(w, 5, dem);
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 11);
    for (uint32_t i = 0; i < 3; i++) {
        int n = (int)gsl_rng_uniform_int(r, 20);
        for (int j = 0; j < n; j++) {
            unsigned fl = TW_F_BIANZHI |
                          (gsl_rng_uniform(r) < 0.1 ? TW_F_POOL : 0);
            size_t k = fx_add(s, i, 1980, TW_SEX_FEMALE, 0, TW_TITLE_SECOND,
                              TW_QUAL_BACHELOR, fl);
            s->T.subject[k] = (uint8_t)gsl_rng_uniform_int(r, 3);
        }
    }
    gsl_rng_free(r);
    recruit_ok(s);
    tw_sim_count_heads(s);
    tw_subject_count(s);
    double all = 0;
    for (size_t i = 0; i < 3; i++) {
        uint32_t sum = 0;
        for (size_t j = 0; j < 3; j++)
            sum += s->subj_n[i * TW_MAX_SUBJECTS + j];
        ck_assert_uint_eq(sum, s->S[i].headcount);
    }
    for (size_t c = 0; c < 2; c++)
        for (size_t j = 0; j < 3; j++)
            all += s->subj_c[c * TW_MAX_SUBJECTS + j];
    ck_assert_double_eq(all, (double)fx_alive(s));
    tw_sim_free(s);
    tw_world_free(w);
}
END_TEST

/* Without subjects: no counts, and every hire keeps subject 0. */
START_TEST(test_subject_absent)
{
    const fx_school sc[] = {{0, TW_STAGE_PRIMARY, TW_LOC_URBAN, 0}};
    const double dem[] = {6.0};
    tw_world *w = mkworld(sc, 1, 1);
    tw_sim *s = mksim(w, 1, dem);
    ck_assert_ptr_null(s->subj_n);
    recruit_ok(s);
    ck_assert_uint_eq(s->n, 6);
    for (size_t k = 0; k < s->n; k++)
        ck_assert_int_eq(s->T.subject[k], 0);
    tw_sim_free(s);
    tw_world_free(w);
}
END_TEST

Suite *recruit_suite(void)
{
    Suite *s = suite_create("recruit");
    TCase *tc = tcase_create("policy");
    tcase_add_test(tc, test_fill_exact);
    tcase_add_test(tc, test_room_cap);
    tcase_add_test(tc, test_quota);
    tcase_add_test(tc, test_replace);
    suite_add_tcase(s, tc);
    TCase *subj = tcase_create("subjects");
    tcase_add_test(subj, test_subject_most_short);
    tcase_add_test(subj, test_subject_counts_conserved);
    tcase_add_test(subj, test_subject_absent);
    suite_add_tcase(s, subj);
    TCase *chs = tcase_create("channels");
    tcase_add_test(chs, test_funded);
    tcase_add_test(chs, test_tegang_rural_only);
    tcase_add_test(chs, test_talent_share);
    tcase_add_test(chs, test_enterprise);
    tcase_add_test(chs, test_channel_order);
    suite_add_tcase(s, chs);
    TCase *pipe = tcase_create("pipeline");
    tcase_add_test(pipe, test_pipeline_timing);
    tcase_add_test(pipe, test_pipeline_graduation);
    tcase_add_test(pipe, test_pipeline_absent_unchanged);
    tcase_add_test(pipe, test_pipeline_tegang);
    suite_add_tcase(s, pipe);
    TCase *fill = tcase_create("fill_and_hires");
    tcase_set_timeout(fill, 60);
    tcase_add_test(fill, test_fill_prob_zero_rural);
    tcase_add_test(fill, test_fill_prob_stat);
    tcase_add_test(fill, test_new_hire_attributes);
    tcase_add_test(fill, test_invariants_random);
    tcase_add_test(fill, test_reproducible);
    suite_add_tcase(s, fill);
    return s;
}
