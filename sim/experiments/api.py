"""Sweeps from Python: run an experiment, read its results, compare two arms (docs/PYTHON.md).

    import sim
    res = sim.sweep("experiments/cross_appointment.toml", out="results/xa", workers=2)
    res.arms()                       # mean and 95% CI per arm and outcome
    res.differences()                # each arm minus the reference, paired by seed
    sim.compare(res, "all_four", "low")          # one arm against another
    res = sim.load_results("results/xa")         # a folder a sweep wrote, later

`sweep` does what `python -m sim sweep` does (the definition is checked whole before any
run, every run lands in the same results folder, a second call resumes) and returns the
same `SweepResults` that `load_results` reads; its tables are the ones `python -m sim
report` writes as CSV. A definition may be a file or a dict shaped like one.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from sim.core.params import ScenarioError

from .analysis.estimates import paired_differences
from .analysis.results import SweepResults, load_results
from .definition import SweepDefinition, definition_toml, load_sweep
from .design import Design, make_design
from .engine import SweepOutcome, execute
from .plan import check_worlds, plan_runs, plan_table
from .store import RunStore

__all__ = ["sweep", "load_results", "compare", "SweepResults", "session_entry", "COMPACT_ABOVE"]

COMPACT_ABOVE = 100
"""Part files above which a finished sweep compacts its store into one part of each kind."""


def sweep(
    definition: str | Path | Mapping[str, Any],
    *,
    out: str | Path | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    replicates: int | None = None,
    steps: int | None = None,
    retry_failed: bool = False,
    batch_size: int | None = None,
    progress: bool = False,
    name: str = "experiment",
) -> SweepResults:
    """Run an experiment's arms × replicates and return its results.

    `definition`: an experiment file (TOML), or a dict with the same keys (`name` then names
    it; a relative `scenario` is looked for in the current folder, then in scenarios/).
    `out`: the results folder (default results/<name>); runs it already holds are not run
    again. `workers`: processes of a local Dask cluster (default one per core; 1 runs in
    this process); `scheduler`: the address of a running Dask cluster instead.
    `replicates`, `steps`: override the definition's. Raises ScenarioError for a bad
    definition before anything runs; warns if runs failed (they are stored with their
    errors, `retry_failed=True` runs them again)."""
    from .evaluators import make_evaluator

    defn = _definition(definition, name, replicates, steps)
    design = make_design(defn)
    check_worlds(defn, design)
    out = Path(out) if out is not None else Path("results") / defn.name
    evaluator = make_evaluator(workers, scheduler)
    with evaluator:
        store = RunStore.create(out)
        with store.lock():
            outcome = run_session(
                defn,
                design,
                store,
                evaluator,
                command=_call(definition, out, workers, replicates, steps),
                retry_failed=retry_failed,
                batch_size=batch_size,
                progress=progress,
            )
    if outcome.interrupted:
        raise KeyboardInterrupt
    failed = outcome.failed + (0 if retry_failed else outcome.stored_failed)
    if failed:
        warnings.warn(
            f"{failed} runs failed (errors in {out}/failures); run again with "
            "retry_failed=True to retry them",
            RuntimeWarning,
            stacklevel=2,
        )
    return load_results(out)


def compare(
    results: SweepResults | str | Path, arm: str, reference: str, level: float = 0.95
) -> pd.DataFrame:
    """`arm` minus `reference` for every outcome, paired by seed: n pairs, mean difference
    with its t-interval, Cohen's d_z and the paired t-test p-value (the rows of the report's
    differences table when `reference` is the experiment's reference arm)."""
    res = results if isinstance(results, SweepResults) else load_results(results)
    arms = list(dict.fromkeys(res.table["arm"]))
    for given in (arm, reference):
        if given not in arms:
            raise ScenarioError(f"{res.root}: no arm {given!r}; the arms are {', '.join(arms)}")
    table = paired_differences(res, reference=reference, level=level)
    if table.empty:
        return table
    return table[table["arm"] == arm].reset_index(drop=True)


def run_session(
    defn: SweepDefinition,
    design: Design,
    store: RunStore,
    evaluator: Any,
    *,
    command: str,
    retry_failed: bool = False,
    batch_size: int | None = None,
    progress: bool = False,
    extra: Any = None,
) -> SweepOutcome:
    """Store the definition, run what the store lacks and log the session whatever happens
    (an interruption too); compact the store if it holds many parts. The store must be
    locked. `extra()`: more keys for the session's log entry."""
    specs = plan_runs(defn, design)
    started = datetime.now(UTC)
    outcome = SweepOutcome(
        planned=len(specs), unique=len({s.key for s in specs}), evaluator=evaluator.description
    )
    clock = time.perf_counter()
    try:
        store.save_definition(
            defn.text, {**defn.to_dict(), "command": command}, design.table, plan_table(specs)
        )
        outcome = execute(
            defn,
            design,
            store,
            evaluator,
            retry_failed=retry_failed,
            batch_size=batch_size,
            progress=progress,
        )
    except KeyboardInterrupt:  # before the runs started: logged, then passed on
        outcome.interrupted = True
        raise
    finally:
        entry = session_entry(outcome, evaluator, command, started, clock)
        store.log_session({**entry, **(extra() if extra else {})})
    if not (outcome.interrupted or outcome.stopped) and store.part_count() > COMPACT_ABOVE:
        store.compact()
    return outcome


def session_entry(
    outcome: SweepOutcome, evaluator: Any, command: str, started: datetime, clock: float
) -> dict[str, Any]:
    """One entry of sessions.json: when, how long, where, and what the session did."""
    from sim import __version__
    from sim.runs.folder import lock_record

    return {
        "started": started.isoformat(timespec="seconds"),
        "wall_seconds": round(outcome.elapsed or time.perf_counter() - clock, 3),
        "evaluator": outcome.evaluator,
        "workers": evaluator.n_workers,
        "model_version": __version__,
        **lock_record(),
        "command": command,
        "planned": outcome.planned,
        "distinct": outcome.unique,
        "already_ok": outcome.stored_ok,
        "already_failed": outcome.stored_failed,
        "ran": outcome.ok + outcome.failed,
        "ok": outcome.ok,
        "failed": outcome.failed,
        "resubmitted_alone": outcome.resubmitted,
        "interrupted": outcome.interrupted,
        **({"stopped": outcome.stopped} if outcome.stopped else {}),
    }


def _definition(
    definition: str | Path | Mapping[str, Any],
    name: str,
    replicates: int | None,
    steps: int | None,
) -> SweepDefinition:
    if isinstance(definition, Mapping):
        text = definition_toml(dict(definition))
        return load_sweep(
            Path.cwd() / f"{name}.toml", replicates=replicates, steps=steps, text=text
        )
    return load_sweep(definition, replicates=replicates, steps=steps)


def _call(definition: Any, out: Path, workers: int | None, replicates: Any, steps: Any) -> str:
    """How this sweep was asked for, for the store's records."""
    what = "<dict>" if isinstance(definition, Mapping) else repr(str(definition))
    options = {"out": str(out), "workers": workers, "replicates": replicates, "steps": steps}
    given = ", ".join(f"{k}={v!r}" for k, v in options.items() if v is not None)
    return f"sim.sweep({what}, {given})"
