"""Specification of parameter uncertainty (sim.experiments.uncertainty): priors over
plausible ranges, Latin-hypercube draws from them, their densities on the unit cube, priors
and draw tables read from files with one-line messages on bad input; and experiments over
parameter draws (definition, design, plan), whose draws and seeds are paired across arms."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from scipy import integrate

from sim.core.params import ScenarioError
from sim.experiments.uncertainty import Prior, Uncertain, draw_seeds, parse_prior, read_draws

KINDS = [
    Uncertain("a", 0.0, 2.0),
    Uncertain("b", 0.01, 1.0, scale="log"),
    Uncertain("c", -1.0, 3.0, mean=0.5, sd=1.0),
]


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


@pytest.mark.parametrize(
    ("spec", "message"),
    [
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
    ],
)
def test_bad_ranges_are_refused_naming_the_key_and_what_is_allowed(spec, message):
    with pytest.raises(ScenarioError, match=message) as err:
        parse_prior("exp.toml: [uncertainty.ranges]", spec)
    assert str(err.value).startswith("exp.toml: [uncertainty.ranges]")


def test_ranges_from_a_file_make_a_prior():
    prior = parse_prior(
        "f",
        {
            "waste_rate": [0.0, 0.2],
            "training_cost": {"range": [5000, 80000], "scale": "log"},
            "overload_penalty": {"range": [0, 3], "normal": [1.0, 0.5]},
        },
    )
    assert [p.kind for p in prior.params] == ["uniform", "log-uniform", "normal"]
    assert prior.params[2].mean == 1.0 and prior.params[2].sd == 0.5


def test_a_table_of_draws_keeps_the_parameter_columns_in_order(tmp_path):
    path = tmp_path / "posterior.parquet"
    pd.DataFrame(
        {
            "draw": [0, 1],
            "waste_rate": [0.1, 0.2],
            "log_likelihood": [1.0, 2.0],
            "overload_penalty": [1.0, 2.0],
        }
    ).to_parquet(path)
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


def test_a_table_from_an_earlier_model_is_refused_not_half_used(tmp_path):
    # A posterior whose columns include a parameter the model no longer has would otherwise
    # run this model over the rest of another model's posterior.
    path = tmp_path / "old.parquet"
    pd.DataFrame({"draw": [0], "waste_rate": [0.1], "party_bloc": [0.3]}).to_parquet(path)
    with pytest.raises(ScenarioError, match="'party_bloc' is not a parameter of this model"):
        read_draws(path, "exp.toml: [uncertainty] table")


def test_every_draw_has_its_own_seeds_and_more_replicates_keep_the_first_ones():
    seeds = [draw_seeds(7, d, 3) for d in range(50)]
    flat = [s for draw in seeds for s in draw]
    assert len(set(flat)) == len(flat)
    assert draw_seeds(7, 4, 5)[:3] == seeds[4]
    assert draw_seeds(8, 4, 3) != seeds[4]


# --- experiments over parameter draws ---------------------------------------------------------

UNCERTAIN = """
description = "two arms over parameter draws"
steps = 3
replicates = 3
seed = 11
outcomes = ["satisfaction_mean"]
[design]
kind = "arms"
reference = "low"
[arms.low]
xa_one_shoulder = 0.15
[arms.high]
xa_one_shoulder = 1.0
[uncertainty]
draws = 5
table = "draws.parquet"
[uncertainty.ranges]
overload_penalty = [0.5, 2.5]
[fixed]
n_streets = 1
communities_per_street = 3
compounds_per_community = 3
households_per_compound = 40
"""


def uncertain_experiment(folder, body: str = UNCERTAIN):
    pd.DataFrame(
        {
            "draw": range(8),
            "waste_rate": np.linspace(0.01, 0.2, 8),
            "training_cost": np.linspace(5000, 90000, 8),
        }
    ).to_parquet(folder / "draws.parquet")
    path = folder / "exp.toml"
    path.write_text(body, encoding="utf-8")
    return path


def test_seeds_and_draws_are_paired_across_arms(tmp_path):
    from sim.experiments.definition import load_sweep
    from sim.experiments.design import make_design
    from sim.experiments.plan import plan_runs

    defn = load_sweep(uncertain_experiment(tmp_path))
    design = make_design(defn)
    specs = plan_runs(defn, design)
    table = design.table
    assert len(table) == 2 * 5 and len(specs) == 2 * 5 * 3
    uncertain = ["waste_rate", "training_cost", "overload_penalty"]
    for _, g in table.groupby("draw"):  # every arm of a draw has the draw's parameters
        assert sorted(g["arm"]) == ["high", "low"]
        assert (g[uncertain].nunique() == 1).all()
    assert table.drop_duplicates("draw")[uncertain].drop_duplicates().shape[0] == 5
    by = {(s.point, s.replicate): s.seed for s in specs}
    for d in range(5):
        low, high = (
            int(table.loc[(table["draw"] == d) & (table["arm"] == a), "point"].iloc[0])
            for a in ("low", "high")
        )
        seeds_low = [by[(low, r)] for r in range(3)]
        assert seeds_low == [by[(high, r)] for r in range(3)] == draw_seeds(11, d, 3)
    all_seeds = {s.seed for s in specs}
    assert len(all_seeds) == 5 * 3  # each draw its own seeds
    # the table's draws come in order, the ranges' draws from a Latin hypercube
    assert table.drop_duplicates("draw")["waste_rate"].tolist() == pytest.approx(
        np.linspace(0.01, 0.2, 8)[:5].tolist()
    )
    overrides = design.overrides[
        int(table.loc[(table["draw"] == 2) & (table["arm"] == "high"), "point"].iloc[0])
    ]
    assert overrides["xa_one_shoulder"] == 1.0 and "overload_penalty" in overrides


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ("draws = 5\n", "draws = 9: the table draws.parquet holds only 8"),
        ("[uncertainty.ranges]\n", "is both in the table"),
        ("[arms.high]\n", "is uncertain ([uncertainty]) and set by arm 'high'"),
        ("[fixed]\n", "is uncertain ([uncertainty]) and set by [fixed]"),
        ('table = "draws.parquet"\n', "no such file"),
    ],
)
def test_bad_uncertainty_is_refused_in_one_line_before_any_run(tmp_path, change, message):
    from sim.experiments.definition import load_sweep

    replacement = {
        "draws = 5\n": "draws = 9\n",
        "[uncertainty.ranges]\n": "[uncertainty.ranges]\nwaste_rate = [0.0, 0.3]\n",
        "[arms.high]\n": "[arms.high]\noverload_penalty = 2.0\n",
        "[fixed]\n": "[fixed]\ntraining_cost = 20000.0\n",
        'table = "draws.parquet"\n': 'table = "missing.parquet"\n',
    }[change]
    path = uncertain_experiment(tmp_path, UNCERTAIN.replace(change, replacement, 1))
    with pytest.raises(ScenarioError, match=re.escape(message)):
        load_sweep(path)


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ('outcome = "needs_met"\nwhere = "effect < 0"', "is not a kept outcome"),
        (
            'outcome = "satisfaction_mean"\nwhere = "effect <"',
            "where 'effect <': not an expression",
        ),
        ('outcome = "satisfaction_mean"\nwhere = "gain < 0"', "unknown name 'gain'"),
        (
            'outcome = "satisfaction_mean"\nwhere = "effect < 0"\narm = "low"',
            "not an arm to compare",
        ),
        ('outcome = "satisfaction_mean"\nwhere = "effect < 0"\nbox = 3', "unknown key 'box'"),
    ],
)
def test_bad_questions_are_refused_in_one_line(tmp_path, entry, message):
    from sim.experiments.definition import load_sweep

    path = uncertain_experiment(tmp_path, UNCERTAIN + f"\n[[discover]]\n{entry}\n")
    with pytest.raises(ScenarioError, match=message):
        load_sweep(path)


def test_questions_need_draws_to_ask_about(tmp_path):
    from sim.experiments.definition import load_sweep

    body = UNCERTAIN.split("[uncertainty]")[0] + (
        '[fixed]\nn_streets = 1\n[[discover]]\noutcome = "satisfaction_mean"\n'
        'where = "effect < 0"\n'
    )
    with pytest.raises(ScenarioError, match=r"\[\[discover\]\] needs \[uncertainty\] draws"):
        load_sweep(uncertain_experiment(tmp_path, body))
