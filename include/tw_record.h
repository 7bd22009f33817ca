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

/* A by-stage metric has a column per slot: the stages, then the stage
 * groups of the world (tw_stage_group), whose values are pooled over their
 * stages: counts sum, shares and ratios are the pooled numerator over the
 * pooled denominator. */
#define TW_FM_SLOTS (TW_N_STAGES + TW_MAX_STAGE_GROUPS)

/* The column of every metric; TW_NO_METRIC for an absent stage. */
typedef struct tw_fm {
    size_t total, stage[TW_FM_SLOTS], stage_loc[TW_FM_SLOTS][TW_N_LOCS];
    size_t tier[TW_WORLD_MAX_TIERS], backbone_plus;
    size_t title[TW_N_TITLES], title_share[TW_N_TITLES];
    size_t qual[TW_FM_SLOTS][TW_N_QUALS];
    size_t qual_assoc_share[TW_FM_SLOTS], qual_bach_share[TW_FM_SLOTS],
        qual_pg_share[TW_FM_SLOTS];
    size_t bianzhi, contract, pool, prof, dual, dual_share;
    size_t age[TW_N_AGE_BANDS], female_share;
    size_t hires_total, hires_ch[TW_N_HIRE_CHANNELS], hires_stage[TW_FM_SLOTS],
        hires_cum;
    size_t exits_total, exits_reason[TW_N_EXITS], exits_stage[TW_FM_SLOTS];
    size_t prom_tier[TW_WORLD_MAX_TIERS], prom_title[TW_N_TITLES];
    size_t title_demotions;     /* only when some year demotes */
    size_t qual_upgrades, dual_certs, strikes[3];
    size_t exch[TW_N_LOCS], exch_returns, transfers;
    size_t rehire_in, rehire_cross, pool_entries;
    size_t unfilled_total, unfilled[TW_FM_SLOTS];
    size_t students[TW_FM_SLOTS], demand[TW_FM_SLOTS], spt[TW_FM_SLOTS];
    size_t gap_total, gap[TW_FM_SLOTS][TW_N_LOCS];
    size_t schools_ok_share, backbone_rural_share;
    size_t est_cap, est_used;
    /* by stage (home school's), and hires by locality */
    size_t tier_stage[TW_FM_SLOTS][TW_WORLD_MAX_TIERS];
    size_t title_stage[TW_FM_SLOTS][TW_N_TITLES];
    size_t bianzhi_stage[TW_FM_SLOTS], contract_stage[TW_FM_SLOTS];
    size_t est_cap_stage[TW_FM_SLOTS], est_used_stage[TW_FM_SLOTS];
    size_t est_room_stage[TW_FM_SLOTS], est_room;
    size_t hires_loc[TW_N_LOCS], hires_ch_loc[TW_N_HIRE_CHANNELS][TW_N_LOCS];
    /* channels with a training pipeline in some year and county only */
    size_t pipe_students[TW_N_HIRE_CHANNELS], pipe_grads[TW_N_HIRE_CHANNELS],
        pipe_placed[TW_N_HIRE_CHANNELS];
    /* closures (撤并): only when the config lists some */
    size_t schools_open[TW_N_STAGES], closures, close_moved;
    /* subjects: only when the config has some */
    size_t subj_teachers[TW_MAX_SUBJECTS], subj_short[TW_MAX_SUBJECTS],
        subj_without[TW_MAX_SUBJECTS];
    size_t subj_retrained;      /* only where some year and county has a
                                   转岗 probability above 0 */
    size_t demand_load;         /* only with a teaching-load basis */
    int backbone_tier;          /* from the base year's parameters */
    int stage_present[TW_FM_SLOTS]; /* a stage with schools; a group */
    int slot_mask[TW_FM_SLOTS];     /* bit s: the slot holds stage s */
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

/*
 * The same row for each county c of the region, from its tally
 * (s->ctally[c]), its flows (s->cf[c]), its schools and its 编制 cap:
 * county c's row is rows + c * stride. hires_cum[c] carries county c's
 * cumulative hires. Count metrics of the county rows sum to the region's
 * row; shares and ratios are the county's own. With subjects, call it
 * after tw_fm_record of the same year, which counts them (s->subj_n).
 */
void tw_fm_record_counties(const tw_fm *fm, const tw_sim *s, double *rows,
                           size_t stride, double *hires_cum);

/* The stock counts behind the stock metrics: whole numbers in a
 * replicate, expected values in the mean-field model (tw_meanfield.h). */
typedef struct tw_fm_stock {
    double stage[TW_N_STAGES];               /* by home stage */
    double sloc[TW_N_STAGES][TW_N_LOCS];     /* x locality taught at */
    double posted[TW_N_STAGES];              /* not in the pool */
    double qual[TW_N_STAGES][TW_N_QUALS];
    double tier[TW_WORLD_MAX_TIERS], title[TW_N_TITLES];
    double tier_st[TW_N_STAGES][TW_WORLD_MAX_TIERS];
    double title_st[TW_N_STAGES][TW_N_TITLES];
    double bianzhi_st[TW_N_STAGES];          /* 在编, by home stage */
    double age[TW_N_AGE_BANDS];
    double bianzhi, pool, prof, dual, female;
    double backbone, backbone_rural;         /* tier >= fm->backbone_tier */
} tw_fm_stock;

/* The stock metrics of row from k; returns the total of teachers. */
double tw_fm_put_stock(const tw_fm *fm, const tw_world *w,
                       const tw_fm_stock *k, double *row);

/* What the schools of a region or county add up to, for the indicator
 * metrics. */
typedef struct tw_fm_schools {
    double students[TW_N_STAGES], demand[TW_N_STAGES];
    double gap[TW_N_STAGES][TW_N_LOCS], gap_total;
    double ok, n;           /* schools meeting their demand; schools
                               (open ones) */
    double open[TW_N_STAGES];/* open schools */
    double cap;             /* the 编制 cap: the sum of the counties' caps */
} tw_fm_schools;

/* The indicator metrics of row (students, demand, ratios, gaps, 编制) from
 * the schools' sums and the stock counts k. */
void tw_fm_put_schools(const tw_fm *fm, const tw_fm_schools *sc,
                       const tw_fm_stock *k, double *row);

/* The flow metrics of row from f; *hires_cum as for tw_fm_record. */
void tw_fm_put_flows(const tw_fm *fm, const tw_world *w, const tw_flows *f,
                     double *row, double *hires_cum);

/* The pipeline stocks of row: students in each channel's programme at the
 * end of year index t, in county c (-1: the region). They follow from the
 * config alone (proc_recruit.h), the same in every replicate. */
void tw_fm_put_students(const tw_fm *fm, const tw_world *w, size_t t,
                        long c, double *row);

#endif
