"""The Compare tab's runs: two settings, each run on the same N replicate seeds.

An *arm* is either the current controls or a scenario file; both arms run on the session's
world — the world size set in the controls, or the district read from files the session
runs (a scenario's `[world]`) — and on the same seeds (common random numbers: replicate i of
A and of B share the world and random streams, so their difference is the settings'
effect). A scenario arm that names a district of its own is run on the session's world as
well, and `set_aside_world` says so, since two worlds would confound the comparison. The
replicate seeds derive from the seed box as in a sweep (`sim.experiments.design.replicate_seeds`),
and every run is the command line's unit of work (`sim.runs.runner.run`). The result gives,
per outcome, each arm's mean with a 95% confidence interval and the paired difference B − A
with its 95% CI (`sim.experiments.stats`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.core.district import District
from sim.core.scenario import load_scenario
from sim.experiments.design import replicate_seeds
from sim.experiments.stats import Estimate, mean_ci, paired_difference
from sim.runs.runner import run

from .i18n import WORLD_SIZE

CURRENT = "__current__"
"""The arm choice that means 'the parameters set in the controls'."""

DEFAULT_REPLICATES = 5
SUMMARY_MONTHS = 12
"""Each replicate is summarised by its mean over the last this many months."""


class Cancelled(Exception):
    """The comparison was stopped (its page closed)."""


def arm_params(choice: str, current: Mapping[str, Any], folder: Path) -> dict[str, Any]:
    """Parameters of an arm: the current controls, or a scenario with the current world
    size. Raises ScenarioError for a bad scenario file."""
    if choice == CURRENT:
        return dict(current)
    params = dict(load_scenario(folder / f"{choice}.toml").params)
    for name in WORLD_SIZE:
        params[name] = current[name]
    return params


def set_aside_world(choice: str, current: Path | None, folder: Path) -> Path | None:
    """The district folder an arm's scenario names (`[world]`) where it is not the session's
    world — the comparison runs that arm on the session's world — else None."""
    if choice == CURRENT:
        return None
    own = load_scenario(folder / f"{choice}.toml").world
    if own is None or (current is not None and own.resolve() == current.resolve()):
        return None
    return own


def arm_timeline(choice: str, current: list[dict[str, Any]], folder: Path) -> list[dict[str, Any]]:
    """Policy timeline of an arm: the session's (with its scheduled reforms), or a
    scenario's `[[policy]]` entries."""
    if choice == CURRENT:
        return list(current)
    return load_scenario(folder / f"{choice}.toml").timeline.to_list()


@dataclass
class Comparison:
    """Replicate runs of two arms on the same seeds."""

    names: tuple[str, str]
    seeds: list[int]
    months: int
    a: list[pd.DataFrame] = field(default_factory=list)  # district series of each replicate
    b: list[pd.DataFrame] = field(default_factory=list)

    @property
    def n(self) -> int:
        return min(len(self.a), len(self.b))


def run_comparison(
    params_a: Mapping[str, Any],
    params_b: Mapping[str, Any],
    seed: int,
    replicates: int,
    months: int,
    names: tuple[str, str] = ("A", "B"),
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
    timelines: tuple[list[dict[str, Any]], list[dict[str, Any]]] = ([], []),
    district: District | None = None,
) -> Comparison:
    """Run both arms (with their policy `timelines`, on the district read from files if
    given) on `replicates` seeds derived from `seed`, replicate by replicate (so an
    interrupted comparison holds complete pairs). progress(done, total) counts months."""
    seeds = replicate_seeds(seed, replicates)
    out = Comparison(names, seeds, months)
    total = 2 * replicates * months
    done = 0

    def tick(month: int, _steps: int) -> None:
        if cancelled is not None and cancelled():
            raise Cancelled
        if progress is not None:
            progress(done + month, total)

    for s in seeds:
        for params, policy, frames in (
            (params_a, timelines[0], out.a),
            (params_b, timelines[1], out.b),
        ):
            frames.append(
                run(
                    dict(params), s, months, progress=tick, timeline=list(policy), district=district
                ).series
            )
            done += months
    return out


@dataclass(frozen=True)
class Difference:
    """One outcome of a comparison: each arm's mean and B − A, each with a 95% CI."""

    outcome: str
    a: Estimate
    b: Estimate
    diff: Estimate
    dz: float  # Cohen's d_z of the paired differences


def summary_values(
    frames: Sequence[pd.DataFrame], outcome: str, window: int = SUMMARY_MONTHS
) -> np.ndarray:
    """Each replicate's mean of `outcome` over its last `window` months."""
    return np.array([float(np.nanmean(f[outcome].to_numpy(dtype=float)[-window:])) for f in frames])


def differences(
    comp: Comparison, outcomes: Sequence[str], window: int = SUMMARY_MONTHS
) -> list[Difference]:
    """Per outcome: means of A and B and the paired difference B − A over the replicates."""
    out = []
    n = comp.n
    for o in outcomes:
        a = summary_values(comp.a[:n], o, window)
        b = summary_values(comp.b[:n], o, window)
        diff, dz = paired_difference(b, a)
        out.append(Difference(o, mean_ci(a), mean_ci(b), diff, dz))
    return out
