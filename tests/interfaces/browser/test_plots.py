"""The outcome panels: units on the y axes, definitions on hover, stocks apart from flows,
whole-month ticks, an optional zero-based axis; comparison bands; drill-down series."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from sim.core.metrics import OUTCOMES
from sim.interfaces.browser import i18n, plots


def test_the_panels_cover_the_outcomes_researchers_watch():
    needed = {
        "satisfaction_mean",
        "needs_met",
        "needs_met_vulnerable",
        "disputes_arising",
        "disputes_mediated",
        "disputes_escalated",
        "oc_formed_share",
        "oc_functioning_share",
        "fee_collection",
        "ngos_active",
        "ngos_failed_total",
        "ngos_drifted",
        "budget_spent",
        "budget_idle",
        "budget_lapsed",
        "budget_wasted",
        "participation_rate",
    }
    assert needed <= set(plots.PLOTTED) <= set(OUTCOMES)
    assert {o for o, _ in plots.COMPARED} <= set(OUTCOMES)


def test_the_budget_panel_splits_the_idle_stock_from_the_monthly_flows():
    by_unit = {}
    for panel in plots.PANELS:
        for o in panel.outcomes:
            by_unit.setdefault(o, panel.unit)
    assert by_unit["budget_idle"] == "yuan_stock"
    for flow in ("budget_allocated", "budget_spent", "budget_lapsed", "budget_wasted"):
        assert by_unit[flow] == "yuan_month"
    assert "stock" in OUTCOMES["budget_idle"]


@pytest.mark.parametrize("lang", list(i18n.LANGS))
def test_every_panel_titles_its_y_axis_with_a_unit_and_ticks_whole_months(lang):
    for panel in plots.PANELS:
        spec = plots.panel_spec(panel, lang)
        for layer in spec["layer"]:
            enc = layer["encoding"]
            assert enc["y"]["title"] == i18n.tr(plots.UNITS[panel.unit].title, lang)
            assert enc["x"]["axis"]["tickMinStep"] == 1 and enc["x"]["axis"]["format"] == "d"
        json.dumps(spec)


def test_hovering_a_point_gives_the_outcome_s_definition():
    series = {"satisfaction_mean": [0.5, 0.6], "trust_rc": [0.4, 0.41], "trust_party": [0.3, 0.2]}
    panel = plots.PANELS[0]
    assert set(plots.definitions(panel).values()) == {OUTCOMES[o] for o in panel.outcomes}
    spec = plots.panel_spec(panel)
    assert spec["transform"][0]["as"] == "definition"
    assert OUTCOMES["satisfaction_mean"] in spec["transform"][0]["calculate"]
    assert {r["series"] for r in plots.panel_rows(series, panel)} == set(plots.definitions(panel))
    points = spec["layer"][1]
    fields = [t["field"] for t in points["encoding"]["tooltip"]]
    assert "definition" in fields and "value" in fields
    assert points["params"][0]["select"]["nearest"] is True


def test_rows_stop_at_the_month_shown():
    series = {o: [1.0, 2.0, 3.0] for o in plots.PLOTTED}
    rows = plots.panel_rows(series, plots.PANELS[0], "en", upto=2)
    assert max(r["month"] for r in rows) == 2
    assert plots.months_collected(series) == 3 and plots.months_collected({}) == 0


def test_the_zero_option_starts_every_y_axis_at_zero():
    for panel in plots.PANELS:
        y = plots.panel_spec(panel, zero=True)["layer"][0]["encoding"]["y"]
        assert y["scale"].get("zero") is True or y["scale"].get("domain") == [0, 1]
    share = next(p for p in plots.PANELS if plots.UNITS[p.unit].share)
    assert plots.panel_spec(share)["layer"][0]["encoding"]["y"]["scale"] == {"zero": False}


def test_comparison_bands_are_the_replicate_mean_and_its_95_ci():
    a = [pd.DataFrame({"x": [1.0, 2.0]}), pd.DataFrame({"x": [3.0, 4.0]})]
    b = [pd.DataFrame({"x": [1.0, 1.0]})]
    rows = plots.band_rows(a, b, "x", ("A", "B"))
    first_a = next(r for r in rows if r["arm"] == "A" and r["month"] == 1)
    assert first_a["mean"] == 2.0 and first_a["low"] < 2.0 < first_a["high"] and first_a["n"] == 2
    only_b = next(r for r in rows if r["arm"] == "B")
    assert only_b["low"] is None and only_b["n"] == 1  # one replicate: no interval


def test_drill_down_series_are_small_multiples_with_their_own_axes():
    frame = pd.DataFrame({"month": [1, 2, 3], "skill": [0.5, 0.6, None], "staff": [3, 3, 4]})
    rows = plots.series_rows(frame, ["skill", "staff"], "en", upto=2)
    assert {(r["quantity"], r["month"]) for r in rows} == {
        ("RC staff skill", 1),
        ("RC staff skill", 2),
        ("staff", 1),
        ("staff", 2),
    }
    spec = plots.series_spec("x")
    assert spec["resolve"]["scale"]["y"] == "independent"
