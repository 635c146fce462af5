"""Pilot evaluation (sim.experiments.pilot): the true effect is the twin-run difference,
the evaluations' errors decompose exactly, and pilots chosen among strong communities make
the naive comparison mislead."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from sim.core.params import ScenarioError
from sim.core.policy import Timeline
from sim.core.scenario import load_scenario
from sim.experiments.evaluators import InProcessEvaluator
from sim.experiments.pilot import evaluate, pilot_plan, run_pair
from sim.runs.runner import run
from tests.conftest import SMALL

WORLD = {**SMALL, "n_streets": 4, "households_per_compound": 150.0}
"""Four streets of default-sized compounds (tasks weigh on RC hours as in the default
district)."""
STEPS = 20


def plan_of(**kw):
    """The shipped pilot (lists in streets 0 and 1), brought into a short run: the pilot
    from month 10, the roll-out after the last month."""
    kw = {"steps": STEPS, "replicates": 3, "seed": 5, "before": 6, **kw}
    s = load_scenario("responsibility_list_pilot", WORLD)
    s.timeline = Timeline(
        [replace(s.timeline.changes[0], month=10), replace(s.timeline.changes[1], month=STEPS + 1)]
    )
    return pilot_plan(s, **kw)


@pytest.fixture(scope="module")
def written():
    plan = plan_of()
    return plan, *evaluate(plan)


def test_the_true_effect_equals_the_twin_run_difference_exactly(written):
    plan, pairs, per_seed, _ = written
    for seed in plan.seeds:
        pilot = run(
            plan.params, seed, plan.steps, communities=True, timeline=plan.timeline
        ).communities
        twin = run(
            plan.params, seed, plan.steps, communities=True, timeline=plan.twin_timeline()
        ).communities
        treated = np.isin(pilot["street"], [0, 1])  # the scenario's pilot streets
        after = pilot["step"].between(plan.start, plan.until)
        for outcome in plan.outcomes:
            diff = (pilot[outcome] - twin[outcome])[after & treated].to_numpy()
            n = int(pilot.loc[pilot["step"] == 1, "street"].isin([0, 1]).sum())
            expected = diff.reshape(-1, n).mean()
            got = per_seed.loc[
                (per_seed["seed"] == seed) & (per_seed["outcome"] == outcome), "true_effect"
            ].item()
            assert got == expected, (seed, outcome)


def test_months_before_the_reform_are_the_same_in_the_pilot_and_its_twin(written):
    plan, pairs, _, _ = written
    before = pairs[0].months < plan.start
    for outcome in plan.outcomes:
        assert np.array_equal(pairs[0].pilot[outcome][before], pairs[0].twin[outcome][before])
    assert not np.array_equal(
        pairs[0].pilot["admin_burden_share"][~before], pairs[0].twin["admin_burden_share"][~before]
    )


def test_the_evaluations_errors_decompose_exactly(written):
    _, _, per_seed, _ = written
    np.testing.assert_allclose(
        per_seed["naive"] - per_seed["true_effect"],
        per_seed["selection_gap"] - per_seed["spillover"],
        atol=1e-12,
    )
    np.testing.assert_allclose(
        per_seed["did"] - per_seed["true_effect"],
        per_seed["trend_gap"] - per_seed["spillover"],
        atol=1e-12,
    )


def test_lists_in_pilot_streets_cut_their_burden_and_the_summary_has_intervals(written):
    _, _, _, summary = written
    row = summary[
        (summary["outcome"] == "admin_burden_share") & (summary["estimate"] == "true_effect")
    ].iloc[0]
    assert row["high"] < 0 and row["n"] == 3


def test_pilots_chosen_among_the_strongest_make_the_naive_comparison_mislead():
    plan = plan_of(
        select="strongest",
        pilots=2,
        rank_by="satisfaction",
        outcomes=("satisfaction",),
        replicates=4,
    )
    _, per_seed, summary = evaluate(plan, InProcessEvaluator())
    bias = summary[summary["estimate"] == "naive_bias"].iloc[0]
    assert bias["low"] > 0, "strong pilots look better than the rest without the reform"
    true = summary[summary["estimate"] == "true_effect"].iloc[0]
    assert bias["mean"] > abs(true["mean"])


def test_the_strongest_streets_are_those_ranked_highest_the_month_before():
    plan = plan_of(select="strongest", pilots=1, replicates=2)
    pair = run_pair(plan, plan.seeds[0])
    twin = run(
        plan.params, plan.seeds[0], plan.steps, communities=True, timeline=plan.twin_timeline()
    ).communities
    month = twin[twin["step"] == plan.start - 1].groupby("street")["satisfaction"].mean()
    assert pair.streets == (int(month.idxmax()),)
    assert set(pair.street[pair.treated]) == {int(month.idxmax())}


@pytest.mark.parametrize(
    "kw, words",
    [
        ({"labels": ("nope",)}, "labels no"),
        ({"until": 5}, "--until 5 must be between"),
        ({"outcomes": ("happiness",)}, "not a per-community outcome"),
        ({"select": "strongest", "pilots": 4}, "--pilots 4 must leave"),
        ({"replicates": 1}, "at least 2 seeds"),
    ],
)
def test_bad_pilot_plans_say_what_is_allowed(kw, words):
    with pytest.raises(ScenarioError, match=words):
        plan_of(**kw)


def test_a_scenario_without_a_targeted_reform_is_refused():
    with pytest.raises(ScenarioError, match="no reform to evaluate"):
        pilot_plan(load_scenario("election_round_push"))
