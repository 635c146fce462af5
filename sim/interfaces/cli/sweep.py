"""`python -m sim sweep EXPERIMENT.toml`: run an experiment's design × replicates, resumably.

Runs in parallel on all cores by default (a Dask LocalCluster of single-threaded worker
processes), on an existing Dask cluster with `--scheduler ADDRESS` (or the standard
DASK_SCHEDULER_ADDRESS variable), or in this process with `--workers 1`. Results go to
`results/<experiment>/` (see sim.experiments.store). Running the same command again skips runs already
stored; `--retry-failed` also re-runs the failed ones. The whole definition is validated
before anything starts: bad input exits with code 2 and one message.
"""

from __future__ import annotations

import argparse
import shlex
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from . import positive_int

EXIT_FAILED_RUNS = 1
EXIT_INTERRUPTED = 130
COMPACT_ABOVE = 100
"""Part files above which a finished sweep compacts its store into one part."""


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "sweep",
        help="run an experiment (design × replicates) in parallel, resumably",
        description="Run every arm of an experiment with every replicate seed (common "
        "random numbers: replicate i has the same seed in every arm). Default: a local "
        "Dask cluster with one worker process per core. Results are appended to "
        "results/<experiment>/ as Parquet parts; running the same command again skips "
        "what is stored. Then: python -m sim report results/<experiment>.",
    )
    p.add_argument("experiment", type=Path, help="experiment file (TOML), e.g. "
                   "experiments/devolution_capacity.toml")
    p.add_argument("--workers", type=positive_int, default=None, metavar="N",
                   help="worker processes of the local cluster (default: one per core); "
                   "1 runs in this process without Dask (for debugging)")
    p.add_argument("--scheduler", default=None, metavar="ADDRESS",
                   help="connect to a running Dask scheduler, e.g. tcp://10.0.0.5:8786 "
                   "(default: $DASK_SCHEDULER_ADDRESS if set and --workers is not given)")
    p.add_argument("--out", type=Path, default=None, metavar="DIR",
                   help="results folder (default: results/<experiment name>)")
    p.add_argument("--retry-failed", action="store_true",
                   help="also re-run runs stored as failed (OK runs are never re-run)")
    p.add_argument("--batch-size", type=positive_int, default=None, metavar="K",
                   help="runs per task and per stored part (default: about ten tasks per "
                   "worker, at most 25 runs each)")
    p.add_argument("--replicates", type=positive_int, default=None, metavar="R",
                   help="replicates per arm (overrides the file; more replicates keep the "
                   "existing ones)")
    p.add_argument("--steps", type=positive_int, default=None, metavar="S",
                   help="months per run (overrides the file; new steps mean new runs)")
    p.add_argument("--dry-run", action="store_true",
                   help="validate the experiment and show what would run, run nothing")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_sweep)


def cmd_sweep(args: argparse.Namespace) -> int:
    from sim import __version__
    from sim.experiments.definition import load_sweep
    from sim.experiments.design import make_design
    from sim.experiments.engine import execute
    from sim.experiments.evaluators import make_evaluator
    from sim.experiments.plan import describe_plan, plan_runs, plan_table
    from sim.experiments.store import RunStore

    defn = load_sweep(args.experiment, replicates=args.replicates, steps=args.steps)
    design = make_design(defn)
    specs = plan_runs(defn, design)
    out_dir = args.out if args.out is not None else Path("results") / defn.name
    say = _printer(args.quiet)
    say(f"{defn.name}: {describe_plan(defn, design)}")

    if args.dry_run:
        status = RunStore(out_dir).statuses()
        keys = {s.key for s in specs}
        ok = sum(status.get(k) == "ok" for k in keys)
        failed = sum(status.get(k) == "failed" for k in keys)
        print(f"{len(keys)} distinct runs; stored in {out_dir}: {ok} ok, {failed} failed; "
              f"would run {len(keys) - ok - (0 if args.retry_failed else failed)}")
        return 0

    store = RunStore.create(out_dir)
    started = datetime.now(UTC)
    with store.lock():
        info = {**defn.to_dict(), "command": _command(args)}
        store.save_definition(defn.text, info, design.table, plan_table(specs))
        evaluator = make_evaluator(args.workers, args.scheduler)
        with evaluator:
            say(f"running on {evaluator.description}; results in {out_dir}")
            outcome = execute(defn, design, store, evaluator, retry_failed=args.retry_failed,
                              batch_size=args.batch_size, progress=not args.quiet)
        planned_keys = {s.key for s in specs}
        other = sum(1 for k in store.statuses() if k not in planned_keys)
        store.log_session({
            "started": started.isoformat(timespec="seconds"),
            "wall_seconds": round(outcome.elapsed, 3),
            "evaluator": outcome.evaluator,
            "workers": evaluator.n_workers,
            "model_version": __version__,
            "command": _command(args),
            "planned": outcome.planned, "distinct": outcome.unique,
            "already_ok": outcome.stored_ok, "already_failed": outcome.stored_failed,
            "ran": outcome.ok + outcome.failed, "ok": outcome.ok, "failed": outcome.failed,
            "resubmitted_alone": outcome.resubmitted, "interrupted": outcome.interrupted,
        })
        if not outcome.interrupted and store.part_count() > COMPACT_ABOVE:
            store.compact()

    still_failed = 0 if args.retry_failed else outcome.stored_failed  # not re-run this time
    failed_total = still_failed + outcome.failed
    print(f"{defn.name}: {outcome.unique} distinct runs: {outcome.stored_ok} already stored, "
          f"{outcome.ok} ok and {outcome.failed} failed now"
          + (f", {outcome.resubmitted} re-submitted alone after a worker died"
             if outcome.resubmitted else "")
          + f" ({outcome.elapsed:.1f} s)")
    if other:
        print(f"{out_dir}: also holds {other} runs not in this plan (earlier definitions or "
              "model code; the report ignores them)")
    for arm, error in outcome.failures[:5]:
        print(f"  failed: arm {arm}: {error.splitlines()[0] if error else ''}", file=sys.stderr)
    if outcome.interrupted:
        print(f"interrupted: {outcome.ok + outcome.failed} runs of this session are stored in "
              f"{out_dir}; run the same command again to resume", file=sys.stderr)
        return EXIT_INTERRUPTED
    if failed_total:
        print(f"{failed_total} runs failed (error and traceback stored in {out_dir}/runs); "
              "re-run them with --retry-failed", file=sys.stderr)
    missing = outcome.unique - outcome.stored_ok - outcome.ok - failed_total
    if missing > 0:
        print(f"{missing} runs not done yet; run the same command again", file=sys.stderr)
    print(f"report: python -m sim report {_quote(out_dir)}")
    return EXIT_FAILED_RUNS if failed_total else 0


def _printer(quiet: bool):
    def say(text: str) -> None:
        if not quiet:
            print(text, flush=True)

    return say


def _command(args: argparse.Namespace) -> str:
    argv = getattr(args, "argv", None)
    if argv is None:
        return ""
    return "python -m sim " + " ".join(shlex.quote(a) for a in argv)


def _quote(path: Path) -> str:
    return shlex.quote(str(path))


def main(argv: list[str] | None = None) -> int:
    """Run the sweep command on its own (same behaviour as `python -m sim sweep ...`)."""
    from .main import main as cli_main

    return cli_main(["sweep", *(sys.argv[1:] if argv is None else argv)])
