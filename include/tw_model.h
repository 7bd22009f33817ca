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

/*
 * Parameters that vary by replicate (parameter uncertainty, built by
 * tw_uncertain.h): replicate r runs at point r / per_point. A point's
 * parameters are the model's own with some values replaced: slot k puts
 * value `assign` of the point (a row of n_assign numbers) at byte
 * `offset` of block `block` (tw_param_blocks), stored as `type`. Each
 * worker applies them to its own copy of the blocks, once per replicate,
 * before the replicate's first year. When `rebuild` is set, the slots
 * are not enough for some setting: a point's whole config is loaded by
 * rebuild (called by one worker at a time) and its blocks copied.
 */
enum {
    TW_PB_STOCK,      /* full: world->stock */
    TW_PB_PARAMS,     /* full: world->params[n_years] */
    TW_PB_CPARAMS,    /* full: world->cparams[n_years * n_counties] */
    TW_PB_SCHOOLS,    /* full: world->schools[n_schools] */
    TW_PB_TRANSITION, /* markov: cfg->transition */
    TW_PB_TIERS,      /* markov: cfg->tier_counts */
    TW_PB_QUOTA,      /* markov: cfg->annual_quota */
    TW_N_PBLOCKS
};
enum { TW_PT_F64, TW_PT_I64, TW_PT_I32 };

typedef struct tw_param_block {
    void *p;
    size_t size;
} tw_param_block;

/* The blocks of cfg's parameters (of world w in full mode, which may be a
 * copy of cfg->world): b[TW_PB_*] gets each block; the ones of the other
 * mode are {NULL, 0}. */
void tw_param_blocks(const tw_config *cfg, const tw_world *w,
                     tw_param_block b[TW_N_PBLOCKS]);

typedef struct tw_var_slot {
    size_t offset;
    uint32_t assign;
    uint8_t block, type;
} tw_var_slot;

/* Put value v into slot sl of the blocks b (as the slot's type: whole
 * numbers rounded to the nearest). */
void tw_var_slot_put(const tw_param_block b[TW_N_PBLOCKS],
                     const tw_var_slot *sl, double v);

typedef struct tw_variation {
    size_t per_point, n_points, n_assign;
    const double *assign;          /* [n_points][n_assign] */
    size_t n_slots;
    const tw_var_slot *slots;
    int (*rebuild)(void *ctx, size_t point, tw_param_block *to,
                   tw_error *err); /* fills the blocks `to` */
    void *ctx;
} tw_variation;

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
    const tw_variation *var;       /* borrowed; NULL: every replicate runs
                                      with the config's parameters */
} tw_model;

/* Vary the parameters by replicate (see tw_variation); v is borrowed and
 * must outlive the workers. Call before any worker is made. */
void tw_model_set_variation(tw_model *m, const tw_variation *v);

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
