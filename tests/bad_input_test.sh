#!/bin/sh
# bad_input_test.sh - malformed configs and command lines (issue 8): each
# must exit 2 (1 where the fault is not the input's), say what is wrong in
# a plain "twsim: ..." message with FILE:LINE where there is a line, never
# die of a signal (exit > 128) or hang, and leave no file behind: neither
# the output nor its .partial.
#
# The configs are tests/bad_input/*.cfg, one mistake each, markov (m_*) or
# full mode (f_*); most include the good pieces in tests/bad_input/base/
# and replace one. Each is run with `twsim run` in an empty directory
# (the default output goes there) and with `twsim validate`.
#
# Environment: TWSIM (the binary). One line per test and a closing
# "N passed, N failed" line; exits 1 if any test failed.
set -u
TWSIM=${TWSIM:-build/twsim}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
data=$here/bad_input
cfg=$root/configs/markov-example.cfg
full=$root/tests/data/full_small.cfg
tmp=$(mktemp -d /tmp/twsim-bad-XXXXXX)
trap 'chmod -R u+w "$tmp" 2>/dev/null; rm -rf "$tmp"' EXIT
work=$tmp/work          # the current directory of every run: must stay empty
mkdir -p "$work"
pass=0
fail=0
ok()  { pass=$((pass + 1)); echo "ok   $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1"; [ -n "${2:-}" ] && sed 's/^/     | /' "$2"; }
# a run that takes longer than this is a hang (the slowest case takes ~0.1 s)
limit=60
to=""
command -v timeout >/dev/null 2>&1 && to="timeout -s KILL $limit"

# expect NAME STATUS PATTERN CMD...: CMD, run in $work, exits with STATUS,
# its output matches the grep -E PATTERN and starts with "twsim", and it
# leaves no file in $work nor at $tmp/out.h5 (the -o of the cases below).
expect() {
    name=$1 want=$2 pat=$3; shift 3
    (cd "$work" && $to "$@") >"$tmp/out" 2>&1
    got=$?
    left=$(ls -A "$work"; ls -d "$tmp"/out.h5* 2>/dev/null)
    if [ "$got" -gt 128 ]; then
        echo "killed by signal $((got - 128))$([ "$got" -eq 137 ] && echo " (a hang? limit ${limit}s)")" >>"$tmp/out"
        bad "$name" "$tmp/out"
    elif [ "$got" -ne "$want" ]; then
        echo "exit $got, expected $want" >>"$tmp/out"
        bad "$name" "$tmp/out"
    elif [ -n "$pat" ] && ! grep -Eq -- "$pat" "$tmp/out"; then
        echo "output does not match: $pat" >>"$tmp/out"
        bad "$name" "$tmp/out"
    elif [ "$want" -ne 0 ] && ! head -n 1 "$tmp/out" | grep -q '^twsim'; then
        echo "the message does not start with 'twsim'" >>"$tmp/out"
        bad "$name" "$tmp/out"
    elif [ -n "$left" ]; then
        echo "left behind: $left" >>"$tmp/out"
        bad "$name" "$tmp/out"
    else
        ok "$name"
    fi
    rm -rf "$work" "$tmp"/out.h5*
    mkdir -p "$work"
}

# ---- malformed configs ----------------------------------------------------
# file (tests/bad_input/FILE.cfg)  status  pattern  [run: validate passes;
# no case needs it since validate builds the model too | validate: the
# mistake is in a scenario, which `run` of the base config does not load]
n_files=0
while IFS='	' read -r file status pat only; do
    [ -z "$file" ] && continue
    n_files=$((n_files + 1))
    [ "$only" != validate ] &&
        expect "run $file" "$status" "$pat" "$TWSIM" run "$data/$file.cfg" -q
    [ "$only" = run ] && continue
    expect "validate $file" "$status" "$pat" "$TWSIM" validate "$data/$file.cfg"
done <<'EOF'
m_empty	2	m_empty.cfg: missing section 'simulation'
m_only_comment	2	m_only_comment.cfg: missing section 'simulation'
m_syntax	2	m_syntax.cfg:5: syntax error
m_unterminated_string	2	m_unterminated_string.cfg:12: syntax error
m_unbalanced	2	m_unbalanced.cfg:9: syntax error
m_duplicate_key	2	m_duplicate_key.cfg:9: duplicate setting name
m_mixed_array	2	m_mixed_array.cfg:6: mismatched element type
m_wrong_type_string	2	m_wrong_type_string.cfg:7: simulation.replicates: expected a whole number, got a string
m_wrong_type_float	2	m_wrong_type_float.cfg:7: simulation.replicates: expected a whole number, got a decimal
m_wrong_type_array	2	m_wrong_type_array.cfg:10: teachers.tier_counts: expected an array
m_negative_count	2	m_negative_count.cfg:10: teachers.tier_counts: count 1 \(b\) is -5
m_huge_count	2	m_huge_count.cfg:10: teachers.tier_counts: count 1 \(b\) is 200000000
m_zero_replicates	2	m_zero_replicates.cfg:7: simulation.replicates: 0 is out of range
m_huge_replicates	2	m_huge_replicates.cfg:7: simulation.replicates: 20000000 is out of range
m_int_overflow	2	m_int_overflow.cfg:7: the whole number 4294967306 does not fit in 32 bits
m_int64_overflow	2	m_int64_overflow.cfg:8: the whole number 99999999999999999999999L is too large
m_hex_overflow	2	m_hex_overflow.cfg:8: the number 0xFFFFFFFF does not fit in 32 bits
m_negative_seed	2	m_negative_seed.cfg:8: simulation.seed: -1 is out of range
m_inf	2	m_inf.cfg:6: the number 1e999 is too large
m_dot	2	m_dot.cfg:6: '\.' is not a number
m_prob_over_1	2	m_prob_over_1.cfg:7: tiers.transition: row 1, column 1: 1.5 is not a probability
m_prob_negative	2	m_prob_negative.cfg:6: tiers.transition: row 0, column 1: -0.25 is not a probability
m_row_over_1	2	m_row_over_1.cfg:6: tiers.transition: row 0 \(a\) sums to 1.1
m_matrix_rows	2	m_matrix_rows.cfg:5: tiers.transition: has 3 rows but there are 2 tiers
m_matrix_cols	2	m_matrix_cols.cfg:6: tiers.transition: row 0 \(a\) has 1 entries
m_counts_length	2	m_counts_length.cfg:10: teachers.tier_counts: has 3 counts but there are 2 tiers
m_missing_section	2	m_missing_section.cfg: missing section 'teachers'
m_missing_key	2	m_missing_key.cfg:3: group 'simulation' has no 'seed'
m_unknown_key	2	m_unknown_key.cfg:7: unknown key 'replicate' \(did you mean 'replicates'\?\)
m_unknown_section	2	m_unknown_section.cfg:3: unknown key 'simulaton' \(did you mean 'simulation'\?\)
m_full_key	2	m_full_key.cfg:4: 'staffing' is only used in full mode
m_mode_unknown	2	m_mode_unknown.cfg:4: simulation.mode: "markow" is not a valid value \(did you mean "markov"\?\)
m_years_order	2	m_years_order.cfg:6: simulation.end_year: 2019 is not after base_year 2020
m_years_equal	2	m_years_equal.cfg:6: simulation.end_year: 2020 is not after base_year 2020
m_year_range	2	m_year_range.cfg:5: simulation.base_year: 1066 is out of range
m_entry_tier	2	m_entry_tier.cfg:11: recruitment.entry_tier: "c" is not one of tiers.names
m_dup_tiers	2	m_dup_tiers.cfg:4: tiers.names: "a" is listed twice \(entries 0 and 1\)
m_no_tiers	2	m_no_tiers.cfg:4: tiers.names: 0 tiers
m_too_many_tiers	2	m_too_many_tiers.cfg:4: tiers.names: 17 tiers
m_empty_tier_name	2	m_empty_tier_name.cfg:4: tiers.names: tier 1 has an empty name
m_deep	2	m_deep.cfg:4: brackets nested more than 32 deep
m_bom	2	m_bom.cfg:1: the file starts with a byte-order mark
m_gbk_tier	2	m_gbk_tier.cfg:4: this line is not UTF-8 text \(is the file saved as GBK
m_gbk_comment	2	m_gbk_comment.cfg:2: this line is not UTF-8 text
m_binary	2	m_binary.cfg: this is not a text file \(it contains NUL bytes\)
m_binary_nonul	2	m_binary_nonul.cfg:1: this line is not UTF-8 text
m_include_cycle	2	m_include_cycle.cfg:2: include file nesting too deep \(is there an @include cycle
m_include_cycle2	2	cycle_b.inc:2: include file nesting too deep \(is there an @include cycle
m_include_missing	2	m_include_missing.cfg:4: cannot open include file: @include "base/no_such_file.inc"
m_include_dir	2	m_include_dir.cfg:4: @include ".*base": is a directory
m_include_device	2	m_include_device.cfg:4: @include ".*dev/zero": is not a regular file
m_include_bad	2	bad_part.inc:10: recruitment.entry_tier: "b " is not one of tiers.names
m_include_gbk	2	gbk_part.inc:2: this line is not UTF-8 text
f_county_unknown	2	f_county_unknown.cfg:9: schools\[\].county: "east" is not one of region.counties
f_stage_unknown	2	f_stage_unknown.cfg:9: schools\[\].stage: "middle" is not a valid value
f_locality_unknown	2	f_locality_unknown.cfg:9: schools\[\].locality: "suburb" is not a valid value
f_school_count_negative	2	f_school_count_negative.cfg:9: schools\[\].count: -3; it must be 1 to
f_school_count_huge	2	f_school_count_huge.cfg:9: schools\[\].count: 2000000000; it must be 1 to
f_students_negative	2	f_students_negative.cfg:9: schools\[\].students: -3800; it must be 0 to
f_students_huge	2	f_students_huge.cfg:9: schools\[\].students: 1e\+300; it must be 0 to
f_no_schools	2	f_no_schools.cfg:7: schools: is empty
f_no_counties	2	f_no_counties.cfg:8: region.counties: 0 counties
f_dup_county	2	f_dup_county.cfg:8: region.counties: "north" is listed twice
f_gbk_county	2	f_gbk_county.cfg:8: this line is not UTF-8 text
f_gbk_tier	2	f_gbk_tier.cfg:8: this line is not UTF-8 text
f_missing_section	2	f_missing_section.cfg: missing section 'population'
f_wrong_type	2	f_wrong_type.cfg:7: rotation.transfer_rate: expected a number, got a string
f_prob_over_1	2	f_prob_over_1.cfg:11: tiers.prob: entry 1 is 1.08
f_min_years_negative	2	f_min_years_negative.cfg:10: tiers.min_years: entry 1 is -4
f_prob_length	2	f_prob_length.cfg:11: tiers.prob: has 2 numbers; it must have 3
f_title_rate_over_1	2	f_title_rate_over_1.cfg:8: titles.rate_from_none: 1.5 is out of range; it must be from 0 to 1
f_demotion_negative	2	f_demotion_negative.cfg:8: titles.demotion: -0.1 is out of range; it must be from 0 to 1
f_demotion_wrong_type	2	f_demotion_wrong_type.cfg:8: titles.demotion: expected a number, got a string
f_backbone_unknown	2	f_backbone_unknown.cfg:9: tiers.backbone: "中坚" is not a valid value
f_region_script_unknown	2	f_region_script_unknown.cfg:6: region.script: "traditonal" is not a valid value \(did you mean "traditional"\?\)
f_shares_sum	2	f_shares_sum.cfg:10: population.stages\[\].age: shares sum to 1.1
f_share_over_1	2	f_share_over_1.cfg:11: population.stages\[\].female: 1.73 is not a share
f_stock_no_school	2	f_stock_no_school.cfg:16: population.stages\[\].count: 300 senior teachers but no senior school
f_timeline_county	2	f_timeline_county.cfg:16: timeline\[\].counties: "nroth" is not one of region.counties
f_timeline_structure	2	f_timeline_structure.cfg:17: 'schools' cannot change in the timeline
f_timeline_year	2	f_timeline_year.cfg:16: timeline\[\].year: 1850 is outside
f_timeline_unknown_key	2	f_timeline_unknown_key.cfg:17: unknown key 'refrom' \(did you mean 'reform'\?\)
f_unknown_key	2	f_unknown_key.cfg:8: unknown key 'bsae' \(did you mean 'base'\?\) in group 'exit'
f_unknown_stage_key	2	f_unknown_stage_key.cfg:8: unknown key 'primray' in 'exit.base' \(did you mean 'primary'\?\)
f_channel_unknown	2	f_channel_unknown.cfg:9: recruitment.order: "tegnag" is not a valid value \(did you mean "tegang"\?\)
f_markov_key	2	f_markov_key.cfg:8: 'teachers' is only used in markov mode
f_years_order	2	f_years_order.cfg:10: simulation.end_year: 2019 is not after base_year 2020
f_target_year	2	f_target_year.cfg:8: targets\[\].year: 2030 is outside the simulated years
f_target_op	2	f_target_op.cfg:8: targets\[\].op: "=>" is not a valid value
f_target_metric	2	f_target_metric.cfg:8: targets: 't': no metric 'teachers.totl'
f_target_county_unknown	2	f_target_county_unknown.cfg:9: targets\[\].county: target 't': "nrth" is not one of region.counties \(did you mean "north"\?\); use one of "north", "south"
f_target_scope	2	f_target_scope.cfg:9: targets\[\].scope: "each_conty" is not a valid value \(did you mean "each_county"\?\); use one of "region", "county", "each_county"
f_target_each_county_with_county	2	f_target_each_county_with_county.cfg:9: targets\[\].county: a target of scope "each_county" has no 'county'
f_target_region_with_county	2	f_target_region_with_county.cfg:9: targets\[\].county: a target of scope "region" has no 'county'
f_target_county_missing	2	f_target_county_missing.cfg:8: targets\[\].county: target 't': scope "county" needs 'county', the county's name: one of "north", "south"
f_target_county_key	2	f_target_county_key.cfg:9: unknown key 'conty' \(did you mean 'county'\?\) in group 'targets\[\]'
m_target_each_county	2	m_target_each_county.cfg:4: targets\[\].scope: target 't': scope "each_county" needs counties, and this config has none
m_escape_gbk	2	m_escape_gbk.cfg:5: region.name: the text is not valid UTF-8: byte 0xB8 at byte 0 does not start a character
m_escape_surrogate	2	m_escape_surrogate.cfg:4: region.name: the text is not valid UTF-8: a UTF-16 surrogate U\+D800 at byte 3
m_escape_overlong	2	m_escape_overlong.cfg:4: tiers.names: the text is not valid UTF-8: an overlong form of U\+002F
m_escape_overlong3	2	m_escape_overlong3.cfg:4: region.name: the text is not valid UTF-8: an overlong form of U\+002F at byte 1
m_escape_above_max	2	m_escape_above_max.cfg:4: region.name: the text is not valid UTF-8: U\+110000 at byte 0 is above U\+10FFFF
m_escape_cut	2	m_escape_cut.cfg:4: region.name: the text is not valid UTF-8: the character at byte 0 is cut short
m_escape_target_note	2	m_escape_target_note.cfg:8: targets\[\].note: the text is not valid UTF-8
m_escape_scenario_set	2	m_escape_scenario_set.cfg:6: scenario 'gbk': set "region.name=.*": region.name: the text is not valid UTF-8	validate
f_escape_county	2	f_escape_county.cfg:3: region.counties: the text is not valid UTF-8
m_target_name_twice	2	m_target_name_twice.cfg:7: targets\[\].name: "t" is used twice
m_scenario_name_twice	2	m_scenario_name_twice.cfg:6: scenarios\[\].name: "s" is used twice
m_scenario_key_twice	2	m_scenario_key_twice.cfg:7: scenarios\[\].set: the key 'simulation.replicates' is listed twice \(first at .*m_scenario_key_twice.cfg:6\)
f_schedule_twice	2	f_schedule_twice.cfg:10: recruitment.schedule: the year 2023 is listed twice
f_series_twice	2	f_series_twice.cfg:11: enrolment.series: primary rural is listed twice \(first at .*f_series_twice.cfg:10\)
f_series_all_overlap	2	f_series_all_overlap.cfg:11: enrolment.series: junior rural is listed twice
f_timeline_key_twice	2	f_timeline_key_twice.cfg:18: timeline: rotation.transfer_rate is set twice for 2022 in the same counties \(first at .*f_timeline_key_twice.cfg:16\)
f_timeline_counties_twice	2	f_timeline_counties_twice.cfg:16: timeline\[\].counties: "north" is listed twice
f_order_twice	2	f_order_twice.cfg:9: recruitment.order: "funded" is listed twice
f_channel_stages_twice	2	f_channel_stages_twice.cfg:11: recruitment.channels.funded.stages: "primary" is listed twice
f_rotation_stage_unknown	2	f_rotation_stage_unknown.cfg:7: rotation.stages: "primray" is not a valid value \(did you mean "primary"\?\)
f_rotation_stages_empty	2	f_rotation_stages_empty.cfg:7: rotation.stages: is empty
f_exchange_basis_unknown	2	f_exchange_basis_unknown.cfg:7: rotation.exchange_basis: "schol" is not a valid value \(did you mean "school"\?\)
f_group_stage_unknown	2	f_group_stage_unknown.cfg:9: stage_groups\[\].stages: "senoir" is not a valid value \(did you mean "senior"\?\)
f_group_empty	2	f_group_empty.cfg:9: stage_groups\[\].stages: is empty
f_group_twice	2	f_group_twice.cfg:10: stage_groups\[\].name: "upper" is listed twice
f_group_stage_name	2	f_group_stage_name.cfg:9: stage_groups\[\].name: "senior" is a stage's name
f_subject_shares_sum	2	f_subject_shares_sum.cfg:18: subjects.shares.primary: shares sum to 1.1; they must sum to 1
f_subject_shares_length	2	f_subject_shares_length.cfg:19: subjects.shares.junior: has 2 numbers; it must have 3
f_subject_stage_unknown	2	f_subject_stage_unknown.cfg:19: unknown key 'junoir' in 'subjects.shares' \(did you mean 'junior'\?\)
f_subject_stage_missing	2	f_subject_stage_missing.cfg:17: subjects.shares: has no shares for junior, which has schools
f_subject_name_twice	2	f_subject_name_twice.cfg:16: subjects.names: "pe" is listed twice
f_subject_floor_unknown	2	f_subject_floor_unknown.cfg:21: subjects.floor: 'mental_helth' is not one of subjects.names \(nearest: 'mental_health'\)
f_subject_floor_negative	2	f_subject_floor_negative.cfg:21: subjects.floor.mental_health: -1; a floor is a number of teachers from 0 to 10000
f_retrain_prob_over_1	2	f_retrain_prob_over_1.cfg:21: subjects.retrain.prob: 1.5 is out of range
f_retrain_capacity_negative	2	f_retrain_capacity_negative.cfg:21: subjects.retrain.capacity: -5 is out of range; it must be from -1
f_subject_load_zero	2	f_subject_load_zero.cfg:22: subjects.load.primary: 0 is out of range; it must be above 0
f_subject_class_size_negative	2	f_subject_class_size_negative.cfg:23: subjects.class_size.junior: -50 is out of range; it must be above 0
f_subject_periods_negative	2	f_subject_periods_negative.cfg:21: subjects.periods.primary: -26 is out of range; it must be at least 0
f_subject_load_partial	2	f_subject_load_partial.cfg:21: subjects.periods.junior: has no subjects.class_size.junior
f_subject_load_stage_unknown	2	f_subject_load_stage_unknown.cfg:22: unknown key 'primray' in 'subjects.load' \(did you mean 'primary'\?\)
f_programme_zero	2	f_programme_zero.cfg:11: recruitment.channels.funded.programme_years: 0 years from intake to graduation: leave programme_years out
f_programme_negative	2	f_programme_negative.cfg:11: recruitment.channels.funded.programme_years: -4 is out of range
f_graduation_over_1	2	f_graduation_over_1.cfg:11: recruitment.channels.funded.graduation: 1.2 is out of range
f_intake_before_length	2	f_intake_before_length.cfg:11: recruitment.channels.funded.intake_before: has 2 numbers; a 4-year programme needs 3
f_school_name_twice	2	f_school_name_twice.cfg:10: schools\[\].name: "一小" in north is listed twice \(first at .*f_school_name_twice.cfg:9\)
f_population_stage_twice	2	f_population_stage_twice.cfg:16: population.stages\[\].stage: "primary" is listed twice
f_close_unknown_school	2	f_close_unknown_school.cfg:9: closures\[\]\.school: "schools\[1\]#9": the block has 6 schools
f_close_unknown_block	2	f_close_unknown_block.cfg:9: closures\[\]\.school: "村小#1": no schools block is named "村小"
f_close_into_itself	2	f_close_into_itself.cfg:9: closures\[\]\.into: "schools\[1\]#2" is the closing school itself
f_close_into_other_stage	2	f_close_into_other_stage.cfg:9: closures\[\]\.into: "schools\[2\]#1" is not of the closing school.s county and stage
f_close_below_zero	2	f_close_below_zero.cfg:9: closures\[\]\.below: 0; it must be above 0
f_close_no_below	2	f_close_no_below.cfg:9: closures\[0\]: closes schools by size: give below
f_close_share_over_1	2	f_close_share_over_1.cfg:9: closures\[\]\.share: 1\.5; it must be in \(0, 1\]
f_close_share_zero	2	f_close_share_zero.cfg:9: closures\[\]\.share: 0; it must be in \(0, 1\]
f_close_year_outside	2	f_close_year_outside.cfg:9: closures\[\]\.year: 2300 is outside the run: a closure year must be 2021 to 2025
f_close_base_year	2	f_close_base_year.cfg:9: closures\[\]\.year: 2020 is outside the run
f_close_stage_unknown	2	f_close_stage_unknown.cfg:9: closures\[\]\.stage: "primay" is not a valid value \(did you mean "primary"\?\)
f_close_locality_unknown	2	f_close_locality_unknown.cfg:9: closures\[\]\.locality: "rurl" is not a valid value \(did you mean "rural"\?\)
f_close_county_unknown	2	f_close_county_unknown.cfg:9: closures\[\]\.county: "nort" is not one of region\.counties \(nearest: "north"\)
f_close_into_unknown	2	f_close_into_unknown.cfg:9: closures\[\]\.into: "tonw" is not a valid value \(did you mean "town"\?\)
m_scenario_typo	2	m_scenario_typo.cfg:6: scenarios\[\].set: scenario 'more': unknown key 'recruitment.anual_quota' \(did you mean 'recruitment.annual_quota'\?\)
m_scenario_group	2	m_scenario_group.cfg:5: scenarios\[\].set: scenario 's': 'simulation' is a group
m_scenario_noeq	2	m_scenario_noeq.cfg:5: scenarios\[\].set: scenario 's': "simulation.replicates" is not key.path=value
m_scenario_value	2	m_scenario_value.cfg:8: scenario 'zero': set "simulation.replicates=0": simulation.replicates: 0 is out of range	validate
m_scenario_bad_tier	2	m_scenario_bad_tier.cfg:6: scenario 's': set "recruitment.entry_tier=c": recruitment.entry_tier: "c" is not one of tiers.names	validate
f_unc_string_key	2	f_unc_string_key.cfg:10: uncertainty.settings\[\].key: "recruitment.policy" takes a string in double quotes; a distribution needs a number
f_unc_whole_array	2	f_unc_whole_array.cfg:10: uncertainty.settings\[\].key: "tiers.prob" takes an array of numbers .*give an element: tiers.prob\[i\]
f_unc_prob_range	2	f_unc_prob_range.cfg:11: uncertainty: tiers.prob\[1\]: the range reaches 1.2 but the key takes values from 0 to 1
f_unc_empty	2	f_unc_empty.cfg:10: uncertainty.settings\[\].uniform: has 0 numbers; it must have 2
f_unc_reversed	2	f_unc_reversed.cfg:10: uncertainty.settings\[\].uniform: is reversed: 0.2 > 0.1
f_unc_mode_outside	2	f_unc_mode_outside.cfg:10: uncertainty.settings\[\].triangular: the mode 0.3 is not between 0.05 and 0.2
f_unc_negative_sd	2	f_unc_negative_sd.cfg:10: uncertainty.settings\[\].normal: the standard deviation -0.02 is negative
f_unc_two_dists	2	f_unc_two_dists.cfg:11: uncertainty.settings\[\]: gives two distributions \(uniform and normal\); give one
f_unc_no_dist	2	f_unc_no_dist.cfg:10: uncertainty.settings\[\]: gives no distribution: add one of uniform
f_unc_no_why	2	f_unc_no_why.cfg:10: group 'uncertainty.settings\[0\]' has no 'why'
f_unc_empty_why	2	f_unc_empty_why.cfg:10: uncertainty.settings\[\].why: is empty
f_unc_typo	2	f_unc_typo.cfg:10: uncertainty.settings\[\].key: "tiers.porb\[1\]": unknown key 'tiers.porb' \(did you mean 'tiers.prob'\?\)
f_unc_scenario	2	f_unc_scenario.cfg:9: scenario 'more' sets "rotation.transfer_rate=0.05", which is uncertain \(.*f_unc_scenario.cfg:13\)
f_unc_rest_scalar	2	f_unc_rest_scalar.cfg:10: uncertainty.settings\[\].rest: needs an element of a share array as the key
f_unc_rest_self	2	f_unc_rest_self.cfg:10: uncertainty.settings\[\].rest: 1 is the element drawn itself
f_unc_design	2	f_unc_design.cfg:9: uncertainty.design: "sobl" is not a valid value \(did you mean "sobol"\?\)
f_unc_sobol_41	2	f_unc_sobol_41.cfg:8: uncertainty: a Sobol design takes at most 40 uncertain settings, and 41 are given: use the "lhs" design
f_unc_replicates	2	f_unc_replicates.cfg:10: uncertainty.settings\[\].key: "simulation.replicates" is part of the run's set-up, not of the model: it cannot be uncertain
f_unc_index	2	f_unc_index.cfg:8: uncertainty: at the central values: .*population.stages\[2\].female=.*index 2 is out of range
f_unc_subject_share	2	f_unc_subject_share.cfg:14: uncertainty: subjects.shares.primary\[0\] changes the region's shape .*subjects\): it cannot be uncertain
f_unc_subject_load	2	f_unc_subject_load.cfg:15: uncertainty: subjects.load.primary changes the region's shape .*subjects\): it cannot be uncertain
m_all_at_once	2	m_all_at_once.cfg:7: unknown key 'replicate'
f_all_at_once	2	f_all_at_once.cfg:27: unknown key 'bsae'
m_many_problems	2	m_many_problems.cfg:6: tiers.transition: row 0, column 0: 1.5 is not a probability
EOF
# every file in tests/bad_input/ is in the table (a new case must be added)
listed=$(ls "$data"/*.cfg | wc -l)
if [ "$listed" -eq "$n_files" ]; then ok "every tests/bad_input/*.cfg is a case ($n_files)"
else echo "$listed files, $n_files in the table" >"$tmp/out"; bad "every tests/bad_input/*.cfg is a case" "$tmp/out"; fi

# ---- every problem in one pass, each line on its own --------------------------
# also NAME PATTERN...: the output of the last expect matches every PATTERN
# (grep -E), and every line of it starts with "twsim: ".
also() {
    name=$1; shift
    for p in "$@"; do
        if ! grep -Eq -- "$p" "$tmp/out"; then
            echo "output does not match: $p" >>"$tmp/out"
            bad "$name" "$tmp/out"
            return
        fi
    done
    if grep -qv '^twsim: ' "$tmp/out"; then
        echo "a line does not start with 'twsim: '" >>"$tmp/out"
        bad "$name" "$tmp/out"
        return
    fi
    ok "$name"
}
expect "validate m_all_at_once" 2 "" "$TWSIM" validate "$data/m_all_at_once.cfg"
also "a typo, a wrong type and ranges: all reported at once" \
    "m_all_at_once.cfg:7: unknown key 'replicate' \(did you mean 'replicates'\?\)" \
    "m_all_at_once.cfg:8: simulation.seed: expected a whole number, got a string" \
    "m_all_at_once.cfg:12: tiers.transition: row 0, column 0: 1.5 is not a probability" \
    "m_all_at_once.cfg:14: teachers.tier_counts: count 1 \(b\) is -50"
if grep -q "has no 'replicates'\|has no 'seed'" "$tmp/out"; then
    bad "a removed typo or wrong type is not reported again as missing" "$tmp/out"
else ok "a removed typo or wrong type is not reported again as missing"; fi
expect "validate f_all_at_once" 2 "" "$TWSIM" validate "$data/f_all_at_once.cfg"
also "full mode: a typo, redundancy = 5 and female = 1.73 at once" \
    "f_all_at_once.cfg:27: unknown key 'bsae'" \
    "f_all_at_once.cfg:26: staffing.redundancy: 5 is out of range" \
    "f_all_at_once.cfg:12: population.stages\[\].female: 1.73 is not a share"
expect "validate m_many_problems" 2 "" "$TWSIM" validate "$data/m_many_problems.cfg"
also "30 problems: 20 lines and '... and 10 more problems'" \
    "^twsim: \.\.\. and 10 more problems$"
if [ "$(wc -l <"$tmp/out")" -eq 21 ]; then ok "30 problems: 21 lines in all"
else bad "30 problems: 21 lines in all" "$tmp/out"; fi
expect "--set and file problems together" 2 "" "$TWSIM" validate "$data/m_all_at_once.cfg" \
    --set simulation.end_year=1999 --set tiers.nmaes=1
also "--set and file problems together: all reported" \
    "m_all_at_once.cfg:7: unknown key 'replicate'" \
    "--set tiers.nmaes=1: unknown key" \
    "--set simulation.end_year=1999: simulation.end_year: 1999 is not after base_year"
expect "validate: a base problem in a config with scenarios" 2 "" \
    "$TWSIM" validate "$data/m_scenario_value.cfg" --set simulation.seed=-3
also "validate: a base problem in a config with scenarios is reported" \
    "simulation.seed: -3 is out of range"
expect "validate --scenario of the good one passes" 0 "OK \(mode markov" \
    "$TWSIM" validate "$data/m_scenario_value.cfg" --scenario ok
expect "run --scenario of the bad one fails" 2 "m_scenario_value.cfg:8: scenario 'zero'" \
    "$TWSIM" run "$data/m_scenario_value.cfg" -q -o "$tmp/out.h5" --scenario zero
expect "validate: every scenario is counted in the OK line" 0 "OK \(.*, 2 scenarios\)" \
    "$TWSIM" validate "$data/m_scenario_value.cfg" --set 'scenarios=({ name = "a"; set = ["simulation.replicates=3"]; }, { name = "b"; set = ["simulation.seed=4"]; })'

# ---- what is not a config file ------------------------------------------------
expect "run: a directory as CONFIG"  2 "bad_input: is a directory, not a config file" \
    "$TWSIM" run "$data" -q
expect "run: /dev/zero as CONFIG (no hang, no memory bomb)" 2 \
    "/dev/zero: is not a regular file" "$TWSIM" run /dev/zero -q
mkfifo "$tmp/fifo.cfg" 2>/dev/null &&
    expect "run: a FIFO as CONFIG (no wait for a writer)" 2 \
        "fifo.cfg: is not a regular file" "$TWSIM" run "$tmp/fifo.cfg" -q
expect "run: a missing CONFIG"       2 "nope.cfg: cannot open the config file" \
    "$TWSIM" run "$tmp/nope.cfg" -q
expect "validate: the HDF5-less junk of /dev/urandom's kind" 2 \
    "m_binary.cfg: this is not a text file" "$TWSIM" validate "$data/m_binary.cfg"

# ---- bad --set paths and values (markov and full mode) ------------------------
o="-q -o $tmp/out.h5"
# shellcheck disable=SC2086
{
expect "--set: unknown key, suggestion" 2 \
    "--set simulation.replicatez=5: unknown key .*did you mean 'simulation.replicates'" \
    "$TWSIM" run "$cfg" $o --set simulation.replicatez=5
expect "--set: unknown section"      2 "--set simulaton.seed=5: unknown key" \
    "$TWSIM" run "$cfg" $o --set simulaton.seed=5
expect "--set: no '='"               2 "--set simulation.replicates: expected key.path=value" \
    "$TWSIM" run "$cfg" $o --set simulation.replicates
expect "--set: empty key"            2 "--set =5: expected key.path=value" \
    "$TWSIM" run "$cfg" $o --set =5
expect "--set: empty path element"   2 "--set simulation..seed=1: unknown key" \
    "$TWSIM" run "$cfg" $o --set simulation..seed=1
expect "--set: below a number"       2 "--set simulation.seed.x=1: unknown key" \
    "$TWSIM" run "$cfg" $o --set simulation.seed.x=1
expect "--set: a group at once"      2 "'simulation' is a group; set one of its keys" \
    "$TWSIM" run "$cfg" $o --set simulation=1
expect "--set: wrong type"           2 "--set simulation.replicates=ten: .*expected a whole number" \
    "$TWSIM" run "$cfg" $o --set simulation.replicates=ten
expect "--set: decimal for a count"  2 "simulation.replicates: expected a whole number, got a decimal" \
    "$TWSIM" run "$cfg" $o --set simulation.replicates=1.5
expect "--set: negative count"       2 "simulation.replicates: -4 is out of range" \
    "$TWSIM" run "$cfg" $o --set simulation.replicates=-4
# a good full-mode config with an uncertain setting (line 10), next to a
# copy of the pieces it includes (base/region.inc includes
# ../../configs/national.cfg)
mkdir -p "$tmp/unc/a/b" "$tmp/unc/configs"
cp -R "$data/base" "$tmp/unc/a/b/"
cp "$root/configs/national.cfg" "$tmp/unc/configs/"
cat >"$tmp/unc/a/b/unc_set.cfg" <<'EOF'
# the --set cases below set the key that is uncertain here
@include "base/region.inc"
@include "base/simulation.inc"
@include "base/schools.inc"
@include "base/population.inc"
@include "base/policy.inc"
@include "base/tiers.inc"
uncertainty = {
  settings = (
    { key = "tiers.prob[1]"; uniform = [0.05, 0.1]; why = "w"; }
  );
};
EOF
expect "--set: a key that is uncertain in the config" 2 \
    "--set tiers.prob\\[1\\]=0.2: \"tiers.prob\\[1\\]\" is uncertain \\(.*unc_set.cfg:10\\)" \
    "$TWSIM" run "$tmp/unc/a/b/unc_set.cfg" $o --set 'tiers.prob[1]=0.2'
expect "--set: a whole array with an uncertain element" 2 \
    "--set tiers.prob=.*: \"tiers.prob\\[1\\]\" is uncertain" \
    "$TWSIM" run "$tmp/unc/a/b/unc_set.cfg" $o --set 'tiers.prob=[0.1, 0.2, 0.3]'
expect "--set: probability above 1"  2 "--set tiers.transition=.*row 0, column 0: 1.5 is not a probability" \
    "$TWSIM" run "$cfg" $o --set 'tiers.transition=([1.5, 0.0, 0.0, 0.0], [0.0, 0.5, 0.0, 0.0], [0.0, 0.0, 0.5, 0.0], [0.0, 0.0, 0.0, 0.5])'
expect "--set: row sum above 1"      2 "row 1 \\(SF\\) sums to 1.2" \
    "$TWSIM" run "$cfg" $o --set 'tiers.transition=([0.5, 0.0, 0.0, 0.0], [0.6, 0.6, 0.0, 0.0], [0.0, 0.0, 0.5, 0.0], [0.0, 0.0, 0.0, 0.5])'
expect "--set: unparsable value"     2 "--set tiers.names=\\[\"a\": cannot read the value" \
    "$TWSIM" run "$cfg" $o --set 'tiers.names=["a"'
expect "--set: a value over two lines" 2 "a value must be on one line" \
    "$TWSIM" run "$cfg" $o --set "$(printf 'simulation.seed=1\n@include "/dev/zero"')"
expect "--set: a second setting smuggled in" 2 "cannot read the value" \
    "$TWSIM" run "$cfg" $o --set 'simulation.seed=1; simulation.replicates=3'
expect "--set: beyond 32 bits inside an array" 2 "the whole number 4294967306 does not fit in 32 bits" \
    "$TWSIM" run "$cfg" $o --set 'teachers.tier_counts=[1, 2, 3, 4294967306]'
expect "--set: beyond 64 bits"       2 "the whole number 50000000000000000000000 is too large" \
    "$TWSIM" run "$cfg" $o --set simulation.seed=50000000000000000000000
expect "--set: a GBK value"          2 "the value is not UTF-8 text" \
    "$TWSIM" run "$cfg" $o --set "$(printf 'region.name=\270\333\261\261')"
expect "--set: an escape that decodes to bytes that are not UTF-8" 2 \
    "--set region.name=.*: region.name: the text is not valid UTF-8: byte 0xB8" \
    "$TWSIM" run "$cfg" $o --set 'region.name="\xB8\xDB"'
expect "--set: a surrogate in escapes" 2 "a UTF-16 surrogate U\\+DFFF" \
    "$TWSIM" run "$cfg" $o --set 'region.name="\xED\xBF\xBF"'
expect "--set: a valid character in escapes is fine" 0 "OK" \
    "$TWSIM" validate "$cfg" --set 'region.name="\xE6\xB8\xAF"'
expect "--set: a schedule year twice" 2 "recruitment.schedule: the year 2021 is listed twice" \
    "$TWSIM" run "$full" $o --set 'recruitment.schedule=([2021, 5], [2021, 6])'
expect "--set: a tier name twice" 2 "tiers.names: \"b\" is listed twice" \
    "$TWSIM" run "$cfg" $o --set 'tiers.names=["a", "b", "c", "b"]'
expect "--set: unknown entry tier"   2 "recruitment.entry_tier: \"XX\" is not one of tiers.names" \
    "$TWSIM" run "$cfg" $o --set recruitment.entry_tier=XX
expect "--set (full): unknown county in schools" 2 \
    "--set schools=.*schools\\[\\].county: \"nosuch\" is not one of region.counties" \
    "$TWSIM" run "$full" $o --set 'schools=({ county = "nosuch"; stage = "primary"; locality = "urban"; count = 4; students = 8000.0; })'
expect "--set (full): counties that drop one used by schools" 2 \
    "full_small.cfg:27: schools\\[\\].county: \"south\" is not one of region.counties" \
    "$TWSIM" run "$full" $o --set 'region.counties=["north"]'
expect "--set (full): unknown by-stage key" 2 "unknown key 'exit.base.primray'" \
    "$TWSIM" run "$full" $o --set exit.base.primray=0.02
expect "--set (full): hazard above 1" 2 "exit.base.primary: 2 is out of range" \
    "$TWSIM" run "$full" $o --set exit.base.primary=2.0
expect "--set (full): timeline for an unknown county" 2 "timeline\\[\\].counties: \"nosuch\" is not one of region.counties" \
    "$TWSIM" run "$full" $o --set 'timeline=({ year = 2022; counties = [ "nosuch" ]; set = { rotation = { reform = true; }; }; })'
expect "--set (full): a markov key"  2 "only used in markov mode" \
    "$TWSIM" run "$full" $o --set 'teachers.tier_counts=[1, 2, 3, 4]'
# lever paths (docs/config.md, "Lever paths"): each refused before any
# simulation, with the valid choices
named='timeline=({ year = 2022; name = "pilot"; counties = [ "north" ]; set = { rotation = { reform = true; }; }; }, { year = 2024; name = "all"; set = { rotation = { reform = true; }; }; })'
expect "--set path: an array written with a dot" 2 "--set tiers.prob.1=0.2: unknown key .*address an element as 'tiers.prob\\[1\\]'" \
    "$TWSIM" run "$full" $o --set tiers.prob.1=0.2
expect "--set path: no such key, nearest suggested" 2 "--set tiers.capcity\\[3\\]=40: unknown key 'tiers.capcity' \\(did you mean 'tiers.capacity'\\?\\)" \
    "$TWSIM" run "$full" $o --set 'tiers.capcity[3]=40'
expect "--set path: index out of range" 2 "--set tiers.prob\\[3\\]=0.2: index 3 is out of range: tiers.prob has 3 entries \\(valid indices 0..2\\)" \
    "$TWSIM" run "$full" $o --set 'tiers.prob[3]=0.2'
expect "--set path: an element of a string array" 2 "'tiers.names' takes an array of strings.*number array" \
    "$TWSIM" run "$full" $o --set 'tiers.names[0]=x'
expect "--set path: a decimal for a whole-number element" 2 "tiers.min_years\\[0\\]: expected a whole number, got '2.5'" \
    "$TWSIM" run "$full" $o --set 'tiers.min_years[0]=2.5'
expect "--set path: @YEAR outside the run" 2 "--set recruitment.quota@2030=5: @2030 is outside the simulated years 2021..2025" \
    "$TWSIM" run "$full" $o --set recruitment.quota@2030=5
expect "--set path: @YEAR on the structure" 2 "'simulation.seed' cannot change by year \\(it is part of the region's structure" \
    "$TWSIM" run "$full" $o --set simulation.seed@2023=5
expect "--set path: an unknown county" 2 "no county 'nort' \\(did you mean 'north'\\?\\); region.counties: north, south" \
    "$TWSIM" run "$full" $o --set county.nort.rotation.reform=true
expect "--set path: a region-wide key per county" 2 "'tiers.prob' is region-wide" \
    "$TWSIM" run "$full" $o --set 'county.north.tiers.prob[0]=0.2'
expect "--set path: an unknown timeline entry" 2 "no timeline entry named 'pliot' \\(did you mean 'pilot'\\?\\); the named entries: pilot, all" \
    "$TWSIM" run "$full" $o --set "$named" --set timeline.pliot.set.rotation.share=0.2
expect "--set path: no entry is named" 2 "no timeline entry named 'pilot'; none is named" \
    "$TWSIM" run "$full" $o --set timeline.pilot.set.rotation.share=0.2
expect "--set path: a timeline entry name used twice" 2 "timeline\\[\\].name: \"pilot\" is used twice \\(first at " \
    "$TWSIM" run "$full" $o --set 'timeline=({ year = 2022; name = "pilot"; set = { rotation = { reform = true; }; }; }, { year = 2024; name = "pilot"; set = { rotation = { reform = true; }; }; })'
expect "--set path: a timeline entry name with a dot" 2 "timeline\\[\\].name: \"a.b\": use 1 to 64 bytes without '.'" \
    "$TWSIM" run "$full" $o --set 'timeline=({ year = 2022; name = "a.b"; set = { rotation = { reform = true; }; }; })'
expect "--set path: a scenario's set, checked on load" 2 "scenario 'x': unknown key 'tiers.capcity' \\(did you mean 'tiers.capacity'\\?\\)" \
    "$TWSIM" validate "$full" --set 'scenarios=({ name = "x"; set = [ "tiers.capcity[3]=40" ]; })'
expect "--set path: a lever out of range in sweep" 2 "index 9 is out of range: tiers.cap has 4 entries \\(valid indices 0..3\\)" \
    "$TWSIM" sweep "$full" -o "$tmp/out.h5" --lever 'tiers.cap[9]' --values 1,2
expect "--set path: a lever that does not exist in optimize" 2 "unknown key 'tiers.capcity' \\(did you mean 'tiers.capacity'\\?\\)" \
    "$TWSIM" optimize "$full" -o "$tmp/out.h5" --lever 'tiers.capcity[3]' --range 1:2
# a member of an element of a list of groups (LIST[i].KEY, LIST[*].KEY)
expect "--set path: a list element out of range" 2 "--set population.stages\\[9\\].female=0.5: index 9 is out of range: population.stages has 3 entries \\(valid indices 0..2\\)" \
    "$TWSIM" run "$full" $o --set 'population.stages[9].female=0.5'
expect "--set path: a typo in a list element's key" 2 "--set population.stages\\[0\\].femal=0.5: unknown key 'femal' in an element of population.stages \\(did you mean 'female'\\?\\)" \
    "$TWSIM" run "$full" $o --set 'population.stages[0].femal=0.5'
expect "--set path: [*] on an array element" 2 "--set population.stages\\[\\*\\].tiers\\[\\*\\]=0.1: 'tiers\\[\\*\\]': \\[\\*\\] stands for every element of a list of groups" \
    "$TWSIM" run "$full" $o --set 'population.stages[*].tiers[*]=0.1'
expect "--set path: @YEAR on a list element" 2 "--set population.stages\\[0\\].female@2023=0.5: 'population.stages\\[0\\].female' cannot change by year .*drop @2023" \
    "$TWSIM" run "$full" $o --set 'population.stages[0].female@2023=0.5'
expect "--set path: a list element per county" 2 "cannot be given per county or in a timeline entry" \
    "$TWSIM" run "$full" $o --set 'county.north.population.stages[0].female=0.5'
expect "--set path: a word for a list element's number" 2 "--set population.stages\\[0\\].tiers\\[1\\]=abc: cannot read the value 'abc' \\(expected a number\\)" \
    "$TWSIM" run "$full" $o --set 'population.stages[0].tiers[1]=abc'
expect "--set path: a list element's share above 1" 2 "--set population.stages\\[0\\].female=1.5: population.stages\\[\\].female: 1.5 is not a share" \
    "$TWSIM" run "$full" $o --set 'population.stages[0].female=1.5'
expect "--set path: every element's share above 1" 2 "--set population.stages\\[\\*\\].female=1.5: population.stages\\[\\].female: 1.5 is not a share" \
    "$TWSIM" run "$full" $o --set 'population.stages[*].female=1.5'
expect "--set path: a list element's shares no longer sum to 1" 2 "--set population.stages\\[0\\].tiers\\[1\\]=0.5: population.stages\\[\\].tiers: shares sum to 1.28" \
    "$TWSIM" run "$full" $o --set 'population.stages[0].tiers[1]=0.5'
expect "--set: a seed beyond 32 bits is taken whole" 0 "OK \\(mode markov" \
    "$TWSIM" validate "$cfg" --set simulation.seed=5000000000

# ---- bad options ----------------------------------------------------------------
expect "-n: not a number"            2 "'lots' is not a whole number" "$TWSIM" run "$cfg" $o -n lots
expect "-n: negative"                2 "'-5' is not a whole number >= 0" "$TWSIM" run "$cfg" $o -n -5
expect "-n 0"                        2 "simulation.replicates: 0 is out of range" "$TWSIM" run "$cfg" $o -n 0
expect "-n: beyond 32 bits, reported as given" 2 "simulation.replicates: 99999999999 is out of range" \
    "$TWSIM" run "$cfg" $o -n 99999999999
expect "-n: beyond 64 bits"          2 "is not a whole number" "$TWSIM" run "$cfg" $o -n 99999999999999999999999
expect "--seed: negative"            2 "'-1' is not a whole number >= 0" "$TWSIM" run "$cfg" $o --seed -1
expect "-n without a value"          2 "option '-n' needs a value" "$TWSIM" run "$cfg" -q -n
expect "-o without a value"          2 "option '-o' needs a value" "$TWSIM" run "$cfg" -q -o
expect "two CONFIGs"                 2 "takes exactly one CONFIG" "$TWSIM" run "$cfg" "$cfg" $o
expect "no CONFIG"                   2 "needs a CONFIG" "$TWSIM" run -q
expect "unknown option"              2 "unknown option '--replicas'" "$TWSIM" run "$cfg" $o --replicas 5
expect "check: --confidence nan"     2 "between 0.5 and 1" "$TWSIM" check --confidence nan "$tmp/x.h5"
}

# ---- optimize and sweep: levers, ranges, steps and values are checked ----------
# before the first evaluation (no evaluation line "... -> meets" is printed)
mq=$here/data/markov_quota.cfg
q=recruitment.annual_quota
# shellcheck disable=SC2086
{
expect "optimize: --range HI infinite"  2 "--range: HI is not a finite number: 0:1e999" \
    "$TWSIM" optimize "$mq" --lever $q --range 0:1e999 -o "$tmp/out.h5"
expect "optimize: --range LO -inf"      2 "--range: LO is not a finite number: -inf:5" \
    "$TWSIM" optimize "$mq" --lever $q --range -inf:5 -o "$tmp/out.h5"
expect "optimize: --range LO nan"       2 "--range: LO is not a finite number" \
    "$TWSIM" optimize "$mq" --lever $q --range nan:5 -o "$tmp/out.h5"
expect "optimize: --range without HI"   2 "--range must be LO:HI" \
    "$TWSIM" optimize "$mq" --lever $q --range 5: -o "$tmp/out.h5"
expect "optimize: --range HI < LO"      2 "LO <= HI" \
    "$TWSIM" optimize "$mq" --lever $q --range 9:1 -o "$tmp/out.h5"
expect "optimize: --step inf"           2 "--step must be a finite number > 0: inf" \
    "$TWSIM" optimize "$mq" --lever $q --range 0:9 --step inf -o "$tmp/out.h5"
expect "optimize: --step 0"             2 "--step must be a finite number > 0" \
    "$TWSIM" optimize "$mq" --lever $q --range 0:9 --step 0 -o "$tmp/out.h5"
expect "optimize: --step 0.5 on a whole-number lever, at once" 2 \
    "--step 0.5: 0.5 is not a whole number, and $q takes whole numbers" \
    "$TWSIM" optimize "$mq" --lever $q --range 0:300 --step 0.5 -o "$tmp/out.h5"
expect "optimize: --range 0.5:10 on a whole-number lever" 2 \
    "--range 0.5:10: 0.5 is not a whole number" \
    "$TWSIM" optimize "$mq" --lever $q --range 0.5:10 -o "$tmp/out.h5"
expect "optimize: a range the validator refuses" 2 \
    "--range -5:10: the config does not accept $q = -5" \
    "$TWSIM" optimize "$mq" --lever $q --range -5:10 -o "$tmp/out.h5"
expect "optimize: a range beyond the key's maximum" 2 \
    "--range 0:300000000: the config does not accept $q = 3e\\+08" \
    "$TWSIM" optimize "$mq" --lever $q --range 0:300000000 --step 1000000 -o "$tmp/out.h5"
expect "optimize: a billion grid points" 2 "more than a billion grid points" \
    "$TWSIM" optimize "$mq" --lever $q --range 0:1e12 --step 1e-3 -o "$tmp/out.h5"
expect "optimize: --lever not a key"    2 "--lever recruitment.anual_quota: not a config key" \
    "$TWSIM" optimize "$mq" --lever recruitment.anual_quota --range 0:5 -o "$tmp/out.h5"
expect "optimize: a budget below the first evaluation" 2 \
    "--max-replicates 10 is below the 20 replicates of the first evaluation .*give --max-replicates >= 20, or a smaller -n" \
    "$TWSIM" optimize "$mq" --lever $q --range 0:300 --max-replicates 10 -o "$tmp/out.h5"
expect "optimize: a budget below -n" 2 "--max-replicates 99 is below the 100 replicates" \
    "$TWSIM" optimize "$mq" --lever $q --range 0:300 -n 100 --max-replicates 99 -o "$tmp/out.h5"
expect "optimize: --max-replicates 0" 2 "--max-replicates must be a whole number from 1 to 10000000: 0" \
    "$TWSIM" optimize "$mq" --lever $q --range 0:300 --max-replicates 0 -o "$tmp/out.h5"
expect "optimize: --max-replicates not a number" 2 "--max-replicates must be a whole number" \
    "$TWSIM" optimize "$mq" --lever $q --range 0:300 --max-replicates lots -o "$tmp/out.h5"
expect "sweep: --max-replicates is optimize's" 2 "unknown option or missing value" \
    "$TWSIM" sweep "$mq" --lever $q --values 1,2 --max-replicates 40 -o "$tmp/out.h5"
# several levers: every lever needs a cost, every cost a lever, one unit,
# each --lever its --range; all before the first evaluation
tl=$here/data/two_levers.cfg
fd=recruitment.channels.funded.cohort
tal=recruitment.channels.talent.cohort
teg=recruitment.channels.tegang.cohort
mkdir -p "$tmp/cfg/configs" "$tmp/cfg/tests/data"
cp "$root/configs/national.cfg" "$tmp/cfg/configs/"
# the test config with one more cost, for a lever the cases do not vary
sed "s|^costs = (|costs = (\n  { lever = \"$teg\"; per_unit = 2.5; unit = \"made-up units per place\"; source = \"test\"; },|" \
    "$tl" >"$tmp/cfg/tests/data/extra_cost.cfg"
sed 's|unit = "made-up units per place"; source = "test"; }|unit = "other units"; source = "test"; }|' \
    "$tl" >"$tmp/cfg/tests/data/two_units.cfg"
expect "optimize: a lever without a cost" 2 \
    "--lever $teg has no cost: .*costs are given for: $fd $tal" \
    "$TWSIM" optimize "$tl" --lever $fd --range 0:20 --lever $teg --range 0:20 -o "$tmp/out.h5"
expect "optimize: a cost for a lever that is not varied" 2 \
    "extra_cost.cfg:[0-9]+: costs: \"$teg\" is not varied; the levers varied are: $fd $tal" \
    "$TWSIM" optimize "$tmp/cfg/tests/data/extra_cost.cfg" --lever $fd --range 0:20 --lever $tal --range 0:20 -o "$tmp/out.h5"
expect "optimize: costs in two units" 2 "are in different units" \
    "$TWSIM" optimize "$tmp/cfg/tests/data/two_units.cfg" --lever $fd --range 0:20 --lever $tal --range 0:20 -o "$tmp/out.h5"
expect "optimize: several levers, a budget below the first evaluation" 2 \
    "--max-replicates 5 is below the 20 replicates" \
    "$TWSIM" optimize "$tl" --lever $fd --range 0:20 --lever $tal --range 0:20 --max-replicates 5 -o "$tmp/out.h5"
expect "optimize: a second --lever without its --range" 2 "--lever $tal has no --range" \
    "$TWSIM" optimize "$tl" --lever $fd --range 0:20 --lever $tal -o "$tmp/out.h5"
expect "optimize: a --lever given twice" 2 "--lever given twice: $fd" \
    "$TWSIM" optimize "$tl" --lever $fd --range 0:20 --lever $fd --range 0:5 -o "$tmp/out.h5"
expect "optimize: a second lever's range the validator refuses" 2 \
    "--range -3:5: the config does not accept $tal = -3" \
    "$TWSIM" optimize "$tl" --lever $fd --range 0:20 --lever $tal --range -3:5 -o "$tmp/out.h5"
expect "sweep: two --lever options" 2 "one --lever \\(and --lever2 for a second\\)" \
    "$TWSIM" sweep "$tl" --lever $fd --values 1,2 --lever $tal --values 1 -o "$tmp/out.h5"
expect "config: a negative cost" 2 "costs\\[\\].per_unit: -1: a cost must be a finite number >= 0" \
    sh -c "sed 's|per_unit = 3.0;|per_unit = -1.0;|' '$tl' >'$tmp/cfg/tests/data/neg.cfg' && '$TWSIM' validate '$tmp/cfg/tests/data/neg.cfg'"
expect "optimize: --lever not a number" 2 "--lever tiers.names: the key takes an array of strings" \
    "$TWSIM" optimize "$mq" --lever tiers.names --range 0:5 -o "$tmp/out.h5"
expect "sweep: --values with inf"       2 "--values V,V,... is required \\(numbers\\): 1,inf" \
    "$TWSIM" sweep "$mq" --lever $q --values 1,inf -o "$tmp/out.h5"
expect "sweep: --values beyond double"  2 "--values V,V,... is required" \
    "$TWSIM" sweep "$mq" --lever $q --values 1,1e999 -o "$tmp/out.h5"
expect "sweep: --values 2.5 on a whole-number lever" 2 \
    "--values 1,2.5: 2.5 is not a whole number, and $q takes whole numbers" \
    "$TWSIM" sweep "$mq" --lever $q --values 1,2.5 -o "$tmp/out.h5"
expect "sweep: a value the validator refuses, the last one" 2 \
    "--values 1,2,-1: the config does not accept $q = -1" \
    "$TWSIM" sweep "$mq" --lever $q --values 1,2,-1 -o "$tmp/out.h5"
expect "sweep: --values2 refused, blamed on --values2" 2 \
    "--values2 -3: the config does not accept simulation.seed = -3" \
    "$TWSIM" sweep "$mq" --lever $q --values 1,2 --lever2 simulation.seed --values2 -3 -o "$tmp/out.h5"
expect "sweep: --lever2 not a number"   2 "--lever2 simulation.mode: the key takes a string" \
    "$TWSIM" sweep "$mq" --lever $q --values 1 --lever2 simulation.mode --values2 1 -o "$tmp/out.h5"
expect "optimize: --threads 0, as run refuses it" 2 "--threads '0': give a whole number from 1 to 4096" \
    "$TWSIM" optimize "$mq" --lever $q --range 0:5 --threads 0 -o "$tmp/out.h5"
expect "sweep: --threads 0, as run refuses it" 2 "--threads '0': give a whole number from 1 to 4096" \
    "$TWSIM" sweep "$mq" --lever $q --values 1 --threads 0 -o "$tmp/out.h5"
expect "sweep: --threads not a number"  2 "--threads 'many': give a whole number" \
    "$TWSIM" sweep "$mq" --lever $q --values 1 --threads many -o "$tmp/out.h5"
expect "sweep: --format unknown, the valid ones listed" 2 "--format 'xml': give one of text, csv, json" \
    "$TWSIM" sweep "$mq" --lever $q --values 1 --format xml -o "$tmp/out.h5"
expect "optimize: no --format (its answer is text)" 2 "unknown option: --format" \
    "$TWSIM" optimize "$mq" --lever $q --range 0:5 --format csv -o "$tmp/out.h5"
expect "check: --format unknown"        2 "--format 'tsv': give one of text, csv, json" \
    "$TWSIM" check "$tmp/x.h5" --format tsv
expect "compare: --format unknown"      2 "--format 'CSV': give one of text, csv, json" \
    "$TWSIM" compare "$tmp/x.h5" "$tmp/y.h5" --format CSV
}

# ---- output paths: not the input's fault (exit 1), refused before any work --------
expect "-o: a missing directory"     1 "no_such_dir/x.h5" \
    "$TWSIM" run "$cfg" -q -o "$tmp/no_such_dir/x.h5"
mkdir "$tmp/d.h5"
expect "-o: a directory"             1 "d.h5: it is a directory, not a file" \
    "$TWSIM" run "$cfg" -q -o "$tmp/d.h5"
if [ -d "$tmp/d.h5" ] && [ ! -e "$tmp/d.h5.partial" ]; then ok "-o: the directory is untouched, no d.h5.partial"
else bad "-o: the directory is untouched, no d.h5.partial"; fi
expect "-o ''"                       1 "the output file name is empty" "$TWSIM" run "$cfg" -q -o ""
expect "-o DIR --resume: refused, not 'already complete'" 1 "d.h5: it is a directory" \
    "$TWSIM" run "$cfg" -q -o "$tmp/d.h5" --resume
if mknod "$tmp/null" c 1 3 2>/dev/null; then
    expect "-o a device node --resume: refused" 1 "null: it is a device" \
        "$TWSIM" run "$cfg" -q -o "$tmp/null" --resume
    rm -f "$tmp/null"
fi

# every writer (run, --all-scenarios, sweep, optimize, compare --store):
# the same paths, the config, foreign files, locks, scratch files
. "$here/bad_input_output.sh"

# ---- readers (info, check, compare): what is not a twsim file is refused at ----
# once, exit 2; nothing opens a FIFO (it would wait for a writer for ever)
expect "info: a directory"           2 "bad_input is a directory, not a twsim output file" "$TWSIM" info "$data"
expect "check: a directory"          2 "is a directory, not a twsim output file" "$TWSIM" check "$data"
expect "info: not HDF5"              2 "m_binary.cfg is not a twsim output file \\(it is not an HDF5 file\\)" \
    "$TWSIM" info "$data/m_binary.cfg"
expect "check: a config, not an output" 2 "markov-example.cfg is not a twsim output file" "$TWSIM" check "$cfg"
expect "compare: a config, not an output" 2 "markov-example.cfg is not a twsim output file" \
    "$TWSIM" compare "$cfg" "$cfg"
expect "info: an empty name"         2 "the file name is empty" "$TWSIM" info ""
expect "info: a missing file"        1 "nope.h5: No such file" "$TWSIM" info "$tmp/nope.h5"
expect "check: a missing file"       1 "nope.h5: No such file" "$TWSIM" check "$tmp/nope.h5"
mkdir -p "$tmp/special"
if mkfifo "$tmp/special/p.h5" 2>/dev/null; then
    expect "info: a FIFO (no hang)"      2 "p.h5 is a FIFO \\(named pipe\\), not a twsim output file" \
        "$TWSIM" info "$tmp/special/p.h5"
    expect "check: a FIFO (no hang)"     2 "p.h5 is a FIFO" "$TWSIM" check --strict "$tmp/special/p.h5"
    expect "compare: a FIFO as BASE (no hang)" 2 "p.h5 is a FIFO" \
        "$TWSIM" compare "$tmp/special/p.h5" "$data/m_binary.cfg"
    "$TWSIM" run "$cfg" -n 2 -q -o "$tmp/special/run.h5" >/dev/null 2>&1
    expect "compare: a FIFO as ALT (no hang)" 2 "p.h5 is a FIFO" \
        "$TWSIM" compare "$tmp/special/run.h5" "$tmp/special/p.h5"
    expect "compare: a FIFO with --base/--alt (no hang)" 2 "p.h5 is a FIFO" \
        "$TWSIM" compare "$tmp/special/p.h5" --base a --alt b
fi
if mknod "$tmp/special/dev.h5" c 1 3 2>/dev/null; then
    expect "info: a device node"     2 "dev.h5 is a device, not a twsim output file" \
        "$TWSIM" info "$tmp/special/dev.h5"
fi
if /usr/bin/python3 -c "import socket; socket.socket(socket.AF_UNIX).bind('$tmp/special/s.h5')" 2>/dev/null; then
    expect "info: a socket"          2 "s.h5 is a socket, not a twsim output file" \
        "$TWSIM" info "$tmp/special/s.h5"
fi
if /usr/bin/python3 -c "import h5py; f = h5py.File('$tmp/special/foreign.h5', 'w'); f['x'] = [1, 2]; f.attrs['kind'] = 'sweep'" 2>/dev/null; then
    expect "info: an HDF5 file that is not twsim's" 2 \
        "foreign.h5 is not a twsim output file \\(an HDF5 file without twsim's root attributes\\)" \
        "$TWSIM" info "$tmp/special/foreign.h5"
    expect "check: an HDF5 file that is not twsim's" 2 "foreign.h5 is not a twsim output file" \
        "$TWSIM" check "$tmp/special/foreign.h5"
    expect "compare: an HDF5 file that is not twsim's" 2 "foreign.h5 is not a twsim output file" \
        "$TWSIM" compare "$tmp/special/foreign.h5" "$tmp/special/foreign.h5"
fi

# ---- info selections: a county, metric or /schools the file does not have ----
# is exit 2 with the argument and the valid names (or the nearest one)
mkdir -p "$tmp/sel"
"$TWSIM" run "$full" -n 3 -q --schools -o "$tmp/sel/county.h5" >/dev/null 2>&1
"$TWSIM" run "$full" -n 3 -q -o "$tmp/sel/plain.h5" >/dev/null 2>&1
"$TWSIM" run "$cfg" -n 2 -q -o "$tmp/sel/markov.h5" >/dev/null 2>&1
# shellcheck disable=SC2086
{
expect "info --county: not in the file, its counties listed" 2 \
    "--county 'nort': .*county.h5 has no such county \\(nearest: 'north'\\); its 2 counties: north, south" \
    "$TWSIM" info "$tmp/sel/county.h5" --county nort
expect "info --county: a file without counties says so" 2 \
    "--county 'north': .*markov.h5 has no per-county results \\(no /by_county: a markov run" \
    "$TWSIM" info "$tmp/sel/markov.h5" --county north
expect "info --metrics: unknown, the nearest suggested" 2 \
    "--metrics: .*county.h5 has no metric 'teachers.totl' \\(nearest: 'teachers.total'" \
    "$TWSIM" info "$tmp/sel/county.h5" --metrics teachers.total,teachers.totl
expect "info --metrics: a prefix that matches nothing" 2 "has no metric 'nosuch\\*'" \
    "$TWSIM" info "$tmp/sel/county.h5" --metrics 'nosuch*'
expect "info --metrics: empty" 2 "--metrics ',': no metric named" \
    "$TWSIM" info "$tmp/sel/county.h5" --metrics ,
expect "info --schools: a run without --schools" 2 "--schools: .*plain.h5 has no /schools" \
    "$TWSIM" info "$tmp/sel/plain.h5" --schools
expect "info --schools: a markov run" 2 "--schools: .*markov.h5 has no /schools \\(mode markov" \
    "$TWSIM" info "$tmp/sel/markov.h5" --schools
expect "info --top 0"                2 "--top '0': give a whole number >= 1" \
    "$TWSIM" info "$tmp/sel/county.h5" --schools --top 0
expect "check --top x"               2 "--top 'x': give a whole number >= 1" \
    "$TWSIM" check "$tmp/sel/county.h5" --top x
expect "info --county without a name" 2 "option '--county' needs a value" \
    "$TWSIM" info "$tmp/sel/county.h5" --county
}

# ---- make run REGION=nosuch: twsim's exit 2 makes make fail, no file --------------
if command -v make >/dev/null 2>&1 && [ "$TWSIM" = "$root/build/twsim" ]; then
    (cd "$root" && env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS make -s run REGION=nosuch) >"$tmp/out" 2>&1
    code=$?
    if [ "$code" -ne 0 ] && [ "$code" -le 128 ] && grep -q "configs/nosuch.cfg: cannot open the config file" "$tmp/out" &&
       [ ! -e "$root/build/nosuch.h5" ] && [ ! -e "$root/build/nosuch.h5.partial" ]
    then ok "make run REGION=nosuch fails with twsim's message, no file"
    else echo "exit $code" >>"$tmp/out"; bad "make run REGION=nosuch fails with twsim's message, no file" "$tmp/out"; fi
fi

echo "bad input: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
