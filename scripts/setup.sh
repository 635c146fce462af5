#!/usr/bin/env bash
# Set up the project's environment (idempotent; a re-run only checks and skips).
#
#   bash scripts/setup.sh             # .venv with Python >= 3.12: the exact versions and hashes of
#                                     # requirements.lock, and the package `sim` (editable)
#   bash scripts/setup.sh --browser   # ... plus Debian chromium and the offline Solara web assets
#   bash scripts/setup.sh --unlocked  # requirements.txt's ranges instead of the lock
#
# The lock is for CPython 3.12 on Linux x86_64; elsewhere the ranges are installed (with a
# note). Refresh the lock after changing requirements.txt: bash scripts/lock.sh
#
# Environment:
#   PYTHON=/path/to/python3.12   use this interpreter to create .venv (must be >= 3.12)
#   FORCE_REINSTALL=1            reinstall the requirements even if they did not change
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO_ROOT"

VENV="$REPO_ROOT/.venv"
VPY="$VENV/bin/python"
STAMP="$VENV/.requirements.sha256"
MIN_MINOR=12   # Python 3.12 is the oldest version Mesa 3.5 supports

WITH_BROWSER=0
LOCKED=1
for arg in "$@"; do
    case "$arg" in
        --browser) WITH_BROWSER=1 ;;
        --unlocked) LOCKED=0 ;;
        -h|--help)
            awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "${BASH_SOURCE[0]}"
            exit 0
            ;;
        *)
            echo "setup.sh: unknown argument: $arg (use --browser, --unlocked or --help)" >&2
            exit 2
            ;;
    esac
done

log() { printf '[setup] %s\n' "$*"; }
die() { printf '[setup] ERROR: %s\n' "$*" >&2; exit 1; }

# True if "$1" runs and is a CPython >= 3.MIN_MINOR with a working venv module.
python_ok() {
    local py="$1"
    [ -n "$py" ] || return 1
    "$py" -c "import sys, venv; sys.exit(0 if sys.version_info >= (3, $MIN_MINOR) else 1)" \
        >/dev/null 2>&1
}

# Print the path of a usable interpreter, or nothing.
find_python() {
    local cand minor root dir
    # 1. explicit choice
    if [ -n "${PYTHON:-}" ]; then
        if python_ok "$PYTHON"; then command -v "$PYTHON" || echo "$PYTHON"; return 0; fi
        echo "[setup] PYTHON=$PYTHON is not a working Python >= 3.$MIN_MINOR; looking further" >&2
    fi
    # 2. versioned interpreters on PATH (pyenv shims may refuse to run: python_ok checks that)
    for minor in 12 13 14 15; do
        cand="$(command -v "python3.$minor" 2>/dev/null || true)"
        if python_ok "$cand"; then echo "$cand"; return 0; fi
    done
    # 3. pyenv-installed versions, called by their full path (no shim involved)
    root="${PYENV_ROOT:-}"
    if [ -z "$root" ] && command -v pyenv >/dev/null 2>&1; then
        root="$(pyenv root 2>/dev/null || true)"
    fi
    [ -n "$root" ] || root="$HOME/.pyenv"
    if [ -d "$root/versions" ]; then
        for minor in 12 13 14 15; do
            # newest patch release of this minor version first; plain CPython builds only
            while IFS= read -r dir; do
                [ -n "$dir" ] || continue
                cand="$root/versions/$dir/bin/python3"
                if python_ok "$cand"; then echo "$cand"; return 0; fi
            done < <(cd "$root/versions" && printf '%s\n' 3."$minor".* \
                        | grep -E "^3\.$minor\.[0-9]+$" | sort -rV)
        done
    fi
    # 4. plain python3, if recent enough
    cand="$(command -v python3 2>/dev/null || true)"
    if python_ok "$cand"; then echo "$cand"; return 0; fi
    return 1
}

# --------------------------------------------------------------- 1. venv
if [ -x "$VPY" ] && ! python_ok "$VPY"; then
    log "existing .venv does not run Python >= 3.$MIN_MINOR ($("$VPY" -V 2>&1 || echo broken)); recreating it"
    rm -rf "$VENV"
fi

if [ ! -x "$VPY" ]; then
    PY="$(find_python)" || die "no Python >= 3.$MIN_MINOR found.
  Looked at: \$PYTHON, python3.12..python3.15 on PATH, pyenv versions under
  \${PYENV_ROOT:-~/.pyenv}/versions, and python3.
  Install one (e.g. 'pyenv install 3.12', or your distribution's python3.12 + venv packages)
  or point PYTHON=/path/to/python3.12 at it, then re-run this script."
    log "creating .venv with $PY ($("$PY" -V 2>&1))"
    "$PY" -m venv "$VENV"
    "$VPY" -m pip install --quiet --disable-pip-version-check --upgrade pip
    rm -f "$STAMP"
else
    log ".venv exists ($("$VPY" -V 2>&1))"
fi

# ------------------------------------------------- 2. requirements + sim
LOCK_STAMP="$VENV/.lock.sha256"   # the lock this environment was installed from (run.json reads it)
if [ "$LOCKED" = "1" ] && ! "$VPY" -c "import platform, sys; sys.exit(not (sys.version_info[:2] == (3, 12) and sys.platform == 'linux' and platform.machine() == 'x86_64'))"; then
    log "note: requirements.lock is for CPython 3.12 on Linux x86_64, not $("$VPY" -V 2>&1) on $(uname -m); installing requirements.txt's ranges"
    LOCKED=0
fi
MODE=$([ "$LOCKED" = "1" ] && echo locked || echo unlocked)
# The stamp covers everything that decides what gets installed.
want_stamp="$(cat requirements.txt requirements.lock pyproject.toml | sha256sum | cut -d' ' -f1) $MODE $("$VPY" -V 2>&1)"
have_stamp="$(cat "$STAMP" 2>/dev/null || true)"

# -P: do not put the current directory on sys.path, so this checks the installed package
if [ "${FORCE_REINSTALL:-0}" != "1" ] && [ "$want_stamp" = "$have_stamp" ] \
    && (cd / && "$VPY" -P -c "import importlib.util as u, sys; sys.exit(not u.find_spec('sim'))" \
        >/dev/null 2>&1); then
    log "requirements unchanged since last install (stamp $STAMP): skipping pip"
else
    [ -f sim/__init__.py ] \
        || log "WARNING: sim/__init__.py is missing: the package 'sim' will not be importable"
    start=$SECONDS
    PIP_FLAGS=(--disable-pip-version-check)
    if [ -n "${CI:-}" ] || [ ! -t 1 ]; then PIP_FLAGS+=(--progress-bar off); fi
    if [ "$MODE" = "locked" ]; then
        log "installing requirements.lock (exact versions, hashes checked) and the package 'sim' (editable) into .venv ..."
        "$VPY" -m pip install "${PIP_FLAGS[@]}" --require-hashes --no-deps -r requirements.lock
        "$VPY" -m pip install "${PIP_FLAGS[@]}" --no-deps --no-build-isolation -e .
        # exactly the lock: remove what an earlier install left that the lock does not hold
        extra="$("$VPY" - <<'PY'
import re
from importlib.metadata import distributions
norm = lambda name: re.sub(r"[-_.]+", "-", name).lower()
locked = {norm(line.split("==")[0]) for line in open("requirements.lock") if re.match(r"[A-Za-z0-9]", line)}
keep = locked | {"pip", "community-governance-sim"}
print(" ".join(sorted({d.metadata["Name"] for d in distributions() if norm(d.metadata["Name"]) not in keep})))
PY
)"
        if [ -n "$extra" ]; then
            log "removing packages the lock does not hold: $extra"
            # shellcheck disable=SC2086
            "$VPY" -m pip uninstall -y --disable-pip-version-check $extra >/dev/null
        fi
        sha256sum requirements.lock | cut -d' ' -f1 > "$LOCK_STAMP"
    else
        log "installing requirements.txt (ranges, not the lock) and the package 'sim' (editable) into .venv ..."
        "$VPY" -m pip install "${PIP_FLAGS[@]}" -r requirements.txt -e .
        rm -f "$LOCK_STAMP"
    fi
    "$VPY" -m pip check || log "WARNING: 'pip check' reports dependency conflicts (see above)"
    echo "$want_stamp" > "$STAMP"
    log "pip install done in $((SECONDS - start)) s"
fi

# -------------------------------------------------------- 3. browser
if [ "$WITH_BROWSER" = "1" ]; then
    # Debian packages the browser tests need: chromium, and a CJK font so the Chinese
    # interface renders (without one, Chinese labels show as empty boxes).
    missing=()
    if [ -x /usr/bin/chromium ]; then
        log "chromium present: $(/usr/bin/chromium --version 2>/dev/null || echo /usr/bin/chromium)"
    else
        missing+=(chromium)
    fi
    if command -v fc-list >/dev/null 2>&1 && [ -n "$(fc-list :lang=zh 2>/dev/null)" ]; then
        log "a Chinese font is present"
    else
        missing+=(fonts-wqy-microhei)
    fi
    if [ "${#missing[@]}" -gt 0 ]; then
        if [ "$(id -u)" = "0" ]; then
            SUDO=()
        elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
            SUDO=(sudo -n)
        else
            die "missing Debian packages: ${missing[*]}; this user can neither run apt-get (not root)
  nor sudo without a password. Install them by hand, then re-run:
    sudo apt-get update && sudo apt-get install -y --no-install-recommends ${missing[*]}"
        fi
        command -v apt-get >/dev/null 2>&1 \
            || die "missing Debian packages: ${missing[*]}; apt-get is not available to install them"
        log "installing Debian packages: ${missing[*]} (apt-get) ..."
        start=$SECONDS
        export DEBIAN_FRONTEND=noninteractive
        "${SUDO[@]}" apt-get update -qq
        "${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
        [ -x /usr/bin/chromium ] || die "apt-get finished but /usr/bin/chromium is still missing"
        log "installed in $((SECONDS - start)) s: $(/usr/bin/chromium --version 2>/dev/null || true)"
    fi
    bash "$REPO_ROOT/scripts/install_web_assets.sh"
fi

log "done. Interpreter: $VPY"
