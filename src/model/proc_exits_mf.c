/*
 * proc_exits_mf.c - the mean-field form of proc_exits.c: demand, deaths,
 * retirement, voluntary exit, 末位退出 (exit through evaluation) and the
 * year's ageing, as expected flows out of the cells of a group
 * (meanfield_priv.h). Hazards, bands and the retirement law come from
 * proc_exits.h, the same code the stochastic passes use.
 */
#include "meanfield_priv.h"
#include "proc_exits.h"

#include <math.h>
#include <string.h>

/* ------------------------------------------------------------------ */
/* 1. Enrolment and demand (exact: deterministic)                      */
/* ------------------------------------------------------------------ */

void tw_mf_demand(mf *s, size_t t)
{
    const tw_world *w = s->w;
    const tw_params *p = tw_world_params(w, t);
    for (size_t c = 0; c < s->nc; c++)
        s->ccap[c] = 0;
    for (size_t i = 0; i < s->ns; i++) {
        const tw_school *sc = &w->schools[i];
        s->students[i] = school_students(p, sc, t, s->students[i]);
        s->demand[i] = school_demand(p, sc->stage, s->students[i]);
        s->ccap[sc->county] += s->demand[i];
    }
}

/* ------------------------------------------------------------------ */
/* 2-4. Deaths, retirement, voluntary exit                              */
/* ------------------------------------------------------------------ */

/* What deaths and retirement read, fixed for the year. */
typedef struct leave_mf {
    const tw_params *p;
    int year;
    long flex;      /* retirement: flex_months, at least 0 */
    int min_years;  /* retirement: nobody younger (in years) retires */
    double pl, pe;  /* p_late, p_early, clamped */
} leave_mf;

/* One demo row (x = year - birth year, cells [birth month][layer]) meets a
 * process: the mass leaving is taken from the cells and added to
 * out[sex class]. */
typedef void leave_row(const leave_mf *lc, int x, double *cells,
                       double out[N_SX]);

/* Every demo row of every class meets `row`; the other sections of a
 * class and the schools of the group follow (exit reason `reason`). */
static void leave_cells(mf *s, const leave_mf *lc, leave_row *row,
                        tw_exit reason)
{
    double frac[NG] = {0}, gone[NG] = {0}, fbz[NG] = {0};
    for (int g = 0; g < NG; g++) {
        if (!s->gon[g])
            continue;
        double bz0 = tw_mf_group_bz(s, g);
        double *b = gblk(s, g), mass = 0;
        for (int c = 0; c < s->nall; c++) {
            double before[N_SX], out[N_SX] = {0};
            tw_mf_class_mass(s, g, b, c, before);
            mass += before[0] + before[1] + before[2];
            int x0, nx;
            double *d = dused(s, g, b, c, &x0, &nx);
            for (int xi = 0; xi < nx; xi++)
                row(lc, x0 + xi + (lc->year - s->xyear),
                    d + (size_t)xi * NBM * NL, out);
            tw_mf_class_follow(s, b, c, before, out);
            gone[g] += out[0] + out[1] + out[2];
        }
        frac[g] = ratio(gone[g], mass);
        fbz[g] = 1.0 - ratio(tw_mf_group_bz(s, g), bz0);
    }
    tw_mf_schools_follow(s, frac, fbz, gone, reason);
}

/* Deaths, exact: the hazard of the age band at 1 July (born after July:
 * a year younger then). */
static void death_row(const leave_mf *lc, int x, double *cells,
                      double out[N_SX])
{
    for (int bm = 0; bm < NBM; bm++) {
        double q = dmin(1.0, lc->p->death_rate[death_band(x - (bm >= 7))]);
        if (!(q > 0))
            continue;
        double *cell = cells + (size_t)bm * NL;
        for (int l = 0; l < NL; l++) {
            double v = cell[l] * q;
            cell[l] -= v;
            out[l / 2] += v;
        }
    }
}

void tw_mf_deaths(mf *s, const tw_params *p)
{
    if (!p->deaths_on)
        return;
    leave_mf lc = {.p = p, .year = s->year};
    leave_cells(s, &lc, death_row, TW_EXIT_DEATH);
}

/* Retirement, cell by cell: exact (tw_proc_retire with expected draws). */
static void retire_row(const leave_mf *lc, int x, double *cells,
                       double out[N_SX])
{
    const tw_params *p = lc->p;
    const int year = lc->year, by = year - x;
    const long flex = lc->flex;
    if (x < lc->min_years)
        return;
    for (int bm = 0; bm < NBM; bm++) {
        double *cell = cells + (size_t)bm * NL;
        for (int sx = 0; sx < N_SX; sx++) {
            double *nl = cell + 2 * sx, *lt = nl + 1;
            if (!(*nl > 0) && !(*lt > 0))
                continue;
            int cat, old;
            retire_category_of(p, sx != SX_M, sx == SX_F1, &cat, &old);
            long bmi = month_index(by, bm + 1);
            long R = bmi + tw_retire_age_months(p, cat, old, by, bm + 1);
            double go = 0;
            if (*lt > 0 && (R + flex) / 12 <= year) {
                go += *lt;
                *lt = 0;
            }
            if (*nl > 0) {
                if (R / 12 <= year) {
                    double stay = (R + flex) / 12 > year ? *nl * lc->pl : 0;
                    go += *nl - stay;
                    *lt += stay;
                    *nl = 0;
                } else {
                    long E = R - flex, O = bmi + old;
                    if (E < O)
                        E = O;
                    if (E / 12 == year && lc->pe > 0) {
                        go += *nl * lc->pe;
                        *nl -= *nl * lc->pe;
                    }
                }
            }
            out[sx] += go;
        }
    }
}

void tw_mf_retire(mf *s, const tw_params *p)
{
    if (!p->retire_on)
        return;
    leave_mf lc = {.p = p,
                   .year = s->year,
                   .flex = p->flex_months > 0 ? p->flex_months : 0,
                   .min_years = tw_retire_min_years(p),
                   .pl = clamp01(p->p_late),
                   .pe = clamp01(p->p_early)};
    leave_cells(s, &lc, retire_row, TW_EXIT_RETIRE);
}

/* Voluntary exit, exact: a free class loses the hazard of its service
 * band; an obligation class loses nobody until the obligation ends. */
void tw_mf_exit(mf *s, const tw_params *p)
{
    double frac[NG] = {0}, gone[NG] = {0}, fbz[NG] = {0};
    for (int g = 0; g < NG; g++) {
        if (!s->gon[g])
            continue;
        double bz0 = tw_mf_group_bz(s, g);
        int st = g / TW_N_LOCS, lo = g % TW_N_LOCS;
        double *b = gblk(s, g), mass = 0;
        for (int c = 0; c < s->nall; c++) {
            double tot = tw_mf_class_total(s, g, b, c);
            mass += tot;
            if (!(tot > 0))
                continue;
            int ch = och(s, c);
            if (ch < 0) { /* free: the hazard of the band */
                if (!p->exit_on)
                    continue;
                double h = exit_hazard(p, st, lo, service_band(p, svc(s, c)));
                tw_mf_class_scale(s, g, c, 1.0 - h);
                gone[g] += tot * h;
                continue;
            }
            /* under an obligation: nobody leaves, except in the year after
             * it ended (TW_F_OBL_END), with 1 - retention; the others of
             * that part join the free class of their service */
            double *o = obblk(s, b, c) + (size_t)ch * s->nob;
            double end = o[0];
            if (!(end > 0))
                continue;
            double out = p->exit_on ? end * exit_after_obligation(p, ch) : 0;
            double keep = end - out;
            double pend[256];
            for (size_t k = 1; k < s->nob; k++)
                pend[k] = o[k];
            tw_mf_class_axpy(s, g, svc(s, c), c, keep / tot, 0);
            tw_mf_class_scale(s, g, c, 1.0 - end / tot);
            for (size_t k = 1; k < s->nob; k++)
                o[k] = pend[k];
            o[0] = 0;
            double *of = obblk(s, b, svc(s, c)); /* free classes hold none */
            for (size_t k = 0; k < NCH * s->nob; k++)
                of[k] = 0;
            gone[g] += out;
        }
        frac[g] = ratio(gone[g], mass);
        fbz[g] = 1.0 - ratio(tw_mf_group_bz(s, g), bz0);
    }
    tw_mf_schools_follow(s, frac, fbz, gone, TW_EXIT_VOLUNTARY);
}

/* ------------------------------------------------------------------ */
/* 5. 末位退出 (exit through evaluation)                                */
/* ------------------------------------------------------------------ */

/* Take `amount` of the non-pool stock of school i from its residents and
 * its teachers away on an exchange term, in proportion (a 2nd strike ends
 * the term); the caller moves or removes the amount from M. */
static void take_nonpool(mf *s, size_t i, double amount)
{
    double np = s->M[i] - pool_of(s, i);
    if (!(np > 0) || !(amount > 0))
        return;
    double k = dmin(1.0, amount / np);
    size_t nv = (size_t)s->tmax + 1;
    for (size_t y = 0; y < nv; y++)
        s->vout[i * nv + y] -= s->vout[i * nv + y] * k;
}

/*
 * Per county, share x N strikes (N: teachers not in the pool; the
 * stochastic model rounds), spread over the strike states in proportion;
 * 2nd strikes move to another school of the county and stage, uniformly;
 * 3rd strikes dismiss.
 */
void tw_mf_strikes(mf *s, size_t t)
{
    const tw_world *w = s->w;
    const tw_school *sch = w->schools;
    if (!strikes_any(w, t))
        return;
    double *mvout = s->d1;
    for (size_t a = 0; a < s->ns;) {
        size_t b = a + 1, c = sch[a].county;
        while (b < s->ns && sch[b].county == c)
            b++;
        const tw_county_params *cp = tw_world_cparams(w, t, c);
        double N = 0, tot = 0;
        for (size_t i = a; i < b; i++) {
            N += s->M[i] - pool_of(s, i);
            tot += s->M[i];
        }
        if (!cp->strikes_on || !(N > 0)) {
            a = b;
            continue;
        }
        /* round(share x N); N varies by this year's exits (near Poisson) */
        double var = 0;
        for (size_t i = a; i < b; i++)
            var += s->hsd[i] * s->hsd[i];
        double m = tw_mf_round_mean(cp->strike_share * N,
                                    cp->strike_share * sqrt(var), N);
        double f = m / N;
        double z1 = ratio(s->z1[c], tot), z2 = ratio(s->z2[c], tot);
        double s1 = m * (1 - z1 - z2), s2 = m * z1, s3 = m * z2;
        s->f.strikes[0] += s1;
        s->f.strikes[1] += s2;
        s->f.strikes[2] += s3;
        s->z1[c] += s1 - s2;
        s->z2[c] += s2 - s3;
        for (size_t i = a; i < b; i++) {
            double np = s->M[i] - pool_of(s, i);
            double dis = f * z2 * np, mv = f * z1 * np;
            mvout[i] = mv;
            s->d2[i] = 0;
            if (!(np > 0))
                continue;
            double bz = ratio(s->B[i], s->M[i]);
            take_nonpool(s, i, dis + mv);
            s->M[i] -= dis + mv;
            s->B[i] -= (dis + mv) * bz;
            int g = grp(&sch[i]);
            s->rm[g] += dis;
            s->f.exits[TW_EXIT_DISMISS][sch[i].stage] += dis;
            s->leavers[c] += dis;
            s->d2[i] = bz; /* 在编 share of the movers */
        }
        /* moves: uniformly to the other schools of the county and stage */
        for (int st = 0; st < TW_N_STAGES; st++) {
            size_t n = 0;
            double O[TW_N_LOCS] = {0}, OB[TW_N_LOCS] = {0}, Ot = 0;
            for (size_t i = a; i < b; i++)
                if (sch[i].stage == st && mf_open(s, i)) {
                    n++;
                    O[sch[i].locality] += mvout[i];
                    OB[sch[i].locality] += mvout[i] * s->d2[i];
                    Ot += mvout[i];
                }
            if (!(Ot > 0))
                continue;
            if (n < 2) { /* nowhere to go: they stay */
                for (size_t i = a; i < b; i++)
                    if (sch[i].stage == st) {
                        s->M[i] += mvout[i];
                        s->B[i] += mvout[i] * s->d2[i];
                    }
                continue;
            }
            for (size_t j = a; j < b; j++) {
                if (sch[j].stage != st || !mf_open(s, j))
                    continue;
                int lj = sch[j].locality;
                for (int l = 0; l < TW_N_LOCS; l++) {
                    double in = (O[l] - (l == lj ? mvout[j] : 0)) / (double)(n - 1);
                    double inb = (OB[l] - (l == lj ? mvout[j] * s->d2[j] : 0)) /
                                 (double)(n - 1);
                    s->M[j] += in;
                    s->B[j] += inb;
                    tw_mf_mv_add(s, st * TW_N_LOCS + l, grp(&sch[j]), in, NULL);
                    s->at[(size_t)grp(&sch[j]) * (size_t)(s->ca + 1)] += in;
                }
            }
        }
        a = b;
    }
    tw_mf_mv_apply(s);
    tw_mf_rm_apply(s);
    tw_mf_sync_vin(s);
    tw_mf_sync_at(s);
}

/* ------------------------------------------------------------------ */
/* 9. Ageing                                                           */
/* ------------------------------------------------------------------ */

/* Class arrays of `per` values each at base[c * per]: class c -> c + 1,
 * scap lumps. */
static void shift_classes(const mf *s, double *base, size_t per)
{
    size_t sc = (size_t)s->scap;
    for (size_t k = 0; k < per; k++)
        base[sc * per + k] += base[(sc - 1) * per + k];
    memmove(base + per, base, (sc - 1) * per * sizeof *base);
    memset(base, 0, per * sizeof *base);
}

/* Counter +1 along n values of stride `stride`, the last one lumping. */
static void shift_counter(double *v, size_t n, size_t stride)
{
    if (n < 2)
        return;
    v[(n - 1) * stride] += v[(n - 2) * stride];
    for (size_t y = n - 2; y >= 1; y--)
        v[y * stride] = v[(y - 1) * stride];
    v[0] = 0;
}

void tw_mf_age(mf *s)
{
    double pool[NG], vis[NG];
    tw_mf_group_pool_vis(s, pool, vis);
    size_t row = NBM * NL;
    for (int g = 0; g < NG; g++) {
        if (!s->gon[g])
            continue;
        double *b = gblk(s, g), mass = tw_mf_group_mass(s, g);
        /* demo: the lumped class ages one year; the last young class joins
         * it at x = e + scap; the young classes move up */
        double *cap = b + s->off_dc;
        size_t nxc = (size_t)s->nxc;
        /* the last row is empty by sizing; lump it rather than lose it */
        for (size_t k = 0; k < row; k++)
            cap[(nxc - 2) * row + k] += cap[(nxc - 1) * row + k];
        memmove(cap + row, cap, (nxc - 1) * row * sizeof *cap);
        memset(cap, 0, row * sizeof *cap);
        const double *last = b + (size_t)(s->scap - 1) * NE * row;
        for (size_t k = 0; k < NE * row; k++)
            cap[k] += last[k];
        memmove(b + NE * row, b, (size_t)(s->scap - 1) * NE * row * sizeof *b);
        memset(b, 0, NE * row * sizeof *b);
        /* rows in use follow: the lumped class's move up one, the last
         * young class's join it at the same row index */
        int16_t *lo = s->rlo + (size_t)g * (size_t)s->nall;
        int16_t *hi = s->rhi + (size_t)g * (size_t)s->nall;
        int sc = s->scap;
        if (hi[sc] > lo[sc]) {
            lo[sc] = (int16_t)imin(lo[sc] + 1, s->nxc - 1);
            hi[sc] = (int16_t)imin(hi[sc] + 1, s->nxc);
        }
        for (int r = lo[sc - 1]; r < hi[sc - 1]; r++)
            row_used(s, g, sc, r);
        memmove(lo + 1, lo, (size_t)(sc - 1) * sizeof *lo);
        memmove(hi + 1, hi, (size_t)(sc - 1) * sizeof *hi);
        lo[0] = hi[0] = 0;
        /* obligation classes: service +1; past obmax (empty: the obligation
         * has ended and been decided) they join the free class */
        for (int k = 0; k < s->nobch; k++)
            for (int sv = s->obmax; sv >= 0; sv--) {
                int c = ocls(s, sv, s->obchs[k]);
                int to = sv < s->obmax ? ocls(s, sv + 1, s->obchs[k])
                                       : imin(sv + 1, s->scap);
                tw_mf_class_axpy(s, g, to, c, 1.0, 1);
                tw_mf_class_scale(s, g, c, 0);
            }
        shift_classes(s, b + s->off_tt, 2 * s->ty);
        shift_classes(s, b + s->off_ti, s->nt * s->nit);
        shift_classes(s, b + s->off_ob, NCH * s->nob);
        shift_classes(s, b + s->off_pr, 1);
        shift_classes(s, b + s->off_du, 1);
        shift_classes(s, b + s->off_bz, 1);
        /* counters */
        size_t rs = (size_t)(s->cr + 1);
        double rural = g % TW_N_LOCS == TW_LOC_RURAL
                           ? clamp01(ratio(mass - pool[g], mass))
                           : clamp01(ratio(vis[g], mass));
        for (int c = 0; c < s->nall; c++) {
            for (int sex = 0; sex < 2; sex++) {
                double *t = tblk(s, b, c, sex);
                for (int k = 0; k < NK; k++)
                    for (int q = 0; q < NQ; q++)
                        for (size_t r = 0; r < rs; r++)
                            shift_counter(t + tix(s, k, 0, q, (int)r),
                                          (size_t)s->ck + 1, NQ * rs);
                if (s->cr > 0 && rural > 0)
                    for (size_t k = 0; k < s->ty; k += rs)
                        for (size_t r = rs - 1; r-- > 0;) {
                            double v = t[k + r] * rural;
                            t[k + r] -= v;
                            t[k + r + 1] += v;
                        }
            }
            double *ti = tiblk(s, b, c);
            for (size_t i = 0; i < s->nt; i++)
                shift_counter(ti + i * s->nit, s->nit, 1);
            double *ob = obblk(s, b, c);
            for (int ch = 0; ch < NCH; ch++) {
                double *o = ob + (size_t)ch * s->nob;
                for (size_t y = 0; y + 1 < s->nob; y++)
                    o[y] = (y == 0 ? o[0] : 0) + o[y + 1];
                if (s->nob > 1)
                    o[s->nob - 1] = 0;
            }
        }
        shift_counter(s->at + (size_t)g * (size_t)(s->ca + 1),
                      (size_t)s->ca + 1, 1);
    }
    s->xyear++;
}
