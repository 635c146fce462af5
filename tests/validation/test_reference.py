"""The vectorised residents agree in distribution with one Mesa agent per resident
(sim.validation.reference; ODD §2 and §6), and the vectorised needs sampler is the gamma law
(ODD §7.1).

Both builds run the same worlds (same seeds: common world draws) with the same organisation
mechanisms and schedule; only the resident rules differ — arrays in the model, per-agent
Python in the reference, with their own random draws. Over paired seeds, the mean
difference of each main resident outcome (averaged over the last 12 of 24 months) must be
small and its 99% confidence interval must contain 0.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from sim.core.mechanisms.needs import standard_gamma
from sim.core.model import GovernanceModel
from sim.experiments.stats import paired_difference
from sim.validation.reference import AgentResidentsModel

WORLD = dict(
    n_streets=1,
    communities_per_street=4.0,
    compounds_per_community=3.0,
    households_per_compound=80.0,
    n_firms=3,
    n_ngos=2,
)
"""About 4 communities, 12 compounds and 2,500 residents."""
SEEDS = (21, 22, 23, 24, 25, 26)
STEPS, WINDOW = 24, 12
OUTCOMES = {
    "needs_met": 0.02,
    "satisfaction_mean": 0.02,
    "participation_rate": 0.02,
    "fee_collection": 0.03,
}
"""Resident outcomes compared, with the largest mean difference accepted (shares, 0-1)."""


def _window_means(cls, seed: int) -> dict[str, float]:
    model = cls(rng=seed, **WORLD)
    for _ in range(STEPS):
        model.step()
    series = model.datacollector.get_model_vars_dataframe().tail(WINDOW)
    model.remove_all_agents()
    return {k: float(series[k].mean()) for k in OUTCOMES}


@pytest.fixture(scope="module")
def runs() -> dict[str, list[dict[str, float]]]:
    return {
        "vectorised": [_window_means(GovernanceModel, s) for s in SEEDS],
        "agents": [_window_means(AgentResidentsModel, s) for s in SEEDS],
    }


@pytest.mark.parametrize("outcome", list(OUTCOMES))
def test_vectorised_and_agent_residents_agree_in_distribution(runs, outcome):
    vec = [r[outcome] for r in runs["vectorised"]]
    ref = [r[outcome] for r in runs["agents"]]
    est, _ = paired_difference(ref, vec, level=0.99)
    assert est.low <= 0 <= est.high, (outcome, est)
    assert abs(est.mean) < OUTCOMES[outcome], (outcome, est)


def test_reference_runs_the_models_schedule():
    model = AgentResidentsModel(rng=1, **WORLD)
    try:
        assert model._reference_step.__code__ is GovernanceModel.step.__code__
        assert len(model.resident_agents) == model.residents.n
        model.step()
        assert model.steps == 1 and np.isfinite(model.outcomes["needs_met"])
    finally:
        model.remove_all_agents()


@pytest.mark.parametrize("shape", [1.0, 2.0, 3.0, 0.5, 7.5])
def test_needs_sampler_draws_the_gamma_law(shape):
    rng = np.random.default_rng(5)
    draws = standard_gamma(rng, shape, np.empty(40_000, dtype=np.float32)).astype(float)
    assert stats.kstest(draws, stats.gamma(shape).cdf).pvalue > 0.001


def test_segment_sums_and_repeats_match_a_loop_over_residents():
    model = GovernanceModel(rng=3, **WORLD)
    try:
        res, n_comp, n_comm = model.residents, model.compounds.n, model.communities.n
        values = np.random.default_rng(0).random(res.n).astype(np.float32)
        by_compound, by_community = np.zeros(n_comp), np.zeros(n_comm)
        for i in range(res.n):  # the one-resident-at-a-time reference
            by_compound[res.compound[i]] += values[i]
            by_community[res.community[i]] += values[i]
        assert np.allclose(res.per_compound(values), by_compound, rtol=1e-6)
        assert np.allclose(res.per_community(values), by_community, rtol=1e-6)
        rows = np.stack([values, 2 * values])
        assert np.allclose(res.per_community(rows)[1], 2 * by_community, rtol=1e-6)
        mask = values < 0.3
        assert np.array_equal(
            res.per_compound(mask), np.bincount(res.compound, weights=mask, minlength=n_comp)
        )
        per_compound = np.arange(n_comp, dtype=float)
        assert np.array_equal(res.at_compound(per_compound), per_compound[res.compound])
        assert np.array_equal(res.at_community(np.arange(n_comm)), res.community)
    finally:
        model.remove_all_agents()
