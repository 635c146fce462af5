"""`python -m sim serve`: bad options stop it before it starts, its options reach every
session, and stopping it (SIGTERM or Ctrl-C) stops the server it started."""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys

import numpy as np
import pandas as pd
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


def must_not_start(*args, **kwargs):
    raise AssertionError("the server started although its options were refused")


@pytest.mark.parametrize(
    "argv, needles",
    [
        (["--view", "street:99"], ["--view 'street:99'", "streets 0..9"]),
        (["--view", "street:١"], ["--view 'street:١'", "district, map or street:<n>"]),
        (["--view", "street:" + "9" * 40], ["district, map or street:<n>"]),
        (["--host", "999.1.1.1"], ["--host '999.1.1.1'", "not an address"]),
        (["--host", "8.8.8.8"], ["--host '8.8.8.8'", "cannot listen"]),
        (["--session-month-seconds", "0"], ["--session-month-seconds", "positive"]),
        (["--session-month-seconds", "nan"], ["--session-month-seconds", "positive"]),
        (["--session-month-seconds", "0.001"], ["the starting world", "too slow"]),
    ],
)
def test_serve_refuses_what_the_sessions_could_not_use(argv, needles, capsys, monkeypatch):
    monkeypatch.setattr(serve.subprocess, "Popen", must_not_start)
    assert main(["serve", "--port", "0", *argv]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error:") and err.count("\n") == 1
    assert all(n in err for n in needles), err


def test_a_port_in_use_is_refused_before_starting(capsys, monkeypatch):
    monkeypatch.setattr(serve.subprocess, "Popen", must_not_start)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["serve", "--port", str(port)]) == 2
    assert f"--port {port}: the server cannot listen" in capsys.readouterr().err


def district(folder, streets: int, communities: int, compounds: int) -> str:
    """A scenario whose world is tables of ids in `folder`; its path."""
    folder.mkdir()
    comm = pd.DataFrame(
        {"community": range(communities), "street": np.arange(communities) % streets}
    )
    comm.to_csv(folder / "communities.csv", index=False)
    pd.DataFrame(
        {"compound": range(compounds), "community": np.arange(compounds) % communities}
    ).to_csv(folder / "compounds.csv", index=False)
    scenario = folder.parent / f"{folder.name}.toml"
    scenario.write_text(f'[world]\nfolder = "{folder.name}"\n')
    return str(scenario)


def test_a_starting_world_read_from_tables_is_sized_by_its_tables(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(serve.subprocess, "Popen", must_not_start)
    big = district(tmp_path / "big", 1, 10, 100_000)
    assert main(["serve", "--port", "0", "--scenario", big]) == 2
    err = capsys.readouterr().err
    assert "the starting world: World too large" in err and "per session" in err
    small = district(tmp_path / "small", 3, 6, 12)
    assert main(["serve", "--port", "0", "--scenario", small, "--view", "street:3"]) == 2
    assert "the starting world has streets 0..2" in capsys.readouterr().err


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


def test_a_session_may_start_on_the_map_of_the_real_district():
    from sim.interfaces.cli.main import build_parser

    args = build_parser().parse_args(["serve", "--scenario", "chengdu_wuhou", "--view", "map"])
    s = controls.initial_settings(serve.server_environment(args))
    assert s.view == "map" and s.world is not None and s.world.name == "chengdu_wuhou"
