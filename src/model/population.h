/*
 * population.h - how the initial stock is drawn, shared by population.c
 * (tw_sim_init) and its expected-value form (population_mf.c). Internal to
 * src/model/.
 */
#ifndef TW_POPULATION_H
#define TW_POPULATION_H

#include "tw_world.h"

/* The first age past the pre-2025 retirement age of a teacher of this sex
 * and title (base year's parameters, 高级 = senior title and above); 200
 * (no limit) when retirement is off. The stock tables describe teachers
 * in post, so nobody starts already past it. */
static inline int stock_max_age(const tw_world *w, int female, int senior)
{
    const tw_params *p = &w->params[0];
    if (!p->retire_on)
        return 200;
    int months = p->old_age_months[0];
    if (female) {
        months = p->old_age_months[p->female_category];
        if (senior && p->senior_female_old_age_months > 0)
            months = p->senior_female_old_age_months;
    }
    return months / 12;
}

/* The ages of the stock's age band b: <25: 21-24, 25-29, ..., 65+: 65-66;
 * the first age and the number of ages. */
static inline int stock_band_lo(int b)
{
    return b == 0 ? 21 : 20 + 5 * b;
}

static inline int stock_band_width(int b)
{
    return b == 0 ? 4 : b == TW_N_AGE_BANDS - 1 ? 2 : 5;
}

#endif /* TW_POPULATION_H */
