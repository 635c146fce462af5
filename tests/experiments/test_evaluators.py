"""Evaluators (sim.experiments.evaluators) as `python -m sim sweep` uses them: a scheduler
address is checked before anything connects or is written, an unreachable scheduler fails
within the configured time, and a cluster that loses its only worker stops the sweep with
exit code 1 within the configured time, the finished runs kept. A local process pool starts
its workers by forking where it can, reports a dead worker as such and carries on with a new
pool, and stops running batches at once when abandoned."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from sim.core.params import ScenarioError
from sim.experiments.evaluators import (
    InProcessEvaluator,
    ProcessPoolEvaluator,
    check_address,
    is_killed_worker,
    make_evaluator,
)
from sim.experiments.store import RunStore
from sim.interfaces.cli.main import main
from tests.helpers import tiny_experiment

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    "address, expected",
    [
        ("tcp://127.0.0.1:8786", "tcp://127.0.0.1:8786"),
        ("10.0.0.5:8786", "tcp://10.0.0.5:8786"),
        ("tls://scheduler.example:8786", "tls://scheduler.example:8786"),
        ("tcp://[::1]:8786", "tcp://[::1]:8786"),
    ],
)
def test_scheduler_addresses_are_accepted_with_or_without_protocol(address, expected):
    assert check_address(address, "--scheduler") == expected


@pytest.mark.parametrize(
    "address",
    [
        "not-an-address",
        "",
        " ",
        "tcp://host",
        "tcp://:8786",
        "tcp://host:99999",
        "tcp://host:0",
        "http://host:80",
        "inproc://x",
        "tcp://a host:1",
    ],
)
def test_malformed_scheduler_addresses_are_refused_naming_the_flag(address):
    with pytest.raises(ScenarioError, match=r"^--scheduler .* is not a Dask scheduler address"):
        make_evaluator(scheduler=address)


def test_a_malformed_address_in_the_environment_is_refused_naming_the_variable(monkeypatch):
    monkeypatch.setenv("DASK_SCHEDULER_ADDRESS", "nowhere")
    with pytest.raises(ScenarioError, match="^DASK_SCHEDULER_ADDRESS 'nowhere'"):
        make_evaluator()


def test_sweep_with_a_malformed_scheduler_exits_2_and_writes_nothing(tmp_path, capsys):
    out = tmp_path / "res"
    start = time.monotonic()
    code = main(
        [
            "sweep",
            str(tiny_experiment(tmp_path)),
            "--out",
            str(out),
            "--scheduler",
            "not-an-address",
            "--quiet",
        ]
    )
    err = capsys.readouterr().err
    assert code == 2 and time.monotonic() - start < 5
    assert err.strip() == (
        "error: --scheduler 'not-an-address' is not a Dask scheduler "
        "address; write tcp://HOST:PORT, e.g. tcp://10.0.0.5:8786"
    )
    assert not out.exists()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_an_unreachable_scheduler_fails_within_the_connect_timeout_leaving_no_folder(
    tmp_path, capsys
):
    out = tmp_path / "res"
    start = time.monotonic()
    code = main(
        [
            "sweep",
            str(tiny_experiment(tmp_path)),
            "--out",
            str(out),
            "--scheduler",
            f"tcp://127.0.0.1:{free_port()}",
            "--connect-timeout",
            "2",
            "--quiet",
        ]
    )
    took = time.monotonic() - start
    err = capsys.readouterr().err
    assert code == 2 and took < 15, (code, took)
    assert "cannot connect to the Dask scheduler within 2 s" in err
    assert len(err.strip().splitlines()) == 1 and not out.exists()


def start(*args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "dask", *args],
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)


def test_a_sweep_whose_only_worker_is_killed_stops_in_the_configured_time_keeping_its_runs(
    tmp_path,
):
    """A real dask-scheduler and dask-worker on loopback; the worker is killed once the
    first runs are stored."""
    address = f"tcp://127.0.0.1:{free_port()}"
    scheduler = start(
        "scheduler", "--host", "127.0.0.1", "--port", address.rsplit(":", 1)[1], "--no-dashboard"
    )
    worker = start("worker", address, "--nthreads", "1", "--no-nanny", "--no-dashboard")
    out = tmp_path / "res"
    wait = 6
    try:
        sweep = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "sim",
                "sweep",
                str(tiny_experiment(tmp_path, 400, 20)),
                "--out",
                str(out),
                "--scheduler",
                address,
                "--batch-size",
                "1",
                "--connect-timeout",
                "30",
                "--no-workers-timeout",
                str(wait),
            ],
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        deadline = time.monotonic() + 120
        while not list((out / "runs").glob("part-*.parquet")):
            assert sweep.poll() is None, sweep.communicate()
            assert time.monotonic() < deadline, "no run was stored"
            time.sleep(0.05)
        stop(worker)
        killed = time.monotonic()
        stdout, stderr = sweep.communicate(timeout=wait + 60)
        took = time.monotonic() - killed
    finally:
        for proc in (worker, scheduler):
            stop(proc)
        if sweep.poll() is None:
            sweep.kill()
    assert sweep.returncode == 1, stderr
    assert wait <= took < wait + 20, took
    assert "Traceback" not in stderr
    assert f"has had no workers for {wait} s" in stderr and "stopped:" in stderr
    stored = RunStore.open(out).statuses()
    assert 1 <= len(stored) < 40 and set(stored.values()) == {"ok"}
    session = json.loads((out / "sessions.json").read_text())[-1]
    assert session["ok"] == len(stored) and "no workers" in session["stopped"]
    assert not (out / "sweep.lock").exists()


# --- the local process pool ------------------------------------------------------------------


def square(x: int) -> tuple[int, int]:
    return x * x, os.getpid()


def die(_: int) -> None:
    os._exit(1)  # as if the process had been killed


def sleep(seconds: float) -> None:
    time.sleep(seconds)


def test_make_evaluator_picks_in_process_a_pool_or_a_scheduler(monkeypatch):
    monkeypatch.delenv("DASK_SCHEDULER_ADDRESS", raising=False)
    assert isinstance(make_evaluator(1), InProcessEvaluator)
    pool = make_evaluator(3)
    assert isinstance(pool, ProcessPoolEvaluator) and pool.n_workers == 3
    assert make_evaluator(scheduler="127.0.0.1:8786").address == "tcp://127.0.0.1:8786"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="fork is used on Linux")
def test_a_pool_forks_its_workers_unless_a_thread_runs_and_runs_every_batch_in_them():
    alone = threading.active_count() == 1  # other tests may have left threads running
    with ProcessPoolEvaluator(2) as pool:
        assert pool.start_method == ("fork" if alone else "spawn")
        assert ("forked" if alone else "spawned") in pool.description
        for x in range(6):
            pool.submit(x, square, x)
        done = [pool.next_done() for _ in range(6)]
    assert sorted((tag, result[0]) for tag, result, _ in done) == [(x, x * x) for x in range(6)]
    assert {result[1] for _, result, _ in done} - {os.getpid()}  # not run here
    assert all(err is None for _, _, err in done)


def test_a_dead_worker_is_reported_as_such_and_a_new_pool_takes_the_next_batches():
    with ProcessPoolEvaluator(2) as pool:
        pool.submit("dies", die, 0)
        tag, result, err = pool.next_done()
        assert tag == "dies" and result is None and is_killed_worker(err)
        pool.submit("after", square, 3)
        tag, result, err = pool.next_done()
        assert tag == "after" and err is None and result[0] == 9


def test_an_abandoned_pool_stops_its_running_batches_at_once():
    started = time.monotonic()
    with ProcessPoolEvaluator(2) as pool:
        pool.submit("long", sleep, 60)
        pool.submit("long too", sleep, 60)
        time.sleep(0.5)
        pool.cancel()  # what the sweep does on Ctrl-C
    assert time.monotonic() - started < 30


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="fork is used on Linux")
def test_the_sweep_command_forks_its_workers(tmp_path):
    out = tmp_path / "res"
    done = subprocess.run(
        [sys.executable, "-m", "sim", "sweep", str(tiny_experiment(tmp_path)), "--out", str(out)]
        + ["--workers", "2", "--quiet"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    session = json.loads((out / "sessions.json").read_text())[-1]
    assert session["evaluator"] == "process pool (2 worker processes, forked)"
    assert session["ok"] == 4 and "Warning" not in done.stderr
