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
    return {"key": key, "arm": "a", "point": 0, "replicate": 0, "seed": 1, "status": status,
            "error": None if status == "ok" else "RuntimeError: boom",
            "mean_satisfaction_mean": value if status == "ok" else float("nan")}


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
