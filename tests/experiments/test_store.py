"""The sweep results store (sim.experiments.store): parts are written atomically, every run is read
once (OK beats failed, latest wins), and a folder has one writer at a time."""

from __future__ import annotations

import os
import subprocess
import sys

import pandas as pd
import pytest

from sim.experiments.store import ResultsError, RunStore


def row(key: str, status: str = "ok", value: float = 1.0) -> dict:
    return {
        "key": key,
        "arm": "a",
        "point": 0,
        "replicate": 0,
        "seed": 1,
        "status": status,
        "error": None if status == "ok" else "RuntimeError: boom",
        "mean_satisfaction_mean": value if status == "ok" else float("nan"),
    }


def test_runs_are_deduplicated_by_key_ok_beats_failed_and_latest_wins(tmp_path):
    store = RunStore.create(tmp_path)
    store.append([row("k1", "failed"), row("k2", value=0.2)])
    store.append([row("k1", value=0.5), row("k2", value=0.3)])
    store.append([row("k1", "failed")])  # a later failure never hides an OK result
    runs = store.runs().set_index("key")
    assert sorted(runs.index) == ["k1", "k2"]
    assert runs.loc["k1", "status"] == "ok" and runs.loc["k1", "mean_satisfaction_mean"] == 0.5
    assert runs.loc["k2", "mean_satisfaction_mean"] == 0.3
    assert store.statuses() == {"k1": "ok", "k2": "ok"}


def test_failed_only_keys_report_failed(tmp_path):
    store = RunStore.create(tmp_path)
    store.append([row("k1", "failed"), row("k2")])
    assert store.statuses() == {"k1": "failed", "k2": "ok"}


def test_series_are_written_with_their_runs_and_deduplicated_by_key_and_step(tmp_path):
    store = RunStore.create(tmp_path)
    s = pd.DataFrame({"key": ["k1", "k1"], "step": [1, 2], "needs_met": [0.1, 0.2]})
    store.append([row("k1")], s)
    store.append([row("k1")], s.assign(needs_met=[0.3, 0.4]))
    got = store.series()
    assert list(got["needs_met"]) == [0.3, 0.4]
    assert len(list((tmp_path / "series").glob("part-*.parquet"))) == 2


def test_leftover_temporary_files_are_never_read(tmp_path):
    store = RunStore.create(tmp_path)
    store.append([row("k1")])
    (tmp_path / "runs" / ".part-x.parquet.123-abcd.partial").write_bytes(b"half a file")
    assert list(store.runs()["key"]) == ["k1"]


def test_a_corrupt_part_is_reported_by_name(tmp_path):
    store = RunStore.create(tmp_path)
    (tmp_path / "runs" / "part-0-bad.parquet").write_bytes(b"not parquet")
    with pytest.raises(ResultsError, match="part-0-bad.parquet: unreadable part file"):
        store.runs()


def test_a_part_that_is_a_folder_or_lacks_a_column_is_reported_not_read_as_empty(tmp_path):
    store = RunStore.create(tmp_path)
    store.append([row("k1")])
    (tmp_path / "runs" / "part-1-folder.parquet").mkdir()
    with pytest.raises(ResultsError, match="part-1-folder.parquet: not a file"):
        store.runs()
    (tmp_path / "runs" / "part-1-folder.parquet").rmdir()
    pd.DataFrame([row("k2")]).drop(columns="arm").to_parquet(tmp_path / "runs" / "part-2.parquet")
    with pytest.raises(ResultsError, match="part-2.parquet: a part file without the column 'arm'"):
        store.runs()


def test_compact_keeps_the_same_runs_in_one_part(tmp_path):
    store = RunStore.create(tmp_path)
    for i in range(5):
        store.append([row(f"k{i}"), row("k0", value=float(i))])
    before = store.runs().sort_values("key").reset_index(drop=True)
    store.compact()
    assert len(list((tmp_path / "runs").glob("part-*.parquet"))) == 1
    after = store.runs().sort_values("key").reset_index(drop=True)
    pd.testing.assert_frame_equal(before, after, check_dtype=False)


def test_open_refuses_a_folder_that_is_not_a_sweeps(tmp_path):
    with pytest.raises(ResultsError, match="no such results folder"):
        RunStore.open(tmp_path / "absent")
    with pytest.raises(ResultsError, match="not a sweep results folder"):
        RunStore.open(tmp_path)


def test_create_refuses_a_file(tmp_path):
    (tmp_path / "f").write_text("x")
    with pytest.raises(ResultsError, match="exists and is a file"):
        RunStore.create(tmp_path / "f")


def test_one_writer_at_a_time_and_stale_locks_are_taken_over(tmp_path):
    store = RunStore.create(tmp_path)
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        (tmp_path / "sweep.lock").write_text(str(sleeper.pid))
        with pytest.raises(ResultsError, match=f"another sweep \\(process {sleeper.pid}\\)"):
            with store.lock():
                pass
    finally:
        sleeper.kill()
        sleeper.wait()
    with store.lock():  # the holder is gone: its lock is stale
        assert (tmp_path / "sweep.lock").read_text() == str(os.getpid())
    assert not (tmp_path / "sweep.lock").exists()


def dead_pid() -> int:
    """The id of a process that has finished (and been reaped)."""
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_the_writer_removes_temporary_files_of_killed_writers_but_not_of_live_ones(tmp_path):
    store = RunStore.create(tmp_path)
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        dead = [
            tmp_path / f".sweep.json.{dead_pid()}-ab12.partial",
            tmp_path / "runs" / f".part-1.parquet.{dead_pid()}-cd34.partial",
            tmp_path / "series" / f".part-1.parquet.{dead_pid()}-ef56.partial",
        ]
        live = tmp_path / "runs" / f".part-2.parquet.{sleeper.pid}-0a0b.partial"
        for path in [*dead, live]:
            path.write_bytes(b"half a file")
        with store.lock():
            assert not any(p.exists() for p in dead)
            assert live.exists()
    finally:
        sleeper.kill()
        sleeper.wait()


DAMAGE = {
    "sweep.json not JSON": ("sweep.json", b"{not json", "unreadable"),
    "sweep.json a list": ("sweep.json", b"[]", "not the experiment's definition"),
    "sweep.json empty": ("sweep.json", b"{}", "no key 'name'"),
    "sweep.json wrong type": ("sweep.json", {"replicates": "three"}, "replicates"),
    "sweep.json unknown kind": ("sweep.json", {"kind": "factorial"}, "kind"),
    "sweep.json unknown statistic": ("sweep.json", {"statistic": "median"}, "statistic"),
    "sweep.json factor without levels": ("sweep.json", {"factors": [{"name": "x"}]}, "factors"),
    "sweep.json factors of a sampled design": ("sweep.json", {"kind": "sobol"}, "factors"),
    "design.parquet missing": ("design.parquet", None, "missing"),
    "design.parquet truncated": ("design.parquet", 100, "unreadable"),
    "plan.parquet missing": ("plan.parquet", None, "missing"),
    "plan.parquet truncated": ("plan.parquet", 100, "unreadable"),
}


@pytest.fixture(scope="module")
def finished_sweep(tmp_path_factory):
    from sim.interfaces.cli.main import main
    from tests.helpers import tiny_experiment

    folder = tmp_path_factory.mktemp("sweep")
    out = folder / "res"
    assert (
        main(
            ["sweep", str(tiny_experiment(folder)), "--out", str(out), "--workers", "1", "--quiet"]
        )
        == 0
    )
    return out


@pytest.mark.parametrize("case", sorted(DAMAGE))
def test_report_of_a_damaged_results_folder_exits_2_naming_the_file(
    case, finished_sweep, tmp_path, capsys
):
    import json
    import shutil

    from sim.interfaces.cli.main import main

    name, damage, words = DAMAGE[case]
    root = tmp_path / "res"
    shutil.copytree(finished_sweep, root)
    path = root / name
    if isinstance(damage, bytes):
        path.write_bytes(damage)
    elif isinstance(damage, int):
        path.write_bytes(path.read_bytes()[:damage])
    elif isinstance(damage, dict):
        info = json.loads(path.read_text())
        path.write_text(json.dumps({**info, **damage}))
    else:
        path.unlink()
    assert main(["report", str(root)]) == 2
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err
    assert lines[0].startswith(f"error: {path}") and words in lines[0], lines[0]
    assert "run the sweep again" in lines[0]
    assert not (root / "report" / "report.md").exists()


def test_report_of_a_store_with_no_finished_run_exits_2(finished_sweep, tmp_path, capsys):
    import shutil

    from sim.interfaces.cli.main import main

    root = tmp_path / "res"
    shutil.copytree(finished_sweep, root)
    for part in (root / "runs").glob("part-*.parquet"):
        part.unlink()
    assert main(["report", str(root)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: {root}: no finished runs to report (0 failed, 4 not run")
    assert len(err.strip().splitlines()) == 1
    assert not (root / "report" / "report.md").exists()
