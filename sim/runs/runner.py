"""One unit of work: run the model for given parameters and seed, return its outcomes.

`run(params, seed)` is shared by the CLI (`python -m sim run`), the sweep engine and the
interop adapters, so a run means the same thing everywhere.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from sim.core.district import District, district_tables
from sim.core.metrics import OUTCOMES
from sim.core.model import GovernanceModel
from sim.core.policy import Timeline
from sim.core.rows import row_means
from sim.core.state import OC_NONE
from sim.runs.conditions import ConditionMeter

SUMMARY_WINDOW = 12
"""Default number of final months averaged into `mean_<outcome>` summaries."""


@dataclass
class RunResult:
    """Outcomes of one run."""

    params: dict[str, Any]
    seed: int
    steps: int
    summary: dict[str, float]
    series: pd.DataFrame  # district outcomes, one row per recorded month (column `step`)
    communities: pd.DataFrame | None = None  # per-community table, if requested
    elapsed: float = 0.0
    meta: dict[str, Any] = field(default_factory=dict)
    streets: pd.DataFrame | None = None  # per-street table (tasks, summons, cadres), if kept
    departments: pd.DataFrame | None = None  # per-department table, if kept
    compounds: pd.DataFrame | None = None  # per-compound table, with the communities'
    timeline: list[dict[str, Any]] = field(default_factory=list)  # [[policy]] entries
    world: dict[str, pd.DataFrame] | None = None  # the district's tables, if read from files


def summarise(series: pd.DataFrame, window: int = SUMMARY_WINDOW) -> dict[str, float]:
    """`final_<o>`: value in the last month; `mean_<o>`: mean over the last `window` months
    (months where an outcome is undefined, e.g. before the first election round, are left
    out; NaN if it is undefined throughout)."""
    names = [name for name in OUTCOMES if name in series]
    return summarise_values(series[names].to_numpy(dtype=float), names, window)


def summarise_values(
    values: np.ndarray, names: list[str], window: int = SUMMARY_WINDOW
) -> dict[str, float]:
    """`summarise` of a months × outcomes array whose columns are the outcomes `names`."""
    last = values[-1]
    tail = np.ascontiguousarray(values[-max(int(window), 1) :].T)  # outcomes × months
    seen = ~np.isnan(tail)
    # each outcome's mean over its defined months, as NumPy's mean of them (rows.row_means)
    means = np.where(seen.any(axis=1), row_means(np.where(seen, tail, 0.0), seen), np.nan)
    out: dict[str, float] = {}
    for k, name in enumerate(names):
        out[f"final_{name}"] = float(last[k])
        out[f"mean_{name}"] = float(means[k])
    return out


def with_coordinates(compounds: pd.DataFrame, world: Any) -> pd.DataFrame:
    """The per-compound table with each compound's `longitude` and `latitude` (after its
    `street`) where the world knows where its compounds lie; unchanged otherwise."""
    lonlat = world.compound_lonlat
    if not np.isfinite(lonlat).any():
        return compounds
    at = compounds.columns.get_loc("street") + 1
    index = compounds["compound"].to_numpy()
    compounds.insert(at, "longitude", lonlat[index, 0])
    compounds.insert(at + 1, "latitude", lonlat[index, 1])
    return compounds


def run(
    params: dict[str, Any],
    seed: int,
    steps: int = 120,
    *,
    window: int = SUMMARY_WINDOW,
    series_period: int | None = 1,
    communities: bool = False,
    progress: Callable[[int, int], None] | None = None,
    timeline: Timeline | list[dict[str, Any]] | None = None,
    district: District | None = None,
    conditions: bool = False,
) -> RunResult:
    """Run `steps` months of the model built from `params` (validated) with `seed`.

    series_period: keep every n-th month of the district series (None: keep none; the
    summary always uses every month). communities: also return the per-community and
    per-compound, per-street and per-department tables (every `series_period` months).
    progress(done, total) is called after each month. timeline: scheduled policy changes
    (`[[policy]]` entries); district: a district read from tables (sim.core.district), whose
    completed tables the result then carries (`world`). conditions: also measure the
    district's conditions (sim.runs.conditions) over the summary window, reported as
    `cond_<name>` in `summary`.
    """
    start = time.perf_counter()
    model = GovernanceModel(
        rng=int(seed),
        community_period=series_period or steps,
        timeline=timeline,
        district=district,
        **params,
    )
    if not communities:
        model.community_recorder.period = steps + 1  # never record
        model.compound_recorder.period = steps + 1
        model.street_recorder.period = steps + 1
        model.department_recorder.period = steps + 1
    initial = dict(model.p)  # a timeline may change parameters during the run
    world = None
    if district is not None:  # as built, before anything changes
        world = district_tables(model.world, has_oc=model.compounds.oc_state != OC_NONE)
    meter = ConditionMeter() if conditions else None
    for month in range(steps):
        model.step()
        if meter is not None and month >= steps - max(int(window), 1):
            meter.measure(model)
        if progress is not None:
            progress(month + 1, steps)
    # the collector's columns as one months × outcomes array: one block for the summary and
    # the series (the collector's own DataFrame is built column by column from lists)
    recorded = model.datacollector.model_vars
    names = [name for name in OUTCOMES if name in recorded]
    values = np.array([recorded[name] for name in names], dtype=float).T.reshape(-1, len(names))
    summary = summarise_values(values, names, window)
    if meter is not None:
        summary.update(meter.means())
    step = np.arange(1, len(values) + 1)
    kept = step % series_period == 0 if series_period else np.zeros(len(step), dtype=bool)
    series = pd.DataFrame(values[kept], columns=names)
    series.insert(0, "step", step[kept])
    table = model.community_table() if communities else None
    result = RunResult(
        params=initial,
        seed=int(seed),
        steps=steps,
        summary=summary,
        series=series,
        communities=table,
        elapsed=time.perf_counter() - start,
        meta={
            "residents": model.residents.n,
            "communities": model.communities.n,
            "compounds": model.compounds.n,
        },
        compounds=with_coordinates(model.compound_table(), model.world) if communities else None,
        streets=model.street_table() if communities else None,
        departments=model.department_table() if communities else None,
        timeline=model.timeline.to_list(),
        world=world,
    )
    model.remove_all_agents()  # release cached network neighbourhoods between runs
    return result
