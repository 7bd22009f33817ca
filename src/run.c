/* run.c - the ensemble driver (see tw_run.h). */
#include "tw_run.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tw_h5.h"
#include "tw_meanfield.h"
#include "tw_model.h"
#include "tw_summary.h"
#include "tw_targets.h"
#include "tw_version.h"

/*
 * Progress on stderr: on a terminal, a bar redrawn in place with the
 * replicates done, the rate and the time left; elsewhere (a log file, CI),
 * one line at each 10% so that logs stay short. `*logged` remembers the
 * last 10% step printed.
 */
static void progress(FILE *f, size_t done, size_t total, double start,
                     int *logged)
{
    if (f == NULL || total == 0)
        return;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    double el = (double)now.tv_sec + (double)now.tv_nsec * 1e-9 - start;
    double rate = el > 0 ? (double)done / el : 0;
    double eta = rate > 0 ? (double)(total - done) / rate : 0;
    if (isatty(fileno(f))) {
        int width = 30;
        int fill = (int)((double)width * (double)done / (double)total);
        fprintf(f, "\r[%.*s%*s] %zu/%zu replicates", fill,
                "##############################", width - fill, "", done,
                total);
        if (rate > 0)
            fprintf(f, "  %.1f/s  ETA %.0fs ", rate, eta);
        if (done == total)
            fputc('\n', f);
        fflush(f);
        return;
    }
    int step = (int)(10 * done / total);
    if (step > *logged) {
        *logged = step;
        fprintf(f, "twsim: %3d%% %zu/%zu replicates, %.1f/s, %.0fs left\n",
                step * 10, done, total, rate, eta);
        fflush(f);
    }
}

int tw_run(const tw_config *cfg, const tw_run_opts *opts,
           tw_run_stats *stats, tw_error *err)
{
    tw_run_stats local;
    if (stats == NULL)
        stats = &local;
    memset(stats, 0, sizeof *stats);
    unsigned char *done = NULL;
    tw_model m;
    tw_worker *w = NULL;
    tw_h5_out *h = NULL;
    double *traj = NULL;
    tw_summary s = {0};
    size_t nt = cfg->n_targets;
    long *tcols = NULL;
    double *tq = NULL;
    unsigned char *tmet = NULL;
    tw_target_result *tres = NULL;
    const char **names = NULL;
    int rc = tw_model_init(&m, cfg, err);
    if (rc != TW_OK)
        return rc;

    /* Targets must name metrics of this run: checked before any work. */
    names = malloc((m.metrics.n ? m.metrics.n : 1) * sizeof *names);
    tcols = malloc((nt ? nt : 1) * sizeof *tcols);
    tres = calloc(nt ? nt : 1, sizeof *tres);
    if (names == NULL || tcols == NULL || tres == NULL) {
        rc = tw_error_set(err, TW_EFAIL, "out of memory");
        goto out;
    }
    for (size_t k = 0; k < m.metrics.n; k++)
        names[k] = m.metrics.v[k].name;
    rc = tw_targets_resolve(cfg->targets, nt, names, m.metrics.n, m.years,
                            m.n_years, tcols, err);
    if (rc != TW_OK)
        goto out;

    /* mean field: one deterministic "replicate", in the same layout */
    size_t reps = opts->mean_field ? 1 : cfg->replicates;
    size_t len = tw_model_traj_len(&m);
    if (len != 0 && reps > SIZE_MAX / sizeof(double) / len) {
        rc = tw_error_set(err, TW_EINPUT, "%u replicates of %zu values do "
                          "not fit in memory", cfg->replicates, len);
        goto out;
    }
    traj = malloc(reps * len * sizeof *traj);
    if (!opts->mean_field)
        w = tw_worker_alloc(&m, err);
    if (traj == NULL || (w == NULL && !opts->mean_field)) {
        rc = (w || opts->mean_field)
                 ? tw_error_set(err, TW_EFAIL, "out of memory for %zu "
                                "trajectory values", reps * len)
                 : TW_EFAIL;
        goto out;
    }
    char mode[64];
    snprintf(mode, sizeof mode, "%s%s", tw_mode_name(cfg->mode),
             opts->mean_field ? "-mean-field" : "");

    tw_h5_meta meta = {
        .config_path = cfg->path,
        .config_text = cfg->text,
        .config_effective = cfg->effective,
        .overrides = (const char *const *)cfg->overrides,
        .n_overrides = cfg->n_overrides,
        .seed = cfg->seed,
        .mode = mode,
        .region_name = cfg->region_name,
        .engine_version = tw_version(),
        .git_commit = tw_git_commit(),
        .n_years = m.n_years,
        .years = m.years,
        .metrics = &m.metrics,
        .n_replicates = reps,
        .n_tiers = cfg->n_tiers,
        .tier_names = (const char *const *)cfg->tier_names,
    };
    stats->replicates = reps;
    if ((done = calloc(reps, 1)) == NULL) {
        rc = tw_error_set(err, TW_EFAIL, "out of memory");
        goto out;
    }
    int resuming = 0;
    if (opts->resume && !opts->mean_field) {
        size_t plen = strlen(opts->out_path) + sizeof ".partial";
        char *partial = malloc(plen);
        if (partial == NULL) {
            rc = tw_error_set(err, TW_EFAIL, "out of memory");
            goto out;
        }
        snprintf(partial, plen, "%s.partial", opts->out_path);
        resuming = access(partial, F_OK) == 0;
        free(partial);
        if (!resuming && access(opts->out_path, F_OK) == 0) {
            stats->already_complete = 1;
            stats->done = reps;
            rc = TW_OK;
            goto out;
        }
    }
    if (resuming)
        rc = tw_h5_resume(opts->out_path, &meta, &h, done, traj, err);
    else
        rc = tw_h5_create(opts->out_path, &meta, &h, err);
    if (rc != TW_OK)
        goto out;
    for (size_t r = 0; r < reps; r++)
        stats->resumed += done[r];
    stats->done = stats->resumed;

    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    double start = (double)t0.tv_sec + (double)t0.tv_nsec * 1e-9;
    int logged = 0;
    for (size_t r = 0; r < reps; r++) {
        if (done[r])
            continue;
        if (opts->stop != NULL && *opts->stop) {
            /* keep the partial file: every replicate in it is complete */
            rc = tw_h5_suspend(h, err);
            h = NULL;
            if (rc == TW_OK)
                rc = TW_ESTOPPED;
            goto out;
        }
        double *row = traj + r * len;
        rc = opts->mean_field ? tw_meanfield_run(&m, row, NULL, err)
                              : tw_worker_run(w, opts->scenario, r, row, err);
        if (rc == TW_OK)
            rc = tw_h5_write_replicate(h, r, row, err);
        if (rc != TW_OK)
            goto out;
        done[r] = 1;
        stats->done++;
        progress(opts->progress, stats->done, reps, start, &logged);
    }
    rc = tw_summary_compute(traj, reps, m.n_years, m.metrics.n, &s, err);
    if (rc == TW_OK)
        rc = tw_h5_write_summary(h, &s, err);
    if (rc == TW_OK) {
        size_t cells = reps * nt > 0 ? reps * nt : 1;
        tq = malloc(cells * sizeof *tq);
        tmet = malloc(cells);
        if (tq == NULL || tmet == NULL)
            rc = tw_error_set(err, TW_EFAIL, "out of memory for the targets");
    }
    if (rc == TW_OK)
        rc = tw_targets_eval(cfg->targets, nt, tcols, traj, reps, m.n_years,
                             m.metrics.n, m.years, tq, tmet, tres, err);
    if (rc == TW_OK)
        rc = tw_h5_write_targets(h, cfg->targets, nt, tq, tmet, tres, err);
    if (rc == TW_OK) {
        rc = tw_h5_finish(h, err);
        h = NULL;
    }
out:
    tw_h5_abort(h);
    free(done);
    free(names);
    free(tcols);
    free(tq);
    free(tmet);
    free(tres);
    tw_summary_free(&s);
    tw_worker_free(w);
    free(traj);
    tw_model_free(&m);
    return rc;
}
