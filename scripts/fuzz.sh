#!/bin/sh
# fuzz.sh DIR CORPUS... - run the libFuzzer harness DIR/fuzz_config on the
# config loader for $FUZZ_SECONDS seconds (default 60), starting from the
# seed directories CORPUS... (docs/robustness.md, "Fuzzing").
#
# New interesting inputs go to DIR/corpus/ (kept between runs, not in git);
# a crash, leak, timeout or out-of-memory input goes to DIR/crashes/ and
# fails the run: copy it to tests/fuzz/regress/ once fixed, so that
# `make check` replays it. The last lines of the log (DIR/fuzz.log) give the
# executions and their rate.
set -u
dir=$1; shift
seconds=${FUZZ_SECONDS:-60}
here=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$dir/corpus" "$dir/crashes"
echo "== fuzz: config loader, ${seconds}s (log: $dir/fuzz.log)"
# -timeout: a single config that takes 10 s to load is a hang;
# -rss_limit_mb: one that needs 2 GB is a memory bomb;
# -max_len: twice the largest region config
LSAN_OPTIONS="suppressions=$here/tests/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}" \
    UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1" \
    "$dir/fuzz_config" -max_total_time="$seconds" -timeout=10 \
    -rss_limit_mb=2048 -max_len=131072 \
    -dict="$here/tests/fuzz/config.dict" \
    -artifact_prefix="$dir/crashes/" -print_final_stats=1 \
    "$dir/corpus" "$@" >"$dir/fuzz.log" 2>&1
rc=$?
grep -E '^(stat::number_of_executed_units|stat::average_exec_per_sec|stat::peak_rss_mb)|^#[0-9]+ +DONE' "$dir/fuzz.log"
if [ "$rc" -ne 0 ]; then
    echo "fuzz: FAILED (exit $rc); the report:"
    grep -A40 -E '^==[0-9]+==ERROR|runtime error|^fuzz_config:|ALARM|out-of-memory' "$dir/fuzz.log" | head -60
    ls "$dir/crashes/"
    echo "reproduce: $dir/fuzz_config FILE (or build/fuzz_replay FILE);"
    echo "once fixed, copy FILE to tests/fuzz/regress/"
    exit 1
fi
echo "fuzz: no crash in ${seconds}s"
