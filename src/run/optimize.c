/*
 * optimize.c - lever evaluations, the bracketing search for the smallest
 * lever value that meets targets, and the experiment table file
 * (tw_experiment.h, docs/experiments.md).
 */
#include "tw_experiment.h"
#include "tw_mem.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gsl/gsl_cdf.h>
#include <hdf5.h>

#include "tw_config.h"
#include "tw_h5util.h"
#include "tw_run.h"

void tw_eval_free(tw_eval *e)
{
    if (e == NULL)
        return;
    TW_FREE(e->p_met, e->p_lo, e->p_hi, e->mean, e->met, e->values);
    e->p_met = e->p_lo = e->p_hi = e->mean = e->values = NULL;
    e->met = NULL;
}

void tw_search_free(tw_search *s, size_t n_targets)
{
    (void)n_targets;
    for (size_t i = 0; s->evals && i < s->n_evals; i++)
        tw_eval_free(&s->evals[i]);
    free(s->evals);
    memset(s, 0, sizeof *s);
}

/* "key=value", the value written as a whole number when it is one (so an
 * integer key accepts it). */
static void format_set(char *buf, size_t cap, const char *key, double v)
{
    if (v == floor(v) && fabs(v) < 1e15)
        snprintf(buf, cap, "%s=%lld", key, (long long)v);
    else
        snprintf(buf, cap, "%s=%.10g", key, v);
}

void tw_lever_scratch_clear(const tw_lever_ctx *ctx)
{
    static const char *const names[] = {"eval.h5", "eval.h5.partial",
                                        "eval.h5.partial.tmp",
                                        "eval.h5.lock"};
    char path[1024];
    if (ctx->tmp_dir == NULL || ctx->keep_scratch)
        return;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", ctx->tmp_dir, names[i]);
        unlink(path);
    }
}

/* The config with lever = value (and lever2 = value2) on top of the
 * context's overrides, as every evaluation loads it. */
static int lever_config(const tw_lever_ctx *ctx, double value, double value2,
                        tw_config **cfg, tw_error *err)
{
    const char **sets = calloc(ctx->n_sets + 3 + ctx->n_levers,
                               sizeof *sets);
    char lever[256], lever2[256], reps[64];
    char (*many)[256] = ctx->n_levers ? calloc(ctx->n_levers, sizeof *many)
                                      : NULL;
    *cfg = NULL;
    if (sets == NULL || (ctx->n_levers && many == NULL)) {
        free(sets);
        free(many);
        return tw_error_set(err, TW_EFAIL, "out of memory");
    }
    for (size_t i = 0; i < ctx->n_sets; i++)
        sets[i] = ctx->sets[i];
    size_t n = ctx->n_sets;
    for (size_t j = 0; j < ctx->n_levers; j++) {
        format_set(many[j], sizeof many[j], ctx->levers[j], ctx->values[j]);
        sets[n++] = many[j];
    }
    if (ctx->n_levers == 0) {
        format_set(lever, sizeof lever, ctx->lever, value);
        sets[n++] = lever;
    }
    if (ctx->n_levers == 0 && ctx->lever2 != NULL) {
        format_set(lever2, sizeof lever2, ctx->lever2, value2);
        sets[n++] = lever2;
    }
    if (ctx->reps > 0) {
        snprintf(reps, sizeof reps, "simulation.replicates=%zu", ctx->reps);
        sets[n++] = reps;
    }
    int rc = tw_config_load(ctx->config, sets, n, cfg, err);
    free(sets);
    free(many);
    return rc;
}

int tw_lever_check(const tw_lever_ctx *ctx, double value, double value2,
                   tw_error *err)
{
    tw_config *cfg = NULL;
    int rc = lever_config(ctx, value, value2, &cfg, err);
    tw_config_free(cfg);
    return rc;
}

/* The Wilson score interval of level `level` for k successes in n
 * trials: honest at k = 0 and k = n, where the standard error is 0. */
static void wilson(size_t k, size_t n, double level, double *lo, double *hi)
{
    if (n == 0) {
        *lo = 0;
        *hi = 1;
        return;
    }
    double z = gsl_cdf_ugaussian_Pinv(0.5 + level / 2);
    double nn = (double)n, p = (double)k / nn, z2 = z * z;
    double c = (p + z2 / (2 * nn)) / (1 + z2 / nn);
    double h = z * sqrt(p * (1 - p) / nn + z2 / (4 * nn * nn)) /
               (1 + z2 / nn);
    /* exact at the ends, and never excluding the estimate itself
     * (rounding could put c - h a hair above 0 when k = 0) */
    *lo = k == 0 ? 0 : fmin(p, fmax(0, c - h));
    *hi = k == n ? 1 : fmax(p, fmin(1, c + h));
}

int tw_lever_eval(tw_lever_ctx *ctx, double value, tw_eval *out,
                  tw_error *err)
{
    memset(out, 0, sizeof *out);
    out->value = value;
    out->value2 = ctx->value2;
    char path[1024];
    tw_config *cfg = NULL;
    tw_h5_data *d = NULL;
    unsigned char *met = NULL;
    tw_target_result *res = NULL;
    int rc = lever_config(ctx, value, ctx->value2, &cfg, err);
    if (ctx->agree != NULL)
        rc = ctx->agree(rc, err); /* before a collective run */
    if (rc != TW_OK)
        goto out;
    snprintf(path, sizeof path, "%s/eval.h5", ctx->tmp_dir);
    tw_run_opts o = {.out_path = path, .scenario = 0, .progress = NULL,
                     .stop = ctx->stop, .force = 1,
                     .threads = ctx->threads};
    rc = ctx->run ? ctx->run(cfg, &o, NULL, err) : tw_run(cfg, &o, NULL, err);
    if (rc == TW_OK)
        rc = tw_h5_read(path, &d, err);
    if (rc != TW_OK)
        goto out;

    /* the named targets (all of them when none are named) */
    if (ctx->targets == NULL) {
        ctx->n_targets = d->n_targets;
        ctx->targets = calloc(d->n_targets ? d->n_targets : 1,
                              sizeof *ctx->targets);
        for (size_t i = 0; ctx->targets && i < d->n_targets; i++)
            ctx->targets[i] = strdup(d->targets[i].name);
    }
    size_t nt = ctx->n_targets, R = d->n_reps;
    tw_target *sel = calloc(nt ? nt : 1, sizeof *sel);
    met = malloc(R * nt > 0 ? R * nt : 1);
    res = calloc(nt ? nt : 1, sizeof *res);
    out->p_met = calloc(nt ? nt : 1, sizeof *out->p_met);
    out->p_lo = calloc(nt ? nt : 1, sizeof *out->p_lo);
    out->p_hi = calloc(nt ? nt : 1, sizeof *out->p_hi);
    out->mean = calloc(nt ? nt : 1, sizeof *out->mean);
    if (!ctx->targets || !sel || !met || !res ||
        !out->p_met || !out->p_lo || !out->p_hi || !out->mean) {
        free(sel);
        rc = tw_error_set(err, TW_EFAIL, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < nt; i++) {
        size_t k = 0;
        while (k < d->n_targets && strcmp(d->targets[k].name,
                                          ctx->targets[i]) != 0)
            k++;
        if (k == d->n_targets) {
            free(sel);
            rc = tw_error_set(err, TW_EINPUT, "%s has no target '%s'",
                              ctx->config, ctx->targets[i]);
            goto out;
        }
        sel[i] = d->targets[k];
    }
    rc = tw_file_targets(d, NULL, d->trajectories, R, sel, nt, met, res,
                         NULL, NULL, NULL, err);
    free(sel);
    if (rc != TW_OK)
        goto out;
    size_t all = 0;
    out->ok = 1;
    out->n_reps = R;
    for (size_t i = 0; i < nt; i++) {
        size_t k = 0;
        for (size_t r = 0; r < R; r++)
            k += met[r * nt + i] != 0;
        out->p_met[i] = res[i].p_met;
        out->p_lo[i] = res[i].p_lo; /* the run report's 90% interval */
        out->p_hi[i] = res[i].p_hi;
        out->mean[i] = res[i].mean;
        if (ctx->level > 0 && ctx->level != 0.9)
            wilson(k, R, ctx->level, &out->p_lo[i], &out->p_hi[i]);
        if (res[i].p_met < ctx->prob)
            out->ok = 0;
    }
    for (size_t r = 0; r < R; r++) {
        int every = 1;
        for (size_t i = 0; i < nt; i++)
            every &= met[r * nt + i];
        all += (size_t)every;
    }
    out->p_all = R ? (double)all / (double)R : 0;
    if (ctx->log != NULL) {
        if (ctx->n_levers == 0)
            fprintf(ctx->log, "  %s = %-10g", ctx->lever, value);
        else
            fprintf(ctx->log, " ");
        for (size_t j = 0; j < ctx->n_levers; j++)
            fprintf(ctx->log, " %s = %-6g", ctx->levers[j], ctx->values[j]);
        if (ctx->lever2 && ctx->n_levers == 0)
            fprintf(ctx->log, " %s = %-10g", ctx->lever2, ctx->value2);
        for (size_t i = 0; i < nt; i++)
            fprintf(ctx->log, " %s %.3f", ctx->targets[i], out->p_met[i]);
        fprintf(ctx->log, "  -> %s", out->ok ? "meets" : "falls short");
        if (ctx->reps > 0)
            fprintf(ctx->log, " (%zu replicates)", R);
        fprintf(ctx->log, "\n");
        fflush(ctx->log);
    }
    out->met = met; /* kept for paired checks */
    met = NULL;
out:
    /* every process is done with the file (and agrees on how it went)
     * before the file goes */
    if (ctx->agree != NULL)
        rc = ctx->agree(rc, err);
    /* after the targets: a county target reads the file's county rows */
    tw_lever_scratch_clear(ctx);
    free(met);
    free(res);
    tw_h5_data_free(d);
    tw_config_free(cfg);
    if (rc != TW_OK)
        tw_eval_free(out);
    return rc;
}

const char *const tw_opt_decision_names[TW_N_OPT_DECISIONS] = {
    "none", "separated", "below undecided", "undecided",
};

/*
 * The search's state. Grid point k is the value lo + k step; each point
 * evaluated so far has its last evaluation (the one with the most
 * replicates) in last[]:
 *
 *   k:      0 ...  bad   good ... n
 *   estim.:  short  short meets     (estimates at their own replicates)
 */
typedef struct search_state {
    tw_lever_ctx *ctx;
    double lo, step;
    tw_search *out;
    long *k;        /* [n_pts] grid points evaluated */
    size_t *last;   /* [n_pts] index into out->evals of k's last one */
    size_t n_pts;
} search_state;

/* The position of grid point k in st->k, or -1. */
static long pt_find(const search_state *st, long k)
{
    for (size_t i = 0; i < st->n_pts; i++)
        if (st->k[i] == k)
            return (long)i;
    return -1;
}

static const tw_eval *pt_eval(const search_state *st, long k)
{
    long i = pt_find(st, k);
    return i < 0 ? NULL : &st->out->evals[st->last[i]];
}

/* Evaluate grid point k with `reps` replicates, appending to out->evals;
 * *ok: every estimate meets P. */
static int eval_at(search_state *st, long k, size_t reps, int *ok,
                   tw_error *err)
{
    tw_search *out = st->out;
    tw_eval *e = realloc(out->evals, (out->n_evals + 1) * sizeof *e);
    if (e == NULL)
        return tw_error_set(err, TW_EFAIL, "out of memory");
    out->evals = e;
    long i = pt_find(st, k);
    int added = i < 0;   /* a new grid point: dropped again on failure */
    if (i < 0) {
        long *nk = realloc(st->k, (st->n_pts + 1) * sizeof *nk);
        if (nk != NULL)
            st->k = nk;
        size_t *nl = realloc(st->last, (st->n_pts + 1) * sizeof *nl);
        if (nl != NULL)
            st->last = nl;
        if (nk == NULL || nl == NULL)
            return tw_error_set(err, TW_EFAIL, "out of memory");
        i = (long)st->n_pts++;
        st->k[i] = k;
    }
    st->ctx->reps = reps;
    int rc = tw_lever_eval(st->ctx, st->lo + (double)k * st->step,
                           &out->evals[out->n_evals], err);
    if (rc != TW_OK) {
        /* st->last[i] of a new point was never set: it must not stay */
        if (added)
            st->n_pts--;
        return rc;
    }
    st->last[i] = out->n_evals;
    *ok = out->evals[out->n_evals].ok;
    out->n_evals++;
    return TW_OK;
}

/* Every target's interval lies above P. */
static int clears(const tw_eval *e, size_t nt, double p)
{
    for (size_t i = 0; i < nt; i++)
        if (!(e->p_lo[i] >= p))
            return 0;
    return 1;
}

/* Some target's interval lies below P: the value is shown to fall short. */
static int short_of(const tw_eval *e, size_t nt, double p)
{
    for (size_t i = 0; i < nt; i++)
        if (e->p_hi[i] < p)
            return 1;
    return 0;
}

/* The bracket from the last evaluations: good = the smallest point whose
 * estimate meets (-1: none), bad = the largest point below it whose
 * estimate falls short (-1: none, good is LO or nothing below it was
 * evaluated). */
static void bracket(const search_state *st, long *good, long *bad)
{
    *good = *bad = -1;
    for (size_t i = 0; i < st->n_pts; i++)
        if (st->out->evals[st->last[i]].ok && (*good < 0 || st->k[i] < *good))
            *good = st->k[i];
    for (size_t i = 0; *good >= 0 && i < st->n_pts; i++)
        if (!st->out->evals[st->last[i]].ok && st->k[i] < *good &&
            st->k[i] > *bad)
            *bad = st->k[i];
}

int tw_optimize(tw_lever_ctx *ctx, double lo, double hi, double step,
                size_t max_reps, tw_search *out, tw_error *err)
{
    memset(out, 0, sizeof *out);
    out->answer = out->below = -1;
    out->decision = TW_OPT_NONE;
    out->max_reps = max_reps;
    if (!(step > 0) || !(hi >= lo))
        return tw_error_set(err, TW_EINPUT, "the range %g:%g with step %g "
                            "is empty; give LO:HI with LO <= HI and a step "
                            "> 0", lo, hi, step);
    if (ctx->reps == 0 || max_reps < ctx->reps)
        return tw_error_set(err, TW_EINPUT, "the budget of %zu replicates "
                            "per value is below the %zu of the first "
                            "evaluation", max_reps, ctx->reps);
    search_state st = {.ctx = ctx, .lo = lo, .step = step, .out = out};
    size_t nt = 0, R = ctx->reps, R0 = ctx->reps;
    long n = (long)floor((hi - lo) / step + 1e-9), good, bad;
    int ok = 0, rc;
    double P = ctx->prob;
    /* 1. hi first: if the most generous value fails, nothing in range does */
    if ((rc = eval_at(&st, n, R, &ok, err)) != TW_OK)
        goto out;
    nt = ctx->n_targets;
    if (!ok)
        goto out;
    if (n > 0 && (rc = eval_at(&st, 0, R, &ok, err)) != TW_OK)
        goto out;
    for (;;) {
        /* bisect the bracket down to two neighbours */
        bracket(&st, &good, &bad);
        while (good >= 0 && bad >= 0 && good - bad > 1) {
            long mid = bad + (good - bad) / 2;
            if ((rc = eval_at(&st, mid, R, &ok, err)) != TW_OK)
                goto out;
            bracket(&st, &good, &bad);
        }
        if (good < 0)
            goto out; /* with more replicates, nothing meets any more */
        /* 2. more replicates where the intervals do not decide */
        const tw_eval *g = pt_eval(&st, good);
        const tw_eval *b = bad >= 0 ? pt_eval(&st, bad) : NULL;
        int g_done = clears(g, nt, P);
        int b_done = b == NULL || short_of(b, nt, P);
        if (g_done && b_done) {
            out->decision = TW_OPT_SEPARATED;
            break;
        }
        if (R >= max_reps)
            break;
        R = R * 2 < max_reps ? R * 2 : max_reps;
        if (!g_done && (rc = eval_at(&st, good, R, &ok, err)) != TW_OK)
            goto out;
        if (!b_done && (rc = eval_at(&st, bad, R, &ok, err)) != TW_OK)
            goto out;
    }
    if (out->decision != TW_OPT_SEPARATED) {
        /* 3. the budget is spent. If the bracket's upper point does not
         * clear P, the smallest point above it that does (at max_reps)
         * is the answer: bisect on "clears" between them. */
        long lo3 = good, hi3 = -1;
        if (clears(pt_eval(&st, good), nt, P)) {
            hi3 = good;
        } else {
            for (size_t i = 0; i < st.n_pts; i++)
                if (st.k[i] > good &&
                    clears(&out->evals[st.last[i]], nt, P) &&
                    (hi3 < 0 || st.k[i] < hi3))
                    hi3 = st.k[i];
            if (hi3 < 0 && pt_eval(&st, n)->n_reps < max_reps && n > good) {
                if ((rc = eval_at(&st, n, max_reps, &ok, err)) != TW_OK)
                    goto out;
                if (clears(pt_eval(&st, n), nt, P))
                    hi3 = n;
            }
            while (hi3 >= 0 && hi3 - lo3 > 1) {
                long mid = lo3 + (hi3 - lo3) / 2;
                const tw_eval *m = pt_eval(&st, mid);
                if (m == NULL || m->n_reps < max_reps) {
                    if ((rc = eval_at(&st, mid, max_reps, &ok, err)) != TW_OK)
                        goto out;
                    m = pt_eval(&st, mid);
                }
                if (clears(m, nt, P))
                    hi3 = mid;
                else
                    lo3 = mid;
            }
        }
        if (hi3 < 0) {
            out->decision = TW_OPT_UNDECIDED;
        } else {
            if (hi3 != good) {
                good = hi3;
                bad = lo3; /* the neighbour below, evaluated */
            }
            out->decision = bad >= 0 && !short_of(pt_eval(&st, bad), nt, P)
                                ? TW_OPT_BELOW_UNDECIDED : TW_OPT_SEPARATED;
        }
    }
    out->answer = (long)st.last[pt_find(&st, good)];
    out->below = bad >= 0 ? (long)st.last[pt_find(&st, bad)] : -1;
out:
    ctx->reps = R0;
    free(st.k);
    free(st.last);
    return rc;
}

size_t tw_search_monotone(const tw_lever_ctx *ctx, const tw_search *s,
                          FILE *f)
{
    size_t nt = ctx->n_targets, warned = 0;
    /* the last evaluation of each value, in order of value */
    size_t *ord = malloc((s->n_evals ? s->n_evals : 1) * sizeof *ord), m = 0;
    if (ord == NULL)
        return 0;
    for (size_t e = 0; e < s->n_evals; e++) {
        size_t j = 0;
        while (j < m && s->evals[ord[j]].value != s->evals[e].value)
            j++;
        if (j == m)
            ord[m++] = e;
        else if (s->evals[e].n_reps >= s->evals[ord[j]].n_reps)
            ord[j] = e;
    }
    for (size_t a = 1; a < m; a++) /* insertion sort by value */
        for (size_t j = a; j > 0 && s->evals[ord[j - 1]].value >
                                    s->evals[ord[j]].value; j--) {
            size_t t = ord[j];
            ord[j] = ord[j - 1];
            ord[j - 1] = t;
        }
    for (size_t j = 1; j < m; j++) {
        const tw_eval *x = &s->evals[ord[j - 1]], *y = &s->evals[ord[j]];
        size_t R = x->n_reps < y->n_reps ? x->n_reps : y->n_reps;
        for (size_t i = 0; i < nt && x->met && y->met; i++) {
            size_t lost = 0, gained = 0, mx = 0, my = 0;
            for (size_t r = 0; r < R; r++) {
                int a = x->met[r * nt + i] != 0, b = y->met[r * nt + i] != 0;
                lost += a && !b;
                gained += !a && b;
                mx += (size_t)a;
                my += (size_t)b;
            }
            if (lost > gained &&
                (double)(lost - gained) > 3 * sqrt((double)(lost + gained))) {
                warned++;
                if (f != NULL)
                    fprintf(f, "warning: P(met) of %s falls from %.3f at "
                            "%s = %g to %.3f at %g on the same %zu "
                            "replicates (%zu lose it, %zu gain it): the "
                            "search assumes it does not fall as the lever "
                            "rises, so the answer may not be the smallest "
                            "value that meets\n", ctx->targets[i],
                            (double)mx / (double)R, ctx->lever, x->value,
                            (double)my / (double)R, y->value, R, lost,
                            gained);
            }
        }
    }
    free(ord);
    return warned;
}

/* ------------------------------------------------------------------ */
/* Several levers with costs                                            */
/* ------------------------------------------------------------------ */

void tw_multi_free(tw_multi *m)
{
    for (size_t i = 0; m->evals && i < m->n_evals; i++)
        tw_eval_free(&m->evals[i]);
    free(m->evals);
    free(m->frontier);
    memset(m, 0, sizeof *m);
}

/* The search over several levers: lever j is at grid point x[j], value
 * lv[j].lo + x[j] lv[j].step. */
typedef struct multi_state {
    tw_lever_ctx *ctx;
    const tw_lever_range *lv;
    size_t n;
    tw_multi *out;
    double *vals;  /* [n] scratch: the values being evaluated */
} multi_state;

static double multi_value(const multi_state *st, size_t j, long x)
{
    return st->lv[j].lo + (double)x * st->lv[j].step;
}

/* The last evaluation of combination x with at least `reps` replicates,
 * or -1. */
static long multi_find(const multi_state *st, const long *x, size_t reps)
{
    for (size_t e = st->out->n_evals; e-- > 0;) {
        const tw_eval *ev = &st->out->evals[e];
        size_t j = 0;
        while (j < st->n && ev->values[j] == multi_value(st, j, x[j]))
            j++;
        if (j == st->n && ev->n_reps >= reps)
            return (long)e;
    }
    return -1;
}

/* Evaluate combination x with `reps` replicates (or reuse an evaluation
 * with as many); *at is its index in out->evals. */
static int multi_eval(multi_state *st, const long *x, size_t reps,
                      size_t *at, tw_error *err)
{
    long have = multi_find(st, x, reps);
    if (have >= 0) {
        *at = (size_t)have;
        return TW_OK;
    }
    tw_multi *out = st->out;
    tw_eval *e = realloc(out->evals, (out->n_evals + 1) * sizeof *e);
    if (e == NULL)
        return tw_error_set(err, TW_EFAIL, "out of memory");
    out->evals = e;
    e = &out->evals[out->n_evals];
    for (size_t j = 0; j < st->n; j++)
        st->vals[j] = multi_value(st, j, x[j]);
    st->ctx->values = st->vals;
    st->ctx->reps = reps;
    int rc = tw_lever_eval(st->ctx, st->vals[0], e, err);
    if (rc != TW_OK)
        return rc;
    e->values = malloc(st->n * sizeof *e->values);
    if (e->values == NULL) {
        tw_eval_free(e);
        return tw_error_set(err, TW_EFAIL, "out of memory");
    }
    e->cost = 0;
    for (size_t j = 0; j < st->n; j++) {
        e->values[j] = st->vals[j];
        e->cost += st->lv[j].per_unit * st->vals[j];
    }
    *at = out->n_evals++;
    return TW_OK;
}

int tw_optimize_multi(tw_lever_ctx *ctx, const tw_lever_range *lv, size_t n,
                      size_t max_reps, tw_multi *out, tw_error *err)
{
    memset(out, 0, sizeof *out);
    out->answer = -1;
    out->decision = TW_OPT_NONE;
    out->max_reps = max_reps;
    if (n < 2 || ctx->reps == 0 || max_reps < ctx->reps)
        return tw_error_set(err, TW_EINPUT, "a search over several levers "
                            "needs two or more, and a budget of at least "
                            "the first evaluation's replicates");
    size_t R = ctx->reps, at = 0, nt;
    long *x = calloc(n, sizeof *x), *top = calloc(n, sizeof *top),
         *cur = calloc(n, sizeof *cur);
    size_t *order = calloc(n, sizeof *order);
    double *vals = calloc(n, sizeof *vals);
    multi_state st = {.ctx = ctx, .lv = lv, .n = n, .out = out,
                      .vals = vals};
    const char **keys = calloc(n, sizeof *keys);
    int rc = TW_OK;
    double P = ctx->prob;
    if (!x || !top || !cur || !order || !vals || !keys) {
        rc = tw_error_set(err, TW_EFAIL, "out of memory");
        goto out;
    }
    for (size_t j = 0; j < n; j++) {
        keys[j] = lv[j].key;
        top[j] = (long)floor((lv[j].hi - lv[j].lo) / lv[j].step + 1e-9);
        cur[j] = top[j];
        order[j] = j;
    }
    ctx->levers = keys;
    ctx->n_levers = n;
    /* the levers after the first, the dearest step first */
    for (size_t a = 2; a < n; a++)
        for (size_t j = a; j > 1 && lv[order[j - 1]].per_unit *
                                    lv[order[j - 1]].step <
                                    lv[order[j]].per_unit *
                                    lv[order[j]].step; j--) {
            size_t t = order[j];
            order[j] = order[j - 1];
            order[j - 1] = t;
        }
    /* 1. everything at HI */
    if ((rc = multi_eval(&st, top, R, &at, err)) != TW_OK)
        goto out;
    nt = ctx->n_targets;
    if (!out->evals[at].ok)
        goto out;
    /* 2. the frontier along the first lever */
    for (long i0 = 0; i0 <= top[0]; i0++) {
        memcpy(x, cur, n * sizeof *x);
        x[0] = i0;
        if ((rc = multi_eval(&st, x, R, &at, err)) != TW_OK)
            goto out;
        if (!out->evals[at].ok)
            continue; /* the others at their highest so far do not do */
        int all_low = 1;
        for (size_t oj = 1; oj < n; oj++) {
            size_t j = order[oj];
            long good = x[j], bad = -1;
            while (good - bad > 1) {
                long mid = bad + (good - bad) / 2;
                x[j] = mid;
                if ((rc = multi_eval(&st, x, R, &at, err)) != TW_OK)
                    goto out;
                if (out->evals[at].ok)
                    good = mid;
                else
                    bad = mid;
            }
            x[j] = good;
            cur[j] = good;
            all_low &= good == 0;
        }
        if ((rc = multi_eval(&st, x, R, &at, err)) != TW_OK)
            goto out;
        size_t *f = realloc(out->frontier,
                            (out->n_frontier + 1) * sizeof *f);
        if (f == NULL) {
            rc = tw_error_set(err, TW_EFAIL, "out of memory");
            goto out;
        }
        out->frontier = f;
        f[out->n_frontier++] = at;
        if (all_low)
            break; /* a higher first lever only costs more */
    }
    /* 3. the frontier in order of cost, confirmed with more replicates */
    {
        size_t nf = out->n_frontier, undecided = 0;
        size_t *ord = malloc((nf ? nf : 1) * sizeof *ord);
        if (ord == NULL) {
            rc = tw_error_set(err, TW_EFAIL, "out of memory");
            goto out;
        }
        for (size_t i = 0; i < nf; i++)
            ord[i] = out->frontier[i];
        for (size_t a = 1; a < nf; a++)
            for (size_t j = a; j > 0 && out->evals[ord[j - 1]].cost >
                                        out->evals[ord[j]].cost; j--) {
                size_t t = ord[j];
                ord[j] = ord[j - 1];
                ord[j - 1] = t;
            }
        for (size_t i = 0; i < nf && out->answer < 0; i++) {
            size_t e = ord[i];
            for (size_t j = 0; j < n; j++)
                x[j] = (long)floor((out->evals[e].values[j] - lv[j].lo) /
                                   lv[j].step + 0.5);
            size_t r = out->evals[e].n_reps;
            for (;;) {
                const tw_eval *ev = &out->evals[e];
                if (clears(ev, nt, P)) {
                    out->answer = (long)e;
                    break;
                }
                if (short_of(ev, nt, P))
                    break;
                if (r >= max_reps) {
                    undecided++;
                    break;
                }
                r = r * 2 < max_reps ? r * 2 : max_reps;
                if ((rc = multi_eval(&st, x, r, &e, err)) != TW_OK) {
                    free(ord);
                    goto out;
                }
            }
        }
        free(ord);
        out->decision = out->answer < 0 ? TW_OPT_UNDECIDED
                        : undecided ? TW_OPT_BELOW_UNDECIDED
                                    : TW_OPT_SEPARATED;
    }
out:
    ctx->levers = NULL;
    ctx->n_levers = 0;
    ctx->values = NULL;
    ctx->reps = R;
    free(x);
    free(top);
    free(cur);
    free(order);
    free(vals);
    free(keys);
    return rc;
}

/* ------------------------------------------------------------------ */
/* The experiment table file                                            */
/* ------------------------------------------------------------------ */

static int experiment_write(const tw_output *o, const char *kind,
                            const tw_lever_ctx *ctx, const tw_eval *evals,
                            size_t n, long answer, long below,
                            const tw_search *s, const tw_lever_range *lv,
                            size_t nl, const tw_multi *m, tw_error *err)
{
    size_t nt = ctx->n_targets;
    const char *partial = o->partial;
    size_t wide = nt > nl ? nt : nl;
    double *col = malloc((n * (wide ? wide : 1) + nl + 1) * sizeof *col);
    hid_t f = H5I_INVALID_HID;
    int rc = TW_EFAIL;
    if (col == NULL) {
        tw_error_set(err, TW_EFAIL, "out of memory");
        goto out;
    }
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    if ((f = H5Fcreate(partial, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT)) < 0) {
        tw_error_set(err, TW_EFAIL, "cannot create %s: %s", partial,
                     strerror(errno));
        goto out;
    }
    hsize_t d1[1] = { n }, d2[2] = { n, nt };
    int bad = tw_h5u_str_attr(f, "kind", kind) != 0 ||
              tw_h5u_str_attr(f, "twsim_kind", kind) != 0 ||
              tw_h5u_str_attr(f, "config", ctx->config) != 0 ||
              tw_h5u_str_attr(f, "lever", m ? lv[0].key : ctx->lever) != 0 ||
              tw_h5u_str_attr(f, "lever2", m ? lv[1].key : ctx->lever2) != 0 ||
              tw_h5u_num_attr(f, "prob", ctx->prob) != 0 ||
              tw_h5u_num_attr(f, "answer_index", (double)answer) != 0 ||
              tw_h5u_num_attr(f, "below_index", (double)below) != 0 ||
              tw_h5u_text(f, "targets", nt,
                          (const char *const *)ctx->targets) != 0 ||
              tw_h5u_text(f, "overrides", ctx->n_sets, ctx->sets) != 0;
    for (size_t i = 0; !bad && i < n; i++)
        col[i] = evals[i].value;
    bad = bad || tw_h5u_doubles(f, "value", 1, d1, col) != 0;
    for (size_t i = 0; !bad && i < n; i++)
        col[i] = m ? evals[i].values[1] : evals[i].value2;
    bad = bad || ((ctx->lever2 != NULL || m != NULL) &&
                  tw_h5u_doubles(f, "value2", 1, d1, col) != 0);
    static const char *const names[4] = { "p_met", "p_lo", "p_hi", "mean" };
    for (int k = 0; !bad && k < 4; k++) {
        for (size_t i = 0; i < n; i++)
            for (size_t j = 0; j < nt; j++)
                col[i * nt + j] = k == 0 ? evals[i].p_met[j]
                                  : k == 1 ? evals[i].p_lo[j]
                                  : k == 2 ? evals[i].p_hi[j]
                                           : evals[i].mean[j];
        bad = nt > 0 && tw_h5u_doubles(f, names[k], 2, d2, col) != 0;
    }
    for (size_t i = 0; !bad && i < n; i++)
        col[i] = evals[i].p_all;
    bad = bad || tw_h5u_doubles(f, "p_all", 1, d1, col) != 0;
    for (size_t i = 0; !bad && i < n; i++)
        col[i] = evals[i].ok;
    bad = bad || tw_h5u_doubles(f, "meets", 1, d1, col) != 0;
    for (size_t i = 0; !bad && i < n; i++)
        col[i] = (double)evals[i].n_reps;
    bad = bad || tw_h5u_doubles(f, "replicates", 1, d1, col) != 0;
    if (!bad && s != NULL)
        bad = tw_h5u_str_attr(f, "decision",
                              tw_opt_decision_names[s->decision]) != 0 ||
              tw_h5u_num_attr(f, "max_replicates",
                              (double)s->max_reps) != 0 ||
              tw_h5u_num_attr(f, "interval_level",
                              ctx->level > 0 ? ctx->level : 0.9) != 0;
    if (!bad && m != NULL) {
        hsize_t dv[2] = { n, nl }, dl[1] = { nl }, df[1] = { m->n_frontier };
        const char **keys = malloc(nl * sizeof *keys);
        bad = keys == NULL ||
              tw_h5u_str_attr(f, "decision",
                              tw_opt_decision_names[m->decision]) != 0 ||
              tw_h5u_num_attr(f, "max_replicates",
                              (double)m->max_reps) != 0 ||
              tw_h5u_num_attr(f, "interval_level",
                              ctx->level > 0 ? ctx->level : 0.9) != 0;
        for (size_t j = 0; !bad && j < nl; j++)
            keys[j] = lv[j].key;
        bad = bad || tw_h5u_text(f, "levers", nl, keys) != 0;
        free(keys);
        for (size_t i = 0; !bad && i < n; i++)
            for (size_t j = 0; j < nl; j++)
                col[i * nl + j] = evals[i].values[j];
        bad = bad || tw_h5u_doubles(f, "values", 2, dv, col) != 0;
        for (size_t i = 0; !bad && i < n; i++)
            col[i] = evals[i].cost;
        bad = bad || tw_h5u_doubles(f, "cost", 1, d1, col) != 0;
        for (size_t j = 0; !bad && j < nl; j++)
            col[j] = lv[j].per_unit;
        bad = bad || tw_h5u_doubles(f, "per_unit", 1, dl, col) != 0;
        for (size_t i = 0; !bad && i < m->n_frontier; i++)
            col[i] = (double)m->frontier[i];
        bad = bad || (m->n_frontier > 0 &&
                      tw_h5u_doubles(f, "frontier", 1, df, col) != 0);
    }
    if (bad) {
        tw_error_set(err, TW_EFAIL, "cannot write the evaluations to %s",
                     partial);
        goto out;
    }
    (void)tw_h5_label(f);   /* an aid to readers (tw_h5.h) */
    rc = tw_output_h5_close(f, partial, err);
    f = H5I_INVALID_HID;
out:
    if (f >= 0)
        H5Fclose(f);
    free(col);
    return rc;
}

int tw_experiment_write(const tw_output *o, const char *kind,
                        const tw_lever_ctx *ctx, const tw_eval *evals,
                        size_t n, long answer, long below, tw_error *err)
{
    return experiment_write(o, kind, ctx, evals, n, answer, below, NULL,
                            NULL, 0, NULL, err);
}

int tw_experiment_write_search(const tw_output *o, const tw_lever_ctx *ctx,
                               const tw_search *s, tw_error *err)
{
    return experiment_write(o, "optimize", ctx, s->evals, s->n_evals,
                            s->answer, s->below, s, NULL, 0, NULL, err);
}

int tw_experiment_write_multi(const tw_output *o, const tw_lever_ctx *ctx,
                              const tw_lever_range *lv, size_t n,
                              const tw_multi *m, tw_error *err)
{
    return experiment_write(o, "optimize", ctx, m->evals, m->n_evals,
                            m->answer, -1, NULL, lv, n, m, err);
}
