/*
 * check_config.c - the config loader: good files load, and every kind of
 * mistake fails with exit code 2 and a message naming file:line and key.
 */
#include <stdlib.h>
#include <string.h>

#include "tw_config.h"
#include "tw_tests.h"
#include "../src/io/config_priv.h" /* tw_utf8_problem */

#define D TW_TEST_DATA "/"

/* Load `file` with overrides and expect failure whose message contains
 * every one of the NULL-terminated substrings. */
static void expect_fail(const char *file, const char *const *sets,
                        size_t n_sets, const char *const *want)
{
    tw_error err;
    tw_config *cfg = (tw_config *)1;
    int rc = tw_config_load(file, sets, n_sets, &cfg, &err);
    ck_assert_int_eq(rc, TW_EINPUT);
    ck_assert_ptr_null(cfg);
    for (; *want != NULL; want++)
        ck_assert_msg(strstr(err.msg, *want) != NULL,
                      "message lacks \"%s\":\n%s", *want, err.msg);
}

#define FAIL_WITH(file, ...)                                               \
    do {                                                                   \
        const char *const want_[] = {__VA_ARGS__, NULL};                   \
        expect_fail(file, NULL, 0, want_);                                 \
    } while (0)

#define SET_FAIL_WITH(set, ...)                                            \
    do {                                                                   \
        const char *const sets_[] = {set};                                 \
        const char *const want_[] = {__VA_ARGS__, NULL};                   \
        expect_fail(D "good.cfg", sets_, 1, want_);                        \
    } while (0)

START_TEST(test_good_loads)
{
    tw_error err;
    tw_config *c = NULL;
    ck_assert_int_eq(tw_config_load(D "good.cfg", NULL, 0, &c, &err), TW_OK);
    ck_assert_int_eq(c->mode, TW_MODE_MARKOV);
    ck_assert_int_eq(c->base_year, 2020);
    ck_assert_int_eq(c->end_year, 2025);
    ck_assert_uint_eq(tw_config_n_years(c), 6);
    ck_assert_uint_eq(c->replicates, 10);
    ck_assert_uint_eq(c->n_tiers, 2);
    ck_assert_str_eq(c->tier_names[1], "b");
    ck_assert_double_eq(c->transition[0][1], 0.25);
    ck_assert_int_eq(c->tier_counts[0], 100);
    ck_assert_int_eq(c->recruit_mode, TW_RECRUIT_REPLACE);
    ck_assert_uint_eq(c->entry_tier, 0);
    ck_assert_ptr_nonnull(strstr(c->text, "transition"));
    ck_assert_ptr_nonnull(strstr(c->effective, "tier_counts"));
    tw_config_free(c);
}
END_TEST

START_TEST(test_include)
{
    tw_error err;
    tw_config *c = NULL;
    ck_assert_int_eq(tw_config_load(D "inc_main.cfg", NULL, 0, &c, &err),
                     TW_OK);
    ck_assert_uint_eq(c->n_tiers, 2);
    /* the effective text has the included settings inlined */
    ck_assert_ptr_nonnull(strstr(c->effective, "tier_counts"));
    ck_assert_ptr_null(strstr(c->text, "tier_counts"));
    tw_config_free(c);
    /* an error inside an included file names that file and its line */
    FAIL_WITH(D "inc_bad_main.cfg", "inc_bad_part.cfg:9:",
              "unknown key 'tier_count'", "did you mean 'tier_counts'");
    FAIL_WITH(D "missing_inc.cfg", "no_such_file.cfg");
    FAIL_WITH(D "cycle.cfg", "cycle.cfg", "@include cycle");
}
END_TEST

START_TEST(test_typo_suggests)
{
    FAIL_WITH(D "typo.cfg", "typo.cfg:10:", "unknown key 'transtion'",
              "did you mean 'transition'?");
}
END_TEST

START_TEST(test_bad_values)
{
    FAIL_WITH(D "bad_prob.cfg", "bad_prob.cfg:12:", "tiers.transition",
              "1.5 is not a probability");
    FAIL_WITH(D "row_sum.cfg", "row_sum.cfg:11:", "sums to 1.2",
              "cannot exceed 1");
    FAIL_WITH(D "neg_count.cfg", "neg_count.cfg:16:", "teachers.tier_counts",
              "-5");
    FAIL_WITH(D "years.cfg", "years.cfg:4:", "simulation.end_year",
              "not after base_year 2020");
    FAIL_WITH(D "wrong_type.cfg", "wrong_type.cfg:5:",
              "simulation.replicates", "expected a whole number, got a string");
    FAIL_WITH(D "bad_entry.cfg", "bad_entry.cfg:20:",
              "recruitment.entry_tier", "\"c\" is not one of tiers.names");
    FAIL_WITH(D "syntax.cfg", "syntax.cfg:6:", "syntax error");
    FAIL_WITH(D "no_tiers.cfg", "missing section 'tiers'");
    FAIL_WITH(D "does_not_exist.cfg", "does_not_exist.cfg",
              "cannot open the config file");
}
END_TEST

START_TEST(test_overrides)
{
    tw_error err;
    tw_config *c = NULL;
    const char *const sets[] = {"simulation.replicates=7",
                                "tiers.transition=([0.1,0.2],[0.3,0.4])",
                                "recruitment.mode=quota",
                                "recruitment.annual_quota=12",
                                "recruitment.entry_tier=b"};
    ck_assert_int_eq(tw_config_load(D "good.cfg", sets, 5, &c, &err), TW_OK);
    ck_assert_uint_eq(c->replicates, 7);
    ck_assert_double_eq(c->transition[1][0], 0.3);
    ck_assert_int_eq(c->recruit_mode, TW_RECRUIT_QUOTA);
    ck_assert_int_eq(c->annual_quota, 12);
    ck_assert_uint_eq(c->entry_tier, 1);
    ck_assert_uint_eq(c->n_overrides, 5);
    ck_assert_str_eq(c->overrides[3], "recruitment.annual_quota=12");
    ck_assert_ptr_nonnull(strstr(c->effective, "annual_quota = 12"));
    tw_config_free(c);

    SET_FAIL_WITH("simulation.replicats=5", "unknown key",
                  "did you mean 'simulation.replicates'?");
    SET_FAIL_WITH("simulation.replicates=-1", "--set simulation.replicates=-1",
                  "out of range");
    SET_FAIL_WITH("simulation.replicates=many", "cannot read the value");
    SET_FAIL_WITH("simulation.replicates=2.5", "expected a whole number");
    SET_FAIL_WITH("simulation.mode=fuzzy", "\"fuzzy\" is not a valid value");
    SET_FAIL_WITH("recruitment.mode=quota", "has no 'annual_quota'");
    SET_FAIL_WITH("simulation", "expected key.path=value");
    SET_FAIL_WITH("tiers=3", "is a group");
    SET_FAIL_WITH("simulation.seed=1; x = 2", "cannot read the value");
}
END_TEST

#define FULL D "full_small.cfg"

/* A target's scope and county: read, and checked against the counties. */
START_TEST(test_target_scope)
{
    tw_error err;
    tw_config *c = NULL;
    const char *const sets[] = {
        "targets=({ name = \"a\"; metric = \"teachers.total\"; kind = "
        "\"level\"; op = \">=\"; value = 1.0; year = 2025; quote = \"q\"; "
        "source = \"s\"; scope = \"county\"; county = \"south\"; },"
        "{ name = \"b\"; metric = \"teachers.total\"; kind = \"level\"; "
        "op = \">=\"; value = 1.0; year = 2025; quote = \"q\"; source = "
        "\"s\"; scope = \"each_county\"; },"
        "{ name = \"c\"; metric = \"teachers.total\"; kind = \"level\"; "
        "op = \">=\"; value = 1.0; year = 2025; quote = \"q\"; source = "
        "\"s\"; })"};
    ck_assert_int_eq(tw_config_load(FULL, sets, 1, &c, &err), TW_OK);
    ck_assert_uint_eq(c->n_targets, 3);
    ck_assert_int_eq(c->targets[0].scope, TW_SCOPE_COUNTY);
    ck_assert_str_eq(c->targets[0].county, "south");
    ck_assert_int_eq(c->targets[1].scope, TW_SCOPE_EACH_COUNTY);
    ck_assert_ptr_null(c->targets[1].county);
    ck_assert_int_eq(c->targets[2].scope, TW_SCOPE_REGION);
    ck_assert_ptr_null(c->targets[2].county);
    tw_config_free(c);
}
END_TEST

START_TEST(test_full_loads)
{
    tw_error err;
    tw_config *c = NULL;
    ck_assert_msg(tw_config_load(FULL, NULL, 0, &c, &err) == TW_OK, "%s",
                  err.msg);
    ck_assert_int_eq(c->mode, TW_MODE_FULL);
    const tw_world *w = c->world;
    ck_assert_ptr_nonnull(w);
    ck_assert_uint_eq(w->n_counties, 2);
    ck_assert_str_eq(w->counties[1].name, "south");
    /* 4 + 6 + 2 + 3 + 5 + 2 + 1 schools, grouped by county */
    ck_assert_uint_eq(w->n_schools, 23);
    for (size_t i = 1; i < w->n_schools; i++)
        ck_assert_uint_le(w->schools[i - 1].county, w->schools[i].county);
    /* a block's students are split over its schools, in total */
    double primary_urban = 0;
    for (size_t i = 0; i < w->n_schools; i++)
        if (w->schools[i].stage == TW_STAGE_PRIMARY &&
            w->schools[i].locality == TW_LOC_URBAN)
            primary_urban += w->schools[i].students0;
    ck_assert_double_eq_tol(primary_urban, 8000.0, 1e-6);
    ck_assert_int_eq(w->stock[TW_STAGE_JUNIOR].count, 300);
    ck_assert_double_eq_tol(w->stock[TW_STAGE_VOCATIONAL].dual_share, 0.5,
                            1e-12);
    /* national defaults fill what the region leaves out ... */
    const tw_params *p = tw_world_params(w, 1);
    ck_assert_double_eq_tol(p->ratio[TW_STAGE_PRIMARY], 19.0, 1e-12);
    ck_assert_int_eq(p->old_age_months[0], 720);
    ck_assert_int_eq(p->female_category, 1);
    /* ... and the region's own keys win, key by key */
    const tw_county_params *cp = tw_world_cparams(w, 1, 0);
    ck_assert_double_eq_tol(cp->transfer_rate, 0.03, 1e-12);
    ck_assert_double_eq_tol(cp->exchange_share, 0.10, 1e-12);
    ck_assert_int_eq(cp->ch[TW_CH_FUNDED].cohort, 5);
    ck_assert_int_eq(cp->ch[TW_CH_FUNDED].obligation, 6);
    ck_assert_int_eq(cp->n_order, 3);
    ck_assert_int_eq(cp->order[1], TW_CH_TEGANG);
    ck_assert_int_eq(cp->ch[TW_CH_TEGANG].loc_mask, 1 << TW_LOC_RURAL);
    ck_assert_int_eq(cp->backbone_tier, 1);
    ck_assert_int_eq(p->tier_cap[2], 60);
    tw_config_free(c);

    /* by-stage groups merge member by member with the national defaults */
    const char *const sets[] = {"exit.base.primary=0.02"};
    ck_assert_int_eq(tw_config_load(FULL, sets, 1, &c, &err), TW_OK);
    p = tw_world_params(c->world, 1);
    ck_assert_double_eq_tol(p->exit_base[TW_STAGE_PRIMARY], 0.02, 1e-12);
    ck_assert_double_eq_tol(p->exit_base[TW_STAGE_JUNIOR], 0.012, 1e-12);
    tw_config_free(c);
}
END_TEST

START_TEST(test_full_timeline)
{
    tw_error err;
    tw_config *c = NULL;
    ck_assert_int_eq(tw_config_load(FULL, NULL, 0, &c, &err), TW_OK);
    const tw_world *w = c->world;
    /* 县管校聘: north (county 0) from 2022, everywhere from 2024 */
    for (size_t t = 0; t < w->n_years; t++) {
        int year = w->base_year + (int)t;
        ck_assert_int_eq(tw_world_cparams(w, t, 0)->reform, year >= 2022);
        ck_assert_int_eq(tw_world_cparams(w, t, 1)->reform, year >= 2024);
        ck_assert_int_eq(tw_world_cparams(w, t, 1)->strikes_on, year >= 2024);
    }
    tw_config_free(c);
}
END_TEST

/* The key side of a --set: the forms, and what is wrong with a bad one. */
START_TEST(test_set_paths)
{
    tw_set_path p;
    char why[1024];
    ck_assert_int_eq(tw_set_path_parse("tiers.capacity[3]@2023", &p, why,
                                       sizeof why), 0);
    ck_assert_int_eq(p.form, TW_SET_KEY);
    ck_assert_str_eq(p.key, "tiers.capacity");
    ck_assert_int_eq(p.index, 3);
    ck_assert_int_eq(p.year, 2023);
    ck_assert_int_eq(tw_set_path_kind(&p), K_INT);
    ck_assert_int_eq(tw_set_path_parse("county.南明区.recruitment.quota", &p,
                                       why, sizeof why), 0);
    ck_assert_int_eq(p.form, TW_SET_COUNTY);
    ck_assert_str_eq(p.scope, "南明区");
    ck_assert_str_eq(p.key, "recruitment.quota");
    ck_assert_int_eq(p.index, -1);
    ck_assert_int_eq(tw_set_path_parse("timeline.pilot.set.titles.prob[1]",
                                       &p, why, sizeof why), 0);
    ck_assert_int_eq(p.form, TW_SET_TIMELINE);
    ck_assert_str_eq(p.scope, "pilot");
    ck_assert_str_eq(p.key, "titles.prob");
    ck_assert_int_eq(tw_set_path_kind(&p), K_FLOAT);
    ck_assert_int_eq(tw_set_path_parse("enrolment.trend.primary[2]", &p, why,
                                       sizeof why), 0);
    ck_assert_int_eq(tw_set_path_parse("recruitment.channels.open.cohort@2024",
                                       &p, why, sizeof why), 0);

    ck_assert_int_eq(tw_set_path_parse("population.stages[2].tiers[1]", &p,
                                       why, sizeof why), 0);
    ck_assert_int_eq(p.form, TW_SET_KEY);
    ck_assert_str_eq(p.list, "population.stages");
    ck_assert_int_eq(p.elem, 2);
    ck_assert_str_eq(p.key, "population.stages[].tiers");
    ck_assert_str_eq(p.name, "population.stages[2].tiers");
    ck_assert_int_eq(p.index, 1);
    ck_assert_int_eq(tw_set_path_kind(&p), K_FLOAT);
    ck_assert_int_eq(tw_set_path_parse("population.stages[*].count", &p, why,
                                       sizeof why), 0);
    ck_assert_int_eq(p.elem, TW_SET_EVERY);
    ck_assert_str_eq(p.name, "population.stages[*].count");
    ck_assert_int_eq(p.index, -1);
    ck_assert_int_eq(tw_set_path_kind(&p), K_INT);
    ck_assert_int_eq(tw_set_path_parse("tiers.capacity", &p, why,
                                       sizeof why), 0);
    ck_assert_str_eq(p.list, "");
    ck_assert_int_eq(p.elem, -1);
    ck_assert_str_eq(p.name, "tiers.capacity");

    static const struct {
        const char *path, *want;
    } bad[] = {
        {"population.stages[0].femal", "unknown key 'femal' in an element "
                                       "of population.stages (did you mean "
                                       "'female'?)"},
        {"population.stages[*].tiers[*]", "not of an array"},
        {"tiers.capacity[*]", "not of an array"},
        {"population.stages[0].female@2023", "cannot change by year"},
        {"county.north.population.stages[0].female", "per county"},
        {"timeline.a.set.population.stages[0].female", "per county or in a "
                                                       "timeline entry"},
        {"population.stages[x].female", "[i], i = 0, 1, ..., or [*]"},
        {"populaton.stages[0].female", "unknown key 'populaton.stages'"},
        {"tiers.capacity[0].x", "LIST[i].KEY addresses a key of an element"},
        {"timeline[0].year", "addressed by its name"},
        {"population.stages[0]", "is a list of groups: address a key"},
        {"population.stages[*]", "address a key of every element as "
                                 "population.stages[*].KEY"},
        {"population.stages[0].stage[1]", "[i] addresses an element of a "
                                          "number array"},
        {"tiers.capacity.3", "address an element as 'tiers.capacity[3]'"},
        {"tiers.capacty[3]", "did you mean 'tiers.capacity'"},
        {"tiers.names[0]", "[i] addresses an element of a number array"},
        {"tiers.prob[x]", "an index is written [i]"},
        {"simulation.seed@2023", "cannot change by year"},
        {"recruitment.quota@next", "is not a year"},
        {"county.north.tiers.prob", "is region-wide"},
        {"timeline.a.set.rotation.reform@2023", "takes no @YEAR"},
        {"timeline.a.rotation.reform", "expected timeline.NAME.set.KEY"},
        {"simulation.seed.x", "takes a whole number; it has no keys"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ck_assert_msg(tw_set_path_parse(bad[i].path, &p, why, sizeof why) != 0,
                      "%s parsed", bad[i].path);
        ck_assert_msg(strstr(why, bad[i].want) != NULL, "%s: %s",
                      bad[i].path, why);
    }
    ck_assert_int_eq(tw_config_key_type("tiers.capacity[3]", NULL),
                     TW_KEY_WHOLE);
    ck_assert_int_eq(tw_config_key_type("tiers.prob[0]@2023", NULL),
                     TW_KEY_NUMBER);
    ck_assert_int_eq(tw_config_key_type("county.north.rotation.share", NULL),
                     TW_KEY_NUMBER);
    ck_assert_int_eq(tw_config_key_type("tiers.prob.0", NULL),
                     TW_KEY_UNKNOWN);
    ck_assert_int_eq(tw_config_key_type("population.stages[0].female", NULL),
                     TW_KEY_NUMBER);
    ck_assert_int_eq(tw_config_key_type("population.stages[*].count", NULL),
                     TW_KEY_WHOLE);
}
END_TEST

static tw_config *load_full(const char *const *sets, size_t n)
{
    tw_error err;
    tw_config *c = NULL;
    int rc = tw_config_load(TW_TEST_DATA "/full_small.cfg", sets, n, &c, &err);
    ck_assert_msg(rc == TW_OK, "%s", err.msg);
    return c;
}

/* --set KEY=V wins over the timeline in every year and says which entry
 * it overrode; KEY@YEAR from YEAR on; an element; a county. Guarded
 * against the config's own values (full_small.cfg: evaluation from 2024
 * with share 0.02; 县管校聘 in north from 2022, everywhere from 2024). */
START_TEST(test_set_precedence)
{
    const char *const every[] = {"evaluation.share=0.05",
                                 "evaluation.enabled=true"};
    tw_config *c = load_full(every, 2);
    const tw_world *w = c->world;
    for (size_t t = 0; t < w->n_years; t++) {
        ck_assert_double_eq(tw_world_cparams(w, t, 1)->strike_share, 0.05);
        ck_assert_int_eq(tw_world_cparams(w, t, 1)->strikes_on, 1);
    }
    /* one line per --set and entry, naming the entry's line and year */
    ck_assert_uint_eq(c->n_notes, 2);
    ck_assert_ptr_nonnull(strstr(c->notes[0], "--set evaluation.share=0.05 "
                                 "overrides the timeline entry at "));
    ck_assert_ptr_nonnull(strstr(c->notes[0], "full_small.cfg:68 (2024) "
                                 "for every year"));
    /* the effective config reproduces it: the entry no longer sets it */
    tw_config *again = NULL;
    tw_error err;
    FILE *f = fopen("precedence_effective.cfg", "w");
    ck_assert_ptr_nonnull(f);
    fputs(c->effective, f);
    fclose(f);
    ck_assert_int_eq(tw_config_load("precedence_effective.cfg", NULL, 0,
                                    &again, &err), TW_OK);
    ck_assert_double_eq(tw_world_cparams(again->world, 5, 1)->strike_share,
                        0.05);
    ck_assert_uint_eq(again->n_notes, 0);
    tw_config_free(again);
    remove("precedence_effective.cfg");
    ck_assert_ptr_nonnull(strstr(c->by_year, "evaluation.share\t*\t0.05\t"));
    tw_config_free(c);

    const char *const from[] = {"rotation.reform@2023=false",
                                "tiers.prob[1]=0.2",
                                "tiers.prob[2]@2022=0.5"};
    c = load_full(from, 3);
    w = c->world;
    for (size_t t = 0; t < w->n_years; t++) {
        int year = w->base_year + (int)t;
        ck_assert_int_eq(tw_world_cparams(w, t, 0)->reform,
                         year == 2022);
        ck_assert_int_eq(tw_world_cparams(w, t, 1)->reform, 0);
        ck_assert_double_eq(w->params[t].tier_prob[1], 0.2);
        ck_assert_double_eq(w->params[t].tier_prob[0], 0.15);
        ck_assert_double_eq(w->params[t].tier_prob[2],
                            year >= 2022 ? 0.5 : 0.03);
    }
    ck_assert_uint_eq(c->n_notes, 1); /* the 2024 entry; 2022's is before */
    ck_assert_ptr_nonnull(strstr(c->notes[0], "(2024) from 2023 on"));
    tw_config_free(c);

    /* a county's value: south has the reform in every year; north keeps
     * its own; the 2024 entry for everyone is overridden in south only */
    const char *const county[] = {"county.south.rotation.reform=true",
                                  "county.north.rotation.share@2023=0.3"};
    c = load_full(county, 2);
    w = c->world;
    for (size_t t = 0; t < w->n_years; t++) {
        int year = w->base_year + (int)t;
        ck_assert_int_eq(tw_world_cparams(w, t, 1)->reform, 1);
        ck_assert_int_eq(tw_world_cparams(w, t, 0)->reform, year >= 2022);
        if (year >= 2023)
            ck_assert_double_eq(tw_world_cparams(w, t, 0)->exchange_share,
                                0.3);
        ck_assert_double_ne(tw_world_cparams(w, t, 1)->exchange_share, 0.3);
    }
    ck_assert_uint_eq(c->n_notes, 1);
    ck_assert_ptr_nonnull(strstr(c->notes[0], "(2024) in south for every "
                                 "year"));
    tw_config_free(c);
}
END_TEST

/* A county's element of a county-level array, under an entry of a later
 * year for every county: the entry's array with the element replaced, in
 * that county only; and a scenario's set takes the same paths. */
START_TEST(test_set_county_element)
{
    const char *const sets[] = {
        "timeline=({ year = 2023; set = { recruitment = { fill_prob = "
        "[0.9, 0.8, 0.7]; }; }; })",
        "county.north.recruitment.fill_prob[2]=0.5"};
    tw_config *c = load_full(sets, 2);
    const tw_world *w = c->world;
    for (size_t t = 0; t < w->n_years; t++) {
        int year = w->base_year + (int)t;
        const tw_county_params *n = tw_world_cparams(w, t, 0);
        const tw_county_params *s = tw_world_cparams(w, t, 1);
        ck_assert_double_eq(n->fill_prob[2], 0.5);
        ck_assert_double_eq(s->fill_prob[2], year >= 2023 ? 0.7 : 0.85);
        if (year >= 2023) {
            ck_assert_double_eq(n->fill_prob[0], 0.9);
            ck_assert_double_eq(s->fill_prob[1], 0.8);
        }
    }
    ck_assert_uint_eq(c->n_notes, 1);
    ck_assert_ptr_nonnull(strstr(c->notes[0], "(2023) in north for every "
                                 "year"));
    tw_config_free(c);

    tw_error err;
    const char *const sc[] = {"scenarios=({ name = \"cap\"; set = [ "
                              "\"tiers.prob[1]@2023=0.2\" ]; })"};
    ck_assert_int_eq(tw_config_load_scenario(TW_TEST_DATA "/full_small.cfg",
                                             "cap", sc, 1, &c, &err), TW_OK);
    for (size_t t = 0; t < c->world->n_years; t++)
        ck_assert_double_eq(c->world->params[t].tier_prob[1],
                            c->world->base_year + (int)t >= 2023 ? 0.2
                                                                 : 0.08);
    tw_config_free(c);
}
END_TEST

/* The fields of one stage's initial stock are equal. */
static void stock_eq(const tw_stock *a, const tw_stock *b, int st)
{
    ck_assert_msg(a->present == b->present && a->count == b->count &&
                      a->female_share == b->female_share &&
                      a->bianzhi_share == b->bianzhi_share &&
                      a->prof_share == b->prof_share &&
                      a->dual_share == b->dual_share &&
                      !memcmp(a->loc_share, b->loc_share,
                              sizeof a->loc_share) &&
                      !memcmp(a->age_share, b->age_share,
                              sizeof a->age_share) &&
                      !memcmp(a->tier_share, b->tier_share,
                              sizeof a->tier_share) &&
                      !memcmp(a->title_share, b->title_share,
                              sizeof a->title_share) &&
                      !memcmp(a->qual_share, b->qual_share,
                              sizeof a->qual_share),
                  "stage %s: the stock differs", tw_stage_names[st]);
}

/* Load full_small.cfg with `sets`, let `patch` say what should differ
 * from the config without them, and compare every stage's stock. */
static void expect_stocks(const char *const *sets, size_t n,
                          void (*patch)(tw_stock *stock))
{
    tw_config *base = load_full(NULL, 0), *c = load_full(sets, n);
    tw_stock want[TW_N_STAGES];
    memcpy(want, base->world->stock, sizeof want);
    patch(want);
    for (int st = 0; st < TW_N_STAGES; st++)
        stock_eq(&c->world->stock[st], &want[st], st);
    tw_config_free(base);
    tw_config_free(c);
}

/* full_small.cfg: population.stages = primary, junior, vocational */
static void patch_female0(tw_stock *k)
{
    k[TW_STAGE_PRIMARY].female_share = 0.7;
}

static void patch_count1(tw_stock *k)
{
    k[TW_STAGE_JUNIOR].count = 1700;
}

static void patch_female_all(tw_stock *k)
{
    k[TW_STAGE_PRIMARY].female_share = 0.7;
    k[TW_STAGE_JUNIOR].female_share = 0.7;
    k[TW_STAGE_VOCATIONAL].female_share = 0.7;
}

static void patch_tiers0(tw_stock *k)
{
    k[TW_STAGE_PRIMARY].tier_share[0] = 0.68;
    k[TW_STAGE_PRIMARY].tier_share[1] = 0.24;
}

static void patch_tiers_all(tw_stock *k)
{
    static const double t[4] = {0.7, 0.2, 0.07, 0.03};
    for (int st = 0; st < TW_N_STAGES; st++)
        if (k[st].present)
            memcpy(k[st].tier_share, t, sizeof t);
}

/* LIST[i].KEY, LIST[i].KEY[j] and LIST[*]: exactly the member addressed
 * changes. */
START_TEST(test_set_list_members)
{
    const char *const s1[] = {"population.stages[0].female=0.7"};
    expect_stocks(s1, 1, patch_female0);
    const char *const s2[] = {"population.stages[1].count=1700"};
    expect_stocks(s2, 1, patch_count1);
    const char *const s3[] = {"population.stages[*].female=0.7"};
    expect_stocks(s3, 1, patch_female_all);
    const char *const s4[] = {"population.stages[0].tiers[0]=0.68",
                              "population.stages[0].tiers[1]=0.24"};
    expect_stocks(s4, 2, patch_tiers0);
    const char *const s5[] = {"population.stages[*].tiers[0]=0.7",
                              "population.stages[*].tiers[1]=0.2",
                              "population.stages[*].tiers[2]=0.07",
                              "population.stages[*].tiers[3]=0.03"};
    expect_stocks(s5, 4, patch_tiers_all);

    /* the value is checked as the key is, and attributed to the --set */
    const char *const b1[] = {"population.stages[*].female=1.5"};
    const char *const w1[] = {"--set population.stages[*].female=1.5",
                              "1.5 is not a share", NULL};
    expect_fail(FULL, b1, 1, w1);
    const char *const b2[] = {"population.stages[3].female=0.5"};
    const char *const w2[] = {"index 3 is out of range: population.stages "
                              "has 3 entries (valid indices 0..2)", NULL};
    expect_fail(FULL, b2, 1, w2);
    const char *const b3[] = {"population.stages[2].tiers[4]=0.1"};
    const char *const w3[] = {"index 4 is out of range: "
                              "population.stages[2].tiers has 4 entries",
                              NULL};
    expect_fail(FULL, b3, 1, w3);
    const char *const b4[] = {"population.stages[0].tiers[1]=x"};
    const char *const w4[] = {"cannot read the value 'x' (expected a "
                              "number)", NULL};
    expect_fail(FULL, b4, 1, w4);
    const char *const b5[] = {"population.stages[0].count=1.5"};
    const char *const w5[] = {"population.stages[].count", "whole number",
                              NULL};
    expect_fail(FULL, b5, 1, w5);
}
END_TEST

/* tw_config_numbers_at and tw_config_list_length read the tree after
 * every --set. */
START_TEST(test_numbers_at)
{
    const char *const sets[] = {"population.stages[*].female=0.7",
                                "population.stages[1].count=1700"};
    tw_config *c = load_full(sets, 2);
    tw_error err;
    double v[8];
    size_t n = 99;
    ck_assert_int_eq(tw_config_numbers_at(c, "tiers.prob[1]", v, 8, &n,
                                          &err), TW_OK);
    ck_assert_uint_eq(n, 1);
    ck_assert_double_eq(v[0], c->world->params[0].tier_prob[1]);
    ck_assert_int_eq(tw_config_numbers_at(c, "tiers.prob", v, 8, &n, &err),
                     TW_OK);
    ck_assert_uint_eq(n, 3);
    ck_assert_double_eq(v[2], c->world->params[0].tier_prob[2]);
    ck_assert_int_eq(tw_config_numbers_at(c, "population.stages[1].tiers[1]",
                                          v, 8, &n, &err), TW_OK);
    ck_assert_uint_eq(n, 1);
    ck_assert_double_eq(v[0], 0.25);
    ck_assert_int_eq(tw_config_numbers_at(c, "population.stages[*].tiers[1]",
                                          v, 8, &n, &err), TW_OK);
    ck_assert_uint_eq(n, 3);
    ck_assert_double_eq(v[0], 0.22);
    ck_assert_double_eq(v[1], 0.25);
    ck_assert_double_eq(v[2], 0.20);
    ck_assert_int_eq(tw_config_numbers_at(c, "population.stages[*].female",
                                          v, 8, &n, &err), TW_OK);
    ck_assert_uint_eq(n, 3);
    for (size_t i = 0; i < 3; i++)
        ck_assert_double_eq(v[i], 0.7);
    ck_assert_int_eq(tw_config_numbers_at(c, "population.stages[1].count",
                                          v, 8, &n, &err), TW_OK);
    ck_assert_uint_eq(n, 1);
    ck_assert_double_eq(v[0], 1700);
    ck_assert_int_eq(tw_config_numbers_at(c, "population.stages[0].tiers",
                                          v, 8, &n, &err), TW_OK);
    ck_assert_uint_eq(n, 4);
    ck_assert_double_eq(v[3], 0.02);
    /* more than cap: cap written, *n says how many there are */
    v[2] = -1;
    ck_assert_int_eq(tw_config_numbers_at(c, "population.stages[*].tiers[0]",
                                          v, 2, &n, &err), TW_OK);
    ck_assert_uint_eq(n, 3);
    ck_assert_double_eq(v[0], 0.70);
    ck_assert_double_eq(v[1], 0.65);
    ck_assert_double_eq(v[2], -1);

    static const struct {
        const char *path, *want;
    } bad[] = {
        {"population.stages[3].female", "index 3 is out of range"},
        {"population.stages[0].tiers[9]", "index 9 is out of range: "
                                          "population.stages[0].tiers has 4 "
                                          "entries (valid indices 0..3)"},
        {"population.stages[0].stage", "is not a number"},
        {"population.stages[0].femal", "did you mean 'female'"},
        {"population.stages[*].tiers[*]", "not of an array"},
        {"tiers.names", "has an entry that is not a number"},
        {"tiers.prob[3]", "index 3 is out of range"},
        {"simulaton.seed", "unknown key"},
        {"recruitment.quota@2023", "only the base values"},
        {"county.north.rotation.share", "only the base values"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ck_assert_msg(tw_config_numbers_at(c, bad[i].path, v, 8, &n, &err) ==
                          TW_EINPUT, "%s read", bad[i].path);
        ck_assert_msg(strstr(err.msg, bad[i].want) != NULL, "%s: %s",
                      bad[i].path, err.msg);
    }
    ck_assert_uint_eq(tw_config_list_length(c, "population.stages"), 3);
    ck_assert_uint_eq(tw_config_list_length(c, "schools"), 7); /* entries,
                                                                  not schools */
    ck_assert_uint_eq(tw_config_list_length(c, "tiers.prob"), 0);
    ck_assert_uint_eq(tw_config_list_length(c, "nosuch"), 0);
    tw_config_free(c);
}
END_TEST

/* Named timeline entries: addressed by name, names checked. */
START_TEST(test_set_timeline_names)
{
    const char *const named[] = {
        "timeline=({ year = 2022; name = \"pilot\"; counties = [\"north\"];"
        " set = { rotation = { reform = true; }; }; },"
        " { year = 2024; name = \"all\"; set = { tiers = { prob = [0.15, "
        "0.08, 0.03]; }; }; })",
        "timeline.pilot.set.rotation.share=0.4",
        "timeline.all.set.tiers.prob[0]=0.3"};
    tw_config *c = load_full(named, 3);
    const tw_world *w = c->world;
    for (size_t t = 0; t < w->n_years; t++) {
        int year = w->base_year + (int)t;
        ck_assert_int_eq(tw_world_cparams(w, t, 0)->reform, year >= 2022);
        if (year >= 2022)
            ck_assert_double_eq(tw_world_cparams(w, t, 0)->exchange_share,
                                0.4);
        ck_assert_double_eq(w->params[t].tier_prob[0],
                            year >= 2024 ? 0.3 : 0.15);
    }
    tw_config_free(c);

    const char *const unknown[] = {named[0], "timeline.pliot.set.rotation."
                                             "share=0.4"};
    const char *const want1[] = {"no timeline entry named 'pliot'",
                                 "(did you mean 'pilot'?); the named "
                                 "entries: pilot, all", NULL};
    expect_fail(FULL, unknown, 2, want1);
    const char *const twice[] = {
        "timeline=({ year = 2022; name = \"a\"; set = { rotation = { "
        "reform = true; }; }; }, { year = 2023; name = \"a\"; set = { "
        "rotation = { reform = false; }; }; })"};
    const char *const want2[] = {"timeline[].name: \"a\" is used twice",
                                 NULL};
    expect_fail(FULL, twice, 1, want2);
    const char *const range[] = {"tiers.prob[3]=0.1"};
    const char *const want3[] = {"index 3 is out of range: tiers.prob has 3 "
                                 "entries (valid indices 0..2)", NULL};
    expect_fail(FULL, range, 1, want3);
    const char *const year[] = {"tiers.prob[0]@2030=0.1"};
    const char *const want4[] = {"@2030 is outside the simulated years "
                                 "2021..2025", NULL};
    expect_fail(FULL, year, 1, want4);
    const char *const value[] = {"tiers.prob[0]=2"};
    const char *const want5[] = {"--set tiers.prob[0]=2", "entry 0 is 2",
                                 NULL};
    expect_fail(FULL, value, 1, want5);
}
END_TEST

START_TEST(test_full_errors)
{
    /* a region-wide key changed for some counties only */
    const char *const s1[] = {
        "timeline=({ year = 2022; counties = [\"north\"]; set = { deaths = "
        "{ enabled = false; }; }; })"};
    const char *const w1[] = {"region-wide and cannot change per county",
                              NULL};
    expect_fail(FULL, s1, 1, w1);
    /* a typo inside a timeline entry */
    const char *const s2[] = {
        "timeline=({ year = 2022; set = { rotation = { refrom = true; }; }; "
        "})"};
    const char *const w2[] = {"unknown key 'refrom'", "did you mean 'reform'",
                              NULL};
    expect_fail(FULL, s2, 1, w2);
    /* structure cannot change in the timeline */
    const char *const s3[] = {
        "timeline=({ year = 2022; set = { simulation = { seed = 3; }; }; })"};
    const char *const w3[] = {"cannot change in the timeline", NULL};
    expect_fail(FULL, s3, 1, w3);
    /* a markov-only key in full mode */
    const char *const s4[] = {"recruitment.mode=quota"};
    const char *const w4[] = {"only used in markov mode", NULL};
    expect_fail(FULL, s4, 1, w4);
    /* an unknown county, with the nearest suggested */
    const char *const s5[] = {
        "timeline=({ year = 2022; counties = [\"nort\"]; set = { rotation = "
        "{ reform = true; }; }; })"};
    const char *const w5[] = {"\"nort\" is not one of region.counties",
                              "nearest: \"north\"", NULL};
    expect_fail(FULL, s5, 1, w5);
    /* a schedule must cover every simulated year */
    const char *const s6[] = {"recruitment.policy=schedule",
                              "recruitment.schedule=([2021, 10], [2022, 12])"};
    const char *const w6[] = {"has no entry for 2023", NULL};
    expect_fail(FULL, s6, 2, w6);
    /* shares must sum to 1 */
    const char *const s7[] = {"recruitment.channels.open.quals=[0.5, 0.5, 0.5, 0.0]"};
    const char *const w7[] = {"shares sum to 1.5", NULL};
    expect_fail(FULL, s7, 1, w7);
    /* a typo inside a by-stage group */
    const char *const s8[] = {"staffing.teach_share.primray=0.9"};
    const char *const w8[] = {"did you mean 'staffing.teach_share.primary'",
                              NULL};
    expect_fail(FULL, s8, 1, w8);
    /* 特岗 is rural only */
    const char *const s9[] = {"recruitment.channels.tegang.localities=[\"urban\"]"};
    const char *const w9[] = {"特岗 posts are rural only", NULL};
    expect_fail(FULL, s9, 1, w9);
}
END_TEST

START_TEST(test_schema_lists_keys)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    tw_config_print_schema(f);
    fclose(f);
    ck_assert_ptr_nonnull(strstr(buf, "tiers.transition"));
    ck_assert_ptr_nonnull(strstr(buf, "recruitment.annual_quota"));
    ck_assert_ptr_nonnull(strstr(buf, "\nLIST[i].KEY "));
    ck_assert_ptr_nonnull(strstr(buf, "\nLIST[i].KEY[j] "));
    ck_assert_ptr_nonnull(strstr(buf, "\nLIST[*].KEY "));
    free(buf);
}
END_TEST


/* Strict UTF-8 (issue 12, item 10): what libconfig decodes from escapes is
 * checked byte by byte. */
START_TEST(test_utf8_strict)
{
    static const char *const good[] = {
        "", "plain", "\xE6\xB8\xAF\xE5\x8C\x97", /* 港北 */
        "\xC2\x80", "\xEF\xBF\xBD", "\xED\x9F\xBF", /* U+D7FF */
        "\xEE\x80\x80", /* U+E000 */ "\xF0\x90\x80\x80",
        "\xF4\x8F\xBF\xBF" /* U+10FFFF */};
    static const struct { const char *s, *why; } bad[] = {
        {"\xB8\xDB", "does not start a character"},
        {"\xFF", "does not start a character"},
        {"\xF8\x88\x80\x80\x80", "does not start a character"},
        {"\xE6\xB8", "cut short"},
        {"a\xE6\xB8z", "cut short"},
        {"\xC0\xAF", "overlong form of U+002F"},
        {"\xC1\xBF", "overlong"},
        {"\xE0\x80\xAF", "overlong"},
        {"\xF0\x8F\xBF\xBF", "overlong form of U+FFFF"},
        {"\xED\xA0\x80", "surrogate U+D800"},
        {"\xED\xBF\xBF", "surrogate U+DFFF"},
        {"\xF4\x90\x80\x80", "U+110000"},
        {"\xF7\xBF\xBF\xBF", "above U+10FFFF"},
    };
    char buf[128];
    for (size_t i = 0; i < sizeof good / sizeof *good; i++)
        ck_assert_msg(tw_utf8_problem(good[i], buf, sizeof buf) == NULL,
                      "good[%zu] refused: %s", i, buf);
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        const char *why = tw_utf8_problem(bad[i].s, buf, sizeof buf);
        ck_assert_msg(why != NULL, "bad[%zu] accepted", i);
        ck_assert_msg(strstr(why, bad[i].why) != NULL, "bad[%zu]: %s", i,
                      why);
    }
    /* and the loader applies it to decoded strings */
    SET_FAIL_WITH("region.name=\"\\xED\\xA0\\x80\"",
                  "region.name: the text is not valid UTF-8: a UTF-16 "
                  "surrogate U+D800");
}
END_TEST

/* A long report is cut at TW_ERROR_MAX_LINES with a count of the rest. */
START_TEST(test_error_cap)
{
    tw_error err;
    tw_error_clear(&err);
    for (int i = 0; i < 25; i++)
        tw_error_add(&err, TW_EINPUT, "problem %d", i);
    ck_assert_int_eq(err.code, TW_EINPUT);
    ck_assert_ptr_nonnull(strstr(err.msg, "problem 19\n... and 5 more "
                                          "problems"));
    ck_assert_ptr_null(strstr(err.msg, "problem 20"));
    ck_assert_uint_eq(err.n_more, 5);
    /* lines that would not fit are counted too */
    tw_error_clear(&err);
    char big[1500];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    for (int i = 0; i < 4; i++)
        tw_error_add(&err, TW_EINPUT, "%s", big);
    ck_assert_uint_eq(err.n_more, 2);
    ck_assert_ptr_nonnull(strstr(err.msg, "\n... and 2 more problems"));
    tw_error_set(&err, TW_EFAIL, "fresh");
    ck_assert_uint_eq(err.n_more, 0);
}
END_TEST

/* Schema, type and range problems are reported together (item 17), and a
 * key that the schema check removed is not reported again as missing. */
START_TEST(test_one_pass)
{
    const char *const sets[] = {"simulation.replicatez=4",
                                "simulation.seed=\"x\"",
                                "simulation.end_year=1999"};
    const char *const want[] = {
        "--set simulation.replicatez=4: unknown key",
        "--set simulation.seed=\"x\": simulation.seed: expected a whole "
        "number, got a string",
        "simulation.end_year: 1999 is not after base_year", NULL};
    expect_fail(D "good.cfg", sets, 3, want);
    tw_error err;
    tw_config *cfg = NULL;
    ck_assert_int_eq(tw_config_load(D "good.cfg", sets + 1, 1, &cfg, &err),
                     TW_EINPUT);
    ck_assert_msg(strstr(err.msg, "has no 'seed'") == NULL, "%s", err.msg);
}
END_TEST

/* Entries listed twice in keyed lists (item 11). */
START_TEST(test_listed_twice)
{
    SET_FAIL_WITH("tiers.names=[\"a\", \"b\", \"a\"]",
                  "tiers.names: \"a\" is listed twice (entries 0 and 2)");
    SET_FAIL_WITH("scenarios=({ name = \"s\"; set = [\"simulation.seed=1\", "
                  "\"simulation.seed=2\"]; })",
                  "the key 'simulation.seed' is listed twice");
}
END_TEST

/* A scenario's problems name the scenario (item 12). */
START_TEST(test_scenario_named)
{
    const char *const sets[] = {
        "scenarios=({ name = \"z\"; set = [\"simulation.replicates=0\"]; })"};
    tw_error err;
    tw_config *cfg = NULL;
    ck_assert_int_eq(tw_config_load(D "good.cfg", sets, 1, &cfg, &err), TW_OK);
    tw_config_free(cfg);
    cfg = NULL;
    ck_assert_int_eq(tw_config_load_scenario(D "good.cfg", "z", sets, 1, &cfg,
                                             &err), TW_EINPUT);
    ck_assert_ptr_null(cfg);
    ck_assert_msg(strstr(err.msg, "scenario 'z': set "
                         "\"simulation.replicates=0\": simulation.replicates: "
                         "0 is out of range") != NULL, "%s", err.msg);
    /* a typo in a set key shows when the base config is loaded */
    const char *const typo[] = {
        "scenarios=({ name = \"z\"; set = [\"simulation.replicatez=3\"]; })"};
    const char *const want[] = {"scenario 'z': unknown key "
                                "'simulation.replicatez'", NULL};
    expect_fail(D "good.cfg", typo, 1, want);
}
END_TEST

/* subjects: names, per-stage class-hour shares that sum to 1 (1e-6) for
 * every stage with schools, a stock mix that defaults to the shares; a
 * config without the group has none. */
#define SUBJ D "full_small_subjects.cfg"
START_TEST(test_subjects)
{
    tw_error err;
    tw_config *c = NULL;
    ck_assert_int_eq(tw_config_load(FULL, NULL, 0, &c, &err), TW_OK);
    ck_assert_uint_eq(c->world->n_subjects, 0);
    tw_config_free(c);

    c = NULL;
    int rc = tw_config_load(SUBJ, NULL, 0, &c, &err);
    ck_assert_msg(rc == TW_OK, "%s", err.msg);
    const tw_world *w = c->world;
    ck_assert_uint_eq(w->n_subjects, 3);
    ck_assert_str_eq(w->subject_names[1], "pe");
    ck_assert_double_eq(w->subject_share[TW_STAGE_PRIMARY][1], 0.1);
    ck_assert_double_eq(w->subject_stock[TW_STAGE_PRIMARY][1], 0.0);
    /* the stock defaults to the shares, stage by stage */
    ck_assert_double_eq(w->subject_stock[TW_STAGE_JUNIOR][1], 0.1);
    tw_config_free(c);

    /* within 1e-6 of 1 passes; 1.1 does not */
    const char *const near[] = {"subjects.shares.primary=[0.2, 0.1, "
                                "0.7000005]"};
    c = NULL;
    rc = tw_config_load(SUBJ, near, 1, &c, &err);
    ck_assert_msg(rc == TW_OK, "%s", err.msg);
    tw_config_free(c);
    const char *const sum[] = {"subjects.shares.primary=[0.2, 0.1, 0.8]"};
    const char *const wsum[] = {"subjects.shares.primary",
                                "shares sum to 1.1", NULL};
    expect_fail(SUBJ, sum, 1, wsum);
    const char *const len[] = {"subjects.shares.junior=[0.3, 0.7]"};
    const char *const wlen[] = {"subjects.shares.junior",
                                "has 2 numbers; it must have 3", NULL};
    expect_fail(SUBJ, len, 1, wlen);
    const char *const stock[] = {"subjects.stock.primary=[0.5, 0.0, 0.7]"};
    const char *const wstock[] = {"subjects.stock.primary",
                                  "shares sum to 1.2", NULL};
    expect_fail(SUBJ, stock, 1, wstock);
    const char *const stage[] = {"subjects.shares.primry=[0.2, 0.1, 0.7]"};
    const char *const wstage[] = {"primry", "primary", NULL};
    expect_fail(SUBJ, stage, 1, wstage);
    const char *const twice[] = {"subjects.names=[\"pe\", \"pe\", \"x\"]"};
    const char *const wtwice[] = {"\"pe\" is listed twice", NULL};
    expect_fail(SUBJ, twice, 1, wtwice);
    const char *const bad[] = {"subjects.names=[\"PE\", \"a\", \"b\"]"};
    const char *const wbad[] = {"a subject's name is 1 to 24 characters",
                                NULL};
    expect_fail(SUBJ, bad, 1, wbad);

    /* the teaching-load basis: a stage with periods, load and class_size
     * is on it, the others split their ratio demand */
    const char *const load[] = {"subjects.periods.primary=28.67",
                                "subjects.load.primary=15.0",
                                "subjects.class_size.primary=45"};
    c = NULL;
    rc = tw_config_load(SUBJ, load, 3, &c, &err);
    ck_assert_msg(rc == TW_OK, "%s", err.msg);
    ck_assert_int_eq(c->world->subject_load_mask, 1 << TW_STAGE_PRIMARY);
    ck_assert_double_eq(c->world->subject_periods[TW_STAGE_PRIMARY], 28.67);
    ck_assert_double_eq(c->world->subject_class_size[TW_STAGE_PRIMARY], 45);
    tw_config_free(c);
    const char *const part[] = {"subjects.periods.junior=34",
                                "subjects.load.junior=14"};
    const char *const wpart[] = {"subjects.periods.junior",
                                 "has no subjects.class_size.junior", NULL};
    expect_fail(SUBJ, part, 2, wpart);
    const char *const zero[] = {"subjects.periods.primary=28.67",
                                "subjects.load.primary=0",
                                "subjects.class_size.primary=45"};
    const char *const wzero[] = {"subjects.load.primary",
                                 "must be above 0", NULL};
    expect_fail(SUBJ, zero, 3, wzero);
    /* structure, like the shares: no timeline entry changes it */
    const char *const tl[] = {
        "timeline=({ year = 2024; set = { subjects = { load = { "
        "primary = 12.0; }; }; }; })"};
    const char *const wtl[] = {"cannot change in the timeline", NULL};
    expect_fail(SUBJ, tl, 1, wtl);
}
END_TEST

/* The rules on subjects that change by year and county: subjects.floor
 * by name (region-wide, @YEAR), subjects.retrain by county (county.NAME.,
 * @YEAR); defaults none and no limit; unknown names and keys without
 * subjects are reported. */
START_TEST(test_subject_rules)
{
    tw_error err = {0};
    tw_config *c = NULL;
    const char *const sets[] = {
        "subjects.floor.pe=1.5", "subjects.floor.pe@2023=2",
        "subjects.retrain.prob=0.1", "county.south.subjects.retrain.prob=0.3",
        "subjects.retrain.capacity@2024=7"};
    int rc = tw_config_load(SUBJ, sets, 5, &c, &err);
    ck_assert_msg(rc == TW_OK, "%s", err.msg);
    const tw_world *w = c->world;
    size_t nc = w->n_counties;
    ck_assert_double_eq(w->params[1].subject_floor[1], 1.5);
    ck_assert_double_eq(w->params[1].subject_floor[0], 0.0);
    ck_assert_double_eq(w->params[3].subject_floor[1], 2.0);
    ck_assert_double_eq(w->cparams[1 * nc + 0].retrain_prob, 0.1);
    ck_assert_double_eq(w->cparams[1 * nc + 1].retrain_prob, 0.3);
    ck_assert_int_eq(w->cparams[1 * nc + 0].retrain_capacity, -1);
    ck_assert_int_eq(w->cparams[4 * nc + 1].retrain_capacity, 7);
    tw_config_free(c);
    c = NULL;
    ck_assert_int_eq(tw_config_load(SUBJ, NULL, 0, &c, &err), TW_OK);
    ck_assert_double_eq(c->world->cparams[nc].retrain_prob, 0.0);
    ck_assert_double_eq(c->world->params[1].subject_floor[1], 0.0);
    tw_config_free(c);

    const char *const unk[] = {"subjects.floor.p=1"};
    const char *const wunk[] = {"subjects.floor: 'p' is not one of "
                                "subjects.names (nearest: 'pe')", NULL};
    expect_fail(SUBJ, unk, 1, wunk);
    const char *const neg[] = {"subjects.floor.pe=-0.5"};
    const char *const wneg[] = {"subjects.floor.pe: -0.5", NULL};
    expect_fail(SUBJ, neg, 1, wneg);
    const char *const prob[] = {"subjects.retrain.prob=2"};
    const char *const wprob[] = {"subjects.retrain.prob: 2 is out of range",
                                 NULL};
    expect_fail(SUBJ, prob, 1, wprob);
    const char *const cap[] = {"subjects.retrain.prob=0.5",
                               "subjects.retrain.capacity=-2"};
    const char *const wcap[] = {"subjects.retrain.capacity: -2 is out of "
                                "range", NULL};
    expect_fail(SUBJ, cap, 2, wcap);
    const char *const none[] = {"subjects.retrain.capacity=3"};
    const char *const wnone[] = {"subjects.retrain", "prob", NULL};
    expect_fail(SUBJ, none, 1, wnone);
    const char *const cty[] = {"county.south.subjects.floor.pe=1"};
    const char *const wcty[] = {"region-wide", NULL};
    expect_fail(SUBJ, cty, 1, wcty);
    const char *const nosub[] = {"subjects.floor.pe=1"};
    const char *const wnosub[] = {"needs subjects.names", NULL};
    expect_fail(FULL, nosub, 1, wnosub);
}
END_TEST

Suite *config_suite(void)
{
    Suite *s = suite_create("config");
    TCase *tc = tcase_create("load");
    tcase_add_test(tc, test_good_loads);
    tcase_add_test(tc, test_include);
    tcase_add_test(tc, test_typo_suggests);
    tcase_add_test(tc, test_bad_values);
    tcase_add_test(tc, test_overrides);
    tcase_add_test(tc, test_schema_lists_keys);
    tcase_add_test(tc, test_full_loads);
    tcase_add_test(tc, test_full_timeline);
    tcase_add_test(tc, test_full_errors);
    tcase_add_test(tc, test_subjects);
    tcase_add_test(tc, test_subject_rules);
    tcase_add_test(tc, test_utf8_strict);
    tcase_add_test(tc, test_error_cap);
    tcase_add_test(tc, test_one_pass);
    tcase_add_test(tc, test_listed_twice);
    tcase_add_test(tc, test_scenario_named);
    tcase_add_test(tc, test_target_scope);
    tcase_add_test(tc, test_set_paths);
    tcase_add_test(tc, test_set_precedence);
    tcase_add_test(tc, test_set_timeline_names);
    tcase_add_test(tc, test_set_county_element);
    tcase_add_test(tc, test_set_list_members);
    tcase_add_test(tc, test_numbers_at);
    suite_add_tcase(s, tc);
    return s;
}
