/* design.c - uncertain settings and their unit design (tw_design.h). */
#include "tw_design.h"

#include <float.h>
#include <stdarg.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_qrng.h>
#include <gsl/gsl_randist.h>

#include "tw_rng.h"

const char *const tw_dist_names[TW_N_DISTS] = {"uniform", "triangular",
                                               "normal", "beta"};
const char *const tw_design_names[TW_N_DESIGNS] = {"lhs", "sobol"};

/* Past this shape (both alpha and beta) gsl_cdf_beta_P loses digits (its
 * quantiles stop being monotone near alpha + beta = 2e6), while the beta
 * is close to a normal: skewness below 2 / sqrt(1e5) = 0.006, so the
 * Cornish-Fisher quantile with the skewness term is within about 1e-4 sd
 * of the exact one. */
#define BETA_NORMAL_SHAPE 1e5

static int fail(char *why, size_t cap, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(char *why, size_t cap, const char *fmt, ...)
{
    if (why != NULL && cap > 0) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(why, cap, fmt, ap);
        va_end(ap);
    }
    return -1;
}

/* The support [a, b] must lie inside the key's range [lo, hi]. */
static int inside(const tw_dist *d, double a, double b, char *why, size_t cap)
{
    if (b > d->hi)
        return fail(why, cap, "the range reaches %g but the key takes values "
                    "from %g to %g", b, d->lo, d->hi);
    if (a < d->lo)
        return fail(why, cap, "the range starts at %g but the key takes "
                    "values from %g to %g", a, d->lo, d->hi);
    return 0;
}

int tw_dist_check(const tw_dist *d, char *why, size_t cap)
{
    if ((unsigned)d->kind >= TW_N_DISTS)
        return fail(why, cap, "unknown distribution (kind %d)", (int)d->kind);
    const char *name = tw_dist_names[d->kind];
    if (isnan(d->lo) || isnan(d->hi))
        return fail(why, cap, "the key's range is not a number");
    if (d->hi < d->lo)
        return fail(why, cap, "the key's range is reversed (%g > %g)", d->lo,
                    d->hi);
    int np = d->kind == TW_DIST_TRIANGULAR ? 3 : 2;
    for (int k = 0; k < np; k++)
        if (!isfinite(d->p[k]))
            return fail(why, cap, "%s: parameter %d is %g, not a finite "
                        "number", name, k + 1, d->p[k]);
    const double *p = d->p;
    switch (d->kind) {
    case TW_DIST_UNIFORM:
        if (p[1] < p[0])
            return fail(why, cap, "uniform: the range is reversed (%g > %g)",
                        p[0], p[1]);
        return inside(d, p[0], p[1], why, cap);
    case TW_DIST_TRIANGULAR:
        if (p[2] < p[0])
            return fail(why, cap, "triangular: the range is reversed "
                        "(%g > %g)", p[0], p[2]);
        if (p[1] < p[0] || p[1] > p[2])
            return fail(why, cap, "triangular: the mode %g is outside the "
                        "range %g to %g", p[1], p[0], p[2]);
        return inside(d, p[0], p[2], why, cap);
    case TW_DIST_NORMAL:
        if (p[1] < 0)
            return fail(why, cap, "normal: the sd %g is negative", p[1]);
        if (p[0] < d->lo || p[0] > d->hi)
            return fail(why, cap, "normal: the mean %g is outside the key's "
                        "values %g to %g", p[0], d->lo, d->hi);
        return 0;
    case TW_DIST_BETA:
        if (p[1] < 0)
            return fail(why, cap, "beta: the sd %g is negative", p[1]);
        if (p[1] == 0) {
            if (p[0] < 0 || p[0] > 1)
                return fail(why, cap, "beta: the mean %g is outside 0 to 1",
                            p[0]);
            return inside(d, p[0], p[0], why, cap);
        }
        if (p[0] <= 0 || p[0] >= 1)
            return fail(why, cap, "beta: the mean %g is not strictly between "
                        "0 and 1", p[0]);
        if (p[1] * p[1] >= p[0] * (1 - p[0]))
            return fail(why, cap, "beta: the sd %g is too large for the mean "
                        "%g (it must be below sqrt(mean (1 - mean)) = %g)",
                        p[1], p[0], sqrt(p[0] * (1 - p[0])));
        return inside(d, 0, 1, why, cap);
    case TW_N_DISTS:
        break;
    }
    return 0;
}

static double finish(const tw_dist *d, double x)
{
    return d->integer ? round(x) : x;
}

double tw_dist_central(const tw_dist *d)
{
    switch (d->kind) {
    case TW_DIST_UNIFORM:
        /* p[0] itself when the width is zero (a midpoint could overflow
         * or turn -0 into +0) */
        return finish(d, d->p[1] == d->p[0] ? d->p[0]
                                             : 0.5 * d->p[0] + 0.5 * d->p[1]);
    case TW_DIST_TRIANGULAR:
        return finish(d, d->p[1]);
    case TW_DIST_NORMAL:
    case TW_DIST_BETA:
        return finish(d, d->p[0]);
    case TW_N_DISTS:
        break;
    }
    return NAN;
}

void tw_dist_support(const tw_dist *d, double *a, double *b)
{
    const double *p = d->p;
    switch (d->kind) {
    case TW_DIST_UNIFORM:
        *a = p[0];
        *b = p[1];
        return;
    case TW_DIST_TRIANGULAR:
        *a = p[0];
        *b = p[2];
        return;
    case TW_DIST_NORMAL:
        if (p[1] == 0) {
            *a = *b = p[0];
            return;
        }
        *a = fmax(d->lo, p[0] - 6 * p[1]);
        *b = fmin(d->hi, p[0] + 6 * p[1]);
        return;
    case TW_DIST_BETA:
        if (p[1] == 0) {
            *a = *b = p[0];
            return;
        }
        *a = 0;
        *b = 1;
        return;
    case TW_N_DISTS:
        break;
    }
    *a = *b = NAN;
}

/*
 * The quantile x <= 1/2 of Beta(a, b) at q (q <= F(1/2)): F(x) = q
 * solved by Newton steps kept inside a bracket [lo, hi] that every
 * evaluation shrinks; a step that leaves the bracket is replaced by its
 * geometric midpoint (arithmetic cuts would take a thousand steps to
 * reach a quantile of 1e-300, which a small shape gives). Only answers
 * below 1/2, which keep their relative precision; the others come from
 * the mirror Beta(b, a) as 1 - x.
 */
static double beta_lower(double q, double a, double b)
{
    double lo = 0, hi = 0.5, x = fmin(a / (a + b), 0.25);
    for (int it = 0; it < 400; it++) {
        double f = gsl_cdf_beta_P(x, a, b) - q;
        if (f == 0)
            return x;
        if (f < 0)
            lo = x;
        else
            hi = x;
        if (hi - lo <= 2 * DBL_EPSILON * hi)
            break;
        double xn = x - f / gsl_ran_beta_pdf(x, a, b);
        if (!(xn > lo && xn < hi))
            xn = lo > 0 ? sqrt(lo) * sqrt(hi) : hi * 0x1p-32;
        if (fabs(xn - x) <= 2 * DBL_EPSILON * x) {
            x = xn;
            break;
        }
        x = xn;
    }
    return x;
}

static double beta_quantile(double u, double mean, double sd)
{
    double k = mean * (1 - mean) / (sd * sd) - 1;
    double a = mean * k, b = (1 - mean) * k;
    if (!(k > 0) || !(mean > 0 && mean < 1))
        return NAN; /* parameters tw_dist_check rejects */
    if (a > BETA_NORMAL_SHAPE && b > BETA_NORMAL_SHAPE) {
        double g = 2 * (b - a) * sqrt(a + b + 1) / ((a + b + 2) * sqrt(a * b));
        double z = gsl_cdf_ugaussian_Pinv(u);
        return fmin(1, fmax(0, mean + sd * (z + g / 6 * (z * z - 1))));
    }
    /* an answer above 1/2 through the mirror Beta(b, a), so that each
     * solve works where x keeps its relative precision (a U-shaped beta
     * can have its quantile at u = 0.7 at 1e-30) */
    return u <= gsl_cdf_beta_P(0.5, a, b) ? beta_lower(u, a, b)
                                          : 1 - beta_lower(1 - u, b, a);
}

/* The standard normal truncated to [za, zb] (za <= 0 <= zb, the mean
 * inside) at u, each half from its own tail so that no tail probability
 * is a difference of numbers near 1. */
static double normal_quantile(double u, double za, double zb)
{
    if (u <= 0.5) {
        double pa = gsl_cdf_ugaussian_P(za), pb = gsl_cdf_ugaussian_P(zb);
        return gsl_cdf_ugaussian_Pinv(pa + u * (pb - pa));
    }
    double qa = gsl_cdf_ugaussian_Q(za), qb = gsl_cdf_ugaussian_Q(zb);
    return gsl_cdf_ugaussian_Qinv(qb + (1 - u) * (qa - qb));
}

double tw_dist_quantile(const tw_dist *d, double u)
{
    const double *p = d->p;
    double a, b;
    tw_dist_support(d, &a, &b);
    if (a == b) /* zero width: p[0] itself, whatever u (and -0 stays -0) */
        return finish(d, p[0]);
    if (!(u > 0))
        return finish(d, a);
    if (!(u < 1))
        return finish(d, b);
    double x = NAN;
    switch (d->kind) {
    case TW_DIST_UNIFORM:
        x = p[0] + u * (p[1] - p[0]);
        break;
    case TW_DIST_TRIANGULAR: {
        double w = p[2] - p[0], fc = (p[1] - p[0]) / w;
        x = u < fc ? p[0] + sqrt(u * w * (p[1] - p[0]))
                   : p[2] - sqrt((1 - u) * w * (p[2] - p[1]));
        break;
    }
    case TW_DIST_NORMAL: {
        if (!(a < b)) /* a mean outside the key's range: unchecked */
            return finish(d, fmin(d->hi, fmax(d->lo, p[0])));
        double za = (a - p[0]) / p[1], zb = (b - p[0]) / p[1];
        double z = normal_quantile(u, fmin(za, 0), fmax(zb, 0));
        x = p[0] + p[1] * fmin(zb, fmax(za, z));
        break;
    }
    case TW_DIST_BETA:
        x = beta_quantile(u, p[0], p[1]);
        break;
    case TW_N_DISTS:
        return NAN;
    }
    /* rounding of the formulas must not step outside the support */
    return finish(d, fmin(b, fmax(a, x)));
}

/* A uniform strictly inside (0, 1): the centre of one of 2^32 cells. */
static double open01(gsl_rng *r)
{
    return ((double)tw_rng_u32(r) + 0.5) / 4294967296.0;
}

static int lhs(gsl_rng *r, size_t n, size_t dim, double *u, tw_error *err)
{
    if (n > UINT32_MAX)
        return tw_error_set(err, TW_EINPUT, "a Latin hypercube of %zu points "
                            "is too large (at most %u)", n, UINT32_MAX);
    uint32_t *perm = malloc(n * sizeof *perm);
    if (perm == NULL)
        return tw_error_set(err, TW_EFAIL, "out of memory for a design of "
                            "%zu points", n);
    const double below1 = nextafter(1.0, 0.0);
    for (size_t i = 0; i < dim; i++) {
        for (size_t j = 0; j < n; j++)
            perm[j] = (uint32_t)j;
        tw_rng_shuffle(r, perm, n);
        for (size_t j = 0; j < n; j++) {
            double v = ((double)perm[j] + open01(r)) / (double)n;
            /* perm + U rounds up to n for n past 2^20: keep it below 1 */
            u[j * dim + i] = v < 1 ? v : below1;
        }
    }
    free(perm);
    return TW_OK;
}

static int sobol(gsl_rng *r, size_t n, size_t dim, double *u, tw_error *err)
{
    if (dim > TW_DESIGN_SOBOL_MAX_DIM)
        return tw_error_set(err, TW_EINPUT, "a Sobol design takes at most %d "
                            "uncertain settings, and %zu are given: use the "
                            "\"lhs\" design", TW_DESIGN_SOBOL_MAX_DIM, dim);
    double off[TW_DESIGN_SOBOL_MAX_DIM], v[TW_DESIGN_SOBOL_MAX_DIM];
    for (size_t i = 0; i < dim; i++)
        off[i] = tw_rng_u01(r);
    gsl_qrng *q = gsl_qrng_alloc(gsl_qrng_sobol, (unsigned)dim);
    if (q == NULL)
        return tw_error_set(err, TW_EFAIL, "out of memory for a Sobol "
                            "design");
    for (size_t j = 0; j < n; j++) {
        gsl_qrng_get(q, v);
        for (size_t i = 0; i < dim; i++) {
            double x = v[i] + off[i]; /* < 2, and x - 1 is exact */
            if (x >= 1)
                x -= 1;
            u[j * dim + i] = x > 0 ? x : 0.5 / 4294967296.0;
        }
    }
    gsl_qrng_free(q);
    return TW_OK;
}

int tw_design_unit(tw_design_kind k, size_t n_points, size_t dim,
                   uint64_t seed, double *u, tw_error *err)
{
    if ((unsigned)k >= TW_N_DESIGNS)
        return tw_error_set(err, TW_EINPUT, "unknown design (kind %d)",
                            (int)k);
    if (k == TW_DESIGN_SOBOL && dim > TW_DESIGN_SOBOL_MAX_DIM)
        return sobol(NULL, n_points, dim, u, err); /* the message */
    if (n_points == 0 || dim == 0)
        return TW_OK;
    gsl_rng *r = tw_rng_alloc();
    if (r == NULL)
        return tw_error_set(err, TW_EFAIL, "out of memory for the design's "
                            "random stream");
    tw_rng_seed(r, seed, TW_DESIGN_STREAM, 0);
    int rc = k == TW_DESIGN_LHS ? lhs(r, n_points, dim, u, err)
                                : sobol(r, n_points, dim, u, err);
    gsl_rng_free(r);
    return rc;
}
