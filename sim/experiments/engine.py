"""The sweep engine: runs the planned runs a store does not hold yet and stores their results.

`run_batch` is the unit of work shipped to a worker (several runs of `sim.runs.runner.run`,
never raising for one run). `execute` plans, skips what is stored, submits batches to an
evaluator (`sim.experiments.evaluators`), appends finished batches to the
`sim.experiments.store.RunStore` (the first at once, then together at most every
`WRITE_SECONDS`), re-submits runs lost with a dying worker, and shows progress. Ctrl-C stops
it cleanly with everything finished so far stored.
"""

from __future__ import annotations

import math
import sys
import time
import traceback
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from sim.core.district import District
from sim.core.policy import Timeline
from sim.runs import runner as _runner

from . import timeline_factors as TF
from .definition import SweepDefinition
from .design import Design
from .evaluators import (
    DaskEvaluator,
    InProcessEvaluator,
    NoWorkersError,
    ProcessPoolEvaluator,
    is_killed_worker,
)
from .plan import MODEL_CODE, RunSpec, plan_runs
from .store import runs_schema

__all__ = [
    "SweepOutcome",
    "run_batch",
    "execute",
    "auto_batch_size",
    "batch_sizes",
    "WRITE_SECONDS",
]

WRITE_SECONDS = 2.0
"""Finished batches wait at most this long to be written, so that one part file holds
every batch finished in that time (a part costs tens of milliseconds however small); the
first batch is written at once, and whatever waits is written when the sweep ends or is
interrupted. A killed sweep loses only the runs of its last seconds, which the next one
runs again."""


def run_batch(
    base: dict[str, Any],
    items: list[tuple[str, int, dict[str, Any]]],
    steps: int,
    window: int,
    series_period: int | None,
    series_outcomes: tuple[str, ...] = (),
    timeline: Timeline | None = None,
    district: District | None = None,
    conditions: bool = False,
) -> tuple[list[dict[str, Any]], pd.DataFrame | None]:
    """Run several runs (key, seed, overrides) with `sim.runs.runner.run`; never raises for a run.
    Every run has the base `timeline` (with the arm's timeline fields set) and `district`;
    with `conditions`, each row also holds the run's measured conditions (`cond_<name>`,
    sim.runs.conditions).

    Returns one row per run (key, seed, status "ok"/"failed", error, traceback, elapsed,
    cpu_seconds, summary outcomes) and the kept series (key, step, outcomes) or None.
    Everything returned is a fresh object (safe to ship between processes)."""
    rows: list[dict[str, Any]] = []
    frames: list[pd.DataFrame] = []
    for key, seed, overrides in items:
        start, cpu = time.perf_counter(), time.process_time()
        row: dict[str, Any] = {"key": key, "seed": int(seed), "model_code": MODEL_CODE}
        try:
            params, fields = TF.split(overrides)
            result = _runner.run(
                {**base, **params},
                int(seed),
                steps,
                window=window,
                series_period=series_period,
                timeline=TF.apply(timeline or Timeline(), fields),
                district=district,
                conditions=conditions,
            )
        except Exception as err:  # a failing run is recorded, the sweep goes on
            row.update(
                status="failed",
                error=f"{type(err).__name__}: {err}",
                traceback=traceback.format_exc(),
                elapsed=time.perf_counter() - start,
            )
        else:
            row.update(status="ok", error=None, traceback=None, elapsed=float(result.elapsed))
            row["cpu_seconds"] = time.process_time() - cpu
            row.update({k: float(v) for k, v in result.summary.items()})
            if series_period and series_outcomes:
                cols = ["step", *[o for o in series_outcomes if o in result.series]]
                s = result.series[cols]  # a new frame: selecting columns copies them
                s.insert(0, "key", key)
                frames.append(s)
        rows.append(row)
    series = pd.concat(frames, ignore_index=True) if frames else None
    return rows, series


@dataclass
class SweepOutcome:
    """Counts of one `execute` call."""

    planned: int = 0  # runs in the plan (arms × replicates)
    unique: int = 0  # distinct keys among them
    stored_ok: int = 0  # already stored OK before this call (skipped)
    stored_failed: int = 0  # already stored as failed before this call
    to_run: int = 0  # runs this call set out to do
    ok: int = 0  # finished OK in this call
    failed: int = 0  # failed in this call
    resubmitted: int = 0  # runs re-submitted alone after a worker died
    interrupted: bool = False
    stopped: str = ""  # why the engine gave up waiting (the cluster lost its workers)
    elapsed: float = 0.0
    evaluator: str = ""
    failures: list[tuple[str, str]] = field(default_factory=list)  # (arm, error)

    @property
    def missing(self) -> int:
        """Runs of the plan with no OK result stored after this call."""
        return self.unique - self.stored_ok - self.ok


def _chunks(items: list[Any], sizes: list[int]) -> Iterator[list[Any]]:
    start = 0
    for size in sizes:
        yield items[start : start + size]
        start += size


def auto_batch_size(n_runs: int, n_workers: int) -> int:
    """Runs per task: about ten tasks per worker, between 1 and 25 runs each."""
    return int(min(25, max(1, math.ceil(n_runs / max(1, 10 * n_workers)))))


TAIL_TASKS = 4
"""Guided sizes: a task takes at most 1/(`TAIL_TASKS` × workers) of the runs still to hand
out, so that the last tasks are single runs and no worker waits long for the others."""


def batch_sizes(n_runs: int, n_workers: int, size: int | None = None) -> list[int]:
    """Runs per task, in the order tasks are handed out. A given `size` is kept for every
    task (the last takes what is left), and so is `auto_batch_size` for one worker. With
    several, tasks are guided: `auto_batch_size` runs each while many remain, then shrinking
    with what remains down to single runs (with one size, a worker can be left with up to
    a whole task's runs at the end while the others have nothing to do)."""
    largest = size or auto_batch_size(n_runs, n_workers)
    if size is not None or n_workers <= 1:  # one worker never waits for another
        return [min(largest, n_runs - k) for k in range(0, n_runs, largest)]
    sizes, left = [], n_runs
    while left > 0:
        sizes.append(min(largest, max(1, math.ceil(left / (TAIL_TASKS * max(1, n_workers))))))
        left -= sizes[-1]
    return sizes


def execute(
    defn: SweepDefinition,
    design: Design,
    store: Any,
    evaluator: InProcessEvaluator | ProcessPoolEvaluator | DaskEvaluator,
    *,
    retry_failed: bool = False,
    batch_size: int | None = None,
    progress: bool = True,
    on_batch: Callable[[int], None] | None = None,
    conditions: bool = False,
) -> SweepOutcome:
    """Run the runs of the plan that `store` does not hold yet and append their results.

    Skips keys stored OK; keys stored as failed are re-run only with `retry_failed`. Results
    are written as Parquet parts, each holding the batches finished since the last (see
    `WRITE_SECONDS`). A batch lost with a dying worker is
    re-submitted one run per task, once. Ctrl-C (KeyboardInterrupt) stops cleanly, and so
    does a cluster left without workers (`stopped` says why): everything finished so far
    stays stored, and running the same command again resumes. `progress`: a progress bar on
    stderr. `conditions`: every run also measures the district's conditions
    (sim.runs.conditions). The evaluator must be entered (`with evaluator:`)."""
    start = time.perf_counter()
    specs = plan_runs(defn, design)
    spec_by_key: dict[str, RunSpec] = {}
    for s in specs:
        spec_by_key.setdefault(s.key, s)
    status = store.statuses()
    out = SweepOutcome(
        planned=len(specs), unique=len(spec_by_key), evaluator=getattr(evaluator, "description", "")
    )
    todo: list[RunSpec] = []
    for key, spec in spec_by_key.items():
        st = status.get(key)
        if st == "ok":
            out.stored_ok += 1
        elif st == "failed":
            out.stored_failed += 1
            if retry_failed:
                todo.append(spec)
        else:
            todo.append(spec)
    out.to_run = len(todo)
    if not todo:
        out.elapsed = time.perf_counter() - start
        return out

    kept = [f.name for f in defn.factors] + (["draw"] if "draw" in design.table else [])
    factor_values = design.table.set_index("point")[kept].to_dict("index")
    schema = runs_schema(design.table[kept])
    if hasattr(store, "prepare"):
        schema = store.prepare(schema)
    writer = _Writer(store, spec_by_key, factor_values, schema)
    sizes = batch_sizes(len(todo), evaluator.n_workers, batch_size)
    pending: deque[tuple[list[RunSpec], bool]] = deque((c, False) for c in _chunks(todo, sizes))
    args = (
        defn.steps,
        defn.window,
        defn.series_period,
        defn.outcomes if defn.series_period else (),
        defn.timeline,
        defn.district,
        conditions,
    )

    bar = _progress_bar(out, progress)
    try:
        while pending or evaluator.in_flight:
            while pending and evaluator.in_flight < evaluator.capacity:
                chunk, alone = pending.popleft()
                items = [(s.key, s.seed, s.overrides) for s in chunk]
                evaluator.submit((chunk, alone), run_batch, defn.base, items, *args)
            (chunk, alone), result, err = evaluator.next_done()
            if err is not None:
                if is_killed_worker(err) and not alone:
                    out.resubmitted += len(chunk)
                    pending.extend(([s], True) for s in chunk)
                    continue
                rows = [_failure_row(s, err) for s in chunk]
                series = None
            else:
                rows, series = result
                rows = [_check_code(r) for r in rows]
            writer.add(rows, series)
            n_ok = sum(r["status"] == "ok" for r in rows)
            out.ok += n_ok
            out.failed += len(rows) - n_ok
            out.failures.extend(
                (spec_by_key[r["key"]].arm, str(r["error"])) for r in rows if r["status"] != "ok"
            )
            if bar is not None:
                bar.set_postfix_str(_postfix(out), refresh=False)
                bar.update(len(rows))
            if on_batch is not None:
                on_batch(len(rows))
    except KeyboardInterrupt:
        out.interrupted = True
        evaluator.cancel()
    except NoWorkersError as err:
        out.stopped = str(err)
        evaluator.cancel()
    finally:
        writer.flush()
        if bar is not None:
            bar.close()
        out.elapsed = time.perf_counter() - start
    return out


def _check_code(row: dict[str, Any]) -> dict[str, Any]:
    """A run computed by different model code than this process's is not what its key says:
    record it as failed (it is re-run with --retry-failed once the files are settled)."""
    if row.get("model_code") == MODEL_CODE or row["status"] != "ok":
        return row
    return {
        **{k: v for k, v in row.items() if not k.startswith(("final_", "mean_"))},
        "status": "failed",
        "error": (
            f"ModelCodeMismatch: the worker ran model code {row.get('model_code')} "
            f"but this sweep expects {MODEL_CODE}; the model's files changed while "
            "the sweep ran, or the cluster's workers run another version of sim"
        ),
        "traceback": None,
    }


def _failure_row(spec: RunSpec, err: BaseException) -> dict[str, Any]:
    if is_killed_worker(err):
        message = (
            f"KilledWorker: the worker process died while running this run, twice "
            f"(alone the second time): {err}"
        )
    else:
        message = f"{type(err).__name__}: {err}"
    tb = "".join(traceback.format_exception(type(err), err, err.__traceback__))
    return {
        "key": spec.key,
        "seed": spec.seed,
        "model_code": None,
        "status": "failed",
        "error": message,
        "traceback": tb,
        "elapsed": float("nan"),
    }


class _Writer:
    """Collects finished batches and appends them to the store as one part: the first batch
    at once, then whatever finished in the last `WRITE_SECONDS`, and the rest on `flush`."""

    def __init__(
        self,
        store: Any,
        spec_by_key: dict[str, RunSpec],
        factor_values: dict[Any, dict],
        schema: Any = None,
    ) -> None:
        self.store, self.spec_by_key, self.factor_values = store, spec_by_key, factor_values
        self.schema = schema  # of the runs' parts (sim.experiments.store.runs_schema)
        self.records: list[dict[str, Any]] = []
        self.series: list[pd.DataFrame] = []
        self.written: float | None = None  # when the last part was written

    def add(self, rows: list[dict[str, Any]], series: pd.DataFrame | None) -> None:
        for r in rows:
            spec = self.spec_by_key[r["key"]]
            meta = {
                "key": r["key"],
                "arm": spec.arm,
                "point": spec.point,
                "replicate": spec.replicate,
                "seed": spec.seed,
            }
            factors = self.factor_values[spec.point]
            self.records.append(
                {**meta, **factors, **{k: v for k, v in r.items() if k not in meta}}
            )
        if series is not None:
            self.series.append(series)
        if self.written is None or time.perf_counter() - self.written >= WRITE_SECONDS:
            self.flush()

    def flush(self) -> None:
        if not self.records:
            return
        series = pd.concat(self.series, ignore_index=True) if self.series else None
        self.store.append(self.records, series, schema=self.schema)
        self.records, self.series = [], []
        self.written = time.perf_counter()


def _progress_bar(out: SweepOutcome, enabled: bool) -> Any:
    if not enabled:
        return None
    from tqdm import tqdm

    bar = tqdm(
        total=out.unique,
        initial=out.unique - out.to_run,
        unit="run",
        file=sys.stderr,
        desc="sweep",
        dynamic_ncols=True,
        mininterval=0.5,
        smoothing=0.1,
    )
    bar.set_postfix_str(_postfix(out), refresh=False)
    return bar


def _postfix(out: SweepOutcome) -> str:
    skipped = out.unique - out.to_run
    return f"done={out.ok} failed={out.failed} skipped={skipped}"
