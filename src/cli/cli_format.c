/*
 * cli_format.c - CSV and JSON records of the report commands
 * (cli_format.h), and the records of each report: targets (`check`),
 * paired differences (`compare`), lever grids (`sweep`, and sweep or
 * optimize files given to `check`).
 */
#include "cli_format.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tw_error.h"

const char *const tw_cli_format_names[TW_CLI_N_FORMATS] = {
    "text", "csv", "json"
};

int tw_cli_format_parse(const char *cmd, const char *arg, tw_cli_format *out)
{
    for (int i = 0; i < TW_CLI_N_FORMATS; i++)
        if (strcmp(arg, tw_cli_format_names[i]) == 0) {
            *out = (tw_cli_format)i;
            return TW_OK;
        }
    fprintf(stderr, "twsim %s: --format '%s': give one of text, csv, json\n"
            "(try 'twsim %s --help')\n", cmd, arg, cmd);
    return TW_EINPUT;
}

void tw_cli_rows_begin(tw_cli_rows *w, FILE *f, tw_cli_format fmt,
                       const char *const *cols, size_t n_cols)
{
    memset(w, 0, sizeof *w);
    w->f = f;
    w->fmt = fmt;
    w->cols = cols;
    w->n_cols = n_cols;
    if (fmt == TW_CLI_JSON) {
        fputc('[', f);
        return;
    }
    for (size_t i = 0; i < n_cols; i++) {
        if (i > 0)
            fputc(',', f);
        fputs(cols[i], f); /* plain identifiers: no quoting needed */
    }
    fputc('\n', f);
}

/* s as a JSON string: quotes, backslashes and control characters
 * escaped; bytes >= 0x80 (UTF-8) as they are. */
static void json_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(f, "\\%c", *p);
        else if (*p == '\n')
            fputs("\\n", f);
        else if (*p == '\t')
            fputs("\\t", f);
        else if (*p < 0x20 || *p == 0x7f)
            fprintf(f, "\\u%04x", *p);
        else
            fputc(*p, f);
    }
    fputc('"', f);
}

/* s as an RFC 4180 field. */
static void csv_string(FILE *f, const char *s)
{
    if (strpbrk(s, ",\"\r\n") == NULL) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (const char *p = s; *p; p++) {
        if (*p == '"')
            fputc('"', f);
        fputc(*p, f);
    }
    fputc('"', f);
}

/* Start the next field: the separator, and in JSON the key. */
static void field(tw_cli_rows *w)
{
    if (w->fmt == TW_CLI_JSON) {
        if (w->col == 0)
            fputs(w->rows ? ",\n{" : "\n{", w->f);
        else
            fputs(", ", w->f);
        json_string(w->f, w->col < w->n_cols ? w->cols[w->col] : "?");
        fputs(": ", w->f);
    } else if (w->col > 0) {
        fputc(',', w->f);
    }
    w->col++;
}

void tw_cli_rows_str(tw_cli_rows *w, const char *s)
{
    field(w);
    if (s == NULL)
        fputs(w->fmt == TW_CLI_JSON ? "null" : "", w->f);
    else if (w->fmt == TW_CLI_JSON)
        json_string(w->f, s);
    else
        csv_string(w->f, s);
}

void tw_cli_rows_num(tw_cli_rows *w, double v)
{
    field(w);
    if (!isfinite(v)) {
        fputs(w->fmt == TW_CLI_JSON ? "null" : "", w->f);
        return;
    }
    /* the shortest of 15 or 17 significant digits that reads back as v */
    char buf[40];
    snprintf(buf, sizeof buf, "%.15g", v);
    if (strtod(buf, NULL) != v)
        snprintf(buf, sizeof buf, "%.17g", v);
    fputs(buf, w->f);
}

void tw_cli_rows_int(tw_cli_rows *w, long long v)
{
    field(w);
    fprintf(w->f, "%lld", v);
}

void tw_cli_rows_next(tw_cli_rows *w)
{
    while (w->col < w->n_cols)
        tw_cli_rows_str(w, NULL);
    fputs(w->fmt == TW_CLI_JSON ? "}" : "\n", w->f);
    w->col = 0;
    w->rows++;
}

void tw_cli_rows_end(tw_cli_rows *w)
{
    if (w->col > 0)
        tw_cli_rows_next(w);
    if (w->fmt == TW_CLI_JSON)
        fputs(w->rows ? "\n]\n" : "]\n", w->f);
    fflush(w->f);
}

/* ------------------------------------------------------------------ */
/* The records of each report                                           */
/* ------------------------------------------------------------------ */

static const char *const target_cols[] = {
    "scenario", "target", "metric", "scope", "county", "year", "condition",
    "p_met", "p_lo", "p_hi", "mean", "p05", "p95", "verdict",
};

void tw_cli_targets_begin(tw_cli_rows *w, FILE *f, tw_cli_format fmt)
{
    tw_cli_rows_begin(w, f, fmt, target_cols,
                      sizeof target_cols / sizeof target_cols[0]);
}

/* One target record: t's fields, the result r, in county `county`. */
static void target_row(tw_cli_rows *w, const char *scenario,
                       const tw_target *t, const char *county,
                       const tw_target_result *r, double confidence)
{
    char cond[320];
    /* as the text report writes it: "metric [kind ]op value" */
    snprintf(cond, sizeof cond, "%s %s%s%s %g", t->metric,
             t->kind == TW_TARGET_LEVEL ? "" : tw_target_kind_names[t->kind],
             t->kind == TW_TARGET_LEVEL ? "" : " ", tw_op_names[t->op],
             t->value);
    tw_cli_rows_str(w, scenario);
    tw_cli_rows_str(w, t->name);
    tw_cli_rows_str(w, t->metric);
    tw_cli_rows_str(w, tw_target_scope_names[t->scope]);
    tw_cli_rows_str(w, county);
    tw_cli_rows_int(w, t->year);
    tw_cli_rows_str(w, cond);
    tw_cli_rows_num(w, r->p_met);
    tw_cli_rows_num(w, r->p_lo);
    tw_cli_rows_num(w, r->p_hi);
    tw_cli_rows_num(w, r->mean);
    tw_cli_rows_num(w, r->p05);
    tw_cli_rows_num(w, r->p95);
    /* one deterministic run (a mean-field file) has no interval */
    tw_cli_rows_str(w, isnan(r->p_lo) ? tw_target_verdict_value(r)
                                      : tw_target_verdict(r, confidence));
    tw_cli_rows_next(w);
}

void tw_cli_targets_rows(tw_cli_rows *w, const char *scenario,
                         const tw_target *t, size_t nt,
                         const tw_target_result *res,
                         const char *const *counties, size_t nc,
                         const tw_target_result *cres, double confidence)
{
    for (size_t i = 0; i < nt; i++) {
        target_row(w, scenario, &t[i],
                   t[i].scope == TW_SCOPE_COUNTY ? t[i].county : NULL,
                   &res[i], confidence);
        if (t[i].scope != TW_SCOPE_EACH_COUNTY || cres == NULL)
            continue;
        for (size_t c = 0; c < nc; c++)
            target_row(w, scenario, &t[i], counties[c], &cres[i * nc + c],
                       confidence);
    }
}

static const char *const compare_cols[] = {
    "kind", "name", "year", "unit", "p_base", "p_alt", "mean", "sd",
    "ci_lo", "ci_hi", "p05", "p95", "gained", "lost", "label",
};

void tw_cli_comparison_rows(FILE *f, tw_cli_format fmt,
                            const tw_comparison *c, const tw_h5_data *base,
                            const unsigned char *show)
{
    tw_cli_rows w;
    tw_cli_rows_begin(&w, f, fmt, compare_cols,
                      sizeof compare_cols / sizeof compare_cols[0]);
    for (size_t i = 0; i < c->n_targets; i++) {
        const tw_paired *p = &c->dp[i];
        tw_cli_rows_str(&w, "target");
        tw_cli_rows_str(&w, c->target_names[i]);
        tw_cli_rows_str(&w, NULL);
        tw_cli_rows_str(&w, "P(met)");
        tw_cli_rows_num(&w, c->p_base[i]);
        tw_cli_rows_num(&w, c->p_alt[i]);
        tw_cli_rows_num(&w, p->mean);
        tw_cli_rows_num(&w, p->sd);
        tw_cli_rows_num(&w, p->ci_lo);
        tw_cli_rows_num(&w, p->ci_hi);
        tw_cli_rows_num(&w, p->p05);
        tw_cli_rows_num(&w, p->p95);
        tw_cli_rows_int(&w, (long long)c->gained[i]);
        tw_cli_rows_int(&w, (long long)c->lost[i]);
        tw_cli_rows_next(&w);
    }
    /* the metrics in the last year, as the text table */
    size_t y = c->n_years - 1, M = c->n_metrics;
    for (size_t m = 0; c->n_years > 0 && m < M; m++) {
        if (!show[m])
            continue;
        const tw_paired *p = &c->metric[y * M + m];
        tw_cli_rows_str(&w, "metric");
        tw_cli_rows_str(&w, base->metric_names[m]);
        tw_cli_rows_int(&w, base->years[y]);
        tw_cli_rows_str(&w, base->metric_units[m]);
        tw_cli_rows_str(&w, NULL);
        tw_cli_rows_str(&w, NULL);
        tw_cli_rows_num(&w, p->mean);
        tw_cli_rows_num(&w, p->sd);
        tw_cli_rows_num(&w, p->ci_lo);
        tw_cli_rows_num(&w, p->ci_hi);
        tw_cli_rows_num(&w, p->p05);
        tw_cli_rows_num(&w, p->p95);
        tw_cli_rows_str(&w, NULL); /* gained, lost: of targets only */
        tw_cli_rows_str(&w, NULL);
        tw_cli_rows_str(&w, base->metric_labels ? base->metric_labels[m]
                                                : NULL);
        tw_cli_rows_next(&w);
    }
    tw_cli_rows_end(&w);
}

static const char *const grid_cols[] = {
    "lever", "value", "lever2", "value2", "target", "p_met", "p_lo", "p_hi",
    "mean", "p_all", "meets",
};

/* t's array a [n][n_targets] at point i, target j; NaN when absent. */
static double cell(const double *a, const tw_lever_table *t, size_t i,
                   size_t j)
{
    return a ? a[i * t->n_targets + j] : NAN;
}

void tw_cli_grid_rows(FILE *f, tw_cli_format fmt, const tw_lever_table *t)
{
    tw_cli_rows w;
    int two = t->lever2[0] != '\0';
    tw_cli_rows_begin(&w, f, fmt, grid_cols,
                      sizeof grid_cols / sizeof grid_cols[0]);
    for (size_t i = 0; i < t->n; i++)
        for (size_t j = 0; j < t->n_targets; j++) {
            tw_cli_rows_str(&w, t->lever);
            tw_cli_rows_num(&w, t->value[i]);
            tw_cli_rows_str(&w, two ? t->lever2 : NULL);
            tw_cli_rows_num(&w, two ? t->value2[i] : NAN);
            tw_cli_rows_str(&w, t->targets[j]);
            tw_cli_rows_num(&w, cell(t->p_met, t, i, j));
            tw_cli_rows_num(&w, cell(t->p_lo, t, i, j));
            tw_cli_rows_num(&w, cell(t->p_hi, t, i, j));
            tw_cli_rows_num(&w, cell(t->mean, t, i, j));
            tw_cli_rows_num(&w, t->p_all[i]);
            tw_cli_rows_int(&w, t->meets[i] != 0);
            tw_cli_rows_next(&w);
        }
    tw_cli_rows_end(&w);
}

void tw_cli_grid_text(FILE *f, const tw_lever_table *t)
{
    int two = t->lever2[0] != '\0', wn = 6;
    for (size_t j = 0; j < t->n_targets; j++) {
        int a = tw_text_width(t->targets[j]);
        wn = a > wn ? a : wn;
    }
    fprintf(f, "P(met) of each target with its 90%% interval, and the mean "
            "over the replicates of the quantity it compares:\n\n");
    fprintf(f, "%12s", "value");
    if (two)
        fprintf(f, " %12s", "value2");
    fprintf(f, "  %-*s  %-18s %12s %8s  %s\n", wn, "target",
            "P(met) [90% CI]", "mean", "all", "meets");
    for (size_t i = 0; i < t->n; i++)
        for (size_t j = 0; j < t->n_targets; j++) {
            char p[64], m[32];
            snprintf(p, sizeof p, "%.3f [%.3f-%.3f]",
                     cell(t->p_met, t, i, j), cell(t->p_lo, t, i, j),
                     cell(t->p_hi, t, i, j));
            double mean = cell(t->mean, t, i, j);
            if (isfinite(mean))
                snprintf(m, sizeof m, "%.3f", mean);
            else
                snprintf(m, sizeof m, "-");
            if (j == 0) {
                fprintf(f, "%12g", t->value[i]);
                if (two)
                    fprintf(f, " %12g", t->value2[i]);
            } else {
                fprintf(f, "%12s", "");
                if (two)
                    fprintf(f, " %12s", "");
            }
            fprintf(f, "  %s", t->targets[j]);
            for (int k = tw_text_width(t->targets[j]); k < wn; k++)
                fputc(' ', f);
            fprintf(f, "  %-18s %12s", p, m);
            if (j == 0)
                fprintf(f, " %8.3f  %s", t->p_all[i],
                        t->meets[i] != 0 ? "yes" : "no");
            fputc('\n', f);
        }
}
