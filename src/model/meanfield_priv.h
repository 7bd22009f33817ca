/*
 * meanfield_priv.h - the state of the mean-field mode (tw_meanfield.h,
 * docs/meanfield.md), shared by its driver and by the expected-value form
 * of each process, which lives beside the stochastic form it mirrors:
 *
 *   meanfield.c          the state (alloc, cells, moves), the year, the run
 *   population_mf.c      the initial stock            (population.c)
 *   proc_close_mf.c      closures (撤并)               (proc_close.c)
 *   proc_exits_mf.c      demand, deaths, retirement,  (proc_exits.c)
 *                        voluntary exit, 末位, ageing
 *   proc_develop_mf.c    tiers, titles, quals, 双师型  (proc_develop.c)
 *   proc_rotate_mf.c     县管校聘 rotation              (proc_rotate.c)
 *   proc_recruit_mf.c    recruitment channels         (proc_recruit.c)
 *   subjects_mf.c        teachers by subject          (subjects.c)
 *   record_mf.c          a year's metrics row         (record.c)
 *
 * Expected counts are propagated deterministically through the year of
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
 * applies its queue from one snapshot (tw_mf_mv_apply), so every mover leaves
 * with its group's composition at the start of the phase.
 */
#ifndef TW_MEANFIELD_PRIV_H
#define TW_MEANFIELD_PRIV_H

#include <stddef.h>
#include <stdint.h>

#include "tw_config.h"
#include "tw_meanfield.h"
#include "tw_record.h"
#include "tw_world.h"

#include "proc_exits.h" /* clamp01; death_band, the records' age band too */

#define NG (TW_N_STAGES * TW_N_LOCS)
#define NE 27  /* x - c in young classes: 19..45 (a hire of age 20..45 is
                  stored one year younger until the year's ageing) */
#define E0 19
#define NBM 12 /* birth months */
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
    /* subjects (subjects_mf.c), only when the world has some: expected
     * teachers by home group and subject, each group's row summing to its
     * mass after tw_mf_subj_sync; the rows' mix at the last sync */
    double subj[NG][TW_MAX_SUBJECTS];
    double subj_mix[NG][TW_MAX_SUBJECTS];
    /* ... and each school's teachers of each subject as a distribution
     * (the counts' shape decides the hires' subjects and the shortages):
     * sp[i] is [n_subjects][stop[i] + 2], P(count = x) for x = 0 ..
     * stop[i]; shd[i] the headcount it stands for */
    double **sp;
    int *stop;
    double *shd;
    int subj_oom;               /* memory ran out in subjects_mf.c */
    uint32_t *into;             /* [4 ns] when the world has closures:
                                   tw_sim.into, then 3 ns scratch */
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
static inline int grp(const tw_school *sc)
{
    return sc->stage * TW_N_LOCS + sc->locality;
}
static inline double ratio(double a, double b) { return b > 0 ? a / b : 0.0; }


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

/* Sum of row i of a [rows][top + 1] array. */
static inline double row_sum(const double *a, size_t i, int top)
{
    double t = 0;
    for (int y = 0; y <= top; y++)
        t += a[i * (size_t)(top + 1) + (size_t)y];
    return t;
}

/* School i's pool, and its teachers away and hosted on exchange terms. */
static inline double pool_of(const mf *s, size_t i)
{
    return row_sum(s->pool, i, s->pymax);
}

static inline double vout_of(const mf *s, size_t i)
{
    return row_sum(s->vout, i, s->tmax);
}

static inline double vin_of(const mf *s, size_t i)
{
    return row_sum(s->vin, i, s->tmax);
}

/* Whether school i is open (tw_sim_open). */
static inline int mf_open(const mf *s, size_t i)
{
    return s->into == NULL || s->into[i] == (uint32_t)i;
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

/* ------------------------------------------------------------------ */
/* The state's operations (meanfield.c; each documented there)        */
/* ------------------------------------------------------------------ */

/* Expected values of the stochastic model's rounding and draws */
void tw_mf_draw_probs(const double *p, int n, double *out);
double tw_mf_floor_mean(double m, double sd);
double tw_mf_ceil_mean(double x, double sd, double n);
double tw_mf_round_mean(double x, double sd, double n);

/* Classes and groups: masses, scaling */
void tw_mf_class_axpy(mf *s, int g, int cd, int cs, double a, int dx);
void tw_mf_class_scale(mf *s, int g, int c, double k);
void tw_mf_class_mass(const mf *s, int g, double *b, int c, double out[N_SX]);
double tw_mf_class_total(const mf *s, int g, double *b, int c);
double tw_mf_group_mass(const mf *s, int g);
void tw_mf_tier_mass(const mf *s, int g, double *tm);
void tw_mf_group_pool_vis(const mf *s, double *pool, double *vis);

/* Levelling: posts and movers spread from the top */
int tw_mf_by_value_desc(const void *a, const void *b);
double tw_mf_solve_level(const sorted *a, size_t n, double A);
void tw_mf_level_fill(mf *s, const size_t *list, size_t n, const double *key,
                      double amount, double *got);

/* Moving and removing mass between and from groups */
void tw_mf_mv_add(mf *s, int gs, int gd, double amount, const double *tiers);
void tw_mf_mv_apply(mf *s);
void tw_mf_rm_apply(mf *s);
void tw_mf_sync_vin(mf *s);
void tw_mf_sync_at(mf *s);

/* After a removal from the demo cells: the class's other sections and
 * the group's schools follow */
void tw_mf_class_follow(mf *s, double *b, int c, const double before[N_SX],
                        const double gone[N_SX]);
double tw_mf_group_bz(const mf *s, int g);
void tw_mf_schools_follow(mf *s, const double *frac, const double *fbz,
                          const double *gone, tw_exit reason);

/* ------------------------------------------------------------------ */
/* The processes, in tw_sim_step's order, each beside its stochastic  */
/* form; called from the year in meanfield.c                          */
/* ------------------------------------------------------------------ */

/* population_mf.c */
int tw_mf_init(mf *s);

/* proc_close_mf.c */
void tw_mf_close(mf *s);
void tw_mf_close_demand(mf *s, size_t t);

/* proc_exits_mf.c */
void tw_mf_demand(mf *s, size_t t);
void tw_mf_deaths(mf *s, const tw_params *p);
void tw_mf_retire(mf *s, const tw_params *p);
void tw_mf_exit(mf *s, const tw_params *p);
void tw_mf_strikes(mf *s, size_t t);
void tw_mf_age(mf *s);

/* proc_develop_mf.c */
void tw_mf_tiers(mf *s, const tw_params *p);
void tw_mf_titles(mf *s, const tw_params *p);
void tw_mf_quals(mf *s, const tw_params *p);
void tw_mf_dual(mf *s, const tw_params *p);

/* proc_rotate_mf.c */
void tw_mf_rotate(mf *s, size_t t);

/* proc_recruit_mf.c */
void tw_mf_recruit(mf *s, size_t t);

/* subjects_mf.c */
int tw_mf_subj_init(mf *s);
void tw_mf_subj_free(mf *s);
void tw_mf_subj_sync(mf *s);
void tw_mf_subj_schools(mf *s);
void tw_mf_subj_hire(mf *s, size_t i, double h);
void tw_mf_subj_record(mf *s, double *row);

/* record_mf.c */
void tw_mf_record(mf *s, double *row, int year, double *hires_cum);

#endif /* TW_MEANFIELD_PRIV_H */
