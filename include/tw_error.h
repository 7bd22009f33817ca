/*
 * tw_error.h - error reporting for the twsim library.
 *
 * Library functions never exit(): they return a status code and, when they
 * fail, fill a caller-owned tw_error with a message a planner can read.
 * The codes are also the process exit codes of the CLI (docs/cli.md):
 *
 *   TW_OK     0  success
 *   TW_EFAIL  1  a failure that is not the user's input (I/O, HDF5, memory)
 *   TW_EINPUT 2  bad input: a config mistake or a bad command-line argument
 */
#ifndef TW_ERROR_H
#define TW_ERROR_H

#include <stddef.h>
#include <stdio.h>

enum { TW_OK = 0, TW_EFAIL = 1, TW_EINPUT = 2 };

/* Not an error: a run stopped on request (a signal) with its partial file
 * kept for --resume. The CLI exits with 128 + the signal number. */
enum { TW_ESTOPPED = 3 };

#define TW_ERROR_MSG_MAX 4096

/* At most this many lines are kept; tw_error_add counts the rest in a last
 * line "... and N more problems". */
#define TW_ERROR_MAX_LINES 20

typedef struct tw_error {
    int code;                   /* TW_OK until something fails */
    char msg[TW_ERROR_MSG_MAX]; /* one or more lines, no trailing newline */
    unsigned n_more;            /* lines left out (see TW_ERROR_MAX_LINES) */
} tw_error;

/* Reset to TW_OK with an empty message. */
void tw_error_clear(tw_error *err);

/*
 * Record an error: sets err->code to `code` and replaces the message.
 * Returns `code`, so that library code can write `return tw_error_set(...)`.
 * `err` may be NULL (the error is then only returned).
 */
int tw_error_set(tw_error *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/*
 * Append one more line to the message (used when validation collects
 * several problems). The first error's code wins. Past TW_ERROR_MAX_LINES
 * lines (or when the line would not fit), the line is counted instead and
 * the message ends with "... and N more problems". Returns err->code.
 */
int tw_error_add(tw_error *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/*
 * Write the message to f, each line prefixed with `prefix` (the CLI's
 * "twsim: "), so that every line of a multi-line report reads on its own.
 */
void tw_error_print(FILE *f, const char *prefix, const tw_error *err);

#endif /* TW_ERROR_H */
