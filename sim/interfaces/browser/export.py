"""What a session can take away and bring back: its tables, its settings as a scenario, and
run folders made on the command line.

* `series_table(model)` — the district series in the run folder's layout (`step` + every
  outcome), `community_table(model)` — one row per community and month; `table_bytes` writes
  either as CSV or Parquet;
* `scenario_toml(...)` — the running model's parameters, seed, months, policy timeline (its
  scenario's and the reforms scheduled in the app) and world as a scenario file that
  `python -m sim run` reproduces exactly (written with `sim.core.scenario.to_toml` and
  `timeline_toml`);
* `run_folders(root)` and `read_folder(path)` — complete run folders under a root and what a
  replay needs from one (`sim.runs.folder.read_run`); `first_difference` checks a replay
  against the series the folder recorded.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.core.params import BY_NAME, ScenarioError
from sim.core.policy import parse_timeline
from sim.core.scenario import load_scenario, timeline_toml, to_toml
from sim.runs.folder import RUN_FILE, RunFolderError, read_run

FORMATS = ("csv", "parquet")
MIME = {"csv": "text/csv", "parquet": "application/vnd.apache.parquet", "toml": "application/toml"}


def series_table(model: Any) -> pd.DataFrame:
    """The district series, one row per month, as in a run folder's series table."""
    frame = model.datacollector.get_model_vars_dataframe().reset_index(drop=True)
    frame.insert(0, "step", np.arange(1, len(frame) + 1))
    return frame


def community_table(model: Any) -> pd.DataFrame:
    """The per-community table, one row per community and month."""
    return model.community_table()


def table_bytes(frame: pd.DataFrame, fmt: str) -> bytes:
    """A table as CSV or Parquet bytes (no index)."""
    if fmt == "csv":
        return frame.to_csv(index=False).encode("utf-8")
    if fmt == "parquet":
        buf = io.BytesIO()
        frame.to_parquet(buf, index=False)
        return buf.getvalue()
    raise ValueError(f"unknown format {fmt!r}: use one of {', '.join(FORMATS)}")


def scenario_toml(
    params: dict[str, Any],
    seed: int,
    months: int,
    scenario: str = "",
    modified: bool = False,
    source: str = "",
    policy: list[dict[str, Any]] | None = None,
    world: Path | None = None,
) -> str:
    """The running model as a scenario file: every parameter, the seed, the months run, the
    policy timeline (`[[policy]]` tables) and the district's tables (`[world]`), so
    `python -m sim run <file>` repeats the run exactly."""
    origin = (
        f"scenario '{scenario}'" + (" with changed settings" if modified else "")
        if scenario
        else "the schema defaults" + (" with changed settings" if modified else "")
    )
    if source:
        origin = f"the run folder {source}"
    header = "\n".join(
        [
            f"Saved from the browser app: a run of {origin}.",
            f"Seed {seed}; {months} months. Every parameter is listed, so this file alone repeats the run:",
            "    python -m sim run <this file> --out <new folder>",
        ]
    )
    values = {
        "description": f"Saved from the browser: {origin}, seed {seed}, {months} months",
        "seed": int(seed),
        "steps": max(int(months), 1),
        **{k: v for k, v in params.items() if k in BY_NAME},
    }
    text = to_toml(values, header=header)
    if world is not None:
        folder = json.dumps(Path(world).resolve().as_posix())  # a TOML basic string
        text += f"\n[world]\nfolder = {folder}  # the district's tables\n"
    return text + timeline_toml(parse_timeline(list(policy or []), where="timeline"))


def file_stem(scenario: str, seed: int, months: int) -> str:
    """A file name stem that says what was saved: <scenario>-seed<seed>-month<months>."""
    return f"{scenario or 'defaults'}-seed{seed}-month{months}"


@dataclass(frozen=True)
class Replay:
    """What replaying a run folder needs: its parameters, seed and months, and the series it
    recorded."""

    path: Path
    name: str
    params: dict[str, Any]
    seed: int
    steps: int
    series: pd.DataFrame
    policy: list[dict[str, Any]]  # the run's policy timeline
    world: Path | None  # the folder of its district's tables, if read from files


def run_folders(root: Path) -> list[Path]:
    """Complete run folders (with run.json) directly or one level below `root`, newest
    first."""
    if not root.is_dir():
        return []
    found = [p.parent for p in root.glob(f"*/{RUN_FILE}")]
    found += [p.parent for p in root.glob(f"*/*/{RUN_FILE}")]
    return sorted(set(found), key=lambda p: (-p.stat().st_mtime, str(p)))


def read_folder(path: Path) -> Replay:
    """A run folder's parameters, seed, months and recorded series. Raises RunFolderError
    for a folder that is missing, incomplete or unreadable."""
    try:
        found = read_run(path)
    except RunFolderError:
        raise
    except (OSError, ValueError, KeyError) as err:
        raise RunFolderError(f"{path}: cannot read the run folder ({err})") from None
    record = found["run"]
    try:  # the folder's params.toml is a scenario: its timeline and world
        saved = load_scenario(Path(path) / "params.toml")
    except ScenarioError as err:
        raise RunFolderError(f"{path}: params.toml: {err}") from None
    return Replay(
        Path(path),
        str(record.get("scenario", Path(path).name)),
        dict(found["params"]),
        int(record["seed"]),
        int(record["steps"]),
        found["series"],
        saved.timeline.to_list(),
        saved.world,
    )


def first_difference(replayed: pd.DataFrame, recorded: pd.DataFrame) -> str:
    """'' if the replayed series equals the recorded one in every month the folder kept,
    else where they first differ."""
    if "step" not in recorded:
        return "the folder's series has no step column"
    mine = replayed.set_index("step")
    for _, row in recorded.iterrows():
        step = int(row["step"])
        if step not in mine.index:
            return f"month {step} was not replayed"
        for col in recorded.columns:
            if col == "step" or col not in mine.columns:
                continue
            a, b = float(row[col]), float(mine.at[step, col])
            if not (a == b or (a != a and b != b)):
                return f"month {step}, {col}: recorded {a!r}, replayed {b!r}"
    return ""
