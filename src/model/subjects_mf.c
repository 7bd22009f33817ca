/*
 * subjects_mf.c - the mean-field form of the subjects (subjects.c, the
 * hires' subject in proc_recruit.c, the subject metrics of record.c;
 * docs/meanfield.md "Subjects"). Only a world with subjects calls it.
 *
 * Two views, as for the stock itself:
 *
 *   s->subj[g][j]  expected teachers of home group g (stage x locality)
 *                  and subject j: teachers.subject.<j>. No process but
 *                  recruitment reads a subject, so exits scale a group's
 *                  subjects alike (tw_mf_subj_sync rescales each row to
 *                  the group's mass in the cells) and moves between
 *                  groups carry the source group's mix (tw_mf_mv_apply).
 *   s->sp[i]       school i's teachers of each subject as a distribution,
 *                  P(X_ij = x): a hire takes the subject with the largest
 *                  shortfall of whole teachers, and whether a school has
 *                  0 or 1 teacher of a small subject is what decides it,
 *                  which an expected count cannot tell. The subjects are
 *                  taken as independent. The base year's are binomials
 *                  of the school's teachers and its stage's mix (one draw
 *                  per teacher); a change in the school's headcount
 *                  moves every subject's count by its mean (a fall
 *                  scales them alike, a rise adds its group's mix; see
 *                  shift), and each hire moves them by the probabilities
 *                  of the rule.
 */
#include "meanfield_priv.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>

/* ------------------------------------------------------------------ */
/* Groups                                                              */
/* ------------------------------------------------------------------ */

/* Each group's row rescaled to its mass (exits scale every subject
 * alike), and its mix kept in s->subj_mix. */
void tw_mf_subj_sync(mf *s)
{
    const tw_world *w = s->w;
    size_t nj = w->n_subjects;
    for (int g = 0; g < NG; g++) {
        double m = s->gon[g] ? tw_mf_group_mass(s, g) : 0.0, t = 0.0;
        for (size_t j = 0; j < nj; j++)
            t += s->subj[g][j];
        for (size_t j = 0; j < nj; j++) {
            /* a group that never had a teacher: the stock's mix stands in
             * for its composition */
            double x = t > 0 ? s->subj[g][j] / t
                             : w->subject_stock[g / TW_N_LOCS][j];
            s->subj_mix[g][j] = x;
            s->subj[g][j] = m * x;
        }
    }
}

/* ------------------------------------------------------------------ */
/* Schools: a distribution per subject                                 */
/* ------------------------------------------------------------------ */

static inline size_t width(const mf *s, size_t i)
{
    return (size_t)s->stop[i] + 2;
}

static inline double *pmf_of(const mf *s, size_t i, size_t j)
{
    return s->sp[i] + j * width(s, i);
}

/* Room for counts up to `top` at school i (the new entries 0). */
static int grow(mf *s, size_t i, int top)
{
    if (top <= s->stop[i])
        return 0;
    size_t nj = s->w->n_subjects, w0 = width(s, i), w1 = (size_t)top + 2;
    double *p = calloc(nj * w1, sizeof *p);
    if (p == NULL) {
        s->subj_oom = 1;
        return -1;
    }
    for (size_t j = 0; j < nj; j++)
        memcpy(p + j * w1, s->sp[i] + j * w0, w0 * sizeof *p);
    free(s->sp[i]);
    s->sp[i] = p;
    s->stop[i] = top;
    return 0;
}

/* The base-year stock: each teacher's subject is drawn from the stage's
 * mix (population.c draw_subject), so a group holds its mass times the
 * mix and a school of N teachers a binomial count of each subject. */
int tw_mf_subj_init(mf *s)
{
    const tw_world *w = s->w;
    size_t ns = s->ns ? s->ns : 1;
    s->sp = calloc(ns, sizeof *s->sp);
    s->stop = calloc(ns, sizeof *s->stop);
    s->shd = calloc(ns, sizeof *s->shd);
    if (s->sp == NULL || s->stop == NULL || s->shd == NULL)
        return -1;
    for (int g = 0; g < NG; g++) {
        double m = tw_mf_group_mass(s, g);
        for (size_t j = 0; j < w->n_subjects; j++)
            s->subj[g][j] = m * w->subject_stock[g / TW_N_LOCS][j];
    }
    tw_mf_subj_sync(s);
    for (size_t i = 0; i < s->ns; i++) {
        int st = w->schools[i].stage;
        double hd = dmax(0.0, heads(s, i));
        int n = (int)floor(hd + 0.5);
        s->stop[i] = n;
        s->sp[i] = calloc(w->n_subjects * width(s, i), sizeof(double));
        if (s->sp[i] == NULL)
            return -1;
        for (size_t j = 0; j < w->n_subjects; j++) {
            double *p = pmf_of(s, i, j), q = clamp01(w->subject_stock[st][j]);
            for (int x = 0; x <= n; x++)
                p[x] = gsl_ran_binomial_pdf((unsigned)x, q, (unsigned)n);
        }
        s->shd[i] = hd;
    }
    return 0;
}

void tw_mf_subj_free(mf *s)
{
    if (s->sp != NULL)
        for (size_t i = 0; i < s->ns; i++)
            free(s->sp[i]);
    free(s->sp);
    free(s->stop);
    free(s->shd);
    s->sp = NULL;
    s->stop = NULL;
    s->shd = NULL;
}

/* The largest count with mass (above 1e-15) in p[0..top]. */
static int last_used(const double *p, int top)
{
    while (top > 0 && !(p[top] > 1e-15))
        top--;
    return top;
}

/* p[0..top]: a count x becomes a x + b, split between the two whole
 * counts around it so that the mean moves exactly (the mass past top is
 * dropped; the caller makes room). Exits and moves change a school's
 * counts by their means only: the spread they add the stochastic model's
 * next hires take away again (a hire goes where the count fell short). */
static void shift(double *p, int top, double a, double b, double *tmp)
{
    for (int y = 0; y <= top; y++)
        tmp[y] = 0.0;
    for (int x = 0; x <= top; x++) {
        if (!(p[x] > 0))
            continue;
        double v = dmax(0.0, a * x + b), f = floor(v);
        int y = (int)f;
        if (y <= top)
            tmp[y] += p[x] * (1.0 - (v - f));
        if (y + 1 <= top)
            tmp[y + 1] += p[x] * (v - f);
    }
    memcpy(p, tmp, ((size_t)top + 1) * sizeof *p);
}

/*
 * Every school's distributions follow its headcount since they were last
 * set: a fall thins every subject alike (exits, movers out), a rise adds
 * arrivals with the group's mix (movers in, visitors). A school that
 * lost and gained in one year is taken at its net change.
 */
void tw_mf_subj_schools(mf *s)
{
    const tw_world *w = s->w;
    size_t nj = w->n_subjects;
    double *tmp = NULL;
    size_t cap = 0;
    for (size_t i = 0; i < s->ns; i++) {
        double hd = mf_open(s, i) ? dmax(0.0, heads(s, i)) : 0.0;
        double was = s->shd[i];
        if (fabs(hd - was) < 1e-12)
            continue;
        int g = grp(&w->schools[i]);
        if (hd > was) {
            double dm = hd - was;
            if (grow(s, i, s->stop[i] + (int)ceil(dm) + 2) != 0)
                break;
        }
        if ((size_t)s->stop[i] + 1 > cap) {
            free(tmp);
            cap = (size_t)s->stop[i] + 1;
            tmp = malloc(cap * sizeof *tmp);
            if (tmp == NULL) {
                s->subj_oom = 1;
                return;
            }
        }
        for (size_t j = 0; j < nj; j++) {
            double *p = pmf_of(s, i, j);
            int top = last_used(p, s->stop[i]);
            if (hd < was)
                shift(p, top, was > 0 ? hd / was : 0.0, 0.0, tmp);
            else
                shift(p, s->stop[i], 1.0, (hd - was) * s->subj_mix[g][j],
                      tmp);
        }
        s->shd[i] = hd;
    }
    free(tmp);
}

/* The counts of a subject that carry mass (above 1e-13; a count below
 * it changes no figure, and the normalisation of a hire keeps it whole),
 * and their tail sums t[x] = P(X >= x) for x in [lo, hi + 1]. */
typedef struct span {
    int lo, hi;
    const double *t;
} span;

/* P(X >= y) for a real y: the count is at least ceil(y). */
static double tail_ge(const span *sp, double y)
{
    double c = ceil(y - 1e-9);
    if (c <= sp->lo)
        return 1.0;
    if (c > sp->hi)
        return 0.0;
    return sp->t[(size_t)c];
}

/* P(X > y): at least floor(y) + 1. */
static double tail_gt(const span *sp, double y)
{
    return tail_ge(sp, floor(y + 1e-9) + 1.0);
}

/*
 * One hire at school i, with probability a: q_j(x) = P(X_j = x and the
 * hire takes j) under tw_subject_most_short's rule (the largest gap
 * demand_ij - X_j, ties to the lowest index; on the teaching-load basis,
 * once no gap is positive, the largest split gap d x share - X_j), the
 * subjects independent; then a hire of j turns X_j = x into x + 1. Adds
 * a P(j) to add[j]. D[], S[]: the demands and splits; tail[], q[]:
 * scratch of [nj][top + 2].
 */
static void hire_one(mf *s, size_t i, double a, const double *D,
                     const double *S, const int *on, double *tail, double *q,
                     double *add)
{
    const tw_world *w = s->w;
    size_t nj = w->n_subjects, w1 = width(s, i);
    int top = s->stop[i];
    int load = w->subject_load_mask >> w->schools[i].stage & 1;
    span sp[TW_MAX_SUBJECTS];
    for (size_t j = 0; j < nj; j++) {
        const double *p = pmf_of(s, i, j);
        double *t = tail + j * w1, acc = 0.0;
        int lo = 0, hi = top;
        while (lo < top && !(p[lo] > 1e-13))
            lo++;
        while (hi > lo && !(p[hi] > 1e-13))
            hi--;
        t[hi + 1] = 0.0;
        for (int x = hi; x >= lo; x--)
            t[x] = acc += p[x];
        sp[j] = (span){.lo = lo, .hi = hi, .t = t};
    }
    double tot = 0.0;
    for (size_t j = 0; j < nj; j++) {
        const double *p = pmf_of(s, i, j);
        double *qj = q + j * w1;
        for (int x = sp[j].lo; x <= sp[j].hi; x++) {
            qj[x] = 0.0;
            if (!on[j] || !(p[x] > 1e-13))
                continue;
            double gj = D[j] - x, win = p[x];
            if (gj > 0.0 || !load) {
                /* k before j must be strictly behind (a tie goes to k):
                 * D_k - X_k < gj, X_k > D_k - gj; k after j may tie */
                for (size_t k = 0; k < nj && win > 0; k++)
                    if (k != j && on[k])
                        win *= k < j ? tail_gt(&sp[k], D[k] - gj)
                                     : tail_ge(&sp[k], D[k] - gj);
            } else {
                /* no gap positive (X_k >= D_k), the split gap wins */
                double sj = S[j] - x;
                for (size_t k = 0; k < nj && win > 0; k++)
                    if (k != j && on[k]) {
                        double y = S[k] - sj;
                        win *= tail_ge(&sp[k],
                                       dmax(D[k], k < j ? floor(y + 1e-9) + 1
                                                        : y));
                    }
            }
            qj[x] = win;
            tot += win;
        }
    }
    if (!(tot > 0))
        return;
    for (size_t j = 0; j < nj; j++) {
        double *p = pmf_of(s, i, j), *qj = q + j * w1, pj = 0.0;
        for (int x = sp[j].hi; x >= sp[j].lo; x--) {
            double m = a * qj[x] / tot; /* the rule picks one: sum 1 */
            pj += m;
            p[x] -= m;
            p[x + 1] += m; /* x + 1 <= top: grow made room */
        }
        add[j] += pj;
    }
}

/*
 * h hires at school i (an expected number: whole hires, then the
 * fraction), each to the subject tw_subject_most_short gives. Call
 * before the hires join s->M[i] (after tw_mf_subj_schools).
 */
void tw_mf_subj_hire(mf *s, size_t i, double h)
{
    const tw_world *w = s->w;
    size_t nj = w->n_subjects;
    if (nj == 0 || !(h > 1e-12))
        return;
    int g = grp(&w->schools[i]), st = w->schools[i].stage;
    int top = 0;
    for (size_t j = 0; j < nj; j++) {
        int u = last_used(pmf_of(s, i, j), s->stop[i]);
        top = u > top ? u : top;
    }
    if (grow(s, i, top + (int)ceil(h) + 1) != 0)
        return;
    size_t w1 = width(s, i);
    double *tail = malloc(2 * nj * w1 * sizeof *tail);
    if (tail == NULL) {
        s->subj_oom = 1;
        return;
    }
    double D[TW_MAX_SUBJECTS], S[TW_MAX_SUBJECTS];
    double add[TW_MAX_SUBJECTS] = {0};
    int on[TW_MAX_SUBJECTS];
    tw_subject_demands(w, (size_t)(s->year - w->base_year), i, s->students[i],
                       s->demand[i], D);
    for (size_t j = 0; j < nj; j++) {
        on[j] = w->subject_share[st][j] > 0.0;
        /* the split gap of tw_subject_most_short: the ratio's split on the
         * teaching-load basis, the demand itself (floors included) else */
        S[j] = (w->subject_load_mask >> st & 1)
                   ? s->demand[i] * w->subject_share[st][j]
                   : D[j];
    }
    for (double left = h; left > 1e-12; left -= 1.0)
        hire_one(s, i, dmin(1.0, left), D, S, on, tail, tail + nj * w1, add);
    free(tail);
    for (size_t j = 0; j < nj; j++)
        s->subj[g][j] += add[j];
    s->shd[i] += h;
}

/* ------------------------------------------------------------------ */
/* The row                                                             */
/* ------------------------------------------------------------------ */

static inline void put(double *row, size_t col, double v)
{
    if (col != TW_NO_METRIC)
        row[col] = v;
}

/*
 * The subject metrics (record.c put_subjects, the region's row):
 * teachers by subject, the sums of the groups' rows (they add up to the
 * total); over the open schools, E[max(0, round(demand_ij) - X_ij)] and
 * P(X_ij = 0) where demand_ij > 0, from the schools' distributions.
 */
void tw_mf_subj_record(mf *s, double *row)
{
    const tw_fm *fm = &s->m->fm;
    const tw_world *w = s->w;
    size_t nj = w->n_subjects;
    double tot[TW_MAX_SUBJECTS] = {0}, sh[TW_MAX_SUBJECTS] = {0},
           wo[TW_MAX_SUBJECTS] = {0}, load = 0.0;
    tw_mf_subj_sync(s);
    tw_mf_subj_schools(s);
    for (int g = 0; g < NG; g++)
        for (size_t j = 0; j < nj; j++)
            tot[j] += s->subj[g][j];
    for (size_t i = 0; i < s->ns; i++) {
        if (!mf_open(s, i))
            continue;
        double dem[TW_MAX_SUBJECTS];
        tw_subject_demands(w, (size_t)(s->year - w->base_year), i,
                           s->students[i], s->demand[i], dem);
        for (size_t j = 0; j < nj; j++) {
            const double *p = pmf_of(s, i, j);
            double ds = dem[j];
            double r = floor(ds + 0.5), e = 0.0;
            load += ds;
            for (int x = 0; x < r && x <= s->stop[i]; x++)
                e += (r - x) * p[x];
            sh[j] += e;
            if (ds > 0.0)
                wo[j] += dmax(0.0, p[0]);
        }
    }
    for (size_t j = 0; j < nj; j++) {
        put(row, fm->subj_teachers[j], tot[j]);
        put(row, fm->subj_short[j], sh[j]);
        put(row, fm->subj_without[j], wo[j]);
    }
    put(row, fm->demand_load, load);
}
