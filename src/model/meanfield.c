/*
 * meanfield.c - the mean-field mode (tw_meanfield.h, docs/meanfield.md):
 * expected counts propagated deterministically through the year of
 * tw_sim_step, process by process, in the same order.
 *
 * Full mode. The state holds expected numbers of teachers ("mass"), never
 * individuals. One block per group g = (stage, locality) of the home
 * school, holding for every class c:
 *
 *   demo   [x][birth month][layer]   x = year - birth year; layer = 2 x
 *          sex class + late flag; sex class: men | women below 高级 (senior
 *          title) | women 高级 and above (they retire at another age)
 *   title  [sex][title][years in title][qualification][rural years]
 *   tier   [tier][years in tier]
 *   obl    [channel][years of obligation left], [0] = ended last year
 *   prof, dual, 在编 (inside the 编制 establishment)
 *
 *   classes:  [ free, service 0 .. scap | under an obligation: service
 *               0 .. obmax x each channel with one ]
 *   Free classes cover every service that can occur (scap lumps the rest,
 *   empty in practice). Teachers under a service obligation (公费师范生,
 *   特岗) have classes of their own, which rejoin the free class of their
 *   service when the retention decision is made. All classes but scap
 *   store x as x - service ("young" layout), which a year of ageing keeps:
 *   ageing moves whole class blocks. Counters are capped at the largest
 *   threshold any process reads.
 *
 *   Per group also: residents' years at the school (交流轮岗 eligibility) and
 *   the backbone share of the teachers away on an exchange term.
 *   Per school: the stock by home school (M), 在编 (B, for the county's
 *   room), the 待岗培训 (training) pool by years in it, exchange teachers away
 *   (vout) and hosted (vin) by term left, students, demand.
 *   Per county: teachers with one and two 末位 strikes, leavers.
 *
 * Exact, given the group and class, where the attributes a process reads
 * together are held jointly: deaths and retirement (age x birth month x sex
 * x 高级 x late), voluntary exit (service x obligation), tiers, titles
 * (with qualification and rural years), qualifications, 双师型, 在编; the
 * initial stock and the hires' attributes. A school holds its group's
 * composition. Caps, rounding, random selection and pooling use expected
 * values, as docs/meanfield.md lists.
 *
 * Moves between groups (transfers, exchange, 竞聘, 2nd strikes) change the
 * school-level state at once and are queued for the group blocks; a phase
 * applies its queue from one snapshot (mv_apply), so every mover leaves
 * with its group's composition at the start of the phase.
 */
#include "tw_meanfield.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>

#include "tw_config.h"
#include "tw_record.h"
#include "tw_world.h"

#define NG (TW_N_STAGES * TW_N_LOCS)
#define NE 27  /* x - c in young classes: 19..45 (a hire of age 20..45 is
                  stored one year younger until the year's ageing) */
#define E0 19
#define NBM 12 /* birth months */
#define A0 20  /* ages at hire: 20..45 (proc_recruit.c) */
#define NA 26
#define NL 6   /* layers: 2 * sex class + late */
#define NCH TW_N_HIRE_CHANNELS
#define NQ TW_N_QUALS
#define NK TW_N_TITLES
#define AMAX 160 /* ages in the exemption histogram */
#define EPS 1e-12

enum { SX_M, SX_F0, SX_F1, N_SX };

typedef struct sorted {
    double v, w; /* value, weight */
    size_t i;    /* school */
} sorted;

typedef struct mf {
    const tw_model *m;
    const tw_world *w;
    size_t ns, nc, nt, nyears;
    int scap, ncls;             /* free service classes 0..scap */
    int nobch, nobc, nall;      /* channels with an obligation, their
                                   classes (service 0..obmax x channel),
                                   all classes */
    int obchs[NCH], obk[NCH];   /* those channels; index of a channel */
    int ck, ct, ca, cr;         /* caps: years in title, in tier, at the
                                   school, rural years */
    int obmax, pymax, tmax;     /* obligation, pool years, exchange term */
    int xc0, nxc;               /* cap class: x in [xc0, xc0 + nxc) */
    int xyear;                  /* the calendar year x refers to: the
                                   previous one during a step, until
                                   ageing */
    int year;                   /* the year being simulated */
    size_t ty;                  /* title cells per (class, sex) */
    size_t nit, nob;            /* tier counter, obligation cells */
    size_t off_dc, off_tt, off_ti, off_ob, off_pr, off_du, off_bz, gb;
    double *gs, *snap;          /* [NG][gb] */
    int16_t *rlo, *rhi;         /* [NG][nall]: demo rows in use [lo, hi) */
    int gon[NG];                /* the group has schools */
    double *at;                 /* [NG][ca + 1] */
    double *bbv;                /* [NG][tmax + 1] */
    double *students, *demand, *M, *B;
    double *pool;               /* [ns][pymax + 1] */
    double *vout, *vin;         /* [ns][tmax + 1] */
    double *ccap, *z1, *z2, *leavers; /* [nc] */
    double *d1, *d2, *d3, *d4;  /* [ns] scratch */
    double *hsd;                /* [ns]: sd of the headcount this year,
                                   sqrt of the year's expected exits */
    sorted *srt;                /* [ns] scratch */
    size_t *list;               /* [ns] scratch: a county's schools */
    double *post, *hired, *hbz; /* [ns] recruitment: posts left, hires,
                                   在编 hires */
    double (*ah)[2][AMAX + 1];  /* [NG]: ages by sex (exemption ages) */
    /* pending moves between groups: neutral amounts, and amounts by tier
     * (exchange movers are chosen by tier) */
    double mvn[NG][NG];
    double mvb[NG][NG][TW_WORLD_MAX_TIERS];
    double mvz[NG][NG];         /* ... and 在编 movers, when chosen by it */
    int mv_any;
    double rm[NG];              /* pending even removals (dismiss, 落聘) */
    tw_flows f;
    tw_mf_diag diag;
} mf;

/* ------------------------------------------------------------------ */
/* Small helpers                                                       */
/* ------------------------------------------------------------------ */

static inline int imax(int a, int b) { return a > b ? a : b; }
static inline int imin(int a, int b) { return a < b ? a : b; }
static inline double dmin(double a, double b) { return a < b ? a : b; }
static inline double dmax(double a, double b) { return a > b ? a : b; }
static inline double clamp01(double q)
{
    return q < 0.0 ? 0.0 : (q > 1.0 ? 1.0 : q);
}
static inline int grp(const tw_school *sc)
{
    return sc->stage * TW_N_LOCS + sc->locality;
}
static inline double ratio(double a, double b) { return b > 0 ? a / b : 0.0; }

/* Age band of the death table and of the records. */
static inline int age_band(int a)
{
    if (a < 25)
        return 0;
    int b = (a - 20) / 5;
    return b < TW_N_AGE_BANDS - 1 ? b : TW_N_AGE_BANDS - 1;
}

static inline int service_band(const tw_params *p, int service)
{
    int b = 0;
    while (b < TW_N_SERVICE_BANDS - 1 && service >= p->service_cut[b])
        b++;
    return b;
}

/* P(index i) of population.c's draw_index over shares p[0..n). */
static void draw_probs(const double *p, int n, double *out)
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
static double floor_mean(double m, double sd)
{
    if (!(sd > 1e-6))
        return floor(m + 1e-9);
    double lo = floor(m - 8 * sd), hi = ceil(m + 8 * sd), e = lo;
    for (double k = lo + 1; k <= hi; k += 1)
        e += gsl_cdf_ugaussian_Q((k - m) / sd); /* P(Y >= k) */
    return e;
}

/* E[ceil(Y)] and E[round(Y)] for Y ~ Normal(x, sd^2), clipped to [0, n]. */
static double ceil_mean(double x, double sd, double n)
{
    if (!(x > 0))
        return 0;
    return dmin(n, dmax(0, -floor_mean(-x, sd)));
}

static double round_mean(double x, double sd, double n)
{
    return dmin(n, dmax(0, floor_mean(x + 0.5, sd)));
}

/* ------------------------------------------------------------------ */
/* Layout                                                              */
/* ------------------------------------------------------------------ */

static inline double *gblk(const mf *s, int g)
{
    return s->gs + (size_t)g * s->gb;
}

/* Demo block of class c inside a group block: [nx][NBM][NL], first x. */
/* Service of class c: free classes are their service; obligation
 * classes follow, service-major. */
static inline int svc(const mf *s, int c)
{
    return c < s->ncls ? c : (c - s->ncls) / s->nobch;
}

/* The channel of an obligation class, -1 for a free class. */
static inline int och(const mf *s, int c)
{
    return c < s->ncls ? -1 : s->obchs[(c - s->ncls) % s->nobch];
}

/* The obligation class of service sv and channel ch. */
static inline int ocls(const mf *s, int sv, int ch)
{
    return s->ncls + sv * s->nobch + s->obk[ch];
}

static inline double *dblk(const mf *s, double *b, int c, int *x0, int *nx)
{
    if (c != s->scap) { /* young layout: x - service */
        int yb = c < s->scap ? c : s->scap + (c - s->ncls);
        *x0 = E0 + svc(s, c);
        *nx = NE;
        return b + (size_t)yb * NE * NBM * NL;
    }
    *x0 = s->xc0;
    *nx = s->nxc;
    return b + s->off_dc;
}

/* The rows of class c of group g that may hold mass (the others are 0):
 * pointer to the first, its x, their number. */
static inline double *dused(const mf *s, int g, double *b, int c, int *x0,
                            int *nx)
{
    double *d = dblk(s, b, c, x0, nx);
    size_t k = (size_t)g * (size_t)s->nall + (size_t)c;
    *x0 += s->rlo[k];
    *nx = s->rhi[k] - s->rlo[k];
    return d + (size_t)s->rlo[k] * NBM * NL;
}

/* Row `row` of class c of group g may now hold mass. */
static inline void row_used(mf *s, int g, int c, int row)
{
    size_t k = (size_t)g * (size_t)s->nall + (size_t)c;
    if (s->rlo[k] == s->rhi[k]) {
        s->rlo[k] = (int16_t)row;
        s->rhi[k] = (int16_t)(row + 1);
        return;
    }
    if (row < s->rlo[k])
        s->rlo[k] = (int16_t)row;
    if (row >= s->rhi[k])
        s->rhi[k] = (int16_t)(row + 1);
}

static inline double *tblk(const mf *s, double *b, int c, int sex)
{
    return b + s->off_tt + ((size_t)c * 2 + (size_t)sex) * s->ty;
}

static inline size_t tix(const mf *s, int k, int it, int q, int r)
{
    return (((size_t)k * (size_t)(s->ck + 1) + (size_t)it) * NQ + (size_t)q) *
               (size_t)(s->cr + 1) + (size_t)r;
}

static inline double *tiblk(const mf *s, double *b, int c)
{
    return b + s->off_ti + (size_t)c * s->nt * s->nit;
}

static inline double *obblk(const mf *s, double *b, int c)
{
    return b + s->off_ob + (size_t)c * NCH * s->nob;
}

/*
 * Class cd += a x class cs, every section, within group g. dx: 1 when the
 * move is the year's ageing (x stored one higher), else 0.
 */
static void class_axpy(mf *s, int g, int cd, int cs, double a, int dx)
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

/* Class c of group g x k, every section; k = 0 empties it. */
static void class_scale(mf *s, int g, int c, double k)
{
    double *b = gblk(s, g);
    int x0, nx;
    double *d = dused(s, g, b, c, &x0, &nx);
    for (size_t i = 0; i < (size_t)nx * NBM * NL; i++)
        d[i] *= k;
    double *t = tblk(s, b, c, 0);
    for (size_t i = 0; i < 2 * s->ty; i++)
        t[i] *= k;
    double *ti = tiblk(s, b, c);
    for (size_t i = 0; i < s->nt * s->nit; i++)
        ti[i] *= k;
    double *ob = obblk(s, b, c);
    for (size_t i = 0; i < NCH * s->nob; i++)
        ob[i] *= k;
    b[s->off_pr + (size_t)c] *= k;
    b[s->off_du + (size_t)c] *= k;
    b[s->off_bz + (size_t)c] *= k;
    if (k == 0) {
        size_t kk = (size_t)g * (size_t)s->nall + (size_t)c;
        s->rlo[kk] = s->rhi[kk] = 0;
    }
}

/* Masses of class c of group g (block b) by sex class. */
static void class_mass(const mf *s, int g, double *b, int c, double out[N_SX])
{
    int x0, nx;
    const double *d = dused(s, g, b, c, &x0, &nx);
    out[0] = out[1] = out[2] = 0;
    for (size_t k = 0; k < (size_t)nx * NBM; k++, d += NL)
        for (int l = 0; l < NL; l++)
            out[l / 2] += d[l];
}

static double class_total(const mf *s, int g, double *b, int c)
{
    double m[N_SX];
    class_mass(s, g, b, c, m);
    return m[0] + m[1] + m[2];
}

static double group_mass(const mf *s, int g)
{
    double *b = gblk(s, g), t = 0;
    if (!s->gon[g])
        return 0;
    for (int c = 0; c < s->nall; c++)
        t += class_total(s, g, b, c);
    return t;
}

static void tier_mass(const mf *s, int g, double *tm)
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

static inline double pool_of(const mf *s, size_t i)
{
    double t = 0;
    for (int y = 0; y <= s->pymax; y++)
        t += s->pool[i * (size_t)(s->pymax + 1) + (size_t)y];
    return t;
}

static inline double vout_of(const mf *s, size_t i)
{
    double t = 0;
    for (int y = 0; y <= s->tmax; y++)
        t += s->vout[i * (size_t)(s->tmax + 1) + (size_t)y];
    return t;
}

static inline double vin_of(const mf *s, size_t i)
{
    double t = 0;
    for (int y = 0; y <= s->tmax; y++)
        t += s->vin[i * (size_t)(s->tmax + 1) + (size_t)y];
    return t;
}

/* Teachers teaching at school i (not in the pool): the stochastic
 * model's headcount. */
static inline double heads(const mf *s, size_t i)
{
    return s->M[i] - pool_of(s, i) - vout_of(s, i) + vin_of(s, i);
}

/* Teachers of home school i teaching there (not pool, not away). */
static inline double residents(const mf *s, size_t i)
{
    return s->M[i] - pool_of(s, i) - vout_of(s, i);
}

/* Pool and visitors-away masses of group g. */
static void group_pool_vis(const mf *s, double *pool, double *vis)
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
    free(s->gs);
    free(s->snap);
    free(s->rlo);
    free(s->rhi);
    free(s->at);
    free(s->bbv);
    free(s->students);
    free(s->demand);
    free(s->M);
    free(s->B);
    free(s->pool);
    free(s->vout);
    free(s->vin);
    free(s->ccap);
    free(s->z1);
    free(s->z2);
    free(s->leavers);
    free(s->d1);
    free(s->d2);
    free(s->d3);
    free(s->d4);
    free(s->hsd);
    free(s->srt);
    free(s->list);
    free(s->post);
    free(s->hired);
    free(s->hbz);
    free(s->ah);
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
    if (!s->gs || !s->snap || !s->rlo || !s->rhi || !s->at || !s->bbv || !s->students ||
        !s->demand || !s->M || !s->B || !s->pool || !s->vout || !s->vin ||
        !s->ccap || !s->z1 || !s->z2 || !s->leavers || !s->d1 || !s->d2 ||
        !s->d3 || !s->d4 || !s->hsd || !s->srt || !s->list || !s->post ||
        !s->hired || !s->hbz || !s->ah) {
        mf_free(s);
        return NULL;
    }
    return s;
}

/* ------------------------------------------------------------------ */
/* Levelling: the continuous analogue of "the school with the most      */
/* posts (or the largest shortfall) first, one post at a time"          */
/* ------------------------------------------------------------------ */

static int by_value_desc(const void *a, const void *b)
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
static double solve_level(const sorted *a, size_t n, double A)
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
static void mv_add(mf *s, int gs, int gd, double amount, const double *tiers)
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
static void mv_apply(mf *s)
{
    if (!s->mv_any)
        return;
    memcpy(s->snap, s->gs, NG * s->gb * sizeof *s->gs);
    double tm[TW_WORLD_MAX_TIERS];
    for (int gs = 0; gs < NG; gs++) {
        double mass = 0;
        for (int c = 0; c < s->nall; c++)
            mass += class_total(s, gs, s->snap + (size_t)gs * s->gb, c);
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
static void rm_apply(mf *s)
{
    for (int g = 0; g < NG; g++) {
        if (s->rm[g] > 0)
            group_scale(s, g, ratio(s->rm[g], group_mass(s, g)));
        s->rm[g] = 0;
    }
}

/* Scale the hosts' visitors so that, per county, stage and term left,
 * they equal the visitors away from their home schools. */
static void sync_vin(mf *s)
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
static void sync_at(mf *s)
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
static void class_follow(mf *s, double *b, int c, const double before[N_SX],
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
    double *ti = tiblk(s, b, c);
    for (size_t k = 0; k < s->nt * s->nit; k++)
        ti[k] *= kt;
    double *ob = obblk(s, b, c);
    for (size_t k = 0; k < NCH * s->nob; k++)
        ob[k] *= kt;
    b[s->off_pr + (size_t)c] *= kt;
    b[s->off_du + (size_t)c] *= kt;
    b[s->off_bz + (size_t)c] *= kt;
}

/* 在编 teachers of group g (the class-level count). */
static double group_bz(const mf *s, int g)
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
static void schools_follow(mf *s, const double *frac, const double *fbz,
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
    sync_vin(s);
    sync_at(s);
}

/* ------------------------------------------------------------------ */
/* Initial population                                                  */
/* ------------------------------------------------------------------ */

/* population.c's max_age: the first age past the pre-2025 retirement age
 * of a sex class (base year's parameters); 200 without retirement. */
static int max_age(const tw_world *w, int sx)
{
    const tw_params *p = &w->params[0];
    if (!p->retire_on)
        return 200;
    int months = p->old_age_months[0];
    if (sx != SX_M) {
        months = p->old_age_months[p->female_category];
        if (sx == SX_F1 && p->senior_female_old_age_months > 0)
            months = p->senior_female_old_age_months;
    }
    return months / 12;
}

/*
 * population.c's draw_age as probabilities pam[age][month] (ages 0..99):
 * band, age in the band and birth month drawn uniformly, redrawn (up to
 * 1000 times, then the last draw is kept) until the teacher does not reach
 * `limit` before the end of the base year: age + (month > July) < limit.
 * With a the acceptance probability, P(v) = P0(v) [accepted] (1 - (1-a)^1000)
 * / a + P0(v) [rejected] (1-a)^999.
 */
static void age_probs(const tw_stock *k, int limit, double (*pam)[NBM])
{
    double pb[TW_N_AGE_BANDS], acc = 0;
    draw_probs(k->age_share, TW_N_AGE_BANDS, pb);
    memset(pam, 0, 100 * sizeof *pam);
    for (int b = 0; b < TW_N_AGE_BANDS; b++) {
        int lo = b == 0 ? 21 : 20 + 5 * b;
        int width = b == 0 ? 4 : b == TW_N_AGE_BANDS - 1 ? 2 : 5;
        for (int j = 0; j < width; j++)
            for (int bm = 0; bm < NBM; bm++) {
                double v = pb[b] / width / NBM;
                pam[lo + j][bm] += v;
                if (lo + j + (bm >= 7) < limit)
                    acc += v;
            }
    }
    double kacc = acc > 0 ? (1.0 - pow(1.0 - acc, 1000)) / acc : 0;
    double krej = acc > 0 ? pow(1.0 - acc, 999) : 1.0;
    for (int age = 0; age < 100; age++)
        for (int bm = 0; bm < NBM; bm++)
            pam[age][bm] *= age + (bm >= 7) < limit ? kacc : krej;
}

/*
 * The initial stock of group g (n teachers of stage `stage`). population.c
 * draws sex, tier and title, then an age and birth month conditioned on
 * not reaching the retirement age of the sex and title in the base year,
 * so the expected cells are products of the stock table's shares within
 * each sex class (men, women below 高级, women 高级+).
 */
static void init_group(mf *s, int g, double n, const tw_stock *k, int stage,
                       int loc)
{
    double *b = gblk(s, g);
    double pt[TW_WORLD_MAX_TIERS], pk[NK], pq[NQ], pam[100][NBM];
    draw_probs(k->tier_share, (int)s->nt, pt);
    draw_probs(k->title_share, NK, pk);
    draw_probs(k->qual_share, NQ, pq);
    double fem = clamp01(k->female_share);
    double sen = pk[TW_TITLE_SENIOR] + pk[TW_TITLE_FULL];
    double lay[N_SX] = {1.0 - fem, fem * (1.0 - sen), fem * sen};
    double prof = stage == TW_STAGE_VOCATIONAL ? clamp01(k->prof_share) : 0;
    double dual = prof * clamp01(k->dual_share);
    double *at = s->at + (size_t)g * (size_t)(s->ca + 1);
    for (int sx = 0; sx < N_SX; sx++) {
        if (!(lay[sx] > 0))
            continue;
        age_probs(k, max_age(s->w, sx), pam);
        /* titles of this sex class: all for men; below / from 高级 for
         * women, renormalised */
        double ptk[NK];
        for (int kk = 0; kk < NK; kk++) {
            int senior = kk >= TW_TITLE_SENIOR;
            ptk[kk] = sx == SX_M ? pk[kk]
                      : (sx == SX_F1) == senior
                          ? pk[kk] / (sx == SX_F1 ? sen : 1.0 - sen)
                          : 0;
        }
        for (int age = 0; age < 100; age++) {
            double ma = 0;
            for (int bm = 0; bm < NBM; bm++)
                ma += n * lay[sx] * pam[age][bm];
            if (!(ma > 0))
                continue;
            int service = age > 22 ? age - 22 : 0;
            int c = imin(service, s->scap);
            int span = imin(service, 10) + 1;
            int x0, nx;
            double *d = dblk(s, b, c, &x0, &nx);
            for (int bm = 0; bm < NBM; bm++) {
                int xi = age + (bm >= 7) - x0;
                double v = n * lay[sx] * pam[age][bm];
                if (!(v > 0))
                    continue;
                d[((size_t)xi * NBM + (size_t)bm) * NL + 2 * (size_t)sx] += v;
                row_used(s, g, c, xi);
            }
            /* title x years in title x qualification x rural years; the
             * rural counter is the years at the school in rural schools */
            double *t = tblk(s, b, c, sx != SX_M);
            for (int kk = 0; kk < NK; kk++)
                for (int it = 0; it < span; it++)
                    for (int q = 0; q < NQ; q++) {
                        double v = ma * ptk[kk] * pq[q] / span;
                        if (!(v > 0))
                            continue;
                        int ic = imin(it, s->ck);
                        if (loc != TW_LOC_RURAL) {
                            t[tix(s, kk, ic, q, 0)] += v;
                            continue;
                        }
                        for (int r = 0; r < span; r++)
                            t[tix(s, kk, ic, q, imin(r, s->cr))] += v / span;
                    }
            double *ti = tiblk(s, b, c);
            for (size_t i = 0; i < s->nt; i++)
                for (int y = 0; y < span; y++)
                    ti[i * s->nit + (size_t)imin(y, s->ct)] +=
                        ma * pt[i] / span;
            for (int y = 0; y < span; y++)
                at[imin(y, s->ca)] += ma / span;
            b[s->off_pr + (size_t)c] += ma * prof;
            b[s->off_du + (size_t)c] += ma * dual;
            b[s->off_bz + (size_t)c] += ma * clamp01(k->bianzhi_share);
        }
    }
}

/* ------------------------------------------------------------------ */
/* 1. Enrolment and demand (exact: deterministic)                      */
/* ------------------------------------------------------------------ */

static void demand(mf *s, size_t t)
{
    const tw_world *w = s->w;
    const tw_params *p = tw_world_params(w, t);
    for (size_t c = 0; c < s->nc; c++)
        s->ccap[c] = 0;
    for (size_t i = 0; i < s->ns; i++) {
        const tw_school *sc = &w->schools[i];
        int g = sc->stage, l = sc->locality;
        if (t > 0) {
            if (p->series_on[g][l])
                s->students[i] = sc->students0 * p->enrol_index[g][l];
            else
                s->students[i] *= 1.0 + p->enrol_trend[g][l];
        }
        double r = p->ratio[g];
        s->demand[i] = r > 0.0 ? s->students[i] / r * p->teach_share[g] *
                                     (1.0 + p->redundancy)
                               : 0.0;
        s->ccap[sc->county] += s->demand[i];
    }
}

static int mf_init(mf *s)
{
    const tw_world *w = s->w;
    s->xyear = s->year = w->base_year;
    for (size_t i = 0; i < s->ns; i++)
        s->students[i] = w->schools[i].students0;
    demand(s, 0);
    /* the initial placement of every replicate (tw_place_plan) */
    int64_t *place = malloc((s->ns ? s->ns : 1) * sizeof *place);
    if (place == NULL || tw_place_plan(w, s->demand, place) != 0) {
        free(place);
        return -1;
    }
    for (size_t i = 0; i < s->ns; i++)
        s->M[i] += (double)place[i];
    free(place);
    double n[NG] = {0};
    for (size_t i = 0; i < s->ns; i++) {
        const tw_school *sc = &w->schools[i];
        n[grp(sc)] += s->M[i];
        s->B[i] = s->M[i] * clamp01(w->stock[sc->stage].bianzhi_share);
    }
    for (int g = 0; g < NG; g++)
        if (n[g] > 0)
            init_group(s, g, n[g], &w->stock[g / TW_N_LOCS], g / TW_N_LOCS,
                       g % TW_N_LOCS);
    return 0;
}

/* ------------------------------------------------------------------ */
/* 2-4. Deaths, retirement, voluntary exit                              */
/* ------------------------------------------------------------------ */

static void deaths(mf *s, const tw_params *p)
{
    if (!p->deaths_on)
        return;
    double frac[NG] = {0}, gone[NG] = {0}, fbz[NG] = {0};
    for (int g = 0; g < NG; g++) {
        if (!s->gon[g])
            continue;
        double bz0 = group_bz(s, g);
        double *b = gblk(s, g), mass = 0;
        for (int c = 0; c < s->nall; c++) {
            double before[N_SX], out[N_SX] = {0};
            class_mass(s, g, b, c, before);
            mass += before[0] + before[1] + before[2];
            int x0, nx;
            double *d = dused(s, g, b, c, &x0, &nx);
            for (int xi = 0; xi < nx; xi++)
                for (int bm = 0; bm < NBM; bm++) {
                    int a = x0 + xi + (s->year - s->xyear) - (bm >= 7);
                    double q = dmin(1.0, p->death_rate[age_band(a)]);
                    if (!(q > 0))
                        continue;
                    double *cell = d + ((size_t)xi * NBM + (size_t)bm) * NL;
                    for (int l = 0; l < NL; l++) {
                        double v = cell[l] * q;
                        cell[l] -= v;
                        out[l / 2] += v;
                    }
                }
            class_follow(s, b, c, before, out);
            gone[g] += out[0] + out[1] + out[2];
        }
        frac[g] = ratio(gone[g], mass);
        fbz[g] = 1.0 - ratio(group_bz(s, g), bz0);
    }
    schools_follow(s, frac, fbz, gone, TW_EXIT_DEATH);
}

/* tw_proc_retire's category of a sex class. */
static void retire_cat(const tw_params *p, int sx, int *cat, int *old)
{
    if (sx == SX_M) {
        *cat = 0;
    } else if (sx == SX_F1 && p->senior_female_old_age_months > 0) {
        *cat = 0;
        *old = p->senior_female_old_age_months;
        return;
    } else {
        *cat = p->female_category == 2 ? 2 : 1;
    }
    *old = p->old_age_months[*cat];
}

/* Retirement, cell by cell: exact (tw_proc_retire with expected draws). */
static void retire(mf *s, const tw_params *p, int year)
{
    if (!p->retire_on)
        return;
    const long flex = p->flex_months > 0 ? p->flex_months : 0;
    const int min_years = tw_retire_min_years(p);
    const double pl = clamp01(p->p_late), pe = clamp01(p->p_early);
    double frac[NG] = {0}, gone[NG] = {0}, fbz[NG] = {0};
    for (int g = 0; g < NG; g++) {
        if (!s->gon[g])
            continue;
        double bz0 = group_bz(s, g);
        double *b = gblk(s, g), mass = 0;
        for (int c = 0; c < s->nall; c++) {
            double before[N_SX], out[N_SX] = {0};
            class_mass(s, g, b, c, before);
            mass += before[0] + before[1] + before[2];
            int x0, nx;
            double *d = dused(s, g, b, c, &x0, &nx);
            for (int xi = 0; xi < nx; xi++) {
                int x = x0 + xi + (year - s->xyear), by = year - x;
                if (x < min_years)
                    continue;
                for (int bm = 0; bm < NBM; bm++) {
                    double *cell = d + ((size_t)xi * NBM + (size_t)bm) * NL;
                    for (int sx = 0; sx < N_SX; sx++) {
                        double *nl = cell + 2 * sx, *lt = nl + 1;
                        if (!(*nl > 0) && !(*lt > 0))
                            continue;
                        int cat, old;
                        retire_cat(p, sx, &cat, &old);
                        long bmi = (long)by * 12 + bm;
                        long R = bmi + tw_retire_age_months(p, cat, old, by,
                                                            bm + 1);
                        double go = 0;
                        if (*lt > 0 && (R + flex) / 12 <= year) {
                            go += *lt;
                            *lt = 0;
                        }
                        if (*nl > 0) {
                            if (R / 12 <= year) {
                                double stay = (R + flex) / 12 > year
                                                  ? *nl * pl : 0;
                                go += *nl - stay;
                                *lt += stay;
                                *nl = 0;
                            } else {
                                long E = R - flex, O = bmi + old;
                                if (E < O)
                                    E = O;
                                if (E / 12 == year && pe > 0) {
                                    go += *nl * pe;
                                    *nl -= *nl * pe;
                                }
                            }
                        }
                        out[sx] += go;
                    }
                }
            }
            class_follow(s, b, c, before, out);
            gone[g] += out[0] + out[1] + out[2];
        }
        frac[g] = ratio(gone[g], mass);
        fbz[g] = 1.0 - ratio(group_bz(s, g), bz0);
    }
    schools_follow(s, frac, fbz, gone, TW_EXIT_RETIRE);
}

/* Voluntary exit, exact: a free class loses the hazard of its service
 * band; an obligation class loses nobody until the obligation ends. */
static void vexit(mf *s, const tw_params *p)
{
    double frac[NG] = {0}, gone[NG] = {0}, fbz[NG] = {0};
    for (int g = 0; g < NG; g++) {
        if (!s->gon[g])
            continue;
        double bz0 = group_bz(s, g);
        int st = g / TW_N_LOCS, lo = g % TW_N_LOCS;
        double *b = gblk(s, g), mass = 0;
        for (int c = 0; c < s->nall; c++) {
            double tot = class_total(s, g, b, c);
            mass += tot;
            if (!(tot > 0))
                continue;
            int ch = och(s, c);
            if (ch < 0) { /* free: the hazard of the band */
                if (!p->exit_on)
                    continue;
                double h = clamp01(p->exit_base[st] * p->exit_loc_factor[lo] *
                                   p->exit_service_factor[service_band(
                                       p, svc(s, c))]);
                class_scale(s, g, c, 1.0 - h);
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
            double out = p->exit_on ? end * clamp01(1.0 - p->retention[ch]) : 0;
            double keep = end - out;
            double pend[256];
            for (size_t k = 1; k < s->nob; k++)
                pend[k] = o[k];
            class_axpy(s, g, svc(s, c), c, keep / tot, 0);
            class_scale(s, g, c, 1.0 - end / tot);
            for (size_t k = 1; k < s->nob; k++)
                o[k] = pend[k];
            o[0] = 0;
            double *of = obblk(s, b, svc(s, c)); /* free classes hold none */
            for (size_t k = 0; k < NCH * s->nob; k++)
                of[k] = 0;
            gone[g] += out;
        }
        frac[g] = ratio(gone[g], mass);
        fbz[g] = 1.0 - ratio(group_bz(s, g), bz0);
    }
    schools_follow(s, frac, fbz, gone, TW_EXIT_VOLUNTARY);
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
static void strikes(mf *s, size_t t)
{
    const tw_world *w = s->w;
    const tw_school *sch = w->schools;
    int any = 0;
    for (size_t c = 0; c < s->nc && !any; c++)
        any = tw_world_cparams(w, t, c)->strikes_on;
    if (!any)
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
        double m = round_mean(cp->strike_share * N,
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
                if (sch[i].stage == st) {
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
                if (sch[j].stage != st)
                    continue;
                int lj = sch[j].locality;
                for (int l = 0; l < TW_N_LOCS; l++) {
                    double in = (O[l] - (l == lj ? mvout[j] : 0)) / (double)(n - 1);
                    double inb = (OB[l] - (l == lj ? mvout[j] * s->d2[j] : 0)) /
                                 (double)(n - 1);
                    s->M[j] += in;
                    s->B[j] += inb;
                    mv_add(s, st * TW_N_LOCS + l, grp(&sch[j]), in, NULL);
                    s->at[(size_t)grp(&sch[j]) * (size_t)(s->ca + 1)] += in;
                }
            }
        }
        a = b;
    }
    mv_apply(s);
    rm_apply(s);
    sync_vin(s);
    sync_at(s);
}

/* ------------------------------------------------------------------ */
/* 6. Professional development                                         */
/* ------------------------------------------------------------------ */

static void pool_fracs(mf *s, double *pf)
{
    double pool[NG], vis[NG];
    group_pool_vis(s, pool, vis);
    for (int g = 0; g < NG; g++)
        pf[g] = clamp01(ratio(pool[g], group_mass(s, g)));
}

/* Tier promotion; region-wide capacity and caps scale every candidate by
 * the same factor (the expected analogue of a random subset). */
static void tiers(mf *s, const tw_params *p)
{
    size_t nt = s->nt;
    if (!p->tier_on || s->w->n_tiers < 2)
        return;
    double pf[NG], stock[TW_WORLD_MAX_TIERS] = {0},
                   elig[TW_WORLD_MAX_TIERS] = {0},
                   out[TW_WORLD_MAX_TIERS] = {0},
                   scale[TW_WORLD_MAX_TIERS] = {0};
    pool_fracs(s, pf);
    for (int g = 0; g < NG; g++)
        for (int c = 0; s->gon[g] && c < s->nall; c++) {
            const double *tb = tiblk(s, gblk(s, g), c);
            for (size_t i = 0; i < nt; i++)
                for (size_t y = 0; y < s->nit; y++) {
                    double v = tb[i * s->nit + y];
                    stock[i] += v;
                    if (i + 1 < nt && (int)y >= p->tier_min_years[i] &&
                        p->tier_prob[i] > 0)
                        elig[i] += v * (1 - pf[g]);
                }
        }
    for (size_t j = nt - 1; j >= 1; j--) {
        int blocked = p->tier_capacity[j] == 0 ||
                      (p->tier_cap[j] >= 0 &&
                       stock[j] - elig[j] >= (double)p->tier_cap[j]);
        double cand = blocked ? 0 : elig[j - 1] * clamp01(p->tier_prob[j - 1]);
        double room = cand;
        if (p->tier_capacity[j] >= 0)
            room = dmin(room, (double)p->tier_capacity[j]);
        if (p->tier_cap[j] >= 0)
            room = dmin(room, dmax(0, (double)p->tier_cap[j] -
                                          (stock[j] - out[j])));
        scale[j] = ratio(room, cand);
        out[j - 1] = room;
        s->f.tier_promotions[j] += room;
    }
    for (int g = 0; g < NG; g++)
        for (int c = 0; s->gon[g] && c < s->nall; c++) {
            double *tb = tiblk(s, gblk(s, g), c);
            for (size_t i = nt - 1; i-- > 0;) {
                double r = clamp01(p->tier_prob[i]) * scale[i + 1] *
                           (1 - pf[g]);
                if (!(r > 0))
                    continue;
                size_t y0 = (size_t)imax(0, p->tier_min_years[i]);
                for (size_t y = y0; y < s->nit; y++) {
                    double v = tb[i * s->nit + y] * r;
                    tb[i * s->nit + y] -= v;
                    tb[(i + 1) * s->nit] += v;
                }
            }
        }
}

/* E[max(0, X)] for X ~ Normal(m, sd^2). */
static double mean_pos(double m, double sd)
{
    if (!(sd > 1e-9))
        return dmax(0, m);
    double z = m / sd;
    return sd * gsl_ran_ugaussian_pdf(z) + m * gsl_cdf_ugaussian_P(z);
}

/* E[min(c, max(0, X))] for X ~ Normal(m, sd^2), c >= 0: the expected
 * promotions at a school with room X and c candidates. */
static double mean_min_pos(double m, double sd, double c)
{
    return mean_pos(m, sd) - mean_pos(m - c, sd);
}

/* Is a title cell (title k, years it, qualification q, rural years r) of
 * a class of service sv eligible for k + 1? */
static int title_elig(const tw_params *p, int sv, int k, int it, int q,
                      int r)
{
    if (k < TW_TITLE_THIRD || k + 1 >= NK || p->title_prob[k] <= 0.0)
        return 0;
    int min = q == TW_QUAL_POSTGRAD ? p->title_min_years_postgrad[k]
                                    : p->title_min_years[k];
    if (it < min)
        return 0;
    if (k + 1 == TW_TITLE_SENIOR && r < p->senior_rural_years)
        return 0;
    if (k + 1 == TW_TITLE_FULL && sv < p->full_senior_service)
        return 0;
    return 1;
}

/*
 * Title promotion. Probation first (未定级 -> 二级 / 三级), then k -> k+1
 * from 正高级 down. A post cap (post_cap < 1) limits the holders of a title
 * at each school to floor(post_cap x the school's expected headcount);
 * every school holds its group's composition, so its candidates and
 * holders are its share of the group's. Women reaching 高级 move to the
 * 高级 demo layers (their retirement age changes).
 */
static void titles(mf *s, const tw_params *p)
{
    if (!p->title_on)
        return;
    double pf[NG];
    pool_fracs(s, pf);
    for (int g = 0; g < NG; g++) {
        if (!s->gon[g])
            continue;
        double *b = gblk(s, g), mass = group_mass(s, g);
        if (!(mass > 0))
            continue;
        double np = 1 - pf[g];
        double hold[NK] = {0}, cand[NK] = {0}, sigma[NK] = {0}, won[NK + 1] = {0};
        for (int c = 0; c < s->nall; c++)
            for (int sex = 0; sex < 2; sex++) {
                const double *t = tblk(s, b, c, sex);
                for (int k = 0; k < NK; k++)
                    for (int it = 0; it <= s->ck; it++)
                        for (int q = 0; q < NQ; q++)
                            for (int r = 0; r <= s->cr; r++) {
                                double v = t[tix(s, k, it, q, r)];
                                hold[k] += v;
                                if (title_elig(p, svc(s, c), k, it, q, r))
                                    cand[k + 1] += v * np *
                                                   clamp01(p->title_prob[k]);
                            }
            }
        double hsum = 0;
        for (size_t i = 0; i < s->ns; i++)
            if (grp(&s->w->schools[i]) == g)
                hsum += dmax(0, heads(s, i));
        for (int tt = TW_TITLE_FULL; tt >= TW_TITLE_SECOND; tt--) {
            double wv = cand[tt];
            if (p->post_cap[tt] < 1.0 && wv > 0 && hsum > 0) {
                wv = 0;
                for (size_t i = 0; i < s->ns; i++) {
                    if (grp(&s->w->schools[i]) != g)
                        continue;
                    double hd = dmax(0, heads(s, i)), sh = hd / hsum;
                    double lim = floor_mean(p->post_cap[tt] * hd,
                                           p->post_cap[tt] * s->hsd[i]);
                    /* the school's holders: a binomial sample of the
                     * group's, hd teachers with share pi */
                    double pi = clamp01(ratio(hold[tt], mass));
                    double sdh = sqrt(hd * pi * (1 - pi));
                    double room = lim - (hold[tt] * np - won[tt + 1]) * sh;
                    wv += mean_min_pos(room, sdh, cand[tt] * sh);
                }
            }
            won[tt] = wv;
            sigma[tt] = ratio(wv, cand[tt]);
            s->f.title_promotions[tt] += wv;
        }
        /* apply, from the top: a teacher moves at most once */
        for (int c = 0; c < s->nall; c++) {
            double f_to_senior = 0;
            for (int sex = 0; sex < 2; sex++) {
                double *t = tblk(s, b, c, sex);
                for (int tt = TW_TITLE_FULL; tt >= TW_TITLE_SECOND; tt--) {
                    int k = tt - 1;
                    double rate = clamp01(p->title_prob[k]) * sigma[tt] * np;
                    if (!(rate > 0))
                        continue;
                    for (int it = 0; it <= s->ck; it++)
                        for (int q = 0; q < NQ; q++)
                            for (int r = 0; r <= s->cr; r++) {
                                if (!title_elig(p, svc(s, c), k, it, q, r))
                                    continue;
                                double v = t[tix(s, k, it, q, r)] * rate;
                                t[tix(s, k, it, q, r)] -= v;
                                t[tix(s, tt, 0, q, r)] += v;
                                if (sex && tt == TW_TITLE_SENIOR)
                                    f_to_senior += v;
                            }
                }
                /* probation: no draw, no cap; not promoted again */
                if (svc(s, c) >= p->probation_years && np > 0) {
                    for (int it = 0; it <= s->ck; it++)
                        for (int q = 0; q < NQ; q++)
                            for (int r = 0; r <= s->cr; r++) {
                                double v = t[tix(s, TW_TITLE_NONE, it, q, r)] *
                                           np;
                                if (!(v > 0))
                                    continue;
                                int to = q >= TW_QUAL_BACHELOR
                                             ? TW_TITLE_SECOND
                                             : TW_TITLE_THIRD;
                                t[tix(s, TW_TITLE_NONE, it, q, r)] -= v;
                                t[tix(s, to, 0, q, r)] += v;
                                s->f.title_promotions[to] += v;
                            }
                }
            }
            if (!(f_to_senior > 0))
                continue;
            /* women's demo layers: below 高级 -> 高级, in proportion */
            double cm[N_SX];
            class_mass(s, g, b, c, cm);
            double f0 = dmin(1.0, ratio(f_to_senior, cm[SX_F0]));
            int x0, nx;
            double *d = dused(s, g, b, c, &x0, &nx);
            for (size_t k = 0; k < (size_t)nx * NBM; k++, d += NL)
                for (int lt = 0; lt < 2; lt++) {
                    double v = d[2 * SX_F0 + lt] * f0;
                    d[2 * SX_F0 + lt] -= v;
                    d[2 * SX_F1 + lt] += v;
                }
        }
    }
}

static void quals(mf *s, const tw_params *p)
{
    if (!p->qual_on)
        return;
    for (int g = 0; g < NG; g++)
        for (int c = 0; s->gon[g] && c < s->nall; c++)
            for (int sex = 0; sex < 2; sex++) {
                double *t = tblk(s, gblk(s, g), c, sex);
                for (int q = NQ - 2; q >= 0; q--) {
                    double pr = clamp01(p->qual_prob[q]);
                    if (!(pr > 0))
                        continue;
                    for (int k = 0; k < NK; k++)
                        for (int it = 0; it <= s->ck; it++)
                            for (int r = 0; r <= s->cr; r++) {
                                double v = t[tix(s, k, it, q, r)] * pr;
                                t[tix(s, k, it, q, r)] -= v;
                                t[tix(s, k, it, q + 1, r)] += v;
                                s->f.qual_upgrades += v;
                            }
                }
            }
}

static void dual(mf *s, const tw_params *p)
{
    if (!p->dual_on || p->dual_prob <= 0.0)
        return;
    double pr = clamp01(p->dual_prob);
    for (int l = 0; l < TW_N_LOCS; l++) {
        double *b = gblk(s, TW_STAGE_VOCATIONAL * TW_N_LOCS + l);
        for (int c = 0; c < s->nall; c++) {
            double v = dmax(0, b[s->off_pr + (size_t)c] -
                                   b[s->off_du + (size_t)c]) * pr;
            b[s->off_du + (size_t)c] += v;
            s->f.dual_certs += v;
        }
    }
}

/* ------------------------------------------------------------------ */
/* 7. Rotation under 县管校聘                                           */
/* ------------------------------------------------------------------ */

/* Returns from exchange terms: term left counts down; at 0 the teachers
 * are home again, with their years at the school restarted. */
static void returns(mf *s)
{
    if (s->tmax == 0)
        return;
    size_t nv = (size_t)s->tmax + 1, na = (size_t)s->ca + 1;
    for (size_t i = 0; i < s->ns; i++) {
        double *vo = s->vout + i * nv, *vi = s->vin + i * nv;
        double back = vo[1];
        s->f.exchange_returns += back;
        s->at[(size_t)grp(&s->w->schools[i]) * na] += back;
        for (size_t y = 1; y + 1 < nv; y++) {
            vo[y] = vo[y + 1];
            vi[y] = vi[y + 1];
        }
        vo[nv - 1] = vi[nv - 1] = 0;
        vo[0] = vi[0] = 0;
    }
    for (int g = 0; g < NG; g++) {
        double *bb = s->bbv + (size_t)g * nv;
        for (size_t y = 1; y + 1 < nv; y++)
            bb[y] = bb[y + 1];
        bb[nv - 1] = 0;
    }
}

/* A county: its schools [a, b) and parameters during rotation. */
typedef struct rcounty {
    size_t a, b, c;
    const tw_county_params *cp;
} rcounty;

/*
 * Voluntary transfers: rate x the residents of each school, to the other
 * schools of the county and stage in proportion to their positive
 * shortfall at the start of the step (uniformly when none is short).
 * Flows into j from the schools of locality l are computed in O(n):
 *   in_j = sf_j (A_l - [j in l] out_j / T_j) + (U_l - [j in l] out_j) / (n-1)
 * with T_i = sum of the others' shortfalls, A_l = sum out_i / T_i over
 * T_i > 0, U_l = sum out_i over T_i = 0.
 */
static void transfers(mf *s, const rcounty *k)
{
    const tw_school *sch = s->w->schools;
    double rate = k->cp->transfer_rate;
    if (!(rate > 0))
        return;
    double *sf = s->d1, *out = s->d2, *Ti = s->d3, *bz = s->d4;
    for (int st = 0; st < TW_N_STAGES; st++) {
        size_t n = 0;
        double T = 0;
        for (size_t i = k->a; i < k->b; i++)
            if (sch[i].stage == st) {
                n++;
                sf[i] = dmax(0, s->demand[i] - heads(s, i));
                T += sf[i];
            }
        if (n < 2)
            continue;
        double A[TW_N_LOCS] = {0}, U[TW_N_LOCS] = {0};
        double AB[TW_N_LOCS] = {0}, UB[TW_N_LOCS] = {0};
        for (size_t i = k->a; i < k->b; i++) {
            if (sch[i].stage != st)
                continue;
            int l = sch[i].locality;
            out[i] = rate * dmax(0, residents(s, i));
            bz[i] = clamp01(ratio(s->B[i], s->M[i]));
            Ti[i] = T - sf[i];
            if (Ti[i] <= 1e-12 * dmax(1.0, T))
                Ti[i] = 0;
            if (Ti[i] > 0) {
                A[l] += out[i] / Ti[i];
                AB[l] += out[i] * bz[i] / Ti[i];
            } else {
                U[l] += out[i];
                UB[l] += out[i] * bz[i];
            }
        }
        double moved[TW_N_LOCS] = {0};
        for (size_t i = k->a; i < k->b; i++) {
            if (sch[i].stage != st)
                continue;
            s->M[i] -= out[i];
            s->B[i] -= out[i] * bz[i];
            moved[sch[i].locality] += out[i];
            s->f.transfers += out[i];
        }
        for (int l = 0; l < TW_N_LOCS; l++) {
            int g = st * TW_N_LOCS + l;
            double *at = s->at + (size_t)g * (size_t)(s->ca + 1), t = 0;
            for (int y = 0; y <= s->ca; y++)
                t += at[y];
            double kk = 1.0 - dmin(1.0, ratio(moved[l], t));
            for (int y = 0; y <= s->ca; y++)
                at[y] *= kk;
        }
        for (size_t j = k->a; j < k->b; j++) {
            if (sch[j].stage != st)
                continue;
            int lj = sch[j].locality;
            for (int l = 0; l < TW_N_LOCS; l++) {
                int own = l == lj;
                double a1 = A[l], u1 = U[l], ab = AB[l], ub = UB[l];
                if (own && Ti[j] > 0) {
                    a1 -= out[j] / Ti[j];
                    ab -= out[j] * bz[j] / Ti[j];
                } else if (own) {
                    u1 -= out[j];
                    ub -= out[j] * bz[j];
                }
                double in = sf[j] * a1 + u1 / (double)(n - 1);
                double inb = sf[j] * ab + ub / (double)(n - 1);
                if (!(in > 0))
                    continue;
                s->M[j] += in;
                s->B[j] += inb;
                mv_add(s, st * TW_N_LOCS + l, grp(&sch[j]), in, NULL);
                s->at[(size_t)grp(&sch[j]) * (size_t)(s->ca + 1)] += in;
            }
        }
    }
}

/* Shares of group g under the exemption ages (men, women; 0 = none). */
static double under_age(const double (*ah)[2][AMAX + 1], int g, int em,
                        int ef, double mass)
{
    double v = 0;
    for (int sex = 0; sex < 2; sex++) {
        int lim = sex ? ef : em;
        for (int a = 0; a <= AMAX; a++)
            if (lim <= 0 || a < lim)
                v += ah[g][sex][a];
    }
    return clamp01(ratio(v, mass));
}

/* Water-fill `amount` into the schools of list[0..n) by key (largest
 * first, keys fall as they receive), writing the amounts into got[]. */
static void level_fill(mf *s, const size_t *list, size_t n, const double *key,
                       double amount, double *got)
{
    for (size_t q = 0; q < n; q++)
        got[list[q]] = 0;
    if (n == 0 || !(amount > 0))
        return;
    for (size_t q = 0; q < n; q++)
        s->srt[q] = (sorted){.v = key[list[q]], .w = 1.0, .i = list[q]};
    qsort(s->srt, n, sizeof *s->srt, by_value_desc);
    double L = solve_level(s->srt, n, amount);
    for (size_t q = 0; q < n; q++)
        got[s->srt[q].i] = dmax(0, s->srt[q].v - L);
}

/*
 * 交流轮岗 (exchange): eligible = residents of urban and town primary and
 * junior schools x the school's 在编 share x the group's shares with
 * eligible_years at the school and under the exemption age (independence).
 * Movers = share x eligible (+1/2 for the ceiling), backbone first; they go
 * to the county's rural schools of their stage by largest shortfall
 * (levelling), for term_years or for good.
 */
static void exchange(mf *s, const rcounty *k, const double (*ah)[2][AMAX + 1],
                     const double *gmass, const double (*tm)[TW_WORLD_MAX_TIERS])
{
    const tw_school *sch = s->w->schools;
    const tw_county_params *cp = k->cp;
    double *el = s->d1, *bb = s->d2;
    size_t na = (size_t)s->ca + 1, nv = (size_t)s->tmax + 1;
    int ey = imin(imax(cp->eligible_years, 0), s->ca);
    int bt = imax(0, cp->backbone_tier);
    double E = 0, Eb = 0;
    for (size_t i = k->a; i < k->b; i++) {
        el[i] = bb[i] = 0;
        const tw_school *sc = &sch[i];
        if ((sc->stage != TW_STAGE_PRIMARY && sc->stage != TW_STAGE_JUNIOR) ||
            sc->locality == TW_LOC_RURAL)
            continue;
        int g = grp(sc);
        const double *at = s->at + (size_t)g * na;
        double at_t = 0, at_e = 0;
        for (size_t y = 0; y < na; y++) {
            at_t += at[y];
            at_e += (int)y >= ey ? at[y] : 0;
        }
        double bbm = 0;
        for (size_t t = (size_t)bt; t < s->nt; t++)
            bbm += tm[g][t];
        el[i] = dmax(0, residents(s, i)) * clamp01(ratio(s->B[i], s->M[i])) *
                clamp01(ratio(at_e, at_t)) *
                under_age(ah, g, cp->exempt_age_male, cp->exempt_age_female,
                          gmass[g]);
        bb[i] = el[i] * clamp01(ratio(bbm, gmass[g]));
        E += el[i];
        Eb += bb[i];
    }
    if (!(E > 0))
        return;
    /* ceil(share x eligible): the eligible count varies between replicates
     * about as a Poisson count (each teacher's eligibility is random) */
    double movers = ceil_mean(cp->exchange_share * E,
                              cp->exchange_share * sqrt(E), E);
    double nb = dmin(ceil_mean(cp->backbone_share * movers,
                               cp->backbone_share * cp->exchange_share *
                                   sqrt(E),
                               movers),
                     Eb);
    double rest = movers - nb;
    double frb = ratio(nb, Eb), frr = ratio(rest, E - nb);
    int term = imin(cp->term_years, 255);
    size_t *list = s->list;
    double *key = s->d3, *got = s->d4;
    for (int st = TW_STAGE_PRIMARY; st <= TW_STAGE_JUNIOR; st++) {
        size_t n = 0;
        double amt = 0;
        for (size_t j = k->a; j < k->b; j++)
            if (sch[j].stage == st && sch[j].locality == TW_LOC_RURAL) {
                list[n++] = j;
                key[j] = s->demand[j] - heads(s, j);
            }
        for (size_t i = k->a; i < k->b; i++)
            if (sch[i].stage == st)
                amt += frb * bb[i] + frr * (el[i] - frb * bb[i]);
        if (n == 0 || !(amt > 0))
            continue; /* no rural school of the stage: they stay */
        level_fill(s, list, n, key, amt, got);
        double tiers_from[TW_N_LOCS][TW_WORLD_MAX_TIERS] = {{0}};
        double from[TW_N_LOCS] = {0}, from_bb[TW_N_LOCS] = {0};
        for (size_t i = k->a; i < k->b; i++) {
            if (sch[i].stage != st || !(el[i] > 0))
                continue;
            int l = sch[i].locality, g = grp(&sch[i]);
            double mb = frb * bb[i] + frr * (bb[i] - frb * bb[i]);
            double mi = frb * bb[i] + frr * (el[i] - frb * bb[i]);
            s->f.exchanges[l] += mi;
            from[l] += mi;
            from_bb[l] += mb;
            /* movers leave the residents' years-at-school distribution
             * from its eligible part */
            double *at = s->at + (size_t)g * na, at_e = 0;
            for (size_t y = (size_t)ey; y < na; y++)
                at_e += at[y];
            double kk = 1.0 - dmin(1.0, ratio(mi, at_e));
            for (size_t y = (size_t)ey; y < na; y++)
                at[y] *= kk;
            if (term > 0) {
                s->vout[i * nv + (size_t)term] += mi;
            } else {
                s->M[i] -= mi;
                s->B[i] -= mi; /* movers are 在编 */
            }
            /* movers' tiers: backbone ones from the backbone tiers */
            double bbm = 0, obm = 0;
            for (size_t t = 0; t < s->nt; t++) {
                if ((int)t >= bt)
                    bbm += tm[g][t];
                else
                    obm += tm[g][t];
            }
            for (size_t t = 0; t < s->nt; t++)
                tiers_from[l][t] += (int)t >= bt ? mb * ratio(tm[g][t], bbm)
                                                 : (mi - mb) * ratio(tm[g][t], obm);
        }
        double tot_from = from[0] + from[1] + from[2];
        for (size_t q = 0; q < n; q++) {
            size_t j = list[q];
            double in = got[j];
            if (!(in > 0))
                continue;
            if (term > 0) {
                s->vin[j * nv + (size_t)term] += in;
            } else {
                s->M[j] += in;
                s->B[j] += in;
                s->at[(size_t)grp(&sch[j]) * na] += in;
                for (int l = 0; l < TW_N_LOCS; l++) {
                    double sh = ratio(from[l], tot_from), tv[TW_WORLD_MAX_TIERS];
                    for (size_t t = 0; t < s->nt; t++)
                        tv[t] = tiers_from[l][t] * ratio(in, tot_from);
                    if (sh > 0)
                        mv_add(s, st * TW_N_LOCS + l, grp(&sch[j]), in * sh,
                               tv);
                }
            }
        }
        if (term > 0)
            for (int l = 0; l < TW_N_LOCS; l++) {
                int g = st * TW_N_LOCS + l;
                double *bv = s->bbv + (size_t)g * nv, old = 0;
                for (size_t i = 0; i < s->ns; i++)
                    if (grp(&sch[i]) == g)
                        old += s->vout[i * nv + (size_t)term];
                old -= from[l];
                if (old + from[l] > 0)
                    bv[term] = (bv[term] * dmax(0, old) + from_bb[l]) /
                               (dmax(0, old) + from[l]);
            }
    }
}

/*
 * 竞聘 rounds of one county (tw_proc_rotate's rounds()): 3a the pool
 * competes for open posts (round(demand) - headcount > 0), placed by
 * levelling; those unplaced after pool_max_years leave (落聘). 3b with 竞聘:
 * schools above round(demand) release the excess (on expected headcounts),
 * who take open posts of their stage; the rest enter the pool. Everyone
 * moved has the group's composition (the score ranking is not resolved).
 */
static void rounds(mf *s, const rcounty *k)
{
    const tw_school *sch = s->w->schools;
    const tw_county_params *cp = k->cp;
    size_t np1 = (size_t)s->pymax + 1;
    int rehire_on = cp->reform && cp->rehire_on;
    double *over = s->d1, *key = s->d2, *got = s->d3, *rel = s->d4;
    double holders = 0, pool_tot = 0;
    for (size_t i = k->a; i < k->b; i++) {
        over[i] = rehire_on && heads(s, i) > round(s->demand[i]) + EPS;
        holders += dmax(0, residents(s, i));
        pool_tot += pool_of(s, i);
    }
    size_t *list = s->list;
    if (pool_tot > 0) { /* 3a */
        for (size_t i = k->a; i < k->b; i++) {
            double *pl = s->pool + i * np1;
            for (size_t y = np1 - 1; y >= 1; y--) {
                if (y == np1 - 1)
                    pl[y] += pl[y - 1];
                else
                    pl[y] = pl[y - 1];
            }
            if (np1 > 1)
                pl[0] = 0;
        }
        for (int st = 0; st < TW_N_STAGES; st++) {
            size_t n = 0;
            double pst = 0, open = 0;
            for (size_t i = k->a; i < k->b; i++)
                if (sch[i].stage == st) {
                    list[n++] = i;
                    key[i] = round(s->demand[i]) - heads(s, i);
                    open += dmax(0, key[i]);
                    pst += pool_of(s, i);
                }
            if (!(pst > 0))
                continue;
            double placed = open > 0 ? dmin(pst, open) : 0;
            level_fill(s, list, n, key, placed, got);
            double phi = ratio(placed, pst);
            s->f.rehire_placed_cross += placed;
            double from[TW_N_LOCS] = {0}, fromb[TW_N_LOCS] = {0};
            for (size_t q = 0; q < n; q++) {
                size_t i = list[q];
                double *pl = s->pool + i * np1, pi = pool_of(s, i);
                double bz = clamp01(ratio(s->B[i], s->M[i]));
                double mvd = pi * phi;
                for (size_t y = 0; y < np1; y++)
                    pl[y] -= pl[y] * phi;
                s->M[i] -= mvd;
                s->B[i] -= mvd * bz;
                from[sch[i].locality] += mvd;
                fromb[sch[i].locality] += mvd * bz;
                /* unplaced after pool_max_years: 落聘 */
                double luo = 0;
                for (size_t y = 0; y < np1; y++)
                    if ((int)y >= cp->pool_max_years) {
                        luo += pl[y];
                        pl[y] = 0;
                    }
                if (luo > 0) {
                    s->M[i] -= luo;
                    s->B[i] -= luo * bz;
                    s->rm[grp(&sch[i])] += luo;
                    s->f.exits[TW_EXIT_LUOPIN][st] += luo;
                    s->leavers[k->c] += luo;
                }
            }
            for (size_t q = 0; q < n && placed > 0; q++) {
                size_t j = list[q];
                if (!(got[j] > 0))
                    continue;
                for (int l = 0; l < TW_N_LOCS; l++) {
                    double in = got[j] * ratio(from[l], placed);
                    s->M[j] += in;
                    s->B[j] += got[j] * ratio(fromb[l], placed);
                    mv_add(s, st * TW_N_LOCS + l, grp(&sch[j]), in, NULL);
                }
                s->at[(size_t)grp(&sch[j]) * (size_t)(s->ca + 1)] += got[j];
            }
        }
    }
    if (rehire_on) { /* 3b */
        double released = 0;
        for (size_t i = k->a; i < k->b; i++) {
            rel[i] = 0;
            if (!over[i])
                continue;
            rel[i] = dmin(dmax(0, heads(s, i) - round(s->demand[i])),
                          dmax(0, residents(s, i)));
            released += rel[i];
        }
        s->f.rehire_placed_in += holders - released;
        for (int st = 0; st < TW_N_STAGES && released > 0; st++) {
            size_t n = 0;
            double rst = 0, open = 0;
            for (size_t i = k->a; i < k->b; i++)
                if (sch[i].stage == st) {
                    list[n++] = i;
                    rst += rel[i];
                }
            if (!(rst > 0))
                continue;
            /* headcounts after the release */
            for (size_t q = 0; q < n; q++) {
                size_t i = list[q];
                key[i] = round(s->demand[i]) - (heads(s, i) - rel[i]);
                open += dmax(0, key[i]);
            }
            double placed = open > 0 ? dmin(rst, open) : 0;
            level_fill(s, list, n, key, placed, got);
            double phi = ratio(placed, rst);
            s->f.rehire_placed_cross += placed;
            double from[TW_N_LOCS] = {0}, fromb[TW_N_LOCS] = {0};
            for (size_t q = 0; q < n; q++) {
                size_t i = list[q];
                if (!(rel[i] > 0))
                    continue;
                double bz = clamp01(ratio(s->B[i], s->M[i]));
                double mvd = rel[i] * phi, un = rel[i] - mvd;
                s->M[i] -= mvd;
                s->B[i] -= mvd * bz;
                from[sch[i].locality] += mvd;
                fromb[sch[i].locality] += mvd * bz;
                if (cp->pool_max_years <= 0) {
                    s->M[i] -= un;
                    s->B[i] -= un * bz;
                    s->rm[grp(&sch[i])] += un;
                    s->f.exits[TW_EXIT_LUOPIN][st] += un;
                    s->leavers[k->c] += un;
                } else {
                    s->pool[i * np1] += un;
                    s->f.pool_entries += un;
                }
            }
            for (size_t q = 0; q < n && placed > 0; q++) {
                size_t j = list[q];
                if (!(got[j] > 0))
                    continue;
                for (int l = 0; l < TW_N_LOCS; l++) {
                    double in = got[j] * ratio(from[l], placed);
                    s->M[j] += in;
                    s->B[j] += got[j] * ratio(fromb[l], placed);
                    mv_add(s, st * TW_N_LOCS + l, grp(&sch[j]), in, NULL);
                }
                s->at[(size_t)grp(&sch[j]) * (size_t)(s->ca + 1)] += got[j];
            }
        }
    }
}

/* Ages by sex (exemption ages), tier masses and masses of every group. */
static void group_stats(mf *s, double (*ah)[2][AMAX + 1], double *gmass,
                        double (*tm)[TW_WORLD_MAX_TIERS])
{
    memset(ah, 0, NG * sizeof *ah);
    for (int g = 0; g < NG; g++) {
        gmass[g] = group_mass(s, g);
        tier_mass(s, g, tm[g]);
        double *b = gblk(s, g);
        for (int c = 0; s->gon[g] && c < s->nall; c++) {
            int x0, nx;
            const double *d = dused(s, g, b, c, &x0, &nx);
            for (int xi = 0; xi < nx; xi++)
                for (int bm = 0; bm < NBM; bm++) {
                    int a = imin(imax(x0 + xi + (s->year - s->xyear) -
                                          (bm >= 7), 0), AMAX);
                    const double *cell =
                        d + ((size_t)xi * NBM + (size_t)bm) * NL;
                    for (int l = 0; l < NL; l++)
                        ah[g][l >= 2][a] += cell[l];
                }
        }
    }
}

/*
 * 7. Rotation. tw_proc_rotate runs transfers, exchange and 竞聘 county by
 * county; counties share no teachers, so running each phase over every
 * county before the next is the same at the school level. The queued
 * group moves are applied after each phase: every teacher a phase moves
 * was in its group when the phase started.
 */
static void rotate(mf *s, size_t t)
{
    const tw_world *w = s->w;
    returns(s);
    double (*ah)[2][AMAX + 1] = s->ah;
    double gmass[NG], tm[NG][TW_WORLD_MAX_TIERS];
    for (int phase = 0; phase < 3; phase++) {
        if (phase == 1)
            group_stats(s, ah, gmass, tm);
        for (size_t a = 0; a < s->ns;) {
            size_t b = a + 1;
            while (b < s->ns && w->schools[b].county == w->schools[a].county)
                b++;
            rcounty k = {.a = a, .b = b, .c = w->schools[a].county,
                         .cp = tw_world_cparams(w, t, w->schools[a].county)};
            if (phase == 0)
                transfers(s, &k);
            else if (phase == 1 && k.cp->reform && k.cp->exchange_share > 0)
                exchange(s, &k, (const double (*)[2][AMAX + 1])ah, gmass,
                         (const double (*)[TW_WORLD_MAX_TIERS])tm);
            else if (phase == 2)
                rounds(s, &k);
            a = b;
        }
        mv_apply(s);
        rm_apply(s);
        sync_vin(s);
        sync_at(s);
    }
}

/* ------------------------------------------------------------------ */
/* 8. Recruitment                                                      */
/* ------------------------------------------------------------------ */

typedef struct rq {
    mf *s;
    const tw_county_params *cp;
    size_t a, b, c;
    double *post, *hired, *hbz; /* [ns] */
    double room;
    double got[NCH];
    double hg[NG][NCH];          /* hires by group and channel */
} rq;

static int is_bz(const tw_county_params *cp, int ch)
{
    return ch != TW_CH_CONTRACT && cp->ch[ch].bianzhi != 0;
}

static int may_hire(const rq *k, int ch, size_t i)
{
    const tw_channel_params *p = &k->cp->ch[ch];
    const tw_school *sc = &k->s->w->schools[i];
    if (!(p->stage_mask & (1 << sc->stage)) ||
        !(p->loc_mask & (1 << sc->locality)))
        return 0;
    if (ch == TW_CH_TEGANG && sc->locality != TW_LOC_RURAL)
        return 0;
    if (ch == TW_CH_ENTERPRISE && sc->stage != TW_STAGE_VOCATIONAL)
        return 0;
    return 1;
}

static double room_left(const rq *k, int ch)
{
    return (!k->cp->cap_on || !is_bz(k->cp, ch)) ? INFINITY : k->room;
}

/* Record hires of channel ch at school i. */
static void hire(rq *k, int ch, size_t i, double h)
{
    if (!(h > 0))
        return;
    const tw_school *sc = &k->s->w->schools[i];
    k->hired[i] += h;
    if (is_bz(k->cp, ch))
        k->hbz[i] += h;
    k->hg[grp(sc)][ch] += h;
    k->got[ch] += h;
    k->s->f.hires[ch][sc->stage] += h;
    if (k->cp->cap_on && is_bz(k->cp, ch))
        k->room -= h;
}

/*
 * Channel ch tries the posts left (levelling from the school with the most
 * posts; 公费师范生 rural first, then town, then urban) until max_hires
 * hires (< 0: no limit), max_tries posts (< 0: no limit) or the room; each
 * tried post is filled with fill_prob (1 when certain), the rest are left
 * unfilled.
 */
static void try_posts(rq *k, int ch, double max_hires, double max_tries,
                      int senior_only, int certain)
{
    mf *s = k->s;
    const tw_school *sch = s->w->schools;
    if ((max_hires >= 0 && !(max_hires > EPS)) ||
        (max_tries >= 0 && !(max_tries > EPS)) || !(room_left(k, ch) > EPS))
        return;
    double remT = max_tries < 0 ? INFINITY : max_tries;
    double remH = max_hires < 0 ? INFINITY : max_hires;
    static const int order_funded[TW_N_LOCS] = {TW_LOC_RURAL, TW_LOC_TOWN,
                                                TW_LOC_URBAN};
    int npass = ch == TW_CH_FUNDED ? TW_N_LOCS : 1;
    for (int pass = 0; pass < npass; pass++) {
        double limH = dmin(remH, room_left(k, ch));
        if (!(remT > EPS) || !(limH > EPS))
            break;
        size_t n = 0;
        for (size_t i = k->a; i < k->b; i++) {
            if (!(k->post[i] > EPS) || !may_hire(k, ch, i) ||
                (senior_only && sch[i].stage != TW_STAGE_SENIOR) ||
                (npass > 1 && sch[i].locality != order_funded[pass]))
                continue;
            double pr = certain ? 1.0
                                : clamp01(k->cp->fill_prob[sch[i].locality]);
            s->srt[n++] = (sorted){.v = k->post[i], .w = pr, .i = i};
        }
        if (n == 0)
            continue;
        qsort(s->srt, n, sizeof *s->srt, by_value_desc);
        double allT = 0, allH = 0;
        for (size_t q = 0; q < n; q++) {
            allT += s->srt[q].v;
            allH += s->srt[q].v * s->srt[q].w;
        }
        double L = 0;
        if (allT > remT) {
            for (size_t q = 0; q < n; q++)
                s->d1[q] = s->srt[q].w, s->srt[q].w = 1.0;
            L = dmax(L, solve_level(s->srt, n, remT));
            for (size_t q = 0; q < n; q++)
                s->srt[q].w = s->d1[q];
        }
        if (allH > limH)
            L = dmax(L, solve_level(s->srt, n, limH));
        double usedT = 0, usedH = 0;
        for (size_t q = 0; q < n; q++) {
            size_t i = s->srt[q].i;
            double tries = dmax(0, s->srt[q].v - L), h = tries * s->srt[q].w;
            k->post[i] -= tries;
            s->f.unfilled[sch[i].stage] += tries - h;
            hire(k, ch, i, h);
            usedT += tries;
            usedH += h;
        }
        remT -= usedT;
        remH -= usedH;
    }
}

/* 公费师范生: the cohort into its posts (no fill draw), the rest into the
 * rural schools of its stages by largest shortfall, within the room. */
static void place_funded(rq *k)
{
    mf *s = k->s;
    const tw_school *sch = s->w->schools;
    const tw_channel_params *p = &k->cp->ch[TW_CH_FUNDED];
    double owed = (double)p->cohort - k->got[TW_CH_FUNDED];
    if (!(owed > EPS))
        return;
    try_posts(k, TW_CH_FUNDED, owed, -1, 0, 1);
    owed = (double)p->cohort - k->got[TW_CH_FUNDED];
    owed = dmin(owed, room_left(k, TW_CH_FUNDED));
    if (!(owed > EPS))
        return;
    size_t n = 0, *list = s->list;
    for (size_t i = k->a; i < k->b; i++)
        if ((p->stage_mask & (1 << sch[i].stage)) &&
            sch[i].locality == TW_LOC_RURAL)
            list[n++] = i;
    if (n == 0)
        for (size_t i = k->a; i < k->b; i++)
            if (may_hire(k, TW_CH_FUNDED, i))
                list[n++] = i;
    double *key = s->d2, *got = s->d3;
    for (size_t q = 0; q < n; q++)
        key[list[q]] = round(s->demand[list[q]]) - heads(s, list[q]) -
                       k->hired[list[q]];
    level_fill(s, list, n, key, owed, got);
    for (size_t q = 0; q < n; q++)
        hire(k, TW_CH_FUNDED, list[q], got[list[q]]);
}

/* The new hires of channel ch (county parameters cp), h teachers of group
 * g: their cells (service class 0, tier 0, title 未定级). */
static void add_hires(mf *s, int g, int ch, const tw_county_params *cp,
                      double h)
{
    const tw_channel_params *p = &cp->ch[ch];
    int stage = g / TW_N_LOCS;
    double *b = gblk(s, g);
    int ob = p->obligation < 0 ? 0 : p->obligation > 255 ? 255 : p->obligation;
    int c0 = ob > 0 ? ocls(s, 0, ch) : 0; /* under an obligation: own class */
    double pa[NA] = {0};
    if (p->age_sd > 0.0) {
        for (int kk = 0; kk < NA; kk++) {
            int age = A0 + kk;
            double lo = kk == 0 ? -INFINITY : (age - 0.5 - p->age_mean) / p->age_sd;
            double hi = kk == NA - 1 ? INFINITY
                                     : (age + 0.5 - p->age_mean) / p->age_sd;
            pa[kk] = lo > 0 ? gsl_cdf_ugaussian_Q(lo) - gsl_cdf_ugaussian_Q(hi)
                            : gsl_cdf_ugaussian_P(hi) - gsl_cdf_ugaussian_P(lo);
        }
    } else {
        long age = isfinite(p->age_mean) ? lround(p->age_mean) : A0;
        age = age < A0 ? A0 : age > A0 + NA - 1 ? A0 + NA - 1 : age;
        pa[age - A0] = 1;
    }
    double fem = clamp01(p->female_share[stage]);
    double pq[NQ] = {0};
    if (ch == TW_CH_TALENT) {
        pq[TW_QUAL_POSTGRAD] = 1;
    } else {
        double sum = 0;
        int npos = 0, last = TW_QUAL_BACHELOR;
        for (int q = 0; q < NQ; q++)
            if (p->qual_share[q] > 0) {
                sum += p->qual_share[q];
                npos++;
                last = q;
            }
        if (npos <= 1)
            pq[last] = 1;
        else
            for (int q = 0; q < NQ; q++)
                pq[q] = p->qual_share[q] > 0 ? p->qual_share[q] / sum : 0;
    }
    int x0, nx;
    double *d = dblk(s, b, c0, &x0, &nx);
    for (int kk = 0; kk < NA; kk++) {
        if (!(pa[kk] > 0))
            continue;
        /* x = year - birth year = the age drawn, stored in the coordinates
         * of s->xyear until the year's ageing */
        int xi = A0 + kk - (s->year - s->xyear) - x0;
        row_used(s, g, c0, xi);
        for (int bm = 0; bm < NBM; bm++) {
            double *cell = d + ((size_t)xi * NBM + (size_t)bm) * NL;
            cell[2 * SX_M] += h * pa[kk] / NBM * (1 - fem);
            cell[2 * SX_F0] += h * pa[kk] / NBM * fem;
        }
    }
    for (int sex = 0; sex < 2; sex++) {
        double *t = tblk(s, b, c0, sex);
        for (int q = 0; q < NQ; q++)
            t[tix(s, TW_TITLE_NONE, 0, q, 0)] += h * (sex ? fem : 1 - fem) * pq[q];
    }
    tiblk(s, b, c0)[0] += h;
    if (ch != TW_CH_CONTRACT && p->bianzhi)
        b[s->off_bz + (size_t)c0] += h;
    if (ob > 0)
        obblk(s, b, c0)[(size_t)ch * s->nob + (size_t)ob] += h;
    if (stage == TW_STAGE_VOCATIONAL) {
        double prof = ch == TW_CH_ENTERPRISE
                          ? 1.0
                          : clamp01(s->w->stock[TW_STAGE_VOCATIONAL].prof_share);
        b[s->off_pr + (size_t)c0] += h * prof;
        b[s->off_du + (size_t)c0] += h * prof * clamp01(p->dual_prob);
    }
    s->at[(size_t)g * (size_t)(s->ca + 1)] += h;
}

static void recruit_county(rq *k)
{
    mf *s = k->s;
    const tw_school *sch = s->w->schools;
    const tw_county_params *cp = k->cp;
    double vac = 0, bz = 0;
    for (size_t i = k->a; i < k->b; i++) {
        k->post[i] = dmax(0, round(s->demand[i]) - heads(s, i));
        vac += k->post[i];
        bz += s->B[i];
        k->hired[i] = k->hbz[i] = 0;
    }
    k->room = dmax(0, floor(s->ccap[k->c]) - bz);
    memset(k->got, 0, sizeof k->got);
    memset(k->hg, 0, sizeof k->hg);
    double H = vac;
    switch (cp->hire_policy) {
    case TW_HIRE_QUOTA:
    case TW_HIRE_SCHEDULE:
        H = cp->quota > 0 ? (double)cp->quota : 0;
        break;
    case TW_HIRE_REPLACE:
        H = dmax(0, cp->replace_share * s->leavers[k->c]);
        break;
    default:
        break;
    }
    if (H < vac - EPS) { /* level the vacancies from the top */
        size_t n = 0;
        for (size_t i = k->a; i < k->b; i++)
            if (k->post[i] > 0)
                s->srt[n++] = (sorted){.v = k->post[i], .w = 1, .i = i};
        qsort(s->srt, n, sizeof *s->srt, by_value_desc);
        double L = H > 0 ? dmax(0, solve_level(s->srt, n, H)) : INFINITY;
        for (size_t i = k->a; i < k->b; i++)
            k->post[i] = dmax(0, k->post[i] - L);
    } else if (H > vac + EPS) { /* the excess in proportion to demand */
        double D = 0, E = H - vac;
        for (size_t i = k->a; i < k->b; i++)
            D += s->demand[i] > 0 ? s->demand[i] : 0;
        for (size_t i = k->a; i < k->b; i++)
            k->post[i] += D > 0 ? E * dmax(0, s->demand[i]) / D
                                : E / (double)(k->b - k->a);
    }

    const tw_channel_params *tal = &cp->ch[TW_CH_TALENT];
    int talent_in_order = 0;
    for (int j = 0; j < cp->n_order && j < NCH; j++)
        talent_in_order |= cp->order[j] == TW_CH_TALENT;
    if (talent_in_order && tal->on && tal->share > 0.0) {
        double hs = 0;
        for (size_t i = k->a; i < k->b; i++)
            if (sch[i].stage == TW_STAGE_SENIOR)
                hs += k->post[i];
        double R = ceil_mean(tal->share * hs, tal->share * sqrt(hs), hs);
        if (tal->cohort >= 0 && R > (double)tal->cohort)
            R = (double)tal->cohort;
        try_posts(k, TW_CH_TALENT, -1, R, 1, 0);
    }
    for (int j = 0; j < cp->n_order && j < NCH; j++) {
        int ch = cp->order[j];
        if (ch < 0 || ch >= NCH || !cp->ch[ch].on)
            continue;
        if (ch == TW_CH_FUNDED) {
            place_funded(k);
        } else {
            double cap = (double)cp->ch[ch].cohort;
            double left = cap < 0 ? -1 : dmax(0, cap - k->got[ch]);
            try_posts(k, ch, left, -1, 0, 0);
        }
    }
    for (size_t i = k->a; i < k->b; i++) {
        s->f.unfilled[sch[i].stage] += k->post[i];
        s->M[i] += k->hired[i];
        s->B[i] += k->hbz[i];
    }
    for (int g = 0; g < NG; g++)
        for (int ch = 0; ch < NCH; ch++)
            if (k->hg[g][ch] > 0)
                add_hires(s, g, ch, cp, k->hg[g][ch]);
}

static void recruit(mf *s, size_t t)
{
    const tw_world *w = s->w;
    rq k = {.s = s, .post = s->post, .hired = s->hired, .hbz = s->hbz};
    for (size_t a = 0; a < s->ns;) {
        size_t b = a + 1;
        while (b < s->ns && w->schools[b].county == w->schools[a].county)
            b++;
        k.a = a;
        k.b = b;
        k.c = w->schools[a].county;
        k.cp = tw_world_cparams(w, t, k.c);
        recruit_county(&k);
        a = b;
    }
    sync_at(s);
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

static void age(mf *s)
{
    double pool[NG], vis[NG];
    group_pool_vis(s, pool, vis);
    size_t row = NBM * NL;
    for (int g = 0; g < NG; g++) {
        if (!s->gon[g])
            continue;
        double *b = gblk(s, g), mass = group_mass(s, g);
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
                class_axpy(s, g, to, c, 1.0, 1);
                class_scale(s, g, c, 0);
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

/* ------------------------------------------------------------------ */
/* Recording (record.c's conventions, on expected counts)              */
/* ------------------------------------------------------------------ */

static inline void put(double *row, size_t col, double v)
{
    if (col != TW_NO_METRIC)
        row[col] = v;
}

static void record(mf *s, double *row, int year, double *hires_cum)
{
    const tw_fm *fm = &s->m->fm;
    const tw_world *w = s->w;
    const tw_school *sch = w->schools;
    int shift = s->xyear - year;
    double stage[TW_N_STAGES] = {0}, sloc[TW_N_STAGES][TW_N_LOCS] = {{0}};
    double posted[TW_N_STAGES] = {0}, tier[TW_WORLD_MAX_TIERS] = {0};
    double title[NK] = {0}, qual[TW_N_STAGES][NQ] = {{0}};
    double agec[TW_N_AGE_BANDS] = {0};
    double female = 0, prof = 0, dualc = 0, backbone = 0, bb_rural = 0;
    double pool[NG], vis[NG], pool_t = 0;
    group_pool_vis(s, pool, vis);
    int bt = fm->backbone_tier;
    size_t nv = (size_t)s->tmax + 1;
    for (int g = 0; g < NG; g++) {
        if (!s->gon[g])
            continue;
        int st = g / TW_N_LOCS, lo = g % TW_N_LOCS;
        double *b = gblk(s, g), mass = 0, gbb = 0;
        for (int c = 0; c < s->nall; c++) {
            int x0, nx;
            const double *d = dused(s, g, b, c, &x0, &nx);
            for (int xi = 0; xi < nx; xi++)
                for (int bm = 0; bm < NBM; bm++) {
                    const double *cell = d + ((size_t)xi * NBM + (size_t)bm) * NL;
                    double v = 0, vf = 0;
                    for (int l = 0; l < NL; l++) {
                        v += cell[l];
                        vf += l >= 2 ? cell[l] : 0;
                        s->diag.min_cell = dmin(s->diag.min_cell, cell[l]);
                    }
                    agec[age_band(x0 + xi - shift - (bm >= 7))] += v;
                    mass += v;
                    female += vf;
                }
            for (int sex = 0; sex < 2; sex++) {
                const double *t = tblk(s, b, c, sex);
                for (int k = 0; k < NK; k++)
                    for (int it = 0; it <= s->ck; it++)
                        for (int q = 0; q < NQ; q++)
                            for (int r = 0; r <= s->cr; r++) {
                                double v = t[tix(s, k, it, q, r)];
                                title[k] += v;
                                qual[st][q] += v;
                            }
            }
            const double *ti = tiblk(s, b, c);
            for (size_t i = 0; i < s->nt; i++)
                for (size_t y = 0; y < s->nit; y++) {
                    tier[i] += ti[i * s->nit + y];
                    if ((int)i >= bt)
                        gbb += ti[i * s->nit + y];
                }
            prof += b[s->off_pr + (size_t)c];
            dualc += b[s->off_du + (size_t)c];
        }
        stage[st] += mass;
        sloc[st][lo] += mass - vis[g];
        sloc[st][TW_LOC_RURAL] += vis[g];
        posted[st] += mass - pool[g];
        pool_t += pool[g];
        backbone += gbb;
        if (lo == TW_LOC_RURAL)
            bb_rural += gbb;
    }
    for (size_t i = 0; i < s->ns; i++) {
        int g = grp(&sch[i]);
        for (size_t y = 0; y < nv; y++)
            bb_rural += s->vout[i * nv + y] * s->bbv[(size_t)g * nv + y];
    }
    double bianzhi = 0;
    for (int g = 0; g < NG; g++)
        bianzhi += group_bz(s, g);
    tw_fm_stock k;
    memcpy(k.stage, stage, sizeof k.stage);
    memcpy(k.sloc, sloc, sizeof k.sloc);
    memcpy(k.posted, posted, sizeof k.posted);
    memcpy(k.qual, qual, sizeof k.qual);
    memcpy(k.tier, tier, sizeof k.tier);
    memcpy(k.title, title, sizeof k.title);
    memcpy(k.age, agec, sizeof k.age);
    k.bianzhi = bianzhi;
    k.pool = pool_t;
    k.prof = prof;
    k.dual = dualc;
    k.female = female;
    k.backbone = backbone;
    k.backbone_rural = bb_rural;
    tw_fm_put_stock(fm, w, &k, row);
    tw_fm_put_flows(fm, w, &s->f, row, hires_cum);

    double students[TW_N_STAGES] = {0}, dem[TW_N_STAGES] = {0};
    double gap[TW_N_STAGES][TW_N_LOCS] = {{0}}, gap_total = 0, ok = 0;
    double school_stock[NG] = {0};
    for (size_t i = 0; i < s->ns; i++) {
        const tw_school *sc = &sch[i];
        double hd = heads(s, i);
        students[sc->stage] += s->students[i];
        dem[sc->stage] += s->demand[i];
        double gp = s->demand[i] - hd;
        gap[sc->stage][sc->locality] += gp;
        gap_total += gp;
        /* the rounded expected headcount reaches the rounded demand */
        ok += hd >= floor(s->demand[i] + 0.5) - 0.5;
        school_stock[grp(sc)] += s->M[i];
    }
    for (int st = 0; st < TW_N_STAGES; st++) {
        put(row, fm->students[st], students[st]);
        put(row, fm->demand[st], dem[st]);
        put(row, fm->spt[st], ratio(students[st], posted[st]));
        for (int lo = 0; lo < TW_N_LOCS; lo++)
            put(row, fm->gap[st][lo], gap[st][lo]);
    }
    put(row, fm->gap_total, gap_total);
    put(row, fm->schools_ok_share, ratio(ok, (double)w->n_schools));
    put(row, fm->backbone_rural_share, ratio(bb_rural, backbone));
    double cap = 0;
    for (size_t c = 0; c < s->nc; c++)
        cap += s->ccap[c];
    put(row, fm->est_cap, cap);
    put(row, fm->est_used, bianzhi);

    /* diagnostics: the school view and the cell view of every group */
    for (int g = 0; g < NG; g++) {
        double cells = group_mass(s, g);
        double d = fabs(school_stock[g] - cells) / dmax(1.0, cells);
        s->diag.max_imbalance = dmax(s->diag.max_imbalance, d);
    }
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
    demand(s, t);          /* 1. enrolment and demand */
    deaths(s, p);          /* 2. deaths */
    retire(s, p, year);    /* 3. retirement */
    vexit(s, p);           /* 4. voluntary exit */
    strikes(s, t);         /* 5. 末位退出 */
    tiers(s, p);           /* 6. professional development */
    titles(s, p);
    quals(s, p);
    dual(s, p);
    rotate(s, t);          /* 7. rotation under 县管校聘 */
    recruit(s, t);         /* 8. recruitment */
    age(s);                /* 9. ageing and counters */
}

static int run_full(const tw_model *m, double *traj, tw_mf_diag *diag,
                    tw_error *err)
{
    mf *s = mf_alloc(m);
    if (s == NULL || mf_init(s) != 0) {
        mf_free(s);
        return tw_error_set(err, TW_EFAIL, "out of memory for the mean-field "
                                           "state");
    }
    size_t nm = m->metrics.n;
    double cum = 0;
    record(s, traj, s->w->base_year, &cum);
    for (size_t t = 1; t < m->n_years; t++) {
        step(s, t);
        record(s, traj + t * nm, s->w->base_year + (int)t, &cum);
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
