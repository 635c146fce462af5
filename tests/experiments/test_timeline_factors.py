"""Timeline fields as factors of an experiment (sim.experiments.timeline_factors): the start
month or the share of a `[[policy]]` entry varies like any parameter, every run keeps the
base scenario's timeline and world, and mistakes are named."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from sim.core.params import ScenarioError
from sim.core.scenario import load_scenario
from sim.experiments import timeline_factors as TF
from sim.experiments.definition import load_sweep
from sim.experiments.design import make_design
from sim.experiments.engine import run_batch
from sim.experiments.plan import plan_runs
from sim.runs.runner import run

SCENARIO = """description = "a pilot and its roll-out"

[structure]
n_streets = 2
communities_per_street = 3
compounds_per_community = 3
households_per_compound = 40

[[policy]]
month = 4
label = "pilot"
streets = [0]
[policy.set]
devolution_share = 0.9

[[policy]]
month = 5
[policy.set]
devolution_share = 0.5
"""

EXPERIMENT = """description = "when the pilot starts, and how much is devolved later"
scenario = "pilot.toml"
steps = 8
replicates = 2
outcomes = ["admin_burden_share", "budget_allocated"]

[factors]
devolution_share = [0.2, 0.4]

[factors.policy.pilot]
month = [2, 6]
"""


@pytest.fixture
def experiment(tmp_path) -> Path:
    (tmp_path / "pilot.toml").write_text(SCENARIO, encoding="utf-8")
    path = tmp_path / "exp.toml"
    path.write_text(EXPERIMENT, encoding="utf-8")
    return path


def test_dotted_factor_names_reach_an_entry_by_label_or_position():
    flat = TF.flatten(
        {"policy": {"pilot": {"month": [2, 6]}, "2": {"share": [0.5]}}, "devolution_share": [0.1]}
    )
    assert flat == {
        "policy.pilot.month": [2, 6],
        "policy.2.share": [0.5],
        "devolution_share": [0.1],
    }
    timeline = load_scenario("responsibility_list_pilot").timeline
    moved = TF.apply(timeline, {"policy.pilot.month": 30, "policy.2.month": 60})
    assert [c.month for c in moved.changes] == [30, 60]
    shared = TF.apply(timeline, {"policy.pilot.share": 0.5, "policy.pilot.seed": 3})
    assert shared.changes[0].share == 0.5 and shared.changes[0].seed == 3
    assert TF.split({"policy.pilot.month": 3, "n_firms": 4}) == (
        {"n_firms": 4},
        {"policy.pilot.month": 3},
    )


def test_a_timeline_factor_is_a_typed_grid_factor(experiment):
    defn = load_sweep(experiment)
    factor = {f.name: f for f in defn.factors}["policy.pilot.month"]
    assert factor.type is int and factor.levels == (2, 6)
    design = make_design(defn)
    assert len(design.table) == 4
    assert {o["policy.pilot.month"] for o in design.overrides} == {2, 6}
    keys = {s.key for s in plan_runs(defn, design)}
    assert len(keys) == 8, "every arm and seed is its own run"


def test_each_run_has_the_scenarios_timeline_with_the_arms_fields(experiment):
    defn = load_sweep(experiment)
    assert [c.month for c in defn.timeline.changes] == [4, 5]
    over = {"devolution_share": 0.2, "policy.pilot.month": 6}
    rows, _ = run_batch(
        defn.base, [("k", 3, over)], defn.steps, defn.window, None, (), defn.timeline, defn.district
    )
    expected = run(
        {**defn.base, "devolution_share": 0.2},
        3,
        defn.steps,
        timeline=TF.apply(defn.timeline, {"policy.pilot.month": 6}),
    )
    assert rows[0]["status"] == "ok"
    for name, value in expected.summary.items():
        assert rows[0][name] == pytest.approx(value, nan_ok=True), name
    without = run({**defn.base, "devolution_share": 0.2}, 3, defn.steps)
    assert without.summary["mean_budget_allocated"] != rows[0]["mean_budget_allocated"], (
        "the base scenario's devolution change at month 5 is not lost"
    )


def test_the_pilot_month_changes_the_money_from_that_month(experiment):
    defn = load_sweep(experiment)
    series = {}
    for month in (2, 6):
        r = run(
            defn.base,
            3,
            defn.steps,
            timeline=TF.apply(defn.timeline, {"policy.pilot.month": month}),
        )
        series[month] = r.series["budget_allocated"]
    pd.testing.assert_series_equal(series[2].iloc[:1], series[6].iloc[:1])
    assert series[2].iloc[2] != series[6].iloc[2]


@pytest.mark.parametrize(
    "factor, words",
    [
        (
            "[factors.policy.pilot]\nmnth = [2, 6]",
            "'mnth' is not a field of that entry; allowed: month, share, seed, devolution_share",
        ),
        ("[factors.policy.pilt]\nmonth = [2, 6]", "'pilt' names no \\[\\[policy\\]\\] entry"),
        (
            "[factors.policy.pilot]\nmonth = [0, 6]",
            "level 0 is not allowed: .*month = 0 must be a whole number >= 1",
        ),
        ("[factors.policy.pilot]\nshare = [0.5, 2.0]", "share = 2.0 must be a number in"),
        ('[factors]\n"policy.pilot" = [1]', "named policy.<entry>.<field>"),
    ],
)
def test_bad_timeline_factors_are_named(tmp_path, factor, words):
    (tmp_path / "pilot.toml").write_text(SCENARIO, encoding="utf-8")
    path = tmp_path / "bad.toml"
    path.write_text('scenario = "pilot.toml"\n' + factor + "\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match=words):
        load_sweep(path)
