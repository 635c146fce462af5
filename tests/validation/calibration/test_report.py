"""Specification of the calibration report (sim.validation.calibration.report) and the
predictive checks it shows (sim.validation.calibration.checks), on the toy calibration."""

from __future__ import annotations

import dataclasses
import re

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from sim.validation.calibration.checks import (
    predictive_runs,
    predictive_table,
    world_size_table,
)
from sim.validation.calibration.history_matching import history_match
from sim.validation.calibration.report import (
    CalibrationResult,
    checks_figure,
    markdown_report,
    posterior_figure,
)
from sim.validation.calibration.targets import Target

from .conftest import (
    OBSERVED,
    RUN_NOISE,
    TOY_PRIOR,
    TOY_SAMPLER,
    TOY_SETTINGS,
    TOY_TARGETS,
    A,
    ToySimulator,
    exact_posterior,
)


@pytest.fixture(scope="module")
def checked(toy_match, toy_posterior):
    hm, _ = toy_match
    sim = ToySimulator()
    runs = predictive_runs(sim, toy_posterior.draws, hm.prior.names, n_draws=100, seeds=2, master=7)
    return hm, toy_posterior, runs, sim


def report_of(hm, posterior, **extra) -> str:
    """The report of the toy calibration `hm` with `posterior` and any further results."""
    return markdown_report(
        CalibrationResult(
            match=hm, posterior=posterior, sampler=TOY_SAMPLER, world={}, steps=1, **extra
        )
    )


def test_predictive_runs_use_the_first_draws_and_fresh_seeds(checked, toy_match):
    hm, post, runs, sim = checked
    assert sorted(runs["draw"].unique()) == list(range(100))
    assert len(runs) == 200
    assert not set(sim.seen) & set(toy_match[1].seen)  # none of the waves' seeds


def test_the_predictive_check_sets_each_target_against_the_calibrated_runs(checked):
    hm, post, runs, _ = checked
    table = predictive_table(runs, TOY_TARGETS, hm, post.draws)
    assert list(table["target"]) == ["y1", "y2"]
    mean, cov = exact_posterior()
    for row, observed, a in zip(table.itertuples(), OBSERVED, A):
        # the exact posterior predictive of a run: normal, mean a·θ, variance aᵀΣa + noise²
        sd = np.sqrt(a @ cov @ a + RUN_NOISE**2)
        assert row.below == pytest.approx(stats.norm.cdf(observed, a @ mean, sd), abs=0.1)
        assert row.q05 < observed < row.q95
        assert row.in_range > 0.5
        assert 0.3 < row.emulator_rms < 2.5


def test_the_world_size_check_pairs_draws_and_seeds():
    a = pd.DataFrame(
        {
            "draw": [0, 0, 1, 1],
            "replicate": [0, 1, 0, 1],
            "y1": [1.0, 2.0, 3.0, 4.0],
            "y2": [0.0, 0.0, 0.0, 0.0],
        }
    )
    b = a.assign(y1=a["y1"] + 0.4)
    table = world_size_table(a, b, TOY_TARGETS).set_index("target")
    assert table.loc["y1", "difference"] == pytest.approx(0.4)
    assert table.loc["y1", "in_sd"] == pytest.approx(0.4 / 0.4)
    assert table.loc["y2", "difference"] == 0.0 and table.loc["y1", "pairs"] == 4


def test_the_report_names_every_wave_parameter_and_target(checked):
    hm, post, runs, _ = checked
    result = CalibrationResult(
        match=hm,
        posterior=post,
        sampler=TOY_SAMPLER,
        world={},
        steps=1,
        checks=runs,
        check_table=predictive_table(runs, TOY_TARGETS, hm, post.draws),
        check_seeds=2,
        runs=hm.settings.waves * hm.settings.points * hm.settings.seeds + len(runs),
    )
    text = markdown_report(result)
    for heading in ("### Targets", "### Waves", "### Posterior", "### Posterior predictive check"):
        assert heading in text
    assert "`theta1`" in text and "`theta2`" in text and "`y1`" in text
    assert re.search(r"`theta1` and `theta2` \(ρ = -0\.[56]\d\)", text)  # the trade-off
    assert posterior_figure(hm, post).axes and checks_figure(hm, runs).axes
    assert np.isfinite(post.draws["theta1"]).all()


def test_a_stopped_calibration_reports_why_and_what_it_found():
    unreachable = (
        TOY_TARGETS[0],
        Target.measured("y2", "y2", 40.0, 0.4, "toy", lambda run: run.summary["y2"]),
    )
    hm = history_match(
        ToySimulator(unreachable),
        TOY_PRIOR,
        unreachable,
        dataclasses.replace(TOY_SETTINGS, points=12),
    )
    text = report_of(hm, None)
    assert "**The calibration stopped: after wave 1" in text and "### Waves" in text


def test_a_posterior_at_the_end_of_its_range_or_unmixed_chains_are_flagged(
    toy_match, toy_posterior
):
    hm, _ = toy_match
    pressed = dataclasses.replace(
        toy_posterior,
        draws=toy_posterior.draws.assign(theta1=np.linspace(4.9, 5.0, 2000)),
        rhat={"theta1": 1.5, "theta2": 1.001},
        ess_bulk={"theta1": 50.0, "theta2": 900.0},
    )
    text = report_of(hm, pressed)
    assert "presses against the end of a plausible range** for `theta1` (upper end)" in text
    assert "`theta2`" not in text.split("presses against")[1].split("\n")[0]
    assert (
        "**The chains have not mixed** (R̂ of `theta1` 1.50 > 1.01; bulk ESS of `theta1` 50" in text
    )
    calm = report_of(hm, toy_posterior)
    assert "presses against" not in calm and "not mixed" not in calm


def test_the_report_says_which_targets_the_calibrated_model_meets(checked):
    """A target is met when at least half the posterior predictive runs fall in its range;
    the report says which are met and, for each miss, the mechanism it tests."""
    hm, post, runs, _ = checked
    named = tuple(
        dataclasses.replace(t, mechanism=f"mechanism of {t.name} (ODD §0)") for t in TOY_TARGETS
    )
    hm = dataclasses.replace(hm, targets=named)
    table = predictive_table(runs, named, hm, post.draws)
    table.loc[table["target"] == "y2", "in_range"] = 0.2  # as if y2 were missed
    text = report_of(hm, post, checks=runs, check_table=table, check_seeds=2)
    summary = text.split("### Targets")[0]
    assert "the calibrated model meets 1 of 2 targets" in summary and ": `y1`." in summary
    assert "It misses `y2` (20% of runs in range; mechanism of y2 (ODD §0))" in summary
    rows = {line.split("|")[1].strip(): line for line in text.splitlines() if "| `y" in line}
    assert "| yes |" in rows["`y1`"] and "| **no** |" in rows["`y2`"]


def test_the_held_out_episode_is_reported_against_its_record(checked):
    hm, post, runs, _ = checked
    held = (
        Target(
            "episode_x",
            "episode x (change)",
            0.2,
            0.3,
            "record 10% → 35% (2021)",
            lambda run: run.summary["y1"],
            episode="x",
            figures=(0.1, 0.35),
            mechanism="drive (ODD §7.7)",
        ),
    )
    held_runs = runs.assign(episode_x=np.linspace(0.0, 0.5, len(runs)))
    text = report_of(
        hm,
        post,
        held_out=held,
        held_out_runs=held_runs,
        held_out_table=predictive_table(held_runs, held),
    )
    section = text.split("### Held-out episode (out of sample)")[1]
    assert "| `episode_x` | 0.1 → 0.35 | 0.2–0.3 |" in section
    assert "| 20% | **no** |" in section  # a fifth of the evenly spread runs fall in range
    assert "not reproduced out of sample on `episode_x`" in text.split("### Targets")[0]
