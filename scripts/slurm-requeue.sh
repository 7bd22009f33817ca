#!/bin/sh
# slurm-requeue.sh - a twsim run that survives Slurm's time limit: shortly
# before it, Slurm sends SIGTERM (--signal=B:TERM@120 below, to this
# batch shell); the shell passes it on to twsim, which finishes the
# replicates in progress, keeps OUT.partial and exits 143; the job then
# puts itself back in the queue (scontrol requeue), and the next start,
# with --resume, runs only the missing replicates. The final file is
# bitwise the uninterrupted run's (docs/robustness.md, docs/cluster.md).
#
#   sbatch scripts/slurm-requeue.sh CONFIG -o OUT [twsim run options]
#
# The options are twsim run's (-n, --seed, --set, --replicates
# FIRST:COUNT, ...); --resume is added. Also an array task of
# scripts/slurm-array.sh: an array task requeues itself alone
# (JOBID_TASKID).
#
# Environment: TWSIM (default: twsim on PATH), SCONTROL (default:
# scontrol). Exit status: twsim's; 0 when the job was requeued.
#
#SBATCH --job-name=twsim
#SBATCH --cpus-per-task=8
#SBATCH --time=04:00:00
#SBATCH --signal=B:TERM@120
#SBATCH --requeue
#SBATCH --open-mode=append
#SBATCH --output=twsim-%x-%j.log
set -u
TWSIM=${TWSIM:-twsim}
SCONTROL=${SCONTROL:-scontrol}
if [ $# -lt 1 ]; then
    sed -n '2,18p' "$0" >&2
    exit 2
fi

# the job to requeue: this array task, or this job
if [ -n "${SLURM_ARRAY_JOB_ID:-}" ] && [ -n "${SLURM_ARRAY_TASK_ID:-}" ]; then
    job=${SLURM_ARRAY_JOB_ID}_${SLURM_ARRAY_TASK_ID}
else
    job=${SLURM_JOB_ID:-}
fi
threads=${SLURM_CPUS_PER_TASK:-}

# twsim in the background, so that this shell can take Slurm's SIGTERM
# and pass it on (a shell runs no trap while it waits for a foreground
# command)
stopping=
trap 'stopping=1; kill -TERM "$pid" 2>/dev/null' TERM INT
if [ -n "$threads" ]; then
    "$TWSIM" run "$@" --resume --threads "$threads" &
else
    "$TWSIM" run "$@" --resume &
fi
pid=$!
# `wait` returns early when the trap runs: wait again until twsim is gone
while :; do
    wait "$pid"
    status=$?
    kill -0 "$pid" 2>/dev/null || break
done
[ -n "$stopping" ] && [ "$status" -eq 127 ] && status=143

if [ "$status" -eq 143 ] && [ -n "$stopping" ]; then
    if [ -z "$job" ]; then
        echo "slurm-requeue: stopped; not in a Slurm job: run the same" \
             "command again to finish" >&2
        exit 143
    fi
    echo "slurm-requeue: stopped before the time limit; requeueing $job" >&2
    "$SCONTROL" requeue "$job" || exit 143
    exit 0
fi
exit "$status"
