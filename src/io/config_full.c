/*
 * config_full.c - the full model's config: counties, schools, the initial
 * stock tables, and the parameters of every process for every year (and,
 * for evaluation, rotation and recruitment, every county), resolved
 * through the policy timeline.
 *
 * The timeline is applied by lookup, not by copying: reading key K for
 * year y and county c takes the latest timeline entry with year <= y (that
 * applies to c) which sets K, else the base config. Every message therefore
 * still points at the line where the value was written. The command line
 * has been folded into the tree before (config_set.c): its entries come
 * after the config's own and win a tie of the same year.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>

#include "config_priv.h"

/* Names of a string array, with a mask of the allowed names it lists. */
static bool rd_name_mask(reader *r, const char *path, const char *const *names,
                         int n, int *mask)
{
    const config_setting_t *s = rd_get(r, path, false);
    if (s == NULL)
        return false;
    *mask = 0;
    bool ok = true;
    for (int i = 0; i < config_setting_length(s); i++) {
        int k = rd_choice_of(r, config_setting_get_elem(s, (unsigned)i), path,
                             names, n);
        if (k < 0)
            ok = false;
        else
            *mask |= 1 << k;
    }
    return ok;
}

/* Index of county `name`, or -1 (reported at s). */
static long county_index(reader *r, const tw_world *w,
                         const config_setting_t *s, const char *path)
{
    const char *v = config_setting_get_string(s);
    size_t best = 0, best_d = (size_t)-1;
    for (size_t c = 0; c < w->n_counties; c++) {
        if (strcmp(v, w->counties[c].name) == 0)
            return (long)c;
        size_t d = tw_levenshtein(v, w->counties[c].name);
        if (d < best_d) {
            best_d = d;
            best = c;
        }
    }
    rd_bad(r, s, path, "\"%s\" is not one of region.counties%s%s%s", v,
           w->n_counties ? " (nearest: \"" : "",
           w->n_counties ? w->counties[best].name : "",
           w->n_counties ? "\")" : "");
    return -1;
}

/* ------------------------------------------------------------------ */
/* Structure                                                           */
/* ------------------------------------------------------------------ */

static size_t read_counties(reader *r)
{
    const config_setting_t *s = rd_get(r, "region.counties", true);
    if (s == NULL)
        return 0;
    size_t n = (size_t)config_setting_length(s);
    if (n < 1 || n > 65535) {
        rd_bad(r, s, "region.counties", "%zu counties; there must be 1 to "
               "65535", n);
        return 0;
    }
    return n;
}

static void read_county_names(reader *r, tw_world *w)
{
    const config_setting_t *s = rd_get(r, "region.counties", true);
    for (size_t c = 0; c < w->n_counties; c++) {
        const char *v = config_setting_get_string_elem(s, (int)c);
        if (v[0] == '\0' || strlen(v) >= TW_NAME_MAX || !tw_utf8_valid(v))
            rd_bad(r, s, "region.counties", "county %zu's name must be 1 to "
                   "%d bytes of UTF-8", c, TW_NAME_MAX - 1);
        snprintf(w->counties[c].name, TW_NAME_MAX, "%s", v);
        /* a name listed twice: the schema check */
    }
}

/* Total schools over the blocks (before the world exists), or 0. */
static size_t count_schools(reader *r)
{
    const config_setting_t *s = rd_get(r, "schools", true);
    if (s == NULL)
        return 0;
    size_t total = 0;
    for (int i = 0; i < config_setting_length(s); i++) {
        const config_setting_t *b = config_setting_get_elem(s, (unsigned)i);
        char gpath[64];
        snprintf(gpath, sizeof gpath, "schools[%d]", i);
        const config_setting_t *cnt = rd_member(r, b, gpath, "count", true);
        if (cnt == NULL)
            continue;
        int64_t n = config_setting_get_int64(cnt);
        if (n < 1 || n > 100000) {
            rd_bad(r, cnt, "schools[].count", "%lld; it must be 1 to 100000",
                   (long long)n);
            continue;
        }
        total += (size_t)n;
    }
    if (config_setting_length(s) == 0)
        rd_bad(r, s, "schools", "is empty; list at least one school block");
    return total;
}

static int cmp_school_county(const void *a, const void *b)
{
    const tw_school *x = a, *y = b;
    return (x->county > y->county) - (x->county < y->county);
}

/*
 * Expand the school blocks. Sizes within a block are deterministic (the
 * same in every replicate): school i of n gets a share proportional to
 * exp(spread * z_i), z_i = Phi^-1((i + 0.5) / n), i.e. the quantiles of a
 * log-normal size distribution.
 */
static void read_schools(reader *r, tw_world *w, int *stage_mask,
                         size_t *bfirst)
{
    const config_setting_t *s = rd_get(r, "schools", true);
    size_t k = 0;
    *stage_mask = 0;
    char gp[64];
    const config_setting_t *b;
    for (int i = 0; (b = rd_next(s, "schools", (size_t)i, gp,
                                 sizeof gp)) != NULL; i++) {
        const config_setting_t *cs = rd_member(r, b, gp, "county", true);
        const config_setting_t *ss = rd_member(r, b, gp, "stage", true);
        const config_setting_t *ls = rd_member(r, b, gp, "locality", true);
        const config_setting_t *ns = rd_member(r, b, gp, "count", true);
        const config_setting_t *us = rd_member(r, b, gp, "students", true);
        const config_setting_t *sp = rd_member(r, b, gp, "size_spread", false);
        const config_setting_t *nm = rd_member(r, b, gp, "name", false);
        for (int j = 0; nm != NULL && cs != NULL && j < i; j++) {
            const config_setting_t *o = config_setting_get_elem(s, (unsigned)j);
            const config_setting_t *on = config_setting_get_member(o, "name");
            const config_setting_t *oc = config_setting_get_member(o, "county");
            if (on == NULL || oc == NULL ||
                strcmp(config_setting_get_string(on),
                       config_setting_get_string(nm)) != 0 ||
                strcmp(config_setting_get_string(oc),
                       config_setting_get_string(cs)) != 0)
                continue;
            char at[600];
            snprintf(at, sizeof at, "%s", rd_at(r, on));
            rd_bad(r, nm, "schools[].name", "\"%s\" in %s is listed twice "
                   "(first at %s)", config_setting_get_string(nm),
                   config_setting_get_string(cs), at);
            break;
        }
        if (!cs || !ss || !ls || !ns || !us)
            continue;
        long county = county_index(r, w, cs, "schools[].county");
        int stage = rd_choice_of(r, ss, "schools[].stage", tw_stage_names,
                                 TW_N_STAGES);
        int loc = rd_choice_of(r, ls, "schools[].locality", tw_loc_names,
                               TW_N_LOCS);
        int64_t n = config_setting_get_int64(ns);
        double students = rd_num(us), spread = sp ? rd_num(sp) : 0.0;
        if (!(students >= 0 && students <= 1e8))
            rd_bad(r, us, "schools[].students", "%g; it must be 0 to 1e8",
                   students);
        if (!(spread >= 0 && spread <= 3))
            rd_bad(r, sp, "schools[].size_spread", "%g; it must be 0 to 3",
                   spread);
        if (county < 0 || stage < 0 || loc < 0 || n < 1 || n > 100000)
            continue;
        if (bfirst != NULL)
            bfirst[i] = k;
        *stage_mask |= 1 << stage;
        double sum = 0;
        for (int64_t j = 0; j < n; j++) {
            double z = gsl_cdf_ugaussian_Pinv(((double)j + 0.5) / (double)n);
            sum += exp(spread * z);
        }
        for (int64_t j = 0; j < n && k < w->n_schools; j++, k++) {
            double z = gsl_cdf_ugaussian_Pinv(((double)j + 0.5) / (double)n);
            tw_school *sc = &w->schools[k];
            sc->county = (uint16_t)county;
            sc->stage = (uint8_t)stage;
            sc->locality = (uint8_t)loc;
            sc->students0 = students * exp(spread * z) / sum;
        }
    }
    /* Schools are grouped by county, in config order within a county (a
     * stable placement, so that a block's schools stay one run and the
     * closures can address them). */
    size_t ns = k, *off = calloc(w->n_counties + 1, sizeof *off);
    tw_school *tmp = malloc((ns ? ns : 1) * sizeof *tmp);
    size_t *to = malloc((ns ? ns : 1) * sizeof *to);
    if (off == NULL || tmp == NULL || to == NULL) {
        free(off);
        free(tmp);
        free(to);
        qsort(w->schools, w->n_schools, sizeof *w->schools, cmp_school_county);
        if (bfirst != NULL)
            tw_error_add(r->err, TW_EFAIL, "out of memory");
        return;
    }
    memcpy(tmp, w->schools, ns * sizeof *tmp);
    for (size_t j = 0; j < ns; j++)
        off[tmp[j].county + 1]++;
    for (size_t c = 0; c < w->n_counties; c++)
        off[c + 1] += off[c];
    for (size_t j = 0; j < ns; j++) {
        to[j] = off[tmp[j].county]++;
        w->schools[to[j]] = tmp[j];
    }
    for (int i = 0; bfirst != NULL && i < config_setting_length(s); i++)
        if (bfirst[i] != SIZE_MAX)
            bfirst[i] = to[bfirst[i]];
    free(off);
    free(tmp);
    free(to);
}

/* ------------------------------------------------------------------ */
/* Closures (撤并)                                                     */
/* ------------------------------------------------------------------ */

/*
 * The school addressed by `v`, "<block>#<k>": the k-th school (from 1) of
 * the schools block whose name is <block> (of county `county` when >= 0;
 * a name in two counties then needs the county), or of block schools[i]
 * written "schools[i]". Its index, or -1 (reported at s).
 */
static long school_at(reader *r, const tw_world *w, const config_setting_t *s,
                      const char *path, const char *v, long county,
                      const size_t *bfirst)
{
    const config_setting_t *bl = rd_get(r, "schools", true);
    int nb = bl ? config_setting_length(bl) : 0;
    const char *hash = strrchr(v, '#');
    char *end = NULL;
    long k = hash ? strtol(hash + 1, &end, 10) : 0;
    if (hash == NULL || end == hash + 1 || *end != '\0') {
        rd_bad(r, s, path, "\"%s\" is not a school: write \"<block>#<k>\", "
               "the k-th school (from 1) of the schools block named <block> "
               "or of schools[i]", v);
        return -1;
    }
    size_t len = (size_t)(hash - v);
    int found = -1, idx = -1, many = 0;
    if (len > 8 && strncmp(v, "schools[", 8) == 0 && v[len - 1] == ']') {
        char *e2;
        long b = strtol(v + 8, &e2, 10);
        if (e2 == v + len - 1 && b >= 0 && b < nb)
            idx = (int)b;
        found = idx;
    } else {
        size_t best_d = (size_t)-1;
        const char *best = NULL;
        for (int b = 0; b < nb; b++) {
            const config_setting_t *g = config_setting_get_elem(bl, (unsigned)b);
            const config_setting_t *nm = config_setting_get_member(g, "name");
            const config_setting_t *cs = config_setting_get_member(g, "county");
            const char *n = nm ? config_setting_get_string(nm) : NULL;
            if (n == NULL)
                continue;
            if (strlen(n) == len && strncmp(n, v, len) == 0) {
                if (county >= 0 && cs != NULL &&
                    strcmp(config_setting_get_string(cs),
                           w->counties[county].name) != 0)
                    continue;
                many += found >= 0;
                found = b;
            } else {
                char head[256];
                snprintf(head, sizeof head, "%.*s", (int)(len < 255 ? len : 255),
                         v);
                size_t d = tw_levenshtein(head, n);
                if (d < best_d) {
                    best_d = d;
                    best = n;
                }
            }
        }
        if (found < 0) {
            rd_bad(r, s, path, "\"%s\": no schools block is named \"%.*s\"%s%s%s",
                   v, (int)len, v, best ? " (nearest: \"" : "",
                   best ? best : "", best ? "\")" : "");
            return -1;
        }
        if (many) {
            rd_bad(r, s, path, "\"%s\": blocks of several counties have that "
                   "name; give the closure a county", v);
            return -1;
        }
    }
    if (found < 0) {
        rd_bad(r, s, path, "\"%s\": there is no such block; the blocks "
               "are schools[0] to schools[%d]", v, nb - 1);
        return -1;
    }
    const config_setting_t *g = config_setting_get_elem(bl, (unsigned)found);
    const config_setting_t *cnt = config_setting_get_member(g, "count");
    long n = cnt ? (long)config_setting_get_int64(cnt) : 0;
    if (k < 1 || k > n || bfirst[found] == SIZE_MAX) {
        rd_bad(r, s, path, "\"%s\": the block has %ld schools; k must be 1 "
               "to %ld", v, n, n);
        return -1;
    }
    return (long)(bfirst[found] + (size_t)(k - 1));
}

static void read_closures(reader *r, tw_world *w, const size_t *bfirst)
{
    const config_setting_t *s = rd_get(r, "closures", false), *g;
    if (s == NULL || config_setting_length(s) == 0)
        return;
    size_t n = (size_t)config_setting_length(s);
    w->closures = calloc(n, sizeof *w->closures);
    if (w->closures == NULL) {
        tw_error_add(r->err, TW_EFAIL, "out of memory");
        return;
    }
    char gp[64], first_late[700] = "";
    size_t m = 0, late = 0;
    for (size_t i = 0; (g = rd_next(s, "closures", i, gp, sizeof gp)) != NULL;
         i++) {
        tw_closure x = {.stage = -1, .locality = -1, .county = -1,
                        .share = 1.0, .school = -1, .into = -1,
                        .into_school = -1};
        int ok = 1;
        const config_setting_t *ys = rd_member(r, g, gp, "year", true);
        const config_setting_t *ss = rd_member(r, g, gp, "stage", false);
        const config_setting_t *ls = rd_member(r, g, gp, "locality", false);
        const config_setting_t *cs = rd_member(r, g, gp, "county", false);
        const config_setting_t *bs = rd_member(r, g, gp, "below", false);
        const config_setting_t *hs = rd_member(r, g, gp, "share", false);
        const config_setting_t *sc = rd_member(r, g, gp, "school", false);
        const config_setting_t *is = rd_member(r, g, gp, "into", false);
        if (ys == NULL)
            ok = 0;
        else {
            int64_t y = config_setting_get_int64(ys);
            if (y > w->end_year && y <= 2200) {
                /* a backcast keeps the config's closures, as its
                 * timeline: what comes after the run is left out */
                if (late++ == 0)
                    snprintf(first_late, sizeof first_late, "%s: the closure "
                             "of %lld", rd_at(r, ys), (long long)y);
                continue;
            }
            if (y <= w->base_year || y > w->end_year) {
                rd_bad(r, ys, "closures[].year", "%lld is outside the run: "
                       "a closure year must be %d to %d", (long long)y,
                       w->base_year + 1, w->end_year);
                ok = 0;
            }
            x.year = (int)y;
        }
        if (cs != NULL &&
            (x.county = (int)county_index(r, w, cs, "closures[].county")) < 0)
            ok = 0;
        if (ss != NULL && (x.stage = rd_choice_of(r, ss, "closures[].stage",
                                                  tw_stage_names,
                                                  TW_N_STAGES)) < 0)
            ok = 0;
        if (ls != NULL && (x.locality = rd_choice_of(r, ls,
                                                     "closures[].locality",
                                                     tw_loc_names,
                                                     TW_N_LOCS)) < 0)
            ok = 0;
        if (sc != NULL) {
            if (bs != NULL || hs != NULL || ss != NULL || ls != NULL) {
                rd_bad(r, sc, "closures[].school", "names one school: give "
                       "no stage, locality, below or share with it");
                ok = 0;
            }
            long k = school_at(r, w, sc, "closures[].school",
                               config_setting_get_string(sc), x.county, bfirst);
            if (k < 0)
                ok = 0;
            else if (x.county >= 0 && w->schools[k].county != x.county) {
                rd_bad(r, sc, "closures[].school", "\"%s\" is a school of "
                       "%s, not of %s", config_setting_get_string(sc),
                       w->counties[w->schools[k].county].name,
                       w->counties[x.county].name);
                ok = 0;
            }
            x.school = k;
        } else {
            if (ss == NULL) {
                rd_bad(r, g, gp, "closes schools by size: give their stage "
                       "(or name one school with school = \"<block>#<k>\")");
                ok = 0;
            }
            if (bs == NULL) {
                rd_bad(r, g, gp, "closes schools by size: give below, the "
                       "students under which a school closes");
                ok = 0;
            } else {
                x.below = rd_num(bs);
                if (!(x.below > 0 && x.below <= 1e8)) {
                    rd_bad(r, bs, "closures[].below", "%g; it must be above "
                           "0 (students)", x.below);
                    ok = 0;
                }
            }
            if (hs != NULL) {
                x.share = rd_num(hs);
                if (!(x.share > 0 && x.share <= 1)) {
                    rd_bad(r, hs, "closures[].share", "%g; it must be in "
                           "(0, 1]", x.share);
                    ok = 0;
                }
            }
        }
        if (is != NULL) {
            const char *v = config_setting_get_string(is);
            static const char *const into_names[] = {"urban", "town", "rural",
                                                     "same"};
            if (v != NULL && strchr(v, '#') != NULL) {
                long k = school_at(r, w, is, "closures[].into", v, x.county,
                                   bfirst);
                if (k < 0) {
                    ok = 0;
                } else if (k == x.school) {
                    rd_bad(r, is, "closures[].into", "\"%s\" is the closing "
                           "school itself", v);
                    ok = 0;
                } else if (x.school >= 0 &&
                           (w->schools[k].county != w->schools[x.school].county ||
                            w->schools[k].stage != w->schools[x.school].stage)) {
                    rd_bad(r, is, "closures[].into", "\"%s\" is not of the "
                           "closing school's county and stage", v);
                    ok = 0;
                } else if (x.school < 0 &&
                           ((x.county >= 0 && w->schools[k].county != x.county) ||
                            (x.stage >= 0 && w->schools[k].stage != x.stage))) {
                    rd_bad(r, is, "closures[].into", "\"%s\" is not of the "
                           "closures' county and stage", v);
                    ok = 0;
                }
                x.into_school = k;
            } else {
                int l = rd_choice_of(r, is, "closures[].into", into_names, 4);
                if (l < 0)
                    ok = 0;
                x.into = l == 3 ? -1 : l;
            }
        }
        if (ok)
            w->closures[m++] = x;
    }
    w->n_closures = m;
    if (late > 0 && r->src->n_draws == 0)
        tw_config_note((tw_config_src *)r->src, "%s%s is after end_year (%d): "
                       "left out", first_late, late > 1 ? " and more" : "",
                       w->end_year);
}

/*
 * The stock the run starts from: population.stages, or the stock of
 * population.earlier whose year is base_year (a backcast). Its list and
 * the schema path of its elements' keys ("population.stages" or
 * "population.earlier[].stages") for messages.
 */
static const config_setting_t *stock_list(reader *r, const tw_world *w,
                                          const char **path)
{
    *path = "population.stages";
    const config_setting_t *e = rd_get(r, "population.earlier", false), *g;
    char gp[64];
    for (size_t i = 0; (g = rd_next(e, "population.earlier", i, gp,
                                    sizeof gp)) != NULL; i++) {
        const config_setting_t *y = rd_member(r, g, gp, "year", true);
        rd_member(r, g, gp, "source", true);
        const config_setting_t *st = rd_member(r, g, gp, "stages", true);
        if (y != NULL && st != NULL &&
            config_setting_get_int64(y) == w->base_year) {
            *path = "population.earlier[].stages";
            return st;
        }
    }
    int64_t year = w->base_year;
    if (rd_int(r, "population.year", false, 1900, 2200, &year) &&
        year != w->base_year && r->src->n_draws == 0)
        tw_config_note((tw_config_src *)r->src, "population describes %lld "
                       "and the run starts in %d: that stock stands in for "
                       "%d's (population.earlier gives a stock of its own)",
                       (long long)year, w->base_year, w->base_year);
    return rd_get(r, "population.stages", true);
}

static void read_population(reader *r, tw_world *w, int stage_mask)
{
    const char *lp;
    const config_setting_t *s = stock_list(r, w, &lp);
    int seen = 0;
    char gp[64], kp[96];
#define KP(key) (snprintf(kp, sizeof kp, "%s[].%s", lp, key), kp)
    const config_setting_t *g;
    for (int i = 0; (g = rd_next(s, lp, (size_t)i, gp,
                                 sizeof gp)) != NULL; i++) {
        const config_setting_t *ss = rd_member(r, g, gp, "stage", true);
        if (ss == NULL)
            continue;
        int st = rd_choice_of(r, ss, KP("stage"),
                              tw_stage_names, TW_N_STAGES);
        if (st < 0)
            continue;
        if (seen & (1 << st)) {
            rd_bad(r, ss, KP("stage"), "\"%s\" is listed "
                   "twice", tw_stage_names[st]);
            continue;
        }
        seen |= 1 << st;
        tw_stock *k = &w->stock[st];
        k->present = 1;
        const config_setting_t *v;
        if ((v = rd_member(r, g, gp, "count", true)) != NULL) {
            k->count = config_setting_get_int64(v);
            if (k->count < 0 || k->count > 10000000)
                rd_bad(r, v, KP("count"), "%lld; it must be "
                       "0 to 10000000", (long long)k->count);
            if (k->count > 0 && !(stage_mask & (1 << st)))
                rd_bad(r, v, KP("count"), "%lld %s teachers "
                       "but no %s school in 'schools'", (long long)k->count,
                       tw_stage_names[st], tw_stage_names[st]);
        }
        if ((v = rd_member(r, g, gp, "locality", false)) != NULL)
            rd_shares_at(r, v, KP("locality"), TW_N_LOCS,
                         k->loc_share);
        else
            k->loc_share[0] = -1; /* as demand */
        if ((v = rd_member(r, g, gp, "age", true)) != NULL)
            rd_shares_at(r, v, KP("age"), TW_N_AGE_BANDS,
                         k->age_share);
        if ((v = rd_member(r, g, gp, "female", true)) != NULL) {
            k->female_share = rd_num(v);
            if (!(k->female_share >= 0 && k->female_share <= 1))
                rd_bad(r, v, KP("female"), "%g is not a "
                       "share (0 to 1)", k->female_share);
        }
        if ((v = rd_member(r, g, gp, "tiers", true)) != NULL)
            rd_shares_at(r, v, KP("tiers"), w->n_tiers,
                         k->tier_share);
        if ((v = rd_member(r, g, gp, "titles", true)) != NULL)
            rd_shares_at(r, v, KP("titles"), TW_N_TITLES,
                         k->title_share);
        if ((v = rd_member(r, g, gp, "quals", true)) != NULL)
            rd_shares_at(r, v, KP("quals"), TW_N_QUALS,
                         k->qual_share);
        if ((v = rd_member(r, g, gp, "bianzhi", true)) != NULL) {
            k->bianzhi_share = rd_num(v);
            if (!(k->bianzhi_share >= 0 && k->bianzhi_share <= 1))
                rd_bad(r, v, KP("bianzhi"), "%g is not a "
                       "share (0 to 1)", k->bianzhi_share);
        }
        bool voc = st == TW_STAGE_VOCATIONAL;
        const char *vk[2] = {"professional", "dual"};
        double *vd[2] = {&k->prof_share, &k->dual_share};
        for (int j = 0; j < 2; j++) {
            v = rd_member(r, g, gp, vk[j], voc);
            if (v == NULL)
                continue;
            char path[64];
            snprintf(path, sizeof path, "%s[].%s", lp, vk[j]);
            if (!voc)
                rd_bad(r, v, path, "only vocational teachers teach "
                       "professional courses; remove it");
            *vd[j] = rd_num(v);
            if (!(*vd[j] >= 0 && *vd[j] <= 1))
                rd_bad(r, v, path, "%g is not a share (0 to 1)", *vd[j]);
        }
    }
    for (int st = 0; st < TW_N_STAGES; st++)
        if ((stage_mask & (1 << st)) && !(seen & (1 << st)) && s != NULL)
            rd_bad(r, s, lp, "there are %s schools but no "
                   "{ stage = \"%s\"; ... } stock", tw_stage_names[st],
                   tw_stage_names[st]);
#undef KP
}

/* ------------------------------------------------------------------ */
/* The timeline                                                        */
/* ------------------------------------------------------------------ */

static int cmp_tl(const void *a, const void *b)
{
    const tl_entry *x = a, *y = b;
    if (x->year != y->year)
        return (x->year > y->year) - (x->year < y->year);
    return (x->order > y->order) - (x->order < y->order);
}

/* Do two timeline entries apply to a county in common? */
static bool tl_overlap(const tl_entry *a, const tl_entry *b, size_t n)
{
    if (a->county == NULL || b->county == NULL)
        return true;
    for (size_t c = 0; c < n; c++)
        if (a->county[c] && b->county[c])
            return true;
    return false;
}

/* Report each leaf setting below `g` (at `path` within a timeline `set`)
 * that entry `a`, of the same year, sets too. */
static void tl_twice(reader *r, const tl_entry *a, const config_setting_t *g,
                     const char *path)
{
    for (int k = 0; k < config_setting_length(g); k++) {
        const config_setting_t *s = config_setting_get_elem(g, (unsigned)k);
        char p[512];
        snprintf(p, sizeof p, "%s%s%s", path, *path ? "." : "",
                 config_setting_name(s));
        const config_setting_t *o =
            config_setting_lookup((config_setting_t *)a->set, p);
        if (o == NULL)
            continue;
        if (config_setting_type(s) == CONFIG_TYPE_GROUP &&
            config_setting_type(o) == CONFIG_TYPE_GROUP) {
            tl_twice(r, a, s, p);
            continue;
        }
        char at[600];
        snprintf(at, sizeof at, "%s", rd_at(r, o));
        rd_bad(r, s, "timeline", "%s is set twice for %d in the same "
               "counties (first at %s); the last would win", p, a->year, at);
    }
}

/* A timeline entry's name (entry i of list tl): 1 to 64 bytes of UTF-8
 * without '.', '@', '=', '[', ']' or spaces (it is part of a --set path,
 * timeline.NAME.set.KEY), used once. */
static void check_entry_name(reader *r, const config_setting_t *tl, size_t i,
                             const config_setting_t *nm)
{
    const char *v = config_setting_get_string(nm);
    if (v == NULL)
        return;
    if (*v == '\0' || strlen(v) > 64 || strpbrk(v, ".@=[] \t") != NULL) {
        rd_bad(r, nm, "timeline[].name", "\"%s\": use 1 to 64 bytes without "
               "'.', '@', '=', '[', ']' or spaces (it is written in "
               "--set timeline.NAME.set.KEY=VALUE)", v);
        return;
    }
    for (size_t j = 0; j < i; j++) {
        const config_setting_t *o = config_setting_get_member(
            config_setting_get_elem(tl, (unsigned)j), "name");
        const char *ov = o ? config_setting_get_string(o) : NULL;
        if (ov == NULL || strcmp(ov, v) != 0)
            continue;
        char at[600];
        snprintf(at, sizeof at, "%s", rd_at(r, o));
        rd_bad(r, nm, "timeline[].name", "\"%s\" is used twice (first at "
               "%s)", v, at);
        return;
    }
}

static void read_timeline(reader *r, tw_world *w)
{
    const config_setting_t *s;
    size_t n;
    if ((r->tl = rd_list_alloc(r, "timeline", sizeof *r->tl, &s, &n)) == NULL)
        return;
    char gp[64], first_late[700] = "";
    size_t late = 0;
    const config_setting_t *e;
    for (size_t i = 0; (e = rd_next(s, "timeline", i, gp, sizeof gp)) != NULL;
         i++) {
        const config_setting_t *ys = rd_member(r, e, gp, "year", true);
        const config_setting_t *set = rd_member(r, e, gp, "set", true);
        const config_setting_t *cs = rd_member(r, e, gp, "counties", false);
        const config_setting_t *nm = rd_member(r, e, gp, "name", false);
        if (nm != NULL)
            check_entry_name(r, s, i, nm);
        if (ys == NULL || set == NULL)
            continue;
        tl_entry *t = &r->tl[r->n_tl];
        t->year = (int)config_setting_get_int64(ys);
        if (t->year > w->end_year && t->year <= 2200) {
            /* a backcast (end_year moved earlier) keeps the config's
             * timeline: what comes after the run is left out */
            if (late++ == 0)
                snprintf(first_late, sizeof first_late, "%s: the timeline "
                         "entry of %d", rd_at(r, ys), t->year);
            continue;
        }
        if (t->year < 1900 || t->year > w->end_year)
            rd_bad(r, ys, "timeline[].year", "%d is outside 1900..end_year "
                   "(%d)", t->year, w->end_year);
        t->order = i;
        t->set = set;
        t->cmd = tw_set_entry_is_cmd(r->src, i, e);
        if (cs != NULL) {
            t->county = calloc(w->n_counties, 1);
            if (t->county == NULL) {
                tw_error_add(r->err, TW_EFAIL, "out of memory");
                return;
            }
            if (config_setting_length(cs) == 0)
                rd_bad(r, cs, "timeline[].counties", "is empty; leave it out "
                       "to apply the entry everywhere");
            for (int k = 0; k < config_setting_length(cs); k++) {
                long c = county_index(r, w, config_setting_get_elem(cs,
                                      (unsigned)k), "timeline[].counties");
                if (c >= 0)
                    t->county[c] = 1;
            }
        }
        r->n_tl++;
    }
    if (late > 0 && r->src->n_draws == 0) {
        if (late == 1)
            tw_config_note((tw_config_src *)r->src, "%s is after end_year "
                           "(%d): left out", first_late, w->end_year);
        else
            tw_config_note((tw_config_src *)r->src, "%s and %zu more are "
                           "after end_year (%d): left out", first_late,
                           late - 1, w->end_year);
    }
    qsort(r->tl, r->n_tl, sizeof *r->tl, cmp_tl);
    /* Two entries of the same year for the same county that set the same
     * key: the later one in the file would win without a word. */
    for (size_t j = 1; j < r->n_tl; j++)
        for (size_t i = 0; i < j; i++)
            if (r->tl[i].year == r->tl[j].year && !r->tl[j].cmd &&
                !r->tl[i].cmd &&
                tl_overlap(&r->tl[i], &r->tl[j], w->n_counties))
                tl_twice(r, &r->tl[i], r->tl[j].set, "");
}

static void free_timeline(reader *r)
{
    for (size_t i = 0; i < r->n_tl; i++)
        free(r->tl[i].county);
    free(r->tl);
    r->tl = NULL;
    r->n_tl = 0;
}

/* ------------------------------------------------------------------ */
/* Region-level parameters of one year                                 */
/* ------------------------------------------------------------------ */

/*
 * A group of numbers (or [urban, town, rural] arrays when `arr`) keyed by
 * stage; stages in `need` must be present. Each member is looked up on
 * its own (timeline, region, national), so a region may set one stage and
 * keep the national values of the others.
 */
static void rd_by_stage(reader *r, const char *path, int need, bool arr,
                        double lo, double hi, double *out)
{
    char p[128];
    for (int st = 0; st < TW_N_STAGES; st++) {
        snprintf(p, sizeof p, "%s.%s", path, tw_stage_names[st]);
        const config_setting_t *v = rd_get(r, p, false);
        if (v == NULL) {
            if (need & (1 << st)) {
                const config_setting_t *g = rd_get(r, path, true);
                if (g != NULL)
                    rd_bad(r, g, path, "has no value for %s, which has "
                           "schools", tw_stage_names[st]);
            }
            continue;
        }
        if (arr) {
            rd_floats_at(r, v, p, TW_N_LOCS, lo, hi, out + st * TW_N_LOCS);
        } else {
            out[st] = rd_num(v);
            if (!(out[st] >= lo && out[st] <= hi))
                rd_bad(r, v, p, "%g is out of range; it must be from %g to "
                       "%g", out[st], lo, hi);
        }
    }
}

static bool enabled(reader *r, const char *section)
{
    char path[64];
    snprintf(path, sizeof path, "%s.enabled", section);
    bool on = false;
    rd_bool(r, path, true, &on);
    return on;
}

static int months(int64_t years)
{
    return (int)(years * 12);
}

static void read_params(reader *r, const tw_world *w, int stage_mask,
                        tw_params *p)
{
    double trend[TW_N_STAGES][TW_N_LOCS] = {{0}};
    rd_by_stage(r, "enrolment.trend", 0, true, -0.5, 0.5, &trend[0][0]);
    memcpy(p->enrol_trend, trend, sizeof trend);

    rd_by_stage(r, "staffing.ratio", stage_mask, false, 0.1, 1000, p->ratio);
    rd_by_stage(r, "staffing.teach_share", stage_mask, false, 0.01, 1.0,
                p->teach_share);
    rd_float(r, "staffing.redundancy", true, 0.0, 1.0, &p->redundancy);

    if ((p->deaths_on = enabled(r, "deaths")))
        rd_floats(r, "deaths.rate", true, TW_N_AGE_BANDS, 0, 1, p->death_rate);

    if ((p->retire_on = enabled(r, "retirement"))) {
        int64_t v[3] = {0}, start[2] = {0}, one = 0;
        if (rd_ints(r, "retirement.old_age", true, 3, 40, 75, v))
            for (int i = 0; i < 3; i++)
                p->old_age_months[i] = months(v[i]);
        if (rd_ints(r, "retirement.law_start", true, 2, 1, 2200, start)) {
            p->law_start_year = (int)start[0];
            p->law_start_month = (int)start[1];
            if (start[1] < 1 || start[1] > 12)
                rd_bad(r, rd_get(r, "retirement.law_start", true),
                       "retirement.law_start", "month %lld is not 1 to 12",
                       (long long)start[1]);
        }
        if (rd_ints(r, "retirement.step_months", true, 3, 1, 60, v))
            for (int i = 0; i < 3; i++)
                p->step_months[i] = (int)v[i];
        if (rd_ints(r, "retirement.max_add_months", true, 3, 0, 120, v))
            for (int i = 0; i < 3; i++)
                p->max_add_months[i] = (int)v[i];
        static const char *const rules[] = {"55", "50"};
        int rule = rd_choice(r, "retirement.female_rule", rules, 2);
        p->female_category = rule < 0 ? 1 : rule + 1;
        if (rd_int(r, "retirement.senior_female_age", true, 0, 75, &one)) {
            if (one != 0 && one < 40)
                rd_bad(r, rd_get(r, "retirement.senior_female_age", true),
                       "retirement.senior_female_age", "%lld; use 0 (no) or "
                       "an age from 40", (long long)one);
            p->senior_female_old_age_months = months(one);
        }
        rd_float(r, "retirement.p_early", true, 0, 1, &p->p_early);
        rd_float(r, "retirement.p_late", true, 0, 1, &p->p_late);
        if (rd_int(r, "retirement.flex_months", true, 0, 120, &one))
            p->flex_months = (int)one;
    }

    for (int c = 0; c < TW_N_CHANNELS; c++)
        p->retention[c] = 1.0;
    if ((p->exit_on = enabled(r, "exit"))) {
        rd_by_stage(r, "exit.base", stage_mask, false, 0, 1, p->exit_base);
        rd_floats(r, "exit.locality_factor", true, TW_N_LOCS, 0, 100,
                  p->exit_loc_factor);
        int64_t cuts[TW_N_SERVICE_BANDS - 1];
        if (rd_ints(r, "exit.service_cuts", true, TW_N_SERVICE_BANDS - 1, 0,
                    60, cuts)) {
            for (int b = 0; b < TW_N_SERVICE_BANDS - 1; b++) {
                p->service_cut[b] = (int)cuts[b];
                if (b > 0 && cuts[b] <= cuts[b - 1])
                    rd_bad(r, rd_get(r, "exit.service_cuts", true),
                           "exit.service_cuts", "cut points must increase");
            }
        }
        rd_floats(r, "exit.service_factor", true, TW_N_SERVICE_BANDS, 0, 100,
                  p->exit_service_factor);
    }
    for (int c = 0; c < TW_N_HIRE_CHANNELS; c++) {
        char rp[64];
        snprintf(rp, sizeof rp, "exit.retention.%s", tw_channel_names[c]);
        const config_setting_t *v = rd_get(r, rp, false);
        if (v == NULL)
            continue;
        p->retention[c] = rd_num(v);
        if (!(p->retention[c] >= 0 && p->retention[c] <= 1))
            rd_bad(r, v, "exit.retention", "%s: %g is not a probability",
                   tw_channel_names[c], p->retention[c]);
    }

    size_t nt = w->n_tiers;
    for (size_t i = 0; i < TW_WORLD_MAX_TIERS; i++)
        p->tier_capacity[i] = p->tier_cap[i] = -1;
    if ((p->tier_on = enabled(r, "tiers")) && nt > 1) {
        int64_t v[TW_WORLD_MAX_TIERS];
        if (rd_ints(r, "tiers.min_years", true, nt - 1, 0, 60, v))
            for (size_t i = 0; i + 1 < nt; i++)
                p->tier_min_years[i] = (int)v[i];
        rd_floats(r, "tiers.prob", true, nt - 1, 0, 1, p->tier_prob);
        if (rd_ints(r, "tiers.capacity", false, nt, -1, 100000000, v))
            memcpy(p->tier_capacity, v, nt * sizeof *v);
        if (rd_ints(r, "tiers.cap", false, nt, -1, 100000000, v))
            memcpy(p->tier_cap, v, nt * sizeof *v);
    }

    if ((p->title_on = enabled(r, "titles"))) {
        int64_t v[TW_N_TITLES];
        if (rd_ints(r, "titles.min_years", true, TW_N_TITLES, 0, 60, v))
            for (int k = 0; k < TW_N_TITLES; k++)
                p->title_min_years[k] = (int)v[k];
        if (rd_ints(r, "titles.min_years_postgrad", true, TW_N_TITLES, 0, 60,
                    v))
            for (int k = 0; k < TW_N_TITLES; k++)
                p->title_min_years_postgrad[k] = (int)v[k];
        rd_floats(r, "titles.prob", true, TW_N_TITLES, 0, 1, p->title_prob);
        rd_floats(r, "titles.post_cap", true, TW_N_TITLES, 0, 1, p->post_cap);
        int64_t one = 0;
        if (rd_int(r, "titles.senior_rural_years", true, 0, 60, &one))
            p->senior_rural_years = (int)one;
        if (rd_int(r, "titles.full_senior_service", true, 0, 60, &one))
            p->full_senior_service = (int)one;
        if (rd_int(r, "titles.probation_years", true, 0, 10, &one))
            p->probation_years = (int)one;
        double from_none[TW_N_STAGES];
        from_none[0] = 1.0;
        rd_float(r, "titles.rate_from_none", false, 0, 1, &from_none[0]);
        for (int st = 1; st < TW_N_STAGES; st++)
            from_none[st] = from_none[0];
        rd_by_stage(r, "titles.rate_from_none_stage", 0, false, 0, 1,
                    from_none);
        for (int st = 0; st < TW_N_STAGES; st++)
            p->title_none_stay[st] = 1.0 - from_none[st];
        p->title_demotion = 0.0;
        rd_float(r, "titles.demotion", false, 0, 1, &p->title_demotion);
    }
    if ((p->qual_on = enabled(r, "quals")))
        rd_floats(r, "quals.prob", true, TW_N_QUALS, 0, 1, p->qual_prob);
    if ((p->dual_on = enabled(r, "dual")))
        rd_float(r, "dual.prob", true, 0, 1, &p->dual_prob);
}

/* ------------------------------------------------------------------ */
/* Stage groups (metrics pooled over stages)                           */
/* ------------------------------------------------------------------ */

/* stage_groups = ( { name; label; stages = [...]; } ): each group's name
 * is a metric-name part ([a-z0-9_], not a stage's name, not listed
 * twice), its stages known and at least one. */
static void read_stage_groups(reader *r, tw_world *w)
{
    const config_setting_t *s = rd_get(r, "stage_groups", false);
    char gp[64];
    const config_setting_t *g;
    for (int i = 0; (g = rd_next(s, "stage_groups", (size_t)i, gp,
                                 sizeof gp)) != NULL; i++) {
        const config_setting_t *ns = rd_member(r, g, gp, "name", true);
        const config_setting_t *ls = rd_member(r, g, gp, "label", false);
        const config_setting_t *ss = rd_member(r, g, gp, "stages", true);
        if ((size_t)i >= TW_MAX_STAGE_GROUPS) {
            rd_bad(r, g, "stage_groups", "more than %d groups",
                   TW_MAX_STAGE_GROUPS);
            return;
        }
        if (ns == NULL || ss == NULL)
            continue;
        const char *name = config_setting_get_string(ns);
        const char *label = ls ? config_setting_get_string(ls) : NULL;
        bool ok = name != NULL;
        size_t len = name ? strlen(name) : 0;
        if (ok && (len == 0 || len >= TW_STAGE_GROUP_NAME_MAX ||
                   strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789_") !=
                       len)) {
            rd_bad(r, ns, "stage_groups[].name", "\"%s\": a group's name is "
                   "1 to %d characters of a-z, 0-9 and _ (it is part of "
                   "metric names)", name, TW_STAGE_GROUP_NAME_MAX - 1);
            ok = false;
        }
        for (int st = 0; ok && st < TW_N_STAGES; st++)
            if (strcmp(name, tw_stage_names[st]) == 0) {
                rd_bad(r, ns, "stage_groups[].name", "\"%s\" is a stage's "
                       "name; a group needs a name of its own (its metrics "
                       "would have the stage's names)", name);
                ok = false;
            }
        for (size_t j = 0; ok && j < w->n_stage_groups; j++)
            if (strcmp(name, w->stage_groups[j].name) == 0) {
                rd_bad(r, ns, "stage_groups[].name", "\"%s\" is listed "
                       "twice", name);
                ok = false;
            }
        if (label != NULL && strlen(label) >= TW_STAGE_GROUP_LABEL_MAX) {
            rd_bad(r, ls, "stage_groups[].label", "is %zu bytes; at most "
                   "%d", strlen(label), TW_STAGE_GROUP_LABEL_MAX - 1);
            ok = false;
        }
        int mask = 0;
        bool known = true;
        for (int j = 0; j < config_setting_length(ss); j++) {
            int k = rd_choice_of(r, config_setting_get_elem(ss, (unsigned)j),
                                 "stage_groups[].stages", tw_stage_names,
                                 TW_N_STAGES);
            if (k < 0)
                known = false;
            else
                mask |= 1 << k;
        }
        if (known && mask == 0) {
            rd_bad(r, ss, "stage_groups[].stages", "is empty; a group "
                   "names at least one stage");
            ok = false;
        }
        if (!ok || !known)
            continue;
        tw_stage_group *sg = &w->stage_groups[w->n_stage_groups++];
        snprintf(sg->name, sizeof sg->name, "%s", name);
        snprintf(sg->label, sizeof sg->label, "%s", label ? label : "");
        sg->mask = mask;
    }
}

/* ------------------------------------------------------------------ */
/* Subjects (class-hour shares that split each school's demand)         */
/* ------------------------------------------------------------------ */

/* The shares of subjects.<key>.<stage> into out[stage][]: n numbers from
 * 0 to 1 that sum to 1 (1e-6). With `need`, every stage with schools has
 * them; without, an absent stage keeps the shares already in out. */
static void read_subject_shares(reader *r, const tw_world *w, const char *key,
                                int stage_mask, bool need,
                                double out[TW_N_STAGES][TW_MAX_SUBJECTS])
{
    char p[64];
    for (int st = 0; st < TW_N_STAGES; st++) {
        snprintf(p, sizeof p, "subjects.%s.%s", key, tw_stage_names[st]);
        const config_setting_t *v = rd_get(r, p, false);
        if (v == NULL) {
            if (need && (stage_mask >> st & 1)) {
                snprintf(p, sizeof p, "subjects.%s", key);
                const config_setting_t *g = rd_get(r, p, true);
                if (g != NULL)
                    rd_bad(r, g, p, "has no shares for %s, which has "
                           "schools", tw_stage_names[st]);
            }
            continue;
        }
        double x[TW_MAX_SUBJECTS];
        if (rd_shares_at(r, v, p, w->n_subjects, x))
            memcpy(out[st], x, w->n_subjects * sizeof *x);
    }
}

/*
 * The teaching-load basis of the subject demand: subjects.periods, .load
 * and .class_size, numbers by stage, all three or none for each stage
 * (docs/config.md "Subjects"). periods >= 0 (weekly class periods per
 * class), load > 0 (weekly periods per teacher), class_size > 0 (pupils
 * per class); a stage with all three is in w->subject_load_mask.
 */
static void read_subject_load(reader *r, tw_world *w)
{
    static const char *const key[3] = {"periods", "load", "class_size"};
    static const double lo[3] = {0.0, 0.0, 0.0}, hi[3] = {100.0, 100.0, 1000.0};
    static const bool open_lo[3] = {false, true, true};
    double *out[3] = {w->subject_periods, w->subject_load,
                      w->subject_class_size};
    char p[64];
    for (int st = 0; st < TW_N_STAGES; st++) {
        const config_setting_t *v[3];
        int have = 0, good = 0;
        for (int k = 0; k < 3; k++) {
            snprintf(p, sizeof p, "subjects.%s.%s", key[k], tw_stage_names[st]);
            v[k] = rd_get(r, p, false);
            if (v[k] == NULL)
                continue;
            have++;
            double x = rd_num(v[k]);
            if (!(open_lo[k] ? x > lo[k] : x >= lo[k]) || !(x <= hi[k])) {
                rd_bad(r, v[k], p, "%g is out of range; it must be %s %g and "
                       "at most %g", x, open_lo[k] ? "above" : "at least", lo[k],
                       hi[k]);
                continue;
            }
            out[k][st] = x;
            good++;
        }
        if (have > 0 && have < 3) {
            int k0 = v[0] ? 0 : v[1] ? 1 : 2;
            char miss[128] = "";
            for (int k = 0; k < 3; k++)
                if (v[k] == NULL)
                    snprintf(miss + strlen(miss), sizeof miss - strlen(miss),
                             "%ssubjects.%s.%s", miss[0] ? " and " : "",
                             key[k], tw_stage_names[st]);
            snprintf(p, sizeof p, "subjects.%s.%s", key[k0],
                     tw_stage_names[st]);
            rd_bad(r, v[k0], p, "has no %s: the teaching-load basis needs "
                   "periods, load and class_size for a stage, or none of "
                   "them", miss);
        }
        if (good == 3)
            w->subject_load_mask |= 1 << st;
    }
}

/* subjects = { names = [...]; shares = { <stage> = [...]; }; stock = {
 * ... }; }: names are metric-name parts ([a-z0-9_], not listed twice), at
 * most TW_MAX_SUBJECTS; shares are required for every stage with schools;
 * the stock's mix defaults to the shares. */
static void read_subjects(reader *r, tw_world *w, int stage_mask)
{
    if (rd_get(r, "subjects", false) == NULL)
        return;
    const config_setting_t *ns = rd_get(r, "subjects.names", true);
    if (ns == NULL)
        return;
    int n = config_setting_length(ns);
    if (n < 1 || n > TW_MAX_SUBJECTS) {
        rd_bad(r, ns, "subjects.names", "has %d names; it must have 1 to %d",
               n, TW_MAX_SUBJECTS);
        return;
    }
    bool ok = true;
    for (int j = 0; j < n; j++) {
        const char *name =
            config_setting_get_string(config_setting_get_elem(ns, (unsigned)j));
        size_t len = name ? strlen(name) : 0;
        if (name == NULL || len == 0 || len >= TW_SUBJECT_NAME_MAX ||
            strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789_") != len) {
            rd_bad(r, ns, "subjects.names", "entry %d \"%s\": a subject's "
                   "name is 1 to %d characters of a-z, 0-9 and _ (it is "
                   "part of metric names)", j, name ? name : "",
                   TW_SUBJECT_NAME_MAX - 1);
            ok = false;
            continue;
        }
        for (int i = 0; i < j; i++) /* reported by the schema check */
            if (strcmp(name, w->subject_names[i]) == 0)
                ok = false;
        snprintf(w->subject_names[j], TW_SUBJECT_NAME_MAX, "%s", name);
    }
    if (!ok)
        return;
    w->n_subjects = (size_t)n;
    read_subject_shares(r, w, "shares", stage_mask, true, w->subject_share);
    memcpy(w->subject_stock, w->subject_share, sizeof w->subject_stock);
    if (rd_get(r, "subjects.stock", false) != NULL)
        read_subject_shares(r, w, "stock", stage_mask, false,
                            w->subject_stock);
    read_subject_load(r, w);
}

/* The names in a subjects.floor group g must be subjects of
 * subjects.names (the schema cannot know them): an unknown one is reported
 * with the nearest. */
static void check_floor_names(reader *r, const tw_world *w,
                              const config_setting_t *g)
{
    const char *names[TW_MAX_SUBJECTS];
    for (size_t j = 0; j < w->n_subjects; j++)
        names[j] = w->subject_names[j];
    for (int i = 0; g != NULL && i < config_setting_length(g); i++) {
        const config_setting_t *m = config_setting_get_elem(g, (unsigned)i);
        const char *name = config_setting_name(m);
        size_t d, best = tw_nearest(name, names, w->n_subjects, &d);
        if (d != 0)
            rd_bad(r, m, "subjects.floor", "'%s' is not one of "
                   "subjects.names (nearest: '%s')", name, names[best]);
    }
}

/*
 * The rules on subjects that may change by year (and county), for year t
 * (r->year set): subjects.floor into w->params[t] (by subject name, each
 * looked up on its own through the timeline) and subjects.retrain (转岗:
 * prob, capacity) into each county's parameters of year t. Without
 * subjects, neither may be given.
 */
static void read_subject_rules(reader *r, tw_world *w, size_t t)
{
    static const char *const keys[] = {"subjects.floor", "subjects.retrain"};
    if (w->n_subjects == 0) {
        for (size_t i = 0; t == 0 && i < 2; i++) {
            const config_setting_t *g = rd_get(r, keys[i], false);
            if (g != NULL)
                rd_bad(r, g, keys[i], "needs subjects.names (a config "
                       "without subjects has one implicit subject)");
        }
        return;
    }
    if (t == 0) { /* the names, wherever a floor group is written */
        check_floor_names(r, w, config_lookup(&r->src->lc, keys[0]));
        check_floor_names(r, w,
                          config_lookup(&r->src->lc, "national.subjects.floor"));
        for (size_t e = 0; e < r->n_tl; e++)
            check_floor_names(r, w, config_setting_lookup(
                                        (config_setting_t *)r->tl[e].set,
                                        keys[0]));
    }
    r->county = -1;
    tw_params *p = &w->params[t];
    char path[64];
    for (size_t j = 0; j < w->n_subjects; j++) {
        snprintf(path, sizeof path, "subjects.floor.%s", w->subject_names[j]);
        const config_setting_t *v = rd_get(r, path, false);
        p->subject_floor[j] = 0.0;
        if (v == NULL)
            continue;
        double f = rd_num(v);
        if (!(f >= 0.0 && f <= 10000.0))
            rd_bad(r, v, path, "%g; a floor is a number of teachers from 0 "
                   "to 10000", f);
        else
            p->subject_floor[j] = f;
    }
    for (size_t c = 0; c < w->n_counties; c++) {
        r->county = (long)c;
        tw_county_params *cp = &w->cparams[t * w->n_counties + c];
        cp->retrain_prob = 0.0;
        cp->retrain_capacity = -1;
        if (rd_get(r, keys[1], false) == NULL)
            continue;
        rd_float(r, "subjects.retrain.prob", true, 0, 1, &cp->retrain_prob);
        rd_int(r, "subjects.retrain.capacity", false, -1, 100000000,
               &cp->retrain_capacity);
    }
    r->county = -1;
}

/* ------------------------------------------------------------------ */
/* County-level parameters of one year                                 */
/* ------------------------------------------------------------------ */

/*
 * A channel's training pipeline: programme_years (absent: none, the cohort
 * is hired in its own year), graduation (default 1) and intake_before
 * (programme_years - 1 intakes before base_year, oldest first; absent: the
 * pipeline starts full, each as the base year's cohort).
 */
static void read_pipeline(reader *r, const char *base, tw_channel_params *c)
{
    char path[128];
#define P(key) (snprintf(path, sizeof path, "%s.%s", base, key), path)
    c->programme_years = 0;
    c->graduation = 1.0;
    const config_setting_t *py = rd_get(r, P("programme_years"), false);
    int64_t one = 0;
    if (py != NULL && config_setting_get_int64(py) == 0)
        rd_bad(r, py, path, "0 years from intake to graduation: leave "
               "programme_years out to hire the cohort in its own year");
    else if (py != NULL &&
             rd_int(r, path, false, 1, TW_MAX_PROGRAMME_YEARS, &one))
        c->programme_years = (int)one;
    const config_setting_t *gs = rd_get(r, P("graduation"), false);
    if (gs != NULL) {
        if (py == NULL)
            rd_bad(r, gs, path, "applies to a programme only; set "
                   "programme_years too, or remove it");
        rd_float(r, path, false, 0, 1, &c->graduation);
    }
    const config_setting_t *ib = rd_get(r, P("intake_before"), false);
    if (py != NULL && c->cohort < 0)
        rd_bad(r, py, P("programme_years"), "a programme needs the "
               "channel's cohort, the students who enter it each year");
    if (ib != NULL && py == NULL) {
        rd_bad(r, ib, P("intake_before"), "applies to a programme only; set "
               "programme_years too, or remove it");
        return;
    }
    if (c->programme_years <= 0)
        return;
    size_t n = (size_t)c->programme_years - 1;
    for (size_t j = 0; j < n; j++)
        c->intake_before[j] = c->cohort > 0 ? c->cohort : 0;
    if (ib == NULL)
        return;
    if ((size_t)config_setting_length(ib) != n) {
        rd_bad(r, ib, P("intake_before"), "has %d numbers; a %d-year "
               "programme needs %zu: the intakes of the %zu years before "
               "base_year that graduate after it, oldest first",
               config_setting_length(ib), c->programme_years, n, n);
        return;
    }
    int64_t v[TW_MAX_PROGRAMME_YEARS];
    if (n > 0 && rd_ints(r, P("intake_before"), false, n, 0, 10000000, v))
        memcpy(c->intake_before, v, n * sizeof *v);
#undef P
}

static void read_channel(reader *r, int ch, tw_channel_params *c)
{
    char base[64], path[128];
    snprintf(base, sizeof base, "recruitment.channels.%s",
             tw_channel_names[ch]);
#define P(key) (snprintf(path, sizeof path, "%s.%s", base, key), path)
    if (rd_get(r, base, true) == NULL)
        return;
    bool b = false;
    if (rd_bool(r, P("enabled"), true, &b))
        c->on = b;
    c->cohort = -1;
    rd_int(r, P("cohort"), ch == TW_CH_FUNDED, -1, 10000000, &c->cohort);
    if (ch == TW_CH_FUNDED && c->cohort < 0)
        c->cohort = 0;
    rd_float(r, P("share"), false, 0, 1, &c->share);
    c->stage_mask = (1 << TW_N_STAGES) - 1;
    c->loc_mask = ch == TW_CH_TEGANG ? 1 << TW_LOC_RURAL
                                     : (1 << TW_N_LOCS) - 1;
    if (ch == TW_CH_ENTERPRISE)
        c->stage_mask = 1 << TW_STAGE_VOCATIONAL;
    int mask;
    if (rd_name_mask(r, P("stages"), tw_stage_names, TW_N_STAGES, &mask)) {
        if (ch == TW_CH_ENTERPRISE && mask != (1 << TW_STAGE_VOCATIONAL))
            rd_bad(r, rd_get(r, path, false), path, "企业引进 hires for "
                   "vocational schools only");
        c->stage_mask = mask;
    }
    if (rd_name_mask(r, P("localities"), tw_loc_names, TW_N_LOCS, &mask)) {
        if (ch == TW_CH_TEGANG && mask != (1 << TW_LOC_RURAL))
            rd_bad(r, rd_get(r, path, false), path, "特岗 posts are rural "
                   "only");
        c->loc_mask = mask;
    }
    if (rd_bool(r, P("bianzhi"), true, &b))
        c->bianzhi = b;
    int64_t one = 0;
    if (rd_int(r, P("obligation"), true, 0, 30, &one))
        c->obligation = (int)one;
    rd_float(r, P("age_mean"), true, 18, 60, &c->age_mean);
    rd_float(r, P("age_sd"), true, 0, 20, &c->age_sd);
    double f = 0;
    if (rd_float(r, P("female"), true, 0, 1, &f))
        for (int st = 0; st < TW_N_STAGES; st++)
            c->female_share[st] = f;
    const config_setting_t *q = rd_get(r, P("quals"), true);
    if (q != NULL)
        rd_shares_at(r, q, path, TW_N_QUALS, c->qual_share);
    rd_float(r, P("dual_prob"), false, 0, 1, &c->dual_prob);
    read_pipeline(r, base, c);
#undef P
}

static void read_cparams(reader *r, const tw_world *w, size_t t,
                         tw_county_params *cp)
{
    bool b = false;
    int64_t one = 0;
    if ((cp->strikes_on = enabled(r, "evaluation")))
        rd_float(r, "evaluation.share", true, 0, 0.5, &cp->strike_share);

    if (rd_bool(r, "rotation.reform", true, &b))
        cp->reform = b;
    rd_float(r, "rotation.transfer_rate", true, 0, 1, &cp->transfer_rate);
    rd_float(r, "rotation.share", true, 0, 1, &cp->exchange_share);
    rd_float(r, "rotation.backbone_share", true, 0, 1, &cp->backbone_share);
    if (rd_int(r, "rotation.eligible_years", true, 0, 60, &one))
        cp->eligible_years = (int)one;
    int64_t ages[2];
    if (rd_ints(r, "rotation.exempt_age", true, 2, 0, 75, ages)) {
        cp->exempt_age_male = (int)ages[0];
        cp->exempt_age_female = (int)ages[1];
    }
    if (rd_int(r, "rotation.term_years", true, 0, 20, &one))
        cp->term_years = (int)one;
    if (rd_bool(r, "rotation.rehire", true, &b))
        cp->rehire_on = b;
    if (rd_int(r, "rotation.pool_max_years", true, 0, 10, &one))
        cp->pool_max_years = (int)one;
    int mask;
    cp->rotate_skip = 0;
    if (rd_name_mask(r, "rotation.stages", tw_stage_names, TW_N_STAGES,
                     &mask)) {
        if (mask == 0)
            rd_bad(r, rd_get(r, "rotation.stages", false), "rotation.stages",
                   "is empty; name at least one stage (to switch 县管校聘 "
                   "off, set rotation.reform = false)");
        cp->rotate_skip = ((1 << TW_N_STAGES) - 1) & ~mask;
    }
    static const char *const basis[] = {"county", "school"};
    cp->exchange_per_school = 0;
    if (rd_get(r, "rotation.exchange_basis", false) != NULL)
        cp->exchange_per_school =
            rd_choice(r, "rotation.exchange_basis", basis, 2) == 1;

    int pol = rd_choice(r, "recruitment.policy", tw_hire_policy_names,
                        TW_N_HIRE_POLICIES);
    cp->hire_policy = pol < 0 ? TW_HIRE_FILL : pol;
    if (pol == TW_HIRE_QUOTA)
        rd_int(r, "recruitment.quota", true, 0, 10000000, &cp->quota);
    if (pol == TW_HIRE_SCHEDULE && t > 0) {
        const config_setting_t *s = rd_get(r, "recruitment.schedule", true);
        bool found = false;
        for (int i = 0; s && i < config_setting_length(s); i++) {
            const config_setting_t *row = config_setting_get_elem(s, (unsigned)i);
            int64_t y = config_setting_get_int64_elem(row, 0);
            int64_t n = config_setting_get_int64_elem(row, 1);
            if (n < 0 || n > 10000000)
                rd_bad(r, row, "recruitment.schedule", "%lld hires in %lld; "
                       "it must be 0 to 10000000", (long long)n, (long long)y);
            if (y == r->year) {
                cp->quota = n;
                found = true;
            }
        }
        if (s && !found)
            rd_bad(r, s, "recruitment.schedule", "has no entry for %d; give "
                   "one [year, hires] for every simulated year", r->year);
    }
    if (pol == TW_HIRE_REPLACE)
        rd_float(r, "recruitment.replace_share", true, 0, 10,
                 &cp->replace_share);
    rd_floats(r, "recruitment.fill_prob", true, TW_N_LOCS, 0, 1,
              cp->fill_prob);
    if (rd_bool(r, "recruitment.establishment_cap", true, &b))
        cp->cap_on = b;
    const config_setting_t *ord = rd_get(r, "recruitment.order", true);
    int seen = 0;
    for (int i = 0; ord && i < config_setting_length(ord); i++) {
        int ch = rd_choice_of(r, config_setting_get_elem(ord, (unsigned)i),
                              "recruitment.order", tw_channel_names,
                              TW_N_HIRE_CHANNELS);
        if (ch < 0)
            continue;
        if (seen & (1 << ch))
            continue; /* listed twice: reported by the schema check */
        seen |= 1 << ch;
        cp->order[cp->n_order++] = ch;
        read_channel(r, ch, &cp->ch[ch]);
    }
    cp->backbone_tier = 0;
    const config_setting_t *bb = rd_get(r, "tiers.backbone", true);
    if (bb != NULL) {
        int k = rd_choice_of(r, bb, "tiers.backbone",
                             (const char *const *)r->cfg->tier_names,
                             (int)w->n_tiers);
        cp->backbone_tier = k < 0 ? 0 : k;
    }
}

/* ------------------------------------------------------------------ */

static void read_series(reader *r, tw_world *w)
{
    const config_setting_t *s = rd_get(r, "enrolment.series", false);
    /* the entry that first set each stage and locality ("all" sets three) */
    const config_setting_t *first[TW_N_STAGES][TW_N_LOCS] = {{NULL}};
    char gp[64];
    const config_setting_t *g;
    for (int i = 0; (g = rd_next(s, "enrolment.series", (size_t)i, gp,
                                 sizeof gp)) != NULL; i++) {
        const config_setting_t *ss = rd_member(r, g, gp, "stage", true);
        const config_setting_t *ls = rd_member(r, g, gp, "locality", true);
        const config_setting_t *xs = rd_member(r, g, gp, "index", true);
        if (!ss || !ls || !xs)
            continue;
        int st = rd_choice_of(r, ss, "enrolment.series[].stage",
                              tw_stage_names, TW_N_STAGES);
        static const char *const locs[] = {"urban", "town", "rural", "all"};
        int loc = rd_choice_of(r, ls, "enrolment.series[].locality", locs, 4);
        double idx[512];
        if (w->n_years > 512 || st < 0 || loc < 0 ||
            !rd_floats_at(r, xs, "enrolment.series[].index", w->n_years, 0,
                          100, idx))
            continue;
        if (fabs(idx[0] - 1.0) > 1e-9)
            rd_bad(r, xs, "enrolment.series[].index", "starts at %g; the "
                   "first entry is base_year and must be 1.0", idx[0]);
        for (int l = 0; l < TW_N_LOCS; l++) {
            if (loc != 3 && loc != l)
                continue;
            if (first[st][l] != NULL) {
                char at[600];
                snprintf(at, sizeof at, "%s", rd_at(r, first[st][l]));
                rd_bad(r, g, "enrolment.series", "%s %s is listed twice "
                       "(first at %s); the last would win", tw_stage_names[st],
                       tw_loc_names[l], at);
                break;
            }
        }
        for (int l = 0; l < TW_N_LOCS; l++)
            if ((loc == 3 || loc == l) && first[st][l] == NULL)
                first[st][l] = g;
        for (size_t t = 0; t < w->n_years; t++)
            for (int l = 0; l < TW_N_LOCS; l++)
                if (loc == 3 || loc == l) {
                    w->params[t].series_on[st][l] = 1;
                    w->params[t].enrol_index[st][l] = idx[t];
                }
    }
}

void tw_config_read_full(reader *r)
{
    tw_config *cfg = r->cfg;
    size_t nc = read_counties(r);
    size_t ns = count_schools(r);
    /* Other mistakes do not stop the reading (every problem is reported in
     * one pass), but the region needs its years, counties, schools and
     * tiers to exist at all. */
    if (nc == 0 || ns == 0 || cfg->n_tiers == 0 || cfg->base_year <= 0 ||
        cfg->end_year <= cfg->base_year ||
        (r->err && r->err->code == TW_EFAIL))
        return;
    tw_world *w = tw_world_alloc(tw_config_n_years(cfg), nc, ns);
    if (w == NULL) {
        tw_error_add(r->err, TW_EFAIL, "out of memory for the region");
        return;
    }
    cfg->world = w;
    w->base_year = cfg->base_year;
    w->end_year = cfg->end_year;
    w->n_tiers = cfg->n_tiers;
    w->script = cfg->script;
    for (size_t i = 0; i < cfg->n_tiers; i++)
        snprintf(w->tier_names[i], TW_NAME_MAX, "%s", cfg->tier_names[i]);
    read_county_names(r, w);
    int stage_mask = 0;
    const config_setting_t *bl = rd_get(r, "schools", true);
    size_t nb = bl ? (size_t)config_setting_length(bl) : 0;
    size_t *bfirst = malloc((nb ? nb : 1) * sizeof *bfirst);
    for (size_t b = 0; bfirst != NULL && b < nb; b++)
        bfirst[b] = SIZE_MAX;
    read_schools(r, w, &stage_mask, bfirst);
    if (bfirst != NULL)
        read_closures(r, w, bfirst);
    else
        tw_error_add(r->err, TW_EFAIL, "out of memory");
    free(bfirst);
    read_population(r, w, stage_mask);
    read_stage_groups(r, w);
    read_subjects(r, w, stage_mask);
    read_timeline(r, w);
    for (size_t t = 0; t < w->n_years; t++) {
        r->year = w->base_year + (int)t;
        r->county = -1;
        read_params(r, w, stage_mask, &w->params[t]);
        for (size_t c = 0; c < nc; c++) {
            r->county = (long)c;
            read_cparams(r, w, t, &w->cparams[t * nc + c]);
        }
        read_subject_rules(r, w, t);
    }
    r->county = -1;
    r->year = w->base_year;
    read_series(r, w);
    const char **names = calloc(nc, sizeof *names);
    for (size_t c = 0; names != NULL && c < nc; c++)
        names[c] = w->counties[c].name;
    if (names == NULL ||
        (cfg->by_year = tw_config_by_year(r, nc, names)) == NULL)
        tw_error_add(r->err, TW_EFAIL, "out of memory");
    free(names);
    r->county = -1;
    r->year = w->base_year;
    free_timeline(r);
}
