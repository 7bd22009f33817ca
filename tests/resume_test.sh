#!/bin/sh
# resume_test.sh - interrupted runs: SIGINT and SIGTERM stop cleanly after
# the replicate in progress (exit 130 / 143, a readable .partial file); a run
# killed with SIGKILL at several points leaves a .partial file that
# `twsim run --resume` completes; every completed run equals the
# uninterrupted one bitwise (trajectories, summaries and target table).
#
# Environment: TWSIM, PYTHON. Closing line "N passed, N failed".
set -u
TWSIM=${TWSIM:-build/twsim}
PYTHON=${PYTHON:-/usr/bin/python3}
here=$(cd "$(dirname "$0")" && pwd)
cfg=$here/data/full_small.cfg
tmp=$(mktemp -d /tmp/twsim-resume-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0
ok()  { pass=$((pass + 1)); echo "ok   $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1"; [ -n "${2:-}" ] && sed 's/^/     | /' "$2"; }
N=5000  # long enough (~3 s) that a signal at 0.5 s finds replicates running
# not a function: a background job must be twsim itself, for kill to reach it
RUN="$TWSIM run $cfg -n $N -q"

# bitwise comparison of everything a run computes
same() {
    "$PYTHON" - "$1" "$2" <<'PY'
import sys, h5py, numpy as np
a, b = h5py.File(sys.argv[1], "r"), h5py.File(sys.argv[2], "r")
paths = ["trajectories", "replicates/done"] + ["summary/" + k for k in ("mean", "sd", "p05", "p50", "p95")]
paths += ["targets/" + k for k in a["targets"].keys() if isinstance(a["targets/" + k], h5py.Dataset) and a["targets/" + k].dtype.kind in "fiu"]
for p in paths:
    x, y = a[p][()], b[p][()]
    if x.shape != y.shape or x.tobytes() != y.tobytes():
        print("differs:", p); sys.exit(1)
print("identical:", len(paths), "datasets")
PY
}

$RUN -o "$tmp/ref.h5" || { echo "reference run failed"; exit 1; }

# SIGINT and SIGTERM: clean stop, exit 128 + signal, a readable partial
for sig in INT TERM; do
    out=$tmp/sig$sig.h5
    # not -q: the progress lines (one per 10% when stderr is a file) say
    # when replicates are in the file; creating the partial file of 5,000
    # replicates (county rows included) takes a while on a loaded machine
    $TWSIM run "$cfg" -n $N -o "$out" 2>"$tmp/progress.$sig" >/dev/null &
    pid=$!
    i=0
    while ! grep -q "10%" "$tmp/progress.$sig" 2>/dev/null && [ $i -lt 600 ]; do
        sleep 0.05; i=$((i + 1))
    done
    kill -s $sig $pid
    wait $pid
    code=$?
    want=$([ $sig = INT ] && echo 130 || echo 143)
    if [ "$code" -eq "$want" ] && [ -e "$out.partial" ] && [ ! -e "$out" ] &&
       "$PYTHON" -c "import h5py,sys; d=h5py.File('$out.partial')['replicates/done'][:]; sys.exit(0 if 0 < d.sum() < len(d) else 1)"
    then ok "SIG$sig stops with exit $want and a readable partial file"
    else echo "exit $code" >"$tmp/o"; bad "SIG$sig stops with exit $want and a readable partial file" "$tmp/o"; fi
    if $RUN -o "$out" --resume >"$tmp/o" 2>&1 && same "$tmp/ref.h5" "$out" >>"$tmp/o" 2>&1
    then ok "after SIG$sig, --resume equals the uninterrupted run"
    else bad "after SIG$sig, --resume equals the uninterrupted run" "$tmp/o"; fi
done

# SIGKILL at several points, then --resume (repeatedly if killed again)
for delay in 0.3 0.9 1.6 2.4; do
    out=$tmp/kill$delay.h5
    $RUN -o "$out" &
    pid=$!
    sleep $delay
    kill -9 $pid 2>/dev/null
    wait $pid 2>/dev/null
    if [ -e "$out" ]; then
        ok "kill -9 at ${delay}s: finished first (nothing to resume)"
        continue
    fi
    if $RUN -o "$out" --resume >"$tmp/o" 2>&1 && same "$tmp/ref.h5" "$out" >>"$tmp/o" 2>&1
    then ok "kill -9 at ${delay}s, then --resume: equals the uninterrupted run"
    else bad "kill -9 at ${delay}s, then --resume: equals the uninterrupted run" "$tmp/o"; fi
done

# --resume of a finished run does nothing; of another config refuses
if $RUN -o "$tmp/ref.h5" --resume >"$tmp/o" 2>&1 && grep -q "already complete" "$tmp/o"
then ok "--resume of a complete file does nothing"
else bad "--resume of a complete file does nothing" "$tmp/o"; fi
$RUN -o "$tmp/other.h5" >/dev/null 2>&1 &
pid=$!; sleep 0.5; kill -s INT $pid; wait $pid
if $RUN -o "$tmp/other.h5" --resume --seed 99 >"$tmp/o" 2>&1; then code=0; else code=$?; fi
if [ "$code" -eq 2 ] && grep -q "written by another seed" "$tmp/o"
then ok "--resume with another seed is refused (exit 2)"
else echo "exit $code" >>"$tmp/o"; bad "--resume with another seed is refused (exit 2)" "$tmp/o"; fi

echo "resume: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
