/*
 * h5util.c - small HDF5 writers for the experiment and comparison tables
 * (tw_h5util.h). The run's own file is written by h5.c.
 */
#include "tw_h5util.h"

/* A dataset [dims] of doubles (rank 1 or 2) under loc. */
int tw_h5u_doubles(hid_t loc, const char *name, int rank,
                       const hsize_t *dims, const double *v)
{
    hid_t sp = H5I_INVALID_HID, d = H5I_INVALID_HID;
    int rc = -1;
    if ((sp = H5Screate_simple(rank, dims, NULL)) < 0)
        goto out;
    if ((d = H5Dcreate2(loc, name, H5T_IEEE_F64LE, sp, H5P_DEFAULT,
                        H5P_DEFAULT, H5P_DEFAULT)) < 0)
        goto out;
    if (H5Dwrite(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v) < 0)
        goto out;
    rc = 0;
out:
    if (d >= 0)
        H5Dclose(d);
    if (sp >= 0)
        H5Sclose(sp);
    return rc;
}

/* A vlen UTF-8 string: an attribute (scalar, when n == 0 and v is one
 * string) or a dataset of n strings. */
int tw_h5u_text(hid_t loc, const char *name, int as_attr, size_t n,
                    const char *const *v)
{
    hid_t t = H5I_INVALID_HID, sp = H5I_INVALID_HID, o = H5I_INVALID_HID;
    int rc = -1;
    hsize_t dims[1] = { n };
    if ((t = H5Tcopy(H5T_C_S1)) < 0 || H5Tset_size(t, H5T_VARIABLE) < 0 ||
        H5Tset_cset(t, H5T_CSET_UTF8) < 0)
        goto out;
    if ((sp = as_attr ? H5Screate(H5S_SCALAR)
                      : H5Screate_simple(1, dims, NULL)) < 0)
        goto out;
    if (as_attr) {
        if ((o = H5Acreate2(loc, name, t, sp, H5P_DEFAULT, H5P_DEFAULT)) < 0 ||
            H5Awrite(o, t, v) < 0)
            goto out;
    } else if ((o = H5Dcreate2(loc, name, t, sp, H5P_DEFAULT, H5P_DEFAULT,
                               H5P_DEFAULT)) < 0 ||
               (n > 0 && H5Dwrite(o, t, H5S_ALL, H5S_ALL, H5P_DEFAULT,
                                  v) < 0)) {
        goto out;
    }
    rc = 0;
out:
    if (o >= 0 && as_attr)
        H5Aclose(o);
    else if (o >= 0)
        H5Dclose(o);
    if (sp >= 0)
        H5Sclose(sp);
    if (t >= 0)
        H5Tclose(t);
    return rc;
}

int tw_h5u_num_attr(hid_t loc, const char *name, double v)
{
    hid_t sp = H5I_INVALID_HID, a = H5I_INVALID_HID;
    int rc = -1;
    if ((sp = H5Screate(H5S_SCALAR)) < 0 ||
        (a = H5Acreate2(loc, name, H5T_IEEE_F64LE, sp, H5P_DEFAULT,
                        H5P_DEFAULT)) < 0 ||
        H5Awrite(a, H5T_NATIVE_DOUBLE, &v) < 0)
        goto out;
    rc = 0;
out:
    if (a >= 0)
        H5Aclose(a);
    if (sp >= 0)
        H5Sclose(sp);
    return rc;
}

