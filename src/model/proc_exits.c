/*
 * proc_exits.c - the processes that set demand and take teachers out of the
 * stock, and the end-of-year counters (MODEL.md 3.1-3.5 and 3.9):
 *
 *   tw_proc_demand   enrolment, demand per school, county 编制 caps
 *                    (编制: the establishment, posts funded by the state)
 *   tw_proc_deaths   deaths by age band
 *   tw_proc_retire   the 2025 retirement law, with early / late flexibility
 *   tw_proc_exit     voluntary exit; service obligations and retention
 *   tw_proc_strikes  末位退出 (exit through evaluation, document 002)
 *   tw_proc_age      service and other counters, obligations
 *
 * Every process skips TW_F_GONE records, draws from s->rng in the order of
 * s->T, and draws only when the event has a chance to happen.
 */
#include "tw_world.h"

#include "proc_exits.h"

#include <math.h>
#include <string.h>

#include <gsl/gsl_rng.h>

#include "tw_rng.h"

/* The per-teacher steps of the fused passes: inlined into their loops
 * (as calls, retire_one and exit_one cost a fifth of the leave pass). */
#define PER_TEACHER static inline __attribute__((always_inline))

static inline uint8_t sat_inc(uint8_t v)
{
    return v < UINT8_MAX ? (uint8_t)(v + 1) : v;
}

/* ------------------------------------------------------------------ */
/* 1. Enrolment and demand                                            */
/* ------------------------------------------------------------------ */

/*
 * Students, demand and county caps for year s->t. In the base year (t == 0)
 * students are left as tw_sim_init set them (students0); later years follow
 * the series (students0 * index) or the trend of the school's stage and
 * locality. demand = students / ratio * teach_share * (1 + redundancy); a
 * ratio <= 0 (no staffing standard; config validation rejects it) gives
 * demand 0 rather than a division by zero. county_cap[c] is the county's
 * 编制 cap: the sum of its schools' demand.
 */
void tw_proc_demand(tw_sim *s)
{
    const tw_world *w = s->w;
    const tw_params *p = tw_world_params(w, s->t);
    for (size_t c = 0; c < w->n_counties; c++)
        s->county_cap[c] = 0.0;
    for (size_t i = 0; i < w->n_schools; i++) {
        const tw_school *sc = &w->schools[i];
        tw_school_state *st = &s->S[i];
        st->students = school_students(p, sc, s->t, st->students);
        st->demand = school_demand(p, sc->stage, st->students);
        s->county_cap[sc->county] += st->demand;
    }
}

/* ------------------------------------------------------------------ */
/* 2. Deaths                                                          */
/* ------------------------------------------------------------------ */

/* What the exit processes of a year need, computed once per call. */
typedef struct leave_ctx {
    const tw_params *p;
    int year;
    int min_years;  /* retirement: nobody younger (in years) retires */
    int flex;       /* retirement: flex_months, at least 0 */
    /* voluntary exit hazard by home stage, home locality and service band
     * (clamped), and the service band of each service count */
    double hz[TW_N_STAGES][TW_N_LOCS][TW_N_SERVICE_BANDS];
    uint8_t band[256];
    /* the trials of each homogeneous group, as geometric gaps (tw_skip):
     * deaths by age band; voluntary exit by home stage, home locality and
     * service band (the cells of hz) */
    tw_skip death[TW_N_AGE_BANDS];
    tw_skip exit[TW_N_STAGES][TW_N_LOCS][TW_N_SERVICE_BANDS];
} leave_ctx;

/* Which groups' trials leave_ctx_init starts (each draws its first gap). */
enum { LEAVE_DEATHS = 1, LEAVE_EXITS = 2 };

static void leave_ctx_init(leave_ctx *c, const tw_sim *s, int which);

/* Teacher k (not gone) dies with death_rate[band of age at 1 July]: the
 * next trial of the band's group. */
static inline void death_one(tw_sim *s, const tw_teachers *T, leave_ctx *c,
                             size_t k)
{
    if (tw_skip_next(&c->death[death_band(tw_age(T, k, c->year))],
                     s->rng))
        tw_sim_remove(s, k, TW_EXIT_DEATH);
}

/*
 * Each teacher dies this year with death_rate[band of age at 1 July]; the
 * pool is included (its members are still employed). Exit reason
 * TW_EXIT_DEATH.
 */
void tw_proc_deaths(tw_sim *s)
{
    if (!tw_world_params(s->w, s->t)->deaths_on)
        return;
    leave_ctx c;
    leave_ctx_init(&c, s, LEAVE_DEATHS);
    const tw_teachers arrays = s->T, *T = &arrays;
    for (size_t k = 0; k < s->n; k++)
        if (!(T->flags[k] & TW_F_GONE))
            death_one(s, T, &c, k);
}

/* ------------------------------------------------------------------ */
/* 3. Retirement                                                      */
/* ------------------------------------------------------------------ */

/* Nobody retires before the year they reach the lowest old age in force:
 * (b + O) / 12 >= birth_year + O / 12, so teachers with year - birth_year
 * below this need no further work. */
int tw_retire_min_years(const tw_params *p)
{
    int min_old = p->old_age_months[0];
    int fold = p->old_age_months[p->female_category == 2 ? 2 : 1];
    if (fold < min_old)
        min_old = fold;
    if (p->senior_female_old_age_months > 0 &&
        p->senior_female_old_age_months < min_old)
        min_old = p->senior_female_old_age_months;
    return min_old > 0 ? min_old / 12 : 0;
}

int tw_retire_age_months(const tw_params *p, int cat, int old_age_months,
                         int birth_year, int birth_month)
{
    /* A category out of range or a step <= 0 (rejected by validation)
     * means no phase-in: the old age applies. */
    if (cat < 0 || cat > 2 || p->step_months[cat] <= 0)
        return old_age_months;
    long k = month_index(birth_year, birth_month) + old_age_months -
             month_index(p->law_start_year, p->law_start_month);
    if (k < 0)
        return old_age_months;
    long add = k / p->step_months[cat] + 1;
    if (add > p->max_add_months[cat])
        add = p->max_add_months[cat];
    return old_age_months + (int)add;
}

/*
 * Retirement under the 2025 law (POLICY.md). Month indices (year*12 +
 * month-1) of a teacher born in month b:
 *
 *   O = b + old age          earliest month anyone may retire
 *   R = b + statutory age    tw_retire_age_months
 *   E = max(O, R - flex)     earliest month of early retirement
 *   L = R + flex             latest month of an agreed late retirement
 *
 *   year(E) < year(R): one early draw (p_early) in year(E); success retires.
 *   year(R):           one late draw (p_late): success sets TW_F_LATE and
 *                      the teacher retires in year(L); failure retires.
 *
 * So each teacher draws at most once for each option. A teacher whose
 * year(R) is already past when first seen (initial stock) gets the late
 * draw then, unless year(L) is past too; one whose year(E) is past gets no
 * early draw (having not retired yet, they chose to stay). Teachers in the
 * pool retire like the others. Exit reason TW_EXIT_RETIRE.
 */
PER_TEACHER void retire_one(tw_sim *s, const tw_teachers *T,
                            const leave_ctx *c, size_t k)
{
    const tw_params *p = c->p;
    const int year = c->year, flex = c->flex;
    if (year - T->birth_year[k] < c->min_years)
        return;
    int cat, old;
    retire_category(p, T, k, &cat, &old);
    long b = month_index(T->birth_year[k], T->birth_month[k]);
    long R = b + tw_retire_age_months(p, cat, old, T->birth_year[k],
                                      T->birth_month[k]);
    long ry = R / 12;
    int go = 0;
    if (T->flags[k] & TW_F_LATE) {
        go = (R + flex) / 12 <= year;
    } else if (ry <= year) {
        /* statutory year reached (or passed): the one late draw */
        go = 1;
        if ((R + flex) / 12 > year && p->p_late > 0.0 &&
            tw_rng_u01(s->rng) < p->p_late) {
            T->flags[k] |= TW_F_LATE;
            go = 0;
        }
    } else {
        /* before the statutory year (ry > year), so year(E) == year
         * also means year(E) < year(R) */
        long E = R - flex;
        long O = b + old;
        if (E < O)
            E = O;
        go = E / 12 == year && p->p_early > 0.0 &&
             tw_rng_u01(s->rng) < p->p_early;
    }
    if (go)
        tw_sim_remove(s, k, TW_EXIT_RETIRE);
}

void tw_proc_retire(tw_sim *s)
{
    leave_ctx c;
    leave_ctx_init(&c, s, 0);
    if (!c.p->retire_on)
        return;
    const tw_teachers arrays = s->T, *T = &arrays;
    for (size_t k = 0; k < s->n; k++)
        if (!(T->flags[k] & TW_F_GONE))
            retire_one(s, T, &c, k);
}

/* ------------------------------------------------------------------ */
/* 4. Voluntary exit                                                  */
/* ------------------------------------------------------------------ */

/*
 * Voluntary exit (TW_EXIT_VOLUNTARY). hazard = exit_base[stage] *
 * exit_loc_factor[locality] * exit_service_factor[band], stage and
 * locality of the home school, clamped to [0, 1]. Zero while a service
 * obligation runs. In the year after an obligation ended (TW_F_OBL_END),
 * the teacher leaves with 1 - retention[channel] instead of the hazard,
 * and the flag is cleared. Pool members face the hazard too. When the
 * process is off nobody leaves, but TW_F_OBL_END is still cleared, so
 * that a retention decision never fires years late.
 */
PER_TEACHER void exit_one(tw_sim *s, const tw_teachers *T, leave_ctx *c,
                          size_t k)
{
    int go;
    if (T->flags[k] & TW_F_OBL_END) {
        /* rare (one year per obligation): one uniform */
        T->flags[k] &= (uint8_t)~TW_F_OBL_END;
        double q = exit_after_obligation(c->p, T->channel[k]);
        go = q > 0.0 && tw_rng_u01(s->rng) < q;
    } else if (T->obligation[k] > 0) {
        return;
    } else {
        const tw_school *h = &s->w->schools[T->home[k]];
        go = tw_skip_next(
            &c->exit[h->stage][h->locality][c->band[T->service[k]]], s->rng);
    }
    if (go)
        tw_sim_remove(s, k, TW_EXIT_VOLUNTARY);
}

/* Without voluntary exit nobody leaves, but TW_F_OBL_END is still
 * cleared, so that a retention decision never fires years late. */
static inline void exit_off(const tw_teachers *T, size_t k)
{
    T->flags[k] &= (uint8_t)~TW_F_OBL_END;
}

void tw_proc_exit(tw_sim *s)
{
    leave_ctx c;
    leave_ctx_init(&c, s, tw_world_params(s->w, s->t)->exit_on ? LEAVE_EXITS
                                                                : 0);
    const tw_teachers arrays = s->T, *T = &arrays;
    for (size_t k = 0; k < s->n; k++) {
        if (!c.p->exit_on)
            exit_off(T, k);
        else if (!(T->flags[k] & TW_F_GONE))
            exit_one(s, T, &c, k);
    }
}

/*
 * Deaths, retirement and voluntary exit in one pass: each teacher meets
 * the three in that order, as tw_sim_step would by calling the three
 * processes in turn (a teacher's fate in one never depends on another
 * teacher's), with one sweep over the records instead of three. The
 * random numbers are drawn teacher by teacher, so the stream differs
 * from three separate calls, not the distribution.
 */
void tw_proc_leave(tw_sim *s)
{
    const tw_params *p = tw_world_params(s->w, s->t);
    const int deaths = p->deaths_on, retire = p->retire_on;
    const int exit_on = p->exit_on;
    leave_ctx c;
    leave_ctx_init(&c, s, (deaths ? LEAVE_DEATHS : 0) |
                              (exit_on ? LEAVE_EXITS : 0));
    tw_teachers arrays = s->T, *T = &arrays;
    for (size_t k = 0; k < s->n; k++) {
        if (T->flags[k] & TW_F_GONE)
            continue;
        if (deaths) {
            death_one(s, T, &c, k);
            if (T->flags[k] & TW_F_GONE)
                continue;
        }
        if (retire) {
            retire_one(s, T, &c, k);
            if (T->flags[k] & TW_F_GONE)
                continue;
        }
        if (exit_on)
            exit_one(s, T, &c, k);
        else
            exit_off(T, k);
    }
}

static void leave_ctx_init(leave_ctx *c, const tw_sim *s, int which)
{
    const tw_params *p = tw_world_params(s->w, s->t);
    c->p = p;
    c->year = s->year;
    c->flex = p->flex_months > 0 ? p->flex_months : 0;
    c->min_years = tw_retire_min_years(p);
    for (int v = 0; v < 256; v++)
        c->band[v] = (uint8_t)service_band(p, v);
    for (int g = 0; g < TW_N_STAGES; g++)
        for (int l = 0; l < TW_N_LOCS; l++)
            for (int b = 0; b < TW_N_SERVICE_BANDS; b++)
                c->hz[g][l][b] = exit_hazard(p, g, l, b);
    if (which & LEAVE_DEATHS)
        for (int a = 0; a < TW_N_AGE_BANDS; a++)
            tw_skip_init(&c->death[a], s->rng, p->death_rate[a]);
    if (which & LEAVE_EXITS)
        for (int g = 0; g < TW_N_STAGES; g++)
            for (int l = 0; l < TW_N_LOCS; l++)
                for (int b = 0; b < TW_N_SERVICE_BANDS; b++)
                    tw_skip_init(&c->exit[g][l][b], s->rng, c->hz[g][l][b]);
}

/* ------------------------------------------------------------------ */
/* 5. 末位退出 (exit through evaluation)                               */
/* ------------------------------------------------------------------ */

/* Move teacher x (2nd strike, 调离转岗: transfer to another post) to
 * another school of schools[lo, hi) (its county) of the same stage,
 * uniformly; it stays when there is none. */
static void strike_move(tw_sim *s, tw_teachers *T, size_t k, size_t lo,
                        size_t hi)
{
    const tw_school *sch = s->w->schools;
    unsigned stage = sch[T->home[k]].stage;
    unsigned long m = 0;
    for (size_t i = lo; i < hi; i++)
        m += sch[i].stage == stage && i != T->home[k] && tw_sim_open(s, i);
    if (m == 0)
        return;
    unsigned long j = tw_rng_uint(s->rng, m);
    for (size_t i = lo; i < hi; i++) {
        if (sch[i].stage != stage || i == T->home[k] || !tw_sim_open(s, i))
            continue;
        if (j-- == 0) {
            T->school[k] = T->home[k] = (uint32_t)i;
            T->at_school[k] = 0;
            T->term_left[k] = 0;
            return;
        }
    }
}

/*
 * 末位退出 (document 002: 首次取消目标绩效、再次调离转岗、三次落聘退出 -
 * first strike: target performance pay withheld; second: transferred; third:
 * dismissed). In each county with strikes_on, exactly round(strike_share *
 * N) of the N teachers whose home school is in the county (not gone, not in
 * the pool) get a strike. Performance is not modelled, so the "last
 * ranked" are drawn uniformly without replacement (partial Fisher-Yates).
 * 1st strike: no headcount effect; 2nd: moved to another school of the
 * same county and stage (home too; ends an exchange term); 3rd: dismissed
 * (TW_EXIT_DISMISS). Counts s->f.strikes[0..2].
 *
 * Relies on w->schools being grouped by county (tw_world.h): teachers are
 * bucketed by home school (counting sort into s->idx, offsets in
 * s->sscratch), so each county's teachers form one contiguous run.
 */
void tw_proc_strikes(tw_sim *s)
{
    const tw_world *w = s->w;
    const size_t ns = w->n_schools;
    if (!strikes_any(w, s->t) || ns == 0)
        return;

    /* off[i] .. off[i+1]: slots of school i's eligible teachers in idx */
    uint32_t *off = s->sscratch; /* n_schools + 1 <= 8 * n_schools */
    for (size_t i = 0; i <= ns; i++)
        off[i] = 0;
    const tw_teachers arrays = s->T, *T = &arrays;
    for (size_t k = 0; k < s->n; k++) {
        if (!(T->flags[k] & (TW_F_GONE | TW_F_POOL)))
            off[T->home[k] + 1]++;
    }
    for (size_t i = 0; i < ns; i++)
        off[i + 1] += off[i];
    /* fill using off[i] as a cursor; afterwards off[i] is school i's end,
     * i.e. the start of school i+1 */
    for (size_t k = 0; k < s->n; k++) {
        if (!(T->flags[k] & (TW_F_GONE | TW_F_POOL)))
            s->idx[off[T->home[k]]++] = (uint32_t)k;
    }

    size_t lo = 0;
    while (lo < ns) {
        size_t c = w->schools[lo].county, hi = lo + 1;
        while (hi < ns && w->schools[hi].county == c)
            hi++;
        const tw_county_params *cp = tw_world_cparams(w, s->t, c);
        size_t first = lo > 0 ? off[lo - 1] : 0, last = off[hi - 1];
        size_t n = last - first;
        if (cp->strikes_on && n > 0) {
            double want = round(cp->strike_share * (double)n);
            size_t m = want <= 0.0 ? 0
                       : want >= (double)n ? n
                                           : (size_t)want;
            uint32_t *v = s->idx + first;
            for (size_t i = 0; i < m; i++) {
                size_t j = i + tw_rng_uint(s->rng, n - i);
                uint32_t tmp = v[i];
                v[i] = v[j];
                v[j] = tmp;
            }
            for (size_t i = 0; i < m; i++) {
                uint8_t *strikes = &s->T.strikes[v[i]];
                *strikes = sat_inc(*strikes);
                if (*strikes == 1) {
                    TW_FLOW_ADD(s, c, strikes[0], 1);
                } else if (*strikes == 2) {
                    TW_FLOW_ADD(s, c, strikes[1], 1);
                    strike_move(s, &s->T, v[i], lo, hi);
                } else {
                    TW_FLOW_ADD(s, c, strikes[2], 1);
                    tw_sim_remove(s, v[i], TW_EXIT_DISMISS);
                }
            }
        }
        lo = hi;
    }
}

/* ------------------------------------------------------------------ */
/* 9. Ageing and counters                                             */
/* ------------------------------------------------------------------ */

/*
 * End of the year, for every teacher not gone: service, years at the home
 * school, in the tier and in the title +1 (saturating at 255); rural
 * service +1 when the school taught at is 乡村 (rural) and the teacher is
 * not in the 待岗培训 pool (pool members teach nowhere); a running service
 * obligation counts down and, when it reaches 0, TW_F_OBL_END marks next
 * year's retention decision; TW_F_NEW is cleared. Exchange terms and pool
 * years belong to tw_proc_rotate.
 */
static inline void age_one(const tw_school *sch, tw_teachers *T, size_t k)
{
    T->service[k] = sat_inc(T->service[k]);
    T->at_school[k] = sat_inc(T->at_school[k]);
    T->in_tier[k] = sat_inc(T->in_tier[k]);
    T->in_title[k] = sat_inc(T->in_title[k]);
    if (!(T->flags[k] & TW_F_POOL) &&
        sch[T->school[k]].locality == TW_LOC_RURAL)
        T->rural[k] = sat_inc(T->rural[k]);
    if (T->obligation[k] > 0 && --T->obligation[k] == 0)
        T->flags[k] |= TW_F_OBL_END;
    T->flags[k] &= (uint8_t)~TW_F_NEW;
}

void tw_proc_age(tw_sim *s)
{
    const tw_school *sch = s->w->schools;
    for (size_t k = 0; k < s->n; k++)
        if (!(s->T.flags[k] & TW_F_GONE))
            age_one(sch, &s->T, k);
}

/* The headcounts and the tally, in one pass; with `age`, each teacher is
 * aged first (the tally reads nothing that ageing changes but what it
 * changes for the teacher at hand). */
static void end_pass(tw_sim *s, int age)
{
    const tw_school *sch = s->w->schools;
    const size_t nc = s->w->n_counties;
    tw_tally *ct = s->ctally;
    memset(ct, 0, (nc ? nc : 1) * sizeof *ct);
    for (size_t i = 0; i < s->w->n_schools; i++)
        s->S[i].headcount = 0;
    tw_teachers arrays = s->T, *T = &arrays;
    for (size_t k = 0; k < s->n; k++) {
        if (T->flags[k] & TW_F_GONE)
            continue;
        if (age)
            age_one(sch, T, k);
        if (!(T->flags[k] & TW_F_POOL))
            s->S[T->school[k]].headcount++;
        tw_tally_add(&ct[sch[T->home[k]].county], sch, T, k, s->year);
    }
    memset(&s->tally, 0, sizeof s->tally);
    for (size_t c = 0; c < nc; c++)
        tw_tally_sum(&s->tally, &ct[c]);
}

void tw_sim_tally(tw_sim *s)
{
    end_pass(s, 0);
}

/* tw_proc_age, then tw_sim_tally, in one pass. */
void tw_proc_age_tally(tw_sim *s)
{
    end_pass(s, 1);
}
