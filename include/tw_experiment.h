/*
 * tw_experiment.h - policy experiments for HR planners: paired comparisons
 * of two runs on common random numbers, and the search for the smallest
 * value of a policy lever that meets targets with a given probability.
 *
 * Common random numbers: replicate k of every scenario and every lever
 * value draws from the stream of (seed, 0, k) (docs/model.md), so two
 * runs that differ only in policy differ only by the policy's effect, and
 * paired differences (alt − base, replicate by replicate) have far less
 * noise than the difference of two independent ensembles.
 */
#ifndef TW_EXPERIMENT_H
#define TW_EXPERIMENT_H

#include <signal.h>
#include <stddef.h>
#include <stdio.h>

#include "tw_error.h"
#include "tw_h5.h"
#include "tw_output.h"
#include "tw_run.h"
#include "tw_targets.h"

/* Paired difference alt − base of one quantity over the replicates. */
typedef struct tw_paired {
    double mean;          /* mean difference */
    double sd;            /* sd of the per-replicate differences */
    double ci_lo, ci_hi;  /* 90% interval of the mean difference (t; for
                             a target's change in P(met), Newcombe's) */
    double p05, p95;      /* 90% band of the per-replicate differences */
    int same;             /* every replicate's difference is the same
                             (then sd 0, and mean, ci_lo, ci_hi, p05 and
                             p95 are that difference exactly) */
} tw_paired;

/* A comparison of two runs with the same years, metrics and replicates. */
typedef struct tw_comparison {
    size_t n_reps, n_years, n_metrics, n_targets;
    tw_paired *metric;    /* [n_years][n_metrics] */
    /* targets present in both runs (by name), in base order */
    char **target_names;  /* [n_targets], owned */
    double *p_base, *p_alt; /* [n_targets] P(met) */
    tw_paired *dp;        /* [n_targets]: paired difference of the met
                             indicators, i.e. the change in P(met) */
    size_t *gained, *lost;/* [n_targets]: replicates met only in alt /
                             only in base */
} tw_comparison;

/* Paired statistics of d[0..n) (n >= 1). */
void tw_paired_stats(const double *d, size_t n, tw_paired *out);

/*
 * The 90% interval [*lo, *hi] of the change in a proportion between two
 * paired samples of n = both + gained + lost + neither (alt − base: a
 * replicate "gained" meets only in alt, "lost" only in base), by
 * Newcombe's hybrid score method (Stat. Med. 17, 1998, method 10): the
 * two Wilson intervals (tw_wilson) joined with the correlation of the
 * pairs. Unlike the t interval of the paired differences it does not
 * collapse when every replicate gains (8 of 8: [+0.64, +1]) or none
 * changes; within [-1, 1]. [-1, 1] when n == 0.
 */
void tw_paired_change_interval(size_t both, size_t gained, size_t lost,
                               size_t neither, double *lo, double *hi);

/*
 * Compare run `alt` with run `base` (read with tw_h5_read): they must have
 * the same years, metric names and replicate count, every replicate
 * complete (else TW_EINPUT with the reason). *out is filled; free it with
 * tw_comparison_free.
 */
int tw_compare(const tw_h5_data *base, const tw_h5_data *alt,
               tw_comparison *out, tw_error *err);

void tw_comparison_free(tw_comparison *c);

/*
 * Store the comparison in the existing twsim file `path`, as the group
 * /comparisons/<alt_name>-vs-<base_name>: mean, sd, ci_lo, ci_hi, p05,
 * p95 [year, metric] of the paired differences, and per target
 * p_met_base, p_met_alt, p_met_change (+ _lo, _hi), gained, lost; its
 * attributes base, alt (the names) and base_file, alt_file (may be NULL:
 * not written). A group of that name already in the file is replaced
 * only with `force`; otherwise the new one is <alt>-vs-<base>.2, .3, ...
 * (the first free), so no comparison overwrites another. `stored`
 * [cap] receives the group's name. The file is never changed in place:
 * under its writer's lock a copy, "<path>.partial", gets the group and
 * replaces it once closed without error (tw_output.h); on any failure
 * `path` is as it was.
 */
int tw_comparison_write(const char *path, const tw_comparison *c,
                        const char *base_name, const char *alt_name,
                        const char *base_file, const char *alt_file,
                        int force, char *stored, size_t cap, tw_error *err);

/*
 * Which metrics a comparison shows, into show [base->n_metrics] (1 shown,
 * 0 not); returns how many are shown. `all`: every metric; else `filter`
 * (not NULL): those whose name contains it; else the default: the
 * targets' metrics and those they depend on (docs/experiments.md,
 * "Which metrics compare shows"), and teachers.total, hires.total and
 * exits.total.
 */
size_t tw_compare_select(const tw_h5_data *base, const char *filter,
                         int all, unsigned char *show);

/* Print the comparison: targets first, then the metrics show [n_metrics]
 * selects in the last year, each with its label and unit. */
void tw_comparison_print(FILE *f, const tw_comparison *c,
                         const tw_h5_data *base, const char *base_name,
                         const char *alt_name, const unsigned char *show);


/* ------------------------------------------------------------------ */
/* Lever searches                                                       */
/* ------------------------------------------------------------------ */

/* One evaluation: an ensemble with the lever at `value`. */
typedef struct tw_eval {
    double value;
    double value2;               /* the second lever's (sweep), else 0 */
    double *p_met, *p_lo, *p_hi; /* [n_targets]: P(met), 90% Wilson */
    double *mean;                /* [n_targets]: mean of the compared
                                    quantity over the replicates */
    double p_all;                /* all named targets met together */
    int ok;                      /* every p_met >= the required prob */
    size_t n_reps;               /* replicates 0..n_reps-1 of the streams */
    unsigned char *met;          /* [n_reps][n_targets]: replicate r met
                                    target i (for paired checks) */
    double *values;              /* several levers: [n_levers], owned */
    double cost;                 /* several levers: sum of per_unit * value */
} tw_eval;

/* What an evaluation runs: the config, its overrides, the lever, the
 * named targets. Evaluations write their runs to tmp_dir. */
typedef struct tw_lever_ctx {
    const char *config;
    const char *const *sets;
    size_t n_sets;
    const char *lever;           /* a config key, e.g. recruitment.quota */
    const char *lever2;          /* sweep only: a second lever, or NULL */
    double value2;               /* its value for this evaluation */
    const char *const *levers;   /* several levers (tw_optimize_multi):
                                    [n_levers] keys, else NULL; they
                                    replace lever and lever2 */
    size_t n_levers;
    const double *values;        /* [n_levers] for this evaluation */
    char **targets;              /* names; NULL = every target */
    size_t n_targets;
    double prob;                 /* required P(met) */
    size_t reps;                 /* replicates per evaluation; 0: the
                                    config's (after the overrides) */
    double level;                /* level of the p_lo, p_hi intervals;
                                    0: 0.9 */
    const char *tmp_dir;         /* scratch: each evaluation's run file */
    FILE *log;                   /* one line per evaluation, or NULL */
    size_t threads;              /* threads of each evaluation's ensemble;
                                    0: one per CPU (tw_run_opts) */
    volatile sig_atomic_t *stop; /* a signal's number stops the evaluation
                                    in progress (TW_ESTOPPED); may be NULL */
    /*
     * Several processes evaluating together (twsim-mpi optimize): every
     * process runs the same search in lockstep, with the same tmp_dir.
     * run is collective (tw_mpi_run) and writes tmp_dir/eval.h5 once;
     * then every process reads it back, so all compute the same results
     * and take the same branches. agree (tw_mpi_agree) is called after
     * the config is loaded and after the file is read back: every
     * process gets the highest status, so none waits in a run that
     * another left. Only the process with keep_scratch == 0 removes
     * scratch files, after that second agree (which every process
     * reaches once it is done with the file).
     * NULL, NULL, 0: one process, tw_run.
     */
    int (*run)(const tw_config *cfg, const tw_run_opts *opts,
               tw_run_stats *stats, tw_error *err);
    int (*agree)(int rc, tw_error *err);
    int keep_scratch;            /* another process clears tmp_dir */
} tw_lever_ctx;

/* Remove every file an evaluation may leave in ctx->tmp_dir (a stopped or
 * failed run's partial file, its lock), so the directory can go. */
void tw_lever_scratch_clear(const tw_lever_ctx *ctx);

/*
 * Run the ensemble with lever = value (and lever2 = value2) on common
 * random numbers (the config's seed) and fill *out (arrays allocated,
 * free with tw_eval_free). On the first call with ctx->targets == NULL
 * the names of all the config's targets are filled in.
 */
int tw_lever_eval(tw_lever_ctx *ctx, double value, tw_eval *out,
                  tw_error *err);

void tw_eval_free(tw_eval *e);

/*
 * Load the config as an evaluation with lever = value (lever2 = value2)
 * would, without running it: TW_OK when the config validator accepts the
 * values, else TW_EINPUT with its messages (or TW_EFAIL). Used to check a
 * range or a list of values before the first evaluation.
 */
int tw_lever_check(const tw_lever_ctx *ctx, double value, double value2,
                   tw_error *err);

/* What the sequential search could say about the answer (tw_optimize). */
typedef enum tw_opt_decision {
    TW_OPT_NONE,            /* even HI falls short: no answer in range */
    TW_OPT_SEPARATED,       /* the answer's interval lies above P and the
                               value below's below P (or the answer is LO) */
    TW_OPT_BELOW_UNDECIDED, /* the answer's interval lies above P; the value
                               below's straddles P when the budget ran out */
    TW_OPT_UNDECIDED,       /* no value's interval cleared P within the
                               budget (answer: the point estimate's) */
    TW_N_OPT_DECISIONS
} tw_opt_decision;

/* Words for a decision, as written to the file ("separated", ...). */
extern const char *const tw_opt_decision_names[TW_N_OPT_DECISIONS];

/* The result of tw_optimize: every evaluation in the order made (a value
 * evaluated again with more replicates appears again, later). */
typedef struct tw_search {
    tw_eval *evals;
    size_t n_evals;
    long answer;   /* index into evals of the answer's last evaluation, -1
                      when no value in the range meets */
    long below;    /* index of the last evaluation of the grid value just
                      below the answer, -1 when the answer is LO */
    tw_opt_decision decision;
    size_t max_reps; /* the budget: replicates per value */
} tw_search;

/*
 * Smallest value on the grid lo, lo + step, ..., hi for which every named
 * target is met with P(met) >= ctx->prob, by sequential sampling on common
 * random numbers (docs/experiments.md):
 *
 *  1. bracket with ctx->reps replicates per value: hi (if its estimate
 *     falls short, no value suffices: TW_OPT_NONE), lo, then bisection
 *     to two neighbours, the lower falling short and the upper meeting;
 *  2. while the upper's interval (level ctx->level) does not lie above P
 *     or the lower's below it, evaluate the undecided ones again with
 *     twice the replicates (replicate k uses stream k, so the first ones
 *     are those already run), at most max_reps; when an estimate crosses
 *     P the bracket moves and bisection resumes;
 *  3. when the budget is spent and the upper's interval still straddles
 *     P, the smallest value above it whose interval clears P at max_reps
 *     (bisection on that criterion) becomes the answer.
 *
 * This assumes P(met) does not fall as the lever rises (true on common
 * random numbers for levers that add capacity); tw_search_monotone checks
 * it. max_reps >= ctx->reps; ctx->reps must be > 0.
 */
int tw_optimize(tw_lever_ctx *ctx, double lo, double hi, double step,
                size_t max_reps, tw_search *out, tw_error *err);

/*
 * Check the evaluations of s for P(met) falling where it should rise: for
 * each pair of neighbouring evaluated values (their last evaluations) and
 * each target, the replicates they share are compared one by one; a warning
 * line goes to f when the replicates that lose the target at the higher
 * value outnumber those that gain it by more than 3 standard deviations of
 * a sign test. Returns the number of warnings.
 */
size_t tw_search_monotone(const tw_lever_ctx *ctx, const tw_search *s,
                          FILE *f);

void tw_search_free(tw_search *s, size_t n_targets);

/* One lever of a search over several: its key, grid and cost. */
typedef struct tw_lever_range {
    const char *key;
    double lo, hi, step;   /* the grid lo, lo + step, ..., <= hi */
    double per_unit;       /* the config's cost of one unit (costs[]) */
} tw_lever_range;

/* The result of tw_optimize_multi. */
typedef struct tw_multi {
    tw_eval *evals;        /* every evaluation in the order made; values
                              and cost set */
    size_t n_evals;
    size_t *frontier;      /* [n_frontier] indices into evals: for each
                              value of the first lever that can meet, the
                              combination found with the others as low as
                              they go, in order of the first lever */
    size_t n_frontier;
    long answer;           /* index into evals of the last evaluation of
                              the cheapest combination shown to meet, or
                              -1 */
    tw_opt_decision decision; /* SEPARATED: the answer's interval clears
                              P and every cheaper frontier point was shown
                              to fall short; BELOW_UNDECIDED: a cheaper one
                              was left undecided; UNDECIDED: none was shown
                              to meet; NONE: even every lever at HI falls
                              short */
    size_t max_reps;
} tw_multi;

/*
 * The cheapest combination of the levers lv[0..n) (n >= 2) that meets
 * every named target with P(met) >= ctx->prob, by coordinate search on
 * common random numbers (docs/experiments.md):
 *
 *  1. every lever at HI (if that falls short, nothing in range meets);
 *  2. for each value of lv[0], lowest first, the others are lowered in
 *     turn, the dearest step first, each to its smallest grid value that
 *     still meets by bisection, starting from the previous value's
 *     combination (which still meets when lv[0] rises): one frontier
 *     point per value, with ctx->reps replicates;
 *  3. the frontier points in order of cost get more replicates (doubling,
 *     at most max_reps) until one's interval lies above P: the answer.
 *     Points whose interval falls below P are passed over.
 *
 * Evaluations: about |grid of lv[0]| x sum over the others of log2 of
 * their grid, not the product of the grids. ctx->lever must be lv[0].key.
 */
int tw_optimize_multi(tw_lever_ctx *ctx, const tw_lever_range *lv, size_t n,
                      size_t max_reps, tw_multi *out, tw_error *err);

void tw_multi_free(tw_multi *m);

/* Write a search over several levers to o->partial (as
 * tw_experiment_write, plus values [evaluation, lever], cost
 * [evaluation], levers, per_unit [lever] and frontier). */
int tw_experiment_write_multi(const tw_output *o, const tw_lever_ctx *ctx,
                              const tw_lever_range *lv, size_t n,
                              const tw_multi *m, tw_error *err);

/* Write the evaluations to o->partial, a new HDF5 file (table layout in
 * docs/experiments.md), with the search's answer as attributes, and close
 * it (checked). The caller began o and ends it (tw_output.h). */
int tw_experiment_write(const tw_output *o, const char *kind,
                        const tw_lever_ctx *ctx, const tw_eval *evals,
                        size_t n, long answer, long below, tw_error *err);

/* As tw_experiment_write, for optimize: also the decision and the budget
 * (attributes decision, max_replicates, interval_level). */
int tw_experiment_write_search(const tw_output *o, const tw_lever_ctx *ctx,
                               const tw_search *s, tw_error *err);

#endif /* TW_EXPERIMENT_H */
