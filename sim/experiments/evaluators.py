"""Evaluators: where batches of runs are computed, kept apart from the model they run (as in
EMA Workbench). `InProcessEvaluator` runs them here one by one; `DaskEvaluator` on a Dask
LocalCluster started here or on an existing scheduler. Both offer the same small interface:
`submit(tag, fn, *args)`, `next_done() -> (tag, result, error)`, `cancel()`, `capacity`,
`in_flight`, `n_workers` and `description`, used inside `with evaluator:`.
"""

from __future__ import annotations

import contextlib
import os
from collections import deque
from collections.abc import Callable
from typing import Any

from sim.core.params import ScenarioError

__all__ = ["InProcessEvaluator", "DaskEvaluator", "make_evaluator", "is_killed_worker",
           "TRIM_KEY"]

class InProcessEvaluator:
    """Runs batches one after another in this process (no Dask): for debugging and
    `--workers 1`; an exception inside a batch is raised here, with its full traceback."""

    n_workers = 1
    description = "in-process (1 worker, no Dask)"

    def __init__(self) -> None:
        self._queue: deque[tuple[Any, Callable[..., Any], tuple]] = deque()

    def __enter__(self) -> InProcessEvaluator:
        return self

    def __exit__(self, *exc: Any) -> None:
        self._queue.clear()

    @property
    def capacity(self) -> int:
        return 1

    @property
    def in_flight(self) -> int:
        return len(self._queue)

    def submit(self, tag: Any, fn: Callable[..., Any], *args: Any) -> None:
        self._queue.append((tag, fn, args))

    def next_done(self) -> tuple[Any, Any, BaseException | None]:
        tag, fn, args = self._queue.popleft()
        try:
            return tag, fn(*args), None
        except Exception as err:
            return tag, None, err

    def cancel(self) -> None:
        self._queue.clear()


TRIM_KEY = "distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_"
"""Dask's nanny sets glibc's MALLOC_TRIM_THRESHOLD_=65536 in its workers by default, which
makes this model's large short-lived NumPy temporaries 2-3x slower (memory returned to and
taken back from the kernel every month); the local cluster leaves glibc's default."""


class DaskEvaluator:
    """Runs batches on a Dask distributed cluster: an existing scheduler (`address`), or a
    LocalCluster of `workers` single-threaded processes started here and closed after."""

    def __init__(self, workers: int | None = None, address: str | None = None,
                 timeout: str = "30s") -> None:
        self.workers = workers
        self.address = address
        self.timeout = timeout
        self.client: Any = None
        self.cluster: Any = None
        self._futures: dict[Any, Any] = {}
        self._done: Any = None
        self.n_workers = 0
        self.description = ""

    def __enter__(self) -> DaskEvaluator:
        import logging

        import dask
        from distributed import Client, LocalCluster, as_completed

        try:
            if self.address:
                self.client = Client(self.address, timeout=self.timeout)
                self.description = f"Dask scheduler at {self.address}"
            else:
                n = self.workers or os.cpu_count() or 1
                with dask.config.set({TRIM_KEY: None}):
                    self.cluster = LocalCluster(
                        n_workers=n, threads_per_worker=1, processes=True,
                        dashboard_address=None, silence_logs=logging.ERROR,
                    )
                self.client = Client(self.cluster)
                self.description = f"Dask LocalCluster ({n} worker processes)"
        except OSError as err:
            raise ScenarioError(
                f"--scheduler {self.address}: cannot connect to the Dask scheduler ({err})"
            ) from None
        self.n_workers = max(1, sum(self.client.nthreads().values()))
        self._done = as_completed()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.cancel()
        with contextlib.suppress(Exception):
            self.client.close(timeout=10)
        if self.cluster is not None:
            with contextlib.suppress(Exception):
                self.cluster.close(timeout=10)

    @property
    def capacity(self) -> int:
        return 2 * self.n_workers + 2

    @property
    def in_flight(self) -> int:
        return len(self._futures)

    def submit(self, tag: Any, fn: Callable[..., Any], *args: Any) -> None:
        future = self.client.submit(fn, *args, pure=False)
        self._futures[future.key] = (tag, future)
        self._done.add(future)

    def next_done(self) -> tuple[Any, Any, BaseException | None]:
        future = next(self._done)
        tag, _ = self._futures.pop(future.key)
        try:
            return tag, future.result(), None
        except Exception as err:
            return tag, None, err
        finally:
            future.release()

    def cancel(self) -> None:
        futures = [f for _, f in self._futures.values()]
        self._futures.clear()
        if futures and self.client is not None:
            with contextlib.suppress(Exception):
                self.client.cancel(futures)


def make_evaluator(workers: int | None = None, scheduler: str | None = None
                   ) -> InProcessEvaluator | DaskEvaluator:
    """`scheduler` (or DASK_SCHEDULER_ADDRESS when `workers` is not given) → that cluster;
    workers == 1 → in-process; otherwise a LocalCluster of `workers` (default: all cores)."""
    if scheduler:
        return DaskEvaluator(address=scheduler)
    if workers == 1:
        return InProcessEvaluator()
    env = os.environ.get("DASK_SCHEDULER_ADDRESS")
    if workers is None and env:
        return DaskEvaluator(address=env)
    return DaskEvaluator(workers=workers)


def is_killed_worker(err: BaseException) -> bool:
    try:
        from distributed.scheduler import KilledWorker
    except ImportError:  # pragma: no cover - dask is a dependency
        return False
    return isinstance(err, KilledWorker)
