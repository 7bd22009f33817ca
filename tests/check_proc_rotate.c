/*
 * check_proc_rotate.c - rotation under 县管校聘 (county-managed teachers,
 * school hiring): returns from exchange terms, voluntary transfers, 交流轮岗
 * (exchange to rural schools) and 竞聘 (competitive re-hiring) with the
 * 待岗培训 pool and 落聘 (src/model/proc_rotate.c, MODEL.md 3.7).
 *
 * Deterministic tests use shares and rates 0 and 1 on hand-made
 * populations. Statistical tests compare a count with its binomial (or
 * hypergeometric) expectation within k standard errors, k = Qinv(ALPHA /
 * (2 m)) for the m comparisons of the test and ALPHA = 1e-6: for a random
 * seed a correct engine fails a test with probability below one in a
 * million (Bonferroni). Seeds are fixed, so the suite is deterministic.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_rng.h>

#include "fixture.h"
#include "tw_tests.h"

#define ALPHA 1e-6
#define BASE 2020
#define NYEARS 12

/* Run the process for year index t, with this year's flows zeroed as
 * tw_sim_step does. */
static void run_year(tw_sim *s, size_t t)
{
    s->t = t;
    s->year = s->w->base_year + (int)t;
    memset(&s->f, 0, sizeof s->f);
    tw_proc_rotate(s);
}

static double k_sigma(int m)
{
    return gsl_cdf_ugaussian_Qinv(ALPHA / (2.0 * m));
}

/* |count - n q| <= k sqrt(n q (1-q)), k for m comparisons. */
static void ck_binomial(double count, double n, double q, int m,
                        const char *what)
{
    double k = k_sigma(m);
    double sd = sqrt(n * q * (1.0 - q));
    ck_assert_msg(fabs(count - n * q) <= k * sd,
                  "%s: %g events of %g, expected %g +- %g (k=%.2f)", what,
                  count, n, n * q, k * sd, k);
}

/* Two generators at the same point of the same stream draw the same next
 * number: used to prove that a call made no draw. */
static int same_stream(gsl_rng *a, gsl_rng *b)
{
    return gsl_rng_get(a) == gsl_rng_get(b);
}

/* A teacher in 编制 (establishment), at_school years at its school. */
static size_t add_t(tw_sim *s, uint32_t school, int age, int sex, int tier,
                    int title, int at_school, unsigned flags)
{
    size_t k = fx_add(s, school, s->year - age, sex, tier, title,
                      TW_QUAL_BACHELOR, flags);
    s->T.at_school[k] = (uint8_t)at_school;
    return k;
}

static size_t add_bz(tw_sim *s, uint32_t school, int at_school)
{
    return add_t(s, school, 40, TW_SEX_MALE, 0, TW_TITLE_SECOND, at_school,
                 TW_F_BIANZHI);
}

static uint32_t heads(const tw_sim *s, uint32_t school)
{
    uint32_t n = 0;
    for (size_t k = 0; k < s->n; k++)
        n += !(s->T.flags[k] & (TW_F_GONE | TW_F_POOL)) &&
             s->T.school[k] == school;
    return n;
}

/* The headcounts the process left behind are exact. */
static void ck_heads_current(tw_sim *s)
{
    for (uint32_t i = 0; i < s->w->n_schools; i++)
        ck_assert_msg(s->S[i].headcount == heads(s, i),
                      "school %u: headcount %u, counted %u", i,
                      s->S[i].headcount, heads(s, i));
}

/* A sim in year 1, the population empty. */
static tw_sim *sim1(const tw_world *w, uint64_t seed)
{
    tw_sim *s = fx_sim(w, seed);
    s->t = 1;
    s->year = w->base_year + 1;
    return s;
}

/* ------------------------------------------------------------------ */
/* Exchange (交流轮岗)                                                  */
/* ------------------------------------------------------------------ */

/* Exchange with share 1 in every county and year, terms of 2 years. */
static void exchange_params(tw_world *w, double share, int term)
{
    FX_EACH_COUNTY_YEAR(w, cp) {
        cp->reform = 1;
        cp->exchange_share = share;
        cp->eligible_years = 6;
        cp->exempt_age_male = 55;
        cp->exempt_age_female = 50;
        cp->term_years = term;
        cp->pool_max_years = 10;
    }
}

START_TEST(test_exchange_eligibility)
{
    const fx_school sc[] = {
        {0, TW_STAGE_PRIMARY, TW_LOC_URBAN, 0},     /* 0 */
        {0, TW_STAGE_JUNIOR, TW_LOC_TOWN, 0},       /* 1 */
        {0, TW_STAGE_PRIMARY, TW_LOC_RURAL, 0},     /* 2 */
        {0, TW_STAGE_JUNIOR, TW_LOC_RURAL, 0},      /* 3 */
        {0, TW_STAGE_SENIOR, TW_LOC_URBAN, 0},      /* 4 */
        {0, TW_STAGE_PRESCHOOL, TW_LOC_URBAN, 0},   /* 5 */
        {0, TW_STAGE_SENIOR, TW_LOC_RURAL, 0},      /* 6 */
        {0, TW_STAGE_PRESCHOOL, TW_LOC_RURAL, 0},   /* 7 */
        {0, TW_STAGE_VOCATIONAL, TW_LOC_URBAN, 0},  /* 8 */
        {0, TW_STAGE_VOCATIONAL, TW_LOC_RURAL, 0},  /* 9 */
    };
    tw_world *w = fx_world(BASE, NYEARS, 1, sc, 10, 2);
    exchange_params(w, 1.0, 2);
    tw_sim *s = sim1(w, 1);
    const unsigned BZ = TW_F_BIANZHI;
    size_t yes[] = {
        add_t(s, 0, 40, TW_SEX_MALE, 0, 2, 6, BZ),   /* exactly 6 years */
        add_t(s, 1, 49, TW_SEX_FEMALE, 0, 2, 10, BZ), /* town, woman 49 */
        add_t(s, 0, 54, TW_SEX_MALE, 1, 3, 30, BZ),  /* man 54 */
        add_t(s, 1, 25, TW_SEX_FEMALE, 1, 1, 6, BZ | TW_F_LATE),
        add_t(s, 0, 52, TW_SEX_MALE, 0, 2, 6, BZ),   /* man 52, woman not */
    };
    size_t no[] = {
        add_t(s, 0, 40, TW_SEX_MALE, 0, 2, 5, BZ),      /* 5 years */
        add_t(s, 0, 55, TW_SEX_MALE, 0, 2, 20, BZ),     /* exempt man */
        add_t(s, 0, 50, TW_SEX_FEMALE, 0, 2, 20, BZ),   /* exempt woman */
        add_t(s, 0, 52, TW_SEX_FEMALE, 0, 2, 20, BZ),
        add_t(s, 0, 40, TW_SEX_MALE, 1, 2, 20, 0),      /* contract */
        add_t(s, 1, 40, TW_SEX_MALE, 1, 2, 20, 0),      /* contract */
        add_t(s, 4, 40, TW_SEX_MALE, 0, 2, 20, BZ),     /* senior high */
        add_t(s, 5, 40, TW_SEX_FEMALE, 0, 2, 20, BZ),   /* preschool */
        add_t(s, 8, 40, TW_SEX_FEMALE, 0, 2, 20, BZ),   /* vocational */
        add_t(s, 2, 40, TW_SEX_MALE, 0, 2, 20, BZ),     /* rural origin */
        add_t(s, 3, 40, TW_SEX_MALE, 1, 2, 20, BZ),     /* rural origin */
        add_t(s, 0, 40, TW_SEX_MALE, 0, 2, 20, BZ | TW_F_POOL),
        add_t(s, 0, 40, TW_SEX_MALE, 0, 2, 20, BZ | TW_F_GONE),
    };
    /* On a term at the rural school 2 from the urban school 0. */
    size_t away = add_t(s, 0, 40, TW_SEX_MALE, 0, 2, 20, BZ);
    s->T.school[away] = 2;
    s->T.term_left[away] = 3;
    size_t nyes = sizeof yes / sizeof *yes, nno = sizeof no / sizeof *no;
    for (uint32_t i = 2; i <= 9; i++) /* every school short */
        s->S[i].demand = 100;

    tw_proc_rotate(s);
    for (size_t i = 0; i < nyes; i++) {
        const tw_teacher x_rec = tw_sim_get(s, yes[i]), *x = &x_rec;
        uint32_t rural = w->schools[x->home].stage == TW_STAGE_PRIMARY ? 2 : 3;
        ck_assert_msg(x->school == rural, "eligible %zu did not move", i);
        ck_assert_uint_eq(x->term_left, 2);
        ck_assert_uint_ne(x->home, x->school);
    }
    for (size_t i = 0; i < nno; i++) {
        const tw_teacher x_rec = tw_sim_get(s, no[i]), *x = &x_rec;
        ck_assert_msg(x->school == x->home && x->term_left == 0,
                      "ineligible %zu moved", i);
    }
    ck_assert_uint_eq(s->T.school[away], 2);
    ck_assert_uint_eq(s->T.home[away], 0);
    ck_assert_uint_eq(s->T.term_left[away], 2);
    ck_assert_double_eq(s->f.exchanges[TW_LOC_URBAN], 3);
    ck_assert_double_eq(s->f.exchanges[TW_LOC_TOWN], 2);
    ck_assert_double_eq(s->f.exchanges[TW_LOC_RURAL], 0);
    ck_heads_current(s);
    tw_sim_free(s);

    /* exempt ages 0: no exemption; the men and women of 64 move. */
    FX_EACH_COUNTY_YEAR(w, cp) {
        cp->exempt_age_male = 0;
        cp->exempt_age_female = 0;
    }
    s = sim1(w, 2);
    s->S[2].demand = s->S[3].demand = 100;
    size_t old_m = add_t(s, 0, 64, TW_SEX_MALE, 0, 2, 6, BZ);
    size_t old_f = add_t(s, 1, 64, TW_SEX_FEMALE, 0, 2, 6, BZ);
    tw_proc_rotate(s);
    ck_assert_uint_eq(s->T.school[old_m], 2);
    ck_assert_uint_eq(s->T.school[old_f], 3);
    tw_sim_free(s);
    tw_world_free(w);
}
END_TEST

/* Movers per county = ceil(share * eligible), exactly, every seed. */
START_TEST(test_exchange_count)
{
    const fx_school sc[] = {
        {0, TW_STAGE_PRIMARY, TW_LOC_URBAN, 0},
        {0, TW_STAGE_PRIMARY, TW_LOC_RURAL, 0},
        {1, TW_STAGE_JUNIOR, TW_LOC_TOWN, 0},
        {1, TW_STAGE_JUNIOR, TW_LOC_RURAL, 0},
        {2, TW_STAGE_PRIMARY, TW_LOC_URBAN, 0},
        {2, TW_STAGE_PRIMARY, TW_LOC_RURAL, 0},
        {3, TW_STAGE_PRIMARY, TW_LOC_URBAN, 0},
        {3, TW_STAGE_PRIMARY, TW_LOC_RURAL, 0},
    };
    /* county: eligible, share, movers (0.14 * 50 is 7.000000000000001) */
    const struct { size_t n; double share; size_t movers; } cs[] = {
        {37, 0.1, 4}, {50, 0.14, 7}, {10, 0.25, 3}, {1, 0.1, 1}};
    tw_world *w = fx_world(BASE, NYEARS, 4, sc, 8, 2);
    exchange_params(w, 0, 2);
    for (size_t t = 0; t < w->n_years; t++)
        for (size_t c = 0; c < 4; c++)
            w->cparams[t * 4 + c].exchange_share = cs[c].share;
    for (uint64_t seed = 1; seed <= 200; seed++) {
        tw_sim *s = sim1(w, seed);
        for (size_t c = 0; c < 4; c++) {
            s->S[2 * c + 1].demand = 100; /* the rural school is short */
            for (size_t i = 0; i < cs[c].n; i++)
                add_bz(s, (uint32_t)(2 * c), 6);
            for (size_t i = 0; i < 5; i++) /* not eligible: 5 years */
                add_bz(s, (uint32_t)(2 * c), 5);
        }
        tw_proc_rotate(s);
        for (size_t c = 0; c < 4; c++)
            ck_assert_msg(heads(s, (uint32_t)(2 * c + 1)) == cs[c].movers,
                          "county %zu: %u movers, expected %zu", c,
                          heads(s, (uint32_t)(2 * c + 1)), cs[c].movers);
        ck_assert_double_eq(s->f.exchanges[TW_LOC_URBAN], 4 + 3 + 1);
        ck_assert_double_eq(s->f.exchanges[TW_LOC_TOWN], 7);
        tw_sim_free(s);
    }
    tw_world_free(w);
}
END_TEST

/* At least ceil(backbone_share * movers) backbone movers; the others are
 * drawn from every remaining eligible teacher, backbone or not. */
START_TEST(test_exchange_backbone)
{
    const fx_school sc[] = {
        {0, TW_STAGE_PRIMARY, TW_LOC_URBAN, 0},
        {0, TW_STAGE_PRIMARY, TW_LOC_RURAL, 0},
    };
    tw_world *w = fx_world(BASE, NYEARS, 1, sc, 2, 3); /* backbone: tier 1+ */
    exchange_params(w, 0.2, 2);
    FX_EACH_COUNTY_YEAR(w, cp) cp->backbone_share = 0.2;

    /* 50 eligible, 6 backbone (tiers 1 and 2): 10 movers, >= 2 backbone.
     * The other 8 come from the 48 left, 4 of them backbone: the backbone
     * movers are 2 + H, H hypergeometric (48, 4, 8). */
    const size_t reps = 4000;
    double sum = 0, sum_b1 = 0;
    size_t above = 0;
    for (uint64_t seed = 1; seed <= reps; seed++) {
        tw_sim *s = sim1(w, seed);
        s->S[1].demand = 100;
        for (int i = 0; i < 50; i++)
            add_t(s, 0, 40, TW_SEX_MALE, i < 6 ? 1 + i % 2 : 0, 2, 8,
                  TW_F_BIANZHI);
        tw_proc_rotate(s);
        size_t movers = 0, bb = 0, b1 = 0;
        for (size_t k = 0; k < s->n; k++) {
            if (s->T.school[k] != 1)
                continue;
            movers++;
            bb += s->T.tier[k] >= 1;
            b1 += k == 0; /* one particular backbone teacher */
        }
        ck_assert_uint_eq(movers, 10);
        ck_assert_uint_ge(bb, 2);
        above += bb > 2;
        sum += (double)bb;
        sum_b1 += (double)b1;
        tw_sim_free(s);
    }
    /* mean of 2 + H: 2 + 8 * 4/48; variance 8 (4/48)(44/48)(40/47) */
    double mean = 2.0 + 8.0 * 4.0 / 48.0;
    double var = 8.0 * (4.0 / 48.0) * (44.0 / 48.0) * (40.0 / 47.0);
    ck_assert_msg(fabs(sum / reps - mean) <= k_sigma(2) * sqrt(var / reps),
                  "backbone movers: mean %g, expected %g", sum / reps, mean);
    /* a given backbone teacher moves with probability 2/6 + 4/6 * 8/48 */
    ck_binomial(sum_b1, reps, 2.0 / 6.0 + 4.0 / 6.0 * 8.0 / 48.0, 2,
                "backbone teacher 0");
    ck_assert_uint_gt(above, 0);

    /* Only one backbone teacher for a quota of 2: that one always moves. */
    for (uint64_t seed = 1; seed <= 100; seed++) {
        tw_sim *s = sim1(w, seed);
        s->S[1].demand = 100;
        size_t bone = 0;
        for (int i = 0; i < 50; i++) {
            size_t x = add_t(s, 0, 40, TW_SEX_MALE, i == 17, 2, 8,
                             TW_F_BIANZHI);
            if (i == 17)
                bone = x;
        }
        tw_proc_rotate(s);
        ck_assert_uint_eq(s->T.school[bone], 1);
        ck_assert_uint_eq(heads(s, 1), 10);
        tw_sim_free(s);
    }

    /* backbone_share 1 with 7 backbone for 10 movers: all 7 go. */
    FX_EACH_COUNTY_YEAR(w, cp) cp->backbone_share = 1.0;
    for (uint64_t seed = 1; seed <= 100; seed++) {
        tw_sim *s = sim1(w, seed);
        s->S[1].demand = 100;
        for (int i = 0; i < 50; i++)
            add_t(s, 0, 40, TW_SEX_MALE, i % 8 == 0, 2, 8, TW_F_BIANZHI);
        tw_proc_rotate(s);
        size_t bb = 0;
        for (size_t k = 0; k < s->n; k++)
            bb += s->T.school[k] == 1 && s->T.tier[k] >= 1;
        ck_assert_uint_eq(heads(s, 1), 10);
        ck_assert_uint_eq(bb, 7); /* i = 0, 8, ..., 48 */
        tw_sim_free(s);
    }
    tw_world_free(w);
}
END_TEST

/* Destinations: the county's rural schools of the mover's stage, the most
 * short first (greedy); none of that stage, or none short: the teacher
 * stays. */
START_TEST(test_exchange_destinations)
{
    const fx_school sc[] = {
        {0, TW_STAGE_PRIMARY, TW_LOC_URBAN, 0},    /* 0: 4 movers */
        {0, TW_STAGE_JUNIOR, TW_LOC_URBAN, 0},     /* 1: 1 eligible */
        {0, TW_STAGE_PRIMARY, TW_LOC_RURAL, 0},    /* 2: short 4 */
        {0, TW_STAGE_PRIMARY, TW_LOC_RURAL, 0},    /* 3: short 3 */
        {0, TW_STAGE_JUNIOR, TW_LOC_RURAL, 0},     /* 4: over-staffed */
        {0, TW_STAGE_PRESCHOOL, TW_LOC_RURAL, 0},  /* 5: short 100 */
        {0, TW_STAGE_PRIMARY, TW_LOC_TOWN, 0},     /* 6: short 100 */
        {1, TW_STAGE_PRIMARY, TW_LOC_RURAL, 0},    /* 7: short 100 */
        {1, TW_STAGE_JUNIOR, TW_LOC_URBAN, 0},     /* 8: 1 eligible */
    };
    tw_world *w = fx_world(BASE, NYEARS, 2, sc, 9, 2);
    exchange_params(w, 1.0, 3);
    for (uint64_t seed = 1; seed <= 20; seed++) {
        tw_sim *s = sim1(w, seed);
        for (int i = 0; i < 4; i++)
            add_bz(s, 0, 7);
        add_bz(s, 1, 7);
        add_bz(s, 4, 1); /* two rural junior teachers, not eligible */
        add_bz(s, 4, 1);
        size_t stay = add_bz(s, 8, 9);
        s->S[2].demand = 4;
        s->S[3].demand = 3;
        s->S[4].demand = 0.5;
        s->S[5].demand = s->S[6].demand = s->S[7].demand = 100;
        tw_proc_rotate(s);
        /* 4,3 -> 2; 3,3 -> 2 (lower index on ties); 2,3 -> 3; 2,2 -> 2 */
        ck_assert_uint_eq(heads(s, 2), 3);
        ck_assert_uint_eq(heads(s, 3), 1);
        /* the only rural junior school is above its demand: the junior
         * mover stays home */
        ck_assert_uint_eq(heads(s, 4), 2);
        ck_assert_uint_eq(heads(s, 1), 1);
        ck_assert_uint_eq(heads(s, 5) + heads(s, 6) + heads(s, 7), 0);
        ck_assert_uint_eq(s->T.school[stay], 8);
        ck_assert_double_eq(s->f.exchanges[TW_LOC_URBAN], 4);
        for (size_t k = 0; k < s->n; k++)
            if (s->T.school[k] != s->T.home[k])
                ck_assert_uint_eq(s->T.term_left[k], 3);
        ck_heads_current(s);
        tw_sim_free(s);
    }
    tw_world_free(w);
}
END_TEST

/* A term of term_years: away for exactly term_years years, then home,
 * counted as a return; the clock of years at school restarts. */
START_TEST(test_exchange_term_returns)
{
    const fx_school sc[] = {
        {0, TW_STAGE_PRIMARY, TW_LOC_URBAN, 0},
        {0, TW_STAGE_PRIMARY, TW_LOC_URBAN, 0},
        {0, TW_STAGE_PRIMARY, TW_LOC_RURAL, 0},
    };
    tw_world *w = fx_world(BASE, NYEARS, 1, sc, 3, 2);
    exchange_params(w, 1.0, 2);
    /* reform only in year 1; in years 2 and 3 everyone else transfers */
    for (size_t t = 2; t < w->n_years; t++) {
        w->cparams[t].reform = 0;
        w->cparams[t].transfer_rate = 1.0;
    }
    tw_sim *s = sim1(w, 3);
    s->S[2].demand = 100;
    size_t a = add_bz(s, 0, 6), b = add_bz(s, 0, 9), c = add_bz(s, 1, 6);
    size_t other = add_bz(s, 1, 0); /* not eligible: transfers in year 2 */
    size_t ids[] = {a, b, c};

    run_year(s, 1);
    for (int i = 0; i < 3; i++) {
        ck_assert_uint_eq(s->T.school[ids[i]], 2);
        ck_assert_uint_eq(s->T.term_left[ids[i]], 2);
    }
    ck_assert_uint_eq(s->T.home[a], 0);
    ck_assert_uint_eq(s->T.home[c], 1);
    ck_assert_double_eq(s->f.exchange_returns, 0);

    run_year(s, 2); /* away: not transferred either */
    for (int i = 0; i < 3; i++) {
        ck_assert_uint_eq(s->T.school[ids[i]], 2);
        ck_assert_uint_eq(s->T.term_left[ids[i]], 1);
    }
    ck_assert_uint_ne(s->T.school[other], 1);
    ck_assert_double_eq(s->f.exchange_returns, 0);
    ck_assert_double_eq(s->f.transfers, 1);

    s->T.at_school[a] = 8; /* as tw_proc_age would have it */
    w->cparams[3].transfer_rate = 0;
    run_year(s, 3);
    for (int i = 0; i < 3; i++) {
        const tw_teacher x_rec = tw_sim_get(s, ids[i]), *x = &x_rec;
        ck_assert_uint_eq(x->school, x->home);
        ck_assert_uint_eq(x->term_left, 0);
        ck_assert_uint_eq(x->at_school, 0);
    }
    ck_assert_uint_eq(s->T.home[a], 0);
    ck_assert_uint_eq(s->T.home[c], 1);
    ck_assert_double_eq(s->f.exchange_returns, 3);
    ck_heads_current(s);
    tw_sim_free(s);
    tw_world_free(w);
}
END_TEST

/* term_years 0: the post moves with the teacher; no return. */
START_TEST(test_exchange_permanent)
{
    const fx_school sc[] = {
        {0, TW_STAGE_JUNIOR, TW_LOC_TOWN, 0},
        {0, TW_STAGE_JUNIOR, TW_LOC_RURAL, 0},
    };
    tw_world *w = fx_world(BASE, NYEARS, 1, sc, 2, 2);
    exchange_params(w, 1.0, 0);
    tw_sim *s = sim1(w, 4);
    s->S[1].demand = 10;
    size_t a = add_bz(s, 0, 12);
    run_year(s, 1);
    ck_assert_uint_eq(s->T.school[a], 1);
    ck_assert_uint_eq(s->T.home[a], 1);
    ck_assert_uint_eq(s->T.at_school[a], 0);
    ck_assert_uint_eq(s->T.term_left[a], 0);
    ck_assert_double_eq(s->f.exchanges[TW_LOC_TOWN], 1);
    for (size_t t = 2; t < 6; t++) {
        run_year(s, t);
        ck_assert_uint_eq(s->T.school[a], 1);
        ck_assert_double_eq(s->f.exchange_returns, 0);
    }
    tw_sim_free(s);
    tw_world_free(w);
}
END_TEST

/* Before the reform nobody is exchanged or re-hired, whatever the shares;
 * the reform starts when the timeline says. */
START_TEST(test_no_reform_no_exchange)
{
    const fx_school sc[] = {
        {0, TW_STAGE_PRIMARY, TW_LOC_URBAN, 0},
        {0, TW_STAGE_PRIMARY, TW_LOC_RURAL, 0},
    };
    tw_world *w = fx_world(BASE, NYEARS, 1, sc, 2, 2);
    exchange_params(w, 1.0, 2);
    FX_EACH_COUNTY_YEAR(w, cp) {
        cp->backbone_share = 1.0;
        cp->rehire_on = 1;
        cp->reform = 0;
    }
    w->cparams[3].reform = 1;
    tw_sim *s = sim1(w, 5);
    for (int i = 0; i < 20; i++)
        add_t(s, 0, 40, TW_SEX_MALE, i % 2, 2, 10, TW_F_BIANZHI);
    s->S[0].demand = 10; /* over-staffed by 10 */
    s->S[1].demand = 5;  /* short by 5 */
    gsl_rng *copy = gsl_rng_clone(s->rng);
    for (size_t t = 1; t <= 2; t++) {
        run_year(s, t);
        ck_assert_uint_eq(heads(s, 0), 20);
        for (int l = 0; l < TW_N_LOCS; l++)
            ck_assert_double_eq(s->f.exchanges[l], 0);
        ck_assert_double_eq(s->f.rehire_placed_in, 0);
        ck_assert_double_eq(s->f.rehire_placed_cross, 0);
        ck_assert_double_eq(s->f.pool_entries, 0);
    }
    ck_assert(same_stream(s->rng, copy));
    gsl_rng_free(copy);
    run_year(s, 3); /* the reform: as many go as the rural school is
                     * short, then 竞聘 */
    ck_assert_double_eq(s->f.exchanges[TW_LOC_URBAN], 5);
    tw_sim_free(s);
    tw_world_free(w);
}
END_TEST

/* An exchange fills a shortfall and no more: a rural school short by 2
 * takes 2 of 10 movers, one at its demand takes none, and the others stay
 * home (not counted as exchanges). */
START_TEST(test_exchange_shortfall_only)
{
    const fx_school sc[] = {
        {0, TW_STAGE_PRIMARY, TW_LOC_URBAN, 0}, /* 0: 10 eligible */
        {0, TW_STAGE_PRIMARY, TW_LOC_RURAL, 0}, /* 1: short 2 */
        {0, TW_STAGE_PRIMARY, TW_LOC_RURAL, 0}, /* 2: at its demand */
        {1, TW_STAGE_JUNIOR, TW_LOC_TOWN, 0},   /* 3: 5 eligible */
        {1, TW_STAGE_JUNIOR, TW_LOC_RURAL, 0},  /* 4: short 0.4 */
    };
    tw_world *w = fx_world(BASE, NYEARS, 2, sc, 5, 2);
    exchange_params(w, 1.0, 2);
    for (uint64_t seed = 1; seed <= 20; seed++) {
        tw_sim *s = sim1(w, seed);
        for (int i = 0; i < 10; i++)
            add_bz(s, 0, 7);
        for (int i = 0; i < 3; i++)
            add_bz(s, 2, 1);
        for (int i = 0; i < 5; i++)
            add_bz(s, 3, 7);
        s->S[0].demand = 10;
        s->S[1].demand = 2;
        s->S[2].demand = 3;
        s->S[3].demand = 5;
        s->S[4].demand = 0.4;
        tw_proc_rotate(s);
        ck_assert_uint_eq(heads(s, 1), 2);
        ck_assert_uint_eq(heads(s, 2), 3);
        ck_assert_uint_eq(heads(s, 0), 8);
        ck_assert_uint_eq(heads(s, 4), 1); /* below demand: one goes */
        ck_assert_double_eq(s->f.exchanges[TW_LOC_URBAN], 2);
        ck_assert_double_eq(s->f.exchanges[TW_LOC_TOWN], 1);
        for (uint32_t i = 1; i <= 4; i += 3) /* nobody above demand */
            ck_assert_double_le(heads(s, i), ceil(s->S[i].demand));
        ck_heads_current(s);
        tw_sim_free(s);
    }
    tw_world_free(w);
}
END_TEST

/* rotation.exchange_basis "school": each sending school sends
 * ceil(share x its eligible); "county": ceil(share x the county's). */
START_TEST(test_exchange_per_school)
{
    const fx_school sc[] = {
        {0, TW_STAGE_PRIMARY, TW_LOC_URBAN, 0}, /* 0: 25 eligible */
        {0, TW_STAGE_PRIMARY, TW_LOC_TOWN, 0},  /* 1: 5 eligible */
        {0, TW_STAGE_PRIMARY, TW_LOC_RURAL, 0}, /* 2: short 100 */
    };
    tw_world *w = fx_world(BASE, NYEARS, 1, sc, 3, 2);
    exchange_params(w, 0.1, 2);
    for (int basis = 0; basis < 2; basis++) {
        FX_EACH_COUNTY_YEAR(w, cp) cp->exchange_per_school = basis;
        for (uint64_t seed = 1; seed <= 50; seed++) {
            tw_sim *s = sim1(w, seed);
            for (int i = 0; i < 25; i++)
                add_bz(s, 0, 7);
            for (int i = 0; i < 5; i++)
                add_bz(s, 1, 7);
            s->S[2].demand = 100;
            tw_proc_rotate(s);
            double u = s->f.exchanges[TW_LOC_URBAN];
            double t = s->f.exchanges[TW_LOC_TOWN];
            if (basis) { /* ceil(2.5) + ceil(0.5) */
                ck_assert_double_eq(u, 3);
                ck_assert_double_eq(t, 1);
            } else { /* ceil(3.0) from either school */
                ck_assert_double_eq(u + t, 3);
            }
            ck_assert_uint_eq(heads(s, 2), (uint32_t)(u + t));
            tw_sim_free(s);
        }
    }
    tw_world_free(w);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Voluntary transfers                                                 */
/* ------------------------------------------------------------------ */

START_TEST(test_transfers)
{
    const fx_school sc[] = {
        {0, TW_STAGE_PRIMARY, TW_LOC_URBAN, 0}, /* 0: over-staffed */
        {0, TW_STAGE_PRIMARY, TW_LOC_TOWN, 0},  /* 1: short 1e6 */
        {0, TW_STAGE_PRIMARY, TW_LOC_RURAL, 0}, /* 2: short 3e6 */
        {0, TW_STAGE_JUNIOR, TW_LOC_URBAN, 0},  /* 3: alone of its stage */
        {1, TW_STAGE_PRIMARY, TW_LOC_URBAN, 0}, /* 4: none short */
        {1, TW_STAGE_PRIMARY, TW_LOC_URBAN, 0}, /* 5 */
        {1, TW_STAGE_PRIMARY, TW_LOC_RURAL, 0}, /* 6 */
    };
    tw_world *w = fx_world(BASE, NYEARS, 2, sc, 7, 2);
    const double r0 = 0.1, r1 = 0.25;
    for (size_t t = 0; t < w->n_years; t++) {
        w->cparams[2 * t].transfer_rate = r0;
        w->cparams[2 * t + 1].transfer_rate = r1;
    }
    tw_sim *s = sim1(w, 6);
    const size_t n0 = 6000, n1 = 2000, n2 = 2000, n4 = 4000;
    for (size_t i = 0; i < n0; i++)
        add_bz(s, 0, 3);
    for (size_t i = 0; i < n1; i++)
        add_bz(s, 1, 3);
    for (size_t i = 0; i < n2; i++)
        add_bz(s, 2, 3);
    for (size_t i = 0; i < 500; i++)
        add_bz(s, 3, 3);
    for (size_t i = 0; i < n4; i++)
        add_bz(s, 4, 3);
    for (size_t i = 0; i < 10; i++) {
        add_bz(s, 5, 3);
        add_bz(s, 6, 3);
    }
    /* neither the pool nor teachers on a term transfer (no post is open
     * in county 1, so the pool teacher stays in the pool) */
    size_t pool = add_t(s, 4, 40, TW_SEX_MALE, 0, 2, 3,
                        TW_F_BIANZHI | TW_F_POOL);
    s->T.pool_years[pool] = 0;
    size_t away = add_bz(s, 4, 3);
    s->T.school[away] = 6;
    s->T.term_left[away] = 5;
    s->S[0].demand = 0;
    s->S[1].demand = (double)n1 + 1e6;
    s->S[2].demand = (double)n2 + 3e6;
    s->S[3].demand = 1e6;
    s->S[4].demand = 0;
    s->S[5].demand = 0;
    s->S[6].demand = 0;
    FX_EACH_COUNTY_YEAR(w, cp) cp->pool_max_years = 10;
    tw_sim *copy = sim1(w, 6); /* the origin of every teacher */
    for (size_t k = 0; k < s->n; k++) {
        tw_teacher x = tw_sim_get(s, k);
        ck_assert_int_eq(tw_sim_append(copy, &x), 0);
    }

    tw_proc_rotate(s);
    double moved0 = 0, from0_to2 = 0, moved1 = 0, moved4 = 0, from4_to5 = 0;
    double all = 0;
    for (size_t k = 0; k < s->n; k++) {
        const tw_teacher rx = tw_sim_get(s, k), ro = tw_sim_get(copy, k);
        const tw_teacher *x = &rx, *o = &ro;
        ck_assert_uint_eq(sc[x->school].county, sc[o->school].county);
        ck_assert_int_eq(sc[x->school].stage, sc[o->school].stage);
        if (x->school == o->school) {
            ck_assert_uint_eq(x->at_school, 3);
            continue;
        }
        all++;
        ck_assert_uint_eq(x->home, x->school);
        ck_assert_uint_eq(x->at_school, 0);
        ck_assert_msg(k != pool && k != away && o->school != 3,
                      "teacher %zu should not move", k);
        if (o->school == 1)
            ck_assert_uint_eq(x->school, 2); /* the only one short */
        if (o->school == 2)
            ck_assert_uint_eq(x->school, 1);
        if (o->school == 0) {
            moved0++;
            from0_to2 += x->school == 2;
        }
        if (sc[o->school].county == 1)
            moved1++;
        if (o->school == 4) {
            moved4++;
            from4_to5 += x->school == 5;
        }
    }
    ck_assert_double_eq(s->f.transfers, all);
    const int m = 4;
    ck_binomial(moved0, n0, r0, m, "transfers from school 0");
    ck_binomial(moved1, n4 + 20, r1, m, "transfers in county 1");
    /* shares 1e6 : 3e6, drifting by at most 1e3 / 1e6 as teachers arrive */
    ck_binomial(from0_to2, moved0, 0.75, m, "school 0 -> school 2");
    ck_binomial(from4_to5, moved4, 0.5, m, "uniform 4 -> 5");
    ck_heads_current(s);
    tw_sim_free(copy);
    tw_sim_free(s);
    tw_world_free(w);
}
END_TEST

/* Draws only when the event can happen. County 1: transfers on, but the
 * teachers' stage has one school there, and nobody is over or short.
 * County 0: every eligible teacher is taken; the junior school releases
 * all of its teachers; the pool teacher and the released find posts
 * without competition. */
START_TEST(test_no_needless_draws)
{
    const fx_school sc[] = {
        {0, TW_STAGE_PRIMARY, TW_LOC_URBAN, 0}, /* 0 */
        {0, TW_STAGE_JUNIOR, TW_LOC_URBAN, 0},  /* 1: 2 teachers, 0 posts */
        {0, TW_STAGE_PRIMARY, TW_LOC_RURAL, 0}, /* 2 */
        {0, TW_STAGE_JUNIOR, TW_LOC_TOWN, 0},   /* 3: 5 posts open */
        {1, TW_STAGE_PRIMARY, TW_LOC_RURAL, 0}, /* 4 */
    };
    tw_world *w = fx_world(BASE, NYEARS, 2, sc, 5, 2);
    FX_EACH_COUNTY_YEAR(w, cp) {
        cp->reform = 1;
        cp->rehire_on = 1;
        cp->exchange_share = 1.0;
        cp->backbone_share = 0.5; /* no backbone teacher: nothing to draw */
        cp->eligible_years = 6;
        cp->term_years = 2;
    }
    for (size_t t = 0; t < w->n_years; t++)
        w->cparams[2 * t + 1].transfer_rate = 1.0;
    tw_sim *s = sim1(w, 7);
    for (int i = 0; i < 3; i++)
        add_bz(s, 4, 20);
    for (int i = 0; i < 4; i++)
        add_bz(s, 0, 6); /* all 4 exchanged to school 2 */
    add_bz(s, 1, 1);
    add_bz(s, 1, 1);
    size_t pool = add_t(s, 1, 40, TW_SEX_MALE, 0, 2, 1,
                        TW_F_BIANZHI | TW_F_POOL);
    s->S[0].demand = 0;
    s->S[1].demand = 0;
    s->S[2].demand = 4;
    s->S[3].demand = 5;
    s->S[4].demand = 3;
    gsl_rng *copy = gsl_rng_clone(s->rng);
    tw_proc_rotate(s);
    ck_assert_uint_eq(heads(s, 2), 4);
    ck_assert_uint_eq(heads(s, 3), 3);
    ck_assert_uint_eq(s->T.school[pool], 3);
    ck_assert_double_eq(s->f.exchanges[TW_LOC_URBAN], 4);
    ck_assert_double_eq(s->f.rehire_placed_in, 3);
    ck_assert_double_eq(s->f.rehire_placed_cross, 3);
    ck_assert_double_eq(s->f.transfers, 0);
    ck_assert(same_stream(s->rng, copy));
    gsl_rng_free(copy);
    tw_sim_free(s);
    tw_world_free(w);
}
END_TEST

/* ------------------------------------------------------------------ */
/* 竞聘 (competitive re-hiring)                                         */
/* ------------------------------------------------------------------ */

static void rehire_params(tw_world *w, int pool_max)
{
    FX_EACH_COUNTY_YEAR(w, cp) {
        cp->reform = 1;
        cp->rehire_on = 1;
        cp->pool_max_years = pool_max;
    }
}

/* The 竞聘 world: school 0 over-staffed by 3, school 1 short by 2 (same
 * county and stage), school 2 short of another stage, school 4 short in
 * another county. */
static const fx_school rehire_sc[] = {
    {0, TW_STAGE_PRIMARY, TW_LOC_URBAN, 0}, /* 0 */
    {0, TW_STAGE_PRIMARY, TW_LOC_TOWN, 0},  /* 1 */
    {0, TW_STAGE_JUNIOR, TW_LOC_RURAL, 0},  /* 2 */
    {0, TW_STAGE_PRIMARY, TW_LOC_URBAN, 0}, /* 3: home of one away */
    {1, TW_STAGE_PRIMARY, TW_LOC_RURAL, 0}, /* 4 */
};

typedef struct rehire_case {
    size_t keep[7], out[3]; /* school 0: the 7 kept, the 3 released */
    size_t visitor;         /* on a term at school 0, from school 3 */
} rehire_case;

static tw_sim *rehire_sim(const tw_world *w, uint64_t seed, rehire_case *rc)
{
    tw_sim *s = sim1(w, seed);
    for (int i = 0; i < 7; i++)
        rc->keep[i] = add_t(s, 0, 40, TW_SEX_MALE, 1, i % 5, 3, TW_F_BIANZHI);
    /* tier 0, titles 一级, 二级, 三级: released, and ranked in this order */
    for (int i = 0; i < 3; i++)
        rc->out[i] = add_t(s, 0, 40, TW_SEX_FEMALE, 0, TW_TITLE_FIRST - i, 3,
                           i == 2 ? 0 : TW_F_BIANZHI);
    rc->visitor = add_t(s, 3, 30, TW_SEX_MALE, 0, TW_TITLE_NONE, 9,
                        TW_F_BIANZHI);
    s->T.school[rc->visitor] = 0;
    s->T.term_left[rc->visitor] = 4;
    add_bz(s, 1, 3);
    add_bz(s, 1, 3);
    /* posts 7 for its 10 own teachers; the visitor teaching there holds a
     * post at school 3, not one of these */
    s->S[0].demand = 6.6;
    s->S[1].demand = 4.4; /* posts 4 for 2 */
    s->S[2].demand = 5;
    s->S[3].demand = 0;
    s->S[4].demand = 10;
    return s;
}

START_TEST(test_rehire_rounds)
{
    tw_world *w = fx_world(BASE, NYEARS, 2, rehire_sc, 5, 2);
    rehire_params(w, 1);
    for (uint64_t seed = 1; seed <= 20; seed++) {
        rehire_case rc;
        tw_sim *s = rehire_sim(w, seed, &rc);
        size_t n = s->n;
        tw_proc_rotate(s);
        for (int i = 0; i < 7; i++) {
            ck_assert_uint_eq(s->T.school[rc.keep[i]], 0);
            ck_assert_uint_eq(s->T.flags[rc.keep[i]] & TW_F_POOL, 0);
        }
        ck_assert_uint_eq(s->T.school[rc.visitor], 0);
        ck_assert_uint_eq(s->T.home[rc.visitor], 3);
        for (int i = 0; i < 2; i++) { /* the best two released: school 1 */
            const tw_teacher x_rec = tw_sim_get(s, rc.out[i]), *x = &x_rec;
            ck_assert_uint_eq(x->school, 1);
            ck_assert_uint_eq(x->home, 1);
            ck_assert_uint_eq(x->at_school, 0);
        }
        const tw_teacher p_rec = tw_sim_get(s, rc.out[2]), *p = &p_rec;
        ck_assert_uint_eq(p->flags & TW_F_POOL, TW_F_POOL);
        ck_assert_uint_eq(p->school, 0);
        ck_assert_uint_eq(p->home, 0);
        ck_assert_uint_eq(p->pool_years, 0);
        ck_assert_uint_eq(s->S[0].headcount, 8);
        ck_assert_uint_eq(s->S[1].headcount, 4);
        ck_assert_uint_eq(s->S[2].headcount, 0);
        ck_assert_uint_eq(s->S[4].headcount, 0);
        ck_assert_double_eq(s->f.rehire_placed_in, 12 - 3);
        ck_assert_double_eq(s->f.rehire_placed_cross, 2);
        ck_assert_double_eq(s->f.pool_entries, 1);
        ck_assert_double_eq(s->f.exits[TW_EXIT_LUOPIN][TW_STAGE_PRIMARY], 0);
        ck_assert_uint_eq(fx_alive(s), n);
        ck_heads_current(s);
        tw_sim_free(s);
    }
    tw_world_free(w);
}
END_TEST

/* A visitor on an exchange term never costs the receiving school's own
 * teachers their posts: a rural school at its posts with its own teachers
 * takes visitors (its headcount above its posts) and releases nobody; the
 * visitors' posts stay at home, counted there. */
START_TEST(test_visitor_never_releases)
{
    const fx_school sc[] = {
        {0, TW_STAGE_PRIMARY, TW_LOC_URBAN, 0}, /* 0: 4 eligible, 5 posts */
        {0, TW_STAGE_PRIMARY, TW_LOC_RURAL, 0}, /* 1: 5 own, 5 posts */
        {0, TW_STAGE_PRIMARY, TW_LOC_URBAN, 0}, /* 2: 3 own, 1 post */
    };
    tw_world *w = fx_world(BASE, NYEARS, 1, sc, 3, 2);
    exchange_params(w, 1.0, 2);
    rehire_params(w, 1);
    for (uint64_t seed = 1; seed <= 20; seed++) {
        tw_sim *s = sim1(w, seed);
        size_t own[5];
        for (int i = 0; i < 4; i++)
            add_bz(s, 0, 7);
        for (int i = 0; i < 5; i++)
            own[i] = add_bz(s, 1, 1);
        for (int i = 0; i < 3; i++)
            add_bz(s, 2, 1);
        /* one visitor already there, from school 0 */
        size_t v = add_bz(s, 0, 1);
        s->T.school[v] = 1;
        s->T.term_left[v] = 2;
        s->S[0].demand = 5;
        s->S[1].demand = 6.4; /* short by 0.4 counting the visitor: one
                               * more comes, and 7 teach on 6 posts */
        s->S[2].demand = 1;
        tw_proc_rotate(s);
        for (int i = 0; i < 5; i++) {
            ck_assert_uint_eq(s->T.school[own[i]], 1);
            ck_assert_uint_eq(s->T.home[own[i]], 1);
            ck_assert_uint_eq(s->T.flags[own[i]] & TW_F_POOL, 0);
        }
        ck_assert_double_eq(s->f.exchanges[TW_LOC_URBAN], 1);
        /* school 2 releases 2. The one open post is at school 1 (6 posts,
         * 5 own holders); school 0 has 5 posts for its 5 teachers, 3 at
         * home and 2 away, so none open there: one released teacher is
         * placed, the other enters the pool */
        ck_assert_uint_eq(heads(s, 2), 1);
        ck_assert_uint_eq(heads(s, 1), 5 + 2 + 1);
        ck_assert_uint_eq(heads(s, 0), 3);
        ck_assert_double_eq(s->f.rehire_placed_cross, 1);
        ck_assert_double_eq(s->f.pool_entries, 1);
        ck_heads_current(s);
        tw_sim_free(s);
    }
    tw_world_free(w);
}
END_TEST

/* rotation.stages: with 县管校聘 in primary and junior only, senior and
 * vocational schools above their posts release nobody (and hold no 校内竞聘
 * round), while a primary school does; with junior only, primary teachers
 * are not exchanged. */
START_TEST(test_rotation_stages)
{
    const fx_school sc[] = {
        {0, TW_STAGE_SENIOR, TW_LOC_URBAN, 0},     /* 0: 6 for 3 posts */
        {0, TW_STAGE_VOCATIONAL, TW_LOC_URBAN, 0}, /* 1: 6 for 3 posts */
        {0, TW_STAGE_PRIMARY, TW_LOC_URBAN, 0},    /* 2: 6 for 3 posts */
        {0, TW_STAGE_PRIMARY, TW_LOC_RURAL, 0},    /* 3: short 10 */
        {0, TW_STAGE_SENIOR, TW_LOC_URBAN, 0},     /* 4: 2 posts open */
    };
    tw_world *w = fx_world(BASE, NYEARS, 1, sc, 5, 2);
    rehire_params(w, 1);
    const int compulsory = 1 << TW_STAGE_PRIMARY | 1 << TW_STAGE_JUNIOR;
    FX_EACH_COUNTY_YEAR(w, cp)
        cp->rotate_skip = ((1 << TW_N_STAGES) - 1) & ~compulsory;
    tw_sim *s = sim1(w, 11);
    for (uint32_t i = 0; i < 3; i++)
        for (int k = 0; k < 6; k++)
            add_bz(s, i, 1);
    s->S[0].demand = s->S[1].demand = s->S[2].demand = 3;
    s->S[3].demand = 10;
    s->S[4].demand = 2;
    tw_proc_rotate(s);
    ck_assert_uint_eq(heads(s, 0), 6);
    ck_assert_uint_eq(heads(s, 1), 6);
    ck_assert_uint_eq(heads(s, 4), 0);
    ck_assert_uint_eq(heads(s, 2) + heads(s, 3), 3 + 3);
    ck_assert_uint_eq(heads(s, 2), 3);
    ck_assert_double_eq(s->f.rehire_placed_in, 3); /* primary only */
    ck_assert_double_eq(s->f.rehire_placed_cross, 3);
    ck_heads_current(s);
    tw_sim_free(s);

    /* every stage (the default): the senior school releases too, and 2
     * of its 3 find the open posts of school 4 */
    FX_EACH_COUNTY_YEAR(w, cp) cp->rotate_skip = 0;
    s = sim1(w, 11);
    for (uint32_t i = 0; i < 3; i++)
        for (int k = 0; k < 6; k++)
            add_bz(s, i, 1);
    s->S[0].demand = s->S[1].demand = s->S[2].demand = 3;
    s->S[3].demand = 10;
    s->S[4].demand = 2;
    tw_proc_rotate(s);
    ck_assert_uint_eq(heads(s, 0), 3);
    ck_assert_uint_eq(heads(s, 1), 3);
    ck_assert_uint_eq(heads(s, 4), 2);
    tw_sim_free(s);

    /* junior only: no exchange of primary teachers */
    exchange_params(w, 1.0, 2);
    FX_EACH_COUNTY_YEAR(w, cp) {
        cp->rehire_on = 0;
        cp->rotate_skip = ((1 << TW_N_STAGES) - 1) & ~(1 << TW_STAGE_JUNIOR);
    }
    s = sim1(w, 12);
    for (int k = 0; k < 6; k++)
        add_bz(s, 2, 7);
    s->S[3].demand = 10;
    tw_proc_rotate(s);
    ck_assert_uint_eq(heads(s, 3), 0);
    ck_assert_double_eq(s->f.exchanges[TW_LOC_URBAN], 0);
    tw_sim_free(s);
    tw_world_free(w);
}
END_TEST

/* Equal scores: the released are drawn at random, exactly the excess. */
START_TEST(test_rehire_random_ties)
{
    const fx_school sc[] = {{0, TW_STAGE_SENIOR, TW_LOC_URBAN, 0}};
    tw_world *w = fx_world(BASE, NYEARS, 1, sc, 1, 2);
    rehire_params(w, 1);
    enum { N = 10, EXCESS = 3 };
    const size_t reps = 3000;
    double released[N] = {0};
    for (uint64_t seed = 1; seed <= reps; seed++) {
        tw_sim *s = sim1(w, seed);
        for (int i = 0; i < N; i++)
            add_bz(s, 0, 1);
        add_t(s, 0, 40, TW_SEX_MALE, 1, 2, 1, TW_F_BIANZHI); /* best */
        s->S[0].demand = N + 1 - EXCESS;
        tw_proc_rotate(s);
        size_t out = 0;
        for (int i = 0; i < N; i++) {
            int pooled = (s->T.flags[i] & TW_F_POOL) != 0;
            out += (size_t)pooled;
            released[i] += pooled;
        }
        ck_assert_uint_eq(out, EXCESS);
        ck_assert_uint_eq(s->T.flags[N] & TW_F_POOL, 0);
        ck_assert_double_eq(s->f.pool_entries, EXCESS);
        tw_sim_free(s);
    }
    for (int i = 0; i < N; i++)
        ck_binomial(released[i], reps, (double)EXCESS / N, N, "released");
    tw_world_free(w);
}
END_TEST

/* The pool: placed when a post opens, 落聘 after pool_max_years. */
START_TEST(test_pool_luopin)
{
    tw_world *w = fx_world(BASE, NYEARS, 2, rehire_sc, 5, 2);
    rehire_case rc;

    /* pool_max_years 1: one year in the pool, then out */
    rehire_params(w, 1);
    tw_sim *s = rehire_sim(w, 8, &rc);
    size_t n = s->n;
    run_year(s, 1);
    ck_assert_double_eq(s->f.pool_entries, 1);
    run_year(s, 2);
    ck_assert_uint_ne(s->T.flags[rc.out[2]] & TW_F_GONE, 0);
    ck_assert_double_eq(s->f.exits[TW_EXIT_LUOPIN][TW_STAGE_PRIMARY], 1);
    ck_assert_double_eq(s->f.pool_entries, 0);
    ck_assert_uint_eq(fx_alive(s), n - 1);
    ck_heads_current(s);
    tw_sim_free(s);

    /* pool_max_years 2: stays a second year, then out */
    rehire_params(w, 2);
    s = rehire_sim(w, 8, &rc);
    run_year(s, 1);
    run_year(s, 2);
    ck_assert_uint_eq(s->T.flags[rc.out[2]] & (TW_F_GONE | TW_F_POOL),
                      TW_F_POOL);
    ck_assert_uint_eq(s->T.pool_years[rc.out[2]], 1);
    ck_assert_double_eq(s->f.exits[TW_EXIT_LUOPIN][TW_STAGE_PRIMARY], 0);
    run_year(s, 3);
    ck_assert_uint_ne(s->T.flags[rc.out[2]] & TW_F_GONE, 0);
    ck_assert_double_eq(s->f.exits[TW_EXIT_LUOPIN][TW_STAGE_PRIMARY], 1);
    ck_assert_uint_eq(fx_alive(s), n - 1);
    tw_sim_free(s);

    /* a post opens at school 1 in year 2: placed there (再次竞聘), even
     * with 竞聘 off that year, since the pool still has to be emptied */
    rehire_params(w, 1);
    w->cparams[2 * 2].rehire_on = 0;
    s = rehire_sim(w, 8, &rc);
    run_year(s, 1);
    s->S[1].demand = 5;
    run_year(s, 2);
    const tw_teacher x_rec = tw_sim_get(s, rc.out[2]), *x = &x_rec;
    ck_assert_uint_eq(x->flags & (TW_F_GONE | TW_F_POOL), 0);
    ck_assert_uint_eq(x->school, 1);
    ck_assert_uint_eq(x->home, 1);
    ck_assert_uint_eq(x->pool_years, 0);
    ck_assert_double_eq(s->f.rehire_placed_cross, 1);
    ck_assert_double_eq(s->f.exits[TW_EXIT_LUOPIN][TW_STAGE_PRIMARY], 0);
    ck_assert_uint_eq(s->S[1].headcount, 5);
    ck_heads_current(s);
    tw_sim_free(s);

    /* pool_max_years 0: no pool, the unplaced leave at once */
    rehire_params(w, 0);
    s = rehire_sim(w, 8, &rc);
    run_year(s, 1);
    ck_assert_uint_ne(s->T.flags[rc.out[2]] & TW_F_GONE, 0);
    ck_assert_double_eq(s->f.pool_entries, 0);
    ck_assert_double_eq(s->f.exits[TW_EXIT_LUOPIN][TW_STAGE_PRIMARY], 1);
    ck_assert_uint_eq(fx_alive(s), n - 1);
    tw_sim_free(s);
    tw_world_free(w);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Invariants over many years with everything on                       */
/* ------------------------------------------------------------------ */

static tw_world *busy_world(void)
{
    enum { NC = 3 };
    fx_school sc[NC * TW_N_STAGES * TW_N_LOCS * 2];
    size_t n = 0;
    for (int c = 0; c < NC; c++)
        for (int st = 0; st < TW_N_STAGES; st++)
            for (int l = 0; l < TW_N_LOCS; l++)
                for (int r = 0; r < 2; r++)
                    if (!(c == 2 && l == TW_LOC_RURAL && st == TW_STAGE_JUNIOR))
                        sc[n++] = (fx_school){c, st, l, 0};
    tw_world *w = fx_world(BASE, NYEARS, NC, sc, n, 4);
    FX_EACH_COUNTY_YEAR(w, cp) {
        cp->transfer_rate = 0.05;
        cp->reform = 1;
        cp->exchange_share = 0.1;
        cp->backbone_share = 0.2;
        cp->backbone_tier = 2;
        cp->eligible_years = 4;
        cp->exempt_age_male = 55;
        cp->exempt_age_female = 50;
        cp->term_years = 2;
        cp->rehire_on = 1;
        cp->pool_max_years = 1;
    }
    for (size_t t = 0; t < 4 && t < w->n_years; t++) /* reform from year 4 */
        w->cparams[t * NC + 2].reform = 0;
    w->cparams[6 * NC + 1].term_years = 0; /* permanent one year */
    return w;
}

static void busy_fill(tw_sim *s, gsl_rng *g)
{
    for (size_t i = 0; i < s->w->n_schools; i++) {
        int m = (int)gsl_rng_uniform_int(g, 30);
        for (int j = 0; j < m; j++) {
            int age = 22 + (int)gsl_rng_uniform_int(g, 40);
            int sex = (int)gsl_rng_uniform_int(g, 2);
            int tier = (int)gsl_rng_uniform_int(g, 4);
            int title = (int)gsl_rng_uniform_int(g, TW_N_TITLES);
            int at = (int)gsl_rng_uniform_int(g, 12);
            unsigned bz = gsl_rng_uniform(g) < 0.8 ? TW_F_BIANZHI : 0;
            add_t(s, (uint32_t)i, age, sex, tier, title, at, bz);
        }
    }
}

/* Demand of year t: around the headcount, some schools over, some under. */
static void busy_demand(tw_sim *s, gsl_rng *g)
{
    tw_sim_count_heads(s);
    for (size_t i = 0; i < s->w->n_schools; i++)
        s->S[i].demand = s->S[i].headcount * (0.7 + 0.6 * gsl_rng_uniform(g));
}

START_TEST(test_invariants)
{
    tw_world *w = busy_world();
    const tw_school *sch = w->schools;
    gsl_rng *g = gsl_rng_alloc(gsl_rng_mt19937);
    double luopin = 0, moves = 0, pooled = 0;
    for (uint64_t seed = 1; seed <= 5; seed++) {
        gsl_rng_set(g, seed);
        tw_sim *s = sim1(w, seed);
        busy_fill(s, g);
        size_t n0 = s->n, alive = s->n;
        uint16_t *county0 = malloc(n0 * sizeof *county0);
        uint8_t *stage0 = malloc(n0 * sizeof *stage0);
        ck_assert(county0 && stage0);
        for (size_t k = 0; k < n0; k++) {
            county0[k] = sch[s->T.home[k]].county;
            stage0[k] = sch[s->T.home[k]].stage;
        }
        for (size_t t = 1; t < w->n_years; t++) {
            busy_demand(s, g);
            run_year(s, t);
            double out = 0;
            for (int st = 0; st < TW_N_STAGES; st++)
                out += s->f.exits[TW_EXIT_LUOPIN][st];
            ck_assert_uint_eq(fx_alive(s), alive - (size_t)out);
            alive -= (size_t)out;
            luopin += out;
            moves += s->f.transfers + s->f.exchanges[0] + s->f.exchanges[1] +
                     s->f.rehire_placed_cross;
            pooled += s->f.pool_entries;
            ck_heads_current(s);
            const tw_county_params *cp2 = tw_world_cparams(w, t, 2);
            for (size_t k = 0; k < s->n; k++) {
                const tw_teacher x_rec = tw_sim_get(s, k), *x = &x_rec;
                if (x->flags & TW_F_GONE)
                    continue;
                ck_assert_uint_eq(sch[x->home].county, county0[k]);
                ck_assert_uint_eq(sch[x->school].county, county0[k]);
                ck_assert_uint_eq(sch[x->home].stage, stage0[k]);
                ck_assert_uint_eq(sch[x->school].stage, stage0[k]);
                if (x->term_left > 0) {
                    ck_assert_uint_ne(x->school, x->home);
                    ck_assert_uint_eq(sch[x->school].locality, TW_LOC_RURAL);
                    ck_assert_uint_le(x->term_left, 2);
                    ck_assert(!(x->flags & TW_F_POOL));
                } else {
                    ck_assert_uint_eq(x->school, x->home);
                }
                if (!cp2->reform && county0[k] == 2)
                    ck_assert(x->term_left == 0 &&
                              !(x->flags & TW_F_POOL));
                s->T.at_school[k] = (uint8_t)(x->at_school + 1); /* ageing */
            }
            /* After 竞聘: a school whose posts are over-held (its own
             * teachers, those away on a term included) keeps none of its
             * own teaching there: visitors never count against its posts;
             * a county-stage with a post still open has no pool. */
            for (uint32_t i = 0; i < w->n_schools; i++) {
                if (!tw_world_cparams(w, t, sch[i].county)->reform)
                    continue;
                double posts = round(s->S[i].demand);
                size_t own = 0, away = 0;
                for (size_t k = 0; k < s->n; k++)
                    if (!(s->T.flags[k] & (TW_F_GONE | TW_F_POOL)) &&
                        s->T.home[k] == i) {
                        own += s->T.term_left[k] == 0;
                        away += s->T.term_left[k] > 0;
                    }
                if ((double)(own + away) > posts)
                    ck_assert_uint_eq(own, 0);
                if ((double)(own + away) < posts)
                    for (size_t k = 0; k < s->n; k++)
                        if ((s->T.flags[k] & (TW_F_GONE | TW_F_POOL)) ==
                                TW_F_POOL &&
                            sch[s->T.home[k]].county == sch[i].county)
                            ck_assert_uint_ne(sch[s->T.home[k]].stage,
                                              sch[i].stage);
            }
        }
        free(county0);
        free(stage0);
        tw_sim_free(s);
    }
    /* the test exercised every mechanism */
    ck_assert_double_gt(luopin, 0);
    ck_assert_double_gt(moves, 0);
    ck_assert_double_gt(pooled, luopin);
    gsl_rng_free(g);
    tw_world_free(w);
}
END_TEST

/* Same seed, same world: the same teachers in the same places. */
START_TEST(test_reproducible)
{
    tw_world *w = busy_world();
    gsl_rng *g = gsl_rng_alloc(gsl_rng_mt19937);
    tw_sim *s[2];
    for (int r = 0; r < 2; r++) {
        gsl_rng_set(g, 42);
        s[r] = sim1(w, 42);
        busy_fill(s[r], g);
        for (size_t t = 1; t < w->n_years; t++) {
            busy_demand(s[r], g);
            run_year(s[r], t);
        }
    }
    ck_assert_uint_eq(s[0]->n, s[1]->n);
    ck_assert(fx_same_teachers(s[0], s[1]));
    ck_assert(memcmp(&s[0]->f, &s[1]->f, sizeof s[0]->f) == 0);
    tw_sim_free(s[0]);
    tw_sim_free(s[1]);
    gsl_rng_free(g);
    tw_world_free(w);
}
END_TEST

/* Voluntary transfers are drawn as geometric gaps over the county's
 * teachers who may transfer (tw_skip, one group: the county's rate).
 * Against one coin per such teacher: in each of R replicates, N teachers
 * at two primary schools of one county (so every one may transfer), rate
 * 0.03; the count, total and dispersion over replicates as Binomial
 * (fx_check_binomial_reps, alpha 1e-6; n q (1-q) = 58). A transfer
 * changes no other teacher's trial: the movers are counted once each. */
START_TEST(test_transfers_skip_statistical)
{
    const fx_school sc[] = {{0, TW_STAGE_PRIMARY, TW_LOC_URBAN, 0},
                            {0, TW_STAGE_PRIMARY, TW_LOC_URBAN, 0}};
    tw_world *w = fx_world(BASE, NYEARS, 1, sc, 2, 2);
    FX_EACH_COUNTY_YEAR(w, cp) cp->transfer_rate = 0.03;
    enum { R = 60, N = 2000 };
    double c[R];
    for (int r = 0; r < R; r++) {
        tw_sim *s = sim1(w, 700 + (uint64_t)r);
        for (int i = 0; i < N; i++)
            add_bz(s, (uint32_t)(i % 2), 3);
        s->S[0].demand = s->S[1].demand = N / 2;
        tw_proc_rotate(s);
        double moved = 0;
        for (size_t k = 0; k < s->n; k++)
            moved += s->T.school[k] != k % 2;
        ck_assert_double_eq(moved, s->f.transfers);
        c[r] = s->f.transfers;
        tw_sim_free(s);
    }
    fx_check_binomial_reps(c, R, N, 0.03, ALPHA, 1, "transfers");
    tw_world_free(w);
}
END_TEST

Suite *rotate_suite(void)
{
    Suite *s = suite_create("rotate");
    TCase *ex = tcase_create("exchange");
    tcase_set_timeout(ex, 60);
    tcase_add_test(ex, test_exchange_eligibility);
    tcase_add_test(ex, test_exchange_count);
    tcase_add_test(ex, test_exchange_backbone);
    tcase_add_test(ex, test_exchange_destinations);
    tcase_add_test(ex, test_exchange_term_returns);
    tcase_add_test(ex, test_exchange_permanent);
    tcase_add_test(ex, test_no_reform_no_exchange);
    tcase_add_test(ex, test_exchange_shortfall_only);
    tcase_add_test(ex, test_exchange_per_school);
    suite_add_tcase(s, ex);
    TCase *tr = tcase_create("transfers");
    tcase_set_timeout(tr, 60);
    tcase_add_test(tr, test_transfers);
    tcase_add_test(tr, test_transfers_skip_statistical);
    tcase_add_test(tr, test_no_needless_draws);
    suite_add_tcase(s, tr);
    TCase *rh = tcase_create("rehire");
    tcase_set_timeout(rh, 60);
    tcase_add_test(rh, test_rehire_rounds);
    tcase_add_test(rh, test_rehire_random_ties);
    tcase_add_test(rh, test_pool_luopin);
    tcase_add_test(rh, test_visitor_never_releases);
    tcase_add_test(rh, test_rotation_stages);
    suite_add_tcase(s, rh);
    TCase *inv = tcase_create("invariants");
    tcase_set_timeout(inv, 120);
    tcase_add_test(inv, test_invariants);
    tcase_add_test(inv, test_reproducible);
    suite_add_tcase(s, inv);
    return s;
}
