"""The run store (sim.runs.folder): atomic writes, the refusal to overwrite results, and a run
folder that reads back exactly what was written."""

from __future__ import annotations

import json
from datetime import datetime

import numpy as np
import pandas as pd
import pytest

from sim.core.metrics import OUTCOMES
from sim.core.params import validate
from sim.core.scenario import Scenario
from sim.runs import folder as store
from sim.runs.runner import run
from tests.helpers import read_only

TINY = {
    "n_streets": 2,
    "communities_per_street": 3,
    "compounds_per_community": 3,
    "households_per_compound": 40,
}
STEPS = 8


@pytest.fixture(scope="module")
def tiny_run():
    params = validate(TINY)
    scenario = Scenario(
        name="tiny",
        description="tiny test world",
        params=params,
        steps=STEPS,
        seed=None,
        files=["tiny.toml"],
        overrides={},
    )
    return run(params, seed=3, steps=STEPS, communities=True), scenario


# --- atomic writes ---------------------------------------------------------------------------


def test_atomic_write_text_replaces_content_and_leaves_no_temporary_file(tmp_path):
    target = tmp_path / "a.txt"
    store.atomic_write_text(target, "first")
    store.atomic_write_text(target, "second")
    assert target.read_text() == "second"
    assert [p.name for p in tmp_path.iterdir()] == ["a.txt"]


def test_failed_write_leaves_neither_the_file_nor_a_temporary_file(tmp_path, monkeypatch):
    def broken(self, path, **kwargs):
        with open(path, "wb") as fh:
            fh.write(b"PAR1 half a table")
        raise OSError("disk full")

    monkeypatch.setattr(pd.DataFrame, "to_parquet", broken)
    with pytest.raises(OSError, match="disk full"):
        store.atomic_write_parquet(tmp_path / "t.parquet", pd.DataFrame({"x": [1]}))
    assert list(tmp_path.iterdir()) == []


def test_interrupted_write_keeps_the_previous_complete_file(tmp_path):
    target = tmp_path / "keep.txt"
    store.atomic_write_text(target, "complete")
    with pytest.raises(KeyboardInterrupt), store.atomic_path(target) as tmp:
        tmp.write_text("half")
        raise KeyboardInterrupt
    assert target.read_text() == "complete"
    assert [p.name for p in tmp_path.iterdir()] == ["keep.txt"]


def test_json_writes_non_finite_numbers_as_null(tmp_path):
    path = store.atomic_write_json(
        tmp_path / "x.json", {"a": float("nan"), "b": np.float64(1.5), "c": np.int64(2)}
    )
    assert json.loads(path.read_text()) == {"a": None, "b": 1.5, "c": 2}


# --- run folders -----------------------------------------------------------------------------


def test_check_out_dir_accepts_absent_or_empty_and_refuses_anything_else(tmp_path):
    assert store.check_out_dir(tmp_path / "new") == tmp_path / "new"
    (tmp_path / "empty").mkdir()
    store.check_out_dir(tmp_path / "empty")
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "x").write_text("results")
    with pytest.raises(store.RunFolderError, match="not empty"):
        store.check_out_dir(tmp_path / "full")
    with pytest.raises(store.RunFolderError, match="is a file"):
        store.check_out_dir(tmp_path / "full" / "x")


def test_default_run_dir_names_scenario_seed_and_time_and_never_an_existing_run(tmp_path):
    when = datetime(2026, 1, 9, 14, 30, 5)
    first = store.default_run_dir("base", 4, root=tmp_path, when=when)
    assert first == tmp_path / "base-seed4-20260109-143005"
    first.mkdir()
    assert store.default_run_dir("base", 4, root=tmp_path, when=when) == first  # empty: usable
    (first / "run.json").write_text("{}")
    assert store.default_run_dir("base", 4, root=tmp_path, when=when).name == first.name + "-2"


def test_written_run_reads_back_identically(tmp_path, tiny_run):
    result, scenario = tiny_run
    out = store.write_run(tmp_path / "r", result, scenario, csv=True, figures="all")
    back = store.read_run(out)

    pd.testing.assert_frame_equal(back["series"], result.series)
    pd.testing.assert_frame_equal(back["communities"], result.communities)
    for name in ("streets", "departments"):  # per street and per line department
        assert len(back[name]) > 0
        pd.testing.assert_frame_equal(back[name], getattr(result, name))
    assert back["params"] == result.params
    assert back["summary"] == pytest.approx(result.summary, nan_ok=True)
    assert back["run"]["seed"] == 3 and back["run"]["steps"] == STEPS
    assert back["run"]["world"] == result.meta
    assert {p.stem for p in back["figures"]} >= {
        "overview",
        "satisfaction",
        "needs_met",
        "disputes",
        "budget",
        "owners_committees",
        "trust",
        "participation",
        "community_satisfaction",
    }
    csv = pd.read_csv(out / "series.csv")
    assert list(csv.columns) == ["step", *OUTCOMES]
    assert len(csv) == STEPS


def test_run_json_lists_every_output_with_its_checksum(tmp_path, tiny_run):
    result, scenario = tiny_run
    out = store.write_run(tmp_path / "r", result, scenario, figures=False)
    record = json.loads((out / "run.json").read_text())
    files = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    assert set(record["outputs"]) == files - {"run.json"}
    for name, entry in record["outputs"].items():
        assert entry["bytes"] == (out / name).stat().st_size
        assert entry["sha256"] == store._sha256(out / name)


def test_write_run_refuses_a_folder_that_holds_results(tmp_path, tiny_run):
    result, scenario = tiny_run
    out = store.write_run(tmp_path / "r", result, scenario, figures=False)
    before = (out / "series.parquet").read_bytes()
    with pytest.raises(store.RunFolderError, match="never overwritten"):
        store.write_run(out, result, scenario)
    assert (out / "series.parquet").read_bytes() == before


def test_a_figure_that_fails_costs_no_table(tmp_path, tiny_run, monkeypatch):
    from sim.runs import figures

    def broken(*args, **kwargs):
        raise RuntimeError("no fonts")

    monkeypatch.setattr(figures, "write_figures", broken)
    result, scenario = tiny_run
    out = store.write_run(tmp_path / "r", result, scenario)
    back = store.read_run(out)
    assert "no fonts" in back["run"]["figures_error"]
    assert len(back["series"]) == STEPS


def test_folder_interrupted_before_run_json_is_refused_by_read_run(tmp_path, tiny_run, monkeypatch):
    from sim.runs import figures

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(figures, "write_figures", interrupted)
    result, scenario = tiny_run
    with pytest.raises(KeyboardInterrupt):
        store.write_run(tmp_path / "r", result, scenario)
    assert (tmp_path / "r" / "series.parquet").is_file()
    assert not (tmp_path / "r" / "run.json").exists()
    with pytest.raises(store.RunFolderError, match="incomplete"):
        store.read_run(tmp_path / "r")

    with pytest.raises(store.RunFolderError) as err:  # and a new run into it says so
        store.check_out_dir(tmp_path / "r")
    assert "holds an incomplete run" in str(err.value) and "delete the folder" in str(err.value)


def test_read_run_names_a_missing_folder(tmp_path):
    with pytest.raises(store.RunFolderError, match="no such run folder"):
        store.read_run(tmp_path / "nothing")


def test_a_folder_holding_only_what_a_killed_writer_left_counts_as_empty(tmp_path):
    import subprocess
    import sys

    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    out = tmp_path / "run"
    out.mkdir()
    debris = out / f".series.parquet.{proc.pid}-1a2b.partial"
    debris.write_bytes(b"half a table")
    assert store.check_out_dir(out) == out
    assert not debris.exists()


def test_prepare_dir_creates_the_folder_and_says_whether_it_did(tmp_path):
    assert store.prepare_dir(tmp_path / "a" / "b") is True
    assert (tmp_path / "a" / "b").is_dir()
    assert store.prepare_dir(tmp_path / "a" / "b") is False
    assert list((tmp_path / "a" / "b").iterdir()) == []  # the probe is gone


def test_prepare_dir_may_only_check_leaving_nothing_behind(tmp_path):
    assert store.prepare_dir(tmp_path / "a" / "b", keep=False) is True
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "where, says",
    [
        ("file", "exists and is a file, not a folder"),
        ("file/x", "cannot create the folder ("),
        ("x" * 5000, "cannot create the folder (File name too long)"),
    ],
)
def test_a_place_that_cannot_be_a_folder_is_refused_in_one_short_line(tmp_path, where, says):
    (tmp_path / "file").write_text("x")
    with pytest.raises(store.RunFolderError) as err:
        store.prepare_dir(tmp_path / where, "--out")
    message = str(err.value)
    assert message.startswith("--out ") and says in message
    assert "\n" not in message and len(message) < 300


def test_a_name_too_long_for_the_file_system_is_refused_when_checked_for_results(tmp_path):
    with pytest.raises(store.RunFolderError, match="cannot use this path .File name too long"):
        store.check_out_dir(tmp_path / ("x" * 5000))


def test_a_read_only_folder_is_refused_before_anything_is_written(tmp_path):
    (tmp_path / "ro").mkdir()
    with read_only(tmp_path / "ro") as ro:
        with pytest.raises(store.RunFolderError, match="cannot write in this folder"):
            store.prepare_dir(ro, "--out")
        with pytest.raises(store.RunFolderError, match="cannot create the folder"):
            store.prepare_dir(ro / "run", "--out")
