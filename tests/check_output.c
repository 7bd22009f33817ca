/*
 * check_output.c - the safe-output discipline (tw_output.h): which paths
 * are refused before any work, the writer's lock, commit and abort. Every
 * test works in its own mkdtemp() directory under /tmp and removes it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <hdf5.h>

#include "tw_config.h"
#include "tw_output.h"
#include "tw_tests.h"

static char dir[64];

/* dir + "/" + name, in a static buffer (one of two, for two at once). */
static const char *at(const char *name)
{
    static char buf[2][256];
    static int k;
    k ^= 1;
    snprintf(buf[k], sizeof buf[k], "%s/%s", dir, name);
    return buf[k];
}

static void setup(void)
{
    snprintf(dir, sizeof dir, "/tmp/twsim-check-output-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void teardown(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
}

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    ck_assert_int_eq(fclose(f), 0);
}

/* An HDF5 file whose root attribute twsim_kind is `kind` (NULL: none, a
 * foreign HDF5 file). */
static void write_h5(const char *path, const char *kind)
{
    hid_t f = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    ck_assert_int_ge(f, 0);
    if (kind != NULL) {
        hid_t t = H5Tcopy(H5T_C_S1);
        H5Tset_size(t, H5T_VARIABLE);
        H5Tset_cset(t, H5T_CSET_UTF8);
        hid_t sp = H5Screate(H5S_SCALAR);
        hid_t a = H5Acreate2(f, "twsim_kind", t, sp, H5P_DEFAULT,
                             H5P_DEFAULT);
        ck_assert_int_ge(H5Awrite(a, t, &kind), 0);
        H5Aclose(a);
        H5Sclose(sp);
        H5Tclose(t);
    }
    ck_assert_int_ge(H5Fclose(f), 0);
}

static int check(const char *path, const tw_output_rules *r, tw_error *err)
{
    tw_error_clear(err);
    return tw_output_check(path, r, err);
}

START_TEST(test_refused_kinds)
{
    tw_error err;
    ck_assert_int_eq(check("", NULL, &err), TW_EFAIL);
    ck_assert_ptr_nonnull(strstr(err.msg, "empty"));
    ck_assert_int_eq(check(dir, NULL, &err), TW_EFAIL);
    ck_assert_ptr_nonnull(strstr(err.msg, "a directory, not a file"));
    ck_assert_int_eq(check(at("sub/"), NULL, &err), TW_EFAIL);
    ck_assert_int_eq(mkfifo(at("fifo"), 0644), 0);
    ck_assert_int_eq(check(at("fifo"), NULL, &err), TW_EFAIL);
    ck_assert_ptr_nonnull(strstr(err.msg, "FIFO"));
    /* a device node of our own (never the real /dev/null) */
    if (mknod(at("null"), S_IFCHR | 0666, makedev(1, 3)) == 0) {
        ck_assert_int_eq(check(at("null"), NULL, &err), TW_EFAIL);
        ck_assert_ptr_nonnull(strstr(err.msg, "a device"));
        struct stat st;
        ck_assert_int_eq(stat(at("null"), &st), 0);
        ck_assert(S_ISCHR(st.st_mode));
    }
    /* a new name, an empty file, a twsim file: fine */
    ck_assert_int_eq(check(at("new.h5"), NULL, &err), TW_OK);
    write_text(at("empty.h5"), "");
    ck_assert_int_eq(check(at("empty.h5"), NULL, &err), TW_OK);
    write_h5(at("run.h5"), "run");
    ck_assert_int_eq(check(at("run.h5"), NULL, &err), TW_OK);
    write_h5(at("sweep.h5"), "sweep");
    ck_assert_int_eq(check(at("sweep.h5"), NULL, &err), TW_OK);
}
END_TEST

START_TEST(test_foreign_files_need_force)
{
    tw_error err;
    tw_output_rules force = {.force = 1};
    write_text(at("notes.h5"), "notes\n");
    ck_assert_int_eq(check(at("notes.h5"), NULL, &err), TW_EINPUT);
    ck_assert_ptr_nonnull(strstr(err.msg, "not a twsim output"));
    ck_assert_ptr_nonnull(strstr(err.msg, "--force"));
    ck_assert_int_eq(check(at("notes.h5"), &force, &err), TW_OK);
    write_h5(at("other.h5"), NULL); /* HDF5, but not twsim's */
    ck_assert_int_eq(check(at("other.h5"), NULL, &err), TW_EINPUT);
    ck_assert_int_eq(tw_output_is_twsim(at("other.h5")), 0);
    ck_assert_int_eq(tw_output_is_twsim(at("notes.h5")), 0);
    ck_assert_int_eq(mkfifo(at("p.h5"), 0644), 0);
    ck_assert_int_eq(tw_output_is_twsim(at("p.h5")), 0); /* no hang */
}
END_TEST

/* The config and its @include are never replaced, not even with force. */
START_TEST(test_config_is_protected)
{
    write_text(at("inc.cfg"),
               "simulation = { mode = \"markov\"; base_year = 2020;\n"
               "  end_year = 2022; replicates = 2; seed = 1; };\n");
    write_text(at("main.cfg"),
               "@include \"inc.cfg\"\n"
               "tiers = { names = [\"a\", \"b\"];\n"
               "  transition = ( [0.8, 0.1], [0.0, 0.9] ); };\n"
               "teachers = { tier_counts = [10, 0]; };\n"
               "recruitment = { mode = \"replace\"; entry_tier = \"a\"; };\n");
    tw_config *cfg = NULL;
    tw_error err;
    tw_error_clear(&err);
    ck_assert_msg(tw_config_load(at("main.cfg"), NULL, 0, &cfg, &err) == TW_OK,
                  "%s", err.msg);
    ck_assert_uint_eq(cfg->n_sources, 2);
    tw_output_rules r = {.cfg = cfg, .force = 1};
    ck_assert_int_eq(check(at("main.cfg"), &r, &err), TW_EINPUT);
    ck_assert_ptr_nonnull(strstr(err.msg, "the config file"));
    ck_assert_int_eq(check(at("inc.cfg"), &r, &err), TW_EINPUT);
    ck_assert_ptr_nonnull(strstr(err.msg, "@included"));
    /* another name for the same file */
    ck_assert_int_eq(symlink("main.cfg", at("alias.h5")), 0);
    ck_assert_int_eq(check(at("alias.h5"), &r, &err), TW_EINPUT);
    tw_config_free(cfg);
}
END_TEST

/* A second writer to the same path is refused, naming the first; the
 * lock file goes with the lock. flock locks belong to the open file, so
 * two takes in one process contend like two processes. */
START_TEST(test_lock)
{
    tw_output_lock a, b;
    tw_error err;
    tw_error_clear(&err);
    const char *out = at("x.h5");
    ck_assert_int_eq(tw_output_lock_take(&a, out, &err), TW_OK);
    ck_assert_int_eq(access(at("x.h5.lock"), F_OK), 0);
    ck_assert_int_eq(tw_output_lock_take(&b, out, &err), TW_EFAIL);
    char pid[32];
    snprintf(pid, sizeof pid, "pid %ld", (long)getpid());
    ck_assert_msg(strstr(err.msg, pid) != NULL, "%s", err.msg);
    ck_assert_int_eq(b.fd, -1);
    /* and from another process */
    pid_t child = fork();
    if (child == 0) {
        tw_output_lock c;
        tw_error e;
        _exit(tw_output_lock_take(&c, out, &e) == TW_EFAIL ? 0 : 1);
    }
    int status;
    ck_assert_int_eq(waitpid(child, &status, 0), child);
    ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    tw_output_unlock(&a);
    ck_assert_int_ne(access(at("x.h5.lock"), F_OK), 0);
    ck_assert_int_eq(tw_output_lock_take(&b, out, &err), TW_OK);
    tw_output_unlock(&b);
    tw_output_unlock(&b); /* twice: harmless */
}
END_TEST

/* A lock left by a killed writer (the file stays, the flock does not) is
 * taken over. */
START_TEST(test_stale_lock)
{
    write_text(at("y.h5.lock"), "999999\n");
    tw_output_lock a;
    tw_error err;
    ck_assert_int_eq(tw_output_lock_take(&a, at("y.h5"), &err), TW_OK);
    tw_output_unlock(&a);
}
END_TEST

/* begin / end: the final name appears only on success; a failure leaves
 * neither the file nor its partial nor the lock. */
START_TEST(test_begin_end)
{
    tw_output o;
    tw_error err;
    tw_error_clear(&err);
    ck_assert_int_eq(tw_output_begin(&o, at("t.h5"), NULL, &err), TW_OK);
    write_h5(o.partial, "run");
    ck_assert_int_ne(access(at("t.h5"), F_OK), 0);
    ck_assert_int_eq(tw_output_end(&o, 1, &err), TW_OK);
    ck_assert_int_eq(access(at("t.h5"), F_OK), 0);
    ck_assert_int_ne(access(at("t.h5.partial"), F_OK), 0);
    ck_assert_int_ne(access(at("t.h5.lock"), F_OK), 0);

    ck_assert_int_eq(tw_output_begin(&o, at("u.h5"), NULL, &err), TW_OK);
    write_h5(o.partial, "run");
    ck_assert_int_eq(tw_output_end(&o, 0, &err), TW_EFAIL);
    ck_assert_int_ne(access(at("u.h5"), F_OK), 0);
    ck_assert_int_ne(access(at("u.h5.partial"), F_OK), 0);
    ck_assert_int_ne(access(at("u.h5.lock"), F_OK), 0);

    /* refused at begin: nothing held, nothing made */
    write_text(at("v.h5"), "keep me\n");
    ck_assert_int_eq(tw_output_begin(&o, at("v.h5"), NULL, &err), TW_EINPUT);
    ck_assert_int_ne(access(at("v.h5.lock"), F_OK), 0);
}
END_TEST

/* Every HDF5 close is checked: a file that cannot be written out fails at
 * tw_output_h5_close, not silently. */
START_TEST(test_h5_close_checked)
{
    tw_error err;
    tw_error_clear(&err);
    ck_assert_int_eq(tw_output_h5_close(H5I_INVALID_HID, "none", &err),
                     TW_OK);
    hid_t f = H5Fcreate(at("c.h5"), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    ck_assert_int_ge(f, 0);
    ck_assert_int_eq(tw_output_h5_close(f, "c.h5", &err), TW_OK);
    /* an id that is no longer a file: the error is reported */
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    ck_assert_int_eq(tw_output_h5_close(f, "c.h5", &err), TW_EFAIL);
    ck_assert_ptr_nonnull(strstr(err.msg, "c.h5"));
}
END_TEST

Suite *output_suite(void)
{
    Suite *s = suite_create("output");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_refused_kinds);
    tcase_add_test(tc, test_foreign_files_need_force);
    tcase_add_test(tc, test_config_is_protected);
    tcase_add_test(tc, test_lock);
    tcase_add_test(tc, test_stale_lock);
    tcase_add_test(tc, test_begin_end);
    tcase_add_test(tc, test_h5_close_checked);
    suite_add_tcase(s, tc);
    return s;
}
