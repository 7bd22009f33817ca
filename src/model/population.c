/*
 * population.c - the initial population of a replicate (tw_sim_init).
 *
 * Placement is deterministic, the same in every replicate: a stage's count
 * is split over localities by its locality shares (largest remainder),
 * then over the schools of that stage and locality in proportion to their
 * base-year demand (largest remainder), so each school starts near its
 * demand. Without locality shares, the split is over all schools of the
 * stage by demand. A locality with a share but no school of the stage
 * falls back to all schools of the stage.
 *
 * Attributes are drawn per replicate from the stock tables, independently
 * of each other (the documents give marginal shares only; docs/model.md):
 * sex, tier, title, then the age band and a uniform age within it, birth
 * month, qualification, establishment, and for vocational teachers the
 * professional-course and 双师型 flags. The age is truncated below the
 * pre-2025 retirement age of the teacher's sex and title: the tables
 * describe teachers in post, so nobody starts past it. Counters are set from the age:
 * service = age - 22 (at least 0); years at the school, in the tier and in
 * the title uniform on [0, min(service, 10)]; rural service = years at the
 * school when the school is rural, else 0.
 */
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>

#include "tw_rng.h"
#include "tw_world.h"

#include "population.h"

/* The partial sums of a stock's shares, for draw_index. */
typedef struct stock_cum {
    double tier[TW_WORLD_MAX_TIERS], title[TW_N_TITLES];
    double age[TW_N_AGE_BANDS], qual[TW_N_QUALS];
} stock_cum;

/* cum[i] = p[0] + ... + p[i], summed in that order, for i < n. */
static void partial_sums(const double *p, int n, double *cum)
{
    double acc = 0;
    for (int i = 0; i < n; i++)
        cum[i] = acc += p[i];
}

static void stock_cum_init(stock_cum *c, const tw_stock *k, size_t n_tiers)
{
    partial_sums(k->tier_share, (int)n_tiers, c->tier);
    partial_sums(k->title_share, TW_N_TITLES, c->title);
    partial_sums(k->age_share, TW_N_AGE_BANDS, c->age);
    partial_sums(k->qual_share, TW_N_QUALS, c->qual);
}

/* Index drawn with one uniform u from shares summing to 1, given their
 * partial sums cum[0..n-1]: the first i with u < cum[i], else n - 1.
 * Shares are >= 0, so the sums never decrease and that index is the
 * number of sums (of the first n - 1) at or below u: counted without a
 * branch (a random u would mispredict one) and without a chain of
 * additions. */
static int draw_index(gsl_rng *r, const double *cum, int n)
{
    double u = tw_rng_u01(r);
    int i = 0;
    for (int j = 0; j < n - 1; j++)
        i += u >= cum[j];
    return i;
}

/* Split `total` into parts proportional to w[0..n-1] (largest remainder;
 * ties to the lower index). All weights 0: equal weights. */
static void apportion(int64_t total, const double *w, size_t n, int64_t *out,
                      double *rem)
{
    double sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += w[i];
    int64_t given = 0;
    for (size_t i = 0; i < n; i++) {
        double exact = sum > 0 ? (double)total * w[i] / sum
                               : (double)total / (double)n;
        out[i] = (int64_t)floor(exact);
        rem[i] = exact - (double)out[i];
        given += out[i];
    }
    while (given < total) {
        size_t best = 0;
        for (size_t i = 1; i < n; i++)
            if (rem[i] > rem[best])
                best = i;
        out[best]++;
        rem[best] = -1;
        given++;
    }
}

/* What draw_teacher needs of a stage, computed once per stage. */
typedef struct stage_draw {
    const tw_stock *k;
    stock_cum c;
    int stage, n_tiers;
    int limit[TW_N_SEXES][TW_N_TITLES]; /* stock_max_age */
} stage_draw;

/*
 * An age (at 1 July of the base year) and birth month drawn from the
 * stock's age bands (ages uniform within a band, months uniform),
 * conditioned on the teacher not reaching `limit` years before the base
 * year ends (rejection sampling: the exact conditional distribution). After
 * 1000 rejections (a table whose teachers are nearly all past the limit)
 * the last draw is kept. The age within the band and the month come from
 * one uniform integer on width x 12 (its quotient and remainder are
 * independent and uniform: the same distribution as two draws).
 */
static int draw_age(gsl_rng *r, const stock_cum *c, int limit, int *month)
{
    int age = 0;
    for (int tries = 0; tries < 1000; tries++) {
        int b = draw_index(r, c->age, TW_N_AGE_BANDS);
        unsigned am = (unsigned)tw_rng_uint(
            r, (unsigned long)stock_band_width(b) * 12);
        age = stock_band_lo(b) + (int)(am / 12);
        *month = 1 + (int)(am % 12);
        /* born after July: a year older by the end of the base year */
        if (age + (*month > 7) < limit)
            break;
    }
    return age;
}

/* A subject drawn from the stage's base-year mix (the last subject takes
 * what rounding leaves). */
static int draw_subject(gsl_rng *r, const tw_world *w, int stage)
{
    double u = tw_rng_u01(r), c = 0.0;
    int n = (int)w->n_subjects;
    for (int j = 0; j < n - 1; j++) {
        c += w->subject_stock[stage][j];
        if (u < c)
            return j;
    }
    return n - 1;
}

/* Teacher x (zeroed) at `school`, drawn from the stage's tables. */
static void draw_teacher(tw_sim *s, tw_teacher *x, uint32_t school,
                         const stage_draw *d)
{
    gsl_rng *r = s->rng;
    const tw_stock *k = d->k;
    x->school = x->home = school;
    x->sex = tw_rng_u01(r) < k->female_share ? TW_SEX_FEMALE
                                              : TW_SEX_MALE;
    x->tier = (uint8_t)draw_index(r, d->c.tier, d->n_tiers);
    x->title = (uint8_t)draw_index(r, d->c.title, TW_N_TITLES);
    int month = 1;
    int age = draw_age(r, &d->c, d->limit[x->sex][x->title], &month);
    x->birth_month = (uint8_t)month;
    x->birth_year = (int16_t)(s->year - age - (x->birth_month > 7 ? 1 : 0));
    x->qual = (uint8_t)draw_index(r, d->c.qual, TW_N_QUALS);
    x->channel = TW_CH_INITIAL;
    if (tw_rng_u01(r) < k->bianzhi_share)
        x->flags |= TW_F_BIANZHI;
    if (d->stage == TW_STAGE_VOCATIONAL && tw_rng_u01(r) < k->prof_share) {
        x->flags |= TW_F_PROF;
        if (tw_rng_u01(r) < k->dual_share)
            x->flags |= TW_F_DUAL;
    }
    int service = age > 22 ? age - 22 : 0;
    x->service = (uint8_t)(service > 255 ? 255 : service);
    /* years at the school, in the tier and in the title: three independent
     * uniforms on 0 .. span-1, as the digits of one uniform integer on
     * span^3 (span <= 11, so span^3 <= 1331: one word, usually) */
    unsigned span = (unsigned)(service < 10 ? service : 10) + 1;
    unsigned v = (unsigned)tw_rng_uint(r, (unsigned long)span * span * span);
    x->at_school = (uint8_t)(v % span);
    x->in_tier = (uint8_t)(v / span % span);
    x->in_title = (uint8_t)(v / span / span);
    if (s->w->schools[school].locality == TW_LOC_RURAL)
        x->rural = x->at_school;
    /* the last draw, and only with subjects: a config without them keeps
     * its random stream */
    if (s->w->n_subjects > 0)
        x->subject = (uint8_t)draw_subject(r, s->w, d->stage);
}

/* Does stage `stage` split its count over localities first (tw_place_plan)?
 * Only when it has locality shares and a school for every locality with
 * a positive share. */
static bool split_by_locality(const tw_world *w, int stage)
{
    const tw_stock *k = &w->stock[stage];
    int has_loc[TW_N_LOCS] = {0};
    for (size_t i = 0; i < w->n_schools; i++)
        if (w->schools[i].stage == stage)
            has_loc[w->schools[i].locality] = 1;
    if (k->loc_share[0] < 0)
        return false;
    for (int l = 0; l < TW_N_LOCS; l++)
        if (k->loc_share[l] > 0 && !has_loc[l])
            return false; /* a share with no school: fall back */
    return true;
}

/* The schools of `stage` placed in pass l (its locality when split, else
 * all of them, in pass 0). */
static bool in_pass(const tw_school *sc, int stage, bool split, int l)
{
    return sc->stage == stage && (!split || sc->locality == l);
}

/* See tw_world.h. */
int tw_place_plan(const tw_world *w, const double *demand, int64_t *place)
{
    size_t ns = w->n_schools ? w->n_schools : 1;
    int64_t *per = malloc(ns * sizeof *per);
    double *weight = malloc(ns * sizeof *weight);
    double *rem = malloc(ns * sizeof *rem);
    int rc = per && weight && rem ? 0 : -1;
    for (size_t i = 0; i < w->n_schools; i++)
        place[i] = 0;
    for (int st = 0; rc == 0 && st < TW_N_STAGES; st++) {
        const tw_stock *k = &w->stock[st];
        if (!k->present || k->count <= 0)
            continue;
        bool split = split_by_locality(w, st);
        int64_t by_loc[TW_N_LOCS];
        if (split) {
            double lrem[TW_N_LOCS];
            apportion(k->count, k->loc_share, TW_N_LOCS, by_loc, lrem);
        }
        for (int l = 0; l < (split ? TW_N_LOCS : 1); l++) {
            size_t m = 0;
            for (size_t i = 0; i < w->n_schools; i++)
                if (in_pass(&w->schools[i], st, split, l))
                    weight[m++] = demand[i];
            if (m == 0)
                continue;
            apportion(split ? by_loc[l] : k->count, weight, m, per, rem);
            m = 0;
            for (size_t i = 0; i < w->n_schools; i++)
                if (in_pass(&w->schools[i], st, split, l))
                    place[i] = per[m++];
        }
    }
    free(per);
    free(weight);
    free(rem);
    return rc;
}

/* Add the teachers of the plan, stage by stage and, within a stage, in
 * the order the plan placed them, into records reserved at once; returns
 * -1 on memory. */
static int place_teachers(tw_sim *s, const int64_t *place)
{
    const tw_world *w = s->w;
    size_t total = 0;
    for (size_t i = 0; i < w->n_schools; i++)
        total += (size_t)place[i];
    if (tw_sim_reserve(s, total) != 0)
        return -1;
    const tw_teachers arrays = s->T, *T = &arrays;
    for (int st = 0; st < TW_N_STAGES; st++) {
        const tw_stock *k = &w->stock[st];
        if (!k->present || k->count <= 0)
            continue;
        bool split = split_by_locality(w, st);
        stage_draw d;
        d.k = k;
        d.stage = st;
        d.n_tiers = (int)w->n_tiers;
        stock_cum_init(&d.c, k, w->n_tiers);
        for (int sx = 0; sx < TW_N_SEXES; sx++)
            for (int ti = 0; ti < TW_N_TITLES; ti++)
                d.limit[sx][ti] = stock_max_age(w, sx == TW_SEX_FEMALE,
                                                ti >= TW_TITLE_SENIOR);
        for (int l = 0; l < (split ? TW_N_LOCS : 1); l++)
            for (size_t i = 0; i < w->n_schools; i++) {
                if (!in_pass(&w->schools[i], st, split, l))
                    continue;
                for (int64_t j = 0; j < place[i]; j++) {
                    tw_teacher x = {0};
                    draw_teacher(s, &x, (uint32_t)i, &d);
                    tw_teachers_put(T, s->n++, &x);
                }
            }
    }
    return 0;
}

static int sim_init(tw_sim *s, uint64_t seed, uint32_t scenario,
                    uint64_t rep, tw_error *err)
{
    const tw_world *w = s->w;
    tw_rng_seed(s->rng, seed, scenario, rep);
    s->n = 0;
    s->t = 0;
    s->year = w->base_year;
    memset(&s->f, 0, sizeof s->f);
    memset(s->cf, 0, w->n_counties * sizeof *s->cf);
    for (size_t i = 0; i < w->n_schools; i++)
        s->S[i].students = w->schools[i].students0;
    tw_proc_demand(s);
    int rc = TW_OK;
    if (s->place == NULL) {
        size_t ns = w->n_schools ? w->n_schools : 1;
        double *demand = malloc(ns * sizeof *demand);
        if (demand != NULL)
            for (size_t i = 0; i < w->n_schools; i++)
                demand[i] = s->S[i].demand;
        if (demand == NULL ||
            (s->place = malloc(ns * sizeof *s->place)) == NULL ||
            tw_place_plan(w, demand, s->place) != 0) {
            free(s->place);
            s->place = NULL;
            rc = tw_error_set(err, TW_EFAIL, "out of memory");
        }
        free(demand);
    }
    if (rc == TW_OK && place_teachers(s, s->place) != 0)
        rc = tw_error_set(err, TW_EFAIL,
                          "out of memory for the teacher records");
    if (rc == TW_OK)
        tw_sim_tally(s);
    return rc;
}

int tw_sim_init(tw_sim *s, uint64_t seed, uint32_t scenario, uint64_t rep,
                tw_error *err)
{
    double t0 = s->timing ? tw_sim_clock() : 0.0;
    int rc = sim_init(s, seed, scenario, rep, err);
    if (rc == TW_OK && tw_close_reset(s) != 0)
        rc = tw_error_set(err, TW_EFAIL, "out of memory");
    if (s->timing)
        s->seconds[TW_PH_INIT] += tw_sim_clock() - t0;
    return rc;
}
