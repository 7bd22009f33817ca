/*
 * tw_design.h - parameter uncertainty: the distribution of an uncertain
 * setting and the space-filling design that chooses each point's values.
 *
 * A config may give some numeric settings a distribution (tw_dist). The
 * run draws N points (parameter vectors) and m replicates per point;
 * replicate r belongs to point r / m. The points come from a unit design
 * u[N][dim] in (0, 1) (tw_design_unit), and setting i of point j takes
 * the value tw_dist_quantile(&dist[i], u[j][i]):
 *
 *     unit design            inverse CDF            the points
 *   u[j][i] in (0,1)  -->  tw_dist_quantile  -->  x[j][i] in [lo, hi]
 *
 * The design has its own random stream (TW_DESIGN_STREAM), so it is the
 * same for every scenario, thread and MPI rank, and no replicate's stream
 * is touched by it. docs/sensitivity.md describes what the run then
 * estimates from the points (tw_sensitivity.h).
 */
#ifndef TW_DESIGN_H
#define TW_DESIGN_H

#include <stddef.h>
#include <stdint.h>

#include "tw_error.h"

typedef enum {
    TW_DIST_UNIFORM,
    TW_DIST_TRIANGULAR,
    TW_DIST_NORMAL,
    TW_DIST_BETA,
    TW_N_DISTS
} tw_dist_kind;

/* "uniform", "triangular", "normal", "beta": the config's words. */
extern const char *const tw_dist_names[TW_N_DISTS];

typedef struct tw_dist {
    tw_dist_kind kind;
    double p[3];   /* uniform: lo, hi; triangular: lo, mode, hi;
                      normal: mean, sd; beta: mean, sd (on [0, 1]) */
    double lo, hi; /* valid range of the key (the normal is truncated to it;
                      the others must lie inside it); -INFINITY/INFINITY
                      when unbounded */
    int integer;   /* 1: values are rounded to the nearest whole number
                      (halves away from zero, i.e. round()) */
} tw_dist;

/*
 * The problem with d's parameters, written into why[0..cap) (returns -1),
 * or 0 when there is none (why untouched). Problems: an unknown kind,
 * non-finite parameters (NaN anywhere; lo, hi may be infinite), a
 * reversed range (hi < lo, of the key or of the distribution), a mode
 * outside [lo, hi], sd < 0, a beta mean outside (0, 1) with sd > 0 or an
 * sd too large for a beta with that mean (sd^2 >= mean (1 - mean)), a
 * support that is not inside [d->lo, d->hi] (uniform, triangular, beta;
 * the message gives both ranges, e.g. "the range reaches 1.2 but the key
 * takes values from 0 to 1"), a normal whose mean lies outside [lo, hi].
 * A zero-width distribution (lo == hi, sd == 0) is valid. The message
 * has no key name and no trailing newline: the caller prefixes where.
 */
int tw_dist_check(const tw_dist *d, char *why, size_t cap);

/* The central value: uniform midpoint, triangular mode, normal mean, beta
 * mean (rounded when integer). */
double tw_dist_central(const tw_dist *d);

/*
 * The support [*a, *b] actually sampled: uniform and triangular their
 * ends, beta [0, 1] (the mean when sd == 0), normal [max(lo, mean - 6 sd),
 * min(hi, mean + 6 sd)] (the mean when sd == 0). Not rounded.
 */
void tw_dist_support(const tw_dist *d, double *a, double *b);

/*
 * The value at probability u in (0, 1): the inverse CDF, rounded when
 * d->integer; u outside (0, 1) is taken as the nearest end of the
 * support. A zero-width distribution returns p[0] bitwise for every u.
 *
 * normal:  truncated to the support of tw_dist_support (the key's range
 *          and +-6 sd, which removes 2e-9 of the mass and keeps every
 *          value finite): mean + sd Phi^-1(Phi(a) + u (Phi(b) - Phi(a)))
 *          in standard units, with gsl_cdf_ugaussian_P / Pinv;
 * beta:    alpha = mean k, beta = (1 - mean) k, k = mean (1 - mean) /
 *          sd^2 - 1 (the method of moments); the inverse of
 *          gsl_cdf_beta_P by safeguarded Newton steps. Not
 *          gsl_cdf_beta_Pinv: its Newton iteration fails to converge for
 *          narrow betas (alpha, beta in the thousands) and for small
 *          shapes, and then calls the GSL error handler, which aborts.
 */
double tw_dist_quantile(const tw_dist *d, double u);

typedef enum { TW_DESIGN_LHS, TW_DESIGN_SOBOL, TW_N_DESIGNS } tw_design_kind;

/* "lhs", "sobol": the config's words. */
extern const char *const tw_design_names[TW_N_DESIGNS];

#define TW_DESIGN_SOBOL_MAX_DIM 40 /* gsl_qrng_sobol's limit */

/* The scenario number of the design's random stream: one no scenario
 * uses, so that the design is apart from every replicate's stream.
 * TW_DESIGN_STREAM + 1 is the bootstrap of tw_sens_compute. */
#define TW_DESIGN_STREAM 0xD5160000u

/*
 * The unit design u[n_points][dim] (row-major, caller-owned), every entry
 * in (0, 1) strictly. Random numbers come from the tw_rng_mt19937 stream
 * tw_rng_seed(r, seed, TW_DESIGN_STREAM, 0), in this order (part of what
 * makes a design reproducible):
 *
 * LHS:   for each dimension i in turn, a random permutation perm_i of the
 *        n strata (tw_rng_shuffle), then one uniform U_j per point in
 *        point order: u[j][i] = (perm_i[j] + U_j) / n, where U_j =
 *        (w + 0.5) / 2^32 for a 32-bit word w (never 0 or 1). Each column
 *        has exactly one point in each stratum [k/n, (k+1)/n).
 * Sobol: one offset per dimension (tw_rng_u01), then gsl_qrng_sobol's
 *        first n points, each dimension shifted by its offset mod 1
 *        (Cranley-Patterson rotation) so that different seeds give
 *        different designs. GSL never returns the all-zero point 0 of
 *        the sequence: its first point is (1/2, ..., 1/2), point 1. An
 *        entry that lands on 0 exactly is nudged to 0.5 / 2^32.
 *
 * Returns TW_OK (nothing written when n_points == 0 or dim == 0),
 * TW_EINPUT (Sobol with dim > TW_DESIGN_SOBOL_MAX_DIM, the message
 * suggesting "lhs"; LHS with n_points >= 2^32) or TW_EFAIL (memory).
 * Scratch: the generator, and 4 n_points bytes for LHS.
 */
int tw_design_unit(tw_design_kind k, size_t n_points, size_t dim,
                   uint64_t seed, double *u, tw_error *err);

#endif /* TW_DESIGN_H */
