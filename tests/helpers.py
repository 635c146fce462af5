"""Helpers for behavioural tests: paired-seed comparisons of two parameter sets."""

from __future__ import annotations

from sim.runner import run
from sim.stats import Estimate, paired_difference

from .conftest import MEDIUM

SEEDS = (11, 12, 13, 14, 15, 16)


def effect(
    outcome: str,
    change: dict,
    base: dict | None = None,
    seeds=SEEDS,
    steps: int = 36,
    world: dict = MEDIUM,
    stat: str = "mean",
) -> Estimate:
    """Paired difference of `<stat>_<outcome>` (mean over the last 12 months by default)
    between `base + change` and `base`, over `seeds` (same seed in both arms)."""
    base = {**world, **(base or {})}
    key = f"{stat}_{outcome}"
    treated = [run({**base, **change}, s, steps, series_period=None).summary[key] for s in seeds]
    reference = [run(base, s, steps, series_period=None).summary[key] for s in seeds]
    est, _ = paired_difference(treated, reference)
    return est
