/*
 * twbench.c - the benchmark of `make bench`: how fast the full model runs,
 * how much of that is HDF5, how it scales to two workers, how much memory
 * it needs, and how far it is from the cost of its random draws alone.
 *
 *   twbench [--regions a,b,..] [--reps N] [--repeat K] [--json FILE]
 *           [--configs DIR]
 *
 * For each region (DIR/<region>.cfg, full mode) it measures, in this order:
 *
 *   memory   peak RSS (wait4's ru_maxrss) of forked children: one that
 *            only loads the config and builds the model (the baseline),
 *            then tw_run with 1 and 2 threads, N replicates, and with 1
 *            and 2 threads, 4N. A worker's memory is the difference
 *            between 2 threads and 1; it must not depend on N. Every child loads its own config, and all
 *            of them are forked before the benchmark has run anything
 *            itself, so no child starts with pages the parent has touched
 *            and freed (they would hide the child's own allocations).
 *   model    tw_run with 1 and 2 threads, N replicates, output to a file
 *            under /tmp (removed afterwards), best of K runs each, the
 *            runs on 1 and 2 threads alternating.
 *   floor    the initial teachers of each replicate (tw_sim_init, same
 *            seed), looped over for every simulated year, doing only the
 *            random draws the model made per teacher-year; best of K.
 *   phases   the same replicates run one by one on a tw_sim with its
 *            phase timing on (tw_sim.seconds[]): where the time goes, in
 *            nanoseconds per teacher-year; best of K.
 *
 * then prints one row per region, the goals for Chengdu, and writes the
 * figures as JSON. Exit status: 0 when every run succeeded (the goals are
 * figures, not tests), 1 when a run failed, 2 on bad usage.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "tw_config.h"
#include "tw_error.h"
#include "tw_model.h"
#include "tw_rng.h"
#include "tw_run.h"
#include "tw_version.h"
#include "tw_world.h"

#define MAX_REGIONS 32
#define NAME_MAX_LEN 64

/* Replicates per region when --reps is not given: enough teacher-years
 * for ~1-2 s per measurement at a few million teacher-years/s (Chengdu:
 * 16 replicates), within [REPS_MIN, REPS_MAX] and even, so that two
 * workers get the same share. */
#define TARGET_TEACHER_YEARS 12e6
#define REPS_MIN 2
#define REPS_MAX 400

/* The goals, measured on this region. */
#define GOAL_REGION "chengdu"
#define GOAL_MEM_TEACHER 32.0 /* bytes per initial teacher per worker, at
                                 most */
#define GOAL_FLOOR_RATIO 2.0  /* model time / floor time, at most */
#define GOAL_SPEEDUP 1.9      /* 2 workers against 1, at least */
#define GOAL_H5_SHARE 0.05    /* of the run's wall time, below */
#define GOAL_MEM_GROWTH 0.15  /* memory of a worker at 4N replicates
                                 against at N: at most this relative change.
                                 Not 0: peak RSS moves by up to ~1 MiB from
                                 run to run (malloc's per-thread arenas,
                                 HDF5's caches), ~10% of a Chengdu worker */

static const char *const DEFAULT_REGIONS[] = {"gangbei", "neijiang", "nanan",
                                              "guiyang", "chengdu"};

static const char USAGE[] =
    "usage: twbench [--regions a,b,..] [--reps N] [--repeat K] [--json FILE]\n"
    "               [--configs DIR] [--help]\n"
    "\n"
    "Benchmark the full model on each region's config (DIR/<region>.cfg):\n"
    "teacher-years/s per core, the HDF5 share of the run time, replicates/s\n"
    "on 1 and 2 threads, peak memory (forked children), and the floor: the\n"
    "same teacher records looped over doing only the model's random draws.\n"
    "Then the goals for chengdu, measured and marked met / NOT met.\n"
    "\n"
    "  --regions LIST  comma-separated regions (default: gangbei,neijiang,\n"
    "                  nanan,guiyang,chengdu)\n"
    "  --reps N        replicates per measurement in every region (default:\n"
    "                  12 million teacher-years / (teachers * simulated\n"
    "                  years), even, within 2..400; memory also uses 4N)\n"
    "  --repeat K      runs per figure, the best is kept (default 3)\n"
    "  --json FILE     write the figures there (default build/bench.json)\n"
    "  --configs DIR   the region configs (default configs)\n"
    "  --help          print this and exit\n"
    "\n"
    "Exit status: 0 when every run succeeded (goals are figures, not tests),\n"
    "1 when a run failed, 2 on bad usage.\n";

typedef struct bench_opts {
    char regions[MAX_REGIONS][NAME_MAX_LEN];
    size_t n_regions;
    size_t reps;         /* 0: derived per region */
    size_t repeat;
    const char *json;
    const char *configs;
} bench_opts;

/* Peak resident set sizes, KiB (Linux ru_maxrss). */
typedef struct bench_rss {
    long base;  /* config loaded, model built */
    long w1;    /* tw_run, 1 thread, N replicates */
    long w2;    /* 2 threads, N replicates */
    long w1_4n; /* 1 thread, 4N replicates */
    long w2_4n; /* 2 threads, 4N replicates */
} bench_rss;

/* Everything measured for one region. */
typedef struct bench_region {
    char name[NAME_MAX_LEN];
    char path[4096];
    int ok;
    size_t teachers;       /* sim->n after tw_sim_init of replicate 0 */
    size_t years;          /* recorded years; years - 1 are simulated */
    size_t reps;
    bench_rss rss;
    tw_run_stats run1;     /* best 1-thread run */
    tw_run_stats run2;     /* best 2-thread run */
    double floor_seconds;  /* best floor time (draw loops only) */
    uint64_t floor_ty;     /* teacher-years of one floor pass */
    double phase_s[TW_N_PHASES]; /* time per phase, replicates run one by
                                    one with tw_sim timing (best pass) */
    uint64_t phase_ty;     /* their teacher-years */
} bench_region;

/* Figures derived from a bench_region. */
typedef struct bench_figs {
    double rate;           /* teacher-years/s, 1 thread */
    double draws_per_ty;
    double floor_rate;
    double ratio;          /* floor rate / model rate */
    double h5_share;
    double out_cost;       /* 1 - simulation alone / the 1-thread run */
    double rps1, rps2, speedup;
    double per_worker_kib;
    double per_teacher_bytes;
    double per_worker_4n_kib; /* rss(2 threads) - rss(1 thread), at 4N */
    double growth_kib;     /* rss(4N) - rss(N), 1 thread: the writer */
    double growth_per_rep_bytes;
} bench_figs;

/* A goal and its measured value. */
typedef struct bench_goal {
    const char *name;
    const char *goal;      /* as printed, e.g. "<= 2" */
    double value;
    int met;
} bench_goal;

#define N_GOALS 5

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static double ratio_or_nan(double a, double b)
{
    return b != 0 ? a / b : NAN;
}

/* ---- command line ----------------------------------------------------- */

static int usage_error(const char *msg, const char *arg)
{
    fprintf(stderr, "twbench: %s%s%s\n%s", msg, arg ? ": " : "",
            arg ? arg : "", USAGE);
    return TW_EINPUT;
}

/* A positive integer argument; 0 when it is not one. */
static size_t parse_count(const char *s)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0' || s[0] == '-' || v == 0 ||
        v > 1000000)
        return 0;
    return (size_t)v;
}

/* Split "a,b,c" into o->regions. Returns 0, or -1 on a bad list. */
static int parse_regions(bench_opts *o, const char *list)
{
    o->n_regions = 0;
    const char *p = list;
    for (;;) {
        size_t len = strcspn(p, ",");
        if (len == 0 || len >= NAME_MAX_LEN || o->n_regions == MAX_REGIONS ||
            memchr(p, '/', len) != NULL)
            return -1;
        memcpy(o->regions[o->n_regions], p, len);
        o->regions[o->n_regions++][len] = '\0';
        if (p[len] == '\0')
            return 0;
        p += len + 1;
    }
}

/* Parse argv into o. Returns -1 to go on, or an exit status. */
static int parse_args(int argc, char **argv, bench_opts *o)
{
    static const struct option longopts[] = {
        {"regions", required_argument, NULL, 'r'},
        {"reps", required_argument, NULL, 'n'},
        {"repeat", required_argument, NULL, 'k'},
        {"json", required_argument, NULL, 'j'},
        {"configs", required_argument, NULL, 'c'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    memset(o, 0, sizeof *o);
    o->repeat = 3;
    o->json = "build/bench.json";
    o->configs = "configs";
    for (size_t i = 0; i < sizeof DEFAULT_REGIONS / sizeof *DEFAULT_REGIONS;
         i++)
        snprintf(o->regions[o->n_regions++], NAME_MAX_LEN, "%s",
                 DEFAULT_REGIONS[i]);
    opterr = 0;
    int ch;
    /* the leading ':' makes a missing argument ':' and an unknown option '?' */
    while ((ch = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
        switch (ch) {
        case 'r':
            if (parse_regions(o, optarg) != 0)
                return usage_error("bad --regions list", optarg);
            break;
        case 'n':
            if ((o->reps = parse_count(optarg)) == 0)
                return usage_error("--reps needs a positive integer", optarg);
            break;
        case 'k':
            if ((o->repeat = parse_count(optarg)) == 0)
                return usage_error("--repeat needs a positive integer",
                                   optarg);
            break;
        case 'j':
            o->json = optarg;
            break;
        case 'c':
            o->configs = optarg;
            break;
        case 'h':
            fputs(USAGE, stdout);
            return 0;
        case ':':
            return usage_error("an option lacks its argument",
                               argv[optind - 1]);
        default:
            return usage_error("unknown option", argv[optind - 1]);
        }
    }
    if (optind < argc)
        return usage_error("unexpected argument", argv[optind]);
    return -1;
}

/* ---- machine ---------------------------------------------------------- */

typedef struct bench_machine {
    long cpus;             /* CPUs this process may use, like nproc(1) */
    char cpu[256];         /* model name from /proc/cpuinfo */
    double load[3];
} bench_machine;

static void machine_read(bench_machine *mc)
{
    cpu_set_t set;
    mc->cpus = sched_getaffinity(0, sizeof set, &set) == 0
                   ? CPU_COUNT(&set)
                   : sysconf(_SC_NPROCESSORS_ONLN);
    snprintf(mc->cpu, sizeof mc->cpu, "unknown");
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (f != NULL) {
        char line[512];
        while (fgets(line, sizeof line, f) != NULL) {
            char *colon = strchr(line, ':');
            if (strncmp(line, "model name", 10) != 0 || colon == NULL)
                continue;
            colon += 1 + strspn(colon + 1, " \t");
            colon[strcspn(colon, "\n")] = '\0';
            snprintf(mc->cpu, sizeof mc->cpu, "%s", colon);
            break;
        }
        fclose(f);
    }
    if (getloadavg(mc->load, 3) != 3)
        mc->load[0] = mc->load[1] = mc->load[2] = NAN;
}

/* ---- configs ---------------------------------------------------------- */

/* Load a region's config with `reps` replicates (0: as in the file). */
/* The region's config as written: its uncertain settings' ranges are
 * left out (their cost per replicate is bench/uncertainty.sh's), so that
 * the figures are the model's and stay comparable across versions. */
static int load_config(const char *path, size_t reps, tw_config **cfg,
                       tw_error *err)
{
    char set[64];
    const char *sets[2] = {"uncertainty.settings=()", set};
    snprintf(set, sizeof set, "simulation.replicates=%zu", reps);
    return tw_config_load(path, sets, reps > 0 ? 2 : 1, cfg, err);
}

/* The region's initial teachers (replicate 0) and recorded years. */
static int probe_region(bench_region *r, tw_error *err)
{
    tw_config *cfg = NULL;
    int rc = load_config(r->path, 0, &cfg, err);
    if (rc != TW_OK)
        return rc;
    tw_sim *sim = NULL;
    if (cfg->world == NULL)
        rc = tw_error_set(err, TW_EINPUT, "%s: twbench needs a full-mode "
                          "config (simulation.mode = \"full\")", r->path);
    else if ((sim = tw_sim_alloc(cfg->world)) == NULL)
        rc = tw_error_set(err, TW_EFAIL, "out of memory");
    else
        rc = tw_sim_init(sim, cfg->seed, 0, 0, err);
    if (rc == TW_OK) {
        r->teachers = sim->n;
        r->years = tw_config_n_years(cfg);
        if (r->years < 2 || r->teachers == 0)
            rc = tw_error_set(err, TW_EINPUT, "%s: no teacher-years to "
                              "simulate", r->path);
    }
    tw_sim_free(sim);
    tw_config_free(cfg);
    return rc;
}

static size_t derive_reps(size_t teachers, size_t years)
{
    double per_rep = (double)teachers * (double)(years - 1);
    double n = ceil(TARGET_TEACHER_YEARS / per_rep);
    size_t reps = n > REPS_MAX ? REPS_MAX : n < REPS_MIN ? REPS_MIN
                                                         : (size_t)n;
    return reps + reps % 2;
}

/* ---- memory: forked children ------------------------------------------ */

/* What a memory child does after loading its config. */
typedef enum { CHILD_MODEL_ONLY, CHILD_RUN } child_kind;

/* In the child: load, then build the model or run; never returns. */
static void child_main(const char *cfg_path, const char *out_path,
                       child_kind kind, size_t reps, size_t threads)
{
    tw_error err;
    tw_error_clear(&err);
    tw_config *cfg = NULL;
    int rc = load_config(cfg_path, reps, &cfg, &err);
    if (rc == TW_OK && kind == CHILD_MODEL_ONLY) {
        tw_model m;
        rc = tw_model_init(&m, cfg, &err);
        if (rc == TW_OK)
            tw_model_free(&m);
    } else if (rc == TW_OK) {
        tw_run_opts o = {.out_path = out_path, .threads = threads};
        rc = tw_run(cfg, &o, NULL, &err);
    }
    if (rc != TW_OK)
        fprintf(stderr, "twbench: %s\n", err.msg);
    _exit(rc == TW_OK ? 0 : 1);
}

/* Peak RSS (KiB) of a child doing `kind`; -1 when it failed. */
static long child_rss(const char *cfg_path, const char *out_path,
                      child_kind kind, size_t reps, size_t threads)
{
#ifdef __GLIBC__
    malloc_trim(0); /* hand freed pages back before the child shares them */
#endif
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        fprintf(stderr, "twbench: fork: %s\n", strerror(errno));
        return -1;
    }
    if (pid == 0)
        child_main(cfg_path, out_path, kind, reps, threads);
    int status;
    struct rusage ru;
    pid_t got;
    while ((got = wait4(pid, &status, 0, &ru)) < 0 && errno == EINTR)
        ;
    if (out_path != NULL)
        unlink(out_path);
    if (got != pid) {
        fprintf(stderr, "twbench: wait4: %s\n", strerror(errno));
        return -1;
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        return -1;
    return ru.ru_maxrss;
}

static int measure_memory(bench_region *r, const char *out_path)
{
    size_t n = r->reps;
    r->rss.base = child_rss(r->path, NULL, CHILD_MODEL_ONLY, n, 1);
    r->rss.w1 = child_rss(r->path, out_path, CHILD_RUN, n, 1);
    r->rss.w2 = child_rss(r->path, out_path, CHILD_RUN, n, 2);
    r->rss.w1_4n = child_rss(r->path, out_path, CHILD_RUN, 4 * n, 1);
    r->rss.w2_4n = child_rss(r->path, out_path, CHILD_RUN, 4 * n, 2);
    if (r->rss.base < 0 || r->rss.w1 < 0 || r->rss.w2 < 0 ||
        r->rss.w1_4n < 0 || r->rss.w2_4n < 0) {
        fprintf(stderr, "twbench: %s: a memory child failed\n", r->name);
        return TW_EFAIL;
    }
    return TW_OK;
}

/* ---- model runs ------------------------------------------------------- */

/* The fastest of `repeat` runs on 1 thread into *best1 and on 2 threads
 * into *best2, alternating, so that a busy spell of the machine slows
 * both rather than one. */
static int best_runs(const tw_config *cfg, const char *out_path,
                     size_t repeat, tw_run_stats *best1,
                     tw_run_stats *best2, tw_error *err)
{
    for (size_t i = 0; i < repeat; i++) {
        for (size_t threads = 1; threads <= 2; threads++) {
            tw_run_opts o = {.out_path = out_path, .threads = threads};
            tw_run_stats st, *best = threads == 1 ? best1 : best2;
            int rc = tw_run(cfg, &o, &st, err);
            unlink(out_path);
            if (rc != TW_OK)
                return rc;
            if (i == 0 || st.seconds < best->seconds)
                *best = st;
        }
    }
    return TW_OK;
}

/* ---- the floor -------------------------------------------------------- */

/*
 * One floor pass: for each replicate, the initial teachers of tw_sim_init
 * (not timed), then for each simulated year a loop over them that draws,
 * on average, `d` numbers per teacher and compares each with a value read
 * from the record, as the processes do. The population does not change,
 * so its teacher-years are reps * teachers * simulated years. Adds the
 * time of the loops to *seconds and their teacher-years to *ty.
 */
static int floor_pass(tw_sim *sim, uint64_t seed, size_t reps, size_t years,
                      double d, double *seconds, uint64_t *ty,
                      volatile double *sink, tw_error *err)
{
    for (size_t rep = 0; rep < reps; rep++) {
        int rc = tw_sim_init(sim, seed, 0, rep, err);
        if (rc != TW_OK)
            return rc;
        double t0 = now();
        double budget = 0;
        uint64_t acc = 0;
        const uint8_t *tier = sim->T.tier;
        for (size_t t = 1; t < years; t++) {
            for (size_t k = 0; k < sim->n; k++) {
                budget += d;
                while (budget >= 1) {
                    double u = tw_rng_u01(sim->rng);
                    acc += u < 0.01 * (tier[k] + 1);
                    budget -= 1;
                }
            }
        }
        *seconds += now() - t0;
        *sink += (double)acc;
        *ty += (uint64_t)sim->n * (years - 1);
    }
    return TW_OK;
}

static int measure_floor(const tw_config *cfg, bench_region *r,
                         size_t repeat, tw_error *err)
{
    double d = ratio_or_nan((double)r->run1.draws,
                            (double)r->run1.teacher_years);
    if (!(d >= 0))
        return tw_error_set(err, TW_EFAIL, "%s: the model run counted no "
                            "teacher-years", r->name);
    tw_sim *sim = tw_sim_alloc(cfg->world);
    if (sim == NULL)
        return tw_error_set(err, TW_EFAIL, "out of memory");
    volatile double sink = 0;
    int rc = TW_OK;
    for (size_t i = 0; rc == TW_OK && i < repeat; i++) {
        double s = 0;
        uint64_t ty = 0;
        rc = floor_pass(sim, cfg->seed, r->reps, r->years, d, &s, &ty, &sink,
                        err);
        if (rc == TW_OK && (i == 0 || s < r->floor_seconds)) {
            r->floor_seconds = s;
            r->floor_ty = ty;
        }
    }
    tw_sim_free(sim);
    return rc;
}

/* ---- the phases -------------------------------------------------------- */

/* Run the region's replicates one by one with the phase timing on; keep
 * the pass with the smallest total. */
static int measure_phases(const tw_config *cfg, bench_region *r,
                          size_t repeat, tw_error *err)
{
    tw_sim *sim = tw_sim_alloc(cfg->world);
    if (sim == NULL)
        return tw_error_set(err, TW_EFAIL, "out of memory");
    int rc = TW_OK;
    double best = 0;
    for (size_t i = 0; rc == TW_OK && i < repeat; i++) {
        memset(sim->seconds, 0, sizeof sim->seconds);
        sim->timing = 1;
        uint64_t ty = 0;
        for (size_t rep = 0; rc == TW_OK && rep < r->reps; rep++) {
            rc = tw_sim_init(sim, cfg->seed, 0, rep, err);
            for (size_t t = 1; rc == TW_OK && t < r->years; t++) {
                ty += sim->n;
                rc = tw_sim_step(sim, t, err);
            }
        }
        double total = 0;
        for (int ph = 0; ph < TW_N_PHASES; ph++)
            total += sim->seconds[ph];
        if (rc == TW_OK && (i == 0 || total < best)) {
            best = total;
            memcpy(r->phase_s, sim->seconds, sizeof r->phase_s);
            r->phase_ty = ty;
        }
    }
    tw_sim_free(sim);
    return rc;
}

/* The model and floor timings of one region (memory is measured before). */
static int measure_speed(bench_region *r, const char *out_path,
                         size_t repeat, tw_error *err)
{
    tw_config *cfg = NULL;
    int rc = load_config(r->path, r->reps, &cfg, err);
    if (rc == TW_OK)
        rc = best_runs(cfg, out_path, repeat, &r->run1, &r->run2, err);
    if (rc == TW_OK)
        rc = measure_floor(cfg, r, repeat, err);
    if (rc == TW_OK)
        rc = measure_phases(cfg, r, repeat, err);
    tw_config_free(cfg);
    return rc;
}

/* ---- figures and output ----------------------------------------------- */

static bench_figs figures(const bench_region *r)
{
    bench_figs f;
    f.rate = ratio_or_nan((double)r->run1.teacher_years, r->run1.seconds);
    f.draws_per_ty = ratio_or_nan((double)r->run1.draws,
                                  (double)r->run1.teacher_years);
    f.floor_rate = ratio_or_nan((double)r->floor_ty, r->floor_seconds);
    f.ratio = ratio_or_nan(f.floor_rate, f.rate);
    f.h5_share = ratio_or_nan(r->run1.h5_seconds, r->run1.seconds);
    double sim = 0;
    for (int ph = 0; ph < TW_N_PHASES; ph++)
        sim += r->phase_s[ph];
    f.out_cost = 1.0 - ratio_or_nan(sim * (double)r->run1.teacher_years,
                                    (double)r->phase_ty * r->run1.seconds);
    f.rps1 = ratio_or_nan((double)r->reps, r->run1.seconds);
    f.rps2 = ratio_or_nan((double)r->reps, r->run2.seconds);
    f.speedup = ratio_or_nan(f.rps2, f.rps1);
    f.per_worker_kib = (double)(r->rss.w2 - r->rss.w1);
    f.per_teacher_bytes = ratio_or_nan(f.per_worker_kib * 1024.0,
                                       (double)r->teachers);
    f.per_worker_4n_kib = (double)(r->rss.w2_4n - r->rss.w1_4n);
    f.growth_kib = (double)(r->rss.w1_4n - r->rss.w1);
    f.growth_per_rep_bytes = ratio_or_nan(f.growth_kib * 1024.0,
                                          3.0 * (double)r->reps);
    return f;
}

static void print_header(void)
{
    printf("\n%-9s %8s %5s %4s %7s %6s %7s %6s %5s %7s %7s %6s  "
           "%-34s %7s %6s %7s\n",
           "", "initial", "", "", "model", "draws", "floor", "model", "HDF5",
           "reps/s", "reps/s", "speed", "peak RSS MiB", "MiB per", "B per",
           "B per");
    printf("%-9s %8s %5s %4s %7s %6s %7s %6s %5s %7s %7s %6s  "
           "%-34s %7s %6s %7s\n",
           "region", "teachers", "years", "reps", "MTY/s", "per TY", "MTY/s",
           "xfloor", "share", "1 thr", "2 thr", "up",
           "base / 1w / 2w / 1w 4N / 2w 4N",
           "worker", "teach.", "rep 4N");
}

static void print_row(const bench_region *r, const bench_figs *f)
{
    char rss[64];
    snprintf(rss, sizeof rss, "%.1f / %.1f / %.1f / %.1f / %.1f",
             r->rss.base / 1024.0, r->rss.w1 / 1024.0, r->rss.w2 / 1024.0,
             r->rss.w1_4n / 1024.0, r->rss.w2_4n / 1024.0);
    printf("%-9s %8zu %5zu %4zu %7.2f %6.2f %7.2f %5.2fx %4.1f%% %7.2f "
           "%7.2f %5.2fx  %-34s %7.2f %6.1f %7.0f\n",
           r->name, r->teachers, r->years, r->reps, f->rate / 1e6,
           f->draws_per_ty, f->floor_rate / 1e6, f->ratio,
           100.0 * f->h5_share, f->rps1, f->rps2, f->speedup, rss,
           f->per_worker_kib / 1024.0, f->per_teacher_bytes,
           f->growth_per_rep_bytes);
}

/* Where the time goes: ns per teacher-year by phase, one row a region. */
static void print_phases(const bench_region *regs, size_t n)
{
    printf("\nwhere the time goes (ns per teacher-year, replicates run one "
           "by one, no output):\n%-9s", "region");
    for (int ph = 0; ph < TW_N_PHASES; ph++)
        printf(" %8s", tw_phase_names[ph]);
    printf(" %8s %8s\n", "total", "floor");
    for (size_t i = 0; i < n; i++) {
        const bench_region *r = &regs[i];
        if (!r->ok || r->phase_ty == 0)
            continue;
        double total = 0, ty = (double)r->phase_ty;
        printf("%-9s", r->name);
        for (int ph = 0; ph < TW_N_PHASES; ph++) {
            printf(" %8.1f", 1e9 * r->phase_s[ph] / ty);
            total += r->phase_s[ph];
        }
        printf(" %8.1f %8.1f\n", 1e9 * total / ty,
               1e9 * r->floor_seconds / (double)r->floor_ty);
    }
}

static void print_legend(size_t repeat)
{
    printf("\n"
        "  model MTY/s   million teacher-years/s, 1 thread (teachers at the "
        "start of each\n"
        "                simulated year, summed / wall time of tw_run, HDF5 "
        "output included)\n"
        "  draws per TY  32-bit random words drawn per teacher-year by the "
        "model (D)\n"
        "  floor MTY/s   the same teacher records looped over each simulated"
        " year drawing\n"
        "                only D numbers per teacher-year (the loops timed, "
        "not tw_sim_init)\n"
        "  model xfloor  floor rate / model rate: the model is that many "
        "times the floor\n"
        "  HDF5 share    time in HDF5 calls / wall time, of the best 1-thread"
        " run\n"
        "  peak RSS      ru_maxrss of forked children: config + model only;"
        " tw_run with\n"
        "                1 and 2 threads, N replicates; 1 and 2 threads, 4N "
        "replicates\n"
        "  MiB per worker  rss(2 threads) - rss(1 thread); B per teacher: "
        "that / initial\n"
        "                teachers (sim->n after tw_sim_init of replicate 0)\n"
        "  B per rep 4N  (rss(4N) - rss(N)) / 3N: memory that grows with the"
        " replicates\n"
        "  every time is the best of %zu runs; reps/s and speedup come from "
        "the same runs\n", repeat);
}

/* The goals, from Chengdu's figures. */
static void goals_eval(const bench_figs *f, bench_goal g[N_GOALS])
{
    double change = ratio_or_nan(fabs(f->per_worker_4n_kib -
                                      f->per_worker_kib),
                                 f->per_worker_kib);
    g[0] = (bench_goal){"memory per teacher per worker (bytes)", "<= 32",
                        f->per_teacher_bytes,
                        f->per_teacher_bytes <= GOAL_MEM_TEACHER};
    g[1] = (bench_goal){"model time / floor time", "<= 2", f->ratio,
                        f->ratio <= GOAL_FLOOR_RATIO};
    g[2] = (bench_goal){"2-worker speedup", ">= 1.9", f->speedup,
                        f->speedup >= GOAL_SPEEDUP};
    g[3] = (bench_goal){"HDF5 share of run time", "< 0.05", f->h5_share,
                        f->h5_share < GOAL_H5_SHARE};
    g[4] = (bench_goal){"worker memory change, N to 4N replicates", "<= 0.15",
                        change, change <= GOAL_MEM_GROWTH};
}

static void print_goals(const bench_region *r, const bench_figs *f,
                        const bench_goal g[N_GOALS])
{
    printf("\ngoals (%s, %zu replicates, %zu initial teachers):\n", r->name,
           r->reps, r->teachers);
    printf("  %-40s %8.1f B   goal <= %.0f B    %s\n", g[0].name,
           g[0].value, GOAL_MEM_TEACHER, g[0].met ? "met" : "NOT met");
    printf("  %-40s %8.2f x   goal <= %.0f x     %s\n", g[1].name,
           g[1].value, GOAL_FLOOR_RATIO, g[1].met ? "met" : "NOT met");
    printf("  %-40s %8.2f x   goal >= %.1f x   %s\n", g[2].name,
           g[2].value, GOAL_SPEEDUP, g[2].met ? "met" : "NOT met");
    printf("  %-40s %8.1f %%   goal < %.0f %%     %s\n", g[3].name,
           100.0 * g[3].value, 100.0 * GOAL_H5_SHARE,
           g[3].met ? "met" : "NOT met");
    printf("    HDF5 runs on the writing thread while the workers simulate; "
           "what the run\n    loses to everything but simulation (output, "
           "summaries, set-up) is %.1f %%:\n    1 - (the phases' time) / "
           "(the 1-thread run's time)\n", 100.0 * f->out_cost);
    printf("  %-40s %8.1f %%   goal <= %.0f %%    %s\n", g[4].name,
           100.0 * g[4].value, 100.0 * GOAL_MEM_GROWTH,
           g[4].met ? "met" : "NOT met");
    printf("    memory per worker: %.0f KiB at %zu replicates, %.0f KiB at "
           "%zu (%.0f B per teacher)\n", f->per_worker_kib, r->reps,
           f->per_worker_4n_kib, 4 * r->reps, f->per_teacher_bytes);
    printf("    the writer (1 thread) grows by %.0f KiB from %zu to %zu "
           "replicates: its\n    read-back block of replicates x years x "
           "metrics x 8 bytes, capped at 32 MiB\n", f->growth_kib, r->reps,
           4 * r->reps);
}

/* ---- JSON ------------------------------------------------------------- */

static void json_str(FILE *f, const char *s)
{
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(f, "\\%c", *p);
        else if (*p < 0x20)
            fprintf(f, "\\u%04x", *p);
        else
            fputc(*p, f);
    }
    fputc('"', f);
}

/* A number, or null when it is not finite (JSON has no NaN). */
static void json_num(FILE *f, double v)
{
    if (isfinite(v))
        fprintf(f, "%.6g", v);
    else
        fputs("null", f);
}

static void json_region(FILE *f, const bench_region *r, const bench_figs *g)
{
    fputs("    {\"region\": ", f);
    json_str(f, r->name);
    fprintf(f, ", \"teachers\": %zu, \"years\": %zu, \"reps\": %zu,\n",
            r->teachers, r->years, r->reps);
    const struct {
        const char *key;
        double v;
    } nums[] = {
        {"teacher_years_per_s", g->rate},
        {"draws_per_teacher_year", g->draws_per_ty},
        {"floor_teacher_years_per_s", g->floor_rate},
        {"model_over_floor", g->ratio},
        {"h5_share", g->h5_share},
        {"non_simulation_share", g->out_cost},
        {"reps_per_s_1", g->rps1},
        {"reps_per_s_2", g->rps2},
        {"speedup_2", g->speedup},
    };
    for (size_t i = 0; i < sizeof nums / sizeof *nums; i++) {
        fprintf(f, "%s\"%s\": ", i == 0 ? "     " : " ", nums[i].key);
        json_num(f, nums[i].v);
        fputs(",", f);
    }
    fprintf(f, "\n     \"rss_kib\": {\"base\": %ld, \"w1\": %ld, \"w2\": %ld, "
            "\"w1_4n\": %ld, \"w2_4n\": %ld},\n", r->rss.base, r->rss.w1,
            r->rss.w2, r->rss.w1_4n, r->rss.w2_4n);
    fputs("     \"mem_per_worker_kib\": ", f);
    json_num(f, g->per_worker_kib);
    fputs(", \"mem_per_worker_4n_kib\": ", f);
    json_num(f, g->per_worker_4n_kib);
    fputs(", \"mem_per_teacher_bytes\": ", f);
    json_num(f, g->per_teacher_bytes);
    fputs(", \"mem_growth_per_rep_bytes\": ", f);
    json_num(f, g->growth_per_rep_bytes);
    fputs(",\n     \"ns_per_teacher_year\": {", f);
    for (int ph = 0; ph < TW_N_PHASES; ph++) {
        fprintf(f, "%s\"%s\": ", ph ? ", " : "", tw_phase_names[ph]);
        json_num(f, ratio_or_nan(1e9 * r->phase_s[ph], (double)r->phase_ty));
    }
    fputs("}", f);
    fputs("}", f);
}

static int write_json(const char *path, const bench_machine *mc,
                      const bench_region *regs, size_t n_regs,
                      const bench_goal *goals, size_t n_goals)
{
    FILE *f = fopen(path, "w");
    if (f == NULL) {
        fprintf(stderr, "twbench: %s: %s\n", path, strerror(errno));
        return TW_EFAIL;
    }
    fprintf(f, "{\n  \"machine\": {\"nproc\": %ld, \"cpu\": ", mc->cpus);
    json_str(f, mc->cpu);
    fputs(", \"loadavg\": [", f);
    for (int i = 0; i < 3; i++) {
        json_num(f, mc->load[i]);
        fputs(i < 2 ? ", " : "]},\n", f);
    }
    fputs("  \"version\": ", f);
    json_str(f, tw_version());
    fputs(",\n  \"commit\": ", f);
    json_str(f, tw_git_commit());
    fputs(",\n  \"regions\": [\n", f);
    size_t written = 0;
    for (size_t i = 0; i < n_regs; i++) {
        if (!regs[i].ok)
            continue;
        bench_figs g = figures(&regs[i]);
        fputs(written++ ? ",\n" : "", f);
        json_region(f, &regs[i], &g);
    }
    fputs("\n  ],\n  \"goals\": [", f);
    for (size_t i = 0; i < n_goals; i++) {
        fputs(i ? ",\n    {\"name\": " : "\n    {\"name\": ", f);
        json_str(f, goals[i].name);
        fputs(", \"value\": ", f);
        json_num(f, goals[i].value);
        fputs(", \"goal\": ", f);
        json_str(f, goals[i].goal);
        fprintf(f, ", \"met\": %s}", goals[i].met ? "true" : "false");
    }
    fputs(n_goals ? "\n  ]\n}\n" : "]\n}\n", f);
    int bad = ferror(f);
    if (fclose(f) != 0 || bad) {
        fprintf(stderr, "twbench: %s: write failed\n", path);
        return TW_EFAIL;
    }
    return TW_OK;
}

/* ---- main ------------------------------------------------------------- */

static void print_machine(const bench_machine *mc)
{
    printf("machine: %ld CPUs (%s); load average %.2f %.2f %.2f\n", mc->cpus,
           mc->cpu, mc->load[0], mc->load[1], mc->load[2]);
    printf("twsim:   %s (commit %s)\n", tw_version(), tw_git_commit());
}

/* Check that every region's config exists; 0 or a usage error. */
static int regions_init(const bench_opts *o, bench_region *regs)
{
    for (size_t i = 0; i < o->n_regions; i++) {
        bench_region *r = &regs[i];
        memset(r, 0, sizeof *r);
        snprintf(r->name, sizeof r->name, "%s", o->regions[i]);
        int len = snprintf(r->path, sizeof r->path, "%s/%s.cfg", o->configs,
                           r->name);
        if (len < 0 || (size_t)len >= sizeof r->path)
            return usage_error("config path too long", r->name);
        if (access(r->path, R_OK) != 0)
            return usage_error("no such region config", r->path);
    }
    return 0;
}

/*
 * Phase 1, every region before any timing run: the teacher count, the
 * replicates, and the memory children, forked while this process has run
 * nothing yet. Phase 2: the timings. A region that fails is reported and
 * skipped; the others go on.
 */
static int run_all(const bench_opts *o, bench_region *regs, const char *out)
{
    int fail = 0;
    tw_error err;
    for (size_t i = 0; i < o->n_regions; i++) {
        bench_region *r = &regs[i];
        tw_error_clear(&err);
        fprintf(stderr, "twbench: %s: memory\n", r->name);
        if (probe_region(r, &err) != TW_OK) {
            fprintf(stderr, "twbench: %s\n", err.msg);
            fail = 1;
            continue;
        }
        r->reps = o->reps ? o->reps : derive_reps(r->teachers, r->years);
        if (measure_memory(r, out) != TW_OK) {
            fail = 1;
            continue;
        }
        r->ok = 1;
    }
    for (size_t i = 0; i < o->n_regions; i++) {
        bench_region *r = &regs[i];
        if (!r->ok)
            continue;
        tw_error_clear(&err);
        fprintf(stderr, "twbench: %s: %zu replicates, 1 and 2 threads, "
                "floor, best of %zu\n", r->name, r->reps, o->repeat);
        if (measure_speed(r, out, o->repeat, &err) != TW_OK) {
            fprintf(stderr, "twbench: %s: %s\n", r->name, err.msg);
            unlink(out);
            r->ok = 0;
            fail = 1;
        }
    }
    return fail;
}

int main(int argc, char **argv)
{
    static bench_opts o;
    int rc = parse_args(argc, argv, &o);
    if (rc >= 0)
        return rc;
    static bench_region regs[MAX_REGIONS];
    if ((rc = regions_init(&o, regs)) != 0)
        return rc;

    char dir[] = "/tmp/twbench-XXXXXX";
    if (mkdtemp(dir) == NULL) {
        fprintf(stderr, "twbench: mkdtemp: %s\n", strerror(errno));
        return TW_EFAIL;
    }
    char out[sizeof dir + 16];
    snprintf(out, sizeof out, "%s/out.h5", dir);

    bench_machine mc;
    machine_read(&mc);
    print_machine(&mc);
    fflush(stdout);

    int fail = run_all(&o, regs, out);
    if (rmdir(dir) != 0)
        fprintf(stderr, "twbench: rmdir %s: %s\n", dir, strerror(errno));

    print_header();
    const bench_region *goal_region = NULL;
    for (size_t i = 0; i < o.n_regions; i++) {
        if (!regs[i].ok)
            continue;
        bench_figs f = figures(&regs[i]);
        print_row(&regs[i], &f);
        if (strcmp(regs[i].name, GOAL_REGION) == 0)
            goal_region = &regs[i];
    }
    print_phases(regs, o.n_regions);
    print_legend(o.repeat);

    bench_goal goals[N_GOALS];
    size_t n_goals = 0;
    if (goal_region != NULL) {
        bench_figs f = figures(goal_region);
        goals_eval(&f, goals);
        n_goals = N_GOALS;
        print_goals(goal_region, &f, goals);
    } else {
        printf("\ngoals: %s was not measured\n", GOAL_REGION);
    }
    if (write_json(o.json, &mc, regs, o.n_regions, goals, n_goals) != TW_OK)
        fail = 1;
    else
        printf("\nwrote %s\n", o.json);
    return fail ? TW_EFAIL : 0;
}
