"""The people panel: who held which seats in any recorded month, one row per person with
every seat they hold, so cross-appointment shows."""

from __future__ import annotations

import numpy as np

from sim.core.people import ROLE_NAMES
from sim.interfaces.browser.people import holdings
from sim.interfaces.browser.session import start_run

from .conftest import TWO_STREETS


def test_the_seat_log_gives_back_the_holders_of_every_month():
    r = start_run(TWO_STREETS, "3")
    seen = {0: r.model.seats.holder.copy()}
    for month in range(1, 13):
        r.step()
        seen[month] = r.model.seats.holder.copy()
    assert r.seat_log.months  # seats changed in some months: only those seats are kept
    assert sum(len(moved) for moved, _ in r.seat_log.changes) < 12 * r.model.seats.n / 10
    for month, holder in seen.items():
        np.testing.assert_array_equal(r.seat_log.holders_at(month), holder)
    r.close()


def test_a_community_s_people_hold_exactly_the_seats_the_model_gives_them(run):
    st, seats = run.structure, run.model.seats
    orgs = st.ids[st.community == 0].tolist()
    found = holdings(run.model, run.seat_log, orgs, run.month, live=True)
    mine = np.isin(seats.node, orgs)
    assert found.seats == mine.sum()
    assert found.filled + sum(found.vacant.values()) == found.seats
    for h in found.holdings:
        held = np.flatnonzero(seats.holder == h.person)
        pairs = sorted((int(seats.node[s]), ROLE_NAMES[int(seats.role[s])]) for s in held)
        assert sorted(h.here + h.elsewhere) == pairs
        assert all(node in orgs for node, _ in h.here)
        assert all(node not in orgs for node, _ in h.elsewhere)
        assert h.load == float(run.model.people.load[h.person])
    counts = [h.seats for h in found.holdings]
    assert counts == sorted(counts, reverse=True)  # the cross-appointed first
    assert found.cross_appointed == sum(c > 1 for c in counts)


def test_one_shoulder_shows_as_one_person_in_two_seats():
    r = start_run({**TWO_STREETS, "xa_one_shoulder": 1.0}, "2")
    st = r.structure
    both = 0
    for c in st.communities.tolist():
        found = holdings(r.model, r.seat_log, st.ids[st.community == c].tolist(), 0, live=False)
        roles = [{role for _, role in h.here} for h in found.holdings]
        both += any({"party_secretary", "rc_director"} <= rs for rs in roles)
        assert all(h.load is None for h in found.holdings)  # a recorded month: no workload
    director = r.model.holders_of_role(ROLE_NAMES.index("rc_director"))
    secretary = r.model.holders_of_role(ROLE_NAMES.index("party_secretary"))
    assert both == int(np.sum((secretary >= 0) & (secretary == director))) > 0
    r.close()
