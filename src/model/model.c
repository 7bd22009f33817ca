/*
 * model.c - the model, the workers, and the Markov-mode year
 * (MODEL.md section 4).
 *
 * Markov mode: the state is the headcount of each tier. One year is
 *
 *   1. transitions  for each tier i, one multinomial draw splits its n_i
 *                   teachers over the destinations (every tier, and
 *                   leaving, with probability 1 - row sum)
 *   2. recruitment  "replace": one hire into entry_tier per leaver;
 *                   "quota": annual_quota hires; "none": nobody
 *   3. recording    stock per tier at the end of the year, flows
 *
 * Teachers of one tier are exchangeable and move independently, so the
 * destinations of the n_i teachers of tier i are exactly
 * Multinomial(n_i; P(i,1), ..., P(i,K), q_i): the same distribution as one
 * draw per teacher, at a cost independent of the headcount. The draw is
 * gsl_ran_multinomial, a sequence of conditional binomials. Hence
 * E[n(t+1)] = E[n(t)] P + E[R(t)] e_entry exactly.
 */
#include "tw_model.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>

#include "tw_rng.h"

struct tw_worker {
    const tw_model *m;
    tw_sim *sim;     /* full mode */
    gsl_rng *rng;    /* markov mode */
    uint64_t count[TW_MAX_TIERS]; /* markov mode: headcount per tier */
    double *cum;     /* full mode: [n_counties] cumulative hires */
    tw_work last;    /* of the last replicate */
    /* With a variation (tw_model.var): this replicate's parameters. */
    tw_world *own;   /* full mode: a copy of the world, patched */
    tw_config own_cfg; /* markov mode: a shallow copy, numbers patched */
    double dest[TW_MAX_TIERS][TW_MAX_TIERS + 1]; /* markov: from own_cfg */
};

tw_work tw_worker_last_work(const tw_worker *w)
{
    return w->last;
}

size_t tw_model_traj_len(const tw_model *m)
{
    return m->n_years * m->width;
}

void tw_model_set_parts(tw_model *m, int counties, int schools)
{
    m->n_counties = counties && m->world ? m->world->n_counties : 0;
    m->n_schools = schools && m->world ? m->world->n_schools : 0;
    m->width = m->metrics.n * (1 + m->n_counties) +
               TW_SCHOOL_VALUES * m->n_schools;
}

static int add_metrics(tw_model *m, tw_error *err)
{
    const tw_config *c = m->cfg;
    tw_metric_table *t = &m->metrics;
    char name[TW_METRIC_NAME_MAX];
    long first = -1;
    /* labels as the full model's (record.c), in the region's script */
    int trad = c->script == TW_SCRIPT_TRADITIONAL;
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
    long total = tw_metrics_add(t, err, "teachers.total", "teachers",
                                trad ? "專任教師" : "专任教师",
                                "All teachers at the end of the year");
    long hires = tw_metrics_add(t, err, "hires.total", "teachers/year",
                                trad ? "補充教師" : "补充教师",
                                "Teachers hired during the year");
    long exits = tw_metrics_add(t, err, "exits.total", "teachers/year",
                                trad ? "減員" : "减员",
                                "Teachers who left during the year "
                                "(1 - row sum of the transition matrix)");
    long cum = tw_metrics_add(t, err, "hires.cumulative", "teachers",
                              trad ? "累計補充教師" : "累计补充教师",
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

/* Markov mode: the destination probabilities of each tier's teachers
 * (tw_model.dest) from the transition matrix. */
static void markov_dest(const tw_config *cfg,
                        double dest[TW_MAX_TIERS][TW_MAX_TIERS + 1])
{
    for (size_t i = 0; i < cfg->n_tiers; i++) {
        double acc = 0;
        for (size_t j = 0; j < cfg->n_tiers; j++) {
            acc += cfg->transition[i][j];
            dest[i][j] = cfg->transition[i][j];
        }
        /* leaving: 1 - row sum (0 when rounding takes the sum to 1 or
         * above, as the per-teacher draw u >= row sum did) */
        dest[i][cfg->n_tiers] = acc < 1 ? 1 - acc : 0;
    }
}

void tw_param_blocks(const tw_config *cfg, const tw_world *w,
                     tw_param_block b[TW_N_PBLOCKS])
{
    memset(b, 0, TW_N_PBLOCKS * sizeof *b);
    if (w != NULL) {
        b[TW_PB_STOCK] = (tw_param_block){(void *)w->stock, sizeof w->stock};
        b[TW_PB_PARAMS] = (tw_param_block){
            w->params, w->n_years * sizeof *w->params};
        b[TW_PB_CPARAMS] = (tw_param_block){
            w->cparams, w->n_years * w->n_counties * sizeof *w->cparams};
        b[TW_PB_SCHOOLS] = (tw_param_block){
            w->schools, w->n_schools * sizeof *w->schools};
        return;
    }
    b[TW_PB_TRANSITION] = (tw_param_block){(void *)cfg->transition,
                                           sizeof cfg->transition};
    b[TW_PB_TIERS] = (tw_param_block){(void *)cfg->tier_counts,
                                      sizeof cfg->tier_counts};
    b[TW_PB_QUOTA] = (tw_param_block){(void *)&cfg->annual_quota,
                                      sizeof cfg->annual_quota};
}

void tw_model_set_variation(tw_model *m, const tw_variation *v)
{
    m->var = v;
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
    markov_dest(cfg, m->dest);
    int rc;
    if (cfg->mode == TW_MODE_FULL) {
        m->world = cfg->world;
        rc = tw_fm_build(&m->fm, &m->metrics, m->world, err);
    } else {
        rc = add_metrics(m, err);
    }
    if (rc != TW_OK)
        tw_model_free(m);
    else
        tw_model_set_parts(m, 0, 0);
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
    w->own_cfg = *m->cfg;
    memcpy(w->dest, m->dest, sizeof w->dest);
    if (m->world != NULL) {
        const tw_world *bw = m->world;
        w->sim = tw_sim_alloc(m->world);
        w->cum = calloc(m->world->n_counties + 1, sizeof *w->cum);
        if (m->var != NULL &&
            (w->own = tw_world_alloc(bw->n_years, bw->n_counties,
                                     bw->n_schools)) != NULL) {
            /* what no setting changes, once: the rest per replicate */
            tw_world *o = w->own;
            tw_county *counties = o->counties;
            tw_school *schools = o->schools;
            tw_params *params = o->params;
            tw_county_params *cparams = o->cparams;
            *o = *bw;
            o->counties = counties;
            o->schools = schools;
            o->params = params;
            o->cparams = cparams;
            o->closures_borrowed = 1; /* bw's, never varied */
            memcpy(o->counties, bw->counties,
                   bw->n_counties * sizeof *bw->counties);
        }
        if (w->sim == NULL || w->cum == NULL ||
            (m->var != NULL && w->own == NULL)) {
            tw_sim_free(w->sim);
            tw_world_free(w->own);
            free(w->cum);
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
    tw_world_free(w->own);
    free(w->cum);
    free(w);
}

void tw_var_slot_put(const tw_param_block b[TW_N_PBLOCKS],
                     const tw_var_slot *sl, double v)
{
    unsigned char *dst = (unsigned char *)b[sl->block].p + sl->offset;
    if (sl->type == TW_PT_F64) {
        memcpy(dst, &v, sizeof v);
    } else if (sl->type == TW_PT_I64) {
        int64_t y = (int64_t)llround(v);
        memcpy(dst, &y, sizeof y);
    } else {
        int32_t y = (int32_t)lround(v);
        memcpy(dst, &y, sizeof y);
    }
}

/* This replicate's parameters (tw_variation): the model's blocks copied
 * into the worker's own, then the point's values put in their slots (or
 * the point's whole config, when the variation rebuilds). */
static int vary(tw_worker *w, uint64_t rep, tw_error *err)
{
    const tw_model *m = w->m;
    const tw_variation *v = m->var;
    size_t point = (size_t)(rep / v->per_point);
    if (point >= v->n_points)
        return tw_error_set(err, TW_EFAIL, "replicate %llu has no parameter "
                            "point (%zu points of %zu replicates)",
                            (unsigned long long)rep, v->n_points,
                            v->per_point);
    tw_param_block from[TW_N_PBLOCKS], to[TW_N_PBLOCKS];
    tw_param_blocks(m->cfg, m->world, from);
    tw_param_blocks(&w->own_cfg, w->own, to);
    if (v->rebuild != NULL) {
        int rc = v->rebuild(v->ctx, point, to, err);
        if (rc != TW_OK)
            return rc;
    } else {
        for (int b = 0; b < TW_N_PBLOCKS; b++)
            if (from[b].size > 0)
                memcpy(to[b].p, from[b].p, from[b].size);
        const double *a = v->assign + point * v->n_assign;
        for (size_t k = 0; k < v->n_slots; k++)
            tw_var_slot_put(to, &v->slots[k], a[v->slots[k].assign]);
    }
    if (w->own != NULL)
        tw_sim_set_world(w->sim, w->own);
    else
        markov_dest(&w->own_cfg, w->dest);
    return TW_OK;
}

/* Record the end-of-year stock and flows into `row`. */
static void record(const tw_worker *w, double *row, uint64_t hires,
                   uint64_t exits, uint64_t hires_cum)
{
    const tw_model *m = w->m;
    size_t nt = m->cfg->n_tiers;
    uint64_t total = 0;
    for (size_t i = 0; i < nt; i++) {
        row[m->m_tier0 + i] = (double)w->count[i];
        total += w->count[i];
    }
    row[m->m_total] = (double)total;
    row[m->m_hires] = (double)hires;
    row[m->m_exits] = (double)exits;
    row[m->m_hires_cum] = (double)hires_cum;
}

/* Step 1: the teachers of each tier, in tier order, are split over the
 * destinations by one multinomial draw (in pieces of at most 2^31
 * teachers, gsl_ran_multinomial's unsigned int: a sum of independent
 * multinomials with the same probabilities is multinomial). Returns the
 * number who left. */
static uint64_t markov_transitions(tw_worker *w)
{
    const tw_model *m = w->m;
    size_t nt = m->cfg->n_tiers;
    uint64_t next[TW_MAX_TIERS] = {0}, left = 0;
    unsigned int out[TW_MAX_TIERS + 1];
    for (size_t i = 0; i < nt; i++) {
        uint64_t n = w->count[i];
        while (n > 0) {
            unsigned int piece = n > (1u << 31) ? 1u << 31 : (unsigned int)n;
            gsl_ran_multinomial(w->rng, nt + 1, piece, w->dest[i], out);
            for (size_t j = 0; j < nt; j++)
                next[j] += out[j];
            left += out[nt];
            n -= piece;
        }
    }
    memcpy(w->count, next, sizeof next);
    return left;
}

/* Full mode: a year's row, every part of it (tw_model.h). */
static void record_full(tw_worker *w, double *row, double *hires_cum)
{
    const tw_model *m = w->m;
    const tw_sim *s = w->sim;
    size_t nm = m->metrics.n;
    tw_fm_record(&m->fm, s, row, hires_cum);
    if (m->n_counties > 0)
        tw_fm_record_counties(&m->fm, s, row + nm, nm, w->cum);
    double *v = row + nm * (1 + m->n_counties);
    for (size_t i = 0; i < m->n_schools; i++) {
        double d = s->S[i].demand, h = (double)s->S[i].headcount;
        v[TW_SCHOOL_VALUES * i] = h - d;
        v[TW_SCHOOL_VALUES * i + 1] = h < floor(d + 0.5) ? 1.0 : 0.0;
    }
}

/* Full mode: the initial population, then every year in MODEL.md order. */
static int run_full(tw_worker *w, uint32_t scenario, uint64_t rep,
                    double *traj, tw_error *err)
{
    const tw_model *m = w->m;
    size_t width = m->width;
    double hires_cum = 0;
    int rc = tw_sim_init(w->sim, m->cfg->seed, scenario, rep, err);
    if (rc != TW_OK)
        return rc;
    memset(w->cum, 0, m->world->n_counties * sizeof *w->cum);
    tw_work work = {.draws = tw_rng_draws(w->sim->rng)};
    record_full(w, traj, &hires_cum);
    for (size_t t = 1; t < m->n_years; t++) {
        work.teacher_years += w->sim->n;
        rc = tw_sim_step(w->sim, t, err);
        if (rc != TW_OK)
            return rc;
        record_full(w, traj + t * width, &hires_cum);
    }
    work.draws = tw_rng_draws(w->sim->rng) - work.draws;
    w->last = work;
    return TW_OK;
}

int tw_worker_run(tw_worker *w, uint32_t scenario, uint64_t rep,
                  double *traj, tw_error *err)
{
    if (w->m->var != NULL) {
        int rc = vary(w, rep, err);
        if (rc != TW_OK)
            return rc;
    }
    if (w->sim != NULL)
        return run_full(w, scenario, rep, traj, err);
    const tw_model *m = w->m;
    const tw_config *c = &w->own_cfg;
    size_t nm = m->metrics.n;
    tw_rng_seed(w->rng, c->seed, scenario, rep);
    memset(w->count, 0, sizeof w->count);
    for (size_t i = 0; i < c->n_tiers; i++)
        w->count[i] = (uint64_t)c->tier_counts[i];
    uint64_t hires_cum = 0;
    tw_work work = {0};
    record(w, traj, 0, 0, 0);
    for (size_t t = 1; t < m->n_years; t++) {
        for (size_t i = 0; i < c->n_tiers; i++)
            work.teacher_years += w->count[i];
        uint64_t exits = markov_transitions(w);
        uint64_t hires = 0;
        switch (c->recruit_mode) {
        case TW_RECRUIT_NONE: hires = 0; break;
        case TW_RECRUIT_REPLACE: hires = exits; break;
        case TW_RECRUIT_QUOTA: hires = (uint64_t)c->annual_quota; break;
        case TW_N_RECRUIT_MODES: break;
        }
        w->count[c->entry_tier] += hires;
        hires_cum += hires;
        record(w, traj + t * nm, hires, exits, hires_cum);
    }
    work.draws = tw_rng_draws(w->rng);
    w->last = work;
    return TW_OK;
}
