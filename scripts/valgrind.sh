#!/bin/sh
# valgrind.sh TWSIM - memcheck on small runs of the twsim binary TWSIM
# (`make valgrind`; docs/robustness.md): a full-mode ensemble, the Markov
# example, a mean-field run, info and check on the output, a run stopped by
# SIGINT and its --resume, and four failures (a config mistake, a syntax
# error, a bad --set, an unwritable output). Each must report no memory error and no definite
# or indirect leak (exit 9 otherwise). Suppressions: tests/valgrind.supp
# (libconfig 1.5's own leak on a syntax error).
set -u
twsim=$1
root=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d /tmp/twsim-valgrind-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0
vg() {   # vg NAME STATUS TWSIM-ARGS...: memcheck clean and exit STATUS
    name=$1 want=$2; shift 2
    valgrind -q --error-exitcode=9 --leak-check=full \
        --errors-for-leak-kinds=definite,indirect \
        --suppressions="$root/tests/valgrind.supp" \
        "$twsim" "$@" >"$tmp/out" 2>&1
    got=$?
    if [ "$got" -eq "$want" ]; then
        pass=$((pass + 1)); echo "ok   $name"
    else
        fail=$((fail + 1)); echo "FAIL $name (exit $got, expected $want; 9: memcheck)"
        grep -E '^==[0-9]+==' "$tmp/out" | head -60 | sed 's/^/     | /'
        grep -vE '^==[0-9]+==' "$tmp/out" | tail -5 | sed 's/^/     | /'
    fi
}
full=$root/tests/data/full_small.cfg
vg "run full_small.cfg -n 3"         0 run "$full" -n 3 -q -o "$tmp/full.h5"
vg "run markov-example.cfg -n 50 (with its report)" 0 run "$root/configs/markov-example.cfg" -n 50 -o "$tmp/markov.h5"
vg "run --mean-field"                0 run "$full" --mean-field -q -o "$tmp/mf.h5"
vg "info"                            0 info "$tmp/full.h5"
vg "check"                           0 check "$tmp/full.h5"
# Ctrl-C in the middle (exit 130, partial file kept), then --resume
valgrind -q --error-exitcode=9 --leak-check=full \
    --errors-for-leak-kinds=definite,indirect \
    --suppressions="$root/tests/valgrind.supp" \
    "$twsim" run "$full" -n 200 -o "$tmp/r.h5" >"$tmp/out" 2>&1 &
pid=$!
# stop it a second after its partial file appears (the whole run takes
# about 15 s under valgrind; its progress lines come in bursts; the
# partial file appears once its layout is written, before any replicate)
for _ in $(seq 600); do [ -e "$tmp/r.h5.partial" ] && break; sleep 0.1; done
sleep 1
kill -s INT $pid 2>/dev/null
wait $pid
got=$?
if [ "$got" -eq 130 ] && [ -e "$tmp/r.h5.partial" ]; then
    pass=$((pass + 1)); echo "ok   run stopped by SIGINT (exit 130)"
    vg "run --resume of the stopped run" 0 run "$full" -n 200 -q -o "$tmp/r.h5" --resume
elif [ "$got" -eq 0 ]; then
    echo "skip run stopped by SIGINT: it finished first"
else
    fail=$((fail + 1)); echo "FAIL run stopped by SIGINT (exit $got, expected 130; 9: memcheck)"
    sed 's/^/     | /' "$tmp/out" | head -60
fi
vg "a config mistake (exit 2)"       2 validate "$root/tests/bad_input/f_county_unknown.cfg"
vg "a syntax error (exit 2)"         2 validate "$root/tests/fuzz/regress/libconfig-string-leak"
vg "a bad --set (exit 2)"            2 run "$full" -q -o "$tmp/x.h5" --set 'tiers.prob=[1.5, 0.1, 0.1]'
vg "an unwritable output (exit 1)"   1 run "$full" -n 3 -q -o "$tmp/no/such/dir/x.h5"
echo "valgrind: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
