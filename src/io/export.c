/*
 * export.c - a run file as one tidy table, CSV or pandas HDF5 (see
 * tw_export.h for the columns).
 *
 * The HDF5 form is what pandas.DataFrame.to_hdf(OUT, "tidy",
 * format="table", data_columns=True, index=False) writes, as pandas 1.x
 * (io/pytables.py, AppendableFrameTable) and PyTables 3.x read it back:
 *
 *   /tidy               group; attributes pandas_type = "frame_table",
 *                       pandas_version, table_type = "appendable_frame",
 *                       encoding, errors, nan_rep, levels, and as pickled
 *                       Python lists (protocol 0, the text form that
 *                       PyTables unpickles from a fixed-length string
 *                       attribute ending in '.'): index_cols [(0,
 *                       'index')], values_cols, data_columns,
 *                       non_index_axes [(1, [columns])], info {}
 *   /tidy/table         compound [rows]: index int64, then the columns;
 *                       strings fixed-length UTF-8 bytes (pandas decodes
 *                       them with `encoding`); chunked, shuffle + deflate;
 *                       attributes CLASS = "TABLE", NROWS, FIELD_<i>_NAME
 *                       and pandas' per column: <col>_kind (pickled
 *                       [col]), <col>_dtype ("int64", "float64",
 *                       "bytes<width>"), <col>_meta (pickled None);
 *                       index_kind = "integer"
 *   /                   twsim_kind = "export", source (the run file)
 *
 * Only plain lists, tuples and strings are pickled, so nothing depends on
 * numpy's or pandas' own classes.
 */
#include "tw_export.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hdf5.h>

#include "tw_filekind.h"
#include "tw_h5.h"
#include "tw_h5util.h"
#include "tw_mem.h"
#include "tw_output.h"

enum { COL_REPLICATE, COL_YEAR, COL_METRIC, COL_COUNTY, COL_VALUE, COL_UNIT,
       COL_LABEL, N_COLS };
static const char *const col_name[N_COLS] = {
    "replicate", "year", "metric", "county", "value", "unit", "label" };

/* The run, read whole (an export is for files that fit in memory). */
typedef struct src {
    tw_h5_data *d;
    size_t nc;             /* counties with rows (0: the region only) */
    char **counties;       /* [nc] */
    double *crows;         /* [R][Y][nc][M] */
    size_t first;          /* a slice's first replicate (slice_first) */
} src;

static void src_free(src *s)
{
    tw_h5_data_free(s->d);
    tw_strings_free(s->counties, s->nc);
    free(s->crows);
}

static int src_read(const char *path, src *s, tw_error *err)
{
    tw_file_kind kind;
    memset(s, 0, sizeof *s);
    int rc = tw_file_identify(path, &kind, err);
    if (rc != TW_OK)
        return rc;
    if (kind != TW_FILE_RUN)
        return tw_error_set(err, TW_EINPUT, "%s is a twsim %s file; export "
                            "takes a run", path, tw_file_kind_names[kind]);
    if ((rc = tw_h5_read(path, &s->d, err)) != TW_OK)
        return rc;
    for (size_t r = 0; r < s->d->n_reps; r++)
        if (!s->d->done[r])
            return tw_error_set(err, TW_EINPUT, "%s is a partial run "
                                "(replicate %zu missing): finish it with "
                                "--resume first", path, r);
    /* a slice's rows are numbered as in the whole ensemble */
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    uint64_t first = 0;
    if (f >= 0 && H5Aexists(f, "slice_first") > 0 &&
        tw_h5u_read_num_attr(f, "slice_first", H5T_NATIVE_UINT64, &first,
                             NULL, 0) == 0)
        s->first = (size_t)first;
    tw_h5u_close(&f);
    return tw_h5_read_county_rows(path, NULL, &s->nc, &s->counties,
                                  &s->crows, err);
}

/* Rows: replicate x year x place (region, counties) x metric. */
static size_t n_rows(const src *s)
{
    const tw_h5_data *d = s->d;
    return d->n_reps * d->n_years * (1 + s->nc) * d->n_metrics;
}

/* Row k's fields. */
typedef struct row {
    int64_t rep, year;
    const char *metric, *county, *unit, *label;
    double value;
} row;

static row row_at(const src *s, size_t k)
{
    const tw_h5_data *d = s->d;
    size_t M = d->n_metrics, P = 1 + s->nc, Y = d->n_years;
    size_t m = k % M, p = k / M % P, y = k / M / P % Y, r = k / M / P / Y;
    row w = { (int64_t)(s->first + r), d->years[y], d->metric_names[m],
              p == 0 ? "" : s->counties[p - 1], d->metric_units[m],
              d->metric_labels[m], 0 };
    w.value = p == 0 ? d->trajectories[(r * Y + y) * M + m]
                     : s->crows[((r * Y + y) * s->nc + (p - 1)) * M + m];
    return w;
}

/* ---------------------------------------------------------------- CSV */

/* s as a CSV field: quoted when it holds a comma, quote or line end. */
static void csv_field(FILE *f, const char *s)
{
    if (strpbrk(s, ",\"\r\n") == NULL) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

static int write_csv(const src *s, const char *file, tw_error *err)
{
    FILE *f = fopen(file, "w");
    if (f == NULL)
        return tw_error_set(err, TW_EFAIL, "cannot create %s", file);
    fputs(TW_EXPORT_CSV_HEADER "\n", f);
    size_t n = n_rows(s);
    for (size_t k = 0; k < n; k++) {
        row w = row_at(s, k);
        fprintf(f, "%lld,%lld,", (long long)w.rep, (long long)w.year);
        csv_field(f, w.metric);
        fputc(',', f);
        csv_field(f, w.county);
        fprintf(f, ",%.17g,", w.value);
        csv_field(f, w.unit);
        fputc(',', f);
        csv_field(f, w.label);
        fputc('\n', f);
    }
    int bad = ferror(f);
    if (fclose(f) != 0 || bad)
        return tw_error_set(err, TW_EFAIL, "cannot write %s (disk full?)",
                            file);
    return TW_OK;
}

/* Is the existing file `path` an earlier CSV export (its header line)? */
static int is_csv_export(const char *path)
{
    char line[sizeof TW_EXPORT_CSV_HEADER + 1] = "";
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return 0;
    int ok = fgets(line, sizeof line, f) != NULL &&
             strcmp(line, TW_EXPORT_CSV_HEADER "\n") == 0;
    fclose(f);
    return ok;
}

/* ------------------------------------------------- pandas' table form */

/* Fixed-length string attribute in character set cset: PyTables reads
 * a UTF-8 one as a str, an ASCII one as bytes, which it unpickles when
 * they end in '.'. */
static int string_attr(hid_t loc, const char *name, const char *v,
                       H5T_cset_t cset)
{
    hid_t t = H5Tcopy(H5T_C_S1);
    size_t len = strlen(v);
    int rc = t >= 0 && H5Tset_size(t, len > 0 ? len : 1) >= 0 &&
                     H5Tset_cset(t, cset) >= 0 &&
                     tw_h5u_attr(loc, name, t, t, v) == 0 ? 0 : -1;
    tw_h5u_close(&t);
    return rc;
}

static int fixed_attr(hid_t loc, const char *name, const char *v)
{
    return string_attr(loc, name, v, H5T_CSET_UTF8);
}

/* A protocol-0 pickle (text ending in '.'). */
static int pickle_attr(hid_t loc, const char *name, const char *v)
{
    return string_attr(loc, name, v, H5T_CSET_ASCII);
}

static int i64_attr(hid_t loc, const char *name, int64_t v)
{
    return tw_h5u_attr(loc, name, H5T_STD_I64LE, H5T_NATIVE_INT64, &v);
}

/* Protocol-0 pickle of the list of the columns cols[0..n) (names are
 * ASCII without backslashes or line ends), into buf. */
static void pickle_names(char *buf, size_t cap, const int *cols, int n)
{
    size_t k = (size_t)snprintf(buf, cap, "(l");
    for (int i = 0; i < n && k < cap; i++)
        k += (size_t)snprintf(buf + k, cap - k, "V%s\na", col_name[cols[i]]);
    if (k < cap)
        snprintf(buf + k, cap - k, ".");
}

/* The group's attributes: what pandas' Table.get_attrs reads. */
static int group_attrs(hid_t g)
{
    static const int all[N_COLS] = { 0, 1, 2, 3, 4, 5, 6 };
    char names[512], axes[600];
    pickle_names(names, sizeof names, all, N_COLS);
    /* [(1, [columns])]: the list without its final '.' inside a tuple */
    snprintf(axes, sizeof axes, "(l(I1\n%.*sta.", (int)strlen(names) - 1,
             names);
    return fixed_attr(g, "CLASS", "GROUP") != 0 ||
           fixed_attr(g, "VERSION", "1.0") != 0 ||
           fixed_attr(g, "pandas_type", "frame_table") != 0 ||
           fixed_attr(g, "pandas_version", "0.15.2") != 0 ||
           fixed_attr(g, "table_type", "appendable_frame") != 0 ||
           fixed_attr(g, "encoding", "UTF-8") != 0 ||
           fixed_attr(g, "errors", "strict") != 0 ||
           fixed_attr(g, "nan_rep", "nan") != 0 ||
           i64_attr(g, "levels", 1) != 0 ||
           pickle_attr(g, "index_cols", "(l(I0\nVindex\nta.") != 0 ||
           pickle_attr(g, "values_cols", names) != 0 ||
           pickle_attr(g, "data_columns", names) != 0 ||
           pickle_attr(g, "non_index_axes", axes) != 0 ||
           pickle_attr(g, "info", "(d.") != 0
               ? -1 : 0;
}

/* The table's attributes: PyTables' (CLASS, NROWS, field names) and
 * pandas' per column. width[c] is a string column's byte width. */
static int table_attrs(hid_t t, size_t rows, const size_t *width)
{
    char name[64], v[128];
    if (fixed_attr(t, "CLASS", "TABLE") != 0 ||
        fixed_attr(t, "VERSION", "2.7") != 0 ||
        i64_attr(t, "NROWS", (int64_t)rows) != 0 ||
        fixed_attr(t, "FIELD_0_NAME", "index") != 0 ||
        fixed_attr(t, "index_kind", "integer") != 0)
        return -1;
    for (int c = 0; c < N_COLS; c++) {
        snprintf(name, sizeof name, "FIELD_%d_NAME", c + 1);
        if (fixed_attr(t, name, col_name[c]) != 0)
            return -1;
        snprintf(name, sizeof name, "%s_kind", col_name[c]);
        pickle_names(v, sizeof v, &c, 1);
        if (pickle_attr(t, name, v) != 0)
            return -1;
        snprintf(name, sizeof name, "%s_dtype", col_name[c]);
        if (width[c] > 0)
            snprintf(v, sizeof v, "bytes%zu", width[c]);
        else
            snprintf(v, sizeof v, c == COL_VALUE ? "float64" : "int64");
        if (fixed_attr(t, name, v) != 0)
            return -1;
        snprintf(name, sizeof name, "%s_meta", col_name[c]);
        if (pickle_attr(t, name, "N.") != 0)
            return -1;
    }
    return 0;
}

/* Rows per write (and per chunk). */
#define TIDY_BLOCK 4096

static int write_tidy(const src *s, const char *path, const char *file,
                      tw_error *err)
{
    const tw_h5_data *d = s->d;
    size_t width[N_COLS] = {0}, off[N_COLS + 1];
    /* string columns: the longest value, at least 1 byte */
    for (int c = 0; c < N_COLS; c++)
        if (c == COL_METRIC || c == COL_COUNTY || c == COL_UNIT ||
            c == COL_LABEL)
            width[c] = 1;
    for (size_t m = 0; m < d->n_metrics; m++) {
        size_t a = strlen(d->metric_names[m]), b = strlen(d->metric_units[m]);
        size_t l = strlen(d->metric_labels[m]);
        if (a > width[COL_METRIC]) width[COL_METRIC] = a;
        if (b > width[COL_UNIT]) width[COL_UNIT] = b;
        if (l > width[COL_LABEL]) width[COL_LABEL] = l;
    }
    for (size_t c = 0; c < s->nc; c++)
        if (strlen(s->counties[c]) > width[COL_COUNTY])
            width[COL_COUNTY] = strlen(s->counties[c]);
    /* packed records: index, then the columns */
    size_t rec = 8;
    for (int c = 0; c < N_COLS; c++) {
        off[c] = rec;
        rec += width[c] > 0 ? width[c] : 8;
    }
    off[N_COLS] = rec;

    hid_t f = H5I_INVALID_HID, g = H5I_INVALID_HID, t = H5I_INVALID_HID;
    hid_t ft = H5I_INVALID_HID, mt = H5I_INVALID_HID;
    hid_t str[N_COLS], space = H5I_INVALID_HID, dcpl = H5I_INVALID_HID;
    hid_t fs = H5I_INVALID_HID, ms = H5I_INVALID_HID;
    for (int c = 0; c < N_COLS; c++)
        str[c] = H5I_INVALID_HID;
    size_t rows = n_rows(s);
    unsigned char *buf = malloc(TIDY_BLOCK * rec);
    int rc = TW_EFAIL;
    if (buf == NULL) {
        rc = tw_error_set(err, TW_EFAIL, "out of memory");
        goto out;
    }
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    if ((ft = H5Tcreate(H5T_COMPOUND, rec)) < 0 ||
        (mt = H5Tcreate(H5T_COMPOUND, rec)) < 0 ||
        H5Tinsert(ft, "index", 0, H5T_STD_I64LE) < 0 ||
        H5Tinsert(mt, "index", 0, H5T_NATIVE_INT64) < 0)
        goto fail;
    for (int c = 0; c < N_COLS; c++) {
        hid_t fc = c == COL_VALUE ? H5T_IEEE_F64LE : H5T_STD_I64LE;
        hid_t mc = c == COL_VALUE ? H5T_NATIVE_DOUBLE : H5T_NATIVE_INT64;
        if (width[c] > 0) {
            if ((str[c] = H5Tcopy(H5T_C_S1)) < 0 ||
                H5Tset_size(str[c], width[c]) < 0 ||
                H5Tset_strpad(str[c], H5T_STR_NULLPAD) < 0)
                goto fail;
            fc = mc = str[c];
        }
        if (H5Tinsert(ft, col_name[c], off[c], fc) < 0 ||
            H5Tinsert(mt, col_name[c], off[c], mc) < 0)
            goto fail;
    }
    hsize_t dims[1] = { rows }, maxd[1] = { H5S_UNLIMITED };
    hsize_t chunk[1] = { rows < TIDY_BLOCK ? (rows > 0 ? rows : 1)
                                           : TIDY_BLOCK };
    if ((f = H5Fcreate(file, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT)) < 0 ||
        tw_h5u_str_attr(f, "twsim_kind", "export") != 0 ||
        tw_h5u_str_attr(f, "source", path) != 0 ||
        tw_h5u_str_attr(f, "description", "twsim export: one row per "
                        "replicate, year, place and metric; read with "
                        "pandas.read_hdf(FILE) (docs/hdf5.md)") != 0 ||
        (g = H5Gcreate2(f, "tidy", H5P_DEFAULT, H5P_DEFAULT,
                        H5P_DEFAULT)) < 0 ||
        group_attrs(g) != 0 ||
        (space = H5Screate_simple(1, dims, maxd)) < 0 ||
        (dcpl = H5Pcreate(H5P_DATASET_CREATE)) < 0 ||
        H5Pset_chunk(dcpl, 1, chunk) < 0 || H5Pset_shuffle(dcpl) < 0 ||
        H5Pset_deflate(dcpl, 4) < 0 ||
        (t = H5Dcreate2(g, "table", ft, space, H5P_DEFAULT, dcpl,
                        H5P_DEFAULT)) < 0 ||
        table_attrs(t, rows, width) != 0 || (fs = H5Dget_space(t)) < 0)
        goto fail;
    for (size_t k0 = 0; k0 < rows; k0 += TIDY_BLOCK) {
        size_t n = rows - k0 < TIDY_BLOCK ? rows - k0 : TIDY_BLOCK;
        memset(buf, 0, n * rec);
        for (size_t i = 0; i < n; i++) {
            unsigned char *p = buf + i * rec;
            row w = row_at(s, k0 + i);
            int64_t idx = (int64_t)(k0 + i);
            memcpy(p, &idx, 8);
            memcpy(p + off[COL_REPLICATE], &w.rep, 8);
            memcpy(p + off[COL_YEAR], &w.year, 8);
            memcpy(p + off[COL_VALUE], &w.value, 8);
            memcpy(p + off[COL_METRIC], w.metric, strlen(w.metric));
            memcpy(p + off[COL_COUNTY], w.county, strlen(w.county));
            memcpy(p + off[COL_UNIT], w.unit, strlen(w.unit));
            memcpy(p + off[COL_LABEL], w.label, strlen(w.label));
        }
        hsize_t start[1] = { k0 }, count[1] = { n };
        if ((ms = H5Screate_simple(1, count, NULL)) < 0 ||
            H5Sselect_hyperslab(fs, H5S_SELECT_SET, start, NULL, count,
                                NULL) < 0 ||
            H5Dwrite(t, mt, ms, fs, H5P_DEFAULT, buf) < 0 ||
            tw_h5u_release(&ms) < 0)
            goto fail;
    }
    TW_H5U_CLOSE(&fs, &t, &g);
    rc = tw_output_h5_close(f, file, err);
    f = H5I_INVALID_HID;
    goto out;
fail:
    rc = tw_error_set(err, TW_EFAIL, "cannot write %s (HDF5)", file);
out:
    TW_H5U_CLOSE(&ms, &fs, &t, &dcpl, &space, &g, &ft, &mt, &f);
    for (int c = 0; c < N_COLS; c++)
        tw_h5u_close(&str[c]);
    free(buf);
    return rc;
}

int tw_export(const char *path, const char *out, tw_export_format fmt,
              int force, size_t *rows, tw_error *err)
{
    src s;
    tw_output o;
    if (rows != NULL)
        *rows = 0;
    int rc = src_read(path, &s, err);
    if (rc != TW_OK) {
        src_free(&s);
        return rc;
    }
    /* an earlier CSV export may be replaced as a twsim file may */
    tw_output_rules rules = { .force = force || is_csv_export(out) };
    if ((rc = tw_output_begin(&o, out, &rules, err)) != TW_OK) {
        src_free(&s);
        return rc;
    }
    rc = fmt == TW_EXPORT_CSV ? write_csv(&s, o.partial, err)
                              : write_tidy(&s, path, o.partial, err);
    int erc = tw_output_end(&o, rc == TW_OK, err);
    if (rc == TW_OK)
        rc = erc;
    if (rc == TW_OK && rows != NULL)
        *rows = n_rows(&s);
    src_free(&s);
    return rc;
}
