"""Workload: one person's hours shared across all their seats (ODD §7.5)."""

from __future__ import annotations

import numpy as np

from sim.core.mechanisms import workload
from sim.core.people import DIRECTOR, SECRETARY
from sim.experiments.stats import paired_difference
from tests.conftest import MEDIUM, small_model


def test_load_adds_every_seat_with_a_saving_on_further_seats_and_performance_falls_above_one():
    m = small_model(
        1,
        initial_one_shoulder=1.0,
        seat_size_elasticity=0.0,
        seat_hours_secretary=150.0,
        seat_hours_director=100.0,
        seat_overlap_saving=0.25,
        leader_hours_sd=0.0,
        overload_penalty=2.0,
    )
    k = m.holder(SECRETARY, 0)
    m.people.extra_hours[k] = 0.0
    workload.loads(m)
    expected = (150.0 + 0.75 * 100.0) / m.p["leader_hours"]
    assert expected > 1
    assert np.isclose(m.people.load[k], expected)
    assert np.isclose(m.people.performance[k], 1 / (1 + 2.0 * (expected - 1)))
    m.give_seat(DIRECTOR, 0)  # the secretary keeps only the party seat
    assert np.isclose(m.people.load[k], 150.0 / m.p["leader_hours"])
    assert m.people.performance[k] == 1.0


def test_leading_seats_ask_more_hours_in_larger_communities():
    m = small_model(2, seat_size_elasticity=1.0)
    hours = workload.seat_hours(m)
    sec = m.seats.of(SECRETARY)
    size = m.communities.residents[m.seats.community[sec]]
    order = np.argsort(size)
    assert np.all(np.diff(hours[sec][order]) >= 0)


def test_a_leaver_is_replaced_by_an_acting_holder_of_all_their_committee_seats():
    m = small_model(3, initial_one_shoulder=1.0, resign_rate_volunteer=0.0)
    m.p["resign_rate_cadre"] = 1.0  # everyone leaves this month
    before = set(m.seats.holder[m.seats.org <= 1].tolist())
    workload.leave(m)
    assert not before & set(m.seats.holder[m.seats.org <= 1].tolist())
    for c in range(m.communities.n):
        assert m.holder(SECRETARY, c) == m.holder(DIRECTOR, c) >= 0


def test_one_edited_affiliation_changes_that_communitys_workload_coordination_and_checks():
    """Same levers and seed; in one arm the secretary's RC director seat of community 0 is
    given to someone else. Community 0's outcomes change, over 16 paired seeds (other members
    may still sit on both committees, so coordination falls by less than the whole tie)."""
    seeds = range(1, 17)
    cols = ("leader_load", "coordination", "party_oversight")
    with_, without = {c: [] for c in cols}, {c: [] for c in cols}
    for seed in seeds:
        for arm, out in ((False, with_), (True, without)):
            m = small_model(seed, **MEDIUM, initial_one_shoulder=1.0, election_first_month=120)
            if arm:
                m.give_seat(DIRECTOR, 0)
            m.run_for(12)
            table = m.community_table()
            mine = table[table.community == 0]
            for c in cols:
                out[c].append(float(mine[c].mean()))
    load, _ = paired_difference(without["leader_load"], with_["leader_load"])
    oversight, _ = paired_difference(without["party_oversight"], with_["party_oversight"])
    coordination, _ = paired_difference(without["coordination"], with_["coordination"])
    assert load.high < 0, load  # the secretary now holds one seat
    assert oversight.low > 0, oversight  # the party committee checks someone else
    assert coordination.high < 0, coordination  # no shared person between the two committees
