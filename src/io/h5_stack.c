/*
 * h5_stack.c - the scenarios of a `run --all-scenarios` file along one
 * `scenario` dimension (docs/hdf5.md, "Scenarios along one dimension").
 *
 * Each scenario's run is in /scenarios/<name>, with the layout of a run.
 * At the root of the file, the same layout is repeated with a leading
 * dimension `scenario`: /trajectories [scenario, replicate, year, metric],
 * /summary/mean [scenario, year, metric], /targets/p_met [scenario,
 * target], ... . The stacked datasets are HDF5 virtual datasets whose
 * row s maps /scenarios/<name s>/<path> of the same file: they take no
 * space, and the per-scenario groups stay as they were.
 *
 *   /scenarios/base/summary/mean     [year, metric]  --+
 *   /scenarios/same/summary/mean     [year, metric]  --+--> /summary/mean
 *   /scenarios/no_exit/summary/mean  [year, metric]  --+  [scenario, year,
 *                                                          metric] (virtual)
 *
 * A numeric dataset is stacked when every scenario has it with the same
 * shape and type; a scale or a text dataset (metric names, target names,
 * the metric coordinates) is copied from the first scenario when every
 * scenario has the same values; anything else (each scenario's config,
 * a scenario that changes the years) is left to the per-scenario groups.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>

#include <hdf5.h>
#include <hdf5_hl.h>

#include "tw_h5.h"
#include "tw_h5util.h"

#define MAX_RANK 6

/* The datasets of the first scenario, by path relative to its group. */
typedef struct paths {
    char **v;
    size_t n, cap;
    int failed;
} paths;

static herr_t collect_cb(hid_t obj, const char *name, const H5O_info_t *info,
                         void *data)
{
    (void)obj;
    paths *l = data;
    if (info->type != H5O_TYPE_DATASET)
        return 0;
    /* each scenario's config is its own */
    if (strncmp(name, "config/", 7) == 0)
        return 0;
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 64;
        char **v = realloc(l->v, cap * sizeof *v);
        if (v == NULL) {
            l->failed = 1;
            return -1;
        }
        l->v = v;
        l->cap = cap;
    }
    if ((l->v[l->n] = strdup(name)) == NULL) {
        l->failed = 1;
        return -1;
    }
    l->n++;
    return 0;
}

/* The shape and type class of dataset `path` of file; rank or -1. */
static int shape_of(hid_t file, const char *path, hsize_t *dims,
                    H5T_class_t *cls, size_t *size)
{
    hid_t d = H5I_INVALID_HID, s = H5I_INVALID_HID, t = H5I_INVALID_HID;
    int rank = -1;
    if (H5Lexists(file, path, H5P_DEFAULT) <= 0)
        return -1;
    if ((d = H5Dopen2(file, path, H5P_DEFAULT)) >= 0 &&
        (s = H5Dget_space(d)) >= 0 && (t = H5Dget_type(d)) >= 0) {
        rank = H5Sget_simple_extent_ndims(s);
        if (rank < 0 || rank >= MAX_RANK ||
            H5Sget_simple_extent_dims(s, dims, NULL) < 0)
            rank = -1;
        *cls = H5Tget_class(t);
        *size = H5Tget_size(t);
    }
    TW_H5U_CLOSE(&t, &s, &d);
    return rank;
}

/* Is dataset `path` of file a dimension scale? */
static int is_scale(hid_t file, const char *path)
{
    hid_t d = H5Dopen2(file, path, H5P_DEFAULT);
    int sc = d >= 0 && H5DSis_scale(d) > 0;
    tw_h5u_close(&d);
    return sc;
}

/* The whole contents of a dataset as bytes (strings: joined with NUL
 * separators), to compare two scenarios'; NULL on failure. */
static char *contents(hid_t file, const char *path, H5T_class_t cls,
                      size_t *len)
{
    if (cls == H5T_STRING) {
        char **v = NULL, *out = NULL;
        size_t n = 0, total = 1;
        /* a list of strings; a single one (a config) is not stacked */
        hid_t d = H5Dopen2(file, path, H5P_DEFAULT);
        hid_t s = d >= 0 ? H5Dget_space(d) : H5I_INVALID_HID;
        int list = s >= 0 && H5Sget_simple_extent_ndims(s) == 1;
        TW_H5U_CLOSE(&s, &d);
        if (!list ||
            tw_h5u_read_strings(file, path, &v, &n, NULL, 0) != 0)
            return NULL;
        for (size_t i = 0; i < n; i++)
            total += strlen(v[i]) + 1;
        if ((out = malloc(total)) != NULL) {
            char *p = out;
            for (size_t i = 0; i < n; i++) {
                size_t k = strlen(v[i]) + 1;
                memcpy(p, v[i], k);
                p += k;
            }
            *len = (size_t)(p - out);
        }
        for (size_t i = 0; i < n; i++)
            free(v[i]);
        free(v);
        return out;
    }
    hid_t d = H5Dopen2(file, path, H5P_DEFAULT), t = H5I_INVALID_HID;
    hid_t s = H5I_INVALID_HID;
    char *buf = NULL;
    if (d >= 0 && (t = H5Dget_type(d)) >= 0 && (s = H5Dget_space(d)) >= 0) {
        hssize_t np = H5Sget_simple_extent_npoints(s);
        size_t n = np > 0 ? (size_t)np * H5Tget_size(t) : 0;
        if ((buf = malloc(n ? n : 1)) != NULL &&
            (n == 0 || H5Dread(d, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) >= 0))
            *len = n;
        else {
            free(buf);
            buf = NULL;
        }
    }
    TW_H5U_CLOSE(&s, &t, &d);
    return buf;
}

/* Do all n scenarios hold the same values at rel? */
static int same_everywhere(hid_t file, char *const *tops, size_t n,
                           const char *rel, H5T_class_t cls)
{
    char path[768];
    size_t len0 = 0, len = 0;
    snprintf(path, sizeof path, "%s/%s", tops[0], rel);
    char *first = contents(file, path, cls, &len0);
    int same = first != NULL;
    for (size_t i = 1; same && i < n; i++) {
        snprintf(path, sizeof path, "%s/%s", tops[i], rel);
        char *c = contents(file, path, cls, &len);
        same = c != NULL && len == len0 && memcmp(c, first, len) == 0;
        free(c);
    }
    free(first);
    return same;
}

/* Create the groups on the way to rel at the root of file. */
static int make_parents(hid_t file, const char *rel)
{
    char buf[512];
    snprintf(buf, sizeof buf, "%s", rel);
    for (char *p = buf; (p = strchr(p, '/')) != NULL; p++) {
        *p = '\0';
        if (H5Lexists(file, buf, H5P_DEFAULT) <= 0) {
            hid_t g = tw_h5u_group(file, buf, TW_H5U_UNTIMED);
            if (g < 0)
                return -1;
            tw_h5u_close(&g);
        }
        *p = '/';
    }
    return 0;
}

static void copy_str_attr(hid_t src, hid_t dst, const char *name)
{
    char *v = NULL;
    if (H5Aexists(src, name) > 0 && H5Aexists(dst, name) <= 0 &&
        tw_h5u_read_str_attr(src, name, &v, NULL, 0) == 0) {
        (void)tw_h5u_str_attr(dst, name, v);
        free(v);
    }
}

static void copy_attrs(hid_t src, hid_t dst)
{
    static const char *const keep[] = { "description", "long_name", "units",
                                        "coordinates", "dims" };
    for (size_t i = 0; i < sizeof keep / sizeof keep[0]; i++)
        copy_str_attr(src, dst, keep[i]);
}

/* Copy the first scenario's dataset rel to the root (a scale stays a
 * scale of the same name). */
static int copy_first(hid_t file, const char *top, const char *rel)
{
    char src[768];
    hid_t cp = H5I_INVALID_HID, d = H5I_INVALID_HID, s = H5I_INVALID_HID;
    int rc = -1;
    snprintf(src, sizeof src, "%s/%s", top, rel);
    if (make_parents(file, rel) != 0 ||
        (cp = H5Pcreate(H5P_OBJECT_COPY)) < 0 ||
        H5Pset_copy_object(cp, H5O_COPY_WITHOUT_ATTR_FLAG) < 0 ||
        H5Ocopy(file, src, file, rel, cp, H5P_DEFAULT) < 0 ||
        (d = H5Dopen2(file, rel, H5P_DEFAULT)) < 0 ||
        (s = H5Dopen2(file, src, H5P_DEFAULT)) < 0)
        goto out;
    copy_attrs(s, d);
    if (H5DSis_scale(s) > 0) {
        const char *b = strrchr(rel, '/');
        if (H5DSset_scale(d, b ? b + 1 : rel) < 0)
            goto out;
    }
    rc = 0;
out:
    TW_H5U_CLOSE(&s, &d, &cp);
    return rc;
}

/* The scale `scenario` in the root group `dir` ("" for the root): a copy
 * of /scenario_names. Returns it open. */
static hid_t scenario_scale(hid_t file, const char *dir)
{
    char path[640];
    snprintf(path, sizeof path, "%s%sscenario", dir, dir[0] ? "/" : "");
    if (H5Lexists(file, path, H5P_DEFAULT) <= 0) {
        hid_t cp = H5Pcreate(H5P_OBJECT_COPY);
        int ok = cp >= 0 &&
                 H5Pset_copy_object(cp, H5O_COPY_WITHOUT_ATTR_FLAG) >= 0 &&
                 H5Ocopy(file, "scenario_names", file, path, cp,
                         H5P_DEFAULT) >= 0;
        tw_h5u_close(&cp);
        hid_t d = ok ? H5Dopen2(file, path, H5P_DEFAULT) : H5I_INVALID_HID;
        if (d < 0 || tw_h5u_str_attr(d, "long_name", "scenario name") != 0 ||
            tw_h5u_str_attr(d, "units", "") != 0 ||
            H5DSset_scale(d, "scenario") < 0) {
            tw_h5u_close(&d);
            return H5I_INVALID_HID;
        }
        return d;
    }
    return H5Dopen2(file, path, H5P_DEFAULT);
}

/* The basenames of the scales last attached to each axis of src. */
static herr_t name_cb(hid_t did, unsigned dim, hid_t sid, void *data)
{
    (void)did;
    (void)dim;
    char path[512], *out = data;
    if (H5Iget_name(sid, path, sizeof path) > 0) {
        const char *b = strrchr(path, '/');
        snprintf(out, 128, "%.127s", b ? b + 1 : path);
    }
    return 0;
}

/* Stack rel of the n scenarios at tops[] into a virtual dataset at the
 * root: [scenario, dims...]. */
static int stack(hid_t file, char *const *tops, size_t n, const char *rel,
                 int rank, const hsize_t *dims)
{
    hid_t dcpl = H5I_INVALID_HID, vs = H5I_INVALID_HID, ss = H5I_INVALID_HID;
    hid_t src = H5I_INVALID_HID, t = H5I_INVALID_HID, d = H5I_INVALID_HID;
    hid_t sc = H5I_INVALID_HID;
    hsize_t vdims[MAX_RANK + 1], start[MAX_RANK + 1], count[MAX_RANK + 1];
    char path[768], dir[512], names[MAX_RANK][128];
    int rc = -1;

    snprintf(path, sizeof path, "%s/%s", tops[0], rel);
    vdims[0] = n;
    start[0] = 0;
    count[0] = 1;
    for (int i = 0; i < rank; i++) {
        vdims[i + 1] = dims[i];
        start[i + 1] = 0;
        count[i + 1] = dims[i];
    }
    if ((src = H5Dopen2(file, path, H5P_DEFAULT)) < 0 ||
        (t = H5Dget_type(src)) < 0 ||
        (dcpl = tw_h5u_untimed(H5P_DATASET_CREATE)) < 0 ||
        (vs = H5Screate_simple(rank + 1, vdims, NULL)) < 0 ||
        (ss = H5Screate_simple(rank, dims, NULL)) < 0)
        goto out;
    if (H5Tget_class(t) == H5T_FLOAT) {
        double nan = NAN;
        if (H5Pset_fill_value(dcpl, H5T_NATIVE_DOUBLE, &nan) < 0)
            goto out;
    }
    for (size_t s = 0; s < n; s++) {
        char sp[768];
        start[0] = s;
        snprintf(sp, sizeof sp, "%s/%s", tops[s], rel);
        if (H5Sselect_hyperslab(vs, H5S_SELECT_SET, start, NULL, count,
                                NULL) < 0 ||
            H5Pset_virtual(dcpl, vs, ".", sp, ss) < 0)
            goto out;
    }
    if (H5Sselect_all(vs) < 0 || make_parents(file, rel) != 0 ||
        (d = H5Dcreate2(file, rel, t, vs, H5P_DEFAULT, dcpl,
                        H5P_DEFAULT)) < 0)
        goto out;
    copy_attrs(src, d);
    /* the dimensions: scenario, then the source's, from the root copies */
    const char *b = strrchr(rel, '/');
    snprintf(dir, sizeof dir, "%.*s", b ? (int)(b - rel) : 0, rel);
    if ((sc = scenario_scale(file, dir)) < 0 ||
        H5DSattach_scale(d, sc, 0) < 0)
        goto out;
    tw_h5u_close(&sc);
    for (int i = 0; i < rank; i++) {
        names[i][0] = '\0';
        if (H5DSget_num_scales(src, (unsigned)i) > 0)
            H5DSiterate_scales(src, (unsigned)i, NULL, name_cb, names[i]);
        if (names[i][0] == '\0')
            continue;   /* the labelling pass names it */
        char sp[1024];
        snprintf(sp, sizeof sp, "%.500s%s%.127s", dir, dir[0] ? "/" : "", names[i]);
        if (H5Lexists(file, sp, H5P_DEFAULT) <= 0)
            continue;
        if ((sc = H5Dopen2(file, sp, H5P_DEFAULT)) < 0 ||
            H5DSattach_scale(d, sc, (unsigned)i + 1) < 0)
            goto out;
        tw_h5u_close(&sc);
    }
    rc = 0;
out:
    TW_H5U_CLOSE(&sc, &d, &t, &src, &ss, &vs, &dcpl);
    return rc;
}

/* Is any dataset marked `stack` in the group of path `rel`? */
static int has_stacked(const paths *l, const int *what, int stack,
                       const char *rel)
{
    const char *b = strrchr(rel, '/');
    size_t dir = b ? (size_t)(b - rel) : 0;
    for (size_t k = 0; k < l->n; k++) {
        const char *c = strrchr(l->v[k], '/');
        size_t cd = c ? (size_t)(c - l->v[k]) : 0;
        if (what[k] == stack && cd == dir && strncmp(l->v[k], rel, dir) == 0)
            return 1;
    }
    return 0;
}

int tw_h5_stack_scenarios(int64_t file_id, const char *const *names,
                          size_t n)
{
    hid_t file = (hid_t)file_id;
    paths l = { 0 };
    char **tops = calloc(n ? n : 1, sizeof *tops);
    int *what = NULL;
    int rc = -1;
    if (tops == NULL || n == 0)
        goto out;
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(names[i]) + 12;
        if ((tops[i] = malloc(len)) == NULL)
            goto out;
        snprintf(tops[i], len, "/scenarios/%s", names[i]);
    }
    hid_t g = H5Gopen2(file, tops[0], H5P_DEFAULT);
    if (g < 0)
        goto out;
    herr_t v = H5Ovisit(g, H5_INDEX_NAME, H5_ITER_INC, collect_cb, &l);
    tw_h5u_close(&g);
    if (v < 0 || l.failed)
        goto out;
    /* what each dataset is: 0 left alone, STACK, or COPY (scales and text
     * the same in every scenario, copied only into a group that has
     * stacked data: a group of nothing but names would say nothing) */
    enum { LEAVE, STACK, COPY };
    if ((what = calloc(l.n ? l.n : 1, sizeof *what)) == NULL)
        goto out;
    for (size_t k = 0; k < l.n; k++) {
        char path[768];
        hsize_t d0[MAX_RANK], di[MAX_RANK];
        H5T_class_t c0, ci;
        size_t z0, zi;
        snprintf(path, sizeof path, "%s/%s", tops[0], l.v[k]);
        int rank = shape_of(file, path, d0, &c0, &z0);
        int ok = rank >= 0 && H5Lexists(file, l.v[k], H5P_DEFAULT) <= 0;
        for (size_t i = 1; ok && i < n; i++) {
            snprintf(path, sizeof path, "%s/%s", tops[i], l.v[k]);
            ok = shape_of(file, path, di, &ci, &zi) == rank && ci == c0 &&
                 zi == z0 && memcmp(di, d0, (size_t)rank * sizeof *d0) == 0;
        }
        snprintf(path, sizeof path, "%s/%s", tops[0], l.v[k]);
        if (!ok)
            what[k] = LEAVE;
        else if (c0 == H5T_STRING || is_scale(file, path))
            what[k] = same_everywhere(file, tops, n, l.v[k], c0) ? COPY
                                                                 : LEAVE;
        else
            what[k] = rank > 0 ? STACK : LEAVE;
    }
    /* the scales first, so that the stacked data finds them */
    for (size_t k = 0; k < l.n; k++)
        if (what[k] == COPY && has_stacked(&l, what, STACK, l.v[k]) &&
            copy_first(file, tops[0], l.v[k]) != 0)
            goto out;
    for (size_t k = 0; k < l.n; k++) {
        if (what[k] != STACK)
            continue;
        char path[768];
        hsize_t d0[MAX_RANK];
        H5T_class_t c0;
        size_t z0;
        snprintf(path, sizeof path, "%s/%s", tops[0], l.v[k]);
        int rank = shape_of(file, path, d0, &c0, &z0);
        if (rank <= 0 || stack(file, tops, n, l.v[k], rank, d0) != 0)
            goto out;
    }
    rc = 0;
out:
    for (size_t i = 0; i < l.n; i++)
        free(l.v[i]);
    free(l.v);
    free(what);
    for (size_t i = 0; tops != NULL && i < n; i++)
        free(tops[i]);
    free(tops);
    return rc;
}
