"""Specification of parameter uncertainty (sim.experiments.uncertainty): priors over
plausible ranges, Latin-hypercube draws from them, their densities on the unit cube, and
priors and draw tables read from files with one-line messages on bad input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import integrate

from sim.core.params import ScenarioError
from sim.experiments.uncertainty import Prior, Uncertain, draw_seeds, parse_prior, read_draws

KINDS = [Uncertain("a", 0.0, 2.0), Uncertain("b", 0.01, 1.0, scale="log"),
         Uncertain("c", -1.0, 3.0, mean=0.5, sd=1.0)]


@pytest.mark.parametrize("p", KINDS, ids=lambda p: p.kind)
def test_the_unit_cube_density_integrates_to_one_and_maps_back(p):
    total, _ = integrate.quad(lambda u: np.exp(p.logpdf_unit(np.array([u]))[0]), 0, 1)
    assert total == pytest.approx(1.0, abs=1e-6)
    x = np.array([p.low, (p.low + p.high) / 2, p.high])
    assert p.from_unit(p.to_unit(x)) == pytest.approx(x)
    assert p.logpdf_unit(np.array([-0.1, 1.1])).tolist() == [-np.inf, -np.inf]


def test_a_latin_hypercube_puts_one_draw_in_every_stratum_of_every_distribution():
    n = 16
    prior = Prior(tuple(KINDS))
    draws = prior.sample(n, seed=4)
    assert list(draws.columns) == ["a", "b", "c"]
    for p in KINDS:
        strata = np.floor(p.dist.cdf(draws[p.name].to_numpy()) * n).astype(int)
        assert sorted(strata) == list(range(n))
    assert draws.equals(prior.sample(n, seed=4))


def test_a_log_uniform_prior_is_uniform_in_the_unit_cube():
    p = KINDS[1]
    u = np.linspace(0, 1, 5)
    assert np.allclose(p.logpdf_unit(u), 0.0)


@pytest.mark.parametrize(("spec", "message"), [
    ({"a": [0.1, 0.2]}, "not a model parameter"),
    ({"responsibility_list": [0, 1]}, "cannot be uncertain"),
    ({"waste_rate": [0.1]}, "must be a range"),
    ({"waste_rate": [0.3, 0.1]}, "needs low < high"),
    ({"waste_rate": [0.1, 0.9]}, "must be a number in"),
    ({"waste_rate": {"range": [0.0, 0.2], "scale": "log"}}, "above 0"),
    ({"waste_rate": {"range": [0.1, 0.2], "scale": "ln"}}, "allowed: 'linear', 'log'"),
    ({"waste_rate": {"range": [0.1, 0.2], "shape": 2}}, "unknown key 'shape'"),
    ({"waste_rate": {"range": [0.1, 0.2], "normal": [0.1]}}, "must be \\[mean, sd\\]"),
    ([], "must be a table"),
])
def test_bad_ranges_are_refused_naming_the_key_and_what_is_allowed(spec, message):
    with pytest.raises(ScenarioError, match=message) as err:
        parse_prior("exp.toml: [uncertainty.ranges]", spec)
    assert str(err.value).startswith("exp.toml: [uncertainty.ranges]")


def test_ranges_from_a_file_make_a_prior():
    prior = parse_prior("f", {"waste_rate": [0.0, 0.2],
                              "training_cost": {"range": [5000, 80000], "scale": "log"},
                              "overload_penalty": {"range": [0, 3], "normal": [1.0, 0.5]}})
    assert [p.kind for p in prior.params] == ["uniform", "log-uniform", "normal"]
    assert prior.params[2].mean == 1.0 and prior.params[2].sd == 0.5


def test_a_table_of_draws_keeps_the_parameter_columns_in_order(tmp_path):
    path = tmp_path / "posterior.parquet"
    pd.DataFrame({"draw": [0, 1], "waste_rate": [0.1, 0.2], "log_likelihood": [1.0, 2.0],
                  "overload_penalty": [1.0, 2.0]}).to_parquet(path)
    draws = read_draws(path)
    assert list(draws.columns) == ["waste_rate", "overload_penalty"]
    assert draws["waste_rate"].tolist() == [0.1, 0.2]


def test_a_missing_or_useless_table_of_draws_is_refused_in_one_line(tmp_path):
    with pytest.raises(ScenarioError, match="no such file"):
        read_draws(tmp_path / "none.parquet", "exp.toml: [uncertainty] posterior")
    (tmp_path / "bad.parquet").write_text("not parquet")
    with pytest.raises(ScenarioError, match="not a readable Parquet table"):
        read_draws(tmp_path / "bad.parquet")
    pd.DataFrame({"x": [1.0]}).to_parquet(tmp_path / "other.parquet")
    with pytest.raises(ScenarioError, match="holds no parameter draws"):
        read_draws(tmp_path / "other.parquet")


def test_every_draw_has_its_own_seeds_and_more_replicates_keep_the_first_ones():
    seeds = [draw_seeds(7, d, 3) for d in range(50)]
    flat = [s for draw in seeds for s in draw]
    assert len(set(flat)) == len(flat)
    assert draw_seeds(7, 4, 5)[:3] == seeds[4]
    assert draw_seeds(8, 4, 3) != seeds[4]
