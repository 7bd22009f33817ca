/*
 * proc_develop.h - who may be promoted, shared by the stochastic passes
 * of professional development (proc_develop.c) and their expected-value
 * form (proc_develop_mf.c). Internal to src/model/.
 */
#ifndef TW_PROC_DEVELOP_H
#define TW_PROC_DEVELOP_H

#include <stdint.h>

#include "tw_world.h"

/* tier_eligible as tables, for the nt tiers of the ladder: tier i may try
 * for i + 1 at all (ok[i]: a tier above it and tier_prob[i] > 0), and
 * after min[i] years in it. */
static inline void tier_rules(const tw_params *p, size_t nt, uint8_t *ok,
                              int *min)
{
    for (size_t i = 0; i < nt; i++) {
        ok[i] = i + 1 < nt && p->tier_prob[i] > 0.0;
        min[i] = p->tier_min_years[i];
    }
}

/* title_eligible as tables, by the title k held: k may try for k + 1 at
 * all (ok[k]: 三级 .. 高级 with title_prob[k] > 0); years in k needed
 * (min[0], and min[1] for a 研究生, postgraduate); rural years needed (for
 * 高级, 003: 到乡村学校、薄弱学校任教1年的经历) and total service needed (for
 * 正高级), 0 where none is. */
static inline void title_rules(const tw_params *p, uint8_t ok[TW_N_TITLES],
                               int min[2][TW_N_TITLES],
                               int rural[TW_N_TITLES],
                               int service[TW_N_TITLES])
{
    for (int k = 0; k < TW_N_TITLES; k++) {
        ok[k] = k >= TW_TITLE_THIRD && k + 1 < TW_N_TITLES &&
                p->title_prob[k] > 0.0;
        min[0][k] = p->title_min_years[k];
        min[1][k] = p->title_min_years_postgrad[k];
        rural[k] = k + 1 == TW_TITLE_SENIOR ? p->senior_rural_years : 0;
        service[k] = k + 1 == TW_TITLE_FULL ? p->full_senior_service : 0;
    }
}

#endif /* TW_PROC_DEVELOP_H */
