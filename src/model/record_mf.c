/*
 * record_mf.c - a year's metrics row from the mean-field cells: the
 * mean-field form of record.c (tw_fm_build's columns, record.c's
 * conventions, on expected counts).
 */
#include "meanfield_priv.h"

#include <math.h>
#include <string.h>

/* ------------------------------------------------------------------ */
/* Recording (record.c's conventions, on expected counts)              */
/* ------------------------------------------------------------------ */

static inline void put(double *row, size_t col, double v)
{
    if (col != TW_NO_METRIC)
        row[col] = v;
}

void tw_mf_record(mf *s, double *row, int year, double *hires_cum)
{
    const tw_fm *fm = &s->m->fm;
    const tw_world *w = s->w;
    const tw_school *sch = w->schools;
    int shift = s->xyear - year;
    double stage[TW_N_STAGES] = {0}, sloc[TW_N_STAGES][TW_N_LOCS] = {{0}};
    double posted[TW_N_STAGES] = {0}, tier[TW_WORLD_MAX_TIERS] = {0};
    double title[NK] = {0}, qual[TW_N_STAGES][NQ] = {{0}};
    double tier_st[TW_N_STAGES][TW_WORLD_MAX_TIERS] = {{0}};
    double title_st[TW_N_STAGES][NK] = {{0}}, bz_st[TW_N_STAGES] = {0};
    double agec[TW_N_AGE_BANDS] = {0};
    double female = 0, prof = 0, dualc = 0, backbone = 0, bb_rural = 0;
    double pool[NG], vis[NG], pool_t = 0;
    tw_mf_group_pool_vis(s, pool, vis);
    int bt = fm->backbone_tier;
    size_t nv = (size_t)s->tmax + 1;
    for (int g = 0; g < NG; g++) {
        if (!s->gon[g])
            continue;
        int st = g / TW_N_LOCS, lo = g % TW_N_LOCS;
        double *b = gblk(s, g), mass = 0, gbb = 0;
        for (int c = 0; c < s->nall; c++) {
            int x0, nx;
            const double *d = dused(s, g, b, c, &x0, &nx);
            for (int xi = 0; xi < nx; xi++)
                for (int bm = 0; bm < NBM; bm++) {
                    const double *cell = d + ((size_t)xi * NBM + (size_t)bm) * NL;
                    double v = 0, vf = 0;
                    for (int l = 0; l < NL; l++) {
                        v += cell[l];
                        vf += l >= 2 ? cell[l] : 0;
                        s->diag.min_cell = dmin(s->diag.min_cell, cell[l]);
                    }
                    agec[death_band(x0 + xi - shift - (bm >= 7))] += v;
                    mass += v;
                    female += vf;
                }
            /* title cells are [title][years][qualification][rural] */
            size_t per_k = s->ty / NK, per_q = (size_t)(s->cr + 1);
            for (int sex = 0; sex < 2; sex++) {
                const double *t = tblk(s, b, c, sex);
                for (size_t j = 0; j < s->ty; j++) {
                    title[j / per_k] += t[j];
                    title_st[st][j / per_k] += t[j];
                    qual[st][(j / per_q) % NQ] += t[j];
                }
            }
            const double *ti = tiblk(s, b, c);
            for (size_t i = 0; i < s->nt; i++)
                for (size_t y = 0; y < s->nit; y++) {
                    tier[i] += ti[i * s->nit + y];
                    tier_st[st][i] += ti[i * s->nit + y];
                    if ((int)i >= bt)
                        gbb += ti[i * s->nit + y];
                }
            prof += b[s->off_pr + (size_t)c];
            dualc += b[s->off_du + (size_t)c];
        }
        stage[st] += mass;
        sloc[st][lo] += mass - vis[g];
        sloc[st][TW_LOC_RURAL] += vis[g];
        posted[st] += mass - pool[g];
        pool_t += pool[g];
        backbone += gbb;
        if (lo == TW_LOC_RURAL)
            bb_rural += gbb;
    }
    for (size_t i = 0; i < s->ns; i++) {
        int g = grp(&sch[i]);
        for (size_t y = 0; y < nv; y++)
            bb_rural += s->vout[i * nv + y] * s->bbv[(size_t)g * nv + y];
    }
    double bianzhi = 0;
    for (int g = 0; g < NG; g++) {
        double bz = tw_mf_group_bz(s, g);
        bianzhi += bz;
        bz_st[g / TW_N_LOCS] += bz;
    }
    tw_fm_stock k;
    memset(&k, 0, sizeof k);
    memcpy(k.tier_st, tier_st, sizeof k.tier_st);
    memcpy(k.title_st, title_st, sizeof k.title_st);
    memcpy(k.bianzhi_st, bz_st, sizeof k.bianzhi_st);
    memcpy(k.stage, stage, sizeof k.stage);
    memcpy(k.sloc, sloc, sizeof k.sloc);
    memcpy(k.posted, posted, sizeof k.posted);
    memcpy(k.qual, qual, sizeof k.qual);
    memcpy(k.tier, tier, sizeof k.tier);
    memcpy(k.title, title, sizeof k.title);
    memcpy(k.age, agec, sizeof k.age);
    k.bianzhi = bianzhi;
    k.pool = pool_t;
    k.prof = prof;
    k.dual = dualc;
    k.female = female;
    k.backbone = backbone;
    k.backbone_rural = bb_rural;
    tw_fm_put_stock(fm, w, &k, row);
    tw_fm_put_flows(fm, w, &s->f, row, hires_cum);

    tw_fm_schools sc;
    memset(&sc, 0, sizeof sc);
    double school_stock[NG] = {0};
    for (size_t i = 0; i < s->ns; i++) {
        const tw_school *x = &sch[i];
        if (!mf_open(s, i))
            continue; /* closed (撤并): no students, demand or teachers */
        sc.open[x->stage]++;
        sc.n++;
        double hd = heads(s, i);
        sc.students[x->stage] += s->students[i];
        sc.demand[x->stage] += s->demand[i];
        double gp = s->demand[i] - hd;
        sc.gap[x->stage][x->locality] += gp;
        sc.gap_total += gp;
        /* the rounded expected headcount reaches the rounded demand */
        sc.ok += hd >= floor(s->demand[i] + 0.5) - 0.5;
        school_stock[grp(x)] += s->M[i];
    }
    for (size_t c = 0; c < s->nc; c++)
        sc.cap += s->ccap[c];
    tw_fm_put_schools(fm, &sc, &k, row);
    tw_fm_put_students(fm, w, (size_t)(year - w->base_year), -1, row);
    if (w->n_subjects > 0) /* subjects_mf.c */
        tw_mf_subj_record(s, row);
    /* 转岗 has no expected-value form (docs/meanfield.md) */
    put(row, fm->subj_retrained, NAN);

    /* diagnostics: the school view and the cell view of every group */
    for (int g = 0; g < NG; g++) {
        double cells = tw_mf_group_mass(s, g);
        double d = fabs(school_stock[g] - cells) / dmax(1.0, cells);
        s->diag.max_imbalance = dmax(s->diag.max_imbalance, d);
    }
}
