/*
 * tw_filekind.h - which kind of twsim file a path is, for the readers
 * (`twsim info`, `check`, `compare`): a run (complete or .partial), an
 * --all-scenarios file, a sweep or an optimize table. A `compare --store`
 * result is the run or scenarios file it was stored in.
 *
 * A path is refused at once when it is not a regular file (a directory,
 * FIFO, device or socket: opening a FIFO would wait for a writer for
 * ever), and a file is twsim's only when it carries twsim's own markers
 * (docs/hdf5.md): the root attribute `twsim_kind`, or, in files written
 * before it existed, `format_version` with `seed` (a run), `kind =
 * "scenarios"` (a scenarios file) or `kind = "sweep"/"optimize"` with
 * `lever` (a lever table).
 */
#ifndef TW_FILEKIND_H
#define TW_FILEKIND_H

#include <stddef.h>

#include "tw_config.h"
#include "tw_error.h"

typedef enum {
    TW_FILE_RUN = 0,   /* one run: root layout of docs/hdf5.md */
    TW_FILE_SCENARIOS, /* run --all-scenarios: /scenarios/<name> */
    TW_FILE_SWEEP,     /* twsim sweep */
    TW_FILE_OPTIMIZE,  /* twsim optimize */
    TW_FILE_EXPORT,    /* twsim export --format tidy-h5 (tw_export.h) */
    TW_N_FILE_KINDS
} tw_file_kind;

/* "run", "scenarios", "sweep", "optimize", "export": the values of
 * twsim_kind. */
extern const char *const tw_file_kind_names[TW_N_FILE_KINDS];

/*
 * TW_OK when `path` is a regular file; TW_EINPUT when it is a directory,
 * FIFO, device or socket ("PATH is a FIFO, not a twsim output file");
 * TW_EFAIL when it cannot be looked at (missing, no permission). Never
 * opens the path.
 */
int tw_file_check_regular(const char *path, tw_error *err);

/*
 * The kind of twsim file `path` is, by its markers. TW_EINPUT for a path
 * that is not a regular file or a file that is not twsim's ("not a twsim
 * output file"), TW_EFAIL when it cannot be read.
 */
int tw_file_identify(const char *path, tw_file_kind *kind, tw_error *err);

/* The names of the comparisons stored in `path` by `compare` under
 * /comparisons (or <group>/comparisons): new strings, caller frees; *n = 0
 * when there are none. */
int tw_file_comparisons(const char *path, char ***names, size_t *n,
                        tw_error *err);

/*
 * The target definitions of the run in `path` (group `group` or the root)
 * rebuilt from its /config/effective, for a .partial file whose /targets
 * is not written yet. *t (n entries, strings owned, free each of name,
 * metric, quote, source, note and the array) is the caller's. TW_EINPUT
 * when the stored config no longer loads.
 */
int tw_file_targets_from_config(const char *path, const char *group,
                                tw_target **t, size_t *n, tw_error *err);

/* A sweep or optimize table read back (layout: docs/experiments.md). */
typedef struct tw_lever_table {
    tw_file_kind kind;        /* TW_FILE_SWEEP or TW_FILE_OPTIMIZE */
    char *config, *lever, *lever2; /* lever2 "" when there is none */
    double prob;              /* required P(met) */
    long answer, below;       /* optimize: indices into the rows, or -1 */
    size_t n, n_targets, n_overrides;
    char **targets;           /* [n_targets] */
    char **overrides;         /* [n_overrides] */
    double *value, *value2;   /* [n]; value2 NULL without lever2 */
    double *p_met;            /* [n][n_targets] */
    double *p_lo, *p_hi;      /* [n][n_targets]: its 90% Wilson interval */
    double *mean;             /* [n][n_targets]: mean of the target's
                                 quantity; NULL in files older than it */
    double *p_all, *meets;    /* [n] */
} tw_lever_table;

/* Read a sweep or optimize file; *out is the caller's
 * (tw_lever_table_free). */
int tw_lever_table_read(const char *path, tw_lever_table **out,
                        tw_error *err);

void tw_lever_table_free(tw_lever_table *t);

#endif /* TW_FILEKIND_H */
