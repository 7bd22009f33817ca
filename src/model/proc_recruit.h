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

/* ---- pipelines (programme_years > 0) ---------------------------------
 *
 * The intake of year index y (t = 0 is base_year; y < 0 before it) is
 * governed by that year's channel parameters (the base year's for y < 0):
 * `cohort` students enter in y, stay programme_years years and graduation
 * x intake of them graduate in y + programme_years, when the channel
 * places them. Students are not teachers. The students who leave the
 * programme leave it at its end. */

/* The channel parameters of the intake of year index y. */
static inline const tw_channel_params *pipe_params(const tw_world *w, long y,
                                                   size_t c, int ch)
{
    return &tw_world_cparams(w, y < 0 ? 0 : (size_t)y, c)->ch[ch];
}

/* Students entering channel ch's programme in county c in year index y:
 * the cohort from base_year on, intake_before before it (0 earlier). */
static inline int64_t pipe_intake(const tw_world *w, long y, size_t c, int ch)
{
    const tw_channel_params *p = pipe_params(w, y, c, ch);
    if (y >= 0)
        return p->programme_years > 0 && p->cohort > 0 ? p->cohort : 0;
    long j = y + p->programme_years - 1;
    return p->programme_years > 0 && j >= 0 ? p->intake_before[j] : 0;
}

/* Whether the intake of year index y graduates in year index t. */
static inline int pipe_graduates_in(const tw_world *w, long y, long t,
                                    size_t c, int ch)
{
    int P = pipe_params(w, y, c, ch)->programme_years;
    return P > 0 && y + P == t;
}

/* Whether channel ch of county c has a programme in year t, or graduates
 * of one in t: then pipe_hires decides its cohort. */
static inline int pipe_any(const tw_world *w, long t, size_t c, int ch)
{
    if (pipe_params(w, t, c, ch)->programme_years > 0)
        return 1;
    for (long y = t - 1; y >= t - TW_MAX_PROGRAMME_YEARS; y--)
        if (pipe_graduates_in(w, y, t, c, ch))
            return 1;
    return 0;
}

/* Expected graduates of channel ch in county c in year t. */
static inline double pipe_graduates_mean(const tw_world *w, long t, size_t c,
                                         int ch)
{
    double n = 0;
    for (long y = t - 1; y >= t - TW_MAX_PROGRAMME_YEARS; y--)
        if (pipe_graduates_in(w, y, t, c, ch))
            n += pipe_params(w, y, c, ch)->graduation *
                 (double)pipe_intake(w, y, c, ch);
    return n;
}

/* The year's cohort of a channel with pipe_any, given its graduates: the
 * graduates, plus the cohort when this year's intake is hired the same
 * year (a programme that ended; -1, no cap, stays so). */
static inline double pipe_cohort(const tw_channel_params *p, double grads)
{
    if (p->programme_years > 0)
        return grads;
    return p->cohort < 0 ? -1.0 : (double)p->cohort + grads;
}

/* Students in channel ch's programme in county c at the end of year t:
 * the intakes that entered and have not reached their graduation. */
static inline double pipe_students(const tw_world *w, long t, size_t c,
                                   int ch)
{
    double n = 0;
    for (long y = t; y > t - TW_MAX_PROGRAMME_YEARS; y--) {
        int P = pipe_params(w, y, c, ch)->programme_years;
        if (P > 0 && y + P > t)
            n += (double)pipe_intake(w, y, c, ch);
    }
    return n;
}

/* Whether channel ch has a programme in any year and county (its metrics
 * exist). */
static inline int pipe_in_world(const tw_world *w, int ch)
{
    for (size_t k = 0; k < w->n_years * w->n_counties; k++)
        if (w->cparams[k].ch[ch].programme_years > 0)
            return 1;
    return 0;
}

#endif /* TW_PROC_RECRUIT_H */
