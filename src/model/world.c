/*
 * world.c - the world of the full model (tw_world.h): its name tables and
 * its allocation. The replicate's records live in store.c, the year in
 * year.c.
 */
#include "tw_world.h"

#include <stdlib.h>

const char *const tw_stage_names[TW_N_STAGES] = {
    "preschool", "primary", "junior", "senior", "vocational"};
const char *const tw_loc_names[TW_N_LOCS] = {"urban", "town", "rural"};
const char *const tw_title_names[TW_N_TITLES] = {
    "none", "third", "second", "first", "senior", "full_senior"};
const char *const tw_qual_names[TW_N_QUALS] = {
    "secondary", "associate", "bachelor", "postgraduate"};
const char *const tw_channel_names[TW_N_CHANNELS] = {
    "open", "funded", "tegang", "talent", "enterprise", "contract", "initial"};
const char *const tw_exit_names[TW_N_EXITS] = {
    "death", "retire", "voluntary", "dismiss", "luopin"};
const char *const tw_hire_policy_names[TW_N_HIRE_POLICIES] = {
    "fill", "quota", "schedule", "replace"};
const char *const tw_phase_names[TW_N_PHASES] = {
    "init", "demand", "leave", "strikes", "develop", "rotate", "compact",
    "recruit", "age"};

tw_world *tw_world_alloc(size_t n_years, size_t n_counties, size_t n_schools)
{
    tw_world *w = calloc(1, sizeof *w);
    if (w == NULL)
        return NULL;
    w->n_years = n_years;
    w->n_counties = n_counties;
    w->n_schools = n_schools;
    w->counties = calloc(n_counties ? n_counties : 1, sizeof *w->counties);
    w->schools = calloc(n_schools ? n_schools : 1, sizeof *w->schools);
    w->params = calloc(n_years ? n_years : 1, sizeof *w->params);
    size_t ncp = n_years * n_counties;
    w->cparams = calloc(ncp > 0 ? ncp : 1, sizeof *w->cparams);
    if (!w->counties || !w->schools || !w->params || !w->cparams) {
        tw_world_free(w);
        return NULL;
    }
    return w;
}

void tw_world_free(tw_world *w)
{
    if (w == NULL)
        return;
    free(w->counties);
    free(w->schools);
    free(w->params);
    free(w->cparams);
    if (!w->closures_borrowed)
        free(w->closures);
    free(w);
}
