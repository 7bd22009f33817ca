/*
 * config.c - load, override, schema-check and validate a libconfig file
 * (see tw_config.h for the four steps).
 *
 * Messages point at "file:line" through libconfig's source positions; a
 * setting that came from --set is reported as "--set key=value" instead.
 */
#include "config_priv.h"
#include "tw_design.h"
#include "tw_mem.h"
#include "config_guard.h"

#include <errno.h>
#include <libconfig.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ */
/* Source positions                                                    */
/* ------------------------------------------------------------------ */

/* The dotted path of a setting, with [i] for list and array elements. */
static void setting_path(const config_setting_t *s, char *buf, size_t cap)
{
    const config_setting_t *parent = config_setting_parent(s);
    if (parent == NULL) {
        buf[0] = '\0';
        return;
    }
    setting_path(parent, buf, cap);
    size_t len = strlen(buf);
    const char *name = config_setting_name(s);
    if (name != NULL)
        snprintf(buf + len, cap - len, "%s%s", len ? "." : "", name);
    else
        snprintf(buf + len, cap - len, "[%d]", config_setting_index(s));
}

/* Is `path` equal to `prefix` or below it? */
static bool path_under(const char *path, const char *prefix)
{
    size_t n = strlen(prefix);
    return strncmp(path, prefix, n) == 0 &&
           (path[n] == '\0' || path[n] == '.' || path[n] == '[');
}

/* Like the two tests of tw_config_where below for a set path with "[*]"
 * (LIST[*].KEY), which stands for any element [i] of the list: is `path`
 * equal to it or below it, or the array of whose element it is? */
static bool wild_match(const char *path, const char *pat)
{
    if (strstr(pat, "[*]") == NULL)
        return false;
    const char *s = path, *q = pat;
    while (*s != '\0' && *q != '\0') {
        if (strncmp(q, "[*]", 3) == 0 && *s == '[') {
            const char *e = strchr(s, ']');
            if (e == NULL)
                return false;
            s = e + 1;
            q += 3;
        } else if (*s == *q) {
            s++;
            q++;
        } else {
            return false;
        }
    }
    return (*q == '\0' && (*s == '\0' || *s == '.' || *s == '[')) ||
           (*s == '\0' && *q == '[' && strncmp(q, "[*]", 3) != 0);
}

const char *tw_config_where(const tw_config_src *src,
                            const config_setting_t *s, char *buf, size_t cap)
{
    char path[512];
    setting_path(s, path, sizeof path);
    size_t len = strlen(path);
    for (size_t i = src->n_set; i-- > 0;) {
        /* "tiers.capacity[3]" set: a message about the array names it */
        if (path_under(path, src->set_paths[i]) ||
            (strncmp(src->set_paths[i], path, len) == 0 &&
             src->set_paths[i][len] == '[') ||
            wild_match(path, src->set_paths[i])) {
            snprintf(buf, cap, "--set %s", src->set_args[i]);
            return buf;
        }
    }
    const char *file = config_setting_source_file(s);
    unsigned line = config_setting_source_line(s);
    if (file == NULL)
        file = src->path;
    if (line > 0)
        snprintf(buf, cap, "%s:%u", file, line);
    else
        snprintf(buf, cap, "%s", file);
    return buf;
}

/* ------------------------------------------------------------------ */
/* Step 2: --set overrides                                             */
/* ------------------------------------------------------------------ */

/* Parse `value` as a libconfig value into tmp; NULL when it does not
 * parse. A bare word for a string key is taken as the string itself. */
static config_setting_t *parse_value(config_t *tmp, const char *value,
                                     key_kind kind)
{
    size_t len = strlen(value);
    char *buf = malloc(2 * len + 16);
    if (buf == NULL)
        return NULL;
    config_setting_t *v = NULL;
    snprintf(buf, 2 * len + 16, "v = %s;", value);
    if (config_read_string(tmp, buf) == CONFIG_TRUE)
        v = config_lookup(tmp, "v");
    if (v == NULL && kind == K_STRING) {
        char *q = buf + sprintf(buf, "v = \"");
        for (const char *p = value; *p; p++) {
            if (*p == '"' || *p == '\\')
                *q++ = '\\';
            *q++ = *p;
        }
        strcpy(q, "\";");
        config_destroy(tmp);
        config_init(tmp);
        if (config_read_string(tmp, buf) == CONFIG_TRUE)
            v = config_lookup(tmp, "v");
    }
    free(buf);
    if (v != NULL && config_setting_length(config_root_setting(tmp)) != 1)
        v = NULL; /* "1; other = 2" smuggles in a second setting */
    return v;
}

static int apply_override(tw_config_src *src, const char *arg, tw_error *err)
{
    const char *eq = strchr(arg, '=');
    if (eq == NULL || eq == arg)
        return tw_error_add(err, TW_EINPUT,
                            "--set %s: expected key.path=value, e.g. "
                            "--set simulation.replicates=100", arg);
    char lhs[600], why[1024];
    snprintf(lhs, sizeof lhs, "%.*s", (int)(eq - arg), arg);
    const char *value = eq + 1;
    tw_set_path p;
    if (tw_set_path_parse(lhs, &p, why, sizeof why) != 0)
        return tw_error_add(err, TW_EINPUT, "--set %s: %s", arg, why);
    key_kind kind = tw_set_path_kind(&p);
    char *checked = tw_config_guard_value(arg, value, err);
    if (checked == NULL)
        return err ? err->code : TW_EINPUT;
    config_t tmp;
    config_init(&tmp);
    config_setting_t *v = parse_value(&tmp, checked, kind);
    free(checked);
    int vt = v ? config_setting_type(v) : 0;
    bool num = vt == CONFIG_TYPE_INT || vt == CONFIG_TYPE_INT64 ||
               vt == CONFIG_TYPE_FLOAT;
    int rc = TW_OK;
    if (v == NULL)
        rc = tw_error_add(err, TW_EINPUT,
                          "--set %s: cannot read the value '%s' (expected "
                          "%s)", arg, value, tw_schema_kind_words(kind));
    else if (p.index >= 0 && (!num || (kind == K_INT &&
                                       vt == CONFIG_TYPE_FLOAT)))
        rc = tw_error_add(err, TW_EINPUT, "--set %s: %s[%ld]: expected %s, "
                          "got '%s'", arg, p.name, p.index,
                          tw_schema_kind_words(kind), value);
    char where[600];
    if (rc == TW_OK)
        rc = tw_set_apply(src, arg, &p, v, where, sizeof where, err);
    config_destroy(&tmp);
    if (rc != TW_OK)
        return rc;
    if ((src->set_paths[src->n_set] = strdup(where)) == NULL)
        return tw_error_add(err, TW_EFAIL, "out of memory");
    src->set_args[src->n_set] = (char *)arg;
    src->n_set++;
    return TW_OK;
}

/* ------------------------------------------------------------------ */
/* Step 4: read into the struct and validate                           */
/* ------------------------------------------------------------------ */

const char *rd_at(reader *r, const config_setting_t *s)
{
    return tw_config_where(r->src, s, r->at, sizeof r->at);
}

/* Append a line to the error unless the same line was added already (a
 * timeline value is read once per year and county). Lines are remembered
 * by a 64-bit hash, so that one past the error's line limit is counted
 * once in its "... and N more" too. */
static void add_once(reader *r, const char *line)
{
    uint64_t h = 1469598103934665603u; /* FNV-1a */
    for (const unsigned char *p = (const unsigned char *)line; *p; p++)
        h = (h ^ *p) * 1099511628211u;
    for (size_t i = 0; i < r->n_seen; i++)
        if (r->seen[i] == h)
            return;
    if (r->n_seen == r->cap_seen) {
        size_t cap = r->cap_seen ? 2 * r->cap_seen : 32;
        uint64_t *p = realloc(r->seen, cap * sizeof *p);
        if (p == NULL) {
            tw_error_add(r->err, TW_EFAIL, "out of memory");
            return;
        }
        r->seen = p;
        r->cap_seen = cap;
    }
    r->seen[r->n_seen++] = h;
    tw_error_add(r->err, TW_EINPUT, "%s", line);
}

void rd_bad(reader *r, const config_setting_t *s, const char *path,
            const char *fmt, ...)
{
    char what[1024], line[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    snprintf(line, sizeof line, "%s: %s: %s", rd_at(r, s), path, what);
    add_once(r, line);
}

/* Report a missing key at its group (or the file when the group is
 * missing too, and only for top-level sections). */
static void missing(reader *r, const config_setting_t *g, const char *gpath,
                    const char *key, const char *schema_path)
{
    if (tw_config_gone(r->src, g, key))
        return; /* reported by the schema check (wrong type, a typo ...) */
    const key_spec *spec = tw_schema_find(schema_path);
    char line[2048];
    if (g != NULL)
        snprintf(line, sizeof line, "%s: group '%s' has no '%s' (%s)",
                 rd_at(r, g), gpath, key, spec ? spec->doc : "required");
    else
        snprintf(line, sizeof line, "%s: missing section '%s' (%s)",
                 r->src->path, key, spec ? spec->doc : "required");
    add_once(r, line);
}

/* The latest timeline entry for r->year / r->county that sets `path`. */
static const config_setting_t *from_timeline(reader *r, const char *path)
{
    for (size_t i = r->n_tl; i-- > 0;) {
        const tl_entry *e = &r->tl[i];
        if (e->year > r->year)
            continue;
        if (e->county != NULL && (r->county < 0 || !e->county[r->county]))
            continue;
        const config_setting_t *s = config_setting_lookup(
            (config_setting_t *)e->set, path);
        if (s != NULL)
            return s;
    }
    return NULL;
}

/* The base config's setting at `path`, else the national defaults'. */
static const config_setting_t *lookup_base(const reader *r, const char *path)
{
    const config_setting_t *s = config_lookup(&r->src->lc, path);
    if (s == NULL && r->cfg->mode == TW_MODE_FULL) {
        char np[600];
        snprintf(np, sizeof np, "national.%s", path);
        s = config_lookup(&r->src->lc, np);
    }
    return s;
}

const config_setting_t *rd_get(reader *r, const char *path, bool required)
{
    const config_setting_t *s = r->n_tl ? from_timeline(r, path) : NULL;
    if (s == NULL)
        s = lookup_base(r, path);
    if (s != NULL || !required)
        return s;
    char parent[512];
    snprintf(parent, sizeof parent, "%s", path);
    char *dot = strrchr(parent, '.');
    if (dot == NULL) {
        missing(r, NULL, "", path, path);
        return NULL;
    }
    *dot = '\0';
    const config_setting_t *g = lookup_base(r, parent);
    if (g != NULL) /* else the missing group is reported by itself */
        missing(r, g, parent, dot + 1, path);
    return NULL;
}

const config_setting_t *rd_member(reader *r, const config_setting_t *g,
                                  const char *gpath, const char *key,
                                  bool required)
{
    const config_setting_t *s =
        config_setting_get_member((config_setting_t *)g, key);
    if (s == NULL && required) {
        /* schema path: "schools[3]" -> "schools[]" */
        char spath[512];
        snprintf(spath, sizeof spath, "%s", gpath);
        char *br = strchr(spath, '[');
        if (br != NULL)
            strcpy(br, "[]");
        size_t len = strlen(spath);
        snprintf(spath + len, sizeof spath - len, ".%s", key);
        missing(r, g, gpath, key, spath);
    }
    return s;
}

double rd_num(const config_setting_t *s)
{
    if (config_setting_type(s) == CONFIG_TYPE_FLOAT)
        return config_setting_get_float(s);
    return (double)config_setting_get_int64(s);
}

/* A draw's key (tw_config_load_point) read with the range [lo, hi]:
 * record the range, for the distributions truncated to it. Only loads
 * with draws pay for the path. */
static void note_range(reader *r, const config_setting_t *s, double lo,
                       double hi)
{
    const tw_config_src *src = r->src;
    if (src->n_draws == 0 || r->cfg->draw_range == NULL || s == NULL)
        return;
    char path[512];
    setting_path(s, path, sizeof path);
    size_t len = strlen(path), first = src->n_set - src->n_draws;
    for (size_t i = first; i < src->n_set; i++) {
        const char *sp = src->set_paths[i];
        if (strcmp(sp, path) == 0 ||
            (strncmp(sp, path, len) == 0 && sp[len] == '[')) {
            r->cfg->draw_range[2 * (i - first)] = lo;
            r->cfg->draw_range[2 * (i - first) + 1] = hi;
        }
    }
}

bool rd_int(reader *r, const char *path, bool required, int64_t lo,
            int64_t hi, int64_t *out)
{
    const config_setting_t *s = rd_get(r, path, required);
    if (s == NULL)
        return false;
    note_range(r, s, (double)lo, (double)hi);
    int64_t v = config_setting_get_int64(s);
    if (v < lo || v > hi) {
        rd_bad(r, s, path, "%lld is out of range; it must be from %lld to %lld",
               (long long)v, (long long)lo, (long long)hi);
        return false;
    }
    *out = v;
    return true;
}

bool rd_float(reader *r, const char *path, bool required, double lo,
              double hi, double *out)
{
    const config_setting_t *s = rd_get(r, path, required);
    note_range(r, s, lo, hi);
    double v = s != NULL ? rd_num(s) : lo;
    bool ok = s != NULL && v >= lo && v <= hi; /* false for NaN */
    if (s != NULL && !ok)
        rd_bad(r, s, path, "%g is out of range; it must be from %g to %g", v,
               lo, hi);
    if (ok)
        *out = v;
    return ok;
}

bool rd_bool(reader *r, const char *path, bool required, bool *out)
{
    const config_setting_t *s = rd_get(r, path, required);
    if (s == NULL)
        return false;
    *out = config_setting_get_bool(s) != 0;
    return true;
}

int rd_choice_of(reader *r, const config_setting_t *s, const char *path,
                 const char *const *names, int n)
{
    const char *v = config_setting_get_string(s);
    if (v == NULL)
        v = "";
    size_t best_d, best = tw_nearest(v, names, (size_t)n, &best_d);
    if (best_d == 0)
        return (int)best;
    char list[512] = "";
    size_t used = 0;
    for (int i = 0; i < n && used < sizeof list; i++)
        used += (size_t)snprintf(list + used, sizeof list - used, "%s\"%s\"",
                                 i ? ", " : "", names[i]);
    if (best_d <= 2 && n > 0)
        rd_bad(r, s, path, "\"%s\" is not a valid value (did you mean "
               "\"%s\"?); use one of %s", v, names[best], list);
    else
        rd_bad(r, s, path, "\"%s\" is not a valid value; use one of %s", v,
               list);
    return -1;
}

int rd_choice(reader *r, const char *path, const char *const *names, int n)
{
    const config_setting_t *s = rd_get(r, path, true);
    return s ? rd_choice_of(r, s, path, names, n) : -1;
}

/* The n numbers of the list s, each in a range: as doubles in dout (in
 * [dlo, dhi]) when dout is given, else as whole numbers in iout (in [ilo,
 * ihi]). Every entry out of range is reported; false if any. */
static bool numbers_at(reader *r, const config_setting_t *s, const char *path,
                       size_t n, const double *drange, double *dout,
                       const int64_t *irange, int64_t *iout)
{
    size_t len = (size_t)config_setting_length(s);
    if (len != n) {
        rd_bad(r, s, path, "has %zu numbers; it must have %zu", len, n);
        return false;
    }
    if (dout != NULL)
        note_range(r, s, drange[0], drange[1]);
    else
        note_range(r, s, (double)irange[0], (double)irange[1]);
    bool ok = true;
    for (size_t i = 0; i < n; i++) {
        const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
        char got[40], range[96];
        bool in;
        if (dout != NULL) {
            dout[i] = rd_num(e);
            in = dout[i] >= drange[0] && dout[i] <= drange[1];
            snprintf(got, sizeof got, "%g", dout[i]);
            snprintf(range, sizeof range, "%g to %g", drange[0], drange[1]);
        } else {
            iout[i] = config_setting_get_int64(e);
            in = iout[i] >= irange[0] && iout[i] <= irange[1];
            snprintf(got, sizeof got, "%lld", (long long)iout[i]);
            snprintf(range, sizeof range, "%lld to %lld",
                     (long long)irange[0], (long long)irange[1]);
        }
        if (!in) {
            rd_bad(r, s, path, "entry %zu is %s; it must be from %s", i, got,
                   range);
            ok = false;
        }
    }
    return ok;
}

bool rd_floats_at(reader *r, const config_setting_t *s, const char *path,
                  size_t n, double lo, double hi, double *out)
{
    const double range[2] = { lo, hi };
    return numbers_at(r, s, path, n, range, out, NULL, NULL);
}

bool rd_floats(reader *r, const char *path, bool required, size_t n,
               double lo, double hi, double *out)
{
    const config_setting_t *s = rd_get(r, path, required);
    return s ? rd_floats_at(r, s, path, n, lo, hi, out) : false;
}

bool rd_ints(reader *r, const char *path, bool required, size_t n,
             int64_t lo, int64_t hi, int64_t *out)
{
    const config_setting_t *s = rd_get(r, path, required);
    const int64_t range[2] = { lo, hi };
    return s ? numbers_at(r, s, path, n, NULL, NULL, range, out) : false;
}

bool rd_shares_at(reader *r, const config_setting_t *s, const char *path,
                  size_t n, double *out)
{
    if (!rd_floats_at(r, s, path, n, 0.0, 1.0, out))
        return false;
    double sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += out[i];
    if (fabs(sum - 1.0) > 1e-6) {
        rd_bad(r, s, path, "shares sum to %.6g; they must sum to 1", sum);
        return false;
    }
    return true;
}

const char *tw_utf8_problem(const char *s, char *buf, size_t cap)
{
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        size_t at = (size_t)(p - (const unsigned char *)s);
        unsigned c = *p;
        int n = c < 0x80 ? 0 : (c & 0xE0) == 0xC0 ? 1
                             : (c & 0xF0) == 0xE0 ? 2
                             : (c & 0xF8) == 0xF0 ? 3 : -1;
        if (n < 0) {
            snprintf(buf, cap, "byte 0x%02X at byte %zu does not start a "
                     "character", c, at);
            return buf;
        }
        uint32_t cp = n == 0 ? c : c & (0x3Fu >> n);
        for (int i = 1; i <= n; i++) {
            if ((p[i] & 0xC0) != 0x80) {
                snprintf(buf, cap, "the character at byte %zu is cut short",
                         at);
                return buf;
            }
            cp = cp << 6 | (p[i] & 0x3Fu);
        }
        static const uint32_t least[4] = {0, 0x80, 0x800, 0x10000};
        if (cp < least[n]) {
            snprintf(buf, cap, "an overlong form of U+%04X at byte %zu", cp,
                     at);
            return buf;
        }
        if (cp >= 0xD800 && cp <= 0xDFFF) {
            snprintf(buf, cap, "a UTF-16 surrogate U+%04X at byte %zu (not a "
                     "character)", cp, at);
            return buf;
        }
        if (cp > 0x10FFFF) {
            snprintf(buf, cap, "U+%X at byte %zu is above U+10FFFF", cp, at);
            return buf;
        }
        p += n + 1;
    }
    return NULL;
}

bool tw_utf8_valid(const char *s)
{
    char buf[96];
    return tw_utf8_problem(s, buf, sizeof buf) == NULL;
}

const char *const tw_target_kind_names[TW_N_TARGET_KINDS] = {
    "level", "cumulative", "change", "every_year"};
const char *const tw_op_names[TW_N_OPS] = {">=", ">", "<=", "<"};
const char *const tw_target_scope_names[TW_N_SCOPES] = {
    "region", "county", "each_county"};

const config_setting_t *rd_next(const config_setting_t *s, const char *key,
                               size_t i, char *gp, size_t gp_len)
{
    if (s == NULL || i >= (size_t)config_setting_length(s))
        return NULL;
    snprintf(gp, gp_len, "%s[%zu]", key, i);
    return config_setting_get_elem(s, (unsigned)i);
}

void *rd_list_alloc(reader *r, const char *key, size_t size,
                    const config_setting_t **list, size_t *n)
{
    *n = 0;
    if ((*list = rd_get(r, key, false)) == NULL)
        return NULL;
    *n = (size_t)config_setting_length(*list);
    void *v = calloc(*n ? *n : 1, size);
    if (v == NULL)
        tw_error_add(r->err, TW_EFAIL, "out of memory");
    return v;
}

void *rd_list_read(reader *r, const char *key, size_t size, size_t *count,
                   rd_entry_fn fn)
{
    const config_setting_t *list, *g;
    size_t n;
    char gp[64];
    char *v = rd_list_alloc(r, key, size, &list, &n);
    for (size_t i = 0;
         v != NULL && (g = rd_next(list, key, i, gp, sizeof gp)) != NULL;
         i++) {
        *count = i + 1;
        if (fn(r, g, gp, v, i) != 0)
            break;
    }
    return v;
}

/* An owned copy of a string member of g, or NULL (reported) when required
 * and absent. */
static char *member_str(reader *r, const config_setting_t *g, const char *gp,
                        const char *key, bool required)
{
    const config_setting_t *s = rd_member(r, g, gp, key, required);
    char *v = strdup(s ? config_setting_get_string(s) : "");
    if (v == NULL)
        tw_error_add(r->err, TW_EFAIL, "out of memory");
    return v;
}

/* Entry i of the list targets (group g, path gp) into all[i]. */
static int read_target(reader *r, const config_setting_t *g, const char *gp,
                       void *base, size_t i)
{
    tw_config *c = r->cfg;
    tw_target *all = base, *t = &all[i];
    snprintf(t->where, sizeof t->where, "%s", rd_at(r, g));
    t->name = member_str(r, g, gp, "name", true);
    t->metric = member_str(r, g, gp, "metric", true);
    t->quote = member_str(r, g, gp, "quote", true);
    t->source = member_str(r, g, gp, "source", true);
    t->note = member_str(r, g, gp, "note", false);
    const config_setting_t *s;
    if ((s = rd_member(r, g, gp, "kind", true)) != NULL) {
        int k = rd_choice_of(r, s, "targets[].kind", tw_target_kind_names,
                             TW_N_TARGET_KINDS);
        t->kind = k < 0 ? TW_TARGET_LEVEL : (tw_target_kind)k;
    }
    if ((s = rd_member(r, g, gp, "op", true)) != NULL) {
        int k = rd_choice_of(r, s, "targets[].op", tw_op_names, TW_N_OPS);
        t->op = k < 0 ? TW_OP_GE : (tw_op)k;
    }
    if ((s = rd_member(r, g, gp, "value", true)) != NULL)
        t->value = rd_num(s);
    if ((s = rd_member(r, g, gp, "year", true)) != NULL) {
        t->year = (int)config_setting_get_int64(s);
        if (t->year <= c->base_year || t->year > c->end_year)
            rd_bad(r, s, "targets[].year", "%d is outside the simulated "
                   "years %d..%d (after base_year)", t->year,
                   c->base_year + 1, c->end_year);
    }
    int def = t->kind == TW_TARGET_CHANGE ? c->base_year
                                          : c->base_year + 1;
    t->from = def;
    if ((s = rd_member(r, g, gp, "from", false)) != NULL) {
        t->from = (int)config_setting_get_int64(s);
        int lo = t->kind == TW_TARGET_CHANGE ? c->base_year
                                             : c->base_year + 1;
        if (t->kind == TW_TARGET_LEVEL)
            rd_bad(r, s, "targets[].from", "a \"level\" target has no "
                   "'from'; remove it");
        else if (t->from < lo || t->from > t->year)
            rd_bad(r, s, "targets[].from", "%d must be from %d to the "
                   "target's year %d", t->from, lo, t->year);
    }
    if ((s = rd_member(r, g, gp, "national", false)) != NULL)
        t->national = config_setting_get_bool(s) != 0;
    if ((s = rd_member(r, g, gp, "scope", false)) != NULL) {
        int k = rd_choice_of(r, s, "targets[].scope", tw_target_scope_names,
                             TW_N_SCOPES);
        t->scope = k < 0 ? TW_SCOPE_REGION : (tw_target_scope)k;
    }
    /* the name is checked against region.counties once the counties are
     * read (check_target_counties) */
    const config_setting_t *cs = rd_member(r, g, gp, "county", false);
    if (cs != NULL && t->scope != TW_SCOPE_COUNTY)
        rd_bad(r, cs, "targets[].county", "a target of scope \"%s\" has no "
               "'county'; remove it, or set scope = \"county\" for one "
               "county's target", tw_target_scope_names[t->scope]);
    else if (cs != NULL && (t->county = strdup(config_setting_get_string(
                                cs))) == NULL)
        tw_error_add(r->err, TW_EFAIL, "out of memory");
    for (size_t j = 0; j < i; j++)
        if (t->name && all[j].name &&
            strcmp(t->name, all[j].name) == 0)
            rd_bad(r, g, "targets[].name", "\"%s\" is used twice",
                   t->name);
    if (t->name && t->name[0] == '\0')
        rd_bad(r, g, "targets[].name", "is empty");
    return 0;
}

static void read_targets(reader *r)
{
    tw_config *c = r->cfg;
    c->targets = rd_list_read(r, "targets", sizeof *c->targets,
                              &c->n_targets, read_target);
}

/* After the structure is read: each county target names one of
 * region.counties, and a county or each_county target needs counties
 * (full mode). */
static void check_target_counties(reader *r)
{
    const tw_config *c = r->cfg;
    const tw_world *w = c->world;
    const config_setting_t *list = rd_get(r, "targets", false);
    for (size_t i = 0; list != NULL && i < c->n_targets; i++) {
        const tw_target *t = &c->targets[i];
        const config_setting_t *g =
            config_setting_get_elem(list, (unsigned)i);
        if (t->scope == TW_SCOPE_REGION || g == NULL)
            continue;
        if (w == NULL || w->n_counties == 0) {
            rd_bad(r, g, "targets[].scope", "target '%s': scope \"%s\" "
                   "needs counties, and this config has none (a markov "
                   "config; counties are in full mode's region.counties)",
                   t->name, tw_target_scope_names[t->scope]);
            continue;
        }
        if (t->scope != TW_SCOPE_COUNTY)
            continue;
        size_t best = 0, best_d = (size_t)-1, k;
        for (k = 0; t->county != NULL && k < w->n_counties; k++) {
            if (strcmp(t->county, w->counties[k].name) == 0)
                break;
            size_t d = tw_levenshtein(t->county, w->counties[k].name);
            if (d < best_d) {
                best_d = d;
                best = k;
            }
        }
        if (t->county != NULL && k < w->n_counties)
            continue;
        char list_s[1024] = "";
        size_t used = 0;
        for (k = 0; k < w->n_counties && used < sizeof list_s; k++)
            used += (size_t)snprintf(list_s + used, sizeof list_s - used,
                                     "%s\"%s\"", k ? ", " : "",
                                     w->counties[k].name);
        if (t->county == NULL)
            rd_bad(r, g, "targets[].county", "target '%s': scope \"county\" "
                   "needs 'county', the county's name: one of %s", t->name,
                   list_s);
        else
            rd_bad(r, config_setting_get_member(g, "county"),
                   "targets[].county", "target '%s': \"%s\" is not one of "
                   "region.counties (did you mean \"%s\"?); use one of %s",
                   t->name, t->county, w->counties[best].name, list_s);
    }
}

static bool valid_scenario_name(const char *v)
{
    if (*v == '\0' || strlen(v) > 64 || strcmp(v, "base") == 0)
        return false;
    for (const char *p = v; *p; p++)
        if (!(((unsigned char)*p >= 'a' && *p <= 'z') ||
              (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '_' || *p == '-'))
            return false;
    return true;
}

/* A scenario's "key.path=value": the key must be a config key one can
 * set, so that a typo shows at once, not only under --scenario (the value
 * is checked when the scenario is loaded: `twsim validate` loads each). */
static void check_set_key(reader *r, const config_setting_t *e,
                          const char *scenario, const char *v)
{
    const char *eq = strchr(v, '=');
    if (eq == NULL || eq == v) {
        rd_bad(r, e, "scenarios[].set", "scenario '%s': \"%s\" is not "
               "key.path=value", scenario, v);
        return;
    }
    char key[512], why[1024];
    snprintf(key, sizeof key, "%.*s", (int)(eq - v), v);
    tw_set_path p;
    if (tw_set_path_parse(key, &p, why, sizeof why) != 0)
        rd_bad(r, e, "scenarios[].set", "scenario '%s': %s", scenario, why);
}

/* Entry i of the list scenarios (group g, path gp) into all[i]. */
static int read_scenario(reader *r, const config_setting_t *g, const char *gp,
                         void *base, size_t i)
{
    tw_scenario *all = base, *sc = &all[i];
    snprintf(sc->where, sizeof sc->where, "%s", rd_at(r, g));
    sc->name = member_str(r, g, gp, "name", true);
    sc->note = member_str(r, g, gp, "note", false);
    if (sc->name && !valid_scenario_name(sc->name))
        rd_bad(r, g, "scenarios[].name", "\"%s\": use 1 to 64 letters, "
               "digits, _ or -, and not \"base\" (the config itself)",
               sc->name);
    for (size_t j = 0; j < i; j++)
        if (sc->name && all[j].name &&
            strcmp(sc->name, all[j].name) == 0)
            rd_bad(r, g, "scenarios[].name", "\"%s\" is used twice",
                   sc->name);
    const config_setting_t *set = rd_member(r, g, gp, "set", true);
    if (set == NULL)
        return 0;
    size_t m = (size_t)config_setting_length(set);
    sc->sets = calloc(m ? m : 1, sizeof *sc->sets);
    sc->set_where = calloc(m ? m : 1, sizeof *sc->set_where);
    if (sc->sets == NULL || sc->set_where == NULL) {
        tw_error_add(r->err, TW_EFAIL, "out of memory");
        return -1;
    }
    for (size_t j = 0; j < m; j++) {
        const config_setting_t *e = config_setting_get_elem(set,
                                                            (unsigned)j);
        const char *v = config_setting_get_string(e);
        sc->sets[j] = strdup(v);
        sc->set_where[j] = strdup(rd_at(r, e));
        if (sc->sets[j] == NULL || sc->set_where[j] == NULL) {
            free(sc->sets[j]);
            free(sc->set_where[j]);
            tw_error_add(r->err, TW_EFAIL, "out of memory");
            return -1;
        }
        sc->n_sets = j + 1;
        check_set_key(r, e, sc->name, v);
    }
    return 0;
}

static void read_scenarios(reader *r)
{
    tw_config *c = r->cfg;
    c->scenarios = rd_list_read(r, "scenarios", sizeof *c->scenarios,
                                &c->n_scenarios, read_scenario);
}

/* Entry i of the list costs (group g, path gp) into all[i]. Whether the
 * lever is varied is optimize's to check (it knows the --lever keys). */
static int read_cost(reader *r, const config_setting_t *g, const char *gp,
                     void *base, size_t i)
{
    tw_cost *all = base, *k = &all[i];
    snprintf(k->where, sizeof k->where, "%s", rd_at(r, g));
    k->lever = member_str(r, g, gp, "lever", true);
    k->unit = member_str(r, g, gp, "unit", true);
    k->source = member_str(r, g, gp, "source", true);
    k->note = member_str(r, g, gp, "note", false);
    const config_setting_t *s = rd_member(r, g, gp, "per_unit", true);
    if (s != NULL) {
        k->per_unit = rd_num(s);
        if (!(k->per_unit >= 0) || !isfinite(k->per_unit))
            rd_bad(r, s, "costs[].per_unit", "%g: a cost must be a finite "
                   "number >= 0", k->per_unit);
    }
    if (k->lever && k->lever[0] == '\0')
        rd_bad(r, g, "costs[].lever", "is empty");
    for (size_t j = 0; k->lever && j < i; j++)
        if (all[j].lever && strcmp(all[j].lever, k->lever) == 0)
            rd_bad(r, g, "costs[].lever", "\"%s\" has a cost twice (also "
                   "at %s)", k->lever, all[j].where);
    return 0;
}

static void read_costs(reader *r)
{
    tw_config *c = r->cfg;
    c->costs = rd_list_read(r, "costs", sizeof *c->costs, &c->n_costs,
                            read_cost);
}

/* ------------------------------------------------------------------ */
/* Uncertain settings                                                  */
/* ------------------------------------------------------------------ */

const char *const tw_unc_dist_names[4] = {"uniform", "triangular", "normal",
                                          "beta"};
static const int DIST_ARITY[4] = {2, 3, 2, 2};
static const char *const DIST_WORDS[4] = {
    "[lo, hi]", "[lo, mode, hi]", "[mean, sd]", "[mean, sd]"};
static const char *const DESIGN_NAMES[2] = {"lhs", "sobol"};

/* The key side of "key=value" (or the whole of s without '=') parsed;
 * false when it does not parse (reported elsewhere). */
static bool lhs_path(const char *s, tw_set_path *p)
{
    char key[600], why[1024];
    const char *eq = strchr(s, '=');
    size_t n = eq ? (size_t)(eq - s) : strlen(s);
    snprintf(key, sizeof key, "%.*s", (int)n, s);
    return tw_set_path_parse(key, p, why, sizeof why) == 0;
}

/* Could two paths address the same value? Conservative: the same key with
 * overlapping elements, unless they name different counties or different
 * timeline entries. */
static bool paths_overlap(const tw_set_path *a, const tw_set_path *b)
{
    if (strcmp(a->key, b->key) != 0)
        return false;
    if (a->index >= 0 && b->index >= 0 && a->index != b->index)
        return false;
    if (a->elem >= 0 && b->elem >= 0 && a->elem != b->elem)
        return false; /* different elements of a list of groups */
    if (a->form == b->form && a->form != TW_SET_KEY &&
        strcmp(a->scope, b->scope) != 0)
        return false;
    return true;
}

/* Entry i of uncertainty.settings (group g, path gp) into all[i]. */
static int read_unc(reader *r, const config_setting_t *g, const char *gp,
                    void *base, size_t i)
{
    tw_uncertain *all = base, *u = &all[i];
    snprintf(u->where, sizeof u->where, "%s", rd_at(r, g));
    u->key = member_str(r, g, gp, "key", true);
    u->why = member_str(r, g, gp, "why", true);
    u->rest = -1;
    u->dist = -1;
    /* a missing why is reported by member_str; an empty one here */
    if (u->why && u->why[0] == '\0' &&
        config_setting_get_member((config_setting_t *)g, "why") != NULL)
        rd_bad(r, g, "uncertainty.settings[].why", "is empty: give the "
               "source of the range or the reasoning behind it");
    const config_setting_t *d = NULL;
    for (int k = 0; k < 4; k++) {
        const config_setting_t *s = config_setting_get_member(
            (config_setting_t *)g, tw_unc_dist_names[k]);
        if (s == NULL)
            continue;
        if (d != NULL) {
            rd_bad(r, s, "uncertainty.settings[]", "gives two distributions "
                   "(%s and %s); give one", tw_unc_dist_names[u->dist],
                   tw_unc_dist_names[k]);
            continue;
        }
        d = s;
        u->dist = k;
    }
    if (d == NULL) {
        rd_bad(r, g, "uncertainty.settings[]", "gives no distribution: add "
               "one of uniform = [lo, hi], triangular = [lo, mode, hi], "
               "normal = [mean, sd] or beta = [mean, sd]");
    } else {
        char path[64];
        snprintf(path, sizeof path, "uncertainty.settings[].%s",
                 tw_unc_dist_names[u->dist]);
        size_t n = (size_t)DIST_ARITY[u->dist];
        if (rd_floats_at(r, d, path, n, -HUGE_VAL, HUGE_VAL, u->p)) {
            const double *p = u->p;
            bool finite = true;
            for (size_t k = 0; k < n; k++)
                finite = finite && isfinite(p[k]);
            if (!finite)
                rd_bad(r, d, path, "has a number that is not finite");
            else if ((u->dist == 0 && p[1] < p[0]) ||
                     (u->dist == 1 && p[2] < p[0]))
                rd_bad(r, d, path, "is reversed: %g > %g; write %s %s",
                       p[0], p[n - 1], tw_unc_dist_names[u->dist],
                       DIST_WORDS[u->dist]);
            else if (u->dist == 1 && (p[1] < p[0] || p[1] > p[2]))
                rd_bad(r, d, path, "the mode %g is not between %g and %g",
                       p[1], p[0], p[2]);
            else if (u->dist >= 2 && p[1] < 0)
                rd_bad(r, d, path, "the standard deviation %g is negative",
                       p[1]);
        }
    }
    const config_setting_t *rs = rd_member(r, g, gp, "rest", false);
    if (rs != NULL) {
        int64_t v = config_setting_get_int64(rs);
        if (v < 0 || v > 1000000)
            rd_bad(r, rs, "uncertainty.settings[].rest", "%lld is not an "
                   "element index", (long long)v);
        else
            u->rest = (long)v;
    }
    if (u->key == NULL || u->key[0] == '\0') {
        if (u->key)
            rd_bad(r, g, "uncertainty.settings[].key", "is empty");
        return 0;
    }
    tw_set_path p;
    char why[1024];
    const config_setting_t *ks = rd_member(r, g, gp, "key", false);
    if (strchr(u->key, '=') != NULL || strchr(u->key, '@') != NULL) {
        rd_bad(r, ks, "uncertainty.settings[].key", "\"%s\": give the key "
               "alone (no =value; for a value from a year on, use the "
               "timeline entry's path timeline.NAME.set.KEY)", u->key);
        return 0;
    }
    if (tw_set_path_parse(u->key, &p, why, sizeof why) != 0) {
        rd_bad(r, ks, "uncertainty.settings[].key", "\"%s\": %s", u->key,
               why);
        return 0;
    }
    key_kind kind = tw_set_path_kind(&p);
    if (kind != K_INT && kind != K_FLOAT) {
        rd_bad(r, ks, "uncertainty.settings[].key", "\"%s\" takes %s; a "
               "distribution needs a number (for an array, give an element: "
               "%s[i])", u->key, tw_schema_kind_words(kind), u->key);
        return 0;
    }
    u->integer = kind == K_INT;
    /* the runs use the range's central value, not the config's own: say
     * so when they differ (a plain key; not for a point's own load) */
    double mine[64];
    size_t n_own = 0;
    if (u->dist >= 0 && r->src->n_draws == 0 &&
        tw_set_numbers_at(r->src, r->cfg->mode == TW_MODE_FULL, u->key, mine,
                          64, &n_own, NULL) == TW_OK && n_own >= 1) {
        tw_dist dd = {.kind = (tw_dist_kind)u->dist, .integer = u->integer,
                      .lo = -HUGE_VAL, .hi = HUGE_VAL};
        memcpy(dd.p, u->p, sizeof dd.p);
        double c = tw_dist_central(&dd);
        bool same = true;
        /* a midpoint may differ from the written value in its last bits */
        for (size_t k = 0; k < n_own && k < 64; k++)
            same = same && fabs(mine[k] - c) <= 1e-9 * fmax(1, fabs(c));
        if (!same)
            tw_config_note((tw_config_src *)r->src, "%s: uncertain %s: the "
                           "runs use the range's central value %g, not the "
                           "config's %g", u->where, u->key, c, mine[0]);
    }
    if (u->rest >= 0 && p.index < 0)
        rd_bad(r, rs, "uncertainty.settings[].rest", "needs an element of a "
               "share array as the key (KEY[i]); \"%s\" is not one", u->key);
    else if (u->rest >= 0 && p.index == u->rest)
        rd_bad(r, rs, "uncertainty.settings[].rest", "%ld is the element "
               "drawn itself; name another element of the array", u->rest);
    if (strncmp(p.key, "simulation.", 11) == 0 ||
        strncmp(p.key, "region.", 7) == 0)
        rd_bad(r, ks, "uncertainty.settings[].key", "\"%s\" is part of the "
               "run's set-up, not of the model: it cannot be uncertain",
               u->key);
    for (size_t j = 0; j < i; j++) {
        tw_set_path q;
        if (all[j].key && lhs_path(all[j].key, &q) && paths_overlap(&p, &q))
            rd_bad(r, ks, "uncertainty.settings[].key", "\"%s\" overlaps "
                   "the uncertain setting \"%s\" at %s: give each value "
                   "one distribution", u->key, all[j].key, all[j].where);
    }
    /* a value drawn per point cannot also be fixed by a scenario or by
     * the command line (other than by a point's own draws) */
    const tw_config *c = r->cfg;
    for (size_t k = 0; k < c->n_scenarios; k++)
        for (size_t j = 0; j < c->scenarios[k].n_sets; j++) {
            tw_set_path q;
            if (lhs_path(c->scenarios[k].sets[j], &q) &&
                paths_overlap(&p, &q))
                tw_error_add(r->err, TW_EINPUT, "%s: scenario '%s' sets "
                             "\"%s\", which is uncertain (%s): a value drawn "
                             "per point cannot also be a scenario's; drop "
                             "one of them", c->scenarios[k].set_where[j],
                             c->scenarios[k].name, c->scenarios[k].sets[j],
                             u->where);
        }
    size_t own = c->n_overrides - r->src->n_draws;
    for (size_t j = 0; j < own; j++) {
        tw_set_path q;
        if (lhs_path(c->overrides[j], &q) && paths_overlap(&p, &q))
            tw_error_add(r->err, TW_EINPUT, "--set %s: \"%s\" is uncertain "
                         "(%s): a value drawn per point cannot also be set; "
                         "drop the --set, or the uncertain setting",
                         c->overrides[j], u->key, u->where);
    }
    return 0;
}

static void read_uncertainty(reader *r)
{
    tw_config *c = r->cfg;
    c->unc_per_point = TW_UNC_PER_POINT;
    const config_setting_t *g = rd_get(r, "uncertainty", false);
    if (g == NULL)
        return;
    snprintf(c->unc_where, sizeof c->unc_where, "%s", rd_at(r, g));
    if (rd_get(r, "uncertainty.design", false) != NULL) {
        int d = rd_choice(r, "uncertainty.design", DESIGN_NAMES, 2);
        c->unc_design = d > 0 ? d : 0;
    }
    int64_t pp = TW_UNC_PER_POINT;
    if (rd_int(r, "uncertainty.per_point", false, 1, 100000, &pp))
        c->unc_per_point = (uint32_t)pp;
    c->unc = rd_list_read(r, "uncertainty.settings", sizeof *c->unc,
                          &c->n_unc, read_unc);
    if (c->n_unc == 0 && c->unc != NULL) {
        free(c->unc);
        c->unc = NULL;
    }
}

static const char *const MODE_NAMES[TW_N_MODES] = {"markov", "full"};
static const char *const RECRUIT_NAMES[TW_N_RECRUIT_MODES] = {
    "none", "replace", "quota"};

const char *tw_mode_name(tw_mode m)
{
    return (unsigned)m < TW_N_MODES ? MODE_NAMES[m] : "?";
}

const char *tw_recruit_mode_name(tw_recruit_mode m)
{
    return (unsigned)m < TW_N_RECRUIT_MODES ? RECRUIT_NAMES[m] : "?";
}

static void read_simulation(reader *r)
{
    tw_config *c = r->cfg;
    int mode = rd_choice(r, "simulation.mode", MODE_NAMES, TW_N_MODES);
    if (mode >= 0)
        c->mode = (tw_mode)mode;
    int64_t base = 0, end = 0, reps = 0, seed = 0;
    bool have_base = rd_int(r, "simulation.base_year", true, 1900, 2200,
                             &base);
    bool have_end = rd_int(r, "simulation.end_year", true, 1900, 2200, &end);
    if (have_base && have_end && end <= base) {
        rd_bad(r, rd_get(r, "simulation.end_year", true), "simulation.end_year",
            "%lld is not after base_year %lld; years must be in order",
            (long long)end, (long long)base);
    }
    c->base_year = (int)base;
    c->end_year = (int)end;
    if (rd_int(r, "simulation.replicates", true, 1, 10000000, &reps))
        c->replicates = (uint32_t)reps;
    if (rd_int(r, "simulation.seed", true, 0, INT64_MAX, &seed))
        c->seed = (uint64_t)seed;
}

static void read_tiers(reader *r)
{
    tw_config *c = r->cfg;
    const config_setting_t *names = rd_get(r, "tiers.names", true);
    if (names != NULL) {
        int n = config_setting_length(names);
        if (n < 1 || n > TW_MAX_TIERS) {
            rd_bad(r, names, "tiers.names", "%d tiers; there must be 1 to %d", n,
                TW_MAX_TIERS);
        } else {
            for (int i = 0; i < n; i++) {
                const char *v = config_setting_get_string_elem(names, i);
                c->tier_names[i] = strdup(v);
                if (c->tier_names[i] == NULL) {
                    tw_error_add(r->err, TW_EFAIL, "out of memory");
                    return;
                }
                c->n_tiers = (size_t)i + 1;
                if (v[0] == '\0')
                    rd_bad(r, names, "tiers.names", "tier %d has an empty name",
                        i);
                else if (!tw_utf8_valid(v))
                    rd_bad(r, names, "tiers.names",
                        "tier %d's name is not valid UTF-8 (save the file "
                        "as UTF-8)", i);
                else if (strlen(v) >= 96)
                    rd_bad(r, names, "tiers.names",
                        "tier %d's name is longer than 95 bytes", i);
                /* a name listed twice: the schema check */
            }
        }
    }
    if (c->mode != TW_MODE_MARKOV)
        return;
    size_t nt = c->n_tiers;
    const config_setting_t *m = rd_get(r, "tiers.transition", true);
    if (m != NULL && nt > 0) {
        size_t rows = (size_t)config_setting_length(m);
        if (rows != nt)
            rd_bad(r, m, "tiers.transition",
                "has %zu rows but there are %zu tiers; it must be %zu x %zu",
                rows, nt, nt, nt);
        for (size_t i = 0; i < rows && i < nt; i++) {
            const config_setting_t *row = config_setting_get_elem(m, (unsigned)i);
            size_t cols = (size_t)config_setting_length(row);
            if (cols != nt) {
                rd_bad(r, row, "tiers.transition",
                    "row %zu (%s) has %zu entries; it must have %zu, one per "
                    "tier", i, c->tier_names[i], cols, nt);
                continue;
            }
            double sum = 0;
            for (size_t j = 0; j < nt; j++) {
                double p = rd_num(config_setting_get_elem(row, (unsigned)j));
                c->transition[i][j] = p;
                if (!(p >= 0.0 && p <= 1.0))
                    rd_bad(r, row, "tiers.transition",
                        "row %zu, column %zu: %g is not a probability "
                        "(0 to 1)", i, j, p);
                sum += p;
            }
            if (sum > 1.0 + 1e-9)
                rd_bad(r, row, "tiers.transition",
                    "row %zu (%s) sums to %.6g; a row is the chance of "
                    "moving to each tier, 1 minus its sum is the chance of "
                    "leaving, so it cannot exceed 1", i, c->tier_names[i],
                    sum);
        }
    }
}

static void read_teachers(reader *r)
{
    tw_config *c = r->cfg;
    const config_setting_t *s = rd_get(r, "teachers.tier_counts", true);
    if (s == NULL || c->n_tiers == 0)
        return;
    size_t n = (size_t)config_setting_length(s);
    if (n != c->n_tiers) {
        rd_bad(r, s, "teachers.tier_counts",
            "has %zu counts but there are %zu tiers", n, c->n_tiers);
        return;
    }
    int64_t total = 0;
    for (size_t i = 0; i < n; i++) {
        int64_t v = config_setting_get_int64(
            config_setting_get_elem(s, (unsigned)i));
        if (v < 0 || v > 100000000) {
            rd_bad(r, s, "teachers.tier_counts",
                "count %zu (%s) is %lld; counts must be 0 to 100000000", i,
                c->tier_names[i], (long long)v);
            continue;
        }
        c->tier_counts[i] = v;
        total += v;
    }
    if (total > 100000000)
        rd_bad(r, s, "teachers.tier_counts",
            "%lld teachers in all; at most 100000000 are supported",
            (long long)total);
}

static void read_recruitment(reader *r)
{
    tw_config *c = r->cfg;
    int mode = rd_choice(r, "recruitment.mode", RECRUIT_NAMES,
                          TW_N_RECRUIT_MODES);
    if (mode < 0)
        return;
    c->recruit_mode = (tw_recruit_mode)mode;
    if (c->recruit_mode == TW_RECRUIT_NONE)
        return;
    const config_setting_t *e = rd_get(r, "recruitment.entry_tier", true);
    if (e != NULL && c->n_tiers > 0) {
        const char *v = config_setting_get_string(e);
        size_t best_d, best = tw_nearest(v, (const char *const *)c->tier_names,
                                         c->n_tiers, &best_d);
        if (best_d == 0)
            c->entry_tier = best;
        else
            rd_bad(r, e, "recruitment.entry_tier",
                "\"%s\" is not one of tiers.names (did you mean \"%s\"?)", v,
                c->tier_names[best]);
    }
    if (c->recruit_mode == TW_RECRUIT_QUOTA)
        rd_int(r, "recruitment.annual_quota", true, 0, 100000000,
                &c->annual_quota);
}

/* ------------------------------------------------------------------ */
/* Loading                                                             */
/* ------------------------------------------------------------------ */

static char *slurp(const char *path, tw_error *err)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        tw_error_set(err, TW_EINPUT, "%s: cannot open the config file: %s",
                     path, strerror(errno));
        return NULL;
    }
    size_t cap = 4096, len = 0;
    char *buf = malloc(cap);
    while (buf != NULL) {
        len += fread(buf + len, 1, cap - len - 1, f);
        if (len < cap - 1)
            break;
        char *nb = realloc(buf, cap *= 2);
        if (nb == NULL) {
            free(buf);
            buf = NULL;
        } else {
            buf = nb;
        }
    }
    bool ioerr = ferror(f);
    fclose(f);
    if (buf == NULL) {
        tw_error_set(err, TW_EFAIL, "%s: out of memory reading it", path);
        return NULL;
    }
    if (ioerr) {
        free(buf);
        tw_error_set(err, TW_EINPUT, "%s: cannot read the config file", path);
        return NULL;
    }
    buf[len] = '\0';
    if (strlen(buf) != len) {
        free(buf);
        tw_error_set(err, TW_EINPUT,
                     "%s: this is not a text file (it contains NUL bytes)",
                     path);
        return NULL;
    }
    return buf;
}

static char *write_effective(config_t *lc)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (f == NULL)
        return NULL;
    config_write(lc, f);
    if (fclose(f) != 0) {
        free(buf);
        return NULL;
    }
    return buf;
}

static void src_free(tw_config_src *src)
{
    if (src == NULL)
        return;
    config_destroy(&src->lc);
    for (size_t i = 0; i < src->n_gone; i++)
        free(src->gone[i].name);
    free(src->gone);
    for (size_t i = 0; i < src->n_set; i++)
        free(src->set_paths[i]);
    free(src->set_paths);
    free(src->set_args);
    tw_strings_free(src->notes, src->n_notes);
    free(src);
}

void tw_config_free(tw_config *cfg)
{
    if (cfg == NULL)
        return;
    src_free(cfg->src);
    tw_strings_free(cfg->overrides, cfg->n_overrides);
    tw_world_free(cfg->world);
    tw_targets_free(cfg->targets, cfg->n_targets);
    TW_FREE(cfg->path, cfg->text, cfg->effective, cfg->sources,
            cfg->region_name, cfg->by_year);
    tw_strings_free(cfg->notes, cfg->n_notes);
    for (size_t i = 0; i < cfg->n_scenarios; i++) {
        tw_scenario *sc = &cfg->scenarios[i];
        free(sc->name);
        free(sc->note);
        for (size_t j = 0; j < sc->n_sets; j++) {
            free(sc->sets[j]);
            free(sc->set_where[j]);
        }
        free(sc->sets);
        free(sc->set_where);
    }
    free(cfg->scenarios);
    for (size_t i = 0; i < cfg->n_costs; i++)
        TW_FREE(cfg->costs[i].lever, cfg->costs[i].unit,
                cfg->costs[i].source, cfg->costs[i].note);
    free(cfg->costs);
    for (size_t i = 0; i < cfg->n_unc; i++)
        TW_FREE(cfg->unc[i].key, cfg->unc[i].why);
    TW_FREE(cfg->unc, cfg->scenario, cfg->draw_range);
    for (size_t i = 0; i < cfg->n_tiers; i++)
        free(cfg->tier_names[i]);
    free(cfg);
}

/* Step 1: parse `path` (and its @include files) into src->lc. */
static int parse_file(tw_config_src *src, const char *path, tw_error *err)
{
    /* @include paths are relative to the main file's directory. */
    char *dir = tw_config_include_dir(path);
    if (dir == NULL)
        return tw_error_set(err, TW_EFAIL, "out of memory");
    config_set_include_dir(&src->lc, dir);
    free(dir);
    if (config_read_file(&src->lc, path) == CONFIG_TRUE)
        return TW_OK;
    const char *efile = config_error_file(&src->lc);
    const char *etext = config_error_text(&src->lc);
    int eline = config_error_line(&src->lc);
    if (config_error_type(&src->lc) == CONFIG_ERR_FILE_IO)
        return tw_error_set(err, TW_EINPUT, "%s: cannot read the config "
                            "file or one of its @include files (%s)",
                            efile ? efile : path, etext ? etext : "I/O error");
    if (etext && strstr(etext, "include file") != NULL &&
        strstr(etext, "nesting") == NULL) {
        char line[512] = "";
        FILE *f = efile ? fopen(efile, "r") : NULL;
        for (int i = 0; f && i < eline && fgets(line, sizeof line, f); i++)
            ;
        if (f)
            fclose(f);
        line[strcspn(line, "\r\n")] = '\0';
        return tw_error_set(err, TW_EINPUT,
                            "%s:%d: %s: %s (@include paths are relative to "
                            "the main config's directory)",
                            efile ? efile : path, eline, etext, line);
    }
    bool nesting = etext && strstr(etext, "nesting") != NULL;
    return tw_error_set(err, TW_EINPUT, "%s:%d: %s (%s)",
                        efile ? efile : path, eline,
                        etext ? etext : "syntax error",
                        nesting ? "is there an @include cycle? at most 10 "
                                  "levels of @include are allowed"
                                : "the file is not valid libconfig syntax "
                                  "near this line; see docs/config.md");
}

static int load(const char *path, const char *const *overrides,
                size_t n_overrides, size_t n_draws, tw_config **out,
                tw_error *err)
{
    *out = NULL;
    tw_error_clear(err);
    tw_config *c = calloc(1, sizeof *c);
    tw_config_src *src = calloc(1, sizeof *src);
    if (c == NULL || src == NULL) {
        free(c);
        free(src);
        return tw_error_set(err, TW_EFAIL, "out of memory");
    }
    config_init(&src->lc);
    c->src = src;
    c->path = strdup(path);
    c->overrides = calloc(n_overrides + 1, sizeof *c->overrides);
    src->set_paths = calloc(n_overrides + 1, sizeof *src->set_paths);
    src->set_args = calloc(n_overrides + 1, sizeof *src->set_args);
    src->path = c->path;
    src->n_draws = n_draws;
    c->unc_fixed = n_draws > 0;
    if (n_draws > 0 &&
        (c->draw_range = malloc(2 * n_draws * sizeof *c->draw_range)) !=
            NULL)
        for (size_t i = 0; i < n_draws; i++) {
            c->draw_range[2 * i] = -HUGE_VAL;
            c->draw_range[2 * i + 1] = HUGE_VAL;
        }
    if ((n_draws > 0 && c->draw_range == NULL) || c->path == NULL || c->overrides == NULL || src->set_paths == NULL ||
        src->set_args == NULL) {
        tw_config_free(c);
        return tw_error_set(err, TW_EFAIL, "out of memory");
    }
    for (size_t i = 0; i < n_overrides; i++) {
        c->overrides[i] = strdup(overrides[i]);
        if (c->overrides[i] == NULL) {
            tw_config_free(c);
            return tw_error_set(err, TW_EFAIL, "out of memory");
        }
        c->n_overrides = i + 1;
    }

    /* what libconfig 1.5 would misread or could not bound: config_guard.h */
    int rc = tw_config_guard_file(path, &c->sources, &c->n_sources, err);
    if (rc == TW_OK && (c->text = slurp(path, err)) == NULL)
        rc = err ? err->code : TW_EINPUT;
    if (rc == TW_OK)
        rc = parse_file(src, path, err);
    if (rc == TW_OK) {
        const config_setting_t *tl = config_lookup(&src->lc, "timeline");
        src->n_tl_own = tl && config_setting_is_list(tl)
                            ? (size_t)config_setting_length(tl) : 0;
    }
    /* From here on every problem is collected in one pass: a bad --set,
     * an unknown key or a wrong type does not hide a value out of range
     * elsewhere. Only a file that does not parse (above) or running out of
     * memory stops early. */
    for (size_t i = 0; rc == TW_OK && i < n_overrides; i++)
        if (apply_override(src, c->overrides[i], err) == TW_EFAIL)
            rc = TW_EFAIL;
    int mode_bits = M_BOTH;
    if (rc == TW_OK) {
        const char *m = NULL;
        if (config_lookup_string(&src->lc, "simulation.mode", &m)) {
            if (strcmp(m, "markov") == 0)
                mode_bits = M_MARKOV;
            else if (strcmp(m, "full") == 0)
                mode_bits = M_FULL;
        }
        tw_schema_check(src, mode_bits, err);
        if (err && err->code == TW_EFAIL)
            rc = TW_EFAIL;
    }
    if (rc == TW_OK) {
        static const char *const markov_sections[] = {
            "simulation", "tiers", "teachers", "recruitment", NULL};
        static const char *const full_sections[] = {
            "region", "simulation", "tiers", "schools", "staffing",
            "population", "deaths", "retirement", "exit", "evaluation",
            "titles", "quals", "dual", "rotation", "recruitment", NULL};
        reader r = {.src = src, .cfg = c, .err = err, .county = -1};
        if (mode_bits == M_FULL)
            c->mode = TW_MODE_FULL; /* rd_get falls back on national */
        for (const char *const *sec = mode_bits == M_FULL ? full_sections
                                                           : markov_sections;
             *sec; sec++)
            rd_get(&r, *sec, true);
        const config_setting_t *name = rd_get(&r, "region.name", false);
        c->region_name = strdup(name ? config_setting_get_string(name) : "");
        const config_setting_t *script = rd_get(&r, "region.script", false);
        int sc = script ? rd_choice_of(&r, script, "region.script",
                                       tw_script_names, TW_N_SCRIPTS)
                        : TW_SCRIPT_SIMPLIFIED;
        c->script = sc >= 0 ? (tw_script)sc : TW_SCRIPT_SIMPLIFIED;
        read_simulation(&r);
        read_tiers(&r);
        read_targets(&r);
        read_scenarios(&r);
        read_costs(&r);
        read_uncertainty(&r);
        if (mode_bits == M_FULL && c->mode == TW_MODE_FULL) {
            if (err == NULL || err->code != TW_EFAIL)
                tw_config_read_full(&r);
        } else {
            read_teachers(&r);
            read_recruitment(&r);
            if (c->mode == TW_MODE_MARKOV && c->end_year > c->base_year &&
                (c->by_year = tw_config_by_year(&r, 0, NULL)) == NULL)
                tw_error_add(err, TW_EFAIL, "out of memory");
        }
        if (err == NULL || err->code != TW_EFAIL)
            check_target_counties(&r);
        free(r.seen);
        if (err && err->code != TW_OK)
            rc = err->code;
        else if (c->region_name == NULL)
            rc = tw_error_set(err, TW_EFAIL, "out of memory");
    }
    if (rc == TW_OK && err && err->code != TW_OK)
        rc = err->code;
    if (rc == TW_OK) {
        c->effective = write_effective(&src->lc);
        if (c->effective == NULL)
            rc = tw_error_set(err, TW_EFAIL, "out of memory");
    }
    if (rc != TW_OK) {
        tw_config_free(c);
        return rc;
    }
    /* the lines about overridden timeline entries move to the config */
    c->notes = src->notes;
    c->n_notes = src->n_notes;
    src->notes = NULL;
    src->n_notes = 0;
    *out = c;
    return TW_OK;
}

int tw_config_load(const char *path, const char *const *overrides,
                   size_t n_overrides, tw_config **out, tw_error *err)
{
    return load(path, overrides, n_overrides, 0, out, err);
}

int tw_config_load_point(const tw_config *cfg, const char *const *draws,
                         size_t n_draws, tw_config **out, tw_error *err)
{
    size_t n = cfg->n_overrides + n_draws;
    const char **all = calloc(n ? n : 1, sizeof *all);
    if (all == NULL) {
        *out = NULL;
        return tw_error_set(err, TW_EFAIL, "out of memory");
    }
    for (size_t i = 0; i < cfg->n_overrides; i++)
        all[i] = cfg->overrides[i];
    for (size_t i = 0; i < n_draws; i++)
        all[cfg->n_overrides + i] = draws[i];
    int rc = load(cfg->path, all, n, n_draws, out, err);
    free(all);
    if (rc == TW_OK && cfg->scenario != NULL &&
        ((*out)->scenario = strdup(cfg->scenario)) == NULL) {
        tw_config_free(*out);
        *out = NULL;
        rc = tw_error_set(err, TW_EFAIL, "out of memory");
    }
    return rc;
}

/*
 * Make every line of err name scenario `sc`: a line about one of its set
 * entries ("--set key=value: ...") is pointed at that entry's file:line;
 * any other line gets "(in scenario 'NAME', file:line)" at its end. The
 * closing "... and N more problems" is left as it is.
 */
static void name_scenario(tw_error *err, const tw_scenario *sc)
{
    char out[TW_ERROR_MSG_MAX];
    size_t used = 0;
    const char *p = err->msg;
    while (*p && used + 1 < sizeof out) {
        size_t n = strcspn(p, "\n"), k = 0;
        const char *rest = p;
        for (size_t j = 0; j < sc->n_sets; j++) {
            size_t len = strlen(sc->sets[j]);
            if (strncmp(p, "--set ", 6) == 0 && 6 + len + 1 <= n &&
                strncmp(p + 6, sc->sets[j], len) == 0 && p[6 + len] == ':') {
                k = j + 1;
                rest = p + 6 + len;
            }
        }
        int w;
        if (k > 0)
            w = snprintf(out + used, sizeof out - used, "%s%s: scenario "
                         "'%s': set \"%s\"%.*s", used ? "\n" : "",
                         sc->set_where[k - 1], sc->name, sc->sets[k - 1],
                         (int)(n - (size_t)(rest - p)), rest);
        else if (strncmp(p, "... and ", 8) == 0)
            w = snprintf(out + used, sizeof out - used, "%s%.*s",
                         used ? "\n" : "", (int)n, p);
        else
            w = snprintf(out + used, sizeof out - used, "%s%.*s (in scenario "
                         "'%s', %s)", used ? "\n" : "", (int)n, p, sc->name,
                         sc->where);
        if (w < 0 || used + (size_t)w >= sizeof out)
            break; /* keep the whole lines that fit */
        used += (size_t)w;
        p += n;
        if (*p == '\n')
            p++;
    }
    out[used] = '\0';
    memcpy(err->msg, out, used + 1);
}

int tw_config_load_scenario(const char *path, const char *scenario,
                            const char *const *overrides, size_t n_overrides,
                            tw_config **out, tw_error *err)
{
    *out = NULL;
    tw_config *base = NULL;
    int rc = tw_config_load(path, overrides, n_overrides, &base, err);
    if (rc != TW_OK || scenario == NULL || strcmp(scenario, "base") == 0) {
        *out = base;
        return rc;
    }
    const tw_scenario *sc = NULL;
    for (size_t i = 0; i < base->n_scenarios; i++)
        if (strcmp(base->scenarios[i].name, scenario) == 0)
            sc = &base->scenarios[i];
    if (sc == NULL) {
        char list[512] = "base";
        size_t used = strlen(list);
        for (size_t i = 0; i < base->n_scenarios && used < sizeof list; i++)
            used += (size_t)snprintf(list + used, sizeof list - used, ", %s",
                                     base->scenarios[i].name);
        rc = tw_error_set(err, TW_EINPUT, "%s: no scenario '%s' (the config "
                          "has: %s)", path, scenario, list);
        tw_config_free(base);
        return rc;
    }
    size_t n = sc->n_sets + n_overrides;
    const char **all = calloc(n ? n : 1, sizeof *all);
    if (all == NULL) {
        tw_config_free(base);
        return tw_error_set(err, TW_EFAIL, "out of memory");
    }
    for (size_t i = 0; i < sc->n_sets; i++)
        all[i] = sc->sets[i];
    for (size_t i = 0; i < n_overrides; i++)
        all[sc->n_sets + i] = overrides[i];
    rc = tw_config_load(path, all, n, out, err);
    if (rc != TW_OK && err != NULL)
        name_scenario(err, sc);
    if (rc == TW_OK && ((*out)->scenario = strdup(scenario)) == NULL) {
        tw_config_free(*out);
        *out = NULL;
        rc = tw_error_set(err, TW_EFAIL, "out of memory");
    }
    free(all);
    tw_config_free(base);
    return rc;
}
