"""The Sweep tab's experiments: one lever (or one field of the policy timeline) over k values ×
N paired replicates on the session's world, in the manner of NetLogo's BehaviorSpace.

A sweep is an experiment file of `python -m sim sweep` (docs/EXPERIMENTS.md): a grid design
with one factor, every other parameter fixed at the session's value (`[fixed]`), the
session's policy timeline (`[[policy]]`) and district (`[world]`), its seed, replicates and
months. The tab writes that file (`experiment_toml`), checks it with the experiment loader
(`sim.experiments.definition.load_sweep`), and runs exactly it: `python -m sim sweep FILE
--workers 1` as a background job (`jobs`); "Save as experiment" downloads the same file, so
running it on the command line gives the same runs and tables. `runs_table` and
`effects_table` are the tables the tab shows and a researcher downloads, read from the
results folder with `sim.experiments.analysis`.
"""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.core.metrics import OUTCOMES
from sim.core.params import BY_NAME, PARAMS, ScenarioError
from sim.core.policy import parse_timeline
from sim.core.scenario import _toml_value, timeline_toml
from sim.experiments import timeline_factors as TF
from sim.experiments.design import format_level
from sim.experiments.store import RunStore

DEFAULT_VALUES = 5
BASE_SCENARIO = "baseline"
"""The experiment's base scenario; every parameter is set in [fixed], so only its name is
used (the run keys do not depend on it)."""
FILE = "experiment.toml"


def levers() -> list[str]:
    """Every policy lever of the schema (a parameter whose meaning says "(lever)")."""
    return [p.name for p in PARAMS if "(lever)" in p.help]


def timeline_fields(policy: Sequence[Mapping[str, Any]]) -> list[str]:
    """Fields of the session's policy timeline a sweep can vary, as experiment factors
    (`policy.<n>.<field>`, entries numbered from 1 in month order as in
    `sim.experiments.timeline_factors`): each entry's month, its share if it has one, and
    every parameter it sets."""
    timeline = parse_timeline(list(policy), where="timeline")
    out = []
    for i, change in enumerate(timeline.changes, start=1):
        entry = change.label or str(i)
        if sum(c.label == change.label for c in timeline.changes) > 1 or not change.label:
            entry = str(i)
        out.append(f"policy.{entry}.month")
        if change.share is not None:
            out.append(f"policy.{entry}.share")
        out += [f"policy.{entry}.{name}" for name in change.values]
    return out


def factor_type(name: str, policy: Sequence[Mapping[str, Any]]) -> type:
    if TF.is_timeline_field(name):
        return TF.field_type(parse_timeline(list(policy), where="timeline"), name)
    return BY_NAME[name].type


def factor_range(name: str, policy: Sequence[Mapping[str, Any]], months: int) -> tuple[Any, Any]:
    """The values a factor may take (low, high); a reform's month lies within the run."""
    if TF.is_timeline_field(name):
        field = name.rsplit(".", 1)[1]
        if field == "month":
            return 1, max(int(months), 1)
        if field == "share":
            return 0.0, 1.0
        if field == "seed":
            return 0, 2**31 - 1
        name = field
    p = BY_NAME[name]
    return p.low, p.high


def default_values(
    name: str, policy: Sequence[Mapping[str, Any]], months: int, k: int = DEFAULT_VALUES
) -> list[Any]:
    """k values spread evenly over a factor's range (both for an on/off lever)."""
    kind = factor_type(name, policy)
    if kind is bool:
        return [False, True]
    low, high = factor_range(name, policy, months)
    if low is None or high is None:
        current = BY_NAME[name].default if name in BY_NAME else 0
        return [current]
    grid = np.linspace(float(low), float(high), k)
    if kind is int:
        return list(dict.fromkeys(int(round(x)) for x in grid))
    return [float(f"{x:.4g}") for x in grid]


def values_text(values: Sequence[Any]) -> str:
    return ", ".join(format_level(v) for v in values)


def parse_values(text: str, name: str, policy: Sequence[Mapping[str, Any]]) -> list[Any]:
    """The values typed for a factor ("0, 0.25, 0.5" or "false, true"), of its type.
    Raises ScenarioError saying what is wrong; ranges are checked by the experiment loader."""
    kind = factor_type(name, policy)
    parts = [p.strip() for p in text.replace(";", ",").split(",") if p.strip()]
    if not parts:
        raise ScenarioError(f"{name}: no values; type them separated by commas")
    out: list[Any] = []
    for part in parts:
        low = part.lower()
        try:
            if kind is bool:
                if low not in ("true", "false", "yes", "no", "on", "off", "1", "0"):
                    raise ValueError
                value: Any = low in ("true", "yes", "on", "1")
            elif kind is int:
                number = float(part)
                if not number.is_integer():
                    raise ValueError
                value = int(number)
            else:
                value = float(part)
                if not math.isfinite(value):
                    raise ValueError
        except ValueError:
            allowed = {bool: "true or false", int: "a whole number"}.get(kind, "a number")
            raise ScenarioError(f"{name}: value {part!r} is not {allowed}") from None
        out.append(value)
    if len(set(map(repr, out))) != len(out):
        raise ScenarioError(f"{name}: a value is given twice ({text})")
    return out


@dataclass(frozen=True)
class SweepSpec:
    """What the Sweep tab runs: the session's world and settings, and the factor's values."""

    factor: str
    values: tuple[Any, ...]
    params: Mapping[str, Any]  # every parameter of the session
    seed: int
    months: int
    replicates: int
    policy: tuple[Mapping[str, Any], ...] = ()
    world: Path | None = None
    outcomes: tuple[str, ...] = ()

    @property
    def window(self) -> int:
        from .compare import window_of

        return window_of(self.months)


def experiment_toml(spec: SweepSpec) -> str:
    """The experiment file of a sweep (see the module docstring)."""
    label = spec.factor
    header = [
        "# Saved from the browser app's Sweep tab: one factor over its values, every other",
        "# parameter at the session's value, the session's policy timeline and district.",
        "# Run it again (the same runs, the same tables):",
        "#     python -m sim sweep <this file> --out <results folder>",
        "#     python -m sim report <results folder>",
    ]
    lines = [
        *header,
        f"description = {_toml_value(f'Sweep of {label} over {len(spec.values)} values')}",
        f"scenario = {_toml_value(BASE_SCENARIO)}  # every parameter is set in [fixed] below",
        f"steps = {int(spec.months)}",
        f"replicates = {int(spec.replicates)}",
        f"seed = {int(spec.seed)}",
        f"window = {spec.window}",
    ]
    if spec.outcomes:
        lines.append(f"outcomes = [{', '.join(_toml_value(o) for o in spec.outcomes)}]")
    lines += [
        "",
        "[design]",
        'kind = "grid"',
        f"reference = {{ {_key(spec.factor)} = {_toml_value(spec.values[0])} }}",
        "",
        "[factors]",
        f"{_key(spec.factor)} = [{', '.join(_toml_value(v) for v in spec.values)}]",
        "",
        "[fixed]",
    ]
    for p in PARAMS:
        if p.name == spec.factor or p.name not in spec.params:
            continue
        lines.append(f"{p.name} = {_toml_value(spec.params[p.name])}")
    text = "\n".join(lines) + "\n"
    if spec.world is not None:
        folder = json.dumps(Path(spec.world).resolve().as_posix())
        text += f"\n[world]\nfolder = {folder}  # the district's tables\n"
    return text + timeline_toml(parse_timeline(list(spec.policy), where="timeline"))


def _key(name: str) -> str:
    """A factor's name as a TOML key (a timeline field's dotted name quoted)."""
    return json.dumps(name) if "." in name else name


def write_experiment(spec: SweepSpec, folder: Path) -> Path:
    """Write the experiment into `folder` and check it as `python -m sim sweep` will;
    raises ScenarioError (one line naming the key and value) for anything it refuses."""
    from sim.experiments.definition import load_sweep

    folder.mkdir(parents=True, exist_ok=True)
    path = folder / FILE
    path.write_text(experiment_toml(spec), encoding="utf-8")
    load_sweep(path)
    return path


def command(experiment: Path, out: Path) -> list[str]:
    """The command the tab runs: the command line's sweep, in one process."""
    return [
        sys.executable,
        "-m",
        "sim",
        "sweep",
        str(experiment),
        "--workers",
        "1",
        "--batch-size",
        "1",
        "--quiet",
        "--out",
        str(out),
    ]


def runs_done(out: Path) -> int:
    """Runs finished so far (stored OK or failed) in a results folder."""
    if not (out / "runs").is_dir():
        return 0
    return len(RunStore(out).statuses())


# ------------------------------------------------------------------------------ results
@dataclass
class SweepResult:
    """A finished sweep as the tab shows it."""

    spec: SweepSpec
    folder: Path  # the results folder `python -m sim sweep` wrote
    outcomes: list[str]
    relative: bool = False  # show effects against the first value instead of levels


def load(folder: Path, outcomes: Sequence[str]) -> Any:
    """The sweep's results (`sim.experiments.analysis.results.SweepResults`) with the
    summaries of `outcomes` (every outcome's summaries are stored; the experiment file's
    list only decides what its report shows)."""
    from sim.experiments.analysis.results import load_results

    res = load_results(folder, finished=True)
    info = {**res.info, "outcomes": [o for o in outcomes if f"mean_{o}" in res.runs]}
    return replace(res, info=info)


def runs_table(folder: Path) -> pd.DataFrame:
    """One row per run (arm × replicate): its arm and factor value, replicate, seed, key,
    status, and the summary of every outcome — `final_<o>` (last month) and `mean_<o>`
    (mean over the window) — in plan order."""
    res = load(folder, list(OUTCOMES))
    factor = res.factors[0]
    plan = res.plan.merge(res.design[["point", factor]], on="point", how="left")
    runs = res.runs.drop(
        columns=[c for c in ("elapsed", "traceback", "model_code", factor) if c in res.runs]
    )
    keep = [c for c in runs.columns if c not in ("arm", "point", "replicate", "seed")]
    table = plan.merge(runs[keep], on="key", how="left")
    table["status"] = table["status"].fillna("missing")
    summary = [c for c in table.columns if c.startswith(("final_", "mean_"))]
    head = ["arm", "point", factor, "replicate", "seed", "key", "status", "error"]
    table = table[[c for c in head if c in table] + sorted(summary)]
    return table.sort_values(["point", "replicate"], kind="stable").reset_index(drop=True)


def effects_table(folder: Path, outcomes: Sequence[str]) -> pd.DataFrame:
    """Per value of the factor and outcome: the replicates' mean over the summary window
    with its 95% CI, and the paired difference from the first value (same seeds) with its
    95% CI and Cohen's d_z."""
    from sim.experiments.analysis.estimates import arm_estimates, paired_differences

    res = load(folder, outcomes)
    factor = res.factors[0]
    levels = res.design.set_index("arm")[factor]
    est = arm_estimates(res)
    diff = paired_differences(res)
    rows = []
    for _, r in est.iterrows():
        d = (
            diff[(diff["arm"] == r["arm"]) & (diff["outcome"] == r["outcome"])]
            if len(diff)
            else diff
        )
        ref = r["arm"] == res.reference
        rows.append(
            {
                "factor": factor,
                "value": levels[r["arm"]],
                "arm": r["arm"],
                "outcome": r["outcome"],
                "n": int(r["n"]),
                "mean": r["mean"],
                "low": r["low"],
                "high": r["high"],
                "diff": 0.0 if ref else (float(d["diff"].iloc[0]) if len(d) else np.nan),
                "diff_low": np.nan if ref or not len(d) else float(d["low"].iloc[0]),
                "diff_high": np.nan if ref or not len(d) else float(d["high"].iloc[0]),
                "d_z": np.nan if ref or not len(d) else float(d["d_z"].iloc[0]),
            }
        )
    out = pd.DataFrame(rows)
    if out.empty:
        return out
    order = {o: i for i, o in enumerate(outcomes)}
    out["_o"] = out["outcome"].map(order)
    out["_v"] = out["arm"].map({a: i for i, a in enumerate(levels.index)})
    return out.sort_values(["_o", "_v"]).drop(columns=["_o", "_v"]).reset_index(drop=True)
