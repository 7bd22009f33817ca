/*
 * meanfield.c - the mean-field mode (tw_meanfield.h, docs/meanfield.md):
 * the driver. It owns the state (meanfield_priv.h: allocation, the cells
 * of a group, moving and removing mass, levelling) and runs the year,
 * calling the expected-value form of each process in tw_sim_step's order;
 * those live beside the stochastic forms they mirror (proc_*_mf.c,
 * population_mf.c, record_mf.c). Markov mode is here too: it is exact and
 * a few lines.
 */
#include "meanfield_priv.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>

/* P(index i) of population.c's draw_index over shares p[0..n). */
void tw_mf_draw_probs(const double *p, int n, double *out)
{
    double acc = 0, prev = 0;
    for (int i = 0; i < n - 1; i++) {
        acc += p[i];
        double c = acc < 1.0 ? acc : 1.0;
        out[i] = c - prev;
        prev = c;
    }
    out[n - 1] = 1.0 - prev;
}

/*
 * E[floor(Y)] for Y ~ Normal(m, sd^2): the expected analogue of a rule
 * floor(share x count) applied to a count that varies between replicates
 * with sd / share. sd -> 0 gives floor(m); a wide sd gives m - 1/2.
 */
double tw_mf_floor_mean(double m, double sd)
{
    if (!(sd > 1e-6))
        return floor(m + 1e-9);
    double lo = floor(m - 8 * sd), hi = ceil(m + 8 * sd), e = lo;
    for (double k = lo + 1; k <= hi; k += 1)
        e += gsl_cdf_ugaussian_Q((k - m) / sd); /* P(Y >= k) */
    return e;
}

/* E[ceil(Y)] and E[round(Y)] for Y ~ Normal(x, sd^2), clipped to [0, n]. */
double tw_mf_ceil_mean(double x, double sd, double n)
{
    if (!(x > 0))
        return 0;
    return dmin(n, dmax(0, -tw_mf_floor_mean(-x, sd)));
}

double tw_mf_round_mean(double x, double sd, double n)
{
    return dmin(n, dmax(0, tw_mf_floor_mean(x + 0.5, sd)));
}

/*
 * Class cd += a x class cs, every section, within group g. dx: 1 when the
 * move is the year's ageing (x stored one higher), else 0.
 */
void tw_mf_class_axpy(mf *s, int g, int cd, int cs, double a, int dx)
{
    double *b = gblk(s, g);
    int xs, ns_, xd, nd;
    double *src = dblk(s, b, cs, &xs, &ns_), *dst = dblk(s, b, cd, &xd, &nd);
    size_t ks = (size_t)g * (size_t)s->nall + (size_t)cs;
    for (int r = s->rlo[ks]; r < s->rhi[ks]; r++) {
        int rd = r + xs + dx - xd;
        rd = rd < 0 ? 0 : rd >= nd ? nd - 1 : rd; /* not reached by sizing */
        for (size_t k = 0; k < NBM * NL; k++)
            dst[(size_t)rd * NBM * NL + k] += a * src[(size_t)r * NBM * NL + k];
        row_used(s, g, cd, rd);
    }
    double *ts = tblk(s, b, cs, 0), *td = tblk(s, b, cd, 0);
    for (size_t k = 0; k < 2 * s->ty; k++)
        td[k] += a * ts[k];
    double *is = tiblk(s, b, cs), *id = tiblk(s, b, cd);
    for (size_t k = 0; k < s->nt * s->nit; k++)
        id[k] += a * is[k];
    double *os = obblk(s, b, cs), *od = obblk(s, b, cd);
    for (size_t k = 0; k < NCH * s->nob; k++)
        od[k] += a * os[k];
    b[s->off_pr + (size_t)cd] += a * b[s->off_pr + (size_t)cs];
    b[s->off_du + (size_t)cd] += a * b[s->off_du + (size_t)cs];
    b[s->off_bz + (size_t)cd] += a * b[s->off_bz + (size_t)cs];
}

/* The sections of class c (block b) that carry no sex: tiers,
 * obligations, professional course, 双师型, 在编; x k. */
static void scale_rest(mf *s, double *b, int c, double k)
{
    double *ti = tiblk(s, b, c);
    for (size_t i = 0; i < s->nt * s->nit; i++)
        ti[i] *= k;
    double *ob = obblk(s, b, c);
    for (size_t i = 0; i < NCH * s->nob; i++)
        ob[i] *= k;
    b[s->off_pr + (size_t)c] *= k;
    b[s->off_du + (size_t)c] *= k;
    b[s->off_bz + (size_t)c] *= k;
}

/* Class c of group g x k, every section; k = 0 empties it. */
void tw_mf_class_scale(mf *s, int g, int c, double k)
{
    double *b = gblk(s, g);
    int x0, nx;
    double *d = dused(s, g, b, c, &x0, &nx);
    for (size_t i = 0; i < (size_t)nx * NBM * NL; i++)
        d[i] *= k;
    double *t = tblk(s, b, c, 0);
    for (size_t i = 0; i < 2 * s->ty; i++)
        t[i] *= k;
    scale_rest(s, b, c, k);
    if (k == 0) {
        size_t kk = (size_t)g * (size_t)s->nall + (size_t)c;
        s->rlo[kk] = s->rhi[kk] = 0;
    }
}

/* Masses of class c of group g (block b) by sex class. */
void tw_mf_class_mass(const mf *s, int g, double *b, int c, double out[N_SX])
{
    int x0, nx;
    const double *d = dused(s, g, b, c, &x0, &nx);
    out[0] = out[1] = out[2] = 0;
    for (size_t k = 0; k < (size_t)nx * NBM; k++, d += NL)
        for (int l = 0; l < NL; l++)
            out[l / 2] += d[l];
}

double tw_mf_class_total(const mf *s, int g, double *b, int c)
{
    double m[N_SX];
    tw_mf_class_mass(s, g, b, c, m);
    return m[0] + m[1] + m[2];
}

double tw_mf_group_mass(const mf *s, int g)
{
    double *b = gblk(s, g), t = 0;
    if (!s->gon[g])
        return 0;
    for (int c = 0; c < s->nall; c++)
        t += tw_mf_class_total(s, g, b, c);
    return t;
}

void tw_mf_tier_mass(const mf *s, int g, double *tm)
{
    double *b = gblk(s, g);
    for (size_t i = 0; i < s->nt; i++)
        tm[i] = 0;
    for (int c = 0; c < s->nall; c++) {
        const double *tb = tiblk(s, b, c);
        for (size_t i = 0; i < s->nt; i++)
            for (size_t y = 0; y < s->nit; y++)
                tm[i] += tb[i * s->nit + y];
    }
}

/* Pool and visitors-away masses of group g. */
void tw_mf_group_pool_vis(const mf *s, double *pool, double *vis)
{
    for (int g = 0; g < NG; g++)
        pool[g] = vis[g] = 0;
    for (size_t i = 0; i < s->ns; i++) {
        int g = grp(&s->w->schools[i]);
        pool[g] += pool_of(s, i);
        vis[g] += vout_of(s, i);
    }
}

/* ------------------------------------------------------------------ */
/* Allocation                                                          */
/* ------------------------------------------------------------------ */

static void mf_free(mf *s)
{
    if (s == NULL)
        return;
    tw_mf_subj_free(s);
    void *own[] = {
        s->gs, s->snap, s->rlo, s->rhi, s->at, s->bbv,
        s->students, s->demand, s->M, s->B, s->pool, s->vout,
        s->vin, s->ccap, s->z1, s->z2, s->leavers, s->d1,
        s->d2, s->d3, s->d4, s->hsd, s->srt, s->list,
        s->post, s->hired, s->hbz, s->ah, s->into,
    };
    for (size_t i = 0; i < sizeof own / sizeof own[0]; i++)
        free(own[i]);
    free(s);
}

/* The caps of the counters: the largest threshold any year or county
 * reads, so that a capped counter answers every test exactly. */
static void set_caps(mf *s)
{
    const tw_world *w = s->w;
    int scap = 1, ck = 0, ct = 0, ca = 0, cr = 0, ob = 0, py = 0, tm = 0;
    for (size_t t = 0; t < w->n_years; t++) {
        const tw_params *p = tw_world_params(w, t);
        for (int b = 0; b < TW_N_SERVICE_BANDS - 1; b++)
            scap = imax(scap, p->service_cut[b]);
        scap = imax(scap, p->probation_years);
        scap = imax(scap, p->full_senior_service);
        for (size_t i = 0; i + 1 < s->nt; i++)
            ct = imax(ct, p->tier_min_years[i]);
        for (int k = TW_TITLE_THIRD; k <= TW_TITLE_SENIOR; k++)
            ck = imax(ck, imax(p->title_min_years[k],
                               p->title_min_years_postgrad[k]));
        cr = imax(cr, p->senior_rural_years);
        for (size_t c = 0; c < w->n_counties; c++) {
            const tw_county_params *cp = tw_world_cparams(w, t, c);
            ca = imax(ca, cp->eligible_years);
            py = imax(py, cp->pool_max_years);
            tm = imax(tm, imin(cp->term_years, 255));
            for (int ch = 0; ch < NCH; ch++)
                ob = imax(ob, imin(cp->ch[ch].obligation, 255));
        }
    }
    /* Classes cover every service that can occur (initial stock: up to 66
     * - 22 = 44 years, plus a year per simulated year), so the lumped top
     * class stays empty in practice: lumping would make titles independent
     * of age among the oldest teachers, whose retirement reads both. */
    scap = imax(scap, 45 + (int)w->n_years);
    s->scap = imin(imax(scap, ob + 1), 255);
    s->ncls = s->scap + 1;
    s->ck = imin(ck, 255);
    s->ct = imin(ct, 255);
    s->ca = imin(ca, 255);
    s->cr = imin(cr, 255);
    s->obmax = ob;
    s->nobch = 0;
    for (int ch = 0; ch < NCH; ch++) {
        s->obk[ch] = -1;
        int any = 0;
        for (size_t t = 0; t < w->n_years; t++)
            for (size_t c = 0; c < w->n_counties; c++)
                any |= tw_world_cparams(w, t, c)->ch[ch].obligation > 0;
        if (any) {
            s->obk[ch] = s->nobch;
            s->obchs[s->nobch++] = ch;
        }
    }
    s->nobc = s->nobch * (ob + 1);
    s->nall = s->ncls + s->nobc;
    s->pymax = imin(py, 255);
    s->tmax = tm;
}

static mf *mf_alloc(const tw_model *m)
{
    mf *s = calloc(1, sizeof *s);
    if (s == NULL)
        return NULL;
    const tw_world *w = m->world;
    s->m = m;
    s->w = w;
    s->ns = w->n_schools;
    s->nc = w->n_counties;
    s->nt = w->n_tiers > 0 ? w->n_tiers : 1;
    s->nyears = w->n_years;
    set_caps(s);
    s->xc0 = s->scap + E0;
    int xmax = imax(67, 45 + s->scap) + (int)w->n_years + 2;
    s->nxc = xmax - s->xc0 + 1;
    s->ty = (size_t)NK * (size_t)(s->ck + 1) * NQ * (size_t)(s->cr + 1);
    s->nit = (size_t)s->ct + 1;
    s->nob = (size_t)s->obmax + 1;
    size_t ncls = (size_t)s->nall;
    s->off_dc = (size_t)(s->scap + s->nobc) * NE * NBM * NL;
    s->off_tt = s->off_dc + (size_t)s->nxc * NBM * NL;
    s->off_ti = s->off_tt + ncls * 2 * s->ty;
    s->off_ob = s->off_ti + ncls * s->nt * s->nit;
    s->off_pr = s->off_ob + ncls * NCH * s->nob;
    s->off_du = s->off_pr + ncls;
    s->off_bz = s->off_du + ncls;
    s->gb = s->off_bz + ncls;
    size_t ns = s->ns ? s->ns : 1, nc = s->nc ? s->nc : 1;
    s->gs = calloc(NG * s->gb, sizeof *s->gs);
    s->rlo = calloc(NG * ncls, sizeof *s->rlo);
    s->rhi = calloc(NG * ncls, sizeof *s->rhi);
    for (size_t i = 0; i < w->n_schools; i++)
        s->gon[grp(&w->schools[i])] = 1;
    s->snap = calloc(NG * s->gb, sizeof *s->snap);
    s->at = calloc(NG * (size_t)(s->ca + 1), sizeof *s->at);
    s->bbv = calloc(NG * (size_t)(s->tmax + 1), sizeof *s->bbv);
    s->students = calloc(ns, sizeof(double));
    s->demand = calloc(ns, sizeof(double));
    s->M = calloc(ns, sizeof(double));
    s->B = calloc(ns, sizeof(double));
    s->pool = calloc(ns * (size_t)(s->pymax + 1), sizeof(double));
    s->vout = calloc(ns * (size_t)(s->tmax + 1), sizeof(double));
    s->vin = calloc(ns * (size_t)(s->tmax + 1), sizeof(double));
    s->ccap = calloc(nc, sizeof(double));
    s->z1 = calloc(nc, sizeof(double));
    s->z2 = calloc(nc, sizeof(double));
    s->leavers = calloc(nc, sizeof(double));
    s->d1 = calloc(ns, sizeof(double));
    s->d2 = calloc(ns, sizeof(double));
    s->d3 = calloc(ns, sizeof(double));
    s->d4 = calloc(ns, sizeof(double));
    s->hsd = calloc(ns, sizeof(double));
    s->srt = calloc(ns, sizeof *s->srt);
    s->list = calloc(ns, sizeof *s->list);
    s->post = calloc(ns, sizeof(double));
    s->hired = calloc(ns, sizeof(double));
    s->hbz = calloc(ns, sizeof(double));
    s->ah = calloc(NG, sizeof *s->ah);
    if (w->n_closures > 0) {
        s->into = calloc(4 * ns, sizeof *s->into);
        for (size_t i = 0; s->into != NULL && i < s->ns; i++)
            s->into[i] = (uint32_t)i;
    }
    if (!s->gs || !s->snap || !s->rlo || !s->rhi || !s->at || !s->bbv || !s->students ||
        !s->demand || !s->M || !s->B || !s->pool || !s->vout || !s->vin ||
        !s->ccap || !s->z1 || !s->z2 || !s->leavers || !s->d1 || !s->d2 ||
        !s->d3 || !s->d4 || !s->hsd || !s->srt || !s->list || !s->post ||
        !s->hired || !s->hbz || !s->ah ||
        (w->n_closures > 0 && s->into == NULL)) {
        mf_free(s);
        return NULL;
    }
    return s;
}

/* ------------------------------------------------------------------ */
/* Levelling: the continuous analogue of "the school with the most      */
/* posts (or the largest shortfall) first, one post at a time"          */
/* ------------------------------------------------------------------ */

int tw_mf_by_value_desc(const void *a, const void *b)
{
    const sorted *x = a, *y = b;
    if (x->v != y->v)
        return x->v > y->v ? -1 : 1;
    return x->i < y->i ? -1 : (x->i > y->i);
}

/*
 * a[0..n) sorted by value, largest first: the level L with
 * sum w_i * max(0, v_i - L) = A (A > 0), which may be below every value.
 * -INFINITY when the weights are all 0 (nothing can absorb A).
 */
double tw_mf_solve_level(const sorted *a, size_t n, double A)
{
    double sw = 0, swv = 0;
    for (size_t k = 0; k < n; k++) {
        sw += a[k].w;
        swv += a[k].w * a[k].v;
        double next = k + 1 < n ? a[k + 1].v : -INFINITY;
        /* F(next) = swv - sw * next, the mass above the next value */
        if (sw > 0 && (next == -INFINITY || swv - sw * next >= A))
            return (swv - A) / sw;
    }
    return -INFINITY;
}

/* ------------------------------------------------------------------ */
/* Moving and removing mass between / from groups                      */
/* ------------------------------------------------------------------ */

/* Queue a move of `amount` teachers from group gs to gd with gs's
 * composition; or, with tiers != NULL, movers chosen by tier (their tier
 * counts) and all 在编 (交流轮岗 movers). */
void tw_mf_mv_add(mf *s, int gs, int gd, double amount, const double *tiers)
{
    if (gs == gd || !(amount > 0))
        return;
    if (tiers == NULL) {
        s->mvn[gs][gd] += amount;
    } else {
        for (size_t i = 0; i < s->nt; i++)
            s->mvb[gs][gd][i] += tiers[i];
        s->mvz[gs][gd] += amount;
    }
    s->mv_any = 1;
}

/* Apply the queued moves, every one from the same snapshot. */
void tw_mf_mv_apply(mf *s)
{
    if (!s->mv_any)
        return;
    /* subjects: movers carry their group's mix (subjects_mf.c) */
    size_t nj = s->w->n_subjects;
    if (nj > 0)
        tw_mf_subj_sync(s);
    memcpy(s->snap, s->gs, NG * s->gb * sizeof *s->gs);
    double tm[TW_WORLD_MAX_TIERS];
    for (int gs = 0; gs < NG; gs++) {
        double mass = 0;
        for (int c = 0; c < s->nall; c++)
            mass += tw_mf_class_total(s, gs, s->snap + (size_t)gs * s->gb, c);
        if (!(mass > 0))
            continue;
        for (size_t i = 0; i < s->nt; i++)
            tm[i] = 0;
        const double *sb = s->snap + (size_t)gs * s->gb;
        for (int c = 0; c < s->nall; c++)
            for (size_t i = 0; i < s->nt; i++)
                for (size_t y = 0; y < s->nit; y++)
                    tm[i] += sb[s->off_ti + ((size_t)c * s->nt + i) * s->nit +
                                y];
        double bzm = 0;
        for (int c = 0; c < s->nall; c++)
            bzm += sb[s->off_bz + (size_t)c];
        for (int gd = 0; gd < NG; gd++) {
            double F = s->mvn[gs][gd], fi[TW_WORLD_MAX_TIERS];
            for (size_t i = 0; i < s->nt; i++)
                F += s->mvb[gs][gd][i];
            if (gd == gs || !(F > 0))
                continue;
            double phi = dmin(1.0, F / mass);
            for (size_t j = 0; j < nj; j++) { /* the demo cells' fraction */
                double v = phi * s->subj_mix[gs][j] * mass;
                s->subj[gd][j] += v;
                s->subj[gs][j] -= v;
            }
            for (int c = 0; c < s->nall; c++) {
                size_t ks = (size_t)gs * (size_t)s->nall + (size_t)c;
                for (int r = s->rlo[ks]; r < s->rhi[ks]; r++)
                    row_used(s, gd, c, r);
            }
            for (size_t i = 0; i < s->nt; i++)
                fi[i] = dmin(1.0, s->mvn[gs][gd] / mass +
                                      ratio(s->mvb[gs][gd][i], tm[i]));
            double *src = gblk(s, gs), *dst = gblk(s, gd);
            for (size_t k = 0; k < s->off_ti; k++) {
                double v = phi * sb[k];
                dst[k] += v;
                src[k] -= v;
            }
            for (size_t k = s->off_ob; k < s->off_bz; k++) {
                double v = phi * sb[k];
                dst[k] += v;
                src[k] -= v;
            }
            double fz = dmin(1.0, s->mvn[gs][gd] / mass +
                                      ratio(s->mvz[gs][gd], bzm));
            for (size_t k = s->off_bz; k < s->gb; k++) {
                double v = fz * sb[k];
                dst[k] += v;
                src[k] -= v;
            }
            for (int c = 0; c < s->nall; c++)
                for (size_t i = 0; i < s->nt; i++)
                    for (size_t y = 0; y < s->nit; y++) {
                        size_t k = s->off_ti +
                                   ((size_t)c * s->nt + i) * s->nit + y;
                        double v = fi[i] * sb[k];
                        dst[k] += v;
                        src[k] -= v;
                    }
        }
    }
    memset(s->mvn, 0, sizeof s->mvn);
    memset(s->mvb, 0, sizeof s->mvb);
    memset(s->mvz, 0, sizeof s->mvz);
    s->mv_any = 0;
}

/* Scale group g's whole block by (1 - frac). */
static void group_scale(mf *s, int g, double frac)
{
    if (!(frac > 0))
        return;
    double k = 1.0 - dmin(frac, 1.0), *b = gblk(s, g);
    for (size_t i = 0; i < s->gb; i++)
        b[i] *= k;
}

/* Apply the pending even removals s->rm[g] (absolute masses). */
void tw_mf_rm_apply(mf *s)
{
    for (int g = 0; g < NG; g++) {
        if (s->rm[g] > 0)
            group_scale(s, g, ratio(s->rm[g], tw_mf_group_mass(s, g)));
        s->rm[g] = 0;
    }
}

/* Scale the hosts' visitors so that, per county, stage and term left,
 * they equal the visitors away from their home schools. */
void tw_mf_sync_vin(mf *s)
{
    if (s->tmax == 0)
        return;
    const tw_school *sch = s->w->schools;
    size_t nt1 = (size_t)s->tmax + 1;
    for (size_t a = 0; a < s->ns;) {
        size_t b = a + 1;
        while (b < s->ns && sch[b].county == sch[a].county)
            b++;
        for (int st = 0; st < TW_N_STAGES; st++)
            for (size_t y = 0; y < nt1; y++) {
                double out = 0, in = 0;
                for (size_t i = a; i < b; i++)
                    if (sch[i].stage == st) {
                        out += s->vout[i * nt1 + y];
                        in += s->vin[i * nt1 + y];
                    }
                double k = in > 0 ? out / in : 0;
                for (size_t i = a; i < b; i++)
                    if (sch[i].stage == st)
                        s->vin[i * nt1 + y] *= k;
            }
        a = b;
    }
}

/* Scale the groups' years-at-school distributions to their residents
 * (teachers not away on an exchange term). */
void tw_mf_sync_at(mf *s)
{
    double res[NG] = {0};
    for (size_t i = 0; i < s->ns; i++)
        res[grp(&s->w->schools[i])] += s->M[i] - vout_of(s, i);
    size_t na = (size_t)s->ca + 1;
    for (int g = 0; g < NG; g++) {
        double *a = s->at + (size_t)g * na, t = 0;
        for (size_t y = 0; y < na; y++)
            t += a[y];
        if (t > 0) {
            for (size_t y = 0; y < na; y++)
                a[y] *= dmax(0, res[g]) / t;
        } else {
            a[0] = dmax(0, res[g]);
        }
    }
}

/*
 * After a removal computed cell by cell (deaths, retirement) in class c:
 * the title block follows the removals by sex class, the other blocks
 * the class total.
 */
void tw_mf_class_follow(mf *s, double *b, int c, const double before[N_SX],
                        const double gone[N_SX])
{
    double km = 1.0 - ratio(gone[SX_M], before[SX_M]);
    double k0 = 1.0 - ratio(gone[SX_F0], before[SX_F0]);
    double k1 = 1.0 - ratio(gone[SX_F1], before[SX_F1]);
    double tot = before[0] + before[1] + before[2];
    double kt = 1.0 - ratio(gone[0] + gone[1] + gone[2], tot);
    double *tm = tblk(s, b, c, 0), *tf = tblk(s, b, c, 1);
    size_t senior = tix(s, TW_TITLE_SENIOR, 0, 0, 0);
    for (size_t k = 0; k < s->ty; k++) {
        tm[k] *= km;
        tf[k] *= k < senior ? k0 : k1;
    }
    scale_rest(s, b, c, kt);
}

/* 在编 teachers of group g (the class-level count). */
double tw_mf_group_bz(const mf *s, int g)
{
    const double *b = s->gs + (size_t)g * s->gb + s->off_bz;
    double t = 0;
    for (int c = 0; c < s->nall; c++)
        t += b[c];
    return t;
}

/*
 * School- and county-level side of an exit computed in the groups: each
 * school of group g loses frac[g] of every part of its stock, and fbz[g]
 * of its 在编 teachers. gone[g] is the group's exit mass, counted as flow
 * `reason`.
 */
void tw_mf_schools_follow(mf *s, const double *frac, const double *fbz,
                          const double *gone, tw_exit reason)
{
    const tw_school *sch = s->w->schools;
    size_t np = (size_t)s->pymax + 1, nv = (size_t)s->tmax + 1;
    for (int g = 0; g < NG; g++)
        s->f.exits[reason][g / TW_N_LOCS] += gone[g];
    for (size_t a = 0; a < s->ns;) {
        size_t b = a + 1, c = sch[a].county;
        while (b < s->ns && sch[b].county == c)
            b++;
        double before = 0, lost = 0;
        for (size_t i = a; i < b; i++) {
            double f = frac[grp(&sch[i])];
            before += s->M[i];
            if (!(f > 0))
                continue;
            double k = 1.0 - dmin(f, 1.0);
            lost += s->M[i] * (1.0 - k);
            /* exits are near-Poisson: variance = mean; sd kept as such */
            s->hsd[i] = sqrt(s->hsd[i] * s->hsd[i] + s->M[i] * (1.0 - k));
            s->M[i] *= k;
            s->B[i] *= 1.0 - clamp01(fbz[grp(&sch[i])]);
            for (size_t y = 0; y < np; y++)
                s->pool[i * np + y] *= k;
            for (size_t y = 0; y < nv; y++)
                s->vout[i * nv + y] *= k;
        }
        s->leavers[c] += lost;
        double kz = 1.0 - ratio(lost, before);
        s->z1[c] *= kz;
        s->z2[c] *= kz;
        a = b;
    }
    tw_mf_sync_vin(s);
    tw_mf_sync_at(s);
}

/* Water-fill `amount` into the schools of list[0..n) by key (largest
 * first, keys fall as they receive), writing the amounts into got[]. */
void tw_mf_level_fill(mf *s, const size_t *list, size_t n, const double *key,
                      double amount, double *got)
{
    for (size_t q = 0; q < n; q++)
        got[list[q]] = 0;
    if (n == 0 || !(amount > 0))
        return;
    for (size_t q = 0; q < n; q++)
        s->srt[q] = (sorted){.v = key[list[q]], .w = 1.0, .i = list[q]};
    qsort(s->srt, n, sizeof *s->srt, tw_mf_by_value_desc);
    double L = tw_mf_solve_level(s->srt, n, amount);
    for (size_t q = 0; q < n; q++)
        got[s->srt[q].i] = dmax(0, s->srt[q].v - L);
}

/* ------------------------------------------------------------------ */
/* The year and the run                                                */
/* ------------------------------------------------------------------ */

static void step(mf *s, size_t t)
{
    const tw_params *p = tw_world_params(s->w, t);
    int year = s->w->base_year + (int)t;
    s->year = year;
    memset(&s->f, 0, sizeof s->f);
    for (size_t i = 0; i < s->ns; i++)
        s->hsd[i] = 0;
    for (size_t c = 0; c < s->nc; c++)
        s->leavers[c] = 0;
    if (s->into != NULL)
        tw_mf_close(s);          /* 0. closures (撤并) */
    tw_mf_demand(s, t);          /* 1. enrolment and demand */
    if (s->into != NULL)
        tw_mf_close_demand(s, t);
    tw_mf_deaths(s, p);          /* 2. deaths */
    tw_mf_retire(s, p);          /* 3. retirement */
    tw_mf_exit(s, p);            /* 4. voluntary exit */
    tw_mf_strikes(s, t);         /* 5. 末位退出 */
    tw_mf_tiers(s, p);           /* 6. professional development */
    tw_mf_titles(s, p);
    tw_mf_quals(s, p);
    tw_mf_dual(s, p);
    tw_mf_rotate(s, t);          /* 7. rotation under 县管校聘 */
    tw_mf_recruit(s, t);         /* 8. recruitment */
    tw_mf_age(s);                /* 9. ageing and counters */
}

static int run_full(const tw_model *m, double *traj, tw_mf_diag *diag,
                    tw_error *err)
{
    mf *s = mf_alloc(m);
    if (s == NULL || tw_mf_init(s) != 0) {
        mf_free(s);
        return tw_error_set(err, TW_EFAIL, "out of memory for the mean-field "
                                           "state");
    }
    size_t nm = m->metrics.n;
    double cum = 0;
    tw_mf_record(s, traj, s->w->base_year, &cum);
    for (size_t t = 1; t < m->n_years; t++) {
        step(s, t);
        tw_mf_record(s, traj + t * nm, s->w->base_year + (int)t, &cum);
        if (s->subj_oom) {
            mf_free(s);
            return tw_error_set(err, TW_EFAIL, "out of memory for the "
                                "mean-field subjects");
        }
    }
    if (diag)
        *diag = s->diag;
    mf_free(s);
    return TW_OK;
}

/* Markov mode: E[n(t+1)] = E[n(t)] P + E[R(t)] e_entry, with E[R(t)] the
 * expected leavers ("replace"), the quota, or 0. Exact. */
static void run_markov(const tw_model *m, double *traj)
{
    const tw_config *c = m->cfg;
    size_t nt = c->n_tiers, nm = m->metrics.n;
    double n[TW_MAX_TIERS], next[TW_MAX_TIERS], cum = 0;
    for (size_t i = 0; i < nt; i++)
        n[i] = (double)c->tier_counts[i];
    for (size_t t = 0; t < m->n_years; t++) {
        double hires = 0, exits = 0, total = 0;
        if (t > 0) {
            for (size_t j = 0; j < nt; j++)
                next[j] = 0;
            for (size_t i = 0; i < nt; i++) {
                double row = 0;
                for (size_t j = 0; j < nt; j++) {
                    next[j] += n[i] * c->transition[i][j];
                    row += c->transition[i][j];
                }
                exits += n[i] * (1.0 - row);
            }
            switch (c->recruit_mode) {
            case TW_RECRUIT_REPLACE: hires = exits; break;
            case TW_RECRUIT_QUOTA: hires = (double)c->annual_quota; break;
            default: hires = 0; break;
            }
            next[c->entry_tier] += hires;
            memcpy(n, next, nt * sizeof *n);
        }
        cum += hires;
        double *row = traj + t * nm;
        for (size_t i = 0; i < nt; i++) {
            row[m->m_tier0 + i] = n[i];
            total += n[i];
        }
        row[m->m_total] = total;
        row[m->m_hires] = hires;
        row[m->m_exits] = exits;
        row[m->m_hires_cum] = cum;
    }
}

int tw_meanfield_run(const tw_model *m, double *traj, tw_mf_diag *diag,
                     tw_error *err)
{
    if (diag)
        *diag = (tw_mf_diag){0};
    if (m->world != NULL)
        return run_full(m, traj, diag, err);
    run_markov(m, traj);
    return TW_OK;
}
