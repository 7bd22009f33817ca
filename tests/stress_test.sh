#!/bin/sh
# stress_test.sh - kill -9 and --resume, many times, under CPU load: every
# resumed run must equal the uninterrupted one (tests/h5_same.py: every
# dataset and attribute, bitwise) and leave no file but the result.
#
# Two parts (docs/robustness.md, "The resume race"):
#
#  1. every write: tests/stress/kill_at_write.c (LD_PRELOAD) kills twsim
#     just before its k-th file write or rename, for every k of a small
#     `twsim run` (from creating the partial file to the rename of the
#     result), then `--resume`; then a run killed half-way, its --resume
#     killed before each of its writes in turn, and a second --resume; and
#     an `--all-scenarios` run killed before each of its writes, then run
#     again with --resume. STRESS_STRIDE=S tries every S-th write only
#     (every 4S-th of --all-scenarios), from an offset set by the seed. Deterministic: it reaches the moments a
#     timed kill almost never hits (inside the creation of the file,
#     between two writes of one flush, between the close and the rename).
#  2. random times: STRESS_N cycles, each a `twsim run` or (one in three)
#     `twsim run --all-scenarios` killed with kill -9 at a uniformly
#     random time between 0 and 1.2 times the length of an uninterrupted
#     run, measured under the same load; one --resume in four is killed
#     too, at a random time, and resumed again. Meanwhile one process per
#     core spins, so the runs are preempted at random points; it is killed
#     on every exit.
#
# Environment: TWSIM, PYTHON, CC (builds the LD_PRELOAD library),
# STRESS_N (random cycles, default 25), STRESS_REPS (replicates of a
# random-time run, default 300), STRESS_STRIDE (default 3), STRESS_SEED
# (default the process id; printed).
# Closing line "N passed, M failed"; exits 1 if any failed.
set -u
TWSIM=${TWSIM:-build/twsim}
PYTHON=${PYTHON:-/usr/bin/python3}
CC=${CC:-cc}
N=${STRESS_N:-25}
REPS=${STRESS_REPS:-300}
STRIDE=${STRESS_STRIDE:-3}
SEED=${STRESS_SEED:-$$}
first=$(( SEED % STRIDE + 1 ))
here=$(cd "$(dirname "$0")" && pwd)
cfg=$here/data/full_small.cfg
scen=$here/data/scenarios.cfg
tmp=$(mktemp -d /tmp/twsim-stress-XXXXXX)
spinners=""
cleanup() {
    for p in $spinners; do kill -9 "$p" 2>/dev/null; done
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
pass=0
fail=0
ok()  { pass=$((pass + 1)); [ -n "${VERBOSE:-}" ] && echo "ok   $1"; return 0; }
bad() { fail=$((fail + 1)); echo "FAIL $1"; [ -n "${2:-}" ] && sed 's/^/     | /' "$2"; }

# same REF FILE...: each FILE against REF, in one Python process; prints
# "FILE: problem" for each that differs
same() {
    "$PYTHON" - "$here" "$@" <<'PY'
import io, sys, contextlib
sys.path.insert(0, sys.argv[1])
import h5_same
ref = sys.argv[2]
for f in sys.argv[3:]:
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            problem = h5_same.main(ref, f)
    except Exception as e:
        problem = f"{type(e).__name__}: {e}"
    if problem:
        print(f"{f}: {problem}")
PY
}

# leftovers DIR NAME: files in DIR but NAME, the references and the log
leftovers() {
    (cd "$1" && ls -A | grep -v -x -e "$2" -e ref1.h5 -e refA.h5 -e log ||
     true)
}

lib=$tmp/kill_at_write.so
if ! $CC -shared -fPIC -O2 -o "$lib" "$here/stress/kill_at_write.c" -ldl \
     >"$tmp/cc.log" 2>&1; then
    bad "build the LD_PRELOAD library" "$tmp/cc.log"
    echo "stress: $pass passed, $fail failed"
    exit 1
fi

# judge NAME LEFT: every file listed in $d/files equals $d/ref.h5 bitwise,
# and LEFT (the files a kill may not leave behind) is empty
judge() {
    same "$d/ref.h5" $(cat "$d/files") >"$d/diff"
    if [ -s "$d/diff" ] || [ -n "$2" ]; then
        echo "left: $2" >>"$d/diff"
        bad "$1: bitwise the uninterrupted run, nothing left" "$d/diff"
    else
        ok "$1"
    fi
}

# ---- part 1: a kill before every write ----------------------------------
small="$TWSIM run $cfg -n 6 -q --threads 1"
d=$tmp/w
mkdir -p "$d"
$small -o "$d/ref.h5" || { echo "reference run failed"; exit 1; }
TW_KILL_COUNT=$d/count LD_PRELOAD=$lib $small -o "$d/count.h5" ||
    { echo "counting run failed"; exit 1; }
total=$(cat "$d/count")
rm -f "$d/count.h5"
k=$first
tried=0
: >"$d/files"
while [ "$k" -le "$total" ]; do
    tried=$((tried + 1))
    out=$d/o$k.h5
    TW_KILL_AT=$k LD_PRELOAD=$lib $small -o "$out" >/dev/null 2>&1
    if ! $small --resume -o "$out" >"$d/r$k.log" 2>&1; then
        bad "kill -9 before write $k of $total, then --resume: exit 0" \
            "$d/r$k.log"
    else
        echo "$out" >>"$d/files"
    fi
    k=$((k + STRIDE))
done
left=$(cd "$d" && ls -A | grep -v -e '^o[0-9]*\.h5$' -e '^r[0-9]*\.log$' \
       -e '^ref\.h5$' -e '^files$' -e '^diff$' -e '^count$' || true)
judge "kill -9 before $tried of the $total writes of a run, then --resume" "$left"
echo "writes of a run: a kill before $tried of $total (every ${STRIDE}th)"

# the --resume itself killed before each of its writes, then resumed again
half=$(( total / 2 ))
TW_KILL_AT=$half LD_PRELOAD=$lib $small -o "$d/h.h5" >/dev/null 2>&1
cp "$d/h.h5.partial" "$d/h.keep"
TW_KILL_COUNT=$d/count LD_PRELOAD=$lib $small --resume -o "$d/h.h5" \
    >/dev/null 2>&1
rtotal=$(cat "$d/count")
k=$first
tried=0
: >"$d/files"
while [ "$k" -le "$rtotal" ]; do
    tried=$((tried + 1))
    out=$d/q$k.h5
    cp "$d/h.keep" "$out.partial"
    TW_KILL_AT=$k LD_PRELOAD=$lib $small --resume -o "$out" >/dev/null 2>&1
    if ! $small --resume -o "$out" >"$d/s$k.log" 2>&1; then
        bad "--resume killed before its write $k of $rtotal, then --resume: exit 0" "$d/s$k.log"
    else
        echo "$out" >>"$d/files"
    fi
    k=$((k + STRIDE))
done
judge "--resume killed before $tried of its $rtotal writes, then --resume" \
    "$(cd "$d" && ls q*.partial* 2>/dev/null)"
echo "writes of a --resume: a kill before $tried of $rtotal (every ${STRIDE}th)"

# --all-scenarios: a kill before every STRIDE-th write, then run again
allsc="$TWSIM run $scen --all-scenarios -n 3 -q --threads 1"
d=$tmp/a
mkdir -p "$d"
$allsc -o "$d/ref.h5" >/dev/null || { echo "reference --all-scenarios run failed"; exit 1; }
TW_KILL_COUNT=$d/count LD_PRELOAD=$lib $allsc -o "$d/count.h5" >/dev/null ||
    { echo "counting run failed"; exit 1; }
atotal=$(cat "$d/count")
astride=$((STRIDE * 4))
k=$first
tried=0
: >"$d/files"
while [ "$k" -le "$atotal" ]; do
    out=$d/o$k.h5
    TW_KILL_AT=$k LD_PRELOAD=$lib $allsc -o "$out" >/dev/null 2>&1
    tried=$((tried + 1))
    if ! $allsc --resume -o "$out" >"$d/r$k.log" 2>&1; then
        bad "--all-scenarios killed before write $k of $atotal, then run again: exit 0" "$d/r$k.log"
    else
        echo "$out" >>"$d/files"
    fi
    k=$((k + astride))
done
judge "--all-scenarios killed before $tried of its $atotal writes, then run again" \
    "$(cd "$d" && ls -A | grep -e '\.run' -e '\.partial' || true)"
echo "writes of --all-scenarios: a kill before $tried of $atotal (every ${astride}th)"

# ---- part 2: random times, under load -------------------------------------
ncpu=$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 2)
i=0
while [ "$i" -lt "$ncpu" ]; do
    sh -c 'while :; do :; done' &
    spinners="$spinners $!"
    i=$((i + 1))
done

# wall-clock milliseconds of a command
ms() { date +%s%3N; }
run1="$TWSIM run $cfg -n $REPS -q"
runA="$TWSIM run $scen --all-scenarios -n $((REPS / 4)) -q"
d=$tmp/r
mkdir -p "$d"
t0=$(ms); $run1 -o "$d/ref1.h5" || { echo "reference run failed"; exit 1; }
t1=$(ms); $runA -o "$d/refA.h5" >/dev/null || { echo "reference --all-scenarios run failed"; exit 1; }
t2=$(ms)
len1=$((t1 - t0)); lenA=$((t2 - t1))
echo "under load ($ncpu spinning processes): run $len1 ms, --all-scenarios $lenA ms; seed $SEED"

# rand N: r = a uniform integer in 0..N-1 (not in a subshell: it keeps
# its state in rnd_state)
rnd_state=$SEED
rand() {
    rnd_state=$(( (rnd_state * 1103515245 + 12345) % 2147483648 ))
    r=$(( (rnd_state / 65536) % $1 ))
}

# killed CMD... : start CMD (exec'd, so that $! is twsim), kill -9 it
# after a random 0..1.2 x its length; sets kill_ms and bucket (tenths of
# the length, 10 and 11 = after the end)
killed() {
    len=$1; shift
    rand $((len * 12 / 10 + 1))
    kill_ms=$r
    bucket=$((kill_ms * 10 / (len + 1)))
    sh -c 'exec "$@"' sh "$@" >/dev/null 2>&1 &
    pid=$!
    sleep "$(printf '%d.%03d' $((kill_ms / 1000)) $((kill_ms % 1000)))"
    kill -9 "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
}

hist="0 0 0 0 0 0 0 0 0 0 0 0"
bump() {
    hist=$(echo "$hist" | awk -v b="$1" '{ $(b + 1)++; print }')
}
c=1
nA=0; n2=0
while [ "$c" -le "$N" ]; do
    out=$d/c$c.h5
    rand 3
    if [ "$r" -eq 0 ]; then
        what="--all-scenarios"; cmd=$runA; len=$lenA; ref=$d/refA.h5
        nA=$((nA + 1))
    else
        what="run"; cmd=$run1; len=$len1; ref=$d/ref1.h5
    fi
    killed "$len" $cmd -o "$out"
    desc="cycle $c: $what killed at ${kill_ms} ms of $len"
    bump "$bucket"
    rand 4
    if [ "$r" -eq 0 ]; then
        killed "$len" $cmd --resume -o "$out"
        desc="$desc, its --resume at ${kill_ms} ms"
        n2=$((n2 + 1))
    fi
    if ! $cmd --resume -o "$out" >"$d/log" 2>&1; then
        bad "$desc, then --resume: exit 0" "$d/log"
    elif ! "$PYTHON" "$here/h5_same.py" "$ref" "$out" >"$d/log" 2>&1; then
        bad "$desc, then --resume: bitwise the uninterrupted run" "$d/log"
    elif [ -n "$(leftovers "$d" "c$c.h5")" ]; then
        leftovers "$d" "c$c.h5" >"$d/log"
        bad "$desc, then --resume: no other file left" "$d/log"
    else
        ok "$desc, then --resume"
    fi
    rm -f "$out"
    c=$((c + 1))
done
echo "random kills: $N cycles ($nA --all-scenarios, $n2 with the --resume killed too)"
echo "kill time, tenths of the run (the last two: after its end): $hist"

echo "stress: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
