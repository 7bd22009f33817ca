/*
 * tw_record.h - the full model's metrics (MODEL.md section 5): their table
 * and the recording of one year's row from a replicate's state.
 *
 * Names are stable, dotted and lower case (docs/metrics.md lists them all
 * with units). Stage metrics exist only for the stages that have schools.
 */
#ifndef TW_RECORD_H
#define TW_RECORD_H

#include <stddef.h>

#include "tw_error.h"
#include "tw_metrics.h"
#include "tw_world.h"

#define TW_NO_METRIC ((size_t)-1)

/* The column of every metric; TW_NO_METRIC for an absent stage. */
typedef struct tw_fm {
    size_t total, stage[TW_N_STAGES], stage_loc[TW_N_STAGES][TW_N_LOCS];
    size_t tier[TW_WORLD_MAX_TIERS], backbone_plus;
    size_t title[TW_N_TITLES], title_share[TW_N_TITLES];
    size_t qual[TW_N_STAGES][TW_N_QUALS];
    size_t qual_assoc_share[TW_N_STAGES], qual_bach_share[TW_N_STAGES],
        qual_pg_share[TW_N_STAGES];
    size_t bianzhi, contract, pool, prof, dual, dual_share;
    size_t age[TW_N_AGE_BANDS], female_share;
    size_t hires_total, hires_ch[TW_N_HIRE_CHANNELS], hires_stage[TW_N_STAGES],
        hires_cum;
    size_t exits_total, exits_reason[TW_N_EXITS], exits_stage[TW_N_STAGES];
    size_t prom_tier[TW_WORLD_MAX_TIERS], prom_title[TW_N_TITLES];
    size_t qual_upgrades, dual_certs, strikes[3];
    size_t exch[TW_N_LOCS], exch_returns, transfers;
    size_t rehire_in, rehire_cross, pool_entries;
    size_t unfilled_total, unfilled[TW_N_STAGES];
    size_t students[TW_N_STAGES], demand[TW_N_STAGES], spt[TW_N_STAGES];
    size_t gap_total, gap[TW_N_STAGES][TW_N_LOCS];
    size_t schools_ok_share, backbone_rural_share;
    size_t est_cap, est_used;
    int backbone_tier;          /* from the base year's parameters */
    int stage_present[TW_N_STAGES];
} tw_fm;

/* Add every full-model metric to t and fill fm. */
int tw_fm_build(tw_fm *fm, tw_metric_table *t, const tw_world *w,
                tw_error *err);

/*
 * Fill `row` (t->n values) from the replicate's state at the end of year
 * s->t: stocks from the teacher records, flows from s->f, indicators from
 * both. *hires_cum carries the cumulative hires across years (0 at the
 * base year).
 */
void tw_fm_record(const tw_fm *fm, const tw_sim *s, double *row,
                  double *hires_cum);

#endif
