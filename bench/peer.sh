#!/bin/sh
# peer.sh - twsim against the reference peer, bench/numpy_peer.py (a plain
# vectorised numpy script, one thread), side by side in the same run.
#
#   reduced   twsim on configs/chengdu.cfg with bench/reduced-chengdu.sets,
#             8 replicates, against the peer's "chengdu" model   goal >= 5x
#   full      twsim on configs/chengdu.cfg as it is, 8 replicates, against
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
# the same count for both sides.
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

now() { date +%s.%N; }

# timed NAME CMD...: run CMD, append its wall time to $tmp/NAME
timed() {
    name=$1; shift
    rm -f "$tmp/out.h5"
    t0=$(now)
    "$@" >"$tmp/log" 2>&1 || { echo "peer: $name failed:" >&2; sed 's/^/    | /' "$tmp/log" >&2; return 1; }
    t1=$(now)
    echo "$t0 $t1" | awk '{ print $2 - $1 }' >>"$tmp/$name"
}

# median NAME: of the times in $tmp/NAME
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
        -o "$tmp/out.h5" || fail=1
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
printf '\n%-28s %9s %12s %9s %9s %6s  %s\n' run seconds "M indiv-yr/s" "peer s" ratio goal ""
row() {  # row LABEL NAME PEER_SECONDS INDIVIDUAL_YEARS GOAL
    t=$(median "$2")
    echo "$t $3 $4 $5" | awk -v label="$1" '{
        ratio = $2 / $1
        printf "%-28s %9.3f %12.1f %9.3f %8.1fx %5sx  %s\n", label, $1, $3 / $1 / 1e6,
            $2, ratio, ">=" $4, (ratio >= $4 ? "met" : "NOT met")
    }'
}
echo "peer chengdu $pc $chengdu_iy" | awk '{ printf "%-28s %9.3f %12.1f\n", "numpy peer, reduced Chengdu", $3, $4 / $3 / 1e6 }'
row "twsim reduced Chengdu" reduced "$pc" "$chengdu_iy" 5
row "twsim full Chengdu" full "$pc" "$chengdu_iy" 3
echo "peer markov $pm $markov_iy" | awk '{ printf "%-28s %9.3f %12.1f\n", "numpy peer, Markov 200k", $3, $4 / $3 / 1e6 }'
row "twsim Markov 200k x 10" markov "$pm" "$markov_iy" 30
if [ -n "${TWSIM_BEFORE:-}" ]; then
    echo "before ($TWSIM_BEFORE: $("$TWSIM_BEFORE" --version)):"
    row "  reduced Chengdu" reduced_before "$pc" "$chengdu_iy" 5
    row "  full Chengdu" full_before "$pc" "$chengdu_iy" 3
    row "  Markov 200k x 10" markov_before "$pm" "$markov_iy" 30
fi
echo
echo "every run (seconds):"
for n in peer_chengdu reduced full peer_markov markov reduced_before \
         full_before markov_before; do
    [ -f "$tmp/$n" ] || continue
    printf '  %-13s %s\n' "$n" "$(tr '\n' ' ' <"$tmp/$n")"
done
exit 0
