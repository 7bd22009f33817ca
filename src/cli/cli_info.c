/*
 * cli_info.c - the selections of `twsim info` (--county, --metrics,
 * --schools) and the list of short schools that `twsim check` prints too.
 *
 * Everything here reads the summaries of a run (tw_h5_data): the region's
 * /summary, /by_county/summary and /schools, never the trajectories, so a
 * selection costs the same for 10 replicates as for 10,000.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tw_cli.h"
#include "tw_h5.h"
#include "tw_targets.h"

/* The year-by-year table without --metrics: the establishment (编制,
 * posts funded by the county) and how it is filled, the shortfall against
 * the staffing standard, and the year's flows. Names a file lacks (a
 * markov-mode run has no establishment) are skipped. */
static const char *const DEFAULT_METRICS[] = {
    "teachers.total", "teachers.bianzhi", "teachers.contract",
    "establishment.cap", "establishment.used", "establishment.room",
    "gap.total", "posts.unfilled", "hires.total", "exits.total",
};
#define N_DEFAULT (sizeof DEFAULT_METRICS / sizeof DEFAULT_METRICS[0])

static int info_error(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

/* A bad selection: "twsim info: ..." on stderr, exit status 2. */
static int info_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("twsim info: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return TW_EINPUT;
}

static long find_name(char *const *names, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(names[i], name) == 0)
            return (long)i;
    return -1;
}

static size_t nearest_name(char *const *names, size_t n, const char *name)
{
    return tw_nearest(name, (const char *const *)names, n, NULL);
}

long tw_cli_county(const tw_h5_data *d, const char *path, const char *name)
{
    if (d->n_counties == 0) {
        info_error("--county '%s': %s has no per-county results (no "
                   "/by_county: a %s run; only full-mode ensembles have "
                   "counties)", name, path, d->mode);
        return -1;
    }
    long c = find_name(d->county_names, d->n_counties, name);
    if (c >= 0)
        return c;
    fprintf(stderr, "twsim info: --county '%s': %s has no such county "
            "(nearest: '%s'); its %zu counties:", name, path,
            d->county_names[nearest_name(d->county_names, d->n_counties,
                                         name)], d->n_counties);
    for (size_t i = 0; i < d->n_counties; i++)
        fprintf(stderr, "%s %s", i ? "," : "", d->county_names[i]);
    fputc('\n', stderr);
    return -1;
}

/* A growing list of metric columns. */
typedef struct { size_t *v, n, cap; } col_list;

static int push_col(col_list *l, size_t m)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 16;
        size_t *v = realloc(l->v, cap * sizeof *v);
        if (v == NULL)
            return -1;
        l->v = v;
        l->cap = cap;
    }
    l->v[l->n++] = m;
    return 0;
}

/*
 * The columns of the metrics named by `list` (comma-separated; "all"
 * every metric; a name ending in '*' every metric with that prefix; NULL
 * the default set) into *cols (caller frees), in the order given.
 */
static int select_metrics(const tw_h5_data *d, const char *path,
                          const char *list, size_t **cols, size_t *n)
{
    size_t nm = d->n_metrics;
    col_list l = { NULL, 0, 0 };
    char *copy = list ? strdup(list) : NULL;
    int rc = TW_EINPUT, oom = list != NULL && copy == NULL;
    if (list == NULL) {
        for (size_t i = 0; i < N_DEFAULT && !oom; i++) {
            long m = find_name(d->metric_names, nm, DEFAULT_METRICS[i]);
            oom = m >= 0 && push_col(&l, (size_t)m) != 0;
        }
    } else if (strcmp(list, "all") == 0) {
        for (size_t m = 0; m < nm && !oom; m++)
            oom = push_col(&l, m) != 0;
    } else if (!oom) {
        char *save = NULL;
        for (char *t = strtok_r(copy, ",", &save); t != NULL && !oom;
             t = strtok_r(NULL, ",", &save)) {
            size_t len = strlen(t), before = l.n;
            if (len > 0 && t[len - 1] == '*') {
                for (size_t m = 0; m < nm && !oom; m++)
                    if (strncmp(d->metric_names[m], t, len - 1) == 0)
                        oom = push_col(&l, m) != 0;
            } else {
                long m = find_name(d->metric_names, nm, t);
                oom = m >= 0 && push_col(&l, (size_t)m) != 0;
            }
            if (!oom && l.n == before) {
                info_error("--metrics: %s has no metric '%s' (nearest: "
                           "'%s'; `twsim info FILE --metrics all` lists "
                           "all %zu)", path, t,
                           d->metric_names[nearest_name(d->metric_names, nm,
                                                        t)], nm);
                goto out;
            }
        }
        if (!oom && l.n == 0) {
            info_error("--metrics '%s': no metric named", list);
            goto out;
        }
    }
    if (oom) {
        fprintf(stderr, "twsim: out of memory\n");
        rc = TW_EFAIL;
        goto out;
    }
    *cols = l.v;
    *n = l.n;
    l.v = NULL;
    rc = TW_OK;
out:
    free(l.v);
    free(copy);
    return rc;
}

/* Print s left-aligned in `width` terminal columns. */
static void put_padded(const char *s, int width)
{
    fputs(s, stdout);
    for (int w = tw_text_width(s); w < width; w++)
        putchar(' ');
}

int tw_cli_year_table(const tw_h5_data *d, const char *path,
                      const char *county, const char *metrics)
{
    long c = -1;
    if (county != NULL && (c = tw_cli_county(d, path, county)) < 0)
        return TW_EINPUT;
    size_t *cols = NULL, n = 0;
    int rc = select_metrics(d, path, metrics, &cols, &n);
    if (rc != TW_OK)
        return rc;
    const tw_summary *s = c >= 0 ? &d->county_summary : &d->summary;
    if (s->mean == NULL || s->p05 == NULL || s->p95 == NULL) {
        free(cols);
        return info_error("%s has no summary yet (a .partial file: finish "
                          "it with run --resume; `twsim check` reports the "
                          "targets over its complete replicates)", path);
    }
    size_t done = 0;
    for (size_t r = 0; r < d->n_reps; r++)
        done += d->done[r] != 0;
    /* row y of the summary: the region's metrics, or county c's block */
    size_t stride = c >= 0 ? d->n_counties * d->n_metrics : d->n_metrics;
    size_t off = c >= 0 ? (size_t)c * d->n_metrics : 0;
    if (c >= 0)
        printf("county %s", d->county_names[c]);
    else
        printf("region %s", d->region_name[0] ? d->region_name
                                               : d->config_path);
    printf(": mean and 90%% band (p05 - p95) over %zu replicates, every "
           "year\n\n", done);
    int name_w = 6;
    for (size_t i = 0; i < n; i++) {
        int w = tw_text_width(d->metric_names[cols[i]]);
        name_w = w > name_w ? w : name_w;
    }
    put_padded("metric", name_w + 2);
    printf("%4s %12s   %10s - %-10s  %s\n", "year", "mean", "p05", "p95",
           "unit");
    for (size_t i = 0; i < n; i++) {
        size_t m = cols[i];
        int prec = strcmp(d->metric_units[m], "share") == 0 ? 3 : 1;
        for (size_t y = 0; y < d->n_years; y++) {
            size_t j = y * stride + off + m;
            put_padded(y == 0 ? d->metric_names[m] : "", name_w + 2);
            printf("%4d %12.*f   %10.*f - %-10.*f  %s", d->years[y], prec,
                   s->mean[j], prec, s->p05[j], prec, s->p95[j],
                   d->metric_units[m]);
            if (y == 0 && d->metric_labels[m][0])
                printf("  (%s)", d->metric_labels[m]);
            putchar('\n');
        }
    }
    free(cols);
    return TW_OK;
}

/* The order of the short-school list: most often short first, then the
 * largest mean shortfall, then the school's index. */
typedef struct { size_t i; double p, mean; } school_key;

static int by_short(const void *a, const void *b)
{
    const school_key *x = a, *y = b;
    if (x->p != y->p)
        return x->p > y->p ? -1 : 1;
    if (x->mean != y->mean)
        return x->mean < y->mean ? -1 : 1;
    return x->i < y->i ? -1 : x->i > y->i;
}

int tw_cli_short_schools(const tw_h5_data *d, const char *county,
                         size_t top)
{
    size_t ns = d->n_schools, y = d->n_years - 1, n = 0, half = 0;
    if (d->school_p_short == NULL || d->school_mean == NULL ||
        d->school_p05 == NULL || d->school_p95 == NULL) {
        printf("(no school summary yet: the file is partial)\n");
        return TW_OK;
    }
    school_key *k = malloc((ns ? ns : 1) * sizeof *k);
    if (k == NULL) {
        fprintf(stderr, "twsim: out of memory\n");
        return TW_EFAIL;
    }
    size_t in = 0;
    for (size_t i = 0; i < ns; i++) {
        if (county != NULL && strcmp(d->school_county[i], county) != 0)
            continue;
        in++;
        double p = d->school_p_short[y * ns + i];
        half += p >= 0.5;
        if (p > 0)
            k[n++] = (school_key){ i, p, d->school_mean[y * ns + i] };
    }
    qsort(k, n, sizeof *k, by_short);
    printf("Schools most often short in %d%s%s: %zu of %zu short in some "
           "replicate, %zu in at least half\n", d->years[y],
           county ? ", county " : "", county ? county : "", n, in, half);
    if (n == 0) {
        free(k);
        return TW_OK;
    }
    printf("(P(short): share of replicates with headcount below demand; "
           "surplus: headcount minus demand, teachers, mean and 90%% "
           "band)\n\n");
    int cw = 6;
    for (size_t j = 0; j < n && j < top; j++) {
        int w = tw_text_width(d->school_county[k[j].i]);
        cw = w > cw ? w : cw;
    }
    printf("%6s  ", "school");
    put_padded("county", cw + 2);
    printf("%-10s %-8s %8s %9s   %8s - %s\n", "stage", "locality",
           "P(short)", "surplus", "p05", "p95");
    for (size_t j = 0; j < n && j < top; j++) {
        size_t i = k[j].i, at = y * ns + i;
        printf("%6zu  ", i);
        put_padded(d->school_county[i], cw + 2);
        printf("%-10s %-8s %8.3f %9.1f   %8.1f - %.1f\n",
               d->school_stage[i], d->school_locality[i],
               d->school_p_short[at], d->school_mean[at], d->school_p05[at],
               d->school_p95[at]);
    }
    if (n > top)
        printf("... and %zu more short in some replicate (--top N shows "
               "more)\n", n - top);
    free(k);
    return TW_OK;
}
