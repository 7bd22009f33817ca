/*
 * check_config.c - the config loader: good files load, and every kind of
 * mistake fails with exit code 2 and a message naming file:line and key.
 */
#include <stdlib.h>
#include <string.h>

#include "tw_config.h"
#include "tw_tests.h"

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
    SET_FAIL_WITH("simulation.mode=full", "\"full\" is not a valid value");
    SET_FAIL_WITH("recruitment.mode=quota", "has no 'annual_quota'");
    SET_FAIL_WITH("simulation", "expected key.path=value");
    SET_FAIL_WITH("tiers=3", "is a group");
    SET_FAIL_WITH("simulation.seed=1; x = 2", "cannot read the value");
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
    free(buf);
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
    suite_add_tcase(s, tc);
    return s;
}
