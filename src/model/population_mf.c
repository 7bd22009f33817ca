/*
 * population_mf.c - the initial stock in expected counts: the mean-field
 * form of population.c (tw_sim_init). Placement over schools is
 * population.c's own (tw_place_plan); the attributes are its independent
 * draws as products of shares.
 */
#include "meanfield_priv.h"
#include "population.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ */
/* Initial population                                                  */
/* ------------------------------------------------------------------ */

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
    tw_mf_draw_probs(k->age_share, TW_N_AGE_BANDS, pb);
    memset(pam, 0, 100 * sizeof *pam);
    for (int b = 0; b < TW_N_AGE_BANDS; b++) {
        int lo = stock_band_lo(b), width = stock_band_width(b);
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
    tw_mf_draw_probs(k->tier_share, (int)s->nt, pt);
    tw_mf_draw_probs(k->title_share, NK, pk);
    tw_mf_draw_probs(k->qual_share, NQ, pq);
    double fem = clamp01(k->female_share);
    double sen = pk[TW_TITLE_SENIOR] + pk[TW_TITLE_FULL];
    double lay[N_SX] = {1.0 - fem, fem * (1.0 - sen), fem * sen};
    double prof = stage == TW_STAGE_VOCATIONAL ? clamp01(k->prof_share) : 0;
    double dual = prof * clamp01(k->dual_share);
    double *at = s->at + (size_t)g * (size_t)(s->ca + 1);
    for (int sx = 0; sx < N_SX; sx++) {
        if (!(lay[sx] > 0))
            continue;
        age_probs(k, stock_max_age(s->w, sx != SX_M, sx == SX_F1), pam);
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

int tw_mf_init(mf *s)
{
    const tw_world *w = s->w;
    s->xyear = s->year = w->base_year;
    for (size_t i = 0; i < s->ns; i++)
        s->students[i] = w->schools[i].students0;
    tw_mf_demand(s, 0);
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
    if (w->n_subjects > 0 && tw_mf_subj_init(s) != 0)
        return -1;
    return 0;
}
