/*
 * proc_recruit.h - the rules of recruitment, shared by its stochastic pass
 * (proc_recruit.c) and its expected-value form (proc_recruit_mf.c): which
 * channel may hire where, which hires are 在编 (inside the establishment),
 * and the hires' age, obligation and qualification. Internal to
 * src/model/.
 */
#ifndef TW_PROC_RECRUIT_H
#define TW_PROC_RECRUIT_H

#include <math.h>

#include "tw_world.h"

#define AGE_MIN 20 /* ages at hire */
#define AGE_MAX 45

/* Whether channel ch's hires are 在编. 合同 (contract) never is. */
static inline int is_bianzhi(const tw_county_params *cp, int ch)
{
    return ch != TW_CH_CONTRACT && cp->ch[ch].bianzhi != 0;
}

/* Whether channel ch may hire into school sc (its masks, plus the rules
 * that the config cannot switch off: 特岗 rural only, 企业引进 vocational
 * only). */
static inline int channel_may_hire(const tw_county_params *cp, int ch,
                                   const tw_school *sc)
{
    const tw_channel_params *p = &cp->ch[ch];
    if (!(p->stage_mask & (1 << sc->stage)) ||
        !(p->loc_mask & (1 << sc->locality)))
        return 0;
    if (ch == TW_CH_TEGANG && sc->locality != TW_LOC_RURAL)
        return 0;
    if (ch == TW_CH_ENTERPRISE && sc->stage != TW_STAGE_VOCATIONAL)
        return 0;
    return 1;
}

/* The age at hire of a drawn (or, without spread, the mean) age a:
 * rounded, clipped to [AGE_MIN, AGE_MAX]; AGE_MIN when a is not finite. */
static inline long hire_age(double a)
{
    long age = isfinite(a) ? lround(a) : AGE_MIN;
    return age < AGE_MIN ? AGE_MIN : age > AGE_MAX ? AGE_MAX : age;
}

/* Years of service obligation of a channel's hires, in 0..255. */
static inline int hire_obligation(const tw_channel_params *p)
{
    return p->obligation < 0 ? 0 : p->obligation > 255 ? 255 : p->obligation;
}

/* The qualifications a channel hires: the number of levels with a
 * positive share, their sum (*sum) and the last of them (*last; 本科 when
 * none). With one level or none, every hire has *last. */
static inline int qual_support(const tw_channel_params *p, double *sum,
                               int *last)
{
    int n_pos = 0;
    *sum = 0.0;
    *last = TW_QUAL_BACHELOR;
    for (int q = 0; q < TW_N_QUALS; q++)
        if (p->qual_share[q] > 0.0) {
            *sum += p->qual_share[q];
            n_pos++;
            *last = q;
        }
    return n_pos;
}

/* How many the county hires this year under its policy, before any
 * rounding: the vacancies `vac` (fill), the quota (quota, schedule: this
 * year's value), or replace_share x this year's `leavers` (replace);
 * never below 0. */
static inline double hire_target(const tw_county_params *cp, double vac,
                                 double leavers)
{
    switch (cp->hire_policy) {
    case TW_HIRE_QUOTA:
    case TW_HIRE_SCHEDULE:
        return cp->quota > 0 ? (double)cp->quota : 0.0;
    case TW_HIRE_REPLACE: {
        double h = cp->replace_share * leavers;
        return h > 0.0 ? h : 0.0;
    }
    default:
        return vac;
    }
}

/* Whether 人才引进 (talent) reserves a share of the senior-high posts
 * before the hiring order: it is in the order, on, with a share > 0. */
static inline int talent_reserves(const tw_county_params *cp)
{
    const tw_channel_params *tal = &cp->ch[TW_CH_TALENT];
    int in_order = 0;
    for (int j = 0; j < cp->n_order && j < TW_N_HIRE_CHANNELS; j++)
        in_order |= cp->order[j] == TW_CH_TALENT;
    return in_order && tal->on && tal->share > 0.0;
}

#endif /* TW_PROC_RECRUIT_H */
