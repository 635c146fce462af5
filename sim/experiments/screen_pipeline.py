"""The policy screen from end to end: run its stages in order, then read what they found.

    defn = load_screen("experiments/screen.toml")
    with make_evaluator(workers=2) as evaluator:
        results = run_screen(defn, Path("results/screen"), evaluator)
    results.ends          # the effect at both ends of each candidate's range, with verdicts

`run_screen` checks that the model runs at both ends of every factor's range (the bounds
stage), runs the default and reference stages, then the Morris design, selects each
contrast's candidates from the Morris indices (`screen_analysis.select`), and runs the
`ends` stage (`screen_runs`); every stage resumes from its store, and the selection is a
deterministic function of stored runs, so an interrupted screen continues with the same
plan. `read_screen` computes every table from the stores alone (what `--report-only` uses).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.runs.files import atomic_write_json

from . import screen_analysis as SA
from .screen import ScreenDefinition
from .screen_runs import (
    ScreenIncomplete,
    Stage,
    bound_failures,
    bounds_stage,
    default_stage,
    ends_stage,
    morris_sample,
    morris_stage,
    reference_stage,
    run_stage,
    stage_results,
)
from .store import RunStore

__all__ = ["ScreenResults", "run_screen", "read_screen", "planned_runs"]


@dataclass
class ScreenResults:
    """Every table of a screen (see `sim.experiments.screen_analysis`)."""

    defn: ScreenDefinition
    defaults: pd.DataFrame  # effect at the default point, screen settings
    reference: pd.DataFrame  # effect at the default point, reference settings
    fidelity: pd.DataFrame
    morris: pd.DataFrame
    selection: dict[str, SA.Selection]
    ends: pd.DataFrame
    shifts: pd.DataFrame
    maps: pd.DataFrame
    cost: pd.DataFrame  # per stage: runs, run seconds (sum, mean), months per run
    spread: pd.DataFrame | None = None  # where the design's points put the base world


def _complete(table: pd.DataFrame, stage: Stage) -> pd.DataFrame:
    ok = table["status"] == "ok"
    if not ok.all():
        raise ScreenIncomplete(
            f"{stage.name} stage: {int((~ok).sum())} of {len(table)} planned runs are not "
            "stored yet; run the screen (without --report-only) to finish them"
        )
    return table


def _selection(
    defn: ScreenDefinition, root: Path
) -> tuple[pd.DataFrame, pd.DataFrame, dict, pd.DataFrame]:
    """Effects at the default point, the Morris table, the selection and where the design's
    points put the base world (`SA.design_spread`), from the stores."""
    default = default_stage(defn)
    d_results = _complete(stage_results(defn, default, root), default)
    defaults = SA.default_effects(defn, SA.paired_effects(defn, d_results))
    morris = morris_stage(defn)
    x, names = morris_sample(defn)
    m_results = _complete(stage_results(defn, morris, root), morris)
    table = SA.morris_table(defn, SA.paired_effects(defn, m_results), x, names)
    spread = SA.design_spread(defn, d_results, m_results)
    return defaults, table, SA.select(defn, table, defaults), spread


def _save_selection(root: Path, defn: ScreenDefinition, selection: dict) -> None:
    atomic_write_json(
        root / "selection.json",
        {
            "code": defn.code(),
            "contrasts": {
                k: {"candidates": list(s.candidates), "maps": list(s.maps)}
                for k, s in selection.items()
            },
        },
    )


def _stage_line(stage: Stage) -> str:
    return (
        f"{stage.name} stage: {len(stage.points)} point{'s' if len(stage.points) != 1 else ''}, "
        f"{len(stage.rows)} point-arm pairs × {stage.replicates} "
        f"seed{'s' if stage.replicates != 1 else ''}"
    )


def run_screen(
    defn: ScreenDefinition,
    root: Path,
    evaluator: Any,
    *,
    progress: bool = True,
    command: str = "",
    say: Any = None,
) -> ScreenResults:
    """Run every stage the stores lack, in order, and return the results. Raises
    ScreenIncomplete if a stage did not finish (everything finished so far is stored)."""
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    atomic_write_json(root / "screen.json", {**defn.to_dict(), "command": command})
    bounds = bounds_stage(defn)
    if say is not None:
        say(_stage_line(bounds))
    try:
        run_stage(defn, bounds, root, evaluator, progress=progress, command=command)
    except ScreenIncomplete as err:
        failures = [] if err.interrupted else bound_failures(defn, bounds, root)
        if not failures:
            raise
        raise ScreenIncomplete(
            f"the model fails at the end of a plausible range: {'; '.join(failures[:5])}"
            + (f" and {len(failures) - 5} more" if len(failures) > 5 else "")
            + f"; narrow the range in [ranges] of {defn.path} (the runs are stored in "
            f"{root / bounds.name})"
        ) from None
    for stage in (default_stage(defn), reference_stage(defn), morris_stage(defn)):
        if say is not None:
            say(_stage_line(stage))
        run_stage(defn, stage, root, evaluator, progress=progress, command=command)
    _, _, selection, _ = _selection(defn, root)
    _save_selection(root, defn, selection)
    stage = ends_stage(
        defn,
        {k: s.candidates for k, s in selection.items()},
        {k: s.maps for k, s in selection.items() if len(s.maps) == 2},
    )
    if say is not None:
        say(_stage_line(stage))
    run_stage(defn, stage, root, evaluator, progress=progress, command=command)
    return read_screen(defn, root)


def read_screen(defn: ScreenDefinition, root: Path) -> ScreenResults:
    """Every table of the screen, from its stores (ScreenIncomplete if a stage lacks runs)."""
    root = Path(root)
    defaults, morris, selection, spread = _selection(defn, root)
    reference = reference_stage(defn)
    r_effects = SA.paired_effects(defn, _complete(stage_results(defn, reference, root), reference))
    ref_defaults = SA.default_effects(defn, r_effects)
    stage = ends_stage(
        defn,
        {k: s.candidates for k, s in selection.items()},
        {k: s.maps for k, s in selection.items() if len(s.maps) == 2},
    )
    ends_table = _complete(stage_results(defn, stage, root), stage)
    effects = SA.paired_effects(defn, ends_table)
    cost = _cost(
        [
            (bounds_stage(defn), None),
            (default_stage(defn), None),
            (reference, None),
            (morris_stage(defn), None),
            (stage, ends_table),
        ],
        defn,
        root,
    )
    return ScreenResults(
        defn=defn,
        spread=spread,
        defaults=defaults,
        reference=ref_defaults,
        fidelity=SA.fidelity(defaults, ref_defaults),
        morris=morris,
        selection=selection,
        ends=SA.range_ends(defn, effects, selection),
        shifts=SA.condition_shifts(defn, effects, selection),
        maps=SA.map_cells(defn, effects, selection),
        cost=cost,
    )


def _cost(
    stages: list[tuple[Stage, pd.DataFrame | None]], defn: ScreenDefinition, root: Path
) -> pd.DataFrame:
    """Per stage: distinct runs in its plan and the seconds they took, as measured by the
    workers that ran them (CPU seconds, or wall seconds for runs stored without them), and
    the wall time of the sessions that ran the stage."""
    rows = []
    for stage, table in stages:
        table = table if table is not None else stage_results(defn, stage, root)
        distinct = table.drop_duplicates("key")
        sessions = RunStore(root / stage.name).sessions()
        # CPU seconds where the workers recorded them, else their wall seconds
        seconds = distinct["elapsed"].to_numpy(float)
        if "cpu_seconds" in distinct:
            cpu = distinct["cpu_seconds"].to_numpy(float)
            seconds = np.where(np.isfinite(cpu), cpu, seconds)
        rows.append(
            {
                "stage": stage.name,
                "runs": int(len(distinct)),
                "months": stage.steps,
                "run_seconds": float(np.nansum(seconds)),
                "seconds_per_run": float(np.nanmean(seconds)),
                "cpu_measured": bool(
                    "cpu_seconds" in distinct and distinct["cpu_seconds"].notna().all()
                ),
                "wall_seconds": float(sum(s.get("wall_seconds", 0.0) for s in sessions)),
                "workers": max((int(s.get("workers", 0)) for s in sessions), default=0),
            }
        )
    return pd.DataFrame(rows)


def planned_runs(defn: ScreenDefinition) -> dict[str, int]:
    """Distinct runs each stage plans (the `ends` stage at most: its size depends on the
    selection): stage name → runs."""
    n_arms = len(defn.arms)
    n_contrasts = len(defn.contrasts)
    ends = defn.seeds * (
        n_arms + n_contrasts * 2 * (2 * defn.candidates + 4)  # ends and four map corners
    )
    return {
        "bounds": 2 * len(defn.factors),
        "default": n_arms * defn.seeds,
        "reference": n_arms * defn.seeds,
        "morris": n_arms * defn.morris_points,
        "ends": ends,
    }
