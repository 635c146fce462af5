"""Shared worlds for the browser app's tests: a small model, and synthetic networks with node
and tie kinds the app has never heard of."""

from __future__ import annotations

import networkx as nx
import pytest

from sim.interfaces.browser.session import start_run
from tests.conftest import SMALL

from .pages import app, browser, folders, playwright, server  # noqa: F401  (browser tests)

TWO_STREETS = {**SMALL, "n_streets": 2}


@pytest.fixture
def run():
    """A session's run of a two-street world, four months in."""
    r = start_run(TWO_STREETS, "3")
    for _ in range(4):
        r.step()
    yield r
    r.close()


def synthetic_network() -> nx.MultiGraph:
    """Two streets, three communities, compounds, a firm, and kinds the app does not know:
    a 'person' (level 'person') holding seats in community 0, and a 'line_department' at
    district level supervising street 0."""
    g = nx.MultiGraph()

    def node(i, kind, index, level):
        g.add_node(i, kind=kind, index=index, level=level)

    def edge(u, v, kind):
        g.add_edge(u, v, key=kind, kind=kind)

    node(0, "street_office", 0, "street")
    node(1, "street_office", 1, "street")
    for c, s in ((0, 0), (1, 0), (2, 1)):
        node(10 + c, "residents_committee", c, "community")
        node(20 + c, "party_branch", c, "community")
        edge(s, 10 + c, "hierarchy")
        edge(20 + c, 10 + c, "coordination")
    for k, c in enumerate((0, 0, 1, 2)):
        node(30 + k, "owners_committee", k, "compound")
        edge(10 + c, 30 + k, "hierarchy")
    node(40, "party_branch", 0, "compound")  # the branch of compound 0
    edge(40, 30, "coordination")
    edge(20, 40, "hierarchy")
    node(50, "property_firm", 0, "district")
    edge(30, 50, "contract")
    edge(33, 50, "contract")
    node(60, "person", 0, "person")
    edge(60, 10, "holds_seat")
    edge(60, 20, "holds_seat")
    node(70, "line_department", 0, "district")
    edge(70, 0, "oversight")
    return g
