/*
 * main.c - the twsim command line.
 *
 *   twsim run CONFIG [-n N] [--seed S] [-o FILE] [--set KEY=VALUE]...
 *             [--mean-field]
 *   twsim validate CONFIG [--set KEY=VALUE]... | --schema
 *   twsim info FILE
 *
 * Exit status (docs/cli.md): 0 success, 1 failure that is not the input's
 * fault (I/O, HDF5, memory), 2 bad input (config or arguments).
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tw_config.h"
#include "tw_h5.h"
#include "tw_run.h"
#include "tw_targets.h"
#include "tw_version.h"

#define MAX_SETS 256

static const char USAGE[] =
    "usage: twsim COMMAND [ARGS]\n"
    "\n"
    "Teacher workforce microsimulation: runs a region's ensemble and writes\n"
    "its trajectories to HDF5.\n"
    "\n"
    "commands:\n"
    "  run CONFIG       run the ensemble and write an HDF5 file\n"
    "  validate CONFIG  check a config without running it\n"
    "  info FILE        describe an output file and its last year\n"
    "  check FILE       the target report of an output file\n"
    "\n"
    "options:\n"
    "  -h, --help       this help; 'twsim COMMAND --help' for a command\n"
    "  -V, --version    print the version and the git commit\n"
    "\n"
    "exit status: 0 success, 1 failure (I/O, HDF5, memory), 2 bad input\n";

static const char USAGE_RUN[] =
    "usage: twsim run CONFIG [options]\n"
    "\n"
    "Run every replicate of CONFIG and write trajectories and summaries to\n"
    "an HDF5 file (written as FILE.partial, renamed when complete), then\n"
    "print the target report (or, without targets, the first and last\n"
    "year's ensemble summary).\n"
    "\n"
    "options:\n"
    "  -n, --replicates N  replicates (same as --set simulation.replicates=N)\n"
    "      --seed S        master seed (same as --set simulation.seed=S)\n"
    "  -o, --output FILE   output file (default: CONFIG's name with .h5, in\n"
    "                      the current directory)\n"
    "      --set KEY=VALUE override a setting, e.g. --set "
    "recruitment.mode=quota;\n"
    "                      repeatable, applied in order, type-checked\n"
    "  -q, --quiet         no progress bar and no summary table\n"
    "      --resume        finish FILE.partial left by an interrupted run of\n"
    "                      the same config and seed: only the missing\n"
    "                      replicates run; the result equals an uninterrupted\n"
    "                      run bitwise\n"
    "      --mean-field    instead of the ensemble, the deterministic\n"
    "                      mean-field model (expected values, docs/\n"
    "                      meanfield.md), written as one replicate in the\n"
    "                      same layout; the file's mode is \"<mode>-mean-field\"\n"
    "  -h, --help          this help\n"
    "\n"
    "Ctrl-C (SIGINT) or SIGTERM stops after the replicate in progress and\n"
    "keeps FILE.partial for --resume.\n"
    "\n"
    "exit status: 0 success, 1 failure (I/O, HDF5, memory), 2 bad input,\n"
    "130 / 143 stopped by SIGINT / SIGTERM (resumable)\n";

static const char USAGE_VALIDATE[] =
    "usage: twsim validate CONFIG [--set KEY=VALUE]...\n"
    "       twsim validate --schema\n"
    "\n"
    "Check CONFIG (with its @include files and overrides) and report every\n"
    "problem as FILE:LINE: key: what is wrong. --schema lists every valid\n"
    "key with its type and meaning.\n"
    "\n"
    "exit status: 0 valid, 2 invalid, 1 other failure\n";

static const char USAGE_CHECK[] =
    "usage: twsim check FILE [--confidence C] [--strict]\n"
    "\n"
    "The target report of a twsim output file: for each target of the run's\n"
    "config, its year and condition, P(met) over the complete replicates\n"
    "(with its Monte Carlo standard error), the mean and 90% band of the\n"
    "compared quantity, the verdict at the confidence level and the quote\n"
    "from the source document.\n"
    "\n"
    "options:\n"
    "  --confidence C  verdict level, 0.5 < C < 1 (default 0.9): \"on track\"\n"
    "                  when P(met) >= C, \"off track\" when P(met) <= 1 - C,\n"
    "                  else \"uncertain\"\n"
    "  --strict        exit 1 when any target's P(met) is below C\n"
    "  -h, --help      this help\n"
    "\n"
    "exit status: 0 success; 1 the file cannot be read, or --strict and a\n"
    "target below C; 2 bad arguments\n";

static const char USAGE_INFO[] =
    "usage: twsim info FILE\n"
    "\n"
    "Describe a twsim HDF5 output file: provenance, replicates, years,\n"
    "metrics, and the first and last year's summary.\n"
    "\n"
    "exit status: 0 success, 1 unreadable file or not a twsim output\n";

/* Set by SIGINT/SIGTERM during `run`: the run stops after the replicate
 * in progress and keeps its partial file (the CLI's only global). */
static volatile sig_atomic_t g_stop;

static void on_signal(int sig)
{
    g_stop = sig;
}

/* Options shared by run and validate. */
typedef struct cli_opts {
    const char *sets[MAX_SETS + 2];
    size_t n_sets;
    char replicates_set[64], seed_set[64];
    const char *output;
    int quiet, schema, mean_field, resume;
} cli_opts;

static int usage_error(const char *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "twsim %s: ", cmd);
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n(try 'twsim %s --help')\n", cmd);
    va_end(ap);
    return TW_EINPUT;
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

/* Parse run/validate options. Returns -1 to go on, else an exit code. */
static int parse_opts(const char *cmd, const char *usage, int argc,
                      char **argv, cli_opts *o, const char **config)
{
    static const struct option longs[] = {
        {"replicates", required_argument, NULL, 'n'},
        {"seed", required_argument, NULL, 'S'},
        {"output", required_argument, NULL, 'o'},
        {"set", required_argument, NULL, 's'},
        {"quiet", no_argument, NULL, 'q'},
        {"schema", no_argument, NULL, 'C'},
        {"mean-field", no_argument, NULL, 'F'},
        {"resume", no_argument, NULL, 'R'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int is_run = strcmp(cmd, "run") == 0;
    optind = 1;
    opterr = 0;
    int ch;
    while ((ch = getopt_long(argc, argv, is_run ? ":n:o:qh" : ":h", longs,
                             NULL)) != -1) {
        switch (ch) {
        case 'h':
            fputs(usage, stdout);
            return 0;
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
            if (is_run)
                return usage_error(cmd, "unknown option '%s'", "--schema");
            o->schema = 1;
            break;
        case 'F':
            if (!is_run)
                return usage_error(cmd, "unknown option '%s'", "--mean-field");
            o->mean_field = 1;
            break;
        case 'R':
            if (!is_run)
                return usage_error(cmd, "unknown option '%s'", "--resume");
            o->resume = 1;
            break;
        case ':':
            return usage_error(cmd, "option '%s' needs a value",
                               argv[optind - 1]);
        default:
            return usage_error(cmd, "unknown option '%s'", argv[optind - 1]);
        }
    }
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
    fprintf(stderr, "twsim: %s\n", err->msg[0] ? err->msg : "failed");
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

static int cmd_info(int argc, char **argv, int print_meta)
{
    if (argc == 2 && (strcmp(argv[1], "-h") == 0 ||
                      strcmp(argv[1], "--help") == 0)) {
        fputs(USAGE_INFO, stdout);
        return 0;
    }
    if (argc != 2)
        return usage_error("info", "%s", "takes exactly one FILE");
    tw_error err;
    tw_error_clear(&err);
    tw_h5_data *d = NULL;
    int rc = tw_h5_read(argv[1], &d, &err);
    if (rc != TW_OK) {
        print_error(&err);
        return TW_EFAIL;
    }
    if (print_meta) {
        size_t done = 0;
        for (size_t r = 0; r < d->n_reps; r++)
            done += d->done[r] != 0;
        printf("file:       %s (format %d)\n", argv[1], d->format_version);
        printf("engine:     twsim %s, commit %s\n", d->engine_version,
               d->git_commit);
        printf("config:     %s, mode %s, seed %llu\n", d->config_path,
               d->mode, (unsigned long long)d->seed);
        for (size_t i = 0; i < d->n_overrides; i++)
            printf("override:   --set %s\n", d->overrides[i]);
        printf("replicates: %zu of %zu complete\n", done, d->n_reps);
        printf("years:      %d to %d\n", d->years[0],
               d->years[d->n_years - 1]);
        printf("metrics:    %zu\n\n", d->n_metrics);
    }
    print_table(d);
    tw_h5_data_free(d);
    return 0;
}

/*
 * Evaluate and print the targets of file `path` over its complete
 * replicates. *below receives the number of targets under `confidence`.
 * Returns TW_OK or TW_EFAIL (message printed).
 */
static int report_targets(const char *path, double confidence, size_t *below)
{
    tw_error err;
    tw_error_clear(&err);
    tw_h5_data *d = NULL;
    if (tw_h5_read(path, &d, &err) != TW_OK) {
        print_error(&err);
        return TW_EFAIL;
    }
    size_t nt = d->n_targets, nm = d->n_metrics, ny = d->n_years;
    size_t len = ny * nm, reps = 0;
    size_t cells = d->n_reps * len > 0 ? d->n_reps * len : 1;
    size_t tcells = d->n_reps * nt > 0 ? d->n_reps * nt : 1;
    double *traj = malloc(cells * sizeof *traj);
    long *cols = malloc((nt ? nt : 1) * sizeof *cols);
    double *q = malloc(tcells * sizeof *q);
    unsigned char *met = malloc(tcells);
    tw_target_result *res = calloc(nt ? nt : 1, sizeof *res);
    int rc = TW_EFAIL;
    if (!traj || !cols || !q || !met || !res) {
        fprintf(stderr, "twsim: out of memory\n");
        goto out;
    }
    for (size_t r = 0; r < d->n_reps; r++)
        if (d->done[r])
            memcpy(traj + reps++ * len, d->trajectories + r * len,
                   len * sizeof *traj);
    if (tw_targets_resolve(d->targets, nt, (const char *const *)d->metric_names,
                           nm, d->years, ny, cols, &err) != TW_OK ||
        tw_targets_eval(d->targets, nt, cols, traj, reps, ny, nm, d->years, q,
                        met, res, &err) != TW_OK) {
        print_error(&err);
        goto out;
    }
    char title[512];
    snprintf(title, sizeof title, "Targets of %s (%s)",
             d->region_name && d->region_name[0] ? d->region_name
                                                 : d->config_path, path);
    *below = tw_targets_report(stdout, title, d->targets, nt, res, reps,
                               confidence);
    if (reps < d->n_reps)
        printf("\n  note: %zu of %zu replicates are complete; the report "
               "uses those.\n", reps, d->n_reps);
    rc = TW_OK;
out:
    free(traj);
    free(cols);
    free(q);
    free(met);
    free(res);
    tw_h5_data_free(d);
    return rc;
}

static int cmd_check(int argc, char **argv)
{
    static const struct option longs[] = {
        {"confidence", required_argument, NULL, 'c'},
        {"strict", no_argument, NULL, 's'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    double confidence = 0.9;
    int strict = 0, ch;
    optind = 1;
    opterr = 0;
    while ((ch = getopt_long(argc, argv, ":h", longs, NULL)) != -1) {
        switch (ch) {
        case 'h':
            fputs(USAGE_CHECK, stdout);
            return 0;
        case 's':
            strict = 1;
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
    if (optind != argc - 1)
        return usage_error("check", "%s", "takes exactly one FILE");
    size_t below = 0;
    if (report_targets(argv[optind], confidence, &below) != TW_OK)
        return TW_EFAIL;
    return strict && below > 0 ? TW_EFAIL : 0;
}

static int cmd_run_or_validate(const char *cmd, int argc, char **argv)
{
    int is_run = strcmp(cmd, "run") == 0;
    cli_opts o;
    memset(&o, 0, sizeof o);
    const char *config = NULL;
    int rc = parse_opts(cmd, is_run ? USAGE_RUN : USAGE_VALIDATE, argc, argv,
                        &o, &config);
    if (rc >= 0)
        return rc;
    if (o.schema) {
        tw_config_print_schema(stdout);
        return 0;
    }
    tw_error err;
    tw_config *cfg = NULL;
    rc = tw_config_load(config, o.sets, o.n_sets, &cfg, &err);
    if (rc != TW_OK) {
        print_error(&err);
        return rc;
    }
    if (!is_run) {
        printf("%s: OK (mode %s, years %d-%d, %zu tiers, %u replicates)\n",
               config, tw_mode_name(cfg->mode), cfg->base_year,
               cfg->end_year, cfg->n_tiers, cfg->replicates);
        tw_config_free(cfg);
        return 0;
    }
    char *out = o.output ? strdup(o.output) : default_output(config);
    if (out == NULL) {
        tw_config_free(cfg);
        fprintf(stderr, "twsim: out of memory\n");
        return TW_EFAIL;
    }
    size_t n_targets = cfg->n_targets;
    tw_run_opts ro = {
        .out_path = out, .scenario = 0, .progress = o.quiet ? NULL : stderr,
        .mean_field = o.mean_field, .resume = o.resume, .stop = &g_stop};
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    tw_run_stats st;
    rc = tw_run(cfg, &ro, &st, &err);
    tw_config_free(cfg);
    if (rc == TW_ESTOPPED) {
        fprintf(stderr, "twsim: stopped by signal %d after %zu of %zu "
                "replicates; %s.partial keeps them: run the same command "
                "with --resume to finish\n", (int)g_stop, st.done,
                st.replicates, out);
        free(out);
        return 128 + (int)g_stop;
    }
    if (rc != TW_OK) {
        print_error(&err);
        free(out);
        return rc;
    }
    if (st.already_complete) {
        fprintf(stderr, "twsim: %s is already complete; nothing to resume\n",
                out);
        free(out);
        return 0;
    }
    if (st.resumed > 0 && !o.quiet)
        fprintf(stderr, "twsim: resumed %s.partial: %zu replicates were "
                "complete, %zu run now\n", out, st.resumed,
                st.replicates - st.resumed);
    if (!o.quiet) {
        printf("wrote %s\n\n", out);
        if (n_targets > 0) {
            size_t below = 0;
            rc = report_targets(out, 0.9, &below);
        } else {
            char *args[] = {"info", out, NULL};
            rc = cmd_info(2, args, 0);
        }
    }
    free(out);
    return rc;
}

int main(int argc, char **argv)
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
    fprintf(stderr, "twsim: unknown command '%s'\n\n%s", cmd, USAGE);
    return TW_EINPUT;
}
