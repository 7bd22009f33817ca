/*
 * tw_uncertain.h - parameter uncertainty: the parameter points of an
 * ensemble over a config's uncertain settings, and the parameters of each
 * replicate.
 *
 * A config's `uncertainty` gives some numeric settings a distribution
 * (tw_uncertain in tw_config.h). An ensemble of R replicates runs at
 * N = ceil(R / per_point) parameter points, per_point replicates each:
 * replicate r at point r / per_point. The points are a space-filling
 * design (tw_design.h) drawn once from a stream of their own, so that the
 * model's streams (tw_rng.h) stay those of the plain config, every
 * scenario sees the same points (common random numbers), and no draw
 * depends on the thread or rank.
 *
 * A setting's value reaches the model as one or more "assignments",
 * path=value as for --set: its key (every element of a list for
 * LIST[*]), and with `rest` the element of the same share array that
 * takes up the difference. The parameters of a point are the config's,
 * with each assignment applied by the loader (tw_config_load_point).
 *
 * Loading a config per replicate would cost as much as a small replicate,
 * so tw_unc_build finds where each assignment lands in the model's
 * parameter blocks (tw_param_blocks): it loads the config at probe points
 * (every setting at its central value; then each setting alone at both
 * ends of its range), compares the blocks byte by byte with the plain
 * config's, and matches every changed value to an assignment's value.
 * Patching the plain blocks at those slots must then reproduce every
 * probe's blocks bitwise; if it does not (a value the loader transforms,
 * e.g. years into months), every point is loaded whole instead (slow,
 * named by tw_unc.slow_key). The probes also check each range: an end the
 * loader rejects is an error naming the setting's file:line.
 */
#ifndef TW_UNCERTAIN_H
#define TW_UNCERTAIN_H

#include <pthread.h>
#include <stddef.h>

#include "tw_config.h"
#include "tw_design.h"
#include "tw_error.h"
#include "tw_h5.h"
#include "tw_model.h"
#include "tw_targets.h"

typedef struct tw_unc {
    const tw_config *cfg;   /* borrowed */
    size_t n_set;           /* cfg->n_unc */
    size_t n_points, per_point;
    tw_dist *dist;          /* [n_set], with the key's valid range */
    double *central;        /* [n_set] tw_dist_central */
    double *u;              /* [n_points][n_set] the unit design */
    double *values;         /* [n_points][n_set] each setting's value */

    size_t n_assign;
    char **assign_key;      /* [n_assign] "population.stages[0].tiers[1]" */
    int *assign_int;        /* [n_assign] 1: a whole number */
    double *assign;         /* [n_points][n_assign] */
    double *assign_central; /* [n_assign] */

    tw_var_slot *slots;
    size_t n_slots;
    const char *slow_key;   /* NULL, or the first setting whose values the
                               slots cannot follow (every point is then
                               loaded whole) */
    tw_variation var;       /* for tw_model_set_variation */

    /* loading points whole: a few recent points' configs */
    pthread_mutex_t lock;
    int have_lock;
    tw_config *cache[8];
    size_t cache_point[8];
    size_t cache_next;
    size_t loads;           /* points loaded whole so far */
} tw_unc;

/*
 * Build the points of an ensemble of `reps` replicates of cfg (which has
 * cfg->n_unc > 0) and the slots; probe loads check every range. With
 * reps == 0 only the assignments and the central values are made. On
 * failure (TW_EINPUT naming the setting's file:line, or TW_EFAIL) u is
 * left for tw_unc_free.
 */
int tw_unc_build(tw_unc *u, const tw_config *cfg, size_t reps,
                 tw_error *err);
void tw_unc_free(tw_unc *u);

/* cfg at the central point: every uncertain setting at its central value
 * (the report's "P(met) at the central values"). */
int tw_unc_central_config(const tw_unc *u, tw_config **out, tw_error *err);

/*
 * What each of the nt targets' verdicts rests on (docs/sensitivity.md),
 * from the replicates' quantities tq and met flags [reps][nt] and the
 * targets' results over the whole ensemble (tres); central: the results
 * of the central run (NULL: none). Written to h as /uncertainty and
 * /sensitivity (tw_h5_write_unc).
 */
int tw_unc_write(const tw_unc *u, const tw_target *t, size_t nt,
                 const double *tq, const unsigned char *tmet,
                 const tw_target_result *tres,
                 const tw_target_result *central, size_t central_reps,
                 tw_h5_out *h, tw_error *err);

/* The verdict of P(met) = p at confidence c (tw_target_verdict's rule). */
const char *tw_unc_verdict(double p, double c);

/* cfg at the central point, without building the points (no probes). */
int tw_unc_load_central(const tw_config *cfg, tw_config **out,
                        tw_error *err);

/* "key=value" of assignment k with value v, into buf. */
const char *tw_unc_assignment(const tw_unc *u, size_t k, double v,
                              char *buf, size_t cap);

#endif /* TW_UNCERTAIN_H */
