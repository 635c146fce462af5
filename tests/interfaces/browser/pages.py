"""What the browser tests share: the server (a small world, seed 1, a folder of test
scenarios and one of run folders) and Chromium as module fixtures, and `Session`, one page
on the app with the actions a researcher takes. A test module imports the fixtures it uses;
it may add scenarios (`SCENARIOS`), districts read from files (`DISTRICTS`: name -> a
function giving the tables) and server settings (`SERVER`) of its own. Waits are for what
the page shows, never for fixed times.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from sim.interfaces.browser.browser import (
    CHROMIUM,
    chromium,
    read_step,
    serve,
    wait_for_app,
    wait_for_month,
)
from sim.runs.district_files import write_district
from tests.core.test_district import small_tables

try:  # the unit tests of this folder run without Playwright
    from playwright.sync_api import expect, sync_playwright
except ImportError:  # pragma: no cover
    expect = sync_playwright = None

ROOT = Path(__file__).resolve().parents[3]
ARTIFACTS = ROOT / "test-artifacts"
WORLD = dict(
    n_streets=2,
    communities_per_street=4.0,
    compounds_per_community=3.0,
    households_per_compound=30.0,
    n_firms=4,
    n_ngos=3,
)
VIEWPORT = {"width": 1800, "height": 1150}
MAX_SESSIONS = 3
SMALL_TOML = (
    "[structure]\nn_streets = 2\ncommunities_per_street = 4.0\n"
    "compounds_per_community = 3.0\nhouseholds_per_compound = 30.0\n"
    "n_firms = 4\nn_ngos = 3\n"
)
SCENARIOS = {
    "alpha": 'description = "Few one-shoulder communities, responsibility list on"\n'
    "seed = 11\n[structure]\nn_streets = 3\ncommunities_per_street = 3.0\n"
    "compounds_per_community = 3.0\nhouseholds_per_compound = 30.0\n"
    "[cross_appointment]\nxa_one_shoulder = 0.15\n[burden]\nresponsibility_list = true\n",
    "baseline": f'description = "Small baseline"\n{SMALL_TOML}',
}


class Session:
    """One browser page on the app, with every request it made."""

    def __init__(self, page, url: str, wait: bool = True) -> None:
        self.page = page
        self.requests: list[str] = []
        self.failed: list[str] = []
        page.on("request", lambda r: self.requests.append(r.url))
        page.on("requestfailed", lambda r: self.failed.append(f"{r.url} {r.failure}"))
        page.goto(url)
        if wait:
            wait_for_app(page)

    def step(self) -> int:
        before = read_step(self.page)
        self.page.get_by_role("button", name="Step").click()
        wait_for_month(self.page, before + 1)
        return read_step(self.page)

    def wait_step(self, at_least: int) -> None:
        self.page.wait_for_function(
            "n => parseInt(document.querySelector('.step-counter').innerText.split(':').pop()) >= n",
            arg=at_least,
        )

    def pick(self, select_class: str, option: str) -> None:
        self.page.locator(f".{select_class}").click()
        self.page.locator(".menuable__content__active .v-list-item", has_text=option).first.click()

    def open_group(self, title: str) -> None:
        self.page.get_by_role("button", name=title).click()

    def set_world(self, **values: str) -> None:
        labels = {
            "streets": "Streets",
            "communities": "Communities per street (mean)",
            "compounds": "Compounds per community (mean)",
            "households": "Households per compound (mean)",
        }
        self.open_group("World size")
        for key, value in values.items():
            box = self.page.get_by_label(labels[key], exact=True)
            box.fill(value)
            box.press("Enter")

    def reset(self) -> None:
        self.page.get_by_role("button", name="Reset").click()

    def network(self, js: str, arg=None):
        """Evaluate `js` (a function of the chart element's Vega view and arg)."""
        return self.page.locator(".network-chart .vega-view").evaluate(
            f"(el, arg) => {{ const v = el.vegaView; return ({js})(v, arg); }}", arg
        )

    def node_point(self, title_start: str) -> dict:
        """Page position and row of the first network node whose name starts so."""
        return self.page.locator(".network-chart .vega-view").evaluate(
            """(el, start) => {
                const v = el.vegaView;
                const d = v.data('nodes').find(r => r.tip.title.startsWith(start));
                const box = el.querySelector('canvas').getBoundingClientRect();
                const [ox, oy] = v.origin();
                const pad = v.padding();
                return {x: box.left + pad.left + ox + v.scale('x')(d.x),
                        y: box.top + pad.top + oy + v.scale('y')(d.y), title: d.tip.title};
            }""",
            title_start,
        )

    def panel(self, key: str):
        return self.page.locator(f".panel-{key} .vega-view")


AXIS_TITLES = """v => { const out = [];
    const walk = n => { if (!n) return; if (n.marktype && n.role === 'axis-title')
        (n.items || []).forEach(i => out.push(i.text));
        (n.items || []).forEach(walk); };
    walk(v.scenegraph().root); return out; }"""


DRAWN = """el => { const v = el.vegaView; if (!v) return null;
    const out = {width: v.width(), points: 0, spans: []};
    const walk = n => { if (!n) return;
        if (n.marktype && n.role === 'mark' && ['line', 'area', 'symbol', 'rule'].includes(n.marktype)) {
            const xs = (n.items || []).map(i => i.x).filter(x => Number.isFinite(x));
            out.points += xs.length;
            if (xs.length) out.spans.push(Math.max(...xs) - Math.min(...xs)); }
        (n.items || []).forEach(walk); };
    walk(v.scenegraph().root); return out; }"""
"""What a chart has drawn (from Vega's scene graph, not from its data): the plot's width,
the points of its line, area, symbol and rule marks, and how far each mark spans
horizontally."""


def download(page, locator, timeout: float = 120_000) -> tuple[str, bytes]:
    """Click a download button; the file's name and bytes (a figure is drawn on the click:
    on a busy machine that can take a while)."""
    with page.expect_download(timeout=timeout) as info:
        locator.click()
    d = info.value
    return d.suggested_filename, Path(d.path()).read_bytes()


def type_into(page, css: str, value) -> None:
    """Type a value into a field and wait until it shows it."""
    box = page.locator(f"{css} input")
    box.fill(str(value))
    box.press("Enter")
    expect(box).to_have_value(str(value))


@pytest.fixture(scope="module")
def folders(tmp_path_factory, request):
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} missing: run `bash scripts/setup.sh --browser`")
    scenarios = tmp_path_factory.mktemp("scenarios")
    for name, text in {**SCENARIOS, **getattr(request.module, "SCENARIOS", {})}.items():
        (scenarios / f"{name}.toml").write_text(text, encoding="utf-8")
    write_district(scenarios / "tiny", small_tables(), "csv")  # a district read from files
    for name, tables in getattr(request.module, "DISTRICTS", {}).items():
        write_district(scenarios / name, tables(), "csv")
    (scenarios / "filed.toml").write_text(
        'description = "A district from files"\n[world]\nfolder = "tiny"\n', encoding="utf-8"
    )
    runs = tmp_path_factory.mktemp("runs")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "sim",
            "run",
            str(scenarios / "baseline.toml"),
            "--steps",
            "6",
            "--seed",
            "4",
            "--out",
            str(runs / "small-seed4"),
        ],
        check=True,
        capture_output=True,
    )
    return scenarios, runs


def server_log(module: str) -> Path:
    """Where the server of a test module writes its log."""
    return ARTIFACTS / f"{module.rsplit('.', 1)[-1]}-server.log"


@pytest.fixture(scope="module")
def server(folders, request):
    scenarios, runs = folders
    ARTIFACTS.mkdir(exist_ok=True)
    # at most 3 sessions at once, and a vanished page's session is culled after 5 s
    with serve(
        params=WORLD,
        seed="1",
        scenario_dir=scenarios,
        runs_dir=runs,
        max_sessions=MAX_SESSIONS,
        cull_seconds=5,
        log=server_log(request.module.__name__),
        **getattr(request.module, "SERVER", {}),
    ) as url:
        yield url


@pytest.fixture(scope="module")
def playwright(folders):
    """One Playwright for the module (a second one cannot start inside its event loop)."""
    pytest.importorskip("playwright.sync_api")
    expect.set_options(timeout=90_000)  # a busy machine can take a while to show it
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="module")
def browser(playwright, server):
    b = chromium(playwright)
    yield b
    b.close()


@pytest.fixture
def app(browser, server):
    context = browser.new_context(viewport=VIEWPORT)
    try:
        yield Session(context.new_page(), server)
    finally:
        context.close()
