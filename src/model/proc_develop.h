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

/* The annual probability that a 未定级 teacher of home stage st past the
 * probation years gets a title (1: at once, the probation rule). */
static inline double title_from_none(const tw_params *p, int st)
{
    double r = 1.0 - p->title_none_stay[st];
    return r < 0.0 ? 0.0 : r > 1.0 ? 1.0 : r;
}

/* The annual probability of demotion after a failed review, for a holder
 * of a title title_demotable says may drop (003: 降级或解聘). */
static inline double title_demotion(const tw_params *p)
{
    return p->title_demotion < 0.0   ? 0.0
           : p->title_demotion > 1.0 ? 1.0
                                     : p->title_demotion;
}

/* Titles a review may take one step down: 二级 .. 正高级 (三级, the lowest
 * grade, has none below it; 未定级 is no title). */
static inline int title_demotable(int k)
{
    return k >= TW_TITLE_SECOND;
}

#endif /* TW_PROC_DEVELOP_H */
