"""`python -m sim world SCENARIO --out DIR`: write the district a scenario builds as tables.

The world is built as a run would build it (the scenario's parameters, `--set` overrides,
the seed, and its `[world]` or `--world` tables, completed by the types' draws) and written
as `streets`, `communities` and `compounds` tables (docs/DATA.md) that `run --world DIR`
reads back into the same world with the same seed. `--columns` keeps only some compound
columns, so that the others are drawn again when the tables are read.

`python -m sim world --from-listings FILE --district NAME --out DIR` instead makes a
district's tables from public listings of residential compounds (sim.runs.listings,
docs/DATA.md) and prints what it derived, every default it used and every record it could
not use; the same report is written beside the tables.
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
from sim.runs.files import atomic_write_text
from sim.runs.folder import check_out_dir, prepare_dir, remove_if_empty
from sim.runs.limits import check_run, estimate_run

from . import (
    CommandError,
    add_limit_options,
    add_quiet_option,
    non_negative_int,
    positive_float,
    positive_int,
)

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
    p.add_argument(
        "scenario",
        nargs="?",
        default=None,
        help="scenario file (TOML), or the name of one in scenarios/ (not with --from-listings)",
    )
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
    add_limit_options(p, "a world")
    listings = p.add_argument_group(
        "from public listings",
        "make a district's tables from listings of residential compounds (docs/DATA.md)",
    )
    listings.add_argument(
        "--from-listings",
        type=Path,
        default=None,
        metavar="FILE",
        help="a listings file (JSON, as data/链家/<city>小区.json of anyuhanfei/community_dict)",
    )
    listings.add_argument(
        "--district",
        default=None,
        metavar="NAME",
        help="the district as the listings' address chains name it, e.g. 武侯",
    )
    listings.add_argument(
        "--streets",
        type=positive_int,
        default=None,
        metavar="N",
        help="group the district's business areas into N streets (default: one per area)",
    )
    listings.add_argument(
        "--community-households",
        type=positive_float,
        default=None,
        metavar="H",
        help="listed households per derived community "
        "(default: 6825, Wuhou's 2020 size; docs/DATA.md)",
    )
    p.set_defaults(func=cmd_world)


def parse_columns(text: str) -> tuple[str, ...]:
    """The compound columns `--columns` names (comma-separated); CommandError unless it
    names at least one, each a compound column."""
    columns = tuple(c.strip() for c in text.split(",") if c.strip())
    unknown = [c for c in columns if c not in COMPOUND_COLUMNS]
    if unknown:
        raise CommandError(
            f"--columns: {unknown[0]!r} is not a compound column; allowed: "
            + ", ".join(COMPOUND_COLUMNS)
        )
    if not columns:
        raise CommandError(
            f"--columns {text!r}: names no column; give compound columns separated by "
            f"commas ({', '.join(COMPOUND_COLUMNS)}), or leave the flag out to write all"
        )
    return columns


def cmd_world(args: argparse.Namespace) -> int:
    if args.from_listings is not None:
        return cmd_from_listings(args)
    used = [f for f in ("district", "streets", "community_households") if getattr(args, f)]
    if used:
        raise CommandError(
            f"--{used[0].replace('_', '-')} belongs to --from-listings, which is not given"
        )
    if args.scenario is None:
        raise CommandError(
            "world: give a scenario (or --from-listings FILE --district NAME); "
            "see python -m sim world --help"
        )
    overrides = dict(parse_override(text) for text in args.overrides)
    scenario = load_scenario(args.scenario, overrides).with_world(args.world)
    columns = None if args.columns is None else parse_columns(args.columns)
    out = check_out_dir(args.out, "--out")
    seed = (
        args.seed
        if args.seed is not None
        else (scenario.seed if scenario.seed is not None else DEFAULT_SEED)
    )
    # before anything is built: the world it builds, counted in its tables if it has them
    est = estimate_run(scenario.params, 0, district=scenario.district)
    check_run(est, args.max_memory, args.max_hours, f"{args.scenario}: the world")
    created = prepare_dir(out)  # an unwritable place is reported before the world is built
    try:
        model = GovernanceModel(
            rng=seed, timeline=scenario.timeline, district=scenario.district, **scenario.params
        )
        tables = district_tables(
            model.world, has_oc=model.compounds.oc_state != OC_NONE, columns=columns
        )
        model.remove_all_agents()
        paths = write_district(out, tables, args.format)
    except BaseException:
        if created:
            remove_if_empty(out)
        raise
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


def cmd_from_listings(args: argparse.Namespace) -> int:
    """Tables of one district made from a listings file, and the report of how."""
    from sim.core.district import district_from_tables
    from sim.runs import listings as L

    clash = [
        flag
        for flag, given in (
            ("scenario", args.scenario is not None),
            ("--world", args.world is not None),
            ("--set", bool(args.overrides)),
            ("--seed", args.seed is not None),
            ("--columns", args.columns is not None),
        )
        if given
    ]
    if clash:
        raise CommandError(
            f"--from-listings makes tables from a listings file and takes no {clash[0]}"
        )
    if not args.district:
        raise CommandError("--from-listings needs --district NAME (e.g. --district 武侯)")
    out = check_out_dir(args.out, "--out")
    records = L.read_listings(args.from_listings)
    per_community = args.community_households or L.COMMUNITY_HOUSEHOLDS
    conversion = L.listings_district(
        records,
        args.district,
        streets=args.streets,
        community_households=per_community,
        source=args.from_listings.name,
    )
    district_from_tables(conversion.tables)  # they read back as a district
    lines = conversion.report.lines()
    created = prepare_dir(out)
    try:
        paths = write_district(out, conversion.tables, args.format)
        report = atomic_write_text(out / "listings_report.txt", "\n".join(lines) + "\n")
    except BaseException:
        if created:
            remove_if_empty(out)
        raise
    if not args.quiet:
        print("\n".join(lines), file=sys.stderr)
    for path in [*paths, report]:
        print(path)
    return 0
