/* sensitivity.c - P(met), its dependence on the point, and first-order
 * indices of the uncertain settings (tw_sensitivity.h,
 * docs/sensitivity.md). */
#include "tw_sensitivity.h"
#include "tw_targets.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#include "tw_design.h"
#include "tw_rng.h"

/* A double's bits as an unsigned key of the same order (negative
 * numbers reversed), for the radix sort. */
static uint64_t order_key(double x)
{
    uint64_t b;
    memcpy(&b, &x, sizeof b);
    return b >> 63 ? ~b : b | (UINT64_C(1) << 63);
}

#define RADIX_BITS 11
#define RADIX (1u << RADIX_BITS)

/*
 * Sort idx[0..n) by key[0..n) (the pairs move together; ties keep their
 * order): an LSD radix sort, 11 bits a pass, a pass skipped when every
 * key has the same digit (the exponent bits of values in (0, 1)). key2,
 * idx2: scratch of n each. qsort with a comparator took a third of the
 * whole computation for 100 settings of 20,000 points.
 */
static void radix_sort(uint64_t *key, uint32_t *idx, uint64_t *key2,
                       uint32_t *idx2, size_t n)
{
    size_t count[RADIX];
    for (unsigned shift = 0; shift < 64; shift += RADIX_BITS) {
        memset(count, 0, sizeof count);
        for (size_t k = 0; k < n; k++)
            count[(key[k] >> shift) & (RADIX - 1)]++;
        if (n == 0 || count[(key[0] >> shift) & (RADIX - 1)] == n)
            continue;
        size_t sum = 0;
        for (unsigned d = 0; d < RADIX; d++) {
            size_t c = count[d];
            count[d] = sum;
            sum += c;
        }
        for (size_t k = 0; k < n; k++) {
            size_t at = count[(key[k] >> shift) & (RADIX - 1)]++;
            key2[at] = key[k];
            idx2[at] = idx[k];
        }
        memcpy(key, key2, n * sizeof *key);
        memcpy(idx, idx2, n * sizeof *idx);
    }
}

/* The running state of one walk of first_order. */
typedef struct walk {
    size_t b, pos, end, cb; /* current bin, position, its end, its count */
    double sb, qb;          /* its sum and sum of squares */
    double between, within, tot;
} walk;

/* Add c copies of v at the walk's position, closing every bin they
 * reach: the last e copies of this point open the next bin. */
static inline void walk_add(walk *w, size_t c, double v, size_t n,
                            size_t nbins)
{
    double t = (double)c;
    w->cb += c;
    w->sb += t * v;
    w->qb += t * v * v;
    w->pos += c;
    while (w->pos >= w->end && w->b < nbins) {
        size_t e = w->pos - w->end;
        double te = (double)e, nb = (double)(w->cb - e);
        double s = w->sb - te * v, m = s / nb;
        w->between += s * m;
        w->within += (w->qb - te * v * v) - s * m;
        w->tot += s;
        w->cb = e;
        w->sb = te * v;
        w->qb = te * v * v;
        w->b++;
        w->end = (w->b + 1) * n / nbins;
    }
}

static double first_order(const uint32_t *ord, const double *ys, size_t nk,
                          const uint32_t *cnt, size_t n, size_t nbins,
                          double var_y)
{
    walk w = {.end = n / nbins};
    size_t k = 0, pos = 0, end = w.end, cb = 0;
    double sb = 0, qb = 0;
    /* Four points at a time while they stay inside the current bin: one
     * addition per four on each running sum, which is what bounds the
     * speed (the bootstrap walks 200 dim n points); the bin ends, about
     * sqrt(n) of them, take the exact path. */
    for (; k + 4 <= nk; k += 4) {
        size_t c0 = cnt[ord[k]], c1 = cnt[ord[k + 1]];
        size_t c2 = cnt[ord[k + 2]], c3 = cnt[ord[k + 3]];
        size_t c = c0 + c1 + c2 + c3;
        if (pos + c < end) {
            double a0 = (double)c0 * ys[k], a1 = (double)c1 * ys[k + 1];
            double a2 = (double)c2 * ys[k + 2], a3 = (double)c3 * ys[k + 3];
            cb += c;
            pos += c;
            sb += (a0 + a1) + (a2 + a3);
            qb += (a0 * ys[k] + a1 * ys[k + 1]) +
                  (a2 * ys[k + 2] + a3 * ys[k + 3]);
        } else {
            /* locals in registers for the common path, the struct for
             * the rare one */
            w.pos = pos, w.end = end, w.cb = cb, w.sb = sb, w.qb = qb;
            walk_add(&w, c0, ys[k], n, nbins);
            walk_add(&w, c1, ys[k + 1], n, nbins);
            walk_add(&w, c2, ys[k + 2], n, nbins);
            walk_add(&w, c3, ys[k + 3], n, nbins);
            pos = w.pos, end = w.end, cb = w.cb, sb = w.sb, qb = w.qb;
        }
    }
    w.pos = pos, w.end = end, w.cb = cb, w.sb = sb, w.qb = qb;
    for (; k < nk; k++)
        walk_add(&w, cnt[ord[k]], ys[k], n, nbins);
    double nn = (double)n, g = w.tot / nn;
    double vb = (w.between - nn * g * g) / nn;
    double sw = fmax(0, w.within) / (nn - (double)nbins);
    return (vb - (double)(nbins - 1) * sw / nn) / var_y;
}

/* The shrunk P(met | point) percentiles (docs/sensitivity.md). k[j]: the
 * replicates of point j that meet; q: scratch of n doubles. */
static void conditional(tw_sens *out, const uint32_t *k, size_t n, size_t m,
                        double *q)
{
    double mm = (double)m, pbar = 0, noise = 0, vobs = 0;
    for (size_t j = 0; j < n; j++)
        pbar += k[j] / mm;
    pbar /= (double)n;
    for (size_t j = 0; j < n; j++) {
        double p = k[j] / mm;
        vobs += (p - pbar) * (p - pbar);
        noise += p * (1 - p);
    }
    vobs /= (double)(n - 1);
    noise /= (double)n * (mm - 1);
    double c = vobs > 0 ? sqrt(fmax(0, vobs - noise) / vobs) : 0;
    for (size_t j = 0; j < n; j++)
        q[j] = pbar + c * (k[j] / mm - pbar);
    gsl_sort(q, 1, n);
    out->p_cond_p10 = gsl_stats_quantile_from_sorted_data(q, 1, n, 0.10);
    out->p_cond_p50 = gsl_stats_quantile_from_sorted_data(q, 1, n, 0.50);
    out->p_cond_p90 = gsl_stats_quantile_from_sorted_data(q, 1, n, 0.90);
}

int tw_sens_compute(size_t n_points, size_t per_point, size_t dim,
                    const double *u, const double *y,
                    const unsigned char *met, uint64_t seed, tw_sens *out,
                    tw_error *err)
{
    size_t N = n_points, m = per_point, nrep = N * m;
    if (m != 0 && nrep / m != N)
        return tw_error_set(err, TW_EFAIL, "sensitivity: %zu points x %zu "
                            "replicates overflow", N, m);
    if (dim > 0 && (out->first == NULL || out->first_se == NULL))
        return tw_error_set(err, TW_EFAIL, "sensitivity: no arrays for the "
                            "indices of %zu settings", dim);
    if (N > UINT32_MAX)
        return tw_error_set(err, TW_EFAIL, "sensitivity: %zu points are too "
                            "many (at most %u)", N, UINT32_MAX);

    size_t n_met = 0;
    for (size_t r = 0; r < nrep; r++)
        n_met += met[r] != 0;
    out->p_met = nrep ? (double)n_met / (double)nrep : NAN;
    tw_wilson(n_met, nrep, &out->p_lo, &out->p_hi);
    out->p_cond_p10 = out->p_cond_p50 = out->p_cond_p90 = NAN;
    out->var_y = out->random_share = NAN;
    for (size_t i = 0; i < dim; i++)
        out->first[i] = out->first_se[i] = NAN;
    if (N < 2)
        return TW_OK;

    int rc = TW_OK;
    gsl_rng *r = NULL;
    uint32_t *kmet = malloc(N * sizeof *kmet), *ord = NULL, *cnt = NULL;
    double *ys = NULL;
    uint32_t *kept = malloc(N * sizeof *kept);
    double *q = malloc(N * sizeof *q), *yb = malloc(N * sizeof *yb);
    double *ps = malloc(N * sizeof *ps), *pq = malloc(N * sizeof *pq);
    size_t *pn = malloc(N * sizeof *pn);
    uint64_t *key = NULL, *key2 = NULL;
    uint32_t *idx = NULL, *idx2 = NULL;
    double *bmean = NULL, *bm2 = NULL;
    size_t *bn = NULL;
    if (!kmet || !kept || !q || !yb || !ps || !pq || !pn)
        goto oom;

    /* var_y: two passes over every replicate's y */
    double gy = 0, vy = 0;
    size_t ny = 0;
    for (size_t t = 0; t < nrep; t++)
        if (!isnan(y[t])) {
            gy += y[t];
            ny++;
        }
    gy = ny ? gy / (double)ny : 0;
    for (size_t t = 0; t < nrep; t++)
        if (!isnan(y[t]))
            vy += (y[t] - gy) * (y[t] - gy);
    out->var_y = ny >= 2 ? vy / (double)(ny - 1) : NAN;

    /* each point: its verdicts, its y's count, centred sum and sum of
     * squares (the bootstrap's var_y), its within variance, its mean */
    size_t nk = 0, nwithin = 0;
    double ewithin = 0;
    for (size_t j = 0; j < N; j++) {
        const double *yj = y + j * m;
        size_t c = 0;
        double s = 0, s2 = 0;
        kmet[j] = 0;
        for (size_t t = 0; t < m; t++) {
            kmet[j] += met[j * m + t] != 0;
            if (!isnan(yj[t])) {
                c++;
                s += yj[t] - gy;
                s2 += (yj[t] - gy) * (yj[t] - gy);
            }
        }
        pn[j] = c;
        ps[j] = s;
        pq[j] = s2;
        if (c == 0)
            continue;
        double mj = s / (double)c, w = 0;
        for (size_t t = 0; t < m; t++)
            if (!isnan(yj[t]))
                w += (yj[t] - gy - mj) * (yj[t] - gy - mj);
        if (c >= 2) {
            ewithin += w / (double)(c - 1);
            nwithin++;
        }
        kept[nk] = (uint32_t)j;
        yb[nk++] = mj;
    }
    if (m >= 2) {
        conditional(out, kmet, N, m, q);
        if (nwithin > 0 && out->var_y > 0)
            out->random_share = ewithin / (double)nwithin / out->var_y;
    }

    if (dim == 0 || isnan(out->var_y))
        goto out;
    if (out->var_y == 0) {
        for (size_t i = 0; i < dim; i++)
            out->first[i] = out->first_se[i] = 0;
        goto out;
    }
    size_t nbins = (size_t)floor(sqrt((double)nk));
    if (nbins < 2)
        nbins = 2;
    if (nk <= nbins) /* no within-bin variance to correct with */
        goto out;

    /* each dimension's order of the kept points, sorted once */
    if (dim > SIZE_MAX / sizeof *ord / nk)
        goto oom;
    if (dim > SIZE_MAX / sizeof *ys / nk)
        goto oom;
    ord = malloc(dim * nk * sizeof *ord);
    ys = malloc(dim * nk * sizeof *ys);
    key = malloc(nk * sizeof *key);
    key2 = malloc(nk * sizeof *key2);
    idx = malloc(nk * sizeof *idx);
    idx2 = malloc(nk * sizeof *idx2);
    cnt = malloc(nk * sizeof *cnt);
    bmean = calloc(dim, sizeof *bmean);
    bm2 = calloc(dim, sizeof *bm2);
    bn = calloc(dim, sizeof *bn);
    r = tw_rng_alloc();
    if (!ord || !ys || !key || !key2 || !idx || !idx2 || !cnt || !bmean || !bm2 || !bn || !r)
        goto oom;
    for (size_t k = 0; k < nk; k++)
        cnt[k] = 1;
    for (size_t i = 0; i < dim; i++) {
        for (size_t k = 0; k < nk; k++) {
            key[k] = order_key(u[(size_t)kept[k] * dim + i]);
            idx[k] = (uint32_t)k;
        }
        radix_sort(key, idx, key2, idx2, nk);
        for (size_t k = 0; k < nk; k++) {
            ord[i * nk + k] = idx[k];
            ys[i * nk + k] = yb[idx[k]];
        }
        out->first[i] = first_order(ord + i * nk, ys + i * nk, nk, cnt, nk,
                                    nbins, out->var_y);
    }

    /* the bootstrap: resample the kept points; each resample's var_y from
     * the points' centred sums, each S_i by walking the sorted order with
     * the resample's multiplicities (no sort per resample) */
    tw_rng_seed(r, seed, TW_DESIGN_STREAM + 1, 0);
    for (int b = 0; b < TW_SENS_BOOTSTRAP; b++) {
        memset(cnt, 0, nk * sizeof *cnt);
        for (size_t k = 0; k < nk; k++)
            cnt[tw_rng_uint(r, nk)]++;
        double sc = 0, ss = 0, sq = 0;
        for (size_t k = 0; k < nk; k++) {
            if (cnt[k] == 0)
                continue;
            size_t j = kept[k];
            sc += (double)cnt[k] * (double)pn[j];
            ss += (double)cnt[k] * ps[j];
            sq += (double)cnt[k] * pq[j];
        }
        double vr = sc >= 2 ? (sq - ss * ss / sc) / (sc - 1) : NAN;
        if (!(vr > 0))
            continue;
        for (size_t i = 0; i < dim; i++) {
            double s = first_order(ord + i * nk, ys + i * nk, nk, cnt, nk,
                                   nbins, vr);
            if (!isfinite(s))
                continue;
            /* Welford: the running mean and sum of squared deviations */
            double d = s - bmean[i];
            bmean[i] += d / (double)++bn[i];
            bm2[i] += d * (s - bmean[i]);
        }
    }
    for (size_t i = 0; i < dim; i++)
        out->first_se[i] = bn[i] >= 2 ? sqrt(bm2[i] / (double)(bn[i] - 1))
                                      : NAN;
    goto out;

oom:
    rc = tw_error_set(err, TW_EFAIL, "out of memory for the sensitivity of "
                      "%zu points x %zu settings", N, dim);
out:
    if (r)
        gsl_rng_free(r);
    free(kmet);
    free(kept);
    free(q);
    free(yb);
    free(ps);
    free(pq);
    free(pn);
    free(ord);
    free(ys);
    free(key);
    free(key2);
    free(idx);
    free(idx2);
    free(cnt);
    free(bmean);
    free(bm2);
    free(bn);
    return rc;
}
