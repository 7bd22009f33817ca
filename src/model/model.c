/*
 * model.c - the model, the workers, and the Markov-mode year
 * (MODEL.md section 4).
 *
 * Markov mode: each teacher is a record holding its tier. One year is
 *
 *   1. transitions  each teacher draws u ~ U[0,1) once and moves to the
 *                   first tier j with u < cum[tier][j]; u >= row sum leaves
 *   2. recruitment  "replace": one hire into entry_tier per leaver;
 *                   "quota": annual_quota hires; "none": nobody
 *   3. recording    stock per tier at the end of the year, flows
 *
 * so that E[n(t+1)] = E[n(t)] P + E[R(t)] e_entry exactly.
 */
#include "tw_model.h"

#include <stdlib.h>
#include <string.h>

#include "tw_rng.h"

/* A teacher in Markov mode: only its tier. */
typedef struct markov_teacher {
    uint8_t tier;
} markov_teacher;

struct tw_worker {
    const tw_model *m;
    tw_sim *sim;     /* full mode */
    gsl_rng *rng;    /* markov mode */
    markov_teacher *pop; /* [n], capacity cap; order is deterministic */
    size_t n, cap;
    tw_work last;    /* of the last replicate */
};

tw_work tw_worker_last_work(const tw_worker *w)
{
    return w->last;
}

size_t tw_model_traj_len(const tw_model *m)
{
    return m->n_years * m->metrics.n;
}

static int add_metrics(tw_model *m, tw_error *err)
{
    const tw_config *c = m->cfg;
    tw_metric_table *t = &m->metrics;
    char name[TW_METRIC_NAME_MAX];
    long first = -1;
    for (size_t i = 0; i < c->n_tiers; i++) {
        snprintf(name, sizeof name, "teachers.tier.%zu", i);
        long k = tw_metrics_add(t, err, name, "teachers", c->tier_names[i],
                                "Teachers in tier %zu (%s) at the end of the "
                                "year", i, c->tier_names[i]);
        if (k < 0)
            return err ? err->code : TW_EFAIL;
        if (i == 0)
            first = k;
    }
    long total = tw_metrics_add(t, err, "teachers.total", "teachers", NULL,
                                "All teachers at the end of the year");
    long hires = tw_metrics_add(t, err, "hires.total", "teachers/year", NULL,
                                "Teachers hired during the year");
    long exits = tw_metrics_add(t, err, "exits.total", "teachers/year", NULL,
                                "Teachers who left during the year "
                                "(1 - row sum of the transition matrix)");
    long cum = tw_metrics_add(t, err, "hires.cumulative", "teachers", NULL,
                              "Teachers hired since base_year, up to the end "
                              "of the year");
    if (total < 0 || hires < 0 || exits < 0 || cum < 0)
        return err ? err->code : TW_EFAIL;
    m->m_tier0 = (size_t)first;
    m->m_total = (size_t)total;
    m->m_hires = (size_t)hires;
    m->m_exits = (size_t)exits;
    m->m_hires_cum = (size_t)cum;
    return TW_OK;
}

int tw_model_init(tw_model *m, const tw_config *cfg, tw_error *err)
{
    memset(m, 0, sizeof *m);
    m->cfg = cfg;
    tw_metrics_init(&m->metrics);
    m->n_years = tw_config_n_years(cfg);
    m->years = malloc(m->n_years * sizeof *m->years);
    if (m->years == NULL)
        return tw_error_set(err, TW_EFAIL, "out of memory");
    for (size_t t = 0; t < m->n_years; t++)
        m->years[t] = cfg->base_year + (int)t;
    for (size_t i = 0; i < cfg->n_tiers; i++) {
        double acc = 0;
        for (size_t j = 0; j < cfg->n_tiers; j++) {
            acc += cfg->transition[i][j];
            m->cum[i][j] = acc;
        }
    }
    int rc;
    if (cfg->mode == TW_MODE_FULL) {
        m->world = cfg->world;
        rc = tw_fm_build(&m->fm, &m->metrics, m->world, err);
    } else {
        rc = add_metrics(m, err);
    }
    if (rc != TW_OK)
        tw_model_free(m);
    return rc;
}

void tw_model_free(tw_model *m)
{
    free(m->years);
    tw_metrics_free(&m->metrics);
    m->years = NULL;
    m->n_years = 0;
}

tw_worker *tw_worker_alloc(const tw_model *m, tw_error *err)
{
    tw_worker *w = calloc(1, sizeof *w);
    if (w == NULL) {
        tw_error_set(err, TW_EFAIL, "out of memory");
        return NULL;
    }
    w->m = m;
    if (m->world != NULL) {
        w->sim = tw_sim_alloc(m->world);
        if (w->sim == NULL) {
            free(w);
            tw_error_set(err, TW_EFAIL, "out of memory for a replicate");
            return NULL;
        }
        return w;
    }
    w->rng = tw_rng_alloc();
    if (w->rng == NULL) {
        free(w);
        tw_error_set(err, TW_EFAIL, "out of memory for a random generator");
        return NULL;
    }
    return w;
}

void tw_worker_free(tw_worker *w)
{
    if (w == NULL)
        return;
    if (w->rng)
        gsl_rng_free(w->rng);
    tw_sim_free(w->sim);
    free(w->pop);
    free(w);
}

/* Make room for `need` teachers; amortised doubling, so growth costs
 * O(log n) allocations per replicate, none per teacher-year. */
static int reserve(tw_worker *w, size_t need, tw_error *err)
{
    if (need <= w->cap)
        return TW_OK;
    size_t cap = w->cap ? w->cap : 1024;
    while (cap < need)
        cap *= 2;
    markov_teacher *p = realloc(w->pop, cap * sizeof *p);
    if (p == NULL)
        return tw_error_set(err, TW_EFAIL,
                            "out of memory for %zu teacher records", cap);
    w->pop = p;
    w->cap = cap;
    return TW_OK;
}

static int add_teachers(tw_worker *w, size_t tier, size_t count,
                        tw_error *err)
{
    int rc = reserve(w, w->n + count, err);
    if (rc != TW_OK)
        return rc;
    for (size_t k = 0; k < count; k++)
        w->pop[w->n++].tier = (uint8_t)tier;
    return TW_OK;
}

/* Record the end-of-year stock and flows into `row`. */
static void record(const tw_worker *w, double *row, size_t hires,
                   size_t exits, size_t hires_cum)
{
    const tw_model *m = w->m;
    size_t nt = m->cfg->n_tiers;
    size_t count[TW_MAX_TIERS] = {0};
    for (size_t k = 0; k < w->n; k++)
        count[w->pop[k].tier]++;
    for (size_t i = 0; i < nt; i++)
        row[m->m_tier0 + i] = (double)count[i];
    row[m->m_total] = (double)w->n;
    row[m->m_hires] = (double)hires;
    row[m->m_exits] = (double)exits;
    row[m->m_hires_cum] = (double)hires_cum;
}

/* Step 1: every teacher moves or leaves; leavers are dropped in place,
 * keeping the survivors' order. Returns the number who left. */
static size_t markov_transitions(tw_worker *w)
{
    const tw_model *m = w->m;
    size_t nt = m->cfg->n_tiers;
    size_t kept = 0;
    for (size_t k = 0; k < w->n; k++) {
        const double *cum = m->cum[w->pop[k].tier];
        double u = tw_rng_u01(w->rng);
        size_t j = 0;
        while (j < nt && u >= cum[j])
            j++;
        if (j < nt)
            w->pop[kept++].tier = (uint8_t)j;
    }
    size_t left = w->n - kept;
    w->n = kept;
    return left;
}

/* Full mode: the initial population, then every year in MODEL.md order. */
static int run_full(tw_worker *w, uint32_t scenario, uint64_t rep,
                    double *traj, tw_error *err)
{
    const tw_model *m = w->m;
    size_t nm = m->metrics.n;
    double hires_cum = 0;
    int rc = tw_sim_init(w->sim, m->cfg->seed, scenario, rep, err);
    if (rc != TW_OK)
        return rc;
    tw_work work = {.draws = tw_rng_draws(w->sim->rng)};
    tw_fm_record(&m->fm, w->sim, traj, &hires_cum);
    for (size_t t = 1; t < m->n_years; t++) {
        work.teacher_years += w->sim->n;
        rc = tw_sim_step(w->sim, t, err);
        if (rc != TW_OK)
            return rc;
        tw_fm_record(&m->fm, w->sim, traj + t * nm, &hires_cum);
    }
    work.draws = tw_rng_draws(w->sim->rng) - work.draws;
    w->last = work;
    return TW_OK;
}

int tw_worker_run(tw_worker *w, uint32_t scenario, uint64_t rep,
                  double *traj, tw_error *err)
{
    if (w->sim != NULL)
        return run_full(w, scenario, rep, traj, err);
    const tw_model *m = w->m;
    const tw_config *c = m->cfg;
    size_t nm = m->metrics.n;
    tw_rng_seed(w->rng, c->seed, scenario, rep);
    w->n = 0;
    for (size_t i = 0; i < c->n_tiers; i++) {
        int rc = add_teachers(w, i, (size_t)c->tier_counts[i], err);
        if (rc != TW_OK)
            return rc;
    }
    size_t hires_cum = 0;
    tw_work work = {0};
    record(w, traj, 0, 0, 0);
    for (size_t t = 1; t < m->n_years; t++) {
        work.teacher_years += w->n;
        size_t exits = markov_transitions(w);
        size_t hires = 0;
        switch (c->recruit_mode) {
        case TW_RECRUIT_NONE: hires = 0; break;
        case TW_RECRUIT_REPLACE: hires = exits; break;
        case TW_RECRUIT_QUOTA: hires = (size_t)c->annual_quota; break;
        case TW_N_RECRUIT_MODES: break;
        }
        int rc = add_teachers(w, c->entry_tier, hires, err);
        if (rc != TW_OK)
            return rc;
        hires_cum += hires;
        record(w, traj + t * nm, hires, exits, hires_cum);
    }
    work.draws = tw_rng_draws(w->rng);
    w->last = work;
    return TW_OK;
}
