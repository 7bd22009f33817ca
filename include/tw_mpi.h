/*
 * tw_mpi.h - ensembles on MPI ranks, written with parallel HDF5
 * (build/twsim-mpi only; docs/cluster.md).
 *
 * Every rank runs the same command with the same config. Replicates are
 * handed out by rank 0 in blocks that shrink as the ensemble ends, so
 * ranks stay busy when replicates differ in cost; each rank runs its
 * blocks on its own threads (tw_pool.h). Every `checkpoint` seconds, all
 * ranks write the replicates they finished into the one output file in a
 * collective parallel-HDF5 write, then go on. At the end rank 0 alone
 * reads the trajectories back and writes the summaries and the target
 * table, exactly as a serial run does, and renames the file.
 *
 * Only the main thread of a rank calls MPI or HDF5
 * (MPI_THREAD_FUNNELED). Every function here is collective over
 * MPI_COMM_WORLD unless it says otherwise.
 */
#ifndef TW_MPI_H
#define TW_MPI_H

#include <stddef.h>

#include "tw_config.h"
#include "tw_error.h"
#include "tw_run.h"

/* MPI_Init_thread for funneled threads. TW_OK or TW_EFAIL (message in
 * err). */
int tw_mpi_init(int *argc, char ***argv, tw_error *err);

/* MPI_Finalize. */
void tw_mpi_finalize(void);

/* This process's rank and the number of ranks (not collective). */
int tw_mpi_rank(void);
int tw_mpi_size(void);

/*
 * Agree on a status: every rank returns the highest rc of all ranks. When
 * it is not TW_OK, rank 0's err holds the message of the lowest rank that
 * had that rc, prefixed "rank K: " when K is not 0.
 */
int tw_mpi_agree(int rc, tw_error *err);

/* Rank 0's value of v, on every rank. */
int tw_mpi_bcast_int(int v);

/* Rank 0's n bytes at buf, into buf on every rank. */
void tw_mpi_bcast_bytes(void *buf, size_t n);

/* The element-wise sum of v[0..n) over all ranks, in place, on every
 * rank. A value that one rank holds and every other rank holds as 0 comes
 * out exactly (sweep: each point is one rank's). */
void tw_mpi_sum_doubles(double *v, size_t n);

/* Threads per rank by default: the CPUs this rank may use, but no more
 * than its share of the node's CPUs. */
size_t tw_mpi_default_threads(void);

/*
 * tw_run() on every rank of MPI_COMM_WORLD: the same file, bitwise the
 * same datasets as a serial run of the same config and seed, whatever the
 * number of ranks and threads. opts must be the same on every rank, but
 * progress is used by rank 0 only. opts->threads is per rank (0: this
 * rank's CPUs shared among the ranks on its node); opts->checkpoint the
 * seconds between collective writes.
 *
 * A stop request (*opts->stop on any rank) ends the current round: what
 * finished is written, the partial file is kept and every rank returns
 * TW_ESTOPPED. A failure on any rank is agreed on, so every rank returns
 * it (rank 0's err holds the message) and the partial file stays valid
 * (removed if this run created it). stats (may be NULL) is the same on
 * every rank.
 */
int tw_mpi_run(const tw_config *cfg, const tw_run_opts *opts,
               tw_run_stats *stats, tw_error *err);

#endif /* TW_MPI_H */
