"""Shared fixtures: small worlds that build and step in a fraction of a second."""

from __future__ import annotations

import pytest

from sim.core.model import GovernanceModel

SMALL = dict(
    n_streets=1,
    communities_per_street=4.0,
    compounds_per_community=3.0,
    households_per_compound=40.0,
    n_firms=4,
    n_ngos=3,
)
"""A district of one street, about 4 communities, 12 compounds, 1,300 residents."""

MEDIUM = dict(
    n_streets=2,
    communities_per_street=5.0,
    compounds_per_community=2.0,
    households_per_compound=150.0,
    n_firms=6,
    n_ngos=5,
)
"""Two streets, about 10 communities of default-sized compounds, ~8,000 residents: for
lever effects (communities as large as in the default district, so per-community fixed
costs such as inspections weigh as they do there)."""


def small_model(seed: int = 1, **params) -> GovernanceModel:
    return GovernanceModel(rng=seed, **{**SMALL, **params})


@pytest.fixture
def model() -> GovernanceModel:
    m = small_model(1)
    yield m
    m.remove_all_agents()
