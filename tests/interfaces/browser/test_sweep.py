"""The Sweep tab's experiments: the session's world and one factor as an experiment file
that `python -m sim sweep` runs, and the tables read back from its results."""

from __future__ import annotations

import subprocess
import sys
import tomllib

import numpy as np
import pandas as pd
import pytest

from sim.core.params import ScenarioError, defaults
from sim.experiments.definition import load_sweep
from sim.interfaces.browser import sweep as sw
from tests.conftest import SMALL

PARAMS = {**defaults(), **SMALL, "n_streets": 2}
PILOT = ({"month": 3, "set": {"responsibility_list": True}, "streets": [1], "label": "pilot"},)


def spec(**changes) -> sw.SweepSpec:
    base = sw.SweepSpec("xa_one_shoulder", (0.0, 1.0), PARAMS, 7, 14, 2, PILOT, None)
    return sw.SweepSpec(**{**base.__dict__, **changes})


def test_default_values_spread_over_the_range_and_typed_values_are_checked():
    assert sw.default_values("xa_one_shoulder", [], 60) == [0.0, 0.25, 0.5, 0.75, 1.0]
    assert sw.default_values("responsibility_list", [], 60) == [False, True]
    assert sw.default_values("policy.pilot.month", PILOT, 60) == [1, 16, 30, 45, 60]
    assert sw.parse_values("0, .5; 1", "xa_one_shoulder", []) == [0.0, 0.5, 1.0]
    assert sw.parse_values("false, yes", "mirror_ban", []) == [False, True]
    assert sw.parse_values("6, 12", "policy.pilot.month", PILOT) == [6, 12]
    for text, name, what in (
        ("", "xa_one_shoulder", "no values"),
        ("0.2, x", "xa_one_shoulder", "'x' is not a number"),
        ("maybe", "mirror_ban", "true or false"),
        ("6.5", "policy.pilot.month", "not a whole number"),
        ("0.1, 0.1", "xa_one_shoulder", "given twice"),
    ):
        with pytest.raises(ScenarioError, match=what):
            sw.parse_values(text, name, PILOT if name.startswith("policy") else [])


def test_the_timeline_s_fields_can_be_swept():
    assert sw.timeline_fields(PILOT) == ["policy.pilot.month", "policy.pilot.responsibility_list"]
    unnamed = ({"month": 5, "share": 0.5, "seed": 1, "set": {"xa_one_shoulder": 0.2}},)
    assert sw.timeline_fields(unnamed) == [
        "policy.1.month",
        "policy.1.share",
        "policy.1.xa_one_shoulder",
    ]


def test_the_experiment_holds_the_session_s_world_timeline_and_every_parameter(tmp_path):
    s = spec(outcomes=("one_shoulder_share",))
    path = sw.write_experiment(s, tmp_path)
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    assert data["factors"] == {"xa_one_shoulder": [0.0, 1.0]}
    assert data["steps"] == 14 and data["replicates"] == 2 and data["seed"] == 7
    assert data["window"] == 12 and data["outcomes"] == ["one_shoulder_share"]
    defn = load_sweep(path)
    assert {k: v for k, v in defn.base.items() if k != "xa_one_shoulder"} == {
        k: v for k, v in PARAMS.items() if k != "xa_one_shoulder"
    }
    assert defn.timeline.to_list() == [
        {"month": 3, "set": {"responsibility_list": True}, "streets": [1], "label": "pilot"}
    ]
    timed = sw.write_experiment(spec(factor="policy.pilot.month", values=(2, 5)), tmp_path / "t")
    assert [f.name for f in load_sweep(timed).factors] == ["policy.pilot.month"]


def test_an_experiment_the_loader_refuses_is_refused_before_anything_runs(tmp_path):
    with pytest.raises(ScenarioError, match="xa_one_shoulder"):
        sw.write_experiment(spec(values=(0.0, 1.5)), tmp_path)
    with pytest.raises(ScenarioError, match="month"):
        sw.write_experiment(spec(factor="policy.pilot.month", values=(0, 3)), tmp_path / "m")


def _sweep(experiment, out):
    done = subprocess.run(sw.command(experiment, out), capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_the_saved_experiment_run_on_the_command_line_gives_the_same_tables(tmp_path):
    s = spec(outcomes=("one_shoulder_share", "satisfaction_mean"))
    experiment = sw.write_experiment(s, tmp_path / "tab")
    _sweep(experiment, tmp_path / "tab" / "results")  # what the tab runs
    saved = tmp_path / "saved.toml"
    saved.write_text(sw.experiment_toml(s), encoding="utf-8")  # what "Save" downloads
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "sim",
            "sweep",
            str(saved),
            "--out",
            str(tmp_path / "cli"),
            "--workers",
            "1",
            "--quiet",
        ],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    mine = sw.runs_table(tmp_path / "tab" / "results")
    theirs = sw.runs_table(tmp_path / "cli")
    pd.testing.assert_frame_equal(mine, theirs)
    assert len(mine) == 4 and (mine["status"] == "ok").all()
    outcomes = ["one_shoulder_share", "satisfaction_mean"]
    pd.testing.assert_frame_equal(
        sw.effects_table(tmp_path / "tab" / "results", outcomes),
        sw.effects_table(tmp_path / "cli", outcomes),
    )


def test_effects_are_the_replicates_mean_and_the_paired_difference_from_the_first_value(
    tmp_path,
):
    s = spec(values=(0.0, 1.0), replicates=3, months=15)
    experiment = sw.write_experiment(s, tmp_path)
    _sweep(experiment, tmp_path / "results")
    runs = sw.runs_table(tmp_path / "results")
    effects = sw.effects_table(tmp_path / "results", ["one_shoulder_share"])
    low = runs[runs["xa_one_shoulder"] == 0.0]["mean_one_shoulder_share"].to_numpy()
    high = runs[runs["xa_one_shoulder"] == 1.0]["mean_one_shoulder_share"].to_numpy()
    first, second = effects.iloc[0], effects.iloc[1]
    assert first["value"] == 0.0 and first["diff"] == 0.0 and np.isnan(first["diff_low"])
    assert np.isclose(second["mean"], high.mean()) and second["n"] == 3
    assert np.isclose(second["diff"], np.mean(high - low))  # paired by replicate seed
    assert second["diff_low"] <= second["diff"] <= second["diff_high"]
    assert sw.runs_done(tmp_path / "results") == 6
