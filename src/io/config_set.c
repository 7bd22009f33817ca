/*
 * config_set.c - the paths a --set (a scenario's `set`, a lever of
 * optimize and sweep) may address, and how it wins over the timeline.
 *
 *   KEY=V                    V in every year
 *   KEY[i]=V                 element i of a number array
 *   KEY@YEAR=V, KEY[i]@YEAR=V   from YEAR on
 *   county.NAME.KEY=V        one county's value (a county-level key),
 *                            also with [i] and @YEAR
 *   timeline.NAME.set.KEY=V  a value in the timeline entry named NAME,
 *                            also with [i]
 *   LIST[i].KEY=V            key KEY of element i of a list of groups
 *                            (population.stages[0].female), also with [j];
 *                            LIST[*].KEY: of every element. The base
 *                            config only: no @YEAR, county. or timeline.
 *
 * The rule: the command line wins over the config's timeline, for its key,
 * in the years it covers. It is applied by rewriting the tree, so that the
 * effective config (/config/effective) reproduces the run:
 *
 *   KEY=V        sets the base value and takes KEY out of every timeline
 *                entry that sets it (an element: patches it there too);
 *   KEY@YEAR=V   appends an entry { year = YEAR; set = { KEY = V; }; }
 *                after the config's own, and takes KEY out of the entries
 *                of YEAR and later;
 *   county.NAME  appends an entry for county NAME alone; an entry of a
 *                later year that sets KEY for NAME and other counties too
 *                gets a copy for NAME after it (see tw_set_entry_is_cmd).
 *
 * Each timeline entry of the config's own that loses a key this way gives
 * one line in src->notes, with its file:line.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_priv.h"
#include "tw_mem.h"
#include "tw_world.h"

/* ------------------------------------------------------------------ */
/* The path                                                            */
/* ------------------------------------------------------------------ */

static bool all_digits(const char *s, size_t n)
{
    if (n == 0)
        return false;
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

static bool is_num_array(key_kind k)
{
    return k == K_INT_ARRAY || k == K_FLOAT_ARRAY;
}

/* " (did you mean ...)" for an unknown schema key. */
static void key_hint(const char *key, char *hint, size_t cap)
{
    char parent[256];
    snprintf(parent, sizeof parent, "%s", key);
    char *dot = strrchr(parent, '.');
    const char *leaf = strrchr(key, '.') ? strrchr(key, '.') + 1 : key;
    if (dot)
        *dot = '\0';
    else
        parent[0] = '\0';
    const key_spec *ps = *parent ? tw_schema_find(parent) : NULL;
    if (ps != NULL && is_num_array(ps->kind) &&
        all_digits(leaf, strlen(leaf))) {
        snprintf(hint, cap, " ('%s' is an array: address an element as "
                 "'%s[%s]')", parent, parent, leaf);
        return;
    }
    if (ps != NULL && ps->kind != K_GROUP && ps->kind != K_BY_STAGE &&
        ps->kind != K_BY_STAGE_ARRAY && ps->kind != K_BY_CHANNEL &&
        ps->kind != K_BY_SUBJECT) {
        snprintf(hint, cap, " ('%s' takes %s; it has no keys)", parent,
                 tw_schema_kind_words(ps->kind));
        return;
    }
    tw_schema_suggest(parent, leaf, true, hint, cap);
}

/* The '[' of "LIST[i]." in s (an index followed by a member), or NULL. */
static char *list_bracket(char *s)
{
    for (char *b = strchr(s, '['); b != NULL; b = strchr(b + 1, '[')) {
        char *e = strchr(b, ']');
        if (e != NULL && e[1] == '.')
            return b;
    }
    return NULL;
}

/* LIST[i].MEMBER in `rest` (cut at the '[' of LIST[i]., lb): p->list,
 * p->elem and the member's text in *member. 0, or -1 with why. */
static int parse_list(tw_set_path *p, char *rest, char *lb, char **member,
                      char *why, size_t cap)
{
    char *rb = strchr(lb, ']');
    *lb = '\0';
    *rb = '\0';
    const char *idx = lb + 1;
    *member = rb + 2;
    if (p->form != TW_SET_KEY) {
        snprintf(why, cap, "LIST[i].KEY addresses an element of a list of "
                 "groups in the base config: it cannot be given per county "
                 "or in a timeline entry");
        return -1;
    }
    if (p->year != 0) {
        snprintf(why, cap, "'%s[%s].%s' cannot change by year (a list of "
                 "groups is part of the region's structure): drop @%d",
                 rest, idx, *member, p->year);
        return -1;
    }
    if (strcmp(idx, "*") == 0) {
        p->elem = TW_SET_EVERY;
    } else if (all_digits(idx, strlen(idx)) && strlen(idx) <= 6) {
        p->elem = atol(idx);
    } else {
        snprintf(why, cap, "'%s[%s]': an element of a list is written [i], "
                 "i = 0, 1, ..., or [*] for every element", rest, idx);
        return -1;
    }
    const key_spec *ls = tw_schema_find(rest);
    if (ls == NULL) {
        char hint[512];
        key_hint(rest, hint, sizeof hint);
        snprintf(why, cap, "unknown key '%s'%s", rest, hint);
        return -1;
    }
    if (ls->kind != K_GROUP_LIST) {
        snprintf(why, cap, "'%s' takes %s; LIST[i].KEY addresses a key of "
                 "an element of a list of groups", rest,
                 tw_schema_kind_words(ls->kind));
        return -1;
    }
    if (strcmp(rest, "timeline") == 0) {
        snprintf(why, cap, "a timeline entry is addressed by its name: "
                 "timeline.NAME.set.KEY");
        return -1;
    }
    if (strlen(rest) >= sizeof p->list) {
        snprintf(why, cap, "'%s' is too long", rest);
        return -1;
    }
    snprintf(p->list, sizeof p->list, "%s", rest);
    return 0;
}

int tw_set_path_parse(const char *lhs, tw_set_path *p, char *why, size_t cap)
{
    memset(p, 0, sizeof *p);
    p->index = -1;
    p->elem = -1;
    char buf[512];
    if (strlen(lhs) >= sizeof buf) {
        snprintf(why, cap, "the key is longer than %zu bytes",
                 sizeof buf - 1);
        return -1;
    }
    snprintf(buf, sizeof buf, "%s", lhs);
    char *at = strrchr(buf, '@');
    if (at != NULL) {
        if (!all_digits(at + 1, strlen(at + 1)) || strlen(at + 1) > 4) {
            snprintf(why, cap, "'@%s' is not a year: write KEY@YEAR=VALUE, "
                     "e.g. recruitment.quota@2023=800", at + 1);
            return -1;
        }
        p->year = atoi(at + 1);
        *at = '\0';
    }
    char *rest = buf;
    if (strncmp(buf, "timeline.", 9) == 0) {
        char *name = buf + 9, *set = strstr(name, ".set.");
        if (set == NULL || set == name || memchr(name, '.',
                                                 (size_t)(set - name))) {
            snprintf(why, cap, "expected timeline.NAME.set.KEY: the name of "
                     "a timeline entry (its `name`), then a key of its set");
            return -1;
        }
        p->form = TW_SET_TIMELINE;
        snprintf(p->scope, sizeof p->scope, "%.*s", (int)(set - name), name);
        rest = set + 5;
    } else if (strncmp(buf, "county.", 7) == 0) {
        char *name = buf + 7, *dot = strchr(name, '.');
        if (dot == NULL || dot == name) {
            snprintf(why, cap, "expected county.NAME.KEY: a county of "
                     "region.counties, then a county-level key");
            return -1;
        }
        p->form = TW_SET_COUNTY;
        snprintf(p->scope, sizeof p->scope, "%.*s", (int)(dot - name), name);
        rest = dot + 1;
    }
    char *lb = list_bracket(rest);
    if (lb != NULL && parse_list(p, rest, lb, &rest, why, cap) != 0)
        return -1;
    size_t len = strlen(rest);
    if (len > 0 && rest[len - 1] == ']') {
        char *br = strrchr(rest, '[');
        size_t n = br ? (size_t)(rest + len - 1 - br - 1) : 0;
        if (br != NULL && n == 1 && br[1] == '*') {
            *br = '\0';
            const key_spec *ls = tw_schema_find(rest);
            if (ls != NULL && ls->kind == K_GROUP_LIST) {
                snprintf(why, cap, "'%s' is a list of groups: address a key "
                         "of every element as %s[*].KEY", rest, rest);
                return -1;
            }
            *br = '[';
            snprintf(why, cap, "'%s': [*] stands for every element of a "
                     "list of groups (LIST[*].KEY), not of an array: give "
                     "the element, [i]", rest);
            return -1;
        }
        if (br == NULL || !all_digits(br + 1, n) || n > 6) {
            snprintf(why, cap, "'%s': an index is written [i], i = 0, 1, "
                     "...", rest);
            return -1;
        }
        p->index = atol(br + 1);
        *br = '\0';
    }
    if (p->list[0] != '\0') {
        snprintf(p->key, sizeof p->key, "%s[].%s", p->list, rest);
        if (p->elem == TW_SET_EVERY)
            snprintf(p->name, sizeof p->name, "%s[*].%s", p->list, rest);
        else
            snprintf(p->name, sizeof p->name, "%s[%ld].%s", p->list,
                     p->elem, rest);
    } else {
        snprintf(p->key, sizeof p->key, "%s", rest);
        snprintf(p->name, sizeof p->name, "%s", rest);
    }
    p->spec = tw_schema_find(p->key);
    if (p->spec == NULL && p->list[0] != '\0') {
        char parent[160], hint[512] = "";
        snprintf(parent, sizeof parent, "%s[]", p->list);
        if (strchr(rest, '.') == NULL)
            tw_schema_suggest(parent, rest, false, hint, sizeof hint);
        snprintf(why, cap, "unknown key '%s' in an element of %s%s", rest,
                 p->list, hint);
        return -1;
    }
    if (p->spec == NULL) {
        char hint[512];
        key_hint(p->key, hint, sizeof hint);
        snprintf(why, cap, "unknown key '%s'%s", p->key, hint);
        return -1;
    }
    if (p->index >= 0 && p->spec->kind == K_GROUP_LIST) {
        snprintf(why, cap, "'%s' is a list of groups: address a key of "
                 "element i as %s[i].KEY (every element: %s[*].KEY)",
                 p->key, p->key, p->key);
        return -1;
    }
    if (p->index >= 0 && !is_num_array(p->spec->kind)) {
        snprintf(why, cap, "'%s' takes %s; [i] addresses an element of a "
                 "number array", p->name,
                 tw_schema_kind_words(p->spec->kind));
        return -1;
    }
    if (p->index < 0 && p->spec->kind == K_GROUP) {
        snprintf(why, cap, "'%s' is a group; set one of its keys instead "
                 "(e.g. --set %s.<key>=value)", p->name, p->name);
        return -1;
    }
    int tv = tw_schema_tv(p->key);
    if (p->form == TW_SET_COUNTY && !(tv & TV_COUNTY)) {
        snprintf(why, cap, "'%s' is region-wide: only evaluation, rotation, "
                 "recruitment and subjects.retrain keys can differ by "
                 "county", p->key);
        return -1;
    }
    if (p->form == TW_SET_TIMELINE && p->year != 0) {
        snprintf(why, cap, "timeline.NAME.set.KEY takes no @YEAR: the entry "
                 "has its year (KEY@YEAR=V adds an entry of its own)");
        return -1;
    }
    if (p->year != 0 && tv == TV_NONE) {
        snprintf(why, cap, "'%s' cannot change by year (it is part of the "
                 "region's structure, or a markov-mode key): drop @%d",
                 p->key, p->year);
        return -1;
    }
    return 0;
}

key_kind tw_set_path_kind(const tw_set_path *p)
{
    if (p->index < 0)
        return p->spec->kind;
    return p->spec->kind == K_INT_ARRAY ? K_INT : K_FLOAT;
}

/* ------------------------------------------------------------------ */
/* The tree                                                            */
/* ------------------------------------------------------------------ */

config_setting_t *tw_setting_copy(config_setting_t *dst_parent,
                                  const char *name,
                                  const config_setting_t *from)
{
    int type = config_setting_type(from);
    config_setting_t *dst = config_setting_add(dst_parent, name, type);
    if (dst == NULL)
        return NULL;
    int ok = CONFIG_TRUE;
    /* an int setting keeps its type: libconfig stores an int64 that fits
     * into it as an int */
    if (type == CONFIG_TYPE_INT || type == CONFIG_TYPE_INT64)
        ok = config_setting_set_int64(dst, config_setting_get_int64(from));
    else if (type == CONFIG_TYPE_FLOAT)
        ok = config_setting_set_float(dst, config_setting_get_float(from));
    else if (type == CONFIG_TYPE_BOOL)
        ok = config_setting_set_bool(dst, config_setting_get_bool(from));
    else if (type == CONFIG_TYPE_STRING)
        ok = config_setting_set_string(dst, config_setting_get_string(from));
    for (int i = 0; config_setting_is_aggregate(from) &&
                    i < config_setting_length(from); i++) {
        const config_setting_t *c = config_setting_get_elem(from, (unsigned)i);
        if (tw_setting_copy(dst, config_setting_name(c), c) == NULL)
            return NULL;
    }
    return ok == CONFIG_TRUE ? dst : NULL;
}

/* The group at dotted `path` below g (g itself for ""), made when absent
 * and `create`; NULL when absent or something else is in the way. */
static config_setting_t *group_at(config_setting_t *g, const char *path,
                                  bool create)
{
    char walk[512];
    snprintf(walk, sizeof walk, "%s", path);
    char *save = NULL;
    for (char *tok = strtok_r(walk, ".", &save); g != NULL && tok != NULL;
         tok = strtok_r(NULL, ".", &save)) {
        config_setting_t *c = config_setting_get_member(g, tok);
        if (c == NULL && create)
            c = config_setting_add(g, tok, CONFIG_TYPE_GROUP);
        if (c != NULL && config_setting_type(c) != CONFIG_TYPE_GROUP)
            c = NULL;
        g = c;
    }
    return g;
}

/* Split "a.b.c" into the parent "a.b" and the leaf "c". */
static const char *split_key(const char *key, char *parent, size_t cap)
{
    const char *dot = strrchr(key, '.');
    if (dot == NULL) {
        parent[0] = '\0';
        return key;
    }
    snprintf(parent, cap, "%.*s", (int)(dot - key), key);
    return dot + 1;
}

/* Store v as `key` below group g (replacing what is there); the new
 * setting, or NULL. */
static config_setting_t *put_at(config_setting_t *g, const char *key,
                                const config_setting_t *v)
{
    char parent[512];
    const char *leaf = split_key(key, parent, sizeof parent);
    config_setting_t *pg = group_at(g, parent, true);
    if (pg == NULL)
        return NULL;
    if (config_setting_get_member(pg, leaf) != NULL)
        config_setting_remove(pg, leaf);
    return tw_setting_copy(pg, leaf, v);
}

/* Take `key` out of group g, if it is there. */
static bool remove_at(config_setting_t *g, const char *key)
{
    char parent[512];
    const char *leaf = split_key(key, parent, sizeof parent);
    config_setting_t *pg = group_at(g, parent, false);
    return pg != NULL && config_setting_get_member(pg, leaf) != NULL &&
           config_setting_remove(pg, leaf) == CONFIG_TRUE;
}

/* Element i of the array a becomes the number v (a whole number in an
 * array of whole numbers). False when a is not such an array or is too
 * short. */
static bool put_elem(config_setting_t *a, long i, const config_setting_t *v)
{
    int t = config_setting_type(a);
    if ((t != CONFIG_TYPE_ARRAY && t != CONFIG_TYPE_LIST) || i < 0 ||
        i >= config_setting_length(a))
        return false;
    config_setting_t *e = config_setting_get_elem(a, (unsigned)i);
    int et = config_setting_type(e), vt = config_setting_type(v);
    if (et == CONFIG_TYPE_FLOAT)
        return config_setting_set_float(e, rd_num(v)) == CONFIG_TRUE;
    if ((et == CONFIG_TYPE_INT || et == CONFIG_TYPE_INT64) &&
        (vt == CONFIG_TYPE_INT || vt == CONFIG_TYPE_INT64))
        return config_setting_set_int64(e, config_setting_get_int64(v)) ==
               CONFIG_TRUE;
    return false;
}

/* A timeline entry's year (0 when it has none) and whether it applies to
 * county `county` (NULL: the region-level lookup, entries without
 * counties only). */
static int entry_year(const config_setting_t *e)
{
    const config_setting_t *y = config_setting_get_member(
        (config_setting_t *)e, "year");
    return y && config_setting_type(y) == CONFIG_TYPE_INT
               ? config_setting_get_int(y) : 0;
}

static bool entry_applies(const config_setting_t *e, const char *county)
{
    const config_setting_t *cs = config_setting_get_member(
        (config_setting_t *)e, "counties");
    if (cs == NULL)
        return true;
    for (int k = 0; county != NULL && k < config_setting_length(cs); k++) {
        const char *c = config_setting_get_string_elem(cs, k);
        if (c != NULL && strcmp(c, county) == 0)
            return true;
    }
    return false;
}

/* Does entry e apply to `county` and no other? */
static bool entry_only(const config_setting_t *e, const char *county)
{
    const config_setting_t *cs = config_setting_get_member(
        (config_setting_t *)e, "counties");
    if (cs == NULL || config_setting_length(cs) == 0)
        return false;
    for (int k = 0; k < config_setting_length(cs); k++) {
        const char *c = config_setting_get_string_elem(cs, k);
        if (c == NULL || strcmp(c, county) != 0)
            return false;
    }
    return true;
}

static config_setting_t *entry_set(const config_setting_t *e)
{
    config_setting_t *s = config_setting_get_member((config_setting_t *)e,
                                                    "set");
    return s && config_setting_type(s) == CONFIG_TYPE_GROUP ? s : NULL;
}

static config_setting_t *timeline(tw_config_src *src)
{
    config_setting_t *t = config_lookup(&src->lc, "timeline");
    return t && config_setting_type(t) == CONFIG_TYPE_LIST ? t : NULL;
}

/* The setting of `key` in force in `year` for `county` (NULL: region
 * level): the latest timeline entry that sets it, else the base config,
 * else the national defaults. Entries at index >= `upto` are not looked
 * at. */
static const config_setting_t *resolve(tw_config_src *src, const char *key,
                                       int year, const char *county,
                                       size_t upto)
{
    config_setting_t *tl = timeline(src);
    const config_setting_t *best = NULL;
    int best_year = 0;
    for (int i = 0; tl && i < config_setting_length(tl) && (size_t)i < upto;
         i++) {
        const config_setting_t *e = config_setting_get_elem(tl, (unsigned)i);
        int y = entry_year(e);
        config_setting_t *set = entry_set(e);
        if (set == NULL || y == 0 || y > year || y < best_year ||
            !entry_applies(e, county))
            continue;
        const config_setting_t *s = config_setting_lookup(set, key);
        if (s != NULL) {
            best = s;
            best_year = y;
        }
    }
    if (best != NULL)
        return best;
    const config_setting_t *s = config_lookup(&src->lc, key);
    if (s == NULL) {
        char np[600];
        snprintf(np, sizeof np, "national.%s", key);
        s = config_lookup(&src->lc, np);
    }
    return s;
}

/* Append a line to src->notes. */
void tw_config_note(tw_config_src *src, const char *fmt, ...)
{
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    char **n = realloc(src->notes, (src->n_notes + 1) * sizeof *n);
    if (n == NULL)
        return;
    src->notes = n;
    if ((n[src->n_notes] = strdup(line)) != NULL)
        src->n_notes++;
}

/* "the timeline entry 'NAME' at file:line (2023)" */
static void entry_words(const tw_config_src *src, const config_setting_t *e,
                        char *buf, size_t cap)
{
    const char *file = config_setting_source_file(e);
    const config_setting_t *nm = config_setting_get_member(
        (config_setting_t *)e, "name");
    const char *name = nm ? config_setting_get_string(nm) : NULL;
    snprintf(buf, cap, "the timeline entry%s%s%s at %s:%u (%d)",
             name ? " '" : "", name ? name : "", name ? "'" : "",
             file ? file : src->path, config_setting_source_line(e),
             entry_year(e));
}

static bool get_int(tw_config_src *src, const char *path, int *out)
{
    const config_setting_t *s = config_lookup(&src->lc, path);
    if (s == NULL || config_setting_type(s) != CONFIG_TYPE_INT)
        return false;
    *out = config_setting_get_int(s);
    return true;
}

/* A new entry { year; counties = [county]; note = "--set ARG"; set = {} }
 * at the end of the timeline (made when absent); its set group, and its
 * index in *idx. */
static config_setting_t *append_entry(tw_config_src *src, const char *arg,
                                      int year, const char *county,
                                      int *idx)
{
    config_setting_t *root = config_root_setting(&src->lc);
    config_setting_t *tl = timeline(src);
    if (tl == NULL && config_lookup(&src->lc, "timeline") == NULL)
        tl = config_setting_add(root, "timeline", CONFIG_TYPE_LIST);
    if (tl == NULL)
        return NULL;
    config_setting_t *e = config_setting_add(tl, NULL, CONFIG_TYPE_GROUP);
    if (e == NULL)
        return NULL;
    *idx = config_setting_index(e);
    config_setting_t *y = config_setting_add(e, "year", CONFIG_TYPE_INT);
    if (y == NULL || !config_setting_set_int(y, year))
        return NULL;
    if (county != NULL) {
        config_setting_t *cs = config_setting_add(e, "counties",
                                                  CONFIG_TYPE_ARRAY);
        if (cs == NULL ||
            config_setting_set_string_elem(cs, -1, county) == NULL)
            return NULL;
    }
    char text[600];
    snprintf(text, sizeof text, "--set %s", arg);
    config_setting_t *n = config_setting_add(e, "note", CONFIG_TYPE_STRING);
    if (n == NULL || !config_setting_set_string(n, text))
        return NULL;
    return config_setting_add(e, "set", CONFIG_TYPE_GROUP);
}

/* Store v at p->key in group g: the whole key, or element p->index of the
 * array `from` (copied into g first). */
static bool store(config_setting_t *g, const tw_set_path *p,
                  const config_setting_t *v, const config_setting_t *from)
{
    if (p->index < 0)
        return put_at(g, p->key, v) != NULL;
    config_setting_t *a = put_at(g, p->key, from);
    return a != NULL && put_elem(a, p->index, v);
}

/* The error for an element of an array that is missing or too short. */
static int bad_index(const char *arg, const tw_set_path *p,
                     const config_setting_t *a, tw_error *err)
{
    int t = a ? config_setting_type(a) : 0;
    if (a == NULL)
        return tw_error_add(err, TW_EINPUT, "--set %s: %s is not in the "
                            "config nor in its national defaults; set the "
                            "whole array first (--set %s=[...])", arg,
                            p->name, p->name);
    if (t != CONFIG_TYPE_ARRAY && t != CONFIG_TYPE_LIST)
        return tw_error_add(err, TW_EINPUT, "--set %s: %s in the config is "
                            "not an array", arg, p->name);
    int n = config_setting_length(a);
    if (n == 0)
        return tw_error_add(err, TW_EINPUT, "--set %s: index %ld is out of "
                            "range: %s is empty", arg, p->index, p->name);
    return tw_error_add(err, TW_EINPUT, "--set %s: index %ld is out of "
                        "range: %s has %d entries (valid indices 0..%d)",
                        arg, p->index, p->name, n, n - 1);
}

static bool index_ok(const config_setting_t *a, long i)
{
    int t = a ? config_setting_type(a) : 0;
    return (t == CONFIG_TYPE_ARRAY || t == CONFIG_TYPE_LIST) &&
           i < config_setting_length(a);
}

/*
 * The timeline entries before index `upto` of year >= `from` (any year
 * when from is 0) that apply to `county` (all entries when NULL) lose
 * p->key (an element: get v there instead). An entry that applies to
 * other counties too is left as it is when `county` is given, and listed
 * in keep[] (at most cap; *n_keep). Entries of the config's own are noted.
 */
static void take_over(tw_config_src *src, const char *arg,
                      const tw_set_path *p, const config_setting_t *v,
                      int from, const char *county, size_t upto,
                      const config_setting_t **keep, size_t cap,
                      size_t *n_keep)
{
    config_setting_t *tl = timeline(src);
    for (int i = 0; tl && i < config_setting_length(tl) && (size_t)i < upto;
         i++) {
        const config_setting_t *e = config_setting_get_elem(tl, (unsigned)i);
        config_setting_t *set = entry_set(e);
        int y = entry_year(e);
        if (set == NULL || (from != 0 && y < from) ||
            (county != NULL && !entry_applies(e, county)) ||
            config_setting_lookup(set, p->key) == NULL)
            continue;
        bool own = (size_t)i < src->n_tl_own;
        char words[700];
        entry_words(src, e, words, sizeof words);
        if (county != NULL && !entry_only(e, county)) {
            if (*n_keep < cap)
                keep[(*n_keep)++] = e;
        } else if (p->index < 0) {
            remove_at(set, p->key);
        } else {
            put_elem(config_setting_lookup(set, p->key), p->index, v);
        }
        if (!own)
            continue;
        if (county != NULL && p->year != 0)
            tw_config_note(src, "--set %s overrides %s in %s from %d on", arg, words,
                 county, p->year);
        else if (county != NULL)
            tw_config_note(src, "--set %s overrides %s in %s for every year", arg,
                 words, county);
        else if (p->year != 0)
            tw_config_note(src, "--set %s overrides %s from %d on", arg, words,
                 p->year);
        else
            tw_config_note(src, "--set %s overrides %s for every year", arg, words);
    }
}

static int oom(tw_error *err)
{
    return tw_error_add(err, TW_EFAIL, "out of memory");
}

/* KEY=V and KEY[i]=V: the base value, and no entry sets it any more. */
static int set_every_year(tw_config_src *src, const char *arg,
                          const tw_set_path *p, const config_setting_t *v,
                          char *where, size_t cap, tw_error *err)
{
    config_setting_t *root = config_root_setting(&src->lc);
    config_setting_t *a = NULL;
    if (p->index >= 0) {
        a = config_lookup(&src->lc, p->key);
        if (a == NULL) { /* only in the national defaults: copy it here */
            char np[600];
            snprintf(np, sizeof np, "national.%s", p->key);
            const config_setting_t *n = config_lookup(&src->lc, np);
            if (n == NULL || !index_ok(n, p->index))
                return bad_index(arg, p, n, err);
            if ((a = put_at(root, p->key, n)) == NULL)
                return oom(err);
        }
        if (!index_ok(a, p->index))
            return bad_index(arg, p, a, err);
        if (!put_elem(a, p->index, v))
            return tw_error_add(err, TW_EINPUT, "--set %s: cannot store the "
                                "value in %s", arg, p->key);
        snprintf(where, cap, "%s[%ld]", p->key, p->index);
    } else {
        char parent[512];
        split_key(p->key, parent, sizeof parent);
        if (group_at(root, parent, true) == NULL)
            return tw_error_add(err, TW_EINPUT, "--set %s: '%s' in the "
                                "config is not a group", arg, parent);
        if (put_at(root, p->key, v) == NULL)
            return tw_error_add(err, TW_EINPUT, "--set %s: cannot store the "
                                "value", arg);
        snprintf(where, cap, "%s", p->key);
        if (strcmp(p->key, "timeline") == 0) { /* a timeline of its own */
            config_setting_t *tl = timeline(src);
            src->n_tl_own = tl ? (size_t)config_setting_length(tl) : 0;
            return TW_OK;
        }
    }
    size_t n_keep = 0;
    take_over(src, arg, p, v, 0, NULL, (size_t)-1, NULL, 0, &n_keep);
    return TW_OK;
}

/* The range of years a @YEAR may name; false when the config does not
 * say (the reader reports that). */
static int check_year(tw_config_src *src, const char *arg, int year,
                      tw_error *err)
{
    int base = 0, end = 0;
    if (!get_int(src, "simulation.base_year", &base) ||
        !get_int(src, "simulation.end_year", &end) || end <= base)
        return TW_OK;
    if (year <= base || year > end)
        return tw_error_add(err, TW_EINPUT, "--set %s: @%d is outside the "
                            "simulated years %d..%d (after base_year %d)",
                            arg, year, base + 1, end, base);
    return TW_OK;
}

/* The counties of region.counties, or NULL (none: *n = 0). */
static const config_setting_t *counties(tw_config_src *src, int *n)
{
    const config_setting_t *cs = config_lookup(&src->lc, "region.counties");
    *n = cs && config_setting_type(cs) == CONFIG_TYPE_ARRAY
             ? config_setting_length(cs) : 0;
    return *n ? cs : NULL;
}

/* KEY@YEAR=V, KEY[i]@YEAR=V: an entry of YEAR after all others. An element
 * of a county-level array takes each county's array in force in YEAR: one
 * entry for each distinct array, for the counties that have it. */
static int set_from_year(tw_config_src *src, const char *arg,
                         const tw_set_path *p, const config_setting_t *v,
                         char *where, size_t cap, tw_error *err)
{
    int rc = check_year(src, arg, p->year, err);
    if (rc != TW_OK)
        return rc;
    config_setting_t *tl = timeline(src);
    size_t upto = tl ? (size_t)config_setting_length(tl) : 0;
    int nc = 0, idx = -1;
    const config_setting_t *cs = counties(src, &nc);
    bool per_county = p->index >= 0 && (tw_schema_tv(p->key) & TV_COUNTY) &&
                      nc > 0;
    int n = per_county ? nc : 1;
    const config_setting_t **from = calloc((size_t)n, sizeof *from);
    bool *done = calloc((size_t)n, sizeof *done);
    if (from == NULL || done == NULL) {
        free(from);
        free(done);
        return oom(err);
    }
    for (int c = 0; p->index >= 0 && c < n && rc == TW_OK; c++) {
        from[c] = resolve(src, p->key, p->year,
                          per_county ? config_setting_get_string_elem(cs, c)
                                     : NULL, upto);
        if (!index_ok(from[c], p->index))
            rc = bad_index(arg, p, from[c], err);
    }
    for (int c = 0; c < n && rc == TW_OK; c++) {
        if (done[c])
            continue;
        int same = 0;
        for (int d = c; d < n; d++)
            same += !done[d] && from[d] == from[c];
        config_setting_t *set = append_entry(src, arg, p->year, NULL, &idx);
        config_setting_t *e = set ? config_setting_parent(set) : NULL;
        config_setting_t *list = NULL;
        if (e != NULL && per_county && same < nc)
            list = config_setting_add(e, "counties", CONFIG_TYPE_ARRAY);
        for (int d = c; e != NULL && d < n; d++) {
            if (done[d] || from[d] != from[c])
                continue;
            done[d] = true;
            if (list != NULL)
                config_setting_set_string_elem(
                    list, -1, config_setting_get_string_elem(cs, d));
        }
        if (set == NULL)
            rc = oom(err);
        else if (!store(set, p, v, from[c]))
            rc = tw_error_add(err, TW_EINPUT, "--set %s: cannot store the "
                              "value", arg);
    }
    free(from);
    free(done);
    if (rc != TW_OK)
        return rc;
    size_t n_keep = 0;
    take_over(src, arg, p, v, p->year, NULL, upto, NULL, 0, &n_keep);
    /* the first entry written: the messages about the value name it */
    snprintf(where, cap, "timeline[%zu].set.%s", upto, p->key);
    return TW_OK;
}

/* county.NAME.KEY: an entry for NAME alone from YEAR (base_year), and a
 * copy of it after each later entry that sets KEY for NAME with other
 * counties. */
static int set_county(tw_config_src *src, const char *arg,
                      const tw_set_path *p, const config_setting_t *v,
                      char *where, size_t cap, tw_error *err)
{
    int nc = 0;
    const config_setting_t *cs = counties(src, &nc);
    const char *county = NULL;
    size_t best_d = (size_t)-1;
    const char *best = NULL;
    char list[1024] = "";
    size_t used = 0;
    for (int c = 0; c < nc; c++) {
        const char *name = config_setting_get_string_elem(cs, c);
        if (name == NULL)
            continue;
        if (strcmp(name, p->scope) == 0)
            county = name;
        size_t d = tw_levenshtein(name, p->scope);
        if (d < best_d) {
            best_d = d;
            best = name;
        }
        if (used < sizeof list)
            used += (size_t)snprintf(list + used, sizeof list - used,
                                     "%s%s", c ? ", " : "", name);
    }
    if (county == NULL) {
        if (nc == 0)
            return tw_error_add(err, TW_EINPUT, "--set %s: the config has "
                                "no region.counties", arg);
        return tw_error_add(err, TW_EINPUT, "--set %s: no county '%s' "
                            "(did you mean '%s'?); region.counties: %s", arg,
                            p->scope, best, list);
    }
    int year = p->year, base = 0;
    if (year != 0) {
        int rc = check_year(src, arg, year, err);
        if (rc != TW_OK)
            return rc;
    } else if (get_int(src, "simulation.base_year", &base)) {
        year = base;
    } else {
        year = 1900;
    }
    config_setting_t *tl = timeline(src);
    size_t upto = tl ? (size_t)config_setting_length(tl) : 0;
    const config_setting_t *from = NULL;
    if (p->index >= 0) {
        from = resolve(src, p->key, year, county, upto);
        if (!index_ok(from, p->index))
            return bad_index(arg, p, from, err);
    }
    int idx = -1;
    config_setting_t *set = append_entry(src, arg, year, county, &idx);
    if (set == NULL)
        return oom(err);
    if (!store(set, p, v, from))
        return tw_error_add(err, TW_EINPUT, "--set %s: cannot store the "
                            "value", arg);
    /* the entries it cannot take KEY out of: at most all before it */
    const config_setting_t **keep = calloc(upto + 1, sizeof *keep);
    size_t n_keep = 0;
    if (keep == NULL)
        return oom(err);
    take_over(src, arg, p, v, year, county, upto, keep, upto, &n_keep);
    int rc = TW_OK;
    for (size_t k = 0; k < n_keep && rc == TW_OK; k++) {
        int i;
        config_setting_t *s = append_entry(src, arg, entry_year(keep[k]),
                                           county, &i);
        const config_setting_t *a = config_setting_lookup(
            entry_set(keep[k]), p->key);
        if (s == NULL || (p->index >= 0 && !index_ok(a, p->index)) ||
            !store(s, p, v, a))
            rc = tw_error_add(err, TW_EINPUT, "--set %s: cannot store the "
                              "value", arg);
    }
    free(keep);
    if (rc != TW_OK)
        return rc;
    snprintf(where, cap, "timeline[%d].set.%s", idx, p->key);
    return TW_OK;
}

/* timeline.NAME.set.KEY: a value in the entry named NAME. */
static int set_in_entry(tw_config_src *src, const char *arg,
                        const tw_set_path *p, const config_setting_t *v,
                        char *where, size_t cap, tw_error *err)
{
    config_setting_t *tl = timeline(src);
    char list[1024] = "";
    size_t used = 0;
    int n_named = 0;
    for (int i = 0; tl && i < config_setting_length(tl); i++) {
        config_setting_t *e = config_setting_get_elem(tl, (unsigned)i);
        const config_setting_t *nm = config_setting_get_member(e, "name");
        const char *name = nm ? config_setting_get_string(nm) : NULL;
        if (name == NULL)
            continue;
        if (used < sizeof list)
            used += (size_t)snprintf(list + used, sizeof list - used,
                                     "%s%s", n_named ? ", " : "", name);
        n_named++;
        if (strcmp(name, p->scope) != 0)
            continue;
        config_setting_t *set = entry_set(e);
        if (set == NULL)
            set = config_setting_add(e, "set", CONFIG_TYPE_GROUP);
        if (set == NULL)
            return oom(err);
        const config_setting_t *from = NULL;
        if (p->index >= 0) {
            from = config_setting_lookup(set, p->key);
            if (from == NULL)
                from = resolve(src, p->key, entry_year(e), NULL,
                               (size_t)i);
            if (!index_ok(from, p->index))
                return bad_index(arg, p, from, err);
        }
        if (p->index >= 0 && from == config_setting_lookup(set, p->key)) {
            if (!put_elem(config_setting_lookup(set, p->key), p->index, v))
                return tw_error_add(err, TW_EINPUT, "--set %s: cannot "
                                    "store the value", arg);
        } else if (!store(set, p, v, from)) {
            return tw_error_add(err, TW_EINPUT, "--set %s: cannot store "
                                "the value", arg);
        }
        snprintf(where, cap, "timeline[%d].set.%s", i, p->key);
        return TW_OK;
    }
    const char *best = NULL;
    size_t best_d = (size_t)-1;
    for (int i = 0; tl && i < config_setting_length(tl); i++) {
        const config_setting_t *nm = config_setting_get_member(
            config_setting_get_elem(tl, (unsigned)i), "name");
        const char *name = nm ? config_setting_get_string(nm) : NULL;
        size_t d = name ? tw_levenshtein(name, p->scope) : (size_t)-1;
        if (d < best_d) {
            best_d = d;
            best = name;
        }
    }
    char hint[300] = "";
    if (best != NULL && best_d <= 3)
        snprintf(hint, sizeof hint, " (did you mean '%s'?)", best);
    return tw_error_add(err, TW_EINPUT, "--set %s: no timeline entry named "
                        "'%s'%s; %s%s%s", arg, p->scope, hint,
                        n_named ? "the named entries: " : "none is named "
                        "(give an entry name = \"...\" to address it)",
                        list, n_named ? "" : "");
}

/* LIST[i].KEY=V, LIST[i].KEY[j]=V, LIST[*]...: the member of one element
 * (of each) of a list of groups of the base config. Such a list is
 * structure: no timeline entry sets it, so there is nothing to take over. */
static int set_list(tw_config_src *src, const char *arg,
                    const tw_set_path *p, const config_setting_t *v,
                    char *where, size_t cap, tw_error *err)
{
    config_setting_t *list = config_lookup(&src->lc, p->list);
    if (list == NULL)
        return tw_error_add(err, TW_EINPUT, "--set %s: %s is not in the "
                            "config", arg, p->list);
    if (config_setting_type(list) != CONFIG_TYPE_LIST)
        return tw_error_add(err, TW_EINPUT, "--set %s: %s in the config is "
                            "not a list of groups", arg, p->list);
    long n = config_setting_length(list);
    if (n == 0)
        return tw_error_add(err, TW_EINPUT, "--set %s: %s is empty: it has "
                            "no element to set", arg, p->list);
    if (p->elem >= n)
        return tw_error_add(err, TW_EINPUT, "--set %s: index %ld is out of "
                            "range: %s has %ld entries (valid indices "
                            "0..%ld)", arg, p->elem, p->list, n, n - 1);
    const char *member = p->key + strlen(p->list) + 3; /* after "[]." */
    long lo = p->elem == TW_SET_EVERY ? 0 : p->elem;
    long hi = p->elem == TW_SET_EVERY ? n - 1 : p->elem;
    /* every element is checked before any is changed */
    for (long i = lo; i <= hi; i++) {
        config_setting_t *g = config_setting_get_elem(list, (unsigned)i);
        if (config_setting_type(g) != CONFIG_TYPE_GROUP)
            return tw_error_add(err, TW_EINPUT, "--set %s: %s[%ld] in the "
                                "config is not a group", arg, p->list, i);
        if (p->index < 0)
            continue;
        const config_setting_t *a = config_setting_get_member(g, member);
        if (!index_ok(a, p->index)) {
            tw_set_path one = *p;
            snprintf(one.name, sizeof one.name, "%s[%ld].%s", p->list, i,
                     member);
            if (a == NULL)
                return tw_error_add(err, TW_EINPUT, "--set %s: %s is not "
                                    "in the config; set the whole array "
                                    "first (--set %s=[...])", arg, one.name,
                                    one.name);
            return bad_index(arg, &one, a, err);
        }
    }
    for (long i = lo; i <= hi; i++) {
        config_setting_t *g = config_setting_get_elem(list, (unsigned)i);
        bool ok = p->index < 0
                      ? put_at(g, member, v) != NULL
                      : put_elem(config_setting_get_member(g, member),
                                 p->index, v);
        if (!ok)
            return tw_error_add(err, TW_EINPUT, "--set %s: cannot store the "
                                "value in %s[%ld].%s", arg, p->list, i,
                                member);
    }
    if (p->index >= 0)
        snprintf(where, cap, "%s[%ld]", p->name, p->index);
    else
        snprintf(where, cap, "%s", p->name);
    return TW_OK;
}

int tw_set_apply(tw_config_src *src, const char *arg, const tw_set_path *p,
                 const config_setting_t *v, char *where, size_t cap,
                 tw_error *err)
{
    if (p->list[0] != '\0')
        return set_list(src, arg, p, v, where, cap, err);
    if (p->form == TW_SET_TIMELINE)
        return set_in_entry(src, arg, p, v, where, cap, err);
    if (p->form == TW_SET_COUNTY)
        return set_county(src, arg, p, v, where, cap, err);
    if (p->year != 0)
        return set_from_year(src, arg, p, v, where, cap, err);
    return set_every_year(src, arg, p, v, where, cap, err);
}

bool tw_set_entry_is_cmd(const tw_config_src *src, size_t index,
                         const config_setting_t *e)
{
    if (index >= src->n_tl_own)
        return true;
    const config_setting_t *n = config_setting_get_member(
        (config_setting_t *)e, "note");
    const char *s = n ? config_setting_get_string(n) : NULL;
    return s != NULL && strncmp(s, "--set ", 6) == 0;
}

/* ------------------------------------------------------------------ */
/* Reading the numbers at a path                                       */
/* ------------------------------------------------------------------ */

size_t tw_set_list_length(const tw_config_src *src, const char *list)
{
    const config_setting_t *l = src ? config_lookup(
        (config_t *)&src->lc, list) : NULL;
    return l && config_setting_type(l) == CONFIG_TYPE_LIST
               ? (size_t)config_setting_length(l) : 0;
}

static bool is_number(const config_setting_t *s)
{
    int t = config_setting_type(s);
    return t == CONFIG_TYPE_INT || t == CONFIG_TYPE_INT64 ||
           t == CONFIG_TYPE_FLOAT;
}

/* The numbers of setting s (`name` in messages): element `index` of an
 * array, or s itself, or every entry of an array; appended to out. */
static int numbers_of(const config_setting_t *s, const char *lhs,
                      const char *name, long index, double *out, size_t cap,
                      size_t *n, tw_error *err)
{
    int t = s ? config_setting_type(s) : 0;
    bool seq = t == CONFIG_TYPE_ARRAY || t == CONFIG_TYPE_LIST;
    if (s == NULL)
        return tw_error_set(err, TW_EINPUT, "%s: %s is not in the config",
                            lhs, name);
    if (index >= 0 && !seq)
        return tw_error_set(err, TW_EINPUT, "%s: %s in the config is not "
                            "an array", lhs, name);
    if (index >= 0 && index >= config_setting_length(s)) {
        int len = config_setting_length(s);
        if (len == 0)
            return tw_error_set(err, TW_EINPUT, "%s: index %ld is out of "
                                "range: %s is empty", lhs, index, name);
        return tw_error_set(err, TW_EINPUT, "%s: index %ld is out of range: "
                            "%s has %d entries (valid indices 0..%d)", lhs,
                            index, name, len, len - 1);
    }
    int lo = index >= 0 ? (int)index : 0;
    int hi = index >= 0 ? (int)index : seq ? config_setting_length(s) - 1 : 0;
    for (int i = lo; i <= hi; i++) {
        const config_setting_t *e = seq ? config_setting_get_elem(
                                              s, (unsigned)i) : s;
        if (!is_number(e))
            return tw_error_set(err, TW_EINPUT, "%s: %s%s is not a number",
                                lhs, name, seq ? " has an entry that" : "");
        if (*n < cap)
            out[*n] = rd_num(e);
        (*n)++;
    }
    return TW_OK;
}

int tw_set_numbers_at(const tw_config_src *src, bool national,
                      const char *lhs, double *out, size_t cap, size_t *n,
                      tw_error *err)
{
    *n = 0;
    tw_error_clear(err);
    tw_set_path p;
    char why[1024];
    if (src == NULL)
        return tw_error_set(err, TW_EINPUT, "%s: no config", lhs);
    if (tw_set_path_parse(lhs, &p, why, sizeof why) != 0)
        return tw_error_set(err, TW_EINPUT, "%s: %s", lhs, why);
    if (p.form != TW_SET_KEY || p.year != 0)
        return tw_error_set(err, TW_EINPUT, "%s: only the base values are "
                            "read (KEY, KEY[i], LIST[i].KEY ...), not a "
                            "county's, a timeline entry's or a year's", lhs);
    config_t *lc = (config_t *)&src->lc;
    if (p.list[0] == '\0') {
        const config_setting_t *s = config_lookup(lc, p.key);
        if (s == NULL && national) {
            char np[600];
            snprintf(np, sizeof np, "national.%s", p.key);
            s = config_lookup(lc, np);
        }
        return numbers_of(s, lhs, p.name, p.index, out, cap, n, err);
    }
    const config_setting_t *list = config_lookup(lc, p.list);
    if (list == NULL || config_setting_type(list) != CONFIG_TYPE_LIST)
        return tw_error_set(err, TW_EINPUT, "%s: %s is not in the config",
                            lhs, p.list);
    long len = config_setting_length(list);
    if (p.elem >= len || len == 0)
        return tw_error_set(err, TW_EINPUT, "%s: index %ld is out of range: "
                            "%s has %ld entries%s", lhs,
                            p.elem < 0 ? 0 : p.elem, p.list, len,
                            len ? "" : " (it is empty)");
    const char *member = p.key + strlen(p.list) + 3;
    long lo = p.elem == TW_SET_EVERY ? 0 : p.elem;
    long hi = p.elem == TW_SET_EVERY ? len - 1 : p.elem;
    for (long i = lo; i <= hi; i++) {
        const config_setting_t *g = config_setting_get_elem(list,
                                                            (unsigned)i);
        char name[400];
        snprintf(name, sizeof name, "%s[%ld].%s", p.list, i, member);
        const config_setting_t *s =
            config_setting_type(g) == CONFIG_TYPE_GROUP
                ? config_setting_get_member((config_setting_t *)g, member)
                : NULL;
        int rc = numbers_of(s, lhs, name, p.index, out, cap, n, err);
        if (rc != TW_OK)
            return rc;
    }
    return TW_OK;
}

int tw_config_numbers_at(const tw_config *cfg, const char *lhs, double *out,
                         size_t cap, size_t *n, tw_error *err)
{
    return tw_set_numbers_at(cfg ? cfg->src : NULL,
                             cfg && cfg->mode == TW_MODE_FULL, lhs, out, cap,
                             n, err);
}

size_t tw_config_list_length(const tw_config *cfg, const char *list)
{
    return cfg ? tw_set_list_length(cfg->src, list) : 0;
}

/* ------------------------------------------------------------------ */
/* What was used, year by year                                         */
/* ------------------------------------------------------------------ */

/* A setting in libconfig syntax. */
static void put_setting(FILE *f, const config_setting_t *s)
{
    if (s == NULL) {
        fputs("-", f);
        return;
    }
    int t = config_setting_type(s);
    switch (t) {
    case CONFIG_TYPE_INT:
    case CONFIG_TYPE_INT64:
        fprintf(f, "%lld", (long long)config_setting_get_int64(s));
        return;
    case CONFIG_TYPE_FLOAT: {
        char num[40];
        snprintf(num, sizeof num, "%.10g", config_setting_get_float(s));
        fprintf(f, "%s%s", num, strpbrk(num, ".eEin") ? "" : ".0");
        return;
    }
    case CONFIG_TYPE_BOOL:
        fputs(config_setting_get_bool(s) ? "true" : "false", f);
        return;
    case CONFIG_TYPE_STRING:
        fputc('"', f);
        for (const char *p = config_setting_get_string(s); *p; p++) {
            if (*p == '"' || *p == '\\')
                fputc('\\', f);
            fputc(*p, f);
        }
        fputc('"', f);
        return;
    default:
        break;
    }
    bool group = t == CONFIG_TYPE_GROUP;
    fputs(group ? "{ " : t == CONFIG_TYPE_LIST ? "(" : "[", f);
    for (int i = 0; i < config_setting_length(s); i++) {
        const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
        if (group)
            fprintf(f, "%s = ", config_setting_name(e));
        else if (i > 0)
            fputs(", ", f);
        put_setting(f, e);
        if (group)
            fputs("; ", f);
    }
    fputs(group ? "}" : t == CONFIG_TYPE_LIST ? ")" : "]", f);
}

typedef struct keys {
    char **v;
    size_t n;
} keys;

/* A member of an element of a list of groups, "population.stages[0].female"
 * (a row of its own: not a schema key); also the rows of keys_add */
static void keys_add_elem(keys *k, const char *key)
{
    for (size_t i = 0; i < k->n; i++)
        if (strcmp(k->v[i], key) == 0)
            return;
    char **v = realloc(k->v, (k->n + 1) * sizeof *v);
    if (v == NULL)
        return;
    k->v = v;
    if ((v[k->n] = strdup(key)) != NULL)
        k->n++;
}

static void keys_add(keys *k, const char *key)
{
    const key_spec *spec = tw_schema_find(key);
    if (spec == NULL || spec->kind == K_GROUP || spec->kind == K_GROUP_LIST)
        return;
    keys_add_elem(k, key);
}

/* The setting at "LIST[i].KEY" in the base config (the same in every year
 * and county), or NULL. */
static const config_setting_t *elem_setting(const tw_config_src *src,
                                            const char *key)
{
    tw_set_path p;
    char why[256];
    if (tw_set_path_parse(key, &p, why, sizeof why) != 0 || p.elem < 0)
        return NULL;
    const config_setting_t *l = config_lookup((config_t *)&src->lc, p.list);
    if (l == NULL || config_setting_type(l) != CONFIG_TYPE_LIST ||
        p.elem >= config_setting_length(l))
        return NULL;
    config_setting_t *g = config_setting_get_elem(l, (unsigned)p.elem);
    return config_setting_type(g) == CONFIG_TYPE_GROUP
               ? config_setting_get_member(g, p.key + strlen(p.list) + 3)
               : NULL;
}

/* The leaf keys below group g of a timeline entry's set (`path` is g's). */
static void keys_leaves(keys *k, const config_setting_t *g, const char *path)
{
    for (int i = 0; i < config_setting_length(g); i++) {
        const config_setting_t *s = config_setting_get_elem(g, (unsigned)i);
        char p[512];
        snprintf(p, sizeof p, "%s%s%s", path, *path ? "." : "",
                 config_setting_name(s));
        if (config_setting_type(s) == CONFIG_TYPE_GROUP)
            keys_leaves(k, s, p);
        else
            keys_add(k, p);
    }
}

/* One row: key, county ("" for the region, "*" for every county), then
 * the value in each year. */
static void put_row(reader *r, FILE *f, const char *key, long county,
                    const char *label)
{
    fprintf(f, "%s\t%s", key, label);
    for (int y = r->cfg->base_year; y <= r->cfg->end_year; y++) {
        r->year = y;
        r->county = county;
        fputc('\t', f);
        put_setting(f, strchr(key, '[') ? elem_setting(r->src, key)
                                        : rd_get(r, key, false));
    }
    fputc('\n', f);
}

/* Is key the same in every county, every year? */
static bool same_everywhere(reader *r, const char *key, size_t nc)
{
    for (int y = r->cfg->base_year; y <= r->cfg->end_year; y++) {
        r->year = y;
        r->county = 0;
        const config_setting_t *first = rd_get(r, key, false);
        for (size_t c = 1; c < nc; c++) {
            r->county = (long)c;
            if (rd_get(r, key, false) != first)
                return false;
        }
    }
    return true;
}

char *tw_config_by_year(reader *r, size_t n_counties,
                        const char *const *county_names)
{
    keys k = {NULL, 0};
    for (size_t i = 0; i < r->src->n_set; i++) {
        const char *arg = r->src->set_args[i], *eq = strchr(arg, '=');
        char lhs[600], why[256];
        tw_set_path p;
        snprintf(lhs, sizeof lhs, "%.*s", eq ? (int)(eq - arg) : 0, arg);
        if (tw_set_path_parse(lhs, &p, why, sizeof why) != 0)
            continue;
        if (p.list[0] == '\0') {
            keys_add(&k, p.key);
            continue;
        }
        /* a member of a list's element: one row for each element set */
        size_t n = tw_set_list_length(r->src, p.list);
        const char *member = p.key + strlen(p.list) + 3;
        for (size_t e = 0; e < n; e++) {
            if (p.elem != TW_SET_EVERY && (size_t)p.elem != e)
                continue;
            char key[400];
            snprintf(key, sizeof key, "%s[%zu].%s", p.list, e, member);
            keys_add_elem(&k, key);
        }
    }
    for (size_t i = 0; i < r->n_tl; i++)
        keys_leaves(&k, r->tl[i].set, "");
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    int year = r->year;
    long county = r->county;
    if (f != NULL) {
        fputs("key\tcounty", f);
        for (int y = r->cfg->base_year; y <= r->cfg->end_year; y++)
            fprintf(f, "\t%d", y);
        fputc('\n', f);
        for (size_t i = 0; i < k.n; i++) {
            bool per_county = n_counties > 0 && !strchr(k.v[i], '[') &&
                              (tw_schema_tv(k.v[i]) & TV_COUNTY);
            if (!per_county)
                put_row(r, f, k.v[i], -1, "");
            else if (same_everywhere(r, k.v[i], n_counties))
                put_row(r, f, k.v[i], 0, "*");
            else
                for (size_t c = 0; c < n_counties; c++)
                    put_row(r, f, k.v[i], (long)c, county_names[c]);
        }
        if (fclose(f) != 0) {
            free(buf);
            buf = NULL;
        }
    }
    r->year = year;
    r->county = county;
    tw_strings_free(k.v, k.n);
    return buf;
}

void tw_config_print_notes(FILE *f, const tw_config *cfg)
{
    for (size_t i = 0; cfg != NULL && i < cfg->n_notes; i++)
        fprintf(f, "twsim: %s\n", cfg->notes[i]);
}
