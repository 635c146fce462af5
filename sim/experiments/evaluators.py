"""Evaluators: where batches of runs are computed, kept apart from the model they run (as in
EMA Workbench). `InProcessEvaluator` runs them here one by one; `ProcessPoolEvaluator` in
worker processes on this machine; `DaskEvaluator` on an existing Dask scheduler (or a Dask
LocalCluster started here). All offer the same small interface: `submit(tag, fn, *args)`,
`next_done() -> (tag, result, error)`, `cancel()`, `capacity`, `in_flight`, `n_workers` and
`description`, used inside `with evaluator:`.
"""

from __future__ import annotations

import contextlib
import importlib
import multiprocessing
import os
import signal
import sys
import threading
import time
import warnings
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from sim.core.params import ScenarioError

__all__ = [
    "InProcessEvaluator",
    "ProcessPoolEvaluator",
    "DaskEvaluator",
    "NoWorkersError",
    "make_evaluator",
    "check_address",
    "is_killed_worker",
    "TRIM_KEY",
]


class InProcessEvaluator:
    """Runs batches one after another in this process (no Dask): for debugging and
    `--workers 1`; an exception inside a batch is raised here, with its full traceback."""

    n_workers = 1
    planned_workers = 1
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


FORK_WARNING = r".*multi-threaded, use of fork\(\) may lead to deadlocks"
PRELOAD = ("sim.experiments.engine",)
"""Modules a process pool imports before its workers start: forked workers then begin with
the model already imported."""


class _Workers:
    """What the evaluators that hand batches to worker processes share: keep two batches per
    worker and two more in flight, so that no worker waits for the next."""

    n_workers: int
    _futures: dict

    @property
    def capacity(self) -> int:
        return 2 * self.n_workers + 2

    @property
    def in_flight(self) -> int:
        return len(self._futures)


class ProcessPoolEvaluator(_Workers):
    """Runs batches in `workers` processes on this machine (`concurrent.futures`).

    Where the platform allows it (Linux) and this process runs no other thread, the workers
    are forked from this process after it has imported `preload`, so they start in
    milliseconds with the model already imported; otherwise they are spawned (a fresh
    interpreter each, which imports what a batch needs). Workers ignore SIGINT and SIGTERM:
    the sweep stops them itself. A worker that dies (killed, out of memory) breaks the pool:
    every batch in flight comes back with `BrokenProcessPool` (`is_killed_worker`), and the
    next submission starts a new pool."""

    def __init__(self, workers: int | None = None, preload: tuple[str, ...] = PRELOAD) -> None:
        self.n_workers = max(1, workers or os.cpu_count() or 1)
        self.planned_workers = self.n_workers
        self.preload = preload
        self.description = f"process pool ({self.n_workers} worker processes)"
        self._pool: ProcessPoolExecutor | None = None
        self._futures: dict[Future, Any] = {}
        self._broken = self._abandoned = False
        self.start_method = ""

    def __enter__(self) -> ProcessPoolEvaluator:
        for name in self.preload:
            importlib.import_module(name)
        self._start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.cancel()
        self._stop(kill=self._abandoned)

    def _start(self) -> None:
        self.start_method = _start_method()
        pool = ProcessPoolExecutor(
            max_workers=self.n_workers,
            mp_context=multiprocessing.get_context(self.start_method),
            initializer=_ignore_interrupts,
            initargs=(os.getpid(),),
        )
        # start the workers now (a forked pool starts them all at its first task), before
        # this process starts any other thread (a progress bar's, for instance). The
        # threads Python warns about then are the libraries' own native ones (OpenBLAS,
        # jemalloc), which re-initialise themselves in a forked child.
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", FORK_WARNING, DeprecationWarning)
            pool.submit(os.getpid).result()
        self._pool, self._broken, self._abandoned = pool, False, False
        how = "forked" if self.start_method == "fork" else "spawned"
        self.description = f"process pool ({self.n_workers} worker processes, {how})"

    def _stop(self, kill: bool) -> None:
        pool, self._pool = self._pool, None
        if pool is None:
            return
        if kill:  # batches left running (an interruption, a dead worker): do not wait
            for proc in list((getattr(pool, "_processes", None) or {}).values()):
                with contextlib.suppress(Exception):
                    proc.kill()
        with contextlib.suppress(Exception):
            pool.shutdown(wait=True, cancel_futures=True)

    def submit(self, tag: Any, fn: Callable[..., Any], *args: Any) -> None:
        if self._pool is None or self._broken:
            self._stop(kill=True)  # a worker died: start a new pool for what is left
            self._start()
        try:
            future = self._pool.submit(fn, *args)
        except BrokenProcessPool:
            self._stop(kill=True)
            self._start()
            future = self._pool.submit(fn, *args)
        self._futures[future] = tag

    def next_done(self) -> tuple[Any, Any, BaseException | None]:
        if not self._futures:
            raise RuntimeError("next_done() with no batch in flight")
        done: set[Future] = set()
        while not done:  # woken every second, so that Ctrl-C is seen at once
            done, _ = wait(list(self._futures), timeout=1.0, return_when=FIRST_COMPLETED)
        future = next(f for f in self._futures if f in done)  # the earliest submitted
        tag = self._futures.pop(future)
        try:
            return tag, future.result(), None
        except BrokenProcessPool as err:
            self._broken = True
            return tag, None, err
        except Exception as err:
            return tag, None, err

    def cancel(self) -> None:
        for future in self._futures:
            if not future.cancel():  # already running (or finished)
                self._abandoned = self._abandoned or not future.done()
        self._futures.clear()


def _start_method() -> str:
    """ "fork" where it is available and safe (no other thread in this process), else
    "spawn"."""
    if (
        sys.platform.startswith("linux")
        and "fork" in multiprocessing.get_all_start_methods()
        and threading.active_count() == 1
    ):
        return "fork"
    return "spawn"


def _ignore_interrupts(parent: int) -> None:
    """In a pool's worker: leave SIGINT and SIGTERM to the sweep, which stops its workers;
    and end with it if it ends without stopping them (a second Ctrl-C exits at once): on
    Linux the kernel kills the worker when the process that started it dies
    (PR_SET_PDEATHSIG), where forked workers would otherwise wait for ever on a queue whose
    other end they hold themselves."""
    for s in (signal.SIGINT, signal.SIGTERM):
        signal.signal(s, signal.SIG_IGN)
    if sys.platform.startswith("linux"):
        import ctypes

        with contextlib.suppress(OSError, AttributeError):
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
            if os.getppid() != parent:  # the sweep died before the line above
                os._exit(1)


PR_SET_PDEATHSIG = 1


TRIM_KEY = "distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_"
"""Dask's nanny sets glibc's MALLOC_TRIM_THRESHOLD_=65536 in its workers by default, which
makes this model's large short-lived NumPy temporaries 2-3x slower (memory returned to and
taken back from the kernel every month); the local cluster leaves glibc's default."""


CONNECT_TIMEOUT = 10.0
"""Seconds to wait for an existing scheduler to answer before giving up."""
NO_WORKERS_TIMEOUT = 300.0
"""Seconds a cluster may have no workers while runs wait, before the sweep stops."""
WORKER_CHECK_SECONDS = 1.0
"""How often a waiting sweep asks the scheduler how many workers it has."""


class NoWorkersError(RuntimeError):
    """The cluster has had no workers for longer than the evaluator allows."""


class DaskEvaluator(_Workers):
    """Runs batches on a Dask distributed cluster: an existing scheduler (`address`), or a
    LocalCluster of `workers` single-threaded processes started here and closed after.

    `connect_timeout`: seconds to reach the scheduler. `no_workers_timeout`: seconds the
    cluster may have no workers (or the scheduler not answer) while runs wait; then
    `next_done` raises NoWorkersError instead of waiting for ever."""

    def __init__(
        self,
        workers: int | None = None,
        address: str | None = None,
        connect_timeout: float = CONNECT_TIMEOUT,
        no_workers_timeout: float = NO_WORKERS_TIMEOUT,
    ) -> None:
        self.workers = workers
        self.address = address
        self.connect_timeout = connect_timeout
        self.no_workers_timeout = no_workers_timeout
        self.client: Any = None
        self.cluster: Any = None
        self._futures: dict[Any, Any] = {}
        self._done: Any = None
        self._last_check = 0.0
        self._no_workers_since: float | None = None
        self.n_workers = 0
        self.description = ""

    @property
    def planned_workers(self) -> int | None:
        """Workers of the local cluster this will start (None: an existing cluster's)."""
        return None if self.address else (self.workers or os.cpu_count() or 1)

    def __enter__(self) -> DaskEvaluator:
        import logging

        import dask
        from distributed import Client, LocalCluster, as_completed

        try:
            if self.address:
                self.client = Client(self.address, timeout=f"{self.connect_timeout}s")
                self.description = f"Dask scheduler at {self.address}"
            else:
                n = self.workers or os.cpu_count() or 1
                # Dask's own log lines are silenced: the sweep reports what matters itself
                # (failed runs with their errors, workers that died), and what is left is
                # noise from workers and scheduler shutting down, tracebacks included
                with dask.config.set({TRIM_KEY: None}), _workers_ignore_ctrl_c():
                    self.cluster = LocalCluster(
                        n_workers=n,
                        threads_per_worker=1,
                        processes=True,
                        dashboard_address=None,
                        silence_logs=logging.CRITICAL,
                        # the scheduler's health endpoint on any free port, not on 8787
                        # (taken by any other cluster on the machine, with a warning)
                        scheduler_kwargs={"dashboard_address": ":0"},
                    )
                self.client = Client(self.cluster)
                self.description = f"Dask LocalCluster ({n} worker processes)"
        except OSError as err:
            raise ScenarioError(
                f"--scheduler {self.address}: cannot connect to the Dask scheduler within "
                f"{self.connect_timeout:g} s ({err}); is it running and reachable from "
                "here? (--connect-timeout sets the wait)"
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

    def submit(self, tag: Any, fn: Callable[..., Any], *args: Any) -> None:
        future = self.client.submit(fn, *args, pure=False)
        self._futures[future.key] = (tag, future)
        self._done.add(future)

    def next_done(self) -> tuple[Any, Any, BaseException | None]:
        while not self._done.has_ready():
            self._check_workers()
            time.sleep(0.05)
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

    def _check_workers(self) -> None:
        """Raise NoWorkersError once the cluster has had no workers for too long."""
        now = time.monotonic()
        if now - self._last_check < WORKER_CHECK_SECONDS:
            return
        self._last_check = now
        try:
            n = len(self.client.nthreads(callback_timeout=WORKER_CHECK_SECONDS * 5))
        except Exception:  # the scheduler does not answer: no worker can be reached either
            n = 0
        if n:
            self._no_workers_since = None
            return
        if self._no_workers_since is None:
            self._no_workers_since = now
        elif now - self._no_workers_since >= self.no_workers_timeout:
            raise NoWorkersError(
                f"the {self.description} has had no workers for "
                f"{self.no_workers_timeout:g} s while {self.in_flight} batches waited; "
                "start workers and run the same command again to resume "
                "(--no-workers-timeout sets the wait)"
            )


@contextlib.contextmanager
def _workers_ignore_ctrl_c() -> Iterator[None]:
    """Worker processes started inside ignore SIGINT and SIGTERM: a terminal's Ctrl-C and a
    batch scheduler's SIGTERM reach the whole process group, and workers dying on their own
    would print tracebacks over the sweep's message. A process that starts with a signal
    ignored keeps it ignored (Python installs its KeyboardInterrupt handler only where SIGINT
    has its default action). The sweep stops its workers itself when interrupted, and they
    exit when it dies."""
    try:
        previous = {s: signal.signal(s, signal.SIG_IGN) for s in (signal.SIGINT, signal.SIGTERM)}
    except ValueError:  # not the main thread: signals cannot be changed here
        yield
        return
    try:
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)


def make_evaluator(
    workers: int | None = None, scheduler: str | None = None, **timeouts: float
) -> InProcessEvaluator | ProcessPoolEvaluator | DaskEvaluator:
    """`scheduler` (or DASK_SCHEDULER_ADDRESS when `workers` is not given) → that cluster;
    workers == 1 → in-process; otherwise a pool of `workers` processes on this machine
    (default: one per core). `timeouts`: `connect_timeout`, `no_workers_timeout` of
    DaskEvaluator. A malformed address is refused here, before anything connects or is
    written."""
    if scheduler is not None:
        return DaskEvaluator(address=check_address(scheduler, "--scheduler"), **timeouts)
    if workers == 1:
        return InProcessEvaluator()
    env = os.environ.get("DASK_SCHEDULER_ADDRESS")
    if workers is None and env:
        return DaskEvaluator(address=check_address(env, "DASK_SCHEDULER_ADDRESS"), **timeouts)
    return ProcessPoolEvaluator(workers)


NETWORK_PROTOCOLS = ("tcp", "tls", "ws", "wss")


def check_address(address: str, source: str) -> str:
    """A Dask scheduler address as `PROTOCOL://HOST:PORT` (`HOST:PORT` means tcp), or
    ScenarioError naming `source` (the flag or variable it came from)."""
    from distributed.comm.addressing import parse_address, parse_host_port
    from distributed.comm.registry import backends

    text = address.strip()
    if text and "://" not in text:
        text = f"tcp://{text}"
    try:
        protocol, location = parse_address(text, strict=True)
        if protocol in NETWORK_PROTOCOLS:
            host, port = parse_host_port(location)
            if not host or any(c.isspace() for c in host) or not 0 < int(port) < 65536:
                raise ValueError("no host or a port outside 1-65535")
        elif protocol not in backends or protocol == "inproc":
            raise ValueError(f"unknown protocol {protocol!r}")
    except (ValueError, TypeError):
        raise ScenarioError(
            f"{source} {address!r} is not a Dask scheduler address; write "
            "tcp://HOST:PORT, e.g. tcp://10.0.0.5:8786"
        ) from None
    return text


def is_killed_worker(err: BaseException) -> bool:
    """Whether a batch was lost with its worker process (Dask's KilledWorker, or a broken
    process pool) rather than failing by itself."""
    if isinstance(err, BrokenProcessPool):
        return True
    try:
        from distributed.scheduler import KilledWorker
    except ImportError:  # pragma: no cover - dask is a dependency
        return False
    return isinstance(err, KilledWorker)
