/*
 * tw_h5util.h - small HDF5 writers for tables of experiment results:
 * each returns 0 or -1 (HDF5's error printing is expected to be off) and
 * closes what it opened.
 */
#ifndef TW_H5UTIL_H
#define TW_H5UTIL_H

#include <stddef.h>

#include <hdf5.h>

/* A float64 dataset `name` [dims] (rank 1 or 2) under loc, from v. */
int tw_h5u_doubles(hid_t loc, const char *name, int rank, const hsize_t *dims,
                   const double *v);

/* Variable-length UTF-8 text: a scalar attribute `name` holding v[0] when
 * as_attr, else a dataset of n strings. */
int tw_h5u_text(hid_t loc, const char *name, int as_attr, size_t n,
                const char *const *v);

/* A scalar float64 attribute. */
int tw_h5u_num_attr(hid_t loc, const char *name, double v);

#endif
