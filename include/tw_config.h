/*
 * tw_config.h - a region's configuration, read from a libconfig file.
 *
 * Loading happens in four steps, each of which can fail with a message that
 * names the file, the line and the key (docs/config.md):
 *
 *   1. parse     libconfig reads the file and its @include files
 *   2. override  each --set key.path=value is applied, type-checked
 *   3. schema    every key is checked against the schema (unknown keys are
 *                rejected with the nearest valid key suggested) and every
 *                value against its expected type
 *   4. validate  the parsed struct is checked as a whole: ranges,
 *                probabilities, matrix rows, years in order, names that
 *                refer to each other
 *
 * Nothing gets a silent default: a setting is either given, or documented as
 * optional with its default in docs/config.md.
 */
#ifndef TW_CONFIG_H
#define TW_CONFIG_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "tw_error.h"
#include "tw_world.h"

#define TW_MAX_TIERS 16

typedef enum { TW_MODE_MARKOV = 0, TW_MODE_FULL, TW_N_MODES } tw_mode;

typedef enum {
    TW_RECRUIT_NONE = 0, /* nobody is hired */
    TW_RECRUIT_REPLACE,  /* one hire per leaver, the same year */
    TW_RECRUIT_QUOTA,    /* annual_quota hires a year */
    TW_N_RECRUIT_MODES
} tw_recruit_mode;

typedef struct tw_config_src tw_config_src; /* the parsed libconfig tree */

/* How a target's quantity is computed from a replicate's trajectory. */
typedef enum {
    TW_TARGET_LEVEL,      /* metric(year) */
    TW_TARGET_CUMULATIVE, /* sum of metric(t), t = from .. year */
    TW_TARGET_CHANGE,     /* metric(year) - metric(from) */
    TW_TARGET_EVERY_YEAR, /* metric(t) - metric(t-1) for every t = from ..
                             year; the quantity is the worst of them */
    TW_N_TARGET_KINDS
} tw_target_kind;

typedef enum { TW_OP_GE, TW_OP_GT, TW_OP_LE, TW_OP_LT, TW_N_OPS } tw_op;

/* Where a target is measured: the region's metric, one county's, or every
 * county's (met in a replicate only if every county meets it). */
typedef enum {
    TW_SCOPE_REGION = 0,
    TW_SCOPE_COUNTY,      /* the county named by tw_target.county */
    TW_SCOPE_EACH_COUNTY,
    TW_N_SCOPES
} tw_target_scope;

/* A target of the plan (MODEL.md section 7); strings owned by the config. */
typedef struct tw_target {
    char *name, *metric, *quote, *source, *note;
    char *county;         /* scope county: the county's name, else NULL */
    tw_target_scope scope;
    tw_target_kind kind;
    tw_op op;
    double value;
    int year, from;
    int national;
    char where[160]; /* "file:line" of the target, for messages */
} tw_target;

/* A named policy variant: overrides applied on top of the base config
 * (after the file, before the command line's --set). */
typedef struct tw_scenario {
    char *name, *note;
    char **sets;  /* "key.path=value", owned */
    char **set_where; /* "file:line" of each of sets, owned */
    size_t n_sets;
    char where[160];
} tw_scenario;

/* The cost of one unit of a policy lever (costs[] in the config), for
 * optimize over several levers: the cost of a plan is the sum over its
 * levers of per_unit * value. */
typedef struct tw_cost {
    char *lever;        /* a config key, as given to --lever; owned */
    double per_unit;    /* >= 0, in `unit` */
    char *unit, *source, *note; /* owned; note may be "" */
    char where[160];    /* "file:line" of the entry */
} tw_cost;

/* An uncertain setting (uncertainty.settings[] in the config, docs/
 * config.md "Uncertain settings"): a lever path whose value each
 * parameter point of the ensemble draws from a distribution. */
typedef struct tw_uncertain {
    char *key;          /* the lever path, e.g. "tiers.prob[1]"; owned */
    int dist;           /* tw_dist_kind (tw_design.h): uniform, triangular,
                           normal, beta */
    double p[3];        /* its parameters, as written */
    long rest;          /* share arrays: the element that takes up the
                           difference, so that the shares still sum to one;
                           -1 for none */
    int integer;        /* the key takes whole numbers: draws are rounded */
    char *why;          /* the source or reasoning; owned */
    char where[160];    /* "file:line" of the entry */
} tw_uncertain;

extern const char *const tw_unc_dist_names[4]; /* as written in a config */

/* Replicates at each parameter point unless uncertainty.per_point says:
 * enough to estimate the spread of P(met) over the points. */
#define TW_UNC_PER_POINT 5

extern const char *const tw_target_kind_names[TW_N_TARGET_KINDS];
extern const char *const tw_op_names[TW_N_OPS];
extern const char *const tw_target_scope_names[TW_N_SCOPES];

/* A file, by identity (st_dev, st_ino). */
typedef struct tw_file_id {
    unsigned long long dev, ino;
} tw_file_id;

typedef struct tw_config {
    /* Provenance, all owned by the config. */
    char *path;            /* as given */
    char *text;            /* main file, verbatim */
    char *effective;       /* after @include and --set, libconfig syntax */
    char *by_year;         /* the value of each key set on the command
                              line or changed by the timeline, year by
                              year (docs/hdf5.md /config/by_year) */
    char **notes;          /* one line per timeline entry a --set overrode
                              ("--set K=V overrides the timeline entry at
                              FILE:LINE (YEAR) for every year") */
    size_t n_notes;
    char **overrides;      /* the --set arguments, verbatim */
    size_t n_overrides;
    tw_file_id *sources;   /* the files read: main, then its @includes; no
                              output may replace one (tw_output.h) */
    size_t n_sources;

    char *region_name;     /* region.name, "" when absent */
    tw_script script;      /* region.script (default simplified): the
                              script of the labels the engine writes */

    /* simulation */
    tw_mode mode;
    int base_year, end_year;   /* recorded years: base_year .. end_year */
    uint32_t replicates;
    uint64_t seed;

    /* tiers: the training ladder, lowest first */
    size_t n_tiers;
    char *tier_names[TW_MAX_TIERS];                 /* UTF-8 */
    double transition[TW_MAX_TIERS][TW_MAX_TIERS];  /* row: from, col: to */

    /* teachers */
    int64_t tier_counts[TW_MAX_TIERS];

    /* recruitment */
    tw_recruit_mode recruit_mode;
    size_t entry_tier;       /* index into tier_names */
    int64_t annual_quota;

    /* targets */
    size_t n_targets;
    tw_target *targets;

    /* scenarios (the base is not listed; see tw_config_load_scenario) */
    size_t n_scenarios;
    tw_scenario *scenarios;

    /* costs of policy levers (optimize over several levers) */
    size_t n_costs;
    tw_cost *costs;

    /* uncertain settings (uncertainty in the config): each replicate of
     * an ensemble runs at one parameter point of a design over them */
    size_t n_unc;
    tw_uncertain *unc;
    int unc_design;          /* tw_design_kind: 0 "lhs", 1 "sobol" */
    uint32_t unc_per_point;  /* replicates run at each point (>= 1) */
    char unc_where[160];     /* "file:line" of the uncertainty group */

    int unc_fixed;           /* loaded at one parameter point
                                (tw_config_load_point): its uncertain
                                settings are fixed by the draws */
    double *draw_range;      /* tw_config_load_point: [n_draws][2], the
                                range the reader checked each draw's key
                                against (-inf, inf when none) */
    char *scenario;          /* the scenario loaded (tw_config_load_
                                scenario), NULL for the base */

    /* full mode: structure, initial stock tables and parameters for every
     * year and county (NULL in markov mode) */
    tw_world *world;

    tw_config_src *src;      /* kept for messages that point at lines */
} tw_config;

/*
 * Load `path`, apply the `n_overrides` strings "key.path=value" in order,
 * check and validate. On success *out is a new config owned by the caller
 * (tw_config_free). On failure returns TW_EINPUT (bad input, with every
 * problem found, one per line, in err) or TW_EFAIL (memory), and *out is
 * NULL.
 */
int tw_config_load(const char *path, const char *const *overrides,
                   size_t n_overrides, tw_config **out, tw_error *err);

/*
 * Load `path` as scenario `scenario` (NULL or "base": the base config):
 * the scenario's overrides are applied after the file and before the
 * `n_overrides` command-line ones. Unknown scenario: TW_EINPUT naming the
 * valid ones. Each line of a problem names the scenario: one caused by a
 * scenario's own `set` entry starts with that entry's file:line, any other
 * ends with "(in scenario 'NAME', file:line)".
 */
int tw_config_load_scenario(const char *path, const char *scenario,
                            const char *const *overrides, size_t n_overrides,
                            tw_config **out, tw_error *err);

/*
 * Load cfg's file again, with cfg's own overrides (its scenario's and the
 * command line's) and then `n_draws` more: the values of the uncertain
 * settings at one parameter point, "key=value" each. Unlike a --set, a
 * draw may set an uncertain key. As tw_config_load otherwise.
 */
int tw_config_load_point(const tw_config *cfg, const char *const *draws,
                         size_t n_draws, tw_config **out, tw_error *err);

/* Print each of cfg->notes to f as "twsim: LINE". */
void tw_config_print_notes(FILE *f, const tw_config *cfg);

/* Free a config; safe on NULL. */
void tw_config_free(tw_config *cfg);

/* Number of recorded years, end_year - base_year + 1. Inline: the model
 * layer reads the config struct but calls nothing of the loader's. */
static inline size_t tw_config_n_years(const tw_config *cfg)
{
    return (size_t)(cfg->end_year - cfg->base_year + 1);
}

/* Name of a mode / recruitment mode as written in the config. */
const char *tw_mode_name(tw_mode m);
const char *tw_recruit_mode_name(tw_recruit_mode m);

/* Print the schema (every valid key, its type and meaning) to `f`. */
void tw_config_print_schema(FILE *f);

/* What a config key takes, as the schema knows it (for checking a value
 * before a config is loaded, e.g. a lever of twsim optimize). */
typedef enum {
    TW_KEY_UNKNOWN, /* not a config key */
    TW_KEY_WHOLE,   /* a whole number */
    TW_KEY_NUMBER,  /* any number */
    TW_KEY_OTHER    /* a string, bool, array or group */
} tw_key_type;

/* The type of key `path` ("recruitment.channels.open.cohort",
 * "exit.base.primary"); *words (if not NULL) gets a static description,
 * e.g. "a whole number". */
tw_key_type tw_config_key_type(const char *path, const char **words);

/*
 * The numbers now at the --set path `lhs` (KEY, KEY[i], LIST[i].KEY,
 * LIST[i].KEY[j], LIST[*].KEY[j] ...) in cfg's effective tree (the base
 * values, after every --set and with the national defaults; not the
 * timeline's values): each addressed scalar in order (for [*] one per
 * list element; for a whole array, KEY without [i], the array's entries).
 * The first `cap` of them go into out; *n gets how many there are, which
 * may be more than cap (then only cap were written: call again with room
 * for *n). county., timeline. and @YEAR paths are refused. TW_OK, or
 * TW_EINPUT with the reason (no such key, not numeric, index out of range)
 * in err.
 */
int tw_config_numbers_at(const tw_config *cfg, const char *lhs, double *out,
                         size_t cap, size_t *n, tw_error *err);

/* How many elements the list of groups at `list` ("population.stages")
 * has in cfg's effective tree; 0 when absent. */
size_t tw_config_list_length(const tw_config *cfg, const char *list);

#endif /* TW_CONFIG_H */
