"""Figures of one run: PNG files drawn with matplotlib's Agg renderer (no display needed).

`make_figures(series, communities, caption)` returns {file stem: Figure}; `write_figures`
saves them atomically into a folder. A run folder gets the overview alone by default (drawn in
well under a second); `python -m sim run --figures all` adds the others. Figures are built as `matplotlib.figure.Figure`
objects, never through pyplot, so no global state is touched and nothing stays in memory.

    overview               the key outcomes on one page (six panels; the default)
    satisfaction           mean resident satisfaction, with the middle 80% of communities
    needs_met              share of need hours met: all, vulnerable, other, by category
    disputes               disputes arising / mediated / escalated per month; mediation rate
    budget                 money allocated / spent / lapsed / wasted; idle stock; absorption
    owners_committees      owners' committees formed / functioning / dormant / captured;
                           fee collection and property-service quality
    trust                  residents' trust in each type of organisation
    participation          participation rate, with the middle 80% of communities
    community_satisfaction distribution of final satisfaction across communities (by street)
    by_type                key outcomes over time by compound type and by community type
"""

from __future__ import annotations

import logging
import re
import textwrap
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib import font_manager, rc_context
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, PercentFormatter

from .by_type import monthly_by_type
from .files import atomic_path
from .runner import RunResult

__all__ = ["make_figures", "write_figures", "caption_for", "panel_title", "font_families"]

DPI = 120
OVERVIEW_DPI = 100
"""The overview is large (11 x 6.6 inches): 1,100 pixels wide suffice, and cost less."""
MONTH = "month"
SHARE = PercentFormatter(xmax=1.0, decimals=0)
MAX_STREET_BOXES = 40
"""With more streets than this the community distribution is a histogram only."""
CHINESE_FONTS = (
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei",
    "Microsoft YaHei",
    "SimHei",
    "PingFang SC",
)
"""Fonts with Chinese characters, in order of preference, for titles that quote a term
(一肩挑); matplotlib falls back to the first one installed for the glyphs its default font
lacks."""
CHINESE = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]+")


@cache
def chinese_font() -> str | None:
    """The first of CHINESE_FONTS installed on this machine (None: none is)."""
    installed = {f.name for f in font_manager.fontManager.ttflist}
    return next((name for name in CHINESE_FONTS if name in installed), None)


def font_families(*texts: str) -> list[str]:
    """`font.family` for figures that show `texts` (arm names, levels, captions): the default
    sans-serif, then an installed Chinese font for the glyphs it lacks if any text holds
    Chinese (looking through a second font costs time, so only then)."""
    font = chinese_font() if any(CHINESE.search(str(t)) for t in texts) else None
    if font is None:
        return ["sans-serif"]
    # the Chinese fonts have no bold face: matplotlib would log that for every bold title
    logging.getLogger("matplotlib.font_manager").setLevel(logging.ERROR)
    return ["sans-serif", font]


def panel_title(ax: Axes, text: str, fontsize: float = 9, width: int = 52) -> None:
    """Title a panel, wrapped to lines of `width` characters so that neighbouring titles
    do not overlap; Chinese terms are drawn with an installed Chinese font, or left out
    (with their brackets) where there is none, rather than drawn as empty boxes."""
    families = ["sans-serif"]
    if CHINESE.search(text):
        font = chinese_font()
        if font is None:
            text = re.sub(r"\s*\(\s*\)", "", CHINESE.sub("", text)).strip()
            text = re.sub(r"\s{2,}", " ", text)
        else:
            families.append(font)
    ax.set_title(textwrap.fill(text, width), fontsize=fontsize, family=families)


def caption_for(scenario: str, seed: int, steps: int, meta: dict | None = None) -> str:
    """One line naming the run: scenario, seed, months and world size."""
    text = f"Scenario '{scenario}', seed {seed}, {steps} months"
    meta = meta or {}
    if meta.get("residents") is not None:
        text += (
            f"; {int(meta['residents']):,} residents in "
            f"{int(meta.get('communities', 0)):,} communities, "
            f"{int(meta.get('compounds', 0)):,} compounds"
        )
    return text


def _figure(title: str, caption: str, rows: int = 1, height: float = 4.2) -> tuple[Figure, list]:
    fig = Figure(
        figsize=(8.5, height * rows if rows > 1 else height), dpi=DPI, layout="constrained"
    )
    axes = fig.subplots(rows, 1, sharex=True, squeeze=False)[:, 0].tolist()
    fig.suptitle(title, fontsize=13, fontweight="bold")
    fig.supxlabel(caption, fontsize=8.5, color="0.35")
    for ax in axes:
        ax.grid(True, alpha=0.3)
        ax.margins(x=0.01)
    axes[-1].set_xlabel(MONTH)
    return fig, axes


def _lines(ax, series: pd.DataFrame, columns: dict[str, str], **style) -> None:
    """Plot each present column against `step`, labelled."""
    for col, label in columns.items():
        if col in series:
            ax.plot(series["step"], series[col], label=label, **style)


def _band(ax, communities: pd.DataFrame | None, column: str, color: str, label: str) -> None:
    """Shade the 10th-90th percentile of a community column across communities, by month."""
    if communities is None or communities.empty or column not in communities:
        return
    q = communities.groupby("step")[column].quantile([0.1, 0.9]).unstack()
    if q.shape[1] < 2:
        return
    ax.fill_between(q.index, q.iloc[:, 0], q.iloc[:, 1], color=color, alpha=0.2, lw=0, label=label)


def _money_axis(ax, series: pd.DataFrame, columns: list[str], per: str = "") -> None:
    """Label a yuan axis in yuan, thousand or million yuan, whichever suits the data."""
    present = [c for c in columns if c in series]
    top = (
        float(np.nanmax(np.abs(series[present].to_numpy(float))))
        if present and len(series)
        else 0.0
    )
    if top >= 1e6:
        scale, unit = 1e6, "million yuan"
    elif top >= 1e4:
        scale, unit = 1e3, "thousand yuan"
    else:
        scale, unit = 1.0, "yuan"
    ax.yaxis.set_major_formatter(FuncFormatter(lambda x, _pos: f"{x / scale:,.4g}"))
    ax.set_ylabel(unit + per)
    ax.set_ylim(bottom=0)


def _share_axis(ax, label: str = "share") -> None:
    ax.set_ylabel(label)
    ax.yaxis.set_major_formatter(SHARE)
    ax.set_ylim(-0.02, 1.02)


def fig_satisfaction(series, communities, caption) -> Figure:
    fig, (ax,) = _figure("Resident satisfaction", caption)
    _band(ax, communities, "satisfaction", "tab:blue", "communities, 10th-90th percentile")
    _lines(ax, series, {"satisfaction_mean": "district mean"}, color="tab:blue", lw=2)
    ax.set_ylabel("satisfaction (0-1)")
    ax.set_ylim(0, 1)
    ax.legend(loc="best", fontsize=9)
    if "satisfaction_gini" in series:
        ax.set_title(
            f"Gini across communities in the final month: "
            f"{series['satisfaction_gini'].iloc[-1]:.3f}",
            fontsize=10,
        )
    return fig


def fig_needs(series, communities, caption) -> Figure:
    fig, (ax,) = _figure("Residents' needs met", caption)
    _lines(
        ax,
        series,
        {
            "needs_met": "all residents",
            "needs_met_vulnerable": "vulnerable",
            "needs_met_other": "other residents",
        },
        lw=2,
    )
    _lines(
        ax,
        series,
        {
            "needs_met_daily": "daily services",
            "needs_met_care": "care",
            "needs_met_legal": "legal aid, counselling",
        },
        lw=1,
        ls="--",
        alpha=0.8,
    )
    _share_axis(ax, "share of need hours met")
    ax.legend(loc="best", fontsize=9, ncol=2)
    return fig


def fig_disputes(series, communities, caption) -> Figure:
    fig, (ax, ax2) = _figure("Disputes", caption, rows=2, height=3.4)
    _lines(
        ax,
        series,
        {
            "disputes_arising": "arising",
            "disputes_mediated": "mediated",
            "disputes_escalated": "escalated (petition, lawsuit)",
        },
        lw=1.6,
    )
    ax.set_ylabel("disputes per month")
    ax.set_ylim(bottom=0)
    ax.legend(loc="best", fontsize=9)
    _lines(ax2, series, {"mediation_rate": "share of disputes mediated"}, color="tab:green")
    _share_axis(ax2, "mediation rate")
    ax2.legend(loc="best", fontsize=9)
    return fig


def fig_budget(series, communities, caption) -> Figure:
    fig, (ax, ax2, ax3) = _figure("Devolved budget", caption, rows=3, height=2.9)
    _lines(
        ax,
        series,
        {
            "budget_allocated": "allocated to communities",
            "budget_spent": "spent",
            "budget_lapsed": "lapsed (idle, taken back)",
            "budget_wasted": "wasted (leakage)",
        },
        lw=1.6,
    )
    _money_axis(
        ax,
        series,
        ["budget_allocated", "budget_spent", "budget_lapsed", "budget_wasted"],
        per=" / month",
    )
    ax.legend(loc="best", fontsize=8.5, ncol=2)
    _lines(ax2, series, {"budget_idle": "idle money held by communities"}, color="tab:brown")
    _money_axis(ax2, series, ["budget_idle"])
    ax2.legend(loc="best", fontsize=8.5)
    _lines(
        ax3, series, {"absorption_rate": "absorption rate (spent / available)"}, color="tab:purple"
    )
    _share_axis(ax3, "share")
    ax3.legend(loc="best", fontsize=8.5)
    return fig


def fig_owners(series, communities, caption) -> Figure:
    fig, (ax, ax2) = _figure(
        "Owners' committees and property services", caption, rows=2, height=3.4
    )
    _lines(
        ax,
        series,
        {
            "oc_coverage_share": "elected or convened",
            "oc_formed_share": "elected",
            "oc_functioning_share": "functioning",
            "oc_dormant_share": "dormant",
            "oc_captured_share": "captured",
        },
        lw=1.6,
    )
    _share_axis(ax, "share of compounds")
    ax.legend(loc="best", fontsize=8.5, ncol=2)
    _lines(
        ax2,
        series,
        {
            "fee_collection": "fee collection (share of owners paying)",
            "property_quality": "property-service quality (0-1)",
        },
        lw=1.6,
    )
    _share_axis(ax2, "share / quality")
    ax2.legend(loc="best", fontsize=8.5)
    return fig


def fig_trust(series, communities, caption) -> Figure:
    fig, (ax,) = _figure("Residents' trust by type of organisation", caption)
    names = {
        "party": "party organisation",
        "rc": "residents' committee",
        "oc": "owners' committee",
        "firm": "property firm",
        "ngo": "NGOs",
        "street": "street office",
    }
    cols = [c for c in series.columns if c.startswith("trust_")]
    _lines(ax, series, {c: names.get(c[6:], c[6:]) for c in cols}, lw=1.6)
    ax.set_ylabel("mean trust (0-1)")
    ax.set_ylim(0, 1)
    ax.legend(loc="best", fontsize=9, ncol=2)
    return fig


def fig_participation(series, communities, caption) -> Figure:
    fig, (ax,) = _figure("Resident participation", caption)
    _band(ax, communities, "participation", "tab:orange", "communities, 10th-90th percentile")
    _lines(
        ax, series, {"participation_rate": "district participation rate"}, color="tab:orange", lw=2
    )
    ax.set_ylabel("share of residents participating")
    ax.yaxis.set_major_formatter(SHARE)
    ax.set_ylim(bottom=0)
    ax.legend(loc="best", fontsize=9)
    return fig


def fig_community_satisfaction(series, communities, caption) -> Figure | None:
    if communities is None or communities.empty or "satisfaction" not in communities:
        return None
    last = communities[communities["step"] == communities["step"].max()]
    month = int(last["step"].iloc[0])
    streets = sorted(last["street"].unique()) if "street" in last else []
    by_street = 2 <= len(streets) <= MAX_STREET_BOXES
    fig = Figure(figsize=(8.5, 4.4), dpi=DPI, layout="constrained")
    axes = fig.subplots(1, 2, width_ratios=[1, 1.6], sharey=True) if by_street else [fig.subplots()]
    fig.suptitle(
        f"Satisfaction across communities in month {month}", fontsize=13, fontweight="bold"
    )
    fig.supxlabel(caption, fontsize=8.5, color="0.35")
    values = last["satisfaction"].to_numpy(dtype=float)
    ax = axes[0]
    bins = max(5, min(30, int(np.sqrt(len(values))) * 2))
    ax.hist(values, bins=bins, orientation="horizontal", color="tab:blue", alpha=0.7)
    ax.set_xlabel("communities")
    ax.set_ylabel("mean satisfaction of the community's residents (0-1)")
    ax.set_title(f"{len(values)} communities (mean {values.mean():.3f})", fontsize=10)
    ax.grid(True, alpha=0.3)
    if by_street:
        ax = axes[1]
        groups = [last.loc[last["street"] == s, "satisfaction"].to_numpy(float) for s in streets]
        ax.boxplot(groups, tick_labels=[str(s) for s in streets], showfliers=False)
        rng = np.random.default_rng(0)  # fixed jitter: the same run gives the same figure
        for i, g in enumerate(groups, start=1):
            ax.plot(i + rng.uniform(-0.15, 0.15, len(g)), g, "o", ms=3, alpha=0.5, color="tab:blue")
        ax.set_xlabel("street office")
        ax.set_title("by street (box: quartiles; dots: communities)", fontsize=10)
        ax.grid(True, axis="y", alpha=0.3)
        if len(streets) > 15:
            ax.tick_params(axis="x", labelsize=7, rotation=90)
    return fig


BY_TYPE_PANELS = (
    ("compound", "property_quality", "property-service quality (0-1)"),
    ("compound", "fee_collection", "fee collection (owners paying)"),
    ("compound", "oc_functioning", "functioning owners' committees"),
    ("compound", "disputes_per_1000", "disputes per 1,000 residents a month"),
    ("community", "satisfaction", "residents' satisfaction (0-1)"),
    ("community", "needs_met", "need hours met"),
)
"""Panels of the by-type figure: level, outcome of sim.runs.by_type, short title."""
TYPE_COLORS = {
    t: f"C{i}"
    for i, t in enumerate(("old", "work_unit", "commercial", "resettlement", "village", "mixed"))
}
"""One colour per type name, the same in every panel (an old compound and an old community
share one)."""


def fig_by_type(compounds, communities, caption) -> Figure | None:
    monthly = monthly_by_type(compounds, communities)
    if monthly.empty:
        return None
    fig = Figure(figsize=(10, 9), dpi=DPI, layout="constrained")
    axes = fig.subplots(3, 2, sharex=True).ravel()
    fig.suptitle(
        "Key outcomes by compound type and by community type", fontsize=13, fontweight="bold"
    )
    fig.supxlabel(caption, fontsize=8.5, color="0.35")
    for ax, (level, outcome, title) in zip(axes, BY_TYPE_PANELS):
        part = monthly[monthly["level"] == level]
        for t, g in part.groupby("type", sort=True):
            ax.plot(
                g["step"],
                g[outcome],
                lw=1.6,
                color=TYPE_COLORS.get(t),
                label=f"{t} ({int(g['units'].iloc[-1])})",
            )
        ax.set_title(f"{level} types: {title}", fontsize=9.5)
        ax.grid(True, alpha=0.3)
        if outcome in ("fee_collection", "oc_functioning", "needs_met"):
            ax.yaxis.set_major_formatter(PercentFormatter(xmax=1.0, decimals=None))
        if len(part) and outcome in ("property_quality", "satisfaction"):
            unit = "compounds" if level == "compound" else "communities"
            ax.legend(loc="best", fontsize=7.5, title=f"type ({unit})", title_fontsize=7.5)
    for ax in axes[-2:]:
        ax.set_xlabel(MONTH)
    return fig


FIGURES = {
    "satisfaction": fig_satisfaction,
    "needs_met": fig_needs,
    "disputes": fig_disputes,
    "budget": fig_budget,
    "owners_committees": fig_owners,
    "trust": fig_trust,
    "participation": fig_participation,
    "community_satisfaction": fig_community_satisfaction,
}
"""File stem → function(series, communities, caption) returning a Figure (or None)."""


OVERVIEW_PANELS = (
    ("Resident satisfaction (0-1)", None, {"satisfaction_mean": "district mean"}),
    (
        "Share of need hours met",
        True,
        {"needs_met": "all residents", "needs_met_vulnerable": "vulnerable"},
    ),
    ("Residents participating", True, {"participation_rate": "participation rate"}),
    (
        "Disputes per month",
        False,
        {
            "disputes_arising": "arising",
            "disputes_mediated": "mediated",
            "disputes_escalated": "escalated",
        },
    ),
    (
        "Owners' committees and property services",
        True,
        {
            "oc_functioning_share": "functioning committees",
            "fee_collection": "fee collection",
            "property_quality": "service quality",
        },
    ),
    (
        "Devolved budget and burden",
        True,
        {"absorption_rate": "absorption (spent / available)", "admin_burden_share": "admin burden"},
    ),
)
"""Panels of the overview: title, whether the axis is a share (None: a 0-1 scale), columns
and their labels."""


def fig_overview(series, communities, caption) -> Figure:
    """The key outcomes of a run on one page: six panels with fixed margins (no layout
    engine, so it is drawn in a fraction of a second)."""
    fig = Figure(figsize=(11, 6.6), dpi=OVERVIEW_DPI)
    axes = fig.subplots(2, 3, sharex=True).ravel()
    fig.subplots_adjust(left=0.06, right=0.985, top=0.9, bottom=0.14, wspace=0.24, hspace=0.28)
    fig.suptitle("Key outcomes of the run", fontsize=13, fontweight="bold")
    fig.text(0.5, 0.015, caption, ha="center", fontsize=8.5, color="0.35")
    _band(axes[0], communities, "satisfaction", "tab:blue", "communities, 10th-90th percentile")
    _band(axes[2], communities, "participation", "tab:blue", "communities, 10th-90th percentile")
    for ax, (title, share, columns) in zip(axes, OVERVIEW_PANELS):
        _lines(ax, series, columns, lw=1.5)
        ax.set_title(title, fontsize=10)
        ax.grid(True, alpha=0.3)
        ax.margins(x=0.01)
        if share:
            ax.yaxis.set_major_formatter(SHARE)
            ax.set_ylim(-0.02, 1.02)
        elif share is None:
            ax.set_ylim(0, 1)
        else:
            ax.set_ylim(bottom=0)
        ax.legend(loc="best", fontsize=7.5)
    for ax in axes[3:]:
        ax.set_xlabel(MONTH)
    return fig


FIGURE_SETS = ("overview", "all", "none")
"""What a run folder's figures/ holds: the overview only (the default), every figure, none."""


def make_figures(
    series: pd.DataFrame,
    communities: pd.DataFrame | None,
    caption: str,
    compounds: pd.DataFrame | None = None,
    which: str = "all",
) -> dict[str, Figure]:
    """The figures of a run whose data is present, by file stem: the overview, and with
    `which="all"` every figure of FIGURES and the by-type figure too."""
    with rc_context({"font.family": font_families(caption)}):
        out = {"overview": fig_overview(series, communities, caption)}
        if which != "all":
            return out
        for name, draw in FIGURES.items():
            fig = draw(series, communities, caption)
            if fig is not None:
                out[name] = fig
        fig = fig_by_type(compounds, communities, caption)
        if fig is not None:
            out["by_type"] = fig
    return out


def write_figures(
    folder: str | Path, result: RunResult, scenario: str, which: str = "overview"
) -> list[Path]:
    """Draw the run's figures (`which`: "overview" or "all") into `folder` as
    `<name>.png` (atomically); return the paths."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    caption = caption_for(scenario, result.seed, result.steps, result.meta)
    paths = []
    figures = make_figures(result.series, result.communities, caption, result.compounds, which)
    for name, fig in figures.items():
        path = folder / f"{name}.png"
        with atomic_path(path) as tmp:  # light compression: a tenth larger, faster to write
            fig.savefig(tmp, format="png", pil_kwargs={"compress_level": 1})
        paths.append(path)
    return paths
