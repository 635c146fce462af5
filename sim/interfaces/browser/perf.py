"""Measure how fast the app steps in a real browser.

    python -m sim.interfaces.browser.perf                      # the 500-node check (one detailed street)
    python -m sim.interfaces.browser.perf --view district --seed 1 --set n_streets=10   # the default district

Starts the app on a free loopback port, opens it in headless Chromium, waits until it is
drawn, presses ▶ and counts how far the page's step counter moves in `--seconds` seconds
(after a warm-up of two steps), then presses ❚❚. Then it times `--clicks` presses of Step,
each waiting until the counter shows the next month. Prints months per second for both and
the size of the network view (nodes), as a JSON line with `--json`. With `--model-alone`
it then times the model without the app (build, and the median of three months) and counts
its residents and network nodes, to tell the app's share of a month from the model's.

The default world — one street of about twenty communities with about twelve compounds
each, seed 7 — gives a full-detail street view of 526 nodes.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from typing import Any

from .browser import chromium, read_step, serve, wait_for_app, wait_for_month, world_overrides

PERF_WORLD: dict[str, Any] = {
    "n_streets": 1,
    "communities_per_street": 20.0,
    "compounds_per_community": 12.0,
    "households_per_compound": 40.0,
}
"""A world whose single street, seen in full detail, has about 500 nodes (seed 7: 526)."""
PERF_SEED = "7"


def measure(
    params: dict[str, Any],
    seed: str,
    view: str,
    seconds: float,
    clicks: int,
    interval_ms: int | None = None,
) -> dict[str, Any]:
    """Serve the app and measure it in Chromium; returns the figures."""
    from playwright.sync_api import sync_playwright

    out: dict[str, Any] = {"view": view, "seed": seed, "params": params}
    with serve(params=params, seed=seed, view=view) as url, sync_playwright() as p:
        browser = chromium(p)
        try:
            page = browser.new_page(viewport={"width": 1800, "height": 1150})
            opened = time.monotonic()
            page.goto(url)
            wait_for_app(page)
            caption = page.locator(".network-caption").first.inner_text()
            out["nodes"] = int("".join(ch for ch in caption.split()[0] if ch.isdigit()))
            out["first_render_seconds"] = round(time.monotonic() - opened, 2)
            if interval_ms is not None:
                out["interval_ms"] = interval_ms
            # play: count months over a fixed wall-clock window
            page.get_by_role("button", name="▶").click()
            _wait_step(page, 2)
            s0, t0 = read_step(page), time.monotonic()
            time.sleep(seconds)
            s1, t1 = read_step(page), time.monotonic()
            page.get_by_role("button", name="❚❚").click()
            out["play_months"] = s1 - s0
            out["play_seconds"] = round(t1 - t0, 2)
            out["play_steps_per_second"] = round((s1 - s0) / (t1 - t0), 2)
            # single steps: each click waits for the counter to show the next month
            page.get_by_role("button", name="Step").wait_for()
            _wait_enabled(page)
            times = []
            for _ in range(clicks):
                before = read_step(page)
                t = time.monotonic()
                page.get_by_role("button", name="Step").click()
                wait_for_month(page, before + 1)  # the network and every panel drawn
                times.append(time.monotonic() - t)
            if times:
                out["step_click_seconds_median"] = round(statistics.median(times), 3)
                out["step_clicks_per_second"] = round(1 / statistics.median(times), 2)
        finally:
            browser.close()
    return out


def model_alone(params: dict[str, Any], seed: str, months: int = 3) -> dict[str, Any]:
    """The model without the app, same world and seed: build time, median month, size."""
    from .session import start_run

    t = time.monotonic()
    run = start_run(params, seed)
    built = time.monotonic() - t
    times = []
    for _ in range(months):
        t = time.monotonic()
        run.model.step()
        times.append(time.monotonic() - t)
    out = {
        "model_build_seconds": round(built, 2),
        "model_step_seconds": round(statistics.median(times), 3),
        "residents": int(run.model.residents.n),
        "network_nodes": int(run.model.network.number_of_nodes()),
    }
    run.close()
    return out


def _wait_step(page: Any, at_least: int, timeout_ms: float = 120_000) -> None:
    page.wait_for_function(
        "n => { const e = document.querySelector('.step-counter');"
        " return e && parseInt(e.innerText.split(':').pop()) >= n; }",
        arg=at_least,
        timeout=timeout_ms,
    )


def _wait_enabled(page: Any) -> None:
    page.wait_for_function(
        "() => [...document.querySelectorAll('button')].some("
        "b => b.innerText.trim().toLowerCase() === 'step' && !b.disabled)",
        timeout=60_000,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m sim.interfaces.browser.perf", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--seconds", type=float, default=15.0, help="length of the play window")
    parser.add_argument("--clicks", type=int, default=10, help="Step presses to time")
    parser.add_argument("--view", default="street:0", help="district or street:<n>")
    parser.add_argument("--seed", default=PERF_SEED, help="seed text")
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="parameter override (repeatable); replaces the default world",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON line")
    parser.add_argument(
        "--model-alone",
        action="store_true",
        help="then time the model without the app (build and one month)",
    )
    args = parser.parse_args(argv)
    params = world_overrides(parser, args.set) if args.set else dict(PERF_WORLD)
    result = measure(params, args.seed, args.view, args.seconds, args.clicks)
    if args.model_alone:
        result.update(model_alone(params, args.seed))
    if args.json:
        print(json.dumps(result))
    else:
        print(f"view {result['view']}: {result['nodes']} nodes (seed {result['seed']}, {params})")
        print(
            f"play:  {result['play_months']} months in {result['play_seconds']} s = "
            f"{result['play_steps_per_second']} steps/s"
        )
        if "step_clicks_per_second" in result:
            print(
                f"Step:  median {result['step_click_seconds_median']} s per click = "
                f"{result['step_clicks_per_second']} steps/s"
            )
        if "model_step_seconds" in result:
            print(
                f"model alone: built in {result['model_build_seconds']} s, "
                f"{result['model_step_seconds']} s per month; {result['residents']:,} "
                f"residents, {result['network_nodes']:,} network nodes"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
