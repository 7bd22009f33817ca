/*
 * output.c - the one way twsim writes a file (tw_output.h,
 * docs/robustness.md "Writing files").
 */
#include "tw_output.h"

#include "tw_filekind.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

char *tw_output_with_suffix(const char *path, const char *suffix)
{
    size_t len = strlen(path) + strlen(suffix) + 1;
    char *s = malloc(len);
    if (s != NULL)
        snprintf(s, len, "%s%s", path, suffix);
    return s;
}

char *tw_output_partial_name(const char *path)
{
    return tw_output_with_suffix(path, ".partial");
}

char *tw_output_central_name(const char *path)
{
    return tw_output_with_suffix(path, ".central.run");
}

static const char *kind_of(mode_t m)
{
    return S_ISDIR(m) ? "a directory" : S_ISFIFO(m) ? "a FIFO (named pipe)"
           : S_ISSOCK(m) ? "a socket" : S_ISCHR(m) || S_ISBLK(m) ? "a device"
                                                            : "not a file";
}

int tw_output_is_twsim(const char *path)
{
    tw_file_kind kind;
    tw_error err;
    return tw_file_identify(path, &kind, &err) == TW_OK;
}

int tw_output_check(const char *path, const tw_output_rules *rules,
                    tw_error *err)
{
    struct stat st;
    if (path == NULL || path[0] == '\0')
        return tw_error_set(err, TW_EFAIL, "the output file name is empty; "
                            "give a file name with -o");
    size_t len = strlen(path);
    if (path[len - 1] == '/')
        return tw_error_set(err, TW_EFAIL, "cannot write %s: it names a "
                            "directory, not a file; give a file name with -o",
                            path);
    if (stat(path, &st) != 0) {
        if (errno == ENOENT)
            return TW_OK; /* a new file: its directory is checked when the
                             partial file is created, before any work */
        return tw_error_set(err, TW_EFAIL, "cannot write %s: %s", path,
                            strerror(errno));
    }
    if (!S_ISREG(st.st_mode))
        return tw_error_set(err, TW_EFAIL, "cannot write %s: it is %s, not "
                            "a file; give a file name with -o", path,
                            kind_of(st.st_mode));
    const tw_config *cfg = rules ? rules->cfg : NULL;
    for (size_t i = 0; cfg != NULL && i < cfg->n_sources; i++)
        if (cfg->sources[i].dev == (unsigned long long)st.st_dev &&
            cfg->sources[i].ino == (unsigned long long)st.st_ino)
            return tw_error_set(err, TW_EINPUT, "cannot write %s: it is %s "
                                "of this run; give another file name with -o",
                                path, i == 0 ? "the config file"
                                             : "a file @included by the config");
    if (st.st_size > 0 && !(rules && rules->force) && !tw_output_is_twsim(path))
        return tw_error_set(err, TW_EINPUT, "cannot write %s: it exists and "
                            "is not a twsim output file; give another file "
                            "name with -o, or --force to replace it", path);
    return TW_OK;
}

/* The pid written in a lock file, or 0. */
static long lock_owner(int fd)
{
    char buf[32] = {0};
    if (pread(fd, buf, sizeof buf - 1, 0) <= 0)
        return 0;
    return strtol(buf, NULL, 10);
}

int tw_output_lock_take(tw_output_lock *lk, const char *path, tw_error *err)
{
    *lk = TW_OUTPUT_LOCK_NONE;
    char *name = tw_output_with_suffix(path, ".lock");
    if (name == NULL)
        return tw_error_set(err, TW_EFAIL, "out of memory");
    /* The holder removes the file while it still holds the lock; a process
     * that opened the old file just before then locks a file that no
     * longer has the name, so the lock counts only when the name still
     * leads to the file locked. */
    for (int attempt = 0; attempt < 100; attempt++) {
        int fd = open(name, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
        if (fd < 0) {
            int e = errno;
            free(name);
            return tw_error_set(err, TW_EFAIL, "cannot create %s.lock (to write %s): %s",
                                path, path, strerror(e));
        }
        if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
            int e = errno;
            long pid = e == EWOULDBLOCK ? lock_owner(fd) : 0;
            close(fd);
            if (e != EWOULDBLOCK) {
                tw_error_set(err, TW_EFAIL, "cannot lock %s: %s", name,
                             strerror(e));
            } else if (pid > 0) {
                tw_error_set(err, TW_EFAIL, "%s is being written by another "
                             "twsim (pid %ld, lock %s); wait for it to "
                             "finish, or choose another file name with -o",
                             path, pid, name);
            } else {
                tw_error_set(err, TW_EFAIL, "%s is being written by another "
                             "twsim (lock %s); wait for it to finish, or "
                             "choose another file name with -o", path, name);
            }
            free(name);
            return TW_EFAIL;
        }
        struct stat a, b;
        if (fstat(fd, &a) == 0 && stat(name, &b) == 0 && a.st_dev == b.st_dev &&
            a.st_ino == b.st_ino) {
            char pid[32];
            int n = snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
            if (ftruncate(fd, 0) != 0 || pwrite(fd, pid, (size_t)n, 0) != n) {
                /* the pid is only for the message of a second writer */
            }
            lk->fd = fd;
            lk->name = name;
            return TW_OK;
        }
        close(fd); /* the name was removed or replaced meanwhile: again */
    }
    free(name);
    return tw_error_set(err, TW_EFAIL, "cannot lock %s.lock: it keeps being "
                        "replaced", path);
}

void tw_output_unlock(tw_output_lock *lk)
{
    if (lk == NULL)
        return;
    if (lk->fd >= 0) {
        if (lk->name != NULL)
            unlink(lk->name); /* still held: see tw_output_lock_take */
        close(lk->fd);
    }
    free(lk->name);
    *lk = TW_OUTPUT_LOCK_NONE;
}

int tw_output_h5_close(hid_t file, const char *name, tw_error *err)
{
    if (file < 0)
        return TW_OK;
    herr_t fl = H5Fflush(file, H5F_SCOPE_GLOBAL);
    herr_t cl = H5Fclose(file);
    if (fl < 0 || cl < 0) {
        int e = errno;
        return tw_error_set(err, TW_EFAIL, "cannot %s %s%s%s",
                            fl < 0 ? "write out" : "close", name,
                            e ? ": " : " (HDF5 reported an error)",
                            e ? strerror(e) : "");
    }
    return TW_OK;
}

/* fsync the file or directory `name` (read-only). */
static int sync_path(const char *name, int dir)
{
    int fd = open(name, O_RDONLY | O_CLOEXEC | (dir ? O_DIRECTORY : 0));
    if (fd < 0)
        return -1;
    int rc = fsync(fd);
    /* some file systems cannot sync a directory: that is not a failure */
    if (rc != 0 && dir && (errno == EINVAL || errno == EBADF))
        rc = 0;
    close(fd);
    return rc;
}

int tw_output_commit(const char *partial, const char *path, tw_error *err)
{
    if (sync_path(partial, 0) != 0)
        return tw_error_set(err, TW_EFAIL, "cannot write out %s: %s", partial,
                            strerror(errno));
    if (rename(partial, path) != 0)
        return tw_error_set(err, TW_EFAIL, "cannot rename %s to %s: %s",
                            partial, path, strerror(errno));
    char *dir = strdup(path);
    if (dir != NULL) {
        char *slash = strrchr(dir, '/');
        if (slash == NULL)
            strcpy(dir, ".");
        else if (slash == dir)
            slash[1] = '\0';
        else
            *slash = '\0';
        (void)sync_path(dir, 1); /* the rename is done; durability only */
        free(dir);
    }
    return TW_OK;
}

int tw_output_begin(tw_output *o, const char *path,
                    const tw_output_rules *rules, tw_error *err)
{
    memset(o, 0, sizeof *o);
    o->lock = TW_OUTPUT_LOCK_NONE;
    int rc = tw_output_check(path, rules, err);
    if (rc != TW_OK)
        return rc;
    if ((o->path = strdup(path)) == NULL ||
        (o->partial = tw_output_partial_name(path)) == NULL) {
        free(o->path);
        o->path = NULL;
        return tw_error_set(err, TW_EFAIL, "out of memory");
    }
    if ((rc = tw_output_lock_take(&o->lock, path, err)) != TW_OK) {
        free(o->path);
        free(o->partial);
        o->path = o->partial = NULL;
    }
    return rc;
}

int tw_output_end(tw_output *o, int ok, tw_error *err)
{
    int rc = TW_EFAIL;
    if (o->partial != NULL) {
        if (ok)
            rc = tw_output_commit(o->partial, o->path, err);
        if (rc != TW_OK)
            unlink(o->partial);
    }
    tw_output_unlock(&o->lock);
    free(o->path);
    free(o->partial);
    o->path = o->partial = NULL;
    return rc;
}
