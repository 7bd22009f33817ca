#!/bin/sh
# uncertainty.sh - what 50 uncertain settings cost per replicate: Chengdu
# plain against Chengdu with bench/uncertain-50.cfg appended (50 settings,
# each over +-10% of its value), the same replicates on one thread.
#
# The time is the ensemble's own as twsim reports it ("N replicates in S
# s": the replicates, the file, summaries, targets and, with uncertainty,
# the probe loads, the design and the sensitivity; not the central run,
# a run of the plain kind). Each round runs both configs at N and 3N
# replicates, alternating; the cost of a replicate is the slope
# (T(3N) - T(N)) / 2N of the medians, and what is left at N is the cost
# of the run itself (for 50 settings mostly the probe loads, ~100 loads
# of the config). Medians over the rounds hold on a noisy machine where
# single times do not.
#
# Environment: TWSIM; BENCH_N_UNC (16) replicates; BENCH_REPEAT (3).
set -u
TWSIM=${TWSIM:-build/twsim}
here=$(cd "$(dirname "$0")" && pwd)
configs=$here/../configs
REPEAT=${BENCH_REPEAT:-3}
N=${BENCH_N_UNC:-16}
N3=$((3 * N))
tmp=$(mktemp -d /tmp/twsim-bench-XXXXXX)
trap 'rm -rf "$tmp"' EXIT

# the plain config: Chengdu without its own uncertainty group
cp "$configs/national.cfg" "$tmp/" || exit 1
sed '/^uncertainty = {/,/^};/d' "$configs/chengdu.cfg" >"$tmp/chengdu.cfg" || exit 1
cp "$tmp/chengdu.cfg" "$tmp/chengdu-u50.cfg" || exit 1
cat "$here/uncertain-50.cfg" >>"$tmp/chengdu-u50.cfg"

# seconds CONFIG REPS: the ensemble's time of one run
seconds() {
    "$TWSIM" run "$1" -n "$2" --threads 1 -o "$tmp/out.h5" --force \
        >/dev/null 2>"$tmp/log" || { sed 's/^/    | /' "$tmp/log" >&2; return 1; }
    sed -n 's/^twsim: [0-9]* replicates in \([0-9.]*\) s.*/\1/p' "$tmp/log" | tail -1
}

median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

echo "uncertain settings: Chengdu, $N and $N3 replicates, 1 thread, $REPEAT rounds; load average $(cut -d' ' -f1-3 /proc/loadavg)"
for f in a1 b1 a3 b3; do : >"$tmp/$f"; done
i=0
while [ $i -lt "$REPEAT" ]; do
    seconds "$tmp/chengdu.cfg" "$N" >>"$tmp/a1" || exit 1
    seconds "$tmp/chengdu-u50.cfg" "$N" >>"$tmp/b1" || exit 1
    seconds "$tmp/chengdu.cfg" "$N3" >>"$tmp/a3" || exit 1
    seconds "$tmp/chengdu-u50.cfg" "$N3" >>"$tmp/b3" || exit 1
    i=$((i + 1))
done
awk -v a1="$(median <"$tmp/a1")" -v b1="$(median <"$tmp/b1")" \
    -v a3="$(median <"$tmp/a3")" -v b3="$(median <"$tmp/b3")" -v n="$N" 'BEGIN {
    pa = (a3 - a1) / (2 * n); pb = (b3 - b1) / (2 * n)
    printf "  a replicate, plain        %8.1f ms\n", 1000 * pa
    printf "  a replicate, 50 settings  %8.1f ms\n", 1000 * pb
    printf "  ratio                     %8.3f   (goal: at most 1.10)\n", pb / pa
    printf "  the run itself, plain     %8.2f s\n", a1 - n * pa
    printf "  the run, 50 settings      %8.2f s   (probe loads, design, sensitivity)\n", b1 - n * pb
}'
