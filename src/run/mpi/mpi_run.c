/*
 * mpi_run.c - the ensemble on MPI ranks with parallel HDF5 (tw_mpi.h).
 *
 *   rank 0                               every rank (0 too)
 *   create or resume FILE.partial,
 *   allocate the missing rows'
 *   chunks (tw_h5_preallocate),
 *   close it; broadcast done[]     -->   pending = replicates not done
 *                                        open FILE.partial with MPI-IO
 *   round (until all done, a stop or a failure):
 *     hand out blocks of pending   <-->  ask for a block when the local
 *     (requests from any rank,           queue runs low; threads run it
 *     shrinking blocks: dynamic)
 *     after `checkpoint` s: answer
 *     every request "round over"   -->   finish the queue
 *                                        agree: failure? stop? more?
 *                                        collective write of the rows
 *                                        finished this round, flush
 *   close; reopen serially; read the
 *   trajectories back in blocks for
 *   summaries, targets; rename;
 *   broadcast status
 *
 * Which rank runs which replicate depends on timing, the result does
 * not: replicate k depends only on (config, seed, scenario, k). The file
 * is created and finished by the serial writer (h5.c), so its layout and
 * its summaries are those of a serial run, byte for byte in every
 * dataset.
 *
 * Ranks never block inside MPI while they wait (for a reply, a round, the
 * end): they poll and sleep, so that ranks oversubscribing a node do not
 * spin against the ranks that compute.
 */
#include "tw_mpi.h"

#include <limits.h>
#include <mpi.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../run_priv.h"
#include "tw_h5.h"
#include "tw_pool.h"

enum { TAG_REQ = 11, TAG_GRANT = 12, TAG_ERRMSG = 13 };

/*
 * Rank 0's read-back block at the end (tw_ens_finish; run.c uses
 * TW_ENS_BLOCK_BYTES, 32 MiB). Each block costs one serial pass that
 * decompresses the whole file (~5 s for 100,000 Chengdu replicates), while
 * the ranks that computed them wait: on a cluster that time matters more
 * than the memory, so up to 1 GiB is read in one pass (100,000 Chengdu
 * replicates: 708 MB). The ranks' own rows never outlive a round.
 */
#define MPI_BLOCK_BYTES ((size_t)1 << 30)

/* A request to rank 0 (int64 each): replicates wanted (0 with a stop or
 * failure), replicates finished so far on the rank, its stop signal, 1 if
 * it failed. */
enum { RQ_WANT, RQ_DONE, RQ_SIG, RQ_FAIL, RQ_N };
/* The answer: first position in pending[], count (0: the round is over),
 * 1 if the ensemble stops (drop the queue). */
enum { GR_FIRST, GR_COUNT, GR_HALT, GR_N };

int tw_mpi_init(int *argc, char ***argv, tw_error *err)
{
    int provided = 0;
    if (MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided) !=
        MPI_SUCCESS)
        return tw_error_set(err, TW_EFAIL, "cannot start MPI");
    /* MPI's own errors (a lost node, a broken network) keep the default
     * handler, which ends the job: nothing here could recover from them.
     * twsim's failures are agreed on and returned (tw_mpi_agree). */
    return TW_OK;
}

void tw_mpi_finalize(void)
{
    MPI_Finalize();
}

int tw_mpi_rank(void)
{
    int r = 0;
    MPI_Comm_rank(MPI_COMM_WORLD, &r);
    return r;
}

int tw_mpi_size(void)
{
    int s = 1;
    MPI_Comm_size(MPI_COMM_WORLD, &s);
    return s;
}

/* Wait for r without spinning: test, then sleep a little longer each time
 * up to 1 ms. */
static void wait_quietly(MPI_Request *r, MPI_Status *st)
{
    long ns = 20000;
    for (;;) {
        int flag = 0;
        MPI_Test(r, &flag, st ? st : MPI_STATUS_IGNORE);
        if (flag)
            return;
        struct timespec ts = { 0, ns };
        nanosleep(&ts, NULL);
        if (ns < 1000000)
            ns *= 2;
    }
}

int tw_mpi_agree(int rc, tw_error *err)
{
    int rank = tw_mpi_rank();
    struct { int v, r; } in = { rc, rank }, all = { 0, 0 };
    MPI_Request req;
    MPI_Iallreduce(&in, &all, 1, MPI_2INT, MPI_MAXLOC, MPI_COMM_WORLD, &req);
    wait_quietly(&req, NULL);
    if (all.v == TW_OK || all.r == 0)
        return all.v;
    /* the message of the lowest failing rank, to rank 0 */
    if (rank == all.r) {
        char msg[TW_ERROR_MSG_MAX];
        snprintf(msg, sizeof msg, "%s", err && err->msg[0] ? err->msg
                                                            : "failed");
        MPI_Isend(msg, (int)sizeof msg, MPI_CHAR, 0, TAG_ERRMSG,
                  MPI_COMM_WORLD, &req);
        wait_quietly(&req, NULL);
    } else if (rank == 0) {
        char msg[TW_ERROR_MSG_MAX];
        MPI_Irecv(msg, (int)sizeof msg, MPI_CHAR, all.r, TAG_ERRMSG,
                  MPI_COMM_WORLD, &req);
        wait_quietly(&req, NULL);
        msg[sizeof msg - 1] = '\0';
        tw_error_set(err, all.v, "rank %d: %s", all.r, msg);
    }
    return all.v;
}

int tw_mpi_bcast_int(int v)
{
    MPI_Request req;
    MPI_Ibcast(&v, 1, MPI_INT, 0, MPI_COMM_WORLD, &req);
    wait_quietly(&req, NULL);
    return v;
}

void tw_mpi_sum_doubles(double *v, size_t n)
{
    /* in pieces that fit an int count */
    while (n > 0) {
        int k = n > (size_t)1 << 30 ? 1 << 30 : (int)n;
        MPI_Request req;
        MPI_Iallreduce(MPI_IN_PLACE, v, k, MPI_DOUBLE, MPI_SUM,
                       MPI_COMM_WORLD, &req);
        wait_quietly(&req, NULL);
        v += k;
        n -= (size_t)k;
    }
}

/* Element-wise max (or sum) of n int64 over all ranks, in place. */
static void reduce_i64(int64_t *v, int n, MPI_Op op)
{
    MPI_Request req;
    MPI_Iallreduce(MPI_IN_PLACE, v, n, MPI_INT64_T, op, MPI_COMM_WORLD,
                   &req);
    wait_quietly(&req, NULL);
}

/* Broadcast n bytes from rank 0, in pieces that fit an int count. */
static void bcast_bytes(void *buf, size_t n)
{
    unsigned char *p = buf;
    while (n > 0) {
        int k = n > (size_t)INT_MAX ? INT_MAX : (int)n;
        MPI_Request req;
        MPI_Ibcast(p, k, MPI_BYTE, 0, MPI_COMM_WORLD, &req);
        wait_quietly(&req, NULL);
        p += k;
        n -= (size_t)k;
    }
}

void tw_mpi_bcast_bytes(void *buf, size_t n)
{
    bcast_bytes(buf, n);
}

/*
 * Threads per rank by default: the CPUs this rank may use, but no more
 * than its share of the node's CPUs, so that ranks that mpirun did not
 * bind (or oversubscribed) do not each take every core. Collective.
 */
static size_t default_threads(void)
{
    MPI_Comm node;
    int local = 1;
    if (MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, 0,
                            MPI_INFO_NULL, &node) == MPI_SUCCESS) {
        MPI_Comm_size(node, &local);
        MPI_Comm_free(&node);
    }
    long online = sysconf(_SC_NPROCESSORS_ONLN);
    size_t share = online > 0 ? (size_t)online / (size_t)local : 1;
    size_t cpus = tw_pool_cpus();
    size_t t = cpus < share ? cpus : share;
    return t > 0 ? t : 1;
}

size_t tw_mpi_default_threads(void)
{
    return default_threads();
}

/* The state of one rank's coordinator (its main thread). */
typedef struct coord {
    int rank, size;
    const size_t *pending;     /* replicates to run, ascending, same on
                                  every rank */
    size_t npend;
    size_t offset;             /* a slice's first replicate: pending[] are
                                  rows of the file, the streams are
                                  offset + row (tw_ens.first) */
    size_t next;               /* rank 0: next position to hand out */
    size_t all_threads;        /* over all ranks */
    size_t threads;            /* this rank's */
    size_t len;                /* doubles per row */
    tw_pool *pool;
    volatile sig_atomic_t *stop;
    tw_task *fin;              /* finished this round */
    size_t nfin, fincap;
    double **rows;             /* [nrows] every row handed to the threads
                                  this round (some may be dropped by a
                                  halt); freed after the round's write */
    size_t nrows, rowcap;
    size_t completed;          /* finished on this rank, whole run */
    uint64_t teacher_years;    /* tw_task.work of the rows written by */
    uint64_t draws;            /* this rank, summed */
    double h5_seconds;         /* in the collective writes */
    double t0;                 /* start of the run (for the rate) */
    int failed;                /* a local failure (err holds it) */
    tw_error *err;
    /* rank 0 only */
    int64_t *rank_done;        /* [size] finished per rank, as last told */
    tw_progress pr;
    size_t resumed;
} coord;

/* Replicates to ask for now: when fewer than one per thread are queued,
 * enough for about 20 ms of work (at least two per thread). */
static size_t want_more(coord *c)
{
    size_t queued, running;
    tw_pool_counts(c->pool, &queued, &running);
    if (queued >= c->threads)
        return 0;
    size_t window = 2 * c->threads;
    double el = tw_now() - c->t0;
    if (c->completed > 0 && el > 0) {
        double w = (double)c->completed / el * 0.02;
        if (w > (double)window)
            window = w > 4096 ? 4096 : (size_t)w;
    }
    return window > queued ? window - queued : 0;
}

/* Rank 0: up to `want` positions of pending[] from c->next; guided: never
 * more than 1/(2 * all threads) of what is left, so that the last blocks
 * are small and no rank is left with a long tail. */
static size_t dispense(coord *c, size_t want, size_t *first)
{
    size_t left = c->npend - c->next;
    size_t cap = left / (2 * c->all_threads);
    if (cap < 1)
        cap = 1;
    size_t k = want < cap ? want : cap;
    if (k > left)
        k = left;
    *first = c->next;
    c->next += k;
    return k;
}

/* Queue positions [first, first + k) of pending[] on this rank's threads,
 * each with a new row. */
static void queue_block(coord *c, size_t first, size_t k)
{
    tw_task t;
    for (size_t i = 0; i < k && !c->failed; i++) {
        if (c->nrows == c->rowcap) {
            size_t cap = c->rowcap ? 2 * c->rowcap : 64;
            double **r = realloc(c->rows, cap * sizeof *r);
            if (r == NULL)
                goto oom;
            c->rows = r;
            c->rowcap = cap;
        }
        t.rep = c->offset + c->pending[first + i];
        if ((t.row = malloc(c->len * sizeof *t.row)) == NULL)
            goto oom;
        c->rows[c->nrows++] = t.row;
        if (tw_pool_push(c->pool, &t, 1, c->err) != TW_OK)
            c->failed = 1;
    }
    return;
oom:
    tw_error_set(c->err, TW_EFAIL, "out of memory for a replicate");
    c->failed = 1;
}

/* Free the rows of the round (none is in use: the threads are idle). */
static void free_rows(coord *c)
{
    for (size_t i = 0; i < c->nrows; i++)
        free(c->rows[i]);
    c->nrows = 0;
    c->nfin = 0;
}

/* Move finished tasks into c->fin; returns how many. */
static size_t collect(coord *c, double timeout_s)
{
    size_t queued, running;
    tw_pool_counts(c->pool, &queued, &running);
    size_t room = queued + running;
    if (c->nfin + room + 1 > c->fincap) {
        size_t cap = c->fincap ? c->fincap : 64;
        while (cap < c->nfin + room + 1)
            cap *= 2;
        tw_task *f = realloc(c->fin, cap * sizeof *f);
        if (f == NULL) {
            tw_error_set(c->err, TW_EFAIL, "out of memory");
            c->failed = 1;
            return 0;
        }
        c->fin = f;
        c->fincap = cap;
    }
    size_t n = tw_pool_collect(c->pool, c->fin + c->nfin,
                               c->fincap - c->nfin, timeout_s);
    c->nfin += n;
    c->completed += n;
    return n;
}

/* A local stop or failure: halt this rank's threads once. Returns the
 * signal number (0: none). */
static int check_local(coord *c, int *halted)
{
    int sig = c->stop ? (int)*c->stop : 0;
    if (!c->failed && tw_pool_error(c->pool, c->err) != TW_OK)
        c->failed = 1;
    if ((sig || c->failed) && !*halted) {
        tw_pool_halt(c->pool);
        *halted = 1;
    }
    return sig;
}

static void show_progress(coord *c)
{
    int64_t sum = (int64_t)c->resumed + (int64_t)c->completed;
    for (int r = 1; r < c->size; r++)
        sum += c->rank_done[r];
    tw_progress_show(&c->pr, (size_t)sum);
}

/*
 * Rank 0's round: run its own blocks and answer every other rank until
 * each has been told that the round is over (after `deadline`, a stop or
 * a failure anywhere, or when nothing is left), and its own threads are
 * idle. *gsig receives the highest stop signal seen.
 */
static void round_master(coord *c, double deadline, int *gsig)
{
    int ending = 0, halted = 0, others_ended = 0, gfail = 0;
    int64_t rq[RQ_N], gr[GR_N];
    MPI_Request rreq = MPI_REQUEST_NULL;
    MPI_Status st;
    if (c->size > 1)
        MPI_Irecv(rq, RQ_N, MPI_INT64_T, MPI_ANY_SOURCE, TAG_REQ,
                  MPI_COMM_WORLD, &rreq);
    for (;;) {
        size_t queued, running;
        tw_pool_counts(c->pool, &queued, &running);
        size_t got = collect(c, 0.001);
        int sig = check_local(c, &halted);
        int pushed = 0;     /* queued after the counts were taken */
        if (sig > *gsig)
            *gsig = sig;
        gfail |= c->failed;
        if (!ending && (tw_now() >= deadline || *gsig || gfail ||
                        c->next == c->npend))
            ending = 1;
        if (!ending && !halted) {
            size_t want = want_more(c), first;
            if (want > 0) {
                size_t k = dispense(c, want, &first);
                queue_block(c, first, k);
                pushed = k > 0;
            }
        }
        /* answer every request that has arrived */
        while (rreq != MPI_REQUEST_NULL) {
            int flag = 0;
            MPI_Test(&rreq, &flag, &st);
            if (!flag)
                break;
            int src = st.MPI_SOURCE;
            c->rank_done[src] = rq[RQ_DONE];
            if (rq[RQ_SIG] > *gsig)
                *gsig = (int)rq[RQ_SIG];
            gfail |= rq[RQ_FAIL] != 0;
            if (*gsig || gfail)
                ending = 1;
            gr[GR_FIRST] = 0;
            gr[GR_COUNT] = 0;
            gr[GR_HALT] = *gsig || gfail;
            if (!ending && rq[RQ_WANT] > 0) {
                size_t first;
                gr[GR_COUNT] = (int64_t)dispense(c, (size_t)rq[RQ_WANT],
                                                 &first);
                gr[GR_FIRST] = (int64_t)first;
                if (c->next == c->npend)
                    ending = 1;
            }
            if (gr[GR_COUNT] == 0)
                others_ended++;
            MPI_Send(gr, GR_N, MPI_INT64_T, src, TAG_GRANT, MPI_COMM_WORLD);
            if (others_ended < c->size - 1)
                MPI_Irecv(rq, RQ_N, MPI_INT64_T, MPI_ANY_SOURCE, TAG_REQ,
                          MPI_COMM_WORLD, &rreq);
        }
        if ((*gsig || gfail) && !halted) {
            tw_pool_halt(c->pool);
            halted = 1;
        }
        if (got > 0)
            show_progress(c);
        /* counted before collecting and nothing queued since: every
         * replicate of the round is collected */
        if (ending && others_ended == c->size - 1 && running == 0 &&
            (queued == 0 || halted) && !pushed)
            break;
    }
}

/*
 * Another rank's round: ask rank 0 for blocks whenever the local queue
 * runs low, until it answers that the round is over; then finish the
 * queue (or drop it, after a stop or failure).
 */
static void round_worker(coord *c)
{
    int halted = 0, ended = 0, waiting = 0;
    int64_t rq[RQ_N], gr[GR_N];
    MPI_Request sreq = MPI_REQUEST_NULL, rreq = MPI_REQUEST_NULL;
    for (;;) {
        size_t queued, running;
        tw_pool_counts(c->pool, &queued, &running);
        collect(c, waiting ? 0.0002 : 0.001);
        int sig = check_local(c, &halted);
        if (waiting) {
            int flag = 0;
            MPI_Test(&rreq, &flag, MPI_STATUS_IGNORE);
            if (flag) {
                MPI_Wait(&sreq, MPI_STATUS_IGNORE);
                waiting = 0;
                if (gr[GR_HALT] && !halted) {
                    tw_pool_halt(c->pool);
                    halted = 1;
                }
                if (gr[GR_COUNT] == 0)
                    ended = 1;
                else if (!halted)
                    queue_block(c, (size_t)gr[GR_FIRST],
                                (size_t)gr[GR_COUNT]);
                continue;   /* the queue changed: count again */
            }
        }
        if (!waiting && !ended) {
            size_t want = halted ? 0 : want_more(c);
            if (halted || want > 0) {
                rq[RQ_WANT] = (int64_t)want;
                rq[RQ_DONE] = (int64_t)c->completed;
                rq[RQ_SIG] = sig;
                rq[RQ_FAIL] = c->failed;
                MPI_Isend(rq, RQ_N, MPI_INT64_T, 0, TAG_REQ, MPI_COMM_WORLD,
                          &sreq);
                MPI_Irecv(gr, GR_N, MPI_INT64_T, 0, TAG_GRANT,
                          MPI_COMM_WORLD, &rreq);
                waiting = 1;
            }
        }
        if (ended && running == 0 && (queued == 0 || halted))
            break;
    }
}

static int cmp_task(const void *a, const void *b)
{
    uint64_t x = ((const tw_task *)a)->rep, y = ((const tw_task *)b)->rep;
    return x < y ? -1 : x > y;
}

/* Collective: write the rows this rank finished this round, in replicate
 * order, and free them. */
static int write_round(coord *c, tw_h5_par *par, tw_error *err)
{
    size_t n = c->nfin;
    int rc = TW_OK;
    size_t *reps = malloc((n ? n : 1) * sizeof *reps);
    double *rows = malloc((n ? n * c->len : 1) * sizeof *rows);
    if (reps == NULL || rows == NULL) {
        /* still take part in the collective write, with nothing */
        rc = tw_error_set(err, TW_EFAIL, "out of memory writing %zu "
                          "replicates", n);
        n = 0;
    }
    qsort(c->fin, c->nfin, sizeof *c->fin, cmp_task);
    for (size_t i = 0; i < n; i++) {
        reps[i] = (size_t)c->fin[i].rep - c->offset;
        memcpy(rows + i * c->len, c->fin[i].row, c->len * sizeof *rows);
        c->teacher_years += c->fin[i].work.teacher_years;
        c->draws += c->fin[i].work.draws;
    }
    double t0 = tw_now();
    int wrc = tw_h5_par_write(par, n, reps, rows, rc == TW_OK ? err : NULL);
    c->h5_seconds += tw_now() - t0;
    if (rc == TW_OK)
        rc = wrc;
    free_rows(c);
    free(reps);
    free(rows);
    return rc;
}

/*
 * The rounds, on every rank, over an open parallel file: returns TW_OK
 * when every pending replicate is written, TW_ESTOPPED after a stop, or a
 * failure agreed on by all ranks (rank 0's err holds the message).
 */
static int run_rounds(coord *c, tw_h5_par *par, double checkpoint,
                      size_t *written, int *stop_signal, tw_error *err)
{
    int rc = TW_OK;
    for (;;) {
        int gsig = 0;
        if (c->rank == 0)
            round_master(c, tw_now() + checkpoint, &gsig);
        else
            round_worker(c);
        /* failure anywhere: agreed on before anything is written */
        rc = tw_mpi_agree(!c->failed ? TW_OK
                          : err->code != TW_OK ? err->code : TW_EFAIL, err);
        if (rc != TW_OK)
            break;
        int64_t v[2] = { c->stop ? (int64_t)*c->stop : 0,
                         c->rank == 0 && c->next < c->npend };
        if (v[0] < gsig)
            v[0] = gsig;
        int64_t n[1] = { (int64_t)c->nfin };
        rc = write_round(c, par, err);
        rc = tw_mpi_agree(rc, err);
        if (rc != TW_OK)
            break;
        reduce_i64(v, 2, MPI_MAX);
        reduce_i64(n, 1, MPI_SUM);
        *written += (size_t)n[0];
        if (c->rank == 0)
            tw_progress_show(&c->pr, c->resumed + *written);
        if (v[0] != 0) {
            *stop_signal = (int)v[0];
            return TW_ESTOPPED;
        }
        if (v[1] == 0)
            break;
    }
    return rc;
}

int tw_mpi_run(const tw_config *cfg, const tw_run_opts *opts,
               tw_run_stats *stats, tw_error *err)
{
    tw_run_stats local;
    stats = tw_stats_begin(stats, &local);
    double start = tw_now();
    int rank = tw_mpi_rank(), size = tw_mpi_size();
    int rc;

    if (opts->mean_field) {
        /* one deterministic "replicate": rank 0 alone, serially */
        rc = rank == 0 ? tw_run(cfg, opts, stats, err) : TW_OK;
        rc = tw_mpi_agree(rc, err);
        bcast_bytes(stats, sizeof *stats);
        stats->ranks = (size_t)size;
        return rc;
    }

    tw_ens e;
    coord c;
    memset(&c, 0, sizeof c);
    tw_h5_par *par = NULL;
    unsigned char *done = NULL;
    size_t *pending = NULL;
    int state[3] = { 0, 0, 0 };   /* resuming, complete, created */
    tw_output_lock lock = TW_OUTPUT_LOCK_NONE; /* rank 0, the whole run */
    size_t written = 0;

    rc = tw_ens_init(&e, cfg, opts, err);
    rc = tw_mpi_agree(rc, err);
    if (rc != TW_OK)
        goto out_free;
    e.block_bytes = MPI_BLOCK_BYTES;
    stats->replicates = e.reps;
    stats->ranks = (size_t)size;
    done = calloc(e.reps, 1);
    pending = malloc(e.reps * sizeof *pending);
    rc = done && pending ? TW_OK
                         : tw_error_set(err, TW_EFAIL, "out of memory");

    /* Rank 0 creates or checks the partial file with the serial writer. */
    if (rank == 0 && rc == TW_OK) {
        tw_h5_out *h = NULL;
        rc = tw_ens_prepare_output(&e, cfg, opts, &lock, &state[0],
                                   &state[1], err);
        if (rc == TW_OK && !state[1]) {
            if (state[0])
                rc = tw_h5_resume(opts->out_path, &e.meta, &h, done, NULL,
                                  err);
            else
                rc = tw_h5_create(opts->out_path, &e.meta, &h, err);
            state[2] = rc == TW_OK && !state[0];
            if (rc == TW_OK)
                rc = tw_h5_preallocate(h, err);
            if (rc == TW_OK) {
                rc = tw_h5_suspend(h, err);
                h = NULL;
            }
            if (h != NULL)
                tw_h5_abort(h);   /* deletes a file it created */
        }
    }
    rc = tw_mpi_agree(rc, err);
    if (rc != TW_OK)
        goto out;
    {
        MPI_Request req;
        MPI_Ibcast(state, 3, MPI_INT, 0, MPI_COMM_WORLD, &req);
        wait_quietly(&req, NULL);
    }
    if (state[1]) {
        stats->already_complete = 1;
        stats->done = e.reps;
        goto out;
    }
    bcast_bytes(done, e.reps);
    for (size_t r = 0; r < e.reps; r++) {
        if (done[r])
            stats->resumed++;
        else
            pending[c.npend++] = r;
    }
    stats->done = stats->resumed;

    c.rank = rank;
    c.size = size;
    c.pending = pending;
    c.offset = e.first;
    c.len = e.len;
    c.stop = opts->stop;
    c.err = err;
    c.resumed = stats->resumed;
    c.t0 = tw_now();
    size_t threads = opts->threads ? opts->threads : default_threads();
    int level = MPI_THREAD_SINGLE;
    MPI_Query_thread(&level);
    if (level < MPI_THREAD_FUNNELED)
        threads = 1;   /* the MPI library does not allow threads */
    if (threads > c.npend)
        threads = c.npend > 0 ? c.npend : 1;
    c.threads = threads;
    stats->threads = threads;
    if (c.npend > 0) {
        rc = tw_h5_par_open(opts->out_path, MPI_COMM_WORLD, &e.meta, &par,
                            err);
        rc = tw_mpi_agree(rc, err);
        if (rc != TW_OK)
            goto out;
        if ((c.pool = tw_pool_start(&e.m, opts->scenario, threads, err)) ==
            NULL)
            rc = err ? err->code : TW_EFAIL;
        if (rank == 0 && rc == TW_OK &&
            (c.rank_done = calloc((size_t)size, sizeof *c.rank_done)) ==
                NULL)
            rc = tw_error_set(err, TW_EFAIL, "out of memory");
        rc = tw_mpi_agree(rc, err);
        int64_t all = (int64_t)threads;
        reduce_i64(&all, 1, MPI_SUM);
        c.all_threads = (size_t)all;
        if (rc == TW_OK) {
            tw_progress_init(&c.pr, rank == 0 ? opts->progress : NULL,
                             e.reps);
            double cp = opts->checkpoint > 0 ? opts->checkpoint
                                             : TW_RUN_CHECKPOINT;
            rc = run_rounds(&c, par, cp, &written, &stats->stop_signal,
                            err);
        }
        tw_pool_free(c.pool);
        c.pool = NULL;
        tw_error cerr;
        tw_error_clear(&cerr);
        int crc = tw_mpi_agree(tw_h5_par_close(par, &cerr), &cerr);
        par = NULL;
        if (rc == TW_OK && crc != TW_OK) {
            rc = crc;
            *err = cerr;
        }
    }
    stats->done = stats->resumed + written;
    /* the work of every rank; the HDF5 time is rank 0's (the collective
     * writes hold every rank alike) */
    int64_t work[2] = {(int64_t)c.teacher_years, (int64_t)c.draws};
    reduce_i64(work, 2, MPI_SUM);
    stats->teacher_years = (uint64_t)work[0];
    stats->draws = (uint64_t)work[1];

    /* Rank 0: reopen serially; summaries and targets from the file read
     * back in blocks (tw_ens_finish); rename. */
    if (rank == 0 && rc == TW_OK) {
        tw_h5_out *h = NULL;
        rc = tw_h5_resume(opts->out_path, &e.meta, &h, done, NULL, err);
        size_t missing = 0;
        for (size_t r = 0; rc == TW_OK && r < e.reps; r++)
            missing += !done[r];
        if (rc == TW_OK && missing > 0)
            rc = tw_error_set(err, TW_EFAIL, "internal: %zu replicates are "
                              "missing from %s.partial after the run",
                              missing, opts->out_path);
        if (rc == TW_OK)
            rc = tw_ens_finish(&e, &h, err);
        if (h != NULL)
            tw_h5_abort(h);   /* a resumed handle: the file stays */
    }
    if (rc != TW_ESTOPPED)
        rc = tw_mpi_agree(rc, err);
out:
    /* a file this run created and could not finish is removed */
    if (rank == 0 && rc != TW_OK && rc != TW_ESTOPPED && state[2]) {
        size_t plen = strlen(opts->out_path) + sizeof ".partial";
        char *partial = malloc(plen);
        if (partial != NULL) {
            snprintf(partial, plen, "%s.partial", opts->out_path);
            unlink(partial);
            free(partial);
        }
    }
out_free:
    if (par != NULL)
        tw_h5_par_close(par, NULL);
    tw_output_unlock(&lock);
    tw_pool_free(c.pool);
    stats->h5_seconds = e.h5_seconds + c.h5_seconds;
    stats->seconds = tw_now() - start;
    free_rows(&c);
    free(c.rows);
    free(c.fin);
    free(c.rank_done);
    free(done);
    free(pending);
    tw_ens_free(&e);
    return rc;
}
