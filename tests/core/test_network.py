"""The governance network carries the dynamics (ODD §3, §7.5): every kind of edge is read
by some decision, so cutting the edges of a kind changes what happens, and cutting one tie
changes what happens around it."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim.core.agents.owners_committee import OwnersCommittee, supervises_firm
from sim.core.mechanisms import coordination
from sim.core.model import GovernanceModel
from sim.core.network import COORDINATING, set_edge
from sim.core.world import EDGE_KINDS
from tests.conftest import MEDIUM

WORLD = dict(
    MEDIUM,
    oc_initial_share=0.5,
    professional_committee=True,
    election_first_month=4,
    initial_one_shoulder=0.3,
    initial_overlap=0.0,
)


def series(cut: str | None, seed: int = 3, months: int = 12, at: int = 2) -> pd.DataFrame:
    """District series of a run in which every edge of kind `cut` is removed at month `at`
    (and, for kinds the model keeps current, again each month after)."""
    m = GovernanceModel(rng=seed, **WORLD)
    for month in range(months):
        if cut is not None and month >= at:
            u, v, _ = m.edge_index.arrays((cut,))
            for a, b in zip(u.tolist(), v.tolist()):
                set_edge(m, a, b, cut, False)
            m.cache["synced"] = m.seats_version  # keep shared-person edges cut
        m.step()
    out = m.datacollector.get_model_vars_dataframe()
    m.remove_all_agents()
    return out


@pytest.mark.parametrize("kind", EDGE_KINDS)
def test_cutting_every_edge_of_a_kind_changes_what_happens(kind):
    whole, cut = series(None), series(kind)
    assert whole.iloc[:2].equals(cut.iloc[:2])  # the same run until the cut
    changed = [c for c in whole.columns if not np.allclose(whole[c], cut[c], equal_nan=True)]
    assert changed, f"cutting every {kind} edge changed nothing"


def test_one_shared_person_tie_cut_weakens_coordination_and_restores_the_check():
    m = GovernanceModel(rng=1, **MEDIUM, initial_one_shoulder=1.0)
    m.step()
    off = m.world.node_offset
    pc, rc = off["party_branch"], off["residents_committee"]  # community 0
    assert m.network.has_edge(pc, rc, key="cross_appointment")
    before = (m.communities.coordination[0], m.communities.oversight[0])
    set_edge(m, pc, rc, "cross_appointment", False)
    coordination.step(m)
    after = (m.communities.coordination[0], m.communities.oversight[0])
    assert after[0] < before[0], "the party-RC path is longer without the shared person"
    assert after[1] > before[1], "the party committee's check is no longer blunted"


def test_an_owners_committee_cut_from_its_firm_does_not_watch_it():
    m = GovernanceModel(rng=2, **MEDIUM, oc_initial_share=1.0)
    m.step()
    cp, off = m.compounds, m.world.node_offset
    served = np.flatnonzero((cp.firm >= 0) & cp.oc_acted)
    c = int(served[0])
    assert supervises_firm(m, np.array([c]))[0]
    set_edge(
        m, off["owners_committee"] + c, off["property_firm"] + cp.firm[c], "supervision", False
    )
    assert OwnersCommittee.monitors(m, np.array([c]))[0] == 0.0


def test_set_edge_keeps_graph_index_cells_and_versions_in_step():
    """Adding and removing edges of several kinds between the same pairs: the graph, the
    edge index and the space's cell connections agree after every change, and the versions
    move exactly when an edge of their kind is added or removed."""
    m = GovernanceModel(rng=4, **MEDIUM)
    rng = np.random.default_rng(3)
    nodes = np.array(list(m.network.nodes))
    pairs = [tuple(rng.choice(nodes, size=2, replace=False).tolist()) for _ in range(6)]
    kinds = ("coordination", "cross_appointment", "contract")
    for _ in range(300):
        u, v = pairs[int(rng.integers(len(pairs)))]
        if rng.random() < 0.5:
            u, v = v, u
        kind, present = kinds[int(rng.integers(3))], bool(rng.random() < 0.5)
        had = m.network.has_edge(u, v, key=kind)
        versions = (m.network_version, m.ties_version, m.edge_versions.get(kind, 0))
        set_edge(m, u, v, kind, present)
        changed = had != present
        assert m.network.has_edge(u, v, key=kind) == present
        assert m.network_version == versions[0] + changed
        assert m.ties_version == versions[1] + (changed and kind in COORDINATING)
        assert m.edge_versions.get(kind, 0) == versions[2] + changed
        assert ((min(u, v), max(u, v), kind) in m.edge_index) == present
        linked = m.grid[v] in m.grid[u].connections.values()
        assert linked == m.network.has_edge(u, v)
    assert set(m.edge_index) == {
        (min(a, b), max(a, b), k) for a, b, k in m.network.edges(keys=True)
    }


def _edges(m: GovernanceModel) -> set:
    return {(min(u, v), max(u, v), k) for u, v, k in m.network.edges(keys=True)}


def test_the_edge_index_holds_exactly_the_networks_edges_as_they_change():
    """`set_edge` reads whether an edge is there from the edge index: after months of
    contracts, committees and shared people changing, it holds the network's edges, and
    the Mesa space connects exactly the pairs with some edge."""
    m = GovernanceModel(rng=3, **WORLD)
    changes = m.network_version
    m.run_for(12)
    assert m.network_version > changes
    assert set(m.edge_index) == _edges(m)
    for u in list(m.network.nodes)[::7]:
        linked = {cell.coordinate for cell in m.grid[u].connections.values()}
        assert linked == set(m.network.neighbors(u))
    m.remove_all_agents()


def test_an_edge_set_as_it_is_changes_no_version_and_one_set_otherwise_does():
    m = GovernanceModel(rng=3, **WORLD)
    u, v, k = next(iter(m.edge_index))
    versions = (m.network_version, m.ties_version, dict(m.edge_versions), m.dept_version)
    set_edge(m, v, u, k, True)  # there already (either order of the ends)
    set_edge(m, u, v, "no_such_kind", False)  # not there
    assert versions == (m.network_version, m.ties_version, dict(m.edge_versions), m.dept_version)
    set_edge(m, v, u, k, False)
    assert not m.network.has_edge(u, v, key=k) and (u, v, k) not in m.edge_index
    assert m.network_version == versions[0] + 1
    assert m.edge_versions[k] == versions[2].get(k, 0) + 1
    set_edge(m, u, v, k, True)
    assert m.network.has_edge(u, v, key=k) and (u, v, k) in m.edge_index
    assert m.network_version == versions[0] + 2
    m.remove_all_agents()
