/*
 * tw_targets.h - the plan's targets (MODEL.md section 7): evaluated on each
 * replicate's trajectory, summarised over the ensemble, and reported.
 *
 * For each replicate a target yields a quantity (see tw_target_kind in
 * tw_config.h) and whether it is met (quantity <op> value). The report
 * gives P(met) over the replicates with its Monte Carlo standard error and
 * a 90% Wilson interval,
 * and the mean and 90% band (p05 - p95) of the quantity.
 */
#ifndef TW_TARGETS_H
#define TW_TARGETS_H

#include <stddef.h>
#include <stdio.h>

#include "tw_config.h"
#include "tw_error.h"

typedef struct tw_target_result {
    double p_met;  /* share of replicates meeting the target */
    double p_se;   /* its standard error, sqrt(p (1 - p) / n) */
    double p_lo, p_hi; /* 90% Wilson score interval for P(met): honest at
                          p = 0 or 1, where the standard error is 0 */
    double mean, p05, p50, p95; /* of the quantity */
} tw_target_result;

/* Verdict words for a result at a confidence level c in (0.5, 1):
 * "on track" (P >= c), "off track" (P <= 1 - c), else "uncertain". */
const char *tw_target_verdict(const tw_target_result *r, double c);

/* Free the strings of t[0..n) (name, metric, quote, source, note) and
 * the array t itself; t may be NULL. */
void tw_targets_free(tw_target *t, size_t n);

/* The edit distance (insertions, deletions, substitutions of bytes)
 * between a and b, for "did you mean" hints; when b is longer than 127
 * bytes, the longer length. */
size_t tw_levenshtein(const char *a, const char *b);

/* Columns the UTF-8 string s takes on a terminal (CJK characters: two),
 * for the report tables. */
int tw_text_width(const char *s);

/*
 * Find each target's metric among names[0..nm) and check its years lie in
 * years[0..ny). cols[i] receives the column. Returns TW_OK, or TW_EINPUT
 * with one line per problem ("<where>: targets: '<name>': ...", nearest
 * metric suggested).
 */
int tw_targets_resolve(const tw_target *t, size_t nt,
                       const char *const *names, size_t nm, const int *years,
                       size_t ny, long *cols, tw_error *err);

/*
 * The quantity of target t (metric column col) on one replicate's
 * trajectory traj [ny][nm]; *met is set to whether it is met.
 */
double tw_target_quantity(const tw_target *t, long col, const double *traj,
                          size_t nm, const int *years, size_t ny, int *met);

/*
 * Evaluate every target on every replicate of traj [reps][ny][nm].
 * quantity and met are [reps][nt], res is [nt], all caller-owned.
 * Returns TW_OK or TW_EFAIL (memory).
 */
int tw_targets_eval(const tw_target *t, size_t nt, const long *cols,
                    const double *traj, size_t reps, size_t ny, size_t nm,
                    const int *years, double *quantity, unsigned char *met,
                    tw_target_result *res, tw_error *err);

/*
 * Resolve t[0..nt) against a run's metric names [nm] and years [ny]
 * (tw_targets_resolve), then evaluate them on the first `reps` replicates
 * of traj [reps][ny][nm] (tw_targets_eval) into res [nt] and, when met is
 * not NULL, met [reps][nt] (both caller-owned). The scratch it needs is
 * its own. Returns TW_OK, TW_EINPUT (a target the run cannot evaluate) or
 * TW_EFAIL (memory).
 */
int tw_targets_on_run(const tw_target *t, size_t nt,
                      const char *const *names, size_t nm, const int *years,
                      size_t ny, const double *traj, size_t reps,
                      unsigned char *met, tw_target_result *res,
                      tw_error *err);

/*
 * Print the report table to f. Returns the number of targets whose P(met)
 * is below `confidence`.
 */
size_t tw_targets_report(FILE *f, const char *title, const tw_target *t,
                         size_t nt, const tw_target_result *res, size_t reps,
                         double confidence);

#endif
