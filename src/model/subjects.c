/*
 * subjects.c - teachers by school and subject (config `subjects`,
 * docs/model.md "Subjects"): the counts behind the hires' subjects and the
 * subject metrics, and 转岗 (retraining into a short subject). Only a world
 * with subjects calls it.
 */
#include "tw_world.h"

#include <string.h>

#include "tw_rng.h"

void tw_subject_count(const tw_sim *s)
{
    const tw_world *w = s->w;
    uint32_t *n = s->subj_n;
    double *c = s->subj_c;
    memset(n, 0, w->n_schools * TW_MAX_SUBJECTS * sizeof *n);
    memset(c, 0, w->n_counties * TW_MAX_SUBJECTS * sizeof *c);
    const tw_teachers arrays = s->T, *T = &arrays;
    for (size_t k = 0; k < s->n; k++) {
        unsigned fl = T->flags[k];
        if (fl & TW_F_GONE)
            continue;
        unsigned j = T->subject[k];
        if (!(fl & TW_F_POOL))
            n[(size_t)T->school[k] * TW_MAX_SUBJECTS + j]++;
        c[(size_t)w->schools[T->home[k]].county * TW_MAX_SUBJECTS + j] += 1;
    }
}

void tw_subject_fill_demand(const tw_sim *s)
{
    const tw_world *w = s->w;
    for (size_t i = 0; i < w->n_schools; i++) {
        double *d = s->subj_d + i * TW_MAX_SUBJECTS;
        if (tw_sim_open(s, i))
            tw_subject_demands(w, s->t, i, s->S[i].students, s->S[i].demand,
                               d);
        else
            memset(d, 0, w->n_subjects * sizeof *d);
    }
}

/* ------------------------------------------------------------------ */
/* 7b. 转岗: retraining into a short subject                            */
/* ------------------------------------------------------------------ */


/* Bits of a school's word during tw_proc_retrain: its subjects over their
 * demand by a whole teacher or more (bits 0 .. 15), whether one of the
 * subjects its stage teaches is short (RT_SHORT), and its county's trial
 * group (from RT_GROUP_SHIFT; RT_DIRECT: a uniform per trial). */
enum {
    RT_SHORT = 1u << 16,
    RT_GROUP_SHIFT = 17,
    RT_MAX_GROUPS = 32,
    RT_DIRECT = RT_MAX_GROUPS
};

/* Whether teacher k may retrain now, and into which subject (*to): it
 * teaches at its home school, where its subject j has at least one whole
 * teacher over its demand (cnt_j - demand_j >= 1: it stays covered), and
 * the school's most short subject is short (demand - cnt > 0). Then the
 * move lowers the school's total mismatch sum |demand_j - cnt_j|. */
static int retrain_target(const tw_sim *s, uint32_t k, size_t *to)
{
    const tw_world *w = s->w;
    uint32_t i = s->T.school[k];
    int st = w->schools[i].stage;
    const uint32_t *cnt = s->subj_n + (size_t)i * TW_MAX_SUBJECTS;
    const double *dem = s->subj_d + (size_t)i * TW_MAX_SUBJECTS;
    size_t j = s->T.subject[k];
    if (!((double)cnt[j] - dem[j] >= 1.0))
        return 0;
    size_t m = tw_subject_most_short(w, st, s->S[i].demand, dem, cnt);
    if (m == j || !(dem[m] - (double)cnt[m] > 0.0))
        return 0;
    *to = m;
    return 1;
}

/*
 * 7b. 转岗 (subjects.retrain, docs/model.md "Subjects"), after rotation:
 * each teacher who holds its post at its home school (not pooled, not
 * away on an exchange term) in a subject over its demand there by a whole
 * teacher, at a school with a short subject (as the step starts),
 * retrains with the county's probability into the school's most short
 * subject, at most the county's capacity a year. Reads the counts and
 * demand by subject that rotation left current (s->subj_fresh; else it
 * counts them), and keeps the counts current.
 *
 * Draws: the trials in s->T order, one tw_skip group per distinct
 * probability (counties of the same probability share one; past
 * RT_MAX_GROUPS, a uniform per trial). The successes of a county above
 * its capacity are taken in a random order (a partial Fisher-Yates, one
 * draw per success tried) until the capacity is used; else all are tried,
 * by home school and s->T order. A success retrains only if its subject
 * is still over and the school still short when its turn comes (the
 * retrainings before it count). Nothing is drawn, and no pass is made,
 * in a year where no county has a probability above 0.
 */
void tw_proc_retrain(tw_sim *s)
{
    const tw_world *w = s->w;
    if (s->subj_n == NULL || w->n_schools == 0)
        return;
    size_t nc = w->n_counties, ns = w->n_schools;
    double gp[RT_MAX_GROUPS];
    size_t ng = 0;
    for (size_t c = 0; c < nc; c++) {
        double p = tw_world_cparams(w, s->t, c)->retrain_prob;
        if (p <= 0.0)
            continue;
        size_t g = 0;
        while (g < ng && gp[g] != p)
            g++;
        if (g == ng && ng < RT_MAX_GROUPS)
            gp[ng++] = p;
    }
    if (ng == 0)
        return;
    if (!s->subj_fresh) { /* called on its own (the tests) */
        tw_subject_count(s);
        tw_subject_fill_demand(s);
    }

    /* the schools' words, in sscratch[0 .. ns) */
    uint32_t *word = s->sscratch;
    for (size_t i = 0; i < ns; i++) {
        word[i] = 0;
        const tw_school *sc = &w->schools[i];
        double p = tw_world_cparams(w, s->t, sc->county)->retrain_prob;
        if (p <= 0.0 || !tw_sim_open(s, i))
            continue;
        size_t g = 0;
        while (g < ng && gp[g] != p)
            g++;
        const uint32_t *cnt = s->subj_n + i * TW_MAX_SUBJECTS;
        const double *dem = s->subj_d + i * TW_MAX_SUBJECTS;
        uint32_t v = (uint32_t)g << RT_GROUP_SHIFT;
        for (size_t j = 0; j < w->n_subjects; j++) {
            if ((double)cnt[j] - dem[j] >= 1.0)
                v |= 1u << j;
            if (w->subject_share[sc->stage][j] > 0.0 &&
                dem[j] - (double)cnt[j] > 0.0)
                v |= RT_SHORT;
        }
        word[i] = (v & RT_SHORT) && (v & 0xffffu) ? v : 0;
    }

    /* the trials, in s->T order; successes into idx */
    tw_skip trial[RT_MAX_GROUPS];
    for (size_t g = 0; g < ng; g++)
        tw_skip_init(&trial[g], s->rng, gp[g]);
    const tw_teachers arrays = s->T, *T = &arrays;
    size_t m = 0;
    for (size_t k = 0; k < s->n; k++) {
        if ((T->flags[k] & (TW_F_GONE | TW_F_POOL)) || T->term_left[k] > 0)
            continue;
        uint32_t v = word[T->school[k]];
        if (!(v >> T->subject[k] & 1))
            continue;
        uint32_t g = v >> RT_GROUP_SHIFT;
        int hit;
        if (g < RT_DIRECT) {
            hit = tw_skip_next(&trial[g], s->rng);
        } else {
            double p = tw_world_cparams(w, s->t, w->schools[T->school[k]]
                                                     .county)->retrain_prob;
            hit = tw_rng_u01(s->rng) < p;
        }
        if (hit)
            s->idx[m++] = (uint32_t)k;
    }
    if (m == 0)
        return;

    /* by home school (a counting sort that keeps s->T order within a
     * school): the schools are grouped by county, so each county's
     * successes are one run of idx2 */
    uint32_t *off = s->sscratch + ns; /* [ns + 1] */
    memset(off, 0, (ns + 1) * sizeof *off);
    for (size_t e = 0; e < m; e++)
        off[T->school[s->idx[e]] + 1]++;
    for (size_t i = 0; i < ns; i++)
        off[i + 1] += off[i];
    for (size_t e = 0; e < m; e++)
        s->idx2[off[T->school[s->idx[e]]]++] = s->idx[e];

    for (size_t a = 0; a < m;) {
        size_t c = w->schools[T->school[s->idx2[a]]].county, b = a + 1;
        while (b < m && w->schools[T->school[s->idx2[b]]].county == c)
            b++;
        int64_t cap = tw_world_cparams(w, s->t, c)->retrain_capacity;
        uint32_t *v = s->idx2 + a;
        size_t n = b - a, done = 0;
        int pick = cap >= 0 && (int64_t)n > cap;
        for (size_t e = 0; e < n && !(pick && (int64_t)done >= cap); e++) {
            if (pick) { /* a random one of those left */
                size_t r = e + tw_rng_uint(s->rng, n - e);
                uint32_t t = v[e];
                v[e] = v[r];
                v[r] = t;
            }
            uint32_t k = v[e];
            size_t to;
            if (!retrain_target(s, k, &to))
                continue;
            uint32_t *cnt = s->subj_n + (size_t)T->school[k] * TW_MAX_SUBJECTS;
            cnt[T->subject[k]]--;
            cnt[to]++;
            T->subject[k] = (uint8_t)to;
            TW_FLOW_ADD(s, c, retrained, 1);
            done++;
        }
        a = b;
    }
}
