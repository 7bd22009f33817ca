#!/bin/sh
# uncertainty_test.sh - uncertain settings (docs/config.md, Uncertain
# settings): the ensemble over their ranges changes nothing it should not,
# gives the same file however it is computed, and its P(met) and
# first-order shares are right where the answer is known.
#
#  - zero width: ranges of zero width at the config's own values give the
#    plain config's trajectories bitwise (full and markov mode);
#  - the values patched into the parameters (slots) equal loading every
#    point's config whole (TWSIM_UNC_WHOLE=1), bitwise;
#  - --threads 1 = --threads 2 = twsim-mpi under mpirun -np 2, bitwise;
#  - SIGINT during the central run or the ensemble, then --resume: the
#    uninterrupted file;
#  - known answer (markov): P(met) over the ranges, P(met) at the central
#    values, and the first-order shares of a setting that cannot matter
#    and of one that drives the quantity;
#  - twsim sensitivity (FILE and CONFIG), its refusals, and the run and
#    check reports' "What the verdicts rest on".
#
# Environment: TWSIM, TWSIM_MPI (skipped when not built), MPIRUN, PYTHON.
# Closing line "uncertainty: N passed, N failed". About 25 s on 2 cores.
set -u
TWSIM=${TWSIM:-build/twsim}
TWSIM_MPI=${TWSIM_MPI:-build/twsim-mpi}
PYTHON=${PYTHON:-/usr/bin/python3}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
tmp=$(mktemp -d /tmp/twsim-unc-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0
ok()  { pass=$((pass + 1)); echo "ok   $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1"; [ -n "${2:-}" ] && sed 's/^/     | /' "$2"; }
# check NAME CMD...: ok if CMD exits 0, else FAIL with its output
check() {
    name=$1; shift
    if "$@" >"$tmp/o" 2>&1; then ok "$name"; else bad "$name" "$tmp/o"; fi
}

# equal A B PATH...: the datasets PATH of the files A and B are equal,
# bitwise (shape, dtype and bytes)
equal() {
    "$PYTHON" - "$@" <<'PY'
import sys, h5py, numpy as np
a, b = h5py.File(sys.argv[1], "r"), h5py.File(sys.argv[2], "r")
for p in sys.argv[3:]:
    if p not in a or p not in b:
        print("missing:", p); sys.exit(1)
    x, y = a[p][()], b[p][()]
    if x.shape != y.shape or x.dtype != y.dtype or not np.array_equal(x, y) \
       or x.tobytes() != y.tobytes():
        print("differs:", p); sys.exit(1)
print("identical:", " ".join(sys.argv[3:]))
PY
}

# the region configs, copied with national.cfg so that an uncertainty
# group can be appended; gangbei.cfg's own group (its assumptions'
# ranges) is cut out: $tmp/gangbei.cfg is the plain config
cp "$root/configs/national.cfg" "$root/configs/markov-example.cfg" "$tmp/"
awk '/^uncertainty = \{/ { cut = 1 } !cut { print } cut && /^\};/ { cut = 0 }' \
    "$root/configs/gangbei.cfg" >"$tmp/gangbei.cfg"
if "$TWSIM" validate "$tmp/gangbei.cfg" >"$tmp/o" 2>&1 &&
   ! grep -q uncertain "$tmp/o"
then ok "gangbei.cfg without its uncertainty group is a plain config"
else bad "gangbei.cfg without its uncertainty group is a plain config" "$tmp/o"; fi
TRAJ="trajectories by_county/trajectories"

# ---- zero width: the plain config's run, bitwise ---------------------------
# gangbei.cfg's own values (asserted, so that an edit of the region shows
# here and not as a mysterious difference): tiers.prob[1] = 0.10, and every
# stage's tier shares start 0.9658, 0.0209.
check "gangbei.cfg has tiers.prob = [0.02, 0.10, 0.50]" \
    grep -q 'prob = \[ 0.02, 0.10, 0.50 \];' "$tmp/gangbei.cfg"
check "gangbei.cfg's three stages have tiers [0.9658, 0.0209, ...]" \
    test "$(grep -c 'tiers = \[ 0.9658, 0.0209, 0.0114, 0.0019 \];' "$tmp/gangbei.cfg")" -eq 3
cp "$tmp/gangbei.cfg" "$tmp/gb_zero.cfg"
cat >>"$tmp/gb_zero.cfg" <<'EOF'
uncertainty = {
  settings = (
    { key = "tiers.prob[1]"; uniform = [0.10, 0.10]; why = "zero width"; },
    { key = "population.stages[*].tiers[1]";
      triangular = [0.0209, 0.0209, 0.0209]; rest = 0; why = "zero width"; },
    { key = "tiers.prob[2]"; normal = [0.50, 0.0]; why = "zero sd"; }
  );
};
EOF
"$TWSIM" run "$tmp/gangbei.cfg" -n 50 -q -o "$tmp/gb_plain.h5" ||
    { echo "the plain gangbei run failed"; exit 1; }
if "$TWSIM" run "$tmp/gb_zero.cfg" -n 50 -q -o "$tmp/gb_zero.h5" >"$tmp/o" 2>&1 &&
   equal "$tmp/gb_plain.h5" "$tmp/gb_zero.h5" $TRAJ >>"$tmp/o" 2>&1
then ok "gangbei: zero-width ranges at its own values = the plain run, bitwise"
else bad "gangbei: zero-width ranges at its own values = the plain run, bitwise" "$tmp/o"; fi

# markov-example.cfg: tiers.transition cannot be addressed element by
# element (a lever path reaches a number array's element, not a matrix's),
# so the zero-width setting is the initial stock's teachers.tier_counts[0]
# = 300 (an integer key: the draws are rounded).
check "markov-example.cfg has tier_counts = [300, 200, 50, 30]" \
    grep -q 'tier_counts = \[ 300, 200, 50, 30 \];' "$tmp/markov-example.cfg"
cp "$tmp/markov-example.cfg" "$tmp/mk_zero.cfg"
cat >>"$tmp/mk_zero.cfg" <<'EOF'
uncertainty = {
  settings = (
    { key = "teachers.tier_counts[0]"; uniform = [300, 300]; why = "zero width"; }
  );
};
EOF
"$TWSIM" run "$tmp/markov-example.cfg" -n 50 -q -o "$tmp/mk_plain.h5" ||
    { echo "the plain markov run failed"; exit 1; }
if "$TWSIM" run "$tmp/mk_zero.cfg" -n 50 -q -o "$tmp/mk_zero.h5" >"$tmp/o" 2>&1 &&
   equal "$tmp/mk_plain.h5" "$tmp/mk_zero.h5" trajectories >>"$tmp/o" 2>&1
then ok "markov: a zero-width range at the config's value = the plain run, bitwise"
else bad "markov: a zero-width range at the config's value = the plain run, bitwise" "$tmp/o"; fi

# ---- slots vs whole loads ----------------------------------------------------
cp "$tmp/gangbei.cfg" "$tmp/gb_unc.cfg"
cat >>"$tmp/gb_unc.cfg" <<'EOF'
uncertainty = {
  design = "lhs";
  per_point = 4;
  settings = (
    { key = "tiers.prob[1]"; uniform = [0.05, 0.15]; why = "test"; },
    { key = "population.stages[*].tiers[1]";
      triangular = [0.012, 0.0209, 0.03]; rest = 0; why = "test"; },
    { key = "tiers.prob[0]"; beta = [0.02, 0.005]; why = "test"; },
    { key = "tiers.capacity[3]"; normal = [20, 5]; why = "test"; }
  );
};
EOF
U="-n 48 -q"
UNCV="uncertainty/value uncertainty/point"
"$TWSIM" run "$tmp/gb_unc.cfg" $U --threads 1 -o "$tmp/gb_unc.h5" ||
    { echo "the gangbei run with uncertain settings failed"; exit 1; }
# the settings really vary (else the comparisons below prove little)
# (tiers.capacity[3] is a whole number: its draws are rounded, so they may
# repeat)
check "gangbei: 12 points, each setting's values vary" \
    "$PYTHON" -c "
import h5py, numpy as np, sys
v = h5py.File('$tmp/gb_unc.h5', 'r')['uncertainty/value'][()]
print(v)
sys.exit(0 if v.shape == (48, 4) and
         all(len(np.unique(v[:, i])) == 12 for i in range(3)) and
         len(np.unique(v[:, 3])) > 2 and np.all(v[:, 3] == np.round(v[:, 3])) else 1)"
if TWSIM_UNC_WHOLE=1 "$TWSIM" run "$tmp/gb_unc.cfg" $U --threads 1 -o "$tmp/gb_whole.h5" >"$tmp/o" 2>&1 &&
   equal "$tmp/gb_unc.h5" "$tmp/gb_whole.h5" $TRAJ $UNCV >>"$tmp/o" 2>&1
then ok "gangbei: patched slots = every point loaded whole, bitwise"
else bad "gangbei: patched slots = every point loaded whole, bitwise" "$tmp/o"; fi
check "/uncertainty applied: patched normally, loaded whole under TWSIM_UNC_WHOLE=1" \
    "$PYTHON" -c "
import h5py, sys
a = h5py.File('$tmp/gb_unc.h5', 'r')['uncertainty'].attrs['applied']
b = h5py.File('$tmp/gb_whole.h5', 'r')['uncertainty'].attrs['applied']
a, b = [x.decode() if isinstance(x, bytes) else x for x in (a, b)]
print(a, '|', b)
sys.exit(0 if 'patched' in a and 'whole' in b else 1)"

# ---- threads and MPI ---------------------------------------------------------
if "$TWSIM" run "$tmp/gb_unc.cfg" $U --threads 2 -o "$tmp/gb_t2.h5" >"$tmp/o" 2>&1 &&
   equal "$tmp/gb_unc.h5" "$tmp/gb_t2.h5" $TRAJ $UNCV sensitivity/p_met \
       sensitivity/first_order >>"$tmp/o" 2>&1
then ok "gangbei: --threads 2 = --threads 1, bitwise"
else bad "gangbei: --threads 2 = --threads 1, bitwise" "$tmp/o"; fi
if [ -x "$TWSIM_MPI" ]; then
    export OMPI_MCA_btl=self,vader OMPI_MCA_btl_vader_single_copy_mechanism=none
    if timeout -k 10 300 ${MPIRUN:-mpirun} --allow-run-as-root --oversubscribe -np 2 \
           "$TWSIM_MPI" run "$tmp/gb_unc.cfg" $U -o "$tmp/gb_mpi.h5" >"$tmp/o" 2>&1 &&
       equal "$tmp/gb_unc.h5" "$tmp/gb_mpi.h5" $TRAJ $UNCV sensitivity/p_met \
           sensitivity/first_order >>"$tmp/o" 2>&1
    then ok "gangbei: twsim-mpi with 2 ranks = serial, bitwise"
    else bad "gangbei: twsim-mpi with 2 ranks = serial, bitwise" "$tmp/o"; fi
else
    echo "skip twsim-mpi with 2 ranks: $TWSIM_MPI is not built (make build/twsim-mpi)"
fi

# ---- SIGINT, then --resume -------------------------------------------------
# tests/data/full_small.cfg includes ../../configs/national.cfg: the copy
# keeps that layout. 3,000 cheap replicates (~2 s a phase on 2 cores).
mkdir -p "$tmp/r/a/b" "$tmp/r/configs"
cp "$root/configs/national.cfg" "$tmp/r/configs/"
fs=$tmp/r/a/b/fs_unc.cfg
cp "$here/data/full_small.cfg" "$fs"
cat >>"$fs" <<'EOF'
uncertainty = {
  settings = (
    { key = "tiers.prob[0]"; uniform = [0.10, 0.20]; why = "test"; },
    { key = "tiers.prob[1]"; triangular = [0.04, 0.08, 0.12]; why = "test"; }
  );
};
targets = (
  { name = "tier1"; metric = "teachers.tier.1"; kind = "level"; op = ">=";
    value = 600.0; year = 2025; quote = "test"; source = "test"; }
);
EOF
R="-n 3000"
"$TWSIM" run "$fs" $R -q -o "$tmp/fs_ref.h5" || { echo "the full_small reference run failed"; exit 1; }
FSCMP="trajectories by_county/trajectories replicates/done $UNCV
       sensitivity/p_met sensitivity/p_central sensitivity/first_order"
# interrupt OUT PHASE: twsim run of $fs into OUT, SIGINT once the progress
# log shows a replicate count of PHASE ("central": the central run, before
# "the ensemble" line; "ensemble": after it); echoes the exit status
interrupt() {
    "$TWSIM" run "$fs" $R -o "$1" 2>"$1.progress" >/dev/null &
    pid=$!
    i=0
    if [ "$2" = central ]; then
        sel='/the central run/,/the ensemble/p'
    else
        sel='/the ensemble/,$p'
    fi
    while ! sed -n "$sel" "$1.progress" 2>/dev/null | grep -q '%' &&
          [ $i -lt 1200 ]; do
        sleep 0.05; i=$((i + 1))
    done
    kill -s INT $pid
    wait $pid
    echo $?
}
# not -q: the progress lines (one per 10% when stderr is a file) say when
# a phase has replicates in its file
out=$tmp/fs_ens.h5
code=$(interrupt "$out" ensemble)
if [ "$code" -eq 130 ] && [ -e "$out.partial" ] && [ ! -e "$out" ] &&
   [ -e "$out.central.run" ] && ! grep -q 'during the central run' "$out.progress"
then ok "SIGINT during the ensemble: exit 130, a partial file, the central run kept"
else
    { echo "exit $code"; ls "$tmp"; cat "$out.progress"; } >"$tmp/o"
    bad "SIGINT during the ensemble: exit 130, a partial file, the central run kept" "$tmp/o"
fi
if "$TWSIM" run "$fs" $R -q -o "$out" --resume >"$tmp/o" 2>&1 &&
   [ ! -e "$out.central.run" ] && [ ! -e "$out.partial" ] &&
   equal "$tmp/fs_ref.h5" "$out" $FSCMP >>"$tmp/o" 2>&1
then ok "--resume after SIGINT in the ensemble = the uninterrupted run, bitwise"
else ls "$tmp" >>"$tmp/o"; bad "--resume after SIGINT in the ensemble = the uninterrupted run, bitwise" "$tmp/o"; fi
out=$tmp/fs_cen.h5
code=$(interrupt "$out" central)
if [ "$code" -eq 130 ] && [ ! -e "$out" ] && [ -e "$out.central.run.partial" ] &&
   grep -q 'during the central run' "$out.progress"
then ok "SIGINT during the central run: exit 130, its partial file kept"
else
    { echo "exit $code"; ls "$tmp"; cat "$out.progress"; } >"$tmp/o"
    bad "SIGINT during the central run: exit 130, its partial file kept" "$tmp/o"
fi
if "$TWSIM" run "$fs" $R -q -o "$out" --resume >"$tmp/o" 2>&1 &&
   [ ! -e "$out.central.run" ] && [ ! -e "$out.central.run.partial" ] &&
   equal "$tmp/fs_ref.h5" "$out" $FSCMP >>"$tmp/o" 2>&1
then ok "--resume after SIGINT in the central run = the uninterrupted run, bitwise"
else ls "$tmp" >>"$tmp/o"; bad "--resume after SIGINT in the central run = the uninterrupted run, bitwise" "$tmp/o"; fi

# ---- known answer (markov) ---------------------------------------------------
# One tier, recruitment none, one year: each of the n teachers stays with
# probability p = 0.99 (1 - row sum leaves), so teachers.total in 2021 is
# Binomial(n, p) and the target "total >= 100" is met with probability
# T(n) = P(Bin(n, p) >= 100). n = teachers.tier_counts[0] is uncertain,
# uniform on [80, 120] (rounded to whole teachers); recruitment.annual_quota
# is uncertain too but cannot matter (mode none hires nobody).
cat >"$tmp/ka.cfg" <<'EOF'
simulation = { mode = "markov"; base_year = 2020; end_year = 2021;
               replicates = 5000; seed = 7; };
tiers = { names = [ "T" ]; transition = ( [ 0.99 ] ); };
teachers = { tier_counts = [ 100 ]; };
recruitment = { mode = "none"; };
targets = (
  { name = "stay"; metric = "teachers.total"; kind = "level"; op = ">=";
    value = 100.0; year = 2021; quote = "known answer"; source = "test"; }
);
uncertainty = {
  per_point = 5;
  settings = (
    { key = "teachers.tier_counts[0]"; uniform = [80, 120]; why = "test"; },
    { key = "recruitment.annual_quota"; uniform = [0, 50]; why = "test"; }
  );
};
EOF
if "$TWSIM" run "$tmp/ka.cfg" -q -o "$tmp/ka.h5" >"$tmp/o" 2>&1 &&
   "$PYTHON" - "$tmp/ka.h5" >>"$tmp/o" 2>&1 <<'PY'
import math, sys
import h5py, numpy as np

f = h5py.File(sys.argv[1], "r")
p, X = 0.99, 100


def tail(n):
    """P(Binomial(n, p) >= X), exactly (math.comb; no scipy)."""
    n = int(n)
    return math.fsum(math.comb(n, k) * p**k * (1 - p)**(n - k)
                     for k in range(X, n + 1))


bad = []
n = f["uncertainty/value"][:, 0]
if not (np.all(n == np.round(n)) and n.min() >= 80 and n.max() <= 120 and
        len(np.unique(n)) == 41):
    bad.append("the drawn n are not the whole numbers 80..120: %s"
               % np.unique(n))
# Mixed P(met): given the drawn points, the replicates are independent
# Bernoulli(T(n_r)), so E[p_met] = mean T(n_r) and its standard error is
# sqrt(sum T(1 - T)) / R (the design's randomness is conditioned away).
# Within 4 standard errors: a false alarm about 6e-5 of the time
# (two-sided normal tail at 4 sd).
q = np.array([tail(v) for v in n])
want = q.mean()
se = math.sqrt(float(np.sum(q * (1 - q)))) / len(q)
got = float(f["sensitivity/p_met"][0])
print("P(met) %.4f, exact given the draws %.4f, se %.4f" % (got, want, se))
if abs(got - want) > 4 * se:
    bad.append("P(met) %.4f is not within 4 se of %.4f" % (got, want))
if got != float(f["targets/p_met"][0]):
    bad.append("/sensitivity/p_met differs from /targets/p_met")
# The central run: n = 100 (the midpoint), T(100) = 0.99^100 = 0.366;
# its own replicates (as many as the ensemble's), 4 se as above.
cr = int(f["sensitivity"].attrs["central_replicates"])
c = float(f["sensitivity/p_central"][0])
t100 = tail(100)
cse = math.sqrt(t100 * (1 - t100) / cr)
print("P(met) central %.4f, exact %.4f, se %.4f" % (c, t100, cse))
if cr != 5000 or abs(c - t100) > 4 * cse:
    bad.append("P(met) at the central values %.4f is not within 4 se of "
               "%.4f (%d replicates)" % (c, t100, cr))
# First-order shares of teachers.total in 2021. n drives it: Var(p n) =
# 0.98 Var(n) = 0.98 (41^2 - 1) / 12 = 137 against the binomial n p (1-p)
# ~ 1 within a point, so S = 0.99; > 0.9 leaves room for the estimator's
# bias and noise (bootstrap se ~ 0.001). The quota cannot matter: its
# estimate is noise around 0 with a bootstrap se of about 0.013 for 1,000
# points (sqrt(2 (bins - 1)) / points, 31 bins), so +-0.05 is ~4 se: a
# false alarm about 1e-4 of the time.
s = f["sensitivity/first_order"][0]
se_s = f["sensitivity/first_order_se"][0]
print("first-order", s, "se", se_s)
if not s[0] > 0.9:
    bad.append("first-order share of tier_counts[0] %.3f <= 0.9" % s[0])
if not abs(s[1]) <= 0.05:
    bad.append("first-order share of annual_quota %.3f is not within "
               "0.05 of 0" % s[1])
for b in bad:
    print(b)
sys.exit(1 if bad else 0)
PY
then ok "markov known answer: P(met), P(met) at the centre, first-order shares"
else bad "markov known answer: P(met), P(met) at the centre, first-order shares" "$tmp/o"; fi

# ---- twsim sensitivity ---------------------------------------------------------
if "$TWSIM" sensitivity "$tmp/ka.h5" >"$tmp/o" 2>&1 &&
   grep -q 'teachers.tier_counts\[0\]' "$tmp/o" &&
   grep -q 'recruitment.annual_quota' "$tmp/o"
then ok "twsim sensitivity FILE prints every setting"
else bad "twsim sensitivity FILE prints every setting" "$tmp/o"; fi
if "$TWSIM" sensitivity "$tmp/gb_unc.cfg" -n 50 -q -o "$tmp/sens.h5" >"$tmp/o" 2>&1 &&
   [ -e "$tmp/sens.h5" ] && [ ! -e "$tmp/sens.h5.central.run" ] &&
   grep -q 'tiers.capacity\[3\]' "$tmp/o" &&
   "$PYTHON" -c "import h5py; h5py.File('$tmp/sens.h5', 'r')['sensitivity/first_order']" >>"$tmp/o" 2>&1
then ok "twsim sensitivity CONFIG -n 50 -o F runs and writes /sensitivity"
else bad "twsim sensitivity CONFIG -n 50 -o F runs and writes /sensitivity" "$tmp/o"; fi
# expect_exit NAME STATUS CMD...
expect_exit() {
    name=$1 want=$2; shift 2
    "$@" >"$tmp/o" 2>&1
    got=$?
    if [ "$got" -eq "$want" ]; then ok "$name"
    else echo "exit $got, expected $want" >>"$tmp/o"; bad "$name" "$tmp/o"; fi
}
expect_exit "twsim sensitivity of a config without uncertainty: exit 2" 2 \
    "$TWSIM" sensitivity "$tmp/gangbei.cfg" -n 10 -q -o "$tmp/none.h5"
check "... and no file written" test ! -e "$tmp/none.h5"
expect_exit "twsim sensitivity of a run file without /sensitivity: exit 2" 2 \
    "$TWSIM" sensitivity "$tmp/gb_plain.h5"
echo "not a run" >"$tmp/not.h5"
expect_exit "twsim sensitivity of a file that is not a run: exit 2" 2 \
    "$TWSIM" sensitivity "$tmp/not.h5"
expect_exit "twsim sensitivity --help: exit 0" 0 "$TWSIM" sensitivity --help

# ---- the reports -----------------------------------------------------------------
if "$TWSIM" run "$tmp/gb_unc.cfg" -n 20 -o "$tmp/rep.h5" >"$tmp/o" 2>&1 &&
   grep -q "What the verdicts rest on" "$tmp/o"
then ok "twsim run reports what the verdicts rest on"
else bad "twsim run reports what the verdicts rest on" "$tmp/o"; fi
if "$TWSIM" check "$tmp/rep.h5" >"$tmp/o" 2>&1 &&
   grep -q "What the verdicts rest on" "$tmp/o"
then ok "twsim check FILE reports what the verdicts rest on"
else bad "twsim check FILE reports what the verdicts rest on" "$tmp/o"; fi
if "$TWSIM" run "$tmp/gangbei.cfg" -n 10 -o "$tmp/plain10.h5" >"$tmp/o" 2>&1 &&
   ! grep -q "What the verdicts rest on" "$tmp/o"
then ok "a run without uncertain settings has no such section"
else bad "a run without uncertain settings has no such section" "$tmp/o"; fi

echo "uncertainty: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
