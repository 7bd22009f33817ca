#!/bin/sh
# fault_test.sh - faults that are not the input's (docs/robustness.md):
#
#   (a) a full disk, at the start and in the middle of a run: a small
#       tmpfs when mount is permitted (we are root in CI), and a file-size
#       limit (ulimit -f, SIGXFSZ ignored) that works anywhere: exit 1, a
#       message naming the file and the cause, and no file left, neither
#       the final name nor the .partial (the run was not resumable: HDF5
#       cannot promise a consistent file after a failed write);
#   (b) a read-only output directory: exit 1 before any simulation work,
#       so a 100000-replicate run returns at once.
#
# SIGKILL at random points followed by --resume is tests/resume_test.sh.
#
# Environment: TWSIM. One line per test ("skip" when the environment
# cannot do it, e.g. mount not permitted: not counted as passed) and a
# closing "N passed, N failed, N skipped" line; exits 1 if any test failed.
set -u
TWSIM=${TWSIM:-build/twsim}
here=$(cd "$(dirname "$0")" && pwd)
cfg=$here/data/full_small.cfg
tmp=$(mktemp -d /tmp/twsim-fault-XXXXXX)
mounts=""
cleanup() {
    for m in $mounts; do umount "$m" 2>/dev/null; done
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
pass=0
fail=0
skip=0
ok()   { pass=$((pass + 1)); echo "ok   $1"; }
bad()  { fail=$((fail + 1)); echo "FAIL $1"; [ -n "${2:-}" ] && sed 's/^/     | /' "$2"; }
skip() { skip=$((skip + 1)); echo "skip $1"; }

# try_mount DIR OPTIONS: mount a tmpfs; fails quietly when not permitted
try_mount() {
    mkdir -p "$1"
    if [ "$(id -u)" = 0 ] && mount -t tmpfs -o "$2" tmpfs "$1" 2>/dev/null; then
        mounts="$mounts $1"
        return 0
    fi
    return 1
}

# failed NAME PATTERN OUT CODE: the run exited 1 (not a signal), its
# message matches PATTERN, and neither OUT nor OUT.partial exists
failed() {
    name=$1 pat=$2 out=$3 code=$4
    if [ "$code" -ne 1 ]; then
        echo "exit $code, expected 1" >>"$tmp/log"; bad "$name" "$tmp/log"
    elif ! grep -Eq -- "$pat" "$tmp/log"; then
        echo "output does not match: $pat" >>"$tmp/log"; bad "$name" "$tmp/log"
    elif [ -e "$out" ] || [ -e "$out.partial" ]; then
        ls -la "$(dirname "$out")" >>"$tmp/log"; bad "$name: no file is left" "$tmp/log"
    else
        ok "$name"
    fi
}

# ---- (a) full disk ---------------------------------------------------------------
if try_mount "$tmp/tiny" size=16k; then
    out=$tmp/tiny/x.h5
    "$TWSIM" run "$cfg" -n 50 -q -o "$out" >"$tmp/log" 2>&1
    failed "full disk at the start (16 KiB tmpfs): exit 1, ENOSPC named, no file" \
        "x.h5.partial: No space left on device" "$out" $?
else
    skip "full disk at the start: cannot mount a tmpfs here (not root, or mount not permitted)"
fi
if try_mount "$tmp/full" size=4m; then
    out=$tmp/full/x.h5
    # the partial file of 120 replicates (every row, region and counties,
    # allocated when it is created, ~3.6 MB) fits; the deflated result
    # built next to it once they are all written (~1.4 MB) does not
    "$TWSIM" run "$cfg" -n 120 -o "$out" >"$tmp/log" 2>&1
    code=$?
    failed "full disk in the middle (4 MiB tmpfs): exit 1, ENOSPC named, no file" \
        "x.h5.partial(.tmp)?: No space left on device" "$out" $code
    [ -e "$out.partial.tmp" ] && bad "full disk in the middle: no .partial.tmp left"
    if grep -Eq "^twsim: +[1-9]0% " "$tmp/log"; then ok "the disk filled after some replicates had been written"
    else bad "the disk filled after some replicates had been written" "$tmp/log"; fi
    if [ "$(ls -A "$tmp/full")" = "" ] && [ "$(df -k "$tmp/full" | awk 'NR == 2 {print $3}')" -lt 64 ]
    then ok "the space is given back"
    else df -k "$tmp/full" >"$tmp/log"; bad "the space is given back" "$tmp/log"; fi
else
    skip "full disk in the middle: cannot mount a tmpfs here (not root, or mount not permitted)"
fi
# the same through a file-size limit: write() fails with EFBIG (SIGXFSZ,
# whose default action would kill the process, is ignored, as a shell's
# ulimit user would have it); works without root
mkdir -p "$tmp/limit"
out=$tmp/limit/x.h5
(trap '' XFSZ; ulimit -f 2048 && exec "$TWSIM" run "$cfg" -n 2000 -q -o "$out") >"$tmp/log" 2>&1
failed "file-size limit (ulimit -f 1 MiB): exit 1, EFBIG named, no file" \
    "x.h5.partial: File too large" "$out" $?

# ---- (b) read-only output directory ------------------------------------------------
# timing: a 100000-replicate run of full_small takes minutes; the refusal
# must come before any of it (it takes ~10 ms; the limit allows a slow CI)
ro_check() {
    dir=$1 what=$2
    out=$dir/x.h5
    t0=$(date +%s%N)
    "$TWSIM" run "$cfg" -n 100000 -q -o "$out" >"$tmp/log" 2>&1
    code=$?
    ms=$(( ($(date +%s%N) - t0) / 1000000 ))
    failed "read-only directory ($what): exit 1, the cause named, no file" \
        "x.h5.(partial|lock)[^:]*: (Read-only file system|Permission denied)" "$out" $code
    if [ "$ms" -lt 3000 ]; then ok "read-only directory: refused before any work (${ms} ms for 100000 replicates)"
    else echo "${ms} ms" >"$tmp/log"; bad "read-only directory: refused before any work" "$tmp/log"; fi
}
if try_mount "$tmp/ro" ro,size=64k; then
    ro_check "$tmp/ro" "read-only tmpfs"
elif [ "$(id -u)" != 0 ]; then
    mkdir -p "$tmp/ro" && chmod 555 "$tmp/ro"
    ro_check "$tmp/ro" "mode 555"
else
    skip "read-only directory: cannot mount here, and root ignores mode 555"
fi

echo "fault: $pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
