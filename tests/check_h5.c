/*
 * check_h5.c - the HDF5 output file: C round trip, partial/abort/finish
 * file handling, reading columns back, resuming, and error messages. Every
 * test works in its own mkdtemp() directory under /tmp and removes it.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <hdf5.h>
#include <hdf5_hl.h>

#include "tw_h5.h"
#include "tw_h5util.h"
#include "tw_tests.h"

enum { R = 3, Y = 4, M = 3 };

static const int years[Y] = { 2025, 2026, 2027, 2028 };
static const char *const tiers[2] = { "骨干", "新教师" };
static const char *const overrides[1] = { "years.last = 2028" };
static const char config_text[] = "# 测试\nyears = { first = 2025; };\n";

/* Test fixture state: a scratch directory and the paths in it. */
static char dir[64];
static char path[128], partial[160];
static tw_metric_table metrics;

static void setup(void)
{
    snprintf(dir, sizeof dir, "/tmp/twsim-check-h5-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/out.h5", dir);
    snprintf(partial, sizeof partial, "%s.partial", path);
    tw_metrics_init(&metrics);
    tw_error err;
    tw_error_clear(&err);
    ck_assert_int_eq(tw_metrics_add(&metrics, &err, "teachers.tier.0",
                                    "teachers", tiers[0],
                                    "teachers in tier %d", 0), 0);
    ck_assert_int_eq(tw_metrics_add(&metrics, &err, "teachers.tier.1",
                                    "teachers", tiers[1],
                                    "teachers in tier %d", 1), 1);
    ck_assert_int_eq(tw_metrics_add(&metrics, &err, "hires.total",
                                    "teachers/year", NULL,
                                    "hires in the year"), 2);
}

/* Remove whatever a test left in dir, then dir itself. */
static void teardown(void)
{
    unlink(path);
    unlink(partial);
    char other[160];
    snprintf(other, sizeof other, "%s/not-hdf5.h5", dir);
    unlink(other);
    snprintf(other, sizeof other, "%s/plain.h5", dir);
    unlink(other);
    rmdir(dir);
    tw_metrics_free(&metrics);
}

static int exists(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0;
}

/* An exactly representable value that identifies (rep, year, metric). */
static double value(int r, int y, int m)
{
    return 1000.0 * r + 10.0 * y + m + 0.25;
}

static void fill(double *traj)
{
    for (int r = 0; r < R; r++)
        for (int y = 0; y < Y; y++)
            for (int m = 0; m < M; m++)
                traj[(r * Y + y) * M + m] = value(r, y, m);
}

static tw_h5_meta make_meta(size_t n_overrides)
{
    tw_h5_meta m = {
        .config_path = "configs/test.cfg",
        .config_text = config_text,
        .config_effective = "years = { first = 2025; last = 2028; };\n",
        .overrides = n_overrides ? overrides : NULL,
        .n_overrides = n_overrides,
        .seed = UINT64_C(18446744073709551557), /* > INT64_MAX on purpose */
        .mode = "markov",
        .engine_version = "0.1.0-test",
        .git_commit = "unknown",
        .n_years = Y,
        .years = years,
        .metrics = &metrics,
        .n_replicates = R,
        .n_tiers = 2,
        .tier_names = tiers,
    };
    return m;
}

/* Redirect stderr to a file so a test can check nothing was printed. */
static int stderr_to(const char *file)
{
    fflush(stderr);
    int saved = dup(2);
    int fd = open(file, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ck_assert_int_ge(fd, 0);
    dup2(fd, 2);
    close(fd);
    return saved;
}

static long stderr_restore(int saved, const char *file)
{
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    struct stat st;
    long size = stat(file, &st) == 0 ? (long)st.st_size : -1;
    unlink(file);
    return size;
}

START_TEST(test_round_trip)
{
    double traj[R * Y * M];
    tw_error err;
    tw_h5_out *h = NULL;
    tw_summary s;
    tw_h5_meta meta = make_meta(1);

    tw_error_clear(&err);
    fill(traj);
    ck_assert_int_eq(tw_h5_create(path, &meta, &h, &err), TW_OK);
    ck_assert_ptr_nonnull(h);
    ck_assert(exists(partial));
    ck_assert(!exists(path));
    const int order[R] = { 2, 0, 1 }; /* replicates finish out of order */
    for (int i = 0; i < R; i++)
        ck_assert_int_eq(tw_h5_write_replicate(h, (size_t)order[i],
                                               traj + order[i] * Y * M, &err),
                         TW_OK);
    ck_assert_int_eq(tw_summary_compute(traj, R, Y, M, &s, &err), TW_OK);
    ck_assert_int_eq(tw_h5_write_summary(h, &s, &err), TW_OK);
    ck_assert_int_eq(tw_h5_finish(h, &err), TW_OK);
    ck_assert_msg(!exists(partial), "%s still exists", partial);
    ck_assert_msg(exists(path), "%s missing", path);

    tw_h5_data *d = NULL;
    ck_assert_msg(tw_h5_read(path, &d, &err) == TW_OK, "%s", err.msg);
    ck_assert_int_eq(d->format_version, TW_H5_FORMAT_VERSION);
    ck_assert_uint_eq(d->n_reps, R);
    ck_assert_uint_eq(d->n_years, Y);
    ck_assert_uint_eq(d->n_metrics, M);
    ck_assert(d->seed == meta.seed);
    ck_assert_str_eq(d->mode, "markov");
    ck_assert_str_eq(d->engine_version, "0.1.0-test");
    ck_assert_str_eq(d->git_commit, "unknown");
    ck_assert_str_eq(d->config_path, "configs/test.cfg");
    ck_assert_str_eq(d->config_text, config_text);
    ck_assert_uint_eq(d->n_overrides, 1);
    ck_assert_str_eq(d->overrides[0], overrides[0]);
    for (int y = 0; y < Y; y++)
        ck_assert_int_eq(d->years[y], years[y]);
    for (int m = 0; m < M; m++) {
        ck_assert_str_eq(d->metric_names[m], metrics.v[m].name);
        ck_assert_str_eq(d->metric_units[m], metrics.v[m].unit);
        ck_assert_str_eq(d->metric_labels[m], metrics.v[m].label);
    }
    ck_assert_str_eq(d->metric_labels[0], "骨干");
    ck_assert_str_eq(d->metric_labels[2], "");
    for (int r = 0; r < R; r++) {
        ck_assert_uint_eq(d->done[r], 1);
        for (int y = 0; y < Y; y++)
            for (int m = 0; m < M; m++)
                ck_assert_double_eq(d->trajectories[(r * Y + y) * M + m],
                                    value(r, y, m));
    }
    ck_assert_uint_eq(d->summary.n_years, Y);
    ck_assert_uint_eq(d->summary.n_metrics, M);
    for (int c = 0; c < Y * M; c++) {
        ck_assert_double_eq(d->summary.mean[c], s.mean[c]);
        ck_assert_double_eq(d->summary.sd[c], s.sd[c]);
        ck_assert_double_eq(d->summary.p05[c], s.p05[c]);
        ck_assert_double_eq(d->summary.p50[c], s.p50[c]);
        ck_assert_double_eq(d->summary.p95[c], s.p95[c]);
    }
    tw_h5_data_free(d);
    tw_summary_free(&s);
}
END_TEST

/* Abort after a replicate: neither the partial nor the final file stays. */
START_TEST(test_abort)
{
    double traj[R * Y * M];
    tw_error err;
    tw_h5_out *h = NULL;
    tw_h5_meta meta = make_meta(0);

    fill(traj);
    ck_assert_int_eq(tw_h5_create(path, &meta, &h, &err), TW_OK);
    ck_assert_int_eq(tw_h5_write_replicate(h, 0, traj, &err), TW_OK);
    tw_h5_abort(h);
    ck_assert(!exists(partial));
    ck_assert(!exists(path));
    tw_h5_abort(NULL);
}
END_TEST

/*
 * A writer killed after two replicates leaves a readable partial file:
 * done = {1, 1, 0}, the missing replicate reads as NaN, no summary, and
 * no file at the final path.
 */
START_TEST(test_killed_writer)
{
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        double traj[R * Y * M];
        tw_error err;
        tw_h5_out *h = NULL;
        tw_h5_meta meta = make_meta(0);
        fill(traj);
        if (tw_h5_create(path, &meta, &h, &err) != TW_OK ||
            tw_h5_write_replicate(h, 0, traj, &err) != TW_OK ||
            tw_h5_write_replicate(h, 1, traj + Y * M, &err) != TW_OK)
            _exit(1);
        _exit(0); /* no close, no atexit handlers: as if killed */
    }
    int status = 0;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    ck_assert(!exists(path));

    tw_error err;
    tw_h5_data *d = NULL;
    ck_assert_msg(tw_h5_read(partial, &d, &err) == TW_OK, "%s", err.msg);
    ck_assert_uint_eq(d->n_reps, R);
    ck_assert_uint_eq(d->done[0], 1);
    ck_assert_uint_eq(d->done[1], 1);
    ck_assert_uint_eq(d->done[2], 0);
    ck_assert_double_eq(d->trajectories[(1 * Y + 3) * M + 2], value(1, 3, 2));
    ck_assert(isnan(d->trajectories[(2 * Y + 0) * M + 0]));
    ck_assert_ptr_null(d->summary.mean);
    ck_assert_ptr_null(d->summary.p95);
    ck_assert_uint_eq(d->n_overrides, 0);
    tw_h5_data_free(d);
}
END_TEST

/* finish refuses an incomplete file and leaves it as .partial. */
START_TEST(test_finish_incomplete)
{
    double traj[R * Y * M];
    tw_error err;
    tw_h5_out *h = NULL;
    tw_h5_meta meta = make_meta(0);

    fill(traj);
    tw_error_clear(&err);
    ck_assert_int_eq(tw_h5_create(path, &meta, &h, &err), TW_OK);
    ck_assert_int_eq(tw_h5_write_replicate(h, 0, traj, &err), TW_OK);
    ck_assert_int_eq(tw_h5_write_replicate(h, R, traj, &err), TW_EFAIL);
    ck_assert_ptr_nonnull(strstr(err.msg, "out of range"));
    ck_assert_int_eq(tw_h5_finish(h, &err), TW_EFAIL);
    ck_assert_ptr_nonnull(strstr(err.msg, "incomplete"));
    ck_assert(!exists(path));
    ck_assert(exists(partial));
}
END_TEST

/* Creating in a missing directory: TW_EFAIL naming the path, no HDF5
 * trace on stderr, nothing created. */
START_TEST(test_create_bad_dir)
{
    char bad[200], errfile[100];
    tw_error err;
    tw_h5_out *h = (void *)&err; /* must be reset to NULL */
    tw_h5_meta meta = make_meta(0);

    snprintf(bad, sizeof bad, "%s/no/such/dir/out.h5", dir);
    snprintf(errfile, sizeof errfile, "%s.stderr", dir);
    tw_error_clear(&err);
    int saved = stderr_to(errfile);
    int rc = tw_h5_create(bad, &meta, &h, &err);
    long printed = stderr_restore(saved, errfile);
    ck_assert_int_eq(rc, TW_EFAIL);
    ck_assert_int_eq(err.code, TW_EFAIL);
    ck_assert_ptr_null(h);
    ck_assert_msg(strstr(err.msg, bad) != NULL, "message: %s", err.msg);
    ck_assert_msg(strstr(err.msg, "No such file or directory") != NULL,
                  "message: %s", err.msg);
    ck_assert_int_eq(printed, 0);
}
END_TEST

/* Reading a text file, a plain HDF5 file and a missing file. */
START_TEST(test_read_not_twsim)
{
    char txt[160], plain[160], errfile[100];
    tw_error err;
    tw_h5_data *d = (void *)&err; /* must be reset to NULL */

    snprintf(txt, sizeof txt, "%s/not-hdf5.h5", dir);
    FILE *f = fopen(txt, "w");
    ck_assert_ptr_nonnull(f);
    fputs("this is not HDF5\n", f);
    fclose(f);
    snprintf(errfile, sizeof errfile, "%s.stderr", dir);
    int saved = stderr_to(errfile);
    int rc = tw_h5_read(txt, &d, &err);
    long printed = stderr_restore(saved, errfile);
    ck_assert_int_eq(rc, TW_EFAIL);
    ck_assert_ptr_null(d);
    ck_assert_msg(strstr(err.msg, txt) != NULL, "message: %s", err.msg);
    ck_assert_msg(strstr(err.msg, "not an HDF5 file") != NULL, "message: %s",
                  err.msg);
    ck_assert_int_eq(printed, 0);

    /* A valid HDF5 file that twsim did not write. */
    snprintf(plain, sizeof plain, "%s/plain.h5", dir);
    hid_t fid = H5Fcreate(plain, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    ck_assert_int_ge(fid, 0);
    H5Fclose(fid);
    ck_assert_int_eq(tw_h5_read(plain, &d, &err), TW_EFAIL);
    ck_assert_msg(strstr(err.msg, "not a twsim output file") != NULL,
                  "message: %s", err.msg);

    ck_assert_int_eq(tw_h5_read(path, &d, &err), TW_EFAIL);
    ck_assert_msg(strstr(err.msg, path) != NULL &&
                  strstr(err.msg, "No such file") != NULL,
                  "message: %s", err.msg);
}
END_TEST

/* Replicates for the read-back test: three slabs of tw_h5_read_columns'
 * 256 (the last one short). */
enum { NR = 600 };

/* In the read-back test, replicate r is written before the resume unless
 * r % 7 == 3. */
static int early(size_t r)
{
    return r % 7 != 3;
}

/* buf [NR][Y][n] holds columns cols[] of the test's rows: value() where
 * written (all, or the early ones), NaN elsewhere. */
static void check_columns(const double *buf, size_t n, const size_t *cols,
                          int all)
{
    for (size_t r = 0; r < NR; r++)
        for (size_t y = 0; y < Y; y++)
            for (size_t k = 0; k < n; k++) {
                double v = buf[(r * Y + y) * n + k];
                if (all || early(r))
                    ck_assert_msg(v == value((int)r, (int)y, (int)cols[k]),
                                  "replicate %zu, year %zu, metric %zu: %g",
                                  r, y, cols[k], v);
                else
                    ck_assert_msg(isnan(v), "replicate %zu not written", r);
            }
}

/*
 * Columns read back from the file being written, in slabs of replicates:
 * whole blocks, single and scattered columns, the rows not written yet as
 * NaN; bad column lists refused. Then a resume refuses a file of another
 * shape without touching it; a resume with traj fills the rows written
 * and only those; one without (traj NULL) fills done[] alone, and its
 * handle reads the rows back, before and after the missing ones are
 * written.
 */
START_TEST(test_read_back)
{
    tw_error err;
    tw_h5_out *h = NULL;
    tw_h5_meta meta = make_meta(0);
    meta.n_replicates = NR;
    double *buf = malloc(NR * Y * M * sizeof *buf);
    double *rows = malloc(NR * Y * M * sizeof *rows);
    unsigned char *done = malloc(NR + 1);
    ck_assert(buf != NULL && rows != NULL && done != NULL);
    for (int r = 0; r < NR; r++)
        for (int y = 0; y < Y; y++)
            for (int m = 0; m < M; m++)
                rows[(r * Y + y) * M + m] = value(r, y, m);

    ck_assert_int_eq(tw_h5_create(path, &meta, &h, &err), TW_OK);
    for (size_t r = 0; r < NR; r++)
        if (early(r))
            ck_assert_int_eq(tw_h5_write_replicate(h, r, rows + r * Y * M,
                                                   &err), TW_OK);
    static const size_t all3[3] = { 0, 1, 2 }, ends[2] = { 0, 2 };
    ck_assert_int_eq(tw_h5_read_block(h, 0, M, buf, &err), TW_OK);
    check_columns(buf, M, all3, 0);
    ck_assert_int_eq(tw_h5_read_columns(h, 2, ends, buf, &err), TW_OK);
    check_columns(buf, 2, ends, 0);
    ck_assert_int_eq(tw_h5_read_block(h, 1, 2, buf, &err), TW_OK);
    check_columns(buf, 1, all3 + 1, 0);
    static const size_t down[2] = { 2, 0 }, twice[2] = { 1, 1 },
                        past[1] = { M };
    tw_error_clear(&err);
    ck_assert_int_eq(tw_h5_read_columns(h, 2, down, buf, &err), TW_EFAIL);
    ck_assert_ptr_nonnull(strstr(err.msg, "ascend"));
    ck_assert_int_eq(tw_h5_read_columns(h, 2, twice, buf, &err), TW_EFAIL);
    ck_assert_int_eq(tw_h5_read_columns(h, 1, past, buf, &err), TW_EFAIL);
    ck_assert_int_eq(tw_h5_read_block(h, 2, 1, buf, &err), TW_EFAIL);
    ck_assert_int_eq(tw_h5_read_block(h, 0, M + 1, buf, &err), TW_EFAIL);
    ck_assert_int_eq(tw_h5_suspend(h, &err), TW_OK);

    /* another shape, same config and seed: refused as the user's
     * mistake (another -n), the file kept */
    meta.n_replicates = NR + 1;
    ck_assert_int_eq(tw_h5_resume(path, &meta, &h, done, NULL, &err),
                     TW_EINPUT);
    ck_assert_msg(strstr(err.msg, "another replicate count") != NULL,
                  "message: %s", err.msg);
    ck_assert(exists(partial));
    meta.n_replicates = NR;

    /* with traj: the rows written are filled, the others untouched */
    for (size_t i = 0; i < (size_t)NR * Y * M; i++)
        buf[i] = -1.0;
    ck_assert_int_eq(tw_h5_resume(path, &meta, &h, done, buf, &err), TW_OK);
    for (size_t r = 0; r < NR; r++) {
        ck_assert_uint_eq(done[r], early(r));
        for (size_t i = 0; i < Y * M; i++)
            ck_assert(buf[r * Y * M + i] ==
                      (early(r) ? rows[r * Y * M + i] : -1.0));
    }
    tw_h5_abort(h);   /* a resumed handle: the file stays */
    ck_assert(exists(partial));

    /* without: done[] only, the rows read through the handle */
    memset(done, 7, NR);
    ck_assert_int_eq(tw_h5_resume(path, &meta, &h, done, NULL, &err),
                     TW_OK);
    for (size_t r = 0; r < NR; r++)
        ck_assert_uint_eq(done[r], early(r));
    ck_assert_int_eq(tw_h5_read_block(h, 0, M, buf, &err), TW_OK);
    check_columns(buf, M, all3, 0);
    for (size_t r = 0; r < NR; r++)
        if (!early(r))
            ck_assert_int_eq(tw_h5_write_replicate(h, r, rows + r * Y * M,
                                                   &err), TW_OK);
    ck_assert_int_eq(tw_h5_read_block(h, 0, M, buf, &err), TW_OK);
    check_columns(buf, M, all3, 1);
    tw_h5_abort(h);
    free(buf);
    free(rows);
    free(done);
}
END_TEST

/* A finished file whose /targets has a region, a county and an
 * each_county target, written with `nc` counties. */
static void write_county_targets(size_t nc)
{
    double traj[R * Y * M], q[R * 3] = {0};
    unsigned char met[R * 3] = {0};
    tw_error err;
    tw_h5_out *h = NULL;
    tw_summary s;
    tw_h5_meta meta = make_meta(0);
    tw_target t[3];
    memset(t, 0, sizeof t);
    const char *const names[3] = { "whole", "one", "every" };
    for (int i = 0; i < 3; i++) {
        t[i].name = (char *)names[i];
        t[i].metric = "hires.total";
        t[i].quote = t[i].source = t[i].note = "";
        t[i].year = 2028;
        t[i].from = 2026;
    }
    t[1].scope = TW_SCOPE_COUNTY;
    t[1].county = "南区";
    t[2].scope = TW_SCOPE_EACH_COUNTY;
    tw_target_result res[3] = {{0}}, cres[3 * 2];
    const double nan = NAN;
    for (int i = 0; i < 6; i++)
        cres[i] = (tw_target_result){ nan, nan, nan, nan, nan, nan, nan,
                                      nan };
    cres[4] = (tw_target_result){ 0.25, 0, 0.1, 0.5, 7, 1, 6, 12 };
    cres[5] = (tw_target_result){ 0.75, 0, 0.4, 0.9, 9, 2, 8, 15 };
    static const char *const counties[2] = { "北区", "南区" };

    tw_error_clear(&err);
    fill(traj);
    ck_assert_int_eq(tw_h5_create(path, &meta, &h, &err), TW_OK);
    for (size_t r = 0; r < R; r++)
        ck_assert_int_eq(tw_h5_write_replicate(h, r, traj + r * Y * M, &err),
                         TW_OK);
    ck_assert_int_eq(tw_summary_compute(traj, R, Y, M, &s, &err), TW_OK);
    ck_assert_int_eq(tw_h5_write_summary(h, &s, &err), TW_OK);
    ck_assert_msg(tw_h5_write_targets(h, t, 3, q, met, res, counties, nc,
                                      cres, &err) == TW_OK, "%s", err.msg);
    ck_assert_int_eq(tw_h5_finish(h, &err), TW_OK);
    tw_summary_free(&s);
}

/* Dataset `name` of f, n doubles into v. */
static void read_doubles(hid_t f, const char *name, double *v)
{
    hid_t d = H5Dopen2(f, name, H5P_DEFAULT);
    ck_assert_msg(d >= 0, "no %s", name);
    ck_assert(H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT,
                      v) >= 0);
    H5Dclose(d);
}

START_TEST(test_targets_by_county)
{
    write_county_targets(2);
    tw_error err;
    tw_h5_data *d = NULL;
    ck_assert_msg(tw_h5_read(path, &d, &err) == TW_OK, "%s", err.msg);
    ck_assert_uint_eq(d->n_targets, 3);
    ck_assert_int_eq(d->targets[0].scope, TW_SCOPE_REGION);
    ck_assert_ptr_null(d->targets[0].county);
    ck_assert_int_eq(d->targets[1].scope, TW_SCOPE_COUNTY);
    ck_assert_str_eq(d->targets[1].county, "南区");
    ck_assert_int_eq(d->targets[2].scope, TW_SCOPE_EACH_COUNTY);
    ck_assert_ptr_null(d->targets[2].county);
    tw_h5_data_free(d);

    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    ck_assert(f >= 0);
    /* [target, county], NaN but for the each_county target */
    double v[6];
    read_doubles(f, "targets/by_county/p_met", v);
    ck_assert(isnan(v[0]) && isnan(v[3]));
    ck_assert_double_eq(v[4], 0.25);
    ck_assert_double_eq(v[5], 0.75);
    read_doubles(f, "targets/by_county/p95", v);
    ck_assert_double_eq(v[4], 12);
    ck_assert_double_eq(v[5], 15);
    read_doubles(f, "targets/by_county/p_hi", v);
    ck_assert_double_eq(v[5], 0.9);
    /* the county names: a dimension scale, attached as dimension 1 */
    hid_t c = H5Dopen2(f, "targets/by_county/county", H5P_DEFAULT);
    hid_t p = H5Dopen2(f, "targets/by_county/mean", H5P_DEFAULT);
    ck_assert(c >= 0 && p >= 0);
    ck_assert_int_gt(H5DSis_scale(c), 0);
    ck_assert_int_gt(H5DSis_attached(p, c, 1), 0);
    hid_t st = H5Tcopy(H5T_C_S1);
    H5Tset_size(st, H5T_VARIABLE);
    H5Tset_cset(st, H5T_CSET_UTF8);
    char *names[2] = { NULL, NULL };
    ck_assert(H5Dread(c, st, H5S_ALL, H5S_ALL, H5P_DEFAULT, names) >= 0);
    ck_assert_str_eq(names[0], "北区");
    ck_assert_str_eq(names[1], "南区");
    H5free_memory(names[0]);
    H5free_memory(names[1]);
    H5Tclose(st);
    H5Dclose(p);
    H5Dclose(c);
    ck_assert_int_gt(H5Aexists_by_name(f, "targets/by_county", "dims",
                                       H5P_DEFAULT), 0);
    H5Fclose(f);
    unlink(path);

    /* without county results: no /targets/by_county */
    write_county_targets(0);
    f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    ck_assert(f >= 0);
    ck_assert_int_eq(H5Lexists(f, "targets/by_county", H5P_DEFAULT), 0);
    ck_assert_int_gt(H5Lexists(f, "targets/scope", H5P_DEFAULT), 0);
    H5Fclose(f);
}
END_TEST

/* ---------------------------------------------------------- labelling */

/* A float64 dataset of the given shape, zeros, closed. */
static void zeros(hid_t loc, const char *name, int rank, const hsize_t *dims)
{
    double v[16] = { 0 };
    hid_t sp = H5Screate_simple(rank, dims, NULL);
    hid_t d = H5Dcreate2(loc, name, H5T_IEEE_F64LE, sp, H5P_DEFAULT,
                         H5P_DEFAULT, H5P_DEFAULT);
    ck_assert(d >= 0);
    ck_assert(H5Dwrite(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT,
                       v) >= 0);
    H5Dclose(d);
    H5Sclose(sp);
}

/* Strings [n] at loc/name, closed. */
static void strings(hid_t loc, const char *name, size_t n,
                    const char *const *v)
{
    hid_t t = H5Tcopy(H5T_C_S1);
    hsize_t dims[1] = { n };
    H5Tset_size(t, H5T_VARIABLE);
    H5Tset_cset(t, H5T_CSET_UTF8);
    hid_t sp = H5Screate_simple(1, dims, NULL);
    hid_t d = H5Dcreate2(loc, name, t, sp, H5P_DEFAULT, H5P_DEFAULT,
                         H5P_DEFAULT);
    ck_assert(d >= 0);
    ck_assert(H5Dwrite(d, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, v) >= 0);
    H5Dclose(d);
    H5Sclose(sp);
    H5Tclose(t);
}

static int n_members(hid_t f, const char *group)
{
    H5G_info_t gi;
    ck_assert(H5Gget_info_by_name(f, group, &gi, H5P_DEFAULT) >= 0);
    return (int)gi.nlinks;
}

/* Is loc/name a scale attached to axis i of loc/dset? */
static int attached(hid_t loc, const char *dset, const char *name,
                    unsigned i)
{
    hid_t d = H5Dopen2(loc, dset, H5P_DEFAULT);
    hid_t sc = H5Dopen2(loc, name, H5P_DEFAULT);
    ck_assert(d >= 0 && sc >= 0);
    int at = H5DSis_scale(sc) > 0 && H5DSis_attached(d, sc, i) > 0;
    H5Dclose(sc);
    H5Dclose(d);
    return at;
}

/*
 * tw_h5_label on a file laid out by hand: the summary gets its own year
 * and metric scales, the metric coordinates, units and long_name; a
 * second pass adds nothing; a dataset that cannot be labelled (its
 * dimension is as long as no scale of that name) is counted and left,
 * the others are labelled.
 */
START_TEST(test_label)
{
    static const char *const mnames[3] = { "teachers.total", "hires.total",
                                           "teachers.tier.0" };
    static const char *const munits[3] = { "teachers", "teachers/year",
                                           "teachers" };
    static const char *const mlabels[3] = { "", "", "骨干" };
    static const char *const tnames[3] = { "a", "b", "c" };
    hsize_t d2[2] = { 2, 3 }, d1[1] = { 3 }, dq[2] = { 2, 2 }, dy[1] = { 2 };
    int yv[2] = { 2025, 2026 };
    hid_t f = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    ck_assert(f >= 0);
    hid_t g = H5Gcreate2(f, "metrics", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    strings(g, "name", 3, mnames);
    strings(g, "unit", 3, munits);
    strings(g, "description", 3, mnames);
    strings(g, "label", 3, mlabels);
    H5Gclose(g);
    strings(f, "metric", 3, mnames);
    ck_assert(H5LTmake_dataset_int(f, "year", 1, dy, yv) >= 0);
    hid_t sc = H5Dopen2(f, "metric", H5P_DEFAULT);
    ck_assert(H5DSset_scale(sc, "metric") >= 0);
    H5Dclose(sc);
    sc = H5Dopen2(f, "year", H5P_DEFAULT);
    ck_assert(H5DSset_scale(sc, "year") >= 0);
    H5Dclose(sc);
    g = H5Gcreate2(f, "summary", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    zeros(g, "mean", 2, d2);
    H5Gclose(g);
    g = H5Gcreate2(f, "targets", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    strings(g, "target", 3, tnames);
    zeros(g, "p_met", 1, d1);
    zeros(g, "quantity", 2, dq);    /* 2 targets: no scale fits it */
    H5Gclose(g);

    ck_assert_int_eq(tw_h5_label(f), 1);
    g = H5Gopen2(f, "summary", H5P_DEFAULT);
    ck_assert(attached(g, "mean", "year", 0));
    ck_assert(attached(g, "mean", "metric", 1));
    ck_assert(attached(g, "units", "metric", 0));
    hid_t d = H5Dopen2(g, "mean", H5P_DEFAULT);
    char *u = NULL;
    ck_assert_int_eq(tw_h5u_read_str_attr(d, "units", &u, NULL, 0), 0);
    ck_assert_str_eq(u, "per metric: see the coordinate units");
    free(u);
    ck_assert_int_eq(tw_h5u_read_str_attr(d, "coordinates", &u, NULL, 0), 0);
    ck_assert_str_eq(u, "units long_name label");
    free(u);
    ck_assert_int_gt(H5Aexists(d, "long_name"), 0);
    H5Dclose(d);
    char **v = NULL;
    size_t n = 0;
    ck_assert_int_eq(tw_h5u_read_strings(g, "label", &v, &n, NULL, 0), 0);
    ck_assert_uint_eq(n, 3);
    ck_assert_str_eq(v[2], "骨干");
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
    H5Gclose(g);
    g = H5Gopen2(f, "targets", H5P_DEFAULT);
    ck_assert(attached(g, "p_met", "target", 0));
    d = H5Dopen2(g, "quantity", H5P_DEFAULT);
    ck_assert_int_eq(H5DSget_num_scales(d, 1), 0);   /* left as it was */
    H5Dclose(d);
    H5Gclose(g);

    int before = n_members(f, "summary");
    ck_assert_int_eq(before, 6);   /* mean, year, metric, units, ... */
    ck_assert_int_eq(tw_h5_label(f), 1);
    ck_assert_int_eq(n_members(f, "summary"), before);
    H5Fclose(f);
}
END_TEST

Suite *h5_suite(void)
{
    Suite *s = suite_create("h5");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_round_trip);
    tcase_add_test(tc, test_abort);
    tcase_add_test(tc, test_killed_writer);
    tcase_add_test(tc, test_finish_incomplete);
    tcase_add_test(tc, test_create_bad_dir);
    tcase_add_test(tc, test_read_not_twsim);
    tcase_add_test(tc, test_read_back);
    tcase_add_test(tc, test_targets_by_county);
    tcase_add_test(tc, test_label);
    suite_add_tcase(s, tc);
    return s;
}
