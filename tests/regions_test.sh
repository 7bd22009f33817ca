#!/bin/sh
# regions_test.sh - the five region configs: each validates, a short
# ensemble runs, and its target report names every target that TARGETS.md
# lists for the region (by a fragment of the document's quote; for a
# target set per county, also its line and a county's row of the table).
#
# Environment: TWSIM (the binary). Prints one line per test and a closing
# "N passed, N failed" line; exits 1 if any test failed.
set -u
TWSIM=${TWSIM:-build/twsim}
here=$(cd "$(dirname "$0")" && pwd)
configs=$here/../configs
tmp=$(mktemp -d /tmp/twsim-regions-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0
ok()  { pass=$((pass + 1)); echo "ok   $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1"; [ -n "${2:-}" ] && sed 's/^/     | /' "$2"; }

# region  replicates  quote fragments of its TARGETS.md targets (| separated)
while IFS='	' read -r region reps fragments; do
    cfg=$configs/$region.cfg
    if "$TWSIM" validate "$cfg" >"$tmp/out" 2>&1; then ok "$region: validates"
    else bad "$region: validates" "$tmp/out"; continue; fi
    if "$TWSIM" run "$cfg" -n "$reps" -o "$tmp/$region.h5" >"$tmp/report" 2>&1
    then ok "$region: $reps-replicate ensemble runs"
    else bad "$region: $reps-replicate ensemble runs" "$tmp/report"; continue; fi
    missing=""
    IFS='|'
    for f in $fragments; do
        grep -qF -- "$f" "$tmp/report" || missing="$missing [$f]"
    done
    unset IFS
    if [ -z "$missing" ]; then ok "$region: the report has every TARGETS.md target"
    else echo "missing:$missing" >>"$tmp/report"; bad "$region: the report has every TARGETS.md target" "$tmp/report"; fi
    if "$TWSIM" check --strict "$tmp/$region.h5" >/dev/null 2>&1; then code=0; else code=$?; fi
    if [ "$code" -le 1 ]; then ok "$region: check --strict gives a verdict, not an error (exit $code)"
    else bad "$region: check --strict gives a verdict, not an error (exit $code)"; fi
done <<'EOF2'
nanan	3	国家级名师10名|市级名师60名|区级骨干教师1500名|75%|增加专任教师总量
neijiang	3	幼儿园专任教师专科及以上学历|小学教师专科及以上学历|初中教师本科及以上学历|高中阶段教师研究生学历|双师型|补充教师4000名以上|教师结构性缺编仍较严重
guiyang	3	提升副高级教师职称占比|提升中级职称教师占比|降低未评职称教师占比|以县为单位实现公办中小学教职工编制全面达标|staffing_standard_senior [each county]|        南明区  
gangbei	3	名師100名|骨干教師200名
chengdu	1	(national)
EOF2

echo "regions: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
