/*
 * tw_export.h - a run file as one tidy table (twsim export, docs/hdf5.md
 * "Tidy export"): one row per replicate, year, metric and place, with the
 * columns
 *
 *   replicate  int64    the replicate's index in the run (in a slice,
 *                       its index in the whole ensemble: slice_first + i)
 *   year       int64    calendar year
 *   metric     string   metric name (/metrics/name)
 *   county     string   "" for the region's row, else the county's name
 *   value      float64  the value, bitwise the file's (NaN kept)
 *   unit       string   /metrics/unit
 *   label      string   /metrics/label
 *
 * in the order replicate, year, place (the region, then each county of
 * /by_county), metric. Written as CSV (a header line, RFC 4180 quoting,
 * values with 17 significant digits so that they read back exactly) or
 * as an HDF5 file that pandas reads, pd.read_hdf(OUT): pandas' "table"
 * format (PyTables), the table in the group /tidy.
 */
#ifndef TW_EXPORT_H
#define TW_EXPORT_H

#include <stddef.h>

#include "tw_error.h"

typedef enum { TW_EXPORT_CSV, TW_EXPORT_TIDY_H5 } tw_export_format;

/* The first line of every CSV export (which marks a file as one). */
#define TW_EXPORT_CSV_HEADER "replicate,year,metric,county,value,unit,label"

/*
 * Export the complete run file `path` to `out` in format fmt, through
 * tw_output (a partial file renamed when complete; an existing `out` that
 * is neither a twsim file nor an earlier export is replaced only with
 * force: TW_EINPUT otherwise). *rows (may be NULL) receives the rows
 * written. TW_EINPUT for a file that is not a complete run.
 */
int tw_export(const char *path, const char *out, tw_export_format fmt,
              int force, size_t *rows, tw_error *err);

#endif /* TW_EXPORT_H */
