#!/bin/sh
# slurm-array.sh - an ensemble as a Slurm array job: each array task runs
# one slice of the replicates (twsim run --replicates FIRST:COUNT, with
# the random streams those replicates have in the whole run), and a last
# job, started only when every task succeeded (--dependency=afterok),
# merges the slices into the whole run's file (twsim merge): bitwise the
# file of one `twsim run` (docs/cluster.md).
#
#   scripts/slurm-array.sh submit CONFIG OUT REPLICATES PER_TASK [run options]
#       submit both jobs (sbatch); prints the two job ids
#   scripts/slurm-array.sh task CONFIG OUT REPLICATES PER_TASK [run options]
#       one array task: slice SLURM_ARRAY_TASK_ID, into OUT.part-ID.h5
#       (through scripts/slurm-requeue.sh: requeued before a time limit)
#   scripts/slurm-array.sh merge CONFIG OUT REPLICATES PER_TASK
#       merge the tasks' parts into OUT; on success remove them
#       (KEEP_PARTS=1 keeps them)
#
# The run options are twsim run's (--seed, --set, --no-counties, ...);
# give every step the same ones. Without Slurm, the steps run locally
# (what tests/slices_test.sh does):
#
#   for i in 0 1 2; do SLURM_ARRAY_TASK_ID=$i scripts/slurm-array.sh task \
#       configs/gangbei.cfg out.h5 6 2; done
#   scripts/slurm-array.sh merge configs/gangbei.cfg out.h5 6 2
#
# Environment: TWSIM (default: twsim on PATH), SBATCH (default: sbatch),
# SBATCH_ARGS (more sbatch options for both jobs, e.g. the account);
# sbatch passes the environment on to the jobs.
#
#SBATCH --job-name=twsim-slice
#SBATCH --cpus-per-task=8
#SBATCH --time=04:00:00
#SBATCH --signal=B:TERM@120
#SBATCH --requeue
#SBATCH --open-mode=append
#SBATCH --output=twsim-%x-%A_%a.log
set -u
TWSIM=${TWSIM:-twsim}
SBATCH=${SBATCH:-sbatch}
# Slurm runs a batch job from a copy of its script: the tasks find
# slurm-requeue.sh by the directory the submitting step exported
here=${TWSIM_SCRIPTS:-$(cd "$(dirname "$0")" && pwd)}
usage() { sed -n '2,30p' "$0" >&2; exit 2; }
[ $# -ge 5 ] || usage
step=$1 config=$2 out=$3 reps=$4 per=$5
shift 5
case $reps$per in *[!0-9]*) usage ;; esac
[ "$per" -gt 0 ] && [ "$reps" -gt 0 ] || usage
tasks=$(( (reps + per - 1) / per ))

part() { echo "$out.part-$1.h5"; }

case $step in
submit)
    # the array, then the merge once every task is done (afterok: a task
    # that failed leaves the merge pending, never run on a gap)
    export TWSIM_SCRIPTS="$here" TWSIM
    array=$($SBATCH --parsable ${SBATCH_ARGS:-} --array=0-$((tasks - 1)) \
        "$0" task "$config" "$out" "$reps" "$per" "$@") || exit 1
    array=${array%%;*}
    merge=$($SBATCH --parsable ${SBATCH_ARGS:-} --job-name=twsim-merge \
        --dependency=afterok:"$array" --cpus-per-task=1 \
        "$0" merge "$config" "$out" "$reps" "$per") || exit 1
    echo "array job $array ($tasks tasks of $per replicates), merge job" \
         "${merge%%;*} -> $out"
    ;;
task)
    id=${SLURM_ARRAY_TASK_ID:?"task: not an array task (SLURM_ARRAY_TASK_ID)"}
    [ "$id" -lt "$tasks" ] || { echo "task $id: only $tasks tasks" >&2; exit 2; }
    first=$((id * per))
    count=$((reps - first < per ? reps - first : per))
    TWSIM=$TWSIM exec sh "$here/slurm-requeue.sh" "$config" -n "$reps" \
        --replicates "$first:$count" -o "$(part "$id")" -q "$@"
    ;;
merge)
    set --
    i=0
    while [ $i -lt "$tasks" ]; do
        set -- "$@" "$(part $i)"
        i=$((i + 1))
    done
    "$TWSIM" merge "$@" -o "$out" || exit $?
    if [ "${KEEP_PARTS:-0}" != 1 ]; then
        for p in "$@"; do
            rm -f "$p" "$p.central.run"
        done
    fi
    ;;
*)
    usage
    ;;
esac
