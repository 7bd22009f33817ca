/*
 * tw_model.h - the simulation: a read-only model built from a config, and
 * per-worker state that runs one replicate at a time.
 *
 *   tw_model   built once from a tw_config; owns the metric table, the
 *              recorded years and precomputed tables. Never written while
 *              replicates run, so any number of workers can share it.
 *   tw_worker  one per thread: the teacher records (full mode) or the
 *              headcount per tier (Markov mode), and a GSL generator.
 *              Reused from replicate to replicate, so a replicate allocates
 *              nothing per teacher-year.
 *
 * A replicate's trajectory is a [n_years][width] row-major array of
 * doubles; row 0 is the state at base_year (the initial stock, flows 0),
 * row t the state at the end of year base_year + t. A year's row is made
 * of parts (tw_model_set_parts):
 *
 *   [0, M)                  the region's metrics (M = metrics.n)
 *   [M + c M, M + (c+1) M)  county c's values of the same metrics, for
 *                           c < n_counties (full mode; 0 otherwise)
 *   [M (1 + C) + 2 i], +1   school i's headcount minus demand, and 1 when
 *                           it is short (headcount < round(demand)), for
 *                           i < n_schools (only when asked for)
 */
#ifndef TW_MODEL_H
#define TW_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "tw_config.h"
#include "tw_error.h"
#include "tw_metrics.h"
#include "tw_record.h"

typedef struct tw_model {
    const tw_config *cfg;          /* borrowed; must outlive the model */
    size_t n_years;
    int *years;                    /* [n_years], owned */
    tw_metric_table metrics;       /* owned */
    /* Markov mode: destination probabilities of a teacher of tier i:
     * dest[i][j] = P(i,j), dest[i][n_tiers] = 1 - row sum (leaving). */
    double dest[TW_MAX_TIERS][TW_MAX_TIERS + 1];
    /* Markov mode: column of each metric (indices into metrics). */
    size_t m_tier0, m_total, m_hires, m_exits, m_hires_cum;
    /* Full mode: the world (borrowed from cfg) and the metric columns. */
    const tw_world *world;
    tw_fm fm;
    /* The parts of a year's row (see above): counties and schools
     * recorded, and the row's width, M (1 + n_counties) + 2 n_schools. */
    size_t n_counties, n_schools, width;
} tw_model;

/* Values per school in the schools part of a row. */
#define TW_SCHOOL_VALUES 2

/*
 * Choose the parts of a row: `counties` records every county's metrics
 * (full mode only: a Markov model has no counties), `schools` every
 * school's shortfall. tw_model_init sets both off (the row is the
 * region's metrics); the ensemble (tw_run) turns counties on. Call before
 * any worker is made.
 */
void tw_model_set_parts(tw_model *m, int counties, int schools);

/* Build the model for `cfg`. On failure the model is left empty. */
int tw_model_init(tw_model *m, const tw_config *cfg, tw_error *err);

/* Free what tw_model_init allocated. */
void tw_model_free(tw_model *m);

/* Values per replicate: n_years * width. */
size_t tw_model_traj_len(const tw_model *m);

typedef struct tw_worker tw_worker;

/* A worker for model `m` (borrowed). NULL (err set) when memory runs out. */
tw_worker *tw_worker_alloc(const tw_model *m, tw_error *err);

void tw_worker_free(tw_worker *w);

/*
 * Simulate replicate `rep` of scenario `scenario` into `traj`
 * (tw_model_traj_len doubles, caller-owned). The result depends only on
 * (config, seed, scenario, rep).
 */
int tw_worker_run(tw_worker *w, uint32_t scenario, uint64_t rep,
                  double *traj, tw_error *err);

/* The work of a replicate, for throughput figures (twsim run, make bench). */
typedef struct tw_work {
    uint64_t teacher_years; /* teachers at the start of each simulated year
                               (base_year + 1 .. end_year), summed */
    uint64_t draws;         /* 32-bit random words drawn by those years
                               (not by the initial population) */
} tw_work;

/* The work of the last tw_worker_run of w that succeeded. */
tw_work tw_worker_last_work(const tw_worker *w);

#endif /* TW_MODEL_H */
