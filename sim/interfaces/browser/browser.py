"""Start the app's server and a headless browser: shared by the browser tests, the
screenshot command (`python -m sim.interfaces.browser.screenshot`) and the speed measurement
(`python -m sim.interfaces.browser.perf`).

`serve(...)` runs `solara run sim/interfaces/browser/app.py` on a free loopback port in its own process
group, waits until the page answers, yields its address and always stops it. `chromium(p)`
launches the Debian Chromium with the flags that work on machines without a sandbox or GPU
(Playwright's own browser download is not used).
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from . import controls

APP = Path(__file__).resolve().parent / "app.py"
CHROMIUM = os.environ.get("SIM_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
STARTUP_TIMEOUT = 120.0
"""Seconds to wait for the server to answer (it usually takes 3-8 s)."""


def solara_command(host: str, port: int) -> list[str]:
    """The command that serves the app."""
    return [
        sys.executable,
        "-m",
        "solara",
        "run",
        str(APP),
        "--host",
        host,
        "--port",
        str(port),
        "--production",
        "--no-open",
        "--no-check-version",
    ]


def server_env(
    params: Mapping[str, Any] | None = None,
    scenario: str | None = None,
    seed: str | None = None,
    lang: str | None = None,
    view: str | None = None,
    scenario_dir: str | Path | None = None,
    runs_dir: str | Path | None = None,
    session_mb: float | None = None,
    server_mb: float | None = None,
    max_sessions: int | None = None,
    cull_seconds: float | None = None,
    base: Mapping[str, str] | None = None,
    max_jobs: int | None = None,
) -> dict[str, str]:
    """Environment for the server process: telemetry off, the session's starting settings
    (see `sim.interfaces.browser.controls.initial_settings`), the run folders offered for
    replay, the memory guard's limits (`sim.interfaces.browser.guard.Limits`), the background
    jobs run at once (`sim.interfaces.browser.jobs`) and Solara's cull time; Solara's
    "runs on Solara" banner, which would sit over the plots' corner, is off."""
    from . import export_panel, guard, jobs

    cull_seconds = guard.DEFAULT_CULL_SECONDS if cull_seconds is None else cull_seconds
    env = dict(os.environ if base is None else base)
    env["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] = "False"
    env["SOLARA_THEME_SHOW_BANNER"] = "False"
    env.setdefault("PYTHONUNBUFFERED", "1")
    for key, value in (
        (controls.ENV_PARAMS, json.dumps(dict(params)) if params else None),
        (controls.ENV_SCENARIO, scenario),
        (controls.ENV_SEED, seed),
        (controls.ENV_LANG, lang),
        (controls.ENV_VIEW, view),
        (controls.ENV_SCENARIO_DIR, str(scenario_dir) if scenario_dir else None),
        (export_panel.ENV_RUNS_DIR, str(runs_dir) if runs_dir else None),
        (guard.ENV_SESSION_MB, f"{session_mb:g}" if session_mb else None),
        (guard.ENV_SERVER_MB, f"{server_mb:g}" if server_mb else None),
        (guard.ENV_MAX_SESSIONS, str(max_sessions) if max_sessions else None),
        (jobs.ENV_MAX_JOBS, str(max_jobs) if max_jobs else None),
        ("SOLARA_KERNEL_CULL_TIMEOUT", f"{cull_seconds:g}s" if cull_seconds else None),
    ):
        if value is not None:
            env[key] = value
    return env


def free_port(host: str = "127.0.0.1") -> int:
    """A port nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def wait_until_up(
    url: str, proc: subprocess.Popen | None = None, timeout: float = STARTUP_TIMEOUT
) -> None:
    """Poll `url` until it answers HTTP 200; raise if the server exits or never answers."""
    deadline = time.monotonic() + timeout
    while True:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"the server exited with code {proc.returncode} before answering")
        try:
            with urllib.request.urlopen(url, timeout=5) as resp:
                if resp.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
            pass
        if time.monotonic() > deadline:
            raise TimeoutError(f"no answer from {url} within {timeout:.0f} s")
        time.sleep(0.25)


def stop(proc: subprocess.Popen, grace: float = 10.0) -> None:
    """Stop the server's process group: SIGTERM, then SIGKILL after `grace` seconds."""
    if proc.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(grace)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(grace)


@contextlib.contextmanager
def serve_process(
    host: str = "127.0.0.1", port: int | None = None, log: Path | None = None, **settings: Any
) -> Iterator[tuple[str, subprocess.Popen]]:
    """Run the app's server in the background; yield its address and process; always stop
    it. `settings` go to `server_env` (params, scenario, seed, lang, view, scenario_dir,
    runs_dir, session_mb, server_mb, max_sessions, cull_seconds)."""
    port = port or free_port(host)
    env = server_env(**settings)
    out = open(log, "wb") if log is not None else subprocess.DEVNULL  # noqa: SIM115
    proc = subprocess.Popen(
        solara_command(host, port),
        env=env,
        stdout=out,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://{host}:{port}/"
    try:
        wait_until_up(url, proc)
        yield url, proc
    finally:
        stop(proc)
        if log is not None:
            out.close()


@contextlib.contextmanager
def serve(
    host: str = "127.0.0.1", port: int | None = None, log: Path | None = None, **settings: Any
) -> Iterator[str]:
    """Run the app's server in the background; yield its address; always stop it."""
    with serve_process(host, port, log, **settings) as (url, _):
        yield url


def world_overrides(parser: Any, items: list[str]) -> dict[str, Any]:
    """`--set KEY=VALUE` options of a measuring command as parameters (a bad one stops the
    command with argparse's one-line error)."""
    from sim.core.params import ScenarioError
    from sim.core.scenario import parse_override

    try:
        return dict(parse_override(s) for s in items)
    except ScenarioError as err:
        parser.error(str(err))
        raise  # parser.error exits; this line is never reached


@contextlib.contextmanager
def detached_chromium(playwright: Any, profile: Path) -> Iterator[tuple[Any, Any]]:
    """A Chromium in its own process group, driven over the DevTools protocol, that can be
    killed at once like a closed laptop: yields (browser, kill)."""
    port = free_port()
    proc = subprocess.Popen(
        [
            CHROMIUM,
            "--headless=new",
            f"--remote-debugging-port={port}",
            f"--user-data-dir={profile}",
            *CHROMIUM_ARGS,
            "about:blank",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )

    def kill() -> None:
        if proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()

    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                browser = playwright.chromium.connect_over_cdp(f"http://127.0.0.1:{port}")
                break
            except Exception:  # noqa: BLE001 - not listening yet
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        yield browser, kill
    finally:
        kill()


def chromium(playwright: Any, headless: bool = True) -> Any:
    """Launch the system Chromium through Playwright."""
    if not Path(CHROMIUM).exists():
        raise FileNotFoundError(
            f"{CHROMIUM} not found: install it with `bash scripts/setup.sh --browser` "
            "(or set SIM_CHROMIUM to a Chromium binary)"
        )
    return playwright.chromium.launch(
        executable_path=CHROMIUM, headless=headless, args=CHROMIUM_ARGS
    )


def wait_for_app(page: Any, timeout_ms: float = 120_000) -> None:
    """Wait until the app shows its step counter and has drawn the network."""
    page.locator(".step-counter").first.wait_for(timeout=timeout_ms)
    page.locator(
        ".network-chart .vega-view[data-rendered]:not([data-rendered='0']) canvas"
    ).first.wait_for(timeout=timeout_ms)


def wait_for_month(page: Any, month: int, exact: bool = False, timeout_ms: float = 120_000) -> None:
    """Wait until the network and every outcome panel show `month` (or a later one, unless
    `exact`: a month already under way when the wait began may land first)."""
    test = "Number(v.dataset.version) === m" if exact else "Number(v.dataset.version) >= m"
    page.wait_for_function(
        "m => { const views = [...document.querySelectorAll('.network-chart .vega-view, "
        ".live-plots .vega-view')]; return views.length > 1 && views.every("
        f"v => v.dataset.version !== '' && {test}); }}",
        arg=month,
        timeout=timeout_ms,
    )


def read_step(page: Any) -> int:
    """The month shown in the step counter."""
    text = page.locator(".step-counter").first.inner_text()
    return int(text.rsplit(":", 1)[1].strip())
