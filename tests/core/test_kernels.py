"""The compiled loops (sim.core.kernels) compute exactly what the NumPy code beside them
computes: whole runs give identical tables and resident state bit for bit, and each loop
agrees with its NumPy twin on random inputs, edge cases included (isolated residents, a graph
without ties, scalar or per-resident rates and costs, both cost rules)."""

from __future__ import annotations

from pathlib import Path
from unittest.mock import patch

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.core import kernels
from sim.core.mechanisms.participation import group_payoffs, imitation_update
from sim.core.model import GovernanceModel

pytest.importorskip("numba")

WORLD = dict(
    n_streets=1,
    communities_per_street=4.0,
    compounds_per_community=3.0,
    households_per_compound=60.0,
    n_firms=3,
    n_ngos=2,
)
"""About 4 communities, 12 compounds and 2,000 residents."""

PARTIAL_REFORM = """
extends = "{baseline}"

[[policy]]
month = 2
streets = [0]
[policy.set]
volunteer_platform = true
resident_assessment_weight = 0.9
"""
"""Levers set in one of two streets: per-community participation costs and service
priorities."""

SETTINGS = {
    "defaults": {},
    "levers in one street": {"n_streets": 2, "vocal_bias": 0.5, "timeline": PARTIAL_REFORM},
    "captures and platform": {"party_capture_protection": 0.0, "volunteer_platform": True},
}
"""Settings that take every branch of the loops: one cost and priority for all, per-community
costs and priorities, committees captured."""

PUSHES = dict(
    xa_one_shoulder=1.0,
    xa_two_committee_overlap=1.0,
    xa_two_committee_member_on_oc=1.0,
    oc_initial_share=1.0,
    initial_cadre_on_oc=1.0,
)
"""Cross-appointment pushed everywhere: many people sit on several bodies."""

RESIDENT_STATE = ("need", "met", "backlog", "satisfaction", "trust", "participates", "payoff")


def run(mode: str, setting: dict, folder, steps: int = 14) -> GovernanceModel:
    params = {**WORLD, **setting}
    with kernels.using(mode):
        if "timeline" in params:
            path = folder / "partial.toml"
            baseline = (Path(__file__).parents[2] / "scenarios" / "baseline.toml").as_posix()
            path.write_text(params.pop("timeline").format(baseline=baseline), encoding="utf-8")
            model = GovernanceModel.from_scenario(path, rng=5, **params)
        else:
            model = GovernanceModel(rng=5, **params)
        model.run_for(steps)
    return model


def tables(model: GovernanceModel) -> dict:
    return {
        "series": model.datacollector.get_model_vars_dataframe(),
        "communities": model.community_table(),
        "compounds": model.compound_table(),
        "streets": model.street_table(),
        "departments": model.department_table(),
    }


@pytest.mark.parametrize("name", SETTINGS)
def test_a_run_gives_identical_tables_and_residents_with_and_without_compiled_loops(name, tmp_path):
    a, b = run("numpy", SETTINGS[name], tmp_path), run("compiled", SETTINGS[name], tmp_path)
    for key, table in tables(a).items():
        other = tables(b)[key]
        assert table.equals(other), key  # NaN where NaN, every other value equal
        for column in table.select_dtypes("number"):  # and numbers bit for bit
            x, y = table[column].to_numpy(), other[column].to_numpy()
            assert x.tobytes() == y.tobytes(), (key, column)
    for key in RESIDENT_STATE:
        x, y = getattr(a.residents, key), getattr(b.residents, key)
        assert x.dtype == y.dtype and x.tobytes(order="A") == y.tobytes(order="A"), key
    assert a.residents.pays.tobytes() == b.residents.pays.tobytes()


def test_auto_compiles_for_large_populations_only():
    with kernels.using("auto"):
        assert kernels.active(kernels.MIN_RESIDENTS - 1) is None
        assert kernels.active(kernels.MIN_RESIDENTS) is not None
    with kernels.using("numpy"):
        assert kernels.active(10**9) is None


@pytest.mark.parametrize("mode", kernels.MODES)
def test_whether_a_size_compiles_is_known_without_loading_the_loops(mode):
    """`would_compile` (asked by the size guards before anything is built) answers as
    `active` does, in every mode and on both sides of `MIN_RESIDENTS`."""
    with kernels.using(mode):
        for n in (10, kernels.MIN_RESIDENTS - 1, kernels.MIN_RESIDENTS, 10**7):
            assert kernels.would_compile(n) == (kernels.active(n) is not None)


def test_an_unknown_mode_is_refused():
    with pytest.raises(ValueError, match="kernel mode must be one of"):
        kernels.set_mode("fast")


# --- each loop against its NumPy twin ----------------------------------------------------


@st.composite
def graphs(draw) -> sp.csr_matrix:
    """A symmetric float32 graph of ones without self-loops, some nodes isolated."""
    n = draw(st.integers(1, 60))
    m = draw(st.integers(0, 3 * n))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    src, dst = rng.integers(0, n, m), rng.integers(0, n, m)
    keep = src != dst
    src, dst = src[keep], dst[keep]
    adj = sp.coo_matrix(
        (np.ones(2 * src.size, np.int8), (np.r_[src, dst], np.r_[dst, src])), shape=(n, n)
    ).tocsr()
    adj.sort_indices()
    return sp.csr_matrix((np.ones(adj.nnz, np.float32), adj.indices, adj.indptr), shape=(n, n))


def twin(fn, *args, **kwargs):
    """`fn` once with the NumPy code and once with the compiled loops."""
    with kernels.using("numpy"):
        a = fn(*args, **kwargs)
    with kernels.using("compiled"):
        b = fn(*args, **kwargs)
    return a, b


@settings(max_examples=60, deadline=None)
@given(
    adj=graphs(),
    seed=st.integers(0, 2**32 - 1),
    scalar_r=st.booleans(),
    scalar_cost=st.booleans(),
    rule=st.sampled_from(["per_game", "per_individual"]),
    chunk=st.sampled_from([7, 8192]),
)
def test_group_payoffs_compiled_equal_numpy_bit_for_bit(
    adj, seed, scalar_r, scalar_cost, rule, chunk
):
    n = adj.shape[0]
    rng = np.random.default_rng(seed)
    cooperate = rng.random(n) < 0.5
    r = 3.7 if scalar_r else (rng.random(n) * 5).astype(np.float32)
    cost = 0.3 if scalar_cost else rng.random(n).astype(np.float32)
    with patch.object(kernels, "CHUNK", chunk):  # several chunks, or one
        a, b = twin(group_payoffs, adj, cooperate, r, cost, rule)
    assert a.dtype == b.dtype == np.float32
    assert a.tobytes() == b.tobytes()


@settings(max_examples=60, deadline=None)
@given(
    adj=graphs(),
    seed=st.integers(0, 2**32 - 1),
    update=st.sampled_from([1.0, 0.3]),
    per_edge=st.booleans(),
    precision=st.sampled_from([np.float32, np.float64]),
)
def test_imitation_compiled_equals_numpy_and_draws_the_same(adj, seed, update, per_edge, precision):
    n = adj.shape[0]
    rng = np.random.default_rng(seed)
    cooperate = rng.random(n) < 0.5
    payoffs = (rng.random(n) * 4 - 1).astype(precision)
    max_diff = rng.random(adj.nnz) * 5 if per_edge else 2.5
    draws = [np.random.default_rng(seed + 1) for _ in range(2)]
    with kernels.using("numpy"):
        a = imitation_update(adj, cooperate, payoffs, draws[0], max_diff, update)
    with kernels.using("compiled"):
        b = imitation_update(adj, cooperate, payoffs, draws[1], max_diff, update)
    assert np.array_equal(a, b)
    assert draws[0].random() == draws[1].random()  # the same draws were made


@pytest.mark.parametrize("chunk", [4, 8192])
def test_the_graph_regrouped_by_degree_holds_every_tie_in_order(chunk, monkeypatch):
    monkeypatch.setattr(kernels, "CHUNK", chunk)
    adj = _ring_with_hub()
    blocks = kernels.degree_blocks(adj, kernels._module())
    deg = np.diff(adj.indptr)
    assert np.array_equal(np.sort(blocks.rows), np.arange(adj.shape[0]))
    chunk = blocks.rows // kernels.CHUNK
    assert np.all(np.diff(chunk) >= 0)  # chunk after chunk
    same = np.diff(chunk) == 0
    assert np.all(np.diff(deg[blocks.rows])[same] >= 0)  # by degree within a chunk
    for b, d in enumerate(blocks.block_degree):
        first, last = blocks.block_row[b], blocks.block_row[b + 1]
        m = last - first
        cols = blocks.cols[blocks.block_col[b] : blocks.block_col[b] + d * m].reshape(d, m)
        for j, row in enumerate(blocks.rows[first:last]):
            assert np.array_equal(cols[:, j], adj.indices[adj.indptr[row] : adj.indptr[row + 1]])
    assert kernels.degree_blocks(adj, kernels._module()) is blocks  # built once per graph


def _ring_with_hub(n: int = 9) -> sp.csr_matrix:
    """A ring of n nodes, a hub tied to every other one, and one isolated node."""
    edges = [(i, (i + 1) % n) for i in range(n)] + [(n, i) for i in range(0, n, 2)]
    src, dst = np.array(edges).T
    size = n + 2
    adj = sp.coo_matrix(
        (np.ones(2 * len(edges), np.float32), (np.r_[src, dst], np.r_[dst, src])),
        shape=(size, size),
    ).tocsr()
    adj.sort_indices()
    return adj


@pytest.mark.parametrize("household_rule", [False, True])
def test_voting_chances_compiled_equal_numpy_bit_for_bit(household_rule):
    """Turnout chances from the compiled loop and from NumPy, with trust on both sides of
    neutral, exactly neutral, zero and NaN, tenants and owners, minors and adults."""
    from sim.core.mechanisms import elections

    model = GovernanceModel(rng=3, election_household_rule=household_rule, **WORLD)
    model.run_for(2)
    res, rng = model.residents, np.random.default_rng(0)
    trust = rng.random(res.n).astype(np.float32)
    trust[::7] = np.float32(model.p["trust_neutral"])
    trust[1::11], trust[2::13] = 0.0, np.nan
    res.trust[:, 1] = trust
    res.participates = rng.random(res.n) < 0.4
    out = {}
    for mode in ("numpy", "compiled"):
        model.cache.clear()
        with kernels.using(mode):
            out[mode] = elections.voting_chances(model), elections.turnout_by_community(model)
    for x, y in zip(out["numpy"][0], out["compiled"][0]):
        assert x.dtype == y.dtype == np.float32 and x.tobytes() == y.tobytes()
    for x, y in zip(out["numpy"][1], out["compiled"][1]):
        assert np.array_equal(x, y, equal_nan=True) and x.tobytes() == y.tobytes()
    assert np.isnan(out["compiled"][0][0]).any() and (out["compiled"][0][0] == 0).any()


@settings(max_examples=40, deadline=None)
@given(
    size=st.integers(1, 60),
    ties=st.integers(0, 200),
    seed=st.integers(0, 2**31 - 1),
    limit=st.sampled_from([0.0, 0.7, 1.05, 3.0, np.inf]),
)
def test_path_lengths_compiled_equal_scipy_dijkstra_bit_for_bit(size, ties, seed, limit):
    """Shortest paths within a limit, from the compiled search and from SciPy's Dijkstra:
    weights from a few values (so that paths of equal length abound, reached in different
    orders), isolated nodes, repeated sources, a source that is its own target."""
    from scipy.sparse.csgraph import dijkstra

    compiled = kernels._module()
    rng = np.random.default_rng(seed)
    u, v = rng.integers(0, size, ties), rng.integers(0, size, ties)
    keep = u != v
    u, v = u[keep], v[keep]
    w = rng.choice([0.1, 0.2, 0.3, 1 / 3, 0.7], u.size) + 1e-12
    graph = sp.coo_matrix((np.r_[w, w], (np.r_[u, v], np.r_[v, u])), shape=(size, size)).tocsr()
    sources = np.sort(rng.integers(0, size, 30))
    targets = rng.integers(0, size, 30)
    targets[0] = sources[0]
    out = np.empty(sources.size)
    compiled.path_lengths(graph.indptr, graph.indices, graph.data, limit, sources, targets, out)
    reference = dijkstra(graph, indices=sources, limit=limit)[np.arange(sources.size), targets]
    assert out.tobytes() == reference.tobytes()


def test_coordination_compiled_equals_the_region_by_region_searches(monkeypatch):
    """Coordination of every pair from the compiled search and from SciPy's searches made
    batch by batch within each batch's region (batches of 3 sources, so that regions are
    smaller than the network)."""
    from sim.core.mechanisms import coordination

    model = GovernanceModel(rng=4, **{**WORLD, "n_streets": 2})
    model.run_for(3)
    monkeypatch.setattr(coordination, "BATCH", 3)
    n = model.network.number_of_nodes()
    rng = np.random.default_rng(1)
    sources, targets = rng.integers(0, n, 400), rng.integers(0, n, 400)
    out = {}
    for mode in ("numpy", "compiled"):
        with kernels.using(mode):
            out[mode] = coordination.path_coordination(model, sources, targets)
    assert out["numpy"].tobytes() == out["compiled"].tobytes()
    assert (out["compiled"] > model.p["coord_base"]).sum() > 20  # many pairs have a path


def test_link_graph_compiled_equals_numpy():
    """The graph of coordination links built by the compiled loop (shared links found from
    each person's seats) equals NumPy's CSR of the standing and shared links bit for bit, in
    a district where many people sit on several bodies, and in one where nobody does."""
    from sim.core.mechanisms import coordination

    pushes = PUSHES
    shared = []
    for params in (pushes, dict(initial_one_shoulder=0.0, initial_overlap=0.0)):
        with kernels.using("numpy"):
            model = GovernanceModel(rng=5, **WORLD, **params)
            model.run_for(3)
        n = model.network.number_of_nodes()
        model.people.performance[: model.people.n] = np.random.default_rng(2).random(model.people.n)
        links = zip(coordination.standing_links(model), coordination.shared_links(model))
        numpy_ = coordination._link_rows(*(np.concatenate(pair) for pair in links), n)
        order, start = coordination.seats_by_holder(model)
        compiled = kernels._module().link_graph(
            *coordination.standing_links(model),
            order,
            start,
            model.seats.node,
            model.people.performance,
            float(model.p["coord_shared"]),
            coordination.edge_keys(model, "cross_appointment"),
            n,
        )
        for a, b in zip(numpy_, compiled):
            assert a.dtype == b.dtype and a.tobytes() == b.tobytes()
        shared.append(coordination.shared_links(model)[0].size)
    assert shared[0] > 20 and shared[1] == 0


def test_seats_by_holder_compiled_equal_numpy():
    """The filled seats grouped by holder, from the compiled counting sort and from NumPy's
    stable sort, and where each person's run starts: equal bit for bit, with vacant seats,
    people on several seats and people on none."""
    from sim.core.mechanisms import coordination

    pushes = dict(xa_one_shoulder=1.0, xa_two_committee_overlap=1.0, initial_cadre_on_oc=1.0)
    with kernels.using("numpy"):
        model = GovernanceModel(rng=7, **WORLD, **pushes)
        model.run_for(2)
    model.vacate(np.flatnonzero(model.seats.holder >= 0)[::5])
    out = {}
    for mode in ("numpy", "compiled"):
        model.cache.pop("seats_by_holder", None)
        with kernels.using(mode):
            out[mode] = coordination.seats_by_holder(model)
    for a, b in zip(out["numpy"], out["compiled"]):
        assert a.dtype == b.dtype and a.tobytes() == b.tobytes()
    order, start = out["compiled"]
    assert order.size == (model.seats.holder >= 0).sum() and (np.diff(start) > 1).any()
    assert (np.diff(start) == 0).any()


def test_loads_compiled_equal_numpy():
    """Every person's load and performance from the compiled loop and from NumPy, bit for
    bit: people on up to several seats, seats asking equal hours (the order of the sum
    then follows the seats' order), vacant seats, people with no seat."""
    from sim.core.mechanisms import coordination, workload
    from sim.core.people import CADRE

    pushes = dict(xa_one_shoulder=1.0, xa_two_committee_overlap=1.0, initial_cadre_on_oc=1.0)
    with kernels.using("numpy"):
        model = GovernanceModel(rng=6, **WORLD, **pushes)
        model.run_for(2)
    rng = np.random.default_rng(3)
    seats, people = model.seats, model.people
    seats.effort[:] = rng.choice([0.0, 0.3, 1 / 3, 0.7, 1.0], seats.n)
    people.extra_hours[: people.n] = rng.choice([0.0, 7.3, 40.0], people.n)
    assert np.bincount(seats.holder[seats.holder >= 0]).max() >= 3
    with kernels.using("compiled"):
        coordination.seats_by_holder(model)  # cached for these seats, before ...
    model.new_people(2, CADRE, 0)  # ... two people who hold no seat yet
    people.extra_hours[people.n - 1] = 30.0
    out = {}
    for mode in ("numpy", "compiled"):
        with kernels.using(mode):
            workload.loads(model)
        out[mode] = people.view("load").copy(), people.view("performance").copy()
    for a, b in zip(out["numpy"], out["compiled"]):
        assert a.tobytes() == b.tobytes()
    assert (out["numpy"][1] < 1).any()


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize(
    "threshold", [0.0, 0.1, 0.1000000001, np.float64(0.1), np.float32(0.1), 1.0]
)
def test_who_is_below_a_rate_compiled_equals_numpy(dtype, threshold):
    """`kernels.below` picks the indices `np.flatnonzero(u < threshold)` picks, comparing in
    the type NumPy compares in (a Python float as the uniforms' type, a float64 as float64);
    values on either side of the threshold's float32 rounding included."""
    u = np.random.default_rng(4).random(20_000).astype(dtype)
    u[:4] = np.array([np.float32(0.1), np.nextafter(np.float32(0.1), 0), 0.1, 0.0], dtype=dtype)
    compiled = kernels.active(10**9)
    assert np.array_equal(kernels.below(compiled, u, threshold), np.flatnonzero(u < threshold))
    assert np.array_equal(kernels.below(None, u, threshold), np.flatnonzero(u < threshold))


@settings(max_examples=60, deadline=None)
@given(
    keys=st.lists(st.integers(-50, 50), max_size=40, unique=True),
    probes=st.lists(st.integers(-60, 60), min_size=1, max_size=20),
)
def test_key_search_compiled_equals_a_sorted_search(keys, probes):
    """The compiled search of a sorted key array (chosen without branches) finds a key
    exactly where NumPy's search does: empty and one-key arrays, keys at either end,
    values outside the keys' range."""
    from sim.core.rows import in_sorted

    compiled = kernels._module()
    keys = np.sort(np.array(keys, dtype=np.int64))
    probes = np.array(probes + keys[:1].tolist() + keys[-1:].tolist(), dtype=np.int64)
    found = [compiled._has_key(keys, int(value)) for value in probes]
    assert found == in_sorted(probes, keys).tolist()


def test_seat_conflicts_compiled_equal_numpy():
    """The check lost through each seat's holder, from the compiled loop and from NumPy, for
    every seat against the body it checks and against random bodies: direct and allied
    conflicts both occur, vacant seats lose nothing."""
    from sim.core.mechanisms import coordination

    pushes = PUSHES
    with kernels.using("numpy"):
        model = GovernanceModel(rng=4, **WORLD, **pushes)
        model.run_for(4)
    seats = model.seats
    rng = np.random.default_rng(1)
    ids = np.r_[np.arange(seats.n), np.arange(seats.n)]
    nodes = model.network.number_of_nodes()
    targets = np.r_[seats.node[::-1][: seats.n], rng.integers(0, nodes, seats.n)]
    # every seat's own body's neighbours too: where allied and direct conflicts sit
    u, v, _ = model.edge_index.arrays(("collaboration", "coordination", "cross_appointment"))
    ids = np.r_[ids, rng.integers(0, seats.n, 4 * u.size)]
    targets = np.r_[targets, rng.choice(np.r_[u, v], 4 * u.size)]
    numpy_, compiled = twin(coordination.seat_conflicts, model, ids, targets)
    assert numpy_.tobytes() == compiled.tobytes()
    p = model.p
    assert (numpy_ == p["conflict_direct"]).any() and (numpy_ == p["conflict_ally"]).any()
    assert (numpy_[seats.holder[ids] < 0] == 0).all()


def test_counts_per_community_and_compound_compiled_equal_numpy():
    """Residents counted per community and per compound from a boolean array: the compiled
    count equals NumPy's sums (empty groups count 0)."""
    model = GovernanceModel(rng=2, **WORLD)
    res = model.residents
    flags = np.random.default_rng(3).random(res.n) < 0.3
    out = {}
    for mode in ("numpy", "compiled"):
        with kernels.using(mode):
            out[mode] = (res.per_community(flags), res.per_compound(flags))
    for numpy_sums, compiled_sums in zip(out["numpy"], out["compiled"]):
        assert numpy_sums.dtype == compiled_sums.dtype == np.float64
        assert np.array_equal(numpy_sums, compiled_sums)
    assert out["compiled"][0].sum() == flags.sum()
    counts = np.empty(4, dtype=np.int64)
    kernels.active(10**9).segment_counts(
        np.array([True, False, True, True]), np.array([0, 0, 2, 2, 4]), counts
    )
    assert counts.tolist() == [0, 1, 0, 2]
