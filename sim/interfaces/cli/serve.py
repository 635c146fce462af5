"""`python -m sim serve [--port N] [--host H]`: serve the browser app (sim/interfaces/browser/app.py).

Runs `solara run sim/interfaces/browser/app.py --production --no-open --no-check-version` with Solara's
telemetry off, in the foreground until Ctrl-C. Options choose what every new browser session
starts from: a scenario, `--set` overrides, a seed, the interface language and the network
view; they are checked before the server starts.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from sim.core.params import validate
from sim.core.scenario import parse_override

from . import CommandError

DEFAULT_PORT = 8765


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "serve",
        help="serve the browser app (network, live plots, policy levers)",
        description="Serve the browser app: the governance network, live outcome plots and "
        "every policy lever as a control. Open the printed address in a browser; every "
        "browser tab gets its own model. Stop with Ctrl-C.",
    )
    p.add_argument("--port", type=int, default=DEFAULT_PORT,
                   help=f"port to listen on (default {DEFAULT_PORT}; 0 = any free port)")
    p.add_argument("--host", default="127.0.0.1",
                   help="address to listen on (default 127.0.0.1: this machine only; "
                   "0.0.0.0 serves the network)")
    p.add_argument("--scenario", default=None, metavar="FILE_OR_NAME",
                   help="scenario each session starts from (default: the schema defaults)")
    p.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", dest="overrides",
                   help="parameter override for the starting model (repeatable), "
                   "e.g. --set n_streets=3")
    p.add_argument("--seed", default=None,
                   help="seed text the sessions start with (default: blank = random)")
    p.add_argument("--lang", choices=("en", "zh"), default="en",
                   help="interface language a session starts in (default en; the page has a switch)")
    p.add_argument("--view", default="district",
                   help="network view a session starts in: district or street:<n> (default district)")
    p.add_argument("--scenario-dir", type=Path, default=None, metavar="DIR",
                   help="folder whose scenario files the picker lists (default: scenarios/)")
    p.set_defaults(func=cmd_serve)


def server_environment(args: argparse.Namespace) -> dict[str, str]:
    """The environment that hands the options to every browser session (validated)."""
    from ..browser import browser, controls

    overrides = dict(parse_override(s) for s in args.overrides)
    validate(overrides, where="--set")
    if args.view != "district" and not (args.view.startswith("street:")
                                        and args.view[7:].isdigit()):
        raise CommandError(f"--view {args.view!r}: use district or street:<n> (n from 0)")
    if args.scenario_dir is not None and not args.scenario_dir.is_dir():
        raise CommandError(f"--scenario-dir {args.scenario_dir}: no such folder")
    scenario = args.scenario
    if scenario and Path(scenario).is_file():
        scenario = str(Path(scenario).resolve())
    env = browser.server_env(params=overrides or None, scenario=scenario, seed=args.seed,
                             lang=args.lang, view=args.view,
                             scenario_dir=args.scenario_dir.resolve() if args.scenario_dir else None)
    # fail now, with exit code 2, rather than in the first browser session
    controls.initial_settings(env)
    return env


def cmd_serve(args: argparse.Namespace) -> int:
    from ..browser import browser

    if not 0 <= args.port <= 65535:
        raise CommandError(f"--port {args.port}: must be between 0 and 65535")
    env = server_environment(args)
    port = args.port or browser.free_port(args.host if args.host != "0.0.0.0" else "127.0.0.1")
    cmd = browser.solara_command(args.host, port)
    shown = "127.0.0.1" if args.host in ("0.0.0.0", "::") else args.host
    print(f"serving the app at http://{shown}:{port}/ (Ctrl-C to stop)", file=sys.stderr,
          flush=True)
    proc = subprocess.Popen(cmd, env=env, cwd=os.getcwd())
    try:
        return proc.wait()
    except KeyboardInterrupt:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        raise
