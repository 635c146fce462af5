"""Ctrl-C and SIGTERM (sim.interfaces.cli.interrupts) on a running sweep, in a real process
group as a terminal or a batch scheduler delivers them: the first signal stops cleanly and
quietly, keeps what finished, logs the session and releases the lock; a second one exits
within 2 s. The progress bar goes to stderr only for a terminal or with --progress."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sim.interfaces.cli.main import main
from tests.helpers import tiny_experiment

REPO = Path(__file__).resolve().parents[3]


def interrupted_sweep(
    tmp_path: Path, signals: list[int], *workers: str
) -> tuple[subprocess.CompletedProcess, float, Path]:
    """Start a long sweep in its own process group, wait for its first stored run, send
    `signals` to the whole group 0.3 s apart; return the finished process, the seconds from
    the first signal to its exit, and the results folder."""
    out = tmp_path / "res"
    cmd = [
        sys.executable,
        "-m",
        "sim",
        "sweep",
        str(tiny_experiment(tmp_path, 600, 40)),
        "--out",
        str(out),
        "--batch-size",
        "1",
        *workers,
    ]
    proc = subprocess.Popen(
        cmd,
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 120
        while not list((out / "runs").glob("part-*.parquet")):
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline, "no run was stored"
            time.sleep(0.05)
        first = time.monotonic()
        for i, sig in enumerate(signals):
            if i:
                time.sleep(0.3)
            os.killpg(proc.pid, sig)
        stdout, stderr = proc.communicate(timeout=60)
        took = time.monotonic() - first
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    return subprocess.CompletedProcess(cmd, proc.returncode, stdout, stderr), took, out


def last_session(out: Path) -> dict:
    return json.loads((out / "sessions.json").read_text())[-1]


def test_ctrl_c_with_the_local_cluster_is_quiet_keeps_the_runs_and_logs_the_session(tmp_path):
    done, _, out = interrupted_sweep(tmp_path, [signal.SIGINT], "--workers", "2")
    assert done.returncode == 130
    assert "Traceback" not in done.stderr and "KeyboardInterrupt" not in done.stderr
    assert "interrupted: " in done.stderr and "run the same command again" in done.stderr
    session = last_session(out)
    assert session["interrupted"] and session["signal"] == signal.SIGINT and session["ok"] >= 1
    assert not (out / "sweep.lock").exists()


def test_a_second_ctrl_c_exits_within_two_seconds(tmp_path):
    done, took, out = interrupted_sweep(tmp_path, [signal.SIGINT, signal.SIGINT], "--workers", "2")
    assert done.returncode == 130 and took < 2.0 + 0.3, took
    assert "Traceback" not in done.stderr
    assert last_session(out)["interrupted"]
    assert not (out / "sweep.lock").exists()


@pytest.mark.parametrize("workers", ["1", "2"])
def test_sigterm_is_handled_like_ctrl_c_and_exits_143(tmp_path, workers):
    done, _, out = interrupted_sweep(tmp_path, [signal.SIGTERM], "--workers", workers)
    assert done.returncode == 143, done.stderr
    assert "Traceback" not in done.stderr
    assert "terminated: " in done.stderr and "run the same command again" in done.stderr
    session = last_session(out)
    assert session["interrupted"] and session["signal"] == signal.SIGTERM
    assert not (out / "sweep.lock").exists()


def test_sigterm_during_a_run_leaves_no_run_folder(tmp_path):
    scenario = tmp_path / "tiny.toml"
    scenario.write_text("n_streets = 1\ncommunities_per_street = 2\n")
    out = tmp_path / "run"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "sim",
            "run",
            str(scenario),
            "--steps",
            "100000",
            "--out",
            str(out),
            "--no-figures",
        ],
        cwd=REPO,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    while not out.exists():
        assert proc.poll() is None and time.monotonic() < deadline
        time.sleep(0.05)
    time.sleep(1)
    proc.send_signal(signal.SIGTERM)
    _, stderr = proc.communicate(timeout=30)
    assert proc.returncode == 143 and "terminated (SIGTERM)" in stderr
    assert "Traceback" not in stderr and not out.exists()


def test_an_interruption_before_the_runs_start_is_logged_too(tmp_path, monkeypatch, capsys):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr("sim.experiments.store.RunStore.save_definition", interrupted)
    out = tmp_path / "res"
    assert (
        main(
            [
                "sweep",
                str(tiny_experiment(tmp_path)),
                "--out",
                str(out),
                "--workers",
                "1",
                "--quiet",
            ]
        )
        == 130
    )
    assert "interrupted" in capsys.readouterr().err
    session = last_session(out)
    assert session["interrupted"] and session["ran"] == 0
    assert not (out / "sweep.lock").exists()


def test_the_progress_bar_goes_to_stderr_only_when_asked_for_off_a_terminal(tmp_path, capsys):
    path = tiny_experiment(tmp_path, 3, 1)
    assert main(["sweep", str(path), "--out", str(tmp_path / "a"), "--workers", "1"]) == 0
    quiet = capsys.readouterr()
    assert "sweep:" not in quiet.err and "run/s" not in quiet.err
    assert (
        main(["sweep", str(path), "--out", str(tmp_path / "b"), "--workers", "1", "--progress"])
        == 0
    )
    shown = capsys.readouterr()
    assert "sweep: 100%" in shown.err and "sweep:" not in shown.out
