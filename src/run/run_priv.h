/*
 * run_priv.h - the parts of the ensemble driver that the threaded run
 * (run.c) and the MPI run (mpi/mpi_run.c) share: the model and target
 * columns of a run, the state of its partial file, the closing summaries
 * and target table (read back from the file), and the progress line. Not
 * part of the library's API.
 */
#ifndef TW_RUN_PRIV_H
#define TW_RUN_PRIV_H

#include <stddef.h>
#include <stdio.h>

#include "tw_config.h"
#include "tw_error.h"
#include "tw_h5.h"
#include "tw_output.h"
#include "tw_model.h"
#include "tw_run.h"
#include "tw_uncertain.h"

/* What every worker of a run needs to know, built from the config alone
 * (so every MPI rank builds the same one). */
typedef struct tw_ens {
    const tw_config *cfg;   /* borrowed */
    tw_model m;
    int have_model;
    size_t reps;            /* replicates in the file */
    size_t first;           /* the file's replicate i is replicate first + i
                               of the ensemble (its random stream and
                               parameter point); 0 but for a slice */
    int slice;              /* 1: a slice (tw_run_opts.slice_count) */
    size_t len;             /* values per replicate: n_years * m.width */
    tw_target *targets;     /* [n_targets]: cfg's targets that this run
                               evaluates (shallow copies: the mean field
                               leaves out the county ones) */
    size_t n_targets;
    long *tcols;            /* [n_targets][1 + n_counties] columns of each
                               target (tw_targets_resolve) */
    const char **names;     /* [n_metrics] borrowed from m.metrics */
    const char **counties;  /* [m.n_counties] borrowed from m.world */
    char mode[64];          /* root attribute `mode` */
    tw_h5_meta meta;        /* borrows from cfg and m */
    double h5_seconds;      /* spent in tw_h5_* calls so far */
    size_t block_bytes;     /* tw_ens_finish's read-back buffer, at most
                               (TW_ENS_BLOCK_BYTES; tests make it small) */
    tw_unc unc;             /* the parameter points, when cfg has uncertain
                               settings (have_unc) */
    int have_unc;
    const tw_target_result *central; /* opts->central: [cfg->n_targets] */
    size_t central_reps;
} tw_ens;

/*
 * The trajectories are never all in memory: tw_ens_finish reads them back
 * from the output file in blocks of whole metrics (every replicate and
 * year of each) of at most this many bytes, or of one metric when one is
 * larger. Each block costs one pass over the file's chunks (one replicate
 * each, decompressed whole), so the block trades memory for passes:
 * 32 MiB keeps 100,000 Chengdu replicates (~700 MB) to ~22 passes.
 */
#define TW_ENS_BLOCK_BYTES ((size_t)32 << 20)

/*
 * Build the model, check that the targets name metrics of this run and
 * fill the file metadata, before any file is touched. On failure the
 * ensemble is left for tw_ens_free().
 */
int tw_ens_init(tw_ens *e, const tw_config *cfg, const tw_run_opts *opts,
                tw_error *err);
void tw_ens_free(tw_ens *e);

/*
 * Prepare opts->out_path for this run (tw_output.h), before any simulation
 * work: check the path (not the config, not a device...; an existing file
 * that is not a twsim output only with opts->force), take its writer's
 * lock into *lk, and say what --resume finds there: *resuming = 1 when
 * "<out>.partial" exists (it must be a regular file); else *complete = 1
 * when <out> exists and is a run of this config, seed and replicate count
 * (another run's file is TW_EINPUT). Without --resume both stay 0 (a run
 * starts afresh). On failure nothing is held; on success the caller ends
 * with tw_output_unlock(lk).
 */
int tw_ens_prepare_output(const tw_ens *e, const tw_config *cfg,
                          const tw_run_opts *opts, tw_output_lock *lk,
                          int *resuming, int *complete, tw_error *err);

/*
 * Compute the summaries and the target table from the trajectories in *h
 * (every replicate written), read back in blocks of e->block_bytes, and
 * write them; then close and rename the file. The summaries are bitwise
 * those of tw_summary_compute() on the whole ensemble. h is freed on
 * success; on failure it is left to the caller (to abort or suspend).
 */
int tw_ens_finish(tw_ens *e, tw_h5_out **h, tw_error *err);

/* Progress on f: a bar on a terminal, a line at each 10% elsewhere. */
typedef struct tw_progress {
    FILE *f;               /* NULL: silent */
    size_t total;
    double start;          /* monotonic seconds */
    int logged;            /* last 10% step printed */
} tw_progress;

double tw_now(void);       /* monotonic clock, seconds */
/* The caller's stats, or `local` when it passed none, zeroed. */
tw_run_stats *tw_stats_begin(tw_run_stats *stats, tw_run_stats *local);
void tw_progress_init(tw_progress *p, FILE *f, size_t total);
void tw_progress_show(tw_progress *p, size_t done);

#endif /* TW_RUN_PRIV_H */
