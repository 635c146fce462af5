"""`python -m sim serve`: bad options stop it before it starts, its options reach every
session, and stopping it (SIGTERM or Ctrl-C) stops the server it started."""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys

import psutil
import pytest

from sim.interfaces.browser import controls, guard
from sim.interfaces.browser.browser import free_port, wait_until_up
from sim.interfaces.cli import serve
from sim.interfaces.cli.main import main


@pytest.mark.parametrize(
    "argv",
    [
        ["serve", "--set", "bogus=1"],
        ["serve", "--view", "street:x"],
        ["serve", "--scenario", "no_such_scenario"],
        ["serve", "--set", "n_streets=2000"],
        ["serve", "--session-memory-mb", "0"],
        ["serve", "--max-sessions", "-1"],
        ["serve", "--runs-dir", "no/such/folder"],
    ],
)
def test_serve_refuses_bad_options_before_starting(argv, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("error:") and err.count("\n") == 1


def test_a_too_large_starting_world_is_refused_with_the_reason(capsys):
    assert main(["serve", "--set", "n_streets=2000"]) == 2
    assert "per session" in capsys.readouterr().err


def test_serve_hands_its_options_to_the_sessions(tmp_path):
    args = argparse.Namespace(
        overrides=["n_streets=2"],
        scenario=None,
        seed="abc",
        lang="zh",
        view="street:0",
        scenario_dir=None,
        runs_dir=tmp_path,
        session_memory_mb=800.0,
        server_memory_mb=2000.0,
        max_sessions=3,
        cull_seconds=5.0,
    )
    env = serve.server_environment(args)
    assert env["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] == "False"
    assert env["SOLARA_KERNEL_CULL_TIMEOUT"] == "5s"
    s = controls.initial_settings(env)
    assert s.params["n_streets"] == 2 and s.seed_text == "abc" and s.lang == "zh"
    assert s.view == "street:0"
    limits = guard.Limits.from_env(env)
    assert (limits.session_mb, limits.server_mb, limits.max_sessions) == (800, 2000, 3)
    assert env["SIM_VIZ_RUNS_DIR"] == str(tmp_path.resolve())


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_stopping_serve_stops_the_server_it_started(sig, tmp_path):
    port = free_port()
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "sim", "serve", "--port", str(port), "--set", "n_streets=1"],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        wait_until_up(f"http://127.0.0.1:{port}/", proc)
        children = psutil.Process(proc.pid).children(recursive=True)
        assert children, "serve started no server"
        os.kill(proc.pid, sig)  # to `python -m sim serve` only, as a service manager does
        assert proc.wait(30) == 0
        gone, alive = psutil.wait_procs(children, timeout=15)
        assert alive == []
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    with pytest.raises(OSError):
        import urllib.request

        urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2)
