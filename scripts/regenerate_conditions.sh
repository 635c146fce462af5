#!/usr/bin/env bash
# Regenerate "under which conditions" from real runs, in one command:
#   1. the calibration with uncertainty (python -m sim.validation.calibration): the posterior
#      docs/validation/posterior.parquet, its report in docs/VALIDATION.md and figures, and
#      Taiyuan's round replayed at its recorded size (python -m sim.validation.calibration.at_size);
#   2. every shipped experiment, including those across parameter uncertainty (which run
#      over the posterior's draws), and docs/RESULTS.md with its section "Under which
#      conditions" (scripts/regenerate_experiments.sh).
#   3. the policy screen "What sets the sign" (python -m sim screen experiments/screen.toml):
#      docs/experiments/what_sets_the_sign.md and its figures.
#
#   bash scripts/regenerate_conditions.sh
#
# Environment (passed on to both steps):
#   WORKERS=N        worker processes (default: one per core; 1 = no Dask)
#   RESULTS_DIR=DIR  where runs are kept (default: results/, git-ignored)
#   DASK_SCHEDULER_ADDRESS=tcp://host:8786   run everything on that Dask cluster
#
# Both steps resume: a second call reuses every stored run. The time on this machine and
# the expected time on a cluster are in benchmarks/README.md.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO_ROOT"

bash scripts/setup.sh

PY="$REPO_ROOT/.venv/bin/python"
RESULTS="${RESULTS_DIR:-results}"
WORKER_ARGS=()
if [ -n "${WORKERS:-}" ]; then WORKER_ARGS=(--workers "$WORKERS"); fi

start=$SECONDS
echo "[conditions] calibration"
"$PY" -m sim.validation.calibration --out docs/validation --doc docs/VALIDATION.md \
    --results "$RESULTS/calibration" "${WORKER_ARGS[@]}" > /dev/null
"$PY" -m sim.validation.calibration.at_size --target episode_taiyuan_one_shoulder --streets 52 \
    --doc docs/VALIDATION.md --results "$RESULTS/calibration-at-size" --quiet "${WORKER_ARGS[@]}" > /dev/null
echo "[conditions] calibration done in $(( (SECONDS - start) / 60 )) min"

bash scripts/regenerate_experiments.sh

echo "[conditions] policy screen"
"$PY" -m sim screen experiments/screen.toml --out "$RESULTS/screen" --quiet \
    --report docs/experiments/what_sets_the_sign \
    --doc docs/experiments/what_sets_the_sign.md --summary-doc docs/EXPERIMENTS.md "${WORKER_ARGS[@]}"
echo "[conditions] all done in $(( (SECONDS - start) / 60 )) min"
