/*
 * check_pool.c - worker threads (pool.c) and the threaded run (run.c):
 * a replicate's row does not depend on the thread that ran it or on the
 * order; a pool fed a few tasks at a time from a ring of rows (as run.c
 * feeds it) gives the serial rows; a halt drops the queue but keeps what
 * finished; tw_run writes the same file on 1 and on 4 threads; the
 * summaries and targets read back in blocks of one metric equal tw_run's.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <hdf5.h>

#include "../src/run/run_priv.h"
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

/*
 * The pool as run.c drives it: 3 row buffers for 40 replicates on 2
 * threads, one new task pushed for each row collected (after it is
 * checked, as run.c writes it), so tw_pool_push is called ~40 times on a
 * running pool. Every replicate comes back once, in a buffer of the ring,
 * bitwise equal to the serial row; never more than 3 are out at once.
 */
START_TEST(test_push_ring)
{
    enum { NBUF = 3 };
    tw_config *cfg = NULL;
    tw_error err;
    const char *sets[] = { "simulation.replicates=40" };
    ck_assert_msg(tw_config_load(FULL, sets, 1, &cfg, &err) == TW_OK, "%s",
                  err.msg);
    tw_model m;
    ck_assert_int_eq(tw_model_init(&m, cfg, &err), TW_OK);
    size_t reps = cfg->replicates, len = tw_model_traj_len(&m);
    double *ref = serial_rows(&m, reps, len);
    double *ring = malloc(NBUF * len * sizeof *ring);
    unsigned char *seen = calloc(reps, 1);
    ck_assert(ring != NULL && seen != NULL);
    tw_pool *p = tw_pool_start(&m, 0, 2, &err);
    ck_assert_msg(p != NULL, "%s", err.msg);
    tw_task t[NBUF];
    size_t next = 0, got = 0, out = 0;
    for (; next < NBUF; next++, out++) {
        t[0] = (tw_task){ .rep = next, .row = ring + next * len };
        ck_assert_int_eq(tw_pool_push(p, t, 1, &err), TW_OK);
    }
    double t0 = now();
    while (got < reps && now() - t0 < 30) {
        size_t k = tw_pool_collect(p, t, NBUF, 1.0);
        ck_assert_uint_le(out, NBUF);
        for (size_t i = 0; i < k; i++, got++, out--) {
            size_t r = (size_t)t[i].rep;
            ck_assert(r < reps && !seen[r]);
            seen[r] = 1;
            size_t slot = (size_t)(t[i].row - ring) / len;
            ck_assert(slot < NBUF && t[i].row == ring + slot * len);
            ck_assert_msg(memcmp(t[i].row, ref + r * len,
                                 len * sizeof *ref) == 0,
                          "replicate %zu differs from the serial row", r);
        }
        for (size_t i = 0; i < k && next < reps; i++, next++, out++) {
            tw_task nt = { .rep = next, .row = t[i].row };
            ck_assert_int_eq(tw_pool_push(p, &nt, 1, &err), TW_OK);
        }
    }
    ck_assert_uint_eq(got, reps);
    ck_assert_int_eq(tw_pool_error(p, NULL), TW_OK);
    tw_pool_free(p);
    free(seen);
    free(ring);
    free(ref);
    tw_model_free(&m);
    tw_config_free(cfg);
}
END_TEST

/* The whole of dataset `name` in file f, in its native type; *bytes is
 * its size. */
static void *read_all(hid_t f, const char *name, size_t *bytes)
{
    hid_t d = H5Dopen2(f, name, H5P_DEFAULT);
    ck_assert_msg(d >= 0, "no %s", name);
    hid_t ft = H5Dget_type(d), nt = H5Tget_native_type(ft, H5T_DIR_ASCEND);
    hid_t sp = H5Dget_space(d);
    ck_assert(ft >= 0 && nt >= 0 && sp >= 0);
    *bytes = (size_t)H5Sget_simple_extent_npoints(sp) * H5Tget_size(nt);
    void *buf = malloc(*bytes ? *bytes : 1);
    ck_assert_ptr_nonnull(buf);
    ck_assert(H5Dread(d, nt, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) >= 0);
    H5Sclose(sp);
    H5Tclose(nt);
    H5Tclose(ft);
    H5Dclose(d);
    return buf;
}

/*
 * tw_ens_finish reading the trajectories back one metric at a time
 * (block_bytes = 1) writes the summaries and the target table of tw_run
 * (whose blocks hold every metric at once here), bitwise. Gangbei: two
 * targets whose columns descend (tier 3, then tier 1), so the target
 * columns are reordered when read back. The replicates are written in
 * reverse order.
 */
START_TEST(test_finish_in_blocks)
{
    char dir[] = "/tmp/twsim-check-pool-XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    char path[2][96];
    snprintf(path[0], sizeof path[0], "%s/run.h5", dir);
    snprintf(path[1], sizeof path[1], "%s/blocks.h5", dir);
    tw_config *cfg = NULL;
    tw_error err;
    const char *sets[] = { "simulation.replicates=9" };
    ck_assert_msg(tw_config_load("../configs/gangbei.cfg", sets, 1, &cfg,
                                 &err) == TW_OK, "%s", err.msg);
    ck_assert_uint_ge(cfg->n_targets, 2);
    tw_run_opts o = { .out_path = path[0], .threads = 1 };
    ck_assert_msg(tw_run(cfg, &o, NULL, &err) == TW_OK, "%s", err.msg);

    tw_ens e;
    ck_assert_msg(tw_ens_init(&e, cfg, NULL, &err) == TW_OK, "%s", err.msg);
    ck_assert_uint_eq(e.block_bytes, TW_ENS_BLOCK_BYTES);
    ck_assert(e.tcols[0] > e.tcols[1]);
    e.block_bytes = 1;
    tw_h5_out *h = NULL;
    ck_assert_msg(tw_h5_create(path[1], &e.meta, &h, &err) == TW_OK, "%s",
                  err.msg);
    tw_worker *w = tw_worker_alloc(&e.m, &err);
    double *row = malloc(e.len * sizeof *row);
    ck_assert(w != NULL && row != NULL);
    for (size_t r = e.reps; r-- > 0;) {
        ck_assert_int_eq(tw_worker_run(w, 0, r, row, &err), TW_OK);
        ck_assert_int_eq(tw_h5_write_replicate(h, r, row, &err), TW_OK);
    }
    ck_assert_msg(tw_ens_finish(&e, &h, &err) == TW_OK, "%s", err.msg);
    ck_assert_ptr_null(h);

    static const char *const ds[] = {
        "/trajectories", "/summary/mean", "/summary/sd", "/summary/p05",
        "/summary/p50", "/summary/p95", "/targets/quantity", "/targets/met",
        "/targets/p_met", "/targets/p_se", "/targets/p_lo", "/targets/p_hi",
        "/targets/mean", "/targets/p05", "/targets/p50", "/targets/p95" };
    hid_t f[2];
    for (int i = 0; i < 2; i++)
        ck_assert((f[i] = H5Fopen(path[i], H5F_ACC_RDONLY, H5P_DEFAULT)) >=
                  0);
    for (size_t k = 0; k < sizeof ds / sizeof ds[0]; k++) {
        size_t n0, n1;
        void *a = read_all(f[0], ds[k], &n0), *b = read_all(f[1], ds[k], &n1);
        ck_assert_msg(n0 == n1 && n0 > 0 && memcmp(a, b, n0) == 0,
                      "%s differs", ds[k]);
        free(a);
        free(b);
    }
    for (int i = 0; i < 2; i++) {
        H5Fclose(f[i]);
        unlink(path[i]);
    }
    rmdir(dir);
    free(row);
    tw_worker_free(w);
    tw_ens_free(&e);
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
    tcase_add_test(tc, test_push_ring);
    tcase_add_test(tc, test_halt_drops_queue);
    tcase_add_test(tc, test_cpus);
    tcase_add_test(tc, test_run_threads_same_file);
    tcase_add_test(tc, test_finish_in_blocks);
    suite_add_tcase(s, tc);
    return s;
}
