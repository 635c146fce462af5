"""`python -m sim pilot`: a pilot and its twin, the estimates printed and written, bad input
stopped with exit 2 before any run."""

from __future__ import annotations

import json

import pandas as pd

from sim.interfaces.cli.main import main
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
