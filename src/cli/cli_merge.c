/*
 * cli_merge.c - twsim merge PART... -o FILE [--force]: the slices of an
 * ensemble (twsim run --replicates FIRST:COUNT) into the whole run's file
 * (tw_merge.h, docs/cluster.md). Exit status as every command: 0
 * success, 1 failure (I/O, HDF5, memory), 2 bad input (a part that does
 * not fit, an existing FILE without --force).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "tw_cli.h"
#include "tw_merge.h"

static const char USAGE_MERGE[] =
    "usage: twsim merge PART.h5... -o FILE [--force] [-q]\n"
    "\n"
    "Put the slices of an ensemble, each written by\n"
    "  twsim run CONFIG --replicates FIRST:COUNT -o PART.h5\n"
    "(a Slurm array task each, docs/cluster.md), back into one file: the\n"
    "whole run's, bitwise the same as `twsim run CONFIG` without\n"
    "--replicates (but for /provenance), with its summaries and targets\n"
    "computed as a run computes them. The parts may come in any order.\n"
    "\n"
    "Refused (exit 2, nothing written): a part that is not a complete\n"
    "twsim run file; parts of another config (/config/effective), seed,\n"
    "replicate count, mode or twsim version; slices that overlap or leave\n"
    "replicates out; a config changed since the slices ran (merge loads\n"
    "it from the path the parts record: run merge where they ran). A config\n"
    "with uncertain settings needs each part's central run too,\n"
    "PART.h5.central.run, which `twsim run --replicates` keeps.\n"
    "\n"
    "options:\n"
    "  -o, --output FILE  the merged file (required)\n"
    "      --force        replace an existing FILE\n"
    "  -q, --quiet        no line on success\n"
    "\n"
    "exit status: 0 success, 1 failure (I/O, HDF5, memory), 2 bad input\n";

static int merge_usage(const char *what, const char *arg)
{
    fprintf(stderr, "twsim merge: %s%s%s\n(try 'twsim merge --help')\n",
            what, arg ? ": " : "", arg ? arg : "");
    return TW_EINPUT;
}

int tw_cli_merge(int argc, char **argv)
{
    static const struct option longs[] = {
        {"output", required_argument, NULL, 'o'},
        {"force", no_argument, NULL, 'f'},
        {"quiet", no_argument, NULL, 'q'},
        TW_CLI_LONGS_END,
    };
    tw_merge_opts mo = {0};
    int quiet = 0, ch, st = TW_CLI_OPT_START;
    while ((ch = tw_cli_opt(argc, argv, ":o:qh", longs, USAGE_MERGE,
                            &st)) != -1) {
        switch (ch) {
        case 'o':
            mo.out_path = optarg;
            break;
        case 'f':
            mo.force = 1;
            break;
        case 'q':
            quiet = 1;
            break;
        default:
            return merge_usage("unknown option or missing value",
                               argv[optind - 1]);
        }
    }
    if (st == TW_CLI_OPT_HELP)
        return 0;
    if (mo.out_path == NULL)
        return merge_usage("give the merged file with -o FILE", NULL);
    if (optind >= argc)
        return merge_usage("give the parts to merge", NULL);
    tw_error err = {0};
    tw_merge_stats ms;
    int rc = tw_merge((const char *const *)(argv + optind),
                      (size_t)(argc - optind), &mo, &ms, &err);
    if (rc != TW_OK) {
        tw_error_print(stderr, "twsim merge: ", &err);
        return rc;
    }
    if (!quiet)
        printf("wrote %s: %zu replicates from %zu part%s%s\n", mo.out_path,
               ms.replicates, ms.parts, ms.parts == 1 ? "" : "s",
               ms.central ? " (and their central run)" : "");
    return 0;
}
