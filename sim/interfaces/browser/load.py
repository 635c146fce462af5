"""Measure the server's memory as visitors come and go (the many-users check).

    python -m sim.interfaces.browser.load                  # 20 sessions, 10 dropped, default world
    python -m sim.interfaces.browser.load --json           # one JSON line

Serves the app (`--max-sessions` one more than `--sessions`, `--cull-seconds` short) and
measures the resident memory (RSS) of the server process:

1. with no session; then with 1, 5 and `--sessions` sessions open in headless Chromium,
   each having drawn its page and stepped `--months` months;
2. one more visitor beyond the limit, who must get the "server is busy" message;
3. after all those pages are closed (the server's log says every session closed);
4. the same again (`--cycles` rounds in all): memory that comes back to the same level
   round after round is bounded, memory that climbs is a leak;
5. with `--dropped` sessions open in a second Chromium that is then killed (no page close
   reaches the server), before the kill and once the server has culled them.

Chromium's memory is not counted: only the server's process tree.
"""

from __future__ import annotations

import argparse
import json
import re
import tempfile
import time
from pathlib import Path
from typing import Any

from .browser import (
    chromium,
    detached_chromium,
    serve_process,
    wait_for_app,
    world_overrides,
)


def rss_mb(pid: int) -> float:
    """Resident memory of a process and its children (MB)."""
    import psutil

    proc = psutil.Process(pid)
    total = proc.memory_info().rss
    for child in proc.children(recursive=True):
        try:
            total += child.memory_info().rss
        except psutil.Error:
            pass
    return total / 2**20


def _wait_log(log: Path, pattern: str, after: int, timeout: float) -> float:
    """Seconds until `pattern` appears in the log after its first `after` characters."""
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if re.search(pattern, log.read_text(encoding="utf-8", errors="replace")[after:]):
            return time.monotonic() - start
        time.sleep(0.25)
    raise TimeoutError(f"{pattern!r} not in the server log within {timeout:.0f} s")


def _open(context: Any, url: str, months: int) -> Any:
    page = context.new_page()
    page.goto(url)
    wait_for_app(page)
    for m in range(months):
        page.get_by_role("button", name="Step").click()
        page.wait_for_function(
            "n => parseInt(document.querySelector('.step-counter').innerText.split(':').pop())"
            " >= n",
            arg=m + 1,
            timeout=120_000,
        )
    return page


def measure(
    params: dict[str, Any],
    sessions: int,
    dropped: int,
    months: int,
    cull_seconds: float,
    cycles: int = 2,
    settle: float = 3.0,
) -> dict[str, Any]:
    """Run the scenario of the module docstring; returns the measurements."""
    from playwright.sync_api import sync_playwright

    out: dict[str, Any] = {
        "sessions": sessions,
        "dropped": dropped,
        "months": months,
        "cull_seconds": cull_seconds,
        "params": params,
        "rss_mb": {},
    }
    rss = out["rss_mb"]
    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "server.log"
        with (
            serve_process(
                params=params or None,
                seed="1",
                max_sessions=sessions,
                cull_seconds=cull_seconds,
                log=log,
            ) as (url, proc),
            sync_playwright() as p,
        ):
            time.sleep(settle)
            rss["no session"] = round(rss_mb(proc.pid), 1)
            browser = chromium(p)
            for cycle in range(1, cycles + 1):
                contexts = []
                for n in range(1, sessions + 1):
                    context = browser.new_context(viewport={"width": 1400, "height": 900})
                    _open(context, url, months)
                    contexts.append(context)
                    if n in (1, 5, sessions) and (cycle == 1 or n == sessions):
                        time.sleep(settle)
                        rss[f"round {cycle}: {n} open"] = round(rss_mb(proc.pid), 1)
                if cycle == 1:
                    late = browser.new_context().new_page()
                    late.goto(url)
                    late.locator(".busy-message").wait_for(timeout=60_000)
                    out["busy_message"] = late.locator(".busy-message").inner_text()
                    late.context.close()
                mark = len(log.read_text(encoding="utf-8", errors="replace"))
                for context in contexts:
                    context.close()
                out["seconds_to_release_closed"] = round(
                    _wait_log(log, r"closed \(0 live\)", mark, 120), 1
                )
                time.sleep(settle)
                rss[f"round {cycle}: all closed"] = round(rss_mb(proc.pid), 1)
            browser.close()

            # pages that vanish: a second Chromium, killed without closing anything
            with (
                tempfile.TemporaryDirectory(ignore_cleanup_errors=True) as profile,
                detached_chromium(p, Path(profile)) as (remote, kill),
            ):
                for _ in range(dropped):
                    _open(remote.new_context(viewport={"width": 1400, "height": 900}), url, months)
                time.sleep(settle)
                rss[f"{dropped} dropped, open"] = round(rss_mb(proc.pid), 1)
                mark = len(log.read_text(encoding="utf-8", errors="replace"))
                kill()  # the whole browser dies at once, as when a laptop is closed
            out["seconds_to_release_dropped"] = round(
                _wait_log(log, r"closed \(0 live\)", mark, cull_seconds + 120), 1
            )
            time.sleep(settle)
            rss[f"{dropped} dropped, culled"] = round(rss_mb(proc.pid), 1)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m sim.interfaces.browser.load", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--sessions", type=int, default=20, help="sessions opened together")
    parser.add_argument(
        "--dropped",
        type=int,
        default=10,
        help="sessions whose browser is killed without closing them",
    )
    parser.add_argument("--months", type=int, default=3, help="months each session steps")
    parser.add_argument(
        "--cycles", type=int, default=2, help="rounds of opening and closing --sessions sessions"
    )
    parser.add_argument(
        "--cull-seconds", type=float, default=10.0, help="the server's cull time for vanished pages"
    )
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
        params, args.sessions, args.dropped, args.months, args.cull_seconds, args.cycles
    )
    if args.json:
        print(json.dumps(result))
    else:
        for what, mb in result["rss_mb"].items():
            print(f"server RSS, {what:>22}: {mb:8.1f} MB")
        print(
            f"sessions released {result['seconds_to_release_closed']} s after their pages "
            f"closed, {result['seconds_to_release_dropped']} s after their browser died"
        )
        print(f"visitor beyond the limit saw: {result['busy_message']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
