/*
 * proc_rotate.c - MODEL.md §3.7: rotation under 县管校聘 (the county manages
 * the teachers, the schools hire them): returns from exchange terms,
 * voluntary transfers, 交流轮岗 (exchange of urban/town teachers to rural
 * schools) and 竞聘 (competitive re-hiring) with its 待岗培训 (training
 * pool) and 落聘 (loss of the teaching post).
 *
 * One call, in this order:
 *
 *   0. returns           every county: exchange terms count down
 *   then, county by county (the county of a teacher is its home school's):
 *   1. transfers         every year, at cp->transfer_rate
 *   2. exchange          cp->reform, stages of rotation.stages, only to
 *                        rural schools below demand
 *   3a. the pool         whenever the county's pool is not empty
 *   3b-d. 竞聘            cp->reform && cp->rehire_on, stages of
 *                        rotation.stages; a visitor holds its home post
 *
 * Scratch during the call (w->schools is grouped by county, tw_world.h, so
 * a county is a run of consecutive schools [a, a+ns)):
 *
 *   idx:       [ county run 0 | run 1 | ... ]   teachers not gone, by the
 *              run of their home school, in s->T order within a run. Each
 *              step partitions its run's segment in place, so a segment is
 *              always a permutation of its county's teachers.
 *   sscratch:  [ run[NS] | roff[NR+1] | list[ns] | boff[ns+1] | bnext[ns] |
 *                pos[ns] | heap[ns] ]
 *              run of each school, run bounds in idx, the county's schools
 *              sorted by (stage, locality), bucket bounds by school, each
 *              school's place in list, the shortfall heaps. At most 7 NS +
 *              2 words; then held[NS] (visitors minus own teachers away,
 *              by school), 8 NS + 2 <= 8 NS + 8 words.
 *   dscratch:  [ gap[ns] | post[ns] | dem[ns] ]  in list order:
 *              shortfalls, during transfers; posts under 竞聘,
 *              round(demand) + held (so that headcount - post compares
 *              the post holders with round(demand)); demand.
 *
 * Headcounts: counted once, with the returns, then kept current by every
 * move, so s->S[*].headcount is exact on return. With subjects, so are
 * the counts by school and subject (s->subj_n), and s->subj_d holds the
 * schools' demand by subject: an exchange mover and a 竞聘 candidate go
 * first to a school short in their subject (subject_dest), and a school
 * above its posts releases from its subjects over their demand first
 * (surplus_first). Those choices scan the stage's schools instead of the
 * heaps, and draw nothing more.
 *
 * Random numbers: per-teacher draws (transfers) in s->T order within a
 * county; group draws (selection of exchange movers, random order of equal
 * scores) on lists built deterministically from s->T; counties in the
 * order of their schools. Nothing is drawn when the outcome is certain.
 */
#include "tw_world.h"

#include "proc_rotate.h"

#include <math.h>
#include <string.h>

#include <gsl/gsl_randist.h>

#include "tw_rng.h"

/* Score of a teacher in the 竞聘 rounds: tier first, then title (higher is
 * better); equal scores are ranked at random. */
#define SCORE_KEYS (TW_WORLD_MAX_TIERS * TW_N_TITLES)
#define N_GROUPS (TW_N_STAGES * TW_N_LOCS)

/* What the in-place bucket sort sorts by. */
typedef enum {
    KEY_STAGE,      /* stage of the home school */
    KEY_SCHOOL,     /* current school, relative to the county's first */
    KEY_SCORE_ASC,  /* worst first */
    KEY_SCORE_DESC  /* best first */
} sort_mode;

/* One county during a call. */
typedef struct county {
    tw_sim *s;
    const tw_county_params *cp;
    uint32_t a, ns;              /* its schools: [a, a + ns) */
    uint32_t *list;              /* [ns]: its schools by (stage, locality) */
    uint32_t goff[N_GROUPS + 1]; /* list[goff[3 st + l] ..) = stage st,
                                    locality l */
    uint32_t *boff, *bnext;      /* [ns + 1], [ns]: buckets by school */
    uint32_t *pos;               /* [ns]: list position of school a + j */
    double *gap;                 /* [ns], during the transfers: demand -
                                    headcount of school list[q] */
    double *post;                /* [ns]: posts of school list[q] under
                                    竞聘, round(demand) (fixed in the call) */
    double *dem;                 /* [ns]: demand of school list[q] */
    uint32_t *heap;              /* [ns]: shortfall heaps (short_heap) */
    int32_t *held;               /* [ns], school a + j: visitors teaching
                                    there minus its own teachers away on an
                                    exchange term (kept current) */
    uint32_t *seg;               /* its teachers, in idx */
    size_t m;
} county;

static inline void swap_u32(uint32_t *p, uint32_t *q)
{
    uint32_t t = *p;
    *p = *q;
    *q = t;
}

/*
 * One step of a forward three-way partition. Before visiting v[i]:
 *
 *   v = [ class 0: 0..a | class 1: a..b | class 2: b..i | not visited ]
 *
 * v[i], of class cl, joins its part by a rotation of at most three
 * entries; the part not yet visited is never touched, so a caller can act
 * on every teacher in the original order while it partitions.
 */
static inline void part3(uint32_t *v, size_t i, size_t *a, size_t *b, int cl)
{
    if (cl == 2)
        return;
    uint32_t t = v[i];
    v[i] = v[*b];
    if (cl == 0) {
        v[*b] = v[*a];
        v[(*a)++] = t;
        (*b)++;
    } else {
        v[(*b)++] = t;
    }
}

/* Posts of school i (of the county) under 竞聘: round(demand). */
static inline double posts(const county *c, uint32_t i)
{
    return c->post[c->pos[i - c->a]];
}

static size_t score(const tw_teachers *T, size_t k)
{
    size_t tier = T->tier[k] < TW_WORLD_MAX_TIERS ? T->tier[k]
                                                  : TW_WORLD_MAX_TIERS - 1;
    size_t title = T->title[k] < TW_N_TITLES ? T->title[k] : TW_N_TITLES - 1;
    return tier * TW_N_TITLES + title;
}

static inline size_t sort_key(const county *c, uint32_t k, sort_mode mode)
{
    const tw_teachers arrays = c->s->T, *T = &arrays;
    switch (mode) {
    case KEY_STAGE:
        return c->s->w->schools[T->home[k]].stage;
    case KEY_SCHOOL:
        return T->school[k] - c->a;
    case KEY_SCORE_ASC:
        return score(T, k);
    case KEY_SCORE_DESC:
        break;
    }
    return SCORE_KEYS - 1 - score(T, k);
}

/*
 * Sort v[0..n) in place into nk buckets by key (American flag sort: O(n +
 * nk), not stable). On return v[off[b] .. off[b+1]) holds bucket b; off has
 * nk + 1 entries, next nk. The permutation applied depends on the keys
 * only, so a randomly ordered input stays randomly ordered within a key.
 */
static void bucket_sort(const county *c, uint32_t *v, size_t n,
                        sort_mode mode, size_t nk, uint32_t *off,
                        uint32_t *next)
{
    memset(off, 0, (nk + 1) * sizeof *off);
    for (size_t i = 0; i < n; i++)
        off[sort_key(c, v[i], mode) + 1]++;
    for (size_t b = 0; b < nk; b++) {
        off[b + 1] += off[b];
        next[b] = off[b];
    }
    for (size_t b = 0; b < nk; b++) {
        while (next[b] < off[b + 1]) {
            uint32_t e = v[next[b]];
            size_t kb = sort_key(c, e, mode);
            while (kb != b) { /* follow the cycle until e belongs here */
                uint32_t t = v[next[kb]];
                v[next[kb]++] = e;
                e = t;
                kb = sort_key(c, e, mode);
            }
            v[next[b]++] = e;
        }
    }
}

/* ceil(share * n), clipped to [0, n]. The relative tolerance absorbs the
 * rounding of share * n (0.1 * 30 is 3.0000000000000004 in binary). */
static size_t ceil_share(double share, size_t n)
{
    double x = share * (double)n;
    if (!(x > 0))
        return 0;
    double v = ceil(x - x * 1e-12);
    return v >= (double)n ? n : (size_t)v;
}

/* Move teacher k to school `to` (headcounts follow); `home`: the post moves
 * too (the years at the home school restart). */
static void move(tw_sim *s, uint32_t k, uint32_t to, int home)
{
    tw_teachers arrays = s->T, *T = &arrays;
    s->S[T->school[k]].headcount--;
    s->S[to].headcount++;
    if (s->subj_n != NULL) {
        s->subj_n[(size_t)T->school[k] * TW_MAX_SUBJECTS + T->subject[k]]--;
        s->subj_n[(size_t)to * TW_MAX_SUBJECTS + T->subject[k]]++;
    }
    T->school[k] = to;
    if (home) {
        T->home[k] = to;
        T->at_school[k] = 0;
    }
}

/* ------------------------------------------------------------------ */
/* 0. Returns from exchange terms                                      */
/* ------------------------------------------------------------------ */

/* A term of term_years years started in year t ends at the start of year
 * t + term_years. The clock of years at the home school restarts, so that
 * a returning teacher is not at once eligible again. (x not gone.) */
static inline void return_one(tw_sim *s, tw_teachers *T, size_t k)
{
    if (T->term_left[k] > 0 && --T->term_left[k] == 0) {
        T->school[k] = T->home[k];
        T->at_school[k] = 0;
        TW_FLOW_ADD(s, tw_sim_county(s, k), exchange_returns, 1);
    }
}

/* ------------------------------------------------------------------ */
/* 1. Voluntary transfers (and the exchange classes)                   */
/* ------------------------------------------------------------------ */

/* c->gap[] of school i of the county, from its state now. */
static inline void gap_update(county *c, uint32_t i)
{
    const tw_school_state *st = &c->s->S[i];
    c->gap[c->pos[i - c->a]] = st->demand - st->headcount;
}

/* A school of list[lo, hi) other than `own`, with probability proportional
 * to its positive shortfall (demand - headcount), or uniformly when none
 * has one. The range holds at least two schools. The shortfalls are read
 * from c->gap, kept in list order so that the scans run over contiguous
 * memory. */
static uint32_t transfer_dest(county *c, uint32_t lo, uint32_t hi,
                              uint32_t own)
{
    tw_sim *s = c->s;
    const uint32_t *list = c->list;
    const double *gap = c->gap;
    uint32_t qo = c->pos[own - c->a];
    double total = 0;
    for (uint32_t q = lo; q < hi; q++) {
        double d = gap[q];
        total += q != qo && d > 0 ? d : 0.0;
    }
    if (total > 0) {
        double v = tw_rng_u01(s->rng) * total;
        uint32_t last = own;
        for (uint32_t q = lo; q < hi; q++) {
            double d = gap[q];
            if (q == qo || !(d > 0))
                continue;
            if (v < d)
                return list[q];
            v -= d;
            last = list[q];
        }
        return last; /* v rounded up to total */
    }
    unsigned long j = tw_rng_uint(s->rng, hi - lo - 1);
    for (uint32_t q = lo; q < hi; q++)
        if (list[q] != own && j-- == 0)
            return list[q];
    return own; /* not reached */
}

/* 0: eligible backbone teacher, 1: other eligible teacher, 2: not eligible
 * (教师〔2014〕4号: 在编在岗 teachers of compulsory education, in urban and
 * town schools, after eligible_years at the school, under the age
 * exemption). */
static int exchange_class(const county *c, const tw_teachers *T, size_t k)
{
    const tw_county_params *cp = c->cp;
    const tw_school *sch = c->s->w->schools;
    unsigned f = T->flags[k];
    if ((f & (TW_F_GONE | TW_F_POOL)) || !(f & TW_F_BIANZHI) ||
        T->term_left[k] > 0)
        return 2;
    if (!exchange_sends(cp, sch[T->home[k]].stage,
                        sch[T->school[k]].locality))
        return 2;
    if ((int)T->at_school[k] < cp->eligible_years)
        return 2;
    if (exchange_exempt(cp, T->sex[k] != TW_SEX_MALE,
                        tw_age(T, k, c->s->year)))
        return 2;
    return T->tier[k] >= cp->backbone_tier ? 0 : 1;
}

/*
 * 1. Voluntary transfers, in one pass over the county in s->T order; with
 * `classify`, the same pass sorts the teachers into exchange classes for
 * step 2 (a teacher's class depends on its own state only, so it is final
 * right after its own transfer draw): c->seg ends as [eligible backbone |
 * other eligible | rest], the bounds in *nb and *ne.
 */
static void transfers(county *c, int classify, size_t *nb, size_t *ne)
{
    tw_sim *s = c->s;
    double rate = c->cp->transfer_rate;
    size_t a = 0, b = 0;
    /* one homogeneous group (the county's rate): its trials as geometric
     * gaps (tw_skip) */
    tw_skip trial = {0};
    if (rate > 0) {
        for (uint32_t q = 0; q < c->ns; q++)
            gap_update(c, c->list[q]);
        tw_skip_init(&trial, s->rng, rate);
    }
    const tw_teachers arrays = s->T, *T = &arrays;
    for (size_t p = 0; p < c->m; p++) {
        uint32_t k = c->seg[p];
        if (rate > 0 && !(T->flags[k] & (TW_F_GONE | TW_F_POOL)) &&
            T->term_left[k] == 0) {
            size_t g = (size_t)s->w->schools[T->home[k]].stage * TW_N_LOCS;
            uint32_t lo = c->goff[g], hi = c->goff[g + TW_N_LOCS];
            /* a draw only when another school of the stage exists */
            if (hi - lo >= 2 && tw_skip_next(&trial, s->rng)) {
                uint32_t from = T->school[k];
                uint32_t to = transfer_dest(c, lo, hi, from);
                move(s, k, to, 1);
                gap_update(c, from);
                gap_update(c, to);
                TW_FLOW_ADD(s, tw_sim_county(s, k), transfers, 1);
            }
        }
        if (classify)
            part3(c->seg, p, &a, &b, exchange_class(c, T, k));
    }
    *nb = a;
    *ne = b;
}

/* ------------------------------------------------------------------ */
/* 2. Exchange (交流轮岗)                                              */
/* ------------------------------------------------------------------ */

/* Move a uniformly chosen subset of size r of v[0..n) to v[0..r) (partial
 * Fisher-Yates); no draw when the whole of v is taken. */
static void choose(gsl_rng *rng, uint32_t *v, size_t n, size_t r)
{
    if (r >= n)
        return;
    for (size_t i = 0; i < r; i++)
        swap_u32(&v[i], &v[i + tw_rng_uint(rng, n - i)]);
}

/*
 * The schools of list[lo, hi), most short first: a binary max-heap of
 * list positions ordered by shortfall, base[q] - headcount (base: demand,
 * or posts under 竞聘), then by the lower school index. Its top is the
 * school with the largest shortfall, the lowest index on ties. Placing a
 * teacher there raises its headcount: sh_placed() moves it down. Only the
 * top may change between calls; building costs one pass over the
 * schools, each placement O(log schools), where a scan per placement
 * cost O(schools). The storage is c->heap[lo, hi).
 */
typedef struct short_heap {
    const county *c;
    const double *base;
    uint32_t *h;
    uint32_t n;
} short_heap;

/* Does list position q come before r? */
static inline int sh_before(const short_heap *sh, uint32_t q, uint32_t r)
{
    const tw_school_state *S = sh->c->s->S;
    const uint32_t *list = sh->c->list;
    double a = sh->base[q] - S[list[q]].headcount;
    double b = sh->base[r] - S[list[r]].headcount;
    return a > b || (a == b && list[q] < list[r]);
}

static void sh_down(short_heap *sh, uint32_t i)
{
    uint32_t *h = sh->h, n = sh->n;
    for (;;) {
        uint32_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < n && sh_before(sh, h[l], h[m]))
            m = l;
        if (r < n && sh_before(sh, h[r], h[m]))
            m = r;
        if (m == i)
            return;
        swap_u32(&h[i], &h[m]);
        i = m;
    }
}

static void sh_build(short_heap *sh, const county *c, const double *base,
                     uint32_t lo, uint32_t hi)
{
    sh->c = c;
    sh->base = base;
    sh->h = c->heap + lo;
    sh->n = hi - lo;
    for (uint32_t k = 0; k < sh->n; k++)
        sh->h[k] = lo + k;
    for (uint32_t k = sh->n / 2; k-- > 0;)
        sh_down(sh, k);
}

/* The most short school; UINT32_MAX when the range is empty. */
static inline uint32_t sh_top(const short_heap *sh)
{
    return sh->n > 0 ? sh->c->list[sh->h[0]] : UINT32_MAX;
}

/* The top school's headcount has grown. */
static inline void sh_placed(short_heap *sh)
{
    sh_down(sh, 0);
}

/* The shortfall heaps of the rural schools, one per stage, built when the
 * stage's first mover comes (the rural schools of a stage gain only these
 * movers meanwhile). */
typedef struct rural_heaps {
    short_heap h[TW_N_STAGES];
    int built[TW_N_STAGES];
} rural_heaps;

/* Subject j's shortfall at school i: its demand for j (s->subj_d) less
 * its teachers of j there, visitors included. */
static inline double subject_gap(const tw_sim *s, uint32_t i, size_t j)
{
    size_t e = (size_t)i * TW_MAX_SUBJECTS + j;
    return s->subj_d[e] - (double)s->subj_n[e];
}

/*
 * With subjects: the school of list[lo, hi) for a teacher of subject j,
 * by scan. The one most short in j (subject_gap > 0; ties to the lower
 * index), else the one with the largest shortfall base[q] - headcount > 0
 * (base: demand, or posts under 竞聘; ties to the lower index), else none
 * (UINT32_MAX). The schools considered are v[0 .. *nv), list positions;
 * one that is no longer short in total (base - headcount <= 0) when
 * `drop` is set is taken out of v as the scan meets it (a school only
 * fills up during a call).
 */
static uint32_t subject_dest(const county *c, const double *base,
                             uint32_t *v, uint32_t *nv, size_t j, int drop)
{
    const tw_sim *s = c->s;
    uint32_t best_j = UINT32_MAX, best_t = UINT32_MAX;
    double gj = 0.0, gt = 0.0;
    for (uint32_t e = 0; e < *nv;) {
        uint32_t q = v[e], i = c->list[q];
        double tot = base[q] - (double)s->S[i].headcount;
        if (drop && !(tot > 0)) {
            v[e] = v[--*nv];
            continue;
        }
        double g = subject_gap(s, i, j);
        if (g > 0 && (best_j == UINT32_MAX || g > gj ||
                      (g == gj && i < best_j))) {
            best_j = i;
            gj = g;
        }
        if (tot > 0 && (best_t == UINT32_MAX || tot > gt ||
                        (tot == gt && i < best_t))) {
            best_t = i;
            gt = tot;
        }
        e++;
    }
    return best_j != UINT32_MAX ? best_j : best_t;
}

/* Send mover k to the rural school of its stage that is the most short at
 * that moment (demand - headcount, visitors included), for term_years or
 * for good. A mover stays when no rural school of its stage is short: an
 * exchange fills a shortfall, it does not push a school above its demand.
 * With subjects, among the schools short in total, one short in the
 * mover's subject comes first (subject_dest). */
static void send(county *c, rural_heaps *rh, uint32_t k)
{
    tw_sim *s = c->s;
    const tw_county_params *cp = c->cp;
    tw_teachers arrays = s->T, *T = &arrays;
    int st = s->w->schools[T->home[k]].stage;
    size_t g = (size_t)st * TW_N_LOCS;
    uint32_t to;
    if (s->subj_n != NULL) {
        /* every rural school of the stage, in list order (the heap's
         * storage is free: no heap is built with subjects) */
        uint32_t lo = c->goff[g + TW_LOC_RURAL], hi = c->goff[g + TW_N_LOCS];
        uint32_t *v = c->heap + lo, nv = hi - lo;
        for (uint32_t q = lo; q < hi; q++)
            v[q - lo] = q;
        to = subject_dest(c, c->dem, v, &nv, T->subject[k], 1);
        if (to == UINT32_MAX) /* none short, in the subject or in all */
            return;
    } else {
        if (!rh->built[st]) {
            sh_build(&rh->h[st], c, c->dem, c->goff[g + TW_LOC_RURAL],
                     c->goff[g + TW_N_LOCS]);
            rh->built[st] = 1;
        }
        to = sh_top(&rh->h[st]);
        if (to == UINT32_MAX) /* no rural school of the stage: stays */
            return;
        if (!(c->dem[c->pos[to - c->a]] - s->S[to].headcount > 0))
            return; /* none is short */
    }
    uint32_t from = T->school[k];
    TW_FLOW_ADD(s, tw_sim_county(s, k),
                exchanges[s->w->schools[from].locality], 1);
    if (cp->term_years > 0) {
        move(s, k, to, 0);
        T->term_left[k] = (uint8_t)(cp->term_years < 255 ? cp->term_years
                                                         : 255);
        c->held[to - c->a]++;
        c->held[from - c->a]--;
    } else {
        move(s, k, to, 1);
    }
    if (s->subj_n == NULL)
        sh_placed(&rh->h[st]);
}

/* Of v[0..n), the eligible teachers of one school (or of the county), the
 * backbone ones v[0..nb): draw ceil(share x n) movers, at least
 * ceil(backbone_share x movers) of them backbone when there are that many,
 * and send them, backbone first. */
static void send_share(county *c, rural_heaps *rh, uint32_t *v, size_t nb,
                       size_t n)
{
    const tw_county_params *cp = c->cp;
    gsl_rng *rng = c->s->rng;
    size_t movers = ceil_share(cp->exchange_share, n);
    size_t b = ceil_share(cp->backbone_share, movers);
    if (b > nb)
        b = nb;
    choose(rng, v, nb, b);                    /* backbone first */
    choose(rng, v + b, n - b, movers - b);    /* then anyone left */
    for (size_t p = 0; p < movers; p++)
        send(c, rh, v[p]);
}

/* 2. Exchange: c->seg starts with the nb eligible backbone teachers, then
 * the other eligible ones, elig in all. The share applies to the county's
 * eligible teachers (rotation.exchange_basis = "county"), or to each
 * sending school's ("school"; schools in index order). */
static void exchange(county *c, size_t nb, size_t elig)
{
    rural_heaps rh = {.built = {0}};
    uint32_t *v = c->seg;
    if (!c->cp->exchange_per_school) {
        send_share(c, &rh, v, nb, elig);
        return;
    }
    const tw_teachers arrays = c->s->T, *T = &arrays;
    int bt = c->cp->backbone_tier;
    bucket_sort(c, v, elig, KEY_SCHOOL, c->ns, c->boff, c->bnext);
    for (uint32_t j = 0; j < c->ns; j++) {
        uint32_t *u = v + c->boff[j];
        size_t n = c->boff[j + 1] - c->boff[j], ub = 0;
        for (size_t p = 0; p < n; p++) /* the school's backbone first */
            if (T->tier[u[p]] >= bt)
                swap_u32(&u[ub++], &u[p]);
        if (n > 0)
            send_share(c, &rh, u, ub, n);
    }
}

/* ------------------------------------------------------------------ */
/* 3. 竞聘 (competitive re-hiring)                                     */
/* ------------------------------------------------------------------ */

static int in_pool(const tw_teachers *T, size_t k)
{
    return (T->flags[k] & (TW_F_GONE | TW_F_POOL)) == TW_F_POOL;
}

/* Holds a post at the school where it teaches (not on an exchange term). */
static int holds_post(const tw_teachers *T, size_t k)
{
    return !(T->flags[k] & (TW_F_GONE | TW_F_POOL)) && T->term_left[k] == 0;
}

/* Rank v[0..n) best first: random order, then by score. */
static void rank_best_first(county *c, uint32_t *v, size_t n)
{
    uint32_t off[SCORE_KEYS + 1], next[SCORE_KEYS];
    tw_rng_shuffle(c->s->rng, v, n);
    bucket_sort(c, v, n, KEY_SCORE_DESC, SCORE_KEYS, off, next);
}

/*
 * The candidates v[0..n), all of stage st, compete for the posts open in
 * the county's schools of that stage (round(demand) > headcount): best
 * score first, each to the school with the largest shortfall at that
 * moment. Placed teachers hold the post: school = home = new school.
 * Returns how many were placed; they are v[0..placed). The candidates are
 * counted in no headcount on entry.
 */
static size_t compete(county *c, uint32_t *v, size_t n, size_t st)
{
    tw_sim *s = c->s;
    uint32_t lo = c->goff[st * TW_N_LOCS], hi = c->goff[(st + 1) * TW_N_LOCS];
    double open = 0;
    for (uint32_t q = lo; q < hi; q++) {
        double d = c->post[q] - s->S[c->list[q]].headcount;
        if (d > 0)
            open += d;
    }
    if (!(open > 0))
        return 0;
    if ((double)n > open) /* a real competition: the score decides */
        rank_best_first(c, v, n);
    short_heap heap;
    /* with subjects, the schools with an open post (list positions) in
     * the heap's storage, scanned for each candidate (subject_dest) */
    uint32_t *ov = c->heap + lo, nov = 0;
    if (s->subj_n != NULL) {
        for (uint32_t q = lo; q < hi; q++)
            if (c->post[q] - s->S[c->list[q]].headcount > 0)
                ov[nov++] = q;
    } else {
        sh_build(&heap, c, c->post, lo, hi);
    }
    size_t placed = 0;
    while (placed < n && (double)placed < open) {
        uint32_t k = v[placed++];
        uint32_t to = s->subj_n != NULL
                          ? subject_dest(c, c->post, ov, &nov,
                                         s->T.subject[k], 1)
                          : sh_top(&heap);
        s->T.flags[k] &= (uint8_t)~TW_F_POOL;
        s->T.pool_years[k] = 0;
        s->T.school[k] = s->T.home[k] = to;
        s->T.at_school[k] = 0;
        s->S[to].headcount++;
        if (s->subj_n != NULL)
            s->subj_n[(size_t)to * TW_MAX_SUBJECTS + s->T.subject[k]]++;
        else
            sh_placed(&heap);
    }
    return placed;
}

/*
 * 3a. 再次竞聘: the teachers of the 待岗培训 pool, pool[0..np), who have now
 * spent one more year in it, compete for the open posts of their stage.
 * Those still unplaced after pool_max_years years in the pool leave the
 * teaching post (落聘).
 */
/* What becomes of a teacher who competed across schools and was not
 * placed: one already in the pool leaves once its years there are up; one
 * just released enters the pool (or, without one, leaves at once). */
typedef enum { UNPLACED_IN_POOL, UNPLACED_RELEASED } unplaced_kind;

static void unplaced(county *c, uint32_t k, unplaced_kind kind)
{
    tw_sim *s = c->s;
    if (kind == UNPLACED_IN_POOL) {
        if (s->T.pool_years[k] >= c->cp->pool_max_years)
            tw_sim_remove(s, k, TW_EXIT_LUOPIN);
    } else if (c->cp->pool_max_years <= 0) {
        tw_sim_remove(s, k, TW_EXIT_LUOPIN);
    } else {
        s->T.flags[k] |= TW_F_POOL;
        s->T.pool_years[k] = 0;
        TW_FLOW_ADD(s, tw_sim_county(s, k), pool_entries, 1);
    }
}

/* 跨校竞聘 of v[0..n): each stage's teachers compete for the open posts of
 * their stage in the county (placed ones count in rehire_placed_cross);
 * the others go on as `kind` says. */
static void compete_by_stage(county *c, uint32_t *v, size_t n,
                             unplaced_kind kind)
{
    tw_sim *s = c->s;
    uint32_t off[TW_N_STAGES + 1], next[TW_N_STAGES];
    bucket_sort(c, v, n, KEY_STAGE, TW_N_STAGES, off, next);
    for (size_t st = 0; st < TW_N_STAGES; st++) {
        uint32_t *u = v + off[st];
        size_t m = off[st + 1] - off[st];
        if (m == 0)
            continue;
        size_t placed = compete(c, u, m, st);
        TW_FLOW_ADD(s, s->w->schools[c->a].county, rehire_placed_cross,
                    placed);
        for (size_t p = placed; p < m; p++)
            unplaced(c, u[p], kind);
    }
}

static void pool_round(county *c, uint32_t *pool, size_t np)
{
    tw_sim *s = c->s;
    for (size_t p = 0; p < np; p++) {
        uint8_t *years = &s->T.pool_years[pool[p]];
        if (*years < UINT8_MAX)
            (*years)++;
    }
    compete_by_stage(c, pool, np, UNPLACED_IN_POOL);
}

/*
 * With subjects: reorder the post holders b[0..nj) of school i, ranked
 * worst first, so that its e < nj released teachers b[0..e) come from the
 * subjects over their demand there: each in turn from the subject with
 * the largest surplus teachers - demand (teachers of it there, visitors
 * included, less those released before), its worst-ranked holder; once no
 * subject with a holder left is over, the worst-ranked of the rest, as
 * without subjects. The order of those not taken is kept. No draw.
 */
static void surplus_first(const tw_sim *s, uint32_t i, uint32_t *b,
                          size_t nj, size_t e)
{
    const tw_world *w = s->w;
    size_t nsub = w->n_subjects;
    const uint8_t *subj = s->T.subject;
    double sur[TW_MAX_SUBJECTS];
    size_t left[TW_MAX_SUBJECTS] = {0}; /* holders of j not yet taken */
    for (size_t j = 0; j < nsub; j++)
        sur[j] = (double)s->subj_n[(size_t)i * TW_MAX_SUBJECTS + j] -
                 s->subj_d[(size_t)i * TW_MAX_SUBJECTS + j];
    for (size_t p = 0; p < nj; p++)
        left[subj[b[p]]]++;
    for (size_t t = 0; t < e; t++) {
        size_t best = nsub;
        for (size_t j = 0; j < nsub; j++)
            if (left[j] > 0 && sur[j] > 0 && (best == nsub || sur[j] > sur[best]))
                best = j;
        if (best == nsub)
            return; /* none over: b[t..] is already worst first */
        size_t p = t;
        while (subj[b[p]] != best)
            p++;
        uint32_t k = b[p];
        memmove(b + t + 1, b + t, (p - t) * sizeof *b);
        b[t] = k;
        sur[best] -= 1.0;
        left[best]--;
    }
}

/*
 * 3b-d. 校内竞聘: each school above round(demand) keeps its best teachers
 * and releases the excess; v[0..nover) are the post holders of those schools
 * (teachers on an exchange term there hold a post elsewhere and are not
 * among them). Each of the `holders` post holders of the county who keeps
 * the post counts in rehire_placed_in. 跨校竞聘: the released teachers
 * compete for the open posts of their stage in the county. The rest enter
 * the 待岗培训 pool (or, with pool_max_years <= 0, leave at once: 落聘).
 */
static void rehire(county *c, uint32_t *v, size_t nover, size_t holders)
{
    tw_sim *s = c->s;
    bucket_sort(c, v, nover, KEY_SCHOOL, c->ns, c->boff, c->bnext);

    /* The released teachers are gathered in v[0..rel): rel never passes
     * the bucket being read, and what it overwrites is already done. */
    size_t rel = 0;
    for (uint32_t j = 0; j < c->ns; j++) {
        uint32_t i = c->a + j;
        uint32_t *b = v + c->boff[j];
        size_t nj = c->boff[j + 1] - c->boff[j];
        double excess = s->S[i].headcount - posts(c, i);
        if (!(excess > 0) || nj == 0)
            continue;
        size_t e = excess >= (double)nj ? nj : (size_t)excess;
        if (e < nj) { /* worst first: the same ranking, reversed */
            uint32_t off[SCORE_KEYS + 1], next[SCORE_KEYS];
            tw_rng_shuffle(s->rng, b, nj);
            bucket_sort(c, b, nj, KEY_SCORE_ASC, SCORE_KEYS, off, next);
            if (s->subj_n != NULL)
                surplus_first(s, i, b, nj, e);
        }
        for (size_t t = 0; t < e; t++) {
            if (s->subj_n != NULL)
                s->subj_n[(size_t)i * TW_MAX_SUBJECTS + s->T.subject[b[t]]]--;
            swap_u32(&v[rel++], &b[t]);
        }
        s->S[i].headcount -= (uint32_t)e;
    }
    TW_FLOW_ADD(s, s->w->schools[c->a].county, rehire_placed_in,
                holders - rel);
    if (rel > 0)
        compete_by_stage(c, v, rel, UNPLACED_RELEASED);
}

/*
 * 3. The rounds of 竞聘. One pass splits the county into [pool | post
 * holders at schools above their posts | the rest]. 3a fills open posts
 * only, so it changes neither which schools are above their posts nor
 * their holders: the split still holds for 3b. The pool is emptied even in
 * a year without 竞聘 (its members still wait for a post).
 */
static void rounds(county *c)
{
    tw_sim *s = c->s;
    int rehire_on = c->cp->reform && c->cp->rehire_on;
    uint32_t *over = c->bnext; /* [ns] until the bucket sort of 3b */
    /* A school's posts are held by its own teachers, those away on an
     * exchange term included; a visitor holds its home school's post. So
     * a school's headcount (who teaches there) is above its posts' holders
     * by `held`, and comparing the headcount with posts + held compares
     * the holders with the posts. */
    for (uint32_t j = 0; j < c->ns; j++)
        c->post[c->pos[j]] += (double)c->held[j];
    for (uint32_t j = 0; rehire_on && j < c->ns; j++)
        over[j] = s->S[c->a + j].headcount > posts(c, c->a + j) &&
                  rotate_stage(c->cp, s->w->schools[c->a + j].stage);
    size_t a = 0, b = 0, holders = 0;
    const tw_teachers arrays = s->T, *T = &arrays;
    for (size_t p = 0; p < c->m; p++) {
        uint32_t k = c->seg[p];
        int cl = 2;
        if (in_pool(T, k)) {
            cl = 0;
        } else if (holds_post(T, k) &&
                   rotate_stage(c->cp, s->w->schools[T->school[k]].stage)) {
            holders++;
            if (rehire_on && over[T->school[k] - c->a])
                cl = 1;
        }
        part3(c->seg, p, &a, &b, cl);
    }
    if (a > 0)
        pool_round(c, c->seg, a);
    if (rehire_on)
        rehire(c, c->seg + a, b - a, holders);
}

/* ------------------------------------------------------------------ */
/* The process                                                         */
/* ------------------------------------------------------------------ */

/* The county's schools [a, a+ns) in list, by (stage, locality). */
static void group_schools(county *c)
{
    const tw_school *sch = c->s->w->schools;
    const tw_sim *s = c->s;
    memset(c->goff, 0, sizeof c->goff);
    for (uint32_t i = c->a; i < c->a + c->ns; i++)
        if (tw_sim_open(s, i))
            c->goff[sch[i].stage * TW_N_LOCS + sch[i].locality + 1]++;
    uint32_t next[N_GROUPS];
    for (size_t g = 0; g < N_GROUPS; g++) {
        c->goff[g + 1] += c->goff[g];
        next[g] = c->goff[g];
    }
    /* closed schools (撤并) after every group: no one's destination */
    uint32_t tail = c->goff[N_GROUPS];
    for (uint32_t i = c->a; i < c->a + c->ns; i++) {
        uint32_t q = tw_sim_open(s, i)
                         ? next[sch[i].stage * TW_N_LOCS + sch[i].locality]++
                         : tail++;
        c->list[q] = i;
        c->pos[i - c->a] = q;
        c->post[q] = round(c->s->S[i].demand);
        c->dem[q] = c->s->S[i].demand;
    }
}

/*
 * 7. Rotation under 县管校聘 (MODEL.md §3.7, POLICY.md "Rotation"): see the
 * top of this file for the steps. Reads s->S[*].demand (set by
 * tw_proc_demand); leaves s->S[*].headcount current. Teachers never leave
 * the county of their home school; the only exits are 落聘.
 */
void tw_proc_rotate(tw_sim *s)
{
    const tw_world *w = s->w;
    if (w->n_schools == 0) {
        for (size_t k = 0; k < s->n; k++)
            if (!(s->T.flags[k] & TW_F_GONE))
                return_one(s, &s->T, k);
        return;
    }

    /* Runs of schools of one county; then, in one pass over the teachers,
     * the returns, the headcounts (tw_sim_count_heads) and the teachers
     * of each run. */
    uint32_t ns_all = (uint32_t)w->n_schools;
    uint32_t *run = s->sscratch, *roff = run + ns_all;
    uint32_t nr = 0;
    for (uint32_t i = 0; i < ns_all; i++) {
        if (i > 0 && w->schools[i].county != w->schools[i - 1].county)
            nr++;
        run[i] = nr;
        s->S[i].headcount = 0;
    }
    nr++;
    memset(roff, 0, (nr + 1) * sizeof *roff);
    /* held: after the run offsets and the counties' work space, within
     * the 8 NS + 8 words of sscratch (7 NS + 2 + NS) */
    int32_t *held = (int32_t *)(run + 7 * (size_t)ns_all + 2);
    memset(held, 0, ns_all * sizeof *held);
    tw_teachers arrays = s->T, *T = &arrays;
    uint32_t *subj_n = s->subj_n;
    if (subj_n != NULL) { /* counted with the headcounts, kept by moves */
        memset(subj_n, 0, ns_all * TW_MAX_SUBJECTS * sizeof *subj_n);
        tw_subject_fill_demand(s);
    }
    for (size_t k = 0; k < s->n; k++) {
        if (T->flags[k] & TW_F_GONE)
            continue;
        return_one(s, T, k);
        if (!(T->flags[k] & TW_F_POOL)) {
            s->S[T->school[k]].headcount++;
            if (subj_n != NULL)
                subj_n[(size_t)T->school[k] * TW_MAX_SUBJECTS +
                       T->subject[k]]++;
            if (T->term_left[k] > 0) {
                held[T->school[k]]++;
                held[T->home[k]]--;
            }
        }
        roff[run[T->home[k]] + 1]++;
    }
    if (s->n == 0)
        return;
    for (uint32_t r = 0; r < nr; r++)
        roff[r + 1] += roff[r];
    for (size_t k = 0; k < s->n; k++) /* roff[r] ends at run r's end */
        if (!(T->flags[k] & TW_F_GONE))
            s->idx[roff[run[T->home[k]]]++] = (uint32_t)k;

    county c = {.s = s};
    uint32_t *work = roff + nr + 1;
    uint32_t a = 0;
    for (uint32_t r = 0; r < nr; r++) {
        uint32_t b = a;
        while (b < ns_all && run[b] == r)
            b++;
        size_t start = r > 0 ? roff[r - 1] : 0;
        c.cp = tw_world_cparams(w, s->t, w->schools[a].county);
        c.a = a;
        c.ns = b - a;
        c.list = work;
        c.boff = work + c.ns;
        c.bnext = c.boff + c.ns + 1;
        c.pos = c.bnext + c.ns;
        c.gap = s->dscratch;
        c.post = s->dscratch + c.ns;
        c.dem = c.post + c.ns;
        c.heap = c.pos + c.ns;
        c.held = held + a;
        c.seg = s->idx + start;
        c.m = roff[r] - start;
        a = b;
        if (c.m == 0)
            continue;
        group_schools(&c);
        int ex = c.cp->reform && c.cp->exchange_share > 0;
        size_t nb = 0, ne = 0;
        if (c.cp->transfer_rate > 0 || ex)
            transfers(&c, ex, &nb, &ne);
        if (ex)
            exchange(&c, nb, ne);
        rounds(&c);
    }
    s->subj_fresh = subj_n != NULL; /* for 转岗 and recruitment */
}
