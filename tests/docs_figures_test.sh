#!/bin/sh
# docs_figures_test.sh - the figures quoted in docs/calibration.md and
# docs/regions.md still match the model, and the commands of
# docs/calibration.md paste and run (docs/figures.md).
#
# 1. Every command block of docs/calibration.md marked <!-- runnable -->
#    runs as written, with -n N made -n 4 and -o into a temporary
#    directory, and exits 0.
# 2. scripts/docs_figures.py check: the spec's runs at their small check
#    replicate counts; every marked number lies within its tolerance
#    (each failure names the figure, FILE:LINE, the quoted and the
#    computed value).
#
# Environment: TWSIM (the binary), PYTHON (/usr/bin/python3). Prints one
# line per test and a closing "N passed, N failed" line; exits 1 if any
# test failed.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
TWSIM=${TWSIM:-$root/build/twsim}
PYTHON=${PYTHON:-/usr/bin/python3}
export TWSIM
tmp=$(mktemp -d /tmp/twsim-docfigs-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0
ok()  { pass=$((pass + 1)); echo "ok   $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1"; [ -n "${2:-}" ] && sed 's/^/     | /' "$2"; }

cd "$root" || exit 1
if "$PYTHON" scripts/docs_figures.py selftest >"$tmp/out" 2>&1; then
    ok "the marker and format rules ($(tail -1 "$tmp/out"))"
else
    bad "the marker and format rules" "$tmp/out"
fi
for doc in docs/calibration.md; do
    mkdir -p "$tmp/blocks"
    if ! "$PYTHON" scripts/docs_figures.py runnable "$doc" "$tmp/blocks" >"$tmp/lines" 2>"$tmp/err"; then
        bad "$doc: its runnable blocks can be read" "$tmp/err"; continue
    fi
    [ -s "$tmp/lines" ] || bad "$doc: has runnable command blocks"
    while read -r line; do
        if sh "$tmp/blocks/block-$line.sh" >"$tmp/out" 2>&1; then
            ok "$doc:$line: the command runs as pasted (-n 4)"
        else
            echo "exit $?; the command as run:" >>"$tmp/out"
            cat "$tmp/blocks/block-$line.sh" >>"$tmp/out"
            bad "$doc:$line: the command runs as pasted (-n 4)" "$tmp/out"
        fi
    done <"$tmp/lines"
done

if "$PYTHON" scripts/docs_figures.py check docs/calibration.md docs/regions.md >"$tmp/out" 2>&1; then
    ok "quoted figures within tolerance: $(tail -1 "$tmp/out")"
else
    bad "quoted figures within tolerance" "$tmp/out"
fi

echo "docs figures: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
