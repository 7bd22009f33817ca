/*
 * proc_close_mf.c - the mean-field form of proc_close.c: the same schools
 * close (proc_close.h reads the students, which both forms hold alike),
 * and each closed school's expected stock moves whole to its receiver:
 * its teachers by home (M, 在编 B, the 待岗 pool, those away on an
 * exchange term), the exchange teachers it hosted, its pupils. When the
 * receiver is of another group (stage x locality), the mass moves between
 * the group blocks with the closed school's group's composition
 * (tw_mf_mv_add), and the residents' years at the school with it.
 */
#include "meanfield_priv.h"

#include "proc_close.h"

#include <string.h>

/* Move row i of a [ns][top + 1] array onto row r. */
static void move_row(double *a, size_t i, size_t r, int top)
{
    size_t w = (size_t)top + 1;
    for (size_t y = 0; y < w; y++) {
        a[r * w + y] += a[i * w + y];
        a[i * w + y] = 0;
    }
}

void tw_mf_close(mf *s)
{
    const tw_world *w = s->w;
    if (!close_any(w, s->year))
        return;
    size_t ns = s->ns;
    uint32_t *order = s->into + ns, *out = order + ns, *rec = out + ns;
    size_t n = close_plan(w, s->year, s->students, s->into, order, out, rec);
    const tw_school *sch = w->schools;
    for (size_t q = 0; q < n; q++) {
        size_t c = out[q], r = rec[q];
        int gc = grp(&sch[c]), gr = grp(&sch[r]);
        s->f.closures[sch[c].stage] += 1;
        s->f.close_moved += s->M[c] + vin_of(s, c);
        if (gc != gr) {
            /* the residents' years at the school go with them */
            double res = dmax(0, residents(s, c));
            double *ac = s->at + (size_t)gc * (size_t)(s->ca + 1);
            double *ar = s->at + (size_t)gr * (size_t)(s->ca + 1), tot = 0;
            for (int y = 0; y <= s->ca; y++)
                tot += ac[y];
            double phi = dmin(1.0, ratio(res, tot));
            for (int y = 0; y <= s->ca; y++) {
                ar[y] += phi * ac[y];
                ac[y] -= phi * ac[y];
            }
            tw_mf_mv_add(s, gc, gr, s->M[c], NULL);
        }
        s->students[r] += s->students[c];
        s->students[c] = 0;
        s->demand[c] = 0;
        s->M[r] += s->M[c];
        s->B[r] += s->B[c];
        s->M[c] = s->B[c] = 0;
        move_row(s->pool, c, r, s->pymax);
        move_row(s->vout, c, r, s->tmax);
        move_row(s->vin, c, r, s->tmax);
    }
    tw_mf_mv_apply(s);
}

void tw_mf_close_demand(mf *s, size_t t)
{
    const tw_world *w = s->w;
    int any = 0;
    for (size_t i = 0; i < s->ns; i++) {
        if (s->into[i] == i)
            continue;
        any = 1;
        s->students[s->into[i]] += s->students[i];
        s->students[i] = 0;
    }
    if (!any)
        return;
    const tw_params *p = tw_world_params(w, t);
    for (size_t c = 0; c < s->nc; c++)
        s->ccap[c] = 0;
    for (size_t i = 0; i < s->ns; i++) {
        const tw_school *sc = &w->schools[i];
        s->demand[i] = school_demand(p, sc->stage, s->students[i]);
        s->ccap[sc->county] += s->demand[i];
    }
}
