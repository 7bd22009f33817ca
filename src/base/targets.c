/* targets.c - evaluating and reporting the plan's targets (tw_targets.h). */
#include "tw_targets.h"
#include "tw_mem.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

size_t tw_levenshtein(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (lb > 127)
        return la > lb ? la : lb;
    size_t row[128];
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j];
            size_t best = diag + (a[i - 1] != b[j - 1]);
            if (up + 1 < best)
                best = up + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

static long year_index(const int *years, size_t ny, int year)
{
    for (size_t i = 0; i < ny; i++)
        if (years[i] == year)
            return (long)i;
    return -1;
}

int tw_targets_resolve(const tw_target *t, size_t nt,
                       const char *const *names, size_t nm, const int *years,
                       size_t ny, long *cols, tw_error *err)
{
    int rc = TW_OK;
    for (size_t i = 0; i < nt; i++) {
        cols[i] = -1;
        size_t best = 0, best_d = (size_t)-1;
        for (size_t m = 0; m < nm; m++) {
            if (strcmp(names[m], t[i].metric) == 0) {
                cols[i] = (long)m;
                break;
            }
            size_t d = tw_levenshtein(t[i].metric, names[m]);
            if (d < best_d) {
                best_d = d;
                best = m;
            }
        }
        if (cols[i] < 0)
            rc = tw_error_add(err, TW_EINPUT, "%s: targets: '%s': no metric "
                              "'%s' in this run (nearest: '%s'; a stage "
                              "metric needs a school of that stage; see "
                              "docs/metrics.md)", t[i].where, t[i].name,
                              t[i].metric, nm ? names[best] : "");
        if (year_index(years, ny, t[i].year) < 1 ||
            year_index(years, ny, t[i].from) < 0)
            rc = tw_error_add(err, TW_EINPUT, "%s: targets: '%s': years "
                              "%d..%d are not all simulated (%d..%d)",
                              t[i].where, t[i].name, t[i].from, t[i].year,
                              ny ? years[0] : 0, ny ? years[ny - 1] : 0);
    }
    return rc;
}

static int compare(tw_op op, double q, double v)
{
    switch (op) {
    case TW_OP_GE: return q >= v;
    case TW_OP_GT: return q > v;
    case TW_OP_LE: return q <= v;
    case TW_OP_LT: return q < v;
    case TW_N_OPS: break;
    }
    return 0;
}

double tw_target_quantity(const tw_target *t, long col, const double *traj,
                          size_t nm, const int *years, size_t ny, int *met)
{
    long y = year_index(years, ny, t->year);
    long f = year_index(years, ny, t->from);
#define AT(i) traj[(size_t)(i) * nm + (size_t)col]
    double q = 0;
    switch (t->kind) {
    case TW_TARGET_LEVEL:
        q = AT(y);
        break;
    case TW_TARGET_CUMULATIVE:
        for (long i = f; i <= y; i++)
            q += AT(i);
        break;
    case TW_TARGET_CHANGE:
        q = AT(y) - AT(f);
        break;
    case TW_TARGET_EVERY_YEAR: {
        /* the worst year: for a lower bound the smallest change, for an
         * upper bound the largest, so that met <=> every year meets it */
        int lower = t->op == TW_OP_GE || t->op == TW_OP_GT;
        long first = f < 1 ? 1 : f;
        q = AT(first) - AT(first - 1);
        for (long i = first + 1; i <= y; i++) {
            double d = AT(i) - AT(i - 1);
            if (lower ? d < q : d > q)
                q = d;
        }
        break;
    }
    case TW_N_TARGET_KINDS:
        break;
    }
#undef AT
    *met = compare(t->op, q, t->value);
    return q;
}

/* The 90% Wilson score interval for k successes in n trials (z = 1.645). */
static void wilson(size_t k, size_t n, double *lo, double *hi)
{
    if (n == 0) {
        *lo = 0;
        *hi = 1;
        return;
    }
    const double z = 1.6448536269514722;
    double p = (double)k / (double)n, nn = (double)n;
    double den = 1 + z * z / nn;
    double mid = (p + z * z / (2 * nn)) / den;
    double half = z * sqrt(p * (1 - p) / nn + z * z / (4 * nn * nn)) / den;
    *lo = mid - half < 0 ? 0 : mid - half;
    *hi = mid + half > 1 ? 1 : mid + half;
}

int tw_targets_eval(const tw_target *t, size_t nt, const long *cols,
                    const double *traj, size_t reps, size_t ny, size_t nm,
                    const int *years, double *quantity, unsigned char *met,
                    tw_target_result *res, tw_error *err)
{
    double *col = malloc((reps ? reps : 1) * sizeof *col);
    if (col == NULL)
        return tw_error_set(err, TW_EFAIL, "out of memory for the targets");
    for (size_t i = 0; i < nt; i++) {
        size_t n_met = 0;
        for (size_t r = 0; r < reps; r++) {
            int m = 0;
            double q = tw_target_quantity(&t[i], cols[i], traj + r * ny * nm,
                                          nm, years, ny, &m);
            quantity[r * nt + i] = q;
            met[r * nt + i] = (unsigned char)m;
            col[r] = q;
            n_met += (size_t)m;
        }
        tw_target_result *o = &res[i];
        o->p_met = reps ? (double)n_met / (double)reps : 0;
        o->p_se = reps ? sqrt(o->p_met * (1 - o->p_met) / (double)reps) : 0;
        wilson(n_met, reps, &o->p_lo, &o->p_hi);
        o->mean = reps ? gsl_stats_mean(col, 1, reps) : 0;
        gsl_sort(col, 1, reps);
        o->p05 = reps ? gsl_stats_quantile_from_sorted_data(col, 1, reps, 0.05) : 0;
        o->p50 = reps ? gsl_stats_quantile_from_sorted_data(col, 1, reps, 0.50) : 0;
        o->p95 = reps ? gsl_stats_quantile_from_sorted_data(col, 1, reps, 0.95) : 0;
    }
    free(col);
    return TW_OK;
}

const char *tw_target_verdict(const tw_target_result *r, double c)
{
    if (r->p_met >= c)
        return "on track";
    if (r->p_met <= 1 - c)
        return "off track";
    return "uncertain";
}

void tw_targets_free(tw_target *t, size_t n)
{
    for (size_t i = 0; t != NULL && i < n; i++)
        TW_FREE(t[i].name, t[i].metric, t[i].quote, t[i].source, t[i].note);
    free(t);
}

int tw_text_width(const char *s)
{
    int w = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if ((*p & 0xC0) != 0x80)
            w += *p >= 0xE0 ? 2 : 1;
    return w;
}

static void pad(FILE *f, const char *s, int w)
{
    fputs(s, f);
    for (int n = tw_text_width(s); n < w; n++)
        fputc(' ', f);
}

/* A number the way a planner reads it: shares with 3 decimals. */
static void fmt_num(char *buf, size_t cap, double v, int share)
{
    if (share)
        snprintf(buf, cap, "%.3f", v);
    else if (fabs(v) >= 100)
        snprintf(buf, cap, "%.0f", v);
    else
        snprintf(buf, cap, "%.2f", v);
}

size_t tw_targets_report(FILE *f, const char *title, const tw_target *t,
                         size_t nt, const tw_target_result *res, size_t reps,
                         double confidence)
{
    size_t below = 0;
    fprintf(f, "%s: %zu target%s, %zu replicates, verdict at confidence "
            "%.2f\n\n", title, nt, nt == 1 ? "" : "s", reps, confidence);
    if (nt == 0) {
        fprintf(f, "  (no targets in this run's config)\n");
        return 0;
    }
    int wn = 6, wc = 9;
    char cond[256];
    for (size_t i = 0; i < nt; i++) {
        int a = tw_text_width(t[i].name);
        wn = a > wn ? a : wn;
        snprintf(cond, sizeof cond, "%s %s %s %g", t[i].metric,
                 t[i].kind == TW_TARGET_LEVEL ? "" : tw_target_kind_names[t[i].kind],
                 tw_op_names[t[i].op], t[i].value);
        a = tw_text_width(cond);
        wc = a > wc ? a : wc;
    }
    fputs("  ", f);
    pad(f, "target", wn + 2);
    pad(f, "year", 6);
    pad(f, "condition", wc + 2);
    fprintf(f, "%-18s %10s  %-21s %s\n", "P(met) [90% CI]", "mean",
            "90% band", "verdict");
    for (size_t i = 0; i < nt; i++) {
        const tw_target_result *r = &res[i];
        int share = strstr(t[i].metric, "share") != NULL;
        char y[16], p[48], m[32], lo[32], hi[32], band[80];
        snprintf(y, sizeof y, "%d", t[i].year);
        snprintf(cond, sizeof cond, "%s %s%s%s %g", t[i].metric,
                 t[i].kind == TW_TARGET_LEVEL ? "" : tw_target_kind_names[t[i].kind],
                 t[i].kind == TW_TARGET_LEVEL ? "" : " ",
                 tw_op_names[t[i].op], t[i].value);
        snprintf(p, sizeof p, "%.2f [%.2f–%.2f]", r->p_met, r->p_lo,
                 r->p_hi);
        fmt_num(m, sizeof m, r->mean, share);
        fmt_num(lo, sizeof lo, r->p05, share);
        fmt_num(hi, sizeof hi, r->p95, share);
        snprintf(band, sizeof band, "%s – %s", lo, hi);
        fputs("  ", f);
        pad(f, t[i].name, wn + 2);
        pad(f, y, 6);
        pad(f, cond, wc + 2);
        pad(f, p, 18);
        fprintf(f, " %10s  ", m);
        pad(f, band, 22);
        fprintf(f, "%s%s\n", tw_target_verdict(r, confidence),
                t[i].national ? " (national)" : "");
        fprintf(f, "      \"%s\" (%s)\n", t[i].quote, t[i].source);
        if (r->p_met < confidence)
            below++;
    }
    fprintf(f, "\n  P(met): share of replicates meeting the target, with its "
            "90%% Monte Carlo\n  interval (Wilson). mean, 90%% band: of the "
            "compared quantity (the value;\n  the sum for cumulative; the "
            "difference for change; the worst year's change\n  for "
            "every_year).\n");
    return below;
}

int tw_targets_on_run(const tw_target *t, size_t nt,
                      const char *const *names, size_t nm, const int *years,
                      size_t ny, const double *traj, size_t reps,
                      unsigned char *met, tw_target_result *res,
                      tw_error *err)
{
    size_t cells = reps * nt > 0 ? reps * nt : 1;
    long *cols = malloc((nt ? nt : 1) * sizeof *cols);
    double *q = malloc(cells * sizeof *q);
    unsigned char *own = met == NULL ? malloc(cells) : NULL;
    int rc;
    if (cols == NULL || q == NULL || (met == NULL && own == NULL))
        rc = tw_error_set(err, TW_EFAIL, "out of memory");
    else if ((rc = tw_targets_resolve(t, nt, names, nm, years, ny, cols,
                                      err)) == TW_OK)
        rc = tw_targets_eval(t, nt, cols, traj, reps, ny, nm, years, q,
                             met != NULL ? met : own, res, err);
    free(cols);
    free(q);
    free(own);
    return rc;
}
