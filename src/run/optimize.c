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

#include <hdf5.h>

#include "tw_config.h"
#include "tw_h5util.h"
#include "tw_run.h"

void tw_eval_free(tw_eval *e)
{
    if (e == NULL)
        return;
    TW_FREE(e->p_met, e->p_lo, e->p_hi, e->mean);
    e->p_met = e->p_lo = e->p_hi = e->mean = NULL;
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
    if (ctx->tmp_dir == NULL)
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
    const char **sets = calloc(ctx->n_sets + 2, sizeof *sets);
    char lever[256], lever2[256];
    *cfg = NULL;
    if (sets == NULL)
        return tw_error_set(err, TW_EFAIL, "out of memory");
    for (size_t i = 0; i < ctx->n_sets; i++)
        sets[i] = ctx->sets[i];
    size_t n = ctx->n_sets;
    format_set(lever, sizeof lever, ctx->lever, value);
    sets[n++] = lever;
    if (ctx->lever2 != NULL) {
        format_set(lever2, sizeof lever2, ctx->lever2, value2);
        sets[n++] = lever2;
    }
    int rc = tw_config_load(ctx->config, sets, n, cfg, err);
    free(sets);
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
    if (rc != TW_OK)
        goto out;
    snprintf(path, sizeof path, "%s/eval.h5", ctx->tmp_dir);
    tw_run_opts o = {.out_path = path, .scenario = 0, .progress = NULL,
                     .stop = ctx->stop, .force = 1,
                     .threads = ctx->threads};
    rc = tw_run(cfg, &o, NULL, err);
    if (rc == TW_OK)
        rc = tw_h5_read(path, &d, err);
    tw_lever_scratch_clear(ctx);
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
    rc = tw_targets_on_run(sel, nt, (const char *const *)d->metric_names,
                           d->n_metrics, NULL, 0, d->years, d->n_years,
                           d->trajectories, R, met, res, NULL, err);
    free(sel);
    if (rc != TW_OK)
        goto out;
    size_t all = 0;
    out->ok = 1;
    for (size_t i = 0; i < nt; i++) {
        out->p_met[i] = res[i].p_met;
        out->p_lo[i] = res[i].p_lo;
        out->p_hi[i] = res[i].p_hi;
        out->mean[i] = res[i].mean;
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
        fprintf(ctx->log, "  %s = %-10g", ctx->lever, value);
        if (ctx->lever2)
            fprintf(ctx->log, " %s = %-10g", ctx->lever2, ctx->value2);
        for (size_t i = 0; i < nt; i++)
            fprintf(ctx->log, " %s %.3f", ctx->targets[i], out->p_met[i]);
        fprintf(ctx->log, "  -> %s\n", out->ok ? "meets" : "falls short");
        fflush(ctx->log);
    }
out:
    free(met);
    free(res);
    tw_h5_data_free(d);
    tw_config_free(cfg);
    if (rc != TW_OK)
        tw_eval_free(out);
    return rc;
}

/* Evaluate grid point k (value lo + k step), appending to out->evals. */
static int eval_at(tw_lever_ctx *ctx, double lo, double step, long k,
                   tw_search *out, int *ok, tw_error *err)
{
    tw_eval *e = realloc(out->evals, (out->n_evals + 1) * sizeof *e);
    if (e == NULL)
        return tw_error_set(err, TW_EFAIL, "out of memory");
    out->evals = e;
    int rc = tw_lever_eval(ctx, lo + (double)k * step,
                           &out->evals[out->n_evals], err);
    if (rc != TW_OK)
        return rc;
    *ok = out->evals[out->n_evals].ok;
    out->n_evals++;
    return TW_OK;
}

int tw_optimize(tw_lever_ctx *ctx, double lo, double hi, double step,
                tw_search *out, tw_error *err)
{
    memset(out, 0, sizeof *out);
    out->answer = out->below = -1;
    if (!(step > 0) || !(hi >= lo))
        return tw_error_set(err, TW_EINPUT, "the range %g:%g with step %g "
                            "is empty; give LO:HI with LO <= HI and a step "
                            "> 0", lo, hi, step);
    long n = (long)floor((hi - lo) / step + 1e-9);
    int ok = 0, rc;
    /* hi first: if the most generous value fails, nothing in range does */
    if ((rc = eval_at(ctx, lo, step, n, out, &ok, err)) != TW_OK)
        return rc;
    if (!ok)
        return TW_OK;
    long good = n, bad = -1;
    size_t good_i = out->n_evals - 1, bad_i = (size_t)-1;
    if (n > 0) {
        if ((rc = eval_at(ctx, lo, step, 0, out, &ok, err)) != TW_OK)
            return rc;
        if (ok) {
            good = 0;
            good_i = out->n_evals - 1;
        } else {
            bad = 0;
            bad_i = out->n_evals - 1;
        }
    }
    while (bad >= 0 && good - bad > 1) {
        long mid = bad + (good - bad) / 2;
        if ((rc = eval_at(ctx, lo, step, mid, out, &ok, err)) != TW_OK)
            return rc;
        if (ok) {
            good = mid;
            good_i = out->n_evals - 1;
        } else {
            bad = mid;
            bad_i = out->n_evals - 1;
        }
    }
    out->answer = (long)good_i;
    out->below = bad >= 0 ? (long)bad_i : -1;
    return TW_OK;
}

/* ------------------------------------------------------------------ */
/* The experiment table file                                            */
/* ------------------------------------------------------------------ */

int tw_experiment_write(const tw_output *o, const char *kind,
                        const tw_lever_ctx *ctx, const tw_eval *evals,
                        size_t n, long answer, long below, tw_error *err)
{
    size_t nt = ctx->n_targets;
    const char *partial = o->partial;
    double *col = malloc((n * (nt ? nt : 1) + 1) * sizeof *col);
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
              tw_h5u_str_attr(f, "lever", ctx->lever) != 0 ||
              tw_h5u_str_attr(f, "lever2", ctx->lever2) != 0 ||
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
        col[i] = evals[i].value2;
    bad = bad || (ctx->lever2 != NULL &&
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
    if (bad) {
        tw_error_set(err, TW_EFAIL, "cannot write the evaluations to %s",
                     partial);
        goto out;
    }
    rc = tw_output_h5_close(f, partial, err);
    f = H5I_INVALID_HID;
out:
    if (f >= 0)
        H5Fclose(f);
    free(col);
    return rc;
}
