"""Posterior predictive checks: run the calibrated model afresh and hold it to the targets.

The first n posterior draws each run with their own seeds, none used in the waves. For
every target the observed range is set against the spread of those runs: their 5%, 50% and
95% quantiles, the share of runs inside the range, and the share below the observation (a
posterior predictive p-value: near 0 or 1, the calibrated model misses the target). The same
draws give the emulator's error where the posterior lives (standardised: (run mean −
emulated mean) / sqrt(emulator variance + run variance / seeds); about 1 in RMS when the
emulator is honest).

The world-size check runs the same draws with the same seeds on a second world (the default
district instead of the reduced calibration world): the paired difference of each target,
with its 95% interval, in units of the target's standard deviation.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from sim.experiments.stats import paired_difference

from .history_matching import CHECKS, HistoryMatch, Simulator, run_array, stage_seed
from .targets import Target

__all__ = ["predictive_runs", "predictive_table", "world_size_table"]


def predictive_runs(
    simulator: Simulator,
    draws: pd.DataFrame,
    names: Sequence[str],
    n_draws: int,
    seeds: int,
    master: int,
    label: str = "check",
) -> pd.DataFrame:
    """Run the first `n_draws` posterior draws (columns `names`) with `seeds` fresh seeds
    each (derived from the calibration's master seed, none used in the waves; the same for
    any simulator, so two worlds' checks pair); one row per run: draw, replicate, seed and
    the targets' statistics."""
    points = draws[list(names)].head(n_draws).reset_index(drop=True)
    runs = simulator.simulate(label, points, seeds, stage_seed(master, CHECKS))
    return runs.rename(columns={"point": "draw"})


def predictive_table(
    runs: pd.DataFrame,
    targets: Sequence[Target],
    hm: HistoryMatch | None = None,
    draws: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """One row per target: observed range, the runs' quantiles, share in range, share below
    the observation, and (given the history match and the draws) the emulator's RMS
    standardised error at the draws."""
    rows = []
    emulated = None
    if hm is not None and draws is not None:
        n = int(runs["draw"].max()) + 1
        u = hm.prior.to_unit(draws[hm.prior.names].head(n))
        em = hm.waves[-1].emulator
        assert em is not None
        mean, var = em.predict(u)
        arr = run_array(runs.rename(columns={"draw": "point"}), n, [t.name for t in targets])
        emulated = (arr, mean, var, em.run_variance)
    for k, t in enumerate(targets):
        v = runs[t.name].to_numpy(dtype=float)
        v = v[np.isfinite(v)]
        row = {"target": t.name, "low": t.low, "high": t.high, "runs": len(v)}
        if len(v):
            q05, q50, q95 = np.quantile(v, [0.05, 0.5, 0.95])
            row.update(
                q05=q05,
                median=q50,
                q95=q95,
                in_range=float(np.mean((v >= t.low) & (v <= t.high))),
                below=float(np.mean(v < t.observed)),
            )
        if emulated is not None:
            arr, mean, var, run_var = emulated
            count = np.sum(np.isfinite(arr[:, :, k]), axis=1)
            ok = count > 0
            with np.errstate(invalid="ignore"):
                run_mean = np.nansum(arr[:, :, k], axis=1) / np.maximum(count, 1)
            err = (run_mean[ok] - mean[ok, k]) / np.sqrt(var[ok, k] + run_var[t.name] / count[ok])
            row["emulator_rms"] = float(np.sqrt(np.mean(err**2))) if ok.any() else math.nan
        rows.append(row)
    return pd.DataFrame(rows)


def world_size_table(
    reduced: pd.DataFrame, default: pd.DataFrame, targets: Sequence[Target]
) -> pd.DataFrame:
    """Paired differences default − reduced world per target (same draws and seeds): mean,
    95% interval, and the mean and the interval's half-width in units of the target's
    standard deviation."""
    keys = ["draw", "replicate"]
    both = reduced.merge(default, on=keys, suffixes=("_reduced", "_default"))
    rows = []
    for t in targets:
        a, b = both[f"{t.name}_default"], both[f"{t.name}_reduced"]
        ok = np.isfinite(a) & np.isfinite(b)
        est, _ = paired_difference(a[ok], b[ok])
        rows.append(
            {
                "target": t.name,
                "pairs": int(ok.sum()),
                "difference": est.mean,
                "low": est.low,
                "high": est.high,
                "in_sd": est.mean / t.sd,
                "half_width_in_sd": (est.high - est.low) / 2 / t.sd,
            }
        )
    return pd.DataFrame(rows)
