/*
 * check_proc_exits.c - demand, deaths, retirement (the 2025 law), voluntary
 * exit, 末位退出 (exit through evaluation) and the ageing counters
 * (src/model/proc_exits.c, MODEL.md 3.1-3.5 and 3.9).
 *
 * Deterministic tests use probabilities 0 and 1 on hand-made populations.
 * Statistical tests compare a count with its binomial expectation within
 * k standard errors, k = Qinv(ALPHA / (2 m)) for the m comparisons of the
 * test and ALPHA = 1e-6: for a random seed a correct engine fails a test
 * with probability below one in a million (Bonferroni). Seeds are fixed, so
 * the suite is deterministic.
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
#define NYEARS 50

static void set_year(tw_sim *s, int year)
{
    s->t = (size_t)(year - s->w->base_year);
    s->year = year;
}

/* |count - n q| <= k sqrt(n q (1-q)), k for m comparisons. */
static void ck_binomial(double count, double n, double q, int m,
                        const char *what)
{
    double k = gsl_cdf_ugaussian_Qinv(ALPHA / (2.0 * m));
    double sd = sqrt(n * q * (1.0 - q));
    ck_assert_msg(fabs(count - n * q) <= k * sd,
                  "%s: %g events of %g, expected %g +- %g (k=%.2f)", what,
                  count, n, n * q, k * sd, k);
}

/* Two generators at the same point of the same stream draw the same next
 * number: used to prove that a process made no draw. */
static int same_stream(gsl_rng *a, gsl_rng *b)
{
    return gsl_rng_get(a) == gsl_rng_get(b);
}

/* ------------------------------------------------------------------ */
/* 1. Demand                                                          */
/* ------------------------------------------------------------------ */

START_TEST(test_demand_trend_series_caps)
{
    const fx_school sc[] = {
        {0, TW_STAGE_PRIMARY, TW_LOC_URBAN, 190.0},
        {0, TW_STAGE_JUNIOR, TW_LOC_RURAL, 135.0},
        {1, TW_STAGE_PRIMARY, TW_LOC_RURAL, 100.0},
    };
    tw_world *w = fx_world(BASE, 4, 2, sc, 3, 1);
    FX_EACH_YEAR(w, p) {
        p->ratio[TW_STAGE_PRIMARY] = 19.0;
        p->ratio[TW_STAGE_JUNIOR] = 13.5;
        p->teach_share[TW_STAGE_PRIMARY] = 0.9;
        p->teach_share[TW_STAGE_JUNIOR] = 0.85;
        p->redundancy = 0.05;
        p->enrol_trend[TW_STAGE_PRIMARY][TW_LOC_URBAN] = 0.1;
        p->enrol_trend[TW_STAGE_JUNIOR][TW_LOC_RURAL] = -0.2;
        /* the trend is ignored where the series is on */
        p->enrol_trend[TW_STAGE_PRIMARY][TW_LOC_RURAL] = 5.0;
        p->series_on[TW_STAGE_PRIMARY][TW_LOC_RURAL] = 1;
    }
    for (size_t t = 0; t < 4; t++)
        w->params[t].enrol_index[TW_STAGE_PRIMARY][TW_LOC_RURAL] =
            1.0 + 0.3 * (double)t;
    tw_sim *s = fx_sim(w, 1);
    for (size_t i = 0; i < 3; i++) /* as tw_sim_init does */
        s->S[i].students = w->schools[i].students0;

    const double f_p = 0.9 * 1.05 / 19.0, f_j = 0.85 * 1.05 / 13.5;
    const double st0[3] = {190.0, 135.0, 100.0};
    for (int t = 0; t < 3; t++) {
        set_year(s, BASE + t);
        tw_proc_demand(s);
        /* t == 0: the base year keeps students0 despite the trends */
        double e[3] = {st0[0] * pow(1.1, t), st0[1] * pow(0.8, t),
                       st0[2] * (1.0 + 0.3 * t)};
        for (int i = 0; i < 3; i++)
            ck_assert_double_eq_tol(s->S[i].students, e[i], 1e-9);
        ck_assert_double_eq_tol(s->S[0].demand, e[0] * f_p, 1e-9);
        ck_assert_double_eq_tol(s->S[1].demand, e[1] * f_j, 1e-9);
        ck_assert_double_eq_tol(s->S[2].demand, e[2] * f_p, 1e-9);
        ck_assert_double_eq_tol(s->county_cap[0],
                                e[0] * f_p + e[1] * f_j, 1e-9);
        ck_assert_double_eq_tol(s->county_cap[1], e[2] * f_p, 1e-9);
    }
    /* base year figures by hand: 190/19*.9*1.05 = 9.45, 135/13.5*.85*1.05
     * = 8.925 */
    set_year(s, BASE);
    for (size_t i = 0; i < 3; i++)
        s->S[i].students = w->schools[i].students0;
    tw_proc_demand(s);
    ck_assert_double_eq_tol(s->S[0].demand, 9.45, 1e-12);
    ck_assert_double_eq_tol(s->county_cap[0], 18.375, 1e-12);
    tw_sim_free(s);
    tw_world_free(w);
}
END_TEST

START_TEST(test_demand_zero_ratio)
{
    const fx_school sc[] = {{0, TW_STAGE_SENIOR, TW_LOC_URBAN, 500.0},
                            {0, TW_STAGE_PRIMARY, TW_LOC_URBAN, 38.0}};
    tw_world *w = fx_world(BASE, 2, 1, sc, 2, 1);
    FX_EACH_YEAR(w, p) {
        p->ratio[TW_STAGE_SENIOR] = 0.0;
        p->ratio[TW_STAGE_PRIMARY] = 19.0;
    }
    tw_sim *s = fx_sim(w, 1);
    s->S[0].students = 500.0;
    s->S[1].students = 38.0;
    set_year(s, BASE + 1);
    tw_proc_demand(s);
    ck_assert(isfinite(s->S[0].demand));
    ck_assert_double_eq(s->S[0].demand, 0.0);
    ck_assert_double_eq_tol(s->county_cap[0], 2.0, 1e-12);
    tw_sim_free(s);
    tw_world_free(w);
}
END_TEST

/* ------------------------------------------------------------------ */
/* 2. Deaths                                                          */
/* ------------------------------------------------------------------ */

START_TEST(test_deaths_one_band)
{
    const fx_school sc[] = {{0, TW_STAGE_PRIMARY, TW_LOC_URBAN, 100.0},
                            {0, TW_STAGE_JUNIOR, TW_LOC_RURAL, 100.0}};
    tw_world *w = fx_world(BASE, NYEARS, 1, sc, 2, 1);
    FX_EACH_YEAR(w, p) {
        p->deaths_on = 1;
        p->death_rate[3] = 1.0; /* ages 35-39 only */
    }
    tw_sim *s = fx_sim(w, 2);
    const int year = 2030;
    for (int age = 18; age <= 72; age++) {
        fx_add(s, 0, year - age, TW_SEX_MALE, 0, 0, 0, 0);
        fx_add(s, 1, year - age, TW_SEX_FEMALE, 0, 0, 0, TW_F_POOL);
        /* born in August: one year younger on 1 July */
        size_t k = fx_add(s, 0, year - age, TW_SEX_MALE, 0, 0, 0, 0);
        s->T.birth_month[k] = 8;
    }
    size_t gone = fx_add(s, 0, year - 37, TW_SEX_MALE, 0, 0, 0, TW_F_GONE);
    set_year(s, year);
    tw_proc_deaths(s);
    for (size_t k = 0; k < s->n; k++) {
        if (k == gone)
            continue;
        int age = tw_age(&s->T, k, year);
        int dead = (s->T.flags[k] & TW_F_GONE) != 0;
        ck_assert_msg(dead == (age >= 35 && age <= 39), "age %d dead %d", age,
                      dead);
    }
    ck_assert_double_eq(s->f.exits[TW_EXIT_DEATH][TW_STAGE_PRIMARY], 10.0);
    ck_assert_double_eq(s->f.exits[TW_EXIT_DEATH][TW_STAGE_JUNIOR], 5.0);
    ck_assert_double_eq(s->county_leavers[0], 15.0);

    /* off: nobody dies, no draw */
    FX_EACH_YEAR(w, p) p->deaths_on = 0;
    gsl_rng *ref = gsl_rng_clone(s->rng);
    tw_proc_deaths(s);
    ck_assert_uint_eq(fx_alive(s), 3 * 55 - 15);
    ck_assert(same_stream(s->rng, ref));
    gsl_rng_free(ref);
    tw_sim_free(s);
    tw_world_free(w);
}
END_TEST

START_TEST(test_deaths_statistical)
{
    const fx_school sc[] = {{0, TW_STAGE_PRIMARY, TW_LOC_URBAN, 100.0}};
    tw_world *w = fx_world(BASE, NYEARS, 1, sc, 1, 1);
    FX_EACH_YEAR(w, p) {
        p->deaths_on = 1;
        p->death_rate[4] = 0.1; /* 40-44 */
        p->death_rate[8] = 0.3; /* 60-64 */
    }
    tw_sim *s = fx_sim(w, 3);
    const int year = 2030, n = 20000;
    for (int i = 0; i < n; i++) {
        fx_add(s, 0, year - 42, TW_SEX_MALE, 0, 0, 0, 0);
        fx_add(s, 0, year - 61, TW_SEX_FEMALE, 0, 0, 0, 0);
    }
    set_year(s, year);
    tw_proc_deaths(s);
    double d40 = 0, d60 = 0;
    for (size_t k = 0; k < s->n; k++)
        if (s->T.flags[k] & TW_F_GONE)
            *(k % 2 == 0 ? &d40 : &d60) += 1;
    ck_binomial(d40, n, 0.1, 2, "deaths 40-44");
    ck_binomial(d60, n, 0.3, 2, "deaths 60-64");
    ck_assert_double_eq(s->f.exits[TW_EXIT_DEATH][TW_STAGE_PRIMARY],
                        d40 + d60);
    tw_sim_free(s);
    tw_world_free(w);
}
END_TEST

/* The fused pass (tw_proc_leave) draws deaths and voluntary exits as
 * geometric gaps per group (death band; stage x locality x service band),
 * groups interleaved in the records. Against the definition, one coin
 * per teacher: in each of R replicates, n teachers of each of two kinds
 * in turn, kind A (age 42, urban primary, service 4: death 0.002, exit
 * 0.01) and kind B (age 61, rural junior: death 0.01, exit 0.03 * 2 =
 * 0.06); a teacher exits only if alive, so P(exit) = (1 - d) h. Each of
 * the 4 counts: total and dispersion over replicates as Binomial
 * (fx_check_binomial_reps, alpha 1e-6 over the 4 comparisons; n q (1-q)
 * >= 20 for the normal approximation). */
START_TEST(test_leave_skip_statistical)
{
    const fx_school sc[] = {{0, TW_STAGE_PRIMARY, TW_LOC_URBAN, 1.0},
                            {0, TW_STAGE_JUNIOR, TW_LOC_RURAL, 1.0}};
    tw_world *w = fx_world(BASE, 2, 1, sc, 2, 1);
    FX_EACH_YEAR(w, p) {
        p->deaths_on = 1;
        p->death_rate[4] = 0.002; /* 40-44 */
        p->death_rate[8] = 0.01;  /* 60-64 */
        p->exit_on = 1;
        p->exit_base[TW_STAGE_PRIMARY] = 0.01;
        p->exit_base[TW_STAGE_JUNIOR] = 0.03;
        p->exit_loc_factor[TW_LOC_RURAL] = 2.0;
    }
    enum { R = 60, N = 10000 };
    static double c[4][R];
    const int year = BASE + 1;
    for (int r = 0; r < R; r++) {
        tw_sim *s = fx_sim(w, 1000 + (uint64_t)r);
        for (int i = 0; i < N; i++) {
            size_t k = fx_add(s, 0, year - 42, TW_SEX_MALE, 0, 0, 0, 0);
            s->T.service[k] = 4;
            k = fx_add(s, 1, year - 61, TW_SEX_FEMALE, 0, 0, 0, 0);
            s->T.service[k] = 30;
        }
        set_year(s, year);
        tw_proc_leave(s);
        ck_assert_double_eq(s->f.exits[TW_EXIT_RETIRE][TW_STAGE_PRIMARY] +
                                s->f.exits[TW_EXIT_RETIRE][TW_STAGE_JUNIOR],
                            0.0);
        c[0][r] = s->f.exits[TW_EXIT_DEATH][TW_STAGE_PRIMARY];
        c[1][r] = s->f.exits[TW_EXIT_DEATH][TW_STAGE_JUNIOR];
        c[2][r] = s->f.exits[TW_EXIT_VOLUNTARY][TW_STAGE_PRIMARY];
        c[3][r] = s->f.exits[TW_EXIT_VOLUNTARY][TW_STAGE_JUNIOR];
        tw_sim_free(s);
    }
    fx_check_binomial_reps(c[0], R, N, 0.002, ALPHA, 4, "deaths, 40-44");
    fx_check_binomial_reps(c[1], R, N, 0.01, ALPHA, 4, "deaths, 60-64");
    fx_check_binomial_reps(c[2], R, N, 0.998 * 0.01, ALPHA, 4,
                           "exits, urban primary");
    fx_check_binomial_reps(c[3], R, N, 0.99 * 0.06, ALPHA, 4,
                           "exits, rural junior");
    tw_world_free(w);
}
END_TEST

/* ------------------------------------------------------------------ */
/* 3. Retirement                                                      */
/* ------------------------------------------------------------------ */

START_TEST(test_retire_law_examples)
{
    const fx_school sc[] = {{0, TW_STAGE_PRIMARY, TW_LOC_URBAN, 1.0}};
    tw_world *w = fx_world(BASE, 2, 1, sc, 1, 1);
    const tw_params *p = tw_world_params(w, 0);
    /* POLICY.md's worked examples */
    ck_assert_int_eq(tw_retire_age_months(p, 0, 720, 1965, 1), 721);
    ck_assert_int_eq(tw_retire_age_months(p, 0, 720, 1976, 9), 756);
    ck_assert_int_eq(tw_retire_age_months(p, 1, 660, 1974, 10), 675);
    ck_assert_int_eq(tw_retire_age_months(p, 1, 660, 1978, 7), 686);
    /* around them: before the law, the month before the men's cap, after
     * the caps */
    ck_assert_int_eq(tw_retire_age_months(p, 0, 720, 1964, 12), 720);
    ck_assert_int_eq(tw_retire_age_months(p, 0, 720, 1965, 4), 721);
    ck_assert_int_eq(tw_retire_age_months(p, 0, 720, 1965, 5), 722);
    ck_assert_int_eq(tw_retire_age_months(p, 0, 720, 1976, 8), 755);
    ck_assert_int_eq(tw_retire_age_months(p, 0, 720, 1990, 3), 756);
    ck_assert_int_eq(tw_retire_age_months(p, 1, 660, 1969, 12), 660);
    ck_assert_int_eq(tw_retire_age_months(p, 1, 660, 1970, 1), 661);
    ck_assert_int_eq(tw_retire_age_months(p, 1, 660, 1995, 1), 696);
    /* the law's start is config: one year later, Jan 1965 is not covered */
    tw_params q = *p;
    q.law_start_year = 2026;
    ck_assert_int_eq(tw_retire_age_months(&q, 0, 720, 1965, 1), 720);
    ck_assert_int_eq(tw_retire_age_months(&q, 0, 720, 1966, 1), 721);
    tw_world_free(w);
}
END_TEST

START_TEST(test_retire_law_fifty_rule)
{
    const fx_school sc[] = {{0, TW_STAGE_PRIMARY, TW_LOC_URBAN, 1.0}};
    tw_world *w = fx_world(BASE, 2, 1, sc, 1, 1);
    const tw_params *p = tw_world_params(w, 0);
    /* 50 in Dec 2024: before the law */
    ck_assert_int_eq(tw_retire_age_months(p, 2, 600, 1974, 12), 600);
    /* 50 in Jan 2025: k = 0, +1 */
    ck_assert_int_eq(tw_retire_age_months(p, 2, 600, 1975, 1), 601);
    ck_assert_int_eq(tw_retire_age_months(p, 2, 600, 1975, 2), 601);
    ck_assert_int_eq(tw_retire_age_months(p, 2, 600, 1975, 3), 602);
    /* the +60 cap: floor(k/2) + 1 >= 60 from k = 118, i.e. 50 reached in
     * Nov 2034, born Nov 1984; born Oct 1984 gets k = 117, +59 */
    ck_assert_int_eq(tw_retire_age_months(p, 2, 600, 1984, 10), 659);
    ck_assert_int_eq(tw_retire_age_months(p, 2, 600, 1984, 11), 660);
    ck_assert_int_eq(tw_retire_age_months(p, 2, 600, 1984, 12), 660);
    ck_assert_int_eq(tw_retire_age_months(p, 2, 600, 1999, 6), 660);
    tw_world_free(w);
}
END_TEST

/* A world for the retirement process: one school, all years from 2020. */
static tw_world *retire_world(double p_early, double p_late)
{
    const fx_school sc[] = {{0, TW_STAGE_PRIMARY, TW_LOC_URBAN, 1.0}};
    tw_world *w = fx_world(BASE, NYEARS, 1, sc, 1, 1);
    FX_EACH_YEAR(w, p) {
        p->retire_on = 1;
        p->p_early = p_early;
        p->p_late = p_late;
        p->senior_female_old_age_months = 720; /* 组通字〔2015〕14号 */
    }
    return w;
}

static size_t add_born(tw_sim *s, int by, int bm, int sex, int title)
{
    size_t k = fx_add(s, 0, by, sex, 0, title, TW_QUAL_BACHELOR, 0);
    s->T.birth_month[k] = (uint8_t)bm;
    return k;
}

/* Run tw_proc_retire from `from` to `to`; leave_year[k] = year teacher k
 * retired, 0 if not. */
static void run_retire(tw_sim *s, int from, int to, int *leave_year)
{
    for (size_t k = 0; k < s->n; k++)
        leave_year[k] = 0;
    for (int y = from; y <= to; y++) {
        set_year(s, y);
        tw_proc_retire(s);
        for (size_t k = 0; k < s->n; k++)
            if ((s->T.flags[k] & TW_F_GONE) && leave_year[k] == 0)
                leave_year[k] = y;
    }
}

START_TEST(test_retire_timing)
{
    tw_world *w = retire_world(0.0, 0.0);
    tw_sim *s = fx_sim(w, 4);
    size_t m65 = add_born(s, 1965, 1, TW_SEX_MALE, TW_TITLE_FIRST);
    /* woman "55" born Oct 1974: 56y3m -> Jan 2031 */
    size_t f74 = add_born(s, 1974, 10, TW_SEX_FEMALE, TW_TITLE_FIRST);
    /* same woman born Sep 1974: 56y3m -> Dec 2030 */
    size_t f74b = add_born(s, 1974, 9, TW_SEX_FEMALE, TW_TITLE_FIRST);
    /* woman with 高级 born Jan 1970: men's rule, 61y4m -> May 2031;
     * without: 55 in Jan 2025, 55y1m -> Feb 2025 */
    size_t fs70 = add_born(s, 1970, 1, TW_SEX_FEMALE, TW_TITLE_SENIOR);
    size_t f70 = add_born(s, 1970, 1, TW_SEX_FEMALE, TW_TITLE_FIRST);
    /* initial stock past the statutory age: retires at once */
    size_t m50 = add_born(s, 1950, 6, TW_SEX_MALE, TW_TITLE_FIRST);
    int ly[16];
    set_year(s, 2024);
    tw_proc_retire(s);
    ck_assert(!(s->T.flags[m65] & TW_F_GONE)); /* 60 in 2025 */
    ck_assert(s->T.flags[m50] & TW_F_GONE);
    ck_assert_double_eq(s->f.exits[TW_EXIT_RETIRE][TW_STAGE_PRIMARY], 1.0);
    run_retire(s, 2025, 2040, ly);
    ck_assert_int_eq(ly[m65], 2025); /* 60y1m: Feb 2025 */
    ck_assert_int_eq(ly[f74], 2031);
    ck_assert_int_eq(ly[f74b], 2030);
    ck_assert_int_eq(ly[fs70], 2031);
    ck_assert_int_eq(ly[f70], 2025);
    tw_sim_free(s);

    /* women under the "50" rule; the 高级 exception still applies */
    FX_EACH_YEAR(w, p) p->female_category = 2;
    s = fx_sim(w, 4);
    size_t a = add_born(s, 1974, 12, TW_SEX_FEMALE, TW_TITLE_FIRST);
    size_t b = add_born(s, 1984, 11, TW_SEX_FEMALE, TW_TITLE_FIRST);
    size_t c = add_born(s, 1970, 1, TW_SEX_FEMALE, TW_TITLE_FULL);
    run_retire(s, 2021, 2040, ly);
    ck_assert_int_eq(ly[a], 2024); /* 50 in Dec 2024 */
    ck_assert_int_eq(ly[b], 2039); /* 55 in Nov 2039 */
    ck_assert_int_eq(ly[c], 2031);
    tw_sim_free(s);
    tw_world_free(w);
}
END_TEST

/* Every birth month of 1950-1995, both sexes, with and without 高级. */
static void add_cohorts(tw_sim *s)
{
    for (int by = 1950; by <= 1995; by++)
        for (int bm = 1; bm <= 12; bm++)
            for (int sex = 0; sex < TW_N_SEXES; sex++) {
                add_born(s, by, bm, sex, TW_TITLE_FIRST);
                add_born(s, by, bm, sex, TW_TITLE_SENIOR);
            }
}

/* Old age and statutory age (months) of teacher x under p, computed here
 * from the rules of POLICY.md. */
static void expected_ages(const tw_params *p, const tw_teacher *x, int *old,
                          int *stat)
{
    int cat = 0;
    *old = 720;
    if (x->sex == TW_SEX_FEMALE && x->title < TW_TITLE_SENIOR) {
        cat = p->female_category;
        *old = cat == 1 ? 660 : 600;
    }
    *stat = tw_retire_age_months(p, cat, *old, x->birth_year, x->birth_month);
}

static int year_of(const tw_teacher *x, int months)
{
    return (x->birth_year * 12 + x->birth_month - 1 + months) / 12;
}

START_TEST(test_retire_cohorts_no_flex)
{
    tw_world *w = retire_world(0.0, 0.0);
    tw_sim *s = fx_sim(w, 5);
    add_cohorts(s);
    int *ly = malloc(s->n * sizeof *ly);
    ck_assert(ly != NULL);
    run_retire(s, 2020, 2069, ly);
    const tw_params *p = tw_world_params(w, 0);
    for (size_t k = 0; k < s->n; k++) {
        const tw_teacher x_rec = tw_sim_get(s, k), *x = &x_rec;
        int old, stat;
        expected_ages(p, x, &old, &stat);
        int ry = year_of(x, stat);
        ck_assert_int_eq(ly[k], ry < 2020 ? 2020 : ry);
        ck_assert(!(x->flags & TW_F_LATE));
    }
    free(ly);
    tw_sim_free(s);
    tw_world_free(w);
}
END_TEST

START_TEST(test_retire_cohorts_early)
{
    tw_world *w = retire_world(1.0, 0.0);
    tw_sim *s = fx_sim(w, 6);
    add_cohorts(s);
    /* man with 61y4m (May 2031): early in 2030, the year he turns 60 */
    size_t m70 = add_born(s, 1970, 1, TW_SEX_MALE, TW_TITLE_FIRST);
    /* man with 60y4m (May 2026): old age and statutory age in one year */
    size_t m66 = add_born(s, 1966, 1, TW_SEX_MALE, TW_TITLE_FIRST);
    int *ly = malloc(s->n * sizeof *ly);
    ck_assert(ly != NULL);
    run_retire(s, 2020, 2069, ly);
    ck_assert_int_eq(ly[m70], 2030);
    ck_assert_int_eq(ly[m66], 2026);
    const tw_params *p = tw_world_params(w, 0);
    size_t earlier = 0;
    for (size_t k = 0; k < s->n; k++) {
        const tw_teacher x_rec = tw_sim_get(s, k), *x = &x_rec;
        int old, stat;
        expected_ages(p, x, &old, &stat);
        int oy = year_of(x, old), ry = year_of(x, stat);
        int ey = year_of(x, stat - 36 > old ? stat - 36 : old);
        ck_assert_int_ne(ly[k], 0);
        if (ry >= 2021)
            ck_assert_msg(ly[k] >= oy, "retired %d before the old age %d",
                          ly[k], oy);
        if (ey >= 2020)
            ck_assert_int_eq(ly[k], ey);
        earlier += ly[k] < ry;
    }
    ck_assert_uint_gt(earlier, 1000);
    free(ly);
    tw_sim_free(s);
    tw_world_free(w);
}
END_TEST

START_TEST(test_retire_cohorts_late)
{
    tw_world *w = retire_world(0.0, 1.0);
    tw_sim *s = fx_sim(w, 7);
    add_cohorts(s);
    int *ly = malloc(s->n * sizeof *ly);
    ck_assert(ly != NULL);
    run_retire(s, 2020, 2069, ly);
    const tw_params *p = tw_world_params(w, 0);
    for (size_t k = 0; k < s->n; k++) {
        const tw_teacher x_rec = tw_sim_get(s, k), *x = &x_rec;
        int old, stat;
        expected_ages(p, x, &old, &stat);
        int ry = year_of(x, stat), lyr = year_of(x, stat + 36);
        if (lyr <= 2020) { /* even the late limit is past: at once */
            ck_assert_int_eq(ly[k], 2020);
            continue;
        }
        ck_assert_int_ne(ly[k], ry);
        ck_assert_int_eq(ly[k], lyr);
        ck_assert(s->T.flags[k] & TW_F_LATE);
    }
    free(ly);
    tw_sim_free(s);
    tw_world_free(w);
}
END_TEST

/* Each teacher draws at most once for each option: with p = 0.5 the
 * early share among those with an early year and the late share are
 * binomial; and young teachers cost no draw at all. */
START_TEST(test_retire_draws)
{
    tw_world *w = retire_world(0.5, 0.5);
    tw_sim *s = fx_sim(w, 8);
    for (int i = 0; i < 200; i++)
        add_born(s, 1985 + i % 10, 1 + i % 12, i % 2, TW_TITLE_FIRST);
    gsl_rng *ref = gsl_rng_clone(s->rng);
    for (int y = 2020; y <= 2030; y++) {
        set_year(s, y);
        tw_proc_retire(s);
    }
    ck_assert_uint_eq(fx_alive(s), 200);
    ck_assert(same_stream(s->rng, ref));
    gsl_rng_free(ref);
    tw_sim_free(s);

    /* 4000 men born Jan 1970: early year 2030 (E = old age), statutory
     * 2031, late until 2034 */
    s = fx_sim(w, 9);
    const int n = 4000;
    for (int i = 0; i < n; i++)
        add_born(s, 1970, 1, TW_SEX_MALE, TW_TITLE_FIRST);
    int *ly = malloc(s->n * sizeof *ly);
    ck_assert(ly != NULL);
    run_retire(s, 2020, 2040, ly);
    double early = 0, stat = 0, late = 0;
    for (size_t k = 0; k < s->n; k++) {
        early += ly[k] == 2030;
        stat += ly[k] == 2031;
        late += ly[k] == 2034;
    }
    ck_assert_double_eq(early + stat + late, n);
    /* early ~ Bin(n, .5); late | not early ~ Bin(n - early, .5) */
    ck_binomial(early, n, 0.5, 2, "early retirements");
    ck_binomial(late, n - early, 0.5, 2, "late retirements");
    free(ly);
    tw_sim_free(s);
    tw_world_free(w);
}
END_TEST

/* ------------------------------------------------------------------ */
/* 4. Voluntary exit                                                  */
/* ------------------------------------------------------------------ */

static const fx_school exit_schools[] = {
    {0, TW_STAGE_PRIMARY, TW_LOC_URBAN, 1.0}, /* 0 */
    {0, TW_STAGE_PRIMARY, TW_LOC_RURAL, 1.0}, /* 1 */
    {0, TW_STAGE_JUNIOR, TW_LOC_URBAN, 1.0},  /* 2 */
};

START_TEST(test_exit_bands_deterministic)
{
    tw_world *w = fx_world(BASE, 2, 1, exit_schools, 3, 1);
    FX_EACH_YEAR(w, p) {
        p->exit_on = 1;
        p->exit_base[TW_STAGE_PRIMARY] = 1.0;
        p->exit_loc_factor[TW_LOC_RURAL] = 0.0;
        for (int b = 0; b < TW_N_SERVICE_BANDS; b++)
            p->exit_service_factor[b] = b == 2 ? 1.0 : 0.0; /* 6..10 */
    }
    tw_sim *s = fx_sim(w, 10);
    for (int sv = 0; sv <= 30; sv++)
        for (uint32_t i = 0; i < 3; i++) {
            size_t k = fx_add(s, i, 1980, 0, 0, 0, 0, 0);
            s->T.service[k] = (uint8_t)sv;
        }
    /* on exchange at the rural school, home urban: home decides */
    size_t ex1 = fx_add(s, 1, 1980, 0, 0, 0, 0, 0);
    s->T.home[ex1] = 0;
    s->T.service[ex1] = 7;
    size_t ex2 = fx_add(s, 0, 1980, 0, 0, 0, 0, 0);
    s->T.home[ex2] = 1;
    s->T.service[ex2] = 7;
    size_t pool = fx_add(s, 0, 1980, 0, 0, 0, 0, TW_F_POOL);
    s->T.service[pool] = 8;
    set_year(s, BASE + 1);
    tw_proc_exit(s);
    for (size_t k = 0; k < s->n; k++) {
        const tw_teacher x_rec = tw_sim_get(s, k), *x = &x_rec;
        int want = x->home == 0 && x->service >= 6 && x->service < 11;
        ck_assert_msg(!!(x->flags & TW_F_GONE) == want,
                      "school %u home %u service %u", x->school, x->home,
                      x->service);
    }
    ck_assert_double_eq(s->f.exits[TW_EXIT_VOLUNTARY][TW_STAGE_PRIMARY],
                        5 + 2);
    ck_assert_double_eq(s->f.exits[TW_EXIT_VOLUNTARY][TW_STAGE_JUNIOR], 0);

    /* the band edges: last band from service_cut[3] = 21 on */
    FX_EACH_YEAR(w, p) {
        for (int b = 0; b < TW_N_SERVICE_BANDS; b++)
            p->exit_service_factor[b] = b == 4 ? 1.0 : 0.0;
        p->exit_base[TW_STAGE_JUNIOR] = 1.0;
    }
    tw_proc_exit(s);
    for (size_t k = 0; k < s->n; k++) {
        const tw_teacher x_rec = tw_sim_get(s, k), *x = &x_rec;
        if (x->home == 2)
            ck_assert(!!(x->flags & TW_F_GONE) == (x->service >= 21));
    }
    tw_sim_free(s);
    tw_world_free(w);
}
END_TEST

START_TEST(test_exit_clamp_and_off)
{
    tw_world *w = fx_world(BASE, 2, 1, exit_schools, 3, 1);
    FX_EACH_YEAR(w, p) {
        p->exit_on = 1;
        p->exit_base[TW_STAGE_PRIMARY] = 3.0;  /* clamped to 1 */
        p->exit_base[TW_STAGE_JUNIOR] = -0.5; /* clamped to 0: no draw */
    }
    tw_sim *s = fx_sim(w, 11);
    for (int i = 0; i < 50; i++)
        fx_add(s, 2, 1980, 0, 0, 0, 0, 0);
    gsl_rng *ref = gsl_rng_clone(s->rng);
    set_year(s, BASE + 1);
    tw_proc_exit(s);
    ck_assert_uint_eq(fx_alive(s), 50);
    ck_assert(same_stream(s->rng, ref));
    for (int i = 0; i < 50; i++)
        fx_add(s, 0, 1980, 0, 0, 0, 0, 0);
    tw_proc_exit(s);
    ck_assert_uint_eq(fx_alive(s), 50);
    /* off: nobody leaves, and a pending retention decision is dropped */
    FX_EACH_YEAR(w, p) p->exit_on = 0;
    size_t k = fx_add(s, 0, 1980, 0, 0, 0, 0, TW_F_OBL_END);
    tw_proc_exit(s);
    ck_assert_uint_eq(fx_alive(s), 51);
    ck_assert(!(s->T.flags[k] & TW_F_OBL_END));
    gsl_rng_free(ref);
    tw_sim_free(s);
    tw_world_free(w);
}
END_TEST

START_TEST(test_exit_statistical)
{
    tw_world *w = fx_world(BASE, 2, 1, exit_schools, 3, 1);
    FX_EACH_YEAR(w, p) {
        p->exit_on = 1;
        p->exit_base[TW_STAGE_PRIMARY] = 0.05;
        p->exit_base[TW_STAGE_JUNIOR] = 0.04;
        p->exit_loc_factor[TW_LOC_RURAL] = 2.0;
        p->exit_service_factor[0] = 2.0; /* service < 3 */
        p->exit_service_factor[3] = 0.5; /* 11..20 */
    }
    tw_sim *s = fx_sim(w, 12);
    const int n = 10000;
    for (int i = 0; i < n; i++) {
        fx_add(s, 1, 1990, 0, 0, 0, 0, 0);         /* .05*2*2 = .2 */
        size_t k = fx_add(s, 2, 1980, 0, 0, 0, 0, 0); /* .04*1*.5 = .02 */
        s->T.service[k] = 15;
        k = fx_add(s, 0, 1980, 0, 0, 0, 0, 0);        /* .05 */
        s->T.service[k] = 4;
    }
    set_year(s, BASE + 1);
    tw_proc_exit(s);
    double c[3] = {0, 0, 0};
    for (size_t k = 0; k < s->n; k++)
        c[k % 3] += (s->T.flags[k] & TW_F_GONE) != 0;
    ck_binomial(c[0], n, 0.2, 3, "rural primary, service < 3");
    ck_binomial(c[1], n, 0.02, 3, "urban junior, service 11-20");
    ck_binomial(c[2], n, 0.05, 3, "urban primary, service 3-5");
    tw_sim_free(s);
    tw_world_free(w);
}
END_TEST

START_TEST(test_exit_obligation_retention)
{
    tw_world *w = fx_world(BASE, 3, 1, exit_schools, 3, 1);
    FX_EACH_YEAR(w, p) {
        p->exit_on = 1;
        p->exit_base[TW_STAGE_PRIMARY] = 1.0;
        p->retention[TW_CH_TEGANG] = 0.0;
        p->retention[TW_CH_FUNDED] = 1.0;
    }
    tw_sim *s = fx_sim(w, 13);
    /* obligation running: hazard 1 held at zero */
    size_t obl = fx_add(s, 1, 1990, 0, 0, 0, 0, 0);
    s->T.obligation[obl] = 3;
    s->T.channel[obl] = TW_CH_TEGANG;
    /* obligation ended, retention 0: leaves */
    size_t out = fx_add(s, 1, 1990, 0, 0, 0, 0, TW_F_OBL_END);
    s->T.channel[out] = TW_CH_TEGANG;
    /* obligation ended, retention 1: stays despite hazard 1, then faces
     * the hazard next year */
    size_t stay = fx_add(s, 1, 1990, 0, 0, 0, 0, TW_F_OBL_END);
    s->T.channel[stay] = TW_CH_FUNDED;
    set_year(s, BASE + 1);
    tw_proc_exit(s);
    ck_assert(!(s->T.flags[obl] & TW_F_GONE));
    ck_assert(s->T.flags[out] & TW_F_GONE);
    ck_assert(!(s->T.flags[stay] & TW_F_GONE));
    ck_assert(!(s->T.flags[stay] & TW_F_OBL_END));
    ck_assert_double_eq(s->f.exits[TW_EXIT_VOLUNTARY][TW_STAGE_PRIMARY], 1);
    set_year(s, BASE + 2);
    tw_proc_exit(s);
    ck_assert(s->T.flags[stay] & TW_F_GONE);
    ck_assert(!(s->T.flags[obl] & TW_F_GONE));
    tw_sim_free(s);

    /* retention 0.7 with hazard 0: 30% leave, once */
    FX_EACH_YEAR(w, p) {
        p->exit_base[TW_STAGE_PRIMARY] = 0.0;
        p->retention[TW_CH_TEGANG] = 0.7;
    }
    s = fx_sim(w, 14);
    const int n = 10000;
    for (int i = 0; i < n; i++) {
        size_t k = fx_add(s, 1, 1990, 0, 0, 0, 0, TW_F_OBL_END);
        s->T.channel[k] = TW_CH_TEGANG;
    }
    set_year(s, BASE + 1);
    tw_proc_exit(s);
    double left = (double)(n - fx_alive(s));
    ck_binomial(left, n, 0.3, 1, "leavers at the end of the obligation");
    set_year(s, BASE + 2);
    tw_proc_exit(s);
    ck_assert_double_eq((double)(n - fx_alive(s)), left);
    tw_sim_free(s);
    tw_world_free(w);
}
END_TEST

/* ------------------------------------------------------------------ */
/* 5. 末位退出                                                         */
/* ------------------------------------------------------------------ */

static const fx_school strike_schools[] = {
    {0, TW_STAGE_PRIMARY, TW_LOC_URBAN, 1.0}, /* 0 */
    {0, TW_STAGE_PRIMARY, TW_LOC_RURAL, 1.0}, /* 1 */
    {0, TW_STAGE_JUNIOR, TW_LOC_TOWN, 1.0},   /* 2: the county's only junior */
    {0, TW_STAGE_PRIMARY, TW_LOC_TOWN, 1.0},  /* 3 */
    {1, TW_STAGE_PRIMARY, TW_LOC_URBAN, 1.0}, /* 4 */
    {1, TW_STAGE_JUNIOR, TW_LOC_URBAN, 1.0},  /* 5 */
};

START_TEST(test_strikes_exact_count)
{
    tw_world *w = fx_world(BASE, NYEARS, 2, strike_schools, 6, 1);
    FX_EACH_COUNTY_YEAR(w, cp) {
        cp->strikes_on = 1;
        cp->strike_share = 0.1;
    }
    /* county 1: 0.0625 * 40 = 2.5 -> 3 (half away from zero) the first
     * year */
    for (size_t t = 0; t < w->n_years; t++)
        w->cparams[t * 2 + 1].strike_share = 0.0625;
    tw_sim *s = fx_sim(w, 15);
    for (int i = 0; i < 57; i++)
        fx_add(s, (uint32_t)(i % 4), 1980, 0, 0, 0, 0, 0);
    for (int i = 0; i < 40; i++)
        fx_add(s, (uint32_t)(4 + i % 2), 1980, 0, 0, 0, 0, 0);
    for (int i = 0; i < 3; i++) /* not counted, not struck */
        fx_add(s, 0, 1980, 0, 0, 0, 0, TW_F_POOL);
    fx_add(s, 4, 1980, 0, 0, 0, 0, TW_F_GONE);
    /* on exchange in county 0's school 1, home school 0 */
    size_t ex = fx_add(s, 1, 1980, 0, 0, 0, 0, 0);
    s->T.home[ex] = 0;

    uint8_t *before = malloc(s->n);
    ck_assert(before != NULL);
    for (int y = BASE + 1; y <= BASE + 20; y++) {
        set_year(s, y);
        double nc[2] = {0, 0};
        for (size_t k = 0; k < s->n; k++) {
            const tw_teacher x_rec = tw_sim_get(s, k), *x = &x_rec;
            before[k] = x->strikes;
            if (!(x->flags & (TW_F_GONE | TW_F_POOL)))
                nc[w->schools[x->home].county] += 1;
        }
        memset(&s->f, 0, sizeof s->f);
        tw_proc_strikes(s);
        double got[2] = {0, 0}, byk[3] = {0, 0, 0};
        for (size_t k = 0; k < s->n; k++) {
            const tw_teacher x_rec = tw_sim_get(s, k), *x = &x_rec;
            if (x->strikes == before[k])
                continue;
            ck_assert_int_eq(x->strikes, before[k] + 1);
            ck_assert(!(x->flags & TW_F_POOL));
            got[w->schools[x->home].county] += 1;
            byk[x->strikes - 1] += 1;
        }
        ck_assert_double_eq(got[0], round(0.1 * nc[0]));
        ck_assert_double_eq(got[1], round(0.0625 * nc[1]));
        if (y == BASE + 1) {
            ck_assert_double_eq(got[0], 6); /* round(5.8) */
            ck_assert_double_eq(got[1], 3); /* round(2.5) */
        }
        for (int j = 0; j < 3; j++)
            ck_assert_double_eq(s->f.strikes[j], byk[j]);
        ck_assert_double_eq(s->f.exits[TW_EXIT_DISMISS][TW_STAGE_PRIMARY] +
                                s->f.exits[TW_EXIT_DISMISS][TW_STAGE_JUNIOR],
                            byk[2]);
    }
    /* pool members were never struck; after 20 years someone has been
     * dismissed */
    for (size_t k = 0; k < s->n; k++)
        if (s->T.flags[k] & TW_F_POOL)
            ck_assert_int_eq(s->T.strikes[k], 0);
    ck_assert_uint_lt(fx_alive(s), 57 + 40 + 3 + 1);
    free(before);

    /* switched off in county 1: only county 0 strikes, no draw at all when
     * both are off */
    for (size_t t = 0; t < w->n_years; t++)
        w->cparams[t * 2 + 1].strikes_on = 0;
    set_year(s, BASE + 21);
    uint8_t c1[64];
    size_t n1 = 0;
    for (size_t k = 0; k < s->n && n1 < 64; k++)
        if (s->T.home[k] >= 4)
            c1[n1++] = s->T.strikes[k];
    tw_proc_strikes(s);
    n1 = 0;
    for (size_t k = 0; k < s->n && n1 < 64; k++)
        if (s->T.home[k] >= 4)
            ck_assert_int_eq(s->T.strikes[k], c1[n1++]);
    FX_EACH_COUNTY_YEAR(w, cp) cp->strikes_on = 0;
    gsl_rng *ref = gsl_rng_clone(s->rng);
    tw_proc_strikes(s);
    ck_assert(same_stream(s->rng, ref));
    gsl_rng_free(ref);
    tw_sim_free(s);
    tw_world_free(w);
}
END_TEST

START_TEST(test_strikes_second_and_third)
{
    tw_world *w = fx_world(BASE, 3, 2, strike_schools, 6, 1);
    FX_EACH_COUNTY_YEAR(w, cp) {
        cp->strikes_on = 1;
        cp->strike_share = 1.0; /* everyone: the outcome is known */
    }
    tw_sim *s = fx_sim(w, 16);
    const int n = 200;
    for (int i = 0; i < n; i++) {
        size_t k = fx_add(s, 0, 1980, 0, 0, 0, 0, 0); /* 1st strike */
        k = fx_add(s, 0, 1980, 0, 0, 0, 0, 0);        /* 2nd: moves */
        s->T.strikes[k] = 1;
        s->T.at_school[k] = 9;
        k = fx_add(s, 2, 1980, 0, 0, 0, 0, 0);        /* 2nd: no other */
        s->T.strikes[k] = 1;
        s->T.at_school[k] = 9;
        k = fx_add(s, 4, 1980, 0, 0, 0, 0, 0);        /* 3rd: dismissed */
        s->T.strikes[k] = 2;
    }
    /* on exchange at school 1 (home 3), 2nd strike: the term ends */
    size_t ex = fx_add(s, 1, 1980, 0, 0, 0, 0, 0);
    s->T.home[ex] = 3;
    s->T.strikes[ex] = 1;
    s->T.term_left[ex] = 2;
    set_year(s, BASE + 1);
    tw_proc_strikes(s);
    int to[6] = {0, 0, 0, 0, 0, 0};
    for (int i = 0; i < n; i++) {
        const tw_teacher ra = tw_sim_get(s, 4 * (size_t)i),
                         rb = tw_sim_get(s, 4 * (size_t)i + 1),
                         rc = tw_sim_get(s, 4 * (size_t)i + 2),
                         rd = tw_sim_get(s, 4 * (size_t)i + 3);
        const tw_teacher *a = &ra, *b = &rb, *c = &rc, *d = &rd;
        ck_assert_int_eq(a->strikes, 1);
        ck_assert(a->school == 0 && a->home == 0 && !(a->flags & TW_F_GONE));
        /* another primary school of county 0: 1 or 3 */
        ck_assert_int_eq(b->strikes, 2);
        ck_assert(b->home == 1 || b->home == 3);
        ck_assert_int_eq(b->school, b->home);
        ck_assert_int_eq(b->at_school, 0);
        ck_assert(!(b->flags & TW_F_GONE));
        to[b->home]++;
        ck_assert_int_eq(c->strikes, 2);
        ck_assert(c->school == 2 && c->home == 2 && c->at_school == 9);
        ck_assert(d->flags & TW_F_GONE);
    }
    /* both destinations used: P(all 200 to one of two) = 2^-199 */
    ck_assert_int_gt(to[1], 0);
    ck_assert_int_gt(to[3], 0);
    const tw_teacher x_rec = tw_sim_get(s, ex), *x = &x_rec;
    ck_assert(x->home == 0 || x->home == 1);
    ck_assert(x->school == x->home && x->term_left == 0);
    ck_assert_double_eq(s->f.strikes[0], n);
    ck_assert_double_eq(s->f.strikes[1], 2 * n + 1);
    ck_assert_double_eq(s->f.strikes[2], n);
    ck_assert_double_eq(s->f.exits[TW_EXIT_DISMISS][TW_STAGE_PRIMARY], n);
    ck_assert_double_eq(s->county_leavers[1], n);
    ck_assert_double_eq(s->county_leavers[0], 0);
    tw_sim_free(s);
    tw_world_free(w);
}
END_TEST

/* ------------------------------------------------------------------ */
/* 9. Ageing                                                          */
/* ------------------------------------------------------------------ */

START_TEST(test_age_counters)
{
    tw_world *w = fx_world(BASE, 2, 1, exit_schools, 3, 1);
    tw_sim *s = fx_sim(w, 17);
    size_t a = fx_add(s, 0, 1980, 0, 0, 0, 0, TW_F_NEW);
    s->T.service[a] = 254;
    s->T.at_school[a] = 255;
    s->T.in_tier[a] = 3;
    s->T.in_title[a] = 0;
    s->T.obligation[a] = 2;
    size_t r = fx_add(s, 1, 1980, 0, 0, 0, 0, 0); /* rural */
    s->T.rural[r] = 255;
    s->T.obligation[r] = 1;
    size_t ex = fx_add(s, 1, 1980, 0, 0, 0, 0, 0); /* exchange to rural */
    s->T.home[ex] = 0;
    s->T.term_left[ex] = 2;
    s->T.pool_years[ex] = 0;
    size_t pool = fx_add(s, 1, 1980, 0, 0, 0, 0, TW_F_POOL);
    s->T.pool_years[pool] = 0;
    size_t gone = fx_add(s, 1, 1980, 0, 0, 0, 0, TW_F_GONE | TW_F_NEW);
    s->T.obligation[gone] = 1;
    tw_teacher g0 = tw_sim_get(s, gone);
    set_year(s, BASE + 1);
    tw_proc_age(s);
    tw_teacher x_rec = tw_sim_get(s, a);
    const tw_teacher *x = &x_rec;
    ck_assert_int_eq(x->service, 255);
    ck_assert_int_eq(x->at_school, 255);
    ck_assert_int_eq(x->in_tier, 4);
    ck_assert_int_eq(x->in_title, 1);
    ck_assert_int_eq(x->rural, 0);
    ck_assert_int_eq(x->obligation, 1);
    ck_assert(!(x->flags & (TW_F_NEW | TW_F_OBL_END)));
    x_rec = tw_sim_get(s, r);
    ck_assert_int_eq(x->rural, 255);
    ck_assert_int_eq(x->service, 1);
    ck_assert_int_eq(x->obligation, 0);
    ck_assert(x->flags & TW_F_OBL_END);
    x_rec = tw_sim_get(s, ex);
    ck_assert_int_eq(x->rural, 1);
    ck_assert_int_eq(x->term_left, 2); /* rotation's business */
    x_rec = tw_sim_get(s, pool);
    ck_assert_int_eq(x->rural, 0);
    ck_assert_int_eq(x->service, 1);
    ck_assert_int_eq(x->pool_years, 0);
    x_rec = tw_sim_get(s, gone);
    ck_assert(fx_same_teacher(x, &g0));
    /* next year: the flag is not set again once the obligation is 0 */
    s->T.flags[r] &= (uint8_t)~TW_F_OBL_END;
    tw_proc_age(s);
    ck_assert(!(s->T.flags[r] & TW_F_OBL_END));
    ck_assert(s->T.flags[a] & TW_F_OBL_END);
    tw_sim_free(s);
    tw_world_free(w);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Conservation                                                       */
/* ------------------------------------------------------------------ */

START_TEST(test_conservation)
{
    tw_world *w = fx_world(BASE, NYEARS, 2, strike_schools, 6, 1);
    FX_EACH_YEAR(w, p) {
        p->deaths_on = 1;
        for (int b = 0; b < TW_N_AGE_BANDS; b++)
            p->death_rate[b] = 0.002 * (b + 1);
        p->retire_on = 1;
        p->p_early = 0.3;
        p->p_late = 0.2;
        p->exit_on = 1;
        for (int g = 0; g < TW_N_STAGES; g++)
            p->exit_base[g] = 0.03;
        p->retention[TW_CH_TEGANG] = 0.6;
    }
    FX_EACH_COUNTY_YEAR(w, cp) {
        cp->strikes_on = 1;
        cp->strike_share = 0.05;
    }
    tw_sim *s = fx_sim(w, 18);
    for (size_t i = 0; i < 6; i++)
        s->S[i].students = 100.0;
    double init[TW_N_STAGES] = {0};
    for (int i = 0; i < 3000; i++) {
        uint32_t sc = (uint32_t)(i % 6);
        size_t k = fx_add(s, sc, 1960 + i % 40, i % 2, 0,
                          i % 7 == 0 ? TW_TITLE_SENIOR : TW_TITLE_FIRST, 0,
                          i % 50 == 0 ? TW_F_POOL : 0);
        s->T.birth_month[k] = (uint8_t)(1 + i % 12);
        if (i % 5 == 0) {
            s->T.channel[k] = TW_CH_TEGANG;
            s->T.obligation[k] = (uint8_t)(1 + i % 3);
        }
        init[w->schools[sc].stage] += 1;
    }
    double exits[TW_N_STAGES] = {0}, by_reason[TW_N_EXITS] = {0}, leavers = 0;
    for (int y = BASE + 1; y <= BASE + 25; y++) {
        set_year(s, y);
        memset(&s->f, 0, sizeof s->f);
        memset(s->county_leavers, 0, 2 * sizeof *s->county_leavers);
        tw_proc_demand(s);
        tw_proc_deaths(s);
        tw_proc_retire(s);
        tw_proc_exit(s);
        tw_proc_strikes(s);
        tw_proc_age(s);
        double yearly = 0;
        for (int r = 0; r < TW_N_EXITS; r++)
            for (int g = 0; g < TW_N_STAGES; g++) {
                exits[g] += s->f.exits[r][g];
                by_reason[r] += s->f.exits[r][g];
                yearly += s->f.exits[r][g];
            }
        ck_assert_double_eq(s->county_leavers[0] + s->county_leavers[1],
                            yearly);
        leavers += yearly;
        if (y % 5 == 0)
            tw_sim_compact(s);
    }
    double alive[TW_N_STAGES] = {0};
    for (size_t k = 0; k < s->n; k++)
        if (!(s->T.flags[k] & TW_F_GONE))
            alive[w->schools[s->T.home[k]].stage] += 1;
    for (int g = 0; g < TW_N_STAGES; g++)
        ck_assert_double_eq(alive[g] + exits[g], init[g]);
    /* every kind of exit of these processes happened */
    ck_assert_double_gt(leavers, 1000);
    for (int r = TW_EXIT_DEATH; r <= TW_EXIT_DISMISS; r++)
        ck_assert_msg(by_reason[r] > 0, "no exit of kind %s", tw_exit_names[r]);
    ck_assert_double_eq(by_reason[TW_EXIT_LUOPIN], 0);
    tw_sim_free(s);
    tw_world_free(w);
}
END_TEST

Suite *exits_suite(void)
{
    Suite *s = suite_create("exits");
    TCase *tc = tcase_create("demand");
    tcase_add_test(tc, test_demand_trend_series_caps);
    tcase_add_test(tc, test_demand_zero_ratio);
    suite_add_tcase(s, tc);
    tc = tcase_create("deaths");
    tcase_add_test(tc, test_deaths_one_band);
    tcase_add_test(tc, test_deaths_statistical);
    tcase_add_test(tc, test_leave_skip_statistical);
    suite_add_tcase(s, tc);
    tc = tcase_create("retirement");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_retire_law_examples);
    tcase_add_test(tc, test_retire_law_fifty_rule);
    tcase_add_test(tc, test_retire_timing);
    tcase_add_test(tc, test_retire_cohorts_no_flex);
    tcase_add_test(tc, test_retire_cohorts_early);
    tcase_add_test(tc, test_retire_cohorts_late);
    tcase_add_test(tc, test_retire_draws);
    suite_add_tcase(s, tc);
    tc = tcase_create("exit");
    tcase_add_test(tc, test_exit_bands_deterministic);
    tcase_add_test(tc, test_exit_clamp_and_off);
    tcase_add_test(tc, test_exit_statistical);
    tcase_add_test(tc, test_exit_obligation_retention);
    suite_add_tcase(s, tc);
    tc = tcase_create("strikes");
    tcase_add_test(tc, test_strikes_exact_count);
    tcase_add_test(tc, test_strikes_second_and_third);
    suite_add_tcase(s, tc);
    tc = tcase_create("ageing");
    tcase_add_test(tc, test_age_counters);
    tcase_add_test(tc, test_conservation);
    suite_add_tcase(s, tc);
    return s;
}
