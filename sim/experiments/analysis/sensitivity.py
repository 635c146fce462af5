"""Global sensitivity of sampled designs: SALib Sobol' and Morris indices with bootstrap
intervals, and Spearman rank correlations, from the mean over replicates at each point."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from .results import LEVEL, SweepResults

__all__ = [
    "sobol_indices",
    "morris_indices",
    "rank_correlations",
    "incomplete_design",
    "BOOTSTRAP_RESAMPLES",
]

BOOTSTRAP_RESAMPLES = 1000


def _point_means(res: SweepResults, outcome: str) -> np.ndarray:
    """Mean over OK replicates at each design point, in design order (NaN if none)."""
    t = res.table
    m = t.groupby("point")[res.column(outcome)].mean()
    return m.reindex(range(len(res.design))).to_numpy(dtype=float)


def _problem(res: SweepResults) -> dict[str, Any]:
    return {
        "num_vars": len(res.factors),
        "names": res.factors,
        "bounds": [f["bounds"] for f in res.info["factors"]],
    }


def incomplete_design(res: SweepResults) -> str | None:
    for o in res.outcomes:
        y = _point_means(res, o)
        if np.isnan(y).any():
            return (
                f"{int(np.isnan(y).sum())} of {y.size} design points have no OK run; "
                "indices need every point (finish the sweep, or --retry-failed)"
            )
    return None


def sobol_indices(res: SweepResults, level: float = LEVEL) -> pd.DataFrame:
    """SALib Sobol' first-order (S1) and total (ST) indices with bootstrap CIs, per outcome,
    from the mean over replicates at each design point."""
    from SALib.analyze import sobol

    if res.kind != "sobol" or incomplete_design(res):
        return pd.DataFrame()
    rows = []
    for o in res.outcomes:
        y = _point_means(res, o)
        if np.nanstd(y) == 0:
            continue
        si = sobol.analyze(
            _problem(res),
            y,
            calc_second_order=bool(res.info.get("calc_second_order")),
            num_resamples=BOOTSTRAP_RESAMPLES,
            conf_level=level,
            seed=int(res.info.get("seed", 0)),
        )
        for i, f in enumerate(res.factors):
            rows.append(
                {
                    "outcome": o,
                    "factor": f,
                    "S1": si["S1"][i],
                    "S1_conf": si["S1_conf"][i],
                    "ST": si["ST"][i],
                    "ST_conf": si["ST_conf"][i],
                }
            )
    return pd.DataFrame(rows)


def _elementary_effects(x: np.ndarray, y: np.ndarray, num_vars: int, num_levels: int) -> np.ndarray:
    """Elementary effects (trajectories × factors) of a Morris sample, scaled as SALib does
    (step Δ = levels / (2 (levels − 1)) in the unit cube)."""
    delta = num_levels / (2.0 * (num_levels - 1))
    size = num_vars + 1
    traj = y.size // size
    ee = np.full((traj, num_vars), np.nan)
    xs = x.reshape(traj, size, num_vars)
    ys = y.reshape(traj, size)
    for t in range(traj):
        dx = np.diff(xs[t], axis=0)
        dy = np.diff(ys[t])
        for j in range(num_vars):
            i = int(np.argmax(np.abs(dx[j])))
            ee[t, i] = np.sign(dx[j, i]) * dy[j] / delta
    return ee


def morris_indices(res: SweepResults, level: float = LEVEL) -> pd.DataFrame:
    """SALib Morris screening per outcome: mu, mu* with SALib's bootstrap CI, sigma with a
    percentile bootstrap CI over trajectories (scipy.stats.bootstrap), from the mean over
    replicates at each design point."""
    from SALib.analyze import morris

    if res.kind != "morris" or incomplete_design(res):
        return pd.DataFrame()
    problem = _problem(res)
    names = res.factors
    design = res.design.sort_values("point")
    x_unit = np.column_stack(
        [
            (design[f"x_{f}"].to_numpy(float) - lo) / (hi - lo)
            for f, (lo, hi) in zip(names, problem["bounds"])
        ]
    )
    x_raw = np.column_stack([design[f"x_{f}"].to_numpy(float) for f in names])
    levels = int(res.info.get("levels", 4))
    seed = int(res.info.get("seed", 0))
    rows = []
    for o in res.outcomes:
        y = _point_means(res, o)
        si = morris.analyze(
            problem,
            x_raw,
            y,
            num_levels=levels,
            conf_level=level,
            num_resamples=BOOTSTRAP_RESAMPLES,
            seed=seed,
        )
        ee = _elementary_effects(x_unit, y, len(names), levels)
        for i, f in enumerate(names):
            e = ee[:, i][~np.isnan(ee[:, i])]
            lo = hi = float("nan")
            if e.size > 2 and np.std(e) > 0:
                boot = stats.bootstrap(
                    (e,),
                    lambda v, axis: np.std(v, ddof=1, axis=axis),
                    confidence_level=level,
                    method="percentile",
                    n_resamples=BOOTSTRAP_RESAMPLES,
                    rng=seed,
                )
                lo, hi = float(boot.confidence_interval.low), float(boot.confidence_interval.high)
            rows.append(
                {
                    "outcome": o,
                    "factor": f,
                    "mu": float(si["mu"][i]),
                    "mu_star": float(si["mu_star"][i]),
                    "mu_star_conf": float(si["mu_star_conf"][i]),
                    "sigma": float(si["sigma"][i]),
                    "sigma_low": lo,
                    "sigma_high": hi,
                    "trajectories": int(e.size),
                }
            )
    return pd.DataFrame(rows)


def rank_correlations(res: SweepResults) -> pd.DataFrame:
    """Sampled designs: Spearman rank correlation of each factor with each outcome (point
    means over replicates), with its p-value."""
    if res.kind not in ("lhs", "sobol", "morris"):
        return pd.DataFrame()
    rows = []
    d = res.design.sort_values("point")
    for o in res.outcomes:
        y = _point_means(res, o)
        ok = ~np.isnan(y)
        for f in res.factors:
            x = d[f].to_numpy(dtype=float)[ok]
            if ok.sum() < 3 or np.std(x) == 0 or np.std(y[ok]) == 0:
                rho, p = float("nan"), float("nan")
            else:
                r = stats.spearmanr(x, y[ok])
                rho, p = float(r.statistic), float(r.pvalue)
            rows.append({"outcome": o, "factor": f, "rho": rho, "p": p, "n": int(ok.sum())})
    return pd.DataFrame(rows)
