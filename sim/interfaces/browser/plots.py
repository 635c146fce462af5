"""Live outcome plots and comparison plots as Vega-Lite specifications.

The browser draws these charts itself (Vega-Lite, from the offline assets), so the server only
builds a small dict per month — far cheaper than rendering eight matplotlib panels — and the
chart text uses the browser's fonts in either interface language.

`live_spec(series, lang)` takes the model's collected district series (the DataCollector's
`model_vars`: outcome name → list, one value per month) and returns one chart of eight
panels; `compare_spec(frames, lang)` draws the key shares of two runs on one plot.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .i18n import long_label, outcome_label, tr

SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"

PANELS: tuple[tuple[str, tuple[str, ...], str], ...] = (
    ("panel_satisfaction", ("satisfaction_mean", "trust_rc", "trust_party"), "share"),
    ("panel_needs", ("needs_met", "needs_met_vulnerable", "needs_met_other"), "share"),
    ("panel_disputes", ("disputes_arising", "disputes_mediated", "disputes_escalated"), "count"),
    ("panel_oc", ("oc_formed_share", "oc_functioning_share"), "share"),
    ("panel_fees", ("fee_collection", "property_quality"), "share"),
    ("panel_ngo", ("ngos_active", "ngos_failed_total", "ngos_drifted"), "count"),
    ("panel_budget", ("budget_allocated", "budget_spent", "budget_idle", "budget_lapsed",
                      "budget_wasted"), "yuan"),
    ("panel_participation", ("participation_rate",), "share"),
)
"""The live plots: (title key, outcomes, kind of axis)."""

PLOTTED: tuple[str, ...] = tuple(dict.fromkeys(o for _, outs, _ in PANELS for o in outs))
"""Every outcome drawn in the live plots."""

COMPARE_SHARES: tuple[str, ...] = (
    "satisfaction_mean", "needs_met_vulnerable", "oc_functioning_share", "fee_collection",
    "absorption_rate", "participation_rate",
)
"""Key outcomes (all shares in [0, 1]) drawn on the one comparison plot."""

COMPARE_TABLE: tuple[str, ...] = (
    *COMPARE_SHARES, "disputes_escalated", "ngos_active", "ngos_drifted", "budget_wasted",
)
"""Key outcomes in the comparison table."""

PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b")


def _config() -> dict[str, Any]:
    return {
        "view": {"stroke": None},
        "axis": {"labelFontSize": 10, "titleFontSize": 10, "grid": True, "gridOpacity": 0.4},
        "legend": {"labelFontSize": 10, "symbolSize": 60, "labelLimit": 220},
        "title": {"fontSize": 12, "anchor": "start", "offset": 4},
        "font": "sans-serif",
    }


def _rows(series: Mapping[str, Sequence[float]], outcomes: Sequence[str], lang: str,
          first_month: int = 1) -> list[dict[str, Any]]:
    """Wide rows {month, <label>: value, ...} with 4 significant digits."""
    n = min((len(series.get(o, ())) for o in outcomes), default=0)
    labels = [(o, outcome_label(o, lang)) for o in outcomes]
    rows = []
    for i in range(n):
        row: dict[str, Any] = {"month": first_month + i}
        for o, lab in labels:
            v = series[o][i]
            row[lab] = None if v is None or v != v else float(f"{float(v):.4g}")
        rows.append(row)
    return rows


def months_collected(series: Mapping[str, Sequence[float]]) -> int:
    """Number of months in the collected series."""
    return min((len(series.get(o, ())) for o in PLOTTED), default=0)


def live_spec(series: Mapping[str, Sequence[float]], lang: str = "en",
              width: int = 250, height: int = 105) -> dict[str, Any]:
    """Eight panels of district outcomes by month (two columns)."""
    rows = _rows(series, PLOTTED, lang)
    few = len(rows) < 25
    panels = []
    for title, outcomes, axis in PANELS:
        labels = [outcome_label(o, lang) for o in outcomes]
        y: dict[str, Any] = {"field": "value", "type": "quantitative", "title": None,
                             "scale": {"zero": axis != "share"}}
        if axis == "yuan":
            y["axis"] = {"format": "~s"}
        panels.append({
            "title": tr(title, lang),
            "width": width,
            "height": height,
            "data": {"name": "run"},
            "transform": [{"fold": labels, "as": ["series", "value"]}],
            "mark": {"type": "line", "strokeWidth": 1.6, "point": few, "clip": True},
            "encoding": {
                "x": {"field": "month", "type": "quantitative", "title": tr("axis_month", lang),
                      "axis": {"tickMinStep": 1, "format": "d"}},
                "y": y,
                "color": {
                    "field": "series", "type": "nominal", "title": None,
                    "scale": {"domain": labels, "range": list(PALETTE[: len(labels)])},
                    "legend": {"orient": "bottom", "columns": 2 if len(labels) > 1 else 1},
                },
            },
        })
    return {
        "$schema": SCHEMA,
        "description": f"district outcomes, months 1-{len(rows)}",
        "datasets": {"run": rows},
        "concat": panels,
        "columns": 2,
        "spacing": 14,
        "resolve": {"scale": {"color": "independent"}},
        "config": _config(),
        "usermeta": {"embedOptions": {"actions": False}},
    }


def compare_spec(series_a: Mapping[str, Sequence[float]], series_b: Mapping[str, Sequence[float]],
                 names: tuple[str, str], lang: str = "en", width: int = 620,
                 height: int = 300) -> dict[str, Any]:
    """The key shares of two runs on one plot: colour = outcome, solid = A, dashed = B."""
    rows = []
    for arm, series in zip(names, (series_a, series_b)):
        for o in COMPARE_SHARES:
            lab = long_label(o, lang)
            for i, v in enumerate(series.get(o, ())):
                rows.append({"month": i + 1, "arm": arm, "series": lab,
                             "value": float(f"{float(v):.4g}")})
    labels = [long_label(o, lang) for o in COMPARE_SHARES]
    return {
        "$schema": SCHEMA,
        "description": f"comparison, {len(rows)} points",
        "title": tr("compare_plot", lang),
        "width": width,
        "height": height,
        "data": {"values": rows},
        "mark": {"type": "line", "strokeWidth": 1.8},
        "encoding": {
            "x": {"field": "month", "type": "quantitative", "title": tr("axis_month", lang),
                  "axis": {"tickMinStep": 1, "format": "d"}},
            "y": {"field": "value", "type": "quantitative", "title": tr("axis_share", lang),
                  "scale": {"domain": [0, 1]}},
            "color": {"field": "series", "type": "nominal", "title": None,
                      "scale": {"domain": labels, "range": list(PALETTE[: len(labels)])}},
            "strokeDash": {"field": "arm", "type": "nominal", "title": None,
                           "scale": {"domain": list(names), "range": [[1, 0], [6, 4]]}},
            "detail": {"field": "arm"},
        },
        "config": _config(),
        "usermeta": {"embedOptions": {"actions": False}},
    }
