/*
 * cli_format.h - machine-readable output of the report commands
 * (`check`, `compare`, `sweep --format csv|json`, docs/cli.md "For
 * scripts").
 *
 * A report is a table of records with fixed columns. Text is each
 * command's own; this module writes the same records as
 *
 *   csv:   a header line of the column names, then one line per record;
 *          fields quoted as RFC 4180 says (a field with a comma, a double
 *          quote, CR or LF is put in double quotes, its quotes doubled);
 *          lines end in LF; a number that is not finite is an empty field
 *   json:  one array of objects, one per record, keyed by the column
 *          names; a number that is not finite is null
 *
 * Strings are written as given (UTF-8 names pass through unchanged).
 */
#ifndef TW_CLI_FORMAT_H
#define TW_CLI_FORMAT_H

#include <stddef.h>
#include <stdio.h>

#include "tw_experiment.h"
#include "tw_filekind.h"
#include "tw_targets.h"

typedef enum {
    TW_CLI_TEXT = 0,
    TW_CLI_CSV,
    TW_CLI_JSON,
    TW_CLI_N_FORMATS
} tw_cli_format;

extern const char *const tw_cli_format_names[TW_CLI_N_FORMATS];

/*
 * --format ARG of command `cmd`: *out is the format, or (after a message
 * on stderr naming the valid formats) TW_EINPUT is returned.
 */
int tw_cli_format_parse(const char *cmd, const char *arg, tw_cli_format *out);

/* A table being written: begin, then per record one call per column in
 * order, then tw_cli_rows_next; tw_cli_rows_end closes it. The column
 * names are the caller's and must outlive the writer. */
typedef struct tw_cli_rows {
    FILE *f;
    tw_cli_format fmt;           /* TW_CLI_CSV or TW_CLI_JSON */
    const char *const *cols;
    size_t n_cols;
    size_t col;                  /* the next field's column */
    size_t rows;                 /* records finished */
} tw_cli_rows;

void tw_cli_rows_begin(tw_cli_rows *w, FILE *f, tw_cli_format fmt,
                       const char *const *cols, size_t n_cols);

/* The next field: a string (NULL: empty in CSV, null in JSON), a number
 * (written so that it reads back exactly), or a whole number. */
void tw_cli_rows_str(tw_cli_rows *w, const char *s);
void tw_cli_rows_num(tw_cli_rows *w, double v);
void tw_cli_rows_int(tw_cli_rows *w, long long v);

/* End the record: the fields not given are empty (null). */
void tw_cli_rows_next(tw_cli_rows *w);

/* End the table (a JSON array is closed; an empty one is "[]"). */
void tw_cli_rows_end(tw_cli_rows *w);

/* ---- the records of each report ---- */

/*
 * check: begin the target table (columns scenario, target, metric, scope,
 * county, year, condition, p_met, p_lo, p_hi, mean, p05, p95, verdict),
 * then add each run's targets with tw_cli_targets_rows: one record per
 * target (county: its county; each_county: county empty, the aggregate,
 * then one record per county from cres [nt][nc]); scenario NULL for a
 * plain run. The verdict is at `confidence`. All arrays are the caller's.
 */
void tw_cli_targets_begin(tw_cli_rows *w, FILE *f, tw_cli_format fmt);
void tw_cli_targets_rows(tw_cli_rows *w, const char *scenario,
                         const tw_target *t, size_t nt,
                         const tw_target_result *res,
                         const char *const *counties, size_t nc,
                         const tw_target_result *cres, double confidence);

/*
 * compare: the whole table of c (columns kind, name, year, unit, p_base,
 * p_alt, mean, sd, ci_lo, ci_hi, p05, p95, gained, lost, label): one
 * "target" record per target (the paired change in P(met)), then one
 * "metric" record per metric in the last year that show [n_metrics]
 * selects (tw_compare_select), as the text table.
 */
void tw_cli_comparison_rows(FILE *f, tw_cli_format fmt,
                            const tw_comparison *c, const tw_h5_data *base,
                            const unsigned char *show);

/*
 * A sweep or optimize table: one record per point and target (columns
 * lever, value, lever2, value2, target, p_met, p_lo, p_hi, mean, p_all,
 * meets); tw_cli_grid_text is the same as a text table.
 */
void tw_cli_grid_rows(FILE *f, tw_cli_format fmt, const tw_lever_table *t);
void tw_cli_grid_text(FILE *f, const tw_lever_table *t);

#endif /* TW_CLI_FORMAT_H */
