#!/usr/bin/env bash
# Set up the environment, then run the baseline scenario.
#
#   bash scripts/run_baseline.sh [extra arguments for `python -m sim run`]
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO_ROOT"

bash scripts/setup.sh
exec "$REPO_ROOT/.venv/bin/python" -m sim run scenarios/baseline.toml "$@"
