"""`python -m sim.validation.calibration`: calibrate, check and report, in one command.

    python -m sim.validation.calibration --out docs/validation --doc docs/VALIDATION.md

runs the history-matching waves (`history_matching`) through the sweep engine (`runs`: one
experiment per wave, stored under ``--results``, default ``results/calibration``), diagnoses
what the explored space can and cannot meet (`diagnosis`), samples the posterior
(`posterior`), runs the posterior predictive, held-out-episode and world-size checks
(`checks`) and writes into ``--out``: ``posterior.parquet`` (the draws experiments use),
``calibration.md`` and two figures (`report`); with ``--doc`` the report also replaces the
block between the calibration markers of that file. Runs are stored as they finish, so an
interrupted calibration resumes where it stopped when the same command runs again
(designs, seeds and emulator fits are deterministic). ``--scheduler ADDRESS`` (or
DASK_SCHEDULER_ADDRESS) runs the model on a Dask cluster.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from sim.core.params import ScenarioError, defaults
from sim.interfaces.cli import positive_int
from sim.runs.files import atomic_path, atomic_write_json, atomic_write_text
from sim.validation import check_doc, replace_block

from .checks import predictive_runs, predictive_table, world_size_table
from .diagnosis import diagnose
from .history_matching import CalibrationError, Settings, history_match
from .posterior import SamplerSettings, sample_posterior
from .prior import LEFT_OUT, PRIOR, REDUCED_WORLD, WHY
from .report import CalibrationResult, checks_figure, markdown_report, posterior_figure, save
from .runs import SweepSimulator
from .targets import ALL_TARGETS as TARGETS
from .targets import HELD_OUT_TARGETS as HELD_OUT
from .targets import NOT_USED

__all__ = ["DOC_BEGIN", "DOC_END", "main"]

DOC_BEGIN = "<!-- calibration:begin (written by python -m sim.validation.calibration) -->"
DOC_END = "<!-- calibration:end -->"

DEFAULT_WORLD: dict = {}
"""The world-size check's second world: the default district (no overrides)."""

EXIT_INCOMPLETE = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130


def guarded[T](
    work: Callable[[], T], results: Path, incomplete: str
) -> tuple[T | None, int | None]:
    """Run `work` (which runs the model into the stores under `results`) and return its
    result and None, or None and the exit code after one line on stderr: 2 for bad input, an
    unusable results folder or scheduler (ScenarioError); 130 when interrupted (what finished
    is stored, and the same command resumes); 1 when runs did not finish (CalibrationError,
    reported after `incomplete`)."""
    try:
        return work(), None
    except ScenarioError as err:
        print(f"error: {err}", file=sys.stderr)
        return None, EXIT_USAGE
    except KeyboardInterrupt:
        print(
            f"\ninterrupted: the runs finished so far are stored in {results}; run the "
            "same command again to resume",
            file=sys.stderr,
        )
        return None, EXIT_INTERRUPTED
    except CalibrationError as err:
        print(f"{incomplete}: {err}", file=sys.stderr)
        return None, EXIT_INCOMPLETE


def _parser() -> argparse.ArgumentParser:
    s, m = Settings(), SamplerSettings()
    p = argparse.ArgumentParser(
        prog="python -m sim.validation.calibration",
        description="Calibrate the model to its targets with uncertainty: history matching "
        "in waves with Gaussian-process emulators, a posterior sample, posterior predictive "
        "and world-size checks, and a report.",
    )
    p.add_argument(
        "--out",
        type=Path,
        required=True,
        help="folder for posterior.parquet, calibration.md and the figures",
    )
    p.add_argument(
        "--doc",
        type=Path,
        default=None,
        help="also write the report into this Markdown file between its markers",
    )
    p.add_argument(
        "--results",
        type=Path,
        default=Path("results") / "calibration",
        help="folder of the runs' stores (resumable; default results/calibration)",
    )
    p.add_argument(
        "--waves",
        type=positive_int,
        default=s.waves,
        help="most history-matching waves (fewer when a wave no longer narrows the region)",
    )
    p.add_argument("--points", type=positive_int, default=s.points, help="parameter sets per wave")
    p.add_argument(
        "--seeds",
        type=positive_int,
        default=s.seeds,
        help="runs per parameter set, each with its own seed (at least 2)",
    )
    p.add_argument(
        "--candidates",
        type=positive_int,
        default=s.candidates,
        help="prior draws screened by the emulators after each wave",
    )
    p.add_argument("--draws", type=positive_int, default=m.draws, help="posterior draws kept")
    p.add_argument(
        "--burn",
        type=positive_int,
        default=m.burn,
        help="Metropolis steps per chain before draws are kept",
    )
    p.add_argument(
        "--check-draws",
        type=positive_int,
        default=24,
        help="posterior draws run again for the predictive check",
    )
    p.add_argument(
        "--check-seeds",
        type=positive_int,
        default=2,
        help="fresh seeds per draw in the predictive check",
    )
    p.add_argument(
        "--world-draws",
        type=int,
        default=6,
        help="of the checked draws, how many also run on the default district "
        "(the world-size check; 0: none)",
    )
    p.add_argument("--steps", type=positive_int, default=120, help="months per run")
    p.add_argument("--seed", type=int, default=s.seed, help="master seed")
    p.add_argument(
        "--workers",
        type=positive_int,
        default=None,
        metavar="N",
        help="worker processes on this machine (default: one per core; 1 runs in this process)",
    )
    p.add_argument(
        "--scheduler",
        default=None,
        metavar="ADDRESS",
        help="run on this Dask scheduler (default: $DASK_SCHEDULER_ADDRESS if set "
        "and --workers is not given)",
    )
    p.add_argument(
        "--without",
        action="append",
        default=[],
        metavar="TARGET",
        help="leave this target out (repeatable), e.g. when the model cannot "
        "reproduce it together with the others; the report names it",
    )
    p.add_argument("--quiet", action="store_true", help="no progress bars")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point; returns the exit code (2 for bad input)."""
    from sim.experiments.evaluators import make_evaluator

    parser = _parser()
    args = parser.parse_args(argv)
    check_doc(parser, args.doc, DOC_BEGIN, DOC_END)
    if args.seeds < 2:
        parser.error(
            "--seeds must be at least 2 (the run-to-run variance is estimated "
            "from the seeds of each parameter set)"
        )
    if not 0 <= args.world_draws <= args.check_draws:
        parser.error(
            f"--world-draws {args.world_draws}: must be between 0 and --check-draws "
            f"({args.check_draws})"
        )
    names = [t.name for t in TARGETS]
    for name in args.without:
        if name in {t.name for t in HELD_OUT}:
            parser.error(f"--without {name}: held out of the calibration, never a target")
        if name not in names:
            parser.error(f"--without {name}: not a target (targets: {', '.join(names)})")
    if len(set(args.without)) == len(names):
        parser.error("--without: at least one target must be left")
    first_round = int(defaults()["election_first_month"])
    rounds = [t.name for t in TARGETS if t.name.startswith("round_") and t.name not in args.without]
    if rounds and args.steps < first_round:
        parser.error(
            f"--steps {args.steps}: the turnout targets read an election round, and the "
            f"first is in month {first_round}; use --steps {first_round} or more, or leave "
            "them out with --without"
        )
    settings = Settings(
        waves=args.waves,
        points=args.points,
        seeds=args.seeds,
        candidates=args.candidates,
        seed=args.seed,
    )
    sampler = SamplerSettings(draws=args.draws, burn=args.burn, seed=args.seed)
    say = (
        (lambda _: None) if args.quiet else (lambda text: print(text, file=sys.stderr, flush=True))
    )
    result, code = guarded(
        lambda: _calibrate(args, settings, sampler, make_evaluator, say),
        args.results,
        "calibration incomplete",
    )
    if code is not None:
        return code
    report = _write(args, result)
    if args.doc is not None:
        replace_block(args.doc, DOC_BEGIN, DOC_END, report)
    print(report)
    if result.match.stopped:
        print(f"calibration incomplete: {result.match.stopped}", file=sys.stderr)
        return EXIT_INCOMPLETE
    return 0


def _calibrate(
    args: argparse.Namespace, settings: Settings, sampler: SamplerSettings, make_evaluator, say
) -> CalibrationResult:
    elapsed: dict[str, float] = {}
    targets = tuple(t for t in TARGETS if t.name not in args.without)
    with make_evaluator(args.workers, args.scheduler) as evaluator:
        say(f"calibration: running on {evaluator.description}; runs stored in {args.results}")
        reduced = SweepSimulator(
            args.results, targets, REDUCED_WORLD, args.steps, evaluator, progress=not args.quiet
        )
        start = time.perf_counter()
        hm = history_match(reduced, PRIOR, targets, settings, log=say)
        elapsed["waves"] = time.perf_counter() - start
        result = CalibrationResult(
            match=hm,
            posterior=None,
            sampler=sampler,
            world=REDUCED_WORLD,
            steps=args.steps,
            elapsed=elapsed,
            left_out=tuple(args.without),
            diagnosis=diagnose(hm),
            held_out=HELD_OUT,
            not_used=NOT_USED,
            why=WHY,
            left_out_params=LEFT_OUT,
        )
        if hm.stopped:
            result.runs = reduced.runs
            return result
        start = time.perf_counter()
        result.posterior = sample_posterior(hm, sampler)
        elapsed["posterior"] = time.perf_counter() - start
        say(
            f"posterior: {len(result.posterior.draws)} draws, acceptance "
            f"{result.posterior.acceptance:.0%}"
        )
        start = time.perf_counter()
        draws = result.posterior.draws
        result.checks = predictive_runs(
            reduced, draws, PRIOR.names, args.check_draws, args.check_seeds, settings.seed
        )
        result.check_table = predictive_table(result.checks, targets, hm, draws)
        result.check_seeds = args.check_seeds
        held_out = SweepSimulator(
            args.results, HELD_OUT, REDUCED_WORLD, args.steps, evaluator, progress=not args.quiet
        )
        result.held_out_runs = predictive_runs(
            held_out, draws, PRIOR.names, args.check_draws, args.check_seeds, settings.seed
        )
        result.held_out_table = predictive_table(result.held_out_runs, HELD_OUT)
        runs = reduced.runs + held_out.runs
        if args.world_draws:
            default = SweepSimulator(
                args.results, targets, DEFAULT_WORLD, args.steps, evaluator, progress=not args.quiet
            )
            big = predictive_runs(
                default,
                draws,
                PRIOR.names,
                args.world_draws,
                args.check_seeds,
                settings.seed,
                label="check-default",
            )
            result.world_table = world_size_table(result.checks, big, targets)
            runs += default.runs
        elapsed["checks"] = time.perf_counter() - start
        result.runs = runs
    return result


def _write(args: argparse.Namespace, result: CalibrationResult) -> str:
    """Write the posterior, the report and the figures into --out and a summary of the
    calibration into --results; return the report."""
    out = args.out
    out.mkdir(parents=True, exist_ok=True)
    if result.posterior is not None:
        with atomic_path(out / "posterior.parquet") as tmp:
            result.posterior.draws.to_parquet(tmp, index=False)
        save(posterior_figure(result.match, result.posterior), out / "calibration_posterior.png")
    save(checks_figure(result.match, result.checks), out / "calibration_checks.png")
    report = markdown_report(result)
    atomic_write_text(out / "calibration.md", report)
    args.results.mkdir(parents=True, exist_ok=True)
    with atomic_path(args.results / "points.parquet") as tmp:
        result.match.points().to_parquet(tmp, index=False)
    atomic_write_json(
        args.results / "calibration.json",
        {
            "settings": vars(result.match.settings),
            "sampler": vars(result.sampler),
            "steps": result.steps,
            "world": result.world,
            "runs": result.runs,
            "elapsed_seconds": {k: round(v, 1) for k, v in result.elapsed.items()},
            "stopped": result.match.stopped,
            "settled": result.match.settled,
            "out_of_reach": result.diagnosis.out_of_reach if result.diagnosis else None,
            "cpu_count": os.cpu_count(),
            "nroy_share": [w.nroy_share for w in result.match.waves],
        },
    )
    return report


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
