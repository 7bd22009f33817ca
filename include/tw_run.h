/*
 * tw_run.h - run an ensemble: every replicate of a config, written to an
 * HDF5 file with its summaries.
 */
#ifndef TW_RUN_H
#define TW_RUN_H

#include <stdint.h>
#include <stdio.h>

#include "tw_config.h"
#include "tw_error.h"

typedef struct tw_run_opts {
    const char *out_path;   /* final file name; written via "<out>.partial" */
    uint32_t scenario;      /* scenario index for the random streams (0) */
    FILE *progress;         /* where to report progress, or NULL: a bar on
                               a terminal, a line per 10% elsewhere */
    int mean_field;         /* 1: instead of the ensemble, one "replicate"
                               holding the mean-field trajectory
                               (tw_meanfield.h); the file's mode attribute
                               is "<mode>-mean-field" */
} tw_run_opts;

/*
 * Run cfg->replicates replicates (with opts->mean_field: the mean-field
 * trajectory as the only replicate) and write the file. The output is
 * opened before any simulation work, so an unwritable path fails at once.
 * Returns TW_OK, or TW_EFAIL/TW_EINPUT with err set; on failure no file
 * named out_path is created (the partial file is removed).
 */
int tw_run(const tw_config *cfg, const tw_run_opts *opts, tw_error *err);

#endif
