"""`python -m sim world SCENARIO --out DIR`: write the district a scenario builds as tables.

The world is built as a run would build it (the scenario's parameters, `--set` overrides,
the seed, and its `[world]` or `--world` tables, completed by the types' draws) and written
as `streets`, `communities` and `compounds` tables (docs/DATA.md) that `run --world DIR`
reads back into the same world with the same seed. `--columns` keeps only some compound
columns, so that the others are drawn again when the tables are read.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from sim.core.district import SCHEMA, district_tables
from sim.core.model import GovernanceModel
from sim.core.scenario import load_scenario, parse_override
from sim.core.state import OC_NONE
from sim.runs.district_files import FORMATS, write_district
from sim.runs.folder import check_out_dir

from . import CommandError, add_quiet_option, non_negative_int

DEFAULT_SEED = 0
COMPOUND_COLUMNS = tuple(
    c.name for c in SCHEMA["compounds"] if c.name not in ("compound", "community", "name")
)


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "world",
        help="write the district a scenario builds as tables (streets, communities, "
        "compounds) to edit and run with --world",
        description="Build the world of a scenario (drawn from its parameters, or read from "
        "its [world] or --world tables and completed) and write it as district tables "
        "(docs/DATA.md). `python -m sim run SCENARIO --world DIR --seed N` with the same "
        "scenario and seed then builds the same world.",
    )
    p.add_argument("scenario", help="scenario file (TOML), or the name of one in scenarios/")
    p.add_argument(
        "--out",
        type=Path,
        required=True,
        metavar="DIR",
        help="folder to write; must not exist or be empty",
    )
    p.add_argument(
        "--seed",
        type=non_negative_int,
        default=None,
        help="random seed (default: the scenario's seed, else 0)",
    )
    p.add_argument(
        "--world",
        type=Path,
        default=None,
        metavar="DIR",
        help="start from the district tables in DIR (filled in where they leave "
        "columns or cells empty)",
    )
    p.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a parameter (repeatable)",
    )
    p.add_argument(
        "--format", choices=FORMATS, default="csv", help="file format of the tables (default: csv)"
    )
    p.add_argument(
        "--columns",
        default=None,
        metavar="A,B,...",
        help="compound columns to write besides compound and community "
        f"(default: all: {', '.join(COMPOUND_COLUMNS)})",
    )
    add_quiet_option(p, "the paths of the tables written")
    p.set_defaults(func=cmd_world)


def cmd_world(args: argparse.Namespace) -> int:
    overrides = dict(parse_override(text) for text in args.overrides)
    scenario = load_scenario(args.scenario, overrides).with_world(args.world)
    columns = None
    if args.columns is not None:
        columns = tuple(c.strip() for c in args.columns.split(",") if c.strip())
        unknown = [c for c in columns if c not in COMPOUND_COLUMNS]
        if unknown:
            raise CommandError(
                f"--columns: {unknown[0]!r} is not a compound column; allowed: "
                + ", ".join(COMPOUND_COLUMNS)
            )
    out = check_out_dir(args.out)
    seed = (
        args.seed
        if args.seed is not None
        else (scenario.seed if scenario.seed is not None else DEFAULT_SEED)
    )
    model = GovernanceModel(
        rng=seed, timeline=scenario.timeline, district=scenario.district, **scenario.params
    )
    tables = district_tables(
        model.world, has_oc=model.compounds.oc_state != OC_NONE, columns=columns
    )
    model.remove_all_agents()
    paths = write_district(out, tables, args.format)
    w = model.world
    if not args.quiet:
        print(
            f"sim world: {w.n_streets} streets, {w.n_communities:,} communities, "
            f"{w.n_compounds:,} compounds (seed {seed})",
            file=sys.stderr,
        )
    for path in paths:
        print(path)
    return 0
