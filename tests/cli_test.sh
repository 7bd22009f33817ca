#!/bin/sh
# cli_test.sh - end-to-end tests of the twsim command line and its HDF5
# output, read back by h5dump and by /usr/bin/python3 + h5py.
#
# Environment: TWSIM (the binary), PYTHON (/usr/bin/python3).
# Prints one line per test and a closing "N passed, N failed" line; exits 1
# if any test failed.
set -u
TWSIM=${TWSIM:-build/twsim}
PYTHON=${PYTHON:-/usr/bin/python3}
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d /tmp/twsim-cli-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0

ok()   { pass=$((pass + 1)); echo "ok   $1"; }
bad()  { fail=$((fail + 1)); echo "FAIL $1"; [ -n "${2:-}" ] && sed 's/^/     | /' "$2"; }

# expect NAME STATUS PATTERN CMD...: CMD exits with STATUS and its combined
# output matches the grep -E PATTERN ("" = anything).
expect() {
    name=$1 want=$2 pat=$3; shift 3
    "$@" >"$tmp/out" 2>&1
    got=$?
    if [ "$got" -ne "$want" ]; then
        echo "exit $got, expected $want" >>"$tmp/out"
        bad "$name" "$tmp/out"
    elif [ -n "$pat" ] && ! grep -Eq -- "$pat" "$tmp/out"; then
        echo "output does not match: $pat" >>"$tmp/out"
        bad "$name" "$tmp/out"
    else
        ok "$name"
    fi
}

cfg=$here/../configs/markov-example.cfg
out=$tmp/example.h5

expect "run writes a file"           0 "wrote .*example.h5" \
    "$TWSIM" run "$cfg" -n 200 -o "$out"
expect "no partial file is left"     0 "" test ! -e "$out.partial"
expect "h5dump -H reads it"          0 "DATASET \"trajectories\"" h5dump -H "$out"
expect "h5py reads it; summaries equal numpy's" 0 "h5_check: OK" \
    "$PYTHON" "$here/h5_check.py" "$out"
expect "xarray labels the dimensions; pandas gets a tidy table" 0 "xarray_check: OK" \
    "$PYTHON" "$here/xarray_check.py" "$out"

# every kind of file twsim writes, small: each of its groups opens in
# xarray alone (group=G, no phony_dims), every dimension with a
# coordinate, every variable with units and long_name
xr=$tmp/xr
mkdir "$xr"
d=$here/data
sed 's|@include "../../configs/national.cfg"|@include "national.cfg"|' \
    "$d/full_small.cfg" >"$xr/full_small.cfg"
cp "$here/../configs/national.cfg" "$xr/"
cat "$d/county_targets.cfg" - >"$xr/unc.cfg" <<'EOF'
uncertainty = {
  design = "lhs";
  per_point = 2;
  settings = ( { key = "tiers.prob[1]"; uniform = [0.05, 0.15]; why = "test"; } );
};
EOF
twl="--lever recruitment.channels.funded.cohort --range 0:20 --lever recruitment.channels.talent.cohort --range 0:20"
if "$TWSIM" run "$cfg" -n 4 -q -o "$xr/markov.h5" &&
   "$TWSIM" run "$d/full_small.cfg" --mean-field -q -o "$xr/meanfield.h5" &&
   "$TWSIM" run "$d/county_targets.cfg" -n 4 -q --schools -o "$xr/schools.h5" &&
   "$TWSIM" run "$xr/unc.cfg" -n 8 -q -o "$xr/uncertainty.h5" 2>/dev/null &&
   "$TWSIM" run "$d/county_targets.cfg" --all-scenarios -n 4 -q -o "$xr/scenarios.h5" &&
   "$TWSIM" compare "$xr/scenarios.h5" --base base --alt more_funded >/dev/null &&
   "$TWSIM" run "$d/full_small.cfg" -n 4 -q -o "$xr/base.h5" &&
   "$TWSIM" run "$d/full_small.cfg" -n 4 -q --set recruitment.channels.funded.cohort=20 -o "$xr/alt.h5" &&
   "$TWSIM" compare "$xr/base.h5" "$xr/alt.h5" --store >/dev/null &&
   "$TWSIM" sweep "$d/markov_quota.cfg" -n 4 --lever recruitment.annual_quota --values 50,100 -q -o "$xr/sweep.h5" >/dev/null &&
   "$TWSIM" sweep "$d/markov_stoch.cfg" -n 4 --lever recruitment.annual_quota --values 90,110 --lever2 simulation.seed --values2 1,2 -q -o "$xr/sweep2.h5" >/dev/null &&
   "$TWSIM" optimize "$d/markov_quota.cfg" -n 4 --lever recruitment.annual_quota --range 0:300 -q -o "$xr/optimize.h5" >/dev/null &&
   { "$TWSIM" optimize "$d/two_levers.cfg" -n 4 --max-replicates 8 $twl -q -o "$xr/optimize2.h5" >/dev/null; test -s "$xr/optimize2.h5"; } &&
   "$TWSIM" run "$d/full_small.cfg" -n 4 --replicates 0:2 -q -o "$xr/slice0.h5" &&
   "$TWSIM" run "$d/full_small.cfg" -n 4 --replicates 2:2 -q -o "$xr/slice1.h5" &&
   "$TWSIM" merge "$xr/slice0.h5" "$xr/slice1.h5" -q -o "$xr/merged.h5" &&
   "$TWSIM" export "$xr/base.h5" --format tidy-h5 -q -o "$xr/export.h5"
then
    expect "every group of every kind of file opens in xarray, labelled, without phony_dims" 0 \
        "xarray_check: OK .*optimize2.h5" "$PYTHON" "$here/xarray_check.py" "$xr"/*.h5
else
    bad "the files of every kind for xarray_check could not be written"
fi
expect "info describes it"           0 "replicates: 200 of 200 complete" \
    "$TWSIM" info "$out"
expect "info shows tier labels"      0 "teachers.tier.0 +SP" "$TWSIM" info "$out"

# the same seed gives the same trajectories, whatever the file name
"$TWSIM" run "$cfg" -n 20 -q -o "$tmp/a.h5" && "$TWSIM" run "$cfg" -n 20 -q -o "$tmp/b.h5"
expect "same seed, same trajectories" 0 "" \
    h5diff "$tmp/a.h5" "$tmp/b.h5" /trajectories
"$TWSIM" run "$cfg" -n 20 -q --seed 7 -o "$tmp/c.h5"
expect "another seed, other trajectories" 1 "" \
    h5diff -q "$tmp/a.h5" "$tmp/c.h5" /trajectories
expect "overrides are stored"        0 "simulation.seed=7" "$TWSIM" info "$tmp/c.h5"

# --mean-field: the expected values as one "replicate", in the same layout
expect "run --mean-field writes a file" 0 "wrote .*mf.h5" \
    "$TWSIM" run "$here/data/full_small.cfg" --mean-field -o "$tmp/mf.h5"
expect "the mean-field file has one replicate" 0 "replicates: 1 of 1 complete" \
    "$TWSIM" info "$tmp/mf.h5"
expect "the mean-field file says so"  0 "mode full-mean-field" "$TWSIM" info "$tmp/mf.h5"
expect "h5py reads the mean-field file" 0 "h5_check: OK .*1 replicates" \
    "$PYTHON" "$here/h5_check.py" "$tmp/mf.h5"
expect "validate has no --mean-field" 2 "unknown option '--mean-field'" \
    "$TWSIM" validate "$cfg" --mean-field

# the report of a mean-field run: one deterministic run, so a value against
# the threshold and met / not met, never a probability with an interval or
# "1 replicates" (full_small_targets.cfg: 2025 total ~1148, thresholds
# 1000 and 1200)
tcfg=$here/data/full_small_targets.cfg
"$TWSIM" run "$tcfg" --mean-field -o "$tmp/mft.h5" >"$tmp/mf_run.txt" 2>&1
"$TWSIM" check "$tmp/mft.h5" >"$tmp/mf_check.txt" 2>&1
for f in run check; do
    expect "mean-field $f report: value and met" 0 \
        "total_1000 +2025 +teachers.total >= 1000 +11[0-9][0-9]\.[0-9]{2}  met$" \
        cat "$tmp/mf_$f.txt"
    expect "mean-field $f report: not met" 0 \
        "total_1200 .* +11[0-9][0-9]\.[0-9]{2}  not met$" cat "$tmp/mf_$f.txt"
    expect "mean-field $f report: no interval, no replicate count" 1 "" \
        grep -Eq "on track|off track|uncertain|replicates|\[0\.|CI\]" \
        "$tmp/mf_$f.txt"
done
expect "check --strict on a mean-field file: a target not met, exit 1" 1 \
    "not met" "$TWSIM" check "$tmp/mft.h5" --strict
expect "check --format csv of a mean-field file: no interval, met / not met" 0 \
    "^,total_1200,.*,0,,,1[0-9.]+,.*,not met$" \
    "$TWSIM" check "$tmp/mft.h5" --format csv
"$TWSIM" run "$tcfg" -n 20 -q -o "$tmp/ens.h5"

# every metric of a full run and of a mean-field run has a unit and a
# label, unique within the file (docs/metrics.md "Labels"); so do the
# county rows' (the same /metrics table)
expect "labels: every metric's, unique, units non-empty (full and mean-field files)" 0 \
    "labels ok 2" "$PYTHON" -c "
import h5py, sys
ok = 0
for p in sys.argv[1:]:
    f = h5py.File(p)
    n = [x.decode() for x in f['metrics/name'][:]]
    l = [x.decode() for x in f['metrics/label'][:]]
    u = [x.decode() for x in f['metrics/unit'][:]]
    bad = [a for a, b, c in zip(n, l, u) if not b or not c]
    dup = sorted(set(x for x in l if l.count(x) > 1))
    assert len(n) > 100 and not bad and not dup, (p, bad[:5], dup[:5])
    ok += f.attrs['mode'] in ('full', 'full-mean-field')
print('labels ok', ok)" "$tmp/ens.h5" "$tmp/mft.h5"
expect "an ensemble keeps P(met) with its interval and the verdict" 0 \
    "total_1000 .*1\.00 \[0\.88.1\.00\] .*on track" "$TWSIM" check "$tmp/ens.h5"

# bad input: exit 2, file:line, key, suggestion; no output file
expect "typo'd key: file:line and suggestion" 2 \
    "typo.cfg:10: unknown key 'transtion' \\(did you mean 'transition'\\?\\)" \
    "$TWSIM" run "$here/data/typo.cfg" -o "$tmp/typo.h5"
expect "typo'd key leaves no file"   0 "" test ! -e "$tmp/typo.h5" -a ! -e "$tmp/typo.h5.partial"
expect "validate reports every problem" 2 "row_sum.cfg:11: .*cannot exceed 1" \
    "$TWSIM" validate "$here/data/row_sum.cfg"
expect "validate accepts a good file" 0 "OK \\(mode markov" "$TWSIM" validate "$cfg"
# a one-character file name in the current directory: its include
# directory is "./", longer than the name (make sanitize checks the copy)
cp "$cfg" "$tmp/m"
case $TWSIM in /*) tw_abs=$TWSIM ;; *) tw_abs=$PWD/$TWSIM ;; esac
expect "validate a config whose name is one character" 0 "OK \\(mode markov" \
    sh -c 'cd "$1" && "$2" validate m' sh "$tmp" "$tw_abs"
expect "bad --set value"             2 "--set simulation.replicates=-4: .*out of range" \
    "$TWSIM" validate "$cfg" --set simulation.replicates=-4
expect "bad --set key"               2 "did you mean 'recruitment.entry_tier'" \
    "$TWSIM" validate "$cfg" --set recruitment.entry_teir=SP
expect "bad -n"                      2 "'lots' is not a whole number" \
    "$TWSIM" run "$cfg" -n lots
expect "missing config"              2 "nope.cfg: cannot open" "$TWSIM" run "$tmp/nope.cfg"
expect "unknown command"             2 "unknown command 'rnu'" "$TWSIM" rnu
expect "unknown option"              2 "unknown option" "$TWSIM" run "$cfg" --frobnicate
expect "no arguments"                2 "usage" "$TWSIM"

# failures that are not the input's fault: exit 1, clear message, no file
expect "unwritable output directory" 1 "no_such_dir/x.h5" \
    "$TWSIM" run "$cfg" -n 5 -q -o "$tmp/no_such_dir/x.h5"
printf 'not hdf5\n' >"$tmp/junk.h5"
expect "info on a non-HDF5 file"     2 "junk.h5 is not a twsim output file" "$TWSIM" info "$tmp/junk.h5"
expect "info names the kind of a run file" 0 "kind: +run$" "$TWSIM" info "$out"
expect "a run file is marked twsim_kind = run" 0 "^run$" "$PYTHON" -c \
    "import h5py; print(h5py.File('$out').attrs['twsim_kind'])"
# a run file from before the twsim_kind marker is still a run file
cp "$out" "$tmp/old.h5"
"$PYTHON" -c "import h5py; del h5py.File('$tmp/old.h5', 'a').attrs['twsim_kind']"
expect "info on a run file without twsim_kind" 0 "replicates: 200 of 200 complete" "$TWSIM" info "$tmp/old.h5"

# the target report: P(met) per target, --strict exit codes
tgt='targets=({ name = "stays"; metric = "teachers.total"; kind = "level"; op = ">="; value = 580.0; year = 2030; quote = "q1"; source = "s1"; }, { name = "grows"; metric = "teachers.total"; kind = "every_year"; op = ">"; value = 0.0; year = 2030; quote = "q2"; source = "s2"; })'
"$TWSIM" run "$cfg" -n 20 -q --set "$tgt" -o "$tmp/t.h5"
expect "check reports every target"  0 "stays +2030 +teachers.total >= 580 +1.00" \
    "$TWSIM" check "$tmp/t.h5"
expect "check prints the quotes"     0 '"q2" \(s2\)' "$TWSIM" check "$tmp/t.h5"
expect "check --strict: a target below confidence" 1 "grows .* off track" \
    "$TWSIM" check --strict "$tmp/t.h5"
expect "check --confidence out of range" 2 "between 0.5 and 1" \
    "$TWSIM" check --confidence 1.5 "$tmp/t.h5"
expect "check a file without targets" 0 "no targets" "$TWSIM" check "$out"

# a .partial file (a run stopped by SIGINT): info says so, check evaluates the
# targets over the replicates that are done, from the config stored in it;
# --strict does not pass it: 1 with a target below C, else 3 (not finished)
# The run is the small full-mode region, 5000 replicates (a few seconds;
# a Markov replicate takes microseconds): its partial file is 5000 x 6
# years x the metrics x 8 bytes, ~30 MB. Its total falls from 1290 to
# about 1150, so "stays" is met and "grows" is off track.
pcfg=$here/data/full_small.cfg
ptgt1='targets=({ name = "stays"; metric = "teachers.total"; kind = "level"; op = ">="; value = 1000.0; year = 2025; quote = "q1"; source = "s1"; })'
ptgt='targets=({ name = "stays"; metric = "teachers.total"; kind = "level"; op = ">="; value = 1000.0; year = 2025; quote = "q1"; source = "s1"; }, { name = "grows"; metric = "teachers.total"; kind = "every_year"; op = ">"; value = 0.0; year = 2025; quote = "q2"; source = "s2"; })'
partial() { # partial NAME TARGETS: leave $tmp/NAME.h5.partial
    "$TWSIM" run "$pcfg" -n 5000 -q --threads 1 --set "$2" -o "$tmp/$1.h5" >/dev/null 2>&1 &
    pid=$!
    i=0
    while ! [ -s "$tmp/$1.h5.partial" ] && [ $i -lt 300 ]; do sleep 0.05; i=$((i + 1)); done
    sleep 0.5
    kill -INT $pid
    wait $pid
}
partial p1 "$ptgt1"
expect "info on a .partial file says it is partial" 0 "kind: +run, PARTIAL: [0-9]+ of 5000 replicates" \
    "$TWSIM" info "$tmp/p1.h5.partial"
expect "check on a .partial file evaluates its targets" 0 "stays +2025 +teachers.total >= 1000 +1.00" \
    "$TWSIM" check "$tmp/p1.h5.partial"
expect "check on a .partial file says k of N" 0 "PARTIAL FILE: [1-9][0-9]* of 5000 replicates complete" \
    "$TWSIM" check "$tmp/p1.h5.partial"
expect "check --strict on a .partial file, targets on track: exit 3" 3 "is partial" \
    "$TWSIM" check --strict "$tmp/p1.h5.partial"
partial p2 "$ptgt"
expect "check --strict on a .partial file, a target off track: exit 1" 1 "grows .* off track" \
    "$TWSIM" check --strict "$tmp/p2.h5.partial"
expect "a target on a missing metric" 2 "no metric 'teachers.totl'" \
    "$TWSIM" run "$cfg" -n 2 -q -o "$tmp/bad.h5" --set 'targets=({ name = "x"; metric = "teachers.totl"; kind = "level"; op = ">="; value = 1.0; year = 2025; quote = "q"; source = "s"; })'
expect "h5py reads the target table" 0 "stays" "$PYTHON" -c \
    "import h5py; f = h5py.File('$tmp/t.h5'); print(list(f['targets/name'].asstr()[:]), f['targets/p_met'][:], f['targets/met'].shape)"

# info --county / --metrics / --schools and check: every printed value equals
# h5py's read of the same file (/summary, /by_county/summary, /schools)
full=$here/data/full_small.cfg
cty=$tmp/county.h5
expect "a full run with --schools"   0 "" "$TWSIM" run "$full" -n 20 --schools -q -o "$cty"
# --no-counties: the region's rows only, the same bits as with the counties
expect "run --no-counties"           0 "" "$TWSIM" run "$full" -n 20 --no-counties -q -o "$tmp/nocty.h5"
expect "--no-counties: no /by_county, /trajectories as with the counties" 0 "^same$" "$PYTHON" -c \
    "import h5py; a = h5py.File('$tmp/nocty.h5'); b = h5py.File('$cty'); print('same' if 'by_county' not in a and 'by_county' in b and a['trajectories'][()].tobytes() == b['trajectories'][()].tobytes() else 'differs')"
expect "--no-counties with a target for every county is refused" 2 "needs county results.*--no-counties" \
    "$TWSIM" run "$here/../configs/guiyang.cfg" -n 2 --no-counties -q -o "$tmp/nocty2.h5"
info_check() {   # NAME KIND ARG ARG -- twsim info arguments...
    name=$1 kind=$2 a1=$3 a2=$4; shift 5
    "$TWSIM" "$@" >"$tmp/info.out" 2>&1
    got=$?
    if [ "$got" -ne 0 ]; then
        echo "exit $got" >>"$tmp/info.out"; bad "$name" "$tmp/info.out"
    elif "$PYTHON" "$here/info_check.py" "$kind" "$cty" "$tmp/info.out" "$a1" "$a2" >"$tmp/out" 2>&1
    then ok "$name"
    else sed 's/^/     > /' "$tmp/info.out" >>"$tmp/out"; bad "$name" "$tmp/out"; fi
}
info_check "info --county: every year of the default metrics, equal to /by_county/summary" \
    table south - -- info "$cty" --county south
info_check "info --county --metrics: chosen and prefix metrics, equal to /by_county/summary" \
    table north "establishment.room.primary,teachers.bianzhi.junior,title.senior.share" -- \
    info "$cty" --county north --metrics 'establishment.room.p*,teachers.bianzhi.junior,title.senior.share'
info_check "info --metrics: the region's every year, equal to /summary" \
    table - "teachers.total,hires.locality.rural,gap.total" -- \
    info "$cty" --metrics teachers.total,hires.locality.rural,gap.total
info_check "info --schools --top 2: the schools most often short, as in /schools" \
    schools 2 - -- info "$cty" --schools --top 2
info_check "info --schools --county: that county's schools only" \
    schools 10 south -- info "$cty" --schools --county south
info_check "check lists the short schools of a --schools run" \
    schools 10 - -- check "$cty"
"$TWSIM" run "$here/data/scenarios.cfg" --all-scenarios -n 2 -q -o "$tmp/scen.h5" >/dev/null 2>&1
"$TWSIM" info "$tmp/scen.h5" --county south --metrics teachers.total >"$tmp/scen.out" 2>&1
if [ "$(grep -c '^county south: mean and 90% band' "$tmp/scen.out")" -eq 4 ] &&
   grep -q '^== scenario no_exit' "$tmp/scen.out"
then ok "info --county on an --all-scenarios file: the table of each scenario"
else bad "info --county on an --all-scenarios file: the table of each scenario" "$tmp/scen.out"; fi
expect "info without a selection still describes the run" 0 "replicates: 20 of 20 complete" \
    "$TWSIM" info "$cty"
expect "check of a run without --schools lists no schools" 0 "" sh -c \
    "! '$TWSIM' check '$out' | grep -q 'Schools most often short'"

# help and version on every command
expect "--help"                      0 "usage: twsim COMMAND" "$TWSIM" --help
expect "run --help"                  0 "usage: twsim run" "$TWSIM" run --help
expect "validate --help"             0 "usage: twsim validate" "$TWSIM" validate --help
expect "info --help"                 0 "usage: twsim info" "$TWSIM" info --help
expect "check --help"                0 "usage: twsim check" "$TWSIM" check --help
expect "check --help names the interval it prints" 0 "90% Wilson interval" \
    "$TWSIM" check --help
expect "check --help does not promise a standard error" 1 "" \
    sh -c '"$1" check --help | grep -q "standard error"' sh "$TWSIM"
# every exit status of docs/cli.md's table is in the top-level --help
"$TWSIM" --help >"$tmp/help.txt"
codes=$(sed -n '/^## Exit status/,/^Messages/p' "$here/../docs/cli.md" |
        sed -n 's/^| \([0-9][0-9, ]*\) |.*/\1/p' | tr ',' ' ')
missing=""
for c in $codes; do
    grep -Eq "^  ([0-9]+, )*$c( |,)" "$tmp/help.txt" || missing="$missing $c"
done
if [ -n "$codes" ] && [ -z "$missing" ]; then
    ok "--help lists every exit status of docs/cli.md ($(echo $codes))"
else
    echo "codes in docs/cli.md: $codes; missing from --help:$missing" >"$tmp/out"
    bad "--help lists every exit status of docs/cli.md" "$tmp/out"
fi
expect "--version"                   0 "twsim [0-9]+\\.[0-9]+\\.[0-9]+" "$TWSIM" --version
expect "validate --schema"           0 "tiers.transition" "$TWSIM" validate --schema

# make check (scripts/check.sh): every suite runs even after one fails, and a
# summary of all of them closes the run, whose status is 1
expect "make check runs the suites after a failing one" 1 "three ran" \
    sh "$here/../scripts/check.sh" "one|echo one" "two|exit 4" "three|echo three ran"
expect "make check: a summary line per suite" 1 "FAILED \\(exit 4\\) +[0-9.]+ s  two" \
    sh "$here/../scripts/check.sh" "one|echo one" "two|exit 4" "three|echo three ran"
expect "make check: the closing tally" 1 "make check: 2 of 3 suites passed, 1 failed" \
    sh "$here/../scripts/check.sh" "one|echo one" "two|exit 4" "three|echo three ran"
expect "make check: all passed, exit 0" 0 "make check: 2 of 2 suites passed, 0 failed" \
    sh "$here/../scripts/check.sh" "one|true" "two|true"

# check --format csv|json: the records against /targets read with h5py
# (county_targets.cfg: a target of each scope, one named with UTF-8, a
# comma and double quotes).
ct=$tmp/ct.h5
"$TWSIM" run "$here/data/county_targets.cfg" -n 10 -q -o "$ct" >/dev/null 2>&1
"$TWSIM" check "$ct" --format csv >"$tmp/ct.csv" 2>"$tmp/ct.err"
expect "check --format csv: one record per target and per county, as /targets has them" 0 "csv = file" "$PYTHON" -c "
import csv, h5py, math
f = h5py.File('$ct'); t = f['targets']; bc = t['by_county']
s = lambda x: x.decode() if isinstance(x, bytes) else x
counties = [s(c) for c in bc['county'][:]]
rows = list(csv.reader(open('$tmp/ct.csv', newline='', encoding='utf-8')))
head, rows = rows[0], rows[1:]
assert head == ['scenario', 'target', 'metric', 'scope', 'county', 'year', 'condition', 'p_met', 'p_lo', 'p_hi', 'mean', 'p05', 'p95', 'verdict'], head
want = []
for i, name in enumerate(t['name'][:]):
    scope = s(t['scope'][i])
    want.append((s(name), scope, s(t['county'][i]), None))
    if scope == 'each_county':
        want += [(s(name), scope, c, k) for k, c in enumerate(counties)]
assert len(rows) == len(want), (len(rows), want)
close = lambda a, b: math.isclose(float(a), float(b), rel_tol=1e-12, abs_tol=1e-12)
for r, (name, scope, county, k) in zip(rows, want):
    i = [s(n) for n in t['name'][:]].index(name)
    assert r[0] == '' and r[1] == name and r[3] == scope and r[4] == county, (r, name)
    assert r[2] == s(t['metric'][i]) and int(r[5]) == t['year'][i], r
    src = [t[c][i] if k is None else bc[c][i, k] for c in ('p_met', 'p_lo', 'p_hi', 'mean', 'p05', 'p95')]
    assert all(close(a, b) for a, b in zip(r[7:13], src)), (r, src)
    assert r[13] in ('on track', 'off track', 'uncertain'), r
assert rows[0][1] == '总数, \"all\"', rows[0][1]
print('csv = file')"
expect "check --format csv: nothing else on stdout, no schools, no title" 0 "^scenario,target," head -n 1 "$tmp/ct.csv"
expect "check --format json: valid JSON, the same records as csv" 0 "json = csv" sh -c "
'$TWSIM' check '$ct' --format json | '$PYTHON' -c \"
import csv, json, sys
j = json.load(sys.stdin)
c = list(csv.DictReader(open('$tmp/ct.csv', newline='', encoding='utf-8')))
norm = lambda v: '' if v is None else str(v)
same = len(j) == len(c) and all(float(a[k]) == float(b[k]) if k in ('p_met', 'p_lo', 'p_hi', 'mean', 'p05', 'p95', 'year') else norm(a[k]) == b[k] for a, b in zip(j, c) for k in b)
print('json = csv' if same else ('differ', j, c))\""
expect "check --format csv --strict: exit 1 when a target is below C" 1 "" \
    "$TWSIM" check "$ct" --format csv --strict --confidence 0.99
expect "check --format: the text report stays the default" 0 "^Targets of .*ct.h5" "$TWSIM" check "$ct"
"$TWSIM" run "$here/data/county_targets.cfg" --all-scenarios -n 6 -q -o "$tmp/sc.h5" >/dev/null 2>&1
expect "check --format json on a scenarios file: one table, each scenario's records" 0 "one table" sh -c \
    "'$TWSIM' check '$tmp/sc.h5' --format json | '$PYTHON' -c \"
import h5py, json, sys
r = json.load(sys.stdin); f = h5py.File('$tmp/sc.h5')
ok = isinstance(r, list) and [x['scenario'] for x in r] == ['base'] * 5 + ['more_funded'] * 5
for x in r:
    if x['county'] is None or x['scope'] == 'county':
        t = f['scenarios/' + x['scenario'] + '/targets']
        i = [n.decode() for n in t['name'][:]].index(x['target'])
        ok = ok and x['p_met'] == t['p_met'][i] and abs(x['mean'] - t['mean'][i]) <= 1e-9 * max(1, abs(x['mean']))
print('one table' if ok else r)\""
expect "check --format: an unknown format lists the valid ones" 2 "--format 'tsv': give one of text, csv, json" \
    "$TWSIM" check "$ct" --format tsv

# ---- lever paths and the command line over the timeline (docs/config.md) ----
# metric NAME FILE: the ensemble mean of a metric, year by year, from 2021
metric() {
    "$PYTHON" -c "import h5py; f = h5py.File('$2'); n = [x.decode() for x in f['/metrics/name'][:]]; print(' '.join('%g' % v for v in f['/summary/mean'][1:, n.index('$1')]))"
}
gb=$here/../configs/gangbei.cfg
gy=$here/../configs/guiyang.cfg
expect "--set an array element: run" 0 "" "$TWSIM" run "$gb" -n 4 -q --set 'tiers.capacity[3]=5' -o "$tmp/cap5.h5"
expect "--set an array element: the capacity binds every year" 0 "^ok$" "$PYTHON" -c \
    "import sys; v = [float(x) for x in sys.argv[1].split()]; print('ok' if max(v) <= 5 else v)" "$(metric promotions.tier.3 "$tmp/cap5.h5")"
expect "--set an array element: /config/by_year has the array used" 0 "tiers.capacity		\[-1, 40, -1, 5\]	\[-1, 40, -1, 5\]" \
    h5dump -d /config/by_year "$tmp/cap5.h5"
expect "--set every element of a list of groups: run" 0 "" "$TWSIM" run "$gb" -n 1 -q --set 'population.stages[*].female=0.7' -o "$tmp/fem.h5"
expect "--set every element of a list of groups: /config/by_year has a row per element" 0 "population.stages\[2\].female		0.7	0.7" \
    h5dump -d /config/by_year "$tmp/fem.h5"
expect "--set every element of a list of groups: /config/effective has the value in each" 0 "^3 3$" "$PYTHON" -c \
    "import h5py, re; e = h5py.File('$tmp/fem.h5')['/config/effective'][()].decode(); p = e[e.index('population :'):]; p = p[:p.index('} );')]; print(len(re.findall(r'female = 0.7;', p)), len(re.findall(r'female =', p)))"
expect "--set over a timeline entry: one line naming the entry" 0 \
    "^twsim: --set recruitment.policy=quota overrides the timeline entry 'action_plan' at .*guiyang.cfg:[0-9]+ \(2023\) for every year$" \
    "$TWSIM" run "$gy" -n 1 -q --set recruitment.policy=quota --set recruitment.quota=50 -o "$tmp/quota.h5"
# 50 hires a year in each of the 11 counties: at most 550 in every year
# (the 2023 entry's "fill" hires about 4,500 in 2023)
expect "--set over a timeline entry: the quota holds in every year" 0 "^ok$" "$PYTHON" -c \
    "import sys; v = [float(x) for x in sys.argv[1].split()]; print('ok' if max(v) <= 550 and min(v) > 400 else v)" "$(metric hires.total "$tmp/quota.h5")"
expect "--set over a timeline entry: /config/by_year" 0 'recruitment.policy	\*	"quota"	"quota"	"quota"	"quota"	"quota"	"quota"' \
    h5dump -d /config/by_year "$tmp/quota.h5"
expect "--set KEY@YEAR: run" 0 "overrides the timeline entry 'action_plan' at .*guiyang.cfg:[0-9]+ \(2023\) from 2023 on" \
    "$TWSIM" run "$gy" -n 1 -q --set recruitment.policy@2023=quota --set recruitment.quota=50 -o "$tmp/quota23.h5"
expect "--set KEY@YEAR: the config's own policy before YEAR, the quota from it" 0 "^ok$" "$PYTHON" -c \
    "import sys; v = [float(x) for x in sys.argv[1].split()]; print('ok' if min(v[:2]) > 1000 and max(v[2:]) <= 550 else v)" "$(metric hires.total "$tmp/quota23.h5")"
"$PYTHON" -c "import h5py; open('$tmp/eff.cfg', 'w').write(h5py.File('$tmp/quota23.h5')['/config/effective'][()].decode())"
"$TWSIM" run "$tmp/eff.cfg" -n 1 -q -o "$tmp/eff.h5" >"$tmp/eff.log" 2>&1
expect "--set KEY@YEAR: the effective config reproduces the run, with nothing left to override" 0 "^same 0$" "$PYTHON" -c \
    "import h5py, numpy; a = h5py.File('$tmp/eff.h5')['/summary/mean'][:]; b = h5py.File('$tmp/quota23.h5')['/summary/mean'][:]; print('same' if numpy.array_equal(a, b) else 'differ', open('$tmp/eff.log').read().count('overrides'))"

# ---- backcasts (docs/calibration.md) ----
# an entry after end_year is left out with a note; population.earlier
# gives the stock of an earlier base year
cp "$here/../configs/national.cfg" "$tmp/"
"$PYTHON" - "$gb" "$tmp/bc.cfg" <<'PY'
import re, sys
s = open(sys.argv[1]).read()
i = s.index("population = {")
j = s.index("stages = (", i)
k = s.index("\n};", j)
stages = s[j:k]
early = re.sub(r'(stage = "primary"; count = )\d+', r'\g<1>1000', stages)
assert early != stages
s = s[:j] + 'year = 2020;\n  earlier = ( { year = 2015; source = "test"; ' + early + ' } );\n  ' + s[j:]
open(sys.argv[2], "w").write(s)
PY
bc="--set simulation.base_year=2015 --set simulation.end_year=2020 --set targets=()"
expect "backcast: the timeline entry after end_year is left out with a note" 0 \
    "timeline entry of 2021 is after end_year \(2020\): left out" "$TWSIM" run "$tmp/bc.cfg" -n 1 -o "$tmp/bc.h5" $bc
expect "backcast: population.earlier gives the 2015 stock" 0 "^1000\.0 1794\.0$" "$PYTHON" -c \
    "import h5py; f = h5py.File('$tmp/bc.h5'); n = [x.decode() for x in f['/metrics/name'][:]]; t = f['/trajectories'][0, 0]; print(t[n.index('teachers.stage.primary')], t[n.index('teachers.total')] - t[n.index('teachers.stage.primary')])"
expect "backcast from a year without a stock of its own: the note says what stands in" 0 \
    "population describes 2020 and the run starts in 2016" "$TWSIM" validate "$tmp/bc.cfg" \
    --set simulation.base_year=2016 --set simulation.end_year=2020 --set 'targets=()'

# docs/config.md documents every key of the schema
"$TWSIM" validate --schema | awk '{print $1}' >"$tmp/keys"
undocumented=""
while read -r key; do
    doc_key=$(printf "%s" "$key" | sed "s/^recruitment\.channels\.[a-z]*/recruitment.channels.<channel>/")
    grep -qF "\`$doc_key\`" "$here/../docs/config.md" || undocumented="$undocumented $key"
done <"$tmp/keys"
if [ -z "$undocumented" ] && [ -s "$tmp/keys" ]; then ok "docs/config.md documents every key"
else echo "undocumented:$undocumented" >"$tmp/out"; bad "docs/config.md documents every key" "$tmp/out"; fi

echo "cli: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
