#!/bin/sh
# memory_test.sh - a run's memory does not grow with its replicate count
# (docs/hdf5.md, "Memory"): the trajectories stream to the file through a
# ring of row buffers, and the summaries and targets are computed at the
# end from the file, read back in blocks of at most 32 MiB; a --resume
# reads only the done flags of the partial file.
#
# Peak RSS (the kernel's maxrss of the finished process) of
# tests/data/full_small.cfg on 2 threads at N1 = 6000 and N2 = 12000
# replicates, fresh, and at N2 stopped with SIGINT after 1 s and
# completed with --resume; each must exceed the N1 peak by less than
# BOUND = 4 MB.
#
# Why these numbers. A replicate's trajectory is 6 years x 135 metrics x
# 8 bytes = 6.5 KB, so holding them (as twsim did before) grows the peak
# by 6000 x 6.5 KB = 39 MB from N1 to N2 (measured: 41 MB; the resume,
# which read the rows twice, peaked 107 MB above N1), ten times the
# bound. Streaming, what may still differ between N1 and N2:
#   - the read-back block: both runs are past 5,200 replicates, where a
#     block reaches its 32 MiB limit, so both blocks lie within one
#     metric column (N2 x 6 x 8 bytes = 0.6 MB) of 32 MiB;
#   - bookkeeping of ~10 bytes a replicate (done flags, one column of
#     scratch for the quantiles): 0.1 MB;
#   - HDF5's chunk index, held in a metadata cache capped at 256 KiB on
#     disk (~1.5 MB in memory), which both runs fill;
#   - allocator and page noise: the same run's peak varies by ~0.3 MB
#     (measured).
# That is under 2.5 MB in the worst case (measured: 0.3 MB fresh, 1.1 MB
# resumed), so noise cannot reach the bound, and the old growth (39 MB)
# cannot pass under it. N2 = 2 x N1 keeps the test at ~20 s; a smaller
# N1 would put the block below its limit and measure the block, not the
# streaming.
#
# Environment: TWSIM, PYTHON. Closing line "memory: N passed, N failed".
set -u
TWSIM=${TWSIM:-build/twsim}
PYTHON=${PYTHON:-/usr/bin/python3}
here=$(cd "$(dirname "$0")" && pwd)
cfg=$here/data/full_small.cfg
tmp=$(mktemp -d /tmp/twsim-memory-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0
ok()  { pass=$((pass + 1)); echo "ok   $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1"; [ -n "${2:-}" ] && sed 's/^/     | /' "$2"; }
N1=6000
N2=12000
BOUND=4096   # KB

# peak N OUT [STOP_AFTER_S] [--resume]: run twsim, print "EXIT PEAK_KB"
# (wait4's ru_maxrss of that process alone)
peak() {
    "$PYTHON" - "$TWSIM" "$cfg" "$@" <<'PY'
import os, signal, subprocess, sys, time
twsim, cfg, n, out = sys.argv[1:5]
stop = float(sys.argv[5]) if len(sys.argv) > 5 and sys.argv[5] != "-" else 0
extra = sys.argv[6:]
p = subprocess.Popen([twsim, "run", cfg, "-n", n, "-q", "--threads", "2",
                      "-o", out] + extra, stdout=subprocess.DEVNULL)
if stop:
    time.sleep(stop)
    p.send_signal(signal.SIGINT)
_, status, ru = os.wait4(p.pid, 0)
p.returncode = os.waitstatus_to_exitcode(status)
print(p.returncode, ru.ru_maxrss)
PY
}

# run_peak ARGS: like peak, into $code and $rss (-1 and 0 if it failed)
run_peak() {
    r=$(peak "$@" 2>>"$tmp/py")
    set -- $r
    code=${1:--1}
    rss=${2:-0}
}

run_peak $N1 "$tmp/a.h5"
code1=$code rss1=$rss
run_peak $N2 "$tmp/b.h5"
code2=$code rss2=$rss
echo "exit $code1, $code2; peak $rss1 KB at $N1, $rss2 KB at $N2" >"$tmp/o"
if [ "$code1" -eq 0 ] && [ "$code2" -eq 0 ] &&
   [ $((rss2 - rss1)) -lt $BOUND ]
then ok "fresh runs: peak RSS $rss1 KB at $N1 replicates, $rss2 KB at $N2 (grows $((rss2 - rss1)) KB, bound $BOUND)"
else bad "fresh runs: peak RSS grows by less than $BOUND KB from $N1 to $N2 replicates" "$tmp/o"; fi

# stopped, then resumed: the resume reads the done flags, not the rows
run_peak $N2 "$tmp/c.h5" 1
code3=$code rss3=$rss
run_peak $N2 "$tmp/c.h5" - --resume
code4=$code rss4=$rss
echo "exit $code3 (SIGINT), $code4 (--resume); peak $rss3 KB, $rss4 KB" >"$tmp/o"
if [ "$code3" -eq 130 ] && [ "$code4" -eq 0 ] && [ -e "$tmp/c.h5" ] &&
   [ $((rss4 - rss1)) -lt $BOUND ] && [ $((rss3 - rss1)) -lt $BOUND ]
then ok "stopped and resumed at $N2: peak RSS $rss3 KB, then $rss4 KB (bound $rss1 + $BOUND)"
else bad "stopped and resumed at $N2: peak RSS below $rss1 + $BOUND KB" "$tmp/o"; fi

echo "memory: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
