"""`python -m sim screen experiments/screen.toml`: what sets the sign of each policy's effect.

Runs the policy screen of a screen definition (sim.experiments.screen) in its five stages —
every factor at both ends of its range, the effect at the default values, the same at the
reference settings, a Morris design over every screened parameter, and the range ends and
maps of each contrast's candidates — through
the sweep engine, resumably (running the same command again skips what is stored), then
writes the report "What sets the sign" (Markdown and one figure per contrast), with `--doc`
the same report between the markers of a document, and with `--summary-doc` a one-table
summary (each policy's effect, what flips it, its five most decisive factors and their basis)
between the summary markers of a guide:

    python -m sim screen experiments/screen.toml \\
        --report docs/experiments/what_sets_the_sign --doc docs/experiments/what_sets_the_sign.md \\
        --summary-doc docs/EXPERIMENTS.md

Like `sweep`, it runs on all cores by default, on a Dask cluster with `--scheduler`, or in
this process with `--workers 1`. Bad input exits with code 2 and one message, before anything
runs.
"""

from __future__ import annotations

import argparse
import os
import shlex
import sys
from pathlib import Path
from typing import Any

from sim.experiments.evaluators import CONNECT_TIMEOUT, NO_WORKERS_TIMEOUT

from . import add_limit_options, add_quiet_option, interrupts, positive_float, positive_int

EXIT_INCOMPLETE = 1


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "screen",
        help="what sets the sign: screen every policy's paired effect over every parameter",
        description="Screen the paired effect of each policy contrast of a screen definition "
        "over every parameter that is not a lever (Morris elementary effects through the "
        "sweep engine), measure the effect at both ends of the most decisive parameters' "
        "ranges, map it over the two most decisive, and write the report 'What sets the "
        "sign'. Resumable: running the same command again skips what is stored.",
    )
    p.add_argument("definition", type=Path, help="screen definition, e.g. experiments/screen.toml")
    p.add_argument(
        "--out",
        type=Path,
        default=None,
        metavar="DIR",
        help="results folder (default: results/<definition name>)",
    )
    p.add_argument(
        "--report",
        type=Path,
        default=None,
        metavar="DIR",
        help="folder for report.md and the figures (default: <out>/report)",
    )
    p.add_argument(
        "--doc",
        type=Path,
        default=None,
        metavar="FILE",
        help="also write the report into FILE between its markers "
        "(<!-- screen:begin ... --> ... <!-- screen:end -->)",
    )
    p.add_argument(
        "--summary-doc",
        type=Path,
        default=None,
        metavar="FILE",
        help="also write a one-table summary per policy into FILE between its markers "
        "(<!-- screen-summary:begin ... --> ... <!-- screen-summary:end -->)",
    )
    p.add_argument(
        "--report-only",
        action="store_true",
        help="run nothing: write the report from the stored runs (every stage must be complete)",
    )
    p.add_argument(
        "--dry-run",
        action="store_true",
        help="validate the definition and show each stage's runs and expected time",
    )
    for flag, what in (
        ("--trajectories", "Morris trajectories (overrides [design])"),
        ("--seeds", "paired seeds at the default point, range ends and maps (overrides [design])"),
        ("--candidates", "factors per contrast whose range ends are run (overrides [design])"),
        ("--steps", "months per run (overrides the definition; new months mean new runs)"),
    ):
        p.add_argument(flag, type=positive_int, default=None, metavar="N", help=what)
    p.add_argument(
        "--workers",
        type=positive_int,
        default=None,
        metavar="N",
        help="worker processes of the local cluster (default: one per core); 1 runs in this "
        "process without Dask",
    )
    p.add_argument(
        "--scheduler",
        default=None,
        metavar="ADDRESS",
        help="connect to a running Dask scheduler (default: $DASK_SCHEDULER_ADDRESS if set "
        "and --workers is not given)",
    )
    p.add_argument(
        "--connect-timeout",
        type=positive_float,
        default=CONNECT_TIMEOUT,
        metavar="SECONDS",
        help=f"give up if the scheduler does not answer in time (default {CONNECT_TIMEOUT:g})",
    )
    p.add_argument(
        "--no-workers-timeout",
        type=positive_float,
        default=NO_WORKERS_TIMEOUT,
        metavar="SECONDS",
        help="stop when the cluster has had no workers this long while runs wait "
        f"(default {NO_WORKERS_TIMEOUT:g})",
    )
    add_quiet_option(p, "the report's folder")
    p.add_argument(
        "--progress", action="store_true", help="show the progress bar even when not a terminal"
    )
    add_limit_options(p, "a screen")
    p.set_defaults(func=cmd_screen)


def _command(args: argparse.Namespace) -> str:
    argv = getattr(args, "argv", None) or []
    return "python -m sim " + " ".join(shlex.quote(a) for a in argv)


def _estimates(defn: Any) -> dict[str, tuple[int, float]]:
    """Stage → (runs, estimated computing seconds)."""
    from sim.experiments.screen_pipeline import planned_runs
    from sim.runs.limits import estimate_run

    runs = planned_runs(defn)
    per_run = {
        "reference": estimate_run(defn.reference_base, defn.reference_steps).seconds,
    }
    normal = estimate_run(defn.base, defn.steps).seconds
    return {k: (n, n * per_run.get(k, normal)) for k, n in runs.items()}


def cmd_screen(args: argparse.Namespace) -> int:
    from sim.experiments.evaluators import make_evaluator
    from sim.experiments.screen import load_screen
    from sim.runs.limits import (
        check_hours,
        check_memory,
        default_memory_limit,
        estimate_run,
        format_duration,
    )
    from sim.validation import check_doc

    defn = load_screen(
        args.definition,
        trajectories=args.trajectories,
        seeds=args.seeds,
        candidates=args.candidates,
        steps=args.steps,
    )
    check_doc(_doc_parser(args), args.doc, *_markers())
    check_doc(_doc_parser(args), args.summary_doc, *_summary_markers())
    out = args.out if args.out is not None else Path("results") / defn.name
    report_dir = args.report if args.report is not None else out / "report"
    say = (lambda text: None) if args.quiet else (lambda text: print(text, flush=True))

    estimates = _estimates(defn)
    total = sum(s for _, s in estimates.values())
    say(
        f"{defn.name}: {len(defn.contrasts)} contrasts over {len(defn.arms)} arms; "
        f"{len(defn.screened)} parameters in {len(defn.factors)} factors, "
        f"{len(defn.excluded)} not screened"
    )
    if args.dry_run:
        for stage, (n, seconds) in estimates.items():
            bound = "at most " if stage == "ends" else ""
            print(f"  {stage:9s} {bound}{n:,} runs, about {format_duration(seconds)} of computing")
        print(
            f"  total     about {format_duration(total)} of computing: "
            + ", ".join(f"{format_duration(total / w)} on {w} workers" for w in (2, 16, 64))
        )
        return 0

    evaluator = None
    if not args.report_only:
        evaluator = make_evaluator(
            args.workers,
            args.scheduler,
            connect_timeout=args.connect_timeout,
            no_workers_timeout=args.no_workers_timeout,
        )
        workers = evaluator.planned_workers or 1
        limit = args.max_memory or default_memory_limit()
        for base, steps, what in (
            (defn.base, defn.steps, "a run of the screen"),
            (defn.reference_base, defn.reference_steps, "a run of the reference check"),
        ):
            check_memory(estimate_run(base, steps), limit, copies=workers, what=what)
        check_hours(
            total / workers,
            args.max_hours,
            f"{defn.path}: the screen on {workers} worker{'s' if workers != 1 else ''}",
        )
    results = _run(args, defn, out, evaluator, say)
    if results is None:
        return interrupts.exit_code() if interrupts.received() else EXIT_INCOMPLETE
    return _write(args, results, report_dir)


def _run(args: argparse.Namespace, defn: Any, out: Path, evaluator: Any, say: Any) -> Any:
    """Run (or, with --report-only, read) the screen; None if it did not finish."""
    from sim.experiments.screen_pipeline import read_screen, run_screen
    from sim.experiments.screen_runs import ScreenIncomplete

    try:
        if evaluator is None:
            return read_screen(defn, out)
        with evaluator:
            say(f"running on {evaluator.description}; results in {out}")
            return run_screen(
                defn,
                out,
                evaluator,
                progress=bool(args.progress or (not args.quiet and sys.stderr.isatty())),
                command=_command(args),
                say=say,
            )
    except ScreenIncomplete as err:
        if evaluator is None:
            from . import CommandError

            raise CommandError(f"{out}: {err}") from None
        print(str(err), file=sys.stderr)
        return None


def _write(args: argparse.Namespace, results: Any, report_dir: Path) -> int:
    from sim.experiments.screen_report import write_report
    from sim.validation import replace_block

    path, block = write_report(results, report_dir, _command(args), args.doc)
    print(f"wrote {path}")
    if args.doc is not None and block is not None:
        replace_block(args.doc, *_markers(), block)
        print(f"wrote the report into {args.doc}")
    if args.summary_doc is not None:
        from sim.experiments.screen_report import render_summary

        full = args.doc if args.doc is not None else path
        link = os.path.relpath(full.resolve(), args.summary_doc.resolve().parent)
        replace_block(
            args.summary_doc,
            *_summary_markers(),
            render_summary(results, link.replace(os.sep, "/")),
        )
        print(f"wrote the summary into {args.summary_doc}")
    return 0


def _markers() -> tuple[str, str]:
    from sim.experiments.screen_report import DOC_BEGIN, DOC_END

    return DOC_BEGIN, DOC_END


def _summary_markers() -> tuple[str, str]:
    from sim.experiments.screen_report import SUMMARY_BEGIN, SUMMARY_END

    return SUMMARY_BEGIN, SUMMARY_END


def _doc_parser(args: argparse.Namespace) -> argparse.ArgumentParser:
    """A parser whose `error` exits with code 2 naming the command (for `check_doc`)."""
    return argparse.ArgumentParser(prog="python -m sim screen")
