/*
 * year.c - one simulated year of the full model: every process in
 * MODEL.md order (tw_sim_step), each timed as a phase when asked.
 */
#include "tw_world.h"

#include <string.h>
#include <time.h>

double tw_sim_clock(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* Run `call` as phase ph, timed when s->timing is on. */
#define PHASE(ph, call)                                                    \
    do {                                                                   \
        double t0_ = s->timing ? tw_sim_clock() : 0.0;                     \
        call;                                                              \
        if (s->timing)                                                     \
            s->seconds[ph] += tw_sim_clock() - t0_;                        \
    } while (0)

int tw_sim_step(tw_sim *s, size_t t, tw_error *err)
{
    s->t = t;
    s->year = s->w->base_year + (int)t;
    s->subj_fresh = 0;
    memset(&s->f, 0, sizeof s->f);
    memset(s->cf, 0, s->w->n_counties * sizeof *s->cf);
    memset(s->county_leavers, 0, s->w->n_counties * sizeof *s->county_leavers);
    int rc = 0;
    if (s->w->n_closures) {
        PHASE(TW_PH_DEMAND, rc = tw_proc_close(s)); /* 0. closures (撤并) */
        if (rc != 0)
            return tw_error_set(err, TW_EFAIL, "out of memory");
    }
    PHASE(TW_PH_DEMAND, tw_proc_demand(s));   /* 1. enrolment and demand */
    if (s->into != NULL)
        tw_proc_close_demand(s);
    PHASE(TW_PH_LEAVE, tw_proc_leave(s));     /* 2-4. deaths, retirement,
                                                 voluntary exit */
    PHASE(TW_PH_STRIKES, tw_proc_strikes(s)); /* 5. 末位退出 */
    PHASE(TW_PH_DEVELOP, tw_proc_develop(s)); /* 6. professional development */
    PHASE(TW_PH_ROTATE, tw_proc_rotate(s));   /* 7. rotation under 县管校聘 */
    if (s->subj_n != NULL)
        PHASE(TW_PH_ROTATE, tw_proc_retrain(s)); /* 7b. 转岗 */
    PHASE(TW_PH_COMPACT, tw_sim_compact(s));
    PHASE(TW_PH_RECRUIT, rc = tw_proc_recruit(s, err)); /* 8. recruitment */
    if (rc != TW_OK)
        return rc;
    PHASE(TW_PH_AGE, tw_proc_age_tally(s));   /* 9. ageing and counters;
                                                 headcounts, tally */
    return TW_OK;
}
