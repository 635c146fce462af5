"""Results a researcher keeps, driven in headless Chromium: a comparison drawn at any width
in both languages and kept across tabs, with its tables, figure and difference map; a lever
swept as the command line sweeps it; streets side by side; and the details a new user meets
(labels, numbering, the network after years, the drill-down at 1280 px).

Waits are for what the page shows (a caption, a chart's drawn marks, a file), never for
fixed times: the machine running them may be busy.
"""

from __future__ import annotations

import io
import subprocess
import sys

import pandas as pd
import pytest

pytest.importorskip("playwright.sync_api")
from playwright.sync_api import expect  # noqa: E402

from sim.interfaces.browser import sweep as sw  # noqa: E402
from sim.interfaces.browser.browser import read_step  # noqa: E402

from .pages import ARTIFACTS, DRAWN, download, type_into  # noqa: E402

pytestmark = pytest.mark.browser

JOB_MS = 300_000
"""How long a comparison or sweep of the small world may take on a busy machine."""
WIDTHS = (1280, 1920)


# ------------------------------------------------------------------------------ helpers
def run_compare(app, a: str = "baseline", b: str = "alpha", months=12, replicates=3) -> None:
    page = app.page
    page.get_by_role("tab", name="Compare").click()
    app.pick("arm-a-select", a)
    app.pick("arm-b-select", b)
    type_into(page, ".compare-months", months)
    type_into(page, ".compare-replicates", replicates)
    page.locator(".compare-run").click()
    expect(page.locator(".compare-caption")).to_contain_text(
        f"Replicates {replicates} · Months {months}", timeout=JOB_MS
    )


def drawn(page, css: str) -> list[dict]:
    """What every chart under `css` has drawn, once each has drawn something."""
    page.wait_for_function(
        "css => { const v = [...document.querySelectorAll(css)]; return v.length > 0 && "
        "v.every(e => e.vegaView && Number(e.dataset.rendered) > 0); }",
        arg=css,
    )
    return page.locator(css).evaluate_all(f"els => els.map(el => ({DRAWN})(el))")


AXIS_TEXT = """v => { const out = [];
    const walk = n => { if (!n) return; if (n.role === 'axis-title')
        (n.items || []).forEach(i => out.push(i.text)); (n.items || []).forEach(walk); };
    walk(v.scenegraph().root); return out.join('|'); }"""
"""The axis titles a chart has drawn, joined."""


def assert_marks_span_their_plots(charts: list[dict], where: str) -> None:
    assert charts, where
    for i, c in enumerate(charts):
        assert c["width"] >= 80, f"{where}: chart {i} is {c['width']} px wide"
        assert c["points"] > 0, f"{where}: chart {i} draws nothing"
        assert max(c["spans"]) >= 0.5 * c["width"], f"{where}: chart {i} is squeezed: {c}"


def set_lang(page, lang: str) -> None:
    page.get_by_role("button", name="中文" if lang == "zh" else "English").click()
    expect(page.get_by_role("tab", name="情景对比" if lang == "zh" else "Compare")).to_be_visible()


# ------------------------------------------------------------------------------ compare
def test_every_compare_chart_has_drawn_marks_at_1280_and_1920_px_in_both_languages(app):
    page = app.page
    page.set_viewport_size({"width": 1280, "height": 800})
    run_compare(app, months=8, replicates=2)
    shown = page.locator(".compare-plots .panel").count()
    assert shown >= 10  # the manipulation checks and the key outcomes
    for lang in ("en", "zh"):
        if lang == "zh":
            set_lang(page, "zh")
            page.wait_for_function(  # the charts are drawn again in Chinese
                f"() => [...document.querySelectorAll('.compare-plots .vega-view')].every(e =>"
                f" e.vegaView && ({AXIS_TEXT})(e.vegaView).includes('月'))"
            )
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 1000})
            page.wait_for_function(  # every chart follows the new width
                "w => [...document.querySelectorAll('.compare-plots .vega-view canvas')]"
                ".every(c => c.getBoundingClientRect().right <= w + 0.5)",
                arg=width,
            )
            charts = drawn(page, ".compare-plots .vega-view")
            assert len(charts) == shown
            assert_marks_span_their_plots(charts, f"{width} px, {lang}")
            # titles and definitions wrap inside their panels; the legend names both arms
            assert page.locator(".compare-plots .panel-head").evaluate_all(
                "els => els.every(e => e.scrollWidth <= e.clientWidth + 1)"
            )
            legend = page.locator(".compare-legend").inner_text()
            assert "A: baseline" in legend and "B: alpha" in legend
            assert page.evaluate("document.scrollingElement.scrollWidth") <= width
            page.screenshot(path=str(ARTIFACTS / f"compare-{width}-{lang}.png"))
    set_lang(page, "en")


def test_a_finished_comparison_survives_a_tab_switch(app):
    page = app.page
    run_compare(app, months=6, replicates=2)
    caption = page.locator(".compare-caption").inner_text()
    panels = page.locator(".compare-plots .panel").count()
    page.get_by_role("tab", name="Live run").click()
    expect(page.locator(".compare-caption")).to_have_count(0)
    app.step()  # the session goes on meanwhile
    page.get_by_role("tab", name="Compare").click()
    expect(page.locator(".compare-caption")).to_have_text(caption)
    assert page.locator(".compare-plots .panel").count() == panels
    assert_marks_span_their_plots(drawn(page, ".compare-plots .vega-view"), "after the switch")
    expect(page.locator(".compare-months input")).to_have_value("6")  # the inputs stay too
    expect(page.locator(".compare-run")).to_be_enabled()


def test_the_months_field_shows_the_number_used_and_the_table_the_real_window(app):
    page = app.page
    page.get_by_role("tab", name="Compare").click()
    box = page.locator(".compare-months input")
    box.fill("0")
    expect(page.locator(".compare-months")).to_contain_text("a whole number from 1 to 600")
    expect(page.locator(".compare-run")).to_be_disabled()
    box.fill("700")
    expect(page.locator(".compare-run")).to_be_disabled()
    expect(box).to_have_value("700")  # never silently shown as one value and run as another
    run_compare(app, months=1, replicates=2)
    expect(page.locator(".compare-window")).to_have_text(
        "The one month run, mean over 2 replicates"
    )
    run_compare(app, months=5, replicates=2)
    expect(page.locator(".compare-window")).to_have_text(
        "Mean of the last 5 months over 2 replicates"
    )


def test_the_changed_levers_manipulation_checks_come_first_and_are_marked(app):
    page = app.page
    run_compare(app, months=14, replicates=2)  # alpha changes 一肩挑 and the lists
    picker = page.locator(".compare-outcomes")
    chips = picker.locator(".v-select__selection").all_inner_texts()
    first = {c.split(" — ")[0] for c in chips[:2]}  # alpha changes the lists and 一肩挑
    assert first == {
        "✓ check communities with 一肩挑 (realised)",
        "✓ check pushed task hours RCs refused",
    }
    expect(page.locator(".compare-checks")).to_contain_text("communities with 一肩挑 (realised)")
    table = page.locator(".compare-table")
    expect(table.locator("tr", has_text="communities with 一肩挑")).to_contain_text("✓ check")
    # any outcome can be added from the full list
    picker.click()
    gini = "inequality of satisfaction across communities (Gini)"
    page.locator(".menuable__content__active .v-list-item", has_text=gini).first.click()
    page.keyboard.press("Escape")
    expect(table).to_contain_text(gini)
    expect(page.locator(".compare-satisfaction_gini .vega-view canvas")).to_be_visible()


def test_the_replicates_differences_and_figure_download(app):
    page = app.page
    run_compare(app, months=6, replicates=3)
    charts = page.locator(".compare-plots .panel").count()
    files = {}
    for which in ("replicates", "differences"):
        for fmt in ("csv", "parquet"):
            name, data = download(page, page.locator(f".compare-download-{which}-{fmt}"))
            assert name.endswith(f"-{which}.{fmt}")
            files[(which, fmt)] = (
                pd.read_csv(io.BytesIO(data)) if fmt == "csv" else pd.read_parquet(io.BytesIO(data))
            )
    reps = files[("replicates", "parquet")]
    assert len(reps) == 6 and set(reps["arm"]) == {"A", "B"} and set(reps["window"]) == {6}
    diffs = files[("differences", "parquet")]
    assert len(diffs) == charts and {"diff", "low", "high", "d_z"} <= set(diffs)
    pd.testing.assert_frame_equal(
        files[("replicates", "csv")][["seed", "mean_satisfaction_mean"]],
        reps[["seed", "mean_satisfaction_mean"]],
        check_exact=False,
        rtol=1e-12,
    )
    for fmt, magic in (("svg", b"<svg"), ("png", b"\x89PNG")):
        name, data = download(page, page.locator(f".compare-download-figure-{fmt}"))
        assert name.endswith(f".{fmt}") and magic in data[:400]


def test_the_difference_map_colours_every_community_by_b_minus_a(app):
    page = app.page
    run_compare(app, "baseline", "current controls", months=4, replicates=2)
    chart = page.locator(".diff-map-chart .vega-view")
    page.wait_for_function(
        "() => { const e = document.querySelector('.diff-map-chart .vega-view');"
        " return e && e.vegaView && e.vegaView.data('points').length > 0; }"
    )
    points = chart.evaluate("e => e.vegaView.data('points')")
    assert all(p["tip"]["title"].startswith("Community ") for p in points)
    assert any("B − A" in p["tip"] for p in points)
    assert chart.evaluate("e => e.vegaView.data('outlines').length") > 0
    expect(page.locator(".diff-map-legend")).to_contain_text("replicate 0")
    app.pick("diff-map-column", "trust in the RC")
    page.wait_for_function(
        "() => document.querySelector('.diff-map-chart .vega-view').vegaView.data('points')"
        ".some(p => Object.keys(p.tip).some(k => k.includes('trust in the RC')))"
    )


# ------------------------------------------------------------------------------ sweep
def start_sweep(app, values: str, months: int, replicates: int) -> None:
    page = app.page
    page.get_by_role("tab", name="Sweep").click()
    page.locator(".sweep-values input").fill(values)
    type_into(page, ".sweep-months", months)
    type_into(page, ".sweep-replicates", replicates)
    page.locator(".sweep-run").click()


def test_a_sweep_s_saved_experiment_reproduces_its_tables_on_the_command_line(app, tmp_path):
    page = app.page
    start_sweep(app, "0, 0.5, 1", 14, 2)
    expect(page.locator(".sweep-caption")).to_contain_text(
        "over 0, 0.5, 1 · 2 replicates each · 14 months", timeout=JOB_MS
    )
    assert_marks_span_their_plots(drawn(page, ".sweep-plots .vega-view"), "sweep")
    tables = {}
    for which in ("runs", "effects"):
        name, data = download(page, page.locator(f".sweep-download-{which}-parquet"))
        tables[which] = pd.read_parquet(io.BytesIO(data))
    name, data = download(page, page.locator(".sweep-save"))
    saved = tmp_path / name
    saved.write_bytes(data)
    out = tmp_path / "results"
    done = subprocess.run(
        [sys.executable, "-m", "sim", "sweep", str(saved), "--out", str(out), "--workers", "1"],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    pd.testing.assert_frame_equal(tables["runs"], sw.runs_table(out))
    outcomes = list(dict.fromkeys(tables["effects"]["outcome"]))
    pd.testing.assert_frame_equal(tables["effects"], sw.effects_table(out, outcomes))
    assert len(tables["runs"]) == 6 and outcomes[0] == "one_shoulder_share"
    for fmt, magic in (("svg", b"<svg"), ("png", b"\x89PNG")):
        _, data = download(page, page.locator(f".sweep-download-figure-{fmt}"))
        assert magic in data[:400]


def test_a_sweep_shows_its_progress_and_can_be_cancelled(app):
    page = app.page
    start_sweep(app, "0, 0.25, 0.5, 0.75, 1", 240, 10)
    expect(page.locator(".sweep-progress")).to_be_visible(timeout=JOB_MS)
    expect(page.locator(".sweep-progress")).to_contain_text(" of 50 runs", timeout=JOB_MS)
    page.locator(".sweep-cancel").click()
    expect(page.locator(".sweep-cancelled")).to_contain_text("Cancelled")
    expect(page.locator(".sweep-progress")).to_have_count(0)
    expect(page.locator(".sweep-run")).to_be_enabled()


def test_a_refused_sweep_says_why_in_one_line(app):
    page = app.page
    start_sweep(app, "0, 1.5", 6, 2)
    expect(page.locator(".sweep-error")).to_contain_text("xa_one_shoulder")
    expect(page.locator(".sweep-progress")).to_have_count(0)


# ------------------------------------------------------------------------------ streets
def test_the_streets_tab_draws_each_street_and_the_spread_across_communities(app):
    page = app.page
    for _ in range(3):
        app.step()
    page.get_by_role("tab", name="Streets").click()
    multiples = page.locator(".streets-multiples .vega-view")
    page.wait_for_function(
        "() => { const e = document.querySelector('.streets-multiples .vega-view');"
        " return e && e.vegaView && e.dataset.version.endsWith('-3-0'); }"
    )
    streets = multiples.evaluate(
        "e => [...new Set(e.vegaView.data('rows').map(r => r.street))].sort()"
    )
    assert streets == ["Street 0", "Street 1"]
    assert drawn(page, ".streets-multiples .vega-view")[0]["points"] >= 2 * 2 * 3
    spread = drawn(page, ".streets-spread .vega-view")[0]
    assert spread["points"] > 0
    expect(page.locator(".streets-note")).to_contain_text("numbered from 0")
    app.pick("streets-column", "residents")
    expect(page.locator(".streets-note")).to_contain_text("sum over its communities")


# ------------------------------------------------------------------------------ details
def test_the_district_view_s_tie_control_bundles_and_filters_lines(app):
    page = app.page
    for _ in range(2):
        app.step()
    count = (
        "() => document.querySelector('.network-chart .vega-view').vegaView.data('edges').length"
    )
    default = page.evaluate(count)
    page.locator(".ties-bundle input").click(force=True)  # every tie on its own
    page.wait_for_function(f"n => ({count})() >= n", arg=default)
    unbundled = page.evaluate(count)
    assert unbundled >= default
    slider = page.locator(".ties-min .v-slider__thumb-container")
    slider.focus()
    for _ in range(10):
        page.keyboard.press("ArrowLeft")  # to 1: every line
    page.wait_for_function(f"n => ({count})() >= n", arg=unbundled)
    expect(page.locator(".ties-min")).to_contain_text("at least 1 ties")


def test_the_drill_down_fits_beside_the_network_at_1280_px(app):
    page = app.page
    page.set_viewport_size({"width": 1280, "height": 800})
    for _ in range(2):
        app.step()
    node = app.node_point("Community 1 ")
    page.mouse.click(node["x"], node["y"])
    page.locator(".drilldown .drill-series canvas").wait_for()
    series = page.locator(".drilldown .drill-series")
    page.wait_for_function(
        "() => { const e = document.querySelector('.drilldown .drill-series');"
        " return e.scrollWidth <= e.clientWidth + 1; }"
    )
    assert series.evaluate("e => e.querySelector('canvas').getBoundingClientRect().right") <= (
        series.evaluate("e => e.getBoundingClientRect().right") + 1
    )
    # the values are named, never shown by their column names
    values = page.locator(".drilldown .drill-values").inner_text()
    assert "trust in the RC" in values and "trust_rc" not in values


def test_levers_and_values_are_named_in_chinese(app):
    page = app.page
    app.step()
    set_lang(page, "zh")
    page.get_by_role("button", name="其他政策杠杆").click()
    for label in (
        "居委会选举由户代表投票",
        "街道职责准入清单",
        "街道吹哨、部门报到",
        "派驻人员考核征求街道意见",
        "禁止要求社区“对口”挂牌、设科室",
        "街道评价职能部门的考核权重",
        "干部选任中居民评价的权重",
    ):
        expect(page.get_by_text(label).first).to_be_visible()
    app.pick("view-select", "单个街道（完整细节）")
    page.wait_for_function(
        "() => document.querySelector('.network-chart .vega-view')"
        ".vegaView.data('nodes').some(r => r.tip.title.startsWith('居委会'))"
    )
    node = app.node_point("居委会")
    page.mouse.click(node["x"], node["y"])
    expect(page.locator(".drilldown .drill-values")).to_contain_text("社工能力")
    assert "skill" not in page.locator(".drilldown .drill-values").inner_text()
    set_lang(page, "en")


def test_streets_are_numbered_from_0_as_in_scenario_files_and_the_page_says_so(app):
    page = app.page
    expect(page.locator(".network-caption")).to_contain_text("numbered from 0")
    app.pick("view-select", "One street in full detail")
    app.pick("street-select", "Street 0")
    page.wait_for_function(
        "() => document.querySelector('.network-chart .vega-view')"
        ".vegaView.data('nodes').some(r => r.tip.title.includes('street 0'))"
    )
    assert read_step(page) == 0


def test_no_banner_covers_the_plots(app):
    expect(app.page.get_by_text("This website runs on Solara")).to_have_count(0)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_live_panel_titles_and_axis_titles_stay_inside_their_charts(app, lang):
    page = app.page
    if lang == "zh":
        set_lang(page, "zh")
    for _ in range(3):
        page.get_by_role("button", name="Step" if lang == "en" else "单步").click()
    page.wait_for_function(
        "() => [...document.querySelectorAll('.live-plots .vega-view')].every(v => "
        "Number(v.dataset.version) >= 3)"
    )
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.wait_for_function(
            "w => [...document.querySelectorAll('.live-plots .vega-view canvas')]"
            ".every(c => c.getBoundingClientRect().right <= w + 0.5)",
            arg=width,
        )
        boxes = page.locator(".live-plots .vega-view").evaluate_all(
            """els => els.map(el => { const v = el.vegaView; const [ox] = v.origin();
                const w = el.querySelector('canvas').getBoundingClientRect().width;
                const out = []; const walk = n => { if (!n) return;
                  if (n.role === 'title-text' || n.role === 'axis-title')
                    (n.items || []).forEach(i => out.push([i.bounds.x1 + ox, i.bounds.x2 + ox, w]));
                  (n.items || []).forEach(walk); };
                walk(v.scenegraph().root); return out; })"""
        )
        for chart in boxes:
            for x1, x2, w in chart:
                assert x1 >= -0.5 and x2 <= w + 0.5, (width, lang, x1, x2, w)
    if lang == "zh":
        set_lang(page, "en")
