"""`python -m sim sweep EXPERIMENT.toml`: run an experiment's design × replicates, resumably.

Runs in parallel on all cores by default (a Dask LocalCluster of single-threaded worker
processes), on an existing Dask cluster with `--scheduler ADDRESS` (or the standard
DASK_SCHEDULER_ADDRESS variable), or in this process with `--workers 1`. Results go to
`results/<experiment>/` (see sim.experiments.store). Running the same command again skips runs
already stored; `--retry-failed` also re-runs the failed ones. The whole definition is validated
before anything starts: bad input exits with code 2 and one message.
"""

from __future__ import annotations

import argparse
import shlex
import signal
import sys
from pathlib import Path
from typing import Any

from sim.experiments.evaluators import CONNECT_TIMEOUT, NO_WORKERS_TIMEOUT

from . import (
    CommandError,
    add_limit_options,
    add_quiet_option,
    interrupts,
    positive_float,
    positive_int,
)

EXIT_FAILED_RUNS = 1


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
    p.add_argument(
        "experiment",
        type=Path,
        help="experiment file (TOML), e.g. experiments/devolution_capacity.toml",
    )
    p.add_argument(
        "--workers",
        type=positive_int,
        default=None,
        metavar="N",
        help="worker processes of the local cluster (default: one per core); "
        "1 runs in this process without Dask (for debugging)",
    )
    p.add_argument(
        "--scheduler",
        default=None,
        metavar="ADDRESS",
        help="connect to a running Dask scheduler, e.g. tcp://10.0.0.5:8786 "
        "(default: $DASK_SCHEDULER_ADDRESS if set and --workers is not given)",
    )
    p.add_argument(
        "--connect-timeout",
        type=positive_float,
        default=CONNECT_TIMEOUT,
        metavar="SECONDS",
        help="give up if the scheduler does not answer within "
        f"this time (default {CONNECT_TIMEOUT:g})",
    )
    p.add_argument(
        "--no-workers-timeout",
        type=positive_float,
        default=NO_WORKERS_TIMEOUT,
        metavar="SECONDS",
        help="stop (exit code 1, finished runs kept) when the "
        "cluster has had no workers for this long while runs wait "
        f"(default {NO_WORKERS_TIMEOUT:g}; raise it for clusters whose workers "
        "wait in a batch queue)",
    )
    p.add_argument(
        "--out",
        type=Path,
        default=None,
        metavar="DIR",
        help="results folder (default: results/<experiment name>)",
    )
    p.add_argument(
        "--retry-failed",
        action="store_true",
        help="also re-run runs stored as failed (OK runs are never re-run)",
    )
    p.add_argument(
        "--batch-size",
        type=positive_int,
        default=None,
        metavar="K",
        help="runs per task (default: about ten tasks per worker, at most 25 runs "
        "each, the last tasks shrinking to single runs so that no worker waits long for "
        "the others)",
    )
    p.add_argument(
        "--replicates",
        type=positive_int,
        default=None,
        metavar="R",
        help="replicates per arm (overrides the file; more replicates keep the existing ones)",
    )
    p.add_argument(
        "--steps",
        type=positive_int,
        default=None,
        metavar="S",
        help="months per run (overrides the file; new steps mean new runs)",
    )
    p.add_argument(
        "--dry-run",
        action="store_true",
        help="validate the experiment and show what would run, run nothing",
    )
    add_quiet_option(p, "the results folder")
    p.add_argument(
        "--progress",
        action="store_true",
        help="show the progress bar on stderr even when it is not a terminal",
    )
    add_limit_options(p, "a sweep")
    p.set_defaults(func=cmd_sweep)


def cmd_sweep(args: argparse.Namespace) -> int:
    from sim.experiments.definition import load_sweep
    from sim.experiments.design import make_design
    from sim.experiments.evaluators import make_evaluator
    from sim.experiments.plan import check_worlds, describe_plan, plan_estimates, plan_runs
    from sim.experiments.store import RunStore
    from sim.runs.limits import check_memory, default_memory_limit, format_duration

    defn = load_sweep(args.experiment, replicates=args.replicates, steps=args.steps)
    design = make_design(defn)
    check_worlds(defn, design)
    specs = plan_runs(defn, design)
    out_dir = args.out if args.out is not None else Path("results") / defn.name
    check_results_folder(out_dir, defn.name, write=not args.dry_run)
    say = _printer(args.quiet)
    say(f"{defn.name}: {describe_plan(defn, design)}")

    status = RunStore(out_dir).statuses()
    todo = {
        s.key: s
        for s in specs
        if status.get(s.key) != "ok" and (args.retry_failed or s.key not in status)
    }
    evaluator = make_evaluator(
        args.workers,
        args.scheduler,
        connect_timeout=args.connect_timeout,
        no_workers_timeout=args.no_workers_timeout,
    )
    local = evaluator.planned_workers  # None: an existing cluster, its workers unknown yet
    estimates = plan_estimates(defn, design)
    at_once = max(1, min(local or 1, len(todo)))  # runs sharing this machine's memory
    check_memory(
        max(estimates, key=lambda e: e.memory),
        args.max_memory or default_memory_limit(),
        copies=at_once,
        what=f"{defn.path}: its largest run",
    )
    cpu_seconds = sum(estimates[s.point].seconds for s in todo.values())
    if local:
        _check_time(defn, len(todo), cpu_seconds, local, args.max_hours)

    if args.dry_run:
        keys = {s.key for s in specs}
        ok = sum(status.get(k) == "ok" for k in keys)
        failed = sum(status.get(k) == "failed" for k in keys)
        n = local or 1
        print(
            f"{len(keys)} distinct runs; stored in {out_dir}: {ok} ok, {failed} failed; "
            f"would run {len(todo)} (about {format_duration(cpu_seconds)} of computing, "
            f"{format_duration(cpu_seconds / n)} on {n} worker{'s' if n != 1 else ''})"
        )
        return 0

    with evaluator:  # connect first: a cluster that cannot be reached leaves no folder
        if not local:
            _check_time(defn, len(todo), cpu_seconds, evaluator.n_workers, args.max_hours)
        say(f"running on {evaluator.description}; results in {out_dir}")
        store = RunStore.create(out_dir)
        with store.lock(), interrupts.on_hard_exit(store.unlock):
            outcome = _run_and_log(args, defn, design, specs, store, evaluator)
        return _report(args, defn, out_dir, outcome)  # before the cluster closes


STORE_FILES = ("definition.toml", "sweep.json", "design.parquet", "plan.parquet", "sessions.json")
"""Files a sweep keeps in its results folder (sim.experiments.store)."""
STORE_FOLDERS = ("runs", "series")
"""Folders of part files a sweep keeps in its results folder."""
BESIDE = ("sweep.lock", "report", "discovery")
"""What else a results folder holds: the writer's lock, reports and discoveries."""


def check_results_folder(out: Path, name: str, write: bool = True) -> None:
    """Refuse, before anything runs or is written, a results folder that belongs to another
    experiment or is not a results folder, one whose files were replaced by folders (or the
    other way round), and, if `write`, one that cannot be written into."""
    from sim.runs.files import PARTIAL_NAME
    from sim.runs.folder import prepare_dir, remove_if_empty, shown

    try:
        is_dir = out.is_dir()
    except OSError as err:
        raise CommandError(f"--out {shown(out)}: cannot use this path ({err.strerror})") from None
    if is_dir:
        for entry, folder in [(f, False) for f in STORE_FILES] + [(f, True) for f in STORE_FOLDERS]:
            path = out / entry
            if path.exists() and path.is_dir() != folder:
                kind, other = ("folder", "file") if folder else ("file", "folder")
                raise CommandError(
                    f"{path}: is a {other} where the sweep keeps its {kind} {entry}; move it "
                    "away and run again (the runs stored in runs/ are kept)"
                )
        info = out / "sweep.json"
        if info.is_file():
            stored = _stored_name(info)
            if stored is not None and stored != name:
                raise CommandError(
                    f"--out {out}: holds the results of experiment {stored!r}, not {name!r}; "
                    f"give another --out (default: results/{name}) so that neither is "
                    "overwritten"
                )
        else:
            known = set(STORE_FILES + STORE_FOLDERS + BESIDE)
            other = sorted(
                p.name
                for p in out.iterdir()
                if p.name not in known and not PARTIAL_NAME.match(p.name)
            )
            if other:
                raise CommandError(
                    f"--out {out}: not a sweep's results folder (no sweep.json, and it holds "
                    f"{other[0]!r}); give a new or empty folder"
                )
    if write:  # can be written into; what is made for the check alone is removed again
        made = [f for f in (out, *(out / f for f in STORE_FOLDERS)) if prepare_dir(f, "--out")]
        for folder in reversed(made):
            remove_if_empty(folder)


def _stored_name(info: Path) -> str | None:
    """The experiment name a results folder's sweep.json records (None if unreadable, which
    the sweep repairs by writing it again)."""
    import json

    try:
        name = json.loads(info.read_text(encoding="utf-8")).get("name")
    except (OSError, ValueError, AttributeError):
        return None
    return name if isinstance(name, str) else None


def _check_time(defn: Any, n_runs: int, cpu_seconds: float, workers: int, max_hours: float) -> None:
    from sim.runs.limits import check_hours

    check_hours(
        cpu_seconds / max(workers, 1),
        max_hours,
        f"{defn.path}: {n_runs:,} runs of {defn.steps:,} months on {workers} worker"
        f"{'s' if workers != 1 else ''}",
    )


def _run_and_log(
    args: argparse.Namespace, defn: Any, design: Any, specs: list, store: Any, evaluator: Any
) -> Any:
    """Save the definition, run, and log the session whatever happens (an interruption
    before the runs start is logged too), with the signal that stopped it."""
    from datetime import UTC, datetime

    from sim.experiments.api import run_session

    started = datetime.now(UTC).isoformat(timespec="seconds")
    logged = len(store.sessions())

    def log_hard_exit() -> None:
        """A second signal ends the process while the first is being handled (the workers
        stopped, the finished runs written): log the session as interrupted if it is not yet."""
        if len(store.sessions()) == logged:
            store.log_session(
                {
                    "started": started,
                    "command": _command(args),
                    "interrupted": True,
                    "signal": interrupts.received(),
                    "exited_at_once": True,
                }
            )

    with interrupts.on_hard_exit(log_hard_exit):
        return run_session(
            defn,
            design,
            store,
            evaluator,
            command=_command(args),
            retry_failed=args.retry_failed,
            batch_size=args.batch_size,
            progress=_show_progress(args),
            extra=lambda: {"signal": interrupts.received()} if interrupts.received() else {},
        )


def _report(args: argparse.Namespace, defn: Any, out_dir: Path, outcome: Any) -> int:
    """Print what the session did and return the exit code."""
    from sim.experiments.store import RunStore

    planned_keys = set(RunStore(out_dir).plan()["key"])
    other = sum(1 for k in RunStore(out_dir).statuses() if k not in planned_keys)
    still_failed = 0 if args.retry_failed else outcome.stored_failed  # not re-run this time
    failed_total = still_failed + outcome.failed
    say = _printer(args.quiet)
    say(
        f"{defn.name}: {outcome.unique} distinct runs: {outcome.stored_ok} already stored, "
        f"{outcome.ok} ok and {outcome.failed} failed now"
        + (
            f", {outcome.resubmitted} re-submitted alone after a worker died"
            if outcome.resubmitted
            else ""
        )
        + f" ({outcome.elapsed:.1f} s)"
    )
    if other:
        say(
            f"{out_dir}: also holds {other} runs not in this plan (earlier definitions or "
            "model code; the report ignores them)"
        )
    for arm, error in outcome.failures[:5]:
        print(f"  failed: arm {arm}: {error.splitlines()[0] if error else ''}", file=sys.stderr)
    if outcome.interrupted:
        what = "terminated" if interrupts.received() == signal.SIGTERM else "interrupted"
        print(
            f"{what}: {outcome.ok + outcome.failed} runs of this session are stored in "
            f"{out_dir}; run the same command again to resume",
            file=sys.stderr,
        )
        return interrupts.exit_code()
    if outcome.stopped:
        print(
            f"stopped: {outcome.stopped}; {outcome.ok + outcome.failed} runs of this "
            f"session are stored in {out_dir}",
            file=sys.stderr,
        )
        return EXIT_FAILED_RUNS
    if failed_total:
        print(
            f"{failed_total} runs failed (error and traceback stored in {out_dir}/failures); "
            "re-run them with --retry-failed",
            file=sys.stderr,
        )
    missing = outcome.unique - outcome.stored_ok - outcome.ok - failed_total
    if missing > 0:
        print(f"{missing} runs not done yet; run the same command again", file=sys.stderr)
    print(out_dir if args.quiet else f"report: python -m sim report {_quote(out_dir)}")
    return EXIT_FAILED_RUNS if failed_total else 0


def _show_progress(args: argparse.Namespace) -> bool:
    """The bar goes to stderr when asked for, or when stderr is a terminal (not --quiet)."""
    return bool(args.progress or (not args.quiet and sys.stderr.isatty()))


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
