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

#include "proc_develop.h"

#include <math.h>
#include <string.h>

#include <gsl/gsl_randist.h>

#include "tw_rng.h"

/* The per-teacher steps of the fused passes: inlined into their loops. */
#define PER_TEACHER static inline __attribute__((always_inline))

/* Levels are grouped by this many buckets at most (tiers or titles). */
#define DEV_MAX_LEVELS                                                     \
    (TW_WORLD_MAX_TIERS > TW_N_TITLES ? TW_WORLD_MAX_TIERS : TW_N_TITLES)

/* Slack when a post cap share times a headcount is floored: 0.7 * 10 must
 * give 7 even if the product rounds to 6.999... */
#define DEV_CAP_EPS 1e-9

/* Group idx[0..m) (s->idx or s->idx2) in place by bucket (teacher's tier + 1, or title + 1,
 * i.e. the target level), O(m) (American flag sort). On return bucket b
 * occupies idx[start[b] .. start[b+1]), for b < nb (nb <= DEV_MAX_LEVELS). */
static void dev_group(const tw_sim *s, uint32_t *idx, size_t m, int by_title,
                      size_t nb, size_t start[DEV_MAX_LEVELS + 1])
{
    size_t next[DEV_MAX_LEVELS];
    memset(start, 0, (nb + 1) * sizeof *start);
    const tw_teachers arrays = s->T, *T = &arrays;
    for (size_t k = 0; k < m; k++) {
        start[(by_title ? T->title[idx[k]] : T->tier[idx[k]]) + 1u]++;
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
            size_t kb = (size_t)(by_title ? T->title[v] : T->tier[v]) + 1u;
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
        size_t j = i + (size_t)tw_rng_uint(rng, (unsigned long)(m - i));
        uint32_t v = a[i];
        a[i] = a[j];
        a[j] = v;
    }
}

/* ------------------------------------------------------------------ */
/* Tiers                                                               */
/* ------------------------------------------------------------------ */

/* A teacher (not gone) is eligible to try for the tier above when: not in
 * the pool, not in the top tier, in_tier >= tier_min_years[tier] and
 * tier_prob[tier] > 0 (evaluated by tier_scan, from tables). */

/*
 * Tier promotion (MODEL.md 3.6): a teacher in tier i with
 * in_tier >= tier_min_years[i] moves to i+1 with probability tier_prob[i],
 * within the region-wide limits of the target tier j: tier_capacity[j]
 * promotions a year and a stock of at most tier_cap[j] after the year
 * (-1: no limit). Targets are filled from the top tier down (see the file
 * comment). Counts s->f.tier_promotions[j].
 */
/* Tier promotion in progress: the counts of step 1. */
typedef struct tier_work {
    const tw_params *p;
    size_t nt;                               /* tiers in the ladder */
    /* tier_eligible as tables: tier i may try for i + 1 at all (ok), and
     * after min years in it */
    uint8_t ok[TW_WORLD_MAX_TIERS];
    int min[TW_WORLD_MAX_TIERS];
    int64_t stock[TW_WORLD_MAX_TIERS];       /* all teachers not gone */
    int64_t elig[TW_WORLD_MAX_TIERS];        /* eligible to leave tier i */
    size_t m;                                /* eligible, in s->idx */
} tier_work;

/* Is tier promotion on this year? Prepares tw for tier_scan. */
static int tier_start(tier_work *tw, const tw_sim *s)
{
    memset(tw, 0, sizeof *tw);
    const tw_params *p = tw->p = tw_world_params(s->w, s->t);
    tw->nt = s->w->n_tiers;
    tier_rules(p, tw->nt, tw->ok, tw->min);
    return p->tier_on && tw->nt >= 2;
}

/* Step 1 for teacher k (not gone): tier_eligible from the tables, and
 * the list appended to without a branch (the slot after the list is
 * always free: at most k teachers were listed before teacher k). Which
 * teachers are eligible is a coin toss to the branch predictor. */
PER_TEACHER void tier_scan(tier_work *tw, tw_sim *s, const tw_teachers *T,
                           uint32_t k)
{
    int i = T->tier[k];
    tw->stock[i]++;
    int e = ((T->flags[k] & TW_F_POOL) == 0) & tw->ok[i] &
            (T->in_tier[k] >= tw->min[i]);
    tw->elig[i] += e;
    s->idx[tw->m] = k;
    tw->m += (size_t)e;
}

/* Steps 2 and 3. */
static void tier_finish(const tier_work *tw, tw_sim *s)
{
    const tw_params *p = tw->p;
    size_t nt = tw->nt, m = tw->m;
    const int64_t *stock = tw->stock, *elig = tw->elig;
    int64_t out[TW_WORLD_MAX_TIERS] = {0};   /* promoted out of tier i */
    int blocked[TW_WORLD_MAX_TIERS] = {0};   /* target j has no room */

    /* Target j can gain nobody when its capacity is 0 or when its stock
     * stays at or above the cap even if every eligible holder leaves. */
    for (size_t j = 1; j < nt; j++)
        blocked[j] = p->tier_capacity[j] == 0 ||
                     (p->tier_cap[j] >= 0 &&
                      stock[j] - elig[j] >= p->tier_cap[j]);

    /* 2. draws, in the order of s->T, as the trials of each source tier
     * (tw_skip: the gap to the next success); successes compacted in
     * place */
    tw_skip trial[TW_WORLD_MAX_TIERS];
    for (size_t i = 0; i + 1 < nt; i++)
        if (elig[i] > 0 && !blocked[i + 1])
            tw_skip_init(&trial[i], s->rng, p->tier_prob[i]);
    size_t ns = 0;
    for (size_t e = 0; e < m; e++) {
        uint32_t k = s->idx[e];
        uint8_t i = s->T.tier[k];
        if (!blocked[i + 1] && tw_skip_next(&trial[i], s->rng))
            s->idx[ns++] = k;
    }
    if (ns == 0)
        return;

    /* 3. targets from the top down */
    size_t start[DEV_MAX_LEVELS + 1];
    dev_group(s, s->idx, ns, 0, nt, start);
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
            s->T.tier[seg[e]]++;
            s->T.in_tier[seg[e]] = 0;
            s->cf[tw_sim_county(s, seg[e])].tier_promotions[j] += 1;
        }
        out[j - 1] += (int64_t)won;
        s->f.tier_promotions[j] += (double)won;
    }
}

void tw_proc_tiers(tw_sim *s)
{
    tier_work tw;
    if (!tier_start(&tw, s))
        return;
    const tw_teachers arrays = s->T, *T = &arrays;
    for (size_t k = 0; k < s->n; k++)
        if (!(T->flags[k] & TW_F_GONE))
            tier_scan(&tw, s, T, (uint32_t)k);
    tier_finish(&tw, s);
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
    /* floor of a non-negative number, without a call to floor() */
    double v = p->post_cap[t] * (double)ss[SS_HEADS] + DEV_CAP_EPS;
    return v > 0.0 ? (uint32_t)v : 0;
}

/* A teacher holding a post and title k (三级 .. 高级) is eligible to try
 * for k + 1 when title_prob[k] > 0; in_title >= title_min_years[k]
 * (title_min_years_postgrad[k] for 研究生); for 高级, rural service >=
 * senior_rural_years (003: 到乡村学校、薄弱学校任教1年的经历); for 正高级,
 * service >= full_senior_service (evaluated by title_scan, from tables). */

static int title_capped(const tw_params *p, int t)
{
    return p->post_cap[t] < 1.0;
}

/*
 * Title promotion (MODEL.md 3.6). First 未定级: a teacher 未定级 with
 * service >= probation_years becomes 二级 (本科 or above) or 三级 with
 * probability title_from_none a year, by the stage of the home school (1:
 * at once, without a draw), without a cap; untitled teachers past their
 * probation stay 未定级 otherwise. Then demotion: a holder of 二级 ..
 * 正高级 (with a post) drops one title with probability title_demotion
 * (003: 降级或解聘), and is not promoted that year. Then title k -> k+1
 * (三级 .. 高级 -> 二级 .. 正高级) after title_min_years[k]
 * (title_min_years_postgrad for 研究生), with rural service for 高级 and
 * total service for 正高级, with probability title_prob[k], while the current school's post-structure cap
 * for k+1 has room: holders of k+1 among the school's teachers (not gone,
 * not pooled) stay <= floor(post_cap[k+1] * teachers) after the year.
 * Targets are filled from 正高级 down. Counts s->f.title_promotions[k+1].
 */
/* Title promotion in progress: the eligible teachers of step 1, in
 * s->idx2 (the per-school counts are in s->sscratch). */
typedef struct title_work {
    const tw_params *p;
    size_t m;
    /* title_eligible as tables, by the title k held: k may try for k + 1
     * at all (ok); years in k needed ([1]: by a 研究生); rural and total
     * service needed */
    uint8_t ok[TW_N_TITLES];
    int min[2][TW_N_TITLES];
    int rural[TW_N_TITLES], service[TW_N_TITLES];
    /* the trials of leaving 未定级 after the probation (no draw when the
     * rate is 1) and of demotion (only when title_demotion > 0) */
    tw_skip from_none[TW_N_STAGES], demote;
    int demote_on;
    int none_stays; /* some stage keeps 未定级 past the probation */
} title_work;

/* Is title promotion on this year? Prepares tt and the per-school counts
 * for title_scan. */
static int title_start(title_work *tt, tw_sim *s)
{
    const tw_params *p = tt->p = tw_world_params(s->w, s->t);
    tt->m = 0;
    if (!p->title_on)
        return 0;
    title_rules(p, tt->ok, tt->min, tt->rural, tt->service);
    tt->none_stays = 0;
    for (int st = 0; st < TW_N_STAGES; st++) {
        tw_skip_init(&tt->from_none[st], s->rng, title_from_none(p, st));
        tt->none_stays |= title_from_none(p, st) < 1.0;
    }
    tt->demote_on = title_demotion(p) > 0.0;
    if (tt->demote_on)
        tw_skip_init(&tt->demote, s->rng, title_demotion(p));
    memset(s->sscratch, 0, s->w->n_schools * SS_N * sizeof *s->sscratch);
    return 1;
}

/* Step 1 for teacher k (not gone): leaving 未定级 or a demotion, the
 * counts and the eligible list. */
PER_TEACHER void title_scan(title_work *tt, tw_sim *s, const tw_teachers *T,
                            uint32_t k)
{
    const tw_params *p = tt->p;
    if (T->flags[k] & TW_F_POOL)
        return;
    uint32_t *sc = s->sscratch + (size_t)T->school[k] * SS_N;
    sc[SS_HEADS]++;
    if (T->title[k] == TW_TITLE_NONE) {
        if (T->service[k] >= p->probation_years &&
            (!tt->none_stays ||
             tw_skip_next(&tt->from_none[s->w->schools[T->home[k]].stage],
                          s->rng))) {
            T->title[k] = T->qual[k] >= TW_QUAL_BACHELOR ? TW_TITLE_SECOND
                                                         : TW_TITLE_THIRD;
            T->in_title[k] = 0;
            TW_FLOW_ADD(s, tw_sim_county(s, k), title_promotions[T->title[k]],
                        1);
        }
        if (T->title[k] >= TW_TITLE_SECOND)
            sc[SS_HOLD + T->title[k] - TW_TITLE_SECOND]++;
        return; /* leaving 未定级 is this year's promotion */
    }
    /* demotion after a failed review: one step down, and no promotion
     * this year; not capped (the holders of the lower title may exceed
     * its post cap until they leave it) */
    if (tt->demote_on && title_demotable(T->title[k]) &&
        tw_skip_next(&tt->demote, s->rng)) {
        int d = --T->title[k];
        T->in_title[k] = 0;
        TW_FLOW_ADD(s, tw_sim_county(s, k), title_demotions, 1);
        if (d >= TW_TITLE_SECOND)
            sc[SS_HOLD + d - TW_TITLE_SECOND]++;
        return;
    }
    /* title_eligible, and the counts, without a branch (as tier_scan) */
    int t = T->title[k], held = t >= TW_TITLE_SECOND;
    int slot = held ? t - TW_TITLE_SECOND : 0;
    sc[SS_HOLD + slot] += (uint32_t)held;
    int postgrad = T->qual[k] == TW_QUAL_POSTGRAD;
    int e = tt->ok[t] & (T->in_title[k] >= tt->min[postgrad][t]) &
            (T->rural[k] >= tt->rural[t]) & (T->service[k] >= tt->service[t]);
    /* e == 0 for 正高级, the one title without an SS_ELIG slot */
    sc[SS_ELIG + (slot < 2 ? slot : 2)] += (uint32_t)(e & held);
    s->idx2[tt->m] = k;
    tt->m += (size_t)e;
}

/* Steps 2 and 3. */
static void title_finish(const title_work *tt, tw_sim *s)
{
    const tw_params *p = tt->p;
    size_t nsch = s->w->n_schools, m = tt->m;
    uint32_t *ss = s->sscratch, *idx = s->idx2;

    /* 2. draws, in the order of s->T, as the trials of each title held
     * (tw_skip), skipped when the school can have no room for the target
     * even if every eligible holder of it moves up (decided by the counts
     * of step 1, before any draw) */
    tw_skip trial[TW_N_TITLES];
    for (int k = 0; k < TW_N_TITLES; k++)
        if (tt->ok[k])
            tw_skip_init(&trial[k], s->rng, p->title_prob[k]);
    size_t ns = 0;
    const tw_teachers arrays = s->T, *T = &arrays;
    for (size_t e = 0; e < m; e++) {
        uint32_t k = idx[e];
        int t = T->title[k] + 1;
        if (title_capped(p, t)) {
            const uint32_t *sc = ss + (size_t)T->school[k] * SS_N;
            int64_t free_ = (int64_t)title_limit(p, sc, t) -
                            sc[SS_HOLD + t - TW_TITLE_SECOND];
            if (t < TW_TITLE_FULL)
                free_ += sc[SS_ELIG + t - TW_TITLE_SECOND];
            if (free_ <= 0)
                continue;
        }
        if (tw_skip_next(&trial[T->title[k]], s->rng))
            idx[ns++] = k;
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
    dev_group(s, idx, ns, 1, TW_N_TITLES, start);
    for (int t = TW_TITLE_FULL; t >= TW_TITLE_SECOND; t--) {
        uint32_t *seg = idx + start[t];
        size_t mt = start[t + 1] - start[t];
        if (mt == 0)
            continue;
        int capped = title_capped(p, t);
        if (capped) {
            int binds = 0;
            for (size_t e = 0; e < mt; e++)
                ss[(size_t)s->T.school[seg[e]] * SS_N + SS_CAND]++;
            for (size_t e = 0; e < mt; e++) {
                uint32_t *sc = ss + (size_t)s->T.school[seg[e]] * SS_N;
                if (sc[SS_HOLD + t - TW_TITLE_SECOND] + sc[SS_CAND] >
                    title_limit(p, sc, t))
                    binds = 1;
                sc[SS_CAND] = 0;
            }
            if (binds)
                tw_rng_shuffle(s->rng, seg, mt);
        }
        for (size_t e = 0; e < mt; e++) {
            uint32_t k = seg[e];
            uint32_t *sc = ss + (size_t)s->T.school[k] * SS_N;
            if (capped &&
                sc[SS_HOLD + t - TW_TITLE_SECOND] >= title_limit(p, sc, t))
                continue;
            sc[SS_HOLD + t - TW_TITLE_SECOND]++;
            if (t - 1 >= TW_TITLE_SECOND)
                sc[SS_HOLD + t - 1 - TW_TITLE_SECOND]--;
            s->T.title[k] = (uint8_t)t;
            s->T.in_title[k] = 0;
            TW_FLOW_ADD(s, tw_sim_county(s, k), title_promotions[t], 1);
        }
    }
}

void tw_proc_titles(tw_sim *s)
{
    title_work tt;
    if (!title_start(&tt, s))
        return;
    const tw_teachers arrays = s->T, *T = &arrays;
    for (size_t k = 0; k < s->n; k++)
        if (!(T->flags[k] & TW_F_GONE))
            title_scan(&tt, s, T, (uint32_t)k);
    title_finish(&tt, s);
}

/* ------------------------------------------------------------------ */
/* Qualifications and 双师型                                            */
/* ------------------------------------------------------------------ */

/*
 * Qualification upgrade by in-service study (MODEL.md 3.6): a teacher
 * below 研究生 moves up one level with probability qual_prob[level]
 * (pooled teachers too). Counts s->f.qual_upgrades.
 */
/* The trials of each level below 研究生 (tw_skip), for qual_one. */
typedef struct qual_trials {
    tw_skip level[TW_N_QUALS - 1];
} qual_trials;

static void qual_start(qual_trials *qt, tw_sim *s, const tw_params *p)
{
    for (int q = 0; q < TW_N_QUALS - 1; q++)
        tw_skip_init(&qt->level[q], s->rng, p->qual_prob[q]);
}

PER_TEACHER void qual_one(tw_sim *s, qual_trials *qt, tw_teachers *T,
                          size_t k)
{
    if (T->qual[k] < TW_QUAL_POSTGRAD &&
        tw_skip_next(&qt->level[T->qual[k]], s->rng)) {
        T->qual[k]++;
        TW_FLOW_ADD(s, tw_sim_county(s, k), qual_upgrades, 1);
    }
}

void tw_proc_quals(tw_sim *s)
{
    const tw_params *p = tw_world_params(s->w, s->t);
    if (!p->qual_on)
        return;
    qual_trials qt = {{{0}}};
    qual_start(&qt, s, p);
    for (size_t k = 0; k < s->n; k++)
        if (!(s->T.flags[k] & TW_F_GONE))
            qual_one(s, &qt, &s->T, k);
}

/*
 * 双师型 certification (MODEL.md 3.6): a professional-course teacher
 * (TW_F_PROF) whose home school is vocational (中职) and who is not yet
 * 双师型 becomes so with probability dual_prob, which stands for the
 * enterprise practice of 6 months every 5 years (POLICY.md). Pooled
 * teachers too. Counts s->f.dual_certs.
 */
PER_TEACHER void dual_one(tw_sim *s, tw_skip *trial, tw_teachers *T,
                          size_t k)
{
    if ((T->flags[k] & (TW_F_PROF | TW_F_DUAL)) != TW_F_PROF ||
        s->w->schools[T->home[k]].stage != TW_STAGE_VOCATIONAL)
        return;
    if (tw_skip_next(trial, s->rng)) {
        T->flags[k] |= TW_F_DUAL;
        TW_FLOW_ADD(s, tw_sim_county(s, k), dual_certs, 1);
    }
}

void tw_proc_dual(tw_sim *s)
{
    const tw_params *p = tw_world_params(s->w, s->t);
    if (!p->dual_on || p->dual_prob <= 0.0)
        return;
    tw_skip trial;
    tw_skip_init(&trial, s->rng, p->dual_prob);
    for (size_t k = 0; k < s->n; k++)
        if (!(s->T.flags[k] & TW_F_GONE))
            dual_one(s, &trial, &s->T, k);
}

/* ------------------------------------------------------------------ */
/* The four, in two passes                                             */
/* ------------------------------------------------------------------ */

/*
 * tw_proc_tiers, tw_proc_titles, tw_proc_quals and tw_proc_dual as
 * tw_sim_step runs them, in one pass over the records instead of four or
 * more:
 *
 *   the pass:  for each teacher, step 1 of tiers and of titles (the
 *              counts, the eligible lists and the probation), then the
 *              qualification and 双师型 trials;
 *   then:      steps 2-3 of tiers, then of titles (draws and placements).
 *
 * The outcome is that of the four processes in turn: step 1 of titles
 * reads the teacher's qualification before this year's upgrade, as it
 * would before tw_proc_quals; steps 2-3 read tiers, titles and schools,
 * which the qualification and 双师型 trials do not change, and the
 * reverse. The draws interleave, which changes the stream, not the
 * distribution.
 */
void tw_proc_develop(tw_sim *s)
{
    tier_work tw;
    title_work tt;
    int tiers = tier_start(&tw, s), titles = title_start(&tt, s);
    const tw_params *p = tw_world_params(s->w, s->t);
    int quals = p->qual_on, dual = p->dual_on && p->dual_prob > 0.0;
    if (!tiers && !titles && !quals && !dual)
        return;
    qual_trials qt = {{{0}}};
    tw_skip dual_trial = {0};
    if (quals)
        qual_start(&qt, s, p);
    if (dual)
        tw_skip_init(&dual_trial, s->rng, p->dual_prob);
    tw_teachers arrays = s->T, *T = &arrays;
    for (size_t k = 0; k < s->n; k++) {
        if (T->flags[k] & TW_F_GONE)
            continue;
        if (tiers)
            tier_scan(&tw, s, T, (uint32_t)k);
        if (titles)
            title_scan(&tt, s, T, (uint32_t)k);
        if (quals)
            qual_one(s, &qt, T, k);
        if (dual)
            dual_one(s, &dual_trial, T, k);
    }
    if (tiers)
        tier_finish(&tw, s);
    if (titles)
        title_finish(&tt, s);
}
