"""Take a screenshot of the running app (the picture in README.md and docs/BROWSER.md).

    python -m sim.interfaces.browser.screenshot docs/figures/app.png
    python -m sim.interfaces.browser.screenshot app-zh.png --lang zh --months 36 --view street:0
    python -m sim.interfaces.browser.screenshot docs/figures/map-wuhou.png \
        --scenario chengdu_wuhou --view map --months 12 --click "Compound 200 "

Serves the app on a free loopback port, opens it in headless Chromium, plays the default
district (seed 1 unless `--seed`) until the step counter shows `--months`, pauses, waits
until the network (or map) and plots show that month, clicks a community or compound
(`--click`, the start of its name) to open its drill-down, and saves the page.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from .browser import chromium, read_step, serve, wait_for_app, wait_for_month, world_overrides

VIEWPORT = {"width": 1800, "height": 1500}


def world_caption(params: dict[str, Any], seed: str) -> str:
    """What the screenshot's world holds, as docs/BROWSER.md states it (a test checks the
    document against this)."""
    from . import network_view as nv
    from .session import start_run

    run = start_run(params, seed)
    counts = run.structure.counts()
    residents = getattr(getattr(run.model, "residents", None), "n", 0)
    view = nv.build_view(run.structure, "district")
    run.close()
    return (
        f"seed {seed}: {counts['streets']:,} streets, {counts['communities']:,} "
        f"communities, {counts['compounds']:,} compounds, {residents:,} residents and "
        f"{counts['nodes']:,} network nodes; the district view draws {view.n:,} of them"
    )


def take(
    path: Path,
    params: dict[str, Any],
    seed: str,
    months: int,
    lang: str,
    view: str,
    scenario: str | None = None,
    click: str = "",
) -> int:
    """Save a screenshot after `months` months; returns the month shown."""
    from playwright.sync_api import sync_playwright

    with (
        serve(params=params or None, seed=seed, lang=lang, view=view, scenario=scenario) as url,
        sync_playwright() as p,
    ):
        browser = chromium(p)
        try:
            page = browser.new_page(viewport=VIEWPORT)
            page.goto(url)
            wait_for_app(page)
            if months > 0:
                page.get_by_role("button", name="▶").click()
                page.wait_for_function(
                    "n => parseInt(document.querySelector('.step-counter').innerText"
                    ".split(':').pop()) >= n",
                    arg=months,
                    timeout=600_000,
                )
                page.get_by_role("button", name="❚❚").click()
            page.wait_for_function(
                "() => [...document.querySelectorAll('button')].some(b => "
                "['step', '单步'].includes(b.innerText.trim().toLowerCase()) && !b.disabled)"
            )
            shown = read_step(page)
            wait_for_month(page, shown)
            if click:
                point = page.locator(".network-chart .vega-view").evaluate(
                    """(el, start) => {
                        const v = el.vegaView;
                        let rows;  // the network's nodes, or the map's points
                        try { rows = v.data('nodes'); } catch (e) { rows = v.data('points'); }
                        const d = rows.find(r => r.tip.title.startsWith(start));
                        if (!d) return null;
                        const box = el.querySelector('canvas').getBoundingClientRect();
                        const [ox, oy] = v.origin();
                        const pad = v.padding();
                        return [box.left + pad.left + ox + v.scale('x')(d.x),
                                box.top + pad.top + oy + v.scale('y')(d.y)];
                    }""",
                    click,
                )
                if point is None:
                    raise SystemExit(f"no node whose name starts with {click!r}")
                page.mouse.click(*point)
                page.locator(".drilldown .drill-series canvas").wait_for(timeout=60_000)
            # no hover or focus highlight on the last button pressed
            page.locator(".step-counter").click()
            page.mouse.move(VIEWPORT["width"] - 5, VIEWPORT["height"] - 5)
            path.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(path), full_page=True)
            return shown
        finally:
            browser.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m sim.interfaces.browser.screenshot", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("path", type=Path, help="PNG file to write")
    parser.add_argument("--months", type=int, default=24, help="months to play first (default 24)")
    parser.add_argument("--seed", default="1", help="seed text (default 1)")
    parser.add_argument("--lang", choices=("en", "zh"), default="en")
    parser.add_argument("--view", default="district", help="district, map or street:<n>")
    parser.add_argument("--scenario", default=None, help="scenario to start from")
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="parameter override (repeatable)",
    )
    parser.add_argument(
        "--click",
        default="Community 12 ",
        help="open the drill-down of the first node whose name starts so "
        "(default 'Community 12 '; '' for none)",
    )
    args = parser.parse_args(argv)
    params = world_overrides(parser, args.set)
    shown = take(
        args.path, params, args.seed, args.months, args.lang, args.view, args.scenario, args.click
    )
    print(f"wrote {args.path} (month {shown})")
    if args.scenario is None:  # the line docs/BROWSER.md states beside the picture
        print(f"its world, {world_caption(params, args.seed)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
