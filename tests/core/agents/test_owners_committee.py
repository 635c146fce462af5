"""The owners' committees' monthly rules, written for all committees at once, give what
the rules written out seat by seat give, bit for bit."""

from __future__ import annotations

import numpy as np

from sim.core.agents import OwnersCommittee
from sim.core.people import OC
from sim.core.state import OC_CAPTURED, OC_DORMANT, OC_FUNCTIONING
from tests.conftest import MEDIUM, small_model


def _efforts_seat_by_seat(model, compounds: np.ndarray) -> tuple:
    """Each committee's members' new efforts, mean effort, hours given and whether it acts,
    by the rule of the module docstring, committee by committee, sums as NumPy's sum of the
    filled seats' values."""
    p, cp, people, seats = model.p, model.compounds, model.people, model.seats
    efforts, means, given, acted = {}, [], [], []
    for c in compounds.tolist():
        row = model.oc_seat_table[c]
        row = row[seats.holder[row] >= 0]
        who = seats.holder[row]
        effort = seats.effort[row]
        total = effort.sum()
        n = row.size
        peers = (total - effort) / max(n - 1, 1) if n > 1 else np.zeros(n)
        support = min(cp.participation[c] / p["oc_support_participation"], 1.0)
        grievance = min(cp.dispute_rate[c] / p["oc_grievance_disputes"], 1.0)
        backing = OwnersCommittee.backing(model, np.array([c]))[0]
        reasons = (
            p["oc_value_base"]
            + p["oc_support_weight"] * support
            + p["oc_grievance_weight"] * grievance
            + p["oc_backing_weight"] * backing
        ) + p["oc_peer_weight"] * peers
        worth = people.motivation[who] * reasons
        own = effort * seats.hours[row] / np.maximum(people.hours[who], 1e-9)
        cost = p["oc_time_cost"] * (1.0 + np.maximum(people.load[who] - own, 0.0))
        wanted = np.minimum(worth / cost, 1.0)
        firm = cp.firm[c]
        wanted = np.where((people.allied_firm[who] == firm) & (firm >= 0), 0.0, wanted)
        new = effort + p["oc_effort_adjust"] * (wanted - effort)
        efforts.update(zip(row.tolist(), new.tolist()))
        means.append(new.mean() if n else 0.0)
        given.append((new * seats.hours[row] * people.performance[who]).sum())
        acted.append(np.count_nonzero(new >= p["oc_active_effort"]) >= p["oc_quorum_members"])
    return efforts, np.array(means), np.array(given), np.array(acted)


def test_members_choose_their_effort_as_the_rule_seat_by_seat():
    model = small_model(4, **MEDIUM, oc_initial_share=1.0)
    model.run_for(3)
    sitting = OwnersCommittee.sitting(model)
    efforts, means, given, acted = _efforts_seat_by_seat(model, sitting)
    OwnersCommittee.choose_efforts(model, sitting)
    cp = model.compounds
    assert cp.oc_effort[sitting].tobytes() == means.tobytes()
    assert cp.oc_hours[sitting].tobytes() == given.tobytes()
    assert np.array_equal(cp.oc_acted[sitting], acted)
    assert model.seats.effort[list(efforts)].tolist() == list(efforts.values())
    assert (model.seats.holder[model.oc_seat_table[sitting]] < 0).any()  # with vacant seats


def test_committees_take_stock_as_the_rule_seat_by_seat():
    model = small_model(4, **MEDIUM, oc_initial_share=1.0)
    model.run_for(3)
    cp, people = model.compounds, model.people
    sitting = OwnersCommittee.sitting(model)
    # some committees captured, some acting, some dormant
    for c in sitting[::3].tolist():
        people.allied_firm[model.org_members(OC, c)] = cp.firm[c]
    acted_before = cp.oc_acted.copy()
    acted_before[sitting[::2]] = True
    cp.oc_acted[:] = acted_before
    cp.oc_last_active[sitting[1::4]] = model.steps - 100
    expected = {}
    for c in sitting.tolist():
        row = model.oc_seat_table[c]
        who = model.seats.holder[row]
        who = who[who >= 0]
        allied = np.count_nonzero(people.allied_firm[who] == cp.firm[c])
        captured = who.size > 0 and cp.firm[c] >= 0 and allied * 2 > who.size
        acted = bool(acted_before[c]) and not captured
        last = model.steps if acted else cp.oc_last_active[c]
        state = (
            OC_CAPTURED
            if captured
            else OC_FUNCTIONING
            if model.steps - last < model.p["oc_dormancy_months"]
            else OC_DORMANT
        )
        perf = people.performance[who].mean() if who.size else 0.0
        expected[c] = (acted, last, state, perf)
    OwnersCommittee.take_stock_all(model, sitting)
    for c, (acted, last, state, perf) in expected.items():
        assert cp.oc_acted[c] == acted and cp.oc_last_active[c] == last
        assert cp.oc_state[c] == state and cp.oc_performance[c] == perf
    assert {OC_CAPTURED, OC_FUNCTIONING, OC_DORMANT} <= set(cp.oc_state[sitting].tolist())
