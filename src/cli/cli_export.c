/*
 * cli_export.c - twsim export FILE --format csv|tidy-h5 [-o OUT]: a run
 * as one tidy table (tw_export.h). Exit status as every command: 0
 * success, 1 failure (I/O, HDF5, memory), 2 bad input.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tw_cli.h"
#include "tw_export.h"

static const char USAGE_EXPORT[] =
    "usage: twsim export FILE --format csv|tidy-h5 [-o OUT] [--force]\n"
    "\n"
    "Write the run FILE as one tidy (long) table, one row per replicate,\n"
    "year, place and metric, with the columns\n"
    "  replicate, year, metric, county (\"\" for the region), value, unit,\n"
    "  label\n"
    "(the region's rows, then each county's, for every replicate and year).\n"
    "  csv      a CSV file with a header line: pd.read_csv(OUT)\n"
    "  tidy-h5  an HDF5 file in pandas' table format: pd.read_hdf(OUT)\n"
    "           (needs PyTables: python3-tables)\n"
    "The run is read whole: for large ensembles, export a slice or use the\n"
    "run file itself (docs/hdf5.md).\n"
    "\n"
    "options:\n"
    "  -f, --format F   csv or tidy-h5 (required)\n"
    "  -o, --output OUT the table (default: FILE's name with .csv or\n"
    "                   .tidy.h5 in place of .h5)\n"
    "      --force      replace an existing OUT that is not a twsim file\n"
    "                   (an earlier export is replaced without it)\n"
    "  -q, --quiet      no line on success\n"
    "\n"
    "exit status: 0 success, 1 failure (I/O, HDF5, memory), 2 bad input\n";

static int export_usage(const char *what, const char *arg)
{
    fprintf(stderr, "twsim export: %s%s%s\n(try 'twsim export --help')\n",
            what, arg ? ": " : "", arg ? arg : "");
    return TW_EINPUT;
}

/* FILE's name with `ext` in place of a final ".h5" (new string). */
static char *default_out(const char *file, const char *ext)
{
    size_t len = strlen(file);
    if (len > 3 && strcmp(file + len - 3, ".h5") == 0)
        len -= 3;
    size_t cap = len + strlen(ext) + 1;
    char *out = malloc(cap);
    if (out != NULL)
        snprintf(out, cap, "%.*s%s", (int)len, file, ext);
    return out;
}

int tw_cli_export(int argc, char **argv)
{
    static const struct option longs[] = {
        {"format", required_argument, NULL, 'f'},
        {"output", required_argument, NULL, 'o'},
        {"force", no_argument, NULL, 'F'},
        {"quiet", no_argument, NULL, 'q'},
        TW_CLI_LONGS_END,
    };
    const char *fmt_name = NULL, *out = NULL;
    int force = 0, quiet = 0, ch, st = TW_CLI_OPT_START;
    while ((ch = tw_cli_opt(argc, argv, ":f:o:qh", longs, USAGE_EXPORT,
                            &st)) != -1) {
        switch (ch) {
        case 'f':
            fmt_name = optarg;
            break;
        case 'o':
            out = optarg;
            break;
        case 'F':
            force = 1;
            break;
        case 'q':
            quiet = 1;
            break;
        default:
            return export_usage("unknown option or missing value",
                                argv[optind - 1]);
        }
    }
    if (st == TW_CLI_OPT_HELP)
        return 0;
    if (optind != argc - 1)
        return export_usage("give exactly one run FILE", NULL);
    tw_export_format fmt;
    if (fmt_name == NULL)
        return export_usage("give --format csv or --format tidy-h5", NULL);
    if (strcmp(fmt_name, "csv") == 0)
        fmt = TW_EXPORT_CSV;
    else if (strcmp(fmt_name, "tidy-h5") == 0)
        fmt = TW_EXPORT_TIDY_H5;
    else
        return export_usage("--format: give csv or tidy-h5", fmt_name);
    const char *file = argv[optind];
    char *def = out != NULL ? NULL
                : default_out(file, fmt == TW_EXPORT_CSV ? ".csv"
                                                         : ".tidy.h5");
    if (out == NULL && def == NULL) {
        fprintf(stderr, "twsim export: out of memory\n");
        return TW_EFAIL;
    }
    const char *path = out != NULL ? out : def;
    tw_error err = {0};
    size_t rows = 0;
    int rc = tw_export(file, path, fmt, force, &rows, &err);
    if (rc != TW_OK)
        tw_error_print(stderr, "twsim export: ", &err);
    else if (!quiet)
        printf("wrote %s: %zu rows\n", path, rows);
    free(def);
    return rc;
}
