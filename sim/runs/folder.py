"""The run store: one run's outputs in one folder, written atomically, read back as tables.

A run folder holds

    series.parquet        district outcomes, one row per month (`step` + sim.core.metrics.OUTCOMES)
    communities.parquet   per-community outcomes, one row per (recorded month, community)
    streets.parquet       per-street outcomes: tasks received and refused, summons, ratings,
                          cadre changes and promotions (one row per recorded month and street)
    departments.parquet   per-department outcomes: tasks pushed, duties refused, response
                          time, rating (one row per recorded month and department)
    compounds.parquet     per-compound outcomes with each compound's type and attributes,
                          one row per (recorded month, compound)
    by_type.parquet       key outcomes by compound type and by community type, means of
                          the last months (sim.runs.by_type)
    series.csv, communities.csv, compounds.csv, by_type.csv   the same tables as CSV (optional)
    world/                the district's tables, completed, when the world was read from
                          files (params.toml's [world] points here)
    summary.json          `final_<outcome>` and `mean_<outcome>` (mean of the last months)
    params.toml           every resolved parameter, with seed and steps, the policy timeline
                          and the world's tables: a scenario file that reproduces the run
                          (`python -m sim run <folder>/params.toml`)
    figures/*.png         figures of the run (sim.runs.figures): overview.png, or every
                          figure with `figures="all"`
    run.json              provenance: scenario, files, overrides, seed, steps, versions,
                          the hash of requirements.lock and whether the environment was
                          installed from it, platform, times, world sizes, and a checksum
                          of every file above

Every file is written under a temporary hidden name and renamed into place, so a reader never
sees a half-written file under its final name. `run.json` is written last: a folder without it
is incomplete (the run was interrupted or is still being written) and `read_run` refuses it.

    from sim.runs.folder import write_run, read_run
    folder = write_run("runs/x", result, scenario, csv=True)
    tables = read_run(folder)           # {"run", "summary", "params", "series", ...}
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import platform
import secrets
import tomllib
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..core.policy import parse_timeline
from ..core.scenario import RUN_KEYS, Scenario, timeline_toml, to_toml
from .by_type import by_type
from .district_files import write_district
from .files import (
    atomic_path,
    atomic_write_bytes,
    atomic_write_csv,
    atomic_write_json,
    atomic_write_parquet,
    atomic_write_text,
    remove_stale_partials,
)
from .runner import SUMMARY_WINDOW, RunResult

__all__ = [
    "RunFolderError",
    "RUN_FILE",
    "atomic_path",
    "atomic_write_bytes",
    "atomic_write_text",
    "atomic_write_json",
    "atomic_write_parquet",
    "check_out_dir",
    "prepare_dir",
    "remove_if_empty",
    "shown",
    "default_run_dir",
    "unused_dir",
    "write_run",
    "read_run",
]

RUN_FILE = "run.json"
"""Written last; its presence marks a complete run folder."""
WORLD_DIR = "world"
"""Sub-folder holding the district's tables of a run whose world was read from files."""


class RunFolderError(ValueError):
    """A run folder that cannot be used: not empty when writing, incomplete when reading."""


# --- the run folder --------------------------------------------------------------------------


def default_run_dir(
    scenario: str, seed: int, root: str | Path = "runs", when: datetime | None = None
) -> Path:
    """`<root>/<scenario>-seed<seed>-<YYYYmmdd-HHMMSS>`; `-2`, `-3`, ... appended if taken."""
    when = when or datetime.now()
    return unused_dir(Path(root) / f"{scenario}-seed{seed}-{when:%Y%m%d-%H%M%S}")


def unused_dir(base: str | Path) -> Path:
    """`base` if it is absent or an empty folder, else the first free `base-2`, `base-3`..."""
    base = Path(base)
    candidate, n = base, 1
    while candidate.exists() and not _is_empty_dir(candidate):
        n += 1
        candidate = base.with_name(f"{base.name}-{n}")
    return candidate


def _is_empty_dir(path: Path) -> bool:
    return path.is_dir() and not any(path.iterdir())


def check_out_dir(path: str | Path, flag: str = "") -> Path:
    """Raise RunFolderError unless `path` is absent or an empty folder (results are never
    overwritten); temporary files of killed writers are removed first. `flag` (such as
    `--out`) opens the message."""
    path = Path(path)
    where = f"{flag} {shown(path)}" if flag else shown(path)
    other = f"another {flag}" if flag else "another folder"
    try:
        exists, is_dir = path.exists(), path.is_dir()
    except OSError as err:  # a name too long for the file system, a loop of links, ...
        raise RunFolderError(f"{where}: cannot use this path ({_reason(err)})") from None
    if exists and not is_dir:
        raise RunFolderError(f"{where}: exists and is a file; give a new folder")
    remove_stale_partials(path)  # what a killed writer left is not a result
    if exists and not _is_empty_dir(path):
        if not (path / RUN_FILE).exists() and any((path / n).exists() for n in RUN_TABLES):
            raise RunFolderError(
                f"{where}: holds an incomplete run (its tables but no {RUN_FILE}: it was "
                f"stopped while being written); delete the folder and run again, or choose "
                f"{other}"
            )
        raise RunFolderError(
            f"{where}: folder exists and is not empty; results are never overwritten "
            f"(choose {other}, or remove the folder yourself)"
        )
    return path


RUN_TABLES = ("series.parquet", "communities.parquet", "compounds.parquet", "summary.json")
"""Files of a run folder written before run.json (a folder with some but no run.json is an
incomplete run)."""


def prepare_dir(path: str | Path, flag: str = "--out", keep: bool = True) -> bool:
    """Make sure files can be written into folder `path` before any time is spent on what
    goes there: create it (and its parents) if absent and write a probe file in it. Return
    whether the folder was created here (so that a command that stops can remove it again);
    `keep=False` removes again whatever was created for the check. Raises RunFolderError
    naming `flag`, the path and why not (a file in the way, a folder that is read-only or
    not allowed, a name too long, ...)."""
    path = Path(path)
    blocking = _file_in_the_way(path)
    if blocking == path:
        raise RunFolderError(f"{flag} {shown(path)}: exists and is a file, not a folder")
    if blocking is not None:
        raise RunFolderError(
            f"{flag} {shown(path)}: cannot create the folder ({shown(blocking)} is a file)"
        )
    missing = [p for p in (path, *path.parents) if not _is_dir(p)]
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        _remove_empty(missing)
        raise RunFolderError(
            f"{flag} {shown(path)}: cannot create the folder ({_reason(err)})"
        ) from None
    probe = path / f".write-check.{os.getpid()}-{secrets.token_hex(4)}.partial"
    try:
        os.close(os.open(probe, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
        probe.unlink()
    except OSError as err:
        _remove_empty(missing)
        raise RunFolderError(
            f"{flag} {shown(path)}: cannot write in this folder ({_reason(err)})"
        ) from None
    if not keep:
        _remove_empty(missing)
    return bool(missing)


def _remove_empty(folders: list[Path]) -> None:
    """Remove `folders` (deepest first) where they are empty."""
    for folder in folders:
        remove_if_empty(folder)


def _is_dir(path: Path) -> bool:
    try:
        return path.is_dir()
    except OSError:
        return False


def remove_if_empty(path: str | Path) -> None:
    """Remove folder `path` if it is empty (what `prepare_dir` created for a command that
    then stopped); never raises."""
    with contextlib.suppress(OSError):
        Path(path).rmdir()


def _file_in_the_way(path: Path) -> Path | None:
    """`path` or the first of its parents that exists as something other than a folder."""
    for p in [*reversed(path.parents), path]:
        try:
            if p.exists() and not p.is_dir():
                return p
        except OSError:
            return None
    return None


def _reason(err: OSError) -> str:
    return err.strerror or type(err).__name__


def shown(path: str | Path, width: int = 120) -> str:
    """A path for a one-line message: shortened in the middle if very long."""
    text = str(path)
    return text if len(text) <= width else f"{text[: width - 31]}…{text[-30:]}"


def write_run(
    out_dir: str | Path,
    result: RunResult,
    scenario: Scenario,
    csv: bool = False,
    *,
    figures: bool | str = True,
    started: datetime | None = None,
    info: dict[str, Any] | None = None,
    window: int = SUMMARY_WINDOW,
) -> Path:
    """Write one run into `out_dir` (created; must be absent or empty) and return it.

    `figures`: "overview" (or True, the default), "all" or "none" (or False).
    `scenario` gives the run's provenance (name, description, files, overrides);
    `result.seed` and `result.steps` are the concrete values used. `info` adds keys to
    run.json (e.g. the command line); `started` defaults to now minus the run's elapsed time.
    Figures that fail to draw are reported in run.json (`figures_error`), never at the cost
    of the tables.
    """
    out = check_out_dir(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []

    types = by_type(result.compounds, result.communities, window)
    tables = {
        "series": result.series,
        "communities": result.communities,
        "compounds": result.compounds,
        "streets": result.streets,
        "departments": result.departments,
        "by_type": types if len(types) else None,
    }
    for name, table in tables.items():
        if table is not None:
            written.append(atomic_write_parquet(out / f"{name}.parquet", table))
    if csv:
        for name, table in tables.items():
            if table is not None:
                written.append(atomic_write_csv(out / f"{name}.csv", table))
    if result.world is not None:
        written += write_district(out / WORLD_DIR, result.world)
    written.append(atomic_write_json(out / "summary.json", result.summary))
    written.append(atomic_write_text(out / "params.toml", params_toml(result, scenario)))

    figures_error = None
    which = "overview" if figures is True else "none" if figures is False else figures
    if which != "none":
        from . import figures as figs  # matplotlib only when figures are wanted

        try:
            written += figs.write_figures(out / "figures", result, scenario.name, which)
        except Exception as err:  # a figure must never cost the tables
            figures_error = f"{type(err).__name__}: {err}"

    started = started or datetime.now().astimezone() - timedelta(seconds=result.elapsed)
    record: dict[str, Any] = {
        "scenario": scenario.name,
        "description": scenario.description,
        "files": list(scenario.files),
        "overrides": dict(scenario.overrides),
        "seed": int(result.seed),
        "steps": int(result.steps),
        "summary_window": int(window),
        "started": started.isoformat(timespec="seconds"),
        "finished": datetime.now().astimezone().isoformat(timespec="seconds"),
        "elapsed_seconds": round(float(result.elapsed), 3),
        "world": dict(result.meta),
        "timeline": list(result.timeline),
        "versions": versions(),
        **lock_record(),
        "platform": platform.platform(),
        **(info or {}),
    }
    if scenario.world is not None:
        record["world_folder"] = str(scenario.world)
    if figures_error:
        record["figures_error"] = figures_error
    record["outputs"] = {
        p.relative_to(out).as_posix(): {"bytes": p.stat().st_size, "sha256": _sha256(p)}
        for p in written
    }
    atomic_write_json(out / RUN_FILE, record)
    return out


def params_toml(result: RunResult, scenario: Scenario) -> str:
    """The resolved parameters as a scenario file that reproduces the run."""
    chain = " <- ".join(Path(f).name for f in scenario.files) or "(none)"
    overrides = (
        " ".join(f"--set {k}={_toml_scalar(v)}" for k, v in scenario.overrides.items()) or "none"
    )
    header = "\n".join(
        [
            f"Resolved parameters of a run of scenario '{scenario.name}'.",
            f"Scenario files (each extends the next): {chain}",
            f"Overrides: {overrides}",
            f"Seed: {result.seed}; steps: {result.steps} months.",
            "Every parameter is listed, with the policy timeline and the world's tables",
            "(world/, if it was read from files), so this file reproduces the run:",
            "    python -m sim run params.toml --out <new folder>",
        ]
    )
    description = " ".join(str(scenario.description).split())
    values = {
        "description": description,
        "seed": int(result.seed),
        "steps": int(result.steps),
        **result.params,
    }
    text = to_toml(values, header=header)
    if result.world is not None:
        text += (
            f'\n[world]\nfolder = "{WORLD_DIR}"  # the district\'s tables as the run read them\n'
        )
    return text + timeline_toml(parse_timeline(result.timeline))


def _toml_scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    return repr(value)


def versions() -> dict[str, str]:
    """Versions of the package, its main dependencies and Python."""
    import mesa
    import pyarrow

    from .. import __version__

    return {
        "sim": __version__,
        "mesa": mesa.__version__,
        "python": platform.python_version(),
        "numpy": np.__version__,
        "pandas": pd.__version__,
        "pyarrow": pyarrow.__version__,
    }


LOCK_FILE = "requirements.lock"
"""The exact versions and hashes `scripts/setup.sh` installs (docs/SETUP.md)."""
LOCK_STAMP = ".lock.sha256"
"""Written into the environment's folder (sys.prefix) by scripts/setup.sh: the hash of the
lock it installed from."""


def lock_record() -> dict[str, Any]:
    """`lock`: the SHA-256 of the source tree's requirements.lock (None if there is none, as
    in an installed copy) and `environment_from_lock`: whether this Python environment was
    installed from exactly that lock by scripts/setup.sh."""
    import sys

    source = Path(__file__).resolve().parents[2] / LOCK_FILE
    digest = _sha256(source) if source.is_file() else None
    try:
        installed = (Path(sys.prefix) / LOCK_STAMP).read_text(encoding="utf-8").split()[0]
    except (OSError, IndexError):
        installed = None
    return {"lock": digest, "environment_from_lock": digest is not None and installed == digest}


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def read_run(out_dir: str | Path) -> dict[str, Any]:
    """Load a complete run folder.

    Returns {"path", "run" (run.json), "summary", "params" (resolved parameter values),
    "series" (DataFrame), "communities" and "compounds" (DataFrames or None), "figures"
    (list of paths)}.
    Raises RunFolderError for a missing or incomplete folder.
    """
    out = Path(out_dir)
    if not out.is_dir():
        raise RunFolderError(f"{out}: no such run folder")
    if not (out / RUN_FILE).is_file():
        raise RunFolderError(
            f"{out}: incomplete run folder (no {RUN_FILE}); the run was interrupted "
            "or is still being written"
        )
    record = json.loads((out / RUN_FILE).read_text(encoding="utf-8"))
    missing = [name for name in record.get("outputs", {}) if not (out / name).is_file()]
    if missing:
        raise RunFolderError(f"{out}: files listed in {RUN_FILE} are missing: {', '.join(missing)}")
    raw = tomllib.loads((out / "params.toml").read_text(encoding="utf-8"))
    params: dict[str, Any] = {}
    for key, value in raw.items():
        if key in ("world", "policy"):  # the world's folder and the timeline: not parameters
            continue
        if isinstance(value, dict):
            params.update(value)
        elif key not in RUN_KEYS:
            params[key] = value
    communities = out / "communities.parquet"
    compounds = out / "compounds.parquet"
    extra = {
        name: pd.read_parquet(out / f"{name}.parquet")
        for name in ("streets", "departments")
        if (out / f"{name}.parquet").is_file()
    }
    return {
        "path": out,
        "run": record,
        "summary": {
            k: float("nan") if v is None else v
            for k, v in json.loads((out / "summary.json").read_text(encoding="utf-8")).items()
        },
        "params": params,
        "series": pd.read_parquet(out / "series.parquet"),
        "communities": pd.read_parquet(communities) if communities.is_file() else None,
        "compounds": pd.read_parquet(compounds) if compounds.is_file() else None,
        "streets": extra.get("streets"),
        "departments": extra.get("departments"),
        "figures": sorted((out / "figures").glob("*.png")),
    }
