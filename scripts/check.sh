#!/bin/sh
# check.sh - run the test suites of `make check` one after another, every
# one of them even after one has failed, then print a summary of all of
# them (name, passed or failed, time) and exit 1 if any failed.
#
# usage: sh scripts/check.sh "NAME|COMMAND" ...
#
# Each argument is one suite: the name printed as "== NAME" before it runs
# and in the summary, and the shell command that runs it (its own output,
# closing line included, is left as it is). The list lives in the
# Makefile (CHECK_SUITES); a new suite is one more argument there.
# Ctrl-C stops the whole run.
set -u
log=$(mktemp /tmp/twsim-check-XXXXXX)
trap 'rm -f "$log"' EXIT
now() { date +%s.%N 2>/dev/null || date +%s; }
total=0
failed=0
interrupted=0
for suite in "$@"; do
    name=${suite%%|*}
    cmd=${suite#*|}
    echo "== $name"
    t0=$(now)
    sh -c "$cmd"
    rc=$?
    t1=$(now)
    secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
    total=$((total + 1))
    if [ "$rc" -eq 0 ]; then
        status=passed
    else
        status="FAILED (exit $rc)"
        failed=$((failed + 1))
    fi
    printf '  %-18s %8s s  %s\n' "$status" "$secs" "$name" >>"$log"
    if [ "$rc" -eq 130 ] || [ "$rc" -eq 143 ]; then
        interrupted=1
        break
    fi
done
echo
echo "== Summary of make check"
cat "$log"
[ "$interrupted" -eq 1 ] && echo "  (interrupted: the suites after it did not run)"
echo "make check: $((total - failed)) of $total suites passed, $failed failed"
[ "$failed" -eq 0 ]
