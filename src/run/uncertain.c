/*
 * uncertain.c - the parameter points of an ensemble and where their values
 * land in the model's parameters (tw_uncertain.h).
 */
#include "tw_uncertain.h"

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tw_mem.h"
#include "tw_sensitivity.h"

/* How an assignment's value follows from the settings' values. */
typedef struct contrib {
    size_t setting;
    double base;       /* the element's value in the config */
} contrib;

typedef struct assign_rule {
    size_t owner;      /* direct: the setting; SIZE_MAX for a rest */
    double base;       /* rest: the rest element's value in the config */
    contrib *c;        /* rest: the elements it balances */
    size_t n_c;
} assign_rule;

/* ------------------------------------------------------------------ */
/* Assignments                                                         */
/* ------------------------------------------------------------------ */

static int add_assign(tw_unc *u, assign_rule **rules, const char *key,
                      int integer, assign_rule r, tw_error *err)
{
    size_t n = u->n_assign;
    char **keys = realloc(u->assign_key, (n + 1) * sizeof *keys);
    if (keys != NULL)
        u->assign_key = keys;
    int *ints = realloc(u->assign_int, (n + 1) * sizeof *ints);
    if (ints != NULL)
        u->assign_int = ints;
    assign_rule *rs = realloc(*rules, (n + 1) * sizeof *rs);
    if (rs != NULL)
        *rules = rs;
    if (keys == NULL || ints == NULL || rs == NULL ||
        (keys[n] = strdup(key)) == NULL)
        return tw_error_set(err, TW_EFAIL, "out of memory");
    ints[n] = integer;
    rs[n] = r;
    u->n_assign = n + 1;
    return TW_OK;
}

/* The one number at `path` in cfg, or an error naming setting s. */
static int number_at(const tw_config *cfg, const tw_uncertain *s,
                     const char *path, double *v, tw_error *err)
{
    size_t n = 0;
    tw_error e;
    tw_error_clear(&e);
    if (tw_config_numbers_at(cfg, path, v, 1, &n, &e) != TW_OK || n != 1)
        return tw_error_set(err, TW_EINPUT, "%s: uncertainty: %s: %s",
                            s->where, path,
                            e.code != TW_OK ? e.msg : "not one number");
    return TW_OK;
}

/* Setting i's assignments: its key (each element of a list for [*]) and,
 * with `rest`, the balancing element of each array. */
static int expand(tw_unc *u, assign_rule **rules, size_t i, tw_error *err)
{
    const tw_config *cfg = u->cfg;
    const tw_uncertain *s = &cfg->unc[i];
    char paths[64][600];
    size_t np = 0;
    const char *star = strstr(s->key, "[*]");
    if (star != NULL) {
        char list[256];
        if ((size_t)(star - s->key) >= sizeof list)
            return tw_error_set(err, TW_EINPUT, "%s: uncertainty: the key "
                                "is too long", s->where);
        snprintf(list, sizeof list, "%.*s", (int)(star - s->key), s->key);
        size_t n = tw_config_list_length(cfg, list);
        if (n == 0)
            return tw_error_set(err, TW_EINPUT, "%s: uncertainty: %s: the "
                                "config has no %s", s->where, s->key, list);
        if (n > 64)
            return tw_error_set(err, TW_EINPUT, "%s: uncertainty: %s: more "
                                "than 64 elements", s->where, s->key);
        for (size_t e = 0; e < n; e++)
            snprintf(paths[np++], sizeof paths[0], "%s[%zu]%s", list, e,
                     star + 3);
    } else {
        snprintf(paths[np++], sizeof paths[0], "%.500s", s->key);
    }
    for (size_t e = 0; e < np; e++) {
        for (size_t k = 0; k < u->n_assign; k++)
            if (strcmp(u->assign_key[k], paths[e]) == 0)
                return tw_error_set(err, TW_EINPUT, "%s: uncertainty: %s is "
                                    "set twice (also as another setting's "
                                    "rest)", s->where, paths[e]);
        int rc = add_assign(u, rules, paths[e], s->integer,
                            (assign_rule){.owner = i}, err);
        if (rc != TW_OK)
            return rc;
        if (s->rest < 0)
            continue;
        /* the rest: the same path with the last index replaced */
        char rest[700];
        const char *br = strrchr(paths[e], '[');
        snprintf(rest, sizeof rest, "%.*s[%ld]", (int)(br - paths[e]),
                 paths[e], s->rest);
        double be, br_v;
        if ((rc = number_at(cfg, s, paths[e], &be, err)) != TW_OK ||
            (rc = number_at(cfg, s, rest, &br_v, err)) != TW_OK)
            return rc;
        assign_rule *r = NULL;
        for (size_t k = 0; k < u->n_assign; k++)
            if (strcmp(u->assign_key[k], rest) == 0) {
                if ((*rules)[k].owner != SIZE_MAX)
                    return tw_error_set(err, TW_EINPUT, "%s: uncertainty: "
                                        "the rest %s is itself uncertain",
                                        s->where, rest);
                r = &(*rules)[k];
            }
        if (r == NULL) {
            rc = add_assign(u, rules, rest, 0,
                            (assign_rule){.owner = SIZE_MAX, .base = br_v},
                            err);
            if (rc != TW_OK)
                return rc;
            r = &(*rules)[u->n_assign - 1];
        }
        contrib *c = realloc(r->c, (r->n_c + 1) * sizeof *c);
        if (c == NULL)
            return tw_error_set(err, TW_EFAIL, "out of memory");
        r->c = c;
        c[r->n_c++] = (contrib){.setting = i, .base = be};
    }
    return TW_OK;
}

/* The assignments' values out[n_assign] for the settings' values v. With
 * every setting at its config value a rest keeps its own exactly. */
static void assignments(const tw_unc *u, const assign_rule *rules,
                        const double *v, double *out)
{
    for (size_t k = 0; k < u->n_assign; k++) {
        const assign_rule *r = &rules[k];
        if (r->owner != SIZE_MAX) {
            out[k] = v[r->owner];
            continue;
        }
        double x = r->base;
        for (size_t j = 0; j < r->n_c; j++)
            x += r->c[j].base - v[r->c[j].setting];
        out[k] = x;
    }
}

const char *tw_unc_assignment(const tw_unc *u, size_t k, double v,
                              char *buf, size_t cap)
{
    if (u->assign_int[k])
        snprintf(buf, cap, "%s=%lld", u->assign_key[k], (long long)llround(v));
    else
        snprintf(buf, cap, "%s=%.17g", u->assign_key[k], v);
    return buf;
}

/* cfg loaded with the assignments a[n_assign]. */
static int load_at(const tw_unc *u, const double *a, tw_config **out,
                   tw_error *err)
{
    size_t n = u->n_assign;
    char *buf = malloc(n * 320 + 1);
    const char **draws = malloc((n ? n : 1) * sizeof *draws);
    int rc;
    if (buf == NULL || draws == NULL) {
        rc = tw_error_set(err, TW_EFAIL, "out of memory");
    } else {
        for (size_t k = 0; k < n; k++)
            draws[k] = tw_unc_assignment(u, k, a[k], buf + 320 * k, 320);
        rc = tw_config_load_point(u->cfg, draws, n, out, err);
    }
    free(buf);
    free(draws);
    return rc;
}

int tw_unc_central_config(const tw_unc *u, tw_config **out, tw_error *err)
{
    return load_at(u, u->assign_central, out, err);
}

static const char *first_line(const tw_error *e, char *buf, size_t cap);

int tw_unc_load_central(const tw_config *cfg, tw_config **out,
                        tw_error *err)
{
    tw_unc u;
    *out = NULL;
    int rc = tw_unc_build(&u, cfg, 0, err);
    if (rc == TW_OK) {
        /* as tw_unc_build's central probe words it: the uncertainty
         * group's file:line, not a bare --set the user never gave */
        tw_error e;
        tw_error_clear(&e);
        char line[TW_ERROR_MSG_MAX];
        rc = tw_unc_central_config(&u, out, &e);
        if (rc != TW_OK)
            tw_error_set(err, e.code, "%s: uncertainty: at the central "
                         "values: %s", cfg->unc_where,
                         first_line(&e, line, sizeof line));
    }
    tw_unc_free(&u);
    return rc;
}

/* ------------------------------------------------------------------ */
/* Slots                                                               */
/* ------------------------------------------------------------------ */

static bool holds(const unsigned char *blk, size_t off, int type, double v)
{
    if (type == TW_PT_F64) {
        double x;
        memcpy(&x, blk + off, sizeof x);
        return memcmp(&x, &v, sizeof x) == 0;
    }
    if (!(fabs(v) < 9e18))
        return false;
    if (type == TW_PT_I64) {
        int64_t y;
        memcpy(&y, blk + off, sizeof y);
        return y == (int64_t)llround(v);
    }
    int32_t y;
    memcpy(&y, blk + off, sizeof y);
    return fabs(v) < 2e9 && y == (int32_t)lround(v);
}

static int same_shape(const tw_config *a, const tw_config *b)
{
    if (a->mode != b->mode || a->n_tiers != b->n_tiers ||
        a->base_year != b->base_year || a->end_year != b->end_year)
        return 0;
    if (a->world == NULL || b->world == NULL)
        return a->world == b->world;
    const tw_world *x = a->world, *y = b->world;
    /* the subjects' shares are structure, in no parameter block: a point
     * that changed them would be patched without them */
    return x->n_counties == y->n_counties &&
           x->n_schools == y->n_schools &&
           x->n_subjects == y->n_subjects &&
           memcmp(x->subject_share, y->subject_share,
                  sizeof x->subject_share) == 0 &&
           memcmp(x->subject_stock, y->subject_stock,
                  sizeof x->subject_stock) == 0 &&
           x->subject_load_mask == y->subject_load_mask &&
           memcmp(x->subject_periods, y->subject_periods,
                  sizeof x->subject_periods) == 0 &&
           memcmp(x->subject_load, y->subject_load,
                  sizeof x->subject_load) == 0 &&
           memcmp(x->subject_class_size, y->subject_class_size,
                  sizeof x->subject_class_size) == 0;
}

static int add_slot(tw_unc *u, tw_var_slot s, tw_error *err)
{
    for (size_t k = 0; k < u->n_slots; k++)
        if (u->slots[k].block == s.block && u->slots[k].offset == s.offset)
            return TW_OK;
    tw_var_slot *v = realloc(u->slots, (u->n_slots + 1) * sizeof *v);
    if (v == NULL)
        return tw_error_set(err, TW_EFAIL, "out of memory");
    u->slots = v;
    u->slots[u->n_slots++] = s;
    return TW_OK;
}

/* The changed values of probe p's blocks against the plain config's, as
 * slots (their assignment still unknown); false when a change is no
 * assignment's value in that probe. */
static bool find_slots(tw_unc *u, const tw_config *probe, const double *a,
                       int *rc, tw_error *err)
{
    tw_param_block pb[TW_N_PBLOCKS], bb[TW_N_PBLOCKS];
    tw_param_blocks(u->cfg, u->cfg->world, bb);
    tw_param_blocks(probe, probe->world, pb);
    for (int b = 0; b < TW_N_PBLOCKS; b++) {
        const unsigned char *x = bb[b].p, *y = pb[b].p;
        size_t size = bb[b].size;
        for (size_t d = 0; d < size; d++) {
            if (x[d] == y[d])
                continue;
            tw_var_slot s = {.block = (uint8_t)b};
            bool found = false;
            static const int types[3] = {TW_PT_F64, TW_PT_I64, TW_PT_I32};
            for (int t = 0; t < 3 && !found; t++) {
                size_t w = types[t] == TW_PT_I32 ? 4 : 8;
                size_t off = d & ~(w - 1);
                if (off + w > size)
                    continue;
                for (size_t k = 0; k < u->n_assign && !found; k++)
                    if ((types[t] == TW_PT_F64 || u->assign_int[k]) &&
                        holds(y, off, types[t], a[k])) {
                        s.offset = off;
                        s.type = (uint8_t)types[t];
                        found = true;
                    }
            }
            if (!found)
                return false;
            if ((*rc = add_slot(u, s, err)) != TW_OK)
                return false;
            d = s.offset + (s.type == TW_PT_I32 ? 4 : 8) - 1;
        }
    }
    return true;
}

/* Patch the plain blocks with the slots at assignments a into scratch
 * copies and compare with probe's: equal bitwise? */
static bool reproduces(const tw_unc *u, const tw_config *probe,
                       const double *a, unsigned char **scratch)
{
    tw_param_block pb[TW_N_PBLOCKS], bb[TW_N_PBLOCKS];
    tw_param_blocks(u->cfg, u->cfg->world, bb);
    tw_param_blocks(probe, probe->world, pb);
    for (int b = 0; b < TW_N_PBLOCKS; b++)
        if (bb[b].size > 0)
            memcpy(scratch[b], bb[b].p, bb[b].size);
    tw_param_block sb[TW_N_PBLOCKS];
    for (int b = 0; b < TW_N_PBLOCKS; b++)
        sb[b] = (tw_param_block){scratch[b], bb[b].size};
    for (size_t k = 0; k < u->n_slots; k++)
        tw_var_slot_put(sb, &u->slots[k], a[u->slots[k].assign]);
    for (int b = 0; b < TW_N_PBLOCKS; b++)
        if (bb[b].size > 0 && memcmp(scratch[b], pb[b].p, bb[b].size) != 0)
            return false;
    return true;
}

/* ------------------------------------------------------------------ */
/* Loading points whole                                                */
/* ------------------------------------------------------------------ */

static int rebuild(void *ctx, size_t point, tw_param_block *to,
                   tw_error *err)
{
    tw_unc *u = ctx;
    int rc = TW_OK;
    pthread_mutex_lock(&u->lock);
    tw_config *c = NULL;
    size_t nc = sizeof u->cache / sizeof u->cache[0];
    for (size_t i = 0; i < nc; i++)
        if (u->cache[i] != NULL && u->cache_point[i] == point)
            c = u->cache[i];
    if (c == NULL) {
        rc = load_at(u, u->assign + point * u->n_assign, &c, err);
        if (rc == TW_OK && !same_shape(u->cfg, c)) {
            tw_config_free(c);
            rc = tw_error_set(err, TW_EFAIL, "parameter point %zu changes "
                              "the region's shape", point);
        }
        if (rc == TW_OK) {
            size_t i = u->cache_next++ % nc;
            tw_config_free(u->cache[i]);
            u->cache[i] = c;
            u->cache_point[i] = point;
            u->loads++;
        }
    }
    if (rc == TW_OK) {
        tw_param_block from[TW_N_PBLOCKS];
        tw_param_blocks(c, c->world, from);
        for (int b = 0; b < TW_N_PBLOCKS; b++)
            if (from[b].size > 0)
                memcpy(to[b].p, from[b].p, from[b].size);
    }
    pthread_mutex_unlock(&u->lock);
    return rc;
}

/* ------------------------------------------------------------------ */
/* The build                                                           */
/* ------------------------------------------------------------------ */

/* The first line of err's message, for a line of our own. */
static const char *first_line(const tw_error *e, char *buf, size_t cap)
{
    const char *m = e->msg;
    if (strncmp(m, "twsim: ", 7) == 0)
        m += 7;
    size_t n = strcspn(m, "\n");
    snprintf(buf, cap, "%.*s", (int)n, m);
    return buf;
}

int tw_unc_build(tw_unc *u, const tw_config *cfg, size_t reps,
                 tw_error *err)
{
    memset(u, 0, sizeof *u);
    u->cfg = cfg;
    size_t ns = u->n_set = cfg->n_unc;
    u->per_point = cfg->unc_per_point ? cfg->unc_per_point : 1;
    u->n_points = (reps + u->per_point - 1) / u->per_point;
    assign_rule *rules = NULL;
    tw_config **probes = NULL;
    double *pa = NULL, *v = NULL;
    unsigned char *scratch[TW_N_PBLOCKS] = {0};
    size_t n_probes = 0;
    int rc = TW_OK;

    u->dist = calloc(ns ? ns : 1, sizeof *u->dist);
    u->central = calloc(ns ? ns : 1, sizeof *u->central);
    v = calloc(ns ? ns : 1, sizeof *v);
    if (u->dist == NULL || u->central == NULL || v == NULL) {
        rc = tw_error_set(err, TW_EFAIL, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < ns && rc == TW_OK; i++) {
        const tw_uncertain *s = &cfg->unc[i];
        u->dist[i] = (tw_dist){.kind = (tw_dist_kind)s->dist,
                               .lo = -HUGE_VAL, .hi = HUGE_VAL,
                               .integer = s->integer};
        memcpy(u->dist[i].p, s->p, sizeof s->p);
        u->central[i] = tw_dist_central(&u->dist[i]);
        rc = expand(u, &rules, i, err);
    }
    if (rc != TW_OK)
        goto out;
    size_t na = u->n_assign;
    u->assign_central = calloc(na ? na : 1, sizeof *u->assign_central);
    /* probes: the central point, then each setting alone at both ends */
    pa = calloc((1 + 2 * ns) * (na ? na : 1), sizeof *pa);
    probes = calloc(1 + 2 * ns, sizeof *probes);
    if (u->assign_central == NULL || pa == NULL || probes == NULL) {
        rc = tw_error_set(err, TW_EFAIL, "out of memory");
        goto out;
    }
    assignments(u, rules, u->central, u->assign_central);
    if (reps == 0)
        goto out; /* the central point alone (tw_unc_load_central) */
    tw_error e;
    tw_error_clear(&e);
    char line[TW_ERROR_MSG_MAX];
    memcpy(pa, u->assign_central, na * sizeof *pa);
    if (load_at(u, pa, &probes[0], &e) != TW_OK) {
        rc = tw_error_set(err, e.code, "%s: uncertainty: at the central "
                          "values: %s", cfg->unc_where,
                          first_line(&e, line, sizeof line));
        goto out;
    }
    n_probes = 1;
    /* the valid range of each key, as the loader checked it */
    for (size_t k = 0; k < na && probes[0]->draw_range != NULL; k++) {
        if (rules[k].owner == SIZE_MAX)
            continue;
        tw_dist *d = &u->dist[rules[k].owner];
        d->lo = fmax(d->lo, probes[0]->draw_range[2 * k]);
        d->hi = fmin(d->hi, probes[0]->draw_range[2 * k + 1]);
    }
    for (size_t i = 0; i < ns; i++) {
        char why[512];
        if (tw_dist_check(&u->dist[i], why, sizeof why) != 0) {
            tw_error_add(err, TW_EINPUT, "%s: uncertainty: %s: %s",
                         cfg->unc[i].where, cfg->unc[i].key, why);
            rc = TW_EINPUT;
        }
    }
    if (rc != TW_OK)
        goto out;
    for (size_t i = 0; i < ns; i++) {
        double ends[2];
        tw_dist_support(&u->dist[i], &ends[0], &ends[1]);
        if (u->dist[i].integer) {
            ends[0] = round(ends[0]);
            ends[1] = round(ends[1]);
        }
        if (!(ends[0] < ends[1]))
            continue; /* zero width: the central probe covers it */
        for (int j = 0; j < 2; j++) {
            memcpy(v, u->central, ns * sizeof *v);
            v[i] = ends[j];
            double *a = pa + n_probes * na;
            assignments(u, rules, v, a);
            tw_error_clear(&e);
            if (load_at(u, a, &probes[n_probes], &e) != TW_OK) {
                tw_error_add(err, e.code == TW_EFAIL ? TW_EFAIL : TW_EINPUT,
                             "%s: uncertainty: %s: the range's %s end %g is "
                             "not a valid value: %s", cfg->unc[i].where,
                             cfg->unc[i].key, j ? "upper" : "lower", ends[j],
                             first_line(&e, line, sizeof line));
                rc = e.code == TW_EFAIL ? TW_EFAIL : TW_EINPUT;
                break;
            }
            /* against the central probe: the other keys' probes hold
             * this one at its central value, not the config's */
            if (!same_shape(probes[0], probes[n_probes])) {
                tw_config_free(probes[n_probes]);
                probes[n_probes] = NULL;
                tw_error_add(err, TW_EINPUT, "%s: uncertainty: %s changes "
                             "the region's shape (years, counties, schools, "
                             "tiers or subjects): it cannot be uncertain",
                             cfg->unc[i].where, cfg->unc[i].key);
                rc = TW_EINPUT;
                break;
            }
            n_probes++;
        }
    }
    if (rc != TW_OK)
        goto out;

    /* where the values land: slots every probe agrees on */
    const char *slow = NULL;
    for (size_t p = 0; p < n_probes && slow == NULL && rc == TW_OK; p++)
        if (!find_slots(u, probes[p], pa + p * na, &rc, err))
            slow = p == 0 ? cfg->unc[0].key : cfg->unc[(p - 1) / 2].key;
    if (rc != TW_OK)
        goto out;
    for (size_t s = 0; s < u->n_slots && slow == NULL; s++) {
        tw_var_slot *sl = &u->slots[s];
        bool found = false;
        for (size_t k = 0; k < na && !found; k++) {
            if (sl->type != TW_PT_F64 && !u->assign_int[k])
                continue;
            bool all = true;
            for (size_t p = 0; p < n_probes && all; p++) {
                tw_param_block pb[TW_N_PBLOCKS];
                tw_param_blocks(probes[p], probes[p]->world, pb);
                all = holds(pb[sl->block].p, sl->offset, sl->type,
                            pa[p * na + k]);
            }
            if (all) {
                sl->assign = (uint32_t)k;
                found = true;
            }
        }
        if (!found)
            slow = "(a value no single setting explains)";
    }
    tw_param_block bb[TW_N_PBLOCKS];
    tw_param_blocks(cfg, cfg->world, bb);
    for (int b = 0; b < TW_N_PBLOCKS; b++)
        if (bb[b].size > 0 && (scratch[b] = malloc(bb[b].size)) == NULL) {
            rc = tw_error_set(err, TW_EFAIL, "out of memory");
            goto out;
        }
    for (size_t p = 0; p < n_probes && slow == NULL; p++)
        if (!reproduces(u, probes[p], pa + p * na, scratch))
            slow = p == 0 ? cfg->unc[0].key : cfg->unc[(p - 1) / 2].key;
    /* a check of the slots (tests/uncertainty_test.sh): load every point
     * whole, which must give the same file bitwise */
    const char *whole = getenv("TWSIM_UNC_WHOLE");
    if (slow == NULL && whole != NULL && strcmp(whole, "1") == 0)
        slow = "(TWSIM_UNC_WHOLE=1)";
    u->slow_key = slow;

    /* the points */
    u->u = malloc((u->n_points * ns > 0 ? u->n_points * ns : 1) * sizeof *u->u);
    u->values = malloc((u->n_points * ns > 0 ? u->n_points * ns : 1) *
                       sizeof *u->values);
    u->assign = malloc((u->n_points * na > 0 ? u->n_points * na : 1) *
                       sizeof *u->assign);
    if (u->u == NULL || u->values == NULL || u->assign == NULL) {
        rc = tw_error_set(err, TW_EFAIL, "out of memory for %zu parameter "
                          "points", u->n_points);
        goto out;
    }
    rc = tw_design_unit((tw_design_kind)cfg->unc_design, u->n_points, ns,
                        cfg->seed, u->u, err);
    if (rc != TW_OK) {
        if (err) {
            /* err->msg is an argument: format from a copy */
            char why[sizeof err->msg];
            snprintf(why, sizeof why, "%s", err->msg);
            tw_error_set(err, rc, "%s: uncertainty: %s", cfg->unc_where,
                         why);
        }
        goto out;
    }
    for (size_t j = 0; j < u->n_points; j++) {
        for (size_t i = 0; i < ns; i++)
            u->values[j * ns + i] = tw_dist_quantile(&u->dist[i],
                                                     u->u[j * ns + i]);
        assignments(u, rules, u->values + j * ns, u->assign + j * na);
    }
    u->var = (tw_variation){.per_point = u->per_point,
                            .n_points = u->n_points,
                            .n_assign = na,
                            .assign = u->assign,
                            .n_slots = u->n_slots,
                            .slots = u->slots};
    if (slow != NULL) {
        if (pthread_mutex_init(&u->lock, NULL) != 0) {
            rc = tw_error_set(err, TW_EFAIL, "cannot make a lock");
            goto out;
        }
        u->have_lock = 1;
        u->var.rebuild = rebuild;
        u->var.ctx = u;
    }
out:
    for (size_t p = 0; p < n_probes; p++)
        tw_config_free(probes[p]);
    for (size_t k = 0; rules != NULL && k < u->n_assign; k++)
        free(rules[k].c);
    for (int b = 0; b < TW_N_PBLOCKS; b++)
        free(scratch[b]);
    TW_FREE(probes, pa, v, rules);
    return rc;
}

void tw_unc_free(tw_unc *u)
{
    if (u == NULL)
        return;
    for (size_t k = 0; k < u->n_assign; k++)
        free(u->assign_key[k]);
    for (size_t i = 0; i < sizeof u->cache / sizeof u->cache[0]; i++)
        tw_config_free(u->cache[i]);
    if (u->have_lock)
        pthread_mutex_destroy(&u->lock);
    TW_FREE(u->dist, u->central, u->u, u->values, u->assign_key,
            u->assign_int, u->assign, u->assign_central, u->slots);
    memset(u, 0, sizeof *u);
}

/* ------------------------------------------------------------------ */
/* What the verdicts rest on                                           */
/* ------------------------------------------------------------------ */

const char *tw_unc_verdict(double p, double c)
{
    tw_target_result r = {.p_met = p};
    return tw_target_verdict(&r, c);
}

/* The settings that flip a verdict, as text: the largest first-order
 * shares that are clear (at most three); "" when none is, since then
 * the band of P(met | point) is no more than noise. */
static void depends_text(const tw_unc *u, const double *first,
                         const double *se, char *buf, size_t cap)
{
    size_t used = (size_t)snprintf(buf, cap, "depends on assumptions:");
    bool taken[4096] = {false};
    size_t named = 0;
    for (size_t k = 0; k < 3 && k < u->n_set; k++) {
        size_t best = SIZE_MAX;
        for (size_t i = 0; i < u->n_set && i < 4096; i++)
            if (!taken[i] && tw_sens_clear(first[i], se[i]) &&
                (best == SIZE_MAX || first[i] > first[best]))
                best = i;
        if (best == SIZE_MAX)
            break;
        taken[best] = true;
        if (used < cap)
            used += (size_t)snprintf(buf + used, cap - used, "%s %s (%.0f%%)",
                                     named++ ? "," : "",
                                     u->cfg->unc[best].key,
                                     100 * first[best]);
    }
    if (named == 0)
        buf[0] = '\0';
}

int tw_unc_write(const tw_unc *u, const tw_target *t, size_t nt,
                 const double *tq, const unsigned char *tmet,
                 const tw_target_result *tres,
                 const tw_target_result *central, size_t central_reps,
                 tw_h5_out *h, tw_error *err)
{
    size_t ns = u->n_set, pp = u->per_point;
    size_t reps = u->n_points * pp, nr = u->cfg->replicates;
    size_t full = nr / pp; /* points with all their replicates */
    size_t n1 = nt ? nt : 1, ns1 = ns ? ns : 1;
    double *col = calloc(14 * n1, sizeof *col);
    double *first = calloc(n1 * ns1, sizeof *first);
    double *first_se = calloc(n1 * ns1, sizeof *first_se);
    double *y = malloc((nr ? nr : 1) * sizeof *y);
    unsigned char *met = malloc(nr ? nr : 1);
    double *params = malloc(3 * ns1 * sizeof *params);
    double *lo = malloc(ns1 * sizeof *lo), *hi = malloc(ns1 * sizeof *hi);
    const char **targets = calloc(n1, sizeof *targets);
    char **depends = calloc(n1, sizeof *depends);
    const char **keys = calloc(ns1, sizeof *keys);
    const char **dists = calloc(ns1, sizeof *dists);
    const char **whys = calloc(ns1, sizeof *whys);
    const char **wheres = calloc(ns1, sizeof *wheres);
    int rc = TW_OK;
    (void)reps;
    if (col == NULL || first == NULL || first_se == NULL || y == NULL ||
        met == NULL || params == NULL || lo == NULL || hi == NULL ||
        targets == NULL || depends == NULL || keys == NULL ||
        dists == NULL || whys == NULL || wheres == NULL) {
        rc = tw_error_set(err, TW_EFAIL, "out of memory for the "
                          "sensitivity");
        goto out;
    }
    double *p_met = col, *p_lo = col + n1, *p_hi = col + 2 * n1,
           *c_met = col + 3 * n1, *c_lo = col + 4 * n1, *c_hi = col + 5 * n1,
           *p10 = col + 6 * n1, *p50 = col + 7 * n1, *p90 = col + 8 * n1,
           *var_y = col + 9 * n1, *rnd = col + 10 * n1;
    for (size_t i = 0; i < ns; i++) {
        const tw_uncertain *s = &u->cfg->unc[i];
        keys[i] = s->key;
        dists[i] = tw_unc_dist_names[s->dist];
        whys[i] = s->why;
        wheres[i] = s->where;
        int arity = s->dist == 1 ? 3 : 2;
        for (int k = 0; k < 3; k++)
            params[3 * i + k] = k < arity ? s->p[k] : NAN;
        tw_dist_support(&u->dist[i], &lo[i], &hi[i]);
    }
    for (size_t k = 0; k < nt; k++) {
        targets[k] = t[k].name;
        p_met[k] = tres[k].p_met;
        p_lo[k] = tres[k].p_lo;
        p_hi[k] = tres[k].p_hi;
        c_met[k] = central ? central[k].p_met : NAN;
        c_lo[k] = central ? central[k].p_lo : NAN;
        c_hi[k] = central ? central[k].p_hi : NAN;
        for (size_t r = 0; r < full * pp; r++) {
            y[r] = tq[r * nt + k];
            met[r] = tmet[r * nt + k];
        }
        tw_sens sv = {.first = first + k * ns, .first_se = first_se + k * ns};
        rc = tw_sens_compute(full, pp, ns, u->u, y, met, u->cfg->seed, &sv,
                             err);
        if (rc != TW_OK)
            goto out;
        p10[k] = sv.p_cond_p10;
        p50[k] = sv.p_cond_p50;
        p90[k] = sv.p_cond_p90;
        var_y[k] = sv.var_y;
        rnd[k] = sv.random_share;
        char text[1024] = "";
        if (isfinite(p10[k]) && isfinite(p90[k]) &&
            strcmp(tw_unc_verdict(p10[k], 0.9),
                   tw_unc_verdict(p90[k], 0.9)) != 0)
        {
            depends_text(u, first + k * ns, first_se + k * ns, text,
                         sizeof text);
            /* no share stands out, but the ranges move P(met) beyond
             * its Monte Carlo interval: still a verdict that rests on
             * them */
            if (text[0] == '\0' && central != NULL &&
                (central[k].p_lo > tres[k].p_hi ||
                 central[k].p_hi < tres[k].p_lo))
                snprintf(text, sizeof text, "depends on assumptions: no one "
                         "setting stands out (their interactions, or too "
                         "few points to tell: run more replicates)");
        }
        if ((depends[k] = strdup(text)) == NULL) {
            rc = tw_error_set(err, TW_EFAIL, "out of memory");
            goto out;
        }
    }
    tw_h5_unc hu = {
        .n_set = ns, .n_points = u->n_points, .per_point = pp, .n_reps = nr,
        .design = tw_design_names[u->cfg->unc_design],
        .keys = keys, .dists = dists, .whys = whys, .wheres = wheres,
        .params = params, .central = u->central, .lo = lo, .hi = hi,
        .values = u->values, .slow_key = u->slow_key, .nt = nt,
        .targets = targets, .p_met = p_met, .p_lo = p_lo, .p_hi = p_hi,
        .c_met = central ? c_met : NULL, .c_lo = c_lo, .c_hi = c_hi,
        .central_reps = central_reps, .p10 = p10, .p50 = p50, .p90 = p90,
        .var_y = var_y, .random_share = rnd, .first = first,
        .first_se = first_se, .depends = (const char *const *)depends};
    rc = tw_h5_write_unc(h, &hu, err);
out:
    tw_strings_free(depends, depends ? nt : 0);
    TW_FREE(col, first, first_se, y, met, params, lo, hi, targets, keys,
            dists, whys, wheres);
    return rc;
}
