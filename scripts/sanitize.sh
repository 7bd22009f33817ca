#!/bin/sh
# sanitize.sh DIR CORPUS... - run the tests under AddressSanitizer,
# UndefinedBehaviorSanitizer and LeakSanitizer with the binaries of DIR
# (`make sanitize` builds them there with clang; docs/robustness.md):
# the Check suites, the CLI, bad-input, fault and region tests, and the
# fuzz corpus CORPUS... through the config loader.
#
# Every sanitizer report goes to DIR/log/ (and makes the process exit 86);
# the run fails when a step fails or when any report was written, and
# prints the reports. LeakSanitizer suppressions: tests/lsan.supp
# (libconfig 1.5's own leak). resume_test.sh is left out: its 2000-
# replicate runs take minutes under ASan, and the resume code is covered
# by the Check suites.
set -u
dir=$1; shift
root=$(cd "$(dirname "$0")/.." && pwd)
case $dir in /*) ;; *) dir=$root/$dir ;; esac
log=$dir/log
rm -rf "$log"
mkdir -p "$log"
export ASAN_OPTIONS="detect_leaks=1:exitcode=86:log_path=$log/asan:strict_string_checks=1:detect_stack_use_after_return=1"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:exitcode=86:log_path=$log/ubsan"
export LSAN_OPTIONS="suppressions=$root/tests/lsan.supp:print_suppressions=0"
export PYTHON=${PYTHON:-/usr/bin/python3}
export TWSIM=$dir/twsim
failed=""
step() {   # step NAME CMD...
    name=$1; shift
    echo "== [sanitize] $name"
    "$@" || failed="$failed [$name]"
}
t0=$(date +%s)
step "Check suites" sh -c "cd '$root/tests' && '$dir/check_twsim'"
step "CLI tests" sh "$root/tests/cli_test.sh"
step "bad input" sh "$root/tests/bad_input_test.sh"
step "faults" sh "$root/tests/fault_test.sh"
step "region configs" sh "$root/tests/regions_test.sh"
step "fuzz corpus" sh -c "cd '$root' && '$dir/fuzz_replay' $*"
reports=$(ls "$log" 2>/dev/null)
if [ -n "$reports" ]; then
    for f in "$log"/*; do echo "---- $f"; head -60 "$f"; done
    failed="$failed [sanitizer reports: $(echo "$reports" | wc -l)]"
fi
echo "sanitize: $(( $(date +%s) - t0 ))s"
if [ -n "$failed" ]; then
    echo "sanitize: FAILED:$failed"
    exit 1
fi
echo "sanitize: clean (ASan, UBSan, LSan: no report)"
