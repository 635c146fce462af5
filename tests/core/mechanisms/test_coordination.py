"""Coordination along the network and checks blunted by shared people (ODD §7.5)."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from sim.core.agents import PartyCommittee, party_committee
from sim.core.agents.property_committee import convene_property_committee
from sim.core.mechanisms import coordination, property_management
from sim.core.network import set_edge
from sim.core.people import CADRE, OC, PMC, RC_MEMBER
from sim.core.state import OC_FUNCTIONING
from sim.experiments.stats import paired_difference
from tests.conftest import MEDIUM, small_model

COMMERCIAL = dict(
    community_mix_old=0.0,
    community_mix_work_unit=0.0,
    community_mix_commercial=1.0,
    community_mix_village=0.0,
    community_mix_mixed=0.0,
    type_purity=1.0,
)
"""Every compound is a commercial estate managed by a firm."""


def test_a_path_is_as_good_as_the_product_of_its_links_and_never_below_the_base():
    m = small_model(
        1, **COMMERCIAL, initial_one_shoulder=0.0, initial_overlap=0.0, oc_initial_share=0.0
    )
    p, off = m.p, m.world.node_offset
    pc, rc = off["party_branch"], off["residents_committee"]
    oc = off["owners_committee"]
    c0 = int(np.flatnonzero(m.compounds.community == 0)[0])
    got = coordination.path_coordination(
        m,
        np.array([pc, rc, rc, off["street_office"]]),
        np.array([rc, oc + c0, off["ngo"], oc + c0]),
    )
    assert np.isclose(got[0], p["coord_tie"])  # the standing two-committee tie
    assert np.isclose(got[1], p["coord_formal"])  # the RC guides the owners
    assert np.isclose(got[2], p["coord_base"])  # no path to an unrelated NGO
    assert np.isclose(got[3], max(p["coord_formal"] ** 2, p["coord_base"]))  # street-RC-owners


def test_a_shared_person_shortens_the_path_by_their_performance():
    m = small_model(2, initial_one_shoulder=1.0)
    secretary_perf = m.people.performance[m.holder(0, 0)]
    assert np.isclose(
        m.communities.coordination[0], max(m.p["coord_shared"] * secretary_perf, m.p["coord_tie"])
    )


def test_a_person_on_both_sides_blunts_the_check():
    m = small_model(3, **COMMERCIAL, initial_cadre_on_oc=0.0, oc_initial_share=1.0)
    c = int(np.flatnonzero((m.compounds.oc_state == OC_FUNCTIONING) & (m.compounds.firm >= 0))[0])
    assert m.compounds.independence[c] == 1.0
    community = int(m.compounds.community[c])
    rc_member = m.holders(RC_MEMBER, community)[0]
    seat = int(m.seats_of(OC, c)[-1])
    m.replace_in_seat(seat, rc_member)  # an RC member, whose RC works with the firm
    m.sync_shared_edges()
    m.cache.pop("checks", None)
    coordination.checks(m)
    assert m.compounds.independence[c] < 1.0


def test_removing_a_convened_tie_lowers_mediation_where_it_was(monkeypatch):
    """Same parameters; in one arm the party organisation's joint tie to one compound's
    owners and firm is removed (and not convened again)."""
    # ties stay as set: no party committee reconsiders them
    monkeypatch.setattr(
        PartyCommittee, "reconsidering", staticmethod(lambda model: np.zeros(0, dtype=int))
    )
    drop, rate = [], {False: [], True: []}
    for seed in range(1, 11):
        reach = {}
        for cut in (False, True):
            m = small_model(
                seed,
                **{**MEDIUM, "households_per_compound": 300.0},
                **COMMERCIAL,
                dispute_quality=20.0,
            )
            target = int(np.flatnonzero(m.compounds.firm >= 0)[0])
            party_committee.set_joint_tie(m, target, True)
            if cut:
                party_committee.set_joint_tie(m, target, False)
            mediated = disputes = 0
            for _ in range(12):
                m.step()
                mediated += m.compounds.mediated[target]
                disputes += m.compounds.disputes[target]
            rate[cut].append(mediated / max(disputes, 1))
            reach[cut] = m.compounds.mediation_coordination[target]
        drop.append(reach[True] - reach[False])
    assert max(drop) < 0, drop  # every seed: the mediators reach that compound less well
    diff, _ = paired_difference(rate[True], rate[False])
    assert diff.high < 0, diff


def test_cutting_a_peer_tie_stops_a_committee_learning_from_that_peer():
    """RC 1's only better-scoring peer serves residents with every free hour; tied to it,
    RC 1 moves toward that split; with the tie cut it does not."""
    service = {True: [], False: []}
    for seed in range(1, 7):
        for tied in (True, False):
            m = small_model(
                seed,
                **MEDIUM,
                peer_imitation_rate=1.0,
                peer_copy_weight=0.5,
                rc_adaptation_rate=0.0,
            )
            cm, off = m.communities, m.world.node_offset
            rc = off["residents_committee"]
            for a in (0, 1):
                for v in m.residents_committees[a].ties("peer"):
                    set_edge(m, rc + a, v, "peer", False)
            if tied:
                set_edge(m, rc + 0, rc + 1, "peer", True)
            m.communities.allocation[0] = [0.0, 0.0, 1.0]
            for _ in range(6):
                cm.score[0] = 1.0
                cm.score[1] = 0.0
                m.residents_committees[1].learn()
            service[tied].append(float(cm.allocation[1][2]))
    diff, _ = paired_difference(service[True], service[False])
    assert diff.low > 0, diff


def test_moving_a_contract_changes_the_compound_and_both_firms():
    m = small_model(5, **COMMERCIAL)
    cp, firms = m.compounds, m.firms
    c = int(np.flatnonzero(cp.firm >= 0)[0])
    old = int(cp.firm[c])
    new = (old + 1) % firms.n
    before_old, before_new = firms.compounds[old], firms.compounds[new]
    property_management.assign_firm(m, c, new)
    off = m.world.node_offset
    assert m.network.has_edge(
        off["owners_committee"] + c, off["property_firm"] + new, key="contract"
    )
    assert not m.network.has_edge(
        off["owners_committee"] + c, off["property_firm"] + old, key="contract"
    )
    assert firms.compounds[old] == before_old - 1 and firms.compounds[new] == before_new + 1


def test_the_link_graph_keeps_each_pairs_best_factor_both_ways_in_csr_order():
    """Links 0–1 (twice, factors 0.3 and 0.8), 2–1 and 3–0: a symmetric CSR, rows sorted,
    one entry per pair with its best factor."""
    u, v, f = np.array([0, 1, 2, 3]), np.array([1, 0, 1, 0]), np.array([0.3, 0.8, 0.5, 0.2])
    indptr, indices, data = coordination._link_rows(u, v, f, 4)
    graph = sp.csr_matrix((data, indices, indptr), shape=(4, 4))
    assert graph.has_canonical_format
    assert (graph != graph.T).nnz == 0
    assert graph.toarray().tolist() == [
        [0.0, 0.8, 0.0, 0.2],
        [0.8, 0.0, 0.5, 0.0],
        [0.0, 0.5, 0.0, 0.0],
        [0.2, 0.0, 0.0, 0.0],
    ]
    indptr, indices, data = coordination._link_rows(*(np.zeros(0, dtype=np.int64),) * 3, 4)
    assert indptr.tolist() == [0] * 5 and indices.size == data.size == 0


def test_a_party_committees_oversight_follows_its_supervision_tie():
    """The supervision ties the checks read are cached until one changes: cutting the party
    committee's tie to its RC ends its oversight at the next check, and restoring it brings
    the same oversight back."""
    m = small_model(4, **COMMERCIAL, oc_initial_share=1.0)
    off = m.world.node_offset
    pc, rc = off["party_branch"], off["residents_committee"]
    before = m.communities.oversight.copy()
    assert before[0] > 0
    set_edge(m, pc, rc, "supervision", False)
    coordination.checks(m)
    assert m.communities.oversight[0] == 0.0
    assert np.array_equal(m.communities.oversight[1:], before[1:])
    set_edge(m, pc, rc, "supervision", True)
    coordination.checks(m)
    assert np.array_equal(m.communities.oversight, before)


def test_a_property_committee_checks_each_watched_firm_with_its_own_seats():
    """A property committee convened during the run watches the firms of its community's
    compounds: its independence there is that of its own seats (those the seat index
    lists) against each firm, and the director it shares with the RC, an ally of the firm,
    blunts it."""
    m = small_model(4, **COMMERCIAL, oc_initial_share=1.0)
    cp, off = m.compounds, m.world.node_offset
    convene_property_committee(m, 0, True)
    coordination.checks(m)
    seats = m.seat_index[(PMC, 0)]
    watched = np.flatnonzero((cp.community == 0) & (cp.firm >= 0))
    assert watched.size
    for j in watched.tolist():
        firm = np.full(seats.size, off["property_firm"] + cp.firm[j])
        lost = coordination.seat_conflicts(m, seats, firm)
        alone = coordination.independences(m, np.zeros(seats.size, int), seats, lost, 1)
        assert m.pmc_independence[j] == alone[0]
    assert (m.pmc_independence[watched] < 1.0).any()
    assert (m.pmc_independence[cp.community != 0] == 1.0).all()


def test_the_seats_by_holder_follow_a_change_of_seats():
    """Each person's seats as the checks read them (cached until seats change): a seat given
    to a new person leaves its former holder's run and forms the newcomer's."""
    m = small_model(2, initial_one_shoulder=1.0)
    order, start = coordination.seats_by_holder(m)
    holder = m.seats.holder
    for person in range(m.people.n):
        assert (
            order[start[person] : start[person + 1]].tolist()
            == np.flatnonzero(holder == person).tolist()
        )
    seat = int(m.seats.of(RC_MEMBER)[0])
    old = int(holder[seat])
    newcomer = int(m.new_people(1, CADRE, 0)[0])
    m.replace_in_seat(seat, newcomer)
    order, start = coordination.seats_by_holder(m)
    assert seat not in order[start[old] : start[old + 1]].tolist()
    assert order[start[newcomer] : start[newcomer + 1]].tolist() == [seat]
