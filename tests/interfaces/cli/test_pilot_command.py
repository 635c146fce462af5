"""`python -m sim pilot`: a pilot and its twin, the estimates printed and written, bad input
stopped with exit 2 before any run."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from sim.interfaces.cli.main import main
from tests.helpers import read_only
from tests.interfaces.cli.test_cli import assert_clean_error

SCENARIO = """[structure]
n_streets = 3
communities_per_street = 3
compounds_per_community = 3
households_per_compound = 40

[[policy]]
month = 4
label = "pilot"
streets = [0]
[policy.set]
devolution_share = 0.9
"""


def test_pilot_writes_the_report_estimates_and_figure(tmp_path, capsys):
    scenario = tmp_path / "pilot.toml"
    scenario.write_text(SCENARIO, encoding="utf-8")
    out = tmp_path / "out"
    code = main(
        [
            "pilot",
            str(scenario),
            "--steps",
            "8",
            "--replicates",
            "2",
            "--workers",
            "1",
            "--out",
            str(out),
            "--outcome",
            "needs_met",
        ]
    )
    assert code == 0
    printed = capsys.readouterr().out
    assert "true effect" in printed and "needs_met" in printed
    assert {p.name for p in out.iterdir()} >= {
        "report.md",
        "estimates.csv",
        "per_seed.csv",
        "trajectories.csv",
        "pilot.json",
        "figures",
    }
    assert (out / "figures" / "pilot.png").read_bytes()[:4] == b"\x89PNG"
    estimates = pd.read_csv(out / "estimates.csv")
    assert set(estimates["estimate"]) >= {"true_effect", "naive", "did", "spillover"}
    record = json.loads((out / "pilot.json").read_text())
    assert record["start"] == 4 and record["reform"][0]["streets"] == [0]
    assert "| `needs_met` |" in (out / "report.md").read_text()


def test_a_scenario_without_a_pilot_exits_2(tmp_path, capsys):
    code = main(["pilot", "baseline", "--out", str(tmp_path / "o")])
    assert_clean_error(capsys, code, "no reform to evaluate")
    assert not (tmp_path / "o").exists()


def must_not_run(*args, **kwargs):
    raise AssertionError("a run started although the pilot was refused")


@pytest.mark.parametrize(
    "extra, policy, needles",
    [
        (["--before", "100"], "", ["--before 100", "starts in month 4", "3 or fewer"]),
        ([], 'community_types = ["Old"]\n', ["community_types", "'Old' is not a community type"]),
        ([], 'community_types = ["slum"]\n', ["'slum' is not a community type", "allowed: old"]),
    ],
)
def test_a_pilot_the_scenario_cannot_give_exits_2_before_any_run(
    tmp_path, capsys, monkeypatch, extra, policy, needles
):
    monkeypatch.setattr("sim.experiments.pilot.run", must_not_run)
    scenario = tmp_path / "pilot.toml"
    text = SCENARIO.replace("streets = [0]\n", policy or "streets = [0]\n")
    scenario.write_text(text.replace("devolution_share = 0.9", "professional_committee = true"))
    code = main(["pilot", str(scenario), "--out", str(tmp_path / "o"), "--workers", "1", *extra])
    assert_clean_error(capsys, code, *needles)
    assert not (tmp_path / "o").exists()


def test_a_pilot_into_a_read_only_folder_exits_2_before_any_run(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr("sim.experiments.pilot.run", must_not_run)
    scenario = tmp_path / "pilot.toml"
    scenario.write_text(SCENARIO, encoding="utf-8")
    (tmp_path / "ro").mkdir()
    with read_only(tmp_path / "ro") as ro:
        code = main(["pilot", str(scenario), "--out", str(ro / "p"), "--workers", "1"])
        assert_clean_error(capsys, code, "--out", "cannot create the folder")
