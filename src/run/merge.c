/*
 * merge.c - twsim merge: the slices of an ensemble into the whole run's
 * file (tw_merge.h).
 *
 *   parts (any order)   read each part's identity (tw_h5_read_part) and
 *                       check them against each other and against the
 *                       config they name: nothing is written before
 *   [uncertain settings]  the same for "<part>.central.run", merged into
 *                       "<out>.central.run" and read back for P(met) at
 *                       the central values; removed at the end, as a run
 *                       removes its central run
 *   <out>.partial       tw_h5_create from the config's own metadata, every
 *                       slice's rows copied in (tw_h5_copy_slice)
 *   <out>               tw_ens_finish, as a run or a resumed run ends
 *
 * The metadata of the merged file comes from the same tw_ens_init as a
 * run's, but for what a run takes from its command line and build (the
 * config path, text and overrides, the engine's version and commit):
 * those are the parts', so the file is the whole run's.
 */
#include "tw_merge.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "run_priv.h"
#include "tw_h5.h"
#include "tw_mem.h"
#include "tw_output.h"
#include "tw_uncertain.h"
#include "tw_version.h"

/*
 * Does part i fit part 0 (the one the others are held to)? TW_OK, or
 * TW_EINPUT naming part i and what differs.
 */
static int same_ensemble(const tw_h5_part *p, const char *const *names,
                         size_t i, tw_error *err)
{
    const tw_h5_part *a = &p[0], *b = &p[i];
    const char *what =
        b->format_version != TW_H5_FORMAT_VERSION
            ? "another file format version"
        : strcmp(b->engine_version, tw_version()) != 0
            ? "another twsim version than this one"
        : strcmp(b->git_commit, a->git_commit) != 0
            ? "another build of twsim (git_commit)"
        : b->seed != a->seed ? "another seed"
        : strcmp(b->effective, a->effective) != 0
            ? "another config (/config/effective)"
        : strcmp(b->mode, a->mode) != 0 ? "another mode"
        : b->of != a->of ? "another replicate count (simulation.replicates)"
        : b->has_counties != a->has_counties
            ? "other options (--no-counties)"
            : NULL;
    if (what == NULL && strstr(b->mode, "mean-field") != NULL)
        what = "the mean field, which has no replicates to merge";
    if (what == NULL && b->has_schools)
        what = "--schools, whose rows a slice does not keep";
    if (what == NULL)
        return TW_OK;
    if (i == 0)
        return tw_error_set(err, TW_EINPUT, "%s was run with "
                            "%s", names[i], what);
    return tw_error_set(err, TW_EINPUT, "%s does not fit %s: "
                        "it was run with %s", names[i], names[0], what);
}

/* Do the slices, sorted into order[], cover 0 .. R-1 once each? */
static int covered(const tw_h5_part *p, const char *const *names,
                   const size_t *order, size_t n, tw_error *err)
{
    size_t next = 0, prev = 0;
    for (size_t k = 0; k < n; k++) {
        const tw_h5_part *q = &p[order[k]];
        if (q->first < next)
            return tw_error_set(err, TW_EINPUT, "%s "
                                "(replicates %zu-%zu) overlaps %s "
                                "(replicates %zu-%zu)", names[order[k]],
                                q->first, q->first + q->n_reps - 1,
                                names[prev], p[prev].first,
                                p[prev].first + p[prev].n_reps - 1);
        if (q->first > next)
            return tw_error_set(err, TW_EINPUT, "replicates "
                                "%zu-%zu of %zu are in no part (the next "
                                "part, %s, starts at %zu)", next,
                                q->first - 1, q->of, names[order[k]],
                                q->first);
        next = q->first + q->n_reps;
        prev = order[k];
    }
    if (next != p[0].of)
        return tw_error_set(err, TW_EINPUT, "replicates %zu-%zu "
                            "of %zu are in no part (the last part, %s, ends "
                            "at %zu)", next, p[0].of - 1, p[0].of,
                            names[prev], next - 1);
    return TW_OK;
}

/* Is `out` one of the parts (the same file)? */
static int is_a_part(const char *out, const char *const *parts, size_t n)
{
    struct stat so, sp;
    if (stat(out, &so) != 0)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (stat(parts[i], &sp) == 0 && sp.st_dev == so.st_dev &&
            sp.st_ino == so.st_ino)
            return 1;
    return 0;
}

/* Read and check the parts: *p [n] (caller frees each), order [n] the
 * slice order. */
static int check_parts(const char *const *parts, size_t n, tw_h5_part *p,
                       size_t *order, tw_error *err)
{
    for (size_t i = 0; i < n; i++) {
        int rc = tw_h5_read_part(parts[i], &p[i], err);
        if (rc == TW_OK)
            rc = same_ensemble(p, parts, i, err);
        if (rc != TW_OK)
            return rc;
        /* into slice order (by first replicate): an insertion */
        size_t k = i;
        for (; k > 0 && p[order[k - 1]].first > p[i].first; k--)
            order[k] = order[k - 1];
        order[k] = i;
    }
    return covered(p, parts, order, n, err);
}

/*
 * The merge proper, once the parts are checked: cfg is the ensemble's
 * config (its effective text the parts'), central its central results
 * (or NULL).
 */
static int assemble(const tw_config *cfg, const char *const *parts,
                    const tw_h5_part *p, const size_t *order, size_t n,
                    const char *out, const tw_target_result *central,
                    size_t central_reps, tw_error *err)
{
    tw_run_opts ro = {.out_path = out, .force = 1,
                      .no_counties = !p[0].has_counties,
                      .central = central, .central_reps = central_reps};
    tw_ens e;
    tw_h5_out *h = NULL;
    tw_output_lock lock = TW_OUTPUT_LOCK_NONE;
    int resuming = 0, complete = 0;
    int rc = tw_ens_init(&e, cfg, &ro, err);
    if (rc != TW_OK)
        goto out;
    /* what a run takes from its command line and its build: the parts' */
    e.meta.config_path = p[0].config_path;
    e.meta.config_text = p[0].text;
    e.meta.config_by_year = p[0].by_year;
    e.meta.overrides = (const char *const *)p[0].overrides;
    e.meta.n_overrides = p[0].n_overrides;
    e.meta.engine_version = p[0].engine_version;
    e.meta.git_commit = p[0].git_commit;
    rc = tw_ens_prepare_output(&e, cfg, &ro, &lock, &resuming, &complete,
                               err);
    if (rc != TW_OK)
        goto out;
    if ((rc = tw_h5_create(out, &e.meta, &h, err)) != TW_OK)
        goto out;
    for (size_t k = 0; rc == TW_OK && k < n; k++)
        rc = tw_h5_copy_slice(h, parts[order[k]], p[order[k]].first, err);
    if (rc == TW_OK)
        rc = tw_ens_finish(&e, &h, err);
out:
    tw_h5_abort(h);
    tw_output_unlock(&lock);
    tw_ens_free(&e);
    return rc;
}

/* P(met) of every target of the central run in `file` (tw_run_opts
 * .central): *res [n_targets] (caller frees), *reps. */
static int central_results(const char *file, tw_target_result **res,
                           size_t *reps, tw_error *err)
{
    tw_h5_data *d = NULL;
    int rc = tw_h5_read(file, &d, err);
    if (rc != TW_OK)
        return rc;
    *reps = d->n_reps;
    *res = calloc(d->n_targets ? d->n_targets : 1, sizeof **res);
    if (*res == NULL)
        rc = tw_error_set(err, TW_EFAIL, "out of memory");
    else
        rc = tw_file_targets(d, NULL, d->trajectories, d->n_reps,
                             d->targets, d->n_targets, NULL, *res, NULL,
                             NULL, NULL, err);
    tw_h5_data_free(d);
    return rc;
}

/* A merged central run's files: the file and what a failed one left. */
static void drop_central(const char *file)
{
    static const char *const ext[] = { "", ".partial", ".lock" };
    for (size_t i = 0; file != NULL && i < 3; i++) {
        char *f = tw_output_with_suffix(file, ext[i]);
        if (f != NULL)
            unlink(f);
        free(f);
    }
}

int tw_merge(const char *const *parts, size_t n, const tw_merge_opts *opts,
             tw_merge_stats *stats, tw_error *err)
{
    tw_merge_stats local;
    if (stats == NULL)
        stats = &local;
    memset(stats, 0, sizeof *stats);
    tw_h5_part *p = calloc(n ? n : 1, sizeof *p);
    tw_h5_part *cp = calloc(n ? n : 1, sizeof *cp);
    size_t *order = malloc((n ? n : 1) * sizeof *order);
    size_t *corder = malloc((n ? n : 1) * sizeof *corder);
    char **cnames = calloc(n ? n : 1, sizeof *cnames);
    char *cout = NULL;
    tw_config *cfg = NULL, *cc = NULL;
    tw_target_result *central = NULL;
    size_t central_reps = 0;
    const char *out = opts->out_path;
    int rc = TW_OK;
    if (p == NULL || cp == NULL || order == NULL || corder == NULL ||
        cnames == NULL) {
        rc = tw_error_set(err, TW_EFAIL, "out of memory");
        goto out;
    }
    if (n == 0) {
        rc = tw_error_set(err, TW_EINPUT, "no part to merge");
        goto out;
    }
    /* the output first: a refusal there costs no reading */
    if (access(out, F_OK) == 0 && is_a_part(out, parts, n)) {
        rc = tw_error_set(err, TW_EINPUT, "-o %s is one of the "
                          "parts; give another file name", out);
        goto out;
    }
    if (access(out, F_OK) == 0 && !opts->force) {
        rc = tw_error_set(err, TW_EINPUT, "%s exists; give "
                          "--force to replace it, or another -o", out);
        goto out;
    }
    if ((rc = check_parts(parts, n, p, order, err)) != TW_OK)
        goto out;
    /* the config the parts name, loaded as their run loaded it */
    rc = tw_config_load(p[0].config_path,
                        (const char *const *)p[0].overrides,
                        p[0].n_overrides, &cfg, err);
    if (rc != TW_OK) {
        char first[TW_ERROR_MSG_MAX];
        snprintf(first, sizeof first, "%s", err->msg);
        rc = tw_error_set(err, TW_EINPUT, "cannot load %s, the "
                          "config of %s (run merge where the slices ran): "
                          "%s", p[0].config_path, parts[0], first);
        goto out;
    }
    if (strcmp(cfg->effective, p[0].effective) != 0) {
        rc = tw_error_set(err, TW_EINPUT, "%s has changed since "
                          "%s was run (its effective config differs from "
                          "the parts' /config/effective)", p[0].config_path,
                          parts[0]);
        goto out;
    }
    if (cfg->n_unc > 0 && !cfg->unc_fixed) {
        /* the central run's slices, beside the parts */
        for (size_t i = 0; i < n; i++) {
            if ((cnames[i] = tw_output_central_name(parts[i])) ==
                NULL) {
                rc = tw_error_set(err, TW_EFAIL, "out of memory");
                goto out;
            }
            if (access(cnames[i], F_OK) != 0) {
                rc = tw_error_set(err, TW_EINPUT, "%s has "
                                  "uncertain settings, and %s, the slice of "
                                  "its central run that `twsim run` keeps "
                                  "beside %s, is missing", p[0].config_path,
                                  cnames[i], parts[i]);
                goto out;
            }
        }
        if ((rc = check_parts((const char *const *)cnames, n, cp, corder,
                              err)) != TW_OK)
            goto out;
        if ((rc = tw_unc_load_central(cfg, &cc, err)) != TW_OK)
            goto out;
        if (strcmp(cc->effective, cp[0].effective) != 0) {
            rc = tw_error_set(err, TW_EINPUT, "%s is not the "
                              "central run of %s's config", cnames[0],
                              parts[0]);
            goto out;
        }
        if ((cout = tw_output_central_name(out)) == NULL) {
            rc = tw_error_set(err, TW_EFAIL, "out of memory");
            goto out;
        }
        rc = assemble(cc, (const char *const *)cnames, cp, corder, n, cout,
                      NULL, 0, err);
        if (rc == TW_OK)
            rc = central_results(cout, &central, &central_reps, err);
        if (rc != TW_OK)
            goto out;
        stats->central = 1;
    }
    rc = assemble(cfg, parts, p, order, n, out, central, central_reps, err);
    if (rc == TW_OK) {
        stats->parts = n;
        stats->replicates = p[0].of;
    }
out:
    drop_central(cout);
    for (size_t i = 0; p != NULL && cp != NULL && i < n; i++) {
        tw_h5_part_free(&p[i]);
        tw_h5_part_free(&cp[i]);
        if (cnames != NULL)
            free(cnames[i]);
    }
    free(p);
    free(cp);
    free(order);
    free(corder);
    free(cnames);
    free(cout);
    free(central);
    tw_config_free(cfg);
    tw_config_free(cc);
    return rc;
}
