"""Specification of the calibration's runs (sim.validation.calibration.runs): each batch of
parameter sets is an experiment of the sweep engine — stored, resumable, with every set's
own seeds — whose statistics are the targets' statistics of the model's runs."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from sim.experiments.evaluators import InProcessEvaluator
from sim.experiments.uncertainty import draw_seeds
from sim.runs.runner import run
from sim.validation.calibration.runs import EPISODE_BY_NAME, SweepSimulator
from sim.validation.calibration.targets import (
    EPISODE_TARGETS,
    HELD_OUT_TARGETS,
    TARGETS,
    RunOutputs,
    target_values,
)
from sim.validation.episodes import run_episode
from tests.conftest import SMALL

STEPS = 4
POINTS = pd.DataFrame({"fee_tolerance_mean": [0.1, 0.3], "building_head_reach": [0.5, 0.9]})


@pytest.fixture
def simulator(tmp_path):
    with InProcessEvaluator() as evaluator:
        yield SweepSimulator(tmp_path, TARGETS, SMALL, STEPS, evaluator, progress=False)


def test_a_batch_runs_every_set_with_its_own_seeds_and_returns_the_targets(simulator):
    out = simulator.simulate("wave-1", POINTS, 2, seed=99)
    assert len(out) == 4 and simulator.runs == 4
    assert list(out.columns) == ["point", "replicate", "seed", *[t.name for t in TARGETS]]
    for point in (0, 1):
        part = out[out["point"] == point].sort_values("replicate")
        assert part["seed"].tolist() == draw_seeds(99, point, 2)
    row = out.iloc[0]
    params = {**SMALL, **POINTS.iloc[int(row["point"])].to_dict()}
    direct = target_values(
        RunOutputs(run(params, int(row["seed"]), STEPS, series_period=None).summary)
    )
    for t in TARGETS:
        assert row[t.name] == pytest.approx(direct[t.name], nan_ok=True)


def test_a_batch_is_an_experiment_file_and_store_that_resume_without_running_again(simulator):
    first = simulator.simulate("wave-1", POINTS, 2, seed=99)
    again = simulator.simulate("wave-1", POINTS, 2, seed=99)
    pd.testing.assert_frame_equal(first, again)
    root = simulator.root
    assert (root / "wave-1.toml").is_file() and (root / "wave-1.draws.parquet").is_file()
    sessions = json.loads((root / "wave-1" / "sessions.json").read_text())
    assert [s["ran"] for s in sessions] == [4, 0]
    info = json.loads((root / "wave-1" / "sweep.json").read_text())
    assert info["uncertainty"]["params"] == list(POINTS.columns)
    assert info["fixed"] == SMALL


def test_an_episode_target_replays_its_episode_with_the_sets_own_seeds(tmp_path):
    """A historical episode's target reads runs of that episode (its starting point and
    timeline), with the same parameter sets and seeds as the baseline's targets, and its
    statistic is the change `sim.validation.episodes` reports for the same seed."""
    episode = EPISODE_BY_NAME["beijing_summons"]
    target = next(t for t in EPISODE_TARGETS if t.episode == episode.name)
    points = POINTS.iloc[:1]
    with InProcessEvaluator() as evaluator:
        sim = SweepSimulator(
            tmp_path, (TARGETS[0], target), SMALL, STEPS, evaluator, progress=False
        )
        out = sim.simulate("wave-1", points, 1, seed=5)
    assert list(out.columns) == ["point", "replicate", "seed", TARGETS[0].name, target.name]
    assert (tmp_path / f"wave-1-{episode.name}" / "sweep.json").is_file()
    seed = int(out["seed"].iloc[0])
    world = {**SMALL, **points.iloc[0].to_dict()}
    direct = run_episode(episode, [seed], world=world)["change"].mean
    assert out[target.name].iloc[0] == pytest.approx(direct)
    assert target.low < episode.record[1] - episode.record[0] < target.high


def test_two_outcomes_of_one_reform_read_the_same_runs(tmp_path):
    """The held-out Beijing drive has two outcomes (coverage, branches) of one replayed
    reform: one experiment runs it, and each outcome's change is what
    `sim.validation.episodes` reports for the same seed."""
    points = POINTS.iloc[:1]
    with InProcessEvaluator() as evaluator:
        sim = SweepSimulator(tmp_path, HELD_OUT_TARGETS, SMALL, STEPS, evaluator, progress=False)
        out = sim.simulate("check", points, 1, seed=5)
    assert sim.runs == 1
    stores = sorted(p.name for p in tmp_path.iterdir() if p.is_dir())
    assert stores == ["check-beijing_drive_coverage"]
    seed = int(out["seed"].iloc[0])
    world = {**SMALL, **points.iloc[0].to_dict()}
    for target in HELD_OUT_TARGETS:
        direct = run_episode(EPISODE_BY_NAME[target.episode], [seed], world=world)
        assert out[target.name].iloc[0] == pytest.approx(direct["change"].mean)
