/*
 * tw_cli.h - command functions of the CLI that live outside main.c; each
 * takes the command's own argv (argv[0] = the command) and returns the
 * exit status.
 */
#ifndef TW_CLI_H
#define TW_CLI_H

#include <signal.h>

#include "tw_error.h"

/* Set to the signal's number by SIGINT / SIGTERM once
 * tw_cli_catch_stop_signals() has been called (the CLI's only global):
 * a run stops after the replicates in progress. */
extern volatile sig_atomic_t tw_cli_stop;
void tw_cli_catch_stop_signals(void);

int tw_cli_compare(int argc, char **argv);
int tw_cli_optimize(int argc, char **argv);
int tw_cli_sweep(int argc, char **argv);

#endif
