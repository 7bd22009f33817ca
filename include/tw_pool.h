/*
 * tw_pool.h - worker threads that run replicates (POSIX threads).
 *
 * A pool is n threads, each with its own tw_worker on one shared,
 * read-only tw_model (tw_model.h). One thread, the coordinator (the one
 * that started the pool), queues tasks and collects them when finished;
 * only the coordinator touches HDF5 or MPI, so neither needs to be
 * thread-safe.
 *
 *      coordinator                       threads 1..n
 *   push(rep, row) --> [queue, FIFO] --> tw_worker_run(rep) fills row
 *   collect()      <-- [finished]    <--+
 *
 * A thread takes the oldest queued task whenever it is idle, so threads
 * stay busy when replicates differ in cost. Replicate k's trajectory
 * depends only on (config, seed, scenario, k) (docs/model.md, "Random
 * streams"), never on the thread that ran it or on the order.
 */
#ifndef TW_POOL_H
#define TW_POOL_H

#include <stddef.h>
#include <stdint.h>

#include "tw_error.h"
#include "tw_model.h"

/* One replicate to run: its index and the row (tw_model_traj_len doubles,
 * owned by the caller, untouched by anyone else until collected) that
 * receives its trajectory. */
typedef struct tw_task {
    uint64_t rep;
    double *row;
    tw_work work;   /* set when the task finishes */
} tw_task;

typedef struct tw_pool tw_pool;

/*
 * CPUs this process may run on (its affinity mask, which taskset, Slurm
 * and mpirun's binding narrow; else the online CPUs); at least 1.
 */
size_t tw_pool_cpus(void);

/*
 * Start n_threads (>= 1) threads for model m (borrowed; must outlive the
 * pool), running scenario `scenario`. The threads block SIGINT and
 * SIGTERM, so that a handler runs on the coordinator, which alone reads
 * the flag the handler sets and calls tw_pool_halt() (a flag that threads
 * read while a handler writes it would be a data race). Returns NULL with
 * err set when memory or threads run out. Free with tw_pool_free().
 */
tw_pool *tw_pool_start(const tw_model *m, uint32_t scenario, size_t n_threads,
                       tw_error *err);

/* Queue n tasks (copied), at any time, as often as needed (run.c pushes
 * one for each row it gets back). The pool's memory follows the tasks in
 * flight, not the total. TW_OK, or TW_EFAIL when memory runs out. */
int tw_pool_push(tw_pool *p, const tw_task *t, size_t n, tw_error *err);

/*
 * Move up to cap finished tasks into out[] and return how many. If none
 * is finished, wait for one up to timeout_s seconds (0: do not wait).
 */
size_t tw_pool_collect(tw_pool *p, tw_task *out, size_t cap,
                       double timeout_s);

/*
 * Halt: no thread starts another task; the queued ones are dropped (their
 * rows are the caller's again, never written). Tasks in progress finish
 * and can still be collected.
 */
void tw_pool_halt(tw_pool *p);

/* Tasks queued (not started) and running, at the time of the call. */
void tw_pool_counts(tw_pool *p, size_t *queued, size_t *running);

/*
 * TW_OK, or the first failure of a task (its message copied into err, if
 * err is not NULL). A failure halts the pool.
 */
int tw_pool_error(tw_pool *p, tw_error *err);

/* Stop and join the threads (waiting for tasks in progress), free every
 * worker and the pool. Safe on NULL. */
void tw_pool_free(tw_pool *p);

#endif /* TW_POOL_H */
