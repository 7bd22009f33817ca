/* fixture.c - see fixture.h. */
#include "fixture.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <gsl/gsl_cdf.h>

#include "tw_rng.h"

/*
 * Neutral parameters: every process off; staffing ratio 1 student per
 * teacher-post (so demand = students), teach_share 1, no redundancy, no
 * post caps (1.0), retention 1, fill probability 1, caps off, the 2025
 * retirement law of POLICY.md (ages 60/55/50, steps 4/4/2, max 36/36/60
 * months, from January 2025, women in the "55" category), title minimum
 * years 1/4/5/5 as POLICY.md, probation 1 year, tier capacities and caps
 * -1 (none), hire policy "fill", channel order: open only, open channel
 * hiring 在编 into every stage and locality at age 24 (sd 0), bachelor,
 * with no cap on its hires (cohort -1).
 */
tw_world *fx_world(int base_year, size_t n_years, size_t n_counties,
                   const fx_school *schools, size_t n_schools, size_t n_tiers)
{
    tw_world *w = tw_world_alloc(n_years, n_counties, n_schools);
    if (w == NULL)
        abort();
    w->base_year = base_year;
    w->end_year = base_year + (int)n_years - 1;
    w->n_tiers = n_tiers;
    for (size_t i = 0; i < n_tiers; i++)
        snprintf(w->tier_names[i], TW_NAME_MAX, "t%zu", i);
    for (size_t c = 0; c < n_counties; c++)
        snprintf(w->counties[c].name, TW_NAME_MAX, "c%zu", c);
    for (size_t i = 0; i < n_schools; i++) {
        w->schools[i].county = (uint16_t)schools[i].county;
        w->schools[i].stage = (uint8_t)schools[i].stage;
        w->schools[i].locality = (uint8_t)schools[i].loc;
        w->schools[i].students0 = schools[i].students;
    }
    FX_EACH_YEAR(w, p) {
        for (int st = 0; st < TW_N_STAGES; st++) {
            p->ratio[st] = 1.0;
            p->teach_share[st] = 1.0;
        }
        p->old_age_months[0] = 720;
        p->old_age_months[1] = 660;
        p->old_age_months[2] = 600;
        p->step_months[0] = p->step_months[1] = 4;
        p->step_months[2] = 2;
        p->max_add_months[0] = p->max_add_months[1] = 36;
        p->max_add_months[2] = 60;
        p->law_start_year = 2025;
        p->law_start_month = 1;
        p->female_category = 1;
        p->flex_months = 36;
        p->service_cut[0] = 3;
        p->service_cut[1] = 6;
        p->service_cut[2] = 11;
        p->service_cut[3] = 21;
        for (int b = 0; b < TW_N_SERVICE_BANDS; b++)
            p->exit_service_factor[b] = 1.0;
        for (int l = 0; l < TW_N_LOCS; l++)
            p->exit_loc_factor[l] = 1.0;
        for (int c = 0; c < TW_N_CHANNELS; c++)
            p->retention[c] = 1.0;
        for (size_t i = 0; i < TW_WORLD_MAX_TIERS; i++) {
            p->tier_capacity[i] = -1;
            p->tier_cap[i] = -1;
            p->tier_min_years[i] = 1;
        }
        p->title_min_years[TW_TITLE_NONE] = 1;
        p->title_min_years[TW_TITLE_THIRD] = 1;
        p->title_min_years[TW_TITLE_SECOND] = 4;
        p->title_min_years[TW_TITLE_FIRST] = 5;
        p->title_min_years[TW_TITLE_SENIOR] = 5;
        for (int k = 0; k < TW_N_TITLES; k++) {
            p->title_min_years_postgrad[k] = p->title_min_years[k];
            p->post_cap[k] = 1.0;
        }
        p->title_min_years_postgrad[TW_TITLE_SECOND] = 2;
        p->senior_rural_years = 1;
        p->full_senior_service = 20;
        p->probation_years = 1;
    }
    FX_EACH_COUNTY_YEAR(w, cp) {
        cp->backbone_tier = n_tiers > 1 ? 1 : 0;
        cp->pool_max_years = 1;
        cp->hire_policy = TW_HIRE_FILL;
        for (int l = 0; l < TW_N_LOCS; l++)
            cp->fill_prob[l] = 1.0;
        cp->n_order = 1;
        cp->order[0] = TW_CH_OPEN;
        tw_channel_params *ch = &cp->ch[TW_CH_OPEN];
        ch->on = 1;
        ch->cohort = -1; /* no cap */
        ch->stage_mask = (1 << TW_N_STAGES) - 1;
        ch->loc_mask = (1 << TW_N_LOCS) - 1;
        ch->bianzhi = 1;
        ch->age_mean = 24;
        ch->qual_share[TW_QUAL_BACHELOR] = 1.0;
    }
    return w;
}

tw_sim *fx_sim(const tw_world *w, uint64_t seed)
{
    tw_sim *s = tw_sim_alloc(w);
    if (s == NULL)
        abort();
    tw_rng_seed(s->rng, seed, 0, 0);
    return s;
}

size_t fx_add(tw_sim *s, uint32_t school, int birth_year, int sex, int tier,
              int title, int qual, unsigned flags)
{
    tw_teacher rec = {0}, *x = &rec;
    x->school = x->home = school;
    x->birth_year = (int16_t)birth_year;
    x->birth_month = 1;
    x->sex = (uint8_t)sex;
    x->tier = (uint8_t)tier;
    x->title = (uint8_t)title;
    x->qual = (uint8_t)qual;
    x->channel = TW_CH_INITIAL;
    x->flags = (uint8_t)flags;
    if (tw_sim_append(s, x) != 0)
        abort();
    return s->n - 1;
}

int fx_same_teacher(const tw_teacher *a, const tw_teacher *b)
{
#define FX_SAME(type, name)                                              \
    if (a->name != b->name)                                             \
        return 0;
    TW_TEACHER_FIELDS(FX_SAME)
#undef FX_SAME
    return 1;
}

int fx_same_teachers(const tw_sim *a, const tw_sim *b)
{
    if (a->n != b->n)
        return 0;
#define FX_SAME_ARRAY(type, name)                                        \
    if (a->n > 0 && memcmp(a->T.name, b->T.name, a->n * sizeof(type)) != 0) \
        return 0;
    TW_TEACHER_FIELDS(FX_SAME_ARRAY)
#undef FX_SAME_ARRAY
    return 1;
}

size_t fx_alive(const tw_sim *s)
{
    size_t n = 0;
    for (size_t k = 0; k < s->n; k++)
        n += !(s->T.flags[k] & TW_F_GONE);
    return n;
}

void fx_check_binomial_reps(const double *count, int R, double n, double q,
                            double alpha, int m, const char *what)
{
    double total = 0, chi2 = 0, v = n * q * (1.0 - q);
    for (int r = 0; r < R; r++) {
        total += count[r];
        chi2 += (count[r] - n * q) * (count[r] - n * q) / v;
    }
    double k = gsl_cdf_ugaussian_Qinv(alpha / (2.0 * m));
    double sd = sqrt((double)R * v);
    ck_assert_msg(fabs(total - R * n * q) <= k * sd,
                  "%s: %g events in %d x %g trials, expected %g +- %g", what,
                  total, R, n, R * n * q, k * sd);
    double lo = gsl_cdf_chisq_Pinv(alpha / (2.0 * m), R);
    double hi = gsl_cdf_chisq_Qinv(alpha / (2.0 * m), R);
    ck_assert_msg(chi2 >= lo && chi2 <= hi,
                  "%s: dispersion %g over %d replicates, expected %g .. %g",
                  what, chi2, R, lo, hi);
}
