/*
 * tw_world.h - the full teacher model (MODEL.md sections 1-3): the region's
 * structure, the parameters of every process, and the state of one
 * replicate.
 *
 *   tw_world   read-only during a run: counties, schools, initial stock
 *              tables, and the parameters resolved for every year (and,
 *              for the county-level ones, every county) from the config
 *              and its policy timeline.
 *   tw_sim     one replicate in progress: the teacher records, per-school
 *              state, this year's flows, a GSL stream. One per worker,
 *              reused between replicates.
 *
 * Memory layout of the teachers (a structure of arrays, one per field,
 * in one block; no allocation per teacher-year; leavers are marked
 * TW_F_GONE and squeezed out, in order, by tw_sim_compact()):
 *
 *   T.school:  [ s0 | s1 | ... | s(n-1) | free ... cap ]   4 bytes each
 *   T.home:    [ h0 | h1 | ... | h(n-1) | free ... cap ]   4
 *   T.birth_year                                           2
 *   T.flags, T.tier, T.title, ... (17 more)                1 each
 *                                                   27 bytes a teacher
 *
 * A pass reads only the arrays it needs: the tally reads 9 of them, the
 * exit pass mostly flags, birth and home.
 *
 * Every process is a function tw_proc_<name>(tw_sim *) in src/proc_*.c;
 * tw_sim_step() calls them in the order of MODEL.md section 3.
 */
#ifndef TW_WORLD_H
#define TW_WORLD_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>

#include <gsl/gsl_rng.h>

#include "tw_error.h"
#include "tw_metrics.h"

/* ------------------------------------------------------------------ */
/* Enumerations; the name tables are in world.c (tw_*_names)           */
/* ------------------------------------------------------------------ */

typedef enum {
    TW_STAGE_PRESCHOOL,  /* 学前 */
    TW_STAGE_PRIMARY,    /* 小学 */
    TW_STAGE_JUNIOR,     /* 初中 */
    TW_STAGE_SENIOR,     /* 普高 */
    TW_STAGE_VOCATIONAL, /* 中职 */
    TW_N_STAGES
} tw_stage;

typedef enum { TW_LOC_URBAN, TW_LOC_TOWN, TW_LOC_RURAL, TW_N_LOCS } tw_locality;

typedef enum { TW_SEX_MALE, TW_SEX_FEMALE, TW_N_SEXES } tw_sex;

typedef enum {
    TW_TITLE_NONE,       /* 未定级 */
    TW_TITLE_THIRD,      /* 三级 */
    TW_TITLE_SECOND,     /* 二级 */
    TW_TITLE_FIRST,      /* 一级 */
    TW_TITLE_SENIOR,     /* 高级 */
    TW_TITLE_FULL,       /* 正高级 */
    TW_N_TITLES
} tw_title;

typedef enum {
    TW_QUAL_SECONDARY,   /* 中专及以下 */
    TW_QUAL_ASSOCIATE,   /* 专科 */
    TW_QUAL_BACHELOR,    /* 本科 */
    TW_QUAL_POSTGRAD,    /* 研究生 */
    TW_N_QUALS
} tw_qual;

typedef enum {
    TW_CH_OPEN,          /* 公开招聘 */
    TW_CH_FUNDED,        /* 公费师范生 */
    TW_CH_TEGANG,        /* 特岗 */
    TW_CH_TALENT,        /* 人才引进 */
    TW_CH_ENTERPRISE,    /* 企业引进 */
    TW_CH_CONTRACT,      /* 合同 (备案制 / 购买服务) */
    TW_CH_INITIAL,       /* in the initial stock; not a hiring channel */
    TW_N_CHANNELS
} tw_channel;
#define TW_N_HIRE_CHANNELS TW_CH_INITIAL

/* Exit reasons, for the flow counters. */
typedef enum {
    TW_EXIT_DEATH,
    TW_EXIT_RETIRE,
    TW_EXIT_VOLUNTARY,   /* includes leaving when a service obligation ends */
    TW_EXIT_DISMISS,     /* third 末位 strike */
    TW_EXIT_LUOPIN,      /* 落聘: unplaced after the training pool */
    TW_N_EXITS
} tw_exit;

/* Recruitment policies (MODEL.md section 3.8). */
typedef enum {
    TW_HIRE_FILL,        /* fill the vacancies */
    TW_HIRE_QUOTA,       /* a fixed annual quota */
    TW_HIRE_SCHEDULE,    /* a quota per year from a schedule */
    TW_HIRE_REPLACE,     /* replace a share of the year's leavers */
    TW_N_HIRE_POLICIES
} tw_hire_policy;

extern const char *const tw_stage_names[TW_N_STAGES];     /* "primary" */
extern const char *const tw_loc_names[TW_N_LOCS];         /* "rural" */
extern const char *const tw_title_names[TW_N_TITLES];     /* "senior" */
extern const char *const tw_qual_names[TW_N_QUALS];       /* "bachelor" */
extern const char *const tw_channel_names[TW_N_CHANNELS]; /* "tegang" */
extern const char *const tw_exit_names[TW_N_EXITS];       /* "retire" */
extern const char *const tw_hire_policy_names[TW_N_HIRE_POLICIES];

#define TW_WORLD_MAX_TIERS 16
#define TW_N_AGE_BANDS 10     /* <25, 25-29, ..., 60-64, 65+ */
#define TW_N_SERVICE_BANDS 5  /* service_bands gives 4 cut points */
#define TW_MAX_PROGRAMME_YEARS 10 /* a channel's programme, intake to
                                     graduation */

/* ------------------------------------------------------------------ */
/* A teacher                                                           */
/* ------------------------------------------------------------------ */

enum {
    TW_F_BIANZHI = 1u << 0, /* 在编: inside the establishment; else contract */
    TW_F_DUAL    = 1u << 1, /* 双师型 (vocational professional course only) */
    TW_F_PROF    = 1u << 2, /* teaches professional courses (vocational) */
    TW_F_POOL    = 1u << 3, /* in the 待岗培训 pool: no post, not teaching */
    TW_F_LATE    = 1u << 4, /* agreed to work past the statutory age */
    TW_F_GONE    = 1u << 5, /* left this year; removed by tw_sim_compact */
    TW_F_NEW     = 1u << 6, /* hired this year; cleared by tw_proc_age */
    TW_F_OBL_END = 1u << 7, /* the service obligation ended at the end of
                               last year: tw_proc_exit applies the channel's
                               retention probability this year, then clears
                               it (set by tw_proc_age) */
};

/*
 * The fields of a teacher, in one list (an X-macro: X(type, name)). The
 * replicate keeps one array per field (tw_teachers, a structure of
 * arrays), so that a pass streams only the fields it reads; tw_teacher is
 * the same fields as one record, for building a teacher before it is
 * appended and for reading one back whole (tw_sim_get).
 *
 *   school       where the teacher teaches now
 *   home         school holding the post (== school unless on an exchange
 *                term)
 *   birth_year
 *   birth_month  1..12
 *   sex          tw_sex
 *   tier         index into the region's ladder, 0 = lowest
 *   title        tw_title
 *   qual         tw_qual
 *   channel      tw_channel of entry
 *   flags        TW_F_*
 *   obligation   years of service obligation left
 *   service      years of service (capped at 255)
 *   at_school    years at the home school
 *   in_tier      years in the current tier
 *   in_title     years in the current title
 *   rural        years of rural (乡村) service
 *   strikes      末位 strikes so far
 *   term_left    exchange term years left; 0 = not on exchange
 *   pool_years   years spent in the training pool
 */
#define TW_TEACHER_FIELDS(X) \
    X(uint32_t, school)      \
    X(uint32_t, home)        \
    X(int16_t, birth_year)   \
    X(uint8_t, birth_month)  \
    X(uint8_t, sex)          \
    X(uint8_t, tier)         \
    X(uint8_t, title)        \
    X(uint8_t, qual)         \
    X(uint8_t, channel)      \
    X(uint8_t, flags)        \
    X(uint8_t, obligation)   \
    X(uint8_t, service)      \
    X(uint8_t, at_school)    \
    X(uint8_t, in_tier)      \
    X(uint8_t, in_title)     \
    X(uint8_t, rural)        \
    X(uint8_t, strikes)      \
    X(uint8_t, term_left)    \
    X(uint8_t, pool_years)   \
    X(uint8_t, subject)

/* One teacher as a record (a value; the replicate does not store these). */
typedef struct tw_teacher {
#define TW_X_MEMBER(type, name) type name;
    TW_TEACHER_FIELDS(TW_X_MEMBER)
#undef TW_X_MEMBER
} tw_teacher;

/* The teachers of a replicate: field f of teacher k is T->f[k]. Every
 * array has room for tw_sim.cap entries; all live in one block. */
typedef struct tw_teachers {
#define TW_X_ARRAY(type, name) type *name;
    TW_TEACHER_FIELDS(TW_X_ARRAY)
#undef TW_X_ARRAY
} tw_teachers;

/*
 * A pass reads the arrays through a local copy of s->T:
 *
 *     tw_teachers arrays = s->T, *T = &arrays;
 *
 * A store to a one-byte field (T->flags[k] |= ...) may alias any object
 * that the compiler cannot prove private; through s->T it would reload
 * every array pointer after each such store. The local copy's address
 * never escapes, so the pointers stay in registers.
 */

/* Bytes of one teacher over all the arrays (27). */
#define TW_X_SIZE(type, name) + sizeof(type)
#define TW_TEACHER_BYTES (0 TW_TEACHER_FIELDS(TW_X_SIZE))

/* ------------------------------------------------------------------ */
/* Structure                                                           */
/* ------------------------------------------------------------------ */

typedef struct tw_school {
    uint16_t county;
    uint8_t stage;        /* tw_stage */
    uint8_t locality;     /* tw_locality */
    double students0;     /* students at base_year */
} tw_school;

#define TW_NAME_MAX 96

/*
 * A school closure (撤并) of the config's `closures` list (docs/model.md
 * "Closures"): at the start of `year`, the open schools of `stage` (and
 * `locality`, `county` when >= 0) with fewer than `below` students close,
 * a `share` of them, the smallest first; or the one school `school`
 * (>= 0). Each goes into `into_school` (>= 0), or into the largest open
 * school of its county and stage in locality `into` (-1: its own), the
 * next more urban one when that has none.
 */
typedef struct tw_closure {
    int year;
    int stage, locality;  /* -1: any locality */
    int county;           /* -1: any county */
    double below, share;
    int64_t school;       /* >= 0: this school only */
    int into;             /* a tw_locality, or -1: the school's own */
    int64_t into_school;  /* >= 0: into this school */
} tw_closure;

typedef struct tw_county {
    char name[TW_NAME_MAX]; /* UTF-8 */
} tw_county;

/* Initial stock of one stage (population.stages[] in the config). */
typedef struct tw_stock {
    int present;                      /* 0: no teachers of this stage */
    int64_t count;
    double loc_share[TW_N_LOCS];      /* where they teach; sums to 1 */
    double age_share[TW_N_AGE_BANDS]; /* age band shares; sums to 1 */
    double female_share;
    double tier_share[TW_WORLD_MAX_TIERS];
    double title_share[TW_N_TITLES];
    double qual_share[TW_N_QUALS];
    double bianzhi_share;             /* share 在编 */
    double prof_share;                /* vocational: share professional course */
    double dual_share;                /* vocational: share of professional-
                                         course teachers who are 双师型 */
} tw_stock;

/* ------------------------------------------------------------------ */
/* Parameters that may change by year (region level)                  */
/* ------------------------------------------------------------------ */

#define TW_MAX_SUBJECTS 16
#define TW_SUBJECT_NAME_MAX 25 /* 24 characters of [a-z0-9_] */

typedef struct tw_params {
    /* 1. enrolment and demand */
    double enrol_trend[TW_N_STAGES][TW_N_LOCS]; /* annual growth of students */
    double enrol_index[TW_N_STAGES][TW_N_LOCS]; /* students = students0 *
                                                   index, when series_on */
    int series_on[TW_N_STAGES][TW_N_LOCS];      /* 1: use enrol_index */
    double ratio[TW_N_STAGES];       /* students per staff (编制标准) */
    double teach_share[TW_N_STAGES]; /* share of staff who teach */
    double redundancy;               /* e.g. 0.05 (003) */

    /* 2. deaths */
    int deaths_on;
    double death_rate[TW_N_AGE_BANDS]; /* annual hazard by age band */

    /* 3. retirement (2025 law): categories 0 men, 1 women "55", 2 women
     * "50". Statutory age in months = old_age + min(max_add,
     * floor(k / step) + 1) where k = months from law_start to the month the
     * old age is reached (k >= 0), else old_age. */
    int retire_on;
    int old_age_months[3];   /* 720, 660, 600 */
    int step_months[3];      /* 4, 4, 2 */
    int max_add_months[3];   /* 36, 36, 60 */
    int law_start_year, law_start_month; /* 2025, 1 */
    int female_category;     /* 1 (the "55" rule) or 2 */
    int senior_female_old_age_months; /* women with 高级+: 720, 0 = off */
    double p_early;          /* retire up to flex_months early (not before
                                the old age) */
    double p_late;           /* work up to flex_months longer */
    int flex_months;         /* 36 */

    /* 4. voluntary exit: hazard = base[stage] * loc_factor[loc] *
     * service_factor[band]; band b covers service_cut[b-1] <= years <
     * service_cut[b]. Zero while an obligation runs; retention[channel]
     * applies in the year it ends. */
    int exit_on;
    double exit_base[TW_N_STAGES];
    double exit_loc_factor[TW_N_LOCS];
    int service_cut[TW_N_SERVICE_BANDS - 1];
    double exit_service_factor[TW_N_SERVICE_BANDS];
    double retention[TW_N_CHANNELS];

    /* 6. professional development */
    int tier_on;
    int tier_min_years[TW_WORLD_MAX_TIERS]; /* [i]: years in tier i before
                                               moving to i+1 */
    double tier_prob[TW_WORLD_MAX_TIERS];   /* [i]: annual prob i -> i+1 */
    int64_t tier_capacity[TW_WORLD_MAX_TIERS]; /* [i]: max promotions into
                                                  tier i a year; -1 none */
    int64_t tier_cap[TW_WORLD_MAX_TIERS];   /* [i]: max stock of tier i,
                                               region-wide; -1 none */
    int title_on;
    int title_min_years[TW_N_TITLES];   /* [k]: years in title k before k+1 */
    int title_min_years_postgrad[TW_N_TITLES]; /* same, for 研究生 */
    double title_prob[TW_N_TITLES];     /* [k]: annual prob k -> k+1 */
    double post_cap[TW_N_TITLES];       /* [k]: max share of a school's
                                           teachers at title k; 1 = none */
    int senior_rural_years;             /* rural years needed for 高级 */
    int full_senior_service;            /* service years for 正高级 */
    int probation_years;                /* 未定级 -> 二级 (本科+) or 三级 */
    double title_none_stay[TW_N_STAGES]; /* [home stage]: annual prob
                                           that a 未定级 teacher past
                                           probation_years stays so: 1 -
                                           titles.rate_from_none(_stage);
                                           0 = the step at once (未定级 is
                                           only the probation), so that a
                                           zeroed world keeps that rule */
    double title_demotion;              /* annual prob that a holder of
                                           二级 .. 正高级 is demoted one
                                           step (003: 降级或解聘); 0 = off */
    int qual_on;
    double qual_prob[TW_N_QUALS];       /* [q]: annual prob q -> q+1 */
    int dual_on;
    double dual_prob;                   /* annual prob of 双师型 cert */

    /* subjects (config subjects.floor): each open school of a stage
     * teaching subject j wants at least subject_floor[j] teachers of it,
     * taken from its other subjects (tw_subject_demands); 0 = none */
    double subject_floor[TW_MAX_SUBJECTS];
} tw_params;

/* ------------------------------------------------------------------ */
/* Parameters that may change by year and county                      */
/* ------------------------------------------------------------------ */

typedef struct tw_channel_params {
    int on;
    int64_t cohort;          /* 公费师范生: fixed annual cohort (county);
                                with a programme: students entering */
    double share;            /* 人才引进: min share of senior-high hires;
                                other channels: unused */
    int stage_mask;          /* bit s: may hire into stage s */
    int loc_mask;            /* bit l: may hire into locality l */
    int bianzhi;             /* hires are 在编 (1) or contract (0) */
    int obligation;          /* years of service obligation */
    double age_mean, age_sd; /* age at hire, normal, clipped to 20..45 */
    double female_share[TW_N_STAGES];
    double qual_share[TW_N_QUALS];
    double dual_prob;        /* vocational professional hires: 双师型 */
    /* A training pipeline (proc_recruit.h): cohort students enter in year
     * y and graduation x cohort of them graduate in y + programme_years,
     * when the channel hires them; 0 = none, the cohort is hired in its
     * own year. intake_before[j] entered in base_year - (programme_years
     * - 1) + j (j < programme_years - 1); only the base year's values are
     * read. */
    int programme_years;
    double graduation;
    int64_t intake_before[TW_MAX_PROGRAMME_YEARS - 1];
} tw_channel_params;

typedef struct tw_county_params {
    /* 5. 末位退出 (002) */
    int strikes_on;
    double strike_share;     /* share ranked last each year */

    /* 7. rotation under 县管校聘 */
    int reform;              /* 县管校聘 active this year */
    double transfer_rate;    /* voluntary transfers a year (always on) */
    double exchange_share;   /* >= share of eligible urban/town teachers */
    double backbone_share;   /* >= share of movers at backbone_tier+ */
    int backbone_tier;       /* lowest tier counted as backbone */
    int eligible_years;      /* years at the same school */
    int exempt_age_male, exempt_age_female; /* no exchange from this age */
    int term_years;          /* 0 = permanent */
    int rehire_on;           /* competitive re-hiring (竞聘) */
    int rotate_skip;         /* bit s: exchange and 竞聘 do not apply in
                                stage s (rotation.stages; 0: every stage) */
    int exchange_per_school; /* the exchange share applies to each sending
                                school (1) or to the county (0) */
    int pool_max_years;      /* 待岗培训 up to this many years, then 落聘 */

    /* 7b. 转岗 (retraining into a short subject; subjects.retrain) */
    double retrain_prob;     /* yearly, a teacher of a subject over its
                                demand at the home school; 0 = off */
    int64_t retrain_capacity;/* at most this many a year in the county,
                                -1 = no limit */

    /* 8. recruitment */
    int hire_policy;         /* tw_hire_policy */
    int64_t quota;           /* quota / schedule value for this year */
    double replace_share;    /* TW_HIRE_REPLACE */
    double fill_prob[TW_N_LOCS];
    int cap_on;              /* hires bounded by establishment room */
    int n_order;
    int order[TW_N_HIRE_CHANNELS];           /* channels in the order tried */
    tw_channel_params ch[TW_N_HIRE_CHANNELS];
} tw_county_params;

/* ------------------------------------------------------------------ */
/* The world                                                           */
/* ------------------------------------------------------------------ */

/* A group of stages whose metrics are also recorded pooled
 * (stage_groups: 高中阶段 = senior + vocational). */
#define TW_MAX_STAGE_GROUPS 4
#define TW_STAGE_GROUP_NAME_MAX 25  /* 24 characters of [a-z0-9_] */
#define TW_STAGE_GROUP_LABEL_MAX 49 /* 48 bytes of UTF-8 */
typedef struct tw_stage_group {
    char name[TW_STAGE_GROUP_NAME_MAX];   /* in metric names */
    char label[TW_STAGE_GROUP_LABEL_MAX]; /* in metric labels */
    int mask;                             /* bit s: stage s is in it */
} tw_stage_group;

/* Subject groups (config `subjects`): class-hour shares per stage, which
 * split a school's demand, and the base-year stock's mix. n_subjects == 0
 * (no `subjects` group): one implicit subject, T.subject stays 0, nothing
 * is drawn or recorded for subjects. TW_MAX_SUBJECTS is defined above
 * tw_params. */

typedef struct tw_world {
    int base_year, end_year;
    size_t n_years;               /* end_year - base_year + 1 */
    size_t n_tiers;
    char tier_names[TW_WORLD_MAX_TIERS][TW_NAME_MAX];
    tw_script script;             /* region.script: the metric labels' */
    size_t n_counties;
    tw_county *counties;          /* [n_counties], owned */
    size_t n_schools;
    tw_school *schools;           /* [n_schools], owned; grouped by county */
    tw_stock stock[TW_N_STAGES];
    size_t n_stage_groups;
    tw_stage_group stage_groups[TW_MAX_STAGE_GROUPS];
    size_t n_subjects;            /* 0: no subjects configured */
    char subject_names[TW_MAX_SUBJECTS][TW_SUBJECT_NAME_MAX];
    double subject_share[TW_N_STAGES][TW_MAX_SUBJECTS]; /* sum 1 a stage */
    double subject_stock[TW_N_STAGES][TW_MAX_SUBJECTS]; /* base-year mix */
    /* The teaching-load basis of a stage's subject demand (subjects.periods,
     * .load, .class_size; tw_subject_demands): bit s of subject_load_mask
     * when stage s has all three, else the ratio demand is split. */
    int subject_load_mask;
    double subject_periods[TW_N_STAGES];    /* weekly periods per class */
    double subject_load[TW_N_STAGES];       /* weekly periods per teacher */
    double subject_class_size[TW_N_STAGES]; /* pupils per class */
    int64_t tier_target_backbone; /* unused by processes; metrics helper */
    /* Parameters in force in year base_year + t (t = 1 .. n_years-1;
     * entry 0 is the base year's and is used for the initial population). */
    tw_params *params;            /* [n_years], owned */
    tw_county_params *cparams;    /* [n_years * n_counties], owned */
    size_t n_closures;            /* 0: no school ever closes */
    tw_closure *closures;         /* [n_closures], in config order; owned
                                     unless closures_borrowed */
    int closures_borrowed;
} tw_world;

static inline const tw_params *tw_world_params(const tw_world *w, size_t t)
{
    return &w->params[t];
}

static inline const tw_county_params *tw_world_cparams(const tw_world *w,
                                                       size_t t, size_t c)
{
    return &w->cparams[t * w->n_counties + c];
}

/* Allocate a world with room for the given sizes; every parameter zero.
 * Free with tw_world_free. NULL when memory runs out. */
tw_world *tw_world_alloc(size_t n_years, size_t n_counties, size_t n_schools);
void tw_world_free(tw_world *w);

/* ------------------------------------------------------------------ */
/* Flows of one year                                                   */
/* ------------------------------------------------------------------ */

typedef struct tw_flows {
    double hires[TW_N_HIRE_CHANNELS][TW_N_STAGES];
    double exits[TW_N_EXITS][TW_N_STAGES];
    double tier_promotions[TW_WORLD_MAX_TIERS]; /* into tier i */
    double title_promotions[TW_N_TITLES];       /* into title k */
    double title_demotions;                     /* one step down */
    double qual_upgrades;
    double dual_certs;
    double strikes[3];           /* first, second, third strikes given */
    double exchanges[TW_N_LOCS]; /* exchange moves out of locality l (to
                                    rural schools) this year */
    double exchange_returns;     /* teachers back home after a term */
    double transfers;            /* voluntary transfers */
    double rehire_placed_in;     /* 校内竞聘 placements */
    double rehire_placed_cross;  /* 跨校竞聘 placements */
    double pool_entries;         /* into 待岗培训 */
    double unfilled[TW_N_STAGES];/* vacancies not filled this year */
    double hires_loc[TW_N_HIRE_CHANNELS][TW_N_LOCS]; /* hires by channel x
                                    locality of the school hired into */
    double graduates[TW_N_HIRE_CHANNELS]; /* a pipeline's graduates */
    double placed[TW_N_HIRE_CHANNELS];    /* of them, hired */
    double closures[TW_N_STAGES];/* schools closed (撤并) this year */
    double close_moved;          /* teachers moved by the closures */
    double retrained;            /* 转岗: teachers retrained into another
                                    subject */
} tw_flows;

/* Add v to flow `member` of tw_sim *s, region-wide (s->f) and for county
 * c (s->cf[c]). Flows are events, not teacher-years: the second add is
 * cheap. */
#define TW_FLOW_ADD(s, c, member, v)                                       \
    do {                                                                   \
        double v_ = (double)(v);                                           \
        (s)->f.member += v_;                                               \
        (s)->cf[(c)].member += v_;                                         \
    } while (0)

/* ------------------------------------------------------------------ */
/* One replicate                                                       */
/* ------------------------------------------------------------------ */

typedef struct tw_school_state {
    double students;   /* this year */
    double demand;     /* teachers wanted: students / ratio * teach_share *
                          (1 + redundancy) */
    uint32_t headcount;/* teachers teaching here (excl. pool); kept current
                          by tw_sim_count_heads() */
} tw_school_state;

/* Counts of the teachers not gone at the end of a year (or at the start,
 * after tw_sim_init), for the metrics (tw_record.h); kept by the pass
 * that ends the year, so recording needs no pass of its own. Each teacher
 * adds to five compound counts (fewer increments than one per metric);
 * the record derives the totals by summing over the other keys. */
enum {
    TW_TF_BIANZHI = 1, /* tw_tally.flags index bits */
    TW_TF_FEMALE = 2,
    TW_TF_PROF = 4,
    TW_TF_DUAL = 8,    /* 双师型 professional-course teacher */
    TW_N_TALLY_FLAGS = 16
};

typedef struct tw_tally {
    /* home school's stage x locality of the school taught at x
     * qualification x in the pool (1) or not (0) */
    uint32_t sq[TW_N_STAGES][TW_N_LOCS][TW_N_QUALS][2];
    /* home stage x tier x teaching rurally (1) */
    uint32_t tier[TW_N_STAGES][TW_WORLD_MAX_TIERS][2];
    uint32_t title[TW_N_STAGES][TW_N_TITLES];    /* home stage x title */
    uint32_t age[TW_N_AGE_BANDS];                /* age at 1 July */
    uint32_t flags[TW_N_STAGES][TW_N_TALLY_FLAGS]; /* home stage x TW_TF_* */
} tw_tally;

/* *to += *from, count by count. */
void tw_tally_sum(tw_tally *to, const tw_tally *from);

/* The phases of a replicate, for the time breakdown (tw_sim.timing). */
typedef enum {
    TW_PH_INIT,      /* tw_sim_init: the initial population */
    TW_PH_DEMAND,    /* 1 */
    TW_PH_LEAVE,     /* 2-4 */
    TW_PH_STRIKES,   /* 5 */
    TW_PH_DEVELOP,   /* 6 */
    TW_PH_ROTATE,    /* 7 */
    TW_PH_COMPACT,   /* dropping the leavers' records */
    TW_PH_RECRUIT,   /* 8 */
    TW_PH_AGE,       /* 9, with the headcounts and the tally */
    TW_N_PHASES
} tw_phase;

extern const char *const tw_phase_names[TW_N_PHASES];

typedef struct tw_sim {
    const tw_world *w;
    gsl_rng *rng;          /* the replicate's stream, owned */
    size_t t;              /* year index being simulated, 1 .. n_years-1 */
    int year;              /* w->base_year + t */
    tw_teachers T;         /* [n] each, capacity cap, owned */
    size_t n, cap;
    tw_school_state *S;    /* [w->n_schools], owned */
    double *county_cap;    /* [w->n_counties]: establishment cap (在编),
                              sum of demand over the county's schools */
    tw_flows f;            /* this year's flows; zeroed by tw_sim_step */
    tw_flows *cf;          /* [n_counties]: the same by county (of the home
                              school, or of the school hired into);
                              zeroed by tw_sim_step, kept by TW_FLOW_ADD */
    double *county_leavers;/* [n_counties]: this year's exits by the home
                              school's county; zeroed by tw_sim_step,
                              counted by tw_sim_remove */
    /* scratch, sized by tw_sim_reserve_scratch; processes may use freely
     * within one call */
    uint32_t *idx;         /* [cap] */
    uint32_t *idx2;        /* [cap]: a second list, for tw_proc_develop */
    double *dscratch;      /* [3 * n_schools] */
    uint32_t *sscratch;    /* [n_schools * 8 + 8] */
    int64_t *place;        /* [n_schools]: teachers of each school at the
                              start; planned by the first tw_sim_init */
    tw_tally tally;        /* current after tw_sim_init and tw_sim_step */
    tw_tally *ctally;      /* [n_counties]: the same by the home school's
                              county; tally is their sum */
    uint32_t *subj_n;      /* [n_schools * TW_MAX_SUBJECTS] when the world
                              has subjects, else NULL: teachers at school
                              i (not pooled) of subject j, entry
                              i * TW_MAX_SUBJECTS + j; current within the
                              call that counts them (recruitment, record) */
    double *subj_c;        /* [n_counties * TW_MAX_SUBJECTS] likewise:
                              every employed teacher by the home school's
                              county and subject (record) */
    double *subj_d;        /* [n_schools * TW_MAX_SUBJECTS] likewise: the
                              demand of school i for subject j
                              (tw_subject_demands), filled by rotation */
    int subj_fresh;        /* 1 from the end of rotation to the end of
                              recruitment of a year: subj_n and subj_d are
                              current (rotation counted them and 转岗 and
                              recruitment keep them), so those two need
                              no count of their own */
    uint32_t *into;        /* [n_schools] when the world has closures, else
                              NULL: into[i] == i while school i is open,
                              else the open school it went into */
    int timing;            /* 1: add each phase's wall time to seconds[] */
    double seconds[TW_N_PHASES];
} tw_sim;

/* A replicate's state for world w (borrowed). NULL when memory runs out. */
tw_sim *tw_sim_alloc(const tw_world *w);
void tw_sim_free(tw_sim *s);

/* Run s's next replicates in world w (borrowed), which must have the
 * sizes of the world s was made for: a replicate's own parameters
 * (tw_model.h, tw_variation). The initial placement is planned again. */
void tw_sim_set_world(tw_sim *s, const tw_world *w);

/*
 * Teachers of each school at the start, place[i] (n_schools entries), from
 * the stock counts and each school's base-year demand: a stage's count is
 * split over localities by its shares, then over the schools of a
 * locality by demand, both by largest remainder (ties to the lower index).
 * The same in every replicate, and in the mean-field model. Returns 0, or
 * -1 when memory runs out.
 */
int tw_place_plan(const tw_world *w, const double *demand, int64_t *place);

/* Build the initial population of replicate `rep` (seeding s->rng from
 * (seed, scenario, rep)). */
int tw_sim_init(tw_sim *s, uint64_t seed, uint32_t scenario, uint64_t rep,
                tw_error *err);

/* Monotonic wall clock, in seconds. */
double tw_sim_clock(void);

/* Simulate year t (1 .. n_years-1): every process in MODEL.md order. */
int tw_sim_step(tw_sim *s, size_t t, tw_error *err);

/* Room for `need` teacher records (and the scratch sized by them) without
 * moving s->n; amortised doubling. Returns 0, or -1 when memory runs out
 * (s is unchanged then but for what was already grown). */
int tw_sim_reserve(tw_sim *s, size_t need);

/* Append teacher *x (copied) at index s->n. Returns 0, or -1 when memory
 * runs out (s unchanged). Pointers into the arrays of s->T are invalidated
 * by an append. */
int tw_sim_append(tw_sim *s, const tw_teacher *x);

/* Teacher k as a record. */
static inline tw_teacher tw_sim_get(const tw_sim *s, size_t k)
{
    tw_teacher x;
#define TW_X_GET(type, name) x.name = s->T.name[k];
    TW_TEACHER_FIELDS(TW_X_GET)
#undef TW_X_GET
    return x;
}

/* Overwrite teacher k of T (k < cap) with *x. */
static inline void tw_teachers_put(const tw_teachers *T, size_t k,
                                   const tw_teacher *x)
{
#define TW_X_PUT(type, name) T->name[k] = x->name;
    TW_TEACHER_FIELDS(TW_X_PUT)
#undef TW_X_PUT
}

/* Overwrite teacher k (< s->n) with *x. */
static inline void tw_sim_put(tw_sim *s, size_t k, const tw_teacher *x)
{
    const tw_teachers arrays = s->T; /* see "arrays" below tw_teachers */
    tw_teachers_put(&arrays, k, x);
}

/* Mark teacher k as gone for `reason` (counts the exit flow by stage). */
void tw_sim_remove(tw_sim *s, size_t k, tw_exit reason);

/* Drop the teachers marked gone, keeping the others' order. */
void tw_sim_compact(tw_sim *s);

/* Recount s->S[*].headcount (teachers not gone and not in the pool). */
void tw_sim_count_heads(tw_sim *s);

/* Recount the headcounts and s->tally, in one pass. */
void tw_sim_tally(tw_sim *s);

/* With subjects (s->subj_n not NULL): recount s->subj_n (teachers at each
 * school, not pooled, by subject) and s->subj_c (every employed teacher by
 * the home school's county and subject). src/model/subjects.c. */
void tw_subject_count(const tw_sim *s);

/* With subjects: s->subj_d of every open school from its demand this year
 * (tw_subject_demands); closed schools want nothing. */
void tw_subject_fill_demand(const tw_sim *s);

/* Classes of a school of `stage` with `students` pupils on the teaching-
 * load basis: ceil(students / class_size), at least 1 while it has pupils
 * (a teaching point of 30 pupils is one class), 0 without. */
static inline double tw_subject_classes(const tw_world *w, int stage,
                                        double students)
{
    if (!(students > 0.0))
        return 0.0;
    double c = ceil(students / w->subject_class_size[stage] - 1e-9);
    return c < 1.0 ? 1.0 : c;
}

/*
 * The demand for each subject of open school i (`students` pupils, ratio-
 * rule demand d) in year t, into out[0 .. n_subjects); docs/model.md
 * "Subjects". The base: on the teaching-load basis (the stage in
 * w->subject_load_mask) classes x weekly periods x share(stage, j) / load,
 * otherwise d x share(stage, j). Then the floors of subjects.floor: a
 * subject the stage teaches (share > 0) whose base is below its floor f_j
 * is raised to f_j; the school's total (the base's sum D: its 编制 d, or
 * its timetable) stays, so the raise is taken from its other subjects in
 * proportion to their base. Taking may bring another floored subject
 * below its floor: it is then raised too, until none is (at most
 * n_subjects rounds). Floors over the whole D share it in proportion to
 * the floors (one floor over D: that subject takes all of D). Every user
 * of a subject's demand (hires, exchange, 竞聘, 转岗, the metrics, the mean
 * field) reads it here, so that all agree.
 */
static inline void tw_subject_demands(const tw_world *w, size_t t, size_t i,
                                      double students, double d, double *out)
{
    int stage = w->schools[i].stage;
    const double *sh = w->subject_share[stage];
    const double *fl = w->params[t].subject_floor;
    size_t nj = w->n_subjects;
    double per_share = d; /* base_j = per_share x share_j */
    if (w->subject_load_mask >> stage & 1)
        per_share = tw_subject_classes(w, stage, students) *
                    w->subject_periods[stage] / w->subject_load[stage];
    unsigned raised = 0; /* bit j: j is at its floor */
    int any = 0;
    double D = 0.0;
    for (size_t j = 0; j < nj; j++) {
        out[j] = per_share * sh[j];
        D += out[j];
        any |= fl[j] > 0.0 && sh[j] > 0.0;
    }
    if (!any || !(D > 0.0))
        return;
    double f = 1.0, fsum = 0.0, rest = D; /* rest: unraised base demand */
    for (size_t round = 0; round < nj; round++) {
        int grew = 0;
        for (size_t j = 0; j < nj; j++) {
            if ((raised >> j & 1) || !(fl[j] > 0.0 && sh[j] > 0.0) ||
                !(f * per_share * sh[j] < fl[j]))
                continue;
            raised |= 1u << j;
            fsum += fl[j];
            rest -= per_share * sh[j];
            grew = 1;
        }
        if (!grew)
            break;
        if (fsum >= D) {
            f = 0.0;
            break;
        }
        /* rest >= D - fsum > 0: each raised subject's base is below its
         * floor */
        f = (D - fsum) / rest;
    }
    double over = fsum > D ? D / fsum : 1.0;
    for (size_t j = 0; j < nj; j++)
        out[j] = (raised >> j & 1) ? fl[j] * over : f * per_share * sh[j];
}

/* The subject with the largest gap dem[j] - cnt[j] among those `stage`
 * teaches (share > 0), ties to the lowest index; its gap in *gap. */
static inline size_t tw_subject_largest_gap(const tw_world *w, int stage,
                                            const double *dem,
                                            const uint32_t *cnt, double *gap)
{
    size_t best = 0;
    double best_gap = 0.0;
    int any = 0;
    for (size_t j = 0; j < w->n_subjects; j++) {
        if (!(w->subject_share[stage][j] > 0.0))
            continue;
        double g = dem[j] - (double)cnt[j];
        if (!any || g > best_gap) {
            any = 1;
            best = j;
            best_gap = g;
        }
    }
    *gap = best_gap;
    return best;
}

/* The subject a hire at a school of `stage` (ratio demand d) takes, given
 * its demand by subject dem[] (tw_subject_demands) and its teachers by
 * subject cnt[]: the largest shortfall dem - cnt among the subjects the
 * stage teaches (share > 0: a hire beyond the demand, such as a 公费师范生
 * owed a post, takes none it does not), ties to the lowest index; no draw.
 * On the teaching-load basis, once no subject is short of its timetable
 * the post the ratio still gives goes by the ratio's split, d x share -
 * cnt (docs/model.md "Subjects"). */
static inline size_t tw_subject_most_short(const tw_world *w, int stage,
                                           double d, const double *dem,
                                           const uint32_t *cnt)
{
    double g;
    size_t j = tw_subject_largest_gap(w, stage, dem, cnt, &g);
    if (g > 0.0 || !(w->subject_load_mask >> stage & 1))
        return j;
    double split[TW_MAX_SUBJECTS];
    for (size_t k = 0; k < w->n_subjects; k++)
        split[k] = d * w->subject_share[stage][k];
    return tw_subject_largest_gap(w, stage, split, cnt, &g);
}

_Static_assert((int)TW_F_BIANZHI == (int)TW_TF_BIANZHI &&
                   (int)TW_F_PROF == (int)TW_TF_PROF &&
                   (int)TW_F_DUAL << 2 == (int)TW_TF_DUAL &&
                   (int)TW_F_PROF << 1 == (int)TW_TF_DUAL,
               "tw_tally_add maps the flag bits by shifts");

/* Whether school i of s is open (never closed by a 撤并). */
static inline int tw_sim_open(const tw_sim *s, size_t i)
{
    return s->into == NULL || s->into[i] == (uint32_t)i;
}

/* Age in whole years at the middle of `year` (1 July) of a person born in
 * (birth_year, birth_month). */
static inline int tw_age_at(int birth_year, int birth_month, int year)
{
    return year - birth_year - (birth_month > 7 ? 1 : 0);
}

/* Age of teacher k of T at the middle of `year`. */
static inline int tw_age(const tw_teachers *T, size_t k, int year)
{
    return tw_age_at(T->birth_year[k], T->birth_month[k], year);
}

/* The county of teacher k's home school. */
static inline size_t tw_sim_county(const tw_sim *s, size_t k)
{
    return s->w->schools[s->T.home[k]].county;
}

/* Add teacher k of T (not gone) to tally t in `year` (the tally of the
 * county of k's home school); sch: the schools. */
static inline void tw_tally_add(tw_tally *t, const tw_school *sch,
                                const tw_teachers *T, size_t k, int year)
{
    int st = sch[T->home[k]].stage, lo = sch[T->school[k]].locality;
    t->sq[st][lo][T->qual[k]][(T->flags[k] & TW_F_POOL) != 0]++;
    t->tier[st][T->tier[k]][lo == TW_LOC_RURAL]++;
    t->title[st][T->title[k]]++;
    int a = tw_age(T, k, year);
    int band = a < 25 ? 0 : (a - 20) / 5;
    t->age[band > TW_N_AGE_BANDS - 1 ? TW_N_AGE_BANDS - 1 : band]++;
    /* TW_TF_* from TW_F_*: 在编 and professional course are at the same
     * bits (0 and 2); 双师型 (bit 1) counts at bit 3 for professional-
     * course teachers only */
    unsigned f = T->flags[k];
    t->flags[st][(f & (TW_F_BIANZHI | TW_F_PROF)) |
             (unsigned)(T->sex[k] == TW_SEX_FEMALE) << 1 |
             ((f << 2) & (f << 1) & TW_TF_DUAL)]++;
}

/* ------------------------------------------------------------------ */
/* The processes, in the order tw_sim_step calls them (MODEL.md §3)    */
/* ------------------------------------------------------------------ */

int tw_close_reset(tw_sim *s);       /* every school open (tw_sim_init);
                                        -1: no memory */
int tw_proc_close(tw_sim *s);        /* 0. closures (撤并); -1: no memory */
void tw_proc_demand(tw_sim *s);      /* 1. enrolment, demand, county caps */
void tw_proc_close_demand(tw_sim *s);/* 1. the closed schools' students and
                                        demand, after tw_proc_demand */
void tw_proc_deaths(tw_sim *s);      /* 2. */
void tw_proc_retire(tw_sim *s);      /* 3. */
void tw_proc_exit(tw_sim *s);        /* 4. voluntary exit, obligations */
void tw_proc_leave(tw_sim *s);       /* 2-4 in one pass (tw_sim_step) */
void tw_proc_strikes(tw_sim *s);     /* 5. 末位退出 */
void tw_proc_tiers(tw_sim *s);       /* 6a. */
void tw_proc_titles(tw_sim *s);      /* 6b. */
void tw_proc_quals(tw_sim *s);       /* 6c. */
void tw_proc_dual(tw_sim *s);        /* 6d. */
void tw_proc_develop(tw_sim *s);     /* 6a-d in two passes (tw_sim_step) */
void tw_proc_rotate(tw_sim *s);      /* 7. transfers / exchange / 竞聘 */
void tw_proc_retrain(tw_sim *s);     /* 7b. 转岗 (subjects.retrain) */
int tw_proc_recruit(tw_sim *s, tw_error *err); /* 8. (may allocate) */
void tw_proc_age(tw_sim *s);         /* 9. counters (not rotation terms) */
void tw_proc_age_tally(tw_sim *s);   /* 9. and tw_sim_tally, in one pass
                                        (tw_sim_step) */

/*
 * Rules every process follows:
 *  - skip records flagged TW_F_GONE (they are squeezed out only once, by
 *    tw_sim_step after rotation);
 *  - draw random numbers only from s->rng, in the order of s->T, so that a
 *    replicate is reproducible;
 *  - draw only when the event can happen (e.g. no death draw when the
 *    process is off), keeping the hot loop cheap;
 *  - count every flow in s->f.
 */

/*
 * Statutory retirement age, in months, of a person born in (year, month)
 * whose pre-2025 age is old_age_months, under the phase-in of p for
 * category cat (0 men, 1 women "55", 2 women "50"). POLICY.md:
 * k = months from law_start to the month the old age is reached; if
 * k < 0 the old age applies; else old + min(max_add, floor(k/step) + 1).
 */
int tw_retire_age_months(const tw_params *p, int cat, int old_age_months,
                         int birth_year, int birth_month);

/* Years of age (year - birth_year) below which nobody retires under p: the
 * lowest pre-2025 old age in force, in whole years. */
int tw_retire_min_years(const tw_params *p);

#endif /* TW_WORLD_H */
