"""`python -m sim scenarios [--dir DIR]`: list scenario files with their descriptions."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from sim.core.scenario import list_scenarios, scenario_dir

from . import CommandError, add_quiet_option, format_table


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "scenarios",
        help="list scenario files and their one-line descriptions",
        description="List the scenario files (*.toml) of a folder with their one-line "
        "descriptions. Run one with `python -m sim run <name>`.",
    )
    p.add_argument(
        "--dir",
        type=Path,
        default=None,
        metavar="DIR",
        help="folder to list (default: the project's scenarios/ folder)",
    )
    add_quiet_option(p, "the scenarios' names, one a line")
    p.set_defaults(func=cmd_scenarios)


def cmd_scenarios(args: argparse.Namespace) -> int:
    folder = args.dir if args.dir is not None else scenario_dir()
    if not folder.is_dir():
        raise CommandError(f"--dir {folder}: no such folder")
    found = list_scenarios(folder)
    if not found:
        print(f"no scenario files (*.toml) in {folder}", file=sys.stderr)
        return 0
    if args.quiet:
        print("\n".join(name for name, _ in found))
        return 0
    print(
        format_table(
            ((name, desc or "(no description)") for name, desc in found),
            ("scenario", "description"),
        )
    )
    return 0
