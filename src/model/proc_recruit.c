/*
 * proc_recruit.c - recruitment (MODEL.md 3.8): vacancies, the hiring
 * policy, the establishment (编制, posts inside the staffing quota) room and
 * the entry channels.
 *
 * Per county, after tw_sim_compact (no TW_F_GONE records):
 *
 *   vacancies  vac[i] = max(0, round(demand_i) - headcount_i)
 *   policy     H posts: fill -> the vacancies; quota / schedule / replace
 *              -> H levelled into the vacancies from the largest shortfall
 *              down, H beyond the vacancies spread over the county's
 *              schools in proportion to demand (cumulative rounding)
 *   room       floor(county_cap) - 在编 teachers whose home school is in
 *              the county (pool included), >= 0; binds 在编 channels only
 *              when cap_on
 *   channels   (0) 人才引进 reservation: ceil(share * senior posts) senior
 *                  posts tried by 人才引进 before any other channel;
 *              (1) cp->order[]: each channel tries the posts left that it
 *                  may fill, the school with the most posts left first
 *                  (公费师范生: rural, then town, then urban first).
 *
 * Each post is tried at most once, by the first channel that may take it:
 * one fill draw with fill_prob[locality]; a failed post stays empty this
 * year. Posts never filled (failed draws, no channel, room or caps
 * exhausted) are counted once each in s->f.unfilled[stage].
 *
 * 公费师范生 (state-funded normal graduates) are owed a post: they are placed
 * without a fill draw; when the county's posts they may take run out, the
 * rest go to the rural schools of their stages with the largest shortfall
 * (demand - headcount - hires so far), still within the room when cap_on.
 *
 * A channel with a programme (programme_years, proc_recruit.h) takes its
 * graduates of the year as its cohort: each intake graduating this year
 * gives Binomial(intake, graduation) graduates (no draw when graduation
 * is 1), drawn per county, channel by channel in tw_channel order (not
 * the hiring order), before any post is tried.
 *
 * Scratch: s->sscratch only (s->idx / s->dscratch may not exist before the
 * first append), as four [n_schools] arrays: posts left, hires this year,
 * a binary max-heap of school indices, and 在编 per home school.
 */
#include "tw_world.h"

#include "proc_recruit.h"

#include <math.h>
#include <stdint.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "tw_rng.h"

/* Heap orders: which school's post a channel tries next. */
enum {
    KEY_POSTS,     /* most posts left first */
    KEY_LOC_POSTS, /* rural, then town, then urban; then most posts left */
    KEY_SHORTFALL  /* largest demand - headcount - hires first */
};

/* One county's recruitment in progress. */
typedef struct rc_county {
    tw_sim *s;
    const tw_county_params *cp;
    size_t a, b;       /* the county's schools are [a, b) */
    uint32_t *post;    /* [n_schools] posts not yet tried */
    uint32_t *hired;   /* [n_schools] hires this year */
    uint32_t *bz;      /* [n_schools] 在编 teachers by home school */
    uint32_t *heap;    /* [n_schools] school indices */
    size_t m;          /* heap size */
    int key;           /* KEY_* */
    int64_t room;      /* 编制 room left; unused when !cp->cap_on */
    int64_t got[TW_N_HIRE_CHANNELS]; /* hires per channel this year */
    int64_t cohort[TW_N_HIRE_CHANNELS]; /* this year's cohort (proc_recruit.h
                                           pipe_cohort with a programme) */
} rc_county;

/* Bernoulli(p) that draws only when the outcome is uncertain. */
static int bern(gsl_rng *r, double p)
{
    if (!(p > 0.0))
        return 0;
    if (p >= 1.0)
        return 1;
    return tw_rng_u01(r) < p;
}

/* Whether channel ch may hire into school i (proc_recruit.h). */
static int may_hire(const rc_county *k, int ch, size_t i)
{
    return channel_may_hire(k->cp, ch, &k->s->w->schools[i]) &&
           tw_sim_open(k->s, i);
}

/* ---- heap of schools; ties go to the lower school index ------------- */

/* Inlined: the heap compares keys ~20 times per hire. */
static inline __attribute__((always_inline)) int64_t
heap_key(const rc_county *k, uint32_t i)
{
    switch (k->key) {
    case KEY_LOC_POSTS: {
        static const int64_t rank[TW_N_LOCS] = {0, 1, 2}; /* urban..rural */
        return (rank[k->s->w->schools[i].locality] << 32) + k->post[i];
    }
    case KEY_SHORTFALL:
        return (int64_t)llround(k->s->S[i].demand) -
               (int64_t)k->s->S[i].headcount - (int64_t)k->hired[i];
    default:
        return k->post[i];
    }
}

static inline __attribute__((always_inline)) int
heap_before(const rc_county *k, uint32_t i, uint32_t j)
{
    int64_t ki = heap_key(k, i), kj = heap_key(k, j);
    return ki > kj || (ki == kj && i < j);
}

static void heap_down(rc_county *k, size_t pos)
{
    uint32_t *h = k->heap;
    for (;;) {
        size_t l = 2 * pos + 1, best = pos;
        if (l < k->m && heap_before(k, h[l], h[best]))
            best = l;
        if (l + 1 < k->m && heap_before(k, h[l + 1], h[best]))
            best = l + 1;
        if (best == pos)
            return;
        uint32_t tmp = h[pos];
        h[pos] = h[best];
        h[best] = tmp;
        pos = best;
    }
}

static void heap_heapify(rc_county *k)
{
    for (size_t pos = k->m / 2; pos-- > 0;)
        heap_down(k, pos);
}

/* Remove the top of the heap. */
static void heap_pop(rc_county *k)
{
    k->heap[0] = k->heap[--k->m];
    heap_down(k, 0);
}

/* ---- a new teacher ----------------------------------------------------- */

/* Qualification from the channel's shares (normalised); no draw when one
 * level holds all the mass; 本科 when the shares are all zero. */
static uint8_t draw_qual(gsl_rng *r, const tw_channel_params *p)
{
    double sum;
    int last;
    if (qual_support(p, &sum, &last) <= 1)
        return (uint8_t)last;
    double u = tw_rng_u01(r) * sum, cum = 0.0;
    for (int q = 0; q < TW_N_QUALS; q++)
        if (p->qual_share[q] > 0.0) {
            cum += p->qual_share[q];
            if (u < cum)
                return (uint8_t)q;
        }
    return (uint8_t)last;
}

/* Append one hire of channel ch at school i and draw its attributes, in
 * this order: age (when sd > 0), birth month, sex, qualification, course
 * type, 双师型 (dual-qualified). Counts the flow and uses the room. */
static int hire(rc_county *k, int ch, uint32_t i, tw_error *err)
{
    tw_sim *s = k->s;
    const tw_channel_params *p = &k->cp->ch[ch];
    const tw_school *sc = &s->w->schools[i];
    tw_teacher rec = {0}, *x = &rec;
    double a = p->age_mean;
    if (p->age_sd > 0.0)
        a += gsl_ran_gaussian(s->rng, p->age_sd);
    long age = hire_age(a);
    x->school = x->home = i;
    x->birth_year = (int16_t)(s->year - age);
    x->birth_month = (uint8_t)(1 + tw_rng_uint(s->rng, 12));
    x->sex = bern(s->rng, p->female_share[sc->stage]) ? TW_SEX_FEMALE
                                                       : TW_SEX_MALE;
    x->qual = ch == TW_CH_TALENT ? TW_QUAL_POSTGRAD : draw_qual(s->rng, p);
    x->tier = 0;
    x->title = TW_TITLE_NONE;
    x->channel = (uint8_t)ch;
    unsigned fl = TW_F_NEW;
    if (is_bianzhi(k->cp, ch))
        fl |= TW_F_BIANZHI;
    if (sc->stage == TW_STAGE_VOCATIONAL &&
        (ch == TW_CH_ENTERPRISE ||
         bern(s->rng, s->w->stock[TW_STAGE_VOCATIONAL].prof_share))) {
        fl |= TW_F_PROF;
        if (bern(s->rng, p->dual_prob))
            fl |= TW_F_DUAL;
    }
    x->flags = (uint8_t)fl;
    x->obligation = (uint8_t)hire_obligation(p);
    if (s->subj_n != NULL) {
        uint32_t *cnt = s->subj_n + (size_t)i * TW_MAX_SUBJECTS;
        double dem[TW_MAX_SUBJECTS];
        tw_subject_demands(s->w, s->t, i, s->S[i].students, s->S[i].demand,
                           dem);
        x->subject = (uint8_t)tw_subject_most_short(
            s->w, sc->stage, s->S[i].demand, dem, cnt);
        cnt[x->subject]++;
    }
    if (tw_sim_append(s, x) != 0)
        return tw_error_set(err, TW_EFAIL,
                            "recruitment: out of memory adding teacher %zu "
                            "in year %d",
                            s->n + 1, s->year);
    TW_FLOW_ADD(s, sc->county, hires[ch][sc->stage], 1);
    TW_FLOW_ADD(s, sc->county, hires_loc[ch][sc->locality], 1);
    k->hired[i]++;
    k->got[ch]++;
    if (is_bianzhi(k->cp, ch))
        k->room--;
    return TW_OK;
}

/* ---- posts ------------------------------------------------------------ */

/* Spread H (<= the sum of the vacancies already in post[]) over the
 * vacancies, levelling the shortfalls from the top (water-filling): the
 * smallest level L >= 0 with sum max(0, vac - L) <= H, then one post more
 * to the lowest-indexed schools still at L. */
static void level_vacancies(rc_county *k, uint64_t H)
{
    uint32_t lo = 0, hi = 0; /* the level L is found in [lo, hi] */
    for (size_t i = k->a; i < k->b; i++)
        if (k->post[i] > hi)
            hi = k->post[i];
    while (lo < hi) { /* smallest L with fits(L) */
        uint32_t mid = lo + (hi - lo) / 2;
        uint64_t sum = 0;
        for (size_t i = k->a; i < k->b; i++)
            sum += k->post[i] > mid ? k->post[i] - mid : 0;
        if (sum <= H)
            hi = mid;
        else
            lo = mid + 1;
    }
    uint64_t sum = 0;
    for (size_t i = k->a; i < k->b; i++)
        sum += k->post[i] > lo ? k->post[i] - lo : 0;
    uint64_t left = H - sum; /* < #{vac >= lo} by the minimality of lo */
    for (size_t i = k->a; i < k->b; i++) {
        uint32_t v = k->post[i];
        k->post[i] = v > lo ? v - lo : 0;
        if (lo > 0 && v >= lo && left > 0) {
            k->post[i]++;
            left--;
        }
    }
}

/* Add E posts over the county's schools in proportion to demand, by
 * cumulative rounding (each school gets floor(E C_i / D) - floor(E C_(i-1)
 * / D), C the running sum of demand): the total is exactly E and each
 * school is within one post of its share. Equal weights when the county
 * has no demand at all. */
static void spread_by_demand(rc_county *k, uint64_t E)
{
    double D = 0.0;
    size_t last = k->a;
    for (size_t i = k->a; i < k->b; i++)
        if (k->s->S[i].demand > 0.0) {
            D += k->s->S[i].demand;
            last = i;
        }
    int equal = !(D > 0.0);
    if (equal) {
        D = (double)(k->b - k->a);
        last = k->b - 1;
    }
    double cum = 0.0;
    uint64_t prev = 0;
    for (size_t i = k->a; i <= last; i++) {
        double wgt = equal ? 1.0 : (k->s->S[i].demand > 0.0 ? k->s->S[i].demand
                                                            : 0.0);
        cum += wgt;
        uint64_t cur = i == last ? E : (uint64_t)floor((double)E * cum / D);
        if (cur > E)
            cur = E;
        if (cur < prev)
            cur = prev;
        k->post[i] += (uint32_t)(cur - prev);
        prev = cur;
    }
}

/* Whether the room still allows one more hire of channel ch. */
static int room_left(const rc_county *k, int ch)
{
    return !k->cp->cap_on || !is_bianzhi(k->cp, ch) || k->room > 0;
}

/*
 * Channel ch tries the posts left in the schools it may hire into (only
 * senior-high schools when senior_only), the school with the most posts
 * left first, until it has max_hires more hires (-1: no limit), has tried
 * max_tries posts (-1: no limit), the room is used up, or no post is left.
 * Each tried post gets one fill draw unless `certain`; a failed one is
 * counted unfilled and not offered again.
 */
static int try_posts(rc_county *k, int ch, int64_t max_hires,
                     int64_t max_tries, int senior_only, int certain,
                     tw_error *err)
{
    tw_sim *s = k->s;
    if (max_hires == 0 || max_tries == 0 || !room_left(k, ch))
        return TW_OK;
    k->key = ch == TW_CH_FUNDED ? KEY_LOC_POSTS : KEY_POSTS;
    k->m = 0;
    for (size_t i = k->a; i < k->b; i++)
        if (k->post[i] > 0 && may_hire(k, ch, i) &&
            (!senior_only || s->w->schools[i].stage == TW_STAGE_SENIOR))
            k->heap[k->m++] = (uint32_t)i;
    heap_heapify(k);
    int64_t hires = 0, tries = 0;
    while (k->m > 0 && (max_hires < 0 || hires < max_hires) &&
           (max_tries < 0 || tries < max_tries) && room_left(k, ch)) {
        uint32_t i = k->heap[0];
        const tw_school *sc = &s->w->schools[i];
        k->post[i]--;
        tries++;
        if (certain || bern(s->rng, k->cp->fill_prob[sc->locality])) {
            int rc = hire(k, ch, i, err);
            if (rc != TW_OK)
                return rc;
            hires++;
        } else {
            TW_FLOW_ADD(s, sc->county, unfilled[sc->stage], 1);
        }
        if (k->post[i] == 0)
            heap_pop(k);
        else
            heap_down(k, 0);
    }
    return TW_OK;
}

/* 公费师范生: the whole cohort, into its posts (rural first), then the rest
 * into rural schools of its stages by largest shortfall (any school of its
 * stages and localities when the county has no such rural school). */
static int place_funded(rc_county *k, tw_error *err)
{
    const tw_channel_params *p = &k->cp->ch[TW_CH_FUNDED];
    int64_t owed = k->cohort[TW_CH_FUNDED] - k->got[TW_CH_FUNDED];
    if (owed <= 0)
        return TW_OK;
    int rc = try_posts(k, TW_CH_FUNDED, owed, -1, 0, 1, err);
    if (rc != TW_OK)
        return rc;
    owed = k->cohort[TW_CH_FUNDED] - k->got[TW_CH_FUNDED];
    if (owed <= 0 || !room_left(k, TW_CH_FUNDED))
        return TW_OK;
    const tw_school *sch = k->s->w->schools;
    k->key = KEY_SHORTFALL;
    k->m = 0;
    for (size_t i = k->a; i < k->b; i++)
        if ((p->stage_mask & (1 << sch[i].stage)) &&
            sch[i].locality == TW_LOC_RURAL && tw_sim_open(k->s, i))
            k->heap[k->m++] = (uint32_t)i;
    if (k->m == 0)
        for (size_t i = k->a; i < k->b; i++)
            if (may_hire(k, TW_CH_FUNDED, i))
                k->heap[k->m++] = (uint32_t)i;
    if (k->m == 0)
        return TW_OK; /* nowhere to place them: not hired */
    heap_heapify(k);
    for (; owed > 0 && room_left(k, TW_CH_FUNDED); owed--) {
        rc = hire(k, TW_CH_FUNDED, k->heap[0], err);
        if (rc != TW_OK)
            return rc;
        heap_down(k, 0); /* its shortfall fell by one */
    }
    return TW_OK;
}

/* This year's graduates of channel ch's programme in county c: of each
 * intake graduating now, Binomial(intake, graduation). */
static int64_t pipe_grads(tw_sim *s, size_t c, int ch)
{
    const tw_world *w = s->w;
    long t = (long)s->t;
    int64_t n = 0;
    for (long y = t - 1; y >= t - TW_MAX_PROGRAMME_YEARS; y--) {
        if (!pipe_graduates_in(w, y, t, c, ch))
            continue;
        int64_t in = pipe_intake(w, y, c, ch);
        double g = pipe_params(w, y, c, ch)->graduation;
        if (in <= 0 || !(g > 0.0))
            continue;
        n += g >= 1.0 ? in
                      : (int64_t)gsl_ran_binomial(s->rng, g, (unsigned int)in);
    }
    return n;
}

/* Recruitment of the county whose schools are [a, b). */
static int recruit_county(rc_county *k, tw_error *err)
{
    tw_sim *s = k->s;
    const tw_county_params *cp = k->cp;

    uint64_t vac = 0;
    int64_t bz = 0;
    for (size_t i = k->a; i < k->b; i++) {
        int64_t d = llround(s->S[i].demand) - (int64_t)s->S[i].headcount;
        k->post[i] = d > 0 ? (uint32_t)d : 0;
        vac += k->post[i];
        bz += k->bz[i];
        k->hired[i] = 0;
    }
    size_t c = s->w->schools[k->a].county;
    int64_t room = (int64_t)floor(s->county_cap[c]) - bz;
    k->room = room > 0 ? room : 0;
    int64_t grads[TW_N_HIRE_CHANNELS] = {0};
    int piped = 0;
    for (int ch = 0; ch < TW_N_HIRE_CHANNELS; ch++) {
        k->got[ch] = 0;
        k->cohort[ch] = cp->ch[ch].cohort;
        if (!pipe_any(s->w, (long)s->t, c, ch))
            continue;
        piped |= 1 << ch;
        grads[ch] = pipe_grads(s, c, ch);
        TW_FLOW_ADD(s, c, graduates[ch], grads[ch]);
        k->cohort[ch] = (int64_t)pipe_cohort(&cp->ch[ch], (double)grads[ch]);
    }

    /* exact in a double: headcounts and quotas are far below 2^53 */
    uint64_t H = (uint64_t)llround(
        hire_target(cp, (double)vac, s->county_leavers[c]));
    if (H < vac)
        level_vacancies(k, H);
    else if (H > vac)
        spread_by_demand(k, H - vac);

    /* 人才引进 (talent) reservation of senior-high posts, before the order
     * so that the minimum share holds wherever the channel stands in it. */
    const tw_channel_params *tal = &cp->ch[TW_CH_TALENT];
    if (talent_reserves(cp)) {
        uint64_t hs = 0;
        for (size_t i = k->a; i < k->b; i++)
            if (s->w->schools[i].stage == TW_STAGE_SENIOR)
                hs += k->post[i];
        /* the 1e-9 keeps e.g. 0.28 * 25 = 7.000000000000001 at 7 */
        int64_t R = (int64_t)ceil(tal->share * (double)hs - 1e-9);
        if (k->cohort[TW_CH_TALENT] >= 0 && R > k->cohort[TW_CH_TALENT])
            R = k->cohort[TW_CH_TALENT];
        int rc = try_posts(k, TW_CH_TALENT, -1, R, 1, 0, err);
        if (rc != TW_OK)
            return rc;
    }

    for (int j = 0; j < cp->n_order && j < TW_N_HIRE_CHANNELS; j++) {
        int ch = cp->order[j];
        if (ch < 0 || ch >= TW_N_HIRE_CHANNELS || !cp->ch[ch].on)
            continue;
        int rc;
        if (ch == TW_CH_FUNDED) {
            rc = place_funded(k, err);
        } else {
            int64_t cap = k->cohort[ch];
            int64_t left = cap < 0 ? -1 : cap > k->got[ch] ? cap - k->got[ch]
                                                           : 0;
            rc = try_posts(k, ch, left, -1, 0, 0, err);
        }
        if (rc != TW_OK)
            return rc;
    }

    for (int ch = 0; ch < TW_N_HIRE_CHANNELS; ch++)
        if (piped & (1 << ch))
            TW_FLOW_ADD(s, c, placed[ch],
                        k->got[ch] < grads[ch] ? k->got[ch] : grads[ch]);

    /* posts no channel tried stay empty too */
    for (size_t i = k->a; i < k->b; i++)
        TW_FLOW_ADD(s, s->w->schools[i].county,
                    unfilled[s->w->schools[i].stage], k->post[i]);
    return TW_OK;
}

/*
 * tw_proc_recruit - MODEL.md 3.8, after tw_sim_compact. For every county
 * (schools grouped by county, as tw_world.h guarantees): vacancies from
 * s->S[].demand and fresh headcounts, posts from the hiring policy, hires
 * through the channels of cp->order within the 编制 room. Appends the hires
 * (TW_F_NEW) to s->T and counts s->f.hires and s->f.unfilled. Returns
 * TW_OK, or TW_EFAIL with err set when memory runs out.
 */
int tw_proc_recruit(tw_sim *s, tw_error *err)
{
    const tw_world *w = s->w;
    size_t ns = w->n_schools;
    if (ns == 0)
        return TW_OK;
    rc_county k = {.s = s,
                   .post = s->sscratch,
                   .hired = s->sscratch + ns,
                   .heap = s->sscratch + 2 * ns,
                   .bz = s->sscratch + 3 * ns};
    /* fresh headcounts, and 在编 teachers, pool included, by home school
     * (the post's holder), in one pass */
    for (size_t i = 0; i < ns; i++) {
        k.bz[i] = 0;
        s->S[i].headcount = 0;
    }
    const tw_teachers arrays = s->T, *T = &arrays;
    for (size_t j = 0; j < s->n; j++) {
        if (T->flags[j] & TW_F_GONE)
            continue;
        if (T->flags[j] & TW_F_BIANZHI)
            k.bz[T->home[j]]++;
        if (!(T->flags[j] & TW_F_POOL))
            s->S[T->school[j]].headcount++;
    }
    /* teachers by school and subject, for the hires' subjects: current
     * after rotation (s->subj_fresh), else a pass of their own (a config
     * without subjects does not pay for it) */
    if (s->subj_n != NULL && !s->subj_fresh)
        tw_subject_count(s);
    for (size_t a = 0; a < ns;) {
        size_t b = a + 1;
        while (b < ns && w->schools[b].county == w->schools[a].county)
            b++;
        k.a = a;
        k.b = b;
        k.cp = tw_world_cparams(w, s->t, w->schools[a].county);
        int rc = recruit_county(&k, err);
        if (rc != TW_OK)
            return rc;
        a = b;
    }
    s->subj_fresh = 0; /* ageing and next year's exits do not keep them */
    return TW_OK;
}
