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

from .i18n import metric_label, outcome_label, tr

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
    "hours": Unit("unit_hours", ",.1f"),
    "load": Unit("unit_load", ".2f"),
    "months": Unit("unit_months", ".2f"),
    "number": Unit("unit_number", ",.2f"),
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


TITLE_WIDTH = 24
"""Characters of a panel title's line (a panel is at least 210 px wide); a longer title
breaks into lines instead of running out of its chart."""


def title_lines(text: str, width: int = TITLE_WIDTH) -> list[str] | str:
    """A title as lines of at most `width` characters (CJK characters count double)."""
    import textwrap

    size = sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)
    if size <= width:
        return text
    if any(ord(ch) > 0x2E80 for ch in text) and " " not in text:
        half = len(text) // 2
        return [text[:half], text[half:]]
    return textwrap.wrap(text, width) or text


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
        "title": {"text": title_lines(tr(panel.key, lang))},
        "width": "container",
        "height": height,
        "autosize": {"type": "fit-x", "contains": "padding", "resize": True},
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
    share: bool = False,
) -> list[dict[str, Any]]:
    """Per arm and month: the mean of the replicates and its 95% confidence interval (none
    with one replicate). `share`: the interval is cut at 0 and 1, the values a share can
    take (a t-interval of few replicates can reach beyond them)."""
    from sim.experiments.stats import mean_ci

    rows = []
    for arm, frames in zip(names, (frames_a, frames_b)):
        if not frames:
            continue
        values = np.array([f[outcome].to_numpy(dtype=float) for f in frames])
        for m in range(values.shape[1]):
            est = mean_ci(values[:, m])
            low, high = (max(est.low, 0.0), min(est.high, 1.0)) if share else (est.low, est.high)
            rows.append(
                {
                    "month": m + 1,
                    "arm": arm,
                    "mean": _round(est.mean),
                    "low": _round(low),
                    "high": _round(high),
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
    height: int = 150,
) -> dict[str, Any]:
    """One compared outcome: each arm's replicate mean by month with its 95% CI band. The
    chart has no title and no legend of its own (the tab writes the outcome's name and
    definition above it, and one legend for all charts): a long title or legend inside a
    chart that fits its container's width leaves the plot no width at all."""
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
        "legend": None,
    }
    x = _month_axis(lang)
    return {
        "$schema": SCHEMA,
        "description": f"comparison of {outcome}",
        "width": "container",
        "height": height,
        "autosize": {"type": "fit-x", "contains": "padding", "resize": True},
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
                "mark": {"type": "line", "strokeWidth": 1.8, "point": {"size": 10}},
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


def effect_spec(
    outcome: str,
    unit: str,
    factor: str,
    lang: str = "en",
    relative: bool = False,
    numeric: bool = True,
    height: int = 150,
) -> dict[str, Any]:
    """One outcome of a sweep: the mean over the summary window at each value of the swept
    factor with its 95% CI band — or, `relative`, the paired difference from the first
    value with its band and a line at zero. Like `band_spec`, no title or legend inside."""
    u = UNITS[unit]
    y_field, low, high = ("diff", "diff_low", "diff_high") if relative else ("mean", "low", "high")
    title = tr("sweep_axis_diff" if relative else "sweep_axis_mean", lang).format(
        unit=tr(u.title, lang)
    )
    y = {"field": y_field, "type": "quantitative", "title": title, "scale": {"zero": relative}}
    x: dict[str, Any] = {
        "field": "value",
        "type": "quantitative" if numeric else "ordinal",
        "title": factor,
        "axis": {"labelAngle": 0, "titleLimit": 220},
    }
    if numeric:
        x["scale"] = {"zero": False, "nice": False, "padding": 6}
    tip = [
        {"field": "label", "type": "nominal", "title": factor},
        {"field": "n", "type": "quantitative", "title": tr("tip_replicates", lang)},
        {
            "field": "mean",
            "type": "quantitative",
            "format": u.format,
            "title": tr("tip_mean", lang),
        },
        {"field": "low", "type": "quantitative", "format": u.format, "title": tr("tip_low", lang)},
        {
            "field": "high",
            "type": "quantitative",
            "format": u.format,
            "title": tr("tip_high", lang),
        },
        {
            "field": "diff",
            "type": "quantitative",
            "format": u.format,
            "title": tr("sweep_diff", lang),
        },
    ]
    layers: list[dict[str, Any]] = [
        {
            "mark": {
                "type": "area" if numeric else "rule",
                "opacity": 0.2,
                "color": ARM_COLOURS[0],
                "strokeWidth": 6,
            },
            "encoding": {"x": x, "y": {**y, "field": low}, "y2": {"field": high}},
        },
        {
            "mark": {
                "type": "line",
                "strokeWidth": 1.8,
                "color": ARM_COLOURS[0],
                "point": {"size": 30, "filled": True},
            },
            "encoding": {"x": x, "y": y, "tooltip": tip},
        },
    ]
    if relative:
        layers.append(
            {
                "mark": {"type": "rule", "color": "#777", "strokeDash": [4, 3]},
                "encoding": {"y": {"datum": 0, "type": "quantitative"}},
            }
        )
    return {
        "$schema": SCHEMA,
        "description": f"sweep of {outcome}",
        "width": "container",
        "height": height,
        "autosize": {"type": "fit-x", "contains": "padding", "resize": True},
        "data": {"name": "rows"},
        "layer": layers,
        "config": _config(),
        "usermeta": {"embedOptions": export_options(f"sweep-{outcome}")},
    }


SHARE_OUTCOMES = frozenset(
    {"satisfaction_gini", "needs_met_property", "rc_skill", "assessment_score"}
)
"""Outcomes on a 0-1 scale whose definition does not say so."""


def unit_of(outcome: str) -> str:
    """The unit (a key of UNITS) of any outcome: the one its panel or the comparison gives
    it, else read from its definition in `sim.core.metrics.OUTCOMES` (money, hours,
    workload, months, shares; anything else a number)."""
    known = {o: p.unit for p in PANELS for o in p.outcomes} | dict(COMPARED)
    if outcome in known:
        return known[outcome]
    text = OUTCOMES.get(outcome, "").lower()
    if "yuan" in text:
        return "yuan_stock" if "stock" in text else "yuan_month"
    if "workload" in text:
        return "load"
    if text.startswith(("share of", "expected share", "turnout")) or outcome.endswith(
        ("_share", "_rate")
    ):
        return "share"
    if outcome in SHARE_OUTCOMES or "(0-1)" in text:
        return "share"
    if text.startswith(("mean independence", "mean weight", "mean rating", "mean trust")):
        return "share"
    if "hours" in outcome or "task hours" in text or outcome.startswith("dept_duties"):
        return "hours"
    if "months" in text:
        return "months"
    return "number"


def decimals_of(unit: str) -> int:
    """Fixed decimals of a unit in tables: shares 3, money none, others 2."""
    if UNITS[unit].share:
        return 3
    if "yuan" in unit:
        return 0
    return 2 if unit in ("load", "months") else 1


# ------------------------------------------------------------------------------ streets
def streets_spec(
    column: str, unit_title: str, district_label: str, lang: str = "en", cell: int = 170
) -> dict[str, Any]:
    """Small multiples, one panel per street: the street's value by month (blue) and the
    district's (grey, dashed), on a y axis shared by all panels so streets compare. The
    number of panels per row follows the page's width (`usermeta.fitColumns`)."""
    return {
        "$schema": SCHEMA,
        "description": f"{column} by street",
        "data": {"name": "rows"},
        "facet": {
            "field": "street",
            "type": "nominal",
            "title": None,
            "sort": {"field": "order"},
            "header": {"labelFontSize": 11, "labelLimit": cell},
        },
        "columns": 4,
        "spec": {
            "width": cell,
            "height": 90,
            "mark": {"type": "line", "strokeWidth": 1.5},
            "encoding": {
                "x": _month_axis(lang),
                "y": {
                    "field": "value",
                    "type": "quantitative",
                    "title": unit_title,
                    "scale": {"zero": False},
                    "axis": {"tickCount": 4},
                },
                "color": {
                    "field": "series",
                    "type": "nominal",
                    "title": None,
                    "scale": {
                        "domain": ["street", district_label],
                        "range": ["#1f77b4", "#888888"],
                    },
                    "legend": None,
                },
                "strokeDash": {
                    "field": "series",
                    "type": "nominal",
                    "scale": {"domain": ["street", district_label], "range": [[1, 0], [4, 3]]},
                    "legend": None,
                },
                "tooltip": [
                    {"field": "street", "type": "nominal", "title": tr("street", lang)},
                    {"field": "series", "type": "nominal", "title": tr("tip_outcome", lang)},
                    {"field": "month", "type": "quantitative", "title": tr("axis_month", lang)},
                    {
                        "field": "value",
                        "type": "quantitative",
                        "format": ",.3~f",
                        "title": metric_label(column, lang),
                    },
                ],
            },
        },
        "spacing": 12,
        "config": _config(),
        "usermeta": {
            "embedOptions": export_options(f"streets-{column}"),
            "relayout": True,
            "fitColumns": cell + 60,
        },
    }


def spread_spec(
    column: str, unit_title: str, lang: str = "en", height: int = 220
) -> dict[str, Any]:
    """The communities' spread by month: 10th-90th and 25th-75th percentile bands, the
    median, and the district's value."""
    x = _month_axis(lang)
    y = {"type": "quantitative", "title": unit_title, "scale": {"zero": False}}
    tip = [
        {"field": "month", "type": "quantitative", "title": tr("axis_month", lang)},
        {"field": "q10", "type": "quantitative", "format": ",.3~f", "title": "10%"},
        {"field": "q25", "type": "quantitative", "format": ",.3~f", "title": "25%"},
        {
            "field": "q50",
            "type": "quantitative",
            "format": ",.3~f",
            "title": tr("spread_median", lang),
        },
        {"field": "q75", "type": "quantitative", "format": ",.3~f", "title": "75%"},
        {"field": "q90", "type": "quantitative", "format": ",.3~f", "title": "90%"},
        {
            "field": "district",
            "type": "quantitative",
            "format": ",.3~f",
            "title": tr("spread_district", lang),
        },
        {"field": "n", "type": "quantitative", "title": tr("spread_n", lang)},
    ]
    return {
        "$schema": SCHEMA,
        "description": f"{column} across communities",
        "width": "container",
        "height": height,
        "autosize": {"type": "fit-x", "contains": "padding", "resize": True},
        "data": {"name": "rows"},
        "layer": [
            {
                "mark": {"type": "area", "opacity": 0.18, "color": "#1f77b4"},
                "encoding": {"x": x, "y": {**y, "field": "q10"}, "y2": {"field": "q90"}},
            },
            {
                "mark": {"type": "area", "opacity": 0.3, "color": "#1f77b4"},
                "encoding": {"x": x, "y": {**y, "field": "q25"}, "y2": {"field": "q75"}},
            },
            {
                "mark": {"type": "line", "strokeWidth": 1.5, "color": "#1f77b4"},
                "encoding": {"x": x, "y": {**y, "field": "q50"}},
            },
            {
                "mark": {
                    "type": "line",
                    "strokeWidth": 1.8,
                    "color": "#d62728",
                    "strokeDash": [5, 3],
                    "point": {"size": 14, "opacity": 0},
                },
                "encoding": {"x": x, "y": {**y, "field": "district"}, "tooltip": tip},
            },
        ],
        "config": _config(),
        "usermeta": {"embedOptions": export_options(f"spread-{column}")},
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
        "usermeta": {
            "embedOptions": export_options(filename),
            "relayout": True,
            "fitColumns": 150 + 70,  # a panel and its y axis: as many per row as fit
        },
    }
