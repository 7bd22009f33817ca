/*
 * proc_exits.h - the rules of the exit family (demand, deaths,
 * retirement, voluntary exit), shared by its stochastic passes
 * (proc_exits.c) and their expected-value form (proc_exits_mf.c), so that
 * a rule is written once. Internal to src/model/.
 */
#ifndef TW_PROC_EXITS_H
#define TW_PROC_EXITS_H

#include "tw_world.h"

static inline double clamp01(double q)
{
    return q < 0.0 ? 0.0 : (q > 1.0 ? 1.0 : q);
}

/* Months since year 0: the calendar arithmetic of the retirement law. */
static inline long month_index(int year, int month)
{
    return (long)year * 12 + (month - 1);
}

/* ---- 1. enrolment and demand ---------------------------------------- */

/* Students of school sc in year t, from last year's (`last`): in the base
 * year (t == 0) as they are; later the series (students0 * index) or the
 * trend of the school's stage and locality. */
static inline double school_students(const tw_params *p, const tw_school *sc,
                                     size_t t, double last)
{
    int g = sc->stage, l = sc->locality;
    if (t == 0)
        return last;
    if (p->series_on[g][l])
        return sc->students0 * p->enrol_index[g][l];
    return last * (1.0 + p->enrol_trend[g][l]);
}

/* Demand of a school of `stage` with `students`: students / ratio *
 * teach_share * (1 + redundancy); a ratio <= 0 (no staffing standard;
 * config validation rejects it) gives 0 rather than a division by zero. */
static inline double school_demand(const tw_params *p, int stage,
                                   double students)
{
    double ratio = p->ratio[stage];
    return ratio > 0.0 ? students / ratio * p->teach_share[stage] *
                             (1.0 + p->redundancy)
                       : 0.0;
}

/* ---- 2. deaths ------------------------------------------------------- */

/* Age band of the death table: <25, 25-29, ..., 60-64, 65+. */
static inline int death_band(int age)
{
    if (age < 25)
        return 0;
    int b = (age - 20) / 5;
    return b < TW_N_AGE_BANDS - 1 ? b : TW_N_AGE_BANDS - 1;
}

/* ---- 3. retirement --------------------------------------------------- */

/* Pre-2025 age and phase-in category of a teacher by sex and title. Women
 * with 高级 (senior title) or above may work to
 * senior_female_old_age_months (组通字〔2015〕14号), phased in by the
 * men's rule. female_category outside 1..2 (which validation rejects)
 * falls back to the "55" rule. */
static inline void retire_category_of(const tw_params *p, int female,
                                      int senior, int *cat, int *old)
{
    if (!female) {
        *cat = 0;
    } else if (senior && p->senior_female_old_age_months > 0) {
        *cat = 0;
        *old = p->senior_female_old_age_months;
        return;
    } else {
        *cat = p->female_category == 2 ? 2 : 1;
    }
    *old = p->old_age_months[*cat];
}

static inline void retire_category(const tw_params *p, const tw_teachers *T,
                                   size_t k, int *cat, int *old)
{
    retire_category_of(p, T->sex[k] == TW_SEX_FEMALE,
                       T->title[k] >= TW_TITLE_SENIOR, cat, old);
}

/* ---- 4. voluntary exit ----------------------------------------------- */

/* Service band b: service_cut[b-1] <= service < service_cut[b]. */
static inline int service_band(const tw_params *p, int service)
{
    int b = 0;
    while (b < TW_N_SERVICE_BANDS - 1 && service >= p->service_cut[b])
        b++;
    return b;
}

/* The voluntary exit hazard of a teacher free of any obligation: exit_base
 * of the home school's stage x exit_loc_factor of its locality x
 * exit_service_factor of the service band, clamped to [0, 1]. */
static inline double exit_hazard(const tw_params *p, int stage, int loc,
                                 int band)
{
    return clamp01(p->exit_base[stage] * p->exit_loc_factor[loc] *
                   p->exit_service_factor[band]);
}

/* Leaving in the year after an obligation of channel ch ended. */
static inline double exit_after_obligation(const tw_params *p, int ch)
{
    return clamp01(1.0 - p->retention[ch]);
}

/* ---- 5. 末位退出 (exit through evaluation) -------------------------- */

/* Whether any county hands out strikes in year t. */
static inline int strikes_any(const tw_world *w, size_t t)
{
    for (size_t c = 0; c < w->n_counties; c++)
        if (tw_world_cparams(w, t, c)->strikes_on)
            return 1;
    return 0;
}

#endif /* TW_PROC_EXITS_H */
