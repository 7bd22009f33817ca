/*
 * scenario_file.c - several runs in one HDF5 file, one group per scenario
 * (/scenarios/<name>), each with the layout of a single run
 * (docs/experiments.md).
 *
 * Each scenario is first run into its own file; the files are then copied
 * whole into the groups with H5Ocopy. H5Ocopy across files does not
 * rewrite the object references that tie datasets to their dimension
 * scales (DIMENSION_LIST / REFERENCE_LIST), so those are rebuilt: the
 * source file is walked for every (dataset, dimension, scale) attachment,
 * the stale attributes are removed in the copy, and the same attachments
 * are made between the copies.
 */
#include "tw_h5.h"

#include <stdio.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <hdf5.h>
#include <hdf5_hl.h>

#include "tw_h5util.h"
#include "tw_output.h"

/* One dimension-scale attachment, by path inside a run's file. */
typedef struct attach {
    char dset[128], scale[128];
    unsigned dim;
} attach;

typedef struct walk {
    attach *v;
    size_t n, cap;
    char **dsets;     /* every dataset path, for the attribute clean-up */
    size_t n_dsets, cap_dsets;
    int failed;
    unsigned cur_dim;
    const char *cur_dset;
} walk;

static herr_t scale_cb(hid_t did, unsigned dim, hid_t sid, void *data)
{
    (void)did;
    walk *w = data;
    if (w->n == w->cap) {
        size_t cap = w->cap ? 2 * w->cap : 64;
        attach *v = realloc(w->v, cap * sizeof *v);
        if (v == NULL) {
            w->failed = 1;
            return -1;
        }
        w->v = v;
        w->cap = cap;
    }
    attach *a = &w->v[w->n++];
    snprintf(a->dset, sizeof a->dset, "%s", w->cur_dset);
    a->dim = dim;
    if (H5Iget_name(sid, a->scale, sizeof a->scale) < 0)
        w->failed = 1;
    return 0;
}

static herr_t visit_cb(hid_t obj, const char *name, const H5O_info_t *info,
                       void *data)
{
    walk *w = data;
    if (info->type != H5O_TYPE_DATASET || strcmp(name, ".") == 0)
        return 0;
    if (w->n_dsets == w->cap_dsets) {
        size_t cap = w->cap_dsets ? 2 * w->cap_dsets : 64;
        char **v = realloc(w->dsets, cap * sizeof *v);
        if (v == NULL) {
            w->failed = 1;
            return -1;
        }
        w->dsets = v;
        w->cap_dsets = cap;
    }
    if ((w->dsets[w->n_dsets++] = strdup(name)) == NULL) {
        w->failed = 1;
        return -1;
    }
    hid_t d = H5Dopen2(obj, name, H5P_DEFAULT);
    if (d < 0)
        return 0;
    hid_t sp = H5Dget_space(d);
    int rank = sp >= 0 ? H5Sget_simple_extent_ndims(sp) : 0;
    if (sp >= 0)
        H5Sclose(sp);
    w->cur_dset = name;
    for (int i = 0; i < rank; i++)
        if (H5DSget_num_scales(d, (unsigned)i) > 0)
            H5DSiterate_scales(d, (unsigned)i, NULL, scale_cb, w);
    H5Dclose(d);
    return 0;
}

/* Copy run file `src` into group `dst_path` of `out`, keeping its
 * dimension scales. Returns 0 or -1. */
static int copy_run(hid_t out, const char *dst_path, const char *src)
{
    hid_t in = H5I_INVALID_HID, g = H5I_INVALID_HID;
    walk w;
    memset(&w, 0, sizeof w);
    int rc = -1;
    if ((in = H5Fopen(src, H5F_ACC_RDONLY, H5P_DEFAULT)) < 0)
        goto out;
    if (H5Ovisit(in, H5_INDEX_NAME, H5_ITER_NATIVE, visit_cb, &w) < 0 ||
        w.failed)
        goto out;
    if (H5Ocopy(in, "/", out, dst_path, H5P_DEFAULT, H5P_DEFAULT) < 0)
        goto out;
    if ((g = H5Gopen2(out, dst_path, H5P_DEFAULT)) < 0)
        goto out;
    /* drop the references H5Ocopy could not carry over */
    for (size_t i = 0; i < w.n_dsets; i++) {
        static const char *const stale[2] = { "DIMENSION_LIST",
                                              "REFERENCE_LIST" };
        for (int k = 0; k < 2; k++)
            if (H5Aexists_by_name(g, w.dsets[i], stale[k], H5P_DEFAULT) > 0 &&
                H5Adelete_by_name(g, w.dsets[i], stale[k], H5P_DEFAULT) < 0)
                goto out;
    }
    for (size_t i = 0; i < w.n; i++) {
        hid_t d = H5Dopen2(g, w.v[i].dset, H5P_DEFAULT);
        /* scale paths are absolute in the source: make them relative */
        hid_t s = H5Dopen2(g, w.v[i].scale + (w.v[i].scale[0] == '/'),
                           H5P_DEFAULT);
        int ok = d >= 0 && s >= 0 && H5DSattach_scale(d, s, w.v[i].dim) >= 0;
        if (d >= 0)
            H5Dclose(d);
        if (s >= 0)
            H5Dclose(s);
        if (!ok)
            goto out;
    }
    rc = 0;
out:
    for (size_t i = 0; i < w.n_dsets; i++)
        free(w.dsets[i]);
    free(w.dsets);
    free(w.v);
    if (g >= 0)
        H5Gclose(g);
    if (in >= 0)
        H5Fclose(in);
    return rc;
}

int tw_h5_merge_runs(const tw_output *o, const char *const *names,
                     const char *const *files, size_t n, tw_error *err)
{
    const char *partial = o->partial;
    hid_t out = H5I_INVALID_HID, top = H5I_INVALID_HID;
    int rc = TW_EFAIL;
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    if ((out = H5Fcreate(partial, H5F_ACC_TRUNC, H5P_DEFAULT,
                         H5P_DEFAULT)) < 0) {
        tw_error_set(err, TW_EFAIL, "cannot create %s: %s", partial,
                     strerror(errno));
        goto out;
    }
    int version = TW_H5_FORMAT_VERSION;
    const char *kind = "scenarios";
    int bad = tw_h5u_attr(out, "format_version", H5T_STD_I32LE,
                          H5T_NATIVE_INT, &version) != 0 ||
              tw_h5u_str_attr(out, "kind", kind) != 0 ||
              tw_h5u_str_attr(out, "twsim_kind", kind) != 0 ||
              tw_h5u_text(out, "scenario_names", n, names) != 0 ||
              (top = tw_h5u_group(out, "scenarios", 0)) < 0;
    if (bad) {
        tw_error_set(err, TW_EFAIL, "cannot write the scenario index of %s",
                     partial);
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        char dst[256];
        snprintf(dst, sizeof dst, "/scenarios/%s", names[i]);
        if (copy_run(out, dst, files[i]) != 0) {
            tw_error_set(err, TW_EFAIL, "cannot copy the run of scenario "
                         "'%s' (%s) into %s", names[i], files[i], partial);
            goto out;
        }
    }
    H5Gclose(top);
    top = H5I_INVALID_HID;
    /* the labels are an aid to readers, not the result: a dataset that
     * cannot be labelled stays as it was (tests/xarray_check.py finds it),
     * and a write that failed shows when the file is flushed */
    (void)tw_h5_stack_scenarios(out, names, n);
    (void)tw_h5_label(out);
    rc = tw_output_h5_close(out, partial, err);
    out = H5I_INVALID_HID;
out:
    if (top >= 0)
        H5Gclose(top);
    if (out >= 0)
        H5Fclose(out);
    return rc;
}

int tw_h5_scenario_names(const char *path, char ***names, size_t *n,
                         tw_error *err)
{
    *names = NULL;
    *n = 0;
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (f < 0)
        return tw_error_set(err, TW_EFAIL, "cannot open %s", path);
    int rc = TW_OK;
    if (H5Lexists(f, "scenario_names", H5P_DEFAULT) > 0 &&
        (tw_h5u_read_strings(f, "scenario_names", names, n, NULL, 0) != 0 ||
         *n == 0)) {
        free(*names);
        *names = NULL;
        *n = 0;
        rc = tw_error_set(err, TW_EFAIL, "cannot read the scenario names of "
                          "%s", path);
    }
    H5Fclose(f);
    return rc;
}
