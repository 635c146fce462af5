"""Sweeps from Python (sim.sweep, sim.load_results, sim.compare): a definition file or a dict
runs like `python -m sim sweep`, and the tables it returns are the very tables `python -m sim
report` writes as CSV."""

from __future__ import annotations

import tomllib
import warnings
from pathlib import Path

import pandas as pd
import pytest

import sim
from sim.core.params import ScenarioError
from sim.experiments.definition import definition_toml, load_sweep
from sim.interfaces.cli.main import main

REPO = Path(__file__).resolve().parents[2]
TINY = {
    "description": "cross-appointment push against none, tiny world",
    "scenario": "baseline",
    "steps": 6,
    "replicates": 3,
    "seed": 5,
    "outcomes": ["needs_met", "satisfaction_mean"],
    "design": {"kind": "arms", "reference": "none"},
    "arms": {"none": {"xa_one_shoulder": 0.0}, "push": {"xa_one_shoulder": 1.0}},
    "fixed": {
        "n_streets": 1,
        "communities_per_street": 2,
        "compounds_per_community": 2,
        "households_per_compound": 30,
    },
}


@pytest.fixture(scope="module")
def swept(tmp_path_factory) -> sim.SweepResults:
    out = tmp_path_factory.mktemp("api") / "xa"
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no run fails
        return sim.sweep(TINY, out=out, workers=1, name="xa_tiny")


def test_a_dict_definition_runs_every_arm_and_replicate(swept):
    assert swept.name == "xa_tiny" and swept.counts() == {"ok": 6, "failed": 0, "missing": 0}
    definition = tomllib.loads((swept.root / "definition.toml").read_text(encoding="utf-8"))
    assert definition == TINY


def test_a_second_call_resumes_and_runs_nothing(swept):
    again = sim.sweep(TINY, out=swept.root, workers=1, name="xa_tiny")
    assert again.sessions[-1]["ran"] == 0 and again.sessions[-1]["already_ok"] == 6
    pd.testing.assert_frame_equal(again.arms(), swept.arms())


def test_the_tables_are_the_reports_csv_files(swept, tmp_path):
    assert main(["report", str(swept.root), "--out", str(tmp_path), "-q", "--format", "png"]) == 0
    tables = sim.load_results(swept.root).tables()
    assert set(tables) == {"arms", "differences"}
    assert {p.stem for p in tmp_path.glob("*.csv")} == set(tables)
    for name, table in tables.items():
        pd.testing.assert_frame_equal(pd.read_csv(tmp_path / f"{name}.csv"), table)
    pd.testing.assert_frame_equal(tables["arms"], swept.arms())
    pd.testing.assert_frame_equal(tables["differences"], swept.differences())


def test_compare_gives_the_reports_difference_and_its_mirror_image(swept):
    push = sim.compare(swept, "push", "none")
    pd.testing.assert_frame_equal(push, swept.differences())
    mirror = sim.compare(swept.root, "none", "push")
    assert list(mirror["diff"]) == pytest.approx(list(-push["diff"]))
    assert list(mirror["low"]) == pytest.approx(list(-push["high"]))
    with pytest.raises(ScenarioError, match="no arm 'all'; the arms are none, push"):
        sim.compare(swept, "all", "none")


def test_a_bad_definition_is_refused_before_anything_runs(tmp_path):
    bad = {**TINY, "replicates": 0}
    with pytest.raises(ScenarioError, match="replicates"):
        sim.sweep(bad, out=tmp_path / "out", workers=1)
    assert not (tmp_path / "out").exists()


def test_every_shipped_experiment_written_from_its_dict_reads_back_the_same():
    for path in sorted((REPO / "experiments").glob("*.toml")):
        if path.name.startswith("screen"):  # screen definitions: tests/experiments/test_screen.py
            continue
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        assert tomllib.loads(definition_toml(data)) == data, path.name
        again = load_sweep(path, text=definition_toml(data))
        assert again.to_dict() == load_sweep(path).to_dict(), path.name


# --- every arm's world is checked before any run -----------------------------------------------

PILOT = """description = "a pilot in street 2"
[structure]
n_streets = 3
communities_per_street = 2
compounds_per_community = 2
households_per_compound = 30

[[policy]]
month = 2
label = "pilot"
streets = [2]
[policy.set]
responsibility_list = true
"""


def test_a_timeline_naming_a_street_an_arm_removes_exits_2_before_any_run(tmp_path, capsys):
    (tmp_path / "pilot.toml").write_text(PILOT, encoding="utf-8")
    experiment = {
        "scenario": "pilot.toml",
        "steps": 3,
        "replicates": 1,
        "design": {"kind": "grid"},
        "factors": {"n_streets": [3, 2]},
    }
    path = tmp_path / "streets.toml"
    path.write_text(definition_toml(experiment), encoding="utf-8")
    out = tmp_path / "out"
    assert main(["sweep", str(path), "--out", str(out), "--workers", "1", "-q"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert "arm n_streets=2: the policy at month 2 (pilot) targets streets = [2]" in err
    assert "streets 0..1" in err and not out.exists()
    with pytest.raises(ScenarioError, match="street 2 does not exist"):
        sim.sweep(path, out=out, workers=1)
