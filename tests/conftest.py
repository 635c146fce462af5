"""Shared fixtures: small worlds that build and step in a fraction of a second."""

from __future__ import annotations

import pytest

from sim.model import GovernanceModel

SMALL = dict(
    n_streets=1, communities_per_street=4.0, compounds_per_community=3.0,
    households_per_compound=40.0, n_firms=4, n_ngos=3,
)
"""A district of one street, about 4 communities, 12 compounds, 1,300 residents."""

MEDIUM = dict(n_streets=2, communities_per_street=6.0, compounds_per_community=4.0,
              households_per_compound=60.0, n_firms=6, n_ngos=5)
"""Two streets, about 12 communities, 48 compounds, 7,500 residents: for lever effects."""


def small_model(seed: int = 1, **params) -> GovernanceModel:
    return GovernanceModel(rng=seed, **{**SMALL, **params})


@pytest.fixture
def model() -> GovernanceModel:
    m = small_model(1)
    yield m
    m.remove_all_agents()
