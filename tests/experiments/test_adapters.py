"""The model under other experiment tools: Mesa's batch_run (examples/batch_run_example.py)
and EMA Workbench (sim.experiments.adapters), giving the same numbers as sim.runs.runner.run."""

from __future__ import annotations

import importlib.util
import warnings
from pathlib import Path

import numpy as np
import pytest

from sim.core.params import ScenarioError, validate
from sim.runs.runner import run

REPO = Path(__file__).resolve().parents[2]
TINY = {
    "n_streets": 1,
    "communities_per_street": 3.0,
    "compounds_per_community": 3.0,
    "households_per_compound": 40.0,
}


@pytest.fixture(autouse=True)
def keep_start_method():
    """batch_run forces the 'spawn' start method on the whole process; put it back."""
    import multiprocessing

    before = multiprocessing.get_start_method(allow_none=True)
    yield
    multiprocessing.set_start_method(before, force=True)


def load_example():
    spec = importlib.util.spec_from_file_location(
        "batch_run_example", REPO / "examples" / "batch_run_example.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_batch_run_gives_one_row_per_run_with_the_end_of_run_outcomes():
    example = load_example()
    grid = {"devolution_share": [0.1, 0.6], "responsibility_list": [False, True]}
    seeds = [3, 4]
    table = example.batch_run_table({**TINY, **grid}, seeds, steps=4, number_processes=1)
    # 2 x 2 parameter combinations x 2 seeds, data_collection_period=-1: one row per run
    assert len(table) == 8
    assert sorted(table["RunId"]) == list(range(8))
    assert (table["Step"] == 4).all()
    assert sorted(table.groupby("iteration").size().tolist()) == [4, 4]
    row = table[
        (table["iteration"] == 1)
        & (table["devolution_share"] == 0.6)
        & table["responsibility_list"]
    ].iloc[0]
    direct = run(
        validate({**TINY, "devolution_share": 0.6, "responsibility_list": True}), seed=4, steps=4
    )
    assert row["satisfaction_mean"] == pytest.approx(
        direct.summary["final_satisfaction_mean"], rel=1e-12
    )


def test_batch_run_every_step_gives_one_row_per_month_per_run():
    example = load_example()
    table = example.batch_run_table(
        {**TINY, "devolution_share": [0.1, 0.6]}, [1], steps=3, data_collection_period=1
    )
    assert len(table) == 2 * 3
    assert sorted(table["Step"].unique()) == [1, 2, 3]


def test_ema_workbench_replicator_model_matches_direct_runs():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from ema_workbench import SequentialEvaluator

        from sim.experiments.adapters import ema_model

    seeds = [5, 6]
    model = ema_model(
        uncertainties={"civic_motivation": (0.1, 1.0)},
        levers=["responsibility_list"],
        outcomes=["satisfaction_mean", "needs_met"],
        seeds=seeds,
        steps=4,
        fixed=TINY,
    )
    with SequentialEvaluator(model) as evaluator:
        experiments, outcomes = evaluator.perform_experiments(scenarios=2, policies=1)
    assert len(experiments) == 2
    assert set(outcomes) == {"satisfaction_mean", "needs_met"}
    assert all(v.shape == (2,) for v in outcomes.values())
    for i, exp in experiments.iterrows():
        params = validate(
            {
                **TINY,
                "civic_motivation": float(exp["civic_motivation"]),
                "responsibility_list": bool(exp["responsibility_list"]),
            }
        )
        direct = [run(params, s, steps=4).summary for s in seeds]
        for o in ("satisfaction_mean", "needs_met"):
            assert outcomes[o][i] == pytest.approx(
                np.mean([d[f"mean_{o}"] for d in direct]), rel=1e-12
            )


def test_ema_adapter_uses_schema_ranges_and_rejects_bad_names():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from sim.experiments.adapters import ema_model, ema_parameter

    p = ema_parameter("capacity_building_share")
    assert (p.lower_bound, p.upper_bound) == (0.0, 0.8)
    assert type(ema_parameter("social_degree")).__name__ == "IntegerParameter"
    assert type(ema_parameter("volunteer_platform")).__name__ == "BooleanParameter"
    with pytest.raises(ScenarioError, match="unknown parameter 'devolution'"):
        ema_parameter("devolution")
    with pytest.raises(ScenarioError, match="devolution_share bound 2"):
        ema_parameter("devolution_share", (0, 2))
    with pytest.raises(ScenarioError, match="unknown outcome 'happiness'"):
        ema_model(outcomes=["happiness"])
