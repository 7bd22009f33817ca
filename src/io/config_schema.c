/*
 * config_schema.c - every valid config key, and the check that rejects
 * unknown keys (with the nearest valid key suggested), keys of the other
 * mode, wrong types, and timeline changes to keys that cannot change.
 *
 * docs/config.md is the prose version of this table; `twsim validate
 * --schema` prints it, and the CLI tests check that docs/config.md names
 * every key.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_priv.h"
#include "tw_world.h"

#define R TV_REGION
#define C TV_COUNTY

/* The keys of one recruitment channel group. */
#define CHANNEL(ch, what)                                                  \
    {"recruitment.channels." ch, K_GROUP, M_FULL, C, what},                \
    {"recruitment.channels." ch ".enabled", K_BOOL, M_FULL, C,             \
     "required: whether the channel hires"},                               \
    {"recruitment.channels." ch ".cohort", K_INT, M_FULL, C,               \
     "optional: funded: the annual cohort per county (required); others: "  \
     "at most this many hires a year per county, -1 = no cap (default)"},  \
    {"recruitment.channels." ch ".share", K_FLOAT, M_FULL, C,              \
     "optional: talent: at least this share of senior-high hires "         \
     "(default 0)"},                                                       \
    {"recruitment.channels." ch ".stages", K_STR_ARRAY, M_FULL, C,         \
     "optional: stages it hires for (default: all)"},                      \
    {"recruitment.channels." ch ".localities", K_STR_ARRAY, M_FULL, C,     \
     "optional: localities it hires for (default: all; tegang: rural)"},   \
    {"recruitment.channels." ch ".bianzhi", K_BOOL, M_FULL, C,             \
     "required: hires are 在编 (true) or contract (false)"},               \
    {"recruitment.channels." ch ".obligation", K_INT, M_FULL, C,           \
     "required: years of service obligation (公费师范生 6, 特岗 3)"},      \
    {"recruitment.channels." ch ".age_mean", K_FLOAT, M_FULL, C,           \
     "required: mean age at hire (years)"},                                \
    {"recruitment.channels." ch ".age_sd", K_FLOAT, M_FULL, C,             \
     "required: sd of the age at hire (years; clipped to 20-45)"},         \
    {"recruitment.channels." ch ".female", K_FLOAT, M_FULL, C,             \
     "required: share of women among hires"},                              \
    {"recruitment.channels." ch ".quals", K_FLOAT_ARRAY, M_FULL, C,        \
     "required: qualification shares [secondary, associate, bachelor, "    \
     "postgraduate], sum 1"},                                              \
    {"recruitment.channels." ch ".dual_prob", K_FLOAT, M_FULL, C,          \
     "optional: vocational professional-course hires are 双师型 with "     \
     "this probability (default 0)"},                                      \
    {"recruitment.channels." ch ".programme_years", K_INT, M_FULL, C,      \
     "optional: years from intake to graduation, 1 to 10: the cohort is "  \
     "students entering a programme, hired when they graduate (default: "  \
     "none, the cohort is hired in its own year)"},                        \
    {"recruitment.channels." ch ".graduation", K_FLOAT, M_FULL, C,         \
     "optional, with programme_years: share of an intake who graduate "    \
     "(default 1)"},                                                       \
    {"recruitment.channels." ch ".intake_before", K_INT_ARRAY, M_FULL, C,  \
     "optional, with programme_years: the programme_years - 1 intakes "    \
     "before base_year that graduate after it, oldest first; base-year "   \
     "value only (default: each the base year's cohort, a full pipeline)"}

static const key_spec SCHEMA[] = {
    {"region", K_GROUP, M_BOTH, 0, "optional in markov mode: the region"},
    {"region.name", K_STRING, M_BOTH, 0,
     "optional: display name, e.g. \"港北区\""},
    {"region.script", K_STRING, M_BOTH, 0,
     "optional: \"simplified\" (default) or \"traditional\": the script "
     "of the metric labels twsim writes (\"小学 生师比\" or \"小學 生師比\"); "
     "names from the config stay as written"},
    {"region.counties", K_STR_ARRAY, M_FULL, 0,
     "required: county (县/区) names; each is a 县管校聘 pool with its own "
     "establishment"},

    {"national", K_GROUP, M_FULL, 0,
     "optional: defaults for any parameter (not structure), in the config's "
     "own layout; a key set outside it wins (configs/national.cfg)"},

    {"simulation", K_GROUP, M_BOTH, 0, "required: run settings"},
    {"simulation.mode", K_STRING, M_BOTH, 0,
     "required: \"markov\" (MODEL.md section 4) or \"full\""},
    {"simulation.base_year", K_INT, M_BOTH, 0,
     "required: first recorded year; its row is the initial stock"},
    {"simulation.end_year", K_INT, M_BOTH, 0,
     "required: last recorded year, after base_year"},
    {"simulation.replicates", K_INT, M_BOTH, 0,
     "required: replicates in the ensemble, 1 to 10000000"},
    {"simulation.seed", K_INT, M_BOTH, 0,
     "required: master random seed, a whole number >= 0"},

    {"tiers", K_GROUP, M_BOTH, R, "required: the training ladder (培养梯级)"},
    {"tiers.names", K_STR_ARRAY, M_BOTH, 0,
     "required: tier names, lowest first, 1 to 16, unique (UTF-8)"},
    {"tiers.transition", K_MATRIX, M_MARKOV, 0,
     "required in markov mode: one-year probabilities, row i = from tier i "
     "to each tier; 1 - row sum leaves"},
    {"tiers.backbone", K_STRING, M_FULL, 0,
     "required: the lowest tier counted as backbone (骨干) or above"},
    {"tiers.enabled", K_BOOL, M_FULL, R, "required: tier promotion on/off"},
    {"tiers.min_years", K_INT_ARRAY, M_FULL, R,
     "required: [i] years in tier i before moving up (one per tier but the "
     "top)"},
    {"tiers.prob", K_FLOAT_ARRAY, M_FULL, R,
     "required: [i] annual probability of moving from tier i to i+1"},
    {"tiers.capacity", K_INT_ARRAY, M_FULL, R,
     "optional: [i] at most this many promotions into tier i a year, -1 = "
     "none (default: none)"},
    {"tiers.cap", K_INT_ARRAY, M_FULL, R,
     "optional: [i] the stock of tier i may not exceed this, -1 = none "
     "(default: none)"},

    {"teachers", K_GROUP, M_MARKOV, 0, "required in markov mode"},
    {"teachers.tier_counts", K_INT_ARRAY, M_MARKOV, 0,
     "required: teachers per tier at base_year, one count per tier, >= 0"},

    {"schools", K_GROUP_LIST, M_FULL, 0,
     "required: school blocks ( { county; stage; locality; count; "
     "students; } , ... )"},
    {"schools[].name", K_STRING, M_FULL, 0, "optional: a name, for a "
     "block of one school"},
    {"schools[].county", K_STRING, M_FULL, 0, "required: a county name"},
    {"schools[].stage", K_STRING, M_FULL, 0,
     "required: preschool, primary, junior, senior or vocational"},
    {"schools[].locality", K_STRING, M_FULL, 0,
     "required: urban (城区), town (镇区) or rural (乡村)"},
    {"schools[].count", K_INT, M_FULL, 0,
     "required: number of schools in the block, >= 1"},
    {"schools[].students", K_FLOAT, M_FULL, 0,
     "required: students in the whole block at base_year"},
    {"schools[].size_spread", K_FLOAT, M_FULL, 0,
     "optional: log-sd of school sizes in the block (default 0: equal)"},

    {"closures", K_GROUP_LIST, M_FULL, 0,
     "optional: school closures and mergers (撤并) ( { year; stage; "
     "locality; county; below; share; into; } or { year; school; into; "
     "} , ... )"},
    {"closures[].year", K_INT, M_FULL, 0,
     "required: the schools close at the start of this year, base_year < "
     "year <= end_year (a closure after end_year is left out with a note, "
     "for backcasts)"},
    {"closures[].stage", K_STRING, M_FULL, 0,
     "required by size: the stage of the schools that close"},
    {"closures[].locality", K_STRING, M_FULL, 0,
     "optional: only schools of this locality (default: any)"},
    {"closures[].county", K_STRING, M_FULL, 0,
     "optional: only schools of this county (default: any)"},
    {"closures[].below", K_FLOAT, M_FULL, 0,
     "required by size: schools with fewer students than this (at the "
     "start of the year) close, > 0"},
    {"closures[].share", K_FLOAT, M_FULL, 0,
     "optional: the share of those schools that close, the smallest first, "
     "in (0, 1] (default 1)"},
    {"closures[].school", K_STRING, M_FULL, 0,
     "optional: one school closes, \"<block>#<k>\": the k-th school (from "
     "1) of the schools block named <block>, or of schools[i]"},
    {"closures[].into", K_STRING, M_FULL, 0,
     "optional: where students and teachers go: \"same\" (default), "
     "\"urban\", \"town\" or \"rural\" (the largest open school of the "
     "county and stage in that locality, else the next more urban), or a "
     "school \"<block>#<k>\""},
    {"closures[].note", K_STRING, M_FULL, 0, "optional: a comment"},
    {"closures[].source", K_STRING, M_FULL, 0,
     "optional: the document and sentence behind the closure"},

    {"enrolment", K_GROUP, M_FULL, R, "optional: how students change"},
    {"enrolment.trend", K_BY_STAGE_ARRAY, M_FULL, R,
     "optional: stage = [urban, town, rural] annual growth of students "
     "(default 0)"},
    {"enrolment.series", K_GROUP_LIST, M_FULL, 0,
     "optional: ( { stage; locality; index = [...] } ): students as a "
     "multiple of base_year's, one per recorded year"},
    {"enrolment.series[].stage", K_STRING, M_FULL, 0, "required: a stage"},
    {"enrolment.series[].locality", K_STRING, M_FULL, 0,
     "required: a locality or \"all\""},
    {"enrolment.series[].index", K_FLOAT_ARRAY, M_FULL, 0,
     "required: one multiplier per recorded year, the first 1.0"},

    {"staffing", K_GROUP, M_FULL, R, "required: the staffing standard"},
    {"staffing.ratio", K_BY_STAGE, M_FULL, R,
     "required: students per staff post (编制标准) for every stage with "
     "schools"},
    {"staffing.teach_share", K_BY_STAGE, M_FULL, R,
     "required: share of staff posts that teach, for every stage with "
     "schools"},
    {"staffing.redundancy", K_FLOAT, M_FULL, R,
     "required: extra establishment for leave and training (003: 5%)"},

    {"population", K_GROUP, M_FULL, 0, "required: the initial stock"},
    {"population.stages", K_GROUP_LIST, M_FULL, 0,
     "required: one group per stage with schools"},
    {"population.stages[].stage", K_STRING, M_FULL, 0, "required"},
    {"population.stages[].count", K_INT, M_FULL, 0,
     "required: full-time teachers at base_year"},
    {"population.stages[].locality", K_FLOAT_ARRAY, M_FULL, 0,
     "optional: shares [urban, town, rural] (default: as demand)"},
    {"population.stages[].age", K_FLOAT_ARRAY, M_FULL, 0,
     "required: shares of the age bands <25, 25-29, ..., 60-64, 65+ (10)"},
    {"population.stages[].female", K_FLOAT, M_FULL, 0,
     "required: share of women"},
    {"population.stages[].tiers", K_FLOAT_ARRAY, M_FULL, 0,
     "required: share in each tier (one per tier), sum 1"},
    {"population.stages[].titles", K_FLOAT_ARRAY, M_FULL, 0,
     "required: shares [none, third, second, first, senior, full_senior]"},
    {"population.stages[].quals", K_FLOAT_ARRAY, M_FULL, 0,
     "required: shares [secondary, associate, bachelor, postgraduate]"},
    {"population.stages[].bianzhi", K_FLOAT, M_FULL, 0,
     "required: share inside the establishment (在编)"},
    {"population.stages[].professional", K_FLOAT, M_FULL, 0,
     "vocational only, required there: share teaching professional "
     "courses"},
    {"population.stages[].dual", K_FLOAT, M_FULL, 0,
     "vocational only, required there: share of professional-course "
     "teachers who are 双师型"},

    {"population.year", K_INT, M_FULL, 0,
     "optional: the year the stock describes (default: base_year); a run "
     "from another base_year notes that the stock stands in"},
    {"population.earlier", K_GROUP_LIST, M_FULL, 0,
     "optional: stocks of earlier years ( { year; source; stages = ( ... ); "
     "} ): a run whose base_year is one of them (a backcast) starts from it"},
    {"population.earlier[].year", K_INT, M_FULL, 0,
     "required: the year the stock describes"},
    {"population.earlier[].source", K_STRING, M_FULL, 0,
     "required: where its numbers come from"},
    {"population.earlier[].stages", K_GROUP_LIST, M_FULL, 0,
     "required: as population.stages"},
    {"population.earlier[].stages[].stage", K_STRING, M_FULL, 0, "required"},
    {"population.earlier[].stages[].count", K_INT, M_FULL, 0,
     "required: full-time teachers at base_year"},
    {"population.earlier[].stages[].locality", K_FLOAT_ARRAY, M_FULL, 0,
     "optional: shares [urban, town, rural] (default: as demand)"},
    {"population.earlier[].stages[].age", K_FLOAT_ARRAY, M_FULL, 0,
     "required: shares of the age bands <25, 25-29, ..., 60-64, 65+ (10)"},
    {"population.earlier[].stages[].female", K_FLOAT, M_FULL, 0,
     "required: share of women"},
    {"population.earlier[].stages[].tiers", K_FLOAT_ARRAY, M_FULL, 0,
     "required: share in each tier (one per tier), sum 1"},
    {"population.earlier[].stages[].titles", K_FLOAT_ARRAY, M_FULL, 0,
     "required: shares [none, third, second, first, senior, full_senior]"},
    {"population.earlier[].stages[].quals", K_FLOAT_ARRAY, M_FULL, 0,
     "required: shares [secondary, associate, bachelor, postgraduate]"},
    {"population.earlier[].stages[].bianzhi", K_FLOAT, M_FULL, 0,
     "required: share inside the establishment (在编)"},
    {"population.earlier[].stages[].professional", K_FLOAT, M_FULL, 0,
     "vocational only, required there: share teaching professional "
     "courses"},
    {"population.earlier[].stages[].dual", K_FLOAT, M_FULL, 0,
     "vocational only, required there: share of professional-course "
     "teachers who are 双师型"},

    {"deaths", K_GROUP, M_FULL, R, "required: deaths and disability"},
    {"deaths.enabled", K_BOOL, M_FULL, R, "required"},
    {"deaths.rate", K_FLOAT_ARRAY, M_FULL, R,
     "required when enabled: annual hazard by age band (10 bands)"},

    {"retirement", K_GROUP, M_FULL, R, "required: the 2025 law"},
    {"retirement.enabled", K_BOOL, M_FULL, R, "required"},
    {"retirement.old_age", K_INT_ARRAY, M_FULL, R,
     "required: pre-2025 ages [men, women \"55\", women \"50\"] in years"},
    {"retirement.law_start", K_INT_ARRAY, M_FULL, R,
     "required: [year, month] the phase-in starts"},
    {"retirement.step_months", K_INT_ARRAY, M_FULL, R,
     "required: one month later every N months, per category"},
    {"retirement.max_add_months", K_INT_ARRAY, M_FULL, R,
     "required: the most months added, per category"},
    {"retirement.female_rule", K_STRING, M_FULL, R,
     "required: \"55\" or \"50\": the category of women teachers"},
    {"retirement.senior_female_age", K_INT, M_FULL, R,
     "required: women with 高级 or above may work to this age, 0 = no"},
    {"retirement.p_early", K_FLOAT, M_FULL, R,
     "required: probability of retiring up to flex_months early"},
    {"retirement.p_late", K_FLOAT, M_FULL, R,
     "required: probability of working up to flex_months longer"},
    {"retirement.flex_months", K_INT, M_FULL, R,
     "required: the flexibility in months (36)"},

    {"exit", K_GROUP, M_FULL, R, "required: voluntary exit"},
    {"exit.enabled", K_BOOL, M_FULL, R, "required"},
    {"exit.base", K_BY_STAGE, M_FULL, R,
     "required when enabled: annual hazard per stage"},
    {"exit.locality_factor", K_FLOAT_ARRAY, M_FULL, R,
     "required when enabled: multipliers [urban, town, rural]"},
    {"exit.service_cuts", K_INT_ARRAY, M_FULL, R,
     "required when enabled: 4 increasing cut points of years of service"},
    {"exit.service_factor", K_FLOAT_ARRAY, M_FULL, R,
     "required when enabled: multipliers for the 5 service bands"},
    {"exit.retention", K_BY_CHANNEL, M_FULL, R,
     "optional: probability of staying when the channel's service "
     "obligation ends (default 1)"},

    {"evaluation", K_GROUP, M_FULL, C, "required: 末位退出 (002)"},
    {"evaluation.enabled", K_BOOL, M_FULL, C, "required"},
    {"evaluation.share", K_FLOAT, M_FULL, C,
     "required when enabled: share ranked last each year"},

    {"titles", K_GROUP, M_FULL, R, "required: title (职称) promotion"},
    {"titles.enabled", K_BOOL, M_FULL, R, "required"},
    {"titles.min_years", K_INT_ARRAY, M_FULL, R,
     "required: [k] years in title k before k+1 (6 titles)"},
    {"titles.min_years_postgrad", K_INT_ARRAY, M_FULL, R,
     "required: the same for 研究生"},
    {"titles.prob", K_FLOAT_ARRAY, M_FULL, R,
     "required: [k] annual probability k -> k+1 once eligible"},
    {"titles.post_cap", K_FLOAT_ARRAY, M_FULL, R,
     "required: [k] max share of a school's teachers at title k (1 = none)"},
    {"titles.senior_rural_years", K_INT, M_FULL, R,
     "required: rural years needed for 高级 (003: 1)"},
    {"titles.full_senior_service", K_INT, M_FULL, R,
     "required: years of teaching needed for 正高级 (20)"},
    {"titles.probation_years", K_INT, M_FULL, R,
     "required: 未定级 may become 二级/三级 after this many years"},
    {"titles.rate_from_none", K_FLOAT, M_FULL, R,
     "optional: annual probability that a 未定级 teacher past the "
     "probation years becomes 二级/三级 (default 1: at once)"},
    {"titles.rate_from_none_stage", K_BY_STAGE, M_FULL, R,
     "optional: the same for the teachers of a stage (home school), "
     "replacing titles.rate_from_none there"},
    {"titles.demotion", K_FLOAT, M_FULL, R,
     "optional: annual probability that a holder of 二级 .. 正高级 fails "
     "the review and is demoted one step (003: 降级或解聘; default 0)"},

    {"quals", K_GROUP, M_FULL, R, "required: qualification upgrades"},
    {"quals.enabled", K_BOOL, M_FULL, R, "required"},
    {"quals.prob", K_FLOAT_ARRAY, M_FULL, R,
     "required when enabled: [q] annual probability q -> q+1 (4 levels)"},

    {"dual", K_GROUP, M_FULL, R, "required: 双师型 certification"},
    {"dual.enabled", K_BOOL, M_FULL, R, "required"},
    {"dual.prob", K_FLOAT, M_FULL, R,
     "required when enabled: annual probability for professional-course "
     "teachers"},

    {"rotation", K_GROUP, M_FULL, C, "required: transfers and 县管校聘"},
    {"rotation.reform", K_BOOL, M_FULL, C,
     "required: 县管校聘 exchange and 竞聘 active"},
    {"rotation.transfer_rate", K_FLOAT, M_FULL, C,
     "required: voluntary transfers a year"},
    {"rotation.share", K_FLOAT, M_FULL, C,
     "required: at least this share of eligible urban/town teachers move"},
    {"rotation.backbone_share", K_FLOAT, M_FULL, C,
     "required: at least this share of movers are backbone"},
    {"rotation.eligible_years", K_INT, M_FULL, C,
     "required: years at the same school to be eligible"},
    {"rotation.exempt_age", K_INT_ARRAY, M_FULL, C,
     "required: [men, women] no exchange from this age (0 = none)"},
    {"rotation.term_years", K_INT, M_FULL, C,
     "required: exchange term in years, 0 = permanent"},
    {"rotation.rehire", K_BOOL, M_FULL, C,
     "required: competitive re-hiring (竞聘) with the reform"},
    {"rotation.pool_max_years", K_INT, M_FULL, C,
     "required: years in the 待岗培训 pool before 落聘"},
    {"rotation.stages", K_STR_ARRAY, M_FULL, C,
     "optional: the stages where 县管校聘 (exchange and 竞聘) applies "
     "(default: every stage)"},
    {"rotation.exchange_basis", K_STRING, M_FULL, C,
     "optional: \"county\" (default: share of the county's eligible "
     "teachers) or \"school\" (share of each sending school's)"},

    {"recruitment", K_GROUP, M_BOTH, C, "required: the hiring policy"},
    {"recruitment.mode", K_STRING, M_MARKOV, 0,
     "markov: \"none\", \"replace\" (one hire per leaver) or \"quota\""},
    {"recruitment.entry_tier", K_STRING, M_MARKOV, 0,
     "markov, required unless mode is \"none\": the tier new hires enter"},
    {"recruitment.annual_quota", K_INT, M_MARKOV, 0,
     "markov, required when mode is \"quota\": hires per year, >= 0"},
    {"recruitment.policy", K_STRING, M_FULL, C,
     "required: \"fill\", \"quota\", \"schedule\" or \"replace\""},
    {"recruitment.quota", K_INT, M_FULL, C,
     "required for \"quota\": hires a year per county"},
    {"recruitment.schedule", K_INT_PAIRS, M_FULL, C,
     "required for \"schedule\": ( [year, hires], ... ) per county, every "
     "simulated year"},
    {"recruitment.replace_share", K_FLOAT, M_FULL, C,
     "required for \"replace\": share of the year's leavers replaced"},
    {"recruitment.fill_prob", K_FLOAT_ARRAY, M_FULL, C,
     "required: probability a post is filled [urban, town, rural]"},
    {"recruitment.establishment_cap", K_BOOL, M_FULL, C,
     "required: 在编 hires bounded by the establishment room"},
    {"recruitment.order", K_STR_ARRAY, M_FULL, C,
     "required: channels in the order tried"},
    {"recruitment.channels", K_GROUP, M_FULL, C,
     "required: one group per channel named in order"},
    CHANNEL("open", "公开招聘"),
    CHANNEL("funded", "公费师范生"),
    CHANNEL("tegang", "特岗"),
    CHANNEL("talent", "人才引进"),
    CHANNEL("enterprise", "企业引进"),
    CHANNEL("contract", "合同 (备案制 / 购买服务)"),

    {"stage_groups", K_GROUP_LIST, M_FULL, 0,
     "optional: ( { name; label; stages = [...]; } ): stages whose "
     "by-stage metrics are also recorded pooled, as <metric>.<name>"},
    {"stage_groups[].name", K_STRING, M_FULL, 0,
     "required: the group's part of metric names (a-z, 0-9, _; not a "
     "stage's name)"},
    {"stage_groups[].label", K_STRING, M_FULL, 0,
     "optional: its part of metric labels (e.g. 高中阶段)"},
    {"stage_groups[].stages", K_STR_ARRAY, M_FULL, 0,
     "required: the stages it pools, at least one"},

    {"subjects", K_GROUP, M_FULL, R | C,
     "optional: subject groups; each school's demand is split by the "
     "stage's class-hour shares (default: one implicit subject)"},
    {"subjects.names", K_STR_ARRAY, M_FULL, 0,
     "required: the subjects (1 to 16; a-z, 0-9, _; part of metric names)"},
    {"subjects.shares", K_BY_STAGE_ARRAY, M_FULL, 0,
     "required: per stage, each subject's share of class hours, in the "
     "order of names, sum 1; every stage with schools"},
    {"subjects.stock", K_BY_STAGE_ARRAY, M_FULL, 0,
     "optional: per stage, the base-year teachers' subject mix, sum 1 "
     "(default: the shares)"},
    {"subjects.floor", K_BY_SUBJECT, M_FULL, R,
     "optional: per subject name, the least demand of it at every open "
     "school of a stage that teaches it, taken from the school's other "
     "subjects (teachers, >= 0; default 0: none)"},
    {"subjects.retrain", K_GROUP, M_FULL, C,
     "optional: 转岗, teachers of a subject over its demand at their "
     "school retraining into its most short subject"},
    {"subjects.retrain.prob", K_FLOAT, M_FULL, C,
     "required in retrain: yearly probability for each such teacher, 0 "
     "to 1"},
    {"subjects.retrain.capacity", K_INT, M_FULL, C,
     "optional: at most this many retrainings a year per county, -1 = no "
     "limit (default)"},
    {"subjects.periods", K_BY_STAGE, M_FULL, 0,
     "optional, with load and class_size: per stage, weekly class periods "
     "per class (0-100); the stage's subject demand is then classes x "
     "periods x share / load"},
    {"subjects.load", K_BY_STAGE, M_FULL, 0,
     "optional, with periods and class_size: per stage, weekly teaching "
     "periods per full-time teacher (above 0, at most 100)"},
    {"subjects.class_size", K_BY_STAGE, M_FULL, 0,
     "optional, with periods and load: per stage, pupils per class (above "
     "0, at most 1000); classes = ceil(pupils / class_size), at least 1"},

    {"targets", K_GROUP_LIST, M_BOTH, 0,
     "optional: the plan's targets ( { name; metric; kind; op; value; "
     "year; quote; source; } , ... )"},
    {"targets[].name", K_STRING, M_BOTH, 0,
     "required: a short unique id, e.g. \"backbone_1500\""},
    {"targets[].metric", K_STRING, M_BOTH, 0,
     "required: a metric name (docs/metrics.md)"},
    {"targets[].kind", K_STRING, M_BOTH, 0,
     "required: \"level\" (the value in year), \"cumulative\" (sum of a "
     "flow over from..year), \"change\" (year minus from) or "
     "\"every_year\" (the annual change, every year from..year)"},
    {"targets[].op", K_STRING, M_BOTH, 0,
     "required: \">=\", \">\", \"<=\" or \"<\""},
    {"targets[].value", K_FLOAT, M_BOTH, 0, "required: the threshold"},
    {"targets[].year", K_INT, M_BOTH, 0,
     "required: the target year, base_year < year <= end_year"},
    {"targets[].from", K_INT, M_BOTH, 0,
     "optional: cumulative and every_year: first year (default "
     "base_year + 1); change: the reference year (default base_year)"},
    {"targets[].quote", K_STRING, M_BOTH, 0,
     "required: the sentence of the source that sets the target"},
    {"targets[].source", K_STRING, M_BOTH, 0,
     "required: the document's file name (or POLICY.md)"},
    {"targets[].national", K_BOOL, M_BOTH, 0,
     "optional: a national target applied to the region (default false)"},
    {"targets[].note", K_STRING, M_BOTH, 0,
     "optional: how the quote was turned into this target"},
    {"targets[].scope", K_STRING, M_BOTH, 0,
     "optional: \"region\" (default: the region's metric), \"county\" "
     "(one county's metric; needs county) or \"each_county\" (met only "
     "if every county meets it); county scopes need full mode"},
    {"targets[].county", K_STRING, M_BOTH, 0,
     "scope \"county\" only, required there: the county's name, one of "
     "region.counties"},

    {"scenarios", K_GROUP_LIST, M_BOTH, 0,
     "optional: named policy variants ( { name; set = [\"key=value\", ...]; "
     "} , ... ), run on common random numbers"},
    {"scenarios[].name", K_STRING, M_BOTH, 0,
     "required: a short unique name (letters, digits, _ and -), not "
     "\"base\""},
    {"scenarios[].set", K_STR_ARRAY, M_BOTH, 0,
     "required: overrides on the base config, each \"key.path=value\" as "
     "for --set"},
    {"scenarios[].note", K_STRING, M_BOTH, 0, "optional: what it tests"},

    {"costs", K_GROUP_LIST, M_BOTH, 0,
     "optional: the cost of a unit of a policy lever, for optimize over "
     "several levers ( { lever; per_unit; unit; source; } , ... )"},
    {"costs[].lever", K_STRING, M_BOTH, 0,
     "required: the config key the cost is for, as given to optimize "
     "--lever, e.g. \"recruitment.channels.open.cohort\"; once per key"},
    {"costs[].per_unit", K_FLOAT, M_BOTH, 0,
     "required: the cost of one unit of the lever (a number >= 0)"},
    {"costs[].unit", K_STRING, M_BOTH, 0,
     "required: what per_unit is in, e.g. \"万元 per county per year\""},
    {"costs[].source", K_STRING, M_BOTH, 0,
     "required: where the number comes from (a document, or "
     "\"assumption\")"},
    {"costs[].note", K_STRING, M_BOTH, 0,
     "optional: the reasoning behind the number"},

    {"uncertainty", K_GROUP, M_BOTH, 0,
     "optional: settings whose values are uncertain; each replicate runs "
     "at a parameter point drawn from their ranges (docs/config.md)"},
    {"uncertainty.design", K_STRING, M_BOTH, 0,
     "optional: \"lhs\" (Latin hypercube, the default) or \"sobol\" "
     "(at most 40 settings)"},
    {"uncertainty.per_point", K_INT, M_BOTH, 0,
     "optional: replicates run at each parameter point (default 5)"},
    {"uncertainty.settings", K_GROUP_LIST, M_BOTH, 0,
     "required in uncertainty: ( { key; uniform | triangular | normal | "
     "beta; why; } , ... )"},
    {"uncertainty.settings[].key", K_STRING, M_BOTH, 0,
     "required: a numeric setting as a lever path (as for --set, without "
     "=value), e.g. \"tiers.prob[1]\""},
    {"uncertainty.settings[].uniform", K_FLOAT_ARRAY, M_BOTH, 0,
     "one distribution: [lo, hi]"},
    {"uncertainty.settings[].triangular", K_FLOAT_ARRAY, M_BOTH, 0,
     "one distribution: [lo, mode, hi]"},
    {"uncertainty.settings[].normal", K_FLOAT_ARRAY, M_BOTH, 0,
     "one distribution: [mean, sd], truncated to the key's valid range"},
    {"uncertainty.settings[].beta", K_FLOAT_ARRAY, M_BOTH, 0,
     "one distribution: [mean, sd], on 0 to 1 (shares)"},
    {"uncertainty.settings[].rest", K_INT, M_BOTH, 0,
     "optional, for an element of a share array: the element that takes up "
     "the difference, so that the shares still sum to one"},
    {"uncertainty.settings[].why", K_STRING, M_BOTH, 0,
     "required: the source of the range, or the reasoning behind it"},

    {"timeline", K_GROUP_LIST, M_FULL, 0,
     "optional: ( { year; counties; set = { ... }; } ): settings that "
     "change from a year on"},
    {"timeline[].year", K_INT, M_FULL, 0, "required: from this year on; "
     "an entry after end_year is left out with a note (a backcast keeps "
     "the config's timeline)"},
    {"timeline[].name", K_STRING, M_FULL, 0,
     "optional: a unique name, to address a value in the entry as --set "
     "timeline.NAME.set.KEY=VALUE"},
    {"timeline[].counties", K_STR_ARRAY, M_FULL, 0,
     "optional: only in these counties (county-level sections only)"},
    {"timeline[].note", K_STRING, M_FULL, 0, "optional: why"},
    {"timeline[].set", K_GROUP, M_FULL, 0,
     "required: the settings, in the config's own structure"},
};
#define N_SCHEMA (sizeof SCHEMA / sizeof SCHEMA[0])

#undef R
#undef C

const char *tw_schema_kind_words(key_kind k)
{
    switch (k) {
    case K_GROUP: return "a group { ... }";
    case K_INT: return "a whole number";
    case K_FLOAT: return "a number";
    case K_BOOL: return "true or false";
    case K_STRING: return "a string in double quotes";
    case K_STR_ARRAY: return "an array of strings [\"a\", \"b\"]";
    case K_INT_ARRAY: return "an array of whole numbers [1, 2]";
    case K_FLOAT_ARRAY: return "an array of numbers [0.5, 1.0]";
    case K_MATRIX:
        return "a list of number arrays ( [0.5, 0.1], [0.0, 0.9] )";
    case K_GROUP_LIST: return "a list of groups ( { ... }, { ... } )";
    case K_BY_STAGE: return "a group of numbers by stage { primary = 1.0; }";
    case K_BY_STAGE_ARRAY:
        return "a group of arrays by stage { primary = [0.0, 0.0, 0.0]; }";
    case K_BY_CHANNEL:
        return "a group of numbers by channel { funded = 0.8; }";
    case K_BY_SUBJECT:
        return "a group of numbers by subject { mental_health = 1.0; }";
    case K_INT_PAIRS: return "a list of pairs ( [2021, 800], [2022, 900] )";
    }
    return "?";
}

static const char *type_words(int type)
{
    switch (type) {
    case CONFIG_TYPE_GROUP: return "a group";
    case CONFIG_TYPE_INT:
    case CONFIG_TYPE_INT64: return "a whole number";
    case CONFIG_TYPE_FLOAT: return "a decimal number";
    case CONFIG_TYPE_STRING: return "a string";
    case CONFIG_TYPE_BOOL: return "true/false";
    case CONFIG_TYPE_ARRAY: return "an array [ ]";
    case CONFIG_TYPE_LIST: return "a list ( )";
    }
    return "something else";
}

/* Members of keyed groups (staffing.ratio.primary, exit.retention.funded):
 * not in the table, but valid keys of their own. */
static const key_spec KEYED_NUM = {"", K_FLOAT, M_BOTH, 0,
                                   "a member of a keyed group"};
static const key_spec KEYED_ARRAY = {"", K_FLOAT_ARRAY, M_BOTH, 0,
                                     "a member of a keyed group"};

const key_spec *tw_schema_find(const char *path)
{
    for (size_t i = 0; i < N_SCHEMA; i++)
        if (strcmp(SCHEMA[i].path, path) == 0)
            return &SCHEMA[i];
    const char *dot = strrchr(path, '.');
    if (dot == NULL)
        return NULL;
    char parent[256];
    if ((size_t)(dot - path) >= sizeof parent)
        return NULL;
    memcpy(parent, path, (size_t)(dot - path));
    parent[dot - path] = '\0';
    const key_spec *ps = NULL;
    for (size_t i = 0; i < N_SCHEMA && ps == NULL; i++)
        if (strcmp(SCHEMA[i].path, parent) == 0)
            ps = &SCHEMA[i];
    if (ps != NULL && ps->kind == K_BY_SUBJECT)
        return &KEYED_NUM; /* any name here; the reader knows the subjects */
    if (ps == NULL || (ps->kind != K_BY_STAGE && ps->kind != K_BY_STAGE_ARRAY &&
                       ps->kind != K_BY_CHANNEL))
        return NULL;
    const char *const *names = ps->kind == K_BY_CHANNEL ? tw_channel_names
                                                        : tw_stage_names;
    size_t n = ps->kind == K_BY_CHANNEL ? TW_N_HIRE_CHANNELS : TW_N_STAGES;
    for (size_t k = 0; k < n; k++)
        if (strcmp(dot + 1, names[k]) == 0)
            return ps->kind == K_BY_STAGE_ARRAY ? &KEYED_ARRAY : &KEYED_NUM;
    return NULL;
}

int tw_schema_tv(const char *path)
{
    const key_spec *s = tw_schema_find(path);
    if (s != &KEYED_NUM && s != &KEYED_ARRAY)
        return s ? s->tv : TV_NONE;
    char parent[256];
    snprintf(parent, sizeof parent, "%.*s", (int)(strrchr(path, '.') - path),
             path);
    return tw_schema_tv(parent);
}

static const char *leaf_of(const char *path)
{
    const char *dot = strrchr(path, '.');
    return dot ? dot + 1 : path;
}

/* Does schema entry `path` sit directly in group `parent` ("" = root)? */
static bool is_child_of(const char *path, const char *parent)
{
    size_t plen = strlen(parent);
    if (plen == 0)
        return strchr(path, '.') == NULL;
    return strncmp(path, parent, plen) == 0 && path[plen] == '.' &&
           strchr(path + plen + 1, '.') == NULL;
}

/* Is `d` a close enough edit distance to suggest for a name of `len`? */
static bool close_enough(size_t d, size_t len)
{
    return d <= 2 || d * 3 <= len;
}

void tw_schema_suggest(const char *parent, const char *name, bool full,
                       char *buf, size_t cap)
{
    const key_spec *ps = NULL;
    for (size_t i = 0; i < N_SCHEMA && ps == NULL; i++)
        if (strcmp(SCHEMA[i].path, parent) == 0)
            ps = &SCHEMA[i];
    if (ps != NULL && (ps->kind == K_BY_STAGE || ps->kind == K_BY_STAGE_ARRAY ||
                       ps->kind == K_BY_CHANNEL)) {
        const char *const *names = ps->kind == K_BY_CHANNEL
                                       ? tw_channel_names : tw_stage_names;
        size_t n = ps->kind == K_BY_CHANNEL ? TW_N_HIRE_CHANNELS
                                            : TW_N_STAGES;
        size_t best_d, best = tw_nearest(name, names, n, &best_d);
        snprintf(buf, cap, " (did you mean '%s%s%s'?)", full ? parent : "",
                 full ? "." : "", names[best]);
        return;
    }
    for (size_t i = 0; i < N_SCHEMA; i++) {
        if (strcmp(leaf_of(SCHEMA[i].path), name) == 0 &&
            !is_child_of(SCHEMA[i].path, parent)) {
            snprintf(buf, cap, " (did you mean '%s'?)", SCHEMA[i].path);
            return;
        }
    }
    const char *best = NULL;
    size_t best_d = (size_t)-1;
    for (size_t i = 0; i < N_SCHEMA; i++) {
        if (!is_child_of(SCHEMA[i].path, parent))
            continue;
        size_t d = tw_levenshtein(name, leaf_of(SCHEMA[i].path));
        if (d < best_d) {
            best_d = d;
            best = leaf_of(SCHEMA[i].path);
        }
    }
    if (best != NULL && close_enough(best_d, strlen(name))) {
        snprintf(buf, cap, " (did you mean '%s%s%s'?)", full ? parent : "",
                 full && *parent ? "." : "", best);
        return;
    }
    size_t used = (size_t)snprintf(buf, cap, " (valid keys here:");
    for (size_t i = 0; i < N_SCHEMA && used < cap; i++)
        if (is_child_of(SCHEMA[i].path, parent))
            used += (size_t)snprintf(buf + used, cap - used, " %s",
                                     leaf_of(SCHEMA[i].path));
    if (used < cap)
        snprintf(buf + used, cap - used, ")");
}

/* The forms of a --set path beyond the keys themselves (config_set.c). */
static const struct {
    const char *form, *modes, *takes, *doc;
} SET_FORMS[] = {
    {"KEY[i]", "both", "an element of a number array",
     "--set, scenarios, levers: element i (from 0) of a number array key, "
     "e.g. tiers.capacity[3], enrolment.trend.primary[2]"},
    {"KEY@YEAR", "full", "the key's value",
     "--set, scenarios, levers: the value from YEAR on (base_year < YEAR "
     "<= end_year), e.g. recruitment.quota@2023, tiers.capacity[3]@2023"},
    {"county.NAME.KEY", "full", "the key's value",
     "--set, scenarios, levers: one county's value of a county-level key "
     "(evaluation, rotation, recruitment), also with [i] and @YEAR"},
    {"timeline.NAME.set.KEY", "full", "the key's value",
     "--set, scenarios, levers: a value in the timeline entry named NAME, "
     "also with [i]"},
    {"LIST[i].KEY", "both", "the key's value",
     "--set, scenarios, levers: key KEY of element i (from 0) of a list of "
     "groups of the base config, e.g. population.stages[0].female; no "
     "@YEAR, county. or timeline."},
    {"LIST[i].KEY[j]", "both", "an element of a number array",
     "--set, scenarios, levers: element j of the number array KEY of "
     "element i, e.g. population.stages[0].tiers[1]"},
    {"LIST[*].KEY", "both", "the key's value",
     "--set, scenarios, levers: KEY (or KEY[j]) of every element of the "
     "list, the same value, e.g. population.stages[*].female; [*] only for "
     "the list's element"},
};

void tw_config_print_schema(FILE *f)
{
    for (size_t i = 0; i < N_SCHEMA; i++)
        fprintf(f, "%-44s %-7s %-52s %s\n", SCHEMA[i].path,
                SCHEMA[i].modes == M_BOTH     ? "both"
                : SCHEMA[i].modes == M_MARKOV ? "markov"
                                              : "full",
                tw_schema_kind_words(SCHEMA[i].kind), SCHEMA[i].doc);
    for (size_t i = 0; i < sizeof SET_FORMS / sizeof SET_FORMS[0]; i++)
        fprintf(f, "%-44s %-7s %-52s %s\n", SET_FORMS[i].form,
                SET_FORMS[i].modes, SET_FORMS[i].takes, SET_FORMS[i].doc);
}

/* ------------------------------------------------------------------ */
/* The check                                                           */
/* ------------------------------------------------------------------ */

static bool is_int_type(int t)
{
    return t == CONFIG_TYPE_INT || t == CONFIG_TYPE_INT64;
}

static bool is_num_type(int t)
{
    return is_int_type(t) || t == CONFIG_TYPE_FLOAT;
}

static bool is_seq(int t)
{
    return t == CONFIG_TYPE_ARRAY || t == CONFIG_TYPE_LIST;
}

/* Every element of sequence s satisfies pred(type). */
static bool all_elems(const config_setting_t *s, bool (*pred)(int))
{
    for (int i = 0; i < config_setting_length(s); i++)
        if (!pred(config_setting_type(config_setting_get_elem(s, (unsigned)i))))
            return false;
    return true;
}

static bool is_str_type(int t)
{
    return t == CONFIG_TYPE_STRING;
}

static bool is_num_seq(const config_setting_t *s)
{
    return is_seq(config_setting_type(s)) && all_elems(s, is_num_type);
}

/* Does setting s have the shape `kind` asks for? (Keyed groups are checked
 * member by member in check_keyed.) */
static bool kind_ok(key_kind kind, const config_setting_t *s)
{
    int t = config_setting_type(s);
    switch (kind) {
    case K_GROUP:
    case K_BY_STAGE:
    case K_BY_STAGE_ARRAY:
    case K_BY_CHANNEL:
    case K_BY_SUBJECT: return t == CONFIG_TYPE_GROUP;
    case K_INT: return is_int_type(t);
    case K_FLOAT: return is_num_type(t);
    case K_BOOL: return t == CONFIG_TYPE_BOOL;
    case K_STRING: return t == CONFIG_TYPE_STRING;
    case K_STR_ARRAY: return is_seq(t) && all_elems(s, is_str_type);
    case K_INT_ARRAY: return is_seq(t) && all_elems(s, is_int_type);
    case K_FLOAT_ARRAY: return is_num_seq(s);
    case K_GROUP_LIST:
        if (t != CONFIG_TYPE_LIST)
            return false;
        for (int i = 0; i < config_setting_length(s); i++)
            if (config_setting_type(config_setting_get_elem(s, (unsigned)i)) !=
                CONFIG_TYPE_GROUP)
                return false;
        return true;
    case K_MATRIX:
    case K_INT_PAIRS:
        if (t != CONFIG_TYPE_LIST)
            return false;
        for (int i = 0; i < config_setting_length(s); i++) {
            const config_setting_t *row = config_setting_get_elem(s, (unsigned)i);
            if (kind == K_MATRIX ? !is_num_seq(row)
                                 : !(is_seq(config_setting_type(row)) &&
                                     all_elems(row, is_int_type) &&
                                     config_setting_length(row) == 2))
                return false;
        }
        return true;
    }
    return false;
}

typedef struct check_ctx {
    tw_config_src *src;
    int mode_bits;
    tw_error *err;
    char at[600];
    config_setting_t **drop; /* to remove once the walk is done */
    bool *drop_unknown;
    size_t n_drop, cap_drop;
} check_ctx;

/* Take s out of the tree after the walk: its problem is reported, and the
 * readers must not trip over it. */
static void drop(check_ctx *c, const config_setting_t *s, bool unknown)
{
    if (config_setting_name(s) == NULL || config_setting_parent(s) == NULL)
        return;
    if (c->n_drop == c->cap_drop) {
        size_t cap = c->cap_drop ? 2 * c->cap_drop : 16;
        config_setting_t **d = realloc(c->drop, cap * sizeof *d);
        bool *u = realloc(c->drop_unknown, cap * sizeof *u);
        if (d != NULL)
            c->drop = d;
        if (u != NULL)
            c->drop_unknown = u;
        if (d == NULL || u == NULL) {
            tw_error_add(c->err, TW_EFAIL, "out of memory");
            return;
        }
        c->cap_drop = cap;
    }
    c->drop_unknown[c->n_drop] = unknown;
    c->drop[c->n_drop++] = (config_setting_t *)s;
}

static const char *at(check_ctx *c, const config_setting_t *s)
{
    return tw_config_where(c->src, s, c->at, sizeof c->at);
}

/* Strict UTF-8 of a string setting, after libconfig decoded its escapes
 * ("\xB8" is the byte 0xB8): the raw-byte guard cannot see those. */
static bool text_ok(check_ctx *c, const config_setting_t *s,
                    const char *path)
{
    char why[128];
    const char *v = config_setting_get_string(s);
    if (v == NULL || tw_utf8_problem(v, why, sizeof why) == NULL)
        return true;
    tw_error_add(c->err, TW_EINPUT, "%s: %s: the text is not valid UTF-8: "
                 "%s (write the characters themselves, or \\x escapes of "
                 "a valid UTF-8 sequence)", at(c, s), path, why);
    return false;
}

/* Entries listed twice in a keyed list: strings in a string array (for
 * scenarios[].set, the key before '='), years in [year, n] pairs. The
 * readers would let the last one win without a word. */
static void check_twice(check_ctx *c, const config_setting_t *s,
                        const char *path, key_kind kind)
{
    int n = config_setting_length(s);
    bool by_key = strcmp(path, "scenarios[].set") == 0;
    for (int i = 1; i < n; i++) {
        const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
        for (int j = 0; j < i; j++) {
            const config_setting_t *f = config_setting_get_elem(s, (unsigned)j);
            char first[600], also[640];
            snprintf(first, sizeof first, "%s", at(c, f));
            if (strcmp(first, at(c, e)) == 0)
                snprintf(also, sizeof also, "entries %d and %d", j, i);
            else
                snprintf(also, sizeof also, "first at %s", first);
            if (kind == K_INT_PAIRS) {
                long long y = config_setting_get_int64_elem(e, 0);
                if (y != config_setting_get_int64_elem(f, 0))
                    continue;
                tw_error_add(c->err, TW_EINPUT, "%s: %s: the year %lld is "
                             "listed twice (%s)", at(c, e), path, y, also);
                break;
            }
            const char *a = config_setting_get_string(e);
            const char *b = config_setting_get_string(f);
            if (a == NULL || b == NULL)
                continue;
            size_t la = by_key ? strcspn(a, "=") : strlen(a);
            size_t lb = by_key ? strcspn(b, "=") : strlen(b);
            if (la != lb || strncmp(a, b, la) != 0)
                continue;
            if (by_key)
                tw_error_add(c->err, TW_EINPUT, "%s: %s: the key '%.*s' is "
                             "listed twice (%s); the last would win",
                             at(c, e), path, (int)la, a, also);
            else
                tw_error_add(c->err, TW_EINPUT, "%s: %s: \"%s\" is listed "
                             "twice (%s)", at(c, e), path, a, also);
            break;
        }
    }
}

/* Members of a keyed group (by stage / by channel) have allowed names and
 * a value type. */
static void check_keyed(check_ctx *c, const config_setting_t *g,
                        const char *path, key_kind kind)
{
    const char *const *names = kind == K_BY_CHANNEL ? tw_channel_names
                                                    : tw_stage_names;
    size_t n = kind == K_BY_CHANNEL ? TW_N_HIRE_CHANNELS : TW_N_STAGES;
    for (int i = 0; i < config_setting_length(g); i++) {
        const config_setting_t *m = config_setting_get_elem(g, (unsigned)i);
        const char *name = config_setting_name(m);
        size_t best_d, best = tw_nearest(name, names, n, &best_d);
        if (kind == K_BY_SUBJECT)
            best_d = 0; /* the names: read_subject_rules (config_full.c) */
        if (best_d != 0) {
            char list[256] = "";
            size_t used = 0;
            for (size_t k = 0; k < n && used < sizeof list; k++)
                used += (size_t)snprintf(list + used, sizeof list - used,
                                         "%s%s", k ? ", " : "", names[k]);
            if (close_enough(best_d, strlen(name)))
                tw_error_add(c->err, TW_EINPUT,
                             "%s: unknown key '%s' in '%s' (did you mean "
                             "'%s'?)", at(c, m), name, path, names[best]);
            else
                tw_error_add(c->err, TW_EINPUT,
                             "%s: unknown key '%s' in '%s' (valid keys: %s)",
                             at(c, m), name, path, list);
            drop(c, m, true);
            continue;
        }
        bool ok = kind == K_BY_STAGE_ARRAY ? is_num_seq(m)
                                           : is_num_type(config_setting_type(m));
        if (!ok) {
            tw_error_add(c->err, TW_EINPUT, "%s: %s.%s: expected %s, got %s",
                         at(c, m), path, name,
                         kind == K_BY_STAGE_ARRAY ? "an array of numbers"
                                                  : "a number",
                         type_words(config_setting_type(m)));
            drop(c, m, false);
        }
    }
}

/*
 * Check the members of group g, whose schema path is gpath. `tl` is 0 for
 * the config itself, 1 inside a timeline entry's `set`, 2 inside one that
 * names counties, 3 inside the `national` defaults.
 */
static void check_group(check_ctx *c, const config_setting_t *g,
                        const char *gpath, int tl)
{
    char path[512], hint[512];
    for (int i = 0; i < config_setting_length(g); i++) {
        const config_setting_t *s = config_setting_get_elem(g, (unsigned)i);
        const char *name = config_setting_name(s);
        snprintf(path, sizeof path, "%s%s%s", gpath, *gpath ? "." : "", name);
        const key_spec *spec = tw_schema_find(path);
        if (spec == NULL) {
            tw_schema_suggest(gpath, name, false, hint, sizeof hint);
            tw_error_add(c->err, TW_EINPUT, "%s: unknown key '%s'%s%s%s%s",
                         at(c, s), name, hint, *gpath ? " in group '" : "",
                         gpath, *gpath ? "'" : "");
            drop(c, s, true);
            continue;
        }
        if ((spec->modes & c->mode_bits) == 0) {
            tw_error_add(c->err, TW_EINPUT,
                         "%s: '%s' is only used in %s mode; remove it or "
                         "change simulation.mode", at(c, s), path,
                         spec->modes == M_MARKOV ? "markov" : "full");
            drop(c, s, false);
            continue;
        }
        if (tl == 3 && spec->tv == 0) {
            tw_error_add(c->err, TW_EINPUT,
                         "%s: '%s' is part of a region's structure and "
                         "cannot be a national default", at(c, s), path);
            drop(c, s, false);
            continue;
        }
        if ((tl == 1 || tl == 2) && spec->tv == 0) {
            tw_error_add(c->err, TW_EINPUT,
                         "%s: '%s' cannot change in the timeline: it is part "
                         "of the region's structure", at(c, s), path);
            drop(c, s, false);
            continue;
        }
        if (tl == 2 && !(spec->tv & TV_COUNTY)) {
            tw_error_add(c->err, TW_EINPUT,
                         "%s: '%s' is region-wide and cannot change per "
                         "county; only evaluation, rotation, recruitment "
                         "and subjects.retrain can (drop 'counties' or move it to another "
                         "timeline entry)", at(c, s), path);
            drop(c, s, false);
            continue;
        }
        if (!kind_ok(spec->kind, s)) {
            tw_error_add(c->err, TW_EINPUT, "%s: %s: expected %s, got %s",
                         at(c, s), path, tw_schema_kind_words(spec->kind),
                         type_words(config_setting_type(s)));
            drop(c, s, false);
            continue;
        }
        switch (spec->kind) {
        case K_GROUP:
            if (strcmp(path, "national") == 0)
                check_group(c, s, "", 3);
            else if (strcmp(path, "timeline[].set") == 0)
                check_group(c, s, "",
                            config_setting_get_member(config_setting_parent(s),
                                                      "counties")
                                ? 2 : 1);
            else
                check_group(c, s, path, tl);
            break;
        case K_GROUP_LIST: {
            char epath[520];
            snprintf(epath, sizeof epath, "%s[]", path);
            for (int k = 0; k < config_setting_length(s); k++)
                check_group(c, config_setting_get_elem(s, (unsigned)k), epath,
                            tl);
            break;
        }
        case K_BY_STAGE:
        case K_BY_STAGE_ARRAY:
        case K_BY_CHANNEL:
        case K_BY_SUBJECT:
            check_keyed(c, s, path, spec->kind);
            break;
        case K_STRING:
            if (!text_ok(c, s, path))
                drop(c, s, false);
            break;
        case K_STR_ARRAY: {
            bool ok = true;
            for (int k = 0; k < config_setting_length(s); k++)
                ok = text_ok(c, config_setting_get_elem(s, (unsigned)k),
                             path) && ok;
            if (ok)
                check_twice(c, s, path, spec->kind);
            else
                drop(c, s, false);
            break;
        }
        case K_INT_PAIRS:
            check_twice(c, s, path, spec->kind);
            break;
        default:
            break;
        }
    }
}

void tw_schema_check(tw_config_src *src, int mode_bits, tw_error *err)
{
    check_ctx c = {.src = src, .mode_bits = mode_bits, .err = err};
    check_group(&c, config_root_setting(&src->lc), "", 0);
    tw_gone *g = realloc(src->gone, (src->n_gone + c.n_drop + 1) * sizeof *g);
    if (g == NULL) {
        tw_error_add(err, TW_EFAIL, "out of memory");
        c.n_drop = 0;
    } else {
        src->gone = g;
    }
    /* No dropped setting lies below another: the walk does not descend
     * into a setting it drops. */
    for (size_t i = 0; i < c.n_drop; i++) {
        config_setting_t *s = c.drop[i];
        config_setting_t *parent = config_setting_parent(s);
        char *name = strdup(config_setting_name(s));
        if (name == NULL) {
            tw_error_add(err, TW_EFAIL, "out of memory");
            break;
        }
        src->gone[src->n_gone++] = (tw_gone){parent, name, c.drop_unknown[i]};
        config_setting_remove(parent, name);
    }
    free(c.drop);
    free(c.drop_unknown);
}

bool tw_config_gone(const tw_config_src *src, const config_setting_t *parent,
                    const char *key)
{
    if (parent == NULL)
        parent = config_root_setting(&src->lc);
    for (size_t i = 0; i < src->n_gone; i++) {
        const tw_gone *g = &src->gone[i];
        if (g->parent != parent)
            continue;
        if (strcmp(g->name, key) == 0 ||
            (g->unknown &&
             close_enough(tw_levenshtein(g->name, key), strlen(key))))
            return true;
    }
    return false;
}

tw_key_type tw_config_key_type(const char *path, const char **words)
{
    tw_set_path p;
    char why[256];
    if (tw_set_path_parse(path, &p, why, sizeof why) != 0) {
        if (words != NULL)
            *words = "not a config key";
        return TW_KEY_UNKNOWN;
    }
    key_kind k = tw_set_path_kind(&p);
    if (words != NULL)
        *words = tw_schema_kind_words(k);
    if (k == K_INT)
        return TW_KEY_WHOLE;
    if (k == K_FLOAT)
        return TW_KEY_NUMBER;
    return TW_KEY_OTHER;
}
