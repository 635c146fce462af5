"""requirements.lock pins every package of requirements.txt (and of pyproject.toml) at a
version its range allows, each with hashes: after a dependency changes, this fails until the
lock is refreshed with `bash scripts/lock.sh`."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]
REFRESH = "refresh the lock: bash scripts/lock.sh"


def requirements(lines: list[str]) -> list[Requirement]:
    return [
        Requirement(line.split("#", 1)[0].strip())
        for line in lines
        if line.split("#", 1)[0].strip()
    ]


def locked() -> dict[str, tuple[str, list[str]]]:
    """name → (version, hashes) of every package in requirements.lock."""
    text = (ROOT / "requirements.lock").read_text(encoding="utf-8")
    out = {}
    for block in re.split(r"\n(?=[A-Za-z0-9])", text):
        match = re.match(r"([A-Za-z0-9][A-Za-z0-9._-]*)==([^ \\\n]+)", block)
        if match:
            hashes = re.findall(r"--hash=sha256:([0-9a-f]{64})", block)
            out[canonicalize_name(match.group(1))] = (match.group(2), hashes)
    return out


def test_every_requirement_is_locked_within_its_range_with_hashes():
    lock = locked()
    wanted = requirements((ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines())
    for req in wanted:
        name = canonicalize_name(req.name)
        assert name in lock, f"{req.name} is not in requirements.lock; {REFRESH}"
        version, hashes = lock[name]
        assert req.specifier.contains(version, prereleases=True), (
            f"requirements.lock has {req.name}=={version}, outside {req.specifier}; {REFRESH}"
        )
        assert hashes, f"{req.name} has no hash in requirements.lock; {REFRESH}"


def test_every_lock_entry_has_hashes_and_the_project_deps_are_in_requirements_txt():
    lock = locked()
    assert len(lock) > 50 and all(hashes for _, hashes in lock.values())
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    listed = {
        canonicalize_name(r.name)
        for r in requirements((ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines())
    }
    for dep in [*project["dependencies"], *project["optional-dependencies"]["test"]]:
        assert canonicalize_name(Requirement(dep).name) in listed, (
            f"{dep} is in pyproject.toml but not requirements.txt (keep both)"
        )
