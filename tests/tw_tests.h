/* tw_tests.h - one Check suite per module; runner.c adds them all. */
#ifndef TW_TESTS_H
#define TW_TESTS_H

#include <check.h>

Suite *config_suite(void);
Suite *rng_suite(void);
Suite *markov_suite(void);
Suite *summary_suite(void);
Suite *h5_suite(void);
Suite *exits_suite(void);   /* proc_exits.c: demand, deaths, retirement, exit, strikes, ageing */
Suite *develop_suite(void); /* proc_develop.c: tiers, titles, qualifications, 双师型 */
Suite *rotate_suite(void);  /* proc_rotate.c: transfers, exchange, 竞聘 */
Suite *recruit_suite(void); /* proc_recruit.c */
Suite *close_suite(void);   /* proc_close.c: closures and mergers (撤并) */
Suite *subjects_suite(void); /* subjects.c: floors, 转岗; subjects in rotation */
Suite *targets_suite(void); /* targets.c: the kinds of target */
Suite *full_suite(void);    /* the whole model on a small region */
Suite *meanfield_suite(void);
Suite *experiment_suite(void); /* compare.c: paired comparisons */ /* meanfield.c: the mean-field mode */
Suite *pool_suite(void);
Suite *output_suite(void);  /* output.c: safe output paths, locks, commit */    /* pool.c, run.c: replicates on threads */
Suite *design_suite(void);  /* design.c, sensitivity.c: uncertain settings */

/* Directory of test data (tests/data), relative to the runner's cwd. */
#define TW_TEST_DATA "data"

#endif
