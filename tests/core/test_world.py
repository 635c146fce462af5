"""World builder: the nested structure, its heterogeneity, and the typed network."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest
import scipy.sparse as sp

from sim.core import params as P
from sim.core import types as T
from sim.core.world import EDGE_KINDS, NODE_KINDS, build_world


@pytest.fixture(scope="module")
def world():
    p = P.validate({"n_streets": 3, "n_firms": 6, "n_ngos": 4})
    return build_world(p, np.random.default_rng(5)), p


def test_levels_nest(world):
    w, p = world
    assert w.n_streets == p["n_streets"]
    assert set(np.unique(w.street_of_community)) == set(range(w.n_streets))
    assert set(np.unique(w.community_of_compound)) == set(range(w.n_communities))
    assert np.all(np.diff(w.community_of_compound) >= 0), "compounds grouped by community"
    assert np.all(np.diff(w.compound_of_resident) >= 0), "residents grouped by compound"
    assert set(np.unique(w.compound_of_resident)) == set(range(w.n_compounds))


def test_sizes_are_heterogeneous(world):
    w, _ = world
    per_comm = np.bincount(w.community_of_compound)
    assert per_comm.min() >= 1 and per_comm.std() > 0
    assert w.households_of_compound.std() > 0
    assert len(np.unique(np.bincount(w.street_of_community))) > 1 or w.n_streets == 1


def test_households_have_one_head_and_shared_ownership(world):
    w, _ = world
    assert w.head.sum() == w.household_of_resident[-1] + 1
    first = np.flatnonzero(w.head)
    assert np.array_equal(w.household_of_resident[first], np.arange(first.size))
    assert np.all(w.owner == w.owner[first][w.household_of_resident])
    assert np.all(w.area[~w.head] == 0) and np.all(w.area[w.head] > 0)


def test_social_graph_is_simple_symmetric_and_mostly_local(world):
    w, p = world
    a = w.social
    assert (a != a.T).nnz == 0
    assert a.diagonal().sum() == 0
    assert a.data.max() == 1
    deg = np.diff(a.indptr)
    assert abs(deg.mean() - p["social_degree"]) < 1.0
    rows = np.repeat(np.arange(a.shape[0]), deg)
    same = w.compound_of_resident[rows] == w.compound_of_resident[a.indices]
    assert same.mean() > 0.8


def test_the_social_graph_stores_its_ties_and_one_weight_shared_by_all(world):
    """A tie's weight is always 1: the graph keeps no array of weights (at city scale that
    array was 90 MB), only its ties, and still reads as a float32 matrix of ones."""
    w, _ = world
    a = w.social
    owned = a.indptr.nbytes + a.indices.nbytes
    data = a.data
    while data.base is not None:
        data = data.base
    assert data.nbytes <= 4 and owned > 1000 * data.nbytes
    assert a.dtype == np.float32 and np.all(a.data == 1) and a.data.size == a.nnz
    stored = sp.csr_matrix((np.ones(a.nnz, np.float32), a.indices, a.indptr), shape=a.shape)
    x = np.random.default_rng(0).random(a.shape[0]).astype(np.float32)
    assert (a @ x).tobytes() == (stored @ x).tobytes()


def test_network_has_integer_ids_kinds_and_every_edge_type(world):
    w, p = world
    g = w.graph
    assert sorted(g.nodes) == list(range(g.number_of_nodes()))
    kinds = {d["kind"] for _, d in g.nodes(data=True)}
    assert kinds == set(NODE_KINDS)
    edge_kinds = {k for _, _, k in g.edges(keys=True)}
    # shared people, collaboration and convened ties come from people and contracts, which
    # the model adds
    assert edge_kinds == set(EDGE_KINDS) - {"cross_appointment", "collaboration"}
    # every organisation in place is tied in; a compound's branch node waits for a branch,
    # a firm without contracts for a tender it wins
    first_branch = w.node_offset["compound_branch"]
    no_branch = {first_branch + c for c in np.flatnonzero(~w.compound_has_branch)}
    idle = set(range(p["n_firms"])) - set(w.firm_of_compound[w.firm_of_compound >= 0].tolist())
    no_branch |= {w.node_offset["property_firm"] + f for f in idle}
    assert nx.is_connected(
        nx.Graph(g).subgraph(
            n
            for n, d in g.nodes(data=True)
            if d["kind"] not in ("ngo", "property_committee") and n not in no_branch
        )
    )
    assert all(g.degree(n) == 0 for n in no_branch)


def test_network_agrees_with_the_arrays(world):
    w, p = world
    g, off = w.graph, w.node_offset
    for c, f in enumerate(w.firm_of_compound):
        if f >= 0:
            assert g.has_edge(
                off["owners_committee"] + c, off["property_firm"] + int(f), "contract"
            )
    for c, s in enumerate(w.street_of_community):
        assert g.has_edge(
            off["street_office"] + int(s), off["residents_committee"] + c, "hierarchy"
        )
        assert g.has_edge(off["party_branch"] + c, off["residents_committee"] + c, "coordination")


def test_same_seed_same_world_and_levers_do_not_change_it():
    p = P.validate({"n_streets": 2})
    a = build_world(p, np.random.default_rng(3))
    b = build_world(
        {**p, "xa_one_shoulder": 0.1, "devolution_share": 0.9}, np.random.default_rng(3)
    )
    assert np.array_equal(a.compound_of_resident, b.compound_of_resident)
    assert np.array_equal(a.compound_type, b.compound_type)
    assert np.array_equal(a.fee, b.fee)
    assert (a.social != b.social).nnz == 0


def test_community_types_follow_the_published_mix_and_compounds_their_community():
    p = P.validate({"n_streets": 60})
    w = build_world(p, np.random.default_rng(5))
    share = {t: np.mean(w.community_type == t) for t in T.COMMUNITY_TYPES}
    for t, expected in zip(T.COMMUNITY_TYPES, T.community_mix(p)):
        assert abs(share[t] - expected) < 0.04, (t, share[t], expected)
    old = w.community_type[w.community_of_compound] == "old"
    assert np.mean(w.compound_type[old] == "old") > p["type_purity"]


def test_compound_attributes_follow_their_type():
    p = P.validate({"n_streets": 30})
    w = build_world(p, np.random.default_rng(6))
    old, new = w.compound_type == "old", w.compound_type == "commercial"
    assert w.build_year[old].max() < w.build_year[new].min() + 1
    assert np.median(w.fee[old]) < np.median(w.fee[new])
    assert np.mean(w.firm_of_compound[old] >= 0) < np.mean(w.firm_of_compound[new] >= 0)
    assert np.all(w.firm_of_compound[w.management != T.FIRM] == -1)
