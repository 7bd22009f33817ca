/*
 * kill_at_write.c - an LD_PRELOAD library for tests/stress_test.sh: counts
 * the process's file writes (pwrite, pwrite64, write to a regular file)
 * and renames, and kills the process with SIGKILL just before event number
 * $TW_KILL_AT (1-based). With $TW_KILL_COUNT set, a process that exits
 * normally writes its number of events to that file. Between two such
 * events the files are exactly what a kill -9 at that moment would leave
 * (the page cache survives a killed process), so killing before each
 * event in turn tries every state a kill can leave.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

static long n_events;
static long kill_at = -2;

static void event(void)
{
    if (kill_at == -2) {
        const char *e = getenv("TW_KILL_AT");
        kill_at = e != NULL ? atol(e) : -1;
    }
    if (__atomic_add_fetch(&n_events, 1, __ATOMIC_SEQ_CST) == kill_at)
        raise(SIGKILL);
}

#define REAL(name)                                                      \
    static __typeof__(name) *real;                                      \
    if (real == NULL)                                                   \
        real = (__typeof__(name) *)dlsym(RTLD_NEXT, #name)

ssize_t pwrite(int fd, const void *buf, size_t n, off_t off)
{
    REAL(pwrite);
    event();
    return real(fd, buf, n, off);
}

ssize_t pwrite64(int fd, const void *buf, size_t n, off64_t off)
{
    REAL(pwrite64);
    event();
    return real(fd, buf, n, off);
}

ssize_t write(int fd, const void *buf, size_t n)
{
    REAL(write);
    struct stat st;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode))
        event();
    return real(fd, buf, n);
}

int rename(const char *from, const char *to)
{
    REAL(rename);
    event();
    return real(from, to);
}

__attribute__((destructor)) static void report(void)
{
    const char *path = getenv("TW_KILL_COUNT");
    FILE *f = path != NULL ? fopen(path, "w") : NULL;
    if (f != NULL) {
        fprintf(f, "%ld\n", n_events);
        fclose(f);
    }
}
