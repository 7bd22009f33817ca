/*
 * proc_rotate_mf.c - the mean-field form of proc_rotate.c: 县管校聘
 * (county-managed teachers, school-hired posts) rotation in expected
 * counts: returns, transfers, exchange terms, 竞聘 (competing for posts)
 * and the 待岗培训 (training) pool, county by county.
 */
#include "meanfield_priv.h"
#include "proc_rotate.h"

#include <math.h>
#include <string.h>

/* ------------------------------------------------------------------ */
/* 7. Rotation under 县管校聘                                           */
/* ------------------------------------------------------------------ */

/* Returns from exchange terms: term left counts down; at 0 the teachers
 * are home again, with their years at the school restarted. */
static void returns(mf *s)
{
    if (s->tmax == 0)
        return;
    size_t nv = (size_t)s->tmax + 1, na = (size_t)s->ca + 1;
    for (size_t i = 0; i < s->ns; i++) {
        double *vo = s->vout + i * nv, *vi = s->vin + i * nv;
        double back = vo[1];
        s->f.exchange_returns += back;
        s->at[(size_t)grp(&s->w->schools[i]) * na] += back;
        for (size_t y = 1; y + 1 < nv; y++) {
            vo[y] = vo[y + 1];
            vi[y] = vi[y + 1];
        }
        vo[nv - 1] = vi[nv - 1] = 0;
        vo[0] = vi[0] = 0;
    }
    for (int g = 0; g < NG; g++) {
        double *bb = s->bbv + (size_t)g * nv;
        for (size_t y = 1; y + 1 < nv; y++)
            bb[y] = bb[y + 1];
        bb[nv - 1] = 0;
    }
}

/* A county: its schools [a, b) and parameters during rotation. */
typedef struct rcounty {
    size_t a, b, c;
    const tw_county_params *cp;
} rcounty;

/*
 * Voluntary transfers: rate x the residents of each school, to the other
 * schools of the county and stage in proportion to their positive
 * shortfall at the start of the step (uniformly when none is short).
 * Flows into j from the schools of locality l are computed in O(n):
 *   in_j = sf_j (A_l - [j in l] out_j / T_j) + (U_l - [j in l] out_j) / (n-1)
 * with T_i = sum of the others' shortfalls, A_l = sum out_i / T_i over
 * T_i > 0, U_l = sum out_i over T_i = 0.
 */
static void transfers(mf *s, const rcounty *k)
{
    const tw_school *sch = s->w->schools;
    double rate = k->cp->transfer_rate;
    if (!(rate > 0))
        return;
    double *sf = s->d1, *out = s->d2, *Ti = s->d3, *bz = s->d4;
    for (int st = 0; st < TW_N_STAGES; st++) {
        size_t n = 0;
        double T = 0;
        for (size_t i = k->a; i < k->b; i++)
            if (sch[i].stage == st && mf_open(s, i)) {
                n++;
                sf[i] = dmax(0, s->demand[i] - heads(s, i));
                T += sf[i];
            }
        if (n < 2)
            continue;
        double A[TW_N_LOCS] = {0}, U[TW_N_LOCS] = {0};
        double AB[TW_N_LOCS] = {0}, UB[TW_N_LOCS] = {0};
        for (size_t i = k->a; i < k->b; i++) {
            if (sch[i].stage != st)
                continue;
            int l = sch[i].locality;
            out[i] = rate * dmax(0, residents(s, i));
            bz[i] = clamp01(ratio(s->B[i], s->M[i]));
            Ti[i] = T - sf[i];
            if (Ti[i] <= 1e-12 * dmax(1.0, T))
                Ti[i] = 0;
            if (Ti[i] > 0) {
                A[l] += out[i] / Ti[i];
                AB[l] += out[i] * bz[i] / Ti[i];
            } else {
                U[l] += out[i];
                UB[l] += out[i] * bz[i];
            }
        }
        double moved[TW_N_LOCS] = {0};
        for (size_t i = k->a; i < k->b; i++) {
            if (sch[i].stage != st)
                continue;
            s->M[i] -= out[i];
            s->B[i] -= out[i] * bz[i];
            moved[sch[i].locality] += out[i];
            s->f.transfers += out[i];
        }
        for (int l = 0; l < TW_N_LOCS; l++) {
            int g = st * TW_N_LOCS + l;
            double *at = s->at + (size_t)g * (size_t)(s->ca + 1), t = 0;
            for (int y = 0; y <= s->ca; y++)
                t += at[y];
            double kk = 1.0 - dmin(1.0, ratio(moved[l], t));
            for (int y = 0; y <= s->ca; y++)
                at[y] *= kk;
        }
        for (size_t j = k->a; j < k->b; j++) {
            if (sch[j].stage != st || !mf_open(s, j))
                continue;
            int lj = sch[j].locality;
            for (int l = 0; l < TW_N_LOCS; l++) {
                int own = l == lj;
                double a1 = A[l], u1 = U[l], ab = AB[l], ub = UB[l];
                if (own && Ti[j] > 0) {
                    a1 -= out[j] / Ti[j];
                    ab -= out[j] * bz[j] / Ti[j];
                } else if (own) {
                    u1 -= out[j];
                    ub -= out[j] * bz[j];
                }
                double in = sf[j] * a1 + u1 / (double)(n - 1);
                double inb = sf[j] * ab + ub / (double)(n - 1);
                if (!(in > 0))
                    continue;
                s->M[j] += in;
                s->B[j] += inb;
                tw_mf_mv_add(s, st * TW_N_LOCS + l, grp(&sch[j]), in, NULL);
                s->at[(size_t)grp(&sch[j]) * (size_t)(s->ca + 1)] += in;
            }
        }
    }
}

/* Share of group g not exempt from exchange by age. */
static double under_age(const double (*ah)[2][AMAX + 1], int g,
                        const tw_county_params *cp, double mass)
{
    double v = 0;
    for (int sex = 0; sex < 2; sex++)
        for (int a = 0; a <= AMAX; a++)
            if (!exchange_exempt(cp, sex, a))
                v += ah[g][sex][a];
    return clamp01(ratio(v, mass));
}

/* How many of a sending school's el eligible teachers (bb of them
 * backbone) move: under the county reading of the share, the county's
 * fractions frb of the backbone and frr of the rest; under the school
 * reading, ceil(share x el) of the school's own, at least
 * ceil(backbone_share x that) backbone. mb: backbone among the movers.
 * keep: the share of them that a rural shortfall takes. */
typedef struct exch_rule {
    double frb, frr, keep;
    const tw_county_params *cp;
} exch_rule;

static void movers_of(const exch_rule *ru, double el, double bb, double *mi,
                      double *mb)
{
    if (!ru->cp->exchange_per_school) {
        *mb = ru->frb * bb + ru->frr * (bb - ru->frb * bb);
        *mi = ru->frb * bb + ru->frr * (el - ru->frb * bb);
        return;
    }
    const tw_county_params *cp = ru->cp;
    double m = tw_mf_ceil_mean(cp->exchange_share * el,
                               cp->exchange_share * sqrt(el), el);
    double b = dmin(tw_mf_ceil_mean(cp->backbone_share * m,
                                    cp->backbone_share * cp->exchange_share *
                                        sqrt(el),
                                    m),
                    bb);
    *mi = m;
    *mb = b + (m - b) * clamp01(ratio(bb - b, el - b));
}

/*
 * 交流轮岗 (exchange): eligible = residents of urban and town primary and
 * junior schools x the school's 在编 share x the group's shares with
 * eligible_years at the school and under the exemption age (independence).
 * Movers = share x eligible (+1/2 for the ceiling), backbone first, over
 * the county or each sending school (movers_of); they go to the county's
 * rural schools of their stage by largest shortfall (levelling), at most
 * their total positive shortfall, for term_years or for good.
 */
static void exchange(mf *s, const rcounty *k, const double (*ah)[2][AMAX + 1],
                     const double *gmass, const double (*tm)[TW_WORLD_MAX_TIERS])
{
    const tw_school *sch = s->w->schools;
    const tw_county_params *cp = k->cp;
    double *el = s->d1, *bb = s->d2;
    size_t na = (size_t)s->ca + 1, nv = (size_t)s->tmax + 1;
    int ey = imin(imax(cp->eligible_years, 0), s->ca);
    int bt = imax(0, cp->backbone_tier);
    double E = 0, Eb = 0;
    for (size_t i = k->a; i < k->b; i++) {
        el[i] = bb[i] = 0;
        const tw_school *sc = &sch[i];
        if (!exchange_sends(cp, sc->stage, sc->locality))
            continue;
        int g = grp(sc);
        const double *at = s->at + (size_t)g * na;
        double at_t = 0, at_e = 0;
        for (size_t y = 0; y < na; y++) {
            at_t += at[y];
            at_e += (int)y >= ey ? at[y] : 0;
        }
        double bbm = 0;
        for (size_t t = (size_t)bt; t < s->nt; t++)
            bbm += tm[g][t];
        el[i] = dmax(0, residents(s, i)) * clamp01(ratio(s->B[i], s->M[i])) *
                clamp01(ratio(at_e, at_t)) *
                under_age(ah, g, cp, gmass[g]);
        bb[i] = el[i] * clamp01(ratio(bbm, gmass[g]));
        E += el[i];
        Eb += bb[i];
    }
    if (!(E > 0))
        return;
    /* ceil(share x eligible): the eligible count varies between replicates
     * about as a Poisson count (each teacher's eligibility is random) */
    double movers = tw_mf_ceil_mean(cp->exchange_share * E,
                                    cp->exchange_share * sqrt(E), E);
    double nb = dmin(tw_mf_ceil_mean(cp->backbone_share * movers,
                                     cp->backbone_share * cp->exchange_share *
                                     sqrt(E),
                                     movers),
                     Eb);
    double rest = movers - nb;
    exch_rule ru = {.frb = ratio(nb, Eb), .frr = ratio(rest, E - nb),
                    .cp = cp};
    int term = imin(cp->term_years, 255);
    size_t *list = s->list;
    double *key = s->d3, *got = s->d4;
    for (int st = TW_STAGE_PRIMARY; st <= TW_STAGE_JUNIOR; st++) {
        size_t n = 0;
        double amt = 0, room = 0;
        for (size_t j = k->a; j < k->b; j++)
            if (sch[j].stage == st && sch[j].locality == TW_LOC_RURAL &&
                mf_open(s, j)) {
                list[n++] = j;
                key[j] = s->demand[j] - heads(s, j);
                room += dmax(0, key[j]);
            }
        for (size_t i = k->a; i < k->b; i++)
            if (sch[i].stage == st) {
                double mi, mb;
                movers_of(&ru, el[i], bb[i], &mi, &mb);
                amt += mi;
            }
        if (n == 0 || !(amt > 0) || !(room > 0))
            continue; /* no rural school of the stage is short: they stay */
        /* movers beyond the rural schools' shortfall stay, from every
         * sending school alike */
        ru.keep = amt > room ? room / amt : 1.0;
        amt *= ru.keep;
        tw_mf_level_fill(s, list, n, key, amt, got);
        double tiers_from[TW_N_LOCS][TW_WORLD_MAX_TIERS] = {{0}};
        double from[TW_N_LOCS] = {0}, from_bb[TW_N_LOCS] = {0};
        for (size_t i = k->a; i < k->b; i++) {
            if (sch[i].stage != st || !(el[i] > 0))
                continue;
            int l = sch[i].locality, g = grp(&sch[i]);
            double mi, mb;
            movers_of(&ru, el[i], bb[i], &mi, &mb);
            mi *= ru.keep;
            mb *= ru.keep;
            s->f.exchanges[l] += mi;
            from[l] += mi;
            from_bb[l] += mb;
            /* movers leave the residents' years-at-school distribution
             * from its eligible part */
            double *at = s->at + (size_t)g * na, at_e = 0;
            for (size_t y = (size_t)ey; y < na; y++)
                at_e += at[y];
            double kk = 1.0 - dmin(1.0, ratio(mi, at_e));
            for (size_t y = (size_t)ey; y < na; y++)
                at[y] *= kk;
            if (term > 0) {
                s->vout[i * nv + (size_t)term] += mi;
            } else {
                s->M[i] -= mi;
                s->B[i] -= mi; /* movers are 在编 */
            }
            /* movers' tiers: backbone ones from the backbone tiers */
            double bbm = 0, obm = 0;
            for (size_t t = 0; t < s->nt; t++) {
                if ((int)t >= bt)
                    bbm += tm[g][t];
                else
                    obm += tm[g][t];
            }
            for (size_t t = 0; t < s->nt; t++)
                tiers_from[l][t] += (int)t >= bt ? mb * ratio(tm[g][t], bbm)
                                                 : (mi - mb) * ratio(tm[g][t], obm);
        }
        double tot_from = from[0] + from[1] + from[2];
        for (size_t q = 0; q < n; q++) {
            size_t j = list[q];
            double in = got[j];
            if (!(in > 0))
                continue;
            if (term > 0) {
                s->vin[j * nv + (size_t)term] += in;
            } else {
                s->M[j] += in;
                s->B[j] += in;
                s->at[(size_t)grp(&sch[j]) * na] += in;
                for (int l = 0; l < TW_N_LOCS; l++) {
                    double sh = ratio(from[l], tot_from), tv[TW_WORLD_MAX_TIERS];
                    for (size_t t = 0; t < s->nt; t++)
                        tv[t] = tiers_from[l][t] * ratio(in, tot_from);
                    if (sh > 0)
                        tw_mf_mv_add(s, st * TW_N_LOCS + l, grp(&sch[j]), in * sh,
                                     tv);
                }
            }
        }
        if (term > 0)
            for (int l = 0; l < TW_N_LOCS; l++) {
                int g = st * TW_N_LOCS + l;
                double *bv = s->bbv + (size_t)g * nv, old = 0;
                for (size_t i = 0; i < s->ns; i++)
                    if (grp(&sch[i]) == g)
                        old += s->vout[i * nv + (size_t)term];
                old -= from[l];
                if (old + from[l] > 0)
                    bv[term] = (bv[term] * dmax(0, old) + from_bb[l]) /
                               (dmax(0, old) + from[l]);
            }
    }
}

/* v teachers of school i (在编 share bz), stage st, leave: 落聘 (not
 * re-hired). */
static void luopin(mf *s, const rcounty *k, size_t i, int st, double v,
                   double bz)
{
    s->M[i] -= v;
    s->B[i] -= v * bz;
    s->rm[grp(&s->w->schools[i])] += v;
    s->f.exits[TW_EXIT_LUOPIN][st] += v;
    s->leavers[k->c] += v;
}

/* Of `want` movers of a stage, those the open posts (key[], `open` in
 * all) of schools list[0 .. n) can take, placed by levelling: the posts
 * each school fills in got[]. Returns how many are placed. */
static double place_level(mf *s, const size_t *list, size_t n,
                          const double *key, double want, double open,
                          double *got)
{
    double placed = open > 0 ? dmin(want, open) : 0;
    tw_mf_level_fill(s, list, n, key, placed, got);
    s->f.rehire_placed_cross += placed;
    return placed;
}

/* The `placed` movers of stage st, from[locality] of them (fromb[] 在编),
 * take the posts got[] of the schools list[0 .. n); each school's arrivals
 * have the localities' composition. */
static void arrive(mf *s, int st, const size_t *list, size_t n,
                   const double *got, const double *from, const double *fromb,
                   double placed)
{
    const tw_school *sch = s->w->schools;
    for (size_t q = 0; q < n && placed > 0; q++) {
        size_t j = list[q];
        if (!(got[j] > 0))
            continue;
        for (int l = 0; l < TW_N_LOCS; l++) {
            double in = got[j] * ratio(from[l], placed);
            s->M[j] += in;
            s->B[j] += got[j] * ratio(fromb[l], placed);
            tw_mf_mv_add(s, st * TW_N_LOCS + l, grp(&sch[j]), in, NULL);
        }
        s->at[(size_t)grp(&sch[j]) * (size_t)(s->ca + 1)] += got[j];
    }
}

/* The posts of school i that are held: its teachers not in the pool,
 * those away on an exchange term included (a visitor holds its home
 * school's post, not one of the school where it teaches). */
static inline double held(const mf *s, size_t i)
{
    return s->M[i] - pool_of(s, i);
}

/*
 * 竞聘 rounds of one county (tw_proc_rotate's rounds()): 3a the pool
 * competes for open posts (round(demand) - held > 0), placed by
 * levelling; those unplaced after pool_max_years leave (落聘). 3b with 竞聘,
 * in the stages of rotation.stages: schools whose held posts exceed
 * round(demand) release the excess (on expected counts),
 * who take open posts of their stage; the rest enter the pool. Everyone
 * moved has the group's composition (the score ranking is not resolved).
 */
static void rounds(mf *s, const rcounty *k)
{
    const tw_school *sch = s->w->schools;
    const tw_county_params *cp = k->cp;
    size_t np1 = (size_t)s->pymax + 1;
    int rehire_on = cp->reform && cp->rehire_on;
    double *over = s->d1, *key = s->d2, *got = s->d3, *rel = s->d4;
    double holders = 0, pool_tot = 0;
    for (size_t i = k->a; i < k->b; i++) {
        over[i] = rehire_on && rotate_stage(cp, sch[i].stage) &&
                  held(s, i) > round(s->demand[i]) + EPS;
        holders += rotate_stage(cp, sch[i].stage) ? dmax(0, residents(s, i))
                                                  : 0;
        pool_tot += pool_of(s, i);
    }
    size_t *list = s->list;
    if (pool_tot > 0) { /* 3a */
        for (size_t i = k->a; i < k->b; i++) {
            double *pl = s->pool + i * np1;
            for (size_t y = np1 - 1; y >= 1; y--) {
                if (y == np1 - 1)
                    pl[y] += pl[y - 1];
                else
                    pl[y] = pl[y - 1];
            }
            if (np1 > 1)
                pl[0] = 0;
        }
        for (int st = 0; st < TW_N_STAGES; st++) {
            size_t n = 0;
            double pst = 0, open = 0;
            for (size_t i = k->a; i < k->b; i++)
                if (sch[i].stage == st) {
                    list[n++] = i;
                    key[i] = round(s->demand[i]) - held(s, i);
                    open += dmax(0, key[i]);
                    pst += pool_of(s, i);
                }
            if (!(pst > 0))
                continue;
            double placed = place_level(s, list, n, key, pst, open, got);
            double phi = ratio(placed, pst);
            double from[TW_N_LOCS] = {0}, fromb[TW_N_LOCS] = {0};
            for (size_t q = 0; q < n; q++) {
                size_t i = list[q];
                double *pl = s->pool + i * np1, pi = pool_of(s, i);
                double bz = clamp01(ratio(s->B[i], s->M[i]));
                double mvd = pi * phi;
                for (size_t y = 0; y < np1; y++)
                    pl[y] -= pl[y] * phi;
                s->M[i] -= mvd;
                s->B[i] -= mvd * bz;
                from[sch[i].locality] += mvd;
                fromb[sch[i].locality] += mvd * bz;
                /* unplaced after pool_max_years: 落聘 */
                double luo = 0;
                for (size_t y = 0; y < np1; y++)
                    if ((int)y >= cp->pool_max_years) {
                        luo += pl[y];
                        pl[y] = 0;
                    }
                if (luo > 0)
                    luopin(s, k, i, st, luo, bz);
            }
            arrive(s, st, list, n, got, from, fromb, placed);
        }
    }
    if (rehire_on) { /* 3b */
        double released = 0;
        for (size_t i = k->a; i < k->b; i++) {
            rel[i] = 0;
            if (!over[i])
                continue;
            rel[i] = dmin(dmax(0, held(s, i) - round(s->demand[i])),
                          dmax(0, residents(s, i)));
            released += rel[i];
        }
        s->f.rehire_placed_in += holders - released;
        for (int st = 0; st < TW_N_STAGES && released > 0; st++) {
            size_t n = 0;
            double rst = 0, open = 0;
            for (size_t i = k->a; i < k->b; i++)
                if (sch[i].stage == st) {
                    list[n++] = i;
                    rst += rel[i];
                }
            if (!(rst > 0))
                continue;
            /* headcounts after the release */
            for (size_t q = 0; q < n; q++) {
                size_t i = list[q];
                key[i] = round(s->demand[i]) - (held(s, i) - rel[i]);
                open += dmax(0, key[i]);
            }
            double placed = place_level(s, list, n, key, rst, open, got);
            double phi = ratio(placed, rst);
            double from[TW_N_LOCS] = {0}, fromb[TW_N_LOCS] = {0};
            for (size_t q = 0; q < n; q++) {
                size_t i = list[q];
                if (!(rel[i] > 0))
                    continue;
                double bz = clamp01(ratio(s->B[i], s->M[i]));
                double mvd = rel[i] * phi, un = rel[i] - mvd;
                s->M[i] -= mvd;
                s->B[i] -= mvd * bz;
                from[sch[i].locality] += mvd;
                fromb[sch[i].locality] += mvd * bz;
                if (cp->pool_max_years <= 0) {
                    luopin(s, k, i, st, un, bz);
                } else {
                    s->pool[i * np1] += un;
                    s->f.pool_entries += un;
                }
            }
            arrive(s, st, list, n, got, from, fromb, placed);
        }
    }
}

/* Ages by sex (exemption ages), tier masses and masses of every group. */
static void group_stats(mf *s, double (*ah)[2][AMAX + 1], double *gmass,
                        double (*tm)[TW_WORLD_MAX_TIERS])
{
    memset(ah, 0, NG * sizeof *ah);
    for (int g = 0; g < NG; g++) {
        gmass[g] = tw_mf_group_mass(s, g);
        tw_mf_tier_mass(s, g, tm[g]);
        double *b = gblk(s, g);
        for (int c = 0; s->gon[g] && c < s->nall; c++) {
            int x0, nx;
            const double *d = dused(s, g, b, c, &x0, &nx);
            for (int xi = 0; xi < nx; xi++)
                for (int bm = 0; bm < NBM; bm++) {
                    int a = imin(imax(x0 + xi + (s->year - s->xyear) -
                                          (bm >= 7), 0), AMAX);
                    const double *cell =
                        d + ((size_t)xi * NBM + (size_t)bm) * NL;
                    for (int l = 0; l < NL; l++)
                        ah[g][l >= 2][a] += cell[l];
                }
        }
    }
}

/*
 * 7. Rotation. tw_proc_rotate runs transfers, exchange and 竞聘 county by
 * county; counties share no teachers, so running each phase over every
 * county before the next is the same at the school level. The queued
 * group moves are applied after each phase: every teacher a phase moves
 * was in its group when the phase started.
 */
void tw_mf_rotate(mf *s, size_t t)
{
    const tw_world *w = s->w;
    returns(s);
    double (*ah)[2][AMAX + 1] = s->ah;
    double gmass[NG], tm[NG][TW_WORLD_MAX_TIERS];
    for (int phase = 0; phase < 3; phase++) {
        if (phase == 1)
            group_stats(s, ah, gmass, tm);
        for (size_t a = 0; a < s->ns;) {
            size_t b = a + 1;
            while (b < s->ns && w->schools[b].county == w->schools[a].county)
                b++;
            rcounty k = {.a = a, .b = b, .c = w->schools[a].county,
                         .cp = tw_world_cparams(w, t, w->schools[a].county)};
            if (phase == 0)
                transfers(s, &k);
            else if (phase == 1 && k.cp->reform && k.cp->exchange_share > 0)
                exchange(s, &k, (const double (*)[2][AMAX + 1])ah, gmass,
                         (const double (*)[TW_WORLD_MAX_TIERS])tm);
            else if (phase == 2)
                rounds(s, &k);
            a = b;
        }
        tw_mf_mv_apply(s);
        tw_mf_rm_apply(s);
        tw_mf_sync_vin(s);
        tw_mf_sync_at(s);
    }
}
