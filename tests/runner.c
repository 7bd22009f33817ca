/*
 * runner.c - the single Check runner: every module's suite, one summary.
 * Run from tests/ (make check does), so that data/ paths resolve.
 * Exit status: 0 when every test passed, 1 otherwise.
 */
#include <stdlib.h>

#include "tw_tests.h"

int main(void)
{
    SRunner *sr = srunner_create(config_suite());
    srunner_add_suite(sr, rng_suite());
    srunner_add_suite(sr, markov_suite());
    srunner_add_suite(sr, summary_suite());
    srunner_add_suite(sr, h5_suite());
    srunner_add_suite(sr, exits_suite());
    srunner_add_suite(sr, develop_suite());
    srunner_add_suite(sr, recruit_suite());
    srunner_add_suite(sr, rotate_suite());
    srunner_add_suite(sr, close_suite());
    srunner_add_suite(sr, subjects_suite());
    srunner_add_suite(sr, full_suite());
    srunner_add_suite(sr, targets_suite());
    srunner_add_suite(sr, meanfield_suite());
    srunner_add_suite(sr, experiment_suite());
    srunner_add_suite(sr, pool_suite());
    srunner_add_suite(sr, output_suite());
    srunner_add_suite(sr, design_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
