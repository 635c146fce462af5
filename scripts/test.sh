#!/usr/bin/env bash
# Full test suite: set up (incl. chromium + offline web assets), lint and format check, then
# pytest.
#
#   bash scripts/test.sh                 # everything
#   bash scripts/test.sh -m "not browser" -x   # extra arguments go to pytest
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO_ROOT"

bash scripts/setup.sh --browser

PY="$REPO_ROOT/.venv/bin/python"

# Lint first; a lint failure fails the run, but the tests still run so one CI run
# reports both.
lint_rc=0
format_rc=0
lint_dirs=()
for d in sim tests examples benchmarks; do
    if [ -d "$d" ]; then lint_dirs+=("$d"); fi
done
if [ "${#lint_dirs[@]}" -gt 0 ]; then
    echo "[test] ruff check ${lint_dirs[*]}"
    "$PY" -m ruff check "${lint_dirs[@]}" || lint_rc=$?
    echo "[test] ruff format --check ${lint_dirs[*]}"
    "$PY" -m ruff format --check "${lint_dirs[@]}" || format_rc=$?
fi

echo "[test] pytest -q $*"
rc=0
"$PY" -m pytest -q "$@" || rc=$?

if [ "$rc" -eq 5 ]; then
    echo "[test] ERROR: pytest collected no tests (exit code 5)" >&2
    rc=1
fi
if [ "$lint_rc" -ne 0 ]; then
    echo "[test] ERROR: ruff check failed (exit code $lint_rc); fix with: .venv/bin/python -m ruff check --fix ${lint_dirs[*]}" >&2
    [ "$rc" -ne 0 ] || rc=1
fi
if [ "$format_rc" -ne 0 ]; then
    echo "[test] ERROR: ruff format --check failed (exit code $format_rc); fix with: .venv/bin/python -m ruff format ${lint_dirs[*]}" >&2
    [ "$rc" -ne 0 ] || rc=1
fi
if [ "$rc" -eq 0 ]; then echo "[test] all passed"; fi
exit "$rc"
