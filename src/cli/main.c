/*
 * main.c - the twsim command line.
 *
 *   twsim run CONFIG [-n N] [--seed S] [-o FILE] [--set KEY=VALUE]...
 *             [--mean-field]
 *   twsim validate CONFIG [--set KEY=VALUE]... | --schema
 *   twsim info FILE [--county NAME] [--metrics A,B] [--schools [--top N]]
 *   twsim check FILE [--confidence C] [--strict] [--top N]
 *
 * Exit status (docs/cli.md, and USAGE below): 0 success, 1 failure that
 * is not the input's fault (I/O, HDF5, memory), 2 bad input (config or
 * arguments), 3 and 4 (check --strict, optimize), 130 / 143 stopped by
 * SIGINT / SIGTERM.
 */
#include <errno.h>
#include <math.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tw_cli.h"
#include "tw_config.h"
#include "tw_filekind.h"
#include "tw_h5.h"
#include "tw_output.h"
#include "tw_run.h"
#include "tw_mem.h"
#include "tw_sensitivity.h"
#include "tw_targets.h"
#include "tw_uncertain.h"
#include "tw_version.h"
#include "cli_format.h"
#ifdef TW_MPI
#include "tw_mpi.h"
#endif

#define MAX_SETS 256

static const char USAGE[] =
#ifdef TW_MPI
    "usage: mpirun -np N twsim-mpi run CONFIG [options]\n"
    "       srun twsim-mpi run CONFIG [options]\n"
    "       twsim-mpi COMMAND [ARGS]\n"
    "\n"
    "twsim built with MPI and parallel HDF5 (docs/cluster.md): `run` spreads\n"
    "the replicates over every MPI rank (and --threads per rank) and writes\n"
    "one file, bitwise the same as a serial run; only rank 0 prints.\n"
    "`sweep` runs its points on the ranks in turn (point p on rank p % R);\n"
    "`optimize` runs each evaluation's replicates on all ranks together.\n"
    "Other commands run on rank 0 alone.\n"
#else
    "usage: twsim COMMAND [ARGS]\n"
#endif
    "\n"
    "Teacher workforce microsimulation: runs a region's ensemble and writes\n"
    "its trajectories to HDF5.\n"
    "\n"
    "commands:\n"
    "  run CONFIG       run the ensemble and write an HDF5 file\n"
    "  validate CONFIG  check a config without running it\n"
    "  info FILE        describe an output file, or a county's years\n"
    "  check FILE       the target report of an output file\n"
    "  compare A B      paired differences of two runs (common random numbers)\n"
    "  optimize CONFIG  the smallest lever value that meets targets\n"
    "  sweep CONFIG     P(met) over a grid of lever values\n"
    "  sensitivity CONFIG|FILE  what each verdict rests on (uncertain\n"
    "                   settings)\n"
    "  merge PART... -o FILE  the slices of an ensemble (run --replicates\n"
    "                   FIRST:COUNT) into the whole run's file\n"
    "  export FILE      a run as one tidy table: CSV, or HDF5 for pandas\n"
    "\n"
    "options:\n"
    "  -h, --help       this help; 'twsim COMMAND --help' for a command\n"
    "  -V, --version    print the version and the git commit\n"
    "\n"
    "exit status (every command; docs/cli.md):\n"
    "  0        success\n"
    "  1        failure that is not the input's fault (I/O, HDF5, memory),\n"
    "           or check --strict with a target below the confidence\n"
    "  2        bad input (config, arguments, a file that is not twsim's)\n"
    "  3        check --strict on an unfinished .partial file; optimize:\n"
    "           no value in the range suffices\n"
    "  4        optimize: no value shown to suffice within --max-replicates\n"
    "  130, 143 stopped by SIGINT / SIGTERM (run: resumable with --resume)\n";

static const char USAGE_RUN[] =
#ifdef TW_MPI
    "usage: mpirun -np N twsim-mpi run CONFIG [options]\n"
    "       srun twsim-mpi run CONFIG [options]   (in a Slurm job)\n"
    "\n"
    "Every rank runs replicates on --threads threads; rank 0 hands them out\n"
    "in shrinking blocks, and every --checkpoint seconds all ranks write what\n"
    "they finished into FILE.partial with parallel HDF5. The result is\n"
    "bitwise the same as `twsim run` for any number of ranks and threads.\n"
#else
    "usage: twsim run CONFIG [options]\n"
#endif
    "\n"
    "Run every replicate of CONFIG and write trajectories and summaries to\n"
    "an HDF5 file (written as FILE.partial, renamed when complete), then\n"
    "print the target report (or, without targets, the first and last\n"
    "year's ensemble summary).\n"
    "\n"
    "options:\n"
    "  -n, --replicates N  replicates (same as --set simulation.replicates=N)\n"
    "      --replicates FIRST:COUNT  run only replicates FIRST .. FIRST+\n"
    "                      COUNT-1 of the ensemble (a slice, e.g. a Slurm\n"
    "                      array task), each with its stream of the whole\n"
    "                      run; twsim merge puts the slices together\n"
    "      --seed S        master seed (same as --set simulation.seed=S)\n"
    "  -o, --output FILE   output file (default: CONFIG's name with .h5, in\n"
    "                      the current directory)\n"
    "      --set KEY=VALUE override a setting, e.g. --set "
    "recruitment.mode=quota;\n"
    "                      repeatable, applied in order, type-checked\n"
    "  -q, --quiet         no progress bar and no summary table\n"
    "      --threads N     run replicates on N threads (default: one per CPU\n"
    "                      this process may use); the output is the same\n"
    "                      bitwise for any N\n"
#ifdef TW_MPI
    "      --checkpoint S  seconds between the collective writes of finished\n"
    "                      replicates (default 10): what a crash can lose\n"
#endif
    "      --scenario NAME run a scenario of the config (its overrides come\n"
    "                      after the file and before --set); all scenarios\n"
    "                      share the random streams (common random numbers)\n"
    "      --all-scenarios run the base and every scenario into one file, one\n"
    "                      group each (/scenarios/<name>), for twsim compare\n"
    "      --resume        finish FILE.partial left by an interrupted run of\n"
    "                      the same config and seed: only the missing\n"
    "                      replicates run; the result equals an uninterrupted\n"
    "                      run bitwise\n"
    "      --mean-field    instead of the ensemble, the deterministic\n"
    "                      mean-field model (expected values, docs/\n"
    "                      meanfield.md), written as one replicate in the\n"
    "                      same layout; the file's mode is \"<mode>-mean-field\"\n"
    "      --no-uncertainty  run the config as written: its uncertain\n"
    "                      settings keep the config's own values (the\n"
    "                      same as --set 'uncertainty.settings=()')\n"
    "      --no-counties   record the region's rows only, not each county's\n"
    "                      (/by_county): for large ensembles that need no\n"
    "                      county results (a target set for a county then\n"
    "                      cannot be evaluated)\n"
    "      --schools       also summarise every school: per year, the mean\n"
    "                      and 90% band of headcount minus demand and\n"
    "                      P(short) over the replicates (/schools; full\n"
    "                      mode; the partial file holds every replicate's\n"
    "                      values until the end); twsim info --schools and\n"
    "                      twsim check list the schools most often short\n"
    "      --force         replace an existing FILE that is not a twsim output\n"
    "                      (refused otherwise; the config and its @include\n"
    "                      files are never replaced)\n"
    "  -h, --help          this help\n"
    "\n"
    "Ctrl-C (SIGINT) or SIGTERM stops after the replicate in progress and\n"
    "keeps FILE.partial for --resume. A second run writing the same FILE\n"
    "is refused while the first holds FILE.lock.\n"
    "\n"
    "exit status: 0 success, 1 failure (I/O, HDF5, memory), 2 bad input,\n"
    "130 / 143 stopped by SIGINT / SIGTERM (resumable)\n";

static const char USAGE_SENS[] =
    "usage: twsim sensitivity CONFIG [run options]\n"
    "       twsim sensitivity FILE\n"
    "\n"
    "What each target's verdict rests on, for a config with uncertain\n"
    "settings (uncertainty in the config, docs/config.md). With CONFIG:\n"
    "runs it as `twsim run` does (the central run, then the ensemble over\n"
    "the settings' ranges; every run option applies, see twsim run --help)\n"
    "and writes /sensitivity. With FILE: reads a run's /sensitivity.\n"
    "Prints, for every target, P(met) over everything, at the central\n"
    "values, the 10th-90th percentile of P(met | parameter point), and\n"
    "every setting ranked by its first-order share of the variance of the\n"
    "target's quantity, with its bootstrap standard error\n"
    "(docs/sensitivity.md).\n"
    "\n"
    "exit status: 0 success, 1 failure (I/O, HDF5, memory), 2 bad input\n"
    "(a config without uncertain settings, a file without /sensitivity),\n"
    "130 / 143 stopped by SIGINT / SIGTERM (resumable with --resume)\n";

static const char USAGE_VALIDATE[] =
    "usage: twsim validate CONFIG [--scenario NAME] [--set KEY=VALUE]...\n"
    "       twsim validate --schema\n"
    "\n"
    "Check CONFIG (with its @include files and overrides) and report every\n"
    "problem as FILE:LINE: key: what is wrong. --schema lists every valid\n"
    "key with its type and meaning.\n"
    "\n"
    "exit status: 0 valid, 2 invalid, 1 other failure\n";

static const char USAGE_CHECK[] =
    "usage: twsim check FILE [--confidence C] [--strict] [--top N]\n"
    "                        [--format text|csv|json]\n"
    "\n"
    "The target report of a twsim output file: for each target of the run's\n"
    "config, its year and condition, P(met) over the complete replicates\n"
    "with its 90% Wilson interval, as \"0.85 [0.74–0.92]\", the mean and\n"
    "90% band of the compared quantity, the verdict at the confidence level\n"
    "and the quote from the source document. A mean-field file (run\n"
    "--mean-field: one deterministic run) has no probability: its report\n"
    "gives the quantity's value against the threshold and \"met\" or\n"
    "\"not met\".\n"
    "\n"
    "options:\n"
    "  --confidence C  verdict level, 0.5 < C < 1 (default 0.9): \"on track\"\n"
    "                  when P(met) >= C, \"off track\" when P(met) <= 1 - C,\n"
    "                  else \"uncertain\"\n"
    "  --strict        exit 1 when any target's P(met) is below C (a\n"
    "                  mean-field file: any target not met); 3 when none\n"
    "                  is but FILE is a .partial file (not finished)\n"
    "  --top N         how many short schools to list (default 10)\n"
    "  --format F      text (default), or csv / json for scripts: one record\n"
    "                  per target (and per county of an each-county target)\n"
    "                  with scenario, target, metric, scope, county, year,\n"
    "                  condition, p_met, p_lo, p_hi, mean, p05, p95, verdict\n"
    "                  (a mean-field file: p_lo, p_hi empty, verdict met or\n"
    "                  not met);\n"
    "                  a sweep or optimize file gives its grid's records\n"
    "  -h, --help      this help\n"
    "\n"
    "A .partial file is reported over its complete replicates; a scenarios\n"
    "file scenario by scenario; a sweep or optimize file as its P(met)\n"
    "table. A run with --schools also lists the schools most often short\n"
    "in the last year (as twsim info --schools).\n"
    "\n"
    "exit status: 0 success; 1 the file cannot be read, or --strict and a\n"
    "target below C; 2 bad arguments, or not a twsim file; 3 see --strict\n";

static const char USAGE_INFO[] =
    "usage: twsim info FILE [--county NAME] [--metrics A,B,...]\n"
    "                       [--schools [--top N]]\n"
    "\n"
    "Describe any file twsim writes: a run (provenance, replicates, years,\n"
    "metrics, the first and last year's summary; also a .partial file), an\n"
    "--all-scenarios file (each scenario so), a sweep or optimize file (the\n"
    "lever, its values and the P(met) table).\n"
    "\n"
    "A selection of a run (each scenario of an --all-scenarios file) prints\n"
    "that instead of the description:\n"
    "  --county NAME    every year's mean and 90% band (p05 - p95) for that\n"
    "                   county, from /by_county/summary (full mode); with\n"
    "                   --schools, only that county's schools\n"
    "  --metrics LIST   every year's mean and band of these metrics, comma-\n"
    "                   separated: names, \"prefix*\" or \"all\"; default\n"
    "                   (--county alone): teachers, 编制 (establishment)\n"
    "                   cap, used and room, gap, unfilled posts, hires, exits\n"
    "  --schools        the schools most often short in the last year, from\n"
    "                   /schools (run --schools): P(short), mean surplus\n"
    "                   (headcount minus demand) and its band\n"
    "  --top N          how many schools --schools lists (default 10)\n"
    "\n"
    "exit status: 0 success, 1 unreadable file, 2 not a twsim file (a\n"
    "directory, FIFO, device, text or foreign HDF5 file), or a selection\n"
    "the file does not have (county, metric, /schools; the valid names\n"
    "are listed)\n";


/* twsim-mpi: 0 on ranks other than 0, which print nothing. */
static int g_root = 1;

/* Options shared by run and validate. */
typedef struct cli_opts {
    const char *sets[MAX_SETS + 2];
    size_t n_sets;
    char replicates_set[64], seed_set[64];
    const char *output;
    int quiet, schema, mean_field, resume, force, schools, no_counties;
    int no_unc;             /* --no-uncertainty */
    size_t threads;         /* --threads, 0 = default */
    double checkpoint;      /* --checkpoint (twsim-mpi), 0 = default */
    const char *scenario;
    int all_scenarios;
    size_t slice_first;     /* --replicates FIRST:COUNT; slice_count 0: */
    size_t slice_count;     /* the whole ensemble */
} cli_opts;

/* The on/off options, and whether `run` (1) or `validate` (0) takes each. */
static const struct {
    int ch;
    const char *name;
    int for_run;
    size_t off;
} flag_opts[] = {
    { 'C', "--schema", 0, offsetof(cli_opts, schema) },
    { 'F', "--mean-field", 1, offsetof(cli_opts, mean_field) },
    { 'R', "--resume", 1, offsetof(cli_opts, resume) },
    { 'A', "--all-scenarios", 1, offsetof(cli_opts, all_scenarios) },
    { 'f', "--force", 1, offsetof(cli_opts, force) },
    { 'H', "--schools", 1, offsetof(cli_opts, schools) },
    { 'N', "--no-counties", 1, offsetof(cli_opts, no_counties) },
    { 'U', "--no-uncertainty", 1, offsetof(cli_opts, no_unc) },
};

static int usage_error(const char *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int usage_error(const char *cmd, const char *fmt, ...)
{
    if (!g_root)
        return TW_EINPUT;
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "twsim %s: ", cmd);
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n(try 'twsim %s --help')\n", cmd);
    va_end(ap);
    return TW_EINPUT;
}

int tw_cli_opt(int argc, char **argv, const char *shorts,
               const struct option *longs, const char *usage, int *state)
{
    if (*state == TW_CLI_OPT_START) {
        optind = 1;
        opterr = 0;
        *state = TW_CLI_OPT_GOING;
    }
    int ch = getopt_long(argc, argv, shorts, longs, NULL);
    if (ch != 'h')
        return ch;
    fputs(usage, stdout);
    *state = TW_CLI_OPT_HELP;
    return -1;
}

/* Set the on/off option ch, or refuse it for cmd: 0 or an exit status. */
static int set_flag(cli_opts *o, const char *cmd, int is_run, int ch)
{
    for (size_t i = 0; i < sizeof flag_opts / sizeof flag_opts[0]; i++) {
        if (flag_opts[i].ch != ch)
            continue;
        if (flag_opts[i].for_run != is_run)
            return usage_error(cmd, "unknown option '%s'", flag_opts[i].name);
        *(int *)(void *)((char *)o + flag_opts[i].off) = 1;
    }
    return 0;
}

/* A whole number >= 0 for -n / --seed, or -1. */
static long long parse_count(const char *s)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0' || v < 0)
        return -1;
    return v;
}

/* "FIRST:COUNT" (whole numbers, COUNT >= 1) into *first, *count: 0, or
 * -1 when malformed. */
static int parse_slice(const char *s, size_t *first, size_t *count)
{
    const char *colon = strchr(s, ':');
    char head[32];
    size_t k = colon != NULL ? (size_t)(colon - s) : 0;
    if (colon == NULL || k == 0 || k >= sizeof head)
        return -1;
    memcpy(head, s, k);
    head[k] = '\0';
    long long f = parse_count(head), c = parse_count(colon + 1);
    if (f < 0 || c < 1)
        return -1;
    *first = (size_t)f;
    *count = (size_t)c;
    return 0;
}

/* Parse run/validate options. Returns -1 to go on, else an exit code. */
static int parse_opts(const char *cmd, const char *usage, int argc,
                      char **argv, cli_opts *o, const char **config)
{
    static const struct option longs[] = {
        TW_CLI_RUN_LONGS('S'),
        {"quiet", no_argument, NULL, 'q'},
        {"schema", no_argument, NULL, 'C'},
        {"mean-field", no_argument, NULL, 'F'},
        {"resume", no_argument, NULL, 'R'},
        {"threads", required_argument, NULL, 'T'},
#ifdef TW_MPI
        {"checkpoint", required_argument, NULL, 'K'},
#endif
        {"all-scenarios", no_argument, NULL, 'A'},
        {"schools", no_argument, NULL, 'H'},
        {"no-counties", no_argument, NULL, 'N'},
        {"no-uncertainty", no_argument, NULL, 'U'},
        TW_CLI_LONGS_END,
    };
    int is_run = strcmp(cmd, "run") == 0 || strcmp(cmd, "sensitivity") == 0;
    int ch, st = TW_CLI_OPT_START;
    while ((ch = tw_cli_opt(argc, argv, is_run ? ":n:o:qh" : ":h", longs,
                            usage, &st)) != -1) {
        switch (ch) {
        case 's':
            if (o->n_sets >= MAX_SETS)
                return usage_error(cmd, "too many --set options (%s)", "max 256");
            o->sets[o->n_sets++] = optarg;
            break;
        case 'n':
        case 'S':
        case 'o':
        case 'q':
            if (!is_run)
                return usage_error(cmd, "unknown option '%s'", argv[optind - 1]);
            if (ch == 'o') {
                o->output = optarg;
            } else if (ch == 'q') {
                o->quiet = 1;
            } else if (ch == 'n' && strchr(optarg, ':') != NULL) {
                /* a slice of the ensemble, for array jobs */
                if (strcmp(cmd, "run") != 0)
                    return usage_error(cmd, "--replicates %s: a slice "
                                       "FIRST:COUNT is for twsim run",
                                       optarg);
                if (parse_slice(optarg, &o->slice_first,
                                &o->slice_count) != 0)
                    return usage_error(cmd, "--replicates '%s': give N, or "
                                       "a slice FIRST:COUNT of whole "
                                       "numbers with COUNT >= 1, e.g. "
                                       "2000:1000", optarg);
            } else {
                long long v = parse_count(optarg);
                if (v < 0)
                    return usage_error(cmd, "'%s' is not a whole number >= 0",
                                       optarg);
                char *buf = ch == 'n' ? o->replicates_set : o->seed_set;
                snprintf(buf, 64, "%s=%lld",
                         ch == 'n' ? "simulation.replicates" : "simulation.seed",
                         v);
            }
            break;
        case 'C':
        case 'F':
        case 'R':
        case 'A':
        case 'H':
        case 'N':
        case 'U':
        case 'f': {
            int rc = set_flag(o, cmd, is_run, ch);
            if (rc != 0)
                return rc;
            break;
        }
        case 'T': {
            long long v = is_run ? parse_count(optarg) : -1;
            if (!is_run)
                return usage_error(cmd, "unknown option '%s'", "--threads");
            if (v < 1 || v > 4096)
                return usage_error(cmd, "--threads '%s': give a whole number "
                                   "from 1 to 4096", optarg);
            o->threads = (size_t)v;
            break;
        }
#ifdef TW_MPI
        case 'K': {
            char *end;
            double v = is_run ? strtod(optarg, &end) : -1;
            if (!is_run)
                return usage_error(cmd, "unknown option '%s'", "--checkpoint");
            if (end == optarg || *end != '\0' || !(v > 0) || v > 1e6)
                return usage_error(cmd, "--checkpoint '%s': give a number of "
                                   "seconds > 0, e.g. 10", optarg);
            o->checkpoint = v;
            break;
        }
#endif
        case 'c':
            o->scenario = optarg;
            break;
        case ':':
            return usage_error(cmd, "option '%s' needs a value",
                               argv[optind - 1]);
        default:
            return usage_error(cmd, "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (st == TW_CLI_OPT_HELP)
        return 0;
    /* -n and --seed apply after every --set, as the last word. */
    if (o->replicates_set[0])
        o->sets[o->n_sets++] = o->replicates_set;
    if (o->seed_set[0])
        o->sets[o->n_sets++] = o->seed_set;
    if (o->schema)
        return -1;
    if (optind != argc - 1)
        return usage_error(cmd, "%s", optind >= argc
                                          ? "needs a CONFIG file"
                                          : "takes exactly one CONFIG file");
    *config = argv[optind];
    return -1;
}

static void print_error(const tw_error *err)
{
    if (!g_root)
        return;
    tw_error_print(stderr, "twsim: ", err);
}

static char *default_output(const char *config)
{
    const char *base = strrchr(config, '/');
    base = base ? base + 1 : config;
    size_t len = strlen(base);
    if (len > 4 && strcmp(base + len - 4, ".cfg") == 0)
        len -= 4;
    char *out = malloc(len + 4);
    if (out != NULL)
        snprintf(out, len + 4, "%.*s.h5", (int)len, base);
    return out;
}

/* Columns a UTF-8 string takes on a terminal: CJK characters (3-byte
 * sequences here) take two. */
static int display_width(const char *s)
{
    int w = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if ((*p & 0xC0) == 0x80)
            continue;
        w += (*p >= 0xE0) ? 2 : 1;
    }
    return w;
}

/* Print s left-aligned in `width` columns. */
static void print_padded(const char *s, int width)
{
    int w = display_width(s);
    fputs(s, stdout);
    for (; w < width; w++)
        putchar(' ');
}

/* First and last year of each metric: mean and 90% band. */
static void print_table(const tw_h5_data *d)
{
    if (d->summary.mean == NULL || d->n_years == 0)
        return;
    size_t nm = d->n_metrics, last = d->n_years - 1;
    int name_w = 6, label_w = 5;
    for (size_t k = 0; k < nm; k++) {
        int a = display_width(d->metric_names[k]);
        int b = display_width(d->metric_labels[k]);
        name_w = a > name_w ? a : name_w;
        label_w = b > label_w ? b : label_w;
    }
    char y0[16], y1[16], band[32];
    snprintf(y0, sizeof y0, "%d mean", d->years[0]);
    snprintf(y1, sizeof y1, "%d mean", d->years[last]);
    snprintf(band, sizeof band, "%d p05 - p95", d->years[last]);
    print_padded("metric", name_w + 2);
    print_padded("label", label_w + 2);
    printf("%12s %12s   %-23s %s\n", y0, y1, band, "unit");
    for (size_t k = 0; k < nm; k++) {
        size_t i = last * nm + k;
        int prec = strcmp(d->metric_units[k], "share") == 0 ? 3 : 1;
        print_padded(d->metric_names[k], name_w + 2);
        print_padded(d->metric_labels[k], label_w + 2);
        printf("%12.*f %12.*f   %10.*f - %-10.*f %s\n", prec,
               d->summary.mean[k], prec, d->summary.mean[i], prec,
               d->summary.p05[i], prec, d->summary.p95[i],
               d->metric_units[k]);
    }
}

/* The comparisons `compare` stored in the file, one line. */
static void print_comparisons(const char *path)
{
    char **names = NULL;
    size_t n = 0;
    tw_error err = {0};
    if (tw_file_comparisons(path, &names, &n, &err) != TW_OK || n == 0)
        return;
    printf("compared:   ");
    for (size_t i = 0; i < n; i++) {
        printf("%s/comparisons/%s", i ? ", " : "", names[i]);
        free(names[i]);
    }
    printf(" (stored by twsim compare)\n");
    free(names);
}

/* Read the run at `group` of `path` (the root when NULL) into *d, or say
 * why not on stderr. */
static int read_run(const char *path, const char *group, tw_h5_data **d)
{
    tw_error err = {0};
    tw_error_clear(&err);
    int rc = tw_h5_read_group(path, group, d, &err);
    if (rc != TW_OK)
        print_error(&err);
    return rc;
}

/* What `info` prints of a run besides its description (USAGE_INFO). */
typedef struct info_sel {
    const char *county;     /* --county, NULL: the region */
    const char *metrics;    /* --metrics, NULL: the default set */
    int schools;            /* --schools */
    size_t top;             /* --top */
} info_sel;

/* 1 when sel asks for a selection rather than the description. */
static int info_selected(const info_sel *sel)
{
    return sel != NULL && (sel->county || sel->metrics || sel->schools);
}

/* The selection sel of the run d read from `path`: a year-by-year table
 * when --metrics is given, or --county without --schools; the short
 * schools with --schools. */
static int info_selection(const tw_h5_data *d, const char *path,
                          const info_sel *sel)
{
    if (sel->schools && d->n_schools == 0) {
        fprintf(stderr, "twsim info: --schools: %s has no /schools (mode "
                "%s; only a full-mode ensemble run with `twsim run CONFIG "
                "--schools` summarises every school)\n", path, d->mode);
        return TW_EINPUT;
    }
    if (sel->county != NULL && tw_cli_county(d, path, sel->county) < 0)
        return TW_EINPUT;
    int rc = TW_OK, table = sel->metrics || !sel->schools;
    if (table)
        rc = tw_cli_year_table(d, path, sel->county, sel->metrics);
    if (rc == TW_OK && sel->schools) {
        if (table)
            putchar('\n');
        rc = tw_cli_short_schools(d, sel->county, sel->top);
    }
    return rc;
}

/* Provenance and summary table of the run at `group` of `path` (the root
 * when NULL), or the selection sel (NULL: none). */
static int info_run(const char *path, const char *group, int print_meta,
                    const info_sel *sel)
{
    tw_h5_data *d = NULL;
    int rc = read_run(path, group, &d);
    if (rc != TW_OK)
        return rc;
    if (info_selected(sel)) {
        rc = info_selection(d, path, sel);
        tw_h5_data_free(d);
        return rc;
    }
    if (print_meta) {
        size_t done = 0;
        for (size_t r = 0; r < d->n_reps; r++)
            done += d->done[r] != 0;
        if (group == NULL)
            printf("file:       %s (format %d)\n", path, d->format_version);
        if (group == NULL && d->summary.mean == NULL)
            printf("kind:       run, PARTIAL: %zu of %zu replicates; finish "
                   "it with run --resume\n", done, d->n_reps);
        else if (group == NULL)
            printf("kind:       run\n");
        printf("engine:     twsim %s, commit %s\n", d->engine_version,
               d->git_commit);
        printf("config:     %s, mode %s, seed %llu\n", d->config_path,
               d->mode, (unsigned long long)d->seed);
        for (size_t i = 0; i < d->n_overrides; i++)
            printf("override:   --set %s\n", d->overrides[i]);
        printf("replicates: %zu of %zu complete\n", done, d->n_reps);
        printf("years:      %d to %d\n", d->years[0],
               d->years[d->n_years - 1]);
        printf("metrics:    %zu\n", d->n_metrics);
        if (group == NULL)
            print_comparisons(path);
        printf("\n");
    }
    if (d->summary.mean == NULL && print_meta)
        printf("(no summary yet: the file is partial; `twsim check` reports "
               "the targets over the complete replicates)\n");
    print_table(d);
    tw_h5_data_free(d);
    return 0;
}

/* An --all-scenarios file: its scenarios, each with its provenance and
 * summary. */
static int info_scenarios(const char *path, const info_sel *sel)
{
    char **names = NULL;
    size_t n = 0;
    tw_error err = {0};
    if (tw_h5_scenario_names(path, &names, &n, &err) != TW_OK) {
        print_error(&err);
        return TW_EFAIL;
    }
    printf("file:       %s\n", path);
    printf("kind:       scenarios (run --all-scenarios), %zu on common "
           "random numbers:", n);
    for (size_t i = 0; i < n; i++)
        printf(" %s", names[i]);
    printf("\n");
    print_comparisons(path);
    int rc = TW_OK;
    for (size_t i = 0; i < n; i++) {
        char group[256];
        snprintf(group, sizeof group, "scenarios/%s", names[i]);
        /* a bad selection is said once, not for every scenario */
        if (rc != TW_EINPUT) {
            printf("\n== scenario %s (/%s)\n", names[i], group);
            int r = info_run(path, group, 1, sel);
            if (r != TW_OK && rc == TW_OK)
                rc = r;
        }
        free(names[i]);
    }
    free(names);
    return rc;
}

/* A sweep or optimize file: the lever, its values and the P(met) table.
 * *met receives how many rows meet every target. */
static int info_levers(const char *path, int print_meta, size_t *met)
{
    tw_error err = {0};
    tw_lever_table *t = NULL;
    int rc = tw_lever_table_read(path, &t, &err);
    if (rc != TW_OK) {
        print_error(&err);
        return rc;
    }
    int two = t->lever2[0] != '\0';
    if (print_meta) {
        printf("file:       %s\n", path);
        printf("kind:       %s (twsim %s)\n", tw_file_kind_names[t->kind],
               tw_file_kind_names[t->kind]);
        printf("config:     %s\n", t->config);
        for (size_t i = 0; i < t->n_overrides; i++)
            printf("override:   --set %s\n", t->overrides[i]);
        printf("lever:      %s\n", t->lever);
        if (two)
            printf("lever2:     %s\n", t->lever2);
        printf("required:   P(met) >= %.2f for every target\n", t->prob);
        printf("points:     %zu\n\n", t->n);
    }
    printf("%12s", "value");
    if (two)
        printf(" %12s", "value2");
    for (size_t j = 0; j < t->n_targets; j++)
        printf(" %*s", (int)(strlen(t->targets[j]) > 8
                                 ? strlen(t->targets[j]) : 8),
               t->targets[j]);
    printf(" %8s  %s\n", "all", "meets");
    *met = 0;
    for (size_t i = 0; i < t->n; i++) {
        printf("%12g", t->value[i]);
        if (two)
            printf(" %12g", t->value2[i]);
        for (size_t j = 0; j < t->n_targets; j++)
            printf(" %*.3f", (int)(strlen(t->targets[j]) > 8
                                       ? strlen(t->targets[j]) : 8),
                   t->p_met[i * t->n_targets + j]);
        printf(" %8.3f  %s\n", t->p_all[i], t->meets[i] != 0 ? "yes" : "no");
        *met += t->meets[i] != 0;
    }
    if (t->kind == TW_FILE_OPTIMIZE && t->answer >= 0)
        printf("\nAnswer: %s = %g, the smallest value on the grid that meets "
               "every target with P(met) >= %.2f\n", t->lever,
               t->value[t->answer], t->prob);
    else if (t->kind == TW_FILE_OPTIMIZE)
        printf("\nNo value of %s in the range meets every target with "
               "P(met) >= %.2f\n", t->lever, t->prob);
    tw_lever_table_free(t);
    return TW_OK;
}

/* --top N: a whole number >= 1, or 0 after a message. */
static size_t parse_top(const char *cmd, const char *s)
{
    long long v = parse_count(s);
    if (v < 1) {
        usage_error(cmd, "--top '%s': give a whole number >= 1", s);
        return 0;
    }
    return (size_t)v;
}

static int cmd_info(int argc, char **argv, int print_meta)
{
    static const struct option longs[] = {
        {"county", required_argument, NULL, 'c'},
        {"metrics", required_argument, NULL, 'm'},
        {"schools", no_argument, NULL, 's'},
        {"top", required_argument, NULL, 't'},
        TW_CLI_LONGS_END,
    };
    info_sel sel = { NULL, NULL, 0, 10 };
    int ch, st = TW_CLI_OPT_START;
    while ((ch = tw_cli_opt(argc, argv, ":h", longs, USAGE_INFO, &st)) !=
           -1) {
        switch (ch) {
        case 'c':
            sel.county = optarg;
            break;
        case 'm':
            sel.metrics = optarg;
            break;
        case 's':
            sel.schools = 1;
            break;
        case 't':
            if ((sel.top = parse_top("info", optarg)) == 0)
                return TW_EINPUT;
            break;
        case ':':
            return usage_error("info", "option '%s' needs a value",
                               argv[optind - 1]);
        default:
            return usage_error("info", "unknown option '%s'",
                               argv[optind - 1]);
        }
    }
    if (st == TW_CLI_OPT_HELP)
        return 0;
    if (optind != argc - 1)
        return usage_error("info", "%s", "takes exactly one FILE");
    const char *path = argv[optind];
    tw_error err = {0};
    tw_file_kind kind;
    int rc = tw_file_identify(path, &kind, &err);
    if (rc != TW_OK) {
        print_error(&err);
        return rc;
    }
    size_t met = 0;
    switch (kind) {
    case TW_FILE_SCENARIOS:
        return info_scenarios(path, &sel);
    case TW_FILE_SWEEP:
    case TW_FILE_OPTIMIZE:
        if (info_selected(&sel))
            return usage_error("info", "%s is a %s file: it has P(met) per "
                               "lever value, no per-year results for "
                               "--county, --metrics or --schools", path,
                               tw_file_kind_names[kind]);
        return info_levers(path, 1, &met);
    case TW_FILE_EXPORT:
        printf("%s: a tidy table written by twsim export; read it with "
               "pandas: pd.read_hdf(\"%s\")\n", path, path);
        return 0;
    default:
        return info_run(path, NULL, print_meta, &sel);
    }
}

/* After the target report of the run at `group`: the schools most often
 * short, when the run has /schools (run --schools). */
static int check_schools(const char *path, const char *group, size_t top)
{
    tw_h5_data *d = NULL;
    int rc = read_run(path, group, &d);
    if (rc != TW_OK)
        return rc;
    if (d->n_schools > 0 && d->school_p_short != NULL) {
        putchar('\n');
        rc = tw_cli_short_schools(d, NULL, top);
    }
    tw_h5_data_free(d);
    return rc;
}

/*
 * Evaluate and print the targets of file `path` over its complete
 * replicates. *below receives the number of targets under `confidence`,
 * *partial 1 when the run is not complete (a .partial file: its targets
 * come from the config stored in it). Returns TW_OK or the error's code
 * (message printed).
 */
/* The settings that explain most of target k's variance, as text: at
 * most three with a first-order share of at least 5%, then randomness. */
static void top_settings(const tw_h5_sens *s, size_t k, char *buf,
                         size_t cap)
{
    size_t used = 0, named = 0;
    buf[0] = '\0';
    unsigned char taken[256] = {0};
    for (size_t n = 0; n < 3; n++) {
        size_t best = SIZE_MAX;
        for (size_t i = 0; i < s->n_set && i < 256; i++) {
            double f = s->first[k * s->n_set + i];
            if (!taken[i] && tw_sens_clear(f, s->first_se[k * s->n_set + i]) &&
                (best == SIZE_MAX || f > s->first[k * s->n_set + best]))
                best = i;
        }
        if (best == SIZE_MAX)
            break;
        taken[best] = 1;
        if (used < cap)
            used += (size_t)snprintf(buf + used, cap - used, "%s%s %.0f%%",
                                     named++ ? ", " : "", s->keys[best],
                                     100 * s->first[k * s->n_set + best]);
    }
    double r = s->random_share[k];
    if (isfinite(r) && used < cap)
        used += (size_t)snprintf(buf + used, cap - used, "%srandomness %.0f%%",
                                 named ? ", " : "",
                                 100 * (r < 0 ? 0 : r > 1 ? 1 : r));
    if (used == 0)
        snprintf(buf, cap, "(no variance)");
}

/* After the target table of a run with uncertain settings: what each
 * verdict rests on (/sensitivity, docs/sensitivity.md). */
static void report_rests_on(FILE *f, const char *path, const char *group)
{
    tw_h5_sens s;
    tw_error err = {0};
    if (tw_h5_read_sens(path, group, &s, &err) != TW_OK) {
        print_error(&err);
        return;
    }
    if (s.n_set == 0 || s.nt == 0) {
        tw_h5_sens_free(&s);
        return;
    }
    fprintf(f, "\nWhat the verdicts rest on: %zu uncertain setting%s, %zu "
            "parameter point%s x %zu replicate%s (%s)", s.n_set,
            s.n_set == 1 ? "" : "s", s.n_points, s.n_points == 1 ? "" : "s",
            s.per_point, s.per_point == 1 ? "" : "s",
            strcmp(s.design, "sobol") == 0 ? "Sobol points"
                                           : "Latin hypercube");
    if (s.c_met != NULL)
        fprintf(f, "; central run: %zu replicates", s.central_reps);
    fprintf(f, "\n");
    int w = 6;
    for (size_t k = 0; k < s.nt; k++)
        if (display_width(s.targets[k]) > w)
            w = display_width(s.targets[k]);
    fprintf(f, "  ");
    print_padded("target", w);
    fprintf(f, "  P(met)  central  P(met|point) 10-90%%  variance of the "
            "quantity explained by\n");
    for (size_t k = 0; k < s.nt; k++) {
        char top[512], band[32], cen[16];
        top_settings(&s, k, top, sizeof top);
        if (isfinite(s.p10[k]))
            snprintf(band, sizeof band, "%.2f-%.2f", s.p10[k], s.p90[k]);
        else
            snprintf(band, sizeof band, "(too few points)");
        if (s.c_met != NULL && isfinite(s.c_met[k]))
            snprintf(cen, sizeof cen, "%.2f", s.c_met[k]);
        else
            snprintf(cen, sizeof cen, "-");
        fprintf(f, "  ");
        print_padded(s.targets[k], w);
        fprintf(f, "  %6.2f  %7s  %-19s  %s\n", s.p_met[k], cen, band, top);
        if (s.depends[k][0] != '\0')
            fprintf(f, "  %*s  -> %s\n", w, "", s.depends[k]);
    }
    fprintf(f, "  P(met): over the settings' ranges and the randomness "
            "together (as in the table above); central: every setting at "
            "its central value; P(met|point): across the parameter "
            "points; shares: first-order (main-effect) indices of the "
            "target's quantity, listed when at least 5%% and two standard "
            "errors (twsim sensitivity lists them all; docs/"
            "sensitivity.md)\n");
    tw_h5_sens_free(&s);
}

static int cmp_share_desc(const void *a, const void *b, void *ctx)
{
    const double *f = ctx;
    double x = f[*(const size_t *)a], y = f[*(const size_t *)b];
    return (x < y) - (x > y);
}

/* twsim sensitivity: every target, every setting ranked by its share. */
static int print_sens_table(const char *path, const char *group)
{
    tw_h5_sens s;
    tw_error err = {0};
    int rc = tw_h5_read_sens(path, group, &s, &err);
    if (rc != TW_OK) {
        print_error(&err);
        return rc;
    }
    if (s.n_set == 0 || s.nt == 0) {
        fprintf(stderr, "twsim: %s has no /sensitivity: it is not a run of "
                "a config with uncertain settings and targets\n", path);
        tw_h5_sens_free(&s);
        return TW_EINPUT;
    }
    size_t *ord = malloc(s.n_set * sizeof *ord);
    if (ord == NULL) {
        tw_h5_sens_free(&s);
        return TW_EFAIL;
    }
    int w = 7;
    for (size_t i = 0; i < s.n_set; i++)
        if (display_width(s.keys[i]) > w)
            w = display_width(s.keys[i]);
    printf("Sensitivity (%s): %zu uncertain setting%s, %zu parameter "
           "point%s x %zu replicate%s\n", path, s.n_set,
           s.n_set == 1 ? "" : "s", s.n_points, s.n_points == 1 ? "" : "s",
           s.per_point, s.per_point == 1 ? "" : "s");
    for (size_t k = 0; k < s.nt; k++) {
        const double *f = s.first + k * s.n_set;
        printf("\n%s: P(met) %.3f [%.3f-%.3f]", s.targets[k], s.p_met[k],
               s.p_lo[k], s.p_hi[k]);
        if (s.c_met != NULL)
            printf(", at the central values %.3f", s.c_met[k]);
        if (isfinite(s.p10[k]))
            printf(", P(met | point) 10-90%% %.2f-%.2f", s.p10[k], s.p90[k]);
        printf("\n");
        if (s.depends[k][0] != '\0')
            printf("  %s\n", s.depends[k]);
        printf("  rank  ");
        print_padded("setting", w);
        printf("  share    +- se   range\n");
        for (size_t i = 0; i < s.n_set; i++)
            ord[i] = i;
        qsort_r(ord, s.n_set, sizeof *ord, cmp_share_desc, (void *)f);
        double sum = 0;
        for (size_t j = 0; j < s.n_set; j++) {
            size_t i = ord[j];
            printf("  %4zu  ", j + 1);
            print_padded(s.keys[i], w);
            if (isfinite(f[i]))
                printf("  %6.3f  %6.3f   %g to %g\n", f[i],
                       s.first_se[k * s.n_set + i], s.lo[i], s.hi[i]);
            else
                printf("  %6s  %6s   %g to %g\n", "-", "-", s.lo[i],
                       s.hi[i]);
            sum += isfinite(f[i]) && f[i] > 0 ? f[i] : 0;
        }
        double r = s.random_share[k];
        if (isfinite(r)) {
            printf("        ");
            print_padded("randomness (within a point)", w);
            printf("  %6.3f\n", r);
            sum += r > 0 ? r : 0;
        }
        if (sum > 0) {
            printf("        ");
            print_padded("interactions and estimation noise", w);
            printf("  %6.3f\n", 1 - sum);
        } else {
            printf("        (too few parameter points for the shares: "
                   "run more replicates)\n");
        }
    }
    printf("\nshare: first-order (main-effect) share of the variance of the "
           "target's quantity (docs/sensitivity.md); se: bootstrap standard "
           "error\n");
    free(ord);
    tw_h5_sens_free(&s);
    return 0;
}

/* twsim sensitivity FILE | CONFIG [run options] */
static int cmd_run_or_validate(const char *cmd, int argc, char **argv);
static int cmd_sensitivity(int argc, char **argv)
{
    /* a twsim file as the only argument: read its /sensitivity */
    if (argc == 2 && argv[1][0] != '-') {
        tw_file_kind kind;
        tw_error err = {0};
        if (tw_file_check_regular(argv[1], &err) == TW_OK &&
            tw_file_identify(argv[1], &kind, &err) == TW_OK) {
            if (kind != TW_FILE_RUN) {
                fprintf(stderr, "twsim: %s is a %s file; sensitivity reads "
                        "a run's\n", argv[1], tw_file_kind_names[kind]);
                return TW_EINPUT;
            }
            return print_sens_table(argv[1], NULL);
        }
    }
    return cmd_run_or_validate("sensitivity", argc, argv);
}

static int report_targets(const char *path, const char *group,
                          double confidence, size_t *below, int *partial,
                          tw_cli_rows *rows)
{
    /* with rows (--format csv|json) stdout holds the records alone */
    FILE *say = rows ? stderr : stdout;
    tw_error err = {0};
    tw_error_clear(&err);
    tw_h5_data *d = NULL;
    int rc = read_run(path, group, &d);
    if (rc != TW_OK)
        return rc;
    rc = TW_EFAIL;
    /* a .partial file has no summary and no /targets yet */
    int is_partial = d->summary.mean == NULL;
    if (partial != NULL)
        *partial = is_partial;
    if (is_partial && d->n_targets == 0 &&
        tw_file_targets_from_config(path, group, &d->targets, &d->n_targets,
                                    &err) != TW_OK) {
        print_error(&err);
        rc = err.code;
        d->targets = NULL;
        d->n_targets = 0;
        tw_h5_data_free(d);
        return rc;
    }
    size_t nt = d->n_targets, nm = d->n_metrics, ny = d->n_years;
    size_t len = ny * nm, reps = 0, nc = 0;
    char **counties = NULL;
    tw_target_result *res = calloc(nt ? nt : 1, sizeof *res), *cres = NULL;
    if (res == NULL) {
        fprintf(stderr, "twsim: out of memory\n");
        goto out;
    }
    /* the complete replicates first, in place (no second copy of the
     * trajectories: a file's rows can take gigabytes) */
    double *traj = d->trajectories;
    for (size_t r = 0; r < d->n_reps; r++)
        if (d->done[r]) {
            if (reps != r)
                memmove(traj + reps * len, traj + r * len,
                        len * sizeof *traj);
            reps++;
        }
    char title[512];
    snprintf(title, sizeof title, "Targets of %s (%s%s%s)",
             d->region_name && d->region_name[0] ? d->region_name
                                                 : d->config_path, path,
             group ? ", " : "", group ? group : "");
    if (reps == 0) {
        fprintf(say, "%s: PARTIAL, 0 of %zu replicates complete: no target "
                "can be evaluated yet\n", title, d->n_reps);
        *below = 0;
        rc = TW_OK;
        goto out;
    }
    if (tw_file_targets(d, d->done, traj, reps, d->targets, nt, NULL, res,
                        &nc, &counties, &cres, &err) != TW_OK) {
        print_error(&err);
        goto out;
    }
    /* one run of expected values: a value against its threshold, not a
     * probability with an interval */
    int mean_field = d->mode != NULL && strstr(d->mode, "mean-field") != NULL;
    for (size_t i = 0; mean_field && i < nt; i++) {
        res[i].p_se = 0;
        res[i].p_lo = res[i].p_hi = NAN;
    }
    if (is_partial)
        fprintf(say, "PARTIAL FILE: %zu of %zu replicates complete; the "
                "report uses those (targets from the config stored in the "
                "file)\n%s", reps, d->n_reps, rows ? "" : "\n");
    if (rows == NULL) {
        tw_h5_sens hs;
        tw_error e2 = {0};
        if (!is_partial && tw_h5_read_sens(path, group, &hs, &e2) == TW_OK &&
            hs.n_set > 0) {
            printf("P(met) below is over the ranges of %zu uncertain "
                   "setting%s and the model's randomness together; the "
                   "section after the table gives it at the central "
                   "values.\n\n", hs.n_set, hs.n_set == 1 ? "" : "s");
            tw_h5_sens_free(&hs);
        }
        if (mean_field)
            *below = tw_targets_report_value(stdout, title, d->targets, nt,
                                             res);
        else
            *below = tw_targets_report(stdout, title, d->targets, nt, res,
                                       (const char *const *)counties, nc,
                                       cres, reps, confidence);
        if (!is_partial && !mean_field)
            report_rests_on(stdout, path, group);
    } else {
        /* the same count as tw_targets_report, for --strict */
        *below = 0;
        for (size_t i = 0; i < nt; i++)
            *below += mean_field ? res[i].p_met < 0.5
                                 : res[i].p_met < confidence;
        tw_cli_targets_rows(rows, group ? group + strlen("scenarios/") : NULL,
                            d->targets, nt, res,
                            (const char *const *)counties, nc, cres,
                            confidence);
    }
    if (reps < d->n_reps)
        fprintf(say, "%snote: %zu of %zu replicates are complete; the report "
                "uses those.\n", rows ? "twsim: " : "\n  ", reps, d->n_reps);
    rc = TW_OK;
out:
    free(res);
    free(cres);
    tw_strings_free(counties, nc);
    tw_h5_data_free(d);
    return rc;
}

static int cmd_check(int argc, char **argv)
{
    static const struct option longs[] = {
        {"confidence", required_argument, NULL, 'c'},
        {"strict", no_argument, NULL, 's'},
        {"top", required_argument, NULL, 't'},
        {"format", required_argument, NULL, 'F'},
        TW_CLI_LONGS_END,
    };
    tw_cli_format fmt = TW_CLI_TEXT;
    double confidence = 0.9;
    size_t top = 10;
    int strict = 0, ch;
    int st = TW_CLI_OPT_START;
    while ((ch = tw_cli_opt(argc, argv, ":h", longs, USAGE_CHECK, &st)) !=
           -1) {
        switch (ch) {
        case 's':
            strict = 1;
            break;
        case 't':
            if ((top = parse_top("check", optarg)) == 0)
                return TW_EINPUT;
            break;
        case 'F':
            if (tw_cli_format_parse("check", optarg, &fmt) != TW_OK)
                return TW_EINPUT;
            break;
        case 'c': {
            char *end;
            confidence = strtod(optarg, &end);
            if (end == optarg || *end != '\0' || !(confidence > 0.5) ||
                !(confidence < 1.0))
                return usage_error("check", "--confidence '%s': give a "
                                   "number between 0.5 and 1, e.g. 0.9",
                                   optarg);
            break;
        }
        case ':':
            return usage_error("check", "option '%s' needs a value",
                               argv[optind - 1]);
        default:
            return usage_error("check", "unknown option '%s'",
                               argv[optind - 1]);
        }
    }
    if (st == TW_CLI_OPT_HELP)
        return 0;
    if (optind != argc - 1)
        return usage_error("check", "%s", "takes exactly one FILE");
    const char *path = argv[optind];
    size_t below = 0, n = 0;
    char **names = NULL;
    tw_error err = {0};
    tw_file_kind kind;
    int rc = tw_file_identify(path, &kind, &err);
    if (rc != TW_OK) {
        print_error(&err);
        return rc;
    }
    if (kind == TW_FILE_SWEEP || kind == TW_FILE_OPTIMIZE) {
        size_t met = 0;
        if (fmt != TW_CLI_TEXT) {
            tw_lever_table *t = NULL;
            if ((rc = tw_lever_table_read(path, &t, &err)) != TW_OK) {
                print_error(&err);
                return rc;
            }
            tw_cli_grid_rows(stdout, fmt, t);
            for (size_t i = 0; i < t->n; i++)
                met += t->meets[i] != 0;
            tw_lever_table_free(t);
        } else if ((rc = info_levers(path, 0, &met)) != TW_OK) {
            return rc;
        }
        if (strict && met == 0) {
            fprintf(stderr, "twsim: check --strict: no point of %s meets "
                    "every target\n", path);
            return TW_EFAIL;
        }
        return 0;
    }
    if (kind == TW_FILE_SCENARIOS &&
        tw_h5_scenario_names(path, &names, &n, &err) != TW_OK) {
        print_error(&err);
        return TW_EFAIL;
    }
    int partial = 0;
    /* --format csv|json: one table over every scenario, no schools */
    tw_cli_rows rows, *rw = fmt == TW_CLI_TEXT ? NULL : &rows;
    if (rw != NULL)
        tw_cli_targets_begin(rw, stdout, fmt);
    if (n == 0)
        rc = report_targets(path, NULL, confidence, &below, &partial, rw);
    if (n == 0 && rc == TW_OK && rw == NULL)
        rc = check_schools(path, NULL, top);
    for (size_t i = 0; i < n; i++) {
        char group[256];
        size_t b = 0;
        int p = 0;
        snprintf(group, sizeof group, "scenarios/%s", names[i]);
        if (i > 0 && rw == NULL)
            putchar('\n');
        int r = report_targets(path, group, confidence, &b, &p, rw);
        if (r == TW_OK && rw == NULL)
            r = check_schools(path, group, top);
        if (r != TW_OK && rc == TW_OK)
            rc = r;
        below += b;
        partial |= p;
        free(names[i]);
    }
    free(names);
    if (rw != NULL)
        tw_cli_rows_end(rw); /* a whole table even after a failure */
    if (rc != TW_OK)
        return rc;
    if (strict && below > 0)
        return TW_EFAIL;
    if (strict && partial) {
        fprintf(stderr, "twsim: check --strict: %s is partial; no target is "
                "below %.2f over the complete replicates, but the run is not "
                "finished (exit 3)\n", path, confidence);
        return 3;
    }
    return 0;
}

/* tw_run, or in twsim-mpi tw_mpi_run (progress from rank 0 only). */
static int run_one(const tw_config *cfg, tw_run_opts *ro, tw_run_stats *st,
                   tw_error *err)
{
#ifdef TW_MPI
    if (!g_root)
        ro->progress = NULL;
    return tw_mpi_run(cfg, ro, st, err);
#else
    return tw_run(cfg, ro, st, err);
#endif
}

/* The signal that stopped a run; under MPI it may have reached another
 * rank only, which st records. */
static int stop_signal(const tw_run_stats *st)
{
    return st->stop_signal ? st->stop_signal : (int)tw_cli_stop;
}

/* run_one, then free cfg; *sig is the signal that stopped the run
 * (when it returns TW_ESTOPPED). */
static int run_config(tw_config *cfg, tw_run_opts *ro, tw_run_stats *st,
                      int *sig, tw_error *err)
{
    int rc = run_one(cfg, ro, st, err);
    tw_config_free(cfg);
    if (rc == TW_ESTOPPED)
        *sig = stop_signal(st);
    return rc;
}

/*
 * --all-scenarios: the base and every scenario of the config, each run on
 * the same random streams into its own file, then merged into `out`, one
 * group per scenario (docs/experiments.md).
 */
static int run_all_scenarios(const char *config, const cli_opts *o,
                             const tw_config *base, const char *out)
{
    size_t n = base->n_scenarios + 1;
    const char **names = calloc(n, sizeof *names);
    char **files = calloc(n, sizeof *files);
    tw_error err = {0};
    int rc = TW_OK;
    tw_output dest = {0};
    if (names == NULL || files == NULL) {
        free(names);
        free(files);
        fprintf(stderr, "twsim: out of memory\n");
        return TW_EFAIL;
    }
    /* the merged file's path is checked and locked before any scenario
     * runs (rank 0; every rank learns the outcome) */
    if (g_root) {
        tw_output_rules rules = {.cfg = base, .force = o->force};
        rc = tw_output_begin(&dest, out, &rules, &err);
    }
#ifdef TW_MPI
    rc = tw_mpi_agree(rc, &err);
#endif
    if (rc != TW_OK) {
        print_error(&err);
        free(names);
        free(files);
        return rc;
    }
    names[0] = "base";
    for (size_t i = 1; i < n; i++)
        names[i] = base->scenarios[i - 1].name;
    for (size_t i = 0; rc == TW_OK && i < n; i++) {
        size_t len = strlen(out) + strlen(names[i]) + 16;
        if ((files[i] = malloc(len)) == NULL) {
            rc = TW_EFAIL;
            break;
        }
        snprintf(files[i], len, "%s.%s.run", out, names[i]);
        tw_config *cfg = NULL;
        rc = tw_config_load_scenario(config, names[i], o->sets, o->n_sets,
                                     &cfg, &err);
        tw_run_stats st;
        memset(&st, 0, sizeof st);
        int sig = 0;
#ifdef TW_MPI
        rc = tw_mpi_agree(rc, &err); /* every rank loads the scenario */
#endif
        if (rc == TW_OK) {
            if (!o->quiet && g_root)
                fprintf(stderr, "twsim: scenario %s\n", names[i]);
            if (g_root && i > 0) /* the base's were printed on loading */
                tw_config_print_notes(stderr, cfg);
            tw_run_opts ro = {.out_path = files[i], .scenario = 0,
                              .progress = o->quiet ? NULL : stderr,
                              .stop = &tw_cli_stop, .threads = o->threads,
                              .checkpoint = o->checkpoint, .force = 1};
            rc = run_config(cfg, &ro, &st, &sig, &err);
        } else {
            tw_config_free(cfg);
        }
        if (rc == TW_ESTOPPED) {
            if (g_root)
                fprintf(stderr, "twsim: stopped by signal %d during "
                        "scenario %s; --resume does not apply to "
                        "--all-scenarios: run again\n", sig, names[i]);
            rc = 128 + sig;
        } else if (rc != TW_OK) {
            print_error(&err);
        }
    }
    /* one process merges (rank 0 under MPI, where rc is the same on every
     * rank here); every rank learns how it went */
    if (rc == TW_OK) {
        if (g_root && (tw_h5_merge_runs(&dest, names,
                                        (const char *const *)files, n,
                                        &err) != TW_OK ||
                       tw_output_end(&dest, 1, &err) != TW_OK)) {
            print_error(&err);
            rc = TW_EFAIL;
        }
#ifdef TW_MPI
        rc = tw_mpi_bcast_int(rc);
#endif
    }
    if (g_root && dest.path != NULL)
        tw_output_end(&dest, 0, NULL); /* not merged: nothing is left */
    for (size_t i = 0; i < n; i++) {
        if (files[i] != NULL && g_root) {
            unlink(files[i]);
            size_t len = strlen(files[i]) + sizeof ".partial";
            char *p = malloc(len);
            if (p != NULL) {
                snprintf(p, len, "%s.partial", files[i]);
                unlink(p);
                free(p);
            }
        }
        free(files[i]);
    }
    if (rc == TW_OK && !o->quiet && g_root) {
        printf("wrote %s: %zu scenarios on common random numbers (groups "
               "/scenarios/<name>)\n\n", out, n);
        for (size_t i = 0; i < n; i++) {
            char group[256];
            size_t below = 0;
            snprintf(group, sizeof group, "scenarios/%s", names[i]);
            if (i > 0)
                putchar('\n');
            report_targets(out, group, 0.9, &below, NULL, NULL);
        }
    }
    free(names);
    free(files);
    return rc;
}

/* Append the lines of `from` to `to`, each followed by `suffix`. */
static void add_lines(tw_error *to, const tw_error *from, const char *suffix)
{
    const char *p = from->msg;
    while (*p) {
        size_t n = strcspn(p, "\n");
        tw_error_add(to, from->code, "%.*s%s", (int)n, p,
                     strncmp(p, "... and ", 8) == 0 ? "" : suffix);
        p += n;
        if (*p == '\n')
            p++;
    }
}

/*
 * `twsim validate` without --scenario: load and check every scenario of
 * the (valid) base config as `--scenario NAME` would, so that a mistake in
 * a scenario's `set` shows now and not only when it is run. `rc` and err
 * hold the base config's check; the scenarios' problems are added to err,
 * each line naming its scenario. Returns the combined status.
 */
static int validate_scenarios(const char *config, const cli_opts *o,
                              const tw_config *base, int rc, tw_error *err)
{
    for (size_t i = 0; i < base->n_scenarios; i++) {
        const tw_scenario *s = &base->scenarios[i];
        tw_error e;
        tw_config *sc = NULL;
        char suffix[256] = "";
        int src = tw_config_load_scenario(config, s->name, o->sets,
                                          o->n_sets, &sc, &e);
        if (src == TW_OK && (src = tw_run_check(sc, &e)) != TW_OK)
            snprintf(suffix, sizeof suffix, " (in scenario '%s', %s)",
                     s->name, s->where);
        tw_config_free(sc);
        if (src == TW_OK)
            continue;
        if (rc == TW_OK)
            tw_error_clear(err);
        add_lines(err, &e, suffix);
        if (rc != TW_EFAIL)
            rc = src;
    }
    return rc;
}

/*
 * A config with uncertain settings: first the central run (every setting
 * at its central value) into "<out>.central.run", for the report's
 * "P(met) at the central values"; its target results go to *res (caller
 * frees) and *reps. The file stays until the whole run is done, so that
 * --resume finds it. Returns TW_OK, an error, or 128 + signal.
 */
static int run_central(const tw_config *cfg, const cli_opts *o,
                       const char *out, char **file,
                       tw_target_result **res, size_t *reps)
{
    tw_error err = {0};
    tw_config *cc = NULL;
    *res = NULL;
    *reps = 0;
    if ((*file = tw_output_central_name(out)) == NULL)
        return TW_EFAIL;
    int rc = tw_unc_load_central(cfg, &cc, &err);
#ifdef TW_MPI
    rc = tw_mpi_agree(rc, &err);
#endif
    if (rc != TW_OK) {
        if (g_root)
            print_error(&err);
        tw_config_free(cc);
        return rc;
    }
    if (!o->quiet && g_root)
        fprintf(stderr, "twsim: the central run: every uncertain setting "
                "at its central value\n");
    tw_run_opts ro = {.out_path = *file, .progress = o->quiet ? NULL : stderr,
                      .resume = o->resume, .stop = &tw_cli_stop,
                      .threads = o->threads, .checkpoint = o->checkpoint,
                      .force = 1, .no_counties = o->no_counties,
                      .slice_first = o->slice_first,
                      .slice_count = o->slice_count};
    tw_run_stats st;
    memset(&st, 0, sizeof st);
    int sig = 0;
    rc = run_config(cc, &ro, &st, &sig, &err);
    if (rc == TW_ESTOPPED) {
        if (g_root)
            fprintf(stderr, "twsim: stopped by signal %d during the central "
                    "run; run the same command with --resume to finish\n",
                    sig);
        return 128 + sig;
    }
    if (rc != TW_OK) {
        if (g_root)
            print_error(&err);
        return rc;
    }
    if (!g_root)
        return TW_OK;
    tw_h5_data *d = NULL;
    if ((rc = tw_h5_read(*file, &d, &err)) != TW_OK) {
        print_error(&err);
        return rc;
    }
    *reps = d->n_reps;
    *res = calloc(d->n_targets ? d->n_targets : 1, sizeof **res);
    if (*res == NULL)
        rc = TW_EFAIL;
    else
        rc = tw_file_targets(d, NULL, d->trajectories, d->n_reps, d->targets,
                             d->n_targets, NULL, *res, NULL, NULL, NULL,
                             &err);
    if (rc != TW_OK)
        print_error(&err);
    tw_h5_data_free(d);
    return rc;
}

/* Do the ranges of cfg's uncertain settings pass tw_unc_build's probe
 * loads? (One parameter point: the probes alone.) */
static int ranges_ok(const tw_config *cfg, tw_error *err)
{
    tw_unc u;
    memset(&u, 0, sizeof u);
    tw_error_clear(err);
    int rc = tw_unc_build(&u, cfg, 1, err);
    tw_unc_free(&u);
#ifdef TW_MPI
    rc = tw_mpi_agree(rc, err);
#endif
    return rc == TW_OK;
}

/* Remove the central run's file (and what a stopped one left). */
static void drop_central(const char *file)
{
    if (file == NULL || !g_root)
        return;
    unlink(file);
    size_t len = strlen(file) + 16;
    char *p = malloc(len);
    if (p != NULL) {
        snprintf(p, len, "%s.partial", file);
        unlink(p);
        snprintf(p, len, "%s.lock", file);
        unlink(p);
    }
    free(p);
}

static int cmd_run_or_validate(const char *cmd, int argc, char **argv)
{
    int is_run = strcmp(cmd, "run") == 0 || strcmp(cmd, "sensitivity") == 0;
    int sens = strcmp(cmd, "sensitivity") == 0;
    cli_opts o;
    memset(&o, 0, sizeof o);
    const char *config = NULL;
    int rc = parse_opts(cmd, sens ? USAGE_SENS : is_run ? USAGE_RUN
                                                        : USAGE_VALIDATE,
                        argc, argv,
                        &o, &config);
    if (rc >= 0)
        return rc;
    if (o.schema) {
        tw_config_print_schema(stdout);
        return 0;
    }
    tw_error err = {0};
    tw_config *cfg = NULL;
    if (o.no_unc) /* no ranges: a --set may then fix any key */
        o.sets[o.n_sets++] = "uncertainty.settings=()";
    rc = tw_config_load_scenario(config, o.scenario, o.sets, o.n_sets, &cfg,
                                 &err);
#ifdef TW_MPI
    /* every rank loads the config: one that cannot stops them all */
    if (is_run)
        rc = tw_mpi_agree(rc, &err);
#endif
    if (rc != TW_OK) {
        print_error(&err);
        if (cfg != NULL)
            tw_config_free(cfg);
        return rc;
    }
    if (g_root)
        tw_config_print_notes(stderr, cfg);
    if (sens && (cfg->n_unc == 0 || o.mean_field || o.all_scenarios)) {
        if (g_root)
            fprintf(stderr, "twsim sensitivity: %s\n",
                    cfg->n_unc == 0 ? "the config has no uncertain "
                    "settings (an `uncertainty` group, docs/config.md)"
                    : "--mean-field and --all-scenarios do not apply");
        tw_config_free(cfg);
        return TW_EINPUT;
    }
    if (!is_run) {
        rc = tw_run_check(cfg, &err);
        if (o.scenario == NULL)
            rc = validate_scenarios(config, &o, cfg, rc, &err);
        if (rc != TW_OK) {
            print_error(&err);
            tw_config_free(cfg);
            return rc;
        }
        printf("%s: OK (mode %s, years %d-%d, %zu tiers, %u replicates",
               config, tw_mode_name(cfg->mode), cfg->base_year,
               cfg->end_year, cfg->n_tiers, cfg->replicates);
        if (o.scenario == NULL && cfg->n_scenarios > 0)
            printf(", %zu scenario%s", cfg->n_scenarios,
                   cfg->n_scenarios == 1 ? "" : "s");
        if (cfg->n_unc > 0)
            printf(", %zu uncertain setting%s", cfg->n_unc,
                   cfg->n_unc == 1 ? "" : "s");
        printf(")\n");
        tw_config_free(cfg);
        return 0;
    }
    char *out = o.output ? strdup(o.output) : default_output(config);
    if (out == NULL) {
        tw_config_free(cfg);
        if (g_root)
            fprintf(stderr, "twsim: out of memory\n");
        return TW_EFAIL;
    }
    /* SIGINT / SIGTERM: stop after the replicates in progress */
    tw_cli_catch_stop_signals();
    if (o.slice_count > 0) {
        /* a slice: the whole ensemble's replicates FIRST .. FIRST+COUNT-1
         * (docs/cluster.md); what it cannot be is bad input */
        const char *why =
            o.all_scenarios ? "--all-scenarios writes every scenario into "
                              "one file: run each with --scenario NAME"
            : o.mean_field ? "the mean field has no replicates to slice"
            : o.schools ? "--schools keeps every replicate's school rows "
                          "until the end: run it whole"
            : o.slice_first > cfg->replicates ||
              o.slice_count > cfg->replicates - o.slice_first
                ? "the slice goes past the ensemble's replicates" : NULL;
        if (why != NULL) {
            if (g_root)
                fprintf(stderr, "twsim run: --replicates %zu:%zu: %s "
                        "(simulation.replicates = %u)\n", o.slice_first,
                        o.slice_count, why, cfg->replicates);
            tw_config_free(cfg);
            free(out);
            return TW_EINPUT;
        }
    }
    if (o.all_scenarios) {
        rc = run_all_scenarios(config, &o, cfg, out);
        tw_config_free(cfg);
        free(out);
        return rc;
    }
    size_t n_targets = cfg->n_targets;
    /* the mean field has no county rows (docs/meanfield.md): its county
     * targets are left out (cfg is freed by run_config) */
    char left[512] = "";
    for (size_t i = 0; o.mean_field && i < cfg->n_targets; i++)
        if (cfg->targets[i].scope != TW_SCOPE_REGION) {
            size_t k = strlen(left);
            snprintf(left + k, sizeof left - k, " %s", cfg->targets[i].name);
            n_targets--;
        }
    tw_run_opts ro = {
        .out_path = out, .scenario = 0, .progress = o.quiet ? NULL : stderr,
        .mean_field = o.mean_field, .resume = o.resume, .stop = &tw_cli_stop,
        .schools = o.schools, .no_counties = o.no_counties,
        .threads = o.threads, .checkpoint = o.checkpoint, .force = o.force,
        .slice_first = o.slice_first, .slice_count = o.slice_count};
    tw_run_stats st;
    memset(&st, 0, sizeof st);
    int sig = 0;
    char *central_file = NULL;
    tw_target_result *central = NULL;
    /* --resume of a run that finished: nothing to run, not even the
     * central one */
    int finished = o.resume && access(out, F_OK) == 0;
    if (cfg->n_unc > 0 && !o.mean_field && !finished) {
        /* the path is checked before the central run spends any time */
        tw_output_rules rules = {.cfg = cfg, .force = o.force};
        rc = g_root ? tw_output_check(out, &rules, &err) : TW_OK;
#ifdef TW_MPI
        rc = tw_mpi_agree(rc, &err);
#endif
        if (rc != TW_OK) {
            if (g_root)
                print_error(&err);
            tw_config_free(cfg);
            free(out);
            return rc;
        }
        /* the probes check every range (a few config loads) before the
         * central run spends its time, as validate does */
        if (!ranges_ok(cfg, &err)) {
            if (g_root)
                print_error(&err);
            tw_config_free(cfg);
            free(out);
            return err.code;
        }
        rc = run_central(cfg, &o, out, &central_file, &central,
                         &ro.central_reps);
        if (rc != TW_OK) {
            tw_config_free(cfg);
            free(central);
            free(central_file);
            free(out);
            return rc;
        }
        ro.central = central;
        if (!o.quiet && g_root)
            fprintf(stderr, "twsim: the ensemble over the uncertain "
                    "settings\n");
    } else if (cfg->n_unc > 0 && o.mean_field && g_root) {
        fprintf(stderr, "twsim: the mean field runs the config as written: "
                "the uncertain settings' ranges are not used\n");
    }
    rc = run_config(cfg, &ro, &st, &sig, &err);
    free(central);
    /* kept only for --resume: after a stop or a failure of the machine,
     * not after bad input, which no --resume can finish */
    if (rc == TW_EINPUT || (rc == TW_OK && o.slice_count == 0))
        drop_central(central_file);
    else if (rc == TW_OK && central_file != NULL && g_root && !o.quiet)
        fprintf(stderr, "twsim: kept %s, this slice of the central run, "
                "for twsim merge\n", central_file);
    free(central_file);
    if (rc == TW_ESTOPPED) {
        if (g_root)
            fprintf(stderr, "twsim: stopped by signal %d after %zu of %zu "
                    "replicates; %s.partial keeps them: run the same "
                    "command with --resume to finish\n", sig, st.done,
                    st.replicates, out);
        free(out);
        return 128 + sig;
    }
    if (rc != TW_OK) {
        print_error(&err);
        free(out);
        return rc;
    }
    if (st.already_complete) {
        if (g_root)
            fprintf(stderr, "twsim: %s is already complete; nothing to "
                    "resume\n", out);
        free(out);
        return 0;
    }
    if (!g_root) {
        free(out);
        return 0;
    }
    if (st.resumed > 0 && !o.quiet)
        fprintf(stderr, "twsim: resumed %s.partial: %zu replicates were "
                "complete, %zu run now\n", out, st.resumed,
                st.replicates - st.resumed);
    if (!o.quiet && st.teacher_years > 0 && st.seconds > 0)
        fprintf(stderr, "twsim: %zu replicates in %.2f s: %.2f million "
                "teacher-years/s, %.1f%% of the time writing HDF5\n",
                st.replicates - st.resumed, st.seconds,
                (double)st.teacher_years / st.seconds / 1e6,
                100.0 * st.h5_seconds / st.seconds);
    if (!o.quiet && left[0] != '\0')
        fprintf(stderr, "twsim: the mean field has no county results; "
                "left out:%s\n", left);
    if (sens) {
        if (!o.quiet)
            printf("wrote %s\n\n", out);
        rc = print_sens_table(out, NULL);
    } else if (!o.quiet) {
        printf("wrote %s\n\n", out);
        if (n_targets > 0) {
            size_t below = 0;
            rc = report_targets(out, NULL, 0.9, &below, NULL, NULL);
        } else {
            char *args[] = {"info", out, NULL};
            rc = cmd_info(2, args, 0);
        }
    }
    free(out);
    return rc;
}

static int dispatch(int argc, char **argv)
{
    if (argc < 2) {
        fputs(USAGE, stderr);
        return TW_EINPUT;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0 ||
        strcmp(cmd, "help") == 0) {
        fputs(USAGE, stdout);
        return 0;
    }
    if (strcmp(cmd, "-V") == 0 || strcmp(cmd, "--version") == 0) {
        printf("twsim %s (commit %s)\n", tw_version(), tw_git_commit());
        return 0;
    }
    if (strcmp(cmd, "run") == 0 || strcmp(cmd, "validate") == 0)
        return cmd_run_or_validate(cmd, argc - 1, argv + 1);
    if (strcmp(cmd, "info") == 0)
        return cmd_info(argc - 1, argv + 1, 1);
    if (strcmp(cmd, "check") == 0)
        return cmd_check(argc - 1, argv + 1);
    if (strcmp(cmd, "compare") == 0)
        return tw_cli_compare(argc - 1, argv + 1);
    if (strcmp(cmd, "optimize") == 0)
        return tw_cli_optimize(argc - 1, argv + 1);
    if (strcmp(cmd, "sweep") == 0)
        return tw_cli_sweep(argc - 1, argv + 1);
    if (strcmp(cmd, "sensitivity") == 0)
        return cmd_sensitivity(argc - 1, argv + 1);
    if (strcmp(cmd, "merge") == 0)
        return tw_cli_merge(argc - 1, argv + 1);
    if (strcmp(cmd, "export") == 0)
        return tw_cli_export(argc - 1, argv + 1);
    fprintf(stderr, "twsim: unknown command '%s'\n\n%s", cmd, USAGE);
    return TW_EINPUT;
}

#ifdef TW_MPI
/*
 * twsim-mpi: `run` runs on every rank (tw_mpi_run) and only rank 0
 * prints; `sweep` runs point p of its grid on rank p % size and rank 0
 * writes the table; `optimize` runs the same search on every rank, each
 * evaluation a tw_mpi_run, and rank 0 writes; any other command runs on
 * rank 0 alone, and the other ranks exit with its status.
 */
int main(int argc, char **argv)
{
    tw_error err = {0};
    tw_error_clear(&err);
    if (tw_mpi_init(&argc, &argv, &err) != TW_OK) {
        fprintf(stderr, "twsim: %s\n", err.msg);
        return TW_EFAIL;
    }
    g_root = tw_mpi_rank() == 0;
    int rc;
    if (argc >= 2 && (strcmp(argv[1], "run") == 0 ||
                      strcmp(argv[1], "sensitivity") == 0)) {
        /* reports and --help go to stdout: rank 0's only */
        if (!g_root && freopen("/dev/null", "w", stdout) == NULL)
            fclose(stdout);
        rc = dispatch(argc, argv);
    } else if (argc >= 2 && (strcmp(argv[1], "sweep") == 0 ||
                             strcmp(argv[1], "optimize") == 0)) {
        /* every rank runs its share of the points (sweep) or its share of
         * every evaluation (optimize); rank 0 says what went wrong
         * (tw_mpi_agree brings it the other ranks' messages) */
        if (!g_root && (freopen("/dev/null", "w", stdout) == NULL ||
                        freopen("/dev/null", "w", stderr) == NULL))
            fclose(stdout);
        rc = dispatch(argc, argv);
        rc = tw_mpi_bcast_int(rc);
    } else {
        rc = g_root ? dispatch(argc, argv) : 0;
        rc = tw_mpi_bcast_int(rc);
    }
    fflush(stdout);
    tw_mpi_finalize();
    return rc;
}
#else
int main(int argc, char **argv)
{
    return dispatch(argc, argv);
}
#endif
