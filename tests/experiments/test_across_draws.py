"""Policy comparison across parameter uncertainty (sim.experiments.analysis.across_draws and
.conditions, the report's sections, `python -m sim report`): on a stand-in model whose effect
is known in every draw, the statistics recover it, separate seed noise from parameter
uncertainty, and scenario discovery finds the draws where the effect turns negative."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import sim.runs.runner
from sim.experiments.analysis import load_results
from sim.experiments.analysis.across_draws import (
    draw_effects,
    effect_summary,
    variance_components,
)
from sim.experiments.analysis.conditions import question_answers, sentence
from sim.interfaces.cli.main import build_parser, main
from sim.runs.runner import RunResult

build_parser()  # import every command module now, before a test replaces sim.runs.runner.run

SEED_SD = 0.03  # noise of one run, independent between arms
SHARED_SD = 0.2  # noise of a seed, shared by the arms of a draw: cancels in the effect

EXPERIMENT = """
description = "stand-in: the effect of high is 0.1 - 0.1 * overload_penalty"
steps = 3
replicates = 4
seed = 3
outcomes = ["satisfaction_mean", "needs_met"]
[design]
kind = "arms"
reference = "low"
[arms.low]
xa_one_shoulder = 0.15
[arms.high]
xa_one_shoulder = 1.0
[uncertainty]
draws = 60
[uncertainty.ranges]
overload_penalty = [0.5, 2.5]
waste_rate = [0.0, 0.3]
[fixed]
n_streets = 1
[[discover]]
outcome = "satisfaction_mean"
where = "effect < 0"
"""


def true_effect(p: float) -> float:
    return 0.1 - 0.1 * p


def stand_in(params, seed, steps=120, **kw):
    """satisfaction = shared seed noise + (high arm) true effect + own noise; needs_met has
    no effect and only the own noise."""
    rng = np.random.default_rng([seed, int(params["xa_one_shoulder"] * 100)])
    shared = float(np.random.default_rng(seed).normal(0, SHARED_SD))
    effect = true_effect(params["overload_penalty"]) if params["xa_one_shoulder"] == 1.0 else 0
    y = shared + effect + rng.normal(0, SEED_SD)
    z = rng.normal(0, SEED_SD)
    summary = {
        "mean_satisfaction_mean": y,
        "final_satisfaction_mean": y,
        "mean_needs_met": z,
        "final_needs_met": z,
    }
    return RunResult(dict(params), seed, steps, summary, pd.DataFrame({"step": []}))


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    folder = tmp_path_factory.mktemp("across")
    path = folder / "exp.toml"
    path.write_text(EXPERIMENT, encoding="utf-8")
    out = folder / "results"
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(sim.runs.runner, "run", stand_in)
        assert main(["sweep", str(path), "--out", str(out), "--workers", "1", "--quiet"]) == 0
    return load_results(out)


def test_each_draws_effect_is_the_mean_paired_difference_over_its_seeds(results):
    per = draw_effects(results, "satisfaction_mean", "high")
    assert len(per) == 60 and (per["pairs"] == 4).all()
    truth = per["overload_penalty"].map(true_effect)
    # the shared noise (sd 0.2) cancels: each draw's mean is within a few own-noise sds
    assert np.abs(per["effect"] - truth).max() < 4 * SEED_SD * np.sqrt(2 / 4)
    assert (per["value"] - per["reference"]).to_numpy() == pytest.approx(per["effect"])


def test_the_summary_recovers_probability_flips_and_the_two_sources_of_variance(results):
    s = effect_summary(results).set_index(["arm", "outcome"]).loc[("high", "satisfaction_mean")]
    draws = draw_effects(results, "satisfaction_mean", "high")["overload_penalty"]
    assert s["draws"] == 60 and s["pairs"] == 240
    assert s["low"] < true_effect(draws).mean() < s["high"]
    assert s["p_positive"] == pytest.approx(np.mean(draws < 1.0), abs=0.07)
    assert s["mean"] < 0 and s["flips"] == pytest.approx(s["p_positive"])
    assert s["confirmed_flips"] <= s["flips"]
    assert s["seed_sd"] == pytest.approx(SEED_SD * np.sqrt(2), rel=0.2)  # two own noises
    assert s["param_sd"] == pytest.approx(0.1 * draws.std(), rel=0.15)
    param_var, seed_var = (0.1 * draws.std()) ** 2, 2 * SEED_SD**2
    assert s["param_share"] == pytest.approx(param_var / (param_var + seed_var), abs=0.1)
    assert s["p_param"] < 0.001
    none = effect_summary(results).set_index(["arm", "outcome"]).loc[("high", "needs_met")]
    assert none["low"] < 0 < none["high"] and none["p_param"] > 0.001


def test_variance_components_match_a_hand_computed_anova():
    effects = pd.DataFrame({"draw": [0, 0, 1, 1, 2, 2], "effect": [1.0, 3.0, 4.0, 6.0, 1.0, 1.0]})
    # draw means 2, 5, 1; grand mean 8/3; MS_between = 2 * sum((m - 8/3)^2) / 2 = 26/3;
    # MS_within = (2 + 2 + 0) / 3 = 4/3; parameter variance (26/3 - 4/3) / 2 = 11/3
    v = variance_components(effects)
    assert v["seed_sd"] == pytest.approx(np.sqrt(4 / 3))
    assert v["param_sd"] == pytest.approx(np.sqrt(11 / 3))
    assert v["param_share"] == pytest.approx((11 / 3) / (11 / 3 + 4 / 3))


def test_the_question_is_answered_with_the_box_where_the_effect_turns_negative(results):
    (a,) = question_answers(results)
    assert a.arm == "high" and a.cases.unit == "draw"
    f = a.found
    assert list(f.limits.index) == ["overload_penalty"]
    assert f.limits.loc["overload_penalty", "low"] == pytest.approx(1.0, abs=0.15)
    assert f.coverage >= 0.8 and f.density >= 0.8
    assert f.scores.index[0] == "overload_penalty"
    text = sentence(results, a)
    assert "`high` vs `low`, `satisfaction_mean`: `effect < 0` holds in" in text
    assert "`overload_penalty` ≥ 0.9" in text or "`overload_penalty` ≥ 1" in text
    assert "coverage" in text and "density" in text


def test_the_report_shows_effects_across_draws_and_the_conditions(results):
    assert main(["report", str(results.root)]) == 0
    report = (Path(results.root) / "report" / "report.md").read_text(encoding="utf-8")
    for heading in (
        "## Uncertain parameters",
        "## Outcomes by arm across draws",
        "## Effects across parameter uncertainty",
        "## Under which conditions",
    ):
        assert heading in report
    assert "2 arms × 60 parameter draws × 4 replicates = 480 runs" in report
    assert "`overload_penalty` uniform on [0.5, 2.5]" in report
    figures = {p.name for p in (Path(results.root) / "report").glob("*.png")}
    assert {"across_draws.png", "conditions-1.png"} <= figures
    assert "differences.png" not in figures  # pairing by replicate alone would mix draws


def test_the_experiments_document_gathers_the_conditions(results, tmp_path):
    doc = tmp_path / "EXPERIMENTS.md"
    assert (
        main(["report", str(results.root), "--out", str(tmp_path / "figs"), "--doc", str(doc)]) == 0
    )
    text = doc.read_text(encoding="utf-8")
    assert "## Under which conditions" in text
    section = text.split("## Under which conditions")[1].split("\n## ")[0]
    assert "`effect < 0` holds in" in section and "coverage" in section
