/*
 * run.c - the ensemble driver (see tw_run.h): replicates on a pool of
 * threads (tw_pool.h), written to HDF5 by the calling thread alone.
 *
 *   main thread                          pool threads (tw_pool.h)
 *   open / resume FILE.partial (done[])
 *   queue a missing replicate for  --->  take the next one, simulate it
 *   each free buffer of the ring         into its buffer
 *   loop: collect finished rows    <---
 *         write them, flush, progress;
 *         their buffers are free: queue more
 *         a stop request: halt the pool, write what finished, suspend
 *   summaries, targets: read back from the file in blocks; rename
 *
 * Memory does not grow with the replicate count (docs/hdf5.md, "Memory"):
 * each thread holds one replicate's teachers, the ring 2 x threads +
 * TW_RING_SPARE rows, and the end one block of at most TW_ENS_BLOCK_BYTES
 * (run_priv.h); what is left per replicate is its done flags and its row
 * of the target table.
 *
 * A buffer is written by exactly one thread between its push and its
 * collection (both under the pool's lock), and read by the main thread
 * only after it is collected, so no two threads ever touch the same
 * memory at once. The parts shared with the MPI driver (mpi/mpi_run.c)
 * are declared in run_priv.h.
 */
#include "tw_run.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "run_priv.h"
#include "tw_h5.h"
#include "tw_meanfield.h"
#include "tw_model.h"
#include "tw_pool.h"
#include "tw_summary.h"
#include "tw_targets.h"
#include "tw_version.h"

/* Row buffers beyond two per thread. With all 2 x threads + 4 rows out,
 * threads + 4 replicates wait in the queue while `threads` run, so a
 * thread finds work at once even when the main thread is a few rows
 * behind with its writes. */
#define TW_RING_SPARE 4

tw_run_stats *tw_stats_begin(tw_run_stats *stats, tw_run_stats *local)
{
    if (stats == NULL)
        stats = local;
    memset(stats, 0, sizeof *stats);
    return stats;
}

double tw_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

void tw_progress_init(tw_progress *p, FILE *f, size_t total)
{
    p->f = f;
    p->total = total;
    p->start = tw_now();
    p->logged = 0;
}

/*
 * Progress on stderr: on a terminal, a bar redrawn in place with the
 * replicates done, the rate and the time left; elsewhere (a log file, CI),
 * one line at each 10% so that logs stay short.
 */
void tw_progress_show(tw_progress *p, size_t done)
{
    FILE *f = p->f;
    size_t total = p->total;
    if (f == NULL || total == 0)
        return;
    double el = tw_now() - p->start;
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
    if (step > p->logged) {
        p->logged = step;
        fprintf(f, "twsim: %3d%% %zu/%zu replicates, %.1f/s, %.0fs left\n",
                step * 10, done, total, rate, eta);
        fflush(f);
    }
}

int tw_ens_init(tw_ens *e, const tw_config *cfg, const tw_run_opts *opts,
                tw_error *err)
{
    int mean_field = opts != NULL && opts->mean_field;
    memset(e, 0, sizeof *e);
    e->cfg = cfg;
    int rc = tw_model_init(&e->m, cfg, err);
    if (rc != TW_OK)
        return rc;
    e->have_model = 1;
    /* the county rows come with every full-mode ensemble; the mean field
     * has one region-wide row (docs/meanfield.md) */
    tw_model_set_parts(&e->m,
                       !mean_field && !(opts != NULL && opts->no_counties),
                       !mean_field && opts != NULL && opts->schools);
    /* uncertain settings: every replicate at its parameter point (the
     * mean field runs the config as written) */
    if (cfg->n_unc > 0 && !cfg->unc_fixed && !mean_field) {
        e->have_unc = 1;
        rc = tw_unc_build(&e->unc, cfg, cfg->replicates, err);
        if (rc != TW_OK)
            return rc;
        tw_model_set_variation(&e->m, &e->unc.var);
        e->central = opts != NULL ? opts->central : NULL;
        e->central_reps = opts != NULL ? opts->central_reps : 0;
    }
    size_t nm = e->m.metrics.n, nc = e->m.n_counties;
    /* the targets this run can evaluate: without county rows (the mean
     * field) the county ones are left out (tw_ens_left_out) */
    e->targets = malloc((cfg->n_targets ? cfg->n_targets : 1) *
                        sizeof *e->targets);
    if (e->targets == NULL)
        return tw_error_set(err, TW_EFAIL, "out of memory");
    for (size_t i = 0; i < cfg->n_targets; i++)
        if (nc > 0 || !mean_field ||
            cfg->targets[i].scope == TW_SCOPE_REGION)
            e->targets[e->n_targets++] = cfg->targets[i];
    size_t nt = e->n_targets;

    /* Targets must name metrics (and counties) of this run: checked
     * before any work. */
    e->names = malloc((nm ? nm : 1) * sizeof *e->names);
    e->counties = malloc((nc ? nc : 1) * sizeof *e->counties);
    e->tcols = malloc((nt ? nt : 1) * (1 + nc) * sizeof *e->tcols);
    if (e->names == NULL || e->counties == NULL || e->tcols == NULL)
        return tw_error_set(err, TW_EFAIL, "out of memory");
    for (size_t k = 0; k < nm; k++)
        e->names[k] = e->m.metrics.v[k].name;
    for (size_t c = 0; c < nc; c++)
        e->counties[c] = e->m.world->counties[c].name;
    /* cols [nt][1 + nc] (tw_targets_resolve) */
    rc = tw_targets_resolve(e->targets, nt, e->names, nm, e->counties, nc,
                            e->m.years, e->m.n_years, e->tcols, err);
    if (rc != TW_OK)
        return rc;

    /* mean field: one deterministic "replicate", in the same layout */
    e->reps = mean_field ? 1 : cfg->replicates;
    if (opts != NULL && opts->slice_count > 0) {
        /* the parameter points above are the whole run's (built for
         * cfg->replicates), so a slice's replicates meet the same ones */
        if (mean_field || opts->schools ||
            opts->slice_first > cfg->replicates ||
            opts->slice_count > cfg->replicates - opts->slice_first)
            return tw_error_set(err, TW_EINPUT, "--replicates %zu:%zu: %s",
                                opts->slice_first, opts->slice_count,
                                mean_field ? "the mean field has no "
                                "replicates to slice"
                                : opts->schools ? "a slice cannot keep "
                                "--schools (its rows stay in the partial "
                                "file only)"
                                : "the slice goes past the ensemble's "
                                "replicates (simulation.replicates)");
        e->slice = 1;
        e->first = opts->slice_first;
        e->reps = opts->slice_count;
    }
    e->len = tw_model_traj_len(&e->m);
    e->block_bytes = TW_ENS_BLOCK_BYTES;
    snprintf(e->mode, sizeof e->mode, "%s%s", tw_mode_name(cfg->mode),
             mean_field ? "-mean-field" : "");
    e->meta = (tw_h5_meta){
        .config_path = cfg->path,
        .config_text = cfg->text,
        .config_effective = cfg->effective,
        .config_by_year = cfg->by_year,
        .overrides = (const char *const *)cfg->overrides,
        .n_overrides = cfg->n_overrides,
        .seed = cfg->seed,
        .mode = e->mode,
        .region_name = cfg->region_name,
        .engine_version = tw_version(),
        .git_commit = tw_git_commit(),
        .n_years = e->m.n_years,
        .years = e->m.years,
        .metrics = &e->m.metrics,
        .n_replicates = e->reps,
        .n_tiers = cfg->n_tiers,
        .tier_names = (const char *const *)cfg->tier_names,
        .n_counties = e->m.n_counties,
        .n_schools = e->m.n_schools,
        .world = e->m.world,
        .slice_first = e->first,
        .slice_of = e->slice ? cfg->replicates : 0,
    };
    return TW_OK;
}

void tw_ens_free(tw_ens *e)
{
    free(e->names);
    free(e->targets);
    free(e->counties);
    free(e->tcols);
    if (e->have_model)
        tw_model_free(&e->m);
    if (e->have_unc)
        tw_unc_free(&e->unc);
    memset(e, 0, sizeof *e);
}

int tw_ens_prepare_output(const tw_ens *e, const tw_config *cfg,
                          const tw_run_opts *opts, tw_output_lock *lk,
                          int *resuming, int *complete, tw_error *err)
{
    *resuming = *complete = 0;
    *lk = TW_OUTPUT_LOCK_NONE;
    int resume = opts->resume && !opts->mean_field;
    tw_output_rules rules = {.cfg = cfg, .force = opts->force};
    /* with --resume, the file at out_path is checked below for being this
     * run; a foreign file must not pass as "complete" */
    int rc = tw_output_check(opts->out_path, &rules, err);
    if (rc != TW_OK)
        return rc;
    if ((rc = tw_output_lock_take(lk, opts->out_path, err)) != TW_OK)
        return rc;
    if (!resume)
        return TW_OK;
    char *partial = tw_output_partial_name(opts->out_path);
    if (partial == NULL) {
        tw_output_unlock(lk);
        return tw_error_set(err, TW_EFAIL, "out of memory");
    }
    struct stat st;
    if (lstat(partial, &st) == 0) {
        if (!S_ISREG(st.st_mode))
            rc = tw_error_set(err, TW_EINPUT, "cannot resume from %s: it is "
                              "not a regular file", partial);
        *resuming = 1;
    } else if (stat(opts->out_path, &st) == 0) {
        /* tw_output_check let only a regular file through */
        rc = tw_h5_check_complete(opts->out_path, &e->meta, err);
        *complete = rc == TW_OK;
    }
    free(partial);
    if (rc != TW_OK)
        tw_output_unlock(lk);
    return rc;
}

/* Summaries of every metric, from the file in blocks of whole metrics. */
static int summarise(tw_ens *e, tw_h5_out *h, tw_summary *s, tw_error *err)
{
    size_t reps = e->reps, ny = e->m.n_years, nm = e->m.width;
    if (ny != 0 && reps > SIZE_MAX / sizeof(double) / ny)
        return tw_error_set(err, TW_EFAIL, "%zu replicates of %zu years do "
                            "not fit in memory", reps, ny);
    size_t per_metric = reps * ny * sizeof(double);
    size_t mb = per_metric > 0 ? e->block_bytes / per_metric : nm;
    if (mb < 1)
        mb = 1;
    if (mb > nm)
        mb = nm;
    int rc = tw_summary_alloc(s, ny, nm, err);
    if (rc != TW_OK)
        return rc;
    double *buf = malloc(mb * per_metric > 0 ? mb * per_metric : 1);
    if (buf == NULL)
        rc = tw_error_set(err, TW_EFAIL, "out of memory for %zu metrics of "
                          "%zu replicates", mb, reps);
    for (size_t m0 = 0; rc == TW_OK && m0 < nm; m0 += mb) {
        size_t m1 = nm - m0 < mb ? nm : m0 + mb;
        double t0 = tw_now();
        rc = tw_h5_read_block(h, m0, m1, buf, err);
        e->h5_seconds += tw_now() - t0;
        if (rc == TW_OK)
            rc = tw_summary_block(s, buf, reps, m0, m1 - m0, err);
    }
    free(buf);
    return rc;
}

/*
 * The target table: only the targets' columns are read back (a county
 * target's from its county's part of the rows), [reps][years][distinct
 * columns] (8 bytes a replicate, year and column), and evaluated on
 * those as if they were the whole trajectory.
 */
static int eval_targets(tw_ens *e, tw_h5_out *h, double *tq,
                        unsigned char *tmet, tw_target_result *tres,
                        tw_target_result *cres, tw_error *err)
{
    size_t reps = e->reps, nt = e->n_targets, ny = e->m.n_years;
    size_t nc = e->m.n_counties, nk = nt * (1 + nc);
    if (nt == 0)
        return TW_OK;
    size_t *ucols = malloc(nk * sizeof *ucols);   /* distinct, ascending */
    long *tcols = malloc(nk * sizeof *tcols);     /* index into ucols */
    double *buf = NULL;
    size_t nu = 0;
    int rc = TW_OK;
    if (ucols == NULL || tcols == NULL)
        goto oom;
    for (size_t i = 0; i < nk; i++) {
        if (e->tcols[i] < 0)
            continue;
        size_t c = (size_t)e->tcols[i], k = 0;
        while (k < nu && ucols[k] < c)
            k++;
        if (k == nu || ucols[k] != c) {
            memmove(ucols + k + 1, ucols + k, (nu - k) * sizeof *ucols);
            ucols[k] = c;
            nu++;
        }
    }
    for (size_t i = 0; i < nk; i++) {
        tcols[i] = -1;
        for (size_t k = 0; e->tcols[i] >= 0 && k < nu; k++)
            if (ucols[k] == (size_t)e->tcols[i])
                tcols[i] = (long)k;
    }
    if (ny != 0 && nu != 0 && reps > SIZE_MAX / sizeof(double) / ny / nu)
        goto oom;
    if ((buf = malloc((reps * ny * nu > 0 ? reps * ny * nu : 1) *
                      sizeof *buf)) == NULL)
        goto oom;
    double t0 = tw_now();
    rc = tw_h5_read_columns(h, nu, ucols, buf, err);
    e->h5_seconds += tw_now() - t0;
    if (rc == TW_OK)
        rc = tw_targets_eval(e->targets, nt, tcols, nc, buf, reps, ny,
                             nu, e->m.years, tq, tmet, tres, cres, err);
    goto out;
oom:
    rc = tw_error_set(err, TW_EFAIL, "out of memory for the targets");
out:
    free(ucols);
    free(tcols);
    free(buf);
    return rc;
}

int tw_ens_finish(tw_ens *e, tw_h5_out **h, tw_error *err)
{
    size_t reps = e->reps, nt = e->n_targets, nc = e->m.n_counties;
    tw_summary s = {0};
    double *tq = NULL;
    unsigned char *tmet = NULL;
    tw_target_result *tres = calloc(nt ? nt : 1, sizeof *tres);
    tw_target_result *cres = calloc(nt * nc > 0 ? nt * nc : 1, sizeof *cres);
    int rc = summarise(e, *h, &s, err);
    double t0 = tw_now();
    if (rc == TW_OK)
        rc = tw_h5_write_summary(*h, &s, err);
    e->h5_seconds += tw_now() - t0;
    tw_summary_free(&s);
    if (rc == TW_OK) {
        size_t cells = reps * nt > 0 ? reps * nt : 1;
        tq = malloc(cells * sizeof *tq);
        tmet = malloc(cells);
        if (tq == NULL || tmet == NULL || tres == NULL || cres == NULL)
            rc = tw_error_set(err, TW_EFAIL, "out of memory for the targets");
    }
    if (rc == TW_OK)
        rc = eval_targets(e, *h, tq, tmet, tres, cres, err);
    t0 = tw_now();
    if (rc == TW_OK)
        rc = tw_h5_write_targets(*h, e->targets, nt, tq, tmet, tres,
                                 e->counties, nc, cres, err);
    /* a slice's points are not all of the design: twsim merge writes
     * /uncertainty and /sensitivity for the whole run */
    if (rc == TW_OK && e->have_unc && !e->slice)
        rc = tw_unc_write(&e->unc, e->targets, nt, tq, tmet, tres,
                          e->central, e->central_reps, *h, err);
    if (rc == TW_OK) {
        rc = tw_h5_finish(*h, err);
        *h = NULL;
    }
    e->h5_seconds += tw_now() - t0;
    free(tq);
    free(tmet);
    free(tres);
    free(cres);
    return rc;
}

/*
 * Run the replicates r with done[r] == 0 on `threads` threads, writing
 * each finished row to h as it comes back (several rows, one flush).
 * Rows live in a ring of buffers: a replicate is queued (in ascending
 * order) only when a buffer is free, and its buffer is free again once
 * its row is written. Returns TW_OK when all are done; TW_ESTOPPED after
 * a stop request, with every finished replicate written; or a failure
 * (err set).
 */
static int run_threads(tw_ens *e, const tw_run_opts *opts,
                       size_t threads, tw_h5_out *h, unsigned char *done,
                       tw_run_stats *stats, tw_error *err)
{
    size_t npend = e->reps - stats->resumed;
    if (threads > npend)
        threads = npend > 0 ? npend : 1;
    stats->threads = threads;
    if (npend == 0)
        return TW_OK;
    size_t nbuf = 2 * threads + TW_RING_SPARE;
    if (nbuf > npend)
        nbuf = npend;
    size_t len = e->len ? e->len : 1;
    if (len > SIZE_MAX / sizeof(double) / nbuf)
        return tw_error_set(err, TW_EFAIL, "%zu rows of %zu values do not "
                            "fit in memory", nbuf, len);
    double *ring = malloc(nbuf * len * sizeof *ring);
    double **idle = malloc(nbuf * sizeof *idle);  /* free buffers: a stack */
    tw_task *tasks = malloc(nbuf * sizeof *tasks);
    size_t *reps = malloc(nbuf * sizeof *reps);
    const double **rows = malloc(nbuf * sizeof *rows);
    tw_pool *pool = NULL;
    tw_progress pr;
    int rc = TW_OK, halted = 0;
    if (ring == NULL || idle == NULL || tasks == NULL || reps == NULL ||
        rows == NULL) {
        rc = tw_error_set(err, TW_EFAIL, "out of memory");
        goto out;
    }
    size_t nidle = nbuf;
    for (size_t i = 0; i < nbuf; i++)
        idle[i] = ring + i * len;
    if ((pool = tw_pool_start(&e->m, opts->scenario, threads, err)) ==
        NULL) {
        rc = err ? err->code : TW_EFAIL;
        goto out;
    }

    tw_progress_init(&pr, opts->progress, e->reps);
    size_t left = npend;
    size_t next = 0;            /* replicates below it are queued or done */
    for (;;) {
        if (!halted && opts->stop != NULL && *opts->stop) {
            /* finish the replicates in progress, start no other */
            tw_pool_halt(pool);
            halted = 1;
        }
        /* a missing replicate for every free buffer; none after a halt
         * (the pool would drop it) */
        size_t k = 0;
        for (; !halted && nidle > 0 && next < e->reps; next++)
            if (!done[next])
                tasks[k++] = (tw_task){ .rep = e->first + next,
                                        .row = idle[--nidle] };
        if (k > 0 && (rc = tw_pool_push(pool, tasks, k, err)) != TW_OK)
            goto out;
        /* Counted before collecting: once halted with nothing running,
         * this collect gets every replicate that will ever finish. */
        size_t running;
        tw_pool_counts(pool, NULL, &running);
        /* a short wait: the stop flag is polled here (see tw_pool.h) */
        size_t n = tw_pool_collect(pool, tasks, nbuf, 0.01);
        for (size_t i = 0; i < n; i++) {
            reps[i] = (size_t)tasks[i].rep - e->first;  /* its row */
            rows[i] = tasks[i].row;
            stats->teacher_years += tasks[i].work.teacher_years;
            stats->draws += tasks[i].work.draws;
        }
        double t0 = tw_now();
        if (n > 0)
            rc = tw_h5_write_replicates(h, n, reps, rows, err);
        e->h5_seconds += tw_now() - t0;
        if (rc != TW_OK)
            goto out;
        for (size_t i = 0; i < n; i++) {
            done[reps[i]] = 1;
            idle[nidle++] = tasks[i].row;   /* written: free again */
        }
        left -= n;
        stats->done += n;
        if (n > 0)
            tw_progress_show(&pr, stats->done);
        if (left == 0)
            break;
        if ((rc = tw_pool_error(pool, err)) != TW_OK)
            goto out;
        if (halted && running == 0) {
            rc = TW_ESTOPPED;   /* every finished replicate is written */
            goto out;
        }
    }
out:
    /* joins the threads first: no buffer is in use after this */
    tw_pool_free(pool);
    free(ring);
    free(idle);
    free(tasks);
    free(reps);
    free(rows);
    return rc;
}

int tw_run_check(const tw_config *cfg, tw_error *err)
{
    tw_ens e;
    int rc = tw_ens_init(&e, cfg, NULL, err);
    tw_ens_free(&e);
    return rc;
}

int tw_run(const tw_config *cfg, const tw_run_opts *opts,
           tw_run_stats *stats, tw_error *err)
{
    tw_run_stats local;
    stats = tw_stats_begin(stats, &local);
    stats->ranks = 1;
    double start = tw_now();
    tw_ens e;
    tw_h5_out *h = NULL;
    tw_output_lock lock = TW_OUTPUT_LOCK_NONE;
    unsigned char *done = NULL;
    double *row = NULL;         /* the mean-field run's one row */
    int rc = tw_ens_init(&e, cfg, opts, err);
    if (rc != TW_OK)
        goto out;
    stats->replicates = e.reps;
    if ((done = calloc(e.reps, 1)) == NULL) {
        rc = tw_error_set(err, TW_EFAIL, "out of memory");
        goto out;
    }
    int resuming = 0, complete = 0;
    rc = tw_ens_prepare_output(&e, cfg, opts, &lock, &resuming, &complete,
                               err);
    if (rc != TW_OK)
        goto out;
    if (complete) {
        stats->already_complete = 1;
        stats->done = e.reps;
        goto out;
    }
    double t0 = tw_now();
    if (resuming)
        rc = tw_h5_resume(opts->out_path, &e.meta, &h, done, NULL, err);
    else
        rc = tw_h5_create(opts->out_path, &e.meta, &h, err);
    e.h5_seconds += tw_now() - t0;
    if (rc != TW_OK)
        goto out;
    for (size_t r = 0; r < e.reps; r++)
        stats->resumed += done[r];
    stats->done = stats->resumed;

    if (opts->mean_field) {
        stats->threads = 1;
        if ((row = malloc((e.len ? e.len : 1) * sizeof *row)) == NULL) {
            rc = tw_error_set(err, TW_EFAIL, "out of memory");
            goto out;
        }
        rc = tw_meanfield_run(&e.m, row, NULL, err);
        t0 = tw_now();
        if (rc == TW_OK)
            rc = tw_h5_write_replicate(h, 0, row, err);
        e.h5_seconds += tw_now() - t0;
        if (rc == TW_OK)
            stats->done = 1;
    } else {
        size_t threads = opts->threads ? opts->threads : tw_pool_cpus();
        rc = run_threads(&e, opts, threads, h, done, stats, err);
    }
    if (rc == TW_ESTOPPED) {
        stats->stop_signal = opts->stop != NULL ? (int)*opts->stop : 0;
        /* keep the partial file: every replicate in it is complete */
        t0 = tw_now();
        int src = tw_h5_suspend(h, err);
        e.h5_seconds += tw_now() - t0;
        h = NULL;
        if (src != TW_OK)
            rc = src;
        goto out;
    }
    if (rc == TW_OK)
        rc = tw_ens_finish(&e, &h, err);
out:
    tw_h5_abort(h);
    tw_output_unlock(&lock);
    stats->h5_seconds = e.h5_seconds;
    stats->seconds = tw_now() - start;
    free(done);
    free(row);
    tw_ens_free(&e);
    return rc;
}
