/*
 * world.c - the world and replicate state of the full model (tw_world.h):
 * name tables, allocation, teacher records, and the year in MODEL.md order.
 */
#include "tw_world.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tw_rng.h"

const char *const tw_stage_names[TW_N_STAGES] = {
    "preschool", "primary", "junior", "senior", "vocational"};
const char *const tw_loc_names[TW_N_LOCS] = {"urban", "town", "rural"};
const char *const tw_title_names[TW_N_TITLES] = {
    "none", "third", "second", "first", "senior", "full_senior"};
const char *const tw_qual_names[TW_N_QUALS] = {
    "secondary", "associate", "bachelor", "postgraduate"};
const char *const tw_channel_names[TW_N_CHANNELS] = {
    "open", "funded", "tegang", "talent", "enterprise", "contract", "initial"};
const char *const tw_exit_names[TW_N_EXITS] = {
    "death", "retire", "voluntary", "dismiss", "luopin"};
const char *const tw_hire_policy_names[TW_N_HIRE_POLICIES] = {
    "fill", "quota", "schedule", "replace"};
const char *const tw_phase_names[TW_N_PHASES] = {
    "init", "demand", "leave", "strikes", "develop", "rotate", "compact",
    "recruit", "age"};

double tw_sim_clock(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

tw_world *tw_world_alloc(size_t n_years, size_t n_counties, size_t n_schools)
{
    tw_world *w = calloc(1, sizeof *w);
    if (w == NULL)
        return NULL;
    w->n_years = n_years;
    w->n_counties = n_counties;
    w->n_schools = n_schools;
    w->counties = calloc(n_counties ? n_counties : 1, sizeof *w->counties);
    w->schools = calloc(n_schools ? n_schools : 1, sizeof *w->schools);
    w->params = calloc(n_years ? n_years : 1, sizeof *w->params);
    size_t ncp = n_years * n_counties;
    w->cparams = calloc(ncp > 0 ? ncp : 1, sizeof *w->cparams);
    if (!w->counties || !w->schools || !w->params || !w->cparams) {
        tw_world_free(w);
        return NULL;
    }
    return w;
}

void tw_world_free(tw_world *w)
{
    if (w == NULL)
        return;
    free(w->counties);
    free(w->schools);
    free(w->params);
    free(w->cparams);
    free(w);
}

tw_sim *tw_sim_alloc(const tw_world *w)
{
    tw_sim *s = calloc(1, sizeof *s);
    if (s == NULL)
        return NULL;
    s->w = w;
    s->rng = tw_rng_alloc();
    s->S = calloc(w->n_schools ? w->n_schools : 1, sizeof *s->S);
    size_t nc = w->n_counties ? w->n_counties : 1;
    s->county_cap = calloc(nc, sizeof *s->county_cap);
    s->county_leavers = calloc(nc, sizeof *s->county_leavers);
    s->sscratch = calloc(8 * (w->n_schools ? w->n_schools : 1) + 8,
                         sizeof *s->sscratch);
    if (!s->rng || !s->S || !s->county_cap || !s->county_leavers ||
        !s->sscratch) {
        tw_sim_free(s);
        return NULL;
    }
    return s;
}

void tw_sim_free(tw_sim *s)
{
    if (s == NULL)
        return;
    if (s->rng)
        gsl_rng_free(s->rng);
    free(s->T);
    free(s->S);
    free(s->county_cap);
    free(s->county_leavers);
    free(s->sscratch);
    free(s->place);
    free(s->idx);
    free(s->idx2);
    free(s->dscratch);
    free(s);
}

/* Grow the teacher array (and the scratch that is sized by it) to hold
 * `need` records; amortised doubling, never per teacher-year. */
static int sim_reserve(tw_sim *s, size_t need)
{
    if (need <= s->cap)
        return 0;
    size_t cap = s->cap ? s->cap : 1024;
    while (cap < need)
        cap *= 2;
    tw_teacher *t = realloc(s->T, cap * sizeof *t);
    if (t == NULL)
        return -1;
    s->T = t;
    uint32_t *idx = realloc(s->idx, cap * sizeof *idx);
    if (idx == NULL)
        return -1;
    s->idx = idx;
    uint32_t *idx2 = realloc(s->idx2, cap * sizeof *idx2);
    if (idx2 == NULL)
        return -1;
    s->idx2 = idx2;
    size_t dn = cap > 3 * s->w->n_schools ? cap : 3 * s->w->n_schools;
    double *d = realloc(s->dscratch, dn * sizeof *d);
    if (d == NULL)
        return -1;
    s->dscratch = d;
    s->cap = cap;
    return 0;
}

tw_teacher *tw_sim_append(tw_sim *s)
{
    if (sim_reserve(s, s->n + 1) != 0)
        return NULL;
    tw_teacher *x = &s->T[s->n++];
    memset(x, 0, sizeof *x);
    return x;
}

void tw_sim_remove(tw_sim *s, size_t k, tw_exit reason)
{
    tw_teacher *x = &s->T[k];
    if (x->flags & TW_F_GONE)
        return;
    x->flags |= TW_F_GONE;
    const tw_school *home = &s->w->schools[x->home];
    s->f.exits[reason][home->stage] += 1;
    s->county_leavers[home->county] += 1;
}

void tw_sim_compact(tw_sim *s)
{
    size_t kept = 0;
    for (size_t k = 0; k < s->n; k++)
        if (!(s->T[k].flags & TW_F_GONE))
            s->T[kept++] = s->T[k];
    s->n = kept;
}

void tw_sim_count_heads(tw_sim *s)
{
    for (size_t i = 0; i < s->w->n_schools; i++)
        s->S[i].headcount = 0;
    for (size_t k = 0; k < s->n; k++) {
        const tw_teacher *x = &s->T[k];
        if (!(x->flags & (TW_F_GONE | TW_F_POOL)))
            s->S[x->school].headcount++;
    }
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
    memset(&s->f, 0, sizeof s->f);
    memset(s->county_leavers, 0, s->w->n_counties * sizeof *s->county_leavers);
    PHASE(TW_PH_DEMAND, tw_proc_demand(s));   /* 1. enrolment and demand */
    PHASE(TW_PH_LEAVE, tw_proc_leave(s));     /* 2-4. deaths, retirement,
                                                 voluntary exit */
    PHASE(TW_PH_STRIKES, tw_proc_strikes(s)); /* 5. 末位退出 */
    PHASE(TW_PH_DEVELOP, tw_proc_develop(s)); /* 6. professional development */
    PHASE(TW_PH_ROTATE, tw_proc_rotate(s));   /* 7. rotation under 县管校聘 */
    PHASE(TW_PH_COMPACT, tw_sim_compact(s));
    int rc;
    PHASE(TW_PH_RECRUIT, rc = tw_proc_recruit(s, err)); /* 8. recruitment */
    if (rc != TW_OK)
        return rc;
    PHASE(TW_PH_AGE, tw_proc_age_tally(s));   /* 9. ageing and counters;
                                                 headcounts, tally */
    return TW_OK;
}
