#!/bin/sh
# mpi_test.sh - the answer does not depend on how many workers produced it.
#
# Threads: twsim run --threads 1, 2 and 3 give the same file. MPI:
# twsim-mpi under mpirun with 1, 2 and 3 ranks (and 2 ranks x 2 threads)
# gives the same file as the serial run: trajectories, summaries, target
# table, every attribute (tests/h5_same.py; only /provenance may differ).
# Interrupted MPI runs (SIGTERM or SIGINT to every rank, kill -9 of the
# ranks) leave a partial file that --resume completes, with MPI or
# serially, into the same file; a serial partial file resumes under MPI.
# (mpirun itself passes Ctrl-C on as SIGTERM only after
# odls_base_sigkill_timeout seconds: docs/cluster.md.)
# Exit codes and messages of twsim-mpi are those of docs/cli.md, printed
# once (by rank 0).
#
# Environment: TWSIM, TWSIM_MPI, MPIRUN (mpirun), PYTHON. Closing line
# "mpi: N passed, N failed".
set -u
TWSIM=${TWSIM:-build/twsim}
TWSIM_MPI=${TWSIM_MPI:-build/twsim-mpi}
PYTHON=${PYTHON:-/usr/bin/python3}
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d /tmp/twsim-mpi-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0
ok()  { pass=$((pass + 1)); echo "ok   $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1"; [ -n "${2:-}" ] && sed 's/^/     | /' "$2"; }

# Root in CI and containers; --oversubscribe: 3 ranks on a 2-core machine.
MPIRUN="${MPIRUN:-mpirun} --allow-run-as-root --oversubscribe"
# Runs in the foreground get a time limit, so that a hang (seen once under a
# heavily loaded machine) fails its test instead of stalling CI.
MPIRUN_T="timeout -k 10 300 $MPIRUN"
# no warnings about the missing high-speed networks of a laptop or CI box
export OMPI_MCA_btl=self,vader OMPI_MCA_btl_vader_single_copy_mechanism=none

# A region with targets, short; and a small one with many cheap replicates
# (so that a run lasts long enough to be interrupted).
gb=$here/../configs/gangbei.cfg
GB="-n 48 -q"
fs=$here/data/full_small.cfg
FS="-n 4000 -q"

# same NAME REF FILE: FILE equals REF bitwise
same() {
    if "$PYTHON" "$here/h5_same.py" "$2" "$3" >"$tmp/o" 2>&1
    then ok "$1"; else bad "$1" "$tmp/o"; fi
}

# wait_for LOG PATTERN: until the progress log shows PATTERN (at most 30 s)
wait_for() {
    i=0
    while ! grep -q "$2" "$1" 2>/dev/null && [ $i -lt 300 ]; do
        sleep 0.05; i=$((i + 1))
    done
}

# strike PID SIGNAL: send SIGNAL to every rank of the mpirun PID (waiting
# up to 5 s for mpirun to have started them)
strike() {
    i=0
    ranks=$(pgrep -P "$1")
    while [ -z "$ranks" ] && [ $i -lt 100 ]; do
        sleep 0.05; i=$((i + 1)); ranks=$(pgrep -P "$1")
    done
    [ -n "$ranks" ] && kill -s "$2" $ranks 2>/dev/null
}

# done_count FILE.partial: "DONE TOTAL" of /replicates/done
done_count() {
    "$PYTHON" -c "import h5py,sys; d=h5py.File(sys.argv[1])['replicates/done'][:]; print(int(d.sum()), len(d))" "$1" 2>&1
}

# ---- threads
"$TWSIM" run "$gb" $GB --threads 1 -o "$tmp/gb.h5" || { echo "reference run failed"; exit 1; }
for t in 2 3; do
    "$TWSIM" run "$gb" $GB --threads $t -o "$tmp/gb-t$t.h5"
    same "--threads $t equals --threads 1" "$tmp/gb.h5" "$tmp/gb-t$t.h5"
done
"$TWSIM" run "$fs" $FS -o "$tmp/fs.h5" || { echo "reference run failed"; exit 1; }

# ---- ranks (and ranks x threads), several collective rounds each
for np in 1 2 3; do
    if $MPIRUN_T -np $np "$TWSIM_MPI" run "$gb" $GB --threads 1 --checkpoint 0.05 \
        -o "$tmp/gb-np$np.h5" >"$tmp/o" 2>&1
    then same "mpirun -np $np equals the serial run" "$tmp/gb.h5" "$tmp/gb-np$np.h5"
    else bad "mpirun -np $np equals the serial run" "$tmp/o"; fi
done
if $MPIRUN_T -np 2 "$TWSIM_MPI" run "$gb" $GB --threads 2 --checkpoint 0.05 \
    -o "$tmp/gb-np2t2.h5" >"$tmp/o" 2>&1
then same "mpirun -np 2 --threads 2 equals the serial run" "$tmp/gb.h5" "$tmp/gb-np2t2.h5"
else bad "mpirun -np 2 --threads 2 equals the serial run" "$tmp/o"; fi
# the county rows and --schools: the same on threads and ranks, and after
# a stop and --resume (full_small has 2 counties)
SC="-n 48 -q --schools"
"$TWSIM" run "$fs" $SC --threads 1 -o "$tmp/sch.h5"
if "$PYTHON" -c "import h5py,sys; f=h5py.File(sys.argv[1]); assert f['by_county/trajectories'].shape[2] == 2; assert f['schools/p_short'].shape[0] > 0" "$tmp/sch.h5" >"$tmp/o" 2>&1
then ok "--schools: the file has /by_county and /schools"
else bad "--schools: the file has /by_county and /schools" "$tmp/o"; fi
"$TWSIM" run "$fs" $SC --threads 2 -o "$tmp/sch-t2.h5"
same "--schools --threads 2 equals --threads 1" "$tmp/sch.h5" "$tmp/sch-t2.h5"
if $MPIRUN_T -np 2 "$TWSIM_MPI" run "$fs" $SC --threads 1 --checkpoint 0.05 \
    -o "$tmp/sch-np2.h5" >"$tmp/o" 2>&1
then same "--schools under mpirun -np 2 equals the serial run" "$tmp/sch.h5" "$tmp/sch-np2.h5"
else bad "--schools under mpirun -np 2 equals the serial run" "$tmp/o"; fi
"$TWSIM" run "$fs" -n 4000 --schools -o "$tmp/sch-big.h5" -q --threads 1 &
pid=$!
sleep 0.4; kill -TERM $pid 2>/dev/null; wait $pid
"$TWSIM" run "$fs" -n 4000 --schools -q -o "$tmp/sch-big-ref.h5"
if [ -f "$tmp/sch-big.h5.partial" ] &&
   "$TWSIM" run "$fs" -n 4000 --schools -q --resume -o "$tmp/sch-big.h5" >"$tmp/o" 2>&1
then same "--schools: stopped, then --resume, equals the uninterrupted run" "$tmp/sch-big-ref.h5" "$tmp/sch-big.h5"
else ls -la "$tmp" >>"$tmp/o"; bad "--schools: stopped, then --resume, equals the uninterrupted run" "$tmp/o"; fi
"$TWSIM" run "$fs" -n 4000 -q --resume -o "$tmp/sch-big.h5" >"$tmp/o" 2>&1
if [ $? -eq 2 ] && grep -q "schools" "$tmp/o"
then ok "--resume without --schools of a --schools run is refused (exit 2)"
else bad "--resume without --schools of a --schools run is refused (exit 2)" "$tmp/o"; fi
"$TWSIM" run "$gb" -q --mean-field -o "$tmp/mf.h5"
if $MPIRUN_T -np 2 "$TWSIM_MPI" run "$gb" -q --mean-field -o "$tmp/mf-np2.h5" >"$tmp/o" 2>&1
then same "mpirun -np 2 --mean-field equals the serial one" "$tmp/mf.h5" "$tmp/mf-np2.h5"
else bad "mpirun -np 2 --mean-field equals the serial one" "$tmp/o"; fi
# the base and every scenario into one file, on 2 ranks
sc=$here/data/scenarios.cfg
"$TWSIM" run "$sc" --all-scenarios -n 12 -q -o "$tmp/sc.h5"
if $MPIRUN_T -np 2 "$TWSIM_MPI" run "$sc" --all-scenarios -n 12 -q \
    -o "$tmp/sc-np2.h5" >"$tmp/o" 2>&1
then same "mpirun -np 2 --all-scenarios equals the serial one" "$tmp/sc.h5" "$tmp/sc-np2.h5"
else bad "mpirun -np 2 --all-scenarios equals the serial one" "$tmp/o"; fi
if ls "$tmp"/sc-np2.h5.*.run* >/dev/null 2>&1; then
    ls "$tmp"/sc-np2.h5.* >"$tmp/o"; bad "--all-scenarios leaves no scenario file" "$tmp/o"
else ok "--all-scenarios leaves no scenario file"; fi

# ---- interrupted MPI runs; progress lines (one per 10%) tell when to strike
# SIGTERM to every rank, as Slurm's scancel or time limit sends it
out=$tmp/term.h5
: >"$tmp/log"   # not the last run's lines: wait_for reads this file
$MPIRUN -np 2 "$TWSIM_MPI" run "$fs" -n 4000 --checkpoint 0.1 -o "$out" >"$tmp/log" 2>&1 &
pid=$!
wait_for "$tmp/log" " 10% "
strike $pid TERM
wait $pid
code=$?
counts=$(done_count "$out.partial")
set -- $counts
if [ "$code" -eq 143 ] && [ ! -e "$out" ] && [ "${1:-0}" -gt 0 ] 2>/dev/null &&
   [ "$1" -lt "$2" ] && [ "$(grep -c 'stopped by signal 15' "$tmp/log")" -eq 1 ]
then ok "SIGTERM to the ranks: exit 143, one message, a partial file ($1 of $2 done)"
else echo "exit $code, done: $counts" >>"$tmp/log"; bad "SIGTERM to the ranks: exit 143, one message, a partial file" "$tmp/log"; fi
if $MPIRUN_T -np 3 "$TWSIM_MPI" run "$fs" $FS --resume -o "$out" >"$tmp/o" 2>&1
then same "after SIGTERM, --resume on 3 ranks equals the uninterrupted run" "$tmp/fs.h5" "$out"
else bad "after SIGTERM, --resume on 3 ranks equals the uninterrupted run" "$tmp/o"; fi

# SIGINT to every rank (srun passes Ctrl-C on so), then resume serially
out=$tmp/int.h5
: >"$tmp/log"   # not the last run's lines: wait_for reads this file
$MPIRUN -np 3 "$TWSIM_MPI" run "$fs" -n 4000 --checkpoint 0.1 -o "$out" >"$tmp/log" 2>&1 &
pid=$!
wait_for "$tmp/log" " 10% "
strike $pid INT
wait $pid
code=$?
counts=$(done_count "$out.partial")
set -- $counts
if [ "$code" -eq 130 ] && [ ! -e "$out" ] && [ "${1:-0}" -gt 0 ] 2>/dev/null &&
   [ "$1" -lt "$2" ]
then ok "SIGINT to the ranks: exit 130, a partial file ($1 of $2 done)"
else echo "exit $code, done: $counts" >>"$tmp/log"; bad "SIGINT to the ranks: exit 130, a partial file" "$tmp/log"; fi
if "$TWSIM" run "$fs" $FS --resume -o "$out" >"$tmp/o" 2>&1
then same "an MPI partial file resumed by serial twsim equals the uninterrupted run" "$tmp/fs.h5" "$out"
else bad "an MPI partial file resumed by serial twsim equals the uninterrupted run" "$tmp/o"; fi

# kill -9 of every rank: the partial file holds the rounds written before
out=$tmp/kill.h5
: >"$tmp/log"   # not the last run's lines: wait_for reads this file
$MPIRUN -np 2 "$TWSIM_MPI" run "$fs" -n 4000 --checkpoint 0.1 -o "$out" >"$tmp/log" 2>&1 &
pid=$!
wait_for "$tmp/log" " 20% "
strike $pid KILL
wait $pid 2>/dev/null
if [ -e "$out" ]; then
    ok "kill -9 of the ranks: finished first (nothing to resume)"
elif $MPIRUN_T -np 2 "$TWSIM_MPI" run "$fs" $FS --resume -o "$out" >"$tmp/o" 2>&1
then same "kill -9 of the ranks, then --resume on 2 ranks: equals the uninterrupted run" "$tmp/fs.h5" "$out"
else bad "kill -9 of the ranks, then --resume on 2 ranks: equals the uninterrupted run" "$tmp/o"; fi

# a serial run's partial file, finished under MPI
out=$tmp/serial.h5
: >"$tmp/log"   # not the last run's lines: wait_for reads this file
"$TWSIM" run "$fs" -n 4000 --threads 1 -o "$out" >"$tmp/log" 2>&1 &
pid=$!
wait_for "$tmp/log" " 10% "
kill -INT $pid
wait $pid
if $MPIRUN_T -np 2 "$TWSIM_MPI" run "$fs" $FS --resume -o "$out" >"$tmp/o" 2>&1
then same "a serial partial file resumed on 2 ranks equals the uninterrupted run" "$tmp/fs.h5" "$out"
else bad "a serial partial file resumed on 2 ranks equals the uninterrupted run" "$tmp/o"; fi

# ---- exit codes and messages, printed once
expect() {   # expect NAME STATUS PATTERN CMD...
    name=$1 want=$2 pat=$3; shift 3
    "$@" >"$tmp/out" 2>&1
    got=$?
    if [ "$got" -ne "$want" ]; then
        echo "exit $got, expected $want" >>"$tmp/out"; bad "$name" "$tmp/out"
    elif [ -n "$pat" ] && [ "$(grep -Ec -- "$pat" "$tmp/out")" -ne 1 ]; then
        echo "expected one line matching: $pat" >>"$tmp/out"; bad "$name" "$tmp/out"
    else ok "$name"; fi
}
expect "--threads 0 is refused (exit 2)" 2 "--threads '0'" \
    "$TWSIM" run "$gb" $GB --threads 0 -o "$tmp/t0.h5"
expect "twsim-mpi run --help" 0 "^usage: mpirun -np N twsim-mpi run" \
    $MPIRUN_T -np 2 "$TWSIM_MPI" run --help
expect "a config mistake: exit 2, reported once" 2 "typo.cfg:.*unknown key" \
    $MPIRUN_T -np 2 "$TWSIM_MPI" run "$here/data/typo.cfg" -q -o "$tmp/typo.h5"
expect "an unwritable output: exit 1, reported once" 1 "^twsim: cannot" \
    $MPIRUN_T -np 2 "$TWSIM_MPI" run "$gb" $GB -o /nonexistent/dir/x.h5
cp "$tmp/fs.h5" "$tmp/other.h5.partial"
expect "--resume of another seed's partial file: exit 2" 2 "written by another (config|seed|replicate)" \
    $MPIRUN_T -np 2 "$TWSIM_MPI" run "$fs" $FS --seed 99 --resume -o "$tmp/other.h5"
expect "--resume of a complete file does nothing" 0 "already complete" \
    $MPIRUN_T -np 2 "$TWSIM_MPI" run "$gb" $GB --resume -o "$tmp/gb-np2.h5"
expect "info runs on rank 0 only" 0 "replicates: 48 of 48 complete" \
    $MPIRUN_T -np 2 "$TWSIM_MPI" info "$tmp/gb-np2.h5"

# sweep over the ranks: point p runs on rank p % size, rank 0 writes. The
# table must equal the serial sweep's (each point is a whole ensemble on
# common random numbers), on more ranks than points too.
ms=$here/data/markov_stoch.cfg
SW="--lever recruitment.annual_quota --values 90,100,110 --lever2 simulation.seed --values2 1,2 -n 40 --threads 1"
"$TWSIM" sweep "$ms" $SW -q -o "$tmp/sw-serial.h5" >/dev/null 2>&1
for np in 2 3; do
    if $MPIRUN_T -np $np "$TWSIM_MPI" sweep "$ms" $SW -o "$tmp/sw-np$np.h5" >"$tmp/o" 2>&1 &&
       grep -q "Grid (6 points) written" "$tmp/o"; then
        "$PYTHON" -c "
import h5py, sys
a, b = h5py.File('$tmp/sw-serial.h5'), h5py.File('$tmp/sw-np$np.h5')
keys = ('value', 'value2', 'p_met', 'p_lo', 'p_hi', 'mean', 'p_all', 'meets', 'targets', 'overrides', 'replicates')
sys.exit(0 if all((a[k][()] == b[k][()]).all() for k in keys) else 1)" >>"$tmp/o" 2>&1 &&
            ok "sweep on $np ranks: the serial sweep's table" ||
            bad "sweep on $np ranks: the serial sweep's table" "$tmp/o"
    else bad "sweep on $np ranks: the serial sweep's table" "$tmp/o"; fi
done
# a config with two targets: every rank evaluates both, and the whole file
# (replicates per point too) is the serial sweep's
tl=$here/data/two_levers.cfg
TL="--lever recruitment.channels.funded.cohort --values 3,5,7 -n 20 -q"
"$TWSIM" sweep "$tl" $TL -o "$tmp/swtl-serial.h5" >/dev/null 2>&1
$MPIRUN_T -np 2 "$TWSIM_MPI" sweep "$tl" $TL -o "$tmp/swtl-np2.h5" >/dev/null 2>&1
same "sweep on 2 ranks, two targets: the serial sweep's file" "$tmp/swtl-serial.h5" "$tmp/swtl-np2.h5"
expect "sweep on more ranks than points" 0 "Grid \\(1 points\\) written" \
    $MPIRUN_T -np 3 "$TWSIM_MPI" sweep "$ms" --lever recruitment.annual_quota --values 100 -n 20 -q -o "$tmp/sw1.h5"
expect "sweep: a value the config refuses: exit 2, reported once" 2 "does not accept recruitment.annual_quota = -1" \
    $MPIRUN_T -np 2 "$TWSIM_MPI" sweep "$ms" --lever recruitment.annual_quota --values 1,-1 -o "$tmp/swx.h5"
expect "sweep: an unwritable output: exit 1, reported once" 1 "^twsim: cannot" \
    $MPIRUN_T -np 2 "$TWSIM_MPI" sweep "$ms" --lever recruitment.annual_quota --values 1 -o /nonexistent/dir/x.h5
expect "sweep: a target the config lacks, found on rank 0: exit 2, once" 2 "has no target 'nope'" \
    $MPIRUN_T -np 3 "$TWSIM_MPI" sweep "$ms" --lever recruitment.annual_quota --values 1 --target nope -q -o "$tmp/swt.h5"

# optimize over the ranks: every rank runs the same search in lockstep, and
# the replicates of each evaluation are run by all ranks together
# (tw_mpi_run) in one scratch directory next to -o; rank 0 writes. The
# printed answer and the whole file must be the serial optimize's (replicate
# k depends only on config, seed and k), and no scratch may be left.
# opt_same NAME NP CONFIG ARGS...: twsim optimize vs twsim-mpi on NP ranks
opt_same() {
    name=$1 np=$2 cfg=$3; shift 3
    rm -rf "$tmp/opt"; mkdir "$tmp/opt"
    "$TWSIM" optimize "$cfg" "$@" -o "$tmp/opt/serial.h5" >"$tmp/opt-s.txt" 2>&1
    s=$?
    $MPIRUN_T -np "$np" "$TWSIM_MPI" optimize "$cfg" "$@" -o "$tmp/opt/mpi.h5" >"$tmp/opt-m.txt" 2>"$tmp/opt-err.txt"
    m=$?
    sed "s|$tmp/opt/serial.h5|OUT|" "$tmp/opt-s.txt" >"$tmp/opt-s2.txt"
    sed "s|$tmp/opt/mpi.h5|OUT|" "$tmp/opt-m.txt" >"$tmp/opt-m2.txt"
    if [ "$s" -ne "$m" ]; then
        echo "exit $m, serial $s" >>"$tmp/opt-m.txt"; bad "$name" "$tmp/opt-m.txt"
    elif ! grep -q "^Answer: " "$tmp/opt-s.txt"; then
        bad "$name (the serial optimize has an answer)" "$tmp/opt-s.txt"
    elif ! diff "$tmp/opt-s2.txt" "$tmp/opt-m2.txt" >"$tmp/o" 2>&1; then
        bad "$name: the serial optimize's report" "$tmp/o"
    elif ls -d "$tmp"/opt/twsim-optimize-* >/dev/null 2>&1; then
        ls -la "$tmp/opt" >"$tmp/o"; bad "$name: no scratch left" "$tmp/o"
    else same "$name" "$tmp/opt/serial.h5" "$tmp/opt/mpi.h5"; fi
}
mq=$here/data/markov_quota.cfg
for np in 2 3; do
    opt_same "optimize on $np ranks: the serial answer and file (known answer)" $np \
        "$mq" --lever recruitment.annual_quota --range 0:300
done
opt_same "optimize on 2 ranks: the serial answer and file (replicates added near the boundary)" 2 \
    "$ms" --lever recruitment.annual_quota --range 60:160 -n 100 --max-replicates 400
# full mode, a target for every county (read from the file's county rows),
# a few replicates per evaluation, doubled near the answer; 2 threads a rank
topc='targets=({ name = "top_each"; metric = "promotions.tier.3"; kind = "cumulative"; op = ">="; value = 8.0; year = 2025; scope = "each_county"; quote = "q"; source = "s"; })'
opt_same "optimize on 2 ranks: the serial answer and file (full mode, county target)" 2 \
    "$fs" -n 10 --max-replicates 40 --threads 2 --set 'tiers.cap=[-1, -1, -1, -1]' --set 'tiers.prob[2]=0.5' \
    --set 'tiers.capacity=[-1, -1, -1, 1]' --set "$topc" --lever 'tiers.capacity[3]' --range 0:80 --step 10
opt_same "optimize over two levers on 2 ranks: the serial answer and file" 2 \
    "$tl" --lever recruitment.channels.funded.cohort --range 0:20 \
    --lever recruitment.channels.talent.cohort --range 0:20 --max-replicates 80
expect "optimize: no value in range: exit 3 on every rank, said once" 3 "^No value of recruitment.annual_quota in 0..50" \
    $MPIRUN_T -np 2 "$TWSIM_MPI" optimize "$mq" --lever recruitment.annual_quota --range 0:50 -o "$tmp/onone.h5"
expect "optimize: an unknown lever: exit 2, reported once" 2 "unknown key" \
    $MPIRUN_T -np 2 "$TWSIM_MPI" optimize "$mq" --lever recruitment.anual_quota --range 0:50 -o "$tmp/ox.h5"
expect "optimize: a budget below the first evaluation: exit 2, once" 2 "--max-replicates 5 is below" \
    $MPIRUN_T -np 2 "$TWSIM_MPI" optimize "$ms" --lever recruitment.annual_quota --range 60:160 --max-replicates 5 -o "$tmp/ox.h5"
expect "optimize: a target the config lacks: exit 2, once" 2 "has no target 'nope'" \
    $MPIRUN_T -np 3 "$TWSIM_MPI" optimize "$mq" --lever recruitment.annual_quota --range 0:300 --target nope -o "$tmp/ox.h5"
expect "optimize: an unwritable output, found on rank 0: exit 1, once" 1 "^twsim: cannot" \
    $MPIRUN_T -np 2 "$TWSIM_MPI" optimize "$mq" --lever recruitment.annual_quota --range 0:300 -o /nonexistent/dir/x.h5
# SIGTERM to every rank in the middle of the search (after its first
# evaluation): every rank stops, one message, no file and no scratch left
rm -rf "$tmp/opt"; mkdir "$tmp/opt"
: >"$tmp/log"
$MPIRUN -np 2 "$TWSIM_MPI" optimize "$fs" -n 4000 --set 'tiers.capacity=[-1, -1, -1, 1]' \
    --lever 'tiers.capacity[3]' --range 0:80 --step 10 -o "$tmp/opt/stop.h5" >"$tmp/log" 2>&1 &
pid=$!
wait_for "$tmp/log" "replicates)$"
strike $pid TERM
wait $pid
code=$?
if [ "$code" -eq 143 ] && [ -z "$(ls -A "$tmp/opt")" ] &&
   [ "$(grep -c 'stopped by signal 15' "$tmp/log")" -eq 1 ]
then ok "optimize: SIGTERM to the ranks: exit 143, one message, nothing left"
else { echo "exit $code"; ls -la "$tmp/opt"; } >>"$tmp/log"; bad "optimize: SIGTERM to the ranks: exit 143, one message, nothing left" "$tmp/log"; fi

echo "mpi: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
