"""Estimates over replicates: arm means with t-intervals, differences from the reference arm
paired by seed (common random numbers), two-factor interaction contrasts, and monthly series
bands."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from ..design import format_level
from ..stats import mean_ci, paired_difference
from .results import LEVEL, SweepResults

__all__ = [
    "arm_estimates",
    "paired_differences",
    "interaction_contrasts",
    "series_bands",
    "grid_levels",
    "conditional_effects",
]


def arm_estimates(res: SweepResults, level: float = LEVEL) -> pd.DataFrame:
    """Per arm and outcome: n (OK replicates), mean, sd and the t-interval of the mean."""
    t = res.table
    rows = []
    for arm, g in t.groupby("arm", sort=False):
        for o in res.outcomes:
            x = g[res.column(o)].to_numpy(dtype=float)
            est = mean_ci(x, level)
            sd = float(np.nanstd(x, ddof=1)) if est.n > 1 else float("nan")
            rows.append(
                {
                    "arm": arm,
                    "point": int(g["point"].iloc[0]),
                    "outcome": o,
                    "n": est.n,
                    "mean": est.mean,
                    "sd": sd,
                    "low": est.low,
                    "high": est.high,
                }
            )
    return pd.DataFrame(rows)


def _by_seed(res: SweepResults, outcome: str) -> pd.DataFrame:
    """Replicate × arm matrix of one outcome (NaN where the run is not OK)."""
    t = res.table
    return t.pivot_table(
        index="replicate", columns="arm", values=res.column(outcome), aggfunc="first", dropna=False
    )


def paired_differences(
    res: SweepResults, reference: str | None = None, level: float = LEVEL
) -> pd.DataFrame:
    """Each arm minus the reference arm, seed by seed: n pairs, mean difference, t-interval,
    Cohen's d_z and the paired t-test p-value."""
    reference = reference or res.reference
    if reference is None:
        return pd.DataFrame()
    arms = list(dict.fromkeys(res.table["arm"]))
    rows = []
    for o in res.outcomes:
        wide = _by_seed(res, o)
        if reference not in wide:
            continue
        for arm in arms:
            if arm == reference or arm not in wide:
                continue
            pair = wide[[arm, reference]].dropna()
            est, dz = paired_difference(pair[arm].to_numpy(), pair[reference].to_numpy(), level)
            d = (pair[arm] - pair[reference]).to_numpy()
            p = float("nan")
            if len(d) > 1 and np.std(d) > 0:
                with warnings.catch_warnings():  # near-identical differences: p is still right
                    warnings.simplefilter("ignore", RuntimeWarning)
                    p = float(stats.ttest_1samp(d, 0.0).pvalue)
            rows.append(
                {
                    "arm": arm,
                    "outcome": o,
                    "n": est.n,
                    "diff": est.mean,
                    "low": est.low,
                    "high": est.high,
                    "d_z": dz,
                    "p": p,
                }
            )
    return pd.DataFrame(rows)


def grid_levels(res: SweepResults) -> dict[str, list[Any]]:
    return {f["name"]: list(f.get("levels", [])) for f in res.info["factors"]}


def interaction_contrasts(res: SweepResults, level: float = LEVEL) -> pd.DataFrame:
    """Two-factor grids: the corner interaction contrast, seed by seed,
    y(A hi, B hi) − y(A hi, B lo) − y(A lo, B hi) + y(A lo, B lo), with a t-interval.
    Other factors (if any) are held at their first level. Zero means the effect of A does
    not depend on B (no interaction at the extremes)."""
    if res.kind != "grid" or len(res.factors) < 2:
        return pd.DataFrame()
    levels = grid_levels(res)
    a, b = res.factors[:2]
    rest = {f: levels[f][0] for f in res.factors[2:]}
    d = res.design

    def arm_at(va: Any, vb: Any) -> str | None:
        m = (d[a] == va) & (d[b] == vb)
        for f, v in rest.items():
            m &= d[f] == v
        hit = d.loc[m, "arm"]
        return str(hit.iloc[0]) if len(hit) else None

    corners = {(i, j): arm_at(levels[a][i], levels[b][j]) for i in (0, -1) for j in (0, -1)}
    if any(v is None for v in corners.values()):
        return pd.DataFrame()
    rows = []
    for o in res.outcomes:
        wide = _by_seed(res, o)
        cols = [corners[(-1, -1)], corners[(-1, 0)], corners[(0, -1)], corners[(0, 0)]]
        w = wide[cols].dropna()
        c = (w.iloc[:, 0] - w.iloc[:, 1] - w.iloc[:, 2] + w.iloc[:, 3]).to_numpy()
        est = mean_ci(c, level)
        rows.append(
            {
                "outcome": o,
                "factor_a": a,
                "factor_b": b,
                "a_low": levels[a][0],
                "a_high": levels[a][-1],
                "b_low": levels[b][0],
                "b_high": levels[b][-1],
                "n": est.n,
                "contrast": est.mean,
                "low": est.low,
                "high": est.high,
            }
        )
    return pd.DataFrame(rows)


def conditional_effects(res: SweepResults, level: float = LEVEL) -> pd.DataFrame:
    """Grids of two or more factors: the effect of the first factor (its last level minus
    its first) under each combination of the other factors (a *condition*), paired by seed,
    per outcome: condition (label), n pairs, mean difference, t-interval and Cohen's d_z."""
    if res.kind != "grid" or len(res.factors) < 2:
        return pd.DataFrame()
    levels = grid_levels(res)
    a, rest = res.factors[0], res.factors[1:]
    d = res.design
    rows = []
    for _, cond in d[d[a] == levels[a][0]].iterrows():
        match = np.ones(len(d), dtype=bool)
        for f in rest:
            match &= (d[f] == cond[f]).to_numpy()
        high = d.loc[match & (d[a] == levels[a][-1]).to_numpy(), "arm"]
        if high.empty:
            continue
        label = ", ".join(f"{f}={format_level(cond[f])}" for f in rest)
        for o in res.outcomes:
            wide = _by_seed(res, o)
            hi, lo = str(high.iloc[0]), str(cond["arm"])
            if hi not in wide or lo not in wide:
                continue
            pair = wide[[hi, lo]].dropna()
            est, dz = paired_difference(pair[hi].to_numpy(), pair[lo].to_numpy(), level)
            rows.append(
                {
                    "condition": label,
                    **{f: cond[f] for f in rest},
                    "outcome": o,
                    "n": est.n,
                    "diff": est.mean,
                    "low": est.low,
                    "high": est.high,
                    "d_z": dz,
                }
            )
    return pd.DataFrame(rows)


def series_bands(res: SweepResults, level: float = LEVEL) -> pd.DataFrame:
    """Per arm, step and kept outcome: mean over replicates and t-interval."""
    if res.series.empty:
        return pd.DataFrame()
    t = res.table[res.table["status"] == "ok"][["key", "arm"]]
    s = res.series.merge(t, on="key")
    out = []
    for o in res.outcomes:
        if o not in s:
            continue
        g = s.groupby(["arm", "step"], sort=False)[o].agg(["mean", "std", "count"]).reset_index()
        half = (
            stats.t.ppf(0.5 + level / 2, np.maximum(g["count"] - 1, 1))
            * g["std"]
            / np.sqrt(g["count"])
        )
        half = half.where(g["count"] > 1)
        out.append(g.assign(outcome=o, low=g["mean"] - half, high=g["mean"] + half))
    return pd.concat(out, ignore_index=True) if out else pd.DataFrame()
