"""The policy screen's runs: its stages as designs of the sweep engine, run resumably.

A screen runs in five stages, each an ordinary store of `sim.experiments.store` under the
screen's results folder, so every stage resumes where it stopped (a stored run is never run
again) and runs in this process, on a local Dask cluster or on any cluster an evaluator
reaches (`sim.experiments.evaluators`):

    bounds/      every factor alone at both ends of its range, the base scenario, one seed:
                 a range end at which the model fails stops the screen before the design
                 runs, naming the parameter, the value and the error
    default/     every arm at the base values, `seeds` paired seeds (the effect at default)
    reference/   the same at the reference settings (the shipped experiments' world and
                 horizon): the check that the screen's reduced world and horizon keep the sign
    morris/      every arm at every point of the Morris design, one seed (the same along
                 a trajectory but where the noise factor moves: common random numbers)
    ends/        for each contrast, its candidate factors at both ends of their range and a
                 3 × 3 map over its two most decisive factors, `seeds` paired seeds

A point is a set of factor positions (`Point`): each named factor at position u of its
range, every other parameter at the base value. Rows of a stage are (point, arm)
pairs; a row's runs share the stage's seeds, so arms at a point are paired and, in the
`ends` stage, points too. Runs of the Morris stage measure outcomes only (the ranking needs
nothing else); the others also measure the conditions.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.core.metrics import OUTCOMES
from sim.core.params import validate

from .definition import SweepDefinition
from .design import Design, replicate_seeds
from .engine import SweepOutcome, execute
from .plan import plan_runs, plan_table
from .screen import BASE_ARM, ScreenDefinition
from .store import RunStore

__all__ = [
    "NOISE",
    "DEFAULT_POINT",
    "Stage",
    "ScreenIncomplete",
    "point_id",
    "point_values",
    "morris_sample",
    "bounds_stage",
    "bound_failures",
    "default_stage",
    "reference_stage",
    "morris_stage",
    "ends_stage",
    "map_levels",
    "run_stage",
    "stage_results",
    "stage_size",
]

NOISE = "(noise)"
"""A factor of the Morris design that sets no parameter but the seed: each of its levels is
another seed, while every other step of a trajectory keeps the seed (common random
numbers). Its elementary effects are what a change of seed alone does to a paired effect,
the noise against which every factor's are read."""
DEFAULT_POINT = "default"


class ScreenIncomplete(RuntimeError):
    """A stage did not finish (interrupted, or runs failed): run the command again."""

    def __init__(self, message: str, interrupted: bool = False) -> None:
        super().__init__(message)
        self.interrupted = interrupted


def point_id(positions: dict[str, float]) -> str:
    """A point's id: its factor positions in name order, or `default` for none."""
    if not positions:
        return DEFAULT_POINT
    return "|".join(f"{k}={positions[k]:.6g}" for k in sorted(positions))


def point_values(defn: ScreenDefinition, positions: dict[str, float]) -> dict[str, Any]:
    """Parameter values a point sets (factors not named stay at the base values)."""
    out: dict[str, Any] = {}
    for name, u in positions.items():
        if name != NOISE:
            out.update(defn.factor(name).assign(u))
    return out


@dataclass
class Stage:
    """One stage: its rows (point, arm), points, months and base values, and the seeds:
    the same `replicates` seeds everywhere, or each point's own (`seeds`)."""

    name: str
    steps: int
    base: dict[str, Any]
    replicates: int
    points: dict[str, dict[str, float]]
    rows: list[tuple[str, str]]
    seeds: dict[str, list[int]] | None = None

    def table(self) -> pd.DataFrame:
        return pd.DataFrame(
            {
                "arm": [f"{p}@{a}" for p, a in self.rows],
                "point": np.arange(len(self.rows)),
                "screen_point": [p for p, _ in self.rows],
                "screen_arm": [a for _, a in self.rows],
            }
        )


def _rows(points: Iterable[str], arms: Sequence[str]) -> list[tuple[str, str]]:
    return [(p, a) for p in points for a in arms]


def default_stage(defn: ScreenDefinition) -> Stage:
    """Every arm at the base values, with `seeds` paired seeds."""
    points = {DEFAULT_POINT: {}}
    return Stage("default", defn.steps, defn.base, defn.seeds, points, _rows(points, defn.arms))


def reference_stage(defn: ScreenDefinition) -> Stage:
    """The default stage at the reference settings (world and months)."""
    points = {DEFAULT_POINT: {}}
    rows = _rows(points, defn.arms)
    return Stage("reference", defn.reference_steps, defn.reference_base, defn.seeds, points, rows)


def bounds_stage(defn: ScreenDefinition) -> Stage:
    """Every factor alone at both ends of its range, in the reference arm of the base
    scenario, one seed: the check that the model runs everywhere the design will take it."""
    points = {point_id({f.name: u}): {f.name: u} for f in defn.factors for u in (0.0, 1.0)}
    return Stage("bounds", defn.steps, defn.base, 1, points, _rows(points, [BASE_ARM]))


def bound_failures(defn: ScreenDefinition, stage: Stage, root: Path) -> list[str]:
    """`parameter = value (error)` for every run of the bounds stage stored as failed."""
    table = stage_results(defn, stage, root)
    runs = RunStore(Path(root) / stage.name).runs().set_index("key")
    out = []
    for row in table[table["status"] == "failed"].itertuples():
        ((name, u),) = stage.points[row.screen_point].items()
        values = ", ".join(f"{k} = {v:g}" for k, v in defn.factor(name).assign(u).items())
        error = str(runs.loc[row.key, "error"]).splitlines()[0]
        out.append(f"{values} ({error})")
    return out


def morris_sample(defn: ScreenDefinition) -> tuple[np.ndarray, list[str]]:
    """The Morris design in the unit cube (SALib's `morris.sample`): rows are points,
    columns the factors and, last, the noise factor."""
    import warnings

    from SALib.sample import morris

    names = [f.name for f in defn.factors] + [NOISE]
    problem = {"num_vars": len(names), "names": names, "bounds": [[0.0, 1.0]] * len(names)}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        x = morris.sample(problem, defn.trajectories, num_levels=defn.levels, seed=defn.seed)
    return np.asarray(x, dtype=float), names


def morris_stage(defn: ScreenDefinition) -> Stage:
    """Every arm at every point of the Morris design, one seed: the seed of the point's
    level of the noise factor."""
    x, names = morris_sample(defn)
    level_seeds = replicate_seeds(defn.seed, defn.levels)
    points, seeds = {}, {}
    for i, row in enumerate(x):
        pid = f"m{i:05d}"
        points[pid] = {n: float(u) for n, u in zip(names, row) if n != NOISE}
        seeds[pid] = [level_seeds[int(round(row[-1] * (defn.levels - 1)))]]
    return Stage("morris", defn.steps, defn.base, 1, points, _rows(points, defn.arms), seeds)


def map_levels(defn: ScreenDefinition, factor: str) -> tuple[float | None, ...]:
    """The three positions of a map axis: the low end, the base value (None) where it lies
    inside the range (else the middle) and the high end."""
    u0 = defn.factor(factor).default_position(defn.base)
    return (0.0, None if 0.0 < u0 < 1.0 else 0.5, 1.0)


def ends_stage(
    defn: ScreenDefinition,
    candidates: dict[str, Sequence[str]],
    maps: dict[str, tuple[str, str]],
) -> Stage:
    """For each contrast, its `candidates` at both ends of their range, and the 3 × 3 map
    over its two `maps` factors; the default point for every arm."""
    points: dict[str, dict[str, float]] = {DEFAULT_POINT: {}}
    need: dict[str, set[str]] = {DEFAULT_POINT: set(defn.arms)}

    def add(positions: dict[str, float], arms: Iterable[str]) -> None:
        pid = point_id(positions)
        points.setdefault(pid, positions)
        need.setdefault(pid, set()).update(arms)

    for c in defn.contrasts:
        arms = (c.reference, c.policy)
        for f in candidates.get(c.name, ()):
            add({f: 0.0}, arms)
            add({f: 1.0}, arms)
        if c.name in maps:
            a, b = maps[c.name]
            for ua in map_levels(defn, a):
                for ub in map_levels(defn, b):
                    pos = {k: u for k, u in ((a, ua), (b, ub)) if u is not None}
                    add(pos, arms)
    order = list(defn.arms)
    rows = [(p, a) for p in points for a in sorted(need[p], key=order.index)]
    return Stage("ends", defn.steps, defn.base, defn.seeds, points, rows)


def stage_size(stage: Stage) -> int:
    """Runs the stage plans."""
    return len(stage.rows) * stage.replicates


def _sweep(defn: ScreenDefinition, stage: Stage) -> SweepDefinition:
    """The stage as an experiment of the sweep engine (one arm per row)."""
    return SweepDefinition(
        name=f"{defn.name}-{stage.name}",
        path=defn.path,
        text=defn.text,
        description=f"{defn.description} ({stage.name} stage)",
        scenario=defn.scenario,
        scenario_file=defn.path,
        kind="arms",
        factors=(),
        arms={},
        reference=None,
        fixed=defn.world if stage.name != "reference" else defn.reference_world,
        base=stage.base,
        replicates=stage.replicates,
        steps=stage.steps,
        seed=defn.seed,
        n=None,
        levels=defn.levels,
        calc_second_order=False,
        window=defn.window,
        series_period=None,
        outcomes=tuple(OUTCOMES),
        timeline=defn.timeline,
        district=defn.district,
    )


def _design(defn: ScreenDefinition, stage: Stage) -> Design:
    overrides = []
    checked: dict[str, dict[str, Any]] = {}
    for pid, arm in stage.rows:
        values = checked.get(pid)
        if values is None:
            values = point_values(defn, stage.points[pid])
            validate({**stage.base, **values}, where=f"{defn.path}: point {pid}")
            checked[pid] = values
        overrides.append({**values, **defn.arms[arm]})
    seeds = [stage.seeds[p] for p, _ in stage.rows] if stage.seeds is not None else None
    return Design(table=stage.table(), overrides=overrides, seeds=seeds)


def run_stage(
    defn: ScreenDefinition,
    stage: Stage,
    root: Path,
    evaluator: Any,
    *,
    progress: bool = True,
    command: str = "",
) -> SweepOutcome:
    """Run what the stage's store lacks (failed runs are retried); raise ScreenIncomplete if
    the stage did not finish. The store is `<root>/<stage name>`."""
    sweep = _sweep(defn, stage)
    design = _design(defn, stage)
    specs = plan_runs(sweep, design)
    store = RunStore.create(Path(root) / stage.name)
    started = datetime.now(UTC)
    with store.lock():
        info = {**sweep.to_dict(), "screen": defn.name, "stage": stage.name, "command": command}
        info.pop("base_params", None)
        store.save_definition(defn.text, info, design.table, plan_table(specs))
        outcome = execute(
            sweep,
            design,
            store,
            evaluator,
            retry_failed=True,
            progress=progress,
            conditions=stage.name != "morris",  # the ranking needs outcomes only
        )
        store.log_session(
            {
                "started": started.isoformat(timespec="seconds"),
                "wall_seconds": round(outcome.elapsed, 3),
                "evaluator": outcome.evaluator,
                "workers": evaluator.n_workers,
                "command": command,
                "planned": outcome.planned,
                "distinct": outcome.unique,
                "already_ok": outcome.stored_ok,
                "ran": outcome.ok + outcome.failed,
                "ok": outcome.ok,
                "failed": outcome.failed,
                "interrupted": outcome.interrupted,
                **({"stopped": outcome.stopped} if outcome.stopped else {}),
            }
        )
    if outcome.interrupted:
        raise ScreenIncomplete(
            f"{stage.name} stage interrupted: {outcome.ok + outcome.failed} runs of this "
            f"session are stored in {store.root}; run the same command again to resume",
            interrupted=True,
        )
    if outcome.stopped:
        raise ScreenIncomplete(f"{stage.name} stage stopped: {outcome.stopped}")
    if outcome.missing:  # failed runs included
        first = outcome.failures[0][1].splitlines()[0] if outcome.failures else ""
        raise ScreenIncomplete(
            f"{stage.name} stage: {outcome.missing} of {outcome.unique} runs "
            f"did not finish ({first}); their errors are in {store.runs_dir}; run the same "
            "command again to retry them"
        )
    return outcome


def stage_results(defn: ScreenDefinition, stage: Stage, root: Path) -> pd.DataFrame:
    """The stage's runs in its current plan: screen_point, screen_arm, replicate, seed,
    elapsed, cpu_seconds (where recorded) and every `mean_`, `final_` and `cond_` column (runs are matched by key, so
    runs stored under earlier plans count where they are the same run)."""
    sweep = _sweep(defn, stage)
    design = _design(defn, stage)
    plan = plan_table(plan_runs(sweep, design))
    plan = plan.merge(design.table[["point", "screen_point", "screen_arm"]], on="point")
    runs = RunStore(Path(root) / stage.name).runs()
    keep = [
        c
        for c in runs.columns
        if c in ("key", "status", "elapsed", "cpu_seconds")
        or c.startswith(("mean_", "final_", "cond_"))
    ]
    table = plan.merge(runs[keep], on="key", how="left")
    return table.drop(columns=["arm", "point"])
