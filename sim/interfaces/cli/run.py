"""`python -m sim run SCENARIO.toml`: run one scenario and write a run folder.

Seed: `--seed`, else the scenario's `seed`, else 0. Steps: `--steps`, else the scenario's
`steps`, else 120. World: `--world DIR` (a folder of district tables, docs/DATA.md), else the
scenario's `[world]`, else drawn from the parameters. The run folder (default
`runs/<scenario>-seed<N>-<YYYYmmdd-HHMMSS>/`) is described in sim.runs.folder; an existing
non-empty `--out` is refused before the run starts.
"""

from __future__ import annotations

import argparse
import contextlib
import shlex
import sys
import tomllib
from datetime import datetime
from pathlib import Path
from typing import Any

from sim.core.metrics import OUTCOMES
from sim.core.scenario import DEFAULT_STEPS, Scenario, load_scenario, parse_override
from sim.runs import folder as store
from sim.runs.by_type import by_type, wide_by_type
from sim.runs.limits import check_hours, check_memory, default_memory_limit, estimate_run
from sim.runs.runner import SUMMARY_WINDOW, run

from . import (
    add_limit_options,
    add_quiet_option,
    format_table,
    non_negative_int,
    positive_int,
)

DEFAULT_SEED = 0

KEY_OUTCOMES = (
    "satisfaction_mean",
    "needs_met",
    "needs_met_vulnerable",
    "participation_rate",
    "disputes_escalated",
    "fee_collection",
    "oc_functioning_share",
    "absorption_rate",
    "admin_burden_share",
)
"""Outcomes shown in the summary table printed after a run."""


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "run",
        help="run one scenario and write a run folder (tables, parameters, figures)",
        description="Run one scenario and write a run folder: series.parquet, "
        "communities.parquet, compounds.parquet, by_type.parquet, summary.json, "
        "params.toml, run.json and figures/*.png. "
        "Seed: --seed, else the scenario's `seed`, else 0. Steps: --steps, else the "
        f"scenario's `steps`, else {DEFAULT_STEPS}.",
    )
    p.add_argument("scenario", help="scenario file (TOML), or the name of one in scenarios/")
    p.add_argument(
        "--seed",
        type=non_negative_int,
        default=None,
        help="random seed (default: the scenario's seed, else 0)",
    )
    p.add_argument(
        "--steps",
        type=positive_int,
        default=None,
        help=f"months to simulate (default: the scenario's steps, else {DEFAULT_STEPS})",
    )
    p.add_argument(
        "--out",
        type=Path,
        default=None,
        metavar="DIR",
        help="run folder to create; must not exist or be empty "
        "(default: runs/<scenario>-seed<N>-<YYYYmmdd-HHMMSS>)",
    )
    p.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a parameter (repeatable); the value is read as TOML, "
        "e.g. --set devolution_share=0.6 --set volunteer_platform=true",
    )
    p.add_argument(
        "--world",
        type=Path,
        default=None,
        metavar="DIR",
        help="build the world from the district tables in DIR (streets, "
        "communities, compounds as .csv or .parquet; docs/DATA.md) instead of "
        "the scenario's [world] or a drawn one",
    )
    p.add_argument(
        "--csv",
        action="store_true",
        help="also write every table as CSV (series, communities, compounds, by_type)",
    )
    p.add_argument(
        "--community-period",
        type=positive_int,
        default=1,
        metavar="N",
        help="keep the per-community table every N months (and the final month); default 1",
    )
    p.add_argument(
        "--figures",
        choices=("overview", "all", "none"),
        default="overview",
        help="figures/*.png to draw: the key outcomes on one page (overview, the default, "
        "a fraction of a second), every figure (all, a few seconds) or none",
    )
    p.add_argument("--no-figures", action="store_true", help="the same as --figures none")
    add_quiet_option(p, "the run folder")
    p.add_argument(
        "--progress",
        action="store_true",
        help="show the progress bar on stderr even when it is not a terminal",
    )
    add_limit_options(p, "a run")
    p.set_defaults(func=cmd_run)


def cmd_run(args: argparse.Namespace) -> int:
    overrides = dict(parse_override(text) for text in args.overrides)
    scenario = load_scenario(args.scenario, overrides).with_world(args.world)
    seed, seed_from = _pick(args.seed, scenario.seed, DEFAULT_SEED)
    steps, steps_from = _pick(
        args.steps, scenario.steps if _sets_steps(scenario) else None, DEFAULT_STEPS
    )
    # before anything is built: the world it builds, counted in its tables if it has them
    est = estimate_run(scenario.params, steps, communities=True, district=scenario.district)
    check_memory(est, args.max_memory or default_memory_limit(), what=f"{args.scenario}: the run")
    check_hours(
        est.seconds,
        args.max_hours,
        f"{args.scenario}: {steps:,} months ({steps_from}) of {est.sizes()}",
    )
    started = datetime.now().astimezone()
    if args.out is not None:
        out = store.check_out_dir(args.out, "--out")  # refuse before spending time on the run
    else:
        out = store.default_run_dir(scenario.name, seed, when=started)
    created = store.prepare_dir(out)  # an unwritable place is reported before any time is spent

    show_bar = args.progress or (not args.quiet and sys.stderr.isatty())
    bar = _progress_bar(steps, f"{scenario.name} seed {seed}") if show_bar else None
    try:
        result = run(
            scenario.params,
            seed,
            steps,
            communities=True,
            progress=(lambda done, total: bar.update(1)) if bar else None,
            timeline=scenario.timeline,
            district=scenario.district,
        )
    except BaseException:
        if created:  # leave no empty folder behind a failed or interrupted run
            store.remove_if_empty(out)
        raise
    finally:
        if bar is not None:
            bar.close()
    if args.community_period > 1:
        for name in ("communities", "compounds"):
            c = getattr(result, name)
            if c is not None:
                keep = (c["step"] % args.community_period == 0) | (c["step"] == steps)
                setattr(result, name, c[keep].reset_index(drop=True))
    meta = result.meta
    if not args.quiet:
        print(
            f"sim run: {steps} months in {result.elapsed:.1f} s ({meta.get('residents', 0):,} "
            f"residents, {meta.get('communities', 0):,} communities)",
            file=sys.stderr,
        )

    info = {
        "seed_from": seed_from,
        "steps_from": steps_from,
        "community_period": args.community_period,
        "world_from": "command line"
        if args.world is not None
        else ("scenario" if scenario.world is not None else "drawn"),
        "command": "python -m sim " + shlex.join(getattr(args, "argv", ["run", args.scenario])),
    }
    try:
        out = _write(out, result, scenario, args, started, info)
    except OSError as err:
        print(
            f"error: could not write the run folder {out}: {err}; it is incomplete (no run.json)",
            file=sys.stderr,
        )
        return 1
    if args.quiet:
        print(out)
        return 0
    print(f"Wrote {out}/")
    print()
    print(summary_table(result.summary, window=min(SUMMARY_WINDOW, steps)))
    print()
    window = min(SUMMARY_WINDOW, steps)
    print(type_table(by_type(result.compounds, result.communities, window), window))
    return 0


def _pick(flag: int | None, from_scenario: int | None, default: int) -> tuple[int, str]:
    """Precedence: command-line flag, scenario file, built-in default."""
    if flag is not None:
        return int(flag), "command line"
    if from_scenario is not None:
        return int(from_scenario), "scenario"
    return default, "default"


def _sets_steps(scenario: Scenario) -> bool:
    """Whether a file of the scenario's chain sets `steps` (Scenario.steps has a default)."""
    for file in scenario.files:
        with contextlib.suppress(OSError, tomllib.TOMLDecodeError):
            if "steps" in tomllib.loads(Path(file).read_text(encoding="utf-8-sig")):
                return True
    return False


def _progress_bar(total: int, desc: str):
    import shutil

    from tqdm import tqdm

    # a terminal that reports no size (0 x 0) would make tqdm draw nothing: fall back to 80x24
    size = shutil.get_terminal_size()
    return tqdm(
        total=total,
        desc=desc,
        unit="month",
        file=sys.stderr,
        leave=False,
        ncols=size.columns,
        nrows=size.lines,
    )


def _write(out: Path, result, scenario, args, started, info) -> Path:
    """Write the run folder. If the folder was filled by someone else while the model ran,
    write beside it instead of losing the run."""
    try:
        store.check_out_dir(out)
    except store.RunFolderError:
        taken, out = out, store.unused_dir(out)
        print(
            f"warning: {taken} was filled while the model ran; writing to {out} instead",
            file=sys.stderr,
        )
    try:
        return store.write_run(
            out,
            result,
            scenario,
            csv=args.csv,
            figures="none" if args.no_figures else args.figures,
            started=started,
            info=info,
        )
    except KeyboardInterrupt:
        print(
            f"\ninterrupted while writing {out}: the folder is incomplete (no run.json)",
            file=sys.stderr,
        )
        raise


def summary_table(
    summary: dict[str, float], names: tuple[str, ...] = KEY_OUTCOMES, window: int = SUMMARY_WINDOW
) -> str:
    """Aligned table of key outcomes: final month and mean of the last `window` months."""
    rows = []
    for name in names:
        final, mean = summary.get(f"final_{name}"), summary.get(f"mean_{name}")
        if final is None:
            continue
        rows.append((name, _num(final), _num(mean), OUTCOMES.get(name, "")))
    headers = ("outcome", "final month", f"mean of last {window}", "meaning")
    return format_table(rows, headers, align="lrrl")


def type_table(table, window: int = SUMMARY_WINDOW) -> str:
    """The by-type table as two aligned text tables (compound types, community types)."""
    parts = []
    for level in ("compound", "community"):
        wide = wide_by_type(table, level)
        if wide.empty:
            continue
        outcomes = [c for c in wide.columns if c not in ("units", "residents")]
        rows = [
            (t, f"{int(r['units']):,}", f"{int(r['residents']):,}", *[_num(r[o]) for o in outcomes])
            for t, r in wide.iterrows()
        ]
        unit = "compounds" if level == "compound" else "communities"
        parts.append(
            f"by {level} type (mean of the last {window} months):\n"
            + format_table(
                rows,
                (f"{level} type", unit, "residents", *outcomes),
                align="l" + "r" * (2 + len(outcomes)),
            )
        )
    return "\n\n".join(parts)


def _num(x: float | None) -> str:
    if x is None or x != x:
        return "n/a"
    return f"{x:,.3f}" if abs(x) < 1000 else f"{x:,.0f}"
