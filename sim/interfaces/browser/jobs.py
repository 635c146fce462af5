"""Background jobs of a browser session — a comparison, a sweep — each in a process of its
own, within the session's memory cap and the server's share of the processors, with progress
and Cancel.

All sessions share the server's one Python process; a comparison or a sweep run there would
hold the interpreter for minutes and make every other page wait. So a job is a child process
(`python -m sim sweep ...`, or this package's `worker` for a comparison), and the server:

* starts at most `max_jobs` of them at once (`--max-jobs`, default: the processors of the
  machine), each a single-threaded process at a lower priority (nice 10) than the pages, and
  at most one per session: a session's jobs use one processor at most; the rest wait their
  turn in order of submission, and the page shows their place;
* starts a job only while the memory the sessions reserve (`guard.ADMISSION`) and that of the
  jobs running, plus this one's estimate (`guard.job_estimate_mb`), fit in the server's
  budget (`--server-memory-mb`);
* watches each job's resident memory and stops a job that goes above the per-session cap
  (`--session-memory-mb`), saying so; Cancel stops it at once (SIGTERM, then SIGKILL).

A job reports progress as lines `progress DONE TOTAL` on its standard output, or through a
function the server polls (a sweep's results folder, which grows run by run). Its error
output is kept in a file beside its results for the message shown when it fails.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .guard import ADMISSION, Limits

ENV_MAX_JOBS = "SIM_VIZ_MAX_JOBS"
"""Environment variable `python -m sim serve --max-jobs` sets: jobs running at once."""
POLL_SECONDS = 0.5
"""How often a running job's memory, progress and Cancel are checked."""
NICENESS = 10
"""Scheduling priority of job processes below the server's (pages stay responsive)."""
KILL_GRACE = 5.0
"""Seconds a cancelled job has to stop after SIGTERM before SIGKILL."""
PROGRESS = "progress"


def max_jobs(environ: dict[str, str] | None = None) -> int:
    """Jobs the server runs at once: $SIM_VIZ_MAX_JOBS, else the machine's processors."""
    env = os.environ if environ is None else environ
    raw = env.get(ENV_MAX_JOBS, "").strip()
    if raw.isdigit() and int(raw) > 0:
        return int(raw)
    return max(os.cpu_count() or 1, 1)


# ------------------------------------------------------------------------------ slots
class Slots:
    """The server's job slots: who runs, who waits (in order), and the memory jobs hold.

    Thread-safe: each job waits for its slot in its own thread."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._running: dict[str, tuple[str, float]] = {}  # job -> (session, MB reserved)
        self._queue: list[tuple[str, str, float]] = []  # (job, session, MB), in order

    def acquire(
        self,
        job: str,
        session: str,
        mb: float,
        limits: Limits,
        jobs: int,
        cancelled: Callable[[], bool],
        waiting: Callable[[int], None] | None = None,
    ) -> bool:
        """Wait until `job` may start; False if it was cancelled while waiting. `waiting(k)`
        is told the job's place in the queue (1 = next) whenever it changes."""
        with self._cond:
            self._queue.append((job, session, mb))
            place = -1
            try:
                while True:
                    if cancelled():
                        return False
                    if self._may_start(job, limits, jobs):
                        self._running[job] = (session, mb)
                        return True
                    now = self._place(job)
                    if now != place and waiting is not None:
                        place = now
                        self._cond.release()
                        try:
                            waiting(place)
                        finally:
                            self._cond.acquire()
                    self._cond.wait(POLL_SECONDS)
            finally:
                self._queue = [q for q in self._queue if q[0] != job]
                self._cond.notify_all()

    def _may_start(self, job: str, limits: Limits, jobs: int) -> bool:
        """The first waiting job whose session runs nothing, if a slot and memory are free."""
        if len(self._running) >= jobs:
            return False
        busy = {s for s, _ in self._running.values()}
        held = sum(mb for _, mb in self._running.values())
        for name, session, mb in self._queue:
            if session in busy:
                continue
            if name != job:
                return False  # an earlier job goes first
            return ADMISSION.reserved_mb() + held + mb <= limits.server_mb
        return False

    def _place(self, job: str) -> int:
        """The job's place in the queue (1 = the first waiting)."""
        names = [q[0] for q in self._queue]
        return names.index(job) + 1 if job in names else 0

    def release(self, job: str) -> None:
        with self._cond:
            self._running.pop(job, None)
            self._cond.notify_all()

    def running(self) -> int:
        with self._cond:
            return len(self._running)

    def waiting(self) -> int:
        with self._cond:
            return len(self._queue)

    def reserved_mb(self) -> float:
        with self._cond:
            return sum(mb for _, mb in self._running.values())


SLOTS = Slots()
"""The one register of job slots of this server process."""


# ------------------------------------------------------------------------------ memory
def rss_mb(pid: int) -> float:
    """Resident memory (MB) of a process and its descendants (0 once it has gone)."""
    total, todo, seen = 0.0, [pid], set()
    while todo:
        p = todo.pop()
        if p in seen:
            continue
        seen.add(p)
        try:
            with open(f"/proc/{p}/status", encoding="ascii", errors="replace") as fh:
                for line in fh:
                    if line.startswith("VmRSS:"):
                        total += float(line.split()[1]) / 1024
                        break
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children", encoding="ascii") as fh:
                    todo.extend(int(c) for c in fh.read().split())
        except (OSError, ValueError):
            continue
    return total


# ------------------------------------------------------------------------------ jobs
WAITING, RUNNING, DONE, FAILED, CANCELLED = "waiting", "running", "done", "failed", "cancelled"


@dataclass
class Job:
    """One background job: a command run in its own process, and what became of it."""

    kind: str  # "compare" or "sweep"
    command: Sequence[str]
    folder: Path  # where the job writes its results (and its error output)
    session: str
    mb: float  # estimated memory (MB) reserved while it runs
    limits: Limits
    total: int = 1  # units of progress (months, runs)
    poll: Callable[[], int] | None = None  # progress read from outside, if not from stdout
    name: str = ""
    state: str = WAITING
    done: int = 0
    place: int = 0  # place in the queue while waiting
    message: str = ""  # why it failed or stopped
    peak_mb: float = 0.0
    seconds: float = 0.0  # wall time while running
    returncode: int | None = None
    _cancel: threading.Event = field(default_factory=threading.Event, repr=False)

    def __post_init__(self) -> None:
        if not self.name:
            self.name = f"{self.kind}-{id(self):x}"

    @property
    def finished(self) -> bool:
        return self.state in (DONE, FAILED, CANCELLED)

    @property
    def log(self) -> Path:
        return self.folder / "job-errors.log"

    def cancel(self) -> None:
        self._cancel.set()

    def run(self, changed: Callable[[], None] = lambda: None, jobs: int | None = None) -> None:
        """Wait for a slot, run the command, follow it to its end (call `changed` when its
        state or progress changes). Never raises."""
        try:
            self._run(changed, max_jobs() if jobs is None else jobs)
        except Exception as err:  # noqa: BLE001 - shown in the page, never lost in a thread
            self.state, self.message = FAILED, f"{type(err).__name__}: {err}"
        changed()

    def _run(self, changed: Callable[[], None], jobs: int) -> None:
        def waiting(place: int) -> None:
            self.place = place
            changed()

        if not SLOTS.acquire(
            self.name, self.session, self.mb, self.limits, jobs, self._cancel.is_set, waiting
        ):
            self.state = CANCELLED
            return
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            self.state, self.place = RUNNING, 0
            changed()
            self._follow(changed)
        finally:
            SLOTS.release(self.name)

    def _follow(self, changed: Callable[[], None]) -> None:
        start = time.monotonic()
        with open(self.log, "wb") as errors:
            proc = subprocess.Popen(
                list(self.command),
                stdout=subprocess.PIPE,
                stderr=errors,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
                env={**os.environ, "PYTHONUNBUFFERED": "1"},
            )
            with contextlib.suppress(OSError):
                os.setpriority(os.PRIO_PGRP, proc.pid, NICENESS)
            reader = threading.Thread(target=self._read, args=(proc, changed), daemon=True)
            reader.start()
            stopped = ""
            while proc.poll() is None:
                self.peak_mb = max(self.peak_mb, rss_mb(proc.pid))
                if self.peak_mb > self.limits.session_mb:
                    stopped = "memory"
                elif self._cancel.is_set():
                    stopped = "cancel"
                if stopped:
                    _stop(proc)
                    break
                if self.poll is not None:
                    with contextlib.suppress(Exception):
                        done = int(self.poll())
                        if done != self.done:
                            self.done = done
                            changed()
                self._cancel.wait(POLL_SECONDS)
            proc.wait()
            reader.join(5)
        self.seconds = time.monotonic() - start
        self.returncode = proc.returncode
        if stopped == "cancel":
            self.state = CANCELLED
        elif stopped == "memory":
            self.state = FAILED
            self.message = (
                f"stopped: the {self.kind} used {self.peak_mb:,.0f} MB, above this server's cap "
                f"of {self.limits.session_mb:,.0f} MB per session "
                "(python -m sim serve --session-memory-mb); use a smaller world or fewer runs"
            )
        elif proc.returncode == 0:
            if self.poll is not None:
                with contextlib.suppress(Exception):
                    self.done = int(self.poll())
            self.state = DONE
        else:
            self.state = FAILED
            self.message = _last_lines(self.log) or f"exit code {proc.returncode}"

    def _read(self, proc: subprocess.Popen, changed: Callable[[], None]) -> None:
        """Progress lines of the job's standard output."""
        assert proc.stdout is not None
        last = 0.0
        for raw in proc.stdout:
            parts = raw.decode("utf-8", "replace").split()
            if len(parts) == 3 and parts[0] == PROGRESS and parts[1].isdigit():
                self.done, self.total = int(parts[1]), max(int(parts[2]), 1)
                now = time.monotonic()
                if now - last > 0.25 or self.done >= self.total:
                    last = now
                    changed()


def _stop(proc: subprocess.Popen) -> None:
    """SIGTERM to the job's process group, SIGKILL if it has not stopped after a grace."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(KILL_GRACE)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)


def _last_lines(path: Path, n: int = 3) -> str:
    """The last non-empty lines of a job's error output (its one-line message, if any)."""
    try:
        lines = [ln for ln in path.read_text("utf-8", "replace").splitlines() if ln.strip()]
    except OSError:
        return ""
    return "\n".join(lines[-n:])
