/*
 * tw_metrics.h - the table of output metrics.
 *
 * Every number the engine records has a stable dotted lower-case name
 * (teachers.tier.0, hires.total, ...), a unit and a one-line description;
 * tier metrics also carry the tier's name from the config as a label
 * (UTF-8, Chinese or not). The table is built once per model and is
 * read-only while replicates run. Column m of a trajectory row is metric m.
 */
#ifndef TW_METRICS_H
#define TW_METRICS_H

#include <stddef.h>

#include "tw_error.h"

#define TW_METRIC_NAME_MAX 64
#define TW_METRIC_UNIT_MAX 32
#define TW_METRIC_DESC_MAX 192
#define TW_METRIC_LABEL_MAX 96

typedef struct tw_metric {
    char name[TW_METRIC_NAME_MAX];        /* e.g. "teachers.tier.0" */
    char unit[TW_METRIC_UNIT_MAX];        /* e.g. "teachers", "teachers/year" */
    char description[TW_METRIC_DESC_MAX]; /* one line, English */
    char label[TW_METRIC_LABEL_MAX];      /* e.g. tier name; "" if none */
} tw_metric;

typedef struct tw_metric_table {
    size_t n;     /* metrics in use */
    size_t cap;   /* allocated slots */
    tw_metric *v; /* owned by the table */
} tw_metric_table;

/* An empty table (no allocation until the first add). */
void tw_metrics_init(tw_metric_table *t);

/* Free the table's storage; the table is empty afterwards. */
void tw_metrics_free(tw_metric_table *t);

/*
 * Append a metric. `label` may be NULL. The description is a printf
 * format. Returns the new metric's index, or -1 (with err set) when the
 * name is a duplicate, a field is too long, or memory runs out.
 */
long tw_metrics_add(tw_metric_table *t, tw_error *err, const char *name,
                    const char *unit, const char *label,
                    const char *desc_fmt, ...)
    __attribute__((format(printf, 6, 7)));

/* Index of the metric called `name`, or -1. */
long tw_metrics_find(const tw_metric_table *t, const char *name);

#endif /* TW_METRICS_H */
