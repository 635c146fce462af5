"""Policy comparison across parameter uncertainty: each arm against the reference over
parameter draws × paired seeds.

In an experiment with ``[uncertainty]`` every arm runs in every parameter draw d with the
draw's own seeds, the same in every arm. For an arm and an outcome the paired effect of run
(d, r) is e_dr = y_arm(d, r) − y_reference(d, r); its mean over the replicates, ē_d, estimates
the arm's expected effect under draw d's parameters. Across the draws (`effect_summary`):

- the **mean effect** with a 95% t-interval over the draws' means (the draws sample the
  parameter uncertainty, so the interval covers both seed noise and parameter uncertainty);
- **P(effect > 0)**: the share of draws whose mean effect is positive, beside the share of
  single paired runs with a positive effect;
- the **distribution** of ē_d over draws: its 5%, 50% and 95% quantiles;
- **sign flips**: the share of draws whose mean effect has the sign opposite to the overall
  mean, and the share whose own 95% interval over its replicates lies wholly on that
  opposite side (a flip that seed noise does not explain);
- **seed noise and parameter uncertainty apart**: a one-way random-effects analysis of
  variance of e_dr by draw. The seed sd is sqrt(MS_within); the parameter sd is
  sqrt(max(0, (MS_between − MS_within) / n₀)) with n₀ the (balanced: replicate) count per
  draw; the parameter share is σ²_param / (σ²_param + σ²_seed); p tests σ_param = 0 (F test).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from scipy import stats

from ..stats import mean_ci
from .results import LEVEL, SweepResults

__all__ = [
    "draw_effects",
    "effect_summary",
    "arm_values",
    "variance_components",
    "fig_across_draws",
]


def _paired(res: SweepResults, outcome: str, arm: str, reference: str) -> pd.DataFrame:
    """One row per (draw, replicate) with both arms OK: value, reference, effect."""
    t = res.table
    col = res.column(outcome)
    wide = t[t["arm"].isin([arm, reference])].pivot_table(
        index=["draw", "replicate"], columns="arm", values=col, aggfunc="first", dropna=False
    )
    if arm not in wide or reference not in wide:
        return pd.DataFrame(columns=["draw", "replicate", "value", "reference", "effect"])
    pair = wide[[arm, reference]].dropna().reset_index()
    pair.columns = ["draw", "replicate", "value", "reference"]
    pair["effect"] = pair["value"] - pair["reference"]
    pair["draw"] = pair["draw"].astype(int)
    return pair


def draw_effects(
    res: SweepResults, outcome: str, arm: str, reference: str | None = None, level: float = LEVEL
) -> pd.DataFrame:
    """One row per draw: the number of paired replicates, the mean effect with its
    t-interval over replicates and sd, the arm's and the reference's mean value, and the
    draw's uncertain parameter values."""
    reference = reference or res.reference
    assert reference is not None
    pair = _paired(res, outcome, arm, reference)
    rows = []
    for d, g in pair.groupby("draw", sort=True):
        est = mean_ci(g["effect"].to_numpy(), level)
        rows.append(
            {
                "draw": int(d),
                "pairs": est.n,
                "effect": est.mean,
                "low": est.low,
                "high": est.high,
                "sd": float(g["effect"].std(ddof=1)) if est.n > 1 else math.nan,
                "value": float(g["value"].mean()),
                "reference": float(g["reference"].mean()),
            }
        )
    out = pd.DataFrame(
        rows, columns=["draw", "pairs", "effect", "low", "high", "sd", "value", "reference"]
    )
    params = (
        res.design[["draw", *res.uncertain]].drop_duplicates("draw")
        if res.uncertain
        else pd.DataFrame({"draw": []})
    )
    return out.merge(params, on="draw", how="left")


def variance_components(effects: pd.DataFrame) -> dict[str, float]:
    """One-way random-effects ANOVA of paired effects (columns draw, effect): seed sd,
    parameter sd, parameter share of the variance and the F test's p-value."""
    groups = [g["effect"].to_numpy(dtype=float) for _, g in effects.groupby("draw")]
    groups = [g for g in groups if len(g)]
    n = np.array([len(g) for g in groups])
    k, total = len(groups), int(n.sum())
    nan = {"seed_sd": math.nan, "param_sd": math.nan, "param_share": math.nan, "p_param": math.nan}
    if k < 2 or total - k < 1:
        return nan
    grand = np.concatenate(groups).mean()
    means = np.array([g.mean() for g in groups])
    ms_between = float(np.sum(n * (means - grand) ** 2) / (k - 1))
    ms_within = float(sum(np.sum((g - g.mean()) ** 2) for g in groups) / (total - k))
    n0 = (total - np.sum(n**2) / total) / (k - 1)
    param_var = (ms_between - ms_within) / n0
    if param_var <= 1e-12 * max(ms_within, ms_between):  # none, up to rounding
        param_var = 0.0
    share = param_var / (param_var + ms_within) if param_var + ms_within > 0 else math.nan
    p = float(stats.f.sf(ms_between / ms_within, k - 1, total - k)) if ms_within > 0 else math.nan
    return {
        "seed_sd": math.sqrt(ms_within),
        "param_sd": math.sqrt(param_var),
        "param_share": share,
        "p_param": p,
    }


def effect_summary(res: SweepResults, level: float = LEVEL) -> pd.DataFrame:
    """Per arm (but the reference) and outcome: draws, pairs, mean effect and its interval
    over draws, P(effect > 0) over draws and over single runs, the draws' 5/50/95%
    quantiles, sign flips (all, and those the draw's own interval confirms), and the
    variance components."""
    reference = res.reference
    if reference is None or not res.uncertain:
        return pd.DataFrame()
    arms = [a for a in dict.fromkeys(res.table["arm"]) if a != reference]
    rows = []
    for outcome in res.outcomes:
        for arm in arms:
            pair = _paired(res, outcome, arm, reference)
            per = draw_effects(res, outcome, arm, reference, level)
            if per.empty:
                continue
            e = per["effect"].to_numpy()
            est = mean_ci(e, level)
            sign = np.sign(est.mean)
            opposite = (sign != 0) & (np.sign(e) == -sign)
            confirmed = opposite & ((per["high"] < 0) if sign > 0 else (per["low"] > 0))
            q05, q50, q95 = np.quantile(e, [0.05, 0.5, 0.95])
            rows.append(
                {
                    "arm": arm,
                    "outcome": outcome,
                    "draws": len(per),
                    "pairs": len(pair),
                    "mean": est.mean,
                    "low": est.low,
                    "high": est.high,
                    "p_positive": float(np.mean(e > 0)),
                    "p_positive_runs": float(np.mean(pair["effect"] > 0)),
                    "q05": q05,
                    "median": q50,
                    "q95": q95,
                    "flips": float(np.mean(opposite)),
                    "confirmed_flips": float(np.mean(confirmed)),
                    **variance_components(pair),
                }
            )
    return pd.DataFrame(rows)


def arm_values(res: SweepResults, level: float = LEVEL) -> pd.DataFrame:
    """Per arm and outcome: the mean over draws of each draw's mean over replicates, with a
    t-interval over draws."""
    t = res.table
    rows = []
    for arm, g in t.groupby("arm", sort=False):
        for o in res.outcomes:
            per_draw = g.groupby("draw")[res.column(o)].mean().dropna()
            est = mean_ci(per_draw.to_numpy(), level)
            rows.append(
                {
                    "arm": arm,
                    "outcome": o,
                    "draws": est.n,
                    "mean": est.mean,
                    "low": est.low,
                    "high": est.high,
                }
            )
    return pd.DataFrame(rows)


def fig_across_draws(res: SweepResults) -> Figure | None:
    """One panel per outcome: each arm's mean effect in every draw (dots and violin), the
    mean with its 95% interval over draws, and zero."""
    summary = effect_summary(res)
    if summary.empty:
        return None
    outcomes = list(dict.fromkeys(summary["outcome"]))
    arms = list(dict.fromkeys(summary["arm"]))
    cols = min(3, len(outcomes))
    rows = math.ceil(len(outcomes) / cols)
    fig = Figure(figsize=(4.6 * cols, 0.5 + max(2.4, 0.55 * len(arms) + 1.2) * rows))
    axes = np.atleast_1d(fig.subplots(rows, cols, squeeze=False)).ravel()
    rng = np.random.default_rng(0)
    for ax, outcome in zip(axes, outcomes):
        for i, arm in enumerate(arms):
            e = draw_effects(res, outcome, arm)["effect"].dropna().to_numpy()
            if len(e) > 1:
                parts = ax.violinplot(
                    [e], positions=[i], orientation="horizontal", widths=0.8, showextrema=False
                )
                for body in parts["bodies"]:
                    body.set_alpha(0.25)
            ax.scatter(e, i + rng.uniform(-0.15, 0.15, len(e)), s=6, color="#4c72b0", alpha=0.7)
            r = summary[(summary["outcome"] == outcome) & (summary["arm"] == arm)]
            if len(r):
                r = r.iloc[0]
                ax.errorbar(
                    [r["mean"]],
                    [i],
                    xerr=[[r["mean"] - r["low"]], [r["high"] - r["mean"]]],
                    fmt="o",
                    color="#000000",
                    capsize=3,
                )
        ax.axvline(0, color="#d62728", lw=1)
        ax.set_yticks(range(len(arms)), arms, fontsize=8)
        ax.set_title(outcome, fontsize=9)
        ax.set_xlabel(f"effect vs {res.reference} (per draw)", fontsize=8)
        ax.tick_params(axis="x", labelsize=7)
    for ax in axes[len(outcomes) :]:
        ax.set_visible(False)
    fig.suptitle(
        "Effects across parameter draws (dots: draws' means over seeds; "
        "black: mean and 95% CI over draws)",
        fontsize=10,
    )
    fig.tight_layout()
    return fig
