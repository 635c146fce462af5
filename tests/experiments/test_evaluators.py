"""Evaluators (sim.experiments.evaluators) as `python -m sim sweep` uses them: a scheduler
address is checked before anything connects or is written, an unreachable scheduler fails
within the configured time, and a cluster that loses its only worker stops the sweep with
exit code 1 within the configured time, the finished runs kept."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sim.core.params import ScenarioError
from sim.experiments.evaluators import check_address, make_evaluator
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
