/*
 * tw_merge.h - put the slices of an ensemble back together (twsim merge,
 * docs/cluster.md).
 *
 * A slice (twsim run --replicates FIRST:COUNT) holds replicates FIRST ..
 * FIRST+COUNT-1 of the whole run, each with the random stream and
 * parameter point it has there. tw_merge copies the slices' rows into the
 * partial file of the whole run, every replicate done, and ends it as a
 * run ends (tw_ens_finish: summaries, targets, /uncertainty and
 * /sensitivity, the final file): the result is the whole run's file,
 * bitwise, but for /provenance.
 */
#ifndef TW_MERGE_H
#define TW_MERGE_H

#include <stddef.h>

#include "tw_error.h"

typedef struct tw_merge_opts {
    const char *out_path;  /* the merged file (via "<out>.partial") */
    int force;             /* 1: an existing out_path may be replaced */
} tw_merge_opts;

typedef struct tw_merge_stats {
    size_t parts;          /* files merged (the ensemble's) */
    size_t replicates;     /* in the merged file */
    int central;           /* 1: the central run's slices were merged too */
} tw_merge_stats;

/*
 * Merge the n part files parts[0..n) (in any order) into opts->out_path.
 * Before anything is written, every part must be a complete twsim run
 * file of the same format version, engine version and git commit (this
 * twsim's), seed, mode and effective config (/config/effective), with the
 * same parts of a row; the slices must not overlap and must cover
 * replicates 0 .. R-1; the config (its file, as recorded, with the
 * recorded --set overrides) must load to the same effective config. A
 * config with uncertain settings also needs each part's central run,
 * "<part>.central.run" (kept by the slice's run), merged the same way.
 * A refusal is TW_EINPUT with err naming the part; nothing is written.
 * An existing out_path is replaced only with opts->force. stats may be
 * NULL.
 */
int tw_merge(const char *const *parts, size_t n, const tw_merge_opts *opts,
             tw_merge_stats *stats, tw_error *err);

#endif /* TW_MERGE_H */
