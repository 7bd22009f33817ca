/* pool.c - worker threads that run replicates (see tw_pool.h). */
#include "tw_pool.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/*
 * Everything below `lock` is guarded by it. The queue is a FIFO array
 * (queue[qhead..qtail)); finished tasks pile up in fin[0..nfin) until the
 * coordinator collects them. `work` wakes idle threads, `ready` the
 * coordinator.
 */
struct tw_pool {
    pthread_mutex_t lock;
    pthread_cond_t work, ready;
    int have_lock, have_work, have_ready;
    uint32_t scenario;
    tw_task *queue;
    size_t qhead, qtail, qcap;
    tw_task *fin;
    size_t nfin, fincap;
    size_t running;
    int halted, quit, failed;
    tw_error first_error;
    size_t n;              /* threads started */
    pthread_t *tid;        /* [n] */
    tw_worker **w;         /* [n_threads] */
    size_t n_workers;
};

typedef struct thread_arg {
    tw_pool *p;
    tw_worker *w;
} thread_arg;

size_t tw_pool_cpus(void)
{
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof set, &set) == 0) {
        int n = CPU_COUNT(&set);
        if (n > 0)
            return (size_t)n;
    }
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (size_t)n : 1;
}

/* Called with the lock held: may an idle thread start a task now? */
static int may_start(const tw_pool *p)
{
    return !p->halted && !p->failed && p->qhead < p->qtail;
}

static void *thread_main(void *arg)
{
    tw_pool *p = ((thread_arg *)arg)->p;
    tw_worker *w = ((thread_arg *)arg)->w;
    free(arg);
    tw_error err;
    tw_error_clear(&err);
    pthread_mutex_lock(&p->lock);
    for (;;) {
        while (!p->quit && !may_start(p))
            pthread_cond_wait(&p->work, &p->lock);
        if (p->quit)
            break;
        tw_task t = p->queue[p->qhead++];
        p->running++;
        pthread_mutex_unlock(&p->lock);

        int rc = tw_worker_run(w, p->scenario, t.rep, t.row, &err);
        if (rc == TW_OK)
            t.work = tw_worker_last_work(w);

        pthread_mutex_lock(&p->lock);
        p->running--;
        if (rc != TW_OK) {
            if (!p->failed) {
                p->failed = 1;
                p->first_error = err;
                p->first_error.code = rc;
            }
        } else {
            /* fincap >= the tasks queued, running and finished, at
             * every push (tw_pool_push), and none is added between */
            p->fin[p->nfin++] = t;
        }
        pthread_cond_signal(&p->ready);
    }
    pthread_mutex_unlock(&p->lock);
    return NULL;
}

tw_pool *tw_pool_start(const tw_model *m, uint32_t scenario, size_t n_threads,
                       tw_error *err)
{
    tw_pool *p = calloc(1, sizeof *p);
    pthread_condattr_t ca;
    int have_ca = 0;
    if (n_threads == 0)
        n_threads = 1;
    if (p == NULL)
        goto oom;
    p->scenario = scenario;
    tw_error_clear(&p->first_error);
    if (pthread_mutex_init(&p->lock, NULL) != 0)
        goto oom;
    p->have_lock = 1;
    /* `ready` is waited on with a timeout: measure it on the monotonic
     * clock so that a change of the wall clock cannot stretch it. */
    if (pthread_condattr_init(&ca) != 0)
        goto oom;
    have_ca = 1;
    if (pthread_condattr_setclock(&ca, CLOCK_MONOTONIC) != 0 ||
        pthread_cond_init(&p->ready, &ca) != 0)
        goto oom;
    p->have_ready = 1;
    if (pthread_cond_init(&p->work, NULL) != 0)
        goto oom;
    p->have_work = 1;
    p->tid = calloc(n_threads, sizeof *p->tid);
    p->w = calloc(n_threads, sizeof *p->w);
    if (p->tid == NULL || p->w == NULL)
        goto oom;
    for (size_t i = 0; i < n_threads; i++) {
        if ((p->w[i] = tw_worker_alloc(m, err)) == NULL)
            goto fail;
        p->n_workers++;
    }
    /* Threads inherit the signal mask: block the stop signals while
     * creating them, so that a handler always runs on the coordinator. */
    sigset_t block, old;
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &block, &old);
    int e = 0;
    for (size_t i = 0; i < n_threads && e == 0; i++) {
        thread_arg *a = malloc(sizeof *a);
        if (a == NULL) {
            e = ENOMEM;
            break;
        }
        a->p = p;
        a->w = p->w[i];
        if ((e = pthread_create(&p->tid[i], NULL, thread_main, a)) != 0)
            free(a);
        else
            p->n++;
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (e != 0) {
        tw_error_set(err, TW_EFAIL, "cannot start %zu worker threads: %s",
                     n_threads, strerror(e));
        goto fail;
    }
    pthread_condattr_destroy(&ca);
    return p;
oom:
    tw_error_set(err, TW_EFAIL, "out of memory for %zu worker threads",
                 n_threads);
fail:
    if (have_ca)
        pthread_condattr_destroy(&ca);
    tw_pool_free(p);
    return NULL;
}

/* Make room for `need` tasks in *v (capacity *cap, doubled from 64);
 * 0, or -1 with *v unchanged when memory runs out. */
static int grow(tw_task **v, size_t *cap, size_t need)
{
    if (need <= *cap)
        return 0;
    size_t c = *cap ? *cap : 64;
    while (c < need)
        c *= 2;
    tw_task *nv = realloc(*v, c * sizeof *nv);
    if (nv == NULL)
        return -1;
    *v = nv;
    *cap = c;
    return 0;
}

int tw_pool_push(tw_pool *p, const tw_task *t, size_t n, tw_error *err)
{
    pthread_mutex_lock(&p->lock);
    /* Compact the queue, then grow it and the finished list so that a
     * thread never has to allocate (fin can hold every task in flight). */
    if (p->qhead > 0) {
        memmove(p->queue, p->queue + p->qhead,
                (p->qtail - p->qhead) * sizeof *p->queue);
        p->qtail -= p->qhead;
        p->qhead = 0;
    }
    size_t need = p->qtail + n;
    size_t fneed = p->nfin + p->running + need;
    int rc = TW_OK;
    if (grow(&p->queue, &p->qcap, need) != 0 ||
        grow(&p->fin, &p->fincap, fneed) != 0)
        goto oom;
    memcpy(p->queue + p->qtail, t, n * sizeof *t);
    p->qtail += n;
    pthread_cond_broadcast(&p->work);
    pthread_mutex_unlock(&p->lock);
    return rc;
oom:
    pthread_mutex_unlock(&p->lock);
    return tw_error_set(err, TW_EFAIL, "out of memory queueing %zu "
                        "replicates", n);
}

size_t tw_pool_collect(tw_pool *p, tw_task *out, size_t cap,
                       double timeout_s)
{
    pthread_mutex_lock(&p->lock);
    if (p->nfin == 0 && timeout_s > 0) {
        struct timespec until;
        clock_gettime(CLOCK_MONOTONIC, &until);
        double whole = (double)(long)timeout_s;
        until.tv_sec += (time_t)whole;
        until.tv_nsec += (long)((timeout_s - whole) * 1e9);
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        /* Nothing can finish while nothing runs or may start. */
        while (p->nfin == 0 && (p->running > 0 || may_start(p)))
            if (pthread_cond_timedwait(&p->ready, &p->lock, &until) ==
                ETIMEDOUT)
                break;
    }
    size_t n = p->nfin < cap ? p->nfin : cap;
    if (n > 0) {
        memcpy(out, p->fin, n * sizeof *out);
        memmove(p->fin, p->fin + n, (p->nfin - n) * sizeof *p->fin);
        p->nfin -= n;
    }
    pthread_mutex_unlock(&p->lock);
    return n;
}

void tw_pool_halt(tw_pool *p)
{
    pthread_mutex_lock(&p->lock);
    p->halted = 1;
    p->qhead = p->qtail = 0;
    pthread_mutex_unlock(&p->lock);
}

void tw_pool_counts(tw_pool *p, size_t *queued, size_t *running)
{
    pthread_mutex_lock(&p->lock);
    /* after a halt or a failure, queued tasks never start */
    int dead = p->halted || p->failed;
    if (queued != NULL)
        *queued = dead ? 0 : p->qtail - p->qhead;
    if (running != NULL)
        *running = p->running;
    pthread_mutex_unlock(&p->lock);
}

int tw_pool_error(tw_pool *p, tw_error *err)
{
    pthread_mutex_lock(&p->lock);
    int rc = p->failed ? p->first_error.code : TW_OK;
    if (rc != TW_OK && err != NULL)
        *err = p->first_error;
    pthread_mutex_unlock(&p->lock);
    return rc;
}

void tw_pool_free(tw_pool *p)
{
    if (p == NULL)
        return;
    if (p->have_lock) {
        pthread_mutex_lock(&p->lock);
        p->quit = 1;
        if (p->have_work)
            pthread_cond_broadcast(&p->work);
        pthread_mutex_unlock(&p->lock);
    }
    for (size_t i = 0; i < p->n; i++)
        pthread_join(p->tid[i], NULL);
    for (size_t i = 0; i < p->n_workers; i++)
        tw_worker_free(p->w[i]);
    if (p->have_work)
        pthread_cond_destroy(&p->work);
    if (p->have_ready)
        pthread_cond_destroy(&p->ready);
    if (p->have_lock)
        pthread_mutex_destroy(&p->lock);
    free(p->tid);
    free(p->w);
    free(p->queue);
    free(p->fin);
    free(p);
}
