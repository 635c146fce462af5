"""Reports of sweeps (sim.experiments.analysis, `python -m sim report`): statistics are the textbook
ones computed from the stored runs, sensitivity indices recover known functions, and the report of a
real tiny sweep shows confidence intervals and its figures."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import sim.runs.runner
from sim.experiments.analysis import (
    arm_estimates,
    interaction_contrasts,
    load_results,
    morris_indices,
    paired_differences,
    sobol_indices,
)
from sim.experiments.analysis.channels import conditions_paragraph
from sim.experiments.analysis.estimates import conditional_effects
from sim.experiments.analysis.sensitivity import _elementary_effects
from sim.interfaces.cli.main import build_parser, main
from sim.runs.runner import RunResult

build_parser()  # import every command module now, before a test replaces sim.runs.runner.run
# (a module that does `from ..runner import run` on import would keep the stand-in)

TINY_WORLD = """
[fixed]
n_streets = 1
communities_per_street = 3
compounds_per_community = 3
households_per_compound = 40
"""


def sweep(tmp_path: Path, body: str, name: str = "exp") -> Path:
    path = tmp_path / f"{name}.toml"
    path.write_text(body + TINY_WORLD, encoding="utf-8")
    out = tmp_path / f"results-{name}"
    assert main(["sweep", str(path), "--out", str(out), "--workers", "1", "--quiet"]) in (0, 1)
    return out


def fake_model(f):
    """A stand-in for sim.runs.runner.run whose outcome is f(params, seed) (no model is built)."""

    def run(params, seed, steps=120, **kw):
        y = float(f(params, seed))
        summary = {
            "mean_satisfaction_mean": y,
            "final_satisfaction_mean": y,
            "mean_needs_met": -y,
            "final_needs_met": -y,
        }
        return RunResult(dict(params), seed, steps, summary, pd.DataFrame({"step": []}))

    return run


def seed_noise(seed: int, scale: float) -> float:
    return float(np.random.default_rng(seed).normal(0, scale))


GRID = """
steps = 6
replicates = 6
outcomes = ["satisfaction_mean", "needs_met"]
[design]
kind = "grid"
reference = { devolution_share = 0.0, responsibility_list = false }
[factors]
devolution_share = [0.0, 0.5, 1.0]
responsibility_list = [false, true]
"""


def grid_truth(p, seed):
    """Effect 0.2 per unit devolution, 0.05 for lists, 0.1 extra when both are high, a
    large noise shared by all arms of a seed and a small noise of each run."""
    d, lst = p["devolution_share"], p["responsibility_list"]
    own = seed_noise(seed * 1000 + int(d * 10) * 2 + int(lst), 0.002)
    return 0.2 * d + 0.05 * lst + 0.1 * d * lst + seed_noise(seed, 0.1) + own


@pytest.fixture
def grid_results(tmp_path, monkeypatch):
    monkeypatch.setattr(sim.runs.runner, "run", fake_model(grid_truth))
    return load_results(sweep(tmp_path, GRID))


def test_arm_means_and_cis_are_t_intervals_over_the_stored_replicates(grid_results):
    res = grid_results
    est = arm_estimates(res).set_index(["arm", "outcome"])
    runs = res.runs
    for arm, g in runs.groupby("arm"):
        x = g["mean_satisfaction_mean"].to_numpy()
        low, high = stats.t.interval(0.95, len(x) - 1, loc=x.mean(), scale=stats.sem(x))
        e = est.loc[(arm, "satisfaction_mean")]
        assert e["n"] == 6
        assert e["mean"] == pytest.approx(x.mean())
        assert (e["low"], e["high"]) == (pytest.approx(low), pytest.approx(high))


def test_paired_differences_recover_the_effect_and_are_tighter_than_unpaired(grid_results):
    diffs = paired_differences(grid_results).set_index(["arm", "outcome"])
    one = diffs.loc[("devolution_share=1, responsibility_list=false", "satisfaction_mean")]
    assert one["n"] == 6
    assert one["low"] < 0.2 < one["high"]
    assert one["high"] - one["low"] < 0.02  # the shared seed noise (sd 0.1) cancels
    assert one["d_z"] > 10 and one["p"] < 0.001
    est = arm_estimates(grid_results).set_index(["arm", "outcome"])
    unpaired = est.loc[("devolution_share=1, responsibility_list=false", "satisfaction_mean")]
    assert unpaired["high"] - unpaired["low"] > 5 * (one["high"] - one["low"])
    flipped = diffs.loc[("devolution_share=1, responsibility_list=false", "needs_met")]
    assert flipped["diff"] == pytest.approx(-one["diff"])


def test_interaction_contrast_recovers_the_interaction(grid_results):
    inter = interaction_contrasts(grid_results).set_index("outcome")
    c = inter.loc["satisfaction_mean"]
    assert c["low"] < 0.1 < c["high"] and c["low"] > 0


def test_the_first_factors_effect_is_estimated_under_each_condition(grid_results):
    """Devolution 0 → 1 adds 0.2 without lists and 0.3 with them (the interaction)."""
    eff = conditional_effects(grid_results).set_index(["condition", "outcome"])
    without = eff.loc[("responsibility_list=false", "satisfaction_mean")]
    with_lists = eff.loc[("responsibility_list=true", "satisfaction_mean")]
    assert without["n"] == 6 and without["low"] < 0.2 < without["high"]
    assert with_lists["low"] < 0.3 < with_lists["high"]
    assert with_lists["high"] - with_lists["low"] < 0.02  # paired: the seed noise cancels


def test_the_conditions_paragraph_is_generated_from_the_effects(grid_results):
    text = " ".join(conditions_paragraph(grid_results))
    assert "changes satisfaction_mean**: it raises it under 2 of 2 conditions" in text
    assert "lowers it under 0" in text
    # needs_met is the mirror image: a channel that falls where satisfaction rises most
    assert re.search(r"raises it most \(responsibility_list=true\): needs_met -0\.(29|30)", text)


def test_sobol_indices_of_a_known_function(tmp_path, monkeypatch):
    # y = 2a + b on [0,1]^2: S1_a = 4/5, S1_b = 1/5, no interaction
    monkeypatch.setattr(
        sim.runs.runner,
        "run",
        fake_model(lambda p, s: 2 * p["devolution_share"] + p["capacity_building_share"] / 0.8),
    )
    res = load_results(
        sweep(
            tmp_path,
            """
steps = 6
replicates = 1
outcomes = ["satisfaction_mean"]
[design]
kind = "sobol"
n = 256
[factors]
devolution_share = [0.0, 1.0]
capacity_building_share = [0.0, 0.8]
""",
        )
    )
    si = sobol_indices(res).set_index("factor")
    assert si.loc["devolution_share", "S1"] == pytest.approx(0.8, abs=0.05)
    assert si.loc["capacity_building_share", "S1"] == pytest.approx(0.2, abs=0.05)
    assert si.loc["devolution_share", "ST"] == pytest.approx(0.8, abs=0.05)
    assert (si["S1_conf"] > 0).all()


def test_morris_indices_of_a_known_function(tmp_path, monkeypatch):
    # y = 2a - b + 0*c per unit of each range: mu* = 2, 1, 0 and sigma = 0
    monkeypatch.setattr(
        sim.runs.runner,
        "run",
        fake_model(lambda p, s: 2 * p["devolution_share"] - p["civic_motivation"] / 2),
    )
    res = load_results(
        sweep(
            tmp_path,
            """
steps = 6
replicates = 2
outcomes = ["satisfaction_mean"]
[design]
kind = "morris"
n = 6
[factors]
devolution_share = [0.0, 1.0]
civic_motivation = [0.0, 2.0]
overload_penalty = [0.0, 5.0]
""",
        )
    )
    mi = morris_indices(res).set_index("factor")
    assert mi.loc["devolution_share", "mu_star"] == pytest.approx(2.0)
    assert mi.loc["civic_motivation", "mu"] == pytest.approx(-1.0)
    assert mi.loc["overload_penalty", "mu_star"] == pytest.approx(0.0, abs=1e-12)
    assert mi["sigma"].max() == pytest.approx(0.0, abs=1e-9)


def test_elementary_effects_match_salib_mu_star():
    from SALib.analyze import morris as analyze
    from SALib.sample import morris as sample

    problem = {"num_vars": 3, "names": ["a", "b", "c"], "bounds": [[0, 1]] * 3}
    x = sample.sample(problem, 8, num_levels=4, seed=3)
    y = x[:, 0] ** 2 + 3 * x[:, 1] * x[:, 2]
    ee = _elementary_effects(x, y, 3, 4)
    si = analyze.analyze(problem, x, y, num_levels=4, seed=3)
    np.testing.assert_allclose(np.abs(ee).mean(axis=0), si["mu_star"])
    np.testing.assert_allclose(ee.std(axis=0, ddof=1), si["sigma"])


def test_report_of_a_tiny_real_sweep_has_cis_differences_and_figures(tmp_path):
    out = sweep(
        tmp_path,
        """
description = "tiny real sweep for the report"
steps = 6
replicates = 3
series_period = 2
outcomes = ["satisfaction_mean", "needs_met"]
[design]
kind = "grid"
[factors]
devolution_share = [0.1, 0.6]
responsibility_list = [false, true]
""",
    )
    assert main(["report", str(out)]) == 0
    report = (out / "report" / "report.md").read_text()
    assert "95% CI" in report and "Cohen's d_z" in report
    ci = re.compile(r"-?\d[\d.e+-]* \[-?\d[\d.e+-]*, -?\d[\d.e+-]*\]")
    assert len(ci.findall(report)) >= 4 * 2 + 3 * 2  # arm table + paired differences
    assert "(reference)" in report and "## Interaction" in report
    for stem in ("effects", "heatmaps", "differences", "series"):
        png = out / "report" / f"{stem}.png"
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert f"({stem}.png)" in report
    # every number in the arm table comes from the stored runs
    res = load_results(out)
    ref = res.runs[res.runs["arm"] == res.reference]["mean_needs_met"].mean()
    assert f"{ref:.3g}" in report


def test_report_of_a_folder_that_is_not_a_sweeps_exits_2(tmp_path, capsys):
    assert main(["report", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "not a sweep results folder" in err and "Traceback" not in err


def test_incomplete_sensitivity_design_is_reported_not_computed(tmp_path, monkeypatch):
    def flaky(p, s):
        if p["devolution_share"] > 0.9:
            raise RuntimeError("no")
        return p["devolution_share"]

    real = fake_model(flaky)

    def run(params, seed, steps=120, **kw):
        return real(params, seed, steps, **kw)

    monkeypatch.setattr(sim.runs.runner, "run", run)
    out = sweep(
        tmp_path,
        """
steps = 6
replicates = 1
outcomes = ["satisfaction_mean"]
[design]
kind = "morris"
n = 4
[factors]
devolution_share = [0.0, 1.0]
civic_motivation = [0.0, 2.0]
""",
    )
    assert main(["report", str(out)]) == 0
    report = (out / "report" / "report.md").read_text()
    assert "Sensitivity indices not computed" in report and "Failed runs" in report
