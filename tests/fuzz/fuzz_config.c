/*
 * fuzz_config.c - libFuzzer harness for the config loader
 * (docs/robustness.md, "Fuzzing"; `make fuzz`).
 *
 * One input is a config file and, optionally, --set overrides after it:
 *
 *   <config text> [ '\0' <key=value> ]...
 *
 * The text is written to <tmp>/a/b/fuzz.cfg and loaded with
 * tw_config_load() together with the overrides, in both modes as the text
 * asks. Beside it, "national.cfg" and "../../configs/national.cfg" are the
 * national defaults, so that the seeds taken from configs/ and tests/data/
 * include what they expect.
 *
 * Besides what AddressSanitizer, UBSan and LeakSanitizer catch, the
 * harness aborts (a finding) when the loader breaks its contract
 * (tw_config.h): a status other than TW_OK / TW_EINPUT / TW_EFAIL, a
 * config returned on failure or none on success, a failure without a
 * message, or a success whose settings are out of the documented ranges.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tw_config.h"
#include "tw_error.h"

#define MAX_OVERRIDES 8

static char g_root[64], g_cfg[4096];

/* Remove the scratch directory at exit (a crash leaves it for a look). */
static void cleanup(void)
{
    static const char *const files[] = {
        "a/b/fuzz.cfg", "a/b/national.cfg", "configs/national.cfg",
        "a/b", "a", "configs", ""};
    char p[4096];
    for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
        snprintf(p, sizeof p, "%s/%s", g_root, files[i]);
        remove(p);
    }
}

static void die(const char *what)
{
    fprintf(stderr, "fuzz_config: %s\n", what);
    abort();
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    const char *national = getenv("TW_FUZZ_NATIONAL");
    if (national == NULL)
        national = TW_FUZZ_NATIONAL; /* configs/national.cfg, from make */
    char national_abs[4096];
    if (realpath(national, national_abs) == NULL)
        die("cannot find configs/national.cfg (set TW_FUZZ_NATIONAL)");
    snprintf(g_root, sizeof g_root, "/tmp/twsim-fuzz-XXXXXX");
    if (mkdtemp(g_root) == NULL)
        die("mkdtemp failed");
    atexit(cleanup);
    const char *root = g_root;
    char p[4096];
    snprintf(p, sizeof p, "%s/a", root);
    mkdir(p, 0700);
    snprintf(p, sizeof p, "%s/a/b", root);
    mkdir(p, 0700);
    snprintf(p, sizeof p, "%s/configs", root);
    mkdir(p, 0700);
    snprintf(p, sizeof p, "%s/configs/national.cfg", root);
    if (symlink(national_abs, p) != 0)
        die("symlink failed");
    snprintf(p, sizeof p, "%s/a/b/national.cfg", root);
    if (symlink(national_abs, p) != 0)
        die("symlink failed");
    snprintf(g_cfg, sizeof g_cfg, "%s/a/b/fuzz.cfg", root);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* split: the config, then NUL-separated overrides */
    const uint8_t *nul = memchr(data, '\0', size);
    size_t cfg_len = nul ? (size_t)(nul - data) : size;
    FILE *f = fopen(g_cfg, "wb");
    if (f == NULL)
        die("cannot write the input file");
    if (fwrite(data, 1, cfg_len, f) != cfg_len || fclose(f) != 0)
        die("cannot write the input file");

    char *rest = NULL;
    const char *sets[MAX_OVERRIDES];
    size_t n_sets = 0;
    if (nul != NULL) {
        size_t rlen = size - cfg_len - 1;
        rest = malloc(rlen + 1);
        if (rest == NULL)
            return 0;
        memcpy(rest, nul + 1, rlen);
        rest[rlen] = '\0';
        /* overrides are separated by the remaining NUL bytes */
        for (size_t i = 0; i <= rlen && n_sets < MAX_OVERRIDES;) {
            sets[n_sets++] = rest + i;
            i += strlen(rest + i) + 1;
        }
    }

    tw_config *cfg = (tw_config *)1;
    tw_error err;
    int rc = tw_config_load(g_cfg, sets, n_sets, &cfg, &err);
    if (rc != TW_OK && rc != TW_EINPUT && rc != TW_EFAIL)
        die("tw_config_load returned an unknown status");
    if (rc != TW_OK && (cfg != NULL || err.msg[0] == '\0'))
        die("a failure returned a config or no message");
    if (rc == TW_OK) {
        if (cfg == NULL || cfg->text == NULL || cfg->effective == NULL)
            die("a success returned no config");
        if (cfg->replicates < 1 || cfg->replicates > 10000000 ||
            cfg->end_year <= cfg->base_year || cfg->n_tiers < 1 ||
            cfg->n_tiers > TW_MAX_TIERS ||
            (cfg->mode == TW_MODE_FULL) != (cfg->world != NULL))
            die("a success returned settings out of range");
        for (size_t i = 0; i < cfg->n_tiers; i++)
            if (cfg->tier_names[i] == NULL || cfg->tier_names[i][0] == '\0')
                die("a success returned an empty tier name");
        tw_config_free(cfg);
    }
    free(rest);
    return 0;
}
