"""The map in Chromium, on the shipped real district (scenarios/chengdu_wuhou.toml: Wuhou,
Chengdu, 373 listed compounds with their coordinates): compounds drawn at their places with
their streets' outlines, coloured by any per-compound or per-community value, named as the
listings name them on hover, a click opening the compound's drill-down; the Compare tab's
difference map drawn on the same coordinates; and a world without coordinates, whose map
says so and lays its communities out by street.

Waits are for what the page shows, never for fixed times.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("playwright.sync_api")
from playwright.sync_api import expect  # noqa: E402

from .pages import ARTIFACTS, DRAWN, ROOT, type_into  # noqa: E402

pytestmark = pytest.mark.browser

SHIPPED = ROOT / "scenarios" / "chengdu_wuhou.toml"
WUHOU = ROOT / "districts" / "chengdu_wuhou"
SCENARIOS = {  # the shipped scenario, its district named by its place in the repository
    "chengdu_wuhou": SHIPPED.read_text(encoding="utf-8").replace(
        '"../districts/chengdu_wuhou"', f'"{WUHOU.as_posix()}"'
    )
}
LISTED = pd.read_csv(WUHOU / "compounds.csv")
STREETS = len(pd.read_csv(WUHOU / "streets.csv"))
JOB_MS = 300_000
"""How long a small comparison on the real district may take on a busy machine."""

CHART = ".network-chart .vega-view"
POINTS_DRAWN = """css => { const e = document.querySelector(css);
    if (!e || !e.vegaView || !(Number(e.dataset.rendered) > 0)) return false;
    try { return e.vegaView.data('points').length > 0; } catch (err) { return false; } }"""
POINT = """(el, i) => { const v = el.vegaView; const d = v.data('points')[i];
    const box = el.querySelector('canvas').getBoundingClientRect();
    const [ox, oy] = v.origin(); const pad = v.padding();
    return {x: box.left + pad.left + ox + v.scale('x')(d.x),
            y: box.top + pad.top + oy + v.scale('y')(d.y), title: d.tip.title}; }"""
"""Where on the page a map's i-th point is drawn, and its name."""


def loneliest(chart) -> int:
    """The map point farthest from its nearest neighbour."""
    xy = np.array(chart.evaluate("e => e.vegaView.data('points').map(p => [p.x, p.y])"))
    gap = np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1))
    np.fill_diagonal(gap, np.inf)
    return int(np.argmax(gap.min(axis=1)))


def open_wuhou(app) -> None:
    page = app.page
    app.pick("scenario-select", "chengdu_wuhou")
    expect(page.locator(".info-scenario")).to_have_text("chengdu_wuhou")
    expect(page.locator(".info-world")).to_contain_text(f"{STREETS} streets")


def show_map(app) -> None:
    app.pick("view-select", "Map")
    app.page.wait_for_function(POINTS_DRAWN, arg=CHART)


def test_the_real_district_is_drawn_at_its_coordinates_with_hover_and_click(app):
    page = app.page
    open_wuhou(app)
    app.step()
    show_map(app)
    chart = page.locator(CHART)
    n = len(LISTED)
    assert chart.evaluate("e => e.vegaView.data('points').length") == n
    expect(page.locator(".network-caption")).to_contain_text(f"{n} compounds at their coordinates")
    expect(page.locator(".network-caption")).to_contain_text("0 without coordinates")
    # drawn, not only given: a mark for every compound and the streets' outlines, spread
    # across the plot
    marks = chart.evaluate(f"e => ({DRAWN})(e)")
    assert marks["points"] >= n + STREETS * 4
    assert max(marks["spans"]) > 0.6 * marks["width"]
    streets = chart.evaluate("e => new Set(e.vegaView.data('outlines').map(r => r.street)).size")
    assert streets == STREETS
    # the easternmost compound of the listings is drawn furthest right
    xs = chart.evaluate("e => e.vegaView.data('points').map(p => p.x)")
    east = chart.evaluate(
        "(e, name) => e.vegaView.data('points').findIndex(p => p.tip.title.endsWith(' · ' + name))",
        LISTED.loc[LISTED.longitude.idxmax(), "name"],
    )
    assert xs[east] == max(xs)
    # hover: the compound's number, its listed name and its values (on the compound whose
    # neighbours are farthest: points of close compounds overlap)
    point = chart.evaluate(POINT, loneliest(chart))
    assert point["title"].startswith("Compound ") and " · " in point["title"]
    assert point["title"].split(" · ")[1] in set(LISTED["name"])
    page.mouse.move(point["x"], point["y"])
    tip = page.locator("#vg-tooltip-element.visible")
    expect(tip).to_contain_text(point["title"])
    expect(tip).to_contain_text("households")
    expect(tip).to_contain_text("build year")
    # click: the compound's drill-down, as in the network view
    page.mouse.click(point["x"], point["y"])
    card = page.locator(".drilldown")
    expect(card).to_contain_text(point["title"])
    expect(card.locator(".drill-members")).to_contain_text("Owners' committee seat")
    expect(card.locator(".drill-values")).to_contain_text("service quality")
    expect(card.locator(".drill-series canvas")).to_be_visible()
    # coloured by a per-compound value (per-community trust at first): the legend names
    # it, the points change colour
    before = chart.evaluate("e => e.vegaView.data('points').map(p => p.fill).join()")
    expect(page.locator(".map-legend")).to_contain_text("trust in the RC")
    app.pick("colour-select", "compound: satisfaction")
    expect(page.locator(".map-legend")).to_contain_text("satisfaction")
    page.wait_for_function(
        "([css, old]) => document.querySelector(css).vegaView.data('points')"
        ".map(p => p.fill).join() !== old",
        arg=[CHART, before],
    )
    page.screenshot(path=str(ARTIFACTS / "map-wuhou.png"))
    # in Chinese too
    page.get_by_role("button", name="中文").click()
    expect(page.locator(".network-caption")).to_contain_text(f"按坐标绘制 {n} 个小区")
    page.wait_for_function(
        "css => document.querySelector(css).vegaView.data('points')[0].tip.title"
        ".startsWith('小区')",
        arg=CHART,
    )
    page.get_by_role("button", name="English").click()


def test_a_world_without_coordinates_says_so_and_lays_out_its_communities(app):
    page = app.page
    app.step()
    show_map(app)
    expect(page.locator(".network-caption")).to_contain_text("This world has no coordinates")
    expect(page.locator(".map-legend")).to_contain_text("outline round its communities")
    chart = page.locator(CHART)
    titles = chart.evaluate("e => e.vegaView.data('points').map(p => p.tip.title)")
    communities = int(page.locator(".info-world").inner_text().split(" communit")[0].split()[-1])
    assert len(titles) == communities and all(t.startswith("Community ") for t in titles)
    # only per-community colours are offered
    page.locator(".colour-select").click()
    options = page.locator(".menuable__content__active .v-list-item").all_inner_texts()
    assert options and all(o.startswith("community:") for o in options)
    page.keyboard.press("Escape")
    point = chart.evaluate(POINT, loneliest(chart))
    page.mouse.click(point["x"], point["y"])
    expect(page.locator(".drilldown")).to_contain_text(point["title"])


def test_the_difference_map_draws_the_real_district_at_its_coordinates(app):
    page = app.page
    open_wuhou(app)
    page.get_by_role("tab", name="Compare").click()
    app.pick("arm-a-select", "current controls")
    app.pick("arm-b-select", "alpha")
    expect(page.locator(".compare-world-aside")).to_have_count(0)
    type_into(page, ".compare-months", 3)
    type_into(page, ".compare-replicates", 2)
    page.locator(".compare-run").click()
    expect(page.locator(".compare-caption")).to_contain_text("Replicates 2", timeout=JOB_MS)
    css = ".diff-map-chart .vega-view"
    page.wait_for_function(POINTS_DRAWN, arg=css)
    chart = page.locator(css)
    points = chart.evaluate("e => e.vegaView.data('points')")
    assert len(points) == len(LISTED)
    assert all(p["tip"]["title"].startswith("Compound ") for p in points)
    assert all("B − A" in p["tip"] for p in points)  # every community compared
    assert len({p["fill"] for p in points}) > 1
    streets = chart.evaluate("e => new Set(e.vegaView.data('outlines').map(r => r.street)).size")
    assert streets == STREETS
    expect(page.locator(".diff-map-legend")).to_contain_text("Compounds at their coordinates")
    marks = chart.evaluate(f"e => ({DRAWN})(e)")
    assert marks["points"] >= len(LISTED)
    page.screenshot(path=str(ARTIFACTS / "difference-map-wuhou.png"))
