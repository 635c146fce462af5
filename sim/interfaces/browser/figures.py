"""The figures a researcher downloads from the Compare and Sweep tabs, drawn with matplotlib
as SVG, or as PNG at twice the screen's resolution (200 dpi for a figure laid out at 100).

* `compare_figure` — one panel per chosen outcome: each arm's replicate mean by month with
  its 95% confidence band, the arms named in one legend;
* `sweep_figure` — one panel per chosen outcome: the mean over the summary window against
  the swept lever's values, with the 95% confidence band of each value's mean (or the
  paired effect against the reference value, with its band).

Titles and axes are in the page's language; Chinese is drawn with an installed Chinese font
(`sim.runs.figures.chinese_font`).
"""

from __future__ import annotations

import io
import math
import textwrap
from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from sim.runs.figures import chinese_font

from .i18n import long_label, tr
from .plots import ARM_COLOURS, UNITS, unit_of

FORMATS = ("svg", "png")
BASE_DPI = 100
PNG_SCALE = 2
"""PNG figures are written at this many times the layout's resolution."""
COLUMNS = 3
MIME = {"svg": "image/svg+xml", "png": "image/png"}


def _fonts(lang: str) -> list[str]:
    """Font families: an installed Chinese font first in Chinese, and after the default
    font in English (whose names quote 一肩挑), so no glyph is drawn as an empty box."""
    font = chinese_font()
    if font is None:
        return ["sans-serif"]
    return [font, "sans-serif"] if lang == "zh" else ["sans-serif", font]


def _figure(n: int, lang: str) -> tuple[Figure, list]:
    cols = min(COLUMNS, max(n, 1))
    rows = max(1, math.ceil(n / cols))
    fig = Figure(figsize=(3.6 * cols, 2.7 * rows + 0.9), dpi=BASE_DPI, layout="constrained")
    axes = fig.subplots(rows, cols, squeeze=False).ravel().tolist()
    for ax in axes[n:]:
        ax.set_visible(False)
    return fig, axes[:n]


def _save(fig: Figure, fmt: str) -> bytes:
    if fmt not in FORMATS:
        raise ValueError(f"unknown figure format {fmt!r}: use one of {', '.join(FORMATS)}")
    buf = io.BytesIO()
    fig.savefig(buf, format=fmt, dpi=BASE_DPI * (PNG_SCALE if fmt == "png" else 1))
    return buf.getvalue()


def _title(ax, outcome: str, lang: str, families: list[str]) -> None:
    ax.set_title(textwrap.fill(long_label(outcome, lang), 34), fontsize=9, family=families)
    ax.set_ylabel(tr(UNITS[unit_of(outcome)].title, lang), fontsize=8, family=families)
    ax.tick_params(labelsize=7)
    ax.grid(True, alpha=0.3)


def compare_figure(
    bands: dict[str, pd.DataFrame],
    names: tuple[str, str],
    title: str,
    lang: str = "en",
    fmt: str = "svg",
) -> bytes:
    """Bands of a comparison. `bands`: outcome -> rows of `plots.band_rows` (month, arm,
    mean, low, high) as a table."""
    families = _fonts(lang)
    outcomes = list(bands)
    fig, axes = _figure(len(outcomes), lang)
    for ax, outcome in zip(axes, outcomes):
        rows = bands[outcome]
        for arm, colour in zip(names, ARM_COLOURS):
            mine = rows[rows["arm"] == arm].sort_values("month")
            if mine.empty:
                continue
            x = mine["month"].to_numpy(dtype=float)
            low = mine["low"].to_numpy(dtype=float)
            high = mine["high"].to_numpy(dtype=float)
            if np.isfinite(low).any():
                ax.fill_between(x, low, high, color=colour, alpha=0.2, linewidth=0)
            ax.plot(x, mine["mean"].to_numpy(dtype=float), color=colour, lw=1.6, label=arm)
        _title(ax, outcome, lang, families)
        ax.set_xlabel(tr("axis_month", lang), fontsize=8, family=families)
    handles, labels = axes[0].get_legend_handles_labels() if axes else ([], [])
    fig.legend(
        handles,
        labels,
        loc="outside upper center",
        ncols=2,
        fontsize=9,
        frameon=False,
        prop={"family": families},
    )
    fig.suptitle(title, fontsize=11, family=families)
    return _save(fig, fmt)


def sweep_figure(
    effects: pd.DataFrame,
    factor_label: str,
    title: str,
    lang: str = "en",
    fmt: str = "svg",
    relative: bool = False,
) -> bytes:
    """Effect curves of a sweep. `effects`: one row per value and outcome with `value`,
    `outcome`, `mean`, `low`, `high` (and `diff`, `diff_low`, `diff_high` for `relative`)."""
    families = _fonts(lang)
    outcomes = list(dict.fromkeys(effects["outcome"]))
    fig, axes = _figure(len(outcomes), lang)
    for ax, outcome in zip(axes, outcomes):
        rows = effects[effects["outcome"] == outcome]
        labels = [str(v) for v in rows["value"]]
        numeric = pd.api.types.is_numeric_dtype(rows["value"]) and not pd.api.types.is_bool_dtype(
            rows["value"]
        )
        x = rows["value"].to_numpy(dtype=float) if numeric else np.arange(len(rows), dtype=float)
        y, lo, hi = ("diff", "diff_low", "diff_high") if relative else ("mean", "low", "high")
        ys = rows[y].to_numpy(dtype=float)
        low, high = rows[lo].to_numpy(dtype=float), rows[hi].to_numpy(dtype=float)
        if np.isfinite(low).any():
            ax.fill_between(x, low, high, color=ARM_COLOURS[0], alpha=0.2, linewidth=0)
        ax.plot(x, ys, color=ARM_COLOURS[0], lw=1.6, marker="o", ms=3)
        if relative:
            ax.axhline(0, color="0.4", lw=0.8, ls="--")
        if not numeric:
            ax.set_xticks(x, labels)
        _title(ax, outcome, lang, families)
        ax.set_xlabel(textwrap.fill(factor_label, 40), fontsize=8, family=families)
    fig.suptitle(title, fontsize=11, family=families)
    return _save(fig, fmt)


def as_table(rows: Sequence[dict]) -> pd.DataFrame:
    """Rows of a chart as a table (the figures take tables)."""
    return pd.DataFrame(list(rows))
