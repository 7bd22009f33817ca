/*
 * tw_metrics.h - the table of output metrics.
 *
 * Every number the engine records has a stable dotted lower-case name
 * (teachers.tier.0, hires.total, ...), a unit, a one-line description and
 * a label: short Chinese for the planner, unique within the table (e.g.
 * "小学 生师比", "年龄 30–34岁"; a tier metric's holds the tier's name
 * from the config), in the region's script (tw_script). The table is built once per model and is
 * read-only while replicates run. Column m of a trajectory row is metric m.
 */
#ifndef TW_METRICS_H
#define TW_METRICS_H

#include <stddef.h>

#include "tw_error.h"

/* The script of a region's Chinese (config region.script): the parts of
 * metric labels the engine writes (stage, locality, title, channel and
 * measure words) are in it; names from the config (tiers, stage groups,
 * subjects) are the config's own. */
typedef enum {
    TW_SCRIPT_SIMPLIFIED = 0, /* 简体, the default */
    TW_SCRIPT_TRADITIONAL,    /* 繁體 */
    TW_N_SCRIPTS
} tw_script;

/* "simplified", "traditional": the values of region.script. */
extern const char *const tw_script_names[TW_N_SCRIPTS];

#define TW_METRIC_NAME_MAX 64
#define TW_METRIC_UNIT_MAX 32
#define TW_METRIC_DESC_MAX 192
#define TW_METRIC_LABEL_MAX 96

typedef struct tw_metric {
    char name[TW_METRIC_NAME_MAX];        /* e.g. "teachers.tier.0" */
    char unit[TW_METRIC_UNIT_MAX];        /* e.g. "teachers", "teachers/year" */
    char description[TW_METRIC_DESC_MAX]; /* one line, English */
    char label[TW_METRIC_LABEL_MAX];      /* e.g. "小学 生师比", UTF-8 */
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
 * Append a metric. `label` may be NULL (""). A label the same as an
 * earlier metric's gets " (<name>)" appended, so that labels are unique
 * within the table. The description is a printf format. Returns the new
 * metric's index, or -1 (with err set) when the name is a duplicate, a
 * field is too long, or memory runs out.
 */
long tw_metrics_add(tw_metric_table *t, tw_error *err, const char *name,
                    const char *unit, const char *label,
                    const char *desc_fmt, ...)
    __attribute__((format(printf, 6, 7)));

/* Index of the metric called `name`, or -1. */
long tw_metrics_find(const tw_metric_table *t, const char *name);

#endif /* TW_METRICS_H */
