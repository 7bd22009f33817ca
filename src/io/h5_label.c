/*
 * h5_label.c - named dimensions, coordinates, units and long names in
 * every group of a twsim file, so that a netCDF-4 reader (xarray's
 * h5netcdf engine) opens any group alone, labelled, without phony_dims
 * (docs/hdf5.md, "Reading with xarray").
 *
 * The writers lay out their datasets; tw_h5_label then walks the closed
 * layout once, just before the file is closed, and for each dataset
 *
 *   - names each dimension: the scale already attached to it, else the
 *     table `rules` below (by group and dataset name);
 *   - gives the dataset's own group a dimension scale of that name, so
 *     that `group=G` alone has the coordinate: the group's dataset of that
 *     name, else a copy of the run's scale (/year, /metric, /replicate,
 *     /targets/target, /by_county/county, ...), else an index 0..n-1;
 *   - attaches it (a dimension keeps the scales it had: netCDF-4 readers
 *     take the last one attached, h5py's dims[i][0] is the first);
 *   - adds `long_name` (the dataset's `description`, else the table's)
 *     and `units` (the table's; "" for text) when it has none;
 *   - along `metric`, adds the coordinate variables `units`, `long_name`
 *     and `label` (copies of /metrics/unit, description, label) and names
 *     them in the data's `coordinates` attribute (CF), so that a
 *     selection of one metric carries its unit.
 *
 * Everything it adds is new; nothing is renamed or rewritten. It is
 * idempotent: a file labelled once is labelled again unchanged (compare
 * --store relabels the file it adds a group to).
 *
 *   group of a run file, relative to the run's top ("/" or
 *   /scenarios/<name>)          its scales after labelling
 *   ""                          replicate year metric (+ units long_name label)
 *   summary                     year metric (+ ...)
 *   by_county, by_county/summary  replicate year county metric (+ ...)
 *   metrics                     metric
 *   targets                     target replicate
 *   targets/by_county           target county
 *   uncertainty                 setting replicate parameter
 *   sensitivity                 target setting
 *   comparisons/<a>-vs-<b>      year metric target (+ ...)
 *   tiers, config, replicates   tier, override, replicate
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hdf5.h>
#include <hdf5_hl.h>

#include "tw_h5.h"
#include "tw_h5util.h"

/* The unit of an array along `metric` whose metrics differ in unit. */
#define PER_METRIC "@metric"
/* The unit of a target's quantity: its metric's. */
#define PER_TARGET "per target: the unit of its metric (/metrics/unit)"
#define MIXED_UNITS "per metric: see the coordinate units"

/* What a dataset's dimensions are called, and its units and long name
 * when it carries none. group: relative to the run's top ("*" matches a
 * last component: "comparisons/ *"); dset "*": every dataset of it. */
typedef struct rule {
    const char *group, *dset, *dims, *units, *long_name;
} rule;

static const rule rules[] = {
    /* a run */
    { "", "trajectories", "replicate,year,metric", PER_METRIC, NULL },
    { "", "years", "year", "year", NULL },
    { "summary", "*", "year,metric", PER_METRIC, NULL },
    { "by_county", "trajectories", "replicate,year,county,metric",
      PER_METRIC, NULL },
    { "by_county/summary", "*", "year,county,metric", PER_METRIC, NULL },
    { "metrics", "*", "metric", "", NULL },
    { "tiers", "names", "tier", "", "tier name, lowest tier first" },
    { "config", "overrides", "override", "", NULL },
    { "config", "*", "", "", NULL },
    { "replicates", "done", "replicate", "1", NULL },
    { "targets", "quantity", "replicate,target", PER_TARGET, NULL },
    { "targets", "met", "replicate,target", "1", NULL },
    { "targets", "value", "target", PER_TARGET, NULL },
    { "targets", "mean", "target", PER_TARGET, NULL },
    { "targets", "p05", "target", PER_TARGET, NULL },
    { "targets", "p50", "target", PER_TARGET, NULL },
    { "targets", "p95", "target", PER_TARGET, NULL },
    { "targets", "year", "target", "year", NULL },
    { "targets", "from", "target", "year", NULL },
    { "targets", "national", "target", "1", NULL },
    { "targets", "p_met", "target", "1", NULL },
    { "targets", "p_se", "target", "1", NULL },
    { "targets", "p_lo", "target", "1", NULL },
    { "targets", "p_hi", "target", "1", NULL },
    { "targets", "*", "target", "", NULL },
    { "targets/by_county", "mean", "target,county", PER_TARGET, NULL },
    { "targets/by_county", "p05", "target,county", PER_TARGET, NULL },
    { "targets/by_county", "p50", "target,county", PER_TARGET, NULL },
    { "targets/by_county", "p95", "target,county", PER_TARGET, NULL },
    { "targets/by_county", "*", "target,county", "1", NULL },
    { "schools", "*", "school", "", NULL },
    { "uncertainty", "parameters", "setting,parameter", NULL, NULL },
    { "uncertainty", "value", "replicate,setting", NULL, NULL },
    { "uncertainty", "point", "replicate", "1", NULL },
    { "uncertainty", "*", "setting", "", NULL },
    { "sensitivity", "first_order", "target,setting", NULL, NULL },
    { "sensitivity", "first_order_se", "target,setting", NULL, NULL },
    { "sensitivity", "*", "target", "", NULL },
    /* a comparison (compare, in a scenario file or with --store) */
    { "comparisons/*", "target", "target", "", "target name" },
    { "comparisons/*", "gained", "target", "replicates",
      "replicates that meet the target in alt but not in base" },
    { "comparisons/*", "lost", "target", "replicates",
      "replicates that meet the target in base but not in alt" },
    { "comparisons/*", "p_met_base", "target", "1", "P(met) in base" },
    { "comparisons/*", "p_met_alt", "target", "1", "P(met) in alt" },
    { "comparisons/*", "p_met_change", "target", "1",
      "mean paired change of the met indicator, alt - base" },
    { "comparisons/*", "p_met_change_lo", "target", "1",
      "90% interval of the change in P(met), low end" },
    { "comparisons/*", "p_met_change_hi", "target", "1",
      "90% interval of the change in P(met), high end" },
    { "comparisons/*", "mean", "year,metric", PER_METRIC,
      "mean paired difference alt - base" },
    { "comparisons/*", "sd", "year,metric", PER_METRIC,
      "standard deviation of the paired differences" },
    { "comparisons/*", "ci_lo", "year,metric", PER_METRIC,
      "90% interval of the mean paired difference, low end" },
    { "comparisons/*", "ci_hi", "year,metric", PER_METRIC,
      "90% interval of the mean paired difference, high end" },
    { "comparisons/*", "p05", "year,metric", PER_METRIC,
      "5th percentile of the paired differences" },
    { "comparisons/*", "p95", "year,metric", PER_METRIC,
      "95th percentile of the paired differences" },
    /* a sweep or optimize file */
    { "", "value", "evaluation", "as the lever", "the lever's value" },
    { "", "value2", "evaluation", "as the second lever",
      "the second lever's value" },
    { "", "values", "evaluation,lever", "as the lever",
      "each lever's value" },
    { "", "replicates", "evaluation", "replicates",
      "replicates of the evaluation" },
    { "", "p_met", "evaluation,target", "1",
      "share of the evaluation's replicates meeting the target" },
    { "", "p_lo", "evaluation,target", "1",
      "low end of the Wilson interval of p_met" },
    { "", "p_hi", "evaluation,target", "1",
      "high end of the Wilson interval of p_met" },
    { "", "mean", "evaluation,target", PER_TARGET,
      "mean over the replicates of the target's quantity" },
    { "", "p_all", "evaluation", "1",
      "share of replicates meeting every target" },
    { "", "meets", "evaluation", "1",
      "1 = the evaluation meets every target at the probability asked" },
    { "", "cost", "evaluation", "as the costs' unit",
      "cost of the evaluation's lever values" },
    { "", "per_unit", "lever", "as the costs' unit",
      "cost per unit of each lever" },
    { "", "frontier", "frontier", "1",
      "evaluations on the cost-P(met) frontier (index)" },
    { "", "targets", "target", "", "target name" },
    { "", "levers", "lever", "", "lever key" },
    { "", "overrides", "override", "", "the --set arguments, in order" },
    /* a scenario file's index */
    { "", "scenario_names", "scenario", "", "scenario name" },
};

/* Scales made from a dataset of the same group ("scenario" from
 * scenario_names), not from the run's. */
static const struct {
    const char *dim, *from;
} from_group[] = {
    { "scenario", "scenario_names" },
    { "target", "targets" },
    { "lever", "levers" },
};

/* Where a run keeps the scale of a dimension, relative to its top. */
static const char *const scale_homes[] = {
    "", "by_county/", "targets/", "schools/", "targets/by_county/",
};

/* The metric coordinate variables and their sources in /metrics. */
static const struct {
    const char *name, *from, *long_name;
} metric_coords[] = {
    { "units", "unit", "unit of the metric's values" },
    { "long_name", "description", "one-line description of the metric" },
    { "label", "label", "label from the config (the tier name), or \"\"" },
};
#define METRIC_COORDS "units long_name label"

/* ----------------------------------------------------------- helpers */

static int exists(hid_t loc, const char *path)
{
    char buf[512];
    if (snprintf(buf, sizeof buf, "%s", path) >= (int)sizeof buf)
        return 0;
    /* H5Lexists of "a/b" fails unless "a" exists: test each prefix */
    for (char *p = buf + 1; (p = strchr(p, '/')) != NULL; p++) {
        *p = '\0';
        int ok = H5Lexists(loc, buf, H5P_DEFAULT) > 0;
        *p = '/';
        if (!ok)
            return 0;
    }
    return H5Lexists(loc, buf, H5P_DEFAULT) > 0;
}

static int has_attr(hid_t obj, const char *name)
{
    return H5Aexists(obj, name) > 0;
}

/* A string attribute if the object has none of that name; 0 or -1. */
static int put_attr(hid_t obj, const char *name, const char *value)
{
    return has_attr(obj, name) ? 0 : tw_h5u_str_attr(obj, name, value);
}

/* Copy string attribute `name` from src to dst if dst has none. */
static int copy_attr(hid_t src, hid_t dst, const char *name)
{
    char *v = NULL;
    if (!has_attr(src, name) || has_attr(dst, name))
        return 0;
    if (tw_h5u_read_str_attr(src, name, &v, NULL, 0) != 0)
        return 0;   /* not a string: leave it */
    int rc = tw_h5u_str_attr(dst, name, v);
    free(v);
    return rc;
}

static const char *basename_of(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

static int group_matches(const char *pattern, const char *rel)
{
    size_t n = strlen(pattern);
    if (n >= 2 && strcmp(pattern + n - 2, "/*") == 0)
        return strncmp(rel, pattern, n - 1) == 0 &&
               strchr(rel + n - 1, '/') == NULL && rel[n - 1] != '\0';
    return strcmp(pattern, rel) == 0;
}

static const rule *find_rule(const char *rel, const char *dset)
{
    for (size_t i = 0; i < sizeof rules / sizeof rules[0]; i++)
        if (group_matches(rules[i].group, rel) &&
            (strcmp(rules[i].dset, "*") == 0 ||
             strcmp(rules[i].dset, dset) == 0))
            return &rules[i];
    return NULL;
}

/* Token i of the comma-separated list `dims` into out; 0 or -1. */
static int dim_token(const char *dims, int i, char *out, size_t len)
{
    const char *p = dims;
    for (int k = 0; k < i; k++) {
        if ((p = strchr(p, ',')) == NULL)
            return -1;
        p++;
    }
    size_t n = strcspn(p, ",");
    if (n == 0 || n >= len)
        return -1;
    memcpy(out, p, n);
    out[n] = '\0';
    return 0;
}

/* Length of a 1-D dataset, or -1 when it is not one. */
static long long length_1d(hid_t d)
{
    hid_t s = H5Dget_space(d);
    hsize_t n = 0;
    long long len = -1;
    if (s >= 0 && H5Sget_simple_extent_ndims(s) == 1 &&
        H5Sget_simple_extent_dims(s, &n, NULL) == 1)
        len = (long long)n;
    tw_h5u_close(&s);
    return len;
}

/* Are two open objects the same object of the same file? */
static int same_object(hid_t a, hid_t b)
{
#if H5_VERSION_GE(1, 12, 0)
    H5O_info2_t x, y;
    int cmp = 1;
    if (H5Oget_info3(a, &x, H5O_INFO_BASIC) < 0 ||
        H5Oget_info3(b, &y, H5O_INFO_BASIC) < 0 || x.fileno != y.fileno ||
        H5Otoken_cmp(a, &x.token, &y.token, &cmp) < 0)
        return 0;
    return cmp == 0;
#else
    H5O_info_t x, y;
    return H5Oget_info2(a, &x, H5O_INFO_BASIC) >= 0 &&
           H5Oget_info2(b, &y, H5O_INFO_BASIC) >= 0 &&
           x.fileno == y.fileno && x.addr == y.addr;
#endif
}

/* What the scales attached to one axis say: the dimension name of the
 * last one (its NAME, which twsim sets to its dataset's name; else the
 * dataset's name), and whether `want` (if >= 0) is among them. Cheaper
 * than H5Iget_name and H5DSis_attached, which walk the file. */
typedef struct axis_scales {
    char name[256];
    hid_t want;
    int found;
} axis_scales;

static herr_t axis_cb(hid_t did, unsigned dim, hid_t sid, void *data)
{
    (void)did;
    (void)dim;
    axis_scales *a = data;
    if (a->want >= 0) {
        a->found = a->found || same_object(sid, a->want);
        return 0;
    }
    ssize_t n = H5DSget_scale_name(sid, a->name, sizeof a->name);
    if (n <= 0 || (size_t)n >= sizeof a->name) {
        char path[512];
        a->name[0] = '\0';
        if (H5Iget_name(sid, path, sizeof path) > 0)
            snprintf(a->name, sizeof a->name, "%.255s", basename_of(path));
    }
    return 0;
}

/* The dimension name of axis i of d from its scales, into out; -1 when
 * it has none. */
static int attached_name(hid_t d, unsigned i, char *out, size_t len)
{
    axis_scales a = { "", H5I_INVALID_HID, 0 };
    if (H5DSget_num_scales(d, i) <= 0 ||
        H5DSiterate_scales(d, i, NULL, axis_cb, &a) < 0 || a.name[0] == '\0')
        return -1;
    snprintf(out, len, "%.127s", a.name);
    return 0;
}

/* Is scale sc attached to axis i of d? 1, 0, or -1. */
static int is_attached(hid_t d, hid_t sc, unsigned i)
{
    axis_scales a = { "", sc, 0 };
    int n = H5DSget_num_scales(d, i);
    if (n < 0)
        return -1;
    if (n == 0)
        return 0;
    return H5DSiterate_scales(d, i, NULL, axis_cb, &a) < 0 ? -1 : a.found;
}

/* ------------------------------------------------------------ a run's */

/* Where a group sits: the top of its run ("/" or "/scenarios/<name>/")
 * and its path below it ("" for the top). */
typedef struct place {
    char top[256];
    const char *rel;
    char path[512];
    char unit[256];     /* the metrics' unit (metric_unit), once */
    int have_unit;
} place;

static void place_of(place *p, const char *path)
{
    p->have_unit = 0;
    snprintf(p->path, sizeof p->path, "%s", path);
    snprintf(p->top, sizeof p->top, "/");
    p->rel = p->path + 1;
    if (strncmp(p->path, "/scenarios/", 11) == 0 && p->path[11] != '\0') {
        const char *end = strchr(p->path + 11, '/');
        size_t n = end ? (size_t)(end - p->path) : strlen(p->path);
        if (n + 2 < sizeof p->top) {
            memcpy(p->top, p->path, n);
            p->top[n] = '/';
            p->top[n + 1] = '\0';
        }
        p->rel = end ? end + 1 : p->path + n;
    }
}

/* Copy the 1-D dataset at file path src into g as dim's scale. */
static hid_t copy_scale(hid_t file, const char *src, hid_t g, const char *dim)
{
    hid_t cp = H5Pcreate(H5P_OBJECT_COPY), s = H5I_INVALID_HID;
    hid_t d = H5I_INVALID_HID;
    if (cp < 0 || H5Pset_copy_object(cp, H5O_COPY_WITHOUT_ATTR_FLAG) < 0 ||
        H5Ocopy(file, src, g, dim, cp, H5P_DEFAULT) < 0 ||
        (d = H5Dopen2(g, dim, H5P_DEFAULT)) < 0 ||
        (s = H5Dopen2(file, src, H5P_DEFAULT)) < 0 ||
        copy_attr(s, d, "description") != 0 ||
        copy_attr(s, d, "long_name") != 0 || copy_attr(s, d, "units") != 0 ||
        H5DSset_scale(d, dim) < 0)
        tw_h5u_close(&d);
    TW_H5U_CLOSE(&s, &cp);
    return d;
}

/* A new int32 scale 0..n-1 named dim in g. */
static hid_t index_scale(hid_t g, const char *dim, long long n)
{
    int *v = malloc((n > 0 ? (size_t)n : 1) * sizeof *v);
    hsize_t dims[1] = { (hsize_t)n };
    char ln[160];
    if (v == NULL)
        return H5I_INVALID_HID;
    for (long long i = 0; i < n; i++)
        v[i] = (int)i;
    hid_t d = tw_h5u_dataset(g, dim, H5T_STD_I32LE, H5T_NATIVE_INT, 1, dims,
                             v, TW_H5U_UNTIMED);
    free(v);
    snprintf(ln, sizeof ln, "%s index", dim);
    if (d >= 0 && (put_attr(d, "long_name", ln) != 0 ||
                   put_attr(d, "units", "1") != 0 ||
                   H5DSset_scale(d, dim) < 0))
        tw_h5u_close(&d);
    return d;
}

/*
 * The scale of dimension `dim` (length n) in group g at place p: the
 * group's own dataset of that name (made a scale if it is not one), a
 * copy of a dataset of the group (from_group) or of the run's scale, or
 * an index. Returns it open, or -1.
 */
static hid_t group_scale(hid_t file, hid_t g, const place *p, const char *dim,
                         long long n)
{
    char src[768];
    hid_t d = H5I_INVALID_HID;
    if (H5Lexists(g, dim, H5P_DEFAULT) > 0) {
        if ((d = H5Dopen2(g, dim, H5P_DEFAULT)) < 0 || length_1d(d) != n ||
            (H5DSis_scale(d) <= 0 && H5DSset_scale(d, dim) < 0))
            tw_h5u_close(&d);
        return d;
    }
    for (size_t i = 0; i < sizeof from_group / sizeof from_group[0]; i++) {
        if (strcmp(dim, from_group[i].dim) != 0 ||
            H5Lexists(g, from_group[i].from, H5P_DEFAULT) <= 0)
            continue;
        snprintf(src, sizeof src, "%s/%s", p->path[1] ? p->path : "",
                 from_group[i].from);
        hid_t s = H5Dopen2(file, src, H5P_DEFAULT);
        long long len = s >= 0 ? length_1d(s) : -1;
        tw_h5u_close(&s);
        if (len == n)
            return copy_scale(file, src, g, dim);
    }
    /* the run's scale; a comparison in a scenario file takes the base's */
    const char *tops[2] = { p->top, "/scenarios/base/" };
    for (int t = 0; t < 2; t++) {
        for (size_t i = 0; i < sizeof scale_homes / sizeof scale_homes[0];
             i++) {
            snprintf(src, sizeof src, "%s%s%s", tops[t], scale_homes[i], dim);
            if (strcmp(src, p->path) == 0 || !exists(file, src))
                continue;
            hid_t s = H5Dopen2(file, src, H5P_DEFAULT);
            int ok = s >= 0 && H5DSis_scale(s) > 0 && length_1d(s) == n;
            tw_h5u_close(&s);
            if (ok)
                return copy_scale(file, src, g, dim);
        }
    }
    return index_scale(g, dim, n);
}

/* The metrics' unit column of the run at p: its common unit, or
 * MIXED_UNITS, into out; "" when there is no /metrics. */
static void metric_unit(hid_t file, const place *p, char *out, size_t len)
{
    char src[512], **u = NULL;
    size_t n = 0;
    out[0] = '\0';
    snprintf(src, sizeof src, "%smetrics/unit", p->top);
    if (!exists(file, src))
        snprintf(src, sizeof src, "/scenarios/base/metrics/unit");
    if (!exists(file, src) ||
        tw_h5u_read_strings(file, src, &u, &n, NULL, 0) != 0)
        return;
    int same = n > 0;
    for (size_t i = 1; i < n; i++)
        same = same && strcmp(u[i], u[0]) == 0;
    snprintf(out, len, "%s", same ? u[0] : MIXED_UNITS);
    for (size_t i = 0; i < n; i++)
        free(u[i]);
    free(u);
}

/* The coordinate variables units, long_name, label along g's metric
 * scale; 0 or -1. */
static int metric_coordinates(hid_t file, hid_t g, const place *p)
{
    char src[512];
    hid_t sc = H5I_INVALID_HID, d = H5I_INVALID_HID;
    int rc = -1;
    if (H5Lexists(g, "metric", H5P_DEFAULT) > 0) {
        sc = H5Dopen2(g, "metric", H5P_DEFAULT);
    } else {
        /* coordinates without data along metric (a scenario file whose
         * scenarios differ in years): the scale from their length */
        for (size_t i = 0; sc < 0 && i < sizeof metric_coords /
                                             sizeof metric_coords[0]; i++) {
            if (H5Lexists(g, metric_coords[i].name, H5P_DEFAULT) <= 0)
                continue;
            d = H5Dopen2(g, metric_coords[i].name, H5P_DEFAULT);
            long long n = d >= 0 ? length_1d(d) : -1;
            tw_h5u_close(&d);
            if (n >= 0)
                sc = group_scale(file, g, p, "metric", n);
        }
    }
    if (sc < 0)
        goto out;
    for (size_t i = 0; i < sizeof metric_coords / sizeof metric_coords[0];
         i++) {
        const char *name = metric_coords[i].name;
        if (H5Lexists(g, name, H5P_DEFAULT) <= 0) {
            snprintf(src, sizeof src, "%smetrics/%s", p->top,
                     metric_coords[i].from);
            if (!exists(file, src))
                snprintf(src, sizeof src, "/scenarios/base/metrics/%s",
                         metric_coords[i].from);
            if (!exists(file, src))
                continue;   /* no metric table to copy from */
            hid_t cp = H5Pcreate(H5P_OBJECT_COPY);
            int ok = cp >= 0 &&
                     H5Pset_copy_object(cp, H5O_COPY_WITHOUT_ATTR_FLAG) >= 0 &&
                     H5Ocopy(file, src, g, name, cp, H5P_DEFAULT) >= 0;
            tw_h5u_close(&cp);
            if (!ok)
                goto out;
        }
        int at = -1;
        int ok = (d = H5Dopen2(g, name, H5P_DEFAULT)) >= 0 &&
                 length_1d(d) == length_1d(sc) &&
                 put_attr(d, "long_name", metric_coords[i].long_name) == 0 &&
                 put_attr(d, "units", "") == 0 &&
                 (at = is_attached(d, sc, 0)) >= 0 &&
                 (at > 0 || H5DSattach_scale(d, sc, 0) >= 0);
        tw_h5u_close(&d);
        if (!ok)
            goto out;
    }
    rc = 0;
out:
    TW_H5U_CLOSE(&d, &sc);
    return rc;
}

/* ---------------------------------------------------------- a dataset */

static int is_text(hid_t d)
{
    hid_t t = H5Dget_type(d);
    int text = t >= 0 && H5Tget_class(t) == H5T_STRING;
    tw_h5u_close(&t);
    return text;
}

/* A long_name for d if it has none: its description, else fallback
 * (NULL: none). 0 or -1. */
static int describe_long(hid_t d, const char *fallback)
{
    char *desc = NULL;
    int rc;
    if (has_attr(d, "long_name"))
        return 0;
    if (has_attr(d, "description") &&
        tw_h5u_read_str_attr(d, "description", &desc, NULL, 0) == 0) {
        rc = tw_h5u_str_attr(d, "long_name", desc);
        free(desc);
        return rc;
    }
    return fallback ? tw_h5u_str_attr(d, "long_name", fallback) : 0;
}

/* Label dataset `name` of group g; *along_metric set when a dimension is
 * `metric`. 0 or -1. */
static int label_dataset(hid_t file, hid_t g, place *p,
                         const char *name, int *along_metric)
{
    hid_t d = H5I_INVALID_HID, s = H5I_INVALID_HID, sc = H5I_INVALID_HID;
    hsize_t dims[8];
    char dim[128];
    int rc = -1, metric = 0;
    const rule *r = find_rule(p->rel, name);

    if ((d = H5Dopen2(g, name, H5P_DEFAULT)) < 0 ||
        (s = H5Dget_space(d)) < 0)
        goto out;
    int rank = H5Sget_simple_extent_ndims(s);
    if (rank < 0 || rank > 8 || H5Sget_simple_extent_dims(s, dims, NULL) < 0)
        goto out;
    if (H5DSis_scale(d) > 0) {
        /* a coordinate: its name is the dimension's; its long name is its
         * description */
        rc = describe_long(d, NULL);
        goto out;
    }
    for (int i = 0; i < rank; i++) {
        if (attached_name(d, (unsigned)i, dim, sizeof dim) != 0 &&
            (r == NULL || dim_token(r->dims, i, dim, sizeof dim) != 0))
            snprintf(dim, sizeof dim, "%s_dim%d", name, i);
        if (rank == 1 && strcmp(dim, name) == 0) {
            /* its own dimension: a coordinate variable */
            if (H5DSset_scale(d, dim) < 0)
                goto out;
            continue;
        }
        if ((sc = group_scale(file, g, p, dim, (long long)dims[i])) < 0)
            goto out;
        int at = is_attached(d, sc, (unsigned)i);
        if (at < 0 || (at == 0 && H5DSattach_scale(d, sc, (unsigned)i) < 0))
            goto out;
        tw_h5u_close(&sc);
        metric = metric || strcmp(dim, "metric") == 0;
    }
    if (describe_long(d, r && r->long_name ? r->long_name : name) != 0)
        goto out;
    if (!has_attr(d, "units")) {
        const char *u = r ? r->units : NULL;
        if (u != NULL && strcmp(u, PER_METRIC) == 0) {
            if (!p->have_unit)
                metric_unit(file, p, p->unit, sizeof p->unit);
            p->have_unit = 1;
            u = p->unit;
        }
        if (u == NULL && is_text(d))
            u = "";
        if (u != NULL && tw_h5u_str_attr(d, "units", u) != 0)
            goto out;
    }
    if (metric && strcmp(p->rel, "metrics") != 0 &&
        put_attr(d, "coordinates", METRIC_COORDS) != 0)
        goto out;
    *along_metric = *along_metric || metric;
    rc = 0;
out:
    TW_H5U_CLOSE(&sc, &s, &d);
    return rc;
}

/* ------------------------------------------------------------ a group */

typedef struct names {
    char **v;
    size_t n, cap;
    int failed;
} names;

static int push(names *l, const char *s)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 32;
        char **v = realloc(l->v, cap * sizeof *v);
        if (v == NULL)
            return -1;
        l->v = v;
        l->cap = cap;
    }
    if ((l->v[l->n] = strdup(s)) == NULL)
        return -1;
    l->n++;
    return 0;
}

static void names_free(names *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i]);
    free(l->v);
}

/* The datasets of a group, by name. */
static herr_t dataset_cb(hid_t g, const char *name, const H5L_info_t *info,
                         void *data)
{
    names *l = data;
    H5O_info_t oi;
    if (info->type != H5L_TYPE_HARD)
        return 0;
    if (H5Oget_info_by_name(g, name, &oi, H5P_DEFAULT) < 0) {
        l->failed = 1;
        return -1;
    }
    if (oi.type == H5O_TYPE_DATASET && push(l, name) != 0) {
        l->failed = 1;
        return -1;
    }
    return 0;
}

/* Every group of the file, by path. */
static herr_t group_cb(hid_t obj, const char *name, const H5O_info_t *info,
                       void *data)
{
    (void)obj;
    names *l = data;
    char path[512];
    if (info->type != H5O_TYPE_GROUP)
        return 0;
    snprintf(path, sizeof path, "%s%s", strcmp(name, ".") == 0 ? "" : "/",
             strcmp(name, ".") == 0 ? "/" : name);
    if (push(l, path) != 0) {
        l->failed = 1;
        return -1;
    }
    return 0;
}

/* Label the datasets of the group at path; the number it could not
 * label, or -1 when it cannot list them. */
static int label_group(hid_t file, const char *path)
{
    place p;
    names l = { 0 };
    hid_t g = H5I_INVALID_HID;
    int rc = -1, metric = 0, coords = 0, unlabelled = 0;
    place_of(&p, path);
    if ((g = H5Gopen2(file, path, H5P_DEFAULT)) < 0 ||
        H5Literate(g, H5_INDEX_NAME, H5_ITER_INC, NULL, dataset_cb, &l) < 0 ||
        l.failed)
        goto out;
    /* the metric coordinates are coordinates, not data: skip them */
    for (size_t i = 0; i < l.n; i++) {
        int skip = 0;
        for (size_t k = 0; k < sizeof metric_coords / sizeof metric_coords[0];
             k++)
            skip = skip || (strcmp(l.v[i], metric_coords[k].name) == 0 &&
                            strcmp(p.rel, "metrics") != 0);
        coords = coords || skip;
        if (!skip && label_dataset(file, g, &p, l.v[i], &metric) != 0)
            unlabelled++;
    }
    if ((metric || coords) && strcmp(p.rel, "metrics") != 0 &&
        metric_coordinates(file, g, &p) != 0)
        unlabelled++;
    rc = unlabelled;
out:
    names_free(&l);
    tw_h5u_close(&g);
    return rc;
}

int tw_h5_label(int64_t file_id)
{
    hid_t file = (hid_t)file_id;
    names groups = { 0 };
    int rc = -1;
    if (H5Ovisit(file, H5_INDEX_NAME, H5_ITER_INC, group_cb, &groups) < 0 ||
        groups.failed)
        goto out;
    /* a dataset that cannot be labelled does not stop the others */
    rc = 0;
    for (size_t i = 0; i < groups.n; i++) {
        int k = label_group(file, groups.v[i]);
        rc += k < 0 ? 1 : k;
    }
out:
    names_free(&groups);
    return rc;
}
