"""Run plans: every run of an experiment (arm × replicate) with its seed and content key.

A run's key hashes everything that decides its result: model version and source code,
resolved parameters, seed, steps, summary window and series period, and the policy timeline
and world tables of the base scenario. Equal keys mean equal
results, so a store can skip what it holds and a changed model never mixes with old runs.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from sim import __version__
from sim.core.params import ScenarioError
from sim.runs.limits import RunEstimate, estimate_run

if TYPE_CHECKING:
    from .definition import SweepDefinition
    from .design import Design

__all__ = [
    "MODEL_CODE",
    "RunSpec",
    "run_key",
    "plan_runs",
    "plan_table",
    "plan_estimates",
    "check_worlds",
    "describe_plan",
]

MODEL_PARTS = ("core", "runs/runner.py", "runs/conditions.py")
"""Parts of the package that decide what a run computes (hashed into every run key): the
model core, the unit of work that runs it and the conditions it can measure. Experiment machinery, interfaces and
validation are left out, so editing a report does not invalidate stored runs."""


def _model_code_hash() -> str:
    package = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256()
    for part in MODEL_PARTS:
        root = package / part
        paths = [root] if root.is_file() else sorted(root.rglob("*.py"))
        for path in paths:
            rel = path.relative_to(package)
            digest.update(rel.as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


MODEL_CODE = _model_code_hash()
"""Hash of the model's source files as imported by this process: part of every run key, so
results of changed model code are never mixed with earlier ones, and recorded by the worker
that ran each run (a mismatch means the files changed during the sweep)."""


def run_key(
    params: dict[str, Any],
    seed: int,
    steps: int,
    window: int,
    series_period: int | None,
    version: str = __version__,
    code: str = MODEL_CODE,
    timeline: list[dict[str, Any]] | None = None,
    world: str | None = None,
) -> str:
    """Content key of a run: a hash of model version and code, resolved parameters (and
    timeline fields), seed, steps, summary window and series period, and the base
    scenario's timeline and world tables where it has them. Equal keys mean equal
    results."""
    content = {
        "version": version,
        "code": code,
        "params": {k: params[k] for k in sorted(params)},
        "seed": int(seed),
        "steps": int(steps),
        "window": int(window),
        "series_period": series_period,
    }
    if timeline:
        content["timeline"] = timeline
    if world is not None:
        content["world"] = world
    blob = json.dumps(content, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:24]


@dataclass(frozen=True)
class RunSpec:
    """One planned run: arm × replicate, with its seed and content key."""

    key: str
    arm: str
    point: int
    replicate: int
    seed: int
    overrides: dict[str, Any]


def plan_runs(defn: SweepDefinition, design: Design) -> list[RunSpec]:
    """Every run of the experiment, replicate-major (all arms of replicate 0 first), so an
    interrupted sweep holds complete replicate sets. Replicate i has the same seed in every
    arm (with parameter draws: the same seed in every arm of a draw, `design.seeds`)."""
    specs = []
    seeds = defn.seeds()
    timeline = defn.timeline.to_list()
    world = defn.district.fingerprint() if defn.district is not None else None
    for rep in range(defn.replicates):
        for i, arm in enumerate(design.table["arm"]):
            seed = design.seeds[i][rep] if design.seeds is not None else seeds[rep]
            params = {**defn.base, **design.overrides[i]}
            key = run_key(
                params,
                seed,
                defn.steps,
                defn.window,
                defn.series_period,
                timeline=timeline,
                world=world,
            )
            specs.append(RunSpec(key, str(arm), i, rep, seed, design.overrides[i]))
    return specs


def plan_table(specs: list[RunSpec]) -> pd.DataFrame:
    """The plan as a table: key, arm, point, replicate, seed."""
    return pd.DataFrame(
        {
            "key": [s.key for s in specs],
            "arm": [s.arm for s in specs],
            "point": [s.point for s in specs],
            "replicate": [s.replicate for s in specs],
            "seed": [s.seed for s in specs],
        }
    )


def plan_estimates(defn: SweepDefinition, design: Design) -> list[RunEstimate]:
    """Estimated memory and time of one run of each arm, in design order, on the world it
    builds (counted in the base scenario's tables if it has them; nothing is built; see
    sim.runs.limits)."""
    return [
        estimate_run({**defn.base, **over}, defn.steps, district=defn.district)
        for over in design.overrides
    ]


def check_worlds(defn: SweepDefinition, design: Design) -> None:
    """Check the base scenario's policy timeline against every arm's world before any run:
    a `[[policy]]` entry that targets a street the arm's district does not have (a factor
    or arm with fewer `n_streets`, or a timeline factor naming more streets) raises
    ScenarioError naming the file, the arm, the entry and the streets there are."""
    from . import timeline_factors as TF

    for i, arm in enumerate(design.table["arm"]):
        params, fields = TF.split({**defn.base, **design.overrides[i]})
        timeline = TF.apply(defn.timeline, fields)
        if defn.district is not None:
            n_streets, where = defn.district.n_streets, "the district's tables have"
        else:
            n_streets, where = int(params["n_streets"]), f"n_streets = {params['n_streets']} gives"
        for change in timeline.changes:
            bad = [s for s in change.streets or () if s >= n_streets]
            if bad:
                label = f" ({change.label})" if change.label else ""
                raise ScenarioError(
                    f"{defn.path}: arm {arm}: the policy at month {change.month}{label} targets "
                    f"streets = {list(change.streets)}, but street {bad[0]} does not exist in "
                    f"this arm's world ({where} streets 0..{n_streets - 1}); change the "
                    "streets or the arm's n_streets"
                )


def describe_plan(defn: SweepDefinition, design: Design) -> str:
    """One line: design kind, arms (and draws), replicates, runs."""
    if defn.uncertainty is not None:
        draws = defn.uncertainty.draws
        n_arms = len(design.table) // draws
        runs = len(design.table) * defn.replicates
        return (
            f"{defn.kind} design: {n_arms} arm{'s' if n_arms != 1 else ''} × {draws} "
            f"parameter draws × {defn.replicates} replicate"
            f"{'s' if defn.replicates != 1 else ''} = {runs} runs of {defn.steps} months"
        )
    n_arms = len(design.table)
    return (
        f"{defn.kind} design: {n_arms} arm{'s' if n_arms != 1 else ''} × "
        f"{defn.replicates} replicate{'s' if defn.replicates != 1 else ''} = "
        f"{n_arms * defn.replicates} runs of {defn.steps} months"
    )
