/*
 * proc_rotate.h - the rules of 交流轮岗 (exchange terms) under 县管校聘
 * (county-managed teachers, school-hired posts), shared by the stochastic
 * pass (proc_rotate.c) and its expected-value form (proc_rotate_mf.c).
 * Internal to src/model/.
 */
#ifndef TW_PROC_ROTATE_H
#define TW_PROC_ROTATE_H

#include "tw_world.h"

/* Whether 县管校聘 (exchange and 竞聘) applies in stage `stage` of the
 * county this year (rotation.stages; every stage by default). */
static inline int rotate_stage(const tw_county_params *cp, int stage)
{
    return !(cp->rotate_skip >> stage & 1);
}

/* Whether a teacher whose home school has `home_stage` and who teaches at
 * a school of `locality` may be sent on an exchange (教师〔2014〕4号:
 * compulsory education, urban and town schools; and a stage of
 * rotation.stages). */
static inline int exchange_sends(const tw_county_params *cp, int home_stage,
                                 int locality)
{
    return (home_stage == TW_STAGE_PRIMARY ||
            home_stage == TW_STAGE_JUNIOR) &&
           locality != TW_LOC_RURAL && rotate_stage(cp, home_stage);
}

/* Whether a teacher of this age is exempt from exchange: at or above the
 * county's exemption age for the sex (0: no exemption). */
static inline int exchange_exempt(const tw_county_params *cp, int female,
                                  int age)
{
    int exempt = female ? cp->exempt_age_female : cp->exempt_age_male;
    return exempt > 0 && age >= exempt;
}

#endif /* TW_PROC_ROTATE_H */
