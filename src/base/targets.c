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

size_t tw_nearest(const char *name, const char *const *names, size_t n,
                  size_t *dist)
{
    size_t best = 0, best_d = (size_t)-1;
    for (size_t k = 0; k < n && best_d > 0; k++) {
        size_t d = tw_levenshtein(name, names[k]);
        if (d < best_d) {
            best_d = d;
            best = k;
        }
    }
    if (dist != NULL)
        *dist = best_d;
    return best;
}

static long year_index(const int *years, size_t ny, int year)
{
    for (size_t i = 0; i < ny; i++)
        if (years[i] == year)
            return (long)i;
    return -1;
}

/* Index of county `name` among counties[0..nc), or -1. */
static long county_of(const char *name, const char *const *counties,
                      size_t nc)
{
    for (size_t c = 0; name != NULL && c < nc; c++)
        if (strcmp(counties[c], name) == 0)
            return (long)c;
    return -1;
}

/* A county target's problem: no such county, with the valid names. */
static int bad_county(const tw_target *t, const char *const *counties,
                      size_t nc, tw_error *err)
{
    char list[1024] = "";
    size_t used = 0;
    for (size_t c = 0; c < nc && used < sizeof list; c++)
        used += (size_t)snprintf(list + used, sizeof list - used,
                                 "%s\"%s\"", c ? ", " : "", counties[c]);
    return tw_error_add(err, TW_EINPUT, "%s: targets: '%s': no county "
                        "\"%s\" in this run; use one of %s", t->where,
                        t->name, t->county ? t->county : "", list);
}

int tw_targets_resolve(const tw_target *t, size_t nt,
                       const char *const *names, size_t nm,
                       const char *const *counties, size_t nc,
                       const int *years, size_t ny, long *cols,
                       tw_error *err)
{
    int rc = TW_OK;
    size_t stride = 1 + nc;
    for (size_t i = 0; i < nt; i++) {
        long *ci = cols + i * stride, m = -1;
        for (size_t k = 0; k < stride; k++)
            ci[k] = -1;
        size_t best_d, best = tw_nearest(t[i].metric, names, nm, &best_d);
        if (best_d == 0)
            m = (long)best;
        if (m < 0)
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
        if (t[i].scope != TW_SCOPE_REGION && nc == 0) {
            rc = tw_error_add(err, TW_EINPUT, "%s: targets: '%s': scope "
                              "\"%s\" needs county results, and this run "
                              "has no county results (markov or mean-field "
                              "mode, --no-counties, or a file written without them)",
                              t[i].where, t[i].name,
                              tw_target_scope_names[t[i].scope]);
            continue;
        }
        long c = t[i].scope == TW_SCOPE_COUNTY
                     ? county_of(t[i].county, counties, nc) : 0;
        if (c < 0)
            rc = bad_county(&t[i], counties, nc, err);
        if (m < 0 || c < 0)
            continue;
        /* row layout: region metrics [0, nm), then county c's at
         * nm + c * nm */
        switch (t[i].scope) {
        case TW_SCOPE_COUNTY:
            ci[0] = (long)nm + c * (long)nm + m;
            break;
        case TW_SCOPE_EACH_COUNTY:
            ci[0] = m;
            for (size_t k = 0; k < nc; k++)
                ci[1 + k] = (long)(nm + k * nm) + m;
            break;
        case TW_SCOPE_REGION:
        case TW_N_SCOPES:
            ci[0] = m;
            break;
        }
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

void tw_wilson(size_t k, size_t n, double *lo, double *hi)
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

/* The summary of the n quantities q (sorted in place) of which n_met
 * meet the target. */
static void summarise(double *q, size_t n, size_t n_met, tw_target_result *o)
{
    o->p_met = n ? (double)n_met / (double)n : 0;
    o->p_se = n ? sqrt(o->p_met * (1 - o->p_met) / (double)n) : 0;
    tw_wilson(n_met, n, &o->p_lo, &o->p_hi);
    o->mean = n ? gsl_stats_mean(q, 1, n) : 0;
    gsl_sort(q, 1, n);
    o->p05 = n ? gsl_stats_quantile_from_sorted_data(q, 1, n, 0.05) : 0;
    o->p50 = n ? gsl_stats_quantile_from_sorted_data(q, 1, n, 0.50) : 0;
    o->p95 = n ? gsl_stats_quantile_from_sorted_data(q, 1, n, 0.95) : 0;
}

int tw_targets_eval(const tw_target *t, size_t nt, const long *cols,
                    size_t nc, const double *traj, size_t reps, size_t ny,
                    size_t nw, const int *years, double *quantity,
                    unsigned char *met, tw_target_result *res,
                    tw_target_result *cres, tw_error *err)
{
    size_t stride = 1 + nc;
    for (size_t i = 0; i < nt; i++)
        if (t[i].scope != TW_SCOPE_REGION && nc == 0)
            return tw_error_set(err, TW_EINPUT, "%s: targets: '%s': scope "
                                "\"%s\" needs county results, and this run "
                                "has no county results", t[i].where,
                                t[i].name, tw_target_scope_names[t[i].scope]);
    /* q: the region's (or one county's) quantities [reps], then each
     * county's [nc][reps]; n_met [1 + nc] */
    double *q = malloc((reps ? reps : 1) * stride * sizeof *q);
    size_t *n_met = malloc(stride * sizeof *n_met);
    if (q == NULL || n_met == NULL) {
        free(q);
        free(n_met);
        return tw_error_set(err, TW_EFAIL, "out of memory for the targets");
    }
    const double nan = NAN;
    const tw_target_result none = {nan, nan, nan, nan, nan, nan, nan, nan};
    for (size_t i = 0; i < nt; i++) {
        const long *ci = cols + i * stride;
        int each = t[i].scope == TW_SCOPE_EACH_COUNTY;
        int lower = t[i].op == TW_OP_GE || t[i].op == TW_OP_GT;
        for (size_t k = 0; k < stride; k++)
            n_met[k] = 0;
        for (size_t r = 0; r < reps; r++) {
            const double *row = traj + r * ny * nw;
            int m = 0;
            double x;
            if (!each) {
                x = tw_target_quantity(&t[i], ci[0], row, nw, years, ny, &m);
            } else {
                /* met in every county; the quantity is the worst
                 * county's, so that met <=> the quantity meets it */
                m = 1;
                x = 0;
                for (size_t c = 0; c < nc; c++) {
                    int mc = 0;
                    double xc = tw_target_quantity(&t[i], ci[1 + c], row, nw,
                                                   years, ny, &mc);
                    q[(1 + c) * reps + r] = xc;
                    n_met[1 + c] += (size_t)mc;
                    m = m && mc;
                    if (c == 0 || (lower ? xc < x : xc > x))
                        x = xc;
                }
            }
            quantity[r * nt + i] = x;
            met[r * nt + i] = (unsigned char)m;
            q[r] = x;
            n_met[0] += (size_t)m;
        }
        summarise(q, reps, n_met[0], &res[i]);
        for (size_t c = 0; cres != NULL && c < nc; c++) {
            if (each)
                summarise(q + (1 + c) * reps, reps, n_met[1 + c],
                          &cres[i * nc + c]);
            else
                cres[i * nc + c] = none;
        }
    }
    free(q);
    free(n_met);
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

const char *tw_target_verdict_value(const tw_target_result *r)
{
    return r->p_met >= 0.5 ? "met" : "not met";
}

void tw_targets_free(tw_target *t, size_t n)
{
    for (size_t i = 0; t != NULL && i < n; i++)
        TW_FREE(t[i].name, t[i].metric, t[i].quote, t[i].source, t[i].note,
                t[i].county);
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

void tw_text_pad(FILE *f, const char *s, int w)
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

/* The name column of target t: its name, and for a county target the
 * county in brackets. */
static void target_label(char *buf, size_t cap, const tw_target *t)
{
    if (t->scope == TW_SCOPE_COUNTY)
        snprintf(buf, cap, "%s [%s]", t->name, t->county ? t->county : "");
    else if (t->scope == TW_SCOPE_EACH_COUNTY)
        snprintf(buf, cap, "%s [each county]", t->name);
    else
        snprintf(buf, cap, "%s", t->name);
}

/* Under an each_county target: one line per county, P(met), mean and
 * the 90% band of the county's quantity. */
static void county_table(FILE *f, const tw_target *t,
                         const char *const *counties, size_t nc,
                         const tw_target_result *cr)
{
    int share = strstr(t->metric, "share") != NULL, wk = 6;
    for (size_t c = 0; c < nc; c++) {
        int a = tw_text_width(counties[c]);
        wk = a > wk ? a : wk;
    }
    fputs("        ", f);
    tw_text_pad(f, "county", wk + 2);
    fprintf(f, "%-7s %10s  %s\n", "P(met)", "mean", "90% band");
    for (size_t c = 0; c < nc; c++) {
        char p[16], m[32], lo[32], hi[32];
        snprintf(p, sizeof p, "%.2f", cr[c].p_met);
        fmt_num(m, sizeof m, cr[c].mean, share);
        fmt_num(lo, sizeof lo, cr[c].p05, share);
        fmt_num(hi, sizeof hi, cr[c].p95, share);
        fputs("        ", f);
        tw_text_pad(f, counties[c], wk + 2);
        fprintf(f, "%-7s %10s  %s – %s\n", p, m, lo, hi);
    }
}

size_t tw_targets_report(FILE *f, const char *title, const tw_target *t,
                         size_t nt, const tw_target_result *res,
                         const char *const *counties, size_t nc,
                         const tw_target_result *cres, size_t reps,
                         double confidence)
{
    size_t below = 0;
    fprintf(f, "%s: %zu target%s, %zu replicates, verdict at confidence "
            "%.2f\n\n", title, nt, nt == 1 ? "" : "s", reps, confidence);
    if (nt == 0) {
        fprintf(f, "  (no targets in this run's config)\n");
        return 0;
    }
    int wn = 6, wc = 9, any_each = 0;
    char cond[256], label[256];
    for (size_t i = 0; i < nt; i++) {
        target_label(label, sizeof label, &t[i]);
        int a = tw_text_width(label);
        wn = a > wn ? a : wn;
        snprintf(cond, sizeof cond, "%s %s %s %g", t[i].metric,
                 t[i].kind == TW_TARGET_LEVEL ? "" : tw_target_kind_names[t[i].kind],
                 tw_op_names[t[i].op], t[i].value);
        a = tw_text_width(cond);
        wc = a > wc ? a : wc;
        any_each |= t[i].scope == TW_SCOPE_EACH_COUNTY;
    }
    fputs("  ", f);
    tw_text_pad(f, "target", wn + 2);
    tw_text_pad(f, "year", 6);
    tw_text_pad(f, "condition", wc + 2);
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
        target_label(label, sizeof label, &t[i]);
        fputs("  ", f);
        tw_text_pad(f, label, wn + 2);
        tw_text_pad(f, y, 6);
        tw_text_pad(f, cond, wc + 2);
        tw_text_pad(f, p, 18);
        fprintf(f, " %10s  ", m);
        tw_text_pad(f, band, 22);
        fprintf(f, "%s%s\n", tw_target_verdict(r, confidence),
                t[i].national ? " (national)" : "");
        fprintf(f, "      \"%s\" (%s)\n", t[i].quote, t[i].source);
        if (t[i].scope == TW_SCOPE_EACH_COUNTY && cres != NULL && nc > 0)
            county_table(f, &t[i], counties, nc, cres + i * nc);
        if (r->p_met < confidence)
            below++;
    }
    fprintf(f, "\n  P(met): share of replicates meeting the target, with its "
            "90%% Monte Carlo\n  interval (Wilson). mean, 90%% band: of the "
            "compared quantity (the value;\n  the sum for cumulative; the "
            "difference for change; the worst year's change\n  for "
            "every_year).\n");
    if (any_each)
        fprintf(f, "  [each county]: P(met) is P(every county meets it); the "
                "quantity is the\n  worst county's (the smallest for >= and "
                ">, the largest for <= and <);\n  each county's own P(met), "
                "mean and band are listed under the target.\n");
    return below;
}

size_t tw_targets_report_value(FILE *f, const char *title,
                               const tw_target *t, size_t nt,
                               const tw_target_result *res)
{
    size_t unmet = 0;
    fprintf(f, "%s: %zu target%s, one mean-field run (expected values, no "
            "randomness)\n\n", title, nt, nt == 1 ? "" : "s");
    if (nt == 0) {
        fprintf(f, "  (no targets in this run's config)\n");
        return 0;
    }
    int wn = 6, wc = 9;
    char cond[256], label[256];
    for (size_t i = 0; i < nt; i++) {
        target_label(label, sizeof label, &t[i]);
        int a = tw_text_width(label);
        wn = a > wn ? a : wn;
        snprintf(cond, sizeof cond, "%s %s%s%s %g", t[i].metric,
                 t[i].kind == TW_TARGET_LEVEL ? "" : tw_target_kind_names[t[i].kind],
                 t[i].kind == TW_TARGET_LEVEL ? "" : " ",
                 tw_op_names[t[i].op], t[i].value);
        a = tw_text_width(cond);
        wc = a > wc ? a : wc;
    }
    fputs("  ", f);
    tw_text_pad(f, "target", wn + 2);
    tw_text_pad(f, "year", 6);
    tw_text_pad(f, "condition", wc + 2);
    fprintf(f, "%12s  %s\n", "value", "verdict");
    for (size_t i = 0; i < nt; i++) {
        int share = strstr(t[i].metric, "share") != NULL;
        /* one run: p_met is 1 (met) or 0 (not met) */
        int met = res[i].p_met >= 0.5;
        char y[16], v[32];
        snprintf(y, sizeof y, "%d", t[i].year);
        snprintf(cond, sizeof cond, "%s %s%s%s %g", t[i].metric,
                 t[i].kind == TW_TARGET_LEVEL ? "" : tw_target_kind_names[t[i].kind],
                 t[i].kind == TW_TARGET_LEVEL ? "" : " ",
                 tw_op_names[t[i].op], t[i].value);
        /* two decimals always: a value just short of its threshold
         * must not print as the threshold itself */
        snprintf(v, sizeof v, share ? "%.4f" : "%.2f", res[i].mean);
        target_label(label, sizeof label, &t[i]);
        fputs("  ", f);
        tw_text_pad(f, label, wn + 2);
        tw_text_pad(f, y, 6);
        tw_text_pad(f, cond, wc + 2);
        fprintf(f, "%12s  %s%s\n", v, tw_target_verdict_value(&res[i]),
                t[i].national ? " (national)" : "");
        fprintf(f, "      \"%s\" (%s)\n", t[i].quote, t[i].source);
        unmet += !met;
    }
    fprintf(f, "\n  value: the compared quantity in the mean-field run (the "
            "value; the sum for\n  cumulative; the difference for change; the "
            "worst year's change for\n  every_year), set against the "
            "condition's threshold. The mean field is\n  deterministic: no "
            "probability, no interval; run the ensemble for P(met).\n");
    return unmet;
}

int tw_targets_on_run(const tw_target *t, size_t nt,
                      const char *const *names, size_t nm,
                      const char *const *counties, size_t nc,
                      const int *years, size_t ny, const double *traj,
                      size_t reps, unsigned char *met, tw_target_result *res,
                      tw_target_result *cres, tw_error *err)
{
    size_t cells = reps * nt > 0 ? reps * nt : 1;
    long *cols = malloc((nt ? nt : 1) * (1 + nc) * sizeof *cols);
    double *q = malloc(cells * sizeof *q);
    unsigned char *own = met == NULL ? malloc(cells) : NULL;
    int rc;
    if (cols == NULL || q == NULL || (met == NULL && own == NULL))
        rc = tw_error_set(err, TW_EFAIL, "out of memory");
    else if ((rc = tw_targets_resolve(t, nt, names, nm, counties, nc, years,
                                      ny, cols, err)) == TW_OK)
        rc = tw_targets_eval(t, nt, cols, nc, traj, reps, ny, nm * (1 + nc),
                             years, q, met != NULL ? met : own, res, cres,
                             err);
    free(cols);
    free(q);
    free(own);
    return rc;
}
