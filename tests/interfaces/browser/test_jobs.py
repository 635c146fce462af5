"""Background jobs: each in its own process, at most one per session and `max_jobs` on the
server, within the memory cap, with progress and Cancel; a session's workbench keeps the
latest result of each kind."""

from __future__ import annotations

import os
import sys
import threading
import time
from pathlib import Path

import pytest

from sim.interfaces.browser import jobs
from sim.interfaces.browser.guard import Limits
from sim.interfaces.browser.workbench import Workbench

LIMITS = Limits(session_mb=1500, server_mb=100_000, max_sessions=20)


def python(code: str) -> list[str]:
    return [sys.executable, "-c", code]


def wait(predicate, timeout: float = 60.0) -> None:
    """Wait until `predicate()` holds (jobs run on a loaded machine: no fixed sleeps)."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.05)


def test_a_job_reports_its_progress_and_finishes(tmp_path):
    seen = []
    job = jobs.Job(
        "compare",
        python("import time\nfor i in range(1, 4):\n    print(f'progress {i} 3'); time.sleep(0.1)"),
        tmp_path,
        "s1",
        10.0,
        LIMITS,
    )
    job.run(lambda: seen.append((job.state, job.done)))
    assert job.state == jobs.DONE and job.done == 3 and job.total == 3
    assert (jobs.RUNNING, 0) in seen and job.returncode == 0


def test_a_failing_job_says_why_in_its_last_error_lines(tmp_path):
    job = jobs.Job(
        "sweep",
        python("import sys; sys.exit('bad.toml: steps = 0 must be >= 1')"),
        tmp_path,
        "s1",
        10.0,
        LIMITS,
    )
    job.run()
    assert job.state == jobs.FAILED and "steps = 0 must be >= 1" in job.message


def test_cancel_stops_the_process_at_once(tmp_path):
    marker = tmp_path / "pid"
    job = jobs.Job(
        "sweep",
        python(
            f"import os, time; open({str(marker)!r}, 'w').write(str(os.getpid())); time.sleep(600)"
        ),
        tmp_path,
        "s1",
        10.0,
        LIMITS,
    )
    thread = threading.Thread(target=job.run)
    thread.start()
    wait(lambda: marker.exists() and marker.read_text())
    pid = int(marker.read_text())
    job.cancel()
    thread.join(30)
    assert job.state == jobs.CANCELLED
    assert not Path(f"/proc/{pid}").exists() or _zombie(pid)


def _zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/status").read_text().split("State:")[1].split()[0] == "Z"
    except OSError:
        return True


def test_a_job_above_the_session_s_memory_cap_is_stopped_with_the_reason(tmp_path):
    tight = Limits(session_mb=120, server_mb=100_000, max_sessions=20)
    job = jobs.Job(
        "compare",
        python(
            "import time\nx = bytearray(400 * 2**20)\nx[::4096] = b'1' * len(x[::4096])\ntime.sleep(60)"
        ),
        tmp_path,
        "s1",
        10.0,
        tight,
    )
    job.run()
    assert job.state == jobs.FAILED
    assert "above this server's cap of 120 MB per session" in job.message
    assert job.peak_mb > 120


def test_one_job_per_session_and_the_server_s_slots_wait_in_order(tmp_path):
    release = tmp_path / "go"
    hold = python(f"import os, time\nwhile not os.path.exists({str(release)!r}): time.sleep(0.05)")
    first = jobs.Job("sweep", hold, tmp_path / "a", "s1", 10.0, LIMITS)
    same = jobs.Job("compare", hold, tmp_path / "b", "s1", 10.0, LIMITS)  # the same session
    other = jobs.Job("sweep", hold, tmp_path / "c", "s2", 10.0, LIMITS)
    threads = [threading.Thread(target=j.run, kwargs={"jobs": 2}) for j in (first, same, other)]
    threads[0].start()
    wait(lambda: first.state == jobs.RUNNING)
    threads[1].start()
    wait(lambda: same.place == 1)
    threads[2].start()
    wait(lambda: other.state == jobs.RUNNING)  # another session takes the second slot
    assert same.state == jobs.WAITING  # a session runs one job at a time
    assert jobs.SLOTS.running() == 2
    release.write_text("go")
    for t in threads:
        t.join(60)
    assert [j.state for j in (first, same, other)] == [jobs.DONE] * 3
    assert jobs.SLOTS.running() == 0 and jobs.SLOTS.waiting() == 0


def test_a_job_waits_while_the_server_s_memory_budget_is_spent(tmp_path):
    small = Limits(session_mb=1500, server_mb=50, max_sessions=20)
    job = jobs.Job("sweep", python("pass"), tmp_path, "s1", 80.0, small)
    thread = threading.Thread(target=job.run)
    thread.start()
    wait(lambda: job.place == 1)
    assert job.state == jobs.WAITING
    job.cancel()
    thread.join(30)
    assert job.state == jobs.CANCELLED


def test_resident_memory_is_read_from_the_process_table():
    assert jobs.rss_mb(os.getpid()) > 10
    assert jobs.rss_mb(2**22 + 12345) == 0.0  # no such process


def test_max_jobs_comes_from_the_environment_or_the_processors():
    assert jobs.max_jobs({jobs.ENV_MAX_JOBS: "3"}) == 3
    assert jobs.max_jobs({}) == max(os.cpu_count() or 1, 1)
    assert jobs.max_jobs({jobs.ENV_MAX_JOBS: "zero"}) == max(os.cpu_count() or 1, 1)


def test_the_workbench_keeps_the_latest_result_and_a_new_job_replaces_a_running_one(tmp_path):
    bench = Workbench()
    try:
        slow = jobs.Job(
            "sweep",
            python("import time; time.sleep(600)"),
            bench.new_folder("sweep"),
            "s1",
            10.0,
            LIMITS,
        )
        bench.submit(slow, lambda j: "never")
        wait(lambda: slow.state == jobs.RUNNING)
        quick = jobs.Job(
            "sweep", python("print('progress 1 1')"), bench.new_folder("sweep"), "s1", 10.0, LIMITS
        )
        bench.submit(quick, lambda j: f"result of {j.folder.name}")
        wait(lambda: "sweep" in bench.results)
        assert slow.state == jobs.CANCELLED
        assert bench.results["sweep"] == f"result of {quick.folder.name}"
        assert bench.running("sweep") is None
    finally:
        bench.close()
    wait(lambda: not bench.folder.exists())


def test_an_error_reading_a_finished_job_s_files_is_the_job_s_error(tmp_path):
    bench = Workbench()
    try:
        job = jobs.Job("compare", python("pass"), bench.new_folder("compare"), "s1", 10.0, LIMITS)

        def broken(_):
            raise FileNotFoundError("series.parquet")

        bench.submit(job, broken)
        wait(lambda: job.state == jobs.FAILED)
        assert "series.parquet" in job.message and "compare" not in bench.results
    finally:
        bench.close()


@pytest.fixture(autouse=True)
def _no_slots_left():
    yield
    assert jobs.SLOTS.running() == 0
