/*
 * fixture.h - hand-made worlds and teachers for the process tests.
 *
 * fx_world() builds a world whose every process is switched off and whose
 * parameters are neutral (documented in fixture.c); a test switches on the
 * process it checks and sets its parameters for every year with
 * FX_EACH_YEAR / FX_EACH_COUNTY_YEAR.
 */
#ifndef TW_FIXTURE_H
#define TW_FIXTURE_H

#include "tw_world.h"

typedef struct fx_school {
    int county, stage, loc;
    double students;
} fx_school;

/* A world of n_years years from base_year, n_counties counties (named
 * "c0", "c1", ...), the given schools and n_tiers tiers (named "t0", ...).
 * Abort()s on allocation failure (tests only). */
tw_world *fx_world(int base_year, size_t n_years, size_t n_counties,
                   const fx_school *schools, size_t n_schools,
                   size_t n_tiers);

/* Region-level parameters of every year: FX_EACH_YEAR(w, p) { p->x = 1; } */
#define FX_EACH_YEAR(w, p)                                                 \
    for (size_t fx_t_ = 0; fx_t_ < (w)->n_years; fx_t_++)                 \
        for (tw_params *p = &(w)->params[fx_t_]; p; p = NULL)

/* County parameters of every year and county. */
#define FX_EACH_COUNTY_YEAR(w, cp)                                         \
    for (size_t fx_i_ = 0; fx_i_ < (w)->n_years * (w)->n_counties; fx_i_++) \
        for (tw_county_params *cp = &(w)->cparams[fx_i_]; cp; cp = NULL)

/* A replicate state with an empty population, its stream seeded from
 * (seed, 0, 0). */
tw_sim *fx_sim(const tw_world *w, uint64_t seed);

/* Add a teacher at `school` (also its home), with the given attributes;
 * every counter 0, channel TW_CH_INITIAL, birth month 1. Returns its index. */
size_t fx_add(tw_sim *s, uint32_t school, int birth_year, int sex, int tier,
              int title, int qual, unsigned flags);

/* Teachers not gone. */
size_t fx_alive(const tw_sim *s);

/* Are records a and b equal, field by field (padding ignored)? */
int fx_same_teacher(const tw_teacher *a, const tw_teacher *b);

/* Have a and b the same number of teachers, equal field by field? */
int fx_same_teachers(const tw_sim *a, const tw_sim *b);

/*
 * Counts of one kind of event in R replicates, each of n independent
 * trials of probability q (count[r], r < R), against Binomial(n, q):
 * the total within k standard deviations of R n q, and the dispersion
 * sum_r (count[r] - n q)^2 / (n q (1 - q)) within the central 1 - a of
 * chi-square(R) (by the normal approximation of the binomial), with
 * a = alpha / m and k = Qinv(alpha / (2 m)) for the m comparisons of a
 * test: a correct sampler fails either with probability below alpha.
 * Fails the running Check test with `what` in the message.
 */
void fx_check_binomial_reps(const double *count, int R, double n, double q,
                            double alpha, int m, const char *what);

#endif
