"""The browser app driven in headless Chromium: what a researcher sees and does.

One server (a small world, seed 1, a folder of test scenarios) serves every test; each test
opens its own page, which Solara gives its own session and model. Waits are for conditions
("the step counter shows at least n"), never for fixed times. A screenshot of the running
page is saved as test-artifacts/app.png, the server's log as test-artifacts/browser-server.log.
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from urllib.parse import urlparse

import pytest

playwright_api = pytest.importorskip("playwright.sync_api")
from playwright.sync_api import expect, sync_playwright  # noqa: E402

from sim.interfaces.browser.browser import CHROMIUM, chromium, read_step, serve, wait_for_app  # noqa: E402

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[3]
ARTIFACTS = ROOT / "test-artifacts"
WORLD = dict(n_streets=2, communities_per_street=4.0, compounds_per_community=3.0,
             households_per_compound=30.0, n_firms=4, n_ngos=3)
VIEWPORT = {"width": 1800, "height": 1150}
SCENARIOS = {
    "alpha": 'description = "Few one-shoulder communities, responsibility list on"\n'
             "seed = 11\n[structure]\nn_streets = 3\ncommunities_per_street = 3.0\n"
             "compounds_per_community = 3.0\nhouseholds_per_compound = 30.0\n"
             "[cross_appointment]\nxa_one_shoulder = 0.15\n[burden]\nresponsibility_list = true\n",
    "baseline": 'description = "Small baseline"\n[structure]\nn_streets = 2\n'
                "communities_per_street = 4.0\ncompounds_per_community = 3.0\n"
                "households_per_compound = 30.0\n",
}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} missing: run `bash scripts/setup.sh --browser`")
    folder = tmp_path_factory.mktemp("scenarios")
    for name, text in SCENARIOS.items():
        (folder / f"{name}.toml").write_text(text, encoding="utf-8")
    ARTIFACTS.mkdir(exist_ok=True)
    with serve(params=WORLD, seed="1", scenario_dir=folder,
               log=ARTIFACTS / "browser-server.log") as url:
        yield url


@pytest.fixture(scope="module")
def browser(server):
    expect.set_options(timeout=30_000)
    with sync_playwright() as p:
        b = chromium(p)
        yield b
        b.close()


class Session:
    """One browser page on the app, with every request it made."""

    def __init__(self, page, url: str) -> None:
        self.page = page
        self.requests: list[str] = []
        self.failed: list[str] = []
        page.on("request", lambda r: self.requests.append(r.url))
        page.on("requestfailed", lambda r: self.failed.append(f"{r.url} {r.failure}"))
        page.goto(url)
        wait_for_app(page)

    def step(self) -> int:
        before = read_step(self.page)
        self.page.get_by_role("button", name="Step").click()
        self.wait_step(before + 1)
        return read_step(self.page)

    def wait_step(self, at_least: int) -> None:
        self.page.wait_for_function(
            "n => parseInt(document.querySelector('.step-counter').innerText.split(':').pop()) >= n",
            arg=at_least)

    def pick(self, select_class: str, option: str) -> None:
        self.page.locator(f".{select_class}").click()
        self.page.locator(".menuable__content__active .v-list-item", has_text=option).first.click()

    def plot_pixels(self) -> str:
        return self.page.locator(".live-plots canvas").first.evaluate("c => c.toDataURL()")


@pytest.fixture
def app(browser, server):
    context = browser.new_context(viewport=VIEWPORT)
    try:
        yield Session(context.new_page(), server)
    finally:
        context.close()


def test_the_page_shows_the_network_legend_and_plots_and_works_offline(app, server):
    page = app.page
    image = page.locator(".network-figure img")
    expect(image).to_be_visible()
    assert image.evaluate("i => i.naturalWidth") > 100
    expect(page.locator(".gov-legend")).to_contain_text("Street office")
    expect(page.locator(".gov-legend")).to_contain_text("cross-appointment")
    expect(page.locator(".network-caption")).to_contain_text("network nodes")
    expect(page.locator(".live-plots canvas").first).to_be_visible()
    expect(page.locator(".info-world")).to_contain_text("2 streets")
    expect(page.locator(".info-seed")).to_have_text("1")
    # offline: nothing failed and nothing was fetched from anywhere but the app's server
    host = urlparse(server).netloc
    outside = [u for u in app.requests
               if urlparse(u).scheme in ("http", "https", "ws", "wss") and urlparse(u).netloc != host]
    assert outside == []
    assert app.failed == []


def test_step_advances_the_model_the_counter_and_the_plots(app):
    page = app.page
    assert read_step(page) == 0
    picture = page.locator(".network-figure img").get_attribute("src")
    assert app.step() == 1
    page.wait_for_selector('.live-plots .vega-embed[aria-label$="months 1-1"]')
    expect(page.locator(".plots-caption")).to_contain_text("Month 1")
    expect(page.locator(".network-figure img")).not_to_have_attribute("src", picture)
    before = app.plot_pixels()
    assert app.step() == 2
    page.wait_for_selector('.live-plots .vega-embed[aria-label$="months 1-2"]')
    page.wait_for_function("old => document.querySelector('.live-plots canvas').toDataURL() !== old",
                           arg=before)


def test_a_changed_lever_takes_effect_on_reset(app):
    page = app.page
    app.step()
    page.get_by_role("button", name="Other policy levers").click()
    page.get_by_text("Power/responsibility list (权责清单)").click()
    page.get_by_role("button", name="World size").click()
    streets = page.get_by_label("Streets")
    streets.fill("3")
    streets.press("Enter")
    expect(page.locator(".pending-note")).to_be_visible()
    expect(page.locator(".info-params")).not_to_contain_text("responsibility_list")
    page.get_by_role("button", name="Reset").click()
    expect(page.locator(".info-params")).to_contain_text("responsibility_list = true")
    expect(page.locator(".info-params")).to_contain_text("n_streets = 3")
    expect(page.locator(".info-world")).to_contain_text("3 streets")
    expect(page.locator(".pending-note")).to_have_count(0)
    assert read_step(page) == 0


def test_a_value_outside_the_schema_is_refused_at_the_control(app):
    page = app.page
    page.get_by_role("button", name="World size").click()
    streets = page.get_by_label("Streets")
    streets.fill("0")
    streets.press("Enter")
    expect(page.get_by_text(re.compile("outside the allowed range"))).to_be_visible()
    expect(page.locator(".pending-note")).to_have_count(0)


def test_the_seed_box_takes_any_text(app):
    page = app.page
    seed = page.get_by_label("Seed (any text; blank = random)")
    seed.fill("any text, even ☺")
    seed.press("Enter")
    page.get_by_role("button", name="Reset").click()
    expect(page.locator(".info-seed")).to_contain_text("any text, even ☺")
    assert app.step() == 1
    seed.fill("")
    seed.press("Enter")
    page.get_by_role("button", name="Reset").click()
    expect(page.locator(".info-seed")).to_contain_text("drawn at random")
    assert app.step() == 1
    expect(page.locator(".v-alert.error")).to_have_count(0)


def test_choosing_a_scenario_loads_it(app):
    page = app.page
    app.step()
    app.pick("scenario-select", "alpha")
    expect(page.locator(".info-scenario")).to_have_text("alpha")
    expect(page.locator(".info-seed")).to_have_text("11")
    expect(page.locator(".info-params")).to_contain_text("xa_one_shoulder = 0.15")
    expect(page.locator(".info-params")).to_contain_text("responsibility_list = true")
    expect(page.locator(".info-world")).to_contain_text("3 streets")
    expect(page.locator(".param-xa_one_shoulder")).to_contain_text("0.15")
    expect(page.get_by_text("Few one-shoulder communities")).to_be_visible()
    assert read_step(page) == 0


def test_two_pages_keep_independent_models(browser, server):
    context = browser.new_context(viewport=VIEWPORT)
    other = browser.new_context(viewport=VIEWPORT)
    try:
        a = Session(context.new_page(), server)
        b = Session(context.new_page(), server)  # a second tab of the same visitor
        c = Session(other.new_page(), server)  # another visitor
        for _ in range(3):
            a.step()
        assert b.step() == 1
        assert read_step(a.page) == 3
        assert read_step(c.page) == 0
        a.page.get_by_role("button", name="Reset").click()
        expect(a.page.locator(".step-counter")).to_contain_text(": 0")
        assert read_step(b.page) == 1
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
    paused = settled_step(page)  # a month already under way when pausing may still land
    expect(page.locator(".step-counter")).to_have_text(re.compile(rf": {paused}$"))
    assert app.step() == paused + 1
    page.wait_for_selector(f'.live-plots .vega-embed[aria-label$="months 1-{paused + 1}"]')
    page.screenshot(path=str(ARTIFACTS / "app.png"))
    # a record of the speed on this machine (not a pass/fail criterion)
    (ARTIFACTS / "browser-play.json").write_text(json.dumps(
        {"months": s1 - s0, "seconds": round(t1 - t0, 2), "world": WORLD}), encoding="utf-8")


def test_the_street_view_shows_one_street_in_detail(app):
    page = app.page
    district = page.locator(".network-caption").inner_text()
    app.pick("view-select", "One street in full detail")
    expect(page.locator(".street-select")).to_be_visible()
    expect(page.locator(".network-caption")).not_to_have_text(district)
    expect(page.locator(".gov-legend")).to_contain_text("Owners' committee (OC, 业委会): functioning")
    app.pick("street-select", "Street 2")
    assert app.step() == 1


def test_a_tie_kind_can_be_hidden(app):
    page = app.page
    picture = page.locator(".network-figure img").get_attribute("src")
    page.locator(".edge-contract").click()
    expect(page.locator(".network-figure img")).not_to_have_attribute("src", picture)


def test_the_interface_speaks_chinese(app):
    page = app.page
    page.get_by_role("button", name="中文").click()
    expect(page.get_by_text("城市基层社区治理模拟器").first).to_be_visible()
    expect(page.get_by_role("button", name="单步")).to_be_visible()
    expect(page.get_by_role("button", name="重置")).to_be_visible()
    expect(page.locator(".gov-legend")).to_contain_text("街道办")
    expect(page.locator(".gov-legend")).to_contain_text("交叉任职")
    expect(page.get_by_text("书记、主任“一肩挑”的社区比例")).to_be_visible()
    expect(page.locator(".plots-caption")).to_contain_text("逐月结果")
    page.get_by_role("button", name="单步").click()
    app.wait_step(1)
    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("button", name="Step")).to_be_visible()


def test_compare_runs_two_settings_on_the_same_seed(app):
    page = app.page
    page.get_by_role("tab", name="Compare").click()
    app.pick("arm-a-select", "baseline")
    app.pick("arm-b-select", "alpha")
    page.locator(".compare-run").click()
    expect(page.locator(".compare-caption")).to_contain_text("A: baseline", timeout=120_000)
    expect(page.locator(".compare-caption")).to_contain_text("B: alpha")
    expect(page.locator(".compare-caption")).to_contain_text("Seed 1")
    expect(page.locator(".compare-plot canvas")).to_be_visible()
    expect(page.locator(".gov-table")).to_contain_text("satisfaction (mean)")
