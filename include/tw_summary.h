/*
 * tw_summary.h - per-year, per-metric summaries of an ensemble.
 *
 * Computed exactly from the stored trajectories (no streaming
 * approximation; a run reads them back in blocks of metrics): mean,
 * sample standard deviation (n - 1 denominator; 0 when there is one
 * replicate) and the 5th, 50th and 95th percentiles by linear
 * interpolation between order statistics, which is GSL's
 * gsl_stats_quantile_from_sorted_data and numpy's default ("linear")
 * method.
 */
#ifndef TW_SUMMARY_H
#define TW_SUMMARY_H

#include <stddef.h>

#include "tw_error.h"

typedef struct tw_summary {
    size_t n_years, n_metrics;
    /* Each array is [n_years * n_metrics], row-major (year, metric). */
    double *mean, *sd, *p05, *p50, *p95;
} tw_summary;

/*
 * Summarise `traj`, laid out [n_reps][n_years][n_metrics] row-major, into a
 * newly allocated summary that the caller frees with tw_summary_free().
 * Returns TW_OK, or TW_EFAIL when memory runs out or n_reps is 0.
 */
int tw_summary_compute(const double *traj, size_t n_reps, size_t n_years,
                       size_t n_metrics, tw_summary *out, tw_error *err);

/*
 * The same in blocks of metrics, for ensembles too large to hold at once
 * (run.c reads them back from the output file): tw_summary_alloc() makes
 * the arrays (contents undefined until every metric's block is in; on
 * failure *s is zeroed), then each tw_summary_block() fills the cells of
 * metrics m0 .. m0 + nb - 1 from `block`, the trajectories restricted to
 * those metrics, [n_reps][n_years][nb] row-major (borrowed, not modified).
 * Every cell depends on its own column alone, so the result is bitwise
 * that of tw_summary_compute() however the metrics are split. Both return
 * TW_OK, or TW_EFAIL (memory, n_reps == 0, metrics out of range).
 */
int tw_summary_alloc(tw_summary *s, size_t n_years, size_t n_metrics,
                     tw_error *err);
int tw_summary_block(tw_summary *s, const double *block, size_t n_reps,
                     size_t m0, size_t nb, tw_error *err);

/* Free the arrays; safe on a zeroed summary. */
void tw_summary_free(tw_summary *s);

#endif /* TW_SUMMARY_H */
