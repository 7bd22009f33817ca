/*
 * tw_h5util.h - the HDF5 steps every twsim file is made of: create and
 * write a dataset or an attribute, read one back, close what is open.
 * h5.c (a run's file), scenario_file.c, filekind.c and the experiment
 * writers (compare, optimize, sweep) use these and nothing lower for a
 * whole dataset or attribute.
 *
 * Each function returns 0 / a valid hid_t on success and -1 /
 * H5I_INVALID_HID on failure, with HDF5's error stack left as the failing
 * call made it (automatic error printing is expected to be off). A failure
 * that is not HDF5's (the file holds something else, memory ran out) is
 * described in `why` (why_len bytes; may be NULL). Every helper closes
 * what it opened, except the hid_t it returns, which the caller owns.
 */
#ifndef TW_H5UTIL_H
#define TW_H5UTIL_H

#include <stddef.h>

#include <hdf5.h>

/* ----------------------------------------------------------- closing */

/* Close *id, whatever kind of HDF5 object it is, if it is open; errors
 * are ignored (for cleanup after a failure). *id becomes invalid. */
void tw_h5u_close(hid_t *id);

/* tw_h5u_close on each id of a NULL-terminated list, in order. */
void tw_h5u_close_list(hid_t *const *ids);
#define TW_H5U_CLOSE(...) \
    tw_h5u_close_list((hid_t *const[]){ __VA_ARGS__, NULL })

/* Close *id and check it: 0 (and *id invalid) or -1 (and *id unchanged,
 * for tw_h5u_close to try again at cleanup). A closed id stays closed. */
int tw_h5u_release(hid_t *id);

/* The end of a step that used *id: when ok, close it checked (0, or -1
 * when the close fails); else close it ignoring errors (-1). *id is
 * invalid after. */
int tw_h5u_finish(hid_t *id, int ok);

/* ------------------------------------------------------------ writing */

/* Flags for tw_h5u_dataset / tw_h5u_strings. */
enum {
    /* no modification time in the object header, so that two runs with
     * the same inputs give the same bytes */
    TW_H5U_UNTIMED = 1
};

/* A new variable-length string type of character set cset (caller
 * closes). */
hid_t tw_h5u_vlen_str(H5T_cset_t cset);

/* A new property list of class cls (H5P_GROUP_CREATE, H5P_DATASET_CREATE,
 * H5P_FILE_CREATE) without modification times (caller closes). */
hid_t tw_h5u_untimed(hid_t cls);

/* Group `name` under loc, created (untimed with TW_H5U_UNTIMED); the
 * caller closes it. */
hid_t tw_h5u_group(hid_t loc, const char *name, unsigned flags);

/* Scalar attribute `name` of file type ftype on loc, from *value (memory
 * type mtype). */
int tw_h5u_attr(hid_t loc, const char *name, hid_t ftype, hid_t mtype,
                const void *value);

/* Scalar UTF-8 string attribute (NULL is written as ""). */
int tw_h5u_str_attr(hid_t loc, const char *name, const char *value);

/* Scalar float64 attribute. */
int tw_h5u_num_attr(hid_t loc, const char *name, double value);

/* The "description" and "units" string attributes of an object; either
 * may be NULL (not written). */
int tw_h5u_describe(hid_t obj, const char *desc, const char *units);

/* Contiguous dataset `name` [dims] (rank 1 to 4) of file type ftype under
 * loc, written from data (memory type mtype). Returns it open (caller
 * closes). */
hid_t tw_h5u_dataset(hid_t loc, const char *name, hid_t ftype, hid_t mtype,
                     int rank, const hsize_t *dims, const void *data,
                     unsigned flags);

/* Dataset `name` of UTF-8 strings: scalar (v[0]) when `scalar`, else 1-D
 * [n] (n may be 0: an empty array). NULL strings are written as "".
 * Returns it open (caller closes). */
hid_t tw_h5u_strings(hid_t loc, const char *name, int scalar, size_t n,
                     const char *const *v, unsigned flags);

/* tw_h5u_dataset of float64 [dims] from v, closed; 0 or -1. */
int tw_h5u_doubles(hid_t loc, const char *name, int rank, const hsize_t *dims,
                   const double *v);

/* tw_h5u_strings of n strings (not scalar), closed; 0 or -1. */
int tw_h5u_text(hid_t loc, const char *name, size_t n, const char *const *v);

/* ------------------------------------------------------------ reading */

/* The memory type to read strings stored as ftype: variable-length, in
 * ftype's character set; -1 (why) unless ftype is a vlen string. */
hid_t tw_h5u_vlen_mem(hid_t ftype, char *why, size_t why_len);

/* The scalar string attribute `name` of loc (variable or fixed length) as
 * a new string in *out (caller frees). */
int tw_h5u_read_str_attr(hid_t loc, const char *name, char **out, char *why,
                         size_t why_len);

/* The scalar numeric attribute `name` of loc as memory type mt. */
int tw_h5u_read_num_attr(hid_t loc, const char *name, hid_t mt, void *out,
                         char *why, size_t why_len);

/* The dataset `name` of vlen strings (scalar or 1-D) as *n new strings in
 * a new array *out (caller frees both; a scalar gives n = 1). */
int tw_h5u_read_strings(hid_t loc, const char *name, char ***out, size_t *n,
                        char *why, size_t why_len);

/* The numeric dataset `name` as memory type mt, in a new buffer (returned;
 * caller frees; NULL on failure). Its rank must be `rank` (at most 4);
 * dims[i] == 0 on entry is filled in from the file, any other value must
 * equal the file's extent. */
void *tw_h5u_read_array(hid_t loc, const char *name, hid_t mt, int rank,
                        hsize_t *dims, char *why, size_t why_len);

/* 0 when the dataspace of dataset d has `rank` dimensions (at most 4) of
 * extent dims[]; -1 (why) otherwise. */
int tw_h5u_check_extent(hid_t d, int rank, const hsize_t *dims, char *why,
                        size_t why_len);

#endif
