#!/bin/sh
# scaling.sh - replicates per second on 1 and 2 workers: threads of
# `twsim run --threads N`, and ranks of `mpirun -np N twsim-mpi run`
# (one thread each), for Gangbei (small, ~2,600 teachers) and Chengdu
# (full scale, ~188,000 teachers).
#
# Each figure is wall-clock time of the whole command (config, world,
# every replicate, the file, summaries and targets), best of BENCH_REPEAT
# runs, so it is what a user waits for; speedup is against 1 thread.
# A busy machine gives lower and noisier figures: the load average is
# printed first.
#
# Environment: TWSIM, TWSIM_MPI, MPIRUN (mpirun); BENCH_N_GANGBEI (200),
# BENCH_N_CHENGDU (16) replicates; BENCH_REPEAT (3); BENCH_REGIONS
# ("gangbei chengdu"); BENCH_WORKERS ("1 2").
set -u
TWSIM=${TWSIM:-build/twsim}
TWSIM_MPI=${TWSIM_MPI:-build/twsim-mpi}
here=$(cd "$(dirname "$0")" && pwd)
configs=$here/../configs
REPEAT=${BENCH_REPEAT:-3}
REGIONS=${BENCH_REGIONS:-gangbei chengdu}
WORKERS=${BENCH_WORKERS:-1 2}
tmp=$(mktemp -d /tmp/twsim-bench-XXXXXX)
trap 'rm -rf "$tmp"' EXIT

MPIRUN=${MPIRUN:-mpirun}
[ "$(id -u)" = 0 ] && MPIRUN="$MPIRUN --allow-run-as-root"
cpus=$(nproc)
for w in $WORKERS; do
    [ "$w" -gt "$cpus" ] && MPIRUN="$MPIRUN --oversubscribe" && break
done

now() { date +%s.%N; }

# best_time CMD...: the shortest wall time of REPEAT runs, in seconds
best_time() {
    best=""
    i=0
    while [ $i -lt "$REPEAT" ]; do
        t0=$(now)
        "$@" >"$tmp/log" 2>&1 || { sed 's/^/    | /' "$tmp/log" >&2; return 1; }
        t1=$(now)
        best=$(echo "$t0 $t1 ${best:-inf}" |
               awk '{ t = $2 - $1; if ($3 == "inf" || t < $3) print t; else print $3 }')
        i=$((i + 1))
    done
    echo "$best"
}

echo "machine: $cpus CPUs ($(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | sed 's/.*: //')); load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "twsim:   $("$TWSIM" --version)"
printf '\n%-9s %6s  %-22s %8s %14s %8s\n' region reps workers seconds "replicates/s" speedup
fail=0
for region in $REGIONS; do
    case $region in
    gangbei) n=${BENCH_N_GANGBEI:-200} ;;
    chengdu) n=${BENCH_N_CHENGDU:-16} ;;
    *) n=${BENCH_N:-50} ;;
    esac
    cfg=$configs/$region.cfg
    base=""
    for kind in threads ranks; do
        for w in $WORKERS; do
            if [ $kind = threads ]; then
                label="$w thread$([ "$w" -gt 1 ] && echo s) (twsim)"
                set -- "$TWSIM" run "$cfg" -n "$n" -q --threads "$w" \
                    --no-uncertainty -o "$tmp/out.h5"
            else
                label="$w rank$([ "$w" -gt 1 ] && echo s) (twsim-mpi)"
                set -- $MPIRUN -np "$w" "$TWSIM_MPI" run "$cfg" -n "$n" -q --no-uncertainty \
                    --threads 1 -o "$tmp/out.h5"
            fi
            rm -f "$tmp/out.h5"
            if ! t=$(best_time "$@"); then
                echo "bench: $region on $label failed" >&2
                fail=1
                continue
            fi
            [ -z "$base" ] && base=$t
            echo "$region $n $t $base" | awk -v label="$label" \
                '{ printf "%-9s %6d  %-22s %8.2f %14.2f %7.2fx\n", $1, $2, label, $3, $2 / $3, $4 / $3 }'
        done
    done
done
exit $fail
