/*
 * proc_recruit_mf.c - the mean-field form of proc_recruit.c: vacancies,
 * the hiring policy, the establishment room and every channel's posts,
 * placed by levelling (the continuous analogue of "the school with the
 * most posts first"), and the new hires' attributes in expected counts.
 */
#include "meanfield_priv.h"
#include "proc_recruit.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>

#define A0 AGE_MIN /* ages at hire: A0 .. A0 + NA - 1 */
#define NA (AGE_MAX - AGE_MIN + 1)

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
    double cohort[NCH];          /* this year's cohort (pipe_cohort) */
    double hg[NG][NCH];          /* hires by group and channel */
} rq;

static int may_hire(const rq *k, int ch, size_t i)
{
    return channel_may_hire(k->cp, ch, &k->s->w->schools[i]) &&
           mf_open(k->s, i);
}

static double room_left(const rq *k, int ch)
{
    return (!k->cp->cap_on || !is_bianzhi(k->cp, ch)) ? INFINITY : k->room;
}

/* Record hires of channel ch at school i. */
static void hire(rq *k, int ch, size_t i, double h)
{
    if (!(h > 0))
        return;
    const tw_school *sc = &k->s->w->schools[i];
    k->hired[i] += h;
    if (is_bianzhi(k->cp, ch))
        k->hbz[i] += h;
    k->hg[grp(sc)][ch] += h;
    k->got[ch] += h;
    k->s->f.hires[ch][sc->stage] += h;
    k->s->f.hires_loc[ch][sc->locality] += h;
    if (k->cp->cap_on && is_bianzhi(k->cp, ch))
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
        qsort(s->srt, n, sizeof *s->srt, tw_mf_by_value_desc);
        double allT = 0, allH = 0;
        for (size_t q = 0; q < n; q++) {
            allT += s->srt[q].v;
            allH += s->srt[q].v * s->srt[q].w;
        }
        double L = 0;
        if (allT > remT) {
            for (size_t q = 0; q < n; q++)
                s->d1[q] = s->srt[q].w, s->srt[q].w = 1.0;
            L = dmax(L, tw_mf_solve_level(s->srt, n, remT));
            for (size_t q = 0; q < n; q++)
                s->srt[q].w = s->d1[q];
        }
        if (allH > limH)
            L = dmax(L, tw_mf_solve_level(s->srt, n, limH));
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
    double owed = k->cohort[TW_CH_FUNDED] - k->got[TW_CH_FUNDED];
    if (!(owed > EPS))
        return;
    try_posts(k, TW_CH_FUNDED, owed, -1, 0, 1);
    owed = k->cohort[TW_CH_FUNDED] - k->got[TW_CH_FUNDED];
    owed = dmin(owed, room_left(k, TW_CH_FUNDED));
    if (!(owed > EPS))
        return;
    size_t n = 0, *list = s->list;
    for (size_t i = k->a; i < k->b; i++)
        if ((p->stage_mask & (1 << sch[i].stage)) &&
            sch[i].locality == TW_LOC_RURAL && mf_open(s, i))
            list[n++] = i;
    if (n == 0)
        for (size_t i = k->a; i < k->b; i++)
            if (may_hire(k, TW_CH_FUNDED, i))
                list[n++] = i;
    double *key = s->d2, *got = s->d3;
    for (size_t q = 0; q < n; q++)
        key[list[q]] = round(s->demand[list[q]]) - heads(s, list[q]) -
                       k->hired[list[q]];
    tw_mf_level_fill(s, list, n, key, owed, got);
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
    int ob = hire_obligation(p);
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
        pa[hire_age(p->age_mean) - A0] = 1;
    }
    double fem = clamp01(p->female_share[stage]);
    double pq[NQ] = {0};
    if (ch == TW_CH_TALENT) {
        pq[TW_QUAL_POSTGRAD] = 1;
    } else {
        double sum;
        int last;
        if (qual_support(p, &sum, &last) <= 1)
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
    if (is_bianzhi(cp, ch))
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

static void recruit_county(rq *k, size_t t)
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
    /* a programme's graduates: graduation x each intake graduating now */
    double grads[NCH] = {0};
    int piped = 0;
    for (int ch = 0; ch < NCH; ch++) {
        k->cohort[ch] = (double)cp->ch[ch].cohort;
        if (!pipe_any(s->w, (long)t, k->c, ch))
            continue;
        piped |= 1 << ch;
        grads[ch] = pipe_graduates_mean(s->w, (long)t, k->c, ch);
        s->f.graduates[ch] += grads[ch];
        k->cohort[ch] = pipe_cohort(&cp->ch[ch], grads[ch]);
    }
    double H = hire_target(cp, vac, s->leavers[k->c]); /* no rounding */
    if (H < vac - EPS) { /* level the vacancies from the top */
        size_t n = 0;
        for (size_t i = k->a; i < k->b; i++)
            if (k->post[i] > 0)
                s->srt[n++] = (sorted){.v = k->post[i], .w = 1, .i = i};
        qsort(s->srt, n, sizeof *s->srt, tw_mf_by_value_desc);
        double L = H > 0 ? dmax(0, tw_mf_solve_level(s->srt, n, H)) : INFINITY;
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
    if (talent_reserves(cp)) {
        double hs = 0;
        for (size_t i = k->a; i < k->b; i++)
            if (sch[i].stage == TW_STAGE_SENIOR)
                hs += k->post[i];
        double R = tw_mf_ceil_mean(tal->share * hs, tal->share * sqrt(hs), hs);
        if (k->cohort[TW_CH_TALENT] >= 0 && R > k->cohort[TW_CH_TALENT])
            R = k->cohort[TW_CH_TALENT];
        try_posts(k, TW_CH_TALENT, -1, R, 1, 0);
    }
    for (int j = 0; j < cp->n_order && j < NCH; j++) {
        int ch = cp->order[j];
        if (ch < 0 || ch >= NCH || !cp->ch[ch].on)
            continue;
        if (ch == TW_CH_FUNDED) {
            place_funded(k);
        } else {
            double cap = k->cohort[ch];
            double left = cap < 0 ? -1 : dmax(0, cap - k->got[ch]);
            try_posts(k, ch, left, -1, 0, 0);
        }
    }
    for (int ch = 0; ch < NCH; ch++)
        if (piped & (1 << ch))
            s->f.placed[ch] += dmin(k->got[ch], grads[ch]);
    for (size_t i = k->a; i < k->b; i++) {
        s->f.unfilled[sch[i].stage] += k->post[i];
        if (s->w->n_subjects > 0) /* before the hires join M */
            tw_mf_subj_hire(s, i, k->hired[i]);
        s->M[i] += k->hired[i];
        s->B[i] += k->hbz[i];
    }
    for (int g = 0; g < NG; g++)
        for (int ch = 0; ch < NCH; ch++)
            if (k->hg[g][ch] > 0)
                add_hires(s, g, ch, cp, k->hg[g][ch]);
}

void tw_mf_recruit(mf *s, size_t t)
{
    const tw_world *w = s->w;
    rq k = {.s = s, .post = s->post, .hired = s->hired, .hbz = s->hbz};
    if (w->n_subjects > 0) { /* the year's exits and moves, before the
                                hires' subjects */
        tw_mf_subj_sync(s);
        tw_mf_subj_schools(s);
    }
    for (size_t a = 0; a < s->ns;) {
        size_t b = a + 1;
        while (b < s->ns && w->schools[b].county == w->schools[a].county)
            b++;
        k.a = a;
        k.b = b;
        k.c = w->schools[a].county;
        k.cp = tw_world_cparams(w, t, k.c);
        recruit_county(&k, t);
        a = b;
    }
    tw_mf_sync_at(s);
}
