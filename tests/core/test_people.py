"""People in seats: the person table, the seat table and what is measured from them
(ODD §2, §7.5)."""

from __future__ import annotations

import networkx as nx
import numpy as np

from sim.core.people import (
    DIRECTOR,
    OC,
    PC,
    PC_MEMBER,
    PERSON_NODE_BASE,
    RC,
    RC_MEMBER,
    SECRETARY,
    affiliation_graph,
    realised_shares,
    seats_per_person,
    shared_links,
)
from sim.core.state import OC_NONE
from tests.conftest import small_model


def test_every_community_has_its_committee_seats_and_every_compound_its_oc_seats():
    m = small_model(1)
    p, cm, cp = m.p, m.communities, m.compounds
    for c in range(cm.n):
        assert m.seats_of(PC, c).size == p["party_committee_seats"]
        assert m.seats_of(RC, c).size == p["rc_seats"]
        assert m.seats_of(PC, c, SECRETARY).size == 1 and m.seats_of(RC, c, DIRECTOR).size == 1
    for c in range(cp.n):
        assert m.seats_of(OC, c).size == p["oc_seats"]


def test_party_and_residents_committee_seats_are_filled_at_the_start():
    m = small_model(2)
    committees = np.isin(m.seats.org, (PC, RC))
    assert np.all(m.seats.holder[committees] >= 0)


def test_realised_one_shoulder_is_read_off_who_holds_the_seats():
    m = small_model(3, initial_one_shoulder=0.0)
    cp = m.compounds
    shares = realised_shares(
        m.seats, m.communities.n, cp.community, cp.oc_state != OC_NONE, cp.has_branch
    )
    assert np.all(shares["one_shoulder"] == 0)
    secretary = m.holder(SECRETARY, 0)
    m.give_seat(DIRECTOR, 0, secretary)
    shares = realised_shares(
        m.seats, m.communities.n, cp.community, cp.oc_state != OC_NONE, cp.has_branch
    )
    assert shares["one_shoulder"][0] == 1 and np.all(shares["one_shoulder"][1:] == 0)


def test_overlap_counts_rc_seats_held_by_party_committee_members():
    m = small_model(4, initial_one_shoulder=0.0, initial_overlap=0.0)
    cp = m.compounds
    member = m.holders(PC_MEMBER, 0)[0]
    seat = m.seats_of(RC, 0, RC_MEMBER)[0]
    m.replace_in_seat(int(seat), member)
    shares = realised_shares(
        m.seats, m.communities.n, cp.community, cp.oc_state != OC_NONE, cp.has_branch
    )
    assert np.isclose(shares["overlap"][0], 1 / m.p["rc_seats"])


def test_the_affiliation_graph_ties_people_to_every_organisation_where_they_sit():
    m = small_model(5, initial_one_shoulder=1.0)
    g = affiliation_graph(m.seats, m.people)
    assert nx.is_bipartite(g)
    secretary = m.holder(SECRETARY, 0)
    orgs = set(g.neighbors(PERSON_NODE_BASE + secretary))
    off = m.world.node_offset
    assert orgs == {off["party_branch"] + 0, off["residents_committee"] + 0}
    per = seats_per_person(m.seats, m.people.n)
    degree = {n - PERSON_NODE_BASE: d for n, d in g.degree() if n >= PERSON_NODE_BASE}
    assert all(per[k] >= d for k, d in degree.items())


def test_shared_people_appear_as_cross_appointment_edges_of_the_governance_network():
    m = small_model(6, initial_one_shoulder=1.0)
    off = m.world.node_offset
    pc, rc = off["party_branch"], off["residents_committee"]
    assert m.network.has_edge(pc, rc, key="cross_appointment")
    m.give_seat(DIRECTOR, 0)  # a new person becomes director
    shared = set(m.org_members(PC, 0).tolist()) & set(m.org_members(RC, 0).tolist())
    assert m.network.has_edge(pc, rc, key="cross_appointment") == bool(shared)
    for person in shared:  # take every shared person off the RC: the edge goes
        for seat in m.seats_of(RC, 0)[m.seats.holder[m.seats_of(RC, 0)] == person]:
            m.replace_in_seat(int(seat), int(m.new_people(1, 0, 0)[0]))
    m.sync_shared_edges()
    assert not m.network.has_edge(pc, rc, key="cross_appointment")


def test_people_in_lists_every_seat_and_what_else_its_holder_holds():
    m = small_model(7, initial_one_shoulder=1.0)
    rows = m.people_in(m.world.node_offset["residents_committee"])
    director = next(r for r in rows if r["seat"] == "rc_director")
    assert "party_secretary" in director["other_seats"]
    assert 0 < director["load"] and 0 < director["performance"] <= 1


def shared_links_by_person(seats) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """`shared_links` as a loop: person by person in order of id, each person's distinct
    organisations in order, every pair of them."""
    rows = []
    for person in sorted(set(seats.holder[seats.holder >= 0].tolist())):
        nodes = sorted(set(seats.node[seats.holder == person].tolist()))
        held = int(np.count_nonzero(seats.holder == person))
        if held < 2:
            continue
        for i, u in enumerate(nodes):
            rows.extend((u, v, person) for v in nodes[i + 1 :])
    u, v, h = (np.array(col, dtype=np.int64) for col in zip(*rows)) if rows else [np.zeros(0)] * 3
    return u, v, h


def test_shared_links_equal_the_pairs_person_by_person():
    """Each person's organisations paired, as a loop pairs them: with people on several
    seats of one organisation, on several organisations, on one seat, and no one shared."""
    m = small_model(3)
    seats = m.seats
    filled = np.flatnonzero(seats.holder >= 0)
    rng = np.random.default_rng(5)
    for trial in range(4):
        holder = seats.holder.copy()
        if trial < 3:  # some people take further seats
            extra = rng.choice(filled, size=min(10 * trial + 5, filled.size), replace=False)
            holder[extra] = rng.choice(holder[filled], size=extra.size)
        else:  # everyone on one seat at most
            holder[filled] = np.arange(filled.size)
        seats.holder = holder
        got = shared_links(seats)
        want = shared_links_by_person(seats)
        for a, b in zip(got, want):
            assert np.array_equal(a, b)
        assert (got[0].size > 0) == (trial < 3)
    seats.holder = np.full(seats.n, -1)
    assert all(col.size == 0 for col in shared_links(seats))
