"""Reports of finished sweeps: statistics, figures and a Markdown report, from the store only.

    res = load_results("results/devolution_capacity")
    arm_estimates(res)            # per arm and outcome: mean and 95% t-interval over replicates
    paired_differences(res)       # arm − reference, paired by seed: mean, 95% CI, Cohen's d_z, p
    interaction_contrasts(res)    # two-factor grids: corner contrast (hi,hi)−(hi,lo)−(lo,hi)+(lo,lo)
    sobol_indices(res)            # sobol designs: SALib S1, ST with bootstrap CIs
    morris_indices(res)           # morris designs: SALib mu*, sigma (CIs by bootstrap)
    write_report("results/devolution_capacity")   # report.md + PNG figures

Every number comes from the stored results (sim.experiments.store): the plan says which run belongs to
which arm and replicate, and the runs table holds each run's summaries. The compared statistic
is the experiment's `statistic`: `mean` (mean of the last `window` months of a run, the
default) or `final` (last month). Replicates are independent seeds; arms share them (common
random numbers), so differences between arms are computed within seed.
"""

from __future__ import annotations

import math
import re
import warnings
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator
from scipy import stats

from sim.core.metrics import OUTCOMES
from sim.runs.files import atomic_path, atomic_write_text

from .stats import mean_ci, paired_difference
from .store import RunStore

__all__ = [
    "SweepResults",
    "load_results",
    "arm_estimates",
    "paired_differences",
    "interaction_contrasts",
    "sobol_indices",
    "morris_indices",
    "rank_correlations",
    "series_bands",
    "make_figures",
    "render_report",
    "write_report",
    "write_experiments_doc",
]

LEVEL = 0.95
DPI = 110
MAX_SERIES_ARMS = 10
BOOTSTRAP_RESAMPLES = 1000
DZ_NOTE = ("Cohen's d_z is the mean paired difference divided by the standard deviation of "
           "the paired differences (seed by seed). Because arms share seeds, it measures how "
           "consistently an arm differs from the reference across seeds; it is larger than "
           "Cohen's d computed from the spread of outcomes.")


# --- loading -------------------------------------------------------------------------------


@dataclass
class SweepResults:
    """A sweep's stored results, joined to its plan."""

    root: Path
    info: dict[str, Any]
    design: pd.DataFrame
    plan: pd.DataFrame
    runs: pd.DataFrame
    series: pd.DataFrame
    sessions: list[dict[str, Any]] = field(default_factory=list)

    @property
    def name(self) -> str:
        return str(self.info["name"])

    @property
    def kind(self) -> str:
        return str(self.info["kind"])

    @property
    def outcomes(self) -> list[str]:
        return list(self.info["outcomes"])

    @property
    def factors(self) -> list[str]:
        return [f["name"] for f in self.info["factors"]]

    @property
    def statistic(self) -> str:
        return str(self.info.get("statistic", "mean"))

    @property
    def reference(self) -> str | None:
        return self.info.get("reference")

    def column(self, outcome: str) -> str:
        return f"{self.statistic}_{outcome}"

    @cached_property
    def table(self) -> pd.DataFrame:
        """One row per planned run: plan columns, factor values, status
        (ok/failed/missing), error and the summary columns of the kept outcomes."""
        keep = ["key", "status", "error", "elapsed",
                *[c for c in (self.column(o) for o in self.outcomes) if c in self.runs]]
        runs = self.runs[[c for c in keep if c in self.runs]]
        t = self.plan.merge(runs, on="key", how="left")
        t["status"] = t["status"].fillna("missing").astype(str)
        factors = self.design[["point", *self.factors]]
        t = t.merge(factors, on="point", how="left")
        for o in self.outcomes:
            c = self.column(o)
            if c not in t:
                t[c] = np.nan
            t.loc[t["status"] != "ok", c] = np.nan
        return t

    def counts(self) -> dict[str, int]:
        t = self.table.drop_duplicates("key")
        vc = t["status"].value_counts()
        return {k: int(vc.get(k, 0)) for k in ("ok", "failed", "missing")}


def load_results(root: str | Path) -> SweepResults:
    """Read a sweep's results folder (raises ResultsError if it is not one)."""
    store = RunStore.open(root)
    info = store.info()
    plan = store.plan()
    runs = store.runs()
    series = store.series(keys=list(plan["key"].unique())) if info.get("series_period") else \
        pd.DataFrame(columns=["key", "step"])
    return SweepResults(root=Path(root), info=info, design=store.design(), plan=plan,
                        runs=runs, series=series, sessions=store.sessions())


# --- statistics ----------------------------------------------------------------------------


def arm_estimates(res: SweepResults, level: float = LEVEL) -> pd.DataFrame:
    """Per arm and outcome: n (OK replicates), mean, sd and the t-interval of the mean."""
    t = res.table
    rows = []
    for arm, g in t.groupby("arm", sort=False):
        for o in res.outcomes:
            x = g[res.column(o)].to_numpy(dtype=float)
            est = mean_ci(x, level)
            sd = float(np.nanstd(x, ddof=1)) if est.n > 1 else float("nan")
            rows.append({"arm": arm, "point": int(g["point"].iloc[0]), "outcome": o,
                         "n": est.n, "mean": est.mean, "sd": sd, "low": est.low,
                         "high": est.high})
    return pd.DataFrame(rows)


def _by_seed(res: SweepResults, outcome: str) -> pd.DataFrame:
    """Replicate × arm matrix of one outcome (NaN where the run is not OK)."""
    t = res.table
    return t.pivot_table(index="replicate", columns="arm", values=res.column(outcome),
                         aggfunc="first", dropna=False)


def paired_differences(res: SweepResults, reference: str | None = None,
                       level: float = LEVEL) -> pd.DataFrame:
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
            rows.append({"arm": arm, "outcome": o, "n": est.n, "diff": est.mean,
                         "low": est.low, "high": est.high, "d_z": dz, "p": p})
    return pd.DataFrame(rows)


def _grid_levels(res: SweepResults) -> dict[str, list[Any]]:
    return {f["name"]: list(f.get("levels", [])) for f in res.info["factors"]}


def interaction_contrasts(res: SweepResults, level: float = LEVEL) -> pd.DataFrame:
    """Two-factor grids: the corner interaction contrast, seed by seed,
    y(A hi, B hi) − y(A hi, B lo) − y(A lo, B hi) + y(A lo, B lo), with a t-interval.
    Other factors (if any) are held at their first level. Zero means the effect of A does
    not depend on B (no interaction at the extremes)."""
    if res.kind != "grid" or len(res.factors) < 2:
        return pd.DataFrame()
    levels = _grid_levels(res)
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
        rows.append({"outcome": o, "factor_a": a, "factor_b": b,
                     "a_low": levels[a][0], "a_high": levels[a][-1],
                     "b_low": levels[b][0], "b_high": levels[b][-1],
                     "n": est.n, "contrast": est.mean, "low": est.low, "high": est.high})
    return pd.DataFrame(rows)


def _point_means(res: SweepResults, outcome: str) -> np.ndarray:
    """Mean over OK replicates at each design point, in design order (NaN if none)."""
    t = res.table
    m = t.groupby("point")[res.column(outcome)].mean()
    return m.reindex(range(len(res.design))).to_numpy(dtype=float)


def _problem(res: SweepResults) -> dict[str, Any]:
    return {"num_vars": len(res.factors), "names": res.factors,
            "bounds": [f["bounds"] for f in res.info["factors"]]}


def _incomplete(res: SweepResults) -> str | None:
    for o in res.outcomes:
        y = _point_means(res, o)
        if np.isnan(y).any():
            return (f"{int(np.isnan(y).sum())} of {y.size} design points have no OK run; "
                    "indices need every point (finish the sweep, or --retry-failed)")
    return None


def sobol_indices(res: SweepResults, level: float = LEVEL) -> pd.DataFrame:
    """SALib Sobol' first-order (S1) and total (ST) indices with bootstrap CIs, per outcome,
    from the mean over replicates at each design point."""
    from SALib.analyze import sobol

    if res.kind != "sobol" or _incomplete(res):
        return pd.DataFrame()
    rows = []
    for o in res.outcomes:
        y = _point_means(res, o)
        if np.nanstd(y) == 0:
            continue
        si = sobol.analyze(_problem(res), y, calc_second_order=bool(
            res.info.get("calc_second_order")), num_resamples=BOOTSTRAP_RESAMPLES,
            conf_level=level, seed=int(res.info.get("seed", 0)))
        for i, f in enumerate(res.factors):
            rows.append({"outcome": o, "factor": f, "S1": si["S1"][i],
                         "S1_conf": si["S1_conf"][i], "ST": si["ST"][i],
                         "ST_conf": si["ST_conf"][i]})
    return pd.DataFrame(rows)


def _elementary_effects(x: np.ndarray, y: np.ndarray, num_vars: int,
                        num_levels: int) -> np.ndarray:
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

    if res.kind != "morris" or _incomplete(res):
        return pd.DataFrame()
    problem = _problem(res)
    names = res.factors
    design = res.design.sort_values("point")
    x_unit = np.column_stack([
        (design[f"x_{f}"].to_numpy(float) - lo) / (hi - lo)
        for f, (lo, hi) in zip(names, problem["bounds"])])
    x_raw = np.column_stack([design[f"x_{f}"].to_numpy(float) for f in names])
    levels = int(res.info.get("levels", 4))
    seed = int(res.info.get("seed", 0))
    rows = []
    for o in res.outcomes:
        y = _point_means(res, o)
        si = morris.analyze(problem, x_raw, y, num_levels=levels, conf_level=level,
                            num_resamples=BOOTSTRAP_RESAMPLES, seed=seed)
        ee = _elementary_effects(x_unit, y, len(names), levels)
        for i, f in enumerate(names):
            e = ee[:, i][~np.isnan(ee[:, i])]
            lo = hi = float("nan")
            if e.size > 2 and np.std(e) > 0:
                boot = stats.bootstrap((e,), lambda v, axis: np.std(v, ddof=1, axis=axis),
                                       confidence_level=level, method="percentile",
                                       n_resamples=BOOTSTRAP_RESAMPLES, rng=seed)
                lo, hi = float(boot.confidence_interval.low), float(boot.confidence_interval.high)
            rows.append({"outcome": o, "factor": f, "mu": float(si["mu"][i]),
                         "mu_star": float(si["mu_star"][i]),
                         "mu_star_conf": float(si["mu_star_conf"][i]),
                         "sigma": float(si["sigma"][i]), "sigma_low": lo, "sigma_high": hi,
                         "trajectories": int(e.size)})
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
        half = stats.t.ppf(0.5 + level / 2, np.maximum(g["count"] - 1, 1)) * g["std"] / \
            np.sqrt(g["count"])
        half = half.where(g["count"] > 1)
        out.append(g.assign(outcome=o, low=g["mean"] - half, high=g["mean"] + half))
    return pd.concat(out, ignore_index=True) if out else pd.DataFrame()


# --- figures -------------------------------------------------------------------------------


def _grid_axes(n: int, title: str, width: float = 4.2, height: float = 3.2,
               cols: int | None = None) -> tuple[Figure, list]:
    cols = cols or min(3, n)
    rows = math.ceil(n / cols)
    fig = Figure(figsize=(width * cols, height * rows + 0.6), dpi=DPI, layout="constrained")
    axes = fig.subplots(rows, cols, squeeze=False).ravel().tolist()
    for ax in axes[n:]:
        ax.set_visible(False)
    fig.suptitle(title, fontsize=12, fontweight="bold")
    return fig, axes[:n]


def _numeric(values: list[Any]) -> bool:
    return all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values)


def _xpos(values: list[Any]) -> tuple[list[float], list[str]]:
    if _numeric(values):
        return [float(v) for v in values], [_fmt(v) for v in values]
    return list(range(len(values))), [_fmt(v) for v in values]


def fig_effects(res: SweepResults, est: pd.DataFrame) -> Figure | None:
    """Grid designs: outcome vs the first factor, one line per level of the second factor
    (if any), mean with 95% CI band; further factors at their first level."""
    if res.kind != "grid" or not res.factors:
        return None
    levels = _grid_levels(res)
    a = res.factors[0]
    b = res.factors[1] if len(res.factors) > 1 else None
    rest = {f: levels[f][0] for f in res.factors[2:]}
    e = est.merge(res.design, on=["arm", "point"])
    for f, v in rest.items():
        e = e[e[f] == v]
    x, labels = _xpos(levels[a])
    title = f"Mean and 95% CI over replicates vs {a}" + (f", by {b}" if b else "")
    fig, axes = _grid_axes(len(res.outcomes), title)
    groups = levels[b] if b else [None]
    colors = _colors(len(groups))
    for ax, o in zip(axes, res.outcomes):
        for color, vb in zip(colors, groups):
            g = e[e["outcome"] == o]
            if b is not None:
                g = g[g[b] == vb]
            g = g.set_index(a).reindex(levels[a])
            ax.plot(x, g["mean"], marker="o", color=color,
                    label=f"{b} = {_fmt(vb)}" if b else None)
            ax.fill_between(x, g["low"], g["high"], color=color, alpha=0.2, linewidth=0)
        ax.set_title(o, fontsize=10)
        ax.set_xticks(x, labels)
        ax.set_xlabel(a)
        ax.grid(True, alpha=0.3)
    if b:
        axes[0].legend(fontsize=8)
    return fig


def fig_heatmaps(res: SweepResults, est: pd.DataFrame) -> Figure | None:
    """Two-factor grids: mean of each outcome over the factor grid (interaction at a
    glance); cells annotated with the mean."""
    if res.kind != "grid" or len(res.factors) < 2:
        return None
    levels = _grid_levels(res)
    a, b = res.factors[:2]
    rest = {f: levels[f][0] for f in res.factors[2:]}
    e = est.merge(res.design, on=["arm", "point"])
    for f, v in rest.items():
        e = e[e[f] == v]
    fig, axes = _grid_axes(len(res.outcomes), f"Mean over replicates: {b} (rows) × {a} "
                           "(columns)", width=4.4, height=3.6)
    for ax, o in zip(axes, res.outcomes):
        g = e[e["outcome"] == o]
        m = g.pivot_table(index=b, columns=a, values="mean", aggfunc="first", dropna=False)
        m = m.reindex(index=levels[b], columns=levels[a])
        im = ax.imshow(m.to_numpy(float), origin="lower", aspect="auto", cmap="viridis")
        ax.set_xticks(range(len(levels[a])), [_fmt(v) for v in levels[a]])
        ax.set_yticks(range(len(levels[b])), [_fmt(v) for v in levels[b]])
        ax.set_xlabel(a)
        ax.set_ylabel(b)
        ax.set_title(o, fontsize=10)
        vals = m.to_numpy(float)
        finite = vals[np.isfinite(vals)]
        mid = (finite.min() + finite.max()) / 2 if finite.size else 0
        for i in range(vals.shape[0]):
            for j in range(vals.shape[1]):
                if np.isfinite(vals[i, j]):
                    ax.text(j, i, _num(vals[i, j]), ha="center", va="center", fontsize=7,
                            color="white" if vals[i, j] < mid else "black")
        fig.colorbar(im, ax=ax, shrink=0.8)
    return fig


def fig_differences(res: SweepResults, diffs: pd.DataFrame) -> Figure | None:
    """Forest plot: each arm minus the reference (paired by seed), mean and 95% CI."""
    if diffs.empty:
        return None
    arms = list(dict.fromkeys(diffs["arm"]))
    if len(arms) > 30:
        return None
    fig, axes = _grid_axes(len(res.outcomes), "Difference from the reference arm, paired "
                           f"by seed: mean and 95% CI\nreference: {_short(str(res.reference), 90)}",
                           width=5.0, height=0.5 + 0.32 * len(arms), cols=2)
    y = np.arange(len(arms))[::-1]
    for ax, o in zip(axes, res.outcomes):
        g = diffs[diffs["outcome"] == o].set_index("arm").reindex(arms)
        err = np.vstack([(g["diff"] - g["low"]).to_numpy(), (g["high"] - g["diff"]).to_numpy()])
        sig = ((g["low"] > 0) | (g["high"] < 0)).to_numpy()
        ax.errorbar(g["diff"], y, xerr=np.nan_to_num(err), fmt="none", ecolor="0.4",
                    capsize=3)
        ax.scatter(g["diff"], y, c=np.where(sig, "tab:red", "tab:gray"), zorder=3, s=18)
        ax.axvline(0, color="black", linewidth=0.8)
        ax.xaxis.set_major_locator(MaxNLocator(nbins=4))
        ax.set_yticks(y, [_short(a) for a in arms], fontsize=7)
        ax.set_title(o, fontsize=10)
        ax.grid(True, axis="x", alpha=0.3)
    return fig


def fig_series(res: SweepResults, bands: pd.DataFrame) -> Figure | None:
    """Kept series: mean over replicates per arm with 95% CI band."""
    if bands.empty:
        return None
    arms = list(dict.fromkeys(res.table["arm"]))
    if len(arms) > MAX_SERIES_ARMS:
        keep = [res.reference] if res.reference in arms else []
        keep += [a for a in (arms[0], arms[-1]) if a not in keep]
        arms = keep
    fig, axes = _grid_axes(len(res.outcomes), "Monthly series: mean over replicates and "
                           "95% CI, per arm", width=4.6, height=3.2)
    colors = _colors(len(arms))
    for ax, o in zip(axes, res.outcomes):
        for color, arm in zip(colors, arms):
            g = bands[(bands["outcome"] == o) & (bands["arm"] == arm)].sort_values("step")
            if g.empty:
                continue
            style = "--" if arm == res.reference else "-"
            ax.plot(g["step"], g["mean"], style, color=color, linewidth=1.2, label=_short(arm))
            ax.fill_between(g["step"], g["low"], g["high"], color=color, alpha=0.15,
                            linewidth=0)
        ax.set_title(o, fontsize=10)
        ax.set_xlabel("month")
        ax.grid(True, alpha=0.3)
    axes[0].legend(fontsize=6.5, loc="best")
    return fig


def fig_sobol(res: SweepResults, si: pd.DataFrame) -> Figure | None:
    if si.empty:
        return None
    outcomes = list(dict.fromkeys(si["outcome"]))
    fig, axes = _grid_axes(len(outcomes), "Sobol' indices: first-order S1 and total ST "
                           "with 95% bootstrap CI", width=5.2,
                           height=0.6 + 0.28 * len(res.factors), cols=2)
    for ax, o in zip(axes, outcomes):
        g = si[si["outcome"] == o].sort_values("ST")
        y = np.arange(len(g))
        ax.barh(y - 0.2, g["S1"], height=0.4, xerr=g["S1_conf"], label="S1",
                color="tab:blue", error_kw={"elinewidth": 0.8})
        ax.barh(y + 0.2, g["ST"], height=0.4, xerr=g["ST_conf"], label="ST",
                color="tab:orange", error_kw={"elinewidth": 0.8})
        ax.set_yticks(y, g["factor"], fontsize=7)
        ax.set_title(o, fontsize=10)
        ax.axvline(0, color="black", linewidth=0.6)
        ax.grid(True, axis="x", alpha=0.3)
    axes[0].legend(fontsize=8)
    return fig


def fig_morris(res: SweepResults, mi: pd.DataFrame) -> Figure | None:
    if mi.empty:
        return None
    outcomes = list(dict.fromkeys(mi["outcome"]))
    fig, axes = _grid_axes(len(outcomes), "Morris screening: mu* vs sigma with 95% "
                           "bootstrap CIs", width=5.0, height=4.2, cols=2)
    for ax, o in zip(axes, outcomes):
        g = mi[mi["outcome"] == o]
        yerr = np.vstack([(g["sigma"] - g["sigma_low"]).to_numpy(),
                          (g["sigma_high"] - g["sigma"]).to_numpy()])
        ax.errorbar(g["mu_star"], g["sigma"], xerr=g["mu_star_conf"],
                    yerr=np.nan_to_num(np.clip(yerr, 0, None)), fmt="o", markersize=4,
                    ecolor="0.6", elinewidth=0.8, capsize=2)
        top = g.sort_values("mu_star", ascending=False).head(6)
        for _, r in top.iterrows():
            ax.annotate(r["factor"], (r["mu_star"], r["sigma"]), fontsize=6.5,
                        xytext=(3, 3), textcoords="offset points")
        hi = float(np.nanmax(np.concatenate([g["mu_star"], g["sigma"]]))) if len(g) else 1
        ax.plot([0, hi], [0, hi], ":", color="0.5", linewidth=0.8)
        ax.set_xlabel("mu* (mean |elementary effect|)")
        ax.set_ylabel("sigma")
        ax.set_title(o, fontsize=10)
        ax.grid(True, alpha=0.3)
    return fig


def fig_correlations(res: SweepResults, rc: pd.DataFrame) -> Figure | None:
    if rc.empty or res.kind != "lhs":
        return None
    m = rc.pivot_table(index="factor", columns="outcome", values="rho", aggfunc="first")
    m = m.reindex(index=res.factors, columns=res.outcomes)
    fig = Figure(figsize=(1.2 * len(res.outcomes) + 3, 0.35 * len(res.factors) + 1.8),
                 dpi=DPI, layout="constrained")
    ax = fig.subplots()
    im = ax.imshow(m.to_numpy(float), cmap="RdBu_r", vmin=-1, vmax=1, aspect="auto")
    ax.set_xticks(range(len(m.columns)), m.columns, rotation=30, ha="right", fontsize=8)
    ax.set_yticks(range(len(m.index)), m.index, fontsize=8)
    fig.colorbar(im, ax=ax, label="Spearman rho")
    fig.suptitle("Rank correlation of factors with outcomes", fontsize=12, fontweight="bold")
    return fig


def _colors(n: int) -> list[Any]:
    from matplotlib import colormaps

    cmap = colormaps["tab10" if n <= 10 else "viridis"]
    return [cmap(i if n <= 10 else i / max(1, n - 1)) for i in range(n)]


def _short(label: str, width: int = 48) -> str:
    return label if len(label) <= width else label[: width - 1] + "…"


def make_figures(res: SweepResults) -> dict[str, Figure]:
    """Every figure the report shows, by file stem."""
    est = arm_estimates(res)
    figs = {
        "effects": fig_effects(res, est),
        "heatmaps": fig_heatmaps(res, est),
        "differences": fig_differences(res, paired_differences(res)),
        "series": fig_series(res, series_bands(res)),
        "sobol": fig_sobol(res, sobol_indices(res)),
        "morris": fig_morris(res, morris_indices(res)),
        "correlations": fig_correlations(res, rank_correlations(res)),
    }
    return {k: v for k, v in figs.items() if v is not None}


# --- Markdown ------------------------------------------------------------------------------


def _fmt(v: Any) -> str:
    if isinstance(v, (bool, np.bool_)):
        return "true" if v else "false"
    if isinstance(v, (float, np.floating)):
        return f"{float(v):g}"
    return str(v)


def _num(x: Any) -> str:
    """Numbers for tables: 3 significant digits, thousands separators for large values."""
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "–"
    x = float(x)
    if abs(x) >= 1000:
        return f"{x:,.0f}"
    if x == 0:
        return "0"
    return f"{x:.3g}"


def _ci(mean: float, low: float, high: float) -> str:
    if not math.isfinite(low):
        return f"{_num(mean)}"
    return f"{_num(mean)} [{_num(low)}, {_num(high)}]"


def _p(p: float) -> str:
    if not math.isfinite(p):
        return "–"
    return "<0.001" if p < 0.001 else f"{p:.3f}"


def _table(headers: list[str], rows: list[list[str]]) -> str:
    out = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    out += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(out)


def _md_escape(text: str) -> str:
    return text.replace("|", "\\|")


def _last_session(res: SweepResults) -> dict[str, Any]:
    """The latest sweep session that ran anything (its wall time is what the sweep took)."""
    ran = [s for s in res.sessions if int(s.get("ran", 0) or 0) > 0]
    return ran[-1] if ran else {}


def _duration(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} s"
    return f"{seconds / 60:.1f} min"


def findings(res: SweepResults) -> list[str]:
    """Plain-language statements generated from the statistics (no hand-written numbers)."""
    out = []
    diffs = paired_differences(res)
    if not diffs.empty:
        for o in res.outcomes:
            g = diffs[diffs["outcome"] == o]
            if g.empty:
                continue
            sig = g[(g["low"] > 0) | (g["high"] < 0)]
            line = (f"**{o}**: {len(sig)} of {len(g)} arms differ from the reference with a "
                    "95% CI that excludes zero")
            if len(sig):
                top = sig.loc[sig["diff"].abs().idxmax()]
                line += (f"; the largest difference is {_short(str(top['arm']), 70)}: "
                         f"{_ci(top['diff'], top['low'], top['high'])} "
                         f"(d_z = {_num(top['d_z'])})")
            out.append(line + ".")
    inter = interaction_contrasts(res)
    for _, r in inter.iterrows():
        if r["low"] > 0:
            verdict = ("positive interaction: with both factors high the outcome is higher "
                       "than the two separate effects add up to")
        elif r["high"] < 0:
            verdict = ("negative interaction: with both factors high the outcome is lower "
                       "than the two separate effects add up to")
        elif r["low"] == r["high"] == 0:
            verdict = "exactly additive in every seed"
        else:
            verdict = "no interaction is detectable at this number of replicates"
        out.append(f"**{r['outcome']}** interaction of {r['factor_a']} × {r['factor_b']} "
                   f"(corner contrast): {_ci(r['contrast'], r['low'], r['high'])} — {verdict}.")
    si = sobol_indices(res)
    for o in dict.fromkeys(si["outcome"]) if not si.empty else []:
        g = si[si["outcome"] == o].sort_values("ST", ascending=False).head(3)
        items = ", ".join(f"{r['factor']} (ST {_num(r['ST'])} ± {_num(r['ST_conf'])})"
                          for _, r in g.iterrows())
        out.append(f"**{o}**: largest total Sobol' indices: {items}.")
    mi = morris_indices(res)
    for o in dict.fromkeys(mi["outcome"]) if not mi.empty else []:
        g = mi[mi["outcome"] == o].sort_values("mu_star", ascending=False).head(3)
        items = ", ".join(f"{r['factor']} (mu* {_num(r['mu_star'])} ± "
                          f"{_num(r['mu_star_conf'])})" for _, r in g.iterrows())
        out.append(f"**{o}**: most influential by Morris mu*: {items}.")
    return out


def render_report(res: SweepResults, figures: list[str], *, fig_prefix: str = "",
                  level: int = 1, command: str | None = None) -> str:
    """The Markdown report; `figures` are file stems present, linked as
    `<fig_prefix><stem>.png`; `level` is the heading level of the title."""
    h = "#" * level
    info = res.info
    counts = res.counts()
    session = _last_session(res)
    n_arms = len(res.design)
    stat_text = (f"mean of the last {info.get('window')} months of each run"
                 if res.statistic == "mean" else "value in the last month of each run")
    lines = [f"{h} {res.name}", ""]
    if info.get("description"):
        lines += [_md_escape(str(info["description"])), ""]
    fixed = ", ".join(f"{k} = {_fmt(v)}" for k, v in (info.get("fixed") or {}).items())
    unit = "point" if info["kind"] in ("lhs", "sobol", "morris") else "arm"
    design_line = (f"{info['kind']} design, {n_arms} {unit}{'s' if n_arms != 1 else ''} × "
                   f"{info['replicates']} replicates = {n_arms * info['replicates']} runs of "
                   f"{info['steps']} months")
    if info["kind"] in ("lhs", "sobol", "morris"):
        design_line += f" (SALib {info['kind']}, N = {info.get('n')}"
        design_line += f", {info.get('levels')} levels)" if info["kind"] == "morris" else ")"
    lines += [
        f"- Design: {design_line}; master seed {info['seed']}, replicate seeds shared by "
        f"every {unit} (common random numbers).",
        f"- Base scenario: `{info['scenario']}`" + (f"; fixed: {fixed}." if fixed else "."),
        f"- Distinct runs stored: {counts['ok']} ok, {counts['failed']} failed, "
        f"{counts['missing']} not run; model version {info.get('model_version')}, code "
        f"`{info.get('model_code', '?')}`.",
        f"- Compared statistic: {stat_text} (`{res.statistic}_<outcome>`)"
        + ("; intervals are 95% t-intervals over replicates." if unit == "arm" else "."),
    ]
    if session:
        resumed = (f", {session['already_ok']} were already stored"
                   if session.get("already_ok") else "")
        lines.append(f"- Sweep wall time: {_duration(float(session['wall_seconds']))} for "
                     f"{session['ran']} runs{resumed} ({session.get('evaluator', '')}, "
                     f"{str(session.get('started', ''))[:10]}).")
    if command:
        lines.append(f"- Reproduce: `{command}`")
    if res.kind == "arms":
        lines.append("- Arms (on top of the base scenario and the fixed values):")
        for arm, values in (info.get("arms") or {}).items():
            sets = ", ".join(f"{k} = {_fmt(v)}" for k, v in values.items()) or "nothing"
            lines.append(f"  - `{arm}`: {sets}")
    if info["kind"] == "grid":
        for f in info["factors"]:
            sets = f" (sets {', '.join(f['params'])})" if f["params"] != [f["name"]] else ""
            lines.append(f"- Factor `{f['name']}`{sets}: "
                         + ", ".join(_fmt(v) for v in f.get("levels", [])))
    lines.append("")

    if res.kind in ("grid", "arms"):
        lines += _arm_sections(res, figures, fig_prefix, h)
    else:
        lines += _sampled_sections(res, figures, fig_prefix, h)
    if "series" in figures:
        lines += [f"{h}# Monthly series", "",
                  f"![series]({fig_prefix}series.png)", ""]
    notes = findings(res)
    if notes:
        lines += [f"{h}# What the numbers show", ""]
        lines += [f"- {n}" for n in notes]
        lines.append("")
    failed = res.table[res.table["status"] == "failed"].drop_duplicates("key")
    if len(failed):
        lines += [f"{h}# Failed runs", "", _table(
            ["arm", "replicate", "seed", "error"],
            [[_md_escape(_short(str(r["arm"]), 60)), str(r["replicate"]), str(r["seed"]),
              _md_escape(str(r["error"]).splitlines()[0][:120])]
             for _, r in failed.head(20).iterrows()]), ""]
    return "\n".join(lines)


def _arm_sections(res: SweepResults, figures: list[str], prefix: str, h: str) -> list[str]:
    est = arm_estimates(res)
    lines = [f"{h}# Outcomes by arm", "",
             "Mean over replicates and 95% CI; n = replicates with an OK run.", ""]
    arms = list(dict.fromkeys(est["arm"]))
    rows = []
    for arm in arms:
        g = est[est["arm"] == arm].set_index("outcome")
        ref = " (reference)" if arm == res.reference else ""
        rows.append([_md_escape(arm) + ref, str(int(g["n"].min()))] +
                    [_ci(g.loc[o, "mean"], g.loc[o, "low"], g.loc[o, "high"])
                     for o in res.outcomes])
    lines += [_table(["arm", "n", *res.outcomes], rows), ""]
    for stem, caption in (("effects", "Effects"), ("heatmaps", "Interaction heatmaps")):
        if stem in figures:
            lines += [f"![{caption}]({prefix}{stem}.png)", ""]

    diffs = paired_differences(res)
    if not diffs.empty:
        lines += [f"{h}# Differences from the reference arm", "",
                  f"Reference: **{_md_escape(str(res.reference))}**. Each arm minus the "
                  "reference, paired by seed (replicate i of every arm has the same seed): "
                  "mean difference with 95% t-interval, Cohen's d_z and the paired t-test "
                  "p-value. " + DZ_NOTE, ""]
        for o in res.outcomes:
            g = diffs[diffs["outcome"] == o]
            if g.empty:
                continue
            rows = [[_md_escape(str(r["arm"])), str(int(r["n"])),
                     _ci(r["diff"], r["low"], r["high"]), _num(r["d_z"]), _p(r["p"])]
                    for _, r in g.iterrows()]
            lines += [f"**{o}** — {OUTCOMES.get(o, '')}", "",
                      _table(["arm", "pairs", "difference [95% CI]", "d_z", "p"], rows), ""]
        if "differences" in figures:
            lines += [f"![Differences]({prefix}differences.png)", ""]
    inter = interaction_contrasts(res)
    if not inter.empty:
        r0 = inter.iloc[0]
        lines += [f"{h}# Interaction", "",
                  f"Corner contrast per seed: y({r0['factor_a']}={_fmt(r0['a_high'])}, "
                  f"{r0['factor_b']}={_fmt(r0['b_high'])}) − y({r0['factor_a']}="
                  f"{_fmt(r0['a_high'])}, {r0['factor_b']}={_fmt(r0['b_low'])}) − "
                  f"y({r0['factor_a']}={_fmt(r0['a_low'])}, {r0['factor_b']}="
                  f"{_fmt(r0['b_high'])}) + y(both low); zero means the effect of one factor "
                  "does not depend on the other.", "",
                  _table(["outcome", "pairs", "contrast [95% CI]"],
                         [[r["outcome"], str(int(r["n"])), _ci(r["contrast"], r["low"],
                                                               r["high"])]
                          for _, r in inter.iterrows()]), ""]
    return lines


def _sampled_sections(res: SweepResults, figures: list[str], prefix: str, h: str) -> list[str]:
    lines: list[str] = []
    problem = _incomplete(res)
    reps = res.info["replicates"]
    avg = (f"Each design point's output is the mean over its {reps} replicate"
           f"{'s' if reps != 1 else ''} (the same seeds at every point), which removes "
           "part of the run-to-run noise before the indices are computed.")
    if problem:
        lines += [f"Sensitivity indices not computed: {problem}.", ""]
    if res.kind == "sobol":
        si = sobol_indices(res)
        if not si.empty:
            lines += [f"{h}# Sobol' indices", "",
                      "First-order (S1) and total (ST) indices from SALib "
                      "`sobol.analyze`, with 95% bootstrap confidence half-widths "
                      f"({BOOTSTRAP_RESAMPLES} resamples). " + avg, ""]
            for o in dict.fromkeys(si["outcome"]):
                g = si[si["outcome"] == o].sort_values("ST", ascending=False)
                rows = [[r["factor"], f"{_num(r['S1'])} ± {_num(r['S1_conf'])}",
                         f"{_num(r['ST'])} ± {_num(r['ST_conf'])}"] for _, r in g.iterrows()]
                lines += [f"**{o}**", "", _table(["factor", "S1", "ST"], rows), ""]
    if res.kind == "morris":
        mi = morris_indices(res)
        if not mi.empty:
            lines += [f"{h}# Morris screening", "",
                      "mu* (mean absolute elementary effect, with SALib's 95% bootstrap "
                      "half-width), mu (signed mean) and sigma (spread of elementary effects: "
                      "interactions or non-linearity, with a 95% percentile bootstrap "
                      "interval over trajectories); effects per unit of the factor's "
                      "range scaled as in SALib. " + avg, ""]
            for o in dict.fromkeys(mi["outcome"]):
                g = mi[mi["outcome"] == o].sort_values("mu_star", ascending=False)
                rows = [[r["factor"], f"{_num(r['mu_star'])} ± {_num(r['mu_star_conf'])}",
                         _num(r["mu"]),
                         _ci(r["sigma"], r["sigma_low"], r["sigma_high"])]
                        for _, r in g.iterrows()]
                lines += [f"**{o}**", "", _table(["factor", "mu*", "mu", "sigma [95% CI]"],
                                                rows), ""]
    rc = rank_correlations(res)
    if res.kind == "lhs" and not rc.empty:
        lines += [f"{h}# Rank correlations", "",
                  "Spearman rho of each factor with each outcome over design points (point "
                  "means over replicates), with p-values.", ""]
        rows = [[r["factor"], r["outcome"], _num(r["rho"]), _p(r["p"])]
                for _, r in rc.iterrows()]
        lines += [_table(["factor", "outcome", "rho", "p"], rows), ""]
    for stem, caption in (("sobol", "Sobol indices"), ("morris", "Morris screening"),
                          ("correlations", "Rank correlations")):
        if stem in figures:
            lines += [f"![{caption}]({prefix}{stem}.png)", ""]
    return lines


def _save(fig: Figure, path: Path) -> None:
    with atomic_path(path) as tmp, open(tmp, "xb") as fh:
        fig.savefig(fh, format="png")


def write_report(root: str | Path, out: str | Path | None = None) -> Path:
    """Write `report.md` and its PNG figures into `out` (default: <root>/report); return
    the report's path."""
    res = load_results(root)
    out = Path(out) if out is not None else Path(root) / "report"
    out.mkdir(parents=True, exist_ok=True)
    figs = make_figures(res)
    for stem, fig in figs.items():
        _save(fig, out / f"{stem}.png")
    text = render_report(res, list(figs), command=res.info.get("command") or None)
    path = out / "report.md"
    atomic_write_text(path, text + "\n")
    return path


EXPERIMENTS_INTRO = """\
# Experiments

Reports of the experiments in `experiments/`, assembled from their stored results by
`python -m sim report ... --doc`.
"""
"""The document's opening when no introduction file is given."""


def write_experiments_doc(roots: list[str | Path], out_dir: str | Path,
                          doc: str | Path, intro: str | None = None) -> Path:
    """Write each sweep's report into `out_dir/<name>/` and assemble all of them into `doc`
    after `intro` (Markdown), with figure links relative to the document."""
    doc = Path(doc)
    out_dir = Path(out_dir)
    parts = [intro if intro is not None else EXPERIMENTS_INTRO]
    toc = ["## Results", "", "Generated from the stored runs of each experiment at its "
           "default size.", ""]
    bodies = []
    for root in roots:
        res = load_results(root)
        folder = out_dir / res.name
        folder.mkdir(parents=True, exist_ok=True)
        figs = make_figures(res)
        for stem, fig in figs.items():
            _save(fig, folder / f"{stem}.png")
        definition = res.info.get("definition_file", f"{res.name}.toml")
        command = f"python -m sim sweep experiments/{definition}"
        atomic_write_text(folder / "report.md",
                          render_report(res, list(figs), command=command) + "\n")
        rel = _relative(folder, doc.parent)
        body = render_report(res, list(figs), fig_prefix=f"{rel}/", level=2, command=command)
        bodies.append(body)
        toc.append(f"- [{res.name}](#{_anchor(res.name)})")
    parts += ["\n".join(toc), *bodies]
    atomic_write_text(doc, "\n\n".join(p.rstrip() for p in parts) + "\n")
    return doc


def _relative(path: Path, start: Path) -> str:
    import os

    return Path(os.path.relpath(path.resolve(), start.resolve())).as_posix()


def _anchor(title: str) -> str:
    return re.sub(r"[^a-z0-9_\- ]", "", title.lower()).replace(" ", "-")
