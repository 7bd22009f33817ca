/*
 * tw_cli.h - command functions of the CLI that live outside main.c; each
 * takes the command's own argv (argv[0] = the command) and returns the
 * exit status.
 */
#ifndef TW_CLI_H
#define TW_CLI_H

#include "tw_error.h"

int tw_cli_compare(int argc, char **argv);
int tw_cli_optimize(int argc, char **argv);
int tw_cli_sweep(int argc, char **argv);

#endif
