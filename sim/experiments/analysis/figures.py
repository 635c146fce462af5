"""The report's figures (matplotlib, no pyplot state): effect lines and interaction heatmaps
for grids, differences from the reference arm, monthly series bands, and Sobol', Morris and
rank-correlation charts for sampled designs.

Axes carry the outcome's unit (sim.experiments.analysis.units); confidence bands are clipped
to the outcome's range ([0, 1] for shares, no negative money or counts); long arm names are
replaced by short ones with a key in the legend.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
from matplotlib import rc_context
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import MaxNLocator

from sim.runs.figures import font_families

from ..design import format_level
from .across_draws import fig_across_draws
from .conditions import Answer, question_answers
from .estimates import arm_estimates, grid_levels, paired_differences, series_bands
from .results import SweepResults
from .sensitivity import morris_indices, rank_correlations, sobol_indices
from .text import fmt_num
from .units import bounds, outcome_unit

__all__ = ["make_figures", "arm_names"]

DPI = 110
"""Resolution on screen; files are saved at the report's own (300 dpi by default)."""
MIN_PANEL_HEIGHT = 2.2
"""Inches: the least height of a panel, however few arms it shows."""
MAX_SERIES_ARMS = 10
MAX_ARM_NAME = 28
"""Arm names longer than this are shortened in figures, with a key."""


def _grid_axes(
    n: int, title: str, width: float = 4.2, height: float = 3.2, cols: int | None = None
) -> tuple[Figure, list]:
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
        return [float(v) for v in values], [format_level(v) for v in values]
    return list(range(len(values))), [format_level(v) for v in values]


def arm_names(res: SweepResults) -> tuple[dict[str, str], str]:
    """Short names of the arms for figures, and the key that explains them ("" when the
    names are short already). Grid arms keep their levels under abbreviated factor names
    (`ds=0.3, cbs=0` with the key `ds = devolution_share, cbs = capacity_building_share`);
    other long names become A1, A2, ... with each spelled out in the key."""
    design = res.design.sort_values("point").drop_duplicates("arm").set_index("arm")
    arms = list(design.index)
    if all(len(a) <= MAX_ARM_NAME for a in arms):
        return {a: a for a in arms}, ""
    if res.kind == "grid" and res.factors:
        short = _abbreviations(res.factors)
        names = {
            a: ", ".join(f"{short[f]}={format_level(design.loc[a, f])}" for f in res.factors)
            for a in arms
        }
        if all(len(n) <= 2 * MAX_ARM_NAME for n in names.values()):
            return names, ", ".join(f"{short[f]} = {f}" for f in res.factors)
    names = {a: f"A{i + 1}" for i, a in enumerate(arms)}
    return names, "\n".join(f"{names[a]} = {a}" for a in arms)


def _abbreviations(factors: list[str]) -> dict[str, str]:
    """Initials of each factor's words (devolution_share → ds), numbered where two clash."""
    initials = {f: "".join(w[0] for w in f.split("_") if w) or f for f in factors}
    clashes = {s for s in initials.values() if list(initials.values()).count(s) > 1}
    return {f: f"{s}{factors.index(f) + 1}" if s in clashes else s for f, s in initials.items()}


def _band(ax: Any, x: Any, low: Any, high: Any, outcome: str, **kwargs: Any) -> None:
    """A confidence band, clipped to the range the outcome cannot leave ([0, 1] for shares,
    no negative money or counts)."""
    lo, hi = bounds(outcome)
    if lo is not None or hi is not None:
        low, high = np.clip(low, lo, hi), np.clip(high, lo, hi)
    ax.fill_between(x, low, high, linewidth=0, **kwargs)


def fig_effects(res: SweepResults, est: pd.DataFrame) -> Figure | None:
    """Grid designs: outcome vs the first factor, one line per level of the second factor
    (if any), mean with 95% CI band; further factors at their first level."""
    if res.kind != "grid" or not res.factors:
        return None
    levels = grid_levels(res)
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
            ax.plot(
                x,
                g["mean"],
                marker="o",
                color=color,
                label=f"{b} = {format_level(vb)}" if b else None,
            )
            _band(ax, x, g["low"], g["high"], o, color=color, alpha=0.2)
        ax.set_title(o, fontsize=10)
        ax.set_xticks(x, labels)
        ax.set_xlabel(a)
        ax.set_ylabel(outcome_unit(o))
        ax.grid(True, alpha=0.3)
    if b:
        axes[0].legend(fontsize=8)
    return fig


def fig_heatmaps(res: SweepResults, est: pd.DataFrame) -> Figure | None:
    """Two-factor grids: mean of each outcome over the factor grid (interaction at a
    glance); cells annotated with the mean."""
    if res.kind != "grid" or len(res.factors) < 2:
        return None
    levels = grid_levels(res)
    a, b = res.factors[:2]
    rest = {f: levels[f][0] for f in res.factors[2:]}
    e = est.merge(res.design, on=["arm", "point"])
    for f, v in rest.items():
        e = e[e[f] == v]
    fig, axes = _grid_axes(
        len(res.outcomes),
        f"Mean over replicates: {b} (rows) × {a} (columns)",
        width=4.4,
        height=3.6,
    )
    for ax, o in zip(axes, res.outcomes):
        g = e[e["outcome"] == o]
        m = g.pivot_table(index=b, columns=a, values="mean", aggfunc="first", dropna=False)
        m = m.reindex(index=levels[b], columns=levels[a])
        im = ax.imshow(m.to_numpy(float), origin="lower", aspect="auto", cmap="viridis")
        ax.set_xticks(range(len(levels[a])), [format_level(v) for v in levels[a]])
        ax.set_yticks(range(len(levels[b])), [format_level(v) for v in levels[b]])
        ax.set_xlabel(a)
        ax.set_ylabel(b)
        ax.set_title(o, fontsize=10)
        vals = m.to_numpy(float)
        finite = vals[np.isfinite(vals)]
        mid = (finite.min() + finite.max()) / 2 if finite.size else 0
        for i in range(vals.shape[0]):
            for j in range(vals.shape[1]):
                if np.isfinite(vals[i, j]):
                    ax.text(
                        j,
                        i,
                        fmt_num(vals[i, j]),
                        ha="center",
                        va="center",
                        fontsize=7,
                        color="white" if vals[i, j] < mid else "black",
                    )
        fig.colorbar(im, ax=ax, shrink=0.8, label=outcome_unit(o))
    return fig


def fig_differences(res: SweepResults, diffs: pd.DataFrame) -> Figure | None:
    """Forest plot: each arm minus the reference (paired by seed), mean and 95% CI."""
    if diffs.empty:
        return None
    arms = list(dict.fromkeys(diffs["arm"]))
    if len(arms) > 30:
        return None
    names, key = arm_names(res)
    few = len(arms) <= 3  # an A/B comparison: panels side by side, each tall enough to read
    fig, axes = _grid_axes(
        len(res.outcomes),
        "Difference from the reference arm, paired "
        "by seed: mean and 95% CI\nreference: "
        f"{names.get(str(res.reference), res.reference)}",
        width=4.2 if few else 5.0,
        height=max(MIN_PANEL_HEIGHT, 0.9 + 0.32 * len(arms)),
        cols=min(3, len(res.outcomes)) if few else min(2, len(res.outcomes)),
    )
    y = np.arange(len(arms))[::-1]
    for ax, o in zip(axes, res.outcomes):
        ax.set_ylim(-0.7, len(arms) - 0.3)
        g = diffs[diffs["outcome"] == o].set_index("arm").reindex(arms)
        err = np.vstack([(g["diff"] - g["low"]).to_numpy(), (g["high"] - g["diff"]).to_numpy()])
        sig = ((g["low"] > 0) | (g["high"] < 0)).to_numpy()
        ax.errorbar(g["diff"], y, xerr=np.nan_to_num(err), fmt="none", ecolor="0.4", capsize=3)
        ax.scatter(g["diff"], y, c=np.where(sig, "tab:red", "tab:gray"), zorder=3, s=18)
        ax.axvline(0, color="black", linewidth=0.8)
        ax.xaxis.set_major_locator(MaxNLocator(nbins=4))
        ax.set_yticks(y, [names.get(a, a) for a in arms], fontsize=7)
        ax.set_title(o, fontsize=10)
        ax.set_xlabel(f"difference ({outcome_unit(o)})", fontsize=8)
        ax.grid(True, axis="x", alpha=0.3)
    marker = {"marker": "o", "linestyle": "none", "markersize": 5}
    fig.legend(
        [Line2D([], [], color="tab:red", **marker), Line2D([], [], color="tab:gray", **marker)],
        [
            "95% CI excludes 0: the arm differs from the reference",
            "95% CI includes 0: no difference detected",
        ],
        loc="outside lower center",
        ncols=2,
        fontsize=8,
        title=key or None,
        title_fontsize=8,
    )
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
    names, key = arm_names(res)
    fig, axes = _grid_axes(
        len(res.outcomes),
        "Monthly series: mean over replicates and 95% CI, per arm",
        width=4.6,
        height=3.2,
    )
    colors = _colors(len(arms))
    for ax, o in zip(axes, res.outcomes):
        for color, arm in zip(colors, arms):
            g = bands[(bands["outcome"] == o) & (bands["arm"] == arm)].sort_values("step")
            if g.empty:
                continue
            style = "--" if arm == res.reference else "-"
            ax.plot(g["step"], g["mean"], style, color=color, linewidth=1.2)
            _band(ax, g["step"], g["low"], g["high"], o, color=color, alpha=0.15)
        ax.set_title(o, fontsize=10)
        ax.set_xlabel("month")
        ax.set_ylabel(outcome_unit(o))
        ax.grid(True, alpha=0.3)
    lines = [
        Line2D([], [], color=c, linestyle="--" if a == res.reference else "-")
        for c, a in zip(colors, arms)
    ]
    labels = [
        names.get(a, a) + (" (reference, dashed)" if a == res.reference else "") for a in arms
    ]
    fig.legend(
        lines,
        labels,
        loc="outside lower center",
        ncols=min(3, len(arms)),
        fontsize=7.5,
        title=key or None,
        title_fontsize=8,
    )
    return fig


def fig_sobol(res: SweepResults, si: pd.DataFrame) -> Figure | None:
    if si.empty:
        return None
    outcomes = list(dict.fromkeys(si["outcome"]))
    fig, axes = _grid_axes(
        len(outcomes),
        "Sobol' indices: first-order S1 and total ST with 95% bootstrap CI",
        width=5.2,
        height=0.6 + 0.28 * len(res.factors),
        cols=2,
    )
    for ax, o in zip(axes, outcomes):
        g = si[si["outcome"] == o].sort_values("ST")
        y = np.arange(len(g))
        ax.barh(
            y - 0.2,
            g["S1"],
            height=0.4,
            xerr=g["S1_conf"],
            label="S1",
            color="tab:blue",
            error_kw={"elinewidth": 0.8},
        )
        ax.barh(
            y + 0.2,
            g["ST"],
            height=0.4,
            xerr=g["ST_conf"],
            label="ST",
            color="tab:orange",
            error_kw={"elinewidth": 0.8},
        )
        ax.set_yticks(y, g["factor"], fontsize=7)
        ax.set_title(o, fontsize=10)
        ax.set_xlabel("share of the outcome's variance", fontsize=8)
        ax.axvline(0, color="black", linewidth=0.6)
        ax.grid(True, axis="x", alpha=0.3)
    axes[0].legend(fontsize=8)
    return fig


def fig_morris(res: SweepResults, mi: pd.DataFrame) -> Figure | None:
    if mi.empty:
        return None
    outcomes = list(dict.fromkeys(mi["outcome"]))
    fig, axes = _grid_axes(
        len(outcomes),
        "Morris screening: mu* vs sigma with 95% bootstrap CIs",
        width=5.0,
        height=4.2,
        cols=2,
    )
    for ax, o in zip(axes, outcomes):
        g = mi[mi["outcome"] == o]
        yerr = np.vstack(
            [(g["sigma"] - g["sigma_low"]).to_numpy(), (g["sigma_high"] - g["sigma"]).to_numpy()]
        )
        # mu* is a mean of absolute values: its interval stops at 0
        xerr = np.vstack(
            [np.minimum(g["mu_star_conf"], g["mu_star"]).to_numpy(), g["mu_star_conf"].to_numpy()]
        )
        ax.errorbar(
            g["mu_star"],
            g["sigma"],
            xerr=np.nan_to_num(np.clip(xerr, 0, None)),
            yerr=np.nan_to_num(np.clip(yerr, 0, None)),
            fmt="o",
            markersize=4,
            ecolor="0.6",
            elinewidth=0.8,
            capsize=2,
        )
        top = g.sort_values("mu_star", ascending=False).head(6)
        for _, r in top.iterrows():
            ax.annotate(
                r["factor"],
                (r["mu_star"], r["sigma"]),
                fontsize=6.5,
                xytext=(3, 3),
                textcoords="offset points",
            )
        hi = float(np.nanmax(np.concatenate([g["mu_star"], g["sigma"]]))) if len(g) else 1
        ax.plot([0, hi], [0, hi], ":", color="0.5", linewidth=0.8)
        unit = outcome_unit(o)
        ax.set_xlabel(f"mu*: mean |elementary effect| ({unit} per factor range)", fontsize=8)
        ax.set_ylabel(f"sigma: spread of the effects ({unit} per factor range)", fontsize=8)
        ax.set_title(o, fontsize=10)
        ax.grid(True, alpha=0.3)
    fig.legend(
        [Line2D([], [], color="0.5", linestyle=":")],
        [
            "sigma = mu*: above the dotted line a factor's effect changes strongly with "
            "the other factors or its own level (interactions, non-linearity); below it "
            "the effect is more consistent"
        ],
        loc="outside lower center",
        fontsize=8,
    )
    return fig


def fig_correlations(res: SweepResults, rc: pd.DataFrame) -> Figure | None:
    if rc.empty or res.kind != "lhs":
        return None
    m = rc.pivot_table(index="factor", columns="outcome", values="rho", aggfunc="first")
    m = m.reindex(index=res.factors, columns=res.outcomes)
    fig = Figure(
        figsize=(1.2 * len(res.outcomes) + 3, 0.35 * len(res.factors) + 1.8),
        dpi=DPI,
        layout="constrained",
    )
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


def make_figures(res: SweepResults, answers: list[Answer] | None = None) -> dict[str, Figure]:
    """Every figure the report shows, by file stem; with parameter draws, the effects across
    draws and one figure per answered question (`answers`, default: computed) instead of
    the figures that pair arms by replicate alone. Chinese in arm names, levels or titles
    is drawn with an installed Chinese font (sim.runs.figures.font_families)."""
    texts = [*res.design["arm"].astype(str), *map(str, res.factors), str(res.reference)]
    with rc_context({"font.family": font_families(*texts)}):
        return _make_figures(res, answers)


def _make_figures(res: SweepResults, answers: list[Answer] | None) -> dict[str, Figure]:
    if res.uncertain:
        figs = {"across_draws": fig_across_draws(res), "series": fig_series(res, series_bands(res))}
        answers = question_answers(res) if answers is None else answers
        for i, a in enumerate(answers, start=1):
            if a.found is not None:
                figs[f"conditions-{i}"] = a.found.figure(
                    f"{a.arm}: {a.question.outcome}, {a.question.where}"
                )
        return {k: v for k, v in figs.items() if v is not None}
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
