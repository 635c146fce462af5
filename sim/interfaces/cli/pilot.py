"""`python -m sim pilot SCENARIO`: evaluate a pilot against its counterfactual twin.

Runs the scenario (its reform in pilot streets, types or a share) and its twin without the
reform with the same seeds, and reports the true effect on the pilot communities, the naive
pilot-vs-rest difference and the difference-in-differences, with 95% intervals over seeds
(sim.experiments.pilot). Writes a folder: report.md, estimates.csv, per_seed.csv,
trajectories.csv, pilot.json and figures/pilot.png. Bad input exits with code 2 before any
run starts.
"""

from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path
from typing import Any

from sim.core.scenario import load_scenario, parse_override
from sim.runs.files import atomic_path, atomic_write_csv, atomic_write_json, atomic_write_text
from sim.runs.folder import check_out_dir, prepare_dir, remove_if_empty, unused_dir
from sim.runs.limits import check_run, estimate_run

from . import add_limit_options, add_quiet_option, format_table, non_negative_int, positive_int

KEY = ("true_effect", "naive", "did", "spillover")


def register(subparsers: Any) -> None:
    from sim.experiments.pilot import DEFAULT_OUTCOMES, SELECTIONS

    p = subparsers.add_parser(
        "pilot",
        help="evaluate a pilot against its counterfactual twin: true effect, naive "
        "comparison, difference-in-differences",
        description="Run a pilot scenario and its twin without the reform (same seeds) and "
        "report, with 95%% intervals over seeds, the true effect on the pilot communities, "
        "the naive pilot-vs-rest difference and the difference-in-differences, and why the "
        "evaluations miss (selection, trends, spill-over). The reform is the scenario's "
        "targeted [[policy]] entries, or those labelled --reform.",
    )
    p.add_argument("scenario", help="scenario file (TOML), or the name of one in scenarios/")
    p.add_argument(
        "--reform",
        action="append",
        default=[],
        metavar="LABEL",
        help="the [[policy]] entries (by label) that make the reform "
        "(repeatable; default: every targeted entry)",
    )
    p.add_argument(
        "--select",
        choices=SELECTIONS,
        default="as-written",
        help="how pilot streets are chosen: as the scenario targets them, or "
        "--pilots streets ranked by --rank-by in the month before the reform "
        "(strongest, weakest) or at random (default: as-written)",
    )
    p.add_argument(
        "--pilots",
        type=positive_int,
        default=2,
        metavar="N",
        help="pilot streets chosen by --select (default: 2)",
    )
    p.add_argument(
        "--rank-by",
        default="satisfaction",
        metavar="COLUMN",
        help="per-community outcome that ranks streets (default: satisfaction)",
    )
    p.add_argument(
        "--outcome",
        dest="outcomes",
        action="append",
        default=[],
        metavar="COLUMN",
        help="per-community outcome to evaluate (repeatable; "
        f"default: {', '.join(DEFAULT_OUTCOMES)})",
    )
    p.add_argument(
        "--replicates",
        type=positive_int,
        default=10,
        metavar="R",
        help="seeds (each runs the pilot and its twin; default: 10)",
    )
    p.add_argument(
        "--seed",
        type=non_negative_int,
        default=1,
        help="master seed of the replicate seeds (default: 1)",
    )
    p.add_argument(
        "--steps",
        type=positive_int,
        default=None,
        help="months per run (default: the scenario's steps, but no longer than "
        "the last month evaluated)",
    )
    p.add_argument(
        "--until",
        type=positive_int,
        default=None,
        metavar="MONTH",
        help="last month evaluated (default: the month before the next change "
        "that is not the reform, else the last month)",
    )
    p.add_argument(
        "--before",
        type=positive_int,
        default=None,
        metavar="MONTHS",
        help="months before the reform that the DiD compares with (default: 12, or all "
        "the months before the reform if fewer)",
    )
    p.add_argument(
        "--world",
        type=Path,
        default=None,
        metavar="DIR",
        help="build the world from the district tables in DIR",
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
        "--out",
        type=Path,
        default=None,
        metavar="DIR",
        help="folder to write (must not exist or be empty; default: "
        "results/pilot-<scenario>-<select>)",
    )
    p.add_argument(
        "--workers",
        type=positive_int,
        default=None,
        metavar="N",
        help="worker processes (default: one per core; 1 runs in this process)",
    )
    p.add_argument(
        "--scheduler", default=None, metavar="ADDRESS", help="run on an existing Dask scheduler"
    )
    p.add_argument("--no-figures", action="store_true", help="do not draw figures/pilot.png")
    add_quiet_option(p, "the results folder")
    add_limit_options(p, "a pilot")
    p.set_defaults(func=cmd_pilot)


def cmd_pilot(args: argparse.Namespace) -> int:
    from sim.experiments.evaluators import make_evaluator
    from sim.experiments.pilot import DEFAULT_OUTCOMES, evaluate, pilot_plan, trajectories
    from sim.experiments.pilot_report import render_report

    overrides = dict(parse_override(text) for text in args.overrides)
    scenario = load_scenario(args.scenario, overrides).with_world(args.world)
    plan = pilot_plan(
        scenario,
        labels=tuple(args.reform),
        steps=args.steps,
        until=args.until,
        before=args.before,
        select=args.select,
        pilots=args.pilots,
        rank_by=args.rank_by,
        outcomes=tuple(args.outcomes) or DEFAULT_OUTCOMES,
        replicates=args.replicates,
        seed=args.seed,
    )
    if args.out is not None:
        out = check_out_dir(args.out, "--out")
    else:
        out = unused_dir(Path("results") / f"pilot-{plan.name}-{plan.select}")
    evaluator = make_evaluator(args.workers, args.scheduler)
    # before anything is built: a pilot and its twin per seed, on the world they build
    # (counted in its tables if it has them), as many at once as there are local workers
    est = estimate_run(plan.params, plan.steps, communities=True, district=plan.district)
    runs = 2 * len(plan.seeds)
    at_once = max(1, min(evaluator.planned_workers or 1, runs))
    check_run(est, args.max_memory, args.max_hours, f"{args.scenario}: the pilot", at_once, runs)
    created = prepare_dir(out)  # an unwritable place is reported before any run
    command = "python -m sim " + shlex.join(getattr(args, "argv", ["pilot", args.scenario]))
    if not args.quiet:
        print(
            f"{plan.name}: reform from month {plan.start}, evaluated to month {plan.until}; "
            f"{len(plan.seeds)} seeds × 2 runs of {plan.steps} months",
            file=sys.stderr,
        )

    def progress(done: int, total: int) -> None:
        if not args.quiet:
            print(f"  seed {done}/{total} done", file=sys.stderr)

    try:
        with evaluator:
            pairs, per_seed, summary = evaluate(plan, evaluator, progress)
    except BaseException:
        if created:
            remove_if_empty(out)
        raise

    atomic_write_text(out / "report.md", render_report(plan, summary, per_seed, command))
    atomic_write_csv(out / "estimates.csv", summary)
    atomic_write_csv(out / "per_seed.csv", per_seed)
    paths = trajectories(pairs, plan)
    atomic_write_csv(out / "trajectories.csv", paths)
    atomic_write_json(
        out / "pilot.json",
        {**plan.to_dict(), "command": command, "estimates": summary.to_dict("records")},
    )
    if not args.no_figures:
        from sim.experiments.pilot_report import figure

        (out / "figures").mkdir(exist_ok=True)
        with atomic_path(out / "figures" / "pilot.png") as tmp:
            figure(plan, paths, summary).savefig(tmp, format="png")
    if args.quiet:
        print(out)
        return 0
    print(f"Wrote {out}/")
    print()
    print(estimates_table(summary))
    return 0


def estimates_table(summary) -> str:
    """Aligned table: one row per outcome, the key estimates with their intervals."""
    from sim.experiments.analysis.text import fmt_ci

    rows = []
    for outcome, g in summary.groupby("outcome", sort=False):
        cells = []
        for name in KEY:
            r = g[g["estimate"] == name].iloc[0]
            cells.append(fmt_ci(r["mean"], r["low"], r["high"]))
        rows.append((outcome, *cells))
    return format_table(
        rows,
        ("outcome", "true effect", "naive (pilots - rest)", "diff-in-diff", "spill-over (rest)"),
    )
