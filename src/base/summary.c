/* summary.c - exact per-year, per-metric ensemble summaries (tw_summary.h). */
#include "tw_summary.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

void tw_summary_free(tw_summary *s)
{
    if (s == NULL)
        return;
    free(s->mean);
    free(s->sd);
    free(s->p05);
    free(s->p50);
    free(s->p95);
    s->mean = s->sd = s->p05 = s->p50 = s->p95 = NULL;
    s->n_years = s->n_metrics = 0;
}

int tw_summary_alloc(tw_summary *s, size_t n_years, size_t n_metrics,
                     tw_error *err)
{
    *s = (tw_summary){ .n_years = n_years, .n_metrics = n_metrics };
    size_t cells = n_years * n_metrics;
    if (n_years != 0 && cells / n_years != n_metrics)
        goto oom;
    size_t nalloc = cells ? cells : 1; /* keep the arrays non-NULL */
    if (nalloc > SIZE_MAX / sizeof(double))
        goto oom;
    s->mean = malloc(nalloc * sizeof(double));
    s->sd = malloc(nalloc * sizeof(double));
    s->p05 = malloc(nalloc * sizeof(double));
    s->p50 = malloc(nalloc * sizeof(double));
    s->p95 = malloc(nalloc * sizeof(double));
    if (s->mean && s->sd && s->p05 && s->p50 && s->p95)
        return TW_OK;
oom:
    tw_summary_free(s);
    return tw_error_set(err, TW_EFAIL, "out of memory for the summary of "
                        "%zu years x %zu metrics", n_years, n_metrics);
}

/*
 * For each (year, metric) cell of the block, copy its column across
 * replicates into one scratch buffer (in replicate order), take the mean
 * and sd from it with the same sequential two-pass sums numpy uses along
 * axis 0, then sort it in place for the quantiles. A cell's statistics
 * depend only on its own column, so any split of the metrics into blocks
 * gives the same bits. A column containing NaN gets NaN for every
 * statistic (as numpy does).
 */
int tw_summary_block(tw_summary *s, const double *block, size_t n_reps,
                     size_t m0, size_t nb, tw_error *err)
{
    size_t ny = s->n_years, nm = s->n_metrics;
    if (n_reps == 0)
        return tw_error_set(err, TW_EFAIL,
                            "cannot summarise an ensemble of 0 replicates");
    if (m0 > nm || nb > nm - m0)
        return tw_error_set(err, TW_EFAIL, "internal: metrics %zu..%zu of "
                            "a summary of %zu metrics", m0, m0 + nb, nm);
    if (n_reps > SIZE_MAX / sizeof(double))
        goto oom;
    double *col = malloc(n_reps * sizeof(double));
    if (col == NULL)
        goto oom;
    size_t stride = ny * nb;   /* one replicate's row of the block */
    for (size_t y = 0; y < ny; y++) {
        for (size_t j = 0; j < nb; j++) {
            size_t c = y * nm + m0 + j;
            const double *x = block + y * nb + j;
            int has_nan = 0;
            double sum = 0.0;
            for (size_t r = 0; r < n_reps; r++) {
                col[r] = x[r * stride];
                has_nan |= isnan(col[r]);
                sum += col[r];
            }
            double mean = sum / (double)n_reps;
            double ss = 0.0;
            for (size_t r = 0; r < n_reps; r++)
                ss += (col[r] - mean) * (col[r] - mean);
            s->mean[c] = mean;
            s->sd[c] = n_reps > 1 ? sqrt(ss / (double)(n_reps - 1)) : 0.0;
            if (has_nan) {
                s->sd[c] = s->p05[c] = s->p50[c] = s->p95[c] = NAN;
                continue;
            }
            gsl_sort(col, 1, n_reps);
            s->p05[c] = gsl_stats_quantile_from_sorted_data(col, 1, n_reps,
                                                            0.05);
            s->p50[c] = gsl_stats_quantile_from_sorted_data(col, 1, n_reps,
                                                            0.50);
            s->p95[c] = gsl_stats_quantile_from_sorted_data(col, 1, n_reps,
                                                            0.95);
        }
    }
    free(col);
    return TW_OK;
oom:
    return tw_error_set(err, TW_EFAIL,
                        "out of memory summarising %zu replicates x %zu years "
                        "x %zu metrics", n_reps, ny, nb);
}

/* The whole ensemble as one block. On failure *out is left zeroed. */
int tw_summary_compute(const double *traj, size_t n_reps, size_t n_years,
                       size_t n_metrics, tw_summary *out, tw_error *err)
{
    tw_summary s;
    *out = (tw_summary){ 0 };
    if (n_reps == 0)
        return tw_error_set(err, TW_EFAIL,
                            "cannot summarise an ensemble of 0 replicates");
    int rc = tw_summary_alloc(&s, n_years, n_metrics, err);
    if (rc == TW_OK)
        rc = tw_summary_block(&s, traj, n_reps, 0, n_metrics, err);
    if (rc != TW_OK) {
        tw_summary_free(&s);
        return rc;
    }
    *out = s;
    return TW_OK;
}
