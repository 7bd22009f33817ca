/*
 * config_priv.h - internals shared by the config loader's files:
 *
 *   config_schema.c  the schema (every valid key) and the key/type check
 *   config.c         loading, --set overrides, source positions, the
 *                    typed readers, Markov mode
 *   config_set.c     the paths a --set may address and its precedence
 *                    over the timeline; the per-year record of values
 *   config_full.c    the full model: structure, population, parameters
 *                    for every year and county through the policy timeline
 */
#ifndef TW_CONFIG_PRIV_H
#define TW_CONFIG_PRIV_H

#include <libconfig.h>
#include <stdbool.h>
#include <stdint.h>

#include "tw_config.h"
#include "tw_targets.h"

/* ---- schema ---- */

typedef enum {
    K_GROUP,
    K_INT,          /* whole number */
    K_FLOAT,        /* number; a whole number is accepted */
    K_BOOL,
    K_STRING,
    K_STR_ARRAY,    /* [ "a", "b" ] */
    K_INT_ARRAY,    /* [ 1, 2 ] */
    K_FLOAT_ARRAY,  /* [ 0.5, 1 ]: numbers */
    K_MATRIX,       /* ( [0.5, 0.1], [0.0, 0.9] ) */
    K_GROUP_LIST,   /* ( { ... }, { ... } ); children "path[].key" */
    K_BY_STAGE,     /* { primary = 19.0; junior = 13.5; }: stage -> number */
    K_BY_STAGE_ARRAY, /* { primary = [0.0, -0.01, -0.03]; } */
    K_BY_CHANNEL,   /* { funded = 0.8; tegang = 0.6; }: channel -> number */
    K_BY_SUBJECT,   /* { mental_health = 1.0; }: subject -> number; the
                       names are the config's subjects.names, checked by
                       the reader (config_full.c), not by the schema */
    K_INT_PAIRS     /* ( [2021, 800], [2022, 900] ) */
} key_kind;

enum {
    M_MARKOV = 1, /* used in markov mode */
    M_FULL = 2,   /* used in full mode */
    M_BOTH = 3
};

enum {
    TV_NONE = 0,
    TV_REGION = 1, /* may change by year in the timeline */
    TV_COUNTY = 2  /* may change by year and county */
};

typedef struct key_spec {
    const char *path;
    key_kind kind;
    int modes;
    int tv;
    const char *doc;
} key_spec;

/* The schema entry for a path ("schools[].county" for list elements), or
 * NULL. */
const key_spec *tw_schema_find(const char *path);

/* Whether the key at `path` may change by year and county (TV_*): a
 * member of a by-stage or by-channel group as its group. */
int tw_schema_tv(const char *path);

/* Nearest-key hint for unknown `name` in group `parent`; see config.c. */
void tw_schema_suggest(const char *parent, const char *name, bool full,
                       char *buf, size_t cap);

const char *tw_schema_kind_words(key_kind k);


/* ---- source positions ---- */

/* A setting the schema check took out of the tree (see tw_schema_check). */
typedef struct tw_gone {
    const config_setting_t *parent;
    char *name;
    bool unknown; /* not a schema key: perhaps a typo of one */
} tw_gone;

struct tw_config_src {
    config_t lc;
    tw_gone *gone;    /* removed by the schema check, owned */
    size_t n_gone;
    char **set_paths; /* key path of each --set, parallel to set_args */
    char **set_args;  /* borrowed from tw_config.overrides */
    size_t n_set;
    const char *path; /* main file, borrowed */
    size_t n_tl_own;  /* timeline entries of the config's own (the first
                         ones); those after them were added by --set */
    size_t n_draws;   /* the last n_draws --set values are an uncertain
                         setting's draws (tw_config_load_point), which
                         may set an uncertain key */
    char **notes;     /* timeline entries a --set overrode, owned */
    size_t n_notes;
};

/* "file:line" or "--set k=v" of a setting, written into buf. */
const char *tw_config_where(const tw_config_src *src,
                            const config_setting_t *s, char *buf, size_t cap);

/*
 * Check every key of the tree against the schema for `mode_bits`: unknown
 * keys, keys of the other mode, wrong types, text that is not strict UTF-8
 * and entries listed twice are appended to err. A setting with a problem
 * that would mislead the readers (all but the duplicates) is then removed
 * from the tree and recorded in src->gone, so that the readers can still
 * check everything else in the same pass without reporting it again, or
 * as missing (tw_config_gone).
 */
void tw_schema_check(tw_config_src *src, int mode_bits, tw_error *err);

/* Did the schema check remove `key` from group `parent` (the root for a
 * NULL parent), or an unknown key close to it (a typo of it)? */
bool tw_config_gone(const tw_config_src *src, const config_setting_t *parent,
                    const char *key);

/* ---- --set paths (config_set.c) ---- */

typedef enum {
    TW_SET_KEY,      /* KEY, KEY[i], LIST[i].KEY, LIST[i].KEY[j] */
    TW_SET_COUNTY,   /* county.NAME.KEY */
    TW_SET_TIMELINE  /* timeline.NAME.set.KEY */
} tw_set_form;

/* tw_set_path.elem for LIST[*].KEY: every element of the list. */
#define TW_SET_EVERY (-2L)

/* The key side of a --set, "county.南明区.recruitment.quota@2023",
 * "population.stages[0].tiers[1]". */
typedef struct tw_set_path {
    tw_set_form form;
    char scope[128];       /* the county or the timeline entry's name */
    char key[256];         /* the schema key, e.g. "tiers.capacity",
                              "population.stages[].tiers" */
    char name[300];        /* the key as addressed, without [i] and @YEAR:
                              key, or "population.stages[0].tiers",
                              "population.stages[*].female" */
    char list[128];        /* LIST of LIST[i].KEY (a list of groups of the
                              base config), "" for the other forms */
    long elem;             /* i of LIST[i].KEY, TW_SET_EVERY for [*], -1
                              without a list */
    long index;            /* the element, -1 for the whole key */
    int year;              /* @YEAR, 0 for every year */
    const key_spec *spec;  /* of key */
} tw_set_path;

/* Parse `lhs` (the text before '=') and check it against the schema: 0,
 * or -1 with the problem (and the nearest key) written into why. */
int tw_set_path_parse(const char *lhs, tw_set_path *p, char *why,
                      size_t cap);

/* What a value at p takes: the key's kind, or K_INT / K_FLOAT for an
 * element. */
key_kind tw_set_path_kind(const tw_set_path *p);

/*
 * Apply the parsed `--set arg` with the value v to src->lc under the
 * precedence rule of config_set.c (the command line wins over the
 * timeline for its key, in the years it covers), adding a line to
 * src->notes for each entry of the config's own that it overrides.
 * `where` gets the path in the tree that messages about the value should
 * attribute to the --set (tw_config_where). TW_OK, or TW_EINPUT / TW_EFAIL
 * added to err.
 */
int tw_set_apply(tw_config_src *src, const char *arg, const tw_set_path *p,
                 const config_setting_t *v, char *where, size_t cap,
                 tw_error *err);

/* The numbers at the --set path `lhs` in src's tree (base values, with
 * the national defaults when `national`): see tw_config_numbers_at in
 * tw_config.h. */
int tw_set_numbers_at(const tw_config_src *src, bool national,
                      const char *lhs, double *out, size_t cap, size_t *n,
                      tw_error *err);

/* How many elements the list of groups `list` has in src's tree; 0 when
 * absent or not a list. */
size_t tw_set_list_length(const tw_config_src *src, const char *list);

/* Add a line to src->notes (printed on loading, tw_config_print_notes). */
void tw_config_note(tw_config_src *src, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Was timeline entry `index` (e) written by a --set? Such entries come
 * after the config's own and may set a key an entry of the same year
 * sets: they win. */
bool tw_set_entry_is_cmd(const tw_config_src *src, size_t index,
                         const config_setting_t *e);

/* A deep copy of `from` as member `name` of dst_parent (NULL name: an
 * element of a list); the copy, or NULL. */
config_setting_t *tw_setting_copy(config_setting_t *dst_parent,
                                  const char *name,
                                  const config_setting_t *from);

/* ---- typed reading ---- */

/* A timeline entry: from `year` on, in `counties` (all when n == 0), the
 * settings under `set` replace the base config's. */
typedef struct tl_entry {
    int year;
    size_t order;                /* position in the list, for ties */
    const config_setting_t *set;
    unsigned char *county;       /* [n_counties] 1 = applies; NULL = all */
    bool cmd;                    /* written by a --set (config_set.c) */
} tl_entry;

typedef struct reader {
    const tw_config_src *src;
    tw_config *cfg;
    tw_error *err;
    /* Timeline resolution: year and county being read (county -1 = the
     * region-level parameters); entries sorted by (year, order). */
    int year;
    long county;
    tl_entry *tl;
    size_t n_tl;
    uint64_t *seen; /* hashes of the lines reported, owned (add_once) */
    size_t n_seen, cap_seen;
    char at[600];
} reader;

const char *rd_at(reader *r, const config_setting_t *s);

void rd_bad(reader *r, const config_setting_t *s, const char *path,
            const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* The setting at `path` for r->year / r->county (timeline first, then the
 * base config); when absent and `required`, reports it. */
const config_setting_t *rd_get(reader *r, const char *path, bool required);

/* Member `key` of group `g` (a list element); reports when required and
 * absent. `gpath` names g in messages (e.g. "schools[3]"). */
/* Element i of the list s (NULL after the last one, or when s is NULL),
 * with its path "<key>[i]", for rd_member's messages, in gp (gp_len
 * bytes): the condition of a loop over a list of groups. */
const config_setting_t *rd_next(const config_setting_t *s, const char *key,
                               size_t i, char *gp, size_t gp_len);

/* A new zeroed array for the *n entries of the optional list `key`, each
 * `size` bytes, and the list in *list; NULL when the list is absent (*list
 * NULL) or memory ran out (reported). */
void *rd_list_alloc(reader *r, const char *key, size_t size,
                    const config_setting_t **list, size_t *n);

/* Reads entry i (group g, path gp for messages) of a list into the array
 * base; 0 to go on, -1 to stop (reported). */
typedef int (*rd_entry_fn)(reader *r, const config_setting_t *g,
                           const char *gp, void *base, size_t i);

/* The optional list `key` of groups read entry by entry with fn into a
 * new zeroed array (returned; NULL when the list is absent or memory ran
 * out), of entries `size` bytes each; *count is i + 1 from the call for
 * entry i on, so that a failed read frees what was read. */
void *rd_list_read(reader *r, const char *key, size_t size, size_t *count,
                   rd_entry_fn fn);

const config_setting_t *rd_member(reader *r, const config_setting_t *g,
                                  const char *gpath, const char *key,
                                  bool required);

double rd_num(const config_setting_t *s);

bool rd_int(reader *r, const char *path, bool required, int64_t lo,
            int64_t hi, int64_t *out);
bool rd_float(reader *r, const char *path, bool required, double lo,
              double hi, double *out);
bool rd_bool(reader *r, const char *path, bool required, bool *out);
int rd_choice(reader *r, const char *path, const char *const *names, int n);
int rd_choice_of(reader *r, const config_setting_t *s, const char *path,
                 const char *const *names, int n);

/* A number array of exactly n entries in [lo, hi]. */
bool rd_floats(reader *r, const char *path, bool required, size_t n,
               double lo, double hi, double *out);
bool rd_floats_at(reader *r, const config_setting_t *s, const char *path,
                  size_t n, double lo, double hi, double *out);
bool rd_ints(reader *r, const char *path, bool required, size_t n,
             int64_t lo, int64_t hi, int64_t *out);

/* Shares that must sum to 1 (within 1e-6). */
bool rd_shares_at(reader *r, const config_setting_t *s, const char *path,
                  size_t n, double *out);

/* Strict UTF-8 (RFC 3629): no stray or missing continuation bytes, no
 * overlong forms, no surrogates (U+D800..DFFF), nothing above U+10FFFF.
 * tw_utf8_problem returns NULL when `s` is valid, else a description of the
 * first problem written into buf. */
const char *tw_utf8_problem(const char *s, char *buf, size_t cap);
bool tw_utf8_valid(const char *s);

/* The value in force in every year for the keys set from the command
 * line and the keys the timeline changes, as a text table (see
 * docs/hdf5.md, /config/by_year); owned by the caller, NULL when memory
 * ran out. Needs r->tl (full mode) and r->cfg's years. */
char *tw_config_by_year(reader *r, size_t n_counties,
                        const char *const *county_names);

/* Full mode: build cfg->world. */
void tw_config_read_full(reader *r);

#endif /* TW_CONFIG_PRIV_H */
