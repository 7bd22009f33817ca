/*
 * check_pool.c - worker threads (pool.c) and the threaded run (run.c):
 * a replicate's row does not depend on the thread that ran it or on the
 * order; a halt drops the queue but keeps what finished; tw_run writes
 * the same file on 1 and on 4 threads.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tw_config.h"
#include "tw_h5.h"
#include "tw_model.h"
#include "tw_pool.h"
#include "tw_run.h"
#include "tw_tests.h"

#define FULL TW_TEST_DATA "/full_small.cfg"

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* Every replicate of cfg, serially on one worker: [reps][len]. */
static double *serial_rows(const tw_model *m, size_t reps, size_t len)
{
    tw_error err;
    double *rows = malloc(reps * len * sizeof *rows);
    tw_worker *w = tw_worker_alloc(m, &err);
    ck_assert(rows != NULL && w != NULL);
    for (size_t r = 0; r < reps; r++)
        ck_assert_int_eq(tw_worker_run(w, 0, r, rows + r * len, &err), TW_OK);
    tw_worker_free(w);
    return rows;
}

/* Run reps[] (in the order given) on a pool of n threads; rows [R][len]. */
static double *pool_rows(const tw_model *m, size_t n, const size_t *order,
                         size_t reps, size_t len)
{
    tw_error err;
    double *rows = malloc(reps * len * sizeof *rows);
    tw_task *t = malloc(reps * sizeof *t);
    ck_assert(rows != NULL && t != NULL);
    for (size_t i = 0; i < reps; i++)
        t[i] = (tw_task){ .rep = order[i], .row = rows + order[i] * len };
    tw_pool *p = tw_pool_start(m, 0, n, &err);
    ck_assert_msg(p != NULL, "%s", err.msg);
    ck_assert_int_eq(tw_pool_push(p, t, reps, &err), TW_OK);
    unsigned char *seen = calloc(reps, 1);
    size_t got = 0;
    while (got < reps) {
        size_t k = tw_pool_collect(p, t, reps, 1.0);
        ck_assert_msg(k > 0, "nothing finished within a second");
        for (size_t i = 0; i < k; i++) {
            ck_assert(t[i].rep < reps && !seen[t[i].rep]);
            ck_assert_ptr_eq(t[i].row, rows + t[i].rep * len);
            seen[t[i].rep] = 1;
        }
        got += k;
    }
    ck_assert_int_eq(tw_pool_error(p, NULL), TW_OK);
    tw_pool_free(p);
    free(seen);
    free(t);
    return rows;
}

/* Full mode, 4 threads, replicates queued backwards: bitwise the serial
 * rows. */
START_TEST(test_threads_match_serial)
{
    tw_config *cfg = NULL;
    tw_error err;
    const char *sets[] = { "simulation.replicates=24" };
    ck_assert_msg(tw_config_load(FULL, sets, 1, &cfg, &err) == TW_OK, "%s",
                  err.msg);
    tw_model m;
    ck_assert_int_eq(tw_model_init(&m, cfg, &err), TW_OK);
    size_t reps = cfg->replicates, len = tw_model_traj_len(&m);
    size_t *order = malloc(reps * sizeof *order);
    for (size_t i = 0; i < reps; i++)
        order[i] = reps - 1 - i;
    double *a = serial_rows(&m, reps, len);
    double *b = pool_rows(&m, 4, order, reps, len);
    ck_assert_msg(memcmp(a, b, reps * len * sizeof *a) == 0,
                  "threaded rows differ from the serial ones");
    free(a);
    free(b);
    free(order);
    tw_model_free(&m);
    tw_config_free(cfg);
}
END_TEST

/* A halt keeps what finished and drops the queue; nothing starts after. */
START_TEST(test_halt_drops_queue)
{
    tw_config *cfg = NULL;
    tw_error err;
    const char *sets[] = { "simulation.replicates=200" };
    ck_assert_msg(tw_config_load(FULL, sets, 1, &cfg, &err) == TW_OK, "%s",
                  err.msg);
    tw_model m;
    ck_assert_int_eq(tw_model_init(&m, cfg, &err), TW_OK);
    size_t reps = cfg->replicates, len = tw_model_traj_len(&m);
    double *rows = malloc(reps * len * sizeof *rows);
    tw_task *t = malloc(reps * sizeof *t);
    for (size_t r = 0; r < reps; r++)
        t[r] = (tw_task){ .rep = r, .row = rows + r * len };

    /* halted before anything is queued: nothing ever starts, and waiting
     * for a result returns at once */
    tw_pool *p = tw_pool_start(&m, 0, 2, &err);
    ck_assert_ptr_nonnull(p);
    tw_pool_halt(p);
    ck_assert_int_eq(tw_pool_push(p, t, 10, &err), TW_OK);
    double t0 = now();
    ck_assert_uint_eq(tw_pool_collect(p, t, reps, 5.0), 0);
    ck_assert(now() - t0 < 1.0);
    size_t queued = 1, running = 1;
    tw_pool_counts(p, &queued, &running);
    ck_assert_uint_eq(queued, 0);
    ck_assert_uint_eq(running, 0);
    tw_pool_free(p);

    /* halted while running (~1.5 ms a replicate, 0.3 s in all): what
     * finished is complete and right, the rest never runs */
    for (size_t r = 0; r < reps; r++)
        t[r] = (tw_task){ .rep = r, .row = rows + r * len };
    p = tw_pool_start(&m, 0, 1, &err);
    ck_assert_ptr_nonnull(p);
    ck_assert_int_eq(tw_pool_push(p, t, reps, &err), TW_OK);
    tw_pool_halt(p);
    size_t got = 0;
    t0 = now();
    do {
        tw_pool_counts(p, &queued, &running);
        got += tw_pool_collect(p, t + got, reps - got, 0.01);
    } while (running > 0 && now() - t0 < 10);
    ck_assert_uint_eq(running, 0);
    ck_assert_uint_lt(got, reps);
    ck_assert_uint_eq(tw_pool_collect(p, t, reps, 0.2), 0);
    double *ref = serial_rows(&m, reps, len);
    for (size_t i = 0; i < got; i++)
        ck_assert(memcmp(t[i].row, ref + t[i].rep * len,
                         len * sizeof *ref) == 0);
    tw_pool_free(p);
    free(ref);
    free(rows);
    free(t);
    tw_model_free(&m);
    tw_config_free(cfg);
}
END_TEST

START_TEST(test_cpus)
{
    size_t n = tw_pool_cpus();
    ck_assert_uint_ge(n, 1);
    long online = sysconf(_SC_NPROCESSORS_ONLN);
    if (online > 0)
        ck_assert_uint_le(n, (size_t)online);
}
END_TEST

/* tw_run on 1 and 4 threads: the same trajectories and summaries. */
START_TEST(test_run_threads_same_file)
{
    char dir[] = "/tmp/twsim-check-pool-XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    char path[2][96];
    tw_h5_data *d[2] = { NULL, NULL };
    tw_config *cfg = NULL;
    tw_error err;
    const char *sets[] = { "simulation.replicates=30" };
    ck_assert_msg(tw_config_load(FULL, sets, 1, &cfg, &err) == TW_OK, "%s",
                  err.msg);
    static const size_t threads[2] = { 1, 4 };
    for (int i = 0; i < 2; i++) {
        snprintf(path[i], sizeof path[i], "%s/t%zu.h5", dir, threads[i]);
        tw_run_opts o = { .out_path = path[i], .threads = threads[i] };
        tw_run_stats st;
        ck_assert_msg(tw_run(cfg, &o, &st, &err) == TW_OK, "%s", err.msg);
        ck_assert_uint_eq(st.threads, threads[i]);
        ck_assert_uint_eq(st.done, 30);
        ck_assert_int_eq(tw_h5_read(path[i], &d[i], &err), TW_OK);
    }
    size_t cells = d[0]->n_reps * d[0]->n_years * d[0]->n_metrics;
    size_t sum = d[0]->n_years * d[0]->n_metrics;
    ck_assert_uint_eq(cells, d[1]->n_reps * d[1]->n_years * d[1]->n_metrics);
    ck_assert(memcmp(d[0]->trajectories, d[1]->trajectories,
                     cells * sizeof(double)) == 0);
    ck_assert(memcmp(d[0]->summary.p95, d[1]->summary.p95,
                     sum * sizeof(double)) == 0);
    ck_assert(memcmp(d[0]->summary.sd, d[1]->summary.sd,
                     sum * sizeof(double)) == 0);
    for (int i = 0; i < 2; i++) {
        tw_h5_data_free(d[i]);
        unlink(path[i]);
    }
    rmdir(dir);
    tw_config_free(cfg);
}
END_TEST

Suite *pool_suite(void)
{
    Suite *s = suite_create("pool");
    TCase *tc = tcase_create("threads");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_threads_match_serial);
    tcase_add_test(tc, test_halt_drops_queue);
    tcase_add_test(tc, test_cpus);
    tcase_add_test(tc, test_run_threads_same_file);
    suite_add_tcase(s, tc);
    return s;
}
