/*
 * tw_output.h - the one way twsim writes a file (docs/robustness.md).
 *
 * Every command that writes (run, run --all-scenarios, optimize, sweep,
 * compare --store) goes through these steps, so that no output path can
 * destroy data and no failure leaves a file that looks complete:
 *
 *   tw_output_check   before any work: the path is a name for a regular
 *                     file (not empty, not a directory, device, FIFO or
 *                     socket), not the config or a file it @includes, and
 *                     an existing file there is a twsim output (or force)
 *   tw_output_lock    an exclusive lock on "<path>.lock", taken before
 *                     anything is created or truncated; a second writer to
 *                     the same path is refused with the first one's pid
 *   ... the data go to "<path>.partial" (tw_output_partial_name) ...
 *   tw_output_h5_close  every HDF5 close is checked (flush, then close)
 *   tw_output_commit  fsync the partial file, rename it to <path>, fsync
 *                     the directory: a file at <path> is always complete
 *   tw_output_unlock  release and remove the lock file
 *
 * tw_output_begin / tw_output_end bundle these for the writers that make a
 * whole file in one go (sweep, optimize, the scenario merge, compare
 * --store); a run keeps its partial file between sessions (--resume) and
 * uses the steps directly.
 */
#ifndef TW_OUTPUT_H
#define TW_OUTPUT_H

#include <hdf5.h>

#include "tw_config.h"
#include "tw_error.h"

/* What an output path must respect besides being a file name. */
typedef struct tw_output_rules {
    const tw_config *cfg; /* its file and @includes are never written; may
                             be NULL */
    int force;            /* an existing file that is not a twsim output may
                             be replaced */
} tw_output_rules;

/*
 * Check `path` before any work (see above). Returns TW_OK; TW_EFAIL for a
 * path that cannot be a file (empty, a directory, a device, a FIFO, a
 * socket: as every command always did); TW_EINPUT for a file that must not
 * be replaced (the config, an @include, a file that is not a twsim output
 * without force). The message names the path and the way out.
 */
int tw_output_check(const char *path, const tw_output_rules *rules,
                    tw_error *err);

/*
 * 1 when `path` is a file that twsim wrote, by its own markers
 * (tw_filekind.h: a run, a partial run, a scenarios file, a sweep or
 * optimize table); 0 otherwise, also for anything that is not a regular
 * file (never opened, so a FIFO cannot hang it).
 */
int tw_output_is_twsim(const char *path);

/* An exclusive writer's lock on "<path>.lock". */
typedef struct tw_output_lock {
    int fd;     /* -1 when not held */
    char *name; /* "<path>.lock", owned */
} tw_output_lock;

#define TW_OUTPUT_LOCK_NONE ((tw_output_lock){.fd = -1, .name = NULL})

/*
 * Take the lock for writing `path`, without waiting. When another process
 * holds it: TW_EFAIL, naming that process ("pid N"). The lock file holds
 * this process's pid and is removed by tw_output_unlock. A lock left by a
 * process that was killed is free again (it is an flock), so the next
 * writer takes it over.
 */
int tw_output_lock_take(tw_output_lock *lk, const char *path, tw_error *err);

/* Release the lock and remove its file; safe on a lock not held. */
void tw_output_unlock(tw_output_lock *lk);

/* "<path>.partial", owned by the caller (free); NULL when out of memory. */
char *tw_output_partial_name(const char *path);

/* "<path>.central.run": a run's central run (every uncertain setting at
 * its central value), owned by the caller (free); NULL when out of
 * memory. */
char *tw_output_central_name(const char *path);

/* "<path><suffix>", owned by the caller (free); NULL when out of memory. */
char *tw_output_with_suffix(const char *path, const char *suffix);

/*
 * Flush and close an HDF5 file, checking both (a full disk shows up here
 * when HDF5 writes its cache). The file is closed whatever happens.
 * `name` is for the message.
 */
int tw_output_h5_close(hid_t file, const char *name, tw_error *err);

/*
 * Make the finished `partial` durable and give it the name `path`: fsync
 * it, rename it, fsync the directory. On failure `partial` is left as it
 * is and TW_EFAIL returned.
 */
int tw_output_commit(const char *partial, const char *path, tw_error *err);

/* A writer that makes a whole file in one go. */
typedef struct tw_output {
    char *path;          /* final name, owned */
    char *partial;       /* "<path>.partial", owned: write here */
    tw_output_lock lock;
} tw_output;

/*
 * Check `path` (tw_output_check), take its lock, and name the partial file
 * in o->partial, which the caller creates (truncating any stale one: the
 * lock says no other writer has it). On failure nothing is held.
 */
int tw_output_begin(tw_output *o, const char *path,
                    const tw_output_rules *rules, tw_error *err);

/*
 * With ok: commit o->partial to o->path (tw_output_commit); otherwise, or
 * when that fails, remove o->partial. Then release the lock and free o's
 * names. Returns TW_OK when the file is in place, else TW_EFAIL (err set
 * when the commit failed; left alone when !ok).
 */
int tw_output_end(tw_output *o, int ok, tw_error *err);

#endif /* TW_OUTPUT_H */
