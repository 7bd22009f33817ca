/*
 * h5util.c - the HDF5 steps every twsim file is made of (tw_h5util.h).
 *
 * Style: every hid_t starts as H5I_INVALID_HID, every HDF5 call is checked
 * and jumps to the single `out:` label, which closes whatever is open
 * (TW_H5U_CLOSE). Nothing here prints or sets a tw_error: the callers name
 * the step and the file.
 */
#include "tw_h5util.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ----------------------------------------------------------- closing */

/* The close function of each kind of identifier twsim opens. */
static const struct {
    H5I_type_t type;
    herr_t (*close)(hid_t);
} closers[] = {
    { H5I_FILE, H5Fclose },      { H5I_GROUP, H5Gclose },
    { H5I_DATATYPE, H5Tclose },  { H5I_DATASPACE, H5Sclose },
    { H5I_DATASET, H5Dclose },   { H5I_ATTR, H5Aclose },
    { H5I_GENPROP_LST, H5Pclose },
};

static herr_t close_id(hid_t id)
{
    H5I_type_t type = H5Iget_type(id);
    for (size_t i = 0; i < sizeof closers / sizeof closers[0]; i++)
        if (closers[i].type == type)
            return closers[i].close(id);
    return -1;
}

void tw_h5u_close(hid_t *id)
{
    if (*id >= 0)
        (void)close_id(*id);
    *id = H5I_INVALID_HID;
}

void tw_h5u_close_list(hid_t *const *ids)
{
    for (; *ids != NULL; ids++)
        tw_h5u_close(*ids);
}

int tw_h5u_release(hid_t *id)
{
    if (*id < 0)
        return 0;
    if (close_id(*id) < 0)
        return -1;
    *id = H5I_INVALID_HID;
    return 0;
}

int tw_h5u_finish(hid_t *id, int ok)
{
    int rc = ok && tw_h5u_release(id) == 0 ? 0 : -1;
    tw_h5u_close(id);
    return rc;
}

/* A reason for a failure that is not HDF5's, in why (if given). */
static void say(char *why, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void say(char *why, size_t len, const char *fmt, ...)
{
    if (why == NULL || len == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, len, fmt, ap);
    va_end(ap);
}

/* ------------------------------------------------------------ writing */

hid_t tw_h5u_vlen_str(H5T_cset_t cset)
{
    hid_t t = H5I_INVALID_HID;
    if ((t = H5Tcopy(H5T_C_S1)) < 0 || H5Tset_size(t, H5T_VARIABLE) < 0 ||
        H5Tset_cset(t, cset) < 0)
        tw_h5u_close(&t);
    return t;
}

hid_t tw_h5u_untimed(hid_t cls)
{
    hid_t p = H5I_INVALID_HID;
    if ((p = H5Pcreate(cls)) < 0 || H5Pset_obj_track_times(p, 0) < 0)
        tw_h5u_close(&p);
    return p;
}

/* The creation property list of `flags` for class cls: H5P_DEFAULT or a
 * new list (closed by the caller with tw_h5u_close). */
static hid_t create_plist(hid_t cls, unsigned flags)
{
    return (flags & TW_H5U_UNTIMED) ? tw_h5u_untimed(cls) : H5P_DEFAULT;
}

/* Close a list create_plist made (never H5P_DEFAULT). */
static void drop_plist(hid_t *p)
{
    if (*p != H5P_DEFAULT)
        tw_h5u_close(p);
}

hid_t tw_h5u_group(hid_t loc, const char *name, unsigned flags)
{
    hid_t gcpl = create_plist(H5P_GROUP_CREATE, flags);
    hid_t g = H5I_INVALID_HID;
    if (gcpl >= 0)
        g = H5Gcreate2(loc, name, H5P_DEFAULT, gcpl, H5P_DEFAULT);
    drop_plist(&gcpl);
    return g;
}

int tw_h5u_attr(hid_t loc, const char *name, hid_t ftype, hid_t mtype,
                const void *value)
{
    hid_t space = H5I_INVALID_HID, a = H5I_INVALID_HID;
    int rc = -1;
    if ((space = H5Screate(H5S_SCALAR)) < 0 ||
        (a = H5Acreate2(loc, name, ftype, space, H5P_DEFAULT,
                        H5P_DEFAULT)) < 0 ||
        H5Awrite(a, mtype, value) < 0)
        goto out;
    rc = 0;
out:
    TW_H5U_CLOSE(&a, &space);
    return rc;
}

int tw_h5u_str_attr(hid_t loc, const char *name, const char *value)
{
    const char *v = value ? value : "";
    hid_t t = tw_h5u_vlen_str(H5T_CSET_UTF8);
    int rc = t < 0 ? -1 : tw_h5u_attr(loc, name, t, t, &v);
    tw_h5u_close(&t);
    return rc;
}

int tw_h5u_num_attr(hid_t loc, const char *name, double value)
{
    return tw_h5u_attr(loc, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, &value);
}

int tw_h5u_describe(hid_t obj, const char *desc, const char *units)
{
    if (desc != NULL && tw_h5u_str_attr(obj, "description", desc) != 0)
        return -1;
    if (units != NULL && tw_h5u_str_attr(obj, "units", units) != 0)
        return -1;
    return 0;
}

/* Create dataset `name` of type ftype in `space` and write `n` elements
 * of data (memory type mtype) to it; returns it open. */
static hid_t create_write(hid_t loc, const char *name, hid_t ftype,
                          hid_t mtype, hid_t space, size_t n,
                          const void *data, unsigned flags)
{
    hid_t dcpl = create_plist(H5P_DATASET_CREATE, flags);
    hid_t d = H5I_INVALID_HID;
    if (space < 0 || dcpl < 0 ||
        (d = H5Dcreate2(loc, name, ftype, space, H5P_DEFAULT, dcpl,
                        H5P_DEFAULT)) < 0 ||
        (n > 0 && H5Dwrite(d, mtype, H5S_ALL, H5S_ALL, H5P_DEFAULT,
                           data) < 0))
        tw_h5u_close(&d);
    drop_plist(&dcpl);
    return d;
}

hid_t tw_h5u_dataset(hid_t loc, const char *name, hid_t ftype, hid_t mtype,
                     int rank, const hsize_t *dims, const void *data,
                     unsigned flags)
{
    hid_t space = H5Screate_simple(rank, dims, NULL);
    hid_t d = create_write(loc, name, ftype, mtype, space, 1, data, flags);
    tw_h5u_close(&space);
    return d;
}

hid_t tw_h5u_strings(hid_t loc, const char *name, int scalar, size_t n,
                     const char *const *v, unsigned flags)
{
    hid_t t = H5I_INVALID_HID, space = H5I_INVALID_HID;
    hid_t d = H5I_INVALID_HID;
    hsize_t dims[1] = { n };
    if (scalar)
        n = 1;
    const char **buf = calloc(n ? n : 1, sizeof *buf);
    if (buf == NULL)
        return H5I_INVALID_HID;
    for (size_t i = 0; i < n; i++)
        buf[i] = v[i] ? v[i] : "";
    if ((t = tw_h5u_vlen_str(H5T_CSET_UTF8)) >= 0)
        space = scalar ? H5Screate(H5S_SCALAR)
                       : H5Screate_simple(1, dims, NULL);
    if (t >= 0)
        d = create_write(loc, name, t, t, space, n, buf, flags);
    TW_H5U_CLOSE(&space, &t);
    free(buf);
    return d;
}

int tw_h5u_doubles(hid_t loc, const char *name, int rank, const hsize_t *dims,
                   const double *v)
{
    hid_t d = tw_h5u_dataset(loc, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE,
                             rank, dims, v, 0);
    int rc = d < 0 ? -1 : 0;
    tw_h5u_close(&d);
    return rc;
}

int tw_h5u_text(hid_t loc, const char *name, size_t n, const char *const *v)
{
    hid_t d = tw_h5u_strings(loc, name, 0, n, v, 0);
    int rc = d < 0 ? -1 : 0;
    tw_h5u_close(&d);
    return rc;
}

/* ------------------------------------------------------------ reading */

hid_t tw_h5u_vlen_mem(hid_t ftype, char *why, size_t why_len)
{
    H5T_cset_t cset;
    if (H5Tget_class(ftype) != H5T_STRING || H5Tis_variable_str(ftype) <= 0) {
        say(why, why_len, "not a variable-length string");
        return H5I_INVALID_HID;
    }
    if ((cset = H5Tget_cset(ftype)) < 0)
        return H5I_INVALID_HID;
    return tw_h5u_vlen_str(cset);
}

int tw_h5u_read_str_attr(hid_t loc, const char *name, char **out, char *why,
                         size_t why_len)
{
    hid_t a = H5I_INVALID_HID, ft = H5I_INVALID_HID, mt = H5I_INVALID_HID;
    hid_t space = H5I_INVALID_HID;
    char *p = NULL, *s = NULL;
    int rc = -1, got = 0;
    if ((a = H5Aopen(loc, name, H5P_DEFAULT)) < 0 ||
        (ft = H5Aget_type(a)) < 0 || (space = H5Aget_space(a)) < 0)
        goto out;
    if (H5Tget_class(ft) != H5T_STRING ||
        H5Sget_simple_extent_npoints(space) != 1) {
        say(why, why_len, "not a single string");
        goto out;
    }
    if (H5Tis_variable_str(ft) > 0) {
        if ((mt = tw_h5u_vlen_mem(ft, why, why_len)) < 0 ||
            H5Aread(a, mt, &p) < 0)
            goto out;
        got = 1;
        s = strdup(p ? p : "");
    } else {
        /* a fixed-length string, from a file another program wrote */
        size_t len = H5Tget_size(ft);
        if ((mt = H5Tcopy(H5T_C_S1)) < 0 || H5Tset_size(mt, len + 1) < 0 ||
            (s = calloc(len + 1, 1)) == NULL)
            goto out;
        if (H5Aread(a, mt, s) < 0) {
            free(s);
            goto out;
        }
    }
    if (s == NULL) {
        say(why, why_len, "out of memory");
        goto out;
    }
    *out = s;
    rc = 0;
out:
    if (got)
        H5Dvlen_reclaim(mt, space, H5P_DEFAULT, &p);
    TW_H5U_CLOSE(&space, &mt, &ft, &a);
    return rc;
}

int tw_h5u_read_num_attr(hid_t loc, const char *name, hid_t mt, void *out,
                         char *why, size_t why_len)
{
    hid_t a = H5I_INVALID_HID, space = H5I_INVALID_HID;
    int rc = -1;
    if ((a = H5Aopen(loc, name, H5P_DEFAULT)) < 0 ||
        (space = H5Aget_space(a)) < 0)
        goto out;
    if (H5Sget_simple_extent_npoints(space) != 1) {
        say(why, why_len, "not a single number");
        goto out;
    }
    if (H5Aread(a, mt, out) < 0)
        goto out;
    rc = 0;
out:
    TW_H5U_CLOSE(&space, &a);
    return rc;
}

int tw_h5u_read_strings(hid_t loc, const char *name, char ***out, size_t *n,
                        char *why, size_t why_len)
{
    hid_t d = H5I_INVALID_HID, ft = H5I_INVALID_HID, mt = H5I_INVALID_HID;
    hid_t space = H5I_INVALID_HID;
    char **raw = NULL, **v = NULL;
    size_t count = 0;
    int rc = -1, got = 0;
    hssize_t np;

    if ((d = H5Dopen2(loc, name, H5P_DEFAULT)) < 0 ||
        (ft = H5Dget_type(d)) < 0 ||
        (mt = tw_h5u_vlen_mem(ft, why, why_len)) < 0 ||
        (space = H5Dget_space(d)) < 0)
        goto out;
    if (H5Sget_simple_extent_ndims(space) > 1 ||
        (np = H5Sget_simple_extent_npoints(space)) < 0) {
        say(why, why_len, "not a list of strings");
        goto out;
    }
    count = (size_t)np;
    raw = calloc(count ? count : 1, sizeof *raw);
    v = calloc(count ? count : 1, sizeof *v);
    if (raw == NULL || v == NULL) {
        say(why, why_len, "out of memory");
        goto out;
    }
    if (count > 0) {
        if (H5Dread(d, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, raw) < 0)
            goto out;
        got = 1;
    }
    for (size_t i = 0; i < count; i++) {
        if ((v[i] = strdup(raw[i] ? raw[i] : "")) == NULL) {
            say(why, why_len, "out of memory");
            goto out;
        }
    }
    *out = v;
    *n = count;
    v = NULL;
    rc = 0;
out:
    if (got)
        H5Dvlen_reclaim(mt, space, H5P_DEFAULT, raw);
    for (size_t i = 0; v != NULL && i < count; i++)
        free(v[i]);
    free(v);
    free(raw);
    TW_H5U_CLOSE(&space, &mt, &ft, &d);
    return rc;
}

/* The extent of `space` against rank and dims (0 = any, filled in). */
static int match_extent(hid_t space, int rank, hsize_t *dims, char *why,
                        size_t why_len)
{
    hsize_t fdims[4];
    if (rank > 4 || H5Sget_simple_extent_ndims(space) != rank) {
        say(why, why_len, "expected %d dimensions", rank);
        return -1;
    }
    if (H5Sget_simple_extent_dims(space, fdims, NULL) < 0)
        return -1;
    for (int i = 0; i < rank; i++) {
        if (dims[i] != 0 && dims[i] != fdims[i]) {
            say(why, why_len, "dimension %d is %llu, expected %llu", i,
                (unsigned long long)fdims[i], (unsigned long long)dims[i]);
            return -1;
        }
        dims[i] = fdims[i];
    }
    return 0;
}

int tw_h5u_check_extent(hid_t d, int rank, const hsize_t *dims, char *why,
                        size_t why_len)
{
    hid_t space = H5Dget_space(d);
    hsize_t want[4] = { 0, 0, 0, 0 };
    for (int i = 0; i < rank && i < 4; i++)
        want[i] = dims[i];
    int rc = space < 0 ? -1 : match_extent(space, rank, want, why, why_len);
    tw_h5u_close(&space);
    return rc;
}

void *tw_h5u_read_array(hid_t loc, const char *name, hid_t mt, int rank,
                        hsize_t *dims, char *why, size_t why_len)
{
    hid_t d = H5I_INVALID_HID, space = H5I_INVALID_HID;
    void *buf = NULL, *ret = NULL;
    size_t count = 1, esize = H5Tget_size(mt);

    if ((d = H5Dopen2(loc, name, H5P_DEFAULT)) < 0 ||
        (space = H5Dget_space(d)) < 0 ||
        match_extent(space, rank, dims, why, why_len) != 0)
        goto out;
    for (int i = 0; i < rank; i++)
        count *= (size_t)dims[i];
    if ((buf = malloc(count ? count * esize : 1)) == NULL) {
        say(why, why_len, "out of memory");
        goto out;
    }
    if (count > 0 &&
        H5Dread(d, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) < 0)
        goto out;
    ret = buf;
    buf = NULL;
out:
    free(buf);
    TW_H5U_CLOSE(&space, &d);
    return ret;
}
