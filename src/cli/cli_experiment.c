/*
 * cli_experiment.c - the policy-experiment commands of the CLI:
 *
 *   twsim compare BASE.h5 ALT.h5 [--all | --metrics TEXT]
 *                 [--store [--force]]
 *   twsim optimize CONFIG --lever KEY --range LO:HI [--step S]
 *                  [--lever KEY --range LO:HI [--step S]]...
 *                  [--target NAME[,NAME...]] [--prob P]
 *                  [--max-replicates M] [run options]
 *   twsim sweep CONFIG --lever KEY --values V[,V...]
 *               [--lever2 KEY --values2 V[,V...]] [--target ...] [...]
 *
 * (docs/experiments.md). Exit status as every command: 0 success, 1
 * failure, 2 bad input; optimize also 3 (no value in the range suffices)
 * and 4 (no value shown to suffice within the replicate budget).
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tw_cli.h"
#include "tw_config.h"
#include "tw_experiment.h"
#include "tw_output.h"
#include "tw_filekind.h"
#include "tw_mem.h"
#include "cli_format.h"
#ifdef TW_MPI
#include "tw_mpi.h"
#endif

static const char USAGE_COMPARE[] =
    "usage: twsim compare FILE --base A --alt B [options]\n"
    "       twsim compare BASE.h5 ALT.h5 [--store [--force]] [options]\n"
    "\n"
    "FILE is a run with --all-scenarios (A and B name its scenarios; the\n"
    "comparison is also stored in FILE, as /comparisons/B-vs-A); or give\n"
    "two run files.\n"
    "\n"
    "Paired comparison of two runs of the same config and seed that differ\n"
    "in policy (scenarios, --set): replicate k of both started from the same\n"
    "random stream, so the difference ALT - BASE is taken replicate by\n"
    "replicate. Prints, per target, P(met) in both runs and its change with\n"
    "a 90% interval (Newcombe's) and the replicates that gained or lost it;\n"
    "then, per metric in the last year, its label and unit, the mean paired\n"
    "difference, its 90% interval and the 90% band of the differences (a\n"
    "difference the same in every replicate is said so). By default the\n"
    "metrics are the targets' and those they depend on, with\n"
    "teachers.total, hires.total and exits.total (docs/experiments.md).\n"
    "\n"
    "options:\n"
    "  --all           every metric\n"
    "  --metrics TEXT  only metrics whose name contains TEXT\n"
    "  --store         also store the comparison in ALT.h5, as\n"
    "                  /comparisons/<alt>-vs-<base> (the files' names without\n"
    "                  .h5); a name already there is kept and the new group\n"
    "                  is <alt>-vs-<base>.2, .3, ...\n"
    "  --force         replace a stored comparison of the same name instead\n"
    "  --format F      text (default), or csv / json for scripts: one\n"
    "                  record per target and per metric shown, same content\n"
    "  -h, --help      this help\n"
    "\n"
    "exit status: 0 success, 1 unreadable file, 2 runs that cannot be paired\n";

/* The end of the options of optimize and sweep, and what they do with
 * FILE. */
#define USAGE_LEVER_TAIL \
    "  --threads N       threads of each evaluation's ensemble, as for run\n" \
    "                    (default: one per CPU); the results are the same\n" \
    "                    for any N\n" \
    "  -q, --quiet       no line per evaluation\n" \
    "  --force           replace an existing FILE that is not a twsim output\n" \
    "  -h, --help        this help\n" \
    "\n" \
    "FILE is checked and locked before the first evaluation and written\n" \
    "only when complete. Each evaluation's run goes to a scratch directory\n" \
    "under $TMPDIR (default /tmp), removed on every exit; Ctrl-C or SIGTERM\n" \
    "stops the evaluation in progress and exits 130 / 143, writing nothing.\n"

static const char USAGE_OPTIMIZE[] =
    "usage: twsim optimize CONFIG --lever KEY --range LO:HI [options]\n"
    "\n"
    "The smallest value of a policy lever (any config key, e.g.\n"
    "recruitment.quota or recruitment.channels.funded.cohort) for which\n"
    "every named target is met with probability >= P, with the sampling\n"
    "error of that statement. Each value is an ensemble on common random\n"
    "numbers. With N replicates per value the search brackets: HI first\n"
    "(if it falls short, no value in the range suffices), then LO, then\n"
    "bisection on the grid LO, LO+S, ..., HI to two neighbours. Then it\n"
    "adds replicates (doubling, continuing the same streams) at those two\n"
    "until the interval of P(met) at the answer lies above P and at the\n"
    "value below lies below P, or M replicates per value are spent. The\n"
    "intervals are Wilson intervals at level P (90% for P = 0.9). It\n"
    "assumes P(met) does not fall as the lever rises, and warns when the\n"
    "evaluations say it does. Every evaluation is written to FILE.\n"
    "\n"
    "Several levers: --lever A --range LO:HI [--step S] --lever B --range\n"
    "LO:HI [--step S] ... finds the cheapest combination that meets the\n"
    "targets, with the cost per unit of each lever from the config's costs\n"
    "list (every lever needs one), and prints the cost-P(met) frontier: for\n"
    "each value of A, the others lowered by bisection (docs/experiments.md).\n"
    "\n"
    "options:\n"
    "  --lever KEY       the config key to vary (repeat for several)\n"
    "  --range LO:HI     the values to search (after its --lever)\n"
    "  --step S          grid step (default 1; after its --lever)\n"
    "  --target NAMES    comma-separated target names (default: all)\n"
    "  --prob P          required P(met), 0 < P < 1 (default 0.9)\n"
    "  -n, --replicates N  replicates per value in the bracketing (default:\n"
    "                    the config's)\n"
    "  --max-replicates M  budget: replicates per value at most (default\n"
    "                    8 N; M >= N)\n"
    "  --seed S, --set KEY=VALUE   as for run\n"
    "  --scenario NAME   start from a scenario of the config\n"
    "  -o, --output FILE the evaluations (default CONFIG-optimize.h5)\n"
    USAGE_LEVER_TAIL
    "\n"
    "exit status: 0 an answer was found (its interval lies above P), 3 no\n"
    "value in the range suffices, 4 no value was shown to suffice within\n"
    "the budget (raise --max-replicates), 1 failure, 2 bad input,\n"
    "130 / 143 stopped by SIGINT / SIGTERM\n"
#ifdef TW_MPI
    "\n"
    "twsim-mpi (docs/cluster.md): every rank runs the same search, and each\n"
    "evaluation's replicates are spread over all ranks (--threads per rank;\n"
    "default: the rank's share of its node's CPUs). The scratch directory\n"
    "is made next to FILE, where every rank can reach it. The answer and\n"
    "FILE are those of a serial optimize; only rank 0 prints.\n"
#endif
    ;

static const char USAGE_SWEEP[] =
    "usage: twsim sweep CONFIG --lever KEY --values V[,V...] [options]\n"
    "\n"
    "P(met) of the targets over a grid of one or two policy levers, each\n"
    "point an ensemble on common random numbers; written to FILE and printed\n"
    "as a table: at each point, every target's P(met) with its 90%\n"
    "interval and the mean of the quantity it compares.\n"
    "\n"
    "options:\n"
    "  --lever KEY --values V,...     the first lever and its values\n"
    "  --lever2 KEY --values2 V,...   an optional second lever\n"
    "  --target NAMES    comma-separated target names (default: all)\n"
    "  -n, --replicates N, --seed S, --set KEY=VALUE   as for run\n"
    "  --scenario NAME   start from a scenario of the config\n"
    "  -o, --output FILE the grid (default CONFIG-sweep.h5)\n"
    "  --format F        the table as text (default), csv or json: one\n"
    "                    record per point and target (P(met), its 90%\n"
    "                    interval, the mean quantity); the lines per\n"
    "                    evaluation then go to stderr\n"
    USAGE_LEVER_TAIL
    "\n"
    "exit status: 0 success, 1 failure, 2 bad input, 130 / 143 stopped\n";

static int fail_usage(const char *cmd, const char *what, const char *arg)
{
    fprintf(stderr, "twsim %s: %s%s%s\n(try 'twsim %s --help')\n", cmd, what,
            arg ? ": " : "", arg ? arg : "", cmd);
    return TW_EINPUT;
}

/* The file name of `path` without its directory and a final ".h5"
 * (".h5.partial" cannot reach here: compare takes complete runs). */
static void file_stem(char *buf, size_t cap, const char *path)
{
    const char *b = strrchr(path, '/');
    b = b ? b + 1 : path;
    size_t n = strlen(b);
    if (n > 3 && strcmp(b + n - 3, ".h5") == 0)
        n -= 3;
    snprintf(buf, cap, "%.*s", (int)n, b);
}

int tw_cli_compare(int argc, char **argv)
{
    static const struct option longs[] = {
        {"metrics", required_argument, NULL, 'm'},
        {"store", no_argument, NULL, 's'},
        {"base", required_argument, NULL, 'b'},
        {"alt", required_argument, NULL, 'a'},
        {"format", required_argument, NULL, 'F'},
        {"all", no_argument, NULL, 'A'},
        {"force", no_argument, NULL, 'f'},
        TW_CLI_LONGS_END,
    };
    const char *filter = NULL, *bname = NULL, *aname = NULL;
    tw_cli_format fmt = TW_CLI_TEXT;
    int store = 0, all = 0, force = 0, ch;
    int st = TW_CLI_OPT_START;
    while ((ch = tw_cli_opt(argc, argv, ":h", longs, USAGE_COMPARE, &st)) !=
           -1) {
        switch (ch) {
        case 'm':
            filter = optarg;
            break;
        case 's':
            store = 1;
            break;
        case 'A':
            all = 1;
            break;
        case 'f':
            force = 1;
            break;
        case 'b':
            bname = optarg;
            break;
        case 'a':
            aname = optarg;
            break;
        case 'F':
            if (tw_cli_format_parse("compare", optarg, &fmt) != TW_OK)
                return TW_EINPUT;
            break;
        default:
            return fail_usage("compare", "unknown option or missing value",
                              argv[optind - 1]);
        }
    }
    if (st == TW_CLI_OPT_HELP)
        return 0;
    int groups = argc - optind == 1;
    if (groups ? (bname == NULL || aname == NULL)
               : (argc - optind != 2 || bname || aname))
        return fail_usage("compare", "give FILE --base A --alt B, or two "
                          "files BASE.h5 ALT.h5", NULL);
    const char *bpath = argv[optind];
    const char *apath = groups ? bpath : argv[optind + 1];
    if (all && filter)
        return fail_usage("compare", "give --all or --metrics TEXT, not "
                          "both", NULL);
    if (force && !store && !groups)
        return fail_usage("compare", "--force replaces a stored comparison: "
                          "it needs --store", NULL);
    char bg[256], ag[256];
    snprintf(bg, sizeof bg, "scenarios/%s", groups ? bname : "");
    snprintf(ag, sizeof ag, "scenarios/%s", groups ? aname : "");
    tw_error err = {0};
    /* what the files are, before anything opens them as runs */
    for (int i = 0; i < 2 - groups; i++) {
        const char *p = i ? apath : bpath;
        tw_file_kind kind;
        int krc = tw_file_identify(p, &kind, &err);
        if (krc == TW_OK && kind != (groups ? TW_FILE_SCENARIOS
                                            : TW_FILE_RUN))
            krc = tw_error_set(&err, TW_EINPUT, "%s is twsim %s output; compare "
                               "takes %s", p, tw_file_kind_names[kind],
                               groups ? "a scenarios file (run "
                                        "--all-scenarios) with --base and "
                                        "--alt"
                                      : "two run files (or a scenarios "
                                        "file with --base A --alt B)");
        if (krc != TW_OK) {
            fprintf(stderr, "twsim: %s\n", err.msg);
            return krc;
        }
    }
    tw_h5_data *b = NULL, *a = NULL;
    tw_comparison c;
    memset(&c, 0, sizeof c);
    int rc = tw_h5_read_group(bpath, groups ? bg : NULL, &b, &err);
    if (rc == TW_OK)
        rc = tw_h5_read_group(apath, groups ? ag : NULL, &a, &err);
    if (rc != TW_OK && groups)
        rc = TW_EINPUT; /* most likely a scenario that is not in the file */
    if (rc == TW_OK)
        rc = tw_compare(b, a, &c, &err);
    unsigned char *show = NULL;
    if (rc == TW_OK && (show = malloc(b->n_metrics + 1)) == NULL)
        rc = tw_error_set(&err, TW_EFAIL, "out of memory");
    if (rc == TW_OK) {
        tw_compare_select(b, filter, all, show);
        if (fmt == TW_CLI_TEXT)
            tw_comparison_print(stdout, &c, b, groups ? bname : bpath,
                                groups ? aname : apath, show);
        else
            tw_cli_comparison_rows(stdout, fmt, &c, b, show);
    }
    if (rc == TW_OK && (groups || store)) {
        /* two files: named by their names without the directory and .h5,
         * so that comparing other files never reuses a name */
        char bn[120], an[120], stored[256];
        file_stem(bn, sizeof bn, bpath);
        file_stem(an, sizeof an, apath);
        rc = tw_comparison_write(apath, &c, groups ? bname : bn,
                                 groups ? aname : an, bpath,
                                 groups ? NULL : apath, force, stored,
                                 sizeof stored, &err);
        if (rc == TW_OK)
            fprintf(fmt == TW_CLI_TEXT ? stdout : stderr,
                    "%sstored in %s as /comparisons/%s\n",
                    fmt == TW_CLI_TEXT ? "\n" : "twsim: ", apath, stored);
    }
    if (rc != TW_OK)
        tw_error_print(stderr, "twsim: ", &err);
    free(show);
    tw_comparison_free(&c);
    tw_h5_data_free(a);
    tw_h5_data_free(b);
    return rc;
}

/* At most this many levers in one optimize. */
#define TW_CLI_MAX_LEVERS 8

/* Options shared by optimize and sweep. */
typedef struct lever_opts {
    const char *lever, *lever2, *range, *values, *values2, *targets;
    const char *output, *scenario;
    int force;
    int quiet;              /* -q: no line per evaluation */
    size_t threads;         /* --threads, 0 = one per CPU */
    tw_cli_format fmt;      /* --format (sweep) */
    const char *step_arg;
    double step, prob;
    long long max_reps;     /* --max-replicates, 0 if not given */
    /* optimize over several levers: each --lever with the --range and
     * --step that follow it */
    size_t n_levers;
    const char *levers[TW_CLI_MAX_LEVERS], *ranges[TW_CLI_MAX_LEVERS];
    const char *steps[TW_CLI_MAX_LEVERS];
    const char *max_reps_arg;
    const char *sets[260];
    size_t n_sets;
    char reps[64], seed[64];
} lever_opts;

/* "a,b,c" -> a new array of doubles; NULL (and *n = 0) on a bad number. */
static double *parse_list(const char *s, size_t *n)
{
    *n = 0;
    size_t cap = 1;
    for (const char *p = s; *p; p++)
        cap += *p == ',';
    double *v = malloc(cap * sizeof *v);
    if (v == NULL)
        return NULL;
    const char *p = s;
    while (*p) {
        char *end;
        errno = 0;
        double x = strtod(p, &end);
        if (end == p || errno != 0 || !isfinite(x) ||
            (*end != ',' && *end != '\0')) {
            free(v);
            *n = 0;
            return NULL;
        }
        v[(*n)++] = x;
        p = *end == ',' ? end + 1 : end;
    }
    if (*n == 0) {
        free(v);
        return NULL;
    }
    return v;
}

/* "a,b" -> new strings */
static char **split_names(const char *s, size_t *n)
{
    size_t cap = 1;
    for (const char *p = s; *p; p++)
        cap += *p == ',';
    char **v = calloc(cap, sizeof *v);
    char *copy = strdup(s);
    *n = 0;
    if (v == NULL || copy == NULL) {
        free(v);
        free(copy);
        return NULL;
    }
    char *save = NULL;
    for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save))
        v[(*n)++] = strdup(t);
    free(copy);
    return v;
}

static int parse_lever_opts(const char *cmd, const char *usage, int argc,
                            char **argv, lever_opts *o, const char **config)
{
    static const struct option longs[] = {
        {"lever", required_argument, NULL, 'L'},
        {"lever2", required_argument, NULL, 'M'},
        {"range", required_argument, NULL, 'r'},
        {"values", required_argument, NULL, 'v'},
        {"values2", required_argument, NULL, 'w'},
        {"step", required_argument, NULL, 'S'},
        {"target", required_argument, NULL, 't'},
        {"prob", required_argument, NULL, 'p'},
        {"quiet", no_argument, NULL, 'q'},
        {"threads", required_argument, NULL, 'T'},
        {"format", required_argument, NULL, 'F'},
        {"max-replicates", required_argument, NULL, 'X'},
        TW_CLI_RUN_LONGS('e'),
        TW_CLI_LONGS_END,
    };
    int ch, st = TW_CLI_OPT_START;
    o->step = 1;
    o->prob = 0.9;
    while ((ch = tw_cli_opt(argc, argv, ":hqn:o:", longs, usage, &st)) != -1) {
        char *end;
        switch (ch) {
        case 'L':
            if (o->lever == NULL)
                o->lever = optarg;
            if (o->n_levers >= TW_CLI_MAX_LEVERS)
                return fail_usage(cmd, "at most 8 --lever options", optarg);
            for (size_t j = 0; j < o->n_levers; j++)
                if (strcmp(o->levers[j], optarg) == 0)
                    return fail_usage(cmd, "--lever given twice", optarg);
            o->levers[o->n_levers++] = optarg;
            break;
        case 'M': o->lever2 = optarg; break;
        case 'r':
            if (o->n_levers > 0 && o->ranges[o->n_levers - 1] != NULL)
                return fail_usage(cmd, "one --range per --lever, after it",
                                  optarg);
            if (o->range == NULL)
                o->range = optarg;
            if (o->n_levers > 0)
                o->ranges[o->n_levers - 1] = optarg;
            break;
        case 'v': o->values = optarg; break;
        case 'w': o->values2 = optarg; break;
        case 't': o->targets = optarg; break;
        case 'c': o->scenario = optarg; break;
        case 'o': o->output = optarg; break;
        case 'f': o->force = 1; break;
        case 'q': o->quiet = 1; break;
        case 'T': {
            /* as run takes it (main.c) */
            errno = 0;
            long long v = strtoll(optarg, &end, 10);
            if (*end || end == optarg || errno != 0 || v < 1 || v > 4096) {
                fprintf(stderr, "twsim %s: --threads '%s': give a whole "
                        "number from 1 to 4096\n(try 'twsim %s --help')\n",
                        cmd, optarg, cmd);
                return TW_EINPUT;
            }
            o->threads = (size_t)v;
            break;
        }
        case 'F':
            /* optimize prints its answer as text only */
            if (strcmp(cmd, "sweep") != 0)
                return fail_usage(cmd, "unknown option", "--format");
            if (tw_cli_format_parse(cmd, optarg, &o->fmt) != TW_OK)
                return TW_EINPUT;
            break;
        case 'S':
            if (o->n_levers > 0)
                o->steps[o->n_levers - 1] = optarg;
            if (o->step_arg == NULL)
                o->step_arg = optarg;
            errno = 0;
            double step = strtod(optarg, &end);
            if (o->n_levers <= 1)
                o->step = step;
            if (*end || end == optarg || errno != 0 || !isfinite(step) ||
                !(step > 0))
                return fail_usage(cmd, "--step must be a finite number > 0",
                                  optarg);
            break;
        case 'p':
            o->prob = strtod(optarg, &end);
            if (*end || !(o->prob > 0 && o->prob < 1))
                return fail_usage(cmd, "--prob must be between 0 and 1",
                                  optarg);
            break;
        case 'X':
            if (strcmp(cmd, "optimize") != 0)
                return fail_usage(cmd, "unknown option or missing value",
                                  argv[optind - 1]);
            errno = 0;
            o->max_reps_arg = optarg;
            o->max_reps = strtoll(optarg, &end, 10);
            if (*end || end == optarg || errno != 0 || o->max_reps < 1 ||
                o->max_reps > 10000000)
                return fail_usage(cmd, "--max-replicates must be a whole "
                                  "number from 1 to 10000000", optarg);
            break;
        case 'n':
        case 'e': {
            long long v = strtoll(optarg, &end, 10);
            if (*end || end == optarg || v < 0)
                return fail_usage(cmd, "not a whole number >= 0", optarg);
            snprintf(ch == 'n' ? o->reps : o->seed, 64, "%s=%lld",
                     ch == 'n' ? "simulation.replicates" : "simulation.seed",
                     v);
            break;
        }
        case 's':
            if (o->n_sets >= 256)
                return fail_usage(cmd, "too many --set options", NULL);
            o->sets[o->n_sets++] = optarg;
            break;
        default:
            return fail_usage(cmd, "unknown option or missing value",
                              argv[optind - 1]);
        }
    }
    if (st == TW_CLI_OPT_HELP)
        return 0;
    if (o->reps[0])
        o->sets[o->n_sets++] = o->reps;
    if (o->seed[0])
        o->sets[o->n_sets++] = o->seed;
    if (argc - optind != 1)
        return fail_usage(cmd, "takes exactly one CONFIG", NULL);
    if (o->lever == NULL)
        return fail_usage(cmd, "--lever KEY is required", NULL);
    if (o->n_levers > 1 && strcmp(cmd, "optimize") != 0)
        return fail_usage(cmd, "one --lever (and --lever2 for a second)",
                          o->levers[1]);
    *config = argv[optind];
    return -1;
}

/* The default output name: CONFIG's base name + suffix, in the cwd. */
static char *default_name(const char *config, const char *suffix)
{
    const char *base = strrchr(config, '/');
    base = base ? base + 1 : config;
    size_t len = strlen(base);
    if (len > 4 && strcmp(base + len - 4, ".cfg") == 0)
        len -= 4;
    size_t cap = len + strlen(suffix) + 1;
    char *out = malloc(cap);
    if (out != NULL)
        snprintf(out, cap, "%.*s%s", (int)len, base, suffix);
    return out;
}

/* What optimize and sweep hold while they run: the context, the
 * overrides it points into, the output being written and the scratch
 * directory. */
typedef struct lever_run {
    tw_lever_ctx ctx;
    const char **sets;    /* the scenario's overrides (owned) + the CLI's */
    size_t n_owned;       /* how many of sets[] are owned */
    size_t reps;          /* the config's replicates, after overrides */
    tw_cost *costs;       /* the config's costs (strings owned) */
    size_t n_costs;
    tw_output out;        /* begun: checked and locked */
    char tmp[4096];       /* the scratch directory, "" until made */
} lever_run;

/* The scratch directory: dir + "/twsim-<cmd>-XXXXXX", where dir is
 * `dir` or, when NULL, $TMPDIR (else /tmp). */
static int make_scratch(const char *cmd, const char *dir, char *tmp,
                        size_t cap)
{
    const char *base = dir ? dir : getenv("TMPDIR");
    if (base == NULL || base[0] == '\0')
        base = "/tmp";
    if ((size_t)snprintf(tmp, cap, "%s/twsim-%s-XXXXXX", base, cmd) >= cap) {
        tmp[0] = '\0';
        fprintf(stderr, "twsim %s: %s is too long\n", cmd,
                dir ? "the output's directory" : "TMPDIR");
        return TW_EINPUT;
    }
    if (mkdtemp(tmp) == NULL) {
        fprintf(stderr, "twsim: cannot make a scratch directory %s: %s\n",
                tmp, strerror(errno));
        tmp[0] = '\0';
        return TW_EFAIL;
    }
    return TW_OK;
}

/* Set up what optimize and sweep share, before the first evaluation: the
 * config is loaded (a scenario's overrides come before the command
 * line's), the output path checked and locked, the scratch directory
 * made, SIGINT / SIGTERM caught. On failure too, lever_finish and lever_free are due. */
static int lever_setup(const char *cmd, lever_opts *o, const char *config,
                       const char *out_path, lever_run *lr)
{
    memset(lr, 0, sizeof *lr);
    lr->out.lock = TW_OUTPUT_LOCK_NONE;
    tw_lever_ctx *ctx = &lr->ctx;
    tw_error err;
    tw_config *cfg = NULL;
    int rc = tw_config_load_scenario(config, o->scenario, o->sets, o->n_sets,
                                     &cfg, &err);
    if (rc != TW_OK) {
        tw_error_print(stderr, "twsim: ", &err);
        return rc;
    }
    tw_config_print_notes(stderr, cfg);
    size_t n = o->n_sets;
    const tw_scenario *sc = NULL;
    for (size_t i = 0; o->scenario && i < cfg->n_scenarios; i++)
        if (strcmp(cfg->scenarios[i].name, o->scenario) == 0)
            sc = &cfg->scenarios[i];
    size_t extra = sc ? sc->n_sets : 0;
    const char **sets = calloc(n + extra + 1, sizeof *sets);
    if (sets == NULL) {
        tw_config_free(cfg);
        fprintf(stderr, "twsim: out of memory\n");
        return TW_EFAIL;
    }
    lr->sets = sets;
    for (size_t i = 0; i < extra; i++) {
        if ((sets[i] = strdup(sc->sets[i])) == NULL) {
            tw_config_free(cfg);
            fprintf(stderr, "twsim: out of memory\n");
            return TW_EFAIL;
        }
        lr->n_owned = i + 1;
    }
    for (size_t i = 0; i < n; i++)
        sets[extra + i] = o->sets[i];
    ctx->config = config;
    ctx->sets = sets;
    ctx->n_sets = n + extra;
    ctx->lever = o->lever;
    ctx->lever2 = o->lever2;
    ctx->prob = o->prob;
    /* machine-readable stdout carries the table alone */
    ctx->log = o->quiet ? NULL : o->fmt == TW_CLI_TEXT ? stdout : stderr;
    ctx->threads = o->threads;
    ctx->stop = &tw_cli_stop;
    if (o->targets != NULL) {
        ctx->targets = split_names(o->targets, &ctx->n_targets);
        if (ctx->targets == NULL || ctx->n_targets == 0) {
            tw_config_free(cfg);
            return fail_usage(cmd, "--target needs target names", NULL);
        }
    }
    lr->reps = cfg->replicates;
    if (cfg->n_costs > 0 &&
        (lr->costs = calloc(cfg->n_costs, sizeof *lr->costs)) != NULL) {
        for (size_t i = 0; i < cfg->n_costs; i++) {
            lr->costs[i] = cfg->costs[i];
            lr->costs[i].lever = strdup(cfg->costs[i].lever);
            lr->costs[i].unit = strdup(cfg->costs[i].unit);
            lr->costs[i].source = lr->costs[i].note = NULL;
            lr->n_costs = i + 1;
            if (!lr->costs[i].lever || !lr->costs[i].unit) {
                tw_config_free(cfg);
                fprintf(stderr, "twsim: out of memory\n");
                return TW_EFAIL;
            }
        }
    }
#ifdef TW_MPI
    /* every rank must know the targets before its first evaluation (a
     * rank may have none to run), in the order a run's file has them */
    if (ctx->targets == NULL) {
        ctx->targets = calloc(cfg->n_targets + 1, sizeof *ctx->targets);
        for (size_t i = 0; ctx->targets && i < cfg->n_targets; i++) {
            if ((ctx->targets[i] = strdup(cfg->targets[i].name)) == NULL)
                break;
            ctx->n_targets = i + 1;
        }
        if (ctx->targets == NULL || ctx->n_targets < cfg->n_targets) {
            tw_config_free(cfg);
            fprintf(stderr, "twsim: out of memory\n");
            return TW_EFAIL;
        }
    }
    /* rank 0 alone writes (and locks) the output. A sweep's rank runs
     * its points in a scratch directory of its own; optimize's ranks run
     * every evaluation together, in rank 0's (optimize_on_ranks) */
    int shared = strcmp(cmd, "optimize") == 0;
    if (tw_mpi_rank() != 0) {
        tw_config_free(cfg);
        if (!shared &&
            (rc = make_scratch(cmd, NULL, lr->tmp, sizeof lr->tmp)) !=
                TW_OK)
            return rc;
        ctx->tmp_dir = lr->tmp;
        tw_cli_catch_stop_signals();
        return TW_OK;
    }
#else
    int shared = 0;
#endif
    tw_output_rules rules = {.cfg = cfg, .force = o->force};
    rc = out_path == NULL ? TW_EFAIL
                          : tw_output_begin(&lr->out, out_path, &rules, &err);
    tw_config_free(cfg);
    if (rc != TW_OK) {
        fprintf(stderr, "twsim: %s\n", out_path ? err.msg : "out of memory");
        return rc;
    }
    /* a directory that every rank sees: the output's, which is where
     * the ranks of a cluster run write (docs/cluster.md) */
    char dir[4096] = ".";
    const char *slash = strrchr(out_path, '/');
    if (slash != NULL)
        snprintf(dir, sizeof dir, "%.*s",
                 slash == out_path ? 1 : (int)(slash - out_path), out_path);
    if ((rc = make_scratch(cmd, shared ? dir : NULL, lr->tmp,
                           sizeof lr->tmp)) != TW_OK)
        return rc;
    ctx->tmp_dir = lr->tmp;
    tw_cli_catch_stop_signals();
    return TW_OK;
}

/* optimize's exit status when no value in the range suffices, and when no
 * value was shown to suffice within the budget (the file of evaluations is
 * written all the same) */
#define OPTIMIZE_NONE 3
#define OPTIMIZE_UNDECIDED 4

/* End what lever_setup began: the scratch directory and everything in it
 * go, and the output is committed when rc is 0 or OPTIMIZE_NONE,
 * else removed. Returns rc, or TW_EFAIL when the commit fails. */
static int lever_finish(lever_run *lr, int rc)
{
    if (lr->tmp[0] && !lr->ctx.keep_scratch) {
        tw_lever_scratch_clear(&lr->ctx);
        rmdir(lr->tmp);
        lr->tmp[0] = '\0';
    }
    tw_error err;
    int keep = rc == TW_OK || rc == OPTIMIZE_NONE ||
               rc == OPTIMIZE_UNDECIDED;
    if (lr->out.path != NULL && tw_output_end(&lr->out, keep, &err) != TW_OK &&
        keep) {
        tw_error_print(stderr, "twsim: ", &err);
        rc = TW_EFAIL;
    }
    return rc;
}

/* Free what lever_setup allocated (after lever_finish). */
static void lever_free(lever_run *lr)
{
    tw_lever_ctx *ctx = &lr->ctx;
    for (size_t i = 0; i < ctx->n_targets; i++)
        free(ctx->targets[i]);
    free(ctx->targets);
    for (size_t i = 0; i < lr->n_owned; i++)
        free((char *)lr->sets[i]);
    for (size_t i = 0; i < lr->n_costs; i++)
        TW_FREE(lr->costs[i].lever, lr->costs[i].unit);
    free(lr->costs);
    free(lr->sets);
}

/* The exit status for a failed or stopped evaluation, with its message. */
static int eval_failed(const char *cmd, int rc, const tw_error *err)
{
    if (rc == TW_ESTOPPED) {
        int sig = (int)tw_cli_stop;
        fprintf(stderr, "twsim %s: stopped by signal %d; nothing was "
                "written\n", cmd, sig);
        return 128 + sig;
    }
    tw_error_print(stderr, "twsim: ", err);
    return rc;
}

#ifdef TW_MPI
/*
 * twsim-mpi optimize, before the first evaluation, with this rank's
 * status rc so far: every rank runs the same search in lockstep, and the
 * replicates of each evaluation are run by all ranks together
 * (tw_mpi_run) into rank 0's scratch directory, then read back by every
 * rank, so that all take the same branches (tw_lever_ctx). Collective;
 * returns the agreed status, and prints a failure that another rank
 * found (a rank's own failure it has printed).
 */
static int optimize_on_ranks(lever_run *lr, int rc)
{
    tw_lever_ctx *ctx = &lr->ctx;
    tw_error err;
    tw_error_clear(&err);
    int mine = rc;
    rc = tw_mpi_agree(rc, &err);
    if (rc != TW_OK) {
        if (mine == TW_OK)
            tw_error_print(stderr, "twsim: ", &err);
        return rc;
    }
    tw_mpi_bcast_bytes(lr->tmp, sizeof lr->tmp);
    ctx->tmp_dir = lr->tmp;
    ctx->run = tw_mpi_run;
    ctx->agree = tw_mpi_agree;
    ctx->keep_scratch = tw_mpi_rank() != 0; /* rank 0's to clear */
    return TW_OK;
}

/*
 * After the search and rank 0's write, with this rank's status rc:
 * agree on it and on a stop signal (so that rank 0 names one).
 * Collective; returns the agreed status (rank 0's err holds the message).
 */
static int optimize_agree(int rc, tw_error *err)
{
    tw_error serr;
    tw_error_clear(&serr);
    rc = tw_mpi_agree(rc, err);
    int sig = tw_mpi_agree((int)tw_cli_stop, &serr);
    if (sig > 0 && tw_cli_stop == 0)
        tw_cli_stop = sig;
    return rc;
}
#endif

/*
 * The replicate budget of a search (--max-replicates, default 8 x the
 * first evaluation's) into *max_reps, refused below the first
 * evaluation; then, under twsim-mpi, every rank's agreement on rc.
 * *root: this process prints. Returns rc, or the refusal.
 */
static int search_budget(lever_run *lr, const lever_opts *o, int rc,
                         size_t *max_reps, int *root)
{
    *max_reps = o->max_reps > 0 ? (size_t)o->max_reps : 8 * lr->reps;
    if (rc == TW_OK && *max_reps < lr->reps) {
        fprintf(stderr, "twsim optimize: --max-replicates %s is below the "
                "%zu replicates of the first evaluation (-n or the config's "
                "simulation.replicates); give --max-replicates >= %zu, or a "
                "smaller -n\n", o->max_reps_arg, lr->reps, lr->reps);
        rc = TW_EINPUT;
    }
    *root = 1;
#ifdef TW_MPI
    rc = optimize_on_ranks(lr, rc);
    *root = tw_mpi_rank() == 0;
#endif
    return rc;
}

/* The values `v` of `opt` for the lever (or lever2 when `second`) are
 * whole numbers when the key takes whole numbers; else a message naming
 * the option and TW_EINPUT. */
static int check_whole(const char *cmd, const tw_lever_ctx *ctx, int second,
                       const char *opt, const char *arg, const double *v,
                       size_t n)
{
    const char *key = second ? ctx->lever2 : ctx->lever;
    if (tw_config_key_type(key, NULL) != TW_KEY_WHOLE)
        return TW_OK;
    for (size_t i = 0; i < n; i++)
        if (v[i] != floor(v[i]) || fabs(v[i]) > 9e15) {
            fprintf(stderr, "twsim %s: %s %s: %g is not a whole number, and "
                    "%s takes whole numbers\n", cmd, opt, arg, v[i], key);
            return TW_EINPUT;
        }
    return TW_OK;
}

/*
 * Before the first evaluation: the lever (lever2 when `second`) is a
 * number key of the config, and each of the values v[0..n) that option
 * `opt` (given as `arg`) makes it take is of the key's type and accepted
 * by the config validator (each lever on its own, the other one left as
 * the config has it). Messages name the option; TW_EINPUT (or TW_EFAIL)
 * on the first problem.
 */
static int check_lever(const char *cmd, const tw_lever_ctx *ctx, int second,
                       const char *opt, const char *arg, const double *v,
                       size_t n)
{
    tw_lever_ctx one = *ctx;
    one.lever = second ? ctx->lever2 : ctx->lever;
    one.lever2 = NULL;
    const char *key = one.lever;
    const char *lopt = second ? "--lever2" : "--lever";
    const char *words;
    tw_error err;
    tw_error_clear(&err);
    tw_key_type type = tw_config_key_type(key, &words);
    if (type == TW_KEY_UNKNOWN) {
        int rc = tw_lever_check(&one, v[0], 0, &err);
        fprintf(stderr, "twsim %s: %s %s: not a config key%s%s\n", cmd, lopt,
                key, rc != TW_OK ? "\n" : "", rc != TW_OK ? err.msg : "");
        return TW_EINPUT;
    }
    if (type == TW_KEY_OTHER) {
        fprintf(stderr, "twsim %s: %s %s: the key takes %s; a lever must be "
                "a number\n", cmd, lopt, key, words);
        return TW_EINPUT;
    }
    int rc = check_whole(cmd, ctx, second, opt, arg, v, n);
    for (size_t i = 0; rc == TW_OK && i < n; i++) {
        rc = tw_lever_check(&one, v[i], 0, &err);
        if (rc != TW_OK)
            fprintf(stderr, "twsim %s: %s %s: the config does not accept "
                    "%s = %g:\n%s\n", cmd, opt, arg, key, v[i], err.msg);
    }
    return rc;
}

/* --range LO:HI with grid step `step` into lo, hi and the last grid
 * point; TW_EINPUT with a message naming the option on a bad range. */
static int parse_range(const char *range, double step, double *lo,
                       double *hi, double *last)
{
    char *colon = strchr(range, ':'), *end;
    errno = 0;
    *lo = strtod(range, &end);
    if (colon == NULL || end != colon || end == range)
        return fail_usage("optimize", "--range must be LO:HI", range);
    if (errno != 0 || !isfinite(*lo))
        return fail_usage("optimize", "--range: LO is not a finite number",
                          range);
    *hi = strtod(colon + 1, &end);
    if (*end || end == colon + 1)
        return fail_usage("optimize", "--range must be LO:HI", range);
    if (errno != 0 || !isfinite(*hi))
        return fail_usage("optimize", "--range: HI is not a finite number",
                          range);
    if (!(*hi >= *lo))
        return fail_usage("optimize", "--range must be LO:HI with LO <= HI",
                          range);
    /* the grid lo, lo + step, ..., lo + n step <= hi */
    double span = (*hi - *lo) / step;
    if (!isfinite(span) || span > 1e9) {
        fprintf(stderr, "twsim optimize: --range %s --step %g: more than a "
                "billion grid points; give a larger --step\n", range, step);
        return TW_EINPUT;
    }
    *last = *lo + floor(span + 1e-9) * step;
    return TW_OK;
}

/* The cost per unit of `key` in the config's costs, or NULL. */
static const tw_cost *find_cost(const lever_run *lr, const char *key)
{
    for (size_t i = 0; i < lr->n_costs; i++)
        if (strcmp(lr->costs[i].lever, key) == 0)
            return &lr->costs[i];
    return NULL;
}

/* The frontier and the answer of a search over several levers. */
static void print_multi(const tw_lever_ctx *ctx, const lever_run *lr,
                        const tw_lever_range *lv, size_t nl,
                        const tw_multi *m, size_t max_reps, double prob,
                        const char *out)
{
    size_t nt = ctx->n_targets;
    const char *unit = find_cost(lr, lv[0].key)->unit;
    int pct = (int)lround(prob * 100);
    printf("\nCost-P(met) frontier: for each value of %s, the others as "
           "low as they go (%zu replicates; cost in %s):\n", lv[0].key,
           m->n_frontier ? m->evals[m->frontier[0]].n_reps : 0, unit);
    printf("  %12s", "cost");
    for (size_t j = 0; j < nl; j++)
        printf("  %s", lv[j].key);
    printf("  P(all met)  replicates\n");
    for (size_t f = 0; f < m->n_frontier; f++) {
        /* the point's last evaluation: with the most replicates */
        const tw_eval *e = &m->evals[m->frontier[f]];
        for (size_t k = m->frontier[f] + 1; k < m->n_evals; k++) {
            size_t j = 0;
            while (j < nl && m->evals[k].values[j] == e->values[j])
                j++;
            if (j == nl)
                e = &m->evals[k];
        }
        printf("  %12.6g", e->cost);
        for (size_t j = 0; j < nl; j++)
            printf("  %*g", (int)strlen(lv[j].key), e->values[j]);
        printf("  %10.3f  %10zu%s\n", e->p_all, e->n_reps,
               m->answer >= 0 && e == &m->evals[m->answer] ? "  <- answer"
                                                          : "");
    }
    if (m->answer < 0) {
        printf("Undecided: no combination on the frontier was shown to "
               "meet every target with P(met) >= %.2f within %zu replicates "
               "per combination. Raise --max-replicates.\n", prob,
               max_reps);
    } else {
        const tw_eval *a = &m->evals[m->answer];
        printf("\nAnswer: the cheapest combination found that meets every "
               "target with P(met) >= %.2f costs %g %s:\n", prob, a->cost,
               unit);
        for (size_t j = 0; j < nl; j++)
            printf("  %s = %g (%g x %g)\n", lv[j].key, a->values[j],
                   a->values[j], lv[j].per_unit);
        for (size_t i = 0; i < nt; i++)
            printf("  %-24s P(met) %.3f [%.3f-%.3f] over %zu replicates\n",
                   ctx->targets[i], a->p_met[i], a->p_lo[i], a->p_hi[i],
                   a->n_reps);
        printf("  all together: %.3f  ([lo-hi]: %d%% Wilson intervals)\n",
               a->p_all, pct);
        if (m->decision == TW_OPT_BELOW_UNDECIDED)
            printf("A cheaper frontier point could not be shown to meet or "
                   "to fall short within %zu replicates; it may also "
                   "suffice.\n", max_reps);
    }
    printf("Evaluations (%zu) written to %s\n", m->n_evals, out);
}

/* optimize --lever A --range .. --lever B --range .. : the cheapest
 * combination, with the costs of the config. */
static int optimize_multi(lever_opts *o, const char *config)
{
    size_t nl = o->n_levers;
    tw_lever_range lv[TW_CLI_MAX_LEVERS];
    double last[TW_CLI_MAX_LEVERS];
    int rc;
    for (size_t j = 0; j < nl; j++) {
        if (o->ranges[j] == NULL) {
            fprintf(stderr, "twsim optimize: --lever %s has no --range; "
                    "give each --lever its --range LO:HI (and --step S) "
                    "after it\n", o->levers[j]);
            return TW_EINPUT;
        }
        lv[j].key = o->levers[j];
        lv[j].step = o->steps[j] ? strtod(o->steps[j], NULL) : 1;
        if ((rc = parse_range(o->ranges[j], lv[j].step, &lv[j].lo,
                              &lv[j].hi, &last[j])) != TW_OK)
            return rc;
    }
    char *out = o->output ? strdup(o->output)
                          : default_name(config, "-optimize.h5");
    lever_run lr;
    rc = lever_setup("optimize", o, config, out, &lr);
    tw_lever_ctx *ctx = &lr.ctx;
    for (size_t j = 0; rc == TW_OK && j < nl; j++) {
        tw_lever_ctx one = *ctx;
        one.lever = lv[j].key;
        double grid[2] = { lv[j].lo, last[j] };
        const char *step_arg = o->steps[j] ? o->steps[j] : "1";
        if ((rc = check_lever("optimize", &one, 0, "--range", o->ranges[j],
                              grid, 2)) == TW_OK)
            rc = check_whole("optimize", &one, 0, "--step", step_arg,
                             &lv[j].step, 1);
    }
    /* every lever has a cost, and every cost is for a lever varied */
    for (size_t j = 0; rc == TW_OK && j < nl; j++) {
        const tw_cost *c = find_cost(&lr, lv[j].key);
        if (c == NULL) {
            fprintf(stderr, "twsim optimize: --lever %s has no cost: with "
                    "several levers each needs an entry in the config's "
                    "costs list ( { lever = \"%s\"; per_unit; unit; "
                    "source; } ); costs are given for:", lv[j].key,
                    lv[j].key);
            for (size_t i = 0; i < lr.n_costs; i++)
                fprintf(stderr, " %s", lr.costs[i].lever);
            fprintf(stderr, "%s\n", lr.n_costs ? "" : " none");
            rc = TW_EINPUT;
        } else {
            lv[j].per_unit = c->per_unit;
            if (j > 0 && strcmp(c->unit, find_cost(&lr, lv[0].key)->unit)) {
                fprintf(stderr, "twsim optimize: the costs of %s (%s) and "
                        "%s (%s) are in different units; give every cost "
                        "in one unit\n", lv[0].key,
                        find_cost(&lr, lv[0].key)->unit, lv[j].key,
                        c->unit);
                rc = TW_EINPUT;
            }
        }
    }
    for (size_t i = 0; rc == TW_OK && i < lr.n_costs; i++) {
        size_t j = 0;
        while (j < nl && strcmp(lv[j].key, lr.costs[i].lever) != 0)
            j++;
        if (j == nl) {
            fprintf(stderr, "twsim optimize: %s: costs: \"%s\" is not "
                    "varied; the levers varied are:", lr.costs[i].where,
                    lr.costs[i].lever);
            for (size_t k = 0; k < nl; k++)
                fprintf(stderr, " %s", lv[k].key);
            fprintf(stderr, " (vary it with --lever %s --range LO:HI, or "
                    "take its cost out)\n", lr.costs[i].lever);
            rc = TW_EINPUT;
        }
    }
    size_t max_reps = 0;
    int root = 1;
    rc = search_budget(&lr, o, rc, &max_reps, &root);
    if (rc != TW_OK) {
        rc = lever_finish(&lr, rc);
        lever_free(&lr);
        free(out);
        return rc;
    }
    ctx->reps = lr.reps;
    ctx->level = o->prob;
    printf("Searching the cheapest combination of");
    for (size_t j = 0; j < nl; j++)
        printf("%s %s in %g..%g (step %g, %g each)", j ? "," : "",
               lv[j].key, lv[j].lo, lv[j].hi, lv[j].step, lv[j].per_unit);
    printf(" for P(met) >= %.2f on common random numbers, %zu replicates "
           "per combination, up to %zu to confirm:\n", o->prob, lr.reps,
           max_reps);
    tw_multi m;
    tw_error err;
    rc = tw_optimize_multi(ctx, lv, nl, max_reps, &m, &err);
    if (rc == TW_OK && root)
        rc = tw_experiment_write_multi(&lr.out, ctx, lv, nl, &m, &err);
#ifdef TW_MPI
    rc = optimize_agree(rc, &err);
    if (!root) { /* rank 0 writes and prints */
        rc = lever_finish(&lr, rc);
        tw_multi_free(&m);
        lever_free(&lr);
        free(out);
        return rc;
    }
#endif
    if (rc != TW_OK)
        rc = eval_failed("optimize", rc, &err);
    else if (m.decision == TW_OPT_NONE)
        rc = OPTIMIZE_NONE;
    else if (m.answer < 0)
        rc = OPTIMIZE_UNDECIDED;
    rc = lever_finish(&lr, rc);
    if (rc == OPTIMIZE_NONE) {
        const tw_eval *h = &m.evals[0];
        printf("\nNo combination in range meets every target with P(met) "
               ">= %.2f; with every lever at its highest:", o->prob);
        for (size_t i = 0; i < ctx->n_targets; i++)
            printf(" %s %.3f", ctx->targets[i], h->p_met[i]);
        printf("\nEvaluations written to %s\n", out);
    } else if (rc == TW_OK || rc == OPTIMIZE_UNDECIDED) {
        print_multi(ctx, &lr, lv, nl, &m, max_reps, o->prob, out);
    }
    tw_multi_free(&m);
    lever_free(&lr);
    free(out);
    return rc;
}

int tw_cli_optimize(int argc, char **argv)
{
    lever_opts o;
    memset(&o, 0, sizeof o);
    const char *config = NULL;
    int rc = parse_lever_opts("optimize", USAGE_OPTIMIZE, argc, argv, &o,
                              &config);
    if (rc >= 0)
        return rc;
    if (o.n_levers > 1)
        return optimize_multi(&o, config);
    if (o.range == NULL)
        return fail_usage("optimize", "--range LO:HI is required", NULL);
    double lo, hi, last;
    if ((rc = parse_range(o.range, o.step, &lo, &hi, &last)) != TW_OK)
        return rc;
    char *out = o.output ? strdup(o.output)
                         : default_name(config, "-optimize.h5");
    lever_run lr;
    rc = lever_setup("optimize", &o, config, out, &lr);
    tw_lever_ctx *ctx = &lr.ctx;
    double grid[2] = { lo, last };
    const char *step_arg = o.step_arg ? o.step_arg : "1";
    if (rc == TW_OK &&
        (rc = check_lever("optimize", ctx, 0, "--range", o.range, grid,
                          2)) == TW_OK)
        rc = check_whole("optimize", ctx, 0, "--step", step_arg, &o.step, 1);
    size_t max_reps = 0;
    int root = 1;
    rc = search_budget(&lr, &o, rc, &max_reps, &root);
    if (rc != TW_OK) {
        rc = lever_finish(&lr, rc);
        lever_free(&lr);
        free(out);
        return rc;
    }
    ctx->reps = lr.reps;
    ctx->level = o.prob;
    printf("Searching %s in %g..%g (step %g) for P(met) >= %.2f on common "
           "random numbers, %zu replicates per value, up to %zu near the "
           "answer:\n", o.lever, lo, hi, o.step, o.prob, lr.reps, max_reps);
    tw_search s;
    tw_error err;
    rc = tw_optimize(ctx, lo, hi, o.step, max_reps, &s, &err);
    if (rc == TW_OK && root)
        rc = tw_experiment_write_search(&lr.out, ctx, &s, &err);
#ifdef TW_MPI
    rc = optimize_agree(rc, &err);
    if (!root) { /* rank 0 writes and prints */
        rc = lever_finish(&lr, rc);
        tw_search_free(&s, 0);
        lever_free(&lr);
        free(out);
        return rc;
    }
#endif
    if (rc != TW_OK) /* TW_ESTOPPED too (whose 3 is not exit status 3) */
        rc = eval_failed("optimize", rc, &err);
    else if (s.answer < 0)
        rc = OPTIMIZE_NONE;
    else if (s.decision == TW_OPT_UNDECIDED)
        rc = OPTIMIZE_UNDECIDED;
    /* the file is in place (or not) before anything says it is */
    rc = lever_finish(&lr, rc);
    if (rc == TW_OK || rc == OPTIMIZE_NONE || rc == OPTIMIZE_UNDECIDED) {
        printf("\n");
        tw_search_monotone(ctx, &s, stdout);
    }
    if (rc == OPTIMIZE_NONE) {
        const tw_eval *h = &s.evals[s.n_evals - 1];
        printf("No value of %s in %g..%g meets every target with P(met) "
               ">= %.2f; at %g:", o.lever, lo, hi, o.prob, h->value);
        for (size_t i = 0; i < ctx->n_targets; i++)
            printf(" %s %.3f", ctx->targets[i], h->p_met[i]);
        printf(" (%zu replicates)\nEvaluations written to %s\n",
               h->n_reps, out);
    } else if (rc == TW_OK || rc == OPTIMIZE_UNDECIDED) {
        const tw_eval *a = &s.evals[s.answer];
        const tw_eval *b = s.below >= 0 ? &s.evals[s.below] : NULL;
        int pct = (int)lround(o.prob * 100);
        if (rc == OPTIMIZE_UNDECIDED)
            printf("Undecided: no value of %s was shown to meet every "
                   "target with P(met) >= %.2f within %zu replicates per "
                   "value; the estimates first meet it at %g. Raise "
                   "--max-replicates.\n", o.lever, o.prob, max_reps,
                   a->value);
        else if (b != NULL)
            printf("Answer: %s = %g (%g %s), the smallest value on the grid "
                   "that meets every target with P(met) >= %.2f\n", o.lever,
                   a->value, b->value,
                   s.decision == TW_OPT_SEPARATED ? "falls short"
                                                  : "is undecided",
                   o.prob);
        else
            printf("Answer: %s = %g (the lower end of the range) meets "
                   "every target with P(met) >= %.2f\n", o.lever, a->value,
                   o.prob);
        for (size_t i = 0; i < ctx->n_targets; i++) {
            printf("  %-24s P(met) at %g = %.3f [%.3f-%.3f] over %zu "
                   "replicates", ctx->targets[i], a->value, a->p_met[i],
                   a->p_lo[i], a->p_hi[i], a->n_reps);
            if (b != NULL)
                printf("; at %g = %.3f [%.3f-%.3f] over %zu", b->value,
                       b->p_met[i], b->p_lo[i], b->p_hi[i], b->n_reps);
            printf("\n");
        }
        printf("  all together at %g: %.3f", a->value, a->p_all);
        if (b != NULL)
            printf("; at %g: %.3f", b->value, b->p_all);
        printf("  ([lo-hi]: %d%% Wilson intervals)\n", pct);
        if (rc == TW_OK && s.decision == TW_OPT_BELOW_UNDECIDED)
            printf("The budget (%zu replicates per value) could not "
                   "separate %g from %g: the interval at %g still contains "
                   "%.2f, so %g may also suffice; %g is the smallest value "
                   "shown to.\n", max_reps, b->value, a->value, b->value,
                   o.prob, b->value, a->value);
        else if (rc == TW_OK && b != NULL)
            printf("%g is shown to meet every target and %g to fall short, "
                   "each at the %d%% level.\n", a->value, b->value, pct);
        const tw_cost *c = find_cost(&lr, o.lever);
        if (c != NULL)
            printf("Cost: %g x %g = %g %s (the config's costs, %s)\n",
                   a->value, c->per_unit, a->value * c->per_unit, c->unit,
                   c->where);
        printf("Evaluations (%zu) written to %s\n", s.n_evals, out);
    }
    tw_search_free(&s, 0);
    lever_free(&lr);
    free(out);
    return rc;
}

#ifdef TW_MPI
/*
 * After every rank has run its points of the sweep (point p on rank
 * p % size) with status rc: agree on the status and on a stop signal
 * (so that rank 0 reports one), then hand every point's results to rank
 * 0, whose ev[0..np) is then whole. Collective; returns the agreed
 * status (rank 0's err holds the message).
 */
static int sweep_gather(const tw_lever_ctx *ctx, tw_eval *ev, size_t np,
                        int rc, tw_error *err)
{
    tw_error serr;
    tw_error_clear(&serr);
    rc = tw_mpi_agree(rc, err);
    int sig = tw_mpi_agree((int)tw_cli_stop, &serr);
    if (sig > 0 && tw_cli_stop == 0)
        tw_cli_stop = sig;
    if (rc != TW_OK)
        return rc;
    /* a row per point: value, value2, p_all, ok, replicates, then per
     * target p_met, p_lo, p_hi, mean; zero on the ranks that did not run
     * it */
    size_t rank = (size_t)tw_mpi_rank(), size = (size_t)tw_mpi_size();
    size_t nt = ctx->n_targets, w = 5 + 4 * nt;
    double *buf = calloc(np * w, sizeof *buf);
    if ((rc = tw_mpi_agree(buf ? TW_OK : tw_error_set(err, TW_EFAIL,
                                                      "out of memory"),
                           err)) != TW_OK) {
        free(buf);
        return rc;
    }
    for (size_t p = rank; p < np; p += size) {
        double *r = buf + p * w;
        r[0] = ev[p].value;
        r[1] = ev[p].value2;
        r[2] = ev[p].p_all;
        r[3] = ev[p].ok;
        r[4] = (double)ev[p].n_reps;
        for (size_t k = 0; k < nt; k++) {
            r[5 + k] = ev[p].p_met[k];
            r[5 + nt + k] = ev[p].p_lo[k];
            r[5 + 2 * nt + k] = ev[p].p_hi[k];
            r[5 + 3 * nt + k] = ev[p].mean[k];
        }
    }
    tw_mpi_sum_doubles(buf, np * w);
    for (size_t p = 0; rank == 0 && rc == TW_OK && p < np; p++) {
        if (p % size == 0)
            continue; /* its own */
        const double *r = buf + p * w;
        tw_eval *e = &ev[p];
        e->value = r[0];
        e->value2 = r[1];
        e->p_all = r[2];
        e->ok = r[3] != 0;
        e->n_reps = (size_t)r[4];
        e->p_met = calloc(nt + 1, sizeof *e->p_met);
        e->p_lo = calloc(nt + 1, sizeof *e->p_lo);
        e->p_hi = calloc(nt + 1, sizeof *e->p_hi);
        e->mean = calloc(nt + 1, sizeof *e->mean);
        if (!e->p_met || !e->p_lo || !e->p_hi || !e->mean) {
            rc = tw_error_set(err, TW_EFAIL, "out of memory");
            break;
        }
        for (size_t k = 0; k < nt; k++) {
            e->p_met[k] = r[5 + k];
            e->p_lo[k] = r[5 + nt + k];
            e->p_hi[k] = r[5 + 2 * nt + k];
            e->mean[k] = r[5 + 3 * nt + k];
        }
    }
    free(buf);
    return rc;
}
#endif

int tw_cli_sweep(int argc, char **argv)
{
    lever_opts o;
    memset(&o, 0, sizeof o);
    const char *config = NULL;
    int rc = parse_lever_opts("sweep", USAGE_SWEEP, argc, argv, &o, &config);
    if (rc >= 0)
        return rc;
    size_t n1 = 0, n2 = 1;
    double *v1 = o.values ? parse_list(o.values, &n1) : NULL;
    double *v2 = NULL;
    if (v1 == NULL)
        return fail_usage("sweep", "--values V,V,... is required (numbers)",
                          o.values);
    if ((o.lever2 == NULL) != (o.values2 == NULL)) {
        free(v1);
        return fail_usage("sweep", "--lever2 and --values2 go together", NULL);
    }
    if (o.values2 && (v2 = parse_list(o.values2, &n2)) == NULL) {
        free(v1);
        return fail_usage("sweep", "--values2 must be numbers", o.values2);
    }
    char *out = o.output ? strdup(o.output) : default_name(config, "-sweep.h5");
    lever_run lr;
    rc = lever_setup("sweep", &o, config, out, &lr);
    tw_lever_ctx *ctx = &lr.ctx;
    if (rc == TW_OK)
        rc = check_lever("sweep", ctx, 0, "--values", o.values, v1, n1);
    if (rc == TW_OK && v2 != NULL)
        rc = check_lever("sweep", ctx, 1, "--values2", o.values2, v2, n2);
    int checked = rc == TW_OK; /* else the checks said what is wrong */
    size_t np = n1 * n2, done = 0, rank = 0, size = 1;
    tw_eval *ev = rc == TW_OK ? calloc(np, sizeof *ev) : NULL;
    tw_error err;
    tw_error_clear(&err);
    if (rc == TW_OK && ev == NULL)
        rc = tw_error_set(&err, TW_EFAIL, "out of memory");
#ifdef TW_MPI
    /* twsim-mpi: point p runs on rank p % size, each a whole ensemble on
     * that rank's threads; rank 0 gathers the results and writes */
    rank = (size_t)tw_mpi_rank();
    size = (size_t)tw_mpi_size();
    {
        int mine = rc;
        rc = tw_mpi_agree(rc, &err); /* e.g. rank 0 could not lock -o */
        if (rc != TW_OK && mine == TW_OK && checked) {
            tw_error_print(stderr, "twsim: ", &err);
            checked = 0;
        }
        size_t t = tw_mpi_default_threads();
        if (ctx->threads == 0)
            ctx->threads = t;
    }
#endif
    /* points in the file's order: the first lever fastest */
    for (size_t p = rank; rc == TW_OK && p < np; p += size) {
        ctx->value2 = v2 ? v2[p / n1] : 0;
        rc = tw_lever_eval(ctx, v1[p % n1], &ev[p], &err);
        if (rc == TW_OK)
            done = p + 1;
    }
#ifdef TW_MPI
    if (checked) {
        rc = sweep_gather(ctx, ev, np, rc, &err);
        done = rc == TW_OK ? np : 0;
    }
    if (rank != 0) {
        /* rank 0 writes, reads back and prints */
        for (size_t i = 0; ev != NULL && i < np; i++)
            tw_eval_free(&ev[i]);
        free(ev);
        free(v1);
        free(v2);
        free(out);
        rc = lever_finish(&lr, rc);
        lever_free(&lr);
        return rc;
    }
#endif
    if (rc == TW_OK)
        rc = tw_experiment_write(&lr.out, "sweep", ctx, ev, done, -1, -1,
                                 &err);
    if (rc != TW_OK && checked)
        rc = eval_failed("sweep", rc, &err); /* setup failures said theirs */
    rc = lever_finish(&lr, rc);
    /* the table as the file has it, so that what is printed is what a
     * reader of the file finds */
    tw_lever_table *t = NULL;
    if (rc == TW_OK && (rc = tw_lever_table_read(out, &t, &err)) != TW_OK)
        tw_error_print(stderr, "twsim: ", &err);
    if (rc == TW_OK && o.fmt != TW_CLI_TEXT) {
        tw_cli_grid_rows(stdout, o.fmt, t);
        fprintf(stderr, "twsim: grid (%zu points) written to %s\n", done,
                out);
    } else if (rc == TW_OK) {
        if (!o.quiet)
            putchar('\n');
        tw_cli_grid_text(stdout, t);
        printf("\nGrid (%zu points) written to %s\n", done, out);
    }
    tw_lever_table_free(t);
    for (size_t i = 0; ev != NULL && i < np; i++)
        tw_eval_free(&ev[i]);
    free(ev);
    free(v1);
    free(v2);
    free(out);
    lever_free(&lr);
    return rc;
}

