/*
 * h5_slice.c - what twsim merge reads of each part before it writes
 * anything (tw_h5_read_part, tw_h5.h): the identity of the run (format,
 * version, seed, config), which slice of the ensemble the file holds and
 * the parts of its rows. The rows themselves are copied by
 * tw_h5_copy_slice (h5.c), which knows the row layout.
 */
#include "tw_h5.h"

#include <stdlib.h>
#include <string.h>

#include <hdf5.h>

#include "tw_filekind.h"
#include "tw_h5util.h"
#include "tw_mem.h"

void tw_h5_part_free(tw_h5_part *p)
{
    if (p == NULL)
        return;
    TW_FREE(p->engine_version, p->git_commit, p->mode, p->config_path,
            p->text, p->effective, p->by_year);
    tw_strings_free(p->overrides, p->n_overrides);
    memset(p, 0, sizeof *p);
}

/* One vlen string dataset (scalar) as a new string; NULL when absent. */
static char *one_string(hid_t f, const char *name, int *bad)
{
    char **v = NULL;
    size_t n = 0;
    if (H5Lexists(f, name, H5P_DEFAULT) <= 0)
        return NULL;
    if (tw_h5u_read_strings(f, name, &v, &n, NULL, 0) != 0 || n != 1) {
        tw_strings_free(v, n);
        *bad = 1;
        return NULL;
    }
    char *s = v[0];
    free(v);
    return s;
}

int tw_h5_read_part(const char *path, tw_h5_part *p, tw_error *err)
{
    tw_file_kind kind;
    hid_t f = H5I_INVALID_HID, d = H5I_INVALID_HID, s = H5I_INVALID_HID;
    unsigned char *done = NULL;
    int rc = TW_EINPUT, bad = 0;
    memset(p, 0, sizeof *p);
    tw_error_clear(err);
    rc = tw_file_identify(path, &kind, err);
    if (rc != TW_OK)
        return rc;
    if (kind != TW_FILE_RUN)
        return tw_error_set(err, TW_EINPUT, "%s is a twsim %s file, not a "
                            "run (or a slice of one)", path,
                            tw_file_kind_names[kind]);
    if ((f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT)) < 0)
        return tw_error_set(err, TW_EFAIL, "cannot open %s", path);
    uint64_t seed = 0, first = 0, of = 0;
    if (tw_h5u_read_num_attr(f, "format_version", H5T_NATIVE_INT,
                             &p->format_version, NULL, 0) != 0 ||
        tw_h5u_read_num_attr(f, "seed", H5T_NATIVE_UINT64, &seed, NULL,
                             0) != 0 ||
        tw_h5u_read_str_attr(f, "engine_version", &p->engine_version, NULL,
                             0) != 0 ||
        tw_h5u_read_str_attr(f, "git_commit", &p->git_commit, NULL, 0) != 0 ||
        tw_h5u_read_str_attr(f, "mode", &p->mode, NULL, 0) != 0 ||
        tw_h5u_read_str_attr(f, "config_path", &p->config_path, NULL,
                             0) != 0) {
        rc = tw_error_set(err, TW_EINPUT, "%s: a twsim run file without its "
                          "root attributes (format_version, seed, "
                          "engine_version, mode, config_path)", path);
        goto out;
    }
    p->seed = seed;
    /* the rows: /trajectories [R, Y, M], complete */
    hsize_t dims[3];
    if ((d = H5Dopen2(f, "/trajectories", H5P_DEFAULT)) < 0 ||
        (s = H5Dget_space(d)) < 0 || H5Sget_simple_extent_ndims(s) != 3 ||
        H5Sget_simple_extent_dims(s, dims, NULL) < 0) {
        rc = tw_error_set(err, TW_EINPUT, "%s has no /trajectories [replicate, "
                          "year, metric]", path);
        goto out;
    }
    p->n_reps = (size_t)dims[0];
    hsize_t dd[1] = { dims[0] };
    if ((done = tw_h5u_read_array(f, "/replicates/done", H5T_NATIVE_UCHAR, 1,
                                  dd, NULL, 0)) == NULL) {
        rc = tw_error_set(err, TW_EINPUT, "%s has no /replicates/done", path);
        goto out;
    }
    size_t missing = 0;
    for (size_t r = 0; r < p->n_reps; r++)
        missing += done[r] == 0;
    if (missing > 0 || H5Lexists(f, "/summary", H5P_DEFAULT) <= 0) {
        rc = tw_error_set(err, TW_EINPUT, "%s is not complete (%zu of %zu "
                          "replicates missing): finish it with twsim run "
                          "... --resume first", path, missing, p->n_reps);
        goto out;
    }
    if (H5Aexists(f, "slice_of") > 0) {
        if (tw_h5u_read_num_attr(f, "slice_first", H5T_NATIVE_UINT64, &first,
                                 NULL, 0) != 0 ||
            tw_h5u_read_num_attr(f, "slice_of", H5T_NATIVE_UINT64, &of, NULL,
                                 0) != 0) {
            rc = tw_error_set(err, TW_EINPUT, "%s: unreadable slice "
                              "attributes (slice_first, slice_of)", path);
            goto out;
        }
        p->is_slice = 1;
        p->first = (size_t)first;
        p->of = (size_t)of;
    } else {
        p->first = 0;
        p->of = p->n_reps;
    }
    p->has_counties = H5Lexists(f, "/by_county", H5P_DEFAULT) > 0;
    p->has_schools = H5Lexists(f, "/schools", H5P_DEFAULT) > 0;
    p->text = one_string(f, "/config/text", &bad);
    p->effective = one_string(f, "/config/effective", &bad);
    p->by_year = one_string(f, "/config/by_year", &bad);
    if (!bad && H5Lexists(f, "/config/overrides", H5P_DEFAULT) > 0 &&
        tw_h5u_read_strings(f, "/config/overrides", &p->overrides,
                            &p->n_overrides, NULL, 0) != 0)
        bad = 1;
    if (bad || p->text == NULL || p->effective == NULL) {
        rc = tw_error_set(err, TW_EINPUT, "%s: /config is incomplete (text, "
                          "effective, overrides)", path);
        goto out;
    }
    rc = TW_OK;
out:
    TW_H5U_CLOSE(&s, &d, &f);
    free(done);
    if (rc != TW_OK)
        tw_h5_part_free(p);
    return rc;
}
