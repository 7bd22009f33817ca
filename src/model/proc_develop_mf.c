/*
 * proc_develop_mf.c - the mean-field form of proc_develop.c: tier
 * promotion, titles, qualification upgrades and 双师型 (dual-qualified)
 * certification, as expected flows between the cells of a group
 * (meanfield_priv.h). The eligibility rules are the stochastic passes'.
 */
#include "meanfield_priv.h"
#include "proc_develop.h"

#include <math.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>

/* ------------------------------------------------------------------ */
/* 6. Professional development                                         */
/* ------------------------------------------------------------------ */

static void pool_fracs(mf *s, double *pf)
{
    double pool[NG], vis[NG];
    tw_mf_group_pool_vis(s, pool, vis);
    for (int g = 0; g < NG; g++)
        pf[g] = clamp01(ratio(pool[g], tw_mf_group_mass(s, g)));
}

/* Tier promotion; region-wide capacity and caps scale every candidate by
 * the same factor (the expected analogue of a random subset). */
void tw_mf_tiers(mf *s, const tw_params *p)
{
    size_t nt = s->nt;
    if (!p->tier_on || s->w->n_tiers < 2)
        return;
    double pf[NG], stock[TW_WORLD_MAX_TIERS] = {0},
                   elig[TW_WORLD_MAX_TIERS] = {0},
                   out[TW_WORLD_MAX_TIERS] = {0},
                   scale[TW_WORLD_MAX_TIERS] = {0};
    uint8_t ok[TW_WORLD_MAX_TIERS];
    int min[TW_WORLD_MAX_TIERS];
    tier_rules(p, nt, ok, min);
    pool_fracs(s, pf);
    for (int g = 0; g < NG; g++)
        for (int c = 0; s->gon[g] && c < s->nall; c++) {
            const double *tb = tiblk(s, gblk(s, g), c);
            for (size_t i = 0; i < nt; i++)
                for (size_t y = 0; y < s->nit; y++) {
                    double v = tb[i * s->nit + y];
                    stock[i] += v;
                    if (ok[i] && (int)y >= min[i])
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

/* The tables of title_rules (proc_develop.h). */
typedef struct title_tab {
    uint8_t ok[NK];
    int min[2][NK];
    int rural[NK], service[NK];
} title_tab;

/* Is a title cell (title k, years it, qualification q, rural years r) of
 * a class of service sv eligible for k + 1? */
static int title_elig(const title_tab *tr, int sv, int k, int it, int q,
                      int r)
{
    return tr->ok[k] && it >= tr->min[q == TW_QUAL_POSTGRAD][k] &&
           r >= tr->rural[k] && sv >= tr->service[k];
}

/* Move `amount` of the women of cell (g, b, c) from demographic layer
 * `from` to `to` (below / at 高级, for the retirement age), in proportion
 * over the layer; nothing when amount is not positive. */
static void move_women(mf *s, int g, double *b, int c, int from, int to,
                       double amount)
{
    if (!(amount > 0))
        return;
    double cm[N_SX];
    tw_mf_class_mass(s, g, b, c, cm);
    double f = dmin(1.0, ratio(amount, cm[from]));
    int x0, nx;
    double *d = dused(s, g, b, c, &x0, &nx);
    for (size_t k = 0; k < (size_t)nx * NBM; k++, d += NL)
        for (int lt = 0; lt < 2; lt++) {
            double v = d[2 * from + lt] * f;
            d[2 * from + lt] -= v;
            d[2 * to + lt] += v;
        }
}

/*
 * Demotion after a failed review (003: 降级或解聘), before the promotions:
 * a share title_demotion of the posted holders of 二级 .. 正高级 in group
 * g's block b drops one title, to 0 years in it (the stochastic pass
 * counts them at the lower title and does not promote them that year;
 * with title_min_years >= 1 at the lower title, as in every config, they
 * are not candidates here either). Women leaving 高级 move back to the
 * demo layers below 高级, in proportion.
 */
static void mf_demote(mf *s, const tw_params *p, int g, double *b, double np)
{
    double d = title_demotion(p) * np;
    if (!(d > 0))
        return;
    for (int c = 0; c < s->nall; c++) {
        double f_from_senior = 0;
        for (int sex = 0; sex < 2; sex++) {
            double *t = tblk(s, b, c, sex);
            /* from the bottom up: a cell moved down is not moved again */
            for (int k = TW_TITLE_SECOND; k < NK; k++) {
                if (!title_demotable(k))
                    continue;
                for (int it = 0; it <= s->ck; it++)
                    for (int q = 0; q < NQ; q++)
                        for (int r = 0; r <= s->cr; r++) {
                            double v = t[tix(s, k, it, q, r)] * d;
                            if (!(v > 0))
                                continue;
                            t[tix(s, k, it, q, r)] -= v;
                            t[tix(s, k - 1, 0, q, r)] += v;
                            s->f.title_demotions += v;
                            if (sex && k == TW_TITLE_SENIOR)
                                f_from_senior += v;
                        }
            }
        }
        move_women(s, g, b, c, SX_F1, SX_F0, f_from_senior);
    }
}

/*
 * Title promotion. Demotion first (mf_demote), then 未定级 -> 二级 / 三级
 * after the probation, at title_from_none a year, then k -> k+1
 * from 正高级 down. A post cap (post_cap < 1) limits the holders of a title
 * at each school to floor(post_cap x the school's expected headcount);
 * every school holds its group's composition, so its candidates and
 * holders are its share of the group's. Women reaching 高级 move to the
 * 高级 demo layers (their retirement age changes).
 */
void tw_mf_titles(mf *s, const tw_params *p)
{
    if (!p->title_on)
        return;
    double pf[NG];
    title_tab tr;
    title_rules(p, tr.ok, tr.min, tr.rural, tr.service);
    pool_fracs(s, pf);
    for (int g = 0; g < NG; g++) {
        if (!s->gon[g])
            continue;
        double *b = gblk(s, g), mass = tw_mf_group_mass(s, g);
        if (!(mass > 0))
            continue;
        double np = 1 - pf[g];
        mf_demote(s, p, g, b, np);
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
                                if (title_elig(&tr, svc(s, c), k, it, q, r))
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
                    double lim = tw_mf_floor_mean(p->post_cap[tt] * hd,
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
                                if (!title_elig(&tr, svc(s, c), k, it, q, r))
                                    continue;
                                double v = t[tix(s, k, it, q, r)] * rate;
                                t[tix(s, k, it, q, r)] -= v;
                                t[tix(s, tt, 0, q, r)] += v;
                                if (sex && tt == TW_TITLE_SENIOR)
                                    f_to_senior += v;
                            }
                }
                /* 未定级 past the probation: at title_from_none a year,
                 * no cap; not promoted again */
                double fn =
                    title_from_none(p, g / TW_N_LOCS) * np;
                if (svc(s, c) >= p->probation_years && fn > 0) {
                    for (int it = 0; it <= s->ck; it++)
                        for (int q = 0; q < NQ; q++)
                            for (int r = 0; r <= s->cr; r++) {
                                double v = t[tix(s, TW_TITLE_NONE, it, q, r)] *
                                           fn;
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
            /* women's demo layers: below 高级 -> 高级, in proportion */
            move_women(s, g, b, c, SX_F0, SX_F1, f_to_senior);
        }
    }
}

void tw_mf_quals(mf *s, const tw_params *p)
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

void tw_mf_dual(mf *s, const tw_params *p)
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
