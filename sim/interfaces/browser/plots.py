"""Charts of the app as Vega-Lite specifications, each with its rows of data.

The browser draws them (Vega-Lite, from the offline assets); every chart can be saved as
PNG or SVG from its ⋯ menu. Each live panel is its own chart, so the panels flow in a grid
that fits any window width.

* `panel_spec` / `panel_rows` — one panel of district outcomes by month, with a y-axis title
  that names the unit, whole-month ticks, and the outcome's definition
  (`sim.core.metrics.OUTCOMES`) when hovering a point;
* `band_spec` / `band_rows` — one outcome of a comparison: the mean of each arm's replicates
  by month with its 95% confidence band;
* `series_spec` / `series_rows` — the drill-down: one community's or organisation's own
  values by month, one small panel per quantity.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from sim.core.metrics import OUTCOMES

from .i18n import long_label, metric_label, outcome_label, tr

SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"
PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b")
ARM_COLOURS = ("#1f77b4", "#d62728")


@dataclass(frozen=True)
class Unit:
    """What a panel's values measure: the y-axis title key and how values print."""

    title: str  # i18n key of the axis title
    format: str  # d3 format of values in hover text
    share: bool = False  # values are shares in [0, 1]


UNITS: dict[str, Unit] = {
    "share": Unit("unit_share", ".3f", True),
    "share_hours": Unit("unit_share_hours", ".3f", True),
    "share_compounds": Unit("unit_share_compounds", ".3f", True),
    "share_residents": Unit("unit_share_residents", ".3f", True),
    "per_month": Unit("unit_per_month", ",.1f"),
    "ngos": Unit("unit_ngos", ",.0f"),
    "yuan_month": Unit("unit_yuan_month", ",.0f"),
    "yuan_stock": Unit("unit_yuan_stock", ",.0f"),
}


@dataclass(frozen=True)
class Panel:
    key: str  # i18n key of the title
    outcomes: tuple[str, ...]
    unit: str


PANELS: tuple[Panel, ...] = (
    Panel("panel_satisfaction", ("satisfaction_mean", "trust_rc", "trust_party"), "share"),
    Panel("panel_needs", ("needs_met", "needs_met_vulnerable", "needs_met_other"), "share_hours"),
    Panel(
        "panel_disputes",
        ("disputes_arising", "disputes_mediated", "disputes_escalated"),
        "per_month",
    ),
    Panel("panel_oc", ("oc_formed_share", "oc_functioning_share"), "share_compounds"),
    Panel("panel_fees", ("fee_collection", "property_quality"), "share"),
    Panel("panel_ngo", ("ngos_active", "ngos_failed_total", "ngos_drifted"), "ngos"),
    Panel(
        "panel_budget_flows",
        ("budget_allocated", "budget_spent", "budget_lapsed", "budget_wasted"),
        "yuan_month",
    ),
    Panel("panel_budget_stock", ("budget_idle",), "yuan_stock"),
    Panel("panel_participation", ("participation_rate",), "share_residents"),
)
"""The live panels: budget flows (yuan per month) apart from the idle money (a stock)."""

PLOTTED: tuple[str, ...] = tuple(dict.fromkeys(o for p in PANELS for o in p.outcomes))

COMPARED: tuple[tuple[str, str], ...] = (
    ("satisfaction_mean", "share"),
    ("needs_met_vulnerable", "share_hours"),
    ("oc_functioning_share", "share_compounds"),
    ("fee_collection", "share"),
    ("absorption_rate", "share"),
    ("participation_rate", "share_residents"),
    ("disputes_escalated", "per_month"),
    ("ngos_active", "ngos"),
    ("ngos_drifted", "ngos"),
    ("budget_wasted", "yuan_month"),
)
"""Outcomes of the Compare tab and their units: the first six are drawn with bands."""


def _config() -> dict[str, Any]:
    return {
        "view": {"stroke": None},
        "axis": {"labelFontSize": 10, "titleFontSize": 10, "grid": True, "gridOpacity": 0.4},
        "legend": {"labelFontSize": 10, "symbolSize": 60, "labelLimit": 240},
        "title": {"fontSize": 12, "anchor": "start", "offset": 4},
        "font": "sans-serif",
    }


def export_options(filename: str) -> dict[str, Any]:
    """vega-embed options: only the ⋯ menu's 'Save as SVG / PNG', with this file name."""
    return {
        "actions": {"export": True, "source": False, "compiled": False, "editor": False},
        "downloadFileName": filename,
        "scaleFactor": 2,
    }


def _month_axis(lang: str) -> dict[str, Any]:
    """Months from 0 to the last one shown, ticks on whole months only."""
    return {
        "field": "month",
        "type": "quantitative",
        "title": tr("axis_month", lang),
        "scale": {"zero": True, "nice": False},
        "axis": {"tickMinStep": 1, "format": "d", "labelFlush": True},
    }


def months_collected(series: Mapping[str, Sequence[float]]) -> int:
    """Number of months in the collected series."""
    return min((len(series.get(o, ())) for o in PLOTTED), default=0)


def panel_rows(
    series: Mapping[str, Sequence[float]], panel: Panel, lang: str = "en", upto: int | None = None
) -> list[dict[str, Any]]:
    """Long rows {month, series, value} of a panel's outcomes, months 1..upto."""
    rows = []
    for o in panel.outcomes:
        values = list(series.get(o, ()))[:upto]
        label = outcome_label(o, lang)
        for i, v in enumerate(values):
            if v is None or v != v:
                continue
            rows.append({"month": i + 1, "series": label, "value": float(f"{float(v):.6g}")})
    return rows


def definitions(panel: Panel, lang: str = "en") -> dict[str, str]:
    """Series name -> the outcome's definition (`sim.core.metrics.OUTCOMES`)."""
    return {outcome_label(o, lang): OUTCOMES.get(o, "") for o in panel.outcomes}


def _lookup(mapping: dict[str, str], field: str) -> str:
    """A Vega expression that maps a field's value through `mapping` (sent once, in the
    spec, instead of in every row)."""
    return f"{json.dumps(mapping, ensure_ascii=False)}[datum[{json.dumps(field)}]]"


def panel_spec(
    panel: Panel, lang: str = "en", zero: bool = False, height: int = 130
) -> dict[str, Any]:
    """One panel: a line per outcome; hovering a month marks it and gives each outcome's
    value and definition. `zero` starts the y axis at 0 (shares then span [0, 1])."""
    unit = UNITS[panel.unit]
    labels = [outcome_label(o, lang) for o in panel.outcomes]
    y: dict[str, Any] = {
        "field": "value",
        "type": "quantitative",
        "title": tr(unit.title, lang),
        "axis": {"format": "~s" if "yuan" in panel.unit else None},
    }
    y["axis"] = {k: v for k, v in y["axis"].items() if v is not None}
    if zero and unit.share:
        y["scale"] = {"domain": [0, 1]}
    else:
        y["scale"] = {"zero": zero or not unit.share}
    colour = {
        "field": "series",
        "type": "nominal",
        "title": None,
        "scale": {"domain": labels, "range": list(PALETTE[: len(labels)])},
        "legend": {"orient": "bottom", "columns": 1, "labelLimit": 0},
    }
    x = _month_axis(lang)
    return {
        "$schema": SCHEMA,
        "description": panel.key,
        "title": tr(panel.key, lang),
        "width": "container",
        "height": height,
        "autosize": {"type": "fit-x", "contains": "padding"},
        "data": {"name": "rows"},
        "transform": [
            {"calculate": _lookup(definitions(panel, lang), "series"), "as": "definition"}
        ],
        "layer": [
            {
                "mark": {"type": "line", "strokeWidth": 1.6, "clip": True},
                "encoding": {"x": x, "y": y, "color": colour},
            },
            {
                "params": [
                    {
                        "name": "hover",
                        "select": {
                            "type": "point",
                            "fields": ["month"],
                            "nearest": True,
                            "on": "pointerover",
                            "clear": "pointerout",
                        },
                    }
                ],
                "mark": {"type": "point", "filled": True, "size": 36, "clip": True},
                "encoding": {
                    "x": x,
                    "y": y,
                    "color": colour,
                    "opacity": {
                        "condition": {"param": "hover", "empty": False, "value": 1},
                        "value": 0,
                    },
                    "tooltip": [
                        {"field": "series", "type": "nominal", "title": tr("tip_outcome", lang)},
                        {"field": "month", "type": "quantitative", "title": tr("axis_month", lang)},
                        {
                            "field": "value",
                            "type": "quantitative",
                            "format": unit.format,
                            "title": tr(unit.title, lang),
                        },
                        {
                            "field": "definition",
                            "type": "nominal",
                            "title": tr("tip_definition", lang),
                        },
                    ],
                },
            },
        ],
        "config": _config(),
        "usermeta": {"embedOptions": export_options(panel.key.replace("panel_", ""))},
    }


# ------------------------------------------------------------------------------ compare
def band_rows(
    frames_a: Sequence[pd.DataFrame],
    frames_b: Sequence[pd.DataFrame],
    outcome: str,
    names: tuple[str, str],
) -> list[dict[str, Any]]:
    """Per arm and month: the mean of the replicates and its 95% confidence interval (none
    with one replicate)."""
    from sim.experiments.stats import mean_ci

    rows = []
    for arm, frames in zip(names, (frames_a, frames_b)):
        if not frames:
            continue
        values = np.array([f[outcome].to_numpy(dtype=float) for f in frames])
        for m in range(values.shape[1]):
            est = mean_ci(values[:, m])
            rows.append(
                {
                    "month": m + 1,
                    "arm": arm,
                    "mean": _round(est.mean),
                    "low": _round(est.low),
                    "high": _round(est.high),
                    "n": est.n,
                }
            )
    return rows


def _round(x: float) -> float | None:
    return None if x != x else float(f"{x:.6g}")


def band_spec(
    outcome: str,
    unit: str,
    names: tuple[str, str],
    lang: str = "en",
    zero: bool = False,
    height: int = 140,
) -> dict[str, Any]:
    """One compared outcome: each arm's replicate mean by month with its 95% CI band."""
    u = UNITS[unit]
    y = {
        "field": "mean",
        "type": "quantitative",
        "title": tr(u.title, lang),
        "scale": {"zero": zero or not u.share},
    }
    colour = {
        "field": "arm",
        "type": "nominal",
        "title": None,
        "scale": {"domain": list(names), "range": list(ARM_COLOURS)},
        "legend": {"orient": "bottom"},
    }
    x = _month_axis(lang)
    return {
        "$schema": SCHEMA,
        "description": f"comparison of {outcome}",
        "title": {
            "text": long_label(outcome, lang),
            "subtitle": OUTCOMES.get(outcome, ""),
            "subtitleFontSize": 10,
        },
        "width": "container",
        "height": height,
        "autosize": {"type": "fit-x", "contains": "padding"},
        "data": {"name": "rows"},
        "layer": [
            {
                "mark": {"type": "area", "opacity": 0.2},
                "encoding": {
                    "x": x,
                    "y": {**y, "field": "low"},
                    "y2": {"field": "high"},
                    "color": colour,
                },
            },
            {
                "mark": {"type": "line", "strokeWidth": 1.8},
                "encoding": {
                    "x": x,
                    "y": y,
                    "color": colour,
                    "tooltip": [
                        {"field": "arm", "type": "nominal", "title": tr("tip_arm", lang)},
                        {"field": "month", "type": "quantitative", "title": tr("axis_month", lang)},
                        {
                            "field": "mean",
                            "type": "quantitative",
                            "format": u.format,
                            "title": tr("tip_mean", lang),
                        },
                        {
                            "field": "low",
                            "type": "quantitative",
                            "format": u.format,
                            "title": tr("tip_low", lang),
                        },
                        {
                            "field": "high",
                            "type": "quantitative",
                            "format": u.format,
                            "title": tr("tip_high", lang),
                        },
                        {"field": "n", "type": "quantitative", "title": tr("tip_replicates", lang)},
                    ],
                },
            },
        ],
        "config": _config(),
        "usermeta": {"embedOptions": export_options(f"compare-{outcome}")},
    }


# ------------------------------------------------------------------------------ drill-down
def series_rows(
    frame: pd.DataFrame, columns: Sequence[str], lang: str = "en", upto: int | None = None
) -> list[dict[str, Any]]:
    """Long rows {month, quantity, value} of a table with a `month` column."""
    if frame.empty:
        return []
    if upto is not None:
        frame = frame[frame["month"] <= upto]
    rows = []
    for col in columns:
        if col not in frame:
            continue
        label = metric_label(col, lang)
        for m, v in zip(frame["month"].tolist(), frame[col].tolist()):
            if v is None or v != v:
                continue
            rows.append({"month": int(m), "quantity": label, "value": float(f"{float(v):.6g}")})
    return rows


def series_spec(
    title: str, lang: str = "en", columns: int = 2, filename: str = "drilldown"
) -> dict[str, Any]:
    """Small multiples: one panel per quantity, each with its own y axis."""
    return {
        "$schema": SCHEMA,
        "description": title,
        "title": title,
        "data": {"name": "rows"},
        "facet": {
            "field": "quantity",
            "type": "nominal",
            "title": None,
            "header": {"labelFontSize": 10, "labelLimit": 180},
        },
        "columns": columns,
        "spec": {
            "width": 150,
            "height": 70,
            "mark": {"type": "line", "strokeWidth": 1.4, "point": {"size": 12}},
            "encoding": {
                "x": _month_axis(lang),
                "y": {
                    "field": "value",
                    "type": "quantitative",
                    "title": None,
                    "scale": {"zero": False},
                    "axis": {
                        "tickCount": 3,
                        "labelExpr": (
                            "abs(datum.value) >= 1000 ? format(datum.value, '.3~s')"
                            " : format(datum.value, '.3~r')"
                        ),
                    },
                },
                "tooltip": [
                    {"field": "quantity", "type": "nominal"},
                    {"field": "month", "type": "quantitative"},
                    {"field": "value", "type": "quantitative", "format": ",.3f"},
                ],
            },
        },
        "resolve": {"scale": {"y": "independent"}},
        "spacing": 10,
        "config": _config(),
        "usermeta": {"embedOptions": export_options(filename), "relayout": True},
    }
