#!/bin/sh
# docs_figures_test.sh - the figures quoted in docs/calibration.md and
# docs/regions.md still match the model, and the commands shown in
# README.md and docs/*.md paste and run (docs/figures.md).
#
# 1. Every command block (```sh, bash, shell or console) of README.md and
#    docs/*.md runs as written, with 4 replicates, and exits 0; a block
#    marked <!-- not-runnable: WHY ... --> is skipped and counted under
#    WHY. Each document's blocks run in order in one scratch directory
#    that holds links to the checkout's files and a build/ of its own
#    (build/twsim, and twsim on PATH, are TWSIM), so outputs stay there.
# 2. scripts/docs_figures.py check: the spec's runs at their small check
#    replicate counts; every marked number lies within its tolerance
#    (each failure names the figure, FILE:LINE, the quoted and the
#    computed value).
#
# Environment: TWSIM (the binary), TWSIM_MPI (twsim-mpi, optional),
# PYTHON (/usr/bin/python3). Prints one line per test and a closing
# "N passed, N failed" line; exits 1 if any test failed.
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
case $TWSIM in /*) ;; *) TWSIM=$root/$TWSIM ;; esac
TWSIM_MPI=${TWSIM_MPI:-$root/build/twsim-mpi}
case $TWSIM_MPI in /*) ;; *) TWSIM_MPI=$root/$TWSIM_MPI ;; esac
now() { date +%s.%N; }
ran=0
: >"$tmp/skipped"
: >"$tmp/unmarked"
for doc in README.md docs/*.md; do
    slug=$(echo "$doc" | tr '/.' '__')
    blocks=$tmp/blocks/$slug
    work=$tmp/work/$slug
    mkdir -p "$blocks" "$work/build" "$work/bin"
    if ! "$PYTHON" scripts/docs_figures.py runnable "$doc" "$blocks" >"$tmp/lines" 2>"$tmp/err"; then
        bad "$doc: its command blocks can be read" "$tmp/err"; continue
    fi
    [ -s "$tmp/lines" ] || continue
    for entry in "$root"/*; do
        [ "$(basename "$entry")" = build ] || ln -s "$entry" "$work/"
    done
    ln -s "$TWSIM" "$work/build/twsim"
    ln -s "$TWSIM" "$work/bin/twsim"
    if [ -x "$TWSIM_MPI" ]; then
        ln -s "$TWSIM_MPI" "$work/build/twsim-mpi"
        ln -s "$TWSIM_MPI" "$work/bin/twsim-mpi"
    fi
    while read -r line what why more; do
        if [ "$what" = skip ]; then
            echo "$why" >>"$tmp/skipped"
            continue
        fi
        [ "$what" = unmarked ] && echo "$doc:$line" >>"$tmp/unmarked"
        ran=$((ran + 1))
        t0=$(now)
        if (cd "$work" && PATH=$work/bin:$PATH sh "$blocks/block-$line.sh") >"$tmp/out" 2>&1; then
            ok "$doc:$line: the command runs as pasted, 4 replicates ($(echo "$(now) $t0" | awk '{printf "%.1f", $1 - $2}') s)"
        else
            echo "exit $?; the command as run (in a scratch copy of the checkout):" >>"$tmp/out"
            sed 's/^/  /' "$blocks/block-$line.sh" >>"$tmp/out"
            bad "$doc:$line: the command runs as pasted, 4 replicates" "$tmp/out"
        fi
    done <"$tmp/lines"
done
skips=$(sort "$tmp/skipped" | uniq -c | awk '{printf "%s%s %d", sep, $2, $1; sep = ", "}')
echo "docs commands: $ran blocks ran, $(wc -l <"$tmp/skipped" | tr -d ' ') skipped${skips:+ ($skips)}"
if [ -s "$tmp/unmarked" ]; then
    echo "     unmarked (ran; mark them <!-- runnable --> or <!-- not-runnable: WHY -->): $(tr '\n' ' ' <"$tmp/unmarked")"
fi
if [ "$ran" -gt 0 ]; then ok "the docs have command blocks that run ($ran)"
else bad "the docs have command blocks that run (none found)"; fi

if "$PYTHON" scripts/docs_figures.py check docs/calibration.md docs/regions.md >"$tmp/out" 2>&1; then
    ok "quoted figures within tolerance: $(tail -1 "$tmp/out")"
else
    bad "quoted figures within tolerance" "$tmp/out"
fi

echo "docs figures: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
