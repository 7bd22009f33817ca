/*
 * proc_close.h - the rules of school closures and mergers (撤并), shared
 * by the stochastic pass (proc_close.c) and its expected-value form
 * (proc_close_mf.c). Which schools close and where they go depends only
 * on the schools' students at the start of the year, which both forms
 * hold alike, so both close the same schools. Internal to src/model/.
 */
#ifndef TW_PROC_CLOSE_H
#define TW_PROC_CLOSE_H

#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "tw_world.h"

#define CLOSING UINT32_MAX

/* Whether any closure of w falls in `year`. */
static inline int close_any(const tw_world *w, int year)
{
    for (size_t e = 0; e < w->n_closures; e++)
        if (w->closures[e].year == year)
            return 1;
    return 0;
}

/* The open school a (possibly closed) school's pupils are at now. */
static inline uint32_t close_final(const uint32_t *into, uint32_t i)
{
    while (into[i] != i && into[i] != CLOSING)
        i = into[i];
    return i;
}

/* Sort order[0 .. n) by students, then index (the smallest first). */
static inline void close_sort(uint32_t *order, size_t n, const double *st)
{
    for (size_t a = 1; a < n; a++) { /* insertion: lists are short */
        uint32_t v = order[a];
        size_t b = a;
        while (b > 0 && (st[order[b - 1]] > st[v] ||
                         (st[order[b - 1]] == st[v] && order[b - 1] > v))) {
            order[b] = order[b - 1];
            b--;
        }
        order[b] = v;
    }
}

/*
 * The receiver of closing school c: the largest open school (by students
 * at the start of the year; the lower index on ties) of c's county and
 * stage, not closing this year, in locality `want`; when that locality
 * has none, the next more urban one, then the next more rural. CLOSING
 * when the county has no other open school of the stage.
 */
static inline uint32_t close_receiver(const tw_world *w, const uint32_t *into,
                                      const double *st, uint32_t c, int want)
{
    const tw_school *sch = w->schools;
    int tries[TW_N_LOCS], n = 0;
    for (int l = want; l >= 0; l--)
        tries[n++] = l;
    for (int l = want + 1; l < TW_N_LOCS; l++)
        tries[n++] = l;
    for (int q = 0; q < n; q++) {
        uint32_t best = CLOSING;
        for (size_t j = 0; j < w->n_schools; j++) {
            if (into[j] != j || sch[j].county != sch[c].county ||
                sch[j].stage != sch[c].stage || sch[j].locality != tries[q])
                continue;
            if (best == CLOSING || st[j] > st[best])
                best = (uint32_t)j;
        }
        if (best != CLOSING)
            return best;
    }
    return CLOSING;
}

/*
 * Plan the closures of `year`. st: each school's students at the start
 * of the year; into: the schools' state (tw_sim.into), updated: every
 * school closing now and every school closed earlier into it point at
 * its receiver. out[0 .. n) gets the closing schools and rec[] their
 * receivers, in the order of the list and, within an entry, the smallest
 * first; order: scratch of n_schools. Returns n.
 */
static inline size_t close_plan(const tw_world *w, int year, const double *st,
                                uint32_t *into, uint32_t *order,
                                uint32_t *out, uint32_t *rec)
{
    const tw_school *sch = w->schools;
    size_t n = 0;
    for (size_t e = 0; e < w->n_closures; e++) {
        const tw_closure *x = &w->closures[e];
        if (x->year != year)
            continue;
        if (x->school >= 0) {
            uint32_t c = (uint32_t)x->school;
            if (into[c] == c) { /* open and not closing yet */
                into[c] = CLOSING;
                out[n] = c;
                rec[n++] = (uint32_t)e;
            }
            continue;
        }
        size_t m = 0;
        for (size_t j = 0; j < w->n_schools; j++)
            if (into[j] == j && sch[j].stage == x->stage &&
                (x->locality < 0 || sch[j].locality == x->locality) &&
                (x->county < 0 || sch[j].county == x->county) &&
                st[j] < x->below)
                order[m++] = (uint32_t)j;
        close_sort(order, m, st);
        size_t k = (size_t)floor(x->share * (double)m + 0.5);
        for (size_t q = 0; q < k && q < m; q++) {
            into[order[q]] = CLOSING;
            out[n] = order[q];
            rec[n++] = (uint32_t)e;
        }
    }
    /* receivers, from the schools staying open */
    size_t kept = 0;
    for (size_t q = 0; q < n; q++) {
        uint32_t c = out[q];
        const tw_closure *x = &w->closures[rec[q]];
        uint32_t r = CLOSING;
        if (x->into_school >= 0) {
            r = close_final(into, (uint32_t)x->into_school);
            if (into[r] != r) /* closing itself now: the rule */
                r = CLOSING;
        }
        if (r == CLOSING)
            r = close_receiver(w, into, st, c,
                               x->into >= 0 ? x->into : sch[c].locality);
        out[kept] = c;
        rec[kept] = r;
        kept++;
    }
    n = kept;
    kept = 0;
    for (size_t q = 0; q < n; q++) {
        if (rec[q] == CLOSING) { /* nowhere to go: stays open */
            into[out[q]] = out[q];
            continue;
        }
        out[kept] = out[q];
        rec[kept++] = rec[q];
    }
    for (size_t q = 0; q < kept; q++)
        into[out[q]] = rec[q];
    for (size_t j = 0; j < w->n_schools; j++)
        if (into[j] != j)
            into[j] = close_final(into, (uint32_t)j);
    return kept;
}

#endif /* TW_PROC_CLOSE_H */
