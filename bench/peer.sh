#!/bin/sh
# peer.sh - twsim against the reference peer, bench/numpy_peer.py (a plain
# vectorised numpy script, one thread), side by side in the same run.
#
#   reduced   twsim on configs/chengdu.cfg with bench/reduced-chengdu.sets,
#             8 replicates, against the peer's "chengdu" model   goal >= 5x
#   full      twsim on configs/chengdu.cfg as it is (its values as written:
#             --no-uncertainty), 8 replicates, against
#             the same peer runs                                 goal >= 3x
#   markov    twsim on configs/markov-example.cfg with bench/markov-200k.sets
#             (200,000 teachers), 10 replicates, against the peer's "markov"
#             model                                              goal >= 30x
#
# Every figure is the wall time of the whole process (interpreter start,
# imports, config, every replicate, the HDF5 file and summaries for twsim),
# one thread (`twsim run --threads 1`). The commands are interleaved,
# peer, twsim, peer, twsim ... (for Chengdu: peer, reduced, full), RUNS
# rounds, so that a change of the machine's load hits both sides; each
# side's figure is the median of its RUNS times, and the ratio is the
# peer's median over twsim's. Rates are individual-years (teacher-years)
# per second: initial teachers x simulated years x replicates / wall time,
# the same count for both sides. The goals are judged on wall time; the
# CPU time (user + system of the process and its threads) and its ratio
# are printed beside it, since on a busy machine a short run's wall time
# is mostly waiting for a core.
#
# Environment: TWSIM (build/twsim), PYTHON (/usr/bin/python3), BENCH_PEER_RUNS
# (5; BENCH_QUICK=1 makes it 3); TWSIM_BEFORE: another twsim binary (an
# older build) timed in the same rounds, for before/after figures. Exit status 0 when every run succeeded
# (the goals are figures, not tests), 1 otherwise.
set -u
TWSIM=${TWSIM:-build/twsim}
PYTHON=${PYTHON:-/usr/bin/python3}
here=$(cd "$(dirname "$0")" && pwd)
configs=$here/../configs
if [ -n "${BENCH_QUICK:-}" ]; then RUNS=${BENCH_PEER_RUNS:-3}; else RUNS=${BENCH_PEER_RUNS:-5}; fi
tmp=$(mktemp -d /tmp/twsim-peer-XXXXXX)
trap 'rm -rf "$tmp"' EXIT

# sets FILE: the --set arguments of an overrides file
sets() {
    grep -v '^[[:space:]]*#' "$1" | grep -v '^[[:space:]]*$' | sed 's/^/--set /' | tr '\n' ' '
}
reduced_sets=$(sets "$here/reduced-chengdu.sets")
markov_sets=$(sets "$here/markov-200k.sets")

# timed NAME CMD...: run CMD, append its wall time to $tmp/NAME and its
# CPU time (user + system, from wait4's rusage, microseconds) to
# $tmp/NAME.cpu
timed() {
    name=$1; shift
    rm -f "$tmp/out.h5"
    "$PYTHON" -c '
import os, subprocess, sys, time
log = open(sys.argv[1], "w")
t0 = time.perf_counter()
p = subprocess.Popen(sys.argv[2:], stdout=log, stderr=log)
_, status, ru = os.wait4(p.pid, 0)
wall = time.perf_counter() - t0
print(wall, ru.ru_utime + ru.ru_stime)
sys.exit(0 if status == 0 else 1)' "$tmp/log" "$@" >"$tmp/t" ||
        { echo "peer: $name failed:" >&2; sed 's/^/    | /' "$tmp/log" >&2; return 1; }
    read -r wall cpu <"$tmp/t"
    echo "$wall" >>"$tmp/$name"
    echo "$cpu" >>"$tmp/$name.cpu"
}

# median FILE: of the numbers in $tmp/FILE
median() {
    sort -g "$tmp/$1" | awk '{ v[NR] = $1 } END {
        if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

echo "machine: $(nproc) CPUs; load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "twsim:   $("$TWSIM" --version)"
echo "peer:    $PYTHON bench/numpy_peer.py, numpy $("$PYTHON" -c 'import numpy; print(numpy.__version__)')"
echo "rounds:  $RUNS, interleaved; medians of whole-process wall times, one thread"

fail=0
i=0
while [ $i -lt "$RUNS" ]; do
    # shellcheck disable=SC2086
    timed peer_chengdu "$PYTHON" "$here/numpy_peer.py" chengdu --reps 8 || fail=1
    timed reduced "$TWSIM" run "$configs/chengdu.cfg" -n 8 -q --threads 1 \
        $reduced_sets -o "$tmp/out.h5" || fail=1
    timed full "$TWSIM" run "$configs/chengdu.cfg" -n 8 -q --threads 1 \
        --no-uncertainty -o "$tmp/out.h5" || fail=1
    timed peer_markov "$PYTHON" "$here/numpy_peer.py" markov --teachers 200000 \
        --reps 10 || fail=1
    timed markov "$TWSIM" run "$configs/markov-example.cfg" -n 10 -q \
        --threads 1 $markov_sets -o "$tmp/out.h5" || fail=1
    if [ -n "${TWSIM_BEFORE:-}" ]; then
        timed reduced_before "$TWSIM_BEFORE" run "$configs/chengdu.cfg" -n 8 -q \
            --threads 1 $reduced_sets -o "$tmp/out.h5" || fail=1
        timed full_before "$TWSIM_BEFORE" run "$configs/chengdu.cfg" -n 8 -q \
            --threads 1 -o "$tmp/out.h5" || fail=1
        timed markov_before "$TWSIM_BEFORE" run "$configs/markov-example.cfg" \
            -n 10 -q --threads 1 $markov_sets -o "$tmp/out.h5" || fail=1
    fi
    i=$((i + 1))
done
[ $fail = 0 ] || exit 1

chengdu_iy=$((188100 * 4 * 8))     # 2022-2025, 8 replicates
markov_iy=$((200000 * 10 * 10))    # 2021-2030, 10 replicates
pc=$(median peer_chengdu)
pm=$(median peer_markov)
pcc=$(median peer_chengdu.cpu)
pmc=$(median peer_markov.cpu)
printf '\n%-26s %8s %12s %8s %7s %6s  %-7s %8s %7s\n' run "wall s" "M indiv-yr/s" \
    "peer s" ratio goal "" "CPU s" "CPU ratio"
row() {  # row LABEL NAME PEER_WALL PEER_CPU INDIVIDUAL_YEARS GOAL
    t=$(median "$2")
    c=$(median "$2.cpu")
    echo "$t $3 $5 $6 $c $4" | awk -v label="$1" '{
        ratio = $2 / $1
        printf "%-26s %8.3f %12.1f %8.3f %6.1fx %5sx  %-7s %8.3f %6.1fx\n", label, $1,
            $3 / $1 / 1e6, $2, ratio, ">=" $4, (ratio >= $4 ? "met" : "NOT met"),
            $5, ($5 > 0 ? $6 / $5 : 0)
    }'
}
peer_row() {  # peer_row LABEL WALL CPU INDIVIDUAL_YEARS
    echo "$2 $3 $4" | awk -v label="$1" '{
        printf "%-26s %8.3f %12.1f %8s %7s %6s  %-7s %8.3f\n", label, $1, $3 / $1 / 1e6,
            "", "", "", "", $2 }'
}
peer_row "numpy peer, red. Chengdu" "$pc" "$pcc" "$chengdu_iy"
row "twsim reduced Chengdu" reduced "$pc" "$pcc" "$chengdu_iy" 5
row "twsim full Chengdu" full "$pc" "$pcc" "$chengdu_iy" 3
peer_row "numpy peer, Markov 200k" "$pm" "$pmc" "$markov_iy"
row "twsim Markov 200k x 10" markov "$pm" "$pmc" "$markov_iy" 30
if [ -n "${TWSIM_BEFORE:-}" ]; then
    echo "before ($TWSIM_BEFORE: $("$TWSIM_BEFORE" --version)):"
    row "  reduced Chengdu" reduced_before "$pc" "$pcc" "$chengdu_iy" 5
    row "  full Chengdu" full_before "$pc" "$pcc" "$chengdu_iy" 3
    row "  Markov 200k x 10" markov_before "$pm" "$pmc" "$markov_iy" 30
fi
echo
echo "every run (wall seconds):"
for n in peer_chengdu reduced full peer_markov markov reduced_before \
         full_before markov_before; do
    [ -f "$tmp/$n" ] || continue
    printf '  %-14s %s\n' "$n" "$(awk '{ printf "%.3f ", $1 }' "$tmp/$n")"
done
exit 0
