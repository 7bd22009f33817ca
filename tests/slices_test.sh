#!/bin/sh
# slices_test.sh - an ensemble in slices (twsim run --replicates
# FIRST:COUNT, one Slurm array task each) merged by twsim merge is the
# whole run, bitwise (tests/h5_same.py: every dataset and attribute but
# /provenance), and twsim export writes tables that pandas reads.
#
#  - gangbei (full mode, counties, uncertain settings: the central run's
#    slices are merged too) -n 6 as 0:2, 2:2, 4:2, merged in another
#    order; markov-example -n 7 as 0:3 and 3:4;
#  - a slice is the same with --threads 1 and 2 and under twsim-mpi
#    (mpirun -np 2; skipped when not built);
#  - every refusal exits 2 and writes nothing: an existing -o without
#    --force, -o one of the parts, overlapping or missing slices, another
#    seed, config, twsim version or format version, a part that is not a
#    twsim run, a missing central run; --replicates out of range, COUNT
#    0, malformed, with --mean-field or --schools; --resume of another
#    slice;
#  - scripts/slurm-array.sh: sh -n; its task steps in a loop over a fake
#    SLURM_ARRAY_TASK_ID and its merge step give the whole run; its
#    submit step (a fake sbatch) makes the merge depend on the array
#    (afterok); scripts/slurm-requeue.sh: SIGTERM to the job's shell
#    stops twsim (143), requeues the job (a fake scontrol) and the next
#    start finishes the run;
#  - twsim export: pd.read_hdf and pd.read_csv read every row, with the
#    values, units and labels of the run file (h5py); a slice's rows
#    keep their replicate numbers of the whole run; an existing file
#    that is not twsim's is refused (2) and left alone.
#
# Environment: TWSIM, TWSIM_MPI, MPIRUN, PYTHON. Closing line
# "slices: N passed, N failed". About 30 s on 2 cores.
set -u
TWSIM=${TWSIM:-build/twsim}
TWSIM_MPI=${TWSIM_MPI:-build/twsim-mpi}
PYTHON=${PYTHON:-/usr/bin/python3}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
tmp=$(mktemp -d /tmp/twsim-slices-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0
ok()  { pass=$((pass + 1)); echo "ok   $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1"; [ -n "${2:-}" ] && sed 's/^/     | /' "$2"; }

gb=$root/configs/gangbei.cfg
mk=$root/configs/markov-example.cfg
cd "$tmp" || exit 1

# same NAME A B: A and B are the same file but for /provenance
same() {
    if "$PYTHON" "$here/h5_same.py" "$2" "$3" >o 2>&1
    then ok "$1"; else bad "$1" o; fi
}

# refused NAME OUT CMD...: CMD exits 2 and leaves no OUT (nor its
# partial, lock or central run)
refused() {
    name=$1 out=$2; shift 2
    "$@" >o 2>&1
    code=$?
    if [ "$code" -eq 2 ] && [ ! -e "$out" ] && [ ! -e "$out.partial" ] &&
       [ ! -e "$out.lock" ] && [ ! -e "$out.central.run" ]
    then ok "$name"
    else { echo "exit $code"; ls -la; } >>o; bad "$name" o; fi
}

# ---------------------------------------------------------------- merge
"$TWSIM" run "$gb" -n 6 -q -o gb.h5 >o 2>&1 || bad "gangbei: the whole run" o
for s in 0:2 2:2 4:2; do
    "$TWSIM" run "$gb" -n 6 --replicates $s --threads 2 -q -o "gb-$s.h5" \
        >o 2>&1 || bad "gangbei: slice $s" o
done
"$TWSIM" merge gb-4:2.h5 gb-0:2.h5 gb-2:2.h5 -o gbm.h5 >o 2>&1 ||
    bad "gangbei: merge" o
same "gangbei (uncertain settings, counties): three slices merged = the whole run" gb.h5 gbm.h5
if [ ! -e gbm.h5.central.run ] && [ -e gb-0:2.h5.central.run ]
then ok "gangbei: the merged central run is removed, the slices' kept"
else bad "gangbei: the merged central run is removed, the slices' kept"; fi
if "$PYTHON" - <<'EOF' >o 2>&1
import h5py
f = h5py.File("gb-2:2.h5", "r")
a = f.attrs
assert (a["slice_first"], a["slice_count"], a["slice_of"]) == (2, 2, 6), dict(a)
assert f["trajectories"].shape[0] == 2
assert "uncertainty" not in f and "sensitivity" not in f
g = h5py.File("gbm.h5", "r")
assert "slice_of" not in g.attrs and "sensitivity" in g
EOF
then ok "a slice says which it is (slice_first, slice_count, slice_of) and holds its rows only"
else bad "a slice says which it is (slice_first, slice_count, slice_of) and holds its rows only" o; fi

"$TWSIM" run "$mk" -n 7 -q -o mk.h5 >o 2>&1 || bad "markov: the whole run" o
"$TWSIM" run "$mk" -n 7 --replicates 0:3 -q -o mk-a.h5 >o 2>&1 || bad "markov: slice 0:3" o
"$TWSIM" run "$mk" -n 7 --replicates 3:4 -q -o mk-b.h5 >o 2>&1 || bad "markov: slice 3:4" o
"$TWSIM" merge mk-b.h5 mk-a.h5 -o mkm.h5 -q >o 2>&1 || bad "markov: merge" o
same "markov: two slices merged = the whole run" mk.h5 mkm.h5

# ------------------------------------------------------ threads and MPI
"$TWSIM" run "$gb" -n 6 --replicates 2:2 --threads 1 -q -o gb-t1.h5 >o 2>&1
same "a slice: --threads 1 = --threads 2" gb-2:2.h5 gb-t1.h5
if [ -x "$TWSIM_MPI" ]; then
    MPIRUN="${MPIRUN:-mpirun} --allow-run-as-root --oversubscribe"
    export OMPI_MCA_btl=self,vader OMPI_MCA_btl_vader_single_copy_mechanism=none
    timeout -k 10 120 $MPIRUN -np 2 "$TWSIM_MPI" run "$gb" -n 6 \
        --replicates 2:2 -q -o gb-mpi.h5 >o 2>&1 || bad "twsim-mpi: a slice" o
    same "a slice: twsim-mpi -np 2 = serial" gb-2:2.h5 gb-mpi.h5
    same "a slice's central run: twsim-mpi -np 2 = serial" \
        gb-2:2.h5.central.run gb-mpi.h5.central.run
else
    echo "skip twsim-mpi (not built: make mpi)"
fi

# ------------------------------------------------------------- refusals
cp mkm.h5 keep.h5
"$TWSIM" merge mk-a.h5 mk-b.h5 -o keep.h5 >o 2>&1
if [ $? -eq 2 ] && cmp -s keep.h5 mkm.h5
then ok "merge: an existing -o without --force: exit 2, left alone"
else bad "merge: an existing -o without --force: exit 2, left alone" o; fi
if "$TWSIM" merge mk-a.h5 mk-b.h5 -o keep.h5 --force -q >o 2>&1
then ok "merge --force replaces it"; else bad "merge --force replaces it" o; fi
cp mk-a.h5 mk-a2.h5
"$TWSIM" merge mk-a2.h5 mk-b.h5 -o mk-a2.h5 --force >o 2>&1
if [ $? -eq 2 ] && cmp -s mk-a.h5 mk-a2.h5
then ok "merge: -o one of the parts: exit 2, left alone"
else bad "merge: -o one of the parts: exit 2, left alone" o; fi

"$TWSIM" run "$mk" -n 7 --replicates 2:3 -q -o mk-c.h5 >o 2>&1
"$TWSIM" run "$mk" -n 7 --replicates 5:2 -q -o mk-d.h5 >o 2>&1
"$TWSIM" run "$mk" -n 7 --replicates 3:4 --seed 5 -q -o mk-seed.h5 >o 2>&1
"$TWSIM" run "$mk" -n 7 --replicates 3:4 -q -o mk-cfg.h5 \
    --set 'teachers.tier_counts=[300, 200, 50, 31]' >o 2>&1
"$TWSIM" run "$mk" -n 8 --replicates 3:5 -q -o mk-n8.h5 >o 2>&1
"$PYTHON" - <<'EOF' >o 2>&1
import shutil, h5py, numpy as np
for name, key, val in [("mk-ver.h5", "engine_version", "0.0.1"),
                       ("mk-fmt.h5", "format_version", np.int32(99))]:
    shutil.copy("mk-b.h5", name)
    with h5py.File(name, "r+") as f:
        f.attrs[key] = val
EOF
echo "not a twsim file" >junk.h5
refused "merge: overlapping slices (0:3, 2:3)" x.h5 "$TWSIM" merge mk-a.h5 mk-c.h5 mk-b.h5 -o x.h5
refused "merge: the same part twice" x.h5 "$TWSIM" merge mk-a.h5 mk-a.h5 mk-b.h5 -o x.h5
refused "merge: a gap (0:3, 5:2)" x.h5 "$TWSIM" merge mk-a.h5 mk-d.h5 -o x.h5
refused "merge: the last replicates missing" x.h5 "$TWSIM" merge mk-a.h5 -o x.h5
refused "merge: another seed" x.h5 "$TWSIM" merge mk-a.h5 mk-seed.h5 -o x.h5
refused "merge: another config (--set)" x.h5 "$TWSIM" merge mk-a.h5 mk-cfg.h5 -o x.h5
refused "merge: another replicate count" x.h5 "$TWSIM" merge mk-a.h5 mk-n8.h5 -o x.h5
refused "merge: another twsim version" x.h5 "$TWSIM" merge mk-a.h5 mk-ver.h5 -o x.h5
refused "merge: another format version" x.h5 "$TWSIM" merge mk-a.h5 mk-fmt.h5 -o x.h5
refused "merge: a part that is not a twsim file" x.h5 "$TWSIM" merge mk-a.h5 junk.h5 -o x.h5
"$TWSIM" merge mk-a.h5 nothing.h5 -o x.h5 >o 2>&1
if [ $? -eq 1 ] && [ ! -e x.h5 ] && grep -q nothing.h5 o
then ok "merge: a part that does not exist: exit 1 (as info and check), nothing written"
else bad "merge: a part that does not exist: exit 1 (as info and check), nothing written" o; fi
refused "merge: no -o" x.h5 "$TWSIM" merge mk-a.h5 mk-b.h5
mv gb-2:2.h5.central.run held.run
refused "merge: a slice's central run missing" x.h5 "$TWSIM" merge gb-0:2.h5 gb-2:2.h5 gb-4:2.h5 -o x.h5
mv held.run gb-2:2.h5.central.run
if grep -q "gb-2:2.h5.central.run" o
then ok "merge: the message names the missing central run"
else bad "merge: the message names the missing central run" o; fi

refused "run --replicates 5:3 of 7" y.h5 "$TWSIM" run "$mk" -n 7 --replicates 5:3 -q -o y.h5
refused "run --replicates 3:0" y.h5 "$TWSIM" run "$mk" -n 7 --replicates 3:0 -q -o y.h5
refused "run --replicates 3:" y.h5 "$TWSIM" run "$mk" -n 7 --replicates 3: -q -o y.h5
refused "run --replicates :3" y.h5 "$TWSIM" run "$mk" -n 7 --replicates :3 -q -o y.h5
refused "run --replicates -1:3" y.h5 "$TWSIM" run "$mk" -n 7 --replicates -1:3 -q -o y.h5
refused "run --replicates 1:2:3" y.h5 "$TWSIM" run "$mk" -n 7 --replicates 1:2:3 -q -o y.h5
refused "run --replicates with --mean-field" y.h5 "$TWSIM" run "$mk" -n 7 --replicates 0:3 --mean-field -q -o y.h5
refused "run --replicates with --schools" y.h5 "$TWSIM" run "$gb" -n 6 --replicates 0:3 --schools -q -o y.h5
"$TWSIM" run "$mk" -n 7 --replicates 3:3 --resume -q -o mk-a.h5 >o 2>&1
if [ $? -eq 2 ] && grep -q "slice" o
then ok "run --resume of another slice's file: exit 2"
else bad "run --resume of another slice's file: exit 2" o; fi

# --------------------------------------------------------------- export
"$TWSIM" export gbm.h5 --format tidy-h5 -o gb.tidy.h5 -q >o 2>&1 || bad "export tidy-h5" o
"$TWSIM" export gbm.h5 --format csv -q >o 2>&1 || bad "export csv (default name)" o
if "$PYTHON" - <<'EOF' >o 2>&1
import h5py, numpy as np, pandas as pd
f = h5py.File("gbm.h5", "r")
traj, cty = f["trajectories"][()], f["by_county/trajectories"][()]
names = [s.decode() for s in f["metrics/name"][()]]
units = [s.decode() for s in f["metrics/unit"][()]]
labels = [s.decode() for s in f["metrics/label"][()]]
years = f["years"][()]
counties = [s.decode() for s in f["by_county/county"][()]]
R, Y, M = traj.shape
C = cty.shape[2]
t = pd.read_hdf("gb.tidy.h5")
# round_trip: pandas' default parser may miss the last bit of a double
c = pd.read_csv("gbm.csv", keep_default_na=False, na_values=["nan"],
                float_precision="round_trip")
for df, what in [(t, "read_hdf"), (c, "read_csv")]:
    assert list(df.columns) == ["replicate", "year", "metric", "county",
                                "value", "unit", "label"], what
    assert len(df) == R * Y * (1 + C) * M, (what, len(df))
    v = df["value"].to_numpy().reshape(R, Y, 1 + C, M)
    assert v[:, :, 0, :].tobytes() == traj.tobytes(), what
    assert v[:, :, 1:, :].tobytes() == cty.tobytes(), what
    first = df.iloc[:M]
    assert list(first["metric"]) == names and list(first["unit"]) == units
    assert list(first["label"]) == labels, what
    assert (df["year"].to_numpy().reshape(R, Y, -1)[:, :, 0] == years).all()
    assert (df["replicate"].to_numpy().reshape(R, -1)[:, 0] == np.arange(R)).all()
    assert set(df["county"]) == set([""] + counties), what
    row = df[(df.replicate == 3) & (df.year == years[-1]) &
             (df.metric == names[0]) & (df.county == counties[-1])]
    assert len(row) == 1 and row["value"].iloc[0] == cty[3, -1, C - 1, 0]
EOF
then ok "export: pd.read_hdf and pd.read_csv read every row, value, unit and label of the run"
else bad "export: pd.read_hdf and pd.read_csv read every row, value, unit and label of the run" o; fi
if "$TWSIM" export gbm.h5 --format tidy-h5 -o gb.tidy.h5 -q >o 2>&1 &&
   "$TWSIM" export gbm.h5 --format csv -o gbm.csv -q >>o 2>&1
then ok "export: an earlier export is replaced"; else bad "export: an earlier export is replaced" o; fi
echo "notes" >notes.txt
"$TWSIM" export gbm.h5 --format csv -o notes.txt >o 2>&1
if [ $? -eq 2 ] && [ "$(cat notes.txt)" = notes ]
then ok "export: an existing file that is not twsim's: exit 2, left alone"
else bad "export: an existing file that is not twsim's: exit 2, left alone" o; fi
refused "export: a file that is not a run" z.csv "$TWSIM" export gb.tidy.h5 --format csv -o z.csv
refused "export: --format xml" z.csv "$TWSIM" export gbm.h5 --format xml -o z.csv
"$TWSIM" export gb-2:2.h5 --format csv -o slice.csv -q >o 2>&1
if "$PYTHON" -c "
import pandas as pd, sys
c = pd.read_csv('slice.csv', keep_default_na=False)
sys.exit(sorted(set(c.replicate)) != [2, 3])" >>o 2>&1
then ok "export of a slice: its replicates numbered as in the whole run"
else bad "export of a slice: its replicates numbered as in the whole run" o; fi
for c in merge export; do
    if "$TWSIM" $c --help >o 2>&1 && grep -q "^usage: twsim $c" o
    then ok "$c --help"; else bad "$c --help" o; fi
done

# -------------------------------------------------------- Slurm scripts
for s in slurm-array slurm-requeue; do
    if sh -n "$root/scripts/$s.sh" 2>o; then ok "scripts/$s.sh: sh -n"
    else bad "scripts/$s.sh: sh -n" o; fi
done
for i in 0 1 2; do
    SLURM_ARRAY_TASK_ID=$i TWSIM=$TWSIM sh "$root/scripts/slurm-array.sh" \
        task "$gb" arr.h5 6 2 >o 2>&1 || bad "slurm-array.sh task $i" o
done
TWSIM=$TWSIM sh "$root/scripts/slurm-array.sh" merge "$gb" arr.h5 6 2 >o 2>&1 ||
    bad "slurm-array.sh merge" o
same "slurm-array.sh: the tasks of a fake array, then merge = the whole run" gb.h5 arr.h5
if [ -z "$(ls arr.h5.part-* 2>/dev/null)" ]
then ok "slurm-array.sh merge removes the parts"; else bad "slurm-array.sh merge removes the parts"; fi
cat >sbatch <<'EOF'
#!/bin/sh
n=$(($(cat sbatch.n 2>/dev/null || echo 0) + 1)); echo $n >sbatch.n
echo "$*" >>sbatch.log
echo "100$n;cluster"
EOF
chmod +x sbatch
SBATCH=$tmp/sbatch sh "$root/scripts/slurm-array.sh" submit "$gb" sub.h5 2500 1000 --seed 7 >o 2>&1
if grep -q -- "--array=0-2 .* task $gb sub.h5 2500 1000 --seed 7" sbatch.log &&
   grep -q -- "--dependency=afterok:1001 .* merge $gb sub.h5 2500 1000" sbatch.log
then ok "slurm-array.sh submit: 3 tasks, then the merge after every one (afterok)"
else cat sbatch.log >>o; bad "slurm-array.sh submit: 3 tasks, then the merge after every one (afterok)" o; fi

cat >scontrol <<'EOF'
#!/bin/sh
echo "$*" >>scontrol.log
EOF
chmod +x scontrol
fs=$here/data/full_small.cfg
SLURM_JOB_ID=42 SCONTROL=$tmp/scontrol TWSIM=$TWSIM sh "$root/scripts/slurm-requeue.sh" \
    "$fs" -n 2000 -o rq.h5 >rq.log 2>&1 &
pid=$!
i=0
while ! grep -q "replicates" rq.log 2>/dev/null && [ $i -lt 300 ]; do
    sleep 0.05; i=$((i + 1))
done
kill -TERM $pid
wait $pid
code=$?
if [ "$code" -eq 0 ] && grep -q "^requeue 42$" scontrol.log 2>/dev/null &&
   [ -e rq.h5.partial ] && [ ! -e rq.h5 ]
then ok "slurm-requeue.sh: SIGTERM stops twsim, keeps the partial file, requeues the job"
else { echo "exit $code"; ls; } >>rq.log; bad "slurm-requeue.sh: SIGTERM stops twsim, keeps the partial file, requeues the job" rq.log; fi
SLURM_JOB_ID=42 SCONTROL=$tmp/scontrol TWSIM=$TWSIM sh "$root/scripts/slurm-requeue.sh" \
    "$fs" -n 2000 -o rq.h5 -q >o 2>&1
code=$?
if [ "$code" -eq 0 ] && [ -e rq.h5 ] && [ ! -e rq.h5.partial ] &&
   [ "$(wc -l <scontrol.log)" -eq 1 ] &&
   "$PYTHON" -c "import h5py,sys; sys.exit(not h5py.File('rq.h5')['replicates/done'][()].all())"
then ok "slurm-requeue.sh: the requeued job finishes the run"
else bad "slurm-requeue.sh: the requeued job finishes the run" o; fi

echo "slices: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
