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

/* The 90% Wilson score interval [*lo, *hi] for k successes in n trials
 * (z = 1.645; [0, 1] when n == 0): the interval of every P(met). */
void tw_wilson(size_t k, size_t n, double *lo, double *hi);

/* Verdict words for a result at a confidence level c in (0.5, 1):
 * "on track" (P >= c), "off track" (P <= 1 - c), else "uncertain". */
const char *tw_target_verdict(const tw_target_result *r, double c);

/* Verdict words for the result of one deterministic run (the mean
 * field, where p_met is 1 or 0): "met" or "not met". */
const char *tw_target_verdict_value(const tw_target_result *r);

/* Free the strings of t[0..n) (name, metric, quote, source, note,
 * county) and the array t itself; t may be NULL. */
void tw_targets_free(tw_target *t, size_t n);

/* The edit distance (insertions, deletions, substitutions of bytes)
 * between a and b, for "did you mean" hints; when b is longer than 127
 * bytes, the longer length. */
size_t tw_levenshtein(const char *a, const char *b);

/* The index of the entry of names[0..n) nearest to `name` by
 * tw_levenshtein (the first of the nearest; 0 when n == 0), for "did you
 * mean" hints; *dist (may be NULL) receives its distance, 0 for an exact
 * match, (size_t)-1 when n == 0. */
size_t tw_nearest(const char *name, const char *const *names, size_t n,
                  size_t *dist);

/* Columns the UTF-8 string s takes on a terminal (CJK characters: two),
 * for the report tables. */
int tw_text_width(const char *s);

/* Print s to f, then spaces up to w columns (tw_text_width). */
void tw_text_pad(FILE *f, const char *s, int w);

/*
 * Counties. A run with county results has rows of width nw = nm * (1 + nc)
 * per year: the region's nm metrics, then each county's, in the order of
 * the county names:
 *
 *   | region m=0..nm-1 | county 0: m=0..nm-1 | ... | county nc-1: ... |
 *     column m           column nm + c*nm + m
 *
 * A caller without county results (markov or mean-field mode) passes
 * nc = 0 and rows of width nm; a target of scope county or each_county is
 * then a TW_EINPUT error naming it.
 *
 * A target of scope each_county is evaluated in every county; in a
 * replicate it is met if every county meets it, and its quantity is the
 * worst county's: the smallest for op >= and >, the largest for <= and <
 * (so that met <=> the quantity meets the threshold, as for the others).
 */

/*
 * Find each target's metric among names[0..nm), its county among
 * counties[0..nc) (scope county), and check its years lie in years[0..ny).
 * cols is [nt][1 + nc], caller-owned: for target i, cols[i*(1+nc)] is the
 * column its quantity reads in a row of width nm * (1 + nc) (scope region:
 * m; county c: nm + c*nm + m; each_county: m, unused) and, for
 * each_county only, cols[i*(1+nc) + 1 + c] county c's column; unused
 * entries are -1. Returns TW_OK, or TW_EINPUT with one line per problem
 * ("<where>: targets: '<name>': ...", nearest metric suggested, valid
 * county names listed).
 */
int tw_targets_resolve(const tw_target *t, size_t nt,
                       const char *const *names, size_t nm,
                       const char *const *counties, size_t nc,
                       const int *years, size_t ny, long *cols,
                       tw_error *err);

/*
 * The quantity of target t (column col) on one replicate's trajectory
 * traj [ny][nw]; *met is set to whether it is met. The scope is the
 * caller's (col says where).
 */
double tw_target_quantity(const tw_target *t, long col, const double *traj,
                          size_t nw, const int *years, size_t ny, int *met);

/*
 * Evaluate every target on every replicate of traj [reps][ny][nw], with
 * the columns cols [nt][1 + nc] of tw_targets_resolve (a caller that reads
 * only some columns into a narrower buffer remaps them; nw is the buffer's
 * row width). quantity and met are [reps][nt], res is [nt]: for an
 * each_county target the aggregate (met in every county, the worst
 * county's quantity). cres [nt][nc] receives each county's result of an
 * each_county target and all-NaN results for the other targets; it may
 * be NULL. All caller-owned. Returns TW_OK, TW_EINPUT (a county target
 * with nc == 0) or TW_EFAIL (memory).
 */
int tw_targets_eval(const tw_target *t, size_t nt, const long *cols,
                    size_t nc, const double *traj, size_t reps, size_t ny,
                    size_t nw, const int *years, double *quantity,
                    unsigned char *met, tw_target_result *res,
                    tw_target_result *cres, tw_error *err);

/*
 * Resolve t[0..nt) against a run's metric names [nm], county names [nc]
 * and years [ny] (tw_targets_resolve), then evaluate them on the first
 * `reps` replicates of traj [reps][ny][nm * (1 + nc)] (tw_targets_eval)
 * into res [nt], cres [nt][nc] (may be NULL) and, when met is not NULL,
 * met [reps][nt] (all caller-owned). The scratch it needs is its own.
 * Returns TW_OK, TW_EINPUT (a target the run cannot evaluate) or TW_EFAIL
 * (memory).
 */
int tw_targets_on_run(const tw_target *t, size_t nt,
                      const char *const *names, size_t nm,
                      const char *const *counties, size_t nc,
                      const int *years, size_t ny, const double *traj,
                      size_t reps, unsigned char *met, tw_target_result *res,
                      tw_target_result *cres, tw_error *err);

/*
 * Print the report table to f. A county target shows its county after
 * its name; under an each_county target, when cres [nt][nc] is given and
 * nc > 0, a table of each county's P(met), mean and 90% band. Returns the
 * number of targets whose P(met) (for each_county: P(every county meets
 * it)) is below `confidence`.
 */
size_t tw_targets_report(FILE *f, const char *title, const tw_target *t,
                         size_t nt, const tw_target_result *res,
                         const char *const *counties, size_t nc,
                         const tw_target_result *cres, size_t reps,
                         double confidence);

/*
 * The report of one deterministic run (a mean-field file): per target its
 * year and condition, the value of the compared quantity (res[i].mean)
 * and the verdict "met" / "not met" (tw_target_verdict_value); no
 * probability, no interval and no replicate count, which one run of
 * expected values does not have. Returns the number of targets not met.
 */
size_t tw_targets_report_value(FILE *f, const char *title,
                               const tw_target *t, size_t nt,
                               const tw_target_result *res);

#endif
