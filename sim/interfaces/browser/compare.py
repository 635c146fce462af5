"""Two runs side by side on the same seed, for the app's Compare tab.

An *arm* is either the current controls or a scenario file; both arms run on the same seed
and on the world size currently set in the controls, so that they share the same district
(common random numbers: a lever changes behaviour, not the drawn world).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from sim.core.model import GovernanceModel
from sim.core.scenario import load_scenario

from .i18n import LEVER_GROUPS

CURRENT = "__current__"
"""The arm choice that means 'the parameters set in the controls'."""

SUMMARY_MONTHS = 12


def arm_params(choice: str, current: Mapping[str, Any], folder: Path) -> dict[str, Any]:
    """Parameters of an arm: the current controls, or a scenario with the current world
    size. Raises ScenarioError for a bad scenario file."""
    if choice == CURRENT:
        return dict(current)
    params = dict(load_scenario(folder / f"{choice}.toml").params)
    for name in LEVER_GROUPS["world_size"]:
        params[name] = current[name]
    return params


def run_arm(
    params: Mapping[str, Any],
    seed: int,
    months: int,
    progress: Callable[[int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> dict[str, list[float]]:
    """Run one arm for `months` and return its district series (outcome → monthly values)."""
    model = GovernanceModel(rng=seed, **params)
    try:
        for month in range(months):
            if cancelled is not None and cancelled():
                break
            model.step()
            if progress is not None:
                progress(month + 1)
        return {k: list(v) for k, v in model.datacollector.model_vars.items()}
    finally:
        model.remove_all_agents()


def summary(
    series_a: Mapping[str, Sequence[float]],
    series_b: Mapping[str, Sequence[float]],
    outcomes: Sequence[str],
    months: int = SUMMARY_MONTHS,
) -> list[tuple[str, float, float, float]]:
    """(outcome, mean of A, mean of B, B − A) over the last `months` months."""
    out = []
    for o in outcomes:
        a = float(np.mean(series_a[o][-months:])) if series_a.get(o) else float("nan")
        b = float(np.mean(series_b[o][-months:])) if series_b.get(o) else float("nan")
        out.append((o, a, b, b - a))
    return out
