/*
 * file_targets.c - targets evaluated on a run file that was read back
 * (check, compare, optimize): the region's rows from tw_h5_data, and,
 * when a target is set for a county, the county rows of the same file.
 */
#include "tw_run.h"
#include "tw_mem.h"

#include <stdlib.h>
#include <string.h>

int tw_file_targets(const tw_h5_data *d, const unsigned char *done,
                    const double *traj, size_t reps, const tw_target *t,
                    size_t nt, unsigned char *met, tw_target_result *res,
                    size_t *nc, char ***counties, tw_target_result **cres,
                    tw_error *err)
{
    size_t ny = d->n_years, nm = d->n_metrics, n = 0;
    char **names = NULL;
    double *crows = NULL, *flat = NULL;
    tw_target_result *cr = NULL;
    int rc = TW_OK, need = 0;
    for (size_t i = 0; i < nt; i++)
        need |= t[i].scope != TW_SCOPE_REGION;
    if (need && d->file_path != NULL)
        rc = tw_h5_read_county_rows(d->file_path, d->group, &n, &names,
                                    &crows, err);
    if (rc != TW_OK)
        return rc;
    const double *rows = traj;
    if (n > 0) {
        /* rows in the run's layout: each year the region's metrics, then
         * every county's (tw_model.h), for the replicates with done[] */
        size_t w = nm * (1 + n), len = ny * nm;
        flat = malloc((reps * ny * w > 0 ? reps * ny * w : 1) *
                      sizeof *flat);
        if (flat == NULL) {
            rc = tw_error_set(err, TW_EFAIL, "out of memory for the county "
                              "rows of %zu replicates", reps);
            goto out;
        }
        for (size_t r = 0, k = 0; r < d->n_reps && k < reps; r++) {
            if (done != NULL && !done[r])
                continue;
            for (size_t y = 0; y < ny; y++) {
                double *o = flat + (k * ny + y) * w;
                memcpy(o, traj + k * len + y * nm, nm * sizeof *o);
                memcpy(o + nm, crows + (r * ny + y) * n * nm,
                       n * nm * sizeof *o);
            }
            k++;
        }
        rows = flat;
    }
    if ((cr = calloc(nt * n > 0 ? nt * n : 1, sizeof *cr)) == NULL) {
        rc = tw_error_set(err, TW_EFAIL, "out of memory");
        goto out;
    }
    rc = tw_targets_on_run(t, nt, (const char *const *)d->metric_names, nm,
                           (const char *const *)names, n, d->years, ny, rows,
                           reps, met, res, cr, err);
out:
    free(crows);
    free(flat);
    if (rc == TW_OK && cres != NULL) {
        *cres = cr;
        *counties = names;
        *nc = n;
    } else {
        free(cr);
        tw_strings_free(names, n);
    }
    return rc;
}
