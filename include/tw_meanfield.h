/*
 * tw_meanfield.h - the mean-field mode (MODEL.md section 4, end): expected
 * values propagated deterministically, in the same metric layout as a
 * replicate (docs/meanfield.md).
 *
 *   Markov mode   E[n(t+1)] = E[n(t)] P + E[R(t)] e_entry, exactly.
 *   Full mode     a cohort (cell) model of expected counts: groups of
 *                 (stage, locality) x service classes, with the attributes
 *                 that the processes use jointly held jointly, and the
 *                 others factorised; every process of tw_sim_step, in its
 *                 order, as expected flows. Exact where no cap, rounding
 *                 or pooling interaction acts; an approximation elsewhere.
 *
 * The result depends only on the config: no random numbers are drawn.
 */
#ifndef TW_MEANFIELD_H
#define TW_MEANFIELD_H

#include "tw_error.h"
#include "tw_model.h"

/* Internal consistency of a full-mode mean-field run (for the tests). */
typedef struct tw_mf_diag {
    double max_imbalance; /* max over years and (stage, locality) groups of
                             |school-level stock - cell stock| / max(1, cell
                             stock): the two views must agree */
    double min_cell;      /* most negative cell mass seen (0 when none) */
} tw_mf_diag;

/*
 * Fill traj (tw_model_traj_len(m) doubles, caller-owned) with the
 * mean-field trajectory of model m: row 0 the base year, row t the end of
 * year base_year + t, every metric of m->metrics filled. Shares are ratios
 * of expected counts. Deterministic: two calls give bitwise identical
 * rows. diag may be NULL. Returns TW_OK, or TW_EFAIL (memory) with err set.
 */
int tw_meanfield_run(const tw_model *m, double *traj, tw_mf_diag *diag,
                     tw_error *err);

#endif /* TW_MEANFIELD_H */
