"""Specification of the participation public-goods game (ODD §7.10, sim.core.mechanisms.participation).

Payoffs are checked against exact identities and hand computations, against a plain loop over
groups (the game as written in Santos, Santos & Pacheco 2008), and the imitation rule against
its transition probabilities with binomial tests.
"""

from __future__ import annotations

from fractions import Fraction

import networkx as nx
import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from sim.core.mechanisms.participation import (
    COST_RULES,
    edge_max_payoff_difference,
    group_payoffs,
    imitation_update,
    max_payoff_difference,
    run_public_goods_game,
    simulate_public_goods_game,
    validate_adjacency,
)

TOL = {"rtol": 1e-12, "atol": 1e-12}
ALPHA = 1e-3  # binomial tests: reject the rule only on overwhelming evidence


def graph(n: int, edges: list[tuple[int, int]]) -> sp.csr_array:
    """Symmetric unweighted CSR adjacency of an undirected simple graph."""
    g = nx.Graph()
    g.add_nodes_from(range(n))
    g.add_edges_from(edges)
    adj = nx.to_scipy_sparse_array(g, nodelist=range(n), format="csr", dtype=np.float64)
    adj.sort_indices()
    return adj


def reference_payoffs(adj, cooperate, r, cost, cost_rule) -> np.ndarray:
    """The game written as a loop over groups: each cooperator puts in, the pot times r_g is
    shared equally among the group's members."""
    n = adj.shape[0]
    dense = adj.toarray() > 0
    degree = dense.sum(axis=1)
    r = np.broadcast_to(np.asarray(r, dtype=float), (n,))
    cost = np.broadcast_to(np.asarray(cost, dtype=float), (n,))
    payoff = np.zeros(n)
    for centre in range(n):
        members = [centre, *np.flatnonzero(dense[centre])]
        pot = 0.0
        for j in members:
            if cooperate[j]:
                put = cost[j] if cost_rule == "per_game" else cost[j] / (degree[j] + 1)
                pot += put
                payoff[j] -= put
        for j in members:
            payoff[j] += r[centre] * pot / len(members)
    return payoff


@st.composite
def small_graphs(draw, max_nodes: int = 10):
    """A random simple undirected graph (isolated nodes allowed) as CSR."""
    n = draw(st.integers(1, max_nodes))
    pairs = [(i, j) for i in range(n) for j in range(i + 1, n)]
    edges = draw(st.lists(st.sampled_from(pairs), unique=True)) if pairs else []
    return graph(n, edges)


@st.composite
def games(draw, max_nodes: int = 10):
    """A graph with strategies, per-group r, per-node cost and a cost rule."""
    adj = draw(small_graphs(max_nodes))
    n = adj.shape[0]
    cooperate = np.array(draw(st.lists(st.booleans(), min_size=n, max_size=n)), dtype=bool)
    values = st.floats(0.0, 10.0, allow_nan=False)
    r = np.array(draw(st.lists(values, min_size=n, max_size=n)))
    cost = np.array(draw(st.lists(st.floats(0.0, 3.0), min_size=n, max_size=n)))
    return adj, cooperate, r, cost, draw(st.sampled_from(COST_RULES))


def switch(cooperate: np.ndarray, i: int, value: bool) -> np.ndarray:
    out = cooperate.copy()
    out[i] = value
    return out


# ------------------------------------------------------------------ (a) one well-mixed group


@settings(max_examples=60, deadline=None)
@given(
    size=st.integers(2, 9),
    r=st.floats(0.0, 12.0),
    c=st.floats(0.1, 5.0),
    data=st.data(),
)
def test_complete_graph_cooperating_costs_c_times_one_minus_r_over_g_per_game(size, r, c, data):
    # On K_G every node is the centre of a group containing all G nodes, so each node plays
    # G games, all with the same G players. Switching a focal node from D to C, others fixed,
    # adds c to each pot, of which it gets back r c / G: it earns c (1 - r/G) less per game,
    # G c (1 - r/G) in total, whatever the others do.
    adj = graph(size, [(i, j) for i in range(size) for j in range(i + 1, size)])
    others = np.array(data.draw(st.lists(st.booleans(), min_size=size, max_size=size)))
    focal = data.draw(st.integers(0, size - 1))
    as_c = group_payoffs(adj, switch(others, focal, True), r, c, "per_game")[focal]
    as_d = group_payoffs(adj, switch(others, focal, False), r, c, "per_game")[focal]
    np.testing.assert_allclose(as_d - as_c, size * c * (1 - r / size), **TOL)
    # Within one population every member gets the same share, so a cooperator has exactly
    # c per game (its own cost) less than a defector, G c in total.
    coop = switch(others, focal, True)
    payoffs = group_payoffs(adj, coop, r, c, "per_game")
    shares = size * r * c * coop.sum() / size
    np.testing.assert_allclose(payoffs, shares - size * c * coop, **TOL)


@settings(max_examples=60, deadline=None)
@given(
    size=st.integers(2, 9),
    r=st.floats(0.0, 12.0),
    c=st.floats(0.1, 5.0),
    data=st.data(),
)
def test_single_group_isolated_by_per_group_r(size, r, c, data):
    # A star of G nodes: the hub's group is all G nodes. With r = 0 in every other group, that
    # group is the only one that pays anything back. Switching node i from D to C costs
    # c (1 - r/G) in the hub's group plus the plain cost c in each of its other k_i games.
    adj = graph(size, [(0, leaf) for leaf in range(1, size)])
    r_groups = np.zeros(size)
    r_groups[0] = r
    others = np.array(data.draw(st.lists(st.booleans(), min_size=size, max_size=size)))
    focal = data.draw(st.integers(0, size - 1))
    as_c = group_payoffs(adj, switch(others, focal, True), r_groups, c, "per_game")[focal]
    as_d = group_payoffs(adj, switch(others, focal, False), r_groups, c, "per_game")[focal]
    k_focal = size - 1 if focal == 0 else 1
    np.testing.assert_allclose(as_d - as_c, c * (1 - r / size) + c * k_focal, **TOL)


# ------------------------------------------------------------------ (b) what a cooperator pays


@settings(max_examples=80, deadline=None)
@given(game=games())
def test_per_individual_cooperator_pays_its_cost_once_per_generation(game):
    adj, cooperate, _, cost, _ = game
    # With r = 0 nothing is paid back, so the payoff is minus what was paid in total.
    payoffs = group_payoffs(adj, cooperate, 0.0, cost, "per_individual")
    np.testing.assert_allclose(payoffs, -cost * cooperate, **TOL)


@settings(max_examples=80, deadline=None)
@given(game=games())
def test_per_game_cooperator_pays_its_cost_in_each_of_its_k_plus_1_games(game):
    adj, cooperate, _, cost, _ = game
    degree = np.diff(adj.indptr)
    payoffs = group_payoffs(adj, cooperate, 0.0, cost, "per_game")
    np.testing.assert_allclose(payoffs, -cost * (degree + 1) * cooperate, **TOL)


# ------------------------------------------------------------------ (c) hand-computed payoffs

# Triangle 0-1-2 with a pendant 3 on node 2; nodes 0 and 3 cooperate. Groups:
# g0 = g1 = {0, 1, 2}, g2 = {0, 1, 2, 3}, g3 = {2, 3}.
HAND_EDGES = [(0, 1), (0, 2), (1, 2), (2, 3)]
HAND_COOP = np.array([True, False, False, True])


def test_hand_computed_payoffs_cost_per_game():
    # r = 2, c = 1. Pots: g0 = g1 = 1, g2 = 2, g3 = 1; shares 2/3, 2/3, 1, 1.
    # P0 = 2/3 + 2/3 + 1 - 3 = -2/3;  P1 = 7/3;  P2 = 2/3 + 2/3 + 1 + 1 = 10/3;  P3 = 1 + 1 - 2 = 0
    expected = [Fraction(-2, 3), Fraction(7, 3), Fraction(10, 3), Fraction(0)]
    payoffs = group_payoffs(graph(4, HAND_EDGES), HAND_COOP, 2.0, 1.0, "per_game")
    np.testing.assert_allclose(payoffs, [float(x) for x in expected], **TOL)


def test_hand_computed_payoffs_cost_per_individual():
    # r = 2, c = 1. Node 0 (degree 2) puts 1/3 into each game, node 3 (degree 1) 1/2.
    # Pots: g0 = g1 = 1/3, g2 = 5/6, g3 = 1/2; shares 2/9, 2/9, 5/12, 1/2.
    # P0 = 4/9 + 5/12 - 1 = -5/36;  P1 = 31/36;  P2 = 49/36;  P3 = 5/12 + 1/2 - 1 = -1/12
    expected = [Fraction(-5, 36), Fraction(31, 36), Fraction(49, 36), Fraction(-1, 12)]
    payoffs = group_payoffs(graph(4, HAND_EDGES), HAND_COOP, 2.0, 1.0, "per_individual")
    np.testing.assert_allclose(payoffs, [float(x) for x in expected], **TOL)


def test_hand_computed_payoffs_per_group_r_and_per_node_cost():
    # r_g = 1, 2, 3, 4 for the groups centred on 0..3; node 3 pays 2 per game, the others 1.
    # Pots: g0 = g1 = 1, g2 = 1 + 2 = 3, g3 = 2; shares 1/3, 2/3, 9/4, 4.
    # P0 = 1/3 + 2/3 + 9/4 - 3 = 1/4;  P1 = 13/4;  P2 = 1 + 9/4 + 4 = 29/4;  P3 = 9/4 + 4 - 4 = 9/4
    expected = [Fraction(1, 4), Fraction(13, 4), Fraction(29, 4), Fraction(9, 4)]
    payoffs = group_payoffs(
        graph(4, HAND_EDGES),
        HAND_COOP,
        np.array([1.0, 2, 3, 4]),
        np.array([1.0, 1, 1, 2]),
        "per_game",
    )
    np.testing.assert_allclose(payoffs, [float(x) for x in expected], **TOL)


def test_isolated_node_plays_alone():
    payoffs = group_payoffs(graph(2, []), np.array([True, False]), 3.0, 1.0, "per_game")
    np.testing.assert_allclose(payoffs, [2.0, 0.0], **TOL)


# ------------------------------------------------------------------ payoffs: general identities


@settings(max_examples=150, deadline=None)
@given(game=games())
def test_payoffs_equal_a_loop_over_groups(game):
    adj, cooperate, r, cost, rule = game
    np.testing.assert_allclose(
        group_payoffs(adj, cooperate, r, cost, rule),
        reference_payoffs(adj, cooperate, r, cost, rule),
        rtol=1e-10,
        atol=1e-10,
    )


@settings(max_examples=150, deadline=None)
@given(game=games())
def test_total_payoff_is_sum_over_groups_of_r_minus_one_times_pot(game):
    # What a group pays out is r_g times its pot C_g, and the pot came out of its members'
    # pockets: sum_i P_i = sum_g (r_g - 1) C_g.
    adj, cooperate, r, cost, rule = game
    degree = np.diff(adj.indptr)
    put = cost * cooperate if rule == "per_game" else cost * cooperate / (degree + 1)
    pots = adj @ put + put
    total = group_payoffs(adj, cooperate, r, cost, rule).sum()
    np.testing.assert_allclose(total, np.sum((r - 1) * pots), rtol=1e-10, atol=1e-9)


@settings(max_examples=60, deadline=None)
@given(adj=small_graphs(), r=st.floats(0.0, 10.0), c=st.floats(0.0, 3.0), data=st.data())
def test_total_payoff_closed_forms_with_scalar_r_and_cost(adj, r, c, data):
    n = adj.shape[0]
    cooperate = np.array(data.draw(st.lists(st.booleans(), min_size=n, max_size=n)), dtype=bool)
    degree = np.diff(adj.indptr)
    per_game = group_payoffs(adj, cooperate, r, c, "per_game").sum()
    per_individual = group_payoffs(adj, cooperate, r, c, "per_individual").sum()
    np.testing.assert_allclose(
        per_game, (r - 1) * c * np.sum(cooperate * (degree + 1)), rtol=1e-10, atol=1e-9
    )
    np.testing.assert_allclose(per_individual, (r - 1) * c * cooperate.sum(), rtol=1e-10, atol=1e-9)


# ------------------------------------------------------------------ the bound M


@settings(max_examples=150, deadline=None)
@given(game=games(max_nodes=12))
def test_edge_bound_covers_every_payoff_difference(game):
    adj, cooperate, r, cost, rule = game
    payoffs = group_payoffs(adj, cooperate, r, cost, rule)
    bound = edge_max_payoff_difference(adj, r, cost, rule)
    rows = np.repeat(np.arange(adj.shape[0]), np.diff(adj.indptr))
    assert np.all(payoffs[adj.indices] - payoffs[rows] <= bound + 1e-9)


@settings(max_examples=60, deadline=None)
@given(
    adj=small_graphs(max_nodes=12),
    r=st.floats(0.0, 10.0),
    c=st.floats(0.01, 3.0),
    rule=st.sampled_from(COST_RULES),
)
def test_edge_bound_with_scalars_is_the_degree_formula(adj, r, c, rule):
    degree = np.diff(adj.indptr)
    rows = np.repeat(np.arange(adj.shape[0]), degree)
    np.testing.assert_allclose(
        edge_max_payoff_difference(adj, r, c, rule),
        max_payoff_difference(degree[rows], degree[adj.indices], r, c, rule),
        **TOL,
    )


def test_degree_formula_values():
    # per game: c [r (k_y + 1) + (k_x + 1)];  per individual: c [r (k_y + 1) / 2 + 1]
    assert max_payoff_difference(2, 5, 3.0, 1.5, "per_game") == pytest.approx(1.5 * (18 + 3))
    assert max_payoff_difference(2, 5, 3.0, 1.5, "per_individual") == pytest.approx(1.5 * 10)
    assert max_payoff_difference(2, 0, 3.0, 1.0, "per_individual") == pytest.approx(4.0)


# ------------------------------------------------------------------ (d) imitation


def disjoint_copies(block: list[tuple[int, int]], size: int, copies: int) -> sp.csr_array:
    edges = [(a + size * i, b + size * i) for i in range(copies) for a, b in block]
    return graph(size * copies, edges)


def binomial_ok(successes: int, trials: int, p: float) -> bool:
    return stats.binomtest(successes, trials, p).pvalue > ALPHA


@pytest.mark.parametrize("gap, m", [(0.3, 1.0), (0.05, 0.5), (2.0, 2.5)])
def test_focal_copies_a_better_neighbour_with_probability_gap_over_m(gap, m):
    pairs = 20_000
    adj = disjoint_copies([(0, 1)], 2, pairs)
    cooperate = np.tile([False, True], pairs)  # x defects, y cooperates
    payoffs = np.tile([0.0, gap], pairs)  # y does better
    new = imitation_update(adj, cooperate, payoffs, np.random.default_rng(1), m)
    assert np.all(new[1::2])  # the better one never copies the worse one
    assert binomial_ok(int(new[0::2].sum()), pairs, gap / m)


def test_neighbour_is_drawn_uniformly_from_the_row():
    # Hub 0 defects with payoff 0; its leaves cooperate with payoffs -1, 0.2, 0.5, 0.9 and
    # M = 1: the hub becomes a cooperator with probability (0 + 0.2 + 0.5 + 0.9) / 4 = 0.4.
    # The leaf at -1 always copies the hub (gain 1 = M); the others never change.
    stars = 20_000
    adj = disjoint_copies([(0, 1), (0, 2), (0, 3), (0, 4)], 5, stars)
    cooperate = np.tile([False, True, True, True, True], stars)
    payoffs = np.tile([0.0, -1.0, 0.2, 0.5, 0.9], stars)
    new = imitation_update(adj, cooperate, payoffs, np.random.default_rng(2), 1.0).reshape(-1, 5)
    assert binomial_ok(int(new[:, 0].sum()), stars, 0.4)
    assert not new[:, 1].any()
    assert new[:, 2:].all()


def test_per_edge_bound_is_taken_from_the_edge_to_the_chosen_neighbour():
    # Pair x=0 (payoff 0, D), y=1 (payoff 1, C). M on edge 0->1 is 4, on edge 1->0 it is 1.
    pairs = 20_000
    adj = disjoint_copies([(0, 1)], 2, pairs)
    m = np.tile([4.0, 1.0], pairs)  # CSR order: row 0 holds edge 0->1, row 1 holds 1->0
    new = imitation_update(
        adj, np.tile([False, True], pairs), np.tile([0.0, 1.0], pairs), np.random.default_rng(3), m
    )
    assert binomial_ok(int(new[0::2].sum()), pairs, 0.25)


def test_update_prob_is_the_share_of_nodes_that_revise():
    pairs = 20_000
    adj = disjoint_copies([(0, 1)], 2, pairs)
    cooperate, payoffs = np.tile([False, True], pairs), np.tile([0.0, 1.0], pairs)
    rng = np.random.default_rng(4)
    new = imitation_update(adj, cooperate, payoffs, rng, 1.0, update_prob=0.3)
    assert binomial_ok(int(new[0::2].sum()), pairs, 0.3)
    assert np.array_equal(imitation_update(adj, cooperate, payoffs, rng, 1.0, 0.0), cooperate)


@settings(max_examples=150, deadline=None)
@given(
    adj=small_graphs(max_nodes=12),
    data=st.data(),
    seed=st.integers(0, 2**32 - 1),
)
def test_imitation_only_ever_copies_strictly_better_neighbours(adj, data, seed):
    n = adj.shape[0]
    cooperate = np.array(data.draw(st.lists(st.booleans(), min_size=n, max_size=n)), dtype=bool)
    payoffs = np.array(data.draw(st.lists(st.integers(-3, 3), min_size=n, max_size=n)), float)
    new = imitation_update(adj, cooperate, payoffs, np.random.default_rng(seed), 0.0)
    for x in np.flatnonzero(new != cooperate):
        neighbours = adj.indices[adj.indptr[x] : adj.indptr[x + 1]]
        teachers = neighbours[
            (payoffs[neighbours] > payoffs[x]) & (cooperate[neighbours] == new[x])
        ]
        assert teachers.size > 0, f"node {x} changed without a strictly better teacher"


def test_nodes_without_neighbours_and_ties_never_change():
    adj = graph(6, [(0, 1), (1, 2), (2, 0)])  # 3, 4, 5 are isolated
    cooperate = np.array([True, False, True, False, True, False])
    rng = np.random.default_rng(5)
    for m in (1.0, 0.0):  # M = 0 means "copy whenever strictly better", never on a tie
        assert np.array_equal(imitation_update(adj, cooperate, np.zeros(6), rng, m), cooperate)
    payoffs = np.array([0.0, 0.0, 0.0, 5.0, -5.0, 9.0])
    assert np.array_equal(imitation_update(adj, cooperate, payoffs, rng, 1.0), cooperate)


# ------------------------------------------------------------------ (e) determinism


def test_same_seed_same_result_other_seed_other_result():
    adj = nx.to_scipy_sparse_array(nx.barabasi_albert_graph(300, 2, seed=7), format="csr")
    cooperate = np.random.default_rng(0).random(300) < 0.5
    payoffs = group_payoffs(adj, cooperate, 3.0, 1.0, "per_game")
    m = edge_max_payoff_difference(adj, 3.0, 1.0, "per_game")
    one = imitation_update(adj, cooperate, payoffs, np.random.default_rng(11), m)
    two = imitation_update(adj, cooperate, payoffs, np.random.default_rng(11), m)
    other = imitation_update(adj, cooperate, payoffs, np.random.default_rng(12), m)
    assert np.array_equal(one, two)
    assert not np.array_equal(one, other)
    runs = [
        simulate_public_goods_game(adj, 0.7, "per_individual", 50, 50, np.random.default_rng(seed))
        for seed in (1, 1, 2)
    ]
    assert runs[0] == runs[1]
    assert runs[0] != runs[2]


# ------------------------------------------------------------------ pure mode


def test_pure_mode_stops_at_fixation_and_counts_the_rest_of_the_window():
    adj = nx.to_scipy_sparse_array(nx.random_regular_graph(4, 200, seed=1), format="csr")
    # Low eta: defectors take over long before the window, which then counts as all-D.
    low = simulate_public_goods_game(adj, 0.1, "per_game", 100, 1000, np.random.default_rng(1))
    assert low.fixated and low.final_cooperation == 0.0 and low.mean_cooperation == 0.0
    assert low.generations_run < 1100
    # Everyone cooperating from the start is absorbing: nothing is simulated.
    full = simulate_public_goods_game(
        adj, 0.1, "per_game", 10, 10, np.random.default_rng(1), initial_share=1.0
    )
    assert full.generations_run == 0 and full.mean_cooperation == 1.0
    assert run_public_goods_game(adj, 0.1, "per_game", 100, 1000, np.random.default_rng(1)) == 0.0


def test_pure_mode_mean_is_the_average_over_the_window():
    adj = nx.to_scipy_sparse_array(nx.barabasi_albert_graph(200, 2, seed=3), format="csr")
    result = simulate_public_goods_game(adj, 0.8, "per_individual", 40, 5, np.random.default_rng(9))
    # Replay the same dynamics by hand with the public functions.
    rng = np.random.default_rng(9)
    n = 200
    r = 0.8 * (adj.nnz / n + 1)
    m = edge_max_payoff_difference(adj, r, 1.0, "per_individual")
    cooperate = np.zeros(n, dtype=bool)
    cooperate[rng.permutation(n)[:100]] = True
    shares = []
    for _ in range(45):
        payoffs = group_payoffs(adj, cooperate, r, 1.0, "per_individual")
        cooperate = imitation_update(adj, cooperate, payoffs, rng, m)
        shares.append(cooperate.mean())
    assert not result.fixated
    assert result.mean_cooperation == pytest.approx(np.mean(shares[5:]), abs=1e-12)
    assert result.final_cooperation == pytest.approx(shares[-1])


# ------------------------------------------------------------------ argument checking


def test_bad_arguments_raise_clear_errors():
    adj = graph(3, [(0, 1), (1, 2)])
    coop = np.array([True, False, True])
    with pytest.raises(ValueError, match="cost_rule"):
        group_payoffs(adj, coop, 2.0, 1.0, "per_person")
    with pytest.raises(ValueError, match="boolean"):
        group_payoffs(adj, np.array([1, 0, 1]), 2.0)
    with pytest.raises(ValueError, match=r"shape \(3,\)"):
        group_payoffs(adj, coop[:2], 2.0)
    with pytest.raises(ValueError, match="r must be"):
        group_payoffs(adj, coop, np.ones(4))
    with pytest.raises(ValueError, match="cost must be"):
        group_payoffs(adj, coop, 2.0, -1.0)
    for bad in (np.nan, np.inf, -np.inf, -0.5):  # anywhere in a per-node array
        with pytest.raises(ValueError, match="r must be finite and non-negative"):
            group_payoffs(adj, coop, np.array([1.0, bad, 2.0]))
        with pytest.raises(ValueError, match="cost must be finite and non-negative"):
            group_payoffs(adj, coop, 2.0, np.array([bad, 1.0, 1.0], dtype=np.float32))
    with pytest.raises(ValueError, match="CSR"):
        group_payoffs(adj.toarray(), coop, 2.0)
    with pytest.raises(ValueError, match="square"):
        group_payoffs(sp.csr_array(np.ones((2, 3))), coop, 2.0)
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="payoffs"):
        imitation_update(adj, coop, np.zeros(2), rng, 1.0)
    with pytest.raises(ValueError, match="stored edge"):
        imitation_update(adj, coop, np.zeros(3), rng, np.ones(3))
    with pytest.raises(ValueError, match="non-negative"):
        imitation_update(adj, coop, np.zeros(3), rng, -1.0)
    with pytest.raises(ValueError, match="update_prob"):
        imitation_update(adj, coop, np.zeros(3), rng, 1.0, update_prob=1.5)
    with pytest.raises(ValueError, match="cost_rule"):
        run_public_goods_game(adj, 0.5, "per_person", 10, 10, rng)
    with pytest.raises(ValueError, match="generations"):
        run_public_goods_game(adj, 0.5, "per_game", 0, 10, rng)
    with pytest.raises(ValueError, match="transient"):
        run_public_goods_game(adj, 0.5, "per_game", 10, -1, rng)
    with pytest.raises(ValueError, match="eta"):
        run_public_goods_game(adj, -0.5, "per_game", 10, 10, rng)


@pytest.mark.parametrize(
    "matrix, message",
    [
        (sp.csr_array(np.array([[0.0, 1.0], [0.0, 0.0]])), "symmetric"),
        (sp.csr_array(np.array([[1.0, 1.0], [1.0, 0.0]])), "self-loops"),
        (sp.csr_array(np.array([[0.0, 2.0], [2.0, 0.0]])), "unweighted"),
    ],
)
def test_validate_adjacency_rejects_what_is_not_a_simple_graph(matrix, message):
    with pytest.raises(ValueError, match=message):
        validate_adjacency(matrix)
    validate_adjacency(graph(3, [(0, 1), (1, 2)]))
