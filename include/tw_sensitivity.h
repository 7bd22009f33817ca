/*
 * tw_sensitivity.h - what an ensemble over uncertain settings says about
 * one target: how likely it is met, how much that depends on the
 * settings, and which settings matter.
 *
 * The ensemble has n_points points (parameter vectors, the rows of the
 * unit design u of tw_design_unit) and per_point replicates of each;
 * replicate r belongs to point r / per_point:
 *
 *   replicate  0 .. m-1 | m .. 2m-1 | ... | (N-1)m .. Nm-1
 *   point          0    |     1     | ... |      N-1
 *
 * Each replicate gives a quantity y (NaN when it cannot be evaluated)
 * and met (0 or 1). docs/sensitivity.md derives the estimators; briefly:
 *
 *  - p_met: the share of all replicates meeting the target (met as
 *    given, whatever y is), with the 90% Wilson score interval (z =
 *    1.6449, as tw_targets_eval).
 *  - P(met | point): p_j, the share of point j's m replicates that meet,
 *    is shrunk toward the mean pbar by sqrt(V_true / V_obs), where V_obs
 *    is the variance of the p_j over the points (N - 1 denominator) and
 *    V_true = max(0, V_obs - mean_j p_j (1 - p_j) / (m - 1)) removes the
 *    binomial noise; p_cond_p10/p50/p90 are the 10th, 50th and 90th
 *    percentiles of the shrunk values (linear interpolation between order
 *    statistics, GSL's and numpy's default). The spread is honest on
 *    average, not point by point.
 *  - var_y: the variance of y over all replicates (NaN y skipped, n - 1
 *    denominator); random_share = mean over points of the within-point
 *    variance of y (n_j - 1 denominator; points with fewer than 2 values
 *    skipped) / var_y.
 *  - first[i]: the first-order (main-effect) index of setting i,
 *    Var(E[y | x_i]) / Var(y), by binning on the same sample: the point
 *    means ybar_j (points with no y dropped) sorted by u[j][i] and cut
 *    into B = max(2, floor(sqrt(n))) bins of near-equal counts (bin b
 *    holds sorted positions floor(b n / B) .. floor((b + 1) n / B) - 1);
 *    the count-weighted variance of the bin means less its expectation
 *    when x_i has no effect, (B - 1) s_w^2 / n with s_w^2 the pooled
 *    within-bin variance of ybar; divided by var_y. Not clamped: a small
 *    negative value is noise. first_se[i]: the standard deviation of
 *    first[i] over 200 bootstrap resamples of the points (with
 *    replacement; the stream tw_rng_seed(r, seed, TW_DESIGN_STREAM + 1,
 *    0)).
 *
 * NaN marks what cannot be estimated: p_cond_* when per_point < 2,
 * random_share when per_point < 2 or var_y == 0, everything but p_met,
 * p_lo, p_hi when n_points < 2. var_y == 0 gives first[i] =
 * first_se[i] = 0.
 */
#ifndef TW_SENSITIVITY_H
#define TW_SENSITIVITY_H

#include <stddef.h>
#include <stdint.h>

#include "tw_error.h"

typedef struct tw_sens {
    double p_met, p_lo, p_hi; /* share of all replicates meeting the target,
                                 with its 90% Wilson interval (no
                                 replicate: NaN, 0, 1) */
    double p_cond_p10, p_cond_p50, p_cond_p90; /* P(met | point) across the
                                 points, shrunk (above) */
    double var_y;        /* variance of y over all replicates */
    double random_share; /* E[Var(y | point)] / var_y: the part that
                            randomness alone explains */
    double *first;    /* [dim], caller-allocated: first-order index */
    double *first_se; /* [dim], caller-allocated: its bootstrap se */
} tw_sens;

#define TW_SENS_BOOTSTRAP 200 /* resamples for first_se */

/*
 * Fill *out (first and first_se must point to dim doubles each, owned by
 * the caller; NULL allowed when dim == 0) from the unit design u
 * [n_points][dim], the quantities y and the verdicts met
 * [n_points * per_point] (all borrowed, not modified). seed selects the
 * bootstrap stream. Returns TW_OK, or TW_EFAIL (memory, sizes that
 * overflow, missing first/first_se). Scratch: about 12 dim n_points +
 * 80 n_points bytes (24 MB for 100 settings of 20,000 points), freed
 * before it returns. Time: one radix sort per setting, then
 * O(200 dim n_points) for the bootstrap; 100 settings of 20,000 points
 * take about 0.4 s on one core.
 */
int tw_sens_compute(size_t n_points, size_t per_point, size_t dim,
                    const double *u, const double *y,
                    const unsigned char *met, uint64_t seed, tw_sens *out,
                    tw_error *err);

/* A first-order share that is more than noise: at least 5% of the
 * variance and two bootstrap standard errors (the report names only
 * these, and only these make a verdict "depend on assumptions"). */
static inline int tw_sens_clear(double share, double se)
{
    return share >= 0.05 && share >= 2 * se;
}

#endif /* TW_SENSITIVITY_H */
