"""Specification of scenario discovery (sim.experiments.discovery): PRIM finds the box in
which a condition holds, with its coverage and density, and the inputs that matter; the
--where condition accepts comparisons over named values and rejects anything else."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim.experiments.discovery import DiscoveryError, condition, find_conditions


def planted_cases(n: int = 400, seed: int = 3) -> tuple[pd.DataFrame, np.ndarray]:
    """Uniform inputs a..f; the effect is negative exactly when a > 0.6 and b < 0.3."""
    rng = np.random.default_rng(seed)
    x = pd.DataFrame({k: rng.uniform(size=n) for k in "abcdef"})
    effect = np.where((x["a"] > 0.6) & (x["b"] < 0.3), -1.0, 1.0) * rng.uniform(0.1, 1, n)
    return x, condition("effect < 0", {"effect": effect})


@pytest.mark.parametrize("seed", [3, 4, 5])
def test_prim_finds_the_planted_box_with_coverage_and_density_of_at_least_0_8(seed):
    x, y = planted_cases(seed=seed)
    found = find_conditions(x, y)
    assert found.coverage >= 0.8 and found.density >= 0.8
    assert set(found.limits.index) == {"a", "b"}
    assert found.limits.loc["a", "low"] == pytest.approx(0.6, abs=0.05)
    assert found.limits.loc["b", "high"] == pytest.approx(0.3, abs=0.05)
    assert set(found.scores.index[:2]) == {"a", "b"}  # the inputs that matter rank first
    inside = found.in_box()
    assert np.mean(y[inside]) == pytest.approx(found.density)
    assert y[inside].sum() / y.sum() == pytest.approx(found.coverage)
    assert "`a` ≥ 0.6" in found.describe(digits=1) and "`b` ≤ 0.3" in found.describe(digits=1)


def test_a_chosen_step_of_the_trajectory_is_reported_and_a_missing_one_refused():
    x, y = planted_cases()
    found = find_conditions(x, y, step=0)
    assert found.coverage == 1.0 and found.density == pytest.approx(y.mean())
    with pytest.raises(DiscoveryError, match="--box 999"):
        find_conditions(x, y, step=999)


def test_nothing_to_discover_is_said_in_one_line():
    x, _ = planted_cases()
    with pytest.raises(DiscoveryError, match="holds in no case"):
        find_conditions(x, np.zeros(len(x), dtype=bool))
    with pytest.raises(DiscoveryError, match="holds in every case"):
        find_conditions(x, np.ones(len(x), dtype=bool))
    with pytest.raises(DiscoveryError, match="no input varies"):
        find_conditions(x.assign(**{k: 0.5 for k in x}), np.arange(len(x)) % 2 == 0)


def test_the_discovery_figure_has_the_trajectory_the_scores_and_the_box():
    x, y = planted_cases()
    fig = find_conditions(x, y).figure("planted")
    titles = [ax.get_title() for ax in fig.axes]
    assert {"peeling trajectory", "what tells the cases apart", "cases and the box"} <= set(titles)


VALUES = {"effect": np.array([-1.0, 0.0, 2.0]), "reference": np.array([0.2, 0.6, 0.9])}


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("effect < 0", [True, False, False]),
        ("effect <= 0 and reference > 0.5", [False, True, False]),
        ("not effect < 0 or reference < 0.3", [True, True, True]),
        ("abs(effect) > 0.5", [True, False, True]),
        ("effect / reference > 1", [False, False, True]),
        ("-1 < effect < 1", [False, True, False]),
        ("effect / 0 > 0", [False, False, True]),  # signed infinities and nan, never an error
        ("effect < 0 or 0 / 0 < 1", [True, False, False]),
        ("effect * 1e308 * 10 > 0", [False, False, True]),
    ],
)
def test_a_condition_is_evaluated_over_the_named_values(expression, expected):
    assert condition(expression, VALUES).tolist() == expected


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("effect <", "not an expression"),
        ("effcet < 0", "unknown name 'effcet'; allowed: effect, reference"),
        ("effect + 1", "does not say yes or no"),
        ("__import__('os').system('true')", "is not allowed"),
        ("effect.real < 0", "is not allowed"),
        ("effect in [1]", "is not allowed"),
        ("0 / 0 < 1", "names none of effect, reference"),
        ("1 < 2", "says the same for every case"),
        ("not " * 30_000 + "effect < 0", "120,010 characters, more than a condition may have"),
        ("not " * 100 + "effect < 0", "nested more than 50 deep"),
        ("-" * 900 + "effect < 0", "nested more than 50 deep"),
    ],
)
def test_a_bad_condition_is_refused_with_what_is_allowed(expression, message):
    with pytest.raises(DiscoveryError, match=message.replace("(", r"\(").replace(")", r"\)")) as e:
        condition(expression, VALUES)
    assert "\n" not in str(e.value) and len(str(e.value)) < 600
