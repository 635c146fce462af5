#!/usr/bin/env bash
# Regenerate docs/RESULTS.md from real runs: run every shipped experiment in experiments/ at
# its default size, write each report into docs/experiments/<name>/ (report.md, PNG figures at
# 110 dpi to keep the repository small, every estimate table as CSV), and assemble the doc.
# (docs/EXPERIMENTS.md is the hand-written guide that links to it.)
#
#   bash scripts/regenerate_experiments.sh                  # every experiment
#   bash scripts/regenerate_experiments.sh xa_devolution    # only these sweeps; the doc still
#                                                           # includes every experiment with results
# Environment:
#   WORKERS=N        worker processes per sweep (default: one per core; 1 = no Dask)
#   RESULTS_DIR=DIR  where sweep results are kept (default: results/, git-ignored)
#
# Sweeps resume: a second call reuses stored runs and retries failed ones. Run keys include a
# hash of the model's code, so after a calibration change every run is recomputed.
# Experiments across parameter uncertainty read the calibration's posterior
# (docs/validation/posterior.parquet): scripts/regenerate_conditions.sh runs the calibration
# first, then this script.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO_ROOT"

bash scripts/setup.sh

PY="$REPO_ROOT/.venv/bin/python"
RESULTS="${RESULTS_DIR:-results}"
WORKER_ARGS=()
if [ -n "${WORKERS:-}" ]; then WORKER_ARGS=(--workers "$WORKERS"); fi

if [ "$#" -gt 0 ]; then
    names=("$@")
else
    names=()
    for f in experiments/*.toml; do
        case "$(basename "$f")" in screen*.toml) continue ;; esac  # screens: python -m sim screen
        names+=("$(basename "$f" .toml)")
    done
fi

for name in "${names[@]}"; do
    echo "[experiments] sweep $name"
    rc=0
    "$PY" -m sim sweep "experiments/$name.toml" --out "$RESULTS/$name" --retry-failed \
        "${WORKER_ARGS[@]}" || rc=$?
    case "$rc" in
        0) ;;
        1) echo "[experiments] $name: some runs failed; the report lists them" >&2 ;;
        *) echo "[experiments] $name: sweep stopped (exit code $rc)" >&2; exit "$rc" ;;
    esac
done

done_dirs=()
for f in experiments/*.toml; do
    name="$(basename "$f" .toml)"
    if [ -f "$RESULTS/$name/sweep.json" ]; then done_dirs+=("$RESULTS/$name"); fi
done
if [ "${#done_dirs[@]}" -eq 0 ]; then
    echo "[experiments] no results to report" >&2
    exit 1
fi
echo "[experiments] report ${done_dirs[*]}"
"$PY" -m sim report "${done_dirs[@]}" --out docs/experiments --doc docs/RESULTS.md \
    --intro docs/experiments/intro.md --format png --dpi 110
