"""Measure sweeps run from the browser: their time, and the server's memory while several
sessions sweep at once.

    python -m sim.interfaces.browser.sweep_load --set n_streets=2                # one sweep
    python -m sim.interfaces.browser.sweep_load --set n_streets=2 --sessions 5   # five at once
    python -m sim.interfaces.browser.sweep_load ... --json                       # one JSON line

Serves the app with the given world, opens `--sessions` pages in headless Chromium, and in
each starts the same sweep from the Sweep tab (`--values` of the default lever, the
`--replicates`, the `--months`), one page right after the other. While they run it samples,
every half second, the resident memory (RSS) of the server's process tree (the server and
its job processes), how many job processes run at once, and each job process's CPU time;
it records each sweep's wall time from its click to its result on the page, and the load
average of the machine before and after. The server's memory budget (`--server-memory-mb`,
by default 60% of the machine's) is printed beside the peak.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from .browser import chromium, serve_process, wait_for_app, world_overrides
from .guard import Limits
from .jobs import max_jobs


def _tree(pid: int) -> tuple[float, dict[int, float]]:
    """RSS (MB) of a process and its descendants, and CPU seconds of each sweep process."""
    import psutil

    proc = psutil.Process(pid)
    total = proc.memory_info().rss
    cpu: dict[int, float] = {}
    for child in proc.children(recursive=True):
        try:
            total += child.memory_info().rss
            if "sweep" in child.cmdline():
                t = child.cpu_times()
                cpu[child.pid] = t.user + t.system
        except psutil.Error:
            pass
    return total / 2**20, cpu


def measure(
    params: dict[str, Any],
    sessions: int,
    values: str,
    replicates: int,
    months: int,
    jobs: int | None = None,
    timeout: float = 3600.0,
) -> dict[str, Any]:
    """Run the scenario of the module docstring; returns the measurements."""
    from playwright.sync_api import sync_playwright

    out: dict[str, Any] = {
        "params": params,
        "sessions": sessions,
        "values": values,
        "replicates": replicates,
        "months": months,
        "max_jobs": jobs or max_jobs(),
        "server_budget_mb": round(Limits.from_env().server_mb),
        "load_before": os.getloadavg(),
    }
    samples: list[tuple[float, float, int]] = []
    cpu: dict[int, float] = {}
    stop = threading.Event()
    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "server.log"
        with (
            serve_process(
                params=params or None,
                seed="1",
                max_sessions=sessions + 1,
                log=log,
                max_jobs=jobs,
            ) as (url, proc),
            sync_playwright() as p,
        ):

            def sample() -> None:
                t0 = time.monotonic()
                while not stop.is_set():
                    mb, seen = _tree(proc.pid)
                    cpu.update(seen)
                    samples.append((time.monotonic() - t0, mb, len(seen)))
                    stop.wait(0.5)

            browser = chromium(p)
            pages = []
            for _ in range(sessions):
                page = browser.new_context(viewport={"width": 1400, "height": 900}).new_page()
                page.goto(url)
                wait_for_app(page)
                page.get_by_role("tab", name="Sweep").click()
                page.locator(".sweep-values input").fill(values)
                for css, value in ((".sweep-months", months), (".sweep-replicates", replicates)):
                    page.locator(f"{css} input").fill(str(value))
                pages.append(page)
            out["rss_before_mb"] = round(_tree(proc.pid)[0], 1)
            watcher = threading.Thread(target=sample, daemon=True)
            watcher.start()
            started = []
            for page in pages:
                page.locator(".sweep-run").click()
                started.append(time.monotonic())
            seconds = []
            for page, t in zip(pages, started):
                page.locator(".sweep-caption").wait_for(timeout=timeout * 1000)
                seconds.append(round(time.monotonic() - t, 1))
            stop.set()
            watcher.join(5)
            out["rss_after_mb"] = round(_tree(proc.pid)[0], 1)
            browser.close()
    out["load_after"] = os.getloadavg()
    out["seconds"] = seconds
    out["peak_rss_mb"] = round(max(mb for _, mb, _ in samples), 1) if samples else None
    out["peak_jobs"] = max((n for _, _, n in samples), default=0)
    out["cpu_seconds_per_sweep"] = sorted(round(v, 1) for v in cpu.values())
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m sim.interfaces.browser.sweep_load", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--sessions", type=int, default=1, help="pages that sweep at once")
    parser.add_argument("--values", default="0, 0.25, 0.5, 0.75, 1", help="the lever's values")
    parser.add_argument("--replicates", type=int, default=5)
    parser.add_argument("--months", type=int, default=60)
    parser.add_argument("--max-jobs", type=int, default=None, help="the server's --max-jobs")
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="parameter override of the world (repeatable); default world",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON line")
    args = parser.parse_args(argv)
    params = world_overrides(parser, args.set)
    result = measure(
        params, args.sessions, args.values, args.replicates, args.months, args.max_jobs
    )
    if args.json:
        print(json.dumps(result))
        return 0
    print(
        f"{args.sessions} sweep(s) of {args.values} x {args.replicates} replicates x "
        f"{args.months} months, at most {result['max_jobs']} at once"
    )
    print(f"wall seconds, click to result: {result['seconds']}")
    print(f"CPU seconds of each sweep process: {result['cpu_seconds_per_sweep']}")
    print(
        f"server RSS (with its jobs): {result['rss_before_mb']} MB before, peak "
        f"{result['peak_rss_mb']} MB, {result['rss_after_mb']} MB after; budget "
        f"{result['server_budget_mb']} MB; job processes at once: {result['peak_jobs']}"
    )
    print(f"load average before {result['load_before']}, after {result['load_after']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
