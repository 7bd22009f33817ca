/*
 * proc_close.c - school closures and mergers (撤并), the first thing of a
 * year (docs/model.md "Closures"):
 *
 *   tw_proc_close         which schools close (proc_close.h), their
 *                         students to the receiving school, their
 *                         teachers' home and school to it
 *   tw_proc_close_demand  after tw_proc_demand: a closed school's students
 *                         (an enrolment series gives them back) to its
 *                         receiver; demand and the county caps again
 *   tw_close_reset        every school open, for a new replicate
 *
 * No draws: the closures depend on the schools' students only. A world
 * without closures costs one test a year.
 */
#include "tw_world.h"

#include "proc_close.h"
#include "proc_exits.h"

#include <stdlib.h>

int tw_close_reset(tw_sim *s)
{
    const tw_world *w = s->w;
    if (w->n_closures == 0)
        return 0;
    if (s->into == NULL) {
        s->into = malloc((w->n_schools ? w->n_schools : 1) * sizeof *s->into);
        if (s->into == NULL)
            return -1;
    }
    for (size_t i = 0; i < w->n_schools; i++)
        s->into[i] = (uint32_t)i;
    return 0;
}

int tw_proc_close(tw_sim *s)
{
    const tw_world *w = s->w;
    if (w->n_closures == 0 || !close_any(w, s->year))
        return 0;
    if (s->into == NULL && tw_close_reset(s) != 0)
        return -1;
    size_t ns = w->n_schools;
    double *st = s->dscratch;
    uint32_t *order = s->sscratch, *out = order + ns, *rec = out + ns;
    for (size_t i = 0; i < ns; i++)
        st[i] = s->S[i].students;
    size_t n = close_plan(w, s->year, st, s->into, order, out, rec);
    if (n == 0)
        return 0;
    for (size_t q = 0; q < n; q++) {
        uint32_t c = out[q], r = rec[q];
        s->S[r].students += s->S[c].students;
        s->S[c].students = 0;
        s->S[c].demand = 0;
        TW_FLOW_ADD(s, w->schools[c].county, closures[w->schools[c].stage], 1);
    }
    const uint32_t *into = s->into;
    const tw_teachers arrays = s->T, *T = &arrays;
    for (size_t k = 0; k < s->n; k++) {
        if (T->flags[k] & TW_F_GONE)
            continue;
        uint32_t h = T->home[k], sc = T->school[k];
        if (into[h] == h && into[sc] == sc)
            continue;
        T->home[k] = into[h];
        T->school[k] = into[sc];
        TW_FLOW_ADD(s, w->schools[into[h]].county, close_moved, 1);
    }
    return 0;
}

void tw_proc_close_demand(tw_sim *s)
{
    const tw_world *w = s->w;
    if (s->into == NULL)
        return;
    const uint32_t *into = s->into;
    int any = 0;
    for (size_t i = 0; i < w->n_schools; i++) {
        if (into[i] == i)
            continue;
        any = 1;
        s->S[into[i]].students += s->S[i].students;
        s->S[i].students = 0;
    }
    if (!any)
        return;
    const tw_params *p = tw_world_params(w, s->t);
    for (size_t c = 0; c < w->n_counties; c++)
        s->county_cap[c] = 0.0;
    for (size_t i = 0; i < w->n_schools; i++) {
        const tw_school *sc = &w->schools[i];
        tw_school_state *ss = &s->S[i];
        ss->demand = school_demand(p, sc->stage, ss->students);
        s->county_cap[sc->county] += ss->demand;
    }
}
