/*
 * tw_h5.h - the HDF5 output file (layout in docs/hdf5.md).
 *
 * A run writes to "<path>.partial" and renames it to <path> only when
 * everything is written and the file is closed, so a failed or killed run
 * never leaves a file that looks complete. Replicate trajectories are
 * written one at a time as they finish; /replicates/done records which
 * ones are in the file.
 *
 * The HDF5 library's own error printing is switched off; failures come
 * back as tw_error messages that name the file and what could not be done.
 */
#ifndef TW_H5_H
#define TW_H5_H

#include <stddef.h>
#include <stdint.h>

#include "tw_error.h"
#include "tw_metrics.h"
#include "tw_world.h"
#include "tw_summary.h"
#include "tw_targets.h"

#define TW_H5_FORMAT_VERSION 1

/* What goes into the file besides the numbers. Borrowed, not copied. */
typedef struct tw_h5_meta {
    const char *config_path;       /* as given on the command line */
    const char *config_text;       /* main config file, verbatim */
    const char *config_effective;  /* after @include and --set (libconfig) */
    const char *config_by_year;    /* the values used, year by year (NULL:
                                      not written); tw_config.by_year */
    const char *const *overrides;  /* the --set arguments, verbatim */
    size_t n_overrides;
    uint64_t seed;
    const char *mode;              /* "markov", ... */
    const char *region_name;       /* region.name, may be "" */
    const char *engine_version;
    const char *git_commit;        /* "unknown" when not built from git */
    size_t n_years;
    const int *years;              /* [n_years], calendar years */
    const tw_metric_table *metrics;
    size_t n_replicates;
    size_t n_tiers;
    const char *const *tier_names; /* [n_tiers], UTF-8 */
    /* The parts of a year's row after the region's metrics (tw_model.h):
     * every county's metrics, [n_counties][n_metrics], and every school's
     * shortfall, [n_schools][2]. 0: no such part. The names of the
     * counties and the schools' labels come from world (borrowed; NULL
     * when both are 0). */
    size_t n_counties, n_schools;
    const tw_world *world;
    /* A slice of an ensemble (twsim run --replicates FIRST:COUNT,
     * docs/cluster.md): the file's n_replicates rows are replicates
     * slice_first .. slice_first + n_replicates - 1 of an ensemble of
     * slice_of; the root attributes slice_first, slice_count and slice_of
     * say so. slice_of == 0: a whole run (no such attributes). */
    size_t slice_first, slice_of;
} tw_h5_meta;

typedef struct tw_h5_out tw_h5_out;

/* The parameter uncertainty of a run (tw_uncertain.h) and what each
 * target's verdict rests on, for /uncertainty and /sensitivity
 * (docs/hdf5.md). Everything is borrowed. */
typedef struct tw_h5_unc {
    size_t n_set, n_points, per_point, n_reps;
    const char *design;            /* "lhs" or "sobol" */
    const char *const *keys;       /* [n_set] lever paths */
    const char *const *dists;      /* [n_set] "uniform", ... */
    const char *const *whys;       /* [n_set] */
    const char *const *wheres;     /* [n_set] "file:line" */
    const double *params;          /* [n_set][3], NaN where unused */
    const double *central;         /* [n_set] */
    const double *lo, *hi;         /* [n_set] the range sampled */
    const double *values;          /* [n_points][n_set] */
    const char *slow_key;          /* NULL: points patched in place */
    size_t nt;
    const char *const *targets;    /* [nt] names */
    const double *p_met, *p_lo, *p_hi;          /* [nt] over everything */
    const double *c_met, *c_lo, *c_hi;          /* [nt] central; NULL: none */
    size_t central_reps;
    const double *p10, *p50, *p90; /* [nt] P(met | point) across points */
    const double *var_y;           /* [nt] */
    const double *random_share;    /* [nt] */
    const double *first, *first_se;/* [nt][n_set] */
    const char *const *depends;    /* [nt] "" or the settings it flips on */
} tw_h5_unc;

/* Write /uncertainty and /sensitivity into h's partial file (after
 * tw_h5_write_targets, before tw_h5_finish); groups left by an earlier
 * try are replaced. */
int tw_h5_write_unc(tw_h5_out *h, const tw_h5_unc *u, tw_error *err);

/* /sensitivity (and the settings of /uncertainty) of the run at `path`,
 * group `group` (NULL: the root), read back; n_set = 0 when the run had
 * no uncertain settings. Free with tw_h5_sens_free. */
typedef struct tw_h5_sens {
    size_t n_set, nt, n_points, per_point, central_reps;
    char *design, *slow_key;
    char **keys, **targets, **depends;
    double *central, *lo, *hi;
    double *p_met, *p_lo, *p_hi, *c_met, *c_lo, *c_hi, *p10, *p50, *p90;
    double *var_y, *random_share, *first, *first_se;
} tw_h5_sens;

int tw_h5_read_sens(const char *path, const char *group, tw_h5_sens *out,
                    tw_error *err);
void tw_h5_sens_free(tw_h5_sens *s);

/* The open HDF5 file of a writer (for the writers of other groups). */
int64_t tw_h5_out_file(const tw_h5_out *h);

/*
 * Name the dimensions of every dataset of the open file `file` (hid_t) by
 * dimension scales in the dataset's own group, and give each dataset
 * `units` and `long_name` attributes, so that a netCDF-4 reader opens any
 * group alone with labelled dimensions (docs/hdf5.md, "Reading with
 * xarray"). Only adds; idempotent. Every writer calls it last, before it
 * closes a file. A dataset it cannot label is left as it was and the
 * others are labelled: returns the number of datasets (or groups) left
 * unlabelled, 0 when all are, -1 when it cannot walk the file. The
 * writers do not fail a file for it: the labels are an aid to readers,
 * and tests/xarray_check.py fails on any dataset left unlabelled.
 */
int tw_h5_label(int64_t file);

/*
 * In the open scenario file `file` (hid_t), whose groups
 * /scenarios/<names[i]> hold the n runs, repeat a run's layout at the
 * root with a leading dimension `scenario` (virtual datasets over the
 * groups; docs/hdf5.md). Call before tw_h5_label. 0 or -1 (a dataset
 * may then be missing from the stack; the groups are untouched).
 */
int tw_h5_stack_scenarios(int64_t file, const char *const *names, size_t n);

/*
 * Create "<path>.partial" with the whole layout and the metadata; the
 * trajectories are filled in later. On success *out is owned by the caller
 * and must end with tw_h5_finish() or tw_h5_abort().
 */
int tw_h5_create(const char *path, const tw_h5_meta *meta, tw_h5_out **out,
                 tw_error *err);

/*
 * Reopen "<path>.partial" left by an interrupted run, to complete it. The
 * file must come from the same run: format version, seed, effective config
 * text and the shape (replicates, years, metrics) are compared with meta;
 * a mismatch is TW_EINPUT ("written by another config or seed"). On success
 * *out is the writer, done[r] (caller-owned, [n_replicates]) is 1 for the
 * replicates already in the file and, when traj ([R][Y][M], caller-owned)
 * is not NULL, their rows of traj are filled; other rows are untouched.
 * With traj == NULL nothing but done[] is read: the rows stay on disk,
 * for tw_h5_read_columns(), and memory does not grow with R. A summary
 * or target table left by a run killed just before its rename is
 * removed, to be written again. tw_h5_abort() on a resumed handle closes
 * it but keeps the file.
 */
int tw_h5_resume(const char *path, const tw_h5_meta *meta, tw_h5_out **out,
                 unsigned char *done, double *traj, tw_error *err);

/*
 * Check that the complete file `path` is a run of `meta` (format version,
 * seed, effective config, replicates, years, metrics), for --resume on a
 * run that has finished: TW_OK; TW_EINPUT when it is not a twsim run file
 * or another run's; TW_EFAIL when it cannot be read.
 */
int tw_h5_check_complete(const char *path, const tw_h5_meta *meta,
                         tw_error *err);

/*
 * Copy every replicate of the complete run file `src` (a slice, twsim
 * merge) into replicates first .. first + n - 1 of h's partial file, every
 * part of the row (/trajectories, /by_county/trajectories, ...), and mark
 * them done, with the flushes of tw_h5_write_replicates (rows before
 * flags). src's parts must be those of h, with n rows each (checked:
 * TW_EINPUT naming src). Returns TW_OK, or TW_EFAIL/TW_EINPUT with err set.
 */
int tw_h5_copy_slice(tw_h5_out *h, const char *src, size_t first,
                     tw_error *err);

/*
 * What twsim merge checks of a part (h5_slice.c): a complete run file,
 * whole or a slice (tw_h5_meta.slice_of). Strings are owned; free with
 * tw_h5_part_free.
 */
typedef struct tw_h5_part {
    int format_version;
    char *engine_version, *git_commit, *mode, *config_path;
    uint64_t seed;
    size_t n_reps;            /* rows in the file */
    size_t first, of;         /* its rows are replicates first .. first +
                                 n_reps - 1 of an ensemble of `of` (a whole
                                 run: 0 and n_reps) */
    int is_slice;
    char *text, *effective, *by_year;   /* /config; by_year may be NULL */
    char **overrides;
    size_t n_overrides;
    int has_counties, has_schools;      /* /by_county, /schools */
} tw_h5_part;

/* Read part `path`'s identity. TW_EINPUT (err names path) when it is not
 * a twsim run file, or not complete; TW_EFAIL when it cannot be read. */
int tw_h5_read_part(const char *path, tw_h5_part *p, tw_error *err);
void tw_h5_part_free(tw_h5_part *p);

/* Close the file, keeping "<path>.partial" for a later resume (after an
 * interruption). Frees h. Safe on NULL. */
int tw_h5_suspend(tw_h5_out *h, tw_error *err);

/* Write replicate `rep`'s trajectory, [n_years][n_metrics], and mark it
 * done. */
int tw_h5_write_replicate(tw_h5_out *h, size_t rep, const double *traj,
                          tw_error *err);

/* Write n replicates at once: replicate reps[i] from rows[i] (borrowed),
 * marked done, with one flush for all. */
int tw_h5_write_replicates(tw_h5_out *h, size_t n, const size_t *reps,
                           const double *const *rows, tw_error *err);

/*
 * Read back, from the file being written, the metric columns cols[0..n)
 * (strictly ascending, each < n_metrics) of every replicate and year:
 * buf (caller-owned) receives [n_replicates][n_years][n], buf[(r * n_years
 * + y) * n + k] = /trajectories[r, y, cols[k]], the bits written (NaN for
 * a replicate not yet written). HDF5 decompresses every replicate's chunk
 * on each call, so callers read many columns per call (run.c: blocks of
 * up to 32 MiB). Memory besides buf: a few hundred chunks' bookkeeping.
 */
int tw_h5_read_columns(tw_h5_out *h, size_t n, const size_t *cols,
                       double *buf, tw_error *err);

/* tw_h5_read_columns() for the metrics m0 .. m1 - 1: buf is
 * [n_replicates][n_years][m1 - m0]. */
int tw_h5_read_block(tw_h5_out *h, size_t m0, size_t m1, double *buf,
                     tw_error *err);

/* Write the /summary datasets. */
int tw_h5_write_summary(tw_h5_out *h, const tw_summary *s, tw_error *err);

/*
 * Write /targets: the definitions (name, metric, kind, op, value, year,
 * from, quote, source, note, national, scope, county) [nt], the
 * per-replicate results quantity and met [n_replicates, nt], and the
 * summary p_met, p_se, mean, p05, p50, p95 [nt] (tw_targets_eval). With
 * nc > 0 and cres [nt][nc] given, also /targets/by_county: the county
 * names counties[0..nc) as a dimension scale and each county's p_met,
 * p_lo, p_hi, mean, p05, p50, p95 [target, county] (NaN for a target that
 * is not each_county). With nt == 0 only an empty group is written.
 */
int tw_h5_write_targets(tw_h5_out *h, const tw_target *t, size_t nt,
                        const double *quantity, const unsigned char *met,
                        const tw_target_result *res,
                        const char *const *counties, size_t nc,
                        const tw_target_result *cres, tw_error *err);

/* Close the file and rename it to its final name. Frees h, even on error. */
int tw_h5_finish(tw_h5_out *h, tw_error *err);

/* Close and delete the partial file. Frees h. Safe on NULL. */
void tw_h5_abort(tw_h5_out *h);

#ifdef TW_MPI
#include <mpi.h>

/*
 * Parallel writing (twsim-mpi only, docs/cluster.md): the partial file,
 * made by tw_h5_create or tw_h5_resume on one rank and suspended, opened
 * on every rank of a communicator with parallel HDF5 (MPI-IO). Every call
 * is collective: all ranks of comm make it, in the same order.
 */
typedef struct tw_h5_par tw_h5_par;

/* Serial, before the parallel writes: allocate the chunk of every
 * replicate of h not yet written (filled with NaN), because parallel HDF5
 * 1.10 cannot allocate filtered chunks in a file that has some. */
int tw_h5_preallocate(tw_h5_out *h, tw_error *err);

/* Open "<path>.partial", whose datasets must have the shapes of meta's
 * run (every part of a row). On success *out is the caller's, closed by
 * tw_h5_par_close(). */
int tw_h5_par_open(const char *path, MPI_Comm comm, const tw_h5_meta *meta,
                   tw_h5_par **out, tw_error *err);

/* This rank's finished replicates reps[0..n) (ascending; n may be 0), rows
 * packed [n][n_years][width] (borrowed; width: every part of a row): written, marked done and
 * flushed, in one collective write per dataset. */
int tw_h5_par_write(tw_h5_par *p, size_t n, const size_t *reps,
                    const double *rows, tw_error *err);

/* Close the file (the partial file stays). Frees p; safe on NULL. */
int tw_h5_par_close(tw_h5_par *p, tw_error *err);
#endif /* TW_MPI */

/* A file read back into memory (for `twsim info` and the tests). */
typedef struct tw_h5_data {
    int format_version;
    size_t n_reps, n_years, n_metrics;
    int *years;               /* [n_years] */
    char **metric_names;      /* [n_metrics] */
    char **metric_units;      /* [n_metrics] */
    char **metric_labels;     /* [n_metrics] */
    double *trajectories;     /* [n_reps][n_years][n_metrics] */
    unsigned char *done;      /* [n_reps], 1 = replicate complete */
    tw_summary summary;
    uint64_t seed;
    char *mode, *engine_version, *git_commit, *config_text, *config_path;
    char *file_path, *group;  /* where it was read from (group NULL: the
                                 file's root) */
    char **overrides;
    size_t n_overrides;
    char *region_name;        /* "" when not recorded */
    size_t n_targets;         /* definitions from /targets (0 if none) */
    tw_target *targets;       /* strings owned; `where` = "FILE:/targets" */
    /* /by_county (full mode; 0 and NULL in markov and mean-field files):
     * the county names and the summaries, not the trajectories (those
     * grow with the replicates). county_summary.mean[(y * n_counties + c)
     * * n_metrics + m] is /by_county/summary/mean[y, c, m]; its
     * n_metrics is n_counties * n_metrics. NULL arrays in a .partial
     * file, which has no summary yet. */
    size_t n_counties;
    char **county_names;      /* [n_counties], UTF-8 */
    tw_summary county_summary;
    /* /schools (run --schools; else 0 and NULL): each school's labels
     * and, per year, its surplus (headcount minus demand, teachers)
     * mean and 90% band and P(short), [n_years][n_schools]; the arrays
     * are NULL in a .partial file. */
    size_t n_schools;
    char **school_county, **school_stage, **school_locality; /* [n_schools] */
    double *school_mean, *school_p05, *school_p95, *school_p_short;
} tw_h5_data;

/* Read the whole file. On success *out is owned by the caller, freed with
 * tw_h5_data_free(). */
int tw_h5_read(const char *path, tw_h5_data **out, tw_error *err);

/*
 * Put the complete run files files[0..n) into the new file o->partial, run
 * i as the group /scenarios/<names[i]> with its whole layout and dimension
 * scales; the root holds format_version, kind = "scenarios" and the list
 * scenario_names; close it (checked). The caller began o and ends it
 * (tw_output.h). The run files are left in place.
 */
typedef struct tw_output tw_output;
int tw_h5_merge_runs(const tw_output *o, const char *const *names,
                     const char *const *files, size_t n, tw_error *err);

/* The scenario names of a file written by tw_h5_merge_runs (new strings,
 * caller frees); *n = 0 for the file of a single run. */
int tw_h5_scenario_names(const char *path, char ***names, size_t *n,
                         tw_error *err);

/* The same for a run stored as a group of a scenario file, e.g.
 * group = "scenarios/base" (NULL: the file's root). */
int tw_h5_read_group(const char *path, const char *group, tw_h5_data **out,
                     tw_error *err);

void tw_h5_data_free(tw_h5_data *d);

/*
 * The county rows of a run file (group NULL: the root; else e.g.
 * "scenarios/base"): *n_counties, their names (new strings, caller frees
 * each and the array) and *rows, /by_county/trajectories [replicate,
 * year, county, metric] (new buffer). A file without county results gives
 * TW_OK with *n_counties = 0 and NULL pointers.
 */
int tw_h5_read_county_rows(const char *path, const char *group,
                           size_t *n_counties, char ***names, double **rows,
                           tw_error *err);

#endif /* TW_H5_H */
