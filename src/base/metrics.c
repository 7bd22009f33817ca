/* metrics.c - the output metric table (see tw_metrics.h). */
#include "tw_metrics.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const tw_script_names[TW_N_SCRIPTS] = {"simplified",
                                                   "traditional"};

void tw_metrics_init(tw_metric_table *t)
{
    t->n = 0;
    t->cap = 0;
    t->v = NULL;
}

void tw_metrics_free(tw_metric_table *t)
{
    free(t->v);
    tw_metrics_init(t);
}

long tw_metrics_find(const tw_metric_table *t, const char *name)
{
    for (size_t i = 0; i < t->n; i++)
        if (strcmp(t->v[i].name, name) == 0)
            return (long)i;
    return -1;
}

static int copy_field(char *dst, size_t cap, const char *src)
{
    size_t len = strlen(src);
    if (len >= cap)
        return -1;
    memcpy(dst, src, len + 1);
    return 0;
}

long tw_metrics_add(tw_metric_table *t, tw_error *err, const char *name,
                    const char *unit, const char *label,
                    const char *desc_fmt, ...)
{
    if (tw_metrics_find(t, name) >= 0) {
        tw_error_set(err, TW_EFAIL, "internal: metric '%s' defined twice",
                     name);
        return -1;
    }
    if (t->n == t->cap) {
        size_t cap = t->cap ? 2 * t->cap : 32;
        tw_metric *v = realloc(t->v, cap * sizeof *v);
        if (v == NULL) {
            tw_error_set(err, TW_EFAIL, "out of memory for the metric table");
            return -1;
        }
        t->v = v;
        t->cap = cap;
    }
    tw_metric *m = &t->v[t->n];
    memset(m, 0, sizeof *m);
    va_list ap;
    va_start(ap, desc_fmt);
    int dlen = vsnprintf(m->description, sizeof m->description, desc_fmt, ap);
    va_end(ap);
    if (copy_field(m->name, sizeof m->name, name) != 0 ||
        copy_field(m->unit, sizeof m->unit, unit) != 0 ||
        copy_field(m->label, sizeof m->label, label ? label : "") != 0 ||
        dlen < 0 || (size_t)dlen >= sizeof m->description) {
        tw_error_set(err, TW_EINPUT,
                     "metric '%.64s': a name, unit, label or description is "
                     "too long (label: at most %d bytes of UTF-8)",
                     name, TW_METRIC_LABEL_MAX - 1);
        return -1;
    }
    /* a label is unique within the table: a config's name (a tier's, a
     * stage group's) can make one the same as another's, and then the
     * later one says whose it is */
    for (size_t i = 0; m->label[0] != '\0' && i < t->n; i++)
        if (strcmp(t->v[i].label, m->label) == 0) {
            size_t ll = strlen(m->label), nl = strlen(name);
            if (ll + nl + 3 >= sizeof m->label) {
                tw_error_set(err, TW_EINPUT, "metric '%.64s': label \"%s\" "
                             "is another metric's, and too long to add the "
                             "name to", name, m->label);
                return -1;
            }
            snprintf(m->label + ll, sizeof m->label - ll, " (%s)", name);
            break;
        }
    return (long)t->n++;
}
