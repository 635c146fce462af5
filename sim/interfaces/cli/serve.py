"""`python -m sim serve [--port N] [--host H]`: serve the browser app
(sim/interfaces/browser/app.py).

Runs `solara run sim/interfaces/browser/app.py --production --no-open --no-check-version` with
Solara's telemetry off, in the foreground until Ctrl-C or SIGTERM, which it passes on to the server
(so no orphaned server keeps running). Options choose what every new browser session starts
from (a scenario, `--set` overrides, a seed, the language and the network view), the run
folders offered for replay, and the memory guard: a cap per session, a budget for the
server, a limit on live sessions, and how soon a session whose page has gone is released.
They are checked before the server starts.
"""

from __future__ import annotations

import argparse
import errno
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from sim.core.params import validate
from sim.core.scenario import parse_override

from . import CommandError, add_quiet_option

DEFAULT_PORT = 8765
STOP_GRACE = 10.0
"""Seconds the server has to stop after SIGTERM/SIGINT before it is killed."""


def register(subparsers: Any) -> None:
    from ..browser import guard  # light: the app itself is imported only when serving

    p = subparsers.add_parser(
        "serve",
        help="serve the browser app (network, live plots, policy levers)",
        description="Serve the browser app: the governance network, live outcome plots and "
        "every policy lever as a control. Open the printed address in a browser; every "
        "browser tab gets its own model. Stop with Ctrl-C (or SIGTERM).",
    )
    p.add_argument(
        "--port",
        type=int,
        default=DEFAULT_PORT,
        help=f"port to listen on (default {DEFAULT_PORT}; 0 = any free port)",
    )
    p.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (default 127.0.0.1: this machine only; "
        "0.0.0.0 serves the network)",
    )
    p.add_argument(
        "--scenario",
        default=None,
        metavar="FILE_OR_NAME",
        help="scenario each session starts from (default: the schema defaults)",
    )
    p.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        dest="overrides",
        help="parameter override for the starting model (repeatable), e.g. --set n_streets=3",
    )
    p.add_argument(
        "--seed", default=None, help="seed text the sessions start with (default: blank = random)"
    )
    p.add_argument(
        "--lang",
        choices=("en", "zh"),
        default="en",
        help="interface language a session starts in (default en; the page has a switch)",
    )
    p.add_argument(
        "--view",
        default="district",
        help="view a session starts in: district, map (compounds at their coordinates, or "
        "communities by street where the world has none) or street:<n> (default district)",
    )
    p.add_argument(
        "--scenario-dir",
        type=Path,
        default=None,
        metavar="DIR",
        help="folder whose scenario files the picker lists (default: scenarios/)",
    )
    p.add_argument(
        "--runs-dir",
        type=Path,
        default=None,
        metavar="DIR",
        help="folder whose run folders the page offers to replay (default: runs/)",
    )
    p.add_argument(
        "--session-memory-mb",
        type=float,
        default=guard.DEFAULT_SESSION_MB,
        metavar="MB",
        help="largest estimated memory of one session's world "
        f"(default {guard.DEFAULT_SESSION_MB}); larger worlds are refused with the reason",
    )
    p.add_argument(
        "--server-memory-mb",
        type=float,
        default=None,
        metavar="MB",
        help="memory all sessions together may reserve (default: 60%% of this "
        "machine's memory); a new session beyond it is told the server is busy",
    )
    p.add_argument(
        "--max-sessions",
        type=int,
        default=guard.DEFAULT_MAX_SESSIONS,
        metavar="N",
        help=f"live sessions at most (default {guard.DEFAULT_MAX_SESSIONS}); "
        "a new session beyond it is told the server is busy",
    )
    p.add_argument(
        "--max-jobs",
        type=int,
        default=None,
        metavar="N",
        help="comparisons and sweeps run at once, each in its own process (default: one "
        "per processor); more wait their turn",
    )
    p.add_argument(
        "--session-month-seconds",
        type=float,
        default=guard.DEFAULT_MONTH_SECONDS,
        metavar="S",
        help="longest estimated computing time of one month of a session's world "
        f"(default {guard.DEFAULT_MONTH_SECONDS:g}; building it may take ten times as long); "
        "slower worlds are refused with the reason",
    )
    p.add_argument(
        "--cull-seconds",
        type=float,
        default=guard.DEFAULT_CULL_SECONDS,
        metavar="S",
        help="seconds a session whose page has gone keeps its model "
        f"(default {guard.DEFAULT_CULL_SECONDS:g}); its play loop stops at once",
    )
    add_quiet_option(p, "the address the app is served at")
    p.set_defaults(func=cmd_serve)


def server_environment(args: argparse.Namespace) -> dict[str, str]:
    """The environment that hands the options to every browser session (validated)."""
    from ..browser import browser, controls, guard

    overrides = dict(parse_override(s) for s in args.overrides)
    validate(overrides, where="--set")
    street = args.view[7:] if args.view.startswith("street:") else None
    if args.view not in ("district", "map") and not (
        street and street.isascii() and street.isdigit() and len(street) < 10
    ):
        raise CommandError(f"--view {args.view!r}: use district, map or street:<n> (n from 0)")
    if args.scenario_dir is not None and not args.scenario_dir.is_dir():
        raise CommandError(f"--scenario-dir {args.scenario_dir}: no such folder")
    runs_dir = getattr(args, "runs_dir", None)
    if runs_dir is not None and not runs_dir.is_dir():
        raise CommandError(f"--runs-dir {runs_dir}: no such folder")
    for name in (
        "session_memory_mb",
        "server_memory_mb",
        "max_sessions",
        "cull_seconds",
        "max_jobs",
        "session_month_seconds",
    ):
        value = getattr(args, name, None)
        if value is not None and not 0 < value < float("inf"):
            flag = "--" + name.replace("_", "-")
            raise CommandError(f"{flag} {value!r}: must be a positive number")
    scenario = args.scenario
    if scenario and Path(scenario).is_file():
        scenario = str(Path(scenario).resolve())
    env = browser.server_env(
        params=overrides or None,
        scenario=scenario,
        seed=args.seed,
        lang=args.lang,
        view=args.view,
        scenario_dir=args.scenario_dir.resolve() if args.scenario_dir else None,
        runs_dir=runs_dir.resolve() if runs_dir else None,
        session_mb=getattr(args, "session_memory_mb", None),
        server_mb=getattr(args, "server_memory_mb", None),
        max_sessions=getattr(args, "max_sessions", None),
        cull_seconds=getattr(args, "cull_seconds", None),
        max_jobs=getattr(args, "max_jobs", None),
    )
    month_seconds = getattr(args, "session_month_seconds", None)
    if month_seconds is not None:
        env[guard.ENV_MONTH_SECONDS] = f"{month_seconds:g}"
    # fail now, with exit code 2, rather than in the first browser session: the world each
    # session starts with, counted in its tables if it is read from files
    settings = controls.initial_settings(env)
    district = guard.district_of(settings.world)
    refusal = guard.world_refusal(settings.params, guard.Limits.from_env(env), district=district)
    if refusal:
        raise CommandError(f"the starting world: {refusal}")
    streets = district.n_streets if district is not None else int(settings.params["n_streets"])
    if street is not None and int(street) >= streets:
        raise CommandError(
            f"--view {args.view!r}: the starting world has streets 0..{streets - 1}; "
            f"use district or street:<n> with n below {streets}"
        )
    return env


def cmd_serve(args: argparse.Namespace) -> int:
    from ..browser import browser

    if not 0 <= args.port <= 65535:
        raise CommandError(f"--port {args.port}: must be between 0 and 65535")
    check_address(args.host, args.port)
    env = server_environment(args)
    port = args.port or browser.free_port(args.host if args.host != "0.0.0.0" else "127.0.0.1")
    cmd = browser.solara_command(args.host, port)
    shown = "127.0.0.1" if args.host in ("0.0.0.0", "::") else args.host
    if args.quiet:
        print(f"http://{shown}:{port}/", flush=True)
    else:
        print(
            f"serving the app at http://{shown}:{port}/ (Ctrl-C to stop)",
            file=sys.stderr,
            flush=True,
        )
    return supervise(subprocess.Popen(cmd, env=env, cwd=os.getcwd()))


def check_address(host: str, port: int) -> None:
    """Refuse (CommandError) a host that is not an address of this machine, or a port in
    use there, before the server starts: a socket is bound and let go (nothing is sent)."""
    import socket

    # an address written as numbers is read as one, never looked up as a name
    numeric = ":" in host or re.fullmatch(r"[0-9.]+", host) is not None
    flags = socket.AI_NUMERICHOST if numeric else 0
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=flags)
    except (socket.gaierror, UnicodeError, ValueError) as err:
        raise CommandError(
            f"--host {host!r}: not an address or a name of this machine "
            f"({getattr(err, 'strerror', None) or err}); use 127.0.0.1 (this machine only) "
            "or 0.0.0.0 (every network it is on)"
        ) from None
    family, kind, proto, _, address = found[0]
    with socket.socket(family, kind, proto) as s:
        try:
            s.bind(address)
        except OSError as err:
            what = f"--port {port}" if err.errno == errno.EADDRINUSE else f"--host {host!r}"
            raise CommandError(
                f"{what}: the server cannot listen at {host}:{port} ({err.strerror})"
            ) from None


def supervise(proc: subprocess.Popen, grace: float = STOP_GRACE) -> int:
    """Wait for the server; pass SIGTERM and SIGINT on to it, and kill it if it has not
    stopped `grace` seconds later. Returns its exit code (0 when it stopped on request)."""
    asked: list[float] = []

    def forward(signum: int, _frame: Any) -> None:
        if proc.poll() is None:
            proc.send_signal(signum)
        if not asked:
            asked.append(time.monotonic())

    previous = {s: signal.signal(s, forward) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        while True:
            try:
                code = proc.wait(timeout=0.5)
                break
            except subprocess.TimeoutExpired:
                if asked and time.monotonic() - asked[0] > grace:
                    proc.kill()
                    code = proc.wait()
                    break
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
        if proc.poll() is None:  # an error in this loop must not leave the server behind
            proc.kill()
            proc.wait()
    return 0 if asked else code
