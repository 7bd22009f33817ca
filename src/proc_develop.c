/*
 * proc_develop.c - professional development (MODEL.md 3.6): tier
 * promotion (培养梯级), title promotion (职称), qualification upgrade (学历)
 * and 双师型 (dual-qualified: theory and practice) certification of
 * vocational professional-course teachers.
 *
 * The two promotion processes have limits (tier capacity and stock caps,
 * per-school post-structure caps for titles), so each runs in three steps:
 *
 *   1. one pass over s->T: counts (stock per tier; teachers and title
 *      holders per school) and the list of eligible teachers in s->idx;
 *   2. one Bernoulli draw per eligible teacher, in the order of s->T,
 *      skipped when the target level can have no room this year; the
 *      successes are kept, in order, at the front of s->idx;
 *   3. the successes are grouped by target level (in place), and the
 *      levels are filled from the top down:
 *
 *        idx: [ succ -> L-1 | succ -> L-2 | ... | succ -> 1 ]
 *               filled first                      filled last
 *
 *      Top-down order means that the promotions out of level j are known
 *      when the room of j is computed, so a cap on the stock of j counts
 *      the holders that leave it this year, and every cap holds exactly
 *      after the year. It also makes "one promotion per teacher per year"
 *      automatic: a teacher is a candidate only for the level above the
 *      one held at the start of the year.
 *
 *   When a limit binds, the winners are a uniformly random subset of the
 *   successful candidates (random order, never index order).
 *
 * Teachers in the 待岗培训 pool (training pool, no post) are not promoted
 * in tier or title, but count in their tier's stock; they may upgrade
 * their qualification and be certified 双师型.
 */
#include "tw_world.h"

#include <math.h>
#include <string.h>

#include <gsl/gsl_randist.h>

/* Levels are grouped by this many buckets at most (tiers or titles). */
#define DEV_MAX_LEVELS                                                     \
    (TW_WORLD_MAX_TIERS > TW_N_TITLES ? TW_WORLD_MAX_TIERS : TW_N_TITLES)

/* Slack when a post cap share times a headcount is floored: 0.7 * 10 must
 * give 7 even if the product rounds to 6.999... */
#define DEV_CAP_EPS 1e-9

/* Bernoulli(p) from the replicate's stream; no draw when p <= 0 or p >= 1,
 * where the outcome is certain. */
static int dev_bernoulli(gsl_rng *rng, double p)
{
    if (p <= 0.0)
        return 0;
    if (p >= 1.0)
        return 1;
    return gsl_rng_uniform(rng) < p;
}

/* Group idx[0..m) in place by bucket (teacher's tier + 1, or title + 1,
 * i.e. the target level), O(m) (American flag sort). On return bucket b
 * occupies idx[start[b] .. start[b+1]), for b < nb (nb <= DEV_MAX_LEVELS). */
static void dev_group(const tw_sim *s, size_t m, int by_title, size_t nb,
                      size_t start[DEV_MAX_LEVELS + 1])
{
    uint32_t *idx = s->idx;
    size_t next[DEV_MAX_LEVELS];
    memset(start, 0, (nb + 1) * sizeof *start);
    for (size_t k = 0; k < m; k++) {
        const tw_teacher *x = &s->T[idx[k]];
        start[(by_title ? x->title : x->tier) + 1u]++;
    }
    size_t acc = 0;
    for (size_t b = 0; b <= nb; b++) {
        size_t c = start[b];
        start[b] = acc;
        acc += c;
    }
    memcpy(next, start, nb * sizeof *next);
    for (size_t b = 0; b < nb; b++) {
        /* invariant: idx[start[b] .. next[b]) already hold bucket b */
        while (next[b] < start[b + 1]) {
            uint32_t v = idx[next[b]];
            const tw_teacher *x = &s->T[v];
            size_t kb = (size_t)(by_title ? x->title : x->tier) + 1u;
            if (kb == b) {
                next[b]++;
            } else {
                idx[next[b]] = idx[next[kb]];
                idx[next[kb]++] = v;
            }
        }
    }
}

/* Move a uniformly random k-subset of a[0..m) to a[0..k) (partial
 * Fisher-Yates; k draws). */
static void dev_pick(gsl_rng *rng, uint32_t *a, size_t m, size_t k)
{
    for (size_t i = 0; i < k; i++) {
        size_t j = i + (size_t)gsl_rng_uniform_int(rng, (unsigned long)(m - i));
        uint32_t v = a[i];
        a[i] = a[j];
        a[j] = v;
    }
}

/* ------------------------------------------------------------------ */
/* Tiers                                                               */
/* ------------------------------------------------------------------ */

/* May teacher x (not gone) try to move up from its tier this year? */
static int tier_eligible(const tw_params *p, size_t n_tiers,
                         const tw_teacher *x)
{
    return !(x->flags & TW_F_POOL) && (size_t)x->tier + 1 < n_tiers &&
           x->in_tier >= p->tier_min_years[x->tier] &&
           p->tier_prob[x->tier] > 0.0;
}

/*
 * Tier promotion (MODEL.md 3.6): a teacher in tier i with
 * in_tier >= tier_min_years[i] moves to i+1 with probability tier_prob[i],
 * within the region-wide limits of the target tier j: tier_capacity[j]
 * promotions a year and a stock of at most tier_cap[j] after the year
 * (-1: no limit). Targets are filled from the top tier down (see the file
 * comment). Counts s->f.tier_promotions[j].
 */
void tw_proc_tiers(tw_sim *s)
{
    const tw_params *p = tw_world_params(s->w, s->t);
    size_t nt = s->w->n_tiers;
    if (!p->tier_on || nt < 2)
        return;
    int64_t stock[TW_WORLD_MAX_TIERS] = {0}; /* all teachers not gone */
    int64_t elig[TW_WORLD_MAX_TIERS] = {0};  /* eligible to leave tier i */
    int64_t out[TW_WORLD_MAX_TIERS] = {0};   /* promoted out of tier i */
    int blocked[TW_WORLD_MAX_TIERS] = {0};   /* target j has no room */

    /* 1. counts and the eligible list */
    size_t m = 0;
    for (size_t k = 0; k < s->n; k++) {
        const tw_teacher *x = &s->T[k];
        if (x->flags & TW_F_GONE)
            continue;
        stock[x->tier]++;
        if (tier_eligible(p, nt, x)) {
            elig[x->tier]++;
            s->idx[m++] = (uint32_t)k;
        }
    }
    /* Target j can gain nobody when its capacity is 0 or when its stock
     * stays at or above the cap even if every eligible holder leaves. */
    for (size_t j = 1; j < nt; j++)
        blocked[j] = p->tier_capacity[j] == 0 ||
                     (p->tier_cap[j] >= 0 &&
                      stock[j] - elig[j] >= p->tier_cap[j]);

    /* 2. draws, in the order of s->T; successes compacted in place */
    size_t ns = 0;
    for (size_t e = 0; e < m; e++) {
        uint32_t k = s->idx[e];
        uint8_t i = s->T[k].tier;
        if (!blocked[i + 1] && dev_bernoulli(s->rng, p->tier_prob[i]))
            s->idx[ns++] = k;
    }
    if (ns == 0)
        return;

    /* 3. targets from the top down */
    size_t start[DEV_MAX_LEVELS + 1];
    dev_group(s, ns, 0, nt, start);
    for (size_t j = nt - 1; j >= 1; j--) {
        uint32_t *seg = s->idx + start[j];
        size_t mj = start[j + 1] - start[j];
        if (mj == 0)
            continue;
        int64_t room = (int64_t)mj;
        if (p->tier_capacity[j] >= 0 && p->tier_capacity[j] < room)
            room = p->tier_capacity[j];
        if (p->tier_cap[j] >= 0) {
            int64_t r = p->tier_cap[j] - (stock[j] - out[j]);
            if (r < room)
                room = r > 0 ? r : 0;
        }
        size_t won = (size_t)room;
        if (won < mj)
            dev_pick(s->rng, seg, mj, won);
        for (size_t e = 0; e < won; e++) {
            tw_teacher *x = &s->T[seg[e]];
            x->tier++;
            x->in_tier = 0;
        }
        out[j - 1] += (int64_t)won;
        s->f.tier_promotions[j] += (double)won;
    }
}

/* ------------------------------------------------------------------ */
/* Titles                                                              */
/* ------------------------------------------------------------------ */

/* Per-school slots of s->sscratch (8 per school). */
enum {
    SS_HEADS = 0,      /* teachers teaching here (not gone, not pool) */
    SS_HOLD = 1,       /* +t-2: holders of title t, t = 二级 .. 正高级 */
    SS_ELIG = 5,       /* +t-2: holders of t eligible for t+1, t = 二级 ..
                          高级 (only during the draws) */
    SS_CAND = 5,       /* candidates for the target being filled (after
                          the draws; reuses the SS_ELIG slots) */
    SS_N = 8
};

/* Holders of title t at a school are capped at this many. */
static uint32_t title_limit(const tw_params *p, const uint32_t *ss, int t)
{
    return (uint32_t)floor(p->post_cap[t] * (double)ss[SS_HEADS] + DEV_CAP_EPS);
}

/* May teacher x (holding a post, title 三级 .. 高级) try for title + 1? */
static int title_eligible(const tw_params *p, const tw_teacher *x)
{
    int k = x->title;
    if (k < TW_TITLE_THIRD || k + 1 >= TW_N_TITLES || p->title_prob[k] <= 0.0)
        return 0;
    int min = x->qual == TW_QUAL_POSTGRAD ? p->title_min_years_postgrad[k]
                                          : p->title_min_years[k];
    if (x->in_title < min)
        return 0;
    /* 003: 到乡村学校、薄弱学校任教1年的经历 is required for 高级 */
    if (k + 1 == TW_TITLE_SENIOR && x->rural < p->senior_rural_years)
        return 0;
    if (k + 1 == TW_TITLE_FULL && x->service < p->full_senior_service)
        return 0;
    return 1;
}

static int title_capped(const tw_params *p, int t)
{
    return p->post_cap[t] < 1.0;
}

/*
 * Title promotion (MODEL.md 3.6). First the probation: a teacher 未定级
 * with service >= probation_years becomes 二级 (本科 or above) or 三级,
 * without a draw or a cap. Then title k -> k+1 (三级 .. 高级 -> 二级 ..
 * 正高级) after title_min_years[k] (title_min_years_postgrad for 研究生),
 * with rural service for 高级 and total service for 正高级, with
 * probability title_prob[k], while the current school's post-structure cap
 * for k+1 has room: holders of k+1 among the school's teachers (not gone,
 * not pooled) stay <= floor(post_cap[k+1] * teachers) after the year.
 * Targets are filled from 正高级 down. Counts s->f.title_promotions[k+1].
 */
void tw_proc_titles(tw_sim *s)
{
    const tw_params *p = tw_world_params(s->w, s->t);
    if (!p->title_on)
        return;
    size_t nsch = s->w->n_schools;
    uint32_t *ss = s->sscratch;
    memset(ss, 0, nsch * SS_N * sizeof *ss);

    /* 1. probation, counts and the eligible list */
    size_t m = 0;
    for (size_t k = 0; k < s->n; k++) {
        tw_teacher *x = &s->T[k];
        if (x->flags & (TW_F_GONE | TW_F_POOL))
            continue;
        uint32_t *sc = ss + (size_t)x->school * SS_N;
        sc[SS_HEADS]++;
        if (x->title == TW_TITLE_NONE) {
            if (x->service >= p->probation_years) {
                x->title = x->qual >= TW_QUAL_BACHELOR ? TW_TITLE_SECOND
                                                       : TW_TITLE_THIRD;
                x->in_title = 0;
                s->f.title_promotions[x->title]++;
            }
            if (x->title >= TW_TITLE_SECOND)
                sc[SS_HOLD + x->title - TW_TITLE_SECOND]++;
            continue; /* probation was this year's promotion */
        }
        if (x->title >= TW_TITLE_SECOND)
            sc[SS_HOLD + x->title - TW_TITLE_SECOND]++;
        if (title_eligible(p, x)) {
            if (x->title >= TW_TITLE_SECOND)
                sc[SS_ELIG + x->title - TW_TITLE_SECOND]++;
            s->idx[m++] = (uint32_t)k;
        }
    }

    /* 2. draws, in the order of s->T, skipped when the school can have no
     * room for the target even if every eligible holder of it moves up */
    size_t ns = 0;
    for (size_t e = 0; e < m; e++) {
        uint32_t k = s->idx[e];
        const tw_teacher *x = &s->T[k];
        int t = x->title + 1;
        if (title_capped(p, t)) {
            const uint32_t *sc = ss + (size_t)x->school * SS_N;
            int64_t free_ = (int64_t)title_limit(p, sc, t) -
                            sc[SS_HOLD + t - TW_TITLE_SECOND];
            if (t < TW_TITLE_FULL)
                free_ += sc[SS_ELIG + t - TW_TITLE_SECOND];
            if (free_ <= 0)
                continue;
        }
        if (dev_bernoulli(s->rng, p->title_prob[x->title]))
            s->idx[ns++] = k;
    }
    if (ns == 0)
        return;
    for (size_t i = 0; i < nsch; i++)
        for (int c = SS_CAND; c < SS_N; c++)
            ss[i * SS_N + (size_t)c] = 0;

    /* 3. targets from 正高级 down. Where a school has more successful
     * candidates than room, the target's candidates are shuffled and
     * taken in that order while their school has room: the winners at
     * each school are then a uniform subset of its candidates. */
    size_t start[DEV_MAX_LEVELS + 1];
    dev_group(s, ns, 1, TW_N_TITLES, start);
    for (int t = TW_TITLE_FULL; t >= TW_TITLE_SECOND; t--) {
        uint32_t *seg = s->idx + start[t];
        size_t mt = start[t + 1] - start[t];
        if (mt == 0)
            continue;
        int capped = title_capped(p, t);
        if (capped) {
            int binds = 0;
            for (size_t e = 0; e < mt; e++)
                ss[(size_t)s->T[seg[e]].school * SS_N + SS_CAND]++;
            for (size_t e = 0; e < mt; e++) {
                uint32_t *sc = ss + (size_t)s->T[seg[e]].school * SS_N;
                if (sc[SS_HOLD + t - TW_TITLE_SECOND] + sc[SS_CAND] >
                    title_limit(p, sc, t))
                    binds = 1;
                sc[SS_CAND] = 0;
            }
            if (binds)
                gsl_ran_shuffle(s->rng, seg, mt, sizeof *seg);
        }
        for (size_t e = 0; e < mt; e++) {
            tw_teacher *x = &s->T[seg[e]];
            uint32_t *sc = ss + (size_t)x->school * SS_N;
            if (capped &&
                sc[SS_HOLD + t - TW_TITLE_SECOND] >= title_limit(p, sc, t))
                continue;
            sc[SS_HOLD + t - TW_TITLE_SECOND]++;
            if (t - 1 >= TW_TITLE_SECOND)
                sc[SS_HOLD + t - 1 - TW_TITLE_SECOND]--;
            x->title = (uint8_t)t;
            x->in_title = 0;
            s->f.title_promotions[t]++;
        }
    }
}

/* ------------------------------------------------------------------ */
/* Qualifications and 双师型                                            */
/* ------------------------------------------------------------------ */

/*
 * Qualification upgrade by in-service study (MODEL.md 3.6): a teacher
 * below 研究生 moves up one level with probability qual_prob[level]
 * (pooled teachers too). Counts s->f.qual_upgrades.
 */
void tw_proc_quals(tw_sim *s)
{
    const tw_params *p = tw_world_params(s->w, s->t);
    if (!p->qual_on)
        return;
    for (size_t k = 0; k < s->n; k++) {
        tw_teacher *x = &s->T[k];
        if ((x->flags & TW_F_GONE) || x->qual >= TW_QUAL_POSTGRAD)
            continue;
        if (dev_bernoulli(s->rng, p->qual_prob[x->qual])) {
            x->qual++;
            s->f.qual_upgrades++;
        }
    }
}

/*
 * 双师型 certification (MODEL.md 3.6): a professional-course teacher
 * (TW_F_PROF) whose home school is vocational (中职) and who is not yet
 * 双师型 becomes so with probability dual_prob, which stands for the
 * enterprise practice of 6 months every 5 years (POLICY.md). Pooled
 * teachers too. Counts s->f.dual_certs.
 */
void tw_proc_dual(tw_sim *s)
{
    const tw_params *p = tw_world_params(s->w, s->t);
    if (!p->dual_on || p->dual_prob <= 0.0)
        return;
    const tw_school *sch = s->w->schools;
    for (size_t k = 0; k < s->n; k++) {
        tw_teacher *x = &s->T[k];
        if ((x->flags & (TW_F_GONE | TW_F_PROF | TW_F_DUAL)) != TW_F_PROF ||
            sch[x->home].stage != TW_STAGE_VOCATIONAL)
            continue;
        if (dev_bernoulli(s->rng, p->dual_prob)) {
            x->flags |= TW_F_DUAL;
            s->f.dual_certs++;
        }
    }
}
