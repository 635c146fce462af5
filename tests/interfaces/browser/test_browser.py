"""The browser app driven in headless Chromium: what a researcher sees and does.

One server (a small world, seed 1, a folder of test scenarios and one of run folders) serves
most tests; each test opens its own page, which Solara gives its own session and model.
Waits are for conditions ("the network shows month n"), never for fixed times. A screenshot
of the running page is saved as test-artifacts/app.png, the server's log as
test-artifacts/browser-server.log.
"""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

import pandas as pd
import pytest

playwright_api = pytest.importorskip("playwright.sync_api")
from playwright.sync_api import expect  # noqa: E402

from sim.core.metrics import OUTCOMES  # noqa: E402
from sim.interfaces.browser.browser import (  # noqa: E402
    detached_chromium,
    read_step,
    wait_for_app,
    wait_for_month,
)

from .pages import (  # noqa: E402
    ARTIFACTS,
    AXIS_TITLES,
    MAX_SESSIONS,
    VIEWPORT,
    WORLD,
    Session,
    download,
    server_log,
    type_into,
)

pytestmark = pytest.mark.browser

LOG = server_log(__name__)


# ------------------------------------------------------------------------------ the page
def test_the_page_shows_the_network_legend_and_panels_offline_and_steps(app, server):
    page = app.page
    expect(page.locator(".network-chart canvas")).to_be_visible()
    expect(page.locator(".gov-legend")).to_contain_text("Street office")
    expect(page.locator(".gov-legend")).to_contain_text("cross-appointment")
    expect(page.locator(".network-caption")).to_contain_text("nodes in this view")
    expect(page.locator(".live-plots .vega-view canvas")).to_have_count(9)
    expect(page.locator(".info-world")).to_contain_text("2 streets")
    expect(page.locator(".info-seed")).to_have_text("1")
    host = urlparse(server).netloc
    outside = [
        u
        for u in app.requests
        if urlparse(u).scheme in ("http", "https", "ws", "wss") and urlparse(u).netloc != host
    ]
    assert outside == []
    assert app.failed == []
    # Step advances the counter, the network and every panel
    assert read_step(page) == 0
    assert app.step() == 1
    expect(page.locator(".plots-caption")).to_contain_text("Month 1")
    assert app.panel("panel_satisfaction").evaluate("e => e.vegaView.data('rows').length") == 3
    assert app.step() == 2


# ------------------------------------------------------------------------------ network
def test_hovering_a_node_names_it_and_clicking_opens_its_history_in_both_views(app):
    page = app.page
    for _ in range(2):
        app.step()
    node = app.node_point("Community 1 ")
    page.mouse.move(node["x"], node["y"])
    tip = page.locator("#vg-tooltip-element.visible")
    expect(tip).to_contain_text(node["title"])
    expect(tip).to_contain_text("trust in the RC")
    expect(tip).to_contain_text("residents")
    page.mouse.click(node["x"], node["y"])
    card = page.locator(".drilldown")
    expect(card).to_contain_text(node["title"])
    expect(card.locator(".drill-members")).to_contain_text("Residents' committee")
    expect(card.locator(".drill-members")).to_contain_text("Owners' committee seat")
    expect(card.locator(".drill-ties")).to_contain_text("contract")
    # who holds which seats: every person with all their seats
    expect(card.locator(".people-summary")).to_contain_text("cross-appointment")
    expect(card.locator(".people-table")).to_contain_text("party secretary")
    expect(card.locator(".people-table")).to_contain_text("Person ")
    expect(card.locator(".drill-series canvas")).to_be_visible()
    series = card.locator(".drill-series .vega-view")
    assert series.evaluate("e => e.vegaView.data('rows').length") > 0
    # an organisation of the detailed street view: its own recorded attributes
    district = page.locator(".network-caption").inner_text()
    app.pick("view-select", "One street in full detail")
    expect(page.locator(".network-caption")).not_to_have_text(district)
    expect(page.locator(".gov-legend")).to_contain_text("Owners' committee seat")
    page.wait_for_function(
        "() => document.querySelector('.network-chart .vega-view')"
        ".vegaView.data('nodes').some(r => r.tip.title.startsWith('Residents'))"
    )
    node = app.node_point("Residents' committee")
    page.mouse.click(node["x"], node["y"])
    expect(page.locator(".drilldown")).to_contain_text(node["title"])
    expect(page.locator(".drilldown .drill-values")).to_contain_text("skill")
    expect(page.locator(".drilldown .people-table")).to_contain_text("RC director")
    assert (
        page.locator(".drilldown .drill-series .vega-view").evaluate(
            "e => new Set(e.vegaView.data('rows').map(r => r.quantity)).size"
        )
        > 3
    )
    page.locator(".drill-close").click()
    expect(page.locator(".drilldown")).to_have_count(0)
    app.pick("street-select", "Street 1")
    page.wait_for_function(
        "() => document.querySelector('.network-chart .vega-view')"
        ".vegaView.data('nodes').some(r => r.tip.title.includes('street 1'))"
    )


def test_the_network_zooms_and_pans_and_stays_zoomed_while_the_model_runs(app):
    page = app.page
    span = "v => { const d = v.scale('x').domain(); return d[1] - d[0]; }"
    before = app.network(span)
    box = page.locator(".network-chart canvas").bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.wheel(0, -400)
    page.wait_for_function(
        "b => { const v = document.querySelector('.network-chart .vega-view').vegaView;"
        " const d = v.scale('x').domain(); return d[1] - d[0] < b * 0.9; }",
        arg=before,
    )
    zoomed = app.network(span)
    left = app.network("v => v.scale('x').domain()[0]")
    page.mouse.move(box["x"] + 100, box["y"] + 100)
    page.mouse.down()
    page.mouse.move(box["x"] + 200, box["y"] + 150, steps=5)
    page.mouse.up()
    assert app.network("v => v.scale('x').domain()[0]") != left  # panned
    app.step()
    assert abs(app.network(span) - zoomed) < 1e-9  # a new month keeps the zoom


def test_the_district_view_hides_contract_ties_until_asked(app):
    page = app.page
    has_contract = "v => v.data('edges').some(e => e.tip.title === 'contract')"
    assert not app.network(has_contract)
    expect(page.locator(".edge-contract input")).not_to_be_checked()
    page.locator(".edge-contract").click()
    page.locator(".ties-min .v-slider__thumb-container").focus()
    for _ in range(10):  # every line, however few ties it stands for
        page.keyboard.press("ArrowLeft")
    page.wait_for_function(
        "() => document.querySelector('.network-chart .vega-view').vegaView"
        ".data('edges').some(e => e.tip.title === 'contract')"
    )
    expect(page.locator(".gov-legend")).to_contain_text("Red ring")


def test_a_hundred_street_district_renders_within_the_size_guard(app):
    page = app.page
    app.set_world(streets="100", communities="10", compounds="1", households="5")
    expect(page.locator(".memory-refusal")).to_have_count(0)
    t = time.monotonic()
    app.reset()
    expect(page.locator(".info-world")).to_contain_text("100 streets", timeout=120_000)
    page.wait_for_function(
        "() => document.querySelector('.network-chart .vega-view')"
        ".vegaView.data('nodes').length > 1000",
        timeout=120_000,
    )
    seconds = time.monotonic() - t
    labels = app.network("v => v.data('labels').length")
    assert labels == 100
    (ARTIFACTS / "browser-100-streets.json").write_text(
        json.dumps(
            {
                "seconds_to_draw": round(seconds, 2),
                "nodes": app.network("v => v.data('nodes').length"),
            }
        ),
        encoding="utf-8",
    )
    page.screenshot(path=str(ARTIFACTS / "app-100-streets.png"))


# ------------------------------------------------------------------------------ time
def test_the_slider_replays_recorded_months(app):
    page = app.page
    for _ in range(3):
        app.step()
    page.locator(".month-slider .v-slider__thumb-container").focus()
    for month in (2, 1):  # one key at a time: the slider follows the server's answer
        page.keyboard.press("ArrowLeft")
        wait_for_month(page, month, exact=True)
    expect(page.locator(".time-note")).to_contain_text("Replaying month 1 of 3")
    expect(page.locator(".plots-caption")).to_contain_text("Month 1")
    assert read_step(page) == 3  # the model itself stays at its month
    page.locator(".time-live").click()
    wait_for_month(page, 3)
    expect(page.locator(".time-note")).to_contain_text("Live: month 3")


# ------------------------------------------------------------------------------ plots
def test_panels_name_units_define_outcomes_on_hover_and_can_start_at_zero(app):
    page = app.page
    for _ in range(3):
        app.step()
    panel = app.panel("panel_satisfaction")
    assert "share (0–1)" in panel.evaluate(f"e => ({AXIS_TITLES})(e.vegaView)")
    flows = app.panel("panel_budget_flows").evaluate(f"e => ({AXIS_TITLES})(e.vegaView)")
    stock = app.panel("panel_budget_stock").evaluate(f"e => ({AXIS_TITLES})(e.vegaView)")
    assert "yuan per month" in flows and "yuan (stock)" in stock
    box = panel.locator("canvas").bounding_box()
    tip = page.locator("#vg-tooltip-element.visible")
    for fx in (0.95, 0.9, 0.85, 0.8, 0.7, 0.6):
        for fy in (0.2, 0.3, 0.4, 0.5):
            page.mouse.move(box["x"] + box["width"] * fx, box["y"] + box["height"] * fy)
            if tip.count():
                break
        if tip.count():
            break
    expect(tip).to_contain_text("definition")
    assert any(
        OUTCOMES[o] in tip.inner_text() for o in ("satisfaction_mean", "trust_rc", "trust_party")
    )
    # the y axes can start at zero
    low = "e => e.vegaView.scale('y').domain()[0]"
    assert panel.evaluate(low) > 0
    page.get_by_text("Start y axes at zero").click()
    page.wait_for_function(
        "() => document.querySelector('.panel-panel_satisfaction .vega-view')"
        ".vegaView.scale('y').domain()[0] === 0"
    )


def test_nothing_overflows_and_the_plots_stay_beside_the_network(browser, server):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        page = context.new_page()
        page.goto(server)
        wait_for_app(page)
        for width, height in ((1280, 800), (1600, 1000), (1920, 1080)):
            page.set_viewport_size({"width": width, "height": height})
            expect(page.locator(".live-plots .vega-view canvas")).to_have_count(9)
            # every chart follows the new width and fits inside the window
            page.wait_for_function(
                "w => [...document.querySelectorAll('.vega-view canvas')].every("
                "c => c.getBoundingClientRect().right <= w + 0.5)",
                arg=width,
            )
            assert page.evaluate("document.scrollingElement.scrollWidth") <= width
            net = page.locator(".network-card").bounding_box()
            plots = page.locator(".plots-card").bounding_box()
            assert plots["x"] >= net["x"] + net["width"] - 1  # beside, not below
            assert abs(plots["y"] - net["y"]) < 5
            assert plots["x"] + plots["width"] <= width
            if width == 1280:
                page.screenshot(path=str(ARTIFACTS / "app-1280x800.png"))
    finally:
        context.close()


# ------------------------------------------------------------------------------ export
def test_every_export_downloads_and_the_saved_scenario_repeats_the_run(app, tmp_path):
    page = app.page
    for _ in range(3):
        app.step()
    tables = {}
    for which in ("series", "communities"):
        for fmt in ("csv", "parquet"):
            name, data = download(page, page.locator(f".download-{which}-{fmt}"))
            assert name == f"defaults-seed1-month3-{which}.{fmt}"
            tables[(which, fmt)] = (
                pd.read_csv(io.BytesIO(data)) if fmt == "csv" else pd.read_parquet(io.BytesIO(data))
            )
    assert len(tables[("series", "csv")]) == 3
    assert tables[("communities", "parquet")]["step"].max() == 3
    name, data = download(page, page.locator(".download-scenario"))
    assert name.endswith(".toml")
    saved = tmp_path / name
    saved.write_bytes(data)
    out = tmp_path / "repeat"
    subprocess.run(
        [sys.executable, "-m", "sim", "run", str(saved), "--out", str(out), "--csv"],
        check=True,
        capture_output=True,
    )
    pd.testing.assert_frame_equal(pd.read_csv(out / "series.csv"), tables[("series", "csv")])
    pd.testing.assert_frame_equal(
        pd.read_parquet(out / "communities.parquet"), tables[("communities", "parquet")]
    )
    # figures: the network and a panel, as PNG and SVG from their ⋯ menus
    for chart in (".network-chart", ".panel-panel_needs"):
        for fmt, magic in (("PNG", b"\x89PNG"), ("SVG", b"<svg")):
            page.locator(f"{chart} .vega-embed summary").click()
            name, data = download(
                page, page.locator(f"{chart} .vega-embed").get_by_text(f"Save as {fmt}")
            )
            assert name.lower().endswith(fmt.lower()) and data.startswith(magic)
            page.keyboard.press("Escape")
            page.mouse.click(5, 5)


def test_a_reform_scheduled_in_a_street_applies_in_its_month_and_is_saved(app, tmp_path):
    page = app.page
    app.step()
    expect(page.locator(".reform-card")).to_contain_text("No policy changes scheduled")
    app.open_group("Schedule a reform")
    app.pick("reform-lever", "Power/responsibility list")
    card = page.locator(".reform-card")
    # an on/off lever is offered switched the other way from the run's value
    expect(card.locator(".v-input--checkbox input")).to_be_checked()
    month = card.locator(".reform-month input")
    month.fill("3")
    month.press("Enter")
    app.pick("reform-streets", "Street 1")
    page.keyboard.press("Escape")
    card.locator(".reform-schedule").click()
    entry = card.locator(".reform-entry")
    expect(entry).to_contain_text("Month 3: Power/responsibility list")
    expect(entry).to_contain_text("= yes — streets 1 · scheduled")
    expect(page.locator(".info-scenario")).to_contain_text("(modified)")
    # a month already begun, or one that is no month, is refused in place with the
    # reason, and nothing is scheduled
    for typed, says in (  # each message names what was typed, so it is this one's
        ("1", "Month '1': type a whole number from 2 to 9999 (months up to 1 have begun"),
        ("-5", "Month '-5': not a month"),
        ("0", "Month '0': type a whole number from 2 to 9999"),
        ("NaN", "Month 'NaN': not a month"),
        ("9" * 5000, "Month '99999999999999999999999…': not a month"),
        ("①", "Month '①': not a month"),
        ("9" * 30, "Month '99999999999999999999999…': not a month"),
        ("3.5", "Month '3.5': not a month"),
    ):
        month.fill(typed)
        month.press("Enter")
        card.locator(".reform-schedule").click()
        expect(card.locator(".reform-error")).to_contain_text(says)
        expect(entry).to_have_count(1)
    # the same reform again is refused
    month.fill("3")
    month.press("Enter")
    card.locator(".reform-schedule").click()
    expect(card.locator(".reform-error")).to_contain_text("already scheduled for month 3")
    expect(entry).to_have_count(1)
    app.step()
    expect(entry).to_contain_text("scheduled")
    app.step()
    expect(entry).to_contain_text("applied")
    name, data = download(page, page.locator(".download-scenario"))
    text = data.decode("utf-8")
    assert "[[policy]]\nmonth = 3\nstreets = [1]\n[policy.set]\nresponsibility_list = true" in text
    saved = tmp_path / name
    saved.write_bytes(data)
    out = tmp_path / "repeat"
    subprocess.run(
        [sys.executable, "-m", "sim", "run", str(saved), "--out", str(out)],
        check=True,
        capture_output=True,
    )
    run_json = json.loads((out / "run.json").read_text(encoding="utf-8"))
    assert run_json["timeline"] == [
        {"month": 3, "set": {"responsibility_list": True}, "streets": [1]}
    ]


def test_a_run_folder_made_on_the_command_line_replays_and_matches(app):
    page = app.page
    app.pick("runs-select", "small-seed4")
    page.locator(".runs-open").click()
    expect(page.locator(".info-note")).to_contain_text(
        "matches the folder's recorded series", timeout=120_000
    )
    assert read_step(page) == 6
    expect(page.locator(".info-seed")).to_have_text("4")
    expect(page.locator(".info-source")).to_contain_text("small-seed4")


# ------------------------------------------------------------------------------ compare
def test_compare_runs_paired_replicates_and_gives_differences_with_cis(app):
    page = app.page
    page.get_by_role("tab", name="Compare").click()
    app.pick("arm-a-select", "baseline")
    app.pick("arm-b-select", "alpha")
    type_into(page, ".compare-months", 12)
    type_into(page, ".compare-replicates", 3)
    page.locator(".compare-run").click()
    caption = page.locator(".compare-caption")
    expect(caption).to_contain_text("Replicates 3", timeout=120_000)
    expect(caption).to_contain_text("A: baseline")
    # the key outcomes and the checks of the two levers alpha changes
    expect(page.locator(".compare-plots .vega-view canvas")).to_have_count(12)
    table = page.locator(".compare-table")
    expect(table).to_contain_text("95% CI of B − A")
    text = table.inner_text()
    assert not re.search(r"\de[-+]\d", text)  # fixed decimals, never 3.75e-05
    assert "-0" not in text and "[" in text  # a real minus sign; intervals shown
    expect(page.locator(".compare-one")).to_have_count(0)
    type_into(page, ".compare-replicates", 1)
    page.locator(".compare-run").click()
    expect(page.locator(".compare-one")).to_contain_text("One replicate only", timeout=120_000)
    expect(table).to_contain_text("no CI with one replicate")


# ------------------------------------------------------------------------------ defects
def test_unusual_or_huge_seeds_give_a_model_and_keep_the_page_in_shape(app):
    page = app.page
    box = page.get_by_label("Seed (any text; blank = random)")
    for seed in ("²", "①", "9" * 5000):
        box.fill(seed)
        box.press("Enter")
        app.reset()
        expect(page.locator(".info-seed")).to_contain_text("“" + seed[:10])
        expect(page.locator(".step-counter")).to_have_text(re.compile(r": 0$"))
        assert app.step() == 1
        expect(page.locator(".v-alert.error")).to_have_count(0)
    # a 10,000-character seed does not widen the sidebar over the tabs
    drawer = page.locator(".v-navigation-drawer").bounding_box()
    box.fill("7" * 10_000)
    box.press("Enter")
    app.reset()
    expect(page.locator(".info-seed")).to_contain_text("…")
    assert page.locator(".v-navigation-drawer").bounding_box()["width"] == drawer["width"]
    assert page.evaluate("document.scrollingElement.scrollWidth") <= VIEWPORT["width"]
    tabs = page.get_by_role("tab", name="Compare").bounding_box()
    assert tabs["x"] > drawer["x"] + drawer["width"]


def test_compare_runs_both_arms_on_the_district_the_session_read_from_files(app):
    page = app.page
    app.pick("scenario-select", "filed")
    expect(page.locator(".info-scenario")).to_have_text("filed")
    page.get_by_role("tab", name="Compare").click()
    expect(page.locator(".compare-world")).to_contain_text("tiny")
    app.pick("arm-a-select", "baseline")
    expect(page.locator(".compare-world-aside")).to_have_count(0)
    type_into(page, ".compare-months", 3)
    type_into(page, ".compare-replicates", 2)
    page.locator(".compare-run").click()
    expect(page.locator(".compare-caption")).to_contain_text("Replicates 2", timeout=120_000)
    # back on the synthetic world, a scenario naming its own district is set aside, and said so
    page.get_by_role("tab", name="Live run").click()
    app.pick("scenario-select", "baseline")
    expect(page.locator(".info-scenario")).to_have_text("baseline")
    page.get_by_role("tab", name="Compare").click()
    expect(page.locator(".compare-world")).to_have_count(0)
    app.pick("arm-b-select", "filed")
    expect(page.locator(".compare-world-aside")).to_contain_text("arm B")


def test_changed_levers_apply_on_reset_and_mark_the_scenario_modified(app):
    page = app.page
    app.pick("scenario-select", "alpha")
    expect(page.locator(".info-scenario")).to_have_text("alpha")
    expect(page.locator(".info-seed")).to_have_text("11")
    expect(page.locator(".info-world")).to_contain_text("3 streets")
    app.step()
    app.open_group("Other policy levers")
    page.get_by_text("Power/responsibility list (权责清单)").click()  # alpha had it on
    expect(page.locator(".pending-note")).to_be_visible()
    expect(page.locator(".info-params")).to_contain_text("responsibility_list = true")
    app.reset()
    expect(page.locator(".info-scenario")).to_have_text("alpha (modified)")
    expect(page.locator(".info-params")).not_to_contain_text("responsibility_list")
    expect(page.locator(".pending-note")).to_have_count(0)
    assert read_step(page) == 0


def test_the_world_size_is_checked_refused_with_the_reason_and_counted_right(app):
    page = app.page
    app.set_world(streets="1e3", communities="10", compounds="5", households="150")
    expect(page.locator(".memory-refusal")).to_contain_text("World too large")
    expect(page.locator(".memory-refusal")).to_contain_text("MB per session")
    app.reset()
    expect(page.locator(".run-error")).to_contain_text("World too large")
    expect(page.locator(".info-world")).to_contain_text("2 streets")
    assert app.step() == 1
    # a value outside the schema, or not a number in ASCII digits, or not whole where the
    # size counts something, is refused at the control with the reason
    box = page.get_by_label("Streets", exact=True)
    for typed, says in (
        ("0", "outside the allowed range"),
        ("١٠", "not a number"),
        ("1_0", "not a number"),
        ("2.5", "not a whole number"),
    ):
        box.fill(typed)
        box.press("Enter")
        expect(page.get_by_text(re.compile(re.escape(says)))).to_be_visible()
    app.reset()
    expect(page.locator(".info-world")).to_contain_text("2 streets")
    # one street is "1 street"
    for label, value in (
        ("Streets", "1"),
        ("Communities per street (mean)", "4"),
        ("Compounds per community (mean)", "3"),
        ("Households per compound (mean)", "30"),
    ):
        box = page.get_by_label(label, exact=True)
        box.fill(value)
        box.press("Enter")
    expect(page.locator(".memory-refusal")).to_have_count(0)
    app.reset()
    expect(page.locator(".info-world")).to_contain_text(re.compile(r"^1 street ·"))


# ------------------------------------------------------------------------------ sessions
def test_two_pages_keep_independent_models(browser, server):
    context = browser.new_context(viewport=VIEWPORT)
    other = browser.new_context(viewport=VIEWPORT)
    try:
        a = Session(context.new_page(), server)  # first, so the visitor has its cookie
        b = Session(context.new_page(), server, wait=False)  # a second tab of the same visitor
        c = Session(other.new_page(), server, wait=False)  # another visitor
        for s in (b, c):  # these two load at once
            wait_for_app(s.page)
        for _ in range(3):
            a.step()
        assert b.step() == 1
        assert read_step(a.page) == 3
        assert read_step(c.page) == 0
    finally:
        context.close()
        other.close()


def settled_step(page, quiet: float = 1.0, tries: int = 30) -> int:
    """The step counter once it has stopped changing for `quiet` seconds."""
    last = read_step(page)
    for _ in range(tries):
        time.sleep(quiet)
        now = read_step(page)
        if now == last:
            return now
        last = now
    raise AssertionError(f"the step counter kept moving after pause (at {last})")


def test_play_and_pause_and_a_screenshot_of_the_running_page(app):
    page = app.page
    page.get_by_role("button", name="▶").click()
    t0, s0 = time.monotonic(), read_step(page)
    app.wait_step(6)
    t1, s1 = time.monotonic(), read_step(page)
    page.get_by_role("button", name="❚❚").click()
    expect(page.get_by_role("button", name="Step")).to_be_enabled()
    paused = settled_step(page)
    assert app.step() == paused + 1
    page.screenshot(path=str(ARTIFACTS / "app.png"))
    (ARTIFACTS / "browser-play.json").write_text(
        json.dumps({"months": s1 - s0, "seconds": round(t1 - t0, 2), "world": WORLD}),
        encoding="utf-8",
    )


def test_the_interface_speaks_chinese(app):
    page = app.page
    page.get_by_role("button", name="中文").click()
    expect(page.get_by_text("城市基层社区治理模拟器").first).to_be_visible()
    expect(page.get_by_role("button", name="单步")).to_be_visible()
    expect(page.locator(".gov-legend")).to_contain_text("街道办")
    expect(page.locator(".gov-legend")).to_contain_text("交叉任职")
    expect(page.get_by_text("书记、主任“一肩挑”的社区比例")).to_be_visible()
    expect(page.locator(".plots-caption")).to_contain_text("逐月结果")
    expect(page.locator(".info-world")).to_contain_text("2 个街道")
    page.get_by_role("button", name="单步").click()
    app.wait_step(1)
    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("button", name="Step")).to_be_visible()


# ------------------------------------------------------------------------------ many users
def _log_size(log: Path) -> int:
    return len(log.read_text(encoding="utf-8", errors="replace"))


def _wait_log(log: Path, pattern: str, after: int = 0, timeout: float = 180.0) -> str:
    """Wait until the server's log shows `pattern` after its first `after` characters."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        text = log.read_text(encoding="utf-8", errors="replace")[after:]
        if re.search(pattern, text):
            return text
        time.sleep(0.25)
    raise AssertionError(f"{pattern!r} not in the server log within {timeout:.0f} s")


def test_a_vanished_page_stops_its_play_loop_and_frees_its_place(playwright, server, tmp_path):
    start = _log_size(LOG)
    with detached_chromium(playwright, tmp_path) as (remote, kill):
        page = remote.contexts[0].new_page()
        page.goto(server)
        wait_for_app(page)
        page.get_by_role("button", name="▶").click()
        page.wait_for_function(
            "() => parseInt(document.querySelector('.step-counter')"
            ".innerText.split(':').pop()) >= 2"
        )
        kill()  # the browser vanishes: no page close, no goodbye
    _wait_log(LOG, r"play stopped, page disconnected", start)
    _wait_log(LOG, r"closed \(0 live\)", start)


def test_a_full_server_says_so_and_admits_once_a_page_closes(browser, server):
    contexts = [browser.new_context(viewport=VIEWPORT) for _ in range(MAX_SESSIONS + 1)]
    try:
        pages = [c.new_page() for c in contexts]
        for page in pages[:MAX_SESSIONS]:  # one after the other: each session is admitted
            page.goto(server)
            wait_for_app(page)
        late = pages[-1]
        late.goto(server)
        expect(late.locator(".busy-message")).to_contain_text("The server is busy")
        expect(late.locator(".busy-message")).to_contain_text(f"limit is {MAX_SESSIONS}")
        start = _log_size(LOG)
        contexts[0].close()
        _wait_log(LOG, rf"closed \({MAX_SESSIONS - 1} live\)", start)
        late.get_by_role("button", name="Try again").click()
        wait_for_app(late)
    finally:
        for c in contexts:
            c.close()
