/*
 * tw_cli.h - command functions of the CLI that live outside main.c; each
 * takes the command's own argv (argv[0] = the command) and returns the
 * exit status.
 */
#ifndef TW_CLI_H
#define TW_CLI_H

#include <signal.h>
#include <stddef.h>

#include "tw_error.h"

/* Set to the signal's number by SIGINT / SIGTERM once
 * tw_cli_catch_stop_signals() has been called (the CLI's only global):
 * a run stops after the replicates in progress. */
extern volatile sig_atomic_t tw_cli_stop;
void tw_cli_catch_stop_signals(void);

/* The long options (struct option, <getopt.h>) that `run`, `optimize`
 * and `sweep` share, as docs/cli.md names them; seed_ch is the command's
 * letter for --seed. */
#define TW_CLI_RUN_LONGS(seed_ch)                                \
    {"replicates", required_argument, NULL, 'n'},                \
    {"seed", required_argument, NULL, (seed_ch)},                \
    {"set", required_argument, NULL, 's'},                       \
    {"scenario", required_argument, NULL, 'c'},                  \
    {"output", required_argument, NULL, 'o'},                    \
    {"force", no_argument, NULL, 'f'}

/* The end of every command's long options: --help and the terminator. */
#define TW_CLI_LONGS_END {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}

/* The state of one command's option parse by tw_cli_opt. */
enum { TW_CLI_OPT_START, TW_CLI_OPT_GOING, TW_CLI_OPT_HELP };

struct option;

/*
 * getopt_long over a command's argv: the first call (*state ==
 * TW_CLI_OPT_START) starts afresh (getopt keeps its place between
 * commands) with getopt's own messages off. -h / --help prints usage on
 * stdout, sets *state to TW_CLI_OPT_HELP and ends the parse. Returns the
 * next option, or -1 at the end.
 */
int tw_cli_opt(int argc, char **argv, const char *shorts,
               const struct option *longs, const char *usage, int *state);

struct tw_h5_data;

/*
 * The index of county `name` in d's /by_county, or -1 after a message on
 * stderr naming the argument, the file and its counties (or saying that
 * the file has none).
 */
long tw_cli_county(const struct tw_h5_data *d, const char *path,
                   const char *name);

/*
 * `info --county / --metrics`: every year's mean and 90% band of the
 * metrics named in `metrics` (comma-separated, "all", or "prefix*"; NULL:
 * a default set on the establishment, gaps and flows) for the region, or
 * for county `county` (NULL: the region). Returns TW_OK, or TW_EINPUT
 * after a message (unknown county or metric, nearest name; no summary).
 */
int tw_cli_year_table(const struct tw_h5_data *d, const char *path,
                      const char *county, const char *metrics);

/*
 * The `top` schools most often short in the last year (of county
 * `county`, or all when NULL), from d's /schools summary, which the
 * caller has checked is there.
 */
int tw_cli_short_schools(const struct tw_h5_data *d, const char *county,
                         size_t top);

int tw_cli_compare(int argc, char **argv);
int tw_cli_optimize(int argc, char **argv);
int tw_cli_sweep(int argc, char **argv);
/* twsim merge (cli_merge.c) and twsim export (cli_export.c). */
int tw_cli_merge(int argc, char **argv);
int tw_cli_export(int argc, char **argv);

#endif
