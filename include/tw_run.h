/*
 * tw_run.h - run an ensemble: every replicate of a config, written to an
 * HDF5 file with its summaries.
 *
 * Replicates run on a pool of threads (tw_pool.h); the file is written by
 * the calling thread only. Replicate k depends only on (config, seed,
 * scenario, k), so the file's datasets are bitwise the same whatever the
 * number of threads (or of MPI ranks, tw_mpi.h) and the order in which
 * replicates finish.
 */
#ifndef TW_RUN_H
#define TW_RUN_H

#include <signal.h>
#include <stdint.h>
#include <stdio.h>

#include "tw_config.h"
#include "tw_error.h"
#include "tw_h5.h"
#include "tw_targets.h"

typedef struct tw_run_opts {
    const char *out_path;   /* final file name; written via "<out>.partial" */
    uint32_t scenario;      /* scenario index for the random streams (0) */
    FILE *progress;         /* where to report progress, or NULL: a bar on
                               a terminal, a line per 10% elsewhere */
    int mean_field;         /* 1: instead of the ensemble, one "replicate"
                               holding the mean-field trajectory
                               (tw_meanfield.h); the file's mode attribute
                               is "<mode>-mean-field" */
    int no_counties;        /* 1: the region's rows only, no /by_county
                               (a full-mode run records every county's
                               metrics by default) */
    int schools;            /* 1: record every school's shortfall, for
                               the per-school summary (/schools) */
    int resume;             /* 1: complete "<out>.partial" of an interrupted
                               run of the same config and seed, running only
                               the replicates it lacks (see tw_run) */
    volatile sig_atomic_t *stop; /* when it becomes non-zero (a signal
                               handler sets it), stop after the replicates
                               in progress, keep the partial file and
                               return TW_ESTOPPED; may be NULL */
    size_t threads;         /* worker threads; 0: one per CPU this process
                               may use (tw_pool_cpus). Never more than the
                               replicates to run. */
    int force;              /* 1: an existing file at out_path that is not
                               a twsim output may be replaced
                               (tw_output_check) */
    /* Parameter uncertainty (a config with uncertain settings): P(met)
     * of each of the config's targets with every setting at its central
     * value, from a run of central_reps replicates of the central config
     * (tw_unc_central_config), for /sensitivity; NULL: not known. */
    const tw_target_result *central;
    size_t central_reps;
    /* A slice of the ensemble (twsim run --replicates FIRST:COUNT,
     * docs/cluster.md): with slice_count > 0, only replicates slice_first
     * .. slice_first + slice_count - 1 of cfg->replicates run, each with
     * the random stream (and parameter point) it has in the whole run;
     * the file holds those slice_count rows and says which slice it is
     * (tw_h5_meta.slice_of). Summaries and targets are the slice's own;
     * /uncertainty and /sensitivity are left to twsim merge. 0: the
     * whole ensemble. */
    size_t slice_first, slice_count;
    double checkpoint;      /* MPI runs (tw_mpi.h): seconds between the
                               collective writes of finished replicates;
                               0: TW_RUN_CHECKPOINT. Unused by tw_run. */
} tw_run_opts;

#define TW_RUN_CHECKPOINT 10.0

/* What a run did, for the caller's messages. */
typedef struct tw_run_stats {
    size_t replicates;      /* in the file */
    size_t resumed;         /* found complete in the partial file */
    size_t done;            /* complete when the run returned */
    int already_complete;   /* --resume found the final file: nothing run */
    size_t threads;         /* worker threads used (per rank with MPI) */
    size_t ranks;           /* MPI ranks (1 for tw_run) */
    int stop_signal;        /* TW_ESTOPPED: the signal that asked for the
                               stop (with MPI, on any rank) */
    /* Throughput (replicates run by this call, not resumed ones): */
    uint64_t teacher_years; /* tw_work.teacher_years, summed */
    uint64_t draws;         /* tw_work.draws, summed */
    double seconds;         /* wall time of the call */
    double h5_seconds;      /* of which in HDF5 calls (create or resume,
                               writing rows, summaries, targets, closing) */
} tw_run_stats;

/*
 * Run cfg->replicates replicates (with opts->mean_field: the mean-field
 * trajectory as the only replicate) and write the file. The output is
 * opened before any simulation work, so an unwritable path fails at once.
 *
 * With opts->resume: if "<out>.partial" exists it must come from the same
 * config and seed (else TW_EINPUT); its complete replicates are kept and
 * only the others are run, so the result is bitwise the uninterrupted
 * one. If only <out> exists, nothing is run (stats->already_complete). If
 * neither exists, the run starts afresh.
 *
 * Returns TW_OK; TW_ESTOPPED when opts->stop asked for a stop (the partial
 * file is kept); or TW_EFAIL/TW_EINPUT with err set. On failure no file
 * named out_path is created; a fresh partial file is removed, a resumed one
 * is kept. stats (may be NULL) is filled in every case.
 */
int tw_run(const tw_config *cfg, const tw_run_opts *opts,
           tw_run_stats *stats, tw_error *err);

/*
 * What tw_run checks before it touches a file, without running anything:
 * the model builds and every target names a metric of the run (for
 * twsim validate). TW_OK, or TW_EINPUT / TW_EFAIL with err set.
 */
int tw_run_check(const tw_config *cfg, tw_error *err);

/*
 * Evaluate targets t[0..nt) on a run file read back into d (tw_h5_read,
 * tw_h5_read_group), over its replicates r with done[r] (done NULL: all
 * of them): traj holds their region rows, [reps][years][metrics], in
 * order. A target set for a county reads the file's county rows too
 * (tw_h5_read_county_rows). met [reps][nt] may be NULL; res is [nt]. With
 * cres not NULL, *cres receives the per-county results [nt][*nc] and
 * *counties the county names (the caller frees both: free and
 * tw_strings_free); *nc is 0 for a file without county rows.
 */
int tw_file_targets(const tw_h5_data *d, const unsigned char *done,
                    const double *traj, size_t reps, const tw_target *t,
                    size_t nt, unsigned char *met, tw_target_result *res,
                    size_t *nc, char ***counties, tw_target_result **cres,
                    tw_error *err);

#endif
