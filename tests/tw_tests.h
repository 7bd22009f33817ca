/* tw_tests.h - one Check suite per module; runner.c adds them all. */
#ifndef TW_TESTS_H
#define TW_TESTS_H

#include <check.h>

Suite *config_suite(void);
Suite *rng_suite(void);
Suite *markov_suite(void);
Suite *summary_suite(void);
Suite *h5_suite(void);

/* Directory of test data (tests/data), relative to the runner's cwd. */
#define TW_TEST_DATA "data"

#endif
