/*
 * store.c - a replicate's state and its teacher records (tw_world.h):
 * allocation, append, remove, compact, headcounts. It sits below both the
 * processes, which add and remove teachers, and the year (year.c), which
 * calls the processes; it calls neither.
 */
#include "tw_world.h"

#include <stdlib.h>
#include <string.h>

#include "tw_rng.h"

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
int tw_sim_reserve(tw_sim *s, size_t need)
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
    if (tw_sim_reserve(s, s->n + 1) != 0)
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
