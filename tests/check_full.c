/*
 * check_full.c - the full model end to end on tests/data/full_small.cfg:
 * the initial population, conservation of teachers in every replicate and
 * year, the establishment bound, reproducibility, and the fused passes
 * of tw_sim_step against the separate processes.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>

#include "tw_config.h"
#include "tw_model.h"
#include "fixture.h"
#include "tw_tests.h"

#define FULL TW_TEST_DATA "/full_small.cfg"

typedef struct run {
    tw_config *cfg;
    tw_model m;
    size_t reps, len;
    double *traj; /* [reps][years][metrics] */
} run;

static void run_file(run *r, const char *file, const char *const *sets,
                     size_t n)
{
    tw_error err;
    ck_assert_msg(tw_config_load(file, sets, n, &r->cfg, &err) == TW_OK, "%s",
                  err.msg);
    ck_assert_int_eq(tw_model_init(&r->m, r->cfg, &err), TW_OK);
    r->reps = r->cfg->replicates;
    r->len = tw_model_traj_len(&r->m);
    r->traj = malloc(r->reps * r->len * sizeof *r->traj);
    ck_assert_ptr_nonnull(r->traj);
    tw_worker *w = tw_worker_alloc(&r->m, &err);
    ck_assert_ptr_nonnull(w);
    for (size_t k = 0; k < r->reps; k++)
        ck_assert_msg(tw_worker_run(w, 0, k, r->traj + k * r->len, &err) ==
                      TW_OK, "%s", err.msg);
    tw_worker_free(w);
}

static void run_full_model(run *r, const char *const *sets, size_t n)
{
    run_file(r, FULL, sets, n);
}

static void run_free(run *r)
{
    free(r->traj);
    tw_model_free(&r->m);
    tw_config_free(r->cfg);
}

static double val(const run *r, size_t rep, size_t t, const char *name)
{
    long k = tw_metrics_find(&r->m.metrics, name);
    ck_assert_msg(k >= 0, "no metric %s", name);
    return r->traj[rep * r->len + t * r->m.metrics.n + (size_t)k];
}

/* Subjects end to end (data/full_small_subjects.cfg): in every replicate
 * and year the subjects' teachers add up to teachers.total, shortages and
 * schools without a subject are counts within their bounds, and primary
 * schools start without PE (its stock share is 0) and get PE teachers by
 * hiring. Without the group there are no subject metrics. */
START_TEST(test_subjects_end_to_end)
{
    const char *const names[] = {"chinese", "pe", "other"};
    run r;
    run_file(&r, TW_TEST_DATA "/full_small_subjects.cfg", NULL, 0);
    size_t ny = r.m.n_years;
    double pe_hired = 0;
    for (size_t k = 0; k < r.reps; k++)
        for (size_t t = 0; t < ny; t++) {
            double sum = 0, open = 0;
            for (int st = 0; st < TW_N_STAGES; st++) {
                char n[64];
                snprintf(n, sizeof n, "schools.open.%s", tw_stage_names[st]);
                if (tw_metrics_find(&r.m.metrics, n) >= 0)
                    open += val(&r, k, t, n);
            }
            for (int j = 0; j < 3; j++) {
                char n[64];
                snprintf(n, sizeof n, "teachers.subject.%s", names[j]);
                sum += val(&r, k, t, n);
                snprintf(n, sizeof n, "shortage.subject.%s", names[j]);
                ck_assert(val(&r, k, t, n) >= 0);
                snprintf(n, sizeof n, "schools.without.%s", names[j]);
                double w = val(&r, k, t, n);
                ck_assert(w >= 0 && w == floor(w));
                if (open > 0)
                    ck_assert(w <= open);
            }
            ck_assert_double_eq(sum, val(&r, k, t, "teachers.total"));
            if (t > 0)
                pe_hired += val(&r, k, t, "teachers.subject.pe") -
                            val(&r, k, t - 1, "teachers.subject.pe");
        }
    /* the primary schools have no PE teacher at the start, so PE is among
     * the most-short subjects and hires go to it */
    ck_assert(pe_hired > 0);
    run_free(&r);

    run_full_model(&r, NULL, 0);
    ck_assert_int_lt(tw_metrics_find(&r.m.metrics, "teachers.subject.other"),
                     0);
    ck_assert_int_lt(tw_metrics_find(&r.m.metrics, "schools.without.other"),
                     0);
    run_free(&r);
}
END_TEST

START_TEST(test_initial_population)
{
    tw_error err;
    tw_config *c = NULL;
    ck_assert_int_eq(tw_config_load(FULL, NULL, 0, &c, &err), TW_OK);
    const tw_world *w = c->world;
    tw_sim *s = tw_sim_alloc(w);
    ck_assert_int_eq(tw_sim_init(s, 1, 0, 0, &err), TW_OK);
    /* the stock tables' counts, stage by stage */
    size_t by_stage[TW_N_STAGES] = {0}, junior_loc[TW_N_LOCS] = {0};
    for (size_t k = 0; k < s->n; k++) {
        const tw_school *sc = &w->schools[s->T.school[k]];
        by_stage[sc->stage]++;
        if (sc->stage == TW_STAGE_JUNIOR)
            junior_loc[sc->locality]++;
        ck_assert_uint_lt(s->T.tier[k], w->n_tiers);
        int age = tw_age(&s->T, k, w->base_year);
        ck_assert_int_ge(age, 20);
        /* nobody starts past the pre-2025 age of their sex and title
         * (national.cfg: men 60, women 55, women with 高级+ 60) */
        int limit = s->T.sex[k] == TW_SEX_MALE ||
                            s->T.title[k] >= TW_TITLE_SENIOR ? 60 : 55;
        ck_assert_int_lt(age, limit);
    }
    ck_assert_uint_eq(by_stage[TW_STAGE_PRIMARY], 900);
    ck_assert_uint_eq(by_stage[TW_STAGE_JUNIOR], 300);
    ck_assert_uint_eq(by_stage[TW_STAGE_VOCATIONAL], 90);
    /* junior's locality shares [0, 0.55, 0.45] of 300 */
    ck_assert_uint_eq(junior_loc[TW_LOC_TOWN], 165);
    ck_assert_uint_eq(junior_loc[TW_LOC_RURAL], 135);
    /* within a stage (no locality shares): each school within one teacher
     * of count * demand / total demand */
    double dsum = 0;
    for (size_t i = 0; i < w->n_schools; i++)
        if (w->schools[i].stage == TW_STAGE_PRIMARY)
            dsum += s->S[i].demand;
    for (size_t i = 0; i < w->n_schools; i++)
        if (w->schools[i].stage == TW_STAGE_PRIMARY)
            ck_assert_double_le(fabs((double)s->S[i].headcount -
                                     900.0 * s->S[i].demand / dsum), 1.0);
    tw_sim_free(s);
    tw_config_free(c);
}
END_TEST

START_TEST(test_conservation)
{
    /* stock(t) = stock(t-1) + hires(t) - exits(t), per stage, in every
     * replicate and year: an identity, no tolerance. */
    run r;
    run_full_model(&r, NULL, 0);
    static const char *const stages[] = {"primary", "junior", "vocational"};
    char sn[64], hn[64], en[64];
    for (size_t k = 0; k < r.reps; k++) {
        for (size_t t = 1; t < r.m.n_years; t++) {
            double total = 0;
            for (size_t i = 0; i < 3; i++) {
                snprintf(sn, sizeof sn, "teachers.stage.%s", stages[i]);
                snprintf(hn, sizeof hn, "hires.stage.%s", stages[i]);
                snprintf(en, sizeof en, "exits.stage.%s", stages[i]);
                double before = val(&r, k, t - 1, sn);
                double after = val(&r, k, t, sn);
                ck_assert_double_eq(after, before + val(&r, k, t, hn) -
                                               val(&r, k, t, en));
                total += after;
            }
            ck_assert_double_eq(total, val(&r, k, t, "teachers.total"));
            /* exits by reason add up to the total */
            double reasons = val(&r, k, t, "exits.death") +
                             val(&r, k, t, "exits.retire") +
                             val(&r, k, t, "exits.voluntary") +
                             val(&r, k, t, "exits.dismiss") +
                             val(&r, k, t, "exits.luopin");
            ck_assert_double_eq(reasons, val(&r, k, t, "exits.total"));
        }
    }
    run_free(&r);
}
END_TEST

/* 在编 teachers (pool included) per county, by home school. */
static void count_bianzhi(const tw_sim *s, double *per_county)
{
    for (size_t c = 0; c < s->w->n_counties; c++)
        per_county[c] = 0;
    for (size_t k = 0; k < s->n; k++)
        if ((s->T.flags[k] & TW_F_BIANZHI) && !(s->T.flags[k] & TW_F_GONE))
            per_county[s->w->schools[s->T.home[k]].county] += 1;
}

START_TEST(test_establishment_bound)
{
    /* A county that hires 在编 teachers ends recruitment with its 在编 count
     * at or under floor(cap): hires never exceed the establishment room.
     * The year is stepped by hand in tw_sim_step's order so that the count
     * can be taken just before and after recruitment. */
    tw_error err;
    tw_config *c = NULL;
    ck_assert_int_eq(tw_config_load(FULL, NULL, 0, &c, &err), TW_OK);
    const tw_world *w = c->world;
    tw_sim *s = tw_sim_alloc(w);
    double before[8], after[8];
    size_t hiring_years = 0;
    ck_assert_uint_le(w->n_counties, 8);
    for (uint64_t rep = 0; rep < 10; rep++) {
        ck_assert_int_eq(tw_sim_init(s, 11, 0, rep, &err), TW_OK);
        for (size_t t = 1; t < w->n_years; t++) {
            s->t = t;
            s->year = w->base_year + (int)t;
            memset(&s->f, 0, sizeof s->f);
            memset(s->county_leavers, 0,
                   w->n_counties * sizeof *s->county_leavers);
            tw_proc_demand(s);
            tw_proc_deaths(s);
            tw_proc_retire(s);
            tw_proc_exit(s);
            tw_proc_strikes(s);
            tw_proc_tiers(s);
            tw_proc_titles(s);
            tw_proc_quals(s);
            tw_proc_dual(s);
            tw_proc_rotate(s);
            tw_sim_compact(s);
            count_bianzhi(s, before);
            ck_assert_int_eq(tw_proc_recruit(s, &err), TW_OK);
            count_bianzhi(s, after);
            for (size_t k = 0; k < w->n_counties; k++) {
                if (after[k] > before[k]) {
                    hiring_years++;
                    ck_assert_double_le(after[k], floor(s->county_cap[k]));
                }
            }
            tw_proc_age(s);
            tw_sim_count_heads(s);
        }
    }
    ck_assert_uint_gt(hiring_years, 0); /* the bound was exercised */
    tw_sim_free(s);
    tw_config_free(c);
}
END_TEST

START_TEST(test_full_reproducible)
{
    const char *const sets[] = {"simulation.replicates=3"};
    run a, b;
    run_full_model(&a, sets, 1);
    run_full_model(&b, sets, 1);
    ck_assert_int_eq(memcmp(a.traj, b.traj, a.reps * a.len * sizeof(double)),
                     0);
    /* replicates differ from each other */
    ck_assert_int_ne(memcmp(a.traj, a.traj + a.len, a.len * sizeof(double)),
                     0);
    run_free(&a);
    run_free(&b);
}
END_TEST

START_TEST(test_reform_moves_teachers)
{
    /* The timeline switches 县管校聘 on in north from 2022 and everywhere
     * from 2024: no exchange before 2022, some in every replicate later. */
    run r;
    run_full_model(&r, NULL, 0);
    double later = 0;
    for (size_t k = 0; k < r.reps; k++) {
        for (size_t t = 1; t < r.m.n_years; t++) {
            double ex = val(&r, k, t, "exchanges.urban_to_rural") +
                        val(&r, k, t, "exchanges.town_to_rural");
            if (r.m.years[t] < 2022)
                ck_assert_double_eq(ex, 0);
            else
                later += ex;
        }
    }
    ck_assert_double_gt(later, 0);
    run_free(&r);
}
END_TEST

/* ---- the fused passes of tw_sim_step against the separate processes -- */

typedef enum { FUSE_LEAVE, FUSE_DEVELOP, FUSE_AGE } fused_part;

/* One year on s, with `part` run fused (tw_sim_step's way) or as the
 * separate processes (MODEL.md's list); the rest as tw_sim_step. */
static void step_year(tw_sim *s, size_t t, fused_part part, int fused)
{
    tw_error err;
    s->t = t;
    s->year = s->w->base_year + (int)t;
    memset(&s->f, 0, sizeof s->f);
    memset(s->county_leavers, 0, s->w->n_counties * sizeof *s->county_leavers);
    tw_proc_demand(s);
    if (part == FUSE_LEAVE && !fused) {
        tw_proc_deaths(s);
        tw_proc_retire(s);
        tw_proc_exit(s);
    } else {
        tw_proc_leave(s);
    }
    tw_proc_strikes(s);
    if (part == FUSE_DEVELOP && !fused) {
        tw_proc_tiers(s);
        tw_proc_titles(s);
        tw_proc_quals(s);
        tw_proc_dual(s);
    } else {
        tw_proc_develop(s);
    }
    tw_proc_rotate(s);
    tw_sim_compact(s);
    ck_assert_int_eq(tw_proc_recruit(s, &err), TW_OK);
    if (part == FUSE_AGE && !fused) {
        tw_proc_age(s);
        tw_sim_tally(s);
    } else {
        tw_proc_age_tally(s);
    }
}

/* Run 6 replicates both ways, year by year; the records, flows, tally and
 * headcounts must be equal byte for byte after every year. */
static void check_fused(tw_config *c, fused_part part)
{
    tw_error err;
    const tw_world *w = c->world;
    tw_sim *a = tw_sim_alloc(w), *b = tw_sim_alloc(w);
    ck_assert_ptr_nonnull(a);
    ck_assert_ptr_nonnull(b);
    for (uint64_t rep = 0; rep < 6; rep++) {
        ck_assert_int_eq(tw_sim_init(a, 5, 0, rep, &err), TW_OK);
        ck_assert_int_eq(tw_sim_init(b, 5, 0, rep, &err), TW_OK);
        for (size_t t = 1; t < w->n_years; t++) {
            step_year(a, t, part, 1);
            step_year(b, t, part, 0);
            ck_assert_uint_eq(a->n, b->n);
            ck_assert(fx_same_teachers(a, b));
            ck_assert_int_eq(memcmp(&a->f, &b->f, sizeof a->f), 0);
            ck_assert_int_eq(memcmp(&a->tally, &b->tally, sizeof a->tally),
                             0);
            for (size_t i = 0; i < w->n_schools; i++)
                ck_assert_uint_eq(a->S[i].headcount, b->S[i].headcount);
        }
    }
    tw_sim_free(a);
    tw_sim_free(b);
}

/* The config's parameters of every year, writable (the test owns c). */
static tw_params *params_of(tw_config *c, size_t t)
{
    return &c->world->params[t];
}

START_TEST(test_fused_passes)
{
    /* tw_sim_step runs some processes in fused passes (docs/model.md). The
     * outcome must be that of the separate processes. Where a fused pass
     * interleaves the draws of two processes the streams differ, so each
     * comparison switches off the draws of all but one of them: then both
     * ways consume the stream in the same order, and any difference in
     * logic (order, skipped leavers, counts) shows as a byte difference.
     * Exact equality: no tolerance, no false alarms. */
    tw_error err;
    tw_config *c = NULL;
    ck_assert_int_eq(tw_config_load(FULL, NULL, 0, &c, &err), TW_OK);
    size_t ny = c->world->n_years;

    /* ageing and the tally draw nothing, so they are compared as they
     * are. develop: first with qualification and 双师型 off (the tier and
     * title draws); then tier and title promotions made certain (prob 1
     * where > 0, no capacity, caps or post caps: no draws, so the
     * qualification read by the title step must be the one before this
     * year's upgrade) with, in turn, qualification and 双师型 drawing */
    check_fused(c, FUSE_AGE);
    for (size_t t = 0; t < ny; t++) {
        params_of(c, t)->qual_on = 0;
        params_of(c, t)->dual_on = 0;
    }
    check_fused(c, FUSE_DEVELOP);
    for (size_t t = 0; t < ny; t++) {
        tw_params *p = params_of(c, t);
        for (size_t i = 0; i < TW_WORLD_MAX_TIERS; i++) {
            p->tier_prob[i] = p->tier_prob[i] > 0 ? 1.0 : 0.0;
            p->tier_capacity[i] = p->tier_cap[i] = -1;
        }
        for (int k = 0; k < TW_N_TITLES; k++) {
            p->title_prob[k] = p->title_prob[k] > 0 ? 1.0 : 0.0;
            p->post_cap[k] = 1.0;
        }
        p->qual_on = 1;
    }
    check_fused(c, FUSE_DEVELOP);
    for (size_t t = 0; t < ny; t++) {
        params_of(c, t)->qual_on = 0;
        params_of(c, t)->dual_on = 1;
    }
    check_fused(c, FUSE_DEVELOP);
    tw_config_free(c);
    ck_assert_int_eq(tw_config_load(FULL, NULL, 0, &c, &err), TW_OK);

    /* leave: deaths off and no retirement draw (early and late retirement
     * off; retirement at the statutory age still happens), exit on */
    for (size_t t = 0; t < ny; t++) {
        tw_params *p = params_of(c, t);
        p->deaths_on = 0;
        p->p_early = p->p_late = 0;
    }
    check_fused(c, FUSE_LEAVE);
    /* deaths on, exit off: retirement and deaths, deaths drawing */
    for (size_t t = 0; t < ny; t++) {
        params_of(c, t)->deaths_on = 1;
        params_of(c, t)->exit_on = 0;
    }
    check_fused(c, FUSE_LEAVE);
    tw_config_free(c);
}
END_TEST

/* Pearson's chi-square of counts o[0..n) against equal cells, within the
 * central 1 - alpha of chi-square(n - 1). */
static void ck_uniform_cells(const double *o, int n, double alpha,
                             const char *what)
{
    double tot = 0, x2 = 0;
    for (int i = 0; i < n; i++)
        tot += o[i];
    for (int i = 0; i < n; i++)
        x2 += (o[i] - tot / n) * (o[i] - tot / n) / (tot / n);
    double lo = gsl_cdf_chisq_Pinv(alpha / 2, n - 1);
    double hi = gsl_cdf_chisq_Qinv(alpha / 2, n - 1);
    ck_assert_msg(x2 >= lo && x2 <= hi, "%s: chi-square %g, expected %g .. %g",
                  what, x2, lo, hi);
}

START_TEST(test_initial_draws_uniform)
{
    /* The initial population draws the age within its band with the birth
     * month, and the three counters (years at the school, in the tier, in
     * the title), as the digits of one uniform integer each. By the
     * definition (population.c) they are independent uniforms: ages 35-39
     * x months 1-12 (60 cells); at the school x in the tier (121 cells,
     * service 13-17 so each is uniform on 0..10); in the title (11
     * cells). Pearson chi-square per table, alpha 1e-6 / 3 each: a correct
     * sampler fails with probability below 1e-6. */
    const fx_school sc[] = {{0, TW_STAGE_PRIMARY, TW_LOC_URBAN, 100.0}};
    tw_world *w = fx_world(2020, 2, 1, sc, 1, 1);
    tw_stock *k = &w->stock[TW_STAGE_PRIMARY];
    k->present = 1;
    k->count = 60000;
    k->loc_share[0] = -1; /* no split by locality */
    k->age_share[3] = 1.0;
    k->tier_share[0] = 1.0;
    k->title_share[TW_TITLE_SECOND] = 1.0;
    k->qual_share[TW_QUAL_BACHELOR] = 1.0;
    tw_sim *s = tw_sim_alloc(w);
    tw_error err;
    ck_assert_int_eq(tw_sim_init(s, 8, 0, 0, &err), TW_OK);
    ck_assert_uint_eq(s->n, 60000);
    static double am[60], st[121], ti[11];
    const tw_teachers *T = &s->T;
    for (size_t i = 0; i < s->n; i++) {
        int age = tw_age(T, i, 2020);
        ck_assert(age >= 35 && age <= 39);
        am[(age - 35) * 12 + T->birth_month[i] - 1] += 1;
        ck_assert(T->at_school[i] <= 10 && T->in_tier[i] <= 10 &&
                  T->in_title[i] <= 10);
        st[T->at_school[i] * 11 + T->in_tier[i]] += 1;
        ti[T->in_title[i]] += 1;
    }
    ck_uniform_cells(am, 60, 1e-6 / 3, "age x month");
    ck_uniform_cells(st, 121, 1e-6 / 3, "at school x in tier");
    ck_uniform_cells(ti, 11, 1e-6 / 3, "in title");
    tw_sim_free(s);
    tw_world_free(w);
}
END_TEST

/* Characters of the engine's label vocabulary that differ between the
 * scripts (干 is left out: 骨干 is how some traditional configs write
 * their own tier names). */
static const char *const SIMPLIFIED_ONLY[] = {
    "学", "职", "区", "镇", "乡", "级", "师", "专", "历", "费", "岗", "进",
    "开", "业", "员", "减", "愿", "离", "龄", "岁", "补", "计", "晋", "调",
    "竞", "内", "读", "毕", "并", "办", "实", "编", "达", "标", "轮", "训",
    "课", "双", "认", "称", "无"};
static const char *const TRADITIONAL_ONLY[] = {
    "學", "職", "區", "鎮", "鄉", "級", "師", "專", "歷", "費", "崗", "進",
    "開", "業", "員", "減", "願", "離", "齡", "歲", "補", "計", "晉", "調",
    "競", "內", "讀", "畢", "併", "辦", "實", "編", "達", "標", "輪", "訓",
    "課", "雙", "認", "稱", "無", "幹"};

/* Every metric of the config's table (the full model's and the mean
 * field's are one table, tw_fm_build; Markov mode's its own) has a unit
 * and a label, no two labels are the same, and none holds a character of
 * the other script than region.script's. */
static void check_labels(const char *file, const char *const *sets,
                         size_t n_sets, tw_script want)
{
    tw_config *c = NULL;
    tw_model m;
    tw_error err = {0};
    ck_assert_msg(tw_config_load(file, sets, n_sets, &c, &err) == TW_OK,
                  "%s: %s", file, err.msg);
    ck_assert_msg(c->script == want, "%s: script %d", file, (int)c->script);
    ck_assert_msg(tw_model_init(&m, c, &err) == TW_OK, "%s: %s", file,
                  err.msg);
    const tw_metric_table *t = &m.metrics;
    const char *const *other = want == TW_SCRIPT_TRADITIONAL
                                   ? SIMPLIFIED_ONLY : TRADITIONAL_ONLY;
    size_t n_other = want == TW_SCRIPT_TRADITIONAL
                         ? sizeof SIMPLIFIED_ONLY / sizeof *SIMPLIFIED_ONLY
                         : sizeof TRADITIONAL_ONLY / sizeof *TRADITIONAL_ONLY;
    ck_assert_uint_gt(t->n, 4);
    for (size_t i = 0; i < t->n; i++) {
        const tw_metric *a = &t->v[i];
        ck_assert_msg(a->label[0] != '\0', "%s: %s has no label", file,
                      a->name);
        ck_assert_msg(a->unit[0] != '\0', "%s: %s has no unit", file,
                      a->name);
        for (size_t j = 0; j < i; j++)
            ck_assert_msg(strcmp(a->label, t->v[j].label) != 0,
                          "%s: %s and %s share the label \"%s\"", file,
                          t->v[j].name, a->name, a->label);
        /* unique by its own words, not by tw_metrics_add's fallback */
        char own[TW_METRIC_NAME_MAX + 4];
        snprintf(own, sizeof own, " (%s)", a->name);
        ck_assert_msg(strstr(a->label, own) == NULL, "%s: %s's label \"%s\" "
                      "is another's but for its name", file, a->name,
                      a->label);
        for (size_t k = 0; k < n_other; k++)
            ck_assert_msg(strstr(a->label, other[k]) == NULL,
                          "%s: %s's label \"%s\" holds %s, not of its "
                          "script", file, a->name, a->label, other[k]);
    }
    tw_model_free(&m);
    tw_config_free(c);
}

START_TEST(test_metric_labels)
{
    /* a label another metric has already is made unique by the name */
    tw_metric_table mt;
    tw_error e = {0};
    tw_metrics_init(&mt);
    ck_assert_int_eq(tw_metrics_add(&mt, &e, "a.x", "teachers", "学前 教师",
                                    "a"), 0);
    ck_assert_int_eq(tw_metrics_add(&mt, &e, "b.y", "teachers", "学前 教师",
                                    "b"), 1);
    ck_assert_str_eq(mt.v[0].label, "学前 教师");
    ck_assert_str_eq(mt.v[1].label, "学前 教师 (b.y)");
    tw_metrics_free(&mt);

    static const char *const simplified[] = {
        TW_TEST_DATA "/full_small.cfg",
        TW_TEST_DATA "/full_small_groups.cfg",
        TW_TEST_DATA "/full_small_subjects.cfg",
        TW_TEST_DATA "/full_close.cfg",
        TW_TEST_DATA "/full_meanfield.cfg",
        TW_TEST_DATA "/../../configs/markov-example.cfg",
        TW_TEST_DATA "/../../configs/chengdu.cfg",
        TW_TEST_DATA "/../../configs/guiyang.cfg",
        TW_TEST_DATA "/../../configs/nanan.cfg",
        TW_TEST_DATA "/../../configs/neijiang.cfg"};
    for (size_t i = 0; i < sizeof simplified / sizeof *simplified; i++)
        check_labels(simplified[i], NULL, 0, TW_SCRIPT_SIMPLIFIED);
    /* Gangbei's config is in traditional characters, and says so */
    check_labels(TW_TEST_DATA "/../../configs/gangbei.cfg", NULL, 0,
                 TW_SCRIPT_TRADITIONAL);
    /* the key turns every generated part over, in both modes */
    static const char *const trad[] = {"region.script=\"traditional\""};
    check_labels(TW_TEST_DATA "/full_small_groups.cfg", trad, 1,
                 TW_SCRIPT_TRADITIONAL);
    check_labels(TW_TEST_DATA "/full_close.cfg", trad, 1,
                 TW_SCRIPT_TRADITIONAL);
    check_labels(TW_TEST_DATA "/markov_quota.cfg", trad, 1,
                 TW_SCRIPT_TRADITIONAL);
}
END_TEST

Suite *full_suite(void)
{
    Suite *s = suite_create("full");
    TCase *tc = tcase_create("model");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_initial_population);
    tcase_add_test(tc, test_initial_draws_uniform);
    tcase_add_test(tc, test_conservation);
    tcase_add_test(tc, test_subjects_end_to_end);
    tcase_add_test(tc, test_establishment_bound);
    tcase_add_test(tc, test_full_reproducible);
    tcase_add_test(tc, test_reform_moves_teachers);
    tcase_add_test(tc, test_fused_passes);
    tcase_add_test(tc, test_metric_labels);
    suite_add_tcase(s, tc);
    return s;
}
