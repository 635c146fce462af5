#!/usr/bin/env bash
# Refresh requirements.lock: the exact versions, with their hashes, of everything in
# requirements.txt, resolved from PyPI for CPython 3.12 on Linux x86_64 (what
# scripts/setup.sh installs by default). Run it after changing requirements.txt:
#
#   bash scripts/lock.sh                 # newest versions within requirements.txt's ranges
#   bash scripts/lock.sh --upgrade-package numba   # extra arguments go to `uv pip compile`
#
# It keeps the versions already locked where requirements.txt still allows them (uv reads the
# existing lock), so adding one dependency changes only what that dependency needs.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO_ROOT"

UV="$REPO_ROOT/.venv/bin/uv"
if [ ! -x "$UV" ]; then
    bash scripts/setup.sh --unlocked >/dev/null   # a .venv with uv (a pinned dev requirement)
fi

"$UV" pip compile requirements.txt \
    --output-file requirements.lock \
    --generate-hashes \
    --python-version 3.12 \
    --python-platform x86_64-manylinux_2_28 \
    --index-url https://pypi.org/simple \
    --no-header \
    --quiet \
    "$@"
{
    echo "# The exact environment scripts/setup.sh installs: every package of requirements.txt and"
    echo "# what it needs, pinned with its hashes, for CPython 3.12 on Linux x86_64, from PyPI."
    echo "# Do not edit: refresh with \`bash scripts/lock.sh\` after changing requirements.txt."
    cat requirements.lock
} > requirements.lock.tmp
mv requirements.lock.tmp requirements.lock
echo "[lock] requirements.lock: $(grep -c '^[A-Za-z0-9]' requirements.lock) packages, sha256 $(sha256sum requirements.lock | cut -c1-16)"
