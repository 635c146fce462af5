"""A session's workbench: its background jobs (a comparison, a sweep), the latest result of
each, and what was typed into their tabs — kept for the whole session, so going to another
tab and back shows the same inputs and the same finished result until a new run replaces it.

One `Workbench` per session, made by the page when the session opens and closed with it
(its jobs cancelled, its folder of results removed). Each job kind has at most one job: a
new one cancels the one before. A job runs in its own thread (`jobs.Job.run`, which waits
for a slot and follows the job's process); when it finishes, its `on_done` turns the files
it wrote into the result the tab shows. `notify` tells the page that something changed.
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .jobs import DONE, FAILED, Job

if TYPE_CHECKING:
    from .guard import Limits


@dataclass(frozen=True)
class Setting:
    """What a comparison or a sweep starts from: the session's controls, seed text, policy
    timeline and district (the folder of its tables, if read from files), the session and
    its limits."""

    params: dict[str, Any]
    seed_text: str
    policy: tuple[dict[str, Any], ...]
    world: Path | None
    session: str
    limits: Limits

    def job_mb(self, months: int, lang: str = "en") -> float:
        """Memory (MB) a background job of `months` months on this world needs, counted in
        the district's tables where it is read from files; raises ScenarioError (the
        reason) for a world too large or too slow for a session."""
        from sim.core.params import ScenarioError
        from sim.core.scenario import load_district

        from .guard import job_estimate_mb, world_refusal

        district = load_district(self.world) if self.world is not None else None
        refusal = world_refusal(self.params, self.limits, lang, district=district)
        if refusal:
            raise ScenarioError(refusal)
        return job_estimate_mb(self.params, months, district)


class Workbench:
    """A session's background jobs, their latest results and the tabs' inputs."""

    def __init__(self, notify: Callable[[], None] | None = None) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="sim-app-"))
        self.notify = notify or (lambda: None)
        self.jobs: dict[str, Job] = {}
        self.results: dict[str, Any] = {}
        self.forms: dict[str, dict[str, Any]] = {}
        self.errors: dict[str, str] = {}
        self._count = 0
        self._lock = threading.Lock()
        self._threads: list[threading.Thread] = []
        self.closed = False
        self.version = 0

    def form(self, kind: str) -> dict[str, Any]:
        """The inputs of a tab (a dict the tab reads and writes)."""
        return self.forms.setdefault(kind, {})

    def new_folder(self, kind: str) -> Path:
        """A fresh folder for a job's files."""
        with self._lock:
            self._count += 1
            n = self._count
        folder = self.folder / f"{kind}-{n}"
        folder.mkdir(parents=True, exist_ok=True)
        return folder

    def running(self, kind: str) -> Job | None:
        """The job of this kind that has not finished, if any."""
        job = self.jobs.get(kind)
        return job if job is not None and not job.finished else None

    def submit(self, job: Job, on_done: Callable[[Job], Any]) -> None:
        """Start `job` (cancelling the job of its kind that runs); when it finishes, keep
        `on_done(job)` as the kind's result (an error in it is shown as the job's error)."""
        old = self.jobs.get(job.kind)
        if old is not None:
            old.cancel()
        self.jobs[job.kind] = job
        self.errors.pop(job.kind, None)

        def work() -> None:
            job.run(self.notify)
            if job.state == DONE and self.jobs.get(job.kind) is job and not self.closed:
                try:
                    self.results[job.kind] = on_done(job)
                except Exception as err:  # noqa: BLE001 - shown in the tab
                    traceback.print_exc()
                    job.state = FAILED
                    job.message = f"{type(err).__name__}: {err}"
            self.notify()

        thread = threading.Thread(target=work, name=f"job-{job.name}", daemon=True)
        self._threads.append(thread)
        thread.start()
        self.notify()

    def cancel(self, kind: str) -> None:
        job = self.jobs.get(kind)
        if job is not None:
            job.cancel()

    def close(self) -> None:
        """Cancel every job and remove the session's files once its jobs have stopped."""
        self.closed = True
        for job in list(self.jobs.values()):
            job.cancel()

        def remove() -> None:
            for thread in self._threads:
                thread.join(30)
            with contextlib.suppress(OSError):
                shutil.rmtree(self.folder, ignore_errors=True)

        threading.Thread(target=remove, name="workbench-close", daemon=True).start()
